/* The response to one client's query, whatever answers it (zones, local data, the
 * cache, an upstream): the header rules, the question as the client wrote it, the
 * size limit, and an OPT record that mirrors the client's (RFC 6891 §6.1.1: only when
 * the query had one; DO copied, RFC 3225 §3).  No I/O.
 * A reply_query holds everything about the query that an answer needs, so a query
 * that waits for an upstream keeps only this (about 280 octets), not its packet. */
#ifndef OWNDNS_SERVER_FORWARD_REPLY_H
#define OWNDNS_SERVER_FORWARD_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <owndns/edns.h>
#include <owndns/message.h>

/* Default EDNS UDP payload size (DNS Flag Day 2020: no IP fragmentation), also the
 * largest UDP response sent whatever the client offers. */
#define REPLY_EDNS_UDP_SIZE 1232
/* Room for the options of our OPT record (one EDE with a short text). */
#define REPLY_OPT_OPTIONS_MAX 64

typedef struct reply_query {
	uint16_t id;
	uint16_t flags;                 /* the query's header flags (opcode, RD, CD) */
	uint8_t qname[OWNDNS_NAME_MAX]; /* as asked: its case is kept (RFC 4343) */
	uint16_t qtype;
	uint16_t qclass;
	bool has_edns;
	bool dnssec_ok;
	uint16_t edns_udp_size;         /* the client's EDNS size (>= 512) */
	bool tcp;
} reply_query;

typedef struct reply {
	owndns_msg_writer w;
	uint8_t *out;
	size_t limit;
	const reply_query *q;
	owndns_header hdr;
	bool with_opt;
	owndns_edns_builder opt;
	uint8_t opt_storage[REPLY_OPT_OPTIONS_MAX];
} reply;

/* Starts a response to q in out[0..cap): the limit is 65535 over TCP, else the client's
 * EDNS size (512 without EDNS, RFC 1035 §4.2.1) capped by udp_max (our EDNS size).
 * Header: ID, opcode, RD and CD echoed (RFC 1035 §4.1.1, RFC 4035 §3.1.6), QR set, RA
 * when `recursion` (we resolve for this client). */
void reply_init(reply *r, const reply_query *q, uint16_t udp_max, bool recursion,
		uint8_t *out, size_t cap);

/* Sets the 12-bit rcode: low bits in the header, high bits in the OPT (RFC 6891 §6.1.3). */
void reply_set_rcode(reply *r, unsigned rcode);

/* Starts (or restarts, after truncation) the message: header, question, and room held
 * back for the OPT so that even a truncated answer carries it.  Errors: the writer's. */
int reply_begin(reply *r);

/* Writes the OPT (when the query had one) and the header; returns the length, 0 on
 * failure. */
size_t reply_finish(reply *r);

/* A complete response with the question and no records. */
size_t reply_error(reply *r, unsigned rcode);

#endif
