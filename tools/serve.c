/* owndns serve: the daemon.  Reads its keys, checks what the option table cannot
 * (zone=ORIGIN:PATH, features not implemented yet), and hands a daemon_config to
 * server/daemon.c, which does the serving. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <owndns/name.h>

#include "../server/daemon.h"
#include "../server/log.h"
#include "subcommand.h"

#define DNS_PORT 53
#define TCP_IDLE_TIMEOUT_MAX_S 3600
#define TCP_MAX_CONNECTIONS_MAX 1000000
#define THREADS_MAX 1024

static const option_spec serve_keys[] = {
	{ "listen", OPTION_ADDR, "127.0.0.1@53 ::1@53", true,
	  "address[@port] to answer on, over UDP and TCP", NULL, 0, 0 },
	{ "zone", OPTION_STRING, NULL, true,
	  "ORIGIN:PATH of a zone file to answer from authoritatively", NULL, 0, 0 },
	{ "recursion", OPTION_BOOL, "no", false,
	  "resolve names of other zones (not implemented yet: only no)", NULL, 0, 0 },
	{ "forward", OPTION_ADDR, NULL, true,
	  "upstream server to forward to (not implemented yet)", NULL, 0, 0 },
	{ "tcp-idle-timeout", OPTION_INT, "10", false,
	  "seconds a TCP connection may stay without a complete query", NULL, 1,
	  TCP_IDLE_TIMEOUT_MAX_S },
	{ "tcp-max-connections", OPTION_INT, "1000", false,
	  "TCP connections open at once; at the limit the oldest idle one is closed", NULL, 1,
	  TCP_MAX_CONNECTIONS_MAX },
	{ "udp-max-size", OPTION_INT, "1232", false,
	  "largest response sent over UDP (octets; larger ones are truncated, TC=1)", NULL,
	  512, 65535 },
	{ "log-level", OPTION_CHOICE, "info", false, "least severe messages logged to stderr",
	  LOG_LEVEL_CHOICES, 0, 0 },
	{ "threads", OPTION_INT, "1", false, "event loop threads (only 1 for now)", NULL, 1,
	  THREADS_MAX },
	{ "pid-file", OPTION_PATH, NULL, false, "file to write the process ID to", NULL, 0, 0 },
	OPTION_SPEC_END
};

/* Everything daemon_config points to. */
typedef struct serve_setup {
	daemon_config config;
	struct sockaddr_storage *listen;
	daemon_zone_config *zones;
	char **zone_texts; /* zone= values cut at the ':' */
	size_t zone_text_count;
} serve_setup;

static void report(const options *opts, const char *key, size_t i, const char *problem)
{
	char where[512];
	fprintf(stderr, "owndns serve: %s: bad value '%s' for key '%s': %s\n",
		options_where(opts, key, i, where, sizeof(where)), options_get_nth(opts, key, i),
		key, problem);
}

static int reject_unimplemented(const options *opts)
{
	if (options_get_bool(opts, "recursion", false)) {
		report(opts, "recursion", 0, "recursion is not implemented yet");
		return -1;
	}
	if (options_count(opts, "forward")) {
		report(opts, "forward", 0, "forwarding is not implemented yet");
		return -1;
	}
	if (options_get_int(opts, "threads", 1) != 1) {
		report(opts, "threads", 0, "only threads=1 is implemented yet");
		return -1;
	}
	return 0;
}

static int setup_listen(serve_setup *s, const options *opts)
{
	size_t n = options_count(opts, "listen");
	s->listen = calloc(n ? n : 1, sizeof(*s->listen));
	if (!s->listen)
		return -1;
	for (size_t i = 0; i < n; i++) {
		socklen_t len;
		if (options_parse_addr(options_get_nth(opts, "listen", i), DNS_PORT,
				       &s->listen[i], &len)) {
			report(opts, "listen", i, "expected an address[@port]");
			return -1;
		}
	}
	s->config.listen = s->listen;
	s->config.listen_count = n;
	return 0;
}

/* "example.com.:/etc/zones/example.com": the origin ends at the first ':' (a path is
 * likelier to hold one than a domain name). */
static int setup_one_zone(serve_setup *s, const options *opts, size_t i)
{
	const char *text = options_get_nth(opts, "zone", i);
	const char *colon = strchr(text, ':');
	if (!colon || colon == text || colon[1] == '\0') {
		report(opts, "zone", i, "expected ORIGIN:PATH");
		return -1;
	}
	uint8_t origin[OWNDNS_NAME_MAX];
	size_t origin_len;
	int rc = owndns_name_from_text(text, (size_t)(colon - text), NULL, origin, &origin_len);
	if (rc) {
		char problem[256];
		snprintf(problem, sizeof(problem), "origin: %s", owndns_strerror(rc));
		report(opts, "zone", i, problem);
		return -1;
	}
	char *copy = strdup(text);
	if (!copy)
		return -1;
	s->zone_texts[s->zone_text_count++] = copy;
	copy[colon - text] = '\0';
	s->zones[i].origin = copy;
	s->zones[i].path = copy + (colon - text) + 1;
	return 0;
}

static int setup_zones(serve_setup *s, const options *opts)
{
	size_t n = options_count(opts, "zone");
	s->zones = calloc(n ? n : 1, sizeof(*s->zones));
	s->zone_texts = calloc(n ? n : 1, sizeof(*s->zone_texts));
	if (!s->zones || !s->zone_texts)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (setup_one_zone(s, opts, i))
			return -1;
	s->config.zones = s->zones;
	s->config.zone_count = n;
	return 0;
}

static void setup_limits(net_limits *limits, const options *opts)
{
	limits->udp_max_size = (size_t)options_get_int(opts, "udp-max-size",
						       NET_DEFAULT_UDP_MAX_SIZE);
	limits->tcp_idle_timeout_ms =
		1000u * (uint64_t)options_get_int(opts, "tcp-idle-timeout",
						  NET_DEFAULT_TCP_IDLE_TIMEOUT_S);
	limits->tcp_max_connections = (size_t)options_get_int(opts, "tcp-max-connections",
							      NET_DEFAULT_TCP_MAX_CONNECTIONS);
	limits->tcp_max_query = NET_DEFAULT_TCP_MAX_QUERY;
	limits->tcp_max_pending_write = NET_DEFAULT_TCP_MAX_PENDING_WRITE;
}

static void setup_free(serve_setup *s)
{
	for (size_t i = 0; i < s->zone_text_count; i++)
		free(s->zone_texts[i]);
	free(s->zone_texts);
	free(s->zones);
	free(s->listen);
}

static int serve_run(const options *opts)
{
	serve_setup s = { 0 };
	server_log log = { LOG_LEVEL_INFO, stderr, "owndns serve" };
	int status = 1;

	if (log_level_from_text(options_get(opts, "log-level"), &log.level))
		log.level = LOG_LEVEL_INFO;
	if (reject_unimplemented(opts))
		goto done;
	if (setup_listen(&s, opts) || setup_zones(&s, opts)) {
		if (!s.listen || !s.zones || !s.zone_texts)
			fprintf(stderr, "owndns serve: out of memory\n");
		goto done;
	}
	setup_limits(&s.config.limits, opts);
	s.config.recursion = false;
	s.config.pid_file = options_get(opts, "pid-file");
	status = daemon_run(&s.config, &log);
done:
	setup_free(&s);
	return status;
}

const subcommand subcommand_serve = {
	.name = "serve",
	.summary = "run the DNS server daemon (authoritative zones; recursion comes later)",
	.description = "Answers DNS queries over UDP and TCP from zone files (zone=ORIGIN:PATH).\n"
	"Recursion and forwarding are not implemented yet: recursion=no is the only\n"
	"choice, and names outside the zones are REFUSED.  SIGHUP re-reads the zone\n"
	"files (a zone that fails to load keeps its previous version); SIGTERM or\n"
	"SIGINT stops the daemon cleanly.",
	.keys = serve_keys,
	.run = serve_run,
};
