/* One serving thread with its own loop and listeners (worker.h). */
#include "worker.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <owndns/client.h>

#include "forwarding.h"
#include "listener.h"
#include "tcp.h"

struct net_worker {
	uv_loop_t loop;
	uv_async_t wake; /* stop, or new zones */
	bool loop_ready, wake_ready;
	server_view view;
	net_context *net;
	listener **listeners;
	size_t listener_count;
	const server_log *log;
	uv_async_t *notify;
	pthread_t thread;
	bool thread_started;
	bool closed;       /* listeners and connections closed (loop thread only) */
	/* Written by the daemon, read by the worker, under `lock`. */
	pthread_mutex_t lock;
	const struct zone_set *pending_zones;
	uint64_t pending_generation;
	_Atomic uint64_t zones_generation;
	atomic_bool stop;
};

/* Closes what keeps the loop running; runs on the loop's thread. */
static void close_all(net_worker *w)
{
	if (w->closed)
		return;
	w->closed = true;
	for (size_t i = 0; i < w->listener_count; i++)
		listener_close(w->listeners[i]);
	w->listener_count = 0;
	if (w->net) {
		net_forwarding_shutdown(w->net);
		tcp_close_connections(w->net);
	}
	if (w->wake_ready)
		uv_close((uv_handle_t *)&w->wake, NULL);
}

static void take_new_zones(net_worker *w)
{
	pthread_mutex_lock(&w->lock);
	uint64_t generation = w->pending_generation;
	bool fresh = generation > atomic_load(&w->zones_generation);
	if (fresh)
		w->view.zones = w->pending_zones;
	pthread_mutex_unlock(&w->lock);
	if (!fresh)
		return;
	/* Release: every read of the old set by this thread came before. */
	atomic_store_explicit(&w->zones_generation, generation, memory_order_release);
	uv_async_send(w->notify);
}

/* Async callbacks run between I/O callbacks, never in the middle of a query. */
static void on_wake(uv_async_t *handle)
{
	net_worker *w = handle->data;
	take_new_zones(w);
	if (atomic_load(&w->stop))
		close_all(w);
}

static int open_listeners(net_worker *w, const net_worker_config *cfg)
{
	w->listeners = calloc(cfg->listen_count ? cfg->listen_count : 1, sizeof(*w->listeners));
	if (!w->listeners) {
		log_error(cfg->log, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < cfg->listen_count; i++) {
		char err[512];
		listener *l;
		if (listener_open(w->net, (const struct sockaddr *)&cfg->listen[i], &l, err,
				  sizeof(err))) {
			log_error(cfg->log, "%s", err);
			return -1;
		}
		w->listeners[w->listener_count++] = l;
	}
	return 0;
}

static int open_context(net_worker *w, const net_worker_config *cfg)
{
	w->net = malloc(sizeof(*w->net));
	if (!w->net) {
		log_error(cfg->log, "out of memory");
		return -1;
	}
	net_context_init(w->net, &w->loop, &w->view, cfg->log, &cfg->limits);
	w->net->upstream_lock = cfg->upstream_lock;
	w->net->reuseport = cfg->reuseport;
	w->net->quiet_listen = cfg->quiet_listen;
	int rc = cfg->forwarding ? net_forwarding_init(w->net) : 0;
	if (rc) {
		/* Out of memory, or no epoll set for the upstream sockets. */
		log_error(cfg->log, "cannot start forwarding: %s", owndns_client_strerror(rc));
		return -1;
	}
	return 0;
}

int net_worker_open(const net_worker_config *cfg, net_worker **out)
{
	net_worker *w = calloc(1, sizeof(*w));
	*out = w;
	if (!w) {
		log_error(cfg->log, "out of memory");
		return -1;
	}
	w->log = cfg->log;
	w->notify = cfg->notify;
	w->view = *cfg->view;
	w->view.zones = cfg->zones;
	atomic_init(&w->zones_generation, 0);
	atomic_init(&w->stop, false);
	pthread_mutex_init(&w->lock, NULL);
	int rc = uv_loop_init(&w->loop);
	if (rc) {
		log_error(cfg->log, "cannot start an event loop: %s", uv_strerror(rc));
		return -1;
	}
	w->loop_ready = true;
	rc = uv_async_init(&w->loop, &w->wake, on_wake);
	if (rc) {
		log_error(cfg->log, "cannot start an event loop: %s", uv_strerror(rc));
		return -1;
	}
	w->wake.data = w;
	w->wake_ready = true;
	if (open_context(w, cfg) || open_listeners(w, cfg))
		return -1;
	return 0;
}

static void *run_loop(void *arg)
{
	net_worker *w = arg;
	uv_run(&w->loop, UV_RUN_DEFAULT);
	return NULL;
}

int net_worker_start(net_worker *w)
{
	sigset_t all, old;
	sigfillset(&all);
	/* The thread inherits the mask: no signal ever lands in a worker. */
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&w->thread, NULL, run_loop, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		log_error(w->log, "cannot start a worker thread: %s", strerror(rc));
		return -1;
	}
	w->thread_started = true;
	return 0;
}

void net_worker_publish_zones(net_worker *w, const struct zone_set *zones,
			      uint64_t generation)
{
	pthread_mutex_lock(&w->lock);
	w->pending_zones = zones;
	w->pending_generation = generation;
	pthread_mutex_unlock(&w->lock);
	uv_async_send(&w->wake);
}

uint64_t net_worker_zones_generation(const net_worker *w)
{
	return atomic_load_explicit(&((net_worker *)w)->zones_generation,
				    memory_order_acquire);
}

void net_worker_stop(net_worker *w)
{
	if (!w || !w->wake_ready || atomic_exchange(&w->stop, true))
		return;
	uv_async_send(&w->wake);
}

void net_worker_free(net_worker *w)
{
	if (!w)
		return;
	if (w->thread_started) {
		net_worker_stop(w);
		pthread_join(w->thread, NULL);
	} else if (w->loop_ready) {
		/* Never ran: close here, in the only thread that touches it. */
		close_all(w);
		uv_run(&w->loop, UV_RUN_DEFAULT);
	}
	if (w->loop_ready && uv_loop_close(&w->loop))
		log_warn(w->log, "event loop closed with handles still open");
	free(w->listeners);
	if (w->net)
		net_forwarding_free(w->net);
	free(w->net);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
