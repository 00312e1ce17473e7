/* Internal: a bounded text builder with a sticky error, the text twin of owndns_wbuf.
 * The buffer is always NUL-terminated while cap > 0. */
#ifndef OWNDNS_TEXT_BUF_H
#define OWNDNS_TEXT_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <owndns/error.h>

typedef struct text_buf {
	char *data;
	size_t cap;
	size_t len;
	int error; /* OWNDNS_ESPACE once something did not fit */
} text_buf;

void text_buf_init(text_buf *t, char *data, size_t cap);
void text_buf_putc(text_buf *t, char c);
void text_buf_put(text_buf *t, const char *s, size_t n);
/* Inserts c before data[at] (at <= len), moving the rest of the text up by one. */
void text_buf_insert_c(text_buf *t, size_t at, char c);
void text_buf_puts(text_buf *t, const char *s);
void text_buf_printf(text_buf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the length written, or the sticky error. */
int text_buf_result(const text_buf *t);

#endif
