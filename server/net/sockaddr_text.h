/* "192.0.2.1@53" / "2001:db8::1@53": socket addresses in the key=value syntax of
 * listen=, for log lines and error messages. */
#ifndef OWNDNS_SERVER_NET_SOCKADDR_TEXT_H
#define OWNDNS_SERVER_NET_SOCKADDR_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Enough for an IPv6 address, '@', a port and the NUL. */
#define SOCKADDR_TEXT_MAX 64

/* Writes the text of an AF_INET/AF_INET6 address into buf (always NUL-terminated;
 * "?" for other families); returns buf. */
const char *sockaddr_to_text(const struct sockaddr *sa, char *buf, size_t size);

/* True for 0.0.0.0 and :: (the replies' source must then be chosen per packet). */
bool sockaddr_is_wildcard(const struct sockaddr *sa);

#endif
