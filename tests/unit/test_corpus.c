/* RDATA test vectors from independent implementations (tests/data/rr_corpus.txt,
 * written by tests/data/gen_rr_corpus.py: wire forms from dnspython, presentation
 * forms from dig).  Every line is checked and every failure reported with its line
 * number; each test fails once at the end with the number of failing lines, so one run
 * shows everything that is wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <owndns/error.h>
#include <owndns/rdata.h>

#define CORPUS_FILE OWNDNS_TEST_DATA "/rr_corpus.txt"
#define TEXT_CAP (1u << 18)
#define MIN_VALID_ENTRIES 150 /* guards against a truncated or misread corpus */

enum entry_kind { ENTRY_OK, ENTRY_BADTEXT, ENTRY_BADWIRE };

typedef struct corpus_entry {
	enum entry_kind kind;
	unsigned line;
	char type_name[24];
	uint16_t type;
	char *text;     /* rdata text (ok, badtext), percent escapes resolved */
	uint8_t *wire;  /* ok, badwire */
	size_t wire_len;
	char *dig_text; /* ok: dig's presentation, NULL when not recorded */
	char *reason;   /* badtext, badwire */
} corpus_entry;

typedef struct corpus {
	corpus_entry *entries;
	size_t count;
	size_t valid_count;
	uint8_t *out;   /* scratch RDATA buffer */
	char *text;     /* scratch text buffers */
	char *text2;
} corpus;

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "out of memory\n");
		abort();
	}
	return p;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "%25" "%09" "%0A" back to the octets they stand for (the corpus file's own escape). */
static char *percent_decode(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc(n + 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hex_value(s[i + 1]) >= 0 &&
		    hex_value(s[i + 2]) >= 0) {
			out[o++] = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

/* Hex to octets; "-" is the empty string.  Returns 0 on malformed hex. */
static int hex_to_octets(const char *s, uint8_t **out, size_t *out_len)
{
	size_t n = strcmp(s, "-") == 0 ? 0 : strlen(s);

	if (n % 2)
		return 0;
	*out = xmalloc(n / 2);
	for (size_t i = 0; i < n; i += 2) {
		int hi = hex_value(s[i]), lo = hex_value(s[i + 1]);
		if (hi < 0 || lo < 0)
			return 0;
		(*out)[i / 2] = (uint8_t)(hi * 16 + lo);
	}
	*out_len = n / 2;
	return 1;
}

/* Splits `line` at TABs in place; returns the number of fields (at most max). */
static size_t split_tabs(char *line, char **fields, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		fields[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

static int parse_entry(char *line, unsigned lineno, corpus_entry *e)
{
	char *f[7];
	size_t n = split_tabs(line, f, 7);

	memset(e, 0, sizeof(*e));
	e->line = lineno;
	if (n < 5)
		return 0;
	if (strcmp(f[0], "ok") == 0 && n == 6)
		e->kind = ENTRY_OK;
	else if (strcmp(f[0], "badtext") == 0)
		e->kind = ENTRY_BADTEXT;
	else if (strcmp(f[0], "badwire") == 0)
		e->kind = ENTRY_BADWIRE;
	else
		return 0;
	snprintf(e->type_name, sizeof(e->type_name), "%s", f[1]);
	long type = strtol(f[2], NULL, 10);
	if (type < 0 || type > 65535)
		return 0;
	e->type = (uint16_t)type;
	switch (e->kind) {
	case ENTRY_OK:
		e->text = percent_decode(f[3]);
		if (!hex_to_octets(f[4], &e->wire, &e->wire_len))
			return 0;
		if (strcmp(f[5], "-") != 0)
			e->dig_text = percent_decode(f[5]);
		break;
	case ENTRY_BADTEXT:
		e->text = percent_decode(f[3]);
		e->reason = percent_decode(f[4]);
		break;
	case ENTRY_BADWIRE:
		if (!hex_to_octets(f[3], &e->wire, &e->wire_len))
			return 0;
		e->reason = percent_decode(f[4]);
		break;
	}
	return 1;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = xmalloc(cap + 1);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			char *bigger = realloc(buf, cap + 1);
			if (!bigger)
				abort();
			buf = bigger;
		}
	}
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int corpus_load(void **state)
{
	size_t len;
	char *data = read_file(CORPUS_FILE, &len);

	if (!data) {
		fprintf(stderr, "cannot read %s\n", CORPUS_FILE);
		return -1;
	}
	corpus *c = xmalloc(sizeof(*c));
	memset(c, 0, sizeof(*c));
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += data[i] == '\n';
	c->entries = xmalloc(lines * sizeof(*c->entries));
	c->out = xmalloc(OWNDNS_RDATA_MAX + 1024);
	c->text = xmalloc(TEXT_CAP);
	c->text2 = xmalloc(TEXT_CAP);

	unsigned lineno = 0;
	int bad_lines = 0;
	char *save = data;
	while (save && *save) {
		char *line = save;
		char *nl = strchr(line, '\n');
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (!parse_entry(line, lineno, &c->entries[c->count])) {
			fprintf(stderr, "%s:%u: malformed corpus line\n", CORPUS_FILE, lineno);
			bad_lines++;
			continue;
		}
		c->valid_count += c->entries[c->count].kind == ENTRY_OK;
		c->count++;
	}
	free(data);
	if (bad_lines || c->valid_count < MIN_VALID_ENTRIES) {
		fprintf(stderr, "corpus unusable: %d malformed lines, %zu valid entries\n",
			bad_lines, c->valid_count);
		return -1;
	}
	*state = c;
	return 0;
}

static int corpus_free(void **state)
{
	corpus *c = *state;

	for (size_t i = 0; i < c->count; i++) {
		free(c->entries[i].text);
		free(c->entries[i].wire);
		free(c->entries[i].dig_text);
		free(c->entries[i].reason);
	}
	free(c->entries);
	free(c->out);
	free(c->text);
	free(c->text2);
	free(c);
	return 0;
}

static void print_hex(const char *label, const uint8_t *p, size_t n)
{
	fprintf(stderr, "      %s (%zu): ", label, n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%02x", p[i]);
	fputc('\n', stderr);
}

static void report(const corpus_entry *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(const corpus_entry *e, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rr_corpus.txt:%u: %s: ", e->line, e->type_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Parses `text` and compares with the expected wire form; returns 1 when equal. */
static int parses_to(corpus *c, const corpus_entry *e, const char *what, const char *text)
{
	size_t len = 0;
	int rc = owndns_rdata_from_text(e->type, text, strlen(text), NULL, c->out,
					OWNDNS_RDATA_MAX, &len);
	if (rc != OWNDNS_OK) {
		report(e, "%s: from_text(\"%s\") failed: %s", what, text, owndns_strerror(rc));
		return 0;
	}
	if (len != e->wire_len || memcmp(c->out, e->wire, len) != 0) {
		report(e, "%s: from_text(\"%s\") gives the wrong wire form", what, text);
		print_hex("expected", e->wire, e->wire_len);
		print_hex("got     ", c->out, len);
		return 0;
	}
	return 1;
}

static void finish(const corpus *c, int failures, int checked, const char *what)
{
	(void)c;
	if (failures)
		fprintf(stderr, "%s: %d of %d corpus entries failed\n", what, failures, checked);
	assert_int_equal(failures, 0);
}

/* Text of a valid record gives dnspython's wire form. */
static void test_valid_from_text(void **state)
{
	corpus *c = *state;
	int failures = 0, checked = 0;

	for (size_t i = 0; i < c->count; i++) {
		const corpus_entry *e = &c->entries[i];
		if (e->kind != ENTRY_OK)
			continue;
		checked++;
		failures += !parses_to(c, e, "text", e->text);
	}
	finish(c, failures, checked, "valid from_text");
}

/* dnspython's wire form passes the checker, and unpacking from a message holding only
 * the RDATA gives it back unchanged (nothing to decompress). */
static void test_valid_check_and_unpack(void **state)
{
	corpus *c = *state;
	int failures = 0, checked = 0;

	for (size_t i = 0; i < c->count; i++) {
		const corpus_entry *e = &c->entries[i];
		if (e->kind != ENTRY_OK)
			continue;
		checked++;
		int rc = owndns_rdata_check(e->type, e->wire, e->wire_len);
		if (rc != OWNDNS_OK) {
			report(e, "rdata_check rejects valid wire: %s", owndns_strerror(rc));
			print_hex("wire", e->wire, e->wire_len);
			failures++;
			continue;
		}
		size_t len = 0;
		rc = owndns_rdata_unpack(e->type, e->wire, e->wire_len, 0, e->wire_len, c->out,
					 OWNDNS_RDATA_MAX, &len);
		if (rc != OWNDNS_OK || len != e->wire_len || memcmp(c->out, e->wire, len) != 0) {
			report(e, "rdata_unpack of valid wire: %s, %zu octets (expected %zu)",
			       owndns_strerror(rc), len, e->wire_len);
			failures++;
		}
	}
	finish(c, failures, checked, "valid check/unpack");
}

/* owndns prints the RDATA exactly as dig does. */
static void test_valid_to_text_like_dig(void **state)
{
	corpus *c = *state;
	int failures = 0, checked = 0;

	for (size_t i = 0; i < c->count; i++) {
		const corpus_entry *e = &c->entries[i];
		if (e->kind != ENTRY_OK || !e->dig_text)
			continue;
		checked++;
		int rc = owndns_rdata_to_text(e->type, e->wire, e->wire_len, c->text, TEXT_CAP);
		if (rc < 0) {
			report(e, "to_text failed: %s", owndns_strerror(rc));
			failures++;
		} else if ((size_t)rc != strlen(c->text)) {
			report(e, "to_text returned %d for a text of %zu characters", rc, strlen(c->text));
			failures++;
		} else if (strcmp(c->text, e->dig_text) != 0) {
			report(e, "to_text differs from dig\n      dig:    \"%s\"\n      owndns: \"%s\"",
			       e->dig_text, c->text);
			failures++;
		}
	}
	finish(c, failures, checked, "to_text like dig");
}

/* What owndns prints parses back to the same wire form; so does dig's text. */
static void test_valid_text_round_trip(void **state)
{
	corpus *c = *state;
	int failures = 0, checked = 0;

	for (size_t i = 0; i < c->count; i++) {
		const corpus_entry *e = &c->entries[i];
		if (e->kind != ENTRY_OK)
			continue;
		checked++;
		int rc = owndns_rdata_to_text(e->type, e->wire, e->wire_len, c->text, TEXT_CAP);
		if (rc < 0) {
			report(e, "to_text failed: %s", owndns_strerror(rc));
			failures++;
			continue;
		}
		int ok = parses_to(c, e, "own text round trip", c->text);
		if (e->dig_text)
			ok &= parses_to(c, e, "dig text", e->dig_text);
		failures += !ok;
	}
	finish(c, failures, checked, "text round trip");
}

/* "\# len hex" of every valid RDATA has the right length and hex, and parses back. */
static void test_valid_generic_round_trip(void **state)
{
	corpus *c = *state;
	int failures = 0, checked = 0;

	for (size_t i = 0; i < c->count; i++) {
		const corpus_entry *e = &c->entries[i];
		if (e->kind != ENTRY_OK)
			continue;
		checked++;
		int rc = owndns_rdata_to_generic_text(e->wire, e->wire_len, c->text, TEXT_CAP);
		if (rc < 0) {
			report(e, "to_generic_text failed: %s", owndns_strerror(rc));
			failures++;
			continue;
		}
		/* Independent check of the form: "\#", the length, then the octets in hex
		 * (either case, possibly split by blanks as dig does). */
		char *end = NULL;
		unsigned long n = 0;
		int form_ok = strncmp(c->text, "\\# ", 3) == 0;
		if (form_ok) {
			n = strtoul(c->text + 3, &end, 10);
			form_ok = end != c->text + 3 && n == e->wire_len;
		}
		size_t octet = 0;
		for (const char *p = form_ok ? end : ""; form_ok && *p; p++) {
			if (*p == ' ')
				continue;
			int hi = hex_value(p[0]), lo = hi < 0 ? -1 : hex_value(p[1]);
			if (lo < 0 || octet >= e->wire_len || e->wire[octet] != hi * 16 + lo)
				form_ok = 0;
			octet++;
			p++;
		}
		if (!form_ok || octet != e->wire_len) {
			report(e, "generic text \"%s\" does not match the RDATA", c->text);
			failures++;
			continue;
		}
		failures += !parses_to(c, e, "generic round trip", c->text);
	}
	finish(c, failures, checked, "generic round trip");
}

/* Malformed presentation forms are rejected (and write no RDATA length). */
static void test_invalid_text_rejected(void **state)
{
	corpus *c = *state;
	int failures = 0, checked = 0;

	for (size_t i = 0; i < c->count; i++) {
		const corpus_entry *e = &c->entries[i];
		if (e->kind != ENTRY_BADTEXT)
			continue;
		checked++;
		size_t len = 0;
		int rc = owndns_rdata_from_text(e->type, e->text, strlen(e->text), NULL, c->out,
						OWNDNS_RDATA_MAX, &len);
		if (rc == OWNDNS_OK) {
			report(e, "accepts invalid text \"%s\" (%s)", e->text, e->reason);
			print_hex("parsed as", c->out, len);
			failures++;
		} else if (rc > 0 || rc < OWNDNS_ERROR_MIN_) {
			report(e, "invalid text \"%s\": status %d is no owndns error", e->text, rc);
			failures++;
		}
	}
	finish(c, failures, checked, "invalid text");
}

/* Malformed wire RDATA fails the checker and unpacking, and prints as "\#" generic. */
static void test_invalid_wire_rejected(void **state)
{
	corpus *c = *state;
	int failures = 0, checked = 0;

	for (size_t i = 0; i < c->count; i++) {
		const corpus_entry *e = &c->entries[i];
		if (e->kind != ENTRY_BADWIRE)
			continue;
		checked++;
		int rc = owndns_rdata_check(e->type, e->wire, e->wire_len);
		if (rc == OWNDNS_OK) {
			report(e, "rdata_check accepts invalid wire (%s)", e->reason);
			print_hex("wire", e->wire, e->wire_len);
			failures++;
			continue;
		}
		size_t len = 0;
		rc = owndns_rdata_unpack(e->type, e->wire, e->wire_len, 0, e->wire_len, c->out,
					 OWNDNS_RDATA_MAX, &len);
		if (rc == OWNDNS_OK) {
			report(e, "rdata_unpack accepts invalid wire (%s)", e->reason);
			failures++;
			continue;
		}
		rc = owndns_rdata_to_text(e->type, e->wire, e->wire_len, c->text, TEXT_CAP);
		if (rc < 0 || strncmp(c->text, "\\# ", 3) != 0) {
			report(e, "invalid wire should print as \\# generic, got \"%s\" (%s)",
			       rc < 0 ? owndns_strerror(rc) : c->text, e->reason);
			failures++;
		}
	}
	finish(c, failures, checked, "invalid wire");
}

/* Output that does not fit is an error, never a silent truncation; output that just
 * fits is no error. */
static void test_to_text_reports_small_buffer(void **state)
{
	corpus *c = *state;
	int failures = 0, checked = 0;

	for (size_t i = 0; i < c->count; i++) {
		const corpus_entry *e = &c->entries[i];
		if (e->kind != ENTRY_OK)
			continue;
		int full = owndns_rdata_to_text(e->type, e->wire, e->wire_len, c->text, TEXT_CAP);
		if (full <= 0)
			continue;
		checked++;
		/* Room for everything but the NUL, and a one-octet buffer. */
		int rc = owndns_rdata_to_text(e->type, e->wire, e->wire_len, c->text2, (size_t)full);
		int rc1 = owndns_rdata_to_text(e->type, e->wire, e->wire_len, c->text2, 1);
		if (rc != OWNDNS_ESPACE || rc1 != OWNDNS_ESPACE) {
			report(e, "to_text into %d octets gives %d, into 1 octet %d (want ESPACE)",
			       full, rc, rc1);
			failures++;
		}
		/* Exactly the room needed, NUL included, is enough. */
		int exact = owndns_rdata_to_text(e->type, e->wire, e->wire_len, c->text2,
						 (size_t)full + 1);
		if (exact != full || strcmp(c->text2, c->text) != 0) {
			report(e, "to_text into exactly %d octets gives %d (want %d)", full + 1, exact,
			       full);
			failures++;
		}
	}
	finish(c, failures, checked, "small buffer");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_from_text),
		cmocka_unit_test(test_valid_check_and_unpack),
		cmocka_unit_test(test_valid_to_text_like_dig),
		cmocka_unit_test(test_valid_text_round_trip),
		cmocka_unit_test(test_valid_generic_round_trip),
		cmocka_unit_test(test_invalid_text_rejected),
		cmocka_unit_test(test_invalid_wire_rejected),
		cmocka_unit_test(test_to_text_reports_small_buffer),
	};
	return cmocka_run_group_tests(tests, corpus_load, corpus_free);
}
