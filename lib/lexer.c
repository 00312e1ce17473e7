#include "lexer.h"

#include <owndns/error.h>

void lexer_init(lexer *lx, const char *text, size_t len)
{
	lx->text = text;
	lx->len = len;
	lx->pos = 0;
	lx->line = 1;
	lx->paren_depth = 0;
	lx->entry_ended = false;
	lx->error = OWNDNS_OK;
}

void lexer_next_entry(lexer *lx)
{
	lx->entry_ended = false;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Characters that end an unquoted token (unless escaped with a backslash). */
static bool ends_word(char c)
{
	return is_blank(c) || c == '\n' || c == '(' || c == ')' || c == ';' || c == '"';
}

static int fail(lexer *lx)
{
	lx->error = OWNDNS_ESYNTAX;
	return OWNDNS_ESYNTAX;
}

static void skip_comment(lexer *lx)
{
	while (lx->pos < lx->len && lx->text[lx->pos] != '\n')
		lx->pos++;
}

/* Skips blanks, comments, parentheses and (inside parentheses) newlines.
 * Returns 1 when a token starts at lx->pos, 0 at the end of the entry, or an error. */
static int skip_to_token(lexer *lx)
{
	while (lx->pos < lx->len) {
		char c = lx->text[lx->pos];
		if (is_blank(c)) {
			lx->pos++;
		} else if (c == ';') {
			skip_comment(lx);
		} else if (c == '(') {
			lx->paren_depth++;
			lx->pos++;
		} else if (c == ')') {
			if (lx->paren_depth == 0)
				return fail(lx);
			lx->paren_depth--;
			lx->pos++;
		} else if (c == '\n') {
			lx->pos++;
			lx->line++;
			if (lx->paren_depth == 0)
				return 0;
		} else {
			return 1;
		}
	}
	if (lx->paren_depth > 0)
		return fail(lx);
	return 0;
}

static int read_quoted(lexer *lx, lexer_token *tok)
{
	size_t start = ++lx->pos; /* past the opening quote */
	while (lx->pos < lx->len) {
		char c = lx->text[lx->pos];
		if (c == '"') {
			tok->text = lx->text + start;
			tok->len = lx->pos - start;
			tok->quoted = true;
			lx->pos++;
			return 1;
		}
		if (c == '\\') {
			if (lx->pos + 1 >= lx->len)
				break;
			lx->pos++;
			c = lx->text[lx->pos];
		}
		if (c == '\n')
			lx->line++;
		lx->pos++;
	}
	return fail(lx);
}

static int read_word(lexer *lx, lexer_token *tok)
{
	size_t start = lx->pos;
	while (lx->pos < lx->len) {
		char c = lx->text[lx->pos];
		if (c == '\\') {
			/* An escape keeps the next character (even a delimiter) in the token. */
			if (lx->pos + 1 >= lx->len)
				return fail(lx);
			if (lx->text[lx->pos + 1] == '\n')
				lx->line++;
			lx->pos += 2;
			continue;
		}
		if (ends_word(c))
			break;
		lx->pos++;
	}
	tok->text = lx->text + start;
	tok->len = lx->pos - start;
	tok->quoted = false;
	return 1;
}

int lexer_next(lexer *lx, lexer_token *tok)
{
	if (lx->error)
		return lx->error;
	if (lx->entry_ended)
		return 0;
	int r = skip_to_token(lx);
	if (r == 0)
		lx->entry_ended = true;
	if (r <= 0)
		return r;
	tok->line = lx->line;
	if (lx->text[lx->pos] == '"')
		return read_quoted(lx, tok);
	return read_word(lx, tok);
}

int lexer_peek(lexer *lx, lexer_token *tok)
{
	lexer saved = *lx;
	int r = lexer_next(lx, tok);
	*lx = saved;
	return r;
}

bool lexer_at_entry_end(lexer *lx)
{
	lexer_token tok;
	return lexer_peek(lx, &tok) == 0;
}
