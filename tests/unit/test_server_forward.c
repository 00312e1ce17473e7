/* The forwarding stages (server/forward/): upstream order, SRTT and back-off; in-flight
 * sharing and its bounds; storing upstream responses in the cache and answering from it
 * (positive, CNAME chain, NXDOMAIN, NODATA, serve-stale); rebuilding an upstream
 * response for a client (bytes checked against dnspython); and the request pipeline of
 * server/query.c around them (ACL, local data, RD=0, the forward decision).  No
 * sockets, no clock: times are plain numbers. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <owndns/edns.h>
#include <owndns/message.h>
#include <owndns/rdata.h>
#include <owndns/rr.h>

#include "cache/cache.h"
#include "forward/forward.h"
#include "forward/inflight.h"
#include "forward/upstream.h"
#include "local/local_data.h"
#include "policy/acl.h"
#include "query.h"

/* ---- helpers ------------------------------------------------------------------------ */

static void wire_name(const char *text, uint8_t *out)
{
	size_t len;
	assert_int_equal(owndns_name_from_text(text, strlen(text), NULL, out, &len), OWNDNS_OK);
}

static owndns_server_addr addr4(uint8_t last, uint16_t port)
{
	owndns_server_addr a;
	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	a.addr[0] = 192;
	a.addr[2] = 2;
	a.addr[3] = last;
	a.port = port;
	return a;
}

/* A message: header, one question, then records given as text ("" ends a section). */
typedef struct msg_spec {
	uint16_t id;
	uint16_t flags;
	const char *qname;
	uint16_t qtype;
	const char *const *answer;
	const char *const *authority;
	const char *const *additional;
	bool edns;
	uint16_t udp_size;
	bool dnssec_ok;
} msg_spec;

static void write_section(owndns_msg_writer *w, owndns_section s, const char *const *rrs)
{
	static uint8_t storage[OWNDNS_NAME_MAX + 4096];
	for (size_t i = 0; rrs && rrs[i]; i++) {
		owndns_rr rr;
		assert_int_equal(owndns_rr_from_text(rrs[i], strlen(rrs[i]), NULL, storage,
						     sizeof(storage), &rr),
				 OWNDNS_OK);
		assert_int_equal(owndns_writer_rr(w, s, &rr), OWNDNS_OK);
	}
}

static size_t build(const msg_spec *m, uint8_t *buf, size_t cap)
{
	owndns_msg_writer w;
	owndns_header h = { m->id, m->flags, { 0 } };
	uint8_t qname[OWNDNS_NAME_MAX];
	size_t len;
	wire_name(m->qname, qname);
	assert_int_equal(owndns_writer_init(&w, buf, cap, &h), 0);
	assert_int_equal(owndns_writer_question(&w, qname, m->qtype, OWNDNS_CLASS_IN), 0);
	write_section(&w, OWNDNS_SECTION_ANSWER, m->answer);
	write_section(&w, OWNDNS_SECTION_AUTHORITY, m->authority);
	write_section(&w, OWNDNS_SECTION_ADDITIONAL, m->additional);
	if (m->edns) {
		owndns_edns_builder b;
		owndns_edns_builder_init(&b, NULL, 0, m->udp_size);
		b.dnssec_ok = m->dnssec_ok;
		assert_int_equal(owndns_writer_edns(&w, &b), 0);
	}
	assert_int_equal(owndns_writer_finish(&w, &len), 0);
	return len;
}

static void open_msg(owndns_msg *m, const uint8_t *buf, size_t len)
{
	assert_true(len > 0);
	assert_int_equal(owndns_msg_open(m, buf, len), OWNDNS_OK);
}

static reply_query client_query(const char *qname, uint16_t qtype, bool edns, uint16_t udp)
{
	reply_query q;
	memset(&q, 0, sizeof(q));
	q.id = 0x1234;
	q.flags = OWNDNS_FLAG_RD;
	wire_name(qname, q.qname);
	q.qtype = qtype;
	q.qclass = OWNDNS_CLASS_IN;
	q.has_edns = edns;
	q.edns_udp_size = udp;
	return q;
}

static cache *new_cache(void)
{
	cache_config cfg;
	cache *c;
	cache_config_default(&cfg);
	cfg.max_bytes = 4u << 20;
	cfg.shards = 4;
	cfg.max_stale = 3600;
	assert_int_equal(cache_new(&cfg, &c), OWNDNS_OK);
	return c;
}

/* The TTL of record `index` of a section. */
static uint32_t ttl_of(const owndns_msg *m, owndns_section s, unsigned index, uint16_t *type)
{
	owndns_rr_iter it;
	owndns_rr_view v;
	owndns_rr_iter_init(&it, m, s);
	for (unsigned i = 0; owndns_rr_iter_next(&it, &v) > 0; i++) {
		if (i == index) {
			if (type)
				*type = v.type;
			return v.ttl;
		}
	}
	fail_msg("no record %u in section %d", index, (int)s);
	return 0;
}

/* ---- upstreams ---------------------------------------------------------------------- */

static void upstreams_ordered_by_srtt(void **state)
{
	(void)state;
	upstream_set s;
	unsigned order[UPSTREAM_MAX];
	upstream_set_init(&s);
	for (uint8_t i = 1; i <= 3; i++) {
		owndns_server_addr a = addr4(i, 53);
		assert_int_equal(upstream_set_add(&s, &a), OWNDNS_OK);
	}
	/* Not measured yet: in the order given. */
	assert_int_equal(upstream_set_order(&s, 0, order), 3);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[2], 2);
	upstream_report_answer(&s, 0, 50);
	upstream_report_answer(&s, 1, 10);
	upstream_report_answer(&s, 2, 30);
	assert_int_equal(upstream_set_order(&s, 0, order), 3);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 0);
	/* EWMA, weight 1/8: 10 -> (7*10 + 90) / 8 = 20. */
	upstream_report_answer(&s, 1, 90);
	assert_int_equal(s.servers[1].srtt_ms, 20);
	/* A failure puts it behind those without one, whatever its SRTT. */
	upstream_report_failure(&s, 1, 0);
	assert_false(upstream_is_down(&s, 1));
	upstream_set_order(&s, 0, order);
	assert_int_equal(order[2], 1);
	owndns_server_addr bad;
	memset(&bad, 0, sizeof(bad));
	assert_int_equal(upstream_set_add(&s, &bad), OWNDNS_EINVAL);
	for (uint8_t i = 4; i <= UPSTREAM_MAX; i++) {
		owndns_server_addr a = addr4(i, 53);
		assert_int_equal(upstream_set_add(&s, &a), OWNDNS_OK);
	}
	owndns_server_addr one_more = addr4(99, 53);
	assert_int_equal(upstream_set_add(&s, &one_more), OWNDNS_ESPACE);
}

static void down_upstream_skipped_then_probed(void **state)
{
	(void)state;
	upstream_set s;
	unsigned order[UPSTREAM_MAX];
	owndns_server_addr a = addr4(1, 53), b = addr4(2, 53);
	upstream_set_init(&s);
	upstream_set_add(&s, &a);
	upstream_set_add(&s, &b);
	for (unsigned i = 0; i < UPSTREAM_DOWN_AFTER; i++)
		upstream_report_failure(&s, 0, 1000);
	assert_true(upstream_is_down(&s, 0));
	/* Skipped during the back-off. */
	assert_int_equal(upstream_set_order(&s, 1000 + UPSTREAM_BACKOFF_MIN_MS - 1, order), 1);
	assert_int_equal(order[0], 1);
	/* Then probed first, once. */
	uint64_t t = 1000 + UPSTREAM_BACKOFF_MIN_MS;
	assert_int_equal(upstream_set_order(&s, t, order), 2);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 1);
	assert_int_equal(upstream_set_order(&s, t, order), 1);
	/* The probe fails: the back-off doubles. */
	upstream_report_failure(&s, 0, t);
	assert_int_equal(upstream_set_order(&s, t + 2 * UPSTREAM_BACKOFF_MIN_MS - 1, order), 1);
	assert_int_equal(upstream_set_order(&s, t + 2 * UPSTREAM_BACKOFF_MIN_MS, order), 2);
	/* An answer brings it back at once. */
	upstream_report_answer(&s, 0, 5);
	assert_false(upstream_is_down(&s, 0));
	assert_int_equal(upstream_set_order(&s, t, order), 2);
}

static void all_down_still_asked(void **state)
{
	(void)state;
	upstream_set s;
	unsigned order[UPSTREAM_MAX];
	owndns_server_addr a = addr4(1, 53), b = addr4(2, 53);
	upstream_set_init(&s);
	upstream_set_add(&s, &a);
	upstream_set_add(&s, &b);
	for (unsigned i = 0; i < UPSTREAM_DOWN_AFTER; i++) {
		upstream_report_failure(&s, 1, 10);
		upstream_report_failure(&s, 0, 20);
	}
	/* Nothing is up and no probe is due: all of them, soonest retry first. */
	assert_int_equal(upstream_set_order(&s, 21, order), 2);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 0);
}

static void upstream_first_try_timeout(void **state)
{
	(void)state;
	upstream_set s;
	owndns_server_addr a = addr4(1, 53), b = addr4(2, 53);
	upstream_set_init(&s);
	upstream_set_add(&s, &a);
	upstream_set_add(&s, &b);
	/* Not measured yet; and never above the caller's maximum. */
	assert_int_equal(upstream_try_timeout(&s, 0, 1500), UPSTREAM_UNKNOWN_TIMEOUT_MS);
	assert_int_equal(upstream_try_timeout(&s, 0, 300), 300);
	/* First sample R: SRTT R, RTTVAR R/2 (RFC 6298 §2.2): 100 + 4 * 50. */
	upstream_report_answer(&s, 0, 100);
	assert_int_equal(s.servers[0].rttvar_ms, 50);
	assert_int_equal(upstream_try_timeout(&s, 0, 1500), 300);
	/* RTTVAR from the old SRTT: (3 * 50 + |100 - 300|) / 4 = 87; SRTT 125. */
	upstream_report_answer(&s, 0, 300);
	assert_int_equal(s.servers[0].rttvar_ms, 87);
	assert_int_equal(s.servers[0].srtt_ms, 125);
	assert_int_equal(upstream_try_timeout(&s, 0, 1500), 125 + 4 * 87);
	/* A steady fast upstream: the floor. */
	for (unsigned i = 0; i < 100; i++)
		upstream_report_answer(&s, 1, 2);
	assert_int_equal(s.servers[1].srtt_ms, 2);
	assert_int_equal(upstream_try_timeout(&s, 1, 1500), UPSTREAM_MIN_TIMEOUT_MS);
	/* A time-out pushes SRTT and RTTVAR up: (0 + 1498) / 4 = 374, (14 + 1500) / 8 =
	 * 189, so the next first try waits the maximum. */
	upstream_report_failure(&s, 1, 0);
	assert_int_equal(s.servers[1].rttvar_ms, 374);
	assert_int_equal(s.servers[1].srtt_ms, 189);
	assert_int_equal(upstream_try_timeout(&s, 1, 1500), 1500);
	/* Answers bring it down again, step by step. */
	uint32_t before = 1500;
	for (unsigned i = 0; i < 40; i++) {
		upstream_report_answer(&s, 1, 2);
		uint32_t now = upstream_try_timeout(&s, 1, 1500);
		assert_true(now <= before);
		before = now;
	}
	assert_int_equal(before, UPSTREAM_MIN_TIMEOUT_MS);
	/* A time-out of an upstream never measured: the penalty sample, the maximum. */
	upstream_set_init(&s);
	upstream_set_add(&s, &a);
	upstream_report_failure(&s, 0, 0);
	assert_int_equal(upstream_try_timeout(&s, 0, 1500), 1500);
	assert_int_equal(upstream_try_timeout(&s, 5, 1500), UPSTREAM_UNKNOWN_TIMEOUT_MS);
}

/* Alive but slower than its try: ordered after the others and given a longer first
 * try, its health unchanged. */
static void slow_upstream_asked_later_with_longer_try(void **state)
{
	(void)state;
	upstream_set s;
	unsigned order[UPSTREAM_MAX];
	owndns_server_addr a = addr4(1, 53), b = addr4(2, 53);
	upstream_set_init(&s);
	upstream_set_add(&s, &a);
	upstream_set_add(&s, &b);
	upstream_report_answer(&s, 1, 5);
	upstream_report_slow(&s, 0);
	assert_int_equal(s.servers[0].failures, 0);
	assert_int_equal(upstream_try_timeout(&s, 0, 1500), 1500);
	upstream_set_order(&s, 0, order);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 0);
	for (unsigned i = 0; i < 2 * UPSTREAM_DOWN_AFTER; i++)
		upstream_report_slow(&s, 0);
	assert_false(upstream_is_down(&s, 0));
	upstream_report_slow(&s, 7); /* out of range: ignored */
}

static void forward_zone_longest_match(void **state)
{
	(void)state;
	forwarders f;
	forward_target *t;
	uint8_t name[OWNDNS_NAME_MAX];
	owndns_server_addr a = addr4(1, 53);
	forwarders_init(&f);
	wire_name("www.corp.example", name);
	assert_int_equal(forwarders_select(&f, name), -1);
	wire_name(".", name);
	assert_int_equal(forwarders_add(&f, name, &t), OWNDNS_OK);
	upstream_set_add(&t->upstreams, &a);
	wire_name("CORP.example", name);
	assert_int_equal(forwarders_add(&f, name, &t), OWNDNS_OK);
	upstream_set_add(&t->upstreams, &a);
	wire_name("lab.corp.example", name);
	assert_int_equal(forwarders_add(&f, name, &t), OWNDNS_OK);
	upstream_set_add(&t->upstreams, &a);
	wire_name("empty.example", name);
	assert_int_equal(forwarders_add(&f, name, &t), OWNDNS_OK); /* no upstream */
	wire_name("www.corp.example", name);
	assert_int_equal(forwarders_select(&f, name), 1);
	wire_name("a.LAB.corp.example", name);
	assert_int_equal(forwarders_select(&f, name), 2);
	wire_name("corpx.example", name);
	assert_int_equal(forwarders_select(&f, name), 0);
	wire_name("x.empty.example", name);
	assert_int_equal(forwarders_select(&f, name), 0);
	forwarders_free(&f);
}

/* ---- in flight ---------------------------------------------------------------------- */

static void inflight_shares_identical_questions(void **state)
{
	(void)state;
	inflight_table t;
	const uint64_t key[2] = { 1, 2 };
	inflight_key k1, k2, k3;
	uint8_t n1[OWNDNS_NAME_MAX], n2[OWNDNS_NAME_MAX];
	inflight_waiter w[5];
	inflight_fetch *f1, *f2, *f3;
	bool created;

	memset(w, 0, sizeof(w));
	wire_name("www.example.com", n1);
	wire_name("WWW.Example.COM", n2);
	assert_int_equal(inflight_table_init(&t, 2, 4, key), OWNDNS_OK);
	inflight_key_init(&k1, n1, OWNDNS_TYPE_A, OWNDNS_CLASS_IN, 0, 0);
	inflight_key_init(&k2, n2, OWNDNS_TYPE_A, OWNDNS_CLASS_IN, 0, 0);
	inflight_key_init(&k3, n2, OWNDNS_TYPE_A, OWNDNS_CLASS_IN, INFLIGHT_DO, 0);
	assert_int_equal(inflight_join(&t, &k1, &w[0], &f1, &created), OWNDNS_OK);
	assert_true(created);
	assert_int_equal(inflight_join(&t, &k2, &w[1], &f2, &created), OWNDNS_OK);
	assert_false(created);
	assert_ptr_equal(f1, f2);
	/* DO asks another question (the answer carries RRSIGs). */
	assert_int_equal(inflight_join(&t, &k3, &w[2], &f3, &created), OWNDNS_OK);
	assert_true(created);
	assert_ptr_not_equal(f1, f3);
	/* Fetch bound: a third distinct question is refused. */
	inflight_key k4;
	inflight_key_init(&k4, n1, OWNDNS_TYPE_AAAA, OWNDNS_CLASS_IN, 0, 0);
	inflight_fetch *f4;
	assert_int_equal(inflight_join(&t, &k4, &w[3], &f4, &created), OWNDNS_ESPACE);
	assert_null(w[3].fetch);
	/* Waiter bound. */
	assert_int_equal(inflight_join(&t, &k1, &w[3], &f4, &created), OWNDNS_OK);
	assert_int_equal(inflight_join(&t, &k1, &w[4], &f4, &created), OWNDNS_ESPACE);
	assert_int_equal(f1->waiter_count, 3);
	/* A client that goes away leaves the others waiting. */
	inflight_leave(&t, &w[1]);
	assert_int_equal(f1->waiter_count, 2);
	inflight_finish(&t, f1);
	assert_int_equal(t.fetch_count, 1);
	/* Finished: no one joins it any more; a new client starts a new fetch. */
	inflight_fetch *again;
	assert_int_equal(inflight_join(&t, &k2, &w[1], &again, &created), OWNDNS_OK);
	assert_true(created);
	assert_ptr_not_equal(again, f1);
	assert_ptr_equal(inflight_pop_waiter(&t, f1), &w[0]);
	assert_ptr_equal(inflight_pop_waiter(&t, f1), &w[3]);
	assert_null(inflight_pop_waiter(&t, f1));
	assert_null(w[0].fetch);
	inflight_fetch_free(f1);
	while (inflight_any(&t)) {
		inflight_fetch *f = inflight_any(&t);
		inflight_finish(&t, f);
		while (inflight_pop_waiter(&t, f))
			;
		inflight_fetch_free(f);
	}
	assert_int_equal(t.waiter_count, 0);
	inflight_table_free(&t);
}

/* ---- cache store and cache answers -------------------------------------------------- */

#define SOA_TEXT "example.com. 300 IN SOA ns1.example.com. h.example.com. 1 3600 900 604800 60"

static int store_response(cache *c, const char *qname, uint16_t qtype, const msg_spec *m,
			  uint32_t now)
{
	uint8_t buf[4096], name[OWNDNS_NAME_MAX];
	owndns_msg msg;
	open_msg(&msg, buf, build(m, buf, sizeof(buf)));
	wire_name(qname, name);
	return forward_store(c, name, qtype, OWNDNS_CLASS_IN, (const uint8_t *)"", &msg, now);
}

static int cached(cache *c, const char *qname, uint16_t qtype, uint32_t now, bool stale,
		  uint8_t *buf, owndns_msg *msg)
{
	reply_query q = client_query(qname, qtype, true, 1232);
	size_t len;
	int rc = forward_cache_answer(c, &q, 1232, now, stale ? FORWARD_CACHE_STALE : 0, buf,
				      OWNDNS_MSG_MAX, &len);
	if (rc == OWNDNS_OK)
		open_msg(msg, buf, len);
	return rc;
}

static void cache_positive_counts_down(void **state)
{
	(void)state;
	static const char *const answer[] = { "www.example.com. 300 IN A 192.0.2.1",
					      "www.example.com. 300 IN A 192.0.2.2", NULL };
	static const char *const junk[] = { "other.example.net. 300 IN A 192.0.2.66", NULL };
	msg_spec m = { 7, OWNDNS_FLAG_QR | OWNDNS_FLAG_RD | OWNDNS_FLAG_RA, "www.example.com.",
		       OWNDNS_TYPE_A, answer, NULL, NULL, false, 0, false };
	static uint8_t buf[OWNDNS_MSG_MAX];
	owndns_msg msg;
	cache *c = new_cache();

	assert_int_equal(store_response(c, "WWW.example.com", OWNDNS_TYPE_A, &m, 100), 1);
	assert_int_equal(cached(c, "WWW.EXAMPLE.com", OWNDNS_TYPE_A, 130, false, buf, &msg),
			 OWNDNS_OK);
	assert_int_equal(msg.hdr.id, 0x1234);
	assert_int_equal(msg.hdr.flags, OWNDNS_FLAG_QR | OWNDNS_FLAG_RD | OWNDNS_FLAG_RA);
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ANSWER], 2);
	assert_int_equal(ttl_of(&msg, OWNDNS_SECTION_ANSWER, 0, NULL), 270);
	/* The owner takes the case of the question, as a pointer to it. */
	assert_memory_equal(buf + OWNDNS_HEADER_SIZE + 21, "\xc0\x0c", 2);
	/* Answers from other names of the response are not stored. */
	m.answer = junk;
	assert_int_equal(store_response(c, "www.example.com", OWNDNS_TYPE_A, &m, 100), 0);
	assert_int_equal(cached(c, "other.example.net", OWNDNS_TYPE_A, 130, false, buf, &msg),
			 OWNDNS_ENOTFOUND);
	/* Expired: a miss, unless stale answers are wanted (TTL 30, EDE 3). */
	assert_int_equal(cached(c, "www.example.com", OWNDNS_TYPE_A, 401, false, buf, &msg),
			 OWNDNS_ENOTFOUND);
	assert_int_equal(cached(c, "www.example.com", OWNDNS_TYPE_A, 401, true, buf, &msg),
			 OWNDNS_OK);
	assert_int_equal(ttl_of(&msg, OWNDNS_SECTION_ANSWER, 0, NULL), CACHE_STALE_TTL);
	owndns_edns e;
	owndns_edns_option opt;
	uint16_t code;
	const uint8_t *text;
	size_t text_len;
	assert_int_equal(owndns_edns_from_msg(&msg, &e), OWNDNS_OK);
	assert_int_equal(owndns_edns_find_option(&e, OWNDNS_EDNS_EDE, &opt), OWNDNS_OK);
	assert_int_equal(owndns_edns_parse_ede(&opt, &code, &text, &text_len), OWNDNS_OK);
	assert_int_equal(code, FORWARD_EDE_STALE_ANSWER);
	cache_free(c);
}

static void cache_cname_chain(void **state)
{
	(void)state;
	static const char *const answer[] = { "alias.example.com. 600 IN CNAME www.example.com.",
					      "www.example.com. 300 IN A 192.0.2.1", NULL };
	msg_spec m = { 7, OWNDNS_FLAG_QR | OWNDNS_FLAG_RD | OWNDNS_FLAG_RA, "alias.example.com.",
		       OWNDNS_TYPE_A, answer, NULL, NULL, false, 0, false };
	static uint8_t buf[OWNDNS_MSG_MAX];
	owndns_msg msg;
	uint16_t type;
	cache *c = new_cache();

	assert_int_equal(store_response(c, "alias.example.com", OWNDNS_TYPE_A, &m, 0), 2);
	assert_int_equal(cached(c, "alias.example.com", OWNDNS_TYPE_A, 100, false, buf, &msg),
			 OWNDNS_OK);
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ANSWER], 2);
	assert_int_equal(ttl_of(&msg, OWNDNS_SECTION_ANSWER, 0, &type), 500);
	assert_int_equal(type, OWNDNS_TYPE_CNAME);
	assert_int_equal(ttl_of(&msg, OWNDNS_SECTION_ANSWER, 1, &type), 200);
	assert_int_equal(type, OWNDNS_TYPE_A);
	/* The target on its own, and another type of the alias through the chain: a miss
	 * at the end of the chain is a miss for the whole question. */
	assert_int_equal(cached(c, "www.example.com", OWNDNS_TYPE_A, 100, false, buf, &msg),
			 OWNDNS_OK);
	assert_int_equal(cached(c, "alias.example.com", OWNDNS_TYPE_AAAA, 100, false, buf, &msg),
			 OWNDNS_ENOTFOUND);
	/* The A expires first: the chain is no longer whole. */
	assert_int_equal(cached(c, "alias.example.com", OWNDNS_TYPE_A, 301, false, buf, &msg),
			 OWNDNS_ENOTFOUND);
	cache_free(c);
}

static void cache_negative_answers(void **state)
{
	(void)state;
	static const char *const soa[] = { SOA_TEXT, NULL };
	msg_spec nx = { 7, OWNDNS_FLAG_QR | OWNDNS_FLAG_RD | OWNDNS_FLAG_RA | OWNDNS_RCODE_NXDOMAIN,
			"nx.example.com.", OWNDNS_TYPE_A, NULL, soa, NULL, false, 0, false };
	msg_spec nodata = { 7, OWNDNS_FLAG_QR | OWNDNS_FLAG_RD | OWNDNS_FLAG_RA, "www.example.com.",
			    OWNDNS_TYPE_AAAA, NULL, soa, NULL, false, 0, false };
	msg_spec bare = { 7, OWNDNS_FLAG_QR | OWNDNS_FLAG_RD | OWNDNS_FLAG_RA | OWNDNS_RCODE_NXDOMAIN,
			  "bare.example.com.", OWNDNS_TYPE_A, NULL, NULL, NULL, false, 0, false };
	static uint8_t buf[OWNDNS_MSG_MAX];
	owndns_msg msg;
	uint16_t type;
	cache *c = new_cache();

	/* NXDOMAIN: TTL min(SOA TTL, MINIMUM) = 60, for every type of the name. */
	assert_int_equal(store_response(c, "nx.example.com", OWNDNS_TYPE_A, &nx, 0), 1);
	assert_int_equal(cached(c, "nx.example.com", OWNDNS_TYPE_MX, 10, false, buf, &msg),
			 OWNDNS_OK);
	assert_int_equal(owndns_header_rcode(&msg.hdr), OWNDNS_RCODE_NXDOMAIN);
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ANSWER], 0);
	assert_int_equal(ttl_of(&msg, OWNDNS_SECTION_AUTHORITY, 0, &type), 50);
	assert_int_equal(type, OWNDNS_TYPE_SOA);
	assert_int_equal(cached(c, "nx.example.com", OWNDNS_TYPE_A, 61, false, buf, &msg),
			 OWNDNS_ENOTFOUND);
	/* NODATA: this type only. */
	assert_int_equal(store_response(c, "www.example.com", OWNDNS_TYPE_AAAA, &nodata, 0), 1);
	assert_int_equal(cached(c, "www.example.com", OWNDNS_TYPE_AAAA, 1, false, buf, &msg),
			 OWNDNS_OK);
	assert_int_equal(owndns_header_rcode(&msg.hdr), OWNDNS_RCODE_NOERROR);
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_AUTHORITY], 1);
	assert_int_equal(cached(c, "www.example.com", OWNDNS_TYPE_A, 1, false, buf, &msg),
			 OWNDNS_ENOTFOUND);
	/* The fresh upstream answer carries the SOA with min(TTL, MINIMUM) too. */
	{
		uint8_t up[512];
		owndns_msg upm;
		reply_query q = client_query("nx.example.com", OWNDNS_TYPE_A, false, 0);
		open_msg(&upm, up, build(&nx, up, sizeof(up)));
		open_msg(&msg, buf, forward_rebuild(&q, &upm, (const uint8_t *)"", 1232, NULL, buf,
							  OWNDNS_MSG_MAX));
		assert_int_equal(owndns_header_rcode(&msg.hdr), OWNDNS_RCODE_NXDOMAIN);
		assert_int_equal(ttl_of(&msg, OWNDNS_SECTION_AUTHORITY, 0, NULL), 60);
	}
	/* RFC 2308 §5: no SOA, nothing negative cached. */
	assert_int_equal(store_response(c, "bare.example.com", OWNDNS_TYPE_A, &bare, 0), 0);
	assert_int_equal(cached(c, "bare.example.com", OWNDNS_TYPE_A, 1, false, buf, &msg),
			 OWNDNS_ENOTFOUND);
	cache_free(c);
}

static void cache_refuses_what_is_not_an_answer(void **state)
{
	(void)state;
	static const char *const answer[] = { "www.example.com. 300 IN A 192.0.2.1", NULL };
	static const char *const ns[] = { "example.com. 300 IN NS ns1.example.com.", NULL };
	static const char *const glue[] = { "ns1.example.com. 300 IN A 192.0.2.53", NULL };
	msg_spec m = { 7, OWNDNS_FLAG_QR | OWNDNS_FLAG_RD | OWNDNS_FLAG_RA | OWNDNS_RCODE_SERVFAIL,
		       "www.example.com.", OWNDNS_TYPE_A, answer, NULL, NULL, false, 0, false };
	static uint8_t buf[OWNDNS_MSG_MAX];
	owndns_msg msg;
	cache *c = new_cache();

	assert_int_equal(store_response(c, "www.example.com", OWNDNS_TYPE_A, &m, 0), OWNDNS_EINVAL);
	m.flags = OWNDNS_FLAG_QR | OWNDNS_FLAG_TC;
	assert_int_equal(store_response(c, "www.example.com", OWNDNS_TYPE_A, &m, 0), OWNDNS_EINVAL);
	m.flags = OWNDNS_FLAG_QR;
	assert_int_equal(store_response(c, "www.example.com", OWNDNS_TYPE_AAAA, &m, 0),
			 OWNDNS_EINVAL);
	assert_int_equal(store_response(c, "xyz.example.com", OWNDNS_TYPE_A, &m, 0), OWNDNS_EINVAL);
	m.flags = 0; /* not a response */
	assert_int_equal(store_response(c, "www.example.com", OWNDNS_TYPE_A, &m, 0), OWNDNS_EINVAL);
	assert_int_equal(cached(c, "www.example.com", OWNDNS_TYPE_A, 1, false, buf, &msg),
			 OWNDNS_ENOTFOUND);
	/* Authority and additional data are kept with their low rank, never answered. */
	m.flags = OWNDNS_FLAG_QR;
	m.authority = ns;
	m.additional = glue;
	assert_int_equal(store_response(c, "www.example.com", OWNDNS_TYPE_A, &m, 0), 3);
	assert_int_equal(cached(c, "ns1.example.com", OWNDNS_TYPE_A, 1, false, buf, &msg),
			 OWNDNS_ENOTFOUND);
	assert_int_equal(cached(c, "example.com", OWNDNS_TYPE_NS, 1, false, buf, &msg),
			 OWNDNS_ENOTFOUND);
	cache_free(c);
}

/* ---- rebuilding ---------------------------------------------------------------------- */

static size_t rebuild(const reply_query *q, const msg_spec *m, uint8_t *out)
{
	uint8_t up[8192];
	owndns_msg msg;
	open_msg(&msg, up, build(m, up, sizeof(up)));
	return forward_rebuild(q, &msg, (const uint8_t *)"", 1232, NULL, out, OWNDNS_MSG_MAX);
}

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = strlen(hex) / 2;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static void rebuild_matches_dnspython(void **state)
{
	(void)state;
	static const char *const answer[] = { "www.example.com. 300 IN A 192.0.2.1", NULL };
	/* Upstream: another ID, AA and AD set, its own OPT with DO. */
	msg_spec m = { 0x9999,
		       OWNDNS_FLAG_QR | OWNDNS_FLAG_AA | OWNDNS_FLAG_AD | OWNDNS_FLAG_RD |
			       OWNDNS_FLAG_RA,
		       "www.example.com.", OWNDNS_TYPE_A, answer, NULL, NULL, true, 4096, true };
	reply_query q = client_query("WWW.Example.com", OWNDNS_TYPE_A, true, 1232);
	static uint8_t out[OWNDNS_MSG_MAX];
	uint8_t want[128];
	/* dnspython: make_response of the client's query, RA, the A record, EDNS 1232. */
	size_t want_len = unhex("12348180000100010000000103575757074578616d706c6503636f6d0000010001"
				"c00c000100010000012c0004c000020100002904d0000000000000", want);
	size_t len = rebuild(&q, &m, out);
	assert_int_equal(len, want_len);
	assert_memory_equal(out, want, want_len);
	/* A client without EDNS gets no OPT. */
	q.has_edns = false;
	len = rebuild(&q, &m, out);
	assert_int_equal(len, want_len - 11);
	assert_memory_equal(out + 10, "\x00\x00", 2);
}

static void rebuild_truncates_whole_rrsets(void **state)
{
	(void)state;
	static char texts[12][300];
	static const char *answer[13];
	static const char *const small[] = { "www.example.com. 300 IN A 192.0.2.1", NULL };
	for (int i = 0; i < 12; i++) {
		snprintf(texts[i], sizeof(texts[i]), "big.example.com. 300 IN TXT \"%02d%0100d\"", i, 0);
		answer[i] = texts[i];
	}
	answer[12] = NULL;
	msg_spec m = { 1, OWNDNS_FLAG_QR | OWNDNS_FLAG_RD | OWNDNS_FLAG_RA, "big.example.com.",
		       OWNDNS_TYPE_TXT, answer, NULL, NULL, false, 0, false };
	reply_query q = client_query("big.example.com", OWNDNS_TYPE_TXT, false, 0);
	static uint8_t out[OWNDNS_MSG_MAX];
	owndns_msg msg;

	/* 12 x ~120 octets do not fit in 512: TC, and no part of the RRset. */
	open_msg(&msg, out, rebuild(&q, &m, out));
	assert_true(owndns_header_flag(&msg.hdr, OWNDNS_FLAG_TC));
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_QUESTION], 1);
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ANSWER], 0);
	/* Over TCP it all goes. */
	q.tcp = true;
	open_msg(&msg, out, rebuild(&q, &m, out));
	assert_false(owndns_header_flag(&msg.hdr, OWNDNS_FLAG_TC));
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ANSWER], 12);
	/* Additional data that does not fit is left out without TC. */
	q.tcp = false;
	m.qname = "www.example.com.";
	m.qtype = OWNDNS_TYPE_A;
	m.answer = small;
	m.additional = answer;
	q = client_query("www.example.com", OWNDNS_TYPE_A, false, 0);
	open_msg(&msg, out, rebuild(&q, &m, out));
	assert_false(owndns_header_flag(&msg.hdr, OWNDNS_FLAG_TC));
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ANSWER], 1);
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ADDITIONAL], 0);
}

/* ---- the pipeline ------------------------------------------------------------------- */

typedef struct pipeline {
	server_view view;
	local_data *local;
	acl *acl;
	cache *cache;
	forwarders fw;
} pipeline;

static void pipeline_init(pipeline *p)
{
	memset(p, 0, sizeof(*p));
	p->local = local_data_new();
	assert_non_null(p->local);
	assert_int_equal(local_data_add_text(p->local, "pc.lan. 60 IN A 10.0.0.9", "test", NULL,
					     NULL),
			 OWNDNS_OK);
	assert_int_equal(local_data_finish(p->local), OWNDNS_OK);
	p->acl = acl_new();
	assert_int_equal(acl_finish(p->acl), OWNDNS_OK);
	p->cache = new_cache();
	forwarders_init(&p->fw);
	uint8_t root[1] = { 0 };
	forward_target *t;
	owndns_server_addr a = addr4(1, 53);
	assert_int_equal(forwarders_add(&p->fw, root, &t), OWNDNS_OK);
	upstream_set_add(&t->upstreams, &a);
	p->view.recursion = true;
	p->view.local = p->local;
	p->view.acl = p->acl;
	p->view.cache = p->cache;
	p->view.forward = &p->fw;
}

static void pipeline_free(pipeline *p)
{
	local_data_free(p->local);
	acl_free(p->acl);
	cache_free(p->cache);
	forwarders_free(&p->fw);
}

static size_t ask(pipeline *p, const char *from, const char *qname, uint16_t flags,
		  uint8_t *out, server_forward *fwd, bool *forward)
{
	uint8_t q[512];
	msg_spec m = { 0x4242, flags, qname, OWNDNS_TYPE_A, NULL, NULL, NULL, true, 1232, false };
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, from, &sin.sin_addr), 1);
	server_request req = { q, build(&m, q, sizeof(q)), false, (struct sockaddr *)&sin,
			       sizeof(sin) };
	return server_process(&p->view, &req, 1000, out, OWNDNS_MSG_MAX, fwd, forward);
}

static void pipeline_stages(void **state)
{
	(void)state;
	static uint8_t out[OWNDNS_MSG_MAX];
	pipeline p;
	server_forward fwd;
	bool forward;
	owndns_msg msg;
	pipeline_init(&p);

	/* ACL: only localhost by default; EDE 18 "Prohibited". */
	open_msg(&msg, out, ask(&p, "192.0.2.9", "pc.lan.", OWNDNS_FLAG_RD, out, &fwd, &forward));
	assert_false(forward);
	assert_int_equal(owndns_header_rcode(&msg.hdr), OWNDNS_RCODE_REFUSED);
	/* Local data: AA and RA. */
	open_msg(&msg, out, ask(&p, "127.0.0.1", "PC.lan.", OWNDNS_FLAG_RD, out, &fwd, &forward));
	assert_false(forward);
	assert_true(owndns_header_flag(&msg.hdr, OWNDNS_FLAG_AA));
	assert_true(owndns_header_flag(&msg.hdr, OWNDNS_FLAG_RA));
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ANSWER], 1);
	/* Built-in zones are local too: never upstream. */
	open_msg(&msg, out, ask(&p, "127.0.0.1", "x.invalid.", OWNDNS_FLAG_RD, out, &fwd, &forward));
	assert_false(forward);
	assert_int_equal(owndns_header_rcode(&msg.hdr), OWNDNS_RCODE_NXDOMAIN);
	/* A cache miss with RD goes upstream: lower-cased question, the client's case kept. */
	assert_int_equal(ask(&p, "127.0.0.1", "WWW.Example.com.", OWNDNS_FLAG_RD | OWNDNS_FLAG_CD,
			     out, &fwd, &forward),
			 0);
	assert_true(forward);
	uint8_t lower[OWNDNS_NAME_MAX];
	wire_name("www.example.com", lower);
	assert_memory_equal(fwd.key.qname, lower, fwd.key.qname_len);
	assert_int_equal(fwd.key.flags, INFLIGHT_CD);
	assert_int_equal(fwd.key.target, 0);
	assert_int_equal(fwd.client.id, 0x4242);
	assert_memory_equal(fwd.client.qname, "\x03WWW\x07" "Example", 12);
	/* RD=0: only what we have; not cached: SERVFAIL, RA (Unbound with allow_snoop). */
	open_msg(&msg, out, ask(&p, "127.0.0.1", "www.example.com.", 0, out, &fwd, &forward));
	assert_false(forward);
	assert_int_equal(owndns_header_rcode(&msg.hdr), OWNDNS_RCODE_SERVFAIL);
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ANSWER], 0);
	assert_true(owndns_header_flag(&msg.hdr, OWNDNS_FLAG_RA));

	/* The upstream failed: SERVFAIL; with serve-stale, expired data. */
	size_t n = server_answer_upstream(&p.view, &fwd.client, 0, NULL, 0, 1000, out,
					  OWNDNS_MSG_MAX);
	open_msg(&msg, out, n);
	assert_int_equal(owndns_header_rcode(&msg.hdr), OWNDNS_RCODE_SERVFAIL);
	static const char *const answer[] = { "www.example.com. 10 IN A 192.0.2.1", NULL };
	msg_spec m = { 7, OWNDNS_FLAG_QR | OWNDNS_FLAG_RD | OWNDNS_FLAG_RA, "www.example.com.",
		       OWNDNS_TYPE_A, answer, NULL, NULL, false, 0, false };
	uint8_t up[512];
	size_t up_len = build(&m, up, sizeof(up));
	server_store_upstream(&p.view, &fwd.key, up, up_len, 900);
	/* RD=0 and cached (p.view's clock is 1000 in ask(): expired, so still a miss). */
	open_msg(&msg, out, ask(&p, "127.0.0.1", "www.example.com.", 0, out, &fwd, &forward));
	assert_int_equal(owndns_header_rcode(&msg.hdr), OWNDNS_RCODE_SERVFAIL);
	server_store_upstream(&p.view, &fwd.key, up, up_len, 995);
	open_msg(&msg, out, ask(&p, "127.0.0.1", "www.example.com.", 0, out, &fwd, &forward));
	assert_false(forward);
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ANSWER], 1);
	assert_int_equal(ttl_of(&msg, OWNDNS_SECTION_ANSWER, 0, NULL), 5);
	assert_false(owndns_header_flag(&msg.hdr, OWNDNS_FLAG_AA));
	/* Expire it again for the serve-stale checks below. */
	assert_int_equal(cache_remove(p.cache, fwd.key.qname, OWNDNS_TYPE_A, OWNDNS_CLASS_IN),
			 OWNDNS_OK);
	server_store_upstream(&p.view, &fwd.key, up, up_len, 900);
	p.view.serve_stale = true;
	open_msg(&msg, out, server_answer_upstream(&p.view, &fwd.client, 0, NULL, 0, 1000, out,
						   OWNDNS_MSG_MAX));
	assert_int_equal(owndns_header_rcode(&msg.hdr), OWNDNS_RCODE_NOERROR);
	assert_int_equal(ttl_of(&msg, OWNDNS_SECTION_ANSWER, 0, NULL), CACHE_STALE_TTL);
	/* A good upstream answer is rebuilt for the client. */
	open_msg(&msg, out, server_answer_upstream(&p.view, &fwd.client, 0, up, up_len, 1000, out,
						   OWNDNS_MSG_MAX));
	assert_int_equal(msg.hdr.id, 0x4242);
	assert_int_equal(ttl_of(&msg, OWNDNS_SECTION_ANSWER, 0, NULL), 10);
	/* With the cache's clamps, the fresh answer carries the clamped TTL. */
	p.view.ttl_limits.min_ttl = 0;
	p.view.ttl_limits.max_ttl = 5;
	open_msg(&msg, out, server_answer_upstream(&p.view, &fwd.client, 0, up, up_len, 1000, out,
						   OWNDNS_MSG_MAX));
	assert_int_equal(ttl_of(&msg, OWNDNS_SECTION_ANSWER, 0, NULL), 5);
	p.view.ttl_limits.min_ttl = 60;
	p.view.ttl_limits.max_ttl = 600;
	open_msg(&msg, out, server_answer_upstream(&p.view, &fwd.client, 0, up, up_len, 1000, out,
						   OWNDNS_MSG_MAX));
	assert_int_equal(ttl_of(&msg, OWNDNS_SECTION_ANSWER, 0, NULL), 60);
	memset(&p.view.ttl_limits, 0, sizeof(p.view.ttl_limits));
	/* An upstream REFUSED becomes SERVFAIL (or stale data). */
	p.view.serve_stale = false;
	m.flags |= OWNDNS_RCODE_REFUSED;
	up_len = build(&m, up, sizeof(up));
	open_msg(&msg, out, server_answer_upstream(&p.view, &fwd.client, 0, up, up_len, 1000, out,
						   OWNDNS_MSG_MAX));
	assert_int_equal(owndns_header_rcode(&msg.hdr), OWNDNS_RCODE_SERVFAIL);
	/* recursion=no: REFUSED outside the zones, no local data. */
	p.view.recursion = false;
	open_msg(&msg, out, ask(&p, "127.0.0.1", "pc.lan.", OWNDNS_FLAG_RD, out, &fwd, &forward));
	assert_false(forward);
	assert_int_equal(owndns_header_rcode(&msg.hdr), OWNDNS_RCODE_REFUSED);
	assert_false(owndns_header_flag(&msg.hdr, OWNDNS_FLAG_RA));
	pipeline_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(upstreams_ordered_by_srtt),
		cmocka_unit_test(down_upstream_skipped_then_probed),
		cmocka_unit_test(all_down_still_asked),
		cmocka_unit_test(upstream_first_try_timeout),
		cmocka_unit_test(slow_upstream_asked_later_with_longer_try),
		cmocka_unit_test(forward_zone_longest_match),
		cmocka_unit_test(inflight_shares_identical_questions),
		cmocka_unit_test(cache_positive_counts_down),
		cmocka_unit_test(cache_cname_chain),
		cmocka_unit_test(cache_negative_answers),
		cmocka_unit_test(cache_refuses_what_is_not_an_answer),
		cmocka_unit_test(rebuild_matches_dnspython),
		cmocka_unit_test(rebuild_truncates_whole_rrsets),
		cmocka_unit_test(pipeline_stages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
