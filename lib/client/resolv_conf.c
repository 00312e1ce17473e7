/* resolv.conf(5), read the way glibc's res_init reads it: keyword lines, the last
 * "search" or "domain" wins, at most 3 nameservers, unknown or broken lines skipped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <owndns/client.h>

/* glibc limits: RES_MAXNDOTS, RES_MAXRETRANS (seconds), RES_MAXRETRY. */
#define NDOTS_MAX 15
#define TIMEOUT_MAX_S 30
#define ATTEMPTS_MAX 5
#define FILE_MAX (64 * 1024)
#define TOKEN_MAX 1024

/* A cursor over one line. */
typedef struct line_cursor {
	const char *p;
	const char *end;
} line_cursor;

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Next whitespace-separated word; false at the end of the line. */
static bool next_token(line_cursor *c, const char **tok, size_t *len)
{
	while (c->p < c->end && is_blank(*c->p))
		c->p++;
	if (c->p == c->end)
		return false;
	*tok = c->p;
	while (c->p < c->end && !is_blank(*c->p))
		c->p++;
	*len = (size_t)(c->p - *tok);
	return true;
}

static bool token_is(const char *tok, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(tok, word, len) == 0;
}

/* Leading decimal digits of tok as atoi reads them, clamped; false when none. */
static bool token_number(const char *tok, size_t len, unsigned max, unsigned *out)
{
	unsigned v = 0;
	size_t i = 0;

	for (; i < len && tok[i] >= '0' && tok[i] <= '9'; i++) {
		if (v <= max)
			v = v * 10 + (unsigned)(tok[i] - '0');
	}
	if (i == 0)
		return false;
	*out = v > max ? max : v;
	return true;
}

static bool option_value(const char *tok, size_t len, const char *prefix, unsigned max,
			 unsigned *out)
{
	size_t plen = strlen(prefix);

	if (len < plen || memcmp(tok, prefix, plen) != 0)
		return false;
	return token_number(tok + plen, len - plen, max, out);
}

static bool parse_option(owndns_resolv_conf *rc, const char *tok, size_t len)
{
	unsigned v;

	if (option_value(tok, len, "ndots:", NDOTS_MAX, &rc->ndots))
		return true;
	if (option_value(tok, len, "timeout:", TIMEOUT_MAX_S, &v)) {
		/* glibc turns a zero timeout into one second when it waits. */
		rc->timeout_s = v ? v : 1;
		return true;
	}
	if (option_value(tok, len, "attempts:", ATTEMPTS_MAX, &v)) {
		rc->attempts = v ? v : 1; /* at least one try: no answer at all helps nobody */
		return true;
	}
	if (token_is(tok, len, "rotate"))
		rc->rotate = true;
	else if (token_is(tok, len, "edns0"))
		rc->edns0 = true;
	else if (token_is(tok, len, "use-vc") || token_is(tok, len, "tcp"))
		rc->use_vc = true;
	else
		return false; /* unknown options are ignored, as in glibc */
	return true;
}

static void parse_options(owndns_resolv_conf *rc, line_cursor *c)
{
	const char *tok;
	size_t len;

	while (next_token(c, &tok, &len))
		(void)parse_option(rc, tok, len);
}

static bool parse_nameserver(owndns_resolv_conf *rc, line_cursor *c)
{
	char text[TOKEN_MAX];
	const char *tok;
	size_t len;

	if (!next_token(c, &tok, &len) || len >= sizeof(text))
		return false;
	if (rc->server_count == OWNDNS_RESOLV_MAX_SERVERS)
		return true; /* glibc ignores the ones past MAXNS */
	memcpy(text, tok, len);
	text[len] = '\0';
	if (owndns_server_addr_from_text(text, OWNDNS_DNS_PORT, &rc->servers[rc->server_count]))
		return false;
	rc->server_count++;
	return true;
}

/* "search a b c" or "domain a": replaces the list.  Bad names are left out. */
static bool parse_search(owndns_resolv_conf *rc, line_cursor *c, unsigned max_domains)
{
	const char *tok;
	size_t len, name_len;

	rc->search_count = 0;
	while (rc->search_count < max_domains && next_token(c, &tok, &len)) {
		uint8_t *slot = rc->search[rc->search_count];
		if (owndns_name_from_text(tok, len, NULL, slot, &name_len) == OWNDNS_OK)
			rc->search_count++;
	}
	return rc->search_count > 0;
}

static bool parse_line(owndns_resolv_conf *rc, const char *line, size_t len)
{
	line_cursor c = { line, line + len };
	const char *kw;
	size_t kw_len;

	if (!next_token(&c, &kw, &kw_len) || kw[0] == '#' || kw[0] == ';')
		return true; /* blank line or comment */
	if (token_is(kw, kw_len, "nameserver"))
		return parse_nameserver(rc, &c);
	if (token_is(kw, kw_len, "search"))
		return parse_search(rc, &c, OWNDNS_RESOLV_MAX_SEARCH);
	if (token_is(kw, kw_len, "domain"))
		return parse_search(rc, &c, 1);
	if (token_is(kw, kw_len, "options")) {
		parse_options(rc, &c);
		return true;
	}
	return false;
}

void owndns_resolv_conf_init(owndns_resolv_conf *rc)
{
	memset(rc, 0, sizeof(*rc));
	rc->ndots = 1;
	rc->timeout_s = 5;
	rc->attempts = 2;
}

/* glibc's fallback when the file names no server: the local host. */
static void add_default_server(owndns_resolv_conf *rc)
{
	owndns_server_addr *s = &rc->servers[0];

	memset(s, 0, sizeof(*s));
	s->family = AF_INET;
	s->addr[0] = 127;
	s->addr[3] = 1;
	s->port = OWNDNS_DNS_PORT;
	rc->server_count = 1;
}

int owndns_resolv_conf_parse(owndns_resolv_conf *rc, const char *text, size_t len)
{
	const char *end = text + len;

	while (text < end) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		const char *line_end = nl ? nl : end;
		if (!parse_line(rc, text, (size_t)(line_end - text)))
			rc->skipped_lines++;
		text = nl ? nl + 1 : end;
	}
	if (rc->server_count == 0)
		add_default_server(rc);
	return OWNDNS_OK;
}

int owndns_resolv_conf_load(owndns_resolv_conf *rc, const char *path)
{
	FILE *f = fopen(path ? path : OWNDNS_RESOLV_DEFAULT_PATH, "r");
	if (!f) {
		if (errno != ENOENT)
			return OWNDNS_EINVAL;
		return owndns_resolv_conf_parse(rc, "", 0);
	}
	char *text = malloc(FILE_MAX + 1);
	if (!text) {
		fclose(f);
		return OWNDNS_ENOMEM;
	}
	size_t len = fread(text, 1, FILE_MAX + 1, f);
	int rc_status = ferror(f) || len > FILE_MAX ? OWNDNS_EINVAL : OWNDNS_OK;
	fclose(f);
	if (rc_status == OWNDNS_OK)
		rc_status = owndns_resolv_conf_parse(rc, text, len);
	free(text);
	return rc_status;
}
