/* A set of authoritative zones (zone_set.h).  Zones are shared between the set being
 * served and the one a reload builds (zone_set_keep), so each is held through a small
 * reference count.  Sets are built and freed by the daemon's control thread only, so
 * the count needs no atomics; answering threads never touch it. */
#include "zone_set.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <owndns/error.h>
#include <owndns/name.h>
#include <owndns/rdata.h>

#include "zone.h"

/* Forwards the zone loader's errors and warnings to the set's reporter (notes, such as
 * merged duplicates, are not problems). */
typedef struct report_forward {
	zone_set_report_fn report;
	void *arg;
} report_forward;

/* The forwarder lives with the zone, which keeps a pointer to it; once loading is over
 * it is switched off, since the caller's reporter may be gone. */
typedef struct shared_zone {
	zone *zone;
	unsigned refs;
	report_forward forward;
} shared_zone;

struct zone_set {
	shared_zone **zones;
	size_t count, cap;
};

static void forward_report(void *ctx, owndns_zone_severity severity, const char *file,
			   unsigned line, const char *message)
{
	const report_forward *f = ctx;
	if (f->report && severity != OWNDNS_ZONE_NOTE)
		f->report(f->arg, file ? file : "", line, message);
}

zone_set *zone_set_new(void)
{
	return calloc(1, sizeof(zone_set));
}

static void shared_zone_release(shared_zone *s)
{
	if (--s->refs == 0) {
		zone_free(s->zone);
		free(s);
	}
}

void zone_set_free(zone_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->count; i++)
		shared_zone_release(set->zones[i]);
	free(set->zones);
	free(set);
}

size_t zone_set_count(const zone_set *set)
{
	return set ? set->count : 0;
}

const zone *zone_set_zone(const zone_set *set, size_t index)
{
	return set && index < set->count ? set->zones[index]->zone : NULL;
}

const zone *zone_set_find_exact(const zone_set *set, const uint8_t *apex)
{
	for (size_t i = 0; set && i < set->count; i++)
		if (owndns_name_equal(zone_apex_name(set->zones[i]->zone), apex))
			return set->zones[i]->zone;
	return NULL;
}

/* The number of zones is small (a handful on a home server, a few thousand at most),
 * so a scan is enough; the deepest apex that is an ancestor of the name wins. */
const zone *zone_set_find(const zone_set *set, const uint8_t *name)
{
	const zone *best = NULL;
	int best_labels = -1;
	for (size_t i = 0; set && i < set->count; i++) {
		const zone *z = set->zones[i]->zone;
		const uint8_t *apex = zone_apex_name(z);
		int labels = owndns_name_label_count(apex);
		if (labels > best_labels && owndns_name_is_subdomain(name, apex)) {
			best = z;
			best_labels = labels;
		}
	}
	return best;
}

static int origin_from_text(const char *origin, uint8_t *apex)
{
	size_t len;
	if (!origin || !*origin)
		return OWNDNS_EINVAL;
	/* No origin to append: "example.com" and "example.com." are the same zone. */
	if (owndns_name_from_text(origin, strlen(origin), NULL, apex, &len))
		return OWNDNS_EINVAL;
	return OWNDNS_OK;
}

static int set_append(zone_set *set, shared_zone *s)
{
	if (set->count == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 8;
		shared_zone **grown = realloc(set->zones, cap * sizeof(*grown));
		if (!grown)
			return OWNDNS_ENOMEM;
		set->zones = grown;
		set->cap = cap;
	}
	set->zones[set->count++] = s;
	s->refs++;
	return OWNDNS_OK;
}

int zone_set_load(zone_set *set, const char *origin, const char *path,
		  zone_set_report_fn report, void *arg)
{
	uint8_t apex[OWNDNS_NAME_MAX];
	int rc = origin_from_text(origin, apex);
	if (rc)
		return rc;
	if (zone_set_find_exact(set, apex))
		return OWNDNS_ESTATE;
	shared_zone *s = calloc(1, sizeof(*s));
	if (!s)
		return OWNDNS_ENOMEM;
	s->forward.report = report;
	s->forward.arg = arg;
	s->zone = zone_new(apex, OWNDNS_CLASS_IN, forward_report, &s->forward);
	if (!s->zone) {
		free(s);
		return OWNDNS_ENOMEM;
	}
	rc = zone_load_file(s->zone, path, NULL);
	s->forward.report = NULL;
	if (rc == OWNDNS_OK)
		rc = set_append(set, s);
	if (rc) {
		zone_free(s->zone);
		free(s);
	}
	return rc;
}

int zone_set_keep(zone_set *set, const zone_set *old, const char *origin)
{
	uint8_t apex[OWNDNS_NAME_MAX];
	int rc = origin_from_text(origin, apex);
	if (rc)
		return rc;
	if (zone_set_find_exact(set, apex))
		return OWNDNS_ESTATE;
	for (size_t i = 0; old && i < old->count; i++)
		if (owndns_name_equal(zone_apex_name(old->zones[i]->zone), apex))
			return set_append(set, old->zones[i]);
	return OWNDNS_ENOTFOUND;
}
