/* Unit tests for lib/error.c: every status code has its own message, unknown codes a
 * fixed one. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <owndns/error.h>

static const char unknown[] = "unknown error";

static void every_code_has_a_message(void **state)
{
	(void)state;
	for (int status = OWNDNS_OK; status >= OWNDNS_ERROR_MIN_; status--) {
		const char *message = owndns_strerror(status);
		assert_non_null(message);
		assert_true(strlen(message) > 0);
		if (strcmp(message, unknown) == 0)
			fail_msg("status %d has no message", status);
	}
}

static void messages_are_distinct(void **state)
{
	(void)state;
	for (int a = OWNDNS_OK; a >= OWNDNS_ERROR_MIN_; a--) {
		for (int b = a - 1; b >= OWNDNS_ERROR_MIN_; b--) {
			if (strcmp(owndns_strerror(a), owndns_strerror(b)) == 0)
				fail_msg("statuses %d and %d share a message", a, b);
		}
	}
}

/* The table is indexed by code: a row out of place would give a wrong message. */
static void messages_match_their_codes(void **state)
{
	(void)state;
	assert_string_equal(owndns_strerror(OWNDNS_OK), "success");
	assert_string_equal(owndns_strerror(OWNDNS_ENOMEM), "out of memory");
	assert_non_null(strstr(owndns_strerror(OWNDNS_ETRUNCATED), "ends"));
	assert_non_null(strstr(owndns_strerror(OWNDNS_ELABEL_LONG), "63"));
	assert_non_null(strstr(owndns_strerror(OWNDNS_ENAME_LONG), "255"));
	assert_non_null(strstr(owndns_strerror(OWNDNS_EPTR_LOOP), "pointer"));
	assert_non_null(strstr(owndns_strerror(OWNDNS_EPTR_RANGE), "outside"));
	assert_non_null(strstr(owndns_strerror(OWNDNS_EPTR_FORBIDDEN), "none is allowed"));
	assert_non_null(strstr(owndns_strerror(OWNDNS_EBASE64), "base64"));
	assert_non_null(strstr(owndns_strerror(OWNDNS_EBASE32), "base32hex"));
	assert_non_null(strstr(owndns_strerror(OWNDNS_EHEX), "hexadecimal"));
	assert_non_null(strstr(owndns_strerror(OWNDNS_EIPV4), "IPv4"));
	assert_non_null(strstr(owndns_strerror(OWNDNS_EIPV6), "IPv6"));
	assert_non_null(strstr(owndns_strerror(OWNDNS_ESTATE), "state"));
}

static void unknown_codes(void **state)
{
	(void)state;
	static const int codes[] = { 1, 2, 100, INT_MAX, OWNDNS_ERROR_MIN_ - 1, -1000, INT_MIN };
	for (size_t k = 0; k < sizeof(codes) / sizeof(codes[0]); k++)
		assert_string_equal(owndns_strerror(codes[k]), unknown);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_code_has_a_message),
		cmocka_unit_test(messages_are_distinct),
		cmocka_unit_test(messages_match_their_codes),
		cmocka_unit_test(unknown_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
