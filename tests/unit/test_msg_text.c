/* Unit tests for lib/msg_text.c and lib/msg_json.c: whole messages printed the way dig
 * 9.18 prints them.  Each dig_case is a response captured from a dnspython server on
 * loopback together with dig's text for it (between ";; ->>HEADER<<-" and ";; Query
 * time"), so these compare against an independent implementation byte for byte.  The
 * rest covers what dig refuses to print (malformed options and RDATA), JSON escaping
 * and every too-small output buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <owndns/message.h>
#include <owndns/msg_text.h>

struct dig_case {
	const char *name;
	const char *packet_hex;
	const char *client_cookie_hex; /* the cookie dig sent, NULL when none */
	const char *dig_text;
};

static const struct dig_case dig_cases[] = {
	{
		"edns_options",
		"24d381000001000000000001076578616d706c6503636f6d0000010001000029"
		"04d000000000007b0003000500617f7aff000a00082aab6fef6a4d2f04000800"
		"07000118000102030008000b0002383020010db8000102000e000400014f6600"
		"0d000d076578616d706c6503636f6d00000f00020063000c0000000b00000009"
		"0000001000026162fde90000000f00060005610001620009000400015f8d000b"
		"000101",
		"2aab6fef6a4d2f04",
		";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 9427\n"
		";; flags: qr rd; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1\n"
		";; WARNING: recursion requested but not available\n"
		"\n"
		";; OPT PSEUDOSECTION:\n"
		"; EDNS: version: 0, flags:; udp: 1232\n"
		"; NSID: 00 61 7f 7a ff (\".a.z.\")\n"
		"; COOKIE: 2aab6fef6a4d2f04 (echoed)\n"
		"; CLIENT-SUBNET: 1.2.3.0/24/0\n"
		"; CLIENT-SUBNET: 2001:db8:1:200::/56/48\n"
		"; KEY-TAG: 1, 20326\n"
		"; OPT=13: 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 (\".example.com.\")\n"
		"; EDE: 99\n"
		"; PAD:\n"
		"; TCP KEEPALIVE:\n"
		"; EXPIRE:\n"
		"; CLIENT-TAG: 24930\n"
		"; OPT=65001:\n"
		"; EDE: 5 (DNSSEC Indeterminate): (a..b)\n"
		"; EXPIRE: 89997 (1 day 59 minutes 57 seconds)\n"
		"; TCP KEEPALIVE: 01 (\".\")\n"
		";; QUESTION SECTION:\n"
		";example.com.\t\t\tIN\tA\n"
		"\n",
	},
	{
		"badvers_mbz_co",
		"bf8085400001000000000001076578616d706c6503636f6d0000010001000029"
		"00640101c1010000",
		"8ae1ef00274a2443",
		";; ->>HEADER<<- opcode: QUERY, status: BADVERS, id: 49024\n"
		";; flags: qr aa rd; MBZ: 0x4; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1\n"
		";; WARNING: recursion requested but not available\n"
		"\n"
		";; OPT PSEUDOSECTION:\n"
		"; EDNS: version: 1, flags: do co; MBZ: 0x0101, udp: 100\n"
		";; QUESTION SECTION:\n"
		";example.com.\t\t\tIN\tA\n"
		"\n",
	},
	{
		"nxdomain_tc_no_edns",
		"36fb82030001000000000000076578616d706c6503636f6d0000010001",
		"2d14d636c5f57d4b",
		";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 14075\n"
		";; flags: qr tc; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0\n"
		"\n"
		";; QUESTION SECTION:\n"
		";example.com.\t\t\tIN\tA\n"
		"\n",
	},
	{
		"trailing_octets",
		"d9fc81000001000100000000076578616d706c6503636f6d0000010001c00c00"
		"0100010000012c00040102030478797a",
		"2691067ca88f96d9",
		";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 55804\n"
		";; flags: qr rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 0\n"
		";; WARNING: recursion requested but not available\n"
		";; WARNING: Message has 3 extra bytes at end\n"
		"\n"
		";; QUESTION SECTION:\n"
		";example.com.\t\t\tIN\tA\n"
		"\n"
		";; ANSWER SECTION:\n"
		"example.com.\t\t300\tIN\tA\t1.2.3.4\n"
		"\n",
	},
	{
		"no_question",
		"193381000000000000000000",
		"d576af357e78711c",
		";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 6451\n"
		";; flags: qr rd; QUERY: 0, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0\n"
		";; WARNING: recursion requested but not available\n"
		"\n",
	},
	{
		"sections_cookie_good",
		"ba7d8100000100050001000203777777076578616d706c6503636f6d00001000"
		"01c00c000500010000012c00040161c010c02d000100010000012c0004010203"
		"04c02d001000010000012c00060322785c01ffc02d001000010000012c000603"
		"6120620163c02d000f00010000003c0007000a026d78c010c010000600010000"
		"0e100021036e7331c01004686f7374c010000000010000000200000003000000"
		"0400000005c073001c000100000e10001020010db80000000000000000000000"
		"0100002904d0000000000014000a00100770c784c66170626162636465666768",
		"0770c784c6617062",
		";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 47741\n"
		";; flags: qr rd; QUERY: 1, ANSWER: 5, AUTHORITY: 1, ADDITIONAL: 2\n"
		";; WARNING: recursion requested but not available\n"
		"\n"
		";; OPT PSEUDOSECTION:\n"
		"; EDNS: version: 0, flags:; udp: 1232\n"
		"; COOKIE: 0770c784c66170626162636465666768 (good)\n"
		";; QUESTION SECTION:\n"
		";www.example.com.\t\tIN\tTXT\n"
		"\n"
		";; ANSWER SECTION:\n"
		"www.example.com.\t300\tIN\tCNAME\ta.example.com.\n"
		"a.example.com.\t\t300\tIN\tA\t1.2.3.4\n"
		"a.example.com.\t\t300\tIN\tTXT\t\"\\\"x\\\\\" \"\\255\"\n"
		"a.example.com.\t\t300\tIN\tTXT\t\"a b\" \"c\"\n"
		"a.example.com.\t\t60\tIN\tMX\t10 mx.example.com.\n"
		"\n"
		";; AUTHORITY SECTION:\n"
		"example.com.\t\t3600\tIN\tSOA\tns1.example.com. host.example.com. 1 2 3 4 5\n"
		"\n"
		";; ADDITIONAL SECTION:\n"
		"mx.example.com.\t\t3600\tIN\tAAAA\t2001:db8::1\n"
		"\n",
	},
	{
		"nxdomain_soa",
		"6f0681030001000000010000046e6f7065076578616d706c6503636f6d000001"
		"0001c0110006000100000e100021036e7331c01104686f7374c0110000000100"
		"000002000000030000000400000005",
		"693bf31f90c45ca9",
		";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 28422\n"
		";; flags: qr rd; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 0\n"
		";; WARNING: recursion requested but not available\n"
		"\n"
		";; QUESTION SECTION:\n"
		";nope.example.com.\t\tIN\tA\n"
		"\n"
		";; AUTHORITY SECTION:\n"
		"example.com.\t\t3600\tIN\tSOA\tns1.example.com. host.example.com. 1 2 3 4 5\n"
		"\n",
	},
	{
		"long_qname_unknown_class",
		"103a810000010000000000001e6162636465666768696a6b6c6d6e6f70717273"
		"7475767778797a3031323300fde83039",
		"30ce3563a795c824",
		";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4154\n"
		";; flags: qr rd; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0\n"
		";; WARNING: recursion requested but not available\n"
		"\n"
		";; QUESTION SECTION:\n"
		";abcdefghijklmnopqrstuvwxyz0123.\tCLASS12345 TYPE65000\n"
		"\n",
	},
	{
		"chaos_class",
		"87d38100000100000000000001610000100003",
		"be88364e21b2b513",
		";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 34771\n"
		";; flags: qr rd; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0\n"
		";; WARNING: recursion requested but not available\n"
		"\n"
		";; QUESTION SECTION:\n"
		";a.\t\t\t\tCH\tTXT\n"
		"\n",
	},
	{
		"dnssec_flags_bad_cookie",
		"8eac85b00001000200010002076578616d706c6503636f6d0000010001c00c00"
		"0100010000012c000401020304c00c000100010000012c000405060708c00c00"
		"02000100000e100006036e7331c00cc0490001000100000e1000040909090900"
		"002904d0000080000059000300056e73312e78000a0018000102030405060708"
		"090a0b0c0d0e0f1011121314151617000f000700037374616c65000f00020012"
		"000c00050000000000fde900026162000b000200640009000400000e10001100"
		"020102",
		"9106b3eca97bc492",
		";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 36524\n"
		";; flags: qr aa rd ra ad cd; QUERY: 1, ANSWER: 2, AUTHORITY: 1, ADDITIONAL: 2\n"
		"\n"
		";; OPT PSEUDOSECTION:\n"
		"; EDNS: version: 0, flags: do; udp: 1232\n"
		"; NSID: 6e 73 31 2e 78 (\"ns1.x\")\n"
		"; COOKIE: 000102030405060708090a0b0c0d0e0f1011121314151617 (bad)\n"
		"; EDE: 3 (Stale Answer): (stale)\n"
		"; EDE: 18 (Prohibited)\n"
		"; PAD: (5 bytes)\n"
		"; OPT=65001: 61 62 (\"ab\")\n"
		"; TCP KEEPALIVE: 10.0 secs\n"
		"; EXPIRE: 3600 (1 hour)\n"
		"; SERVER-TAG: 258\n"
		";; QUESTION SECTION:\n"
		";example.com.\t\t\tIN\tA\n"
		"\n"
		";; ANSWER SECTION:\n"
		"example.com.\t\t300\tIN\tA\t1.2.3.4\n"
		"example.com.\t\t300\tIN\tA\t5.6.7.8\n"
		"\n"
		";; AUTHORITY SECTION:\n"
		"example.com.\t\t3600\tIN\tNS\tns1.example.com.\n"
		"\n"
		";; ADDITIONAL SECTION:\n"
		"ns1.example.com.\t3600\tIN\tA\t9.9.9.9\n"
		"\n",
	},
};

/* dig +short for the packet of sections_cookie_good asked with TXT. */
static const char short_packet_hex[] =
	"aa308100000100050001000203777777076578616d706c6503636f6d00001000"
	"01c00c000500010000012c00040161c010c02d000100010000012c0004010203"
	"04c02d001000010000012c00060322785c01ffc02d001000010000012c000603"
	"6120620163c02d000f00010000003c0007000a026d78c010c010000600010000"
	"0e100021036e7331c01004686f7374c010000000010000000200000003000000"
	"0400000005c073001c000100000e10001020010db80000000000000000000000"
	"0100002904d0000000000014000a0010b156032eb43f76486162636465666768";
static const char short_expected[] =
	"a.example.com.\n"
	"1.2.3.4\n"
	"\"\\\"x\\\\\" \"\\255\"\n"
	"\"a b\" \"c\"\n"
	"10 mx.example.com.\n";

/* Hand-made: COOKIE of 5 octets, TCP-KEEPALIVE of 1, KEY-TAG of 3, CLIENT-SUBNET with
 * family 3, EDE of 1 octet (all malformed: dig drops such a message) and option 6. */
static const char malformed_options_hex[] =
	"123481000001000000000001076578616d706c6503636f6d000001000100002904d0000000000027"
	"000a00053132333435000b000101000e000300014f0008000400030000000f0001000006000101";
static const char malformed_options_text[] =
	";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4660\n"
	";; flags: qr rd; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1\n"
	";; WARNING: recursion requested but not available\n"
	"\n"
	";; OPT PSEUDOSECTION:\n"
	"; EDNS: version: 0, flags:; udp: 1232\n"
	"; COOKIE: 31 32 33 34 35 (\"12345\")\n"
	"; TCP KEEPALIVE: 01 (\".\")\n"
	"; KEY-TAG: 00 01 4f (\"..O\")\n"
	"; CLIENT-SUBNET: 00 03 00 00 (\"....\")\n"
	"; EDE: 00 (\".\")\n"
	"; OPT=6: 01 (\".\")\n"
	";; QUESTION SECTION:\n"
	";example.com.\t\t\tIN\tA\n"
	"\n";

/* An A record with RDLENGTH 3. */
static const char bad_rdata_hex[] =
	"123481000001000100000000076578616d706c6503636f6d0000010001c00c000100010000012c0003010203";

/* EDE 6 with EXTRA-TEXT a " \ 0x01 U+00E9 (UTF-8), and NSID "n" 0x7f. */
static const char ede_text_hex[] =
	"123481000001000000000001076578616d706c6503636f6d000001000100002904d0000000000012"
	"000f0008000661225c01c3a9000300026e7f";

static size_t hex_to_bytes(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;
	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

/* The packet lives in a buffer of its exact size, so ASan sees any read past it. */
static uint8_t *open_hex(const char *hex, owndns_msg *m)
{
	uint8_t tmp[4096];
	size_t n = hex_to_bytes(hex, tmp, sizeof(tmp));
	uint8_t *pkt = malloc(n);
	assert_non_null(pkt);
	memcpy(pkt, tmp, n);
	assert_int_equal(owndns_msg_open(m, pkt, n), OWNDNS_OK);
	return pkt;
}

#define TEXT_CAP (1 << 16)

static void test_full_text_matches_dig(void **state)
{
	(void)state;
	char *out = malloc(TEXT_CAP);
	assert_non_null(out);
	for (size_t i = 0; i < sizeof(dig_cases) / sizeof(dig_cases[0]); i++) {
		const struct dig_case *c = &dig_cases[i];
		owndns_msg m;
		uint8_t cookie[8];
		owndns_msg_text_options opt = { NULL };
		uint8_t *pkt = open_hex(c->packet_hex, &m);
		if (c->client_cookie_hex) {
			hex_to_bytes(c->client_cookie_hex, cookie, sizeof(cookie));
			opt.client_cookie = cookie;
		}
		int n = owndns_msg_to_text(&m, &opt, out, TEXT_CAP);
		if (n < 0 || strcmp(out, c->dig_text) != 0)
			fail_msg("case %s: got (%d)\n%s\nexpected\n%s", c->name, n, out, c->dig_text);
		assert_int_equal(n, (int)strlen(c->dig_text));
		free(pkt);
	}
	free(out);
}

/* Without the sent cookie nothing can be said about it: no (good)/(bad) suffix. */
static void test_cookie_without_client_cookie(void **state)
{
	(void)state;
	owndns_msg m;
	char out[4096];
	uint8_t *pkt = open_hex(dig_cases[9].packet_hex, &m);
	assert_true(owndns_msg_to_text(&m, NULL, out, sizeof(out)) > 0);
	assert_non_null(strstr(out, "; COOKIE: 000102030405060708090a0b0c0d0e0f1011121314151617\n"));
	free(pkt);
}

static void test_malformed_options_print_opaque(void **state)
{
	(void)state;
	owndns_msg m;
	char out[4096];
	uint8_t *pkt = open_hex(malformed_options_hex, &m);
	assert_int_equal(owndns_msg_to_text(&m, NULL, out, sizeof(out)),
			 (int)strlen(malformed_options_text));
	assert_string_equal(out, malformed_options_text);
	free(pkt);
}

static void test_bad_rdata_prints_generic(void **state)
{
	(void)state;
	owndns_msg m;
	char out[4096];
	uint8_t *pkt = open_hex(bad_rdata_hex, &m);
	assert_true(owndns_msg_to_text(&m, NULL, out, sizeof(out)) > 0);
	assert_non_null(strstr(out, ";; ANSWER SECTION:\nexample.com.\t\t300\tIN\tA\t\\# 3 010203\n\n"));
	assert_int_equal(owndns_msg_to_short_text(&m, out, sizeof(out)), 12);
	assert_string_equal(out, "\\# 3 010203\n");
	free(pkt);
}

static void test_short_text_matches_dig(void **state)
{
	(void)state;
	owndns_msg m;
	char out[4096];
	uint8_t *pkt = open_hex(short_packet_hex, &m);
	assert_int_equal(owndns_msg_to_short_text(&m, out, sizeof(out)), (int)strlen(short_expected));
	assert_string_equal(out, short_expected);
	free(pkt);
	/* NXDOMAIN with only an SOA in AUTHORITY: dig +short prints nothing. */
	pkt = open_hex(dig_cases[6].packet_hex, &m);
	assert_int_equal(owndns_msg_to_short_text(&m, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	free(pkt);
}

static void test_json_sections(void **state)
{
	(void)state;
	static const char expected[] =
		"{\"id\":4660,\"opcode\":\"QUERY\",\"status\":\"NOERROR\",\"flags\":[\"qr\",\"rd\"],"
		"\"question\":[{\"name\":\"example.com.\",\"type\":\"A\",\"class\":\"IN\"}],"
		"\"answer\":[{\"name\":\"example.com.\",\"ttl\":300,\"class\":\"IN\",\"type\":\"A\","
		"\"data\":\"\\\\# 3 010203\"}],\"authority\":[],\"additional\":[],\"edns\":null,"
		"\"tsig\":null,\"msg_size\":44,\"server\":\"127.0.0.1\",\"port\":5353,"
		"\"transport\":\"udp\",\"query_time_ms\":7}\n";
	owndns_msg m;
	char out[4096];
	owndns_msg_json_meta meta = { "127.0.0.1", 5353, "udp", 7 };
	uint8_t *pkt = open_hex(bad_rdata_hex, &m);
	assert_int_equal(owndns_msg_to_json(&m, &meta, out, sizeof(out)), (int)strlen(expected));
	assert_string_equal(out, expected);
	free(pkt);
}

static void test_json_escapes_and_txt(void **state)
{
	(void)state;
	owndns_msg m;
	char out[8192];
	uint8_t *pkt = open_hex(ede_text_hex, &m);
	owndns_msg_json_meta none = { NULL, -1, NULL, -1 };
	assert_true(owndns_msg_to_json(&m, &none, out, sizeof(out)) > 0);
	assert_non_null(strstr(out, "\"edns\":{\"version\":0,\"udp_size\":1232,\"flags\":[],\"options\":["
				    "{\"code\":15,\"name\":\"EDE\",\"data\":\"000661225c01c3a9\","
				    "\"info_code\":6,\"purpose\":\"DNSSEC Bogus\","
				    "\"extra_text\":\"a\\\"\\\\\\u0001\\u00c3\\u00a9\"},"
				    "{\"code\":3,\"name\":\"NSID\",\"data\":\"6e7f\",\"text\":\"n\\u007f\"}]}"));
	assert_non_null(strstr(out, "\"msg_size\":58}\n"));
	free(pkt);
	/* TXT strings with quotes and backslashes inside the data field. */
	pkt = open_hex(dig_cases[5].packet_hex, &m);
	assert_true(owndns_msg_to_json(&m, NULL, out, sizeof(out)) > 0);
	assert_non_null(strstr(out, "\"type\":\"TXT\",\"data\":\"\\\"\\\\\\\"x\\\\\\\\\\\" \\\"\\\\255\\\"\"}"));
	assert_non_null(strstr(out, "\"options\":[{\"code\":10,\"name\":\"COOKIE\","));
	assert_non_null(strstr(out, "\"server\":\"6162636465666768\"}"));
	free(pkt);
}

/* Every buffer size short of the full text: ESPACE, a NUL inside the buffer, no write
 * past it (ASan watches the exact-size heap buffer). */
static void check_every_short_buffer(const char *hex, int mode)
{
	owndns_msg m;
	char full[8192];
	uint8_t *pkt = open_hex(hex, &m);
	int len;
	if (mode == 0)
		len = owndns_msg_to_text(&m, NULL, full, sizeof(full));
	else if (mode == 1)
		len = owndns_msg_to_short_text(&m, full, sizeof(full));
	else
		len = owndns_msg_to_json(&m, NULL, full, sizeof(full));
	assert_true(len > 0);
	for (size_t size = 0; size <= (size_t)len; size++) {
		char *out = malloc(size ? size : 1);
		assert_non_null(out);
		int rc;
		if (mode == 0)
			rc = owndns_msg_to_text(&m, NULL, out, size);
		else if (mode == 1)
			rc = owndns_msg_to_short_text(&m, out, size);
		else
			rc = owndns_msg_to_json(&m, NULL, out, size);
		assert_int_equal(rc, OWNDNS_ESPACE);
		if (size)
			assert_true(memchr(out, '\0', size) != NULL);
		free(out);
	}
	free(pkt);
}

static void test_small_buffers(void **state)
{
	(void)state;
	for (int mode = 0; mode < 3; mode++) {
		check_every_short_buffer(dig_cases[5].packet_hex, mode);
		check_every_short_buffer(dig_cases[9].packet_hex, mode);
	}
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A 64 KiB message of ~10,000 questions prints (four times) in time linear in QDCOUNT: fetching
 * question i by reading the i before it again made it quadratic (seconds).  The bound
 * is generous. */
static void test_many_questions_linear(void **state)
{
	(void)state;
	static uint8_t pkt[OWNDNS_MSG_MAX];
	static char out[2 * 1024 * 1024];
	static const uint8_t qname[] = "\1a\0";
	owndns_header h = { 0 };
	owndns_msg_writer w;
	owndns_msg m;
	struct timespec t0;
	size_t len;
	unsigned count = 0;

	assert_int_equal(owndns_writer_init(&w, pkt, sizeof pkt, &h), OWNDNS_OK);
	while (owndns_writer_question(&w, qname, (uint16_t)(1 + count % 2), 1) == OWNDNS_OK)
		count++;
	assert_true(count > 10000);
	assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
	assert_int_equal(owndns_msg_open(&m, pkt, len), OWNDNS_OK);

	/* Several rounds, so that the quadratic cost stands out clearly from noise. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int round = 0; round < 3; round++)
		assert_true(owndns_msg_to_json(&m, NULL, out, sizeof out) > 0);
	int n = owndns_msg_to_text(&m, NULL, out, sizeof out);
	double took = seconds_since(&t0);
	assert_true(n > 0);
	unsigned lines = 0;
	for (const char *p = out; (p = strchr(p, '\n')) != NULL; p++)
		lines += p[1] == ';' && p[2] == 'a';
	assert_int_equal(lines, count);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = owndns_msg_to_json(&m, NULL, out, sizeof out);
	took += seconds_since(&t0);
	assert_true(n > 0);
	lines = 0;
	for (const char *p = out; (p = strchr(p, '{')) != NULL; p++)
		lines += strncmp(p, "{\"name\":\"a.\"", 12) == 0;
	assert_int_equal(lines, count);
	print_message("%u questions as text and JSON: %.3f s\n", count, took);
	assert_true(took < 0.5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_text_matches_dig),
		cmocka_unit_test(test_cookie_without_client_cookie),
		cmocka_unit_test(test_malformed_options_print_opaque),
		cmocka_unit_test(test_bad_rdata_prints_generic),
		cmocka_unit_test(test_short_text_matches_dig),
		cmocka_unit_test(test_json_sections),
		cmocka_unit_test(test_json_escapes_and_txt),
		cmocka_unit_test(test_small_buffers),
		cmocka_unit_test(test_many_questions_linear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
