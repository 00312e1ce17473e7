/* Unit tests of the key=value option parser (tools/options.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

static const option_spec test_keys[] = {
	{ "listen", OPTION_ADDR, "127.0.0.1@53 ::1@53", true, "listen here", NULL, 0, 0 },
	{ "forward", OPTION_ADDR, NULL, true, "forward there", NULL, 0, 0 },
	{ "threads", OPTION_INT, "1", false, "worker threads", NULL, 1, 64 },
	{ "verbose", OPTION_BOOL, "no", false, "say more", NULL, 0, 0 },
	{ "cache-size", OPTION_SIZE, "4m", false, "cache size", NULL, 0, 0 },
	{ "mode", OPTION_CHOICE, "text", false, "mode", "text|wire|generic", 0, 0 },
	{ "name", OPTION_STRING, NULL, false, "a name", NULL, 0, 0 },
	{ "domain", OPTION_NAME, NULL, false, "a domain", NULL, 0, 0 },
	{ "ttl", OPTION_TTL, "3600", false, "a ttl", NULL, 0, 0 },
	{ "zone", OPTION_PATH, NULL, true, "zone file", NULL, 0, 0 },
	OPTION_SPEC_END
};

typedef struct fixture {
	char path[64];
	char err[2048];
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	strcpy(f->path, "/tmp/owndns-test-options-XXXXXX");
	int fd = mkstemp(f->path);
	assert_true(fd >= 0);
	close(fd);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	unlink(f->path);
	free(f);
	return 0;
}

static void write_file(const fixture *f, const char *text)
{
	FILE *out = fopen(f->path, "w");
	assert_non_null(out);
	fputs(text, out);
	fclose(out);
}

/* Parses a NULL-terminated list of arguments. */
static options *parse_args(fixture *f, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	va_start(ap, f);
	for (char *a; (a = va_arg(ap, char *)) != NULL;)
		argv[argc++] = a;
	va_end(ap);
	f->err[0] = '\0';
	return options_parse(test_keys, argc, argv, f->err, sizeof(f->err));
}

static void test_defaults_without_arguments(void **state)
{
	fixture *f = *state;
	options *o = parse_args(f, NULL);
	assert_non_null(o);
	assert_int_equal(options_count(o, "listen"), 2);
	assert_string_equal(options_get_nth(o, "listen", 0), "127.0.0.1@53");
	assert_string_equal(options_get_nth(o, "listen", 1), "::1@53");
	assert_null(options_get_nth(o, "listen", 2));
	assert_int_equal(options_count(o, "forward"), 0);
	assert_null(options_get(o, "forward"));
	assert_int_equal(options_get_int(o, "threads", 0), 1);
	assert_false(options_get_bool(o, "verbose", true));
	assert_int_equal(options_get_size(o, "cache-size", 0), 4 * 1024 * 1024);
	assert_int_equal(options_get_ttl(o, "ttl", 0), 3600);
	assert_string_equal(options_get(o, "mode"), "text");
	char where[64];
	assert_string_equal(options_where(o, "listen", 0, where, sizeof(where)), "default");
	options_free(o);
}

static void test_command_line_values(void **state)
{
	fixture *f = *state;
	options *o = parse_args(f, "threads=8", "verbose=YES", "listen=192.0.2.1@5353",
				"listen=::1", "mode=wire", "name=", "domain=Example.COM",
				"ttl=1h30m", "cache-size=2G", NULL);
	assert_non_null(o);
	assert_int_equal(options_get_int(o, "threads", 0), 8);
	assert_true(options_get_bool(o, "verbose", false));
	assert_int_equal(options_count(o, "listen"), 2);
	assert_string_equal(options_get_nth(o, "listen", 0), "192.0.2.1@5353");
	assert_string_equal(options_get_nth(o, "listen", 1), "::1");
	assert_string_equal(options_get(o, "mode"), "wire");
	assert_string_equal(options_get(o, "name"), "");
	assert_string_equal(options_get(o, "domain"), "Example.COM");
	assert_int_equal(options_get_ttl(o, "ttl", 0), 5400);
	assert_true(options_get_size(o, "cache-size", 0) == 2ULL << 30);
	char where[64];
	assert_string_equal(options_where(o, "threads", 0, where, sizeof(where)),
			    "command line");
	options_free(o);
}

static void test_unknown_key_names_key_value_and_source(void **state)
{
	fixture *f = *state;
	assert_null(parse_args(f, "threads=2", "colour=blue", NULL));
	assert_string_equal(f->err, "command line: unknown key 'colour' (value 'blue')");
}

static void test_bad_values_are_errors(void **state)
{
	fixture *f = *state;
	assert_null(parse_args(f, "threads=65", NULL));
	assert_string_equal(f->err, "command line: bad value '65' for key 'threads': expected a decimal integer in range 1..64");
	assert_null(parse_args(f, "threads=0", NULL));
	assert_null(parse_args(f, "threads=", NULL));
	assert_null(parse_args(f, "threads=+3", NULL));
	assert_null(parse_args(f, "threads= 3", NULL));
	assert_null(parse_args(f, "threads=3x", NULL));
	assert_null(parse_args(f, "threads=99999999999999999999999", NULL));
	assert_null(parse_args(f, "verbose=maybe", NULL));
	assert_string_equal(f->err, "command line: bad value 'maybe' for key 'verbose': expected yes/no, true/false, on/off or 1/0");
	assert_null(parse_args(f, "mode=wir", NULL));
	assert_string_equal(f->err, "command line: bad value 'wir' for key 'mode': expected one of text|wire|generic");
	assert_null(parse_args(f, "mode=", NULL));
	assert_null(parse_args(f, "mode=text|wire", NULL));
	assert_null(parse_args(f, "listen=192.0.2.256", NULL));
	assert_null(parse_args(f, "listen=192.0.2.1@65536", NULL));
	assert_null(parse_args(f, "listen=192.0.2.1@", NULL));
	assert_null(parse_args(f, "listen=192.0.2.1@-1", NULL));
	assert_null(parse_args(f, "listen=@53", NULL));
	assert_null(parse_args(f, "listen=localhost", NULL));
	assert_null(parse_args(f, "cache-size=1t", NULL));
	assert_null(parse_args(f, "cache-size=1kb", NULL));
	assert_null(parse_args(f, "cache-size=99999999999g", NULL));
	assert_null(parse_args(f, "domain=a..b", NULL));
	assert_null(parse_args(f, "domain=", NULL));
	assert_null(parse_args(f, "ttl=1x", NULL));
	assert_null(parse_args(f, "zone=", NULL));
	assert_string_equal(f->err, "command line: bad value '' for key 'zone': expected a file name");
}

static void test_argument_without_equals_is_an_error(void **state)
{
	fixture *f = *state;
	assert_null(parse_args(f, "verbose", NULL));
	assert_string_equal(f->err, "command line: 'verbose' is not key=value");
	assert_null(parse_args(f, "=3", NULL));
}

static void test_single_key_twice_is_an_error(void **state)
{
	fixture *f = *state;
	assert_null(parse_args(f, "threads=2", "threads=3", NULL));
	assert_string_equal(f->err, "command line: key 'threads' given more than once (value '3'); it is not repeatable");
}

static void test_config_file_values_and_comments(void **state)
{
	fixture *f = *state;
	write_file(f, "# a comment\n"
		      "\n"
		      "   threads = 4   # trailing comment\n"
		      "listen=192.0.2.1\r\n"
		      "\tlisten=192.0.2.2@53\n"
		      "name=a#b\n"
		      "forward=9.9.9.9\n");
	char arg[128];
	snprintf(arg, sizeof(arg), "config=%s", f->path);
	options *o = parse_args(f, arg, NULL);
	assert_non_null(o);
	assert_int_equal(options_get_int(o, "threads", 0), 4);
	assert_int_equal(options_count(o, "listen"), 2);
	assert_string_equal(options_get_nth(o, "listen", 0), "192.0.2.1");
	assert_string_equal(options_get_nth(o, "listen", 1), "192.0.2.2@53");
	/* '#' inside a value is not a comment */
	assert_string_equal(options_get(o, "name"), "a#b");
	char where[128], expect[128];
	snprintf(expect, sizeof(expect), "%s:5", f->path);
	assert_string_equal(options_where(o, "listen", 1, where, sizeof(where)), expect);
	options_free(o);
}

static void test_command_line_replaces_file_values_of_that_key(void **state)
{
	fixture *f = *state;
	write_file(f, "listen=192.0.2.1\nlisten=192.0.2.2\nforward=9.9.9.9\nthreads=4\n");
	char arg[128];
	snprintf(arg, sizeof(arg), "config=%s", f->path);
	/* config= may come after the keys it is overridden by */
	options *o = parse_args(f, "listen=::1@5353", "threads=2", arg, NULL);
	assert_non_null(o);
	assert_int_equal(options_count(o, "listen"), 1);
	assert_string_equal(options_get(o, "listen"), "::1@5353");
	assert_int_equal(options_get_int(o, "threads", 0), 2);
	/* untouched keys keep the file's values */
	assert_int_equal(options_count(o, "forward"), 1);
	assert_string_equal(options_get(o, "forward"), "9.9.9.9");
	options_free(o);
}

static void test_config_file_errors_name_file_and_line(void **state)
{
	fixture *f = *state;
	char arg[128], expect[256];
	snprintf(arg, sizeof(arg), "config=%s", f->path);

	write_file(f, "threads=2\n# fine\nlisten=300.1.1.1\n");
	assert_null(parse_args(f, arg, NULL));
	snprintf(expect, sizeof(expect), "%s:3: bad value '300.1.1.1' for key 'listen': expected an IPv4 or IPv6 address with optional @port", f->path);
	assert_string_equal(f->err, expect);

	write_file(f, "threads=2\nbogus=1\n");
	assert_null(parse_args(f, arg, NULL));
	snprintf(expect, sizeof(expect), "%s:2: unknown key 'bogus' (value '1')", f->path);
	assert_string_equal(f->err, expect);

	write_file(f, "threads=2\nthreads=3\n");
	assert_null(parse_args(f, arg, NULL));
	snprintf(expect, sizeof(expect), "%s:2: key 'threads' given more than once (value '3'); it is not repeatable", f->path);
	assert_string_equal(f->err, expect);

	write_file(f, "just words\n");
	assert_null(parse_args(f, arg, NULL));
	snprintf(expect, sizeof(expect), "%s:1: 'just words' is not key=value", f->path);
	assert_string_equal(f->err, expect);

	write_file(f, "config=/etc/other.conf\n");
	assert_null(parse_args(f, arg, NULL));
	snprintf(expect, sizeof(expect), "%s:1: config= is only valid on the command line (value '/etc/other.conf')", f->path);
	assert_string_equal(f->err, expect);

	/* a bad file is an error even when the command line overrides the key */
	write_file(f, "threads=100\n");
	assert_null(parse_args(f, "threads=2", arg, NULL));
}

static void test_missing_config_file(void **state)
{
	fixture *f = *state;
	assert_null(parse_args(f, "config=/nonexistent/owndns.conf", NULL));
	assert_string_equal(f->err, "config=/nonexistent/owndns.conf: cannot read: No such file or directory");
	char arg[128];
	snprintf(arg, sizeof(arg), "config=%s", f->path);
	assert_null(parse_args(f, arg, arg, NULL));
}

static void test_parse_int_limits(void **state)
{
	(void)state;
	long long v;
	assert_int_equal(options_parse_int("-9223372036854775808", LLONG_MIN, LLONG_MAX, &v), 0);
	assert_true(v == LLONG_MIN);
	assert_int_equal(options_parse_int("9223372036854775807", LLONG_MIN, LLONG_MAX, &v), 0);
	assert_true(v == LLONG_MAX);
	assert_int_equal(options_parse_int("9223372036854775808", LLONG_MIN, LLONG_MAX, &v), -1);
	assert_int_equal(options_parse_int("-9223372036854775809", LLONG_MIN, LLONG_MAX, &v), -1);
	assert_int_equal(options_parse_int("-", LLONG_MIN, LLONG_MAX, &v), -1);
	assert_int_equal(options_parse_int("", LLONG_MIN, LLONG_MAX, &v), -1);
}

static void test_parse_size_units(void **state)
{
	(void)state;
	uint64_t v;
	assert_int_equal(options_parse_size("0", &v), 0);
	assert_true(v == 0);
	assert_int_equal(options_parse_size("512K", &v), 0);
	assert_true(v == 512 * 1024);
	assert_int_equal(options_parse_size("3m", &v), 0);
	assert_true(v == 3 * 1024 * 1024);
	assert_int_equal(options_parse_size("17179869183g", &v), 0);
	assert_int_equal(options_parse_size("17179869184g", &v), -1); /* 2^64 */
	assert_int_equal(options_parse_size("k", &v), -1);
	assert_int_equal(options_parse_size("1 k", &v), -1);
}

static void test_parse_addr_fills_sockaddr(void **state)
{
	(void)state;
	struct sockaddr_storage ss;
	socklen_t len;
	assert_int_equal(options_parse_addr("192.0.2.7@5353", 53, &ss, &len), 0);
	const struct sockaddr_in *v4 = (const struct sockaddr_in *)&ss;
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(v4->sin_family, AF_INET);
	assert_int_equal(ntohs(v4->sin_port), 5353);
	assert_int_equal(ntohl(v4->sin_addr.s_addr), 0xC0000207);

	assert_int_equal(options_parse_addr("2001:db8::1", 53, &ss, &len), 0);
	const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&ss;
	static const uint8_t expect6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(v6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(v6->sin6_port), 53);
	assert_memory_equal(v6->sin6_addr.s6_addr, expect6, 16);

	assert_int_equal(options_parse_addr("[::1]@53", 53, &ss, &len), -1);
	assert_int_equal(options_parse_addr("1.2.3@53", 53, &ss, &len), -1);
	assert_int_equal(options_parse_addr("1.2.3.4@53@54", 53, &ss, &len), -1);
	assert_int_equal(options_parse_addr("1.2.3.4@0x35", 53, &ss, &len), -1);
}

static void test_help_lists_every_key(void **state)
{
	(void)state;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	assert_non_null(out);
	options_print_help(test_keys, out);
	fclose(out);
	assert_non_null(strstr(text, "  listen=ADDR[@PORT]         listen here; repeatable; default: 127.0.0.1@53 ::1@53\n"));
	assert_non_null(strstr(text, "  threads=N                  worker threads (1..64); default: 1\n"));
	assert_non_null(strstr(text, "  mode=text|wire|generic     mode; default: text\n"));
	assert_non_null(strstr(text, "  forward=ADDR[@PORT]        forward there; repeatable\n"));
	assert_non_null(strstr(text, "  zone=FILE                  zone file; repeatable\n"));
	assert_non_null(strstr(text, "  config=FILE"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults_without_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_line_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key_names_key_value_and_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_values_are_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_argument_without_equals_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_key_twice_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_file_values_and_comments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_line_replaces_file_values_of_that_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_file_errors_name_file_and_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_config_file, setup, teardown),
		cmocka_unit_test(test_parse_int_limits),
		cmocka_unit_test(test_parse_size_units),
		cmocka_unit_test(test_parse_addr_fills_sockaddr),
		cmocka_unit_test(test_help_lists_every_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
