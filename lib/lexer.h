/* Internal: tokenizer for the presentation format (RFC 1035 §5.1).
 * Splits text into tokens separated by blanks; a quoted string is one token (quotes
 * removed, escapes kept raw for the field parser); ';' starts a comment to the end of
 * the line; '(' and ')' let one entry span lines.  A newline outside parentheses ends
 * the entry.  Shared by the RR/RDATA text parsers and the zone file parser. */
#ifndef OWNDNS_LEXER_H
#define OWNDNS_LEXER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct lexer_token {
	const char *text; /* raw token text, escapes not yet resolved */
	size_t len;
	bool quoted;      /* came from "..." */
	unsigned line;    /* line the token starts on (1-based) */
} lexer_token;

typedef struct lexer {
	const char *text;
	size_t len;
	size_t pos;
	unsigned line;
	int paren_depth;
	bool entry_ended; /* the entry's end was consumed: lexer_next keeps returning 0 */
	int error; /* sticky: OWNDNS_ESYNTAX for unbalanced parentheses or quotes */
} lexer;

void lexer_init(lexer *lx, const char *text, size_t len);

/* Next token of the current entry: returns 1 and fills *tok, 0 at the end of the entry
 * (newline outside parentheses, or end of text), or a negative status on a syntax
 * error (unterminated quote, ')' without '(', end of text inside parentheses). */
int lexer_next(lexer *lx, lexer_token *tok);

/* Moves on to the next entry after lexer_next returned 0 (the end of an entry is
 * sticky, so a field that reads "to the end" can never run into the next entry). */
void lexer_next_entry(lexer *lx);

/* Like lexer_next but does not consume the token. */
int lexer_peek(lexer *lx, lexer_token *tok);

/* True when the current entry has no more tokens (the next lexer_next returns 0). */
bool lexer_at_entry_end(lexer *lx);

#endif
