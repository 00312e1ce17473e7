/* The upstreams of one forwarding target (forward= or one forward-zone=): their
 * smoothed round-trip times and health, and the order to ask them in.  No I/O, no
 * clock: times come in as milliseconds of the caller's monotonic clock.
 *   - SRTT: an EWMA of the measured round trips (weight 1/8, as TCP's RFC 6298 and
 *     Unbound use); an upstream not measured yet counts as 0 ms, so every one is
 *     tried early and gets a measurement.  RTTVAR, the mean deviation (weight 1/4,
 *     RFC 6298 §2), gives the first try's time-out (upstream_try_timeout).
 *   - Health: UPSTREAM_DOWN_AFTER consecutive failures (timeouts, REFUSED, send
 *     errors) mark an upstream down.  A down upstream is skipped until its back-off
 *     has passed (UPSTREAM_BACKOFF_MIN_MS, doubling up to UPSTREAM_BACKOFF_MAX_MS);
 *     then one query probes it first, and the next probe waits another back-off.  An
 *     answer brings it back at once.
 *   - Order: probes due, then up upstreams (those without recent failures first, then
 *     by SRTT); down upstreams only when nothing else is left (better a slow try than
 *     none).
 * Owned by its creator.  Not locked: the daemon's workers share one set and hold a
 * mutex around every call (server/net/net.h, upstream_lock). */
#ifndef OWNDNS_SERVER_FORWARD_UPSTREAM_H
#define OWNDNS_SERVER_FORWARD_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <owndns/client.h>
#include <owndns/name.h>

/* The query transaction asks at most this many servers. */
#define UPSTREAM_MAX OWNDNS_CLIENT_MAX_SERVERS
#define UPSTREAM_DOWN_AFTER 3
#define UPSTREAM_BACKOFF_MIN_MS 2000u
#define UPSTREAM_BACKOFF_MAX_MS 120000u
/* An RTT sample for a try that timed out: pushes the SRTT towards the slow side. */
#define UPSTREAM_TIMEOUT_PENALTY_MS 1500u
/* First-try time-out of an upstream not measured yet.  A forwarder's upstream is a
 * resolver: a cache hit comes back within milliseconds, a miss it has to resolve takes
 * a few hundred (the RTTs of the authorities it asks, often 100-300 ms).  400 ms lets
 * most misses come through on the first try while a silent upstream costs the client
 * well under half a second (Unbound starts unknown servers at 376 ms). */
#define UPSTREAM_UNKNOWN_TIMEOUT_MS 400u
/* Floor of a measured upstream's first-try time-out: an upstream answering from its
 * cache in 1 ms still needs time for the misses it resolves (see above), and a retry
 * costs it a second query. */
#define UPSTREAM_MIN_TIMEOUT_MS 250u

typedef struct upstream {
	owndns_server_addr addr;
	uint32_t srtt_ms;     /* 0 until measured */
	uint32_t rttvar_ms;   /* RTT mean deviation; 0 until measured */
	bool measured;
	unsigned failures;    /* consecutive */
	uint32_t backoff_ms;  /* current back-off while down */
	uint64_t retry_at_ms; /* down: next probe not before this */
} upstream;

typedef struct upstream_set {
	upstream servers[UPSTREAM_MAX];
	unsigned count;
} upstream_set;

void upstream_set_init(upstream_set *s);

/* Appends an upstream.  Errors: ESPACE (UPSTREAM_MAX reached), EINVAL (family). */
int upstream_set_add(upstream_set *s, const owndns_server_addr *addr);

/* True when upstream i has failed UPSTREAM_DOWN_AFTER times in a row. */
bool upstream_is_down(const upstream_set *s, unsigned i);

/* Writes the indices of the upstreams to ask, best first, into order[0..UPSTREAM_MAX)
 * and returns how many (at least 1 when the set is not empty).  A down upstream whose
 * back-off has passed is put first and its next probe is scheduled, which is why the
 * set is not const. */
unsigned upstream_set_order(upstream_set *s, uint64_t now_ms, unsigned *order);

/* Time-out of the first try to upstream i (later tries double it, owndns_txn_params):
 * UPSTREAM_UNKNOWN_TIMEOUT_MS until it is measured, then SRTT + 4 * RTTVAR (RFC 6298
 * §2) within [UPSTREAM_MIN_TIMEOUT_MS, max_ms]; never above max_ms. */
uint32_t upstream_try_timeout(const upstream_set *s, unsigned i, uint32_t max_ms);

/* An answer (any rcode but REFUSED) came from upstream i after rtt_ms. */
void upstream_report_answer(upstream_set *s, unsigned i, uint32_t rtt_ms);
/* A try to upstream i failed (timeout, REFUSED, send error) at now_ms. */
void upstream_report_failure(upstream_set *s, unsigned i, uint64_t now_ms);
/* A try to upstream i timed out, yet it answered late (it is alive): its SRTT and
 * RTTVAR grow as for a failure, so that it is not asked first with a try too short
 * for it again; its health is unchanged. */
void upstream_report_slow(upstream_set *s, unsigned i);

/* ---- Forwarding targets: forward= and forward-zone= ------------------------------ */

typedef struct forward_target {
	uint8_t domain[OWNDNS_NAME_MAX]; /* lower-cased wire name; "." for forward= */
	upstream_set upstreams;
} forward_target;

typedef struct forwarders {
	forward_target *targets; /* owned */
	size_t count;
} forwarders;

/* Empty (no target: nothing is forwarded). */
void forwarders_init(forwarders *f);
void forwarders_free(forwarders *f);

/* Adds a target for `domain` (wire name; the root for forward=) and returns it in *out
 * to fill with upstream_set_add; a second call with the same domain returns the same
 * target.  Errors: ENOMEM. */
int forwarders_add(forwarders *f, const uint8_t *domain, forward_target **out);

/* The target whose domain is the longest one at or above qname, or -1 when none
 * covers it (no forward= and no matching forward-zone=). */
long forwarders_select(const forwarders *f, const uint8_t *qname);

#endif
