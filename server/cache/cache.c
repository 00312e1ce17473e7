/* The cache's policy: TTL rules, ranking, negative entries, lookups with CNAME and
 * NXDOMAIN fallback, and the statistics.  Storage and eviction live in shard.c. */
#include <stdlib.h>
#include <string.h>

#include "cache_internal.h"

#define DEFAULT_MAX_BYTES ((size_t)32 << 20)
#define DEFAULT_SHARDS 32u
#define MAX_SHARDS 4096u
/* Bucket arrays are sized for this many budget octets per bucket: with entries of
 * about 100-130 octets a full shard has one or two entries per chain. */
#define BYTES_PER_BUCKET 256u
#define MIN_BUCKETS 16u
#define MAX_BUCKETS (1u << 24)
/* Largest record block (RDLENGTH-like 16-bit lengths, and it must fit a message). */
#define RECORDS_MAX 65535u
/* RRSIG RDATA: type covered .. key tag (18 octets), then signer name and signature. */
#define RRSIG_FIXED 18u
/* SOA RDATA ends with SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM (RFC 1035 §3.3.13). */
#define SOA_MINIMUM_FROM_END 4u

void cache_config_default(cache_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_bytes = DEFAULT_MAX_BYTES;
	cfg->min_ttl = 0;
	cfg->max_ttl = 86400;
	cfg->max_negative_ttl = 3600;
	cfg->max_stale = 86400;
	cfg->shards = DEFAULT_SHARDS;
}

static bool is_power_of_two(size_t n)
{
	return n && (n & (n - 1)) == 0;
}

static uint32_t buckets_for(size_t shard_bytes)
{
	uint32_t n = MIN_BUCKETS;
	while (n < MAX_BUCKETS && (size_t)n * 2 * BYTES_PER_BUCKET <= shard_bytes)
		n *= 2;
	return n;
}

bool cache_holds_dnames(const cache *c)
{
	return atomic_load_explicit(&c->dnames, memory_order_relaxed) != 0;
}

bool cache_rotates_rrsets(const cache *c)
{
	return c && c->cfg.rotate_rrsets;
}

int cache_new(const cache_config *cfg, cache **out)
{
	unsigned shards = cfg->shards ? cfg->shards : DEFAULT_SHARDS;

	*out = NULL;
	if (!is_power_of_two(shards) || shards > MAX_SHARDS || cfg->min_ttl > cfg->max_ttl)
		return OWNDNS_EINVAL;
	uint32_t buckets = buckets_for(cfg->max_bytes / shards);
	size_t fixed = cache_alloc_cost(sizeof(cache)) +
		       cache_alloc_cost(shards * sizeof(cache_shard)) +
		       shards * cache_alloc_cost(buckets * sizeof(cache_entry *));
	if (fixed >= cfg->max_bytes / 2)
		return OWNDNS_EINVAL;

	cache *c = calloc(1, sizeof(*c));
	if (!c)
		return OWNDNS_ENOMEM;
	c->cfg = *cfg;
	c->cfg.shards = shards;
	c->shard_mask = shards - 1;
	c->fixed_bytes = fixed;
	atomic_init(&c->dnames, 0);
	c->shards = aligned_alloc(alignof(cache_shard), shards * sizeof(cache_shard));
	if (!c->shards) {
		free(c);
		return OWNDNS_ENOMEM;
	}
	size_t budget = (cfg->max_bytes - fixed) / shards;
	for (unsigned i = 0; i < shards; i++) {
		if (cache_shard_init(&c->shards[i], buckets, budget, &c->dnames) != OWNDNS_OK) {
			while (i--)
				cache_shard_destroy(&c->shards[i]);
			free(c->shards);
			free(c);
			return OWNDNS_ENOMEM;
		}
	}
	*out = c;
	return OWNDNS_OK;
}

void cache_free(cache *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i <= c->shard_mask; i++)
		cache_shard_destroy(&c->shards[i]);
	free(c->shards);
	free(c);
}

/* The bucket index uses the low bits of the hash, the shard the high ones. */
static cache_shard *shard_of(const cache *c, uint64_t hash)
{
	return &c->shards[(hash >> 40) & c->shard_mask];
}

/* ---- Storing ----------------------------------------------------------------- */

static uint32_t clamp_positive_ttl(const cache *c, uint32_t ttl)
{
	if (ttl < c->cfg.min_ttl)
		return c->cfg.min_ttl;
	return ttl > c->cfg.max_ttl ? c->cfg.max_ttl : ttl;
}

/* now + ttl, saturating instead of wrapping past the end of the clock. */
static uint32_t expiry_of(uint32_t now, uint32_t ttl)
{
	return ttl > UINT32_MAX - now ? UINT32_MAX : now + ttl;
}

static bool valid_rank(uint8_t rank)
{
	return rank >= CACHE_RANK_ADDITIONAL && rank <= CACHE_RANK_ANSWER_AUTH;
}

static bool rr_belongs(const owndns_rr *rr, const uint8_t *owner, uint16_t type,
		       uint16_t rclass)
{
	return rr->type == type && rr->rclass == rclass && owndns_name_equal(rr->owner, owner);
}

static uint16_t rrsig_type_covered(const owndns_rr *sig)
{
	return (uint16_t)(sig->rdata[0] << 8 | sig->rdata[1]);
}

/* Signatures must be RRSIGs over `covered` at the same owner and class; returns the
 * smallest TTL seen in *min_ttl. */
static int check_sigs(const owndns_rr *sigs, size_t count, const uint8_t *owner,
		      uint16_t covered, uint16_t rclass, uint32_t *min_ttl)
{
	for (size_t i = 0; i < count; i++) {
		if (!rr_belongs(&sigs[i], owner, OWNDNS_TYPE_RRSIG, rclass) ||
		    sigs[i].rdlen < RRSIG_FIXED || rrsig_type_covered(&sigs[i]) != covered)
			return OWNDNS_EINVAL;
		if (cache_sane_ttl(sigs[i].ttl) < *min_ttl)
			*min_ttl = cache_sane_ttl(sigs[i].ttl);
	}
	if (cache_records_size(sigs, count) > RECORDS_MAX)
		return OWNDNS_ESPACE;
	return OWNDNS_OK;
}

static int check_rrset(const cache_rrset_in *in, uint32_t *min_ttl)
{
	if (in->rr_count == 0 || !valid_rank(in->rank))
		return OWNDNS_EINVAL;
	const owndns_rr *first = &in->rrs[0];
	if (first->type == 0 || first->type == OWNDNS_TYPE_RRSIG ||
	    owndns_type_is_meta(first->type))
		return OWNDNS_EINVAL;
	*min_ttl = UINT32_MAX;
	for (size_t i = 0; i < in->rr_count; i++) {
		if (!rr_belongs(&in->rrs[i], first->owner, first->type, first->rclass))
			return OWNDNS_EINVAL;
		if (cache_sane_ttl(in->rrs[i].ttl) < *min_ttl)
			*min_ttl = cache_sane_ttl(in->rrs[i].ttl);
	}
	if (cache_records_size(in->rrs, in->rr_count) > RECORDS_MAX)
		return OWNDNS_ESPACE;
	return check_sigs(in->sigs, in->sig_count, first->owner, first->type, first->rclass,
			  min_ttl);
}

/* Allocates an entry with room for its data and fills the fixed fields. */
static cache_entry *entry_alloc(const cache_key_name *k, size_t records_owner_len,
				size_t records_len, size_t sigs_len, size_t proof_len)
{
	cache_entry *e = malloc(sizeof(*e) + k->len + records_owner_len + records_len +
				sigs_len + proof_len);
	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	memcpy(e->data, k->name, k->len);
	e->owner_len = k->len;
	e->records_owner_len = (uint8_t)records_owner_len;
	return e;
}

/* Fills records and sigs, which follow the owners in e->data. */
static void entry_fill_records(cache_entry *e, const owndns_rr *rrs, size_t rr_count,
			       const owndns_rr *sigs, size_t sig_count)
{
	uint8_t *p = e->data + e->owner_len + e->records_owner_len;
	e->records_len = (uint16_t)cache_records_encode(rrs, rr_count, p, &e->record_count);
	p += e->records_len;
	e->sigs_len = (uint16_t)cache_records_encode(sigs, sig_count, p, &e->sig_count);
}

/* Fills a negative entry's proof and its length, which follow the sigs. */
static void entry_fill_proof(cache_entry *e, const owndns_rr *proof, size_t count)
{
	uint8_t *p = e->data + e->owner_len + e->records_owner_len + e->records_len +
		     e->sigs_len;
	size_t len = cache_proof_encode(proof, count, p + 2);
	p[0] = (uint8_t)(len >> 8);
	p[1] = (uint8_t)len;
}

static bool entry_answers(const cache_entry *e)
{
	return e->kind != CACHE_KIND_POSITIVE || cache_rank_answers(e->rank);
}

/* The rank rule of cache.h: whether `old` stays rather than give way to `e`. */
static bool old_entry_stays(const cache *c, const cache_entry *old, const cache_entry *e,
			    uint32_t now)
{
	bool old_answers = entry_answers(old), new_answers = entry_answers(e);
	if (cache_entry_fresh(old, now)) {
		if (old_answers != new_answers)
			return old_answers;
		if (old->rank != e->rank)
			return old->rank > e->rank;
		/* Equal trust: keep the RRSIGs a DO client needs rather than lose them to
		 * the same data fetched without DO. */
		return (old->flags & CACHE_ENTRY_DNSSEC_OK) && !(e->flags & CACHE_ENTRY_DNSSEC_OK);
	}
	/* RFC 8767: expired answers are still worth more than referral data. */
	return old_answers && !new_answers && now - old->expiry <= c->cfg.max_stale;
}

/* Inserts `e` under its key unless the entry there stays (RFC 2181 §5.4.1, cache.h).
 * Takes ownership of e. */
static int put_entry(cache *c, const cache_key_name *k, cache_entry *e, uint32_t now)
{
	uint64_t hash = cache_key_hash(k, e->type, e->rclass);
	cache_shard *s = shard_of(c, hash);
	cache_entry *garbage = NULL;
	int rc;

	cache_shard_write_lock(s);
	cache_entry *old = cache_shard_find(s, hash, k, e->type, e->rclass);
	if (old && old_entry_stays(c, old, e, now)) {
		rc = CACHE_NOT_STORED;
	} else {
		if (old)
			cache_shard_unlink(s, old, &garbage);
		rc = cache_shard_insert(s, e, hash, now, &garbage);
	}
	cache_shard_unlock(s);
	cache_free_entries(garbage);
	if (rc != OWNDNS_OK)
		free(e);
	return rc;
}

/* Drops the entry for (k, type, class) unless it is unexpired and ranks above `rank`:
 * newer data of at least the same trust contradicts it. */
static void drop_unless_higher(cache *c, const cache_key_name *k, uint16_t type,
			       uint16_t rclass, uint8_t rank, uint32_t now)
{
	uint64_t hash = cache_key_hash(k, type, rclass);
	cache_shard *s = shard_of(c, hash);
	cache_entry *garbage = NULL;

	cache_shard_write_lock(s);
	cache_entry *e = cache_shard_find(s, hash, k, type, rclass);
	if (e && !(cache_entry_fresh(e, now) && e->rank > rank))
		cache_shard_unlink(s, e, &garbage);
	cache_shard_unlock(s);
	cache_free_entries(garbage);
}

int cache_store_rrset(cache *c, const cache_rrset_in *in, uint32_t now)
{
	cache_key_name k;
	uint32_t ttl;

	int rc = check_rrset(in, &ttl);
	if (rc)
		return rc;
	const owndns_rr *first = &in->rrs[0];
	rc = cache_key_name_init(&k, first->owner, c->cfg.hash_key);
	if (rc)
		return rc;
	ttl = clamp_positive_ttl(c, ttl);
	if (ttl == 0)
		return CACHE_NOT_STORED;

	cache_entry *e = entry_alloc(&k, 0, cache_records_size(in->rrs, in->rr_count),
				     cache_records_size(in->sigs, in->sig_count), 0);
	if (!e)
		return OWNDNS_ENOMEM;
	e->type = first->type;
	e->rclass = first->rclass;
	e->kind = CACHE_KIND_POSITIVE;
	e->rank = in->rank;
	e->validation = in->validation;
	e->flags = in->dnssec_ok ? CACHE_ENTRY_DNSSEC_OK : 0;
	e->ttl = ttl;
	e->expiry = expiry_of(now, ttl);
	entry_fill_records(e, in->rrs, in->rr_count, in->sigs, in->sig_count);
	uint8_t rank = e->rank;
	uint16_t rclass = e->rclass;
	rc = put_entry(c, &k, e, now);
	/* Referral and glue data say nothing about whether the name exists. */
	if (rc == OWNDNS_OK && cache_rank_answers(rank))
		drop_unless_higher(c, &k, CACHE_NXDOMAIN_KEY_TYPE, rclass, rank, now);
	return rc;
}

/* RFC 2308 §5: the negative TTL is the smaller of the SOA's TTL and its MINIMUM. */
static int negative_ttl(const cache *c, const owndns_rr *soa, uint32_t *ttl)
{
	if (owndns_rdata_check(OWNDNS_TYPE_SOA, soa->rdata, soa->rdlen) != OWNDNS_OK)
		return OWNDNS_EINVAL;
	owndns_rbuf b = owndns_rbuf_init(soa->rdata + soa->rdlen - SOA_MINIMUM_FROM_END,
					 SOA_MINIMUM_FROM_END);
	uint32_t minimum = cache_sane_ttl(owndns_rbuf_u32(&b));
	uint32_t t = cache_sane_ttl(soa->ttl) < minimum ? cache_sane_ttl(soa->ttl) : minimum;
	*ttl = t > c->cfg.max_negative_ttl ? c->cfg.max_negative_ttl : t;
	return OWNDNS_OK;
}

static bool is_denial_type(uint16_t type)
{
	return type == OWNDNS_TYPE_NSEC || type == OWNDNS_TYPE_NSEC3;
}

/* RFC 4035 §3.1.3: NSEC/NSEC3 records and their RRSIGs, in the SOA's zone. */
static int check_proof(const cache_negative_in *in)
{
	for (size_t i = 0; i < in->proof_count; i++) {
		const owndns_rr *rr = &in->proof[i];
		size_t len;
		if (owndns_name_check(rr->owner, OWNDNS_NAME_MAX, &len) != OWNDNS_OK ||
		    rr->rclass != in->rclass || !owndns_name_is_subdomain(rr->owner, in->soa->owner))
			return OWNDNS_EINVAL;
		if (rr->type == OWNDNS_TYPE_RRSIG ? rr->rdlen < RRSIG_FIXED ||
						    !is_denial_type(rrsig_type_covered(rr))
						  : !is_denial_type(rr->type))
			return OWNDNS_EINVAL;
	}
	if (cache_proof_size(in->proof, in->proof_count) > RECORDS_MAX)
		return OWNDNS_ESPACE;
	return OWNDNS_OK;
}

static int check_negative(const cache_negative_in *in, size_t *soa_owner_len)
{
	const owndns_rr *soa = in->soa;
	uint32_t ignored = UINT32_MAX;

	if (!valid_rank(in->rank) || !soa || soa->type != OWNDNS_TYPE_SOA ||
	    soa->rclass != in->rclass || (!in->nxdomain && in->type == 0))
		return OWNDNS_EINVAL;
	if (owndns_name_check(soa->owner, OWNDNS_NAME_MAX, soa_owner_len) != OWNDNS_OK)
		return OWNDNS_EINVAL;
	/* The SOA proves the answer only if it is the zone's apex above the name. */
	if (!owndns_name_is_subdomain(in->name, soa->owner))
		return OWNDNS_EINVAL;
	int rc = check_proof(in);
	if (rc)
		return rc;
	return check_sigs(in->sigs, in->sig_count, soa->owner, OWNDNS_TYPE_SOA, in->rclass,
			  &ignored);
}

int cache_store_negative(cache *c, const cache_negative_in *in, uint32_t now)
{
	cache_key_name k;
	size_t soa_owner_len;
	uint32_t ttl;

	int rc = cache_key_name_init(&k, in->name, c->cfg.hash_key);
	if (rc)
		return rc;
	rc = check_negative(in, &soa_owner_len);
	if (!rc)
		rc = negative_ttl(c, in->soa, &ttl);
	if (rc)
		return rc;
	if (ttl == 0)
		return CACHE_NOT_STORED;

	cache_entry *e = entry_alloc(&k, soa_owner_len, cache_records_size(in->soa, 1),
				     cache_records_size(in->sigs, in->sig_count),
				     2 + cache_proof_size(in->proof, in->proof_count));
	if (!e)
		return OWNDNS_ENOMEM;
	memcpy(e->data + k.len, in->soa->owner, soa_owner_len);
	e->type = in->nxdomain ? CACHE_NXDOMAIN_KEY_TYPE : in->type;
	e->rclass = in->rclass;
	e->kind = in->nxdomain ? CACHE_KIND_NXDOMAIN : CACHE_KIND_NODATA;
	e->rank = in->rank;
	e->validation = in->validation;
	e->flags = in->dnssec_ok ? CACHE_ENTRY_DNSSEC_OK : 0;
	e->ttl = ttl;
	e->expiry = expiry_of(now, ttl);
	entry_fill_records(e, in->soa, 1, in->sigs, in->sig_count);
	entry_fill_proof(e, in->proof, in->proof_count);
	rc = put_entry(c, &k, e, now);
	if (rc == OWNDNS_OK && in->nxdomain && in->type != 0)
		drop_unless_higher(c, &k, in->type, in->rclass, in->rank, now);
	return rc;
}

int cache_remove(cache *c, const uint8_t *name, uint16_t type, uint16_t rclass)
{
	cache_key_name k;
	cache_entry *garbage = NULL;

	int rc = cache_key_name_init(&k, name, c->cfg.hash_key);
	if (rc)
		return rc;
	uint64_t hash = cache_key_hash(&k, type, rclass);
	cache_shard *s = shard_of(c, hash);
	cache_shard_write_lock(s);
	cache_entry *e = cache_shard_find(s, hash, &k, type, rclass);
	if (e)
		cache_shard_unlink(s, e, &garbage);
	cache_shard_unlock(s);
	cache_free_entries(garbage);
	return e ? OWNDNS_OK : OWNDNS_ENOTFOUND;
}

void cache_clear(cache *c)
{
	for (unsigned i = 0; i <= c->shard_mask; i++) {
		cache_entry *garbage = NULL;
		cache_shard_write_lock(&c->shards[i]);
		cache_shard_unlink_all(&c->shards[i], &garbage);
		cache_shard_unlock(&c->shards[i]);
		cache_free_entries(garbage);
	}
}

/* ---- Looking up -------------------------------------------------------------- */

/* Fresh, or expired no longer than max_stale ago when the caller accepts stale data
 * (RFC 8767 §4). */
static bool usable(const cache *c, const cache_entry *e, uint32_t now, unsigned flags)
{
	if (cache_entry_fresh(e, now))
		return true;
	return (flags & CACHE_LOOKUP_STALE) && now - e->expiry <= c->cfg.max_stale;
}

/* Copies the entry for (k, type, class) into v if it is usable (and positive, when
 * asked).  Errors: ENOTFOUND, ESPACE. */
static int probe_hashed(cache *c, const cache_key_name *k, uint64_t hash, uint16_t type,
			uint16_t rclass, uint32_t now, unsigned flags, bool positive_only,
			cache_view *v)
{
	cache_shard *s = shard_of(c, hash);
	int rc = OWNDNS_ENOTFOUND;

	cache_shard_read_lock(s);
	cache_entry *e = cache_shard_find(s, hash, k, type, rclass);
	if (e && usable(c, e, now, flags) && (!positive_only || e->kind == CACHE_KIND_POSITIVE) &&
	    (!(flags & CACHE_LOOKUP_ANSWERS) || entry_answers(e)) &&
	    (!(flags & CACHE_LOOKUP_DNSSEC) || (e->flags & CACHE_ENTRY_DNSSEC_OK))) {
		rc = cache_entry_to_view(e, now, v);
		/* Only write the bit when it changes: a hot entry's line stays shared. */
		if (!atomic_load_explicit(&e->visited, memory_order_relaxed))
			atomic_store_explicit(&e->visited, 1, memory_order_relaxed);
	}
	cache_shard_unlock(s);
	return rc;
}

static int probe(cache *c, const cache_key_name *k, uint16_t type, uint16_t rclass,
		 uint32_t now, unsigned flags, bool positive_only, cache_view *v)
{
	return probe_hashed(c, k, cache_key_hash(k, type, rclass), type, rclass, now, flags,
			    positive_only, v);
}

int cache_lookup(cache *c, const uint8_t *name, uint16_t type, uint16_t rclass, uint32_t now,
		 unsigned flags, cache_view *v)
{
	cache_key_name k;

	int rc = cache_key_name_init(&k, name, c->cfg.hash_key);
	if (rc)
		return rc;
	uint64_t hash = cache_key_hash(&k, type, rclass);
	cache_shard *counted = shard_of(c, hash);
	rc = probe_hashed(c, &k, hash, type, rclass, now, flags, false, v);
	if (rc == OWNDNS_ENOTFOUND && type != OWNDNS_TYPE_CNAME && !(flags & CACHE_LOOKUP_NO_CNAME)) {
		rc = probe(c, &k, OWNDNS_TYPE_CNAME, rclass, now, flags, true, v);
		if (rc == OWNDNS_OK)
			v->kind = CACHE_KIND_CNAME;
	}
	if (rc == OWNDNS_ENOTFOUND)
		rc = probe(c, &k, CACHE_NXDOMAIN_KEY_TYPE, rclass, now, flags, false, v);
	if (rc == OWNDNS_ENOTFOUND)
		atomic_fetch_add_explicit(&counted->misses, 1, memory_order_relaxed);
	else if (rc == OWNDNS_OK)
		atomic_fetch_add_explicit(&counted->hits, 1, memory_order_relaxed);
	return rc;
}

/* Questions are hashed in groups of this many, whose hashes wait on the stack between
 * the two passes. */
#define PREFETCH_GROUP 32u

/* Two passes: all the buckets first, so that by the time the second pass reads a
 * bucket head it has (mostly) arrived and the entry's load can start. */
static void prefetch_group(cache *c, const cache_question *questions, size_t count)
{
	uint64_t hashes[PREFETCH_GROUP];
	bool valid[PREFETCH_GROUP];
	cache_key_name k;

	for (size_t i = 0; i < count; i++) {
		const cache_question *q = &questions[i];
		valid[i] = cache_key_name_init(&k, q->name, c->cfg.hash_key) == OWNDNS_OK;
		if (!valid[i])
			continue;
		hashes[i] = cache_key_hash(&k, q->type, q->rclass);
		cache_shard_prefetch_bucket(shard_of(c, hashes[i]), hashes[i]);
	}
	for (size_t i = 0; i < count; i++)
		if (valid[i])
			cache_shard_prefetch_head(shard_of(c, hashes[i]), hashes[i]);
}

void cache_prefetch(cache *c, const cache_question *questions, size_t count)
{
	for (size_t done = 0; done < count; done += PREFETCH_GROUP) {
		size_t n = count - done < PREFETCH_GROUP ? count - done : PREFETCH_GROUP;
		prefetch_group(c, questions + done, n);
	}
}

/* ---- Statistics -------------------------------------------------------------- */

void cache_get_stats(cache *c, cache_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->bytes_used = c->fixed_bytes;
	out->bytes_limit = c->cfg.max_bytes;
	for (unsigned i = 0; i <= c->shard_mask; i++) {
		cache_shard *s = &c->shards[i];
		cache_shard_read_lock(s);
		out->inserts += s->inserts;
		out->evictions += s->evictions;
		out->entries += s->entries;
		out->bytes_used += s->bytes;
		cache_shard_unlock(s);
		out->hits += atomic_load_explicit(&s->hits, memory_order_relaxed);
		out->misses += atomic_load_explicit(&s->misses, memory_order_relaxed);
	}
}
