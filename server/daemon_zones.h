/* Loading the zones of zone=ORIGIN:PATH into a zone_set (server/auth/zone_set.h), at
 * start-up and on reload.  The only daemon file that knows the zone_set API.
 *   - start-up (old == NULL): every zone must load; each problem is logged as
 *     "FILE:LINE: problem" and the load fails as a whole.
 *   - reload (old != NULL): a zone whose file fails to load keeps the version in `old`
 *     (its problems and "zone X: kept the previous version" are logged); the others are
 *     replaced by what their files hold now. */
#ifndef OWNDNS_SERVER_DAEMON_ZONES_H
#define OWNDNS_SERVER_DAEMON_ZONES_H

#include <stddef.h>

#include "log.h"

struct zone_set;

typedef struct daemon_zone_config {
	const char *origin; /* presentation form, as given */
	const char *path;
} daemon_zone_config;

/* Builds a new set of the configured zones (see above).  Returns 0 with *out set (the
 * caller frees it with daemon_zones_free), or a negative owndns status when the set
 * could not be built; the problems are logged. */
int daemon_zones_load(const daemon_zone_config *zones, size_t count,
		      const struct zone_set *old, const server_log *log, struct zone_set **out);

void daemon_zones_free(struct zone_set *set);

#endif
