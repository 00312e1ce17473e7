/* The store of local names: records collected from every source, merged into sorted
 * names with their RRsets by local_data_finish.  See local_data.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <owndns/name.h>
#include <owndns/rdata.h>
#include <owndns/rr.h>

#include "local_internal.h"
#include "text_buf.h"

enum {
	CHUNK_SIZE = 64 * 1024,
	CHUNK_ALIGN = 8,
	/* Unbound's TTL for local-data that gives none. */
	LOCAL_DATA_DEFAULT_TTL = 3600,
};

struct local_chunk {
	local_chunk *next;
	size_t used, cap;
	_Alignas(8) uint8_t data[];
};

void *local_alloc(local_data *ld, size_t size)
{
	size = (size + CHUNK_ALIGN - 1) & ~(size_t)(CHUNK_ALIGN - 1);
	local_chunk *c = ld->chunks;
	if (!c || c->cap - c->used < size) {
		size_t cap = size > CHUNK_SIZE / 4 ? size : CHUNK_SIZE;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		/* A big item gets a chunk of its own behind the current one, which keeps
		 * its free room. */
		if (size > CHUNK_SIZE / 4 && ld->chunks) {
			c->next = ld->chunks->next;
			ld->chunks->next = c;
		} else {
			c->next = ld->chunks;
			ld->chunks = c;
		}
	}
	void *p = c->data + c->used;
	c->used += size;
	return p;
}

static const uint8_t *copy_name(local_data *ld, const uint8_t *name)
{
	size_t len = owndns_name_length(name);
	uint8_t *p = local_alloc(ld, len);
	if (p)
		memcpy(p, name, len);
	return p;
}

/* Grows an array of `size`-octet items to hold one more. */
static int grow(void **items, size_t *cap, size_t count, size_t size)
{
	if (count < *cap)
		return OWNDNS_OK;
	size_t ncap = *cap ? *cap * 2 : 64;
	void *p = realloc(*items, ncap * size);
	if (!p)
		return OWNDNS_ENOMEM;
	*items = p;
	*cap = ncap;
	return OWNDNS_OK;
}

local_data *local_data_new(void)
{
	local_data *ld = calloc(1, sizeof(*ld));
	if (ld)
		ld->builtin = true;
	return ld;
}

void local_data_free(local_data *ld)
{
	if (!ld)
		return;
	local_chunk *c = ld->chunks;
	while (c) {
		local_chunk *next = c->next;
		free(c);
		c = next;
	}
	free(ld->records);
	free(ld->yields);
	free(ld->apexes);
	free(ld->names);
	local_index_free(&ld->index);
	free(ld);
}

void local_data_set_builtin(local_data *ld, bool enabled)
{
	ld->builtin = enabled;
}

int local_data_yield(local_data *ld, const uint8_t *apex)
{
	if (ld->finished)
		return OWNDNS_ESTATE;
	if (grow((void **)&ld->yields, &ld->yield_cap, ld->yield_count, sizeof(*ld->yields)))
		return OWNDNS_ENOMEM;
	const uint8_t *copy = copy_name(ld, apex);
	if (!copy)
		return OWNDNS_ENOMEM;
	ld->yields[ld->yield_count++] = copy;
	return OWNDNS_OK;
}

int local_add_record(local_data *ld, const uint8_t *owner, uint16_t type, uint32_t ttl,
		     const uint8_t *rdata, uint16_t rdlen, enum local_origin origin)
{
	if (ld->finished)
		return OWNDNS_ESTATE;
	if (grow((void **)&ld->records, &ld->record_cap, ld->record_count, sizeof(*ld->records)))
		return OWNDNS_ENOMEM;
	local_record *r = &ld->records[ld->record_count];
	r->owner = copy_name(ld, owner);
	uint8_t *data = local_alloc(ld, rdlen ? rdlen : 1);
	if (!r->owner || !data)
		return OWNDNS_ENOMEM;
	memcpy(data, rdata, rdlen);
	r->rdata = data;
	r->rdlen = rdlen;
	r->type = type;
	/* RFC 2181 §8: a TTL with the top bit set is taken as 0. */
	r->ttl = ttl > 0x7fffffffu ? 0 : ttl;
	r->seq = ld->seq++;
	r->origin = (uint8_t)origin;
	ld->record_count++;
	return OWNDNS_OK;
}

int local_add_apex(local_data *ld, const uint8_t *apex, bool redirect)
{
	if (grow((void **)&ld->apexes, &ld->apex_cap, ld->apex_count, sizeof(*ld->apexes)))
		return OWNDNS_ENOMEM;
	const uint8_t *copy = copy_name(ld, apex);
	if (!copy)
		return OWNDNS_ENOMEM;
	ld->apexes[ld->apex_count].apex = copy;
	ld->apexes[ld->apex_count].redirect = redirect;
	ld->apex_count++;
	return OWNDNS_OK;
}

int local_data_add_rr(local_data *ld, const owndns_rr *rr)
{
	uint16_t rclass = rr->rclass ? rr->rclass : OWNDNS_CLASS_IN;
	if (rclass != OWNDNS_CLASS_IN || owndns_type_is_meta(rr->type))
		return OWNDNS_EINVAL;
	return local_add_record(ld, rr->owner, rr->type, rr->ttl, rr->rdata, rr->rdlen,
				LOCAL_ORIGIN_USER);
}

static void report_value(local_report_fn report, void *arg, const char *where,
			 const char *value, const char *problem)
{
	char msg[512];
	text_buf t;
	if (!report)
		return;
	text_buf_init(&t, msg, sizeof(msg));
	text_buf_printf(&t, "local-data=\"%.400s\": %s", value, problem);
	report(arg, where ? where : "local-data", 0, msg);
}

int local_data_add_text(local_data *ld, const char *value, const char *where,
			local_report_fn report, void *arg)
{
	/* Owner and RDATA of one record; heap, as 64 KiB of RDATA is too much for a stack. */
	size_t cap = OWNDNS_NAME_MAX + OWNDNS_RDATA_MAX;
	uint8_t *storage = malloc(cap);
	owndns_rr rr;
	owndns_rr_text_defaults defaults = { NULL, LOCAL_DATA_DEFAULT_TTL, OWNDNS_CLASS_IN };
	int rc;

	if (!storage)
		return OWNDNS_ENOMEM;
	rc = owndns_rr_from_text(value, strlen(value), &defaults, storage, cap, &rr);
	if (rc) {
		report_value(report, arg, where, value, owndns_strerror(rc));
		goto done;
	}
	if (rr.rclass != OWNDNS_CLASS_IN) {
		report_value(report, arg, where, value, "only class IN is served");
		rc = OWNDNS_EINVAL;
		goto done;
	}
	if (owndns_type_is_meta(rr.type)) {
		report_value(report, arg, where, value, "a query-only type cannot be data");
		rc = OWNDNS_EINVAL;
		goto done;
	}
	rc = local_data_add_rr(ld, &rr);
	if (rc == OWNDNS_ESTATE)
		report_value(report, arg, where, value, "added after the data was finished");
done:
	free(storage);
	return rc;
}

/* ---- Finishing --------------------------------------------------------------------- */

static int compare_name_ptrs(const void *a, const void *b)
{
	return owndns_name_compare(*(const uint8_t *const *)a, *(const uint8_t *const *)b);
}

bool local_is_yielded_exact(const local_data *ld, const uint8_t *name)
{
	return ld->yield_count &&
	       bsearch(&name, ld->yields, ld->yield_count, sizeof(*ld->yields),
		       compare_name_ptrs) != NULL;
}

bool local_is_yielded(const local_data *ld, const uint8_t *name)
{
	for (const uint8_t *n = name; n; n = owndns_name_parent(n))
		if (local_is_yielded_exact(ld, n))
			return true;
	return false;
}

/* Same (owner, type) first; then user data before built-in data; then equal RDATA
 * side by side (duplicates are merged); then the order the records came in. */
static int compare_records(const void *pa, const void *pb)
{
	const local_record *a = pa, *b = pb;
	int c = owndns_name_compare(a->owner, b->owner);
	if (c)
		return c;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	bool ab = a->origin == LOCAL_ORIGIN_BUILTIN, bb = b->origin == LOCAL_ORIGIN_BUILTIN;
	if (ab != bb)
		return ab ? 1 : -1;
	if (a->rdlen != b->rdlen)
		return a->rdlen < b->rdlen ? -1 : 1;
	c = memcmp(a->rdata, b->rdata, a->rdlen);
	if (c)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int compare_seq(const void *pa, const void *pb)
{
	const local_record *a = *(const local_record *const *)pa;
	const local_record *b = *(const local_record *const *)pb;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Chooses the records of one (owner, type) group recs[0..n) into keep[] (in the order
 * they were added) and returns how many: user data replaces built-in data of the type,
 * duplicates are merged, a hosts address keeps the PTR of its first line only, a name
 * keeps its first CNAME only. */
static size_t choose_records(local_record *recs, size_t n, local_record **keep)
{
	bool has_user = recs[0].origin != LOCAL_ORIGIN_BUILTIN;
	const local_record *first_ptr = NULL;
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		if (recs[i].origin == LOCAL_ORIGIN_HOSTS_PTR &&
		    (!first_ptr || recs[i].seq < first_ptr->seq))
			first_ptr = &recs[i];
	for (size_t i = 0; i < n; i++) {
		local_record *r = &recs[i];
		if (has_user && r->origin == LOCAL_ORIGIN_BUILTIN)
			continue;
		if (r->origin == LOCAL_ORIGIN_HOSTS_PTR && r != first_ptr)
			continue;
		if (count > 0 && keep[count - 1]->rdlen == r->rdlen &&
		    memcmp(keep[count - 1]->rdata, r->rdata, r->rdlen) == 0)
			continue;
		keep[count++] = r;
	}
	qsort(keep, count, sizeof(*keep), compare_seq);
	/* RFC 2181 §10.1: one CNAME per name; the first one given is the one followed. */
	if (count > 1 && keep[0]->type == OWNDNS_TYPE_CNAME)
		count = 1;
	return count;
}

/* Makes the RRset of keep[0..n) (TTL: the smallest, RFC 2181 §5.2). */
static zone_rrset *make_rrset(local_data *ld, local_record **keep, size_t n)
{
	zone_rrset *s = local_alloc(ld, sizeof(*s));
	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->type = keep[0]->type;
	s->ttl = keep[0]->ttl;
	zone_rdata **tail = &s->rdata;
	for (size_t i = 0; i < n; i++) {
		zone_rdata *d = local_alloc(ld, sizeof(*d) + keep[i]->rdlen);
		if (!d)
			return NULL;
		d->next = NULL;
		d->line = keep[i]->seq;
		d->file = 0;
		d->len = keep[i]->rdlen;
		memcpy(d->data, keep[i]->rdata, keep[i]->rdlen);
		*tail = d;
		tail = &d->next;
		if (keep[i]->ttl < s->ttl)
			s->ttl = keep[i]->ttl;
	}
	s->count = (uint32_t)n;
	return s;
}

static size_t same_owner_end(const local_data *ld, size_t i)
{
	size_t j = i + 1;
	while (j < ld->record_count &&
	       owndns_name_compare(ld->records[i].owner, ld->records[j].owner) == 0)
		j++;
	return j;
}

static size_t same_type_end(const local_data *ld, size_t i, size_t end)
{
	size_t j = i + 1;
	while (j < end && ld->records[j].type == ld->records[i].type)
		j++;
	return j;
}

/* Builds ld->names from the sorted records. */
static int build_names(local_data *ld)
{
	local_record **keep = NULL;
	int rc = OWNDNS_ENOMEM;

	ld->names = calloc(ld->record_count ? ld->record_count : 1, sizeof(*ld->names));
	keep = malloc((ld->record_count ? ld->record_count : 1) * sizeof(*keep));
	if (!ld->names || !keep)
		goto done;
	for (size_t i = 0; i < ld->record_count;) {
		size_t end = same_owner_end(ld, i);
		local_name *name = &ld->names[ld->name_count];
		zone_rrset **tail = &name->rrsets;
		name->owner = ld->records[i].owner;
		for (size_t j = i; j < end;) {
			size_t type_end = same_type_end(ld, j, end);
			size_t n = choose_records(&ld->records[j], type_end - j, keep);
			zone_rrset *s = make_rrset(ld, keep, n);
			if (!s)
				goto done;
			*tail = s;
			tail = &s->next;
			j = type_end;
		}
		ld->name_count++;
		i = end;
	}
	rc = OWNDNS_OK;
done:
	free(keep);
	return rc;
}

static void mark_apexes(local_data *ld)
{
	for (size_t i = 0; i < ld->apex_count; i++) {
		long at = local_find_name(ld, ld->apexes[i].apex);
		if (at < 0)
			continue; /* every built-in apex has its SOA: cannot happen */
		ld->names[at].flags |= LOCAL_NAME_APEX;
		if (ld->apexes[i].redirect)
			ld->names[at].flags |= LOCAL_NAME_REDIRECT;
	}
}

int local_data_finish(local_data *ld)
{
	int rc;

	if (ld->finished)
		return OWNDNS_ESTATE;
	if (ld->yield_count)
		qsort(ld->yields, ld->yield_count, sizeof(*ld->yields), compare_name_ptrs);
	if (ld->builtin && (rc = local_builtin_add(ld)) != OWNDNS_OK)
		return rc;
	ld->finished = true;
	if (ld->record_count)
		qsort(ld->records, ld->record_count, sizeof(*ld->records), compare_records);
	rc = build_names(ld);
	if (rc)
		return rc;
	mark_apexes(ld);
	rc = local_index_build(ld);
	if (rc)
		return rc;
	/* The collected records point into the arena, which keeps everything the names
	 * need; the array itself is no longer needed. */
	free(ld->records);
	ld->records = NULL;
	ld->record_count = ld->record_cap = 0;
	return OWNDNS_OK;
}

const uint8_t *local_data_user_name_under(const local_data *ld, const uint8_t *apex)
{
	for (size_t i = 0; i < ld->record_count; i++) {
		const local_record *r = &ld->records[i];
		if (r->origin == LOCAL_ORIGIN_USER && owndns_name_is_subdomain(r->owner, apex))
			return r->owner;
	}
	return NULL;
}

size_t local_data_name_count(const local_data *ld)
{
	return ld->name_count;
}
