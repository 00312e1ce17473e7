/* Message writer: sections in order, name compression (RFC 1035 §4.1.4), and records
 * that either fit whole or are not written at all. */
#include "message_writer_internal.h"

#include <owndns/rdata.h>

#include "rdata_field.h"

/* A compression pointer holds a 14-bit offset. */
#define COMPRESS_OFFSET_LIMIT 0x4000u
#define POINTER_BITS 0xc0u

int owndns_writer_init(owndns_msg_writer *w, uint8_t *buf, size_t cap, const owndns_header *hdr)
{
	memset(w, 0, sizeof(*w));
	if (cap > OWNDNS_MSG_MAX)
		cap = OWNDNS_MSG_MAX;
	w->buf = owndns_wbuf_init(buf, cap);
	if (cap < OWNDNS_HEADER_SIZE)
		return OWNDNS_ESPACE;
	w->hdr = *hdr;
	memset(w->hdr.count, 0, sizeof(w->hdr.count));
	w->section = OWNDNS_SECTION_QUESTION;
	/* The header is filled in by finish; reserve its place now. */
	memset(buf, 0, OWNDNS_HEADER_SIZE);
	w->buf.len = OWNDNS_HEADER_SIZE;
	return OWNDNS_OK;
}

owndns_header *owndns_writer_header(owndns_msg_writer *w)
{
	return &w->hdr;
}

int owndns_writer_reserve(owndns_msg_writer *w, size_t n)
{
	if (n > w->buf.cap - w->buf.len)
		return OWNDNS_ESPACE;
	w->buf.cap -= n;
	w->reserved += n;
	return OWNDNS_OK;
}

size_t owndns_writer_length(const owndns_msg_writer *w)
{
	return w->buf.len;
}

int owndns_writer_finish(owndns_msg_writer *w, size_t *len)
{
	owndns_wbuf hb = owndns_wbuf_init(w->buf.data, OWNDNS_HEADER_SIZE);
	owndns_wbuf_u16(&hb, w->hdr.id);
	owndns_wbuf_u16(&hb, w->hdr.flags);
	for (int s = 0; s < OWNDNS_SECTION_COUNT; s++)
		owndns_wbuf_u16(&hb, w->hdr.count[s]);
	*len = w->buf.len;
	return hb.error;
}

/* ---- Compression ------------------------------------------------------------- */

static uint8_t ascii_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

static bool labels_equal(const uint8_t *a, const uint8_t *b, uint8_t len)
{
	for (uint8_t i = 0; i < len; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

/* True when the name written at msg[off] (possibly ending in pointers) equals the
 * uncompressed name `name`, ignoring ASCII case.  Everything in msg was written by us,
 * so pointers go backwards; the hop bound is there for robustness only. */
static bool written_name_equals(const uint8_t *msg, size_t off, const uint8_t *name)
{
	for (unsigned hops = 0; hops < OWNDNS_NAME_MAX; hops++) {
		uint8_t len = msg[off];
		if ((len & POINTER_BITS) == POINTER_BITS) {
			off = ((size_t)(len & 0x3f) << 8) | msg[off + 1];
			continue;
		}
		if (len != name[0])
			return false;
		if (len == 0)
			return true;
		if (!labels_equal(msg + off + 1, name + 1, len))
			return false;
		off += 1u + len;
		name += 1u + len;
	}
	return false;
}

/* Offset of an earlier name equal to `suffix`, or -1. */
static long find_written(const owndns_msg_writer *w, const uint8_t *suffix)
{
	for (uint16_t i = 0; i < w->compress_count; i++)
		if (written_name_equals(w->buf.data, w->compress[i], suffix))
			return w->compress[i];
	return -1;
}

static void remember_offset(owndns_msg_writer *w, size_t off)
{
	if (off < COMPRESS_OFFSET_LIMIT && w->compress_count < OWNDNS_COMPRESS_MAX)
		w->compress[w->compress_count++] = (uint16_t)off;
}

/* Writes a valid uncompressed name, replacing its longest already written suffix
 * with a pointer. */
static void write_name_compressed(owndns_msg_writer *w, const uint8_t *name, size_t name_len)
{
	size_t head = 0; /* octets of `name` written as labels */
	long target = -1;

	while (name[head] != 0) {
		target = find_written(w, name + head);
		if (target >= 0)
			break;
		head += 1u + name[head];
	}
	size_t start = w->buf.len;
	owndns_wbuf_bytes(&w->buf, name, target >= 0 ? head : name_len);
	if (target >= 0)
		owndns_wbuf_u16(&w->buf, (uint16_t)(0xc000u | (unsigned)target));
	if (w->buf.error)
		return;
	for (size_t i = 0; i < head; i += 1u + name[i])
		remember_offset(w, start + i);
}

static int checked_name_length(const uint8_t *name, size_t max, size_t *len)
{
	return owndns_name_check(name, max < OWNDNS_NAME_MAX ? max : OWNDNS_NAME_MAX, len);
}

/* ---- RDATA ------------------------------------------------------------------- */

/* Octets of a fixed-size field kind, 0 for kinds of variable or unknown size. */
static size_t fixed_field_size(uint8_t kind)
{
	switch (kind) {
	case RDF_U8:
	case RDF_SECALG:
		return 1;
	case RDF_U16:
	case RDF_TYPE:
	case RDF_CERT_TYPE:
		return 2;
	case RDF_U32:
	case RDF_TIME:
	case RDF_IPV4:
		return 4;
	case RDF_U48:
		return 6;
	case RDF_IPV6:
		return 16;
	default:
		return 0;
	}
}

static bool is_name_kind(uint8_t kind)
{
	return kind == RDF_NAME_C || kind == RDF_NAME_D || kind == RDF_NAME;
}

/* Number of leading fields to walk so that every RDF_NAME_C is compressed, or 0 when
 * the RDATA is copied as it is (no compressible name, or a field before the last one
 * whose size we cannot tell without the full RDATA machinery). */
static int fields_to_walk(const rdata_desc *desc)
{
	int walk = 0;

	if (!desc)
		return 0;
	for (int i = 0; i < RDATA_FIELDS_MAX && desc->fields[i] != RDF_END; i++)
		if (desc->fields[i] == RDF_NAME_C)
			walk = i + 1;
	for (int i = 0; i < walk; i++) {
		uint8_t kind = desc->fields[i];
		if (!is_name_kind(kind) && kind != RDF_STRING && !fixed_field_size(kind))
			return 0;
	}
	return walk;
}

static int write_rdata_field(owndns_msg_writer *w, uint8_t kind, owndns_rbuf *rd)
{
	const uint8_t *at = rd->data + rd->pos;
	size_t left = owndns_rbuf_left(rd);
	size_t n;

	if (is_name_kind(kind)) {
		int rc = checked_name_length(at, left, &n);
		if (rc)
			return rc;
		if (kind == RDF_NAME_C)
			write_name_compressed(w, at, n);
		else
			owndns_wbuf_bytes(&w->buf, at, n);
		owndns_rbuf_take(rd, n);
		return OWNDNS_OK;
	}
	n = kind == RDF_STRING ? (left ? 1u + at[0] : 1u) : fixed_field_size(kind);
	const uint8_t *p = owndns_rbuf_take(rd, n);
	if (!p)
		return OWNDNS_ERDATA;
	owndns_wbuf_bytes(&w->buf, p, n);
	return OWNDNS_OK;
}

/* RDATA with RDF_NAME_C names compressed (RFC 3597 §4: only RFC 1035 types);
 * RDF_NAME_D and RDF_NAME names are copied. */
static int write_rdata(owndns_msg_writer *w, uint16_t type, const uint8_t *rdata, size_t rdlen)
{
	const rdata_desc *desc = rdata_desc_find(type);
	int walk = fields_to_walk(desc);
	owndns_rbuf rd = owndns_rbuf_init(rdata, rdlen);

	for (int i = 0; i < walk; i++) {
		int rc = write_rdata_field(w, desc->fields[i], &rd);
		if (rc)
			return rc;
	}
	owndns_wbuf_bytes(&w->buf, rdata + rd.pos, rdlen - rd.pos);
	return OWNDNS_OK;
}

/* ---- Records ----------------------------------------------------------------- */

static void rollback(owndns_msg_writer *w, const msg_writer_mark *mark)
{
	w->buf.len = mark->len;
	w->buf.cap = mark->cap;
	w->buf.error = OWNDNS_OK;
	w->reserved = mark->reserved;
	w->compress_count = mark->compress_count;
}

static void set_mark(const owndns_msg_writer *w, msg_writer_mark *mark)
{
	mark->len = w->buf.len;
	mark->cap = w->buf.cap;
	mark->reserved = w->reserved;
	mark->compress_count = w->compress_count;
}

int msg_writer_rr_begin(owndns_msg_writer *w, owndns_section section, uint16_t type,
			msg_writer_mark *mark)
{
	if (section <= OWNDNS_SECTION_QUESTION || section > OWNDNS_SECTION_ADDITIONAL)
		return OWNDNS_EINVAL;
	if (type == OWNDNS_TYPE_OPT && section != OWNDNS_SECTION_ADDITIONAL)
		return OWNDNS_EINVAL;
	if (section < w->section || w->tsig_written)
		return OWNDNS_ESTATE;
	if (w->opt_written && type != OWNDNS_TYPE_TSIG)
		return OWNDNS_ESTATE;
	set_mark(w, mark);
	/* The reservation was made for this record (RFC 6891 §7). */
	if (type == OWNDNS_TYPE_OPT) {
		w->buf.cap += w->reserved;
		w->reserved = 0;
	}
	return OWNDNS_OK;
}

int msg_writer_rr_end(owndns_msg_writer *w, owndns_section section, uint16_t type,
		      const msg_writer_mark *mark, int status)
{
	if (!status && w->buf.error)
		status = w->buf.error == OWNDNS_ESPACE ? OWNDNS_ETRUNCATED_MSG : w->buf.error;
	if (status) {
		rollback(w, mark);
		return status;
	}
	w->section = section;
	w->hdr.count[section]++;
	if (type == OWNDNS_TYPE_OPT)
		w->opt_written = true;
	else if (type == OWNDNS_TYPE_TSIG)
		w->tsig_written = true;
	return OWNDNS_OK;
}

int owndns_writer_question(owndns_msg_writer *w, const uint8_t *qname, uint16_t qtype,
			   uint16_t qclass)
{
	msg_writer_mark mark;
	size_t name_len;

	if (w->section != OWNDNS_SECTION_QUESTION || w->hdr.count[OWNDNS_SECTION_ANSWER])
		return OWNDNS_ESTATE;
	int rc = checked_name_length(qname, OWNDNS_NAME_MAX, &name_len);
	if (rc)
		return rc;
	set_mark(w, &mark);
	write_name_compressed(w, qname, name_len);
	owndns_wbuf_u16(&w->buf, qtype);
	owndns_wbuf_u16(&w->buf, qclass);
	if (w->buf.error) {
		rollback(w, &mark);
		return OWNDNS_ETRUNCATED_MSG;
	}
	w->hdr.count[OWNDNS_SECTION_QUESTION]++;
	return OWNDNS_OK;
}

int owndns_writer_rr(owndns_msg_writer *w, owndns_section section, const owndns_rr *rr)
{
	msg_writer_mark mark;
	size_t owner_len;

	int rc = msg_writer_rr_begin(w, section, rr->type, &mark);
	if (rc)
		return rc;
	rc = checked_name_length(rr->owner, OWNDNS_NAME_MAX, &owner_len);
	if (!rc) {
		write_name_compressed(w, rr->owner, owner_len);
		owndns_wbuf_u16(&w->buf, rr->type);
		owndns_wbuf_u16(&w->buf, rr->rclass);
		owndns_wbuf_u32(&w->buf, rr->ttl);
		size_t rdlen_at = w->buf.len;
		owndns_wbuf_u16(&w->buf, 0);
		rc = write_rdata(w, rr->type, rr->rdata, rr->rdlen);
		owndns_wbuf_put_u16_at(&w->buf, rdlen_at,
				       (uint16_t)(w->buf.len - rdlen_at - 2));
	}
	return msg_writer_rr_end(w, section, rr->type, &mark, rc);
}
