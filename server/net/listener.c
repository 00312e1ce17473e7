/* A UDP + TCP pair on one address (listener.h). */
#include "listener.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "sockaddr_text.h"
#include "tcp.h"
#include "udp.h"

struct listener {
	udp_socket *udp;
	tcp_listener *tcp;
};

int listener_open(net_context *ctx, const struct sockaddr *addr, listener **out, char *err,
		  size_t err_size)
{
	char where[SOCKADDR_TEXT_MAX];
	char why[256];
	sockaddr_to_text(addr, where, sizeof(where));
	listener *l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, err_size, "cannot listen on %s: out of memory", where);
		return -ENOMEM;
	}
	int rc = udp_socket_open(ctx, addr, &l->udp, why, sizeof(why));
	if (rc) {
		snprintf(err, err_size, "cannot listen on %s (udp): %s", where, why);
		free(l);
		return rc;
	}
	rc = tcp_listener_open(ctx, addr, &l->tcp, why, sizeof(why));
	if (rc) {
		snprintf(err, err_size, "cannot listen on %s (tcp): %s", where, why);
		udp_socket_close(l->udp);
		free(l);
		return rc;
	}
	log_info(ctx->log, "listening on %s (udp, tcp)", where);
	*out = l;
	return 0;
}

void listener_close(listener *l)
{
	if (!l)
		return;
	udp_socket_close(l->udp);
	tcp_listener_close(l->tcp);
	free(l);
}
