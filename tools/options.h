/* key=value options for every owndns subcommand (DESIGN.md "Configuration").
 * Each subcommand describes its keys in one table of option_spec; the same table
 * validates the command line and the config= file and prints --help and the reference
 * in doc/.  Rules:
 *   - one key=value per argument; in a config= file one per line, '#' comments;
 *   - repeatable keys accumulate within one source; a key given on the command line
 *     replaces all of that key's values from the file;
 *   - a non-repeatable key given twice in one source, an unknown key or a bad value is
 *     an error naming the key, the value and where it came from (file:line or
 *     "command line").
 * Values are validated when read, so the getters below cannot fail on a key of the
 * table.  Owns: the copies of values it keeps; touches no global state. */
#ifndef OWNDNS_TOOLS_OPTIONS_H
#define OWNDNS_TOOLS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

enum option_type {
	OPTION_STRING, /* any text, empty included */
	OPTION_PATH,   /* a file name: any non-empty text */
	OPTION_INT,    /* decimal integer within [min, max] */
	OPTION_BOOL,   /* yes/no, true/false, on/off, 1/0 (any case) */
	OPTION_SIZE,   /* octets, with optional k/m/g suffix (powers of 1024) */
	OPTION_ADDR,   /* IPv4 or IPv6 address, optional @port */
	OPTION_NAME,   /* domain name in presentation form */
	OPTION_TTL,    /* seconds or BIND units (1h30m) */
	OPTION_CHOICE, /* one of the words in `choices` ("text|wire") */
};

typedef struct option_spec {
	const char *name;
	enum option_type type;
	/* Text of the default value, NULL for none.  For a repeatable key, a
	 * space-separated list of default values. */
	const char *def;
	bool repeatable;
	const char *help;     /* one line */
	const char *choices;  /* OPTION_CHOICE: "a|b|c" */
	long long min, max;   /* OPTION_INT: inclusive range */
} option_spec;

/* A table ends with an entry whose name is NULL. */
#define OPTION_SPEC_END { NULL, OPTION_STRING, NULL, false, NULL, NULL, 0, 0 }

/* The key every subcommand understands: a file of key=value lines. */
#define OPTION_CONFIG_KEY "config"

typedef struct options options;

/* Parses argv[0..argc) (key=value arguments; config=FILE loads that file first) against
 * `table`.  Returns the parsed set (free with options_free) or NULL after writing one
 * line of error to `err` (err_size octets).  Out of memory is reported the same way. */
options *options_parse(const option_spec *table, int argc, char *const argv[], char *err,
		       size_t err_size);
void options_free(options *o);

/* Number of values of `key` (defaults included; 0 when unset without a default). */
size_t options_count(const options *o, const char *key);
/* The i-th value's text, or NULL when i >= options_count. */
const char *options_get_nth(const options *o, const char *key, size_t i);
/* The value of a non-repeatable key (the first one of a repeatable key), or NULL. */
const char *options_get(const options *o, const char *key);
/* Where the i-th value came from: "command line", "FILE:LINE" or "default", written
 * to buf (always NUL-terminated); returns buf. */
const char *options_where(const options *o, const char *key, size_t i, char *buf,
			  size_t size);

/* Typed getters for keys of that type; a key with no value gives `fallback`. */
long long options_get_int(const options *o, const char *key, long long fallback);
bool options_get_bool(const options *o, const char *key, bool fallback);
uint64_t options_get_size(const options *o, const char *key, uint64_t fallback);
uint32_t options_get_ttl(const options *o, const char *key, uint32_t fallback);

/* Value parsers, shared by the getters and usable on their own.  Each returns 0 on
 * success and -1 on bad text. */
int options_parse_int(const char *text, long long min, long long max, long long *out);
int options_parse_bool(const char *text, bool *out);
int options_parse_size(const char *text, uint64_t *out);
/* "192.0.2.1", "192.0.2.1@5353", "::1", "::1@5353": the port is `default_port`
 * when absent.  Fills a sockaddr_in or sockaddr_in6 and its length. */
int options_parse_addr(const char *text, uint16_t default_port, struct sockaddr_storage *out,
		       socklen_t *out_len);

/* True when `arg` is "key=value" with a key of `table` (or config=): anything else is a
 * positional argument for the subcommand (see subcommand.positional). */
bool options_is_key_value(const option_spec *table, const char *arg);

/* Prints one line per key of `table`: name=TYPE, default, repeatable, help. */
void options_print_help(const option_spec *table, FILE *out);

#endif
