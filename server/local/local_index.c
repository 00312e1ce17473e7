/* The tree of local names behind local_lookup: one node per name with data, per
 * yielded apex and per ancestor of those, found by (parent node, label) in a hash table
 * with ASCII case folding.  A lookup walks the query name from its top label down and
 * stops at the first label that is not in the tree, so a name under no local name (most
 * forwarded names) costs one probe, and any name at most one probe per label. */
#include <stdlib.h>
#include <string.h>

#include <owndns/name.h>

#include "local_internal.h"

enum {
	/* A wire name of 255 octets has at most 127 labels besides the root. */
	INDEX_LABELS_MAX = 128,
	INDEX_FIRST_NODES = 64,
	NODE_YIELD = 1,      /* an apex given to local_data_yield */
	NODE_DATA_BELOW = 2, /* some name with data lies strictly below */
	NODE_ROOT = 0,
};

/* name_index of a node without data; also the bound on the number of names. */
#define NODE_NO_NAME ((1u << 30) - 1)

#define SLOT_EMPTY UINT32_MAX

/* 16 octets: a big hosts file makes hundreds of thousands of them. */
struct local_node {
	const uint8_t *label;    /* length octet, then the label: inside a stored name */
	uint32_t parent;
	uint32_t name_index : 30; /* in ld->names, or NODE_NO_NAME */
	uint32_t flags : 2;
};

static uint8_t ascii_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* FNV-1a over the parent's number and the folded label (length octet included). */
static uint32_t label_hash(uint32_t parent, const uint8_t *label)
{
	uint32_t h = 2166136261u ^ (parent * 0x9e3779b1u);
	h = (h ^ label[0]) * 16777619u;
	for (uint8_t k = 1; k <= label[0]; k++)
		h = (h ^ ascii_lower(label[k])) * 16777619u;
	return h;
}

static bool label_equal(const uint8_t *a, const uint8_t *b)
{
	if (a[0] != b[0])
		return false;
	for (uint8_t k = 1; k <= a[0]; k++)
		if (ascii_lower(a[k]) != ascii_lower(b[k]))
			return false;
	return true;
}

/* Offsets of the labels of `name` (at most 255 octets), leftmost first; their number. */
static unsigned name_labels(const uint8_t *name, uint8_t *offsets)
{
	unsigned n = 0, at = 0;
	while (name[at] != 0 && n < INDEX_LABELS_MAX && at < OWNDNS_NAME_MAX) {
		offsets[n++] = (uint8_t)at;
		at += 1u + name[at];
	}
	return n;
}

/* The child of `parent` with `label`, or SLOT_EMPTY. */
static uint32_t find_child(const local_index *ix, uint32_t parent, const uint8_t *label)
{
	for (uint32_t i = label_hash(parent, label) & ix->mask;; i = (i + 1) & ix->mask) {
		uint32_t id = ix->slots[i];
		if (id == SLOT_EMPTY)
			return SLOT_EMPTY;
		const local_node *n = &ix->nodes[id];
		if (n->parent == parent && label_equal(n->label, label))
			return id;
	}
}

/* ---- Building ---------------------------------------------------------------------- */

static void put_slot(local_index *ix, uint32_t id)
{
	const local_node *n = &ix->nodes[id];
	uint32_t i = label_hash(n->parent, n->label) & ix->mask;
	while (ix->slots[i] != SLOT_EMPTY)
		i = (i + 1) & ix->mask;
	ix->slots[i] = id;
}

/* Makes room for one more node with the table at most half full (so a probe meets an
 * empty slot soon). */
static int grow_slots(local_index *ix)
{
	if (((size_t)ix->node_count + 1) * 2 <= (size_t)ix->mask + 1)
		return OWNDNS_OK;
	size_t size = ((size_t)ix->mask + 1) * 2;
	uint32_t *slots = malloc(size * sizeof(*slots));
	if (!slots)
		return OWNDNS_ENOMEM;
	free(ix->slots);
	ix->slots = slots;
	ix->mask = (uint32_t)(size - 1);
	memset(slots, 0xff, size * sizeof(*slots));
	for (uint32_t id = 1; id < ix->node_count; id++)
		put_slot(ix, id);
	return OWNDNS_OK;
}

static int add_child(local_index *ix, uint32_t parent, const uint8_t *label, uint32_t *id)
{
	if (ix->node_count == ix->node_cap) {
		size_t cap = (size_t)ix->node_cap * 2;
		if (cap > UINT32_MAX / 2)
			return OWNDNS_ENOMEM;
		local_node *nodes = realloc(ix->nodes, cap * sizeof(*nodes));
		if (!nodes)
			return OWNDNS_ENOMEM;
		ix->nodes = nodes;
		ix->node_cap = (uint32_t)cap;
	}
	if (grow_slots(ix))
		return OWNDNS_ENOMEM;
	local_node *n = &ix->nodes[ix->node_count];
	n->label = label;
	n->parent = parent;
	n->name_index = NODE_NO_NAME;
	n->flags = 0;
	*id = ix->node_count++;
	put_slot(ix, *id);
	return OWNDNS_OK;
}

/* The node of `name`, made with its ancestors when missing.  `data`: the name has
 * records, so every ancestor gets NODE_DATA_BELOW. */
static int add_path(local_index *ix, const uint8_t *name, bool data, uint32_t *id)
{
	uint8_t labels[INDEX_LABELS_MAX];
	unsigned count = name_labels(name, labels);
	uint32_t at = NODE_ROOT;
	for (unsigned i = count; i-- > 0;) {
		if (data)
			ix->nodes[at].flags |= NODE_DATA_BELOW;
		uint32_t child = find_child(ix, at, name + labels[i]);
		if (child == SLOT_EMPTY && add_child(ix, at, name + labels[i], &child))
			return OWNDNS_ENOMEM;
		at = child;
	}
	*id = at;
	return OWNDNS_OK;
}

static int index_init(local_index *ix)
{
	ix->nodes = malloc(INDEX_FIRST_NODES * sizeof(*ix->nodes));
	ix->slots = malloc(2 * INDEX_FIRST_NODES * sizeof(*ix->slots));
	if (!ix->nodes || !ix->slots)
		return OWNDNS_ENOMEM;
	ix->node_cap = INDEX_FIRST_NODES;
	ix->mask = 2 * INDEX_FIRST_NODES - 1;
	memset(ix->slots, 0xff, 2 * INDEX_FIRST_NODES * sizeof(*ix->slots));
	/* The root is node 0, reached without a probe. */
	static const uint8_t root_label[1] = { 0 };
	ix->nodes[NODE_ROOT].label = root_label;
	ix->nodes[NODE_ROOT].parent = NODE_ROOT;
	ix->nodes[NODE_ROOT].name_index = NODE_NO_NAME;
	ix->nodes[NODE_ROOT].flags = 0;
	ix->node_count = 1;
	return OWNDNS_OK;
}

static int fill_index(local_data *ld)
{
	local_index *ix = &ld->index;
	uint32_t id;

	if (ld->name_count >= NODE_NO_NAME || index_init(ix))
		return OWNDNS_ENOMEM;
	for (size_t i = 0; i < ld->name_count; i++) {
		if (add_path(ix, ld->names[i].owner, true, &id))
			return OWNDNS_ENOMEM;
		ix->nodes[id].name_index = (uint32_t)i & NODE_NO_NAME;
	}
	for (size_t i = 0; i < ld->yield_count; i++) {
		if (add_path(ix, ld->yields[i], false, &id))
			return OWNDNS_ENOMEM;
		ix->nodes[id].flags |= NODE_YIELD;
	}
	return OWNDNS_OK;
}

int local_index_build(local_data *ld)
{
	int rc = fill_index(ld);
	if (rc)
		local_index_free(&ld->index); /* no half tree: lookups then find nothing */
	return rc;
}

void local_index_free(local_index *ix)
{
	free(ix->nodes);
	free(ix->slots);
	memset(ix, 0, sizeof(*ix));
}

/* ---- Lookups ----------------------------------------------------------------------- */

/* Steps into one node on the way down: a yielded apex hides the built-in zones above
 * it (local_data_yield), a deeper apex replaces a higher one. */
static const local_name *enclosing_after(const local_data *ld, const local_node *n,
					 const local_name *apex)
{
	if (n->flags & NODE_YIELD)
		return NULL;
	if (n->name_index != NODE_NO_NAME && (ld->names[n->name_index].flags & LOCAL_NAME_APEX))
		return &ld->names[n->name_index];
	return apex;
}

void local_index_match(const local_data *ld, const uint8_t *name, local_match *m)
{
	const local_index *ix = &ld->index;
	uint8_t labels[INDEX_LABELS_MAX];
	const local_node *n = &ix->nodes[NODE_ROOT];
	unsigned count = name_labels(name, labels);
	unsigned i = count;

	m->apex = enclosing_after(ld, n, NULL);
	while (i > 0) {
		uint32_t child = find_child(ix, (uint32_t)(n - ix->nodes), name + labels[i - 1]);
		if (child == SLOT_EMPTY)
			break;
		n = &ix->nodes[child];
		m->apex = enclosing_after(ld, n, m->apex);
		i--;
	}
	if (i > 0) {
		/* The name and its nearest ancestors are not in the tree. */
		m->node = NULL;
		m->has_descendant = false;
		return;
	}
	m->node = n->name_index != NODE_NO_NAME ? &ld->names[n->name_index] : NULL;
	m->has_descendant = (n->flags & NODE_DATA_BELOW) != 0;
}
