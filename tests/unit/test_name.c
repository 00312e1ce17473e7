/* Unit tests for lib/name.c: wire decoding (compression and its abuses), presentation
 * format against dig's output, canonical ordering (RFC 4034 §6.1), structure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <owndns/name.h>

/* A byte string literal and its length without the literal's NUL. */
#define BYTES(s) (const uint8_t *)(s), (sizeof(s) - 1)

#define HEADER "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

static void parse_name(const char *text, uint8_t *out)
{
	size_t len;
	int rc = owndns_name_from_text(text, strlen(text), NULL, out, &len);
	if (rc != OWNDNS_OK)
		fail_msg("cannot parse \"%s\": %s", text, owndns_strerror(rc));
}

static void assert_name_text(const uint8_t *name, const char *expected)
{
	char text[OWNDNS_NAME_TEXT_MAX];
	int rc = owndns_name_to_text(name, text, sizeof(text));
	assert_int_equal(rc, (int)strlen(expected));
	assert_string_equal(text, expected);
}

static void assert_unpack_fails(const uint8_t *msg, size_t msg_len, size_t start, int expected)
{
	uint8_t out[OWNDNS_NAME_MAX];
	size_t pos = start, out_len = 12345;
	assert_int_equal(owndns_name_unpack(msg, msg_len, &pos, out, &out_len), expected);
	assert_int_equal(pos, start);      /* untouched on error */
	assert_int_equal(out_len, 12345);
}

/* ---- owndns_name_unpack ---- */

static void unpack_uncompressed(void **state)
{
	(void)state;
	static const uint8_t msg[] = HEADER "\x03www\x07" "example\x03" "com\x00" "\xAA";
	uint8_t out[OWNDNS_NAME_MAX];
	size_t pos = 12, out_len = 0;
	assert_int_equal(owndns_name_unpack(msg, sizeof(msg) - 1, &pos, out, &out_len), OWNDNS_OK);
	assert_int_equal(out_len, 17);
	assert_memory_equal(out, "\x03www\x07" "example\x03" "com\x00", 17);
	assert_int_equal(pos, 12 + 17);
}

static void unpack_root(void **state)
{
	(void)state;
	static const uint8_t msg[] = "\x00";
	uint8_t out[OWNDNS_NAME_MAX];
	size_t pos = 0, out_len = 0;
	assert_int_equal(owndns_name_unpack(msg, 1, &pos, out, &out_len), OWNDNS_OK);
	assert_int_equal(out_len, 1);
	assert_int_equal(out[0], 0);
	assert_int_equal(pos, 1);
}

static void unpack_compressed(void **state)
{
	(void)state;
	/* 12: example.com.   25: www -> 12   31: -> 25 (pointer to a pointer) */
	static const uint8_t msg[] = HEADER "\x07" "example\x03" "com\x00"
					    "\x03www\xC0\x0C"
					    "\xC0\x19" "\xEE";
	uint8_t out[OWNDNS_NAME_MAX];
	size_t pos = 25, out_len = 0;
	assert_int_equal(owndns_name_unpack(msg, sizeof(msg) - 1, &pos, out, &out_len), OWNDNS_OK);
	assert_int_equal(out_len, 17);
	assert_memory_equal(out, "\x03www\x07" "example\x03" "com\x00", 17);
	assert_int_equal(pos, 31); /* just past the name's first pointer */

	pos = 31;
	assert_int_equal(owndns_name_unpack(msg, sizeof(msg) - 1, &pos, out, &out_len), OWNDNS_OK);
	assert_int_equal(out_len, 17);
	assert_memory_equal(out, "\x03www\x07" "example\x03" "com\x00", 17);
	assert_int_equal(pos, 33);
}

static void unpack_pointer_into_header(void **state)
{
	(void)state;
	/* The header is just octets: a backward pointer into it is legal. */
	static const uint8_t msg[] = "\x01x\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
				     "\x01" "a\xC0\x00";
	uint8_t out[OWNDNS_NAME_MAX];
	size_t pos = 12, out_len = 0;
	assert_int_equal(owndns_name_unpack(msg, sizeof(msg) - 1, &pos, out, &out_len), OWNDNS_OK);
	assert_int_equal(out_len, 5);
	assert_memory_equal(out, "\x01" "a\x01x\x00", 5);
	assert_int_equal(pos, 16);
}

static void unpack_pointer_loop(void **state)
{
	(void)state;
	/* 12 -> 14 and 14 -> 12. */
	static const uint8_t msg[] = HEADER "\xC0\x0E" "\xC0\x0C";
	assert_unpack_fails(BYTES(msg), 14, OWNDNS_EPTR_LOOP);
	assert_unpack_fails(BYTES(msg), 12, OWNDNS_EPTR_LOOP);
	/* Labels in between do not help: 12 "a" -> 16, 16 "b" -> 12. */
	static const uint8_t msg2[] = HEADER "\x01" "a\xC0\x10" "\x01" "b\xC0\x0C";
	assert_unpack_fails(BYTES(msg2), 12, OWNDNS_EPTR_LOOP);
	assert_unpack_fails(BYTES(msg2), 16, OWNDNS_EPTR_LOOP);
}

static void unpack_self_pointer(void **state)
{
	(void)state;
	static const uint8_t msg[] = HEADER "\xC0\x0C";
	assert_unpack_fails(BYTES(msg), 12, OWNDNS_EPTR_LOOP);
}

static void unpack_pointer_back_into_own_name(void **state)
{
	(void)state;
	/* Backward from the pointer itself, but to the name's own start: still a loop. */
	static const uint8_t msg[] = HEADER "\x01" "a\xC0\x0C";
	assert_unpack_fails(BYTES(msg), 12, OWNDNS_EPTR_LOOP);
	static const uint8_t msg2[] = HEADER "\x01" "a\x01" "b\xC0\x0E";
	assert_unpack_fails(BYTES(msg2), 12, OWNDNS_EPTR_LOOP);
}

static void unpack_forward_pointer(void **state)
{
	(void)state;
	/* 12 -> 14, where a valid name stands: forward pointers are refused all the same. */
	static const uint8_t msg[] = HEADER "\xC0\x0E" "\x01" "a\x00";
	assert_unpack_fails(BYTES(msg), 12, OWNDNS_EPTR_LOOP);
}

static void unpack_pointer_out_of_range(void **state)
{
	(void)state;
	static const uint8_t msg[] = HEADER "\x01" "a\x00" "\xC0\x11";
	/* 0x11 == 17 == message length: one past the end. */
	assert_unpack_fails(BYTES(msg), 15, OWNDNS_EPTR_RANGE);
	static const uint8_t msg2[] = HEADER "\xFF\xFF";
	assert_unpack_fails(BYTES(msg2), 12, OWNDNS_EPTR_RANGE);
}

static void unpack_reserved_label_types(void **state)
{
	(void)state;
	static const uint8_t t40[] = HEADER "\x40" "abc";
	static const uint8_t t41[] = HEADER "\x41" "abc";
	static const uint8_t t80[] = HEADER "\x80" "abc";
	static const uint8_t tbf[] = HEADER "\xBF" "abc";
	static const uint8_t later[] = HEADER "\x01" "a\x80\x00";
	assert_unpack_fails(BYTES(t40), 12, OWNDNS_ELABEL_TYPE);
	assert_unpack_fails(BYTES(t41), 12, OWNDNS_ELABEL_TYPE);
	assert_unpack_fails(BYTES(t80), 12, OWNDNS_ELABEL_TYPE);
	assert_unpack_fails(BYTES(tbf), 12, OWNDNS_ELABEL_TYPE);
	assert_unpack_fails(BYTES(later), 12, OWNDNS_ELABEL_TYPE);
}

static void unpack_truncated(void **state)
{
	(void)state;
	static const uint8_t short_label[] = HEADER "\x05" "ab";
	static const uint8_t no_root[] = HEADER "\x01" "a";
	static const uint8_t half_pointer[] = HEADER "\x01" "a\xC0";
	static const uint8_t empty[] = HEADER;
	assert_unpack_fails(BYTES(short_label), 12, OWNDNS_ETRUNCATED);
	assert_unpack_fails(BYTES(no_root), 12, OWNDNS_ETRUNCATED);
	assert_unpack_fails(BYTES(half_pointer), 12, OWNDNS_ETRUNCATED);
	assert_unpack_fails(BYTES(empty), 12, OWNDNS_ETRUNCATED);
	assert_unpack_fails(BYTES(empty), 13, OWNDNS_ETRUNCATED);
	/* A pointer's target may itself run off the end. */
	static const uint8_t target_short[] = "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
					      "\x05" "\xC0\x0B";
	assert_unpack_fails(BYTES(target_short), 12, OWNDNS_ETRUNCATED);
}

/* Writes labels of the given lengths (filled with 'x') and the root label. */
static size_t make_wire_name(uint8_t *out, const uint8_t *label_lens, size_t count)
{
	size_t len = 0;
	for (size_t k = 0; k < count; k++) {
		out[len++] = label_lens[k];
		memset(out + len, 'x', label_lens[k]);
		len += label_lens[k];
	}
	out[len++] = 0;
	return len;
}

static void unpack_length_boundary(void **state)
{
	(void)state;
	uint8_t msg[300];
	uint8_t out[OWNDNS_NAME_MAX];
	size_t pos, out_len;

	/* 3 * 64 + 62 + 1 = 255 octets: the longest name. */
	static const uint8_t fits[] = { 63, 63, 63, 61 };
	size_t len = make_wire_name(msg, fits, 4);
	assert_int_equal(len, 255);
	pos = 0;
	assert_int_equal(owndns_name_unpack(msg, len, &pos, out, &out_len), OWNDNS_OK);
	assert_int_equal(out_len, 255);
	assert_int_equal(pos, 255);
	assert_memory_equal(out, msg, 255);

	static const uint8_t too_long[] = { 63, 63, 63, 62 };
	len = make_wire_name(msg, too_long, 4);
	assert_int_equal(len, 256);
	assert_unpack_fails(msg, len, 0, OWNDNS_ENAME_LONG);

	/* 128 one-octet labels: 257 octets. */
	uint8_t ones[128];
	memset(ones, 1, sizeof(ones));
	len = make_wire_name(msg, ones, 128);
	assert_unpack_fails(msg, len, 0, OWNDNS_ENAME_LONG);
	len = make_wire_name(msg, ones, 127);
	assert_int_equal(len, 255);
	pos = 0;
	assert_int_equal(owndns_name_unpack(msg, len, &pos, out, &out_len), OWNDNS_OK);
	assert_int_equal(out_len, 255);
}

static void unpack_length_boundary_through_pointer(void **state)
{
	(void)state;
	/* 0: a 192-octet name (3 labels of 63); 192: a 62-octet label and a pointer to 0.
	 * Uncompressed that is 64 + 192 = 256 octets; with 61 it is 255. */
	uint8_t msg[300];
	uint8_t out[OWNDNS_NAME_MAX];
	static const uint8_t head[] = { 63, 63, 63 };
	size_t len = make_wire_name(msg, head, 3);
	assert_int_equal(len, 193);

	msg[len] = 62;
	memset(msg + len + 1, 'y', 62);
	msg[len + 63] = 0xC0;
	msg[len + 64] = 0x00;
	assert_unpack_fails(msg, len + 65, len, OWNDNS_ENAME_LONG);

	msg[len] = 61;
	memset(msg + len + 1, 'y', 61);
	msg[len + 62] = 0xC0;
	msg[len + 63] = 0x00;
	size_t pos = len, out_len = 0;
	assert_int_equal(owndns_name_unpack(msg, len + 64, &pos, out, &out_len), OWNDNS_OK);
	assert_int_equal(out_len, 255);
	assert_int_equal(pos, len + 64);
}

/* `chain` pointers in a row, each to the one before, the first to a root label. */
static size_t make_pointer_chain(uint8_t *msg, size_t chain, size_t *last)
{
	msg[0] = 0;
	size_t at = 1;
	size_t target = 0;
	for (size_t k = 0; k < chain; k++) {
		msg[at] = (uint8_t)(0xC0 | (target >> 8));
		msg[at + 1] = (uint8_t)target;
		target = at;
		at += 2;
	}
	*last = target;
	return at;
}

static void unpack_pointer_hops_bounded(void **state)
{
	(void)state;
	uint8_t msg[1 + 2 * 200];
	uint8_t out[OWNDNS_NAME_MAX];
	size_t last, pos, out_len;

	size_t len = make_pointer_chain(msg, 128, &last);
	pos = last;
	assert_int_equal(owndns_name_unpack(msg, len, &pos, out, &out_len), OWNDNS_OK);
	assert_int_equal(out_len, 1);
	assert_int_equal(pos, last + 2);

	len = make_pointer_chain(msg, 129, &last);
	assert_unpack_fails(msg, len, last, OWNDNS_EPTR_LOOP);
	len = make_pointer_chain(msg, 200, &last);
	assert_unpack_fails(msg, len, last, OWNDNS_EPTR_LOOP);
}

static void unpack_plain_forbids_pointers(void **state)
{
	(void)state;
	static const uint8_t msg[] = "\x01" "a\x00\x01" "b\xC0\x00";
	uint8_t out[OWNDNS_NAME_MAX];
	size_t pos = 3, out_len = 0;
	assert_int_equal(owndns_name_unpack_plain(msg, sizeof(msg) - 1, &pos, out, &out_len),
			 OWNDNS_EPTR_FORBIDDEN);
	assert_int_equal(pos, 3);
	pos = 0;
	assert_int_equal(owndns_name_unpack_plain(msg, sizeof(msg) - 1, &pos, out, &out_len),
			 OWNDNS_OK);
	assert_int_equal(pos, 3);
	assert_int_equal(out_len, 3);
	assert_memory_equal(out, "\x01" "a\x00", 3);

	static const uint8_t type40[] = "\x40";
	pos = 0;
	assert_int_equal(owndns_name_unpack_plain(type40, 1, &pos, out, &out_len),
			 OWNDNS_ELABEL_TYPE);
}

static void check_validates(void **state)
{
	(void)state;
	size_t len = 0;
	assert_int_equal(owndns_name_check(BYTES("\x01" "a\x02" "bc\x00" "trailing"), &len),
			 OWNDNS_OK);
	assert_int_equal(len, 6);
	assert_int_equal(owndns_name_check(BYTES("\x00"), &len), OWNDNS_OK);
	assert_int_equal(len, 1);
	assert_int_equal(owndns_name_check(BYTES("\x01" "a\x02" "b"), &len), OWNDNS_ETRUNCATED);
	assert_int_equal(owndns_name_check((const uint8_t *)"", 0, &len), OWNDNS_ETRUNCATED);
	assert_int_equal(owndns_name_check(BYTES("\x01" "a\xC0\x00"), &len),
			 OWNDNS_EPTR_FORBIDDEN);
	assert_int_equal(owndns_name_check(BYTES("\x80"), &len), OWNDNS_ELABEL_TYPE);
	uint8_t buf[300];
	static const uint8_t too_long[] = { 63, 63, 63, 62 };
	size_t n = make_wire_name(buf, too_long, 4);
	assert_int_equal(owndns_name_check(buf, n, &len), OWNDNS_ENAME_LONG);
}

static void length_of_names(void **state)
{
	(void)state;
	assert_int_equal(owndns_name_length((const uint8_t *)"\x00"), 1);
	assert_int_equal(owndns_name_length((const uint8_t *)"\x01" "a\x03" "com\x00"), 7);
}

/* ---- owndns_name_from_text ---- */

static int from_text(const char *text, const uint8_t *origin, uint8_t *out, size_t *out_len)
{
	return owndns_name_from_text(text, strlen(text), origin, out, out_len);
}

static void assert_from_text_fails(const char *text, const uint8_t *origin, int expected)
{
	uint8_t out[OWNDNS_NAME_MAX];
	size_t len;
	int rc = from_text(text, origin, out, &len);
	if (rc != expected)
		fail_msg("\"%s\": got %d, expected %d", text, rc, expected);
}

static void assert_from_text(const char *text, const uint8_t *origin, const uint8_t *wire,
			     size_t wire_len)
{
	uint8_t out[OWNDNS_NAME_MAX];
	size_t len = 0;
	int rc = from_text(text, origin, out, &len);
	if (rc != OWNDNS_OK)
		fail_msg("\"%s\": %s", text, owndns_strerror(rc));
	assert_int_equal(len, wire_len);
	assert_memory_equal(out, wire, wire_len);
}

static void from_text_basic(void **state)
{
	(void)state;
	assert_from_text("www.example.com.", NULL, BYTES("\x03www\x07" "example\x03" "com\x00"));
	assert_from_text(".", NULL, BYTES("\x00"));
	assert_from_text("a", NULL, BYTES("\x01" "a\x00"));
	assert_from_text("Mixed.Case.", NULL, BYTES("\x05Mixed\x04" "Case\x00"));
	/* text_len is honoured: no NUL needed. */
	uint8_t out[OWNDNS_NAME_MAX];
	size_t len = 0;
	assert_int_equal(owndns_name_from_text("abc.def", 3, NULL, out, &len), OWNDNS_OK);
	assert_int_equal(len, 5);
	assert_memory_equal(out, "\x03" "abc\x00", 5);
}

static void from_text_origin(void **state)
{
	(void)state;
	const uint8_t *origin = (const uint8_t *)"\x07" "example\x03" "com\x00";
	assert_from_text("www", origin, BYTES("\x03www\x07" "example\x03" "com\x00"));
	assert_from_text("a.b", origin, BYTES("\x01" "a\x01" "b\x07" "example\x03" "com\x00"));
	assert_from_text("www.", origin, BYTES("\x03www\x00"));
	assert_from_text("@", origin, BYTES("\x07" "example\x03" "com\x00"));
	assert_from_text(".", origin, BYTES("\x00"));
	assert_from_text("@", (const uint8_t *)"\x00", BYTES("\x00"));
	assert_from_text_fails("@", NULL, OWNDNS_ESYNTAX);
	/* "@" is special only alone. */
	assert_from_text("a@b.", NULL, BYTES("\x03" "a@b\x00"));
}

static void from_text_malformed(void **state)
{
	(void)state;
	assert_from_text_fails("", NULL, OWNDNS_ESYNTAX);
	assert_from_text_fails("a..b", NULL, OWNDNS_ELABEL_EMPTY);
	assert_from_text_fails("a..", NULL, OWNDNS_ELABEL_EMPTY);
	assert_from_text_fails("..", NULL, OWNDNS_ELABEL_EMPTY);
	assert_from_text_fails(".a", NULL, OWNDNS_ELABEL_EMPTY);
	assert_from_text_fails(".a.", NULL, OWNDNS_ELABEL_EMPTY);
	assert_from_text_fails("a b", NULL, OWNDNS_ESYNTAX);
	assert_from_text_fails("a\tb", NULL, OWNDNS_ESYNTAX);
	uint8_t out[OWNDNS_NAME_MAX];
	size_t len;
	assert_int_equal(owndns_name_from_text("a\0b", 3, NULL, out, &len), OWNDNS_ESYNTAX);
}

static void from_text_escapes(void **state)
{
	(void)state;
	assert_from_text("a\\.b.c.", NULL, BYTES("\x03" "a.b\x01" "c\x00"));
	assert_from_text("\\065\\066.", NULL, BYTES("\x02" "AB\x00"));
	assert_from_text("\\000\\255.", NULL, BYTES("\x02\x00\xFF\x00"));
	assert_from_text("\\\\.", NULL, BYTES("\x01\\\x00"));
	assert_from_text("\\a\\@\\;.", NULL, BYTES("\x03" "a@;\x00"));
	assert_from_text("\\0651", NULL, BYTES("\x02" "A1\x00"));
	assert_from_text("\\.", NULL, BYTES("\x01.\x00"));
	assert_from_text("\\..", NULL, BYTES("\x01.\x00"));
	assert_from_text("a\\ b.", NULL, BYTES("\x03" "a b\x00"));

	assert_from_text_fails("\\256.", NULL, OWNDNS_EESCAPE);
	assert_from_text_fails("\\999", NULL, OWNDNS_EESCAPE);
	assert_from_text_fails("\\25", NULL, OWNDNS_EESCAPE);
	assert_from_text_fails("\\2", NULL, OWNDNS_EESCAPE);
	assert_from_text_fails("\\2a5.", NULL, OWNDNS_EESCAPE);
	assert_from_text_fails("\\25.", NULL, OWNDNS_EESCAPE);
	assert_from_text_fails("a\\", NULL, OWNDNS_EESCAPE);
	assert_from_text_fails("\\", NULL, OWNDNS_EESCAPE);
}

static void fill_text_label(char *text, size_t n, char c)
{
	memset(text, c, n);
	text[n] = '\0';
}

static void from_text_label_length(void **state)
{
	(void)state;
	char text[300];
	uint8_t out[OWNDNS_NAME_MAX];
	size_t len;

	fill_text_label(text, 63, 'x');
	assert_int_equal(from_text(text, NULL, out, &len), OWNDNS_OK);
	assert_int_equal(len, 65);
	assert_int_equal(out[0], 63);
	fill_text_label(text, 64, 'x');
	assert_from_text_fails(text, NULL, OWNDNS_ELABEL_LONG);
	strcat(text, ".");
	assert_from_text_fails(text, NULL, OWNDNS_ELABEL_LONG);

	/* 64 octets written as escapes count as 64. */
	text[0] = '\0';
	for (int k = 0; k < 64; k++)
		strcat(text, "\\000");
	assert_from_text_fails(text, NULL, OWNDNS_ELABEL_LONG);
	text[63 * 4] = '\0';
	assert_int_equal(from_text(text, NULL, out, &len), OWNDNS_OK);
	assert_int_equal(len, 65);
}

/* Text of labels of the given lengths ('x' repeated), each followed by a dot. */
static void make_text_name(char *text, const size_t *label_lens, size_t count, bool absolute)
{
	text[0] = '\0';
	for (size_t k = 0; k < count; k++) {
		size_t at = strlen(text);
		memset(text + at, 'x', label_lens[k]);
		text[at + label_lens[k]] = '.';
		text[at + label_lens[k] + 1] = '\0';
	}
	if (!absolute)
		text[strlen(text) - 1] = '\0';
}

static void from_text_name_length(void **state)
{
	(void)state;
	char text[400];
	uint8_t out[OWNDNS_NAME_MAX];
	size_t len;

	static const size_t fits[] = { 63, 63, 63, 61 };
	make_text_name(text, fits, 4, true);
	assert_int_equal(from_text(text, NULL, out, &len), OWNDNS_OK);
	assert_int_equal(len, 255);
	make_text_name(text, fits, 4, false);
	assert_int_equal(from_text(text, NULL, out, &len), OWNDNS_OK);
	assert_int_equal(len, 255);

	static const size_t too_long[] = { 63, 63, 63, 62 };
	make_text_name(text, too_long, 4, true);
	assert_from_text_fails(text, NULL, OWNDNS_ENAME_LONG);
	make_text_name(text, too_long, 4, false);
	assert_from_text_fails(text, NULL, OWNDNS_ENAME_LONG);

	/* Overflow that appears only once the origin is appended. */
	uint8_t origin[OWNDNS_NAME_MAX];
	static const size_t origin_labels[] = { 63, 63 };
	make_text_name(text, origin_labels, 2, true);
	assert_int_equal(from_text(text, NULL, origin, &len), OWNDNS_OK);
	assert_int_equal(len, 129);
	static const size_t rel_fits[] = { 63, 61 };
	make_text_name(text, rel_fits, 2, false);
	assert_int_equal(from_text(text, origin, out, &len), OWNDNS_OK);
	assert_int_equal(len, 255);
	static const size_t rel_too_long[] = { 63, 62 };
	make_text_name(text, rel_too_long, 2, false);
	assert_from_text_fails(text, origin, OWNDNS_ENAME_LONG);
	/* The same text made absolute fits. */
	strcat(text, ".");
	assert_int_equal(from_text(text, origin, out, &len), OWNDNS_OK);
	assert_int_equal(len, 128);
}

/* ---- owndns_name_to_text ---- */

static void to_text_basic(void **state)
{
	(void)state;
	assert_name_text((const uint8_t *)"\x00", ".");
	assert_name_text((const uint8_t *)"\x03www\x07" "Example\x03" "com\x00", "www.Example.com.");
}

/* Expected strings are what tests/tools/dig_print.py shows dig printing. */
static void to_text_like_dig(void **state)
{
	(void)state;
	uint8_t name[OWNDNS_NAME_MAX];

	parse_name("a\\.b\\;c\\@\\\"\\$\\(.example.", name);
	assert_memory_equal(name, "\x09" "a.b;c@\"$(", 10);
	assert_name_text(name, "a\\.b\\;c\\@\\\"\\$\\(.example.");

	parse_name("x\\000\\255\\032.example.", name);
	assert_memory_equal(name, "\x04x\x00\xFF ", 5);
	assert_name_text(name, "x\\000\\255\\032.example.");

	/* dig leaves these alone, escaped in the input or not. */
	parse_name("a\\)b\\~c\\{\\}\\[\\]\\#\\!\\*\\&\\%\\^\\'\\`\\,\\:\\<\\>\\/\\?\\=\\+\\|\\-\\_.example.",
		   name);
	assert_name_text(name, "a\\)b~c{}[]#!*&%^'`,:<>/?=+|-_.example.");

	assert_name_text((const uint8_t *)"\x04\x7f\x21\x7e\x80\x00", "\\127!~\\128.");
	assert_name_text((const uint8_t *)"\x01\\\x00", "\\\\.");
}

static void to_text_space(void **state)
{
	(void)state;
	const uint8_t *name = (const uint8_t *)"\x01" "a\x02" "bc\x00"; /* "a.bc." */
	char text[8];
	assert_int_equal(owndns_name_to_text(name, text, 6), 5);
	assert_string_equal(text, "a.bc.");
	assert_int_equal(owndns_name_to_text(name, text, 5), OWNDNS_ESPACE);
	assert_int_equal(owndns_name_to_text(name, text, 0), OWNDNS_ESPACE);
	assert_int_equal(owndns_name_to_text((const uint8_t *)"\x00", text, 1), OWNDNS_ESPACE);
	assert_int_equal(owndns_name_to_text((const uint8_t *)"\x00", text, 2), 1);
}

static void to_text_worst_case_fits(void **state)
{
	(void)state;
	/* 255 octets, every one printed as \DDD. */
	uint8_t name[OWNDNS_NAME_MAX];
	static const uint8_t lens[] = { 63, 63, 63, 61 };
	size_t at = 0;
	for (size_t k = 0; k < 4; k++) {
		name[at++] = lens[k];
		memset(name + at, 0xFF, lens[k]);
		at += lens[k];
	}
	name[at] = 0;
	char text[OWNDNS_NAME_TEXT_MAX];
	assert_int_equal(owndns_name_to_text(name, text, sizeof(text)), 250 * 4 + 4);
	assert_int_equal(strlen(text), 250 * 4 + 4);
	assert_memory_equal(text, "\\255\\255", 8);
}

static void text_round_trip_every_octet(void **state)
{
	(void)state;
	/* Two names between them hold every octet value, some labels upper-case. */
	for (int half = 0; half < 2; half++) {
		uint8_t name[OWNDNS_NAME_MAX];
		size_t at = 0;
		int value = half * 128;
		for (int label = 0; label < 2; label++) {
			name[at++] = 63;
			for (int k = 0; k < 63; k++)
				name[at++] = (uint8_t)value++;
		}
		name[at++] = 2;
		name[at++] = (uint8_t)value++;
		name[at++] = (uint8_t)value++;
		name[at++] = 0;

		char text[OWNDNS_NAME_TEXT_MAX];
		int text_len = owndns_name_to_text(name, text, sizeof(text));
		assert_true(text_len > 0);
		uint8_t back[OWNDNS_NAME_MAX];
		size_t back_len = 0;
		assert_int_equal(owndns_name_from_text(text, (size_t)text_len, NULL, back,
						       &back_len), OWNDNS_OK);
		assert_int_equal(back_len, at);
		assert_memory_equal(back, name, at);
	}
}

/* ---- case, equality, ordering ---- */

static void to_lower_ascii_only(void **state)
{
	(void)state;
	uint8_t name[] = "\x05WwW@[\x04" "A`Z{\x02\xC1\xE9\x00";
	owndns_name_to_lower(name);
	assert_memory_equal(name, "\x05www@[\x04" "a`z{\x02\xC1\xE9\x00", 15);
}

static void equality(void **state)
{
	(void)state;
	uint8_t a[OWNDNS_NAME_MAX], b[OWNDNS_NAME_MAX];
	parse_name("WWW.Example.COM.", a);
	parse_name("www.example.com.", b);
	assert_true(owndns_name_equal(a, b));
	assert_true(owndns_name_equal(b, a));

	parse_name("www.example.co.", b);
	assert_false(owndns_name_equal(a, b));
	parse_name("a.b.", a);
	parse_name("ab.", b);
	assert_false(owndns_name_equal(a, b));
	/* Neighbours of the letters are not letters: '@' != '`', '[' != '{'. */
	parse_name("\\@.", a);
	parse_name("`.", b);
	assert_false(owndns_name_equal(a, b));
	parse_name("[.", a);
	parse_name("{.", b);
	assert_false(owndns_name_equal(a, b));
	/* Octets above 0x7f are not folded. */
	parse_name("\\193.", a);
	parse_name("\\225.", b);
	assert_false(owndns_name_equal(a, b));
	parse_name(".", a);
	parse_name(".", b);
	assert_true(owndns_name_equal(a, b));
}

/* RFC 4034 §6.1's example list, in canonical order. */
static const char *const rfc4034_order[] = {
	"example.",
	"a.example.",
	"yljkjljk.a.example.",
	"Z.a.example.",
	"zABC.a.EXAMPLE.",
	"z.example.",
	"\\001.z.example.",
	"*.z.example.",
	"\\200.z.example.",
};
#define RFC4034_COUNT (sizeof(rfc4034_order) / sizeof(rfc4034_order[0]))

static int compare_for_qsort(const void *a, const void *b)
{
	return owndns_name_compare((const uint8_t *)a, (const uint8_t *)b);
}

static void canonical_order_pairs(void **state)
{
	(void)state;
	uint8_t names[RFC4034_COUNT][OWNDNS_NAME_MAX];
	for (size_t k = 0; k < RFC4034_COUNT; k++)
		parse_name(rfc4034_order[k], names[k]);
	for (size_t i = 0; i < RFC4034_COUNT; i++) {
		assert_int_equal(owndns_name_compare(names[i], names[i]), 0);
		for (size_t j = i + 1; j < RFC4034_COUNT; j++) {
			if (owndns_name_compare(names[i], names[j]) >= 0 ||
			    owndns_name_compare(names[j], names[i]) <= 0)
				fail_msg("%s should sort before %s", rfc4034_order[i],
					 rfc4034_order[j]);
		}
	}
}

static void canonical_order_full_sort(void **state)
{
	(void)state;
	/* Sort a scrambled copy and compare with the RFC's order. */
	static const size_t scramble[RFC4034_COUNT] = { 8, 3, 0, 6, 4, 1, 7, 5, 2 };
	uint8_t names[RFC4034_COUNT][OWNDNS_NAME_MAX];
	for (size_t k = 0; k < RFC4034_COUNT; k++)
		parse_name(rfc4034_order[scramble[k]], names[k]);
	qsort(names, RFC4034_COUNT, sizeof(names[0]), compare_for_qsort);
	for (size_t k = 0; k < RFC4034_COUNT; k++) {
		char text[OWNDNS_NAME_TEXT_MAX];
		assert_true(owndns_name_to_text(names[k], text, sizeof(text)) > 0);
		assert_string_equal(text, rfc4034_order[k]);
	}
}

static void canonical_order_details(void **state)
{
	(void)state;
	uint8_t a[OWNDNS_NAME_MAX], b[OWNDNS_NAME_MAX];
	parse_name("Z.a.example.", a);
	parse_name("z.A.EXAMPLE.", b);
	assert_int_equal(owndns_name_compare(a, b), 0);
	parse_name(".", a);
	parse_name("com.", b);
	assert_true(owndns_name_compare(a, b) < 0);
	/* Letters are lower-cased before comparing: 'Z' counts as 'z' (0x7a), after
	 * '_' (0x5f), though 'Z' itself is 0x5a.  Octets are unsigned: \200 after 'z'. */
	parse_name("_.", a);
	parse_name("Z.", b);
	assert_true(owndns_name_compare(a, b) < 0);
	parse_name("\\200.", a);
	parse_name("z.", b);
	assert_true(owndns_name_compare(a, b) > 0);
	/* Rightmost label first: b.a sorts before a.b. */
	parse_name("b.a.", a);
	parse_name("a.b.", b);
	assert_true(owndns_name_compare(a, b) < 0);
	/* A prefix label sorts first. */
	parse_name("ab.x.", a);
	parse_name("abc.x.", b);
	assert_true(owndns_name_compare(a, b) < 0);
	assert_true(owndns_name_compare(b, a) > 0);
}

/* ---- structure ---- */

static void label_counts(void **state)
{
	(void)state;
	uint8_t n[OWNDNS_NAME_MAX];
	parse_name(".", n);
	assert_int_equal(owndns_name_label_count(n), 0);
	parse_name("a.b.", n);
	assert_int_equal(owndns_name_label_count(n), 2);
	parse_name("a\\.b.", n);
	assert_int_equal(owndns_name_label_count(n), 1);
}

static void parents(void **state)
{
	(void)state;
	uint8_t n[OWNDNS_NAME_MAX];
	parse_name("www.example.com.", n);
	const uint8_t *p = owndns_name_parent(n);
	assert_ptr_equal(p, n + 4);
	assert_name_text(p, "example.com.");
	p = owndns_name_parent(p);
	assert_name_text(p, "com.");
	p = owndns_name_parent(p);
	assert_name_text(p, ".");
	assert_null(owndns_name_parent(p));
}

static void label_iteration(void **state)
{
	(void)state;
	uint8_t n[OWNDNS_NAME_MAX];
	parse_name("www.a\\.b.c.", n);
	static const char *const expect[] = { "www", "a.b", "c" };
	const uint8_t *it = n;
	const uint8_t *label;
	uint8_t len;
	size_t count = 0;
	while (owndns_name_next_label(&it, &label, &len)) {
		assert_true(count < 3);
		assert_int_equal(len, strlen(expect[count]));
		assert_memory_equal(label, expect[count], len);
		count++;
	}
	assert_int_equal(count, 3);
	assert_ptr_equal(it, n + 10); /* stays on the root label */
	assert_false(owndns_name_next_label(&it, &label, &len));

	parse_name(".", n);
	it = n;
	assert_false(owndns_name_next_label(&it, &label, &len));
}

static void subdomains(void **state)
{
	(void)state;
	uint8_t name[OWNDNS_NAME_MAX], anc[OWNDNS_NAME_MAX];

	parse_name("www.Example.com.", name);
	parse_name("example.COM.", anc);
	assert_true(owndns_name_is_subdomain(name, anc));
	assert_true(owndns_name_is_strict_subdomain(name, anc));
	assert_false(owndns_name_is_subdomain(anc, name));

	assert_true(owndns_name_is_subdomain(anc, anc));
	assert_false(owndns_name_is_strict_subdomain(anc, anc));

	parse_name("xexample.com.", name);
	assert_false(owndns_name_is_subdomain(name, anc));
	assert_false(owndns_name_is_strict_subdomain(name, anc));
	/* Label boundaries again, the escaped dot being part of a label. */
	parse_name("a\\.example.com.", name);
	assert_false(owndns_name_is_subdomain(name, anc));
	parse_name("a.x\\.example.com.", name);
	assert_false(owndns_name_is_subdomain(name, anc));

	parse_name(".", anc);
	assert_true(owndns_name_is_subdomain(name, anc));
	assert_true(owndns_name_is_strict_subdomain(name, anc));
	assert_true(owndns_name_is_subdomain(anc, anc));
	assert_false(owndns_name_is_strict_subdomain(anc, anc));

	parse_name("com.", name);
	parse_name("example.com.", anc);
	assert_false(owndns_name_is_subdomain(name, anc));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unpack_uncompressed),
		cmocka_unit_test(unpack_root),
		cmocka_unit_test(unpack_compressed),
		cmocka_unit_test(unpack_pointer_into_header),
		cmocka_unit_test(unpack_pointer_loop),
		cmocka_unit_test(unpack_self_pointer),
		cmocka_unit_test(unpack_pointer_back_into_own_name),
		cmocka_unit_test(unpack_forward_pointer),
		cmocka_unit_test(unpack_pointer_out_of_range),
		cmocka_unit_test(unpack_reserved_label_types),
		cmocka_unit_test(unpack_truncated),
		cmocka_unit_test(unpack_length_boundary),
		cmocka_unit_test(unpack_length_boundary_through_pointer),
		cmocka_unit_test(unpack_pointer_hops_bounded),
		cmocka_unit_test(unpack_plain_forbids_pointers),
		cmocka_unit_test(check_validates),
		cmocka_unit_test(length_of_names),
		cmocka_unit_test(from_text_basic),
		cmocka_unit_test(from_text_origin),
		cmocka_unit_test(from_text_malformed),
		cmocka_unit_test(from_text_escapes),
		cmocka_unit_test(from_text_label_length),
		cmocka_unit_test(from_text_name_length),
		cmocka_unit_test(to_text_basic),
		cmocka_unit_test(to_text_like_dig),
		cmocka_unit_test(to_text_space),
		cmocka_unit_test(to_text_worst_case_fits),
		cmocka_unit_test(text_round_trip_every_octet),
		cmocka_unit_test(to_lower_ascii_only),
		cmocka_unit_test(equality),
		cmocka_unit_test(canonical_order_pairs),
		cmocka_unit_test(canonical_order_full_sort),
		cmocka_unit_test(canonical_order_details),
		cmocka_unit_test(label_counts),
		cmocka_unit_test(parents),
		cmocka_unit_test(label_iteration),
		cmocka_unit_test(subdomains),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
