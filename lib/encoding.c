/* Binary-to-text encodings of RFC 4648: base64 (§4), base32hex (§7) and hex (§8).
 * Decoders are strict about characters, padding and length, and leave `out` as it was
 * when the input is malformed. */
#include "encoding.h"

#include <stdbool.h>

#define INVALID_DIGIT 0xFF

static const char base64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char base32hex_alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
static const char hex_alphabet[] = "0123456789ABCDEF";

static uint8_t base64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (uint8_t)(c - 'A');
	if (c >= 'a' && c <= 'z')
		return (uint8_t)(c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (uint8_t)(c - '0' + 52);
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return INVALID_DIGIT;
}

/* Case-insensitive, as RFC 5155 §3.3 presents NSEC3 hashes in either case. */
static uint8_t base32hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return (uint8_t)(c - '0');
	if (c >= 'A' && c <= 'V')
		return (uint8_t)(c - 'A' + 10);
	if (c >= 'a' && c <= 'v')
		return (uint8_t)(c - 'a' + 10);
	return INVALID_DIGIT;
}

static uint8_t hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return (uint8_t)(c - '0');
	if (c >= 'A' && c <= 'F')
		return (uint8_t)(c - 'A' + 10);
	if (c >= 'a' && c <= 'f')
		return (uint8_t)(c - 'a' + 10);
	return INVALID_DIGIT;
}

/* On a syntax error the octets already written are taken back; an ESPACE stays
 * recorded in `out` (it is sticky) and is returned as such. */
static int decode_result(owndns_wbuf *out, size_t start_len, int rc)
{
	if (out->error)
		return out->error;
	if (rc != OWNDNS_OK)
		out->len = start_len;
	return rc;
}

/* ---- base64 ---- */

/* Number of '=' at the end of a quantum: RFC 4648 §4 allows "xx==" and "xxx=" only,
 * in the last quantum; -1 when '=' stands anywhere else. */
static int base64_padding(const char *quantum, bool last)
{
	int pad = 0;
	while (pad < 4 && quantum[3 - pad] == '=')
		pad++;
	if (pad > 2 || (pad > 0 && !last))
		return -1;
	for (int k = 0; k < 4 - pad; k++) {
		if (quantum[k] == '=')
			return -1;
	}
	return pad;
}

int base64_decode(const char *text, size_t len, owndns_wbuf *out)
{
	size_t start_len = out->len;
	if (len % 4 != 0)
		return decode_result(out, start_len, OWNDNS_EBASE64);

	for (size_t i = 0; i < len; i += 4) {
		const char *quantum = text + i;
		int pad = base64_padding(quantum, i + 4 == len);
		if (pad < 0)
			return decode_result(out, start_len, OWNDNS_EBASE64);
		uint32_t bits = 0;
		for (int k = 0; k < 4 - pad; k++) {
			uint8_t v = base64_value(quantum[k]);
			if (v == INVALID_DIGIT)
				return decode_result(out, start_len, OWNDNS_EBASE64);
			bits |= (uint32_t)v << (18 - 6 * k);
		}
		/* Non-zero bits left over before the padding are tolerated (§3.5 "MAY"). */
		owndns_wbuf_u8(out, (uint8_t)(bits >> 16));
		if (pad < 2)
			owndns_wbuf_u8(out, (uint8_t)(bits >> 8));
		if (pad < 1)
			owndns_wbuf_u8(out, (uint8_t)bits);
	}
	return decode_result(out, start_len, OWNDNS_OK);
}

size_t base64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

void base64_encode(const uint8_t *data, size_t n, char *out)
{
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t bits = ((uint32_t)data[i] << 16) | ((uint32_t)data[i + 1] << 8) | data[i + 2];
		*out++ = base64_alphabet[(bits >> 18) & 0x3F];
		*out++ = base64_alphabet[(bits >> 12) & 0x3F];
		*out++ = base64_alphabet[(bits >> 6) & 0x3F];
		*out++ = base64_alphabet[bits & 0x3F];
	}
	size_t rest = n - i;
	if (rest == 0)
		return;
	uint32_t bits = (uint32_t)data[i] << 16;
	if (rest == 2)
		bits |= (uint32_t)data[i + 1] << 8;
	*out++ = base64_alphabet[(bits >> 18) & 0x3F];
	*out++ = base64_alphabet[(bits >> 12) & 0x3F];
	*out++ = rest == 2 ? base64_alphabet[(bits >> 6) & 0x3F] : '=';
	*out = '=';
}

/* ---- base32hex ---- */

/* Unpadded base32 leaves 2, 4, 5 or 7 characters in a final group of 8 (RFC 4648 §6:
 * 1, 2, 3 or 4 octets); 1, 3 or 6 characters cannot come from any input. */
static bool base32_length_valid(size_t len)
{
	size_t rest = len % 8;
	return rest != 1 && rest != 3 && rest != 6;
}

int base32hex_decode(const char *text, size_t len, owndns_wbuf *out)
{
	size_t start_len = out->len;
	if (!base32_length_valid(len))
		return decode_result(out, start_len, OWNDNS_EBASE32);

	uint32_t bits = 0;
	int nbits = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t v = base32hex_value(text[i]);
		if (v == INVALID_DIGIT)
			return decode_result(out, start_len, OWNDNS_EBASE32);
		bits = (bits << 5) | v;
		nbits += 5;
		if (nbits >= 8) {
			nbits -= 8;
			owndns_wbuf_u8(out, (uint8_t)(bits >> nbits));
			bits &= (1u << nbits) - 1;
		}
	}
	/* Left-over bits (fewer than 8) are tolerated, as for base64. */
	return decode_result(out, start_len, OWNDNS_OK);
}

size_t base32hex_encoded_len(size_t n)
{
	return (n * 8 + 4) / 5;
}

void base32hex_encode(const uint8_t *data, size_t n, char *out)
{
	uint32_t bits = 0;
	int nbits = 0;
	for (size_t i = 0; i < n; i++) {
		bits = (bits << 8) | data[i];
		nbits += 8;
		while (nbits >= 5) {
			nbits -= 5;
			*out++ = base32hex_alphabet[(bits >> nbits) & 0x1F];
		}
		bits &= (1u << nbits) - 1;
	}
	if (nbits > 0)
		*out = base32hex_alphabet[(bits << (5 - nbits)) & 0x1F];
}

/* ---- hex ---- */

int hex_decode(const char *text, size_t len, owndns_wbuf *out)
{
	size_t start_len = out->len;
	if (len % 2 != 0)
		return decode_result(out, start_len, OWNDNS_EHEX);
	for (size_t i = 0; i < len; i += 2) {
		uint8_t hi = hex_value(text[i]);
		uint8_t lo = hex_value(text[i + 1]);
		if (hi == INVALID_DIGIT || lo == INVALID_DIGIT)
			return decode_result(out, start_len, OWNDNS_EHEX);
		owndns_wbuf_u8(out, (uint8_t)(hi << 4 | lo));
	}
	return decode_result(out, start_len, OWNDNS_OK);
}

void hex_encode(const uint8_t *data, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		*out++ = hex_alphabet[data[i] >> 4];
		*out++ = hex_alphabet[data[i] & 0x0F];
	}
}
