/* What the daemon's network code shares: the loop, the data served, the limits, the
 * log, the queries waiting for upstreams (forwarding.h), and two scratch buffers.  One
 * net_context per event loop, that is per worker thread (worker.h); listeners and
 * connections keep a pointer to it and never outlive it.  Everything here runs on the
 * loop's thread, so a reload that swaps view->zones between two callbacks is atomic
 * with respect to queries.  What other workers share with this one is read-only
 * (zones, local data, ACL), thread-safe (the cache), or behind upstream_lock (the
 * upstreams' health and SRTT). */
#ifndef OWNDNS_SERVER_NET_NET_H
#define OWNDNS_SERVER_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "../log.h"
#include "../query.h"

/* A UDP datagram is at most 65535 octets; one more shows truncation by the kernel. */
#define NET_RECV_BUF_SIZE 65536
/* server_answer's output: TCP needs 65535 (query.h), UDP 4096. */
#define NET_ANSWER_BUF_SIZE 65535

typedef struct net_limits {
	size_t udp_max_size;          /* largest UDP response sent (udp-max-size=) */
	uint64_t tcp_idle_timeout_ms; /* tcp-idle-timeout= */
	size_t tcp_max_connections;   /* tcp-max-connections=, over all listeners */
	size_t tcp_max_query;         /* longer TCP messages close the connection */
	size_t tcp_max_pending_write; /* stop reading while more output waits */
} net_limits;

struct tcp_conn;
struct udp_socket;
struct net_forwarding;

/* Where a query came from: how to answer it, now or once an upstream has answered. */
typedef struct net_origin {
	bool tcp;
	const struct sockaddr *client;
	socklen_t client_len;
	struct udp_socket *udp;   /* UDP: the listening socket */
	const void *control;      /* UDP: ancillary data for the reply (pktinfo), or NULL */
	size_t control_len;
	struct tcp_conn *conn;    /* TCP: the connection */
} net_origin;

/* Room for the reply's ancillary data (an in6_pktinfo). */
#define NET_CONTROL_MAX 64

/* A client waiting for an upstream answer (forwarding.c owns it). */
typedef struct net_waiter {
	inflight_waiter link;
	reply_query client;
	bool tcp;
	struct udp_socket *udp;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	_Alignas(8) uint8_t control[NET_CONTROL_MAX];
	size_t control_len;
	struct tcp_conn *conn;
	struct net_waiter *conn_prev, *conn_next; /* the connection's waiters (tcp.c) */
} net_waiter;

typedef struct net_context {
	uv_loop_t *loop;
	const server_view *view;
	const server_log *log;
	net_limits limits;
	struct net_forwarding *forwarding; /* NULL: nothing goes upstream */
	/* Held around every read or update of view->forward's upstream health (several
	 * workers share it); NULL: this loop is the only one. */
	pthread_mutex_t *upstream_lock;
	/* Listeners set SO_REUSEPORT: every worker binds its own sockets to the same
	 * addresses and the kernel spreads the clients over them. */
	bool reuseport;
	/* listener_open does not log "listening on": another worker already said it. */
	bool quiet_listen;
	/* Open TCP connections, oldest activity first (tcp.c alone touches these). */
	struct tcp_conn *conn_oldest, *conn_newest;
	size_t conn_count;
	uint8_t recv_buf[NET_RECV_BUF_SIZE];
	uint8_t answer_buf[NET_ANSWER_BUF_SIZE];
} net_context;

/* The defaults of the serve keys, in one place for tools/serve.c and tests. */
#define NET_DEFAULT_UDP_MAX_SIZE 1232
#define NET_DEFAULT_TCP_IDLE_TIMEOUT_S 10
#define NET_DEFAULT_TCP_MAX_CONNECTIONS 1000
/* Queries are small; 16 KiB leaves room for any EDNS options while bounding what one
 * slow client can make us hold. */
#define NET_DEFAULT_TCP_MAX_QUERY 16384
#define NET_DEFAULT_TCP_MAX_PENDING_WRITE (256 * 1024)

/* Fills ctx (allocated by the caller: it is about 128 KiB) for `loop`. */
void net_context_init(net_context *ctx, uv_loop_t *loop, const server_view *view,
		      const server_log *log, const net_limits *limits);

/* Runs the pipeline (server_process) on one query; the response is in ctx->answer_buf.
 * Returns its length, 0 for no response now: none at all, or one that will come from
 * an upstream through `origin` (forwarding.h).  UDP responses are cut to
 * limits.udp_max_size. */
size_t net_answer(net_context *ctx, const uint8_t *query, size_t len, const net_origin *origin);

/* The loop's monotonic clock in seconds, for the cache. */
uint32_t net_now_s(const net_context *ctx);

#endif
