/* Internal to server/local/: the storage of a local_data, shared by the files that
 * fill it (local_data.c, hosts.c, builtin_zones.c) and the one that reads it
 * (local_lookup.c).  Records are collected as they are added and merged into sorted
 * names with zone_rrset lists by local_data_finish. */
#ifndef OWNDNS_SERVER_LOCAL_INTERNAL_H
#define OWNDNS_SERVER_LOCAL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "local_data.h"

/* Where a record came from; the order matters: user data sorts before built-in data. */
enum local_origin {
	LOCAL_ORIGIN_USER = 0,      /* local-data, hosts A/AAAA */
	LOCAL_ORIGIN_HOSTS_PTR = 1, /* hosts reverse: only the first per address is kept */
	LOCAL_ORIGIN_BUILTIN = 2,   /* built-in zones: replaced by user data of the type */
};

typedef struct local_record {
	const uint8_t *owner; /* wire name in the arena */
	const uint8_t *rdata; /* in the arena */
	uint32_t ttl;
	uint32_t seq;         /* order of addition: RRsets keep it */
	uint16_t type;
	uint16_t rdlen;
	uint8_t origin;
} local_record;

enum local_name_flags {
	LOCAL_NAME_APEX = 1,     /* apex of a built-in zone */
	LOCAL_NAME_REDIRECT = 2, /* names below it answer with its data (localhost) */
};

typedef struct local_name {
	const uint8_t *owner;
	zone_rrset *rrsets;      /* in type order */
	unsigned flags;
} local_name;

/* A built-in zone kept for this local_data (not turned off, not yielded). */
typedef struct local_apex {
	const uint8_t *apex;
	bool redirect;
} local_apex;

typedef struct local_chunk local_chunk;

/* The tree of names that lookups walk (local_index.c), built by local_data_finish. */
typedef struct local_node local_node;
typedef struct local_index {
	local_node *nodes;        /* node 0 is the root */
	uint32_t *slots;          /* node numbers by (parent, label); UINT32_MAX: empty */
	uint32_t node_count, node_cap;
	uint32_t mask;            /* slots - 1, a power of two minus one */
} local_index;

/* What the tree knows about one name. */
typedef struct local_match {
	const local_name *node;   /* the name's data, or NULL */
	const local_name *apex;   /* the built-in zone holding it (local_lookup.c), or NULL */
	bool has_descendant;      /* some name with data lies strictly below it */
} local_match;

struct local_data {
	local_chunk *chunks;      /* arena: names, RDATA, RRsets */
	local_record *records;    /* until finish */
	size_t record_count, record_cap;
	const uint8_t **yields;   /* sorted at finish */
	size_t yield_count, yield_cap;
	local_apex *apexes;
	size_t apex_count, apex_cap;
	local_name *names;        /* after finish: canonical order (RFC 4034 §6.1) */
	size_t name_count;
	local_index index;        /* after finish */
	uint32_t seq;
	bool builtin;
	bool finished;
};

/* Arena memory freed with the local_data; NULL when out of memory. */
void *local_alloc(local_data *ld, size_t size);

/* Copies one record into the local_data.  Errors: ENOMEM, ESTATE after finish. */
int local_add_record(local_data *ld, const uint8_t *owner, uint16_t type, uint32_t ttl,
		     const uint8_t *rdata, uint16_t rdlen, enum local_origin origin);

/* Records a built-in zone apex (copied).  Errors: ENOMEM. */
int local_add_apex(local_data *ld, const uint8_t *apex, bool redirect);

/* True when `name` is at or below (or, _exact, equal to) an apex given to
 * local_data_yield.  The yields must be sorted (local_data_finish does it first). */
bool local_is_yielded(const local_data *ld, const uint8_t *name);
bool local_is_yielded_exact(const local_data *ld, const uint8_t *name);

/* Adds the built-in zones that are not yielded (builtin_zones.c).  Errors: ENOMEM. */
int local_builtin_add(local_data *ld);

/* Index of `name` in ld->names, or -1 (local_lookup.c): a binary search, for building. */
long local_find_name(const local_data *ld, const uint8_t *name);

/* Builds ld->index from ld->names (apexes marked) and ld->yields.  Errors: ENOMEM
 * (the index is then empty: ld->index.nodes is NULL). */
int local_index_build(local_data *ld);
void local_index_free(local_index *ix);

/* Fills *m for `name` (uncompressed wire name) in finished local data: the name's
 * entry, the deepest built-in apex at or above it unless a yielded apex lies between
 * (at or above the name, below the apex), and whether names with data lie below it. */
void local_index_match(const local_data *ld, const uint8_t *name, local_match *m);

#endif
