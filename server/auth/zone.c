/* An authoritative zone in memory: arena, name hash table, RRsets.  See zone.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <owndns/name.h>
#include <owndns/rdata.h>

#include "zone.h"

enum {
	ARENA_CHUNK = 256 * 1024,
	ARENA_ALIGN = 8,
	TABLE_MIN = 1024,
	FILES_MAX = 65535,
	/* RRsets up to this size are searched for duplicates record by record; larger
	 * ones through the zone's RDATA index, so one huge RRset loads in linear time. */
	DUP_INDEX_MIN = 16,
	DUP_TABLE_MIN = 1024,
};

/* ------------------------------------------------------------------ arena */

typedef struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	uint8_t data[];
} arena_chunk;

typedef struct arena {
	arena_chunk *head;
	size_t bytes;
} arena;

static void *arena_alloc(arena *a, size_t size)
{
	size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	arena_chunk *c = a->head;
	if (!c || c->cap - c->used < size) {
		/* Big items get a chunk of their own so a chunk is never mostly wasted. */
		size_t cap = size > ARENA_CHUNK / 4 ? size : ARENA_CHUNK;
		c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		if (size > ARENA_CHUNK / 4 && a->head) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
		a->bytes += sizeof *c + cap;
	}
	void *p = c->data + c->used;
	c->used += size;
	return p;
}

static void arena_free(arena *a)
{
	arena_chunk *c = a->head;
	while (c) {
		arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}

/* ------------------------------------------------------------------ zone */

/* One record of a large RRset in the duplicate index: hash of its canonical RDATA. */
typedef struct dup_slot {
	const zone_rrset *set;
	const zone_rdata *rdata;
	uint32_t hash;
} dup_slot;

struct zone {
	arena mem;
	uint8_t apex_name[OWNDNS_NAME_MAX];
	uint16_t rclass;
	zone_node *apex;
	zone_node **table; /* open addressing, linear probing, power-of-two size */
	size_t table_cap;
	zone_node **nodes; /* in the order first seen */
	size_t node_count, nodes_cap;
	char **files;
	size_t file_count;
	unsigned long records, rrsets;
	unsigned errors, warnings;
	bool finished;
	owndns_zone_report_fn report;
	void *report_ctx;
	dup_slot *dup_table; /* open addressing, linear probing, power-of-two size */
	size_t dup_cap, dup_count;
	uint8_t *canonical;  /* OWNDNS_RDATA_MAX octets to canonicalise RDATA in */
};

static uint8_t ascii_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c;
}

/* FNV-1a over the lower-cased wire name. */
static uint32_t name_hash(const uint8_t *name, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		h ^= ascii_lower(name[i]);
		h *= 16777619u;
	}
	return h;
}

void zone_report(zone *z, owndns_zone_severity severity, uint16_t file, unsigned line,
		 const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (severity == OWNDNS_ZONE_ERROR)
		z->errors++;
	else if (severity == OWNDNS_ZONE_WARNING)
		z->warnings++;
	if (z->report)
		z->report(z->report_ctx, severity, zone_file_name(z, file), line, msg);
}

const char *zone_file_name(const zone *z, uint16_t file)
{
	return file < z->file_count ? z->files[file] : "(zone)";
}

static void name_text(const uint8_t *name, char *out, size_t size)
{
	if (owndns_name_to_text(name, out, size) < 0)
		snprintf(out, size, "(name)");
}

static bool table_insert(zone *z, zone_node *n)
{
	size_t mask = z->table_cap - 1;
	for (size_t i = n->hash & mask;; i = (i + 1) & mask) {
		if (!z->table[i]) {
			z->table[i] = n;
			return true;
		}
	}
}

/* Keeps the load factor at most 1/2. */
static bool table_grow(zone *z)
{
	size_t cap = z->table_cap ? z->table_cap * 2 : TABLE_MIN;
	zone_node **t = calloc(cap, sizeof *t);
	if (!t)
		return false;
	free(z->table);
	z->table = t;
	z->table_cap = cap;
	for (size_t i = 0; i < z->node_count; i++)
		table_insert(z, z->nodes[i]);
	return true;
}

static zone_node *table_find(const zone *z, const uint8_t *name, size_t len, uint32_t hash)
{
	if (!z->table_cap)
		return NULL;
	size_t mask = z->table_cap - 1;
	for (size_t i = hash & mask; z->table[i]; i = (i + 1) & mask) {
		zone_node *n = z->table[i];
		if (n->hash == hash && n->owner_len == len && owndns_name_equal(n->owner, name))
			return n;
	}
	return NULL;
}

static bool nodes_push(zone *z, zone_node *n)
{
	if (z->node_count == z->nodes_cap) {
		size_t cap = z->nodes_cap ? z->nodes_cap * 2 : TABLE_MIN;
		zone_node **v = realloc(z->nodes, cap * sizeof *v);
		if (!v)
			return false;
		z->nodes = v;
		z->nodes_cap = cap;
	}
	z->nodes[z->node_count++] = n;
	return true;
}

/* The node of `name` (inside the zone), created with all its missing ancestors. */
static zone_node *node_get(zone *z, const uint8_t *name)
{
	size_t len = owndns_name_length(name);
	uint32_t hash = name_hash(name, len);
	zone_node *n = table_find(z, name, len, hash);
	if (n)
		return n;
	zone_node *parent = NULL;
	if (z->apex) {
		parent = node_get(z, owndns_name_parent(name));
		if (!parent)
			return NULL;
	}
	if ((z->node_count + 1) * 2 > z->table_cap && !table_grow(z))
		return NULL;
	n = arena_alloc(&z->mem, sizeof *n + len);
	if (!n || !nodes_push(z, n))
		return NULL;
	memset(n, 0, sizeof *n);
	n->parent = parent;
	n->hash = hash;
	n->owner_len = (uint8_t)len;
	memcpy(n->owner, name, len);
	table_insert(z, n);
	return n;
}

zone *zone_new(const uint8_t *apex, uint16_t rclass, owndns_zone_report_fn report, void *ctx)
{
	size_t len;
	if (owndns_name_check(apex, OWNDNS_NAME_MAX, &len) != OWNDNS_OK)
		return NULL;
	zone *z = calloc(1, sizeof *z);
	if (!z)
		return NULL;
	memcpy(z->apex_name, apex, len);
	z->rclass = rclass ? rclass : OWNDNS_CLASS_IN;
	z->report = report;
	z->report_ctx = ctx;
	z->apex = node_get(z, z->apex_name);
	if (!z->apex) {
		zone_free(z);
		return NULL;
	}
	z->apex->flags = ZONE_NODE_APEX;
	return z;
}

void zone_free(zone *z)
{
	if (!z)
		return;
	arena_free(&z->mem);
	free(z->table);
	free(z->nodes);
	free(z->dup_table);
	free(z->canonical);
	for (size_t i = 0; i < z->file_count; i++)
		free(z->files[i]);
	free(z->files);
	free(z);
}

/* Index of `file` in the zone's list; files are few, so a scan from the last one. */
static int file_index(zone *z, const char *file)
{
	for (size_t i = z->file_count; i-- > 0;)
		if (strcmp(z->files[i], file) == 0)
			return (int)i;
	if (z->file_count == FILES_MAX)
		return (int)z->file_count - 1;
	char **v = realloc(z->files, (z->file_count + 1) * sizeof *v);
	if (!v)
		return -1;
	z->files = v;
	v[z->file_count] = strdup(file);
	if (!v[z->file_count])
		return -1;
	return (int)z->file_count++;
}

/* RRSIGs are kept per covered type (RFC 4035 §2.2: one RRSIG RRset per signed RRset,
 * each with that RRset's TTL). */
static uint16_t covered_type(const owndns_rr *rr)
{
	if (rr->type != OWNDNS_TYPE_RRSIG || rr->rdlen < 2)
		return 0;
	return (uint16_t)(rr->rdata[0] << 8 | rr->rdata[1]);
}

static bool ascii_case_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

/* RFC 2181 §5 / RFC 4034 §6.2: RRs are equal when their canonical RDATA is. */
static bool rdata_equal(uint16_t type, const uint8_t *a, const uint8_t *b, size_t len)
{
	if (memcmp(a, b, len) == 0)
		return true;
	if (!ascii_case_equal(a, b, len))
		return false;
	uint8_t *ca = malloc(2 * len);
	if (!ca)
		return false;
	memcpy(ca, a, len);
	memcpy(ca + len, b, len);
	owndns_rdata_canonicalize(type, ca, len);
	owndns_rdata_canonicalize(type, ca + len, len);
	bool equal = memcmp(ca, ca + len, len) == 0;
	free(ca);
	return equal;
}

static zone_rrset *rrset_get(zone *z, zone_node *n, uint16_t type, uint16_t covered,
			     uint32_t ttl, bool *created)
{
	*created = false;
	for (zone_rrset *s = n->rrsets; s; s = s->next)
		if (s->type == type && s->covered == covered)
			return s;
	zone_rrset *s = arena_alloc(&z->mem, sizeof *s);
	if (!s)
		return NULL;
	memset(s, 0, sizeof *s);
	s->type = type;
	s->covered = covered;
	s->ttl = ttl;
	s->next = n->rrsets;
	n->rrsets = s;
	*created = true;
	return s;
}

/* Hash of the RDATA's canonical form (RFC 4034 §6.2), so that records that are equal
 * under rdata_equal hash alike; the RRset is part of the key.  False when out of
 * memory. */
static bool rdata_hash(zone *z, const zone_rrset *s, uint16_t type, const uint8_t *data,
		       size_t len, uint32_t *hash)
{
	if (!z->canonical && !(z->canonical = malloc(OWNDNS_RDATA_MAX)))
		return false;
	if (len > OWNDNS_RDATA_MAX)
		len = OWNDNS_RDATA_MAX;
	memcpy(z->canonical, data, len);
	owndns_rdata_canonicalize(type, z->canonical, len);
	uintptr_t set = (uintptr_t)s;
	uint32_t h = 2166136261u ^ (uint32_t)len;
	h = (h ^ (uint32_t)set) * 16777619u;
	h = (h ^ (uint32_t)(set >> 16 >> 16)) * 16777619u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ z->canonical[i]) * 16777619u;
	*hash = h;
	return true;
}

static void dup_put(dup_slot *table, size_t cap, const dup_slot *slot)
{
	size_t i = slot->hash & (cap - 1);
	while (table[i].set)
		i = (i + 1) & (cap - 1);
	table[i] = *slot;
}

/* Room for one more entry at a load of at most one half. */
static bool dup_reserve(zone *z)
{
	if (2 * (z->dup_count + 1) <= z->dup_cap)
		return true;
	size_t cap = z->dup_cap ? 2 * z->dup_cap : DUP_TABLE_MIN;
	dup_slot *table = calloc(cap, sizeof *table);
	if (!table)
		return false;
	for (size_t i = 0; i < z->dup_cap; i++)
		if (z->dup_table[i].set)
			dup_put(table, cap, &z->dup_table[i]);
	free(z->dup_table);
	z->dup_table = table;
	z->dup_cap = cap;
	return true;
}

static bool dup_insert(zone *z, const zone_rrset *s, const zone_rdata *d, uint32_t hash)
{
	if (!dup_reserve(z))
		return false;
	dup_slot slot = { s, d, hash };
	dup_put(z->dup_table, z->dup_cap, &slot);
	z->dup_count++;
	return true;
}

/* Puts every record of an RRset that just grew past DUP_INDEX_MIN into the index. */
static bool dup_index_rrset(zone *z, const zone_rrset *s, uint16_t type)
{
	for (const zone_rdata *d = s->rdata; d; d = d->next) {
		uint32_t hash;
		if (!rdata_hash(z, s, type, d->data, d->len, &hash) || !dup_insert(z, s, d, hash))
			return false;
	}
	return true;
}

static const zone_rdata *find_duplicate_scan(const zone_rrset *s, const owndns_rr *rr)
{
	for (const zone_rdata *d = s->rdata; d; d = d->next)
		if (d->len == rr->rdlen && rdata_equal(rr->type, d->data, rr->rdata, rr->rdlen))
			return d;
	return NULL;
}

static const zone_rdata *find_duplicate_indexed(const zone *z, const zone_rrset *s,
						const owndns_rr *rr, uint32_t hash)
{
	if (!z->dup_cap)
		return NULL;
	for (size_t i = hash & (z->dup_cap - 1); z->dup_table[i].set; i = (i + 1) & (z->dup_cap - 1)) {
		const dup_slot *slot = &z->dup_table[i];
		if (slot->set == s && slot->hash == hash && slot->rdata->len == rr->rdlen &&
		    rdata_equal(rr->type, slot->rdata->data, rr->rdata, rr->rdlen))
			return slot->rdata;
	}
	return NULL;
}

static bool rrset_indexed(const zone_rrset *s)
{
	return s->count >= DUP_INDEX_MIN;
}

/* The checks only an arriving record can tell.  False: the record is not added. */
static bool accept_rr(zone *z, const owndns_rr *rr, uint16_t file, unsigned line)
{
	char owner[OWNDNS_NAME_TEXT_MAX], apex[OWNDNS_NAME_TEXT_MAX];
	if (!owndns_name_is_subdomain(rr->owner, z->apex_name)) {
		name_text(rr->owner, owner, sizeof owner);
		name_text(z->apex_name, apex, sizeof apex);
		zone_report(z, OWNDNS_ZONE_ERROR, file, line, "%s is outside the zone %s", owner,
			    apex);
		return false;
	}
	if (rr->rclass != z->rclass) {
		char got[OWNDNS_TYPE_TEXT_MAX], want[OWNDNS_TYPE_TEXT_MAX];
		owndns_class_to_text(rr->rclass, got, sizeof got);
		owndns_class_to_text(z->rclass, want, sizeof want);
		zone_report(z, OWNDNS_ZONE_ERROR, file, line,
			    "class %s differs from the zone's class %s", got, want);
		return false;
	}
	return true;
}

static void check_ttl(zone *z, zone_rrset *s, const owndns_rr *rr, uint16_t file, unsigned line)
{
	if (rr->ttl == s->ttl)
		return;
	char type[OWNDNS_TYPE_TEXT_MAX];
	owndns_type_to_text(rr->type, type, sizeof type);
	uint32_t use = rr->ttl < s->ttl ? rr->ttl : s->ttl;
	zone_report(z, OWNDNS_ZONE_WARNING, file, line,
		    "TTL %lu differs from the TTL %lu of the %s RRset (RFC 2181 §5.2); using %lu",
		    (unsigned long)rr->ttl, (unsigned long)s->ttl, type, (unsigned long)use);
	s->ttl = use;
}

int zone_add_rr(void *ctx, const owndns_rr *rr, const char *file, unsigned line)
{
	zone *z = ctx;
	int fi = file_index(z, file);
	if (fi < 0)
		return OWNDNS_ENOMEM;
	if (!accept_rr(z, rr, (uint16_t)fi, line))
		return OWNDNS_OK;
	zone_node *n = node_get(z, rr->owner);
	bool created;
	zone_rrset *s = n ? rrset_get(z, n, rr->type, covered_type(rr), rr->ttl, &created) : NULL;
	if (!s)
		return OWNDNS_ENOMEM;
	uint32_t hash = 0;
	if (rrset_indexed(s) && !rdata_hash(z, s, rr->type, rr->rdata, rr->rdlen, &hash))
		return OWNDNS_ENOMEM;
	if (!created) {
		const zone_rdata *dup = rrset_indexed(s) ? find_duplicate_indexed(z, s, rr, hash)
							 : find_duplicate_scan(s, rr);
		if (dup) {
			zone_report(z, OWNDNS_ZONE_NOTE, (uint16_t)fi, line,
				    "duplicate record merged (first at %s:%lu)",
				    zone_file_name(z, dup->file), (unsigned long)dup->line);
			return OWNDNS_OK;
		}
		check_ttl(z, s, rr, (uint16_t)fi, line);
	}
	zone_rdata *d = arena_alloc(&z->mem, sizeof *d + rr->rdlen);
	if (!d)
		return OWNDNS_ENOMEM;
	d->line = line;
	d->file = (uint16_t)fi;
	d->len = rr->rdlen;
	memcpy(d->data, rr->rdata, rr->rdlen);
	/* Prepended now, put back in file order by zone_finish. */
	d->next = s->rdata;
	s->rdata = d;
	s->count++;
	if (s->count == DUP_INDEX_MIN && !dup_index_rrset(z, s, rr->type))
		return OWNDNS_ENOMEM;
	if (s->count > DUP_INDEX_MIN && !dup_insert(z, s, d, hash))
		return OWNDNS_ENOMEM;
	z->records++;
	z->rrsets += created;
	z->finished = false;
	return OWNDNS_OK;
}

static void reverse_rdata(zone_rrset *s)
{
	zone_rdata *prev = NULL, *d = s->rdata;
	while (d) {
		zone_rdata *next = d->next;
		d->next = prev;
		prev = d;
		d = next;
	}
	s->rdata = prev;
}

/* Nodes are created parents first, so one pass in creation order sees every parent's
 * flags before its children's. */
void zone_finish(zone *z)
{
	if (z->finished)
		return;
	/* Needed again only if records are added later. */
	free(z->canonical);
	z->canonical = NULL;
	for (size_t i = 0; i < z->node_count; i++) {
		zone_node *n = z->nodes[i];
		n->flags &= ZONE_NODE_APEX;
		for (zone_rrset *s = n->rrsets; s; s = s->next)
			reverse_rdata(s);
		if (n->parent && zone_node_rrset(n, OWNDNS_TYPE_NS))
			n->flags |= ZONE_NODE_DELEGATION;
		const zone_node *p = n->parent;
		if (p && ((p->flags & (ZONE_NODE_DELEGATION | ZONE_NODE_OCCLUDED)) ||
			  zone_node_rrset(p, OWNDNS_TYPE_DNAME)))
			n->flags |= ZONE_NODE_OCCLUDED;
	}
	z->finished = true;
}

/* ------------------------------------------------------------------ lookups */

const zone_node *zone_find(const zone *z, const uint8_t *name)
{
	size_t len = owndns_name_length(name);
	return table_find(z, name, len, name_hash(name, len));
}

const zone_node *zone_find_closest(const zone *z, const uint8_t *name)
{
	if (!owndns_name_is_subdomain(name, z->apex_name))
		return NULL;
	for (const uint8_t *n = name; n; n = owndns_name_parent(n)) {
		const zone_node *node = zone_find(z, n);
		if (node)
			return node;
	}
	return NULL;
}

const zone_rrset *zone_node_rrset(const zone_node *n, uint16_t type)
{
	for (const zone_rrset *s = n->rrsets; s; s = s->next)
		if (s->type == type)
			return s;
	return NULL;
}

const zone_node *zone_apex(const zone *z)
{
	return z->apex;
}

const uint8_t *zone_apex_name(const zone *z)
{
	return z->apex_name;
}

uint16_t zone_class(const zone *z)
{
	return z->rclass;
}

bool zone_serial(const zone *z, uint32_t *serial)
{
	const zone_rrset *soa = zone_node_rrset(z->apex, OWNDNS_TYPE_SOA);
	if (!soa || !soa->rdata || soa->rdata->len < 20)
		return false;
	/* SERIAL is the first of the five 32-bit fields that end the RDATA. */
	const uint8_t *p = soa->rdata->data + soa->rdata->len - 20;
	*serial = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return true;
}

size_t zone_node_count(const zone *z)
{
	return z->node_count;
}

const zone_node *zone_node_at(const zone *z, size_t i)
{
	return i < z->node_count ? z->nodes[i] : NULL;
}

void zone_get_stats(const zone *z, zone_stats *st)
{
	memset(st, 0, sizeof *st);
	st->records = z->records;
	st->rrsets = z->rrsets;
	for (size_t i = 0; i < z->node_count; i++)
		st->names += z->nodes[i]->rrsets != NULL;
	st->errors = z->errors;
	st->warnings = z->warnings;
	st->arena_bytes = z->mem.bytes;
}

/* ------------------------------------------------------------------ loading */

/* Parser problems go to the zone's reporter and count as the zone's. */
static void forward_parser_report(void *ctx, owndns_zone_severity severity, const char *file,
				  unsigned line, const char *message)
{
	zone *z = ctx;
	if (severity == OWNDNS_ZONE_ERROR)
		z->errors++;
	else if (severity == OWNDNS_ZONE_WARNING)
		z->warnings++;
	if (z->report)
		z->report(z->report_ctx, severity, file, line, message);
}

int zone_load_file(zone *z, const char *path, const owndns_zone_parse_config *cfg)
{
	owndns_zone_parse_config c;
	if (cfg)
		c = *cfg;
	else
		memset(&c, 0, sizeof c);
	c.origin = z->apex_name;
	c.rclass = z->rclass;
	c.on_rr = zone_add_rr;
	c.on_report = forward_parser_report;
	c.ctx = z;
	/* The top file is file 0: zone-wide messages (no SOA ...) name it. */
	if (file_index(z, path) < 0)
		return OWNDNS_ENOMEM;
	owndns_zone_parse_result parsed;
	int rc = owndns_zone_parse_file(path, &c, &parsed);
	if (rc != OWNDNS_OK && rc != OWNDNS_ESYNTAX)
		return rc;
	/* Nothing read, and the parser said why (the file cannot be opened, ...): the
	 * checks would only add "no SOA" and "no NS" to that. */
	if (rc == OWNDNS_ESYNTAX && parsed.records == 0)
		return rc;
	/* The checks run after parse errors too, so one run shows every problem. */
	zone_finish(z);
	zone_check(z);
	return z->errors ? OWNDNS_ESYNTAX : OWNDNS_OK;
}
