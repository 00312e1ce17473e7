/* A whole DNS message as text: the way dig 9.18 prints it (full and +short), and as
 * JSON.  Input is a message checked by owndns_msg_open; output goes to a caller buffer
 * and is always NUL-terminated.  Functions return the text length, or OWNDNS_ESPACE when
 * the buffer is too small (call again with a bigger one: a 64 KiB message can need
 * several MiB of text when every record repeats a long owner name).  Nothing here
 * allocates or does I/O. */
#ifndef OWNDNS_MSG_TEXT_H
#define OWNDNS_MSG_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <owndns/edns.h>
#include <owndns/error.h>
#include <owndns/message.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the printer knows about the query that the response answers. */
typedef struct owndns_msg_text_options {
	/* The 8-octet client cookie sent with the query, or NULL.  With it, a COOKIE
	 * option is followed by "(good)", "(echoed)" (client part only) or "(bad)" (the
	 * client part differs), as dig does; without it, by nothing. */
	const uint8_t *client_cookie;
} owndns_msg_text_options;

/* dig's full form, from the ";; ->>HEADER<<-" line to the blank line after the last
 * non-empty section: header and flags lines (MBZ bits as "; MBZ: 0xN"), dig's warning
 * when RD is set without RA, the OPT PSEUDOSECTION (EDNS version, flags, udp size and
 * each option as dig prints it), the QUESTION section (";name", class at column 32 and
 * type at column 40, counted without the ';'), then ANSWER, AUTHORITY and ADDITIONAL
 * via owndns_rr_to_text (the OPT and TSIG records are left out of ADDITIONAL; a TSIG is
 * printed under ";; TSIG PSEUDOSECTION:").  Empty sections are left out.  A record
 * whose RDATA does not check is printed in RFC 3597 form.  `opt` may be NULL.
 * Errors: ESPACE; errors of a message that did not come from owndns_msg_open. */
int owndns_msg_to_text(const owndns_msg *m, const owndns_msg_text_options *opt, char *out,
		       size_t out_size);

/* dig +short: the RDATA of every ANSWER record (CNAMEs and RRSIGs included), one per
 * line, nothing else (empty text for an empty answer).  Errors: ESPACE. */
int owndns_msg_to_short_text(const owndns_msg *m, char *out, size_t out_size);

/* The EDNS pseudo-section's option lines only ("; NSID: ...\n" ...), for callers that
 * print their own layout.  Errors: ESPACE. */
int owndns_edns_options_to_text(const owndns_edns *e, const owndns_msg_text_options *opt,
				char *out, size_t out_size);

/* Facts about the exchange that only the caller knows, added to the JSON object.
 * NULL strings and negative numbers leave the field out. */
typedef struct owndns_msg_json_meta {
	const char *server;    /* address the response came from, e.g. "127.0.0.1" */
	int port;              /* its port */
	const char *transport; /* "udp" or "tcp" */
	long query_time_ms;    /* time from sending the query to the response */
} owndns_msg_json_meta;

/* One JSON object (one line, ending in "\n") describing the message.  Field names are
 * stable:
 *   id (number), opcode (mnemonic or number as dig prints it), status (rcode as dig
 *   prints it, extended by the OPT), flags (list of "qr" "aa" "tc" "rd" "ra" "ad" "cd"
 *   that are set, in this order), question [{name, type, class}],
 *   answer / authority / additional [{name, ttl, class, type, data}] where data is the
 *   RDATA's presentation form as dig prints it (OPT and TSIG are not in additional),
 *   edns (null without an OPT) {version, udp_size, flags (list, "do"), options
 *   [{code, name (null when unknown), data (hex)} plus, per option: NSID "text";
 *   COOKIE "client", "server" (hex); CLIENT-SUBNET "family", "address",
 *   "source_prefix", "scope_prefix"; EXPIRE "expire"; TCP-KEEPALIVE "timeout" (in
 *   units of 100 ms); EDE "info_code", "purpose" (null when unknown), "extra_text"]},
 *   tsig (the TSIG record as a record object, or null), msg_size (octets), and the
 *   meta fields server, port, transport, query_time_ms when given.
 * Strings: '"' and '\' are escaped, control characters and octets 0x7f..0xff become
 * \u00XX of the octet (so text that is not ASCII comes out as Latin-1 code points:
 * the exact octets can be recovered, and the output is always valid ASCII JSON).
 * `meta` may be NULL.  Errors: ESPACE. */
int owndns_msg_to_json(const owndns_msg *m, const owndns_msg_json_meta *meta, char *out,
		       size_t out_size);

#ifdef __cplusplus
}
#endif
#endif
