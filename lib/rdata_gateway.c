/* The gateway field of IPSECKEY (RFC 4025 §2.3, §2.5) and the relay field of AMTRELAY
 * (RFC 8777 §4.2.3), which RFC 8777 modelled on it: its form depends on a type octet
 * earlier in the RDATA.  Type 0: nothing on the wire, "." in text; 1: an IPv4 address;
 * 2: an IPv6 address; 3: an uncompressed domain name.  Other types have no
 * presentation form. */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include <owndns/name.h>

#include "rdata_field.h"

/* Longest address text inet_pton can accept, plus NUL. */
#define ADDRESS_TEXT_MAX 64

size_t rdata_name_length_at(owndns_rbuf *rd)
{
	size_t len = 0;
	size_t left = owndns_rbuf_left(rd);
	if (rd->error)
		return 0;
	if (left == 0) {
		rd->error = OWNDNS_ETRUNCATED;
		return 0;
	}
	int rc = owndns_name_check(rd->data + rd->pos, left, &len);
	if (rc) {
		rd->error = rc;
		return 0;
	}
	return len;
}

void rdata_gateway_check(owndns_rbuf *rd, uint8_t type)
{
	switch (type) {
	case RDATA_GATEWAY_NONE:
		return;
	case RDATA_GATEWAY_IPV4:
		owndns_rbuf_take(rd, 4);
		return;
	case RDATA_GATEWAY_IPV6:
		owndns_rbuf_take(rd, 16);
		return;
	case RDATA_GATEWAY_NAME:
		/* Never compressed (RFC 4025 §2.5, RFC 8777 §4.2.3). */
		owndns_rbuf_take(rd, rdata_name_length_at(rd));
		return;
	default:
		if (!rd->error)
			rd->error = OWNDNS_ERDATA;
		return;
	}
}

static void put_address(text_buf *out, int af, const uint8_t *address)
{
	char text[INET6_ADDRSTRLEN];
	if (address && inet_ntop(af, address, text, sizeof(text)))
		text_buf_puts(out, text);
	else
		text_buf_putc(out, '?'); /* cannot happen for checked data */
}

void rdata_gateway_to_text(owndns_rbuf *rd, uint8_t type, text_buf *out)
{
	char name[OWNDNS_NAME_TEXT_MAX];
	size_t len;
	const uint8_t *wire;
	switch (type) {
	case RDATA_GATEWAY_IPV4:
		put_address(out, AF_INET, owndns_rbuf_take(rd, 4));
		break;
	case RDATA_GATEWAY_IPV6:
		put_address(out, AF_INET6, owndns_rbuf_take(rd, 16));
		break;
	case RDATA_GATEWAY_NAME:
		len = rdata_name_length_at(rd);
		wire = owndns_rbuf_take(rd, len);
		if (!wire || owndns_name_to_text(wire, name, sizeof(name)) < 0) {
			rd->error = OWNDNS_ERDATA;
			return;
		}
		text_buf_puts(out, name);
		break;
	default:
		text_buf_putc(out, '.');
		break;
	}
}

static int parse_address(const lexer_token *tok, int af, owndns_wbuf *out)
{
	char text[ADDRESS_TEXT_MAX];
	uint8_t address[16];
	int bad = af == AF_INET ? OWNDNS_EIPV4 : OWNDNS_EIPV6;
	if (tok->len >= sizeof(text) || memchr(tok->text, '\0', tok->len))
		return bad;
	memcpy(text, tok->text, tok->len);
	text[tok->len] = '\0';
	if (inet_pton(af, text, address) != 1)
		return bad;
	owndns_wbuf_bytes(out, address, af == AF_INET ? 4 : 16);
	return OWNDNS_OK;
}

int rdata_gateway_from_text(lexer *lx, uint8_t type, const uint8_t *origin, owndns_wbuf *out)
{
	lexer_token tok;
	uint8_t name[OWNDNS_NAME_MAX];
	size_t name_len;
	int rc = lexer_next(lx, &tok);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return OWNDNS_ESYNTAX;
	switch (type) {
	case RDATA_GATEWAY_NONE:
		return !tok.quoted && tok.len == 1 && tok.text[0] == '.' ? OWNDNS_OK
									  : OWNDNS_ERDATA;
	case RDATA_GATEWAY_IPV4:
		return parse_address(&tok, AF_INET, out);
	case RDATA_GATEWAY_IPV6:
		return parse_address(&tok, AF_INET6, out);
	case RDATA_GATEWAY_NAME:
		rc = owndns_name_from_text(tok.text, tok.len, origin, name, &name_len);
		if (rc)
			return rc;
		owndns_wbuf_bytes(out, name, name_len);
		return OWNDNS_OK;
	default:
		return OWNDNS_ERDATA;
	}
}
