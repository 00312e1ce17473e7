/* One listen= address: a UDP socket and a TCP listener on the same address and port. */
#ifndef OWNDNS_SERVER_NET_LISTENER_H
#define OWNDNS_SERVER_NET_LISTENER_H

#include <stddef.h>
#include <sys/socket.h>

#include "net.h"

typedef struct listener listener;

/* Opens UDP and TCP on `addr` and logs "listening on ADDR@PORT (udp, tcp)".  Returns 0,
 * or a negative errno after writing "cannot listen on ADDR@PORT (udp): bind: Address
 * already in use" to err; then nothing stays open. */
int listener_open(net_context *ctx, const struct sockaddr *addr, listener **out, char *err,
		  size_t err_size);

/* Closes both sockets; memory is freed by the loop's close callbacks. */
void listener_close(listener *l);

#endif
