/* The daemon's request pipeline for one query, without I/O (DESIGN.md "Request
 * pipeline"):
 *   parse/validate -> ACL -> zones -> local data -> cache -> [forward] -> answer
 * A query answered by the first stages gets its response at once (server_process
 * returns it); one that must go upstream comes back as a server_forward: what to ask
 * and how to answer the client later.  The network layer (server/net/) runs the
 * upstream query, then calls server_store_upstream once per response and
 * server_answer_upstream once per waiting client.
 * Rules:
 *   - ACL (view->acl, NULL: everyone): a client it refuses gets REFUSED.
 *   - zones: a name inside a served zone is answered from it, authoritatively (AA=1),
 *     whatever RD says.
 *   - recursion=no stops here: everything else is REFUSED (pure authoritative, EDE 20).
 *   - local data (hosts, local-data, built-in zones): AA=1, RA=1.
 *   - cache: RA=1, AA=0, TTLs counted down, CNAME chains followed through the cache.
 *   - RD=0 and not answered so far: nothing is asked upstream (RFC 1034 §4.3.1 lets a
 *     server answer non-recursive queries from what it has); a cache miss is SERVFAIL
 *     with RA=1.  That is Unbound 1.17 with access-control allow_snoop (cached: the
 *     answer; not cached: SERVFAIL, upstream not asked); with its default "allow"
 *     Unbound refuses every RD=0 query, cached or not, which helps nobody debugging.
 *   - meta QTYPEs (OPT, TSIG, TKEY, MAILA, MAILB, 128-248) past the zones: FORMERR
 *     without RA, as Unbound answers them.
 *   - forward: the target of forwarders_select (no target: SERVFAIL).
 * Owns nothing; never blocks; allocates nothing that outlives a call. */
#ifndef OWNDNS_SERVER_QUERY_H
#define OWNDNS_SERVER_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "forward/forward.h"
#include "forward/inflight.h"
#include "forward/reply.h"

struct zone_set;
struct local_data;
struct acl;
struct cache;
struct forwarders;

/* What the answering code may read: the data served.  Replaced as a whole on reload. */
typedef struct server_view {
	const struct zone_set *zones; /* authoritative zones (server/auth/zone_set.h) */
	bool recursion;               /* false: pure authoritative (recursion=no) */
	uint16_t udp_max;             /* largest UDP response and our EDNS size (udp-max-size=);
				       * 0 means the default, 1232 */
	const struct local_data *local; /* hosts, local-data, built-in zones; NULL: none */
	const struct acl *acl;        /* who may ask; NULL: everyone */
	struct cache *cache;          /* NULL: no cache */
	struct forwarders *forward;   /* forward= / forward-zone=; NULL: none */
	bool serve_stale;             /* RFC 8767: stale data when the upstream is late or fails */
	forward_ttl_limits ttl_limits; /* the cache's clamps, for fresh answers too */
} server_view;

/* One incoming request. */
typedef struct server_request {
	const uint8_t *packet;
	size_t len;
	bool tcp;                        /* TCP: answer up to 65535 octets, never TC */
	const struct sockaddr *client;   /* source address (for policy, logging) */
	socklen_t client_len;
} server_request;

/* A query that goes upstream: what to ask, and how to answer the client. */
typedef struct server_forward {
	inflight_key key;   /* lower-cased question, DO and CD, forwarding target */
	reply_query client;
} server_forward;

/* Runs the pipeline on `req` at `now` (monotonic seconds, for the cache).  Returns the
 * response length (written to out[0..cap), cap >= 65535 for TCP, >= 4096 for UDP), or
 * 0 with *forward false when no answer must
 * be sent (no header, QR=1, other packets RFC 1035/6891 say to drop), or 0 with
 * *forward true and *fwd filled when the answer must come from upstream. */
size_t server_process(const server_view *view, const server_request *req, uint32_t now,
		      uint8_t *out, size_t cap, server_forward *fwd, bool *forward);

/* server_process for callers that cannot wait and keep no clock (now 0): a query that
 * would go upstream gets SERVFAIL. */
size_t server_answer(const server_view *view, const server_request *req, uint8_t *out,
		     size_t cap);

/* Stores an upstream response to fwd->key's question in the cache (once per response,
 * however many clients waited for it). */
void server_store_upstream(const server_view *view, const inflight_key *key,
			   const uint8_t *pkt, size_t len, uint32_t now);

/* The response for one client that waited for an upstream: pkt is the answer of
 * forwarding target `target` (inflight_key.target), or NULL when every upstream failed
 * or timed out.  The answer is scrubbed to the target's zone (forward_rebuild); when
 * its CNAME chain is incomplete (forward_chain_next) and the cache holds the rest of
 * the chain, the whole chain comes from the cache.  A failure (also SERVFAIL, REFUSED, NOTIMP, FORMERR, and
 * TC=1, which can only come over TCP) is answered from expired cache data when
 * serve-stale is on (RFC 8767: TTL 30, EDE 3), else SERVFAIL.
 * Returns the length written to out[0..cap) (0: nothing to send). */
size_t server_answer_upstream(const server_view *view, const reply_query *client, long target,
			      const uint8_t *pkt, size_t len, uint32_t now, uint8_t *out,
			      size_t cap);

/* Stale data for a client whose upstream answer is late or failed (RFC 8767): the
 * cache's answer to its question, expired entries included when they are within
 * serve-stale-max (TTL 30, EDE 3), judged at `now` or, failing that, at `asked` (the
 * time the client asked, <= now).  Returns the length written to out[0..cap), 0 when
 * serve-stale is off or the cache has nothing for the question. */
size_t server_answer_stale(const server_view *view, const reply_query *client, uint32_t now,
			   uint32_t asked, uint8_t *out, size_t cap);

/* A chain the upstream left incomplete goes on with its next name (forward_chain_next):
 * a CNAME that leaves the forwarding target's zone is asked of the target that covers
 * its name (Unbound's rule for forward zones), and a CNAME whose target the answer does
 * not resolve is asked again at that target (RFC 1034 §4.3.2 step 3a, as Unbound
 * does).  True when upstream response pkt to key's question is incomplete so, some
 * target covers the next name, and the cache cannot answer key's whole question
 * (then server_answer_upstream takes it from the cache): *next is the question to ask
 * (type, class and flags as key's).  The caller bounds the chase (FORWARD_CHAIN_MAX,
 * one deadline for the whole chase) and stops at a loop. */
bool server_upstream_chase(const server_view *view, const inflight_key *key,
			   const uint8_t *pkt, size_t len, uint32_t now, inflight_key *next);

/* One response of a chase: the answer of forwarding target `target` (pkt NULL: it
 * failed). */
typedef struct server_chase_piece {
	long target;
	const uint8_t *pkt;
	size_t len;
} server_chase_piece;

/* The answer for a client whose question's chain was chased: pieces[0] is the
 * response to its own question, each next one the response for the name the one
 * before left unresolved, the last the chase's final response.  The answer is put
 * together from the responses themselves (forward_rebuild_chain; no cache needed),
 * each scrubbed to its own target's zone; when the last one still leaves its zone and
 * the cache holds the rest, the whole answer comes from the cache.  A failed piece
 * (NULL, SERVFAIL, REFUSED...) makes the whole answer a failure (SERVFAIL or stale
 * data), as Unbound answers a chase that fails. */
size_t server_answer_chased(const server_view *view, const reply_query *client,
			    const server_chase_piece *pieces, size_t count, uint32_t now,
			    uint8_t *out, size_t cap);

#endif
