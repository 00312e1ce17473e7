/* Unit tests for lib/rdata_loc.c through the public RDATA API: LOC (RFC 1876).  Wire forms come from dnspython,
 * texts from dig 9.18 (tests/tools/dig_print.py), so neither side is our own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <owndns/rdata.h>

#include "rdata_format_support.h"

static const struct roundtrip loc_roundtrips[] = {
	{ "52 22 23.000 N 4 53 32.000 E -2.00m 1m 10000m 10m",
	  "001216138b3cf018810cbce0009895b8",
	  "52 22 23.000 N 4 53 32.000 E -2.00m 1m 10000m 10m" },
	{ "52 22 23 N 4 53 32 E -2m",
	  "001216138b3cf018810cbce0009895b8",
	  "52 22 23.000 N 4 53 32.000 E -2.00m 1m 10000m 10m" },
	{ "52 N 4 E 0",
	  "001216138b28720080dbba0000989680",
	  "52 0 0.000 N 4 0 0.000 E 0.00m 1m 10000m 10m" },
	{ "0 0 0 S 0 0 0 W 0m 0.5m 90m 10000000m",
	  "00519319800000008000000000989680",
	  "0 0 0.000 N 0 0 0.000 E 0.00m 0.50m 90m 10000000m" },
	{ "90 S 180 W 42849672.95m 90000000m 90000000m 0.01m",
	  "009999106cb0270059604e00ffffffff",
	  "90 0 0.000 S 180 0 0.000 W 42849672.95m 90000000m 90000000m 0.01m" },
	{ "1 2 3.4 S 5 6 7.891 W -100000.00 2m 3m 4m",
	  "002232427fc72f787ee7ba6d00000000",
	  "1 2 3.400 S 5 6 7.891 W -100000.00m 2m 3m 4m" },
	{ "12 34 56.789 N 98 7 6.5 W 123.45m 1.5m 120m 500000",
	  "0012145782b32c956af230fc0098c6b9",
	  "12 34 56.789 N 98 7 6.500 W 123.45m 1m 100m 500000m" },
	{ "0 0 0.001 N 0 0 0.999 E 0.01m 0.09m 0.1m 9000000m",
	  "0090119880000001800003e700989681",
	  "0 0 0.001 N 0 0 0.999 E 0.01m 0.09m 0.10m 9000000m" },
	{ "0 0 0 N 0 0 0 E 0 0 0 0",
	  "00000000800000008000000000989680",
	  "0 0 0.000 N 0 0 0.000 E 0.00m 0.00m 0.00m 0.00m" },
	{ "0 0 0 N 0 0 0 E -0.5 0.07 0.4 0.03",
	  "0070413080000000800000000098964e",
	  "0 0 0.000 N 0 0 0.000 E -0.50m 0.07m 0.40m 0.03m" },
	{ "42 21 54 N 71 06 18 W -24m 30m",
	  "0033161389172dd070be15f000988d20",
	  "42 21 54.000 N 71 6 18.000 W -24.00m 30m 10000m 10m" },
	{ "37 46 30.000 N 122 23 30.000 W 10.00m 100m 2m",
	  "00142213881b0af065bcd33000989a68",
	  "37 46 30.000 N 122 23 30.000 W 10.00m 100m 2m 10m" },
	{ "89 59 59.999 N 179 59 59.999 E 1234.5m",
	  "00121613934fd8ffa69fb1ff009a78ba",
	  "89 59 59.999 N 179 59 59.999 E 1234.50m 1m 10000m 10m" },
	{ "0 1 S 0 1 W 0.1m",
	  "001216137fff15a07fff15a00098968a",
	  "0 1 0.000 S 0 1 0.000 W 0.10m 1m 10000m 10m" },
	{ "60 9 0.000 N 24 39 0.000 E 10.00m 20m 2000m 20m",
	  "002325238ce82360854a10a000989a68",
	  "60 9 0.000 N 24 39 0.000 E 10.00m 20m 2000m 20m" },
};

static void test_loc_roundtrips(void **state)
{
	(void)state;
	check_roundtrips(OWNDNS_TYPE_LOC, loc_roundtrips, COUNT(loc_roundtrips));
}

/* Hand-built wire forms and what dig 9.18 printed for them. */
static const struct wire_text loc_wire_texts[] = {
	/* a zero mantissa prints as 0.00m whatever the exponent */
	{ "00050000800000008000000000989680",
	  "0 0 0.000 N 0 0 0.000 E 0.00m 0.00m 0.00m 0.00m" },
	{ "00160000800000008000000000989680",
	  "0 0 0.000 N 0 0 0.000 E 0.00m 10000m 0.00m 0.00m" },
	/* lowest altitudes */
	{ "00000000800000008000000000000001",
	  "0 0 0.000 N 0 0 0.000 E -99999.99m 0.00m 0.00m 0.00m" },
	{ "00000000800000008000000000000000",
	  "0 0 0.000 N 0 0 0.000 E -100000.00m 0.00m 0.00m 0.00m" },
	{ "00000000800000008000000000989619",
	  "0 0 0.000 N 0 0 0.000 E -1.03m 0.00m 0.00m 0.00m" },
	{ "00000000800000008000000000989661",
	  "0 0 0.000 N 0 0 0.000 E -0.31m 0.00m 0.00m 0.00m" },
	{ "000000008000000080000000ffffffff",
	  "0 0 0.000 N 0 0 0.000 E 42849672.95m 0.00m 0.00m 0.00m" },
	/* one millisecond south and west of 0/0 */
	{ "000000007fffffff7fffffff00989680",
	  "0 0 0.001 S 0 0 0.001 W 0.00m 0.00m 0.00m 0.00m" },
	{ "00000000800000006b49d1ff00989680",
	  "0 0 0.000 N 96 31 23.649 W 0.00m 0.00m 0.00m 0.00m" },
	{ "00120000800000018000000100989681",
	  "0 0 0.001 N 0 0 0.001 E 0.01m 1m 0.00m 0.00m" },
	/* the poles and the antimeridian */
	{ "00121613934fd90059604e0000989680",
	  "90 0 0.000 N 180 0 0.000 W 0.00m 1m 10000m 10m" },
	{ "001216136cb02700a69fb20000989680",
	  "90 0 0.000 S 180 0 0.000 E 0.00m 1m 10000m 10m" },
};

static void test_loc_wire_to_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(loc_wire_texts); i++) {
		assert_wire_status(OWNDNS_TYPE_LOC, loc_wire_texts[i].wire, OWNDNS_OK);
		assert_wire_gives_text(OWNDNS_TYPE_LOC, loc_wire_texts[i].wire, loc_wire_texts[i].dig);
	}
}

static const struct wire_error loc_bad_wires[] = {
	/* version 1: dig prints it as generic data */
	{ "01000000800000008000000000989680", OWNDNS_ERDATA },
	{ "ff000000800000008000000000989680", OWNDNS_ERDATA },
	/* mantissa or exponent above 9 in size, horizontal and vertical precision */
	{ "00a00000800000008000000000989680", OWNDNS_ERDATA },
	{ "000a0000800000008000000000989680", OWNDNS_ERDATA },
	{ "0000a000800000008000000000989680", OWNDNS_ERDATA },
	{ "00000a00800000008000000000989680", OWNDNS_ERDATA },
	{ "000000a0800000008000000000989680", OWNDNS_ERDATA },
	{ "0000000a800000008000000000989680", OWNDNS_ERDATA },
	/* latitude beyond 90 degrees, longitude beyond 180 degrees */
	{ "00000000934fd9018000000000989680", OWNDNS_ERDATA },
	{ "000000006cb026ff8000000000989680", OWNDNS_ERDATA },
	{ "000000008000000059604dff00989680", OWNDNS_ERDATA },
	{ "0000000080000000a69fb20100989680", OWNDNS_ERDATA },
	{ "00000000ffffffff8000000000989680", OWNDNS_ERDATA },
	/* exactly 16 octets */
	{ "00000000934fd90080000000009896", OWNDNS_ETRUNCATED },
	{ "", OWNDNS_ETRUNCATED },
	{ "00000000934fd900800000000098968000", OWNDNS_ETRAILING },
};

static void test_loc_bad_wire(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(loc_bad_wires); i++)
		assert_wire_rejected(OWNDNS_TYPE_LOC, loc_bad_wires[i].wire, loc_bad_wires[i].status);
	assert_wire_gives_text(OWNDNS_TYPE_LOC, "01000000800000008000000000989680",
			       "\\# 16 01000000800000008000000000989680");
}

static const struct text_error loc_bad_texts[] = {
	{ "52 22 23.000 N 4 53 32.000 E -2.00m 1m 10000m 10m 1m", OWNDNS_ELOC },
	{ "91 N 0 E 0", OWNDNS_ELOC },
	{ "90 0 0.001 N 0 E 0", OWNDNS_ELOC },
	{ "90 1 N 0 E 0", OWNDNS_ELOC },
	{ "0 60 N 0 E 0", OWNDNS_ELOC },
	{ "0 0 60 N 0 E 0", OWNDNS_ELOC },
	{ "0 0 59.9999 N 0 E 0", OWNDNS_ELOC },
	{ "0 0 1. N 0 E 0", OWNDNS_ELOC },
	{ "0 0 .5 N 0 E 0", OWNDNS_ELOC },
	{ "0 0 1.5x N 0 E 0", OWNDNS_ELOC },
	{ "-1 N 0 E 0", OWNDNS_ELOC },
	{ "0 X 0 E 0", OWNDNS_ELOC },
	{ "0 E 0 N 0", OWNDNS_ELOC },
	{ "0 N 181 E 0", OWNDNS_ELOC },
	{ "0 N 180 0 0.001 W 0", OWNDNS_ELOC },
	{ "0 N 0 E -100000.01", OWNDNS_ELOC },
	{ "0 N 0 E 42849672.96", OWNDNS_ELOC },
	{ "0 N 0 E 1.234m", OWNDNS_ELOC },
	{ "0 N 0 E 1mm", OWNDNS_ELOC },
	{ "0 N 0 E m", OWNDNS_ELOC },
	{ "0 N 0 E --1", OWNDNS_ELOC },
	{ "0 N 0 E", OWNDNS_ELOC },
	{ "0 N", OWNDNS_ELOC },
	{ "", OWNDNS_ELOC },
	{ "0 N 0 E 0 100000000m", OWNDNS_ELOC },
	{ "0 N 0 E 0 -1m", OWNDNS_ELOC },
	{ "0 N 0 E 0 1m 1m 1e3", OWNDNS_ELOC },
	{ "99999999999 N 0 E 0", OWNDNS_ELOC },
};

static void test_loc_bad_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(loc_bad_texts); i++)
		assert_text_status(OWNDNS_TYPE_LOC, loc_bad_texts[i].text, loc_bad_texts[i].status);
}

/* Precision values keep their leading digit only (RFC 1876 §2, as dnspython and BIND
 * encode); hemisphere letters in either case; the largest encodable size. */
static void test_loc_text_edges(void **state)
{
	(void)state;
	assert_text_gives_wire(OWNDNS_TYPE_LOC, "0 n 0 w 0", "00121613800000008000000000989680");
	/* 90000000m (9e9 cm) is the largest size; above it is out of range, as in BIND. */
	assert_text_gives_wire(OWNDNS_TYPE_LOC, "0 N 0 E 0 90000000m",
			       "00991613800000008000000000989680");
	assert_text_status(OWNDNS_TYPE_LOC, "0 N 0 E 0 90000000.01m", OWNDNS_ELOC);
	assert_text_gives_wire(OWNDNS_TYPE_LOC, "0 N 0 E 0 1.99m 19m 0.19m",
			       "00121311800000008000000000989680");
	assert_text_gives_wire(OWNDNS_TYPE_LOC, "90 N 180 W 0", "00121613934fd90059604e0000989680");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loc_roundtrips),
		cmocka_unit_test(test_loc_wire_to_text),
		cmocka_unit_test(test_loc_bad_wire),
		cmocka_unit_test(test_loc_bad_text),
		cmocka_unit_test(test_loc_text_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
