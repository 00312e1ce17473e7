/* RDATA engine: wire checks per field kind, decompression rules of RFC 3597 §4, the
 * generic form, type/class mnemonics and canonical form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <owndns/rdata.h>

#define W(s) (const uint8_t *)(s), sizeof(s) - 1

static void test_malformed_wire_per_kind(void **state)
{
	(void)state;
	static const struct {
		uint16_t type;
		const char *rdata;
		size_t len;
		int want;
	} cases[] = {
		{ OWNDNS_TYPE_A, "\1\2\3", 3, OWNDNS_ETRUNCATED },
		{ OWNDNS_TYPE_A, "\1\2\3\4\5", 5, OWNDNS_ETRAILING },
		{ OWNDNS_TYPE_AAAA, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 15, OWNDNS_ETRUNCATED },
		{ OWNDNS_TYPE_NS, "\1a", 2, OWNDNS_ETRUNCATED },
		{ OWNDNS_TYPE_NS, "\1a\0\0", 4, OWNDNS_ETRAILING },
		/* compression pointers are never valid in uncompressed RDATA */
		{ OWNDNS_TYPE_NS, "\xc0\x0c", 2, OWNDNS_EPTR_FORBIDDEN },
		{ OWNDNS_TYPE_NS, "\x41", 1, OWNDNS_ELABEL_TYPE },
		{ OWNDNS_TYPE_MX, "\0", 1, OWNDNS_ETRUNCATED },
		{ OWNDNS_TYPE_SOA, "\0\0\0\0\0\1\0\0\0\2\0\0\0\3\0\0\0\4\0\0\0", 21, OWNDNS_ETRUNCATED },
		{ OWNDNS_TYPE_TXT, "", 0, OWNDNS_ETRUNCATED },
		{ OWNDNS_TYPE_TXT, "\3ab", 3, OWNDNS_ETRUNCATED },
		{ OWNDNS_TYPE_TXT, "\1a\2b", 4, OWNDNS_ETRUNCATED },
		{ OWNDNS_TYPE_HINFO, "\1a", 2, OWNDNS_ETRUNCATED },
		{ OWNDNS_TYPE_HINFO, "\0\0\0", 3, OWNDNS_ETRAILING },
		{ OWNDNS_TYPE_DS, "\0\1\2\3", 4, OWNDNS_ETRUNCATED },
		{ OWNDNS_TYPE_DHCID, "", 0, OWNDNS_ETRUNCATED },
		{ OWNDNS_TYPE_RRSIG, "\0\1\10\2\0\0\1\54\0\0\0\1\0\0\0\1\60\71\0", 19, OWNDNS_ETRUNCATED },
		{ OWNDNS_TYPE_NSEC3PARAM, "\1\0\0\0\2\xaa", 6, OWNDNS_ETRUNCATED },
		{ OWNDNS_TYPE_NSEC3, "\1\0\0\0\0\0", 6, OWNDNS_ERDATA },
		{ OWNDNS_TYPE_NSEC3, "\1\0\0\0\0\2\1", 7, OWNDNS_ETRUNCATED },
		{ OWNDNS_TYPE_CAA, "\0\0", 2, OWNDNS_ERDATA },
		{ OWNDNS_TYPE_CAA, "\0\2a-", 4, OWNDNS_ERDATA },
		{ OWNDNS_TYPE_CAA, "\0\5issu", 6, OWNDNS_ETRUNCATED },
		{ OWNDNS_TYPE_EUI48, "\0\0\0\0\0\0\0", 7, OWNDNS_ETRAILING },
		{ OWNDNS_TYPE_EUI64, "\0\0\0\0\0\0\0", 7, OWNDNS_ETRUNCATED },
		{ OWNDNS_TYPE_URI, "\0\1\0", 3, OWNDNS_ETRUNCATED },
		/* RFC 4034 §4.1.2 bitmaps */
		{ OWNDNS_TYPE_NSEC, "\0\0\0", 3, OWNDNS_EBITMAP },
		{ OWNDNS_TYPE_NSEC, "\0\0\41\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 36, OWNDNS_EBITMAP },
		{ OWNDNS_TYPE_NSEC, "\0\1\1\100\1\1\1\0\1\100", 10, OWNDNS_EBITMAP },
		{ OWNDNS_TYPE_NSEC, "\0\1\1\100\1\1\100\1\1\100", 10, OWNDNS_EBITMAP },
		{ OWNDNS_TYPE_NSEC, "\0\0\2\100", 4, OWNDNS_ETRUNCATED },
		{ OWNDNS_TYPE_NSEC, "\0\0", 2, OWNDNS_ETRUNCATED },
		/* RFC 4034 §4.1.2: no trailing zero octets, no block without types (they
		 * would not survive printing and reading back) */
		{ OWNDNS_TYPE_NSEC, "\0\0\2\100\0", 5, OWNDNS_EBITMAP },
		{ OWNDNS_TYPE_NSEC, "\0\0\1\100\1\1\0", 7, OWNDNS_EBITMAP },
		{ OWNDNS_TYPE_NSEC3, "\1\0\0\0\0\1\377\0\2\100\0", 11, OWNDNS_EBITMAP },
		{ OWNDNS_TYPE_CSYNC, "\0\0\0\1\0\0\0\1\0", 9, OWNDNS_EBITMAP },
		{ OWNDNS_TYPE_CSYNC, "\0\0\0\1\0\0\0", 7, OWNDNS_ETRUNCATED },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = owndns_rdata_check(cases[i].type, (const uint8_t *)cases[i].rdata, cases[i].len);
		if (rc != cases[i].want)
			fail_msg("case %zu (type %u): got %d want %d", i, cases[i].type, rc, cases[i].want);
	}
}

static void test_valid_edge_wire(void **state)
{
	(void)state;
	/* empty bitmap, TYPE0 alone and two ordered windows are accepted */
	assert_int_equal(owndns_rdata_check(OWNDNS_TYPE_NSEC, W("\0")), OWNDNS_OK);
	assert_int_equal(owndns_rdata_check(OWNDNS_TYPE_NSEC, W("\0\0\1\200")), OWNDNS_OK);
	assert_int_equal(owndns_rdata_check(OWNDNS_TYPE_NSEC, W("\0\0\1\100\1\1\100")), OWNDNS_OK);
	assert_int_equal(owndns_rdata_check(OWNDNS_TYPE_DNSKEY, W("\1\1\3\10")), OWNDNS_OK);
	assert_int_equal(owndns_rdata_check(OWNDNS_TYPE_CAA, W("\0\5issue")), OWNDNS_OK);
	/* unknown types are opaque: anything goes */
	assert_int_equal(owndns_rdata_check(65000, W("\xc0\x0c")), OWNDNS_OK);
	assert_int_equal(owndns_rdata_check(OWNDNS_TYPE_NULL, W("")), OWNDNS_OK);
}

/* A message with "example." at offset 12 and an MX whose exchange is "mx" + pointer. */
static const uint8_t msg[] = {
	0, 0, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0,
	7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,               /* 12: example. */
	0, 10, 2, 'm', 'x', 0xc0, 12,                          /* 21: MX 10 mx.<ptr> */
	2, 'r', 'p', 0xc0, 12, 0,                              /* 28: RP rp.<ptr> . */
	0xc0, 12, 0, 1,                                        /* 34: names */
};

static void test_unpack_decompresses_where_allowed(void **state)
{
	(void)state;
	uint8_t out[OWNDNS_RDATA_MAX];
	size_t len;
	assert_int_equal(owndns_rdata_unpack(OWNDNS_TYPE_MX, msg, sizeof msg, 21, 7, out,
					     sizeof out, &len), OWNDNS_OK);
	assert_int_equal(len, 14);
	assert_memory_equal(out, "\0\12\2mx\7example\0", 14);
	/* NAME_D: RP may be decompressed on read (RFC 3597 §4) */
	assert_int_equal(owndns_rdata_unpack(OWNDNS_TYPE_RP, msg, sizeof msg, 28, 6, out,
					     sizeof out, &len), OWNDNS_OK);
	assert_int_equal(len, 13);
	assert_memory_equal(out, "\2rp\7example\0\0", 13);
	/* NAME_C on its own */
	assert_int_equal(owndns_rdata_unpack(OWNDNS_TYPE_CNAME, msg, sizeof msg, 34, 2, out,
					     sizeof out, &len), OWNDNS_OK);
	assert_memory_equal(out, "\7example\0", 9);
	/* plain NAME fields (DNAME, NSEC next name) must not carry pointers */
	assert_int_equal(owndns_rdata_unpack(OWNDNS_TYPE_DNAME, msg, sizeof msg, 34, 2, out,
					     sizeof out, &len), OWNDNS_EPTR_FORBIDDEN);
	assert_int_equal(owndns_rdata_unpack(OWNDNS_TYPE_NSEC, msg, sizeof msg, 34, 4, out,
					     sizeof out, &len), OWNDNS_EPTR_FORBIDDEN);
	/* a name running past RDLENGTH, trailing octets, RDLENGTH past the message */
	assert_int_equal(owndns_rdata_unpack(OWNDNS_TYPE_MX, msg, sizeof msg, 21, 6, out,
					     sizeof out, &len), OWNDNS_ETRUNCATED);
	assert_int_equal(owndns_rdata_unpack(OWNDNS_TYPE_CNAME, msg, sizeof msg, 34, 3, out,
					     sizeof out, &len), OWNDNS_ETRAILING);
	assert_int_equal(owndns_rdata_unpack(OWNDNS_TYPE_CNAME, msg, sizeof msg, 36, 3, out,
					     sizeof out, &len), OWNDNS_ETRUNCATED);
	/* unknown type: copied as is, pointers and all */
	assert_int_equal(owndns_rdata_unpack(65000, msg, sizeof msg, 34, 2, out, sizeof out,
					     &len), OWNDNS_OK);
	assert_int_equal(len, 2);
	/* small output */
	assert_int_equal(owndns_rdata_unpack(OWNDNS_TYPE_MX, msg, sizeof msg, 21, 7, out, 13,
					     &len), OWNDNS_ESPACE);
}

static void test_text_errors(void **state)
{
	(void)state;
	static const struct {
		uint16_t type;
		const char *text;
		int want;
	} cases[] = {
		{ OWNDNS_TYPE_A, "1.2.3", OWNDNS_EIPV4 },
		{ OWNDNS_TYPE_A, "1.2.3.256", OWNDNS_EIPV4 },
		{ OWNDNS_TYPE_A, "", OWNDNS_ESYNTAX },
		{ OWNDNS_TYPE_AAAA, "1:2:3", OWNDNS_EIPV6 },
		{ OWNDNS_TYPE_MX, "65536 a.", OWNDNS_ENUMBER },
		{ OWNDNS_TYPE_MX, "-1 a.", OWNDNS_ENUMBER },
		{ OWNDNS_TYPE_MX, "0x10 a.", OWNDNS_ENUMBER },
		{ OWNDNS_TYPE_MX, "10", OWNDNS_ESYNTAX },
		{ OWNDNS_TYPE_MX, "10 a.. ", OWNDNS_ELABEL_EMPTY },
		{ OWNDNS_TYPE_TXT, "\"\\25\"", OWNDNS_EESCAPE },
		{ OWNDNS_TYPE_TXT, "\"\\256\"", OWNDNS_EESCAPE },
		{ OWNDNS_TYPE_DS, "1 8 2", OWNDNS_ESYNTAX },
		{ OWNDNS_TYPE_DS, "1 8 2 ABC", OWNDNS_EHEX },
		{ OWNDNS_TYPE_DS, "1 FOO 2 AB", OWNDNS_ENUMBER },
		{ OWNDNS_TYPE_DNSKEY, "256 3 8 AAA", OWNDNS_EBASE64 },
		{ OWNDNS_TYPE_DNSKEY, "256 3 8 AA== AAAA", OWNDNS_EBASE64 },
		{ OWNDNS_TYPE_RRSIG, "A 8 2 300 20241301000000 20231201000000 1 . AAAA", OWNDNS_ETIME },
		{ OWNDNS_TYPE_RRSIG, "A 8 2 300 2024010100000x 20231201000000 1 . AAAA", OWNDNS_ETIME },
		{ OWNDNS_TYPE_RRSIG, "A 8 2 300 4294967296 0 1 . AAAA", OWNDNS_ETIME },
		{ OWNDNS_TYPE_RRSIG, "BOGUS 8 2 300 1 0 1 . AAAA", OWNDNS_EUNKNOWN_TYPE },
		{ OWNDNS_TYPE_NSEC, "a. A BOGUS", OWNDNS_EUNKNOWN_TYPE },
		{ OWNDNS_TYPE_NSEC3, "1 0 0 - 0 A", OWNDNS_EBASE32 },
		{ OWNDNS_TYPE_NSEC3PARAM, "1 0 0 ABC", OWNDNS_EHEX },
		{ OWNDNS_TYPE_EUI48, "00-00-5e-00-53", OWNDNS_ESYNTAX },
		{ OWNDNS_TYPE_EUI48, "00:00:5e:00:53:2a", OWNDNS_ESYNTAX },
		{ OWNDNS_TYPE_CAA, "0 is-sue x", OWNDNS_ERDATA },
		{ OWNDNS_TYPE_A, "192.0.2.1 x", OWNDNS_ETRAILING },
		{ OWNDNS_TYPE_A, "\\# 3 c00002", OWNDNS_ETRUNCATED },
		{ OWNDNS_TYPE_A, "\\# 4 c00002", OWNDNS_EGENERIC },
		{ OWNDNS_TYPE_A, "\\# 4 c000020", OWNDNS_EGENERIC },
		{ OWNDNS_TYPE_A, "\\# x c0000201", OWNDNS_EGENERIC },
		{ OWNDNS_TYPE_A, "\\#", OWNDNS_EGENERIC },
		{ OWNDNS_TYPE_NS, "\\# 2 c00c", OWNDNS_EPTR_FORBIDDEN },
		{ 65000, "abc", OWNDNS_ESYNTAX },
		{ 65000, "\\# 1", OWNDNS_EGENERIC },
	};
	uint8_t out[OWNDNS_RDATA_MAX];
	size_t len;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = owndns_rdata_from_text(cases[i].type, cases[i].text, strlen(cases[i].text),
						NULL, out, sizeof out, &len);
		if (rc != cases[i].want)
			fail_msg("case %zu \"%s\": got %d want %d", i, cases[i].text, rc, cases[i].want);
	}
}

static void test_string_length_limit(void **state)
{
	(void)state;
	char text[300];
	uint8_t out[300];
	size_t len;
	text[0] = '"';
	memset(text + 1, 'a', 256);
	text[256] = '"';
	assert_int_equal(owndns_rdata_from_text(OWNDNS_TYPE_TXT, text, 257, NULL, out, sizeof out,
						&len), OWNDNS_OK);
	assert_int_equal(len, 256);
	assert_int_equal(out[0], 255);
	text[256] = 'a';
	text[257] = '"';
	assert_int_equal(owndns_rdata_from_text(OWNDNS_TYPE_TXT, text, 258, NULL, out, sizeof out,
						&len), OWNDNS_ESTRING_LONG);
	/* an escape counts as one octet */
	memcpy(text + 1, "\\\\", 2);
	assert_int_equal(owndns_rdata_from_text(OWNDNS_TYPE_TXT, text, 258, NULL, out, sizeof out,
						&len), OWNDNS_OK);
	assert_int_equal(out[1], '\\');
}

static void test_generic_form(void **state)
{
	(void)state;
	uint8_t out[64];
	size_t len;
	char text[128];
	/* accepted for known types and split over tokens */
	assert_int_equal(owndns_rdata_from_text(OWNDNS_TYPE_A, "\\# 4 c0 00 0 201", 16, NULL, out,
						sizeof out, &len), OWNDNS_OK);
	assert_int_equal(len, 4);
	assert_memory_equal(out, "\xc0\0\2\1", 4);
	assert_int_equal(owndns_rdata_from_text(65000, "\\# 0", 4, NULL, out, sizeof out, &len),
			 OWNDNS_OK);
	assert_int_equal(len, 0);
	assert_int_equal(owndns_rdata_to_generic_text(W("\xab\xcd"), text, sizeof text), 9);
	assert_string_equal(text, "\\# 2 ABCD");
	assert_int_equal(owndns_rdata_to_generic_text(NULL, 0, text, sizeof text), 4);
	assert_string_equal(text, "\\# 0");
	/* known type with RDATA that does not check prints generically */
	assert_int_equal(owndns_rdata_to_text(OWNDNS_TYPE_A, W("\1\2\3"), text, sizeof text), 11);
	assert_string_equal(text, "\\# 3 010203");
	assert_int_equal(owndns_rdata_to_text(65000, W(""), text, sizeof text), 4);
	/* a quoted "\#" is data, not the generic marker */
	assert_int_equal(owndns_rdata_from_text(OWNDNS_TYPE_TXT, "\"\\#\" 0", 6, NULL, out,
						sizeof out, &len), OWNDNS_OK);
	assert_memory_equal(out, "\1#\0010", 4);
}

static void test_type_and_class_text(void **state)
{
	(void)state;
	char buf[OWNDNS_TYPE_TEXT_MAX];
	uint16_t v;
	assert_int_equal(owndns_type_to_text(OWNDNS_TYPE_NSEC3PARAM, buf, sizeof buf), 10);
	assert_string_equal(buf, "NSEC3PARAM");
	assert_int_equal(owndns_type_to_text(65535, buf, sizeof buf), 9);
	assert_string_equal(buf, "TYPE65535");
	assert_int_equal(owndns_type_to_text(OWNDNS_TYPE_NULL, buf, sizeof buf), 4);
	assert_int_equal(owndns_type_to_text(OWNDNS_TYPE_AAAA, buf, 4), OWNDNS_ESPACE);
	assert_int_equal(owndns_type_from_text("aaaa", 4, &v), OWNDNS_OK);
	assert_int_equal(v, OWNDNS_TYPE_AAAA);
	assert_int_equal(owndns_type_from_text("type1", 5, &v), OWNDNS_OK);
	assert_int_equal(v, 1);
	assert_int_equal(owndns_type_from_text("TYPE65535", 9, &v), OWNDNS_OK);
	assert_int_equal(v, 65535);
	assert_int_equal(owndns_type_from_text("TYPE65536", 9, &v), OWNDNS_EUNKNOWN_TYPE);
	assert_int_equal(owndns_type_from_text("TYPE", 4, &v), OWNDNS_EUNKNOWN_TYPE);
	assert_int_equal(owndns_type_from_text("TYPE-1", 6, &v), OWNDNS_EUNKNOWN_TYPE);
	assert_int_equal(owndns_type_from_text("AAA", 3, &v), OWNDNS_EUNKNOWN_TYPE);
	assert_int_equal(owndns_type_from_text("AAAAA", 5, &v), OWNDNS_EUNKNOWN_TYPE);
	assert_int_equal(owndns_type_from_text("axfr", 4, &v), OWNDNS_OK);
	assert_int_equal(v, OWNDNS_TYPE_AXFR);
	assert_true(owndns_type_is_meta(OWNDNS_TYPE_OPT));
	assert_true(owndns_type_is_meta(OWNDNS_TYPE_ANY));
	assert_false(owndns_type_is_meta(OWNDNS_TYPE_A));
	assert_string_equal(owndns_type_mnemonic(OWNDNS_TYPE_TSIG), "TSIG");
	assert_null(owndns_type_mnemonic(4000));
	assert_int_equal(owndns_class_to_text(OWNDNS_CLASS_CH, buf, sizeof buf), 2);
	assert_string_equal(buf, "CH");
	assert_int_equal(owndns_class_to_text(300, buf, sizeof buf), 8);
	assert_string_equal(buf, "CLASS300");
	assert_int_equal(owndns_class_from_text("chaos", 5, &v), OWNDNS_OK);
	assert_int_equal(v, OWNDNS_CLASS_CH);
	assert_int_equal(owndns_class_from_text("class65535", 10, &v), OWNDNS_OK);
	assert_int_equal(v, 65535);
	assert_int_equal(owndns_class_from_text("INN", 3, &v), OWNDNS_EUNKNOWN_CLASS);
}

static void test_canonical_form(void **state)
{
	(void)state;
	/* MX exchange is lower-cased (RFC 4034 §6.2) */
	uint8_t mx[] = "\0\1\2MX\7EXAMPLE";
	owndns_rdata_canonicalize(OWNDNS_TYPE_MX, mx, sizeof mx);
	assert_memory_equal(mx, "\0\1\2mx\7example", sizeof mx);
	/* RRSIG signer too */
	uint8_t rrsig[] = "\0\1\10\2\0\0\0\1\0\0\0\1\0\0\0\1\0\1\1A\0\xAA";
	owndns_rdata_canonicalize(OWNDNS_TYPE_RRSIG, rrsig, sizeof rrsig - 1);
	assert_int_equal(rrsig[19], 'a');
	assert_int_equal(rrsig[21], 0xAA);
	/* but not the NSEC next name (RFC 6840 §5.1), nor unknown types */
	uint8_t nsec[] = "\1A\0\0\1\100";
	owndns_rdata_canonicalize(OWNDNS_TYPE_NSEC, nsec, sizeof nsec - 1);
	assert_int_equal(nsec[1], 'A');
	uint8_t opaque[] = "\1A\0";
	owndns_rdata_canonicalize(65000, opaque, sizeof opaque - 1);
	assert_int_equal(opaque[1], 'A');
	/* names after other fields: SRV target, NAPTR replacement, SOA both names */
	uint8_t soa[] = "\1A\0\1B\0\0\0\0\1\0\0\0\2\0\0\0\3\0\0\0\4\0\0\0\5";
	owndns_rdata_canonicalize(OWNDNS_TYPE_SOA, soa, sizeof soa - 1);
	assert_int_equal(soa[1], 'a');
	assert_int_equal(soa[4], 'b');
	uint8_t naptr[] = "\0\1\0\1\1S\0\1X\1A\0";
	owndns_rdata_canonicalize(OWNDNS_TYPE_NAPTR, naptr, sizeof naptr - 1);
	assert_int_equal(naptr[5], 'S');
	assert_int_equal(naptr[8], 'X');
	assert_int_equal(naptr[10], 'a');
}

static void test_rrsig_times(void **state)
{
	(void)state;
	uint8_t out[64];
	size_t len;
	char text[256];
	const char *t = "A 8 2 300 20240101000000 1701388800 12345 . AAAA";
	assert_int_equal(owndns_rdata_from_text(OWNDNS_TYPE_RRSIG, t, strlen(t), NULL, out,
						sizeof out, &len), OWNDNS_OK);
	assert_memory_equal(out + 8, "\x65\x92\x00\x80\x65\x69\x22\x00", 8);
	assert_true(owndns_rdata_to_text(OWNDNS_TYPE_RRSIG, out, len, text, sizeof text) > 0);
	assert_string_equal(text, "A 8 2 300 20240101000000 20231201000000 12345 . AAAA");
	/* leap day and end of day */
	t = "A 8 2 300 20240229235959 19700101000000 1 . AAAA";
	assert_int_equal(owndns_rdata_from_text(OWNDNS_TYPE_RRSIG, t, strlen(t), NULL, out,
						sizeof out, &len), OWNDNS_OK);
	assert_memory_equal(out + 8, "\x65\xe1\x1a\x7f\0\0\0\0", 8);
}

/* RFC 4034 §3.1.5: times are taken modulo 2^32.  Those of 2094–2106 print as
 * 1957–1969 (serial arithmetic around the present, as dig does) and must read back;
 * so must dates past 2106 and the plain decimal form. */
static void test_rrsig_times_wrap(void **state)
{
	(void)state;
	static const struct {
		const char *time;
		const char *wire;
	} cases[] = {
		{ "21060207062815", "\xff\xff\xff\xff" },
		{ "21060207062816", "\0\0\0\0" },
		{ "21060207062817", "\0\0\0\1" },
		{ "19691231235959", "\xff\xff\xff\xff" },
		{ "19570101000000", "\xe7\x8c\x6e\x00" },
		{ "4294967295", "\xff\xff\xff\xff" },
		{ "0", "\0\0\0\0" },
	};
	uint8_t out[64], again[64];
	size_t len, len2;
	char t[256], text[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(t, sizeof t, "A 8 2 300 %s 20240101000000 1 . AAAA", cases[i].time);
		assert_int_equal(owndns_rdata_from_text(OWNDNS_TYPE_RRSIG, t, strlen(t), NULL, out,
							sizeof out, &len), OWNDNS_OK);
		assert_memory_equal(out + 8, cases[i].wire, 4);
	}
	/* Every value prints as text that reads back to it. */
	static const uint32_t values[] = { 0xf0000000u, 0xffffffffu, 0x80000000u, 0xc0000000u, 1 };
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		out[8] = (uint8_t)(values[i] >> 24);
		out[9] = (uint8_t)(values[i] >> 16);
		out[10] = (uint8_t)(values[i] >> 8);
		out[11] = (uint8_t)values[i];
		assert_true(owndns_rdata_to_text(OWNDNS_TYPE_RRSIG, out, len, text, sizeof text) > 0);
		assert_int_equal(owndns_rdata_from_text(OWNDNS_TYPE_RRSIG, text, strlen(text), NULL,
							again, sizeof again, &len2), OWNDNS_OK);
		assert_int_equal(len2, len);
		assert_memory_equal(again, out, len);
	}
}

/* Inputs of the formats with a syntax of their own that the corpus does not show:
 * BIND's leniencies (A6 prefix bits cleared, WKS "udp", NSAP "0X"), and what each
 * prints back as. */
static void test_own_format_inputs(void **state)
{
	(void)state;
	static const struct {
		uint16_t type;
		const char *text;
		const char *wire;
		size_t len;
		const char *printed;
	} cases[] = {
		{ OWNDNS_TYPE_A6, "65 ffff::7f00:0:0:1 p.", "\x41\x7f\0\0\0\0\0\0\1\1p\0", 12,
		  "65 ::7f00:0:0:1 p." },
		{ OWNDNS_TYPE_WKS, "192.0.2.1 UDP 7", "\xc0\0\2\1\x11\1", 6, "192.0.2.1 17 7" },
		{ OWNDNS_TYPE_NSAP, "0X47.00", "\x47\0", 2, "0x4700" },
		{ OWNDNS_TYPE_NID, "1 a:B:0:0001", "\0\1\0\x0a\0\x0b\0\0\0\1", 10, "1 a:b:0:1" },
		{ OWNDNS_TYPE_AMTRELAY, "1 1 0 .", "\1\x80", 2, "1 1 0 ." },
		{ OWNDNS_TYPE_DOA, "1 2 3 \"\" -", "\0\0\0\1\0\0\0\2\3\0", 10, "1 2 3 \"\" -" },
	};
	uint8_t wire[64];
	size_t len;
	char text[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(owndns_rdata_from_text(cases[i].type, cases[i].text,
							strlen(cases[i].text), NULL, wire,
							sizeof wire, &len), OWNDNS_OK);
		assert_int_equal(len, cases[i].len);
		assert_memory_equal(wire, cases[i].wire, len);
		assert_true(owndns_rdata_to_text(cases[i].type, wire, len, text, sizeof text) > 0);
		assert_string_equal(text, cases[i].printed);
	}
}

/* Text that exactly fills the buffer (with its NUL) is not an ESPACE, also when the
 * last field prints nothing; one octet less is. */
static void test_to_text_exact_size(void **state)
{
	(void)state;
	static const struct {
		uint16_t type;
		const char *text;
	} cases[] = {
		{ OWNDNS_TYPE_NSEC, "host.example." },
		{ OWNDNS_TYPE_NSEC, "host.example. A NS" },
		{ OWNDNS_TYPE_NSEC, "host.example. TYPE0" },
		{ OWNDNS_TYPE_A, "192.0.2.1" },
		{ OWNDNS_TYPE_MX, "10 mail.example." },
		{ OWNDNS_TYPE_TXT, "\"a\" \"b\"" },
	};
	uint8_t wire[256];
	size_t len;
	char text[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = strlen(cases[i].text);
		assert_int_equal(owndns_rdata_from_text(cases[i].type, cases[i].text, n, NULL, wire,
							sizeof wire, &len), OWNDNS_OK);
		assert_int_equal(owndns_rdata_to_text(cases[i].type, wire, len, text, n + 1), (int)n);
		assert_string_equal(text, cases[i].text);
		assert_int_equal(owndns_rdata_to_text(cases[i].type, wire, len, text, n),
				 OWNDNS_ESPACE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed_wire_per_kind),
		cmocka_unit_test(test_valid_edge_wire),
		cmocka_unit_test(test_unpack_decompresses_where_allowed),
		cmocka_unit_test(test_text_errors),
		cmocka_unit_test(test_string_length_limit),
		cmocka_unit_test(test_generic_form),
		cmocka_unit_test(test_type_and_class_text),
		cmocka_unit_test(test_canonical_form),
		cmocka_unit_test(test_rrsig_times),
		cmocka_unit_test(test_rrsig_times_wrap),
		cmocka_unit_test(test_own_format_inputs),
		cmocka_unit_test(test_to_text_exact_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
