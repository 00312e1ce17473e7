/* server_answer: one query packet in, one response packet out.  Validation follows
 * what NSD does with the same packets (tests/integration/test_auth_vs_nsd.py keeps the
 * two in step); the lookup itself is server/auth/answer.c; this file decides what
 * fits in the packet. */
#include "query.h"

#include <string.h>

#include <owndns/edns.h>
#include <owndns/message.h>
#include <owndns/rdata.h>

#include "auth/answer.h"

/* Default EDNS UDP payload size (DNS Flag Day 2020: no IP fragmentation), also the
 * largest UDP response we send whatever the client offers. */
#define SERVER_EDNS_UDP_SIZE 1232
/* RFC 8914 §4.21: "Not Authoritative", sent with REFUSED like NSD does. */
#define EDE_NOT_AUTHORITATIVE 20
/* Room for the options of our OPT record (one EDE without text). */
#define OPT_OPTIONS_MAX 16

/* What the query asked, once it has passed validation. */
typedef struct parsed_query {
	owndns_msg msg;
	uint8_t qname[OWNDNS_NAME_MAX];
	uint16_t qtype;
	uint16_t qclass;
	bool has_edns;
	owndns_edns edns;
} parsed_query;

/* The response being built: the writer, the response's OPT, and the limit it had. */
typedef struct response {
	owndns_msg_writer w;
	uint8_t *out;
	size_t limit;
	const parsed_query *q;
	owndns_header hdr;
	bool with_opt;
	owndns_edns_builder opt;
	uint8_t opt_storage[OPT_OPTIONS_MAX];
} response;

/* The header of every response: ID, opcode, RD and CD echoed (RFC 1035 §4.1.1,
 * RFC 4035 §3.1.6); QR set; RA never, since this layer does not recurse. */
static owndns_header response_header(const owndns_header *query)
{
	owndns_header h;
	memset(&h, 0, sizeof(h));
	h.id = query->id;
	h.flags = (uint16_t)(OWNDNS_FLAG_QR | (query->flags & (0x7800u | OWNDNS_FLAG_RD |
							      OWNDNS_FLAG_CD)));
	return h;
}

/* A response of the header alone: for queries whose question cannot be trusted.  With
 * more than one question NSD echoes no flag at all (it will not guess which question
 * they went with); we do the same. */
static size_t header_only(const owndns_header *query, unsigned rcode, uint8_t *out,
			  size_t cap)
{
	owndns_msg_writer w;
	owndns_header h = response_header(query);
	size_t len;

	if (query->count[OWNDNS_SECTION_QUESTION] > 1)
		h.flags &= (uint16_t)~(OWNDNS_FLAG_RD | OWNDNS_FLAG_CD);
	owndns_header_set_rcode(&h, rcode);
	if (owndns_writer_init(&w, out, cap, &h) || owndns_writer_finish(&w, &len))
		return 0;
	return len;
}

/* ---- Validation ------------------------------------------------------------------ */

enum verdict { VERDICT_ANSWER, VERDICT_DROP, VERDICT_HEADER_ONLY };

/* Counts the additional records that are neither OPT nor TSIG: a query carries no
 * other data (NSD answers FORMERR to them). */
static unsigned foreign_additional(const owndns_msg *m)
{
	owndns_rr_iter it;
	owndns_rr_view v;
	unsigned n = 0;

	owndns_rr_iter_init(&it, m, OWNDNS_SECTION_ADDITIONAL);
	while (owndns_rr_iter_next(&it, &v) > 0)
		if (v.type != OWNDNS_TYPE_OPT && v.type != OWNDNS_TYPE_TSIG)
			n++;
	return n;
}

/* Checks the packet; on VERDICT_HEADER_ONLY *rcode says what to answer. */
static enum verdict validate_query(const uint8_t *pkt, size_t len, parsed_query *q,
				   unsigned *rcode)
{
	int rc = owndns_msg_open(&q->msg, pkt, len);
	const owndns_header *h = &q->msg.hdr;

	if (rc == OWNDNS_EHEADER || owndns_header_flag(h, OWNDNS_FLAG_QR))
		return VERDICT_DROP; /* RFC 1035 §4.1.1: never answer a response */
	*rcode = OWNDNS_RCODE_FORMERR;
	if (rc)
		return VERDICT_HEADER_ONLY;
	switch (owndns_header_opcode(h)) {
	case OWNDNS_OPCODE_QUERY:
		break;
	case OWNDNS_OPCODE_NOTIFY:
		/* No secondary zones, so no NOTIFY is welcome (NSD without allow-notify). */
		*rcode = OWNDNS_RCODE_REFUSED;
		return VERDICT_HEADER_ONLY;
	default:
		*rcode = OWNDNS_RCODE_NOTIMP;
		return VERDICT_HEADER_ONLY;
	}
	if (owndns_header_rcode(h) != OWNDNS_RCODE_NOERROR || h->count[OWNDNS_SECTION_QUESTION] != 1 ||
	    h->count[OWNDNS_SECTION_ANSWER] != 0 || h->count[OWNDNS_SECTION_AUTHORITY] != 0 ||
	    foreign_additional(&q->msg) != 0)
		return VERDICT_HEADER_ONLY;
	size_t qname_len;
	if (owndns_msg_question(&q->msg, 0, q->qname, &qname_len, &q->qtype, &q->qclass))
		return VERDICT_HEADER_ONLY;
	rc = owndns_edns_from_msg(&q->msg, &q->edns);
	if (rc != OWNDNS_OK && rc != OWNDNS_ENOTFOUND)
		return VERDICT_HEADER_ONLY; /* RFC 6891 §7: malformed OPT, FORMERR */
	q->has_edns = rc == OWNDNS_OK;
	return VERDICT_ANSWER;
}

/* ---- Writing --------------------------------------------------------------------- */

/* UDP: the client's EDNS size (512 without EDNS, RFC 1035 §4.2.1) capped by ours;
 * TCP: the 16-bit length prefix's limit. */
static uint16_t view_udp_max(const server_view *view)
{
	if (view->udp_max == 0)
		return SERVER_EDNS_UDP_SIZE;
	return view->udp_max < OWNDNS_MSG_UDP_MAX ? OWNDNS_MSG_UDP_MAX : view->udp_max;
}

static size_t response_limit(const server_request *req, const parsed_query *q, uint16_t udp_max,
			     size_t cap)
{
	size_t limit = OWNDNS_MSG_MAX;
	if (!req->tcp) {
		limit = OWNDNS_MSG_UDP_MAX;
		if (q->has_edns)
			limit = q->edns.udp_size < udp_max ? q->edns.udp_size : udp_max;
	}
	return limit < cap ? limit : cap;
}

/* Starts (or restarts, after truncation) the message: header, question, and room
 * held back for the OPT record so that even a truncated answer carries it. */
static int response_begin(response *r)
{
	int rc = owndns_writer_init(&r->w, r->out, r->limit, &r->hdr);
	if (rc)
		return rc;
	if (r->with_opt) {
		rc = owndns_writer_reserve(&r->w, owndns_edns_size(&r->opt));
		if (rc)
			return rc;
	}
	return owndns_writer_question(&r->w, r->q->qname, r->q->qtype, r->q->qclass);
}

static void response_init(response *r, const parsed_query *q, size_t limit, uint16_t udp_max,
			  uint8_t *out)
{
	memset(r, 0, sizeof(*r));
	r->q = q;
	r->out = out;
	r->limit = limit;
	r->hdr = response_header(&q->msg.hdr);
	r->with_opt = q->has_edns;
	owndns_edns_builder_init(&r->opt, r->opt_storage, sizeof(r->opt_storage), udp_max);
	/* RFC 3225 §3: the DO bit of the query is copied into the response. */
	r->opt.dnssec_ok = q->has_edns && q->edns.dnssec_ok;
}

/* Sets the 12-bit rcode: low bits in the header, high bits in the OPT (RFC 6891 §6.1.3). */
static void response_set_rcode(response *r, unsigned rcode)
{
	owndns_header_set_rcode(&r->hdr, rcode & 0xfu);
	r->opt.ext_rcode = (uint8_t)(rcode >> 4);
}

/* Writes the OPT (when the query had one) and the header; returns the length or 0. */
static size_t response_finish(response *r)
{
	size_t len;
	/* Only the flags: the writer keeps the section counts in its header. */
	owndns_writer_header(&r->w)->flags = r->hdr.flags;
	if (r->with_opt && owndns_writer_edns(&r->w, &r->opt))
		return 0;
	if (owndns_writer_finish(&r->w, &len))
		return 0;
	return len;
}

/* A response with the question and no records: errors that know the question. */
static size_t question_only(response *r, unsigned rcode)
{
	response_set_rcode(r, rcode);
	if (response_begin(r))
		return 0;
	return response_finish(r);
}

/* Writes every record of one entry, or nothing: on failure the writer is put back as
 * it was before the entry (an RRset is never split, RFC 2181 §5). */
static int write_entry(owndns_msg_writer *w, owndns_section section, const answer_entry *e)
{
	owndns_msg_writer before = *w;
	owndns_rr rr;
	const void *cursor = NULL;
	while (answer_entry_next(e, &cursor, &rr)) {
		int rc = owndns_writer_rr(w, section, &rr);
		if (rc) {
			*w = before;
			return rc;
		}
	}
	return OWNDNS_OK;
}

/* The lookup's plan into the packet.  Answer records and the authority records that
 * carry the meaning (negative SOA, referral NS) are written whole RRset by RRset until
 * one does not fit: then TC=1 and nothing more (RFC 2181 §9; NSD does the same and
 * keeps the RRsets already written).  Optional records (the zone's NS after a positive
 * answer, additional addresses) are dropped whole when they do not fit, without TC.
 * A referral whose in-domain glue exists but none of it fits gets TC=1 (NSD's rule; the
 * resolver could not use the referral). */
static size_t write_plan(response *r, const answer_plan *plan)
{
	static const owndns_section sections[ANSWER_PART_COUNT] = {
		OWNDNS_SECTION_ANSWER, OWNDNS_SECTION_AUTHORITY, OWNDNS_SECTION_ADDITIONAL
	};
	bool truncated = false;
	unsigned glue_wanted = 0, glue_written = 0;

	response_set_rcode(r, plan->rcode);
	owndns_header_set_flag(&r->hdr, OWNDNS_FLAG_AA, plan->authoritative);
	if (response_begin(r))
		return 0;
	for (int p = 0; p < ANSWER_PART_COUNT && !truncated; p++) {
		for (unsigned i = 0; i < plan->count[p] && !truncated; i++) {
			const answer_entry *e = &plan->part[p][i];
			bool optional = p == ANSWER_PART_ADDITIONAL ||
					(p == ANSWER_PART_AUTHORITY && !e->required);
			int rc = write_entry(&r->w, sections[p], e);
			if (rc != OWNDNS_OK && rc != OWNDNS_ETRUNCATED_MSG)
				return question_only(r, OWNDNS_RCODE_SERVFAIL);
			if (p == ANSWER_PART_ADDITIONAL && e->required) {
				glue_wanted++;
				glue_written += rc == OWNDNS_OK;
			}
			if (rc == OWNDNS_ETRUNCATED_MSG && !optional)
				truncated = true;
		}
	}
	if (truncated || (glue_wanted > 0 && glue_written == 0))
		owndns_header_set_flag(&r->hdr, OWNDNS_FLAG_TC, true);
	return response_finish(r);
}

/* ---- The pipeline ---------------------------------------------------------------- */

static size_t answer_question(const server_view *view, const server_request *req,
			      response *r)
{
	const parsed_query *q = r->q;

	if (q->has_edns && q->edns.version > 0) {
		/* RFC 6891 §6.1.3.  The DO bit belongs to a version we do not speak, so
		 * it is not echoed (NSD does the same). */
		r->opt.dnssec_ok = false;
		return question_only(r, OWNDNS_RCODE_BADVERS);
	}
	/* Only class IN is served; NSD refuses CH and friends the same way. */
	if (q->qclass != OWNDNS_CLASS_IN)
		return question_only(r, OWNDNS_RCODE_REFUSED);
	/* No zone transfers yet: NSD without provide-xfr answers AXFR over UDP with NOTIMP
	 * (RFC 5936 §4.2: AXFR is TCP only) and refuses AXFR over TCP and IXFR. */
	if (q->qtype == OWNDNS_TYPE_AXFR)
		return question_only(r, req->tcp ? OWNDNS_RCODE_REFUSED : OWNDNS_RCODE_NOTIMP);
	if (q->qtype == OWNDNS_TYPE_IXFR)
		return question_only(r, OWNDNS_RCODE_REFUSED);

	answer_plan plan;
	answer_lookup(view->zones, q->qname, q->qtype, &plan);
	if (plan.rcode == OWNDNS_RCODE_REFUSED && r->with_opt)
		owndns_edns_add_ede(&r->opt, EDE_NOT_AUTHORITATIVE, NULL, 0);
	return write_plan(r, &plan);
}

size_t server_answer(const server_view *view, const server_request *req, uint8_t *out,
		     size_t cap)
{
	parsed_query q;
	unsigned rcode = OWNDNS_RCODE_NOERROR;
	response r;

	if (req->len < OWNDNS_HEADER_SIZE || cap < OWNDNS_HEADER_SIZE)
		return 0;
	memset(&q, 0, sizeof(q));
	switch (validate_query(req->packet, req->len, &q, &rcode)) {
	case VERDICT_DROP:
		return 0;
	case VERDICT_HEADER_ONLY:
		return header_only(&q.msg.hdr, rcode, out, cap);
	case VERDICT_ANSWER:
		break;
	}
	uint16_t udp_max = view_udp_max(view);
	response_init(&r, &q, response_limit(req, &q, udp_max, cap), udp_max, out);
	return answer_question(view, req, &r);
}
