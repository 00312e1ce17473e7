/* Domain names.
 * A name is held in uncompressed wire form: length-prefixed labels ending with the
 * zero-length root label, at most OWNDNS_NAME_MAX (255) octets.  Functions taking a
 * `const uint8_t *name` expect a name that has passed owndns_name_unpack,
 * owndns_name_from_text or owndns_name_check.  Comparisons are ASCII
 * case-insensitive (RFC 4343); nothing here depends on the locale. */
#ifndef OWNDNS_NAME_H
#define OWNDNS_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <owndns/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OWNDNS_NAME_MAX 255
#define OWNDNS_LABEL_MAX 63
/* Longest text form: every octet as \DDD plus dots and the terminating NUL. */
#define OWNDNS_NAME_TEXT_MAX (OWNDNS_NAME_MAX * 4 + 2)

/* Reads a possibly compressed name starting at msg[*pos] of a message of msg_len
 * octets into `out` (OWNDNS_NAME_MAX octets).  Pointers must point strictly backwards
 * from the label that holds them (which also rules out loops) and inside the message.
 * On success *pos is just past the name as it stands in the message and *out_len
 * holds the uncompressed length.  Errors: ETRUNCATED, ELABEL_TYPE, EPTR_LOOP,
 * EPTR_RANGE, ENAME_LONG. */
int owndns_name_unpack(const uint8_t *msg, size_t msg_len, size_t *pos, uint8_t *out,
		       size_t *out_len);

/* Like owndns_name_unpack, but no compression pointer is allowed (EPTR_FORBIDDEN):
 * for names inside RDATA of types that must not be compressed (RFC 3597 §4). */
int owndns_name_unpack_plain(const uint8_t *buf, size_t buf_len, size_t *pos, uint8_t *out,
			     size_t *out_len);

/* Checks that buf[0..max_len) starts with a valid uncompressed name; *len gets its length. */
int owndns_name_check(const uint8_t *buf, size_t max_len, size_t *len);

/* Length in octets of a valid name, root label included. */
size_t owndns_name_length(const uint8_t *name);

/* Parses presentation form (RFC 1035 §5.1: \X and \DDD escapes, "." for the root).
 * A name without a trailing dot is relative: `origin` (a wire name) is appended, or,
 * when origin is NULL, the name is taken as absolute.  "@" alone means origin.
 * `out` must hold OWNDNS_NAME_MAX octets.  Errors: ESYNTAX, EESCAPE, ELABEL_EMPTY,
 * ELABEL_LONG, ENAME_LONG. */
int owndns_name_from_text(const char *text, size_t text_len, const uint8_t *origin,
			  uint8_t *out, size_t *out_len);

/* Writes the absolute presentation form with a trailing dot, escaping ". \ ( ) ; @ \" $"
 * as \X and octets outside 0x21..0x7e as \DDD, like dig.  Returns the text length,
 * or OWNDNS_ESPACE if `out_size` is too small (OWNDNS_NAME_TEXT_MAX always fits). */
int owndns_name_to_text(const uint8_t *name, char *out, size_t out_size);

/* Lower-cases ASCII letters in place: the canonical form of RFC 4034 §6.2. */
void owndns_name_to_lower(uint8_t *name);

/* Case-insensitive equality. */
bool owndns_name_equal(const uint8_t *a, const uint8_t *b);

/* Canonical ordering of RFC 4034 §6.1: <0, 0, >0. */
int owndns_name_compare(const uint8_t *a, const uint8_t *b);

/* Number of labels, not counting the root label ("." has 0, "a.b." has 2). */
int owndns_name_label_count(const uint8_t *name);

/* The name with its first label removed (a pointer into `name`), or NULL for the root. */
const uint8_t *owndns_name_parent(const uint8_t *name);

/* True when `name` equals `ancestor` or lies below it. */
bool owndns_name_is_subdomain(const uint8_t *name, const uint8_t *ancestor);

/* True when `name` lies strictly below `ancestor`. */
bool owndns_name_is_strict_subdomain(const uint8_t *name, const uint8_t *ancestor);

/* Label iteration: `it` starts at the name; each call returns the current label's
 * length and data and advances.  Returns false at the root label.
 *   const uint8_t *it = name; const uint8_t *lab; uint8_t len;
 *   while (owndns_name_next_label(&it, &lab, &len)) ... */
bool owndns_name_next_label(const uint8_t **it, const uint8_t **label, uint8_t *label_len);

#ifdef __cplusplus
}
#endif
#endif
