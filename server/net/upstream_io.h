/* The libuv driver of one owndns_txn (include/owndns/client.h): the I/O half of an
 * upstream query.  The transaction decides what to send where and when to give up;
 * this file owns the sockets and the timer:
 *   - UDP: one socket per server asked, opened for this query only and connected to
 *     that server: connect() binds it to a random port of the ephemeral range (RFC 5452
 *     §9.2) and makes the kernel drop datagrams from any other address or port; the
 *     transaction still checks ID and question.  The sockets of a loop sit in an epoll
 *     set of their own, watched through one uv_poll_t (closing a socket then needs no
 *     epoll_ctl); that set lives in loop->data while the loop has queries (net.h);
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

/* Bit i set: a query to params.servers[i] left this host (asked) / it sent back a
 * datagram or TCP data carrying our ID (heard). */
uint32_t upstream_query_asked(const upstream_query *q);
uint32_t upstream_query_heard(const upstream_query *q);

#endif
