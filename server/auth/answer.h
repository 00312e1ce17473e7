/* The authoritative lookup of RFC 1034 §4.3.2 over the zones of a zone_set: from a
 * question to the RRsets of each response section, with CNAME chains (also across
 * zones), DNAME synthesis (RFC 6672), wildcards (RFC 4592), referrals, negative answers
 * (RFC 2308) and additional-section processing.  It decides *what* to say; how much of
 * it fits in a packet is decided by server/query.c, which writes the plan.
 * Reads the zones only; allocates nothing (the plan holds every synthesized name). */
#ifndef OWNDNS_SERVER_AUTH_ANSWER_H
#define OWNDNS_SERVER_AUTH_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <owndns/name.h>
#include <owndns/rr.h>

struct zone_set;
struct zone_rrset;
struct zone;

/* Longest chain of CNAME and DNAME steps followed for one question. */
#define ANSWER_CHAIN_MAX 16
/* RRsets per section: a chain of 16 DNAME steps needs 2 per step plus the final one. */
#define ANSWER_SECTION_MAX 40
/* Names the plan synthesizes: one per chain step (DNAME-made CNAME target). */
#define ANSWER_NAMES_MAX (ANSWER_CHAIN_MAX + 1)

/* The three record sections a plan fills (QUESTION is written by the caller). */
enum answer_part { ANSWER_PART_ANSWER, ANSWER_PART_AUTHORITY, ANSWER_PART_ADDITIONAL };
#define ANSWER_PART_COUNT 3

/* One RRset to write: zone data (rrset != NULL) with its owner replaced by `owner`
 * (the query name for wildcard answers, the name as asked for the others), or a CNAME
 * synthesized from a DNAME (rrset == NULL, RDATA `target`). */
typedef struct answer_entry {
	const uint8_t *owner;
	uint16_t type;
	const struct zone_rrset *rrset;
	const uint8_t *target;  /* synthesized CNAME only */
	uint32_t ttl;           /* synthesized CNAME only: the DNAME's TTL (RFC 6672 §3.3) */
	bool negative_soa;      /* SOA of a negative answer: TTL = min(TTL, MINIMUM) */
	bool required;          /* authority: must fit or TC (negative SOA, referral NS);
				 * additional: in-domain glue of a referral (RFC 9471) */
} answer_entry;

typedef struct answer_plan {
	unsigned rcode;         /* NOERROR, NXDOMAIN, YXDOMAIN or REFUSED */
	bool authoritative;     /* AA */
	answer_entry part[ANSWER_PART_COUNT][ANSWER_SECTION_MAX];
	unsigned count[ANSWER_PART_COUNT];
	uint8_t names[ANSWER_NAMES_MAX][OWNDNS_NAME_MAX];
	unsigned name_count;
} answer_plan;

/* An empty plan: NOERROR, not authoritative, no entries, no names.  Only the counts
 * are set; the entries and names beyond them are never read. */
void answer_plan_reset(answer_plan *plan);

/* Answers (qname, qtype) of class IN from `zones` into *plan.  qname is an uncompressed
 * wire name (case kept: it becomes the owner of exact-match answers).  REFUSED when
 * no zone of the set holds qname.  Never fails: every limit ends the chain cleanly. */
void answer_lookup(const struct zone_set *zones, const uint8_t *qname, uint16_t qtype,
		   answer_plan *plan);

/* Walks the records of an entry: start with *cursor = NULL; each call fills *rr (class
 * IN, owner e->owner, the entry's TTL rules applied) and returns true, false after the
 * last one.  rr points into the zone or the plan, valid while both are. */
bool answer_entry_next(const answer_entry *e, const void **cursor, owndns_rr *rr);

#endif
