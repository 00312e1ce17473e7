/* The daemon's log: one line per event, written to a stdio stream (stderr) when its
 * level is at or above the configured one.  A server_log is a small value owned by its
 * creator and passed to whoever logs; there is no global logger.  Lines look like
 *   owndns serve: info: listening on 127.0.0.1@53 (udp, tcp)
 * and are written with one stdio call each, so concurrent writers do not mix halves. */
#ifndef OWNDNS_SERVER_LOG_H
#define OWNDNS_SERVER_LOG_H

#include <stdbool.h>
#include <stdio.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* The words of log-level=, in level order (for option tables). */
#define LOG_LEVEL_CHOICES "error|warn|info|debug"

typedef struct server_log {
	enum log_level level; /* lines above this level are dropped */
	FILE *out;            /* not owned */
	const char *prefix;   /* "owndns serve"; not owned */
} server_log;

/* Parses one of LOG_LEVEL_CHOICES.  Returns 0, or -1 on other text. */
int log_level_from_text(const char *text, enum log_level *out);
const char *log_level_name(enum log_level level);

bool log_enabled(const server_log *log, enum log_level level);

/* Writes "PREFIX: LEVEL: message\n" when `level` is enabled. */
void log_write(const server_log *log, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes `line` and a newline as it is, without prefix, when `level` is enabled: for
 * "file:line: problem" messages that editors and scripts parse. */
void log_write_plain(const server_log *log, enum log_level level, const char *line);

#define log_error(log, ...) log_write((log), LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(log, ...) log_write((log), LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(log, ...) log_write((log), LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(log, ...) log_write((log), LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
