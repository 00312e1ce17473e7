/* The UDP size guard (server/net/udp_fit.c): expected bytes made by dnspython. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../server/net/udp_fit.h"

static size_t from_hex(const char *hex, uint8_t *out, size_t cap)
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

/* example.com. A: three A records and an OPT (payload 1232, option 65001 = 01 02). */
static const char with_opt[] =
	"5d8e81000001000300000001076578616d706c6503636f6d0000010001"
	"c00c000100010000012c0004c0000203c00c000100010000012c0004c0000201"
	"c00c000100010000012c0004c000020200002904d0000000000006fde900020102";
/* The same with TC=1, no answers, the OPT kept. */
static const char with_opt_truncated[] =
	"5d8e83000001000000000001076578616d706c6503636f6d0000010001"
	"00002904d0000000000006fde900020102";
static const char without_opt[] =
	"457181000001000100000000076578616d706c6503636f6d0000010001"
	"c00c000100010000012c0004c0000201";
static const char without_opt_truncated[] =
	"457183000001000000000000076578616d706c6503636f6d0000010001";

static void test_fits_unchanged(void **state)
{
	(void)state;
	uint8_t msg[128], copy[128];
	size_t len = from_hex(with_opt, msg, sizeof(msg));
	memcpy(copy, msg, len);
	assert_int_equal(udp_fit_response(msg, len, len), len);
	assert_memory_equal(msg, copy, len);
}

static void test_truncates_keeping_opt(void **state)
{
	(void)state;
	uint8_t msg[128], want[128];
	size_t len = from_hex(with_opt, msg, sizeof(msg));
	size_t want_len = from_hex(with_opt_truncated, want, sizeof(want));
	assert_int_equal(udp_fit_response(msg, len, len - 1), want_len);
	assert_memory_equal(msg, want, want_len);
}

static void test_truncates_without_opt(void **state)
{
	(void)state;
	uint8_t msg[128], want[128];
	size_t len = from_hex(without_opt, msg, sizeof(msg));
	size_t want_len = from_hex(without_opt_truncated, want, sizeof(want));
	assert_int_equal(udp_fit_response(msg, len, want_len), want_len);
	assert_memory_equal(msg, want, want_len);
}

static void test_nothing_fits(void **state)
{
	(void)state;
	uint8_t msg[128];
	size_t len = from_hex(with_opt, msg, sizeof(msg));
	size_t truncated_len = strlen(with_opt_truncated) / 2;
	assert_int_equal(udp_fit_response(msg, len, truncated_len - 1), 0);
}

static void test_malformed_is_dropped(void **state)
{
	(void)state;
	uint8_t msg[128];
	size_t len = from_hex(with_opt, msg, sizeof(msg));
	/* ANCOUNT 4 while 3 records follow (the OPT is read as an answer, then ARCOUNT
	 * runs past the end). */
	msg[7] = 4;
	assert_int_equal(udp_fit_response(msg, len, 50), 0);
	assert_int_equal(udp_fit_response(msg, 5, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits_unchanged),
		cmocka_unit_test(test_truncates_keeping_opt),
		cmocka_unit_test(test_truncates_without_opt),
		cmocka_unit_test(test_nothing_fits),
		cmocka_unit_test(test_malformed_is_dropped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
