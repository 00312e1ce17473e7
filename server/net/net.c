/* The network layer's shared context and its one call into the answering code (net.h). */
#include "net.h"

#include <string.h>

#include "udp_fit.h"

void net_context_init(net_context *ctx, uv_loop_t *loop, const server_view *view,
		      const server_log *log, const net_limits *limits)
{
	ctx->loop = loop;
	ctx->view = view;
	ctx->log = log;
	ctx->limits = *limits;
	ctx->conn_oldest = ctx->conn_newest = NULL;
	ctx->conn_count = 0;
}

size_t net_answer(net_context *ctx, const uint8_t *query, size_t len, bool tcp,
		  const struct sockaddr *client, socklen_t client_len)
{
	server_request req = {
		.packet = query,
		.len = len,
		.tcp = tcp,
		.client = client,
		.client_len = client_len,
	};
	size_t n = server_answer(ctx->view, &req, ctx->answer_buf, sizeof(ctx->answer_buf));
	if (n > sizeof(ctx->answer_buf))
		return 0; /* a broken answer: never send past the buffer */
	if (!tcp)
		n = udp_fit_response(ctx->answer_buf, n, ctx->limits.udp_max_size);
	return n;
}
