/* The daemon's request pipeline for one query, without I/O: a query packet in, a
 * response packet (or nothing) out.  The network layer (server/net/) calls it for every
 * UDP datagram and every TCP message; everything it needs is in `view` and `req`.
 * Owns nothing; never blocks; allocates nothing that outlives the call. */
#ifndef OWNDNS_SERVER_QUERY_H
#define OWNDNS_SERVER_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct zone_set;

/* What the answering code may read: the data served.  Replaced as a whole on reload. */
typedef struct server_view {
	const struct zone_set *zones; /* authoritative zones (server/auth/zone_set.h) */
	bool recursion;               /* false: pure authoritative (recursion=no) */
	uint16_t udp_max;             /* largest UDP response and our EDNS size (udp-max-size=);
				       * 0 means the default, 1232 */
} server_view;

/* One incoming request. */
typedef struct server_request {
	const uint8_t *packet;
	size_t len;
	bool tcp;                        /* TCP: answer up to 65535 octets, never TC */
	const struct sockaddr *client;   /* source address (for policy, logging) */
	socklen_t client_len;
} server_request;

/* Builds the response to `req` into out[0..cap) (cap >= 65535 for TCP, >= 4096 for
 * UDP).  Returns the response length, or 0 when no answer must be sent (no header,
 * QR=1, and other packets RFC 1035/6891 say to drop). */
size_t server_answer(const server_view *view, const server_request *req, uint8_t *out,
		     size_t cap);

#endif
