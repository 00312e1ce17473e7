/* Answers from the cache: a view's records go through the message writer, so names are
 * compressed and a record that does not fit is rolled back; on top of that, the whole
 * RRset is rolled back when any of its records does not fit (RFC 2181 §9: an RRset
 * is sent whole or the message is truncated). */
#include "cache_internal.h"

/* What the writer changes when it commits a record.  Saved and restored through the
 * writer's public fields, since the writer's own mark covers one record only. */
typedef struct writer_state {
	size_t len;
	size_t cap;
	size_t reserved;
	uint16_t compress_count;
	uint16_t count;
	owndns_section section;
} writer_state;

static void writer_save(const owndns_msg_writer *w, owndns_section section, writer_state *st)
{
	st->len = w->buf.len;
	st->cap = w->buf.cap;
	st->reserved = w->reserved;
	st->compress_count = w->compress_count;
	st->count = w->hdr.count[section];
	st->section = w->section;
}

static void writer_restore(owndns_msg_writer *w, owndns_section section, const writer_state *st)
{
	w->buf.len = st->len;
	w->buf.cap = st->cap;
	w->buf.error = OWNDNS_OK;
	w->reserved = st->reserved;
	w->compress_count = st->compress_count;
	w->hdr.count[section] = st->count;
	w->section = st->section;
}

/* Writes the records of a block from record `first` on, then those before it (a
 * rotation, cache_view.first_record). */
static int append_block(const uint8_t *block, size_t len, uint16_t first, const uint8_t *owner,
			uint32_t ttl, owndns_msg_writer *w, owndns_section section)
{
	size_t pos = 0, start = 0;
	owndns_rr rr;

	for (uint16_t i = 0; i < first && cache_records_next(block, len, &pos, &rr); i++)
		start = pos;
	for (int pass = 0; pass < 2; pass++) {
		size_t end = pass == 0 ? len : start;
		pos = pass == 0 ? start : 0;
		while (cache_records_next(block, end, &pos, &rr)) {
			rr.owner = owner;
			rr.ttl = ttl;
			int rc = owndns_writer_rr(w, section, &rr);
			if (rc)
				return rc;
		}
	}
	return OWNDNS_OK;
}

/* The proof of a negative entry: each record under its own owner. */
static int append_proof(const uint8_t *block, size_t len, uint32_t ttl, owndns_msg_writer *w,
			owndns_section section)
{
	size_t pos = 0;
	owndns_rr rr;

	while (cache_proof_next(block, len, &pos, &rr)) {
		rr.ttl = ttl;
		int rc = owndns_writer_rr(w, section, &rr);
		if (rc)
			return rc;
	}
	return OWNDNS_OK;
}

int cache_view_append(const cache_view *v, owndns_msg_writer *w, owndns_section section,
		      const uint8_t *owner, unsigned flags)
{
	writer_state st;

	if (section <= OWNDNS_SECTION_QUESTION || section > OWNDNS_SECTION_ADDITIONAL)
		return OWNDNS_EINVAL;
	if (!owner)
		owner = v->records_owner;
	writer_save(w, section, &st);
	uint16_t first = v->record_count ? (uint16_t)(v->first_record % v->record_count) : 0;
	int rc = append_block(v->records, v->records_len, first, owner, v->ttl, w, section);
	if (!rc && (flags & CACHE_APPEND_SIGS))
		rc = append_block(v->sigs, v->sigs_len, 0, owner, v->ttl, w, section);
	if (!rc && (flags & CACHE_APPEND_SIGS))
		rc = append_proof(v->proof, v->proof_len, v->ttl, w, section);
	if (rc)
		writer_restore(w, section, &st);
	return rc;
}
