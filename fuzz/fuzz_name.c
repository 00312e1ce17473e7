/* libFuzzer target: domain names.
 * The input is read as a message: a name is unpacked at every offset, printed, parsed
 * back and must come out identical; the canonical comparison must agree with equality
 * and be antisymmetric between neighbours.  The input is also read as a name in text
 * form, which must survive a print/parse round trip.  Any mismatch traps. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <owndns/name.h>

/* Names the failed condition before trapping, so a crash report says what broke. */
#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                              \
			__builtin_trap();                                            \
		}                                                                    \
	} while (0)

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void check_text_round_trip(const uint8_t *name, size_t len)
{
	char text[OWNDNS_NAME_TEXT_MAX];
	uint8_t back[OWNDNS_NAME_MAX];
	size_t back_len = 0;

	int n = owndns_name_to_text(name, text, sizeof(text));
	CHECK(n > 0 && (size_t)n == strlen(text));
	CHECK(owndns_name_from_text(text, (size_t)n, NULL, back, &back_len) == OWNDNS_OK);
	CHECK(back_len == len && memcmp(back, name, len) == 0);
}

static void check_properties(const uint8_t *name, size_t len)
{
	size_t checked_len = 0;
	uint8_t lower[OWNDNS_NAME_MAX];

	CHECK(len >= 1 && len <= OWNDNS_NAME_MAX);
	CHECK(owndns_name_check(name, len, &checked_len) == OWNDNS_OK && checked_len == len);
	CHECK(owndns_name_length(name) == len);
	CHECK(owndns_name_compare(name, name) == 0 && owndns_name_equal(name, name));

	/* Canonical order ignores ASCII case (RFC 4034 §6.1). */
	memcpy(lower, name, len);
	owndns_name_to_lower(lower);
	CHECK(owndns_name_compare(name, lower) == 0 && owndns_name_equal(name, lower));

	int labels = owndns_name_label_count(name);
	const uint8_t *parent = owndns_name_parent(name);
	CHECK((labels == 0) == (parent == NULL));
	if (parent) {
		CHECK(owndns_name_label_count(parent) == labels - 1);
		CHECK(owndns_name_is_strict_subdomain(name, parent));
		CHECK(!owndns_name_is_strict_subdomain(parent, name));
		CHECK(owndns_name_compare(parent, name) < 0);
	}
	CHECK(owndns_name_is_subdomain(name, name) && !owndns_name_is_strict_subdomain(name, name));
	check_text_round_trip(name, len);
}

static void check_pair(const uint8_t *a, const uint8_t *b)
{
	int ab = owndns_name_compare(a, b), ba = owndns_name_compare(b, a);
	CHECK(sign(ab) == -sign(ba));
	CHECK((ab == 0) == owndns_name_equal(a, b));
}

static void fuzz_wire(const uint8_t *data, size_t size)
{
	uint8_t names[2][OWNDNS_NAME_MAX];
	int have_prev = 0, cur = 0;

	for (size_t off = 0; off < size; off++) {
		size_t pos = off, len = 0;
		if (owndns_name_unpack(data, size, &pos, names[cur], &len) != OWNDNS_OK)
			continue;
		CHECK(pos > off && pos <= size);
		check_properties(names[cur], len);

		/* Without compression the same octets must give the same name or an error. */
		uint8_t plain[OWNDNS_NAME_MAX];
		size_t ppos = off, plen = 0;
		if (owndns_name_unpack_plain(data, size, &ppos, plain, &plen) == OWNDNS_OK)
			CHECK(plen == len && ppos == pos && memcmp(plain, names[cur], len) == 0);

		if (have_prev)
			check_pair(names[cur], names[!cur]);
		have_prev = 1;
		cur = !cur;
	}
}

static void fuzz_text(const uint8_t *data, size_t size)
{
	uint8_t name[OWNDNS_NAME_MAX];
	size_t len = 0;

	if (owndns_name_from_text((const char *)data, size, NULL, name, &len) == OWNDNS_OK)
		check_properties(name, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_wire(data, size);
	fuzz_text(data, size);
	return 0;
}
