/* Load-time checks of a whole zone (zone.h).  Severities follow the stricter of NSD
 * and BIND where a zone would otherwise be served wrongly:
 *   errors:   no SOA or more than one at the apex, SOA below the apex, no NS at the
 *             apex (BIND refuses such a zone; NSD loads it), CNAME beside other data
 *             or more than one CNAME (RFC 1034 §3.6.2, RFC 2181 §10.1; RRSIG and NSEC
 *             may sit beside a CNAME, RFC 4035 §2.5), more than one DNAME, data below
 *             a DNAME (RFC 6672 §2.3; NSD refuses it too);
 *   warnings: data below a zone cut other than glue addresses, and data at a cut other
 *             than NS, DS, RRSIG, NSEC and glue (occluded: never served; NSD and BIND
 *             load such zones), NS targets inside the zone without addresses (missing
 *             glue below a cut). */
#include <stdio.h>

#include <owndns/name.h>
#include <owndns/rdata.h>

#include "zone.h"

typedef struct where {
	uint16_t file;
	unsigned line;
} where;

static const char *owner_text(const uint8_t *name, char *out, size_t size)
{
	if (owndns_name_to_text(name, out, size) < 0)
		snprintf(out, size, "(name)");
	return out;
}

static const char *type_text(uint16_t type, char *out, size_t size)
{
	owndns_type_to_text(type, out, size);
	return out;
}

static where first_record(const zone_rrset *s)
{
	where w = { s->rdata->file, s->rdata->line };
	return w;
}

static where later(where a, where b)
{
	if (a.file != b.file)
		return a.file > b.file ? a : b;
	return a.line > b.line ? a : b;
}

static where nth_record(const zone_rrset *s, unsigned n)
{
	const zone_rdata *d = s->rdata;
	while (n-- > 0 && d->next)
		d = d->next;
	where w = { d->file, d->line };
	return w;
}

static void check_apex(zone *z)
{
	char apex[OWNDNS_NAME_TEXT_MAX];
	const zone_node *n = zone_apex(z);
	const zone_rrset *soa = zone_node_rrset(n, OWNDNS_TYPE_SOA);
	owner_text(zone_apex_name(z), apex, sizeof apex);
	if (!soa) {
		zone_report(z, OWNDNS_ZONE_ERROR, 0, 0, "no SOA record at the zone apex %s", apex);
	} else if (soa->count > 1) {
		where w = nth_record(soa, 1);
		zone_report(z, OWNDNS_ZONE_ERROR, w.file, w.line,
			    "more than one SOA record at the zone apex %s", apex);
	}
	if (!zone_node_rrset(n, OWNDNS_TYPE_NS))
		zone_report(z, OWNDNS_ZONE_ERROR, 0, 0,
			    "no NS records at the zone apex %s (RFC 1034 §4.2.1)", apex);
}

/* RRSIG and NSEC may share a name with a CNAME (RFC 4035 §2.5). */
static bool may_sit_beside_cname(uint16_t type)
{
	return type == OWNDNS_TYPE_CNAME || type == OWNDNS_TYPE_RRSIG || type == OWNDNS_TYPE_NSEC;
}

static void check_cname(zone *z, const zone_node *n, const zone_rrset *cname)
{
	char owner[OWNDNS_NAME_TEXT_MAX];
	owner_text(n->owner, owner, sizeof owner);
	if (cname->count > 1) {
		where w = nth_record(cname, 1);
		zone_report(z, OWNDNS_ZONE_ERROR, w.file, w.line, "more than one CNAME at %s",
			    owner);
	}
	for (const zone_rrset *s = n->rrsets; s; s = s->next) {
		if (may_sit_beside_cname(s->type))
			continue;
		where w = later(first_record(cname), first_record(s));
		zone_report(z, OWNDNS_ZONE_ERROR, w.file, w.line,
			    "CNAME and other data at %s (RFC 1034 §3.6.2)", owner);
		return;
	}
}

static void check_rrsets(zone *z, const zone_node *n)
{
	char owner[OWNDNS_NAME_TEXT_MAX], apex[OWNDNS_NAME_TEXT_MAX];
	for (const zone_rrset *s = n->rrsets; s; s = s->next) {
		if (s->type == OWNDNS_TYPE_CNAME) {
			check_cname(z, n, s);
		} else if (s->type == OWNDNS_TYPE_SOA && n->parent) {
			where w = first_record(s);
			zone_report(z, OWNDNS_ZONE_ERROR, w.file, w.line,
				    "SOA record at %s, which is not the zone apex %s",
				    owner_text(n->owner, owner, sizeof owner),
				    owner_text(zone_apex_name(z), apex, sizeof apex));
		} else if (s->type == OWNDNS_TYPE_DNAME && s->count > 1) {
			where w = nth_record(s, 1);
			zone_report(z, OWNDNS_ZONE_ERROR, w.file, w.line,
				    "more than one DNAME at %s (RFC 6672 §2.4)",
				    owner_text(n->owner, owner, sizeof owner));
		}
	}
}

/* The nearest ancestor that hides `n`: a DNAME owner or a zone cut. */
static const zone_node *occluding_ancestor(const zone_node *n, bool *by_dname)
{
	for (const zone_node *p = n->parent; p; p = p->parent) {
		*by_dname = zone_node_rrset(p, OWNDNS_TYPE_DNAME) != NULL;
		if (*by_dname || (p->flags & ZONE_NODE_DELEGATION))
			return p;
	}
	return NULL;
}

static bool is_address(uint16_t type)
{
	return type == OWNDNS_TYPE_A || type == OWNDNS_TYPE_AAAA;
}

static void check_occluded(zone *z, const zone_node *n)
{
	char owner[OWNDNS_NAME_TEXT_MAX], cut[OWNDNS_NAME_TEXT_MAX], type[OWNDNS_TYPE_TEXT_MAX];
	bool by_dname = false;
	const zone_node *top = occluding_ancestor(n, &by_dname);
	if (!top)
		return;
	owner_text(n->owner, owner, sizeof owner);
	owner_text(top->owner, cut, sizeof cut);
	if (by_dname) {
		where w = first_record(n->rrsets);
		zone_report(z, OWNDNS_ZONE_ERROR, w.file, w.line,
			    "%s is below the DNAME at %s (RFC 6672 §2.3)", owner, cut);
		return;
	}
	for (const zone_rrset *s = n->rrsets; s; s = s->next) {
		if (is_address(s->type))
			continue;
		where w = first_record(s);
		zone_report(z, OWNDNS_ZONE_WARNING, w.file, w.line,
			    "%s %s is below the delegation at %s: occluded, not served", owner,
			    type_text(s->type, type, sizeof type), cut);
	}
}

/* At a zone cut only NS, DS, NSEC, RRSIG and glue belong (RFC 4035 §2.2, RFC 4034 §5). */
static void check_delegation_point(zone *z, const zone_node *n)
{
	char owner[OWNDNS_NAME_TEXT_MAX], type[OWNDNS_TYPE_TEXT_MAX];
	for (const zone_rrset *s = n->rrsets; s; s = s->next) {
		uint16_t t = s->type;
		if (t == OWNDNS_TYPE_NS || t == OWNDNS_TYPE_DS || t == OWNDNS_TYPE_NSEC ||
		    t == OWNDNS_TYPE_RRSIG || is_address(t))
			continue;
		where w = first_record(s);
		zone_report(z, OWNDNS_ZONE_WARNING, w.file, w.line,
			    "%s %s at the delegation point %s: occluded, not served",
			    owner_text(n->owner, owner, sizeof owner),
			    type_text(t, type, sizeof type), owner);
	}
}

static bool has_address(const zone_node *n)
{
	return n && (zone_node_rrset(n, OWNDNS_TYPE_A) || zone_node_rrset(n, OWNDNS_TYPE_AAAA));
}

/* True when `name` is at or below a zone cut of the zone: its address is glue. */
static bool below_cut(const zone *z, const uint8_t *name)
{
	for (const zone_node *n = zone_find_closest(z, name); n; n = n->parent)
		if (n->flags & ZONE_NODE_DELEGATION)
			return true;
	return false;
}

static void check_ns_targets(zone *z, const zone_node *n, const zone_rrset *ns)
{
	char owner[OWNDNS_NAME_TEXT_MAX], target[OWNDNS_NAME_TEXT_MAX];
	for (const zone_rdata *d = ns->rdata; d; d = d->next) {
		const uint8_t *t = d->data;
		if (!owndns_name_is_subdomain(t, zone_apex_name(z)) || has_address(zone_find(z, t)))
			continue;
		owner_text(t, target, sizeof target);
		owner_text(n->owner, owner, sizeof owner);
		if (below_cut(z, t))
			zone_report(z, OWNDNS_ZONE_WARNING, d->file, d->line,
				    "no glue address (A/AAAA) for %s, name server of %s", target,
				    owner);
		else
			zone_report(z, OWNDNS_ZONE_WARNING, d->file, d->line,
				    "name server %s of %s has no address (A/AAAA) in the zone",
				    target, owner);
	}
}

static void check_node(zone *z, const zone_node *n)
{
	if (!n->rrsets)
		return;
	if (n->flags & ZONE_NODE_OCCLUDED) {
		check_occluded(z, n);
		return;
	}
	check_rrsets(z, n);
	if (n->flags & ZONE_NODE_DELEGATION)
		check_delegation_point(z, n);
	const zone_rrset *ns = zone_node_rrset(n, OWNDNS_TYPE_NS);
	if (ns)
		check_ns_targets(z, n, ns);
}

unsigned zone_check(zone *z)
{
	zone_stats before, after;
	zone_finish(z);
	zone_get_stats(z, &before);
	check_apex(z);
	for (size_t i = 0; i < zone_node_count(z); i++)
		check_node(z, zone_node_at(z, i));
	zone_get_stats(z, &after);
	return after.errors - before.errors;
}
