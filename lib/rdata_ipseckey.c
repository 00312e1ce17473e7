/* IPSECKEY RDATA (RFC 4025 §2): the whole RDATA is one format of its own, because the
 * gateway's form depends on the gateway type before it.
 *
 * Wire: PRECEDENCE, GATEWAY TYPE, ALGORITHM (one octet each), GATEWAY (nothing, 4 or
 * 16 octets, or an uncompressed name), PUBLIC KEY (the rest, possibly empty).
 * Text: "10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==". */
#include <stdbool.h>
#include <stdint.h>

#include "encoding.h"
#include "rdata_field.h"

/* dig prints base64 in words of 56 characters (its 60-column width, rounded down to
 * whole 4-character quanta) separated by spaces. */
#define BASE64_WORD 56

/* ---- wire ---- */

static void ipseckey_check(owndns_rbuf *rd)
{
	owndns_rbuf_u8(rd); /* precedence */
	uint8_t type = owndns_rbuf_u8(rd);
	owndns_rbuf_u8(rd); /* algorithm */
	if (rd->error)
		return;
	rdata_gateway_check(rd, type);
	/* The public key is the rest, of any length (RFC 4025 §2.6). */
	owndns_rbuf_take(rd, owndns_rbuf_left(rd));
}

/* ---- wire to text ---- */

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
	rdata_gateway_to_text(rd, type, out);
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
	rc = rdata_gateway_from_text(lx, type, origin, out);
	if (!rc)
		rc = parse_public_key(lx, out);
	return rc ? rc : out->error;
}

const rdata_field_ops rdata_ipseckey_ops = {
	.check = ipseckey_check,
	.to_text = ipseckey_to_text,
	.from_text = ipseckey_from_text,
};
