/* owndns rr: converts resource records between presentation form, uncompressed wire
 * form (as hex) and the RFC 3597 generic form, one record per entry, using only the
 * public library API (plus the hex helpers of lib/encoding.h).  A bad entry is reported
 * with its line and skipped; the exit status tells whether any entry failed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <owndns/buffer.h>
#include <owndns/name.h>
#include <owndns/rdata.h>
#include <owndns/rr.h>

#include "encoding.h"
#include "subcommand.h"
#include "text_buf.h"

/* owner + type, class, TTL, RDLENGTH + RDATA */
#define RR_WIRE_MAX (OWNDNS_NAME_MAX + 10 + OWNDNS_RDATA_MAX)
/* Longest text of one record: RDATA as \DDD escapes is 4 octets of text per octet;
 * the rest (owner, quotes, spaces, fields) fits in the slack. */
#define RR_TEXT_MAX (4 * OWNDNS_RDATA_MAX + 16 * 1024)

static const option_spec rr_keys[] = {
	{ "input", OPTION_CHOICE, "text", false,
	  "text: presentation form, one RR per line ('(' ')' may span lines); wire: one RR per line in hex",
	  "text|wire", 0, 0 },
	{ "output", OPTION_CHOICE, "text", false,
	  "text: as dig prints it; wire: hex of the uncompressed record; generic: RFC 3597 form",
	  "text|wire|generic", 0, 0 },
	{ "file", OPTION_PATH, "-", false, "read records from this file ('-': standard input)",
	  NULL, 0, 0 },
	{ "origin", OPTION_NAME, ".", false, "origin for relative names and '@' in text input",
	  NULL, 0, 0 },
	{ "ttl", OPTION_TTL, "3600", false, "TTL for text records that give none", NULL, 0, 0 },
	OPTION_SPEC_END
};

enum rr_input { RR_INPUT_TEXT, RR_INPUT_WIRE };
enum rr_output { RR_OUTPUT_TEXT, RR_OUTPUT_WIRE, RR_OUTPUT_GENERIC };

typedef struct rr_job {
	enum rr_input input;
	enum rr_output output;
	uint8_t origin[OWNDNS_NAME_MAX];
	owndns_rr_text_defaults defaults;
	uint8_t *storage; /* owner and RDATA of the record being converted */
	uint8_t *wire;    /* RR_WIRE_MAX: the record in wire form */
	char *text;       /* RR_TEXT_MAX: the converted record */
} rr_job;

/* One input entry: possibly several lines of text, and the line it starts on. */
typedef struct rr_entry {
	char *data;
	size_t len, cap;
	unsigned first_line;
} rr_entry;

static int entry_append(rr_entry *e, const char *s, size_t n)
{
	if (e->len + n + 1 > e->cap) {
		size_t cap = e->cap ? e->cap : 256;
		while (cap < e->len + n + 1)
			cap *= 2;
		char *data = realloc(e->data, cap);
		if (!data)
			return OWNDNS_ENOMEM;
		e->data = data;
		e->cap = cap;
	}
	memcpy(e->data + e->len, s, n);
	e->len += n;
	e->data[e->len] = '\0';
	return OWNDNS_OK;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Scans one line of presentation text: adds its '(' and ')' (outside quotes and
 * comments, RFC 1035 §5.1) to *depth and tells whether it holds anything but blanks
 * and a comment. */
static bool scan_text_line(const char *line, int *depth)
{
	bool quoted = false, content = false;
	for (const char *p = line; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			content = true;
			continue;
		}
		if (quoted) {
			quoted = *p != '"';
			continue;
		}
		if (*p == ';')
			break;
		if (*p == '"')
			quoted = true;
		else if (*p == '(')
			(*depth)++;
		else if (*p == ')')
			(*depth)--;
		if (!is_blank(*p))
			content = true;
	}
	return content;
}

/* Wire input: any line with something before a '#' or ';' comment is one record. */
static bool wire_line_has_content(const char *line)
{
	for (const char *p = line; *p && *p != '#' && *p != ';'; p++)
		if (!is_blank(*p))
			return true;
	return false;
}

/* Reads the next entry into e.  Returns 1 with an entry, 0 at the end of input, or
 * OWNDNS_ENOMEM.  Text entries run on while parentheses are open. */
static int read_entry(FILE *in, enum rr_input input, unsigned *line_no, rr_entry *e)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int depth = 0;
	int ret = 0;

	e->len = 0;
	while ((n = getline(&line, &cap, in)) >= 0) {
		(*line_no)++;
		bool content = input == RR_INPUT_TEXT ? scan_text_line(line, &depth)
						      : wire_line_has_content(line);
		if (e->len == 0 && !content)
			continue;
		if (e->len == 0)
			e->first_line = *line_no;
		if (entry_append(e, line, (size_t)n)) {
			ret = OWNDNS_ENOMEM;
			break;
		}
		if (depth <= 0) {
			ret = 1;
			break;
		}
	}
	if (ret == 0 && e->len)
		ret = 1; /* end of input inside parentheses: the parser reports it */
	free(line);
	while (e->len && is_blank(e->data[e->len - 1]))
		e->data[--e->len] = '\0';
	return ret;
}

static int parse_text_entry(rr_job *job, const rr_entry *e, owndns_rr *rr)
{
	return owndns_rr_from_text(e->data, e->len, &job->defaults, job->storage,
				   OWNDNS_NAME_MAX + OWNDNS_RDATA_MAX, rr);
}

/* Hex digits of the entry without blanks, into job->text as scratch. */
static size_t join_hex_digits(rr_job *job, const rr_entry *e)
{
	size_t n = 0;
	for (size_t i = 0; i < e->len && n < RR_TEXT_MAX; i++) {
		if (e->data[i] == '#' || e->data[i] == ';')
			break;
		if (!is_blank(e->data[i]))
			job->text[n++] = e->data[i];
	}
	return n;
}

/* A record in uncompressed wire form: owner, type, class, TTL, RDLENGTH, RDATA
 * (RFC 1035 §4.1.3), and nothing after it. */
static int parse_wire_entry(rr_job *job, const rr_entry *e, owndns_rr *rr)
{
	size_t digits = join_hex_digits(job, e);
	owndns_wbuf decoded = owndns_wbuf_init(job->wire, RR_WIRE_MAX);
	int ret = hex_decode(job->text, digits, &decoded);
	if (ret)
		return ret;
	if (decoded.error)
		return OWNDNS_ETRAILING; /* longer than any record can be */

	uint8_t *owner = job->storage;
	size_t owner_len, pos = 0;
	ret = owndns_name_unpack_plain(job->wire, decoded.len, &pos, owner, &owner_len);
	if (ret)
		return ret;

	owndns_rbuf in = owndns_rbuf_init(job->wire, decoded.len);
	in.pos = pos;
	rr->owner = owner;
	rr->type = owndns_rbuf_u16(&in);
	rr->rclass = owndns_rbuf_u16(&in);
	rr->ttl = owndns_rbuf_u32(&in);
	rr->rdlen = owndns_rbuf_u16(&in);
	rr->rdata = owndns_rbuf_take(&in, rr->rdlen);
	if (in.error)
		return in.error;
	if (owndns_rbuf_left(&in))
		return OWNDNS_ETRAILING;
	return owndns_rdata_check(rr->type, rr->rdata, rr->rdlen);
}

static int rr_to_wire_hex(rr_job *job, const owndns_rr *rr)
{
	owndns_wbuf out = owndns_wbuf_init(job->wire, RR_WIRE_MAX);
	owndns_wbuf_bytes(&out, rr->owner, owndns_name_length(rr->owner));
	owndns_wbuf_u16(&out, rr->type);
	owndns_wbuf_u16(&out, rr->rclass);
	owndns_wbuf_u32(&out, rr->ttl);
	owndns_wbuf_u16(&out, rr->rdlen);
	owndns_wbuf_bytes(&out, rr->rdata, rr->rdlen);
	if (out.error)
		return out.error;
	hex_encode(job->wire, out.len, job->text);
	job->text[2 * out.len] = '\0';
	return (int)(2 * out.len);
}

static size_t visual_column(const text_buf *t)
{
	size_t col = 0;
	for (size_t i = 0; i < t->len; i++)
		col = t->data[i] == '\t' ? (col / 8 + 1) * 8 : col + 1;
	return col;
}

/* Aligns the next field the way dig does: tabs up to `column`, or one space when the
 * text already reaches it. */
static void pad_to_column(text_buf *t, size_t column)
{
	size_t col = visual_column(t);
	if (col >= column) {
		text_buf_putc(t, ' ');
		return;
	}
	for (; col < column; col = (col / 8 + 1) * 8)
		text_buf_putc(t, '\t');
}

/* RFC 3597 §5: TYPEnnn, CLASSnnn and "\# len hex" whatever the type. */
static int rr_to_generic(rr_job *job, const owndns_rr *rr)
{
	char owner[OWNDNS_NAME_TEXT_MAX];
	int ret = owndns_name_to_text(rr->owner, owner, sizeof(owner));
	if (ret < 0)
		return ret;
	text_buf t;
	text_buf_init(&t, job->text, RR_TEXT_MAX);
	text_buf_puts(&t, owner);
	pad_to_column(&t, 24);
	text_buf_printf(&t, "%u", (unsigned)rr->ttl);
	pad_to_column(&t, 32);
	text_buf_printf(&t, "CLASS%u", (unsigned)rr->rclass);
	pad_to_column(&t, 40);
	text_buf_printf(&t, "TYPE%u", (unsigned)rr->type);
	pad_to_column(&t, 48);
	if (t.error)
		return t.error;
	ret = owndns_rdata_to_generic_text(rr->rdata, rr->rdlen, job->text + t.len,
					   RR_TEXT_MAX - t.len);
	return ret < 0 ? ret : (int)t.len + ret;
}

static int format_rr(rr_job *job, const owndns_rr *rr)
{
	switch (job->output) {
	case RR_OUTPUT_WIRE:
		return rr_to_wire_hex(job, rr);
	case RR_OUTPUT_GENERIC:
		return rr_to_generic(job, rr);
	case RR_OUTPUT_TEXT:
		break;
	}
	return owndns_rr_to_text(rr, job->text, RR_TEXT_MAX);
}

static int convert_entry(rr_job *job, const rr_entry *e)
{
	owndns_rr rr;
	int ret = job->input == RR_INPUT_TEXT ? parse_text_entry(job, e, &rr)
					      : parse_wire_entry(job, e, &rr);
	if (ret)
		return ret;
	ret = format_rr(job, &rr);
	if (ret < 0)
		return ret;
	fwrite(job->text, 1, (size_t)ret, stdout);
	fputc('\n', stdout);
	return OWNDNS_OK;
}

/* The entry on one line for the error message. */
static void print_entry_flat(FILE *out, const rr_entry *e)
{
	for (size_t i = 0; i < e->len; i++)
		fputc(e->data[i] == '\n' || e->data[i] == '\r' ? ' ' : e->data[i], out);
	fputc('\n', out);
}

static int convert_all(rr_job *job, FILE *in)
{
	rr_entry entry = { 0 };
	unsigned line_no = 0;
	int failures = 0;
	int got;

	while ((got = read_entry(in, job->input, &line_no, &entry)) > 0) {
		int ret = convert_entry(job, &entry);
		if (ret) {
			failures++;
			fflush(stdout);
			fprintf(stderr, "owndns rr: line %u: %s: ", entry.first_line,
				owndns_strerror(ret));
			print_entry_flat(stderr, &entry);
		}
	}
	free(entry.data);
	if (got < 0) {
		fprintf(stderr, "owndns rr: line %u: %s\n", line_no, owndns_strerror(got));
		failures++;
	}
	if (ferror(in)) {
		fprintf(stderr, "owndns rr: read error: %s\n", strerror(errno));
		failures++;
	}
	return failures ? 1 : 0;
}

static int setup_job(rr_job *job, const options *opts)
{
	const char *input = options_get(opts, "input");
	const char *output = options_get(opts, "output");
	const char *origin = options_get(opts, "origin");
	size_t origin_len;

	job->input = strcmp(input, "wire") == 0 ? RR_INPUT_WIRE : RR_INPUT_TEXT;
	job->output = strcmp(output, "wire") == 0      ? RR_OUTPUT_WIRE
		      : strcmp(output, "generic") == 0 ? RR_OUTPUT_GENERIC
						       : RR_OUTPUT_TEXT;
	/* Validated by the options table already; checked again for the status. */
	int ret = owndns_name_from_text(origin, strlen(origin), NULL, job->origin, &origin_len);
	if (ret)
		return ret;
	job->defaults.origin = job->origin;
	job->defaults.ttl = options_get_ttl(opts, "ttl", 3600);
	job->defaults.rclass = OWNDNS_CLASS_IN;

	job->storage = malloc(OWNDNS_NAME_MAX + OWNDNS_RDATA_MAX);
	job->wire = malloc(RR_WIRE_MAX);
	job->text = malloc(RR_TEXT_MAX);
	return job->storage && job->wire && job->text ? OWNDNS_OK : OWNDNS_ENOMEM;
}

static int rr_run(const options *opts)
{
	rr_job job = { 0 };
	const char *path = options_get(opts, "file");
	FILE *in = stdin;
	int status = 1;

	int ret = setup_job(&job, opts);
	if (ret) {
		fprintf(stderr, "owndns rr: %s\n", owndns_strerror(ret));
		goto done;
	}
	if (strcmp(path, "-") != 0) {
		in = fopen(path, "r");
		if (!in) {
			fprintf(stderr, "owndns rr: file=%s: cannot read: %s\n", path,
				strerror(errno));
			goto done;
		}
	}
	status = convert_all(&job, in);
	if (in != stdin)
		fclose(in);
done:
	free(job.storage);
	free(job.wire);
	free(job.text);
	return status;
}

const subcommand subcommand_rr = {
	.name = "rr",
	.summary = "convert resource records between text, wire (hex) and RFC 3597 generic form",
	.description = "Reads resource records, one per line, from standard input or file=PATH, and\n"
	"writes each one in the output form.  Text input is zone-file style\n"
	"('owner [ttl] [class] type rdata'; relative names use origin=, a missing TTL\n"
	"uses ttl=); wire input is the hex of one uncompressed record per line\n"
	"(owner, type, class, TTL, RDLENGTH, RDATA).  A bad line is reported on\n"
	"standard error with its line number and skipped; the exit status is 1 if any\n"
	"line failed.\n\n"
	"  echo 'example.com. 3600 IN MX 10 mail.example.com.' | owndns rr output=wire",
	.keys = rr_keys,
	.run = rr_run,
};
