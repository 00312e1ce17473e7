/* EDNS(0) (RFC 6891): the OPT pseudo-record and its options.
 * Reading: owndns_edns_from_msg decodes the OPT of a checked message; options are
 * walked with an iterator and decoded by the per-option parsers, which point into the
 * packet.  Writing: an owndns_edns_builder collects the OPT fields and options in
 * caller storage; owndns_writer_edns appends the OPT record to a message writer. */
#ifndef OWNDNS_EDNS_H
#define OWNDNS_EDNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <owndns/buffer.h>
#include <owndns/error.h>
#include <owndns/message.h>

#ifdef __cplusplus
extern "C" {
#endif

enum owndns_edns_option_code {
	OWNDNS_EDNS_NSID = 3,           /* RFC 5001 */
	OWNDNS_EDNS_CLIENT_SUBNET = 8,  /* RFC 7871 */
	OWNDNS_EDNS_EXPIRE = 9,         /* RFC 7314 */
	OWNDNS_EDNS_COOKIE = 10,        /* RFC 7873 */
	OWNDNS_EDNS_TCP_KEEPALIVE = 11, /* RFC 7828 */
	OWNDNS_EDNS_PADDING = 12,       /* RFC 7830 */
	OWNDNS_EDNS_CHAIN = 13,         /* RFC 7901 */
	OWNDNS_EDNS_KEY_TAG = 14,       /* RFC 8145 */
	OWNDNS_EDNS_EDE = 15            /* RFC 8914 */
};

/* Fixed part of an OPT record: root owner, TYPE, CLASS, TTL, RDLENGTH. */
#define OWNDNS_OPT_FIXED_SIZE 11
/* Option code and length in front of each option's data. */
#define OWNDNS_EDNS_OPTION_HEADER 4
/* Block size for responses, RFC 8467 §4.1 (queries use 128). */
#define OWNDNS_EDNS_PAD_BLOCK_RESPONSE 468
#define OWNDNS_EDNS_PAD_BLOCK_QUERY 128

#define OWNDNS_EDNS_DO 0x8000u /* DNSSEC OK, the top bit of the OPT TTL's flags */

/* The decoded OPT record of a message. */
typedef struct owndns_edns {
	uint16_t udp_size;       /* requestor's payload size, at least 512 (see below) */
	uint16_t udp_size_raw;   /* the CLASS field as sent */
	uint8_t ext_rcode;       /* upper 8 bits of the 12-bit RCODE */
	uint8_t version;
	bool dnssec_ok;
	uint16_t z;              /* the 15 flag bits besides DO, as sent */
	const uint8_t *options;  /* the OPT RDATA, inside the packet */
	uint16_t options_len;
} owndns_edns;

/* Decodes the OPT of a message opened with owndns_msg_open and checks that its options
 * are framed correctly.  Sizes below 512 are raised to 512 (RFC 6891 §6.2.3: "values
 * lower than 512 MUST be treated as equal to 512"); udp_size_raw keeps the value.
 * Errors: ENOTFOUND (no OPT), EEDNS_OPTION (an option runs past the RDATA). */
int owndns_edns_from_msg(const owndns_msg *m, owndns_edns *e);

/* The 12-bit RCODE: OPT extended RCODE over the header's 4 bits (RFC 6891 §6.1.3). */
static inline unsigned owndns_edns_rcode(uint8_t ext_rcode, unsigned header_rcode)
{
	return ((unsigned)ext_rcode << 4) | (header_rcode & 0xfu);
}

/* The message's full RCODE: the header RCODE, extended by the OPT when there is one. */
unsigned owndns_msg_rcode(const owndns_msg *m);

/* One option, pointing into the packet (or builder storage). */
typedef struct owndns_edns_option {
	uint16_t code;
	uint16_t len;
	const uint8_t *data;
} owndns_edns_option;

typedef struct owndns_edns_opt_iter {
	owndns_rbuf rd;
} owndns_edns_opt_iter;

/* Iterates over the options of OPT RDATA data[0..len). */
void owndns_edns_opt_iter_init(owndns_edns_opt_iter *it, const uint8_t *data, size_t len);
/* Next option: returns 1, 0 at the end, or EEDNS_OPTION when an option header or its
 * data runs past the end (the iteration then stops). */
int owndns_edns_opt_next(owndns_edns_opt_iter *it, owndns_edns_option *opt);
/* First option with `code`.  Errors: ENOTFOUND, EEDNS_OPTION. */
int owndns_edns_find_option(const owndns_edns *e, uint16_t code, owndns_edns_option *opt);

/* Mnemonic of an option code as dig prints it ("NSID", "CLIENT-SUBNET", "COOKIE",
 * "EDE" …), or NULL. */
const char *owndns_edns_option_name(uint16_t code);

/* ---- Option parsers: each checks the option's length and format ---------------- */

/* COOKIE, RFC 7873 §4: 8-octet client cookie, optional 8..32-octet server cookie. */
#define OWNDNS_COOKIE_CLIENT_LEN 8
#define OWNDNS_COOKIE_SERVER_MIN 8
#define OWNDNS_COOKIE_SERVER_MAX 32
typedef struct owndns_edns_cookie {
	uint8_t client[OWNDNS_COOKIE_CLIENT_LEN];
	uint8_t server[OWNDNS_COOKIE_SERVER_MAX];
	uint8_t server_len; /* 0: client cookie only */
} owndns_edns_cookie;
/* Errors: EEDNS_OPTION unless the length is 8 or 16..40. */
int owndns_edns_parse_cookie(const owndns_edns_option *opt, owndns_edns_cookie *c);

/* CLIENT-SUBNET, RFC 7871 §6. */
#define OWNDNS_ECS_FAMILY_IPV4 1
#define OWNDNS_ECS_FAMILY_IPV6 2
typedef struct owndns_edns_ecs {
	uint16_t family;
	uint8_t source_prefix;
	uint8_t scope_prefix;
	uint8_t address[16]; /* ceil(source_prefix / 8) significant octets, rest zero */
} owndns_edns_ecs;
/* Errors: EEDNS_OPTION for an unknown family, a prefix longer than the address, an
 * address length other than ceil(source/8), or set bits beyond the source prefix. */
int owndns_edns_parse_ecs(const owndns_edns_option *opt, owndns_edns_ecs *ecs);

/* EXPIRE, RFC 7314 §2: empty in queries, a 32-bit value in responses.  *has_value tells
 * which.  Errors: EEDNS_OPTION for any other length. */
int owndns_edns_parse_expire(const owndns_edns_option *opt, bool *has_value, uint32_t *expire);

/* TCP-KEEPALIVE, RFC 7828 §3.1: empty, or a timeout in units of 100 ms.
 * Errors: EEDNS_OPTION for any other length. */
int owndns_edns_parse_keepalive(const owndns_edns_option *opt, bool *has_value,
				uint16_t *timeout);

/* Extended DNS Error, RFC 8914 §2: INFO-CODE and optional EXTRA-TEXT (UTF-8, not
 * NUL-terminated; *text points into the option, text_len may be 0).
 * Errors: EEDNS_OPTION when shorter than 2 octets. */
int owndns_edns_parse_ede(const owndns_edns_option *opt, uint16_t *info_code,
			  const uint8_t **text, size_t *text_len);
/* Name of an EDE INFO-CODE ("Stale Answer", …) for codes 0..30, else NULL. */
const char *owndns_ede_name(uint16_t info_code);

/* NSID (RFC 5001) and PADDING (RFC 7830) carry opaque data and need no parser:
 * use opt->data and opt->len. */

/* ---- Builder ----------------------------------------------------------------- */

typedef struct owndns_edns_builder {
	uint16_t udp_size;
	uint8_t ext_rcode;
	uint8_t version;
	bool dnssec_ok;
	uint16_t z;          /* other flag bits; leave 0 (RFC 6891 §6.1.4) */
	uint16_t pad_block;  /* 0: no padding; else pad the message to a multiple of it */
	owndns_wbuf opts;    /* the options, in caller storage */
} owndns_edns_builder;

/* Starts an OPT with version 0, no flags and no options; options are appended to
 * storage[0..cap) (at most 65535 octets are used). */
void owndns_edns_builder_init(owndns_edns_builder *b, uint8_t *storage, size_t cap,
			      uint16_t udp_size);

/* Appends one option.  Errors: ESPACE (storage full or > 65535 octets of options). */
int owndns_edns_add_option(owndns_edns_builder *b, uint16_t code, const void *data, size_t len);
/* NSID: empty in a query (asks for it), the identifier in a response. */
int owndns_edns_add_nsid(owndns_edns_builder *b, const void *id, size_t len);
/* Errors: EINVAL for a server cookie length other than 0 or 8..32; ESPACE. */
int owndns_edns_add_cookie(owndns_edns_builder *b, const owndns_edns_cookie *c);
/* Writes ceil(source/8) address octets with bits past the source prefix cleared, so a
 * full address may be passed.  Errors: EINVAL (family, prefix lengths); ESPACE. */
int owndns_edns_add_ecs(owndns_edns_builder *b, const owndns_edns_ecs *ecs);
int owndns_edns_add_expire(owndns_edns_builder *b, bool has_value, uint32_t expire);
int owndns_edns_add_keepalive(owndns_edns_builder *b, bool has_value, uint16_t timeout);
/* Errors: ESPACE. */
int owndns_edns_add_ede(owndns_edns_builder *b, uint16_t info_code, const char *text,
			size_t text_len);
/* Pads the message, when the OPT is written, to a multiple of `block` octets
 * (RFC 8467 §4.1: 128 for queries, 468 for responses; 0 turns padding off). */
void owndns_edns_set_padding(owndns_edns_builder *b, uint16_t block);

/* Octets of the OPT record without padding data (what to reserve with
 * owndns_writer_reserve so that a truncated message still has room for it). */
size_t owndns_edns_size(const owndns_edns_builder *b);

/* Appends the OPT record to the additional section of `w` (after it, only a TSIG may
 * be written) and releases the writer's reservation.  With padding on, a PADDING option
 * makes the message length a multiple of the block, or fills the buffer when that does
 * not fit.  Errors: those of owndns_writer_rr (ESTATE, ETRUNCATED_MSG; nothing written). */
int owndns_writer_edns(owndns_msg_writer *w, const owndns_edns_builder *b);

#ifdef __cplusplus
}
#endif
#endif
