/* IPSECKEY RDATA (RFC 4025 §2): the whole RDATA is one format of its own, because the
 * gateway's form depends on the gateway type before it.
 *
 * Wire: PRECEDENCE, GATEWAY TYPE, ALGORITHM (one octet each), GATEWAY (nothing, 4 or
 * 16 octets, or an uncompressed name), PUBLIC KEY (the rest, possibly empty).
 * Text: "10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==". */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <owndns/name.h>

#include "encoding.h"
#include "rdata_field.h"

enum ipseckey_gateway_type {
	GATEWAY_NONE = 0,
	GATEWAY_IPV4 = 1,
	GATEWAY_IPV6 = 2,
	GATEWAY_NAME = 3,
};

/* dig prints base64 in words of 56 characters (its 60-column width, rounded down to
 * whole 4-character quanta) separated by spaces. */
#define BASE64_WORD 56
/* Longest address text inet_pton can accept, plus NUL. */
#define ADDRESS_TEXT_MAX 64

/* ---- wire ---- */

/* Length of the uncompressed name at the cursor, or 0 with the error recorded. */
static size_t name_at_cursor(owndns_rbuf *rd)
{
	size_t len = 0;
	size_t left = owndns_rbuf_left(rd);
	if (left == 0) {
		if (!rd->error)
			rd->error = OWNDNS_ETRUNCATED;
		return 0;
	}
	int rc = owndns_name_check(rd->data + rd->pos, left, &len);
	if (rc) {
		rd->error = rc;
		return 0;
	}
	return len;
}

static void check_gateway(owndns_rbuf *rd, uint8_t type)
{
	switch (type) {
	case GATEWAY_NONE:
		return;
	case GATEWAY_IPV4:
		owndns_rbuf_take(rd, 4);
		return;
	case GATEWAY_IPV6:
		owndns_rbuf_take(rd, 16);
		return;
	case GATEWAY_NAME:
		/* RFC 4025 §2.5: the name is never compressed. */
		owndns_rbuf_take(rd, name_at_cursor(rd));
		return;
	default:
		rd->error = OWNDNS_ERDATA;
		return;
	}
}

static void ipseckey_check(owndns_rbuf *rd)
{
	owndns_rbuf_u8(rd); /* precedence */
	uint8_t type = owndns_rbuf_u8(rd);
	owndns_rbuf_u8(rd); /* algorithm */
	if (rd->error)
		return;
	check_gateway(rd, type);
	/* The public key is the rest, of any length (RFC 4025 §2.6). */
	owndns_rbuf_take(rd, owndns_rbuf_left(rd));
}

/* ---- wire to text ---- */

static void put_address(text_buf *out, int af, const uint8_t *address)
{
	char text[INET6_ADDRSTRLEN];
	if (address && inet_ntop(af, address, text, sizeof(text)))
		text_buf_puts(out, text);
	else
		text_buf_putc(out, '?'); /* cannot happen for checked data */
}

static void put_gateway(owndns_rbuf *rd, uint8_t type, text_buf *out)
{
	char name[OWNDNS_NAME_TEXT_MAX];
	size_t len;
	const uint8_t *wire;
	switch (type) {
	case GATEWAY_IPV4:
		put_address(out, AF_INET, owndns_rbuf_take(rd, 4));
		break;
	case GATEWAY_IPV6:
		put_address(out, AF_INET6, owndns_rbuf_take(rd, 16));
		break;
	case GATEWAY_NAME:
		len = name_at_cursor(rd);
		wire = owndns_rbuf_take(rd, len);
		if (!wire || owndns_name_to_text(wire, name, sizeof(name)) < 0) {
			rd->error = OWNDNS_ERDATA;
			return;
		}
		text_buf_puts(out, name);
		break;
	default:
		text_buf_putc(out, '.');
		break;
	}
}

static void put_base64_words(text_buf *out, const uint8_t *data, size_t n)
{
	/* BASE64_WORD characters encode 42 octets. */
	const size_t octets_per_word = BASE64_WORD / 4 * 3;
	char word[BASE64_WORD];
	for (size_t done = 0; done < n; done += octets_per_word) {
		size_t chunk = n - done < octets_per_word ? n - done : octets_per_word;
		if (done)
			text_buf_putc(out, ' ');
		base64_encode(data + done, chunk, word);
		text_buf_put(out, word, base64_encoded_len(chunk));
	}
}

static void ipseckey_to_text(owndns_rbuf *rd, text_buf *out)
{
	uint8_t precedence = owndns_rbuf_u8(rd);
	uint8_t type = owndns_rbuf_u8(rd);
	uint8_t algorithm = owndns_rbuf_u8(rd);
	text_buf_printf(out, "%u %u %u ", precedence, type, algorithm);
	put_gateway(rd, type, out);
	size_t key_len = owndns_rbuf_left(rd);
	const uint8_t *key = owndns_rbuf_take(rd, key_len);
	/* An empty key (algorithm 0, RFC 4025 §2.4) prints as nothing, not as "". */
	if (key && key_len) {
		text_buf_putc(out, ' ');
		put_base64_words(out, key, key_len);
	}
}

/* ---- text to wire ---- */

static int next_token(lexer *lx, lexer_token *tok)
{
	int rc = lexer_next(lx, tok);
	if (rc < 0)
		return rc;
	return rc == 0 ? OWNDNS_ESYNTAX : OWNDNS_OK;
}

static int parse_u8(lexer *lx, uint8_t *value)
{
	lexer_token tok;
	int rc = next_token(lx, &tok);
	if (rc)
		return rc;
	unsigned v = 0;
	if (tok.len == 0 || tok.len > 3)
		return OWNDNS_ENUMBER;
	for (size_t i = 0; i < tok.len; i++) {
		if (tok.text[i] < '0' || tok.text[i] > '9')
			return OWNDNS_ENUMBER;
		v = v * 10 + (unsigned)(tok.text[i] - '0');
	}
	if (v > 255)
		return OWNDNS_ENUMBER;
	*value = (uint8_t)v;
	return OWNDNS_OK;
}

static int parse_address(const lexer_token *tok, int af, owndns_wbuf *out)
{
	char text[ADDRESS_TEXT_MAX];
	uint8_t address[16];
	int bad = af == AF_INET ? OWNDNS_EIPV4 : OWNDNS_EIPV6;
	if (tok->len >= sizeof(text) || memchr(tok->text, '\0', tok->len))
		return bad;
	memcpy(text, tok->text, tok->len);
	text[tok->len] = '\0';
	if (inet_pton(af, text, address) != 1)
		return bad;
	owndns_wbuf_bytes(out, address, af == AF_INET ? 4 : 16);
	return OWNDNS_OK;
}

static int parse_gateway(lexer *lx, uint8_t type, const uint8_t *origin, owndns_wbuf *out)
{
	lexer_token tok;
	uint8_t name[OWNDNS_NAME_MAX];
	size_t name_len;
	int rc = next_token(lx, &tok);
	if (rc)
		return rc;
	switch (type) {
	case GATEWAY_NONE:
		/* RFC 4025 §2.5: no gateway is written "." */
		return tok.len == 1 && tok.text[0] == '.' ? OWNDNS_OK : OWNDNS_ERDATA;
	case GATEWAY_IPV4:
		return parse_address(&tok, AF_INET, out);
	case GATEWAY_IPV6:
		return parse_address(&tok, AF_INET6, out);
	case GATEWAY_NAME:
		rc = owndns_name_from_text(tok.text, tok.len, origin, name, &name_len);
		if (rc)
			return rc;
		owndns_wbuf_bytes(out, name, name_len);
		return OWNDNS_OK;
	default:
		return OWNDNS_ERDATA;
	}
}

/* The key may be split over several tokens at any character, so it is decoded one
 * 4-character quantum at a time; padding may only close the last quantum. */
static int parse_public_key(lexer *lx, owndns_wbuf *out)
{
	char quantum[4];
	size_t filled = 0;
	bool padded = false;
	lexer_token tok;
	int rc;
	while ((rc = lexer_next(lx, &tok)) > 0) {
		for (size_t i = 0; i < tok.len; i++) {
			if (padded)
				return OWNDNS_EBASE64;
			quantum[filled++] = tok.text[i];
			if (filled < 4)
				continue;
			rc = base64_decode(quantum, 4, out);
			if (rc)
				return rc;
			padded = quantum[3] == '=';
			filled = 0;
		}
	}
	if (rc < 0)
		return rc;
	return filled ? OWNDNS_EBASE64 : OWNDNS_OK;
}

static int ipseckey_from_text(lexer *lx, const uint8_t *origin, owndns_wbuf *out)
{
	uint8_t precedence, type, algorithm;
	int rc = parse_u8(lx, &precedence);
	if (!rc)
		rc = parse_u8(lx, &type);
	if (!rc)
		rc = parse_u8(lx, &algorithm);
	if (rc)
		return rc;
	owndns_wbuf_u8(out, precedence);
	owndns_wbuf_u8(out, type);
	owndns_wbuf_u8(out, algorithm);
	rc = parse_gateway(lx, type, origin, out);
	if (!rc)
		rc = parse_public_key(lx, out);
	return rc ? rc : out->error;
}

const rdata_field_ops rdata_ipseckey_ops = {
	.check = ipseckey_check,
	.to_text = ipseckey_to_text,
	.from_text = ipseckey_from_text,
};
