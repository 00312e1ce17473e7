/* One RR in presentation form: parsing "owner [ttl] [class] type rdata" and printing
 * the way dig does. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <owndns/name.h>
#include <owndns/rdata.h>
#include <owndns/rr.h>

#include "lexer.h"
#include "rdata_field.h"
#include "text_buf.h"

/* dig's columns for TTL, class, type and RDATA, and its tab width. */
enum { COL_TTL = 24, COL_CLASS = 32, COL_TYPE = 40, COL_RDATA = 48, TAB_WIDTH = 8 };

static bool ascii_digit(char c)
{
	return c >= '0' && c <= '9';
}

static uint32_t ttl_unit(char c)
{
	switch (c) {
	case 'w': case 'W': return 604800;
	case 'd': case 'D': return 86400;
	case 'h': case 'H': return 3600;
	case 'm': case 'M': return 60;
	case 's': case 'S': return 1;
	default: return 0;
	}
}

/* Every unit must follow at least one digit, and a number after a unit needs a unit
 * too ("1h30" is an error, as in dnspython). */
int owndns_ttl_from_text(const char *text, size_t len, uint32_t *ttl)
{
	uint64_t total = 0, current = 0;
	bool digits = false, units = false;
	if (len == 0)
		return OWNDNS_ENUMBER;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (ascii_digit(c)) {
			current = current * 10 + (uint64_t)(c - '0');
			digits = true;
			if (current > 0xffffffffu)
				return OWNDNS_ENUMBER;
			continue;
		}
		uint32_t mult = ttl_unit(c);
		if (!mult || !digits)
			return OWNDNS_ENUMBER;
		total += current * mult;
		if (total > 0xffffffffu)
			return OWNDNS_ENUMBER;
		current = 0;
		digits = false;
		units = true;
	}
	if (digits && units)
		return OWNDNS_ENUMBER;
	total += current;
	if (total > 0xffffffffu)
		return OWNDNS_ENUMBER;
	*ttl = (uint32_t)total;
	return OWNDNS_OK;
}

/* Skips entries that hold no token (blank or comment-only lines). */
static int skip_empty_entries(lexer *lx)
{
	lexer_token tok;
	for (;;) {
		lexer_next_entry(lx);
		if (lx->pos >= lx->len)
			return OWNDNS_OK;
		int r = lexer_peek(lx, &tok);
		if (r != 0)
			return r < 0 ? r : OWNDNS_OK;
		lexer_next(lx, &tok);
	}
}

static int next_token(lexer *lx, lexer_token *tok)
{
	int r = lexer_next(lx, tok);
	if (r == 0)
		return OWNDNS_ESYNTAX;
	return r < 0 ? r : OWNDNS_OK;
}

/* After the owner: TTL and class in either order, each at most once, then the type. */
static int read_ttl_class_type(lexer *lx, const owndns_rr_text_defaults *defaults, owndns_rr *rr)
{
	bool have_ttl = false, have_class = false;
	lexer_token tok;
	rr->ttl = defaults ? defaults->ttl : 0;
	rr->rclass = defaults && defaults->rclass ? defaults->rclass : OWNDNS_CLASS_IN;
	for (;;) {
		int rc = next_token(lx, &tok);
		if (rc != OWNDNS_OK)
			return rc;
		if (tok.quoted)
			return OWNDNS_ESYNTAX;
		if (!have_ttl && ascii_digit(tok.text[0])) {
			rc = owndns_ttl_from_text(tok.text, tok.len, &rr->ttl);
			if (rc != OWNDNS_OK)
				return rc;
			have_ttl = true;
		} else if (!have_class &&
			   owndns_class_from_text(tok.text, tok.len, &rr->rclass) == OWNDNS_OK) {
			have_class = true;
		} else {
			return owndns_type_from_text(tok.text, tok.len, &rr->type);
		}
	}
}

/* Nothing but blank lines and comments may follow the record. */
static int expect_end(lexer *lx)
{
	int rc = skip_empty_entries(lx);
	if (rc != OWNDNS_OK)
		return rc;
	return lx->pos < lx->len ? OWNDNS_ETRAILING : OWNDNS_OK;
}

int owndns_rr_from_text(const char *text, size_t text_len, const owndns_rr_text_defaults *defaults,
			uint8_t *storage, size_t storage_cap, owndns_rr *rr)
{
	const uint8_t *origin = defaults ? defaults->origin : NULL;
	uint8_t owner[OWNDNS_NAME_MAX];
	size_t owner_len, rdlen;
	lexer lx;
	lexer_token tok;
	lexer_init(&lx, text, text_len);
	int rc = skip_empty_entries(&lx);
	if (rc == OWNDNS_OK)
		rc = next_token(&lx, &tok);
	if (rc == OWNDNS_OK)
		rc = owndns_name_from_text(tok.text, tok.len, origin, owner, &owner_len);
	if (rc == OWNDNS_OK)
		rc = read_ttl_class_type(&lx, defaults, rr);
	if (rc != OWNDNS_OK)
		return rc;
	if (storage_cap < owner_len)
		return OWNDNS_ESPACE;
	memcpy(storage, owner, owner_len);
	rc = rdata_from_lexer(rr->type, &lx, origin, storage + owner_len, storage_cap - owner_len,
			      &rdlen);
	if (rc == OWNDNS_OK)
		rc = expect_end(&lx);
	if (rc != OWNDNS_OK)
		return rc;
	rr->owner = storage;
	rr->rdata = storage + owner_len;
	rr->rdlen = (uint16_t)rdlen;
	return OWNDNS_OK;
}

/* BIND's indent rule (masterdump.c): move at least one column; tabs when a tab stop
 * lies between here and the target, then spaces.  `*col` becomes the target. */
static void indent_to(text_buf *t, unsigned *col, unsigned target)
{
	unsigned from = *col;
	if (target < from + 1)
		target = from + 1;
	unsigned tabs = target / TAB_WIDTH - from / TAB_WIDTH;
	if (tabs > 0) {
		while (tabs--)
			text_buf_putc(t, '\t');
		from = target / TAB_WIDTH * TAB_WIDTH;
	}
	while (from++ < target)
		text_buf_putc(t, ' ');
	*col = target;
}

/* Appends `s` and advances the column counter by its length. */
static void put_column(text_buf *t, unsigned *col, const char *s)
{
	size_t before = t->len;
	text_buf_puts(t, s);
	*col += (unsigned)(t->len - before);
}

int owndns_rr_to_text(const owndns_rr *rr, char *out, size_t out_size)
{
	char owner[OWNDNS_NAME_TEXT_MAX];
	char word[OWNDNS_TYPE_TEXT_MAX];
	text_buf t;
	unsigned col = 0;
	text_buf_init(&t, out, out_size);
	if (owndns_name_to_text(rr->owner, owner, sizeof owner) < 0)
		return OWNDNS_EINVAL;
	put_column(&t, &col, owner);
	indent_to(&t, &col, COL_TTL);
	text_buf_printf(&t, "%lu", (unsigned long)rr->ttl);
	col += (unsigned)snprintf(word, sizeof word, "%lu", (unsigned long)rr->ttl);
	indent_to(&t, &col, COL_CLASS);
	owndns_class_to_text(rr->rclass, word, sizeof word);
	put_column(&t, &col, word);
	indent_to(&t, &col, COL_TYPE);
	owndns_type_to_text(rr->type, word, sizeof word);
	put_column(&t, &col, word);
	indent_to(&t, &col, COL_RDATA);
	if (t.error)
		return t.error;
	int n = owndns_rdata_to_text(rr->type, rr->rdata, rr->rdlen, t.data + t.len, t.cap - t.len);
	if (n < 0) {
		t.data[t.len] = '\0';
		return n;
	}
	t.len += (size_t)n;
	return text_buf_result(&t);
}
