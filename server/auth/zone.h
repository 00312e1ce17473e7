/* One authoritative zone in memory, built from a zone file.
 * Names live in a hash table (case-insensitive, exact lookup in one probe) and point
 * to their parent, and every name between a record's owner and the apex exists (empty
 * non-terminals included), so the closest encloser, the wildcard "*.<encloser>" and
 * the delegation above a name are found by walking up parents or hashing ancestors.
 * Each name holds its RRsets (type, TTL, RDATA list); RRSIGs are grouped by the type
 * they cover.  All memory comes from one arena owned by the zone and goes in
 * zone_free.  Owns: its names, RRsets, RDATA and file names; reads no clock, does no I/O
 * except in zone_load_file.
 *
 * Rules applied while records are added (each reported with file:line):
 *   - an owner outside the zone, or a class other than the zone's: error, not added;
 *   - a duplicate RR (same owner, type, class and RDATA, names compared
 *     case-insensitively where RFC 4034 §6.2 says so): merged, note;
 *   - TTLs differing inside an RRset: warning, the RRset takes the smallest TTL
 *     (RFC 2181 §5.2's rule for receivers, and dnspython's; BIND keeps the first).
 * zone_check (zone_check.c) adds the checks of the whole zone; a zone with any error
 * must not be served. */
#ifndef OWNDNS_SERVER_AUTH_ZONE_H
#define OWNDNS_SERVER_AUTH_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <owndns/rr.h>
#include <owndns/zone_parse.h>

typedef struct zone zone;

typedef struct zone_rdata {
	struct zone_rdata *next;
	uint32_t line;  /* where it was read */
	uint16_t file;  /* index for zone_file_name */
	uint16_t len;
	uint8_t data[]; /* uncompressed RDATA */
} zone_rdata;

typedef struct zone_rrset {
	struct zone_rrset *next;
	zone_rdata *rdata; /* in file order once the zone is finished */
	uint32_t ttl;
	uint16_t type;
	uint16_t covered;  /* RRSIG: the type its signatures cover; else 0 */
	uint32_t count;
} zone_rrset;

enum zone_node_flags {
	ZONE_NODE_APEX = 1,
	ZONE_NODE_DELEGATION = 2, /* NS below the apex: a zone cut (RFC 1034 §4.2.1) */
	ZONE_NODE_OCCLUDED = 4,   /* strictly below a zone cut or a DNAME */
};

typedef struct zone_node {
	struct zone_node *parent; /* NULL at the apex */
	zone_rrset *rrsets;       /* NULL for an empty non-terminal */
	uint32_t hash;
	uint16_t flags;
	uint8_t owner_len;
	uint8_t owner[];          /* wire name, case as first seen */
} zone_node;

/* An empty zone for `apex` (a wire name) and class `rclass` (0 means IN).  Problems
 * go to `report` (may be NULL).  Returns NULL when out of memory. */
zone *zone_new(const uint8_t *apex, uint16_t rclass, owndns_zone_report_fn report, void *ctx);
void zone_free(zone *z);

/* Adds one RR read from file:line under the rules above.  Returns OWNDNS_OK (also
 * when the RR was refused: that is reported and counted as an error) or ENOMEM.
 * Its signature fits owndns_zone_rr_fn (with the zone as ctx). */
int zone_add_rr(void *z, const owndns_rr *rr, const char *file, unsigned line);

/* Puts every RRset's RDATA in file order and marks apex, zone cuts and occluded
 * names.  Call once after the last zone_add_rr and before zone_check or lookups. */
void zone_finish(zone *z);

/* Load-time checks of the finished zone (zone_check.c): SOA, apex NS, CNAME and DNAME
 * rules, occluded data and glue.  Reports each problem; returns the number of errors
 * it found. */
unsigned zone_check(zone *z);

/* Parses `path` (origin = apex), adds every RR, finishes and checks the zone.  Returns
 * OWNDNS_OK when nothing reported an error, OWNDNS_ESYNTAX when something did, or
 * ENOMEM.  `cfg` may be NULL or give limits (its callbacks, origin and class are
 * replaced). */
int zone_load_file(zone *z, const char *path, const owndns_zone_parse_config *cfg);

/* Exact, case-insensitive lookup; NULL when the name is not in the zone. */
const zone_node *zone_find(const zone *z, const uint8_t *name);
/* The deepest existing name at or above `name` (the closest encloser when `name` is
 * absent), or NULL when `name` is not inside the zone. */
const zone_node *zone_find_closest(const zone *z, const uint8_t *name);
/* The RRset of `type` at the node (for RRSIG: the first one; see `covered`), or NULL. */
const zone_rrset *zone_node_rrset(const zone_node *n, uint16_t type);

const zone_node *zone_apex(const zone *z);
const uint8_t *zone_apex_name(const zone *z);
uint16_t zone_class(const zone *z);
/* The SOA serial, or false when the apex has no SOA. */
bool zone_serial(const zone *z, uint32_t *serial);

/* Every name, empty non-terminals included, in the order first seen. */
size_t zone_node_count(const zone *z);
const zone_node *zone_node_at(const zone *z, size_t i);

typedef struct zone_stats {
	unsigned long records; /* after merging duplicates */
	unsigned long rrsets;
	unsigned long names;   /* names owning at least one record */
	unsigned errors, warnings;
	size_t arena_bytes;    /* memory held for names, RRsets and RDATA */
} zone_stats;
void zone_get_stats(const zone *z, zone_stats *stats);

const char *zone_file_name(const zone *z, uint16_t file);

/* For zone_check.c: reports a problem of the zone at file:line (line 0: no line). */
void zone_report(zone *z, owndns_zone_severity severity, uint16_t file, unsigned line,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
