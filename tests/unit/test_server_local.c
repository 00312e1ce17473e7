/* Local names (server/local/): hosts files, local-data, built-in zones, the answering
 * rules and the written answer.  The expectations marked "Unbound" were checked by hand
 * against Unbound 1.17.1 configured with the same local-data (see the report in
 * tests/integration/test_local_vs_unbound.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <owndns/message.h>
#include <owndns/name.h>
#include <owndns/rdata.h>

#include "local/local_data.h"
#include "local/local_internal.h"

#define HOSTS_DIR OWNDNS_TEST_DATA "/hosts/"

/* ---- Helpers ------------------------------------------------------------------------ */

typedef struct reports {
	char text[4096];
	size_t len;
	unsigned count;
} reports;

static void collect(void *arg, const char *file, unsigned line, const char *message)
{
	reports *r = arg;
	int n;
	if (line)
		n = snprintf(r->text + r->len, sizeof(r->text) - r->len, "%s:%u: %s\n", file,
			     line, message);
	else
		n = snprintf(r->text + r->len, sizeof(r->text) - r->len, "%s: %s\n", file,
			     message);
	if (n > 0 && (size_t)n < sizeof(r->text) - r->len)
		r->len += (size_t)n;
	r->count++;
}

static const char *status_name(local_status s)
{
	switch (s) {
	case LOCAL_NOT_LOCAL:
		return "NOT_LOCAL";
	case LOCAL_ANSWER:
		return "ANSWER";
	case LOCAL_NODATA:
		return "NODATA";
	case LOCAL_NXDOMAIN:
		return "NXDOMAIN";
	}
	return "?";
}

static void append_rrset(char *out, size_t cap, const char *section, const uint8_t *owner,
			 const zone_rrset *s, bool negative)
{
	for (const zone_rdata *d = s->rdata; d; d = d->next) {
		char name[OWNDNS_NAME_TEXT_MAX], type[OWNDNS_TYPE_TEXT_MAX], rdata[1024];
		assert_true(owndns_name_to_text(owner, name, sizeof(name)) > 0);
		assert_true(owndns_type_to_text(s->type, type, sizeof(type)) > 0);
		assert_true(owndns_rdata_to_text(s->type, d->data, d->len, rdata, sizeof(rdata)) >= 0);
		size_t len = strlen(out);
		snprintf(out + len, cap - len, "%s %s %u %s %s%s\n", section, name, s->ttl, type,
			 rdata, negative ? " (negative)" : "");
	}
}

/* The result as text: "STATUS\n" then one line per record. */
static const char *render(const local_result *res, char *out, size_t cap)
{
	snprintf(out, cap, "%s\n", status_name(res->status));
	for (unsigned i = 0; i < res->answer_count; i++)
		append_rrset(out, cap, "AN", res->answer[i].owner, res->answer[i].rrset, false);
	if (res->soa)
		append_rrset(out, cap, "NS", res->soa_owner, res->soa, true);
	if (res->chain_target) {
		char name[OWNDNS_NAME_TEXT_MAX];
		assert_true(owndns_name_to_text(res->chain_target, name, sizeof(name)) > 0);
		size_t len = strlen(out);
		snprintf(out + len, cap - len, "CHAIN %s\n", name);
	}
	return out;
}

typedef struct query_buf {
	uint8_t qname[OWNDNS_NAME_MAX];
	char text[4096];
	local_result res;
} query_buf;

static const char *ask(const local_data *ld, const char *name, uint16_t qtype, query_buf *q)
{
	size_t len;
	assert_int_equal(owndns_name_from_text(name, strlen(name), NULL, q->qname, &len), 0);
	local_status s = local_lookup(ld, q->qname, qtype, &q->res);
	assert_int_equal(s, q->res.status);
	return render(&q->res, q->text, sizeof(q->text));
}

#define ASSERT_ASK(ld, name, type, expected)                                         \
	do {                                                                         \
		query_buf q_;                                                        \
		assert_string_equal(ask((ld), (name), (type), &q_), (expected));     \
	} while (0)

static const char *const builtin_soa_line =
	"localhost. nobody.invalid. 1 3600 1200 604800 10800 (negative)\n";

/* A finished local_data from local-data values (NULL ends) and hosts text. */
static local_data *build(const char *const *values, const char *hosts, bool builtin)
{
	local_data *ld = local_data_new();
	assert_non_null(ld);
	local_data_set_builtin(ld, builtin);
	for (size_t i = 0; values && values[i]; i++)
		assert_int_equal(local_data_add_text(ld, values[i], "test", NULL, NULL), 0);
	if (hosts)
		assert_int_equal(local_data_add_hosts_text(ld, "hosts", hosts, strlen(hosts), 0,
							   NULL, NULL, NULL),
				 0);
	assert_int_equal(local_data_finish(ld), 0);
	return ld;
}

/* ---- Hosts files ------------------------------------------------------------------- */

static local_data *typical_hosts(void)
{
	local_data *ld = local_data_new();
	reports r = { .len = 0 };
	unsigned bad = 99;
	assert_non_null(ld);
	assert_int_equal(local_data_add_hosts_file(ld, HOSTS_DIR "typical.hosts", 0, collect, &r,
						   &bad),
			 0);
	assert_int_equal(bad, 0);
	assert_int_equal(r.count, 0);
	assert_int_equal(local_data_finish(ld), 0);
	return ld;
}

static void test_hosts_forward(void **state)
{
	(void)state;
	local_data *ld = typical_hosts();
	/* A relative name is taken from the root. */
	ASSERT_ASK(ld, "myhost.", OWNDNS_TYPE_A, "ANSWER\nAN myhost. 0 A 127.0.1.1\n");
	ASSERT_ASK(ld, "myhost.home.lan", OWNDNS_TYPE_A,
		   "ANSWER\nAN myhost.home.lan. 0 A 127.0.1.1\n");
	/* Names differing in case are one name; the answer keeps the case asked. */
	ASSERT_ASK(ld, "NaS.home.lan", OWNDNS_TYPE_A,
		   "ANSWER\nAN NaS.home.lan. 0 A 192.168.1.10\nAN NaS.home.lan. 0 A 192.168.1.11\n");
	/* Two lines, and a duplicate line in another case: two addresses. */
	ASSERT_ASK(ld, "multi.home.lan", OWNDNS_TYPE_A,
		   "ANSWER\nAN multi.home.lan. 0 A 10.0.0.5\nAN multi.home.lan. 0 A 10.0.0.6\n");
	ASSERT_ASK(ld, "printer.home.lan", OWNDNS_TYPE_AAAA,
		   "ANSWER\nAN printer.home.lan. 0 AAAA 2001:db8::20\n");
	ASSERT_ASK(ld, "printer", OWNDNS_TYPE_A, "ANSWER\nAN printer. 0 A 192.168.1.20\n");
	/* The scope of fe80::1%lo is dropped. */
	ASSERT_ASK(ld, "router-ll", OWNDNS_TYPE_AAAA, "ANSWER\nAN router-ll. 0 AAAA fe80::1\n");
	ASSERT_ASK(ld, "ip6-loopback", OWNDNS_TYPE_AAAA, "ANSWER\nAN ip6-loopback. 0 AAAA ::1\n");
	/* The hosts file's localhost replaces the built-in A (same address, hosts TTL) and
	 * AAAA; the built-in zone stays around it. */
	ASSERT_ASK(ld, "localhost", OWNDNS_TYPE_A, "ANSWER\nAN localhost. 0 A 127.0.0.1\n");
	ASSERT_ASK(ld, "x.localhost", OWNDNS_TYPE_AAAA, "ANSWER\nAN x.localhost. 0 AAAA ::1\n");
	/* Known name, other type: NODATA, no SOA outside built-in zones (Unbound). */
	ASSERT_ASK(ld, "nas.home.lan", OWNDNS_TYPE_AAAA, "NODATA\n");
	ASSERT_ASK(ld, "nas.home.lan", OWNDNS_TYPE_MX, "NODATA\n");
	/* Above and below a hosts name: not local (Unbound's transparent zone). */
	ASSERT_ASK(ld, "home.lan", OWNDNS_TYPE_A, "NOT_LOCAL\n");
	ASSERT_ASK(ld, "x.nas.home.lan", OWNDNS_TYPE_A, "NOT_LOCAL\n");
	ASSERT_ASK(ld, "example.com", OWNDNS_TYPE_A, "NOT_LOCAL\n");
	local_data_free(ld);
}

static void test_hosts_reverse(void **state)
{
	(void)state;
	local_data *ld = typical_hosts();
	/* The first name of the line is the PTR target. */
	ASSERT_ASK(ld, "1.1.0.127.in-addr.arpa", OWNDNS_TYPE_PTR,
		   "ANSWER\nAN 1.1.0.127.in-addr.arpa. 0 PTR myhost.home.lan.\n");
	/* The first line with the address wins (glibc's gethostbyaddr). */
	ASSERT_ASK(ld, "5.0.0.10.in-addr.arpa", OWNDNS_TYPE_PTR,
		   "ANSWER\nAN 5.0.0.10.in-addr.arpa. 0 PTR multi.home.lan.\n");
	ASSERT_ASK(ld, "11.1.168.192.in-addr.arpa", OWNDNS_TYPE_PTR,
		   "ANSWER\nAN 11.1.168.192.in-addr.arpa. 0 PTR NAS.home.lan.\n");
	ASSERT_ASK(ld, "1.0.0.127.in-addr.arpa", OWNDNS_TYPE_PTR,
		   "ANSWER\nAN 1.0.0.127.in-addr.arpa. 0 PTR localhost.\n");
	/* IPv6: 32 nibbles, least significant first. */
	ASSERT_ASK(ld,
		   "0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
		   OWNDNS_TYPE_PTR,
		   "ANSWER\nAN 0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."
		   " 0 PTR printer.home.lan.\n");
	ASSERT_ASK(ld,
		   "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa",
		   OWNDNS_TYPE_PTR,
		   "ANSWER\nAN 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa."
		   " 0 PTR router-ll.\n");
	ASSERT_ASK(ld,
		   "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
		   OWNDNS_TYPE_PTR,
		   "ANSWER\nAN 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa."
		   " 0 PTR localhost.\n");
	/* ff02::1 is outside every built-in zone: the PTR is plain user data. */
	ASSERT_ASK(ld,
		   "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0.f.f.ip6.arpa",
		   OWNDNS_TYPE_PTR,
		   "ANSWER\nAN 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0.f.f.ip6.arpa."
		   " 0 PTR ip6-allnodes.\n");
	/* Another address of the private zone is still NXDOMAIN (built-in zone). */
	char expected[256];
	snprintf(expected, sizeof(expected), "NXDOMAIN\nNS 168.192.in-addr.arpa. 10800 SOA %s",
		 builtin_soa_line);
	ASSERT_ASK(ld, "12.1.168.192.in-addr.arpa", OWNDNS_TYPE_PTR, expected);
	local_data_free(ld);
}

static void test_hosts_bad_lines(void **state)
{
	(void)state;
	local_data *ld = local_data_new();
	reports r = { .len = 0 };
	unsigned bad = 0;
	assert_int_equal(local_data_add_hosts_file(ld, HOSTS_DIR "bad.hosts", 60, collect, &r,
						   &bad),
			 0);
	assert_string_equal(r.text,
			    HOSTS_DIR "bad.hosts:2: bad address '192.168.1.300'\n"
			    HOSTS_DIR "bad.hosts:3: address without a name\n"
			    HOSTS_DIR "bad.hosts:4: bad address 'garbage'\n"
			    HOSTS_DIR "bad.hosts:5: bad name 'bad!name'\n"
			    HOSTS_DIR "bad.hosts:6: bad address '2001:db8::g'\n"
			    HOSTS_DIR "bad.hosts:8: bad address '1.2.3'\n"
			    HOSTS_DIR "bad.hosts:9: bad name 'two..dots'\n"
			    HOSTS_DIR "bad.hosts:10: bad name '.'\n");
	assert_int_equal(bad, 8);
	assert_int_equal(local_data_finish(ld), 0);
	/* The good names of a line with a bad one are kept; its PTR goes to the first
	 * good name. */
	ASSERT_ASK(ld, "good.example", OWNDNS_TYPE_A, "ANSWER\nAN good.example. 60 A 192.0.2.2\n");
	ASSERT_ASK(ld, "also-good.example", OWNDNS_TYPE_A,
		   "ANSWER\nAN also-good.example. 60 A 192.0.2.2\n");
	ASSERT_ASK(ld, "ok.example", OWNDNS_TYPE_A, "ANSWER\nAN ok.example. 60 A 192.0.2.3\n");
	char expected[256];
	snprintf(expected, sizeof(expected), "NXDOMAIN\nNS 2.0.192.in-addr.arpa. 10800 SOA %s",
		 builtin_soa_line);
	ASSERT_ASK(ld, "1.2.0.192.in-addr.arpa", OWNDNS_TYPE_PTR, expected);
	ASSERT_ASK(ld, "2.2.0.192.in-addr.arpa", OWNDNS_TYPE_PTR,
		   "ANSWER\nAN 2.2.0.192.in-addr.arpa. 60 PTR good.example.\n");
	ASSERT_ASK(ld, "toobig", OWNDNS_TYPE_A, "NOT_LOCAL\n");
	ASSERT_ASK(ld, "short", OWNDNS_TYPE_A, "NOT_LOCAL\n");
	local_data_free(ld);
}

static void test_hosts_text_edges(void **state)
{
	(void)state;
	/* CRLF, tabs, a comment glued to a name, no final newline, a long address token. */
	static const char text[] = "192.0.2.7\tcr.example\r\n"
				   "  # indented comment\n"
				   "192.0.2.8 glued.example#comment\n"
				   "\n"
				   "::ffff:192.0.2.9 mapped.example\n"
				   "0000:0000:0000:0000:0000:0000:0000:0000:0000:0001 long\n"
				   "192.0.2.10 last.example";
	local_data *ld = local_data_new();
	reports r = { .len = 0 };
	unsigned bad = 0;
	assert_int_equal(local_data_add_hosts_text(ld, "mem", text, sizeof(text) - 1, 5, collect,
						   &r, &bad),
			 0);
	assert_string_equal(r.text, "mem:6: bad address "
				    "'0000:0000:0000:0000:0000:0000:0000:0000:0000:0001'\n");
	assert_int_equal(bad, 1);
	assert_int_equal(local_data_finish(ld), 0);
	ASSERT_ASK(ld, "cr.example", OWNDNS_TYPE_A, "ANSWER\nAN cr.example. 5 A 192.0.2.7\n");
	ASSERT_ASK(ld, "glued.example", OWNDNS_TYPE_A, "ANSWER\nAN glued.example. 5 A 192.0.2.8\n");
	ASSERT_ASK(ld, "mapped.example", OWNDNS_TYPE_AAAA,
		   "ANSWER\nAN mapped.example. 5 AAAA ::ffff:192.0.2.9\n");
	ASSERT_ASK(ld, "last.example", OWNDNS_TYPE_A, "ANSWER\nAN last.example. 5 A 192.0.2.10\n");
	/* Adding after finish is refused. */
	assert_int_equal(local_data_add_hosts_text(ld, "mem", text, 3, 5, NULL, NULL, NULL),
			 OWNDNS_ESTATE);
	local_data_free(ld);
}

static void test_hosts_missing_file(void **state)
{
	(void)state;
	local_data *ld = local_data_new();
	reports r = { .len = 0 };
	assert_int_equal(local_data_add_hosts_file(ld, HOSTS_DIR "absent.hosts", 0, collect, &r,
						   NULL),
			 OWNDNS_ENOTFOUND);
	assert_string_equal(r.text,
			    HOSTS_DIR "absent.hosts: cannot read: No such file or directory\n");
	local_data_free(ld);
}

/* ---- local-data -------------------------------------------------------------------- */

static const char *const home_lan[] = {
	"www.home.lan. 300 IN A 192.0.2.1",
	"www.home.lan. 300 IN A 192.0.2.2",
	"www.home.lan. 300 IN A 192.0.2.1", /* duplicate: merged */
	"alias.home.lan. 300 IN CNAME www.home.lan.",
	"alias2.home.lan 300 CNAME alias.home.lan.",
	"ext.home.lan. 300 IN CNAME www.example.com.",
	"gone.home.lan. 300 IN CNAME x.invalid.",
	"loop1.home.lan. 60 IN CNAME loop2.home.lan.",
	"loop2.home.lan. 60 IN CNAME loop1.home.lan.",
	"mail.home.lan. MX 10 www.home.lan.",
	"txt.home.lan. 300 IN TXT \"hello world\" second",
	"_sip._tcp.home.lan. 300 IN SRV 10 20 5060 www.home.lan.",
	"ttl.home.lan. 300 IN A 192.0.2.5",
	"ttl.home.lan. 100 IN A 192.0.2.6",
	NULL,
};

static void test_local_data_types(void **state)
{
	(void)state;
	local_data *ld = build(home_lan, NULL, true);
	ASSERT_ASK(ld, "www.home.lan", OWNDNS_TYPE_A,
		   "ANSWER\nAN www.home.lan. 300 A 192.0.2.1\nAN www.home.lan. 300 A 192.0.2.2\n");
	/* No TTL given: 3600 (Unbound's default). */
	ASSERT_ASK(ld, "mail.home.lan", OWNDNS_TYPE_MX,
		   "ANSWER\nAN mail.home.lan. 3600 MX 10 www.home.lan.\n");
	ASSERT_ASK(ld, "txt.home.lan", OWNDNS_TYPE_TXT,
		   "ANSWER\nAN txt.home.lan. 300 TXT \"hello world\" \"second\"\n");
	ASSERT_ASK(ld, "_sip._tcp.home.lan", OWNDNS_TYPE_SRV,
		   "ANSWER\nAN _sip._tcp.home.lan. 300 SRV 10 20 5060 www.home.lan.\n");
	/* Differing TTLs in one RRset: the smallest (RFC 2181 §5.2). */
	ASSERT_ASK(ld, "ttl.home.lan", OWNDNS_TYPE_A,
		   "ANSWER\nAN ttl.home.lan. 100 A 192.0.2.5\nAN ttl.home.lan. 100 A 192.0.2.6\n");
	/* Unbound: NOERROR, no SOA, AA. */
	ASSERT_ASK(ld, "www.home.lan", OWNDNS_TYPE_AAAA, "NODATA\n");
	/* ANY: one RRset (RFC 8482). */
	ASSERT_ASK(ld, "www.home.lan", OWNDNS_TYPE_ANY,
		   "ANSWER\nAN www.home.lan. 300 A 192.0.2.1\nAN www.home.lan. 300 A 192.0.2.2\n");
	ASSERT_ASK(ld, "WWW.HOME.LAN", OWNDNS_TYPE_A,
		   "ANSWER\nAN WWW.HOME.LAN. 300 A 192.0.2.1\nAN WWW.HOME.LAN. 300 A 192.0.2.2\n");
	ASSERT_ASK(ld, "home.lan", OWNDNS_TYPE_A, "NOT_LOCAL\n");
	assert_int_equal(local_data_name_count(ld) > 9, true);
	local_data_free(ld);
}

static void test_local_data_cname(void **state)
{
	(void)state;
	local_data *ld = build(home_lan, NULL, true);
	/* Followed inside the local data (Unbound 1.17 stops after the first CNAME). */
	ASSERT_ASK(ld, "alias2.home.lan", OWNDNS_TYPE_A,
		   "ANSWER\nAN alias2.home.lan. 300 CNAME alias.home.lan.\n"
		   "AN alias.home.lan. 300 CNAME www.home.lan.\n"
		   "AN www.home.lan. 300 A 192.0.2.1\nAN www.home.lan. 300 A 192.0.2.2\n");
	/* Asked for the CNAME itself: no following. */
	ASSERT_ASK(ld, "alias2.home.lan", OWNDNS_TYPE_CNAME,
		   "ANSWER\nAN alias2.home.lan. 300 CNAME alias.home.lan.\n");
	/* The target lacks the type: NODATA after the chain (RFC 6604: last name's rcode). */
	ASSERT_ASK(ld, "alias.home.lan", OWNDNS_TYPE_AAAA,
		   "NODATA\nAN alias.home.lan. 300 CNAME www.home.lan.\n");
	/* Leaving the local data: the CNAME and the target to resolve elsewhere. */
	ASSERT_ASK(ld, "ext.home.lan", OWNDNS_TYPE_A,
		   "ANSWER\nAN ext.home.lan. 300 CNAME www.example.com.\nCHAIN www.example.com.\n");
	/* Into a built-in zone: NXDOMAIN with the chain and that zone's SOA. */
	char expected[256];
	snprintf(expected, sizeof(expected),
		 "NXDOMAIN\nAN gone.home.lan. 300 CNAME x.invalid.\nNS invalid. 10800 SOA %s",
		 builtin_soa_line);
	ASSERT_ASK(ld, "gone.home.lan", OWNDNS_TYPE_A, expected);
	/* A loop ends when a name comes back. */
	ASSERT_ASK(ld, "loop1.home.lan", OWNDNS_TYPE_A,
		   "ANSWER\nAN loop1.home.lan. 60 CNAME loop2.home.lan.\n"
		   "AN loop2.home.lan. 60 CNAME loop1.home.lan.\n");
	local_data_free(ld);
}

static void test_local_data_chain_limit(void **state)
{
	(void)state;
	/* c0 -> c1 -> ... -> c20: LOCAL_CHAIN_MAX + 1 CNAMEs at most, then stop. */
	char values[21][64];
	const char *list[22];
	for (int i = 0; i < 21; i++) {
		snprintf(values[i], sizeof(values[i]), "c%d.chain. 60 CNAME c%d.chain.", i, i + 1);
		list[i] = values[i];
	}
	list[21] = NULL;
	local_data *ld = build(list, NULL, false);
	query_buf q;
	ask(ld, "c0.chain", OWNDNS_TYPE_A, &q);
	assert_int_equal(q.res.status, LOCAL_ANSWER);
	assert_int_equal(q.res.answer_count, LOCAL_CHAIN_MAX + 1);
	assert_null(q.res.chain_target);
	local_data_free(ld);
}

static void test_local_data_errors(void **state)
{
	(void)state;
	local_data *ld = local_data_new();
	reports r = { .len = 0 };
	assert_int_equal(local_data_add_text(ld, "www. A 1.2.3", "owndns.conf:4", collect, &r),
			 OWNDNS_EIPV4);
	assert_int_equal(local_data_add_text(ld, "www. 60 IN BOGUS x", "command line", collect,
					     &r),
			 OWNDNS_EUNKNOWN_TYPE);
	assert_int_equal(local_data_add_text(ld, "www. 60 CH A 1.2.3.4", "c:1", collect, &r),
			 OWNDNS_EINVAL);
	assert_int_equal(local_data_add_text(ld, "www. 60 IN ANY \\# 0", "c:2", collect, &r),
			 OWNDNS_EINVAL);
	assert_int_equal(local_data_add_text(ld, "", "c:3", collect, &r), OWNDNS_ESYNTAX);
	assert_string_equal(r.text,
			    "owndns.conf:4: local-data=\"www. A 1.2.3\": malformed IPv4 address\n"
			    "command line: local-data=\"www. 60 IN BOGUS x\": unknown RR type\n"
			    "c:1: local-data=\"www. 60 CH A 1.2.3.4\": only class IN is served\n"
			    "c:2: local-data=\"www. 60 IN ANY \\# 0\": a query-only type cannot be "
			    "data\n"
			    "c:3: local-data=\"\": malformed presentation format\n");
	assert_int_equal(local_data_finish(ld), 0);
	assert_int_equal(local_data_finish(ld), OWNDNS_ESTATE);
	assert_int_equal(local_data_add_text(ld, "a. A 1.2.3.4", "c:5", collect, &r),
			 OWNDNS_ESTATE);
	local_data_free(ld);
}

/* ---- Built-in zones ---------------------------------------------------------------- */

static void test_builtin_localhost(void **state)
{
	(void)state;
	local_data *ld = build(NULL, NULL, true);
	char expected[512];
	ASSERT_ASK(ld, "localhost", OWNDNS_TYPE_A, "ANSWER\nAN localhost. 10800 A 127.0.0.1\n");
	ASSERT_ASK(ld, "LocalHost.", OWNDNS_TYPE_AAAA, "ANSWER\nAN LocalHost. 10800 AAAA ::1\n");
	/* RFC 6761 §6.3 (Unbound's "redirect"): below localhost is loopback. */
	ASSERT_ASK(ld, "foo.bar.localhost", OWNDNS_TYPE_AAAA,
		   "ANSWER\nAN foo.bar.localhost. 10800 AAAA ::1\n");
	ASSERT_ASK(ld, "foo.localhost", OWNDNS_TYPE_A,
		   "ANSWER\nAN foo.localhost. 10800 A 127.0.0.1\n");
	/* Unbound: NODATA with the SOA, for the apex and below. */
	snprintf(expected, sizeof(expected), "NODATA\nNS localhost. 10800 SOA %s",
		 builtin_soa_line);
	ASSERT_ASK(ld, "foo.localhost", OWNDNS_TYPE_MX, expected);
	ASSERT_ASK(ld, "localhost", OWNDNS_TYPE_MX, expected);
	ASSERT_ASK(ld, "localhost", OWNDNS_TYPE_NS,
		   "ANSWER\nAN localhost. 10800 NS localhost.\n");
	ASSERT_ASK(ld, "1.0.0.127.in-addr.arpa", OWNDNS_TYPE_PTR,
		   "ANSWER\nAN 1.0.0.127.in-addr.arpa. 10800 PTR localhost.\n");
	snprintf(expected, sizeof(expected), "NXDOMAIN\nNS 127.in-addr.arpa. 10800 SOA %s",
		 builtin_soa_line);
	ASSERT_ASK(ld, "2.0.0.127.in-addr.arpa", OWNDNS_TYPE_PTR, expected);
	/* The empty non-terminals between the apex and 1.0.0.127: NODATA. */
	snprintf(expected, sizeof(expected), "NODATA\nNS 127.in-addr.arpa. 10800 SOA %s",
		 builtin_soa_line);
	ASSERT_ASK(ld, "0.0.127.in-addr.arpa", OWNDNS_TYPE_PTR, expected);
	ASSERT_ASK(ld,
		   "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
		   OWNDNS_TYPE_PTR,
		   "ANSWER\nAN 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa."
		   " 10800 PTR localhost.\n");
	local_data_free(ld);
}

static void test_builtin_empty_zones(void **state)
{
	(void)state;
	local_data *ld = build(NULL, NULL, true);
	static const char *const nxdomain[][2] = {
		{ "5.5.10.in-addr.arpa", "10.in-addr.arpa." },
		{ "1.2.16.172.in-addr.arpa", "16.172.in-addr.arpa." },
		{ "1.2.31.172.in-addr.arpa", "31.172.in-addr.arpa." },
		{ "9.168.192.in-addr.arpa", "168.192.in-addr.arpa." },
		{ "1.0.0.0.in-addr.arpa", "0.in-addr.arpa." },
		{ "1.1.254.169.in-addr.arpa", "254.169.in-addr.arpa." },
		{ "7.2.0.192.in-addr.arpa", "2.0.192.in-addr.arpa." },
		{ "7.100.51.198.in-addr.arpa", "100.51.198.in-addr.arpa." },
		{ "7.113.0.203.in-addr.arpa", "113.0.203.in-addr.arpa." },
		{ "1.1.64.100.in-addr.arpa", "64.100.in-addr.arpa." },
		{ "1.1.127.100.in-addr.arpa", "127.100.in-addr.arpa." },
		{ "1.d.f.ip6.arpa", "d.f.ip6.arpa." },
		{ "0.8.e.f.ip6.arpa", "8.e.f.ip6.arpa." },
		{ "0.b.e.f.ip6.arpa", "b.e.f.ip6.arpa." },
		{ "0.8.b.d.0.1.0.0.2.ip6.arpa", "8.b.d.0.1.0.0.2.ip6.arpa." },
		{ "x.invalid", "invalid." },
		{ "a.b.test", "test." },
		{ "duckduckgo.onion", "onion." },
		{ "printer.home.arpa", "home.arpa." },
	};
	for (size_t i = 0; i < sizeof(nxdomain) / sizeof(nxdomain[0]); i++) {
		char expected[512];
		snprintf(expected, sizeof(expected), "NXDOMAIN\nNS %s 10800 SOA %s", nxdomain[i][1],
			 builtin_soa_line);
		ASSERT_ASK(ld, nxdomain[i][0], OWNDNS_TYPE_PTR, expected);
	}
	/* Apexes exist: NODATA with the SOA (Unbound), and their NS and SOA answer. */
	char expected[512];
	snprintf(expected, sizeof(expected), "NODATA\nNS 10.in-addr.arpa. 10800 SOA %s",
		 builtin_soa_line);
	ASSERT_ASK(ld, "10.in-addr.arpa", OWNDNS_TYPE_PTR, expected);
	ASSERT_ASK(ld, "invalid", OWNDNS_TYPE_SOA,
		   "ANSWER\nAN invalid. 10800 SOA localhost. nobody.invalid. 1 3600 1200 604800 "
		   "10800\n");
	/* The neighbours of the ranges are not built in. */
	ASSERT_ASK(ld, "1.15.172.in-addr.arpa", OWNDNS_TYPE_PTR, "NOT_LOCAL\n");
	ASSERT_ASK(ld, "1.32.172.in-addr.arpa", OWNDNS_TYPE_PTR, "NOT_LOCAL\n");
	ASSERT_ASK(ld, "1.63.100.in-addr.arpa", OWNDNS_TYPE_PTR, "NOT_LOCAL\n");
	ASSERT_ASK(ld, "1.128.100.in-addr.arpa", OWNDNS_TYPE_PTR, "NOT_LOCAL\n");
	ASSERT_ASK(ld, "1.1.168.193.in-addr.arpa", OWNDNS_TYPE_PTR, "NOT_LOCAL\n");
	ASSERT_ASK(ld, "c.e.f.ip6.arpa", OWNDNS_TYPE_PTR, "NOT_LOCAL\n");
	ASSERT_ASK(ld, "in-addr.arpa", OWNDNS_TYPE_SOA, "NOT_LOCAL\n");
	ASSERT_ASK(ld, "notinvalid", OWNDNS_TYPE_A, "NOT_LOCAL\n");
	ASSERT_ASK(ld, ".", OWNDNS_TYPE_NS, "NOT_LOCAL\n");
	local_data_free(ld);
}

static void test_builtin_overridden(void **state)
{
	(void)state;
	static const char *const values[] = {
		"1.1.168.192.in-addr.arpa. 300 IN PTR printer.home.lan.",
		"localhost. 60 IN A 127.0.0.2",
		NULL,
	};
	local_data *ld = build(values, NULL, true);
	char expected[512];
	/* Unbound: the user's PTR answers, its other types are NODATA with the SOA, the
	 * empty non-terminal above it NODATA, and the rest of the zone NXDOMAIN. */
	ASSERT_ASK(ld, "1.1.168.192.in-addr.arpa", OWNDNS_TYPE_PTR,
		   "ANSWER\nAN 1.1.168.192.in-addr.arpa. 300 PTR printer.home.lan.\n");
	snprintf(expected, sizeof(expected), "NODATA\nNS 168.192.in-addr.arpa. 10800 SOA %s",
		 builtin_soa_line);
	ASSERT_ASK(ld, "1.1.168.192.in-addr.arpa", OWNDNS_TYPE_A, expected);
	ASSERT_ASK(ld, "1.168.192.in-addr.arpa", OWNDNS_TYPE_PTR, expected);
	snprintf(expected, sizeof(expected), "NXDOMAIN\nNS 168.192.in-addr.arpa. 10800 SOA %s",
		 builtin_soa_line);
	ASSERT_ASK(ld, "2.1.168.192.in-addr.arpa", OWNDNS_TYPE_PTR, expected);
	/* The user's A replaces the built-in A only. */
	ASSERT_ASK(ld, "localhost", OWNDNS_TYPE_A, "ANSWER\nAN localhost. 60 A 127.0.0.2\n");
	ASSERT_ASK(ld, "x.localhost", OWNDNS_TYPE_A, "ANSWER\nAN x.localhost. 60 A 127.0.0.2\n");
	ASSERT_ASK(ld, "localhost", OWNDNS_TYPE_AAAA, "ANSWER\nAN localhost. 10800 AAAA ::1\n");
	local_data_free(ld);
}

static void test_builtin_off_and_yield(void **state)
{
	(void)state;
	local_data *ld = build(NULL, NULL, false);
	ASSERT_ASK(ld, "localhost", OWNDNS_TYPE_A, "NOT_LOCAL\n");
	ASSERT_ASK(ld, "x.invalid", OWNDNS_TYPE_A, "NOT_LOCAL\n");
	assert_int_equal(local_data_name_count(ld), 0);
	local_data_free(ld);

	/* zone=1.168.192.in-addr.arpa and zone=10.in-addr.arpa served authoritatively. */
	ld = local_data_new();
	uint8_t apex[OWNDNS_NAME_MAX];
	size_t len;
	assert_int_equal(owndns_name_from_text("1.168.192.in-addr.arpa", 22, NULL, apex, &len), 0);
	assert_int_equal(local_data_yield(ld, apex), 0);
	assert_int_equal(owndns_name_from_text("10.in-addr.arpa", 15, NULL, apex, &len), 0);
	assert_int_equal(local_data_yield(ld, apex), 0);
	assert_int_equal(local_data_add_text(ld, "7.1.168.192.in-addr.arpa. PTR seven.", NULL,
					     NULL, NULL),
			 0);
	assert_int_equal(local_data_finish(ld), 0);
	ASSERT_ASK(ld, "5.1.168.192.in-addr.arpa", OWNDNS_TYPE_PTR, "NOT_LOCAL\n");
	ASSERT_ASK(ld, "1.168.192.in-addr.arpa", OWNDNS_TYPE_SOA, "NOT_LOCAL\n");
	ASSERT_ASK(ld, "10.in-addr.arpa", OWNDNS_TYPE_SOA, "NOT_LOCAL\n");
	ASSERT_ASK(ld, "1.1.1.10.in-addr.arpa", OWNDNS_TYPE_PTR, "NOT_LOCAL\n");
	/* Exact user data still answers first; no SOA under a yielded apex. */
	ASSERT_ASK(ld, "7.1.168.192.in-addr.arpa", OWNDNS_TYPE_PTR,
		   "ANSWER\nAN 7.1.168.192.in-addr.arpa. 3600 PTR seven.\n");
	ASSERT_ASK(ld, "7.1.168.192.in-addr.arpa", OWNDNS_TYPE_A, "NODATA\n");
	char expected[512];
	snprintf(expected, sizeof(expected), "NXDOMAIN\nNS 168.192.in-addr.arpa. 10800 SOA %s",
		 builtin_soa_line);
	ASSERT_ASK(ld, "5.2.168.192.in-addr.arpa", OWNDNS_TYPE_PTR, expected);
	local_data_free(ld);
}

/* ---- The name tree against a linear search ---------------------------------------- */

/* What local_index_match must find, by the definitions: scans of every name and yield. */
static void reference_match(const local_data *ld, const uint8_t *name, local_match *m)
{
	m->node = NULL;
	m->apex = NULL;
	m->has_descendant = false;
	for (size_t i = 0; i < ld->name_count; i++) {
		if (owndns_name_equal(ld->names[i].owner, name))
			m->node = &ld->names[i];
		if (owndns_name_is_strict_subdomain(ld->names[i].owner, name))
			m->has_descendant = true;
	}
	for (const uint8_t *n = name; n; n = owndns_name_parent(n)) {
		bool yielded = false;
		for (size_t i = 0; i < ld->yield_count; i++)
			yielded = yielded || owndns_name_equal(ld->yields[i], n);
		if (yielded)
			return;
		for (size_t i = 0; i < ld->name_count; i++)
			if ((ld->names[i].flags & LOCAL_NAME_APEX) &&
			    owndns_name_equal(ld->names[i].owner, n)) {
				m->apex = &ld->names[i];
				return;
			}
	}
}

static uint32_t next_random(uint32_t *state)
{
	/* xorshift32: the same names on every run. */
	uint32_t x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/* Labels that meet the built-in zones (arpa, ip6 nibbles, localhost ...) often. */
static const char *const tree_labels[] = {
	"a", "B", "x1", "arpa", "in-ADDR", "ip6", "10", "168", "192", "127", "0", "1", "TEST",
	"localhost", "invalid", "home", "d", "f", "e", "8", "lab", "onion", "254", "169",
};
#define TREE_LABEL_COUNT (sizeof(tree_labels) / sizeof(tree_labels[0]))

static void random_name_text(uint32_t *rng, unsigned labels, char *out, size_t cap)
{
	size_t len = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < labels; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s.",
					tree_labels[next_random(rng) % TREE_LABEL_COUNT]);
	if (labels == 0)
		snprintf(out, cap, ".");
}

/* A query name near the data: a stored name or yield with labels taken off or put on,
 * letters in random case. */
static void near_name(const local_data *ld, uint32_t *rng, uint8_t *name)
{
	const uint8_t *base;
	size_t pick = next_random(rng) % (ld->name_count + ld->yield_count + 1);
	char text[OWNDNS_NAME_TEXT_MAX], prefix[128];
	size_t len;

	if (pick < ld->name_count)
		base = ld->names[pick].owner;
	else if (pick < ld->name_count + ld->yield_count)
		base = ld->yields[pick - ld->name_count];
	else
		base = (const uint8_t *)"";
	for (unsigned up = next_random(rng) % 3; up > 0 && base[0]; up--)
		base = owndns_name_parent(base);
	random_name_text(rng, next_random(rng) % 3, prefix, sizeof(prefix));
	assert_true(owndns_name_to_text(base, text, sizeof(text)) > 0);
	char full[OWNDNS_NAME_TEXT_MAX + 128];
	snprintf(full, sizeof(full), "%s%s", strcmp(prefix, ".") ? prefix : "",
		 strcmp(text, ".") ? text : "");
	if (!full[0])
		snprintf(full, sizeof(full), ".");
	for (char *c = full; *c; c++)
		if (((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')) && next_random(rng) % 2)
			*c ^= 0x20;
	assert_int_equal(owndns_name_from_text(full, strlen(full), NULL, name, &len), 0);
}

static local_data *random_local_data(uint32_t *rng, unsigned seed)
{
	local_data *ld = local_data_new();
	char text[256], value[300];
	uint8_t wire[OWNDNS_NAME_MAX];
	size_t len;

	assert_non_null(ld);
	local_data_set_builtin(ld, seed % 4 != 3);
	for (unsigned i = 0; i < 3 + seed % 5; i++) {
		random_name_text(rng, 1 + next_random(rng) % 4, text, sizeof(text));
		assert_int_equal(owndns_name_from_text(text, strlen(text), NULL, wire, &len), 0);
		assert_int_equal(local_data_yield(ld, wire), 0);
	}
	for (unsigned i = 0; i < 60; i++) {
		random_name_text(rng, next_random(rng) % 6, text, sizeof(text));
		snprintf(value, sizeof(value), "%s 60 A 192.0.2.%u", text, i);
		assert_int_equal(local_data_add_text(ld, value, "test", NULL, NULL), 0);
	}
	assert_int_equal(local_data_finish(ld), 0);
	return ld;
}

static void test_tree_matches_linear_search(void **state)
{
	(void)state;
	unsigned apexes = 0, yielded_below_apex = 0, nodes = 0, descendants = 0;
	for (unsigned seed = 1; seed <= 12; seed++) {
		uint32_t rng = 0x9e3779b9u * seed;
		local_data *ld = random_local_data(&rng, seed);
		for (unsigned q = 0; q < 1500; q++) {
			uint8_t name[OWNDNS_NAME_MAX];
			size_t len;
			if (q % 2) {
				near_name(ld, &rng, name);
			} else {
				char text[256];
				random_name_text(&rng, next_random(&rng) % 8, text, sizeof(text));
				assert_int_equal(owndns_name_from_text(text, strlen(text), NULL,
								       name, &len),
						 0);
			}
			local_match want, got;
			reference_match(ld, name, &want);
			local_index_match(ld, name, &got);
			if (got.node != want.node || got.apex != want.apex ||
			    got.has_descendant != want.has_descendant) {
				char text[OWNDNS_NAME_TEXT_MAX];
				owndns_name_to_text(name, text, sizeof(text));
				fail_msg("seed %u, %s: node %p/%p apex %p/%p below %d/%d", seed,
					 text, (const void *)got.node, (const void *)want.node,
					 (const void *)got.apex, (const void *)want.apex,
					 got.has_descendant, want.has_descendant);
			}
			apexes += want.apex != NULL;
			nodes += want.node != NULL;
			descendants += want.has_descendant;
			yielded_below_apex += !want.apex && local_is_yielded(ld, name);
		}
		local_data_free(ld);
	}
	/* The names reached every case, not just the quick reject. */
	assert_true(apexes > 500);
	assert_true(nodes > 500);
	assert_true(descendants > 500);
	assert_true(yielded_below_apex > 100);
}

/* ---- Writing ----------------------------------------------------------------------- */

static size_t write_answer(const local_data *ld, const char *name, uint16_t qtype, uint8_t *buf,
			   size_t cap, int *rc)
{
	owndns_msg_writer w;
	owndns_header h = { 0x1234, OWNDNS_FLAG_QR | OWNDNS_FLAG_RD, { 0 } };
	query_buf q;
	size_t len = 0;
	ask(ld, name, qtype, &q);
	assert_int_equal(owndns_writer_init(&w, buf, cap, &h), 0);
	assert_int_equal(owndns_writer_question(&w, q.qname, qtype, OWNDNS_CLASS_IN), 0);
	*rc = local_result_write(&q.res, &w);
	assert_int_equal(owndns_writer_finish(&w, &len), 0);
	return len;
}

static void assert_hex(const uint8_t *buf, size_t len, const char *hex)
{
	char out[2048] = "";
	for (size_t i = 0; i < len && 2 * i + 2 < sizeof(out); i++)
		snprintf(out + 2 * i, 3, "%02x", buf[i]);
	assert_string_equal(out, hex);
}

static void test_write_bytes(void **state)
{
	(void)state;
	local_data *ld = build(NULL, NULL, true);
	uint8_t buf[512];
	int rc;
	/* dnspython: id 0x1234, QR AA RD, localhost. A -> 127.0.0.1 TTL 10800. */
	size_t len = write_answer(ld, "localhost", OWNDNS_TYPE_A, buf, sizeof(buf), &rc);
	assert_int_equal(rc, 0);
	assert_hex(buf, len,
		   "123485000001000100000000"
		   "096c6f63616c686f73740000010001"
		   "c00c0001000100002a3000047f000001");
	/* NXDOMAIN: rcode 3, the SOA in the authority section with TTL min(TTL, MINIMUM). */
	len = write_answer(ld, "x.invalid", OWNDNS_TYPE_A, buf, sizeof(buf), &rc);
	assert_int_equal(rc, 0);
	assert_hex(buf, len,
		   "123485030001000000010000"
		   "017807696e76616c69640000010001"
		   "c00e0006000100002a300028"
		   "096c6f63616c686f737400066e6f626f6479c00e"
		   "0000000100000e10000004b000093a8000002a30");
	local_data_free(ld);
}

static void test_write_truncated(void **state)
{
	(void)state;
	static const char *const values[] = {
		"many.example. 60 A 192.0.2.1", "many.example. 60 A 192.0.2.2",
		"many.example. 60 A 192.0.2.3", "alias.example. 60 CNAME many.example.", NULL,
	};
	local_data *ld = build(values, NULL, false);
	uint8_t buf[512];
	int rc;
	/* Header 12 + question 19 + CNAME 2+10+7 (target compressed): 50; the three A
	 * records need 3 * (2+10+4) = 48 more. */
	size_t len = write_answer(ld, "alias.example", OWNDNS_TYPE_A, buf, 97, &rc);
	assert_int_equal(rc, OWNDNS_ETRUNCATED_MSG);
	assert_int_equal(len, 12 + 19 + 19);
	assert_int_equal(buf[7], 1); /* ANCOUNT: the CNAME only, no half RRset */
	len = write_answer(ld, "alias.example", OWNDNS_TYPE_A, buf, 98, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(len, 98);
	assert_int_equal(buf[7], 4);
	/* A NOT_LOCAL result is not written. */
	owndns_msg_writer w;
	owndns_header h = { 1, 0, { 0 } };
	local_result none;
	memset(&none, 0, sizeof(none));
	assert_int_equal(owndns_writer_init(&w, buf, sizeof(buf), &h), 0);
	assert_int_equal(local_result_write(&none, &w), OWNDNS_EINVAL);
	local_data_free(ld);
}

static void test_to_plan(void **state)
{
	(void)state;
	local_data *ld = build(NULL, NULL, true);
	query_buf q;
	answer_plan plan;
	ask(ld, "2.0.0.127.in-addr.arpa", OWNDNS_TYPE_PTR, &q);
	local_result_to_plan(&q.res, &plan);
	assert_int_equal(plan.rcode, OWNDNS_RCODE_NXDOMAIN);
	assert_true(plan.authoritative);
	assert_int_equal(plan.count[ANSWER_PART_ANSWER], 0);
	assert_int_equal(plan.count[ANSWER_PART_AUTHORITY], 1);
	assert_int_equal(plan.count[ANSWER_PART_ADDITIONAL], 0);
	const answer_entry *e = &plan.part[ANSWER_PART_AUTHORITY][0];
	assert_int_equal(e->type, OWNDNS_TYPE_SOA);
	assert_true(e->negative_soa);
	assert_true(e->required);
	/* answer_entry_next gives the record as the authoritative writer would. */
	const void *cursor = NULL;
	owndns_rr rr;
	assert_true(answer_entry_next(e, &cursor, &rr));
	assert_int_equal(rr.ttl, 10800);
	assert_int_equal(rr.type, OWNDNS_TYPE_SOA);
	assert_false(answer_entry_next(e, &cursor, &rr));

	ask(ld, "a.localhost", OWNDNS_TYPE_A, &q);
	local_result_to_plan(&q.res, &plan);
	assert_int_equal(plan.rcode, OWNDNS_RCODE_NOERROR);
	assert_int_equal(plan.count[ANSWER_PART_ANSWER], 1);
	assert_int_equal(plan.count[ANSWER_PART_AUTHORITY], 0);
	assert_ptr_equal(plan.part[ANSWER_PART_ANSWER][0].owner, q.qname);
	local_data_free(ld);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hosts_forward),
		cmocka_unit_test(test_hosts_reverse),
		cmocka_unit_test(test_hosts_bad_lines),
		cmocka_unit_test(test_hosts_text_edges),
		cmocka_unit_test(test_hosts_missing_file),
		cmocka_unit_test(test_local_data_types),
		cmocka_unit_test(test_local_data_cname),
		cmocka_unit_test(test_local_data_chain_limit),
		cmocka_unit_test(test_local_data_errors),
		cmocka_unit_test(test_builtin_localhost),
		cmocka_unit_test(test_builtin_empty_zones),
		cmocka_unit_test(test_builtin_overridden),
		cmocka_unit_test(test_builtin_off_and_yield),
		cmocka_unit_test(test_tree_matches_linear_search),
		cmocka_unit_test(test_write_bytes),
		cmocka_unit_test(test_write_truncated),
		cmocka_unit_test(test_to_plan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
