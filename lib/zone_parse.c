/* Zone files (RFC 1035 §5): entries, directives, the omission rules, $INCLUDE and
 * BIND's $GENERATE.  The lexer (lexer.c) splits entries into
 * tokens; RDATA goes through rdata_from_lexer (rdata.c), so every type the library
 * knows is read exactly as owndns_rr_from_text reads it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <owndns/name.h>
#include <owndns/rdata.h>
#include <owndns/zone_parse.h>

#include "lexer.h"
#include "rdata_field.h"
#include "text_buf.h"

enum {
	DEFAULT_MAX_ERRORS = 100,
	DEFAULT_MAX_INCLUDE_DEPTH = 16,
	DEFAULT_MAX_GENERATE = 1 << 20,
	SHOWN_TOKEN_MAX = 80, /* octets of a bad token quoted in a message */
};
#define DEFAULT_MAX_FILE_SIZE ((size_t)2 << 30)
#define ZP_PATH_MAX 4096
#define ZP_CHAIN_MAX 64

/* One file being read (the top one or an $INCLUDEd one). */
typedef struct zp_frame {
	const char *name; /* as given or resolved: used in messages */
	lexer lx;
	uint8_t origin[OWNDNS_NAME_MAX];
	bool have_origin;
	uint8_t owner[OWNDNS_NAME_MAX]; /* previous owner, for entries starting with a blank */
	bool have_owner;
	bool entry_done; /* the current entry's end has been consumed */
} zp_frame;

/* State of one parse, shared by all files of it. */
typedef struct zp_parser {
	const owndns_zone_parse_config *cfg;
	owndns_zone_parse_result result;
	unsigned max_errors, max_depth;
	uint32_t max_generate;
	size_t max_file_size;
	int fatal;    /* ENOMEM or the status on_rr stopped with */
	bool stopped; /* too many errors */
	bool have_dollar_ttl, have_last_ttl, warned_ttl;
	uint32_t dollar_ttl, last_ttl;
	uint16_t last_class;
	unsigned depth; /* files open, and their identities, to refuse $INCLUDE loops */
	struct {
		dev_t dev;
		ino_t ino;
	} chain[ZP_CHAIN_MAX];
	uint8_t rdata[OWNDNS_RDATA_MAX];
} zp_parser;

/* TTL, class and type of an entry as written (either may be left out). */
typedef struct zp_rr_head {
	bool have_ttl, have_class;
	uint32_t ttl;
	uint16_t rclass;
	uint16_t type;
} zp_rr_head;

static bool zp_read_generate(zp_parser *p, zp_frame *f, unsigned line);

/* ------------------------------------------------------------------ messages */

__attribute__((format(printf, 5, 6)))
static void zp_report(zp_parser *p, const char *file, unsigned line, owndns_zone_severity sev,
	       const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (sev == OWNDNS_ZONE_ERROR)
		p->result.errors++;
	else if (sev == OWNDNS_ZONE_WARNING)
		p->result.warnings++;
	if (p->cfg->on_report)
		p->cfg->on_report(p->cfg->ctx, sev, file, line, msg);
	if (sev == OWNDNS_ZONE_ERROR && p->result.errors >= p->max_errors && !p->stopped) {
		p->stopped = true;
		if (p->cfg->on_report)
			p->cfg->on_report(p->cfg->ctx, OWNDNS_ZONE_ERROR, file, line,
					  "too many errors; stopped reading");
	}
}

static int zp_shown_len(size_t len)
{
	return (int)(len > SHOWN_TOKEN_MAX ? SHOWN_TOKEN_MAX : len);
}

/* The line a failed entry went wrong on: that of the last token read.  A lexer that
 * has just consumed the entry's newline is already one line further. */
static unsigned zp_error_line(const lexer *lx, unsigned entry_line)
{
	unsigned line = lx->line;
	if (lx->pos > 0 && lx->pos <= lx->len && lx->text[lx->pos - 1] == '\n' && line > entry_line)
		line--;
	return line;
}

/* ------------------------------------------------------------------ tokens */

static char ascii_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static bool ascii_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* lexer_next that remembers when it consumed the end of the entry, so that skipping
 * the rest of a bad entry never eats the next one. */
static int frame_next(zp_frame *f, lexer_token *tok)
{
	int r = lexer_next(&f->lx, tok);
	if (r == 0)
		f->entry_done = true;
	return r;
}

static bool token_is(const lexer_token *tok, const char *word)
{
	size_t n = strlen(word);
	if (tok->quoted || tok->len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ascii_upper(tok->text[i]) != word[i])
			return false;
	return true;
}

/* A name in text is absolute when it ends with a dot that no backslash escapes. */
static bool name_text_is_absolute(const char *text, size_t len)
{
	if (len == 0 || text[len - 1] != '.')
		return false;
	size_t backslashes = 0;
	while (backslashes + 1 < len && text[len - 2 - backslashes] == '\\')
		backslashes++;
	return backslashes % 2 == 0;
}

static bool zp_name_from_text(zp_parser *p, zp_frame *f, const char *text, size_t len,
		       unsigned line, const char *what, uint8_t *out)
{
	size_t out_len;
	if (!name_text_is_absolute(text, len) && !f->have_origin) {
		zp_report(p, f->name, line, OWNDNS_ZONE_ERROR,
			  "relative %s '%.*s' and no $ORIGIN to complete it", what,
			  zp_shown_len(len), text);
		return false;
	}
	int rc = owndns_name_from_text(text, len, f->have_origin ? f->origin : NULL, out, &out_len);
	if (rc != OWNDNS_OK) {
		zp_report(p, f->name, line, OWNDNS_ZONE_ERROR, "bad %s '%.*s': %s", what,
			  zp_shown_len(len), text, owndns_strerror(rc));
		return false;
	}
	return true;
}

static bool name_from_token(zp_parser *p, zp_frame *f, const lexer_token *tok,
			    const char *what, uint8_t *out)
{
	if (tok->quoted) {
		zp_report(p, f->name, tok->line, OWNDNS_ZONE_ERROR, "%s may not be quoted", what);
		return false;
	}
	return zp_name_from_text(p, f, tok->text, tok->len, tok->line, what, out);
}

/* Reads the next token of the entry; a missing one is reported as `what` missing. */
static bool need_token(zp_parser *p, zp_frame *f, unsigned entry_line, const char *what,
		       lexer_token *tok)
{
	int r = frame_next(f, tok);
	if (r > 0)
		return true;
	if (r == 0)
		zp_report(p, f->name, zp_error_line(&f->lx, entry_line), OWNDNS_ZONE_ERROR,
			  "%s missing", what);
	return false;
}

/* True when the entry ends here (the end is consumed); reports trailing tokens. */
static bool expect_entry_end(zp_parser *p, zp_frame *f, const char *after)
{
	lexer_token tok;
	int r = frame_next(f, &tok);
	if (r > 0)
		zp_report(p, f->name, tok.line, OWNDNS_ZONE_ERROR, "unexpected '%.*s' after %s",
			  zp_shown_len(tok.len), tok.text, after);
	return r == 0;
}

/* ------------------------------------------------------------------ TTL, class, type */

static bool zp_read_ttl_class_type(zp_parser *p, zp_frame *f, lexer_token *tok, zp_rr_head *h)
{
	h->have_ttl = h->have_class = false;
	for (;;) {
		if (tok->quoted) {
			zp_report(p, f->name, tok->line, OWNDNS_ZONE_ERROR,
				  "quoted string where a TTL, class or type belongs");
			return false;
		}
		if (!h->have_ttl && ascii_digit(tok->text[0])) {
			if (owndns_ttl_from_text(tok->text, tok->len, &h->ttl) != OWNDNS_OK) {
				zp_report(p, f->name, tok->line, OWNDNS_ZONE_ERROR, "bad TTL '%.*s'",
					  zp_shown_len(tok->len), tok->text);
				return false;
			}
			h->have_ttl = true;
		} else if (!h->have_class &&
			   owndns_class_from_text(tok->text, tok->len, &h->rclass) == OWNDNS_OK) {
			h->have_class = true;
		} else if (owndns_type_from_text(tok->text, tok->len, &h->type) == OWNDNS_OK) {
			if (owndns_type_is_meta(h->type)) {
				zp_report(p, f->name, tok->line, OWNDNS_ZONE_ERROR,
					  "type %.*s cannot be zone data", zp_shown_len(tok->len),
					  tok->text);
				return false;
			}
			return true;
		} else {
			zp_report(p, f->name, tok->line, OWNDNS_ZONE_ERROR,
				  "unknown type '%.*s'", zp_shown_len(tok->len), tok->text);
			return false;
		}
		unsigned line = tok->line;
		if (!need_token(p, f, line, "type", tok))
			return false;
	}
}

/* RFC 2308 §4 and BIND's fallbacks; see zone_parse.h. */
static bool resolve_ttl(zp_parser *p, zp_frame *f, unsigned line, const zp_rr_head *h,
			size_t rdlen, uint32_t *ttl)
{
	if (h->have_ttl) {
		p->last_ttl = h->ttl;
		p->have_last_ttl = true;
		*ttl = h->ttl;
		return true;
	}
	if (p->have_dollar_ttl) {
		*ttl = p->dollar_ttl;
		return true;
	}
	if (p->have_last_ttl) {
		if (!p->warned_ttl)
			zp_report(p, f->name, line, OWNDNS_ZONE_WARNING,
				  "no TTL and no $TTL: using the previous record's TTL %lu",
				  (unsigned long)p->last_ttl);
		p->warned_ttl = true;
		*ttl = p->last_ttl;
		return true;
	}
	if (h->type == OWNDNS_TYPE_SOA && rdlen >= 20) {
		const uint8_t *m = p->rdata + rdlen - 4;
		*ttl = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
		zp_report(p, f->name, line, OWNDNS_ZONE_WARNING,
			  "no TTL and no $TTL: using the SOA MINIMUM %lu", (unsigned long)*ttl);
		p->warned_ttl = true;
		p->last_ttl = *ttl;
		p->have_last_ttl = true;
		return true;
	}
	zp_report(p, f->name, line, OWNDNS_ZONE_ERROR,
		  "no TTL, and no $TTL or earlier TTL to use");
	return false;
}

static void zp_deliver(zp_parser *p, zp_frame *f, unsigned line, const uint8_t *owner,
		const zp_rr_head *h, size_t rdlen)
{
	uint32_t ttl;
	if (!resolve_ttl(p, f, line, h, rdlen, &ttl))
		return;
	uint16_t rclass = h->have_class ? h->rclass : p->last_class;
	p->last_class = rclass;
	owndns_rr rr = { owner, h->type, rclass, ttl, (uint16_t)rdlen, p->rdata };
	int rc = p->cfg->on_rr(p->cfg->ctx, &rr, f->name, line);
	if (rc < 0)
		p->fatal = rc;
	else
		p->result.records++;
}

static void zp_report_rdata_error(zp_parser *p, zp_frame *f, unsigned line, uint16_t type, int rc)
{
	char mnemonic[OWNDNS_TYPE_TEXT_MAX];
	owndns_type_to_text(type, mnemonic, sizeof mnemonic);
	zp_report(p, f->name, line, OWNDNS_ZONE_ERROR, "bad %s RDATA: %s", mnemonic,
		  owndns_strerror(rc));
}

/* ------------------------------------------------------------------ records */

/* A lexer over the rest of the current entry only, and `lx` moved past the entry.
 * rdata_from_lexer reads one token past the RDATA to see that nothing follows; when a
 * field that runs "to the end" (hex, base64) has already consumed the entry's end, that
 * token would be the next entry's, so the RDATA gets a lexer that ends with the entry.
 * False on a lexical error (left in lx->error for the caller). */
static bool entry_rest(lexer *lx, lexer *rest)
{
	lexer scan = *lx;
	lexer_token tok;
	int r;
	while ((r = lexer_next(&scan, &tok)) > 0)
		;
	if (r < 0) {
		*lx = scan;
		return false;
	}
	*rest = *lx;
	rest->len = scan.pos;
	lx->pos = scan.pos;
	lx->line = scan.line;
	return true;
}

/* "owner [ttl] [class] type rdata"; the owner is left out when the entry starts with a
 * blank (RFC 1035 §5.1).  Returns true when the entry's end has been consumed. */
static bool read_record(zp_parser *p, zp_frame *f, lexer_token *tok, bool owner_omitted)
{
	unsigned line = tok->line;
	zp_rr_head h;
	if (owner_omitted) {
		if (!f->have_owner) {
			zp_report(p, f->name, line, OWNDNS_ZONE_ERROR,
				  "entry starts with a blank but there is no previous owner");
			return false;
		}
	} else {
		/* Parse aside: a bad owner must not leave a half-written previous owner. */
		uint8_t owner[OWNDNS_NAME_MAX];
		if (!name_from_token(p, f, tok, "owner name", owner))
			return false;
		memcpy(f->owner, owner, owndns_name_length(owner));
		f->have_owner = true;
		if (!need_token(p, f, line, "type", tok))
			return false;
	}
	if (!zp_read_ttl_class_type(p, f, tok, &h))
		return false;
	size_t rdlen;
	lexer rdata_lx;
	if (!entry_rest(&f->lx, &rdata_lx))
		return false;
	f->entry_done = true;
	int rc = rdata_from_lexer(h.type, &rdata_lx, f->have_origin ? f->origin : NULL, p->rdata,
				  OWNDNS_RDATA_MAX, &rdlen);
	if (rc != OWNDNS_OK) {
		zp_report_rdata_error(p, f, zp_error_line(&rdata_lx, line), h.type, rc);
		return true;
	}
	zp_deliver(p, f, line, f->owner, &h, rdlen);
	return true;
}

/* ------------------------------------------------------------------ directives */

static bool read_origin(zp_parser *p, zp_frame *f, unsigned line)
{
	lexer_token tok;
	uint8_t origin[OWNDNS_NAME_MAX];
	if (!need_token(p, f, line, "$ORIGIN name", &tok) ||
	    !name_from_token(p, f, &tok, "$ORIGIN name", origin))
		return false;
	if (!expect_entry_end(p, f, "$ORIGIN"))
		return false;
	memcpy(f->origin, origin, owndns_name_length(origin));
	f->have_origin = true;
	return true;
}

static bool read_ttl_directive(zp_parser *p, zp_frame *f, unsigned line)
{
	lexer_token tok;
	uint32_t ttl;
	if (!need_token(p, f, line, "$TTL value", &tok))
		return false;
	if (tok.quoted || owndns_ttl_from_text(tok.text, tok.len, &ttl) != OWNDNS_OK) {
		zp_report(p, f->name, tok.line, OWNDNS_ZONE_ERROR, "bad $TTL '%.*s'",
			  zp_shown_len(tok.len), tok.text);
		return false;
	}
	if (!expect_entry_end(p, f, "$TTL"))
		return false;
	p->dollar_ttl = ttl;
	p->have_dollar_ttl = true;
	return true;
}

/* A file name token with backslash escapes resolved (\X only: paths are not DNS text). */
static bool token_to_path(const lexer_token *tok, char *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < tok->len; i++) {
		char c = tok->text[i];
		if (c == '\\' && i + 1 < tok->len)
			c = tok->text[++i];
		if (c == '\0' || n + 1 >= cap)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return n > 0;
}

/* A relative $INCLUDE path is taken relative to the including file's directory. */
static bool resolve_include_path(const char *including, const char *path, char *out, size_t cap)
{
	const char *slash = strrchr(including, '/');
	int n;
	if (path[0] == '/' || !slash)
		n = snprintf(out, cap, "%s", path);
	else
		n = snprintf(out, cap, "%.*s/%s", (int)(slash - including), including, path);
	return n > 0 && (size_t)n < cap;
}

static void read_file_into(zp_parser *p, zp_frame *parent, unsigned parent_line, zp_frame *f);

static bool read_include(zp_parser *p, zp_frame *f, unsigned line)
{
	lexer_token tok;
	char given[ZP_PATH_MAX], path[ZP_PATH_MAX];
	if (!need_token(p, f, line, "$INCLUDE file name", &tok))
		return false;
	if (!token_to_path(&tok, given, sizeof given) ||
	    !resolve_include_path(f->name, given, path, sizeof path)) {
		zp_report(p, f->name, tok.line, OWNDNS_ZONE_ERROR, "bad $INCLUDE file name");
		return false;
	}
	zp_frame *child = calloc(1, sizeof *child);
	if (!child) {
		p->fatal = OWNDNS_ENOMEM;
		return false;
	}
	/* The included file starts from this file's origin and owner; this file's own are
	 * untouched, so they are "restored" when the include ends (RFC 1035 §5.1). */
	memcpy(child->origin, f->origin, sizeof child->origin);
	child->have_origin = f->have_origin;
	memcpy(child->owner, f->owner, sizeof child->owner);
	child->have_owner = f->have_owner;
	int r = frame_next(f, &tok);
	bool ok = r >= 0;
	if (r > 0) {
		ok = name_from_token(p, f, &tok, "$INCLUDE origin", child->origin) &&
		     expect_entry_end(p, f, "$INCLUDE origin");
		child->have_origin = true;
	}
	if (ok) {
		child->name = path;
		read_file_into(p, f, line, child);
	}
	free(child);
	return ok;
}

static bool read_directive(zp_parser *p, zp_frame *f, const lexer_token *tok)
{
	unsigned line = tok->line;
	if (token_is(tok, "$ORIGIN"))
		return read_origin(p, f, line);
	if (token_is(tok, "$TTL"))
		return read_ttl_directive(p, f, line);
	if (token_is(tok, "$INCLUDE"))
		return read_include(p, f, line);
	if (token_is(tok, "$GENERATE"))
		return zp_read_generate(p, f, line);
	zp_report(p, f->name, line, OWNDNS_ZONE_ERROR, "unknown directive '%.*s'",
		  zp_shown_len(tok->len), tok->text);
	return false;
}

/* ------------------------------------------------------------------ $GENERATE */

/* BIND's $GENERATE start-stop[/step] lhs [ttl] [class] type rhs: one record per value,
 * with "$" in lhs and rhs replaced by the value and "${offset[,width[,base]]}" by the
 * value plus offset, zero-padded to width, in base d, o, x, X or n/N (nibbles in
 * reverse order separated by dots, for ip6.arpa; width counts the dots too).  "\$" is
 * a literal dollar.  A single quoted rhs is the whole RDATA text ("10 mx$"). */
enum { GEN_TEXT_MAX = 4096, GEN_RHS_TOKENS_MAX = 32, GEN_WIDTH_MAX = 255 };
#define GEN_VALUE_MAX 0x7fffffffu

typedef struct gen_range {
	uint32_t start, stop, step;
} gen_range;

static bool parse_gen_number(const char **s, const char *end, uint32_t *out)
{
	const char *c = *s;
	uint64_t v = 0;
	if (c >= end || !ascii_digit(*c))
		return false;
	for (; c < end && ascii_digit(*c); c++) {
		v = v * 10 + (uint64_t)(*c - '0');
		if (v > GEN_VALUE_MAX)
			return false;
	}
	*s = c;
	*out = (uint32_t)v;
	return true;
}

static bool parse_gen_range(const lexer_token *tok, gen_range *r)
{
	const char *s = tok->text, *end = tok->text + tok->len;
	r->step = 1;
	if (tok->quoted || !parse_gen_number(&s, end, &r->start) || s >= end || *s++ != '-' ||
	    !parse_gen_number(&s, end, &r->stop))
		return false;
	if (s < end && *s == '/') {
		s++;
		if (!parse_gen_number(&s, end, &r->step) || r->step == 0)
			return false;
	}
	return s == end && r->start <= r->stop;
}

static void put_nibbles(text_buf *t, uint64_t v, unsigned width, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t start = t->len;
	text_buf_putc(t, digits[v & 15]);
	v >>= 4;
	while ((v != 0 || t->len - start < width) && !t->error) {
		text_buf_putc(t, '.');
		text_buf_putc(t, digits[v & 15]);
		v >>= 4;
	}
}

/* "{offset[,width[,base]]}" at *s (just after the '$'). */
static int put_modifier(const char **s, const char *end, uint32_t value, text_buf *t)
{
	const char *c = *s + 1;
	uint32_t offset = 0, width = 0;
	bool negative = false;
	char base = 'd';
	if (c < end && (*c == '-' || *c == '+'))
		negative = *c++ == '-';
	if (!parse_gen_number(&c, end, &offset))
		return OWNDNS_ESYNTAX;
	if (c < end && *c == ',') {
		c++;
		if (!parse_gen_number(&c, end, &width) || width > GEN_WIDTH_MAX)
			return OWNDNS_ESYNTAX;
		if (c < end && *c == ',') {
			c++;
			if (c < end)
				base = *c++;
		}
	}
	if (c >= end || *c != '}')
		return OWNDNS_ESYNTAX;
	*s = c + 1;
	int64_t v = (int64_t)value + (negative ? -(int64_t)offset : (int64_t)offset);
	if (v < 0)
		return OWNDNS_ENUMBER;
	unsigned long long u = (unsigned long long)v;
	switch (base) {
	case 'd': text_buf_printf(t, "%0*llu", (int)width, u); break;
	case 'o': text_buf_printf(t, "%0*llo", (int)width, u); break;
	case 'x': text_buf_printf(t, "%0*llx", (int)width, u); break;
	case 'X': text_buf_printf(t, "%0*llX", (int)width, u); break;
	case 'n': put_nibbles(t, u, width, false); break;
	case 'N': put_nibbles(t, u, width, true); break;
	default: return OWNDNS_ESYNTAX;
	}
	return OWNDNS_OK;
}

static int expand_template(const char *tmpl, size_t len, uint32_t value, text_buf *t)
{
	const char *s = tmpl, *end = tmpl + len;
	while (s < end) {
		if (*s == '\\' && s + 1 < end) {
			/* Kept as an escape: the name or RDATA parser resolves it. */
			text_buf_put(t, s, 2);
			s += 2;
		} else if (*s == '$' && s + 1 < end && s[1] == '{') {
			s++;
			int rc = put_modifier(&s, end, value, t);
			if (rc != OWNDNS_OK)
				return rc;
		} else if (*s == '$') {
			text_buf_printf(t, "%lu", (unsigned long)value);
			s++;
		} else {
			text_buf_putc(t, *s++);
		}
	}
	return t->error;
}

typedef struct gen_job {
	unsigned line;
	const lexer_token *lhs;
	const lexer_token *rhs;
	size_t rhs_count;
	zp_rr_head head;
	char *owner_text; /* GEN_TEXT_MAX octets each */
	char *rdata_text;
} gen_job;

static bool report_expand_error(zp_parser *p, zp_frame *f, const gen_job *job,
				const lexer_token *tok, int rc)
{
	zp_report(p, f->name, job->line, OWNDNS_ZONE_ERROR, "$GENERATE: %s in '%.*s'",
		  rc == OWNDNS_ESPACE ? "expansion too long" :
		  rc == OWNDNS_ENUMBER ? "negative value" : "bad ${offset,width,base} modifier",
		  zp_shown_len(tok->len), tok->text);
	return false;
}

static bool generate_one(zp_parser *p, zp_frame *f, const gen_job *job, uint32_t value)
{
	uint8_t owner[OWNDNS_NAME_MAX];
	text_buf t;
	size_t rdlen;
	text_buf_init(&t, job->owner_text, GEN_TEXT_MAX);
	int rc = expand_template(job->lhs->text, job->lhs->len, value, &t);
	if (rc != OWNDNS_OK)
		return report_expand_error(p, f, job, job->lhs, rc);
	if (!zp_name_from_text(p, f, t.data, t.len, job->line, "$GENERATE owner", owner))
		return false;
	bool whole_text = job->rhs_count == 1 && job->rhs[0].quoted;
	text_buf_init(&t, job->rdata_text, GEN_TEXT_MAX);
	for (size_t i = 0; i < job->rhs_count; i++) {
		bool requote = job->rhs[i].quoted && !whole_text;
		if (i)
			text_buf_putc(&t, ' ');
		if (requote)
			text_buf_putc(&t, '"');
		rc = expand_template(job->rhs[i].text, job->rhs[i].len, value, &t);
		if (requote)
			text_buf_putc(&t, '"');
		if (rc == OWNDNS_OK)
			rc = t.error;
		if (rc != OWNDNS_OK)
			return report_expand_error(p, f, job, &job->rhs[i], rc);
	}
	rc = owndns_rdata_from_text(job->head.type, t.data, t.len,
				    f->have_origin ? f->origin : NULL, p->rdata, OWNDNS_RDATA_MAX,
				    &rdlen);
	if (rc != OWNDNS_OK) {
		char mnemonic[OWNDNS_TYPE_TEXT_MAX];
		owndns_type_to_text(job->head.type, mnemonic, sizeof mnemonic);
		zp_report(p, f->name, job->line, OWNDNS_ZONE_ERROR,
			  "$GENERATE value %lu: bad %s RDATA '%.*s': %s", (unsigned long)value,
			  mnemonic, zp_shown_len(t.len), t.data, owndns_strerror(rc));
		return false;
	}
	zp_deliver(p, f, job->line, owner, &job->head, rdlen);
	return true;
}

static bool zp_read_generate(zp_parser *p, zp_frame *f, unsigned line)
{
	lexer_token range_tok, lhs, tok, rhs[GEN_RHS_TOKENS_MAX];
	gen_job job = { line, &lhs, rhs, 0, { 0 }, NULL, NULL };
	gen_range r;
	int next;
	if (!need_token(p, f, line, "$GENERATE range", &range_tok))
		return false;
	if (!parse_gen_range(&range_tok, &r)) {
		zp_report(p, f->name, line, OWNDNS_ZONE_ERROR,
			  "bad $GENERATE range '%.*s': start-stop[/step] with start <= stop",
			  zp_shown_len(range_tok.len), range_tok.text);
		return false;
	}
	if (!need_token(p, f, line, "$GENERATE owner", &lhs) ||
	    !need_token(p, f, line, "type", &tok) ||
	    !zp_read_ttl_class_type(p, f, &tok, &job.head))
		return false;
	while ((next = frame_next(f, &tok)) > 0) {
		if (job.rhs_count == GEN_RHS_TOKENS_MAX) {
			zp_report(p, f->name, line, OWNDNS_ZONE_ERROR, "$GENERATE RDATA too long");
			return false;
		}
		rhs[job.rhs_count++] = tok;
	}
	if (next < 0)
		return false;
	if (job.rhs_count == 0) {
		zp_report(p, f->name, line, OWNDNS_ZONE_ERROR, "$GENERATE RDATA missing");
		return true;
	}
	uint64_t count = ((uint64_t)r.stop - r.start) / r.step + 1;
	if (count > p->max_generate) {
		zp_report(p, f->name, line, OWNDNS_ZONE_ERROR,
			  "$GENERATE would make %llu records, more than the limit of %lu",
			  (unsigned long long)count, (unsigned long)p->max_generate);
		return true;
	}
	job.owner_text = malloc(2 * GEN_TEXT_MAX);
	if (!job.owner_text) {
		p->fatal = OWNDNS_ENOMEM;
		return true;
	}
	job.rdata_text = job.owner_text + GEN_TEXT_MAX;
	for (uint64_t v = r.start; v <= r.stop && !p->fatal && !p->stopped; v += r.step)
		if (!generate_one(p, f, &job, (uint32_t)v))
			break;
	free(job.owner_text);
	return true;
}

/* ------------------------------------------------------------------ entries */

static void skip_entry(lexer *lx)
{
	lexer_token tok;
	while (lexer_next(lx, &tok) > 0)
		;
}

/* After a lexer error: a stray ')' spoils one line; an unclosed '(' or quote runs to
 * the end of the file, so nothing after it can be trusted.  Returns false to stop. */
static bool recover_lexer(zp_parser *p, zp_frame *f, unsigned entry_line)
{
	lexer *lx = &f->lx;
	if (lx->pos < lx->len && lx->text[lx->pos] == ')') {
		zp_report(p, f->name, lx->line, OWNDNS_ZONE_ERROR, "')' without '('");
		while (lx->pos < lx->len && lx->text[lx->pos] != '\n')
			lx->pos++;
		if (lx->pos < lx->len) {
			lx->pos++;
			lx->line++;
		}
		lx->error = OWNDNS_OK;
		lx->paren_depth = 0;
		return true;
	}
	if (lx->paren_depth > 0)
		zp_report(p, f->name, entry_line, OWNDNS_ZONE_ERROR,
			  "'(' not closed before the end of the file");
	else
		zp_report(p, f->name, entry_line, OWNDNS_ZONE_ERROR,
			  "unterminated quoted string or escape at the end of the file");
	return false;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void read_entries(zp_parser *p, zp_frame *f)
{
	lexer *lx = &f->lx;
	while (!p->fatal && !p->stopped && lx->pos < lx->len) {
		lexer_next_entry(lx);
		size_t start = lx->pos;
		unsigned start_line = lx->line;
		lexer_token tok;
		int r = lexer_next(lx, &tok);
		if (r > 0) {
			/* lexer.c does not say whether an entry began with a blank; each entry
			 * starts at the beginning of a line, so look at that character. */
			bool blank_start = is_blank(lx->text[start]);
			f->entry_done = false;
			if (!blank_start && !tok.quoted && tok.text[0] == '$')
				read_directive(p, f, &tok);
			else
				read_record(p, f, &tok, blank_start);
			if (!f->entry_done && !lx->error)
				skip_entry(lx);
		}
		if (lx->error && !recover_lexer(p, f, start_line))
			break;
	}
}

/* ------------------------------------------------------------------ files */

static bool in_include_chain(const zp_parser *p, const struct stat *st)
{
	for (unsigned i = 0; i < p->depth; i++)
		if (p->chain[i].dev == st->st_dev && p->chain[i].ino == st->st_ino)
			return true;
	return false;
}

/* Reads a whole regular file into a NUL-terminated heap buffer. */
static int slurp(FILE *fp, size_t size, char **text)
{
	char *buf = malloc(size + 1);
	if (!buf)
		return ENOMEM;
	size_t got = size ? fread(buf, 1, size, fp) : 0;
	if (got != size || ferror(fp)) {
		free(buf);
		return EIO;
	}
	buf[size] = '\0';
	*text = buf;
	return 0;
}

static void report_file(zp_parser *p, zp_frame *parent, unsigned parent_line, const char *verb,
			const char *name, const char *problem)
{
	if (parent)
		zp_report(p, parent->name, parent_line, OWNDNS_ZONE_ERROR, "cannot %s '%s': %s",
			  verb, name, problem);
	else
		zp_report(p, name, 0, OWNDNS_ZONE_ERROR, "cannot %s '%s': %s", verb, name, problem);
}

static void read_text_into(zp_parser *p, zp_frame *f, const char *text, size_t len)
{
	lexer_init(&f->lx, text, len);
	read_entries(p, f);
}

/* Opens and reads the file f->name; problems are reported at the $INCLUDE line of
 * `parent`, or against the file itself at the top. */
static void read_file_into(zp_parser *p, zp_frame *parent, unsigned parent_line, zp_frame *f)
{
	struct stat st;
	char *text = NULL;
	FILE *fp;
	if (p->depth >= p->max_depth) {
		report_file(p, parent, parent_line, "include", f->name,
			    "$INCLUDE nested too deeply");
		return;
	}
	fp = fopen(f->name, "rb");
	if (!fp) {
		report_file(p, parent, parent_line, "open", f->name, strerror(errno));
		return;
	}
	int err = 0;
	if (fstat(fileno(fp), &st) != 0)
		err = errno;
	else if (!S_ISREG(st.st_mode))
		err = EISDIR;
	if (err) {
		report_file(p, parent, parent_line, "read", f->name,
			    err == EISDIR ? "not a regular file" : strerror(err));
		goto done;
	}
	if (in_include_chain(p, &st)) {
		report_file(p, parent, parent_line, "include", f->name,
			    "$INCLUDE loop");
		goto done;
	}
	if ((unsigned long long)st.st_size > p->max_file_size) {
		report_file(p, parent, parent_line, "read", f->name,
			    "larger than the size limit");
		goto done;
	}
	err = slurp(fp, (size_t)st.st_size, &text);
	if (err == ENOMEM) {
		p->fatal = OWNDNS_ENOMEM;
		goto done;
	}
	if (err) {
		report_file(p, parent, parent_line, "read", f->name, strerror(err));
		goto done;
	}
	p->chain[p->depth].dev = st.st_dev;
	p->chain[p->depth].ino = st.st_ino;
	p->depth++;
	read_text_into(p, f, text, (size_t)st.st_size);
	p->depth--;
done:
	free(text);
	fclose(fp);
}

/* ------------------------------------------------------------------ entry points */

static zp_parser *parser_new(const owndns_zone_parse_config *cfg)
{
	zp_parser *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->cfg = cfg;
	p->max_errors = cfg->max_errors ? cfg->max_errors : DEFAULT_MAX_ERRORS;
	p->max_depth = cfg->max_include_depth ? cfg->max_include_depth : DEFAULT_MAX_INCLUDE_DEPTH;
	if (p->max_depth > ZP_CHAIN_MAX)
		p->max_depth = ZP_CHAIN_MAX;
	p->max_generate = cfg->max_generate ? cfg->max_generate : DEFAULT_MAX_GENERATE;
	p->max_file_size = cfg->max_file_size ? cfg->max_file_size : DEFAULT_MAX_FILE_SIZE;
	p->last_class = cfg->rclass ? cfg->rclass : OWNDNS_CLASS_IN;
	return p;
}

static bool frame_init(zp_frame *f, const char *name, const uint8_t *origin)
{
	memset(f, 0, sizeof *f);
	f->name = name;
	if (origin) {
		size_t len;
		if (owndns_name_check(origin, OWNDNS_NAME_MAX, &len) != OWNDNS_OK)
			return false;
		memcpy(f->origin, origin, len);
		f->have_origin = true;
	}
	return true;
}

static int finish(zp_parser *p, owndns_zone_parse_result *result)
{
	int rc = p->fatal ? p->fatal : p->result.errors ? OWNDNS_ESYNTAX : OWNDNS_OK;
	if (result)
		*result = p->result;
	free(p);
	return rc;
}

static int parse(const char *name, const char *text, size_t len,
		 const owndns_zone_parse_config *cfg, owndns_zone_parse_result *result)
{
	if (result)
		memset(result, 0, sizeof *result);
	if (!cfg || !cfg->on_rr || !name)
		return OWNDNS_EINVAL;
	zp_parser *p = parser_new(cfg);
	zp_frame *f = malloc(sizeof *f);
	if (!p || !f) {
		free(p);
		free(f);
		return OWNDNS_ENOMEM;
	}
	if (!frame_init(f, name, cfg->origin)) {
		free(p);
		free(f);
		return OWNDNS_EINVAL;
	}
	if (text)
		read_text_into(p, f, text, len);
	else
		read_file_into(p, NULL, 0, f);
	free(f);
	return finish(p, result);
}

int owndns_zone_parse_file(const char *path, const owndns_zone_parse_config *cfg,
			   owndns_zone_parse_result *result)
{
	return parse(path, NULL, 0, cfg, result);
}

int owndns_zone_parse_text(const char *name, const char *text, size_t len,
			   const owndns_zone_parse_config *cfg, owndns_zone_parse_result *result)
{
	if (!text)
		return OWNDNS_EINVAL;
	return parse(name, text, len, cfg, result);
}
