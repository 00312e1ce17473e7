/* The in-memory zone and its load-time checks: merging, TTL normalisation, lookups,
 * flags, every check with its file:line, and the tables of zone files in
 * tests/data/zones/{good,bad} (each file lists the exact messages it must produce). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <owndns/name.h>
#include <owndns/rdata.h>
#include <owndns/zone_parse.h>

#include "../../server/auth/zone.h"

#define ZONES_DIR OWNDNS_TEST_DATA "/zones"

typedef struct messages {
	char text[1 << 15];
	size_t len;
	const char *strip; /* directory prefix removed from messages */
} messages;

static void strip_copy(char *out, size_t cap, const char *in, const char *strip)
{
	size_t n = 0, sl = strip ? strlen(strip) : 0;
	while (*in && n + 1 < cap) {
		if (sl && strncmp(in, strip, sl) == 0) {
			in += sl;
			continue;
		}
		out[n++] = *in++;
	}
	out[n] = '\0';
}

/* Collects messages in check-zone's format: "file:line: [warning: |note: ]message". */
static void collect(void *ctx, owndns_zone_severity sev, const char *file, unsigned line,
		    const char *message)
{
	static const char *const prefix[] = { "", "warning: ", "note: " };
	messages *m = ctx;
	char raw[1024], clean[1024];
	if (line)
		snprintf(raw, sizeof raw, "%s:%u: %s%s\n", file, line, prefix[sev], message);
	else
		snprintf(raw, sizeof raw, "%s: %s%s\n", file, prefix[sev], message);
	strip_copy(clean, sizeof clean, raw, m->strip);
	size_t n = strlen(clean);
	assert_true(m->len + n < sizeof m->text);
	memcpy(m->text + m->len, clean, n + 1);
	m->len += n;
}

static const uint8_t example_com[] = "\7example\3com";

/* Builds, finishes and checks a zone from text; returns the zone (messages in *m). */
static zone *zone_from_text(const char *text, messages *m)
{
	memset(m, 0, sizeof *m);
	zone *z = zone_new(example_com, 0, collect, m);
	assert_non_null(z);
	owndns_zone_parse_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.origin = example_com;
	cfg.on_rr = zone_add_rr;
	cfg.ctx = z;
	assert_int_equal(owndns_zone_parse_text("t.zone", text, strlen(text), &cfg, NULL),
			 OWNDNS_OK);
	zone_finish(z);
	zone_check(z);
	return z;
}

#define APEX "$TTL 300\n@ SOA ns hostmaster 7 1 2 3 4\n@ NS ns\nns A 192.0.2.1\n"

static void expect_messages(const char *text, const char *expected, unsigned errors)
{
	messages *m = malloc(sizeof *m);
	assert_non_null(m);
	zone *z = zone_from_text(text, m);
	zone_stats st;
	zone_get_stats(z, &st);
	assert_string_equal(m->text, expected);
	assert_int_equal(st.errors, errors);
	zone_free(z);
	free(m);
}

static void test_clean_zone_and_stats(void **state)
{
	(void)state;
	messages *m = malloc(sizeof *m);
	assert_non_null(m);
	zone *z = zone_from_text(APEX "a.b.c A 192.0.2.2\n@ MX 10 ns\n", m);
	assert_string_equal(m->text, "");
	zone_stats st;
	zone_get_stats(z, &st);
	assert_int_equal(st.records, 5);
	assert_int_equal(st.rrsets, 5);
	assert_int_equal(st.names, 3);
	uint32_t serial = 0;
	assert_true(zone_serial(z, &serial));
	assert_int_equal(serial, 7);
	/* Empty non-terminals exist, so closest-encloser lookups can stop at them. */
	assert_int_equal(zone_node_count(z), 5);
	const zone_node *bc = zone_find(z, (const uint8_t *)"\1B\1c\7EXAMPLE\3com");
	assert_non_null(bc);
	assert_null(bc->rrsets);
	assert_ptr_equal(zone_find_closest(z, (const uint8_t *)"\1x\1y\1b\1c\7example\3com"), bc);
	assert_ptr_equal(zone_find_closest(z, (const uint8_t *)"\1q\7example\3com"), zone_apex(z));
	assert_null(zone_find_closest(z, (const uint8_t *)"\7example\3net"));
	assert_null(zone_find(z, (const uint8_t *)"\1q\7example\3com"));
	const zone_node *abc = zone_find(z, (const uint8_t *)"\1a\1b\1c\7example\3com");
	assert_non_null(abc);
	assert_ptr_equal(abc->parent, bc);
	assert_ptr_equal(bc->parent->parent, zone_apex(z));
	zone_free(z);
	free(m);
}

static void test_merge_and_ttl(void **state)
{
	(void)state;
	messages *m = malloc(sizeof *m);
	assert_non_null(m);
	zone *z = zone_from_text(APEX "a 600 A 192.0.2.2\n"
				      "a 60 A 192.0.2.3\n"
				      "a 900 A 192.0.2.2\n"
				      "n MX 10 MAIL.example.com.\n"
				      "n MX 10 mail.EXAMPLE.com.\n"
				      "t TXT \"Case\"\n"
				      "t TXT \"case\"\n",
				 m);
	assert_string_equal(m->text,
			    "t.zone:6: warning: TTL 60 differs from the TTL 600 of the A RRset "
			    "(RFC 2181 §5.2); using 60\n"
			    "t.zone:7: note: duplicate record merged (first at t.zone:5)\n"
			    "t.zone:9: note: duplicate record merged (first at t.zone:8)\n");
	const zone_node *a = zone_find(z, (const uint8_t *)"\1a\7example\3com");
	const zone_rrset *s = zone_node_rrset(a, OWNDNS_TYPE_A);
	assert_int_equal(s->ttl, 60);
	assert_int_equal(s->count, 2);
	/* File order, with the line of each record. */
	assert_int_equal(s->rdata->line, 5);
	assert_memory_equal(s->rdata->data, "\xc0\x00\x02\x02", 4);
	assert_int_equal(s->rdata->next->line, 6);
	/* TXT is compared octet for octet: case matters there. */
	const zone_node *t = zone_find(z, (const uint8_t *)"\1t\7example\3com");
	assert_int_equal(zone_node_rrset(t, OWNDNS_TYPE_TXT)->count, 2);
	zone_stats st;
	zone_get_stats(z, &st);
	assert_int_equal(st.records, 8);
	assert_int_equal(st.errors, 0);
	zone_free(z);
	free(m);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* One RRset of 80,000 records loads in linear time: comparing each arriving record
 * with every earlier one took 15 s.  Duplicates are still found in a large RRset,
 * names in RDATA compared without case, TXT with it.  The bound is generous. */
static void test_huge_rrset_loads_fast(void **state)
{
	(void)state;
	enum { RECORDS = 80000 };
	size_t cap = RECORDS * 48 + 4096, n = 0;
	char *text = malloc(cap);
	messages *m = malloc(sizeof *m);
	assert_non_null(text);
	assert_non_null(m);
	n += (size_t)snprintf(text + n, cap - n, "%s", APEX);
	for (int i = 0; i < RECORDS; i++)
		n += (size_t)snprintf(text + n, cap - n, "big MX %d h%d\n", i % 65536, i);
	/* Lines RECORDS+5 and +6: duplicates of the records on lines 10 and 80004. */
	n += (size_t)snprintf(text + n, cap - n, "big MX 5 H5.EXAMPLE.com.\n");
	n += (size_t)snprintf(text + n, cap - n, "big MX %d h%d.example.COM.\n",
			      (RECORDS - 1) % 65536, RECORDS - 1);
	for (int i = 0; i < 20; i++)
		n += (size_t)snprintf(text + n, cap - n, "t TXT \"Case%d\"\nt TXT \"case%d\"\n", i, i);
	n += (size_t)snprintf(text + n, cap - n, "t TXT \"Case19\"\n");
	assert_true(n < cap);

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	zone *z = zone_from_text(text, m);
	double took = seconds_since(&t0);
	print_message("%d records in one RRset: %.3f s\n", RECORDS, took);

	char want[512];
	snprintf(want, sizeof want,
		 "t.zone:%d: note: duplicate record merged (first at t.zone:%d)\n"
		 "t.zone:%d: note: duplicate record merged (first at t.zone:%d)\n"
		 "t.zone:%d: note: duplicate record merged (first at t.zone:%d)\n",
		 RECORDS + 5, 10, RECORDS + 6, RECORDS + 4, RECORDS + 47, RECORDS + 45);
	assert_string_equal(m->text, want);
	const zone_node *big = zone_find(z, (const uint8_t *)"\3big\7example\3com");
	assert_int_equal(zone_node_rrset(big, OWNDNS_TYPE_MX)->count, RECORDS);
	const zone_node *t = zone_find(z, (const uint8_t *)"\1t\7example\3com");
	assert_int_equal(zone_node_rrset(t, OWNDNS_TYPE_TXT)->count, 40);
	zone_free(z);
	free(m);
	free(text);
	assert_true(took < 3.0);
}

/* RRSIGs of different covered types are separate RRsets: different TTLs are fine. */
static void test_rrsig_grouped_by_covered_type(void **state)
{
	(void)state;
	messages *m = malloc(sizeof *m);
	assert_non_null(m);
	zone *z = zone_from_text(
		APEX "www 300 CNAME ns\n"
		     "www 300 RRSIG CNAME 13 3 300 20250101000000 20240101000000 1 example.com. AAAA\n"
		     "www 300 NSEC z.example.com. CNAME RRSIG NSEC\n"
		     "www 900 RRSIG NSEC 13 3 900 20250101000000 20240101000000 1 example.com. AAAA\n",
		m);
	assert_string_equal(m->text, "");
	const zone_node *w = zone_find(z, (const uint8_t *)"\3www\7example\3com");
	unsigned sigs = 0;
	for (const zone_rrset *s = w->rrsets; s; s = s->next)
		if (s->type == OWNDNS_TYPE_RRSIG) {
			sigs++;
			assert_int_equal(s->ttl, s->covered == OWNDNS_TYPE_NSEC ? 900 : 300);
		}
	assert_int_equal(sigs, 2);
	zone_free(z);
	free(m);
}

static void test_delegation_flags(void **state)
{
	(void)state;
	messages *m = malloc(sizeof *m);
	assert_non_null(m);
	zone *z = zone_from_text(APEX "sub NS ns.sub\nns.sub A 192.0.2.9\n"
				      "d DNAME example.net.\n",
				 m);
	assert_string_equal(m->text, "");
	const zone_node *sub = zone_find(z, (const uint8_t *)"\3sub\7example\3com");
	const zone_node *ns = zone_find(z, (const uint8_t *)"\2ns\3sub\7example\3com");
	assert_int_equal(sub->flags, ZONE_NODE_DELEGATION);
	assert_int_equal(ns->flags, ZONE_NODE_OCCLUDED);
	assert_int_equal(zone_apex(z)->flags, ZONE_NODE_APEX);
	zone_free(z);
	free(m);
}

static void test_checks(void **state)
{
	(void)state;
	expect_messages("$TTL 1\n@ NS ns\nns A 192.0.2.1\n",
			"t.zone: no SOA record at the zone apex example.com.\n", 1);
	expect_messages("$TTL 1\n@ SOA a b 1 2 3 4 5\n",
			"t.zone: no NS records at the zone apex example.com. (RFC 1034 §4.2.1)\n", 1);
	expect_messages(APEX "@ SOA ns hostmaster 8 1 2 3 4\nx SOA ns hostmaster 1 1 2 3 4\n",
			"t.zone:5: more than one SOA record at the zone apex example.com.\n"
			"t.zone:6: SOA record at x.example.com., which is not the zone apex "
			"example.com.\n",
			2);
	expect_messages(APEX "c A 192.0.2.5\nc CNAME ns\nd CNAME a\nd CNAME b\n",
			"t.zone:6: CNAME and other data at c.example.com. (RFC 1034 §3.6.2)\n"
			"t.zone:8: more than one CNAME at d.example.com.\n",
			2);
	expect_messages(APEX "@ CNAME other.example.net.\n",
			"t.zone:5: CNAME and other data at example.com. (RFC 1034 §3.6.2)\n", 1);
	expect_messages(APEX "d DNAME x.\na.b.d TXT t\nd DNAME y.\n",
			"t.zone:7: more than one DNAME at d.example.com. (RFC 6672 §2.4)\n"
			"t.zone:6: a.b.d.example.com. is below the DNAME at d.example.com. "
			"(RFC 6672 §2.3)\n",
			2);
	expect_messages(APEX "x.example.net. A 192.0.2.1\nx CH TXT t\n",
			"t.zone:5: x.example.net. is outside the zone example.com.\n"
			"t.zone:6: class CH differs from the zone's class IN\n",
			2);
	/* Occluded data and missing glue are warnings: NSD and BIND load such zones. */
	expect_messages(APEX "s NS ns.s\ns MX 1 ns\nx.s NS ns.s\nns.s AAAA ::1\n"
			     "g NS a.g\ng NS b.g\nb.g A 192.0.2.9\n",
			"t.zone:6: warning: s.example.com. MX at the delegation point "
			"s.example.com.: occluded, not served\n"
			"t.zone:7: warning: x.s.example.com. NS is below the delegation at "
			"s.example.com.: occluded, not served\n"
			"t.zone:9: warning: no glue address (A/AAAA) for a.g.example.com., name "
			"server of g.example.com.\n",
			0);
}

/* ------------------------------------------------------------------ zone file tables */

/* The "; expect: " lines of a zone file, each ending in '\n'. */
static void read_expectations(const char *path, char *out, size_t cap, char *origin,
			      size_t origin_cap)
{
	static const char expect_tag[] = "; expect: ", origin_tag[] = "; origin: ";
	char line[1024];
	size_t n = 0;
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	snprintf(origin, origin_cap, "example.com");
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, origin_tag, sizeof origin_tag - 1) == 0) {
			const char *value = line + sizeof origin_tag - 1;
			size_t len = strcspn(value, "\n");
			assert_true(len < origin_cap);
			memcpy(origin, value, len);
			origin[len] = '\0';
		}
		if (strncmp(line, expect_tag, sizeof expect_tag - 1) != 0)
			continue;
		size_t len = strlen(line + sizeof expect_tag - 1);
		assert_true(n + len < cap);
		memcpy(out + n, line + sizeof expect_tag - 1, len + 1);
		n += len;
	}
	out[n] = '\0';
	fclose(f);
}

static int compare_lines(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorts the lines of `text` in place (messages of the checks come in zone order). */
static void sort_lines(char *text)
{
	char *lines[256], copy[1 << 15];
	size_t count = 0, n = 0;
	for (char *p = strtok(text, "\n"); p && count < 256; p = strtok(NULL, "\n"))
		lines[count++] = p;
	qsort(lines, count, sizeof lines[0], compare_lines);
	for (size_t i = 0; i < count; i++)
		n += (size_t)snprintf(copy + n, sizeof copy - n, "%s\n", lines[i]);
	copy[n] = '\0';
	memcpy(text, copy, n + 1);
}

/* Loads every *.zone of `dir`; each must give exactly its expected messages, and load
 * (rc OK) exactly when it has no expected error. */
static void check_directory(const char *dir, unsigned *files)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	messages *m = malloc(sizeof *m);
	char *expected = malloc(sizeof m->text);
	char path[1024], strip[1024], origin[256];
	assert_true(m && expected);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 5, ".zone") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		snprintf(strip, sizeof strip, "%s/", dir);
		read_expectations(path, expected, sizeof m->text, origin, sizeof origin);
		uint8_t apex[OWNDNS_NAME_MAX];
		size_t apex_len;
		assert_int_equal(owndns_name_from_text(origin, strlen(origin), (const uint8_t *)"",
						       apex, &apex_len),
				 OWNDNS_OK);
		memset(m, 0, sizeof *m);
		m->strip = strip;
		zone *z = zone_new(apex, 0, collect, m);
		assert_non_null(z);
		int rc = zone_load_file(z, path, NULL);
		sort_lines(m->text);
		sort_lines(expected);
		if (strcmp(m->text, expected) != 0)
			fail_msg("%s: messages\n%s-- expected --\n%s", e->d_name, m->text, expected);
		zone_stats st;
		zone_get_stats(z, &st);
		assert_int_equal(rc, st.errors ? OWNDNS_ESYNTAX : OWNDNS_OK);
		zone_free(z);
		(*files)++;
	}
	closedir(d);
	free(m);
	free(expected);
}

static void test_good_zone_files(void **state)
{
	(void)state;
	unsigned files = 0;
	check_directory(ZONES_DIR "/good", &files);
	assert_true(files >= 3);
}

static void test_bad_zone_files(void **state)
{
	(void)state;
	unsigned files = 0;
	check_directory(ZONES_DIR "/bad", &files);
	assert_true(files >= 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_zone_and_stats),
		cmocka_unit_test(test_merge_and_ttl),
		cmocka_unit_test(test_huge_rrset_loads_fast),
		cmocka_unit_test(test_rrsig_grouped_by_covered_type),
		cmocka_unit_test(test_delegation_flags),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_good_zone_files),
		cmocka_unit_test(test_bad_zone_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
