/* An upstream response into the cache (forward.h, forward_store). */
#include "forward.h"

#include <stdlib.h>
#include <string.h>

#include <owndns/edns.h>
#include <owndns/rdata.h>

#define ARENA_CHUNK 16384
/* The smallest record: a root owner (1 octet), TYPE, CLASS, TTL, RDLENGTH. */
#define RECORD_MIN_SIZE 11u
/* RRsets of the authority and additional sections stored from one response: they never
 * answer, so a response with thousands of them is not worth the work. */
#define STORE_EXTRAS_MAX 64
/* The common response is small: its records, their RRset buffers, the arena's first
 * chunk and the scratch a record is decompressed into live on the stack (about 12 KiB
 * in all), and only a larger response takes memory from the heap.  A heap round trip
 * of the 64 KiB scratch per response made glibc trim and refault the thread's heap on
 * every cache miss. */
#define STACK_RECORDS 32
#define STACK_ARENA 4096
#define STACK_SCRATCH 4096

/* Decompressed records live in chunks freed together at the end (one arena per
 * response, DESIGN.md "Request pipeline"). */
typedef struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	bool on_stack; /* the caller's first chunk: not freed */
	uint8_t data[];
} arena_chunk;

typedef struct stored_rr {
	owndns_rr rr;
	owndns_section section;
	bool used; /* taken into an RRset already */
} stored_rr;

typedef struct response_records {
	stored_rr *rrs;
	size_t count, cap;
	bool rrs_on_stack;
	arena_chunk *arena;
	uint8_t *big_scratch;  /* OWNDNS_NAME_MAX + OWNDNS_RDATA_MAX, taken when needed */
	cache_rank answer_rank, authority_rank;
	const uint8_t *domain; /* the forwarding target's zone: nothing outside is kept */
	bool dnssec_ok;        /* the response has DO: the query had it (RFC 3225 §3) */
} response_records;

static uint8_t *arena_alloc(arena_chunk **head, size_t n)
{
	arena_chunk *c = *head;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = *head;
		c->used = 0;
		c->cap = cap;
		c->on_stack = false;
		*head = c;
	}
	uint8_t *p = c->data + c->used;
	c->used += n;
	return p;
}

static void arena_free(arena_chunk *c)
{
	while (c) {
		arena_chunk *next = c->next;
		if (!c->on_stack)
			free(c);
		c = next;
	}
}

/* Decompresses one record into the small scratch, or when it does not fit (or is
 * bad: the large scratch gives the error) into the large one. */
static int record_to_rr(response_records *r, const owndns_msg *m, const owndns_rr_view *v,
			uint8_t *scratch, owndns_rr *rr)
{
	if (owndns_rr_view_to_rr(m, v, scratch, STACK_SCRATCH, rr) == OWNDNS_OK)
		return OWNDNS_OK;
	if (!r->big_scratch) {
		r->big_scratch = malloc(OWNDNS_NAME_MAX + OWNDNS_RDATA_MAX);
		if (!r->big_scratch)
			return OWNDNS_ENOMEM;
	}
	return owndns_rr_view_to_rr(m, v, r->big_scratch, OWNDNS_NAME_MAX + OWNDNS_RDATA_MAX, rr);
}

/* Copies one record out of the packet into the arena. */
static int keep_record(response_records *r, const owndns_msg *m, const owndns_rr_view *v,
		       uint8_t *scratch)
{
	owndns_rr rr;
	int rc = record_to_rr(r, m, v, scratch, &rr);
	if (rc)
		return rc;
	size_t owner_len = owndns_name_length(rr.owner);
	uint8_t *p = arena_alloc(&r->arena, owner_len + rr.rdlen);
	if (!p)
		return OWNDNS_ENOMEM;
	memcpy(p, rr.owner, owner_len);
	memcpy(p + owner_len, rr.rdata, rr.rdlen);
	rr.owner = p;
	rr.rdata = p + owner_len;
	stored_rr *s = &r->rrs[r->count++];
	s->rr = rr;
	s->section = v->section;
	s->used = false;
	return OWNDNS_OK;
}

/* Room for every record of the response: a cut RRset must never be cached as if it
 * were whole (a 64 KiB TCP answer holds thousands of records). */
static size_t records_in(const owndns_msg *m)
{
	size_t n = (size_t)m->hdr.count[OWNDNS_SECTION_ANSWER] +
		   m->hdr.count[OWNDNS_SECTION_AUTHORITY] +
		   m->hdr.count[OWNDNS_SECTION_ADDITIONAL];
	size_t fit = m->len / RECORD_MIN_SIZE + 1;
	return n < fit ? n : fit;
}

/* Reads every record of m into r; r->rrs is `stack_rrs` (STACK_RECORDS of them) when
 * they fit. */
static int read_records(response_records *r, const owndns_msg *m, stored_rr *stack_rrs)
{
	static const owndns_section sections[] = {
		OWNDNS_SECTION_ANSWER, OWNDNS_SECTION_AUTHORITY, OWNDNS_SECTION_ADDITIONAL
	};
	uint8_t scratch[STACK_SCRATCH];
	r->cap = records_in(m);
	if (r->cap <= STACK_RECORDS) {
		r->rrs = stack_rrs;
		r->rrs_on_stack = true;
	} else {
		r->rrs = calloc(r->cap, sizeof(*r->rrs));
		if (!r->rrs)
			return OWNDNS_ENOMEM;
	}
	int rc = OWNDNS_OK;
	for (size_t s = 0; s < 3 && rc == OWNDNS_OK; s++) {
		owndns_rr_iter it;
		owndns_rr_view v;
		int more;
		owndns_rr_iter_init(&it, m, sections[s]);
		while (rc == OWNDNS_OK && (more = owndns_rr_iter_next(&it, &v)) > 0) {
			if (v.type == OWNDNS_TYPE_OPT || v.type == OWNDNS_TYPE_TSIG)
				continue;
			rc = r->count < r->cap ? keep_record(r, m, &v, scratch) : OWNDNS_EINVAL;
		}
		if (rc == OWNDNS_OK && more < 0)
			rc = OWNDNS_EINVAL;
	}
	return rc;
}

static uint16_t rrsig_covered(const owndns_rr *sig)
{
	return sig->rdlen >= 2 ? (uint16_t)((sig->rdata[0] << 8) | sig->rdata[1]) : 0;
}

/* The records of `section` with this owner, type and class (or the RRSIGs covering
 * that type when sigs is set), pointers gathered into out[0..cap). */
static size_t gather(response_records *r, owndns_section section, const uint8_t *owner,
		     uint16_t type, uint16_t rclass, bool sigs, owndns_rr *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < r->count && n < cap; i++) {
		stored_rr *s = &r->rrs[i];
		if (s->section != section || s->rr.rclass != rclass ||
		    !owndns_name_equal(s->rr.owner, owner))
			continue;
		if (sigs ? (s->rr.type != OWNDNS_TYPE_RRSIG || rrsig_covered(&s->rr) != type)
			 : s->rr.type != type)
			continue;
		s->used = true;
		out[n++] = s->rr;
	}
	return n;
}

/* Room for one RRset and its signatures: as many as the response has records, in
 * stack_rrs/stack_sigs (STACK_RECORDS each) when they fit. */
typedef struct rrset_buf {
	owndns_rr *rrs;
	owndns_rr *sigs;
	size_t cap;
	bool on_stack;
} rrset_buf;

static int rrset_buf_init(rrset_buf *b, size_t cap, owndns_rr *stack_rrs, owndns_rr *stack_sigs)
{
	b->cap = cap ? cap : 1;
	if (b->cap <= STACK_RECORDS) {
		b->rrs = stack_rrs;
		b->sigs = stack_sigs;
		b->on_stack = true;
		return OWNDNS_OK;
	}
	b->rrs = calloc(b->cap, sizeof(*b->rrs));
	b->sigs = calloc(b->cap, sizeof(*b->sigs));
	return b->rrs && b->sigs ? OWNDNS_OK : OWNDNS_ENOMEM;
}

static void rrset_buf_free(rrset_buf *b)
{
	if (b->on_stack)
		return;
	free(b->rrs);
	free(b->sigs);
}

/* Inside the forwarding target's zone (RFC 5452 §6 calls the rule "bailiwick"): an
 * upstream for corp.example speaks for corp.example only. */
static bool in_domain(const response_records *r, const uint8_t *name)
{
	return owndns_name_is_subdomain(name, r->domain);
}

/* RRSIG RDATA: type covered (2), algorithm (1), labels (1). */
#define RRSIG_LABELS_AT 3

/* An RRSIG with fewer labels than its owner signs a wildcard expansion (RFC 4035
 * §5.3.4): a DO client must also get the NSEC/NSEC3 proof that no closer name exists
 * (§3.1.3.3), which is not cached with the RRset. */
static bool signs_wildcard_expansion(const owndns_rr *sigs, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (sigs[i].rdlen > RRSIG_LABELS_AT &&
		    sigs[i].rdata[RRSIG_LABELS_AT] < owndns_name_label_count(sigs[i].owner))
			return true;
	return false;
}

/* Stores the RRset (owner, type) of a section.  Returns 1 when stored, 0 when there is
 * no such RRset or the cache kept what it had, or an error. */
static int store_rrset(cache *c, response_records *r, rrset_buf *b, owndns_section section,
		       const uint8_t *owner, uint16_t type, uint16_t rclass, uint8_t rank,
		       uint32_t now)
{
	cache_rrset_in in;
	memset(&in, 0, sizeof(in));
	if (!in_domain(r, owner))
		return 0;
	in.rr_count = gather(r, section, owner, type, rclass, false, b->rrs, b->cap);
	if (in.rr_count == 0)
		return 0;
	in.sig_count = gather(r, section, owner, type, rclass, true, b->sigs, b->cap);
	in.rrs = b->rrs;
	in.sigs = b->sigs;
	in.rank = rank;
	/* A DO client gets the expansion from the upstream, with its proof. */
	in.dnssec_ok = r->dnssec_ok && !signs_wildcard_expansion(in.sigs, in.sig_count);
	int rc = cache_store_rrset(c, &in, now);
	if (rc == OWNDNS_OK)
		return 1;
	/* A malformed or oversized RRset is simply not cached. */
	return rc == OWNDNS_ENOMEM ? rc : 0;
}

/* The first record of `section` matching owner and type, or NULL. */
static const owndns_rr *find_record(const response_records *r, owndns_section section,
				    const uint8_t *owner, uint16_t type)
{
	for (size_t i = 0; i < r->count; i++) {
		const stored_rr *s = &r->rrs[i];
		if (s->section == section && s->rr.type == type &&
		    owndns_name_equal(s->rr.owner, owner))
			return &s->rr;
	}
	return NULL;
}

static bool is_denial(const owndns_rr *rr)
{
	uint16_t type = rr->type == OWNDNS_TYPE_RRSIG ? rrsig_covered(rr) : rr->type;
	return type == OWNDNS_TYPE_NSEC || type == OWNDNS_TYPE_NSEC3;
}

/* The NSEC/NSEC3 records of the authority section and their RRSIGs, in the zone of
 * `soa` (RFC 4035 §3.1.3: what a DO client needs to check the denial). */
static size_t gather_proof(response_records *r, const owndns_rr *soa, owndns_rr *out,
			   size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < r->count && n < cap; i++) {
		stored_rr *s = &r->rrs[i];
		if (s->section != OWNDNS_SECTION_AUTHORITY || s->rr.rclass != soa->rclass ||
		    !is_denial(&s->rr) || !owndns_name_is_subdomain(s->rr.owner, soa->owner) ||
		    !in_domain(r, s->rr.owner))
			continue;
		s->used = true;
		out[n++] = s->rr;
	}
	return n;
}

/* RFC 2308 §5: the negative answer for the chain's last name, when an SOA at or above
 * it proves it; both inside the target's zone. */
static int store_negative(cache *c, response_records *r, rrset_buf *b, const uint8_t *name,
			  uint16_t qtype, uint16_t qclass, bool nxdomain, uint32_t now)
{
	const owndns_rr *soa = NULL;
	if (!in_domain(r, name))
		return 0;
	for (size_t i = 0; i < r->count && !soa; i++) {
		const stored_rr *s = &r->rrs[i];
		if (s->section == OWNDNS_SECTION_AUTHORITY && s->rr.type == OWNDNS_TYPE_SOA &&
		    s->rr.rclass == qclass && owndns_name_is_subdomain(name, s->rr.owner) &&
		    in_domain(r, s->rr.owner))
			soa = &s->rr;
	}
	if (!soa)
		return 0;
	cache_negative_in in;
	memset(&in, 0, sizeof(in));
	in.name = name;
	in.type = qtype;
	in.rclass = qclass;
	in.nxdomain = nxdomain;
	in.soa = soa;
	in.sig_count = gather(r, OWNDNS_SECTION_AUTHORITY, soa->owner, OWNDNS_TYPE_SOA, qclass,
			      true, b->sigs, b->cap);
	in.sigs = b->sigs;
	in.proof_count = gather_proof(r, soa, b->rrs, b->cap);
	in.proof = b->rrs;
	in.dnssec_ok = r->dnssec_ok;
	in.rank = r->authority_rank;
	int rc = cache_store_negative(c, &in, now);
	if (rc == OWNDNS_OK)
		return 1;
	return rc == OWNDNS_ENOMEM ? rc : 0;
}

/* Authority NS at or above the chain's end, and additional addresses, inside the
 * target's zone (store_rrset checks); STORE_EXTRAS_MAX RRsets at most. */
static int store_extras(cache *c, response_records *r, rrset_buf *b, const uint8_t *name,
			uint16_t qclass, uint32_t now)
{
	int stored = 0;
	unsigned tried = 0;
	for (size_t i = 0; i < r->count && tried < STORE_EXTRAS_MAX; i++) {
		stored_rr *s = &r->rrs[i];
		if (s->used || s->rr.rclass != qclass || !in_domain(r, s->rr.owner))
			continue;
		tried++;
		int rc = 0;
		if (s->section == OWNDNS_SECTION_AUTHORITY && s->rr.type == OWNDNS_TYPE_NS &&
		    owndns_name_is_subdomain(name, s->rr.owner))
			rc = store_rrset(c, r, b, OWNDNS_SECTION_AUTHORITY, s->rr.owner,
					 OWNDNS_TYPE_NS, qclass, (uint8_t)r->authority_rank, now);
		else if (s->section == OWNDNS_SECTION_ADDITIONAL &&
			 (s->rr.type == OWNDNS_TYPE_A || s->rr.type == OWNDNS_TYPE_AAAA))
			rc = store_rrset(c, r, b, OWNDNS_SECTION_ADDITIONAL, s->rr.owner,
					 s->rr.type, qclass, CACHE_RANK_ADDITIONAL, now);
		if (rc < 0)
			return rc;
		stored += rc;
	}
	return stored;
}

static bool answers_question(const owndns_msg *m, const uint8_t *qname, uint16_t qtype,
			     uint16_t qclass)
{
	uint8_t name[OWNDNS_NAME_MAX];
	uint16_t t, cl;
	unsigned rcode = owndns_msg_rcode(m);

	if (!owndns_header_flag(&m->hdr, OWNDNS_FLAG_QR) ||
	    owndns_header_flag(&m->hdr, OWNDNS_FLAG_TC) ||
	    (rcode != OWNDNS_RCODE_NOERROR && rcode != OWNDNS_RCODE_NXDOMAIN) ||
	    m->hdr.count[OWNDNS_SECTION_QUESTION] != 1 ||
	    owndns_msg_question(m, 0, name, NULL, &t, &cl))
		return false;
	return t == qtype && cl == qclass && owndns_name_equal(name, qname);
}

/* RFC 6672 §3.3: the DNAMEs of the answer section above `name` explain its CNAME; kept
 * so that an answer from the cache carries them too (and synthesises from them). */
static int store_dnames_above(cache *c, response_records *r, rrset_buf *b,
			      const uint8_t *name, uint16_t qclass, uint32_t now)
{
	int stored = 0;
	for (size_t i = 0; i < r->count; i++) {
		stored_rr *s = &r->rrs[i];
		if (s->used || s->section != OWNDNS_SECTION_ANSWER ||
		    s->rr.type != OWNDNS_TYPE_DNAME || s->rr.rclass != qclass ||
		    !owndns_name_is_strict_subdomain(name, s->rr.owner))
			continue;
		int rc = store_rrset(c, r, b, OWNDNS_SECTION_ANSWER, s->rr.owner,
				     OWNDNS_TYPE_DNAME, qclass, (uint8_t)r->answer_rank, now);
		if (rc < 0)
			return rc;
		stored += rc;
	}
	return stored;
}

/* Walks the CNAME chain from qname through the answer section, storing each step; the
 * chain's last name goes to `last`.  The walk stops at the first name outside the
 * target's zone: what the upstream says about it is not its to say (the name then is
 * `last`, and nothing is stored for it).  Returns entries stored (and *found when the
 * asked type was there) or an error. */
static int store_chain(cache *c, response_records *r, rrset_buf *b, const uint8_t *qname,
		       uint16_t qtype, uint16_t qclass, uint32_t now, uint8_t *last, bool *found)
{
	uint8_t name[OWNDNS_NAME_MAX];
	int stored = 0;

	memcpy(name, qname, owndns_name_length(qname));
	*found = false;
	for (unsigned step = 0; step <= FORWARD_CHAIN_MAX && in_domain(r, name); step++) {
		int rc = store_rrset(c, r, b, OWNDNS_SECTION_ANSWER, name, qtype, qclass,
				     (uint8_t)r->answer_rank, now);
		if (rc < 0)
			return rc;
		if (find_record(r, OWNDNS_SECTION_ANSWER, name, qtype)) {
			stored += rc;
			*found = true;
			break;
		}
		const owndns_rr *cname = find_record(r, OWNDNS_SECTION_ANSWER, name,
						     OWNDNS_TYPE_CNAME);
		if (!cname || qtype == OWNDNS_TYPE_CNAME)
			break;
		rc = store_rrset(c, r, b, OWNDNS_SECTION_ANSWER, name, OWNDNS_TYPE_CNAME, qclass,
				 (uint8_t)r->answer_rank, now);
		if (rc < 0)
			return rc;
		stored += rc;
		rc = store_dnames_above(c, r, b, name, qclass, now);
		if (rc < 0)
			return rc;
		stored += rc;
		memcpy(name, cname->rdata, owndns_name_length(cname->rdata));
	}
	memcpy(last, name, owndns_name_length(name));
	return stored;
}

static bool response_has_do(const owndns_msg *m)
{
	owndns_edns e;
	return owndns_edns_from_msg(m, &e) == OWNDNS_OK && e.dnssec_ok;
}

/* The arena's first chunk, on the caller's stack. */
typedef union stack_arena {
	arena_chunk chunk;
	uint8_t bytes[sizeof(arena_chunk) + STACK_ARENA];
} stack_arena;

static arena_chunk *stack_arena_init(stack_arena *a)
{
	a->chunk.next = NULL;
	a->chunk.used = 0;
	a->chunk.cap = STACK_ARENA;
	a->chunk.on_stack = true;
	return &a->chunk;
}

int forward_store(cache *c, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
		  const uint8_t *domain, const owndns_msg *m, uint32_t now)
{
	response_records r;
	rrset_buf buf, *b = &buf;
	uint8_t last[OWNDNS_NAME_MAX];
	bool found = false;
	stored_rr stack_rrs[STACK_RECORDS];
	owndns_rr stack_set[STACK_RECORDS], stack_sigs[STACK_RECORDS];
	stack_arena first_chunk;

	if (!answers_question(m, qname, qtype, qclass))
		return OWNDNS_EINVAL;
	memset(&r, 0, sizeof(r));
	memset(b, 0, sizeof(*b));
	r.domain = domain;
	r.dnssec_ok = response_has_do(m);
	r.arena = stack_arena_init(&first_chunk);
	bool aa = owndns_header_flag(&m->hdr, OWNDNS_FLAG_AA);
	r.answer_rank = aa ? CACHE_RANK_ANSWER_AUTH : CACHE_RANK_ANSWER_NONAUTH;
	r.authority_rank = aa ? CACHE_RANK_AUTHORITY_AUTH : CACHE_RANK_AUTHORITY_NONAUTH;
	int rc = read_records(&r, m, stack_rrs);
	if (rc == OWNDNS_OK)
		rc = rrset_buf_init(b, r.count, stack_set, stack_sigs);
	int stored = 0;
	if (rc == OWNDNS_OK)
		rc = store_chain(c, &r, b, qname, qtype, qclass, now, last, &found);
	if (rc >= 0) {
		stored = rc;
		rc = 0;
		if (!found)
			rc = store_negative(c, &r, b, last, qtype, qclass,
					    owndns_msg_rcode(m) == OWNDNS_RCODE_NXDOMAIN, now);
	}
	if (rc >= 0) {
		stored += rc;
		rc = store_extras(c, &r, b, last, qclass, now);
	}
	if (rc >= 0)
		stored += rc;
	arena_free(r.arena);
	if (!r.rrs_on_stack)
		free(r.rrs);
	free(r.big_scratch);
	rrset_buf_free(b);
	return rc < 0 ? rc : stored;
}
