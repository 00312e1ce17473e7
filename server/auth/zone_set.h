/* The zones one server answers from authoritatively: several zones, each loaded from a
 * zone file with the loader of server/auth/zone.h, and found for a name by the deepest
 * apex at or above it (a child zone served here wins over its parent's delegation).
 * A set is built once (new, load, keep) and then only read, so the answering code
 * may share it between threads without locks; a reload builds a new set. */
#ifndef OWNDNS_SERVER_AUTH_ZONE_SET_H
#define OWNDNS_SERVER_AUTH_ZONE_SET_H

#include <stddef.h>
#include <stdint.h>

struct zone;

typedef struct zone_set zone_set;

/* Reports one problem of a zone file: "FILE:LINE: message" (line 0: the whole file). */
typedef void (*zone_set_report_fn)(void *arg, const char *file, unsigned line,
				   const char *message);

/* An empty set, or NULL when out of memory.  Free it with zone_set_free. */
zone_set *zone_set_new(void);
void zone_set_free(zone_set *set);

/* Loads the zone `origin` (presentation form, "example.com" or "example.com.") from the
 * file at `path` and adds it to the set; every problem goes to report (may be NULL).
 * Errors: EINVAL (origin not a name), EEXIST-like ESTATE (origin already in the set),
 * ENOMEM, and the loader's errors (ESYNTAX when the file had errors …). */
int zone_set_load(zone_set *set, const char *origin, const char *path,
		  zone_set_report_fn report, void *arg);

/* Adds to `set` the zone `origin` of `old` (shared, not copied: `old` may be freed
 * afterwards, the zone lives as long as a set holds it).  Used on reload when a zone
 * file no longer loads.  Errors: ENOTFOUND (old has no such zone), ESTATE, ENOMEM. */
int zone_set_keep(zone_set *set, const zone_set *old, const char *origin);

/* Number of zones, and zone `index` (0 .. count-1) for listing them. */
size_t zone_set_count(const zone_set *set);
const struct zone *zone_set_zone(const zone_set *set, size_t index);

/* The zone whose apex is the deepest at or above `name` (a wire name), or NULL. */
const struct zone *zone_set_find(const zone_set *set, const uint8_t *name);

/* The zone whose apex is exactly `apex`, or NULL. */
const struct zone *zone_set_find_exact(const zone_set *set, const uint8_t *apex);

#endif
