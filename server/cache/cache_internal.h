/* Internal to server/cache/: the entry layout, keys, shards and their locks.
 * cache.c holds the policy (ranking, TTLs, negative entries); key.c hashes names;
 * entry.c encodes and copies entries; shard.c owns the hash table, the SIEVE queue and
 * the budget of one shard; append.c writes views into messages. */
#ifndef OWNDNS_SERVER_CACHE_INTERNAL_H
#define OWNDNS_SERVER_CACHE_INTERNAL_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <owndns/rdata.h>

#include "cache.h"

/* Type of the key that holds a name's NXDOMAIN entry: 0 is no RR type (RFC 6895 §3.1). */
#define CACHE_NXDOMAIN_KEY_TYPE 0

/* A name lower-cased (RFC 4343: the cache is case-insensitive) and hashed. */
typedef struct cache_key_name {
	uint8_t name[OWNDNS_NAME_MAX];
	uint8_t len;
	uint64_t hash; /* keyed hash of the lower-cased name */
} cache_key_name;

/* entry.flags */
#define CACHE_ENTRY_DNSSEC_OK 0x1u /* cache_rrset_in.dnssec_ok */

/* One cache entry in one allocation: the header, then `data`:
 *   owner (owner_len, lower-case) | records owner (records_owner_len, negative only) |
 *   records (records_len) | sigs (sigs_len) |
 *   negative only: proof length (2 octets) | proof.
 * The proof's length lives in the data, not the header, so that the header of every
 * positive entry stays within 56 octets (one malloc granule less per record).
 * Fields other than `visited` change only under the shard's write lock. */
typedef struct cache_entry {
	struct cache_entry *chain;  /* next in the hash bucket */
	struct cache_entry *newer;  /* SIEVE queue, towards the newest */
	struct cache_entry *older;
	uint32_t tag;               /* low half of the key hash: bucket, quick compare */
	uint32_t expiry;            /* `now` at which the entry stops being fresh */
	uint32_t ttl;               /* TTL when stored */
	uint16_t type;
	uint16_t rclass;
	uint16_t record_count;
	uint16_t sig_count;
	uint16_t records_len;
	uint16_t sigs_len;
	uint8_t owner_len;
	uint8_t records_owner_len;  /* 0: the records' owner is the entry's owner */
	uint8_t kind;               /* cache_kind (POSITIVE, NODATA or NXDOMAIN) */
	uint8_t rank;
	uint8_t validation;
	uint8_t flags;              /* CACHE_ENTRY_* */
	atomic_uchar visited;       /* SIEVE: set by hits under the read lock */
	uint8_t data[];
} cache_entry;

/* glibc's malloc: an 8-octet header, 16-octet granules, 32 octets at least.  Counting
 * with this model keeps the budget close to what the process really holds. */
static inline size_t cache_alloc_cost(size_t request)
{
	size_t chunk = (request + 8 + 15) & ~(size_t)15;
	return chunk < 32 ? 32 : chunk;
}

static inline bool cache_entry_negative(const cache_entry *e)
{
	return e->kind == CACHE_KIND_NODATA || e->kind == CACHE_KIND_NXDOMAIN;
}

/* Where a negative entry's proof length is. */
static inline const uint8_t *cache_entry_proof_field(const cache_entry *e)
{
	return e->data + e->owner_len + e->records_owner_len + e->records_len + e->sigs_len;
}

static inline size_t cache_entry_proof_len(const cache_entry *e)
{
	if (!cache_entry_negative(e))
		return 0;
	const uint8_t *p = cache_entry_proof_field(e);
	return (size_t)p[0] << 8 | p[1];
}

/* Octets of `data`. */
static inline size_t cache_entry_data_len(const cache_entry *e)
{
	size_t len = (size_t)e->owner_len + e->records_owner_len + e->records_len + e->sigs_len;
	return cache_entry_negative(e) ? len + 2 + cache_entry_proof_len(e) : len;
}

static inline size_t cache_entry_cost(const cache_entry *e)
{
	return cache_alloc_cost(sizeof(*e) + cache_entry_data_len(e));
}

static inline bool cache_entry_fresh(const cache_entry *e, uint32_t now)
{
	return now < e->expiry;
}

/* One shard: its own lock, table, queue and budget; cache-line aligned so that shards
 * do not share lines between cores. */
typedef struct cache_shard {
	alignas(64) pthread_rwlock_t lock;
	atomic_uint_least64_t hits;   /* counted under the read lock */
	atomic_uint_least64_t misses;
	/* Bucket heads are atomic so that cache_prefetch may read them without the
	 * lock; relaxed loads and stores, plain instructions on common CPUs. */
	_Atomic(cache_entry *) *buckets;
	uint32_t bucket_mask;
	cache_entry *newest;
	cache_entry *oldest;
	cache_entry *hand;            /* SIEVE hand: moves from oldest towards newest */
	size_t bytes;                 /* cost of the entries held */
	size_t budget;
	uint64_t entries;
	uint64_t inserts;
	uint64_t evictions;
	atomic_size_t *dnames;        /* the cache's count of DNAME entries */
} cache_shard;

struct cache {
	cache_config cfg;
	unsigned shard_mask;
	size_t fixed_bytes;           /* this struct, the shard array, the bucket arrays */
	cache_shard *shards;
	/* DNAME entries held, over all shards: written only when one comes or goes, so
	 * the line stays shared for the readers of cache_holds_dnames. */
	atomic_size_t dnames;
};

/* ---- key.c ---- */

/* Lower-cases and hashes a wire name.  Errors: EINVAL (malformed or over 255 octets). */
int cache_key_name_init(cache_key_name *k, const uint8_t *name, const uint64_t hash_key[2]);

/* Hash of the full key (name, type, class). */
uint64_t cache_key_hash(const cache_key_name *k, uint16_t type, uint16_t rclass);

/* ---- entry.c ---- */

/* Octets a record block takes for these records (10 per record plus RDATA). */
size_t cache_records_size(const owndns_rr *rrs, size_t count);

/* Encodes records into `out`, skipping exact duplicates of earlier records; returns
 * the octets written and sets *written_count. */
size_t cache_records_encode(const owndns_rr *rrs, size_t count, uint8_t *out,
			    uint16_t *written_count);

/* Octets a proof block takes for these records (owner and 10 per record plus RDATA). */
size_t cache_proof_size(const owndns_rr *rrs, size_t count);

/* Encodes records with their owners into `out` (no duplicates dropped); returns the
 * octets written. */
size_t cache_proof_encode(const owndns_rr *rrs, size_t count, uint8_t *out);

/* Copies an entry's data into a view (storage permitting) and fills its fields.
 * Errors: ESPACE. */
int cache_entry_to_view(const cache_entry *e, uint32_t now, cache_view *v);

/* ---- shard.c ---- */

/* Sets up a shard with `buckets` (a power of two) and `budget` octets; it counts its
 * DNAME entries in *dnames.  Errors: ENOMEM. */
int cache_shard_init(cache_shard *s, uint32_t buckets, size_t budget, atomic_size_t *dnames);
/* Frees every entry and the table. */
void cache_shard_destroy(cache_shard *s);

void cache_shard_read_lock(cache_shard *s);
void cache_shard_write_lock(cache_shard *s);
void cache_shard_unlock(cache_shard *s);

/* The entry for the key, or NULL.  Read or write lock held. */
cache_entry *cache_shard_find(const cache_shard *s, uint64_t hash, const cache_key_name *k,
			      uint16_t type, uint16_t rclass);

/* Hints the CPU to load the bucket of `hash` (no lock held). */
void cache_shard_prefetch_bucket(const cache_shard *s, uint64_t hash);

/* Hints the CPU to load the first entry of the bucket of `hash` (no lock held: the
 * entry may be gone by then, which a prefetch does not mind). */
void cache_shard_prefetch_head(const cache_shard *s, uint64_t hash);

/* Unlinks an entry and appends it to *garbage (freed by cache_free_entries after the
 * lock is released).  Write lock held. */
void cache_shard_unlink(cache_shard *s, cache_entry *e, cache_entry **garbage);

/* Inserts a new entry (its key must be absent), evicting entries until it fits.
 * Evicted entries go to *garbage.  Errors: ESPACE (larger than the whole budget).
 * Write lock held. */
int cache_shard_insert(cache_shard *s, cache_entry *e, uint64_t hash, uint32_t now,
		       cache_entry **garbage);

/* Unlinks every entry into *garbage.  Write lock held. */
void cache_shard_unlink_all(cache_shard *s, cache_entry **garbage);

/* Frees a list built by the functions above. */
void cache_free_entries(cache_entry *garbage);

#endif
