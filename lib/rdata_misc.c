/* RDATA formats of their own that dig prints in their own presentation form, built
 * from the simple field kinds where they can be:
 *
 *   WKS       RFC 1035 §3.4.2   "192.0.2.1 6 21 25"        address, protocol, port bitmap
 *   A6        RFC 2874 §3       "64 ::1:2:3:4 prefix.example."  the suffix's size and the
 *                               name's presence depend on the prefix length
 *   HIP       RFC 8005 §5       "2 200100107B1A… AwEAAb… rvs.example."
 *   AMTRELAY  RFC 8777 §4       "10 1 1 203.0.113.15"      the relay's form depends on its type
 *
 * A wire form that its text could not give back (bits set where none may be, a WKS
 * bitmap ending in a zero octet) does not check, so it prints as RFC 3597 generic data;
 * dig refuses the same forms. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <owndns/name.h>

#include "encoding.h"
#include "rdata_field.h"

enum {
	WKS_BITMAP_MAX = 8192, /* 65536 ports */
	A6_PREFIX_MAX = 128,
	AMTRELAY_TYPE_MASK = 0x7f,
	AMTRELAY_D_BIT = 0x80,
	PROTO_TCP = 6,
	PROTO_UDP = 17,
};

static const rdata_field_ops *kind(rdata_field_kind k)
{
	return rdata_kind_ops(k);
}

static void fail(owndns_rbuf *rd, int error)
{
	if (!rd->error)
		rd->error = error;
}

static int next_token(lexer *lx, lexer_token *tok)
{
	int rc = lexer_next(lx, tok);
	if (rc < 0)
		return rc;
	return rc == 0 ? OWNDNS_ESYNTAX : OWNDNS_OK;
}

/* 64-bit accumulator: ten digits overflow a 32-bit unsigned long (armhf). */
static int token_number(const lexer_token *tok, unsigned long max, unsigned long *value)
{
	uint64_t v = 0;
	if (tok->quoted || tok->len == 0 || tok->len > 10)
		return OWNDNS_ENUMBER;
	for (size_t i = 0; i < tok->len; i++) {
		if (tok->text[i] < '0' || tok->text[i] > '9')
			return OWNDNS_ENUMBER;
		v = v * 10 + (uint64_t)(tok->text[i] - '0');
	}
	if (v > (uint64_t)max)
		return OWNDNS_ENUMBER;
	*value = (unsigned long)v;
	return OWNDNS_OK;
}

static int next_number(lexer *lx, unsigned long max, unsigned long *value)
{
	lexer_token tok;
	int rc = next_token(lx, &tok);
	return rc ? rc : token_number(&tok, max, value);
}

static bool token_is(const lexer_token *tok, const char *word)
{
	size_t n = strlen(word);
	if (tok->len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = tok->text[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != word[i])
			return false;
	}
	return true;
}

/* ---- WKS ---------------------------------------------------------------------- */

static void wks_check(owndns_rbuf *rd)
{
	owndns_rbuf_take(rd, 4 + 1);
	size_t n = owndns_rbuf_left(rd);
	const uint8_t *bitmap = owndns_rbuf_take(rd, n);
	if (rd->error)
		return;
	/* Trailing zero octets could not be written back from the port list. */
	if (n > WKS_BITMAP_MAX || (n > 0 && bitmap[n - 1] == 0))
		fail(rd, OWNDNS_ERDATA);
}

/* dig prints the protocol and the ports as numbers. */
static void wks_to_text(owndns_rbuf *rd, text_buf *out)
{
	kind(RDF_IPV4)->to_text(rd, out);
	text_buf_printf(out, " %u", owndns_rbuf_u8(rd));
	size_t n = owndns_rbuf_left(rd);
	const uint8_t *bitmap = owndns_rbuf_take(rd, n);
	for (size_t port = 0; bitmap && port < n * 8; port++)
		if (bitmap[port / 8] & (0x80u >> (port % 8)))
			text_buf_printf(out, " %zu", port);
}

/* The protocol is a number or "tcp"/"udp"; ports are numbers. */
static int wks_from_text(lexer *lx, const uint8_t *origin, owndns_wbuf *out)
{
	static const uint8_t empty[WKS_BITMAP_MAX];
	lexer_token tok;
	unsigned long protocol, port;
	size_t bitmap_at, bitmap_len = 0;
	int rc = kind(RDF_IPV4)->from_text(lx, origin, out);
	if (!rc)
		rc = next_token(lx, &tok);
	if (rc)
		return rc;
	if (token_is(&tok, "tcp"))
		protocol = PROTO_TCP;
	else if (token_is(&tok, "udp"))
		protocol = PROTO_UDP;
	else if ((rc = token_number(&tok, 0xff, &protocol)) != OWNDNS_OK)
		return rc;
	owndns_wbuf_u8(out, (uint8_t)protocol);
	bitmap_at = out->len;
	while ((rc = lexer_next(lx, &tok)) > 0) {
		rc = token_number(&tok, 0xffff, &port);
		if (rc)
			return rc;
		if (port / 8 + 1 > bitmap_len) {
			/* Grow the bitmap with zero octets up to the port's one. */
			owndns_wbuf_bytes(out, empty, port / 8 + 1 - bitmap_len);
			if (out->error)
				return out->error;
			bitmap_len = port / 8 + 1;
		}
		out->data[bitmap_at + port / 8] |= (uint8_t)(0x80u >> (port % 8));
	}
	return rc < 0 ? rc : out->error;
}

const rdata_field_ops rdata_wks_ops = {
	.check = wks_check,
	.to_text = wks_to_text,
	.from_text = wks_from_text,
};

/* ---- A6 ----------------------------------------------------------------------- */

/* Octets of the address suffix: the 128 - prefix bits, padded to whole octets. */
static size_t a6_suffix_len(uint8_t prefix)
{
	return (size_t)(A6_PREFIX_MAX - prefix + 7) / 8;
}

/* Bits of the suffix's first octet that belong to the prefix: they must be zero. */
static uint8_t a6_pad_mask(uint8_t prefix)
{
	return prefix % 8 ? (uint8_t)~(0xffu >> (prefix % 8)) : 0;
}

static void a6_check(owndns_rbuf *rd)
{
	uint8_t prefix = owndns_rbuf_u8(rd);
	if (!rd->error && prefix > A6_PREFIX_MAX)
		fail(rd, OWNDNS_ERDATA);
	if (rd->error)
		return;
	size_t n = a6_suffix_len(prefix);
	const uint8_t *suffix = owndns_rbuf_take(rd, n);
	if (suffix && n > 0 && (suffix[0] & a6_pad_mask(prefix)))
		fail(rd, OWNDNS_ERDATA);
	if (prefix > 0)
		owndns_rbuf_take(rd, rdata_name_length_at(rd));
}

/* dig prints the suffix as a whole IPv6 address, and nothing for it at prefix 128
 * ("128  prefix.example.": two blanks). */
static void a6_to_text(owndns_rbuf *rd, text_buf *out)
{
	uint8_t address[16] = { 0 };
	uint8_t prefix = owndns_rbuf_u8(rd);
	size_t n = a6_suffix_len(prefix);
	const uint8_t *suffix = owndns_rbuf_take(rd, n);
	if (rd->error)
		return;
	text_buf_printf(out, "%u ", prefix);
	if (n > 0) {
		memcpy(address + 16 - n, suffix, n);
		owndns_rbuf whole = owndns_rbuf_init(address, sizeof address);
		kind(RDF_IPV6)->to_text(&whole, out);
	}
	if (prefix > 0) {
		text_buf_putc(out, ' ');
		kind(RDF_NAME)->to_text(rd, out);
	}
}

/* Bits of the address that belong to the prefix are cleared, as BIND does. */
static int a6_from_text(lexer *lx, const uint8_t *origin, owndns_wbuf *out)
{
	uint8_t address[16];
	unsigned long prefix;
	int rc = next_number(lx, A6_PREFIX_MAX, &prefix);
	if (rc)
		return rc;
	owndns_wbuf_u8(out, (uint8_t)prefix);
	size_t n = a6_suffix_len((uint8_t)prefix);
	if (n > 0) {
		owndns_wbuf addr = owndns_wbuf_init(address, sizeof address);
		rc = kind(RDF_IPV6)->from_text(lx, origin, &addr);
		if (rc)
			return rc;
		address[16 - n] &= (uint8_t)~a6_pad_mask((uint8_t)prefix);
		owndns_wbuf_bytes(out, address + 16 - n, n);
	}
	if (prefix > 0)
		rc = kind(RDF_NAME)->from_text(lx, origin, out);
	return rc ? rc : out->error;
}

const rdata_field_ops rdata_a6_ops = {
	.check = a6_check,
	.to_text = a6_to_text,
	.from_text = a6_from_text,
};

/* ---- HIP ---------------------------------------------------------------------- */

static void hip_check(owndns_rbuf *rd)
{
	uint8_t hit_len = owndns_rbuf_u8(rd);
	owndns_rbuf_u8(rd); /* public key algorithm */
	uint16_t key_len = owndns_rbuf_u16(rd);
	if (!rd->error && (hit_len == 0 || key_len == 0))
		fail(rd, OWNDNS_ERDATA);
	owndns_rbuf_take(rd, hit_len);
	owndns_rbuf_take(rd, key_len);
	/* Rendezvous servers: uncompressed names to the end (RFC 8005 §5). */
	while (!rd->error && owndns_rbuf_left(rd) > 0)
		owndns_rbuf_take(rd, rdata_name_length_at(rd));
}

/* dig prints the HIT in upper-case hex and the key in base64, both unsplit. */
static void hip_to_text(owndns_rbuf *rd, text_buf *out)
{
	char text[64];
	uint8_t hit_len = owndns_rbuf_u8(rd);
	uint8_t algorithm = owndns_rbuf_u8(rd);
	uint16_t key_len = owndns_rbuf_u16(rd);
	const uint8_t *hit = owndns_rbuf_take(rd, hit_len);
	const uint8_t *key = owndns_rbuf_take(rd, key_len);
	if (rd->error)
		return;
	text_buf_printf(out, "%u ", algorithm);
	for (size_t i = 0; i < hit_len; i += 16) {
		size_t k = hit_len - i < 16 ? hit_len - i : 16;
		hex_encode(hit + i, k, text);
		text_buf_put(out, text, 2 * k);
	}
	text_buf_putc(out, ' ');
	for (size_t i = 0; i < key_len; i += 45) {
		size_t k = key_len - i < 45u ? key_len - i : 45u;
		base64_encode(key + i, k, text);
		text_buf_put(out, text, base64_encoded_len(k));
	}
	while (!rd->error && owndns_rbuf_left(rd) > 0) {
		text_buf_putc(out, ' ');
		kind(RDF_NAME)->to_text(rd, out);
	}
}

/* Decodes one token into out and returns its octet count through *len. */
static int decode_token(lexer *lx, int (*decode)(const char *, size_t, owndns_wbuf *),
			owndns_wbuf *out, size_t *len)
{
	lexer_token tok;
	size_t start = out->len;
	int rc = next_token(lx, &tok);
	if (!rc)
		rc = decode(tok.text, tok.len, out);
	if (!rc)
		rc = out->error;
	*len = out->len - start;
	return rc;
}

static int hip_from_text(lexer *lx, const uint8_t *origin, owndns_wbuf *out)
{
	unsigned long algorithm;
	size_t hit_len, key_len;
	lexer_token tok;
	int rc = next_number(lx, 0xff, &algorithm);
	if (rc)
		return rc;
	size_t header_at = out->len;
	owndns_wbuf_u8(out, 0);
	owndns_wbuf_u8(out, (uint8_t)algorithm);
	owndns_wbuf_u16(out, 0);
	rc = decode_token(lx, hex_decode, out, &hit_len);
	if (!rc)
		rc = decode_token(lx, base64_decode, out, &key_len);
	if (rc)
		return rc;
	if (hit_len == 0 || hit_len > 0xff || key_len == 0 || key_len > 0xffff)
		return OWNDNS_ERDATA;
	out->data[header_at] = (uint8_t)hit_len;
	owndns_wbuf_put_u16_at(out, header_at + 2, (uint16_t)key_len);
	while ((rc = lexer_peek(lx, &tok)) > 0) {
		rc = kind(RDF_NAME)->from_text(lx, origin, out);
		if (rc)
			return rc;
	}
	return rc < 0 ? rc : out->error;
}

const rdata_field_ops rdata_hip_ops = {
	.check = hip_check,
	.to_text = hip_to_text,
	.from_text = hip_from_text,
};

/* ---- AMTRELAY ----------------------------------------------------------------- */

static void amtrelay_check(owndns_rbuf *rd)
{
	owndns_rbuf_u8(rd); /* precedence */
	uint8_t type = owndns_rbuf_u8(rd) & AMTRELAY_TYPE_MASK;
	if (!rd->error)
		rdata_gateway_check(rd, type);
}

static void amtrelay_to_text(owndns_rbuf *rd, text_buf *out)
{
	uint8_t precedence = owndns_rbuf_u8(rd);
	uint8_t d_type = owndns_rbuf_u8(rd);
	uint8_t type = d_type & AMTRELAY_TYPE_MASK;
	if (rd->error)
		return;
	text_buf_printf(out, "%u %u %u ", precedence, (d_type & AMTRELAY_D_BIT) ? 1u : 0u, type);
	rdata_gateway_to_text(rd, type, out);
}

/* RFC 8777 §4.3: "precedence D type relay", the relay "." for type 0. */
static int amtrelay_from_text(lexer *lx, const uint8_t *origin, owndns_wbuf *out)
{
	unsigned long precedence, d, type;
	int rc = next_number(lx, 0xff, &precedence);
	if (!rc)
		rc = next_number(lx, 1, &d);
	if (!rc)
		rc = next_number(lx, RDATA_GATEWAY_NAME, &type);
	if (rc)
		return rc;
	owndns_wbuf_u8(out, (uint8_t)precedence);
	owndns_wbuf_u8(out, (uint8_t)(type | (d ? AMTRELAY_D_BIT : 0)));
	rc = rdata_gateway_from_text(lx, (uint8_t)type, origin, out);
	return rc ? rc : out->error;
}

const rdata_field_ops rdata_amtrelay_ops = {
	.check = amtrelay_check,
	.to_text = amtrelay_to_text,
	.from_text = amtrelay_from_text,
};
