/* Client options and the blocking calls: a poll() loop over the async driver. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <owndns/client.h>

#include "client_internal.h"

void owndns_client_options_init(owndns_client_options *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_ms = 5000;
	o->tries = 2;
	o->flags = OWNDNS_QUERY_DEFAULT;
	o->udp_size = OWNDNS_EDNS_UDP_DEFAULT;
	o->ndots = 1;
}

void owndns_client_options_from_resolv_conf(owndns_client_options *o,
					    const owndns_resolv_conf *rc)
{
	o->server_count = rc->server_count;
	memcpy(o->servers, rc->servers, rc->server_count * sizeof(rc->servers[0]));
	o->timeout_ms = rc->timeout_s * 1000u;
	o->tries = rc->attempts;
	o->ndots = rc->ndots;
	o->search_count = rc->search_count;
	memcpy(o->search, rc->search, sizeof(o->search));
	o->rotate = rc->rotate;
	if (rc->use_vc)
		o->flags |= OWNDNS_QUERY_TCP;
	if (rc->edns0)
		o->flags |= OWNDNS_QUERY_EDNS;
}

int owndns_client_options_load_resolv_conf(owndns_client_options *o, const char *path)
{
	owndns_resolv_conf rc;

	owndns_resolv_conf_init(&rc);
	int status = owndns_resolv_conf_load(&rc, path);
	if (status == OWNDNS_OK)
		owndns_client_options_from_resolv_conf(o, &rc);
	return status;
}

int owndns_client_options_add_server(owndns_client_options *o, const char *text)
{
	owndns_server_addr a;
	int status = owndns_server_addr_from_text(text, OWNDNS_DNS_PORT, &a);

	if (status)
		return status;
	if (o->server_count == OWNDNS_CLIENT_MAX_SERVERS)
		return OWNDNS_ESPACE;
	o->servers[o->server_count++] = a;
	return OWNDNS_OK;
}

/* ---- poll() loop ------------------------------------------------------------------ */

static int poll_timeout(uint64_t now, uint64_t wake_at)
{
	if (wake_at <= now)
		return 0;
	uint64_t wait = wake_at - now;
	return wait > 60000 ? 60000 : (int)wait;
}

int client_poll_loop(void *obj, const client_poll_ops *ops, uint64_t deadline_ms)
{
	struct pollfd fds[OWNDNS_HOST_MAX_FDS];
	uint64_t wake_at;

	while (!ops->done(obj)) {
		uint64_t now = owndns_clock_ms();
		int n = ops->fds(obj, fds, OWNDNS_HOST_MAX_FDS, &wake_at);
		if (n < 0)
			return n;
		if (deadline_ms && deadline_ms < wake_at)
			wake_at = deadline_ms;
		if (deadline_ms && now >= deadline_ms)
			return OWNDNS_CLIENT_ETIMEOUT;
		if (poll(fds, (nfds_t)n, poll_timeout(now, wake_at)) < 0 && errno != EINTR)
			return OWNDNS_CLIENT_ESOCKET;
		ops->process(obj, owndns_clock_ms(), fds, (size_t)n);
	}
	return OWNDNS_OK;
}

static bool query_done_op(const void *obj)
{
	return owndns_query_done(obj);
}

static int query_fds_op(const void *obj, struct pollfd *fds, size_t cap, uint64_t *wake_at)
{
	return owndns_query_fds(obj, fds, cap, wake_at);
}

static void query_process_op(void *obj, uint64_t now, const struct pollfd *fds, size_t n)
{
	owndns_query_process(obj, now, fds, n);
}

static const client_poll_ops query_ops = { query_done_op, query_fds_op, query_process_op };

int owndns_query_wait(owndns_query *q, uint64_t deadline_ms)
{
	return client_poll_loop(q, &query_ops, deadline_ms);
}

/* ---- owndns_resolve ---------------------------------------------------------------- */

static int take_response(const owndns_query *q, owndns_response *resp)
{
	const owndns_txn_result *r = owndns_query_result(q);

	resp->counters = r->counters;
	resp->try_error_count = r->try_error_count;
	memcpy(resp->try_errors, r->try_errors, sizeof(resp->try_errors));
	if (!r->packet)
		return r->status;
	resp->packet = malloc(r->len);
	if (!resp->packet)
		return OWNDNS_ENOMEM;
	memcpy(resp->packet, r->packet, r->len);
	resp->len = r->len;
	resp->server = *owndns_query_server(q, r->server);
	resp->rtt_ms = r->rtt_ms;
	resp->tcp = r->tcp;
	/* The transaction opened it already, so this cannot fail. */
	(void)owndns_msg_open(&resp->msg, resp->packet, resp->len);
	return r->status;
}

int owndns_resolve(const owndns_client_options *o, const char *name, uint16_t qtype,
		   uint16_t qclass, owndns_response *resp)
{
	uint8_t qname[OWNDNS_NAME_MAX];
	size_t qname_len;
	owndns_query *q = NULL;

	memset(resp, 0, sizeof(*resp));
	int status = owndns_name_from_text(name, strlen(name), NULL, qname, &qname_len);
	if (status == OWNDNS_OK)
		status = owndns_query_start(o, qname, qtype, qclass, owndns_clock_ms(), &q);
	if (status == OWNDNS_OK)
		status = owndns_query_wait(q, 0);
	if (status == OWNDNS_OK)
		status = take_response(q, resp);
	owndns_query_free(q);
	return status;
}

void owndns_response_free(owndns_response *resp)
{
	if (!resp)
		return;
	free(resp->packet);
	memset(resp, 0, sizeof(*resp));
}
