/* Internal: the record framing of the message writer, shared with lib/edns.c, which
 * writes the OPT record field by field (its padding depends on the message length).
 * A record is written between rr_begin and rr_end; rr_end commits it, or, when the
 * buffer ran out, puts the writer back exactly as rr_begin found it. */
#ifndef OWNDNS_MESSAGE_WRITER_INTERNAL_H
#define OWNDNS_MESSAGE_WRITER_INTERNAL_H

#include <owndns/message.h>

typedef struct msg_writer_mark {
	size_t len;
	size_t cap;
	size_t reserved;
	uint16_t compress_count;
} msg_writer_mark;

/* Checks that a record of `type` may go into `section` now and records the state to
 * roll back to.  An OPT record gets the reserved octets back.  Errors: EINVAL, ESTATE. */
int msg_writer_rr_begin(owndns_msg_writer *w, owndns_section section, uint16_t type,
			msg_writer_mark *mark);

/* Commits the record if w->buf has no error and `status` is OK; otherwise rolls back and
 * returns ETRUNCATED_MSG for a full buffer, or `status`. */
int msg_writer_rr_end(owndns_msg_writer *w, owndns_section section, uint16_t type,
		      const msg_writer_mark *mark, int status);

#endif
