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

/* A DNAME of an answering rank cached at a strict ancestor of `name` (RFC 6672 §2.3:
 * it redirects every name below its owner) into v.  The root is not tried. */
static bool find_dname(cache *c, const reply_query *q, const uint8_t *name, uint32_t now,
		       unsigned lookup, cache_view *v, uint8_t *storage, size_t cap)
{
	if (!cache_holds_dnames(c))
		return false;
	const uint8_t *p = owndns_name_parent(name);
	for (; p && p[0] != 0; p = owndns_name_parent(p)) {
		cache_view_init(v, storage, cap);
		if (cache_lookup(c, p, OWNDNS_TYPE_DNAME, q->qclass, now,
				 lookup | CACHE_LOOKUP_NO_CNAME, v) == OWNDNS_OK &&
		    v->kind == CACHE_KIND_POSITIVE && cache_rank_answers(v->rank))
			return true;
	}
	return false;
}

/* RFC 6672 §2.2: the labels of `name` below the DNAME's owner, then its target. */
static int dname_substitute(const uint8_t *name, const cache_view *dname, uint8_t *out)
{
	size_t pos = 0, target_len;
	owndns_rr rr;
	if (!cache_records_next(dname->records, dname->records_len, &pos, &rr) ||
	    owndns_name_check(rr.rdata, rr.rdlen, &target_len))
		return OWNDNS_EINVAL;
	size_t prefix = owndns_name_length(name) - owndns_name_length(dname->owner);
	if (prefix + target_len > OWNDNS_NAME_MAX)
		return OWNDNS_ESPACE; /* YXDOMAIN: the upstream says so */
	memcpy(out, name, prefix);
	memcpy(out + prefix, rr.rdata, target_len);
	return OWNDNS_OK;
}

/* The CNAME synthesised from a DNAME (RFC 6672 §3.1: the DNAME's TTL). */
static int append_synthesised(reply *r, chain_state *st, const cache_view *dname,
			      const uint8_t *owner, const uint8_t *target)
{
	if (st->truncated)
		return OWNDNS_OK;
	owndns_rr rr;
	memset(&rr, 0, sizeof(rr));
	rr.owner = owner;
	rr.type = OWNDNS_TYPE_CNAME;
	rr.rclass = r->q->qclass;
	rr.ttl = dname->ttl;
	rr.rdlen = (uint16_t)owndns_name_length(target);
	rr.rdata = target;
	owndns_msg_writer before = r->w;
	int rc = owndns_writer_rr(&r->w, OWNDNS_SECTION_ANSWER, &rr);
	if (rc == OWNDNS_ETRUNCATED_MSG) {
		r->w = before;
		st->truncated = true;
		return OWNDNS_OK;
	}
	return rc;
}

/* A CNAME at st->name that a cached DNAME above it explains gets the DNAME before it
 * (RFC 6672 §3.3), as the upstream's own answer had it. */
static int append_explaining_dname(reply *r, chain_state *st, cache *c, uint32_t now,
				   unsigned lookup, const cache_view *cname)
{
	uint8_t storage[1024], synthesised[OWNDNS_NAME_MAX], target[OWNDNS_NAME_MAX];
	cache_view d;
	size_t pos = 0, len;
	owndns_rr rr;

	if (!find_dname(c, r->q, st->name, now, lookup, &d, storage, sizeof(storage)) ||
	    dname_substitute(st->name, &d, synthesised) ||
	    !cache_records_next(cname->records, cname->records_len, &pos, &rr) ||
	    owndns_name_check(rr.rdata, rr.rdlen, &len))
		return OWNDNS_OK;
	memcpy(target, rr.rdata, len);
	if (!owndns_name_equal(target, synthesised))
		return OWNDNS_OK;
	st->stale |= d.stale;
	return append(r, st, &d, OWNDNS_SECTION_ANSWER, NULL);
}

/* A name with nothing cached, below a cached DNAME: the DNAME and the CNAME it
 * synthesises, and st->name moves to the new name (Unbound answers the same way from
 * its cache).  ENOTFOUND when no DNAME applies. */
static int synthesise_from_dname(reply *r, chain_state *st, cache *c, uint32_t now,
				 unsigned lookup)
{
	uint8_t storage[1024], next[OWNDNS_NAME_MAX];
	cache_view d;

	if (!find_dname(c, r->q, st->name, now, lookup, &d, storage, sizeof(storage)) ||
	    dname_substitute(st->name, &d, next))
		return OWNDNS_ENOTFOUND;
	st->stale |= d.stale;
	int rc = append(r, st, &d, OWNDNS_SECTION_ANSWER, NULL);
	if (rc == OWNDNS_OK)
		rc = append_synthesised(r, st, &d, st->first ? r->q->qname : st->name, next);
	if (rc)
		return rc;
	memcpy(st->name, next, owndns_name_length(next));
	st->first = false;
	return OWNDNS_OK;
}

/* The end of a chain answered: TC and EDE as it needs. */
static int finish_chain(reply *r, const chain_state *st)
{
	if (st->truncated)
		owndns_header_set_flag(&r->hdr, OWNDNS_FLAG_TC, true);
	if (st->stale && r->with_opt)
		owndns_edns_add_ede(&r->opt, FORWARD_EDE_STALE_ANSWER, NULL, 0);
	return OWNDNS_OK;
}

/* Writes the whole chain; ENOTFOUND when some step is not in the cache. */
static int write_chain(reply *r, cache *c, uint32_t now, unsigned flags)
{
	const reply_query *q = r->q;
	uint8_t storage[CACHE_ANSWER_STORAGE];
	chain_state st;
	cache_view v;
	/* RRsets must come from an answer section; negative entries carry the rank of
	 * the authority section their SOA came from. */
	unsigned lookup = CACHE_LOOKUP_ANSWERS |
			  (flags & FORWARD_CACHE_STALE ? CACHE_LOOKUP_STALE : 0);
	/* RFC 4035 §3.2.1: a DO client gets the RRSIGs (and denial proofs), so data
	 * fetched without DO cannot answer it. */
	if (q->has_edns && q->dnssec_ok)
		lookup |= CACHE_LOOKUP_DNSSEC;

	memset(&st, 0, sizeof(st));
	memcpy(st.name, q->qname, owndns_name_length(q->qname));
	st.first = true;
	for (unsigned step = 0; step <= FORWARD_CHAIN_MAX; step++) {
		cache_view_init(&v, storage, sizeof(storage));
		int rc = cache_lookup(c, st.name, q->qtype, q->qclass, now, lookup, &v);
		if (rc == OWNDNS_ENOTFOUND) {
			rc = synthesise_from_dname(r, &st, c, now, lookup);
			if (rc)
				return rc;
			if (q->qtype == OWNDNS_TYPE_CNAME)
				return finish_chain(r, &st);
			continue;
		}
		if (rc)
			return OWNDNS_ENOTFOUND; /* too large for a quick answer */
		if ((v.kind == CACHE_KIND_POSITIVE || v.kind == CACHE_KIND_CNAME) &&
		    !cache_rank_answers(v.rank))
			return OWNDNS_ENOTFOUND;
		st.stale |= v.stale;
		const uint8_t *owner = st.first ? q->qname : st.name;
		if (v.kind == CACHE_KIND_CNAME ||
		    (v.kind == CACHE_KIND_POSITIVE && q->qtype == OWNDNS_TYPE_CNAME)) {
			rc = append_explaining_dname(r, &st, c, now, lookup, &v);
			if (rc)
				return rc;
		}
		switch (v.kind) {
		case CACHE_KIND_POSITIVE:
			if (cache_rotates_rrsets(c) && v.record_count > 1)
				v.first_record = (uint16_t)(q->id % v.record_count);
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
		return finish_chain(r, &st);
	}
	return OWNDNS_ENOTFOUND; /* a chain longer than we follow: let upstream answer */
}

int forward_cache_answer(cache *c, const reply_query *q, uint16_t udp_max, uint32_t now,
			 unsigned flags, uint8_t *out, size_t cap, size_t *len)
{
	reply r;
	if (!c)
		return OWNDNS_ENOTFOUND;
	reply_init(&r, q, udp_max, true, out, cap);
	if (reply_begin(&r))
		return OWNDNS_ENOTFOUND;
	/* Room for an EDE "Stale Answer", which is only known to be needed later. */
	if ((flags & FORWARD_CACHE_STALE) && r.with_opt &&
	    owndns_writer_reserve(&r.w, OWNDNS_EDNS_OPTION_HEADER + 2))
		return OWNDNS_ENOTFOUND;
	int rc = write_chain(&r, c, now, flags);
	if (rc)
		return rc;
	*len = reply_finish(&r);
	return *len ? OWNDNS_OK : OWNDNS_ENOTFOUND;
}
