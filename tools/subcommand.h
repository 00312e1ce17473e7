/* One owndns subcommand: its name, a one-line summary, its table of keys and the
 * function that runs it on options already parsed and validated against that table.
 * main.c keeps the list; each subcommand lives in its own file (tools/<name>.c). */
#ifndef OWNDNS_TOOLS_SUBCOMMAND_H
#define OWNDNS_TOOLS_SUBCOMMAND_H

#include "options.h"

typedef struct subcommand {
	const char *name;
	const char *summary;     /* one line for `owndns --help` */
	const char *description; /* a few lines for `owndns NAME --help` */
	const option_spec *keys;
	/* Returns the process exit status. */
	int (*run)(const options *opts);
	/* Keys that arguments other than key=value fill, in order ("check-zone ORIGIN
	 * FILE"); the last key takes all remaining ones when it is repeatable.  NULL-ended;
	 * NULL when the subcommand takes only key=value. */
	const char *const *positional;
} subcommand;

extern const subcommand subcommand_rr;
extern const subcommand subcommand_query;
extern const subcommand subcommand_lookup;
extern const subcommand subcommand_serve;
extern const subcommand subcommand_check_zone;

#endif
