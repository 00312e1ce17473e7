/* owndns query: the dig-like client.  Takes key=value options and dig's habits
 * (query_args.c), asks each question with owndns_resolve and prints the response as dig
 * 9.18 does (lib/msg_text.c), as +short lines or as one JSON object per response.
 * dig's display toggles (+noall +answer, +[no]question ... +[no]stats, +[no]cmd) pick
 * parts of the full text; +nottlid, +nocl and +ttlunits re-lay its record lines in
 * dig's columns.  Like dig, queries carry AD=1 unless +noadflag.
 *
 * Exit status, like dig's: 0 when every question got a response (whatever its rcode),
 * 1 usage error, 9 no reply from any server, 10 internal error or only malformed
 * responses.  With several questions, the status of the last one that failed.  Every
 * failure writes one line to stderr: usage errors as "owndns query: ..." (like the
 * option parser's), failures of a question in dig's style starting with ";; ", e.g.
 * ";; connection timed out; no servers could be reached".  Except where the network
 * said at once that a server cannot be reached (ICMP port unreachable: connection
 * refused): then, as dig, each such try gets a line on stdout (";; communications error
 * to 127.0.0.1#53: connection refused"; over TCP ";; Connection to ... failed: ..."),
 * and when no server answered, the run ends on stdout too, with exit status 9. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <owndns/client.h>
#include <owndns/msg_text.h>
#include <owndns/rdata.h>

#include "query_args.h"
#include "subcommand.h"
#include "text_buf.h"

#ifndef OWNDNS_VERSION
#define OWNDNS_VERSION "unknown"
#endif

enum query_exit {
	QUERY_EXIT_OK = 0,
	QUERY_EXIT_USAGE = 1,
	QUERY_EXIT_NO_REPLY = 9,
	QUERY_EXIT_INTERNAL = 10,
};

/* Text of a 64 KiB message can run to megabytes (every record repeating a long owner
 * name); the buffer starts small and doubles up to this. */
#define QUERY_TEXT_START (64 * 1024)
#define QUERY_TEXT_LIMIT (64 * 1024 * 1024)

static const option_spec query_keys[] = {
	{ "domain", OPTION_NAME, NULL, false, "name to look up (also: a bare word that is not a type or class)", NULL, 0, 0 },
	{ "type", OPTION_STRING, NULL, false, "RR type to ask for (default A; NS when no name is given)", NULL, 0, 0 },
	{ "class", OPTION_STRING, NULL, false, "class to ask in (default IN)", NULL, 0, 0 },
	{ "server", OPTION_STRING, NULL, true,
	  "server address, ADDR or ADDR@PORT (default: the nameservers of /etc/resolv.conf); also @ADDR", NULL, 0, 0 },
	{ "port", OPTION_INT, NULL, false, "port for servers given without one; also -p N", NULL, 1, 65535 },
	{ "timeout", OPTION_INT, "5", false, "seconds to wait for each try; also +timeout=N", NULL, 1, 300 },
	{ "tries", OPTION_INT, "3", false, "rounds over the servers; also +tries=N, +retry=N", NULL, 1, 20 },
	{ "tcp", OPTION_BOOL, "no", false, "ask over TCP only; also +tcp", NULL, 0, 0 },
	{ "dnssec", OPTION_BOOL, "no", false, "set the DO bit (DNSSEC records); also +dnssec", NULL, 0, 0 },
	{ "recurse", OPTION_BOOL, "yes", false, "set RD; also +[no]recurse", NULL, 0, 0 },
	{ "cd", OPTION_BOOL, "no", false, "set CD (checking disabled); also +cd", NULL, 0, 0 },
	{ "edns", OPTION_BOOL, "yes", false, "send an OPT record; also +[no]edns", NULL, 0, 0 },
	{ "bufsize", OPTION_INT, "1232", false, "EDNS UDP payload size; also +bufsize=N", NULL, 0, 65535 },
	{ "nsid", OPTION_BOOL, "no", false, "ask for the server's NSID; also +nsid", NULL, 0, 0 },
	{ "cookie", OPTION_BOOL, "yes", false, "send a client cookie; also +[no]cookie", NULL, 0, 0 },
	{ "short", OPTION_BOOL, "no", false, "print only the answer's RDATA, one per line; also +short", NULL, 0, 0 },
	{ "json", OPTION_BOOL, "no", false, "print one JSON object per response; also +json", NULL, 0, 0 },
	{ QUERY_ARG_KEY, OPTION_STRING, NULL, true,
	  "one dig-style argument (@server, -t TYPE, +short, a name ...); bare ones are passed as arg=", NULL, 0, 0 },
	OPTION_SPEC_END
};

/* ---- client options from the settings ---------------------------------------------- */

static unsigned query_flags(const query_settings *s)
{
	unsigned flags = 0;
	if (s->recurse)
		flags |= OWNDNS_QUERY_RD;
	if (s->cd)
		flags |= OWNDNS_QUERY_CD;
	if (s->tcp)
		flags |= OWNDNS_QUERY_TCP;
	if (s->adflag)
		flags |= OWNDNS_QUERY_AD;
	if (s->ignore_tc)
		flags |= OWNDNS_QUERY_NO_TCP_RETRY;
	/* As in dig, +subnet keeps EDNS on even after +noedns. */
	if (s->edns || s->subnet) {
		flags |= OWNDNS_QUERY_EDNS;
		if (s->dnssec)
			flags |= OWNDNS_QUERY_DO;
		if (s->cookie)
			flags |= OWNDNS_QUERY_COOKIE;
		if (s->nsid)
			flags |= OWNDNS_QUERY_NSID;
	}
	return flags;
}

static void keep_family(owndns_client_options *co, int family)
{
	unsigned kept = 0;
	if (family == AF_UNSPEC)
		return;
	for (unsigned i = 0; i < co->server_count; i++)
		if (co->servers[i].family == family)
			co->servers[kept++] = co->servers[i];
	co->server_count = kept;
}

/* Returns an exit status; on failure, the line for stderr is in err. */
static int client_options_for(const query_settings *s, owndns_client_options *co, char *err,
			      size_t err_size)
{
	owndns_client_options_init(co);
	if (s->server_count == 0) {
		int rc = owndns_client_options_load_resolv_conf(co, NULL);
		if (rc < 0) {
			snprintf(err, err_size, ";; cannot read " OWNDNS_RESOLV_DEFAULT_PATH ": %s",
				 owndns_client_strerror(rc));
			return QUERY_EXIT_INTERNAL;
		}
		if (s->port > 0)
			for (unsigned i = 0; i < co->server_count; i++)
				co->servers[i].port = (uint16_t)s->port;
	}
	for (unsigned i = 0; i < s->server_count; i++) {
		uint16_t port = s->port > 0 ? (uint16_t)s->port : OWNDNS_DNS_PORT;
		owndns_server_addr *a = &co->servers[i];
		if (owndns_server_addr_from_text(s->servers[i], port, a) != OWNDNS_OK) {
			snprintf(err, err_size, ";; bad server '%s'", s->servers[i]);
			return QUERY_EXIT_USAGE;
		}
		co->server_count = i + 1;
	}
	keep_family(co, s->family);
	if (co->server_count == 0) {
		snprintf(err, err_size, ";; no server of the address family asked for (-4/-6)");
		return QUERY_EXIT_USAGE;
	}
	/* The settings, not resolv.conf, decide (dig ignores its timeout and attempts). */
	co->timeout_ms = s->timeout_s * 1000u;
	co->tries = s->tries;
	co->flags = query_flags(s);
	co->udp_size = (uint16_t)s->bufsize;
	co->has_client_subnet = s->subnet;
	co->client_subnet = s->subnet_opt;
	return QUERY_EXIT_OK;
}

/* ---- printing -------------------------------------------------------------------------- */

static void server_host_text(const owndns_server_addr *a, char *buf, size_t size)
{
	if (!inet_ntop(a->family, a->addr, buf, (socklen_t)size))
		snprintf(buf, size, "?");
}

typedef int (*message_printer)(const owndns_msg *m, const void *ctx, char *out, size_t size);
/* Writes the printer's text to stdout, whole or in part. */
typedef void (*text_writer)(const char *text, size_t len, const query_settings *s);

static int print_full(const owndns_msg *m, const void *ctx, char *out, size_t size)
{
	return owndns_msg_to_text(m, ctx, out, size);
}

static int print_short(const owndns_msg *m, const void *ctx, char *out, size_t size)
{
	(void)ctx;
	return owndns_msg_to_short_text(m, out, size);
}

static int print_json(const owndns_msg *m, const void *ctx, char *out, size_t size)
{
	return owndns_msg_to_json(m, ctx, out, size);
}

static void write_whole(const char *text, size_t len, const query_settings *s)
{
	(void)s;
	fwrite(text, 1, len, stdout);
}

/* ---- dig's display toggles over the full text ------------------------------------------ */

/* The parts of owndns_msg_to_text's output, told apart by their heading lines. */
enum text_part { PART_HEADER, PART_OPT, PART_QUESTION, PART_ANSWER, PART_AUTHORITY,
		 PART_ADDITIONAL };

static const struct {
	const char *heading;
	enum text_part part;
} part_headings[] = {
	{ ";; OPT PSEUDOSECTION:", PART_OPT },
	{ ";; QUESTION SECTION:", PART_QUESTION },
	{ ";; ANSWER SECTION:", PART_ANSWER },
	{ ";; AUTHORITY SECTION:", PART_AUTHORITY },
	{ ";; ADDITIONAL SECTION:", PART_ADDITIONAL },
	{ ";; TSIG PSEUDOSECTION:", PART_ADDITIONAL }, /* dig shows it with +additional */
};

static bool line_is(const char *line, size_t len, const char *heading)
{
	return len == strlen(heading) && memcmp(line, heading, len) == 0;
}

static bool find_heading(const char *line, size_t len, enum text_part *part)
{
	for (size_t i = 0; i < sizeof(part_headings) / sizeof(part_headings[0]); i++) {
		if (line_is(line, len, part_headings[i].heading)) {
			*part = part_headings[i].part;
			return true;
		}
	}
	return false;
}

static bool part_shown(const query_settings *s, enum text_part part)
{
	switch (part) {
	case PART_QUESTION:
		return s->show_question;
	case PART_ANSWER:
		return s->show_answer;
	case PART_AUTHORITY:
		return s->show_authority;
	case PART_ADDITIONAL:
		return s->show_additional;
	default:
		return s->show_comments;
	}
}

/* dig's columns (BIND's master file style): a field starts at its column, or one step
 * after the previous field when that one reached past it.  Owner at 0, TTL at 24, then
 * 8 more for each field shown. */
#define COLUMN_FIRST 24
#define COLUMN_STEP 8
#define TAB_WIDTH 8
#define RR_FIELDS 4 /* owner, TTL, class, type; the RDATA is the rest */

typedef struct rr_columns {
	size_t ttl, rclass, type, rdata;
} rr_columns;

static rr_columns columns_for(const query_settings *s)
{
	rr_columns c;
	c.ttl = COLUMN_FIRST;
	c.rclass = c.ttl + (s->show_ttl ? COLUMN_STEP : 0);
	c.type = c.rclass + (s->show_class ? COLUMN_STEP : 0);
	c.rdata = c.type + COLUMN_STEP;
	/* With +nocl the question keeps its class, at the first column (as dig prints). */
	if (!s->show_class)
		c.rclass = COLUMN_FIRST;
	return c;
}

/* Moves to `target`, at least one position on: tabs for each tab stop crossed, then
 * spaces (BIND's indent(), so a single step onto a tab stop is a tab). */
static void put_column(size_t *col, size_t target)
{
	size_t from = *col;
	if (target < from + 1)
		target = from + 1;
	for (size_t tabs = target / TAB_WIDTH - from / TAB_WIDTH; tabs > 0; tabs--)
		putchar('\t');
	if (target / TAB_WIDTH > from / TAB_WIDTH)
		from = target / TAB_WIDTH * TAB_WIDTH;
	for (; from < target; from++)
		putchar(' ');
	*col = target;
}

static void put_text(size_t *col, const char *text, size_t len)
{
	fwrite(text, 1, len, stdout);
	*col += len;
}

/* BIND's TTL with units: "1w2d3h4m5s", each unit only when not zero; "0s" for 0. */
static void put_ttl_units(size_t *col, const char *ttl_text, size_t len)
{
	static const struct {
		unsigned long seconds;
		char unit;
	} units[] = { { 604800, 'w' }, { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' } };
	char buf[16], out[48];
	size_t n = 0;
	if (len == 0 || len >= sizeof(buf)) {
		put_text(col, ttl_text, len);
		return;
	}
	memcpy(buf, ttl_text, len);
	buf[len] = '\0';
	unsigned long ttl = 0;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] < '0' || buf[i] > '9') {
			put_text(col, ttl_text, len);
			return;
		}
		ttl = ttl * 10 + (unsigned long)(buf[i] - '0');
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		unsigned long count = ttl / units[i].seconds;
		ttl %= units[i].seconds;
		if (count || (units[i].unit == 's' && n == 0))
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%lu%c", count, units[i].unit);
	}
	put_text(col, out, n);
}

/* Splits off the next field: *start and *len, and the position after it. */
static size_t next_field(const char *line, size_t len, size_t pos, size_t *start, size_t *flen)
{
	while (pos < len && (line[pos] == '\t' || line[pos] == ' '))
		pos++;
	*start = pos;
	while (pos < len && line[pos] != '\t' && line[pos] != ' ')
		pos++;
	*flen = pos - *start;
	return pos;
}

/* ";name  class  type" in the columns of the settings. */
static bool put_question_line(const char *line, size_t len, const query_settings *s)
{
	rr_columns c = columns_for(s);
	size_t start[3], flen[3], pos = 0, col = 0;
	for (int i = 0; i < 3; i++)
		pos = next_field(line, len, pos, &start[i], &flen[i]);
	if (flen[2] == 0 || pos != len || line[start[0]] != ';')
		return false;
	/* dig counts the columns of the question without its ';' */
	fputc(';', stdout);
	put_text(&col, line + start[0] + 1, flen[0] - 1);
	put_column(&col, c.rclass);
	put_text(&col, line + start[1], flen[1]);
	put_column(&col, c.type);
	put_text(&col, line + start[2], flen[2]);
	putchar('\n');
	return true;
}

/* "owner TTL class type rdata" with the fields and columns of the settings. */
static bool put_rr_line(const char *line, size_t len, const query_settings *s)
{
	rr_columns c = columns_for(s);
	size_t start[RR_FIELDS], flen[RR_FIELDS], pos = 0, col = 0;
	for (int i = 0; i < RR_FIELDS; i++)
		pos = next_field(line, len, pos, &start[i], &flen[i]);
	if (flen[RR_FIELDS - 1] == 0)
		return false;
	size_t rdata = pos;
	while (rdata < len && (line[rdata] == '\t' || line[rdata] == ' '))
		rdata++;
	put_text(&col, line + start[0], flen[0]);
	if (s->show_ttl) {
		put_column(&col, c.ttl);
		if (s->ttl_units)
			put_ttl_units(&col, line + start[1], flen[1]);
		else
			put_text(&col, line + start[1], flen[1]);
	}
	if (s->show_class) {
		put_column(&col, c.rclass);
		put_text(&col, line + start[2], flen[2]);
	}
	put_column(&col, c.type);
	put_text(&col, line + start[3], flen[3]);
	if (pos < len) {
		put_column(&col, c.rdata);
		put_text(&col, line + rdata, len - rdata);
	}
	putchar('\n');
	return true;
}

static bool columns_changed(const query_settings *s)
{
	return !s->show_ttl || !s->show_class || s->ttl_units;
}

static void put_content_line(const char *line, size_t len, enum text_part part,
			     const query_settings *s)
{
	bool done = false;
	if (columns_changed(s) && part == PART_QUESTION)
		done = put_question_line(line, len, s);
	else if (columns_changed(s) && part >= PART_ANSWER)
		done = put_rr_line(line, len, s);
	if (!done) {
		fwrite(line, 1, len, stdout);
		putchar('\n');
	}
}

/* The full text with dig's toggles: headings, blank lines, the header and the OPT
 * pseudo-section are comments; each section's records follow its own toggle. */
static void write_sections(const char *text, size_t len, const query_settings *s)
{
	enum text_part part = PART_HEADER;
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *line = text + pos;
		size_t line_len = end - pos;
		pos = nl ? end + 1 : len;
		if (find_heading(line, line_len, &part) || line_len == 0) {
			if (s->show_comments && part_shown(s, part)) {
				fwrite(line, 1, line_len, stdout);
				putchar('\n');
			}
			continue;
		}
		if (part_shown(s, part))
			put_content_line(line, line_len, part, s);
	}
}

/* Runs a printer with a buffer that grows until the text fits, and writes it out. */
static int print_message(const owndns_msg *m, message_printer printer, const void *ctx,
			 text_writer writer, const query_settings *s)
{
	for (size_t size = QUERY_TEXT_START; size <= QUERY_TEXT_LIMIT; size *= 2) {
		char *text = malloc(size);
		if (!text)
			return OWNDNS_ENOMEM;
		int n = printer(m, ctx, text, size);
		if (n >= 0)
			writer(text, (size_t)n, s);
		free(text);
		if (n != OWNDNS_ESPACE)
			return n < 0 ? n : OWNDNS_OK;
	}
	return OWNDNS_ESPACE;
}

static void print_when(void)
{
	char when[64];
	time_t now = time(NULL);
	struct tm tm;
	if (localtime_r(&now, &tm) && strftime(when, sizeof(when), "%a %b %d %H:%M:%S %Z %Y", &tm))
		printf(";; WHEN: %s\n", when);
}

static int print_response(const query_settings *s, const owndns_response *r)
{
	char host[INET6_ADDRSTRLEN];
	server_host_text(&r->server, host, sizeof(host));
	if (s->short_form)
		return print_message(&r->msg, print_short, NULL, write_whole, s);
	if (s->json) {
		owndns_msg_json_meta meta = { host, r->server.port, r->tcp ? "tcp" : "udp",
					      (long)r->rtt_ms };
		return print_message(&r->msg, print_json, &meta, write_whole, s);
	}

	/* The transaction drops responses whose client cookie is not ours (RFC 7873 §5.3),
	 * so a cookie that arrives carries ours: the printer can call it good or echoed. */
	owndns_msg_text_options opt = { NULL };
	owndns_edns e;
	owndns_edns_option cookie;
	if ((s->edns || s->subnet) && s->cookie && owndns_edns_from_msg(&r->msg, &e) == OWNDNS_OK &&
	    owndns_edns_find_option(&e, OWNDNS_EDNS_COOKIE, &cookie) == OWNDNS_OK &&
	    cookie.len >= OWNDNS_COOKIE_CLIENT_LEN)
		opt.client_cookie = cookie.data;

	if (s->show_comments)
		printf(";; Got answer:\n");
	int rc = print_message(&r->msg, print_full, &opt, write_sections, s);
	if (rc < 0 || !s->show_stats)
		return rc;
	printf(";; Query time: %u msec\n", r->rtt_ms);
	printf(";; SERVER: %s#%u(%s) (%s)\n", host, r->server.port, host, r->tcp ? "TCP" : "UDP");
	print_when();
	printf(";; MSG SIZE  rcvd: %zu\n\n", r->len);
	return OWNDNS_OK;
}

/* What the run prints once: dig's +cmd lines. */
typedef struct query_run_state {
	const query_plan *plan;
	const char *cmdline;
	bool banner_pending;
} query_run_state;

/* dig's +cmd lines, once before the first response printed in full, or before the
 * verdict of a run that the network refused (a run that only times out prints nothing
 * on stdout; `even_short`: also with +short after a name, as dig does when refused):
 * the version and command line, the number of servers given with @ (dig's count of
 * their addresses) and the global options, which dig always shows as +cmd. */
static void print_banner(query_run_state *run, bool even_short)
{
	const query_plan *p = run->plan;
	const query_settings *g = &p->global;
	unsigned servers = g->server_count;
	if (!run->banner_pending || (g->short_form && !even_short) || g->json)
		return;
	run->banner_pending = false;
	for (size_t i = 0; i < p->count && servers == 0; i++)
		servers = p->questions[i].settings.server_count;
	printf("\n; <<>> owndns query " OWNDNS_VERSION " <<>> %s\n", run->cmdline);
	if (servers)
		printf("; (%u server%s found)\n", servers, servers == 1 ? "" : "s");
	printf(";; global options: +cmd\n");
}

/* ---- one question -------------------------------------------------------------------- */

static int failure_exit(int status, const owndns_client_options *co, char *err, size_t err_size)
{
	char host[INET6_ADDRSTRLEN];
	switch (status) {
	case OWNDNS_CLIENT_ETIMEOUT:
		if (co->server_count == 1) {
			server_host_text(&co->servers[0], host, sizeof(host));
			snprintf(err, err_size, ";; communications error to %s#%u: timed out; no servers could be reached",
				 host, co->servers[0].port);
		} else {
			snprintf(err, err_size, ";; connection timed out; no servers could be reached");
		}
		return QUERY_EXIT_NO_REPLY;
	case OWNDNS_CLIENT_ENOSERVER:
	case OWNDNS_CLIENT_ESOCKET:
	case OWNDNS_CLIENT_ECONNREFUSED:
	case OWNDNS_CLIENT_EUNREACHABLE:
		snprintf(err, err_size, ";; %s; no servers could be reached",
			 owndns_client_strerror(status));
		return QUERY_EXIT_NO_REPLY;
	default:
		snprintf(err, err_size, ";; %s", owndns_client_strerror(status));
		return QUERY_EXIT_INTERNAL;
	}
}

/* dig's words (BIND's result texts) for the errors that end a try at once. */
static const char *try_error_text(int error)
{
	switch (error) {
	case ECONNREFUSED:
		return "connection refused";
	case EHOSTUNREACH:
		return "host unreachable";
	case ENETUNREACH:
		return "network unreachable";
	case EHOSTDOWN:
		return "host down";
	case ENETDOWN:
		return "network down";
	default:
		return strerror(error);
	}
}

static bool ended_on_try_error(int status, const owndns_response *r)
{
	return r->try_error_count > 0 &&
	       (status == OWNDNS_CLIENT_ECONNREFUSED || status == OWNDNS_CLIENT_EUNREACHABLE ||
		status == OWNDNS_CLIENT_ESOCKET);
}

/* dig ends a failed TCP try with "no servers could be reached", but for the one after
 * which it moves on to another server. */
static bool moves_to_other_server(const owndns_response *r, unsigned i, unsigned n)
{
	const owndns_server_addr *now = &r->try_errors[i].addr;
	if (i + 1 < n)
		return !owndns_server_addr_equal(&r->try_errors[i + 1].addr, now);
	return r->packet && !owndns_server_addr_equal(&r->server, now);
}

/* dig's line for each try that ended on an error, as it goes; +json keeps stdout for
 * JSON, so they go to stderr there. */
static void print_try_errors(const query_question *q, const owndns_response *r)
{
	FILE *out = q->settings.json ? stderr : stdout;
	unsigned n = r->try_error_count < OWNDNS_TRY_ERRORS_MAX ? r->try_error_count
							       : OWNDNS_TRY_ERRORS_MAX;
	char host[INET6_ADDRSTRLEN];
	for (unsigned i = 0; i < n; i++) {
		const owndns_try_error *e = &r->try_errors[i];
		server_host_text(&e->addr, host, sizeof(host));
		if (e->tcp) {
			fprintf(out, ";; Connection to %s#%u(%s) for %s failed: %s.\n", host,
				e->addr.port, host, q->name, try_error_text(e->error));
			if (!moves_to_other_server(r, i, n))
				fprintf(out, ";; no servers could be reached\n");
		} else {
			fprintf(out, ";; communications error to %s#%u: %s\n", host, e->addr.port,
				try_error_text(e->error));
		}
	}
}

/* No server answered and the last try ended on an error of the network: as dig, all
 * on stdout (+json: stderr).  After UDP tries dig shows its +cmd lines, even with
 * +short, then the verdict; after TCP ones the lines of print_try_errors said it all. */
static int print_unreachable(query_run_state *run, const query_question *q,
			     const owndns_response *r)
{
	unsigned last = r->try_error_count < OWNDNS_TRY_ERRORS_MAX ? r->try_error_count
								  : OWNDNS_TRY_ERRORS_MAX;
	if (q->settings.json) {
		fprintf(stderr, ";; no servers could be reached\n");
		return QUERY_EXIT_NO_REPLY;
	}
	if (!r->try_errors[last - 1].tcp) {
		print_banner(run, true);
		printf(";; no servers could be reached\n");
	}
	return QUERY_EXIT_NO_REPLY;
}

static bool failure_with_answer(int status)
{
	return status == OWNDNS_CLIENT_ESERVFAIL || status == OWNDNS_CLIENT_EREFUSED ||
	       status == OWNDNS_CLIENT_ENOTIMP || status == OWNDNS_CLIENT_EFORMERR;
}

static int ask_question(query_run_state *run, const query_question *q)
{
	char err[512];
	owndns_client_options co;
	owndns_response resp;
	int exit_status = client_options_for(&q->settings, &co, err, sizeof(err));
	if (exit_status != QUERY_EXIT_OK) {
		fprintf(stderr, "%s\n", err);
		return exit_status;
	}
	int status = owndns_resolve(&co, q->name, q->type, q->rclass, &resp);
	print_try_errors(q, &resp);
	if (status == OWNDNS_OK || (failure_with_answer(status) && resp.packet)) {
		print_banner(run, false);
		int rc = print_response(&q->settings, &resp);
		fflush(stdout);
		if (rc < 0) {
			fprintf(stderr, ";; cannot print the response: %s\n", owndns_strerror(rc));
			exit_status = QUERY_EXIT_INTERNAL;
		}
	} else if (ended_on_try_error(status, &resp)) {
		exit_status = print_unreachable(run, q, &resp);
	} else {
		exit_status = failure_exit(status, &co, err, sizeof(err));
		fflush(stdout);
		fprintf(stderr, "%s\n", err);
	}
	owndns_response_free(&resp);
	return exit_status;
}

/* ---- the command ------------------------------------------------------------------------ */

/* The command line as dig echoes it: key=value pairs given there, then the dig-style
 * arguments in order. */
static void describe_command_line(const options *opts, char *buf, size_t size)
{
	text_buf t;
	char where[64];
	text_buf_init(&t, buf, size);
	for (const option_spec *s = query_keys; s->name; s++) {
		if (strcmp(s->name, QUERY_ARG_KEY) == 0)
			continue;
		for (size_t i = 0; i < options_count(opts, s->name); i++) {
			options_where(opts, s->name, i, where, sizeof(where));
			if (strcmp(where, "command line") == 0)
				text_buf_printf(&t, "%s%s=%s", t.len ? " " : "", s->name,
						options_get_nth(opts, s->name, i));
		}
	}
	for (size_t i = 0; i < options_count(opts, QUERY_ARG_KEY); i++)
		text_buf_printf(&t, "%s%s", t.len ? " " : "", options_get_nth(opts, QUERY_ARG_KEY, i));
}

static int build_plan(const options *opts, query_plan *plan)
{
	char err[512];
	size_t nargs = options_count(opts, QUERY_ARG_KEY);
	const char **args = calloc(nargs + 1, sizeof(*args));
	int rc = -1;
	if (!args) {
		fprintf(stderr, ";; out of memory\n");
		return QUERY_EXIT_INTERNAL;
	}
	for (size_t i = 0; i < nargs; i++)
		args[i] = options_get_nth(opts, QUERY_ARG_KEY, i);
	if (query_plan_init(plan, opts, err, sizeof(err)) == 0 &&
	    query_plan_add_args(plan, args, nargs, err, sizeof(err)) == 0 &&
	    query_plan_finish(plan, err, sizeof(err)) == 0)
		rc = 0;
	free(args);
	if (rc) {
		fprintf(stderr, "owndns query: %s\n", err);
		return QUERY_EXIT_USAGE;
	}
	return QUERY_EXIT_OK;
}

static int query_run(const options *opts)
{
	query_plan plan = { 0 };
	char cmdline[2048];
	int exit_status = build_plan(opts, &plan);
	if (exit_status != QUERY_EXIT_OK) {
		query_plan_free(&plan);
		return exit_status;
	}
	describe_command_line(opts, cmdline, sizeof(cmdline));
	query_run_state run = { &plan, cmdline, plan.global.show_cmd };
	for (size_t i = 0; i < plan.count; i++) {
		int rc = ask_question(&run, &plan.questions[i]);
		if (rc != QUERY_EXIT_OK)
			exit_status = rc;
	}
	query_plan_free(&plan);
	return exit_status;
}

/* dig-style arguments (@server, +short, a name …) go to arg= in order. */
static const char *const query_positional[] = { QUERY_ARG_KEY, NULL };

const subcommand subcommand_query = {
	.name = "query",
	.summary = "ask a DNS server a question and print the response like dig",
	.description = "Asks each question and prints the response the way dig 9.18 does (or +short, or\n"
	"+json: one JSON object per response).  dig's habits work too:\n"
	"  owndns query example.com MX @192.0.2.53 -p 5353 +tcp +dnssec +short\n"
	"  owndns query -x 192.0.2.1      owndns query a.example b.example AAAA +norecurse\n"
	"  owndns query example.com +noall +answer +nottlid +nocl      (+[no]question,\n"
	"  +[no]authority, +[no]additional, +[no]comments, +[no]stats, +[no]cmd, +ttlunits)\n"
	"Options after a name apply to that question only.  dig options that owndns does\n"
	"not have (+trace, +multiline, -b ...) are usage errors.  Exit status: 0 response\n"
	"received (any rcode), 1 usage error, 9 no reply, 10 internal or malformed replies.",
	.keys = query_keys,
	.run = query_run,
	.positional = query_positional,
};
