/* libFuzzer target: whole messages.
 * A message that opens is read completely (questions, every record of every section,
 * RDATA unpacked), rebuilt with the writer, and the rebuilt message must open and
 * give the same questions and the same records.  Records the writer may legitimately
 * refuse (RDATA that does not check, anything after an OPT or TSIG, running out of
 * room once compression is lost) are left out of both sides.  The writer may compress
 * a name against an earlier one that differs only in case, which loses the later
 * name's case (RFC 4343 §4.1 allows it), so names after the first question compare
 * case-insensitively and RDATA compares in canonical form.  Any mismatch traps. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <owndns/edns.h>
#include <owndns/message.h>
#include <owndns/rdata.h>

/* Names the failed condition before trapping, so a crash report says what broke. */
#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                              \
			__builtin_trap();                                            \
		}                                                                    \
	} while (0)

#define STORAGE_CAP (OWNDNS_NAME_MAX + OWNDNS_RDATA_MAX)

typedef struct scratch {
	uint8_t *storage;  /* one record's owner + RDATA */
	uint8_t *rdata_a;
	uint8_t *rdata_b;
	uint8_t *out;      /* the rebuilt message */
	bool *written;     /* per original record, in message order */
} scratch;

static unsigned total_records(const owndns_msg *m)
{
	return (unsigned)m->hdr.count[1] + m->hdr.count[2] + m->hdr.count[3];
}

static void check_questions(const owndns_msg *a, const owndns_msg *b)
{
	uint8_t qa[OWNDNS_NAME_MAX], qb[OWNDNS_NAME_MAX];
	size_t la = 0, lb = 0;
	uint16_t ta, tb, ca, cb;

	CHECK(a->hdr.count[0] == b->hdr.count[0]);
	for (unsigned i = 0; i < a->hdr.count[0]; i++) {
		CHECK(owndns_msg_question(a, i, qa, &la, &ta, &ca) == OWNDNS_OK);
		CHECK(owndns_msg_question(b, i, qb, &lb, &tb, &cb) == OWNDNS_OK);
		CHECK(la == lb && owndns_name_equal(qa, qb) && ta == tb && ca == cb);
		if (i == 0) /* nothing to compress against: case kept (0x20 relies on it) */
			CHECK(memcmp(qa, qb, la) == 0);
	}
	CHECK(owndns_msg_question(a, a->hdr.count[0], qa, &la, &ta, &ca) == OWNDNS_ENOTFOUND);
}

/* Writes what can be written; marks in s->written which original records went in. */
static int rebuild(const owndns_msg *m, scratch *s, size_t *out_len)
{
	owndns_msg_writer w;
	uint8_t qname[OWNDNS_NAME_MAX];
	size_t qlen = 0;
	uint16_t qtype, qclass;
	unsigned ordinal = 0;

	CHECK(owndns_writer_init(&w, s->out, OWNDNS_MSG_MAX, &m->hdr) == OWNDNS_OK);
	for (unsigned i = 0; i < m->hdr.count[0]; i++) {
		CHECK(owndns_msg_question(m, i, qname, &qlen, &qtype, &qclass) == OWNDNS_OK);
		int rc = owndns_writer_question(&w, qname, qtype, qclass);
		if (rc == OWNDNS_ETRUNCATED_MSG)
			return 0; /* cannot happen: questions are never larger rebuilt */
		CHECK(rc == OWNDNS_OK);
	}
	for (int sec = OWNDNS_SECTION_ANSWER; sec <= OWNDNS_SECTION_ADDITIONAL; sec++) {
		owndns_rr_iter it;
		owndns_rr_view v;
		owndns_rr_iter_init(&it, m, (owndns_section)sec);
		int got;
		while ((got = owndns_rr_iter_next(&it, &v)) == 1) {
			owndns_rr rr;
			bool ok = owndns_rr_view_to_rr(m, &v, s->storage, STORAGE_CAP, &rr) == OWNDNS_OK;
			if (ok) {
				CHECK(owndns_rdata_check(rr.type, rr.rdata, rr.rdlen) == OWNDNS_OK);
				int rc = owndns_writer_rr(&w, (owndns_section)sec, &rr);
				CHECK(rc == OWNDNS_OK || rc == OWNDNS_ESTATE || rc == OWNDNS_ETRUNCATED_MSG);
				ok = rc == OWNDNS_OK;
			}
			s->written[ordinal++] = ok;
		}
		CHECK(got == 0);
	}
	CHECK(ordinal == total_records(m));
	CHECK(owndns_writer_finish(&w, out_len) == OWNDNS_OK);
	return 1;
}

static void check_records(const owndns_msg *a, const owndns_msg *b, scratch *s)
{
	unsigned ordinal = 0, rebuilt = 0;

	for (int sec = OWNDNS_SECTION_ANSWER; sec <= OWNDNS_SECTION_ADDITIONAL; sec++) {
		owndns_rr_iter ia, ib;
		owndns_rr_view va, vb;
		owndns_rr_iter_init(&ia, a, (owndns_section)sec);
		owndns_rr_iter_init(&ib, b, (owndns_section)sec);
		while (owndns_rr_iter_next(&ia, &va) == 1) {
			if (!s->written[ordinal++])
				continue;
			CHECK(owndns_rr_iter_next(&ib, &vb) == 1);
			rebuilt++;
			CHECK(va.owner_len == vb.owner_len && owndns_name_equal(va.owner, vb.owner));
			CHECK(va.type == vb.type && va.rclass == vb.rclass && va.ttl == vb.ttl);
			CHECK(vb.section == (owndns_section)sec);
			size_t la = 0, lb = 0;
			CHECK(owndns_rr_view_rdata(a, &va, s->rdata_a, OWNDNS_RDATA_MAX, &la) ==
			      OWNDNS_OK);
			CHECK(owndns_rr_view_rdata(b, &vb, s->rdata_b, OWNDNS_RDATA_MAX, &lb) ==
			      OWNDNS_OK);
			owndns_rdata_canonicalize(va.type, s->rdata_a, la);
			owndns_rdata_canonicalize(vb.type, s->rdata_b, lb);
			CHECK(la == lb && (la == 0 || memcmp(s->rdata_a, s->rdata_b, la) == 0));
		}
		CHECK(owndns_rr_iter_next(&ib, &vb) == 0);
	}
	CHECK(rebuilt == total_records(b));
}

static void exercise_edns(const owndns_msg *m)
{
	owndns_edns e;
	if (owndns_edns_from_msg(m, &e) != OWNDNS_OK)
		return;
	owndns_edns_opt_iter it;
	owndns_edns_option opt;
	owndns_edns_opt_iter_init(&it, e.options, e.options_len);
	while (owndns_edns_opt_next(&it, &opt) == 1)
		;
	(void)owndns_msg_rcode(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	owndns_msg m, again;
	scratch s = { 0 };
	size_t out_len = 0;

	if (size > OWNDNS_MSG_MAX || owndns_msg_open(&m, data, size) != OWNDNS_OK)
		return 0;
	CHECK(owndns_msg_trailing(&m) <= size);
	exercise_edns(&m);

	s.storage = malloc(STORAGE_CAP);
	s.rdata_a = malloc(OWNDNS_RDATA_MAX);
	s.rdata_b = malloc(OWNDNS_RDATA_MAX);
	s.out = malloc(OWNDNS_MSG_MAX);
	s.written = calloc(total_records(&m) + 1, sizeof(bool));
	if (!s.storage || !s.rdata_a || !s.rdata_b || !s.out || !s.written)
		goto done;
	if (!rebuild(&m, &s, &out_len))
		goto done;
	CHECK(owndns_msg_open(&again, s.out, out_len) == OWNDNS_OK);
	CHECK(owndns_msg_trailing(&again) == 0);
	CHECK(again.hdr.id == m.hdr.id && again.hdr.flags == m.hdr.flags);
	check_questions(&m, &again);
	check_records(&m, &again, &s);
done:
	free(s.storage);
	free(s.rdata_a);
	free(s.rdata_b);
	free(s.out);
	free(s.written);
	return 0;
}
