/* The client access list (server/policy/acl.c): defaults, longest prefix, deny at equal
 * prefixes, IPv4-mapped clients, errors, and a comparison with a plain linear scan over
 * many rules. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include <cmocka.h>

#include <owndns/error.h>

#include "policy/acl.h"

/* Whether the client at `text` (IPv4 or IPv6 literal) may ask. */
static bool allows(const acl *a, const char *text)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(5353);
	} else {
		assert_int_equal(inet_pton(AF_INET6, text, &sin6->sin6_addr), 1);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(5353);
	}
	return acl_allows(a, (const struct sockaddr *)&ss);
}

static acl *make(const char *const *allow, const char *const *deny)
{
	acl *a = acl_new();
	char err[128];
	assert_non_null(a);
	for (size_t i = 0; allow && allow[i]; i++)
		assert_int_equal(acl_add(a, ACL_ALLOW, allow[i], err, sizeof(err)), 0);
	for (size_t i = 0; deny && deny[i]; i++)
		assert_int_equal(acl_add(a, ACL_DENY, deny[i], err, sizeof(err)), 0);
	assert_int_equal(acl_finish(a), 0);
	return a;
}

static void test_default_localhost_only(void **state)
{
	(void)state;
	acl *a = make(NULL, NULL);
	assert_true(allows(a, "127.0.0.1"));
	assert_true(allows(a, "127.255.255.254"));
	assert_true(allows(a, "::1"));
	assert_true(allows(a, "::ffff:127.0.0.1")); /* dual-stack socket */
	assert_false(allows(a, "128.0.0.1"));
	assert_false(allows(a, "126.255.255.255"));
	assert_false(allows(a, "192.168.1.1"));
	assert_false(allows(a, "::2"));
	assert_false(allows(a, "::"));
	assert_false(allows(a, "::127.0.0.1")); /* IPv4-compatible is not mapped */
	assert_false(allows(a, "::ffff:192.0.2.1"));
	assert_false(allows(a, "2001:db8::1"));
	/* Other families are refused. */
	struct sockaddr_un un;
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	assert_false(acl_allows(a, (const struct sockaddr *)&un));
	assert_false(acl_allows(a, NULL));
	acl_free(a);
}

static void test_longest_prefix(void **state)
{
	(void)state;
	static const char *const allow[] = { "192.168.0.0/16", "192.168.1.5", "2001:db8::/32",
					     "2001:db8:1:2::/64", NULL };
	static const char *const deny[] = { "192.168.1.0/24", "2001:db8:1::/48", NULL };
	acl *a = make(allow, deny);
	assert_true(allows(a, "192.168.2.1"));
	assert_false(allows(a, "192.168.1.6"));
	assert_true(allows(a, "192.168.1.5"));
	assert_false(allows(a, "192.169.0.1"));
	assert_true(allows(a, "::ffff:192.168.1.5"));
	assert_false(allows(a, "::ffff:192.168.1.4"));
	assert_true(allows(a, "2001:db8:2::1"));
	assert_false(allows(a, "2001:db8:1:3::1"));
	assert_true(allows(a, "2001:db8:1:2::99"));
	assert_false(allows(a, "2001:db9::1"));
	/* The localhost defaults stay when rules are configured. */
	assert_true(allows(a, "127.0.0.1"));
	assert_true(allows(a, "::1"));
	acl_free(a);
}

static void test_deny_wins_at_equal_prefix(void **state)
{
	(void)state;
	static const char *const both[] = { "10.0.0.0/8", NULL };
	acl *a = make(both, both);
	assert_false(allows(a, "10.1.2.3"));
	acl_free(a);
	/* Order of addition does not matter. */
	a = acl_new();
	char err[128];
	assert_int_equal(acl_add(a, ACL_DENY, "10.0.0.0/8", err, sizeof(err)), 0);
	assert_int_equal(acl_add(a, ACL_ALLOW, "10.0.0.0/8", err, sizeof(err)), 0);
	assert_int_equal(acl_add(a, ACL_ALLOW, "10.0.0.0/8", err, sizeof(err)), 0);
	assert_int_equal(acl_finish(a), 0);
	assert_false(allows(a, "10.1.2.3"));
	assert_int_equal(acl_add(a, ACL_ALLOW, "10.0.0.0/8", err, sizeof(err)), OWNDNS_ESTATE);
	assert_int_equal(acl_finish(a), OWNDNS_ESTATE);
	acl_free(a);
	/* A deny of the default's prefix turns localhost off; a longer allow beats it. */
	static const char *const deny_lo[] = { "127.0.0.0/8", "::1", NULL };
	static const char *const allow_one[] = { "127.0.0.53", NULL };
	a = make(allow_one, deny_lo);
	assert_false(allows(a, "127.0.0.1"));
	assert_true(allows(a, "127.0.0.53"));
	assert_false(allows(a, "::1"));
	acl_free(a);
}

static void test_mapped_and_families(void **state)
{
	(void)state;
	/* A rule written as a mapped prefix is an IPv4 rule. */
	static const char *const mapped[] = { "::ffff:10.0.0.0/104", NULL };
	acl *a = make(mapped, NULL);
	assert_true(allows(a, "10.9.8.7"));
	assert_true(allows(a, "::ffff:10.9.8.7"));
	assert_false(allows(a, "11.0.0.1"));
	acl_free(a);
	/* ::/0 is all of IPv6 but no IPv4; 0.0.0.0/0 is all of IPv4, mapped included. */
	static const char *const all6[] = { "::/0", NULL };
	a = make(all6, NULL);
	assert_true(allows(a, "2001:db8::1"));
	assert_false(allows(a, "192.0.2.1"));
	assert_false(allows(a, "::ffff:192.0.2.1"));
	acl_free(a);
	static const char *const all4[] = { "0.0.0.0/0", NULL };
	a = make(all4, NULL);
	assert_true(allows(a, "192.0.2.1"));
	assert_true(allows(a, "::ffff:192.0.2.1"));
	assert_false(allows(a, "2001:db8::1"));
	acl_free(a);
	/* Host bits beyond the prefix are ignored; odd prefix lengths. */
	static const char *const odd[] = { "10.1.2.3/8", "172.16.0.0/12", "2001:db8::/29", NULL };
	a = make(odd, NULL);
	assert_true(allows(a, "10.200.0.1"));
	assert_true(allows(a, "172.31.255.255"));
	assert_false(allows(a, "172.32.0.0"));
	assert_false(allows(a, "172.15.255.255"));
	assert_true(allows(a, "2001:dbf:ffff::1"));
	assert_false(allows(a, "2001:dc0::1"));
	acl_free(a);
}

static void test_errors(void **state)
{
	(void)state;
	static const struct {
		enum acl_action action;
		const char *text;
		const char *err;
	} cases[] = {
		{ ACL_ALLOW, "10.0.0.0/33", "allow=10.0.0.0/33: prefix length must be a number "
					     "from 0 to 32" },
		{ ACL_ALLOW, "::/129", "allow=::/129: prefix length must be a number from 0 to 128" },
		{ ACL_DENY, "10.0.0.0/", "deny=10.0.0.0/: prefix length must be a number from 0 "
					 "to 32" },
		{ ACL_DENY, "10.0.0.0/-1", "deny=10.0.0.0/-1: prefix length must be a number from 0 "
					   "to 32" },
		{ ACL_DENY, "10.0.0.0/8x", "deny=10.0.0.0/8x: prefix length must be a number from 0 "
					   "to 32" },
		{ ACL_DENY, "fe80::1%eth0", "deny=fe80::1%eth0: a scoped address is not a prefix" },
		{ ACL_ALLOW, "example.com", "allow=example.com: not an address or CIDR prefix" },
		{ ACL_ALLOW, "10.0.0", "allow=10.0.0: not an address or CIDR prefix" },
		{ ACL_ALLOW, "/8", "allow=/8: not an address or CIDR prefix" },
		{ ACL_ALLOW, "", "allow=: not an address or CIDR prefix" },
		{ ACL_ALLOW, " 10.0.0.1", "allow= 10.0.0.1: not an address or CIDR prefix" },
	};
	acl *a = acl_new();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[128] = "unchanged";
		assert_int_equal(acl_add(a, cases[i].action, cases[i].text, err, sizeof(err)),
				 OWNDNS_EINVAL);
		assert_string_equal(err, cases[i].err);
	}
	/* Too long for any address. */
	char longtext[200];
	memset(longtext, '1', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	char err[256];
	assert_int_equal(acl_add(a, ACL_ALLOW, longtext, err, sizeof(err)), OWNDNS_EINVAL);
	assert_non_null(strstr(err, ": not an address or CIDR prefix"));
	/* A short error buffer is still terminated. */
	char tiny[8];
	assert_int_equal(acl_add(a, ACL_ALLOW, "bogus", tiny, sizeof(tiny)), OWNDNS_EINVAL);
	assert_string_equal(tiny, "allow=b");
	acl_free(a);
}

/* ---- Against a linear scan --------------------------------------------------------- */

typedef struct plain_rule {
	uint32_t addr;
	unsigned bits;
	bool allow;
} plain_rule;

static uint32_t next_random(uint32_t *s)
{
	/* xorshift32: a fixed, reproducible sequence for the test only. */
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static uint32_t mask_of(unsigned bits)
{
	return bits == 0 ? 0 : 0xffffffffu << (32 - bits);
}

/* The definition, directly: longest covering prefix, deny at equal length, else deny. */
static bool plain_allows(const plain_rule *rules, size_t n, uint32_t client)
{
	int best_bits = -1;
	bool verdict = false;
	for (size_t i = 0; i < n; i++) {
		if ((client & mask_of(rules[i].bits)) != rules[i].addr)
			continue;
		if ((int)rules[i].bits > best_bits) {
			best_bits = (int)rules[i].bits;
			verdict = rules[i].allow;
		} else if ((int)rules[i].bits == best_bits && !rules[i].allow) {
			verdict = false;
		}
	}
	return verdict;
}

static void test_against_linear_scan(void **state)
{
	(void)state;
	enum { RULES = 400, CLIENTS = 20000 };
	static plain_rule rules[RULES + 1];
	uint32_t seed = 0x9e3779b9u;
	acl *a = acl_new();
	char err[128];

	rules[0] = (plain_rule){ 0x7f000000u, 8, true }; /* the built-in default */
	for (size_t i = 1; i <= RULES; i++) {
		/* Few distinct networks so that prefixes nest and collide. */
		uint32_t addr = 0x0a000000u | (next_random(&seed) & 0x000f0f0fu);
		unsigned bits = 8 + next_random(&seed) % 25;
		rules[i] = (plain_rule){ addr & mask_of(bits), bits, next_random(&seed) % 3 != 0 };
		char text[32];
		snprintf(text, sizeof(text), "%u.%u.%u.%u/%u", addr >> 24, (addr >> 16) & 0xff,
			 (addr >> 8) & 0xff, addr & 0xff, bits);
		assert_int_equal(acl_add(a, rules[i].allow ? ACL_ALLOW : ACL_DENY, text, err,
					 sizeof(err)),
				 0);
	}
	assert_int_equal(acl_finish(a), 0);
	unsigned allowed = 0;
	for (int i = 0; i < CLIENTS; i++) {
		uint32_t client = 0x0a000000u | (next_random(&seed) & 0x001f1f1fu);
		if (i % 7 == 0)
			client = 0x7f000000u | (next_random(&seed) & 0xffffu);
		struct sockaddr_in sin;
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(client);
		bool expect = plain_allows(rules, RULES + 1, client);
		assert_int_equal(acl_allows(a, (const struct sockaddr *)&sin), expect);
		allowed += expect;
	}
	/* Both verdicts were exercised. */
	assert_true(allowed > CLIENTS / 10 && allowed < CLIENTS - CLIENTS / 10);
	acl_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_localhost_only),
		cmocka_unit_test(test_longest_prefix),
		cmocka_unit_test(test_deny_wins_at_equal_prefix),
		cmocka_unit_test(test_mapped_and_families),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_against_linear_scan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
