/* Host lookups: A and AAAA at once, CNAME chains inside the answer, and the resolv.conf
 * search rules for names without a trailing dot. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <owndns/client.h>
#include <owndns/edns.h>

#include "client_internal.h"

#define TYPE_A 1
#define TYPE_CNAME 5
#define TYPE_AAAA 28
#define CLASS_IN 1
#define CANDIDATE_MAX (OWNDNS_RESOLV_MAX_SEARCH + 1)

struct owndns_host {
	owndns_client_options opts;
	uint8_t candidates[CANDIDATE_MAX][OWNDNS_NAME_MAX];
	unsigned candidate_count, candidate;
	owndns_query *queries[2];
	uint16_t qtypes[2];
	unsigned query_count;
	bool saw_nodata;
	bool done;
	int status;
	owndns_host_result res;
};

/* ---- Reading addresses from an answer -------------------------------------------- */

/* Moves *name to the target of the CNAME it owns in the answer; false when none. */
static bool follow_cname(const owndns_msg *m, uint8_t *name)
{
	owndns_rr_iter it;
	owndns_rr_view rr;

	owndns_rr_iter_init(&it, m, OWNDNS_SECTION_ANSWER);
	while (owndns_rr_iter_next(&it, &rr) > 0) {
		if (rr.type != TYPE_CNAME || !owndns_name_equal(rr.owner, name))
			continue;
		uint8_t target[OWNDNS_NAME_MAX];
		size_t pos = rr.rdata_pos, len;
		if (owndns_name_unpack(m->pkt, m->len, &pos, target, &len) ||
		    pos != rr.rdata_pos + rr.rdlen)
			return false;
		memcpy(name, target, len);
		return true;
	}
	return false;
}

static int append_addresses(const owndns_msg *m, const uint8_t *owner, uint16_t qtype,
			    owndns_host_result *res)
{
	size_t alen = qtype == TYPE_A ? 4 : 16;
	owndns_rr_iter it;
	owndns_rr_view rr;
	int added = 0;

	owndns_rr_iter_init(&it, m, OWNDNS_SECTION_ANSWER);
	while (owndns_rr_iter_next(&it, &rr) > 0) {
		if (rr.type != qtype || rr.rclass != CLASS_IN || rr.rdlen != alen ||
		    !owndns_name_equal(rr.owner, owner))
			continue;
		added++;
		if (res->count == OWNDNS_HOST_ADDR_MAX)
			continue;
		owndns_host_addr *a = &res->addrs[res->count++];
		memset(a, 0, sizeof(*a));
		a->family = qtype == TYPE_A ? AF_INET : AF_INET6;
		memcpy(a->addr, m->pkt + rr.rdata_pos, alen);
	}
	return added;
}

int owndns_answer_addresses(const owndns_msg *m, const uint8_t *qname, uint16_t qtype,
			    owndns_host_result *res)
{
	uint8_t name[OWNDNS_NAME_MAX];
	size_t len;

	if ((qtype != TYPE_A && qtype != TYPE_AAAA) || owndns_name_check(qname, OWNDNS_NAME_MAX, &len))
		return OWNDNS_EINVAL;
	memcpy(name, qname, len);
	for (unsigned hops = 0; follow_cname(m, name); hops++) {
		if (hops == OWNDNS_CNAME_CHAIN_MAX)
			return OWNDNS_CLIENT_ECNAME;
	}
	memcpy(res->canonical, name, owndns_name_length(name));
	int added = append_addresses(m, name, qtype, res);
	if (added > 0)
		return added;
	if (owndns_msg_rcode(m) == OWNDNS_RCODE_NXDOMAIN)
		return OWNDNS_CLIENT_ENXDOMAIN;
	return OWNDNS_CLIENT_ENODATA;
}

/* ---- Candidates (glibc res_search) ------------------------------------------------- */

static unsigned count_dots(const char *name, size_t len)
{
	unsigned dots = 0;
	for (size_t i = 0; i < len; i++)
		dots += name[i] == '.';
	return dots;
}

static void add_candidate(owndns_host *h, const char *name, size_t len, const uint8_t *origin)
{
	size_t out_len;

	if (h->candidate_count < CANDIDATE_MAX &&
	    owndns_name_from_text(name, len, origin, h->candidates[h->candidate_count], &out_len) ==
		    OWNDNS_OK)
		h->candidate_count++;
}

static void add_search_candidates(owndns_host *h, const char *name, size_t len)
{
	for (unsigned i = 0; i < h->opts.search_count; i++)
		add_candidate(h, name, len, h->opts.search[i]);
}

/* Absolute names are asked as they are.  Otherwise, with at least ndots dots the name
 * as is comes first, then the search list; with fewer, the other way round. */
static int make_candidates(owndns_host *h, const char *name)
{
	size_t len = strlen(name);
	uint8_t check[OWNDNS_NAME_MAX];
	size_t check_len;
	int status = owndns_name_from_text(name, len, NULL, check, &check_len);

	if (status)
		return status;
	if (len > 0 && name[len - 1] == '.' && !(len > 1 && name[len - 2] == '\\')) {
		add_candidate(h, name, len, NULL);
	} else if (count_dots(name, len) >= h->opts.ndots) {
		add_candidate(h, name, len, NULL);
		add_search_candidates(h, name, len);
	} else {
		add_search_candidates(h, name, len);
		add_candidate(h, name, len, NULL);
	}
	return OWNDNS_OK;
}

/* ---- The lookup ------------------------------------------------------------------- */

static void free_queries(owndns_host *h)
{
	for (unsigned i = 0; i < h->query_count; i++) {
		owndns_query_free(h->queries[i]);
		h->queries[i] = NULL;
	}
}

static void finish(owndns_host *h, int status)
{
	free_queries(h);
	h->done = true;
	h->status = status;
}

static int start_candidate(owndns_host *h, uint64_t now)
{
	const uint8_t *qname = h->candidates[h->candidate];

	for (unsigned i = 0; i < h->query_count; i++) {
		int status = owndns_query_start(&h->opts, qname, h->qtypes[i], CLASS_IN, now,
						&h->queries[i]);
		if (status)
			return status;
	}
	return OWNDNS_OK;
}

/* The outcome of one finished query: addresses appended, or an error. */
static int query_outcome(owndns_host *h, unsigned i)
{
	const owndns_txn_result *r = owndns_query_result(h->queries[i]);
	owndns_msg m;

	if (r->status)
		return r->status;
	if (owndns_msg_open(&m, r->packet, r->len))
		return OWNDNS_CLIENT_EMALFORMED;
	return owndns_answer_addresses(&m, h->candidates[h->candidate], h->qtypes[i], &h->res);
}

/* All queries of a candidate are done: succeed, try the next candidate or fail. */
static void judge_candidate(owndns_host *h, uint64_t now)
{
	int found = 0, error = OWNDNS_OK;

	for (unsigned i = 0; i < h->query_count; i++) {
		int outcome = query_outcome(h, i);
		if (outcome > 0)
			found += outcome;
		else if (outcome == OWNDNS_CLIENT_ENODATA)
			h->saw_nodata = true;
		else if (outcome != OWNDNS_CLIENT_ENXDOMAIN && error == OWNDNS_OK)
			error = outcome;
	}
	if (found > 0) {
		finish(h, OWNDNS_OK);
		return;
	}
	h->res.count = 0;
	if (error) {
		finish(h, error);
		return;
	}
	free_queries(h);
	if (++h->candidate == h->candidate_count) {
		finish(h, h->saw_nodata ? OWNDNS_CLIENT_ENODATA : OWNDNS_CLIENT_ENXDOMAIN);
		return;
	}
	int status = start_candidate(h, now);
	if (status)
		finish(h, status);
}

static bool all_queries_done(const owndns_host *h)
{
	for (unsigned i = 0; i < h->query_count; i++) {
		if (!owndns_query_done(h->queries[i]))
			return false;
	}
	return true;
}

void owndns_host_process(owndns_host *h, uint64_t now_ms, const struct pollfd *fds, size_t n)
{
	if (h->done)
		return;
	for (unsigned i = 0; i < h->query_count; i++)
		owndns_query_process(h->queries[i], now_ms, fds, n);
	if (all_queries_done(h))
		judge_candidate(h, now_ms);
}

int owndns_host_fds(const owndns_host *h, struct pollfd *fds, size_t cap, uint64_t *wake_at_ms)
{
	size_t n = 0;

	*wake_at_ms = UINT64_MAX;
	if (cap < OWNDNS_HOST_MAX_FDS)
		return OWNDNS_ESPACE;
	if (h->done)
		return 0;
	for (unsigned i = 0; i < h->query_count; i++) {
		uint64_t wake;
		int k = owndns_query_fds(h->queries[i], fds + n, cap - n, &wake);
		if (k < 0)
			return k;
		n += (size_t)k;
		if (wake < *wake_at_ms)
			*wake_at_ms = wake;
	}
	return (int)n;
}

static int set_family(owndns_host *h, int family)
{
	if (family == AF_INET || family == AF_UNSPEC)
		h->qtypes[h->query_count++] = TYPE_A;
	if (family == AF_INET6 || family == AF_UNSPEC)
		h->qtypes[h->query_count++] = TYPE_AAAA;
	return h->query_count ? OWNDNS_OK : OWNDNS_EINVAL;
}

int owndns_host_start(const owndns_client_options *o, const char *name, int family,
		      uint64_t now_ms, owndns_host **out)
{
	*out = NULL;
	owndns_host *h = calloc(1, sizeof(*h));
	if (!h)
		return OWNDNS_ENOMEM;
	h->opts = *o;
	int status = set_family(h, family);
	if (status == OWNDNS_OK)
		status = make_candidates(h, name);
	if (status == OWNDNS_OK && h->candidate_count == 0)
		status = OWNDNS_ENAME_LONG; /* every candidate was too long */
	if (status == OWNDNS_OK)
		status = start_candidate(h, now_ms);
	if (status) {
		owndns_host_free(h);
		return status;
	}
	*out = h;
	return OWNDNS_OK;
}

bool owndns_host_done(const owndns_host *h)
{
	return h->done;
}

int owndns_host_result_get(const owndns_host *h, owndns_host_result *res)
{
	if (!h->done)
		return OWNDNS_ESTATE;
	if (res)
		*res = h->res;
	return h->status;
}

void owndns_host_free(owndns_host *h)
{
	if (!h)
		return;
	free_queries(h);
	free(h);
}

static bool host_done_op(const void *obj)
{
	return owndns_host_done(obj);
}

static int host_fds_op(const void *obj, struct pollfd *fds, size_t cap, uint64_t *wake_at)
{
	return owndns_host_fds(obj, fds, cap, wake_at);
}

static void host_process_op(void *obj, uint64_t now, const struct pollfd *fds, size_t n)
{
	owndns_host_process(obj, now, fds, n);
}

static const client_poll_ops host_ops = { host_done_op, host_fds_op, host_process_op };

int owndns_gethostbyname(const owndns_client_options *o, const char *name, int family,
			 owndns_host_result *res)
{
	owndns_host *h;
	int status = owndns_host_start(o, name, family, owndns_clock_ms(), &h);

	if (res)
		memset(res, 0, sizeof(*res));
	if (status)
		return status;
	status = client_poll_loop(h, &host_ops, 0);
	if (status == OWNDNS_OK)
		status = owndns_host_result_get(h, res);
	owndns_host_free(h);
	return status;
}
