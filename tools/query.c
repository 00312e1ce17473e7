/* owndns query: the dig-like client.  Takes key=value options and dig's habits
 * (query_args.c), asks each question with owndns_resolve and prints the response as dig
 * 9.18 does (lib/msg_text.c), as +short lines or as one JSON object per response.
 *
 * Exit status, like dig's: 0 when every question got a response (whatever its rcode),
 * 1 usage error, 9 no reply from any server, 10 internal error or only malformed
 * responses.  With several questions, the status of the last one that failed.  Every
 * failure writes one line to stderr: usage errors as "owndns query: ..." (like the
 * option parser's), failures of a question in dig's style starting with ";; ", e.g.
 * ";; connection timed out; no servers could be reached". */
#include <arpa/inet.h>
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
	if (s->edns) {
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
	return QUERY_EXIT_OK;
}

/* ---- printing -------------------------------------------------------------------------- */

static void server_host_text(const owndns_server_addr *a, char *buf, size_t size)
{
	if (!inet_ntop(a->family, a->addr, buf, (socklen_t)size))
		snprintf(buf, size, "?");
}

typedef int (*message_printer)(const owndns_msg *m, const void *ctx, char *out, size_t size);

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

/* Runs a printer with a buffer that grows until the text fits, and writes it out. */
static int print_message(const owndns_msg *m, message_printer printer, const void *ctx)
{
	for (size_t size = QUERY_TEXT_START; size <= QUERY_TEXT_LIMIT; size *= 2) {
		char *text = malloc(size);
		if (!text)
			return OWNDNS_ENOMEM;
		int n = printer(m, ctx, text, size);
		if (n >= 0)
			fwrite(text, 1, (size_t)n, stdout);
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

static int print_response(const query_settings *s, const owndns_response *r,
			  const char *cmdline)
{
	char host[INET6_ADDRSTRLEN];
	server_host_text(&r->server, host, sizeof(host));
	if (s->short_form)
		return print_message(&r->msg, print_short, NULL);
	if (s->json) {
		owndns_msg_json_meta meta = { host, r->server.port, r->tcp ? "tcp" : "udp",
					      (long)r->rtt_ms };
		return print_message(&r->msg, print_json, &meta);
	}

	/* The transaction drops responses whose client cookie is not ours (RFC 7873 §5.3),
	 * so a cookie that arrives carries ours: the printer can call it good or echoed. */
	owndns_msg_text_options opt = { NULL };
	owndns_edns e;
	owndns_edns_option cookie;
	if (s->edns && s->cookie && owndns_edns_from_msg(&r->msg, &e) == OWNDNS_OK &&
	    owndns_edns_find_option(&e, OWNDNS_EDNS_COOKIE, &cookie) == OWNDNS_OK &&
	    cookie.len >= OWNDNS_COOKIE_CLIENT_LEN)
		opt.client_cookie = cookie.data;

	printf("\n; <<>> owndns query " OWNDNS_VERSION " <<>> %s\n", cmdline);
	printf(";; Got answer:\n");
	int rc = print_message(&r->msg, print_full, &opt);
	if (rc < 0)
		return rc;
	printf(";; Query time: %u msec\n", r->rtt_ms);
	printf(";; SERVER: %s#%u(%s) (%s)\n", host, r->server.port, host, r->tcp ? "TCP" : "UDP");
	print_when();
	printf(";; MSG SIZE  rcvd: %zu\n\n", r->len);
	return OWNDNS_OK;
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
		snprintf(err, err_size, ";; %s; no servers could be reached",
			 owndns_client_strerror(status));
		return QUERY_EXIT_NO_REPLY;
	default:
		snprintf(err, err_size, ";; %s", owndns_client_strerror(status));
		return QUERY_EXIT_INTERNAL;
	}
}

static bool failure_with_answer(int status)
{
	return status == OWNDNS_CLIENT_ESERVFAIL || status == OWNDNS_CLIENT_EREFUSED ||
	       status == OWNDNS_CLIENT_ENOTIMP || status == OWNDNS_CLIENT_EFORMERR;
}

static int ask_question(const query_question *q, const char *cmdline)
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
	if (status == OWNDNS_OK || (failure_with_answer(status) && resp.packet)) {
		int rc = print_response(&q->settings, &resp, cmdline);
		fflush(stdout);
		if (rc < 0) {
			fprintf(stderr, ";; cannot print the response: %s\n", owndns_strerror(rc));
			exit_status = QUERY_EXIT_INTERNAL;
		}
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
	for (size_t i = 0; i < plan.count; i++) {
		int rc = ask_question(&plan.questions[i], cmdline);
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
	"Options after a name apply to that question only.  Exit status: 0 response\n"
	"received (any rcode), 1 usage error, 9 no reply, 10 internal or malformed replies.",
	.keys = query_keys,
	.run = query_run,
	.positional = query_positional,
};
