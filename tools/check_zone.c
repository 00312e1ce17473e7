/* owndns check-zone: load a zone file as `owndns serve` would, and report every
 * problem as "file:line: message" on stderr.  Exit status 0 when the zone would be
 * served (warnings allowed), 1 when it would not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <owndns/name.h>
#include <owndns/rdata.h>
#include <owndns/zone_parse.h>

#include "../server/auth/zone.h"
#include "subcommand.h"

static const option_spec check_zone_keys[] = {
	{ "origin", OPTION_NAME, NULL, false, "zone apex, e.g. example.com (required)", NULL, 0,
	  0 },
	{ "file", OPTION_PATH, NULL, false, "zone file to check (required)", NULL, 0, 0 },
	{ "print", OPTION_BOOL, "no", false,
	  "print the loaded zone on stdout, one record per line (as dig does)", NULL, 0, 0 },
	{ "max-errors", OPTION_INT, "100", false, "stop reading the file after this many errors",
	  NULL, 1, 1000000 },
	OPTION_SPEC_END
};

static const char *const severity_prefix[] = {
	[OWNDNS_ZONE_ERROR] = "",
	[OWNDNS_ZONE_WARNING] = "warning: ",
	[OWNDNS_ZONE_NOTE] = "note: ",
};

static void print_problem(void *ctx, owndns_zone_severity severity, const char *file,
			  unsigned line, const char *message)
{
	(void)ctx;
	if (line)
		fprintf(stderr, "%s:%u: %s%s\n", file, line, severity_prefix[severity], message);
	else
		fprintf(stderr, "%s: %s%s\n", file, severity_prefix[severity], message);
}

/* "example.com" for the apex "example.com.", as people write it; the root stays ".". */
static void apex_text(const uint8_t *apex, char *out, size_t size)
{
	int n = owndns_name_to_text(apex, out, size);
	if (n > 1 && out[n - 1] == '.')
		out[n - 1] = '\0';
}

/* Every record, names in the order first seen, RDATA in file order. */
static int print_zone(const zone *z)
{
	/* Room for the longest RDATA in text ("\\# 65535" and two hex digits per octet
	 * with spaces) and the owner, TTL, class and type before it. */
	size_t size = OWNDNS_NAME_TEXT_MAX + 64 + 3 * OWNDNS_RDATA_MAX + 16;
	char *line = malloc(size);
	if (!line)
		return OWNDNS_ENOMEM;
	for (size_t i = 0; i < zone_node_count(z); i++) {
		const zone_node *n = zone_node_at(z, i);
		for (const zone_rrset *s = n->rrsets; s; s = s->next) {
			for (const zone_rdata *d = s->rdata; d; d = d->next) {
				owndns_rr rr = { n->owner, s->type, zone_class(z), s->ttl, d->len,
						 d->data };
				if (owndns_rr_to_text(&rr, line, size) >= 0)
					printf("%s\n", line);
			}
		}
	}
	free(line);
	return OWNDNS_OK;
}

static const char *plural(unsigned long n)
{
	return n == 1 ? "" : "s";
}

static int check_zone_run(const options *opts)
{
	const char *origin = options_get(opts, "origin");
	const char *file = options_get(opts, "file");
	uint8_t apex[OWNDNS_NAME_MAX];
	size_t apex_len;
	char shown[OWNDNS_NAME_TEXT_MAX];

	if (!origin || !file) {
		fprintf(stderr, "owndns check-zone: origin= and file= are required "
				"(owndns check-zone origin=example.com file=example.com.zone)\n");
		return 1;
	}
	int rc = owndns_name_from_text(origin, strlen(origin), (const uint8_t *)"", apex,
				       &apex_len);
	if (rc != OWNDNS_OK) {
		fprintf(stderr, "owndns check-zone: origin '%s': %s\n", origin,
			owndns_strerror(rc));
		return 1;
	}
	apex_text(apex, shown, sizeof shown);
	zone *z = zone_new(apex, 0, print_problem, NULL);
	if (!z) {
		fprintf(stderr, "owndns check-zone: out of memory\n");
		return 1;
	}
	owndns_zone_parse_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.max_errors = (unsigned)options_get_int(opts, "max-errors", 100);
	rc = zone_load_file(z, file, &cfg);
	zone_stats st;
	zone_get_stats(z, &st);
	uint32_t serial = 0;
	if (rc == OWNDNS_OK && options_get_bool(opts, "print", false))
		rc = print_zone(z);
	if (rc == OWNDNS_OK && zone_serial(z, &serial)) {
		printf("%s: loaded, %lu record%s, %lu RRset%s, %lu name%s (serial %lu)\n", shown,
		       st.records, plural(st.records), st.rrsets, plural(st.rrsets), st.names,
		       plural(st.names), (unsigned long)serial);
	} else if (rc == OWNDNS_ESYNTAX) {
		fprintf(stderr, "%s: not loaded: %u error%s, %u warning%s\n", shown, st.errors,
			plural(st.errors), st.warnings, plural(st.warnings));
	} else {
		fprintf(stderr, "owndns check-zone: %s\n", owndns_strerror(rc));
	}
	zone_free(z);
	return rc == OWNDNS_OK ? 0 : 1;
}

/* owndns check-zone ORIGIN FILE */
static const char *const check_zone_positional[] = { "origin", "file", NULL };

const subcommand subcommand_check_zone = {
	.name = "check-zone",
	.summary = "check a zone file the way `owndns serve` loads it",
	.description = "Reads a zone file in RFC 1035 master-file format ($ORIGIN, $TTL, $INCLUDE,\n"
	"$GENERATE), applies the checks done before a zone is served (SOA and NS at the\n"
	"apex, CNAME and DNAME rules, occluded data, glue) and prints every problem as\n"
	"file:line: message.  Exit status 0 when the zone would be served, 1 otherwise.\n"
	"Example: owndns check-zone example.com example.com.zone\n"
	"    (or: owndns check-zone origin=example.com file=example.com.zone)",
	.keys = check_zone_keys,
	.run = check_zone_run,
	.positional = check_zone_positional,
};
