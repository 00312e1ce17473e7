/* Upstream health, SRTT and order (upstream.h). */
#include "upstream.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <owndns/error.h>

void upstream_set_init(upstream_set *s)
{
	memset(s, 0, sizeof(*s));
}

int upstream_set_add(upstream_set *s, const owndns_server_addr *addr)
{
	if (addr->family != AF_INET && addr->family != AF_INET6)
		return OWNDNS_EINVAL;
	if (s->count >= UPSTREAM_MAX)
		return OWNDNS_ESPACE;
	upstream *u = &s->servers[s->count++];
	memset(u, 0, sizeof(*u));
	u->addr = *addr;
	return OWNDNS_OK;
}

bool upstream_is_down(const upstream_set *s, unsigned i)
{
	return i < s->count && s->servers[i].failures >= UPSTREAM_DOWN_AFTER;
}

/* Up upstreams compare by: no recent failure first, then SRTT, then position. */
static bool up_before(const upstream_set *s, unsigned a, unsigned b)
{
	const upstream *x = &s->servers[a], *y = &s->servers[b];
	bool xf = x->failures > 0, yf = y->failures > 0;
	if (xf != yf)
		return !xf;
	if (x->srtt_ms != y->srtt_ms)
		return x->srtt_ms < y->srtt_ms;
	return a < b;
}

/* Down upstreams compare by the time of their next probe. */
static bool down_before(const upstream_set *s, unsigned a, unsigned b)
{
	const upstream *x = &s->servers[a], *y = &s->servers[b];
	if (x->retry_at_ms != y->retry_at_ms)
		return x->retry_at_ms < y->retry_at_ms;
	return a < b;
}

/* Insertion sort: at most UPSTREAM_MAX entries. */
static void sort_indices(const upstream_set *s, unsigned *idx, unsigned n,
			 bool (*before)(const upstream_set *, unsigned, unsigned))
{
	for (unsigned i = 1; i < n; i++) {
		unsigned v = idx[i], j = i;
		while (j > 0 && before(s, v, idx[j - 1])) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = v;
	}
}

unsigned upstream_set_order(upstream_set *s, uint64_t now_ms, unsigned *order)
{
	unsigned up[UPSTREAM_MAX], down[UPSTREAM_MAX];
	unsigned n_up = 0, n_down = 0, n = 0;
	long probe = -1;

	for (unsigned i = 0; i < s->count; i++) {
		if (!upstream_is_down(s, i))
			up[n_up++] = i;
		else if (probe < 0 && s->servers[i].retry_at_ms <= now_ms)
			probe = (long)i;
		else
			down[n_down++] = i;
	}
	if (probe >= 0) {
		upstream *u = &s->servers[probe];
		/* One probe per back-off: the queries that follow do not pile onto it. */
		u->retry_at_ms = now_ms + u->backoff_ms;
		order[n++] = (unsigned)probe;
	}
	sort_indices(s, up, n_up, up_before);
	for (unsigned i = 0; i < n_up; i++)
		order[n++] = up[i];
	if (n == 0) {
		sort_indices(s, down, n_down, down_before);
		for (unsigned i = 0; i < n_down; i++)
			order[n++] = down[i];
	}
	return n;
}

static uint32_t distance(uint32_t a, uint32_t b)
{
	return a > b ? a - b : b - a;
}

/* RFC 6298 §2.2-2.3 in integer milliseconds: the deviation first, from the old SRTT. */
static void add_rtt_sample(upstream *u, uint32_t rtt_ms)
{
	if (!u->measured) {
		u->srtt_ms = rtt_ms;
		u->rttvar_ms = rtt_ms / 2;
		u->measured = true;
		return;
	}
	/* rttvar = 3/4 rttvar + 1/4 |srtt - sample|, srtt = 7/8 srtt + 1/8 sample, in
	 * integers without overflow */
	u->rttvar_ms = (uint32_t)(((uint64_t)u->rttvar_ms * 3 +
				   distance(u->srtt_ms, rtt_ms)) / 4);
	u->srtt_ms = (uint32_t)(((uint64_t)u->srtt_ms * 7 + rtt_ms) / 8);
}

uint32_t upstream_try_timeout(const upstream_set *s, unsigned i, uint32_t max_ms)
{
	uint64_t rto = UPSTREAM_UNKNOWN_TIMEOUT_MS;

	if (i < s->count && s->servers[i].measured) {
		const upstream *u = &s->servers[i];
		rto = (uint64_t)u->srtt_ms + 4 * (uint64_t)u->rttvar_ms;
		if (rto < UPSTREAM_MIN_TIMEOUT_MS)
			rto = UPSTREAM_MIN_TIMEOUT_MS;
	}
	return rto < max_ms ? (uint32_t)rto : max_ms;
}

void upstream_report_answer(upstream_set *s, unsigned i, uint32_t rtt_ms)
{
	if (i >= s->count)
		return;
	upstream *u = &s->servers[i];
	add_rtt_sample(u, rtt_ms);
	u->failures = 0;
	u->backoff_ms = 0;
	u->retry_at_ms = 0;
}

static void add_timeout_sample(upstream *u)
{
	add_rtt_sample(u, UPSTREAM_TIMEOUT_PENALTY_MS > u->srtt_ms ?
				  UPSTREAM_TIMEOUT_PENALTY_MS : u->srtt_ms);
}

void upstream_report_slow(upstream_set *s, unsigned i)
{
	if (i < s->count)
		add_timeout_sample(&s->servers[i]);
}

void upstream_report_failure(upstream_set *s, unsigned i, uint64_t now_ms)
{
	if (i >= s->count)
		return;
	upstream *u = &s->servers[i];
	add_timeout_sample(u);
	if (u->failures < UINT32_MAX)
		u->failures++;
	if (u->failures < UPSTREAM_DOWN_AFTER)
		return;
	if (u->backoff_ms == 0)
		u->backoff_ms = UPSTREAM_BACKOFF_MIN_MS;
	else if (u->failures > UPSTREAM_DOWN_AFTER)
		u->backoff_ms = u->backoff_ms >= UPSTREAM_BACKOFF_MAX_MS / 2 ?
					UPSTREAM_BACKOFF_MAX_MS : u->backoff_ms * 2;
	u->retry_at_ms = now_ms + u->backoff_ms;
}

/* ---- Forwarding targets ------------------------------------------------------------ */

void forwarders_init(forwarders *f)
{
	f->targets = NULL;
	f->count = 0;
}

void forwarders_free(forwarders *f)
{
	free(f->targets);
	forwarders_init(f);
}

int forwarders_add(forwarders *f, const uint8_t *domain, forward_target **out)
{
	for (size_t i = 0; i < f->count; i++) {
		if (owndns_name_equal(f->targets[i].domain, domain)) {
			*out = &f->targets[i];
			return OWNDNS_OK;
		}
	}
	forward_target *grown = realloc(f->targets, (f->count + 1) * sizeof(*grown));
	if (!grown)
		return OWNDNS_ENOMEM;
	f->targets = grown;
	forward_target *t = &f->targets[f->count++];
	memset(t, 0, sizeof(*t));
	memcpy(t->domain, domain, owndns_name_length(domain));
	owndns_name_to_lower(t->domain);
	upstream_set_init(&t->upstreams);
	*out = t;
	return OWNDNS_OK;
}

long forwarders_select(const forwarders *f, const uint8_t *qname)
{
	long best = -1;
	int best_labels = -1;
	for (size_t i = 0; i < f->count; i++) {
		const forward_target *t = &f->targets[i];
		if (t->upstreams.count == 0 || !owndns_name_is_subdomain(qname, t->domain))
			continue;
		int labels = owndns_name_label_count(t->domain);
		if (labels > best_labels) {
			best = (long)i;
			best_labels = labels;
		}
	}
	return best;
}
