/* TCP listeners and connections on libuv streams (tcp.h). */
#include "tcp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <owndns/error.h>

#include "forwarding.h"
#include "sockaddr_text.h"
#include "tcp_framing.h"

#define TCP_BACKLOG 128

struct tcp_listener {
	uv_tcp_t handle;
	net_context *ctx;
};

typedef struct tcp_conn {
	uv_tcp_t handle;
	uv_timer_t idle_timer;
	net_context *ctx;
	tcp_framer framer;
	struct tcp_conn *older, *newer; /* ctx's list, by last activity */
	struct sockaddr_storage peer;
	int peer_len;
	size_t pending_bytes;  /* answers handed to uv_write, not yet written */
	net_waiter *waiting;   /* queries waiting for an upstream (forwarding.h) */
	size_t waiting_count;
	int open_handles;      /* handle and timer; freed when both are closed */
	bool reading;
	bool peer_done;        /* the client closed its side: close once all is written */
	bool closing;
	int send_error;        /* libuv code of a failed send, for the log */
} tcp_conn;

/* on_message's "stop" value: positive, so it never looks like a framing error. */
#define SEND_FAILED 1

typedef struct tcp_write {
	uv_write_t req;
	tcp_conn *conn;
	size_t len;
	uint8_t data[];
} tcp_write;

static void conn_close(tcp_conn *c);
static void conn_start_reading(tcp_conn *c);
static void log_conn_problem(const tcp_conn *c, const char *what);

/* ---- the activity list ---- */

static void conn_unlink(tcp_conn *c)
{
	net_context *ctx = c->ctx;
	if (c->older)
		c->older->newer = c->newer;
	else
		ctx->conn_oldest = c->newer;
	if (c->newer)
		c->newer->older = c->older;
	else
		ctx->conn_newest = c->older;
	c->older = c->newer = NULL;
}

static void conn_link_newest(tcp_conn *c)
{
	net_context *ctx = c->ctx;
	c->older = ctx->conn_newest;
	c->newer = NULL;
	if (ctx->conn_newest)
		ctx->conn_newest->newer = c;
	else
		ctx->conn_oldest = c;
	ctx->conn_newest = c;
}

static bool conn_is_idle(const tcp_conn *c)
{
	return !c->closing && c->pending_bytes == 0 && c->waiting_count == 0 &&
	       tcp_framer_idle(&c->framer);
}

/* Nothing left to send: no answer being written, none waiting for an upstream. */
static bool conn_all_answered(const tcp_conn *c)
{
	return c->pending_bytes == 0 && c->waiting_count == 0;
}

static void on_idle_timeout(uv_timer_t *timer)
{
	tcp_conn *c = timer->data;
	if (c->waiting_count > 0) {
		/* Not idle: an answer is on its way from upstream. */
		uv_timer_start(&c->idle_timer, on_idle_timeout,
			       c->ctx->limits.tcp_idle_timeout_ms, 0);
		return;
	}
	if (log_enabled(c->ctx->log, LOG_LEVEL_DEBUG)) {
		char peer[SOCKADDR_TEXT_MAX];
		log_debug(c->ctx->log, "tcp connection from %s: idle timeout",
			  sockaddr_to_text((struct sockaddr *)&c->peer, peer, sizeof(peer)));
	}
	conn_close(c);
}

/* Records activity: restarts the idle timer and makes c the newest connection. */
static void conn_touch(tcp_conn *c)
{
	if (c->closing)
		return;
	uv_timer_start(&c->idle_timer, on_idle_timeout, c->ctx->limits.tcp_idle_timeout_ms, 0);
	conn_unlink(c);
	conn_link_newest(c);
}

/* ---- closing ---- */

static void on_conn_part_closed(uv_handle_t *handle)
{
	tcp_conn *c = handle->data;
	if (--c->open_handles == 0)
		free(c);
}

/* Pending writes are cancelled by uv_close; their callbacks run before ours. */
static void conn_close(tcp_conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	conn_unlink(c);
	c->ctx->conn_count--;
	/* Answers still on their way from upstream are dropped. */
	while (c->waiting)
		net_forward_cancel(c->ctx, c->waiting);
	tcp_framer_free(&c->framer);
	uv_timer_stop(&c->idle_timer);
	uv_close((uv_handle_t *)&c->idle_timer, on_conn_part_closed);
	uv_close((uv_handle_t *)&c->handle, on_conn_part_closed);
}

void tcp_close_connections(net_context *ctx)
{
	while (ctx->conn_oldest)
		conn_close(ctx->conn_oldest);
}

/* ---- writing ---- */

static void after_output_drained(tcp_conn *c)
{
	if (c->peer_done && conn_all_answered(c)) {
		conn_close(c);
		return;
	}
	if (!c->reading && !c->peer_done &&
	    c->pending_bytes <= c->ctx->limits.tcp_max_pending_write / 2)
		conn_start_reading(c);
	if (c->pending_bytes == 0)
		conn_touch(c);
}

static void on_written(uv_write_t *req, int status)
{
	tcp_write *w = req->data;
	tcp_conn *c = w->conn;
	c->pending_bytes -= w->len;
	free(w);
	if (c->closing)
		return;
	if (status < 0) {
		conn_close(c);
		return;
	}
	after_output_drained(c);
}

/* Queues prefix+answer[offset..) for uv_write.  Returns 0 or a negative code. */
static int conn_queue_write(tcp_conn *c, const uint8_t prefix[2], const uint8_t *answer,
			    size_t answer_len, size_t offset)
{
	size_t total = 2 + answer_len - offset;
	tcp_write *w = malloc(sizeof(*w) + total);
	if (!w)
		return UV_ENOMEM;
	size_t pos = 0;
	for (size_t i = offset; i < 2; i++)
		w->data[pos++] = prefix[i];
	size_t answer_from = offset > 2 ? offset - 2 : 0;
	memcpy(w->data + pos, answer + answer_from, answer_len - answer_from);
	w->conn = c;
	w->len = total;
	w->req.data = w;
	uv_buf_t buf = uv_buf_init((char *)w->data, (unsigned)total);
	int rc = uv_write(&w->req, (uv_stream_t *)&c->handle, &buf, 1, on_written);
	if (rc) {
		free(w);
		return rc;
	}
	c->pending_bytes += total;
	return 0;
}

/* Sends one framed answer: straight to the socket when nothing else waits, with the
 * rest (or all of it) queued.  Returns 0 or a negative code. */
static int conn_send(tcp_conn *c, const uint8_t *answer, size_t len)
{
	uint8_t prefix[2];
	tcp_framing_prefix(prefix, len);
	size_t written = 0;
	if (c->pending_bytes == 0) {
		uv_buf_t bufs[2] = { uv_buf_init((char *)prefix, 2),
				     uv_buf_init((char *)answer, (unsigned)len) };
		int n = uv_try_write((uv_stream_t *)&c->handle, bufs, 2);
		if (n < 0 && n != UV_EAGAIN)
			return n;
		if (n > 0)
			written = (size_t)n;
	}
	if (written == 2 + len)
		return 0;
	return conn_queue_write(c, prefix, answer, len, written);
}

/* ---- answers from upstream ---- */

void tcp_conn_track(tcp_conn *c, net_waiter *w)
{
	w->conn_prev = NULL;
	w->conn_next = c->waiting;
	if (c->waiting)
		c->waiting->conn_prev = w;
	c->waiting = w;
	c->waiting_count++;
}

void tcp_conn_untrack(tcp_conn *c, net_waiter *w)
{
	if (w->conn_prev)
		w->conn_prev->conn_next = w->conn_next;
	else if (c->waiting == w)
		c->waiting = w->conn_next;
	else
		return; /* not tracked */
	if (w->conn_next)
		w->conn_next->conn_prev = w->conn_prev;
	w->conn_prev = w->conn_next = NULL;
	c->waiting_count--;
}

void tcp_conn_deliver(tcp_conn *c, const uint8_t *answer, size_t len)
{
	if (c->closing)
		return;
	if (len) {
		c->send_error = conn_send(c, answer, len);
		if (c->send_error) {
			log_conn_problem(c, uv_strerror(c->send_error));
			conn_close(c);
			return;
		}
	}
	after_output_drained(c);
}

/* ---- reading ---- */

static int on_message(void *arg, const uint8_t *msg, size_t len)
{
	tcp_conn *c = arg;
	conn_touch(c);
	net_origin origin = {
		.tcp = true,
		.client = (struct sockaddr *)&c->peer,
		.client_len = (socklen_t)c->peer_len,
		.conn = c,
	};
	size_t n = net_answer(c->ctx, msg, len, &origin);
	if (n == 0)
		return 0;
	c->send_error = conn_send(c, c->ctx->answer_buf, n);
	return c->send_error ? SEND_FAILED : 0;
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
	tcp_conn *c = handle->data;
	(void)suggested;
	/* One buffer for all: a read is consumed before the next one starts. */
	*buf = uv_buf_init((char *)c->ctx->recv_buf, sizeof(c->ctx->recv_buf));
}

static void log_conn_problem(const tcp_conn *c, const char *what)
{
	if (!log_enabled(c->ctx->log, LOG_LEVEL_DEBUG))
		return;
	char peer[SOCKADDR_TEXT_MAX];
	log_debug(c->ctx->log, "tcp connection from %s closed: %s",
		  sockaddr_to_text((const struct sockaddr *)&c->peer, peer, sizeof(peer)), what);
}

static void conn_stop_reading(tcp_conn *c)
{
	if (c->reading)
		uv_read_stop((uv_stream_t *)&c->handle);
	c->reading = false;
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	tcp_conn *c = stream->data;
	if (nread == 0 || c->closing)
		return;
	if (nread < 0) {
		conn_stop_reading(c);
		c->peer_done = true;
		if (nread != UV_EOF || conn_all_answered(c)) {
			if (nread != UV_EOF)
				log_conn_problem(c, uv_strerror((int)nread));
			conn_close(c);
		}
		return;
	}
	int rc = tcp_framer_feed(&c->framer, (const uint8_t *)buf->base, (size_t)nread,
				 on_message, c);
	if (rc) {
		if (rc == OWNDNS_EINVAL)
			log_conn_problem(c, "message of length 0");
		else if (rc == OWNDNS_ESPACE)
			log_conn_problem(c, "message longer than we accept");
		else if (rc == SEND_FAILED)
			log_conn_problem(c, uv_strerror(c->send_error));
		else
			log_conn_problem(c, owndns_strerror(rc));
		conn_close(c);
		return;
	}
	if (!c->closing && c->pending_bytes > c->ctx->limits.tcp_max_pending_write)
		conn_stop_reading(c);
}

static void conn_start_reading(tcp_conn *c)
{
	if (c->reading || c->closing)
		return;
	int rc = uv_read_start((uv_stream_t *)&c->handle, on_alloc, on_read);
	if (rc) {
		log_conn_problem(c, uv_strerror(rc));
		conn_close(c);
		return;
	}
	c->reading = true;
}

/* ---- accepting ---- */

static void on_refused_closed(uv_handle_t *handle)
{
	free(handle);
}

/* Takes the connection off the backlog and closes it at once. */
static void refuse_connection(uv_stream_t *server)
{
	uv_tcp_t *t = malloc(sizeof(*t));
	if (!t)
		return;
	uv_tcp_init(server->loop, t);
	uv_accept(server, (uv_stream_t *)t);
	uv_close((uv_handle_t *)t, on_refused_closed);
}

/* At the limit: closes the connection idle the longest; false when none is idle. */
static bool make_room(net_context *ctx)
{
	for (tcp_conn *c = ctx->conn_oldest; c; c = c->newer) {
		if (conn_is_idle(c)) {
			log_conn_problem(c, "connection limit reached, closing the oldest idle one");
			conn_close(c);
			return true;
		}
	}
	return false;
}

/* Accepts the next connection; NULL when that failed (it is then closed). */
static tcp_conn *conn_new(net_context *ctx, uv_stream_t *server)
{
	tcp_conn *c = calloc(1, sizeof(*c));
	if (!c) {
		refuse_connection(server);
		return NULL;
	}
	c->ctx = ctx;
	tcp_framer_init(&c->framer, ctx->limits.tcp_max_query);
	uv_tcp_init(ctx->loop, &c->handle);
	uv_timer_init(ctx->loop, &c->idle_timer);
	c->handle.data = c;
	c->idle_timer.data = c;
	c->open_handles = 2;
	ctx->conn_count++;
	conn_link_newest(c);
	if (uv_accept(server, (uv_stream_t *)&c->handle)) {
		conn_close(c);
		return NULL;
	}
	c->peer_len = sizeof(c->peer);
	if (uv_tcp_getpeername(&c->handle, (struct sockaddr *)&c->peer, &c->peer_len))
		c->peer_len = 0;
	/* Answers are written whole; Nagle would hold back pipelined ones. */
	uv_tcp_nodelay(&c->handle, 1);
	return c;
}

static void on_connection(uv_stream_t *server, int status)
{
	tcp_listener *l = server->data;
	net_context *ctx = l->ctx;
	if (status < 0) {
		log_warn(ctx->log, "tcp accept: %s", uv_strerror(status));
		return;
	}
	if (ctx->conn_count >= ctx->limits.tcp_max_connections && !make_room(ctx)) {
		log_debug(ctx->log, "tcp connection refused: %zu connections open, none idle",
			  ctx->conn_count);
		refuse_connection(server);
		return;
	}
	tcp_conn *c = conn_new(ctx, server);
	if (!c)
		return;
	conn_touch(c);
	conn_start_reading(c);
}

/* ---- listeners ---- */

static void on_listener_closed(uv_handle_t *handle)
{
	free(handle->data);
}

int tcp_listener_open(net_context *ctx, const struct sockaddr *addr, tcp_listener **out,
		      char *err, size_t err_size)
{
	tcp_listener *l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, err_size, "out of memory");
		return UV_ENOMEM;
	}
	l->ctx = ctx;
	int rc = uv_tcp_init_ex(ctx->loop, &l->handle, addr->sa_family);
	if (rc) {
		snprintf(err, err_size, "socket: %s", uv_strerror(rc));
		free(l);
		return rc;
	}
	l->handle.data = l;
	if (ctx->reuseport) {
		uv_os_fd_t fd;
		int one = 1;
		rc = uv_fileno((uv_handle_t *)&l->handle, &fd);
		if (rc == 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
			rc = -errno;
		if (rc) {
			snprintf(err, err_size, "SO_REUSEPORT: %s", uv_strerror(rc));
			uv_close((uv_handle_t *)&l->handle, on_listener_closed);
			return rc;
		}
	}
	/* libuv sets SO_REUSEADDR itself; a bind error may only show at listen time. */
	unsigned flags = addr->sa_family == AF_INET6 ? UV_TCP_IPV6ONLY : 0;
	rc = uv_tcp_bind(&l->handle, addr, flags);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&l->handle, TCP_BACKLOG, on_connection);
	if (rc) {
		snprintf(err, err_size, "bind: %s", uv_strerror(rc));
		uv_close((uv_handle_t *)&l->handle, on_listener_closed);
		return rc;
	}
	*out = l;
	return 0;
}

void tcp_listener_close(tcp_listener *l)
{
	if (l)
		uv_close((uv_handle_t *)&l->handle, on_listener_closed);
}
