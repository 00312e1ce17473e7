/* RR types, classes and RDATA.
 * One table (lib/rrtype.c) describes each known type's RDATA as a list of fields; the
 * wire reader, the checker, the text printer and the text parser all read it.  Types
 * not in the table are handled as RFC 3597 opaque data ("\# len hex", TYPEnnnnn).
 * RDATA handed to and returned by these functions is uncompressed wire form. */
#ifndef OWNDNS_RDATA_H
#define OWNDNS_RDATA_H

#include <stddef.h>
#include <stdint.h>
#include <owndns/error.h>

#ifdef __cplusplus
extern "C" {
#endif

enum owndns_rr_type {
	OWNDNS_TYPE_A = 1, OWNDNS_TYPE_NS = 2, OWNDNS_TYPE_MD = 3, OWNDNS_TYPE_MF = 4,
	OWNDNS_TYPE_CNAME = 5, OWNDNS_TYPE_SOA = 6, OWNDNS_TYPE_MB = 7, OWNDNS_TYPE_MG = 8,
	OWNDNS_TYPE_MR = 9, OWNDNS_TYPE_NULL = 10, OWNDNS_TYPE_WKS = 11, OWNDNS_TYPE_PTR = 12,
	OWNDNS_TYPE_HINFO = 13, OWNDNS_TYPE_MINFO = 14, OWNDNS_TYPE_MX = 15, OWNDNS_TYPE_TXT = 16,
	OWNDNS_TYPE_RP = 17, OWNDNS_TYPE_AFSDB = 18, OWNDNS_TYPE_X25 = 19, OWNDNS_TYPE_ISDN = 20,
	OWNDNS_TYPE_RT = 21, OWNDNS_TYPE_NSAP = 22, OWNDNS_TYPE_NSAP_PTR = 23, OWNDNS_TYPE_SIG = 24, OWNDNS_TYPE_KEY = 25,
	OWNDNS_TYPE_PX = 26, OWNDNS_TYPE_GPOS = 27, OWNDNS_TYPE_AAAA = 28, OWNDNS_TYPE_LOC = 29,
	OWNDNS_TYPE_NXT = 30, OWNDNS_TYPE_SRV = 33, OWNDNS_TYPE_NAPTR = 35, OWNDNS_TYPE_KX = 36,
	OWNDNS_TYPE_CERT = 37, OWNDNS_TYPE_A6 = 38, OWNDNS_TYPE_DNAME = 39, OWNDNS_TYPE_SINK = 40,
	OWNDNS_TYPE_OPT = 41,
	OWNDNS_TYPE_APL = 42, OWNDNS_TYPE_DS = 43, OWNDNS_TYPE_SSHFP = 44,
	OWNDNS_TYPE_IPSECKEY = 45, OWNDNS_TYPE_RRSIG = 46, OWNDNS_TYPE_NSEC = 47,
	OWNDNS_TYPE_DNSKEY = 48, OWNDNS_TYPE_DHCID = 49, OWNDNS_TYPE_NSEC3 = 50,
	OWNDNS_TYPE_NSEC3PARAM = 51, OWNDNS_TYPE_TLSA = 52, OWNDNS_TYPE_SMIMEA = 53,
	OWNDNS_TYPE_HIP = 55, OWNDNS_TYPE_NINFO = 56, OWNDNS_TYPE_TALINK = 58, OWNDNS_TYPE_CDS = 59, OWNDNS_TYPE_CDNSKEY = 60,
	OWNDNS_TYPE_OPENPGPKEY = 61, OWNDNS_TYPE_CSYNC = 62, OWNDNS_TYPE_ZONEMD = 63,
	OWNDNS_TYPE_SVCB = 64, OWNDNS_TYPE_HTTPS = 65, OWNDNS_TYPE_SPF = 99,
	OWNDNS_TYPE_NID = 104, OWNDNS_TYPE_L32 = 105, OWNDNS_TYPE_L64 = 106, OWNDNS_TYPE_LP = 107,
	OWNDNS_TYPE_EUI48 = 108, OWNDNS_TYPE_EUI64 = 109, OWNDNS_TYPE_TKEY = 249,
	OWNDNS_TYPE_TSIG = 250, OWNDNS_TYPE_IXFR = 251, OWNDNS_TYPE_AXFR = 252,
	OWNDNS_TYPE_MAILB = 253, OWNDNS_TYPE_MAILA = 254, OWNDNS_TYPE_ANY = 255,
	OWNDNS_TYPE_URI = 256, OWNDNS_TYPE_CAA = 257, OWNDNS_TYPE_AVC = 258,
	OWNDNS_TYPE_DOA = 259, OWNDNS_TYPE_AMTRELAY = 260, OWNDNS_TYPE_RESINFO = 261,
	OWNDNS_TYPE_TA = 32768, OWNDNS_TYPE_DLV = 32769
};

enum owndns_rr_class {
	OWNDNS_CLASS_IN = 1, OWNDNS_CLASS_CH = 3, OWNDNS_CLASS_HS = 4,
	OWNDNS_CLASS_NONE = 254, OWNDNS_CLASS_ANY = 255
};

/* Largest RDATA a record can carry. */
#define OWNDNS_RDATA_MAX 65535
/* Room for any type or class in text ("TYPE65535" / "CLASS65535") plus NUL. */
#define OWNDNS_TYPE_TEXT_MAX 16

/* The mnemonic of a known type ("AAAA"), or NULL. */
const char *owndns_type_mnemonic(uint16_t type);
/* Mnemonic or RFC 3597 "TYPE12345" into buf; returns the text length or ESPACE. */
int owndns_type_to_text(uint16_t type, char *buf, size_t size);
/* Mnemonic (any case) or "TYPEnnn" to a number.  Errors: EUNKNOWN_TYPE. */
int owndns_type_from_text(const char *text, size_t len, uint16_t *type);

const char *owndns_class_mnemonic(uint16_t rclass);
int owndns_class_to_text(uint16_t rclass, char *buf, size_t size);
int owndns_class_from_text(const char *text, size_t len, uint16_t *rclass);

/* True for QTYPE-only and meta types (OPT, TKEY, TSIG, IXFR, AXFR, MAILA, MAILB, ANY). */
int owndns_type_is_meta(uint16_t type);

/* Reads the RDATA of a record whose RDATA occupies msg[pos .. pos+rdlen), expanding
 * compressed names where RFC 3597 §4 lets them be compressed, checks it against the
 * type's format, and writes the uncompressed RDATA to `out` (up to out_cap octets,
 * OWNDNS_RDATA_MAX always suffices).  Errors: ERDATA, ETRUNCATED, ETRAILING, name
 * errors, ERDATA_LEN when the expanded RDATA exceeds 65535 octets. */
int owndns_rdata_unpack(uint16_t type, const uint8_t *msg, size_t msg_len, size_t pos,
			size_t rdlen, uint8_t *out, size_t out_cap, size_t *out_len);

/* Checks uncompressed RDATA against its type's format (no compression allowed). */
int owndns_rdata_check(uint16_t type, const uint8_t *rdata, size_t len);

/* Presentation form of RDATA as dig prints it (one line).  Unknown types, and known
 * types whose RDATA does not check, print as "\# len hex".  Returns the text length
 * (NUL written) or ESPACE. */
int owndns_rdata_to_text(uint16_t type, const uint8_t *rdata, size_t len, char *out,
			 size_t out_size);

/* RFC 3597 generic form "\# len hex" for any RDATA. */
int owndns_rdata_to_generic_text(const uint8_t *rdata, size_t len, char *out, size_t out_size);

/* Parses the presentation form of RDATA (the part after the type; whitespace, quoted
 * strings, parentheses and ';' comments as in a zone file).  Relative names are made
 * absolute with `origin` (a wire name; NULL means names must be absolute or are taken
 * as absolute).  "\# len hex" is accepted for every type and checked against the
 * type's format.  Errors: ESYNTAX and the field-specific codes. */
int owndns_rdata_from_text(uint16_t type, const char *text, size_t text_len,
			   const uint8_t *origin, uint8_t *out, size_t out_cap, size_t *out_len);

/* Lower-cases the embedded names that RFC 4034 §6.2 (as updated by RFC 6840 §5.1)
 * lists for the canonical form.  RDATA must have passed owndns_rdata_check. */
void owndns_rdata_canonicalize(uint16_t type, uint8_t *rdata, size_t len);

#ifdef __cplusplus
}
#endif
#endif
