/* owndns serve: the daemon.  Reads its keys, checks what the option table cannot
 * (zone=ORIGIN:PATH, forward-zone=DOMAIN:ADDR,...), and
 * hands a daemon_config to server/daemon.c, which does the serving. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <owndns/client.h>
#include <owndns/name.h>

#include "../server/daemon.h"
#include "../server/log.h"
#include "subcommand.h"

#define DNS_PORT 53
#define TCP_IDLE_TIMEOUT_MAX_S 3600
#define TCP_MAX_CONNECTIONS_MAX 1000000
#define THREADS_MAX 64
/* Below this the cache's fixed tables leave too little room for data. */
#define CACHE_SIZE_MIN (256u * 1024)

static const option_spec serve_keys[] = {
	{ "listen", OPTION_ADDR, "127.0.0.1@53 ::1@53", true,
	  "address[@port] to answer on, over UDP and TCP", NULL, 0, 0 },
	{ "zone", OPTION_STRING, NULL, true,
	  "ORIGIN:PATH of a zone file to answer from authoritatively", NULL, 0, 0 },
	{ "recursion", OPTION_BOOL, "yes", false,
	  "resolve other names (by forwarding for now); no: refuse them", NULL, 0, 0 },
	{ "forward", OPTION_ADDR, NULL, true,
	  "upstream to forward to (default: resolv-conf's nameservers)", NULL, 0, 0 },
	{ "forward-zone", OPTION_STRING, NULL, true,
	  "DOMAIN:ADDR[@PORT][,ADDR...]: upstreams for one domain", NULL, 0, 0 },
	{ "resolv-conf", OPTION_PATH, OWNDNS_RESOLV_DEFAULT_PATH, false,
	  "file whose nameservers are the upstreams when no forward= is given", NULL, 0, 0 },
	{ "cache-size", OPTION_SIZE, "32M", false, "memory for the cache (octets, k/m/g)",
	  NULL, 0, 0 },
	{ "cache-min-ttl", OPTION_TTL, "0", false, "shortest TTL cached", NULL, 0, 0 },
	{ "cache-max-ttl", OPTION_TTL, "86400", false, "longest TTL cached", NULL, 0, 0 },
	{ "cache-max-negative-ttl", OPTION_TTL, "3600", false,
	  "longest TTL of cached NXDOMAIN/NODATA", NULL, 0, 0 },
	{ "rrset-order", OPTION_CHOICE, "fixed", false,
	  "order of an RRset's records from the cache: as received, or rotated per query",
	  "fixed|rotate", 0, 0 },
	{ "serve-stale", OPTION_BOOL, "no", false,
	  "answer expired data (TTL 30, EDE 3) when the upstream has not answered within 1.8 s or fails", NULL, 0, 0 },
	{ "serve-stale-max", OPTION_TTL, "1d", false, "how long after expiry data may be served",
	  NULL, 0, 0 },
	{ "hosts", OPTION_PATH, NULL, true, "hosts file whose names are answered locally", NULL,
	  0, 0 },
	{ "hosts-ttl", OPTION_TTL, "0", false, "TTL of answers from hosts files", NULL, 0, 0 },
	{ "local-data", OPTION_STRING, NULL, true,
	  "\"name TTL IN TYPE rdata\" answered locally", NULL, 0, 0 },
	{ "builtin-local-zones", OPTION_BOOL, "yes", false,
	  "answer localhost and private reverse zones locally", NULL, 0, 0 },
	{ "allow", OPTION_STRING, NULL, true, "CIDR of clients that may ask (localhost always)",
	  NULL, 0, 0 },
	{ "deny", OPTION_STRING, NULL, true, "CIDR of clients refused", NULL, 0, 0 },
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
	{ "threads", OPTION_INT, NULL, false,
	  "worker threads, each with its own event loop and sockets (default: one per CPU)",
	  NULL, 1, THREADS_MAX },
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
	owndns_server_addr *forward;
	daemon_forward_zone *forward_zones;
	owndns_server_addr *forward_zone_servers; /* UPSTREAM_MAX per zone */
	char **forward_zone_domains;
	size_t forward_zone_count;
	const char **hosts;
	daemon_text *local_data, *allow, *deny;
	char (*wheres)[512]; /* "where" texts of local-data, allow and deny */
} serve_setup;

static void report(const options *opts, const char *key, size_t i, const char *problem)
{
	char where[512];
	fprintf(stderr, "owndns serve: %s: bad value '%s' for key '%s': %s\n",
		options_where(opts, key, i, where, sizeof(where)), options_get_nth(opts, key, i),
		key, problem);
}

/* threads= or one per online CPU, at most THREADS_MAX. */
static unsigned thread_count(const options *opts)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus < 1)
		cpus = 1;
	if (cpus > THREADS_MAX)
		cpus = THREADS_MAX;
	return (unsigned)options_get_int(opts, "threads", cpus);
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

/* ---- the resolver's keys ---- */

static int setup_forward(serve_setup *s, const options *opts)
{
	size_t n = options_count(opts, "forward");
	s->forward = calloc(n ? n : 1, sizeof(*s->forward));
	if (!s->forward)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (owndns_server_addr_from_text(options_get_nth(opts, "forward", i), DNS_PORT,
						 &s->forward[i])) {
			report(opts, "forward", i, "expected an address[@port]");
			return -1;
		}
	}
	s->config.resolver.forward = s->forward;
	s->config.resolver.forward_count = n;
	return 0;
}

/* "corp.example:10.0.0.1,10.0.0.2@5353": the domain ends at the first ':' (IPv6
 * addresses come after it). */
static int setup_one_forward_zone(serve_setup *s, const options *opts, size_t i)
{
	const char *text = options_get_nth(opts, "forward-zone", i);
	const char *colon = strchr(text, ':');
	uint8_t name[OWNDNS_NAME_MAX];
	size_t name_len;
	if (!colon || colon == text || colon[1] == '\0') {
		report(opts, "forward-zone", i, "expected DOMAIN:ADDR[@PORT][,ADDR[@PORT]...]");
		return -1;
	}
	if (owndns_name_from_text(text, (size_t)(colon - text), NULL, name, &name_len)) {
		report(opts, "forward-zone", i, "the domain is not a valid name");
		return -1;
	}
	char *copy = strdup(text);
	if (!copy)
		return -1;
	s->forward_zone_domains[i] = copy;
	copy[colon - text] = '\0';
	daemon_forward_zone *z = &s->forward_zones[i];
	owndns_server_addr *servers = &s->forward_zone_servers[i * UPSTREAM_MAX];
	z->domain = copy;
	z->servers = servers;
	char *save = NULL;
	for (char *a = strtok_r(copy + (colon - text) + 1, ",", &save); a;
	     a = strtok_r(NULL, ",", &save)) {
		if (z->server_count >= UPSTREAM_MAX) {
			report(opts, "forward-zone", i, "too many upstreams (at most 8)");
			return -1;
		}
		if (owndns_server_addr_from_text(a, DNS_PORT, &servers[z->server_count])) {
			report(opts, "forward-zone", i, "expected DOMAIN:ADDR[@PORT][,ADDR[@PORT]...]");
			return -1;
		}
		z->server_count++;
	}
	if (z->server_count == 0) {
		report(opts, "forward-zone", i, "no upstream address");
		return -1;
	}
	return 0;
}

static int setup_forward_zones(serve_setup *s, const options *opts)
{
	size_t n = options_count(opts, "forward-zone");
	s->forward_zones = calloc(n ? n : 1, sizeof(*s->forward_zones));
	s->forward_zone_domains = calloc(n ? n : 1, sizeof(*s->forward_zone_domains));
	s->forward_zone_servers = calloc((n ? n : 1) * UPSTREAM_MAX,
					 sizeof(*s->forward_zone_servers));
	if (!s->forward_zones || !s->forward_zone_domains || !s->forward_zone_servers)
		return -1;
	s->forward_zone_count = n;
	for (size_t i = 0; i < n; i++)
		if (setup_one_forward_zone(s, opts, i))
			return -1;
	s->config.resolver.forward_zones = s->forward_zones;
	s->config.resolver.forward_zone_count = n;
	return 0;
}

/* The values of a repeatable text key with where each came from. */
static daemon_text *collect_texts(serve_setup *s, const options *opts, const char *key,
				  size_t *where_next, size_t *count)
{
	size_t n = options_count(opts, key);
	daemon_text *t = calloc(n ? n : 1, sizeof(*t));
	if (!t)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		t[i].value = options_get_nth(opts, key, i);
		t[i].where = options_where(opts, key, i, s->wheres[*where_next],
					   sizeof(s->wheres[0]));
		(*where_next)++;
	}
	*count = n;
	return t;
}

static int setup_local(serve_setup *s, const options *opts)
{
	daemon_resolver_config *rc = &s->config.resolver;
	size_t nh = options_count(opts, "hosts");
	size_t total = options_count(opts, "local-data") + options_count(opts, "allow") +
		       options_count(opts, "deny");
	size_t where_next = 0;
	s->hosts = calloc(nh ? nh : 1, sizeof(*s->hosts));
	s->wheres = calloc(total ? total : 1, sizeof(*s->wheres));
	if (!s->hosts || !s->wheres)
		return -1;
	for (size_t i = 0; i < nh; i++)
		s->hosts[i] = options_get_nth(opts, "hosts", i);
	rc->hosts = s->hosts;
	rc->hosts_count = nh;
	rc->hosts_ttl = options_get_ttl(opts, "hosts-ttl", 0);
	rc->builtin_local_zones = options_get_bool(opts, "builtin-local-zones", true);
	s->local_data = collect_texts(s, opts, "local-data", &where_next, &rc->local_data_count);
	s->allow = collect_texts(s, opts, "allow", &where_next, &rc->allow_count);
	s->deny = collect_texts(s, opts, "deny", &where_next, &rc->deny_count);
	if (!s->local_data || !s->allow || !s->deny)
		return -1;
	rc->local_data = s->local_data;
	rc->allow = s->allow;
	rc->deny = s->deny;
	return 0;
}

static int setup_cache(serve_setup *s, const options *opts)
{
	daemon_resolver_config *rc = &s->config.resolver;
	cache_config_default(&rc->cache);
	uint64_t size = options_get_size(opts, "cache-size", rc->cache.max_bytes);
	if (size < CACHE_SIZE_MIN || size > SIZE_MAX) {
		report(opts, "cache-size", 0, "expected at least 256k");
		return -1;
	}
	rc->cache.max_bytes = (size_t)size;
	rc->cache.min_ttl = options_get_ttl(opts, "cache-min-ttl", 0);
	rc->cache.max_ttl = options_get_ttl(opts, "cache-max-ttl", 86400);
	rc->cache.max_negative_ttl = options_get_ttl(opts, "cache-max-negative-ttl", 3600);
	rc->cache.max_stale = options_get_ttl(opts, "serve-stale-max", 86400);
	rc->serve_stale = options_get_bool(opts, "serve-stale", false);
	const char *order = options_get(opts, "rrset-order");
	rc->cache.rotate_rrsets = order && strcmp(order, "rotate") == 0;
	rc->resolv_conf = options_get(opts, "resolv-conf");
	if (rc->cache.min_ttl > rc->cache.max_ttl) {
		report(opts, "cache-min-ttl", 0, "larger than cache-max-ttl");
		return -1;
	}
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
	for (size_t i = 0; s->forward_zone_domains && i < s->forward_zone_count; i++)
		free(s->forward_zone_domains[i]);
	free(s->forward_zone_domains);
	free(s->forward_zones);
	free(s->forward_zone_servers);
	free(s->forward);
	free(s->hosts);
	free(s->local_data);
	free(s->allow);
	free(s->deny);
	free(s->wheres);
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
	if (setup_listen(&s, opts) || setup_zones(&s, opts) || setup_forward(&s, opts) ||
	    setup_forward_zones(&s, opts) || setup_local(&s, opts) || setup_cache(&s, opts))
		goto done;
	setup_limits(&s.config.limits, opts);
	s.config.recursion = options_get_bool(opts, "recursion", true);
	s.config.pid_file = options_get(opts, "pid-file");
	s.config.threads = thread_count(opts);
	status = daemon_run(&s.config, &log);
done:
	setup_free(&s);
	return status;
}

const subcommand subcommand_serve = {
	.name = "serve",
	.summary = "run the DNS server daemon (zones, local names, forwarding with a cache)",
	.description = "Answers DNS queries over UDP and TCP.  Each query goes through: the ACL\n"
	"(allow=/deny=; only localhost by default, others get REFUSED), the zones\n"
	"(zone=ORIGIN:PATH, answered authoritatively), local names (hosts=, local-data=,\n"
	"the built-in localhost and private reverse zones), the cache, and then the\n"
	"upstreams: forward-zone= for its domain (longest match), else forward=, else\n"
	"the nameservers of resolv-conf= (never this server itself).  recursion=no\n"
	"answers from the zones only and REFUSES the rest.  Queries with RD=0 are answered\n"
	"from what is local or cached (else SERVFAIL), never sent upstream.  SIGHUP\n"
	"re-reads the zone files (a zone that fails to load keeps its previous version);\n"
	"SIGTERM or SIGINT stops the daemon cleanly.  threads=N runs N workers, each\n"
	"with its own sockets on every listen address (SO_REUSEPORT: the kernel spreads\n"
	"clients over them); they share the zones, the cache and the upstreams.",
	.keys = serve_keys,
	.run = serve_run,
};
