/* Messages for the client status codes; the others go to owndns_strerror. */
#include <time.h>

#include <owndns/client.h>

static const char *const client_messages[] = {
	[-OWNDNS_CLIENT_ETIMEOUT - 101] = "no usable answer before the time ran out",
	[-OWNDNS_CLIENT_ESERVFAIL - 101] = "server failure (SERVFAIL) from every server",
	[-OWNDNS_CLIENT_EREFUSED - 101] = "query refused (REFUSED) by every server",
	[-OWNDNS_CLIENT_ENOTIMP - 101] = "query not implemented (NOTIMP) by every server",
	[-OWNDNS_CLIENT_EFORMERR - 101] = "format error (FORMERR) from every server",
	[-OWNDNS_CLIENT_ENXDOMAIN - 101] = "no such name",
	[-OWNDNS_CLIENT_ENODATA - 101] = "no data of the requested type",
	[-OWNDNS_CLIENT_EMALFORMED - 101] = "only malformed responses received",
	[-OWNDNS_CLIENT_ENOSERVER - 101] = "no server to ask",
	[-OWNDNS_CLIENT_EBADSERVER - 101] = "malformed server address",
	[-OWNDNS_CLIENT_ESOCKET - 101] = "socket operation failed",
	[-OWNDNS_CLIENT_ECNAME - 101] = "CNAME chain too long or looping",
	[-OWNDNS_CLIENT_ECONNREFUSED - 101] = "connection refused",
	[-OWNDNS_CLIENT_EUNREACHABLE - 101] = "host or network unreachable",
};

const char *owndns_client_strerror(int status)
{
	if (status > OWNDNS_CLIENT_ETIMEOUT || status < OWNDNS_CLIENT_ERROR_MIN_)
		return owndns_strerror(status);
	return client_messages[-status - 101];
}

uint64_t owndns_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
