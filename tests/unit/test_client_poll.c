/* Unit tests of the poll() driver (lib/client/query.c, resolve.c, host.c) against a tiny
 * UDP responder thread on 127.0.0.1, and of owndns_answer_addresses (CNAME chains). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include <owndns/client.h>

#define TYPE_A 1
#define TYPE_CNAME 5
#define TYPE_AAAA 28

/* ---- Building answers --------------------------------------------------------------- */

static void add_rr(owndns_msg_writer *w, const uint8_t *owner, uint16_t type,
		   const void *rdata, uint16_t rdlen)
{
	owndns_rr rr = { owner, type, 1, 60, rdlen, rdata };
	assert_int_equal(owndns_writer_rr(w, OWNDNS_SECTION_ANSWER, &rr), OWNDNS_OK);
}

static const uint8_t www[] = "\3www\7example\3com";
static const uint8_t WWW_UPPER[] = "\3WWW\7EXAMPLE\3COM";
static const uint8_t alias1[] = "\6alias1\7example\3net";
static const uint8_t host[] = "\4host\7example\3org";
static const uint8_t a1[4] = { 192, 0, 2, 7 };
static const uint8_t a2[4] = { 192, 0, 2, 8 };

/* Answers for the responder: www -> alias1 -> host, host A 192.0.2.7; AAAA: no data. */
static size_t build_answer(const owndns_msg *q, uint8_t *out, size_t cap)
{
	uint8_t qname[OWNDNS_NAME_MAX];
	uint16_t qtype, qclass;
	owndns_msg_writer w;
	owndns_header h = q->hdr;
	size_t len;

	assert_int_equal(owndns_msg_question(q, 0, qname, NULL, &qtype, &qclass), OWNDNS_OK);
	h.flags |= OWNDNS_FLAG_QR | OWNDNS_FLAG_RA;
	assert_int_equal(owndns_writer_init(&w, out, cap, &h), OWNDNS_OK);
	assert_int_equal(owndns_writer_question(&w, qname, qtype, qclass), OWNDNS_OK);
	if (owndns_name_equal(qname, www)) {
		add_rr(&w, WWW_UPPER, TYPE_CNAME, alias1, sizeof(alias1));
		add_rr(&w, alias1, TYPE_CNAME, host, sizeof(host));
		if (qtype == TYPE_A)
			add_rr(&w, host, TYPE_A, a1, 4);
	} else {
		owndns_header_set_rcode(owndns_writer_header(&w), OWNDNS_RCODE_NXDOMAIN);
	}
	assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
	return len;
}

/* ---- The responder ------------------------------------------------------------------ */

typedef struct responder {
	int fd;         /* the server socket */
	int spoof_fd;   /* another port on the same host */
	uint16_t port;
	unsigned answered;
	unsigned spoofed;
	pthread_t thread;
} responder;

static int bound_udp_socket(uint16_t *port)
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

/* Answers queries until 0.5 s pass without one; each answer is preceded by the same
 * answer sent from another port, which the client must not take (its socket is
 * connected to the server, so the kernel drops it before the source check). */
static void *respond(void *arg)
{
	responder *r = arg;
	uint8_t buf[1500], out[1500];
	struct pollfd pfd = { r->fd, POLLIN, 0 };

	while (poll(&pfd, 1, 500) == 1) {
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		owndns_msg q;
		ssize_t n = recvfrom(r->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
		if (n <= 0)
			break; /* shut down by responder_stop */
		if (owndns_msg_open(&q, buf, (size_t)n) != OWNDNS_OK)
			continue;
		size_t len = build_answer(&q, out, sizeof(out));
		if (sendto(r->spoof_fd, out, len, 0, (struct sockaddr *)&from, fromlen) > 0)
			r->spoofed++;
		usleep(20000); /* let the spoofed one arrive first */
		if (sendto(r->fd, out, len, 0, (struct sockaddr *)&from, fromlen) > 0)
			r->answered++;
	}
	return NULL;
}

static void responder_start(responder *r)
{
	uint16_t spoof_port;
	memset(r, 0, sizeof(*r));
	r->fd = bound_udp_socket(&r->port);
	r->spoof_fd = bound_udp_socket(&spoof_port);
	assert_int_equal(pthread_create(&r->thread, NULL, respond, r), 0);
}

static void responder_stop(responder *r)
{
	shutdown(r->fd, SHUT_RDWR);
	pthread_join(r->thread, NULL);
	close(r->fd);
	close(r->spoof_fd);
}

static void options_for(owndns_client_options *o, const responder *r)
{
	char text[64];
	snprintf(text, sizeof(text), "127.0.0.1@%u", (unsigned)r->port);
	owndns_client_options_init(o);
	o->timeout_ms = 2000;
	o->tries = 1;
	assert_int_equal(owndns_client_options_add_server(o, text), OWNDNS_OK);
}

/* ---- Tests --------------------------------------------------------------------------- */

static void resolve_on_loopback_ignores_wrong_source(void **state)
{
	(void)state;
	responder r;
	owndns_client_options o;
	owndns_response resp;

	responder_start(&r);
	options_for(&o, &r);
	int status = owndns_resolve(&o, "www.example.com", TYPE_A, 1, &resp);
	assert_int_equal(status, OWNDNS_OK);
	assert_non_null(resp.packet);
	assert_int_equal(resp.msg.hdr.count[OWNDNS_SECTION_ANSWER], 3);
	assert_int_equal(resp.server.port, r.port);
	assert_false(resp.tcp);
	assert_int_equal(resp.counters.wrong_source, 0);
	assert_true(resp.rtt_ms >= 15);
	owndns_response_free(&resp);
	assert_null(resp.packet);
	responder_stop(&r);
	assert_int_equal(r.spoofed, 1);
	assert_int_equal(r.answered, 1);
}

static void gethostbyname_follows_cnames(void **state)
{
	(void)state;
	responder r;
	owndns_client_options o;
	owndns_host_result res;
	char canon[OWNDNS_NAME_TEXT_MAX];

	responder_start(&r);
	options_for(&o, &r);
	int status = owndns_gethostbyname(&o, "www.example.com", AF_UNSPEC, &res);
	assert_int_equal(status, OWNDNS_OK);
	assert_int_equal(res.count, 1);
	assert_int_equal(res.addrs[0].family, AF_INET);
	assert_memory_equal(res.addrs[0].addr, a1, 4);
	assert_true(owndns_name_to_text(res.canonical, canon, sizeof(canon)) > 0);
	assert_string_equal(canon, "host.example.org.");

	assert_int_equal(owndns_gethostbyname(&o, "www.example.com.", AF_INET6, &res),
			 OWNDNS_CLIENT_ENODATA);
	assert_int_equal(owndns_gethostbyname(&o, "nothere.example.", AF_INET, &res),
			 OWNDNS_CLIENT_ENXDOMAIN);
	responder_stop(&r);
	/* A and AAAA; AAAA; A */
	assert_int_equal(r.answered, 4);
}

static void search_list_is_applied(void **state)
{
	(void)state;
	responder r;
	owndns_client_options o;
	owndns_host_result res;

	responder_start(&r);
	options_for(&o, &r);
	size_t len;
	assert_int_equal(owndns_name_from_text("nope.", 5, NULL, o.search[0], &len), OWNDNS_OK);
	assert_int_equal(owndns_name_from_text("example.com.", 12, NULL, o.search[1], &len),
			 OWNDNS_OK);
	o.search_count = 2;
	o.ndots = 1;
	/* "www" has 0 dots < ndots: www.nope. (NXDOMAIN), www.example.com. (found) */
	assert_int_equal(owndns_gethostbyname(&o, "www", AF_INET, &res), OWNDNS_OK);
	assert_int_equal(res.count, 1);
	responder_stop(&r);
	assert_int_equal(r.answered, 2);
}

static void timeout_against_silent_server(void **state)
{
	(void)state;
	uint16_t port;
	int fd = bound_udp_socket(&port);
	owndns_client_options o;
	owndns_response resp;
	char text[64];

	owndns_client_options_init(&o);
	snprintf(text, sizeof(text), "127.0.0.1@%u", (unsigned)port);
	assert_int_equal(owndns_client_options_add_server(&o, text), OWNDNS_OK);
	o.timeout_ms = 50;
	o.tries = 2;
	uint64_t t0 = owndns_clock_ms();
	assert_int_equal(owndns_resolve(&o, "www.example.com", TYPE_A, 1, &resp),
			 OWNDNS_CLIENT_ETIMEOUT);
	uint64_t elapsed = owndns_clock_ms() - t0;
	assert_true(elapsed >= 100 && elapsed < 1000);
	assert_null(resp.packet);
	owndns_response_free(&resp);
	close(fd);
}

/* A port on 127.0.0.1 where nothing listens (bound once to learn a free one). */
static uint16_t closed_udp_port(void)
{
	uint16_t port;
	close(bound_udp_socket(&port));
	return port;
}

static void options_for_port(owndns_client_options *o, uint16_t port)
{
	char text[64];
	owndns_client_options_init(o);
	snprintf(text, sizeof(text), "127.0.0.1@%u", (unsigned)port);
	assert_int_equal(owndns_client_options_add_server(o, text), OWNDNS_OK);
	o->timeout_ms = 2000;
	o->tries = 2;
}

/* The ICMP port unreachable ends each try at once: no waiting for the 2 s time-outs. */
static void refused_port_fails_at_once(void **state)
{
	(void)state;
	uint16_t port = closed_udp_port();
	owndns_client_options o;
	owndns_response resp;

	options_for_port(&o, port);
	uint64_t t0 = owndns_clock_ms();
	assert_int_equal(owndns_resolve(&o, "www.example.com", TYPE_A, 1, &resp),
			 OWNDNS_CLIENT_ECONNREFUSED);
	assert_true(owndns_clock_ms() - t0 < 500);
	assert_null(resp.packet);
	assert_int_equal(resp.try_error_count, 2);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(resp.try_errors[i].error, ECONNREFUSED);
		assert_int_equal(resp.try_errors[i].addr.port, port);
		assert_false(resp.try_errors[i].tcp);
	}
	assert_int_equal(resp.counters.udp_sent, 2);
	owndns_response_free(&resp);
	assert_string_equal(owndns_client_strerror(OWNDNS_CLIENT_ECONNREFUSED),
			    "connection refused");
}

static void refused_tcp_port_fails_at_once(void **state)
{
	(void)state;
	owndns_client_options o;
	owndns_response resp;

	options_for_port(&o, closed_udp_port());
	o.flags |= OWNDNS_QUERY_TCP;
	uint64_t t0 = owndns_clock_ms();
	assert_int_equal(owndns_resolve(&o, "www.example.com", TYPE_A, 1, &resp),
			 OWNDNS_CLIENT_ECONNREFUSED);
	assert_true(owndns_clock_ms() - t0 < 500);
	assert_int_equal(resp.try_error_count, 2);
	assert_true(resp.try_errors[1].tcp);
	owndns_response_free(&resp);
}

/* A refusing first server costs no time; the second answers. */
static void refused_then_next_server_answers(void **state)
{
	(void)state;
	responder r;
	owndns_client_options o;
	owndns_response resp;
	char text[64];

	responder_start(&r);
	options_for_port(&o, closed_udp_port());
	snprintf(text, sizeof(text), "127.0.0.1@%u", (unsigned)r.port);
	assert_int_equal(owndns_client_options_add_server(&o, text), OWNDNS_OK);
	uint64_t t0 = owndns_clock_ms();
	assert_int_equal(owndns_resolve(&o, "www.example.com", TYPE_A, 1, &resp), OWNDNS_OK);
	assert_true(owndns_clock_ms() - t0 < 1000);
	assert_int_equal(resp.server.port, r.port);
	assert_int_equal(resp.try_error_count, 1);
	assert_int_equal(resp.try_errors[0].server, 0);
	owndns_response_free(&resp);
	responder_stop(&r);
}

static void gethostbyname_reports_refusal(void **state)
{
	(void)state;
	owndns_client_options o;
	owndns_host_result res;

	options_for_port(&o, closed_udp_port());
	uint64_t t0 = owndns_clock_ms();
	assert_int_equal(owndns_gethostbyname(&o, "www.example.com", AF_UNSPEC, &res),
			 OWNDNS_CLIENT_ECONNREFUSED);
	assert_true(owndns_clock_ms() - t0 < 500);
}

/* ---- A new socket and ID for every try ------------------------------------------------- */

/* Receives one datagram on fd (waiting up to 2 s); returns its length. */
static size_t receive_query(int fd, uint8_t *buf, size_t cap, struct sockaddr_in *from)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	socklen_t fromlen = sizeof(*from);
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	ssize_t n = recvfrom(fd, buf, cap, 0, (struct sockaddr *)from, &fromlen);
	assert_true(n >= 12);
	return (size_t)n;
}

/* Feeds the query what its sockets have for up to `ms` milliseconds, at time `now`. */
static void pump(owndns_query *q, uint64_t now, int ms)
{
	struct pollfd fds[OWNDNS_QUERY_MAX_FDS];
	uint64_t wake;
	int n = owndns_query_fds(q, fds, OWNDNS_QUERY_MAX_FDS, &wake);
	assert_true(n >= 0);
	if (poll(fds, (nfds_t)n, ms) > 0)
		owndns_query_process(q, now, fds, (size_t)n);
}

static void answer_query_as(int fd, const uint8_t *query, size_t len, uint16_t id,
			    const struct sockaddr_in *to)
{
	owndns_msg m;
	uint8_t out[512];
	assert_int_equal(owndns_msg_open(&m, query, len), OWNDNS_OK);
	size_t n = build_answer(&m, out, sizeof(out));
	out[0] = (uint8_t)(id >> 8);
	out[1] = (uint8_t)id;
	assert_true(sendto(fd, out, n, 0, (const struct sockaddr *)to, sizeof(*to)) == (ssize_t)n);
}

static void retry_has_new_socket_and_id(void **state)
{
	(void)state;
	uint16_t port;
	int fd = bound_udp_socket(&port);
	owndns_client_options o;
	owndns_query *q;
	uint8_t q1[512], q2[512];
	struct sockaddr_in from1, from2;
	uint8_t qname[OWNDNS_NAME_MAX];
	size_t qname_len;
	char text[64];

	owndns_client_options_init(&o);
	snprintf(text, sizeof(text), "127.0.0.1@%u", (unsigned)port);
	assert_int_equal(owndns_client_options_add_server(&o, text), OWNDNS_OK);
	o.timeout_ms = 50;
	o.tries = 3;
	assert_int_equal(owndns_name_from_text("www.example.com", 15, NULL, qname, &qname_len),
			 OWNDNS_OK);
	/* The clock is ours: 1000 at the start, the try times out at 1050. */
	assert_int_equal(owndns_query_start(&o, qname, TYPE_A, 1, 1000, &q), OWNDNS_OK);
	size_t len1 = receive_query(fd, q1, sizeof(q1), &from1);
	owndns_query_process(q, 1050, NULL, 0);
	size_t len2 = receive_query(fd, q2, sizeof(q2), &from2);
	uint16_t id1 = (uint16_t)((q1[0] << 8) | q1[1]), id2 = (uint16_t)((q2[0] << 8) | q2[1]);
	assert_int_not_equal(id1, id2);
	assert_int_not_equal(from1.sin_port, from2.sin_port);
	assert_memory_equal(q1 + 2, q2 + 2, len1 - 2); /* the same question and options */

	/* The first try's answer, to its own port (closed) and to the new one: dropped. */
	answer_query_as(fd, q1, len1, id1, &from1);
	answer_query_as(fd, q1, len1, id1, &from2);
	pump(q, 1060, 200);
	assert_false(owndns_query_done(q));
	assert_int_equal(owndns_query_result(q)->counters.mismatched_id, 1);
	answer_query_as(fd, q2, len2, id2, &from2);
	pump(q, 1070, 2000);
	assert_true(owndns_query_done(q));
	assert_int_equal(owndns_query_result(q)->status, OWNDNS_OK);
	assert_int_equal(owndns_query_result(q)->counters.udp_sent, 2);
	owndns_query_free(q);
	close(fd);
}

/* ---- owndns_answer_addresses --------------------------------------------------------- */

static size_t build_chain(uint8_t *buf, size_t cap, unsigned rcode, unsigned links, bool loop)
{
	owndns_msg_writer w;
	owndns_header h = { 1, OWNDNS_FLAG_QR, { 0 } };
	size_t len;
	uint8_t names[20][OWNDNS_NAME_MAX];

	owndns_header_set_rcode(&h, rcode);
	assert_int_equal(owndns_writer_init(&w, buf, cap, &h), OWNDNS_OK);
	assert_int_equal(owndns_writer_question(&w, www, TYPE_A, 1), OWNDNS_OK);
	for (unsigned i = 0; i < links; i++) {
		char text[32];
		size_t n;
		snprintf(text, sizeof(text), "c%u.example.", i);
		assert_int_equal(owndns_name_from_text(text, strlen(text), NULL, names[i], &n), OWNDNS_OK);
		const uint8_t *owner = i == 0 ? www : names[i - 1];
		add_rr(&w, owner, TYPE_CNAME, names[i], (uint16_t)n);
	}
	const uint8_t *last = links ? names[links - 1] : www;
	if (loop)
		add_rr(&w, last, TYPE_CNAME, www, sizeof(www));
	else if (rcode == 0) {
		add_rr(&w, last, TYPE_A, a1, 4);
		add_rr(&w, www, TYPE_A, a2, 4); /* not at the end of the chain: ignored */
		add_rr(&w, last, TYPE_AAAA, "0123456789abcdef", 16);
	}
	assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
	return len;
}

static void answer_addresses_cases(void **state)
{
	(void)state;
	uint8_t buf[4096];
	owndns_msg m;
	owndns_host_result res;

	memset(&res, 0, sizeof(res));
	size_t len = build_chain(buf, sizeof(buf), 0, 0, false);
	assert_int_equal(owndns_msg_open(&m, buf, len), OWNDNS_OK);
	/* no chain: both A records of www */
	assert_int_equal(owndns_answer_addresses(&m, www, TYPE_A, &res), 2);
	assert_memory_equal(res.addrs[1].addr, a2, 4);

	memset(&res, 0, sizeof(res));
	len = build_chain(buf, sizeof(buf), 0, OWNDNS_CNAME_CHAIN_MAX, false);
	assert_int_equal(owndns_msg_open(&m, buf, len), OWNDNS_OK);
	assert_int_equal(owndns_answer_addresses(&m, WWW_UPPER, TYPE_A, &res), 1);
	assert_memory_equal(res.addrs[0].addr, a1, 4);
	assert_int_equal(owndns_answer_addresses(&m, www, TYPE_AAAA, &res), 1);
	assert_int_equal(res.count, 2);
	assert_int_equal(res.addrs[1].family, AF_INET6);
	assert_memory_equal(res.addrs[1].addr, "0123456789abcdef", 16);

	len = build_chain(buf, sizeof(buf), 0, OWNDNS_CNAME_CHAIN_MAX + 1, false);
	assert_int_equal(owndns_msg_open(&m, buf, len), OWNDNS_OK);
	assert_int_equal(owndns_answer_addresses(&m, www, TYPE_A, &res), OWNDNS_CLIENT_ECNAME);

	len = build_chain(buf, sizeof(buf), 0, 3, true);
	assert_int_equal(owndns_msg_open(&m, buf, len), OWNDNS_OK);
	assert_int_equal(owndns_answer_addresses(&m, www, TYPE_A, &res), OWNDNS_CLIENT_ECNAME);

	len = build_chain(buf, sizeof(buf), OWNDNS_RCODE_NXDOMAIN, 2, false);
	assert_int_equal(owndns_msg_open(&m, buf, len), OWNDNS_OK);
	assert_int_equal(owndns_answer_addresses(&m, www, TYPE_A, &res), OWNDNS_CLIENT_ENXDOMAIN);

	len = build_chain(buf, sizeof(buf), 0, 2, true);
	len = build_chain(buf, sizeof(buf), OWNDNS_RCODE_NOERROR, 0, true);
	assert_int_equal(owndns_msg_open(&m, buf, len), OWNDNS_OK);
	/* www CNAME www: a loop of one */
	assert_int_equal(owndns_answer_addresses(&m, www, TYPE_A, &res), OWNDNS_CLIENT_ECNAME);
	assert_int_equal(owndns_answer_addresses(&m, www, TYPE_CNAME, &res), OWNDNS_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(answer_addresses_cases),
		cmocka_unit_test(resolve_on_loopback_ignores_wrong_source),
		cmocka_unit_test(gethostbyname_follows_cnames),
		cmocka_unit_test(search_list_is_applied),
		cmocka_unit_test(timeout_against_silent_server),
		cmocka_unit_test(retry_has_new_socket_and_id),
		cmocka_unit_test(refused_port_fails_at_once),
		cmocka_unit_test(refused_tcp_port_fails_at_once),
		cmocka_unit_test(refused_then_next_server_answers),
		cmocka_unit_test(gethostbyname_reports_refusal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
