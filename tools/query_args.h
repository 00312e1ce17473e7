/* owndns query: what to ask, from the key=value options and dig-style arguments.
 * A plan is a list of questions; each carries its own settings, copied from the global
 * ones when its name appears (dig's semantics: options before the first name are
 * global, options after a name belong to that question).  Owns: the plan's memory.
 * Does no I/O. */
#ifndef OWNDNS_TOOLS_QUERY_ARGS_H
#define OWNDNS_TOOLS_QUERY_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <owndns/client.h>
#include <owndns/name.h>

#include "options.h"

/* Longest server text kept ("[v6%zone]:port" fits). */
#define QUERY_SERVER_TEXT_MAX 96

typedef struct query_settings {
	char servers[OWNDNS_CLIENT_MAX_SERVERS][QUERY_SERVER_TEXT_MAX];
	unsigned server_count; /* 0: the nameservers of /etc/resolv.conf */
	int port;              /* -1: the servers' own (53 unless given) */
	int family;            /* AF_UNSPEC, or AF_INET / AF_INET6 for -4 / -6 */
	unsigned timeout_s;    /* per try */
	unsigned tries;
	unsigned bufsize;      /* EDNS UDP payload size */
	bool tcp, dnssec, recurse, cd, edns, nsid, cookie;
	bool adflag;           /* AD in the query (dig's default) */
	bool ignore_tc;        /* +ignore: take a TC=1 answer, no TCP retry */
	bool subnet;           /* +subnet=ADDR[/LEN]: send subnet_opt */
	owndns_edns_ecs subnet_opt;
	bool short_form, json;
	/* dig's display toggles: +[no]cmd (one for the whole run), +[no]comments,
	 * +[no]question ... +[no]stats, +[no]all for all of them; +[no]ttlid, +[no]cl,
	 * +[no]ttlunits for the columns of each record. */
	bool show_cmd, show_comments, show_question, show_answer, show_authority;
	bool show_additional, show_stats;
	bool show_ttl, show_class, ttl_units;
} query_settings;

typedef struct query_question {
	char name[OWNDNS_NAME_TEXT_MAX];
	uint16_t type, rclass;
	query_settings settings;
} query_question;

typedef struct query_plan {
	query_settings global;
	uint16_t global_type, global_class;
	bool global_type_given;
	query_question *questions;
	size_t count, cap;
} query_plan;

/* Fills the global settings from the parsed keys (domain= becomes the first question).
 * Returns 0, or -1 with one line in err. */
int query_plan_init(query_plan *p, const options *opts, char *err, size_t err_size);

/* Applies dig-style arguments in order: @server, -p/-t/-c/-x/-q/-4/-6, +[no]option[=v],
 * type and class words, names.  Returns 0, or -1 with one line in err (usage error). */
int query_plan_add_args(query_plan *p, const char *const *args, size_t n, char *err,
			size_t err_size);

/* Adds the default question ". NS" (or the given type) when there is none; -1 on
 * out of memory. */
int query_plan_finish(query_plan *p, char *err, size_t err_size);

void query_plan_free(query_plan *p);

/* The reverse-lookup name of an IPv4 or IPv6 address ("4.3.2.1.in-addr.arpa.", nibbles
 * under ip6.arpa.).  Returns 0, or -1 for text that is not an address. */
int query_reverse_name(const char *addr, char *out, size_t size);


/* The key that carries one dig-style argument through the option parser ("arg"). */
#define QUERY_ARG_KEY "arg"

#endif
