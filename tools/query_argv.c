/* Stopgap so that dig's habits reach `owndns query` through main.c's option parser,
 * which accepts only key=value arguments.  Before main() runs, every argument of
 * `owndns query` that is not key=value with a query key (and not --help/-h) is
 * rewritten in argv as "arg=<argument>", which the query table accepts as a repeatable
 * key that keeps the order.  "@127.0.0.1 -p 5353 +short example.com MX" thus becomes
 * arg=@127.0.0.1 arg=-p arg=5353 ..., read back in order by query_args.c.
 *
 * Why a constructor: main.c (not ours to change) parses options before a subcommand
 * sees argv.  The clean fix is a hook in struct subcommand, e.g.
 *     bool (*is_raw_arg)(const char *arg);  // main wraps such args as "arg=..."
 * after which this file goes away.  glibc passes (argc, argv, envp) to constructors;
 * other C libraries do not, so there the rewrite is skipped and `arg=` must be written
 * by hand.  The rewritten strings live until exit, as argv does. */
#include <stdlib.h>
#include <string.h>

#include "query_args.h"

#if defined(__GLIBC__)

static bool is_help_flag(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

static char *wrap_arg(const char *arg)
{
	static const char prefix[] = QUERY_ARG_KEY "=";
	size_t len = strlen(arg);
	char *wrapped = malloc(sizeof(prefix) + len);
	if (!wrapped)
		return NULL;
	memcpy(wrapped, prefix, sizeof(prefix) - 1);
	memcpy(wrapped + sizeof(prefix) - 1, arg, len + 1);
	return wrapped;
}

__attribute__((constructor)) static void query_wrap_dig_args(int argc, char **argv, char **envp)
{
	(void)envp;
	if (argc < 3 || !argv || !argv[1] || strcmp(argv[1], "query") != 0)
		return;
	for (int i = 2; i < argc; i++) {
		if (!argv[i] || is_help_flag(argv[i]) || query_arg_is_key_value(argv[i]))
			continue;
		char *wrapped = wrap_arg(argv[i]);
		if (wrapped)
			argv[i] = wrapped; /* else the parser reports the argument as it was */
	}
}

#endif
