/* UDP listener on a raw non-blocking socket polled by libuv (udp.h). */
#define _GNU_SOURCE /* struct in6_pktinfo */
#include "udp.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sockaddr_text.h"

/* Datagrams read per wake-up before TCP and timers get their turn. */
#define UDP_READS_PER_WAKEUP 64

struct udp_socket {
	uv_poll_t poll;
	int fd;
	int family;
	bool wildcard; /* replies carry the query's destination address */
	net_context *ctx;
};

/* Ancillary data big enough for either family's packet info. */
typedef union pktinfo_control {
	char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct cmsghdr align;
} pktinfo_control;

static int set_int_option(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value));
}

static int fail(char *err, size_t err_size, const char *what, int fd)
{
	int e = errno;
	snprintf(err, err_size, "%s: %s", what, strerror(e));
	if (fd >= 0)
		close(fd);
	return -e;
}

/* No SO_REUSEADDR here: on Linux it would let a second server bind the same UDP port
 * and silently split the queries; a port in use must be an error at start-up. */
static int open_bound_fd(const struct sockaddr *addr, bool wildcard, char *err,
			 size_t err_size, int *out)
{
	int family = addr->sa_family;
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(err, err_size, "socket", -1);
	if (family == AF_INET6 && set_int_option(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1))
		return fail(err, err_size, "IPV6_V6ONLY", fd);
	if (wildcard && family == AF_INET && set_int_option(fd, IPPROTO_IP, IP_PKTINFO, 1))
		return fail(err, err_size, "IP_PKTINFO", fd);
	if (wildcard && family == AF_INET6 &&
	    set_int_option(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1))
		return fail(err, err_size, "IPV6_RECVPKTINFO", fd);
	socklen_t len = family == AF_INET6 ? sizeof(struct sockaddr_in6)
					   : sizeof(struct sockaddr_in);
	if (bind(fd, addr, len))
		return fail(err, err_size, "bind", fd);
	*out = fd;
	return 0;
}

/* Turns the packet info of a received datagram into the one that makes the reply
 * leave from the address the query arrived at.  Returns the control length, 0 when
 * the datagram carried none. */
static size_t reply_pktinfo(const struct msghdr *received, pktinfo_control *out)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)received); c;
	     c = CMSG_NXTHDR((struct msghdr *)received, c)) {
		memset(out, 0, sizeof(*out));
		struct cmsghdr *cm = (struct cmsghdr *)out->buf;
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo in, info = { 0 };
			memcpy(&in, CMSG_DATA(c), sizeof(in));
			info.ipi_spec_dst = in.ipi_addr;
			cm->cmsg_level = IPPROTO_IP;
			cm->cmsg_type = IP_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(info));
			memcpy(CMSG_DATA(cm), &info, sizeof(info));
			return CMSG_SPACE(sizeof(info));
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			/* The interface stays: link-local addresses need it. */
			struct in6_pktinfo info;
			memcpy(&info, CMSG_DATA(c), sizeof(info));
			cm->cmsg_level = IPPROTO_IPV6;
			cm->cmsg_type = IPV6_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(info));
			memcpy(CMSG_DATA(cm), &info, sizeof(info));
			return CMSG_SPACE(sizeof(info));
		}
	}
	return 0;
}

void udp_socket_send(udp_socket *s, const struct sockaddr *peer, socklen_t peer_len,
		     const void *control, size_t control_len, const uint8_t *data, size_t len)
{
	struct iovec iov = { (void *)data, len };
	struct msghdr mh = {
		.msg_name = (void *)peer,
		.msg_namelen = peer_len,
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	if (control && control_len) {
		mh.msg_control = (void *)control;
		mh.msg_controllen = control_len;
	}
	ssize_t sent;
	do
		sent = sendmsg(s->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (sent < 0 && errno == EINTR);
	if (sent < 0 && log_enabled(s->ctx->log, LOG_LEVEL_DEBUG)) {
		char text[SOCKADDR_TEXT_MAX];
		log_debug(s->ctx->log, "udp reply to %s dropped: %s",
			  sockaddr_to_text(peer, text, sizeof(text)), strerror(errno));
	}
}

/* Reads and answers one datagram; returns false when there is nothing more to read. */
static bool serve_one_datagram(udp_socket *s)
{
	net_context *ctx = s->ctx;
	struct sockaddr_storage peer;
	struct iovec iov = { ctx->recv_buf, sizeof(ctx->recv_buf) };
	pktinfo_control control, reply_control;
	struct msghdr mh = {
		.msg_name = &peer,
		.msg_namelen = sizeof(peer),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n = recvmsg(s->fd, &mh, MSG_DONTWAIT);
	if (n < 0)
		return errno == EINTR;
	if (mh.msg_flags & MSG_TRUNC)
		return true; /* larger than any datagram can be: not DNS */
	net_origin origin = {
		.tcp = false,
		.client = (struct sockaddr *)&peer,
		.client_len = mh.msg_namelen,
		.udp = s,
	};
	if (s->wildcard) {
		origin.control_len = reply_pktinfo(&mh, &reply_control);
		origin.control = origin.control_len ? reply_control.buf : NULL;
	}
	size_t len = net_answer(ctx, ctx->recv_buf, (size_t)n, &origin);
	if (len)
		udp_socket_send(s, origin.client, origin.client_len, origin.control,
				origin.control_len, ctx->answer_buf, len);
	return true;
}

static void on_readable(uv_poll_t *handle, int status, int events)
{
	udp_socket *s = handle->data;
	if (status < 0) {
		log_warn(s->ctx->log, "udp socket poll error: %s", uv_strerror(status));
		return;
	}
	if (!(events & UV_READABLE))
		return;
	for (int i = 0; i < UDP_READS_PER_WAKEUP; i++)
		if (!serve_one_datagram(s))
			break;
}

int udp_socket_open(net_context *ctx, const struct sockaddr *addr, udp_socket **out, char *err,
		    size_t err_size)
{
	udp_socket *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	s->ctx = ctx;
	s->family = addr->sa_family;
	s->wildcard = sockaddr_is_wildcard(addr);
	int rc = open_bound_fd(addr, s->wildcard, err, err_size, &s->fd);
	if (rc) {
		free(s);
		return rc;
	}
	rc = uv_poll_init_socket(ctx->loop, &s->poll, s->fd);
	if (rc) {
		snprintf(err, err_size, "poll: %s", uv_strerror(rc));
		close(s->fd);
		free(s);
		return rc;
	}
	s->poll.data = s;
	rc = uv_poll_start(&s->poll, UV_READABLE, on_readable);
	if (rc) {
		snprintf(err, err_size, "poll: %s", uv_strerror(rc));
		udp_socket_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

static void on_closed(uv_handle_t *handle)
{
	udp_socket *s = handle->data;
	close(s->fd);
	free(s);
}

void udp_socket_close(udp_socket *s)
{
	if (!s)
		return;
	uv_poll_stop(&s->poll);
	uv_close((uv_handle_t *)&s->poll, on_closed);
}
