/* A UDP + TCP pair on one address (listener.h). */
#include "listener.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	if (!ctx->quiet_listen)
		log_info(ctx->log, "listening on %s (udp, tcp)", where);
	*out = l;
	return 0;
}

/* Binds a socket of `type` to addr and closes it: 0, or a negative errno. */
static int try_bind(const struct sockaddr *addr, int type, const char **what)
{
	int fd = socket(addr->sa_family, type | SOCK_CLOEXEC, 0);
	int one = 1, rc = 0;
	*what = "socket";
	if (fd < 0)
		return -errno;
	socklen_t len = addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						    : sizeof(struct sockaddr_in);
	/* As the real listeners: TCP with SO_REUSEADDR (so TIME_WAIT does not count as
	 * in use), both families apart. */
	if (type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	*what = "bind";
	if (bind(fd, addr, len))
		rc = -errno;
	close(fd);
	return rc;
}

int listener_check_free(const struct sockaddr *addr, char *err, size_t err_size)
{
	static const int types[2] = { SOCK_DGRAM, SOCK_STREAM };
	static const char *const names[2] = { "udp", "tcp" };
	for (int i = 0; i < 2; i++) {
		const char *what;
		int rc = try_bind(addr, types[i], &what);
		if (rc) {
			char where[SOCKADDR_TEXT_MAX];
			snprintf(err, err_size, "cannot listen on %s (%s): %s: %s",
				 sockaddr_to_text(addr, where, sizeof(where)), names[i], what,
				 strerror(-rc));
			return rc;
		}
	}
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
