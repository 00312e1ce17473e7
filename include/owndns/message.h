/* DNS messages (RFC 1035 §4.1): the header, a zero-copy reader and a writer.
 * The reader (owndns_msg) checks a whole packet once when it is opened and then hands
 * out questions and records as views into the caller's packet; it allocates nothing.
 * The writer (owndns_msg_writer) builds a message in a caller buffer, compresses names,
 * and never leaves half a record behind when space runs out.  EDNS(0) lives in
 * owndns/edns.h. */
#ifndef OWNDNS_MESSAGE_H
#define OWNDNS_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <owndns/buffer.h>
#include <owndns/error.h>
#include <owndns/name.h>
#include <owndns/rr.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OWNDNS_HEADER_SIZE 12
/* Largest message over UDP without EDNS (RFC 1035 §4.2.1) and over TCP. */
#define OWNDNS_MSG_UDP_MAX 512
#define OWNDNS_MSG_MAX 65535

/* ---- Header ------------------------------------------------------------------ */

enum owndns_opcode {
	OWNDNS_OPCODE_QUERY = 0,
	OWNDNS_OPCODE_IQUERY = 1,
	OWNDNS_OPCODE_STATUS = 2,
	OWNDNS_OPCODE_NOTIFY = 4,
	OWNDNS_OPCODE_UPDATE = 5
};

/* Values 16 and up need EDNS (extended RCODE) or TSIG to be carried. */
enum owndns_rcode {
	OWNDNS_RCODE_NOERROR = 0,
	OWNDNS_RCODE_FORMERR = 1,
	OWNDNS_RCODE_SERVFAIL = 2,
	OWNDNS_RCODE_NXDOMAIN = 3,
	OWNDNS_RCODE_NOTIMP = 4,
	OWNDNS_RCODE_REFUSED = 5,
	OWNDNS_RCODE_YXDOMAIN = 6,
	OWNDNS_RCODE_YXRRSET = 7,
	OWNDNS_RCODE_NXRRSET = 8,
	OWNDNS_RCODE_NOTAUTH = 9,
	OWNDNS_RCODE_NOTZONE = 10,
	OWNDNS_RCODE_BADVERS = 16, /* in an OPT record (RFC 6891) */
	OWNDNS_RCODE_BADSIG = 16,  /* in a TSIG record (RFC 8945) */
	OWNDNS_RCODE_BADKEY = 17,
	OWNDNS_RCODE_BADTIME = 18,
	OWNDNS_RCODE_BADMODE = 19,
	OWNDNS_RCODE_BADNAME = 20,
	OWNDNS_RCODE_BADALG = 21,
	OWNDNS_RCODE_BADTRUNC = 22,
	OWNDNS_RCODE_BADCOOKIE = 23
};

/* Bits of the header's second 16-bit word. */
#define OWNDNS_FLAG_QR 0x8000u
#define OWNDNS_FLAG_AA 0x0400u
#define OWNDNS_FLAG_TC 0x0200u
#define OWNDNS_FLAG_RD 0x0100u
#define OWNDNS_FLAG_RA 0x0080u
#define OWNDNS_FLAG_Z 0x0040u
#define OWNDNS_FLAG_AD 0x0020u
#define OWNDNS_FLAG_CD 0x0010u

typedef enum owndns_section {
	OWNDNS_SECTION_QUESTION = 0,
	OWNDNS_SECTION_ANSWER = 1,
	OWNDNS_SECTION_AUTHORITY = 2,
	OWNDNS_SECTION_ADDITIONAL = 3
} owndns_section;
#define OWNDNS_SECTION_COUNT 4

typedef struct owndns_header {
	uint16_t id;
	uint16_t flags;    /* QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode as on the wire */
	uint16_t count[OWNDNS_SECTION_COUNT]; /* QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT */
} owndns_header;

static inline bool owndns_header_flag(const owndns_header *h, unsigned flag)
{
	return (h->flags & flag) != 0;
}

static inline void owndns_header_set_flag(owndns_header *h, unsigned flag, bool on)
{
	h->flags = (uint16_t)(on ? (h->flags | flag) : (h->flags & ~flag));
}

static inline unsigned owndns_header_opcode(const owndns_header *h)
{
	return (h->flags >> 11) & 0xfu;
}

static inline void owndns_header_set_opcode(owndns_header *h, unsigned opcode)
{
	h->flags = (uint16_t)((h->flags & ~0x7800u) | ((opcode & 0xfu) << 11));
}

/* The 4-bit RCODE of the header; see owndns_edns_rcode for the 12-bit one. */
static inline unsigned owndns_header_rcode(const owndns_header *h)
{
	return h->flags & 0xfu;
}

/* Stores the low 4 bits of `rcode`; the upper bits go in the OPT record. */
static inline void owndns_header_set_rcode(owndns_header *h, unsigned rcode)
{
	h->flags = (uint16_t)((h->flags & ~0xfu) | (rcode & 0xfu));
}

/* Decodes the 12-octet header at the start of pkt.  Errors: EHEADER when len < 12. */
int owndns_header_read(const uint8_t *pkt, size_t len, owndns_header *h);

/* Mnemonic of an opcode ("QUERY", "NOTIFY" …) or NULL when unassigned. */
const char *owndns_opcode_name(unsigned opcode);
/* Mnemonic of an rcode ("NOERROR", "NXDOMAIN", "BADVERS" for 16 …) or NULL. */
const char *owndns_rcode_name(unsigned rcode);
/* Text as dig prints it: the mnemonic, else "RESERVEDn" for opcodes 0..15 and rcodes
 * 11..15, else the decimal number.  Returns the text length or ESPACE (16 octets
 * always suffice). */
int owndns_opcode_to_text(unsigned opcode, char *buf, size_t size);
int owndns_rcode_to_text(unsigned rcode, char *buf, size_t size);

/* ---- Reader ------------------------------------------------------------------ */

/* A checked message.  Fill it with owndns_msg_open; read it with the functions below.
 * Points into the caller's packet, which must outlive it and stay unchanged. */
typedef struct owndns_msg {
	const uint8_t *pkt;
	size_t len;          /* packet length as given */
	size_t end;          /* just past the last record counted in the header */
	owndns_header hdr;
	size_t section_pos[OWNDNS_SECTION_COUNT]; /* offset of each section's first entry */
	size_t opt_pos;      /* offset of the OPT record, 0 when absent */
	size_t tsig_pos;     /* offset of the TSIG record, 0 when absent */
} owndns_msg;

/* Opens a reader over pkt[0..len) and checks the whole message: header; every question
 * and record (names per owndns_name_unpack, fixed fields, RDATA inside the packet); at
 * most one OPT, in the additional section, owned by the root; TSIG only as the last
 * additional record.  RDATA contents are checked later by owndns_rr_view_rdata.
 * Octets after the last counted record are accepted (some servers send them) and
 * reported by owndns_msg_trailing.  On any error but EHEADER, m->hdr is still filled
 * in, so a caller can see the ID and TC bit of a message it cannot use.
 * Errors: EHEADER (< 12 octets); ESECTION (the packet ends where a counted record
 * should start, or a TSIG that is not the last record); ETRUNCATED (a record cut
 * short); name errors of owndns_name_unpack; EEDNS (second OPT, OPT outside the
 * additional section, OPT owner not the root). */
int owndns_msg_open(owndns_msg *m, const uint8_t *pkt, size_t len);

/* Octets after the last record counted in the header (0 for a clean message). */
size_t owndns_msg_trailing(const owndns_msg *m);

/* Copies question `index` (from 0): qname (uncompressed, into `qname`, which must hold
 * OWNDNS_NAME_MAX octets; *qname_len gets its length; either may be NULL), qtype and
 * qclass (may be NULL).  Errors: ENOTFOUND when index >= QDCOUNT. */
int owndns_msg_question(const owndns_msg *m, unsigned index, uint8_t *qname, size_t *qname_len,
			uint16_t *qtype, uint16_t *qclass);

/* Walks the questions in order: each step costs one question, where owndns_msg_question
 * starts again from the first one (quadratic over thousands of questions). */
typedef struct owndns_question_iter {
	const owndns_msg *msg;
	size_t pos;
	unsigned left;
} owndns_question_iter;

void owndns_question_iter_init(owndns_question_iter *it, const owndns_msg *m);

/* Copies the next question as owndns_msg_question does (any output may be NULL, qname
 * holds OWNDNS_NAME_MAX octets): returns 1, 0 after the last one, or a negative status
 * (only for a message that did not come from a successful owndns_msg_open). */
int owndns_question_iter_next(owndns_question_iter *it, uint8_t *qname, size_t *qname_len,
			      uint16_t *qtype, uint16_t *qclass);

/* One record as it stands in the packet.  The owner is copied (uncompressed) into the
 * view; the RDATA is left in the packet at rdata_pos (possibly compressed). */
typedef struct owndns_rr_view {
	uint8_t owner[OWNDNS_NAME_MAX];
	size_t owner_len;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	size_t rdata_pos;  /* offset of the raw RDATA in the packet */
	size_t rr_pos;     /* offset of the record's owner name in the packet */
	owndns_section section;
} owndns_rr_view;

typedef struct owndns_rr_iter {
	const owndns_msg *msg;
	size_t pos;
	unsigned left;
	owndns_section section;
} owndns_rr_iter;

/* Starts an iteration over one section (ANSWER, AUTHORITY or ADDITIONAL; QUESTION
 * yields nothing: use owndns_msg_question). */
void owndns_rr_iter_init(owndns_rr_iter *it, const owndns_msg *m, owndns_section section);

/* Fills *rr with the next record: returns 1, 0 at the end of the section, or a negative
 * status (only for a message that did not come from a successful owndns_msg_open). */
int owndns_rr_iter_next(owndns_rr_iter *it, owndns_rr_view *rr);

/* The view of the OPT (or TSIG) record.  Errors: ENOTFOUND when the message has none. */
int owndns_msg_opt(const owndns_msg *m, owndns_rr_view *rr);
int owndns_msg_tsig(const owndns_msg *m, owndns_rr_view *rr);

/* Writes the record's RDATA uncompressed and checked against its type's format into
 * out[0..cap) (OWNDNS_RDATA_MAX always suffices); *out_len gets its length.
 * Errors: those of owndns_rdata_unpack (ERDATA, ETRUNCATED, ETRAILING, name errors …). */
int owndns_rr_view_rdata(const owndns_msg *m, const owndns_rr_view *v, uint8_t *out, size_t cap,
			 size_t *out_len);

/* Fills *rr with the record: owner and uncompressed, checked RDATA are copied into
 * storage[0..cap) (OWNDNS_NAME_MAX + OWNDNS_RDATA_MAX always suffices) and rr points
 * there, so it stays valid after the view is reused.  Errors: ESPACE, and those of
 * owndns_rr_view_rdata. */
int owndns_rr_view_to_rr(const owndns_msg *m, const owndns_rr_view *v, uint8_t *storage,
			 size_t cap, owndns_rr *rr);

/* ---- Writer ------------------------------------------------------------------ */

/* Offsets of names already written, for compression.  Names written once the table is
 * full are still written correctly, just compressed less. */
#define OWNDNS_COMPRESS_MAX 512
/* Slots of the hash index over those offsets (a power of two, at most half full). */
#define OWNDNS_COMPRESS_SLOTS (2 * OWNDNS_COMPRESS_MAX)

typedef struct owndns_msg_writer {
	owndns_wbuf buf;          /* buf.cap excludes the reserved octets */
	size_t reserved;          /* held back for a later OPT record */
	owndns_header hdr;        /* counts are kept here and written by finish */
	owndns_section section;   /* section of the last entry written */
	bool opt_written;         /* after the OPT only a TSIG may follow */
	bool tsig_written;        /* nothing may follow a TSIG */
	uint16_t compress_count;
	uint16_t compress[OWNDNS_COMPRESS_MAX]; /* offsets of label starts, all < 0x4000 */
	/* Hash index of compress[] by lower-cased suffix, so that finding an earlier name
	 * costs one probe, not one comparison per entry.  Private to the writer: it follows
	 * compress_count, also when a caller winds compress_count back. */
	uint16_t compress_indexed;                      /* entries present in the index */
	uint32_t compress_hash[OWNDNS_COMPRESS_MAX];    /* suffix hash of each entry */
	uint16_t compress_slot[OWNDNS_COMPRESS_SLOTS];  /* entry index + 1, 0 when empty */
} owndns_msg_writer;

/* Starts a message in buf[0..cap) with header `hdr` (its counts are ignored).  Pass
 * for cap the smaller of the buffer size and the transport's limit (512, the peer's
 * EDNS UDP size, 65535 for TCP); more than 65535 is clipped.  Errors: ESPACE (cap<12). */
int owndns_writer_init(owndns_msg_writer *w, uint8_t *buf, size_t cap, const owndns_header *hdr);

/* The header to be written by finish (ID and flags may be changed until then). */
owndns_header *owndns_writer_header(owndns_msg_writer *w);

/* Holds back `n` octets at the end of the buffer for the OPT record (RFC 6891 §7: a
 * truncated answer still carries it); writing an OPT record releases them.  Calls add
 * up.  Errors: ESPACE when fewer than n octets are left. */
int owndns_writer_reserve(owndns_msg_writer *w, size_t n);

/* Appends a question; the qname (uncompressed wire form) is compressed against earlier
 * names.  Errors: ESTATE once a record has been written; ETRUNCATED_MSG when it does
 * not fit (nothing is written); name errors for a malformed qname. */
int owndns_writer_question(owndns_msg_writer *w, const uint8_t *qname, uint16_t qtype,
			   uint16_t qclass);

/* Appends a record to `section`.  Sections go in order: after a record of a later
 * section, ESTATE.  The owner, and names in RDATA of RFC 1035 types (NS, CNAME, SOA,
 * PTR, MX …), are compressed.  After an OPT record only a TSIG may follow, and nothing
 * after a TSIG (ESTATE).  When the record does not fit, the message is left exactly as
 * before the call and ETRUNCATED_MSG is returned; setting TC is the caller's choice.
 * Errors: EINVAL (QUESTION section), ESTATE, ETRUNCATED_MSG, ERDATA/name errors for
 * malformed owner or RDATA. */
int owndns_writer_rr(owndns_msg_writer *w, owndns_section section, const owndns_rr *rr);

/* Octets written so far (header included). */
size_t owndns_writer_length(const owndns_msg_writer *w);

/* Writes the header with the section counts and returns the message length in *len.
 * The writer may be used again afterwards (finish again to update the header). */
int owndns_writer_finish(owndns_msg_writer *w, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
