/* The libuv driver of one owndns_txn (include/owndns/client.h): the I/O half of an
 * upstream query.  The transaction decides what to send where and when to give up;
 * this file owns the sockets and the timer:
 *   - UDP: one socket per address family, opened for this query only and bound to
 *     port 0, so the kernel picks a random ephemeral source port (RFC 5452 §9.2); not
 *     connected: the transaction checks each datagram's source;
 *   - TCP (after TC=1): one connection at a time, as the transaction asks;
 *   - one timer for the transaction's wake-up time.
 * Times are the loop's clock (uv_now, milliseconds).  When the transaction is done,
 * `done` is called once (never from inside upstream_query_start); afterwards the query
 * closes its handles and frees itself.  upstream_query_cancel ends it without calling
 * `done`.  Datagrams are read into `recv_buf` (shared by the loop: every read is
 * handled before the next one starts). */
#ifndef OWNDNS_SERVER_NET_UPSTREAM_IO_H
#define OWNDNS_SERVER_NET_UPSTREAM_IO_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include <owndns/client.h>

typedef struct upstream_query upstream_query;

/* Called once with the outcome; `q` is still valid during the call (for
 * upstream_query_asked/heard), and is freed by the driver afterwards. */
typedef void (*upstream_query_done_fn)(void *arg, upstream_query *q,
				       const owndns_txn_result *result);

/* Starts the transaction of `params` (servers, question, flags, id …).  Returns 0, or
 * a negative owndns status (EINVAL, ENOMEM; the transaction's errors). */
int upstream_query_start(uv_loop_t *loop, const owndns_txn_params *params, uint8_t *recv_buf,
			 size_t recv_buf_size, upstream_query_done_fn done, void *arg,
			 upstream_query **out);

/* Stops the query without calling `done`; memory is freed by the loop's close
 * callbacks. */
void upstream_query_cancel(upstream_query *q);

/* Bit i set: params.servers[i] was sent a query (asked) / sent back a datagram or TCP
 * data carrying our ID (heard). */
uint32_t upstream_query_asked(const upstream_query *q);
uint32_t upstream_query_heard(const upstream_query *q);

#endif
