/* APL RDATA (RFC 3123 §4): a possibly empty list of address prefix items.
 *
 * Wire item: ADDRESSFAMILY (16 bits), PREFIX (8), N (1 bit) + AFDLENGTH (7),
 * AFDPART (AFDLENGTH octets: the address with trailing zero octets left out).
 * Text item: "[!]afi:address/prefix", e.g. "!1:192.168.38.0/28". */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "rdata_field.h"

#define APL_FAMILY_IPV4 1
#define APL_FAMILY_IPV6 2
#define APL_NEGATION_BIT 0x80
#define APL_AFDLENGTH_MASK 0x7f
/* Longest address text inet_pton can accept ("ffff:...:255.255.255.255") plus NUL. */
#define APL_ADDRESS_TEXT_MAX 64

/* Octets of the full address, 0 for families APL does not define. */
static size_t family_address_len(uint16_t family)
{
	switch (family) {
	case APL_FAMILY_IPV4:
		return 4;
	case APL_FAMILY_IPV6:
		return 16;
	default:
		return 0;
	}
}

/* ---- wire ---- */

/* Items with undefined families do not check, so the engine prints the RDATA as
 * RFC 3597 generic data (as dig does).  Nor do addresses ending in a zero octet:
 * RFC 3123 §4 has the sender drop trailing zero octets, and the presentation form
 * cannot keep them (dnspython accepts them, and prints text that reads back shorter). */
static void apl_check(owndns_rbuf *rd)
{
	while (!rd->error && owndns_rbuf_left(rd) > 0) {
		uint16_t family = owndns_rbuf_u16(rd);
		uint8_t prefix = owndns_rbuf_u8(rd);
		uint8_t afdlength = owndns_rbuf_u8(rd) & APL_AFDLENGTH_MASK;
		size_t address_len = family_address_len(family);
		if (rd->error)
			return;
		if (address_len == 0 || afdlength > address_len || prefix > address_len * 8) {
			rd->error = OWNDNS_EAPL;
			return;
		}
		const uint8_t *afdpart = owndns_rbuf_take(rd, afdlength);
		if (afdpart && afdlength > 0 && afdpart[afdlength - 1] == 0) {
			rd->error = OWNDNS_EAPL;
			return;
		}
	}
}

/* ---- wire to text ---- */

static void put_item(text_buf *out, uint16_t family, uint8_t prefix, bool negated,
		     const uint8_t *afdpart, uint8_t afdlength)
{
	uint8_t address[16] = { 0 };
	char text[INET6_ADDRSTRLEN];
	memcpy(address, afdpart, afdlength);
	int af = family == APL_FAMILY_IPV4 ? AF_INET : AF_INET6;
	if (!inet_ntop(af, address, text, sizeof(text))) {
		text_buf_puts(out, "?"); /* cannot happen for checked data */
		return;
	}
	text_buf_printf(out, "%s%u:%s/%u", negated ? "!" : "", (unsigned)family, text,
			(unsigned)prefix);
}

static void apl_to_text(owndns_rbuf *rd, text_buf *out)
{
	bool first = true;
	while (!rd->error && owndns_rbuf_left(rd) > 0) {
		uint16_t family = owndns_rbuf_u16(rd);
		uint8_t prefix = owndns_rbuf_u8(rd);
		uint8_t n_afdlength = owndns_rbuf_u8(rd);
		uint8_t afdlength = n_afdlength & APL_AFDLENGTH_MASK;
		const uint8_t *afdpart = owndns_rbuf_take(rd, afdlength);
		if (rd->error || afdlength > family_address_len(family))
			return;
		if (!first)
			text_buf_putc(out, ' ');
		first = false;
		put_item(out, family, prefix, (n_afdlength & APL_NEGATION_BIT) != 0,
			 afdlength ? afdpart : (const uint8_t *)"", afdlength);
	}
}

/* ---- text to wire ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A decimal number of 1..5 digits, consumed up to `stop` (or the end when stop is 0). */
static int parse_decimal(const char **s, const char *end, char stop, unsigned *value)
{
	const char *p = *s;
	unsigned v = 0;
	size_t digits = 0;
	while (p < end && is_digit(*p) && digits < 5) {
		v = v * 10 + (unsigned)(*p - '0');
		digits++;
		p++;
	}
	if (digits == 0)
		return OWNDNS_EAPL;
	if (stop ? (p == end || *p != stop) : p != end)
		return OWNDNS_EAPL;
	*s = stop ? p + 1 : p;
	*value = v;
	return OWNDNS_OK;
}

static int parse_address(uint16_t family, const char *s, size_t n, uint8_t address[16])
{
	char text[APL_ADDRESS_TEXT_MAX];
	int bad = family == APL_FAMILY_IPV4 ? OWNDNS_EIPV4 : OWNDNS_EIPV6;
	if (n >= sizeof(text) || memchr(s, '\0', n))
		return bad;
	memcpy(text, s, n);
	text[n] = '\0';
	int af = family == APL_FAMILY_IPV4 ? AF_INET : AF_INET6;
	return inet_pton(af, text, address) == 1 ? OWNDNS_OK : bad;
}

static int parse_item(const lexer_token *tok, owndns_wbuf *out)
{
	const char *s = tok->text;
	const char *end = tok->text + tok->len;
	bool negated = false;
	unsigned family, prefix;
	uint8_t address[16];
	if (s < end && *s == '!') {
		negated = true;
		s++;
	}
	if (parse_decimal(&s, end, ':', &family))
		return OWNDNS_EAPL;
	size_t address_len = family_address_len((uint16_t)(family > 0xffff ? 0 : family));
	if (address_len == 0)
		return OWNDNS_EAPL;
	const char *slash = memchr(s, '/', (size_t)(end - s));
	if (!slash)
		return OWNDNS_EAPL;
	int rc = parse_address((uint16_t)family, s, (size_t)(slash - s), address);
	if (rc)
		return rc;
	s = slash + 1;
	if (parse_decimal(&s, end, 0, &prefix) || prefix > address_len * 8)
		return OWNDNS_EAPL;
	/* RFC 3123 §4: trailing zero octets are not sent. */
	size_t afdlength = address_len;
	while (afdlength > 0 && address[afdlength - 1] == 0)
		afdlength--;
	owndns_wbuf_u16(out, (uint16_t)family);
	owndns_wbuf_u8(out, (uint8_t)prefix);
	owndns_wbuf_u8(out, (uint8_t)(afdlength | (negated ? APL_NEGATION_BIT : 0)));
	owndns_wbuf_bytes(out, address, afdlength);
	return out->error;
}

static int apl_from_text(lexer *lx, const uint8_t *origin, owndns_wbuf *out)
{
	(void)origin;
	lexer_token tok;
	int rc;
	while ((rc = lexer_next(lx, &tok)) > 0) {
		rc = parse_item(&tok, out);
		if (rc)
			return rc;
	}
	return rc;
}

const rdata_field_ops rdata_apl_ops = {
	.check = apl_check,
	.to_text = apl_to_text,
	.from_text = apl_from_text,
};
