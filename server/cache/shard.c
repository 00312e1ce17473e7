/* One shard of the cache: a chained hash table, a SIEVE queue for eviction, and a
 * budget of octets it never exceeds.
 *
 * SIEVE (Zhang et al., NSDI 2024) keeps entries in insertion order; a hit only sets a
 * visited bit, so lookups need no write access to the queue and run under the read
 * lock.  To make room, the hand walks from the oldest entry towards the newest,
 * clearing visited bits, and evicts the first entry that was not visited since the
 * hand last passed it.  An expired entry is evicted whenever the hand meets it, visited
 * or not: expired data is the least useful. */
#include <stdlib.h>
#include <string.h>

#include "cache_internal.h"

int cache_shard_init(cache_shard *s, uint32_t buckets, size_t budget, atomic_size_t *dnames)
{
	memset(s, 0, sizeof(*s));
	s->buckets = calloc(buckets, sizeof(*s->buckets));
	if (!s->buckets)
		return OWNDNS_ENOMEM;
	if (pthread_rwlock_init(&s->lock, NULL) != 0) {
		free(s->buckets);
		s->buckets = NULL;
		return OWNDNS_ENOMEM;
	}
	atomic_init(&s->hits, 0);
	atomic_init(&s->misses, 0);
	s->bucket_mask = buckets - 1;
	s->budget = budget;
	s->dnames = dnames;
	return OWNDNS_OK;
}

void cache_shard_destroy(cache_shard *s)
{
	cache_entry *garbage = NULL;

	if (!s->buckets)
		return;
	cache_shard_unlink_all(s, &garbage);
	cache_free_entries(garbage);
	free(s->buckets);
	s->buckets = NULL;
	pthread_rwlock_destroy(&s->lock);
}

/* Lock failures (EDEADLK, EAGAIN on reader overflow) are programming errors here:
 * no caller holds two shard locks or recurses. */
void cache_shard_read_lock(cache_shard *s)
{
	(void)pthread_rwlock_rdlock(&s->lock);
}

void cache_shard_write_lock(cache_shard *s)
{
	(void)pthread_rwlock_wrlock(&s->lock);
}

void cache_shard_unlock(cache_shard *s)
{
	(void)pthread_rwlock_unlock(&s->lock);
}

static cache_entry *bucket_head(const cache_shard *s, uint64_t hash)
{
	return atomic_load_explicit(&s->buckets[hash & s->bucket_mask], memory_order_relaxed);
}

static void set_bucket_head(cache_shard *s, uint64_t hash, cache_entry *e)
{
	atomic_store_explicit(&s->buckets[hash & s->bucket_mask], e, memory_order_relaxed);
}

void cache_shard_prefetch_bucket(const cache_shard *s, uint64_t hash)
{
	__builtin_prefetch(&s->buckets[hash & s->bucket_mask]);
}

/* An entry's key (owner) and records mostly reach into its second cache line. */
static void prefetch_entry(const cache_entry *e)
{
	__builtin_prefetch(e);
	__builtin_prefetch((const char *)e + 64);
}

void cache_shard_prefetch_head(const cache_shard *s, uint64_t hash)
{
	cache_entry *e = bucket_head(s, hash);
	if (e)
		prefetch_entry(e);
}

cache_entry *cache_shard_find(const cache_shard *s, uint64_t hash, const cache_key_name *k,
			      uint16_t type, uint16_t rclass)
{
	uint32_t tag = (uint32_t)hash;

	for (cache_entry *e = bucket_head(s, hash); e; e = e->chain)
		if (e->tag == tag && e->type == type && e->rclass == rclass &&
		    e->owner_len == k->len && memcmp(e->data, k->name, k->len) == 0)
			return e;
	return NULL;
}

static void queue_push_newest(cache_shard *s, cache_entry *e)
{
	e->older = s->newest;
	e->newer = NULL;
	if (s->newest)
		s->newest->newer = e;
	else
		s->oldest = e;
	s->newest = e;
}

static void queue_remove(cache_shard *s, cache_entry *e)
{
	if (s->hand == e)
		s->hand = e->newer;
	if (e->older)
		e->older->newer = e->newer;
	else
		s->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		s->newest = e->older;
}

void cache_shard_unlink(cache_shard *s, cache_entry *e, cache_entry **garbage)
{
	cache_entry *head = bucket_head(s, e->tag);

	if (head == e) {
		set_bucket_head(s, e->tag, e->chain);
	} else {
		while (head->chain != e)
			head = head->chain;
		head->chain = e->chain;
	}
	queue_remove(s, e);
	if (e->type == OWNDNS_TYPE_DNAME)
		atomic_fetch_sub_explicit(s->dnames, 1, memory_order_relaxed);
	s->bytes -= cache_entry_cost(e);
	s->entries--;
	e->chain = *garbage;
	*garbage = e;
}

static bool visited(cache_entry *e)
{
	return atomic_load_explicit(&e->visited, memory_order_relaxed) != 0;
}

/* SIEVE's choice of victim; the queue is not empty. */
static cache_entry *sieve_victim(cache_shard *s, uint32_t now)
{
	cache_entry *e = s->hand ? s->hand : s->oldest;

	while (visited(e) && cache_entry_fresh(e, now)) {
		atomic_store_explicit(&e->visited, 0, memory_order_relaxed);
		e = e->newer ? e->newer : s->oldest;
	}
	return e;
}

int cache_shard_insert(cache_shard *s, cache_entry *e, uint64_t hash, uint32_t now,
		       cache_entry **garbage)
{
	size_t cost = cache_entry_cost(e);

	if (cost > s->budget)
		return OWNDNS_ESPACE;
	while (s->budget - s->bytes < cost) {
		cache_entry *victim = sieve_victim(s, now);
		s->hand = victim->newer;
		cache_shard_unlink(s, victim, garbage);
		s->evictions++;
	}
	e->tag = (uint32_t)hash;
	atomic_init(&e->visited, 0);
	e->chain = bucket_head(s, hash);
	set_bucket_head(s, hash, e);
	queue_push_newest(s, e);
	if (e->type == OWNDNS_TYPE_DNAME)
		atomic_fetch_add_explicit(s->dnames, 1, memory_order_relaxed);
	s->bytes += cost;
	s->entries++;
	s->inserts++;
	return OWNDNS_OK;
}

void cache_shard_unlink_all(cache_shard *s, cache_entry **garbage)
{
	while (s->oldest)
		cache_shard_unlink(s, s->oldest, garbage);
	s->hand = NULL;
}

void cache_free_entries(cache_entry *garbage)
{
	while (garbage) {
		cache_entry *next = garbage->chain;
		free(garbage);
		garbage = next;
	}
}
