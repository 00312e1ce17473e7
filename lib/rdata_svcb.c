/* SVCB/HTTPS SvcParams (RFC 9460 §2.2): the list after SvcPriority and TargetName.
 *
 * Wire: SvcParamKey (16 bits), SvcParamValue length (16 bits), value; keys strictly
 * increasing.  Text: space-separated "key" or "key=value" in any order, values quoted
 * or not (RFC 9460 §2.1, Appendix A).
 *
 * Keys: mandatory(0), alpn(1), no-default-alpn(2), port(3), ipv4hint(4), ech(5),
 * ipv6hint(6) (RFC 9460 §7-8), dohpath(7, RFC 9461 §5), ohttp(8, RFC 9540 §4), and
 * keyNNNNN for any key.  The text printer follows dig 9.18, which names keys 0..6 only
 * and prints dohpath and ohttp as key7 and key8. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "encoding.h"
#include "rdata_field.h"


enum svc_param_key {
	KEY_MANDATORY = 0,
	KEY_ALPN = 1,
	KEY_NO_DEFAULT_ALPN = 2,
	KEY_PORT = 3,
	KEY_IPV4HINT = 4,
	KEY_ECH = 5,
	KEY_IPV6HINT = 6,
	KEY_DOHPATH = 7,
	KEY_OHTTP = 8,
};

struct key_name {
	const char *name;
	uint16_t key;
};

/* Names accepted in text.  dig 9.18 prints the first seven only. */
static const struct key_name key_names[] = {
	{ "mandatory", KEY_MANDATORY },
	{ "alpn", KEY_ALPN },
	{ "no-default-alpn", KEY_NO_DEFAULT_ALPN },
	{ "port", KEY_PORT },
	{ "ipv4hint", KEY_IPV4HINT },
	{ "ech", KEY_ECH },
	{ "ipv6hint", KEY_IPV6HINT },
	{ "dohpath", KEY_DOHPATH },
	{ "ohttp", KEY_OHTTP },
};
#define KEY_LAST_NAMED_BY_DIG KEY_IPV6HINT

#define SVC_PARAM_HEADER 4	/* key + length */
/* Longest item text in a mandatory list or address hint, plus NUL. */
#define ITEM_TEXT_MAX 64

/* ---- small ASCII helpers (no locale) ---- */

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_hex_digit(uint8_t c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static uint8_t ascii_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

static bool ascii_equal_nocase(const char *a, size_t a_len, const char *b)
{
	size_t b_len = strlen(b);
	if (a_len != b_len)
		return false;
	for (size_t i = 0; i < a_len; i++) {
		if (ascii_lower((uint8_t)a[i]) != (uint8_t)b[i])
			return false;
	}
	return true;
}

static uint16_t get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ---- value checks shared by the wire checker and the text parser ---- */

/* Well-formed UTF-8 (RFC 3629 §4): no overlong forms, surrogates or code points
 * above U+10FFFF. */
static bool utf8_is_valid(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = p[i];
		size_t follow;
		uint8_t lo = 0x80, hi = 0xbf;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			follow = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			follow = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			follow = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else {
			return false;
		}
		if (n - i - 1 < follow)
			return false;
		for (size_t k = 1; k <= follow; k++) {
			uint8_t cont = p[i + k];
			if (k == 1 ? (cont < lo || cont > hi) : (cont < 0x80 || cont > 0xbf))
				return false;
		}
		i += follow + 1;
	}
	return true;
}

/* One RFC 6570 §2.3 varname character (pct-encoded counts as three). */
static size_t varname_char_len(const uint8_t *p, size_t left)
{
	if (is_alpha(p[0]) || is_digit(p[0]) || p[0] == '_' || p[0] == '.')
		return 1;
	if (p[0] == '%' && left >= 3 && is_hex_digit(p[1]) && is_hex_digit(p[2]))
		return 3;
	return 0;
}

/* Parses one "{...}" expression starting after '{'; sets *has_dns when one of its
 * variables is "dns".  Returns the index after '}', or 0 when malformed. */
static size_t parse_template_expression(const uint8_t *p, size_t n, size_t i, bool *has_dns)
{
	static const char operators[] = "+#./;?&=,!@|";
	if (i < n && memchr(operators, p[i], sizeof(operators) - 1))
		i++;
	for (;;) {
		size_t start = i, step;
		while (i < n && (step = varname_char_len(p + i, n - i)) > 0)
			i += step;
		if (i == start)
			return 0;
		if (i - start == 3 && memcmp(p + start, "dns", 3) == 0)
			*has_dns = true;
		if (i < n && p[i] == ':') {
			size_t digits = 0;
			for (i++; i < n && is_digit(p[i]) && digits < 4; i++)
				digits++;
			if (digits == 0 || p[i - digits] == '0')
				return 0;
		} else if (i < n && p[i] == '*') {
			i++;
		}
		if (i < n && p[i] == ',') {
			i++;
			continue;
		}
		return i < n && p[i] == '}' ? i + 1 : 0;
	}
}

/* RFC 9461 §5: a relative URI template (RFC 6570), UTF-8, starting with "/" and
 * using the "dns" variable.  dig rejects other values, so they do not check. */
static bool dohpath_is_valid(const uint8_t *p, size_t n)
{
	bool has_dns = false;
	if (n == 0 || p[0] != '/' || !utf8_is_valid(p, n))
		return false;
	for (size_t i = 0; i < n;) {
		if (p[i] == '}')
			return false;
		if (p[i] != '{') {
			i++;
			continue;
		}
		i = parse_template_expression(p, n, i + 1, &has_dns);
		if (i == 0)
			return false;
	}
	return has_dns;
}

/* RFC 9460 §7.1.1: a non-empty list of non-empty length-prefixed protocol ids. */
static bool alpn_is_valid(const uint8_t *p, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i += 1 + (size_t)p[i]) {
		if (p[i] == 0 || p[i] > n - i - 1)
			return false;
	}
	return true;
}

/* RFC 9460 §8: a non-empty list of keys in strictly increasing order, without
 * "mandatory" itself. */
static bool mandatory_is_valid(const uint8_t *p, size_t n)
{
	if (n == 0 || n % 2)
		return false;
	long prev = KEY_MANDATORY;
	for (size_t i = 0; i < n; i += 2) {
		long key = get_u16(p + i);
		if (key <= prev)
			return false;
		prev = key;
	}
	return true;
}

static bool value_is_valid(uint16_t key, const uint8_t *value, size_t len)
{
	switch (key) {
	case KEY_MANDATORY:
		return mandatory_is_valid(value, len);
	case KEY_ALPN:
		return alpn_is_valid(value, len);
	case KEY_NO_DEFAULT_ALPN:
	case KEY_OHTTP: /* RFC 9540 §4: the value is empty */
		return len == 0;
	case KEY_PORT:
		return len == 2;
	case KEY_IPV4HINT:
		return len > 0 && len % 4 == 0;
	case KEY_IPV6HINT:
		return len > 0 && len % 16 == 0;
	case KEY_DOHPATH:
		return dohpath_is_valid(value, len);
	default:
		return true; /* ech and unknown keys: opaque */
	}
}

/* Both lists are sorted, so one merge walk finds every mandatory key or a gap.
 * `params` is a checked parameter list. */
static bool mandatory_keys_present(const uint8_t *mandatory, size_t m_len,
				   const uint8_t *params, size_t p_len)
{
	size_t pi = 0;
	for (size_t mi = 0; mi < m_len; mi += 2) {
		uint16_t wanted = get_u16(mandatory + mi);
		while (pi < p_len && get_u16(params + pi) < wanted)
			pi += SVC_PARAM_HEADER + get_u16(params + pi + 2);
		if (pi >= p_len || get_u16(params + pi) != wanted)
			return false;
	}
	return true;
}

/* Checks a whole parameter list; returns OWNDNS_OK or ESVCPARAM/ETRUNCATED. */
static int check_param_list(const uint8_t *params, size_t len)
{
	owndns_rbuf rd = owndns_rbuf_init(params, len);
	long prev = -1;
	const uint8_t *mandatory = NULL;
	size_t mandatory_len = 0;
	bool has_alpn = false, has_no_default_alpn = false;
	while (owndns_rbuf_left(&rd) > 0) {
		uint16_t key = owndns_rbuf_u16(&rd);
		uint16_t value_len = owndns_rbuf_u16(&rd);
		const uint8_t *value = owndns_rbuf_take(&rd, value_len);
		if (rd.error)
			return rd.error;
		if (key <= prev || !value_is_valid(key, value, value_len))
			return OWNDNS_ESVCPARAM;
		prev = key;
		if (key == KEY_MANDATORY) {
			mandatory = value;
			mandatory_len = value_len;
		}
		has_alpn |= key == KEY_ALPN;
		has_no_default_alpn |= key == KEY_NO_DEFAULT_ALPN;
	}
	/* RFC 9460 §7.1.1 and §8: a record must be self-consistent. */
	if (has_no_default_alpn && !has_alpn)
		return OWNDNS_ESVCPARAM;
	if (mandatory && !mandatory_keys_present(mandatory, mandatory_len, params, len))
		return OWNDNS_ESVCPARAM;
	return OWNDNS_OK;
}

static void svc_params_check(owndns_rbuf *rd)
{
	if (rd->error)
		return;
	size_t len = owndns_rbuf_left(rd);
	const uint8_t *params = owndns_rbuf_take(rd, len);
	int rc = len ? check_param_list(params, len) : OWNDNS_OK;
	if (rc)
		rd->error = rc;
}

/* ---- wire to text (as dig 9.18 prints) ---- */

static void put_key(text_buf *out, uint16_t key)
{
	if (key <= KEY_LAST_NAMED_BY_DIG)
		text_buf_puts(out, key_names[key].name);
	else
		text_buf_printf(out, "key%u", (unsigned)key);
}

static void put_decimal_escape(text_buf *out, uint8_t c)
{
	text_buf_printf(out, "\\%03u", (unsigned)c);
}

/* Opaque values print like a TXT string: printable ASCII as is (space included),
 * '"' and '\' escaped, everything else as \DDD. */
static void put_generic_value(text_buf *out, const uint8_t *p, size_t n)
{
	text_buf_putc(out, '"');
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\') {
			text_buf_putc(out, '\\');
			text_buf_putc(out, (char)p[i]);
		} else if (p[i] < 0x20 || p[i] >= 0x7f) {
			put_decimal_escape(out, p[i]);
		} else {
			text_buf_putc(out, (char)p[i]);
		}
	}
	text_buf_putc(out, '"');
}

/* RFC 9460 Appendix A.1: ',' and '\' inside an id are escaped with '\', then the
 * whole list is escaped once more as a quoted string.  dig escapes spaces too. */
static void put_alpn_value(text_buf *out, const uint8_t *p, size_t n)
{
	text_buf_putc(out, '"');
	for (size_t i = 0; i < n; i += 1 + (size_t)p[i]) {
		if (i)
			text_buf_putc(out, ',');
		for (size_t k = 1; k <= p[i]; k++) {
			uint8_t c = p[i + k];
			if (c == ',')
				text_buf_puts(out, "\\\\,");
			else if (c == '\\')
				text_buf_puts(out, "\\\\\\\\");
			else if (c == '"')
				text_buf_puts(out, "\\\"");
			else if (c <= 0x20 || c >= 0x7f)
				put_decimal_escape(out, c);
			else
				text_buf_putc(out, (char)c);
		}
	}
	text_buf_putc(out, '"');
}

static void put_mandatory_value(text_buf *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2) {
		if (i)
			text_buf_putc(out, ',');
		put_key(out, get_u16(p + i));
	}
}

static void put_address_list(text_buf *out, int af, const uint8_t *p, size_t n)
{
	size_t size = af == AF_INET ? 4 : 16;
	char text[INET6_ADDRSTRLEN];
	for (size_t i = 0; i + size <= n; i += size) {
		if (i)
			text_buf_putc(out, ',');
		if (inet_ntop(af, p + i, text, sizeof(text)))
			text_buf_puts(out, text);
	}
}

static void put_base64(text_buf *out, const uint8_t *p, size_t n)
{
	char quantum[4];
	for (size_t i = 0; i < n; i += 3) {
		size_t chunk = n - i < 3 ? n - i : 3;
		base64_encode(p + i, chunk, quantum);
		text_buf_put(out, quantum, sizeof(quantum));
	}
}

static void put_param(text_buf *out, uint16_t key, const uint8_t *value, size_t len)
{
	put_key(out, key);
	/* dig prints a bare key for empty values ("no-default-alpn", "ech", "key8"). */
	if (len == 0)
		return;
	text_buf_putc(out, '=');
	switch (key) {
	case KEY_MANDATORY:
		put_mandatory_value(out, value, len);
		break;
	case KEY_ALPN:
		put_alpn_value(out, value, len);
		break;
	case KEY_PORT:
		text_buf_printf(out, "%u", (unsigned)get_u16(value));
		break;
	case KEY_IPV4HINT:
		put_address_list(out, AF_INET, value, len);
		break;
	case KEY_ECH:
		put_base64(out, value, len);
		break;
	case KEY_IPV6HINT:
		put_address_list(out, AF_INET6, value, len);
		break;
	default:
		put_generic_value(out, value, len);
		break;
	}
}

/* Parameters are separated by one space; nothing is written before the first, so
 * the caller adds the separator after the TargetName only when params follow. */
static void svc_params_to_text(owndns_rbuf *rd, text_buf *out)
{
	bool first = true;
	while (!rd->error && owndns_rbuf_left(rd) > 0) {
		uint16_t key = owndns_rbuf_u16(rd);
		uint16_t len = owndns_rbuf_u16(rd);
		const uint8_t *value = owndns_rbuf_take(rd, len);
		if (rd->error)
			return;
		if (!first)
			text_buf_putc(out, ' ');
		first = false;
		put_param(out, key, value, len);
	}
}

/* ---- text to wire ---- */

/* A char-string (RFC 1035 §5.1) read one octet at a time: \X and \DDD resolved. */
typedef struct char_string {
	const char *p;
	const char *end;
} char_string;

/* Returns 1 and the next octet, 0 at the end, or EESCAPE. */
static int char_string_next(char_string *cs, uint8_t *octet)
{
	if (cs->p >= cs->end)
		return 0;
	uint8_t c = (uint8_t)*cs->p++;
	if (c != '\\') {
		*octet = c;
		return 1;
	}
	if (cs->p >= cs->end)
		return OWNDNS_EESCAPE;
	c = (uint8_t)*cs->p++;
	if (!is_digit(c)) {
		*octet = c;
		return 1;
	}
	if (cs->end - cs->p < 2 || !is_digit((uint8_t)cs->p[0]) || !is_digit((uint8_t)cs->p[1]))
		return OWNDNS_EESCAPE;
	unsigned v = (unsigned)(c - '0') * 100 + (unsigned)(cs->p[0] - '0') * 10 +
		     (unsigned)(cs->p[1] - '0');
	cs->p += 2;
	if (v > 255)
		return OWNDNS_EESCAPE;
	*octet = (uint8_t)v;
	return 1;
}

/* Reads the next comma-separated item of a decoded list into text (NUL-terminated).
 * Returns 1 with an item, 0 at the end of the list, or an error (ESVCPARAM for an
 * empty or overlong item). */
static int next_list_item(char_string *cs, char *text, size_t *text_len)
{
	size_t n = 0;
	uint8_t c;
	int rc;
	bool any = cs->p < cs->end;
	if (!any)
		return 0;
	while ((rc = char_string_next(cs, &c)) > 0 && c != ',') {
		if (n + 1 >= ITEM_TEXT_MAX || c == '\0')
			return OWNDNS_ESVCPARAM;
		text[n++] = (char)c;
	}
	if (rc < 0)
		return rc;
	if (n == 0 || (rc > 0 && c == ',' && cs->p >= cs->end))
		return OWNDNS_ESVCPARAM; /* empty item, or a trailing comma */
	text[n] = '\0';
	*text_len = n;
	return 1;
}

/* "mandatory", "keyNNNNN" and the other names, in any letter case. */
static int parse_key_name(const char *s, size_t n, uint16_t *key, bool *generic_form)
{
	*generic_form = false;
	for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++) {
		if (ascii_equal_nocase(s, n, key_names[i].name)) {
			*key = key_names[i].key;
			return OWNDNS_OK;
		}
	}
	if (n < 4 || n > 8 || !ascii_equal_nocase(s, 3, "key"))
		return OWNDNS_ESVCPARAM;
	/* RFC 9460 §2.1: no leading zeros. */
	if (s[3] == '0' && n > 4)
		return OWNDNS_ESVCPARAM;
	unsigned long v = 0;
	for (size_t i = 3; i < n; i++) {
		if (!is_digit((uint8_t)s[i]))
			return OWNDNS_ESVCPARAM;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 0xffff)
		return OWNDNS_ESVCPARAM;
	*key = (uint16_t)v;
	*generic_form = true;
	return OWNDNS_OK;
}

static int compare_u16_be(const void *a, const void *b)
{
	return (int)get_u16(a) - (int)get_u16(b);
}

static int write_mandatory(char_string *cs, owndns_wbuf *out)
{
	char item[ITEM_TEXT_MAX];
	size_t item_len;
	size_t start = out->len;
	int rc;
	while ((rc = next_list_item(cs, item, &item_len)) > 0) {
		uint16_t key;
		bool generic_form;
		if (parse_key_name(item, item_len, &key, &generic_form))
			return OWNDNS_ESVCPARAM;
		owndns_wbuf_u16(out, key);
	}
	if (rc < 0 || out->error)
		return rc < 0 ? rc : out->error;
	/* Keys may be listed in any order in text; the wire wants them sorted. */
	qsort(out->data + start, (out->len - start) / 2, 2, compare_u16_be);
	return OWNDNS_OK;
}

static int write_address_list(char_string *cs, int af, owndns_wbuf *out)
{
	char item[ITEM_TEXT_MAX];
	size_t item_len;
	uint8_t address[16];
	int rc;
	while ((rc = next_list_item(cs, item, &item_len)) > 0) {
		if (inet_pton(af, item, address) != 1)
			return af == AF_INET ? OWNDNS_EIPV4 : OWNDNS_EIPV6;
		owndns_wbuf_bytes(out, address, af == AF_INET ? 4 : 16);
	}
	return rc;
}

/* RFC 9460 Appendix A.1: after the char-string is decoded, "\," and "\\" stand for
 * ',' and '\' inside an id and a plain ',' separates ids. */
static int write_alpn(char_string *cs, owndns_wbuf *out)
{
	size_t length_at = out->len;
	uint8_t c;
	int rc;
	owndns_wbuf_u8(out, 0);
	while ((rc = char_string_next(cs, &c)) > 0) {
		if (c == ',') {
			if (out->len - length_at == 1)
				return OWNDNS_ESVCPARAM; /* empty id */
			length_at = out->len;
			owndns_wbuf_u8(out, 0);
			continue;
		}
		if (c == '\\' && (rc = char_string_next(cs, &c)) <= 0)
			return rc < 0 ? rc : OWNDNS_EESCAPE;
		if (out->len - length_at > 255)
			return OWNDNS_ESTRING_LONG;
		owndns_wbuf_u8(out, c);
		if (!out->error)
			out->data[length_at] = (uint8_t)(out->len - length_at - 1);
	}
	if (rc < 0)
		return rc;
	if (out->len - length_at == 1)
		return OWNDNS_ESVCPARAM; /* empty list or trailing comma */
	return out->error;
}

static int write_port(char_string *cs, owndns_wbuf *out)
{
	uint8_t c;
	int rc;
	unsigned long v = 0;
	size_t digits = 0;
	while ((rc = char_string_next(cs, &c)) > 0) {
		if (!is_digit(c) || ++digits > 5)
			return OWNDNS_ENUMBER;
		v = v * 10 + (unsigned long)(c - '0');
	}
	if (rc < 0)
		return rc;
	if (digits == 0 || v > 0xffff)
		return OWNDNS_ENUMBER;
	owndns_wbuf_u16(out, (uint16_t)v);
	return out->error;
}

/* Base64 one 4-character quantum at a time, so no text buffer is needed. */
static int write_base64(char_string *cs, owndns_wbuf *out)
{
	char quantum[4];
	size_t filled = 0;
	bool padded = false;
	uint8_t c;
	int rc;
	while ((rc = char_string_next(cs, &c)) > 0) {
		if (padded)
			return OWNDNS_EBASE64;
		quantum[filled++] = (char)c;
		if (filled < 4)
			continue;
		rc = base64_decode(quantum, 4, out);
		if (rc)
			return rc;
		padded = quantum[3] == '=';
		filled = 0;
	}
	if (rc < 0)
		return rc;
	return filled ? OWNDNS_EBASE64 : OWNDNS_OK;
}

static int write_octets(char_string *cs, owndns_wbuf *out)
{
	uint8_t c;
	int rc;
	while ((rc = char_string_next(cs, &c)) > 0)
		owndns_wbuf_u8(out, c);
	return rc < 0 ? rc : out->error;
}

/* Writes the wire form of one value.  keyNNNNN values are wire octets whatever the
 * key (RFC 9460 §2.1); the list check afterwards catches malformed ones. */
static int write_value(uint16_t key, bool generic_form, char_string *cs, owndns_wbuf *out)
{
	if (generic_form)
		return write_octets(cs, out);
	switch (key) {
	case KEY_MANDATORY:
		return write_mandatory(cs, out);
	case KEY_ALPN:
		return write_alpn(cs, out);
	case KEY_PORT:
		return write_port(cs, out);
	case KEY_IPV4HINT:
		return write_address_list(cs, AF_INET, out);
	case KEY_ECH:
		return write_base64(cs, out);
	case KEY_IPV6HINT:
		return write_address_list(cs, AF_INET6, out);
	default:
		return write_octets(cs, out);
	}
}

static bool value_required(uint16_t key)
{
	return key == KEY_MANDATORY || key == KEY_ALPN || key == KEY_PORT ||
	       key == KEY_IPV4HINT || key == KEY_IPV6HINT;
}

/* Splits "key", "key=value", "key=\"value\"" (when the lexer keeps such a token whole)
 * and "key=" followed by a quoted token. */
static int read_param_text(lexer *lx, const lexer_token *tok, const char **key,
			   size_t *key_len, char_string *value, bool *has_value)
{
	if (tok->quoted)
		return OWNDNS_ESVCPARAM;
	const char *eq = memchr(tok->text, '=', tok->len);
	*key = tok->text;
	*key_len = eq ? (size_t)(eq - tok->text) : tok->len;
	*has_value = eq != NULL;
	value->p = value->end = tok->text + tok->len;
	if (*key_len == 0)
		return OWNDNS_ESVCPARAM;
	if (!eq)
		return OWNDNS_OK;
	value->p = eq + 1;
	if (value->p == value->end) {
		lexer_token next;
		int rc = lexer_peek(lx, &next);
		if (rc < 0)
			return rc;
		if (rc > 0 && next.quoted) {
			lexer_next(lx, &next);
			value->p = next.text;
			value->end = next.text + next.len;
		}
	} else if (*value->p == '"') {
		if (value->end - value->p < 2 || value->end[-1] != '"')
			return OWNDNS_ESVCPARAM;
		value->p++;
		value->end--;
	}
	return OWNDNS_OK;
}

static int write_param(lexer *lx, const lexer_token *tok, owndns_wbuf *out)
{
	const char *key_text;
	size_t key_len;
	char_string value;
	bool has_value, generic_form;
	uint16_t key;
	int rc = read_param_text(lx, tok, &key_text, &key_len, &value, &has_value);
	if (rc)
		return rc;
	if (parse_key_name(key_text, key_len, &key, &generic_form))
		return OWNDNS_ESVCPARAM;
	bool empty = value.p >= value.end;
	if (empty && !generic_form && value_required(key))
		return OWNDNS_ESVCPARAM;
	owndns_wbuf_u16(out, key);
	size_t length_at = out->len;
	owndns_wbuf_u16(out, 0);
	rc = write_value(key, generic_form, &value, out);
	if (rc)
		return rc;
	if (out->error)
		return out->error;
	size_t value_len = out->len - length_at - 2;
	if (value_len > 0xffff)
		return OWNDNS_ESVCPARAM;
	owndns_wbuf_put_u16_at(out, length_at, (uint16_t)value_len);
	return OWNDNS_OK;
}

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Reorders the parameter records of params[0..len) by key (RFC 9460 §2.2: keys in
 * strictly increasing order).  Rarely needed, so it may allocate. */
static int sort_params(uint8_t *params, size_t len)
{
	int rc = OWNDNS_ENOMEM;
	size_t count = 0;
	for (size_t i = 0; i < len; i += SVC_PARAM_HEADER + get_u16(params + i + 2))
		count++;
	/* An entry is key << 16 | offset: offsets fit 16 bits since len <= 65535. */
	uint32_t *order = malloc(count * sizeof(*order));
	uint8_t *copy = malloc(len);
	if (!order || !copy)
		goto done;
	memcpy(copy, params, len);
	size_t n = 0;
	for (size_t i = 0; i < len; i += SVC_PARAM_HEADER + get_u16(params + i + 2))
		order[n++] = (uint32_t)get_u16(params + i) << 16 | (uint32_t)i;
	qsort(order, count, sizeof(*order), compare_u32);
	size_t at = 0;
	for (size_t k = 0; k < count; k++) {
		const uint8_t *record = copy + (order[k] & 0xffff);
		size_t record_len = SVC_PARAM_HEADER + get_u16(record + 2);
		memcpy(params + at, record, record_len);
		at += record_len;
	}
	rc = OWNDNS_OK;
done:
	free(order);
	free(copy);
	return rc;
}

static bool params_are_sorted(const uint8_t *params, size_t len)
{
	long prev = -1;
	for (size_t i = 0; i < len; i += SVC_PARAM_HEADER + get_u16(params + i + 2)) {
		if (get_u16(params + i) <= prev)
			return false;
		prev = get_u16(params + i);
	}
	return true;
}

static int svc_params_from_text(lexer *lx, const uint8_t *origin, owndns_wbuf *out)
{
	(void)origin;
	size_t start = out->len;
	lexer_token tok;
	int rc;
	while ((rc = lexer_next(lx, &tok)) > 0) {
		rc = write_param(lx, &tok, out);
		if (rc)
			return rc;
	}
	if (rc < 0)
		return rc;
	uint8_t *params = out->data + start;
	size_t len = out->len - start;
	if (len == 0)
		return OWNDNS_OK;
	if (!params_are_sorted(params, len)) {
		rc = sort_params(params, len);
		if (rc)
			return rc;
	}
	/* Duplicate keys, bad values and inconsistent lists all show up here. */
	rc = check_param_list(params, len);
	return rc == OWNDNS_ETRUNCATED ? OWNDNS_ESVCPARAM : rc;
}

const rdata_field_ops rdata_svc_params_ops = {
	.check = svc_params_check,
	.to_text = svc_params_to_text,
	.from_text = svc_params_from_text,
};
