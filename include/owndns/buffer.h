/* Bounded cursors over octet buffers.
 * All reads from and writes to wire data go through these two types.  A read past the
 * end (or a write past the capacity) returns zero / writes nothing and records the
 * error once in `error`; callers check `error` at the end of a block instead of after
 * every field.  Nothing here allocates. */
#ifndef OWNDNS_BUFFER_H
#define OWNDNS_BUFFER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <owndns/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct owndns_rbuf {
	const uint8_t *data;
	size_t len;
	size_t pos;
	int error; /* first error seen, OWNDNS_OK while none */
} owndns_rbuf;

typedef struct owndns_wbuf {
	uint8_t *data;
	size_t cap;
	size_t len;
	int error; /* first error seen (OWNDNS_ESPACE on overflow) */
} owndns_wbuf;

static inline owndns_rbuf owndns_rbuf_init(const uint8_t *data, size_t len)
{
	owndns_rbuf b = { data, len, 0, OWNDNS_OK };
	return b;
}

static inline size_t owndns_rbuf_left(const owndns_rbuf *b)
{
	return b->error || b->pos > b->len ? 0 : b->len - b->pos;
}

/* True when `n` more octets can be read; otherwise records OWNDNS_ETRUNCATED. */
static inline int owndns_rbuf_need(owndns_rbuf *b, size_t n)
{
	if (b->error)
		return 0;
	if (n > b->len - b->pos) {
		b->error = OWNDNS_ETRUNCATED;
		return 0;
	}
	return 1;
}

static inline uint8_t owndns_rbuf_u8(owndns_rbuf *b)
{
	if (!owndns_rbuf_need(b, 1))
		return 0;
	return b->data[b->pos++];
}

static inline uint16_t owndns_rbuf_u16(owndns_rbuf *b)
{
	if (!owndns_rbuf_need(b, 2))
		return 0;
	uint16_t v = (uint16_t)((b->data[b->pos] << 8) | b->data[b->pos + 1]);
	b->pos += 2;
	return v;
}

static inline uint32_t owndns_rbuf_u32(owndns_rbuf *b)
{
	if (!owndns_rbuf_need(b, 4))
		return 0;
	const uint8_t *p = b->data + b->pos;
	b->pos += 4;
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t owndns_rbuf_u48(owndns_rbuf *b)
{
	uint64_t hi = owndns_rbuf_u16(b);
	uint64_t lo = owndns_rbuf_u32(b);
	return (hi << 32) | lo;
}

/* Returns a pointer to the next `n` octets and skips them, or NULL (error recorded). */
static inline const uint8_t *owndns_rbuf_take(owndns_rbuf *b, size_t n)
{
	if (!owndns_rbuf_need(b, n))
		return NULL;
	const uint8_t *p = b->data + b->pos;
	b->pos += n;
	return p;
}

static inline void owndns_rbuf_copy(owndns_rbuf *b, void *dst, size_t n)
{
	const uint8_t *p = owndns_rbuf_take(b, n);
	if (p)
		memcpy(dst, p, n);
	else
		memset(dst, 0, n);
}

static inline owndns_wbuf owndns_wbuf_init(uint8_t *data, size_t cap)
{
	owndns_wbuf b = { data, cap, 0, OWNDNS_OK };
	return b;
}

/* True when `n` more octets fit; otherwise records OWNDNS_ESPACE. */
static inline int owndns_wbuf_room(owndns_wbuf *b, size_t n)
{
	if (b->error)
		return 0;
	if (n > b->cap - b->len) {
		b->error = OWNDNS_ESPACE;
		return 0;
	}
	return 1;
}

static inline void owndns_wbuf_u8(owndns_wbuf *b, uint8_t v)
{
	if (owndns_wbuf_room(b, 1))
		b->data[b->len++] = v;
}

static inline void owndns_wbuf_u16(owndns_wbuf *b, uint16_t v)
{
	if (!owndns_wbuf_room(b, 2))
		return;
	b->data[b->len++] = (uint8_t)(v >> 8);
	b->data[b->len++] = (uint8_t)v;
}

static inline void owndns_wbuf_u32(owndns_wbuf *b, uint32_t v)
{
	if (!owndns_wbuf_room(b, 4))
		return;
	b->data[b->len++] = (uint8_t)(v >> 24);
	b->data[b->len++] = (uint8_t)(v >> 16);
	b->data[b->len++] = (uint8_t)(v >> 8);
	b->data[b->len++] = (uint8_t)v;
}

static inline void owndns_wbuf_u48(owndns_wbuf *b, uint64_t v)
{
	owndns_wbuf_u16(b, (uint16_t)(v >> 32));
	owndns_wbuf_u32(b, (uint32_t)v);
}

static inline void owndns_wbuf_bytes(owndns_wbuf *b, const void *src, size_t n)
{
	if (n && owndns_wbuf_room(b, n)) {
		memcpy(b->data + b->len, src, n);
		b->len += n;
	}
}

/* Overwrites a 16-bit value already written at `at` (lengths filled in afterwards). */
static inline void owndns_wbuf_put_u16_at(owndns_wbuf *b, size_t at, uint16_t v)
{
	if (at + 2 <= b->len) {
		b->data[at] = (uint8_t)(v >> 8);
		b->data[at + 1] = (uint8_t)v;
	}
}

#ifdef __cplusplus
}
#endif
#endif
