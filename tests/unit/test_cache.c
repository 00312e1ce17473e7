/* The resolver cache (server/cache/): storing and looking up RRsets and negative
 * entries, TTL rules, ranking, the memory budget, serve-stale, answers written through
 * the message writer (bytes checked against dnspython), and two threads at once.
 * Time is a plain number passed in: the cache reads no clock. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <owndns/message.h>
#include <owndns/rdata.h>
#include <owndns/rr.h>

#include "cache/cache_internal.h" /* entry sizes, for the budget test */

#define RR_STORAGE 1024

typedef struct test_rr {
	owndns_rr rr;
	uint8_t storage[RR_STORAGE];
} test_rr;

static void parse_rr(const char *text, test_rr *t)
{
	assert_int_equal(owndns_rr_from_text(text, strlen(text), NULL, t->storage,
					     sizeof(t->storage), &t->rr),
			 OWNDNS_OK);
}

static void wire_name(const char *text, uint8_t *out)
{
	size_t len;
	assert_int_equal(owndns_name_from_text(text, strlen(text), NULL, out, &len), OWNDNS_OK);
}

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;
	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static cache *new_cache(size_t bytes, unsigned shards)
{
	cache_config cfg;
	cache *c;

	cache_config_default(&cfg);
	cfg.max_bytes = bytes;
	cfg.shards = shards;
	cfg.hash_key[0] = 0x0123456789abcdefull;
	cfg.hash_key[1] = 0xfedcba9876543210ull;
	assert_int_equal(cache_new(&cfg, &c), OWNDNS_OK);
	return c;
}

static cache *new_cache_cfg(const cache_config *cfg)
{
	cache *c;
	assert_int_equal(cache_new(cfg, &c), OWNDNS_OK);
	return c;
}

/* Stores the records given as text lines (NULL-terminated) as one RRset. */
static int store_texts(cache *c, uint8_t rank, uint32_t now, const char *const *texts)
{
	test_rr rrs[8], sigs[4];
	owndns_rr r[8], s[4];
	size_t nr = 0, ns = 0;

	for (size_t i = 0; texts[i]; i++) {
		test_rr *t = strstr(texts[i], " RRSIG ") ? &sigs[ns] : &rrs[nr];
		parse_rr(texts[i], t);
		if (t == &sigs[ns])
			s[ns++] = t->rr;
		else
			r[nr++] = t->rr;
	}
	cache_rrset_in in = { r, nr, s, ns, rank, 0, false };
	return cache_store_rrset(c, &in, now);
}

static int store1(cache *c, uint8_t rank, uint32_t now, const char *text)
{
	const char *texts[] = { text, NULL };
	return store_texts(c, rank, now, texts);
}

static int lookup(cache *c, const char *name, uint16_t type, uint32_t now, unsigned flags,
		  cache_view *v, uint8_t *storage, size_t cap)
{
	uint8_t n[OWNDNS_NAME_MAX];
	wire_name(name, n);
	cache_view_init(v, storage, cap);
	return cache_lookup(c, n, type, OWNDNS_CLASS_IN, now, flags, v);
}

/* Remaining TTL of (name, A) at `now`, or -1 on a miss. */
static long ttl_at(cache *c, const char *name, uint16_t type, uint32_t now)
{
	uint8_t storage[2048];
	cache_view v;
	int rc = lookup(c, name, type, now, 0, &v, storage, sizeof(storage));
	return rc == OWNDNS_OK ? (long)v.ttl : -1;
}

/* First A address in a view, as the last octet. */
static int first_a_last_octet(const cache_view *v)
{
	size_t pos = 0;
	owndns_rr rr;
	assert_int_equal(cache_records_next(v->records, v->records_len, &pos, &rr), 1);
	assert_int_equal(rr.rdlen, 4);
	return rr.rdata[3];
}

static const char SOA_TEXT[] =
	"example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 "
	"7200 3600 1209600 300";

static int store_negative(cache *c, const char *name, uint16_t type, bool nxdomain,
			  const char *soa_text, uint8_t rank, uint32_t now)
{
	uint8_t n[OWNDNS_NAME_MAX];
	test_rr soa;

	wire_name(name, n);
	parse_rr(soa_text, &soa);
	cache_negative_in in = { n, type, OWNDNS_CLASS_IN, nxdomain, &soa.rr, NULL, 0, rank, 0,
				 NULL, 0, false };
	return cache_store_negative(c, &in, now);
}

/* ---- Store and look up ------------------------------------------------------- */

static void test_insert_lookup(void **state)
{
	(void)state;
	cache *c = new_cache(1 << 20, 4);
	const char *texts[] = { "www.example.com. 300 IN A 192.0.2.1",
				"www.example.com. 300 IN A 192.0.2.2", NULL };
	uint8_t storage[512];
	cache_view v;

	assert_int_equal(store_texts(c, CACHE_RANK_ANSWER_AUTH, 1000, texts), OWNDNS_OK);
	assert_int_equal(lookup(c, "www.example.com.", OWNDNS_TYPE_A, 1000, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.kind, CACHE_KIND_POSITIVE);
	assert_int_equal(v.type, OWNDNS_TYPE_A);
	assert_int_equal(v.rank, CACHE_RANK_ANSWER_AUTH);
	assert_int_equal(v.ttl, 300);
	assert_int_equal(v.original_ttl, 300);
	assert_false(v.stale);
	assert_int_equal(v.record_count, 2);
	assert_int_equal(v.sig_count, 0);
	/* Owner-less wire records: TYPE CLASS TTL(placeholder) RDLENGTH RDATA. */
	static const uint8_t want[] = { 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 192, 0, 2, 1,
					0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 192, 0, 2, 2 };
	assert_int_equal(v.records_len, sizeof(want));
	assert_memory_equal(v.records, want, sizeof(want));
	assert_ptr_equal(v.records_owner, v.owner);

	/* Other type, other class, other name: misses. */
	assert_int_equal(ttl_at(c, "www.example.com.", OWNDNS_TYPE_AAAA, 1000), -1);
	assert_int_equal(ttl_at(c, "ww.example.com.", OWNDNS_TYPE_A, 1000), -1);
	uint8_t n[OWNDNS_NAME_MAX];
	wire_name("www.example.com.", n);
	cache_view_init(&v, storage, sizeof(storage));
	assert_int_equal(cache_lookup(c, n, OWNDNS_TYPE_A, OWNDNS_CLASS_CH, 1000, 0, &v),
			 OWNDNS_ENOTFOUND);

	/* The view's storage must hold the entry: 17 (owner) + 28 (records). */
	assert_int_equal(lookup(c, "www.example.com.", OWNDNS_TYPE_A, 1000, 0, &v, storage, 44),
			 OWNDNS_ESPACE);
	assert_int_equal(lookup(c, "www.example.com.", OWNDNS_TYPE_A, 1000, 0, &v, storage, 45),
			 OWNDNS_OK);

	cache_stats st;
	cache_get_stats(c, &st);
	assert_int_equal(st.inserts, 1);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.hits, 2);
	assert_int_equal(st.misses, 3);
	cache_free(c);
}

static void test_case_insensitive(void **state)
{
	(void)state;
	cache *c = new_cache(1 << 20, 4);
	uint8_t storage[512];
	cache_view v;
	uint8_t lower[OWNDNS_NAME_MAX];

	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, "WWW.ExAmPlE.CoM. 60 IN A 192.0.2.7"),
			 OWNDNS_OK);
	assert_int_equal(ttl_at(c, "www.example.com.", OWNDNS_TYPE_A, 0), 60);
	assert_int_equal(ttl_at(c, "WWW.EXAMPLE.COM.", OWNDNS_TYPE_A, 0), 60);
	assert_int_equal(lookup(c, "wWw.eXample.com.", OWNDNS_TYPE_A, 0, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	wire_name("www.example.com.", lower);
	assert_memory_equal(v.owner, lower, 17);
	/* Only ASCII letters fold: 0xC9 and 0xE9 stay different (RFC 4343 §3). */
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, "\\201.example. 60 IN A 192.0.2.8"),
			 OWNDNS_OK);
	assert_int_equal(ttl_at(c, "\\233.example.", OWNDNS_TYPE_A, 0), -1);
	assert_int_equal(ttl_at(c, "\\201.example.", OWNDNS_TYPE_A, 0), 60);
	/* A label '[' (0x5b) is not a folded '{' (0x7b) nor an upper-case letter. */
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, "[.example. 60 IN A 192.0.2.9"),
			 OWNDNS_OK);
	assert_int_equal(ttl_at(c, "{.example.", OWNDNS_TYPE_A, 0), -1);
	/* Storing again under another case replaces, it does not add. */
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 5, "www.EXAMPLE.com. 90 IN A 192.0.2.7"),
			 OWNDNS_OK);
	cache_stats st;
	cache_get_stats(c, &st);
	assert_int_equal(st.entries, 3);
	assert_int_equal(ttl_at(c, "Www.Example.Com.", OWNDNS_TYPE_A, 5), 90);
	cache_free(c);
}

static void test_ttl_countdown_and_expiry(void **state)
{
	(void)state;
	cache *c = new_cache(1 << 20, 4);

	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 1000, "a.example. 300 IN A 192.0.2.1"),
			 OWNDNS_OK);
	assert_int_equal(ttl_at(c, "a.example.", OWNDNS_TYPE_A, 1000), 300);
	assert_int_equal(ttl_at(c, "a.example.", OWNDNS_TYPE_A, 1100), 200);
	assert_int_equal(ttl_at(c, "a.example.", OWNDNS_TYPE_A, 1299), 1);
	assert_int_equal(ttl_at(c, "a.example.", OWNDNS_TYPE_A, 1300), -1);
	assert_int_equal(ttl_at(c, "a.example.", OWNDNS_TYPE_A, 99999), -1);

	/* RFC 2181 §5.2: an RRset with differing TTLs takes the smallest. */
	const char *mixed[] = { "b.example. 300 IN A 192.0.2.1", "b.example. 100 IN A 192.0.2.2",
				"b.example. 200 IN A 192.0.2.3", NULL };
	assert_int_equal(store_texts(c, CACHE_RANK_ANSWER_AUTH, 0, mixed), OWNDNS_OK);
	assert_int_equal(ttl_at(c, "b.example.", OWNDNS_TYPE_A, 0), 100);

	/* TTL 0 is not cached; expiry saturates at the end of the clock. */
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, "z.example. 0 IN A 192.0.2.1"),
			 CACHE_NOT_STORED);
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, UINT32_MAX - 10,
				"late.example. 300 IN A 192.0.2.1"),
			 OWNDNS_OK);
	assert_int_equal(ttl_at(c, "late.example.", OWNDNS_TYPE_A, UINT32_MAX - 10), 10);
	cache_free(c);
}

static void test_ttl_clamps(void **state)
{
	(void)state;
	cache_config cfg;
	cache_config_default(&cfg);
	cfg.max_bytes = 1 << 20;
	cfg.min_ttl = 60;
	cfg.max_ttl = 3600;
	cache *c = new_cache_cfg(&cfg);

	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, "a.example. 5 IN A 192.0.2.1"),
			 OWNDNS_OK);
	assert_int_equal(ttl_at(c, "a.example.", OWNDNS_TYPE_A, 0), 60);
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, "b.example. 86400 IN A 192.0.2.1"),
			 OWNDNS_OK);
	assert_int_equal(ttl_at(c, "b.example.", OWNDNS_TYPE_A, 0), 3600);
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, "c.example. 3600 IN A 192.0.2.1"),
			 OWNDNS_OK);
	assert_int_equal(ttl_at(c, "c.example.", OWNDNS_TYPE_A, 0), 3600);
	/* RFC 2181 §8: 2^31 counts as 0, then min_ttl raises it. */
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, "d.example. 2147483648 IN A 192.0.2.1"),
			 OWNDNS_OK);
	assert_int_equal(ttl_at(c, "d.example.", OWNDNS_TYPE_A, 0), 60);
	cache_free(c);

	cfg.min_ttl = 0;
	c = new_cache_cfg(&cfg);
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, "d.example. 2147483648 IN A 192.0.2.1"),
			 CACHE_NOT_STORED);
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, "e.example. 2147483647 IN A 192.0.2.1"),
			 OWNDNS_OK);
	assert_int_equal(ttl_at(c, "e.example.", OWNDNS_TYPE_A, 0), 3600);
	cache_free(c);

	cfg.min_ttl = 7200; /* above max_ttl */
	cache *bad = NULL;
	assert_int_equal(cache_new(&cfg, &bad), OWNDNS_EINVAL);
	assert_null(bad);
	cache_config_default(&cfg);
	cfg.shards = 3;
	assert_int_equal(cache_new(&cfg, &bad), OWNDNS_EINVAL);
	cache_config_default(&cfg);
	cfg.max_bytes = 4096;
	assert_int_equal(cache_new(&cfg, &bad), OWNDNS_EINVAL);
}

/* ---- Negative entries ---------------------------------------------------------- */

static void test_negative_nxdomain(void **state)
{
	(void)state;
	cache *c = new_cache(1 << 20, 4);
	uint8_t storage[512];
	cache_view v;
	uint8_t apex[OWNDNS_NAME_MAX];

	/* SOA TTL 3600, MINIMUM 300: RFC 2308 §5 takes 300. */
	assert_int_equal(store_negative(c, "nope.example.com.", OWNDNS_TYPE_A, true, SOA_TEXT,
					CACHE_RANK_ANSWER_AUTH, 100),
			 OWNDNS_OK);
	assert_int_equal(lookup(c, "NOPE.example.com.", OWNDNS_TYPE_MX, 150, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.kind, CACHE_KIND_NXDOMAIN);
	assert_int_equal(v.type, OWNDNS_TYPE_SOA);
	assert_int_equal(v.ttl, 250);
	assert_int_equal(v.record_count, 1);
	wire_name("example.com.", apex);
	assert_memory_equal(v.records_owner, apex, 13);
	owndns_rr soa;
	size_t pos = 0;
	assert_int_equal(cache_records_next(v.records, v.records_len, &pos, &soa), 1);
	assert_int_equal(soa.type, OWNDNS_TYPE_SOA);
	assert_int_equal(soa.rdlen, 61); /* uncompressed */
	assert_int_equal(cache_records_next(v.records, v.records_len, &pos, &soa), 0);
	assert_int_equal(ttl_at(c, "nope.example.com.", OWNDNS_TYPE_AAAA, 399), 1);
	assert_int_equal(ttl_at(c, "nope.example.com.", OWNDNS_TYPE_AAAA, 400), -1);

	/* SOA TTL below MINIMUM: the SOA TTL wins. */
	assert_int_equal(store_negative(c, "x.example.com.", 0, true,
					"example.com. 60 IN SOA ns. h. 1 2 3 4 300",
					CACHE_RANK_ANSWER_AUTH, 0),
			 OWNDNS_OK);
	assert_int_equal(ttl_at(c, "x.example.com.", OWNDNS_TYPE_A, 0), 60);

	/* A positive RRset for the name contradicts NXDOMAIN and drops it. */
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 10, "x.example.com. 30 IN TXT \"hi\""),
			 OWNDNS_OK);
	assert_int_equal(ttl_at(c, "x.example.com.", OWNDNS_TYPE_A, 10), -1);
	assert_int_equal(ttl_at(c, "x.example.com.", OWNDNS_TYPE_TXT, 10), 30);

	/* NXDOMAIN drops the entry for the type it answered. */
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_NONAUTH, 0, "y.example.com. 300 IN A 192.0.2.1"),
			 OWNDNS_OK);
	assert_int_equal(store_negative(c, "y.example.com.", OWNDNS_TYPE_A, true, SOA_TEXT,
					CACHE_RANK_ANSWER_AUTH, 0),
			 OWNDNS_OK);
	assert_int_equal(lookup(c, "y.example.com.", OWNDNS_TYPE_A, 0, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.kind, CACHE_KIND_NXDOMAIN);
	cache_free(c);
}

static void test_negative_nodata_and_limits(void **state)
{
	(void)state;
	cache_config cfg;
	cache_config_default(&cfg);
	cfg.max_bytes = 1 << 20;
	cfg.max_negative_ttl = 900;
	cfg.min_ttl = 1000; /* does not apply to negative entries */
	cfg.max_ttl = 5000;
	cache *c = new_cache_cfg(&cfg);
	uint8_t storage[512];
	cache_view v;

	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, "host.example.com. 300 IN A 192.0.2.1"),
			 OWNDNS_OK);
	assert_int_equal(store_negative(c, "host.example.com.", OWNDNS_TYPE_AAAA, false,
					"example.com. 7200 IN SOA ns. h. 1 2 3 4 7200",
					CACHE_RANK_ANSWER_AUTH, 0),
			 OWNDNS_OK);
	assert_int_equal(lookup(c, "host.example.com.", OWNDNS_TYPE_AAAA, 0, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.kind, CACHE_KIND_NODATA);
	assert_int_equal(v.ttl, 900); /* capped by max_negative_ttl */
	/* NODATA for AAAA says nothing about A. */
	assert_int_equal(lookup(c, "host.example.com.", OWNDNS_TYPE_A, 0, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.kind, CACHE_KIND_POSITIVE);
	assert_int_equal(v.ttl, 1000);
	/* min_ttl does not raise a small negative TTL. */
	assert_int_equal(store_negative(c, "host.example.com.", OWNDNS_TYPE_MX, false,
					"example.com. 7200 IN SOA ns. h. 1 2 3 4 5",
					CACHE_RANK_ANSWER_AUTH, 0),
			 OWNDNS_OK);
	assert_int_equal(ttl_at(c, "host.example.com.", OWNDNS_TYPE_MX, 0), 5);

	/* Bad proofs: not a SOA, SOA not above the name, malformed SOA, NODATA for type 0. */
	assert_int_equal(store_negative(c, "a.example.com.", OWNDNS_TYPE_A, false,
					"example.com. 60 IN NS ns.", CACHE_RANK_ANSWER_AUTH, 0),
			 OWNDNS_EINVAL);
	assert_int_equal(store_negative(c, "a.example.org.", OWNDNS_TYPE_A, false, SOA_TEXT,
					CACHE_RANK_ANSWER_AUTH, 0),
			 OWNDNS_EINVAL);
	assert_int_equal(store_negative(c, "a.example.com.", 0, false, SOA_TEXT,
					CACHE_RANK_ANSWER_AUTH, 0),
			 OWNDNS_EINVAL);
	test_rr soa;
	uint8_t n[OWNDNS_NAME_MAX];
	parse_rr(SOA_TEXT, &soa);
	soa.rr.rdlen--; /* MINIMUM cut short */
	wire_name("a.example.com.", n);
	cache_negative_in in = { n, OWNDNS_TYPE_A, OWNDNS_CLASS_IN, false, &soa.rr, NULL, 0,
				 CACHE_RANK_ANSWER_AUTH, 0, NULL, 0, false };
	assert_int_equal(cache_store_negative(c, &in, 0), OWNDNS_EINVAL);
	/* SOA MINIMUM 0: nothing to cache. */
	assert_int_equal(store_negative(c, "a.example.com.", OWNDNS_TYPE_A, false,
					"example.com. 60 IN SOA ns. h. 1 2 3 4 0",
					CACHE_RANK_ANSWER_AUTH, 0),
			 CACHE_NOT_STORED);
	cache_free(c);
}

/* ---- Ranking (RFC 2181 §5.4.1) ------------------------------------------------- */

static void test_ranking(void **state)
{
	(void)state;
	cache *c = new_cache(1 << 20, 4);
	uint8_t storage[512];
	cache_view v;

	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, "ns1.example. 600 IN A 192.0.2.1"),
			 OWNDNS_OK);
	/* Glue and non-authoritative data do not override the authoritative answer. */
	assert_int_equal(store1(c, CACHE_RANK_ADDITIONAL, 10, "ns1.example. 86400 IN A 198.51.100.9"),
			 CACHE_NOT_STORED);
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_NONAUTH, 10, "ns1.example. 60 IN A 198.51.100.8"),
			 CACHE_NOT_STORED);
	assert_int_equal(store_negative(c, "ns1.example.", OWNDNS_TYPE_A, false,
					"example. 60 IN SOA ns. h. 1 2 3 4 60",
					CACHE_RANK_AUTHORITY_AUTH, 10),
			 CACHE_NOT_STORED);
	assert_int_equal(lookup(c, "ns1.example.", OWNDNS_TYPE_A, 10, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(first_a_last_octet(&v), 1);
	assert_int_equal(v.ttl, 590);
	/* Fresh data of the same rank replaces. */
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 20, "ns1.example. 300 IN A 192.0.2.2"),
			 OWNDNS_OK);
	assert_int_equal(lookup(c, "ns1.example.", OWNDNS_TYPE_A, 20, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(first_a_last_octet(&v), 2);
	/* Expired, the answer stays for serve-stale (86400 s by default) against glue;
	 * after that window glue may take its place. */
	assert_int_equal(store1(c, CACHE_RANK_ADDITIONAL, 320, "ns1.example. 100 IN A 198.51.100.9"),
			 CACHE_NOT_STORED);
	assert_int_equal(lookup(c, "ns1.example.", OWNDNS_TYPE_A, 320, CACHE_LOOKUP_STALE, &v,
				storage, sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(first_a_last_octet(&v), 2);
	const uint32_t later = 320 + 86400 + 1;
	assert_int_equal(store1(c, CACHE_RANK_ADDITIONAL, later, "ns1.example. 100 IN A 198.51.100.9"),
			 OWNDNS_OK);
	assert_int_equal(lookup(c, "ns1.example.", OWNDNS_TYPE_A, later, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.rank, CACHE_RANK_ADDITIONAL);
	/* Glue never answers: an answering lookup misses it. */
	assert_int_equal(lookup(c, "ns1.example.", OWNDNS_TYPE_A, later, CACHE_LOOKUP_ANSWERS, &v,
				storage, sizeof(storage)),
			 OWNDNS_ENOTFOUND);
	/* A higher rank replaces a lower one at once. */
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_NONAUTH, later + 10,
				"ns1.example. 100 IN A 192.0.2.3"),
			 OWNDNS_OK);
	assert_int_equal(lookup(c, "ns1.example.", OWNDNS_TYPE_A, later + 10, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(first_a_last_octet(&v), 3);
	assert_int_equal(v.rank, CACHE_RANK_ANSWER_NONAUTH);
	/* Lower-ranked NXDOMAIN leaves a higher-ranked RRset alone. */
	assert_int_equal(store_negative(c, "ns1.example.", OWNDNS_TYPE_A, true,
					"example. 60 IN SOA ns. h. 1 2 3 4 60",
					CACHE_RANK_AUTHORITY_NONAUTH, later + 10),
			 OWNDNS_OK);
	assert_int_equal(lookup(c, "ns1.example.", OWNDNS_TYPE_A, later + 10, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.kind, CACHE_KIND_POSITIVE);
	assert_int_equal(store1(c, 0, 0, "bad.example. 100 IN A 192.0.2.3"), OWNDNS_EINVAL);
	assert_int_equal(store1(c, 6, 0, "bad.example. 100 IN A 192.0.2.3"), OWNDNS_EINVAL);
	cache_free(c);
}

/* Authority and additional data never answer, and never stand in the way of data
 * that does (RFC 2181 §5.4.1). */
static void test_non_answer_ranks_give_way(void **state)
{
	(void)state;
	cache *c = new_cache(1 << 20, 4);
	uint8_t storage[512];
	cache_view v;

	/* The authority NS of an AA=1 answer ranks above a forwarder's answer, yet the
	 * answer replaces it, and an answer is not replaced by it. */
	assert_int_equal(store1(c, CACHE_RANK_AUTHORITY_AUTH, 0, "example. 600 IN NS ns1.example."),
			 OWNDNS_OK);
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_NONAUTH, 10, "example. 300 IN NS ns2.example."),
			 OWNDNS_OK);
	assert_int_equal(lookup(c, "example.", OWNDNS_TYPE_NS, 10, CACHE_LOOKUP_ANSWERS, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.rank, CACHE_RANK_ANSWER_NONAUTH);
	assert_int_equal(store1(c, CACHE_RANK_AUTHORITY_AUTH, 20, "example. 600 IN NS ns1.example."),
			 CACHE_NOT_STORED);
	/* Glue at a name does not hide the CNAME there from an answering lookup. */
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_NONAUTH, 0, "w.example. 300 IN CNAME x.example."),
			 OWNDNS_OK);
	assert_int_equal(store1(c, CACHE_RANK_ADDITIONAL, 0, "w.example. 300 IN A 198.51.100.1"),
			 OWNDNS_OK);
	assert_int_equal(lookup(c, "w.example.", OWNDNS_TYPE_A, 1, CACHE_LOOKUP_ANSWERS, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.kind, CACHE_KIND_CNAME);
	/* Glue neither removes an NXDOMAIN entry. */
	assert_int_equal(store_negative(c, "gone.example.", 0, true,
					"example. 60 IN SOA ns. h. 1 2 3 4 60",
					CACHE_RANK_AUTHORITY_NONAUTH, 0),
			 OWNDNS_OK);
	assert_int_equal(store1(c, CACHE_RANK_ADDITIONAL, 0, "gone.example. 300 IN A 198.51.100.1"),
			 OWNDNS_OK);
	assert_int_equal(lookup(c, "gone.example.", OWNDNS_TYPE_A, 1, CACHE_LOOKUP_ANSWERS, &v,
				storage, sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.kind, CACHE_KIND_NXDOMAIN);
	cache_free(c);
}

/* RFC 2181 §8: a TTL with the top bit set counts as 0 before the smallest TTL of the
 * RRset is taken, not after. */
static void test_ttl_top_bit_per_record(void **state)
{
	(void)state;
	cache *c = new_cache(1 << 20, 4);
	static const char *const rrset[] = { "t.example. 100 IN A 192.0.2.1",
					     "t.example. 2147483648 IN A 192.0.2.2", NULL };
	assert_int_equal(store_texts(c, CACHE_RANK_ANSWER_AUTH, 0, rrset), CACHE_NOT_STORED);
	assert_int_equal(store_negative(c, "n.example.", OWNDNS_TYPE_A, false,
					"example. 2147483648 IN SOA ns. h. 1 2 3 4 60",
					CACHE_RANK_AUTHORITY_AUTH, 0),
			 CACHE_NOT_STORED);
	assert_int_equal(store_negative(c, "n.example.", OWNDNS_TYPE_A, false,
					"example. 60 IN SOA ns. h. 1 2 3 4 2147483649",
					CACHE_RANK_AUTHORITY_AUTH, 0),
			 CACHE_NOT_STORED);
	cache_free(c);
}

/* ---- CNAME, signatures, malformed input ---------------------------------------- */

static void test_cname_fallback(void **state)
{
	(void)state;
	cache *c = new_cache(1 << 20, 4);
	uint8_t storage[512];
	cache_view v;

	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, "www.example. 300 IN CNAME web.example."),
			 OWNDNS_OK);
	assert_int_equal(lookup(c, "www.example.", OWNDNS_TYPE_A, 0, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.kind, CACHE_KIND_CNAME);
	assert_int_equal(v.type, OWNDNS_TYPE_CNAME);
	assert_int_equal(lookup(c, "www.example.", OWNDNS_TYPE_A, 0, CACHE_LOOKUP_NO_CNAME, &v,
				storage, sizeof(storage)),
			 OWNDNS_ENOTFOUND);
	assert_int_equal(lookup(c, "www.example.", OWNDNS_TYPE_CNAME, 0, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.kind, CACHE_KIND_POSITIVE);
	/* The exact type wins over the CNAME (both cached after a zone change). */
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, "www.example. 300 IN A 192.0.2.1"),
			 OWNDNS_OK);
	assert_int_equal(lookup(c, "www.example.", OWNDNS_TYPE_A, 0, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.kind, CACHE_KIND_POSITIVE);
	cache_free(c);
}

static const char SIG_TEXT[] =
	"www.example. 300 IN RRSIG A 8 2 300 20300101000000 20200101000000 12345 example. "
	"AQIDBAUGBwg=";

static void test_sigs_and_bad_input(void **state)
{
	(void)state;
	cache *c = new_cache(1 << 20, 4);
	uint8_t storage[512];
	cache_view v;

	const char *signed_set[] = { "www.example. 600 IN A 192.0.2.1", SIG_TEXT, NULL };
	assert_int_equal(store_texts(c, CACHE_RANK_ANSWER_AUTH, 0, signed_set), OWNDNS_OK);
	assert_int_equal(lookup(c, "www.example.", OWNDNS_TYPE_A, 0, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.sig_count, 1);
	assert_int_equal(v.ttl, 300); /* the signature's TTL is smaller */
	owndns_rr sig;
	size_t pos = 0;
	assert_int_equal(cache_records_next(v.sigs, v.sigs_len, &pos, &sig), 1);
	assert_int_equal(sig.type, OWNDNS_TYPE_RRSIG);
	assert_int_equal(sig.rdata[1], OWNDNS_TYPE_A);

	/* Duplicates are stored once (RFC 2181 §5). */
	const char *dup[] = { "d.example. 60 IN A 192.0.2.1", "d.example. 60 IN A 192.0.2.1",
			      "d.example. 60 IN A 192.0.2.2", NULL };
	assert_int_equal(store_texts(c, CACHE_RANK_ANSWER_AUTH, 0, dup), OWNDNS_OK);
	assert_int_equal(lookup(c, "d.example.", OWNDNS_TYPE_A, 0, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.record_count, 2);
	assert_int_equal(v.records_len, 28);

	/* Not one RRset, or signatures that do not cover it. */
	const char *mixed_type[] = { "m.example. 60 IN A 192.0.2.1", "m.example. 60 IN AAAA ::1", NULL };
	const char *mixed_owner[] = { "m.example. 60 IN A 192.0.2.1", "n.example. 60 IN A 192.0.2.2", NULL };
	const char *mixed_class[] = { "m.example. 60 IN A 192.0.2.1", "m.example. 60 CH A 192.0.2.2", NULL };
	const char *wrong_cover[] = { "www.example. 60 IN AAAA ::1", SIG_TEXT, NULL };
	const char *wrong_owner[] = { "w.example. 60 IN A 192.0.2.1", SIG_TEXT, NULL };
	assert_int_equal(store_texts(c, CACHE_RANK_ANSWER_AUTH, 0, mixed_type), OWNDNS_EINVAL);
	assert_int_equal(store_texts(c, CACHE_RANK_ANSWER_AUTH, 0, mixed_owner), OWNDNS_EINVAL);
	assert_int_equal(store_texts(c, CACHE_RANK_ANSWER_AUTH, 0, mixed_class), OWNDNS_EINVAL);
	assert_int_equal(store_texts(c, CACHE_RANK_ANSWER_AUTH, 0, wrong_cover), OWNDNS_EINVAL);
	assert_int_equal(store_texts(c, CACHE_RANK_ANSWER_AUTH, 0, wrong_owner), OWNDNS_EINVAL);
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, SIG_TEXT), OWNDNS_EINVAL);
	const char *none[] = { NULL };
	assert_int_equal(store_texts(c, CACHE_RANK_ANSWER_AUTH, 0, none), OWNDNS_EINVAL);

	/* Malformed names: a compression pointer, a name running past 255 octets. */
	uint8_t bad[300];
	memset(bad, 0, sizeof(bad));
	bad[0] = 0xc0;
	cache_view_init(&v, storage, sizeof(storage));
	assert_int_equal(cache_lookup(c, bad, OWNDNS_TYPE_A, 1, 0, 0, &v), OWNDNS_EINVAL);
	for (size_t i = 0; i + 64 < sizeof(bad); i += 64) {
		bad[i] = 63;
		memset(bad + i + 1, 'a', 63);
	}
	assert_int_equal(cache_lookup(c, bad, OWNDNS_TYPE_A, 1, 0, 0, &v), OWNDNS_EINVAL);
	assert_int_equal(cache_remove(c, bad, OWNDNS_TYPE_A, 1), OWNDNS_EINVAL);
	cache_free(c);
}

static void test_remove_and_clear(void **state)
{
	(void)state;
	cache *c = new_cache(1 << 20, 4);
	uint8_t n[OWNDNS_NAME_MAX];
	cache_stats st;

	/* The header of the common entry stays within 56 octets (with 8 of malloc's, one
	 * 64-octet chunk for a short name and an address). */
	assert_true(sizeof(cache_entry) <= 56);
	cache_get_stats(c, &st);
	size_t empty_bytes = st.bytes_used;
	assert_true(empty_bytes > 0);
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, "a.example. 60 IN A 192.0.2.1"), 0);
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, "b.example. 60 IN A 192.0.2.1"), 0);
	assert_int_equal(store_negative(c, "c.example.", 0, true, "example. 60 IN SOA ns. h. 1 2 3 4 60",
					CACHE_RANK_ANSWER_AUTH, 0),
			 0);
	cache_get_stats(c, &st);
	assert_int_equal(st.entries, 3);
	/* Each entry costs its malloc chunk: 56-octet header + data (a negative entry also
	 * holds its proof length, 2 octets), glibc-rounded. */
	assert_int_equal(st.bytes_used - empty_bytes,
			 2 * cache_alloc_cost(sizeof(cache_entry) + 11 + 14) +
				 cache_alloc_cost(sizeof(cache_entry) + 11 + 9 + 10 + 26 + 2));
	wire_name("a.example.", n);
	assert_int_equal(cache_remove(c, n, OWNDNS_TYPE_A, OWNDNS_CLASS_IN), OWNDNS_OK);
	assert_int_equal(cache_remove(c, n, OWNDNS_TYPE_A, OWNDNS_CLASS_IN), OWNDNS_ENOTFOUND);
	wire_name("c.example.", n);
	assert_int_equal(cache_remove(c, n, 0, OWNDNS_CLASS_IN), OWNDNS_OK);
	assert_int_equal(ttl_at(c, "c.example.", OWNDNS_TYPE_A, 0), -1);
	cache_clear(c);
	cache_get_stats(c, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.bytes_used, empty_bytes);
	assert_int_equal(ttl_at(c, "b.example.", OWNDNS_TYPE_A, 0), -1);
	cache_free(c);
	cache_free(NULL);
}

/* Longest hash chain of a shard (under no lock: the test is the only thread). */
static unsigned longest_chain(const cache_shard *s)
{
	unsigned longest = 0;
	for (uint32_t b = 0; b <= s->bucket_mask; b++) {
		unsigned n = 0;
		for (cache_entry *e = atomic_load(&s->buckets[b]); e; e = e->chain)
			n++;
		longest = n > longest ? n : longest;
	}
	return longest;
}

static int store_named(cache *c, unsigned i)
{
	char text[80];
	snprintf(text, sizeof(text), "n%u.chain.example. 60 IN A 192.0.2.%u", i, i % 256);
	return store1(c, CACHE_RANK_ANSWER_AUTH, 0, text);
}

static bool has_named(cache *c, unsigned i)
{
	char text[40];
	snprintf(text, sizeof(text), "n%u.chain.example.", i);
	return ttl_at(c, text, OWNDNS_TYPE_A, 0) == 60;
}

/* A small table (32 buckets) has chains several entries long: removing heads, middles
 * and tails of chains keeps every other entry reachable. */
static void test_remove_within_chains(void **state)
{
	(void)state;
	const unsigned names = 90;
	cache *c = new_cache(12000, 1);
	uint8_t n[OWNDNS_NAME_MAX];
	char text[40];
	cache_stats st;

	for (unsigned i = 0; i < names; i++)
		assert_int_equal(store_named(c, i), OWNDNS_OK);
	cache_get_stats(c, &st);
	assert_int_equal(st.entries, names);
	assert_true(c->shards[0].bucket_mask < 64);
	assert_true(longest_chain(&c->shards[0]) >= 4);
	for (unsigned i = 0; i < names; i += 3) {
		snprintf(text, sizeof(text), "n%u.chain.example.", i);
		wire_name(text, n);
		assert_int_equal(cache_remove(c, n, OWNDNS_TYPE_A, OWNDNS_CLASS_IN), OWNDNS_OK);
	}
	for (unsigned i = 0; i < names; i++)
		assert_int_equal(has_named(c, i), i % 3 != 0);
	cache_get_stats(c, &st);
	assert_int_equal(st.entries, names - names / 3);
	cache_free(c);
}

/* cache_prefetch is only a hint: questions of any kind (malformed names among them,
 * more than one group's worth) change no answer and count as no lookup. */
static void test_prefetch_changes_nothing(void **state)
{
	(void)state;
	enum { QUESTIONS = 75 };
	cache *c = new_cache(1 << 20, 4);
	uint8_t names[QUESTIONS][OWNDNS_NAME_MAX];
	static const uint8_t bad_label[] = { 64, 'a' };
	cache_question q[QUESTIONS];
	cache_stats before, after;

	for (unsigned i = 0; i < 40; i++)
		assert_int_equal(store_named(c, i), OWNDNS_OK);
	for (unsigned i = 0; i < QUESTIONS; i++) {
		char text[40];
		snprintf(text, sizeof(text), "N%u.Chain.example.", i);
		wire_name(text, names[i]);
		q[i] = (cache_question){ names[i], OWNDNS_TYPE_A, OWNDNS_CLASS_IN };
	}
	q[3].name = bad_label;
	q[50].name = NULL;
	q[60].type = OWNDNS_TYPE_AAAA;
	cache_get_stats(c, &before);
	cache_prefetch(c, q, QUESTIONS);
	cache_prefetch(c, q, 0);
	cache_get_stats(c, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	for (unsigned i = 0; i < QUESTIONS; i++)
		assert_int_equal(has_named(c, i), i < 40);
	cache_free(c);
}

/* ---- Memory budget and eviction ------------------------------------------------ */

static void name_for(unsigned i, uint8_t *out)
{
	char text[64];
	snprintf(text, sizeof(text), "host%06u.example%02u.net.", i, i % 97);
	wire_name(text, out);
}

static int store_numbered(cache *c, unsigned i, uint32_t now, uint32_t ttl)
{
	uint8_t n[OWNDNS_NAME_MAX];
	uint8_t addr[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
	name_for(i, n);
	owndns_rr rr = { n, OWNDNS_TYPE_A, OWNDNS_CLASS_IN, ttl, 4, addr };
	cache_rrset_in in = { &rr, 1, NULL, 0, CACHE_RANK_ANSWER_NONAUTH, 0, false };
	return cache_store_rrset(c, &in, now);
}

static bool has_numbered(cache *c, unsigned i, uint32_t now)
{
	uint8_t n[OWNDNS_NAME_MAX];
	uint8_t storage[512];
	cache_view v;
	name_for(i, n);
	cache_view_init(&v, storage, sizeof(storage));
	if (cache_lookup(c, n, OWNDNS_TYPE_A, OWNDNS_CLASS_IN, now, 0, &v) != OWNDNS_OK)
		return false;
	assert_int_equal(v.records[10 + 3], (uint8_t)i);
	return true;
}

static void test_budget_100k_names(void **state)
{
	(void)state;
	const size_t budget = 1 << 20;
	const unsigned names = 100000;
	cache *c = new_cache(budget, 0);
	cache_stats st;

	for (unsigned i = 0; i < names; i++) {
		assert_int_equal(store_numbered(c, i, i / 1000, 3600), OWNDNS_OK);
		/* A name asked for all the time must survive the churn (SIEVE). */
		if (i > 7 && i % 50 == 0)
			assert_true(has_numbered(c, 7, i / 1000));
		cache_get_stats(c, &st);
		assert_true(st.bytes_used <= budget);
	}
	assert_true(st.evictions > 0);
	assert_int_equal(st.inserts, names);
	assert_int_equal(st.entries + st.evictions, names);
	/* With 96-octet entries a 1 MiB cache holds several thousand of them. */
	assert_true(st.entries > 7000);
	assert_true(st.bytes_used > budget - budget / 8);
	print_message("budget: %llu entries, %zu bytes used of %zu, %llu evictions\n",
		      (unsigned long long)st.entries, st.bytes_used, budget,
		      (unsigned long long)st.evictions);
	for (unsigned i = names - 2000; i < names; i++)
		assert_true(has_numbered(c, i, names / 1000));
	assert_true(has_numbered(c, 7, names / 1000));
	assert_false(has_numbered(c, 8, names / 1000));
	assert_false(has_numbered(c, names / 2, names / 1000));
	cache_free(c);
}

static void test_expired_evicted_before_visited(void **state)
{
	(void)state;
	/* One shard with room for a few hundred entries of equal size. */
	cache_config cfg;
	cache_config_default(&cfg);
	cfg.shards = 1;
	cfg.max_bytes = 64 * 1024;
	cache *c = new_cache_cfg(&cfg);
	cache_stats st;
	unsigned i = 0;

	do {
		assert_int_equal(store_numbered(c, i++, 0, 3600), OWNDNS_OK);
		cache_get_stats(c, &st);
	} while (st.evictions == 0);
	const unsigned capacity = (unsigned)st.entries;
	assert_true(capacity > 100);
	/* Nothing visited: SIEVE evicted the oldest. */
	assert_false(has_numbered(c, 0, 0));
	assert_true(has_numbered(c, 1, 0));

	/* Full again: entry 0 fresh, entry 1 short-lived, the rest fresh; all visited. */
	cache_clear(c);
	for (i = 0; i < capacity; i++)
		assert_int_equal(store_numbered(c, i, 0, i == 1 ? 5 : 3600), OWNDNS_OK);
	for (i = 0; i < capacity; i++)
		assert_true(has_numbered(c, i, 0));
	cache_get_stats(c, &st);
	assert_int_equal(st.evictions, 1);
	/* At time 10 entry 1 has expired.  SIEVE alone would clear every visited bit, come
	 * round and take entry 0; the expired entry must go instead. */
	assert_int_equal(store_numbered(c, 90000, 10, 3600), OWNDNS_OK);
	cache_get_stats(c, &st);
	assert_int_equal(st.evictions, 2);
	assert_int_equal(st.entries, capacity);
	assert_true(has_numbered(c, 0, 10));
	assert_true(has_numbered(c, 2, 10));
	assert_true(has_numbered(c, 90000, 10));
	cache_free(c);
}

/* ---- Serve-stale (RFC 8767) ----------------------------------------------------- */

static void test_serve_stale(void **state)
{
	(void)state;
	cache_config cfg;
	cache_config_default(&cfg);
	cfg.max_bytes = 1 << 20;
	cfg.max_stale = 100;
	cache *c = new_cache_cfg(&cfg);
	uint8_t storage[512];
	cache_view v;

	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, "s.example. 10 IN A 192.0.2.1"), 0);
	assert_int_equal(lookup(c, "s.example.", OWNDNS_TYPE_A, 9, CACHE_LOOKUP_STALE, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_false(v.stale);
	assert_int_equal(v.ttl, 1);
	assert_int_equal(ttl_at(c, "s.example.", OWNDNS_TYPE_A, 10), -1);
	assert_int_equal(lookup(c, "s.example.", OWNDNS_TYPE_A, 10, CACHE_LOOKUP_STALE, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_true(v.stale);
	assert_int_equal(v.ttl, CACHE_STALE_TTL);
	assert_int_equal(lookup(c, "s.example.", OWNDNS_TYPE_A, 110, CACHE_LOOKUP_STALE, &v,
				storage, sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(lookup(c, "s.example.", OWNDNS_TYPE_A, 111, CACHE_LOOKUP_STALE, &v,
				storage, sizeof(storage)),
			 OWNDNS_ENOTFOUND);
	/* Stale negative answers too. */
	assert_int_equal(store_negative(c, "n.example.", 0, true, "example. 60 IN SOA ns. h. 1 2 3 4 20",
					CACHE_RANK_ANSWER_AUTH, 0),
			 0);
	assert_int_equal(lookup(c, "n.example.", OWNDNS_TYPE_A, 50, CACHE_LOOKUP_STALE, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.kind, CACHE_KIND_NXDOMAIN);
	assert_true(v.stale);
	/* An expired answer is kept from glue while it may still be served stale, no
	 * longer. */
	assert_int_equal(store1(c, CACHE_RANK_ADDITIONAL, 20, "s.example. 10 IN A 192.0.2.2"),
			 CACHE_NOT_STORED);
	assert_int_equal(lookup(c, "s.example.", OWNDNS_TYPE_A, 20, CACHE_LOOKUP_STALE, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.rank, CACHE_RANK_ANSWER_AUTH);
	assert_int_equal(store1(c, CACHE_RANK_ADDITIONAL, 111, "s.example. 10 IN A 192.0.2.2"), 0);
	cache_free(c);
}

/* ---- Answers through the message writer ---------------------------------------- */

static void start_message(owndns_msg_writer *w, uint8_t *buf, size_t cap, uint16_t id,
			  const char *qname, uint8_t *qwire)
{
	owndns_header h = { id, OWNDNS_FLAG_QR | OWNDNS_FLAG_RD | OWNDNS_FLAG_RA, { 0 } };
	wire_name(qname, qwire);
	assert_int_equal(owndns_writer_init(w, buf, cap, &h), OWNDNS_OK);
	assert_int_equal(owndns_writer_question(w, qwire, OWNDNS_TYPE_A, OWNDNS_CLASS_IN), 0);
}

/* dnspython 2.3: Message(id=0x1234), flags QR RD RA, question WWW.Example.com. A;
 * answer WWW.Example.com. 250 CNAME web.example.com., web.example.com. 3550 A
 * 192.0.2.2 / 192.0.2.1 (dnspython's order). */
static const char CNAME_ANSWER_HEX[] =
	"12348180000100030000000003575757074578616d706c6503636f6d0000010001c00c0005000100"
	"0000fa000603776562c010c02d0001000100000dde0004c0000202c02d0001000100000dde0004c0"
	"000201";

/* dnspython 2.3: Message(id=0x4321), QR RD RA, rcode NXDOMAIN, question
 * nope.example.com. A; authority example.com. 280 SOA ns1.example.com.
 * hostmaster.example.com. 2024010101 7200 3600 1209600 300. */
static const char NXDOMAIN_ANSWER_HEX[] =
	"432181830001000000010000046e6f7065076578616d706c6503636f6d0000010001c01100060001"
	"000001180027036e7331c0110a686f73746d6173746572c01178a3f17500001c2000000e10001275"
	"000000012c";

static void test_append_matches_dnspython(void **state)
{
	(void)state;
	cache *c = new_cache(1 << 20, 4);
	uint8_t storage[1024], storage2[1024], buf[512], want[512], q[OWNDNS_NAME_MAX];
	cache_view v, v2;
	owndns_msg_writer w;
	size_t len;

	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, "www.example.com. 300 IN CNAME web.example.com."), 0);
	const char *addrs[] = { "web.example.com. 3600 IN A 192.0.2.2",
				"web.example.com. 3600 IN A 192.0.2.1", NULL };
	assert_int_equal(store_texts(c, CACHE_RANK_ANSWER_AUTH, 0, addrs), 0);

	start_message(&w, buf, sizeof(buf), 0x1234, "WWW.Example.com.", q);
	assert_int_equal(lookup(c, "WWW.Example.com.", OWNDNS_TYPE_A, 50, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.kind, CACHE_KIND_CNAME);
	assert_int_equal(cache_view_append(&v, &w, OWNDNS_SECTION_ANSWER, q, 0), OWNDNS_OK);
	/* Chase: the CNAME's target is the next name to look up. */
	owndns_rr cname;
	size_t pos = 0;
	assert_int_equal(cache_records_next(v.records, v.records_len, &pos, &cname), 1);
	cache_view_init(&v2, storage2, sizeof(storage2));
	assert_int_equal(cache_lookup(c, cname.rdata, OWNDNS_TYPE_A, OWNDNS_CLASS_IN, 50, 0, &v2),
			 OWNDNS_OK);
	assert_int_equal(cache_view_append(&v2, &w, OWNDNS_SECTION_ANSWER, NULL, 0), OWNDNS_OK);
	assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
	assert_int_equal(len, unhex(CNAME_ANSWER_HEX, want, sizeof(want)));
	assert_memory_equal(buf, want, len);

	/* NXDOMAIN: the SOA goes to the authority section with the remaining TTL. */
	assert_int_equal(store_negative(c, "nope.example.com.", OWNDNS_TYPE_A, true, SOA_TEXT,
					CACHE_RANK_ANSWER_AUTH, 0),
			 0);
	start_message(&w, buf, sizeof(buf), 0x4321, "nope.example.com.", q);
	owndns_header_set_rcode(owndns_writer_header(&w), OWNDNS_RCODE_NXDOMAIN);
	assert_int_equal(lookup(c, "nope.example.com.", OWNDNS_TYPE_A, 20, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.kind, CACHE_KIND_NXDOMAIN);
	assert_int_equal(cache_view_append(&v, &w, OWNDNS_SECTION_AUTHORITY, NULL, 0), OWNDNS_OK);
	assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
	assert_int_equal(len, unhex(NXDOMAIN_ANSWER_HEX, want, sizeof(want)));
	assert_memory_equal(buf, want, len);
	cache_free(c);
}

static void test_append_whole_rrset_or_nothing(void **state)
{
	(void)state;
	cache *c = new_cache(1 << 20, 4);
	uint8_t storage[1024], buf[512], q[OWNDNS_NAME_MAX];
	cache_view v;
	owndns_msg_writer w;
	size_t len;

	const char *set[] = { "www.example. 600 IN A 192.0.2.1", "www.example. 600 IN A 192.0.2.2",
			      SIG_TEXT, NULL };
	assert_int_equal(store_texts(c, CACHE_RANK_ANSWER_AUTH, 0, set), 0);
	assert_int_equal(lookup(c, "www.example.", OWNDNS_TYPE_A, 100, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.ttl, 200);

	/* Header 12 + question 17 + one A record (16) fits in 45 + 15; two do not. */
	start_message(&w, buf, 12 + 17 + 16 + 15, 1, "www.example.", q);
	size_t before = owndns_writer_length(&w);
	assert_int_equal(cache_view_append(&v, &w, OWNDNS_SECTION_ANSWER, q, 0),
			 OWNDNS_ETRUNCATED_MSG);
	assert_int_equal(owndns_writer_length(&w), before);
	assert_int_equal(w.hdr.count[OWNDNS_SECTION_ANSWER], 0);
	assert_int_equal(w.compress_count, 2);
	/* The writer still works after the rollback. */
	assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
	assert_int_equal(len, before);

	/* With DO, the RRSIG follows with the same TTL; without room for it, nothing. */
	start_message(&w, buf, sizeof(buf), 1, "www.example.", q);
	assert_int_equal(cache_view_append(&v, &w, OWNDNS_SECTION_ANSWER, q, CACHE_APPEND_SIGS),
			 OWNDNS_OK);
	assert_int_equal(w.hdr.count[OWNDNS_SECTION_ANSWER], 3);
	size_t full = owndns_writer_length(&w);
	assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
	owndns_msg m;
	assert_int_equal(owndns_msg_open(&m, buf, len), OWNDNS_OK);
	owndns_rr_iter it;
	owndns_rr_view rv;
	owndns_rr_iter_init(&it, &m, OWNDNS_SECTION_ANSWER);
	unsigned n = 0;
	while (owndns_rr_iter_next(&it, &rv) == 1) {
		assert_int_equal(rv.ttl, 200);
		n++;
	}
	assert_int_equal(n, 3);
	assert_int_equal(rv.type, OWNDNS_TYPE_RRSIG);

	start_message(&w, buf, full - 1, 1, "www.example.", q);
	assert_int_equal(cache_view_append(&v, &w, OWNDNS_SECTION_ANSWER, q, CACHE_APPEND_SIGS),
			 OWNDNS_ETRUNCATED_MSG);
	assert_int_equal(w.hdr.count[OWNDNS_SECTION_ANSWER], 0);
	assert_int_equal(owndns_writer_length(&w), 12 + 17);
	assert_int_equal(cache_view_append(&v, &w, OWNDNS_SECTION_QUESTION, q, 0), OWNDNS_EINVAL);
	cache_free(c);
}

/* The last octet of each A record of the answer section, in order. */
static size_t answer_octets(const uint8_t *buf, size_t len, int *out, size_t cap)
{
	owndns_msg m;
	owndns_rr_iter it;
	owndns_rr_view rv;
	size_t n = 0;
	assert_int_equal(owndns_msg_open(&m, buf, len), OWNDNS_OK);
	owndns_rr_iter_init(&it, &m, OWNDNS_SECTION_ANSWER);
	while (owndns_rr_iter_next(&it, &rv) == 1 && n < cap)
		out[n++] = rv.type == OWNDNS_TYPE_A ? buf[rv.rdata_pos + 3] : -1;
	return n;
}

/* rrset-order=rotate: the RRset starts at first_record (modulo its size) and wraps
 * round; the RRSIGs follow unrotated; 0 is the order stored. */
static void test_append_rotated(void **state)
{
	(void)state;
	cache *c = new_cache(1 << 20, 4);
	uint8_t storage[1024], buf[512], q[OWNDNS_NAME_MAX];
	cache_view v;
	owndns_msg_writer w;
	size_t len;
	int got[8];
	static const int want[4][3] = { { 1, 2, 3 }, { 2, 3, 1 }, { 3, 1, 2 }, { 2, 3, 1 } };
	static const uint16_t first[4] = { 0, 1, 2, 4 };

	const char *set[] = { "www.example. 600 IN A 192.0.2.1", "www.example. 600 IN A 192.0.2.2",
			      "www.example. 600 IN A 192.0.2.3", SIG_TEXT, NULL };
	assert_int_equal(store_texts(c, CACHE_RANK_ANSWER_AUTH, 0, set), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(lookup(c, "www.example.", OWNDNS_TYPE_A, 100, 0, &v, storage,
					sizeof(storage)),
				 OWNDNS_OK);
		assert_int_equal(v.first_record, 0);
		v.first_record = first[i];
		start_message(&w, buf, sizeof(buf), 1, "www.example.", q);
		assert_int_equal(cache_view_append(&v, &w, OWNDNS_SECTION_ANSWER, q,
						   CACHE_APPEND_SIGS),
				 OWNDNS_OK);
		assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
		assert_int_equal(answer_octets(buf, len, got, 8), 4);
		for (int j = 0; j < 3; j++)
			assert_int_equal(got[j], want[i][j]);
		assert_int_equal(got[3], -1); /* the RRSIG, last */
	}
	cache_free(c);
}

/* ---- DNSSEC data for DO clients, DNAME count ------------------------------------- */

/* Types of the authority records of a message, in order; returns how many. */
static size_t authority_types(const uint8_t *buf, size_t len, uint16_t *types, size_t cap)
{
	owndns_msg m;
	owndns_rr_iter it;
	owndns_rr_view rv;
	size_t n = 0;

	assert_int_equal(owndns_msg_open(&m, buf, len), OWNDNS_OK);
	owndns_rr_iter_init(&it, &m, OWNDNS_SECTION_AUTHORITY);
	while (owndns_rr_iter_next(&it, &rv) == 1 && n < cap)
		types[n++] = rv.type;
	return n;
}

static const char NSEC_TEXT[] = "a.example.com. 300 IN NSEC c.example.com. A RRSIG NSEC";
static const char NSEC_SIG_TEXT[] =
	"a.example.com. 300 IN RRSIG NSEC 8 3 300 20300101000000 20200101000000 12345 "
	"example.com. AQIDBAUGBwg=";

static int store_negative_proof(cache *c, const char *name, const char *const *proof_texts,
				bool dnssec_ok, uint32_t now)
{
	uint8_t n[OWNDNS_NAME_MAX];
	test_rr soa, proof[4];
	owndns_rr p[4];
	size_t np = 0;

	wire_name(name, n);
	parse_rr(SOA_TEXT, &soa);
	for (; proof_texts && proof_texts[np]; np++) {
		parse_rr(proof_texts[np], &proof[np]);
		p[np] = proof[np].rr;
	}
	cache_negative_in in = { n, OWNDNS_TYPE_A, OWNDNS_CLASS_IN, true, &soa.rr, NULL, 0,
				 CACHE_RANK_AUTHORITY_AUTH, 0, p, np, dnssec_ok };
	return cache_store_negative(c, &in, now);
}

/* A negative answer keeps its NSEC proof for DO clients (RFC 4035 §3.1.3), and gives it
 * only to them; the proof counts against the budget. */
static void test_negative_proof(void **state)
{
	(void)state;
	cache *c = new_cache(1 << 20, 4);
	uint8_t storage[2048], buf[1024], q[OWNDNS_NAME_MAX];
	uint16_t types[8];
	cache_view v;
	owndns_msg_writer w;
	cache_stats st;
	size_t len;

	cache_get_stats(c, &st);
	size_t empty_bytes = st.bytes_used;
	const char *proof[] = { NSEC_TEXT, NSEC_SIG_TEXT, NULL };
	assert_int_equal(store_negative_proof(c, "b.example.com.", proof, true, 0), OWNDNS_OK);
	cache_get_stats(c, &st);
	test_rr soa, nsec, sig;
	parse_rr(SOA_TEXT, &soa);
	parse_rr(NSEC_TEXT, &nsec);
	parse_rr(NSEC_SIG_TEXT, &sig);
	owndns_rr pr[2] = { nsec.rr, sig.rr };
	assert_int_equal(st.bytes_used - empty_bytes,
			 cache_alloc_cost(sizeof(cache_entry) + 15 + 13 + 10 + soa.rr.rdlen + 2 +
					  cache_proof_size(pr, 2)));

	assert_int_equal(lookup(c, "b.example.com.", OWNDNS_TYPE_A, 10, CACHE_LOOKUP_DNSSEC, &v,
				storage, sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(v.kind, CACHE_KIND_NXDOMAIN);
	assert_int_equal(v.proof_len, cache_proof_size(pr, 2));
	size_t pos = 0;
	owndns_rr rr;
	assert_int_equal(cache_proof_next(v.proof, v.proof_len, &pos, &rr), 1);
	assert_true(owndns_name_equal(rr.owner, nsec.rr.owner));
	assert_int_equal(rr.type, OWNDNS_TYPE_NSEC);
	assert_int_equal(cache_proof_next(v.proof, v.proof_len, &pos, &rr), 1);
	assert_int_equal(rr.type, OWNDNS_TYPE_RRSIG);
	assert_int_equal(cache_proof_next(v.proof, v.proof_len, &pos, &rr), 0);

	/* With DO: SOA, then the proof under its own owners, TTL the entry's. */
	start_message(&w, buf, sizeof(buf), 1, "b.example.com.", q);
	assert_int_equal(cache_view_append(&v, &w, OWNDNS_SECTION_AUTHORITY, NULL,
					   CACHE_APPEND_SIGS),
			 OWNDNS_OK);
	assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
	assert_int_equal(authority_types(buf, len, types, 8), 3);
	assert_int_equal(types[0], OWNDNS_TYPE_SOA);
	assert_int_equal(types[1], OWNDNS_TYPE_NSEC);
	assert_int_equal(types[2], OWNDNS_TYPE_RRSIG);
	/* Without DO: the SOA alone (RFC 4035 §3.2.1). */
	start_message(&w, buf, sizeof(buf), 1, "b.example.com.", q);
	assert_int_equal(cache_view_append(&v, &w, OWNDNS_SECTION_AUTHORITY, NULL, 0), OWNDNS_OK);
	assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
	assert_int_equal(authority_types(buf, len, types, 8), 1);

	/* Only NSEC/NSEC3 and RRSIGs over them, inside the SOA's zone. */
	const char *not_denial[] = { "a.example.com. 300 IN A 192.0.2.1", NULL };
	assert_int_equal(store_negative_proof(c, "d.example.com.", not_denial, true, 0),
			 OWNDNS_EINVAL);
	const char *outside[] = { "a.example.net. 300 IN NSEC c.example.net. A", NULL };
	assert_int_equal(store_negative_proof(c, "d.example.com.", outside, true, 0),
			 OWNDNS_EINVAL);
	const char *sig_over_a[] = { SIG_TEXT, NULL };
	assert_int_equal(store_negative_proof(c, "d.example.com.", sig_over_a, true, 0),
			 OWNDNS_EINVAL);
	cache_free(c);
}

/* Data stored from a response without DO has no known RRSIGs: a miss for DO clients,
 * which then fetch it with DO; that copy is not given up for a copy without DO. */
static void test_dnssec_ok_entries(void **state)
{
	(void)state;
	cache *c = new_cache(1 << 20, 4);
	uint8_t storage[1024];
	cache_view v;
	test_rr a;

	parse_rr("www.example. 600 IN A 192.0.2.1", &a);
	cache_rrset_in plain = { &a.rr, 1, NULL, 0, CACHE_RANK_ANSWER_NONAUTH, 0, false };
	assert_int_equal(cache_store_rrset(c, &plain, 0), OWNDNS_OK);
	assert_int_equal(lookup(c, "www.example.", OWNDNS_TYPE_A, 1, 0, &v, storage,
				sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(lookup(c, "www.example.", OWNDNS_TYPE_A, 1, CACHE_LOOKUP_DNSSEC, &v,
				storage, sizeof(storage)),
			 OWNDNS_ENOTFOUND);
	const char *no_proof[] = { NULL };
	assert_int_equal(store_negative_proof(c, "n.example.com.", no_proof, false, 0), OWNDNS_OK);
	assert_int_equal(lookup(c, "n.example.com.", OWNDNS_TYPE_A, 1, CACHE_LOOKUP_DNSSEC, &v,
				storage, sizeof(storage)),
			 OWNDNS_ENOTFOUND);

	cache_rrset_in with_do = plain;
	with_do.dnssec_ok = true;
	assert_int_equal(cache_store_rrset(c, &with_do, 2), OWNDNS_OK);
	assert_int_equal(lookup(c, "www.example.", OWNDNS_TYPE_A, 3, CACHE_LOOKUP_DNSSEC, &v,
				storage, sizeof(storage)),
			 OWNDNS_OK);
	assert_int_equal(cache_store_rrset(c, &plain, 4), CACHE_NOT_STORED);
	assert_int_equal(lookup(c, "www.example.", OWNDNS_TYPE_A, 5, CACHE_LOOKUP_DNSSEC, &v,
				storage, sizeof(storage)),
			 OWNDNS_OK);
	/* Expired, it gives way as before. */
	assert_int_equal(cache_store_rrset(c, &plain, 700), OWNDNS_OK);
	cache_free(c);
}

/* cache_holds_dnames follows DNAME entries in and out: stored, replaced, removed,
 * evicted, cleared. */
static void test_dname_count(void **state)
{
	(void)state;
	cache *c = new_cache(1 << 20, 4);
	uint8_t n[OWNDNS_NAME_MAX];

	assert_false(cache_holds_dnames(c));
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, "www.example. 600 IN A 192.0.2.1"),
			 OWNDNS_OK);
	assert_false(cache_holds_dnames(c));
	const char *dname = "d.example. 600 IN DNAME t.example.";
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, dname), OWNDNS_OK);
	assert_true(cache_holds_dnames(c));
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 1, dname), OWNDNS_OK); /* replaced */
	wire_name("d.example.", n);
	assert_int_equal(cache_remove(c, n, OWNDNS_TYPE_DNAME, OWNDNS_CLASS_IN), OWNDNS_OK);
	assert_false(cache_holds_dnames(c));
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, dname), OWNDNS_OK);
	cache_clear(c);
	assert_false(cache_holds_dnames(c));

	/* Evicted: a small cache filled with other names. */
	cache_free(c);
	c = new_cache(256 << 10, 1);
	assert_int_equal(store1(c, CACHE_RANK_ANSWER_AUTH, 0, dname), OWNDNS_OK);
	for (unsigned i = 0; i < 20000 && cache_holds_dnames(c); i++) {
		owndns_rr rr;
		uint8_t addr[4] = { 192, 0, 2, 1 };
		name_for(i, n);
		rr = (owndns_rr){ n, OWNDNS_TYPE_A, OWNDNS_CLASS_IN, 600, 4, addr };
		cache_rrset_in in = { &rr, 1, NULL, 0, CACHE_RANK_ANSWER_NONAUTH, 0, false };
		assert_int_equal(cache_store_rrset(c, &in, 0), OWNDNS_OK);
	}
	assert_false(cache_holds_dnames(c));
	cache_free(c);
}

/* The budget after an RRset is replaced by a larger and then a smaller one: only the
 * entry held counts. */
static void test_budget_after_replace(void **state)
{
	(void)state;
	cache *c = new_cache(1 << 20, 4);
	cache_stats st;

	cache_get_stats(c, &st);
	size_t empty_bytes = st.bytes_used;
	const char *one[] = { "www.example. 600 IN A 192.0.2.1", NULL };
	const char *three[] = { "www.example. 600 IN A 192.0.2.1", "www.example. 600 IN A 192.0.2.2",
				"www.example. 600 IN A 192.0.2.3", NULL };
	assert_int_equal(store_texts(c, CACHE_RANK_ANSWER_AUTH, 0, one), OWNDNS_OK);
	assert_int_equal(store_texts(c, CACHE_RANK_ANSWER_AUTH, 1, three), OWNDNS_OK);
	cache_get_stats(c, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.bytes_used - empty_bytes,
			 cache_alloc_cost(sizeof(cache_entry) + 13 + 3 * 14));
	assert_int_equal(store_texts(c, CACHE_RANK_ANSWER_AUTH, 2, one), OWNDNS_OK);
	cache_get_stats(c, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.bytes_used - empty_bytes, cache_alloc_cost(sizeof(cache_entry) + 13 + 14));
	cache_free(c);
}

/* ---- Two threads ------------------------------------------------------------------ */

typedef struct thread_arg {
	cache *c;
	unsigned base;
	unsigned other;
	unsigned hits;
} thread_arg;

static void *worker(void *p)
{
	thread_arg *a = p;
	uint8_t n[OWNDNS_NAME_MAX];
	uint8_t storage[512];
	cache_view v;

	for (unsigned i = 0; i < 20000; i++) {
		uint8_t addr[4] = { 10, 0, (uint8_t)(i >> 8), (uint8_t)i };
		name_for(a->base + i % 3000, n);
		owndns_rr rr = { n, OWNDNS_TYPE_A, OWNDNS_CLASS_IN, 60 + i % 7, 4, addr };
		cache_rrset_in in = { &rr, 1, NULL, 0, CACHE_RANK_ANSWER_NONAUTH, 0, false };
		if (cache_store_rrset(a->c, &in, i / 100) != OWNDNS_OK)
			return NULL;
		name_for(a->other + i % 3000, n);
		cache_view_init(&v, storage, sizeof(storage));
		if (cache_lookup(a->c, n, OWNDNS_TYPE_A, OWNDNS_CLASS_IN, i / 100, 0, &v) == OWNDNS_OK)
			a->hits++;
	}
	return a;
}

static void test_two_threads(void **state)
{
	(void)state;
	cache *c = new_cache(256 * 1024, 8); /* small: eviction runs during the test */
	thread_arg a = { c, 0, 500000, 0 }, b = { c, 500000, 0, 0 };
	pthread_t ta, tb;
	void *ra, *rb;

	assert_int_equal(pthread_create(&ta, NULL, worker, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, worker, &b), 0);
	assert_int_equal(pthread_join(ta, &ra), 0);
	assert_int_equal(pthread_join(tb, &rb), 0);
	assert_ptr_equal(ra, &a);
	assert_ptr_equal(rb, &b);
	cache_stats st;
	cache_get_stats(c, &st);
	assert_int_equal(st.inserts, 40000);
	assert_int_equal(st.hits + st.misses, 40000);
	assert_int_equal(st.hits, a.hits + b.hits);
	assert_true(st.hits > 0);
	assert_true(st.bytes_used <= 256 * 1024);
	cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_lookup),
		cmocka_unit_test(test_case_insensitive),
		cmocka_unit_test(test_ttl_countdown_and_expiry),
		cmocka_unit_test(test_ttl_clamps),
		cmocka_unit_test(test_negative_nxdomain),
		cmocka_unit_test(test_negative_nodata_and_limits),
		cmocka_unit_test(test_ranking),
		cmocka_unit_test(test_non_answer_ranks_give_way),
		cmocka_unit_test(test_ttl_top_bit_per_record),
		cmocka_unit_test(test_cname_fallback),
		cmocka_unit_test(test_sigs_and_bad_input),
		cmocka_unit_test(test_remove_and_clear),
		cmocka_unit_test(test_remove_within_chains),
		cmocka_unit_test(test_prefetch_changes_nothing),
		cmocka_unit_test(test_budget_100k_names),
		cmocka_unit_test(test_expired_evicted_before_visited),
		cmocka_unit_test(test_serve_stale),
		cmocka_unit_test(test_append_matches_dnspython),
		cmocka_unit_test(test_append_whole_rrset_or_nothing),
		cmocka_unit_test(test_append_rotated),
		cmocka_unit_test(test_negative_proof),
		cmocka_unit_test(test_dnssec_ok_entries),
		cmocka_unit_test(test_dname_count),
		cmocka_unit_test(test_budget_after_replace),
		cmocka_unit_test(test_two_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
