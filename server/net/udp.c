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

#include <owndns/message.h>

#include "../cache/cache.h"
#include "sockaddr_text.h"

/* Datagrams are read UDP_BATCH at a time with recvmmsg, and the answers known at once
 * go out together with sendmmsg: two system calls for a batch instead of two per
 * query.  UDP_BATCHES_PER_WAKEUP batches at most before TCP and timers get their turn. */
#define UDP_BATCH 32
#define UDP_BATCHES_PER_WAKEUP 2
/* Any datagram fits a slot (NET_RECV_BUF_SIZE shows truncation by the kernel), and so
 * does any answer: the answer is copied over the query it answers. */
#define UDP_SLOT_SIZE NET_RECV_BUF_SIZE

/* Ancillary data big enough for either family's packet info. */
typedef union pktinfo_control {
	char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct cmsghdr align;
} pktinfo_control;

typedef struct udp_batch {
	struct mmsghdr in[UDP_BATCH];
	struct iovec in_iov[UDP_BATCH];
	struct sockaddr_storage peer[UDP_BATCH];
	pktinfo_control control[UDP_BATCH];
	struct mmsghdr out[UDP_BATCH];
	struct iovec out_iov[UDP_BATCH];
	pktinfo_control reply_control[UDP_BATCH];
	/* UDP_BATCH slots of UDP_SLOT_SIZE: 2 MiB of address space, of which only the
	 * pages that datagrams touch become resident. */
	uint8_t *slots;
} udp_batch;

struct udp_socket {
	uv_poll_t poll;
	int fd;
	int family;
	bool wildcard; /* replies carry the query's destination address */
	net_context *ctx;
	udp_batch *batch;
};

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

/* IPv4 replies go out with DF set and the path MTU the kernel learnt ignored
 * (IP_PMTUDISC_PROBE) when no reply can be larger than UDP_DF_MAX octets, which with
 * the IP and UDP headers fits any link of 1280 octets or more.  The kernel then
 * chooses no IP ID per datagram (a hash and an atomic add per reply; an atomic
 * datagram needs none, RFC 6864 §4.1), and a forged ICMP "fragmentation needed"
 * cannot make it fragment replies.  The kernel's default already sets DF on replies
 * that fit the path.  With udp-max-size= above UDP_DF_MAX the default stays, so that a
 * reply larger than a small link's MTU is fragmented rather than dropped. */
#define UDP_DF_MAX NET_DEFAULT_UDP_MAX_SIZE

/* No SO_REUSEADDR here: on Linux it would let a second server bind the same UDP port
 * and silently split the queries; a port in use must be an error at start-up.  With
 * several workers SO_REUSEPORT lets each bind its own socket (the daemon first checks
 * that the port is free, worker.h). */
static int open_bound_fd(const struct sockaddr *addr, bool wildcard, bool reuseport,
			 bool df_ok, char *err, size_t err_size, int *out)
{
	int family = addr->sa_family;
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(err, err_size, "socket", -1);
	if (family == AF_INET6 && set_int_option(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1))
		return fail(err, err_size, "IPV6_V6ONLY", fd);
	if (reuseport && set_int_option(fd, SOL_SOCKET, SO_REUSEPORT, 1))
		return fail(err, err_size, "SO_REUSEPORT", fd);
	if (wildcard && family == AF_INET && set_int_option(fd, IPPROTO_IP, IP_PKTINFO, 1))
		return fail(err, err_size, "IP_PKTINFO", fd);
	if (wildcard && family == AF_INET6 &&
	    set_int_option(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1))
		return fail(err, err_size, "IPV6_RECVPKTINFO", fd);
	if (family == AF_INET && df_ok && set_int_option(fd, IPPROTO_IP, IP_MTU_DISCOVER,
							  IP_PMTUDISC_PROBE))
		return fail(err, err_size, "IP_MTU_DISCOVER", fd);
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

static uint8_t *batch_slot(const udp_batch *b, unsigned i)
{
	return b->slots + (size_t)i * UDP_SLOT_SIZE;
}

static udp_batch *batch_new(void)
{
	udp_batch *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->slots = malloc((size_t)UDP_BATCH * UDP_SLOT_SIZE);
	if (!b->slots) {
		free(b);
		return NULL;
	}
	for (unsigned i = 0; i < UDP_BATCH; i++) {
		b->in_iov[i].iov_base = batch_slot(b, i);
		b->in_iov[i].iov_len = UDP_SLOT_SIZE;
		b->in[i].msg_hdr.msg_iov = &b->in_iov[i];
		b->in[i].msg_hdr.msg_iovlen = 1;
		b->in[i].msg_hdr.msg_name = &b->peer[i];
		b->in[i].msg_hdr.msg_control = b->control[i].buf;
		b->out[i].msg_hdr.msg_iov = &b->out_iov[i];
		b->out[i].msg_hdr.msg_iovlen = 1;
	}
	return b;
}

static void batch_free(udp_batch *b)
{
	if (!b)
		return;
	free(b->slots);
	free(b);
}

static void log_dropped(const udp_socket *s, const struct msghdr *mh, int error)
{
	if (!log_enabled(s->ctx->log, LOG_LEVEL_DEBUG))
		return;
	char text[SOCKADDR_TEXT_MAX];
	log_debug(s->ctx->log, "udp reply to %s dropped: %s",
		  sockaddr_to_text(mh->msg_name, text, sizeof(text)), strerror(error));
}

/* Sends out[0..count); a reply that cannot be sent is dropped and the rest still go. */
static void send_batch(udp_socket *s, unsigned count)
{
	udp_batch *b = s->batch;
	unsigned done = 0;
	while (done < count) {
		int n = sendmmsg(s->fd, &b->out[done], count - done, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			done += (unsigned)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		log_dropped(s, &b->out[done].msg_hdr, n < 0 ? errno : EIO);
		done++;
	}
}

/* Queues the answer of datagram i, written over its query in the same slot. */
static unsigned queue_answer(udp_batch *b, unsigned out, unsigned i, const net_origin *origin,
			     const uint8_t *answer, size_t len)
{
	uint8_t *slot = batch_slot(b, i);
	struct msghdr *mh = &b->out[out].msg_hdr;
	memcpy(slot, answer, len);
	b->out_iov[out].iov_base = slot;
	b->out_iov[out].iov_len = len;
	mh->msg_name = (void *)origin->client;
	mh->msg_namelen = origin->client_len;
	mh->msg_control = (void *)origin->control;
	mh->msg_controllen = origin->control ? origin->control_len : 0;
	mh->msg_flags = 0;
	return out + 1;
}

/* The question of a query datagram that asks one, read without decoding the rest:
 * only a hint for cache_prefetch, the pipeline checks the packet properly. */
static bool peek_question(const uint8_t *pkt, size_t len, cache_question *q)
{
	if (len < OWNDNS_HEADER_SIZE + 1 + 4 || (pkt[2] & 0x80) ||
	    (pkt[4] << 8 | pkt[5]) != 1)
		return false; /* a response, or not one question */
	const uint8_t *name = pkt + OWNDNS_HEADER_SIZE;
	size_t name_len;
	/* Room is left for type and class after the (uncompressed) name. */
	if (owndns_name_check(name, len - OWNDNS_HEADER_SIZE - 4, &name_len))
		return false;
	q->name = name;
	q->type = (uint16_t)(name[name_len] << 8 | name[name_len + 1]);
	q->rclass = (uint16_t)(name[name_len + 2] << 8 | name[name_len + 3]);
	return true;
}

/* Starts loading the cache entries of the whole batch before answering any of it
 * (cache.h, cache_prefetch). */
static void prefetch_answers(udp_socket *s, unsigned count)
{
	struct cache *c = s->ctx->view->cache;
	cache_question questions[UDP_BATCH];
	size_t n = 0;

	if (!c)
		return;
	for (unsigned i = 0; i < count; i++)
		if (!(s->batch->in[i].msg_hdr.msg_flags & MSG_TRUNC) &&
		    peek_question(batch_slot(s->batch, i), s->batch->in[i].msg_len,
				  &questions[n]))
			n++;
	cache_prefetch(c, questions, n);
}

/* Reads up to UDP_BATCH datagrams, answers them and sends the answers known now.
 * Returns how many were read (0: nothing to read). */
static unsigned serve_batch(udp_socket *s)
{
	net_context *ctx = s->ctx;
	udp_batch *b = s->batch;
	for (unsigned i = 0; i < UDP_BATCH; i++) {
		b->in[i].msg_hdr.msg_namelen = sizeof(b->peer[i]);
		b->in[i].msg_hdr.msg_controllen = sizeof(b->control[i].buf);
		b->in[i].msg_hdr.msg_flags = 0;
	}
	int n;
	do
		n = recvmmsg(s->fd, b->in, UDP_BATCH, MSG_DONTWAIT, NULL);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return 0;
	prefetch_answers(s, (unsigned)n);
	unsigned out = 0;
	for (unsigned i = 0; i < (unsigned)n; i++) {
		struct msghdr *mh = &b->in[i].msg_hdr;
		if (mh->msg_flags & MSG_TRUNC)
			continue; /* larger than any datagram can be: not DNS */
		net_origin origin = {
			.tcp = false,
			.client = (struct sockaddr *)&b->peer[i],
			.client_len = mh->msg_namelen,
			.udp = s,
		};
		if (s->wildcard) {
			origin.control_len = reply_pktinfo(mh, &b->reply_control[i]);
			origin.control = origin.control_len ? b->reply_control[i].buf : NULL;
		}
		size_t len = net_answer(ctx, batch_slot(b, i), b->in[i].msg_len, &origin);
		if (len)
			out = queue_answer(b, out, i, &origin, ctx->answer_buf, len);
	}
	send_batch(s, out);
	return (unsigned)n;
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
	for (int i = 0; i < UDP_BATCHES_PER_WAKEUP; i++)
		if (serve_batch(s) < UDP_BATCH)
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
	s->batch = batch_new();
	if (!s->batch) {
		free(s);
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	s->family = addr->sa_family;
	s->wildcard = sockaddr_is_wildcard(addr);
	bool df_ok = ctx->limits.udp_max_size <= UDP_DF_MAX;
	int rc = open_bound_fd(addr, s->wildcard, ctx->reuseport, df_ok, err, err_size,
			       &s->fd);
	if (rc) {
		batch_free(s->batch);
		free(s);
		return rc;
	}
	rc = uv_poll_init_socket(ctx->loop, &s->poll, s->fd);
	if (rc) {
		snprintf(err, err_size, "poll: %s", uv_strerror(rc));
		close(s->fd);
		batch_free(s->batch);
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
	batch_free(s->batch);
	free(s);
}

void udp_socket_close(udp_socket *s)
{
	if (!s)
		return;
	uv_poll_stop(&s->poll);
	uv_close((uv_handle_t *)&s->poll, on_closed);
}
