/* A worker: one thread with its own libuv loop, its own UDP and TCP listeners on every
 * listen address (SO_REUSEPORT when there are several workers: the kernel spreads the
 * clients over them), its own upstream queries and in-flight table, and its own copy
 * of the server_view.  Identical questions are shared upstream within one worker only:
 * two workers asking the same question at the same moment ask it twice.
 * Shared with the other workers, never written by them: the zones, local data and ACL
 * (read-only), the cache (thread-safe, cache.h), the upstreams' health (behind the
 * daemon's mutex, net.h).
 * Zones: the daemon publishes a new set with net_worker_publish_zones; the worker
 * switches to it between two callbacks (no query is in progress then) and reports the
 * generation it now uses; the daemon frees an old set once every worker's generation
 * has passed it, and is told when that may be through `notify`.
 * Signals are blocked in workers: the daemon's thread handles them. */
#ifndef OWNDNS_SERVER_NET_WORKER_H
#define OWNDNS_SERVER_NET_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "net.h"

struct zone_set;

typedef struct net_worker_config {
	const server_view *view;      /* shared modules; its zones field is not used */
	const struct zone_set *zones; /* the zones at start, generation 0 */
	const struct sockaddr_storage *listen;
	size_t listen_count;
	const server_log *log;
	net_limits limits;            /* this worker's (connections already divided) */
	bool forwarding;              /* recursion on: queries may go upstream */
	bool reuseport;
	bool quiet_listen;            /* no "listening on" lines (the first worker logs them) */
	pthread_mutex_t *upstream_lock; /* NULL with one worker */
	uv_async_t *notify;           /* the daemon's loop: a worker moved to new zones */
} net_worker_config;

typedef struct net_worker net_worker;

/* Creates the loop and opens the listeners in the calling thread, so that start-up
 * errors are known before anything serves (logged, "cannot listen on ..."). Returns 0,
 * or -1 with nothing left to clean up but net_worker_free. */
int net_worker_open(const net_worker_config *cfg, net_worker **out);

/* Starts the worker's thread, with every signal blocked.  Returns 0 or -1 (logged). */
int net_worker_start(net_worker *w);

/* Hands the worker a new zone set; it moves to it at its next turn of the loop.
 * Generations grow with every reload.  Any thread. */
void net_worker_publish_zones(net_worker *w, const struct zone_set *zones,
			      uint64_t generation);

/* The generation of the zones the worker uses now: the sets of older generations are
 * no longer read by it.  Any thread. */
uint64_t net_worker_zones_generation(const net_worker *w);

/* Asks the worker to close its listeners and connections (unsent answers dropped) and
 * to end its thread.  Any thread; safe to call twice. */
void net_worker_stop(net_worker *w);

/* Stops (if needed) and waits for the thread, then frees everything (NULL is fine). */
void net_worker_free(net_worker *w);

#endif
