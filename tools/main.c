/* owndns: one binary, one subcommand per job (DESIGN.md).  Finds the subcommand,
 * answers --version and --help, parses the key=value options against the
 * subcommand's table and runs it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "subcommand.h"

#ifndef OWNDNS_VERSION
#define OWNDNS_VERSION "unknown"
#endif

static const subcommand *const subcommands[] = {
	&subcommand_query,
	&subcommand_lookup,
	&subcommand_serve,
	&subcommand_check_zone,
	&subcommand_rr,
};

#define SUBCOMMAND_COUNT (sizeof(subcommands) / sizeof(subcommands[0]))

static void print_usage(FILE *out)
{
	fprintf(out, "usage: owndns SUBCOMMAND [key=value ...]\n"
		     "       owndns SUBCOMMAND --help\n"
		     "       owndns --version\n\n"
		     "subcommands:\n");
	for (size_t i = 0; i < SUBCOMMAND_COUNT; i++)
		fprintf(out, "  %-12s %s\n", subcommands[i]->name, subcommands[i]->summary);
	fprintf(out, "\nEvery setting is a key=value pair; config=FILE reads more pairs from a "
		     "file,\none per line, and pairs on the command line replace the file's.\n");
}

static void print_subcommand_help(const subcommand *cmd, FILE *out)
{
	fprintf(out, "usage: owndns %s [key=value ...]\n\n%s\n\nkeys:\n", cmd->name,
		cmd->description);
	options_print_help(cmd->keys, out);
}

static const subcommand *find_subcommand(const char *name)
{
	for (size_t i = 0; i < SUBCOMMAND_COUNT; i++)
		if (strcmp(subcommands[i]->name, name) == 0)
			return subcommands[i];
	return NULL;
}

static bool is_help_flag(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

static bool asks_for_help(int argc, char *const argv[])
{
	for (int i = 0; i < argc; i++)
		if (is_help_flag(argv[i]))
			return true;
	return false;
}

static char *join_key_value(const char *key, const char *value)
{
	size_t key_len = strlen(key), value_len = strlen(value);
	char *kv = malloc(key_len + 1 + value_len + 1);
	if (!kv)
		return NULL;
	memcpy(kv, key, key_len);
	kv[key_len] = '=';
	memcpy(kv + key_len + 1, value, value_len + 1);
	return kv;
}

static void free_args(char **args, int count)
{
	for (int i = 0; i < count; i++)
		free(args[i]);
	free(args);
}

static bool key_is_repeatable(const option_spec *table, const char *key)
{
	for (const option_spec *s = table; s->name; s++)
		if (strcmp(s->name, key) == 0)
			return s->repeatable;
	return false;
}

/* Copies the arguments, turning each one that is not key=value into KEY=argument with
 * the subcommand's next positional key (the last one, when repeatable, takes all the
 * rest).  Arguments beyond the positional keys are left as they are, so the option
 * parser reports them.  Returns NULL (message in err) when out of memory. */
static char **expand_positional(const subcommand *cmd, int argc, char *const argv[], char *err,
				size_t err_size)
{
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	size_t next = 0;
	for (int i = 0; i < argc; i++) {
		const char *key = NULL;
		if (cmd->positional && cmd->positional[next] &&
		    !options_is_key_value(cmd->keys, argv[i])) {
			key = cmd->positional[next];
			if (cmd->positional[next + 1] || !key_is_repeatable(cmd->keys, key))
				next++;
		}
		args[i] = key ? join_key_value(key, argv[i]) : strdup(argv[i]);
		if (!args[i]) {
			snprintf(err, err_size, "out of memory");
			free_args(args, argc);
			return NULL;
		}
	}
	return args;
}

int main(int argc, char *argv[])
{
	if (argc < 2) {
		print_usage(stderr);
		return 1;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("owndns %s\n", OWNDNS_VERSION);
		return 0;
	}
	if (is_help_flag(argv[1]) || strcmp(argv[1], "help") == 0) {
		print_usage(stdout);
		return 0;
	}

	const subcommand *cmd = find_subcommand(argv[1]);
	if (!cmd) {
		fprintf(stderr, "owndns: unknown subcommand '%s' (owndns --help lists them)\n",
			argv[1]);
		return 1;
	}
	if (asks_for_help(argc - 2, argv + 2)) {
		print_subcommand_help(cmd, stdout);
		return 0;
	}

	char err[2048];
	char **args = expand_positional(cmd, argc - 2, argv + 2, err, sizeof(err));
	options *opts = args ? options_parse(cmd->keys, argc - 2, args, err, sizeof(err)) : NULL;
	if (args)
		free_args(args, argc - 2);
	if (!opts) {
		fprintf(stderr, "owndns %s: %s\n", cmd->name, err);
		return 1;
	}
	int status = cmd->run(opts);
	options_free(opts);
	return status;
}
