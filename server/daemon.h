/* The daemon behind `owndns serve`: one libuv loop, a UDP socket and a TCP listener per
 * listen address, the zones served, and the signals:
 *   SIGHUP           re-reads every zone file named at start-up (daemon_zones.h tells
 *                    what happens to a zone that fails); the config file itself is
 *                    not re-read.  The new zones replace the old ones between two
 *                    queries: a query sees either all old or all new data.
 *   SIGTERM, SIGINT  closes listeners and connections (unsent answers are dropped),
 *                    frees everything, removes the pid file, exit status 0.
 * Start-up fails (status 1, nothing served) when a zone does not load, an address
 * cannot be bound, or the pid file cannot be written.  Owns everything it creates;
 * reads `config` and `log`, which must outlive daemon_run. */
#ifndef OWNDNS_SERVER_DAEMON_H
#define OWNDNS_SERVER_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "daemon_zones.h"
#include "log.h"
#include "net/net.h"

typedef struct daemon_config {
	const struct sockaddr_storage *listen; /* AF_INET / AF_INET6 with port */
	size_t listen_count;
	const daemon_zone_config *zones;
	size_t zone_count;
	bool recursion;       /* only false is implemented */
	net_limits limits;
	const char *pid_file; /* NULL: none */
} daemon_config;

/* Runs until SIGTERM/SIGINT.  Returns the process exit status: 0 after a clean
 * shutdown, 1 when start-up failed (the reason is logged). */
int daemon_run(const daemon_config *config, const server_log *log);

#endif
