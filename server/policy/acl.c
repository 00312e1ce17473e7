/* Client access list: longest matching prefix, deny over allow at equal length.
 * See acl.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <owndns/error.h>

#include "acl.h"

/* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128" fits with room to spare. */
#define ACL_TEXT_MAX 64

typedef struct acl_rule {
	uint8_t addr[16];  /* masked to `bits`; IPv4 rules use the first 4 octets */
	uint8_t bits;
	uint8_t action;
} acl_rule;

/* One address family's rules, sorted by (bits descending, addr, action). */
typedef struct acl_family {
	acl_rule *rules;
	size_t count, cap;
	size_t addr_len;   /* 4 or 16 */
} acl_family;

struct acl {
	acl_family v4, v6;
	bool finished;
};

static void mask_to(uint8_t *addr, size_t len, unsigned bits)
{
	for (size_t i = 0; i < len; i++) {
		unsigned keep = bits >= 8 * (i + 1) ? 8 : bits > 8 * i ? bits - 8 * (unsigned)i : 0;
		addr[i] &= (uint8_t)(0xff00u >> keep);
	}
}

static int family_add(acl_family *f, const uint8_t *addr, unsigned bits,
		      enum acl_action action)
{
	if (f->count == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 16;
		acl_rule *r = realloc(f->rules, ncap * sizeof(*r));
		if (!r)
			return OWNDNS_ENOMEM;
		f->rules = r;
		f->cap = ncap;
	}
	acl_rule *r = &f->rules[f->count++];
	memset(r, 0, sizeof(*r));
	memcpy(r->addr, addr, f->addr_len);
	mask_to(r->addr, f->addr_len, bits);
	r->bits = (uint8_t)bits;
	r->action = (uint8_t)action;
	return OWNDNS_OK;
}

acl *acl_new(void)
{
	static const uint8_t loopback4[4] = { 127, 0, 0, 0 };
	static const uint8_t loopback6[16] = { [15] = 1 };
	acl *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->v4.addr_len = 4;
	a->v6.addr_len = 16;
	if (family_add(&a->v4, loopback4, 8, ACL_ALLOW) ||
	    family_add(&a->v6, loopback6, 128, ACL_ALLOW)) {
		acl_free(a);
		return NULL;
	}
	return a;
}

void acl_free(acl *a)
{
	if (!a)
		return;
	free(a->v4.rules);
	free(a->v6.rules);
	free(a);
}

static bool is_v4_mapped(const uint8_t *a6)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	return memcmp(a6, prefix, sizeof(prefix)) == 0;
}

/* Parses the decimal prefix length after '/'; false when not a number in 0..max. */
static bool parse_bits(const char *s, unsigned max, unsigned *bits)
{
	unsigned v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return false;
	}
	*bits = v;
	return true;
}

static int fail(char *err, size_t err_size, enum acl_action action, const char *text,
		const char *problem)
{
	if (err_size)
		snprintf(err, err_size, "%s=%.*s: %s", action == ACL_ALLOW ? "allow" : "deny",
			 ACL_TEXT_MAX * 2, text, problem);
	return OWNDNS_EINVAL;
}

int acl_add(acl *a, enum acl_action action, const char *text, char *err, size_t err_size)
{
	char buf[ACL_TEXT_MAX];
	uint8_t addr[16];
	unsigned bits;
	size_t len = strlen(text);

	if (err_size)
		err[0] = '\0';
	if (a->finished)
		return OWNDNS_ESTATE;
	if (len == 0 || len >= sizeof(buf))
		return fail(err, err_size, action, text, "not an address or CIDR prefix");
	memcpy(buf, text, len + 1);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (strchr(buf, '%'))
		return fail(err, err_size, action, text, "a scoped address is not a prefix");
	if (inet_pton(AF_INET, buf, addr) == 1) {
		bits = 32;
		if (slash && !parse_bits(slash + 1, 32, &bits))
			return fail(err, err_size, action, text,
				    "prefix length must be a number from 0 to 32");
		return family_add(&a->v4, addr, bits, action);
	}
	if (inet_pton(AF_INET6, buf, addr) == 1) {
		bits = 128;
		if (slash && !parse_bits(slash + 1, 128, &bits))
			return fail(err, err_size, action, text,
				    "prefix length must be a number from 0 to 128");
		/* A mapped prefix is an IPv4 rule: mapped clients are judged as IPv4. */
		if (bits >= 96 && is_v4_mapped(addr))
			return family_add(&a->v4, addr + 12, bits - 96, action);
		return family_add(&a->v6, addr, bits, action);
	}
	return fail(err, err_size, action, text, "not an address or CIDR prefix");
}

/* Longest prefixes first; inside a length by address; deny before allow. */
static int compare_rules(const void *pa, const void *pb)
{
	const acl_rule *a = pa, *b = pb;
	if (a->bits != b->bits)
		return a->bits > b->bits ? -1 : 1;
	int c = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (c)
		return c;
	return (int)a->action - (int)b->action;
}

/* Sorts and leaves one rule per prefix: deny if any rule of that prefix denies. */
static void family_finish(acl_family *f)
{
	size_t out = 0;
	if (f->count == 0)
		return;
	qsort(f->rules, f->count, sizeof(*f->rules), compare_rules);
	for (size_t i = 0; i < f->count; i++) {
		if (out > 0 && f->rules[out - 1].bits == f->rules[i].bits &&
		    memcmp(f->rules[out - 1].addr, f->rules[i].addr, sizeof(f->rules[i].addr)) == 0)
			continue; /* same prefix: the first one, a deny if there is one, stays */
		f->rules[out++] = f->rules[i];
	}
	f->count = out;
}

int acl_finish(acl *a)
{
	if (a->finished)
		return OWNDNS_ESTATE;
	family_finish(&a->v4);
	family_finish(&a->v6);
	a->finished = true;
	return OWNDNS_OK;
}

/* Binary search among rules[lo..hi) (one prefix length) for the masked address. */
static const acl_rule *search_group(const acl_rule *rules, size_t lo, size_t hi,
				    const uint8_t *masked)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(rules[mid].addr, masked, 16);
		if (c == 0)
			return &rules[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool family_allows(const acl_family *f, const uint8_t *addr)
{
	size_t i = 0;
	while (i < f->count) {
		size_t end = i + 1;
		while (end < f->count && f->rules[end].bits == f->rules[i].bits)
			end++;
		uint8_t masked[16] = { 0 };
		memcpy(masked, addr, f->addr_len);
		mask_to(masked, f->addr_len, f->rules[i].bits);
		const acl_rule *r = search_group(f->rules, i, end, masked);
		if (r)
			return r->action == ACL_ALLOW;
		i = end;
	}
	return false;
}

bool acl_allows(const acl *a, const struct sockaddr *client)
{
	if (!a || !client)
		return false;
	if (client->sa_family == AF_INET) {
		struct sockaddr_in sin;
		memcpy(&sin, client, sizeof(sin));
		return family_allows(&a->v4, (const uint8_t *)&sin.sin_addr);
	}
	if (client->sa_family == AF_INET6) {
		struct sockaddr_in6 sin6;
		memcpy(&sin6, client, sizeof(sin6));
		const uint8_t *a6 = sin6.sin6_addr.s6_addr;
		if (is_v4_mapped(a6))
			return family_allows(&a->v4, a6 + 12);
		return family_allows(&a->v6, a6);
	}
	return false;
}
