/* Internal: binary-to-text encodings used by RDATA presentation formats.
 * Decoders ignore no characters: callers join tokens first (whitespace between tokens
 * is allowed in base64/hex fields of zone files).  Encoders write no NUL. */
#ifndef OWNDNS_ENCODING_H
#define OWNDNS_ENCODING_H

#include <stddef.h>
#include <stdint.h>
#include <owndns/buffer.h>

/* RFC 4648 §4 base64 with padding.  Errors: EBASE64 (bad character, bad padding,
 * non-zero trailing bits tolerated), ESPACE (recorded in out). */
int base64_decode(const char *text, size_t len, owndns_wbuf *out);
/* Characters needed to encode n octets. */
size_t base64_encoded_len(size_t n);
/* Writes base64_encoded_len(n) characters to out. */
void base64_encode(const uint8_t *data, size_t n, char *out);

/* RFC 4648 §7 base32hex, case-insensitive, no padding (as NSEC3 uses it).
 * Errors: EBASE32. */
int base32hex_decode(const char *text, size_t len, owndns_wbuf *out);
size_t base32hex_encoded_len(size_t n);
/* Upper-case, unpadded (as dig prints NSEC3 hashes). */
void base32hex_encode(const uint8_t *data, size_t n, char *out);

/* Hexadecimal, either case, even number of digits.  Errors: EHEX. */
int hex_decode(const char *text, size_t len, owndns_wbuf *out);
/* Upper-case, 2n characters (as dig prints DS digests). */
void hex_encode(const uint8_t *data, size_t n, char *out);

#endif
