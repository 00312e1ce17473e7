/* One resource record, and its presentation (text) form.
 * An owndns_rr is a view: it points at an owner name and RDATA (both uncompressed wire
 * form) that belong to someone else. */
#ifndef OWNDNS_RR_H
#define OWNDNS_RR_H

#include <stddef.h>
#include <stdint.h>
#include <owndns/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct owndns_rr {
	const uint8_t *owner; /* uncompressed wire name */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	const uint8_t *rdata; /* uncompressed RDATA, rdlen octets */
} owndns_rr;

/* Defaults for fields a text RR may leave out. */
typedef struct owndns_rr_text_defaults {
	const uint8_t *origin; /* for relative names and "@"; NULL: names are absolute */
	uint32_t ttl;          /* used when the TTL is omitted */
	uint16_t rclass;       /* used when the class is omitted (0 means IN) */
} owndns_rr_text_defaults;

/* Parses one RR in presentation form: "owner [ttl] [class] type rdata" (TTL and class
 * in either order, TTL may use units like 1h30m; parentheses may span lines).  Owner and
 * RDATA are stored in `storage` (OWNDNS_NAME_MAX + OWNDNS_RDATA_MAX octets always
 * suffice) and `rr` points into it.  Errors: ESYNTAX, EUNKNOWN_TYPE, EUNKNOWN_CLASS,
 * ESPACE and the RDATA field codes. */
int owndns_rr_from_text(const char *text, size_t text_len, const owndns_rr_text_defaults *defaults,
			uint8_t *storage, size_t storage_cap, owndns_rr *rr);

/* Writes the RR on one line the way dig prints it: owner, TTL, class, type and RDATA,
 * tab-aligned to columns 24/32/40/48.  Returns the text length or ESPACE. */
int owndns_rr_to_text(const owndns_rr *rr, char *out, size_t out_size);

/* Parses a TTL: seconds, or BIND units (1w2d3h4m5s, any case).  Errors: ENUMBER. */
int owndns_ttl_from_text(const char *text, size_t len, uint32_t *ttl);

#ifdef __cplusplus
}
#endif
#endif
