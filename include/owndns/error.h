/* owndns status codes.
 * Every libowndns function that can fail returns an int: OWNDNS_OK (0) or one of the
 * negative codes below.  owndns_strerror() turns any code into a one-line message. */
#ifndef OWNDNS_ERROR_H
#define OWNDNS_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum owndns_status {
	OWNDNS_OK = 0,
	OWNDNS_ENOMEM = -1,           /* out of memory */
	OWNDNS_EINVAL = -2,           /* invalid argument */
	OWNDNS_ETRUNCATED = -3,       /* input ends before the data it announces */
	OWNDNS_ESPACE = -4,           /* output buffer too small */
	OWNDNS_ETRAILING = -5,        /* data left over after a complete item */
	OWNDNS_ELABEL_LONG = -6,      /* a label is longer than 63 octets */
	OWNDNS_ENAME_LONG = -7,       /* a name is longer than 255 octets */
	OWNDNS_ELABEL_EMPTY = -8,     /* an empty label inside a name ("a..b") */
	OWNDNS_ELABEL_TYPE = -9,      /* reserved label type (0x40/0x80) */
	OWNDNS_EPTR_LOOP = -10,       /* compression pointer loops or does not point backwards */
	OWNDNS_EPTR_RANGE = -11,      /* compression pointer points outside the message */
	OWNDNS_EPTR_FORBIDDEN = -12,  /* compression pointer where none is allowed */
	OWNDNS_ESYNTAX = -13,         /* malformed presentation (text) format */
	OWNDNS_EESCAPE = -14,         /* bad backslash escape in text */
	OWNDNS_ENUMBER = -15,         /* number malformed or out of range */
	OWNDNS_EIPV4 = -16,           /* malformed IPv4 address */
	OWNDNS_EIPV6 = -17,           /* malformed IPv6 address */
	OWNDNS_EBASE64 = -18,         /* malformed base64 */
	OWNDNS_EBASE32 = -19,         /* malformed base32hex */
	OWNDNS_EHEX = -20,            /* malformed hexadecimal */
	OWNDNS_ETIME = -21,           /* malformed timestamp */
	OWNDNS_ESTRING_LONG = -22,    /* character-string longer than 255 octets */
	OWNDNS_EUNKNOWN_TYPE = -23,   /* unknown RR type mnemonic */
	OWNDNS_EUNKNOWN_CLASS = -24,  /* unknown class mnemonic */
	OWNDNS_ERDATA = -25,          /* RDATA does not match its type's format */
	OWNDNS_ERDATA_LEN = -26,      /* RDATA longer than 65535 octets, or RDLENGTH wrong */
	OWNDNS_EBITMAP = -27,         /* malformed type bitmap */
	OWNDNS_ESVCPARAM = -28,       /* malformed or misordered SVCB parameter */
	OWNDNS_EHEADER = -29,         /* message shorter than its 12-octet header */
	OWNDNS_ESECTION = -30,        /* section counts do not match the records present */
	OWNDNS_EEDNS = -31,           /* malformed or misplaced OPT record */
	OWNDNS_EEDNS_OPTION = -32,    /* malformed EDNS option */
	OWNDNS_ENOTFOUND = -33,       /* item looked for is absent */
	OWNDNS_ETRUNCATED_MSG = -34,  /* message writer ran out of room: answer truncated */
	OWNDNS_ELOC = -35,            /* malformed LOC text */
	OWNDNS_EAPL = -36,            /* malformed APL item */
	OWNDNS_EGENERIC = -37,        /* malformed RFC 3597 \# generic RDATA */
	OWNDNS_ESTATE = -38,          /* call not valid in the object's current state */
	OWNDNS_ERROR_MIN_ = -38
} owndns_status;

/* A static, never-NULL message for any status code (unknown codes included). */
const char *owndns_strerror(int status);

#ifdef __cplusplus
}
#endif
#endif
