/* The resolver half of the daemon's configuration, and building the modules it
 * describes at start-up: local names (server/local/), the client ACL
 * (server/policy/acl.h), the cache (server/cache/) and the forwarding targets
 * (server/forward/upstream.h).  Each builder logs what is wrong ("FILE:LINE: problem"
 * for hosts files, "where: local-data=...: problem" for local-data) and fails as a
 * whole, so the daemon does not start with a half-understood configuration. */
#ifndef OWNDNS_SERVER_DAEMON_CONFIG_H
#define OWNDNS_SERVER_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <owndns/client.h>

#include "cache/cache.h"
#include "daemon_zones.h"
#include "forward/upstream.h"
#include "log.h"

struct local_data;
struct acl;

/* A value and where it was given ("command line", "FILE:LINE"), for messages. */
typedef struct daemon_text {
	const char *value;
	const char *where;
} daemon_text;

typedef struct daemon_forward_zone {
	const char *domain; /* presentation form */
	const owndns_server_addr *servers;
	size_t server_count;
} daemon_forward_zone;

typedef struct daemon_resolver_config {
	const owndns_server_addr *forward; /* forward= */
	size_t forward_count;
	const daemon_forward_zone *forward_zones;
	size_t forward_zone_count;
	const char *resolv_conf; /* without forward=: its nameservers; NULL: /etc/resolv.conf */
	cache_config cache;      /* cache-size, cache-*-ttl, serve-stale-max */
	bool serve_stale;
	const char *const *hosts; /* hosts= files */
	size_t hosts_count;
	uint32_t hosts_ttl;
	const daemon_text *local_data;
	size_t local_data_count;
	bool builtin_local_zones;
	const daemon_text *allow;
	size_t allow_count;
	const daemon_text *deny;
	size_t deny_count;
} daemon_resolver_config;

/* Local names: builtin zones (unless off), hosts files, local-data, with the name space
 * of each zone= left to the zone.  Errors: a hosts file that cannot be read, a bad
 * local-data value, ENOMEM. */
int daemon_local_build(const daemon_resolver_config *cfg, const daemon_zone_config *zones,
		       size_t zone_count, const server_log *log, struct local_data **out);

/* The ACL of allow= and deny= (localhost built in).  With recursion off and no rule,
 * *out is NULL: a pure authoritative server answers everyone. */
int daemon_acl_build(const daemon_resolver_config *cfg, bool recursion, const server_log *log,
		     struct acl **out);

/* The cache, with a random hash key. */
int daemon_cache_build(const daemon_resolver_config *cfg, const server_log *log,
		       cache **out);

/* The forwarding targets: forward= as the root's, forward-zone= each for its domain;
 * without forward=, the nameservers of resolv.conf.  Upstreams that are one of our own
 * listen addresses (same port, and the same address, or any local address when we
 * listen on a wildcard) are dropped with a warning: we would ask ourselves.  When no
 * upstream is left for the root, a warning says that names not answered locally get
 * SERVFAIL; the daemon still starts (local names and zones still work). */
int daemon_forwarders_build(const daemon_resolver_config *cfg,
			    const struct sockaddr_storage *listen, size_t listen_count,
			    const server_log *log, forwarders *out);

#endif
