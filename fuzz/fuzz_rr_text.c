/* libFuzzer target: one resource record in presentation form.
 * When the input parses, its RDATA must pass the checker, and printing the record and
 * parsing the print must give the same owner, type, class, TTL and RDATA; so must the
 * RFC 3597 generic form of the RDATA.  Any mismatch traps. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <owndns/name.h>
#include <owndns/rdata.h>
#include <owndns/rr.h>

/* Names the failed condition before trapping, so a crash report says what broke. */
#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                              \
			__builtin_trap();                                            \
		}                                                                    \
	} while (0)

#define STORAGE_CAP (OWNDNS_NAME_MAX + OWNDNS_RDATA_MAX)
#define TEXT_CAP (1u << 19)

static void check_same_rr(const owndns_rr *a, const owndns_rr *b)
{
	size_t len = owndns_name_length(a->owner);
	CHECK(owndns_name_length(b->owner) == len && memcmp(a->owner, b->owner, len) == 0);
	CHECK(a->type == b->type && a->rclass == b->rclass && a->ttl == b->ttl);
	CHECK(a->rdlen == b->rdlen && (a->rdlen == 0 || memcmp(a->rdata, b->rdata, a->rdlen) == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const owndns_rr_text_defaults defaults = { NULL, 3600, 0 };
	uint8_t *storage = malloc(STORAGE_CAP), *storage2 = malloc(STORAGE_CAP);
	uint8_t *rdata = malloc(OWNDNS_RDATA_MAX);
	char *text = malloc(TEXT_CAP);
	owndns_rr rr, back;
	size_t rdlen = 0;

	if (!storage || !storage2 || !rdata || !text)
		goto done;
	if (owndns_rr_from_text((const char *)data, size, &defaults, storage, STORAGE_CAP, &rr) !=
	    OWNDNS_OK)
		goto done;
	CHECK(owndns_rdata_check(rr.type, rr.rdata, rr.rdlen) == OWNDNS_OK);

	int n = owndns_rr_to_text(&rr, text, TEXT_CAP);
	CHECK(n > 0 && (size_t)n == strlen(text));
	CHECK(owndns_rr_from_text(text, (size_t)n, &defaults, storage2, STORAGE_CAP, &back) ==
	      OWNDNS_OK);
	check_same_rr(&rr, &back);

	n = owndns_rdata_to_text(rr.type, rr.rdata, rr.rdlen, text, TEXT_CAP);
	CHECK(n >= 0 && (size_t)n == strlen(text));
	CHECK(owndns_rdata_from_text(rr.type, text, (size_t)n, NULL, rdata, OWNDNS_RDATA_MAX,
				     &rdlen) == OWNDNS_OK);
	CHECK(rdlen == rr.rdlen && (rdlen == 0 || memcmp(rdata, rr.rdata, rdlen) == 0));

	n = owndns_rdata_to_generic_text(rr.rdata, rr.rdlen, text, TEXT_CAP);
	CHECK(n > 0);
	CHECK(owndns_rdata_from_text(rr.type, text, (size_t)n, NULL, rdata, OWNDNS_RDATA_MAX,
				     &rdlen) == OWNDNS_OK);
	CHECK(rdlen == rr.rdlen && (rdlen == 0 || memcmp(rdata, rr.rdata, rdlen) == 0));
done:
	free(storage);
	free(storage2);
	free(rdata);
	free(text);
	return 0;
}
