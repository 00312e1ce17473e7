/* Unit tests for lib/rdata_ipseckey.c through the public RDATA API: IPSECKEY (RFC 4025).  Wire forms come from dnspython,
 * texts from dig 9.18 (tests/tools/dig_print.py), so neither side is our own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <owndns/rdata.h>

#include "rdata_format_support.h"

static const struct roundtrip ipseckey_roundtrips[] = {
	{ "10 0 2 . AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
	  "0a0002010351537986ed35533b6064478eeeb27b5bd74dae149b6e81ba3a0521af82ab7801",
	  "10 0 2 . AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==" },
	{ "10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
	  "0a0102c0000226010351537986ed35533b6064478eeeb27b5bd74dae149b6e81ba3a0521af82ab7801",
	  "10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==" },
	{ "10 2 2 2001:0DB8:0:8002::2000:1 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
	  "0a020220010db8000080020000000020000001010351537986ed35533b6064478eeeb27b5bd74dae149b6e81ba3a0521af82ab7801",
	  "10 2 2 2001:db8:0:8002::2000:1 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==" },
	{ "10 3 2 mygateway.example.com. AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
	  "0a0302096d7967617465776179076578616d706c6503636f6d00010351537986ed35533b6064478eeeb27b5bd74dae149b6e81ba3a0521af82ab7801",
	  "10 3 2 mygateway.example.com. AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==" },
	{ "255 3 255 a\\.b.example. AQID",
	  "ff03ff03612e62076578616d706c6500010203",
	  "255 3 255 a\\.b.example. AQID" },
	{ "10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
	  "0a0102c0000226010351537986ed35533b6064478eeeb27b5bd74dae149b6e81ba3a0521af82ab78010351537986ed35533b6064478eeeb27b5bd74dae149b6e81ba3a0521af82ab78010351537986ed35533b6064478eeeb27b5bd74dae149b6e81ba3a0521af82ab7801",
	  "10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQNRU3mG7TVT O2BkR47usntb102uFJtugbo6BSGvgqt4AQNRU3mG7TVTO2BkR47usntb 102uFJtugbo6BSGvgqt4AQ==" },
	{ "1 0 1 . AQNR U3mG 7TVTO2 BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
	  "010001010351537986ed35533b6064478eeeb27b5bd74dae149b6e81ba3a0521af82ab7801",
	  "1 0 1 . AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==" },
	{ "1 2 1 ::ffff:1.2.3.4 AA AA",
	  "01020100000000000000000000ffff01020304000000",
	  "1 2 1 ::ffff:1.2.3.4 AAAA" },
};

static void test_ipseckey_roundtrips(void **state)
{
	(void)state;
	check_roundtrips(OWNDNS_TYPE_IPSECKEY, ipseckey_roundtrips, COUNT(ipseckey_roundtrips));
}

static const struct wire_text ipseckey_wire_texts[] = {
	{ "0a000200", "10 0 2 . AA==" },
	{ "0a03020161000102", "10 3 2 a. AQI=" },
	{ "0a0202000000000000000000000000000000000100", "10 2 2 :: AQA=" },
	/* An empty key (algorithm 0, RFC 4025 §2.4) prints as nothing.  dig 9.18
	 * refuses such records; dnspython prints a trailing space. */
	{ "0a0000", "10 0 0 ." },
	{ "0a0100c0000226", "10 1 0 192.0.2.38" },
};

static void test_ipseckey_wire_to_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(ipseckey_wire_texts); i++) {
		assert_wire_status(OWNDNS_TYPE_IPSECKEY, ipseckey_wire_texts[i].wire, OWNDNS_OK);
		assert_wire_gives_text(OWNDNS_TYPE_IPSECKEY, ipseckey_wire_texts[i].wire,
				       ipseckey_wire_texts[i].dig);
	}
}

/* Relative gateway names take the origin; without one they are taken as absolute. */
static void test_ipseckey_relative_gateway(void **state)
{
	(void)state;
	static const uint8_t origin[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
	static const uint8_t expected[] = { 10, 3, 0, 2, 'g', 'w', 7, 'e', 'x', 'a', 'm', 'p',
					    'l', 'e', 0 };
	uint8_t wire[64];
	size_t len = 0;
	const char *text = "10 3 0 gw";
	assert_int_equal(owndns_rdata_from_text(OWNDNS_TYPE_IPSECKEY, text, strlen(text), origin,
						wire, sizeof(wire), &len),
			 OWNDNS_OK);
	assert_int_equal(len, sizeof(expected));
	assert_memory_equal(wire, expected, sizeof(expected));
}

static const struct wire_error ipseckey_bad_wires[] = {
	{ "0a0402c000022601", OWNDNS_ERDATA },  /* gateway type 4 */
	{ "0aff02", OWNDNS_ERDATA },            /* gateway type 255 */
	{ "0a0102c00002", OWNDNS_ETRUNCATED },  /* IPv4 gateway cut short */
	{ "0a02020000", OWNDNS_ETRUNCATED },    /* IPv6 gateway cut short */
	{ "0a0302", OWNDNS_ETRUNCATED },        /* name gateway missing */
	{ "0a03020561", OWNDNS_ETRUNCATED },    /* name gateway cut short */
	{ "0a0302c00a", OWNDNS_EPTR_FORBIDDEN }, /* compressed name gateway */
	{ "0a01", OWNDNS_ETRUNCATED },
	{ "", OWNDNS_ETRUNCATED },
};

static void test_ipseckey_bad_wire(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(ipseckey_bad_wires); i++)
		assert_wire_rejected(OWNDNS_TYPE_IPSECKEY, ipseckey_bad_wires[i].wire,
				     ipseckey_bad_wires[i].status);
}

static const struct text_error ipseckey_bad_texts[] = {
	{ "10 4 2 . AA==", OWNDNS_ERDATA },
	{ "10 0 2 x AA==", OWNDNS_ERDATA },
	{ "10 1 2 1.2.3 AA==", OWNDNS_EIPV4 },
	{ "10 1 2 ::1 AA==", OWNDNS_EIPV4 },
	{ "10 2 2 1.2.3.4 AA==", OWNDNS_EIPV6 },
	{ "10 3 2 a..b. AA==", OWNDNS_ELABEL_EMPTY },
	{ "256 0 2 . AA==", OWNDNS_ENUMBER },
	{ "10 -1 2 . AA==", OWNDNS_ENUMBER },
	{ "10 0 2x . AA==", OWNDNS_ENUMBER },
	{ "10 0 2 . AA=", OWNDNS_EBASE64 },
	{ "10 0 2 . AA== AA==", OWNDNS_EBASE64 },
	{ "10 0 2 . A*==", OWNDNS_EBASE64 },
	{ "10 0 2", OWNDNS_ESYNTAX },
	{ "10", OWNDNS_ESYNTAX },
};

static void test_ipseckey_bad_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(ipseckey_bad_texts); i++)
		assert_text_status(OWNDNS_TYPE_IPSECKEY, ipseckey_bad_texts[i].text,
				   ipseckey_bad_texts[i].status);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipseckey_roundtrips),
		cmocka_unit_test(test_ipseckey_wire_to_text),
		cmocka_unit_test(test_ipseckey_relative_gateway),
		cmocka_unit_test(test_ipseckey_bad_wire),
		cmocka_unit_test(test_ipseckey_bad_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
