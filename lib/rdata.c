/* The RDATA engine: walks a type's field list (lib/rrtype.c) to check, expand,
 * print, parse and canonicalise RDATA.  Each simple field kind has one entry in
 * kind_ops below; RDF_SPECIAL hands the rest of the RDATA to desc->special. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <owndns/name.h>
#include <owndns/rdata.h>
#include <owndns/rr.h>

#include "encoding.h"
#include "rdata_field.h"

/* dig splits long base64 and hex fields into chunks of this many characters. */
#define DIG_CHUNK 56

/* ------------------------------------------------------------------ small helpers */

typedef struct code_name {
	uint16_t code;
	const char *name;
} code_name;

/* DNSSEC algorithm mnemonics as BIND prints them (RFC 4034 App. A.1, RFC 8624). */
static const code_name secalgs[] = {
	{ 1, "RSAMD5" }, { 2, "DH" }, { 3, "DSA" }, { 5, "RSASHA1" }, { 6, "NSEC3DSA" },
	{ 7, "NSEC3RSASHA1" }, { 8, "RSASHA256" }, { 10, "RSASHA512" }, { 12, "ECCGOST" },
	{ 13, "ECDSAP256SHA256" }, { 14, "ECDSAP384SHA384" }, { 15, "ED25519" },
	{ 16, "ED448" }, { 252, "INDIRECT" }, { 253, "PRIVATEDNS" }, { 254, "PRIVATEOID" },
};

/* RFC 4398 §2.1 certificate types. */
static const code_name cert_types[] = {
	{ 1, "PKIX" }, { 2, "SPKI" }, { 3, "PGP" }, { 4, "IPKIX" }, { 5, "ISPKI" },
	{ 6, "IPGP" }, { 7, "ACPKIX" }, { 8, "IACPKIX" }, { 253, "URI" }, { 254, "OID" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *code_lookup(const code_name *t, size_t n, uint16_t code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return NULL;
}

static char ascii_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static bool ascii_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool ascii_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int code_find(const code_name *t, size_t n, const char *text, size_t len, uint16_t *code)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < len && t[i].name[k] != '\0' && ascii_upper(text[k]) == t[i].name[k])
			k++;
		if (k == len && t[i].name[k] == '\0') {
			*code = t[i].code;
			return 1;
		}
	}
	return 0;
}

/* Unsigned decimal without sign or blanks, at most `max`.  Errors: ENUMBER. */
static int parse_decimal(const char *text, size_t len, uint64_t max, uint64_t *value)
{
	if (len == 0 || len > 20)
		return OWNDNS_ENUMBER;
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (!ascii_digit(text[i]))
			return OWNDNS_ENUMBER;
		uint64_t d = (uint64_t)(text[i] - '0');
		if (v > (max - d) / 10)
			return OWNDNS_ENUMBER;
		v = v * 10 + d;
	}
	*value = v;
	return OWNDNS_OK;
}

/* Next token of the entry, ESYNTAX when the entry has ended. */
static int need_token(lexer *lx, lexer_token *tok)
{
	int r = lexer_next(lx, tok);
	if (r == 0)
		return OWNDNS_ESYNTAX;
	return r < 0 ? r : OWNDNS_OK;
}

/* Resolves RFC 1035 §5.1 escapes (\X, \DDD) of a token into octets.  Errors: EESCAPE,
 * ESTRING_LONG when more than `max` octets. */
static int unescape(const lexer_token *tok, size_t max, owndns_wbuf *out)
{
	size_t n = 0;
	for (size_t i = 0; i < tok->len; i++, n++) {
		uint8_t c = (uint8_t)tok->text[i];
		if (c == '\\') {
			if (++i >= tok->len)
				return OWNDNS_EESCAPE;
			c = (uint8_t)tok->text[i];
			if (ascii_digit((char)c)) {
				if (i + 2 >= tok->len || !ascii_digit(tok->text[i + 1]) ||
				    !ascii_digit(tok->text[i + 2]))
					return OWNDNS_EESCAPE;
				unsigned v = (unsigned)(c - '0') * 100 +
					     (unsigned)(tok->text[i + 1] - '0') * 10 +
					     (unsigned)(tok->text[i + 2] - '0');
				if (v > 255)
					return OWNDNS_EESCAPE;
				c = (uint8_t)v;
				i += 2;
			}
		}
		if (n >= max)
			return OWNDNS_ESTRING_LONG;
		owndns_wbuf_u8(out, c);
	}
	return out->error;
}

/* ------------------------------------------------------------------ wire checks */

static void check_name(owndns_rbuf *rd)
{
	size_t len;
	if (rd->error)
		return;
	int rc = owndns_name_check(rd->data + rd->pos, rd->len - rd->pos, &len);
	if (rc != OWNDNS_OK)
		rd->error = rc;
	else
		rd->pos += len;
}

static void check_u8(owndns_rbuf *rd) { owndns_rbuf_take(rd, 1); }
static void check_u16(owndns_rbuf *rd) { owndns_rbuf_take(rd, 2); }
static void check_u32(owndns_rbuf *rd) { owndns_rbuf_take(rd, 4); }
static void check_u48(owndns_rbuf *rd) { owndns_rbuf_take(rd, 6); }
static void check_ipv6(owndns_rbuf *rd) { owndns_rbuf_take(rd, 16); }
static void check_eui64(owndns_rbuf *rd) { owndns_rbuf_take(rd, 8); }

static void check_string(owndns_rbuf *rd)
{
	uint8_t len = owndns_rbuf_u8(rd);
	owndns_rbuf_take(rd, len);
}

static void check_strings(owndns_rbuf *rd)
{
	do
		check_string(rd);
	while (!rd->error && owndns_rbuf_left(rd) > 0);
}

static void check_rest(owndns_rbuf *rd)
{
	owndns_rbuf_take(rd, owndns_rbuf_left(rd));
}

static void check_rest_nonempty(owndns_rbuf *rd)
{
	if (!rd->error && owndns_rbuf_left(rd) == 0)
		rd->error = OWNDNS_ETRUNCATED;
	check_rest(rd);
}

/* RFC 8659 §4.1: the CAA tag is 1..255 ASCII letters and digits. */
static void check_tag(owndns_rbuf *rd)
{
	uint8_t len = owndns_rbuf_u8(rd);
	const uint8_t *tag = owndns_rbuf_take(rd, len);
	if (!tag)
		return;
	if (len == 0)
		rd->error = OWNDNS_ERDATA;
	for (size_t i = 0; i < len; i++)
		if (!ascii_alnum(tag[i]))
			rd->error = OWNDNS_ERDATA;
}

/* RFC 5155 §3.2: the next hashed owner name has at least one octet. */
static void check_b32_len8(owndns_rbuf *rd)
{
	uint8_t len = owndns_rbuf_u8(rd);
	if (!rd->error && len == 0)
		rd->error = OWNDNS_ERDATA;
	owndns_rbuf_take(rd, len);
}

/* RFC 4034 §4.1.2: windows in increasing order, each 1..32 octets long; "blocks with
 * no types present MUST NOT be included" and "trailing zero octets in the bitmap MUST
 * be omitted", so a window's last octet is never zero (BIND checks the same).  Such a
 * bitmap has no presentation form that reads back to it: it is malformed, and prints
 * as RFC 3597 generic data.  An empty bitmap is valid. */
static void check_bitmap(owndns_rbuf *rd)
{
	int last = -1;
	while (!rd->error && owndns_rbuf_left(rd) > 0) {
		uint8_t window = owndns_rbuf_u8(rd);
		uint8_t len = owndns_rbuf_u8(rd);
		if (rd->error)
			return;
		if (len == 0 || len > 32 || window <= last) {
			rd->error = OWNDNS_EBITMAP;
			return;
		}
		const uint8_t *bits = owndns_rbuf_take(rd, len);
		if (bits && bits[len - 1] == 0) {
			rd->error = OWNDNS_EBITMAP;
			return;
		}
		last = window;
	}
}

static void check_special_missing(owndns_rbuf *rd)
{
	rd->error = OWNDNS_ERDATA;
}

/* ------------------------------------------------------------------ text output */

static void put_name(owndns_rbuf *rd, text_buf *out)
{
	char text[OWNDNS_NAME_TEXT_MAX];
	size_t len;
	if (owndns_name_check(rd->data + rd->pos, rd->len - rd->pos, &len) != OWNDNS_OK ||
	    owndns_name_to_text(rd->data + rd->pos, text, sizeof text) < 0) {
		rd->error = OWNDNS_ERDATA;
		return;
	}
	rd->pos += len;
	text_buf_puts(out, text);
}

static void put_u8(owndns_rbuf *rd, text_buf *out) { text_buf_printf(out, "%u", owndns_rbuf_u8(rd)); }
static void put_u16(owndns_rbuf *rd, text_buf *out) { text_buf_printf(out, "%u", owndns_rbuf_u16(rd)); }
static void put_u32(owndns_rbuf *rd, text_buf *out) { text_buf_printf(out, "%lu", (unsigned long)owndns_rbuf_u32(rd)); }

static void put_u48(owndns_rbuf *rd, text_buf *out)
{
	text_buf_printf(out, "%llu", (unsigned long long)owndns_rbuf_u48(rd));
}

static void put_type(owndns_rbuf *rd, text_buf *out)
{
	char text[OWNDNS_TYPE_TEXT_MAX];
	if (owndns_type_to_text(owndns_rbuf_u16(rd), text, sizeof text) > 0)
		text_buf_puts(out, text);
}

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days). */
static void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	unsigned doe = (unsigned)(days - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* RFC 4034 §3.1.5: the 32-bit times are serial numbers (RFC 1982), so like BIND the
 * value printed is the instant nearest to the present that has these low 32 bits. */
static int64_t time_from_serial(uint32_t value)
{
	int64_t now = (int64_t)time(NULL);
	uint32_t now32 = (uint32_t)now;
	int32_t delta = (int32_t)(value - now32);
	return now + delta;
}

static void put_time(owndns_rbuf *rd, text_buf *out)
{
	int64_t t = time_from_serial(owndns_rbuf_u32(rd));
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t secs = t - days * 86400;
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	text_buf_printf(out, "%04lld%02u%02u%02u%02u%02u", (long long)y, m, d,
			(unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
}

static void put_ipv4(owndns_rbuf *rd, text_buf *out)
{
	const uint8_t *a = owndns_rbuf_take(rd, 4);
	if (a)
		text_buf_printf(out, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

/* glibc's inet_ntop follows the same rules as BIND's (longest zero run of two or more
 * words, "::a.b.c.d" for IPv4-compatible and IPv4-mapped), so dig's text results. */
static void put_ipv6(owndns_rbuf *rd, text_buf *out)
{
	char text[INET6_ADDRSTRLEN];
	const uint8_t *a = owndns_rbuf_take(rd, 16);
	if (a && inet_ntop(AF_INET6, a, text, sizeof text))
		text_buf_puts(out, text);
}

/* dig's character-string form: always quoted, '"' and '\' escaped, octets outside
 * 0x20..0x7e as \DDD. */
static void put_quoted(const uint8_t *s, size_t len, text_buf *out)
{
	text_buf_putc(out, '"');
	for (size_t i = 0; i < len; i++) {
		uint8_t c = s[i];
		if (c == '"' || c == '\\') {
			text_buf_putc(out, '\\');
			text_buf_putc(out, (char)c);
		} else if (c < 0x20 || c > 0x7e) {
			text_buf_printf(out, "\\%03u", c);
		} else {
			text_buf_putc(out, (char)c);
		}
	}
	text_buf_putc(out, '"');
}

static void put_string(owndns_rbuf *rd, text_buf *out)
{
	uint8_t len = owndns_rbuf_u8(rd);
	const uint8_t *s = owndns_rbuf_take(rd, len);
	if (s || len == 0)
		put_quoted(s, len, out);
}

static void put_strings(owndns_rbuf *rd, text_buf *out)
{
	put_string(rd, out);
	while (!rd->error && owndns_rbuf_left(rd) > 0) {
		text_buf_putc(out, ' ');
		put_string(rd, out);
	}
}

static void put_string_rest(owndns_rbuf *rd, text_buf *out)
{
	size_t len = owndns_rbuf_left(rd);
	put_quoted(owndns_rbuf_take(rd, len), len, out);
}

static void put_tag(owndns_rbuf *rd, text_buf *out)
{
	uint8_t len = owndns_rbuf_u8(rd);
	const uint8_t *tag = owndns_rbuf_take(rd, len);
	if (tag)
		text_buf_put(out, (const char *)tag, len);
}

/* Encodes in slices of DIG_CHUNK characters so no large temporary is needed. */
static void put_base64_data(const uint8_t *data, size_t n, text_buf *out)
{
	enum { SLICE = DIG_CHUNK / 4 * 3 }; /* 42 octets -> 56 characters */
	char text[DIG_CHUNK];
	for (size_t i = 0; i < n; i += SLICE) {
		size_t k = n - i < SLICE ? n - i : SLICE;
		if (i)
			text_buf_putc(out, ' ');
		base64_encode(data + i, k, text);
		text_buf_put(out, text, base64_encoded_len(k));
	}
}

static void put_base64(owndns_rbuf *rd, text_buf *out)
{
	size_t n = owndns_rbuf_left(rd);
	const uint8_t *data = owndns_rbuf_take(rd, n);
	if (data)
		put_base64_data(data, n, out);
}

static void put_hex_data(const uint8_t *data, size_t n, bool chunked, text_buf *out)
{
	enum { SLICE = DIG_CHUNK / 2 };
	char text[DIG_CHUNK];
	for (size_t i = 0; i < n; i += SLICE) {
		size_t k = n - i < SLICE ? n - i : SLICE;
		if (i && chunked)
			text_buf_putc(out, ' ');
		hex_encode(data + i, k, text);
		text_buf_put(out, text, 2 * k);
	}
}

static void put_hex(owndns_rbuf *rd, text_buf *out)
{
	size_t n = owndns_rbuf_left(rd);
	const uint8_t *data = owndns_rbuf_take(rd, n);
	if (data)
		put_hex_data(data, n, true, out);
}

/* NSEC3 salt: dig prints it unsplit, "-" when empty (RFC 5155 §3.3). */
static void put_hex_len8(owndns_rbuf *rd, text_buf *out)
{
	uint8_t n = owndns_rbuf_u8(rd);
	const uint8_t *data = owndns_rbuf_take(rd, n);
	if (rd->error)
		return;
	if (n == 0)
		text_buf_putc(out, '-');
	else
		put_hex_data(data, n, false, out);
}

static void put_b32_len8(owndns_rbuf *rd, text_buf *out)
{
	char text[416];
	uint8_t n = owndns_rbuf_u8(rd);
	const uint8_t *data = owndns_rbuf_take(rd, n);
	if (!data)
		return;
	base32hex_encode(data, n, text);
	text_buf_put(out, text, base32hex_encoded_len(n));
}

static void put_bitmap(owndns_rbuf *rd, text_buf *out)
{
	bool first = true;
	while (!rd->error && owndns_rbuf_left(rd) > 0) {
		uint8_t window = owndns_rbuf_u8(rd);
		uint8_t len = owndns_rbuf_u8(rd);
		const uint8_t *bits = owndns_rbuf_take(rd, len);
		for (unsigned i = 0; bits && i < len * 8u; i++) {
			if (!(bits[i / 8] & (0x80 >> (i % 8))))
				continue;
			char text[OWNDNS_TYPE_TEXT_MAX];
			owndns_type_to_text((uint16_t)(window * 256 + i), text, sizeof text);
			if (!first)
				text_buf_putc(out, ' ');
			text_buf_puts(out, text);
			first = false;
		}
	}
}

static void put_eui(owndns_rbuf *rd, size_t n, text_buf *out)
{
	const uint8_t *a = owndns_rbuf_take(rd, n);
	for (size_t i = 0; a && i < n; i++)
		text_buf_printf(out, i ? "-%02x" : "%02x", a[i]);
}

static void put_eui48(owndns_rbuf *rd, text_buf *out) { put_eui(rd, 6, out); }
static void put_eui64(owndns_rbuf *rd, text_buf *out) { put_eui(rd, 8, out); }

/* RFC 6742 §2.3: four 16-bit groups in hex; dig prints them without leading zeros. */
static void put_ilnp64(owndns_rbuf *rd, text_buf *out)
{
	for (int i = 0; i < 4 && !rd->error; i++) {
		uint16_t group = owndns_rbuf_u16(rd);
		if (!rd->error)
			text_buf_printf(out, i ? ":%x" : "%x", group);
	}
}

/* RFC 1706 §6: "0x" and the octets in hex, as dig prints them (lower case, unsplit). */
static void put_nsap(owndns_rbuf *rd, text_buf *out)
{
	size_t n = owndns_rbuf_left(rd);
	const uint8_t *data = owndns_rbuf_take(rd, n);
	if (!data)
		return;
	text_buf_puts(out, "0x");
	for (size_t i = 0; i < n; i++)
		text_buf_printf(out, "%02x", data[i]);
}

/* DOA data: base64 in one word, "-" when empty (as dig prints it). */
static void put_base64_dash(owndns_rbuf *rd, text_buf *out)
{
	enum { SLICE = DIG_CHUNK / 4 * 3 };
	char text[DIG_CHUNK];
	size_t n = owndns_rbuf_left(rd);
	const uint8_t *data = owndns_rbuf_take(rd, n);
	if (!data)
		return;
	if (n == 0)
		text_buf_putc(out, '-');
	for (size_t i = 0; i < n; i += SLICE) {
		size_t k = n - i < SLICE ? n - i : SLICE;
		base64_encode(data + i, k, text);
		text_buf_put(out, text, base64_encoded_len(k));
	}
}

static void put_mnemonic_or_number(const code_name *t, size_t n, uint16_t v, text_buf *out)
{
	const char *m = code_lookup(t, n, v);
	if (m)
		text_buf_puts(out, m);
	else
		text_buf_printf(out, "%u", v);
}

static void put_cert_type(owndns_rbuf *rd, text_buf *out)
{
	put_mnemonic_or_number(cert_types, COUNT(cert_types), owndns_rbuf_u16(rd), out);
}

/* dig prints the algorithm as a number in DS, DNSKEY, RRSIG … but as a mnemonic in
 * CERT; the engine picks this printer for CERT. */
static void put_secalg_mnemonic(owndns_rbuf *rd, text_buf *out)
{
	put_mnemonic_or_number(secalgs, COUNT(secalgs), owndns_rbuf_u8(rd), out);
}

/* ------------------------------------------------------------------ text input */

static int parse_uint(lexer *lx, uint64_t max, size_t octets, owndns_wbuf *out)
{
	lexer_token tok;
	uint64_t v;
	int rc = need_token(lx, &tok);
	if (rc == OWNDNS_OK)
		rc = parse_decimal(tok.text, tok.len, max, &v);
	if (rc != OWNDNS_OK)
		return rc;
	for (size_t i = octets; i-- > 0;)
		owndns_wbuf_u8(out, (uint8_t)(v >> (8 * i)));
	return out->error;
}

static int parse_u8(lexer *lx, const uint8_t *o, owndns_wbuf *out) { (void)o; return parse_uint(lx, 0xff, 1, out); }
static int parse_u16(lexer *lx, const uint8_t *o, owndns_wbuf *out) { (void)o; return parse_uint(lx, 0xffff, 2, out); }
static int parse_u32(lexer *lx, const uint8_t *o, owndns_wbuf *out) { (void)o; return parse_uint(lx, 0xffffffffu, 4, out); }
static int parse_u48(lexer *lx, const uint8_t *o, owndns_wbuf *out) { (void)o; return parse_uint(lx, 0xffffffffffffull, 6, out); }

static int parse_name(lexer *lx, const uint8_t *origin, owndns_wbuf *out)
{
	lexer_token tok;
	uint8_t name[OWNDNS_NAME_MAX];
	size_t len;
	int rc = need_token(lx, &tok);
	if (rc == OWNDNS_OK)
		rc = owndns_name_from_text(tok.text, tok.len, origin, name, &len);
	if (rc != OWNDNS_OK)
		return rc;
	owndns_wbuf_bytes(out, name, len);
	return out->error;
}

static int parse_type(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	(void)o;
	lexer_token tok;
	uint16_t type;
	int rc = need_token(lx, &tok);
	if (rc == OWNDNS_OK)
		rc = owndns_type_from_text(tok.text, tok.len, &type);
	if (rc != OWNDNS_OK)
		return rc;
	owndns_wbuf_u16(out, type);
	return out->error;
}

/* "YYYYMMDDHHmmSS" (UTC) or a plain number of seconds (RFC 4034 §3.2).  The date form
 * stands for its number of seconds modulo 2^32 (RFC 4034 §3.1.5), whatever the year:
 * a time past 2106, or the 1957–1969 that serial arithmetic prints for 2094–2106,
 * reads back to the same 32-bit value. */
static int parse_time(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	(void)o;
	lexer_token tok;
	uint64_t v;
	int rc = need_token(lx, &tok);
	if (rc != OWNDNS_OK)
		return rc;
	if (tok.len != 14) {
		if (parse_decimal(tok.text, tok.len, 0xffffffffu, &v) != OWNDNS_OK)
			return OWNDNS_ETIME;
		owndns_wbuf_u32(out, (uint32_t)v);
		return out->error;
	}
	unsigned f[6];
	static const unsigned widths[6] = { 4, 2, 2, 2, 2, 2 };
	static const unsigned max[6] = { 9999, 12, 31, 23, 59, 60 };
	size_t at = 0;
	for (int i = 0; i < 6; i++) {
		if (parse_decimal(tok.text + at, widths[i], max[i], &v) != OWNDNS_OK)
			return OWNDNS_ETIME;
		f[i] = (unsigned)v;
		at += widths[i];
	}
	if (f[1] == 0 || f[2] == 0)
		return OWNDNS_ETIME;
	int64_t t = days_from_civil(f[0], f[1], f[2]) * 86400 + f[3] * 3600 + f[4] * 60 + f[5];
	owndns_wbuf_u32(out, (uint32_t)(uint64_t)t);
	return out->error;
}

/* Copies a token into a NUL-terminated buffer for libc parsers. */
static bool token_cstr(const lexer_token *tok, char *buf, size_t size)
{
	if (tok->len >= size)
		return false;
	memcpy(buf, tok->text, tok->len);
	buf[tok->len] = '\0';
	return true;
}

static int parse_ip(lexer *lx, int family, int err, owndns_wbuf *out)
{
	lexer_token tok;
	char text[INET6_ADDRSTRLEN + 1];
	uint8_t addr[16];
	int rc = need_token(lx, &tok);
	if (rc != OWNDNS_OK)
		return rc;
	if (!token_cstr(&tok, text, sizeof text) || inet_pton(family, text, addr) != 1)
		return err;
	owndns_wbuf_bytes(out, addr, family == AF_INET ? 4 : 16);
	return out->error;
}

static int parse_ipv4(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	(void)o;
	return parse_ip(lx, AF_INET, OWNDNS_EIPV4, out);
}

static int parse_ipv6(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	(void)o;
	return parse_ip(lx, AF_INET6, OWNDNS_EIPV6, out);
}

/* One <character-string>, quoted or not, with its length octet. */
static int parse_string(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	(void)o;
	lexer_token tok;
	int rc = need_token(lx, &tok);
	if (rc != OWNDNS_OK)
		return rc;
	size_t at = out->len;
	owndns_wbuf_u8(out, 0);
	rc = unescape(&tok, 255, out);
	if (rc != OWNDNS_OK)
		return rc;
	out->data[at] = (uint8_t)(out->len - at - 1);
	return OWNDNS_OK;
}

static int parse_strings(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	int rc;
	do
		rc = parse_string(lx, o, out);
	while (rc == OWNDNS_OK && !lexer_at_entry_end(lx));
	return rc;
}

static int parse_string_rest(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	(void)o;
	lexer_token tok;
	int rc = need_token(lx, &tok);
	if (rc != OWNDNS_OK)
		return rc;
	return unescape(&tok, OWNDNS_RDATA_MAX, out);
}

static int parse_tag(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	size_t at = out->len;
	int rc = parse_string(lx, o, out);
	if (rc != OWNDNS_OK)
		return rc;
	owndns_rbuf rd = owndns_rbuf_init(out->data + at, out->len - at);
	check_tag(&rd);
	return rd.error ? OWNDNS_ERDATA : OWNDNS_OK;
}

typedef int (*decoder)(const char *text, size_t len, owndns_wbuf *out);

/* Decodes the remaining tokens of the entry as one base64 or hex text.  Zone files may
 * split these fields anywhere, so the characters are joined in blocks whose size is a
 * multiple of the encoding's quantum.  Returns `empty_err` when there is no text. */
static int decode_rest(lexer *lx, decoder decode, int bad, int empty_err, owndns_wbuf *out)
{
	char block[256];
	size_t n = 0, total = 0;
	lexer_token tok;
	int r;
	while ((r = lexer_next(lx, &tok)) > 0) {
		for (size_t i = 0; i < tok.len; i++) {
			if (n == sizeof block) {
				/* Padding can only end the whole text. */
				if (block[n - 1] == '=')
					return bad;
				int rc = decode(block, n, out);
				if (rc != OWNDNS_OK)
					return rc;
				n = 0;
			}
			block[n++] = tok.text[i];
			total++;
		}
	}
	if (r < 0)
		return r;
	if (total == 0)
		return empty_err;
	return n ? decode(block, n, out) : OWNDNS_OK;
}

static int parse_base64(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	(void)o;
	return decode_rest(lx, base64_decode, OWNDNS_EBASE64, OWNDNS_ESYNTAX, out);
}

static int parse_base64_opt(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	(void)o;
	return decode_rest(lx, base64_decode, OWNDNS_EBASE64, OWNDNS_OK, out);
}

static int parse_hex(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	(void)o;
	return decode_rest(lx, hex_decode, OWNDNS_EHEX, OWNDNS_ESYNTAX, out);
}

static int parse_hex_opt(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	(void)o;
	return decode_rest(lx, hex_decode, OWNDNS_EHEX, OWNDNS_OK, out);
}

static int parse_counted(lexer *lx, decoder decode, bool dash_empty, owndns_wbuf *out)
{
	lexer_token tok;
	int rc = need_token(lx, &tok);
	if (rc != OWNDNS_OK)
		return rc;
	size_t at = out->len;
	owndns_wbuf_u8(out, 0);
	if (!(dash_empty && tok.len == 1 && tok.text[0] == '-')) {
		rc = decode(tok.text, tok.len, out);
		if (rc != OWNDNS_OK)
			return rc;
	}
	if (out->error)
		return out->error;
	if (out->len - at - 1 > 255)
		return OWNDNS_ERDATA;
	out->data[at] = (uint8_t)(out->len - at - 1);
	return OWNDNS_OK;
}

static int parse_hex_len8(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	(void)o;
	return parse_counted(lx, hex_decode, true, out);
}

static int parse_b32_len8(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	(void)o;
	size_t at = out->len;
	int rc = parse_counted(lx, base32hex_decode, false, out);
	if (rc == OWNDNS_OK && out->data[at] == 0)
		return OWNDNS_ERDATA;
	return rc;
}

/* Type list to an RFC 4034 §4.1.2 bitmap.  TYPE0 is accepted (dnspython refuses it in
 * text, not on the wire): a bitmap with bit 0 set prints "TYPE0", as dig prints it,
 * and must read back. */
static int parse_bitmap(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	(void)o;
	uint8_t bits[8192];
	uint8_t window_len[256];
	lexer_token tok;
	int r;
	memset(bits, 0, sizeof bits);
	memset(window_len, 0, sizeof window_len);
	while ((r = lexer_next(lx, &tok)) > 0) {
		uint16_t type;
		int rc = owndns_type_from_text(tok.text, tok.len, &type);
		if (rc != OWNDNS_OK)
			return rc;
		bits[type / 8] |= (uint8_t)(0x80 >> (type % 8));
		uint8_t need = (uint8_t)((type % 256) / 8 + 1);
		if (window_len[type / 256] < need)
			window_len[type / 256] = need;
	}
	if (r < 0)
		return r;
	for (unsigned w = 0; w < 256; w++) {
		if (!window_len[w])
			continue;
		owndns_wbuf_u8(out, (uint8_t)w);
		owndns_wbuf_u8(out, window_len[w]);
		owndns_wbuf_bytes(out, bits + w * 32, window_len[w]);
	}
	return out->error;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = ascii_upper(c);
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 7043 §3.2/§4.2: groups of two hex digits joined by '-'. */
static int parse_eui(lexer *lx, size_t n, owndns_wbuf *out)
{
	lexer_token tok;
	int rc = need_token(lx, &tok);
	if (rc != OWNDNS_OK)
		return rc;
	if (tok.len != n * 3 - 1)
		return OWNDNS_ESYNTAX;
	for (size_t i = 0; i < n; i++) {
		const char *p = tok.text + i * 3;
		int hi = hex_digit(p[0]), lo = hex_digit(p[1]);
		if (hi < 0 || lo < 0 || (i + 1 < n && p[2] != '-'))
			return OWNDNS_ESYNTAX;
		owndns_wbuf_u8(out, (uint8_t)(hi << 4 | lo));
	}
	return out->error;
}

static int parse_eui48(lexer *lx, const uint8_t *o, owndns_wbuf *out) { (void)o; return parse_eui(lx, 6, out); }
static int parse_eui64(lexer *lx, const uint8_t *o, owndns_wbuf *out) { (void)o; return parse_eui(lx, 8, out); }

static int parse_ilnp64(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	(void)o;
	lexer_token tok;
	int rc = need_token(lx, &tok);
	if (rc != OWNDNS_OK)
		return rc;
	size_t at = 0;
	for (int group = 0; group < 4; group++) {
		unsigned v = 0, digits = 0;
		if (group) {
			if (at >= tok.len || tok.text[at] != ':')
				return OWNDNS_ERDATA;
			at++;
		}
		for (; at < tok.len && tok.text[at] != ':'; at++, digits++) {
			int d = hex_digit(tok.text[at]);
			if (d < 0 || digits == 4)
				return OWNDNS_ERDATA;
			v = v * 16 + (unsigned)d;
		}
		if (digits == 0)
			return OWNDNS_ERDATA;
		owndns_wbuf_u16(out, (uint16_t)v);
	}
	return at == tok.len ? out->error : OWNDNS_ERDATA;
}

/* RFC 1706 §6: "0x" then hex digits, with dots anywhere between them for readability. */
static int parse_nsap(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	(void)o;
	lexer_token tok;
	int rc = need_token(lx, &tok);
	if (rc != OWNDNS_OK)
		return rc;
	if (tok.len < 3 || tok.text[0] != '0' || (tok.text[1] != 'x' && tok.text[1] != 'X'))
		return OWNDNS_EHEX;
	int high = -1;
	for (size_t i = 2; i < tok.len; i++) {
		if (tok.text[i] == '.')
			continue;
		int d = hex_digit(tok.text[i]);
		if (d < 0)
			return OWNDNS_EHEX;
		if (high < 0) {
			high = d;
		} else {
			owndns_wbuf_u8(out, (uint8_t)(high * 16 + d));
			high = -1;
		}
	}
	if (high >= 0)
		return OWNDNS_EHEX;
	return out->error;
}

static int parse_base64_dash(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	(void)o;
	lexer_token tok;
	int r = lexer_peek(lx, &tok);
	if (r < 0)
		return r;
	if (r > 0 && !tok.quoted && tok.len == 1 && tok.text[0] == '-') {
		lexer_next(lx, &tok);
		return OWNDNS_OK;
	}
	return decode_rest(lx, base64_decode, OWNDNS_EBASE64, OWNDNS_ESYNTAX, out);
}

static int parse_mnemonic_or_number(lexer *lx, const code_name *t, size_t n, uint64_t max,
				    size_t octets, owndns_wbuf *out)
{
	lexer_token tok;
	uint16_t code;
	uint64_t v;
	int rc = need_token(lx, &tok);
	if (rc != OWNDNS_OK)
		return rc;
	if (code_find(t, n, tok.text, tok.len, &code))
		v = code;
	else if ((rc = parse_decimal(tok.text, tok.len, max, &v)) != OWNDNS_OK)
		return rc;
	if (octets == 2)
		owndns_wbuf_u16(out, (uint16_t)v);
	else
		owndns_wbuf_u8(out, (uint8_t)v);
	return out->error;
}

static int parse_cert_type(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	(void)o;
	return parse_mnemonic_or_number(lx, cert_types, COUNT(cert_types), 0xffff, 2, out);
}

static int parse_secalg(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	(void)o;
	return parse_mnemonic_or_number(lx, secalgs, COUNT(secalgs), 0xff, 1, out);
}

/* ------------------------------------------------------------------ kind table */

static const rdata_field_ops kind_ops[] = {
	[RDF_NAME_C] = { check_name, put_name, parse_name },
	[RDF_NAME_D] = { check_name, put_name, parse_name },
	[RDF_NAME] = { check_name, put_name, parse_name },
	[RDF_U8] = { check_u8, put_u8, parse_u8 },
	[RDF_U16] = { check_u16, put_u16, parse_u16 },
	[RDF_U32] = { check_u32, put_u32, parse_u32 },
	[RDF_U48] = { check_u48, put_u48, parse_u48 },
	[RDF_TYPE] = { check_u16, put_type, parse_type },
	[RDF_TIME] = { check_u32, put_time, parse_time },
	[RDF_IPV4] = { check_u32, put_ipv4, parse_ipv4 },
	[RDF_IPV6] = { check_ipv6, put_ipv6, parse_ipv6 },
	[RDF_STRING] = { check_string, put_string, parse_string },
	[RDF_STRINGS] = { check_strings, put_strings, parse_strings },
	[RDF_STRING_REST] = { check_rest, put_string_rest, parse_string_rest },
	[RDF_TAG] = { check_tag, put_tag, parse_tag },
	[RDF_BASE64] = { check_rest_nonempty, put_base64, parse_base64 },
	[RDF_BASE64_OPT] = { check_rest, put_base64, parse_base64_opt },
	[RDF_HEX] = { check_rest_nonempty, put_hex, parse_hex },
	[RDF_HEX_OPT] = { check_rest, put_hex, parse_hex_opt },
	[RDF_HEX_LEN8] = { check_string, put_hex_len8, parse_hex_len8 },
	[RDF_B32_LEN8] = { check_b32_len8, put_b32_len8, parse_b32_len8 },
	[RDF_BITMAP] = { check_bitmap, put_bitmap, parse_bitmap },
	[RDF_EUI48] = { check_u48, put_eui48, parse_eui48 },
	[RDF_EUI64] = { check_eui64, put_eui64, parse_eui64 },
	[RDF_CERT_TYPE] = { check_u16, put_cert_type, parse_cert_type },
	[RDF_SECALG] = { check_u8, put_u8, parse_secalg },
	[RDF_ILNP64] = { check_eui64, put_ilnp64, parse_ilnp64 },
	[RDF_NSAP] = { check_rest_nonempty, put_nsap, parse_nsap },
	[RDF_BASE64_DASH] = { check_rest, put_base64_dash, parse_base64_dash },
};

const rdata_field_ops *rdata_kind_ops(rdata_field_kind kind)
{
	if ((size_t)kind >= COUNT(kind_ops) || !kind_ops[kind].check)
		return NULL;
	return &kind_ops[kind];
}

/* TTL-valued u32 fields accept BIND's units ("1h30m"), as in dnspython. */
static int parse_u32_ttl(lexer *lx, const uint8_t *o, owndns_wbuf *out)
{
	(void)o;
	lexer_token tok;
	uint32_t v;
	int rc = need_token(lx, &tok);
	if (rc == OWNDNS_OK)
		rc = owndns_ttl_from_text(tok.text, tok.len, &v);
	if (rc != OWNDNS_OK)
		return rc;
	owndns_wbuf_u32(out, v);
	return out->error;
}

/* RFC 7553 §4.5: the URI target is not empty. */
static void check_rest_nonempty_rdata(owndns_rbuf *rd)
{
	if (!rd->error && owndns_rbuf_left(rd) == 0)
		rd->error = OWNDNS_ERDATA;
	check_rest(rd);
}

/* RFC 8976 §2.2.4: a ZONEMD digest has at least 12 octets. */
static void check_zonemd_digest(owndns_rbuf *rd)
{
	if (!rd->error && owndns_rbuf_left(rd) < 12)
		rd->error = OWNDNS_ERDATA;
	check_rest(rd);
}

static const rdata_field_ops u32_ttl_ops = { check_u32, put_u32, parse_u32_ttl };
static const rdata_field_ops cert_secalg_ops = { check_u8, put_secalg_mnemonic, parse_secalg };
static const rdata_field_ops uri_target_ops = { check_rest_nonempty_rdata, put_string_rest,
						parse_string_rest };
static const rdata_field_ops zonemd_digest_ops = { check_zonemd_digest, put_hex, parse_hex };
static const rdata_field_ops missing_special_ops = { check_special_missing, NULL, NULL };

/* Fields whose rules go beyond their kind: (type, field index) -> converters.  dig
 * prints the CERT algorithm as a mnemonic but DS/DNSKEY/RRSIG algorithms as numbers. */
static const struct field_override {
	uint16_t type;
	uint8_t index;
	const rdata_field_ops *ops;
} overrides[] = {
	{ OWNDNS_TYPE_SOA, 3, &u32_ttl_ops }, { OWNDNS_TYPE_SOA, 4, &u32_ttl_ops },
	{ OWNDNS_TYPE_SOA, 5, &u32_ttl_ops }, { OWNDNS_TYPE_SOA, 6, &u32_ttl_ops },
	{ OWNDNS_TYPE_RRSIG, 3, &u32_ttl_ops }, { OWNDNS_TYPE_SIG, 3, &u32_ttl_ops },
	{ OWNDNS_TYPE_CERT, 2, &cert_secalg_ops },
	{ OWNDNS_TYPE_URI, 2, &uri_target_ops },
	{ OWNDNS_TYPE_ZONEMD, 3, &zonemd_digest_ops },
};

static const rdata_field_ops *field_ops(const rdata_desc *d, size_t index)
{
	uint8_t kind = d->fields[index];
	if (kind == RDF_SPECIAL)
		return d->special ? d->special : &missing_special_ops;
	for (size_t i = 0; i < COUNT(overrides); i++)
		if (overrides[i].type == d->type && overrides[i].index == index)
			return overrides[i].ops;
	if (kind >= COUNT(kind_ops) || !kind_ops[kind].check)
		return &missing_special_ops;
	return &kind_ops[kind];
}

static bool is_name_kind(uint8_t kind)
{
	return kind == RDF_NAME_C || kind == RDF_NAME_D || kind == RDF_NAME;
}

/* ------------------------------------------------------------------ public API */

static int check_fields(const rdata_desc *d, owndns_rbuf *rd)
{
	for (size_t i = 0; i < RDATA_FIELDS_MAX && d->fields[i] != RDF_END; i++) {
		field_ops(d, i)->check(rd);
		if (rd->error)
			return rd->error;
	}
	return owndns_rbuf_left(rd) ? OWNDNS_ETRAILING : OWNDNS_OK;
}

int owndns_rdata_check(uint16_t type, const uint8_t *rdata, size_t len)
{
	if (len > OWNDNS_RDATA_MAX)
		return OWNDNS_ERDATA_LEN;
	const rdata_desc *d = rdata_desc_find(type);
	if (!d)
		return OWNDNS_OK;
	owndns_rbuf rd = owndns_rbuf_init(rdata, len);
	return check_fields(d, &rd);
}

/* Expands one name field of a record in a message: pointers only where RFC 3597 §4
 * allows them.  `end` bounds the RDATA, so a name cannot run past it. */
static int unpack_name(uint8_t kind, const uint8_t *msg, owndns_rbuf *r, owndns_wbuf *out)
{
	uint8_t name[OWNDNS_NAME_MAX];
	size_t len, p = r->pos;
	int rc = kind == RDF_NAME ? owndns_name_unpack_plain(msg, r->len, &p, name, &len)
				  : owndns_name_unpack(msg, r->len, &p, name, &len);
	if (rc != OWNDNS_OK)
		return rc;
	r->pos = p;
	owndns_wbuf_bytes(out, name, len);
	return OWNDNS_OK;
}

int owndns_rdata_unpack(uint16_t type, const uint8_t *msg, size_t msg_len, size_t pos,
			size_t rdlen, uint8_t *out, size_t out_cap, size_t *out_len)
{
	if (pos > msg_len || rdlen > msg_len - pos)
		return OWNDNS_ETRUNCATED;
	const rdata_desc *d = rdata_desc_find(type);
	owndns_wbuf w = owndns_wbuf_init(out, out_cap < OWNDNS_RDATA_MAX ? out_cap : OWNDNS_RDATA_MAX);
	owndns_rbuf r = owndns_rbuf_init(msg, pos + rdlen);
	r.pos = pos;
	if (!d) {
		owndns_wbuf_bytes(&w, msg + pos, rdlen);
	} else {
		for (size_t i = 0; i < RDATA_FIELDS_MAX && d->fields[i] != RDF_END; i++) {
			uint8_t kind = d->fields[i];
			if (is_name_kind(kind)) {
				int rc = unpack_name(kind, msg, &r, &w);
				if (rc != OWNDNS_OK)
					return rc;
				continue;
			}
			size_t start = r.pos;
			field_ops(d, i)->check(&r);
			if (r.error)
				return r.error;
			owndns_wbuf_bytes(&w, msg + start, r.pos - start);
		}
		if (r.pos != r.len)
			return OWNDNS_ETRAILING;
	}
	if (w.error)
		return out_cap >= OWNDNS_RDATA_MAX ? OWNDNS_ERDATA_LEN : w.error;
	*out_len = w.len;
	return OWNDNS_OK;
}

int owndns_rdata_to_generic_text(const uint8_t *rdata, size_t len, char *out, size_t out_size)
{
	text_buf t;
	text_buf_init(&t, out, out_size);
	text_buf_printf(&t, "\\# %zu", len);
	if (len) {
		text_buf_putc(&t, ' ');
		put_hex_data(rdata, len, true, &t);
	}
	return text_buf_result(&t);
}

int owndns_rdata_to_text(uint16_t type, const uint8_t *rdata, size_t len, char *out,
			 size_t out_size)
{
	const rdata_desc *d = rdata_desc_find(type);
	if (!d || owndns_rdata_check(type, rdata, len) != OWNDNS_OK)
		return owndns_rdata_to_generic_text(rdata, len, out, out_size);
	text_buf t;
	text_buf_init(&t, out, out_size);
	owndns_rbuf rd = owndns_rbuf_init(rdata, len);
	for (size_t i = 0; i < RDATA_FIELDS_MAX && d->fields[i] != RDF_END; i++) {
		size_t before = t.len;
		field_ops(d, i)->to_text(&rd, &t);
		/* The separator goes in once the field printed something: a field that prints
		 * nothing (empty bitmap or key) leaves none, and needs no room for one. */
		if (i && t.len > before)
			text_buf_insert_c(&t, before, ' ');
	}
	if (rd.error)
		return owndns_rdata_to_generic_text(rdata, len, out, out_size);
	return text_buf_result(&t);
}

/* RFC 3597 §5: "\# len hex…", hex possibly split over tokens, "\# 0" for empty. */
static int generic_from_text(lexer *lx, owndns_wbuf *out)
{
	lexer_token tok;
	uint64_t len;
	int rc = need_token(lx, &tok); /* the "\#" itself */
	if (rc == OWNDNS_OK)
		rc = need_token(lx, &tok);
	if (rc == OWNDNS_ESYNTAX)
		return OWNDNS_EGENERIC;
	if (rc != OWNDNS_OK)
		return rc;
	if (parse_decimal(tok.text, tok.len, OWNDNS_RDATA_MAX, &len) != OWNDNS_OK)
		return OWNDNS_EGENERIC;
	size_t start = out->len;
	rc = decode_rest(lx, hex_decode, OWNDNS_EHEX, OWNDNS_OK, out);
	if (rc == OWNDNS_EHEX)
		return OWNDNS_EGENERIC;
	if (rc != OWNDNS_OK)
		return rc;
	if (out->len - start != len)
		return OWNDNS_EGENERIC;
	return OWNDNS_OK;
}

static bool is_generic_marker(const lexer_token *tok)
{
	return !tok->quoted && tok->len == 2 && tok->text[0] == '\\' && tok->text[1] == '#';
}

int rdata_from_lexer(uint16_t type, lexer *lx, const uint8_t *origin, uint8_t *out,
		     size_t out_cap, size_t *out_len)
{
	const rdata_desc *d = rdata_desc_find(type);
	owndns_wbuf w = owndns_wbuf_init(out, out_cap < OWNDNS_RDATA_MAX ? out_cap : OWNDNS_RDATA_MAX);
	lexer_token tok;
	int rc;
	int r = lexer_peek(lx, &tok);
	if (r < 0)
		return r;
	if (r > 0 && is_generic_marker(&tok)) {
		rc = generic_from_text(lx, &w);
	} else if (!d) {
		return OWNDNS_ESYNTAX;
	} else {
		rc = OWNDNS_OK;
		for (size_t i = 0; rc == OWNDNS_OK && i < RDATA_FIELDS_MAX && d->fields[i] != RDF_END; i++) {
			const rdata_field_ops *ops = field_ops(d, i);
			rc = ops->from_text ? ops->from_text(lx, origin, &w) : OWNDNS_ERDATA;
		}
	}
	if (rc == OWNDNS_OK && w.error)
		rc = w.error;
	if (rc == OWNDNS_ESPACE && out_cap >= OWNDNS_RDATA_MAX)
		return OWNDNS_ERDATA_LEN;
	if (rc != OWNDNS_OK)
		return rc;
	r = lexer_next(lx, &tok);
	if (r != 0)
		return r < 0 ? r : OWNDNS_ETRAILING;
	rc = owndns_rdata_check(type, out, w.len);
	if (rc != OWNDNS_OK)
		return rc;
	*out_len = w.len;
	return OWNDNS_OK;
}

int owndns_rdata_from_text(uint16_t type, const char *text, size_t text_len,
			   const uint8_t *origin, uint8_t *out, size_t out_cap, size_t *out_len)
{
	lexer lx;
	lexer_init(&lx, text, text_len);
	return rdata_from_lexer(type, &lx, origin, out, out_cap, out_len);
}

void owndns_rdata_canonicalize(uint16_t type, uint8_t *rdata, size_t len)
{
	const rdata_desc *d = rdata_desc_find(type);
	if (!d || !d->canonical_lower)
		return;
	owndns_rbuf rd = owndns_rbuf_init(rdata, len);
	for (size_t i = 0; i < RDATA_FIELDS_MAX && d->fields[i] != RDF_END && !rd.error; i++) {
		uint8_t kind = d->fields[i];
		if (is_name_kind(kind) && rd.pos < len)
			owndns_name_to_lower(rdata + rd.pos);
		field_ops(d, i)->check(&rd);
	}
}
