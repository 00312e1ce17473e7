/* libuv driver of a query transaction (upstream_io.h). */
#include "upstream_io.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <owndns/error.h>

enum { FAMILY_V4, FAMILY_V6, FAMILY_COUNT };

typedef struct upstream_tcp {
	uv_tcp_t handle;
	uv_connect_t connect;
	uv_write_t write;
	struct upstream_query *q;
	unsigned server;
	bool closing;
	size_t len;
	uint8_t data[]; /* the query with its 2-octet length */
} upstream_tcp;

struct upstream_query {
	uv_loop_t *loop;
	owndns_txn *txn;
	owndns_server_addr servers[OWNDNS_CLIENT_MAX_SERVERS];
	unsigned server_count;
	uint16_t id;
	uv_timer_t timer;
	uv_udp_t *udp[FAMILY_COUNT];
	upstream_tcp *tcp;
	uint8_t *recv_buf;
	size_t recv_buf_size;
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

static bool from_sockaddr(const struct sockaddr *sa, owndns_server_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		out->family = AF_INET6;
		memcpy(out->addr, &s6->sin6_addr, 16);
		out->port = ntohs(s6->sin6_port);
		out->scope_id = s6->sin6_scope_id;
		return true;
	}
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		out->family = AF_INET;
		memcpy(out->addr, &s4->sin_addr, 4);
		out->port = ntohs(s4->sin_port);
		return true;
	}
	return false;
}

/* Marks the server that sent a message with our ID as heard. */
static void note_heard(upstream_query *q, const owndns_server_addr *from, const uint8_t *pkt,
		       size_t len)
{
	if (len < 2 || (uint16_t)((pkt[0] << 8) | pkt[1]) != q->id)
		return;
	for (unsigned i = 0; i < q->server_count; i++)
		if (owndns_server_addr_equal(&q->servers[i], from))
			q->heard |= 1u << i;
}

/* ---- closing ---- */

static void on_part_closed(uv_handle_t *handle)
{
	upstream_query *q = handle->data;
	if (--q->open_handles > 0)
		return;
	owndns_txn_free(q->txn);
	free(q);
}

static void on_tcp_closed(uv_handle_t *handle)
{
	upstream_tcp *t = handle->data;
	upstream_query *q = t->q;
	free(t);
	if (--q->open_handles == 0) {
		owndns_txn_free(q->txn);
		free(q);
	}
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

static void on_udp_handle_closed(uv_handle_t *handle)
{
	upstream_query *q = handle->data;
	free(handle);
	if (--q->open_handles == 0) {
		owndns_txn_free(q->txn);
		free(q);
	}
}

static void close_all(upstream_query *q)
{
	q->finished = true;
	close_tcp(q);
	for (int f = 0; f < FAMILY_COUNT; f++) {
		if (q->udp[f]) {
			uv_close((uv_handle_t *)q->udp[f], on_udp_handle_closed);
			q->udp[f] = NULL;
		}
	}
	uv_timer_stop(&q->timer);
	uv_close((uv_handle_t *)&q->timer, on_part_closed);
}

/* ---- UDP ---- */

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
	upstream_query *q = handle->data;
	(void)suggested;
	*buf = uv_buf_init((char *)q->recv_buf, (unsigned)q->recv_buf_size);
}

static void on_udp_recv(uv_udp_t *handle, ssize_t nread, const uv_buf_t *buf,
			const struct sockaddr *addr, unsigned flags)
{
	upstream_query *q = handle->data;
	owndns_server_addr from;
	if (q->finished || nread <= 0 || !addr || (flags & UV_UDP_PARTIAL) ||
	    !from_sockaddr(addr, &from))
		return;
	note_heard(q, &from, (const uint8_t *)buf->base, (size_t)nread);
	owndns_txn_on_udp(q->txn, uv_now(q->loop), &from, (const uint8_t *)buf->base,
			  (size_t)nread);
	drive(q);
}

/* The socket of the family, opened on first use on an ephemeral port. */
static int udp_socket_for(upstream_query *q, int family, uv_udp_t **out)
{
	int f = family == AF_INET6 ? FAMILY_V6 : FAMILY_V4;
	if (q->udp[f]) {
		*out = q->udp[f];
		return 0;
	}
	uv_udp_t *h = malloc(sizeof(*h));
	if (!h)
		return UV_ENOMEM;
	int rc = uv_udp_init_ex(q->loop, h, (unsigned)family);
	if (rc) {
		free(h);
		return rc;
	}
	h->data = q;
	q->open_handles++;
	struct sockaddr_storage any;
	memset(&any, 0, sizeof(any));
	any.ss_family = (sa_family_t)family;
	rc = uv_udp_bind(h, (const struct sockaddr *)&any, 0);
	if (rc == 0)
		rc = uv_udp_recv_start(h, on_alloc, on_udp_recv);
	if (rc) {
		uv_close((uv_handle_t *)h, on_udp_handle_closed);
		return rc;
	}
	q->udp[f] = h;
	*out = h;
	return 0;
}

static int send_udp(upstream_query *q, unsigned server, const uint8_t *data, size_t len)
{
	const owndns_server_addr *a = &q->servers[server];
	struct sockaddr_storage ss;
	uv_udp_t *h;
	to_sockaddr(a, &ss);
	int rc = udp_socket_for(q, a->family, &h);
	if (rc)
		return rc;
	uv_buf_t buf = uv_buf_init((char *)data, (unsigned)len);
	rc = uv_udp_try_send(h, &buf, 1, (const struct sockaddr *)&ss);
	return rc < 0 ? rc : 0;
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
	*buf = uv_buf_init((char *)t->q->recv_buf, (unsigned)t->q->recv_buf_size);
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
	if (nread >= 4 && (uint16_t)((data[2] << 8) | data[3]) == q->id)
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
	memcpy(t->data, data, len);
	int rc = uv_tcp_init(q->loop, &t->handle);
	if (rc) {
		free(t);
		return rc;
	}
	t->handle.data = t;
	t->connect.data = t;
	q->open_handles++;
	q->tcp = t;
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

/* Carries out the transaction's actions until it waits or is done. */
static void drive(upstream_query *q)
{
	for (;;) {
		owndns_txn_action a;
		uint64_t now = uv_now(q->loop);
		owndns_txn_next_action(q->txn, &a);
		switch (a.kind) {
		case OWNDNS_TXN_SEND_UDP:
			q->asked |= 1u << a.server;
			if (send_udp(q, a.server, a.data, a.len))
				owndns_txn_on_send_failed(q->txn, now, 0);
			break;
		case OWNDNS_TXN_SEND_TCP:
			q->asked |= 1u << a.server;
			if (start_tcp(q, a.server, a.data, a.len))
				owndns_txn_on_tcp_closed(q->txn, now, 0);
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

int upstream_query_start(uv_loop_t *loop, const owndns_txn_params *params, uint8_t *recv_buf,
			 size_t recv_buf_size, upstream_query_done_fn done, void *arg,
			 upstream_query **out)
{
	upstream_query *q = calloc(1, sizeof(*q));
	if (!q)
		return OWNDNS_ENOMEM;
	int rc = owndns_txn_new(params, uv_now(loop), &q->txn);
	if (rc) {
		free(q);
		return rc;
	}
	q->loop = loop;
	q->server_count = params->server_count;
	memcpy(q->servers, params->servers, params->server_count * sizeof(q->servers[0]));
	q->id = params->id;
	q->recv_buf = recv_buf;
	q->recv_buf_size = recv_buf_size;
	q->done = done;
	q->arg = arg;
	uv_timer_init(loop, &q->timer);
	q->timer.data = q;
	q->open_handles = 1;
	q->starting = true;
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
