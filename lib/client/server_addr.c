/* Server addresses as text: "192.0.2.1", "2001:db8::1", "fe80::1%eth0", with an
 * optional port ("addr@port", "v4:port", "[v6]:port"). */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <owndns/client.h>

/* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255%" + interface name + "@65535" */
#define ADDR_TEXT_MAX (INET6_ADDRSTRLEN + IF_NAMESIZE + 8)

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!is_digit(*s))
			return false;
	}
	return true;
}

static int parse_port(const char *text, uint16_t *port)
{
	unsigned long v = 0;

	if (!all_digits(text) || strlen(text) > 5)
		return OWNDNS_CLIENT_EBADSERVER;
	for (; *text; text++)
		v = v * 10 + (unsigned long)(*text - '0');
	if (v == 0 || v > 65535)
		return OWNDNS_CLIENT_EBADSERVER;
	*port = (uint16_t)v;
	return OWNDNS_OK;
}

/* The zone of a scoped IPv6 address: a number, or an interface name looked up like
 * glibc does (an unknown interface leaves the zone 0). */
static uint32_t parse_zone(const char *zone)
{
	if (all_digits(zone) && strlen(zone) <= 9) {
		uint32_t v = 0;
		for (; *zone; zone++)
			v = v * 10 + (uint32_t)(*zone - '0');
		return v;
	}
	return if_nametoindex(zone);
}

static int parse_host(char *host, owndns_server_addr *out)
{
	if (inet_pton(AF_INET, host, out->addr) == 1) {
		out->family = AF_INET;
		return OWNDNS_OK;
	}
	char *zone = strchr(host, '%');
	if (zone)
		*zone++ = '\0';
	if (inet_pton(AF_INET6, host, out->addr) != 1)
		return OWNDNS_CLIENT_EBADSERVER;
	out->family = AF_INET6;
	if (zone) {
		if (!*zone)
			return OWNDNS_CLIENT_EBADSERVER;
		out->scope_id = parse_zone(zone);
	}
	return OWNDNS_OK;
}

/* Splits off the port: "h@p", "[h]:p", "[h]", or "h:p" when h has no other colon. */
static int split_port(char *text, char **host, char **port)
{
	char *at = strrchr(text, '@');
	*port = NULL;
	*host = text;
	if (at) {
		*at = '\0';
		*port = at + 1;
	}
	if (text[0] == '[') {
		char *close = strchr(text, ']');
		if (!close)
			return OWNDNS_CLIENT_EBADSERVER;
		*close = '\0';
		*host = text + 1;
		if (close[1] == ':' && !*port)
			*port = close + 2;
		else if (close[1])
			return OWNDNS_CLIENT_EBADSERVER;
		return OWNDNS_OK;
	}
	char *colon = strchr(text, ':');
	if (colon && colon == strrchr(text, ':') && !*port) {
		*colon = '\0';
		*port = colon + 1;
	}
	return OWNDNS_OK;
}

int owndns_server_addr_from_text(const char *text, uint16_t default_port,
				 owndns_server_addr *out)
{
	char buf[ADDR_TEXT_MAX];
	char *host, *port;

	memset(out, 0, sizeof(*out));
	if (!text || strlen(text) >= sizeof(buf))
		return OWNDNS_CLIENT_EBADSERVER;
	strcpy(buf, text);
	int rc = split_port(buf, &host, &port);
	if (rc == OWNDNS_OK)
		rc = parse_host(host, out);
	out->port = default_port;
	if (rc == OWNDNS_OK && port)
		rc = parse_port(port, &out->port);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}

int owndns_server_addr_to_text(const owndns_server_addr *a, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];
	int n;

	if (!inet_ntop(a->family, a->addr, host, sizeof(host)))
		return OWNDNS_EINVAL;
	if (a->family == AF_INET6 && a->scope_id)
		n = snprintf(buf, size, "%s%%%u@%u", host, (unsigned)a->scope_id, (unsigned)a->port);
	else
		n = snprintf(buf, size, "%s@%u", host, (unsigned)a->port);
	if (n < 0 || (size_t)n >= size)
		return OWNDNS_ESPACE;
	return n;
}

bool owndns_server_addr_equal(const owndns_server_addr *a, const owndns_server_addr *b)
{
	size_t alen = a->family == AF_INET ? 4 : 16;

	if (a->family != b->family || a->port != b->port || memcmp(a->addr, b->addr, alen))
		return false;
	return !a->scope_id || !b->scope_id || a->scope_id == b->scope_id;
}
