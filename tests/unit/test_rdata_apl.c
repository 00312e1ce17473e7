/* Unit tests for lib/rdata_apl.c through the public RDATA API: APL (RFC 3123).  Wire forms come from dnspython,
 * texts from dig 9.18 (tests/tools/dig_print.py), so neither side is our own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <owndns/rdata.h>

#include "rdata_format_support.h"

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
	/* Trailing zero octets a sender must leave out (RFC 3123 §4): no text reads back
	 * to them, so they do not check (dnspython accepts them, dig 9.18 does not). */
	{ "000108020a00", OWNDNS_EAPL },
	{ "00012004c0a80000", OWNDNS_EAPL },
	{ "0001000100", OWNDNS_EAPL },                  /* one zero octet at prefix 0 */
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
