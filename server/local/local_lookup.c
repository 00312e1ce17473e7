/* Answering from local data: the rules of local_data.h, a CNAME chain inside the
 * local data, and the result written into a message or an answer_plan.
 * Names are kept sorted in the canonical order of RFC 4034 §6.1 (for building); a
 * lookup walks the tree of local_index.c instead, one probe per label from the top,
 * which also finds empty non-terminals and rejects a name under no local name after
 * its top label. */
#include <stdlib.h>
#include <string.h>

#include <owndns/name.h>
#include <owndns/rdata.h>

#include "local_internal.h"

/* Position of the first name >= `name` in ld->names. */
static size_t lower_bound(const local_data *ld, const uint8_t *name)
{
	size_t lo = 0, hi = ld->name_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (owndns_name_compare(ld->names[mid].owner, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long local_find_name(const local_data *ld, const uint8_t *name)
{
	size_t at = lower_bound(ld, name);
	if (at < ld->name_count && owndns_name_compare(ld->names[at].owner, name) == 0)
		return (long)at;
	return -1;
}

static const zone_rrset *find_rrset(const local_name *n, uint16_t type)
{
	for (const zone_rrset *s = n->rrsets; s; s = s->next)
		if (s->type == type)
			return s;
	return NULL;
}

static void add_answer(local_result *res, const uint8_t *owner, const zone_rrset *rrset)
{
	res->answer[res->answer_count].owner = owner;
	res->answer[res->answer_count].rrset = rrset;
	res->answer_count++;
}

static local_status negative(local_result *res, local_status status, const local_name *apex)
{
	res->status = status;
	if (apex) {
		res->soa_owner = apex->owner;
		res->soa = find_rrset(apex, OWNDNS_TYPE_SOA);
	}
	return status;
}

/* True when `name` is already the owner of an answer RRset: a CNAME loop. */
static bool in_answer(const local_result *res, const uint8_t *name)
{
	for (unsigned i = 0; i < res->answer_count; i++)
		if (owndns_name_equal(res->answer[i].owner, name))
			return true;
	return false;
}

/* RFC 4035 §3.1.4.1: DS sits on the parent side of a zone cut, and a recursive server
 * gets it from the parent.  So a DS question at a built-in apex (without user DS there)
 * is answered by the zone above, or asked upstream when no built-in zone holds the
 * parent (Unbound looks its local zones up from the parent for DS too).  Only the
 * apex itself: below localhost, the redirected names keep their own answers. */
static bool ds_at_builtin_apex(const local_name *node, uint16_t qtype)
{
	return qtype == OWNDNS_TYPE_DS && node && (node->flags & LOCAL_NAME_APEX) &&
	       !find_rrset(node, OWNDNS_TYPE_DS);
}

static local_status ds_from_parent(const local_data *ld, const uint8_t *name,
				   local_result *res)
{
	local_match up;
	local_index_match(ld, owndns_name_parent(name), &up);
	if (up.apex)
		return negative(res, LOCAL_NODATA, up.apex);
	if (res->answer_count > 0) {
		res->status = LOCAL_ANSWER; /* the chain leaves the local data */
		res->chain_target = name;
		return LOCAL_ANSWER;
	}
	return LOCAL_NOT_LOCAL;
}

/* RFC 1034 §4.3.2 step 3a: at a name with a CNAME, a type other than CNAME (or ANY,
 * which matches it) follows the CNAME.  RFC 2181 §10.1 allows no other data beside a
 * CNAME, but local data is not checked as a zone is: a CNAME added beside other data
 * wins, as in Unbound.  RRSIG and NSEC may sit beside a CNAME (RFC 4035 §2.5) and are
 * answered themselves when present. */
static bool answers_own_type(uint16_t qtype)
{
	return qtype == OWNDNS_TYPE_CNAME || qtype == OWNDNS_TYPE_ANY ||
	       qtype == OWNDNS_TYPE_RRSIG || qtype == OWNDNS_TYPE_NSEC;
}

local_status local_lookup(const local_data *ld, const uint8_t *qname, uint16_t qtype,
			  local_result *res)
{
	const uint8_t *name = qname;

	/* Only what every result sets: answer[] is read up to answer_count. */
	res->status = LOCAL_NOT_LOCAL;
	res->answer_count = 0;
	res->soa_owner = NULL;
	res->soa = NULL;
	res->chain_target = NULL;
	/* No index: local_data_finish failed, and the caller was told. */
	if (!ld || !ld->finished || !ld->index.nodes)
		return LOCAL_NOT_LOCAL;
	for (;;) {
		local_match m;
		local_index_match(ld, name, &m);
		const local_name *apex = m.apex;
		const local_name *node = m.node;

		if (ds_at_builtin_apex(node, qtype))
			return ds_from_parent(ld, name, res);
		if (!node && apex && (apex->flags & LOCAL_NAME_REDIRECT))
			node = apex; /* RFC 6761 §6.3: below localhost is localhost */
		if (!node) {
			if (res->answer_count > 0 && !apex) {
				/* The chain leaves the local data. */
				res->status = LOCAL_ANSWER;
				res->chain_target = name;
				return LOCAL_ANSWER;
			}
			if (!apex)
				return LOCAL_NOT_LOCAL;
			if (m.has_descendant)
				return negative(res, LOCAL_NODATA, apex);
			return negative(res, LOCAL_NXDOMAIN, apex);
		}
		const zone_rrset *cname = find_rrset(node, OWNDNS_TYPE_CNAME);
		if (!cname || !cname->rdata || answers_own_type(qtype)) {
			const zone_rrset *rrset = find_rrset(node, qtype);
			if (qtype == OWNDNS_TYPE_ANY)
				rrset = cname ? cname : node->rrsets;
			if (rrset) {
				add_answer(res, name, rrset);
				res->status = LOCAL_ANSWER;
				return LOCAL_ANSWER;
			}
			if (!cname || !cname->rdata)
				return negative(res, LOCAL_NODATA, apex);
		}
		add_answer(res, name, cname);
		const uint8_t *target = cname->rdata->data;
		/* A loop or an over-long chain ends the answer with what it has, as the
		 * authoritative lookup does. */
		if (res->answer_count > LOCAL_CHAIN_MAX || in_answer(res, target)) {
			res->status = LOCAL_ANSWER;
			return LOCAL_ANSWER;
		}
		name = target;
	}
}

unsigned local_result_rcode(const local_result *res)
{
	return res->status == LOCAL_NXDOMAIN ? OWNDNS_RCODE_NXDOMAIN : OWNDNS_RCODE_NOERROR;
}

/* ---- Writing ----------------------------------------------------------------------- */

static answer_entry entry_of(const uint8_t *owner, const zone_rrset *rrset, bool negative_soa)
{
	answer_entry e;
	memset(&e, 0, sizeof(e));
	e.owner = owner;
	e.type = rrset->type;
	e.rrset = rrset;
	e.negative_soa = negative_soa;
	e.required = true;
	return e;
}

void local_result_to_plan(const local_result *res, answer_plan *plan)
{
	answer_plan_reset(plan);
	plan->rcode = local_result_rcode(res);
	plan->authoritative = true;
	for (unsigned i = 0; i < res->answer_count && i < ANSWER_SECTION_MAX; i++)
		plan->part[ANSWER_PART_ANSWER][plan->count[ANSWER_PART_ANSWER]++] =
			entry_of(res->answer[i].owner, res->answer[i].rrset, false);
	if (res->soa)
		plan->part[ANSWER_PART_AUTHORITY][plan->count[ANSWER_PART_AUTHORITY]++] =
			entry_of(res->soa_owner, res->soa, true);
}

/* Writes an RRset whole, or leaves the writer as it was. */
static int write_entry(owndns_msg_writer *w, owndns_section section, const answer_entry *e)
{
	owndns_msg_writer before = *w;
	const void *cursor = NULL;
	owndns_rr rr;
	while (answer_entry_next(e, &cursor, &rr)) {
		int rc = owndns_writer_rr(w, section, &rr);
		if (rc) {
			*w = before;
			return rc;
		}
	}
	return OWNDNS_OK;
}

int local_result_write(const local_result *res, owndns_msg_writer *w)
{
	if (res->status == LOCAL_NOT_LOCAL)
		return OWNDNS_EINVAL;
	owndns_header *h = owndns_writer_header(w);
	owndns_header_set_rcode(h, local_result_rcode(res));
	owndns_header_set_flag(h, OWNDNS_FLAG_AA, true);
	for (unsigned i = 0; i < res->answer_count; i++) {
		answer_entry e = entry_of(res->answer[i].owner, res->answer[i].rrset, false);
		int rc = write_entry(w, OWNDNS_SECTION_ANSWER, &e);
		if (rc)
			return rc;
	}
	if (res->soa) {
		answer_entry e = entry_of(res->soa_owner, res->soa, true);
		return write_entry(w, OWNDNS_SECTION_AUTHORITY, &e);
	}
	return OWNDNS_OK;
}
