/* Length-prefixed DNS messages on a byte stream (tcp_framing.h). */
#include "tcp_framing.h"

#include <stdlib.h>
#include <string.h>

#include <owndns/buffer.h>
#include <owndns/error.h>

void tcp_framer_init(tcp_framer *f, size_t max_len)
{
	*f = (tcp_framer){ .max_len = max_len };
}

void tcp_framer_free(tcp_framer *f)
{
	free(f->msg);
	f->msg = NULL;
	f->msg_len = f->msg_have = f->prefix_have = 0;
}

bool tcp_framer_idle(const tcp_framer *f)
{
	return f->prefix_have == 0 && !f->msg;
}

void tcp_framing_prefix(uint8_t out[2], size_t len)
{
	owndns_wbuf w = owndns_wbuf_init(out, 2);
	owndns_wbuf_u16(&w, (uint16_t)len);
}

static int check_length(const tcp_framer *f, size_t len)
{
	if (len == 0)
		return OWNDNS_EINVAL;
	if (len > f->max_len)
		return OWNDNS_ESPACE;
	return 0;
}

/* Takes length octets from *data; returns the announced length once both are in, 0
 * while one is missing. */
static size_t take_prefix(tcp_framer *f, const uint8_t **data, size_t *len)
{
	while (f->prefix_have < 2 && *len > 0) {
		f->prefix[f->prefix_have++] = **data;
		(*data)++;
		(*len)--;
	}
	if (f->prefix_have < 2)
		return 0;
	owndns_rbuf r = owndns_rbuf_init(f->prefix, 2);
	return owndns_rbuf_u16(&r);
}

/* Delivers and forgets the buffered message. */
static int deliver_buffered(tcp_framer *f, tcp_framer_handler handler, void *arg)
{
	uint8_t *msg = f->msg;
	size_t msg_len = f->msg_len;
	f->msg = NULL;
	f->msg_len = f->msg_have = f->prefix_have = 0;
	int rc = handler(arg, msg, msg_len);
	free(msg);
	return rc;
}

/* Continues a message whose length is known; returns 0 or an error. */
static int continue_message(tcp_framer *f, const uint8_t **data, size_t *len,
			    tcp_framer_handler handler, void *arg)
{
	size_t want = f->msg_len - f->msg_have;
	size_t n = *len < want ? *len : want;
	memcpy(f->msg + f->msg_have, *data, n);
	f->msg_have += n;
	*data += n;
	*len -= n;
	if (f->msg_have < f->msg_len)
		return 0;
	return deliver_buffered(f, handler, arg);
}

int tcp_framer_feed(tcp_framer *f, const uint8_t *data, size_t len, tcp_framer_handler handler,
		    void *arg)
{
	while (len > 0) {
		int rc;
		if (f->msg) {
			rc = continue_message(f, &data, &len, handler, arg);
			if (rc)
				return rc;
			continue;
		}
		size_t msg_len = take_prefix(f, &data, &len);
		if (f->prefix_have < 2)
			return 0;
		rc = check_length(f, msg_len);
		if (rc)
			return rc;
		if (len >= msg_len) {
			/* The whole message is in this piece: no copy. */
			f->prefix_have = 0;
			rc = handler(arg, data, msg_len);
			data += msg_len;
			len -= msg_len;
			if (rc)
				return rc;
			continue;
		}
		f->msg = malloc(msg_len);
		if (!f->msg)
			return OWNDNS_ENOMEM;
		f->msg_len = msg_len;
		f->msg_have = 0;
	}
	return 0;
}
