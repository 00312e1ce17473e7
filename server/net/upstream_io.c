/* libuv driver of a query transaction (upstream_io.h). */
#include "upstream_io.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <owndns/error.h>

/* Readiness events taken from the loop's epoll set per epoll_wait, and rounds per
 * wake-up before the other handles of the loop get their turn. */
#define READY_BATCH 64
#define READY_ROUNDS 4

/* File descriptors kept free for listeners, TCP clients and files: a quarter of the
 * limit, within these bounds. */
#define FD_RESERVE_MIN 16
#define FD_RESERVE_MAX 1024

/* The upstream sockets of one loop: an epoll set of their own, watched by the loop
 * through one uv_poll_t.  A socket leaves the set when it is closed, which costs no
 * epoll_ctl call.  Open while the worker lives: opening it per query would cost
 * epoll_create, epoll_ctl on the loop's set and a close for every query at low load. */
struct upstream_io {
	uv_loop_t *loop;
	uv_poll_t poll;
	int epfd;
	int fd_ceiling;  /* sockets whose descriptor would be at or above it are refused */
	uint8_t *recv_buf;
	size_t recv_buf_size;
	bool closing;
};

/* The UDP socket of one server of a query: connected, so the kernel drops datagrams
 * from any other address and port. */
typedef struct upstream_udp {
	struct upstream_query *q;
	int fd;          /* -1: not open */
	unsigned server;
	uint16_t id;     /* of the last datagram sent on it */
} upstream_udp;

typedef struct upstream_tcp {
	uv_tcp_t handle;
	uv_connect_t connect;
	uv_write_t write;
	struct upstream_query *q;
	unsigned server;
	uint16_t id;     /* of the query written on it */
	bool closing;
	size_t len;
	uint8_t data[]; /* the query with its 2-octet length */
} upstream_tcp;

struct upstream_query {
	uv_loop_t *loop;
	upstream_io *io;
	owndns_txn *txn;
	owndns_server_addr servers[OWNDNS_CLIENT_MAX_SERVERS];
	unsigned server_count;
	uv_timer_t timer;
	upstream_udp udp[OWNDNS_CLIENT_MAX_SERVERS]; /* udp[i]: the socket for server i */
	unsigned udp_current; /* the server of the last datagram sent */
	upstream_tcp *tcp;
	int open_handles;
	bool starting;  /* inside upstream_query_start: `done` must wait */
	bool finished;  /* done or cancelled: handles are closing */
	uint32_t asked, heard;
	upstream_query_done_fn done;
	void *arg;
};

static void drive(upstream_query *q);

/* ---- addresses ---- */

static socklen_t to_sockaddr(const owndns_server_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a->port);
		memcpy(&s6->sin6_addr, a->addr, 16);
		s6->sin6_scope_id = a->scope_id;
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(a->port);
	memcpy(&s4->sin_addr, a->addr, 4);
	return sizeof(*s4);
}

static uint16_t read_id(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* Marks the server as heard when it sent back the ID we last sent it. */
static void note_heard(upstream_query *q, unsigned server, uint16_t id, const uint8_t *pkt,
		       size_t len)
{
	if (len >= 2 && read_id(pkt) == id)
		q->heard |= 1u << server;
}

/* ---- the loop's upstream sockets ---- */

static void on_io_closed(uv_handle_t *handle)
{
	free(handle->data);
}

static void read_udp(upstream_udp *u);

static void on_io_readable(uv_poll_t *handle, int status, int events)
{
	upstream_io *io = handle->data;
	struct epoll_event ev[READY_BATCH];
	(void)status;
	(void)events;
	for (int round = 0; round < READY_ROUNDS && !io->closing; round++) {
		int n = epoll_wait(io->epfd, ev, READY_BATCH, 0);
		if (n <= 0)
			return;
		/* A socket closed while handling this batch keeps its memory until the
		 * loop's close callbacks run: read_udp sees fd -1 and skips it. */
		for (int i = 0; i < n; i++)
			read_udp(ev[i].data.ptr);
		if (n < READY_BATCH)
			return;
	}
}

/* Sockets numbered at or above the result are refused: the reserve stays free for
 * everything else the process opens, over all workers. */
static int fd_ceiling(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > (rlim_t)INT32_MAX)
		return INT32_MAX;
	rlim_t reserve = rl.rlim_cur / 4;
	if (reserve < FD_RESERVE_MIN)
		reserve = FD_RESERVE_MIN;
	if (reserve > FD_RESERVE_MAX)
		reserve = FD_RESERVE_MAX;
	return rl.rlim_cur > reserve ? (int)(rl.rlim_cur - reserve) : 0;
}

int upstream_io_open(uv_loop_t *loop, uint8_t *recv_buf, size_t recv_buf_size,
		     upstream_io **out)
{
	*out = NULL;
	upstream_io *io = calloc(1, sizeof(*io));
	if (!io)
		return OWNDNS_ENOMEM;
	io->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (io->epfd < 0) {
		free(io);
		return OWNDNS_CLIENT_ESOCKET;
	}
	if (uv_poll_init(loop, &io->poll, io->epfd)) {
		close(io->epfd);
		free(io);
		return OWNDNS_CLIENT_ESOCKET;
	}
	io->loop = loop;
	io->poll.data = io;
	io->recv_buf = recv_buf;
	io->recv_buf_size = recv_buf_size;
	io->fd_ceiling = fd_ceiling();
	if (uv_poll_start(&io->poll, UV_READABLE, on_io_readable)) {
		uv_close((uv_handle_t *)&io->poll, on_io_closed);
		close(io->epfd);
		return OWNDNS_CLIENT_ESOCKET;
	}
	/* Queries keep the loop alive through their timers; an idle set does not. */
	uv_unref((uv_handle_t *)&io->poll);
	*out = io;
	return OWNDNS_OK;
}

void upstream_io_close(upstream_io *io)
{
	if (!io || io->closing)
		return;
	io->closing = true;
	uv_close((uv_handle_t *)&io->poll, on_io_closed);
	close(io->epfd);
	io->epfd = -1;
}

/* ---- closing ---- */

static void query_free(upstream_query *q)
{
	owndns_txn_free(q->txn);
	free(q);
}

static void on_part_closed(uv_handle_t *handle)
{
	upstream_query *q = handle->data;
	if (--q->open_handles == 0)
		query_free(q);
}

static void on_tcp_closed(uv_handle_t *handle)
{
	upstream_tcp *t = handle->data;
	upstream_query *q = t->q;
	free(t);
	if (--q->open_handles == 0)
		query_free(q);
}

static void close_tcp(upstream_query *q)
{
	upstream_tcp *t = q->tcp;
	if (!t)
		return;
	q->tcp = NULL;
	t->closing = true;
	uv_close((uv_handle_t *)&t->handle, on_tcp_closed);
}

static void close_udp(upstream_query *q)
{
	for (unsigned i = 0; i < q->server_count; i++) {
		upstream_udp *u = &q->udp[i];
		if (u->fd < 0)
			continue;
		close(u->fd);
		u->fd = -1;
	}
}

static void close_all(upstream_query *q)
{
	q->finished = true;
	close_tcp(q);
	close_udp(q);
	uv_timer_stop(&q->timer);
	uv_close((uv_handle_t *)&q->timer, on_part_closed);
}

/* ---- UDP ---- */

static void read_udp(upstream_udp *u)
{
	upstream_query *q = u->q;
	if (u->fd < 0 || q->finished)
		return;
	upstream_io *io = q->io;
	ssize_t n = recv(u->fd, io->recv_buf, io->recv_buf_size, MSG_TRUNC);
	if (n < 0) {
		/* An ICMP port unreachable from the server (connected socket): it is not
		 * listening, no need to wait for the time-out. */
		if (errno == ECONNREFUSED && u->server == q->udp_current) {
			owndns_txn_on_send_failed(q->txn, uv_now(q->loop), ECONNREFUSED);
			drive(q);
		}
		return;
	}
	if ((size_t)n > io->recv_buf_size || n == 0)
		return; /* truncated by our buffer, or empty: not an answer */
	note_heard(q, u->server, u->id, io->recv_buf, (size_t)n);
	owndns_txn_on_udp(q->txn, uv_now(q->loop), &q->servers[u->server], io->recv_buf,
			  (size_t)n);
	drive(q);
}

/* A non-blocking socket below the descriptor ceiling, or a negative errno value. */
static int open_socket(upstream_query *q, int family, int type)
{
	int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (fd >= q->io->fd_ceiling) {
		close(fd);
		return -EMFILE;
	}
	return fd;
}

/* A fresh non-blocking socket connected to the server: connect() binds it to a random
 * port of the ephemeral range (RFC 5452 §9.2), as bind() to port 0 would.  Errors are
 * negative errno values, all local: the server has not been reached. */
static int open_udp(upstream_query *q, unsigned server)
{
	upstream_udp *u = &q->udp[server];
	const owndns_server_addr *a = &q->servers[server];
	struct sockaddr_storage ss;
	socklen_t len = to_sockaddr(a, &ss);
	int fd = open_socket(q, a->family, SOCK_DGRAM);
	if (fd < 0)
		return fd;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = u };
	if (connect(fd, (const struct sockaddr *)&ss, len) ||
	    epoll_ctl(q->io->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		int err = errno;
		close(fd);
		return -err;
	}
	u->fd = fd;
	return 0;
}

/* 0: sent; 1: refused by the server (an earlier ICMP port unreachable); else a
 * negative errno value of a local failure. */
static int send_udp(upstream_query *q, unsigned server, const uint8_t *data, size_t len)
{
	upstream_udp *u = &q->udp[server];
	if (u->fd < 0) {
		int rc = open_udp(q, server);
		if (rc)
			return rc;
	}
	q->udp_current = server;
	u->id = read_id(data);
	if (send(u->fd, data, len, 0) == (ssize_t)len)
		return 0;
	return errno == ECONNREFUSED ? 1 : -errno;
}

/* ---- TCP ---- */

static void tcp_failed(upstream_tcp *t, int status)
{
	upstream_query *q = t->q;
	if (t->closing || q->finished)
		return;
	owndns_txn_on_tcp_closed(q->txn, uv_now(q->loop), -status);
	drive(q);
}

static void on_tcp_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
	upstream_tcp *t = handle->data;
	(void)suggested;
	upstream_io *io = t->q->io;
	*buf = uv_buf_init((char *)io->recv_buf, (unsigned)io->recv_buf_size);
}

static void on_tcp_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	upstream_tcp *t = stream->data;
	upstream_query *q = t->q;
	if (t->closing || q->finished || nread == 0)
		return;
	if (nread < 0) {
		tcp_failed(t, (int)nread);
		return;
	}
	const uint8_t *data = (const uint8_t *)buf->base;
	/* The ID follows the 2-octet length of the first message of a connection. */
	if (nread >= 4 && read_id(data + 2) == t->id)
		q->heard |= 1u << t->server;
	owndns_txn_on_tcp_data(q->txn, uv_now(q->loop), data, (size_t)nread);
	drive(q);
}

static void on_tcp_written(uv_write_t *req, int status)
{
	upstream_tcp *t = req->data;
	if (status < 0)
		tcp_failed(t, status);
}

static void on_tcp_connected(uv_connect_t *req, int status)
{
	upstream_tcp *t = req->data;
	if (t->closing || t->q->finished)
		return;
	if (status < 0) {
		tcp_failed(t, status);
		return;
	}
	uv_buf_t buf = uv_buf_init((char *)t->data, (unsigned)t->len);
	t->write.data = t;
	int rc = uv_write(&t->write, (uv_stream_t *)&t->handle, &buf, 1, on_tcp_written);
	if (rc == 0)
		rc = uv_read_start((uv_stream_t *)&t->handle, on_tcp_alloc, on_tcp_read);
	if (rc)
		tcp_failed(t, rc);
}

static int start_tcp(upstream_query *q, unsigned server, const uint8_t *data, size_t len)
{
	struct sockaddr_storage ss;
	close_tcp(q);
	upstream_tcp *t = malloc(sizeof(*t) + len);
	if (!t)
		return UV_ENOMEM;
	memset(t, 0, sizeof(*t));
	t->q = q;
	t->server = server;
	t->len = len;
	t->id = read_id(data + 2);
	memcpy(t->data, data, len);
	int fd = open_socket(q, q->servers[server].family, SOCK_STREAM);
	if (fd < 0) {
		free(t);
		return fd;
	}
	int rc = uv_tcp_init(q->loop, &t->handle);
	if (rc) {
		close(fd);
		free(t);
		return rc;
	}
	t->handle.data = t;
	t->connect.data = t;
	q->open_handles++;
	q->tcp = t;
	rc = uv_tcp_open(&t->handle, fd);
	if (rc) {
		close(fd);
		close_tcp(q);
		return rc;
	}
	to_sockaddr(&q->servers[server], &ss);
	rc = uv_tcp_connect(&t->connect, &t->handle, (const struct sockaddr *)&ss,
			    on_tcp_connected);
	if (rc)
		close_tcp(q);
	return rc;
}

/* ---- the transaction's actions ---- */

static void finish(upstream_query *q)
{
	q->done(q->arg, q, owndns_txn_get_result(q->txn));
	close_all(q);
}

static void on_timer(uv_timer_t *timer)
{
	upstream_query *q = timer->data;
	if (q->finished)
		return;
	owndns_txn_on_timer(q->txn, uv_now(q->loop));
	drive(q);
}

/* Carries out the transaction's actions until it waits or is done.  Only a message
 * that left this host sets the server's `asked` bit: a local failure (no socket, no
 * route, a full buffer) says nothing about the upstream's health. */
static void drive(upstream_query *q)
{
	for (;;) {
		owndns_txn_action a;
		uint64_t now = uv_now(q->loop);
		int rc;
		owndns_txn_next_action(q->txn, &a);
		switch (a.kind) {
		case OWNDNS_TXN_SEND_UDP:
			rc = send_udp(q, a.server, a.data, a.len);
			if (rc >= 0)
				q->asked |= 1u << a.server;
			if (rc)
				owndns_txn_on_send_failed(q->txn, now, rc > 0 ? ECONNREFUSED : -rc);
			break;
		case OWNDNS_TXN_SEND_TCP:
			if (start_tcp(q, a.server, a.data, a.len))
				owndns_txn_on_tcp_closed(q->txn, now, 0);
			else
				q->asked |= 1u << a.server;
			break;
		case OWNDNS_TXN_CLOSE_TCP:
			close_tcp(q);
			break;
		case OWNDNS_TXN_WAIT:
			uv_timer_start(&q->timer, on_timer,
				       a.wake_at_ms > now ? a.wake_at_ms - now : 0, 0);
			return;
		case OWNDNS_TXN_DONE:
			if (q->starting) {
				/* The caller has not got its handle yet: report next turn. */
				uv_timer_start(&q->timer, on_timer, 0, 0);
				return;
			}
			finish(q);
			return;
		}
	}
}

int upstream_query_start(upstream_io *io, const owndns_txn_params *params,
			 upstream_query_done_fn done, void *arg, upstream_query **out)
{
	uv_loop_t *loop = io->loop;
	if (params->server_count > OWNDNS_CLIENT_MAX_SERVERS)
		return OWNDNS_EINVAL;
	if (io->closing)
		return OWNDNS_CLIENT_ESOCKET;
	upstream_query *q = calloc(1, sizeof(*q));
	if (!q)
		return OWNDNS_ENOMEM;
	int rc = owndns_txn_new(params, uv_now(loop), &q->txn);
	if (rc) {
		free(q);
		return rc;
	}
	q->io = io;
	q->loop = loop;
	q->server_count = params->server_count;
	memcpy(q->servers, params->servers, params->server_count * sizeof(q->servers[0]));
	for (unsigned i = 0; i < q->server_count; i++) {
		q->udp[i].q = q;
		q->udp[i].fd = -1;
		q->udp[i].server = i;
	}
	q->open_handles = 1;
	q->starting = true;
	q->done = done;
	q->arg = arg;
	uv_timer_init(loop, &q->timer);
	q->timer.data = q;
	*out = q;
	drive(q);
	q->starting = false;
	return OWNDNS_OK;
}

void upstream_query_cancel(upstream_query *q)
{
	if (q && !q->finished)
		close_all(q);
}

uint32_t upstream_query_asked(const upstream_query *q)
{
	return q->asked;
}

uint32_t upstream_query_heard(const upstream_query *q)
{
	return q->heard;
}
