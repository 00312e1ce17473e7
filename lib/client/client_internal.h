/* Internal to lib/client: the poll() loop shared by the blocking calls. */
#ifndef OWNDNS_CLIENT_INTERNAL_H
#define OWNDNS_CLIENT_INTERNAL_H

#include <owndns/client.h>

typedef struct client_poll_ops {
	bool (*done)(const void *obj);
	int (*fds)(const void *obj, struct pollfd *fds, size_t cap, uint64_t *wake_at);
	void (*process)(void *obj, uint64_t now, const struct pollfd *fds, size_t n);
} client_poll_ops;

/* Polls obj's fds until it is done; ETIMEOUT at deadline_ms (0: none), ESOCKET when
 * poll fails. */
int client_poll_loop(void *obj, const client_poll_ops *ops, uint64_t deadline_ms);

#endif
