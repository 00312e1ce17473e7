/* Upstream queries on the event loop and the clients waiting for them (forwarding.h). */
#include "forwarding.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <owndns/error.h>

#include "forward/upstream.h"
#include "sockaddr_text.h"
#include "tcp.h"
#include "udp.h"
#include "udp_fit.h"
#include "upstream_io.h"

/* Random octets drawn from getrandom in one call and handed out for upstream query
 * IDs: one syscall per ID_POOL_SIZE / 2 IDs instead of one per ID (about 0.4 µs each).
 * Per worker: no lock, no shared state. */
#define ID_POOL_SIZE 256

struct forward_waiter;

struct net_forwarding {
	inflight_table table;
	upstream_io *io;      /* this worker's upstream sockets */
	uint8_t id_pool[ID_POOL_SIZE];
	size_t id_pool_used;  /* octets of id_pool handed out already */
	/* serve-stale client timer (STALE_CLIENT_TIMEOUT_MS): the waiters not yet offered
	 * stale data, oldest first (they arrive in clock order, so appending keeps it), and
	 * one timer for the whole list, due when the oldest is.  Started only when
	 * serve-stale is on; a waiter answered before its time just leaves the list. */
	uv_timer_t stale_timer;
	bool stale_timer_open;
	struct forward_waiter *stale_first, *stale_last;
};

/* One upstream query and the fetch it answers. */
typedef struct fetch_run {
	net_context *ctx;
	inflight_fetch *fetch;
	upstream_query *query;
	unsigned order[UPSTREAM_MAX]; /* txn server i is upstream order[i] of the target */
	unsigned count;
} fetch_run;

/* A chase is not started with less than this left of its budget: no upstream answers
 * that fast over a real network, and the client is about to give up. */
#define CHASE_MIN_MS 50u

/* A waiting client, with what chasing an incomplete CNAME chain needs
 * (server_upstream_chase).  Every net_waiter of this file is one of these. */
typedef struct forward_waiter {
	net_waiter base;      /* first: the rest of the daemon sees only this */
	uint64_t arrived_ms;  /* the loop's clock when the client's query arrived: the
			       * whole chase fits in UPSTREAM_DEADLINE_MS from here */
	unsigned chases;      /* chain names asked for so far */
	/* The responses of the chain so far (copies, owned), FORWARD_CHAIN_MAX + 1 slots
	 * (the last for the final response); NULL until the first chase. */
	server_chase_piece *pieces;
	/* In net_forwarding's stale list: still to be offered stale data. */
	bool stale_watched;
	struct forward_waiter *stale_prev, *stale_next;
} forward_waiter;

static void random_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);
		if (n <= 0)
			continue; /* EINTR; getrandom does not fail once the pool is ready */
		p += n;
		len -= (size_t)n;
	}
}

/* A fresh random query ID (owndns_txn_params.new_id). */
static int fresh_id(void *arg, uint16_t *id)
{
	net_forwarding *f = arg;
	if (f->id_pool_used + sizeof(*id) > sizeof(f->id_pool)) {
		random_bytes(f->id_pool, sizeof(f->id_pool));
		f->id_pool_used = 0;
	}
	memcpy(id, f->id_pool + f->id_pool_used, sizeof(*id));
	f->id_pool_used += sizeof(*id);
	return OWNDNS_OK;
}

int net_forwarding_init(net_context *ctx)
{
	net_forwarding *f = calloc(1, sizeof(*f));
	uint64_t key[2];
	if (!f)
		return OWNDNS_ENOMEM;
	random_bytes(key, sizeof(key));
	f->id_pool_used = sizeof(f->id_pool); /* drawn at the first ID */
	if (inflight_table_init(&f->table, FORWARD_MAX_FETCHES, FORWARD_MAX_WAITERS, key)) {
		free(f);
		return OWNDNS_ENOMEM;
	}
	int rc = upstream_io_open(ctx->loop, ctx->recv_buf, sizeof(ctx->recv_buf), &f->io);
	if (rc == OWNDNS_OK && uv_timer_init(ctx->loop, &f->stale_timer) != 0) {
		upstream_io_close(f->io); /* freed by the loop's close callbacks */
		rc = OWNDNS_ENOMEM;
	}
	if (rc) {
		inflight_table_free(&f->table);
		free(f);
		return rc;
	}
	f->stale_timer.data = ctx;
	f->stale_timer_open = true;
	ctx->forwarding = f;
	return OWNDNS_OK;
}

void net_forwarding_free(net_context *ctx)
{
	net_forwarding *f = ctx->forwarding;
	if (!f)
		return;
	inflight_table_free(&f->table);
	free(f);
	ctx->forwarding = NULL;
}

static net_waiter *waiter_of(inflight_waiter *link)
{
	return (net_waiter *)((char *)link - offsetof(net_waiter, link));
}

static forward_waiter *forward_waiter_of(net_waiter *w)
{
	return (forward_waiter *)w;
}

/* ---- the serve-stale client timer ---- */

static void stale_unwatch(net_forwarding *f, forward_waiter *fw)
{
	if (!fw->stale_watched)
		return;
	if (fw->stale_prev)
		fw->stale_prev->stale_next = fw->stale_next;
	else
		f->stale_first = fw->stale_next;
	if (fw->stale_next)
		fw->stale_next->stale_prev = fw->stale_prev;
	else
		f->stale_last = fw->stale_prev;
	fw->stale_prev = fw->stale_next = NULL;
	fw->stale_watched = false;
}

static void waiter_release(net_forwarding *f, net_waiter *w)
{
	forward_waiter *fw = forward_waiter_of(w);
	if (f)
		stale_unwatch(f, fw);
	for (unsigned i = 0; fw->pieces && i < fw->chases; i++)
		free((uint8_t *)fw->pieces[i].pkt);
	free(fw->pieces);
	free(w);
}

static void waiter_free(net_forwarding *f, net_waiter *w)
{
	if (w->tcp && w->conn)
		tcp_conn_untrack(w->conn, w);
	waiter_release(f, w);
}

/* ---- answering the waiters ---- */

/* Sends the answer in ctx->answer_buf[0..n) to w (nothing when n is 0: a TCP
 * connection then just reads on) and frees w, which waits on no fetch any more. */
static void answer_waiter(net_context *ctx, net_waiter *w, size_t n)
{
	if (n > sizeof(ctx->answer_buf))
		n = 0;
	if (w->tcp) {
		struct tcp_conn *conn = w->conn;
		tcp_conn_untrack(conn, w);
		w->conn = NULL;
		tcp_conn_deliver(conn, ctx->answer_buf, n);
	} else {
		n = udp_fit_response(ctx->answer_buf, n, ctx->limits.udp_max_size);
		if (n)
			udp_socket_send(w->udp, (const struct sockaddr *)&w->peer, w->peer_len,
					w->control_len ? w->control : NULL, w->control_len,
					ctx->answer_buf, n);
	}
	waiter_release(ctx->forwarding, w);
}

static uint64_t stale_due_ms(const forward_waiter *fw)
{
	return fw->arrived_ms + STALE_CLIENT_TIMEOUT_MS;
}

/* The client has waited long enough: stale data if the cache holds some for its
 * question, judged when it asked (so serve-stale-max is the age of the data at the
 * question, not at the answer), and the fetch goes on without it.  With none, it
 * waits on for the fetch as before. */
static void offer_stale(net_context *ctx, forward_waiter *fw)
{
	net_waiter *w = &fw->base;
	uint32_t asked = (uint32_t)(fw->arrived_ms / 1000); /* the clock of net_now_s */
	size_t n = server_answer_stale(ctx->view, &w->client, net_now_s(ctx), asked,
				       ctx->answer_buf, sizeof(ctx->answer_buf));
	if (n == 0)
		return;
	inflight_leave(&ctx->forwarding->table, &w->link);
	answer_waiter(ctx, w, n);
}

static void on_stale_timer(uv_timer_t *timer)
{
	net_context *ctx = timer->data;
	net_forwarding *f = ctx->forwarding;
	uint64_t now = uv_now(ctx->loop);
	forward_waiter *fw;

	/* Each turn takes one waiter off the list: bounded by the waiters. */
	while ((fw = f->stale_first) != NULL && stale_due_ms(fw) <= now) {
		stale_unwatch(f, fw);
		offer_stale(ctx, fw);
	}
	if (f->stale_first)
		uv_timer_start(timer, on_stale_timer, stale_due_ms(f->stale_first) - now, 0);
}

/* Puts a waiter that has just started waiting on the stale list (serve-stale on). */
static void stale_watch(net_context *ctx, forward_waiter *fw)
{
	net_forwarding *f = ctx->forwarding;
	if (!ctx->view->serve_stale || !ctx->view->cache || !f->stale_timer_open)
		return;
	fw->stale_prev = f->stale_last;
	fw->stale_next = NULL;
	if (f->stale_last)
		f->stale_last->stale_next = fw;
	else
		f->stale_first = fw;
	f->stale_last = fw;
	fw->stale_watched = true;
	/* Armed already for an older waiter, or to wake and look at the list again. */
	if (!uv_is_active((uv_handle_t *)&f->stale_timer)) {
		uint64_t now = uv_now(ctx->loop), due = stale_due_ms(f->stale_first);
		uv_timer_start(&f->stale_timer, on_stale_timer, due > now ? due - now : 0, 0);
	}
}

static void deliver(net_context *ctx, net_waiter *w, long target, const uint8_t *pkt,
		    size_t len)
{
	forward_waiter *fw = forward_waiter_of(w);
	size_t n;
	if (fw->chases > 0) {
		fw->pieces[fw->chases] = (server_chase_piece){ target, pkt, len };
		n = server_answer_chased(ctx->view, &w->client, fw->pieces, fw->chases + 1,
					 net_now_s(ctx), ctx->answer_buf, sizeof(ctx->answer_buf));
	} else
		n = server_answer_upstream(ctx->view, &w->client, target, pkt, len,
					   net_now_s(ctx), ctx->answer_buf,
					   sizeof(ctx->answer_buf));
	answer_waiter(ctx, w, n);
}

/* An answer that still has TC=1 came over TCP (the transaction falls back to TCP on TC
 * over UDP): it is incomplete with nothing larger to try, so Unbound counts it as a
 * failure of that server and asks the next one, and so do we (OWNDNS_QUERY_TCP_TC_FAILS).
 * When no other server answered it is the result: server_answer_upstream answers
 * SERVFAIL or stale data, and it is not cached. */
static bool truncated_answer(const owndns_txn_result *res)
{
	owndns_header h;
	return res->status == OWNDNS_OK && res->packet &&
	       owndns_header_read(res->packet, res->len, &h) == OWNDNS_OK &&
	       owndns_header_flag(&h, OWNDNS_FLAG_TC);
}

/* Health of each upstream asked (upstream.h): the one whose answer was final gets an
 * RTT sample; one that sent something else (SERVFAIL…) was alive, and if that came
 * after its try had timed out, it was slow; silence is a failure. */
static void report_health(fetch_run *run, upstream_set *set, const owndns_txn_result *res,
			  uint32_t asked, uint32_t heard)
{
	uint64_t now = uv_now(run->ctx->loop);
	bool truncated = truncated_answer(res);
	for (unsigned i = 0; i < run->count; i++) {
		if (!(asked & (1u << i)))
			continue;
		if (res->packet && res->server == i && res->status == OWNDNS_OK && !truncated)
			upstream_report_answer(set, run->order[i], res->rtt_ms);
		else if (res->packet && res->server == i &&
			 (res->status == OWNDNS_CLIENT_EREFUSED || truncated))
			upstream_report_failure(set, run->order[i], now);
		else if (!(heard & (1u << i)))
			upstream_report_failure(set, run->order[i], now);
		else if (res->timed_out & (1u << i))
			upstream_report_slow(set, run->order[i]);
	}
}

/* The upstreams' health is shared by every worker (net.h). */
static void lock_upstreams(net_context *ctx)
{
	if (ctx->upstream_lock)
		pthread_mutex_lock(ctx->upstream_lock);
}

static void unlock_upstreams(net_context *ctx)
{
	if (ctx->upstream_lock)
		pthread_mutex_unlock(ctx->upstream_lock);
}

static upstream_set *target_set(net_context *ctx, long target)
{
	forwarders *fw = ctx->view->forward;
	if (!fw || target < 0 || (size_t)target >= fw->count)
		return NULL;
	return &fw->targets[target].upstreams;
}

static int start_fetch(net_context *ctx, inflight_fetch *fetch, uint32_t deadline_ms);

/* The chase would ask again a name the chain has asked already: a loop. */
static bool chase_loops(const forward_waiter *fw, const uint8_t *next)
{
	if (owndns_name_equal(next, fw->base.client.qname))
		return true;
	for (unsigned i = 0; i < fw->chases; i++) {
		uint8_t name[OWNDNS_NAME_MAX];
		owndns_msg m;
		uint16_t type, rclass;
		if (owndns_msg_open(&m, fw->pieces[i].pkt, fw->pieces[i].len) ||
		    owndns_msg_question(&m, 0, name, NULL, &type, &rclass) ||
		    owndns_name_equal(next, name))
			return true;
	}
	return false;
}

/* What is left of the chase's budget, 0 when too little to ask anything. */
static uint32_t chase_budget(net_context *ctx, const forward_waiter *fw)
{
	uint64_t elapsed = uv_now(ctx->loop) - fw->arrived_ms;
	if (elapsed + CHASE_MIN_MS >= UPSTREAM_DEADLINE_MS)
		return 0;
	return (uint32_t)(UPSTREAM_DEADLINE_MS - elapsed);
}

/* Keeps response pkt of `target` as the chain's next piece. */
static bool keep_piece(forward_waiter *fw, long target, const uint8_t *pkt, size_t len)
{
	if (!fw->pieces) {
		fw->pieces = calloc(FORWARD_CHAIN_MAX + 1, sizeof(*fw->pieces));
		if (!fw->pieces)
			return false;
	}
	uint8_t *copy = malloc(len);
	if (!copy)
		return false;
	memcpy(copy, pkt, len);
	fw->pieces[fw->chases++] = (server_chase_piece){ target, copy, len };
	return true;
}

/* Moves w on to the fetch for `next`, the name its chain goes on at
 * (server_upstream_chase), keeping pkt, the response of `target`, for the answer.
 * False when it cannot (FORWARD_CHAIN_MAX, a loop, the budget spent, no memory): the
 * chase failed, and the caller answers it as a failure. */
static bool chase(net_context *ctx, net_waiter *w, long target, const inflight_key *next,
		  const uint8_t *pkt, size_t len)
{
	net_forwarding *f = ctx->forwarding;
	forward_waiter *fw = forward_waiter_of(w);
	inflight_fetch *fetch;
	bool created;

	uint32_t budget = chase_budget(ctx, fw);
	if (fw->chases >= FORWARD_CHAIN_MAX || budget == 0 ||
	    !keep_piece(fw, target, pkt, len) || chase_loops(fw, next->qname))
		return false;
	if (inflight_join(&f->table, next, &w->link, &fetch, &created))
		return false;
	/* A fetch joined rather than created keeps its own deadline, at most
	 * UPSTREAM_DEADLINE_MS from its start. */
	if (created && start_fetch(ctx, fetch, budget)) {
		inflight_leave(&f->table, &w->link);
		inflight_finish(&f->table, fetch);
		inflight_fetch_free(fetch);
		return false;
	}
	return true;
}

static void on_fetch_done(void *arg, upstream_query *q, const owndns_txn_result *res)
{
	fetch_run *run = arg;
	net_context *ctx = run->ctx;
	net_forwarding *f = ctx->forwarding;
	inflight_fetch *fetch = run->fetch;
	upstream_set *set = target_set(ctx, fetch->key.target);

	if (set) {
		lock_upstreams(ctx);
		report_health(run, set, res, upstream_query_asked(q), upstream_query_heard(q));
		unlock_upstreams(ctx);
	}
	inflight_finish(&f->table, fetch);
	const uint8_t *pkt = res->status == OWNDNS_OK ? res->packet : NULL;
	size_t len = pkt ? res->len : 0;
	if (!pkt && log_enabled(ctx->log, LOG_LEVEL_DEBUG)) {
		char name[OWNDNS_NAME_TEXT_MAX];
		if (owndns_name_to_text(fetch->key.qname, name, sizeof(name)) < 0)
			strcpy(name, "?");
		log_debug(ctx->log, "upstream query for %s type %u failed: %s", name,
			  fetch->key.qtype, owndns_client_strerror(res->status));
	}
	server_store_upstream(ctx->view, &fetch->key, pkt, len, net_now_s(ctx));
	inflight_key next;
	bool chasing = server_upstream_chase(ctx->view, &fetch->key, pkt, len, net_now_s(ctx),
					     &next);
	inflight_waiter *link;
	while ((link = inflight_pop_waiter(&f->table, fetch)) != NULL) {
		net_waiter *w = waiter_of(link);
		if (!chasing)
			deliver(ctx, w, fetch->key.target, pkt, len);
		else if (!chase(ctx, w, fetch->key.target, &next, pkt, len))
			deliver(ctx, w, fetch->key.target, NULL, 0);
	}
	inflight_fetch_free(fetch);
	free(run);
}

/* ---- starting ---- */

static int start_fetch(net_context *ctx, inflight_fetch *fetch, uint32_t deadline_ms)
{
	upstream_set *set = target_set(ctx, fetch->key.target);
	owndns_server_addr servers[UPSTREAM_MAX];
	uint32_t first_timeouts[UPSTREAM_MAX];
	owndns_txn_params p;
	if (!set || set->count == 0)
		return OWNDNS_CLIENT_ENOSERVER;
	if (!ctx->forwarding->io)
		return OWNDNS_CLIENT_ESOCKET; /* shut down */
	fetch_run *run = calloc(1, sizeof(*run));
	if (!run)
		return OWNDNS_ENOMEM;
	run->ctx = ctx;
	run->fetch = fetch;
	lock_upstreams(ctx);
	run->count = upstream_set_order(set, uv_now(ctx->loop), run->order);
	/* A short first try is there to move on to the next upstream soon.  With one
	 * upstream there is nowhere to move, and as only the try sent last may answer,
	 * an early retry would only throw away the answer it may still be resolving. */
	for (unsigned i = 0; i < run->count; i++)
		first_timeouts[i] = run->count == 1 ? UPSTREAM_TRY_TIMEOUT_MS :
				    upstream_try_timeout(set, run->order[i],
							 UPSTREAM_TRY_TIMEOUT_MS);
	unlock_upstreams(ctx);
	/* Addresses never change after start-up: no lock needed to read them. */
	for (unsigned i = 0; i < run->count; i++)
		servers[i] = set->servers[run->order[i]].addr;
	memset(&p, 0, sizeof(p));
	p.qname = fetch->key.qname;
	p.qtype = fetch->key.qtype;
	p.qclass = fetch->key.qclass;
	p.servers = servers;
	p.server_count = run->count;
	p.timeout_ms = UPSTREAM_TRY_TIMEOUT_MS;
	if (deadline_ms < p.timeout_ms)
		p.timeout_ms = deadline_ms;
	p.tries = UPSTREAM_ROUNDS;
	p.deadline_ms = deadline_ms;
	p.first_timeout_ms = first_timeouts;
	p.flags = OWNDNS_QUERY_RD | OWNDNS_QUERY_EDNS;
	if (fetch->key.flags & INFLIGHT_DO)
		p.flags |= OWNDNS_QUERY_DO;
	if (fetch->key.flags & INFLIGHT_CD)
		p.flags |= OWNDNS_QUERY_CD;
	p.flags |= OWNDNS_QUERY_TCP_TC_FAILS;
	p.udp_size = OWNDNS_EDNS_UDP_DEFAULT;
	/* Every try, to the next server or the same one again, with an ID of its own
	 * (RFC 5452 §9.2: as many unknowns as we can give a spoofer). */
	fresh_id(ctx->forwarding, &p.id);
	p.new_id = fresh_id;
	p.new_id_arg = ctx->forwarding;
	int rc = upstream_query_start(ctx->forwarding->io, &p, on_fetch_done, run, &run->query);
	if (rc) {
		free(run);
		return rc;
	}
	fetch->driver = run;
	return OWNDNS_OK;
}

static net_waiter *waiter_new(net_context *ctx, const server_forward *fwd,
			      const net_origin *origin)
{
	forward_waiter *fw = calloc(1, sizeof(*fw));
	if (!fw)
		return NULL;
	fw->arrived_ms = uv_now(ctx->loop);
	net_waiter *w = &fw->base;
	w->client = fwd->client;
	w->tcp = origin->tcp;
	if (origin->tcp) {
		w->conn = origin->conn;
		return w;
	}
	w->udp = origin->udp;
	if (origin->client_len > sizeof(w->peer) || origin->control_len > sizeof(w->control)) {
		waiter_release(NULL, w);
		return NULL;
	}
	memcpy(&w->peer, origin->client, origin->client_len);
	w->peer_len = origin->client_len;
	if (origin->control) {
		memcpy(w->control, origin->control, origin->control_len);
		w->control_len = origin->control_len;
	}
	return w;
}

/* The answer when the query cannot wait: stale data or SERVFAIL. */
static size_t answer_now(net_context *ctx, const server_forward *fwd)
{
	return server_answer_upstream(ctx->view, &fwd->client, fwd->key.target, NULL, 0,
				      net_now_s(ctx), ctx->answer_buf, sizeof(ctx->answer_buf));
}

size_t net_forward(net_context *ctx, const server_forward *fwd, const net_origin *origin)
{
	net_forwarding *f = ctx->forwarding;
	inflight_fetch *fetch;
	bool created;

	if (!f)
		return answer_now(ctx, fwd);
	net_waiter *w = waiter_new(ctx, fwd, origin);
	if (!w)
		return answer_now(ctx, fwd);
	int rc = inflight_join(&f->table, &fwd->key, &w->link, &fetch, &created);
	if (rc) {
		waiter_release(f, w);
		log_debug(ctx->log, "query not sent upstream: %s", owndns_strerror(rc));
		return answer_now(ctx, fwd);
	}
	if (created) {
		rc = start_fetch(ctx, fetch, UPSTREAM_DEADLINE_MS);
		if (rc) {
			inflight_leave(&f->table, &w->link);
			inflight_finish(&f->table, fetch);
			inflight_fetch_free(fetch);
			waiter_release(f, w);
			log_warn(ctx->log, "cannot start an upstream query: %s",
				 owndns_client_strerror(rc));
			return answer_now(ctx, fwd);
		}
	}
	if (w->tcp)
		tcp_conn_track(w->conn, w);
	stale_watch(ctx, forward_waiter_of(w));
	return 0;
}

void net_forward_cancel(net_context *ctx, net_waiter *w)
{
	if (ctx->forwarding)
		inflight_leave(&ctx->forwarding->table, &w->link);
	waiter_free(ctx->forwarding, w);
}

void net_forwarding_shutdown(net_context *ctx)
{
	net_forwarding *f = ctx->forwarding;
	inflight_fetch *fetch;
	if (!f)
		return;
	while ((fetch = inflight_any(&f->table)) != NULL) {
		inflight_finish(&f->table, fetch);
		inflight_waiter *link;
		while ((link = inflight_pop_waiter(&f->table, fetch)) != NULL)
			waiter_free(f, waiter_of(link));
		fetch_run *run = fetch->driver;
		if (run) {
			upstream_query_cancel(run->query);
			free(run);
		}
		inflight_fetch_free(fetch);
	}
	upstream_io_close(f->io);
	f->io = NULL;
	if (f->stale_timer_open) {
		uv_timer_stop(&f->stale_timer);
		uv_close((uv_handle_t *)&f->stale_timer, NULL);
		f->stale_timer_open = false;
	}
}
