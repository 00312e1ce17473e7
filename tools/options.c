/* key=value options: parsing the command line and config= files against a subcommand's
 * table, validation by type, merging of the sources, and --help.  See options.h. */
#include "options.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <owndns/name.h>
#include <owndns/rr.h>

enum value_source { SOURCE_DEFAULT, SOURCE_FILE, SOURCE_COMMAND_LINE };

typedef struct option_value {
	char *text;
	enum value_source source;
	unsigned line; /* SOURCE_FILE: 1-based line in the config file */
} option_value;

typedef struct value_list {
	option_value *items;
	size_t count, cap;
} value_list;

struct options {
	const option_spec *table;
	size_t key_count;
	char *config_path;  /* NULL without config= */
	value_list *values; /* one list per key of the table */
};

/* Where one key=value pair is being read from, for error messages. */
typedef struct option_origin {
	enum value_source source;
	const char *file;
	unsigned line;
} option_origin;

/* ---- value parsers ---- */

static bool ascii_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char ascii_to_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

static bool ascii_equal_nocase(const char *a, const char *b)
{
	while (*a && *b && ascii_to_lower(*a) == ascii_to_lower(*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

/* Reads a run of decimal digits (at least one) without overflowing UINT64_MAX. */
static int parse_digits(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	if (!ascii_is_digit(*s))
		return -1;
	for (; ascii_is_digit(*s); s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*p = s;
	*out = v;
	return 0;
}

int options_parse_int(const char *text, long long min, long long max, long long *out)
{
	const char *p = text;
	bool negative = *p == '-';
	uint64_t magnitude;
	if (negative)
		p++;
	if (parse_digits(&p, &magnitude) || *p != '\0')
		return -1;
	long long v;
	if (negative) {
		if (magnitude > (uint64_t)LLONG_MAX + 1)
			return -1;
		v = magnitude == (uint64_t)LLONG_MAX + 1 ? LLONG_MIN : -(long long)magnitude;
	} else {
		if (magnitude > (uint64_t)LLONG_MAX)
			return -1;
		v = (long long)magnitude;
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int options_parse_bool(const char *text, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (ascii_equal_nocase(text, yes[i])) {
			*out = true;
			return 0;
		}
		if (ascii_equal_nocase(text, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

int options_parse_size(const char *text, uint64_t *out)
{
	const char *p = text;
	uint64_t v;
	if (parse_digits(&p, &v))
		return -1;
	unsigned shift = 0;
	switch (ascii_to_lower(*p)) {
	case '\0':
		break;
	case 'k':
		shift = 10;
		break;
	case 'm':
		shift = 20;
		break;
	case 'g':
		shift = 30;
		break;
	default:
		return -1;
	}
	if (shift && p[1] != '\0')
		return -1;
	if (v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

int options_parse_addr(const char *text, uint16_t default_port, struct sockaddr_storage *out,
		       socklen_t *out_len)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *at = strchr(text, '@');
	size_t host_len = at ? (size_t)(at - text) : strlen(text);
	uint16_t port = default_port;

	if (host_len == 0 || host_len >= sizeof(host))
		return -1;
	memcpy(host, text, host_len);
	host[host_len] = '\0';
	if (at) {
		long long p;
		if (options_parse_int(at + 1, 0, 65535, &p) || at[1] == '-')
			return -1;
		port = (uint16_t)p;
	}

	memset(out, 0, sizeof(*out));
	struct sockaddr_in *v4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		*out_len = sizeof(*v4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		*out_len = sizeof(*v6);
		return 0;
	}
	return -1;
}

/* ---- validation by type: one row per option_type ---- */

typedef struct option_type_info {
	const char *placeholder; /* shown in --help: listen=ADDR[@PORT] */
	const char *expected;    /* completes "bad value ...: expected " */
	bool (*valid)(const option_spec *spec, const char *text);
} option_type_info;

static bool valid_string(const option_spec *spec, const char *text)
{
	(void)spec;
	(void)text;
	return true;
}

static bool valid_path(const option_spec *spec, const char *text)
{
	(void)spec;
	return *text != '\0';
}

static bool valid_int(const option_spec *spec, const char *text)
{
	long long v;
	return options_parse_int(text, spec->min, spec->max, &v) == 0;
}

static bool valid_bool(const option_spec *spec, const char *text)
{
	bool v;
	(void)spec;
	return options_parse_bool(text, &v) == 0;
}

static bool valid_size(const option_spec *spec, const char *text)
{
	uint64_t v;
	(void)spec;
	return options_parse_size(text, &v) == 0;
}

static bool valid_addr(const option_spec *spec, const char *text)
{
	struct sockaddr_storage ss;
	socklen_t len;
	(void)spec;
	return options_parse_addr(text, 0, &ss, &len) == 0;
}

static bool valid_name(const option_spec *spec, const char *text)
{
	uint8_t wire[OWNDNS_NAME_MAX];
	size_t len;
	(void)spec;
	return *text && owndns_name_from_text(text, strlen(text), NULL, wire, &len) == 0;
}

static bool valid_ttl(const option_spec *spec, const char *text)
{
	uint32_t ttl;
	(void)spec;
	return *text && owndns_ttl_from_text(text, strlen(text), &ttl) == 0;
}

static bool valid_choice(const option_spec *spec, const char *text)
{
	size_t len = strlen(text);
	const char *c = spec->choices;
	while (c && *c) {
		size_t word = strcspn(c, "|");
		if (word == len && memcmp(c, text, len) == 0 && len)
			return true;
		c += word;
		if (*c == '|')
			c++;
	}
	return false;
}

static const option_type_info type_info[] = {
	[OPTION_STRING] = { "TEXT", "any text", valid_string },
	[OPTION_PATH] = { "FILE", "a file name", valid_path },
	[OPTION_INT] = { "N", "a decimal integer in range", valid_int },
	[OPTION_BOOL] = { "yes|no", "yes/no, true/false, on/off or 1/0", valid_bool },
	[OPTION_SIZE] = { "SIZE", "a number of octets with optional k, m or g suffix", valid_size },
	[OPTION_ADDR] = { "ADDR[@PORT]", "an IPv4 or IPv6 address with optional @port",
			  valid_addr },
	[OPTION_NAME] = { "NAME", "a domain name", valid_name },
	[OPTION_TTL] = { "TTL", "seconds or units like 1h30m", valid_ttl },
	[OPTION_CHOICE] = { NULL, "one of", valid_choice },
};

/* ---- errors ---- */

static void describe_origin(const option_origin *at, char *buf, size_t size)
{
	switch (at->source) {
	case SOURCE_FILE:
		snprintf(buf, size, "%s:%u", at->file, at->line);
		break;
	case SOURCE_COMMAND_LINE:
		snprintf(buf, size, "command line");
		break;
	case SOURCE_DEFAULT:
		snprintf(buf, size, "default");
		break;
	}
}

static void report(char *err, size_t err_size, const option_origin *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void report(char *err, size_t err_size, const option_origin *at, const char *fmt, ...)
{
	char where[512];
	char what[1024];
	va_list ap;
	describe_origin(at, where, sizeof(where));
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(err, err_size, "%s: %s", where, what);
}

static void report_bad_value(char *err, size_t err_size, const option_origin *at,
			     const option_spec *spec, const char *value)
{
	const option_type_info *info = &type_info[spec->type];
	if (spec->type == OPTION_CHOICE)
		report(err, err_size, at, "bad value '%s' for key '%s': expected one of %s", value,
		       spec->name, spec->choices);
	else if (spec->type == OPTION_INT)
		report(err, err_size, at, "bad value '%s' for key '%s': expected %s %lld..%lld",
		       value, spec->name, info->expected, spec->min, spec->max);
	else
		report(err, err_size, at, "bad value '%s' for key '%s': expected %s", value,
		       spec->name, info->expected);
}

/* ---- value lists ---- */

static int list_add(value_list *list, const char *text, size_t len, const option_origin *at)
{
	if (list->count == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 4;
		option_value *items = realloc(list->items, cap * sizeof(*items));
		if (!items)
			return -1;
		list->items = items;
		list->cap = cap;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, text, len);
	copy[len] = '\0';
	list->items[list->count++] = (option_value){ copy, at->source, at->line };
	return 0;
}

static void list_clear(value_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i].text);
	free(list->items);
	*list = (value_list){ 0 };
}

static void lists_free(value_list *lists, size_t n)
{
	if (!lists)
		return;
	for (size_t i = 0; i < n; i++)
		list_clear(&lists[i]);
	free(lists);
}

/* ---- parsing ---- */

static long find_key(const option_spec *table, const char *key, size_t key_len)
{
	for (long i = 0; table[i].name; i++)
		if (strlen(table[i].name) == key_len && memcmp(table[i].name, key, key_len) == 0)
			return i;
	return -1;
}

/* Validates one pair and adds it to `lists` (one per key).  Returns 0, or -1 with err. */
static int accept_pair(const option_spec *table, value_list *lists, const char *key,
		       size_t key_len, const char *value, const option_origin *at, char *err,
		       size_t err_size)
{
	long k = find_key(table, key, key_len);
	if (k < 0) {
		report(err, err_size, at, "unknown key '%.*s' (value '%s')", (int)key_len, key,
		       value);
		return -1;
	}
	const option_spec *spec = &table[k];
	if (!type_info[spec->type].valid(spec, value)) {
		report_bad_value(err, err_size, at, spec, value);
		return -1;
	}
	if (!spec->repeatable && lists[k].count) {
		report(err, err_size, at, "key '%s' given more than once (value '%s'); it is not repeatable",
		       spec->name, value);
		return -1;
	}
	if (list_add(&lists[k], value, strlen(value), at)) {
		report(err, err_size, at, "out of memory");
		return -1;
	}
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Cuts a config line down to "key=value" without comment and surrounding blanks.  A '#'
 * starts a comment at the line's start or after a blank, so values may contain '#'. */
static char *config_line_content(char *line)
{
	for (char *p = line; *p; p++) {
		if (*p == '#' && (p == line || is_blank(p[-1]))) {
			*p = '\0';
			break;
		}
	}
	while (is_blank(*line))
		line++;
	size_t len = strlen(line);
	while (len && is_blank(line[len - 1]))
		line[--len] = '\0';
	return line;
}

static int read_config_file(const option_spec *table, value_list *lists, const char *path,
			    char *err, size_t err_size)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, err_size, "config=%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t line_cap = 0;
	option_origin at = { SOURCE_FILE, path, 0 };
	int ret = 0;

	while (getline(&line, &line_cap, f) >= 0) {
		at.line++;
		char *content = config_line_content(line);
		if (*content == '\0')
			continue;
		char *eq = strchr(content, '=');
		if (!eq) {
			report(err, err_size, &at, "'%s' is not key=value", content);
			ret = -1;
			goto done;
		}
		char *value = eq + 1;
		while (is_blank(*value))
			value++;
		size_t key_len = (size_t)(eq - content);
		while (key_len && is_blank(content[key_len - 1]))
			key_len--;
		if (key_len == strlen(OPTION_CONFIG_KEY) &&
		    memcmp(content, OPTION_CONFIG_KEY, key_len) == 0) {
			report(err, err_size, &at, "config= is only valid on the command line (value '%s')",
			       value);
			ret = -1;
			goto done;
		}
		if (accept_pair(table, lists, content, key_len, value, &at, err, err_size)) {
			ret = -1;
			goto done;
		}
	}
	if (ferror(f)) {
		snprintf(err, err_size, "config=%s: read error: %s", path, strerror(errno));
		ret = -1;
	}
done:
	free(line);
	fclose(f);
	return ret;
}

static int read_command_line(options *o, value_list *lists, int argc, char *const argv[],
			     char *err, size_t err_size)
{
	option_origin at = { SOURCE_COMMAND_LINE, NULL, 0 };
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		const char *eq = strchr(arg, '=');
		if (!eq || eq == arg) {
			report(err, err_size, &at, "'%s' is not key=value", arg);
			return -1;
		}
		size_t key_len = (size_t)(eq - arg);
		if (key_len == strlen(OPTION_CONFIG_KEY) &&
		    memcmp(arg, OPTION_CONFIG_KEY, key_len) == 0) {
			if (o->config_path) {
				report(err, err_size, &at, "key 'config' given more than once (value '%s')",
				       eq + 1);
				return -1;
			}
			o->config_path = strdup(eq + 1);
			if (!o->config_path) {
				report(err, err_size, &at, "out of memory");
				return -1;
			}
			continue;
		}
		if (accept_pair(o->table, lists, arg, key_len, eq + 1, &at, err, err_size))
			return -1;
	}
	return 0;
}

/* Splits a repeatable key's default at spaces; a single key's default is one value. */
static int add_defaults(const option_spec *spec, value_list *list)
{
	static const option_origin at = { SOURCE_DEFAULT, NULL, 0 };
	const char *d = spec->def;
	if (!d)
		return 0;
	if (!spec->repeatable)
		return list_add(list, d, strlen(d), &at);
	while (*d) {
		size_t len = strcspn(d, " ");
		if (len && list_add(list, d, len, &at))
			return -1;
		d += len;
		d += strspn(d, " ");
	}
	return 0;
}

options *options_parse(const option_spec *table, int argc, char *const argv[], char *err,
		       size_t err_size)
{
	options *o = calloc(1, sizeof(*o));
	value_list *from_file = NULL;
	if (!o)
		goto oom;
	o->table = table;
	while (table[o->key_count].name)
		o->key_count++;
	/* calloc(0) may return NULL: keep at least one list. */
	o->values = calloc(o->key_count + 1, sizeof(*o->values));
	from_file = calloc(o->key_count + 1, sizeof(*from_file));
	if (!o->values || !from_file)
		goto oom;

	if (read_command_line(o, o->values, argc, argv, err, err_size))
		goto fail;
	if (o->config_path &&
	    read_config_file(table, from_file, o->config_path, err, err_size))
		goto fail;

	for (size_t k = 0; k < o->key_count; k++) {
		if (o->values[k].count)
			continue; /* the command line replaces the file */
		if (from_file[k].count) {
			o->values[k] = from_file[k];
			from_file[k] = (value_list){ 0 };
		} else if (add_defaults(&table[k], &o->values[k])) {
			goto oom;
		}
	}
	lists_free(from_file, o->key_count);
	return o;

oom:
	snprintf(err, err_size, "out of memory");
fail:
	if (o)
		lists_free(from_file, o->key_count);
	options_free(o);
	return NULL;
}

void options_free(options *o)
{
	if (!o)
		return;
	lists_free(o->values, o->key_count);
	free(o->config_path);
	free(o);
}

/* ---- getters ---- */

static const value_list *values_of(const options *o, const char *key)
{
	long k = find_key(o->table, key, strlen(key));
	return k < 0 ? NULL : &o->values[k];
}

size_t options_count(const options *o, const char *key)
{
	const value_list *list = values_of(o, key);
	return list ? list->count : 0;
}

const char *options_get_nth(const options *o, const char *key, size_t i)
{
	const value_list *list = values_of(o, key);
	return list && i < list->count ? list->items[i].text : NULL;
}

const char *options_get(const options *o, const char *key)
{
	return options_get_nth(o, key, 0);
}

const char *options_where(const options *o, const char *key, size_t i, char *buf,
			  size_t size)
{
	const value_list *list = values_of(o, key);
	if (!list || i >= list->count) {
		snprintf(buf, size, "unset");
		return buf;
	}
	option_origin at = { list->items[i].source, o->config_path, list->items[i].line };
	describe_origin(&at, buf, size);
	return buf;
}

long long options_get_int(const options *o, const char *key, long long fallback)
{
	const char *text = options_get(o, key);
	long long v;
	return text && options_parse_int(text, LLONG_MIN, LLONG_MAX, &v) == 0 ? v : fallback;
}

bool options_get_bool(const options *o, const char *key, bool fallback)
{
	const char *text = options_get(o, key);
	bool v;
	return text && options_parse_bool(text, &v) == 0 ? v : fallback;
}

uint64_t options_get_size(const options *o, const char *key, uint64_t fallback)
{
	const char *text = options_get(o, key);
	uint64_t v;
	return text && options_parse_size(text, &v) == 0 ? v : fallback;
}

uint32_t options_get_ttl(const options *o, const char *key, uint32_t fallback)
{
	const char *text = options_get(o, key);
	uint32_t v;
	return text && owndns_ttl_from_text(text, strlen(text), &v) == 0 ? v : fallback;
}

/* ---- help ---- */

void options_print_help(const option_spec *table, FILE *out)
{
	for (const option_spec *s = table; s->name; s++) {
		char left[128];
		const char *placeholder =
			s->type == OPTION_CHOICE ? s->choices : type_info[s->type].placeholder;
		snprintf(left, sizeof(left), "%s=%s", s->name, placeholder);
		fprintf(out, "  %-26s %s", left, s->help);
		if (s->type == OPTION_INT)
			fprintf(out, " (%lld..%lld)", s->min, s->max);
		if (s->repeatable)
			fprintf(out, "; repeatable");
		if (s->def)
			fprintf(out, "; default: %s", *s->def ? s->def : "empty");
		fputc('\n', out);
	}
	fprintf(out, "  %-26s %s\n", OPTION_CONFIG_KEY "=FILE",
		"read key=value lines from FILE ('#' comments); keys given on the command line replace the file's");
}

bool options_is_key_value(const option_spec *table, const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg)
		return false;
	size_t len = (size_t)(eq - arg);
	if (len == strlen(OPTION_CONFIG_KEY) && memcmp(arg, OPTION_CONFIG_KEY, len) == 0)
		return true;
	for (const option_spec *s = table; s->name; s++)
		if (strlen(s->name) == len && memcmp(s->name, arg, len) == 0)
			return true;
	return false;
}
