/* The network layer's shared context and its one call into the answering code (net.h). */
#include "net.h"

#include <string.h>

#include "forwarding.h"
#include "udp_fit.h"

void net_context_init(net_context *ctx, uv_loop_t *loop, const server_view *view,
		      const server_log *log, const net_limits *limits)
{
	ctx->loop = loop;
	ctx->view = view;
	ctx->log = log;
	ctx->limits = *limits;
	ctx->forwarding = NULL;
	ctx->upstream_lock = NULL;
	ctx->reuseport = false;
	ctx->quiet_listen = false;
	ctx->conn_oldest = ctx->conn_newest = NULL;
	ctx->conn_count = 0;
}

uint32_t net_now_s(const net_context *ctx)
{
	return (uint32_t)(uv_now(ctx->loop) / 1000);
}

size_t net_answer(net_context *ctx, const uint8_t *query, size_t len, const net_origin *origin)
{
	server_request req = {
		.packet = query,
		.len = len,
		.tcp = origin->tcp,
		.client = origin->client,
		.client_len = origin->client_len,
	};
	server_forward fwd;
	bool forward;
	size_t n = server_process(ctx->view, &req, net_now_s(ctx), ctx->answer_buf,
				  sizeof(ctx->answer_buf), &fwd, &forward);
	if (forward)
		n = net_forward(ctx, &fwd, origin);
	if (n > sizeof(ctx->answer_buf))
		return 0; /* a broken answer: never send past the buffer */
	if (!origin->tcp)
		n = udp_fit_response(ctx->answer_buf, n, ctx->limits.udp_max_size);
	return n;
}
