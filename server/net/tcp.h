/* DNS over TCP (RFC 7766): a listening socket and the connections it accepts.
 * A connection carries any number of length-prefixed queries (tcp_framing.h), also
 * pipelined.  Answers known at once go out in the order of the queries; one that
 * waits for an upstream goes out when it arrives, possibly after later ones (RFC 7766
 * §6.2.1.1 allows it: clients match answers by ID).  It is closed:
 *   - after tcp-idle-timeout seconds without a complete query or a finished write
 *     (so a client trickling one byte at a time cannot hold it open);
 *   - on a 0-length message or one longer than limits.tcp_max_query;
 *   - when the client closes its side and every answer has been written.
 * At most tcp-max-connections are open over all listeners.  When a new one arrives at
 * the limit, the connection idle the longest (no partial query, nothing to write) is
 * closed to make room (RFC 7766 §6.2.2 lets a server close idle connections); if none
 * is idle, the new connection is accepted and closed at once.  While more than
 * limits.tcp_max_pending_write octets of answers wait to be sent, reading stops. */
#ifndef OWNDNS_SERVER_NET_TCP_H
#define OWNDNS_SERVER_NET_TCP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "net.h"

typedef struct tcp_listener tcp_listener;

/* Binds (SO_REUSEADDR, IPV6_V6ONLY) and listens on `addr`.  Returns 0, or a negative
 * errno with the reason in err. */
int tcp_listener_open(net_context *ctx, const struct sockaddr *addr, tcp_listener **out,
		      char *err, size_t err_size);

/* Stops accepting; memory is freed by the loop's close callback.  Connections already
 * accepted stay open (see tcp_close_connections). */
void tcp_listener_close(tcp_listener *l);

/* Closes every open connection of ctx, dropping unsent answers (shutdown). */
void tcp_close_connections(net_context *ctx);

/* Queries of a connection waiting for an upstream (forwarding.c): a tracked waiter
 * keeps the connection open after the client's half-close and from counting as idle;
 * closing the connection cancels it (net_forward_cancel).  Untracking a waiter that
 * is not tracked does nothing.  tcp_conn_deliver sends an answer (len 0: none) for a
 * waiter already untracked, and closes the connection when that was the last thing
 * owed to a client that has finished sending. */
struct tcp_conn;
void tcp_conn_track(struct tcp_conn *c, net_waiter *w);
void tcp_conn_untrack(struct tcp_conn *c, net_waiter *w);
void tcp_conn_deliver(struct tcp_conn *c, const uint8_t *answer, size_t len);

#endif
