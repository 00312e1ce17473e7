/* Unit tests for lib/client/transaction.c: the query state machine driven with scripted
 * responses (built with the owndns writer) and a fake clock; no sockets. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <owndns/client.h>
#include <owndns/edns.h>

#define T0 100000u
#define TIMEOUT 1000u
#define QID 0x4d2eu

/* www.example.com. */
static const uint8_t qname[] = "\3www\7example\3com";
static const uint8_t qname_upper[] = "\3WwW\7EXAMPLE\3com";
static const uint8_t other_name[] = "\3xxx\7example\3com";

typedef struct fixture {
	owndns_server_addr servers[3];
	owndns_txn_params p;
	owndns_txn *t;
	uint8_t pkt[1024];
	size_t len;
} fixture;

static int setup(void **state)
{
	static fixture f;
	memset(&f, 0, sizeof(f));
	owndns_server_addr_from_text("192.0.2.1", 53, &f.servers[0]);
	owndns_server_addr_from_text("192.0.2.2", 53, &f.servers[1]);
	owndns_server_addr_from_text("2001:db8::3", 53, &f.servers[2]);
	f.p.qname = qname;
	f.p.qtype = 1;
	f.p.qclass = 1;
	f.p.servers = f.servers;
	f.p.server_count = 2;
	f.p.timeout_ms = TIMEOUT;
	f.p.tries = 2;
	f.p.flags = OWNDNS_QUERY_DEFAULT;
	f.p.id = QID;
	memcpy(f.p.cookie, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	owndns_txn_free(f->t);
	f->t = NULL;
	return 0;
}

static void start(fixture *f)
{
	assert_int_equal(owndns_txn_new(&f->p, T0, &f->t), OWNDNS_OK);
}

static owndns_txn_action next(fixture *f)
{
	owndns_txn_action a;
	owndns_txn_next_action(f->t, &a);
	return a;
}

static void expect_udp_send(fixture *f, unsigned server)
{
	owndns_txn_action a = next(f);
	assert_int_equal(a.kind, OWNDNS_TXN_SEND_UDP);
	assert_int_equal(a.server, server);
}

static void expect_wait(fixture *f, uint64_t wake_at)
{
	owndns_txn_action a = next(f);
	assert_int_equal(a.kind, OWNDNS_TXN_WAIT);
	assert_int_equal(a.wake_at_ms, wake_at);
}

static void expect_done(fixture *f, int status)
{
	owndns_txn_action a = next(f);
	assert_int_equal(a.kind, OWNDNS_TXN_DONE);
	assert_true(owndns_txn_done(f->t));
	assert_int_equal(owndns_txn_get_result(f->t)->status, status);
}

/* A response to `name`/`type` with one A record 192.0.2.99, built in f->pkt. */
typedef struct answer_spec {
	uint16_t id;
	const uint8_t *name;
	uint16_t type;
	unsigned rcode;
	bool tc;
	bool qr_clear;
	bool no_question;
	bool opt;
	const uint8_t *cookie; /* client cookie to echo in an OPT */
} answer_spec;

static void build(fixture *f, const answer_spec *s)
{
	owndns_msg_writer w;
	owndns_header h;
	static const uint8_t addr[4] = { 192, 0, 2, 99 };

	memset(&h, 0, sizeof(h));
	h.id = s->id;
	h.flags = (uint16_t)((s->qr_clear ? 0 : OWNDNS_FLAG_QR) | OWNDNS_FLAG_RD | OWNDNS_FLAG_RA);
	owndns_header_set_flag(&h, OWNDNS_FLAG_TC, s->tc);
	owndns_header_set_rcode(&h, s->rcode);
	assert_int_equal(owndns_writer_init(&w, f->pkt, sizeof(f->pkt), &h), OWNDNS_OK);
	if (!s->no_question)
		assert_int_equal(owndns_writer_question(&w, s->name, s->type, 1), OWNDNS_OK);
	if (s->rcode == 0 && !s->tc && !s->no_question) {
		owndns_rr rr = { s->name, s->type, 1, 300, 4, addr };
		assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ANSWER, &rr), OWNDNS_OK);
	}
	if (s->opt || s->cookie) {
		uint8_t storage[64];
		owndns_edns_builder b;
		owndns_edns_builder_init(&b, storage, sizeof(storage), 1232);
		if (s->cookie) {
			owndns_edns_cookie c;
			memset(&c, 0, sizeof(c));
			memcpy(c.client, s->cookie, 8);
			memset(c.server, 0xaa, 8);
			c.server_len = 8;
			assert_int_equal(owndns_edns_add_cookie(&b, &c), OWNDNS_OK);
		}
		assert_int_equal(owndns_writer_edns(&w, &b), OWNDNS_OK);
	}
	assert_int_equal(owndns_writer_finish(&w, &f->len), OWNDNS_OK);
}

static void build_answer(fixture *f, unsigned rcode)
{
	answer_spec s = { .id = QID, .name = qname, .type = 1, .rcode = rcode };
	build(f, &s);
}

static void udp_from(fixture *f, uint64_t now, unsigned server)
{
	owndns_txn_on_udp(f->t, now, &f->servers[server], f->pkt, f->len);
}

/* ---- tests ---------------------------------------------------------------------- */

static void query_is_built_as_asked(void **state)
{
	fixture *f = *state;
	f->p.flags = OWNDNS_QUERY_RD | OWNDNS_QUERY_CD | OWNDNS_QUERY_DO | OWNDNS_QUERY_COOKIE |
		     OWNDNS_QUERY_NSID;
	start(f);
	owndns_txn_action a = next(f);
	assert_int_equal(a.kind, OWNDNS_TXN_SEND_UDP);
	static const uint8_t want[] = {
		0x4d, 0x2e, 0x01, 0x10, 0, 1, 0, 0, 0, 0, 0, 1,            /* header: RD CD */
		3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
		0, 1, 0, 1,                                                  /* A IN */
		0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 16,                 /* OPT 1232 DO */
		0, 3, 0, 0,                                                  /* NSID, empty */
		0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8,                         /* COOKIE */
	};
	assert_int_equal(a.len, sizeof(want));
	assert_memory_equal(a.data, want, sizeof(want));
	size_t qlen;
	assert_ptr_equal(owndns_txn_query(f->t, &qlen), a.data);
	expect_wait(f, T0 + TIMEOUT);
}

static void query_without_edns(void **state)
{
	fixture *f = *state;
	f->p.flags = 0;
	start(f);
	owndns_txn_action a = next(f);
	static const uint8_t want_header[] = { 0x4d, 0x2e, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
	assert_int_equal(a.len, 12 + 17 + 4);
	assert_memory_equal(a.data, want_header, 12);
}

static void good_answer(void **state)
{
	fixture *f = *state;
	start(f);
	expect_udp_send(f, 0);
	expect_wait(f, T0 + TIMEOUT);
	build_answer(f, OWNDNS_RCODE_NOERROR);
	udp_from(f, T0 + 37, 0);
	expect_done(f, OWNDNS_OK);
	const owndns_txn_result *r = owndns_txn_get_result(f->t);
	assert_int_equal(r->len, f->len);
	assert_memory_equal(r->packet, f->pkt, f->len);
	assert_ptr_not_equal(r->packet, f->pkt); /* a copy */
	assert_int_equal(r->server, 0);
	assert_int_equal(r->rtt_ms, 37);
	assert_false(r->tcp);
	assert_int_equal(r->rcode, 0);
	assert_int_equal(r->done_at_ms, T0 + 37);
	assert_int_equal(r->counters.udp_sent, 1);
	/* after done, further events change nothing */
	udp_from(f, T0 + 40, 0);
	owndns_txn_on_timer(f->t, T0 + 99999);
	expect_done(f, OWNDNS_OK);
}

static void nxdomain_is_final(void **state)
{
	fixture *f = *state;
	start(f);
	expect_udp_send(f, 0);
	build_answer(f, OWNDNS_RCODE_NXDOMAIN);
	udp_from(f, T0 + 5, 0);
	expect_done(f, OWNDNS_OK);
	assert_int_equal(owndns_txn_get_result(f->t)->rcode, OWNDNS_RCODE_NXDOMAIN);
}

static void wrong_id_dropped_then_good(void **state)
{
	fixture *f = *state;
	start(f);
	expect_udp_send(f, 0);
	answer_spec s = { .id = QID ^ 1, .name = qname, .type = 1 };
	build(f, &s);
	udp_from(f, T0 + 10, 0);
	s.id = QID;
	s.qr_clear = true; /* a query, not a response */
	build(f, &s);
	udp_from(f, T0 + 11, 0);
	expect_wait(f, T0 + TIMEOUT);
	assert_int_equal(owndns_txn_get_result(f->t)->counters.mismatched_id, 2);
	build_answer(f, 0);
	udp_from(f, T0 + 20, 0);
	expect_done(f, OWNDNS_OK);
	assert_int_equal(owndns_txn_get_result(f->t)->counters.mismatched_id, 2);
}

static void wrong_question_dropped(void **state)
{
	fixture *f = *state;
	start(f);
	expect_udp_send(f, 0);
	answer_spec s = { .id = QID, .name = other_name, .type = 1 };
	build(f, &s);
	udp_from(f, T0 + 1, 0);
	s.name = qname;
	s.type = 28;
	build(f, &s);
	udp_from(f, T0 + 2, 0);
	answer_spec nq = { .id = QID, .name = qname, .type = 1, .no_question = true };
	build(f, &nq);
	udp_from(f, T0 + 3, 0);
	expect_wait(f, T0 + TIMEOUT);
	assert_int_equal(owndns_txn_get_result(f->t)->counters.mismatched_question, 3);
	/* the name in another case is the same question (RFC 4343) */
	s.name = qname_upper;
	s.type = 1;
	build(f, &s);
	udp_from(f, T0 + 4, 0);
	expect_done(f, OWNDNS_OK);
}

static void wrong_source_dropped(void **state)
{
	fixture *f = *state;
	start(f);
	expect_udp_send(f, 0);
	build_answer(f, 0);
	owndns_server_addr spoof = f->servers[0];
	spoof.port = 5353;
	owndns_txn_on_udp(f->t, T0 + 1, &spoof, f->pkt, f->len);
	spoof = f->servers[0];
	spoof.addr[3] = 7;
	owndns_txn_on_udp(f->t, T0 + 2, &spoof, f->pkt, f->len);
	udp_from(f, T0 + 3, 1); /* a real server, but not asked yet */
	expect_wait(f, T0 + TIMEOUT);
	assert_int_equal(owndns_txn_get_result(f->t)->counters.wrong_source, 3);
	udp_from(f, T0 + 4, 0);
	expect_done(f, OWNDNS_OK);
	assert_int_equal(owndns_txn_get_result(f->t)->rtt_ms, 4);
}

static void garbage_dropped(void **state)
{
	fixture *f = *state;
	start(f);
	expect_udp_send(f, 0);
	static const uint8_t tiny[5] = { 0x4d, 0x2e, 0x81, 0x80, 0 };
	owndns_txn_on_udp(f->t, T0 + 1, &f->servers[0], tiny, sizeof(tiny));
	build_answer(f, 0);
	/* right ID, but the counts announce more than there is */
	f->pkt[7] = 9;
	udp_from(f, T0 + 2, 0);
	expect_wait(f, T0 + TIMEOUT);
	const owndns_txn_result *r = owndns_txn_get_result(f->t);
	assert_int_equal(r->counters.malformed, 2);
	assert_int_equal(r->counters.mismatched_id, 0);
	/* nothing else heard: the transaction reports the malformed answers */
	owndns_txn_on_timer(f->t, T0 + TIMEOUT);
	expect_udp_send(f, 1);
	owndns_txn_on_timer(f->t, T0 + 2 * TIMEOUT);
	expect_udp_send(f, 0);
	owndns_txn_on_timer(f->t, T0 + 3 * TIMEOUT);
	expect_udp_send(f, 1);
	owndns_txn_on_timer(f->t, T0 + 4 * TIMEOUT);
	expect_done(f, OWNDNS_CLIENT_EMALFORMED);
}

static void truncated_goes_to_tcp_and_reassembles(void **state)
{
	fixture *f = *state;
	start(f);
	expect_udp_send(f, 0);
	answer_spec s = { .id = QID, .name = qname, .type = 1, .tc = true };
	build(f, &s);
	udp_from(f, T0 + 10, 0);
	owndns_txn_action a = next(f);
	assert_int_equal(a.kind, OWNDNS_TXN_SEND_TCP);
	assert_int_equal(a.server, 0);
	size_t qlen;
	const uint8_t *q = owndns_txn_query(f->t, &qlen);
	assert_int_equal(a.len, qlen + 2);
	assert_int_equal(a.data[0], qlen >> 8);
	assert_int_equal(a.data[1], qlen & 0xff);
	assert_memory_equal(a.data + 2, q, qlen);
	expect_wait(f, T0 + 10 + TIMEOUT);

	build_answer(f, 0);
	uint8_t stream[2 + 1024];
	stream[0] = (uint8_t)(f->len >> 8);
	stream[1] = (uint8_t)f->len;
	memcpy(stream + 2, f->pkt, f->len);
	owndns_txn_on_tcp_data(f->t, T0 + 20, stream, 1);
	owndns_txn_on_tcp_data(f->t, T0 + 21, stream + 1, 5);
	expect_wait(f, T0 + 10 + TIMEOUT);
	owndns_txn_on_tcp_data(f->t, T0 + 22, stream + 6, f->len - 4);
	a = next(f);
	assert_int_equal(a.kind, OWNDNS_TXN_CLOSE_TCP);
	expect_done(f, OWNDNS_OK);
	const owndns_txn_result *r = owndns_txn_get_result(f->t);
	assert_true(r->tcp);
	assert_int_equal(r->rtt_ms, 12);
	assert_int_equal(r->len, f->len);
	assert_memory_equal(r->packet, f->pkt, f->len);
	assert_int_equal(r->counters.tcp_started, 1);
}

static void tcp_stream_skips_wrong_id_message(void **state)
{
	fixture *f = *state;
	f->p.flags |= OWNDNS_QUERY_TCP;
	start(f);
	owndns_txn_action a = next(f);
	assert_int_equal(a.kind, OWNDNS_TXN_SEND_TCP);
	uint8_t stream[2 * (2 + 1024)];
	size_t n = 0;
	answer_spec s = { .id = QID + 1, .name = qname, .type = 1 };
	for (int i = 0; i < 2; i++) {
		build(f, &s);
		stream[n++] = (uint8_t)(f->len >> 8);
		stream[n++] = (uint8_t)f->len;
		memcpy(stream + n, f->pkt, f->len);
		n += f->len;
		s.id = QID;
	}
	owndns_txn_on_tcp_data(f->t, T0 + 3, stream, n);
	assert_int_equal(next(f).kind, OWNDNS_TXN_CLOSE_TCP);
	expect_done(f, OWNDNS_OK);
	assert_int_equal(owndns_txn_get_result(f->t)->counters.mismatched_id, 1);
}

static void tcp_closed_moves_to_next_server(void **state)
{
	fixture *f = *state;
	f->p.flags |= OWNDNS_QUERY_TCP;
	start(f);
	assert_int_equal(next(f).kind, OWNDNS_TXN_SEND_TCP);
	owndns_txn_on_tcp_closed(f->t, T0 + 5, 111);
	owndns_txn_action a = next(f);
	assert_int_equal(a.kind, OWNDNS_TXN_SEND_TCP);
	assert_int_equal(a.server, 1);
	expect_wait(f, T0 + 5 + TIMEOUT);
}

static void timeout_moves_to_next_server(void **state)
{
	fixture *f = *state;
	start(f);
	expect_udp_send(f, 0);
	owndns_txn_on_timer(f->t, T0 + TIMEOUT - 1); /* early: nothing */
	expect_wait(f, T0 + TIMEOUT);
	owndns_txn_on_timer(f->t, T0 + TIMEOUT);
	expect_udp_send(f, 1);
	expect_wait(f, T0 + 2 * TIMEOUT);
	build_answer(f, 0);
	udp_from(f, T0 + TIMEOUT + 15, 1);
	expect_done(f, OWNDNS_OK);
	assert_int_equal(owndns_txn_get_result(f->t)->server, 1);
	assert_int_equal(owndns_txn_get_result(f->t)->rtt_ms, 15);
	assert_int_equal(owndns_txn_get_result(f->t)->timed_out, 1); /* server 0 only */
}

static void late_answer_from_earlier_server_accepted(void **state)
{
	fixture *f = *state;
	start(f);
	expect_udp_send(f, 0);
	owndns_txn_on_timer(f->t, T0 + TIMEOUT);
	expect_udp_send(f, 1);
	build_answer(f, 0);
	udp_from(f, T0 + TIMEOUT + 200, 0);
	expect_done(f, OWNDNS_OK);
	assert_int_equal(owndns_txn_get_result(f->t)->server, 0);
	assert_int_equal(owndns_txn_get_result(f->t)->rtt_ms, TIMEOUT + 200);
}

static void all_time_out(void **state)
{
	fixture *f = *state;
	f->servers[1] = f->servers[2]; /* an IPv6 server as the second */
	f->p.first_server = 1;         /* rotate: start at the second */
	start(f);
	const unsigned order[] = { 1, 0, 1, 0 };
	for (unsigned i = 0; i < 4; i++) {
		expect_udp_send(f, order[i]);
		expect_wait(f, T0 + (i + 1) * TIMEOUT);
		owndns_txn_on_timer(f->t, T0 + (i + 1) * TIMEOUT);
	}
	expect_done(f, OWNDNS_CLIENT_ETIMEOUT);
	const owndns_txn_result *r = owndns_txn_get_result(f->t);
	assert_int_equal(r->done_at_ms, T0 + 4 * TIMEOUT);
	assert_null(r->packet);
	assert_int_equal(r->counters.udp_sent, 4);
}

static void overall_deadline_cuts_tries(void **state)
{
	fixture *f = *state;
	f->p.deadline_ms = 1500;
	start(f);
	expect_udp_send(f, 0);
	expect_wait(f, T0 + TIMEOUT);
	owndns_txn_on_timer(f->t, T0 + TIMEOUT);
	expect_udp_send(f, 1);
	expect_wait(f, T0 + 1500);
	owndns_txn_on_timer(f->t, T0 + 1500);
	expect_done(f, OWNDNS_CLIENT_ETIMEOUT);
	assert_int_equal(owndns_txn_get_result(f->t)->done_at_ms, T0 + 1500);
}

static void servfail_then_next_server_answers(void **state)
{
	fixture *f = *state;
	start(f);
	expect_udp_send(f, 0);
	build_answer(f, OWNDNS_RCODE_SERVFAIL);
	udp_from(f, T0 + 3, 0);
	expect_udp_send(f, 1);
	expect_wait(f, T0 + 3 + TIMEOUT);
	build_answer(f, 0);
	udp_from(f, T0 + 9, 1);
	expect_done(f, OWNDNS_OK);
	assert_int_equal(owndns_txn_get_result(f->t)->server, 1);
	assert_int_equal(owndns_txn_get_result(f->t)->rtt_ms, 6);
}

static void refused_everywhere(void **state)
{
	fixture *f = *state;
	f->p.tries = 1;
	start(f);
	expect_udp_send(f, 0);
	build_answer(f, OWNDNS_RCODE_SERVFAIL);
	udp_from(f, T0 + 3, 0);
	expect_udp_send(f, 1);
	build_answer(f, OWNDNS_RCODE_REFUSED);
	udp_from(f, T0 + 5, 1);
	expect_done(f, OWNDNS_CLIENT_EREFUSED);
	const owndns_txn_result *r = owndns_txn_get_result(f->t);
	assert_int_equal(r->rcode, OWNDNS_RCODE_REFUSED);
	assert_int_equal(r->server, 1);
	assert_int_equal(r->len, f->len);
	assert_memory_equal(r->packet, f->pkt, f->len);
}

static void servfail_then_timeout_reports_servfail(void **state)
{
	fixture *f = *state;
	f->p.tries = 1;
	start(f);
	expect_udp_send(f, 0);
	answer_spec s = { .id = QID, .rcode = OWNDNS_RCODE_SERVFAIL, .no_question = true };
	build(f, &s);
	udp_from(f, T0 + 3, 0);
	expect_udp_send(f, 1);
	owndns_txn_on_timer(f->t, T0 + 3 + TIMEOUT);
	expect_done(f, OWNDNS_CLIENT_ESERVFAIL);
	assert_int_equal(owndns_txn_get_result(f->t)->server, 0);
}

static void formerr_without_opt_retries_without_edns(void **state)
{
	fixture *f = *state;
	start(f);
	owndns_txn_action a = next(f);
	assert_int_equal(a.data[11], 1); /* ARCOUNT: the OPT */
	build_answer(f, OWNDNS_RCODE_FORMERR);
	udp_from(f, T0 + 2, 0);
	a = next(f);
	assert_int_equal(a.kind, OWNDNS_TXN_SEND_UDP);
	assert_int_equal(a.server, 0);
	assert_int_equal(a.data[11], 0);
	assert_int_equal(a.len, 12 + 17 + 4);
	/* a second FORMERR: the server is given up */
	udp_from(f, T0 + 4, 0);
	expect_udp_send(f, 1);
}

static void formerr_with_opt_moves_on(void **state)
{
	fixture *f = *state;
	start(f);
	expect_udp_send(f, 0);
	answer_spec s = { .id = QID, .name = qname, .type = 1, .rcode = 1, .opt = true };
	build(f, &s);
	udp_from(f, T0 + 2, 0);
	expect_udp_send(f, 1);
}

static void foreign_cookie_dropped(void **state)
{
	fixture *f = *state;
	f->p.flags |= OWNDNS_QUERY_COOKIE;
	start(f);
	expect_udp_send(f, 0);
	answer_spec s = { .id = QID, .name = qname, .type = 1, .cookie = (const uint8_t *)"ABCDEFGH" };
	build(f, &s);
	udp_from(f, T0 + 2, 0);
	expect_wait(f, T0 + TIMEOUT);
	assert_int_equal(owndns_txn_get_result(f->t)->counters.bad_cookie, 1);
	s.cookie = f->p.cookie;
	build(f, &s);
	udp_from(f, T0 + 3, 0);
	expect_done(f, OWNDNS_OK);
}

static void send_failure_moves_on(void **state)
{
	fixture *f = *state;
	start(f);
	expect_udp_send(f, 0);
	owndns_txn_on_send_failed(f->t, T0, 101);
	expect_udp_send(f, 1);
}

static void bad_params(void **state)
{
	fixture *f = *state;
	owndns_txn *t = (owndns_txn *)1;
	f->p.server_count = 0;
	assert_int_equal(owndns_txn_new(&f->p, T0, &t), OWNDNS_EINVAL);
	assert_null(t);
	f->p.server_count = OWNDNS_CLIENT_MAX_SERVERS + 1;
	assert_int_equal(owndns_txn_new(&f->p, T0, &t), OWNDNS_EINVAL);
	f->p.server_count = 1;
	f->p.tries = 0;
	assert_int_equal(owndns_txn_new(&f->p, T0, &t), OWNDNS_EINVAL);
	f->p.tries = 1;
	static const uint8_t bad_name[OWNDNS_NAME_MAX] = { 0x41, 'a', 0 }; /* label type 01 */
	f->p.qname = bad_name;
	assert_int_not_equal(owndns_txn_new(&f->p, T0, &t), OWNDNS_OK);
}

/* ---- a fresh ID for every try ------------------------------------------------------ */

/* A scripted ID source: ids[] in turn, then `fail` forever. */
typedef struct id_script {
	uint16_t ids[4];
	unsigned count, next;
	int fail;
} id_script;

static int scripted_id(void *arg, uint16_t *id)
{
	id_script *s = arg;
	if (s->next >= s->count)
		return s->fail;
	*id = s->ids[s->next++];
	return OWNDNS_OK;
}

static uint16_t sent_id(const owndns_txn_action *a, bool tcp)
{
	const uint8_t *d = tcp ? a->data + 2 : a->data;
	return (uint16_t)((d[0] << 8) | d[1]);
}

static void answer_with_id(fixture *f, uint16_t id)
{
	answer_spec s = { .id = id, .name = qname, .type = 1 };
	build(f, &s);
}

static void retry_gets_new_id_and_only_it_is_answered(void **state)
{
	fixture *f = *state;
	id_script ids = { { 0x1111, 0x2222 }, 2, 0, OWNDNS_ENOMEM };
	f->p.new_id = scripted_id;
	f->p.new_id_arg = &ids;
	start(f);
	owndns_txn_action a = next(f);
	assert_int_equal(a.kind, OWNDNS_TXN_SEND_UDP);
	assert_int_equal(sent_id(&a, false), QID);
	owndns_txn_on_timer(f->t, T0 + TIMEOUT);
	a = next(f);
	assert_int_equal(a.kind, OWNDNS_TXN_SEND_UDP);
	assert_int_equal(a.server, 1);
	assert_int_equal(sent_id(&a, false), 0x1111);
	size_t qlen;
	assert_int_equal(owndns_txn_query(f->t, &qlen)[1], 0x11);
	/* late answers to the first try: the old ID from either server (from server 0 no
	 * longer an asked source), or the new ID from the server asked before */
	answer_with_id(f, QID);
	udp_from(f, T0 + TIMEOUT + 5, 0);
	udp_from(f, T0 + TIMEOUT + 6, 1);
	answer_with_id(f, 0x1111);
	udp_from(f, T0 + TIMEOUT + 7, 0);
	expect_wait(f, T0 + 2 * TIMEOUT);
	const owndns_txn_result *r = owndns_txn_get_result(f->t);
	assert_int_equal(r->counters.mismatched_id, 1);
	assert_int_equal(r->counters.wrong_source, 2);
	/* the third try, to server 0 again, has an ID of its own too */
	owndns_txn_on_timer(f->t, T0 + 2 * TIMEOUT);
	a = next(f);
	assert_int_equal(a.server, 0);
	assert_int_equal(sent_id(&a, false), 0x2222);
	answer_with_id(f, 0x1111);
	udp_from(f, T0 + 2 * TIMEOUT + 1, 1);
	answer_with_id(f, 0x2222);
	udp_from(f, T0 + 2 * TIMEOUT + 9, 0);
	expect_done(f, OWNDNS_OK);
	assert_int_equal(r->server, 0);
	assert_int_equal(r->rtt_ms, 9);
	assert_int_equal(r->counters.wrong_source, 3);
}

static void repeated_id_is_drawn_again(void **state)
{
	fixture *f = *state;
	id_script ids = { { QID, QID, 0x0042 }, 3, 0, OWNDNS_ENOMEM };
	f->p.new_id = scripted_id;
	f->p.new_id_arg = &ids;
	start(f);
	expect_udp_send(f, 0);
	owndns_txn_on_timer(f->t, T0 + TIMEOUT);
	owndns_txn_action a = next(f);
	assert_int_equal(sent_id(&a, false), 0x0042);
}

static void tcp_after_tc_gets_new_id(void **state)
{
	fixture *f = *state;
	id_script ids = { { 0x7777 }, 1, 0, OWNDNS_ENOMEM };
	f->p.new_id = scripted_id;
	f->p.new_id_arg = &ids;
	start(f);
	expect_udp_send(f, 0);
	answer_spec tc = { .id = QID, .name = qname, .type = 1, .tc = true };
	build(f, &tc);
	udp_from(f, T0 + 3, 0);
	owndns_txn_action a = next(f);
	assert_int_equal(a.kind, OWNDNS_TXN_SEND_TCP);
	assert_int_equal(sent_id(&a, true), 0x7777);
}

static void id_source_failure_ends_transaction(void **state)
{
	fixture *f = *state;
	id_script ids = { { 0 }, 0, 0, OWNDNS_CLIENT_ESOCKET };
	f->p.new_id = scripted_id;
	f->p.new_id_arg = &ids;
	start(f);
	expect_udp_send(f, 0);
	owndns_txn_on_timer(f->t, T0 + TIMEOUT);
	expect_done(f, OWNDNS_CLIENT_ESOCKET);
}

/* Without new_id, every try keeps the ID (the daemon's upstream driver relies on it). */
static void without_id_source_tries_keep_id(void **state)
{
	fixture *f = *state;
	start(f);
	expect_udp_send(f, 0);
	owndns_txn_on_timer(f->t, T0 + TIMEOUT);
	owndns_txn_action a = next(f);
	assert_int_equal(sent_id(&a, false), QID);
}

/* ---- less than a header is garbage, not a malformed answer ----------------------------- */

static void short_packets_only_time_out(void **state)
{
	fixture *f = *state;
	static const uint8_t tiny[7] = { 0x4d, 0x2e, 0x81, 0x80, 0, 1, 0 };
	f->p.tries = 1;
	f->p.server_count = 1;
	start(f);
	expect_udp_send(f, 0);
	owndns_txn_on_udp(f->t, T0 + 1, &f->servers[0], tiny, sizeof(tiny));
	owndns_txn_on_udp(f->t, T0 + 2, &f->servers[0], tiny, 0);
	expect_wait(f, T0 + TIMEOUT);
	owndns_txn_on_timer(f->t, T0 + TIMEOUT);
	expect_done(f, OWNDNS_CLIENT_ETIMEOUT);
	assert_int_equal(owndns_txn_get_result(f->t)->counters.malformed, 2);
}

/* ---- header flags and +ignore ---------------------------------------------------------- */

static void ad_flag_is_sent(void **state)
{
	fixture *f = *state;
	f->p.flags = OWNDNS_QUERY_RD | OWNDNS_QUERY_AD;
	start(f);
	owndns_txn_action a = next(f);
	assert_int_equal(a.data[2], 0x01);
	assert_int_equal(a.data[3], 0x20);
}

static void truncated_kept_without_tcp_retry(void **state)
{
	fixture *f = *state;
	f->p.flags |= OWNDNS_QUERY_NO_TCP_RETRY;
	start(f);
	expect_udp_send(f, 0);
	answer_spec tc = { .id = QID, .name = qname, .type = 1, .tc = true };
	build(f, &tc);
	udp_from(f, T0 + 3, 0);
	expect_done(f, OWNDNS_OK);
	assert_false(owndns_txn_get_result(f->t)->tcp);
	assert_int_equal(owndns_txn_get_result(f->t)->counters.tcp_started, 0);
	/* an unreadable TC=1 answer is still not taken */
	owndns_txn_free(f->t);
	start(f);
	expect_udp_send(f, 0);
	build(f, &tc);
	f->pkt[7] = 5; /* five answers announced, none there */
	udp_from(f, T0 + 3, 0);
	expect_wait(f, T0 + TIMEOUT);
	assert_int_equal(owndns_txn_get_result(f->t)->counters.malformed, 1);
}

/* Sends f->pkt over the TCP connection as one length-prefixed message. */
static void tcp_from(fixture *f, uint64_t now)
{
	uint8_t stream[2 + 1024];
	stream[0] = (uint8_t)(f->len >> 8);
	stream[1] = (uint8_t)f->len;
	memcpy(stream + 2, f->pkt, f->len);
	owndns_txn_on_tcp_data(f->t, now, stream, f->len + 2);
}

/* TC=1 over UDP, then TC=1 again over TCP from server 0: with TCP_TC_FAILS that is
 * server 0 failing, and server 1 is asked (over UDP) and answers; without the flag the
 * TCP answer is final. */
static void truncated_over_tcp_fails_the_server(void **state)
{
	fixture *f = *state;
	answer_spec tc = { .id = QID, .name = qname, .type = 1, .tc = true };
	for (int with_flag = 1; with_flag >= 0; with_flag--) {
		owndns_txn_free(f->t);
		f->p.flags = OWNDNS_QUERY_DEFAULT | (with_flag ? OWNDNS_QUERY_TCP_TC_FAILS : 0);
		start(f);
		expect_udp_send(f, 0);
		build(f, &tc);
		udp_from(f, T0 + 1, 0);
		owndns_txn_action a = next(f);
		assert_int_equal(a.kind, OWNDNS_TXN_SEND_TCP);
		assert_int_equal(a.server, 0);
		build(f, &tc);
		tcp_from(f, T0 + 2);
		assert_int_equal(next(f).kind, OWNDNS_TXN_CLOSE_TCP);
		if (!with_flag) {
			expect_done(f, OWNDNS_OK);
			assert_true(owndns_txn_get_result(f->t)->tcp);
			continue;
		}
		expect_udp_send(f, 1);
		expect_wait(f, T0 + 2 + TIMEOUT);
		build_answer(f, 0);
		udp_from(f, T0 + 3, 1);
		expect_done(f, OWNDNS_OK);
		const owndns_txn_result *r = owndns_txn_get_result(f->t);
		assert_int_equal(r->server, 1);
		assert_false(r->tcp);
	}
}

/* TCP only: a SERVFAIL from server 0 moves on to a new connection to server 1.  What
 * followed the SERVFAIL on the old connection (here a good answer in the same read) is
 * not taken as server 1's, and the new connection starts with an empty buffer. */
static void servfail_over_tcp_moves_to_new_connection(void **state)
{
	fixture *f = *state;
	uint8_t stream[2 * (2 + 1024)];
	size_t n = 0;
	f->p.flags |= OWNDNS_QUERY_TCP;
	start(f);
	assert_int_equal(next(f).kind, OWNDNS_TXN_SEND_TCP);
	for (unsigned rcode = OWNDNS_RCODE_SERVFAIL;; rcode = 0) {
		build_answer(f, rcode);
		stream[n++] = (uint8_t)(f->len >> 8);
		stream[n++] = (uint8_t)f->len;
		memcpy(stream + n, f->pkt, f->len);
		n += f->len;
		if (rcode == 0)
			break;
	}
	owndns_txn_on_tcp_data(f->t, T0 + 2, stream, n);
	assert_int_equal(next(f).kind, OWNDNS_TXN_CLOSE_TCP);
	owndns_txn_action a = next(f);
	assert_int_equal(a.kind, OWNDNS_TXN_SEND_TCP);
	assert_int_equal(a.server, 1);
	expect_wait(f, T0 + 2 + TIMEOUT);
	build_answer(f, 0);
	tcp_from(f, T0 + 4);
	assert_int_equal(next(f).kind, OWNDNS_TXN_CLOSE_TCP);
	expect_done(f, OWNDNS_OK);
	assert_int_equal(owndns_txn_get_result(f->t)->server, 1);
	assert_int_equal(owndns_txn_get_result(f->t)->rtt_ms, 2);
}

/* Every server truncates over TCP: the result is the last such answer, TC still set,
 * so that the caller can tell it is no whole answer. */
static void truncated_over_tcp_everywhere_is_the_result(void **state)
{
	fixture *f = *state;
	answer_spec tc = { .id = QID, .name = qname, .type = 1, .tc = true };
	f->p.flags = OWNDNS_QUERY_DEFAULT | OWNDNS_QUERY_TCP_TC_FAILS | OWNDNS_QUERY_TCP;
	f->p.tries = 1;
	start(f);
	for (unsigned server = 0; server < 2; server++) {
		owndns_txn_action a = next(f);
		assert_int_equal(a.kind, OWNDNS_TXN_SEND_TCP);
		assert_int_equal(a.server, server);
		build(f, &tc);
		tcp_from(f, T0 + 1 + server);
		assert_int_equal(next(f).kind, OWNDNS_TXN_CLOSE_TCP);
	}
	expect_done(f, OWNDNS_OK);
	const owndns_txn_result *r = owndns_txn_get_result(f->t);
	assert_int_equal(r->server, 1);
	assert_true(r->tcp);
	assert_non_null(r->packet);
	assert_true(r->packet[2] & 0x02); /* TC */
}

/* ---- CLIENT-SUBNET ------------------------------------------------------------------ */

static void client_subnet_is_sent(void **state)
{
	fixture *f = *state;
	owndns_edns_ecs ecs = { OWNDNS_ECS_FAMILY_IPV4, 20, 0, { 10, 1, 0x2f, 4 } };
	f->p.flags = OWNDNS_QUERY_RD | OWNDNS_QUERY_COOKIE; /* no EDNS flag: ECS turns it on */
	f->p.client_subnet = &ecs;
	start(f);
	owndns_txn_action a = next(f);
	static const uint8_t want_opt[] = {
		0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 23,   /* OPT 1232 */
		0, 8, 0, 7, 0, 1, 20, 0, 10, 1, 0x20,      /* ECS 10.1.32.0/20/0 */
		0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8,       /* COOKIE */
	};
	assert_int_equal(a.len, 12 + 17 + 4 + sizeof(want_opt));
	assert_memory_equal(a.data + 12 + 17 + 4, want_opt, sizeof(want_opt));
	assert_int_equal(a.data[11], 1); /* ARCOUNT */
}

static void bad_client_subnet_rejected(void **state)
{
	fixture *f = *state;
	owndns_txn *t = NULL;
	owndns_edns_ecs ecs = { OWNDNS_ECS_FAMILY_IPV4, 33, 0, { 0 } };
	f->p.client_subnet = &ecs;
	assert_int_equal(owndns_txn_new(&f->p, T0, &t), OWNDNS_EINVAL);
	assert_null(t);
}

/* ---- tries ended by an error of the network (ICMP port unreachable ...) ------------ */

static void refuse(fixture *f, uint64_t now, int error)
{
	owndns_txn_on_send_failed(f->t, now, error);
}

static void expect_try_error(fixture *f, unsigned i, unsigned server, int error, bool tcp)
{
	const owndns_txn_result *r = owndns_txn_get_result(f->t);
	assert_true(i < r->try_error_count);
	assert_int_equal(r->try_errors[i].server, server);
	assert_true(owndns_server_addr_equal(&r->try_errors[i].addr, &f->servers[server]));
	assert_int_equal(r->try_errors[i].error, error);
	assert_int_equal(r->try_errors[i].tcp, tcp);
}

static void refused_everywhere_ends_at_once(void **state)
{
	fixture *f = *state;
	start(f);
	const unsigned order[] = { 0, 1, 0, 1 };
	for (unsigned i = 0; i < 4; i++) {
		expect_udp_send(f, order[i]);
		refuse(f, T0 + i, ECONNREFUSED);
	}
	expect_done(f, OWNDNS_CLIENT_ECONNREFUSED);
	const owndns_txn_result *r = owndns_txn_get_result(f->t);
	assert_int_equal(r->done_at_ms, T0 + 3);
	assert_null(r->packet);
	assert_int_equal(r->try_error_count, 4);
	for (unsigned i = 0; i < 4; i++)
		expect_try_error(f, i, order[i], ECONNREFUSED, false);
}

static void refused_then_next_server_answers(void **state)
{
	fixture *f = *state;
	start(f);
	expect_udp_send(f, 0);
	refuse(f, T0 + 1, ECONNREFUSED);
	expect_udp_send(f, 1);
	expect_wait(f, T0 + 1 + TIMEOUT);
	build_answer(f, 0);
	udp_from(f, T0 + 4, 1);
	expect_done(f, OWNDNS_OK);
	const owndns_txn_result *r = owndns_txn_get_result(f->t);
	assert_int_equal(r->server, 1);
	assert_int_equal(r->try_error_count, 1);
	expect_try_error(f, 0, 0, ECONNREFUSED, false);
}

/* The status tells how the last try ended: a time-out after a refusal is a time-out,
 * and the other way round. */
static void refused_then_timeout_is_timeout(void **state)
{
	fixture *f = *state;
	f->p.tries = 1;
	start(f);
	expect_udp_send(f, 0);
	refuse(f, T0, ECONNREFUSED);
	expect_udp_send(f, 1);
	owndns_txn_on_timer(f->t, T0 + TIMEOUT);
	expect_done(f, OWNDNS_CLIENT_ETIMEOUT);
	assert_int_equal(owndns_txn_get_result(f->t)->try_error_count, 1);
}

static void timeout_then_refused_is_refused(void **state)
{
	fixture *f = *state;
	f->p.tries = 1;
	start(f);
	expect_udp_send(f, 0);
	owndns_txn_on_timer(f->t, T0 + TIMEOUT);
	expect_udp_send(f, 1);
	refuse(f, T0 + TIMEOUT + 1, ECONNREFUSED);
	expect_done(f, OWNDNS_CLIENT_ECONNREFUSED);
	expect_try_error(f, 0, 1, ECONNREFUSED, false);
}

static void deadline_after_refusal_is_timeout(void **state)
{
	fixture *f = *state;
	f->p.deadline_ms = 500;
	start(f);
	expect_udp_send(f, 0);
	refuse(f, T0, ECONNREFUSED);
	expect_udp_send(f, 1);
	owndns_txn_on_timer(f->t, T0 + 500);
	expect_done(f, OWNDNS_CLIENT_ETIMEOUT);
	assert_int_equal(owndns_txn_get_result(f->t)->try_error_count, 1);
}

/* An answer, even SERVFAIL, says more than a refusal from another server. */
static void servfail_then_refused_reports_servfail(void **state)
{
	fixture *f = *state;
	f->p.tries = 1;
	start(f);
	expect_udp_send(f, 0);
	build_answer(f, OWNDNS_RCODE_SERVFAIL);
	udp_from(f, T0 + 3, 0);
	expect_udp_send(f, 1);
	refuse(f, T0 + 4, ECONNREFUSED);
	expect_done(f, OWNDNS_CLIENT_ESERVFAIL);
	assert_non_null(owndns_txn_get_result(f->t)->packet);
	expect_try_error(f, 0, 1, ECONNREFUSED, false);
}

static void network_errors_give_their_status(void **state)
{
	fixture *f = *state;
	static const struct {
		int error;
		int status;
	} cases[] = {
		{ EHOSTUNREACH, OWNDNS_CLIENT_EUNREACHABLE },
		{ ENETUNREACH, OWNDNS_CLIENT_EUNREACHABLE },
		{ EPERM, OWNDNS_CLIENT_ESOCKET },
		{ 0, OWNDNS_CLIENT_ETIMEOUT }, /* unknown: the try ends, nothing kept */
	};
	f->p.tries = 1;
	f->p.server_count = 1;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		start(f);
		expect_udp_send(f, 0);
		refuse(f, T0, cases[i].error);
		expect_done(f, cases[i].status);
		assert_int_equal(owndns_txn_get_result(f->t)->try_error_count,
				 cases[i].error ? 1 : 0);
		owndns_txn_free(f->t);
		f->t = NULL;
	}
}

static void tcp_refused_ends_at_once(void **state)
{
	fixture *f = *state;
	f->p.flags |= OWNDNS_QUERY_TCP;
	f->p.tries = 1;
	start(f);
	assert_int_equal(next(f).kind, OWNDNS_TXN_SEND_TCP);
	owndns_txn_on_tcp_closed(f->t, T0 + 1, ECONNREFUSED);
	owndns_txn_action a = next(f);
	assert_int_equal(a.kind, OWNDNS_TXN_SEND_TCP);
	assert_int_equal(a.server, 1);
	owndns_txn_on_tcp_closed(f->t, T0 + 2, ECONNREFUSED);
	expect_done(f, OWNDNS_CLIENT_ECONNREFUSED);
	assert_int_equal(owndns_txn_get_result(f->t)->try_error_count, 2);
	expect_try_error(f, 0, 0, ECONNREFUSED, true);
	expect_try_error(f, 1, 1, ECONNREFUSED, true);
}

/* A reset or a close is the server failing, not the network saying it is not there. */
static void tcp_reset_is_not_a_try_error(void **state)
{
	fixture *f = *state;
	f->p.flags |= OWNDNS_QUERY_TCP;
	f->p.tries = 1;
	start(f);
	assert_int_equal(next(f).kind, OWNDNS_TXN_SEND_TCP);
	owndns_txn_on_tcp_closed(f->t, T0 + 1, ECONNREFUSED);
	assert_int_equal(next(f).kind, OWNDNS_TXN_SEND_TCP);
	owndns_txn_on_tcp_closed(f->t, T0 + 2, ECONNRESET);
	expect_done(f, OWNDNS_CLIENT_ETIMEOUT);
	assert_int_equal(owndns_txn_get_result(f->t)->try_error_count, 1);
	expect_try_error(f, 0, 0, ECONNREFUSED, true);
}

static void try_errors_beyond_the_array_are_counted(void **state)
{
	fixture *f = *state;
	const unsigned tries = OWNDNS_TRY_ERRORS_MAX + 4;
	f->p.tries = tries;
	f->p.server_count = 1;
	start(f);
	for (unsigned i = 0; i < tries; i++) {
		expect_udp_send(f, 0);
		refuse(f, T0 + i, ECONNREFUSED);
	}
	expect_done(f, OWNDNS_CLIENT_ECONNREFUSED);
	assert_int_equal(owndns_txn_get_result(f->t)->try_error_count, tries);
	expect_try_error(f, OWNDNS_TRY_ERRORS_MAX - 1, 0, ECONNREFUSED, false);
}

/* ---- per-server first-try time-outs with back-off ---------------------------------- */

/* Sends the expected UDP try and checks the time it waits, then lets it time out. */
static void expect_try_then_timeout(fixture *f, unsigned server, uint64_t sent_at,
				    uint32_t waits)
{
	expect_udp_send(f, server);
	expect_wait(f, sent_at + waits);
	owndns_txn_on_timer(f->t, sent_at + waits);
}

static void backoff_doubles_per_server_up_to_timeout(void **state)
{
	fixture *f = *state;
	const uint32_t first[] = { 300, 200 };
	f->p.first_timeout_ms = first;
	f->p.tries = 3;
	start(f);
	/* server 0: 300, 600, 1000 (1200 capped); server 1: 200, 400, 800 */
	expect_try_then_timeout(f, 0, T0, 300);
	expect_try_then_timeout(f, 1, T0 + 300, 200);
	expect_try_then_timeout(f, 0, T0 + 500, 600);
	expect_try_then_timeout(f, 1, T0 + 1100, 400);
	expect_try_then_timeout(f, 0, T0 + 1500, TIMEOUT);
	expect_try_then_timeout(f, 1, T0 + 2500, 800);
	expect_done(f, OWNDNS_CLIENT_ETIMEOUT);
	assert_int_equal(owndns_txn_get_result(f->t)->done_at_ms, T0 + 3300);
	assert_int_equal(owndns_txn_get_result(f->t)->counters.udp_sent, 6);
	assert_int_equal(owndns_txn_get_result(f->t)->timed_out, 3);
}

/* A server that always answers after 2.5 s, with only the last try allowed to answer:
 * 400 and 800 ms tries time out, the last one waits for the deadline and is answered. */
static void backoff_last_try_waits_for_deadline(void **state)
{
	fixture *f = *state;
	const uint32_t first[] = { 400 };
	id_script ids = { { 0x1111, 0x2222 }, 2, 0, OWNDNS_ENOMEM };
	f->p.first_timeout_ms = first;
	f->p.server_count = 1;
	f->p.tries = 3;
	f->p.timeout_ms = 1500;
	f->p.deadline_ms = 5000;
	f->p.new_id = scripted_id;
	f->p.new_id_arg = &ids;
	start(f);
	expect_try_then_timeout(f, 0, T0, 400);
	expect_try_then_timeout(f, 0, T0 + 400, 800);
	expect_udp_send(f, 0);
	expect_wait(f, T0 + 5000);
	answer_with_id(f, QID); /* the first try's answer comes too late */
	udp_from(f, T0 + 2500, 0);
	answer_with_id(f, 0x1111);
	udp_from(f, T0 + 2900, 0);
	expect_wait(f, T0 + 5000);
	answer_with_id(f, 0x2222);
	udp_from(f, T0 + 1200 + 2500, 0);
	expect_done(f, OWNDNS_OK);
	assert_int_equal(owndns_txn_get_result(f->t)->rtt_ms, 2500);
	assert_int_equal(owndns_txn_get_result(f->t)->counters.mismatched_id, 2);
	assert_int_equal(owndns_txn_get_result(f->t)->timed_out, 1);
}

/* A server known to be slower than timeout_ms: the second try waits 3000 ms, not 1500,
 * so that an answer after 2.5 s comes back to it. */
static void backoff_goes_beyond_timeout_within_deadline(void **state)
{
	fixture *f = *state;
	const uint32_t first[] = { 1500 };
	f->p.first_timeout_ms = first;
	f->p.server_count = 1;
	f->p.tries = 3;
	f->p.timeout_ms = 1500;
	f->p.deadline_ms = 5000;
	start(f);
	expect_try_then_timeout(f, 0, T0, 1500);
	expect_udp_send(f, 0);
	expect_wait(f, T0 + 4500);
	build_answer(f, 0);
	udp_from(f, T0 + 4000, 0);
	expect_done(f, OWNDNS_OK);
}

static void backoff_tries_end_at_the_deadline(void **state)
{
	fixture *f = *state;
	const uint32_t first[] = { 400 };
	f->p.first_timeout_ms = first;
	f->p.server_count = 1;
	f->p.tries = 3;
	f->p.timeout_ms = 1500;
	f->p.deadline_ms = 1000;
	start(f);
	expect_try_then_timeout(f, 0, T0, 400);
	expect_udp_send(f, 0);
	expect_wait(f, T0 + 1000); /* 800 cut by the deadline */
	owndns_txn_on_timer(f->t, T0 + 1000);
	expect_done(f, OWNDNS_CLIENT_ETIMEOUT);
}

static void backoff_first_timeout_capped_and_checked(void **state)
{
	fixture *f = *state;
	uint32_t first[] = { 5 * TIMEOUT, 0 };
	f->p.first_timeout_ms = first;
	owndns_txn *t = NULL;
	assert_int_equal(owndns_txn_new(&f->p, T0, &t), OWNDNS_EINVAL);
	assert_null(t);
	first[1] = 100;
	start(f);
	expect_try_then_timeout(f, 0, T0, TIMEOUT);
	expect_udp_send(f, 1);
	expect_wait(f, T0 + TIMEOUT + 100);
}

/* A TC=1 answer came from a live server: its TCP try gets the full timeout_ms. */
static void backoff_tcp_try_waits_timeout(void **state)
{
	fixture *f = *state;
	const uint32_t first[] = { 300, 300 };
	f->p.first_timeout_ms = first;
	start(f);
	expect_udp_send(f, 0);
	answer_spec s = { .id = QID, .name = qname, .type = 1, .tc = true };
	build(f, &s);
	udp_from(f, T0 + 10, 0);
	owndns_txn_action a = next(f);
	assert_int_equal(a.kind, OWNDNS_TXN_SEND_TCP);
	expect_wait(f, T0 + 10 + TIMEOUT);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(query_is_built_as_asked),
		T(query_without_edns),
		T(good_answer),
		T(nxdomain_is_final),
		T(wrong_id_dropped_then_good),
		T(wrong_question_dropped),
		T(wrong_source_dropped),
		T(garbage_dropped),
		T(truncated_goes_to_tcp_and_reassembles),
		T(tcp_stream_skips_wrong_id_message),
		T(tcp_closed_moves_to_next_server),
		T(timeout_moves_to_next_server),
		T(late_answer_from_earlier_server_accepted),
		T(all_time_out),
		T(overall_deadline_cuts_tries),
		T(servfail_then_next_server_answers),
		T(refused_everywhere),
		T(servfail_then_timeout_reports_servfail),
		T(formerr_without_opt_retries_without_edns),
		T(formerr_with_opt_moves_on),
		T(foreign_cookie_dropped),
		T(send_failure_moves_on),
		T(bad_params),
		T(retry_gets_new_id_and_only_it_is_answered),
		T(repeated_id_is_drawn_again),
		T(tcp_after_tc_gets_new_id),
		T(id_source_failure_ends_transaction),
		T(without_id_source_tries_keep_id),
		T(short_packets_only_time_out),
		T(ad_flag_is_sent),
		T(truncated_kept_without_tcp_retry),
		T(truncated_over_tcp_fails_the_server),
		T(truncated_over_tcp_everywhere_is_the_result),
		T(servfail_over_tcp_moves_to_new_connection),
		T(client_subnet_is_sent),
		T(bad_client_subnet_rejected),
		T(refused_everywhere_ends_at_once),
		T(refused_then_next_server_answers),
		T(refused_then_timeout_is_timeout),
		T(timeout_then_refused_is_refused),
		T(deadline_after_refusal_is_timeout),
		T(servfail_then_refused_reports_servfail),
		T(network_errors_give_their_status),
		T(tcp_refused_ends_at_once),
		T(tcp_reset_is_not_a_try_error),
		T(try_errors_beyond_the_array_are_counted),
		T(backoff_doubles_per_server_up_to_timeout),
		T(backoff_last_try_waits_for_deadline),
		T(backoff_goes_beyond_timeout_within_deadline),
		T(backoff_tries_end_at_the_deadline),
		T(backoff_first_timeout_capped_and_checked),
		T(backoff_tcp_try_waits_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
