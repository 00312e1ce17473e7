/* Zone file reader: every directive, every omission rule, parentheses, quoting,
 * RFC 3597 forms, $INCLUDE and $GENERATE, and errors with their exact file:line.
 * Each RR is printed "file:line: owner ttl class type rdata" and each message
 * "file:line: E|W|N: message", so a test compares the whole outcome as one text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <owndns/name.h>
#include <owndns/rdata.h>
#include <owndns/zone_parse.h>

typedef struct sink {
	char text[1 << 16];
	size_t len;
	unsigned rr_count;
} sink;

static void sink_printf(sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sink_printf(sink *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(s->text + s->len, sizeof s->text - s->len, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof s->text - s->len);
	s->len += (size_t)n;
}

/* Strips a directory from file names so tests can use temporary directories. */
static const char *base_name(const char *file)
{
	const char *slash = strrchr(file, '/');
	return slash ? slash + 1 : file;
}

static int on_rr(void *ctx, const owndns_rr *rr, const char *file, unsigned line)
{
	sink *s = ctx;
	char owner[OWNDNS_NAME_TEXT_MAX], cls[OWNDNS_TYPE_TEXT_MAX], type[OWNDNS_TYPE_TEXT_MAX];
	char rdata[4096];
	assert_true(owndns_name_to_text(rr->owner, owner, sizeof owner) > 0);
	owndns_class_to_text(rr->rclass, cls, sizeof cls);
	owndns_type_to_text(rr->type, type, sizeof type);
	assert_true(owndns_rdata_to_text(rr->type, rr->rdata, rr->rdlen, rdata, sizeof rdata) >= 0);
	sink_printf(s, "%s:%u: %s %lu %s %s %s\n", base_name(file), line, owner,
		    (unsigned long)rr->ttl, cls, type, rdata);
	s->rr_count++;
	return OWNDNS_OK;
}

static void on_report(void *ctx, owndns_zone_severity sev, const char *file, unsigned line,
		      const char *message)
{
	sink *s = ctx;
	static const char letter[] = { 'E', 'W', 'N' };
	sink_printf(s, "%s:%u: %c: %s\n", base_name(file), line, letter[sev], message);
}

static const uint8_t example_com[] = "\7example\3com";

static int parse_with(const char *text, const uint8_t *origin, owndns_zone_parse_config *cfg,
		      sink *s, owndns_zone_parse_result *res)
{
	memset(s, 0, sizeof *s);
	cfg->origin = origin;
	cfg->on_rr = on_rr;
	cfg->on_report = on_report;
	cfg->ctx = s;
	return owndns_zone_parse_text("t.zone", text, strlen(text), cfg, res);
}

static int parse(const char *text, sink *s)
{
	owndns_zone_parse_config cfg;
	memset(&cfg, 0, sizeof cfg);
	return parse_with(text, example_com, &cfg, s, NULL);
}

/* Parses `zone_text`; the outcome must be `rc` and exactly `output`. */
static void expect_parse(const char *zone_text, int rc, const char *output)
{
	sink *s = malloc(sizeof *s);
	assert_non_null(s);
	assert_int_equal(parse(zone_text, s), rc);
	assert_string_equal(s->text, output);
	free(s);
}

#define EXPECT expect_parse

static void test_origin_ttl_and_names(void **state)
{
	(void)state;
	EXPECT("$TTL 1h\n"
	       "@ IN A 192.0.2.1\n"
	       "www A 192.0.2.2\n"
	       "abs.example.net. A 192.0.2.3\n"
	       "$ORIGIN sub\n"
	       "x A 192.0.2.4\n"
	       "@ A 192.0.2.5\n"
	       "$ORIGIN example.org.\n"
	       "y 5 A 192.0.2.6\n",
	       OWNDNS_OK,
	       "t.zone:2: example.com. 3600 IN A 192.0.2.1\n"
	       "t.zone:3: www.example.com. 3600 IN A 192.0.2.2\n"
	       "t.zone:4: abs.example.net. 3600 IN A 192.0.2.3\n"
	       "t.zone:6: x.sub.example.com. 3600 IN A 192.0.2.4\n"
	       "t.zone:7: sub.example.com. 3600 IN A 192.0.2.5\n"
	       "t.zone:9: y.example.org. 5 IN A 192.0.2.6\n");
}

static void test_omitted_owner_class_ttl(void **state)
{
	(void)state;
	EXPECT("$TTL 60\n"
	       "a 10 CH TXT \"x\"\n"
	       "\tTXT \"y\"\n"             /* owner a, class CH (previous), TTL $TTL */
	       "  IN 20 A 192.0.2.1\n"     /* class before TTL */
	       "b 30 IN A 192.0.2.2\n"
	       "  CLASS1 TYPE1 192.0.2.3\n" /* RFC 3597 names for IN and A */
	       "; comment only\n"
	       "\n"
	       "   ; indented comment does not change the owner\n"
	       "\tA 192.0.2.4\n",
	       OWNDNS_OK,
	       "t.zone:2: a.example.com. 10 CH TXT \"x\"\n"
	       "t.zone:3: a.example.com. 60 CH TXT \"y\"\n"
	       "t.zone:4: a.example.com. 20 IN A 192.0.2.1\n"
	       "t.zone:5: b.example.com. 30 IN A 192.0.2.2\n"
	       "t.zone:6: b.example.com. 60 IN A 192.0.2.3\n"
	       "t.zone:10: b.example.com. 60 IN A 192.0.2.4\n");
}

/* Without $TTL: the SOA takes its MINIMUM, later records the previous TTL (warned once). */
static void test_ttl_without_dollar_ttl(void **state)
{
	(void)state;
	EXPECT("@ SOA ns host 1 2 3 4 1h\n"
	       "a A 192.0.2.1\n"
	       "b 7 A 192.0.2.2\n"
	       "c A 192.0.2.3\n",
	       OWNDNS_OK,
	       "t.zone:1: W: no TTL and no $TTL: using the SOA MINIMUM 3600\n"
	       "t.zone:1: example.com. 3600 IN SOA ns.example.com. host.example.com. 1 2 3 4 3600\n"
	       "t.zone:2: a.example.com. 3600 IN A 192.0.2.1\n"
	       "t.zone:3: b.example.com. 7 IN A 192.0.2.2\n"
	       "t.zone:4: c.example.com. 7 IN A 192.0.2.3\n");
	EXPECT("a 5 A 192.0.2.1\n"
	       "b A 192.0.2.2\n"
	       "c A 192.0.2.3\n",
	       OWNDNS_OK,
	       "t.zone:1: a.example.com. 5 IN A 192.0.2.1\n"
	       "t.zone:2: W: no TTL and no $TTL: using the previous record's TTL 5\n"
	       "t.zone:2: b.example.com. 5 IN A 192.0.2.2\n"
	       "t.zone:3: c.example.com. 5 IN A 192.0.2.3\n");
	EXPECT("a A 192.0.2.1\n", OWNDNS_ESYNTAX,
	       "t.zone:1: E: no TTL, and no $TTL or earlier TTL to use\n");
}

static void test_parentheses_comments_quotes(void **state)
{
	(void)state;
	EXPECT("$TTL 1\n"
	       "@ SOA ns host ( ; comment inside\n"
	       "      2024010101 ; serial\n"
	       "      2h 1h\n"
	       "      2w 300 )\n"
	       "t TXT \"a;b\" \"q\\\"uote\" \"\\065\" ( \"next\n"
	       "line\" )\n"
	       "u TXT semi\\;colon\n"
	       "v A 192.0.2.9",  /* no newline at the end */
	       OWNDNS_OK,
	       "t.zone:2: example.com. 1 IN SOA ns.example.com. host.example.com. 2024010101 7200 3600 1209600 300\n"
	       "t.zone:6: t.example.com. 1 IN TXT \"a;b\" \"q\\\"uote\" \"A\" \"next\\010line\"\n"
	       "t.zone:8: u.example.com. 1 IN TXT \"semi;colon\"\n"
	       "t.zone:9: v.example.com. 1 IN A 192.0.2.9\n");
}

/* Hex and base64 fields run to the end of the entry; the next entry must survive. */
static void test_rdata_to_end_of_entry(void **state)
{
	(void)state;
	EXPECT("$TTL 1\n"
	       "a TYPE65280 \\# 4 0a000001\n"
	       "b A \\# 4 C0000263\n"
	       "c DS 1 13 2 ( 0123456789abcdef\n"
	       "  0123456789ABCDEF )\n"
	       "d NULL \\# 0\n",
	       OWNDNS_OK,
	       "t.zone:2: a.example.com. 1 IN TYPE65280 \\# 4 0A000001\n"
	       "t.zone:3: b.example.com. 1 IN A 192.0.2.99\n"
	       "t.zone:4: c.example.com. 1 IN DS 1 13 2 0123456789ABCDEF0123456789ABCDEF\n"
	       "t.zone:6: d.example.com. 1 IN NULL \\# 0\n");
}

static void test_errors_have_lines_and_reading_goes_on(void **state)
{
	(void)state;
	EXPECT("$TTL 1\n"
	       "a A 192.0.2.256\n"
	       "b BOGUS 1\n"
	       "c 1x A 192.0.2.1\n"
	       "d MX ( 10\n"
	       "  )\n"                      /* missing exchange: reported on the last line */
	       "e A 192.0.2.5 extra\n"
	       "f \"q\" A 192.0.2.6\n"
	       "$UNKNOWN x\n"
	       "$TTL\n"
	       "$ORIGIN a b\n"
	       "g A 192.0.2.7\n"
	       "h AXFR \\# 0\n"
	       "a..b A 192.0.2.8\n",
	       OWNDNS_ESYNTAX,
	       "t.zone:2: E: bad A RDATA: malformed IPv4 address\n"
	       "t.zone:3: E: unknown type 'BOGUS'\n"
	       "t.zone:4: E: bad TTL '1x'\n"
	       "t.zone:6: E: bad MX RDATA: malformed presentation format\n"
	       "t.zone:7: E: bad A RDATA: data left over after a complete item\n"
	       "t.zone:8: E: quoted string where a TTL, class or type belongs\n"
	       "t.zone:9: E: unknown directive '$UNKNOWN'\n"
	       "t.zone:10: E: $TTL value missing\n"
	       "t.zone:11: E: unexpected 'b' after $ORIGIN\n"
	       "t.zone:12: g.example.com. 1 IN A 192.0.2.7\n"
	       "t.zone:13: E: type AXFR cannot be zone data\n"
	       "t.zone:14: E: bad owner name 'a..b': empty label inside a name\n");
}

static void test_owner_rules(void **state)
{
	(void)state;
	EXPECT("$TTL 1\n"
	       " A 192.0.2.1\n",
	       OWNDNS_ESYNTAX,
	       "t.zone:2: E: entry starts with a blank but there is no previous owner\n");
	/* A relative name with no origin at all is an error, not a silent absolute name. */
	sink *s = malloc(sizeof *s);
	assert_non_null(s);
	owndns_zone_parse_config cfg;
	memset(&cfg, 0, sizeof cfg);
	assert_int_equal(parse_with("$TTL 1\nwww A 192.0.2.1\nok. A 192.0.2.2\n", NULL, &cfg, s,
				    NULL),
			 OWNDNS_ESYNTAX);
	assert_string_equal(s->text,
			    "t.zone:2: E: relative owner name 'www' and no $ORIGIN to complete it\n"
			    "t.zone:3: ok. 1 IN A 192.0.2.2\n");
	free(s);
}

static void test_lexical_errors(void **state)
{
	(void)state;
	EXPECT("$TTL 1\n"
	       "a A 192.0.2.1 )\n"
	       "b A 192.0.2.2\n",
	       OWNDNS_ESYNTAX,
	       "t.zone:2: E: ')' without '('\n"
	       "t.zone:3: b.example.com. 1 IN A 192.0.2.2\n");
	EXPECT("$TTL 1\n"
	       "a TXT ( \"x\"\n"
	       "b A 192.0.2.2\n",
	       OWNDNS_ESYNTAX, "t.zone:2: E: '(' not closed before the end of the file\n");
	EXPECT("$TTL 1\n"
	       "a TXT \"x\n"
	       "b A 192.0.2.2\n",
	       OWNDNS_ESYNTAX,
	       "t.zone:2: E: unterminated quoted string or escape at the end of the file\n");
}

static void test_max_errors(void **state)
{
	(void)state;
	sink *s = malloc(sizeof *s);
	assert_non_null(s);
	owndns_zone_parse_config cfg;
	owndns_zone_parse_result res;
	memset(&cfg, 0, sizeof cfg);
	cfg.max_errors = 2;
	assert_int_equal(parse_with("$TTL 1\nx FOO\ny FOO\nz FOO\nw A 192.0.2.1\n", example_com,
				    &cfg, s, &res),
			 OWNDNS_ESYNTAX);
	assert_string_equal(s->text, "t.zone:2: E: unknown type 'FOO'\n"
				     "t.zone:3: E: unknown type 'FOO'\n"
				     "t.zone:3: E: too many errors; stopped reading\n");
	assert_int_equal(res.errors, 2);
	assert_int_equal(res.records, 0);
	free(s);
}

static void test_generate(void **state)
{
	(void)state;
	EXPECT("$TTL 1\n"
	       "$GENERATE 1-3 host$ A 10.0.0.$\n"
	       "$GENERATE 0-4/2 p${1,3,d} CNAME h${-0,0,x}\n"
	       "$GENERATE 10-11 x${0,0,X} 7 IN TXT \"v$\"\n"
	       "$GENERATE 254-255 ${0,0,o} MX \"10 m${0,2,x}\"\n"
	       "$GENERATE 18-18 ${0,5,n}.ip6 PTR h$.\n"
	       "$GENERATE 171-171 ${0,0,N} PTR h\\$.\n",
	       OWNDNS_OK,
	       "t.zone:2: host1.example.com. 1 IN A 10.0.0.1\n"
	       "t.zone:2: host2.example.com. 1 IN A 10.0.0.2\n"
	       "t.zone:2: host3.example.com. 1 IN A 10.0.0.3\n"
	       "t.zone:3: p001.example.com. 1 IN CNAME h0.example.com.\n"
	       "t.zone:3: p003.example.com. 1 IN CNAME h2.example.com.\n"
	       "t.zone:3: p005.example.com. 1 IN CNAME h4.example.com.\n"
	       "t.zone:4: xA.example.com. 7 IN TXT \"v10\"\n"
	       "t.zone:4: xB.example.com. 7 IN TXT \"v11\"\n"
	       "t.zone:5: 376.example.com. 1 IN MX 10 mfe.example.com.\n"
	       "t.zone:5: 377.example.com. 1 IN MX 10 mff.example.com.\n"
	       "t.zone:6: 2.1.0.ip6.example.com. 1 IN PTR h18.\n"
	       "t.zone:7: B.A.example.com. 1 IN PTR h\\$.\n");
}

static void test_generate_errors(void **state)
{
	(void)state;
	EXPECT("$TTL 1\n"
	       "$GENERATE 3-1 h$ A 10.0.0.1\n"
	       "$GENERATE 1-2/0 h$ A 10.0.0.1\n"
	       "$GENERATE 1-2 h${1,2 A 10.0.0.1\n"
	       "$GENERATE 1-2 h${0,2,q} A 10.0.0.1\n"
	       "$GENERATE 0-1 h${-1} A 10.0.0.1\n"
	       "$GENERATE 255-256 h$ A 10.0.0.$\n"
	       "$GENERATE 1-2 h$ A\n"
	       "$GENERATE 1-2\n"
	       "ok A 10.0.0.9\n",
	       OWNDNS_ESYNTAX,
	       "t.zone:2: E: bad $GENERATE range '3-1': start-stop[/step] with start <= stop\n"
	       "t.zone:3: E: bad $GENERATE range '1-2/0': start-stop[/step] with start <= stop\n"
	       "t.zone:4: E: $GENERATE: bad ${offset,width,base} modifier in 'h${1,2'\n"
	       "t.zone:5: E: $GENERATE: bad ${offset,width,base} modifier in 'h${0,2,q}'\n"
	       "t.zone:6: E: $GENERATE: negative value in 'h${-1}'\n"
	       "t.zone:7: h255.example.com. 1 IN A 10.0.0.255\n"
	       "t.zone:7: E: $GENERATE value 256: bad A RDATA '10.0.0.256': malformed IPv4 address\n"
	       "t.zone:8: E: $GENERATE RDATA missing\n"
	       "t.zone:9: E: $GENERATE owner missing\n"
	       "t.zone:10: ok.example.com. 1 IN A 10.0.0.9\n");
	/* The bound on the number of records is checked before anything is made. */
	sink *s = malloc(sizeof *s);
	assert_non_null(s);
	owndns_zone_parse_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.max_generate = 3;
	assert_int_equal(parse_with("$TTL 1\n$GENERATE 1-4 h$ A 10.0.0.$\n", example_com, &cfg, s,
				    NULL),
			 OWNDNS_ESYNTAX);
	assert_string_equal(s->text, "t.zone:2: E: $GENERATE would make 4 records, more than "
				     "the limit of 3\n");
	assert_int_equal(s->rr_count, 0);
	free(s);
}

/* ------------------------------------------------------------------ $INCLUDE */

typedef struct tmpdir {
	char path[64];
	char files[8][128];
	int count;
} tmpdir;

static void write_file(tmpdir *d, const char *name, const char *text)
{
	assert_true(d->count < 8);
	char full[256];
	snprintf(full, sizeof full, "%s/%s", d->path, name);
	assert_true(strlen(full) < sizeof d->files[0]);
	strcpy(d->files[d->count++], full);
	FILE *f = fopen(full, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void remove_all(tmpdir *d)
{
	for (int i = d->count; i-- > 0;)
		remove(d->files[i]);
	rmdir(d->path);
}

static int parse_file(const char *path, const uint8_t *origin, owndns_zone_parse_config *cfg,
		      sink *s)
{
	memset(s, 0, sizeof *s);
	cfg->origin = origin;
	cfg->on_rr = on_rr;
	cfg->on_report = on_report;
	cfg->ctx = s;
	return owndns_zone_parse_file(path, cfg, NULL);
}

static void test_include(void **state)
{
	(void)state;
	tmpdir d = { .count = 0 };
	snprintf(d.path, sizeof d.path, "/tmp/owndns-zp-XXXXXX");
	assert_non_null(mkdtemp(d.path));
	char sub[128], top[128];
	snprintf(sub, sizeof sub, "%s/sub", d.path);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(&d, "sub/hosts.inc", "@ A 192.0.2.10\n"
					"h A 192.0.2.11\n"
					"\tAAAA 2001:db8::11\n"
					"$ORIGIN other.\n"
					"z A 192.0.2.12\n"
					"$INCLUDE deeper.inc\n");
	write_file(&d, "sub/deeper.inc", "deep A 192.0.2.13\n");
	write_file(&d, "top.zone", "$TTL 1\n"
				   "a A 192.0.2.1\n"
				   "$INCLUDE sub/hosts.inc hosts\n"
				   "\tA 192.0.2.2\n"       /* owner a again: restored */
				   "b A 192.0.2.3\n"       /* origin example.com again */
				   "$INCLUDE sub/hosts.inc\n"
				   "$INCLUDE missing.inc\n"
				   "$INCLUDE top.zone\n");
	snprintf(top, sizeof top, "%s/top.zone", d.path);
	sink *s = malloc(sizeof *s);
	assert_non_null(s);
	owndns_zone_parse_config cfg;
	memset(&cfg, 0, sizeof cfg);
	int rc = parse_file(top, example_com, &cfg, s);
	/* Messages name files by their full path; rewrite it away for the comparison. */
	char expected[4096];
	snprintf(expected, sizeof expected,
		 "top.zone:2: a.example.com. 1 IN A 192.0.2.1\n"
		 "hosts.inc:1: hosts.example.com. 1 IN A 192.0.2.10\n"
		 "hosts.inc:2: h.hosts.example.com. 1 IN A 192.0.2.11\n"
		 "hosts.inc:3: h.hosts.example.com. 1 IN AAAA 2001:db8::11\n"
		 "hosts.inc:5: z.other. 1 IN A 192.0.2.12\n"
		 "deeper.inc:1: deep.other. 1 IN A 192.0.2.13\n"
		 "top.zone:4: a.example.com. 1 IN A 192.0.2.2\n"
		 "top.zone:5: b.example.com. 1 IN A 192.0.2.3\n"
		 "hosts.inc:1: example.com. 1 IN A 192.0.2.10\n"
		 "hosts.inc:2: h.example.com. 1 IN A 192.0.2.11\n"
		 "hosts.inc:3: h.example.com. 1 IN AAAA 2001:db8::11\n"
		 "hosts.inc:5: z.other. 1 IN A 192.0.2.12\n"
		 "deeper.inc:1: deep.other. 1 IN A 192.0.2.13\n"
		 "top.zone:7: E: cannot open '%s/missing.inc': No such file or directory\n"
		 "top.zone:8: E: cannot include '%s/top.zone': $INCLUDE loop\n",
		 d.path, d.path);
	assert_string_equal(s->text, expected);
	assert_int_equal(rc, OWNDNS_ESYNTAX);

	/* Depth limit: a file including itself under another name nests, then stops. */
	cfg.max_include_depth = 2;
	write_file(&d, "one.zone", "$TTL 1\n$INCLUDE sub/deeper.inc\n$INCLUDE two.zone\n");
	write_file(&d, "two.zone", "$INCLUDE sub/deeper.inc\n");
	snprintf(top, sizeof top, "%s/one.zone", d.path);
	rc = parse_file(top, example_com, &cfg, s);
	snprintf(expected, sizeof expected,
		 "deeper.inc:1: deep.example.com. 1 IN A 192.0.2.13\n"
		 "two.zone:1: E: cannot include '%s/sub/deeper.inc': $INCLUDE nested too deeply\n",
		 d.path);
	assert_string_equal(s->text, expected);
	assert_int_equal(rc, OWNDNS_ESYNTAX);

	/* The top file itself missing: reported against it with no line. */
	snprintf(top, sizeof top, "%s/nothere.zone", d.path);
	rc = parse_file(top, example_com, &cfg, s);
	snprintf(expected, sizeof expected,
		 "nothere.zone:0: E: cannot open '%s': No such file or directory\n", top);
	assert_string_equal(s->text, expected);
	assert_int_equal(rc, OWNDNS_ESYNTAX);
	free(s);
	remove_all(&d);
	rmdir(sub);
	rmdir(d.path);
}

static int stop_at_second(void *ctx, const owndns_rr *rr, const char *file, unsigned line)
{
	unsigned *n = ctx;
	(void)rr;
	(void)file;
	(void)line;
	return ++*n == 2 ? OWNDNS_ENOMEM : OWNDNS_OK;
}

static void test_callback_stops_parse(void **state)
{
	(void)state;
	unsigned n = 0;
	owndns_zone_parse_config cfg;
	owndns_zone_parse_result res;
	memset(&cfg, 0, sizeof cfg);
	cfg.origin = example_com;
	cfg.on_rr = stop_at_second;
	cfg.ctx = &n;
	const char *text = "$TTL 1\na A 192.0.2.1\nb A 192.0.2.2\nc A 192.0.2.3\n";
	assert_int_equal(owndns_zone_parse_text("t", text, strlen(text), &cfg, &res),
			 OWNDNS_ENOMEM);
	assert_int_equal(n, 2);
	assert_int_equal(res.records, 1);
	assert_int_equal(owndns_zone_parse_text("t", text, strlen(text), NULL, NULL),
			 OWNDNS_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_origin_ttl_and_names),
		cmocka_unit_test(test_omitted_owner_class_ttl),
		cmocka_unit_test(test_ttl_without_dollar_ttl),
		cmocka_unit_test(test_parentheses_comments_quotes),
		cmocka_unit_test(test_rdata_to_end_of_entry),
		cmocka_unit_test(test_errors_have_lines_and_reading_goes_on),
		cmocka_unit_test(test_owner_rules),
		cmocka_unit_test(test_lexical_errors),
		cmocka_unit_test(test_max_errors),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_generate_errors),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_callback_stops_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
