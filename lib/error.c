#include <owndns/error.h>

#include <stddef.h>

/* One row per status code; the index is the negated code, so the table must stay in
 * the order of owndns_status (checked by tests/unit/test_error.c). */
static const struct status_message {
	int status;
	const char *message;
} status_messages[] = {
	{ OWNDNS_OK, "success" },
	{ OWNDNS_ENOMEM, "out of memory" },
	{ OWNDNS_EINVAL, "invalid argument" },
	{ OWNDNS_ETRUNCATED, "input ends before the data it announces" },
	{ OWNDNS_ESPACE, "output buffer too small" },
	{ OWNDNS_ETRAILING, "data left over after a complete item" },
	{ OWNDNS_ELABEL_LONG, "label longer than 63 octets" },
	{ OWNDNS_ENAME_LONG, "name longer than 255 octets" },
	{ OWNDNS_ELABEL_EMPTY, "empty label inside a name" },
	{ OWNDNS_ELABEL_TYPE, "reserved label type" },
	{ OWNDNS_EPTR_LOOP, "compression pointer loops or does not point backwards" },
	{ OWNDNS_EPTR_RANGE, "compression pointer points outside the message" },
	{ OWNDNS_EPTR_FORBIDDEN, "compression pointer where none is allowed" },
	{ OWNDNS_ESYNTAX, "malformed presentation format" },
	{ OWNDNS_EESCAPE, "bad backslash escape" },
	{ OWNDNS_ENUMBER, "number malformed or out of range" },
	{ OWNDNS_EIPV4, "malformed IPv4 address" },
	{ OWNDNS_EIPV6, "malformed IPv6 address" },
	{ OWNDNS_EBASE64, "malformed base64" },
	{ OWNDNS_EBASE32, "malformed base32hex" },
	{ OWNDNS_EHEX, "malformed hexadecimal" },
	{ OWNDNS_ETIME, "malformed timestamp" },
	{ OWNDNS_ESTRING_LONG, "character-string longer than 255 octets" },
	{ OWNDNS_EUNKNOWN_TYPE, "unknown RR type" },
	{ OWNDNS_EUNKNOWN_CLASS, "unknown class" },
	{ OWNDNS_ERDATA, "RDATA does not match its type's format" },
	{ OWNDNS_ERDATA_LEN, "RDATA too long or RDLENGTH wrong" },
	{ OWNDNS_EBITMAP, "malformed type bitmap" },
	{ OWNDNS_ESVCPARAM, "malformed or misordered SVCB parameter" },
	{ OWNDNS_EHEADER, "message shorter than its header" },
	{ OWNDNS_ESECTION, "section counts do not match the records present" },
	{ OWNDNS_EEDNS, "malformed or misplaced OPT record" },
	{ OWNDNS_EEDNS_OPTION, "malformed EDNS option" },
	{ OWNDNS_ENOTFOUND, "not found" },
	{ OWNDNS_ETRUNCATED_MSG, "message truncated: no room for the answer" },
	{ OWNDNS_ELOC, "malformed LOC text" },
	{ OWNDNS_EAPL, "malformed APL item" },
	{ OWNDNS_EGENERIC, "malformed RFC 3597 generic RDATA" },
	{ OWNDNS_ESTATE, "call not valid in the current state" },
};

#define STATUS_COUNT (sizeof(status_messages) / sizeof(status_messages[0]))

_Static_assert(STATUS_COUNT == (size_t)(-OWNDNS_ERROR_MIN_) + 1,
	       "one row per status code in status_messages");

const char *owndns_strerror(int status)
{
	if (status > 0 || status < OWNDNS_ERROR_MIN_)
		return "unknown error";
	const struct status_message *row = &status_messages[-status];
	return row->status == status ? row->message : "unknown error";
}
