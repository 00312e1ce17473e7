/* The message header and the names of opcodes and rcodes (RFC 1035 §4.1.1, RFC 6895). */
#include <owndns/message.h>

#include "text_buf.h"

int owndns_header_read(const uint8_t *pkt, size_t len, owndns_header *h)
{
	if (len < OWNDNS_HEADER_SIZE)
		return OWNDNS_EHEADER;
	owndns_rbuf rb = owndns_rbuf_init(pkt, len);
	h->id = owndns_rbuf_u16(&rb);
	h->flags = owndns_rbuf_u16(&rb);
	for (int s = 0; s < OWNDNS_SECTION_COUNT; s++)
		h->count[s] = owndns_rbuf_u16(&rb);
	return OWNDNS_OK;
}

static const char *const opcode_names[16] = {
	[OWNDNS_OPCODE_QUERY] = "QUERY",
	[OWNDNS_OPCODE_IQUERY] = "IQUERY",
	[OWNDNS_OPCODE_STATUS] = "STATUS",
	[OWNDNS_OPCODE_NOTIFY] = "NOTIFY",
	[OWNDNS_OPCODE_UPDATE] = "UPDATE",
};

/* 16 is BADVERS in an OPT record and BADSIG in TSIG; dig prints BADVERS. */
static const char *const rcode_names[24] = {
	[OWNDNS_RCODE_NOERROR] = "NOERROR",
	[OWNDNS_RCODE_FORMERR] = "FORMERR",
	[OWNDNS_RCODE_SERVFAIL] = "SERVFAIL",
	[OWNDNS_RCODE_NXDOMAIN] = "NXDOMAIN",
	[OWNDNS_RCODE_NOTIMP] = "NOTIMP",
	[OWNDNS_RCODE_REFUSED] = "REFUSED",
	[OWNDNS_RCODE_YXDOMAIN] = "YXDOMAIN",
	[OWNDNS_RCODE_YXRRSET] = "YXRRSET",
	[OWNDNS_RCODE_NXRRSET] = "NXRRSET",
	[OWNDNS_RCODE_NOTAUTH] = "NOTAUTH",
	[OWNDNS_RCODE_NOTZONE] = "NOTZONE",
	[OWNDNS_RCODE_BADVERS] = "BADVERS",
	[OWNDNS_RCODE_BADKEY] = "BADKEY",
	[OWNDNS_RCODE_BADTIME] = "BADTIME",
	[OWNDNS_RCODE_BADMODE] = "BADMODE",
	[OWNDNS_RCODE_BADNAME] = "BADNAME",
	[OWNDNS_RCODE_BADALG] = "BADALG",
	[OWNDNS_RCODE_BADTRUNC] = "BADTRUNC",
	[OWNDNS_RCODE_BADCOOKIE] = "BADCOOKIE",
};

const char *owndns_opcode_name(unsigned opcode)
{
	return opcode < 16 ? opcode_names[opcode] : NULL;
}

const char *owndns_rcode_name(unsigned rcode)
{
	return rcode < 24 ? rcode_names[rcode] : NULL;
}

static int name_or_fallback(const char *name, unsigned value, bool reserved, char *buf,
			    size_t size)
{
	text_buf t;
	text_buf_init(&t, buf, size);
	if (name)
		text_buf_puts(&t, name);
	else if (reserved)
		text_buf_printf(&t, "RESERVED%u", value);
	else
		text_buf_printf(&t, "%u", value);
	return text_buf_result(&t);
}

int owndns_opcode_to_text(unsigned opcode, char *buf, size_t size)
{
	return name_or_fallback(owndns_opcode_name(opcode), opcode, opcode < 16, buf, size);
}

int owndns_rcode_to_text(unsigned rcode, char *buf, size_t size)
{
	return name_or_fallback(owndns_rcode_name(rcode), rcode, rcode >= 11 && rcode < 16,
				buf, size);
}
