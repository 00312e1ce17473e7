/* The libuv driver of one owndns_txn (include/owndns/client.h): the I/O half of an
 * upstream query.  The transaction decides what to send where and when to give up;
 * this file owns the sockets and the timer:
 *   - UDP: one socket per server asked, opened for this query only and connected to
 *     that server: connect() binds it to a random port of the ephemeral range (RFC 5452
 *     §9.2) and makes the kernel drop datagrams from any other address or port; the
 *     transaction still checks ID and question.  The sockets of a worker sit in an
 *     epoll set of their own (an upstream_io, one per loop, open while the worker
 *     lives), watched through one uv_poll_t (closing a socket then needs no epoll_ctl);
 *   - TCP (after TC=1): one connection at a time, as the transaction asks;
 *   - one timer for the transaction's wake-up time.
 * Bound: a socket whose descriptor would reach the top quarter of RLIMIT_NOFILE (at
 * most 1024 descriptors kept) is refused, so a flood of questions to a silent upstream
 * cannot take the descriptors that listeners, TCP clients and zone files need; such a
 * query fails at once (SERVFAIL).
 * Health: a server's `asked` bit is set only when a message to it left this host; a
 * local failure (socket limit, no route, EACCES, ENOBUFS…) leaves it clear, so it never
 * counts against the upstream.  An ICMP port unreachable (ECONNREFUSED) moves on to the
 * next server at once and counts as that server's failure.
 * Times are the loop's clock (uv_now, milliseconds).  When the transaction is done,
 * `done` is called once (never from inside upstream_query_start); afterwards the query
 * closes its handles and frees itself.  upstream_query_cancel ends it without calling
 * `done`.  Datagrams are read into the upstream_io's `recv_buf` (shared by its
 * queries: every read is handled before the next one starts).
 * IDs: with params.new_id every try has its own ID; a server counts as heard when it
 * sends back the ID of the last message sent to it, late answers to an earlier try
 * included (they are no answer, but the server is alive). */
#ifndef OWNDNS_SERVER_NET_UPSTREAM_IO_H
#define OWNDNS_SERVER_NET_UPSTREAM_IO_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include <owndns/client.h>

typedef struct upstream_query upstream_query;
typedef struct upstream_io upstream_io;

/* The upstream sockets of one loop: an epoll set watched by the loop (the handle does
 * not keep the loop alive by itself) and the buffer datagrams are read into, owned by
 * the caller and valid until upstream_io_close.  Errors: ENOMEM, ESOCKET. */
int upstream_io_open(uv_loop_t *loop, uint8_t *recv_buf, size_t recv_buf_size,
		     upstream_io **out);

/* Closes the epoll set; every query must have finished or been cancelled.  The memory
 * is freed by the loop's close callback.  NULL is ignored. */
void upstream_io_close(upstream_io *io);

/* Called once with the outcome; `q` is still valid during the call (for
 * upstream_query_asked/heard), and is freed by the driver afterwards. */
typedef void (*upstream_query_done_fn)(void *arg, upstream_query *q,
				       const owndns_txn_result *result);

/* Starts the transaction of `params` (servers, question, flags, id …).  Returns 0, or
 * a negative owndns status (EINVAL, ENOMEM; the transaction's errors). */
int upstream_query_start(upstream_io *io, const owndns_txn_params *params,
			 upstream_query_done_fn done, void *arg, upstream_query **out);

/* Stops the query without calling `done`; memory is freed by the loop's close
 * callbacks. */
void upstream_query_cancel(upstream_query *q);

/* Bit i set: a query to params.servers[i] left this host (asked) / it sent back a
 * datagram or TCP data carrying our ID (heard). */
uint32_t upstream_query_asked(const upstream_query *q);
uint32_t upstream_query_heard(const upstream_query *q);

#endif
