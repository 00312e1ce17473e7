/* The zones every resolver answers itself (builtin-local-zones=yes): special-use names
 * that must never be asked upstream and the reverse zones of addresses that are not
 * public.  Contents as Unbound's default local zones: an NS and a synthesized SOA at
 * each apex (TTL 10800), so NXDOMAIN and NODATA answers carry an SOA and are cacheable
 * (RFC 2308 §5), and a little data in the loopback zones. */
#include <stdio.h>
#include <string.h>

#include <owndns/name.h>
#include <owndns/rr.h>

#include "local_internal.h"

enum { BUILTIN_TTL = 10800 };

/* The SOA of RFC 6303 §3 (with Unbound's "nobody.invalid." mailbox). */
static const char *const apex_records[] = {
	"@ NS localhost.",
	"@ SOA localhost. nobody.invalid. 1 3600 1200 604800 10800",
};

typedef struct builtin_zone {
	const char *apex;
	bool redirect;          /* RFC 6761 §6.3: names below localhost are loopback too */
	const char *data[2];    /* records besides NS and SOA, owner relative to the apex */
} builtin_zone;

/* The ::1 and :: reverse names: 32 nibbles. */
#define IP6_ZERO_NIBBLES_31 "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."

static const builtin_zone fixed_zones[] = {
	/* RFC 6761 §6.3 */
	{ "localhost.", true, { "@ A 127.0.0.1", "@ AAAA ::1" } },
	/* RFC 6303 §4.2 (IPv4 loopback) and §4.3/4.4 (::1 and ::) */
	{ "127.in-addr.arpa.", false, { "1.0.0 PTR localhost.", NULL } },
	{ "1." IP6_ZERO_NIBBLES_31 "ip6.arpa.", false, { "@ PTR localhost.", NULL } },
	{ "0." IP6_ZERO_NIBBLES_31 "ip6.arpa.", false, { NULL, NULL } },
	/* RFC 6761 §6.2, §6.4; RFC 7686 (onion); RFC 8375 (home.arpa) */
	{ "test.", false, { NULL, NULL } },
	{ "invalid.", false, { NULL, NULL } },
	{ "onion.", false, { NULL, NULL } },
	{ "home.arpa.", false, { NULL, NULL } },
	/* RFC 1918 reverse: 10/8, 192.168/16 (172.16/12 below) */
	{ "10.in-addr.arpa.", false, { NULL, NULL } },
	{ "168.192.in-addr.arpa.", false, { NULL, NULL } },
	/* RFC 6303 §4.1: "this network", link local, documentation, broadcast */
	{ "0.in-addr.arpa.", false, { NULL, NULL } },
	{ "254.169.in-addr.arpa.", false, { NULL, NULL } },
	{ "2.0.192.in-addr.arpa.", false, { NULL, NULL } },
	{ "100.51.198.in-addr.arpa.", false, { NULL, NULL } },
	{ "113.0.203.in-addr.arpa.", false, { NULL, NULL } },
	{ "255.255.255.255.in-addr.arpa.", false, { NULL, NULL } },
	/* RFC 6303 §4.5-4.7: ULA fd00::/8, link local fe80::/10, site local fec0::/10,
	 * documentation 2001:db8::/32 */
	{ "d.f.ip6.arpa.", false, { NULL, NULL } },
	{ "8.e.f.ip6.arpa.", false, { NULL, NULL } },
	{ "9.e.f.ip6.arpa.", false, { NULL, NULL } },
	{ "a.e.f.ip6.arpa.", false, { NULL, NULL } },
	{ "b.e.f.ip6.arpa.", false, { NULL, NULL } },
	{ "8.b.d.0.1.0.0.2.ip6.arpa.", false, { NULL, NULL } },
};

/* Zones of one octet range: OCTET.172.in-addr.arpa. for 16..31. */
typedef struct builtin_range {
	const char *parent;
	unsigned first, last;
} builtin_range;

static const builtin_range range_zones[] = {
	{ "172.in-addr.arpa.", 16, 31 }, /* RFC 1918 172.16/12 */
	{ "100.in-addr.arpa.", 64, 127 }, /* RFC 6598 100.64/10 (RFC 7793 §3) */
};

/* Adds one record given as text, owner relative to the apex. */
static int add_text(local_data *ld, const uint8_t *apex, const char *text)
{
	uint8_t storage[1024];
	owndns_rr rr;
	owndns_rr_text_defaults defaults = { apex, BUILTIN_TTL, 0 };
	int rc = owndns_rr_from_text(text, strlen(text), &defaults, storage, sizeof(storage),
				     &rr);
	if (rc)
		return rc; /* the tables above are fixed: only a bug gets here */
	return local_add_record(ld, rr.owner, rr.type, rr.ttl, rr.rdata, rr.rdlen,
				LOCAL_ORIGIN_BUILTIN);
}

static int add_zone(local_data *ld, const char *apex_text, bool redirect,
		    const char *const *data, size_t data_count)
{
	uint8_t apex[OWNDNS_NAME_MAX];
	size_t len;
	int rc = owndns_name_from_text(apex_text, strlen(apex_text), NULL, apex, &len);
	if (rc)
		return rc;
	if (local_is_yielded(ld, apex))
		return OWNDNS_OK;
	for (size_t i = 0; i < sizeof(apex_records) / sizeof(apex_records[0]); i++)
		if ((rc = add_text(ld, apex, apex_records[i])) != OWNDNS_OK)
			return rc;
	for (size_t i = 0; i < data_count; i++)
		if (data[i] && (rc = add_text(ld, apex, data[i])) != OWNDNS_OK)
			return rc;
	return local_add_apex(ld, apex, redirect);
}

int local_builtin_add(local_data *ld)
{
	int rc;
	for (size_t i = 0; i < sizeof(fixed_zones) / sizeof(fixed_zones[0]); i++) {
		const builtin_zone *z = &fixed_zones[i];
		rc = add_zone(ld, z->apex, z->redirect, z->data, 2);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < sizeof(range_zones) / sizeof(range_zones[0]); i++) {
		for (unsigned octet = range_zones[i].first; octet <= range_zones[i].last;
		     octet++) {
			char apex[64];
			snprintf(apex, sizeof(apex), "%u.%s", octet, range_zones[i].parent);
			rc = add_zone(ld, apex, false, NULL, 0);
			if (rc)
				return rc;
		}
	}
	return OWNDNS_OK;
}
