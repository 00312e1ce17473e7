/* owndns query: the plan of questions from key=value options and dig-style arguments.
 * See query_args.h.  dig's rules followed here: a word that names a type or a class
 * is one (type first, so "ANY" is a type); any other word is a name and starts a new
 * question; +options accept dig's abbreviations (+rec, +time=, +buf=). */
#include "query_args.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <owndns/rdata.h>

/* dig's defaults where the library's differ: 3 tries over UDP. */
#define QUERY_DEFAULT_TRIES 3
#define QUERY_DEFAULT_TIMEOUT_S 5

/* ---- small text helpers (ASCII only) ---------------------------------------------- */

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

static bool ascii_prefix_nocase(const char *word, size_t len, const char *full)
{
	if (len > strlen(full))
		return false;
	for (size_t i = 0; i < len; i++)
		if (ascii_lower(word[i]) != full[i])
			return false;
	return true;
}

static int parse_uint(const char *text, long long min, long long max, unsigned *out)
{
	long long v;
	if (options_parse_int(text, min, max, &v))
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int usage(char *err, size_t err_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes one line of usage error to err; returns -1 for the caller to pass on. */
static int usage(char *err, size_t err_size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, err_size, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- settings ----------------------------------------------------------------------- */

static int add_server(query_settings *s, const char *text, char *err, size_t err_size)
{
	owndns_server_addr a;
	if (owndns_server_addr_from_text(text, OWNDNS_DNS_PORT, &a) != OWNDNS_OK)
		return usage(err, err_size, "bad server '%s': expected an IPv4 or IPv6 address", text);
	if (s->server_count == OWNDNS_CLIENT_MAX_SERVERS)
		return usage(err, err_size, "too many servers (at '%s')", text);
	if (strlen(text) >= QUERY_SERVER_TEXT_MAX)
		return usage(err, err_size, "server text too long: '%s'", text);
	strcpy(s->servers[s->server_count++], text);
	return 0;
}

/* One +option: dig's name, the shortest abbreviation dig accepts, and its target. */
enum plus_kind { PLUS_BOOL, PLUS_UINT, PLUS_ALL };

typedef struct plus_option {
	const char *name;
	size_t min_len;
	enum plus_kind kind;
	size_t offset; /* into query_settings */
	long long min, max;
} plus_option;

#define SETTING(field) offsetof(query_settings, field)

/* Looked up in order: the first entry the word abbreviates (with at least min_len
 * letters) wins. */
static const plus_option plus_options[] = {
	{ "recurse", 3, PLUS_BOOL, SETTING(recurse), 0, 0 },
	{ "tcp", 3, PLUS_BOOL, SETTING(tcp), 0, 0 },
	{ "vc", 2, PLUS_BOOL, SETTING(tcp), 0, 0 },
	{ "dnssec", 2, PLUS_BOOL, SETTING(dnssec), 0, 0 },
	{ "do", 2, PLUS_BOOL, SETTING(dnssec), 0, 0 }, /* dig's other name for +dnssec */
	{ "cdflag", 2, PLUS_BOOL, SETTING(cd), 0, 0 },
	{ "short", 2, PLUS_BOOL, SETTING(short_form), 0, 0 },
	{ "json", 4, PLUS_BOOL, SETTING(json), 0, 0 },
	{ "nsid", 2, PLUS_BOOL, SETTING(nsid), 0, 0 },
	{ "cookie", 3, PLUS_BOOL, SETTING(cookie), 0, 0 },
	{ "timeout", 3, PLUS_UINT, SETTING(timeout_s), 1, 300 },
	{ "tries", 2, PLUS_UINT, SETTING(tries), 1, 20 },
	{ "bufsize", 3, PLUS_UINT, SETTING(bufsize), 0, 65535 },
	{ "adflag", 2, PLUS_BOOL, SETTING(adflag), 0, 0 },
	{ "ignore", 2, PLUS_BOOL, SETTING(ignore_tc), 0, 0 },
	{ "all", 2, PLUS_ALL, 0, 0, 0 },
	{ "cmd", 2, PLUS_BOOL, SETTING(show_cmd), 0, 0 },
	{ "comments", 3, PLUS_BOOL, SETTING(show_comments), 0, 0 },
	{ "question", 2, PLUS_BOOL, SETTING(show_question), 0, 0 },
	{ "answer", 2, PLUS_BOOL, SETTING(show_answer), 0, 0 },
	{ "authority", 2, PLUS_BOOL, SETTING(show_authority), 0, 0 },
	{ "additional", 3, PLUS_BOOL, SETTING(show_additional), 0, 0 },
	{ "stats", 2, PLUS_BOOL, SETTING(show_stats), 0, 0 },
	{ "ttlid", 4, PLUS_BOOL, SETTING(show_ttl), 0, 0 },
	{ "ttlunits", 4, PLUS_BOOL, SETTING(ttl_units), 0, 0 },
	{ "class", 2, PLUS_BOOL, SETTING(show_class), 0, 0 },
};

/* dig options that owndns query knows but does not do: a clear error, not "unknown".
 * Those marked off_in_dig are off unless asked for, so their +no form asks for what
 * owndns does anyway and is accepted. */
typedef struct plus_unsupported_option {
	const char *name;
	size_t min_len;
	bool off_in_dig;
} plus_unsupported_option;

static const plus_unsupported_option plus_unsupported[] = {
	{ "aaflag", 2, true }, { "aaonly", 2, true }, { "besteffort", 2, true },
	{ "crypto", 2, false }, { "defname", 3, true }, { "domain", 3, false },
	{ "dscp", 2, false }, { "ednsflags", 5, false }, { "ednsnegotiation", 5, false },
	{ "ednsopt", 5, false }, { "expire", 2, true }, { "fail", 2, false },
	{ "header-only", 2, true }, { "https", 2, true }, { "identify", 2, true },
	{ "keepalive", 2, true }, { "keepopen", 5, true }, { "mapped", 2, false },
	{ "multiline", 2, true }, { "ndots", 2, false }, { "nssearch", 2, true },
	{ "onesoa", 2, true }, { "opcode", 2, false }, { "padding", 2, true },
	{ "qid", 2, false }, { "qr", 2, true }, { "raflag", 2, true }, { "rrcomments", 2, true },
	{ "search", 3, true }, { "showbadcookie", 5, true }, { "showsearch", 5, true },
	{ "sigchase", 2, true }, { "split", 2, false },
	{ "tcflag", 2, true }, { "tls", 3, true }, { "topdown", 2, true }, { "trace", 2, true },
	{ "trusted-key", 3, false }, { "unknownformat", 2, true }, { "yaml", 2, true },
	{ "zflag", 2, true },
};

static const plus_unsupported_option *find_unsupported(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(plus_unsupported) / sizeof(plus_unsupported[0]); i++)
		if (len >= plus_unsupported[i].min_len &&
		    ascii_prefix_nocase(name, len, plus_unsupported[i].name))
			return &plus_unsupported[i];
	return NULL;
}

/* +subnet=ADDR[/LEN] (LEN defaults to the whole address), +subnet=0 for 0.0.0.0/0 and
 * +nosubnet: the CLIENT-SUBNET option of RFC 7871, as dig sends it. */
static int apply_subnet(query_settings *s, const char *arg, bool negated, const char *eq,
			char *err, size_t err_size)
{
	char addr[INET6_ADDRSTRLEN + 8];
	unsigned prefix = 0, max;
	if (negated || !eq) {
		if (eq || !negated)
			return usage(err, err_size, "bad option '%s': expected +subnet=ADDR[/LEN]", arg);
		s->subnet = false;
		return 0;
	}
	if (strlen(eq + 1) >= sizeof(addr))
		return usage(err, err_size, "bad option '%s': expected +subnet=ADDR[/LEN]", arg);
	snprintf(addr, sizeof(addr), "%s", eq + 1);
	char *slash = strchr(addr, '/');
	if (slash)
		*slash = '\0';
	memset(&s->subnet_opt, 0, sizeof(s->subnet_opt));
	if (strcmp(addr, "0") == 0 && !slash) {
		s->subnet_opt.family = OWNDNS_ECS_FAMILY_IPV4;
		max = 0;
	} else if (inet_pton(AF_INET, addr, s->subnet_opt.address) == 1) {
		s->subnet_opt.family = OWNDNS_ECS_FAMILY_IPV4;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, s->subnet_opt.address) == 1) {
		s->subnet_opt.family = OWNDNS_ECS_FAMILY_IPV6;
		max = 128;
	} else {
		return usage(err, err_size, "bad option '%s': expected +subnet=ADDR[/LEN]", arg);
	}
	prefix = max;
	if (slash && parse_uint(slash + 1, 0, max, &prefix))
		return usage(err, err_size, "bad option '%s': prefix length must be 0..%u", arg, max);
	s->subnet_opt.source_prefix = (uint8_t)prefix;
	s->subnet = true;
	return 0;
}

/* +[no]all: every display toggle, as dig's. */
static void set_all_sections(query_settings *s, bool on)
{
	s->show_cmd = s->show_comments = s->show_question = s->show_answer = on;
	s->show_authority = s->show_additional = s->show_stats = on;
}

/* +edns, +edns=0 and +noedns; only EDNS version 0 exists (RFC 6891 §6.1.3). */
static int apply_edns(query_settings *s, const char *arg, bool negated, const char *eq,
		      char *err, size_t err_size)
{
	unsigned version = 0;
	if (eq && (negated || parse_uint(eq + 1, 0, 255, &version)))
		return usage(err, err_size, "bad option '%s': expected +edns=0", arg);
	if (version != 0)
		return usage(err, err_size, "option '%s': EDNS version %u is not supported (only 0)",
			     arg, version);
	s->edns = !negated;
	return 0;
}

static const plus_option *find_plus_option(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(plus_options) / sizeof(plus_options[0]); i++) {
		const plus_option *o = &plus_options[i];
		if (len >= o->min_len && ascii_prefix_nocase(name, len, o->name))
			return o;
	}
	return NULL;
}

/* "+name", "+noname", "+name=value"; +retry=N means N+1 tries, as in dig. */
static int apply_plus(query_settings *s, const char *arg, char *err, size_t err_size)
{
	const char *name = arg + 1;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	bool negated = len > 2 && ascii_prefix_nocase(name, 2, "no");
	if (negated) {
		name += 2;
		len -= 2;
	}
	if (len >= 3 && ascii_prefix_nocase(name, len, "retry")) {
		unsigned retry;
		if (negated || !eq || parse_uint(eq + 1, 0, 19, &retry))
			return usage(err, err_size, "bad option '%s': expected +retry=N (0..19)", arg);
		s->tries = retry + 1;
		return 0;
	}
	if (len >= 2 && ascii_prefix_nocase(name, len, "edns"))
		return apply_edns(s, arg, negated, eq, err, err_size);
	if (len >= 2 && ascii_prefix_nocase(name, len, "subnet"))
		return apply_subnet(s, arg, negated, eq, err, err_size);
	const plus_option *o = find_plus_option(name, len);
	const plus_unsupported_option *u = o ? NULL : find_unsupported(name, len);
	if (u && negated && u->off_in_dig && !eq)
		return 0;
	if (u)
		return usage(err, err_size, "dig option '%s' is not supported", arg);
	if (!o)
		return usage(err, err_size, "unknown option '%s'", arg);
	if (o->kind != PLUS_UINT && eq)
		return usage(err, err_size, "option '%s' takes no value", arg);
	if (o->kind == PLUS_ALL) {
		set_all_sections(s, !negated);
		return 0;
	}
	if (o->kind == PLUS_BOOL) {
		*(bool *)((char *)s + o->offset) = !negated;
		if (o->offset == SETTING(dnssec) && !negated)
			s->edns = true;
		/* dig: +[no]ttlunits shows the TTL again after +nottlid */
		if (o->offset == SETTING(ttl_units))
			s->show_ttl = true;
		return 0;
	}
	unsigned v;
	if (negated || !eq || parse_uint(eq + 1, o->min, o->max, &v))
		return usage(err, err_size, "bad option '%s': expected a number in range", arg);
	*(unsigned *)((char *)s + o->offset) = v;
	return 0;
}

/* As in dig, the output form (+short, +json) and +[no]cmd are one for the whole run
 * wherever they are given; every other +option belongs to the current question. */
static int apply_plus_everywhere(query_plan *p, const char *arg, char *err, size_t err_size)
{
	query_settings *s = p->count ? &p->questions[p->count - 1].settings : &p->global;
	bool was_short = s->short_form;
	if (apply_plus(s, arg, err, err_size))
		return -1;
	/* dig's +short before any name also turns +cmd off; its lines then stay away
	 * even when the run fails (after a name they do not: dig prints them there). */
	if (p->count == 0 && s->short_form && !was_short)
		s->show_cmd = false;
	p->global.short_form = s->short_form;
	p->global.json = s->json;
	p->global.show_cmd = s->show_cmd;
	for (size_t i = 0; i < p->count; i++) {
		p->questions[i].settings.short_form = s->short_form;
		p->questions[i].settings.json = s->json;
		p->questions[i].settings.show_cmd = s->show_cmd;
	}
	return 0;
}

/* ---- questions ----------------------------------------------------------------------- */

static query_settings *current_settings(query_plan *p)
{
	return p->count ? &p->questions[p->count - 1].settings : &p->global;
}

static int add_question(query_plan *p, const char *name, char *err, size_t err_size)
{
	uint8_t wire[OWNDNS_NAME_MAX];
	size_t wire_len;
	if (owndns_name_from_text(name, strlen(name), NULL, wire, &wire_len) != OWNDNS_OK)
		return usage(err, err_size, "bad domain name '%s'", name);
	if (p->count == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 4;
		query_question *q = realloc(p->questions, cap * sizeof(*q));
		if (!q)
			return usage(err, err_size, "%s", "out of memory");
		p->questions = q;
		p->cap = cap;
	}
	query_question *q = &p->questions[p->count++];
	/* Stored as given: the client takes every name as absolute. */
	snprintf(q->name, sizeof(q->name), "%s", name);
	q->type = p->global_type;
	q->rclass = p->global_class;
	q->settings = p->global;
	return 0;
}

static void set_type(query_plan *p, uint16_t type)
{
	if (p->count)
		p->questions[p->count - 1].type = type;
	else {
		p->global_type = type;
		p->global_type_given = true;
	}
}

static void set_class(query_plan *p, uint16_t rclass)
{
	if (p->count)
		p->questions[p->count - 1].rclass = rclass;
	else
		p->global_class = rclass;
}

static int parse_type(const char *text, uint16_t *type, char *err, size_t err_size)
{
	if (owndns_type_from_text(text, strlen(text), type) != OWNDNS_OK)
		return usage(err, err_size, "unknown type '%s'", text);
	if (*type == OWNDNS_TYPE_AXFR || *type == OWNDNS_TYPE_IXFR)
		return usage(err, err_size, "zone transfers (%s) are not supported", text);
	return 0;
}

int query_reverse_name(const char *addr, char *out, size_t size)
{
	uint8_t a[16];
	int n = 0;
	if (inet_pton(AF_INET, addr, a) == 1) {
		n = snprintf(out, size, "%u.%u.%u.%u.in-addr.arpa.", a[3], a[2], a[1], a[0]);
	} else if (inet_pton(AF_INET6, addr, a) == 1) {
		static const char hex[] = "0123456789abcdef";
		char nibbles[16 * 4 + 1];
		size_t k = 0;
		for (int i = 15; i >= 0; i--) {
			nibbles[k++] = hex[a[i] & 0xf];
			nibbles[k++] = '.';
			nibbles[k++] = hex[a[i] >> 4];
			nibbles[k++] = '.';
		}
		nibbles[k] = '\0';
		n = snprintf(out, size, "%sip6.arpa.", nibbles);
	} else {
		return -1;
	}
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* -x ADDR: a new question for the PTR of the address, as dig does. */
static int add_reverse(query_plan *p, const char *addr, char *err, size_t err_size)
{
	char name[OWNDNS_NAME_TEXT_MAX];
	if (query_reverse_name(addr, name, sizeof(name)))
		return usage(err, err_size, "-x needs an IPv4 or IPv6 address, not '%s'", addr);
	if (add_question(p, name, err, err_size))
		return -1;
	p->questions[p->count - 1].type = OWNDNS_TYPE_PTR;
	p->questions[p->count - 1].rclass = OWNDNS_CLASS_IN;
	return 0;
}

/* A dash option with its value: "-p 53" (value is the next argument) or "-p53". */
static int apply_dash(query_plan *p, char opt, const char *value, char *err, size_t err_size)
{
	query_settings *s = current_settings(p);
	unsigned port;
	uint16_t v16;
	switch (opt) {
	case 'p':
		if (parse_uint(value, 1, 65535, &port))
			return usage(err, err_size, "bad port '%s': expected 1..65535", value);
		s->port = (int)port;
		return 0;
	case 't':
		if (parse_type(value, &v16, err, err_size))
			return -1;
		set_type(p, v16);
		return 0;
	case 'c':
		if (owndns_class_from_text(value, strlen(value), &v16) != OWNDNS_OK)
			return usage(err, err_size, "unknown class '%s'", value);
		set_class(p, v16);
		return 0;
	case 'x':
		return add_reverse(p, value, err, err_size);
	case 'q':
		return add_question(p, value, err, err_size);
	case 'b':
		return usage(err, err_size, "option '-b %s': choosing the source address is not supported",
			     value);
	case 'f':
		return usage(err, err_size, "option '-f %s': batch files are not supported", value);
	case 'k':
	case 'y':
		return usage(err, err_size, "option '-%c': TSIG is not supported", opt);
	default:
		snprintf(err, err_size, "unknown option '-%c'", opt);
		return -1;
	}
}

static bool dash_takes_value(char c)
{
	return c == 'p' || c == 't' || c == 'c' || c == 'x' || c == 'q' || c == 'b' || c == 'f' ||
	       c == 'k' || c == 'y';
}

/* A bare word: a type, a class, else a name. */
static int apply_word(query_plan *p, const char *word, char *err, size_t err_size)
{
	uint16_t v;
	size_t len = strlen(word);
	if (owndns_type_from_text(word, len, &v) == OWNDNS_OK) {
		if (parse_type(word, &v, err, err_size))
			return -1;
		set_type(p, v);
		return 0;
	}
	if (owndns_class_from_text(word, len, &v) == OWNDNS_OK) {
		set_class(p, v);
		return 0;
	}
	return add_question(p, word, err, err_size);
}

int query_plan_add_args(query_plan *p, const char *const *args, size_t n, char *err,
			size_t err_size)
{
	for (size_t i = 0; i < n; i++) {
		const char *a = args[i];
		int rc;
		if (a[0] == '@') {
			rc = add_server(current_settings(p), a + 1, err, err_size);
		} else if (a[0] == '+') {
			rc = apply_plus_everywhere(p, a, err, err_size);
		} else if (a[0] == '-' && a[1] == '4' && !a[2]) {
			current_settings(p)->family = AF_INET;
			rc = 0;
		} else if (a[0] == '-' && a[1] == '6' && !a[2]) {
			current_settings(p)->family = AF_INET6;
			rc = 0;
		} else if (a[0] == '-' && a[1] == 'r' && !a[2]) {
			rc = 0; /* dig: do not read ~/.digrc, which owndns never reads */
		} else if (a[0] == '-' && a[1] && dash_takes_value(a[1])) {
			const char *value = a[2] ? a + 2 : (i + 1 < n ? args[++i] : NULL);
			if (!value) {
				snprintf(err, err_size, "option '%s' needs a value", a);
				return -1;
			}
			rc = apply_dash(p, a[1], value, err, err_size);
		} else if (a[0] == '-' && a[1]) {
			rc = usage(err, err_size, "unknown option '%s'", a);
		} else if (!a[0]) {
			rc = usage(err, err_size, "%s", "empty argument");
		} else {
			rc = apply_word(p, a, err, err_size);
		}
		if (rc)
			return -1;
	}
	return 0;
}

/* ---- keys --------------------------------------------------------------------------- */

int query_plan_init(query_plan *p, const options *opts, char *err, size_t err_size)
{
	memset(p, 0, sizeof(*p));
	query_settings *s = &p->global;
	s->port = (int)options_get_int(opts, "port", -1);
	s->family = AF_UNSPEC;
	s->timeout_s = (unsigned)options_get_int(opts, "timeout", QUERY_DEFAULT_TIMEOUT_S);
	s->tries = (unsigned)options_get_int(opts, "tries", QUERY_DEFAULT_TRIES);
	s->bufsize = (unsigned)options_get_int(opts, "bufsize", OWNDNS_EDNS_UDP_DEFAULT);
	s->tcp = options_get_bool(opts, "tcp", false);
	s->dnssec = options_get_bool(opts, "dnssec", false);
	s->recurse = options_get_bool(opts, "recurse", true);
	s->cd = options_get_bool(opts, "cd", false);
	s->edns = options_get_bool(opts, "edns", true) || s->dnssec;
	s->nsid = options_get_bool(opts, "nsid", false);
	s->cookie = options_get_bool(opts, "cookie", true);
	s->short_form = options_get_bool(opts, "short", false);
	s->json = options_get_bool(opts, "json", false);
	s->adflag = true;
	set_all_sections(s, true);
	s->show_ttl = s->show_class = true;
	for (size_t i = 0; i < options_count(opts, "server"); i++)
		if (add_server(s, options_get_nth(opts, "server", i), err, err_size))
			return -1;

	p->global_type = OWNDNS_TYPE_A;
	p->global_class = OWNDNS_CLASS_IN;
	const char *type = options_get(opts, "type");
	const char *rclass = options_get(opts, "class");
	if (type) {
		if (parse_type(type, &p->global_type, err, err_size))
			return -1;
		p->global_type_given = true;
	}
	if (rclass && owndns_class_from_text(rclass, strlen(rclass), &p->global_class) != OWNDNS_OK)
		return usage(err, err_size, "bad value '%s' for key 'class': unknown class", rclass);
	const char *domain = options_get(opts, "domain");
	if (domain && add_question(p, domain, err, err_size))
		return -1;
	return 0;
}

int query_plan_finish(query_plan *p, char *err, size_t err_size)
{
	if (p->count)
		return 0;
	/* No name: dig asks for the root's NS records. */
	if (!p->global_type_given)
		p->global_type = OWNDNS_TYPE_NS;
	return add_question(p, ".", err, err_size);
}

void query_plan_free(query_plan *p)
{
	free(p->questions);
	p->questions = NULL;
	p->count = p->cap = 0;
}
