/* Cache keys: names lower-cased (RFC 4343) and hashed with SipHash-1-3 under a secret
 * key, so that nobody who controls the names put in the cache (random-subdomain
 * floods) can aim them all at one hash bucket. */
#include <string.h>

#include "cache_internal.h"

/* Label lengths (at most 63) lie below 'A', so lower-casing every octet of a wire name
 * lower-cases its labels and leaves the length octets alone. */
static uint8_t ascii_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* Length of a valid uncompressed name, or 0. */
static size_t wire_name_length(const uint8_t *name)
{
	size_t pos = 0;

	while (pos < OWNDNS_NAME_MAX) {
		uint8_t len = name[pos];
		if (len == 0)
			return pos + 1;
		if (len > OWNDNS_LABEL_MAX)
			return 0;
		pos += 1u + len;
	}
	return 0;
}

static uint64_t rotl64(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

typedef struct sip_state {
	uint64_t v0, v1, v2, v3;
} sip_state;

static void sip_round(sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = rotl64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl64(s->v2, 32);
}

static void sip_absorb(sip_state *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	s->v0 ^= m;
}

static uint64_t load_le64(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* SipHash-1-3 (one compression round, three finalisation rounds). */
static uint64_t siphash13(const uint8_t *data, size_t len, const uint64_t key[2])
{
	sip_state s = {
		key[0] ^ 0x736f6d6570736575ull, key[1] ^ 0x646f72616e646f6dull,
		key[0] ^ 0x6c7967656e657261ull, key[1] ^ 0x7465646279746573ull,
	};
	size_t full = len & ~(size_t)7;

	for (size_t i = 0; i < full; i += 8)
		sip_absorb(&s, load_le64(data + i, 8));
	sip_absorb(&s, ((uint64_t)len << 56) | load_le64(data + full, len - full));
	s.v2 ^= 0xff;
	sip_round(&s);
	sip_round(&s);
	sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

int cache_key_name_init(cache_key_name *k, const uint8_t *name, const uint64_t hash_key[2])
{
	size_t len = name ? wire_name_length(name) : 0;

	if (len == 0)
		return OWNDNS_EINVAL;
	for (size_t i = 0; i < len; i++)
		k->name[i] = ascii_lower(name[i]);
	k->len = (uint8_t)len;
	k->hash = siphash13(k->name, len, hash_key);
	return OWNDNS_OK;
}

/* The name hash is already keyed; a strong bit mixer (the splitmix64 finaliser) is
 * enough to spread (type, class) over all 64 bits. */
uint64_t cache_key_hash(const cache_key_name *k, uint16_t type, uint16_t rclass)
{
	uint64_t x = k->hash ^ (((uint64_t)type << 16 | rclass) * 0x9e3779b97f4a7c15ull);
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}
