/* The authoritative lookup (answer.h).  One step answers one name in one zone; CNAMEs
 * and DNAMEs start another step with the new name, in whichever served zone holds it.
 * The order of the checks inside a step follows RFC 1034 §4.3.2: a zone cut or a DNAME
 * above the name wins over anything at or below it; then the exact name; then the
 * wildcard of the closest encloser (RFC 4592 §3.3.1); then NXDOMAIN. */
#include "answer.h"

#include <string.h>

#include <owndns/message.h>
#include <owndns/rdata.h>

#include "zone.h"
#include "zone_set.h"

/* Offsets of the target name inside the RDATA of types with additional processing. */
#define MX_TARGET_OFFSET 2   /* RFC 1035 §3.3.9: PREFERENCE, EXCHANGE */
#define SRV_TARGET_OFFSET 6  /* RFC 2782: priority, weight, port, target */
/* SOA RDATA ends with SERIAL REFRESH RETRY EXPIRE MINIMUM, 32 bits each. */
#define SOA_MINIMUM_FROM_END 4
#define SOA_FIXED_TAIL 20

typedef struct lookup {
	const zone_set *zones;
	uint16_t qtype;
	answer_plan *plan;
	const zone *zone;    /* zone of the current step */
	unsigned steps;      /* CNAME and DNAME steps followed so far */
} lookup;

/* A name whose addresses go to the additional section. */
typedef struct additional_target {
	const uint8_t *owner;
	const zone_node *node; /* the name's node, or the wildcard that stands for it */
	bool required;
} additional_target;

enum step_result { STEP_DONE, STEP_FOLLOW };

/* ---- Plan -------------------------------------------------------------------------- */

static bool plan_add(answer_plan *plan, enum answer_part part, const answer_entry *e)
{
	if (plan->count[part] >= ANSWER_SECTION_MAX)
		return false;
	plan->part[part][plan->count[part]++] = *e;
	return true;
}

/* True when the RRset is already in the plan under the same owner: NSD's test for a
 * CNAME or DNAME loop, and the rule that a response carries an RRset once. */
static bool plan_has(const answer_plan *plan, const zone_rrset *rrset, const uint8_t *owner)
{
	for (int p = 0; p < ANSWER_PART_COUNT; p++)
		for (unsigned i = 0; i < plan->count[p]; i++) {
			const answer_entry *e = &plan->part[p][i];
			if (e->rrset == rrset && owndns_name_equal(e->owner, owner))
				return true;
		}
	return false;
}

static bool add_rrset(lookup *lk, enum answer_part part, const uint8_t *owner,
		      const zone_rrset *rrset, bool required)
{
	answer_entry e;
	if (plan_has(lk->plan, rrset, owner))
		return false;
	memset(&e, 0, sizeof(e));
	e.owner = owner;
	e.type = rrset->type;
	e.rrset = rrset;
	e.required = required;
	return plan_add(lk->plan, part, &e);
}

/* ---- Names ------------------------------------------------------------------------- */

/* The ancestor of `name` (or name itself) with `labels` labels, as a pointer into it:
 * the owner of a cut or DNAME above the query name, in the query's case. */
static const uint8_t *name_suffix(const uint8_t *name, int labels)
{
	int drop = owndns_name_label_count(name) - labels;
	while (drop-- > 0 && name)
		name = owndns_name_parent(name);
	return name;
}

/* "*." + encloser into buf (OWNDNS_NAME_MAX octets); false when too long. */
static bool wildcard_name(const uint8_t *encloser, uint8_t *buf)
{
	size_t len = owndns_name_length(encloser);
	if (len + 2 > OWNDNS_NAME_MAX)
		return false;
	buf[0] = 1;
	buf[1] = '*';
	memcpy(buf + 2, encloser, len);
	return true;
}

/* The node that answers for `name` when it does not exist: the wildcard child of its
 * closest encloser, or NULL. */
static const zone_node *wildcard_for(const zone *z, const zone_node *closest)
{
	uint8_t wild[OWNDNS_NAME_MAX];
	if (!closest || !wildcard_name(closest->owner, wild))
		return NULL;
	return zone_find(z, wild);
}

/* ---- Zones ------------------------------------------------------------------------- */

/* The zone that answers for `name`: the deepest served apex, except that a DS query
 * for an apex goes to the parent zone when it is served here too (RFC 4035 §3.1.4.1:
 * the DS RRset lives on the parent side of the cut). */
static const zone *zone_for(const lookup *lk, const uint8_t *name)
{
	const zone *z = zone_set_find(lk->zones, name);
	if (z && lk->qtype == OWNDNS_TYPE_DS && owndns_name_equal(name, zone_apex_name(z))) {
		const uint8_t *parent = owndns_name_parent(name);
		const zone *pz = parent ? zone_set_find(lk->zones, parent) : NULL;
		if (pz)
			z = pz;
	}
	return z;
}

/* ---- Negative answers -------------------------------------------------------------- */

/* RFC 2308 §3: the zone's SOA in the authority section; its TTL is lowered to MINIMUM
 * when writing (answer_entry_next). */
static void add_negative_soa(lookup *lk)
{
	const zone_rrset *soa = zone_node_rrset(zone_apex(lk->zone), OWNDNS_TYPE_SOA);
	answer_entry e;
	if (!soa)
		return;
	memset(&e, 0, sizeof(e));
	e.owner = zone_apex_name(lk->zone);
	e.type = OWNDNS_TYPE_SOA;
	e.rrset = soa;
	e.negative_soa = true;
	e.required = true;
	plan_add(lk->plan, ANSWER_PART_AUTHORITY, &e);
}

static enum step_result answer_nodata(lookup *lk)
{
	add_negative_soa(lk);
	return STEP_DONE;
}

/* RFC 6604: after a CNAME chain the rcode is that of the last name. */
static enum step_result answer_nxdomain(lookup *lk)
{
	lk->plan->rcode = OWNDNS_RCODE_NXDOMAIN;
	add_negative_soa(lk);
	return STEP_DONE;
}

/* ---- Additional section ------------------------------------------------------------ */

/* Finds the node holding `target`'s addresses in the current zone (a wildcard stands in
 * for a missing name, as NSD does).  Names below a zone cut are glue: used only when
 * allow_glue (NS targets, RFC 1034 §4.3.2 step 3b), not for MX/SRV. */
static const zone_node *additional_node(const lookup *lk, const uint8_t *target,
					bool allow_glue)
{
	const zone_node *n = zone_find(lk->zone, target);
	if (!n)
		n = wildcard_for(lk->zone, zone_find_closest(lk->zone, target));
	if (!n)
		return NULL;
	if (!allow_glue && (n->flags & (ZONE_NODE_DELEGATION | ZONE_NODE_OCCLUDED)))
		return NULL;
	return n;
}

/* Collects the names in `rrset`'s RDATA (at `offset`) into targets[], skipping names
 * outside the zone and names already listed.  `cut`: for a referral, the cut whose
 * in-domain glue is required. */
static unsigned collect_targets(const lookup *lk, const zone_rrset *rrset, size_t offset,
				bool allow_glue, const uint8_t *cut, additional_target *targets,
				unsigned count, unsigned max)
{
	for (const zone_rdata *d = rrset->rdata; d && count < max; d = d->next) {
		if (d->len <= offset)
			continue;
		const uint8_t *target = d->data + offset;
		if (!owndns_name_is_subdomain(target, zone_apex_name(lk->zone)))
			continue;
		bool seen = false;
		for (unsigned i = 0; i < count && !seen; i++)
			seen = owndns_name_equal(targets[i].owner, target);
		const zone_node *n = seen ? NULL : additional_node(lk, target, allow_glue);
		if (!n)
			continue;
		targets[count].owner = target;
		targets[count].node = n;
		targets[count].required = cut && owndns_name_is_subdomain(target, cut);
		count++;
	}
	return count;
}

static size_t target_offset(uint16_t type)
{
	switch (type) {
	case OWNDNS_TYPE_MX:
		return MX_TARGET_OFFSET;
	case OWNDNS_TYPE_SRV:
		return SRV_TARGET_OFFSET;
	default:
		return 0;
	}
}

static bool has_additional_processing(uint16_t type)
{
	return type == OWNDNS_TYPE_NS || type == OWNDNS_TYPE_MX || type == OWNDNS_TYPE_SRV;
}

/* Adds the A RRsets of every target, then the AAAA RRsets (NSD's order, which decides
 * what is left out first when the packet is full). */
static void add_addresses(lookup *lk, const additional_target *targets, unsigned count)
{
	static const uint16_t types[] = { OWNDNS_TYPE_A, OWNDNS_TYPE_AAAA };
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		for (unsigned i = 0; i < count; i++) {
			const zone_rrset *s = zone_node_rrset(targets[i].node, types[t]);
			if (s)
				add_rrset(lk, ANSWER_PART_ADDITIONAL, targets[i].owner, s,
					  targets[i].required);
		}
}

/* Additional processing for the RRsets of the answer and authority sections that were
 * added from index `first_answer` / `first_authority` on. */
static void add_additional(lookup *lk, unsigned first_answer, unsigned first_authority,
			   const uint8_t *cut)
{
	additional_target targets[ANSWER_SECTION_MAX];
	unsigned count = 0;
	const answer_plan *plan = lk->plan;
	const unsigned first[2] = { first_answer, first_authority };

	for (int p = ANSWER_PART_ANSWER; p <= ANSWER_PART_AUTHORITY; p++)
		for (unsigned i = first[p]; i < plan->count[p]; i++) {
			const answer_entry *e = &plan->part[p][i];
			if (!e->rrset || !has_additional_processing(e->type))
				continue;
			count = collect_targets(lk, e->rrset, target_offset(e->type),
						e->type == OWNDNS_TYPE_NS, cut, targets, count,
						ANSWER_SECTION_MAX);
		}
	add_addresses(lk, targets, count);
}

/* ---- Positive answers, referrals ---------------------------------------------------- */

static enum step_result answer_positive(lookup *lk, const uint8_t *owner, const zone_rrset *rrset)
{
	unsigned first_answer = lk->plan->count[ANSWER_PART_ANSWER];
	unsigned first_authority = lk->plan->count[ANSWER_PART_AUTHORITY];

	add_rrset(lk, ANSWER_PART_ANSWER, owner, rrset, true);
	/* The zone's NS RRset in authority, as NSD does by default, except for the types
	 * whose answers are large anyway (NSD's answer_needs_ns). */
	if (lk->qtype != OWNDNS_TYPE_DS && lk->qtype != OWNDNS_TYPE_DNSKEY) {
		const zone_rrset *ns = zone_node_rrset(zone_apex(lk->zone), OWNDNS_TYPE_NS);
		if (ns)
			add_rrset(lk, ANSWER_PART_AUTHORITY, zone_apex_name(lk->zone), ns, false);
	}
	add_additional(lk, first_answer, first_authority, NULL);
	return STEP_DONE;
}

/* RFC 1034 §4.3.2 step 3b: the cut's NS RRset in authority and its glue in additional.
 * Not authoritative, unless a CNAME of ours led here (NSD keeps AA then). */
static enum step_result answer_referral(lookup *lk, const zone_node *cut, const uint8_t *sname)
{
	const zone_rrset *ns = zone_node_rrset(cut, OWNDNS_TYPE_NS);
	const uint8_t *owner = name_suffix(sname, owndns_name_label_count(cut->owner));
	unsigned first_authority = lk->plan->count[ANSWER_PART_AUTHORITY];

	if (lk->steps == 0)
		lk->plan->authoritative = false;
	if (!ns || !owner)
		return STEP_DONE;
	add_rrset(lk, ANSWER_PART_AUTHORITY, owner, ns, true);
	add_additional(lk, lk->plan->count[ANSWER_PART_ANSWER], first_authority, owner);
	return STEP_DONE;
}

/* RFC 8482 §4.1: ANY gets one RRset, not all of them.  We give the first one of the zone
 * file (a zone lists its RRsets newest first), never an RRSIG. */
static const zone_rrset *any_choice(const zone_node *node)
{
	const zone_rrset *choice = NULL;
	for (const zone_rrset *s = node->rrsets; s; s = s->next)
		if (s->type != OWNDNS_TYPE_RRSIG)
			choice = s;
	return choice;
}

/* Follows a CNAME unless it is already in the answer (a loop) or the chain is at its
 * limit; both end the answer there, as NSD does. */
static enum step_result follow_cname(lookup *lk, const uint8_t *owner, const zone_rrset *cname,
				     const uint8_t **next)
{
	if (!cname->rdata || !add_rrset(lk, ANSWER_PART_ANSWER, owner, cname, true))
		return STEP_DONE;
	if (++lk->steps > ANSWER_CHAIN_MAX)
		return STEP_DONE;
	*next = cname->rdata->data;
	return STEP_FOLLOW;
}

/* The name exists (or a wildcard stands for it, then owner is the query name). */
static enum step_result answer_node(lookup *lk, const zone_node *node, const uint8_t *owner,
				    const uint8_t **next)
{
	if (lk->qtype == OWNDNS_TYPE_ANY) {
		const zone_rrset *any = any_choice(node);
		if (!any)
			return answer_nodata(lk);
		unsigned first = lk->plan->count[ANSWER_PART_ANSWER];
		add_rrset(lk, ANSWER_PART_ANSWER, owner, any, true);
		add_additional(lk, first, lk->plan->count[ANSWER_PART_AUTHORITY], NULL);
		return STEP_DONE;
	}
	const zone_rrset *rrset = zone_node_rrset(node, lk->qtype);
	if (rrset && lk->qtype != OWNDNS_TYPE_RRSIG)
		return answer_positive(lk, owner, rrset);
	const zone_rrset *cname = zone_node_rrset(node, OWNDNS_TYPE_CNAME);
	if (cname)
		return follow_cname(lk, owner, cname, next);
	return answer_nodata(lk);
}

/* RFC 6672 §2.2: DNAME at an ancestor of sname.  The DNAME goes in the answer, then a
 * CNAME from sname to sname with the DNAME's owner replaced by its target, with the
 * DNAME's TTL (§3.3); the lookup goes on with the new name.  YXDOMAIN when the new name
 * would be longer than 255 octets. */
static enum step_result follow_dname(lookup *lk, const zone_node *node, const uint8_t *sname,
				     const uint8_t **next)
{
	answer_plan *plan = lk->plan;
	const zone_rrset *dname = zone_node_rrset(node, OWNDNS_TYPE_DNAME);
	const uint8_t *owner = name_suffix(sname, owndns_name_label_count(node->owner));

	if (!dname->rdata || !owner || !add_rrset(lk, ANSWER_PART_ANSWER, owner, dname, true))
		return STEP_DONE;
	const uint8_t *target = dname->rdata->data;
	size_t prefix = owndns_name_length(sname) - owndns_name_length(owner);
	size_t target_len = owndns_name_length(target);
	if (prefix + target_len > OWNDNS_NAME_MAX) {
		plan->rcode = OWNDNS_RCODE_YXDOMAIN;
		return STEP_DONE;
	}
	if (plan->name_count >= ANSWER_NAMES_MAX || ++lk->steps > ANSWER_CHAIN_MAX)
		return STEP_DONE;
	uint8_t *synthesized = plan->names[plan->name_count++];
	memcpy(synthesized, sname, prefix);
	memcpy(synthesized + prefix, target, target_len);

	answer_entry e;
	memset(&e, 0, sizeof(e));
	e.owner = sname;
	e.type = OWNDNS_TYPE_CNAME;
	e.target = synthesized;
	e.ttl = dname->ttl;
	e.required = true;
	/* A CNAME question is answered by the synthesized CNAME itself. */
	if (!plan_add(plan, ANSWER_PART_ANSWER, &e) || lk->qtype == OWNDNS_TYPE_CNAME)
		return STEP_DONE;
	*next = synthesized;
	return STEP_FOLLOW;
}

/* The highest zone cut or DNAME between the apex and `closest` (the closest encloser of
 * sname): everything below it is occluded, so the highest one decides.  A DNAME
 * redirects only names strictly below its owner; a DS query for the cut's own name is
 * answered from this side of the cut. */
static const zone_node *find_redirection(const lookup *lk, const zone_node *closest, bool exact)
{
	const zone_node *apex = zone_apex(lk->zone);
	const zone_node *found = NULL;
	for (const zone_node *n = closest; n; n = n->parent) {
		bool at_sname = exact && n == closest;
		if (n != apex && (n->flags & ZONE_NODE_DELEGATION) &&
		    !(at_sname && lk->qtype == OWNDNS_TYPE_DS))
			found = n;
		else if (!at_sname && zone_node_rrset(n, OWNDNS_TYPE_DNAME))
			found = n;
	}
	return found;
}

/* One name in the zone that holds it. */
static enum step_result lookup_in_zone(lookup *lk, const uint8_t *sname, const uint8_t **next)
{
	/* A DS query for an apex whose parent is not served here: the child has no DS
	 * to give (RFC 4035 §3.1.4.1), so NODATA from the zone itself. */
	if (lk->qtype == OWNDNS_TYPE_DS && owndns_name_equal(sname, zone_apex_name(lk->zone)))
		return answer_nodata(lk);

	const zone_node *closest = zone_find_closest(lk->zone, sname);
	if (!closest)
		return STEP_DONE;
	bool exact = owndns_name_equal(closest->owner, sname);
	const zone_node *redirect = find_redirection(lk, closest, exact);
	if (redirect) {
		if (redirect != zone_apex(lk->zone) && (redirect->flags & ZONE_NODE_DELEGATION))
			return answer_referral(lk, redirect, sname);
		return follow_dname(lk, redirect, sname, next);
	}
	if (exact)
		return answer_node(lk, closest, sname, next);
	const zone_node *wild = wildcard_for(lk->zone, closest);
	if (wild)
		return answer_node(lk, wild, sname, next);
	return answer_nxdomain(lk);
}

void answer_plan_reset(answer_plan *plan)
{
	/* The entries and names are ~9 KiB that nobody reads beyond the counts: clearing
	 * them cost more than the rest of a lookup that finds no zone. */
	plan->rcode = OWNDNS_RCODE_NOERROR;
	plan->authoritative = false;
	for (int p = 0; p < ANSWER_PART_COUNT; p++)
		plan->count[p] = 0;
	plan->name_count = 0;
}

void answer_lookup(const zone_set *zones, const uint8_t *qname, uint16_t qtype,
		   answer_plan *plan)
{
	lookup lk;
	const uint8_t *sname = qname;

	answer_plan_reset(plan);
	memset(&lk, 0, sizeof(lk));
	lk.zones = zones;
	lk.qtype = qtype;
	lk.plan = plan;
	for (;;) {
		lk.zone = zones ? zone_for(&lk, sname) : NULL;
		if (!lk.zone) {
			/* Not ours at all: REFUSED.  A chain that leaves our zones ends
			 * there; the resolver follows it (RFC 1034 §4.3.2 step 3a). */
			if (lk.steps == 0)
				plan->rcode = OWNDNS_RCODE_REFUSED;
			return;
		}
		if (lk.steps == 0)
			plan->authoritative = true;
		const uint8_t *next = NULL;
		if (lookup_in_zone(&lk, sname, &next) != STEP_FOLLOW)
			return;
		sname = next;
	}
}

/* ---- Records of an entry ----------------------------------------------------------- */

static uint32_t soa_minimum(const zone_rdata *d)
{
	if (d->len < SOA_FIXED_TAIL)
		return 0;
	const uint8_t *p = d->data + d->len - SOA_MINIMUM_FROM_END;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool answer_entry_next(const answer_entry *e, const void **cursor, owndns_rr *rr)
{
	memset(rr, 0, sizeof(*rr));
	rr->owner = e->owner;
	rr->type = e->type;
	rr->rclass = OWNDNS_CLASS_IN;
	if (!e->rrset) {
		/* The synthesized CNAME: one record. */
		if (*cursor)
			return false;
		*cursor = e;
		rr->ttl = e->ttl;
		rr->rdata = e->target;
		rr->rdlen = (uint16_t)owndns_name_length(e->target);
		return true;
	}
	const zone_rdata *d = *cursor ? ((const zone_rdata *)*cursor)->next : e->rrset->rdata;
	if (!d)
		return false;
	*cursor = d;
	rr->ttl = e->rrset->ttl;
	if (e->negative_soa) {
		uint32_t minimum = soa_minimum(d);
		if (minimum < rr->ttl)
			rr->ttl = minimum;
	}
	rr->rdata = d->data;
	rr->rdlen = d->len;
	return true;
}
