/* Logging to a stdio stream, filtered by level (log.h). */
#include "log.h"

#include <stdarg.h>
#include <string.h>

static const char *const level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

#define LEVEL_COUNT (sizeof(level_names) / sizeof(level_names[0]))

/* Long enough for any message we write; longer ones are cut, never overflowed. */
#define LOG_LINE_MAX 2048

int log_level_from_text(const char *text, enum log_level *out)
{
	for (size_t i = 0; i < LEVEL_COUNT; i++) {
		if (strcmp(text, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

const char *log_level_name(enum log_level level)
{
	return (size_t)level < LEVEL_COUNT ? level_names[level] : "?";
}

bool log_enabled(const server_log *log, enum log_level level)
{
	return log && log->out && level <= log->level;
}

void log_write(const server_log *log, enum log_level level, const char *fmt, ...)
{
	if (!log_enabled(log, level))
		return;
	char message[LOG_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	fprintf(log->out, "%s: %s: %s\n", log->prefix ? log->prefix : "owndns",
		log_level_name(level), message);
	fflush(log->out);
}

void log_write_plain(const server_log *log, enum log_level level, const char *line)
{
	if (!log_enabled(log, level))
		return;
	fprintf(log->out, "%s\n", line);
	fflush(log->out);
}
