/* Zone files: a streaming reader of the RFC 1035 §5 master-file format.
 * It reads a file (and the files it $INCLUDEs) and hands each RR to a callback, with
 * the file name and the line the entry starts on.  Problems are reported as messages
 * "what is wrong" with a severity, a file and a line; the reader keeps going after an
 * error (skipping the bad entry) until cfg->max_errors errors, then stops.  It keeps
 * no state outside the call and builds no zone: see server/auth/zone.h for that.
 *
 * Supported: $ORIGIN, $TTL, $INCLUDE file [origin] (relative to the including file,
 * depth-limited, loops refused), BIND's $GENERATE, "@", relative names, an omitted
 * owner (entry starting with a blank), omitted TTL and class, TTL and class in either
 * order, parentheses, comments, quoted strings, RFC 3597 \# RDATA, TYPEnnn/CLASSnnn.
 *
 * Omitted TTL (RFC 2308 §4, as BIND): the last $TTL; without $TTL, the last explicit
 * TTL (warned once per parse); for an SOA with neither, its MINIMUM field (warned),
 * which then counts as the last TTL; otherwise an error.
 * Omitted class: the previous record's, else cfg->rclass (IN when 0).
 * $INCLUDE: the origin and the previous owner are restored when the included file
 * ends; $TTL and the last TTL/class carry over (one stream of records). */
#ifndef OWNDNS_ZONE_PARSE_H
#define OWNDNS_ZONE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <owndns/error.h>
#include <owndns/rr.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum owndns_zone_severity {
	OWNDNS_ZONE_ERROR = 0,   /* the zone is not usable */
	OWNDNS_ZONE_WARNING = 1, /* accepted, but probably not what was meant */
	OWNDNS_ZONE_NOTE = 2,    /* accepted and harmless (a duplicate RR merged) */
} owndns_zone_severity;

/* One RR read from `file` at `line` (the entry's first line).  The RR and its memory
 * are valid only during the call.  Return OWNDNS_OK to go on; a negative status stops
 * the parse and is returned by owndns_zone_parse_* (use it for ENOMEM). */
typedef int (*owndns_zone_rr_fn)(void *ctx, const owndns_rr *rr, const char *file,
				 unsigned line);

/* One problem.  `line` is 0 when it concerns a whole file (cannot open it, ...).
 * `message` is one line without the file:line prefix and without a newline. */
typedef void (*owndns_zone_report_fn)(void *ctx, owndns_zone_severity severity,
				      const char *file, unsigned line, const char *message);

typedef struct owndns_zone_parse_config {
	const uint8_t *origin;      /* initial origin (wire name); NULL: none until $ORIGIN */
	uint16_t rclass;            /* class of records that omit it first; 0 means IN */
	unsigned max_errors;        /* stop after this many errors; 0 means 100 */
	unsigned max_include_depth; /* nesting of $INCLUDE; 0 means 16 */
	uint32_t max_generate;      /* records one $GENERATE may make; 0 means 1048576 */
	size_t max_file_size;       /* octets per file; 0 means 2 GiB */
	owndns_zone_rr_fn on_rr;    /* required */
	owndns_zone_report_fn on_report; /* may be NULL: problems are only counted */
	void *ctx;                  /* passed to both callbacks */
} owndns_zone_parse_config;

/* What one parse saw. */
typedef struct owndns_zone_parse_result {
	unsigned long records;  /* RRs handed to on_rr */
	unsigned errors;
	unsigned warnings;
} owndns_zone_parse_result;

/* Reads the zone file at `path`.  Returns OWNDNS_OK when no error was reported,
 * OWNDNS_ESYNTAX when at least one was (the messages went to on_report), OWNDNS_ENOMEM,
 * or the status on_rr stopped with.  `result` (may be NULL) is filled in any case. */
int owndns_zone_parse_file(const char *path, const owndns_zone_parse_config *cfg,
			   owndns_zone_parse_result *result);

/* The same for zone text in memory; `name` is used in messages and as the base for
 * relative $INCLUDE paths (its directory). */
int owndns_zone_parse_text(const char *name, const char *text, size_t len,
			   const owndns_zone_parse_config *cfg, owndns_zone_parse_result *result);

#ifdef __cplusplus
}
#endif
#endif
