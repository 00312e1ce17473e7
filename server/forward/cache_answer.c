/* Answers from the cache (forward.h, forward_cache_answer). */
#include "forward.h"

#include <string.h>

#include <owndns/rdata.h>

/* Nearly every RRset fits; a larger one is a miss and goes upstream. */
#define CACHE_ANSWER_STORAGE 16384

typedef struct chain_state {
	uint8_t name[OWNDNS_NAME_MAX]; /* the name looked up now */
	bool first;                    /* name is the question's */
	bool stale;
	bool truncated;
} chain_state;

/* Appends the view to `section`, or marks the reply truncated. */
static int append(reply *r, chain_state *st, const cache_view *v, owndns_section section,
		  const uint8_t *owner)
{
	if (st->truncated)
		return OWNDNS_OK;
	unsigned flags = r->q->dnssec_ok ? CACHE_APPEND_SIGS : 0;
	int rc = cache_view_append(v, &r->w, section, owner, flags);
	if (rc == OWNDNS_ETRUNCATED_MSG) {
		st->truncated = true;
		return OWNDNS_OK;
	}
	return rc;
}

/* The CNAME's target (the first record's RDATA) into st->name. */
static int follow_cname(chain_state *st, const cache_view *v)
{
	size_t pos = 0, len;
	owndns_rr rr;
	if (!cache_records_next(v->records, v->records_len, &pos, &rr) ||
	    owndns_name_check(rr.rdata, rr.rdlen, &len))
		return OWNDNS_EINVAL;
	memcpy(st->name, rr.rdata, len);
	return OWNDNS_OK;
}

/* Writes the whole chain; ENOTFOUND when some step is not in the cache. */
static int write_chain(reply *r, cache *c, uint32_t now, bool stale)
{
	const reply_query *q = r->q;
	uint8_t storage[CACHE_ANSWER_STORAGE];
	chain_state st;
	cache_view v;

	memset(&st, 0, sizeof(st));
	memcpy(st.name, q->qname, owndns_name_length(q->qname));
	st.first = true;
	for (unsigned step = 0; step <= FORWARD_CHAIN_MAX; step++) {
		cache_view_init(&v, storage, sizeof(storage));
		/* RRsets must come from an answer section; negative entries carry the rank
		 * of the authority section their SOA came from. */
		unsigned flags = CACHE_LOOKUP_ANSWERS | (stale ? CACHE_LOOKUP_STALE : 0);
		int rc = cache_lookup(c, st.name, q->qtype, q->qclass, now, flags, &v);
		if (rc)
			return OWNDNS_ENOTFOUND; /* a miss, or too large for a quick answer */
		if ((v.kind == CACHE_KIND_POSITIVE || v.kind == CACHE_KIND_CNAME) &&
		    !cache_rank_answers(v.rank))
			return OWNDNS_ENOTFOUND;
		st.stale |= v.stale;
		const uint8_t *owner = st.first ? q->qname : st.name;
		switch (v.kind) {
		case CACHE_KIND_POSITIVE:
			rc = append(r, &st, &v, OWNDNS_SECTION_ANSWER, owner);
			break;
		case CACHE_KIND_CNAME:
			rc = append(r, &st, &v, OWNDNS_SECTION_ANSWER, owner);
			if (rc == OWNDNS_OK)
				rc = follow_cname(&st, &v);
			if (rc)
				return rc;
			st.first = false;
			continue;
		case CACHE_KIND_NXDOMAIN:
			/* RFC 6604 §3: the rcode tells about the chain's last name. */
			reply_set_rcode(r, OWNDNS_RCODE_NXDOMAIN);
			/* fall through */
		case CACHE_KIND_NODATA:
			rc = append(r, &st, &v, OWNDNS_SECTION_AUTHORITY, NULL);
			break;
		default:
			return OWNDNS_ENOTFOUND;
		}
		if (rc)
			return rc;
		if (st.truncated)
			owndns_header_set_flag(&r->hdr, OWNDNS_FLAG_TC, true);
		if (st.stale && r->with_opt)
			owndns_edns_add_ede(&r->opt, FORWARD_EDE_STALE_ANSWER, NULL, 0);
		return OWNDNS_OK;
	}
	return OWNDNS_ENOTFOUND; /* a chain longer than we follow: let upstream answer */
}

int forward_cache_answer(cache *c, const reply_query *q, uint16_t udp_max, uint32_t now,
			 bool stale, uint8_t *out, size_t cap, size_t *len)
{
	reply r;
	if (!c)
		return OWNDNS_ENOTFOUND;
	reply_init(&r, q, udp_max, true, out, cap);
	if (reply_begin(&r))
		return OWNDNS_ENOTFOUND;
	/* Room for an EDE "Stale Answer", which is only known to be needed later. */
	if (stale && r.with_opt &&
	    owndns_writer_reserve(&r.w, OWNDNS_EDNS_OPTION_HEADER + 2))
		return OWNDNS_ENOTFOUND;
	int rc = write_chain(&r, c, now, stale);
	if (rc)
		return rc;
	*len = reply_finish(&r);
	return *len ? OWNDNS_OK : OWNDNS_ENOTFOUND;
}
