/* A whole message as one JSON object; the field names are documented (and promised to
 * stay) in include/owndns/msg_text.h.  Record data is the same presentation text dig
 * prints, so a JSON consumer can hand it to any zone-file parser. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#include <owndns/edns.h>
#include <owndns/message.h>
#include <owndns/msg_text.h>
#include <owndns/name.h>
#include <owndns/rdata.h>
#include <owndns/rr.h>

#include "text_buf.h"

/* In lib/msg_text.c. */
const char *msg_text_flag_name(size_t i, unsigned *bit);
int msg_text_view_to_rr(const owndns_msg *m, const owndns_rr_view *v, uint8_t *storage,
			size_t cap, owndns_rr *rr);
bool msg_text_is_pseudo_record(const owndns_rr_view *v);

/* ---- JSON primitives ----------------------------------------------------------------- */

/* RFC 8259 §7 string: '"' and '\' escaped; control characters, DEL and every octet
 * >= 0x80 as \u00XX of the octet, so that the output is ASCII and each octet can be
 * recovered (non-ASCII text reads as Latin-1 code points). */
static void json_string(text_buf *t, const uint8_t *s, size_t len)
{
	text_buf_putc(t, '"');
	for (size_t i = 0; i < len; i++) {
		uint8_t c = s[i];
		if (c == '"' || c == '\\') {
			text_buf_putc(t, '\\');
			text_buf_putc(t, (char)c);
		} else if (c < 0x20 || c >= 0x7f) {
			text_buf_printf(t, "\\u%04x", c);
		} else {
			text_buf_putc(t, (char)c);
		}
	}
	text_buf_putc(t, '"');
}

static void json_cstring(text_buf *t, const char *s)
{
	json_string(t, (const uint8_t *)s, strlen(s));
}

static void json_key(text_buf *t, bool *first, const char *key)
{
	if (!*first)
		text_buf_putc(t, ',');
	*first = false;
	json_cstring(t, key);
	text_buf_putc(t, ':');
}

static void json_key_cstring(text_buf *t, bool *first, const char *key, const char *value)
{
	json_key(t, first, key);
	if (value)
		json_cstring(t, value);
	else
		text_buf_puts(t, "null");
}

static void json_key_uint(text_buf *t, bool *first, const char *key, unsigned long value)
{
	json_key(t, first, key);
	text_buf_printf(t, "%lu", value);
}

static void json_key_hex(text_buf *t, bool *first, const char *key, const uint8_t *data,
			 size_t len)
{
	json_key(t, first, key);
	text_buf_putc(t, '"');
	for (size_t i = 0; i < len; i++)
		text_buf_printf(t, "%02x", data[i]);
	text_buf_putc(t, '"');
}

/* Appends what a (out, size) printer writes, keeping the sticky error. */
static void append_printed(text_buf *t, int n)
{
	if (n < 0) {
		t->error = n == OWNDNS_ESPACE ? n : OWNDNS_EINVAL;
		if (t->cap)
			t->data[t->len] = '\0';
		return;
	}
	t->len += (size_t)n;
}

/* ---- message parts ------------------------------------------------------------------- */

static void json_flags(text_buf *t, const owndns_header *h)
{
	unsigned bit;
	const char *name;
	bool first = true;
	text_buf_putc(t, '[');
	for (size_t i = 0; (name = msg_text_flag_name(i, &bit)) != NULL; i++) {
		if (!owndns_header_flag(h, bit))
			continue;
		if (!first)
			text_buf_putc(t, ',');
		first = false;
		json_cstring(t, name);
	}
	text_buf_putc(t, ']');
}

static int json_questions(text_buf *t, const owndns_msg *m)
{
	owndns_question_iter it;
	owndns_question_iter_init(&it, m);
	text_buf_putc(t, '[');
	for (unsigned i = 0;; i++) {
		uint8_t qname[OWNDNS_NAME_MAX];
		char name[OWNDNS_NAME_TEXT_MAX], word[OWNDNS_TYPE_TEXT_MAX];
		uint16_t qtype, qclass;
		bool first = true;
		int rc = owndns_question_iter_next(&it, qname, NULL, &qtype, &qclass);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		text_buf_puts(t, i ? ",{" : "{");
		owndns_name_to_text(qname, name, sizeof(name));
		json_key_cstring(t, &first, "name", name);
		owndns_type_to_text(qtype, word, sizeof(word));
		json_key_cstring(t, &first, "type", word);
		owndns_class_to_text(qclass, word, sizeof(word));
		json_key_cstring(t, &first, "class", word);
		text_buf_putc(t, '}');
	}
	text_buf_putc(t, ']');
	return OWNDNS_OK;
}

typedef struct record_scratch {
	uint8_t storage[OWNDNS_NAME_MAX + OWNDNS_RDATA_MAX];
} record_scratch;

static void json_record(text_buf *t, const owndns_rr *rr)
{
	char name[OWNDNS_NAME_TEXT_MAX], word[OWNDNS_TYPE_TEXT_MAX];
	bool first = true;
	text_buf_putc(t, '{');
	owndns_name_to_text(rr->owner, name, sizeof(name));
	json_key_cstring(t, &first, "name", name);
	json_key_uint(t, &first, "ttl", rr->ttl);
	owndns_class_to_text(rr->rclass, word, sizeof(word));
	json_key_cstring(t, &first, "class", word);
	owndns_type_to_text(rr->type, word, sizeof(word));
	json_key_cstring(t, &first, "type", word);
	json_key(t, &first, "data");
	/* RDATA text is ASCII (the printers escape everything else) except for '"' and
	 * '\' inside it, so it is printed first and then escaped in place of a copy. */
	if (t->error)
		return;
	size_t start = t->len;
	append_printed(t, owndns_rdata_to_text(rr->type, rr->rdata, rr->rdlen,
					       t->data + t->len, t->cap - t->len));
	if (t->error)
		return;
	size_t text_len = t->len - start;
	size_t escapes = 0;
	for (size_t i = start; i < t->len; i++)
		escapes += t->data[i] == '"' || t->data[i] == '\\';
	/* Widen in place, back to front: 2 quotes plus one backslash per escape. */
	size_t grown = text_len + escapes + 2;
	if (grown >= t->cap - start) {
		t->error = OWNDNS_ESPACE;
		t->data[start] = '\0';
		t->len = start;
		return;
	}
	char *p = t->data + start;
	size_t w = grown;
	p[w--] = '\0';
	p[w--] = '"';
	for (size_t r = text_len; r-- > 0;) {
		char c = p[r];
		p[w--] = c;
		if (c == '"' || c == '\\')
			p[w--] = '\\';
	}
	p[w] = '"';
	t->len = start + grown;
	text_buf_putc(t, '}');
}

static int json_section(text_buf *t, const owndns_msg *m, owndns_section section,
			record_scratch *scratch)
{
	owndns_rr_iter it;
	owndns_rr_view v;
	bool first = true;
	int rc;
	text_buf_putc(t, '[');
	owndns_rr_iter_init(&it, m, section);
	while ((rc = owndns_rr_iter_next(&it, &v)) == 1) {
		owndns_rr rr;
		if (msg_text_is_pseudo_record(&v))
			continue;
		if (!first)
			text_buf_putc(t, ',');
		first = false;
		msg_text_view_to_rr(m, &v, scratch->storage, sizeof(scratch->storage), &rr);
		json_record(t, &rr);
	}
	text_buf_putc(t, ']');
	return rc < 0 ? rc : OWNDNS_OK;
}

/* ---- EDNS ----------------------------------------------------------------------------- */

static void json_option_ecs(text_buf *t, bool *first, const owndns_edns_option *o)
{
	owndns_edns_ecs ecs;
	char addr[INET6_ADDRSTRLEN];
	if (owndns_edns_parse_ecs(o, &ecs) < 0)
		return;
	int af = ecs.family == OWNDNS_ECS_FAMILY_IPV4 ? AF_INET : AF_INET6;
	json_key_uint(t, first, "family", ecs.family);
	if (inet_ntop(af, ecs.address, addr, sizeof(addr)))
		json_key_cstring(t, first, "address", addr);
	json_key_uint(t, first, "source_prefix", ecs.source_prefix);
	json_key_uint(t, first, "scope_prefix", ecs.scope_prefix);
}

static void json_option_ede(text_buf *t, bool *first, const owndns_edns_option *o)
{
	uint16_t code;
	const uint8_t *text;
	size_t len;
	if (owndns_edns_parse_ede(o, &code, &text, &len) < 0)
		return;
	json_key_uint(t, first, "info_code", code);
	json_key_cstring(t, first, "purpose", owndns_ede_name(code));
	json_key(t, first, "extra_text");
	json_string(t, text, len);
}

/* Decoded fields of the options owndns knows; malformed ones get only code and data. */
static void json_option_fields(text_buf *t, bool *first, const owndns_edns_option *o)
{
	owndns_edns_cookie c;
	bool has_value;
	uint32_t expire;
	uint16_t timeout;
	switch (o->code) {
	case OWNDNS_EDNS_NSID:
		json_key(t, first, "text");
		json_string(t, o->data, o->len);
		break;
	case OWNDNS_EDNS_COOKIE:
		if (owndns_edns_parse_cookie(o, &c) < 0)
			break;
		json_key_hex(t, first, "client", c.client, sizeof(c.client));
		json_key_hex(t, first, "server", c.server, c.server_len);
		break;
	case OWNDNS_EDNS_CLIENT_SUBNET:
		json_option_ecs(t, first, o);
		break;
	case OWNDNS_EDNS_EXPIRE:
		if (owndns_edns_parse_expire(o, &has_value, &expire) == 0 && has_value)
			json_key_uint(t, first, "expire", expire);
		break;
	case OWNDNS_EDNS_TCP_KEEPALIVE:
		if (owndns_edns_parse_keepalive(o, &has_value, &timeout) == 0 && has_value)
			json_key_uint(t, first, "timeout", timeout);
		break;
	case OWNDNS_EDNS_EDE:
		json_option_ede(t, first, o);
		break;
	default:
		break;
	}
}

static void json_edns(text_buf *t, const owndns_edns *e)
{
	bool first = true;
	owndns_edns_opt_iter it;
	owndns_edns_option o;
	text_buf_putc(t, '{');
	json_key_uint(t, &first, "version", e->version);
	json_key_uint(t, &first, "udp_size", e->udp_size_raw);
	json_key(t, &first, "flags");
	text_buf_puts(t, e->dnssec_ok ? "[\"do\"]" : "[]");
	json_key(t, &first, "options");
	text_buf_putc(t, '[');
	owndns_edns_opt_iter_init(&it, e->options, e->options_len);
	for (bool first_option = true; owndns_edns_opt_next(&it, &o) == 1; first_option = false) {
		bool first_field = true;
		text_buf_puts(t, first_option ? "{" : ",{");
		json_key_uint(t, &first_field, "code", o.code);
		json_key_cstring(t, &first_field, "name", owndns_edns_option_name(o.code));
		json_key_hex(t, &first_field, "data", o.data, o.len);
		json_option_fields(t, &first_field, &o);
		text_buf_putc(t, '}');
	}
	text_buf_puts(t, "]}");
}

static void json_meta(text_buf *t, bool *first, const owndns_msg_json_meta *meta)
{
	if (!meta)
		return;
	if (meta->server)
		json_key_cstring(t, first, "server", meta->server);
	if (meta->port >= 0)
		json_key_uint(t, first, "port", (unsigned long)meta->port);
	if (meta->transport)
		json_key_cstring(t, first, "transport", meta->transport);
	if (meta->query_time_ms >= 0)
		json_key_uint(t, first, "query_time_ms", (unsigned long)meta->query_time_ms);
}

int owndns_msg_to_json(const owndns_msg *m, const owndns_msg_json_meta *meta, char *out,
		       size_t out_size)
{
	static const char *const section_keys[] = { NULL, "answer", "authority", "additional" };
	record_scratch scratch;
	char word[16];
	owndns_edns e;
	owndns_rr_view tsig;
	text_buf t;
	bool first = true;
	int rc;

	text_buf_init(&t, out, out_size);
	text_buf_putc(&t, '{');
	json_key_uint(&t, &first, "id", m->hdr.id);
	owndns_opcode_to_text(owndns_header_opcode(&m->hdr), word, sizeof(word));
	json_key_cstring(&t, &first, "opcode", word);
	owndns_rcode_to_text(owndns_msg_rcode(m), word, sizeof(word));
	json_key_cstring(&t, &first, "status", word);
	json_key(&t, &first, "flags");
	json_flags(&t, &m->hdr);
	json_key(&t, &first, "question");
	rc = json_questions(&t, m);
	for (int s = OWNDNS_SECTION_ANSWER; rc == OWNDNS_OK && s <= OWNDNS_SECTION_ADDITIONAL; s++) {
		json_key(&t, &first, section_keys[s]);
		rc = json_section(&t, m, (owndns_section)s, &scratch);
	}
	if (rc < 0)
		return rc;
	json_key(&t, &first, "edns");
	if (owndns_edns_from_msg(m, &e) == OWNDNS_OK)
		json_edns(&t, &e);
	else
		text_buf_puts(&t, "null");
	json_key(&t, &first, "tsig");
	if (owndns_msg_tsig(m, &tsig) == OWNDNS_OK) {
		owndns_rr rr;
		msg_text_view_to_rr(m, &tsig, scratch.storage, sizeof(scratch.storage), &rr);
		json_record(&t, &rr);
	} else {
		text_buf_puts(&t, "null");
	}
	json_key_uint(&t, &first, "msg_size", m->len);
	json_meta(&t, &first, meta);
	text_buf_puts(&t, "}\n");
	return text_buf_result(&t);
}
