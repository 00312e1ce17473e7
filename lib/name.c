/* Domain names: wire decoding (with and without compression), presentation format,
 * canonical comparison and label walking.  Owns nothing but the functions of
 * include/owndns/name.h; case folding is plain ASCII (RFC 4343), never the locale. */
#include <owndns/name.h>
#include <owndns/buffer.h>

#include <string.h>

#include "text_buf.h"

/* Upper two bits of a length octet (RFC 1035 §4.1.4; 0x40 and 0x80 are reserved,
 * RFC 6891 §5 retired the 0x40 extended label type). */
#define LABEL_TYPE_MASK 0xC0
#define LABEL_TYPE_NORMAL 0x00
#define LABEL_TYPE_POINTER 0xC0

/* Strictly backward pointers already make loops impossible; this bound only caps the
 * work one name can cost.  A legitimate name has at most 127 labels, so 128 hops is
 * never reached by a real message. */
#define POINTER_HOPS_MAX 128

/* A name has at most 127 labels plus the root label. */
#define NAME_LABELS_MAX 128

static uint8_t ascii_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

static bool ascii_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* ---- wire form ---- */

/* Shared by the compressed and the plain reader.  A pointer must point strictly
 * before the start of the run of labels it ends (the name's start, or the previous
 * pointer's target): the run starts then form a strictly decreasing sequence, so no
 * loop is possible, and a pointer into its own name is caught as well. */
static int name_read(const uint8_t *msg, size_t msg_len, size_t *pos, uint8_t *out,
		     size_t *out_len, bool allow_pointers)
{
	if (*pos > msg_len)
		return OWNDNS_ETRUNCATED;

	owndns_rbuf in = owndns_rbuf_init(msg, msg_len);
	in.pos = *pos;
	owndns_wbuf name = owndns_wbuf_init(out, OWNDNS_NAME_MAX);
	size_t run_start = *pos;
	size_t end = 0;
	bool jumped = false;
	int hops = 0;

	for (;;) {
		uint8_t len = owndns_rbuf_u8(&in);
		if (in.error)
			return OWNDNS_ETRUNCATED;

		switch (len & LABEL_TYPE_MASK) {
		case LABEL_TYPE_NORMAL:
			break;
		case LABEL_TYPE_POINTER: {
			uint8_t low = owndns_rbuf_u8(&in);
			if (in.error)
				return OWNDNS_ETRUNCATED;
			if (!allow_pointers)
				return OWNDNS_EPTR_FORBIDDEN;
			size_t target = ((size_t)(len & ~LABEL_TYPE_MASK) << 8) | low;
			if (target >= msg_len)
				return OWNDNS_EPTR_RANGE;
			if (target >= run_start || ++hops > POINTER_HOPS_MAX)
				return OWNDNS_EPTR_LOOP;
			if (!jumped) {
				end = in.pos;
				jumped = true;
			}
			in.pos = target;
			run_start = target;
			continue;
		}
		default:
			return OWNDNS_ELABEL_TYPE;
		}

		if (len == 0) {
			owndns_wbuf_u8(&name, 0);
			break;
		}
		/* The label, its length octet and the root label still to come must fit. */
		if (name.len + 1 + len + 1 > OWNDNS_NAME_MAX)
			return OWNDNS_ENAME_LONG;
		const uint8_t *label = owndns_rbuf_take(&in, len);
		if (!label)
			return OWNDNS_ETRUNCATED;
		owndns_wbuf_u8(&name, len);
		owndns_wbuf_bytes(&name, label, len);
	}

	if (name.error)
		return OWNDNS_ENAME_LONG;
	*pos = jumped ? end : in.pos;
	*out_len = name.len;
	return OWNDNS_OK;
}

int owndns_name_unpack(const uint8_t *msg, size_t msg_len, size_t *pos, uint8_t *out,
		       size_t *out_len)
{
	return name_read(msg, msg_len, pos, out, out_len, true);
}

int owndns_name_unpack_plain(const uint8_t *buf, size_t buf_len, size_t *pos, uint8_t *out,
			     size_t *out_len)
{
	return name_read(buf, buf_len, pos, out, out_len, false);
}

int owndns_name_check(const uint8_t *buf, size_t max_len, size_t *len)
{
	uint8_t scratch[OWNDNS_NAME_MAX];
	size_t pos = 0;
	size_t name_len;
	int rc = name_read(buf, max_len, &pos, scratch, &name_len, false);
	if (rc == OWNDNS_OK)
		*len = name_len;
	return rc;
}

size_t owndns_name_length(const uint8_t *name)
{
	size_t len = 0;
	while (name[len] != 0)
		len += 1 + (size_t)name[len];
	return len + 1;
}

/* ---- presentation form ---- */

/* Builds a wire name label by label, keeping the limits of RFC 1035 §2.3.4. */
typedef struct name_builder {
	uint8_t *out;
	size_t len;                       /* octets of complete labels in out */
	uint8_t label[OWNDNS_LABEL_MAX];
	size_t label_len;
} name_builder;

static int builder_add_octet(name_builder *b, uint8_t c)
{
	if (b->label_len == OWNDNS_LABEL_MAX)
		return OWNDNS_ELABEL_LONG;
	b->label[b->label_len++] = c;
	return OWNDNS_OK;
}

static int builder_end_label(name_builder *b)
{
	if (b->label_len == 0)
		return OWNDNS_ELABEL_EMPTY;
	/* Room must remain for the root label. */
	if (b->len + 1 + b->label_len + 1 > OWNDNS_NAME_MAX)
		return OWNDNS_ENAME_LONG;
	b->out[b->len] = (uint8_t)b->label_len;
	memcpy(b->out + b->len + 1, b->label, b->label_len);
	b->len += 1 + b->label_len;
	b->label_len = 0;
	return OWNDNS_OK;
}

/* Appends `suffix` (a wire name, root label included) to the complete labels. */
static int builder_finish(name_builder *b, const uint8_t *suffix, size_t *out_len)
{
	size_t suffix_len = suffix ? owndns_name_length(suffix) : 1;
	if (b->len + suffix_len > OWNDNS_NAME_MAX)
		return OWNDNS_ENAME_LONG;
	if (suffix)
		memcpy(b->out + b->len, suffix, suffix_len);
	else
		b->out[b->len] = 0;
	*out_len = b->len + suffix_len;
	return OWNDNS_OK;
}

/* Reads the escape starting after a backslash at text[*i]; RFC 1035 §5.1: \X is the
 * character X itself, \DDD the octet of decimal value DDD. */
static int read_escape(const char *text, size_t text_len, size_t *i, uint8_t *octet)
{
	if (*i >= text_len)
		return OWNDNS_EESCAPE;
	if (!ascii_digit(text[*i])) {
		*octet = (uint8_t)text[(*i)++];
		return OWNDNS_OK;
	}
	if (text_len - *i < 3 || !ascii_digit(text[*i + 1]) || !ascii_digit(text[*i + 2]))
		return OWNDNS_EESCAPE;
	unsigned value = (unsigned)(text[*i] - '0') * 100 + (unsigned)(text[*i + 1] - '0') * 10 +
			 (unsigned)(text[*i + 2] - '0');
	if (value > 255)
		return OWNDNS_EESCAPE;
	*octet = (uint8_t)value;
	*i += 3;
	return OWNDNS_OK;
}

/* Space and control characters cannot stand unescaped in a presentation token. */
static bool needs_escape_in_input(uint8_t c)
{
	return c < 0x21 || c == 0x7f;
}

static int copy_origin(const uint8_t *origin, uint8_t *out, size_t *out_len)
{
	if (!origin)
		return OWNDNS_ESYNTAX;
	size_t len = owndns_name_length(origin);
	memcpy(out, origin, len);
	*out_len = len;
	return OWNDNS_OK;
}

int owndns_name_from_text(const char *text, size_t text_len, const uint8_t *origin,
			  uint8_t *out, size_t *out_len)
{
	if (text_len == 0)
		return OWNDNS_ESYNTAX;
	if (text_len == 1 && text[0] == '@')
		return copy_origin(origin, out, out_len);
	if (text_len == 1 && text[0] == '.') {
		out[0] = 0;
		*out_len = 1;
		return OWNDNS_OK;
	}

	name_builder b = { .out = out, .len = 0, .label_len = 0 };
	bool absolute = false;
	size_t i = 0;
	int rc = OWNDNS_OK;

	while (i < text_len && rc == OWNDNS_OK) {
		uint8_t c = (uint8_t)text[i++];
		if (c == '.') {
			rc = builder_end_label(&b);
			absolute = i == text_len;
		} else if (c == '\\') {
			uint8_t octet;
			rc = read_escape(text, text_len, &i, &octet);
			if (rc == OWNDNS_OK)
				rc = builder_add_octet(&b, octet);
		} else if (needs_escape_in_input(c)) {
			rc = OWNDNS_ESYNTAX;
		} else {
			rc = builder_add_octet(&b, c);
		}
	}
	if (rc != OWNDNS_OK)
		return rc;
	if (absolute)
		return builder_finish(&b, NULL, out_len);
	rc = builder_end_label(&b);
	if (rc != OWNDNS_OK)
		return rc;
	return builder_finish(&b, origin, out_len);
}

/* The characters dig (BIND's dns_name_totext) escapes with a backslash. */
static bool is_special_in_text(uint8_t c)
{
	switch (c) {
	case '.': case ';': case '\\': case '(': case ')':
	case '@': case '"': case '$':
		return true;
	default:
		return false;
	}
}

static void label_to_text(const uint8_t *label, uint8_t len, text_buf *t)
{
	for (uint8_t k = 0; k < len; k++) {
		uint8_t c = label[k];
		if (is_special_in_text(c)) {
			text_buf_putc(t, '\\');
			text_buf_putc(t, (char)c);
		} else if (c < 0x21 || c > 0x7e) {
			text_buf_printf(t, "\\%03u", (unsigned)c);
		} else {
			text_buf_putc(t, (char)c);
		}
	}
}

int owndns_name_to_text(const uint8_t *name, char *out, size_t out_size)
{
	text_buf t;
	text_buf_init(&t, out, out_size);
	if (name[0] == 0) {
		text_buf_putc(&t, '.');
		return text_buf_result(&t);
	}
	const uint8_t *it = name;
	const uint8_t *label;
	uint8_t len;
	while (owndns_name_next_label(&it, &label, &len)) {
		label_to_text(label, len, &t);
		text_buf_putc(&t, '.');
	}
	return text_buf_result(&t);
}

/* ---- comparison ---- */

void owndns_name_to_lower(uint8_t *name)
{
	while (*name != 0) {
		uint8_t len = *name++;
		for (uint8_t k = 0; k < len; k++)
			name[k] = ascii_lower(name[k]);
		name += len;
	}
}

bool owndns_name_equal(const uint8_t *a, const uint8_t *b)
{
	/* Length octets are below 'A', so folding the whole wire form compares the
	 * label structure exactly and the label contents case-insensitively. */
	size_t len = owndns_name_length(a);
	for (size_t k = 0; k < len; k++) {
		if (ascii_lower(a[k]) != ascii_lower(b[k]))
			return false;
	}
	return true;
}

/* Fills `starts` with pointers to each label's length octet, leftmost first. */
static int collect_labels(const uint8_t *name, const uint8_t **starts)
{
	int n = 0;
	while (*name != 0 && n < NAME_LABELS_MAX) {
		starts[n++] = name;
		name += 1 + *name;
	}
	return n;
}

/* RFC 4034 §6.1: octets compared as unsigned after lower-casing; when one label is a
 * prefix of the other, the shorter sorts first. */
static int label_compare(const uint8_t *a, const uint8_t *b)
{
	uint8_t alen = a[0], blen = b[0];
	uint8_t common = alen < blen ? alen : blen;
	for (uint8_t k = 1; k <= common; k++) {
		uint8_t ca = ascii_lower(a[k]), cb = ascii_lower(b[k]);
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	return alen == blen ? 0 : (alen < blen ? -1 : 1);
}

int owndns_name_compare(const uint8_t *a, const uint8_t *b)
{
	const uint8_t *la[NAME_LABELS_MAX], *lb[NAME_LABELS_MAX];
	int na = collect_labels(a, la);
	int nb = collect_labels(b, lb);
	int ia = na, ib = nb;
	/* Most significant label first: from the right. */
	while (ia > 0 && ib > 0) {
		int c = label_compare(la[--ia], lb[--ib]);
		if (c != 0)
			return c;
	}
	return na == nb ? 0 : (na < nb ? -1 : 1);
}

/* ---- structure ---- */

int owndns_name_label_count(const uint8_t *name)
{
	int n = 0;
	while (*name != 0) {
		n++;
		name += 1 + *name;
	}
	return n;
}

const uint8_t *owndns_name_parent(const uint8_t *name)
{
	return name[0] == 0 ? NULL : name + 1 + name[0];
}

bool owndns_name_is_subdomain(const uint8_t *name, const uint8_t *ancestor)
{
	int extra = owndns_name_label_count(name) - owndns_name_label_count(ancestor);
	if (extra < 0)
		return false;
	/* Align on label boundaries: "xexample.com" must not match "example.com". */
	while (extra-- > 0)
		name = owndns_name_parent(name);
	return owndns_name_equal(name, ancestor);
}

bool owndns_name_is_strict_subdomain(const uint8_t *name, const uint8_t *ancestor)
{
	return owndns_name_label_count(name) > owndns_name_label_count(ancestor) &&
	       owndns_name_is_subdomain(name, ancestor);
}

bool owndns_name_next_label(const uint8_t **it, const uint8_t **label, uint8_t *label_len)
{
	const uint8_t *p = *it;
	if (*p == 0)
		return false;
	*label_len = *p;
	*label = p + 1;
	*it = p + 1 + *p;
	return true;
}
