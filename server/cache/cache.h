/* The resolver cache: RRsets with the RRSIGs that cover them, and negative answers
 * (RFC 2308), shared by all worker threads.  Forwarding, recursion and validation store
 * what they learn; the answer builder looks it up and appends it to a message.
 *
 * Owns: copies of everything stored, within a fixed memory budget.  Touches nothing
 * else: no other module's data, no I/O, no clock.  Every call takes `now`, a monotonic
 * time in whole seconds (e.g. CLOCK_MONOTONIC's tv_sec), since DNS TTLs count seconds;
 * expiry times are stored as absolute `now` values.  All functions may be called from any thread at the same time,
 * except cache_free.
 *
 * Design: the cache is split into shards by a keyed
 * hash of (owner, type, class), each with its own read/write lock and its own part of
 * the budget.  Lookups take only the read lock and copy the entry out into the caller's
 * storage, so a hit allocates nothing and holds no lock afterwards.  Eviction is SIEVE
 * (a hit only sets a "visited" bit, which is why a read lock suffices); expired entries
 * are evicted whenever the hand meets them, visited or not. */
#ifndef OWNDNS_SERVER_CACHE_H
#define OWNDNS_SERVER_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <owndns/message.h>
#include <owndns/rr.h>

typedef struct cache cache;

/* TTL given to records served stale (RFC 8767 §4 recommends 30 seconds). */
#define CACHE_STALE_TTL 30

/* RFC 2181 §8: a TTL with the most significant bit set is treated as zero. */
static inline uint32_t cache_sane_ttl(uint32_t ttl)
{
	return ttl > 0x7fffffffu ? 0 : ttl;
}

/* Trustworthiness of cached data, after RFC 2181 §5.4.1 (higher is better).  An entry
 * may replace an unexpired entry of the same key only when its rank is at least as
 * high, with one exception: an entry that may answer (cache_rank_answers, or negative)
 * always replaces one that may not, and one that may not never replaces one that may
 * (also expired, while it is still good for serve-stale).  Zone and zone-transfer data
 * are not cached, so their ranks are left out. */
typedef enum cache_rank {
	CACHE_RANK_ADDITIONAL = 1,       /* additional section, glue */
	CACHE_RANK_AUTHORITY_NONAUTH = 2, /* authority section of an AA=0 answer (referrals) */
	CACHE_RANK_ANSWER_NONAUTH = 3,   /* answer section of an AA=0 answer (forwarding) */
	CACHE_RANK_AUTHORITY_AUTH = 4,   /* authority section of an AA=1 answer */
	CACHE_RANK_ANSWER_AUTH = 5       /* answer section of an AA=1 answer */
} cache_rank;

/* Ranks that may answer a query (RFC 2181 §5.4.1: data from authority and additional
 * sections "should not be cached in such a way that they would ever be returned as
 * answers").  Negative entries answer whatever their rank: their SOA comes from the
 * authority section by nature. */
static inline bool cache_rank_answers(uint8_t rank)
{
	return rank == CACHE_RANK_ANSWER_NONAUTH || rank == CACHE_RANK_ANSWER_AUTH;
}

/* What an entry says. */
typedef enum cache_kind {
	CACHE_KIND_POSITIVE = 1, /* the RRset asked for */
	CACHE_KIND_CNAME = 2,    /* the asked type is absent but the name has a CNAME */
	CACHE_KIND_NODATA = 3,   /* RFC 2308 §2.2: name exists, no RRset of that type */
	CACHE_KIND_NXDOMAIN = 4  /* RFC 2308 §2.1: name does not exist, for any type */
} cache_kind;

typedef struct cache_config {
	size_t max_bytes;          /* cache-size: every allocation counts against it */
	uint32_t min_ttl;          /* cache-min-ttl: positive TTLs raised to this */
	uint32_t max_ttl;          /* cache-max-ttl: positive TTLs lowered to this */
	uint32_t max_negative_ttl; /* cache-max-negative-ttl: negative TTLs lowered to this */
	uint32_t max_stale;        /* serve-stale window after expiry, seconds (RFC 8767) */
	unsigned shards;           /* a power of two; 0 picks the default (32) */
	uint64_t hash_key[2];      /* secret hash key: fill from getrandom() (flooding) */
	bool rotate_rrsets;        /* rrset-order=rotate: answers built from the cache give
				    * each RRset rotated per query (cache_rotates_rrsets) */
} cache_config;

/* Defaults: 32 MiB, min-ttl 0, max-ttl 86400, max-negative-ttl 3600, max-stale 86400
 * (RFC 8767 §5 suggests 1 to 3 days), 32 shards, hash key zero (set it), RRsets in the
 * order stored. */
void cache_config_default(cache_config *cfg);

/* Creates a cache.  Errors: EINVAL (shards not a power of two, or max_bytes too small
 * for the fixed tables: at least 64 KiB per shard is sensible), ENOMEM. */
int cache_new(const cache_config *cfg, cache **out);

/* cache_config.rotate_rrsets as the cache was made (false for NULL). */
bool cache_rotates_rrsets(const cache *c);

/* Frees the cache and everything in it (NULL is fine).  No other call may run. */
void cache_free(cache *c);

/* ---- Storing ----------------------------------------------------------------- */

/* Returned by the store functions (instead of OWNDNS_OK) when nothing was stored: an
 * unexpired entry of higher rank holds the key, or the TTL is 0. */
#define CACHE_NOT_STORED 1

/* An RRset to store.  Records and signatures are copied; their RDATA must be
 * uncompressed and checked (as owndns_rr_view_to_rr gives it). */
typedef struct cache_rrset_in {
	const owndns_rr *rrs;  /* same owner, type and class; duplicates are dropped */
	size_t rr_count;
	const owndns_rr *sigs; /* RRSIGs covering this RRset (same owner and class) */
	size_t sig_count;
	uint8_t rank;          /* cache_rank */
	uint8_t validation;    /* DNSSEC state, opaque here: kept for the validator */
	bool dnssec_ok;        /* from a response to a query with DO (RFC 3225 §3): `sigs`
				* are all the RRSIGs there are (none: unsigned data) */
} cache_rrset_in;

/* Stores an RRset.  Its TTL is the smallest TTL of its records and signatures (RFC
 * 2181 §5.2), each taken as 0 when it has the top bit set (§8), then clamped to
 * [min_ttl, max_ttl].  A stored RRset of an answering rank also removes the name's
 * NXDOMAIN entry unless that one ranks higher.
 * Returns OWNDNS_OK or CACHE_NOT_STORED.  Errors: EINVAL (no records, records that
 * disagree in owner/type/class, meta or RRSIG type, a signature that is not an RRSIG
 * covering the type, bad rank), ESPACE (records or signatures over 65535 octets
 * encoded, or an entry larger than a shard's budget), ENOMEM. */
int cache_store_rrset(cache *c, const cache_rrset_in *in, uint32_t now);

/* A negative answer to store, proven by the zone's SOA (RFC 2308 §5). */
typedef struct cache_negative_in {
	const uint8_t *name;   /* QNAME (the last name of a CNAME chain) */
	uint16_t type;         /* QTYPE; for NXDOMAIN it only names an entry to drop */
	uint16_t rclass;
	bool nxdomain;         /* NXDOMAIN (any type) rather than NODATA (this type) */
	const owndns_rr *soa;  /* the SOA from the authority section */
	const owndns_rr *sigs; /* RRSIGs covering the SOA, may be none */
	size_t sig_count;
	uint8_t rank;
	uint8_t validation;
	const owndns_rr *proof; /* NSEC and NSEC3 RRs of the authority section and the
				 * RRSIGs over them (RFC 4035 §3.1.3), owners at or below
				 * the SOA's; may be none */
	size_t proof_count;
	bool dnssec_ok;         /* as cache_rrset_in.dnssec_ok, for sigs and proof */
} cache_negative_in;

/* Stores a negative entry with TTL min(SOA TTL, SOA MINIMUM) (RFC 2308 §5; either
 * taken as 0 with the top bit set, RFC 2181 §8), lowered to
 * max_negative_ttl (min_ttl does not apply).  The proof is kept with it, for clients
 * that set DO (cache_view_append).  NXDOMAIN also removes the (name, type)
 * entry unless that one ranks higher.  Returns OWNDNS_OK or CACHE_NOT_STORED.
 * Errors: EINVAL (soa not a well-formed SOA of the same class, bad name, a proof
 * record that is not NSEC, NSEC3 or an RRSIG over one, of another class or outside
 * the SOA's zone), ESPACE, ENOMEM. */
int cache_store_negative(cache *c, const cache_negative_in *in, uint32_t now);

/* Drops the entry for (name, type, class); type 0 is the name's NXDOMAIN entry.
 * Errors: ENOTFOUND, EINVAL (bad name). */
int cache_remove(cache *c, const uint8_t *name, uint16_t type, uint16_t rclass);

/* Drops everything (statistics counters are kept). */
void cache_clear(cache *c);

/* ---- Looking up -------------------------------------------------------------- */

/* Lookup flags. */
#define CACHE_LOOKUP_STALE 0x1u    /* expired entries within max_stale answer too */
#define CACHE_LOOKUP_NO_CNAME 0x2u /* do not fall back to a CNAME at the name */
#define CACHE_LOOKUP_ANSWERS 0x4u  /* skip RRsets whose rank may not answer (they are
				    * a miss, and the CNAME / NXDOMAIN fall-backs apply) */
#define CACHE_LOOKUP_DNSSEC 0x8u   /* the client set DO: entries not stored dnssec_ok
				    * are a miss (their RRSIGs and proofs are unknown) */

/* Room that any entry fits in: two names, three 65535-octet record blocks and the
 * proof's length. */
#define CACHE_VIEW_STORAGE_MAX (2 * OWNDNS_NAME_MAX + 3 * 65535 + 2)

/* A lookup result, copied into caller storage.  Record blocks are "owner-less wire
 * records": per record TYPE, CLASS, TTL (a placeholder), RDLENGTH, RDATA, with names
 * in RDATA uncompressed; walk them with cache_records_next. */
typedef struct cache_view {
	uint8_t kind;            /* cache_kind */
	uint8_t rank;            /* cache_rank */
	uint8_t validation;      /* as stored */
	bool stale;              /* expired, served under RFC 8767 */
	uint16_t type;           /* type of `records`: QTYPE, CNAME, or SOA (negative) */
	uint16_t rclass;
	uint32_t ttl;            /* seconds left; CACHE_STALE_TTL when stale */
	uint32_t original_ttl;   /* TTL when stored (after clamps), e.g. for prefetch */
	const uint8_t *owner;    /* the looked-up name, lower-cased */
	const uint8_t *records_owner; /* owner of `records`: `owner`, or the SOA owner */
	const uint8_t *records;  /* the RRset, or for negative entries the SOA */
	size_t records_len;
	uint16_t record_count;
	const uint8_t *sigs;     /* RRSIGs covering `records`, same layout */
	size_t sigs_len;
	uint16_t sig_count;
	const uint8_t *proof;    /* negative entries: the proof, as records with owners
				  * (cache_proof_next) */
	size_t proof_len;
	uint16_t first_record;   /* set by the caller: cache_view_append starts at this
				  * record and wraps round (rotation); 0 after a lookup */
	uint8_t *storage;        /* caller's buffer that the pointers above point into */
	size_t storage_cap;
} cache_view;

/* Points a view at caller storage (CACHE_VIEW_STORAGE_MAX octets always suffice; a
 * few KiB hold nearly every RRset). */
void cache_view_init(cache_view *v, uint8_t *storage, size_t cap);

/* Looks up (name, type, class) at `now`: the RRset or a NODATA entry for the type;
 * else, unless CACHE_LOOKUP_NO_CNAME, a CNAME at the name (kind CNAME, for the caller
 * to chase); else an NXDOMAIN entry for the name.  Allocates nothing.
 * Errors: ENOTFOUND (miss), ESPACE (entry larger than the view's storage), EINVAL
 * (malformed name). */
int cache_lookup(cache *c, const uint8_t *name, uint16_t type, uint16_t rclass, uint32_t now,
		 unsigned flags, cache_view *v);

/* A question whose cache entry is about to be looked up. */
typedef struct cache_question {
	const uint8_t *name; /* a checked, uncompressed wire name */
	uint16_t type;
	uint16_t rclass;
} cache_question;

/* Hints the CPU to load what lookups of these questions will read first: for each, its
 * hash bucket, then the entry the bucket points to.  Called over a batch of queries
 * before answering them, the memory loads of the whole batch overlap instead of each
 * lookup waiting for its own.  Takes no lock and changes nothing (it only reads a
 * bucket head, atomically); a malformed name is skipped. */
void cache_prefetch(cache *c, const cache_question *questions, size_t count);

/* Reads the next record of a record block at *pos into rr (owner left NULL, TTL 0).
 * Returns 1, or 0 at the end of the block. */
int cache_records_next(const uint8_t *block, size_t len, size_t *pos, owndns_rr *rr);

/* Reads the next record of a proof block (cache_view.proof) at *pos into rr, its owner
 * pointing into the block (TTL 0).  Returns 1, or 0 at the end of the block. */
int cache_proof_next(const uint8_t *block, size_t len, size_t *pos, owndns_rr *rr);

/* False when the cache holds no DNAME entry at all: a caller may then skip looking
 * for one above every name (a relaxed read, so a DNAME stored by another thread a
 * moment ago may be missed once). */
bool cache_holds_dnames(const cache *c);

/* Append flags. */
#define CACHE_APPEND_SIGS 0x1u /* also append the RRSIGs, and for negative entries the
				* proof (the client set DO) */

/* Appends the view's records (and with CACHE_APPEND_SIGS its RRSIGs) to `section` with
 * TTL v->ttl, under `owner`, or under v->records_owner when owner is NULL (pass the
 * QNAME as the client wrote it to keep its case, RFC 4343).  The RRset goes in whole
 * or not at all: on ETRUNCATED_MSG the writer is left as before the call.
 * Errors: those of owndns_writer_rr. */
int cache_view_append(const cache_view *v, owndns_msg_writer *w, owndns_section section,
		      const uint8_t *owner, unsigned flags);

/* ---- Statistics -------------------------------------------------------------- */

typedef struct cache_stats {
	uint64_t hits;      /* lookups that returned an entry */
	uint64_t misses;    /* lookups that returned ENOTFOUND */
	uint64_t inserts;   /* entries stored */
	uint64_t evictions; /* entries dropped to make room */
	uint64_t entries;   /* entries held now */
	size_t bytes_used;  /* memory held now, fixed tables included */
	size_t bytes_limit; /* cache-size */
} cache_stats;

/* A snapshot of the counters (each shard read under its lock, so it is consistent per
 * shard, not across shards). */
void cache_get_stats(cache *c, cache_stats *out);

#endif
