/* Shared upstream fetches and their waiters (inflight.h). */
#include "inflight.h"

#include <stdlib.h>
#include <string.h>

#include <owndns/error.h>

/* Buckets: a power of two about the fetch bound, within reason. */
#define INFLIGHT_BUCKETS_MIN 64u
#define INFLIGHT_BUCKETS_MAX 16384u

static uint8_t ascii_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

int inflight_key_init(inflight_key *k, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
		      unsigned flags, long target)
{
	size_t len;
	memset(k, 0, sizeof(*k));
	if (owndns_name_check(qname, OWNDNS_NAME_MAX, &len))
		return OWNDNS_EINVAL;
	for (size_t i = 0; i < len; i++)
		k->qname[i] = ascii_lower(qname[i]);
	k->qname_len = len;
	k->qtype = qtype;
	k->qclass = qclass;
	k->flags = (uint8_t)(flags & (INFLIGHT_DO | INFLIGHT_CD));
	k->target = target;
	return OWNDNS_OK;
}

static bool key_equal(const inflight_key *a, const inflight_key *b)
{
	return a->qname_len == b->qname_len && a->qtype == b->qtype && a->qclass == b->qclass &&
	       a->flags == b->flags && a->target == b->target &&
	       memcmp(a->qname, b->qname, a->qname_len) == 0;
}

/* A keyed multiply-xorshift hash: cheap, and its output depends on the secret. */
static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 33);
}

static uint64_t key_hash(const inflight_table *t, const inflight_key *k)
{
	uint64_t h = t->hash_key[0];
	for (size_t i = 0; i < k->qname_len; i++)
		h = mix(h, k->qname[i]);
	h = mix(h, ((uint64_t)k->qtype << 16) | k->qclass);
	h = mix(h, ((uint64_t)k->flags << 32) ^ (uint64_t)k->target);
	return mix(h, t->hash_key[1]);
}

int inflight_table_init(inflight_table *t, size_t max_fetches, size_t max_waiters,
			const uint64_t hash_key[2])
{
	size_t buckets = INFLIGHT_BUCKETS_MIN;
	memset(t, 0, sizeof(*t));
	while (buckets < max_fetches && buckets < INFLIGHT_BUCKETS_MAX)
		buckets *= 2;
	t->buckets = calloc(buckets, sizeof(*t->buckets));
	if (!t->buckets)
		return OWNDNS_ENOMEM;
	t->bucket_mask = buckets - 1;
	t->max_fetches = max_fetches;
	t->max_waiters = max_waiters;
	t->hash_key[0] = hash_key[0];
	t->hash_key[1] = hash_key[1];
	return OWNDNS_OK;
}

void inflight_table_free(inflight_table *t)
{
	free(t->buckets);
	t->buckets = NULL;
}

static inflight_fetch *find(const inflight_table *t, const inflight_key *k, uint64_t hash)
{
	for (inflight_fetch *f = t->buckets[hash & t->bucket_mask]; f; f = f->bucket_next)
		if (f->hash == hash && key_equal(&f->key, k))
			return f;
	return NULL;
}

static void link_waiter(inflight_table *t, inflight_fetch *f, inflight_waiter *w)
{
	w->fetch = f;
	w->next = NULL;
	w->prev = f->last;
	if (f->last)
		f->last->next = w;
	else
		f->first = w;
	f->last = w;
	f->waiter_count++;
	t->waiter_count++;
}

int inflight_join(inflight_table *t, const inflight_key *k, inflight_waiter *w,
		  inflight_fetch **out, bool *created)
{
	uint64_t hash = key_hash(t, k);
	w->fetch = NULL;
	*created = false;
	if (t->waiter_count >= t->max_waiters)
		return OWNDNS_ESPACE;
	inflight_fetch *f = find(t, k, hash);
	if (!f) {
		if (t->fetch_count >= t->max_fetches)
			return OWNDNS_ESPACE;
		f = calloc(1, sizeof(*f));
		if (!f)
			return OWNDNS_ENOMEM;
		f->key = *k;
		f->hash = hash;
		f->bucket_next = t->buckets[hash & t->bucket_mask];
		t->buckets[hash & t->bucket_mask] = f;
		f->in_table = true;
		t->fetch_count++;
		*created = true;
	}
	link_waiter(t, f, w);
	*out = f;
	return OWNDNS_OK;
}

void inflight_leave(inflight_table *t, inflight_waiter *w)
{
	inflight_fetch *f = w->fetch;
	if (!f)
		return;
	if (w->prev)
		w->prev->next = w->next;
	else
		f->first = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		f->last = w->prev;
	w->prev = w->next = NULL;
	w->fetch = NULL;
	f->waiter_count--;
	t->waiter_count--;
}

void inflight_finish(inflight_table *t, inflight_fetch *f)
{
	if (!f->in_table)
		return;
	inflight_fetch **p = &t->buckets[f->hash & t->bucket_mask];
	while (*p && *p != f)
		p = &(*p)->bucket_next;
	if (*p)
		*p = f->bucket_next;
	f->bucket_next = NULL;
	f->in_table = false;
	t->fetch_count--;
}

inflight_waiter *inflight_pop_waiter(inflight_table *t, inflight_fetch *f)
{
	inflight_waiter *w = f->first;
	if (w)
		inflight_leave(t, w);
	return w;
}

inflight_fetch *inflight_any(const inflight_table *t)
{
	if (!t->buckets)
		return NULL;
	for (size_t i = 0; i <= t->bucket_mask; i++)
		if (t->buckets[i])
			return t->buckets[i];
	return NULL;
}

void inflight_fetch_free(inflight_fetch *f)
{
	free(f);
}
