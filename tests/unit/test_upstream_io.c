/* The libuv driver of upstream queries (server/net/upstream_io.c), against UDP sockets
 * of the test on 127.0.0.1: an answer is taken, a datagram from another port is not;
 * a local send failure leaves the server's `asked` bit clear (it must not count against
 * the upstream); an ICMP port unreachable moves on at once; a truncated answer is
 * asked again over TCP; sockets stay below the descriptor ceiling when a silent
 * upstream is flooded; the worker's epoll set stays open between queries; with a fresh
 * ID per try, a server answering a later try still counts as heard. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../server/net/upstream_io.h"

#define TEST_ID 0x4d2a
#define FLOOD 100

static const uint8_t QNAME[] = "\3www\7example\0";

/* A UDP server of the test: answers every query (QR set) unless silent; before the
 * answer, a decoy with rcode NXDOMAIN comes from another port. */
typedef struct test_server {
	uv_poll_t poll;
	int fd, decoy_fd;
	uint16_t port;
	unsigned queries;
	uint16_t last_id;
} test_server;

typedef struct harness {
	uv_loop_t loop;
	uv_timer_t guard;
	upstream_io *io;
	test_server server;
	uint8_t recv_buf[65536];
	unsigned done_count;
	unsigned not_asked; /* queries that ended without asking anyone */
	owndns_txn_result last;
	uint32_t asked, heard;
	uint64_t started_ms, done_ms;
} harness;

static int udp_socket_on_loopback(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void on_server_readable(uv_poll_t *p, int status, int events)
{
	test_server *s = p->data;
	uint8_t buf[1500];
	struct sockaddr_storage from;
	socklen_t from_len = sizeof(from);
	(void)status;
	(void)events;
	ssize_t n = recvfrom(s->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_len);
	if (n < 12)
		return;
	s->queries++;
	s->last_id = (uint16_t)((buf[0] << 8) | buf[1]);
	buf[2] |= 0x80; /* QR */
	buf[3] = (uint8_t)((buf[3] & 0xf0) | 3); /* NXDOMAIN for the decoy */
	assert_int_equal(sendto(s->decoy_fd, buf, (size_t)n, 0, (struct sockaddr *)&from,
				from_len), n);
	buf[3] &= 0xf0; /* NOERROR for the real answer */
	assert_int_equal(sendto(s->fd, buf, (size_t)n, 0, (struct sockaddr *)&from, from_len), n);
}

static void server_start(harness *h, bool answering)
{
	test_server *s = &h->server;
	uint16_t decoy_port;
	s->fd = udp_socket_on_loopback(&s->port);
	s->decoy_fd = udp_socket_on_loopback(&decoy_port);
	s->queries = 0;
	assert_int_equal(uv_poll_init_socket(&h->loop, &s->poll, s->fd), 0);
	s->poll.data = s;
	if (answering)
		assert_int_equal(uv_poll_start(&s->poll, UV_READABLE, on_server_readable), 0);
}

/* A server whose UDP answers are empty with TC=1 and whose TCP answers are whole. */
typedef struct tc_server {
	uv_poll_t udp_poll, tcp_poll, conn_poll;
	int udp_fd, tcp_fd, conn_fd;
	uint16_t port;
	unsigned tcp_queries;
	uint8_t conn_buf[1500];
	size_t conn_have;
} tc_server;

static void on_tc_udp_readable(uv_poll_t *p, int status, int events)
{
	tc_server *s = p->data;
	uint8_t buf[1500];
	struct sockaddr_storage from;
	socklen_t from_len = sizeof(from);
	(void)status;
	(void)events;
	ssize_t n = recvfrom(s->udp_fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_len);
	if (n < 12)
		return;
	buf[2] |= 0x82; /* QR, TC */
	assert_int_equal(sendto(s->udp_fd, buf, (size_t)n, 0, (struct sockaddr *)&from, from_len),
			 n);
}

/* One query per connection, answered once it has all come in (loopback, small). */
static void on_tc_conn_readable(uv_poll_t *p, int status, int events)
{
	tc_server *s = p->data;
	ssize_t n;
	(void)status;
	(void)events;
	n = read(s->conn_fd, s->conn_buf + s->conn_have, sizeof(s->conn_buf) - s->conn_have);
	if (n <= 0)
		return;
	s->conn_have += (size_t)n;
	if (s->conn_have < 2 ||
	    s->conn_have < 2 + (size_t)((s->conn_buf[0] << 8) | s->conn_buf[1]))
		return;
	s->tcp_queries++;
	s->conn_buf[4] |= 0x80; /* QR, after the 2-octet length */
	assert_int_equal(write(s->conn_fd, s->conn_buf, s->conn_have), (ssize_t)s->conn_have);
	uv_poll_stop(p);
}

static void on_tc_tcp_readable(uv_poll_t *p, int status, int events)
{
	tc_server *s = p->data;
	(void)status;
	(void)events;
	if (s->conn_fd >= 0)
		return;
	s->conn_fd = accept(s->tcp_fd, NULL, NULL);
	assert_true(s->conn_fd >= 0);
	s->conn_have = 0;
	assert_int_equal(uv_poll_init_socket(p->loop, &s->conn_poll, s->conn_fd), 0);
	s->conn_poll.data = s;
	assert_int_equal(uv_poll_start(&s->conn_poll, UV_READABLE, on_tc_conn_readable), 0);
}

/* A TCP listener on the port of a fresh UDP socket; both on 127.0.0.1.  The UDP port
 * may be taken for TCP (a connection of another process, or one in TIME_WAIT): then
 * another port is tried. */
static bool tc_server_bind(tc_server *s)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int on = 1;
	s->udp_fd = udp_socket_on_loopback(&s->port);
	s->tcp_fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->tcp_fd >= 0);
	assert_int_equal(setsockopt(s->tcp_fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)), 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(s->port);
	if (bind(s->tcp_fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
		return true;
	close(s->tcp_fd);
	close(s->udp_fd);
	return false;
}

static void tc_server_start(harness *h, tc_server *s)
{
	unsigned tries = 0;
	while (!tc_server_bind(s))
		assert_true(++tries < 50);
	assert_int_equal(listen(s->tcp_fd, 4), 0);
	s->tcp_queries = 0;
	s->conn_fd = -1;
	assert_int_equal(uv_poll_init_socket(&h->loop, &s->udp_poll, s->udp_fd), 0);
	assert_int_equal(uv_poll_init_socket(&h->loop, &s->tcp_poll, s->tcp_fd), 0);
	s->udp_poll.data = s->tcp_poll.data = s;
	assert_int_equal(uv_poll_start(&s->udp_poll, UV_READABLE, on_tc_udp_readable), 0);
	assert_int_equal(uv_poll_start(&s->tcp_poll, UV_READABLE, on_tc_tcp_readable), 0);
}

static void on_closed(uv_handle_t *handle)
{
	(void)handle;
}

static void server_stop(test_server *s)
{
	uv_close((uv_handle_t *)&s->poll, on_closed);
	close(s->fd);
	close(s->decoy_fd);
}

static void on_guard(uv_timer_t *t)
{
	uv_stop(t->loop);
}

static void harness_init(harness *h)
{
	memset(h, 0, sizeof(*h));
	assert_int_equal(uv_loop_init(&h->loop), 0);
	uv_timer_init(&h->loop, &h->guard);
	uv_timer_start(&h->guard, on_guard, 5000, 0);
	uv_unref((uv_handle_t *)&h->guard);
	assert_int_equal(upstream_io_open(&h->loop, h->recv_buf, sizeof(h->recv_buf), &h->io),
			 0);
}

/* Runs until every handle but the guard is closed, then closes the loop. */
static void harness_finish(harness *h)
{
	uv_run(&h->loop, UV_RUN_DEFAULT);
	upstream_io_close(h->io);
	uv_close((uv_handle_t *)&h->guard, on_closed);
	uv_run(&h->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&h->loop), 0);
}

static void on_done(void *arg, upstream_query *q, const owndns_txn_result *res)
{
	harness *h = arg;
	h->done_count++;
	h->last = *res;
	h->last.packet = NULL; /* owned by the query */
	h->asked = upstream_query_asked(q);
	h->heard = upstream_query_heard(q);
	if (h->asked == 0)
		h->not_asked++;
	h->done_ms = uv_now(&h->loop);
}

static void server_addr(owndns_server_addr *a, const char *ip, uint16_t port)
{
	assert_int_equal(owndns_server_addr_from_text(ip, port, a), 0);
}

static void params_init(owndns_txn_params *p, const owndns_server_addr *servers, unsigned n,
			uint32_t timeout_ms)
{
	memset(p, 0, sizeof(*p));
	p->qname = QNAME;
	p->qtype = 1;
	p->qclass = 1;
	p->servers = servers;
	p->server_count = n;
	p->timeout_ms = timeout_ms;
	p->tries = 1;
	p->flags = OWNDNS_QUERY_RD | OWNDNS_QUERY_EDNS;
	p->id = TEST_ID;
}

static void start_query(harness *h, const owndns_txn_params *p)
{
	upstream_query *q;
	h->started_ms = uv_now(&h->loop);
	assert_int_equal(upstream_query_start(h->io, p, on_done, h, &q), 0);
}

/* The answer comes from the server's port; the decoy from another port of the same
 * address never reaches the transaction. */
static void test_answer_taken_decoy_dropped(void **state)
{
	harness h;
	owndns_server_addr servers[1];
	owndns_txn_params p;
	(void)state;
	harness_init(&h);
	server_start(&h, true);
	server_addr(&servers[0], "127.0.0.1", h.server.port);
	params_init(&p, servers, 1, 1000);
	start_query(&h, &p);
	while (h.done_count == 0 && uv_run(&h.loop, UV_RUN_ONCE))
		;
	assert_int_equal(h.done_count, 1);
	assert_int_equal(h.last.status, OWNDNS_OK);
	assert_int_equal(h.last.rcode, 0);
	assert_int_equal(h.asked, 1);
	assert_int_equal(h.heard, 1);
	server_stop(&h.server);
	harness_finish(&h);
}

/* 255.255.255.255 without SO_BROADCAST: the kernel refuses (EACCES) before anything
 * leaves; the next server answers, and only it counts as asked. */
static void test_local_send_error_not_asked(void **state)
{
	harness h;
	owndns_server_addr servers[2];
	owndns_txn_params p;
	(void)state;
	harness_init(&h);
	server_start(&h, true);
	server_addr(&servers[0], "255.255.255.255", 53);
	server_addr(&servers[1], "127.0.0.1", h.server.port);
	params_init(&p, servers, 2, 1000);
	start_query(&h, &p);
	while (h.done_count == 0 && uv_run(&h.loop, UV_RUN_ONCE))
		;
	assert_int_equal(h.done_count, 1);
	assert_int_equal(h.last.status, OWNDNS_OK);
	assert_int_equal(h.last.server, 1);
	assert_int_equal(h.asked, 2);
	assert_int_equal(h.heard, 2);
	server_stop(&h.server);
	harness_finish(&h);
}

/* A closed port answers with ICMP port unreachable: the next server is asked at once,
 * not after the 2 s time-out, and the closed one counts as asked but not heard. */
static void test_port_unreachable_moves_on(void **state)
{
	harness h;
	owndns_server_addr servers[2];
	owndns_txn_params p;
	uint16_t closed_port;
	(void)state;
	harness_init(&h);
	close(udp_socket_on_loopback(&closed_port));
	server_start(&h, true);
	server_addr(&servers[0], "127.0.0.1", closed_port);
	server_addr(&servers[1], "127.0.0.1", h.server.port);
	params_init(&p, servers, 2, 2000);
	start_query(&h, &p);
	while (h.done_count == 0 && uv_run(&h.loop, UV_RUN_ONCE))
		;
	assert_int_equal(h.done_count, 1);
	assert_int_equal(h.last.status, OWNDNS_OK);
	assert_int_equal(h.last.server, 1);
	assert_true(h.done_ms - h.started_ms < 1000);
	assert_int_equal(h.asked, 3);
	assert_int_equal(h.heard, 2);
	server_stop(&h.server);
	harness_finish(&h);
}

/* How many more descriptors the process can open (at most `most`). */
/* TC=1 over UDP: the same server is asked over TCP and that answer is the result. */
static void test_truncated_answer_asked_over_tcp(void **state)
{
	harness h;
	tc_server tc;
	owndns_server_addr servers[1];
	owndns_txn_params p;
	(void)state;
	harness_init(&h);
	tc_server_start(&h, &tc);
	server_addr(&servers[0], "127.0.0.1", tc.port);
	params_init(&p, servers, 1, 1000);
	start_query(&h, &p);
	while (h.done_count == 0 && uv_run(&h.loop, UV_RUN_ONCE))
		;
	assert_int_equal(h.done_count, 1);
	assert_int_equal(h.last.status, OWNDNS_OK);
	assert_true(h.last.tcp);
	assert_int_equal(tc.tcp_queries, 1);
	assert_int_equal(h.asked, 1);
	assert_int_equal(h.heard, 1);
	uv_close((uv_handle_t *)&tc.udp_poll, on_closed);
	uv_close((uv_handle_t *)&tc.tcp_poll, on_closed);
	assert_true(tc.conn_fd >= 0);
	uv_close((uv_handle_t *)&tc.conn_poll, on_closed);
	close(tc.conn_fd);
	close(tc.udp_fd);
	close(tc.tcp_fd);
	harness_finish(&h);
}

static unsigned free_fds(unsigned most)
{
	int fds[64];
	unsigned n = 0;
	assert_true(most <= 64);
	while (n < most && (fds[n] = dup(0)) >= 0)
		n++;
	for (unsigned i = 0; i < n; i++)
		close(fds[i]);
	return n;
}

/* With a soft limit of 64 descriptors, FLOOD queries to a silent server: sockets stop
 * at the ceiling (a quarter of the limit, at least 16, stays free), the queries beyond
 * it end at once without counting as asked, and every query ends. */
static void test_flood_stays_below_fd_ceiling(void **state)
{
	harness h;
	owndns_server_addr servers[1];
	owndns_txn_params p;
	struct rlimit saved, low;
	unsigned fewest = 64;
	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	low = saved;
	low.rlim_cur = 64;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	harness_init(&h);
	server_start(&h, false);
	server_addr(&servers[0], "127.0.0.1", h.server.port);
	params_init(&p, servers, 1, 200);
	for (unsigned i = 0; i < FLOOD; i++) {
		start_query(&h, &p);
		unsigned n = free_fds(64);
		if (n < fewest)
			fewest = n;
	}
	/* The reserve stays free for the rest of the process. */
	assert_int_equal(fewest, 16);
	while (h.done_count < FLOOD && uv_run(&h.loop, UV_RUN_ONCE))
		;
	assert_int_equal(h.done_count, FLOOD);
	assert_int_not_equal(h.last.status, OWNDNS_OK);
	assert_true(h.not_asked > 0 && h.not_asked < FLOOD);
	assert_int_equal(h.server.queries, 0);
	server_stop(&h.server);
	harness_finish(&h);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
}

/* Descriptors open in this process, and how many of them are epoll sets. */
static unsigned open_fds(unsigned *epoll_sets)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned n = 0;
	assert_non_null(d);
	*epoll_sets = 0;
	while ((e = readdir(d)) != NULL) {
		char path[64], target[64];
		n++;
		if (snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name) >= (int)sizeof(path))
			continue;
		ssize_t len = readlink(path, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = '\0';
		if (strcmp(target, "anon_inode:[eventpoll]") == 0)
			(*epoll_sets)++;
	}
	closedir(d);
	return n;
}

static void run_one_query(harness *h, const owndns_txn_params *p)
{
	unsigned before = h->done_count;
	start_query(h, p);
	while (h->done_count == before && uv_run(&h->loop, UV_RUN_ONCE))
		;
	assert_int_equal(h->done_count, before + 1);
	/* Let the close callbacks of the finished query run. */
	uv_run(&h->loop, UV_RUN_NOWAIT);
}

/* The upstream sockets' epoll set is the worker's: it is open before the first query
 * and after the last (the loop's own set plus this one), and a finished query closes
 * its socket and nothing else, so the next query needs no new epoll set. */
static void test_epoll_set_kept_between_queries(void **state)
{
	harness h;
	owndns_server_addr servers[1];
	owndns_txn_params p;
	unsigned loop_sets, sets;
	(void)state;
	harness_init(&h);
	upstream_io_close(h.io);
	uv_run(&h.loop, UV_RUN_NOWAIT);
	open_fds(&loop_sets);
	assert_int_equal(upstream_io_open(&h.loop, h.recv_buf, sizeof(h.recv_buf), &h.io), 0);
	server_start(&h, true);
	server_addr(&servers[0], "127.0.0.1", h.server.port);
	params_init(&p, servers, 1, 1000);
	unsigned idle = open_fds(&sets);
	assert_int_equal(sets, loop_sets + 1);
	for (unsigned i = 0; i < 2; i++) {
		run_one_query(&h, &p);
		assert_int_equal(h.last.status, OWNDNS_OK);
		assert_int_equal(open_fds(&sets), idle);
		assert_int_equal(sets, loop_sets + 1);
	}
	assert_int_equal(h.server.queries, 2);
	server_stop(&h.server);
	harness_finish(&h);
}

/* IDs for new_id: TEST_ID + 1, + 2 … */
static int next_test_id(void *arg, uint16_t *id)
{
	uint16_t *last = arg;
	*id = ++*last;
	return 0;
}

/* With a fresh ID per try, the second server is asked with the ID of the second try;
 * its answer carries that ID, so it counts as heard (comparing with the first try's ID
 * would miss it and count a live server as silent). */
static void test_fresh_id_per_try_heard(void **state)
{
	harness h;
	owndns_server_addr servers[2];
	owndns_txn_params p;
	uint16_t closed_port, last_id = TEST_ID;
	(void)state;
	harness_init(&h);
	close(udp_socket_on_loopback(&closed_port));
	server_start(&h, true);
	server_addr(&servers[0], "127.0.0.1", closed_port);
	server_addr(&servers[1], "127.0.0.1", h.server.port);
	params_init(&p, servers, 2, 2000);
	p.new_id = next_test_id;
	p.new_id_arg = &last_id;
	start_query(&h, &p);
	while (h.done_count == 0 && uv_run(&h.loop, UV_RUN_ONCE))
		;
	assert_int_equal(h.done_count, 1);
	assert_int_equal(h.last.status, OWNDNS_OK);
	assert_int_equal(h.last.server, 1);
	assert_int_equal(h.server.last_id, TEST_ID + 1);
	assert_int_equal(h.asked, 3);
	assert_int_equal(h.heard, 2);
	server_stop(&h.server);
	harness_finish(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answer_taken_decoy_dropped),
		cmocka_unit_test(test_local_send_error_not_asked),
		cmocka_unit_test(test_port_unreachable_moves_on),
		cmocka_unit_test(test_truncated_answer_asked_over_tcp),
		cmocka_unit_test(test_flood_stays_below_fd_ceiling),
		cmocka_unit_test(test_epoll_set_kept_between_queries),
		cmocka_unit_test(test_fresh_id_per_try_heard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
