/* Unit tests for lib/encoding.c: RFC 4648 §10 test vectors, strict rejection of
 * malformed input, and round trips over every octet value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "encoding.h"

typedef int (*decode_fn)(const char *text, size_t len, owndns_wbuf *out);

struct vector {
	const char *plain;
	const char *encoded;
};

/* RFC 4648 §10. */
static const struct vector base64_vectors[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

/* RFC 4648 §10 base32hex, padding removed as NSEC3 writes it (RFC 5155 §3.3). */
static const struct vector base32hex_vectors[] = {
	{ "", "" },
	{ "f", "CO" },
	{ "fo", "CPNG" },
	{ "foo", "CPNMU" },
	{ "foob", "CPNMUOG" },
	{ "fooba", "CPNMUOJ1" },
	{ "foobar", "CPNMUOJ1E8" },
};

static const struct vector hex_vectors[] = {
	{ "", "" },
	{ "f", "66" },
	{ "fo", "666F" },
	{ "foo", "666F6F" },
	{ "foob", "666F6F62" },
	{ "fooba", "666F6F6261" },
	{ "foobar", "666F6F626172" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void assert_decodes(decode_fn decode, const char *text, const void *expected,
			   size_t expected_len)
{
	uint8_t buf[512];
	owndns_wbuf out = owndns_wbuf_init(buf, sizeof(buf));
	int rc = decode(text, strlen(text), &out);
	if (rc != OWNDNS_OK)
		fail_msg("\"%s\" did not decode: %s", text, owndns_strerror(rc));
	assert_int_equal(out.len, expected_len);
	assert_memory_equal(buf, expected, expected_len);
}

/* A malformed input gives `expected` and leaves what was already in `out`. */
static void assert_rejects(decode_fn decode, const char *text, int expected)
{
	uint8_t buf[64] = { 0xAB, 0xCD };
	owndns_wbuf out = owndns_wbuf_init(buf, sizeof(buf));
	out.len = 2;
	int rc = decode(text, strlen(text), &out);
	if (rc != expected)
		fail_msg("\"%s\": got %d, expected %d", text, rc, expected);
	assert_int_equal(out.len, 2);
	assert_int_equal(out.error, OWNDNS_OK);
}

/* ---- base64 ---- */

static void base64_rfc4648_vectors(void **state)
{
	(void)state;
	for (size_t k = 0; k < COUNT(base64_vectors); k++) {
		const struct vector *v = &base64_vectors[k];
		size_t n = strlen(v->plain);
		assert_int_equal(base64_encoded_len(n), strlen(v->encoded));
		char text[16];
		memset(text, '#', sizeof(text));
		base64_encode((const uint8_t *)v->plain, n, text);
		assert_memory_equal(text, v->encoded, strlen(v->encoded));
		assert_int_equal(text[strlen(v->encoded)], '#'); /* writes no NUL */
		assert_decodes(base64_decode, v->encoded, v->plain, n);
	}
}

static void base64_binary(void **state)
{
	(void)state;
	/* Checked with Python's base64 module. */
	static const uint8_t data[] = { 0x00, 0xFF, 0x10, 0x80, 0x7F, 0x01, 0xAA };
	char text[12];
	assert_int_equal(base64_encoded_len(sizeof(data)), 12);
	base64_encode(data, sizeof(data), text);
	assert_memory_equal(text, "AP8QgH8Bqg==", 12);
	assert_decodes(base64_decode, "AP8QgH8Bqg==", data, sizeof(data));
	assert_decodes(base64_decode, "+/+/", "\xFB\xFF\xBF", 3);
}

static void base64_appends(void **state)
{
	(void)state;
	uint8_t buf[8];
	owndns_wbuf out = owndns_wbuf_init(buf, sizeof(buf));
	assert_int_equal(base64_decode("Zm8=", 4, &out), OWNDNS_OK);
	assert_int_equal(base64_decode("Zm9v", 4, &out), OWNDNS_OK);
	assert_int_equal(out.len, 5);
	assert_memory_equal(buf, "fofoo", 5);
}

static void base64_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"Zg",        /* padding missing */
		"Zg=",       /* length not a multiple of 4 */
		"Zm9vY",
		"Z===",      /* three padding characters */
		"====",
		"=Zg=",      /* padding before data */
		"Zg=a",      /* data after padding */
		"Z=g=",
		"Zg==Zg==",  /* padding inside the text */
		"Zm8=Zm9v",
		"Zm9*",      /* not in the alphabet */
		"Zm9v Zg==", /* no whitespace: callers join tokens */
		"Zm9-",      /* base64url is another alphabet */
		"Zm9_",
		"Zm9\x80",
	};
	for (size_t k = 0; k < COUNT(bad); k++)
		assert_rejects(base64_decode, bad[k], OWNDNS_EBASE64);
	/* An embedded NUL is a bad character, not an end. */
	uint8_t buf[8];
	owndns_wbuf out = owndns_wbuf_init(buf, sizeof(buf));
	assert_int_equal(base64_decode("Zm\0v", 4, &out), OWNDNS_EBASE64);
}

static void base64_trailing_bits_tolerated(void **state)
{
	(void)state;
	/* "Zh==" carries 'f' and four non-zero bits that no encoder would write. */
	assert_decodes(base64_decode, "Zh==", "f", 1);
	assert_decodes(base64_decode, "Zm9=", "fo", 2);
}

static void base64_no_space(void **state)
{
	(void)state;
	uint8_t buf[5];
	owndns_wbuf out = owndns_wbuf_init(buf, sizeof(buf));
	assert_int_equal(base64_decode("Zm9vYmFy", 8, &out), OWNDNS_ESPACE);
	assert_int_equal(out.error, OWNDNS_ESPACE);
	assert_true(out.len <= sizeof(buf));
}

/* ---- base32hex ---- */

static void base32hex_rfc4648_vectors(void **state)
{
	(void)state;
	for (size_t k = 0; k < COUNT(base32hex_vectors); k++) {
		const struct vector *v = &base32hex_vectors[k];
		size_t n = strlen(v->plain);
		assert_int_equal(base32hex_encoded_len(n), strlen(v->encoded));
		char text[16];
		memset(text, '#', sizeof(text));
		base32hex_encode((const uint8_t *)v->plain, n, text);
		assert_memory_equal(text, v->encoded, strlen(v->encoded));
		assert_int_equal(text[strlen(v->encoded)], '#');
		assert_decodes(base32hex_decode, v->encoded, v->plain, n);
	}
}

static void base32hex_case_insensitive(void **state)
{
	(void)state;
	assert_decodes(base32hex_decode, "cpnmuoj1e8", "foobar", 6);
	assert_decodes(base32hex_decode, "CpNmUoJ1e8", "foobar", 6);
}

static void base32hex_binary(void **state)
{
	(void)state;
	/* Checked with Python's base64.b32hexencode (padding dropped). */
	static const uint8_t data[] = { 0x00, 0xFF, 0x10, 0x80, 0x7F, 0x01, 0xAA };
	char text[12];
	assert_int_equal(base32hex_encoded_len(sizeof(data)), 12);
	base32hex_encode(data, sizeof(data), text);
	assert_memory_equal(text, "03VH103V06L0", 12);
	assert_decodes(base32hex_decode, "03VH103V06L0", data, sizeof(data));
	/* A 20-octet SHA-1 NSEC3 hash is 32 characters. */
	assert_int_equal(base32hex_encoded_len(20), 32);
	static const uint8_t hash[] = { 0x2D, 0x0A, 0x1F, 0x8C, 0x9E, 0x3B };
	assert_decodes(base32hex_decode, "5K51V34U7C", hash, sizeof(hash));
}

static void base32hex_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"C",          /* 1, 3 or 6 characters left over cannot be */
		"CPN",
		"CPNMUO",
		"CPNMUOJ1C",
		"CO======",   /* no padding in NSEC3's form */
		"CO==",
		"CW",         /* W..Z are outside base32hex */
		"cw",
		"CPNMUOJ1E=",
		"CP G",
		"ME======",
	};
	for (size_t k = 0; k < COUNT(bad); k++)
		assert_rejects(base32hex_decode, bad[k], OWNDNS_EBASE32);
}

/* ---- hex ---- */

static void hex_vectors_both_ways(void **state)
{
	(void)state;
	for (size_t k = 0; k < COUNT(hex_vectors); k++) {
		const struct vector *v = &hex_vectors[k];
		size_t n = strlen(v->plain);
		char text[16];
		memset(text, '#', sizeof(text));
		hex_encode((const uint8_t *)v->plain, n, text);
		assert_memory_equal(text, v->encoded, 2 * n);
		assert_int_equal(text[2 * n], '#');
		assert_decodes(hex_decode, v->encoded, v->plain, n);
	}
	assert_decodes(hex_decode, "666f6F", "foo", 3);
	assert_decodes(hex_decode, "00fFaB09", "\x00\xFF\xAB\x09", 4);
}

static void hex_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = { "6", "666", "6g", "g6", "0x66", "66 66", "-1", "6:" };
	for (size_t k = 0; k < COUNT(bad); k++)
		assert_rejects(hex_decode, bad[k], OWNDNS_EHEX);
}

/* ---- every octet through every encoding ---- */

static void round_trip_every_octet(void **state)
{
	(void)state;
	uint8_t data[256];
	for (int k = 0; k < 256; k++)
		data[k] = (uint8_t)k;
	char text[600];
	uint8_t back[256];

	/* Every length up to 256 exercises each kind of final quantum. */
	for (size_t n = 0; n <= sizeof(data); n++) {
		owndns_wbuf out;

		base64_encode(data, n, text);
		out = owndns_wbuf_init(back, sizeof(back));
		assert_int_equal(base64_decode(text, base64_encoded_len(n), &out), OWNDNS_OK);
		assert_int_equal(out.len, n);
		assert_memory_equal(back, data, n);

		base32hex_encode(data, n, text);
		out = owndns_wbuf_init(back, sizeof(back));
		assert_int_equal(base32hex_decode(text, base32hex_encoded_len(n), &out), OWNDNS_OK);
		assert_int_equal(out.len, n);
		assert_memory_equal(back, data, n);

		hex_encode(data, n, text);
		out = owndns_wbuf_init(back, sizeof(back));
		assert_int_equal(hex_decode(text, 2 * n, &out), OWNDNS_OK);
		assert_int_equal(out.len, n);
		assert_memory_equal(back, data, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(base64_rfc4648_vectors),
		cmocka_unit_test(base64_binary),
		cmocka_unit_test(base64_appends),
		cmocka_unit_test(base64_malformed),
		cmocka_unit_test(base64_trailing_bits_tolerated),
		cmocka_unit_test(base64_no_space),
		cmocka_unit_test(base32hex_rfc4648_vectors),
		cmocka_unit_test(base32hex_case_insensitive),
		cmocka_unit_test(base32hex_binary),
		cmocka_unit_test(base32hex_malformed),
		cmocka_unit_test(hex_vectors_both_ways),
		cmocka_unit_test(hex_malformed),
		cmocka_unit_test(round_trip_every_octet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
