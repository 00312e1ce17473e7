#include "text_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void text_buf_init(text_buf *t, char *data, size_t cap)
{
	t->data = data;
	t->cap = cap;
	t->len = 0;
	t->error = cap ? OWNDNS_OK : OWNDNS_ESPACE;
	if (cap)
		data[0] = '\0';
}

void text_buf_put(text_buf *t, const char *s, size_t n)
{
	if (t->error)
		return;
	if (n >= t->cap - t->len) {
		t->error = OWNDNS_ESPACE;
		return;
	}
	memcpy(t->data + t->len, s, n);
	t->len += n;
	t->data[t->len] = '\0';
}

void text_buf_insert_c(text_buf *t, size_t at, char c)
{
	if (t->error)
		return;
	if (at > t->len || t->len + 1 >= t->cap) {
		t->error = OWNDNS_ESPACE;
		return;
	}
	memmove(t->data + at + 1, t->data + at, t->len - at + 1);
	t->data[at] = c;
	t->len++;
}

void text_buf_putc(text_buf *t, char c)
{
	text_buf_put(t, &c, 1);
}

void text_buf_puts(text_buf *t, const char *s)
{
	text_buf_put(t, s, strlen(s));
}

void text_buf_printf(text_buf *t, const char *fmt, ...)
{
	if (t->error)
		return;
	va_list ap;
	va_start(ap, fmt);
	size_t room = t->cap - t->len;
	int n = vsnprintf(t->data + t->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		t->error = OWNDNS_ESPACE;
		t->data[t->len] = '\0';
		return;
	}
	t->len += (size_t)n;
}

int text_buf_result(const text_buf *t)
{
	return t->error ? t->error : (int)t->len;
}
