/* The last guard on UDP response size.  udp-max-size= caps what owndns sends over UDP
 * (default 1232, the size that avoids IP fragmentation, DNS Flag Day 2020).  The
 * answering code is expected to respect it; if a response is larger anyway, it is cut
 * here to what RFC 2181 §9 and RFC 6891 §7 allow: the header with TC=1, the question
 * section and the OPT record, so the client retries over TCP.  No I/O. */
#ifndef OWNDNS_SERVER_NET_UDP_FIT_H
#define OWNDNS_SERVER_NET_UDP_FIT_H

#include <stddef.h>
#include <stdint.h>

/* Makes msg[0..len) fit in `max` octets, in place.  Returns the new length (len when it
 * already fits), or 0 when nothing sensible fits (the caller sends nothing). */
size_t udp_fit_response(uint8_t *msg, size_t len, size_t max);

#endif
