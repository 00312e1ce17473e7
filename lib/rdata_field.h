/* Internal: RDATA field descriptors and the converters behind them.
 * Each known type is a row in lib/rrtype.c: its mnemonic and a list of field kinds
 * ending with RDF_END.  Simple kinds are handled in lib/rdata.c; kinds whose layout is
 * a format of its own (SVCB parameters, LOC, APL, IPSECKEY …) provide an
 * rdata_field_ops in a file of their own. */
#ifndef OWNDNS_RDATA_FIELD_H
#define OWNDNS_RDATA_FIELD_H

#include <stdint.h>
#include <owndns/buffer.h>
#include "lexer.h"
#include "text_buf.h"

typedef enum rdata_field_kind {
	RDF_END = 0,
	RDF_NAME_C,     /* name: compressed on write, expanded on read (RFC 1035 types) */
	RDF_NAME_D,     /* name: expanded on read, never compressed on write (RFC 3597 §4) */
	RDF_NAME,       /* name: never compressed either way */
	RDF_U8,
	RDF_U16,
	RDF_U32,
	RDF_U48,
	RDF_TYPE,       /* u16 printed as a type mnemonic (RRSIG type covered) */
	RDF_TIME,       /* u32 printed YYYYMMDDHHmmSS (RRSIG; RFC 4034 §3.2 serial arithmetic) */
	RDF_IPV4,
	RDF_IPV6,
	RDF_STRING,     /* one <character-string> */
	RDF_STRINGS,    /* one or more <character-string>s to the end (TXT, SPF) */
	RDF_STRING_REST,/* octets to the end printed as one quoted string (CAA value, URI target) */
	RDF_TAG,        /* u8 length + printable tag, unquoted (CAA tag) */
	RDF_BASE64,     /* octets to the end, base64 (may be split over tokens) */
	RDF_BASE64_OPT, /* as RDF_BASE64 but may be empty */
	RDF_HEX,        /* octets to the end, hex (may be split over tokens) */
	RDF_HEX_OPT,    /* as RDF_HEX but may be empty (then printed as nothing) */
	RDF_HEX_LEN8,   /* u8 length + hex, "-" when empty (NSEC3 salt) */
	RDF_B32_LEN8,   /* u8 length + base32hex (NSEC3 next hashed owner) */
	RDF_BITMAP,     /* RFC 4034 §4.1.2 type bitmap to the end (may be empty) */
	RDF_EUI48,      /* 6 octets as xx-xx-xx-xx-xx-xx */
	RDF_EUI64,      /* 8 octets as xx-xx-xx-xx-xx-xx-xx-xx */
	RDF_CERT_TYPE,  /* u16 with RFC 4398 mnemonics (PKIX, IPKIX …) */
	RDF_SECALG,     /* u8 DNSSEC algorithm; number or mnemonic in, number out */
	RDF_ILNP64,     /* 8 octets as four hex groups "x:x:x:x" (NID, L64; RFC 6742 §2.3) */
	RDF_NSAP,       /* octets to the end as "0x" and hex, dots allowed in (RFC 1706 §6) */
	RDF_BASE64_DASH,/* octets to the end, base64 unsplit, "-" when empty (DOA data) */
	RDF_SPECIAL,    /* the rest of the RDATA is handled by desc->special */
} rdata_field_kind;

/* Converters for one field (or the rest of the RDATA, for RDF_SPECIAL).
 * check:     advances `rd` over the field of uncompressed RDATA; a malformed field
 *            sets rd->error (ERDATA or a more precise code).
 * to_text:   reads the field from a checked `rd` and appends its text to `out`.
 * from_text: reads the field's tokens from `lx` and appends its wire form to `out`;
 *            returns OWNDNS_OK or an error status. */
typedef struct rdata_field_ops {
	void (*check)(owndns_rbuf *rd);
	void (*to_text)(owndns_rbuf *rd, text_buf *out);
	int (*from_text)(lexer *lx, const uint8_t *origin, owndns_wbuf *out);
} rdata_field_ops;

#define RDATA_FIELDS_MAX 12

typedef struct rdata_desc {
	uint16_t type;
	const char *mnemonic;
	uint8_t fields[RDATA_FIELDS_MAX]; /* rdata_field_kind values, RDF_END-terminated */
	const rdata_field_ops *special;   /* for RDF_SPECIAL */
	uint8_t canonical_lower;          /* names are lower-cased in canonical form (RFC 4034 §6.2, RFC 6840 §5.1) */
} rdata_desc;

/* The row for a type, or NULL for types handled as opaque RFC 3597 data. */
const rdata_desc *rdata_desc_find(uint16_t type);

/* Parses the RDATA tokens of the lexer's current entry, up to its end, into out (the
 * RR text and zone parsers call it once owner, TTL, class and type are read).  Accepts
 * the RFC 3597 "\# len hex" form for every type.  Errors as owndns_rdata_from_text. */
int rdata_from_lexer(uint16_t type, lexer *lx, const uint8_t *origin, uint8_t *out,
		     size_t out_cap, size_t *out_len);

/* The converters of a simple kind (not RDF_SPECIAL), for formats that are made of
 * them; NULL for a kind without converters. */
const rdata_field_ops *rdata_kind_ops(rdata_field_kind kind);

/* Converters of the formats with a syntax of their own. */
extern const rdata_field_ops rdata_svc_params_ops; /* SVCB/HTTPS SvcParams, RFC 9460 */
extern const rdata_field_ops rdata_loc_ops;        /* whole LOC RDATA, RFC 1876 */
extern const rdata_field_ops rdata_apl_ops;        /* APL items, RFC 3123 */
extern const rdata_field_ops rdata_ipseckey_ops;   /* whole IPSECKEY RDATA, RFC 4025 */
extern const rdata_field_ops rdata_wks_ops;        /* whole WKS RDATA, RFC 1035 §3.4.2 */
extern const rdata_field_ops rdata_a6_ops;         /* whole A6 RDATA, RFC 2874 §3 */
extern const rdata_field_ops rdata_hip_ops;        /* whole HIP RDATA, RFC 8005 §5 */
extern const rdata_field_ops rdata_amtrelay_ops;   /* whole AMTRELAY RDATA, RFC 8777 §4 */

/* The gateway of IPSECKEY and the relay of AMTRELAY (rdata_gateway.c): its form is set
 * by a type octet read before it. */
enum rdata_gateway_type {
	RDATA_GATEWAY_NONE = 0,
	RDATA_GATEWAY_IPV4 = 1,
	RDATA_GATEWAY_IPV6 = 2,
	RDATA_GATEWAY_NAME = 3,
};

/* Length of the uncompressed name at the cursor, or 0 with the error recorded. */
size_t rdata_name_length_at(owndns_rbuf *rd);
/* Steps over the gateway; OWNDNS_ERDATA for a type above RDATA_GATEWAY_NAME. */
void rdata_gateway_check(owndns_rbuf *rd, uint8_t type);
/* Prints it as dig does ("." for none); the data was checked. */
void rdata_gateway_to_text(owndns_rbuf *rd, uint8_t type, text_buf *out);
/* Reads one token of its text form into out. */
int rdata_gateway_from_text(lexer *lx, uint8_t type, const uint8_t *origin, owndns_wbuf *out);

#endif
