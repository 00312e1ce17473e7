/* The forwarding stages of the request pipeline, without I/O (DESIGN.md "Request
 * pipeline"): answering from the cache, storing an upstream response in the cache,
 * and rebuilding an upstream response for each client that waited for it.  The
 * event-loop side (asking the upstreams, in-flight sharing, timers) is in
 * server/net/forwarding.c; what to forward where is upstream.h. */
#ifndef OWNDNS_SERVER_FORWARD_FORWARD_H
#define OWNDNS_SERVER_FORWARD_FORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <owndns/message.h>

#include "cache/cache.h"
#include "reply.h"

/* Longest CNAME chain followed through the cache or an upstream answer. */
#define FORWARD_CHAIN_MAX 16
/* RFC 8914 §4.4: EDE 3, "Stale Answer", added to answers served stale. */
#define FORWARD_EDE_STALE_ANSWER 3

/* forward_cache_answer flags. */
#define FORWARD_CACHE_STALE 0x1u /* expired entries within the serve-stale window answer */

/* Answers q from the cache at `now` (seconds): the RRset, or a CNAME chain through the
 * cache ending in the RRset or a negative answer (RFC 2308 §3: the SOA in the
 * authority section, with its remaining TTL).  TTLs are those left in the cache.
 * A CNAME explained by a cached DNAME above its owner comes after that DNAME, and a
 * name with nothing cached below a cached DNAME gets the DNAME and the CNAME it
 * synthesises (RFC 6672 §3.3; TTL the DNAME's), as the upstream's answer would.
 * When the cache rotates RRsets (cache_rotates_rrsets, rrset-order=rotate), the asked
 * RRset starts at record (query ID mod count) and wraps round, as Unbound's
 * rrset-roundrobin does: the order changes from query to query at no cost, the set
 * stays the same.
 * Flags RA=1, AA=0; RRSIGs, and the NSEC/NSEC3 proof of negative answers, only when
 * the client set DO, and then only from entries stored from responses with DO (others
 * are a miss: their signatures are unknown).  RRsets of the authority and
 * additional ranks never answer (cache_rank_answers), nor hide a CNAME.  With
 * FORWARD_CACHE_STALE, expired entries within the serve-stale window answer too (TTL
 * 30, EDE 3).  An RRset that does not fit sets TC.  Returns OK with *len set, or
 * ENOTFOUND when the cache cannot answer the whole question (a miss anywhere along
 * the chain). */
int forward_cache_answer(cache *c, const reply_query *q, uint16_t udp_max, uint32_t now,
			 unsigned flags, uint8_t *out, size_t cap, size_t *len);

/* Stores upstream response m to question (qname, qtype, qclass) in the cache, when it
 * is a NOERROR or NXDOMAIN answer to exactly that question and not truncated.  `domain`
 * is the zone of the forwarding target that answered ("." for forward=): the upstream
 * speaks for that zone only, so nothing owned by a name outside it is stored (RFC 5452
 * §6, as Unbound scrubs forwarder answers):
 *   - answer section: the RRsets along the CNAME chain from qname, cut at the first
 *     name outside `domain` (other owners are ignored), rank "answer" (AA=1) or
 *     "answer, non-authoritative";
 *   - a chain that ends inside `domain` without the asked type: NXDOMAIN or NODATA for
 *     its last name, proven by an SOA inside `domain` in the authority section at or
 *     above that name (RFC 2308 §5; without SOA nothing negative is stored);
 *   - authority NS RRsets at or above the last name, rank "authority"; additional
 *     A/AAAA RRsets, rank "additional" (RFC 2181 §5.4.1), both inside `domain` and at
 *     most 64 RRsets: kept, never answered from;
 *   - every record of the response is read, so no RRset is stored cut; a response
 *     that does not parse to its end stores nothing;
 *   - DNAMEs of the answer section above a name of the chain, rank as the answer
 *     (RFC 6672 §3.3: they explain its CNAME; forward_cache_answer gives them back);
 *   - RRSIGs go with the RRsets they cover; NSEC/NSEC3 records of the authority
 *     section (and their RRSIGs) go with the negative answer they prove;
 *   - entries are marked as complete for DO clients when the response has DO set
 *     (RFC 3225 §3: it echoes the query's; a server that does not echo it only costs
 *     DO clients their cache hits).
 * SERVFAIL and other rcodes are not stored.  Returns the number of entries stored, or
 * an error (ENOMEM; EINVAL for a response that is not an answer to the question). */
int forward_store(cache *c, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
		  const uint8_t *domain, const owndns_msg *m, uint32_t now);

/* The cache's TTL clamps (cache-min-ttl, cache-max-ttl, cache-max-negative-ttl), also
 * applied to the answer that fills the cache, so the first client sees what the next
 * ones will (Unbound does the same).  max_ttl 0: no clamps. */
typedef struct forward_ttl_limits {
	uint32_t min_ttl;
	uint32_t max_ttl;
	uint32_t max_negative_ttl;
} forward_ttl_limits;

/* The answer chain of upstream response m from qname leaves `domain`: the first CNAME
 * target outside it goes to `target` (lower-cased).  Returns true then. */
bool forward_chain_leaves(const owndns_msg *m, const uint8_t *qname, uint16_t qtype,
			  const uint8_t *domain, uint8_t *target);

/* The chain of upstream response m from qname is incomplete: it leaves `domain` (the
 * first CNAME target outside goes to `next`, as forward_chain_leaves), or it ends,
 * inside, at a CNAME target the response says nothing about (rcode NOERROR, no record
 * of the type, no CNAME, no SOA at or above it in the authority section), which
 * RFC 1034 §4.3.2 step 3a restarts at: the target goes to `next` (lower-cased).  A
 * chain that loops or runs past FORWARD_CHAIN_MAX is not incomplete, nor is one asked
 * with QTYPE CNAME or ANY (the CNAME answers them). */
bool forward_chain_next(const owndns_msg *m, const uint8_t *qname, uint16_t qtype,
			const uint8_t *domain, uint8_t *next);

/* Builds the response for one waiting client from upstream response m, scrubbed to
 * what the forwarding target of `domain` may speak for (as forward_store): answer
 * records only along the CNAME chain from the question while it stays inside `domain`,
 * authority and additional records only with owners inside it.  When the chain leaves
 * `domain`, the rcode is NOERROR (the upstream's rcode is about a name it does not
 * serve) and the answer ends with the last CNAME inside.  The client's
 * ID, flags and question (case as asked; answer owners equal to the question name
 * take its case too), the upstream's rcode and records (OPT and TSIG left out),
 * RA=1, AA=0, AD=0 (nothing is validated here), the client's own EDNS (OPT only when
 * it sent one).  TTLs are clamped by `limits` (NULL: none); an authority SOA gets
 * min(TTL, MINIMUM, max_negative_ttl) (RFC 2308 §3), as Unbound gives it.  RRsets of the answer and authority sections that do not fit set TC
 * (RFC 2181 §9); additional RRsets that do not fit are left out.  A record the
 * upstream sent malformed gives SERVFAIL.  Returns the length, 0 on failure. */
size_t forward_rebuild(const reply_query *q, const owndns_msg *m, const uint8_t *domain,
		       uint16_t udp_max, const forward_ttl_limits *limits, uint8_t *out,
		       size_t cap);

/* One upstream response of a chased chain: the answer of the target of `domain` to
 * `qname` (the client's question for the first piece, a chain's next name after). */
typedef struct forward_piece {
	const owndns_msg *m;
	const uint8_t *qname;
	const uint8_t *domain;
} forward_piece;

/* forward_rebuild for a chain chased over several responses (count >= 1): the answer
 * records along each piece's chain inside its domain, in order, then the last piece
 * as forward_rebuild gives it (its rcode, answer, authority, additional). */
size_t forward_rebuild_chain(const reply_query *q, const forward_piece *pieces, size_t count,
			     uint16_t udp_max, const forward_ttl_limits *limits, uint8_t *out,
			     size_t cap);

#endif
