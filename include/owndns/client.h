/* The stub client of libowndns: ask recursive servers a question and wait for the answer.
 *
 * Layers, from the bottom:
 *   - resolv.conf parsing (owndns_resolv_conf), from text or from a file;
 *   - the query transaction (owndns_txn): an I/O-free state machine that builds the
 *     query, matches responses to it, retries, falls back to TCP, moves on to the next
 *     server and gives up.  It reads no clock and touches no socket: it is fed events
 *     with the current time and answers with actions (DESIGN.md "Protocol logic without
 *     I/O");
 *   - the async driver (owndns_query, owndns_host): one transaction plus its sockets,
 *     for any event loop: ask for the fds to watch and the next wake-up time, call
 *     *_process when an fd is ready or the time has come;
 *   - blocking calls on top of it with poll(): owndns_resolve, owndns_gethostbyname.
 * Times are milliseconds of a monotonic clock chosen by the caller (owndns_clock_ms).
 * Randomness (query ID, client cookie, first server with `rotate`) comes from
 * getrandom(2). */
#ifndef OWNDNS_CLIENT_H
#define OWNDNS_CLIENT_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <owndns/edns.h>
#include <owndns/error.h>
#include <owndns/message.h>
#include <owndns/name.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Status codes ------------------------------------------------------------- */

/* Client-level outcomes, below -100 so they never collide with owndns_status.  Every
 * client function returns OWNDNS_OK, an owndns_status or one of these. */
enum owndns_client_status {
	OWNDNS_CLIENT_ETIMEOUT = -101,   /* no usable answer before the time ran out */
	OWNDNS_CLIENT_ESERVFAIL = -102,  /* every server failed, the last with SERVFAIL */
	OWNDNS_CLIENT_EREFUSED = -103,   /* ... the last with REFUSED */
	OWNDNS_CLIENT_ENOTIMP = -104,    /* ... the last with NOTIMP */
	OWNDNS_CLIENT_EFORMERR = -105,   /* ... the last with FORMERR */
	OWNDNS_CLIENT_ENXDOMAIN = -106,  /* the name does not exist */
	OWNDNS_CLIENT_ENODATA = -107,    /* the name exists, but has no data of that type */
	OWNDNS_CLIENT_EMALFORMED = -108, /* the servers only sent malformed responses */
	OWNDNS_CLIENT_ENOSERVER = -109,  /* no server to ask */
	OWNDNS_CLIENT_EBADSERVER = -110, /* server address text malformed */
	OWNDNS_CLIENT_ESOCKET = -111,    /* a socket call failed (see errno) */
	OWNDNS_CLIENT_ECNAME = -112,     /* CNAME chain too long or looping */
	OWNDNS_CLIENT_ECONNREFUSED = -113, /* the last try was refused (ICMP port unreachable,
					    * or TCP reset on connect) */
	OWNDNS_CLIENT_EUNREACHABLE = -114, /* the last try's host or network was unreachable */
	OWNDNS_CLIENT_ERROR_MIN_ = -114
};

/* A static, never-NULL message for a client status or any owndns_status. */
const char *owndns_client_strerror(int status);

/* Milliseconds of CLOCK_MONOTONIC: the clock the blocking calls use. */
uint64_t owndns_clock_ms(void);

/* ---- Server addresses ------------------------------------------------------------ */

#define OWNDNS_DNS_PORT 53

typedef struct owndns_server_addr {
	int family;        /* AF_INET or AF_INET6 */
	uint8_t addr[16];  /* 4 octets for AF_INET */
	uint16_t port;     /* host order */
	uint32_t scope_id; /* IPv6 zone (interface index), 0 when none */
} owndns_server_addr;

/* Longest text of owndns_server_addr_to_text, NUL included. */
#define OWNDNS_SERVER_ADDR_TEXT_MAX 72

/* Parses "192.0.2.1", "2001:db8::1", "fe80::1%eth0" (zone: interface name or index),
 * with an optional port as "addr@5353" (the key=value syntax), "192.0.2.1:5353" or
 * "[2001:db8::1]:5353".  Without a port, `default_port`.  Errors: EBADSERVER. */
int owndns_server_addr_from_text(const char *text, uint16_t default_port,
				 owndns_server_addr *out);

/* Writes "addr@port" or "addr%zone@port" (zone as a number); returns the length, or
 * ESPACE when size is below OWNDNS_SERVER_ADDR_TEXT_MAX and it does not fit. */
int owndns_server_addr_to_text(const owndns_server_addr *a, char *buf, size_t size);

/* True when both name the same address, port and (when both have one) zone. */
bool owndns_server_addr_equal(const owndns_server_addr *a, const owndns_server_addr *b);

/* ---- resolv.conf ------------------------------------------------------------------ */

/* glibc keeps 3 nameservers (MAXNS) and ignores the rest; so do we, so that owndns
 * asks the same servers as the system resolver.  The search list keeps 6 domains. */
#define OWNDNS_RESOLV_MAX_SERVERS 3
#define OWNDNS_RESOLV_MAX_SEARCH 6
#define OWNDNS_RESOLV_DEFAULT_PATH "/etc/resolv.conf"

typedef struct owndns_resolv_conf {
	owndns_server_addr servers[OWNDNS_RESOLV_MAX_SERVERS];
	unsigned server_count;
	uint8_t search[OWNDNS_RESOLV_MAX_SEARCH][OWNDNS_NAME_MAX]; /* wire names */
	unsigned search_count;
	unsigned ndots;     /* default 1, at most 15 */
	unsigned timeout_s; /* per try; default 5, 1..30 */
	unsigned attempts;  /* rounds over the servers; default 2, 1..5 */
	bool rotate;        /* start at a random server */
	bool edns0;         /* options edns0 */
	bool use_vc;        /* options use-vc (or tcp): TCP only */
	unsigned skipped_lines; /* lines that were not understood and ignored */
} owndns_resolv_conf;

/* The glibc defaults: no server yet, no search list, ndots 1, timeout 5 s, 2 attempts. */
void owndns_resolv_conf_init(owndns_resolv_conf *rc);

/* Parses resolv.conf text[0..len) into `rc` (start with owndns_resolv_conf_init).
 * Understood: nameserver ADDR (IPv4, IPv6, IPv6%zone; ADDR@port as an extension),
 * search D..., domain D (the last search or domain line wins, as in glibc), options
 * ndots:N timeout:N attempts:N rotate edns0 use-vc tcp (values clamped as glibc does).
 * Comments start with '#' or ';'.  Lines that cannot be understood are skipped, as
 * glibc does, and counted in skipped_lines.  When no nameserver is given, 127.0.0.1
 * (port 53) is used.  Not read: RES_OPTIONS, LOCALDOMAIN, the host name's domain.
 * Always returns OWNDNS_OK. */
int owndns_resolv_conf_parse(owndns_resolv_conf *rc, const char *text, size_t len);

/* Reads and parses the file at `path` (NULL: /etc/resolv.conf).  A missing file gives
 * the defaults, as in glibc.  Errors: EINVAL for a file that exists but cannot be
 * read (errno tells) or is longer than 64 KiB. */
int owndns_resolv_conf_load(owndns_resolv_conf *rc, const char *path);

/* ---- Query transaction (I/O-free) ---------------------------------------------- */

/* Query flags. */
#define OWNDNS_QUERY_RD 0x01u           /* recursion desired */
#define OWNDNS_QUERY_CD 0x02u           /* checking disabled */
#define OWNDNS_QUERY_DO 0x04u           /* DNSSEC OK (needs EDNS) */
#define OWNDNS_QUERY_EDNS 0x08u         /* send an OPT record */
#define OWNDNS_QUERY_COOKIE 0x10u       /* send a client cookie (needs EDNS) */
#define OWNDNS_QUERY_NSID 0x20u         /* ask for the NSID (needs EDNS) */
#define OWNDNS_QUERY_TCP 0x40u          /* TCP only */
#define OWNDNS_QUERY_NO_EDNS_RETRY 0x80u /* no retry without EDNS after FORMERR */
#define OWNDNS_QUERY_AD 0x100u          /* authentic data wanted (RFC 6840 §5.7) */
#define OWNDNS_QUERY_NO_TCP_RETRY 0x200u /* take a TC=1 answer as it is (dig +ignore) */
/* A TC=1 answer over TCP is that server failing (as Unbound takes it): the next server
 * is tried.  When no other server answers, the result is that answer (status as its
 * rcode gives, TC still set).  Without this flag it is final at once, as there is
 * nothing larger than TCP to fall back to. */
#define OWNDNS_QUERY_TCP_TC_FAILS 0x400u
#define OWNDNS_QUERY_DEFAULT (OWNDNS_QUERY_RD | OWNDNS_QUERY_EDNS)

/* RFC 9715 / DNS flag day 2020: 1232 avoids IP fragmentation. */
#define OWNDNS_EDNS_UDP_DEFAULT 1232
#define OWNDNS_CLIENT_MAX_SERVERS 8

typedef struct owndns_txn_params {
	const uint8_t *qname;  /* wire name, copied */
	uint16_t qtype;
	uint16_t qclass;
	const owndns_server_addr *servers; /* copied; 1..OWNDNS_CLIENT_MAX_SERVERS */
	unsigned server_count;
	unsigned first_server; /* where the round robin starts */
	uint32_t timeout_ms;   /* per try */
	unsigned tries;        /* rounds over all servers */
	uint32_t deadline_ms;  /* overall limit from the start; 0: only tries*servers tries */
	/* Time-out of the first try to servers[i], copied (1..timeout_ms, larger ones are
	 * taken as timeout_ms; 0 is EINVAL); NULL: every try waits timeout_ms.  When set,
	 * each further UDP try to the same server waits twice as long as the one before it
	 * (exponential back-off, as RFC 6298 §5.5 and Unbound do), cut only by the deadline
	 * (without one: at most timeout_ms), and the last try waits until the deadline: only
	 * the try sent last may answer (new_id), so a server slower than timeout_ms needs a
	 * try that long.  A TCP try waits timeout_ms (or the UDP try's time, if longer). */
	const uint32_t *first_timeout_ms;
	unsigned flags;        /* OWNDNS_QUERY_* */
	uint16_t udp_size;     /* EDNS payload size; 0: OWNDNS_EDNS_UDP_DEFAULT */
	uint16_t id;           /* random, from the driver */
	uint8_t cookie[8];     /* random client cookie, used with OWNDNS_QUERY_COOKIE */
	/* Fresh ID per try.  When set, every packet after the first (a retry after a
	 * timeout, the next server, TCP after TC=1, the retry without EDNS) gets a new ID
	 * from new_id(new_id_arg, &id), and only an answer to the packet sent last is
	 * taken, as dig does: a late answer to an earlier try carries an ID that is no
	 * longer valid and is dropped (counted in mismatched_id, or by the driver that
	 * closed that try's socket).  Keeping earlier tries open would multiply the
	 * (ID, port) pairs a spoofer may hit by the number of tries.  A non-zero return
	 * ends the transaction with that status.  When NULL, every try reuses `id` and an
	 * answer from any server asked before still counts. */
	int (*new_id)(void *new_id_arg, uint16_t *id);
	void *new_id_arg;
	/* CLIENT-SUBNET to send (RFC 7871 §6; needs EDNS, which it turns on), copied;
	 * NULL: none.  Invalid ones make owndns_txn_new fail with EINVAL. */
	const owndns_edns_ecs *client_subnet;
} owndns_txn_params;

/* Responses dropped, by reason, and work done. */
typedef struct owndns_txn_counters {
	unsigned wrong_source;        /* UDP from an address/port we did not ask */
	unsigned mismatched_id;       /* ID differs, or not a response (QR=0) */
	unsigned mismatched_question; /* question section differs (or missing) */
	unsigned malformed;           /* right source and ID, but not a valid message; or
				       * from the right source and shorter than a header */
	unsigned bad_cookie;          /* COOKIE whose client part is not ours (RFC 7873 §5.3) */
	unsigned udp_sent;
	unsigned tcp_started;
} owndns_txn_counters;

/* A try that ended at once on an error the network reported: connection refused (ICMP
 * port unreachable over UDP, a reset on connect over TCP), host or network unreachable,
 * or a send that failed. */
typedef struct owndns_try_error {
	unsigned server;           /* index in the transaction's servers */
	owndns_server_addr addr;   /* that server */
	int error;                 /* errno: ECONNREFUSED, EHOSTUNREACH, ENETUNREACH … */
	bool tcp;
} owndns_try_error;

/* Try errors kept in a result, in order; later ones are only counted. */
#define OWNDNS_TRY_ERRORS_MAX 16

typedef struct owndns_txn_result {
	int status;             /* OWNDNS_OK: a final answer (NOERROR, NXDOMAIN or another
				 * rcode that another server would not change); else ETIMEOUT,
				 * ESERVFAIL, EREFUSED, ENOTIMP, EFORMERR, EMALFORMED; or, when
				 * no answer came and the last try ended on an error of the
				 * network, ECONNREFUSED, EUNREACHABLE or ESOCKET (another errno;
				 * try_errors tells which) */
	const uint8_t *packet;  /* the final answer, or for ESERVFAIL… the last such answer;
				 * NULL when none.  Owned by the transaction. */
	size_t len;
	unsigned server;        /* index of the server that sent `packet` */
	uint32_t rtt_ms;        /* from the (last) send to that server to the answer */
	bool tcp;               /* `packet` came over TCP */
	unsigned rcode;         /* 12-bit RCODE of `packet` */
	uint64_t done_at_ms;
	owndns_txn_counters counters;
	unsigned try_error_count;  /* tries that ended on an error, all of them */
	owndns_try_error try_errors[OWNDNS_TRY_ERRORS_MAX]; /* the first of them */
	uint32_t timed_out;        /* bit per server: a try to it ran out of time */
} owndns_txn_result;

typedef enum owndns_txn_action_kind {
	OWNDNS_TXN_WAIT = 0,   /* nothing to do until an event or wake_at_ms */
	OWNDNS_TXN_SEND_UDP,   /* send data[0..len) as one datagram to servers[server] */
	OWNDNS_TXN_SEND_TCP,   /* open a TCP connection to servers[server] (closing any other)
				* and write data[0..len), which holds the 2-octet length */
	OWNDNS_TXN_CLOSE_TCP,  /* close the TCP connection */
	OWNDNS_TXN_DONE        /* finished: see owndns_txn_get_result */
} owndns_txn_action_kind;

typedef struct owndns_txn_action {
	owndns_txn_action_kind kind;
	unsigned server;
	const uint8_t *data;  /* valid until the next call into the transaction */
	size_t len;
	uint64_t wake_at_ms;  /* WAIT: when to call owndns_txn_on_timer */
} owndns_txn_action;

typedef struct owndns_txn owndns_txn;

/* Builds the query and plans the first send.  Free with owndns_txn_free.
 * Errors: EINVAL (no server, too many, tries or timeout 0, bad qname), ENOMEM,
 * errors of the message writer. */
int owndns_txn_new(const owndns_txn_params *p, uint64_t now_ms, owndns_txn **out);
void owndns_txn_free(owndns_txn *t);

/* Takes the next action.  Call until it gives WAIT or DONE, after owndns_txn_new and
 * after every event. */
void owndns_txn_next_action(owndns_txn *t, owndns_txn_action *a);

/* Events.  `now_ms` is the current time of the caller's clock. */
void owndns_txn_on_udp(owndns_txn *t, uint64_t now_ms, const owndns_server_addr *from,
		       const uint8_t *pkt, size_t len);
void owndns_txn_on_tcp_data(owndns_txn *t, uint64_t now_ms, const uint8_t *data, size_t len);
/* The connection closed, failed to connect or broke (error: an errno value or 0).
 * ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EHOSTDOWN and ENETDOWN are kept as a try
 * error (owndns_try_error); the others (a reset, a close) are the server failing. */
void owndns_txn_on_tcp_closed(owndns_txn *t, uint64_t now_ms, int error);
/* A datagram to the current server could not be sent, or the network reported an error
 * for it (ECONNREFUSED from an ICMP port unreachable, EHOSTUNREACH …, read from the
 * connected socket): the try ends at once, as a time-out would, and the error is kept.
 * error 0 (unknown) only ends the try. */
void owndns_txn_on_send_failed(owndns_txn *t, uint64_t now_ms, int error);
/* Time has passed; harmless to call early or often. */
void owndns_txn_on_timer(owndns_txn *t, uint64_t now_ms);

bool owndns_txn_done(const owndns_txn *t);
/* The outcome; status is meaningful once done.  Points into the transaction. */
const owndns_txn_result *owndns_txn_get_result(const owndns_txn *t);
/* The query as sent last (without TCP length), for printing. */
const uint8_t *owndns_txn_query(const owndns_txn *t, size_t *len);

/* ---- Client options ------------------------------------------------------------ */

typedef struct owndns_client_options {
	owndns_server_addr servers[OWNDNS_CLIENT_MAX_SERVERS];
	unsigned server_count; /* 0: the nameservers of /etc/resolv.conf, when starting */
	uint32_t timeout_ms;   /* per try; default 5000 */
	unsigned tries;        /* rounds over the servers; default 2 */
	uint32_t deadline_ms;  /* overall limit; 0: none beyond the tries */
	unsigned flags;        /* OWNDNS_QUERY_*; default OWNDNS_QUERY_DEFAULT */
	uint16_t udp_size;     /* default OWNDNS_EDNS_UDP_DEFAULT */
	bool rotate;           /* start at a random server */
	unsigned ndots;        /* search rules of owndns_gethostbyname */
	uint8_t search[OWNDNS_RESOLV_MAX_SEARCH][OWNDNS_NAME_MAX];
	unsigned search_count;
	bool has_client_subnet;        /* send client_subnet (dig +subnet) */
	owndns_edns_ecs client_subnet;
} owndns_client_options;

/* Library defaults: no server (resolv.conf's at start), 5 s x 2 tries, RD + EDNS 1232,
 * ndots 1, no search list. */
void owndns_client_options_init(owndns_client_options *o);

/* Takes servers (replacing any), timeout, attempts, ndots, search list, rotate, use-vc
 * and edns0 from a parsed resolv.conf. */
void owndns_client_options_from_resolv_conf(owndns_client_options *o,
					    const owndns_resolv_conf *rc);

/* Loads `path` (NULL: /etc/resolv.conf) and applies it as above.  Errors: those of
 * owndns_resolv_conf_load. */
int owndns_client_options_load_resolv_conf(owndns_client_options *o, const char *path);

/* Appends a server given as text (owndns_server_addr_from_text, port 53 by default).
 * Errors: EBADSERVER, ESPACE (OWNDNS_CLIENT_MAX_SERVERS reached). */
int owndns_client_options_add_server(owndns_client_options *o, const char *text);

/* ---- Async: one query ------------------------------------------------------------ */

/* A transaction and its sockets: for each try a new UDP socket (the previous try's is
 * closed), bound to an ephemeral port the kernel picks at random and connected to the
 * server, so that an ICMP error (port unreachable: connection refused) ends the try at
 * once instead of at its time-out.  The kernel then drops datagrams from any other
 * source; the source of what arrives is still checked.  At most one non-blocking TCP
 * connection.  Each try also has a new random ID
 * (owndns_txn_params.new_id), so a retry looks like a new query, as dig's do. */
typedef struct owndns_query owndns_query;

/* Most fds a query (OWNDNS_QUERY_MAX_FDS) or a host lookup (OWNDNS_HOST_MAX_FDS) asks
 * to watch at once. */
#define OWNDNS_QUERY_MAX_FDS 3
#define OWNDNS_HOST_MAX_FDS (2 * OWNDNS_QUERY_MAX_FDS)

/* Starts a query for qname (wire form) and sends the first packet.  With no server in
 * `o`, /etc/resolv.conf gives them.  Errors: ENOSERVER, ESOCKET, ENOMEM, EINVAL. */
int owndns_query_start(const owndns_client_options *o, const uint8_t *qname, uint16_t qtype,
		       uint16_t qclass, uint64_t now_ms, owndns_query **out);

/* Fills fds[0..n) (fd, events; revents zeroed) with what to watch and returns n, and
 * sets *wake_at_ms to the time by which owndns_query_process must be called (UINT64_MAX
 * when done).  Errors: ESPACE when cap < OWNDNS_QUERY_MAX_FDS. */
int owndns_query_fds(const owndns_query *q, struct pollfd *fds, size_t cap,
		     uint64_t *wake_at_ms);

/* Handles the ready fds among fds[0..n) (those not this query's are ignored, so one
 * array may serve several queries) and the time `now_ms`. */
void owndns_query_process(owndns_query *q, uint64_t now_ms, const struct pollfd *fds,
			  size_t n);

bool owndns_query_done(const owndns_query *q);
/* The transaction's outcome (see owndns_txn_result); valid until owndns_query_free. */
const owndns_txn_result *owndns_query_result(const owndns_query *q);
/* The server the query asked as servers[result->server]. */
const owndns_server_addr *owndns_query_server(const owndns_query *q, unsigned index);
/* Closes the sockets and frees everything. */
void owndns_query_free(owndns_query *q);

/* Runs poll() until the query is done or `deadline_ms` (owndns_clock_ms time; 0: none)
 * passes.  Errors: ETIMEOUT at the deadline, ESOCKET when poll fails. */
int owndns_query_wait(owndns_query *q, uint64_t deadline_ms);

/* ---- Blocking: one full response --------------------------------------------- */

typedef struct owndns_response {
	uint8_t *packet;        /* malloc'd; free with owndns_response_free */
	size_t len;
	owndns_msg msg;         /* opened over packet */
	owndns_server_addr server;
	uint32_t rtt_ms;
	bool tcp;
	owndns_txn_counters counters;
	unsigned try_error_count;  /* as in owndns_txn_result, also on failure */
	owndns_try_error try_errors[OWNDNS_TRY_ERRORS_MAX];
} owndns_response;

/* Asks `name` (presentation form, always taken as absolute: no search list) of type
 * and class, and waits.  OWNDNS_OK for any final answer, NXDOMAIN included (look at
 * the rcode).  On ESERVFAIL, EREFUSED, ENOTIMP, EFORMERR, *resp also holds that last
 * answer; otherwise resp->packet is NULL.  Call owndns_response_free in every case.
 * Errors: name errors, ETIMEOUT, ECONNREFUSED, EUNREACHABLE, ENOSERVER, ESOCKET,
 * ENOMEM, EMALFORMED. */
int owndns_resolve(const owndns_client_options *o, const char *name, uint16_t qtype,
		   uint16_t qclass, owndns_response *resp);
void owndns_response_free(owndns_response *resp);

/* ---- Host addresses ----------------------------------------------------------- */

typedef struct owndns_host_addr {
	int family;       /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* 4 octets for AF_INET */
} owndns_host_addr;

#define OWNDNS_HOST_ADDR_MAX 32
/* Longest CNAME chain followed inside one answer. */
#define OWNDNS_CNAME_CHAIN_MAX 16

typedef struct owndns_host_result {
	unsigned count;  /* IPv6 addresses after IPv4 ones, in answer order; extra dropped */
	owndns_host_addr addrs[OWNDNS_HOST_ADDR_MAX];
	uint8_t canonical[OWNDNS_NAME_MAX]; /* wire name at the end of the CNAME chain */
} owndns_host_result;

/* Appends to `res` the addresses (A for qtype 1, AAAA for 28) of answer `m` for qname,
 * following CNAMEs inside the answer section (owners compared case-insensitively, at
 * most OWNDNS_CNAME_CHAIN_MAX), and sets res->canonical.  Returns the number appended,
 * or ENXDOMAIN (rcode NXDOMAIN), ENODATA (no such record), ECNAME (chain too long). */
int owndns_answer_addresses(const owndns_msg *m, const uint8_t *qname, uint16_t qtype,
			    owndns_host_result *res);

typedef struct owndns_host owndns_host;

/* Starts looking up `name` (presentation form) for `family` (AF_INET: A, AF_INET6:
 * AAAA, AF_UNSPEC: both at once).  A name without a trailing dot goes through the
 * search list as glibc does: with fewer than ndots dots the search domains come first,
 * then the name as is; otherwise the other way round.  A candidate answering NXDOMAIN
 * or NODATA moves on to the next; any other failure stops.
 * Errors: name errors, EINVAL, and those of owndns_query_start. */
int owndns_host_start(const owndns_client_options *o, const char *name, int family,
		      uint64_t now_ms, owndns_host **out);
int owndns_host_fds(const owndns_host *h, struct pollfd *fds, size_t cap, uint64_t *wake_at_ms);
void owndns_host_process(owndns_host *h, uint64_t now_ms, const struct pollfd *fds, size_t n);
bool owndns_host_done(const owndns_host *h);
/* OWNDNS_OK with at least one address, or ENXDOMAIN, ENODATA, ETIMEOUT, ECONNREFUSED,
 * ESERVFAIL …
 * `res` may be NULL. */
int owndns_host_result_get(const owndns_host *h, owndns_host_result *res);
void owndns_host_free(owndns_host *h);

/* Blocking lookup with poll(): start, wait, result.  Errors: as owndns_host_result_get
 * and owndns_host_start. */
int owndns_gethostbyname(const owndns_client_options *o, const char *name, int family,
			 owndns_host_result *res);

#ifdef __cplusplus
}
#endif
#endif
