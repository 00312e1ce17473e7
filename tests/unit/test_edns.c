/* EDNS(0): OPT decoding, option framing and option formats, the builder, padding and
 * the OPT reservation.  Reference bytes come from dnspython 2.3 (scripts in comments). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <owndns/edns.h>
#include <owndns/rdata.h>

/* dnspython: the response of test_message.c (without SRV): OPT with udp 1232, DO,
 * NSID "ns1", COOKIE 01..08 + a0..af, EDE 3 "stale". */
static const char RESPONSE_HEX[] =
	"123485800001000300020003076578616d706c6503636f6d00000f0001c00c000f000100000e1000"
	"080014036d7832c00cc00c000f000100000e100009000a046d61696cc00c03777777c00c00050001"
	"0000012c0002c00cc00c0006000100000e100027036e7331c00c0a686f73746d6173746572c00c78"
	"a3f17500001c2000000e10001275000000012cc00c0002000100000e100002c064c03f0001000100"
	"000e100004c0000201c064001c000100000e10001020010db8000000000000000000000001000029"
	"04d000008000002e000300036e7331000a00180102030405060708a0a1a2a3a4a5a6a7a8a9aaabac"
	"adaeaf000f000700037374616c65";

/* dnspython: make_query('example.com.', 'A', use_edns=0, want_dnssec=True,
 * payload=1232, options=[GenericOption(3, b''), GenericOption(10, bytes(range(1, 9))),
 * ECSOption('192.0.2.77', 22)]), id 0xbeef, flags RD. */
static const char QUERY_HEX[] =
	"beef01000001000000000001076578616d706c6503636f6d000001000100002904d000008000001b"
	"00030000000a000801020304050607080008000700011600c00000";

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
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

static owndns_edns_option option(const char *hex, uint8_t *buf)
{
	owndns_edns_option o = { 0, (uint16_t)unhex(hex, buf, 64), buf };
	return o;
}

/* Query a. A IN with additional records given in hex. */
static int open_query(const char *additional_hex, uint16_t arcount, uint8_t rcode,
		      owndns_msg *m)
{
	static uint8_t pkt[1024];
	memcpy(pkt, "\x55\x66\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
	pkt[3] = rcode;
	pkt[11] = (uint8_t)arcount;
	size_t len = 12 + unhex("01610000010001", pkt + 12, 16);
	len += unhex(additional_hex, pkt + len, sizeof(pkt) - len);
	return owndns_msg_open(m, pkt, len);
}

/* ---- Reading ------------------------------------------------------------------ */

static void test_edns_from_response(void **state)
{
	(void)state;
	uint8_t pkt[512];
	size_t len = unhex(RESPONSE_HEX, pkt, sizeof(pkt));
	owndns_msg m;
	owndns_edns e;
	owndns_edns_option o;
	assert_int_equal(owndns_msg_open(&m, pkt, len), OWNDNS_OK);
	assert_int_equal(owndns_edns_from_msg(&m, &e), OWNDNS_OK);
	assert_int_equal(e.udp_size, 1232);
	assert_int_equal(e.udp_size_raw, 1232);
	assert_true(e.dnssec_ok);
	assert_int_equal(e.version, 0);
	assert_int_equal(e.ext_rcode, 0);
	assert_int_equal(e.z, 0);
	assert_int_equal(e.options_len, 46);
	assert_int_equal(owndns_msg_rcode(&m), OWNDNS_RCODE_NOERROR);

	owndns_edns_opt_iter it;
	owndns_edns_opt_iter_init(&it, e.options, e.options_len);
	assert_int_equal(owndns_edns_opt_next(&it, &o), 1);
	assert_int_equal(o.code, OWNDNS_EDNS_NSID);
	assert_int_equal(o.len, 3);
	assert_memory_equal(o.data, "ns1", 3);
	assert_int_equal(owndns_edns_opt_next(&it, &o), 1);
	assert_int_equal(o.code, OWNDNS_EDNS_COOKIE);
	owndns_edns_cookie c;
	assert_int_equal(owndns_edns_parse_cookie(&o, &c), OWNDNS_OK);
	assert_memory_equal(c.client, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	assert_int_equal(c.server_len, 16);
	assert_int_equal(c.server[0], 0xa0);
	assert_int_equal(c.server[15], 0xaf);
	assert_int_equal(owndns_edns_opt_next(&it, &o), 1);
	assert_int_equal(o.code, OWNDNS_EDNS_EDE);
	uint16_t info;
	const uint8_t *text;
	size_t text_len;
	assert_int_equal(owndns_edns_parse_ede(&o, &info, &text, &text_len), OWNDNS_OK);
	assert_int_equal(info, 3);
	assert_int_equal(text_len, 5);
	assert_memory_equal(text, "stale", 5);
	assert_string_equal(owndns_ede_name(info), "Stale Answer");
	assert_int_equal(owndns_edns_opt_next(&it, &o), 0);

	assert_int_equal(owndns_edns_find_option(&e, OWNDNS_EDNS_EDE, &o), OWNDNS_OK);
	assert_int_equal(o.len, 7);
	assert_int_equal(owndns_edns_find_option(&e, OWNDNS_EDNS_PADDING, &o), OWNDNS_ENOTFOUND);
}

static void test_edns_absent_and_fields(void **state)
{
	(void)state;
	owndns_msg m;
	owndns_edns e;
	assert_int_equal(open_query("", 0, 3, &m), OWNDNS_OK);
	assert_int_equal(owndns_edns_from_msg(&m, &e), OWNDNS_ENOTFOUND);
	assert_int_equal(owndns_msg_rcode(&m), OWNDNS_RCODE_NXDOMAIN);

	/* udp 100 (raised to 512), ext rcode 1, version 2, DO and Z bit 0x0001. */
	assert_int_equal(open_query("00002900640102800100", 1, 0, &m), OWNDNS_ETRUNCATED);
	assert_int_equal(open_query("0000290064010280010000", 1, 0, &m), OWNDNS_OK);
	assert_int_equal(owndns_edns_from_msg(&m, &e), OWNDNS_OK);
	assert_int_equal(e.udp_size, 512);
	assert_int_equal(e.udp_size_raw, 100);
	assert_int_equal(e.ext_rcode, 1);
	assert_int_equal(e.version, 2);
	assert_true(e.dnssec_ok);
	assert_int_equal(e.z, 1);
	assert_int_equal(e.options_len, 0);
	/* Extended RCODE 1 over header RCODE 0 is 16, BADVERS (RFC 6891 §6.1.3). */
	assert_int_equal(owndns_msg_rcode(&m), OWNDNS_RCODE_BADVERS);
	assert_int_equal(owndns_edns_rcode(0xff, 0xf), 4095);
	assert_int_equal(owndns_edns_rcode(1, 7), 23);

	/* 512 itself and larger values are kept. */
	assert_int_equal(open_query("000029020000000000" "0000", 1, 0, &m), OWNDNS_OK);
	assert_int_equal(owndns_edns_from_msg(&m, &e), OWNDNS_OK);
	assert_int_equal(e.udp_size, 512);
	assert_false(e.dnssec_ok);
	assert_int_equal(open_query("000029ffff000000000000", 1, 0, &m), OWNDNS_OK);
	assert_int_equal(owndns_edns_from_msg(&m, &e), OWNDNS_OK);
	assert_int_equal(e.udp_size, 65535);
}

static void test_edns_option_framing(void **state)
{
	(void)state;
	owndns_msg m;
	owndns_edns e;
	owndns_edns_option o;
	/* COOKIE announcing 9 octets with 8 present: runs past the RDATA. */
	assert_int_equal(open_query("000029100000000000" "000c" "000a00090102030405060708",
				    1, 0, &m), OWNDNS_OK);
	assert_int_equal(owndns_edns_from_msg(&m, &e), OWNDNS_EEDNS_OPTION);
	/* Three octets: an option header cut short. */
	assert_int_equal(open_query("0000291000000000000003" "000a00", 1, 0, &m), OWNDNS_OK);
	assert_int_equal(owndns_edns_from_msg(&m, &e), OWNDNS_EEDNS_OPTION);
	/* A good option followed by a bad one: find_option reports the bad framing only
	 * when it has to walk past it. */
	assert_int_equal(open_query("0000291000000000000007" "00030000" "000c00", 1, 0, &m),
			 OWNDNS_OK);
	assert_int_equal(owndns_edns_from_msg(&m, &e), OWNDNS_EEDNS_OPTION);
	assert_int_equal(owndns_edns_find_option(&e, OWNDNS_EDNS_NSID, &o), OWNDNS_OK);
	assert_int_equal(o.len, 0);
	assert_int_equal(owndns_edns_find_option(&e, OWNDNS_EDNS_EDE, &o), OWNDNS_EEDNS_OPTION);
	/* Zero-length options back to back are fine. */
	assert_int_equal(open_query("0000291000000000000008" "000c0000" "000b0000", 1, 0, &m),
			 OWNDNS_OK);
	assert_int_equal(owndns_edns_from_msg(&m, &e), OWNDNS_OK);
}

static void test_option_names(void **state)
{
	(void)state;
	assert_string_equal(owndns_edns_option_name(OWNDNS_EDNS_NSID), "NSID");
	assert_string_equal(owndns_edns_option_name(OWNDNS_EDNS_CLIENT_SUBNET), "CLIENT-SUBNET");
	assert_string_equal(owndns_edns_option_name(OWNDNS_EDNS_TCP_KEEPALIVE), "TCP-KEEPALIVE");
	assert_string_equal(owndns_edns_option_name(OWNDNS_EDNS_EDE), "EDE");
	assert_null(owndns_edns_option_name(0));
	assert_null(owndns_edns_option_name(65001));
	assert_string_equal(owndns_ede_name(0), "Other");
	assert_string_equal(owndns_ede_name(1), "Unsupported DNSKEY Algorithm");
	assert_string_equal(owndns_ede_name(24), "Invalid Data");
	assert_string_equal(owndns_ede_name(30), "Invalid Query Type");
	assert_null(owndns_ede_name(31));
	assert_null(owndns_ede_name(0xffff));
}

/* ---- Option formats ----------------------------------------------------------- */

static void test_cookie_lengths(void **state)
{
	(void)state;
	uint8_t buf[64];
	owndns_edns_cookie c;
	memset(buf, 0x11, sizeof(buf));
	static const struct {
		uint16_t len;
		int rc;
	} cases[] = { { 0, OWNDNS_EEDNS_OPTION },  { 7, OWNDNS_EEDNS_OPTION },
		      { 8, OWNDNS_OK },            { 9, OWNDNS_EEDNS_OPTION },
		      { 15, OWNDNS_EEDNS_OPTION }, { 16, OWNDNS_OK },
		      { 40, OWNDNS_OK },           { 41, OWNDNS_EEDNS_OPTION } };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		owndns_edns_option o = { OWNDNS_EDNS_COOKIE, cases[i].len, buf };
		assert_int_equal(owndns_edns_parse_cookie(&o, &c), cases[i].rc);
		if (!cases[i].rc)
			assert_int_equal(c.server_len, cases[i].len - 8);
	}
}

static void test_ecs_parse(void **state)
{
	(void)state;
	uint8_t buf[64];
	owndns_edns_ecs ecs;
	owndns_edns_option o;

	o = option("00011600c00000", buf); /* 192.0.0.0/22, dnspython's form */
	assert_int_equal(owndns_edns_parse_ecs(&o, &ecs), OWNDNS_OK);
	assert_int_equal(ecs.family, 1);
	assert_int_equal(ecs.source_prefix, 22);
	assert_int_equal(ecs.scope_prefix, 0);
	assert_memory_equal(ecs.address, "\xc0\x00\x00\x00", 4);
	o = option("0002380020010db8123456", buf); /* 2001:db8:1234:5600::/56 */
	assert_int_equal(owndns_edns_parse_ecs(&o, &ecs), OWNDNS_OK);
	assert_int_equal(ecs.family, 2);
	assert_memory_equal(ecs.address, "\x20\x01\x0d\xb8\x12\x34\x56\x00", 8);
	o = option("00010000", buf); /* /0: no address octets */
	assert_int_equal(owndns_edns_parse_ecs(&o, &ecs), OWNDNS_OK);
	o = option("00012018c0000201", buf); /* /32 with scope 24 */
	assert_int_equal(owndns_edns_parse_ecs(&o, &ecs), OWNDNS_OK);
	assert_int_equal(ecs.scope_prefix, 24);

	static const char *const bad[] = {
		"000116",           /* shorter than the fixed part */
		"00031800c00002",   /* unknown family */
		"00002000",         /* family 0 */
		"00012100c0000201", /* source /33 for IPv4 */
		"00011821c00002",   /* scope /33 for IPv4 */
		"00028100",         /* source /129 for IPv6 */
		"00011800c000",     /* /24 with 2 address octets */
		"00011800c0000201", /* /24 with 4 address octets */
		"00011700c00003",   /* /23 with bit 24 set */
		"00011600c00002",   /* /22 with bit 23 set (192.0.2.0/22) */
		"00010100c0",       /* /1 with bit 2 set */
		"0001000000",       /* /0 with an address octet */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = option(bad[i], buf);
		assert_int_equal(owndns_edns_parse_ecs(&o, &ecs), OWNDNS_EEDNS_OPTION);
	}
}

static void test_expire_keepalive_ede(void **state)
{
	(void)state;
	uint8_t buf[64];
	owndns_edns_option o;
	bool has;
	uint32_t expire;
	uint16_t timeout;

	o = option("", buf);
	assert_int_equal(owndns_edns_parse_expire(&o, &has, &expire), OWNDNS_OK);
	assert_false(has);
	o = option("00093a80", buf);
	assert_int_equal(owndns_edns_parse_expire(&o, &has, &expire), OWNDNS_OK);
	assert_true(has);
	assert_int_equal(expire, 604800);
	o = option("000001", buf);
	assert_int_equal(owndns_edns_parse_expire(&o, &has, &expire), OWNDNS_EEDNS_OPTION);
	o = option("0000000001", buf);
	assert_int_equal(owndns_edns_parse_expire(&o, &has, &expire), OWNDNS_EEDNS_OPTION);

	o = option("", buf);
	assert_int_equal(owndns_edns_parse_keepalive(&o, &has, &timeout), OWNDNS_OK);
	assert_false(has);
	o = option("0096", buf);
	assert_int_equal(owndns_edns_parse_keepalive(&o, &has, &timeout), OWNDNS_OK);
	assert_true(has);
	assert_int_equal(timeout, 150);
	o = option("01", buf);
	assert_int_equal(owndns_edns_parse_keepalive(&o, &has, &timeout), OWNDNS_EEDNS_OPTION);
	o = option("000096", buf);
	assert_int_equal(owndns_edns_parse_keepalive(&o, &has, &timeout), OWNDNS_EEDNS_OPTION);

	uint16_t info;
	const uint8_t *text;
	size_t text_len;
	o = option("0012", buf);
	assert_int_equal(owndns_edns_parse_ede(&o, &info, &text, &text_len), OWNDNS_OK);
	assert_int_equal(info, 18);
	assert_int_equal(text_len, 0);
	assert_null(text);
	o = option("00", buf);
	assert_int_equal(owndns_edns_parse_ede(&o, &info, &text, &text_len), OWNDNS_EEDNS_OPTION);
}

/* ---- Building ----------------------------------------------------------------- */

static void test_builder_matches_dnspython(void **state)
{
	(void)state;
	uint8_t storage[128], out[512], qname[OWNDNS_NAME_MAX], want[512];
	size_t qlen, len;
	owndns_edns_builder b;
	owndns_msg_writer w;
	owndns_header h = { .id = 0xbeef, .flags = OWNDNS_FLAG_RD };

	owndns_edns_builder_init(&b, storage, sizeof(storage), 1232);
	b.dnssec_ok = true;
	assert_int_equal(owndns_edns_add_nsid(&b, NULL, 0), OWNDNS_OK);
	owndns_edns_cookie c = { .client = { 1, 2, 3, 4, 5, 6, 7, 8 } };
	assert_int_equal(owndns_edns_add_cookie(&b, &c), OWNDNS_OK);
	/* A full address is accepted and cut to its prefix, as dnspython does. */
	owndns_edns_ecs ecs = { .family = 1, .source_prefix = 22, .address = { 192, 0, 2, 77 } };
	assert_int_equal(owndns_edns_add_ecs(&b, &ecs), OWNDNS_OK);
	assert_int_equal(owndns_edns_size(&b), 11 + 27);

	assert_int_equal(owndns_name_from_text("example.com.", 12, NULL, qname, &qlen), OWNDNS_OK);
	assert_int_equal(owndns_writer_init(&w, out, sizeof(out), &h), OWNDNS_OK);
	assert_int_equal(owndns_writer_question(&w, qname, OWNDNS_TYPE_A, OWNDNS_CLASS_IN),
			 OWNDNS_OK);
	assert_int_equal(owndns_writer_edns(&w, &b), OWNDNS_OK);
	assert_int_equal(owndns_writer_edns(&w, &b), OWNDNS_ESTATE);
	assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
	size_t want_len = unhex(QUERY_HEX, want, sizeof(want));
	assert_int_equal(len, want_len);
	assert_memory_equal(out, want, want_len);
}

static void test_builder_options(void **state)
{
	(void)state;
	uint8_t storage[64], big[64];
	owndns_edns_builder b;

	owndns_edns_builder_init(&b, storage, sizeof(storage), 4096);
	owndns_edns_cookie c = { .client = { 1 }, .server_len = 7 };
	assert_int_equal(owndns_edns_add_cookie(&b, &c), OWNDNS_EINVAL);
	c.server_len = 33;
	assert_int_equal(owndns_edns_add_cookie(&b, &c), OWNDNS_EINVAL);
	owndns_edns_ecs ecs = { .family = 3, .source_prefix = 8 };
	assert_int_equal(owndns_edns_add_ecs(&b, &ecs), OWNDNS_EINVAL);
	ecs.family = 1;
	ecs.source_prefix = 33;
	assert_int_equal(owndns_edns_add_ecs(&b, &ecs), OWNDNS_EINVAL);
	ecs.source_prefix = 32;
	ecs.scope_prefix = 33;
	assert_int_equal(owndns_edns_add_ecs(&b, &ecs), OWNDNS_EINVAL);
	assert_int_equal(b.opts.len, 0);

	/* IPv6 /56 of a full address: 7 octets, as dnspython writes it. */
	owndns_edns_ecs ecs6 = { .family = 2, .source_prefix = 56,
				 .address = { 0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
					      0, 0, 0, 0, 0, 0, 0, 1 } };
	assert_int_equal(owndns_edns_add_ecs(&b, &ecs6), OWNDNS_OK);
	assert_int_equal(owndns_edns_add_expire(&b, true, 604800), OWNDNS_OK);
	assert_int_equal(owndns_edns_add_keepalive(&b, false, 0), OWNDNS_OK);
	assert_int_equal(owndns_edns_add_ede(&b, 18, "no", 2), OWNDNS_OK);
	static const char want[] = "0008000b" "0002380020010db8123456" "00090004" "00093a80"
				   "000b0000" "000f0004" "0012" "6e6f";
	size_t want_len = unhex(want, big, sizeof(big));
	assert_int_equal(b.opts.len, want_len);
	assert_memory_equal(storage, big, want_len);

	/* Storage full: nothing partial is appended. */
	assert_int_equal(owndns_edns_add_nsid(&b, big, 30), OWNDNS_ESPACE);
	assert_int_equal(owndns_edns_add_ede(&b, 0, (const char *)big, 27), OWNDNS_ESPACE);
	assert_int_equal(b.opts.len, want_len);
	assert_int_equal(owndns_edns_add_nsid(&b, "ab", 2), OWNDNS_OK);

	/* And what we build parses back. */
	owndns_edns_option o = { OWNDNS_EDNS_CLIENT_SUBNET, 11, storage + 4 };
	owndns_edns_ecs back;
	assert_int_equal(owndns_edns_parse_ecs(&o, &back), OWNDNS_OK);
	assert_int_equal(back.source_prefix, 56);
}

/* RFC 7830 / RFC 8467 block padding.  dnspython 2.3 parsed a padded 128-octet query
 * of ours (checked once) with all options intact. */
static void test_padding(void **state)
{
	(void)state;
	uint8_t storage[64], out[512], qname[OWNDNS_NAME_MAX];
	size_t qlen, len;
	owndns_edns_builder b;
	owndns_msg_writer w;
	owndns_header h = { .id = 1 };

	assert_int_equal(owndns_name_from_text("example.com.", 12, NULL, qname, &qlen), OWNDNS_OK);
	for (size_t cap = 80; cap <= 512; cap += 16) {
		owndns_edns_builder_init(&b, storage, sizeof(storage), 1232);
		owndns_edns_set_padding(&b, OWNDNS_EDNS_PAD_BLOCK_QUERY);
		owndns_edns_cookie c = { .client = { 9 } };
		assert_int_equal(owndns_edns_add_cookie(&b, &c), OWNDNS_OK);
		assert_int_equal(owndns_edns_size(&b), 11 + 12 + 4);
		assert_int_equal(owndns_writer_init(&w, out, cap, &h), OWNDNS_OK);
		assert_int_equal(owndns_writer_question(&w, qname, 1, 1), OWNDNS_OK);
		assert_int_equal(owndns_writer_edns(&w, &b), OWNDNS_OK);
		assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
		/* 29 + 27 = 56 unpadded: padded to 128, or to the whole buffer. */
		assert_int_equal(len, cap < 128 ? cap : 128);

		owndns_msg m;
		owndns_edns e;
		owndns_edns_option o;
		assert_int_equal(owndns_msg_open(&m, out, len), OWNDNS_OK);
		assert_int_equal(owndns_edns_from_msg(&m, &e), OWNDNS_OK);
		assert_int_equal(owndns_edns_find_option(&e, OWNDNS_EDNS_PADDING, &o), OWNDNS_OK);
		assert_int_equal(o.len, len - 56);
		for (size_t i = 0; i < o.len; i++)
			assert_int_equal(o.data[i], 0);
	}
	/* Exactly the unpadded size: an empty PADDING option. */
	assert_int_equal(owndns_writer_init(&w, out, 56, &h), OWNDNS_OK);
	assert_int_equal(owndns_writer_question(&w, qname, 1, 1), OWNDNS_OK);
	assert_int_equal(owndns_writer_edns(&w, &b), OWNDNS_OK);
	assert_int_equal(owndns_writer_length(&w), 56);
	assert_memory_equal(out + 52, "\x00\x0c\x00\x00", 4);
	/* No room for the PADDING option: the OPT goes without it. */
	assert_int_equal(owndns_writer_init(&w, out, 55, &h), OWNDNS_OK);
	assert_int_equal(owndns_writer_question(&w, qname, 1, 1), OWNDNS_OK);
	assert_int_equal(owndns_writer_edns(&w, &b), OWNDNS_OK);
	assert_int_equal(owndns_writer_length(&w), 52);
	/* Responses: a 468-octet block. */
	owndns_edns_set_padding(&b, OWNDNS_EDNS_PAD_BLOCK_RESPONSE);
	assert_int_equal(owndns_writer_init(&w, out, 512, &h), OWNDNS_OK);
	assert_int_equal(owndns_writer_question(&w, qname, 1, 1), OWNDNS_OK);
	assert_int_equal(owndns_writer_edns(&w, &b), OWNDNS_OK);
	assert_int_equal(owndns_writer_length(&w), 468);
}

/* Fills a 512-octet response with A records until one does not fit. */
static int fill_then_opt(bool reserve, size_t *len, unsigned *answers)
{
	static uint8_t out[512];
	uint8_t storage[32], qname[OWNDNS_NAME_MAX], owner[OWNDNS_NAME_MAX];
	static const uint8_t a[] = { 192, 0, 2, 1 };
	owndns_edns_builder b;
	owndns_msg_writer w;
	owndns_header h = { .id = 9, .flags = OWNDNS_FLAG_QR };
	size_t n;

	owndns_edns_builder_init(&b, storage, sizeof(storage), 1232);
	owndns_edns_cookie c = { .client = { 1 } };
	assert_int_equal(owndns_edns_add_cookie(&b, &c), OWNDNS_OK);
	assert_int_equal(owndns_writer_init(&w, out, sizeof(out), &h), OWNDNS_OK);
	if (reserve)
		assert_int_equal(owndns_writer_reserve(&w, owndns_edns_size(&b)), OWNDNS_OK);
	assert_int_equal(owndns_name_from_text("example.", 8, NULL, qname, &n), OWNDNS_OK);
	assert_int_equal(owndns_writer_question(&w, qname, 1, 1), OWNDNS_OK);
	for (int i = 0;; i++) {
		char text[32];
		snprintf(text, sizeof(text), "h%03d.example.", i);
		assert_int_equal(owndns_name_from_text(text, strlen(text), NULL, owner, &n),
				 OWNDNS_OK);
		owndns_rr rr = { owner, OWNDNS_TYPE_A, 1, 60, 4, a };
		int rc = owndns_writer_rr(&w, OWNDNS_SECTION_ANSWER, &rr);
		if (rc) {
			assert_int_equal(rc, OWNDNS_ETRUNCATED_MSG);
			break;
		}
	}
	owndns_header_set_flag(owndns_writer_header(&w), OWNDNS_FLAG_TC, true);
	int rc = owndns_writer_edns(&w, &b);
	assert_int_equal(owndns_writer_finish(&w, len), OWNDNS_OK);
	*answers = w.hdr.count[OWNDNS_SECTION_ANSWER];
	if (!rc) {
		owndns_msg m;
		owndns_edns e;
		assert_int_equal(owndns_msg_open(&m, out, *len), OWNDNS_OK);
		assert_true(owndns_header_flag(&m.hdr, OWNDNS_FLAG_TC));
		assert_int_equal(owndns_edns_from_msg(&m, &e), OWNDNS_OK);
		assert_int_equal(e.udp_size, 1232);
	}
	return rc;
}

static void test_opt_reservation(void **state)
{
	(void)state;
	size_t len;
	unsigned answers;
	/* 12 + 13 = 25, then 21-octet records: 23 fit in 512 (508), 4 octets left,
	 * which is no room for the 23-octet OPT... */
	assert_int_equal(fill_then_opt(false, &len, &answers), OWNDNS_ETRUNCATED_MSG);
	assert_int_equal(answers, 23);
	assert_int_equal(len, 25 + 23 * 21);
	/* ... unless it was reserved: one answer fewer, and the OPT is there. */
	assert_int_equal(fill_then_opt(true, &len, &answers), OWNDNS_OK);
	assert_int_equal(answers, 22);
	assert_int_equal(len, 25 + 22 * 21 + 23);
	assert_true(len <= 512);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edns_from_response),
		cmocka_unit_test(test_edns_absent_and_fields),
		cmocka_unit_test(test_edns_option_framing),
		cmocka_unit_test(test_option_names),
		cmocka_unit_test(test_cookie_lengths),
		cmocka_unit_test(test_ecs_parse),
		cmocka_unit_test(test_expire_keepalive_ede),
		cmocka_unit_test(test_builder_matches_dnspython),
		cmocka_unit_test(test_builder_options),
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_opt_reservation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
