/* Zero-copy message reader: one full check at open, then views into the packet. */
#include <owndns/message.h>
#include <owndns/rdata.h>

/* Fixed part of a record after its owner: TYPE, CLASS, TTL, RDLENGTH. */
#define RR_FIXED_SIZE 10
#define QUESTION_FIXED_SIZE 4

/* Reads one record starting at *pos into *v (owner expanded) and moves *pos past it. */
static int read_rr(const uint8_t *pkt, size_t len, size_t *pos, owndns_rr_view *v)
{
	v->rr_pos = *pos;
	int rc = owndns_name_unpack(pkt, len, pos, v->owner, &v->owner_len);
	if (rc)
		return rc;
	owndns_rbuf rb = owndns_rbuf_init(pkt, len);
	rb.pos = *pos;
	v->type = owndns_rbuf_u16(&rb);
	v->rclass = owndns_rbuf_u16(&rb);
	v->ttl = owndns_rbuf_u32(&rb);
	v->rdlen = owndns_rbuf_u16(&rb);
	v->rdata_pos = rb.pos;
	owndns_rbuf_take(&rb, v->rdlen);
	if (rb.error)
		return rb.error;
	*pos = rb.pos;
	return OWNDNS_OK;
}

static int read_question(const uint8_t *pkt, size_t len, size_t *pos, uint8_t *qname,
			 size_t *qname_len, uint16_t *qtype, uint16_t *qclass)
{
	int rc = owndns_name_unpack(pkt, len, pos, qname, qname_len);
	if (rc)
		return rc;
	owndns_rbuf rb = owndns_rbuf_init(pkt, len);
	rb.pos = *pos;
	*qtype = owndns_rbuf_u16(&rb);
	*qclass = owndns_rbuf_u16(&rb);
	if (rb.error)
		return rb.error;
	*pos = rb.pos;
	return OWNDNS_OK;
}

/* RFC 6891 §6.1.1: one OPT at most, in the additional section, owned by the root. */
static int check_opt(owndns_msg *m, const owndns_rr_view *v)
{
	if (v->section != OWNDNS_SECTION_ADDITIONAL || m->opt_pos)
		return OWNDNS_EEDNS;
	if (v->owner_len != 1)
		return OWNDNS_EEDNS;
	m->opt_pos = v->rr_pos;
	return OWNDNS_OK;
}

/* RFC 8945 §5.1: TSIG is the last record of the additional section. */
static int check_tsig(owndns_msg *m, const owndns_rr_view *v, unsigned index)
{
	if (v->section != OWNDNS_SECTION_ADDITIONAL ||
	    index + 1u != m->hdr.count[OWNDNS_SECTION_ADDITIONAL])
		return OWNDNS_ESECTION;
	m->tsig_pos = v->rr_pos;
	return OWNDNS_OK;
}

static int check_questions(owndns_msg *m, size_t *pos)
{
	uint8_t qname[OWNDNS_NAME_MAX];
	size_t qname_len;
	uint16_t qtype, qclass;

	for (unsigned i = 0; i < m->hdr.count[OWNDNS_SECTION_QUESTION]; i++) {
		if (*pos >= m->len)
			return OWNDNS_ESECTION;
		int rc = read_question(m->pkt, m->len, pos, qname, &qname_len, &qtype, &qclass);
		if (rc)
			return rc;
	}
	return OWNDNS_OK;
}

static int check_section(owndns_msg *m, owndns_section s, size_t *pos)
{
	owndns_rr_view v;

	v.section = s;
	for (unsigned i = 0; i < m->hdr.count[s]; i++) {
		/* Nothing at all where a record should start: the counts claim too much. */
		if (*pos >= m->len)
			return OWNDNS_ESECTION;
		int rc = read_rr(m->pkt, m->len, pos, &v);
		if (rc)
			return rc;
		if (v.type == OWNDNS_TYPE_OPT)
			rc = check_opt(m, &v);
		else if (v.type == OWNDNS_TYPE_TSIG)
			rc = check_tsig(m, &v, i);
		if (rc)
			return rc;
	}
	return OWNDNS_OK;
}

int owndns_msg_open(owndns_msg *m, const uint8_t *pkt, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->pkt = pkt;
	m->len = len;
	int rc = owndns_header_read(pkt, len, &m->hdr);
	if (rc)
		return rc;

	size_t pos = OWNDNS_HEADER_SIZE;
	m->section_pos[OWNDNS_SECTION_QUESTION] = pos;
	rc = check_questions(m, &pos);
	for (int s = OWNDNS_SECTION_ANSWER; !rc && s < OWNDNS_SECTION_COUNT; s++) {
		m->section_pos[s] = pos;
		rc = check_section(m, (owndns_section)s, &pos);
	}
	if (rc)
		return rc;
	m->end = pos;
	return OWNDNS_OK;
}

size_t owndns_msg_trailing(const owndns_msg *m)
{
	return m->len > m->end ? m->len - m->end : 0;
}

int owndns_msg_question(const owndns_msg *m, unsigned index, uint8_t *qname, size_t *qname_len,
			uint16_t *qtype, uint16_t *qclass)
{
	uint8_t name_tmp[OWNDNS_NAME_MAX];
	size_t len_tmp;
	uint16_t type_tmp, class_tmp;
	size_t pos = m->section_pos[OWNDNS_SECTION_QUESTION];

	if (index >= m->hdr.count[OWNDNS_SECTION_QUESTION])
		return OWNDNS_ENOTFOUND;
	for (unsigned i = 0; i <= index; i++) {
		int rc = read_question(m->pkt, m->len, &pos, name_tmp, &len_tmp, &type_tmp,
				       &class_tmp);
		if (rc)
			return rc;
	}
	if (qname)
		memcpy(qname, name_tmp, len_tmp);
	if (qname_len)
		*qname_len = len_tmp;
	if (qtype)
		*qtype = type_tmp;
	if (qclass)
		*qclass = class_tmp;
	return OWNDNS_OK;
}

void owndns_question_iter_init(owndns_question_iter *it, const owndns_msg *m)
{
	it->msg = m;
	it->pos = m->section_pos[OWNDNS_SECTION_QUESTION];
	it->left = m->hdr.count[OWNDNS_SECTION_QUESTION];
}

int owndns_question_iter_next(owndns_question_iter *it, uint8_t *qname, size_t *qname_len,
			      uint16_t *qtype, uint16_t *qclass)
{
	uint8_t name_tmp[OWNDNS_NAME_MAX];
	size_t len_tmp;
	uint16_t type_tmp, class_tmp;

	if (it->left == 0)
		return 0;
	int rc = read_question(it->msg->pkt, it->msg->len, &it->pos, name_tmp, &len_tmp,
			       &type_tmp, &class_tmp);
	if (rc) {
		it->left = 0;
		return rc;
	}
	it->left--;
	if (qname)
		memcpy(qname, name_tmp, len_tmp);
	if (qname_len)
		*qname_len = len_tmp;
	if (qtype)
		*qtype = type_tmp;
	if (qclass)
		*qclass = class_tmp;
	return 1;
}

void owndns_rr_iter_init(owndns_rr_iter *it, const owndns_msg *m, owndns_section section)
{
	it->msg = m;
	it->section = section;
	it->pos = m->section_pos[section];
	it->left = section == OWNDNS_SECTION_QUESTION ? 0 : m->hdr.count[section];
}

int owndns_rr_iter_next(owndns_rr_iter *it, owndns_rr_view *rr)
{
	if (!it->left)
		return 0;
	rr->section = it->section;
	int rc = read_rr(it->msg->pkt, it->msg->len, &it->pos, rr);
	if (rc) {
		it->left = 0;
		return rc;
	}
	it->left--;
	return 1;
}

static int view_at(const owndns_msg *m, size_t pos, owndns_rr_view *rr)
{
	if (!pos)
		return OWNDNS_ENOTFOUND;
	rr->section = OWNDNS_SECTION_ADDITIONAL;
	return read_rr(m->pkt, m->len, &pos, rr);
}

int owndns_msg_opt(const owndns_msg *m, owndns_rr_view *rr)
{
	return view_at(m, m->opt_pos, rr);
}

int owndns_msg_tsig(const owndns_msg *m, owndns_rr_view *rr)
{
	return view_at(m, m->tsig_pos, rr);
}

int owndns_rr_view_rdata(const owndns_msg *m, const owndns_rr_view *v, uint8_t *out, size_t cap,
			 size_t *out_len)
{
	return owndns_rdata_unpack(v->type, m->pkt, m->len, v->rdata_pos, v->rdlen, out, cap,
				   out_len);
}

int owndns_rr_view_to_rr(const owndns_msg *m, const owndns_rr_view *v, uint8_t *storage,
			 size_t cap, owndns_rr *rr)
{
	size_t rdlen;

	if (cap < v->owner_len)
		return OWNDNS_ESPACE;
	memcpy(storage, v->owner, v->owner_len);
	int rc = owndns_rr_view_rdata(m, v, storage + v->owner_len, cap - v->owner_len, &rdlen);
	if (rc)
		return rc;
	/* RFC 3597 §4 expansion can exceed RDLENGTH's range only in theory; refuse it. */
	if (rdlen > OWNDNS_RDATA_MAX)
		return OWNDNS_ERDATA_LEN;
	rr->owner = storage;
	rr->type = v->type;
	rr->rclass = v->rclass;
	rr->ttl = v->ttl;
	rr->rdlen = (uint16_t)rdlen;
	rr->rdata = storage + v->owner_len;
	return OWNDNS_OK;
}
