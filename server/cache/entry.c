/* Entry contents: records pre-encoded as owner-less wire records, so that an answer is
 * built by copying them and setting the TTL; and the copy of an entry into a view. */
#include <string.h>

#include "cache_internal.h"

/* TYPE, CLASS, TTL, RDLENGTH. */
#define RECORD_FIXED 10

size_t cache_records_size(const owndns_rr *rrs, size_t count)
{
	size_t total = 0;
	for (size_t i = 0; i < count; i++)
		total += RECORD_FIXED + rrs[i].rdlen;
	return total;
}

/* RFC 2181 §5: an RRset holds each record once.  Compared octet for octet, so names
 * in RDATA that differ only in case are kept twice (harmless, and rare). */
static bool is_duplicate(const owndns_rr *rrs, size_t index)
{
	for (size_t i = 0; i < index; i++)
		if (rrs[i].rdlen == rrs[index].rdlen &&
		    (rrs[i].rdlen == 0 || memcmp(rrs[i].rdata, rrs[index].rdata, rrs[i].rdlen) == 0))
			return true;
	return false;
}

size_t cache_records_encode(const owndns_rr *rrs, size_t count, uint8_t *out,
			    uint16_t *written_count)
{
	owndns_wbuf b = owndns_wbuf_init(out, cache_records_size(rrs, count));
	uint16_t written = 0;

	for (size_t i = 0; i < count; i++) {
		if (is_duplicate(rrs, i))
			continue;
		owndns_wbuf_u16(&b, rrs[i].type);
		owndns_wbuf_u16(&b, rrs[i].rclass);
		owndns_wbuf_u32(&b, 0); /* TTL: set when answering */
		owndns_wbuf_u16(&b, rrs[i].rdlen);
		owndns_wbuf_bytes(&b, rrs[i].rdata, rrs[i].rdlen);
		written++;
	}
	*written_count = written;
	return b.len;
}

int cache_records_next(const uint8_t *block, size_t len, size_t *pos, owndns_rr *rr)
{
	owndns_rbuf b = owndns_rbuf_init(block, len);

	b.pos = *pos;
	if (b.pos >= len)
		return 0;
	rr->owner = NULL;
	rr->type = owndns_rbuf_u16(&b);
	rr->rclass = owndns_rbuf_u16(&b);
	(void)owndns_rbuf_u32(&b);
	rr->ttl = 0;
	rr->rdlen = owndns_rbuf_u16(&b);
	rr->rdata = owndns_rbuf_take(&b, rr->rdlen);
	if (b.error)
		return 0; /* only for a block that this module did not encode */
	*pos = b.pos;
	return 1;
}

size_t cache_proof_size(const owndns_rr *rrs, size_t count)
{
	size_t total = 0;
	for (size_t i = 0; i < count; i++)
		total += owndns_name_length(rrs[i].owner) + RECORD_FIXED + rrs[i].rdlen;
	return total;
}

size_t cache_proof_encode(const owndns_rr *rrs, size_t count, uint8_t *out)
{
	owndns_wbuf b = owndns_wbuf_init(out, cache_proof_size(rrs, count));

	for (size_t i = 0; i < count; i++) {
		owndns_wbuf_bytes(&b, rrs[i].owner, owndns_name_length(rrs[i].owner));
		owndns_wbuf_u16(&b, rrs[i].type);
		owndns_wbuf_u16(&b, rrs[i].rclass);
		owndns_wbuf_u32(&b, 0); /* TTL: set when answering */
		owndns_wbuf_u16(&b, rrs[i].rdlen);
		owndns_wbuf_bytes(&b, rrs[i].rdata, rrs[i].rdlen);
	}
	return b.len;
}

int cache_proof_next(const uint8_t *block, size_t len, size_t *pos, owndns_rr *rr)
{
	size_t owner_len;

	if (*pos >= len ||
	    owndns_name_check(block + *pos, len - *pos, &owner_len) != OWNDNS_OK)
		return 0;
	size_t next = *pos + owner_len;
	if (!cache_records_next(block, len, &next, rr))
		return 0;
	rr->owner = block + *pos;
	*pos = next;
	return 1;
}

void cache_view_init(cache_view *v, uint8_t *storage, size_t cap)
{
	memset(v, 0, sizeof(*v));
	v->storage = storage;
	v->storage_cap = cap;
}

int cache_entry_to_view(const cache_entry *e, uint32_t now, cache_view *v)
{
	size_t total = cache_entry_data_len(e);

	if (total > v->storage_cap)
		return OWNDNS_ESPACE;
	memcpy(v->storage, e->data, total);
	v->kind = e->kind;
	v->rank = e->rank;
	v->validation = e->validation;
	v->type = e->kind == CACHE_KIND_POSITIVE ? e->type : OWNDNS_TYPE_SOA;
	v->rclass = e->rclass;
	v->stale = !cache_entry_fresh(e, now);
	v->ttl = v->stale ? CACHE_STALE_TTL : e->expiry - now;
	v->original_ttl = e->ttl;
	v->owner = v->storage;
	v->records_owner = e->records_owner_len ? v->storage + e->owner_len : v->owner;
	v->records = v->storage + e->owner_len + e->records_owner_len;
	v->records_len = e->records_len;
	v->record_count = e->record_count;
	v->sigs = v->records + e->records_len;
	v->sigs_len = e->sigs_len;
	v->sig_count = e->sig_count;
	v->proof_len = cache_entry_proof_len(e);
	v->proof = v->proof_len ? v->sigs + e->sigs_len + 2 : NULL;
	return OWNDNS_OK;
}
