/* Helpers for the unit tests of the RDATA formats with a syntax of their own (APL,
 * LOC, IPSECKEY, SVCB): hex in, the public RDATA API, exact comparisons against
 * dnspython's wire forms and dig's texts.  Include after <cmocka.h>. */
#ifndef OWNDNS_TEST_RDATA_FORMAT_SUPPORT_H
#define OWNDNS_TEST_RDATA_FORMAT_SUPPORT_H

#include <stdint.h>
#include <string.h>

#include <owndns/rdata.h>


struct roundtrip {
	const char *text; /* presentation form given to the parser */
	const char *wire; /* hex of dnspython's wire form */
	const char *dig;  /* dig 9.18's presentation of that wire form */
};

struct wire_text {
	const char *wire;
	const char *dig;
};

struct wire_error {
	const char *wire;
	int status;
};

struct text_error {
	const char *text;
	int status;
};

static inline int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static inline size_t from_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex);
	assert_true(n % 2 == 0 && n / 2 <= cap);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
		assert_true(hi >= 0 && lo >= 0);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return n / 2;
}

static inline void assert_text_gives_wire(uint16_t type, const char *text, const char *hex)
{
	uint8_t expected[4096], got[OWNDNS_RDATA_MAX];
	size_t expected_len = from_hex(hex, expected, sizeof(expected)), got_len = 0;
	int rc = owndns_rdata_from_text(type, text, strlen(text), NULL, got, sizeof(got), &got_len);
	if (rc != OWNDNS_OK)
		fail_msg("%s: status %d", text, rc);
	assert_int_equal(got_len, expected_len);
	assert_memory_equal(got, expected, expected_len);
}

static inline void assert_wire_gives_text(uint16_t type, const char *hex, const char *text)
{
	uint8_t wire[4096];
	char got[8192];
	size_t len = from_hex(hex, wire, sizeof(wire));
	int rc = owndns_rdata_to_text(type, wire, len, got, sizeof(got));
	assert_int_equal(rc, (int)strlen(text));
	assert_string_equal(got, text);
}

static inline void assert_wire_status(uint16_t type, const char *hex, int status)
{
	uint8_t wire[4096];
	size_t len = from_hex(hex, wire, sizeof(wire));
	assert_int_equal(owndns_rdata_check(type, wire, len), status);
}

static inline void assert_text_status(uint16_t type, const char *text, int status)
{
	uint8_t wire[OWNDNS_RDATA_MAX];
	size_t len = 0;
	int rc = owndns_rdata_from_text(type, text, strlen(text), NULL, wire, sizeof(wire), &len);
	if (rc != status)
		fail_msg("%s: status %d, expected %d", text, rc, status);
}

/* Text -> wire equals dnspython, wire -> text equals dig, dig's text parses back. */
static inline void check_roundtrips(uint16_t type, const struct roundtrip *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_text_gives_wire(type, cases[i].text, cases[i].wire);
		assert_wire_gives_text(type, cases[i].wire, cases[i].dig);
		assert_text_gives_wire(type, cases[i].dig, cases[i].wire);
	}
}

/* Wire that does not check prints as RFC 3597 generic data, as dig prints it. */
static inline void assert_wire_rejected(uint16_t type, const char *hex, int status)
{
	uint8_t wire[4096];
	char got[8192], generic[8192];
	size_t len = from_hex(hex, wire, sizeof(wire));
	assert_int_equal(owndns_rdata_check(type, wire, len), status);
	assert_true(owndns_rdata_to_text(type, wire, len, got, sizeof(got)) > 0);
	assert_true(owndns_rdata_to_generic_text(wire, len, generic, sizeof(generic)) > 0);
	assert_string_equal(got, generic);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#endif
