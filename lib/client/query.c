/* The socket driver of one transaction, for any event loop: it tells which fds to watch
 * and when to wake up, performs the transaction's actions and feeds it what the sockets
 * and the clock say.  Blocking use: owndns_query_wait, a poll() loop on top. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <owndns/client.h>

#define FAMILY_V4 0
#define FAMILY_V6 1
#define UDP_READS_PER_CALL 64
#define TCP_OUT_MAX (2 + 512)

struct owndns_query {
	owndns_txn *txn;
	owndns_server_addr servers[OWNDNS_CLIENT_MAX_SERVERS];
	unsigned server_count;
	int udp_fd[2];
	int tcp_fd;
	bool tcp_connecting;
	uint8_t tcp_out[TCP_OUT_MAX];
	size_t tcp_out_len, tcp_out_pos;
	uint64_t wake_at;
	uint8_t rx[OWNDNS_MSG_MAX];
};

/* ---- Addresses ------------------------------------------------------------------- */

static socklen_t to_sockaddr(const owndns_server_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
		v4->sin_family = AF_INET;
		v4->sin_port = htons(a->port);
		memcpy(&v4->sin_addr, a->addr, 4);
		return sizeof(*v4);
	}
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	v6->sin6_family = AF_INET6;
	v6->sin6_port = htons(a->port);
	v6->sin6_scope_id = a->scope_id;
	memcpy(&v6->sin6_addr, a->addr, 16);
	return sizeof(*v6);
}

static bool from_sockaddr(const struct sockaddr_storage *ss, owndns_server_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)ss;
		a->family = AF_INET;
		a->port = ntohs(v4->sin_port);
		memcpy(a->addr, &v4->sin_addr, 4);
		return true;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)ss;
		a->family = AF_INET6;
		a->port = ntohs(v6->sin6_port);
		a->scope_id = v6->sin6_scope_id;
		memcpy(a->addr, &v6->sin6_addr, 16);
		return true;
	}
	return false;
}

/* ---- Sockets -------------------------------------------------------------------- */

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_tcp(owndns_query *q)
{
	close_fd(&q->tcp_fd);
	q->tcp_connecting = false;
	q->tcp_out_len = q->tcp_out_pos = 0;
}

static void close_all(owndns_query *q)
{
	close_fd(&q->udp_fd[FAMILY_V4]);
	close_fd(&q->udp_fd[FAMILY_V6]);
	close_tcp(q);
}

/* A new socket for every try, as dig does: a retry leaves from a new random port, and
 * late answers to the try before (whose ID is no longer valid anyway) are not read.
 * Connected to the server, as dig's are: connect binds it to an ephemeral port, which
 * Linux picks at random, and only a connected socket is told of the ICMP port
 * unreachable that says nothing listens (ECONNREFUSED on the next read).  Returns the
 * fd, or -1 with errno set. */
static int new_udp_socket(owndns_query *q, const owndns_server_addr *server)
{
	int *fd = &q->udp_fd[server->family == AF_INET ? FAMILY_V4 : FAMILY_V6];
	struct sockaddr_storage ss;
	socklen_t sslen = to_sockaddr(server, &ss);

	close_fd(&q->udp_fd[FAMILY_V4]);
	close_fd(&q->udp_fd[FAMILY_V6]);
	*fd = socket(server->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (*fd < 0)
		return -1;
	if (connect(*fd, (struct sockaddr *)&ss, sslen) < 0) {
		int err = errno;
		close_fd(fd);
		errno = err;
		return -1;
	}
	return *fd;
}

static void send_udp(owndns_query *q, uint64_t now, const owndns_txn_action *a)
{
	int fd = new_udp_socket(q, &q->servers[a->server]);

	if (fd < 0 || send(fd, a->data, a->len, 0) < 0)
		owndns_txn_on_send_failed(q->txn, now, errno);
}

static void tcp_flush(owndns_query *q, uint64_t now)
{
	while (q->tcp_out_pos < q->tcp_out_len) {
		ssize_t n = send(q->tcp_fd, q->tcp_out + q->tcp_out_pos,
				 q->tcp_out_len - q->tcp_out_pos, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				owndns_txn_on_tcp_closed(q->txn, now, errno);
				close_tcp(q);
			}
			return;
		}
		q->tcp_out_pos += (size_t)n;
	}
}

static void send_tcp(owndns_query *q, uint64_t now, const owndns_txn_action *a)
{
	struct sockaddr_storage ss;
	const owndns_server_addr *server = &q->servers[a->server];
	socklen_t sslen = to_sockaddr(server, &ss);

	/* The UDP try is over (TC=1 or TCP only): its socket goes. */
	close_fd(&q->udp_fd[FAMILY_V4]);
	close_fd(&q->udp_fd[FAMILY_V6]);
	close_tcp(q);
	if (a->len > sizeof(q->tcp_out)) {
		owndns_txn_on_tcp_closed(q->txn, now, EMSGSIZE);
		return;
	}
	memcpy(q->tcp_out, a->data, a->len);
	q->tcp_out_len = a->len;
	q->tcp_fd = socket(server->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (q->tcp_fd < 0) {
		owndns_txn_on_tcp_closed(q->txn, now, errno);
		return;
	}
	if (connect(q->tcp_fd, (struct sockaddr *)&ss, sslen) == 0) {
		tcp_flush(q, now);
	} else if (errno == EINPROGRESS) {
		q->tcp_connecting = true;
	} else {
		owndns_txn_on_tcp_closed(q->txn, now, errno);
		close_tcp(q);
	}
}

/* Performs actions until the transaction waits or is done.  Failures fed back to the
 * transaction create new actions, which this loop picks up. */
static void run_actions(owndns_query *q, uint64_t now)
{
	owndns_txn_action a;

	for (;;) {
		owndns_txn_next_action(q->txn, &a);
		switch (a.kind) {
		case OWNDNS_TXN_SEND_UDP:
			send_udp(q, now, &a);
			break;
		case OWNDNS_TXN_SEND_TCP:
			send_tcp(q, now, &a);
			break;
		case OWNDNS_TXN_CLOSE_TCP:
			close_tcp(q);
			break;
		case OWNDNS_TXN_WAIT:
			q->wake_at = a.wake_at_ms;
			return;
		case OWNDNS_TXN_DONE:
			close_all(q);
			q->wake_at = UINT64_MAX;
			return;
		}
	}
}

/* ---- Events --------------------------------------------------------------------- */

/* Tries started so far: a change means the try this socket belongs to is over. */
static unsigned tries_started(const owndns_query *q)
{
	const owndns_txn_counters *c = &owndns_txn_get_result(q->txn)->counters;
	return c->udp_sent + c->tcp_started;
}

static void read_udp(owndns_query *q, uint64_t now, int fd)
{
	unsigned tries = tries_started(q);
	/* Reading stops when the try moves on (an answer such as SERVFAIL sends it to the
	 * next server): an ICMP error read later on this socket is not the next try's. */
	for (int i = 0; i < UDP_READS_PER_CALL; i++) {
		if (owndns_txn_done(q->txn) || tries_started(q) != tries)
			return;
		struct sockaddr_storage ss;
		socklen_t sslen = sizeof(ss);
		owndns_server_addr from;
		ssize_t n = recvfrom(fd, q->rx, sizeof(q->rx), 0, (struct sockaddr *)&ss, &sslen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* On the connected socket of this try, any other error is an ICMP error
			 * about its server (ECONNREFUSED, EHOSTUNREACH …): the try is over. */
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				owndns_txn_on_send_failed(q->txn, now, errno);
			return;
		}
		if (from_sockaddr(&ss, &from))
			owndns_txn_on_udp(q->txn, now, &from, q->rx, (size_t)n);
	}
}

static int socket_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}

static void read_tcp(owndns_query *q, uint64_t now)
{
	for (;;) {
		ssize_t n = recv(q->tcp_fd, q->rx, sizeof(q->rx), 0);
		if (n > 0) {
			owndns_txn_on_tcp_data(q->txn, now, q->rx, (size_t)n);
			if (owndns_txn_done(q->txn))
				return;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		owndns_txn_on_tcp_closed(q->txn, now, n == 0 ? 0 : errno);
		close_tcp(q);
		return;
	}
}

static void handle_tcp(owndns_query *q, uint64_t now, short revents)
{
	if (q->tcp_connecting) {
		if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
			return;
		int err = socket_error(q->tcp_fd);
		if (err) {
			owndns_txn_on_tcp_closed(q->txn, now, err);
			close_tcp(q);
			return;
		}
		q->tcp_connecting = false;
	}
	if (revents & POLLOUT)
		tcp_flush(q, now);
	if (revents & (POLLIN | POLLERR | POLLHUP))
		read_tcp(q, now);
}

void owndns_query_process(owndns_query *q, uint64_t now_ms, const struct pollfd *fds, size_t n)
{
	for (size_t i = 0; i < n && !owndns_txn_done(q->txn); i++) {
		int fd = fds[i].fd;
		if (fd < 0 || !fds[i].revents)
			continue;
		if (fd == q->udp_fd[FAMILY_V4] || fd == q->udp_fd[FAMILY_V6])
			read_udp(q, now_ms, fd);
		else if (fd == q->tcp_fd)
			handle_tcp(q, now_ms, fds[i].revents);
	}
	owndns_txn_on_timer(q->txn, now_ms);
	run_actions(q, now_ms);
}

int owndns_query_fds(const owndns_query *q, struct pollfd *fds, size_t cap,
		     uint64_t *wake_at_ms)
{
	int n = 0;

	if (cap < OWNDNS_QUERY_MAX_FDS)
		return OWNDNS_ESPACE;
	*wake_at_ms = q->wake_at;
	for (int f = FAMILY_V4; f <= FAMILY_V6; f++) {
		if (q->udp_fd[f] >= 0)
			fds[n++] = (struct pollfd){ q->udp_fd[f], POLLIN, 0 };
	}
	if (q->tcp_fd >= 0) {
		short events = q->tcp_connecting ? POLLOUT : POLLIN;
		if (!q->tcp_connecting && q->tcp_out_pos < q->tcp_out_len)
			events |= POLLOUT;
		fds[n++] = (struct pollfd){ q->tcp_fd, events, 0 };
	}
	return n;
}

/* ---- Life cycle ------------------------------------------------------------------ */

static int random_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return OWNDNS_CLIENT_ESOCKET;
		}
		p += n;
		len -= (size_t)n;
	}
	return OWNDNS_OK;
}

/* owndns_txn_params.new_id: a fresh random ID for each try. */
static int random_id(void *arg, uint16_t *id)
{
	uint8_t b[2];
	int status = random_bytes(b, sizeof(b));

	(void)arg;
	if (status == OWNDNS_OK)
		*id = (uint16_t)((b[0] << 8) | b[1]);
	return status;
}

/* The servers to ask: the options', else those of /etc/resolv.conf. */
static int pick_servers(owndns_query *q, const owndns_client_options *o)
{
	if (o->server_count > 0) {
		q->server_count = o->server_count;
		memcpy(q->servers, o->servers, o->server_count * sizeof(o->servers[0]));
		return OWNDNS_OK;
	}
	owndns_resolv_conf rc;
	owndns_resolv_conf_init(&rc);
	int status = owndns_resolv_conf_load(&rc, NULL);
	if (status)
		return status;
	if (rc.server_count == 0)
		return OWNDNS_CLIENT_ENOSERVER;
	q->server_count = rc.server_count;
	memcpy(q->servers, rc.servers, rc.server_count * sizeof(rc.servers[0]));
	return OWNDNS_OK;
}

static int fill_params(owndns_txn_params *p, const owndns_query *q,
		       const owndns_client_options *o)
{
	uint8_t rnd[2 + sizeof(p->cookie) + 4];
	int status = random_bytes(rnd, sizeof(rnd));

	if (status)
		return status;
	p->servers = q->servers;
	p->server_count = q->server_count;
	p->timeout_ms = o->timeout_ms;
	p->tries = o->tries;
	p->deadline_ms = o->deadline_ms;
	p->flags = o->flags;
	p->udp_size = o->udp_size;
	p->id = (uint16_t)((rnd[0] << 8) | rnd[1]);
	p->new_id = random_id;
	p->client_subnet = o->has_client_subnet ? &o->client_subnet : NULL;
	memcpy(p->cookie, rnd + 2, sizeof(p->cookie));
	if (o->rotate) {
		uint32_t r;
		memcpy(&r, rnd + 2 + sizeof(p->cookie), sizeof(r));
		p->first_server = r % q->server_count;
	}
	return OWNDNS_OK;
}

int owndns_query_start(const owndns_client_options *o, const uint8_t *qname, uint16_t qtype,
		       uint16_t qclass, uint64_t now_ms, owndns_query **out)
{
	owndns_txn_params p;
	*out = NULL;
	owndns_query *q = calloc(1, sizeof(*q));
	if (!q)
		return OWNDNS_ENOMEM;
	q->udp_fd[FAMILY_V4] = q->udp_fd[FAMILY_V6] = q->tcp_fd = -1;

	memset(&p, 0, sizeof(p));
	p.qname = qname;
	p.qtype = qtype;
	p.qclass = qclass;
	int status = pick_servers(q, o);
	if (status == OWNDNS_OK)
		status = fill_params(&p, q, o);
	if (status == OWNDNS_OK)
		status = owndns_txn_new(&p, now_ms, &q->txn);
	if (status) {
		free(q);
		return status;
	}
	run_actions(q, now_ms);
	*out = q;
	return OWNDNS_OK;
}

bool owndns_query_done(const owndns_query *q)
{
	return owndns_txn_done(q->txn);
}

const owndns_txn_result *owndns_query_result(const owndns_query *q)
{
	return owndns_txn_get_result(q->txn);
}

const owndns_server_addr *owndns_query_server(const owndns_query *q, unsigned index)
{
	return index < q->server_count ? &q->servers[index] : NULL;
}

void owndns_query_free(owndns_query *q)
{
	if (!q)
		return;
	close_all(q);
	owndns_txn_free(q->txn);
	free(q);
}
