/* Hosts files (hosts(5), as glibc and dnsmasq read them): "ADDRESS NAME [NAME...]".
 * Every name gets the address (A or AAAA; a name on several lines gets all of them),
 * and the address gets one PTR to the first name of the first line that has it (the
 * canonical name, as gethostbyaddr answers).  Like dnsmasq, a line whose address is
 * bad is reported and skipped, and a bad name is reported and skipped while the other
 * names of its line are kept. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <owndns/name.h>
#include <owndns/rdata.h>

#include "local_internal.h"
#include "text_buf.h"

/* Longest address token with its "%scope". */
#define HOSTS_ADDR_TEXT_MAX 64
/* Longest name token shown in a message. */
#define HOSTS_MESSAGE_TOKEN_MAX 100

typedef struct hosts_parse {
	local_data *ld;
	const char *file;
	unsigned line;
	uint32_t ttl;
	local_report_fn report;
	void *arg;
	bool bad;           /* this line had a problem */
} hosts_parse;

typedef struct hosts_address {
	uint16_t type;      /* A or AAAA */
	uint8_t octets[16];
	uint16_t len;       /* 4 or 16 */
} hosts_address;

static void report_token(hosts_parse *p, const char *problem, const char *tok, size_t len)
{
	char msg[256];
	text_buf t;

	p->bad = true;
	if (!p->report)
		return;
	text_buf_init(&t, msg, sizeof(msg));
	if (tok)
		text_buf_printf(&t, "%s '%.*s'", problem,
				(int)(len > HOSTS_MESSAGE_TOKEN_MAX ? HOSTS_MESSAGE_TOKEN_MAX : len),
				tok);
	else
		text_buf_puts(&t, problem);
	p->report(p->arg, p->file, p->line, msg);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Next whitespace-separated token of line[*pos..len); false at the end. */
static bool next_token(const char *line, size_t len, size_t *pos, const char **tok,
		       size_t *tok_len)
{
	size_t i = *pos;
	while (i < len && is_blank(line[i]))
		i++;
	if (i == len)
		return false;
	size_t start = i;
	while (i < len && !is_blank(line[i]))
		i++;
	*tok = line + start;
	*tok_len = i - start;
	*pos = i;
	return true;
}

/* IPv4 dotted quad or IPv6; the "%scope" of an IPv6 address is ignored (a scope does
 * not travel in DNS data). */
static bool parse_address(const char *tok, size_t len, hosts_address *a)
{
	char text[HOSTS_ADDR_TEXT_MAX];

	if (len >= sizeof(text))
		return false;
	memcpy(text, tok, len);
	text[len] = '\0';
	if (inet_pton(AF_INET, text, a->octets) == 1) {
		a->type = OWNDNS_TYPE_A;
		a->len = 4;
		return true;
	}
	char *scope = strchr(text, '%');
	if (scope)
		*scope = '\0';
	if (inet_pton(AF_INET6, text, a->octets) == 1) {
		a->type = OWNDNS_TYPE_AAAA;
		a->len = 16;
		return true;
	}
	return false;
}

/* Host names: letters, digits, '-', '_' and dots (glibc and dnsmasq take no more),
 * made absolute from the root whether or not they end with a dot. */
static bool parse_host_name(const char *tok, size_t len, uint8_t *name)
{
	size_t name_len;

	for (size_t i = 0; i < len; i++) {
		char c = tok[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
		if (!ok)
			return false;
	}
	if (owndns_name_from_text(tok, len, NULL, name, &name_len) != OWNDNS_OK)
		return false;
	return owndns_name_label_count(name) > 0;
}

/* The reverse-mapping name of an address: "4.3.2.1.in-addr.arpa." (RFC 1035 §3.5) or
 * 32 nibbles, least significant first, under "ip6.arpa." (RFC 3596 §2.5). */
static void reverse_name(const hosts_address *a, uint8_t *out)
{
	static const char hex[] = "0123456789abcdef";
	static const uint8_t in_addr_arpa[] = "\7in-addr\4arpa";
	static const uint8_t ip6_arpa[] = "\3ip6\4arpa";
	owndns_wbuf w = owndns_wbuf_init(out, OWNDNS_NAME_MAX);

	if (a->type == OWNDNS_TYPE_A) {
		for (int i = 3; i >= 0; i--) {
			char label[4];
			int n = snprintf(label, sizeof(label), "%u", a->octets[i]);
			owndns_wbuf_u8(&w, (uint8_t)n);
			owndns_wbuf_bytes(&w, label, (size_t)n);
		}
		owndns_wbuf_bytes(&w, in_addr_arpa, sizeof(in_addr_arpa)); /* with the root */
		return;
	}
	for (int i = 15; i >= 0; i--) {
		owndns_wbuf_u8(&w, 1);
		owndns_wbuf_u8(&w, (uint8_t)hex[a->octets[i] & 0xf]);
		owndns_wbuf_u8(&w, 1);
		owndns_wbuf_u8(&w, (uint8_t)hex[a->octets[i] >> 4]);
	}
	owndns_wbuf_bytes(&w, ip6_arpa, sizeof(ip6_arpa));
}

/* One line without its newline.  Returns OK (problems are reported) or ENOMEM. */
static int parse_line(hosts_parse *p, const char *line, size_t len)
{
	const char *hash = memchr(line, '#', len);
	const char *tok;
	size_t tok_len, pos = 0;
	hosts_address addr;
	bool have_canonical = false;
	int rc;

	if (hash)
		len = (size_t)(hash - line);
	if (!next_token(line, len, &pos, &tok, &tok_len))
		return OWNDNS_OK;
	if (!parse_address(tok, tok_len, &addr)) {
		report_token(p, "bad address", tok, tok_len);
		return OWNDNS_OK;
	}
	while (next_token(line, len, &pos, &tok, &tok_len)) {
		uint8_t name[OWNDNS_NAME_MAX];
		if (!parse_host_name(tok, tok_len, name)) {
			report_token(p, "bad name", tok, tok_len);
			continue;
		}
		rc = local_add_record(p->ld, name, addr.type, p->ttl, addr.octets, addr.len,
				      LOCAL_ORIGIN_USER);
		if (rc)
			return rc;
		if (have_canonical)
			continue;
		have_canonical = true;
		uint8_t reverse[OWNDNS_NAME_MAX];
		reverse_name(&addr, reverse);
		rc = local_add_record(p->ld, reverse, OWNDNS_TYPE_PTR, p->ttl, name,
				      (uint16_t)owndns_name_length(name), LOCAL_ORIGIN_HOSTS_PTR);
		if (rc)
			return rc;
	}
	if (!have_canonical && !p->bad)
		report_token(p, "address without a name", NULL, 0);
	return OWNDNS_OK;
}

int local_data_add_hosts_text(local_data *ld, const char *file, const char *text, size_t len,
			      uint32_t ttl, local_report_fn report, void *arg,
			      unsigned *bad_lines)
{
	hosts_parse p = { ld, file, 0, ttl, report, arg, false };
	unsigned bad = 0;
	size_t pos = 0;
	int rc = OWNDNS_OK;

	if (ld->finished)
		return OWNDNS_ESTATE;
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - line) : len - pos;
		pos += line_len + (nl != NULL);
		p.line++;
		p.bad = false;
		rc = parse_line(&p, line, line_len);
		if (rc)
			break;
		bad += p.bad;
	}
	if (bad_lines)
		*bad_lines = bad;
	return rc;
}

/* Reads the whole file into a malloc'ed buffer (NUL not added). */
static int read_file(const char *path, char **out, size_t *out_len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = OWNDNS_OK;

	if (!f)
		return OWNDNS_ENOTFOUND;
	for (;;) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 64 * 1024;
			if (cap >= LOCAL_HOSTS_FILE_MAX) {
				rc = OWNDNS_ESPACE;
				break;
			}
			char *nbuf = realloc(buf, ncap);
			if (!nbuf) {
				rc = OWNDNS_ENOMEM;
				break;
			}
			buf = nbuf;
			cap = ncap;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f))
				rc = OWNDNS_ENOTFOUND;
			break;
		}
	}
	if (rc == OWNDNS_OK && len > LOCAL_HOSTS_FILE_MAX)
		rc = OWNDNS_ESPACE;
	fclose(f);
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	*out_len = len;
	return OWNDNS_OK;
}

int local_data_add_hosts_file(local_data *ld, const char *path, uint32_t ttl,
			      local_report_fn report, void *arg, unsigned *bad_lines)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (bad_lines)
		*bad_lines = 0;
	if (ld->finished)
		return OWNDNS_ESTATE;
	errno = 0;
	rc = read_file(path, &text, &len);
	if (rc) {
		if (report) {
			char msg[256];
			text_buf t;
			text_buf_init(&t, msg, sizeof(msg));
			if (rc == OWNDNS_ESPACE)
				text_buf_printf(&t, "larger than %u octets", LOCAL_HOSTS_FILE_MAX);
			else if (rc == OWNDNS_ENOTFOUND)
				text_buf_printf(&t, "cannot read: %s",
						errno ? strerror(errno) : "read error");
			else
				text_buf_puts(&t, owndns_strerror(rc));
			report(arg, path, 0, msg);
		}
		return rc;
	}
	rc = local_data_add_hosts_text(ld, path, text, len, ttl, report, arg, bad_lines);
	free(text);
	return rc;
}
