/* A UDP listening socket: every datagram is answered through net_answer and the
 * response sent back to its source.  The socket is our own (not uv_udp_t) so that on a
 * wildcard address (0.0.0.0, ::) the reply leaves from the address the query was sent
 * to (IP_PKTINFO / IPV6_RECVPKTINFO, RFC 1123 §6.1.3.5 expects that), and libuv only
 * polls it.  Datagrams are read in batches (recvmmsg) and the answers known at once
 * sent in one sendmmsg: fewer system calls per query.  Before a batch is answered, the
 * cache entries its questions will look up are prefetched (cache_prefetch), so that
 * their memory loads overlap.  A reply that would block is
 * dropped: UDP clients retry.  With ctx->reuseport the socket sets SO_REUSEPORT.
 * While udp_max_size is at most 1232, IPv4 replies go out with DF and no IP ID
 * (IP_PMTUDISC_PROBE): less kernel work per reply (udp.c). */
#ifndef OWNDNS_SERVER_NET_UDP_H
#define OWNDNS_SERVER_NET_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "net.h"

typedef struct udp_socket udp_socket;

/* Opens, binds and starts polling a socket on `addr`.  Returns 0, or a negative errno
 * with a message ("bind: Address already in use") in err. */
int udp_socket_open(net_context *ctx, const struct sockaddr *addr, udp_socket **out, char *err,
		    size_t err_size);

/* Sends one datagram to `peer` from s, with `control` (the reply's pktinfo, may be
 * NULL).  A datagram that cannot be sent at once is dropped (logged at debug level). */
void udp_socket_send(udp_socket *s, const struct sockaddr *peer, socklen_t peer_len,
		     const void *control, size_t control_len, const uint8_t *data, size_t len);

/* Stops and closes; the memory is freed once the loop has run the close callback. */
void udp_socket_close(udp_socket *s);

#endif
