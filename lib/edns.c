/* EDNS(0) OPT record: decoding from a message, option framing, and writing it into a
 * message (RFC 6891 §6). */
#include <owndns/edns.h>
#include <owndns/rdata.h>

#include "message_writer_internal.h"

#define OPT_TTL_EXT_RCODE_SHIFT 24
#define OPT_TTL_VERSION_SHIFT 16

int owndns_edns_from_msg(const owndns_msg *m, owndns_edns *e)
{
	owndns_rr_view v;
	int rc = owndns_msg_opt(m, &v);
	if (rc)
		return rc;
	memset(e, 0, sizeof(*e));
	e->udp_size_raw = v.rclass;
	/* RFC 6891 §6.2.3: a size below 512 is taken as 512. */
	e->udp_size = v.rclass < OWNDNS_MSG_UDP_MAX ? OWNDNS_MSG_UDP_MAX : v.rclass;
	e->ext_rcode = (uint8_t)(v.ttl >> OPT_TTL_EXT_RCODE_SHIFT);
	e->version = (uint8_t)(v.ttl >> OPT_TTL_VERSION_SHIFT);
	e->dnssec_ok = (v.ttl & OWNDNS_EDNS_DO) != 0;
	e->z = (uint16_t)(v.ttl & ~OWNDNS_EDNS_DO & 0xffffu);
	e->options = m->pkt + v.rdata_pos;
	e->options_len = v.rdlen;

	owndns_edns_opt_iter it;
	owndns_edns_option opt;
	owndns_edns_opt_iter_init(&it, e->options, e->options_len);
	while ((rc = owndns_edns_opt_next(&it, &opt)) > 0)
		;
	return rc;
}

unsigned owndns_msg_rcode(const owndns_msg *m)
{
	owndns_rr_view v;
	unsigned rcode = owndns_header_rcode(&m->hdr);

	if (owndns_msg_opt(m, &v) == OWNDNS_OK)
		rcode = owndns_edns_rcode((uint8_t)(v.ttl >> OPT_TTL_EXT_RCODE_SHIFT), rcode);
	return rcode;
}

void owndns_edns_opt_iter_init(owndns_edns_opt_iter *it, const uint8_t *data, size_t len)
{
	it->rd = owndns_rbuf_init(data, len);
}

int owndns_edns_opt_next(owndns_edns_opt_iter *it, owndns_edns_option *opt)
{
	if (it->rd.error)
		return OWNDNS_EEDNS_OPTION;
	if (owndns_rbuf_left(&it->rd) == 0)
		return 0;
	opt->code = owndns_rbuf_u16(&it->rd);
	opt->len = owndns_rbuf_u16(&it->rd);
	opt->data = owndns_rbuf_take(&it->rd, opt->len);
	if (it->rd.error)
		return OWNDNS_EEDNS_OPTION;
	return 1;
}

int owndns_edns_find_option(const owndns_edns *e, uint16_t code, owndns_edns_option *opt)
{
	owndns_edns_opt_iter it;
	int rc;

	owndns_edns_opt_iter_init(&it, e->options, e->options_len);
	while ((rc = owndns_edns_opt_next(&it, opt)) > 0)
		if (opt->code == code)
			return OWNDNS_OK;
	return rc ? rc : OWNDNS_ENOTFOUND;
}

static const struct {
	uint16_t code;
	const char *name;
} option_names[] = {
	{ 1, "LLQ" },
	{ 2, "UL" },
	{ OWNDNS_EDNS_NSID, "NSID" },
	{ 5, "DAU" },
	{ 6, "DHU" },
	{ 7, "N3U" },
	{ OWNDNS_EDNS_CLIENT_SUBNET, "CLIENT-SUBNET" },
	{ OWNDNS_EDNS_EXPIRE, "EXPIRE" },
	{ OWNDNS_EDNS_COOKIE, "COOKIE" },
	{ OWNDNS_EDNS_TCP_KEEPALIVE, "TCP-KEEPALIVE" },
	{ OWNDNS_EDNS_PADDING, "PADDING" },
	{ OWNDNS_EDNS_CHAIN, "CHAIN" },
	{ OWNDNS_EDNS_KEY_TAG, "KEY-TAG" },
	{ OWNDNS_EDNS_EDE, "EDE" },
	{ 16, "CLIENT-TAG" },
	{ 17, "SERVER-TAG" },
	{ 18, "REPORT-CHANNEL" },
	{ 19, "ZONEVERSION" },
};

const char *owndns_edns_option_name(uint16_t code)
{
	for (size_t i = 0; i < sizeof(option_names) / sizeof(option_names[0]); i++)
		if (option_names[i].code == code)
			return option_names[i].name;
	return NULL;
}

/* ---- Builder and writer ------------------------------------------------------ */

void owndns_edns_builder_init(owndns_edns_builder *b, uint8_t *storage, size_t cap,
			      uint16_t udp_size)
{
	memset(b, 0, sizeof(*b));
	b->udp_size = udp_size;
	b->opts = owndns_wbuf_init(storage, cap > OWNDNS_RDATA_MAX ? OWNDNS_RDATA_MAX : cap);
}

int owndns_edns_add_option(owndns_edns_builder *b, uint16_t code, const void *data, size_t len)
{
	if (len > OWNDNS_RDATA_MAX ||
	    b->opts.cap - b->opts.len < OWNDNS_EDNS_OPTION_HEADER + len)
		return OWNDNS_ESPACE;
	owndns_wbuf_u16(&b->opts, code);
	owndns_wbuf_u16(&b->opts, (uint16_t)len);
	owndns_wbuf_bytes(&b->opts, data, len);
	return b->opts.error;
}

void owndns_edns_set_padding(owndns_edns_builder *b, uint16_t block)
{
	b->pad_block = block;
}

size_t owndns_edns_size(const owndns_edns_builder *b)
{
	return OWNDNS_OPT_FIXED_SIZE + b->opts.len + (b->pad_block ? OWNDNS_EDNS_OPTION_HEADER : 0);
}

/* Padding octets that make the message a multiple of the block (RFC 8467 §4.1) once
 * the OPT is written, but no more than fit; -1 when the PADDING option itself does
 * not fit. */
static long padding_length(const owndns_msg_writer *w, const owndns_edns_builder *b)
{
	size_t unpadded = w->buf.len + owndns_edns_size(b);
	if (unpadded > w->buf.cap)
		return -1;
	size_t pad = (b->pad_block - unpadded % b->pad_block) % b->pad_block;
	size_t room = w->buf.cap - unpadded;
	if (pad > room)
		pad = room;
	if (b->opts.len + OWNDNS_EDNS_OPTION_HEADER + pad > OWNDNS_RDATA_MAX)
		pad = OWNDNS_RDATA_MAX - b->opts.len - OWNDNS_EDNS_OPTION_HEADER;
	return (long)pad;
}

int owndns_writer_edns(owndns_msg_writer *w, const owndns_edns_builder *b)
{
	msg_writer_mark mark;
	int rc = msg_writer_rr_begin(w, OWNDNS_SECTION_ADDITIONAL, OWNDNS_TYPE_OPT, &mark);
	if (rc)
		return rc;
	if (b->opts.error)
		return msg_writer_rr_end(w, OWNDNS_SECTION_ADDITIONAL, OWNDNS_TYPE_OPT, &mark,
					 OWNDNS_EINVAL);

	long pad = b->pad_block && b->opts.len <= OWNDNS_RDATA_MAX - OWNDNS_EDNS_OPTION_HEADER
			   ? padding_length(w, b) : -1;
	size_t rdlen = b->opts.len + (pad >= 0 ? OWNDNS_EDNS_OPTION_HEADER + (size_t)pad : 0);
	uint32_t ttl = ((uint32_t)b->ext_rcode << OPT_TTL_EXT_RCODE_SHIFT) |
		       ((uint32_t)b->version << OPT_TTL_VERSION_SHIFT) |
		       (b->dnssec_ok ? OWNDNS_EDNS_DO : 0) | (b->z & ~OWNDNS_EDNS_DO & 0xffffu);

	owndns_wbuf_u8(&w->buf, 0); /* root owner, RFC 6891 §6.1.2 */
	owndns_wbuf_u16(&w->buf, OWNDNS_TYPE_OPT);
	owndns_wbuf_u16(&w->buf, b->udp_size);
	owndns_wbuf_u32(&w->buf, ttl);
	owndns_wbuf_u16(&w->buf, (uint16_t)rdlen);
	owndns_wbuf_bytes(&w->buf, b->opts.data, b->opts.len);
	if (pad >= 0) {
		owndns_wbuf_u16(&w->buf, OWNDNS_EDNS_PADDING);
		owndns_wbuf_u16(&w->buf, (uint16_t)pad);
		/* RFC 7830 §3: padding octets SHOULD be 0x00. */
		if (owndns_wbuf_room(&w->buf, (size_t)pad)) {
			memset(w->buf.data + w->buf.len, 0, (size_t)pad);
			w->buf.len += (size_t)pad;
		}
	}
	return msg_writer_rr_end(w, OWNDNS_SECTION_ADDITIONAL, OWNDNS_TYPE_OPT, &mark, OWNDNS_OK);
}
