/* DNS-over-TCP framing (server/net/tcp_framing.c): messages in one piece, several per
 * piece, split anywhere (byte by byte), bad lengths, handler stop, leftovers freed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <owndns/error.h>

#include "../../server/net/tcp_framing.h"

#define MAX_SEEN 8

typedef struct seen {
	size_t count;
	size_t len[MAX_SEEN];
	uint8_t data[MAX_SEEN][64];
	size_t stop_after; /* return 7 after this many messages; 0: never */
} seen;

static int record(void *arg, const uint8_t *msg, size_t len)
{
	seen *s = arg;
	assert_true(s->count < MAX_SEEN);
	assert_true(len <= sizeof(s->data[0]));
	memcpy(s->data[s->count], msg, len);
	s->len[s->count++] = len;
	if (s->stop_after && s->count == s->stop_after)
		return 7;
	return 0;
}

/* Two messages: "abc" and 12 octets 0..11. */
static const uint8_t stream[] = { 0, 3, 'a', 'b', 'c', 0, 12, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };

static void check_both(const seen *s)
{
	static const uint8_t second[12] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	assert_int_equal(s->count, 2);
	assert_int_equal(s->len[0], 3);
	assert_memory_equal(s->data[0], "abc", 3);
	assert_int_equal(s->len[1], 12);
	assert_memory_equal(s->data[1], second, 12);
}

static void test_two_messages_in_one_piece(void **state)
{
	(void)state;
	tcp_framer f;
	seen s = { 0 };
	tcp_framer_init(&f, 100);
	assert_int_equal(tcp_framer_feed(&f, stream, sizeof(stream), record, &s), 0);
	check_both(&s);
	assert_true(tcp_framer_idle(&f));
	tcp_framer_free(&f);
}

static void test_every_split_point(void **state)
{
	(void)state;
	for (size_t cut = 0; cut <= sizeof(stream); cut++) {
		tcp_framer f;
		seen s = { 0 };
		tcp_framer_init(&f, 100);
		assert_int_equal(tcp_framer_feed(&f, stream, cut, record, &s), 0);
		assert_int_equal(tcp_framer_idle(&f), cut == 0 || cut == 5 || cut == sizeof(stream));
		assert_int_equal(tcp_framer_feed(&f, stream + cut, sizeof(stream) - cut, record, &s), 0);
		check_both(&s);
		tcp_framer_free(&f);
	}
}

static void test_byte_by_byte(void **state)
{
	(void)state;
	tcp_framer f;
	seen s = { 0 };
	tcp_framer_init(&f, 100);
	for (size_t i = 0; i < sizeof(stream); i++) {
		assert_int_equal(tcp_framer_feed(&f, stream + i, 1, record, &s), 0);
		assert_int_equal(s.count, i < 4 ? 0 : i < sizeof(stream) - 1 ? 1 : 2);
	}
	check_both(&s);
	tcp_framer_free(&f);
}

static void test_zero_length_is_an_error(void **state)
{
	(void)state;
	static const uint8_t data[] = { 0, 1, 'x', 0, 0, 0, 1, 'y' };
	tcp_framer f;
	seen s = { 0 };
	tcp_framer_init(&f, 100);
	assert_int_equal(tcp_framer_feed(&f, data, sizeof(data), record, &s), OWNDNS_EINVAL);
	assert_int_equal(s.count, 1); /* the message before it was delivered, none after */
	tcp_framer_free(&f);
}

static void test_length_limit(void **state)
{
	(void)state;
	static const uint8_t at_limit[] = { 0, 4, 1, 2, 3, 4 };
	static const uint8_t over[] = { 0, 5 };
	tcp_framer f;
	seen s = { 0 };
	tcp_framer_init(&f, 4);
	assert_int_equal(tcp_framer_feed(&f, at_limit, sizeof(at_limit), record, &s), 0);
	assert_int_equal(s.count, 1);
	/* Refused as soon as the length is known, before any body arrives. */
	assert_int_equal(tcp_framer_feed(&f, over, 1, record, &s), 0);
	assert_int_equal(tcp_framer_feed(&f, over + 1, 1, record, &s), OWNDNS_ESPACE);
	tcp_framer_free(&f);

	static const uint8_t huge[] = { 0xff, 0xff };
	tcp_framer_init(&f, 65535);
	assert_int_equal(tcp_framer_feed(&f, huge, 2, record, &s), 0);
	assert_false(tcp_framer_idle(&f));
	tcp_framer_free(&f);
}

static void test_handler_stop(void **state)
{
	(void)state;
	tcp_framer f;
	seen s = { .stop_after = 1 };
	tcp_framer_init(&f, 100);
	assert_int_equal(tcp_framer_feed(&f, stream, sizeof(stream), record, &s), 7);
	assert_int_equal(s.count, 1);
	tcp_framer_free(&f);

	/* Also when the stopping message was buffered across pieces. */
	seen s2 = { .stop_after = 1 };
	tcp_framer_init(&f, 100);
	assert_int_equal(tcp_framer_feed(&f, stream, 3, record, &s2), 0);
	assert_int_equal(tcp_framer_feed(&f, stream + 3, sizeof(stream) - 3, record, &s2), 7);
	assert_int_equal(s2.count, 1);
	tcp_framer_free(&f);
}

static void test_free_with_partial_message(void **state)
{
	(void)state;
	tcp_framer f;
	seen s = { 0 };
	tcp_framer_init(&f, 100);
	assert_int_equal(tcp_framer_feed(&f, stream, 9, record, &s), 0);
	assert_false(tcp_framer_idle(&f));
	tcp_framer_free(&f); /* LeakSanitizer checks the partial buffer went */
	assert_true(tcp_framer_idle(&f));
}

static void test_prefix(void **state)
{
	(void)state;
	uint8_t p[2];
	tcp_framing_prefix(p, 0x1234);
	assert_int_equal(p[0], 0x12);
	assert_int_equal(p[1], 0x34);
	tcp_framing_prefix(p, 65535);
	assert_int_equal(p[0], 0xff);
	assert_int_equal(p[1], 0xff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_messages_in_one_piece),
		cmocka_unit_test(test_every_split_point),
		cmocka_unit_test(test_byte_by_byte),
		cmocka_unit_test(test_zero_length_is_an_error),
		cmocka_unit_test(test_length_limit),
		cmocka_unit_test(test_handler_stop),
		cmocka_unit_test(test_free_with_partial_message),
		cmocka_unit_test(test_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
