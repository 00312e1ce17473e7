/* The request pipeline (query.h).  Validation follows what NSD does with the same
 * packets (tests/integration/test_auth_vs_nsd.py keeps the two in step); the lookups
 * are server/auth/answer.c (zones), server/local/ (local names) and server/forward/
 * (cache, upstream answers); this file runs the stages in order and decides what fits
 * in the packet. */
#include "query.h"

#include <string.h>

#include <owndns/edns.h>
#include <owndns/message.h>
#include <owndns/rdata.h>

#include "auth/answer.h"
#include "forward/forward.h"
#include "forward/upstream.h"
#include "local/local_data.h"
#include "policy/acl.h"

/* RFC 8914 §4.21: "Not Authoritative", sent with REFUSED like NSD does. */
#define EDE_NOT_AUTHORITATIVE 20
/* RFC 8914 §4.19 / §4.24: "Prohibited" (ACL) and "No Reachable Authority" (upstreams
 * failed). */
#define EDE_PROHIBITED 18
#define EDE_NO_REACHABLE_AUTHORITY 22

/* What the query asked, once it has passed validation. */
typedef struct parsed_query {
	owndns_msg msg;
	reply_query rq; /* the question and how to answer it */
	uint8_t version; /* EDNS version */
	bool opt_seen;   /* the packet has an OPT record, well-formed or not */
} parsed_query;

/* The header of a header-only response: ID, opcode, RD and CD echoed (RFC 1035
 * §4.1.1, RFC 4035 §3.1.6); QR set. */
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
 * they went with); we do the same.  A query that carried an OPT gets one back (version
 * 0, our size, no DO, no option), also when the OPT itself was wrong: RFC 6891 §6.1.1
 * ("MUST include an OPT record") and §7 (a FORMERR for a bad OPT "MUST include an OPT
 * record"); Unbound does so, NSD does not. */
static size_t header_only(const owndns_header *query, unsigned rcode, bool with_opt,
			  uint16_t udp_size, uint8_t *out, size_t cap)
{
	owndns_msg_writer w;
	owndns_edns_builder opt;
	uint8_t no_options[1]; /* a builder wants storage, even for no option */
	owndns_header h = response_header(query);
	size_t len;

	if (query->count[OWNDNS_SECTION_QUESTION] > 1)
		h.flags &= (uint16_t)~(OWNDNS_FLAG_RD | OWNDNS_FLAG_CD);
	owndns_header_set_rcode(&h, rcode);
	owndns_edns_builder_init(&opt, no_options, 0, udp_size);
	if (owndns_writer_init(&w, out, cap, &h) ||
	    (with_opt && owndns_writer_edns(&w, &opt)) || owndns_writer_finish(&w, &len))
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
	/* EEDNS: a second OPT, one outside the additional section or not owned by the
	 * root; either way the client sent EDNS. */
	q->opt_seen = rc == OWNDNS_EEDNS || (rc == OWNDNS_OK && q->msg.opt_pos != 0);
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
	reply_query *rq = &q->rq;
	if (owndns_msg_question(&q->msg, 0, rq->qname, &qname_len, &rq->qtype, &rq->qclass))
		return VERDICT_HEADER_ONLY;
	owndns_edns edns;
	rc = owndns_edns_from_msg(&q->msg, &edns);
	if (rc != OWNDNS_OK && rc != OWNDNS_ENOTFOUND)
		return VERDICT_HEADER_ONLY; /* RFC 6891 §7: malformed OPT, FORMERR */
	rq->id = h->id;
	rq->flags = h->flags;
	rq->has_edns = rc == OWNDNS_OK;
	if (rq->has_edns) {
		rq->dnssec_ok = edns.dnssec_ok;
		rq->edns_udp_size = edns.udp_size;
		q->version = edns.version;
	}
	return VERDICT_ANSWER;
}

/* ---- Writing --------------------------------------------------------------------- */

static uint16_t view_udp_max(const server_view *view)
{
	if (view->udp_max == 0)
		return REPLY_EDNS_UDP_SIZE;
	return view->udp_max < OWNDNS_MSG_UDP_MAX ? OWNDNS_MSG_UDP_MAX : view->udp_max;
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
static size_t write_plan(reply *r, const answer_plan *plan)
{
	static const owndns_section sections[ANSWER_PART_COUNT] = {
		OWNDNS_SECTION_ANSWER, OWNDNS_SECTION_AUTHORITY, OWNDNS_SECTION_ADDITIONAL
	};
	bool truncated = false;
	unsigned glue_wanted = 0, glue_written = 0;

	reply_set_rcode(r, plan->rcode);
	owndns_header_set_flag(&r->hdr, OWNDNS_FLAG_AA, plan->authoritative);
	if (reply_begin(r))
		return 0;
	for (int p = 0; p < ANSWER_PART_COUNT && !truncated; p++) {
		for (unsigned i = 0; i < plan->count[p] && !truncated; i++) {
			const answer_entry *e = &plan->part[p][i];
			bool optional = p == ANSWER_PART_ADDITIONAL ||
					(p == ANSWER_PART_AUTHORITY && !e->required);
			int rc = write_entry(&r->w, sections[p], e);
			if (rc != OWNDNS_OK && rc != OWNDNS_ETRUNCATED_MSG)
				return reply_error(r, OWNDNS_RCODE_SERVFAIL);
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
	return reply_finish(r);
}

/* ---- The pipeline ---------------------------------------------------------------- */

/* What the stages before the forward stage say. */
enum stage { STAGE_ANSWERED, STAGE_NEXT };

static size_t refuse(reply *r, uint16_t ede)
{
	if (r->with_opt)
		owndns_edns_add_ede(&r->opt, ede, NULL, 0);
	return reply_error(r, OWNDNS_RCODE_REFUSED);
}

/* Checks that apply before any data is looked at. */
static enum stage check_question(const server_request *req, const parsed_query *q, reply *r,
				 size_t *len)
{
	const reply_query *rq = &q->rq;

	*len = 0;
	if (rq->has_edns && q->version > 0) {
		/* RFC 6891 §6.1.3.  The DO bit belongs to a version we do not speak, so
		 * it is not echoed (NSD does the same). */
		r->opt.dnssec_ok = false;
		*len = reply_error(r, OWNDNS_RCODE_BADVERS);
		return STAGE_ANSWERED;
	}
	/* Only class IN is served; NSD refuses CH and friends the same way. */
	if (rq->qclass != OWNDNS_CLASS_IN) {
		*len = reply_error(r, OWNDNS_RCODE_REFUSED);
		return STAGE_ANSWERED;
	}
	/* No zone transfers yet: NSD without provide-xfr answers AXFR over UDP with NOTIMP
	 * (RFC 5936 §4.2: AXFR is TCP only) and refuses AXFR over TCP and IXFR. */
	if (rq->qtype == OWNDNS_TYPE_AXFR) {
		*len = reply_error(r, req->tcp ? OWNDNS_RCODE_REFUSED : OWNDNS_RCODE_NOTIMP);
		return STAGE_ANSWERED;
	}
	if (rq->qtype == OWNDNS_TYPE_IXFR) {
		*len = reply_error(r, OWNDNS_RCODE_REFUSED);
		return STAGE_ANSWERED;
	}
	return STAGE_NEXT;
}

/* Authoritative zones: a name inside one is answered from it. */
static enum stage answer_from_zones(const server_view *view, const parsed_query *q, reply *r,
				    size_t *len)
{
	answer_plan plan;
	if (!view->zones)
		return STAGE_NEXT;
	answer_lookup(view->zones, q->rq.qname, q->rq.qtype, &plan);
	if (plan.rcode == OWNDNS_RCODE_REFUSED)
		return STAGE_NEXT;
	*len = write_plan(r, &plan);
	return STAGE_ANSWERED;
}

static enum stage answer_from_local(const server_view *view, const parsed_query *q, reply *r,
				    size_t *len)
{
	local_result res;
	answer_plan plan;
	if (!view->local || local_lookup(view->local, q->rq.qname, q->rq.qtype, &res) ==
				    LOCAL_NOT_LOCAL)
		return STAGE_NEXT;
	local_result_to_plan(&res, &plan);
	*len = write_plan(r, &plan);
	return STAGE_ANSWERED;
}

/* RFC 6895 §3.1: OPT, TKEY, TSIG, MAILB, MAILA and the rest of 128-248 are meta or
 * obsolete types nobody can be asked about (IXFR, AXFR and ANY are QTYPEs with a
 * meaning).  Unbound answers FORMERR, without RA, before looking at local data. */
static bool meta_qtype(uint16_t qtype)
{
	return qtype == OWNDNS_TYPE_OPT || (qtype >= 128 && qtype <= 248) ||
	       qtype == OWNDNS_TYPE_TKEY || qtype == OWNDNS_TYPE_TSIG ||
	       qtype == OWNDNS_TYPE_MAILB || qtype == OWNDNS_TYPE_MAILA;
}

static size_t refuse_meta_qtype(reply *r)
{
	owndns_header_set_flag(&r->hdr, OWNDNS_FLAG_RA, false);
	return reply_error(r, OWNDNS_RCODE_FORMERR);
}

static void fill_forward(const server_view *view, const parsed_query *q, long target,
			 server_forward *fwd)
{
	const reply_query *rq = &q->rq;
	unsigned flags = 0;
	if (rq->has_edns && rq->dnssec_ok)
		flags |= INFLIGHT_DO;
	if (rq->flags & OWNDNS_FLAG_CD)
		flags |= INFLIGHT_CD;
	(void)view;
	/* The qname passed validation, so the key cannot fail. */
	inflight_key_init(&fwd->key, rq->qname, rq->qtype, rq->qclass, flags, target);
	fwd->client = *rq;
}

static size_t run_pipeline(const server_view *view, const server_request *req, uint32_t now,
			   parsed_query *q, uint8_t *out, size_t cap, server_forward *fwd,
			   bool *forward)
{
	uint16_t udp_max = view_udp_max(view);
	reply r;
	size_t len = 0;

	q->rq.tcp = req->tcp;
	reply_init(&r, &q->rq, udp_max, view->recursion, out, cap);
	if (view->acl && !acl_allows(view->acl, req->client))
		return refuse(&r, EDE_PROHIBITED);
	if (check_question(req, q, &r, &len) == STAGE_ANSWERED ||
	    answer_from_zones(view, q, &r, &len) == STAGE_ANSWERED)
		return len;
	if (!view->recursion)
		return refuse(&r, EDE_NOT_AUTHORITATIVE);
	if (meta_qtype(q->rq.qtype))
		return refuse_meta_qtype(&r);
	if (answer_from_local(view, q, &r, &len) == STAGE_ANSWERED)
		return len;
	if (forward_cache_answer(view->cache, &q->rq, udp_max, now, 0, out, cap, &len) ==
	    OWNDNS_OK)
		return len;
	/* Not recursive: only what we have (query.h). */
	if (!(q->rq.flags & OWNDNS_FLAG_RD))
		return reply_error(&r, OWNDNS_RCODE_SERVFAIL);
	long target = view->forward ? forwarders_select(view->forward, q->rq.qname) : -1;
	if (target < 0) {
		if (r.with_opt)
			owndns_edns_add_ede(&r.opt, EDE_NO_REACHABLE_AUTHORITY, NULL, 0);
		return reply_error(&r, OWNDNS_RCODE_SERVFAIL);
	}
	fill_forward(view, q, target, fwd);
	*forward = true;
	return 0;
}

size_t server_process(const server_view *view, const server_request *req, uint32_t now,
		      uint8_t *out, size_t cap, server_forward *fwd, bool *forward)
{
	parsed_query q;
	unsigned rcode = OWNDNS_RCODE_NOERROR;

	*forward = false;
	if (req->len < OWNDNS_HEADER_SIZE || cap < OWNDNS_HEADER_SIZE)
		return 0;
	memset(&q, 0, sizeof(q));
	switch (validate_query(req->packet, req->len, &q, &rcode)) {
	case VERDICT_DROP:
		return 0;
	case VERDICT_HEADER_ONLY:
		if (view->acl && !acl_allows(view->acl, req->client))
			rcode = OWNDNS_RCODE_REFUSED;
		return header_only(&q.msg.hdr, rcode, q.opt_seen, view_udp_max(view), out, cap);
	case VERDICT_ANSWER:
		break;
	}
	return run_pipeline(view, req, now, &q, out, cap, fwd, forward);
}

size_t server_answer(const server_view *view, const server_request *req, uint8_t *out,
		     size_t cap)
{
	server_forward fwd;
	bool forward;
	size_t len = server_process(view, req, 0, out, cap, &fwd, &forward);
	if (!forward)
		return len;
	reply r;
	reply_init(&r, &fwd.client, view_udp_max(view), view->recursion, out, cap);
	return reply_error(&r, OWNDNS_RCODE_SERVFAIL);
}

/* ---- After the upstream ---------------------------------------------------------- */

/* The zone the forwarding target speaks for: what its upstreams say is kept and passed
 * on only inside it.  A target that is gone (reload) is looked up again by name; with
 * none, nothing can be trusted, and the question's own name is the narrowest zone. */
static const uint8_t *target_domain(const server_view *view, long target,
				    const uint8_t *qname)
{
	const forwarders *fw = view->forward;
	if (fw && (target < 0 || (size_t)target >= fw->count))
		target = forwarders_select(fw, qname);
	if (!fw || target < 0)
		return qname;
	return fw->targets[target].domain;
}

/* A response the client must not get as it is: over TCP a TC=1 answer is incomplete
 * with nothing larger to try (Unbound counts it a failure), and error rcodes. */
static bool upstream_failed(const owndns_msg *m)
{
	unsigned rcode = owndns_msg_rcode(m);
	return owndns_header_flag(&m->hdr, OWNDNS_FLAG_TC) || rcode == OWNDNS_RCODE_SERVFAIL ||
	       rcode == OWNDNS_RCODE_REFUSED || rcode == OWNDNS_RCODE_NOTIMP ||
	       rcode == OWNDNS_RCODE_FORMERR;
}

void server_store_upstream(const server_view *view, const inflight_key *key,
			   const uint8_t *pkt, size_t len, uint32_t now)
{
	owndns_msg m;
	if (!view->cache || !pkt || owndns_msg_open(&m, pkt, len))
		return;
	forward_store(view->cache, key->qname, key->qtype, key->qclass,
		      target_domain(view, key->target, key->qname), &m, now);
}

/* The cache answers key's whole question already (a chain through it included). */
static bool cache_answers(const server_view *view, const inflight_key *key, uint32_t now)
{
	uint8_t buf[OWNDNS_MSG_UDP_MAX];
	reply_query rq;
	size_t n;
	if (!view->cache)
		return false;
	memset(&rq, 0, sizeof(rq));
	rq.flags = OWNDNS_FLAG_RD;
	memcpy(rq.qname, key->qname, key->qname_len);
	rq.qtype = key->qtype;
	rq.qclass = key->qclass;
	/* Asked as the client will be answered: data cached without DO cannot answer a DO
	 * client (no RRSIGs), so for one it is no reason to stop the chase. */
	if (key->flags & INFLIGHT_DO) {
		rq.has_edns = rq.dnssec_ok = true;
		rq.edns_udp_size = OWNDNS_MSG_UDP_MAX;
	}
	return forward_cache_answer(view->cache, &rq, OWNDNS_MSG_UDP_MAX, now, 0, buf,
				    sizeof(buf), &n) == OWNDNS_OK;
}

bool server_upstream_chase(const server_view *view, const inflight_key *key,
			   const uint8_t *pkt, size_t len, uint32_t now, inflight_key *next)
{
	uint8_t name[OWNDNS_NAME_MAX];
	owndns_msg m;

	if (!pkt || !view->forward || owndns_msg_open(&m, pkt, len) || upstream_failed(&m) ||
	    !forward_chain_next(&m, key->qname, key->qtype,
				target_domain(view, key->target, key->qname), name))
		return false;
	long target = forwarders_select(view->forward, name);
	/* Cached to its end: server_answer_upstream follows the chain through the cache. */
	if (target < 0 || cache_answers(view, key, now))
		return false;
	return inflight_key_init(next, name, key->qtype, key->qclass, key->flags, target) ==
	       OWNDNS_OK;
}

/* A chased answer that cannot be assembled: stale data or SERVFAIL. */
static size_t chase_failed(const server_view *view, const reply_query *client,
			   const server_chase_piece *pieces, size_t count, uint32_t now,
			   uint8_t *out, size_t cap)
{
	long target = count > 0 ? pieces[0].target : -1;
	return server_answer_upstream(view, client, target, NULL, 0, now, out, cap);
}

size_t server_answer_chased(const server_view *view, const reply_query *client,
			    const server_chase_piece *pieces, size_t count, uint32_t now,
			    uint8_t *out, size_t cap)
{
	uint8_t names[FORWARD_CHAIN_MAX + 1][OWNDNS_NAME_MAX];
	owndns_msg msgs[FORWARD_CHAIN_MAX + 1];
	forward_piece fp[FORWARD_CHAIN_MAX + 1];
	uint16_t udp_max = view_udp_max(view);
	size_t n;

	if (count == 0 || count > FORWARD_CHAIN_MAX + 1)
		return chase_failed(view, client, pieces, count, now, out, cap);
	for (size_t i = 0; i < count; i++) {
		owndns_msg *m = &msgs[i];
		uint16_t t, cl;
		if (!pieces[i].pkt || owndns_msg_open(m, pieces[i].pkt, pieces[i].len) ||
		    upstream_failed(m))
			return chase_failed(view, client, pieces, count, now, out, cap);
		if (i == 0)
			memcpy(names[0], client->qname, owndns_name_length(client->qname));
		else if (owndns_msg_question(m, 0, names[i], NULL, &t, &cl))
			return chase_failed(view, client, pieces, count, now, out, cap);
		fp[i].m = m;
		fp[i].qname = names[i];
		fp[i].domain = target_domain(view, pieces[i].target, names[i]);
	}
	/* The last response still leaves its zone (the chase stopped short): the cache may
	 * hold the rest. */
	const forward_piece *last = &fp[count - 1];
	uint8_t next[OWNDNS_NAME_MAX];
	if (forward_chain_next(last->m, last->qname, client->qtype, last->domain, next) &&
	    forward_cache_answer(view->cache, client, udp_max, now, 0, out, cap, &n) ==
		    OWNDNS_OK)
		return n;
	return forward_rebuild_chain(client, fp, count, udp_max, &view->ttl_limits, out, cap);
}

size_t server_answer_stale(const server_view *view, const reply_query *client, uint32_t now,
			   uint32_t asked, uint8_t *out, size_t cap)
{
	uint16_t udp_max = view_udp_max(view);
	size_t n;

	if (!view->serve_stale || !view->cache)
		return 0;
	if (forward_cache_answer(view->cache, client, udp_max, now, FORWARD_CACHE_STALE, out,
				 cap, &n) == OWNDNS_OK)
		return n;
	/* Data that has left the window while the client waited was still good when it
	 * asked: serve-stale-max is the age the data may have at the question. */
	if (asked < now &&
	    forward_cache_answer(view->cache, client, udp_max, asked, FORWARD_CACHE_STALE, out,
				 cap, &n) == OWNDNS_OK)
		return n;
	return 0;
}

size_t server_answer_upstream(const server_view *view, const reply_query *client, long target,
			      const uint8_t *pkt, size_t len, uint32_t now, uint8_t *out,
			      size_t cap)
{
	uint16_t udp_max = view_udp_max(view);
	owndns_msg m;
	size_t n;

	if (pkt && owndns_msg_open(&m, pkt, len) == OWNDNS_OK && !upstream_failed(&m)) {
		const uint8_t *domain = target_domain(view, target, client->qname);
		uint8_t outside[OWNDNS_NAME_MAX];
		/* A chain that leaves the target's zone goes on from the cache, which holds
		 * the in-zone part now, when the rest is there (fetched from its own
		 * forwarder before). */
		if (forward_chain_next(&m, client->qname, client->qtype, domain, outside) &&
		    forward_cache_answer(view->cache, client, udp_max, now, 0, out, cap,
					 &n) == OWNDNS_OK)
			return n;
		return forward_rebuild(client, &m, domain, udp_max, &view->ttl_limits, out, cap);
	}
	/* RFC 8767 §4: expired data rather than no answer. */
	n = server_answer_stale(view, client, now, now, out, cap);
	if (n > 0)
		return n;
	reply r;
	reply_init(&r, client, udp_max, true, out, cap);
	if (r.with_opt)
		owndns_edns_add_ede(&r.opt, EDE_NO_REACHABLE_AUTHORITY, NULL, 0);
	return reply_error(&r, OWNDNS_RCODE_SERVFAIL);
}
