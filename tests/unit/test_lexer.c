/* Tokenizer of the presentation format: quotes, escapes, parentheses, comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <owndns/error.h>

#include "lexer.h"

static void expect_token(lexer *lx, const char *text, bool quoted, unsigned line)
{
	lexer_token tok;
	assert_int_equal(lexer_next(lx, &tok), 1);
	assert_int_equal(tok.len, strlen(text));
	assert_memory_equal(tok.text, text, tok.len);
	assert_int_equal(tok.quoted, quoted);
	assert_int_equal(tok.line, line);
}

/* The end of an entry is sticky until lexer_next_entry: a field reading "to the end"
 * must never run into the next entry. */
static void expect_end(lexer *lx)
{
	lexer_token tok;
	assert_true(lexer_at_entry_end(lx));
	assert_int_equal(lexer_next(lx, &tok), 0);
	assert_int_equal(lexer_next(lx, &tok), 0);
	lexer_next_entry(lx);
}

static void init(lexer *lx, const char *text)
{
	lexer_init(lx, text, strlen(text));
}

static void test_blanks_and_entries(void **state)
{
	(void)state;
	lexer lx;
	init(&lx, "  a\tb \r\nc\n\n");
	expect_token(&lx, "a", false, 1);
	expect_token(&lx, "b", false, 1);
	expect_end(&lx);
	expect_token(&lx, "c", false, 2);
	expect_end(&lx);
	expect_end(&lx); /* the empty line 3 */
	expect_end(&lx); /* end of text */
	assert_int_equal(lx.error, OWNDNS_OK);
}

static void test_quotes_keep_escapes_raw(void **state)
{
	(void)state;
	lexer lx;
	init(&lx, "\"a b\" \"x\\\"y\" \"\" \"semi;(paren)\"x");
	expect_token(&lx, "a b", true, 1);
	expect_token(&lx, "x\\\"y", true, 1);
	expect_token(&lx, "", true, 1);
	expect_token(&lx, "semi;(paren)", true, 1);
	expect_token(&lx, "x", false, 1);
	expect_end(&lx);
}

static void test_escapes_in_words(void **state)
{
	(void)state;
	lexer lx;
	init(&lx, "a\\ b \\(x\\) c\\;d \\# \\065");
	expect_token(&lx, "a\\ b", false, 1);
	expect_token(&lx, "\\(x\\)", false, 1);
	expect_token(&lx, "c\\;d", false, 1);
	expect_token(&lx, "\\#", false, 1);
	expect_token(&lx, "\\065", false, 1);
	expect_end(&lx);
}

static void test_parentheses_span_lines(void **state)
{
	(void)state;
	lexer lx;
	init(&lx, "a ( b ; comment ( not counted\n c\n) d\ne");
	expect_token(&lx, "a", false, 1);
	expect_token(&lx, "b", false, 1);
	expect_token(&lx, "c", false, 2);
	expect_token(&lx, "d", false, 3);
	expect_end(&lx);
	expect_token(&lx, "e", false, 4);
	expect_end(&lx);
	/* nested and adjacent to tokens */
	init(&lx, "x((y)z)");
	expect_token(&lx, "x", false, 1);
	expect_token(&lx, "y", false, 1);
	expect_token(&lx, "z", false, 1);
	expect_end(&lx);
}

static void test_comments(void **state)
{
	(void)state;
	lexer lx;
	init(&lx, "a;comment \"quote\n; whole line\nb ; x");
	expect_token(&lx, "a", false, 1);
	expect_end(&lx);
	expect_end(&lx);
	expect_token(&lx, "b", false, 3);
	expect_end(&lx);
}

static void test_peek_does_not_consume(void **state)
{
	(void)state;
	lexer lx;
	lexer_token tok;
	init(&lx, "a b");
	assert_int_equal(lexer_peek(&lx, &tok), 1);
	assert_int_equal(lexer_peek(&lx, &tok), 1);
	expect_token(&lx, "a", false, 1);
	assert_false(lexer_at_entry_end(&lx));
	expect_token(&lx, "b", false, 1);
	expect_end(&lx);
}

static void test_syntax_errors_are_sticky(void **state)
{
	(void)state;
	lexer lx;
	lexer_token tok;
	init(&lx, "a )");
	expect_token(&lx, "a", false, 1);
	assert_int_equal(lexer_next(&lx, &tok), OWNDNS_ESYNTAX);
	assert_int_equal(lexer_next(&lx, &tok), OWNDNS_ESYNTAX);
	init(&lx, "a ( b\n c");
	expect_token(&lx, "a", false, 1);
	expect_token(&lx, "b", false, 1);
	expect_token(&lx, "c", false, 2);
	assert_int_equal(lexer_next(&lx, &tok), OWNDNS_ESYNTAX);
	init(&lx, "\"open");
	assert_int_equal(lexer_next(&lx, &tok), OWNDNS_ESYNTAX);
	init(&lx, "\"ends in escape\\");
	assert_int_equal(lexer_next(&lx, &tok), OWNDNS_ESYNTAX);
	init(&lx, "word\\");
	assert_int_equal(lexer_next(&lx, &tok), OWNDNS_ESYNTAX);
	init(&lx, ")");
	assert_false(lexer_at_entry_end(&lx));
	assert_int_equal(lexer_next(&lx, &tok), OWNDNS_ESYNTAX);
	assert_int_equal(lx.error, OWNDNS_ESYNTAX);
}

static void test_quoted_newline_counts_lines(void **state)
{
	(void)state;
	lexer lx;
	init(&lx, "\"a\nb\" c");
	expect_token(&lx, "a\nb", true, 1);
	expect_token(&lx, "c", false, 2);
	expect_end(&lx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blanks_and_entries),
		cmocka_unit_test(test_quotes_keep_escapes_raw),
		cmocka_unit_test(test_escapes_in_words),
		cmocka_unit_test(test_parentheses_span_lines),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_peek_does_not_consume),
		cmocka_unit_test(test_syntax_errors_are_sticky),
		cmocka_unit_test(test_quoted_newline_counts_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
