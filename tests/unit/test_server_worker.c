/* Workers (server/net/worker.c) and the port check of listener.c: a worker answers on
 * its own thread, moves to published zones and says so through `notify` (the reload
 * handshake that lets the daemon free an old zone set), never goes back to an older
 * generation, and stops and frees cleanly, also when it never started.  A port in use
 * (even by an SO_REUSEPORT socket) fails listener_check_free. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../server/net/listener.h"
#include "../../server/net/worker.h"

typedef struct harness {
	uv_loop_t loop;
	uv_async_t notify;
	uv_timer_t deadline;
	net_worker *worker;
	uint64_t want;
	unsigned notified;
	server_view view;
	server_log log;
} harness;

static void on_notify(uv_async_t *a)
{
	harness *h = a->data;
	h->notified++;
	if (net_worker_zones_generation(h->worker) >= h->want)
		uv_stop(&h->loop);
}

static void on_deadline(uv_timer_t *t)
{
	uv_stop(t->loop);
}

static struct sockaddr_storage loopback_any_port(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	memset(&ss, 0, sizeof(ss));
	in->sin_family = AF_INET;
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return ss;
}

static void harness_open(harness *h, const struct sockaddr_storage *listen, size_t n)
{
	memset(h, 0, sizeof(*h));
	h->log.level = LOG_LEVEL_ERROR;
	h->log.out = stderr;
	h->log.prefix = "test";
	h->view.udp_max = 1232;
	assert_int_equal(uv_loop_init(&h->loop), 0);
	assert_int_equal(uv_async_init(&h->loop, &h->notify, on_notify), 0);
	h->notify.data = h;
	assert_int_equal(uv_timer_init(&h->loop, &h->deadline), 0);
	net_worker_config cfg = {
		.view = &h->view,
		.listen = listen,
		.listen_count = n,
		.log = &h->log,
		.limits = { 1232, 10000, 10, 16384, 65536 },
		.notify = &h->notify,
	};
	assert_int_equal(net_worker_open(&cfg, &h->worker), 0);
}

static void harness_close(harness *h)
{
	net_worker_free(h->worker);
	uv_close((uv_handle_t *)&h->notify, NULL);
	uv_close((uv_handle_t *)&h->deadline, NULL);
	uv_run(&h->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&h->loop), 0);
}

/* Runs the test's loop until the worker's notification shows generation `want` (or
 * 5 s pass).  The loop runs even when the generation is already there: the worker may
 * have moved before this thread looked, and its notification is still pending. */
static void wait_generation(harness *h, uint64_t want)
{
	h->want = want;
	uv_timer_start(&h->deadline, on_deadline, 5000, 0);
	uv_run(&h->loop, UV_RUN_DEFAULT);
	uv_timer_stop(&h->deadline);
}

static void test_worker_moves_to_published_zones(void **state)
{
	(void)state;
	harness h;
	harness_open(&h, NULL, 0);
	assert_int_equal(net_worker_start(h.worker), 0);
	assert_int_equal(net_worker_zones_generation(h.worker), 0);
	/* Opaque pointers: the worker stores them and never reads through them here. */
	static int set_a, set_b;
	net_worker_publish_zones(h.worker, (const struct zone_set *)&set_a, 1);
	wait_generation(&h, 1);
	assert_int_equal(net_worker_zones_generation(h.worker), 1);
	assert_true(h.notified >= 1);
	net_worker_publish_zones(h.worker, (const struct zone_set *)&set_b, 3);
	wait_generation(&h, 3);
	assert_int_equal(net_worker_zones_generation(h.worker), 3);
	/* An older generation published late is ignored. */
	net_worker_publish_zones(h.worker, (const struct zone_set *)&set_a, 2);
	usleep(100 * 1000);
	assert_int_equal(net_worker_zones_generation(h.worker), 3);
	harness_close(&h);
}

/* A fixed port is needed to send to: one free for both UDP and TCP (a port free for UDP
 * may be taken for TCP by another test running at the same time). */
static struct sockaddr_storage free_udp_and_tcp_port(void)
{
	for (int attempt = 0; attempt < 100; attempt++) {
		struct sockaddr_storage addr = loopback_any_port();
		socklen_t len = sizeof(addr);
		int udp = socket(AF_INET, SOCK_DGRAM, 0);
		int tcp = socket(AF_INET, SOCK_STREAM, 0);
		assert_true(udp >= 0 && tcp >= 0);
		assert_int_equal(bind(udp, (struct sockaddr *)&addr, sizeof(struct sockaddr_in)), 0);
		assert_int_equal(getsockname(udp, (struct sockaddr *)&addr, &len), 0);
		bool both = bind(tcp, (struct sockaddr *)&addr, sizeof(struct sockaddr_in)) == 0;
		close(udp);
		close(tcp);
		if (both)
			return addr;
	}
	fail_msg("no port free for both UDP and TCP in 100 attempts");
	return loopback_any_port();
}

static void test_worker_answers_and_stops(void **state)
{
	(void)state;
	struct sockaddr_storage listen = free_udp_and_tcp_port();
	harness h;
	harness_open(&h, &listen, 1);
	assert_int_equal(net_worker_start(h.worker), 0);
	/* recursion off and no zones: a query is REFUSED, by the worker's thread. */
	static const uint8_t q[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
				     3, 'w', 'w', 'w', 0, 0, 1, 0, 1 };
	int c = socket(AF_INET, SOCK_DGRAM, 0);
	struct timeval tv = { 2, 0 };
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(sendto(c, q, sizeof(q), 0, (struct sockaddr *)&listen,
				sizeof(struct sockaddr_in)), (ssize_t)sizeof(q));
	uint8_t r[512];
	ssize_t n = recv(c, r, sizeof(r), 0);
	close(c);
	assert_true(n >= 12);
	assert_int_equal(r[0], 0x12);
	assert_int_equal(r[1], 0x34);
	assert_true(r[2] & 0x80);          /* QR */
	assert_int_equal(r[3] & 0x0f, 5);  /* REFUSED */
	harness_close(&h);
}

static void test_worker_never_started_frees(void **state)
{
	(void)state;
	struct sockaddr_storage listen = loopback_any_port();
	harness h;
	harness_open(&h, &listen, 1);
	harness_close(&h);
}

/* Squats addr's UDP port with SO_REUSEPORT (our own reuseport sockets would join it)
 * and checks that the listener sees it taken; then frees it.  False when addr turned
 * out to be taken by someone else meanwhile (tests run side by side). */
static bool udp_squatter_detected(struct sockaddr_storage *addr, char *err, size_t err_size)
{
	int one = 1;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)addr, sizeof(struct sockaddr_in))) {
		close(fd);
		return false;
	}
	int rc = listener_check_free((struct sockaddr *)addr, err, err_size);
	close(fd);
	assert_true(rc < 0);
	if (!strstr(err, "(udp): bind:"))
		return false; /* TCP taken by another test first */
	return listener_check_free((struct sockaddr *)addr, err, err_size) == 0;
}

static void test_port_in_use(void **state)
{
	(void)state;
	struct sockaddr_storage addr;
	char err[256];
	int one = 1;
	int attempt = 0;
	do {
		assert_true(++attempt <= 20);
		addr = free_udp_and_tcp_port();
	} while (!udp_squatter_detected(&addr, err, sizeof(err)));
	/* A TCP listener alone counts too. */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(struct sockaddr_in)), 0);
	assert_int_equal(listen(fd, 1), 0);
	int rc = listener_check_free((struct sockaddr *)&addr, err, sizeof(err));
	assert_true(rc < 0);
	assert_non_null(strstr(err, "(tcp): bind:"));
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worker_moves_to_published_zones),
		cmocka_unit_test(test_worker_answers_and_stops),
		cmocka_unit_test(test_worker_never_started_frees),
		cmocka_unit_test(test_port_in_use),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
