/* DNS over TCP message framing (RFC 1035 §4.2.2, RFC 7766 §8): each message is
 * preceded by its length in two octets.  A tcp_framer turns the byte stream of one
 * connection, delivered in pieces of any size, into whole messages.  No I/O, no clock:
 * the connection code feeds it what it reads.  Owns the buffer of the one message in
 * progress (allocated only once its length is known, at most max_len octets). */
#ifndef OWNDNS_SERVER_NET_TCP_FRAMING_H
#define OWNDNS_SERVER_NET_TCP_FRAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tcp_framer {
	size_t max_len;      /* longest message accepted */
	uint8_t prefix[2];   /* length octets read so far */
	size_t prefix_have;
	uint8_t *msg;        /* message in progress, msg_len octets, or NULL */
	size_t msg_len;
	size_t msg_have;
} tcp_framer;

/* Called for every whole message; a non-zero return stops tcp_framer_feed, which then
 * returns that value.  `msg` is valid only during the call. */
typedef int (*tcp_framer_handler)(void *arg, const uint8_t *msg, size_t len);

void tcp_framer_init(tcp_framer *f, size_t max_len);
void tcp_framer_free(tcp_framer *f);

/* Consumes data[0..len): delivers each complete message to `handler`, keeps a partial
 * one for the next call.  Returns 0; OWNDNS_EINVAL for a message announced with length
 * 0 and OWNDNS_ESPACE for one longer than max_len (the stream cannot be trusted after
 * that: close it); OWNDNS_ENOMEM; or the handler's non-zero value. */
int tcp_framer_feed(tcp_framer *f, const uint8_t *data, size_t len, tcp_framer_handler handler,
		    void *arg);

/* True when no part of a message is waiting for more octets. */
bool tcp_framer_idle(const tcp_framer *f);

/* Writes the 2-octet length prefix of a message of `len` octets (len <= 65535). */
void tcp_framing_prefix(uint8_t out[2], size_t len);

#endif
