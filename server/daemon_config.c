/* Building the resolver's modules from the configuration (daemon_config.h). */
#include "daemon_config.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <owndns/error.h>
#include <owndns/name.h>

#include "local/local_data.h"
#include "policy/acl.h"

/* ---- local names ---- */

typedef struct problem_count {
	const server_log *log;
	enum log_level level;
	unsigned count;
} problem_count;

static void log_problem(void *arg, const char *file, unsigned line, const char *message)
{
	problem_count *p = arg;
	char text[2048];
	if (line)
		snprintf(text, sizeof(text), "%s:%u: %s", file, line, message);
	else
		snprintf(text, sizeof(text), "%s: %s", file, message);
	log_write_plain(p->log, p->level, text);
	p->count++;
}

static int yield_name(local_data *ld, const char *text)
{
	uint8_t apex[OWNDNS_NAME_MAX];
	size_t len;
	if (owndns_name_from_text(text, strlen(text), NULL, apex, &len))
		return OWNDNS_OK; /* the zone loader or the option parser reports it */
	return local_data_yield(ld, apex);
}

/* A zone= or forward-zone= the user configured takes its name space from the built-in
 * local zones (e.g. forward-zone=lab.test:… or a zone for 10.in-addr.arpa). */
static int yield_zones(local_data *ld, const daemon_resolver_config *cfg,
		       const daemon_zone_config *zones, size_t zone_count)
{
	int rc = OWNDNS_OK;
	for (size_t i = 0; rc == OWNDNS_OK && i < zone_count; i++)
		rc = yield_name(ld, zones[i].origin);
	for (size_t i = 0; rc == OWNDNS_OK && i < cfg->forward_zone_count; i++)
		rc = yield_name(ld, cfg->forward_zones[i].domain);
	return rc;
}

static int add_sources(const daemon_resolver_config *cfg, local_data *ld,
		       const server_log *log)
{
	/* Bad hosts lines are skipped with a warning, like dnsmasq; an unreadable file
	 * stops the start. */
	problem_count hosts_problems = { log, LOG_LEVEL_WARN, 0 };
	for (size_t i = 0; i < cfg->hosts_count; i++) {
		int rc = local_data_add_hosts_file(ld, cfg->hosts[i], cfg->hosts_ttl, log_problem,
						   &hosts_problems, NULL);
		if (rc) {
			log_error(log, "hosts file %s: %s", cfg->hosts[i], owndns_strerror(rc));
			return rc;
		}
	}
	problem_count data_problems = { log, LOG_LEVEL_ERROR, 0 };
	for (size_t i = 0; i < cfg->local_data_count; i++) {
		int rc = local_data_add_text(ld, cfg->local_data[i].value, cfg->local_data[i].where,
					     log_problem, &data_problems);
		if (rc)
			return rc;
	}
	return OWNDNS_OK;
}

/* Zones answer before local names: a local name inside a zone= is never answered,
 * which is worth a word at start. */
static void warn_hidden_names(const local_data *ld, const daemon_zone_config *zones,
			      size_t zone_count, const server_log *log)
{
	for (size_t i = 0; i < zone_count; i++) {
		uint8_t apex[OWNDNS_NAME_MAX];
		char text[OWNDNS_NAME_TEXT_MAX];
		size_t len;
		if (owndns_name_from_text(zones[i].origin, strlen(zones[i].origin), NULL, apex,
					  &len))
			continue;
		const uint8_t *hidden = local_data_user_name_under(ld, apex);
		if (!hidden || owndns_name_to_text(hidden, text, sizeof(text)) < 0)
			continue;
		log_warn(log, "local name %s (hosts= or local-data=) is inside zone %s, which "
			 "answers first: the local name is never answered", text,
			 zones[i].origin);
	}
}

int daemon_local_build(const daemon_resolver_config *cfg, const daemon_zone_config *zones,
		       size_t zone_count, const server_log *log, local_data **out)
{
	local_data *ld = local_data_new();
	if (!ld)
		return OWNDNS_ENOMEM;
	local_data_set_builtin(ld, cfg->builtin_local_zones);
	int rc = yield_zones(ld, cfg, zones, zone_count);
	if (rc == OWNDNS_OK)
		rc = add_sources(cfg, ld, log);
	if (rc == OWNDNS_OK) {
		warn_hidden_names(ld, zones, zone_count, log);
		rc = local_data_finish(ld);
	}
	if (rc) {
		local_data_free(ld);
		return rc;
	}
	*out = ld;
	return OWNDNS_OK;
}

/* ---- ACL ---- */

static int add_rules(acl *a, enum acl_action action, const daemon_text *rules, size_t n,
		     const server_log *log)
{
	for (size_t i = 0; i < n; i++) {
		char err[512];
		int rc = acl_add(a, action, rules[i].value, err, sizeof(err));
		if (rc) {
			log_error(log, "%s: %s", rules[i].where, err);
			return rc;
		}
	}
	return OWNDNS_OK;
}

int daemon_acl_build(const daemon_resolver_config *cfg, bool recursion, const server_log *log,
		     acl **out)
{
	*out = NULL;
	if (!recursion && cfg->allow_count == 0 && cfg->deny_count == 0)
		return OWNDNS_OK;
	acl *a = acl_new();
	if (!a)
		return OWNDNS_ENOMEM;
	int rc = add_rules(a, ACL_ALLOW, cfg->allow, cfg->allow_count, log);
	if (rc == OWNDNS_OK)
		rc = add_rules(a, ACL_DENY, cfg->deny, cfg->deny_count, log);
	if (rc == OWNDNS_OK)
		rc = acl_finish(a);
	if (rc) {
		acl_free(a);
		return rc;
	}
	*out = a;
	return OWNDNS_OK;
}

/* ---- cache ---- */

int daemon_cache_build(const daemon_resolver_config *cfg, const server_log *log, cache **out)
{
	cache_config cc = cfg->cache;
	if (getrandom(cc.hash_key, sizeof(cc.hash_key), 0) != (ssize_t)sizeof(cc.hash_key)) {
		log_error(log, "cannot read random bytes for the cache's hash key");
		return OWNDNS_EINVAL;
	}
	/* A small cache-size gets fewer shards: each needs its fixed tables. */
	if (cc.shards == 0)
		cc.shards = 32;
	int rc = cache_new(&cc, out);
	while (rc == OWNDNS_EINVAL && cc.shards > 1 && cc.min_ttl <= cc.max_ttl) {
		cc.shards /= 2;
		rc = cache_new(&cc, out);
	}
	if (rc)
		log_error(log, "cannot create a cache of %zu octets: %s", cc.max_bytes,
			  owndns_strerror(rc));
	return rc;
}

/* ---- forwarders ---- */

static bool sockaddr_matches(const struct sockaddr *sa, const owndns_server_addr *a)
{
	if (sa->sa_family == AF_INET && a->family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)sa)->sin_addr, a->addr, 4) == 0;
	if (sa->sa_family == AF_INET6 && a->family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr, a->addr, 16) == 0;
	return false;
}

static uint16_t sockaddr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static bool is_wildcard(const struct sockaddr_storage *ss)
{
	static const uint8_t zero[16];
	if (ss->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)ss)->sin6_addr, zero, 16) == 0;
	return ((const struct sockaddr_in *)ss)->sin_addr.s_addr == 0;
}

/* True when `a` is one of this host's addresses (or a loopback one). */
static bool is_local_address(const owndns_server_addr *a)
{
	if (a->family == AF_INET && a->addr[0] == 127)
		return true;
	static const uint8_t loop6[16] = { [15] = 1 };
	if (a->family == AF_INET6 && memcmp(a->addr, loop6, 16) == 0)
		return true;
	struct ifaddrs *list, *i;
	bool found = false;
	if (getifaddrs(&list))
		return false;
	for (i = list; i && !found; i = i->ifa_next)
		found = i->ifa_addr && sockaddr_matches(i->ifa_addr, a);
	freeifaddrs(list);
	return found;
}

static bool is_ourselves(const owndns_server_addr *a, const struct sockaddr_storage *listen,
			 size_t listen_count)
{
	for (size_t i = 0; i < listen_count; i++) {
		const struct sockaddr_storage *l = &listen[i];
		if (l->ss_family != a->family || sockaddr_port(l) != a->port)
			continue;
		if (is_wildcard(l) ? is_local_address(a)
				   : sockaddr_matches((const struct sockaddr *)l, a))
			return true;
	}
	return false;
}

static int add_upstreams(forward_target *t, const owndns_server_addr *servers, size_t n,
			 const struct sockaddr_storage *listen, size_t listen_count,
			 const char *what, const server_log *log)
{
	for (size_t i = 0; i < n; i++) {
		char text[OWNDNS_SERVER_ADDR_TEXT_MAX];
		if (owndns_server_addr_to_text(&servers[i], text, sizeof(text)) < 0)
			strcpy(text, "?");
		if (is_ourselves(&servers[i], listen, listen_count)) {
			log_warn(log, "%s: not forwarding to %s: that is this server", what, text);
			continue;
		}
		int rc = upstream_set_add(&t->upstreams, &servers[i]);
		if (rc == OWNDNS_ESPACE) {
			log_error(log, "%s: more than %u upstreams", what, UPSTREAM_MAX);
			return rc;
		}
		if (rc)
			return rc;
		log_info(log, "%s: forwarding to %s", what, text);
	}
	return OWNDNS_OK;
}

static int add_root_target(const daemon_resolver_config *cfg,
			   const struct sockaddr_storage *listen, size_t listen_count,
			   const server_log *log, forwarders *out)
{
	static const uint8_t root[1] = { 0 };
	forward_target *t;
	int rc = forwarders_add(out, root, &t);
	if (rc)
		return rc;
	if (cfg->forward_count)
		return add_upstreams(t, cfg->forward, cfg->forward_count, listen, listen_count,
				     "forward", log);
	owndns_resolv_conf rc_conf;
	const char *path = cfg->resolv_conf ? cfg->resolv_conf : OWNDNS_RESOLV_DEFAULT_PATH;
	owndns_resolv_conf_init(&rc_conf);
	rc = owndns_resolv_conf_load(&rc_conf, path);
	if (rc) {
		log_warn(log, "%s: cannot read: %s", path, owndns_strerror(rc));
		rc_conf.server_count = 0;
	}
	char what[512];
	snprintf(what, sizeof(what), "%s", path);
	rc = add_upstreams(t, rc_conf.servers, rc_conf.server_count, listen, listen_count, what,
			   log);
	if (rc)
		return rc;
	if (t->upstreams.count == 0)
		log_warn(log, "no upstream to forward to (no forward= and no usable nameserver "
			 "in %s): names not answered locally get SERVFAIL", path);
	return OWNDNS_OK;
}

int daemon_forwarders_build(const daemon_resolver_config *cfg,
			    const struct sockaddr_storage *listen, size_t listen_count,
			    const server_log *log, forwarders *out)
{
	forwarders_init(out);
	int rc = add_root_target(cfg, listen, listen_count, log, out);
	for (size_t i = 0; rc == OWNDNS_OK && i < cfg->forward_zone_count; i++) {
		const daemon_forward_zone *z = &cfg->forward_zones[i];
		uint8_t domain[OWNDNS_NAME_MAX];
		size_t len;
		forward_target *t;
		rc = owndns_name_from_text(z->domain, strlen(z->domain), NULL, domain, &len);
		if (rc) {
			log_error(log, "forward-zone %s: %s", z->domain, owndns_strerror(rc));
			break;
		}
		rc = forwarders_add(out, domain, &t);
		if (rc == OWNDNS_OK) {
			char what[OWNDNS_NAME_TEXT_MAX + 32];
			snprintf(what, sizeof(what), "forward-zone %s", z->domain);
			rc = add_upstreams(t, z->servers, z->server_count, listen, listen_count, what,
					   log);
		}
	}
	if (rc)
		forwarders_free(out);
	return rc;
}
