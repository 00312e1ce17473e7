/* Micro-benchmark of the cache's hit path (not a test): lookup of a random name among
 * 100k cached A RRsets, and lookup + append of the answer to a message, in ns per
 * operation; lookups in batches of BATCH whose entries cache_prefetch loads first (as
 * the UDP listener does over a recvmmsg batch); the same with several threads; RSS
 * with 100k names cached.
 *
 *   gcc -O2 -std=c11 -D_DEFAULT_SOURCE -Iinclude -Ilib lib/[a-z]*.c bench/cache_micro.c \
 *       -lpthread -o /tmp/cache_micro && /tmp/cache_micro [threads]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <owndns/message.h>
#include <owndns/rdata.h>

#include "../server/cache/append.c"
#include "../server/cache/cache.c"
#include "../server/cache/entry.c"
#include "../server/cache/key.c"
#include "../server/cache/shard.c"

#ifndef NAMES
#define NAMES 100000u
#endif
#define OPS 4000000u

static uint8_t names[NAMES][40];

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long rss_kib(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * 4;
}

static void make_names(void)
{
	for (unsigned i = 0; i < NAMES; i++) {
		char text[64];
		size_t len;
		snprintf(text, sizeof(text), "www%u.example%u.com.", i, i % 1000);
		if (owndns_name_from_text(text, strlen(text), NULL, names[i], &len) != 0)
			abort();
	}
}

#define BATCH 32u

typedef struct job {
	cache *c;
	int append;
	int prefetch;
	unsigned seed;
	double ns;
	unsigned hits;
} job;

static void *run(void *p)
{
	job *j = p;
	uint8_t storage[4096], buf[512];
	cache_view v;
	owndns_msg_writer w;
	owndns_header h = { 1, OWNDNS_FLAG_QR | OWNDNS_FLAG_RD | OWNDNS_FLAG_RA, { 0 } };
	uint32_t x = j->seed;

	cache_question batch[BATCH];

	cache_view_init(&v, storage, sizeof(storage));
	double t0 = now_ns();
	for (unsigned i = 0; i < OPS; i++) {
		if (i % BATCH == 0) {
			for (unsigned b = 0; b < BATCH; b++) {
				x = x * 1664525u + 1013904223u;
				batch[b] = (cache_question){ names[(x >> 8) % NAMES],
							     OWNDNS_TYPE_A, OWNDNS_CLASS_IN };
			}
			if (j->prefetch)
				cache_prefetch(j->c, batch, BATCH);
		}
		const uint8_t *n = batch[i % BATCH].name;
		if (cache_lookup(j->c, n, OWNDNS_TYPE_A, OWNDNS_CLASS_IN, 100, 0, &v) != 0)
			continue;
		j->hits++;
		if (j->append) {
			owndns_writer_init(&w, buf, sizeof(buf), &h);
			owndns_writer_question(&w, n, OWNDNS_TYPE_A, OWNDNS_CLASS_IN);
			cache_view_append(&v, &w, OWNDNS_SECTION_ANSWER, n, 0);
		}
	}
	j->ns = (now_ns() - t0) / OPS;
	return NULL;
}

/* The message building alone (init + question + one A record written by hand through
 * owndns_writer_rr), to separate the cache's part from the writer's. */
static double writer_only(void)
{
	uint8_t buf[512];
	uint8_t addr[4] = { 192, 0, 2, 1 };
	owndns_msg_writer w;
	owndns_header h = { 1, OWNDNS_FLAG_QR, { 0 } };
	double t0 = now_ns();
	for (unsigned i = 0; i < OPS; i++) {
		const uint8_t *n = names[i % NAMES];
		owndns_rr rr = { n, OWNDNS_TYPE_A, OWNDNS_CLASS_IN, 300, 4, addr };
		owndns_writer_init(&w, buf, sizeof(buf), &h);
		owndns_writer_question(&w, n, OWNDNS_TYPE_A, OWNDNS_CLASS_IN);
		owndns_writer_rr(&w, OWNDNS_SECTION_ANSWER, &rr);
	}
	return (now_ns() - t0) / OPS;
}

static void threads(cache *c, unsigned n, int append, int prefetch)
{
	pthread_t t[16];
	job j[16];
	for (unsigned i = 0; i < n; i++) {
		j[i] = (job){ c, append, prefetch, 12345 + i * 7919, 0, 0 };
		pthread_create(&t[i], NULL, run, &j[i]);
	}
	double worst = 0;
	for (unsigned i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		if (j[i].ns > worst)
			worst = j[i].ns;
	}
	printf("%u thread(s) %-16s%s %6.1f ns/op per thread (hits %u/%u)\n", n,
	       append ? "lookup+append:" : "lookup:", prefetch ? " prefetched" : "           ",
	       worst, j[0].hits, OPS);
}

int main(int argc, char **argv)
{
	unsigned nthreads = argc > 1 ? (unsigned)atoi(argv[1]) : 2;
	cache_config cfg;
	cache *c;

	if (nthreads < 1 || nthreads > 16)
		nthreads = 2;
	make_names();
	long rss0 = rss_kib();
	cache_config_default(&cfg);
	cfg.max_bytes = (size_t)64 << 20;
	cfg.hash_key[0] = 42;
	if (cache_new(&cfg, &c) != 0)
		return 1;
	for (unsigned i = 0; i < NAMES; i++) {
		uint8_t addr[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		owndns_rr rr = { names[i], OWNDNS_TYPE_A, OWNDNS_CLASS_IN, 3600, 4, addr };
		cache_rrset_in in = { &rr, 1, NULL, 0, CACHE_RANK_ANSWER_NONAUTH, 0, false };
		if (cache_store_rrset(c, &in, 0) != 0)
			return 1;
	}
	cache_stats st;
	cache_get_stats(c, &st);
	printf("100k A RRsets: %zu bytes accounted (%.1f per name), RSS +%ld KiB\n",
	       st.bytes_used, (double)st.bytes_used / NAMES, rss_kib() - rss0);
	printf("writer alone (init+question+1 A): %.1f ns/op\n", writer_only());
	for (int prefetch = 0; prefetch < 2; prefetch++) {
		threads(c, 1, 0, prefetch);
		threads(c, 1, 1, prefetch);
		threads(c, nthreads, 0, prefetch);
		threads(c, nthreads, 1, prefetch);
	}
	cache_free(c);
	return 0;
}
