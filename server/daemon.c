/* The event loop of `owndns serve`: start-up, signals, reload, shutdown (daemon.h). */
#include "daemon.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <owndns/error.h>

#include "cache/cache.h"
#include "forward/upstream.h"
#include "local/local_data.h"
#include "net/listener.h"
#include "net/worker.h"
#include "policy/acl.h"

/* A zone set replaced by a reload, freed once no worker reads it. */
typedef struct retired_zones {
	struct zone_set *set;
	uint64_t generation; /* the first generation that no longer uses it */
	struct retired_zones *next;
} retired_zones;

typedef struct server_daemon {
	uv_loop_t loop; /* signals and worker notifications only; workers serve */
	const daemon_config *config;
	const server_log *log;
	server_view view;       /* the shared modules; each worker copies it */
	struct zone_set *zones; /* the newest set; owned */
	uint64_t zones_generation;
	retired_zones *retired; /* older sets still read by some worker; owned */
	local_data *local;      /* view.local; owned */
	acl *acl;               /* view.acl; owned */
	cache *cache;           /* view.cache; owned */
	forwarders forward;     /* view.forward; owned */
	pthread_mutex_t upstream_lock;
	net_worker **workers;
	unsigned worker_count;
	uv_async_t notify;      /* a worker moved to newer zones */
	bool notify_started;
	uv_signal_t sig_hup, sig_term, sig_int;
	bool signals_started;
	bool pid_file_written;
	bool closing;
} server_daemon;

/* ---- pid file ---- */

/* Written whole under a temporary name and renamed, once the listening sockets are
 * bound and before the workers answer: whoever sees the daemon answer finds the file,
 * never a half-written one. */
static int write_pid_file(server_daemon *d)
{
	const char *path = d->config->pid_file;
	char tmp[PATH_MAX];
	if (!path)
		return 0;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		log_error(d->log, "cannot write pid file %s: name too long", path);
		return -1;
	}
	FILE *f = fopen(tmp, "w");
	if (!f) {
		log_error(d->log, "cannot write pid file %s: %s", tmp, strerror(errno));
		return -1;
	}
	bool written = fprintf(f, "%ld\n", (long)getpid()) > 0;
	if (fclose(f) || !written || rename(tmp, path)) {
		log_error(d->log, "cannot write pid file %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	d->pid_file_written = true;
	return 0;
}

static void remove_pid_file(server_daemon *d)
{
	if (d->pid_file_written && unlink(d->config->pid_file))
		log_warn(d->log, "cannot remove pid file %s: %s", d->config->pid_file,
			 strerror(errno));
	d->pid_file_written = false;
}

/* ---- zones ---- */

static int load_zones_at_start(server_daemon *d)
{
	const daemon_config *cfg = d->config;
	int rc = daemon_zones_load(cfg->zones, cfg->zone_count, NULL, d->log, &d->zones);
	if (rc) {
		log_error(d->log, "not starting: a zone did not load");
		return -1;
	}
	return 0;
}

/* Frees the retired sets that every worker has moved past. */
static void free_unused_zones(server_daemon *d)
{
	uint64_t oldest = d->zones_generation;
	for (unsigned i = 0; i < d->worker_count; i++) {
		uint64_t g = net_worker_zones_generation(d->workers[i]);
		if (g < oldest)
			oldest = g;
	}
	retired_zones **link = &d->retired;
	while (*link) {
		retired_zones *r = *link;
		if (r->generation <= oldest) {
			*link = r->next;
			daemon_zones_free(r->set);
			free(r);
		} else {
			link = &r->next;
		}
	}
}

static void on_worker_notify(uv_async_t *handle)
{
	free_unused_zones(handle->data);
}

/* The new set is published to every worker, which switches between two of its
 * callbacks, so a query sees either all old or all new data; the old set is freed once
 * every worker has said it switched (on_worker_notify). */
static void reload_zones(server_daemon *d)
{
	const daemon_config *cfg = d->config;
	struct zone_set *fresh = NULL;
	log_info(d->log, "reload: reading %zu zone file%s", cfg->zone_count,
		 cfg->zone_count == 1 ? "" : "s");
	retired_zones *r = malloc(sizeof(*r));
	int rc = r ? daemon_zones_load(cfg->zones, cfg->zone_count, d->zones, d->log, &fresh)
		   : OWNDNS_ENOMEM;
	if (rc) {
		free(r);
		log_error(d->log, "reload failed (%s): still serving the previous zones",
			  owndns_strerror(rc));
		return;
	}
	r->set = d->zones;
	r->generation = ++d->zones_generation;
	r->next = d->retired;
	d->retired = r;
	d->zones = fresh;
	for (unsigned i = 0; i < d->worker_count; i++)
		net_worker_publish_zones(d->workers[i], fresh, d->zones_generation);
	log_info(d->log, "reload: done");
}

/* ---- workers ---- */

/* With several workers the listeners share their ports (SO_REUSEPORT), which would
 * also let another server of the same user in: check first that nobody is there. */
static int check_ports_free(server_daemon *d)
{
	const daemon_config *cfg = d->config;
	for (size_t i = 0; i < cfg->listen_count; i++) {
		char err[512];
		if (listener_check_free((const struct sockaddr *)&cfg->listen[i], err,
					sizeof(err))) {
			log_error(d->log, "%s", err);
			return -1;
		}
	}
	return 0;
}

static void worker_config(server_daemon *d, net_worker_config *wc)
{
	const daemon_config *cfg = d->config;
	unsigned n = d->worker_count;
	memset(wc, 0, sizeof(*wc));
	wc->view = &d->view;
	wc->zones = d->zones;
	wc->listen = cfg->listen;
	wc->listen_count = cfg->listen_count;
	wc->log = d->log;
	wc->limits = cfg->limits;
	/* tcp-max-connections holds over all workers: each gets its share. */
	wc->limits.tcp_max_connections = (cfg->limits.tcp_max_connections + n - 1) / n;
	wc->forwarding = cfg->recursion;
	wc->reuseport = n > 1;
	wc->upstream_lock = n > 1 ? &d->upstream_lock : NULL;
	wc->notify = &d->notify;
}

/* Opens every worker's listeners first, then starts the threads: nothing serves
 * before everything could be opened. */
static int start_workers(server_daemon *d)
{
	unsigned n = d->config->threads ? d->config->threads : 1;
	net_worker_config wc;
	d->workers = calloc(n, sizeof(*d->workers));
	if (!d->workers) {
		log_error(d->log, "out of memory");
		return -1;
	}
	d->worker_count = n;
	if (n > 1 && check_ports_free(d))
		return -1;
	worker_config(d, &wc);
	for (unsigned i = 0; i < n; i++) {
		if (net_worker_open(&wc, &d->workers[i]))
			return -1;
		wc.quiet_listen = true;
	}
	/* The sockets are ours now, and nothing is answered yet: a daemon that could not
	 * bind never touches the pid file of one that runs. */
	if (write_pid_file(d))
		return -1;
	for (unsigned i = 0; i < n; i++)
		if (net_worker_start(d->workers[i]))
			return -1;
	return 0;
}

static void free_workers(server_daemon *d)
{
	for (unsigned i = 0; i < d->worker_count; i++)
		net_worker_free(d->workers[i]);
	free(d->workers);
	d->workers = NULL;
	d->worker_count = 0;
}

/* ---- shutdown ---- */

static void on_handle_closed(uv_handle_t *handle)
{
	(void)handle;
}

/* Asks every worker to close its listeners and connections; the daemon's loop then
 * ends on its own.  The signal handlers stay (unreferenced, so they do not keep the
 * loop running): a second SIGTERM during shutdown must not fall back to the default
 * action and kill us half-way.  Safe to call twice. */
static void close_everything(server_daemon *d)
{
	if (d->closing)
		return;
	d->closing = true;
	for (unsigned i = 0; i < d->worker_count; i++)
		net_worker_stop(d->workers[i]);
	if (d->notify_started)
		uv_unref((uv_handle_t *)&d->notify);
	if (d->signals_started) {
		uv_unref((uv_handle_t *)&d->sig_hup);
		uv_unref((uv_handle_t *)&d->sig_term);
		uv_unref((uv_handle_t *)&d->sig_int);
	}
}

/* After the workers have ended: nobody sends to `notify` any more. */
static void close_handles(server_daemon *d)
{
	if (d->notify_started)
		uv_close((uv_handle_t *)&d->notify, on_handle_closed);
	d->notify_started = false;
	if (!d->signals_started)
		return;
	uv_close((uv_handle_t *)&d->sig_hup, on_handle_closed);
	uv_close((uv_handle_t *)&d->sig_term, on_handle_closed);
	uv_close((uv_handle_t *)&d->sig_int, on_handle_closed);
	d->signals_started = false;
}

/* ---- signals ---- */

static void on_signal(uv_signal_t *handle, int signum)
{
	server_daemon *d = handle->data;
	if (signum == SIGHUP) {
		if (!d->closing)
			reload_zones(d);
		return;
	}
	if (d->closing)
		return;
	log_info(d->log, "shutting down (%s)", signum == SIGTERM ? "SIGTERM" : "SIGINT");
	close_everything(d);
}

static int start_signals(server_daemon *d)
{
	uv_signal_t *handles[] = { &d->sig_hup, &d->sig_term, &d->sig_int };
	const int signums[] = { SIGHUP, SIGTERM, SIGINT };
	/* A client that goes away must not kill the daemon through a write. */
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < 3; i++) {
		uv_signal_init(&d->loop, handles[i]);
		handles[i]->data = d;
	}
	d->signals_started = true;
	for (size_t i = 0; i < 3; i++) {
		int rc = uv_signal_start(handles[i], on_signal, signums[i]);
		if (rc) {
			log_error(d->log, "cannot handle signals: %s", uv_strerror(rc));
			return -1;
		}
	}
	return 0;
}

/* ---- the whole run ---- */

/* ---- the resolver's modules ---- */

static int build_resolver(server_daemon *d)
{
	const daemon_config *cfg = d->config;
	const daemon_resolver_config *rc = &cfg->resolver;
	if (daemon_acl_build(rc, cfg->recursion, d->log, &d->acl))
		return -1;
	d->view.acl = d->acl;
	if (!cfg->recursion)
		return 0;
	if (daemon_local_build(rc, cfg->zones, cfg->zone_count, d->log, &d->local)) {
		log_error(d->log, "not starting: the local data did not load");
		return -1;
	}
	if (daemon_cache_build(rc, d->log, &d->cache) ||
	    daemon_forwarders_build(rc, cfg->listen, cfg->listen_count, d->log, &d->forward))
		return -1;
	d->view.local = d->local;
	d->view.cache = d->cache;
	d->view.forward = &d->forward;
	d->view.serve_stale = rc->serve_stale;
	d->view.ttl_limits.min_ttl = rc->cache.min_ttl;
	d->view.ttl_limits.max_ttl = rc->cache.max_ttl;
	d->view.ttl_limits.max_negative_ttl = rc->cache.max_negative_ttl;
	log_info(d->log, "local data: %zu name%s", local_data_name_count(d->local),
		 local_data_name_count(d->local) == 1 ? "" : "s");
	return 0;
}

static int start_notify(server_daemon *d)
{
	int rc = uv_async_init(&d->loop, &d->notify, on_worker_notify);
	if (rc) {
		log_error(d->log, "cannot start the event loop: %s", uv_strerror(rc));
		return -1;
	}
	d->notify.data = d;
	d->notify_started = true;
	return 0;
}

static int start(server_daemon *d)
{
	if (load_zones_at_start(d) || build_resolver(d))
		return -1;
	if (start_notify(d) || start_signals(d) || start_workers(d))
		return -1;
	log_info(d->log, "ready: %zu zone%s, %zu listen address%s, recursion %s, %u thread%s",
		 d->config->zone_count, d->config->zone_count == 1 ? "" : "s",
		 d->config->listen_count, d->config->listen_count == 1 ? "" : "es",
		 d->config->recursion ? "yes (forwarding)" : "no", d->worker_count,
		 d->worker_count == 1 ? "" : "s");
	return 0;
}

static void free_all_zones(server_daemon *d)
{
	while (d->retired) {
		retired_zones *r = d->retired;
		d->retired = r->next;
		daemon_zones_free(r->set);
		free(r);
	}
	daemon_zones_free(d->zones);
	d->zones = NULL;
}

/* Runs the loop until every handle is closed, then releases the rest. */
static void finish(server_daemon *d)
{
	close_everything(d);
	uv_run(&d->loop, UV_RUN_DEFAULT);
	free_workers(d);
	close_handles(d);
	uv_run(&d->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&d->loop))
		log_warn(d->log, "event loop closed with handles still open");
	remove_pid_file(d);
	free_all_zones(d);
	local_data_free(d->local);
	acl_free(d->acl);
	cache_free(d->cache);
	forwarders_free(&d->forward);
	pthread_mutex_destroy(&d->upstream_lock);
}

/* Every upstream query allocates and frees its state; with glibc's default trim
 * threshold (128 KiB) a worker's heap was returned to the kernel and faulted back in
 * about once every four cache misses (one madvise each).  Keeping up to 1 MiB of freed
 * heap per arena costs little memory and removes that churn. */
static void keep_freed_heap(void)
{
#ifdef M_TRIM_THRESHOLD
	mallopt(M_TRIM_THRESHOLD, 1 << 20);
#endif
}

/* Every upstream query holds a socket until it is answered: allow as many descriptors
 * as the administrator's hard limit does.  Once per process, before the
 * workers start; a failure keeps the old limit. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int daemon_run(const daemon_config *config, const server_log *log)
{
	server_daemon *d = calloc(1, sizeof(*d));
	if (!d) {
		log_error(log, "out of memory");
		return 1;
	}
	d->config = config;
	d->log = log;
	keep_freed_heap();
	raise_fd_limit();
	d->view.recursion = config->recursion;
	d->view.udp_max = (uint16_t)config->limits.udp_max_size;
	pthread_mutex_init(&d->upstream_lock, NULL);
	int rc = uv_loop_init(&d->loop);
	if (rc) {
		log_error(log, "cannot start the event loop: %s", uv_strerror(rc));
		pthread_mutex_destroy(&d->upstream_lock);
		free(d);
		return 1;
	}
	int status = 0;
	if (start(d) == 0)
		uv_run(&d->loop, UV_RUN_DEFAULT);
	else
		status = 1;
	finish(d);
	free(d);
	return status;
}
