/* Local names: what the resolver answers itself, without asking upstream.
 * One local_data holds three sources, merged when it is finished:
 *   - hosts files (hosts.c): "ADDRESS NAME [NAME...]" lines give A/AAAA for every name
 *     and one PTR per address (to the first name of the first line that has it);
 *   - local-data lines (local_data.c): "name TTL IN TYPE rdata", any type;
 *   - built-in zones (builtin_zones.c): localhost and the reverse and special-use zones
 *     of RFC 6761, RFC 6303, RFC 7793, RFC 8375 and RFC 7686, which must never be asked
 *     upstream.  Like Unbound's default local zones they hold an NS and a synthesized
 *     SOA ("localhost. nobody.invalid. 1 3600 1200 604800 10800") at the apex, so their
 *     negative answers are cacheable.
 * Answering rules (local_lookup.c), checked against Unbound 1.17:
 *   - a name with user data answers its types; other types get NODATA, with the zone's
 *     SOA inside a built-in zone and without one outside (Unbound's transparent zone);
 *   - inside a built-in zone every other name is NXDOMAIN, except the names above user
 *     data (empty non-terminals: NODATA); names below localhost answer localhost's
 *     A/AAAA (RFC 6761 §6.3; Unbound's "redirect");
 *   - user data (hosts, local-data) for a name and type replaces the built-in RRset of
 *     that name and type and leaves the rest of the built-in zone in place;
 *   - CNAMEs are followed inside the local data (up to LOCAL_CHAIN_MAX steps); a chain
 *     that leaves it ends with the CNAME and names the target (Unbound 1.17 never
 *     follows, dnsmasq does);
 *   - a name with a CNAME answers every other type with it, also when other data was
 *     given beside it (RFC 1034 §4.3.2 step 3a, as Unbound), and keeps only the first
 *     CNAME given (RFC 2181 §10.1);
 *   - DS at the apex of a built-in zone belongs to the parent side (RFC 4035 §3.1.4.1):
 *     it is asked upstream, as Unbound does, unless the user gave a DS there;
 *   - ANY gets one RRset (RFC 8482 §4.1, like server/auth/answer.c).
 * Names are compared ASCII case-insensitively; answers carry the query name as asked.
 * Life cycle: new, add (any number of times), finish, then only read: lookups may run
 * in several threads at once.  A reload builds a new local_data.  All memory is owned by
 * the local_data and released by local_data_free. */
#ifndef OWNDNS_SERVER_LOCAL_LOCAL_DATA_H
#define OWNDNS_SERVER_LOCAL_LOCAL_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <owndns/message.h>
#include <owndns/name.h>

#include "auth/answer.h"
#include "auth/zone.h"

typedef struct local_data local_data;

/* One problem of the input: "FILE:LINE: message" (line 0: `file` is a whole place such
 * as "command line" or "owndns.conf:12").  Same shape as zone_set_report_fn. */
typedef void (*local_report_fn)(void *arg, const char *file, unsigned line,
				const char *message);

/* Largest hosts file read (octets): larger ones are refused with ESPACE. */
#define LOCAL_HOSTS_FILE_MAX (256u * 1024 * 1024)
/* Longest CNAME chain followed inside the local data. */
#define LOCAL_CHAIN_MAX 8

/* An empty local_data (built-in zones on), or NULL when out of memory. */
local_data *local_data_new(void);
void local_data_free(local_data *ld);

/* builtin-local-zones=no: answer no built-in zone.  Call before local_data_finish. */
void local_data_set_builtin(local_data *ld, bool enabled);

/* Leaves the name space at and below `apex` (a wire name) to an authoritative zone=
 * served elsewhere: built-in zones at or below it are dropped, and names below it are
 * no longer inside an enclosing built-in zone (zone=1.168.192.in-addr.arpa keeps
 * 168.192.in-addr.arpa's other names NXDOMAIN).  Call before finish.  Errors: ENOMEM. */
int local_data_yield(local_data *ld, const uint8_t *apex);

/* The first name added from local-data or a hosts file (not a built-in or a hosts
 * PTR) at or below `apex`, or NULL.  Before finish only. */
const uint8_t *local_data_user_name_under(const local_data *ld, const uint8_t *apex);

/* Adds one local-data value, "name [TTL] [IN] TYPE rdata" (names absolute whether or
 * not they end with a dot; TTL 3600 when omitted, as Unbound).  A bad value is reported
 * as `where: local-data="VALUE": problem` and gives its status (ESYNTAX, EUNKNOWN_TYPE,
 * field errors; EINVAL for a class other than IN or a meta type); ENOMEM. */
int local_data_add_text(local_data *ld, const char *value, const char *where,
			local_report_fn report, void *arg);

/* Adds one record (copied).  Class must be IN.  Errors: EINVAL, ENOMEM. */
int local_data_add_rr(local_data *ld, const owndns_rr *rr);

/* Hosts files (hosts.c).  Lines: an IPv4 or IPv6 address (an IPv6 "%scope" is
 * ignored), then one or more names; '#' starts a comment.  A bad line is reported as
 * "FILE:LINE: problem" and skipped, like dnsmasq; the rest is still used.  Records get
 * TTL `ttl`.  Returns OK (also when lines were skipped; *bad_lines, if not NULL, gets
 * how many), ENOMEM, and for the file variant ENOTFOUND (cannot open or read; reported
 * with line 0) and ESPACE (larger than LOCAL_HOSTS_FILE_MAX). */
int local_data_add_hosts_text(local_data *ld, const char *file, const char *text, size_t len,
			      uint32_t ttl, local_report_fn report, void *arg,
			      unsigned *bad_lines);
int local_data_add_hosts_file(local_data *ld, const char *path, uint32_t ttl,
			      local_report_fn report, void *arg, unsigned *bad_lines);

/* Merges everything added (built-in zones included unless turned off) and makes the
 * data ready for lookups.  Call once.  Errors: ENOMEM, ESTATE (finished already). */
int local_data_finish(local_data *ld);

/* Number of names with records (after finish): for logs and tests. */
size_t local_data_name_count(const local_data *ld);

/* ---- Lookups (local_lookup.c) ------------------------------------------------------ */

typedef enum local_status {
	LOCAL_NOT_LOCAL = 0, /* nothing local: ask the cache / upstream */
	LOCAL_ANSWER,        /* answer[] holds the records (a CNAME chain, then the RRset) */
	LOCAL_NODATA,        /* the (last) name exists here without the type */
	LOCAL_NXDOMAIN,      /* the (last) name is inside a built-in zone and absent */
} local_status;

/* One RRset of the answer: `owner` is the name as asked (or the CNAME target), the
 * records are those of `rrset` (owned by the local_data). */
typedef struct local_entry {
	const uint8_t *owner;
	const zone_rrset *rrset;
} local_entry;

typedef struct local_result {
	local_status status;
	local_entry answer[LOCAL_CHAIN_MAX + 1];
	unsigned answer_count;
	/* Negative answers inside a built-in zone: its apex and SOA, else NULL. */
	const uint8_t *soa_owner;
	const zone_rrset *soa;
	/* LOCAL_ANSWER whose CNAME chain leaves the local data: the last target (a pointer
	 * into the CNAME's RDATA), else NULL.  The caller may answer the CNAMEs alone (as
	 * Unbound does) or resolve the target and append it. */
	const uint8_t *chain_target;
} local_result;

/* Looks (qname, qtype) up in finished local data (class IN is the caller's check).
 * qname is an uncompressed wire name; it must stay valid as long as *res is used (the
 * first answer RRset's owner points to it).  Fills *res and returns res->status. */
local_status local_lookup(const local_data *ld, const uint8_t *qname, uint16_t qtype,
			  local_result *res);

/* The RCODE of a result: NXDOMAIN for LOCAL_NXDOMAIN, else NOERROR. */
unsigned local_result_rcode(const local_result *res);

/* Writes a result (not LOCAL_NOT_LOCAL) after the question: the answer RRsets, then
 * the SOA in the authority section (TTL min(TTL, MINIMUM), RFC 2308 §3), and sets the
 * header's RCODE and AA=1 (local answers are authoritative, as in Unbound); RA is the
 * caller's.  Each RRset is written whole or not at all; returns OK, ETRUNCATED_MSG
 * when an RRset did not fit (what fitted stays: the caller sets TC), EINVAL for
 * LOCAL_NOT_LOCAL, or the writer's errors. */
int local_result_write(const local_result *res, owndns_msg_writer *w);

/* The same answer as an answer_plan, for server/query.c's write_plan (rcode,
 * AA, answer and required negative SOA).  Nothing is copied: the plan points into
 * `res`'s targets (the local_data and the qname). */
void local_result_to_plan(const local_result *res, answer_plan *plan);

#endif
