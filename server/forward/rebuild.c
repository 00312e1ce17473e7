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
	owndns_msg_writer before;
} rrset_mark;

static bool same_rrset(const rrset_mark *m, const owndns_rr_view *v)
{
	return m->open && m->type == v->type && m->rclass == v->rclass &&
	       owndns_name_equal(m->owner, v->owner);
}

static void open_rrset(rrset_mark *m, const owndns_rr_view *v, const owndns_msg_writer *w)
{
	m->open = true;
	memcpy(m->owner, v->owner, v->owner_len);
	m->type = v->type;
	m->rclass = v->rclass;
	m->skipping = false;
	m->before = *w;
}

enum copy_result { COPY_OK, COPY_TRUNCATED, COPY_FAILED };

/* The TTL the cache will give the record (forward.h). */
static uint32_t clamped_ttl(const owndns_rr *rr, owndns_section section,
			    const forward_ttl_limits *limits)
{
	uint32_t ttl = rr->ttl > 0x7fffffffu ? 0 : rr->ttl; /* RFC 2181 §8 */
	if (section == OWNDNS_SECTION_AUTHORITY && rr->type == OWNDNS_TYPE_SOA &&
	    rr->rdlen >= 4) {
		/* RFC 2308 §3: the negative answer lives min(TTL, MINIMUM). */
		const uint8_t *mp = rr->rdata + rr->rdlen - 4;
		uint32_t minimum = ((uint32_t)mp[0] << 24) | ((uint32_t)mp[1] << 16) |
				   ((uint32_t)mp[2] << 8) | mp[3];
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
				     const forward_ttl_limits *limits, uint8_t *storage,
				     size_t cap)
{
	owndns_rr_iter it;
	owndns_rr_view v;
	rrset_mark mark;
	mark.open = false;

	owndns_rr_iter_init(&it, m, section);
	while (owndns_rr_iter_next(&it, &v) > 0) {
		if (v.type == OWNDNS_TYPE_OPT || v.type == OWNDNS_TYPE_TSIG)
			continue;
		if (!same_rrset(&mark, &v))
			open_rrset(&mark, &v, &r->w);
		else if (mark.skipping)
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

static size_t rebuild_into(reply *r, const owndns_msg *m, const forward_ttl_limits *limits,
			   uint8_t *storage, size_t cap)
{
	static const owndns_section sections[] = {
		OWNDNS_SECTION_ANSWER, OWNDNS_SECTION_AUTHORITY, OWNDNS_SECTION_ADDITIONAL
	};
	unsigned rcode = owndns_msg_rcode(m);

	if (rcode > 0xfu && !r->with_opt)
		return reply_error(r, OWNDNS_RCODE_SERVFAIL);
	reply_set_rcode(r, rcode);
	if (reply_begin(r))
		return 0;
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		enum copy_result res = copy_section(r, m, sections[i], limits, storage, cap);
		if (res == COPY_FAILED)
			return reply_error(r, OWNDNS_RCODE_SERVFAIL);
		if (res == COPY_TRUNCATED) {
			owndns_header_set_flag(&r->hdr, OWNDNS_FLAG_TC, true);
			break;
		}
	}
	return reply_finish(r);
}

size_t forward_rebuild(const reply_query *q, const owndns_msg *m, uint16_t udp_max,
		       const forward_ttl_limits *limits, uint8_t *out, size_t cap)
{
	reply r;
	size_t storage_cap = OWNDNS_NAME_MAX + OWNDNS_RDATA_MAX;
	uint8_t *storage = malloc(storage_cap);

	reply_init(&r, q, udp_max, true, out, cap);
	if (!storage)
		return reply_error(&r, OWNDNS_RCODE_SERVFAIL);
	size_t len = rebuild_into(&r, m, limits, storage, storage_cap);
	free(storage);
	return len;
}
