/* A whole message in dig's text form (full and +short).  The layout was learnt by
 * running dig 9.18 against crafted responses; tests/unit/test_msg_text.c holds dig's
 * output for them.  Records are printed by owndns_rr_to_text; this file owns the
 * header, the OPT pseudo-section, the question lines and the section framing. */
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

/* Question lines: class at column 32, type at column 40, counted as if the leading ';'
 * took no room (that is what dig does). */
enum { QUESTION_COL_CLASS = 32, QUESTION_COL_TYPE = 40, TAB_WIDTH = 8 };

/* dig 9.18 names EDE codes 0..24 only; later codes are printed as a bare number. */
#define DIG_EDE_NAMED_MAX 24

/* Options dig 9.18 prints as a 16-bit number (draft-bellis-dnsop-edns-tags), not in
 * owndns/edns.h because nothing else uses them. */
enum { EDNS_CLIENT_TAG = 16, EDNS_SERVER_TAG = 17 };

/* Bits of the OPT flags word besides DO that dig names. */
#define EDNS_FLAG_CO 0x4000u

/* Header Z bit: dig prints it as "MBZ: 0x4". */
#define HEADER_FLAG_MBZ_TEXT "MBZ: 0x4"

/* ---- small printers ------------------------------------------------------------ */

static void indent_to(text_buf *t, unsigned *col, unsigned to)
{
	if (*col >= to) {
		text_buf_putc(t, ' ');
		(*col)++;
		return;
	}
	for (unsigned tabs = to / TAB_WIDTH - *col / TAB_WIDTH; tabs; tabs--)
		text_buf_putc(t, '\t');
	*col = to;
}

static void put_counted(text_buf *t, unsigned *col, const char *s)
{
	text_buf_puts(t, s);
	*col += (unsigned)strlen(s);
}

static void put_hex_spaced(text_buf *t, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
		text_buf_printf(t, "%s%02x", i ? " " : "", data[i]);
}

static void put_hex(text_buf *t, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
		text_buf_printf(t, "%02x", data[i]);
}

static bool ascii_printable(uint8_t c)
{
	return c >= 0x20 && c <= 0x7e;
}

/* dig's rendering of opaque option data: hex octets, then the printable ones in quotes
 * with '.' for the rest. */
static void put_opaque(text_buf *t, const uint8_t *data, size_t len)
{
	if (!len)
		return;
	text_buf_putc(t, ' ');
	put_hex_spaced(t, data, len);
	text_buf_puts(t, " (\"");
	for (size_t i = 0; i < len; i++)
		text_buf_putc(t, ascii_printable(data[i]) ? (char)data[i] : '.');
	text_buf_puts(t, "\")");
}

/* "1 week 2 days 3 hours 4 minutes 5 seconds", the way dig spells out EXPIRE. */
static void put_verbose_duration(text_buf *t, uint32_t seconds)
{
	static const struct {
		uint32_t size;
		const char *unit;
	} units[] = {
		{ 604800, "week" }, { 86400, "day" }, { 3600, "hour" }, { 60, "minute" }, { 1, "second" },
	};
	bool first = true;
	if (seconds == 0) {
		text_buf_puts(t, "0 seconds");
		return;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		uint32_t n = seconds / units[i].size;
		seconds %= units[i].size;
		if (!n)
			continue;
		text_buf_printf(t, "%s%u %s%s", first ? "" : " ", n, units[i].unit, n == 1 ? "" : "s");
		first = false;
	}
}

/* ---- EDNS options ---------------------------------------------------------------- */

/* dig 9.18's names for the options it knows; others print as "OPT=code". */
static const char *dig_option_name(uint16_t code)
{
	switch (code) {
	case OWNDNS_EDNS_NSID: return "NSID";
	case OWNDNS_EDNS_CLIENT_SUBNET: return "CLIENT-SUBNET";
	case OWNDNS_EDNS_EXPIRE: return "EXPIRE";
	case OWNDNS_EDNS_COOKIE: return "COOKIE";
	case OWNDNS_EDNS_TCP_KEEPALIVE: return "TCP KEEPALIVE";
	case OWNDNS_EDNS_PADDING: return "PAD";
	case OWNDNS_EDNS_KEY_TAG: return "KEY-TAG";
	case OWNDNS_EDNS_EDE: return "EDE";
	case EDNS_CLIENT_TAG: return "CLIENT-TAG";
	case EDNS_SERVER_TAG: return "SERVER-TAG";
	default: return NULL;
	}
}

static void put_option_label(text_buf *t, uint16_t code)
{
	const char *name = dig_option_name(code);
	if (name)
		text_buf_printf(t, "; %s:", name);
	else
		text_buf_printf(t, "; OPT=%u:", code);
}

static void put_cookie(text_buf *t, const owndns_edns_option *o,
		       const owndns_msg_text_options *opt)
{
	owndns_edns_cookie c;
	text_buf_putc(t, ' ');
	put_hex(t, o->data, o->len);
	if (!opt || !opt->client_cookie || owndns_edns_parse_cookie(o, &c) < 0)
		return;
	if (memcmp(c.client, opt->client_cookie, OWNDNS_COOKIE_CLIENT_LEN) != 0)
		text_buf_puts(t, " (bad)");
	else if (c.server_len)
		text_buf_puts(t, " (good)");
	else
		text_buf_puts(t, " (echoed)");
}

static int put_ecs(text_buf *t, const owndns_edns_option *o)
{
	owndns_edns_ecs ecs;
	char addr[INET6_ADDRSTRLEN];
	int rc = owndns_edns_parse_ecs(o, &ecs);
	if (rc < 0)
		return rc;
	int af = ecs.family == OWNDNS_ECS_FAMILY_IPV4 ? AF_INET : AF_INET6;
	if (!inet_ntop(af, ecs.address, addr, sizeof(addr)))
		return OWNDNS_EEDNS_OPTION;
	text_buf_printf(t, " %s/%u/%u", addr, ecs.source_prefix, ecs.scope_prefix);
	return OWNDNS_OK;
}

static int put_key_tags(text_buf *t, const owndns_edns_option *o)
{
	if (o->len == 0 || o->len % 2)
		return OWNDNS_EEDNS_OPTION;
	owndns_rbuf rd = owndns_rbuf_init(o->data, o->len);
	for (size_t i = 0; owndns_rbuf_left(&rd); i++)
		text_buf_printf(t, "%s %u", i ? "," : "", owndns_rbuf_u16(&rd));
	return OWNDNS_OK;
}

static int put_ede(text_buf *t, const owndns_edns_option *o)
{
	uint16_t code;
	const uint8_t *text;
	size_t len;
	int rc = owndns_edns_parse_ede(o, &code, &text, &len);
	if (rc < 0)
		return rc;
	text_buf_printf(t, " %u", code);
	const char *name = code <= DIG_EDE_NAMED_MAX ? owndns_ede_name(code) : NULL;
	if (name)
		text_buf_printf(t, " (%s)", name);
	if (!len)
		return OWNDNS_OK;
	/* EXTRA-TEXT is UTF-8 (RFC 8914 §2): octets >= 0x80 go out as they are; control
	 * characters would garble a terminal, so they become '.' as dig does. */
	text_buf_puts(t, ": (");
	for (size_t i = 0; i < len; i++)
		text_buf_putc(t, text[i] < 0x20 || text[i] == 0x7f ? '.' : (char)text[i]);
	text_buf_putc(t, ')');
	return OWNDNS_OK;
}

static int put_expire(text_buf *t, const owndns_edns_option *o)
{
	bool has_value;
	uint32_t expire;
	int rc = owndns_edns_parse_expire(o, &has_value, &expire);
	if (rc < 0 || !has_value)
		return rc;
	text_buf_printf(t, " %u (", expire);
	put_verbose_duration(t, expire);
	text_buf_putc(t, ')');
	return OWNDNS_OK;
}

static int put_keepalive(text_buf *t, const owndns_edns_option *o)
{
	bool has_value;
	uint16_t timeout;
	int rc = owndns_edns_parse_keepalive(o, &has_value, &timeout);
	if (rc < 0 || !has_value)
		return rc;
	text_buf_printf(t, " %u.%u secs", timeout / 10u, timeout % 10u);
	return OWNDNS_OK;
}

static int put_tag(text_buf *t, const owndns_edns_option *o)
{
	if (o->len != 2)
		return OWNDNS_EEDNS_OPTION;
	text_buf_printf(t, " %u", (unsigned)((o->data[0] << 8) | o->data[1]));
	return OWNDNS_OK;
}

/* The value part of one option line.  Returns an error when the option is malformed:
 * the caller then prints the opaque form instead (dig refuses such a message, but a
 * debugging tool is more use when it shows what came). */
static int put_option_value(text_buf *t, const owndns_edns_option *o,
			    const owndns_msg_text_options *opt)
{
	switch (o->code) {
	case OWNDNS_EDNS_NSID:
		put_opaque(t, o->data, o->len);
		return OWNDNS_OK;
	case OWNDNS_EDNS_COOKIE: {
		owndns_edns_cookie c;
		int rc = owndns_edns_parse_cookie(o, &c);
		if (rc < 0)
			return rc;
		put_cookie(t, o, opt);
		return OWNDNS_OK;
	}
	case OWNDNS_EDNS_CLIENT_SUBNET:
		return put_ecs(t, o);
	case OWNDNS_EDNS_EXPIRE:
		return put_expire(t, o);
	case OWNDNS_EDNS_TCP_KEEPALIVE:
		return put_keepalive(t, o);
	case OWNDNS_EDNS_PADDING:
		if (o->len)
			text_buf_printf(t, " (%u bytes)", o->len);
		return OWNDNS_OK;
	case OWNDNS_EDNS_KEY_TAG:
		return put_key_tags(t, o);
	case OWNDNS_EDNS_EDE:
		return put_ede(t, o);
	case EDNS_CLIENT_TAG:
	case EDNS_SERVER_TAG:
		return put_tag(t, o);
	default:
		put_opaque(t, o->data, o->len);
		return OWNDNS_OK;
	}
}

static void put_option_line(text_buf *t, const owndns_edns_option *o,
			    const owndns_msg_text_options *opt)
{
	if (t->error)
		return;
	put_option_label(t, o->code);
	size_t value_start = t->len;
	if (put_option_value(t, o, opt) < 0 && !t->error) {
		t->len = value_start;
		t->data[t->len] = '\0';
		put_opaque(t, o->data, o->len);
	}
	text_buf_putc(t, '\n');
}

int owndns_edns_options_to_text(const owndns_edns *e, const owndns_msg_text_options *opt,
				char *out, size_t out_size)
{
	text_buf t;
	text_buf_init(&t, out, out_size);
	owndns_edns_opt_iter it;
	owndns_edns_option o;
	owndns_edns_opt_iter_init(&it, e->options, e->options_len);
	while (owndns_edns_opt_next(&it, &o) == 1)
		put_option_line(&t, &o, opt);
	return text_buf_result(&t);
}

static void put_edns_section(text_buf *t, const owndns_edns *e,
			     const owndns_msg_text_options *opt)
{
	uint16_t mbz = e->z & (uint16_t)~EDNS_FLAG_CO;
	text_buf_puts(t, ";; OPT PSEUDOSECTION:\n");
	text_buf_printf(t, "; EDNS: version: %u, flags:", e->version);
	if (e->dnssec_ok)
		text_buf_puts(t, " do");
	if (e->z & EDNS_FLAG_CO)
		text_buf_puts(t, " co");
	text_buf_puts(t, "; ");
	if (mbz)
		text_buf_printf(t, "MBZ: 0x%04x, ", mbz);
	/* The size as sent, not raised to 512: dig shows what the server said. */
	text_buf_printf(t, "udp: %u\n", e->udp_size_raw);
	if (t->error)
		return;
	int n = owndns_edns_options_to_text(e, opt, t->data + t->len, t->cap - t->len);
	if (n < 0) {
		t->error = n;
		t->data[t->len] = '\0';
		return;
	}
	t->len += (size_t)n;
}

/* ---- header ------------------------------------------------------------------------ */

static const struct {
	unsigned bit;
	const char *name;
} header_flags[] = {
	{ OWNDNS_FLAG_QR, "qr" }, { OWNDNS_FLAG_AA, "aa" }, { OWNDNS_FLAG_TC, "tc" },
	{ OWNDNS_FLAG_RD, "rd" }, { OWNDNS_FLAG_RA, "ra" }, { OWNDNS_FLAG_AD, "ad" },
	{ OWNDNS_FLAG_CD, "cd" },
};

/* Shared with lib/msg_json.c. */
const char *msg_text_flag_name(size_t i, unsigned *bit);
int msg_text_view_to_rr(const owndns_msg *m, const owndns_rr_view *v, uint8_t *storage,
			size_t cap, owndns_rr *rr);
bool msg_text_is_pseudo_record(const owndns_rr_view *v);

const char *msg_text_flag_name(size_t i, unsigned *bit)
{
	if (i >= sizeof(header_flags) / sizeof(header_flags[0]))
		return NULL;
	*bit = header_flags[i].bit;
	return header_flags[i].name;
}

static void put_header(text_buf *t, const owndns_msg *m)
{
	const owndns_header *h = &m->hdr;
	char opcode[16], rcode[16];
	owndns_opcode_to_text(owndns_header_opcode(h), opcode, sizeof(opcode));
	owndns_rcode_to_text(owndns_msg_rcode(m), rcode, sizeof(rcode));
	text_buf_printf(t, ";; ->>HEADER<<- opcode: %s, status: %s, id: %u\n", opcode, rcode,
			h->id);
	text_buf_puts(t, ";; flags:");
	for (size_t i = 0; i < sizeof(header_flags) / sizeof(header_flags[0]); i++)
		if (owndns_header_flag(h, header_flags[i].bit))
			text_buf_printf(t, " %s", header_flags[i].name);
	text_buf_puts(t, "; ");
	if (owndns_header_flag(h, OWNDNS_FLAG_Z))
		text_buf_puts(t, HEADER_FLAG_MBZ_TEXT "; ");
	text_buf_printf(t, "QUERY: %u, ANSWER: %u, AUTHORITY: %u, ADDITIONAL: %u\n",
			h->count[OWNDNS_SECTION_QUESTION], h->count[OWNDNS_SECTION_ANSWER],
			h->count[OWNDNS_SECTION_AUTHORITY], h->count[OWNDNS_SECTION_ADDITIONAL]);
	if (owndns_header_flag(h, OWNDNS_FLAG_RD) && !owndns_header_flag(h, OWNDNS_FLAG_RA))
		text_buf_puts(t, ";; WARNING: recursion requested but not available\n");
	size_t extra = owndns_msg_trailing(m);
	if (extra)
		text_buf_printf(t, ";; WARNING: Message has %zu extra byte%s at end\n", extra,
				extra == 1 ? "" : "s");
	text_buf_putc(t, '\n');
}

/* ---- question and records ---------------------------------------------------------- */

static int put_questions(text_buf *t, const owndns_msg *m)
{
	unsigned count = m->hdr.count[OWNDNS_SECTION_QUESTION];
	if (!count)
		return OWNDNS_OK;
	owndns_question_iter it;
	owndns_question_iter_init(&it, m);
	text_buf_puts(t, ";; QUESTION SECTION:\n");
	for (;;) {
		uint8_t qname[OWNDNS_NAME_MAX];
		char name[OWNDNS_NAME_TEXT_MAX], word[OWNDNS_TYPE_TEXT_MAX];
		uint16_t qtype, qclass;
		unsigned col = 0;
		int rc = owndns_question_iter_next(&it, qname, NULL, &qtype, &qclass);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		owndns_name_to_text(qname, name, sizeof(name));
		text_buf_putc(t, ';');
		put_counted(t, &col, name);
		indent_to(t, &col, QUESTION_COL_CLASS);
		owndns_class_to_text(qclass, word, sizeof(word));
		put_counted(t, &col, word);
		indent_to(t, &col, QUESTION_COL_TYPE);
		owndns_type_to_text(qtype, word, sizeof(word));
		put_counted(t, &col, word);
		text_buf_putc(t, '\n');
	}
	text_buf_putc(t, '\n');
	return OWNDNS_OK;
}

/* RDATA storage for one record: uncompressed RDATA can reach 65535 octets. */
typedef struct record_scratch {
	uint8_t storage[OWNDNS_NAME_MAX + OWNDNS_RDATA_MAX];
} record_scratch;

int msg_text_view_to_rr(const owndns_msg *m, const owndns_rr_view *v, uint8_t *storage,
			size_t cap, owndns_rr *rr)
{
	if (owndns_rr_view_to_rr(m, v, storage, cap, rr) == OWNDNS_OK)
		return OWNDNS_OK;
	/* RDATA that does not check: show the octets as they came, which the RR printer
	 * turns into RFC 3597 form because they do not check either. */
	rr->owner = v->owner;
	rr->type = v->type;
	rr->rclass = v->rclass;
	rr->ttl = v->ttl;
	rr->rdlen = v->rdlen;
	rr->rdata = m->pkt + v->rdata_pos;
	return OWNDNS_OK;
}

/* Appends the output of a printer that writes into (out, size) at the buffer's end. */
static void put_rr_text(text_buf *t, const owndns_rr *rr)
{
	if (t->error)
		return;
	int n = owndns_rr_to_text(rr, t->data + t->len, t->cap - t->len);
	if (n < 0) {
		t->error = n == OWNDNS_ESPACE ? n : OWNDNS_EINVAL;
		t->data[t->len] = '\0';
		return;
	}
	t->len += (size_t)n;
}

static void put_rdata_text(text_buf *t, const owndns_rr *rr)
{
	if (t->error)
		return;
	int n = owndns_rdata_to_text(rr->type, rr->rdata, rr->rdlen, t->data + t->len,
				     t->cap - t->len);
	if (n < 0) {
		t->error = n;
		t->data[t->len] = '\0';
		return;
	}
	t->len += (size_t)n;
}

bool msg_text_is_pseudo_record(const owndns_rr_view *v)
{
	return v->section == OWNDNS_SECTION_ADDITIONAL &&
	       (v->type == OWNDNS_TYPE_OPT || v->type == OWNDNS_TYPE_TSIG);
}

static int put_section(text_buf *t, const owndns_msg *m, owndns_section section,
		       const char *title, record_scratch *scratch)
{
	owndns_rr_iter it;
	owndns_rr_view v;
	bool any = false;
	int rc;
	owndns_rr_iter_init(&it, m, section);
	while ((rc = owndns_rr_iter_next(&it, &v)) == 1) {
		owndns_rr rr;
		if (msg_text_is_pseudo_record(&v))
			continue;
		if (!any)
			text_buf_printf(t, ";; %s SECTION:\n", title);
		any = true;
		msg_text_view_to_rr(m, &v, scratch->storage, sizeof(scratch->storage), &rr);
		put_rr_text(t, &rr);
		text_buf_putc(t, '\n');
	}
	if (rc < 0)
		return rc;
	if (any)
		text_buf_putc(t, '\n');
	return OWNDNS_OK;
}

static void put_tsig(text_buf *t, const owndns_msg *m, record_scratch *scratch)
{
	owndns_rr_view v;
	owndns_rr rr;
	if (owndns_msg_tsig(m, &v) < 0)
		return;
	text_buf_puts(t, ";; TSIG PSEUDOSECTION:\n");
	msg_text_view_to_rr(m, &v, scratch->storage, sizeof(scratch->storage), &rr);
	put_rr_text(t, &rr);
	text_buf_puts(t, "\n\n");
}

int owndns_msg_to_text(const owndns_msg *m, const owndns_msg_text_options *opt, char *out,
		       size_t out_size)
{
	static const char *const titles[] = { NULL, "ANSWER", "AUTHORITY", "ADDITIONAL" };
	record_scratch scratch;
	owndns_edns e;
	text_buf t;
	int rc;
	text_buf_init(&t, out, out_size);
	put_header(&t, m);
	if (owndns_edns_from_msg(m, &e) == OWNDNS_OK)
		put_edns_section(&t, &e, opt);
	rc = put_questions(&t, m);
	for (int s = OWNDNS_SECTION_ANSWER; rc == OWNDNS_OK && s <= OWNDNS_SECTION_ADDITIONAL; s++)
		rc = put_section(&t, m, (owndns_section)s, titles[s], &scratch);
	if (rc < 0)
		return rc;
	put_tsig(&t, m, &scratch);
	return text_buf_result(&t);
}

int owndns_msg_to_short_text(const owndns_msg *m, char *out, size_t out_size)
{
	record_scratch scratch;
	owndns_rr_iter it;
	owndns_rr_view v;
	text_buf t;
	int rc;
	text_buf_init(&t, out, out_size);
	owndns_rr_iter_init(&it, m, OWNDNS_SECTION_ANSWER);
	while ((rc = owndns_rr_iter_next(&it, &v)) == 1) {
		owndns_rr rr;
		msg_text_view_to_rr(m, &v, scratch.storage, sizeof(scratch.storage), &rr);
		put_rdata_text(&t, &rr);
		text_buf_putc(&t, '\n');
	}
	if (rc < 0)
		return rc;
	return text_buf_result(&t);
}
