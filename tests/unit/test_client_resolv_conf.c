/* Unit tests for lib/client/resolv_conf.c and server_addr.c: resolv.conf read the way
 * glibc reads it, broken lines skipped, and server address text. */
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <owndns/client.h>

static owndns_resolv_conf parse(const char *text)
{
	owndns_resolv_conf rc;
	owndns_resolv_conf_init(&rc);
	assert_int_equal(owndns_resolv_conf_parse(&rc, text, strlen(text)), OWNDNS_OK);
	return rc;
}

static void assert_v4(const owndns_server_addr *a, uint8_t a0, uint8_t a1, uint8_t a2,
		      uint8_t a3, uint16_t port)
{
	const uint8_t want[4] = { a0, a1, a2, a3 };
	assert_int_equal(a->family, AF_INET);
	assert_memory_equal(a->addr, want, 4);
	assert_int_equal(a->port, port);
}

static void assert_server_text(const owndns_server_addr *a, const char *want)
{
	char buf[OWNDNS_SERVER_ADDR_TEXT_MAX];
	assert_int_equal(owndns_server_addr_to_text(a, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
}

static void assert_search(const owndns_resolv_conf *rc, unsigned i, const char *want)
{
	char text[OWNDNS_NAME_TEXT_MAX];
	assert_true(i < rc->search_count);
	assert_true(owndns_name_to_text(rc->search[i], text, sizeof(text)) > 0);
	assert_string_equal(text, want);
}

static void empty_text_gives_glibc_defaults(void **state)
{
	(void)state;
	owndns_resolv_conf rc = parse("");
	assert_int_equal(rc.server_count, 1);
	assert_v4(&rc.servers[0], 127, 0, 0, 1, 53);
	assert_int_equal(rc.ndots, 1);
	assert_int_equal(rc.timeout_s, 5);
	assert_int_equal(rc.attempts, 2);
	assert_int_equal(rc.search_count, 0);
	assert_false(rc.rotate);
	assert_false(rc.edns0);
	assert_false(rc.use_vc);
	assert_int_equal(rc.skipped_lines, 0);
}

static void nameservers_ipv4_and_ipv6(void **state)
{
	(void)state;
	owndns_resolv_conf rc = parse("nameserver 192.0.2.1\nnameserver 2001:db8::1\n");
	assert_int_equal(rc.server_count, 2);
	assert_v4(&rc.servers[0], 192, 0, 2, 1, 53);
	assert_int_equal(rc.servers[1].family, AF_INET6);
	assert_server_text(&rc.servers[1], "2001:db8::1@53");
}

static void scoped_ipv6_nameserver(void **state)
{
	(void)state;
	owndns_resolv_conf rc = parse("nameserver fe80::1%lo\nnameserver fe80::2%7\n"
				      "nameserver fe80::3%no-such-if0\n");
	assert_int_equal(rc.server_count, 3);
	assert_int_equal(rc.servers[0].scope_id, if_nametoindex("lo"));
	assert_true(rc.servers[0].scope_id != 0);
	assert_int_equal(rc.servers[1].scope_id, 7);
	assert_server_text(&rc.servers[1], "fe80::2%7@53");
	/* glibc: an unknown interface leaves the zone at 0, the server is kept */
	assert_int_equal(rc.servers[2].scope_id, 0);
}

static void only_three_nameservers_like_glibc(void **state)
{
	(void)state;
	owndns_resolv_conf rc = parse("nameserver 192.0.2.1\nnameserver 192.0.2.2\n"
				      "nameserver 192.0.2.3\nnameserver 192.0.2.4\n");
	assert_int_equal(rc.server_count, 3);
	assert_v4(&rc.servers[2], 192, 0, 2, 3, 53);
	assert_int_equal(rc.skipped_lines, 0);
}

static void broken_lines_are_skipped(void **state)
{
	(void)state;
	owndns_resolv_conf rc = parse("nameserver\n"
				      "nameserver 192.0.2.300\n"
				      "nameserver fe80::1%\n"
				      "nameserver example.com\n"
				      "nameservers 192.0.2.7\n"
				      "bogus keyword\n"
				      "  # indented comment\n"
				      "; semicolon comment\n"
				      "\n"
				      "nameserver 192.0.2.8\r\n");
	assert_int_equal(rc.skipped_lines, 6);
	assert_int_equal(rc.server_count, 1);
	assert_v4(&rc.servers[0], 192, 0, 2, 8, 53);
}

static void all_bad_nameservers_fall_back_to_localhost(void **state)
{
	(void)state;
	owndns_resolv_conf rc = parse("nameserver 1.2.3\nnameserver ::g\n");
	assert_int_equal(rc.skipped_lines, 2);
	assert_int_equal(rc.server_count, 1);
	assert_v4(&rc.servers[0], 127, 0, 0, 1, 53);
}

static void port_extension(void **state)
{
	(void)state;
	owndns_resolv_conf rc = parse("nameserver 127.0.0.1@5353\nnameserver [::1]:5300\n"
				      "nameserver 127.0.0.1@0\nnameserver 127.0.0.1@65536\n");
	assert_int_equal(rc.server_count, 2);
	assert_v4(&rc.servers[0], 127, 0, 0, 1, 5353);
	assert_server_text(&rc.servers[1], "::1@5300");
	assert_int_equal(rc.skipped_lines, 2);
}

static void search_and_domain_last_one_wins(void **state)
{
	(void)state;
	owndns_resolv_conf rc = parse("search a.example b.example.\ndomain c.example\n");
	assert_int_equal(rc.search_count, 1);
	assert_search(&rc, 0, "c.example.");

	rc = parse("domain c.example extra.example\nsearch a.example B.Example.\n");
	assert_int_equal(rc.search_count, 2);
	assert_search(&rc, 0, "a.example.");
	assert_search(&rc, 1, "B.Example.");
}

static void search_list_limits_and_bad_names(void **state)
{
	(void)state;
	owndns_resolv_conf rc = parse("search a. b.. c. d. e. f. g. h.\n");
	/* "b.." is not a name: skipped; then six domains kept */
	assert_int_equal(rc.search_count, OWNDNS_RESOLV_MAX_SEARCH);
	assert_search(&rc, 0, "a.");
	assert_search(&rc, 1, "c.");
	assert_search(&rc, 5, "g.");
}

static void options_are_read_and_clamped(void **state)
{
	(void)state;
	owndns_resolv_conf rc = parse("options ndots:3 timeout:2 attempts:4 rotate edns0\n"
				      "options use-vc unknown-option ndots:x\n");
	assert_int_equal(rc.ndots, 3); /* ndots:x has no value: ignored */
	assert_int_equal(rc.timeout_s, 2);
	assert_int_equal(rc.attempts, 4);
	assert_true(rc.rotate);
	assert_true(rc.edns0);
	assert_true(rc.use_vc);

	rc = parse("options ndots:99 timeout:1000 attempts:77\n");
	assert_int_equal(rc.ndots, 15);
	assert_int_equal(rc.timeout_s, 30);
	assert_int_equal(rc.attempts, 5);

	rc = parse("options ndots:0 timeout:0 attempts:0 tcp\n");
	assert_int_equal(rc.ndots, 0);
	assert_int_equal(rc.timeout_s, 1);
	assert_int_equal(rc.attempts, 1);
	assert_true(rc.use_vc);
}

static void keyword_needs_whitespace(void **state)
{
	(void)state;
	owndns_resolv_conf rc = parse("options:ndots:4\nsearchexample.com\n");
	assert_int_equal(rc.ndots, 1);
	assert_int_equal(rc.search_count, 0);
	assert_int_equal(rc.skipped_lines, 2);
}

static void last_line_without_newline_and_embedded_nul_length(void **state)
{
	(void)state;
	const char text[] = "nameserver 192.0.2.1\nnameserver 192.0.2.2";
	owndns_resolv_conf rc;
	owndns_resolv_conf_init(&rc);
	/* only the first line is inside the given length */
	owndns_resolv_conf_parse(&rc, text, 21);
	assert_int_equal(rc.server_count, 1);
	owndns_resolv_conf_init(&rc);
	owndns_resolv_conf_parse(&rc, text, sizeof(text) - 1);
	assert_int_equal(rc.server_count, 2);
	assert_v4(&rc.servers[1], 192, 0, 2, 2, 53);
}

static void load_files(void **state)
{
	(void)state;
	owndns_resolv_conf rc;
	owndns_resolv_conf_init(&rc);
	assert_int_equal(owndns_resolv_conf_load(&rc, OWNDNS_TEST_DATA "/resolv/typical.conf"),
			 OWNDNS_OK);
	assert_int_equal(rc.server_count, 2);
	assert_v4(&rc.servers[0], 192, 0, 2, 53, 53);
	assert_int_equal(rc.search_count, 2);
	assert_search(&rc, 1, "corp.example.");
	assert_true(rc.edns0);

	owndns_resolv_conf_init(&rc);
	assert_int_equal(owndns_resolv_conf_load(&rc, OWNDNS_TEST_DATA "/resolv/broken.conf"),
			 OWNDNS_OK);
	assert_int_equal(rc.server_count, 1);
	assert_v4(&rc.servers[0], 198, 51, 100, 1, 53);
	assert_int_equal(rc.skipped_lines, 5);
	assert_int_equal(rc.ndots, 15);
	assert_int_equal(rc.timeout_s, 1);
	assert_int_equal(rc.attempts, 5);
	assert_true(rc.rotate && rc.use_vc);

	owndns_resolv_conf_init(&rc);
	assert_int_equal(owndns_resolv_conf_load(&rc, OWNDNS_TEST_DATA "/resolv/missing.conf"),
			 OWNDNS_OK);
	assert_v4(&rc.servers[0], 127, 0, 0, 1, 53);
}

static void server_text_forms(void **state)
{
	(void)state;
	owndns_server_addr a;
	assert_int_equal(owndns_server_addr_from_text("192.0.2.1", 53, &a), OWNDNS_OK);
	assert_v4(&a, 192, 0, 2, 1, 53);
	assert_int_equal(owndns_server_addr_from_text("192.0.2.1:5353", 53, &a), OWNDNS_OK);
	assert_v4(&a, 192, 0, 2, 1, 5353);
	assert_int_equal(owndns_server_addr_from_text("192.0.2.1@853", 53, &a), OWNDNS_OK);
	assert_v4(&a, 192, 0, 2, 1, 853);
	assert_int_equal(owndns_server_addr_from_text("2001:db8::1", 53, &a), OWNDNS_OK);
	assert_server_text(&a, "2001:db8::1@53");
	assert_int_equal(owndns_server_addr_from_text("2001:db8::1@5353", 53, &a), OWNDNS_OK);
	assert_server_text(&a, "2001:db8::1@5353");
	assert_int_equal(owndns_server_addr_from_text("[2001:db8::1]:54", 53, &a), OWNDNS_OK);
	assert_server_text(&a, "2001:db8::1@54");
	assert_int_equal(owndns_server_addr_from_text("[2001:db8::1]", 53, &a), OWNDNS_OK);
	assert_int_equal(a.port, 53);

	const char *bad[] = { "", "192.0.2.1:", "192.0.2.1@", "192.0.2.1@x", "[::1", "[::1]x",
			      "::1:", "192.0.2.1:99999", "host.example", "1.2.3.4.5", "fe80::1%" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (owndns_server_addr_from_text(bad[i], 53, &a) != OWNDNS_CLIENT_EBADSERVER)
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

static void server_equality(void **state)
{
	(void)state;
	owndns_server_addr a, b;
	owndns_server_addr_from_text("192.0.2.1", 53, &a);
	owndns_server_addr_from_text("192.0.2.1@53", 53, &b);
	assert_true(owndns_server_addr_equal(&a, &b));
	owndns_server_addr_from_text("192.0.2.1@54", 53, &b);
	assert_false(owndns_server_addr_equal(&a, &b));
	owndns_server_addr_from_text("::ffff:192.0.2.1", 53, &b);
	assert_false(owndns_server_addr_equal(&a, &b));
	owndns_server_addr_from_text("fe80::1%3", 53, &a);
	owndns_server_addr_from_text("fe80::1%4", 53, &b);
	assert_false(owndns_server_addr_equal(&a, &b));
	owndns_server_addr_from_text("fe80::1", 53, &b);
	assert_true(owndns_server_addr_equal(&a, &b));
}

static void options_from_resolv_conf(void **state)
{
	(void)state;
	owndns_client_options o;
	owndns_client_options_init(&o);
	assert_int_equal(o.flags, OWNDNS_QUERY_DEFAULT);
	assert_int_equal(o.udp_size, 1232);
	owndns_resolv_conf rc = parse("nameserver 192.0.2.1\nsearch x.example\n"
				      "options timeout:3 attempts:1 use-vc ndots:2\n");
	owndns_client_options_from_resolv_conf(&o, &rc);
	assert_int_equal(o.server_count, 1);
	assert_int_equal(o.timeout_ms, 3000);
	assert_int_equal(o.tries, 1);
	assert_int_equal(o.ndots, 2);
	assert_int_equal(o.search_count, 1);
	assert_true(o.flags & OWNDNS_QUERY_TCP);
	assert_int_equal(owndns_client_options_add_server(&o, "bad"), OWNDNS_CLIENT_EBADSERVER);
	assert_int_equal(owndns_client_options_add_server(&o, "::1@5353"), OWNDNS_OK);
	assert_int_equal(o.server_count, 2);
}

static void client_strerror(void **state)
{
	(void)state;
	assert_string_equal(owndns_client_strerror(OWNDNS_CLIENT_ETIMEOUT),
			    "no usable answer before the time ran out");
	assert_string_equal(owndns_client_strerror(OWNDNS_CLIENT_ECNAME),
			    "CNAME chain too long or looping");
	assert_string_equal(owndns_client_strerror(OWNDNS_ENOMEM), owndns_strerror(OWNDNS_ENOMEM));
	for (int s = OWNDNS_CLIENT_ETIMEOUT; s >= OWNDNS_CLIENT_ERROR_MIN_; s--) {
		assert_non_null(owndns_client_strerror(s));
		assert_string_not_equal(owndns_client_strerror(s), owndns_strerror(-1000));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_text_gives_glibc_defaults),
		cmocka_unit_test(nameservers_ipv4_and_ipv6),
		cmocka_unit_test(scoped_ipv6_nameserver),
		cmocka_unit_test(only_three_nameservers_like_glibc),
		cmocka_unit_test(broken_lines_are_skipped),
		cmocka_unit_test(all_bad_nameservers_fall_back_to_localhost),
		cmocka_unit_test(port_extension),
		cmocka_unit_test(search_and_domain_last_one_wins),
		cmocka_unit_test(search_list_limits_and_bad_names),
		cmocka_unit_test(options_are_read_and_clamped),
		cmocka_unit_test(keyword_needs_whitespace),
		cmocka_unit_test(last_line_without_newline_and_embedded_nul_length),
		cmocka_unit_test(load_files),
		cmocka_unit_test(server_text_forms),
		cmocka_unit_test(server_equality),
		cmocka_unit_test(options_from_resolv_conf),
		cmocka_unit_test(client_strerror),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
