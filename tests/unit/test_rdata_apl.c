/* Unit tests for lib/rdata_apl.c through the public RDATA API: APL (RFC 3123).  Wire forms come from dnspython,
 * texts from dig 9.18 (tests/tools/dig_print.py), so neither side is our own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <owndns/rdata.h>

/* Helpers shared by the RDATA format tests: hex in, public API, exact comparisons. */

struct roundtrip {
	const char *text; /* presentation form given to the parser */
	const char *wire; /* hex of dnspython's wire form */
	const char *dig;  /* dig 9.18's presentation of that wire form */
};

struct wire_text {
	const char *wire;
	const char *dig;
};

struct wire_error {
	const char *wire;
	int status;
};

struct text_error {
	const char *text;
	int status;
};

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t from_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex);
	assert_true(n % 2 == 0 && n / 2 <= cap);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
		assert_true(hi >= 0 && lo >= 0);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return n / 2;
}

static void assert_text_gives_wire(uint16_t type, const char *text, const char *hex)
{
	uint8_t expected[4096], got[OWNDNS_RDATA_MAX];
	size_t expected_len = from_hex(hex, expected, sizeof(expected)), got_len = 0;
	int rc = owndns_rdata_from_text(type, text, strlen(text), NULL, got, sizeof(got), &got_len);
	if (rc != OWNDNS_OK)
		fail_msg("%s: status %d", text, rc);
	assert_int_equal(got_len, expected_len);
	assert_memory_equal(got, expected, expected_len);
}

static void assert_wire_gives_text(uint16_t type, const char *hex, const char *text)
{
	uint8_t wire[4096];
	char got[8192];
	size_t len = from_hex(hex, wire, sizeof(wire));
	int rc = owndns_rdata_to_text(type, wire, len, got, sizeof(got));
	assert_int_equal(rc, (int)strlen(text));
	assert_string_equal(got, text);
}

static void assert_wire_status(uint16_t type, const char *hex, int status)
{
	uint8_t wire[4096];
	size_t len = from_hex(hex, wire, sizeof(wire));
	assert_int_equal(owndns_rdata_check(type, wire, len), status);
}

static void assert_text_status(uint16_t type, const char *text, int status)
{
	uint8_t wire[OWNDNS_RDATA_MAX];
	size_t len = 0;
	int rc = owndns_rdata_from_text(type, text, strlen(text), NULL, wire, sizeof(wire), &len);
	if (rc != status)
		fail_msg("%s: status %d, expected %d", text, rc, status);
}

/* Text -> wire equals dnspython, wire -> text equals dig, dig's text parses back. */
static void check_roundtrips(uint16_t type, const struct roundtrip *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_text_gives_wire(type, cases[i].text, cases[i].wire);
		assert_wire_gives_text(type, cases[i].wire, cases[i].dig);
		assert_text_gives_wire(type, cases[i].dig, cases[i].wire);
	}
}

/* Wire that does not check prints as RFC 3597 generic data, as dig prints it. */
static void assert_wire_rejected(uint16_t type, const char *hex, int status)
{
	uint8_t wire[4096];
	char got[8192], generic[8192];
	size_t len = from_hex(hex, wire, sizeof(wire));
	assert_int_equal(owndns_rdata_check(type, wire, len), status);
	assert_true(owndns_rdata_to_text(type, wire, len, got, sizeof(got)) > 0);
	assert_true(owndns_rdata_to_generic_text(wire, len, generic, sizeof(generic)) > 0);
	assert_string_equal(got, generic);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct roundtrip apl_roundtrips[] = {
	{ "1:192.168.32.0/21 !1:192.168.38.0/28 2:ff00::/8",
	  "00011503c0a82000011c83c0a82600020801ff",
	  "1:192.168.32.0/21 !1:192.168.38.0/28 2:ff00::/8" },
	{ "1:0.0.0.0/0 2:::/0",
	  "0001000000020000",
	  "1:0.0.0.0/0 2:::/0" },
	{ "1:192.168.0.1/32 2:2001:db8::1/128 !2:::ffff:1.2.3.4/96",
	  "00012004c0a800010002801020010db80000000000000000000000010002609000000000000000000000ffff01020304",
	  "1:192.168.0.1/32 2:2001:db8::1/128 !2:::ffff:1.2.3.4/96" },
	{ "1:10.0.0.0/8",
	  "000108010a",
	  "1:10.0.0.0/8" },
	{ "1:10.1.0.0/8",
	  "000108020a01",
	  "1:10.1.0.0/8" },
	{ "!2:2001:db8:0:0:1::/80 !1:0.0.0.0/32",
	  "0002508a20010db800000000000100012080",
	  "!2:2001:db8:0:0:1::/80 !1:0.0.0.0/32" },
};

static void test_apl_roundtrips(void **state)
{
	(void)state;
	check_roundtrips(OWNDNS_TYPE_APL, apl_roundtrips, COUNT(apl_roundtrips));
}

/* An empty APL is allowed (RFC 3123 §4) and prints as nothing. */
static void test_apl_empty(void **state)
{
	(void)state;
	uint8_t wire[16];
	size_t len = 99;
	assert_int_equal(owndns_rdata_from_text(OWNDNS_TYPE_APL, "", 0, NULL, wire, sizeof(wire), &len),
			 OWNDNS_OK);
	assert_int_equal(len, 0);
	assert_wire_status(OWNDNS_TYPE_APL, "", OWNDNS_OK);
	assert_wire_gives_text(OWNDNS_TYPE_APL, "", "");
}

static const struct wire_text apl_wire_texts[] = {
	/* bits beyond the prefix are kept, as dig prints them */
	{ "000108020a01", "1:10.1.0.0/8" },
	{ "00020882ff01", "!2:ff01::/8" },
	{ "00028010ff000000000000000000000000000001", "2:ff00::1/128" },
	{ "0001000000020000", "1:0.0.0.0/0 2:::/0" },
	/* Trailing zero octets a sender should have left out: dnspython accepts them
	 * (dig 9.18 does not); they print as the same address. */
	{ "000108020a00", "1:10.0.0.0/8" },
	{ "00012004c0a80000", "1:192.168.0.0/32" },
};

static void test_apl_wire_to_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(apl_wire_texts); i++) {
		assert_wire_status(OWNDNS_TYPE_APL, apl_wire_texts[i].wire, OWNDNS_OK);
		assert_wire_gives_text(OWNDNS_TYPE_APL, apl_wire_texts[i].wire, apl_wire_texts[i].dig);
	}
}

static const struct wire_error apl_bad_wires[] = {
	{ "00012104c0a80001", OWNDNS_EAPL },            /* IPv4 prefix 33 */
	{ "00028100", OWNDNS_EAPL },                    /* IPv6 prefix 129 */
	{ "00012005c0a8000101", OWNDNS_EAPL },          /* IPv4 AFDLENGTH 5 */
	{ "00028011ff000000000000000000000000000001", OWNDNS_EAPL }, /* IPv6 AFDLENGTH 17 */
	{ "00030801ff", OWNDNS_EAPL },                  /* family 3: dig prints \# */
	{ "00000000", OWNDNS_EAPL },                    /* family 0 */
	{ "00010801", OWNDNS_ETRUNCATED },              /* AFDPART missing */
	{ "000108", OWNDNS_ETRUNCATED },                /* header cut short */
	{ "000100800a", OWNDNS_ETRUNCATED },            /* a second item cut short */
};

static void test_apl_bad_wire(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(apl_bad_wires); i++)
		assert_wire_rejected(OWNDNS_TYPE_APL, apl_bad_wires[i].wire, apl_bad_wires[i].status);
	assert_wire_gives_text(OWNDNS_TYPE_APL, "00030801ff", "\\# 5 00030801FF");
}

static const struct text_error apl_bad_texts[] = {
	{ "3:1.2.3.4/8", OWNDNS_EAPL },
	{ "0:1.2.3.4/8", OWNDNS_EAPL },
	{ "65537:1.2.3.4/8", OWNDNS_EAPL },
	{ "1:1.2.3.4/33", OWNDNS_EAPL },
	{ "2:::/129", OWNDNS_EAPL },
	{ "1:1.2.3/8", OWNDNS_EIPV4 },
	{ "1:::/8", OWNDNS_EIPV4 },
	{ "2:1.2.3.4/8", OWNDNS_EIPV6 },
	{ "2:1::2::3/8", OWNDNS_EIPV6 },
	{ "1:1.2.3.4", OWNDNS_EAPL },
	{ "1.2.3.4/8", OWNDNS_EAPL },
	{ "!!1:1.2.3.4/8", OWNDNS_EAPL },
	{ "1:1.2.3.4/", OWNDNS_EAPL },
	{ "1:1.2.3.4/8x", OWNDNS_EAPL },
	{ "1:1.2.3.4/-8", OWNDNS_EAPL },
	{ ":1.2.3.4/8", OWNDNS_EAPL },
	{ "1:10.0.0.0/8 1:10.0.0.0/", OWNDNS_EAPL },
};

static void test_apl_bad_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(apl_bad_texts); i++)
		assert_text_status(OWNDNS_TYPE_APL, apl_bad_texts[i].text, apl_bad_texts[i].status);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apl_roundtrips),
		cmocka_unit_test(test_apl_empty),
		cmocka_unit_test(test_apl_wire_to_text),
		cmocka_unit_test(test_apl_bad_wire),
		cmocka_unit_test(test_apl_bad_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
