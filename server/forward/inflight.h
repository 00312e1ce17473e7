/* Questions asked upstream and the clients waiting for their answers.  Identical
 * questions (the same name ignoring case, type, class, DO and CD bits, and forwarding
 * target) share one fetch: the first client creates it, later ones join it, and one
 * upstream response answers them all.  No I/O: the caller runs the upstream query
 * (inflight_fetch.driver) and answers the waiters.
 * Bounds: at most max_fetches fetches and max_waiters waiters over the table; a join
 * beyond either fails with ESPACE (the caller answers SERVFAIL: a resolver under that
 * load is better off shedding work than queueing it).
 * Waiters are embedded in the caller's own structures (intrusive list), so joining
 * allocates only for a new fetch.  The hash is keyed with a secret from the caller
 * (getrandom), so clients cannot aim at one bucket.  One thread only. */
#ifndef OWNDNS_SERVER_FORWARD_INFLIGHT_H
#define OWNDNS_SERVER_FORWARD_INFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <owndns/name.h>

#define INFLIGHT_DO 0x1u
#define INFLIGHT_CD 0x2u

typedef struct inflight_key {
	uint8_t qname[OWNDNS_NAME_MAX]; /* lower-cased */
	size_t qname_len;
	uint16_t qtype;
	uint16_t qclass;
	uint8_t flags;  /* INFLIGHT_DO | INFLIGHT_CD */
	long target;    /* forwarding target (forwarders_select) */
} inflight_key;

struct inflight_fetch;

typedef struct inflight_waiter {
	struct inflight_waiter *prev, *next;
	struct inflight_fetch *fetch; /* NULL when not waiting */
} inflight_waiter;

typedef struct inflight_fetch {
	inflight_key key;
	uint64_t hash;
	struct inflight_fetch *bucket_next;
	bool in_table;
	inflight_waiter *first, *last;
	size_t waiter_count;
	void *driver; /* the caller's upstream query */
} inflight_fetch;

typedef struct inflight_table {
	inflight_fetch **buckets;
	size_t bucket_mask;
	size_t fetch_count, max_fetches;
	size_t waiter_count, max_waiters;
	uint64_t hash_key[2];
} inflight_table;

/* Makes the key of a question (qname: wire name, any case).  Errors: EINVAL. */
int inflight_key_init(inflight_key *k, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
		      unsigned flags, long target);

/* Errors: ENOMEM. */
int inflight_table_init(inflight_table *t, size_t max_fetches, size_t max_waiters,
			const uint64_t hash_key[2]);
/* Frees the buckets; fetches still in the table are the caller's to free first. */
void inflight_table_free(inflight_table *t);

/* Adds waiter w for key k: to the fetch in flight for k, or to a new one (*created
 * true: the caller starts its driver).  *out gets the fetch.  Errors: ESPACE (a
 * bound), ENOMEM; w is then not waiting. */
int inflight_join(inflight_table *t, const inflight_key *k, inflight_waiter *w,
		  inflight_fetch **out, bool *created);

/* Takes w off its fetch (its client went away).  The fetch keeps running: its answer
 * still goes to the cache and to the other waiters. */
void inflight_leave(inflight_table *t, inflight_waiter *w);

/* Takes a fetch out of the table: no one joins it any more.  Its waiters stay until
 * popped. */
void inflight_finish(inflight_table *t, inflight_fetch *f);

/* The next waiter of a finished or running fetch, taken off it; NULL when none. */
inflight_waiter *inflight_pop_waiter(inflight_table *t, inflight_fetch *f);

/* The first fetch in the table, for shutdown; NULL when empty. */
inflight_fetch *inflight_any(const inflight_table *t);

/* Frees a fetch taken out of the table with no waiter left. */
void inflight_fetch_free(inflight_fetch *f);

#endif
