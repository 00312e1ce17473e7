/* Queries on their way upstream, on the event loop: the in-flight table (identical
 * questions share one upstream query, server/forward/inflight.h; one table per worker,
 * so the same question arriving at two workers at once goes upstream twice), the
 * upstream order (server/forward/upstream.h), the transaction driver (upstream_io.h),
 * and the delivery of the answer to every waiting client (UDP: to its address, from
 * the address it asked, with pktinfo; TCP: on its connection, if still open).
 * Upstream queries: RD=1, EDNS 1232, DO and CD as the client's, a fresh random ID for
 * every try (getrandom, drawn by the worker in batches; only the try sent last may
 * answer) and a fresh UDP socket per server; a TC=1 answer over TCP moves on to the
 * next server, as Unbound does.  Time-outs: the first try to an upstream waits its
 * upstream_try_timeout (about SRTT + 4 RTTVAR, UPSTREAM_UNKNOWN_TIMEOUT_MS when not
 * measured yet, at most UPSTREAM_TRY_TIMEOUT_MS; a single upstream, with no other to
 * move on to, UPSTREAM_TRY_TIMEOUT_MS), each further try to it twice as long,
 * and the last try until the deadline (owndns_txn_params.first_timeout_ms), so that an
 * upstream slower than UPSTREAM_TRY_TIMEOUT_MS is still answered; three rounds
 * over the upstreams at most, UPSTREAM_DEADLINE_MS in all; then SERVFAIL (or stale data,
 * serve-stale=yes).
 * serve-stale=yes: a client still waiting STALE_CLIENT_TIMEOUT_MS after its query
 * arrived gets the cache's stale data for its question, when there is some within
 * serve-stale-max at the time it asked (RFC 8767 §5), and leaves the fetch, which goes
 * on and stores the fresh answer when it comes.  A client without stale data waits on.
 * One timer per worker serves every waiter (forwarding.c).
 * A CNAME chain an upstream leaves incomplete is chased (server_upstream_chase): the
 * client waits on the fetch of the chain's next name, keeping each response for its
 * answer (server_answer_chased), at most FORWARD_CHAIN_MAX names, never one already
 * asked, and all within UPSTREAM_DEADLINE_MS of the client's query: a chase fetch this
 * client starts gets what is left of that budget as its deadline (one it joins keeps
 * its own).  A chase that cannot go on is a failure (SERVFAIL, or stale data).
 * Bounds: FORWARD_MAX_FETCHES upstream queries and FORWARD_MAX_WAITERS waiting clients
 * at once; a query beyond them is answered SERVFAIL at once (or stale data). */
#ifndef OWNDNS_SERVER_NET_FORWARDING_H
#define OWNDNS_SERVER_NET_FORWARDING_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"

#define UPSTREAM_TRY_TIMEOUT_MS 1500u
#define UPSTREAM_DEADLINE_MS 5000u
#define UPSTREAM_ROUNDS 3u
/* RFC 8767 §5 recommends 1.8 s for the client response timer, and Unbound's
 * serve-expired-client-timeout suggests the same value. */
#define STALE_CLIENT_TIMEOUT_MS 1800u
#define FORWARD_MAX_FETCHES 10000u
#define FORWARD_MAX_WAITERS 20000u

typedef struct net_forwarding net_forwarding;

/* Creates the forwarding state of ctx (ctx->forwarding), with the worker's upstream
 * sockets (upstream_io.h).  Errors: ENOMEM, ESOCKET. */
int net_forwarding_init(net_context *ctx);

/* Cancels every upstream query, drops every waiting client and closes the upstream
 * sockets (shutdown); their memory is freed by the loop's close callbacks. */
void net_forwarding_shutdown(net_context *ctx);

/* Frees ctx->forwarding (after shutdown and after the loop has run). */
void net_forwarding_free(net_context *ctx);

/* Sends fwd's question upstream, or joins the query in flight for it; the client is
 * answered through `origin` later.  Returns 0, or the length of an answer to send now
 * (in ctx->answer_buf) when the query cannot wait (bounds, no memory). */
size_t net_forward(net_context *ctx, const server_forward *fwd, const net_origin *origin);

/* Drops one waiting client (its TCP connection is closing). */
void net_forward_cancel(net_context *ctx, net_waiter *w);

#endif
