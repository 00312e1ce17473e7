/* The query transaction: build the query, match responses, retry, fall back to TCP, move
 * on to the next server, give up.  No I/O and no clock: events come in with the time,
 * actions go out (DESIGN.md "Protocol logic without I/O"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <owndns/client.h>
#include <owndns/edns.h>

#define TCP_LEN_PREFIX 2
/* Header, longest name, question fields, OPT with a cookie, an NSID request and a
 * CLIENT-SUBNET (at most 24 octets). */
#define QUERY_MAX 512
#define TCP_BUF_SIZE (TCP_LEN_PREFIX + OWNDNS_MSG_MAX)
/* Draws of a fresh ID until it differs from the last one (a repeat is 1 in 65536). */
#define NEW_ID_DRAWS 4

enum send_kind { SEND_NONE, SEND_UDP, SEND_TCP };

/* What a response means for the transaction. */
enum verdict {
	DROP_SHORT,      /* not even a header: cannot be tied to this query */
	DROP_ID,
	DROP_QUESTION,
	DROP_MALFORMED,
	DROP_COOKIE,
	TRUNCATED,
	FINAL,
	SERVER_FAILED,   /* SERVFAIL, REFUSED, NOTIMP, FORMERR: try the next server */
	RETRY_NO_EDNS    /* FORMERR to a query with EDNS from a server without it */
};

struct owndns_txn {
	owndns_server_addr servers[OWNDNS_CLIENT_MAX_SERVERS];
	unsigned server_count;
	unsigned first_server;
	uint8_t qname[OWNDNS_NAME_MAX];
	uint16_t qtype, qclass, id;
	int (*new_id)(void *arg, uint16_t *id);
	void *new_id_arg;
	bool sent_once;
	unsigned flags;
	uint16_t udp_size;
	uint8_t cookie[OWNDNS_COOKIE_CLIENT_LEN];
	bool has_client_subnet;
	owndns_edns_ecs client_subnet;
	uint32_t timeout_ms;
	bool backoff;          /* params.first_timeout_ms given */
	uint32_t backoff_max;  /* deadline_ms, or timeout_ms without a deadline */
	uint32_t next_timeout[OWNDNS_CLIENT_MAX_SERVERS]; /* of the next UDP try, backoff */
	uint32_t try_timeout;  /* of the current try, UDP */
	bool edns; /* false after falling back from FORMERR */

	/* query[0..2) holds the TCP length, the message follows */
	uint8_t query[TCP_LEN_PREFIX + QUERY_MAX];
	size_t query_len;

	uint64_t deadline;     /* UINT64_MAX: none */
	uint64_t try_deadline;
	unsigned attempt, attempt_count;
	unsigned current;      /* server of the current try */
	bool current_tcp;
	uint32_t asked_udp;    /* bit per server asked over UDP: their late answers count */
	uint64_t sent_at[OWNDNS_CLIENT_MAX_SERVERS];

	bool pending_close;
	enum send_kind pending_send;
	bool tcp_open;
	unsigned tcp_conn;     /* connections started: data of an older one is dropped */
	uint8_t *tcp_buf;
	size_t tcp_len;

	uint8_t *failed;       /* last SERVFAIL-like answer */
	size_t failed_len;
	int failed_status;
	unsigned failed_rcode;
	unsigned failed_server;
	bool failed_tcp;
	bool heard_malformed;
	int last_try_error;    /* errno that ended the last try; 0: timed out or answered */

	uint8_t *answer;
	bool done;
	owndns_txn_result result;
};

/* ---- Building the query ------------------------------------------------------- */

static int add_edns(owndns_txn *t, owndns_msg_writer *w)
{
	uint8_t storage[64];
	owndns_edns_builder b;
	int rc = OWNDNS_OK;

	owndns_edns_builder_init(&b, storage, sizeof(storage), t->udp_size);
	b.dnssec_ok = (t->flags & OWNDNS_QUERY_DO) != 0;
	if (t->flags & OWNDNS_QUERY_NSID)
		rc = owndns_edns_add_nsid(&b, NULL, 0);
	if (rc == OWNDNS_OK && t->has_client_subnet)
		rc = owndns_edns_add_ecs(&b, &t->client_subnet);
	if (rc == OWNDNS_OK && (t->flags & OWNDNS_QUERY_COOKIE)) {
		owndns_edns_cookie c;
		memset(&c, 0, sizeof(c));
		memcpy(c.client, t->cookie, sizeof(c.client));
		rc = owndns_edns_add_cookie(&b, &c);
	}
	return rc ? rc : owndns_writer_edns(w, &b);
}

static int build_query(owndns_txn *t)
{
	owndns_msg_writer w;
	owndns_header hdr;
	size_t len;

	memset(&hdr, 0, sizeof(hdr));
	hdr.id = t->id;
	owndns_header_set_opcode(&hdr, OWNDNS_OPCODE_QUERY);
	owndns_header_set_flag(&hdr, OWNDNS_FLAG_RD, (t->flags & OWNDNS_QUERY_RD) != 0);
	owndns_header_set_flag(&hdr, OWNDNS_FLAG_CD, (t->flags & OWNDNS_QUERY_CD) != 0);
	owndns_header_set_flag(&hdr, OWNDNS_FLAG_AD, (t->flags & OWNDNS_QUERY_AD) != 0);
	int rc = owndns_writer_init(&w, t->query + TCP_LEN_PREFIX, QUERY_MAX, &hdr);
	if (rc == OWNDNS_OK)
		rc = owndns_writer_question(&w, t->qname, t->qtype, t->qclass);
	if (rc == OWNDNS_OK && t->edns)
		rc = add_edns(t, &w);
	if (rc == OWNDNS_OK)
		rc = owndns_writer_finish(&w, &len);
	if (rc)
		return rc;
	t->query_len = len;
	t->query[0] = (uint8_t)(len >> 8);
	t->query[1] = (uint8_t)len;
	return OWNDNS_OK;
}

/* ---- Tries ---------------------------------------------------------------------- */

static void finish(owndns_txn *t, uint64_t now, int status);

/* A new try gets a new ID, so that it is a query of its own, as dig's retries are. */
static int renew_id(owndns_txn *t)
{
	uint16_t id = t->id;

	for (unsigned i = 0; i < NEW_ID_DRAWS && id == t->id; i++) {
		int rc = t->new_id(t->new_id_arg, &id);
		if (rc)
			return rc;
	}
	t->id = id;
	return build_query(t);
}

static void send_current(owndns_txn *t, uint64_t now, bool tcp)
{
	if (t->sent_once && t->new_id) {
		int rc = renew_id(t);
		if (rc) {
			finish(t, now, rc);
			return;
		}
		/* Only the packet sent last may be answered. */
		t->asked_udp = 0;
	}
	t->sent_once = true;
	t->current_tcp = tcp;
	t->pending_send = tcp ? SEND_TCP : SEND_UDP;
	t->sent_at[t->current] = now;
	uint32_t wait = t->try_timeout;
	/* A TCP connection needs a round trip more, from a server that proved alive. */
	if (tcp && wait < t->timeout_ms)
		wait = t->timeout_ms;
	t->try_deadline = now + wait;
	if (tcp) {
		t->tcp_open = true;
		t->tcp_conn++;
		t->tcp_len = 0;
		t->result.counters.tcp_started++;
	} else {
		t->asked_udp |= 1u << t->current;
		t->result.counters.udp_sent++;
	}
}

/* With back-off, each try to a server waits twice as long as the one before it, so a
 * silent server is left soon and a slow one still gets a try long enough (only the try
 * sent last may answer); the last try waits for the deadline, as nothing else is left
 * to do. */
static uint32_t attempt_timeout(owndns_txn *t, uint64_t now)
{
	if (!t->backoff)
		return t->timeout_ms;
	if (t->attempt + 1 == t->attempt_count && t->deadline != UINT64_MAX) {
		/* at most deadline_ms, a uint32_t */
		uint64_t left = t->deadline > now ? t->deadline - now : 0;
		return left > t->timeout_ms ? (uint32_t)left : t->timeout_ms;
	}
	uint32_t *next = &t->next_timeout[t->current];
	uint32_t ms = *next;
	*next = ms >= t->backoff_max / 2 ? t->backoff_max : ms * 2;
	return ms;
}

static void start_attempt(owndns_txn *t, uint64_t now)
{
	t->current = (t->first_server + t->attempt) % t->server_count;
	t->try_timeout = attempt_timeout(t, now);
	send_current(t, now, (t->flags & OWNDNS_QUERY_TCP) != 0);
}

static void close_tcp(owndns_txn *t)
{
	if (t->tcp_open) {
		t->pending_close = true;
		t->tcp_open = false;
	}
}

static void finish(owndns_txn *t, uint64_t now, int status)
{
	t->done = true;
	t->pending_send = SEND_NONE;
	t->result.status = status;
	t->result.done_at_ms = now;
}

/* The status of a transaction whose last try ended on `error` (an errno). */
static int try_error_status(int error)
{
	switch (error) {
	case ECONNREFUSED:
		return OWNDNS_CLIENT_ECONNREFUSED;
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
		return OWNDNS_CLIENT_EUNREACHABLE;
	default:
		return OWNDNS_CLIENT_ESOCKET;
	}
}

/* Errors with which the network says the server cannot be reached over TCP; the
 * others (a reset, a close) are the server failing the try. */
static bool tcp_unreachable(int error)
{
	return try_error_status(error) != OWNDNS_CLIENT_ESOCKET;
}

static void record_try_error(owndns_txn *t, int error, bool tcp)
{
	owndns_txn_result *r = &t->result;

	if (r->try_error_count < OWNDNS_TRY_ERRORS_MAX) {
		owndns_try_error *e = &r->try_errors[r->try_error_count];
		e->server = t->current;
		e->addr = t->servers[t->current];
		e->error = error;
		e->tcp = tcp;
	}
	r->try_error_count++;
}

static void finish_failed(owndns_txn *t, uint64_t now)
{
	int status = OWNDNS_CLIENT_ETIMEOUT;

	if (t->failed) {
		status = t->failed_status;
		t->result.packet = t->failed;
		t->result.len = t->failed_len;
		t->result.server = t->failed_server;
		t->result.tcp = t->failed_tcp;
		t->result.rcode = t->failed_rcode;
	} else if (t->last_try_error) {
		/* e.g. dig's "connection refused" rather than "timed out" */
		status = try_error_status(t->last_try_error);
	} else if (t->heard_malformed) {
		status = OWNDNS_CLIENT_EMALFORMED;
	}
	finish(t, now, status);
}

/* Ends the current try; `error` is the errno that ended it, 0 for a time-out or a
 * failed answer. */
static void next_attempt(owndns_txn *t, uint64_t now, int error)
{
	t->last_try_error = error;
	close_tcp(t);
	t->attempt++;
	if (t->attempt >= t->attempt_count)
		finish_failed(t, now);
	else
		start_attempt(t, now);
}

/* ---- Judging a response --------------------------------------------------------- */

static bool question_matches(const owndns_txn *t, const owndns_msg *m)
{
	uint8_t qname[OWNDNS_NAME_MAX];
	uint16_t qtype, qclass;

	if (m->hdr.count[OWNDNS_SECTION_QUESTION] != 1)
		return false;
	if (owndns_msg_question(m, 0, qname, NULL, &qtype, &qclass))
		return false;
	return qtype == t->qtype && qclass == t->qclass && owndns_name_equal(qname, t->qname);
}

/* RFC 7873 §5.3: a response whose COOKIE carries another client cookie is dropped. */
static bool cookie_matches(const owndns_txn *t, const owndns_msg *m)
{
	owndns_edns e;
	owndns_edns_option opt;
	owndns_edns_cookie c;

	if (!(t->flags & OWNDNS_QUERY_COOKIE) || !t->edns)
		return true;
	if (owndns_edns_from_msg(m, &e) || owndns_edns_find_option(&e, OWNDNS_EDNS_COOKIE, &opt))
		return true;
	if (owndns_edns_parse_cookie(&opt, &c))
		return false;
	return memcmp(c.client, t->cookie, sizeof(c.client)) == 0;
}

static int rcode_status(unsigned rcode)
{
	switch (rcode) {
	case OWNDNS_RCODE_SERVFAIL:
		return OWNDNS_CLIENT_ESERVFAIL;
	case OWNDNS_RCODE_REFUSED:
		return OWNDNS_CLIENT_EREFUSED;
	case OWNDNS_RCODE_NOTIMP:
		return OWNDNS_CLIENT_ENOTIMP;
	case OWNDNS_RCODE_FORMERR:
		return OWNDNS_CLIENT_EFORMERR;
	default:
		return OWNDNS_OK;
	}
}

/* An error answer need not echo the question (RFC 1035 does not require it). */
static bool question_optional(const owndns_msg *m)
{
	return m->hdr.count[OWNDNS_SECTION_QUESTION] == 0 &&
	       rcode_status(owndns_header_rcode(&m->hdr)) != OWNDNS_OK;
}

static enum verdict judge_rcode(const owndns_txn *t, const owndns_msg *m)
{
	unsigned rcode = owndns_msg_rcode(m);
	owndns_rr_view opt;

	if (rcode_status(rcode) == OWNDNS_OK)
		return FINAL;
	/* RFC 6891 §7: a server that answers FORMERR without an OPT does not know EDNS. */
	if (rcode == OWNDNS_RCODE_FORMERR && t->edns && !(t->flags & OWNDNS_QUERY_NO_EDNS_RETRY) &&
	    owndns_msg_opt(m, &opt) == OWNDNS_ENOTFOUND)
		return RETRY_NO_EDNS;
	return SERVER_FAILED;
}

static enum verdict judge(const owndns_txn *t, const uint8_t *pkt, size_t len, bool tcp,
			  owndns_msg *m)
{
	owndns_header hdr;

	if (owndns_header_read(pkt, len, &hdr))
		return DROP_SHORT;
	if (hdr.id != t->id || !owndns_header_flag(&hdr, OWNDNS_FLAG_QR))
		return DROP_ID;
	if (owndns_header_opcode(&hdr) != OWNDNS_OPCODE_QUERY)
		return DROP_MALFORMED;
	int rc = owndns_msg_open(m, pkt, len);
	/* A truncated UDP answer may be cut anywhere; TC=1 is all we need from it.  Over
	 * TCP there is nothing to fall back to, so an unreadable message is just bad. */
	if (owndns_header_flag(&hdr, OWNDNS_FLAG_TC) && rc != OWNDNS_OK && !tcp &&
	    !(t->flags & OWNDNS_QUERY_NO_TCP_RETRY))
		return TRUNCATED;
	if (rc != OWNDNS_OK)
		return DROP_MALFORMED;
	if (!question_matches(t, m) && !question_optional(m))
		return DROP_QUESTION;
	if (!cookie_matches(t, m))
		return DROP_COOKIE;
	if (owndns_header_flag(&hdr, OWNDNS_FLAG_TC))
		return TRUNCATED;
	return judge_rcode(t, m);
}

static bool count_drop(owndns_txn *t, enum verdict v)
{
	owndns_txn_counters *c = &t->result.counters;

	switch (v) {
	case DROP_SHORT:
		/* Counted, but it is no sign that the server answered us: garbage. */
		c->malformed++;
		return true;
	case DROP_ID:
		c->mismatched_id++;
		return true;
	case DROP_QUESTION:
		c->mismatched_question++;
		return true;
	case DROP_MALFORMED:
		c->malformed++;
		t->heard_malformed = true;
		return true;
	case DROP_COOKIE:
		c->bad_cookie++;
		return true;
	default:
		return false;
	}
}

static uint8_t *copy_packet(const uint8_t *pkt, size_t len)
{
	uint8_t *copy = malloc(len);
	if (copy)
		memcpy(copy, pkt, len);
	return copy;
}

static void accept_final(owndns_txn *t, uint64_t now, const owndns_msg *m, unsigned server,
			 bool tcp)
{
	t->answer = copy_packet(m->pkt, m->len);
	if (!t->answer) {
		finish(t, now, OWNDNS_ENOMEM);
		return;
	}
	t->result.packet = t->answer;
	t->result.len = m->len;
	t->result.server = server;
	t->result.tcp = tcp;
	t->result.rcode = owndns_msg_rcode(m);
	t->result.rtt_ms = (uint32_t)(now - t->sent_at[server]);
	close_tcp(t);
	finish(t, now, OWNDNS_OK);
}

static void remember_failure(owndns_txn *t, const owndns_msg *m, unsigned server, bool tcp)
{
	uint8_t *copy = copy_packet(m->pkt, m->len);
	if (!copy)
		return; /* only the report of the failure is lost */
	free(t->failed);
	t->failed = copy;
	t->failed_len = m->len;
	t->failed_rcode = owndns_msg_rcode(m);
	t->failed_status = rcode_status(t->failed_rcode);
	t->failed_server = server;
	t->failed_tcp = tcp;
}

static void retry_without_edns(owndns_txn *t, uint64_t now, bool tcp)
{
	t->edns = false;
	if (build_query(t) != OWNDNS_OK) {
		next_attempt(t, now, 0);
		return;
	}
	close_tcp(t);
	send_current(t, now, tcp);
}

/* Acts on a response that passed the source check. */
static void handle_response(owndns_txn *t, uint64_t now, const uint8_t *pkt, size_t len,
			    unsigned server, bool tcp)
{
	owndns_msg m;
	enum verdict v = judge(t, pkt, len, tcp, &m);
	bool is_current = server == t->current && tcp == t->current_tcp;

	if (count_drop(t, v))
		return;
	if (v == TRUNCATED && tcp && (t->flags & OWNDNS_QUERY_TCP_TC_FAILS))
		v = SERVER_FAILED;
	else if (v == TRUNCATED && (tcp || (t->flags & OWNDNS_QUERY_NO_TCP_RETRY)))
		v = FINAL; /* nothing bigger than TCP to fall back to, or asked to stay */
	switch (v) {
	case FINAL:
		accept_final(t, now, &m, server, tcp);
		break;
	case TRUNCATED:
		if (is_current)
			send_current(t, now, true);
		break;
	case RETRY_NO_EDNS:
		if (is_current) {
			retry_without_edns(t, now, tcp);
			break;
		}
		/* fall through */
	default:
		remember_failure(t, &m, server, tcp);
		if (is_current)
			next_attempt(t, now, 0);
		break;
	}
}

/* ---- Events --------------------------------------------------------------------- */

static int find_asked_server(const owndns_txn *t, const owndns_server_addr *from)
{
	for (unsigned i = 0; i < t->server_count; i++) {
		if ((t->asked_udp & (1u << i)) && owndns_server_addr_equal(&t->servers[i], from))
			return (int)i;
	}
	return -1;
}

void owndns_txn_on_udp(owndns_txn *t, uint64_t now_ms, const owndns_server_addr *from,
		       const uint8_t *pkt, size_t len)
{
	if (t->done)
		return;
	int server = find_asked_server(t, from);
	if (server < 0) {
		t->result.counters.wrong_source++;
		return;
	}
	handle_response(t, now_ms, pkt, len, (unsigned)server, false);
}

/* Hands over every complete length-prefixed message in the TCP buffer.  A response
 * may move on to a new connection (the next server over TCP): the buffer is then that
 * connection's, and what is left of the old one is not looked at. */
static void drain_tcp(owndns_txn *t, uint64_t now)
{
	unsigned conn = t->tcp_conn;
	while (!t->done && t->tcp_open && t->tcp_len >= TCP_LEN_PREFIX) {
		size_t msg_len = ((size_t)t->tcp_buf[0] << 8) | t->tcp_buf[1];
		size_t total = TCP_LEN_PREFIX + msg_len;
		if (t->tcp_len < total)
			return;
		handle_response(t, now, t->tcp_buf + TCP_LEN_PREFIX, msg_len, t->current, true);
		if (!t->tcp_open || t->tcp_conn != conn)
			return;
		memmove(t->tcp_buf, t->tcp_buf + total, t->tcp_len - total);
		t->tcp_len -= total;
	}
}

void owndns_txn_on_tcp_data(owndns_txn *t, uint64_t now_ms, const uint8_t *data, size_t len)
{
	if (t->done || !t->tcp_open)
		return;
	if (!t->tcp_buf) {
		t->tcp_buf = malloc(TCP_BUF_SIZE);
		if (!t->tcp_buf) {
			finish(t, now_ms, OWNDNS_ENOMEM);
			return;
		}
	}
	unsigned conn = t->tcp_conn;
	while (len > 0 && t->tcp_open && !t->done && t->tcp_conn == conn) {
		size_t room = TCP_BUF_SIZE - t->tcp_len;
		size_t n = len < room ? len : room;
		memcpy(t->tcp_buf + t->tcp_len, data, n);
		t->tcp_len += n;
		data += n;
		len -= n;
		drain_tcp(t, now_ms);
	}
}

void owndns_txn_on_tcp_closed(owndns_txn *t, uint64_t now_ms, int error)
{
	if (t->done || !t->tcp_open)
		return;
	t->tcp_open = false;
	if (!t->current_tcp)
		return;
	if (tcp_unreachable(error)) {
		record_try_error(t, error, true);
		next_attempt(t, now_ms, error);
	} else {
		next_attempt(t, now_ms, 0);
	}
}

void owndns_txn_on_send_failed(owndns_txn *t, uint64_t now_ms, int error)
{
	if (t->done || t->current_tcp)
		return;
	if (error)
		record_try_error(t, error, false);
	next_attempt(t, now_ms, error);
}

void owndns_txn_on_timer(owndns_txn *t, uint64_t now_ms)
{
	if (t->done)
		return;
	if (now_ms >= t->deadline) {
		t->result.timed_out |= 1u << t->current;
		close_tcp(t);
		t->last_try_error = 0; /* the try in flight timed out */
		finish_failed(t, now_ms);
	} else if (now_ms >= t->try_deadline) {
		t->result.timed_out |= 1u << t->current;
		next_attempt(t, now_ms, 0);
	}
}

/* ---- Actions and results ---------------------------------------------------------- */

void owndns_txn_next_action(owndns_txn *t, owndns_txn_action *a)
{
	memset(a, 0, sizeof(*a));
	a->server = t->current;
	if (t->pending_close) {
		t->pending_close = false;
		a->kind = OWNDNS_TXN_CLOSE_TCP;
	} else if (t->pending_send == SEND_UDP) {
		a->kind = OWNDNS_TXN_SEND_UDP;
		a->data = t->query + TCP_LEN_PREFIX;
		a->len = t->query_len;
	} else if (t->pending_send == SEND_TCP) {
		a->kind = OWNDNS_TXN_SEND_TCP;
		a->data = t->query;
		a->len = t->query_len + TCP_LEN_PREFIX;
	} else if (t->done) {
		a->kind = OWNDNS_TXN_DONE;
	} else {
		a->kind = OWNDNS_TXN_WAIT;
		a->wake_at_ms = t->try_deadline < t->deadline ? t->try_deadline : t->deadline;
	}
	if (a->kind == OWNDNS_TXN_SEND_UDP || a->kind == OWNDNS_TXN_SEND_TCP)
		t->pending_send = SEND_NONE;
}

bool owndns_txn_done(const owndns_txn *t)
{
	return t->done;
}

const owndns_txn_result *owndns_txn_get_result(const owndns_txn *t)
{
	return &t->result;
}

const uint8_t *owndns_txn_query(const owndns_txn *t, size_t *len)
{
	*len = t->query_len;
	return t->query + TCP_LEN_PREFIX;
}

/* ---- Life cycle ------------------------------------------------------------------ */

static int check_params(const owndns_txn_params *p, size_t *qname_len)
{
	if (!p->qname || !p->servers || p->server_count == 0 ||
	    p->server_count > OWNDNS_CLIENT_MAX_SERVERS || p->tries == 0 || p->timeout_ms == 0)
		return OWNDNS_EINVAL;
	for (unsigned i = 0; i < p->server_count; i++) {
		int f = p->servers[i].family;
		if (f != AF_INET && f != AF_INET6)
			return OWNDNS_EINVAL;
		if (p->first_timeout_ms && p->first_timeout_ms[i] == 0)
			return OWNDNS_EINVAL;
	}
	return owndns_name_check(p->qname, OWNDNS_NAME_MAX, qname_len);
}

static void copy_params(owndns_txn *t, const owndns_txn_params *p, size_t qname_len)
{
	memcpy(t->servers, p->servers, p->server_count * sizeof(p->servers[0]));
	t->server_count = p->server_count;
	t->first_server = p->first_server % p->server_count;
	memcpy(t->qname, p->qname, qname_len);
	t->qtype = p->qtype;
	t->qclass = p->qclass;
	t->id = p->id;
	t->new_id = p->new_id;
	t->new_id_arg = p->new_id_arg;
	t->flags = p->flags;
	if (p->client_subnet) {
		t->has_client_subnet = true;
		t->client_subnet = *p->client_subnet;
	}
	/* DO, COOKIE, NSID and CLIENT-SUBNET live in the OPT record. */
	if ((t->flags & (OWNDNS_QUERY_DO | OWNDNS_QUERY_COOKIE | OWNDNS_QUERY_NSID)) ||
	    t->has_client_subnet)
		t->flags |= OWNDNS_QUERY_EDNS;
	t->edns = (t->flags & OWNDNS_QUERY_EDNS) != 0;
	t->udp_size = p->udp_size ? p->udp_size : OWNDNS_EDNS_UDP_DEFAULT;
	memcpy(t->cookie, p->cookie, sizeof(t->cookie));
	t->timeout_ms = p->timeout_ms;
	t->try_timeout = p->timeout_ms;
	t->backoff = p->first_timeout_ms != NULL;
	t->backoff_max = p->deadline_ms ? p->deadline_ms : p->timeout_ms;
	for (unsigned i = 0; t->backoff && i < p->server_count; i++)
		t->next_timeout[i] = p->first_timeout_ms[i] < p->timeout_ms ?
					     p->first_timeout_ms[i] : p->timeout_ms;
	t->attempt_count = p->tries * p->server_count;
}

int owndns_txn_new(const owndns_txn_params *p, uint64_t now_ms, owndns_txn **out)
{
	size_t qname_len;
	int rc = check_params(p, &qname_len);

	*out = NULL;
	if (rc)
		return rc == OWNDNS_OK ? rc : OWNDNS_EINVAL;
	owndns_txn *t = calloc(1, sizeof(*t));
	if (!t)
		return OWNDNS_ENOMEM;
	copy_params(t, p, qname_len);
	rc = build_query(t);
	if (rc) {
		free(t);
		return rc;
	}
	t->deadline = p->deadline_ms ? now_ms + p->deadline_ms : UINT64_MAX;
	start_attempt(t, now_ms);
	*out = t;
	return OWNDNS_OK;
}

void owndns_txn_free(owndns_txn *t)
{
	if (!t)
		return;
	free(t->tcp_buf);
	free(t->failed);
	free(t->answer);
	free(t);
}
