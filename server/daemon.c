/* The event loop of `owndns serve`: start-up, signals, reload, shutdown (daemon.h). */
#include "daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <owndns/error.h>

#include "cache/cache.h"
#include "forward/upstream.h"
#include "local/local_data.h"
#include "net/forwarding.h"
#include "net/listener.h"
#include "net/tcp.h"
#include "policy/acl.h"

typedef struct server_daemon {
	uv_loop_t loop;
	const daemon_config *config;
	const server_log *log;
	server_view view;
	struct zone_set *zones; /* what view.zones points to; owned */
	local_data *local;      /* view.local; owned */
	acl *acl;               /* view.acl; owned */
	cache *cache;           /* view.cache; owned */
	forwarders forward;     /* view.forward; owned */
	net_context *net;
	listener **listeners;
	size_t listener_count;
	uv_signal_t sig_hup, sig_term, sig_int;
	bool signals_started;
	bool pid_file_written;
	bool closing;
} server_daemon;

/* ---- pid file ---- */

static int write_pid_file(server_daemon *d)
{
	const char *path = d->config->pid_file;
	if (!path)
		return 0;
	FILE *f = fopen(path, "w");
	if (!f) {
		log_error(d->log, "cannot write pid file %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f)) {
		log_error(d->log, "cannot write pid file %s: %s", path, strerror(errno));
		unlink(path);
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
		log_error(d->log, "not starting: the zones did not load (%s)",
			  owndns_strerror(rc));
		return -1;
	}
	d->view.zones = d->zones;
	return 0;
}

/* Signal callbacks run on the loop between two I/O callbacks, so no query is in the
 * middle of reading the zones while they are swapped. */
static void reload_zones(server_daemon *d)
{
	const daemon_config *cfg = d->config;
	struct zone_set *fresh = NULL;
	log_info(d->log, "reload: reading %zu zone file%s", cfg->zone_count,
		 cfg->zone_count == 1 ? "" : "s");
	int rc = daemon_zones_load(cfg->zones, cfg->zone_count, d->zones, d->log, &fresh);
	if (rc) {
		log_error(d->log, "reload failed (%s): still serving the previous zones",
			  owndns_strerror(rc));
		return;
	}
	struct zone_set *old = d->zones;
	d->zones = fresh;
	d->view.zones = fresh;
	daemon_zones_free(old);
	log_info(d->log, "reload: done");
}

/* ---- listeners ---- */

static int open_listeners(server_daemon *d)
{
	const daemon_config *cfg = d->config;
	d->listeners = calloc(cfg->listen_count ? cfg->listen_count : 1, sizeof(*d->listeners));
	if (!d->listeners) {
		log_error(d->log, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < cfg->listen_count; i++) {
		char err[512];
		listener *l;
		if (listener_open(d->net, (const struct sockaddr *)&cfg->listen[i], &l, err,
				  sizeof(err))) {
			log_error(d->log, "%s", err);
			return -1;
		}
		d->listeners[d->listener_count++] = l;
	}
	return 0;
}

/* ---- shutdown ---- */

static void on_handle_closed(uv_handle_t *handle)
{
	(void)handle;
}

/* Closes listeners and connections; the loop then ends on its own.  The signal
 * handlers stay (unreferenced, so they do not keep the loop running): a second SIGTERM
 * during shutdown must not fall back to the default action and kill us half-way.
 * Safe to call twice. */
static void close_everything(server_daemon *d)
{
	if (d->closing)
		return;
	d->closing = true;
	for (size_t i = 0; i < d->listener_count; i++)
		listener_close(d->listeners[i]);
	d->listener_count = 0;
	if (d->net) {
		net_forwarding_shutdown(d->net);
		tcp_close_connections(d->net);
	}
	if (d->signals_started) {
		uv_unref((uv_handle_t *)&d->sig_hup);
		uv_unref((uv_handle_t *)&d->sig_term);
		uv_unref((uv_handle_t *)&d->sig_int);
	}
}

static void close_signals(server_daemon *d)
{
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

static int start(server_daemon *d)
{
	if (load_zones_at_start(d) || build_resolver(d))
		return -1;
	d->net = malloc(sizeof(*d->net));
	if (!d->net) {
		log_error(d->log, "out of memory");
		return -1;
	}
	net_context_init(d->net, &d->loop, &d->view, d->log, &d->config->limits);
	if (d->config->recursion && net_forwarding_init(d->net)) {
		log_error(d->log, "out of memory");
		return -1;
	}
	if (open_listeners(d) || start_signals(d) || write_pid_file(d))
		return -1;
	log_info(d->log, "ready: %zu zone%s, %zu listen address%s, recursion %s",
		 d->config->zone_count, d->config->zone_count == 1 ? "" : "s",
		 d->listener_count, d->listener_count == 1 ? "" : "es",
		 d->config->recursion ? "yes (forwarding)" : "no");
	return 0;
}

/* Runs the loop until every handle is closed, then releases the rest. */
static void finish(server_daemon *d)
{
	close_everything(d);
	uv_run(&d->loop, UV_RUN_DEFAULT);
	close_signals(d);
	uv_run(&d->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&d->loop))
		log_warn(d->log, "event loop closed with handles still open");
	remove_pid_file(d);
	free(d->listeners);
	if (d->net)
		net_forwarding_free(d->net);
	free(d->net);
	daemon_zones_free(d->zones);
	local_data_free(d->local);
	acl_free(d->acl);
	cache_free(d->cache);
	forwarders_free(&d->forward);
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
	d->view.recursion = config->recursion;
	d->view.udp_max = (uint16_t)config->limits.udp_max_size;
	int rc = uv_loop_init(&d->loop);
	if (rc) {
		log_error(log, "cannot start the event loop: %s", uv_strerror(rc));
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
