/* Writing the response to a client (reply.h). */
#include "reply.h"

#include <stddef.h>
#include <string.h>

static owndns_header reply_header(const reply_query *q, bool recursion)
{
	owndns_header h;
	memset(&h, 0, sizeof(h));
	h.id = q->id;
	h.flags = (uint16_t)(OWNDNS_FLAG_QR |
			     (q->flags & (0x7800u | OWNDNS_FLAG_RD | OWNDNS_FLAG_CD)));
	if (recursion)
		h.flags |= OWNDNS_FLAG_RA;
	return h;
}

static size_t reply_limit(const reply_query *q, uint16_t udp_max, size_t cap)
{
	size_t limit = OWNDNS_MSG_MAX;
	if (!q->tcp) {
		limit = OWNDNS_MSG_UDP_MAX;
		if (q->has_edns)
			limit = q->edns_udp_size < udp_max ? q->edns_udp_size : udp_max;
		if (limit < OWNDNS_MSG_UDP_MAX)
			limit = OWNDNS_MSG_UDP_MAX;
	}
	return limit < cap ? limit : cap;
}

void reply_init(reply *r, const reply_query *q, uint16_t udp_max, bool recursion,
		uint8_t *out, size_t cap)
{
	/* reply_begin initialises the writer; until then only its fixed part is cleared
	 * (an empty buffer that takes nothing): its 5 KiB of compression tables are read
	 * only below their counts, and clearing them here cost a memset per answer. */
	memset(&r->w, 0, offsetof(owndns_msg_writer, compress));
	r->q = q;
	r->out = out;
	r->limit = reply_limit(q, udp_max, cap);
	r->hdr = reply_header(q, recursion);
	r->with_opt = q->has_edns;
	owndns_edns_builder_init(&r->opt, r->opt_storage, sizeof(r->opt_storage), udp_max);
	r->opt.dnssec_ok = q->has_edns && q->dnssec_ok;
}

void reply_set_rcode(reply *r, unsigned rcode)
{
	owndns_header_set_rcode(&r->hdr, rcode & 0xfu);
	r->opt.ext_rcode = (uint8_t)(rcode >> 4);
}

int reply_begin(reply *r)
{
	int rc = owndns_writer_init(&r->w, r->out, r->limit, &r->hdr);
	if (rc)
		return rc;
	if (r->with_opt) {
		rc = owndns_writer_reserve(&r->w, owndns_edns_size(&r->opt));
		if (rc)
			return rc;
	}
	return owndns_writer_question(&r->w, r->q->qname, r->q->qtype, r->q->qclass);
}

size_t reply_finish(reply *r)
{
	size_t len;
	/* Only the flags: the writer keeps the section counts in its header. */
	owndns_writer_header(&r->w)->flags = r->hdr.flags;
	if (r->with_opt && owndns_writer_edns(&r->w, &r->opt))
		return 0;
	if (owndns_writer_finish(&r->w, &len))
		return 0;
	return len;
}

size_t reply_error(reply *r, unsigned rcode)
{
	reply_set_rcode(r, rcode);
	if (reply_begin(r))
		return 0;
	return reply_finish(r);
}
