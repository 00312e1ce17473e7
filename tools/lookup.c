/* owndns lookup: names to addresses, like `host` or `getent ahosts`.  Each name goes
 * through owndns_gethostbyname (A and AAAA at once, CNAME chains inside the answer, the
 * resolv.conf search list and ndots) and its addresses are printed as `host` prints
 * them (doc/query-json.md describes both forms):
 *   alias.example.test is an alias for www.example.test.
 *   www.example.test has address 192.0.2.1
 *   www.example.test has IPv6 address 2001:db8::1
 * or, with json=yes, as one JSON object per name, one per line.
 *
 * Exit status: 0 every name has an address, 1 usage error, 2 some name has none
 * (NXDOMAIN, NODATA, a looping CNAME chain), 9 no server gave a usable answer
 * (timeout, SERVFAIL, REFUSED, only malformed replies, no socket), 10 internal error.
 * With several names, the highest of them.  Every failing name writes one line to
 * stderr: "owndns lookup: NAME: reason". */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <owndns/client.h>
#include <owndns/name.h>

#include "subcommand.h"
#include "text_buf.h"

enum lookup_exit {
	LOOKUP_EXIT_OK = 0,
	LOOKUP_EXIT_USAGE = 1,
	LOOKUP_EXIT_NO_ADDRESS = 2,
	LOOKUP_EXIT_NO_ANSWER = 9,
	LOOKUP_EXIT_INTERNAL = 10,
};

/* One name's output: the longest name text escaped for JSON (6 octets per octet at
 * worst), twice, plus OWNDNS_HOST_ADDR_MAX address lines, fits with room to spare. */
#define LOOKUP_OUTPUT_MAX (32 * 1024)

static const option_spec lookup_keys[] = {
	{ .name = "name", .type = OPTION_NAME, .repeatable = true,
	  .help = "name to look up (also: any bare word); without a trailing dot the search list applies" },
	{ .name = "family", .type = OPTION_CHOICE, .def = "any", .choices = "any|ipv4|ipv6",
	  .help = "addresses wanted: any (A and AAAA), ipv4 (A only) or ipv6 (AAAA only)" },
	{ .name = "server", .type = OPTION_STRING, .repeatable = true,
	  .help = "server ADDR or ADDR@PORT, in place of resolv.conf's nameservers" },
	{ .name = "resolv-conf", .type = OPTION_PATH, .def = OWNDNS_RESOLV_DEFAULT_PATH,
	  .help = "file giving nameservers, search list, ndots, timeout and attempts" },
	{ .name = "timeout", .type = OPTION_INT, .min = 1, .max = 300,
	  .help = "seconds to wait for each try (default: resolv.conf's timeout, 5)" },
	{ .name = "tries", .type = OPTION_INT, .min = 1, .max = 20,
	  .help = "rounds over the servers (default: resolv.conf's attempts, 2)" },
	{ .name = "tcp", .type = OPTION_BOOL,
	  .help = "ask over TCP only (default: no, unless resolv.conf says use-vc)" },
	{ .name = "json", .type = OPTION_BOOL, .def = "no",
	  .help = "print one JSON object per name instead of host-style lines" },
	OPTION_SPEC_END
};

/* ---- outcomes --------------------------------------------------------------------- */

/* What a status of owndns_gethostbyname means for the user: the word in the JSON
 * "status" field, the stderr reason (NULL: owndns_client_strerror) and the exit status. */
typedef struct lookup_outcome {
	int status;
	const char *word;
	const char *reason;
	int exit_status;
} lookup_outcome;

static const lookup_outcome lookup_outcomes[] = {
	{ OWNDNS_OK, "ok", NULL, LOOKUP_EXIT_OK },
	{ OWNDNS_CLIENT_ENXDOMAIN, "nxdomain", "no such name", LOOKUP_EXIT_NO_ADDRESS },
	{ OWNDNS_CLIENT_ENODATA, "nodata", NULL /* by family */, LOOKUP_EXIT_NO_ADDRESS },
	{ OWNDNS_CLIENT_ECNAME, "cname-loop", "CNAME chain too long or looping", LOOKUP_EXIT_NO_ADDRESS },
	{ OWNDNS_ENAME_LONG, "name-too-long", "name too long", LOOKUP_EXIT_NO_ADDRESS },
	{ OWNDNS_CLIENT_ETIMEOUT, "timeout", "no server answered (timed out)", LOOKUP_EXIT_NO_ANSWER },
	{ OWNDNS_CLIENT_ECONNREFUSED, "connection-refused", "no server answered (connection refused)", LOOKUP_EXIT_NO_ANSWER },
	{ OWNDNS_CLIENT_EUNREACHABLE, "unreachable", "no server answered (host or network unreachable)", LOOKUP_EXIT_NO_ANSWER },
	{ OWNDNS_CLIENT_ESERVFAIL, "servfail", "server failure (SERVFAIL)", LOOKUP_EXIT_NO_ANSWER },
	{ OWNDNS_CLIENT_EREFUSED, "refused", "query refused (REFUSED)", LOOKUP_EXIT_NO_ANSWER },
	{ OWNDNS_CLIENT_ENOTIMP, "notimp", "query not implemented (NOTIMP)", LOOKUP_EXIT_NO_ANSWER },
	{ OWNDNS_CLIENT_EFORMERR, "formerr", "format error (FORMERR)", LOOKUP_EXIT_NO_ANSWER },
	{ OWNDNS_CLIENT_EMALFORMED, "malformed", "only malformed responses", LOOKUP_EXIT_NO_ANSWER },
	{ OWNDNS_CLIENT_ENOSERVER, "no-server", "no server to ask", LOOKUP_EXIT_NO_ANSWER },
	{ OWNDNS_CLIENT_ESOCKET, "socket-error", NULL, LOOKUP_EXIT_NO_ANSWER },
};

static const lookup_outcome lookup_internal_error = { 0, "error", NULL, LOOKUP_EXIT_INTERNAL };

static const lookup_outcome *find_outcome(int status)
{
	for (size_t i = 0; i < sizeof(lookup_outcomes) / sizeof(lookup_outcomes[0]); i++)
		if (lookup_outcomes[i].status == status)
			return &lookup_outcomes[i];
	return &lookup_internal_error;
}

static const char *outcome_reason(const lookup_outcome *o, int status, int family)
{
	if (o->reason)
		return o->reason;
	if (status == OWNDNS_CLIENT_ENODATA)
		return family == AF_INET ? "no IPv4 address" :
		       family == AF_INET6 ? "no IPv6 address" : "no address";
	return owndns_client_strerror(status);
}

/* ---- settings ---------------------------------------------------------------------- */

typedef struct lookup_settings {
	owndns_client_options client;
	int family;
	bool json;
} lookup_settings;

static int family_from_word(const char *word)
{
	if (strcmp(word, "ipv4") == 0)
		return AF_INET;
	if (strcmp(word, "ipv6") == 0)
		return AF_INET6;
	return AF_UNSPEC;
}

static bool given_on_purpose(const options *opts, const char *key)
{
	char where[64];
	return strcmp(options_where(opts, key, 0, where, sizeof(where)), "default") != 0;
}

/* resolv.conf gives servers, search list, ndots, timeout and attempts; a missing
 * /etc/resolv.conf means the glibc defaults, but a file named on purpose must exist. */
static int load_resolv_conf(const options *opts, owndns_client_options *co, char *err,
			    size_t err_size)
{
	const char *path = options_get(opts, "resolv-conf");
	if (given_on_purpose(opts, "resolv-conf") && access(path, R_OK) != 0) {
		snprintf(err, err_size, "cannot read resolv-conf=%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = owndns_client_options_load_resolv_conf(co, path);
	if (rc < 0) {
		snprintf(err, err_size, "cannot read resolv-conf=%s: %s", path,
			 owndns_client_strerror(rc));
		return -1;
	}
	return 0;
}

static int take_servers(const options *opts, owndns_client_options *co, char *err,
			size_t err_size)
{
	size_t count = options_count(opts, "server");
	if (count == 0)
		return 0;
	co->server_count = 0;
	for (size_t i = 0; i < count; i++) {
		const char *text = options_get_nth(opts, "server", i);
		int rc = owndns_client_options_add_server(co, text);
		if (rc == OWNDNS_ESPACE) {
			snprintf(err, err_size, "too many servers (at most %d) at server=%s",
				 OWNDNS_CLIENT_MAX_SERVERS, text);
			return -1;
		}
		if (rc < 0) {
			snprintf(err, err_size, "bad server '%s': expected ADDR or ADDR@PORT", text);
			return -1;
		}
	}
	return 0;
}

static int settings_from_options(const options *opts, lookup_settings *s, char *err,
				 size_t err_size)
{
	owndns_client_options *co = &s->client;

	owndns_client_options_init(co);
	if (load_resolv_conf(opts, co, err, err_size) || take_servers(opts, co, err, err_size))
		return -1;
	if (options_get(opts, "timeout"))
		co->timeout_ms = (uint32_t)options_get_int(opts, "timeout", 5) * 1000u;
	if (options_get(opts, "tries"))
		co->tries = (unsigned)options_get_int(opts, "tries", 2);
	if (options_get(opts, "tcp")) {
		if (options_get_bool(opts, "tcp", false))
			co->flags |= OWNDNS_QUERY_TCP;
		else
			co->flags &= ~OWNDNS_QUERY_TCP;
	}
	s->family = family_from_word(options_get(opts, "family"));
	s->json = options_get_bool(opts, "json", false);
	if (options_count(opts, "name") == 0) {
		snprintf(err, err_size, "no name to look up (owndns lookup NAME...)");
		return -1;
	}
	return 0;
}

/* ---- the name asked and the end of its CNAME chain -------------------------------- */

/* A trailing dot ends the name unless a backslash escapes it ("a\." is relative,
 * "a\\." absolute): count the backslashes before it. */
static bool is_absolute_text(const char *name)
{
	size_t len = strlen(name), backslashes = 0;
	if (len == 0 || name[len - 1] != '.')
		return false;
	while (backslashes < len - 1 && name[len - 2 - backslashes] == '\\')
		backslashes++;
	return backslashes % 2 == 0;
}

static bool text_names(const char *name, const uint8_t *origin, const uint8_t *wire)
{
	uint8_t candidate[OWNDNS_NAME_MAX];
	size_t len;
	return owndns_name_from_text(name, strlen(name), origin, candidate, &len) == OWNDNS_OK &&
	       owndns_name_equal(candidate, wire);
}

/* True when no CNAME was followed: the end of the chain is one of the names asked.
 * owndns_host_result does not say which search candidate answered, so every candidate
 * is compared (the name as is, and under each search domain). */
static bool is_asked_name(const owndns_client_options *co, const char *name,
			  const uint8_t *canonical)
{
	if (text_names(name, NULL, canonical))
		return true;
	if (is_absolute_text(name))
		return false;
	for (unsigned i = 0; i < co->search_count; i++)
		if (text_names(name, co->search[i], canonical))
			return true;
	return false;
}

/* ---- printing ---------------------------------------------------------------------- */

/* `host` writes names without the final dot, the root as "." (alias targets keep it). */
static void name_text(const uint8_t *wire, bool keep_dot, char *out, size_t size)
{
	int n = owndns_name_to_text(wire, out, size);
	if (!keep_dot && n > 1 && out[n - 1] == '.')
		out[n - 1] = '\0';
}

/* The left side of "X is an alias for Y.": the name made absolute when it was the only
 * candidate; with a search list owndns cannot tell which domain answered, so the name
 * as given. */
static void alias_source_text(const owndns_client_options *co, const char *name, char *out,
			      size_t size)
{
	uint8_t wire[OWNDNS_NAME_MAX];
	size_t len;
	if ((is_absolute_text(name) || co->search_count == 0) &&
	    owndns_name_from_text(name, strlen(name), NULL, wire, &len) == OWNDNS_OK)
		name_text(wire, false, out, size);
	else
		snprintf(out, size, "%s", name);
}

static void address_text(const owndns_host_addr *a, char *out, size_t size)
{
	if (!inet_ntop(a->family, a->addr, out, (socklen_t)size))
		snprintf(out, size, "?");
}

static void print_host_lines(text_buf *t, const lookup_settings *s, const char *name,
			     const owndns_host_result *res)
{
	char owner[OWNDNS_NAME_TEXT_MAX], text[OWNDNS_NAME_TEXT_MAX];
	char addr[INET6_ADDRSTRLEN];

	if (!is_asked_name(&s->client, name, res->canonical)) {
		alias_source_text(&s->client, name, text, sizeof(text));
		name_text(res->canonical, true, owner, sizeof(owner));
		text_buf_printf(t, "%s is an alias for %s\n", text, owner);
	}
	name_text(res->canonical, false, owner, sizeof(owner));
	for (unsigned i = 0; i < res->count; i++) {
		address_text(&res->addrs[i], addr, sizeof(addr));
		text_buf_printf(t, "%s has %saddress %s\n", owner,
				res->addrs[i].family == AF_INET6 ? "IPv6 " : "", addr);
	}
}

/* RFC 8259 §7 string; control characters and octets outside ASCII as \u00XX of the
 * octet, as owndns query's JSON does, so the output stays ASCII. */
static void json_string(text_buf *t, const char *s)
{
	text_buf_putc(t, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			text_buf_printf(t, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			text_buf_printf(t, "\\u%04x", *p);
		else
			text_buf_putc(t, (char)*p);
	}
	text_buf_putc(t, '"');
}

static void json_addresses(text_buf *t, const owndns_host_result *res)
{
	char addr[INET6_ADDRSTRLEN];

	text_buf_putc(t, '[');
	for (unsigned i = 0; i < res->count; i++) {
		address_text(&res->addrs[i], addr, sizeof(addr));
		text_buf_printf(t, "%s{\"family\":\"%s\",\"address\":\"%s\"}", i ? "," : "",
				res->addrs[i].family == AF_INET6 ? "ipv6" : "ipv4", addr);
	}
	text_buf_putc(t, ']');
}

static void print_json_object(text_buf *t, const lookup_settings *s, const char *name,
			      int status, const owndns_host_result *res)
{
	const lookup_outcome *o = find_outcome(status);
	char canonical[OWNDNS_NAME_TEXT_MAX];

	text_buf_puts(t, "{\"name\":");
	json_string(t, name);
	text_buf_printf(t, ",\"status\":\"%s\",\"error\":", o->word);
	if (status == OWNDNS_OK)
		text_buf_puts(t, "null");
	else
		json_string(t, outcome_reason(o, status, s->family));
	text_buf_puts(t, ",\"canonical\":");
	if (status == OWNDNS_OK) {
		name_text(res->canonical, true, canonical, sizeof(canonical));
		json_string(t, canonical);
		text_buf_printf(t, ",\"alias\":%s,\"addresses\":",
				is_asked_name(&s->client, name, res->canonical) ? "false" : "true");
		json_addresses(t, res);
	} else {
		text_buf_puts(t, "null,\"alias\":false,\"addresses\":[]");
	}
	text_buf_puts(t, "}\n");
}

/* ---- one name ---------------------------------------------------------------------- */

static int lookup_name(const lookup_settings *s, const char *name, char *out)
{
	owndns_host_result res;
	text_buf t;
	int status = owndns_gethostbyname(&s->client, name, s->family, &res);
	const lookup_outcome *o = find_outcome(status);

	text_buf_init(&t, out, LOOKUP_OUTPUT_MAX);
	if (s->json)
		print_json_object(&t, s, name, status, &res);
	else if (status == OWNDNS_OK)
		print_host_lines(&t, s, name, &res);
	if (text_buf_result(&t) < 0) {
		fprintf(stderr, "owndns lookup: %s: output too long\n", name);
		return LOOKUP_EXIT_INTERNAL;
	}
	fwrite(t.data, 1, t.len, stdout);
	if (status != OWNDNS_OK) {
		fflush(stdout);
		fprintf(stderr, "owndns lookup: %s: %s\n", name,
			outcome_reason(o, status, s->family));
	}
	return o->exit_status;
}

static int lookup_run(const options *opts)
{
	lookup_settings s;
	char err[512];

	if (settings_from_options(opts, &s, err, sizeof(err))) {
		fprintf(stderr, "owndns lookup: %s\n", err);
		return LOOKUP_EXIT_USAGE;
	}
	char *out = malloc(LOOKUP_OUTPUT_MAX);
	if (!out) {
		fprintf(stderr, "owndns lookup: out of memory\n");
		return LOOKUP_EXIT_INTERNAL;
	}
	int exit_status = LOOKUP_EXIT_OK;
	for (size_t i = 0; i < options_count(opts, "name"); i++) {
		int rc = lookup_name(&s, options_get_nth(opts, "name", i), out);
		if (rc > exit_status)
			exit_status = rc;
	}
	free(out);
	fflush(stdout);
	return exit_status;
}

/* Every bare word is one more name. */
static const char *const lookup_positional[] = { "name", NULL };

const subcommand subcommand_lookup = {
	.name = "lookup",
	.summary = "look up the addresses of names, like host or getent ahosts",
	.description = "owndns lookup NAME... [key=value ...]\n"
	"Resolves each NAME to its IPv4 and IPv6 addresses (A and AAAA at once, following\n"
	"CNAMEs, with resolv.conf's search list and ndots) and prints them as host does:\n"
	"  www.example.com is an alias for host.example.com.\n"
	"  host.example.com has address 192.0.2.1\n"
	"  host.example.com has IPv6 address 2001:db8::1\n"
	"  owndns lookup www.example.com family=ipv6 server=192.0.2.53@5353 json=yes\n"
	"Exit status: 0 every name has an address, 1 usage error, 2 some name has none\n"
	"(no such name, no address), 9 no server gave a usable answer, 10 internal error.",
	.keys = lookup_keys,
	.run = lookup_run,
	.positional = lookup_positional,
};
