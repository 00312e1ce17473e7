/* The daemon behind `owndns serve`: `threads` workers (server/net/worker.h), each with
 * its own libuv loop and a UDP socket and a TCP listener per listen address
 * (SO_REUSEPORT when there are several), serving the zones and, with recursion on, the
 * resolver's modules: local names, the ACL, the cache and the upstreams to forward to
 * (daemon_config.h), which all workers share.  The calling thread keeps a loop of its
 * own for signals and reloads.
 * Signals:
 *   SIGHUP           re-reads every zone file named at start-up (daemon_zones.h tells
 *                    what happens to a zone that fails); the config file itself,
 *                    hosts files and local-data are not re-read, and the cache
 *                    stays.  The new zones replace the old ones between two queries
 *                    of each worker: a query sees either all old or all new data.
 *   SIGTERM, SIGINT  closes listeners and connections (unsent answers are dropped),
 *                    frees everything, removes the pid file, exit status 0.
 * Start-up fails (status 1, nothing served) when a zone does not load, a hosts file
 * cannot be read, a local-data or ACL value is bad, an address cannot be bound, or the
 * pid file cannot be written.  Owns everything it creates;
 * reads `config` and `log`, which must outlive daemon_run. */
#ifndef OWNDNS_SERVER_DAEMON_H
#define OWNDNS_SERVER_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "daemon_config.h"
#include "daemon_zones.h"
#include "log.h"
#include "net/net.h"

typedef struct daemon_config {
	const struct sockaddr_storage *listen; /* AF_INET / AF_INET6 with port */
	size_t listen_count;
	const daemon_zone_config *zones;
	size_t zone_count;
	bool recursion;       /* false: pure authoritative; true: forwarding resolver */
	daemon_resolver_config resolver; /* used when recursion is on (and the ACL always) */
	net_limits limits;
	const char *pid_file; /* NULL: none */
	unsigned threads;     /* workers; 0 counts as 1 */
} daemon_config;

/* Runs until SIGTERM/SIGINT.  Returns the process exit status: 0 after a clean
 * shutdown, 1 when start-up failed (the reason is logged). */
int daemon_run(const daemon_config *config, const server_log *log);

#endif
