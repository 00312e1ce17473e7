/* server_answer (server/query.c) and the lookup (server/auth/answer.c) over the zones of
 * tests/data/auth: queries built with the owndns writer, responses read with the
 * reader, one test per rule.  tests/integration/test_auth_vs_nsd.py checks the same
 * zones against NSD. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <owndns/edns.h>
#include <owndns/message.h>
#include <owndns/name.h>
#include <owndns/rdata.h>

#include "auth/answer.h"
#include "auth/zone_set.h"
#include "query.h"

#define AUTH_DIR OWNDNS_TEST_DATA "/auth/"

typedef struct fixture {
	zone_set *zones;
	server_view view;
} fixture;

static void report(void *arg, const char *file, unsigned line, const char *message)
{
	(void)arg;
	fprintf(stderr, "%s:%u: %s\n", file, line, message);
}

static int setup(void **state)
{
	static fixture f;
	f.zones = zone_set_new();
	if (!f.zones)
		return -1;
	if (zone_set_load(f.zones, "example.com", AUTH_DIR "example.com.zone", report, NULL) ||
	    zone_set_load(f.zones, "example.net.", AUTH_DIR "example.net.zone", report, NULL) ||
	    zone_set_load(f.zones, "served.example.com", AUTH_DIR "served.example.com.zone",
			  report, NULL))
		return -1;
	f.view.zones = f.zones;
	f.view.recursion = false;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	zone_set_free(f->zones);
	return 0;
}

/* ---- Queries and responses ------------------------------------------------------------ */

typedef struct query_opts {
	uint16_t flags;     /* besides the opcode */
	bool edns;
	uint16_t udp_size;
	uint8_t version;
	bool dnssec_ok;
	bool tcp;
} query_opts;

static size_t build_query(const char *name, uint16_t qtype, uint16_t qclass,
			  const query_opts *o, uint8_t *buf, size_t cap)
{
	owndns_msg_writer w;
	owndns_header h = { 0x4242, o ? o->flags : OWNDNS_FLAG_RD, { 0 } };
	uint8_t qname[OWNDNS_NAME_MAX];
	size_t qlen, len;

	assert_int_equal(owndns_name_from_text(name, strlen(name), NULL, qname, &qlen), 0);
	assert_int_equal(owndns_writer_init(&w, buf, cap, &h), 0);
	assert_int_equal(owndns_writer_question(&w, qname, qtype, qclass), 0);
	if (o && o->edns) {
		owndns_edns_builder b;
		owndns_edns_builder_init(&b, NULL, 0, o->udp_size);
		b.version = o->version;
		b.dnssec_ok = o->dnssec_ok;
		assert_int_equal(owndns_writer_edns(&w, &b), 0);
	}
	assert_int_equal(owndns_writer_finish(&w, &len), 0);
	return len;
}

typedef struct response {
	uint8_t wire[OWNDNS_MSG_MAX];
	size_t len;
	owndns_msg msg;
} response;

static size_t ask_raw(void **state, const uint8_t *q, size_t qlen, bool tcp, response *r)
{
	fixture *f = *state;
	server_request req = { q, qlen, tcp, NULL, 0 };
	r->len = server_answer(&f->view, &req, r->wire, sizeof(r->wire));
	if (r->len)
		assert_int_equal(owndns_msg_open(&r->msg, r->wire, r->len), 0);
	return r->len;
}

static void ask(void **state, const char *name, uint16_t qtype, const query_opts *o,
		response *r)
{
	uint8_t q[512];
	size_t len = build_query(name, qtype, OWNDNS_CLASS_IN, o, q, sizeof(q));
	assert_true(ask_raw(state, q, len, o && o->tcp, r) > 0);
}

static unsigned rcode_of(const response *r)
{
	return owndns_msg_rcode(&r->msg);
}

static bool flag(const response *r, unsigned f)
{
	return owndns_header_flag(&r->msg.hdr, f);
}

static unsigned count(const response *r, owndns_section s)
{
	return r->msg.hdr.count[s];
}

/* The n-th record of a section, as text the way dig prints it (tabs to spaces). */
static void record_text(const response *r, owndns_section s, unsigned n, char *out, size_t size)
{
	owndns_rr_iter it;
	owndns_rr_view v;
	uint8_t storage[OWNDNS_NAME_MAX + OWNDNS_RDATA_MAX];
	owndns_rr rr;

	owndns_rr_iter_init(&it, &r->msg, s);
	for (unsigned i = 0; i <= n; i++)
		assert_int_equal(owndns_rr_iter_next(&it, &v), 1);
	assert_int_equal(owndns_rr_view_to_rr(&r->msg, &v, storage, sizeof(storage), &rr), 0);
	assert_true(owndns_rr_to_text(&rr, out, size) > 0);
	for (char *p = out; *p; p++)
		if (*p == '\t')
			*p = ' ';
	/* Collapse the alignment blanks to one. */
	char *dst = out;
	for (char *p = out; *p; p++)
		if (!(*p == ' ' && dst > out && dst[-1] == ' '))
			*dst++ = *p;
	*dst = '\0';
}

static void assert_record(const response *r, owndns_section s, unsigned n, const char *want)
{
	char text[2048];
	record_text(r, s, n, text, sizeof(text));
	assert_string_equal(text, want);
}

/* ---- Validation ----------------------------------------------------------------------- */

static void test_drops_short_packets_and_responses(void **state)
{
	uint8_t q[512];
	response r;
	size_t len = build_query("example.com", OWNDNS_TYPE_A, OWNDNS_CLASS_IN, NULL, q, sizeof(q));
	assert_int_equal(ask_raw(state, q, 11, false, &r), 0);
	assert_int_equal(ask_raw(state, q, 0, false, &r), 0);
	q[2] |= 0x80; /* QR */
	assert_int_equal(ask_raw(state, q, len, false, &r), 0);
}

static void test_formerr_is_header_only(void **state)
{
	uint8_t q[512];
	response r;
	size_t len = build_query("example.com", OWNDNS_TYPE_A, OWNDNS_CLASS_IN, NULL, q, sizeof(q));

	/* Question cut short: FORMERR, ID and RD echoed, nothing else. */
	assert_int_equal(ask_raw(state, q, len - 2, false, &r), 12);
	static const uint8_t cut[12] = { 0x42, 0x42, 0x81, 0x01, 0, 0, 0, 0, 0, 0, 0, 0 };
	assert_memory_equal(r.wire, cut, 12);

	/* QDCOUNT 2: FORMERR and, like NSD, no flag echoed. */
	q[5] = 2;
	assert_int_equal(ask_raw(state, q, len, false, &r), 12);
	static const uint8_t two[12] = { 0x42, 0x42, 0x80, 0x01, 0, 0, 0, 0, 0, 0, 0, 0 };
	assert_memory_equal(r.wire, two, 12);
	q[5] = 1;

	/* A record in the answer section of a query. */
	uint8_t with_rr[600];
	static const uint8_t a_rr[] = { 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4 };
	memcpy(with_rr, q, len);
	memcpy(with_rr + len, a_rr, sizeof(a_rr));
	with_rr[7] = 1;
	assert_int_equal(ask_raw(state, with_rr, len + sizeof(a_rr), false, &r), 12);
	assert_int_equal(owndns_header_rcode(&r.msg.hdr), OWNDNS_RCODE_FORMERR);
	/* The same record in the additional section: still FORMERR. */
	with_rr[7] = 0;
	with_rr[11] = 1;
	assert_int_equal(ask_raw(state, with_rr, len + sizeof(a_rr), false, &r), 12);
	assert_int_equal(owndns_header_rcode(&r.msg.hdr), OWNDNS_RCODE_FORMERR);

	/* An rcode in a query (NSD: FORMERR). */
	q[3] |= 0x05;
	assert_int_equal(ask_raw(state, q, len, false, &r), 12);
	assert_int_equal(owndns_header_rcode(&r.msg.hdr), OWNDNS_RCODE_FORMERR);
}

static void test_opcodes(void **state)
{
	uint8_t q[512];
	response r;
	size_t len = build_query("example.com", OWNDNS_TYPE_SOA, OWNDNS_CLASS_IN, NULL, q, sizeof(q));
	static const struct { unsigned opcode, rcode; } cases[] = {
		{ OWNDNS_OPCODE_IQUERY, OWNDNS_RCODE_NOTIMP },
		{ OWNDNS_OPCODE_STATUS, OWNDNS_RCODE_NOTIMP },
		{ OWNDNS_OPCODE_NOTIFY, OWNDNS_RCODE_REFUSED },
		{ OWNDNS_OPCODE_UPDATE, OWNDNS_RCODE_NOTIMP },
		{ 15, OWNDNS_RCODE_NOTIMP },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		q[2] = (uint8_t)((cases[i].opcode << 3) | 0x01);
		assert_int_equal(ask_raw(state, q, len, false, &r), 12);
		assert_int_equal(owndns_header_opcode(&r.msg.hdr), cases[i].opcode);
		assert_int_equal(owndns_header_rcode(&r.msg.hdr), cases[i].rcode);
		assert_true(flag(&r, OWNDNS_FLAG_RD));
	}
}

static void test_edns_badvers_and_malformed_opt(void **state)
{
	response r;
	query_opts v1 = { OWNDNS_FLAG_RD, true, 4096, 1, true, false };
	owndns_edns e;

	ask(state, "www.example.com", OWNDNS_TYPE_A, &v1, &r);
	assert_int_equal(rcode_of(&r), OWNDNS_RCODE_BADVERS);
	assert_int_equal(owndns_header_rcode(&r.msg.hdr), 0);
	assert_int_equal(count(&r, OWNDNS_SECTION_QUESTION), 1);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 0);
	assert_false(flag(&r, OWNDNS_FLAG_AA));
	assert_int_equal(owndns_edns_from_msg(&r.msg, &e), 0);
	assert_int_equal(e.version, 0);
	assert_int_equal(e.udp_size, 1232);
	assert_false(e.dnssec_ok);

	/* An option running past the OPT RDATA: FORMERR, the header and an OPT of our own
	 * (RFC 6891 §7: "the response MUST include an OPT record"). */
	uint8_t q[512];
	query_opts v0 = { 0, true, 1232, 0, false, false };
	size_t len = build_query("www.example.com", OWNDNS_TYPE_A, OWNDNS_CLASS_IN, &v0, q, sizeof(q));
	static const uint8_t bad_option[] = { 0, 10, 0, 9 };
	q[len - 1] = sizeof(bad_option);
	memcpy(q + len, bad_option, sizeof(bad_option));
	assert_int_equal(ask_raw(state, q, len + sizeof(bad_option), false, &r),
			 12 + OWNDNS_OPT_FIXED_SIZE);
	assert_int_equal(owndns_header_rcode(&r.msg.hdr), OWNDNS_RCODE_FORMERR);
	assert_int_equal(count(&r, OWNDNS_SECTION_QUESTION), 0);
	assert_int_equal(owndns_edns_from_msg(&r.msg, &e), 0);
	assert_int_equal(e.version, 0);
	assert_int_equal(e.udp_size, 1232);
	assert_int_equal(e.options_len, 0);
}

static void test_edns_echo_and_size(void **state)
{
	response r;
	query_opts o = { OWNDNS_FLAG_RD | OWNDNS_FLAG_CD, true, 4096, 0, true, false };
	owndns_edns e;

	ask(state, "host.example.com", OWNDNS_TYPE_A, &o, &r);
	assert_int_equal(r.msg.hdr.id, 0x4242);
	assert_true(flag(&r, OWNDNS_FLAG_QR));
	assert_true(flag(&r, OWNDNS_FLAG_RD));
	assert_true(flag(&r, OWNDNS_FLAG_CD));
	assert_false(flag(&r, OWNDNS_FLAG_RA));
	assert_false(flag(&r, OWNDNS_FLAG_AD));
	assert_int_equal(owndns_edns_from_msg(&r.msg, &e), 0);
	assert_int_equal(e.udp_size, 1232);
	assert_true(e.dnssec_ok);

	/* No OPT in the query: none in the response. */
	ask(state, "host.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_int_equal(owndns_edns_from_msg(&r.msg, &e), OWNDNS_ENOTFOUND);
	assert_false(flag(&r, OWNDNS_FLAG_CD));
}

static void test_question_case_is_kept(void **state)
{
	response r;
	uint8_t qname[OWNDNS_NAME_MAX];
	size_t len;
	ask(state, "wWw.ExAmPlE.cOm", OWNDNS_TYPE_A, NULL, &r);
	assert_int_equal(owndns_msg_question(&r.msg, 0, qname, &len, NULL, NULL), 0);
	assert_memory_equal(qname, "\3wWw\7ExAmPlE\3cOm", 17);
	assert_int_equal(rcode_of(&r), OWNDNS_RCODE_NOERROR);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 2);
}

static void test_class_and_transfers(void **state)
{
	uint8_t q[512];
	response r;
	size_t len = build_query("example.com", OWNDNS_TYPE_A, OWNDNS_CLASS_CH, NULL, q, sizeof(q));
	assert_true(ask_raw(state, q, len, false, &r) > 12);
	assert_int_equal(rcode_of(&r), OWNDNS_RCODE_REFUSED);
	assert_int_equal(count(&r, OWNDNS_SECTION_QUESTION), 1);

	len = build_query("example.com", OWNDNS_TYPE_AXFR, OWNDNS_CLASS_IN, NULL, q, sizeof(q));
	ask_raw(state, q, len, false, &r);
	assert_int_equal(rcode_of(&r), OWNDNS_RCODE_NOTIMP);
	ask_raw(state, q, len, true, &r);
	assert_int_equal(rcode_of(&r), OWNDNS_RCODE_REFUSED);
	len = build_query("example.com", OWNDNS_TYPE_IXFR, OWNDNS_CLASS_IN, NULL, q, sizeof(q));
	ask_raw(state, q, len, false, &r);
	assert_int_equal(rcode_of(&r), OWNDNS_RCODE_REFUSED);
}

/* ---- Lookup ----------------------------------------------------------------------------- */

static void test_refused_outside_our_zones(void **state)
{
	response r;
	query_opts o = { 0, true, 1232, 0, false, false };
	owndns_edns e;
	owndns_edns_option opt;

	ask(state, "www.example.org", OWNDNS_TYPE_A, &o, &r);
	assert_int_equal(rcode_of(&r), OWNDNS_RCODE_REFUSED);
	assert_false(flag(&r, OWNDNS_FLAG_AA));
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 0);
	assert_int_equal(owndns_edns_from_msg(&r.msg, &e), 0);
	assert_int_equal(owndns_edns_find_option(&e, OWNDNS_EDNS_EDE, &opt), 0);
	assert_int_equal(opt.len, 2);
	assert_int_equal(opt.data[1], 20);
}

static void test_exact_answer_with_authority_and_additional(void **state)
{
	response r;
	ask(state, "example.com", OWNDNS_TYPE_MX, NULL, &r);
	assert_true(flag(&r, OWNDNS_FLAG_AA));
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 3);
	assert_record(&r, OWNDNS_SECTION_ANSWER, 0, "example.com. 3600 IN MX 10 mail.example.com.");
	assert_int_equal(count(&r, OWNDNS_SECTION_AUTHORITY), 2);
	/* mail, ns1, ns2 A first, then mail and ns2 AAAA; mail.example.net (another zone)
	 * and mx.external.test are not added. */
	assert_int_equal(count(&r, OWNDNS_SECTION_ADDITIONAL), 5);
	assert_record(&r, OWNDNS_SECTION_ADDITIONAL, 0, "mail.example.com. 3600 IN A 192.0.2.25");
	assert_record(&r, OWNDNS_SECTION_ADDITIONAL, 3, "mail.example.com. 3600 IN AAAA 2001:db8::25");

	/* The apex NS RRset answers an NS question and is not repeated in authority. */
	ask(state, "example.com", OWNDNS_TYPE_NS, NULL, &r);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 2);
	assert_int_equal(count(&r, OWNDNS_SECTION_AUTHORITY), 0);
	assert_int_equal(count(&r, OWNDNS_SECTION_ADDITIONAL), 3);

	/* SRV targets get their addresses too. */
	ask(state, "_sip._tcp.example.com", OWNDNS_TYPE_SRV, NULL, &r);
	assert_record(&r, OWNDNS_SECTION_ADDITIONAL, 0, "sipserver.example.com. 3600 IN A 192.0.2.60");
}

static void test_cname_chains_and_loops(void **state)
{
	response r;
	ask(state, "c1.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 4);
	assert_record(&r, OWNDNS_SECTION_ANSWER, 3, "host.example.com. 300 IN A 192.0.2.80");

	/* A loop ends when a CNAME would come twice. */
	ask(state, "loop1.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_int_equal(rcode_of(&r), OWNDNS_RCODE_NOERROR);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 2);
	ask(state, "self.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 1);

	/* Across zones: the authority is the last zone's. */
	ask(state, "xzone.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 2);
	assert_record(&r, OWNDNS_SECTION_AUTHORITY, 0, "example.net. 7200 IN NS ns1.example.com.");

	/* Out of our zones: the chain stops, still authoritative. */
	ask(state, "ext.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_true(flag(&r, OWNDNS_FLAG_AA));
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 1);
	assert_int_equal(count(&r, OWNDNS_SECTION_AUTHORITY), 0);

	/* To a missing name: NXDOMAIN (RFC 6604) with the target zone's SOA. */
	ask(state, "xnx.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_int_equal(rcode_of(&r), OWNDNS_RCODE_NXDOMAIN);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 1);
	assert_record(&r, OWNDNS_SECTION_AUTHORITY, 0,
		      "example.net. 3600 IN SOA ns1.example.com. hostmaster.example.com. 7 3600 "
		      "600 86400 3600");

	/* Asking for the CNAME itself. */
	ask(state, "www.example.com", OWNDNS_TYPE_CNAME, NULL, &r);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 1);
}

static void test_dname(void **state)
{
	response r;
	ask(state, "www.dname.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 3);
	assert_record(&r, OWNDNS_SECTION_ANSWER, 0, "dname.example.com. 3600 IN DNAME example.net.");
	assert_record(&r, OWNDNS_SECTION_ANSWER, 1,
		      "www.dname.example.com. 3600 IN CNAME www.example.net.");
	assert_record(&r, OWNDNS_SECTION_ANSWER, 2, "www.example.net. 7200 IN A 198.51.100.80");

	/* The DNAME's own name is not redirected. */
	ask(state, "dname.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 0);
	assert_int_equal(count(&r, OWNDNS_SECTION_AUTHORITY), 1);

	/* Too long a result: YXDOMAIN with the DNAME only. */
	ask(state, "xxxxxxxxxxxx.toolong.example.net", OWNDNS_TYPE_A, NULL, &r);
	assert_int_equal(rcode_of(&r), OWNDNS_RCODE_YXDOMAIN);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 1);

	/* A DNAME pointing at itself stops at the second use. */
	ask(state, "a.dloop.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 2);
}

static void test_wildcards(void **state)
{
	response r;
	ask(state, "Foo.wild.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_true(flag(&r, OWNDNS_FLAG_AA));
	assert_record(&r, OWNDNS_SECTION_ANSWER, 0, "Foo.wild.example.com. 3600 IN A 192.0.2.100");

	/* An empty non-terminal blocks the wildcard: NODATA. */
	ask(state, "y.wild.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_int_equal(rcode_of(&r), OWNDNS_RCODE_NOERROR);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 0);
	/* Below it and below an existing name: no wildcard of their own, NXDOMAIN. */
	ask(state, "z.y.wild.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_int_equal(rcode_of(&r), OWNDNS_RCODE_NXDOMAIN);
	ask(state, "q.a.wild.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_int_equal(rcode_of(&r), OWNDNS_RCODE_NXDOMAIN);
	/* Wildcard NODATA. */
	ask(state, "foo.wild.example.com", OWNDNS_TYPE_MX, NULL, &r);
	assert_int_equal(rcode_of(&r), OWNDNS_RCODE_NOERROR);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 0);
	/* A wildcard CNAME is synthesized and followed. */
	ask(state, "bar.wc.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 2);
	assert_record(&r, OWNDNS_SECTION_ANSWER, 0, "bar.wc.example.com. 3600 IN CNAME host.example.com.");
}

static void test_negative_soa_ttl(void **state)
{
	response r;
	/* SOA TTL 3600, MINIMUM 300: 300. */
	ask(state, "host.example.com", OWNDNS_TYPE_MX, NULL, &r);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 0);
	assert_record(&r, OWNDNS_SECTION_AUTHORITY, 0,
		      "example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 "
		      "7200 900 1209600 300");
	/* SOA TTL 7200, MINIMUM 3600: 3600. */
	ask(state, "nothere.example.net", OWNDNS_TYPE_A, NULL, &r);
	assert_int_equal(rcode_of(&r), OWNDNS_RCODE_NXDOMAIN);
	assert_true(flag(&r, OWNDNS_FLAG_AA));
	assert_record(&r, OWNDNS_SECTION_AUTHORITY, 0,
		      "example.net. 3600 IN SOA ns1.example.com. hostmaster.example.com. 7 3600 "
		      "600 86400 3600");
}

static void test_referrals_and_ds(void **state)
{
	response r;
	ask(state, "www.sub.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_int_equal(rcode_of(&r), OWNDNS_RCODE_NOERROR);
	assert_false(flag(&r, OWNDNS_FLAG_AA));
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 0);
	assert_int_equal(count(&r, OWNDNS_SECTION_AUTHORITY), 2);
	assert_int_equal(count(&r, OWNDNS_SECTION_ADDITIONAL), 2);
	assert_record(&r, OWNDNS_SECTION_ADDITIONAL, 0, "ns.sub.example.com. 3600 IN A 192.0.2.201");

	/* NS at the cut: a referral too; glue names are below the cut: referral. */
	ask(state, "sub.example.com", OWNDNS_TYPE_NS, NULL, &r);
	assert_false(flag(&r, OWNDNS_FLAG_AA));
	assert_int_equal(count(&r, OWNDNS_SECTION_AUTHORITY), 2);
	ask(state, "ns.sub.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_false(flag(&r, OWNDNS_FLAG_AA));
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 0);

	/* DS at the cut is the parent's, answered with AA. */
	ask(state, "sub.example.com", OWNDNS_TYPE_DS, NULL, &r);
	assert_true(flag(&r, OWNDNS_FLAG_AA));
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 1);
	assert_int_equal(count(&r, OWNDNS_SECTION_AUTHORITY), 0);

	/* A served child zone: its data; its DS from the parent zone (NODATA there). */
	ask(state, "www.served.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_true(flag(&r, OWNDNS_FLAG_AA));
	assert_record(&r, OWNDNS_SECTION_ANSWER, 0, "www.served.example.com. 600 IN A 192.0.2.150");
	ask(state, "served.example.com", OWNDNS_TYPE_DS, NULL, &r);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 0);
	assert_record(&r, OWNDNS_SECTION_AUTHORITY, 0,
		      "example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 "
		      "7200 900 1209600 300");

	/* Without glue, and deep below the cut. */
	ask(state, "a.b.nogl.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_int_equal(count(&r, OWNDNS_SECTION_AUTHORITY), 2);
	assert_int_equal(count(&r, OWNDNS_SECTION_ADDITIONAL), 0);
	ask(state, "x.deep.a.b.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_record(&r, OWNDNS_SECTION_AUTHORITY, 0,
		      "deep.a.b.example.com. 3600 IN NS ns.deep.a.b.example.com.");
	assert_int_equal(count(&r, OWNDNS_SECTION_ADDITIONAL), 1);
}

static void test_any_is_one_rrset(void **state)
{
	response r;
	ask(state, "example.com", OWNDNS_TYPE_ANY, NULL, &r);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 1);
	assert_record(&r, OWNDNS_SECTION_ANSWER, 0,
		      "example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. "
		      "2024010101 7200 900 1209600 300");
	/* The first RRset of the file. */
	ask(state, "anyorder.example.com", OWNDNS_TYPE_ANY, NULL, &r);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 1);
	assert_record(&r, OWNDNS_SECTION_ANSWER, 0,
		      "anyorder.example.com. 3600 IN TXT \"first in the file\"");
}

/* ---- Sizes ------------------------------------------------------------------------------- */

static void test_truncation(void **state)
{
	response r;
	owndns_edns e;

	/* 512 without EDNS: TC, question only. */
	ask(state, "big.example.com", OWNDNS_TYPE_TXT, NULL, &r);
	assert_true(flag(&r, OWNDNS_FLAG_TC));
	assert_true(flag(&r, OWNDNS_FLAG_AA));
	assert_int_equal(count(&r, OWNDNS_SECTION_QUESTION), 1);
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 0);
	assert_int_equal(r.len, 12 + 17 + 4);

	/* EDNS 4096 is capped at our 1232: still TC, with the OPT. */
	query_opts big = { 0, true, 4096, 0, false, false };
	ask(state, "big.example.com", OWNDNS_TYPE_TXT, &big, &r);
	assert_true(flag(&r, OWNDNS_FLAG_TC));
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 0);
	assert_int_equal(owndns_edns_from_msg(&r.msg, &e), 0);

	/* 1232 is enough for the middle one. */
	ask(state, "middle.example.com", OWNDNS_TYPE_TXT, &big, &r);
	assert_false(flag(&r, OWNDNS_FLAG_TC));
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 8);
	assert_true(r.len <= 1232);

	/* TCP: everything. */
	query_opts tcp = { 0, false, 0, 0, false, true };
	ask(state, "big.example.com", OWNDNS_TYPE_TXT, &tcp, &r);
	assert_false(flag(&r, OWNDNS_FLAG_TC));
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 18);
	assert_true(r.len > 1232);
}

static void test_additional_dropped_without_tc(void **state)
{
	response r;
	ask(state, "manymx.example.com", OWNDNS_TYPE_MX, NULL, &r);
	assert_false(flag(&r, OWNDNS_FLAG_TC));
	assert_int_equal(count(&r, OWNDNS_SECTION_ANSWER), 3);
	assert_true(count(&r, OWNDNS_SECTION_ADDITIONAL) > 0);
	assert_true(r.len <= 512);
	query_opts tcp = { 0, false, 0, 0, false, true };
	ask(state, "manymx.example.com", OWNDNS_TYPE_MX, &tcp, &r);
	/* 22 addresses of m1..m3, then ns1 A, ns2 A and AAAA. */
	assert_int_equal(count(&r, OWNDNS_SECTION_ADDITIONAL), 25);
}

static void test_referral_without_room_for_glue(void **state)
{
	response r;
	ask(state, "www.fat.example.com", OWNDNS_TYPE_A, NULL, &r);
	assert_true(flag(&r, OWNDNS_FLAG_TC));
	assert_int_equal(count(&r, OWNDNS_SECTION_AUTHORITY), 6);
	assert_int_equal(count(&r, OWNDNS_SECTION_ADDITIONAL), 0);
	query_opts o = { 0, true, 1232, 0, false, false };
	ask(state, "www.fat.example.com", OWNDNS_TYPE_A, &o, &r);
	assert_false(flag(&r, OWNDNS_FLAG_TC));
	assert_int_equal(count(&r, OWNDNS_SECTION_ADDITIONAL), 13);
}

static void test_zone_set(void **state)
{
	fixture *f = *state;
	uint8_t name[OWNDNS_NAME_MAX];
	size_t len;
	assert_int_equal(zone_set_count(f->zones), 3);
	assert_int_equal(owndns_name_from_text("a.www.SERVED.example.com", 24, NULL, name, &len), 0);
	assert_ptr_equal(zone_set_find(f->zones, name), zone_set_zone(f->zones, 2));
	assert_int_equal(owndns_name_from_text("example.org", 11, NULL, name, &len), 0);
	assert_null(zone_set_find(f->zones, name));
	/* The same origin twice is refused; a missing file fails. */
	assert_int_equal(zone_set_load(f->zones, "example.com.", AUTH_DIR "example.com.zone",
				       NULL, NULL), OWNDNS_ESTATE);
	zone_set *other = zone_set_new();
	assert_non_null(other);
	assert_true(zone_set_load(other, "example.org", AUTH_DIR "missing.zone", NULL, NULL) < 0);
	assert_int_equal(zone_set_keep(other, f->zones, "example.net"), 0);
	assert_int_equal(zone_set_keep(other, f->zones, "example.org"), OWNDNS_ENOTFOUND);
	assert_int_equal(zone_set_count(other), 1);
	zone_set_free(other);
	/* The shared zone is still there for the first set. */
	assert_int_equal(owndns_name_from_text("www.example.net", 15, NULL, name, &len), 0);
	assert_non_null(zone_set_find(f->zones, name));
}

/* ---- The plan ------------------------------------------------------------------------ */

/* The plan as text: rcode, AA, then per entry its section, owner, type, RRset, target,
 * TTL and flags. */
static void plan_text(const answer_plan *plan, char *out, size_t cap)
{
	size_t len = (size_t)snprintf(out, cap, "rcode %u aa %d\n", plan->rcode,
				      plan->authoritative);
	for (int p = 0; p < ANSWER_PART_COUNT; p++)
		for (unsigned i = 0; i < plan->count[p]; i++) {
			const answer_entry *e = &plan->part[p][i];
			char owner[OWNDNS_NAME_TEXT_MAX], target[OWNDNS_NAME_TEXT_MAX] = "-";
			assert_true(owndns_name_to_text(e->owner, owner, sizeof(owner)) > 0);
			if (e->target)
				assert_true(owndns_name_to_text(e->target, target, sizeof(target)) > 0);
			assert_true(len < cap);
			len += (size_t)snprintf(out + len, cap - len, "%d %s %u %p %s %u %d %d\n", p,
						owner, e->type, (const void *)e->rrset, target,
						e->ttl, e->negative_soa, e->required);
		}
	assert_true(len < cap);
}

/* A plan is a large stack object that answer_lookup only partly resets: a plan left
 * dirty by a former lookup (or never cleared) must give the same answer as a clean one. */
static void test_plan_reuse(void **state)
{
	static const struct {
		const char *name;
		uint16_t qtype;
	} questions[] = {
		{ "www.dname.example.com", OWNDNS_TYPE_A },   /* DNAME: synthesized names */
		{ "host.example.com", OWNDNS_TYPE_A },
		{ "c1.example.com", OWNDNS_TYPE_A },
		{ "www.sub.example.com", OWNDNS_TYPE_A },     /* referral: not authoritative */
		{ "nothere.example.com", OWNDNS_TYPE_A },
		{ "x.dtoo.example.com", OWNDNS_TYPE_A },      /* YXDOMAIN */
		{ "www.example.org", OWNDNS_TYPE_A },         /* REFUSED */
		{ "a.dloop.example.com", OWNDNS_TYPE_A },
		{ "foo.wild.example.com", OWNDNS_TYPE_A },
	};
	fixture *f = *state;
	static answer_plan clean, dirty;
	static char want[16384], got[16384];

	memset(&dirty, 0xa5, sizeof(dirty));
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < sizeof(questions) / sizeof(questions[0]); i++) {
			uint8_t qname[OWNDNS_NAME_MAX];
			size_t len;
			const char *name = questions[i].name;
			assert_int_equal(owndns_name_from_text(name, strlen(name), NULL, qname,
							       &len),
					 0);
			memset(&clean, 0, sizeof(clean));
			answer_lookup(f->zones, qname, questions[i].qtype, &clean);
			answer_lookup(f->zones, qname, questions[i].qtype, &dirty);
			plan_text(&clean, want, sizeof(want));
			plan_text(&dirty, got, sizeof(got));
			assert_string_equal(got, want);
		}
	/* The DNAME question synthesizes names into the plan itself. */
	uint8_t qname[OWNDNS_NAME_MAX];
	size_t len;
	assert_int_equal(owndns_name_from_text("www.dname.example.com", 21, NULL, qname, &len), 0);
	answer_lookup(f->zones, qname, OWNDNS_TYPE_A, &dirty);
	assert_int_equal(dirty.name_count, 1);
	assert_true(dirty.authoritative);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drops_short_packets_and_responses),
		cmocka_unit_test(test_formerr_is_header_only),
		cmocka_unit_test(test_opcodes),
		cmocka_unit_test(test_edns_badvers_and_malformed_opt),
		cmocka_unit_test(test_edns_echo_and_size),
		cmocka_unit_test(test_question_case_is_kept),
		cmocka_unit_test(test_class_and_transfers),
		cmocka_unit_test(test_refused_outside_our_zones),
		cmocka_unit_test(test_exact_answer_with_authority_and_additional),
		cmocka_unit_test(test_cname_chains_and_loops),
		cmocka_unit_test(test_dname),
		cmocka_unit_test(test_wildcards),
		cmocka_unit_test(test_negative_soa_ttl),
		cmocka_unit_test(test_referrals_and_ds),
		cmocka_unit_test(test_any_is_one_rrset),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_additional_dropped_without_tc),
		cmocka_unit_test(test_referral_without_room_for_glue),
		cmocka_unit_test(test_zone_set),
		cmocka_unit_test(test_plan_reuse),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
