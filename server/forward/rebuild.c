/* An upstream response rebuilt for one client (forward.h, forward_rebuild). */
#include "forward.h"

#include <stdlib.h>
#include <string.h>

#include <owndns/rdata.h>

/* Where the current RRset started, to take it back whole when it does not fit. */
typedef struct rrset_mark {
	bool open;
	uint8_t owner[OWNDNS_NAME_MAX];
	uint16_t type;
	uint16_t rclass;
	bool skipping; /* an additional RRset that did not fit: drop its other records */
	owndns_rr_iter first; /* reads the RRset again from its first record */
	unsigned seen;        /* records of the RRset read so far */
	owndns_msg_writer before;
} rrset_mark;

static bool same_rrset(const rrset_mark *m, const owndns_rr_view *v)
{
	return m->open && m->type == v->type && m->rclass == v->rclass &&
	       owndns_name_equal(m->owner, v->owner);
}

static void open_rrset(rrset_mark *m, const owndns_rr_view *v, const owndns_rr_iter *at,
		       const owndns_msg_writer *w)
{
	m->open = true;
	m->first = *at;
	m->seen = 0;
	memcpy(m->owner, v->owner, v->owner_len);
	m->type = v->type;
	m->rclass = v->rclass;
	m->skipping = false;
	m->before = *w;
}

/* Records of an RRset checked against the earlier ones: the check reads the RRset
 * again for each record, and an RRset of thousands (a 64 KiB TCP answer) must not cost
 * millions of name reads. */
#define DUPLICATE_CHECK_MAX 64

/* RFC 2181 §5: "servers should suppress such duplicates if encountered" (the cache
 * drops them too, so a first answer and a cached one agree).  An earlier record of the
 * open RRset with the same RDATA octets: the same pointers mean the same names, so
 * equal octets are equal records (different compression of equal names is missed, as
 * cache_records_encode misses names differing in case). */
static bool repeats_earlier(const owndns_msg *m, rrset_mark *mark, const owndns_rr_view *v)
{
	if (++mark->seen > DUPLICATE_CHECK_MAX)
		return false;
	owndns_rr_iter it = mark->first;
	owndns_rr_view e;
	while (owndns_rr_iter_next(&it, &e) > 0 && e.rr_pos < v->rr_pos)
		if (e.rdlen == v->rdlen && same_rrset(mark, &e) &&
		    memcmp(m->pkt + e.rdata_pos, m->pkt + v->rdata_pos, v->rdlen) == 0)
			return true;
	return false;
}

enum copy_result { COPY_OK, COPY_TRUNCATED, COPY_FAILED };

/* The names of the answer chain inside the target's zone (forward.h). */
typedef struct answer_chain {
	uint8_t names[FORWARD_CHAIN_MAX + 1][OWNDNS_NAME_MAX];
	unsigned count;
	bool leaves;                    /* a CNAME points outside the zone */
	bool ended;                     /* the last name has neither the type nor a CNAME */
	uint8_t target[OWNDNS_NAME_MAX]; /* that CNAME's target */
} answer_chain;

/* The first answer record at `owner` of `type`; a CNAME's target goes to `target`. */
static bool find_answer(const owndns_msg *m, const uint8_t *owner, uint16_t type,
			uint8_t *target)
{
	owndns_rr_iter it;
	owndns_rr_view v;
	owndns_rr_iter_init(&it, m, OWNDNS_SECTION_ANSWER);
	while (owndns_rr_iter_next(&it, &v) > 0) {
		if (v.type != type || !owndns_name_equal(v.owner, owner))
			continue;
		if (!target)
			return true;
		size_t pos = v.rdata_pos, len;
		return owndns_name_unpack(m->pkt, v.rdata_pos + v.rdlen, &pos, target, &len) ==
		       OWNDNS_OK;
	}
	return false;
}

static void walk_chain(const owndns_msg *m, const uint8_t *qname, uint16_t qtype,
		       const uint8_t *domain, answer_chain *c)
{
	uint8_t name[OWNDNS_NAME_MAX];

	memset(c, 0, sizeof(*c));
	memcpy(name, qname, owndns_name_length(qname));
	while (c->count <= FORWARD_CHAIN_MAX) {
		if (!owndns_name_is_subdomain(name, domain)) {
			c->leaves = true;
			memcpy(c->target, name, owndns_name_length(name));
			owndns_name_to_lower(c->target);
			return;
		}
		memcpy(c->names[c->count++], name, owndns_name_length(name));
		/* A CNAME answers a question of type CNAME or ANY itself: nothing to follow,
		 * as Unbound does. */
		if (qtype == OWNDNS_TYPE_CNAME || qtype == OWNDNS_TYPE_ANY ||
		    find_answer(m, name, qtype, NULL))
			return;
		if (!find_answer(m, name, OWNDNS_TYPE_CNAME, name)) {
			c->ended = true;
			return;
		}
	}
}

/* An SOA in the authority section at or above `name`: the response says something
 * negative about it (RFC 2308 §2). */
static bool negative_proof(const owndns_msg *m, const uint8_t *name)
{
	owndns_rr_iter it;
	owndns_rr_view v;
	owndns_rr_iter_init(&it, m, OWNDNS_SECTION_AUTHORITY);
	while (owndns_rr_iter_next(&it, &v) > 0)
		if (v.type == OWNDNS_TYPE_SOA && owndns_name_is_subdomain(name, v.owner))
			return true;
	return false;
}

bool forward_chain_next(const owndns_msg *m, const uint8_t *qname, uint16_t qtype,
			const uint8_t *domain, uint8_t *next)
{
	answer_chain c;
	walk_chain(m, qname, qtype, domain, &c);
	if (c.leaves) {
		memcpy(next, c.target, owndns_name_length(c.target));
		return true;
	}
	/* (ANY never ends a chain: walk_chain stops at its first name.) */
	const uint8_t *last = c.names[c.count - 1];
	if (!c.ended || c.count < 2 || owndns_msg_rcode(m) != OWNDNS_RCODE_NOERROR ||
	    negative_proof(m, last))
		return false;
	memcpy(next, last, owndns_name_length(last));
	owndns_name_to_lower(next);
	return true;
}

bool forward_chain_leaves(const owndns_msg *m, const uint8_t *qname, uint16_t qtype,
			  const uint8_t *domain, uint8_t *target)
{
	answer_chain c;
	walk_chain(m, qname, qtype, domain, &c);
	if (c.leaves)
		memcpy(target, c.target, owndns_name_length(c.target));
	return c.leaves;
}

/* What the upstream may tell this client: answer records of the chain, DNAMEs inside
 * the zone (they explain a synthesised CNAME), the rest only inside the zone. */
static bool may_pass(const answer_chain *c, const uint8_t *domain, owndns_section section,
		     const owndns_rr_view *v)
{
	if (!owndns_name_is_subdomain(v->owner, domain))
		return false;
	if (section != OWNDNS_SECTION_ANSWER || v->type == OWNDNS_TYPE_DNAME ||
	    v->type == OWNDNS_TYPE_RRSIG)
		return true;
	for (unsigned i = 0; i < c->count; i++)
		if (owndns_name_equal(c->names[i], v->owner))
			return true;
	return false;
}

/* The TTL the cache will give the record (forward.h). */
static uint32_t clamped_ttl(const owndns_rr *rr, owndns_section section,
			    const forward_ttl_limits *limits)
{
	uint32_t ttl = cache_sane_ttl(rr->ttl);
	if (section == OWNDNS_SECTION_AUTHORITY && rr->type == OWNDNS_TYPE_SOA &&
	    rr->rdlen >= 4) {
		/* RFC 2308 §3: the negative answer lives min(TTL, MINIMUM). */
		owndns_rbuf mp = owndns_rbuf_init(rr->rdata + rr->rdlen - 4, 4);
		uint32_t minimum = cache_sane_ttl(owndns_rbuf_u32(&mp));
		if (minimum < ttl)
			ttl = minimum;
		if (limits && limits->max_ttl && ttl > limits->max_negative_ttl)
			ttl = limits->max_negative_ttl;
		return ttl;
	}
	if (!limits || !limits->max_ttl)
		return ttl;
	if (ttl < limits->min_ttl)
		ttl = limits->min_ttl;
	return ttl > limits->max_ttl ? limits->max_ttl : ttl;
}

/* Copies one section; storage holds one decompressed record. */
static enum copy_result copy_section(reply *r, const owndns_msg *m, owndns_section section,
				     const answer_chain *chain, const uint8_t *domain,
				     const forward_ttl_limits *limits, uint8_t *storage,
				     size_t cap)
{
	owndns_rr_iter it;
	owndns_rr_view v;
	rrset_mark mark;
	mark.open = false;

	owndns_rr_iter_init(&it, m, section);
	for (;;) {
		owndns_rr_iter at = it;
		if (owndns_rr_iter_next(&it, &v) <= 0)
			break;
		if (v.type == OWNDNS_TYPE_OPT || v.type == OWNDNS_TYPE_TSIG ||
		    !may_pass(chain, domain, section, &v))
			continue;
		if (!same_rrset(&mark, &v))
			open_rrset(&mark, &v, &at, &r->w);
		else if (mark.skipping || repeats_earlier(m, &mark, &v))
			continue;
		owndns_rr rr;
		if (owndns_rr_view_to_rr(m, &v, storage, cap, &rr))
			return COPY_FAILED;
		rr.ttl = clamped_ttl(&rr, section, limits);
		/* 0x20-style clients compare the case of what comes back. */
		if (owndns_name_equal(rr.owner, r->q->qname))
			rr.owner = r->q->qname;
		int rc = owndns_writer_rr(&r->w, section, &rr);
		if (rc == OWNDNS_OK)
			continue;
		if (rc != OWNDNS_ETRUNCATED_MSG)
			return COPY_FAILED;
		r->w = mark.before;
		if (section != OWNDNS_SECTION_ADDITIONAL)
			return COPY_TRUNCATED;
		mark.skipping = true;
	}
	return COPY_OK;
}

/* The answer records of one piece of a chased chain: those along its own chain. */
static enum copy_result copy_piece(reply *r, const forward_piece *p,
				   const forward_ttl_limits *limits, uint8_t *storage, size_t cap)
{
	answer_chain chain;
	walk_chain(p->m, p->qname, r->q->qtype, p->domain, &chain);
	return copy_section(r, p->m, OWNDNS_SECTION_ANSWER, &chain, p->domain, limits, storage,
			    cap);
}

static size_t rebuild_into(reply *r, const forward_piece *pieces, size_t count,
			   const forward_ttl_limits *limits, uint8_t *storage, size_t cap)
{
	static const owndns_section sections[] = {
		OWNDNS_SECTION_ANSWER, OWNDNS_SECTION_AUTHORITY, OWNDNS_SECTION_ADDITIONAL
	};
	const forward_piece *last = &pieces[count - 1];
	unsigned rcode = owndns_msg_rcode(last->m);
	answer_chain chain;

	walk_chain(last->m, last->qname, r->q->qtype, last->domain, &chain);
	if (chain.leaves)
		rcode = OWNDNS_RCODE_NOERROR;
	if (rcode > 0xfu && !r->with_opt)
		return reply_error(r, OWNDNS_RCODE_SERVFAIL);
	reply_set_rcode(r, rcode);
	if (reply_begin(r))
		return 0;
	enum copy_result res = COPY_OK;
	for (size_t i = 0; i + 1 < count && res == COPY_OK; i++)
		res = copy_piece(r, &pieces[i], limits, storage, cap);
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]) && res == COPY_OK; i++)
		res = copy_section(r, last->m, sections[i], &chain, last->domain, limits, storage,
				   cap);
	if (res == COPY_FAILED)
		return reply_error(r, OWNDNS_RCODE_SERVFAIL);
	if (res == COPY_TRUNCATED)
		owndns_header_set_flag(&r->hdr, OWNDNS_FLAG_TC, true);
	return reply_finish(r);
}

size_t forward_rebuild_chain(const reply_query *q, const forward_piece *pieces, size_t count,
			     uint16_t udp_max, const forward_ttl_limits *limits, uint8_t *out,
			     size_t cap)
{
	reply r;
	size_t storage_cap = OWNDNS_NAME_MAX + OWNDNS_RDATA_MAX;
	uint8_t *storage = count ? malloc(storage_cap) : NULL;

	reply_init(&r, q, udp_max, true, out, cap);
	if (!storage)
		return reply_error(&r, OWNDNS_RCODE_SERVFAIL);
	size_t len = rebuild_into(&r, pieces, count, limits, storage, storage_cap);
	free(storage);
	return len;
}

size_t forward_rebuild(const reply_query *q, const owndns_msg *m, const uint8_t *domain,
		       uint16_t udp_max, const forward_ttl_limits *limits, uint8_t *out,
		       size_t cap)
{
	forward_piece piece = { m, q->qname, domain };
	return forward_rebuild_chain(q, &piece, 1, udp_max, limits, out, cap);
}
