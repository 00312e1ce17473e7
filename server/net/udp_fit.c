/* Truncating an oversized UDP response to header, question and OPT (udp_fit.h). */
#include "udp_fit.h"

#include <string.h>

#include <owndns/buffer.h>
#include <owndns/message.h>

/* TYPE, CLASS, TTL, RDLENGTH of a record: what follows the owner name. */
#define RR_FIXED_SIZE 10

/* Rewrites the header counts and sets TC. */
static void write_truncated_header(uint8_t *msg, const owndns_header *hdr, uint16_t arcount)
{
	owndns_wbuf w = owndns_wbuf_init(msg, OWNDNS_HEADER_SIZE);
	owndns_wbuf_u16(&w, hdr->id);
	owndns_wbuf_u16(&w, (uint16_t)(hdr->flags | OWNDNS_FLAG_TC));
	owndns_wbuf_u16(&w, hdr->count[OWNDNS_SECTION_QUESTION]);
	owndns_wbuf_u16(&w, 0);
	owndns_wbuf_u16(&w, 0);
	owndns_wbuf_u16(&w, arcount);
}

size_t udp_fit_response(uint8_t *msg, size_t len, size_t max)
{
	if (len <= max)
		return len;
	owndns_msg m;
	if (owndns_msg_open(&m, msg, len) != OWNDNS_OK)
		return 0;
	size_t question_end = m.section_pos[OWNDNS_SECTION_ANSWER];
	size_t opt_len = 0;
	owndns_rr_view opt;
	if (owndns_msg_opt(&m, &opt) == OWNDNS_OK)
		opt_len = 1 + RR_FIXED_SIZE + opt.rdlen;
	if (question_end + opt_len > max)
		return 0;
	if (opt_len) {
		/* The owner is the root, written plainly even if it came as a pointer; the
		 * record lies after the question, so this only moves octets down. */
		msg[question_end] = 0;
		memmove(msg + question_end + 1, msg + opt.rdata_pos - RR_FIXED_SIZE,
			RR_FIXED_SIZE + opt.rdlen);
	}
	owndns_header hdr = m.hdr;
	write_truncated_header(msg, &hdr, opt_len ? 1 : 0);
	return question_end + opt_len;
}
