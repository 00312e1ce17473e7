/* Zone loading for start-up and reload (daemon_zones.h). */
#include "daemon_zones.h"

#include <stdio.h>
#include <string.h>

#include <owndns/error.h>
#include <owndns/name.h>

#include "auth/zone.h"
#include "auth/zone_set.h"

/* Logs each problem of one zone file as "FILE:LINE: problem". */
typedef struct problem_sink {
	const server_log *log;
	enum log_level level;
	unsigned count;
} problem_sink;

static void log_problem(void *arg, const char *file, unsigned line, const char *message)
{
	problem_sink *sink = arg;
	char text[2048];
	if (line)
		snprintf(text, sizeof(text), "%s:%u: %s", file, line, message);
	else
		snprintf(text, sizeof(text), "%s: %s", file, message);
	log_write_plain(sink->log, sink->level, text);
	sink->count++;
}

static void log_loaded(const zone_set *set, const daemon_zone_config *z, const server_log *log)
{
	uint8_t apex[OWNDNS_NAME_MAX];
	size_t apex_len;
	uint32_t serial;
	const struct zone *loaded = NULL;
	if (owndns_name_from_text(z->origin, strlen(z->origin), NULL, apex, &apex_len) == 0)
		loaded = zone_set_find_exact(set, apex);
	if (loaded && zone_serial(loaded, &serial))
		log_info(log, "zone %s: serial %lu, loaded from %s", z->origin,
			 (unsigned long)serial, z->path);
	else
		log_info(log, "zone %s: loaded from %s", z->origin, z->path);
}

/* Why a zone did not load: the file's problems were logged line by line already. */
static const char *load_failure(int rc)
{
	return rc == OWNDNS_ESYNTAX ? "the problems above" : owndns_strerror(rc);
}

/* Loads one zone into `set`; on reload, falls back to the old version.  Returns 0 when
 * the set holds the zone afterwards. */
static int load_one(zone_set *set, const daemon_zone_config *z, const zone_set *old,
		    const server_log *log)
{
	problem_sink sink = { log, old ? LOG_LEVEL_WARN : LOG_LEVEL_ERROR, 0 };
	int rc = zone_set_load(set, z->origin, z->path, log_problem, &sink);
	if (rc == 0) {
		log_loaded(set, z, log);
		return 0;
	}
	if (!old) {
		log_error(log, "zone %s: %s did not load (%s)", z->origin, z->path,
			  load_failure(rc));
		return rc;
	}
	int kept = zone_set_keep(set, old, z->origin);
	if (kept == 0)
		log_warn(log, "zone %s: %s did not load (%s); still serving the previous version",
			 z->origin, z->path, load_failure(rc));
	else
		log_error(log, "zone %s: %s did not load (%s) and there is no previous version: "
			  "not served", z->origin, z->path, load_failure(rc));
	return kept == OWNDNS_ENOMEM ? kept : 0;
}

int daemon_zones_load(const daemon_zone_config *zones, size_t count, const zone_set *old,
		      const server_log *log, zone_set **out)
{
	zone_set *set = zone_set_new();
	if (!set)
		return OWNDNS_ENOMEM;
	int first_error = 0;
	for (size_t i = 0; i < count; i++) {
		int rc = load_one(set, &zones[i], old, log);
		if (rc && !first_error)
			first_error = rc;
	}
	if (first_error) {
		zone_set_free(set);
		return first_error;
	}
	*out = set;
	return 0;
}

void daemon_zones_free(zone_set *set)
{
	if (set)
		zone_set_free(set);
}
