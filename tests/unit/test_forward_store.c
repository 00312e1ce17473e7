/* What an upstream may put into the cache and in front of clients: the bailiwick of
 * its forwarding target (store and rebuild), answer ranks, responses of thousands of
 * records, RFC 2181 §8 TTLs, TC=1 answers, and meta QTYPEs answered without asking
 * upstream.  No sockets, no clock: times are plain numbers. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <owndns/message.h>
#include <owndns/rdata.h>
#include <owndns/rr.h>

#include "cache/cache.h"
#include "forward/forward.h"
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

typedef struct msg_spec {
	uint16_t flags;
	const char *qname;
	uint16_t qtype;
	const char *const *answer;
	const char *const *authority;
	const char *const *additional;
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
	owndns_header h = { 7, (uint16_t)(OWNDNS_FLAG_QR | OWNDNS_FLAG_RD | OWNDNS_FLAG_RA |
					  m->flags),
			    { 0 } };
	uint8_t qname[OWNDNS_NAME_MAX];
	size_t len;
	wire_name(m->qname, qname);
	assert_int_equal(owndns_writer_init(&w, buf, cap, &h), 0);
	assert_int_equal(owndns_writer_question(&w, qname, m->qtype, OWNDNS_CLASS_IN), 0);
	write_section(&w, OWNDNS_SECTION_ANSWER, m->answer);
	write_section(&w, OWNDNS_SECTION_AUTHORITY, m->authority);
	write_section(&w, OWNDNS_SECTION_ADDITIONAL, m->additional);
	assert_int_equal(owndns_writer_finish(&w, &len), 0);
	return len;
}

static void open_msg(owndns_msg *m, const uint8_t *buf, size_t len)
{
	assert_true(len > 0);
	assert_int_equal(owndns_msg_open(m, buf, len), OWNDNS_OK);
}

static reply_query client_query(const char *qname, uint16_t qtype)
{
	reply_query q;
	memset(&q, 0, sizeof(q));
	q.id = 0x1234;
	q.flags = OWNDNS_FLAG_RD;
	wire_name(qname, q.qname);
	q.qtype = qtype;
	q.qclass = OWNDNS_CLASS_IN;
	return q;
}

static cache *new_cache(void)
{
	cache_config cfg;
	cache *c;
	cache_config_default(&cfg);
	cfg.max_bytes = 4u << 20;
	cfg.shards = 4;
	assert_int_equal(cache_new(&cfg, &c), OWNDNS_OK);
	return c;
}

static int store(cache *c, const char *domain, const msg_spec *m, uint32_t now)
{
	static uint8_t buf[OWNDNS_MSG_MAX];
	uint8_t name[OWNDNS_NAME_MAX], apex[OWNDNS_NAME_MAX];
	owndns_msg msg;
	open_msg(&msg, buf, build(m, buf, sizeof(buf)));
	wire_name(m->qname, name);
	wire_name(domain, apex);
	return forward_store(c, name, m->qtype, OWNDNS_CLASS_IN, apex, &msg, now);
}

/* Anything at all in the cache for (name, type), whatever its rank. */
static bool held(cache *c, const char *name, uint16_t type, uint32_t now)
{
	static uint8_t storage[CACHE_VIEW_STORAGE_MAX];
	uint8_t wire[OWNDNS_NAME_MAX];
	cache_view v;
	wire_name(name, wire);
	cache_view_init(&v, storage, sizeof(storage));
	return cache_lookup(c, wire, type, OWNDNS_CLASS_IN, now, CACHE_LOOKUP_NO_CNAME, &v) ==
	       OWNDNS_OK;
}

static int cache_answer(cache *c, const char *qname, uint16_t qtype, uint32_t now,
			uint8_t *out, owndns_msg *msg)
{
	reply_query q = client_query(qname, qtype);
	size_t len;
	int rc = forward_cache_answer(c, &q, 1232, now, 0, out, OWNDNS_MSG_MAX, &len);
	if (rc == OWNDNS_OK)
		open_msg(msg, out, len);
	return rc;
}

/* Whether a section of msg holds a record of this owner and type. */
static bool has_record(const owndns_msg *m, owndns_section s, const char *owner, uint16_t type)
{
	uint8_t wire[OWNDNS_NAME_MAX];
	owndns_rr_iter it;
	owndns_rr_view v;
	wire_name(owner, wire);
	owndns_rr_iter_init(&it, m, s);
	while (owndns_rr_iter_next(&it, &v) > 0)
		if (v.type == type && owndns_name_equal(v.owner, wire))
			return true;
	return false;
}

/* ---- bailiwick ---------------------------------------------------------------------- */

/* The upstream of corp.example answers with a CNAME out of corp.example, a forged A for
 * its target, and forged authority and additional data for other.example. */
static const char *const forged_answer[] = {
	"www.corp.example. 300 IN CNAME www.other.example.",
	"www.other.example. 300 IN A 203.0.113.66", NULL
};
static const char *const forged_authority[] = {
	"other.example. 300 IN NS ns.other.example.",
	"corp.example. 300 IN NS ns.corp.example.", NULL
};
static const char *const forged_additional[] = {
	"ns.other.example. 300 IN A 203.0.113.67",
	"victim.example. 300 IN A 203.0.113.68",
	"ns.corp.example. 300 IN A 10.0.0.53", NULL
};

static void store_keeps_to_the_zone(void **state)
{
	(void)state;
	msg_spec m = { 0, "www.corp.example.", OWNDNS_TYPE_A, forged_answer, forged_authority,
		       forged_additional };
	cache *c = new_cache();

	assert_true(store(c, "corp.example.", &m, 0) > 0);
	assert_true(held(c, "www.corp.example.", OWNDNS_TYPE_CNAME, 1));
	assert_true(held(c, "ns.corp.example.", OWNDNS_TYPE_A, 1));
	assert_false(held(c, "www.other.example.", OWNDNS_TYPE_A, 1));
	assert_false(held(c, "other.example.", OWNDNS_TYPE_NS, 1));
	assert_false(held(c, "ns.other.example.", OWNDNS_TYPE_A, 1));
	assert_false(held(c, "victim.example.", OWNDNS_TYPE_A, 1));

	/* A negative answer for the name outside, or proven by an SOA outside. */
	static const char *const cname_only[] = {
		"gone.corp.example. 300 IN CNAME gone.other.example.", NULL
	};
	static const char *const other_soa[] = {
		"other.example. 300 IN SOA ns. h. 1 2 3 4 300", NULL
	};
	static const char *const parent_soa[] = {
		"example. 300 IN SOA ns. h. 1 2 3 4 300", NULL
	};
	msg_spec nx = { OWNDNS_RCODE_NXDOMAIN, "gone.corp.example.", OWNDNS_TYPE_A, cname_only,
			other_soa, NULL };
	assert_int_equal(store(c, "corp.example.", &nx, 0), 1); /* the CNAME only */
	assert_false(held(c, "gone.other.example.", 0, 1));
	msg_spec nx2 = { OWNDNS_RCODE_NXDOMAIN, "nope.corp.example.", OWNDNS_TYPE_A, NULL,
			 parent_soa, NULL };
	assert_int_equal(store(c, "corp.example.", &nx2, 0), 0);
	assert_false(held(c, "nope.corp.example.", 0, 1));
	/* The root's forwarder speaks for everything. */
	assert_true(store(c, ".", &m, 0) > 0);
	assert_true(held(c, "www.other.example.", OWNDNS_TYPE_A, 1));
	cache_free(c);
}

static void rebuild_keeps_to_the_zone(void **state)
{
	(void)state;
	static uint8_t up[OWNDNS_MSG_MAX], out[OWNDNS_MSG_MAX];
	static const char *const other_soa[] = {
		"other.example. 300 IN SOA ns. h. 1 2 3 4 300", NULL
	};
	msg_spec m = { OWNDNS_RCODE_NXDOMAIN, "www.corp.example.", OWNDNS_TYPE_A, forged_answer,
		       other_soa, forged_additional };
	uint8_t apex[OWNDNS_NAME_MAX], target[OWNDNS_NAME_MAX], expect[OWNDNS_NAME_MAX];
	reply_query q = client_query("WWW.corp.example.", OWNDNS_TYPE_A);
	owndns_msg upm, msg;

	wire_name("corp.example.", apex);
	open_msg(&upm, up, build(&m, up, sizeof(up)));
	assert_true(forward_chain_leaves(&upm, q.qname, q.qtype, apex, target));
	wire_name("www.other.example.", expect);
	assert_true(owndns_name_equal(target, expect));
	open_msg(&msg, out, forward_rebuild(&q, &upm, apex, 1232, NULL, out, sizeof(out)));
	/* The rcode was about www.other.example.: not the corp upstream's to say. */
	assert_int_equal(owndns_msg_rcode(&msg), OWNDNS_RCODE_NOERROR);
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ANSWER], 1);
	assert_true(has_record(&msg, OWNDNS_SECTION_ANSWER, "www.corp.example.", OWNDNS_TYPE_CNAME));
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_AUTHORITY], 0);
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ADDITIONAL], 1);
	assert_true(has_record(&msg, OWNDNS_SECTION_ADDITIONAL, "ns.corp.example.", OWNDNS_TYPE_A));
	/* The root's forwarder passes everything on. */
	open_msg(&msg, out, forward_rebuild(&q, &upm, (const uint8_t *)"", 1232, NULL, out,
					    sizeof(out)));
	assert_int_equal(owndns_msg_rcode(&msg), OWNDNS_RCODE_NXDOMAIN);
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ANSWER], 2);
	assert_false(forward_chain_leaves(&upm, q.qname, q.qtype, (const uint8_t *)"", target));
	/* Answer records off the chain are dropped even inside the apex. */
	static const char *const off_chain[] = { "www.corp.example. 300 IN A 10.0.0.1",
						 "mail.corp.example. 300 IN A 10.0.0.2", NULL };
	msg_spec m2 = { 0, "www.corp.example.", OWNDNS_TYPE_A, off_chain, NULL, NULL };
	open_msg(&upm, up, build(&m2, up, sizeof(up)));
	open_msg(&msg, out, forward_rebuild(&q, &upm, apex, 1232, NULL, out, sizeof(out)));
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ANSWER], 1);
}

/* ---- the pipeline ------------------------------------------------------------------- */

typedef struct pipeline {
	server_view view;
	acl *acl;
	cache *cache;
	forwarders fw;
} pipeline;

static void add_target(pipeline *p, const char *domain, uint8_t last)
{
	uint8_t wire[OWNDNS_NAME_MAX];
	forward_target *t;
	owndns_server_addr a;
	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	a.addr[0] = 192;
	a.addr[2] = 2;
	a.addr[3] = last;
	a.port = 53;
	wire_name(domain, wire);
	assert_int_equal(forwarders_add(&p->fw, wire, &t), OWNDNS_OK);
	assert_int_equal(upstream_set_add(&t->upstreams, &a), OWNDNS_OK);
}

static void pipeline_init(pipeline *p)
{
	memset(p, 0, sizeof(*p));
	p->acl = acl_new();
	assert_int_equal(acl_finish(p->acl), OWNDNS_OK);
	p->cache = new_cache();
	forwarders_init(&p->fw);
	add_target(p, ".", 1);
	add_target(p, "corp.example.", 2);
	p->view.recursion = true;
	p->view.acl = p->acl;
	p->view.cache = p->cache;
	p->view.forward = &p->fw;
}

static void pipeline_free(pipeline *p)
{
	acl_free(p->acl);
	cache_free(p->cache);
	forwarders_free(&p->fw);
}

static size_t ask(pipeline *p, const char *qname, uint16_t qtype, uint8_t *out,
		  server_forward *fwd, bool *forward)
{
	uint8_t q[512];
	owndns_msg_writer w;
	owndns_header h = { 0x4242, OWNDNS_FLAG_RD, { 0 } };
	uint8_t wire[OWNDNS_NAME_MAX];
	size_t len;
	wire_name(qname, wire);
	assert_int_equal(owndns_writer_init(&w, q, sizeof(q), &h), 0);
	assert_int_equal(owndns_writer_question(&w, wire, qtype, OWNDNS_CLASS_IN), 0);
	assert_int_equal(owndns_writer_finish(&w, &len), 0);
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	server_request req = { q, len, false, (struct sockaddr *)&sin, sizeof(sin) };
	return server_process(&p->view, &req, 1000, out, OWNDNS_MSG_MAX, fwd, forward);
}

/* The upstream of corp.example forged www.other.example; what the root's upstream says
 * about it is what clients get, and the CNAME chain goes on through the cache. */
static void pipeline_scrubs_forged_data(void **state)
{
	(void)state;
	static uint8_t up[OWNDNS_MSG_MAX], out[OWNDNS_MSG_MAX];
	pipeline p;
	server_forward fwd, fwd_other;
	bool forward;
	owndns_msg msg;
	pipeline_init(&p);

	assert_int_equal(ask(&p, "www.corp.example.", OWNDNS_TYPE_A, out, &fwd, &forward), 0);
	assert_true(forward);
	assert_int_equal(fwd.key.target, 1);
	msg_spec forged = { 0, "www.corp.example.", OWNDNS_TYPE_A, forged_answer,
			    forged_authority, forged_additional };
	size_t up_len = build(&forged, up, sizeof(up));
	server_store_upstream(&p.view, &fwd.key, up, up_len, 1000);
	open_msg(&msg, out, server_answer_upstream(&p.view, &fwd.client, fwd.key.target, up,
						   up_len, 1000, out, OWNDNS_MSG_MAX));
	assert_false(has_record(&msg, OWNDNS_SECTION_ANSWER, "www.other.example.", OWNDNS_TYPE_A));
	assert_false(has_record(&msg, OWNDNS_SECTION_ADDITIONAL, "victim.example.",
				OWNDNS_TYPE_A));
	/* The chain goes on at the root's forwarder (Unbound's chase). */
	inflight_key next;
	assert_true(server_upstream_chase(&p.view, &fwd.key, up, up_len, 1000, &next));
	assert_int_equal(next.target, 0);
	assert_int_equal(next.qtype, OWNDNS_TYPE_A);
	assert_memory_equal(next.qname, "\x03www\x05other\x07" "example", 19);
	/* The forged name is asked upstream, of the root's forwarder. */
	assert_int_equal(ask(&p, "www.other.example.", OWNDNS_TYPE_A, out, &fwd_other, &forward),
			 0);
	assert_true(forward);
	assert_int_equal(fwd_other.key.target, 0);
	static const char *const real[] = { "www.other.example. 300 IN A 192.0.2.80", NULL };
	msg_spec truth = { 0, "www.other.example.", OWNDNS_TYPE_A, real, NULL, NULL };
	up_len = build(&truth, up, sizeof(up));
	server_store_upstream(&p.view, &fwd_other.key, up, up_len, 1000);
	/* Now the whole chain answers from the cache, with the real address. */
	open_msg(&msg, out, ask(&p, "www.corp.example.", OWNDNS_TYPE_A, out, &fwd, &forward));
	assert_false(forward);
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ANSWER], 2);
	assert_true(has_record(&msg, OWNDNS_SECTION_ANSWER, "www.other.example.", OWNDNS_TYPE_A));
	/* and so does a fresh answer of the corp upstream with the same forgery. */
	up_len = build(&forged, up, sizeof(up));
	open_msg(&msg, out, server_answer_upstream(&p.view, &fwd.client, 1, up, up_len, 1000, out,
						   OWNDNS_MSG_MAX));
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ANSWER], 2);
	assert_false(server_upstream_chase(&p.view, &fwd.key, up, up_len, 1000, &next));
	static uint8_t failed[OWNDNS_MSG_MAX];
	msg_spec servfail = { OWNDNS_RCODE_SERVFAIL, "www.other.example.", OWNDNS_TYPE_A, NULL,
			      NULL, NULL };
	size_t failed_len = build(&servfail, failed, sizeof(failed));
	server_chase_piece pieces[2] = { { 1, up, up_len }, { 0, failed, failed_len } };
	open_msg(&msg, out, server_answer_chased(&p.view, &fwd.client, pieces, 2, 1000, out,
						 OWNDNS_MSG_MAX));
	assert_int_equal(owndns_msg_rcode(&msg), OWNDNS_RCODE_SERVFAIL);
	pieces[1].pkt = NULL;
	pieces[1].len = 0;
	open_msg(&msg, out, server_answer_chased(&p.view, &fwd.client, pieces, 2, 1000, out,
						 OWNDNS_MSG_MAX));
	assert_int_equal(owndns_msg_rcode(&msg), OWNDNS_RCODE_SERVFAIL);
	owndns_rr_iter it;
	owndns_rr_view v;
	owndns_rr_iter_init(&it, &msg, OWNDNS_SECTION_ANSWER);
	while (owndns_rr_iter_next(&it, &v) > 0)
		if (v.type == OWNDNS_TYPE_A)
			assert_memory_equal(msg.pkt + v.rdata_pos, "\xc0\x00\x02\x50", 4);
	pipeline_free(&p);
}

/* A TC=1 answer (it came over TCP) is a failure: SERVFAIL, nothing cached. */
static void truncated_answer_is_a_failure(void **state)
{
	(void)state;
	static uint8_t up[OWNDNS_MSG_MAX], out[OWNDNS_MSG_MAX];
	static const char *const answer[] = { "big.example. 300 IN A 192.0.2.1", NULL };
	msg_spec m = { OWNDNS_FLAG_TC, "big.example.", OWNDNS_TYPE_A, answer, NULL, NULL };
	pipeline p;
	server_forward fwd;
	bool forward;
	owndns_msg msg;
	pipeline_init(&p);

	assert_int_equal(ask(&p, "big.example.", OWNDNS_TYPE_A, out, &fwd, &forward), 0);
	size_t up_len = build(&m, up, sizeof(up));
	server_store_upstream(&p.view, &fwd.key, up, up_len, 1000);
	assert_false(held(p.cache, "big.example.", OWNDNS_TYPE_A, 1000));
	open_msg(&msg, out, server_answer_upstream(&p.view, &fwd.client, fwd.key.target, up,
						   up_len, 1000, out, OWNDNS_MSG_MAX));
	assert_int_equal(owndns_msg_rcode(&msg), OWNDNS_RCODE_SERVFAIL);
	assert_false(owndns_header_flag(&msg.hdr, OWNDNS_FLAG_TC));
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ANSWER], 0);
	pipeline_free(&p);
}

/* Unbound answers OPT, TSIG, TKEY, MAILB, MAILA and 128-248 with FORMERR, without RA;
 * nothing goes upstream. */
static void meta_qtypes_answered_locally(void **state)
{
	(void)state;
	static const uint16_t meta[] = { 41, 128, 200, 248, 249, 250, 253, 254 };
	static uint8_t out[OWNDNS_MSG_MAX];
	pipeline p;
	server_forward fwd;
	bool forward;
	owndns_msg msg;
	pipeline_init(&p);

	for (size_t i = 0; i < sizeof(meta) / sizeof(meta[0]); i++) {
		open_msg(&msg, out, ask(&p, "example.com.", meta[i], out, &fwd, &forward));
		assert_false(forward);
		assert_int_equal(owndns_msg_rcode(&msg), OWNDNS_RCODE_FORMERR);
		assert_false(owndns_header_flag(&msg.hdr, OWNDNS_FLAG_RA));
		assert_true(owndns_header_flag(&msg.hdr, OWNDNS_FLAG_RD));
		assert_int_equal(msg.hdr.count[OWNDNS_SECTION_QUESTION], 1);
	}
	/* Types next to them still go upstream. */
	assert_int_equal(ask(&p, "example.com.", 127, out, &fwd, &forward), 0);
	assert_true(forward);
	assert_int_equal(ask(&p, "example.com.", OWNDNS_TYPE_ANY, out, &fwd, &forward), 0);
	assert_true(forward);
	pipeline_free(&p);
}

/* ---- ranks --------------------------------------------------------------------------- */

/* The NS of an AA=1 answer's authority section ranks "authority": it never answers,
 * and a forwarder's non-authoritative answer for it replaces it. */
static void authority_rank_does_not_answer(void **state)
{
	(void)state;
	static uint8_t out[OWNDNS_MSG_MAX];
	static const char *const answer[] = { "www.example. 300 IN A 192.0.2.1", NULL };
	static const char *const authority[] = { "example. 300 IN NS ns1.example.", NULL };
	static const char *const ns_answer[] = { "example. 300 IN NS ns2.example.", NULL };
	msg_spec aa = { OWNDNS_FLAG_AA, "www.example.", OWNDNS_TYPE_A, answer, authority, NULL };
	msg_spec ns = { 0, "example.", OWNDNS_TYPE_NS, ns_answer, NULL, NULL };
	owndns_msg msg;
	cache *c = new_cache();

	assert_int_equal(store(c, ".", &aa, 0), 2);
	assert_true(held(c, "example.", OWNDNS_TYPE_NS, 1));
	assert_int_equal(cache_answer(c, "example.", OWNDNS_TYPE_NS, 1, out, &msg),
			 OWNDNS_ENOTFOUND);
	assert_int_equal(store(c, ".", &ns, 2), 1);
	assert_int_equal(cache_answer(c, "example.", OWNDNS_TYPE_NS, 3, out, &msg), OWNDNS_OK);
	assert_true(has_record(&msg, OWNDNS_SECTION_ANSWER, "example.", OWNDNS_TYPE_NS));
	cache_free(c);
}

/* ---- big responses ------------------------------------------------------------------- */

/* A TCP answer of more records than any fixed cap: the RRset is stored whole. */
static void store_reads_every_record(void **state)
{
	(void)state;
	enum { N = 1500 };
	static char text[N][64];
	static const char *lines[N + 1];
	static uint8_t storage[CACHE_VIEW_STORAGE_MAX];
	for (unsigned i = 0; i < N; i++) {
		snprintf(text[i], sizeof(text[i]), "many.example. 300 IN A 10.%u.%u.1", i / 256,
			 i % 256);
		lines[i] = text[i];
	}
	lines[N] = NULL;
	msg_spec m = { 0, "many.example.", OWNDNS_TYPE_A, lines, NULL, NULL };
	cache *c = new_cache();
	uint8_t wire[OWNDNS_NAME_MAX];
	cache_view v;

	assert_int_equal(store(c, ".", &m, 0), 1);
	wire_name("many.example.", wire);
	cache_view_init(&v, storage, sizeof(storage));
	assert_int_equal(cache_lookup(c, wire, OWNDNS_TYPE_A, OWNDNS_CLASS_IN, 1, 0, &v),
			 OWNDNS_OK);
	assert_int_equal(v.record_count, N);
	cache_free(c);
}

/* ---- TTLs ---------------------------------------------------------------------------- */

/* RFC 2181 §8 in the answer that fills the cache: an SOA MINIMUM with the top bit set
 * counts as 0, as in the cache. */
static void rebuild_soa_minimum_top_bit(void **state)
{
	(void)state;
	static uint8_t up[OWNDNS_MSG_MAX], out[OWNDNS_MSG_MAX];
	static const char *const soa[] = {
		"example. 300 IN SOA ns. h. 1 2 3 4 2147483649", NULL
	};
	msg_spec m = { OWNDNS_RCODE_NXDOMAIN, "x.example.", OWNDNS_TYPE_A, NULL, soa, NULL };
	reply_query q = client_query("x.example.", OWNDNS_TYPE_A);
	owndns_msg upm, msg;
	owndns_rr_iter it;
	owndns_rr_view v;

	open_msg(&upm, up, build(&m, up, sizeof(up)));
	open_msg(&msg, out, forward_rebuild(&q, &upm, (const uint8_t *)"", 1232, NULL, out,
					    sizeof(out)));
	owndns_rr_iter_init(&it, &msg, OWNDNS_SECTION_AUTHORITY);
	assert_int_equal(owndns_rr_iter_next(&it, &v), 1);
	assert_int_equal(v.ttl, 0);
}

/* ---- DNAME, incomplete chains, chased answers -------------------------------------- */

/* The n-th answer record of msg (0-based): its type, and owner into `owner`. */
static uint16_t answer_type(const owndns_msg *m, unsigned n, uint8_t *owner, uint32_t *ttl)
{
	owndns_rr_iter it;
	owndns_rr_view v;
	owndns_rr_iter_init(&it, m, OWNDNS_SECTION_ANSWER);
	for (unsigned i = 0; owndns_rr_iter_next(&it, &v) > 0; i++)
		if (i == n) {
			if (owner)
				memcpy(owner, v.owner, v.owner_len);
			if (ttl)
				*ttl = v.ttl;
			return v.type;
		}
	return 0;
}

/* RFC 6672 §3.3: the DNAME stays in the answer from the cache, before the CNAME it
 * explains; a name below it that was never asked is synthesised from the cached
 * DNAME, with the DNAME's TTL. */
static void dname_answered_from_cache(void **state)
{
	(void)state;
	static uint8_t out[OWNDNS_MSG_MAX];
	static const char *const answer[] = {
		"dn.example. 600 IN DNAME b.test.",
		"www.dn.example. 600 IN CNAME www.b.test.",
		"www.b.test. 300 IN A 192.0.2.1", NULL
	};
	static const char *const mail[] = { "mail.b.test. 300 IN A 192.0.2.2", NULL };
	msg_spec m = { OWNDNS_FLAG_AA, "www.dn.example.", OWNDNS_TYPE_A, answer, NULL, NULL };
	msg_spec mm = { OWNDNS_FLAG_AA, "mail.b.test.", OWNDNS_TYPE_A, mail, NULL, NULL };
	uint8_t owner[OWNDNS_NAME_MAX], want[OWNDNS_NAME_MAX];
	uint32_t ttl;
	owndns_msg msg;
	cache *c = new_cache();

	assert_true(store(c, ".", &m, 1000) >= 3);
	assert_int_equal(cache_answer(c, "www.dn.example.", OWNDNS_TYPE_A, 1010, out, &msg),
			 OWNDNS_OK);
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ANSWER], 3);
	assert_int_equal(answer_type(&msg, 0, owner, NULL), OWNDNS_TYPE_DNAME);
	wire_name("dn.example.", want);
	assert_true(owndns_name_equal(owner, want));
	assert_int_equal(answer_type(&msg, 1, NULL, NULL), OWNDNS_TYPE_CNAME);
	assert_int_equal(answer_type(&msg, 2, NULL, NULL), OWNDNS_TYPE_A);

	/* mail.dn.example: never asked; its target is cached. */
	assert_int_equal(cache_answer(c, "mail.dn.example.", OWNDNS_TYPE_A, 1010, out, &msg),
			 OWNDNS_ENOTFOUND);
	assert_true(store(c, ".", &mm, 1000) >= 1);
	assert_int_equal(cache_answer(c, "mail.dn.example.", OWNDNS_TYPE_A, 1010, out, &msg),
			 OWNDNS_OK);
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ANSWER], 3);
	assert_int_equal(answer_type(&msg, 0, NULL, NULL), OWNDNS_TYPE_DNAME);
	assert_int_equal(answer_type(&msg, 1, owner, &ttl), OWNDNS_TYPE_CNAME);
	wire_name("mail.dn.example.", want);
	assert_true(owndns_name_equal(owner, want));
	assert_int_equal(ttl, 590);
	assert_true(has_record(&msg, OWNDNS_SECTION_ANSWER, "mail.b.test.", OWNDNS_TYPE_A));
	cache_free(c);
}

static bool chain_next(const msg_spec *m, const char *domain, char *next_text)
{
	static uint8_t up[OWNDNS_MSG_MAX];
	uint8_t qname[OWNDNS_NAME_MAX], apex[OWNDNS_NAME_MAX], next[OWNDNS_NAME_MAX];
	owndns_msg msg;
	open_msg(&msg, up, build(m, up, sizeof(up)));
	wire_name(m->qname, qname);
	wire_name(domain, apex);
	if (!forward_chain_next(&msg, qname, m->qtype, apex, next))
		return false;
	assert_true(owndns_name_to_text(next, next_text, OWNDNS_NAME_TEXT_MAX) > 0);
	return true;
}

/* RFC 1034 §4.3.2 step 3a: a chain that ends at a CNAME target the answer says nothing
 * about goes on there; a negative answer, an answer, or a loop is final. */
static void chain_next_finds_unresolved_targets(void **state)
{
	(void)state;
	char next[OWNDNS_NAME_TEXT_MAX];
	static const char *const lone[] = { "a.example. 300 IN CNAME B.Other.", NULL };
	static const char *const two[] = { "a.example. 300 IN CNAME b.example.",
					   "b.example. 300 IN CNAME c.other.", NULL };
	static const char *const whole[] = { "a.example. 300 IN CNAME b.other.",
					     "b.other. 300 IN A 192.0.2.1", NULL };
	static const char *const loop[] = { "a.example. 300 IN CNAME b.example.",
					    "b.example. 300 IN CNAME a.example.", NULL };
	static const char *const soa[] = { "other. 300 IN SOA ns. h. 1 2 3 4 300", NULL };
	static const char *const soa_above_qname_only[] = {
		"example. 300 IN SOA ns. h. 1 2 3 4 300", NULL
	};
	static const char *const addr[] = { "a.example. 300 IN A 192.0.2.1", NULL };

	msg_spec m = { 0, "a.example.", OWNDNS_TYPE_A, lone, NULL, NULL };
	assert_true(chain_next(&m, ".", next));
	assert_string_equal(next, "b.other.");
	m.answer = two;
	assert_true(chain_next(&m, ".", next));
	assert_string_equal(next, "c.other.");
	/* Leaving the zone is found first, whatever follows. */
	m.answer = lone;
	assert_true(chain_next(&m, "example.", next));
	assert_string_equal(next, "b.other.");
	/* An SOA of another zone proves nothing about the target. */
	m.authority = soa_above_qname_only;
	assert_true(chain_next(&m, ".", next));
	m.authority = soa;
	assert_false(chain_next(&m, ".", next));
	m.authority = NULL;
	m.flags = OWNDNS_RCODE_NXDOMAIN;
	assert_false(chain_next(&m, ".", next));
	m.flags = 0;
	m.answer = whole;
	assert_false(chain_next(&m, ".", next));
	m.answer = loop;
	assert_false(chain_next(&m, ".", next));
	m.answer = addr;
	assert_false(chain_next(&m, ".", next));
	m.answer = NULL;
	assert_false(chain_next(&m, ".", next));
	/* A CNAME asked for is the answer itself. */
	m.answer = lone;
	m.qtype = OWNDNS_TYPE_CNAME;
	assert_false(chain_next(&m, ".", next));
	m.qtype = OWNDNS_TYPE_ANY;
	assert_false(chain_next(&m, ".", next));
}

/* A chased answer from the responses alone: each piece scrubbed to its own zone, the
 * rcode and the other sections from the last. */
static void rebuild_chain_from_pieces(void **state)
{
	(void)state;
	static uint8_t up0[OWNDNS_MSG_MAX], up1[OWNDNS_MSG_MAX], out[OWNDNS_MSG_MAX];
	static const char *const first[] = { "x.a.example. 0 IN CNAME x.b.example.",
					     "x.b.example. 0 IN A 203.0.113.1", NULL };
	static const char *const first_auth[] = { "a.example. 0 IN NS ns.a.example.", NULL };
	static const char *const second[] = { "x.b.example. 0 IN A 192.0.2.7", NULL };
	static const char *const second_auth[] = { "b.example. 0 IN NS ns.b.example.", NULL };
	msg_spec m0 = { 0, "x.a.example.", OWNDNS_TYPE_A, first, first_auth, NULL };
	msg_spec m1 = { 0, "x.b.example.", OWNDNS_TYPE_A, second, second_auth, NULL };
	reply_query q = client_query("X.A.example.", OWNDNS_TYPE_A);
	uint8_t qname1[OWNDNS_NAME_MAX], apex0[OWNDNS_NAME_MAX], apex1[OWNDNS_NAME_MAX];
	owndns_msg pm0, pm1, msg;

	open_msg(&pm0, up0, build(&m0, up0, sizeof(up0)));
	open_msg(&pm1, up1, build(&m1, up1, sizeof(up1)));
	wire_name("x.b.example.", qname1);
	wire_name("a.example.", apex0);
	wire_name("b.example.", apex1);
	forward_piece pieces[2] = { { &pm0, q.qname, apex0 }, { &pm1, qname1, apex1 } };
	open_msg(&msg, out, forward_rebuild_chain(&q, pieces, 2, 1232, NULL, out, sizeof(out)));
	assert_int_equal(owndns_msg_rcode(&msg), OWNDNS_RCODE_NOERROR);
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ANSWER], 2);
	assert_int_equal(answer_type(&msg, 0, NULL, NULL), OWNDNS_TYPE_CNAME);
	owndns_rr_iter it;
	owndns_rr_view v;
	owndns_rr_iter_init(&it, &msg, OWNDNS_SECTION_ANSWER);
	assert_int_equal(owndns_rr_iter_next(&it, &v), 1);
	assert_memory_equal(v.owner + 1, "X", 1); /* the client's case */
	assert_int_equal(owndns_rr_iter_next(&it, &v), 1);
	assert_int_equal(v.type, OWNDNS_TYPE_A);
	assert_memory_equal(msg.pkt + v.rdata_pos, "\xc0\x00\x02\x07", 4);
	assert_int_equal(msg.hdr.count[OWNDNS_SECTION_AUTHORITY], 1);
	assert_true(has_record(&msg, OWNDNS_SECTION_AUTHORITY, "b.example.", OWNDNS_TYPE_NS));
}

/* rrset-order=rotate: the client's query ID picks the first record. */
static void cache_answer_rotates_when_configured(void **state)
{
	(void)state;
	static uint8_t out[OWNDNS_MSG_MAX];
	static const char *const addrs[] = { "r.example. 300 IN A 192.0.2.1",
					     "r.example. 300 IN A 192.0.2.2",
					     "r.example. 300 IN A 192.0.2.3", NULL };
	msg_spec m = { 0, "r.example.", OWNDNS_TYPE_A, addrs, NULL, NULL };
	for (int rotate = 0; rotate < 2; rotate++) {
		cache_config cfg;
		cache *c;
		cache_config_default(&cfg);
		cfg.max_bytes = 4u << 20;
		cfg.shards = 4;
		cfg.rotate_rrsets = rotate;
		assert_int_equal(cache_new(&cfg, &c), OWNDNS_OK);
		assert_true(store(c, ".", &m, 1000) >= 1);
		for (uint16_t id = 0; id < 4; id++) {
			reply_query q = client_query("r.example.", OWNDNS_TYPE_A);
			owndns_msg msg;
			owndns_rr_iter it;
			owndns_rr_view v;
			size_t len;
			q.id = id;
			assert_int_equal(forward_cache_answer(c, &q, 1232, 1000, 0, out, sizeof(out),
							      &len),
					 OWNDNS_OK);
			open_msg(&msg, out, len);
			owndns_rr_iter_init(&it, &msg, OWNDNS_SECTION_ANSWER);
			assert_int_equal(owndns_rr_iter_next(&it, &v), 1);
			int want = rotate ? id % 3 + 1 : 1;
			assert_int_equal(msg.pkt[v.rdata_pos + 3], want);
			assert_int_equal(msg.hdr.count[OWNDNS_SECTION_ANSWER], 3);
		}
		cache_free(c);
	}
}

/* A TXT record of TXT_STRINGS strings of 255 octets (5120 octets of RDATA: more than
 * the small scratch a record is read into) beside 40 A records (more than the records
 * kept on the stack): both go to the heap, and every RRset is stored whole. */
#define TXT_STRINGS 20
#define MANY_A 40

/* The cache's view of (name, type) at time 1. */
static const cache_view *view_of(cache *c, const char *name, uint16_t type)
{
	static uint8_t storage[CACHE_VIEW_STORAGE_MAX];
	static cache_view v;
	uint8_t wire[OWNDNS_NAME_MAX];
	wire_name(name, wire);
	cache_view_init(&v, storage, sizeof(storage));
	assert_int_equal(cache_lookup(c, wire, type, OWNDNS_CLASS_IN, 1, CACHE_LOOKUP_NO_CNAME, &v),
			 OWNDNS_OK);
	return &v;
}

static void big_and_many_store(void **state)
{
	static uint8_t buf[OWNDNS_MSG_MAX];
	static uint8_t txt[TXT_STRINGS * 256];
	uint8_t qname[OWNDNS_NAME_MAX], aname[OWNDNS_NAME_MAX], apex[OWNDNS_NAME_MAX];
	owndns_msg_writer w;
	owndns_header h = { 7, (uint16_t)(OWNDNS_FLAG_QR | OWNDNS_FLAG_RD | OWNDNS_FLAG_RA),
			    { 0 } };
	owndns_msg msg;
	size_t len;
	(void)state;
	wire_name("big.example.", qname);
	wire_name("ns.example.", aname);
	wire_name("example.", apex);
	for (size_t i = 0; i < TXT_STRINGS; i++) {
		txt[i * 256] = 255;
		memset(txt + i * 256 + 1, 'a' + (int)i, 255);
	}
	assert_int_equal(owndns_writer_init(&w, buf, sizeof(buf), &h), 0);
	assert_int_equal(owndns_writer_question(&w, qname, OWNDNS_TYPE_TXT, OWNDNS_CLASS_IN), 0);
	owndns_rr rr = { qname, OWNDNS_TYPE_TXT, OWNDNS_CLASS_IN, 300, sizeof(txt), txt };
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ANSWER, &rr), 0);
	for (unsigned i = 0; i < MANY_A; i++) {
		uint8_t addr[4] = { 192, 0, 2, (uint8_t)i };
		owndns_rr a = { aname, OWNDNS_TYPE_A, OWNDNS_CLASS_IN, 300, 4, addr };
		assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ADDITIONAL, &a), 0);
	}
	assert_int_equal(owndns_writer_finish(&w, &len), 0);
	open_msg(&msg, buf, len);
	cache *c = new_cache();
	assert_int_equal(forward_store(c, qname, OWNDNS_TYPE_TXT, OWNDNS_CLASS_IN, apex, &msg, 0),
			 2);
	assert_true(held(c, "big.example.", OWNDNS_TYPE_TXT, 1));
	assert_true(held(c, "ns.example.", OWNDNS_TYPE_A, 1));
	assert_int_equal(view_of(c, "big.example.", OWNDNS_TYPE_TXT)->record_count, 1);
	assert_true(view_of(c, "big.example.", OWNDNS_TYPE_TXT)->records_len > sizeof(txt));
	assert_int_equal(view_of(c, "ns.example.", OWNDNS_TYPE_A)->record_count, MANY_A);
	cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(store_keeps_to_the_zone),
		cmocka_unit_test(rebuild_keeps_to_the_zone),
		cmocka_unit_test(pipeline_scrubs_forged_data),
		cmocka_unit_test(truncated_answer_is_a_failure),
		cmocka_unit_test(meta_qtypes_answered_locally),
		cmocka_unit_test(authority_rank_does_not_answer),
		cmocka_unit_test(store_reads_every_record),
		cmocka_unit_test(rebuild_soa_minimum_top_bit),
		cmocka_unit_test(dname_answered_from_cache),
		cmocka_unit_test(chain_next_finds_unresolved_targets),
		cmocka_unit_test(rebuild_chain_from_pieces),
		cmocka_unit_test(cache_answer_rotates_when_configured),
		cmocka_unit_test(big_and_many_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
