/* Message writer: sections in order, name compression (RFC 1035 §4.1.4), and records
 * that either fit whole or are not written at all. */
#include "message_writer_internal.h"

#include <owndns/rdata.h>

#include "rdata_field.h"

/* A compression pointer holds a 14-bit offset. */
#define COMPRESS_OFFSET_LIMIT 0x4000u
#define POINTER_BITS 0xc0u

int owndns_writer_init(owndns_msg_writer *w, uint8_t *buf, size_t cap, const owndns_header *hdr)
{
	/* The offset tables are only read below their counts: clearing them (5 KiB) on
	 * every answer would cost more than writing a small answer. */
	memset(w, 0, offsetof(owndns_msg_writer, compress));
	w->compress_indexed = 0;
	memset(w->compress_slot, 0, sizeof(w->compress_slot));
	if (cap > OWNDNS_MSG_MAX)
		cap = OWNDNS_MSG_MAX;
	w->buf = owndns_wbuf_init(buf, cap);
	if (cap < OWNDNS_HEADER_SIZE)
		return OWNDNS_ESPACE;
	w->hdr = *hdr;
	memset(w->hdr.count, 0, sizeof(w->hdr.count));
	w->section = OWNDNS_SECTION_QUESTION;
	/* The header is filled in by finish; reserve its place now. */
	memset(buf, 0, OWNDNS_HEADER_SIZE);
	w->buf.len = OWNDNS_HEADER_SIZE;
	return OWNDNS_OK;
}

owndns_header *owndns_writer_header(owndns_msg_writer *w)
{
	return &w->hdr;
}

int owndns_writer_reserve(owndns_msg_writer *w, size_t n)
{
	if (n > w->buf.cap - w->buf.len)
		return OWNDNS_ESPACE;
	w->buf.cap -= n;
	w->reserved += n;
	return OWNDNS_OK;
}

size_t owndns_writer_length(const owndns_msg_writer *w)
{
	return w->buf.len;
}

int owndns_writer_finish(owndns_msg_writer *w, size_t *len)
{
	owndns_wbuf hb = owndns_wbuf_init(w->buf.data, OWNDNS_HEADER_SIZE);
	owndns_wbuf_u16(&hb, w->hdr.id);
	owndns_wbuf_u16(&hb, w->hdr.flags);
	for (int s = 0; s < OWNDNS_SECTION_COUNT; s++)
		owndns_wbuf_u16(&hb, w->hdr.count[s]);
	*len = w->buf.len;
	return hb.error;
}

/* ---- Compression ------------------------------------------------------------- */

static uint8_t ascii_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

static bool labels_equal(const uint8_t *a, const uint8_t *b, uint8_t len)
{
	for (uint8_t i = 0; i < len; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

/* True when the name written at msg[off] (possibly ending in pointers) equals the
 * uncompressed name `name`, ignoring ASCII case.  Everything in msg was written by us,
 * so pointers go backwards; the hop bound is there for robustness only. */
static bool written_name_equals(const uint8_t *msg, size_t off, const uint8_t *name)
{
	for (unsigned hops = 0; hops < OWNDNS_NAME_MAX; hops++) {
		uint8_t len = msg[off];
		if ((len & POINTER_BITS) == POINTER_BITS) {
			off = ((size_t)(len & 0x3f) << 8) | msg[off + 1];
			continue;
		}
		if (len != name[0])
			return false;
		if (len == 0)
			return true;
		if (!labels_equal(msg + off + 1, name + 1, len))
			return false;
		off += 1u + len;
		name += 1u + len;
	}
	return false;
}

/* Full name comparisons allowed per lookup after a hash match.  Two different
 * suffixes rarely share a 32-bit hash; names crafted to collide only compress less. */
#define COMPRESS_COMPARES_MAX 4u
#define COMPRESS_SLOT_MASK (OWNDNS_COMPRESS_SLOTS - 1u)

#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u

/* Hash of a suffix: the label at `label` folded into the hash of the suffix after it,
 * so that all suffixes of a name are hashed in one pass from the right. */
static uint32_t suffix_hash(const uint8_t *label, uint32_t rest)
{
	uint32_t h = (rest ^ label[0]) * FNV_PRIME;
	for (uint8_t i = 1; i <= label[0]; i++)
		h = (h ^ ascii_lower(label[i])) * FNV_PRIME;
	return h;
}

static size_t slot_of(uint32_t hash)
{
	hash ^= hash >> 16;
	hash *= 0x7feb352du;
	hash ^= hash >> 15;
	return hash & COMPRESS_SLOT_MASK;
}

static void index_insert(owndns_msg_writer *w, uint16_t entry)
{
	size_t pos = slot_of(w->compress_hash[entry]);
	while (w->compress_slot[pos] != 0)
		pos = (pos + 1) & COMPRESS_SLOT_MASK;
	w->compress_slot[pos] = (uint16_t)(entry + 1u);
}

/* Removes the entry inserted last: with linear probing, taking entries out in the
 * reverse order of insertion leaves the table exactly as it was before them. */
static void index_remove_last(owndns_msg_writer *w)
{
	uint16_t entry = (uint16_t)(w->compress_indexed - 1u);
	size_t pos = slot_of(w->compress_hash[entry]);
	for (size_t probes = 0; probes < OWNDNS_COMPRESS_SLOTS; probes++) {
		if (w->compress_slot[pos] == entry + 1u) {
			w->compress_slot[pos] = 0;
			break;
		}
		pos = (pos + 1) & COMPRESS_SLOT_MASK;
	}
	w->compress_indexed = entry;
}

/* Hash of the name written at msg[off], read back through its pointers. */
static uint32_t written_name_hash(const uint8_t *msg, size_t off)
{
	const uint8_t *labels[OWNDNS_NAME_MAX / 2 + 1];
	size_t n = 0;
	uint32_t h = FNV_OFFSET;

	for (unsigned hops = 0; hops < OWNDNS_NAME_MAX && n < sizeof(labels) / sizeof(labels[0]); hops++) {
		uint8_t len = msg[off];
		if ((len & POINTER_BITS) == POINTER_BITS) {
			off = ((size_t)(len & 0x3f) << 8) | msg[off + 1];
			continue;
		}
		if (len == 0)
			break;
		labels[n++] = msg + off;
		off += 1u + len;
	}
	while (n > 0)
		h = suffix_hash(labels[--n], h);
	return h;
}

/* Brings the index in line with compress_count, which a rollback (ours or a caller's
 * through the public fields) may have moved back. */
static void index_sync(owndns_msg_writer *w)
{
	while (w->compress_indexed > w->compress_count)
		index_remove_last(w);
	while (w->compress_indexed < w->compress_count) {
		uint16_t entry = w->compress_indexed;
		w->compress_hash[entry] = written_name_hash(w->buf.data, w->compress[entry]);
		index_insert(w, entry);
		w->compress_indexed++;
	}
}

/* Offset of an earlier name equal to `suffix` (whose hash is `hash`), or -1. */
static long find_written(const owndns_msg_writer *w, const uint8_t *suffix, uint32_t hash)
{
	size_t pos = slot_of(hash);
	unsigned compares = 0;

	for (size_t probes = 0; probes < OWNDNS_COMPRESS_SLOTS; probes++) {
		uint16_t slot = w->compress_slot[pos];
		if (slot == 0)
			break;
		uint16_t entry = (uint16_t)(slot - 1u);
		if (w->compress_hash[entry] == hash) {
			if (compares++ == COMPRESS_COMPARES_MAX)
				break;
			if (written_name_equals(w->buf.data, w->compress[entry], suffix))
				return w->compress[entry];
		}
		pos = (pos + 1) & COMPRESS_SLOT_MASK;
	}
	return -1;
}

static void remember_offset(owndns_msg_writer *w, size_t off, uint32_t hash)
{
	if (off >= COMPRESS_OFFSET_LIMIT || w->compress_count >= OWNDNS_COMPRESS_MAX)
		return;
	uint16_t entry = w->compress_count++;
	w->compress[entry] = (uint16_t)off;
	w->compress_hash[entry] = hash;
	index_insert(w, entry);
	w->compress_indexed = w->compress_count;
}

/* Writes a valid uncompressed name, replacing its longest already written suffix
 * with a pointer.  Every suffix is looked up once, by hash: linear in the name. */
static void write_name_compressed(owndns_msg_writer *w, const uint8_t *name, size_t name_len)
{
	size_t offsets[OWNDNS_NAME_MAX / 2 + 1];
	uint32_t hashes[OWNDNS_NAME_MAX / 2 + 1];
	size_t labels = 0, head = 0;
	long target = -1;

	index_sync(w);
	for (size_t i = 0; name[i] != 0; i += 1u + name[i])
		offsets[labels++] = i;
	uint32_t h = FNV_OFFSET;
	for (size_t l = labels; l > 0; l--)
		hashes[l - 1] = h = suffix_hash(name + offsets[l - 1], h);
	size_t found = 0;
	for (; found < labels; found++) {
		target = find_written(w, name + offsets[found], hashes[found]);
		if (target >= 0)
			break;
	}
	head = found < labels ? offsets[found] : name_len;
	size_t start = w->buf.len;
	owndns_wbuf_bytes(&w->buf, name, target >= 0 ? head : name_len);
	if (target >= 0)
		owndns_wbuf_u16(&w->buf, (uint16_t)(0xc000u | (unsigned)target));
	if (w->buf.error)
		return;
	for (size_t l = 0; l < found; l++)
		remember_offset(w, start + offsets[l], hashes[l]);
}

static int checked_name_length(const uint8_t *name, size_t max, size_t *len)
{
	return owndns_name_check(name, max < OWNDNS_NAME_MAX ? max : OWNDNS_NAME_MAX, len);
}

/* ---- RDATA ------------------------------------------------------------------- */

/* Octets of a fixed-size field kind, 0 for kinds of variable or unknown size. */
static size_t fixed_field_size(uint8_t kind)
{
	switch (kind) {
	case RDF_U8:
	case RDF_SECALG:
		return 1;
	case RDF_U16:
	case RDF_TYPE:
	case RDF_CERT_TYPE:
		return 2;
	case RDF_U32:
	case RDF_TIME:
	case RDF_IPV4:
		return 4;
	case RDF_U48:
		return 6;
	case RDF_IPV6:
		return 16;
	default:
		return 0;
	}
}

static bool is_name_kind(uint8_t kind)
{
	return kind == RDF_NAME_C || kind == RDF_NAME_D || kind == RDF_NAME;
}

/* Number of leading fields to walk so that every RDF_NAME_C is compressed, or 0 when
 * the RDATA is copied as it is (no compressible name, or a field before the last one
 * whose size we cannot tell without the full RDATA machinery). */
static int fields_to_walk(const rdata_desc *desc)
{
	int walk = 0;

	if (!desc)
		return 0;
	for (int i = 0; i < RDATA_FIELDS_MAX && desc->fields[i] != RDF_END; i++)
		if (desc->fields[i] == RDF_NAME_C)
			walk = i + 1;
	for (int i = 0; i < walk; i++) {
		uint8_t kind = desc->fields[i];
		if (!is_name_kind(kind) && kind != RDF_STRING && !fixed_field_size(kind))
			return 0;
	}
	return walk;
}

static int write_rdata_field(owndns_msg_writer *w, uint8_t kind, owndns_rbuf *rd)
{
	const uint8_t *at = rd->data + rd->pos;
	size_t left = owndns_rbuf_left(rd);
	size_t n;

	if (is_name_kind(kind)) {
		int rc = checked_name_length(at, left, &n);
		if (rc)
			return rc;
		if (kind == RDF_NAME_C)
			write_name_compressed(w, at, n);
		else
			owndns_wbuf_bytes(&w->buf, at, n);
		owndns_rbuf_take(rd, n);
		return OWNDNS_OK;
	}
	n = kind == RDF_STRING ? (left ? 1u + at[0] : 1u) : fixed_field_size(kind);
	const uint8_t *p = owndns_rbuf_take(rd, n);
	if (!p)
		return OWNDNS_ERDATA;
	owndns_wbuf_bytes(&w->buf, p, n);
	return OWNDNS_OK;
}

/* RDATA with RDF_NAME_C names compressed (RFC 3597 §4: only RFC 1035 types);
 * RDF_NAME_D and RDF_NAME names are copied. */
static int write_rdata(owndns_msg_writer *w, uint16_t type, const uint8_t *rdata, size_t rdlen)
{
	const rdata_desc *desc = rdata_desc_find(type);
	int walk = fields_to_walk(desc);
	owndns_rbuf rd = owndns_rbuf_init(rdata, rdlen);

	for (int i = 0; i < walk; i++) {
		int rc = write_rdata_field(w, desc->fields[i], &rd);
		if (rc)
			return rc;
	}
	owndns_wbuf_bytes(&w->buf, rdata + rd.pos, rdlen - rd.pos);
	return OWNDNS_OK;
}

/* ---- Records ----------------------------------------------------------------- */

static void rollback(owndns_msg_writer *w, const msg_writer_mark *mark)
{
	w->buf.len = mark->len;
	w->buf.cap = mark->cap;
	w->buf.error = OWNDNS_OK;
	w->reserved = mark->reserved;
	w->compress_count = mark->compress_count;
}

static void set_mark(const owndns_msg_writer *w, msg_writer_mark *mark)
{
	mark->len = w->buf.len;
	mark->cap = w->buf.cap;
	mark->reserved = w->reserved;
	mark->compress_count = w->compress_count;
}

int msg_writer_rr_begin(owndns_msg_writer *w, owndns_section section, uint16_t type,
			msg_writer_mark *mark)
{
	if (section <= OWNDNS_SECTION_QUESTION || section > OWNDNS_SECTION_ADDITIONAL)
		return OWNDNS_EINVAL;
	if (type == OWNDNS_TYPE_OPT && section != OWNDNS_SECTION_ADDITIONAL)
		return OWNDNS_EINVAL;
	if (section < w->section || w->tsig_written)
		return OWNDNS_ESTATE;
	if (w->opt_written && type != OWNDNS_TYPE_TSIG)
		return OWNDNS_ESTATE;
	set_mark(w, mark);
	/* The reservation was made for this record (RFC 6891 §7). */
	if (type == OWNDNS_TYPE_OPT) {
		w->buf.cap += w->reserved;
		w->reserved = 0;
	}
	return OWNDNS_OK;
}

int msg_writer_rr_end(owndns_msg_writer *w, owndns_section section, uint16_t type,
		      const msg_writer_mark *mark, int status)
{
	if (!status && w->buf.error)
		status = w->buf.error == OWNDNS_ESPACE ? OWNDNS_ETRUNCATED_MSG : w->buf.error;
	if (status) {
		rollback(w, mark);
		return status;
	}
	w->section = section;
	w->hdr.count[section]++;
	if (type == OWNDNS_TYPE_OPT)
		w->opt_written = true;
	else if (type == OWNDNS_TYPE_TSIG)
		w->tsig_written = true;
	return OWNDNS_OK;
}

int owndns_writer_question(owndns_msg_writer *w, const uint8_t *qname, uint16_t qtype,
			   uint16_t qclass)
{
	msg_writer_mark mark;
	size_t name_len;

	if (w->section != OWNDNS_SECTION_QUESTION || w->hdr.count[OWNDNS_SECTION_ANSWER])
		return OWNDNS_ESTATE;
	int rc = checked_name_length(qname, OWNDNS_NAME_MAX, &name_len);
	if (rc)
		return rc;
	set_mark(w, &mark);
	write_name_compressed(w, qname, name_len);
	owndns_wbuf_u16(&w->buf, qtype);
	owndns_wbuf_u16(&w->buf, qclass);
	if (w->buf.error) {
		rollback(w, &mark);
		return OWNDNS_ETRUNCATED_MSG;
	}
	w->hdr.count[OWNDNS_SECTION_QUESTION]++;
	return OWNDNS_OK;
}

int owndns_writer_rr(owndns_msg_writer *w, owndns_section section, const owndns_rr *rr)
{
	msg_writer_mark mark;
	size_t owner_len;

	int rc = msg_writer_rr_begin(w, section, rr->type, &mark);
	if (rc)
		return rc;
	rc = checked_name_length(rr->owner, OWNDNS_NAME_MAX, &owner_len);
	if (!rc) {
		write_name_compressed(w, rr->owner, owner_len);
		owndns_wbuf_u16(&w->buf, rr->type);
		owndns_wbuf_u16(&w->buf, rr->rclass);
		owndns_wbuf_u32(&w->buf, rr->ttl);
		size_t rdlen_at = w->buf.len;
		owndns_wbuf_u16(&w->buf, 0);
		rc = write_rdata(w, rr->type, rr->rdata, rr->rdlen);
		owndns_wbuf_put_u16_at(&w->buf, rdlen_at,
				       (uint16_t)(w->buf.len - rdlen_at - 2));
	}
	return msg_writer_rr_end(w, section, rr->type, &mark, rc);
}
