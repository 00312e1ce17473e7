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

/* Checks that nobody listens on `addr` (UDP or TCP) by binding plain sockets there and
 * closing them again.  Listeners with SO_REUSEPORT (net_context.reuseport) would share
 * a port with any other program of the same user instead of failing; this keeps "port
 * in use" an error at start-up.  Returns 0, or a negative errno with the message that
 * listener_open would give. */
int listener_check_free(const struct sockaddr *addr, char *err, size_t err_size);

/* Closes both sockets; memory is freed by the loop's close callbacks. */
void listener_close(listener *l);

#endif
