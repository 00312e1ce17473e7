/* Message header, reader and writer.  Reference packets come from dnspython 2.3
 * (scripts in the comments); what the writer produces was checked once by parsing it
 * with dnspython, and is asserted byte for byte here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <owndns/message.h>
#include <owndns/rdata.h>

/* dnspython: Message(id=0x1234), flags QR AA RD RA, question example.com. MX;
 * answer example.com. 3600 MX 20 mx2.EXAMPLE.com. / MX 10 mail.example.com.,
 * www.example.com. 300 CNAME example.com.; authority example.com. SOA ns1.example.com.
 * hostmaster.example.com. 2024010101 7200 3600 1209600 300, example.com. NS
 * ns1.example.com.; additional mail.example.com. A 192.0.2.1,
 * _sip._tcp.example.com. 60 SRV 0 5 5060 sip.example.com., ns1.example.com. AAAA
 * 2001:db8::1; use_edns(0, DO, 1232, NSID "ns1", COOKIE 8+16, EDE 3 "stale"). */
static const char RESPONSE_HEX[] =
	"123485800001000300020004076578616d706c6503636f6d00000f0001c00c000f000100000e1000"
	"080014036d7832c00cc00c000f000100000e100009000a046d61696cc00c03777777c00c00050001"
	"0000012c0002c00cc00c0006000100000e100027036e7331c00c0a686f73746d6173746572c00c78"
	"a3f17500001c2000000e10001275000000012cc00c0002000100000e100002c064c03f0001000100"
	"000e100004c0000201045f736970045f746370c00c002100010000003c000c0000000513c4037369"
	"70c00cc064001c000100000e10001020010db800000000000000000000000100002904d000008000"
	"002e000300036e7331000a00180102030405060708a0a1a2a3a4a5a6a7a8a9aaabacadaeaf000f00"
	"0700037374616c65";

/* The same message without the SRV record (dnspython compresses the SRV target,
 * which RFC 2782 and RFC 3597 §4 forbid, so that record cannot be compared). */
static const char RESPONSE_NOSRV_HEX[] =
	"123485800001000300020003076578616d706c6503636f6d00000f0001c00c000f000100000e1000"
	"080014036d7832c00cc00c000f000100000e100009000a046d61696cc00c03777777c00c00050001"
	"0000012c0002c00cc00c0006000100000e100027036e7331c00c0a686f73746d6173746572c00c78"
	"a3f17500001c2000000e10001275000000012cc00c0002000100000e100002c064c03f0001000100"
	"000e100004c0000201c064001c000100000e10001020010db8000000000000000000000001000029"
	"04d000008000002e000300036e7331000a00180102030405060708a0a1a2a3a4a5a6a7a8a9aaabac"
	"adaeaf000f000700037374616c65";

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;
	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static void name(const char *text, uint8_t *out)
{
	size_t len;
	assert_int_equal(owndns_name_from_text(text, strlen(text), NULL, out, &len), OWNDNS_OK);
}

static void assert_name(const uint8_t *got, size_t got_len, const char *text)
{
	uint8_t want[OWNDNS_NAME_MAX];
	name(text, want);
	assert_int_equal(got_len, owndns_name_length(want));
	assert_memory_equal(got, want, got_len);
}

/* ---- Header and names -------------------------------------------------------- */

static void test_header_flags(void **state)
{
	(void)state;
	owndns_header h = { 0 };
	owndns_header_set_flag(&h, OWNDNS_FLAG_QR, true);
	owndns_header_set_opcode(&h, OWNDNS_OPCODE_NOTIFY);
	owndns_header_set_flag(&h, OWNDNS_FLAG_AA, true);
	owndns_header_set_flag(&h, OWNDNS_FLAG_CD, true);
	owndns_header_set_rcode(&h, 0x13); /* only the low 4 bits are stored */
	assert_int_equal(h.flags, 0x8000 | (4 << 11) | 0x0400 | 0x0010 | 0x3);
	assert_int_equal(owndns_header_opcode(&h), OWNDNS_OPCODE_NOTIFY);
	assert_int_equal(owndns_header_rcode(&h), 3);
	owndns_header_set_flag(&h, OWNDNS_FLAG_AA, false);
	assert_false(owndns_header_flag(&h, OWNDNS_FLAG_AA));
	assert_true(owndns_header_flag(&h, OWNDNS_FLAG_QR));

	uint8_t pkt[12] = { 0xab, 0xcd, 0x81, 0xa3, 0, 1, 0, 2, 0, 3, 0xff, 0xff };
	assert_int_equal(owndns_header_read(pkt, 12, &h), OWNDNS_OK);
	assert_int_equal(h.id, 0xabcd);
	assert_true(owndns_header_flag(&h, OWNDNS_FLAG_RD));
	assert_true(owndns_header_flag(&h, OWNDNS_FLAG_RA));
	assert_true(owndns_header_flag(&h, OWNDNS_FLAG_AD));
	assert_false(owndns_header_flag(&h, OWNDNS_FLAG_TC));
	assert_int_equal(owndns_header_rcode(&h), OWNDNS_RCODE_NXDOMAIN);
	assert_int_equal(h.count[OWNDNS_SECTION_AUTHORITY], 3);
	assert_int_equal(h.count[OWNDNS_SECTION_ADDITIONAL], 0xffff);
	assert_int_equal(owndns_header_read(pkt, 11, &h), OWNDNS_EHEADER);
}

static void test_opcode_rcode_names(void **state)
{
	(void)state;
	char buf[16];
	assert_string_equal(owndns_rcode_name(OWNDNS_RCODE_NXDOMAIN), "NXDOMAIN");
	assert_string_equal(owndns_rcode_name(OWNDNS_RCODE_NOTZONE), "NOTZONE");
	assert_string_equal(owndns_rcode_name(16), "BADVERS");
	assert_string_equal(owndns_rcode_name(OWNDNS_RCODE_BADCOOKIE), "BADCOOKIE");
	assert_null(owndns_rcode_name(11));
	assert_null(owndns_rcode_name(4095));
	assert_string_equal(owndns_opcode_name(OWNDNS_OPCODE_QUERY), "QUERY");
	assert_string_equal(owndns_opcode_name(OWNDNS_OPCODE_UPDATE), "UPDATE");
	assert_null(owndns_opcode_name(3));
	assert_int_equal(owndns_rcode_to_text(0, buf, sizeof(buf)), 7);
	assert_string_equal(buf, "NOERROR");
	owndns_rcode_to_text(12, buf, sizeof(buf));
	assert_string_equal(buf, "RESERVED12");
	owndns_rcode_to_text(3841, buf, sizeof(buf));
	assert_string_equal(buf, "3841");
	owndns_opcode_to_text(6, buf, sizeof(buf));
	assert_string_equal(buf, "RESERVED6");
	owndns_opcode_to_text(OWNDNS_OPCODE_STATUS, buf, sizeof(buf));
	assert_string_equal(buf, "STATUS");
	assert_int_equal(owndns_rcode_to_text(OWNDNS_RCODE_SERVFAIL, buf, 8), OWNDNS_ESPACE);
}

/* ---- Reader: a real response ------------------------------------------------- */

static void test_read_response(void **state)
{
	(void)state;
	uint8_t pkt[512];
	size_t len = unhex(RESPONSE_HEX, pkt, sizeof(pkt));
	owndns_msg m;
	assert_int_equal(owndns_msg_open(&m, pkt, len), OWNDNS_OK);
	assert_int_equal(m.hdr.id, 0x1234);
	assert_int_equal(m.hdr.flags, 0x8580);
	assert_int_equal(owndns_msg_trailing(&m), 0);
	assert_int_equal(m.hdr.count[OWNDNS_SECTION_ADDITIONAL], 4);

	uint8_t qname[OWNDNS_NAME_MAX];
	size_t qlen;
	uint16_t qtype, qclass;
	assert_int_equal(owndns_msg_question(&m, 0, qname, &qlen, &qtype, &qclass), OWNDNS_OK);
	assert_name(qname, qlen, "example.com.");
	assert_int_equal(qtype, OWNDNS_TYPE_MX);
	assert_int_equal(qclass, OWNDNS_CLASS_IN);
	assert_int_equal(owndns_msg_question(&m, 1, qname, &qlen, &qtype, &qclass),
			 OWNDNS_ENOTFOUND);

	owndns_rr_iter it;
	owndns_rr_view v;
	uint8_t rdata[OWNDNS_RDATA_MAX];
	size_t rdlen;
	owndns_rr_iter_init(&it, &m, OWNDNS_SECTION_ANSWER);
	assert_int_equal(owndns_rr_iter_next(&it, &v), 1);
	assert_name(v.owner, v.owner_len, "example.com.");
	assert_int_equal(v.type, OWNDNS_TYPE_MX);
	assert_int_equal(v.rclass, OWNDNS_CLASS_IN);
	assert_int_equal(v.ttl, 3600);
	assert_int_equal(v.rdlen, 8);
	assert_int_equal(v.rr_pos, 29);
	assert_int_equal(v.rdata_pos, 29 + 2 + 10);
	assert_int_equal(v.section, OWNDNS_SECTION_ANSWER);
	/* "mx2" + pointer to the qname: expanded from the packet's spelling. */
	assert_int_equal(owndns_rr_view_rdata(&m, &v, rdata, sizeof(rdata), &rdlen), OWNDNS_OK);
	static const uint8_t mx2[] = "\x00\x14\x03mx2\x07" "example\x03" "com";
	assert_int_equal(rdlen, sizeof(mx2));
	assert_memory_equal(rdata, mx2, sizeof(mx2));
	assert_int_equal(owndns_rr_iter_next(&it, &v), 1);
	assert_int_equal(owndns_rr_iter_next(&it, &v), 1);
	assert_name(v.owner, v.owner_len, "www.example.com.");
	assert_int_equal(v.type, OWNDNS_TYPE_CNAME);
	assert_int_equal(v.ttl, 300);
	assert_int_equal(owndns_rr_iter_next(&it, &v), 0);
	assert_int_equal(owndns_rr_iter_next(&it, &v), 0);

	/* SOA through owndns_rr: both names expanded, copied into storage. */
	static uint8_t storage[OWNDNS_NAME_MAX + OWNDNS_RDATA_MAX];
	owndns_rr rr;
	owndns_rr_iter_init(&it, &m, OWNDNS_SECTION_AUTHORITY);
	assert_int_equal(owndns_rr_iter_next(&it, &v), 1);
	assert_int_equal(owndns_rr_view_to_rr(&m, &v, storage, sizeof(storage), &rr), OWNDNS_OK);
	memset(&v, 0xee, sizeof(v)); /* rr must not point into the view */
	assert_name(rr.owner, 13, "example.com.");
	assert_int_equal(rr.type, OWNDNS_TYPE_SOA);
	assert_int_equal(rr.rdlen, 17 + 24 + 20);
	assert_memory_equal(rr.rdata, "\x03ns1\x07" "example\x03" "com\x00\x0ahostmaster", 28);
	assert_memory_equal(rr.rdata + 41, "\x78\xa3\xf1\x75\x00\x00\x1c\x20", 8);
	assert_int_equal(owndns_rr_view_to_rr(&m, &v, storage, 12, &rr) < 0, 1);
	assert_int_equal(owndns_rr_iter_next(&it, &v), 1);
	assert_int_equal(v.type, OWNDNS_TYPE_NS);
	assert_int_equal(owndns_rr_iter_next(&it, &v), 0);

	owndns_rr_iter_init(&it, &m, OWNDNS_SECTION_ADDITIONAL);
	static const uint16_t types[] = { OWNDNS_TYPE_A, OWNDNS_TYPE_SRV, OWNDNS_TYPE_AAAA,
					  OWNDNS_TYPE_OPT };
	for (int i = 0; i < 4; i++) {
		assert_int_equal(owndns_rr_iter_next(&it, &v), 1);
		assert_int_equal(v.type, types[i]);
	}
	assert_int_equal(owndns_rr_iter_next(&it, &v), 0);

	owndns_rr_iter_init(&it, &m, OWNDNS_SECTION_QUESTION);
	assert_int_equal(owndns_rr_iter_next(&it, &v), 0);

	assert_int_equal(owndns_msg_opt(&m, &v), OWNDNS_OK);
	assert_int_equal(v.rclass, 1232);
	assert_int_equal(v.owner_len, 1);
	assert_int_equal(v.rdlen, 46);
	assert_int_equal(v.rdata_pos, len - 46);
	assert_int_equal(owndns_msg_tsig(&m, &v), OWNDNS_ENOTFOUND);
}

/* ---- Reader: malformed messages ---------------------------------------------- */

/* Query for a. A IN, with counts and a tail supplied by each test. */
static size_t packet(uint8_t *pkt, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar,
		     const char *tail_hex)
{
	uint8_t hdr[12] = { 0x55, 0x66, 0x81, 0x80, (uint8_t)(qd >> 8), (uint8_t)qd,
			    (uint8_t)(an >> 8), (uint8_t)an, (uint8_t)(ns >> 8), (uint8_t)ns,
			    (uint8_t)(ar >> 8), (uint8_t)ar };
	memcpy(pkt, hdr, 12);
	return 12 + unhex(tail_hex, pkt + 12, 4096);
}

static int open_hex(uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar, const char *tail,
		    owndns_msg *m)
{
	static uint8_t pkt[4096];
	size_t len = packet(pkt, qd, an, ns, ar, tail);
	return owndns_msg_open(m, pkt, len);
}

#define Q_A "0161000001" "0001"              /* a. A IN, 7 octets at offset 12 */
#define RR_A "c00c00010001" "00000e10" "0004" "c0000201" /* a. A 192.0.2.1 */
#define OPT_EMPTY "00" "0029" "04d0" "00000000" "0000"

static void test_read_short_header(void **state)
{
	(void)state;
	owndns_msg m;
	uint8_t pkt[12] = { 0 };
	assert_int_equal(owndns_msg_open(&m, pkt, 0), OWNDNS_EHEADER);
	assert_int_equal(owndns_msg_open(&m, pkt, 11), OWNDNS_EHEADER);
	assert_int_equal(owndns_msg_open(&m, pkt, 12), OWNDNS_OK);
	assert_int_equal(m.end, 12);
}

static void test_read_counts_too_large(void **state)
{
	(void)state;
	owndns_msg m;
	assert_int_equal(open_hex(1, 1, 0, 0, Q_A RR_A, &m), OWNDNS_OK);
	assert_int_equal(open_hex(2, 0, 0, 0, Q_A, &m), OWNDNS_ESECTION);
	assert_int_equal(open_hex(1, 2, 0, 0, Q_A RR_A, &m), OWNDNS_ESECTION);
	assert_int_equal(open_hex(1, 1, 1, 0, Q_A RR_A, &m), OWNDNS_ESECTION);
	assert_int_equal(open_hex(1, 1, 0, 1, Q_A RR_A, &m), OWNDNS_ESECTION);
	/* The header is still readable after a failure (TC answers, ID matching). */
	assert_int_equal(m.hdr.id, 0x5566);
	assert_int_equal(m.hdr.count[OWNDNS_SECTION_ADDITIONAL], 1);
}

static void test_read_truncated_records(void **state)
{
	(void)state;
	owndns_msg m;
	/* Question cut inside its type/class. */
	assert_int_equal(open_hex(1, 0, 0, 0, "0161000001", &m), OWNDNS_ETRUNCATED);
	/* Record cut inside the fixed fields, and RDLENGTH past the end by one octet. */
	assert_int_equal(open_hex(1, 1, 0, 0, Q_A "c00c00010001000e10", &m), OWNDNS_ETRUNCATED);
	assert_int_equal(open_hex(1, 1, 0, 0, Q_A "c00c0001000100000e100005c0000201", &m),
			 OWNDNS_ETRUNCATED);
	/* RDLENGTH of 65535 with a few octets. */
	assert_int_equal(open_hex(1, 1, 0, 0, Q_A "c00c0001000100000e10ffffc0000201", &m),
			 OWNDNS_ETRUNCATED);
	/* Name cut in the middle of a label. */
	assert_int_equal(open_hex(1, 0, 0, 0, "0361", &m), OWNDNS_ETRUNCATED);
}

static void test_read_name_errors(void **state)
{
	(void)state;
	owndns_msg m;
	/* Pointer to itself / forward / outside the packet. */
	assert_int_equal(open_hex(1, 1, 0, 0, Q_A "c01300010001" "00000e10" "0000", &m),
			 OWNDNS_EPTR_LOOP);
	assert_int_equal(open_hex(1, 1, 0, 0, Q_A "c01500010001" "00000e10" "0000" "00", &m),
			 OWNDNS_EPTR_LOOP);
	assert_int_equal(open_hex(1, 1, 0, 0, Q_A "cfff00010001" "00000e10" "0000", &m),
			 OWNDNS_EPTR_RANGE);
	/* Reserved label types 0x40 and 0x80. */
	assert_int_equal(open_hex(1, 1, 0, 0, Q_A "4100010001" "00000e10" "0000", &m),
			 OWNDNS_ELABEL_TYPE);
	assert_int_equal(open_hex(0, 0, 1, 0, "8100010001" "00000e10" "0000", &m),
			 OWNDNS_ELABEL_TYPE);
	/* Owner longer than 255 octets through pointers: 4 x 63-octet labels. */
	char tail[1200] = "";
	for (int i = 0; i < 4; i++) {
		strcat(tail, "3f");
		for (int j = 0; j < 63; j++)
			strcat(tail, "61");
	}
	strcat(tail, "00" "00010001");
	assert_int_equal(open_hex(1, 0, 0, 0, tail, &m), OWNDNS_ENAME_LONG);
}

static void test_read_opt_rules(void **state)
{
	(void)state;
	owndns_msg m;
	assert_int_equal(open_hex(1, 0, 0, 1, Q_A OPT_EMPTY, &m), OWNDNS_OK);
	assert_int_equal(m.opt_pos, 19);
	assert_int_equal(open_hex(1, 0, 0, 2, Q_A OPT_EMPTY OPT_EMPTY, &m), OWNDNS_EEDNS);
	assert_int_equal(open_hex(1, 1, 0, 0, Q_A OPT_EMPTY, &m), OWNDNS_EEDNS);
	assert_int_equal(open_hex(1, 0, 1, 0, Q_A OPT_EMPTY, &m), OWNDNS_EEDNS);
	/* OPT owned by a. (a pointer to the qname) and by a. spelled out. */
	assert_int_equal(open_hex(1, 0, 0, 1, Q_A "c00c0029" "04d0" "00000000" "0000", &m),
			 OWNDNS_EEDNS);
	assert_int_equal(open_hex(1, 0, 0, 1, Q_A "01610000290200000000000000", &m),
			 OWNDNS_EEDNS);
	/* A root owner spelled as a pointer to a root label is still the root. */
	assert_int_equal(open_hex(1, 0, 0, 2, Q_A OPT_EMPTY "c01300290200000000000000", &m),
			 OWNDNS_EEDNS);
	assert_int_equal(open_hex(1, 0, 0, 2, Q_A RR_A OPT_EMPTY, &m), OWNDNS_OK);
	assert_int_equal(m.opt_pos, 19 + 16);
}

#define TSIG_RR "00" "00fa" "00ff" "00000000" "0000"

static void test_read_tsig_last(void **state)
{
	(void)state;
	owndns_msg m;
	owndns_rr_view v;
	assert_int_equal(open_hex(1, 0, 0, 2, Q_A OPT_EMPTY TSIG_RR, &m), OWNDNS_OK);
	assert_int_equal(owndns_msg_tsig(&m, &v), OWNDNS_OK);
	assert_int_equal(v.type, OWNDNS_TYPE_TSIG);
	assert_int_equal(v.rr_pos, 19 + 11);
	assert_int_equal(open_hex(1, 0, 0, 2, Q_A TSIG_RR OPT_EMPTY, &m), OWNDNS_ESECTION);
	assert_int_equal(open_hex(1, 1, 0, 0, Q_A TSIG_RR, &m), OWNDNS_ESECTION);
	assert_int_equal(open_hex(1, 0, 0, 3, Q_A TSIG_RR RR_A RR_A, &m), OWNDNS_ESECTION);
}

static void test_read_trailing_garbage(void **state)
{
	(void)state;
	owndns_msg m;
	owndns_rr_iter it;
	owndns_rr_view v;
	assert_int_equal(open_hex(1, 1, 0, 0, Q_A RR_A "deadbeef", &m), OWNDNS_OK);
	assert_int_equal(owndns_msg_trailing(&m), 4);
	assert_int_equal(m.end, 12 + 7 + 16);
	/* A whole record beyond the counts is trailing data too, not an answer. */
	assert_int_equal(open_hex(1, 0, 0, 0, Q_A RR_A, &m), OWNDNS_OK);
	assert_int_equal(owndns_msg_trailing(&m), 16);
	owndns_rr_iter_init(&it, &m, OWNDNS_SECTION_ANSWER);
	assert_int_equal(owndns_rr_iter_next(&it, &v), 0);
}

static void test_read_bad_rdata_reported_by_view(void **state)
{
	(void)state;
	owndns_msg m;
	owndns_rr_iter it;
	owndns_rr_view v;
	uint8_t rdata[64];
	size_t rdlen;
	/* A record with 3 octets of RDATA: the packet is well framed, the RDATA is not. */
	assert_int_equal(open_hex(1, 1, 0, 0, Q_A "c00c0001000100000e100003c00002", &m),
			 OWNDNS_OK);
	owndns_rr_iter_init(&it, &m, OWNDNS_SECTION_ANSWER);
	assert_int_equal(owndns_rr_iter_next(&it, &v), 1);
	assert_true(owndns_rr_view_rdata(&m, &v, rdata, sizeof(rdata), &rdlen) < 0);
	/* A CNAME whose RDATA name points forward. */
	assert_int_equal(open_hex(1, 1, 0, 0, Q_A "c00c0005000100000e100002c01f", &m), OWNDNS_OK);
	owndns_rr_iter_init(&it, &m, OWNDNS_SECTION_ANSWER);
	assert_int_equal(owndns_rr_iter_next(&it, &v), 1);
	assert_true(owndns_rr_view_rdata(&m, &v, rdata, sizeof(rdata), &rdlen) < 0);
}

/* ---- Writer ------------------------------------------------------------------ */

static uint8_t rr_storage[16][OWNDNS_NAME_MAX + 1024];

/* Parses `pkt` and writes every record again: the output must equal `want`. */
static void roundtrip(const char *pkt_hex, size_t cap, const char *want_hex)
{
	uint8_t pkt[1024], want[1024], out[1024];
	size_t len = unhex(pkt_hex, pkt, sizeof(pkt));
	size_t want_len = unhex(want_hex, want, sizeof(want));
	owndns_msg m;
	owndns_msg_writer w;
	assert_int_equal(owndns_msg_open(&m, pkt, len), OWNDNS_OK);
	assert_int_equal(owndns_writer_init(&w, out, cap, &m.hdr), OWNDNS_OK);

	uint8_t qname[OWNDNS_NAME_MAX];
	uint16_t qtype, qclass;
	assert_int_equal(owndns_msg_question(&m, 0, qname, NULL, &qtype, &qclass), OWNDNS_OK);
	assert_int_equal(owndns_writer_question(&w, qname, qtype, qclass), OWNDNS_OK);
	int n = 0;
	for (int s = OWNDNS_SECTION_ANSWER; s < OWNDNS_SECTION_COUNT; s++) {
		owndns_rr_iter it;
		owndns_rr_view v;
		owndns_rr rr;
		owndns_rr_iter_init(&it, &m, (owndns_section)s);
		while (owndns_rr_iter_next(&it, &v) == 1) {
			assert_true(n < 16);
			assert_int_equal(owndns_rr_view_to_rr(&m, &v, rr_storage[n],
							      sizeof(rr_storage[n]), &rr),
					 OWNDNS_OK);
			assert_int_equal(owndns_writer_rr(&w, (owndns_section)s, &rr), OWNDNS_OK);
			n++;
		}
	}
	size_t out_len;
	assert_int_equal(owndns_writer_finish(&w, &out_len), OWNDNS_OK);
	assert_int_equal(out_len, want_len);
	assert_memory_equal(out, want, want_len);
}

static void test_write_same_as_dnspython(void **state)
{
	(void)state;
	/* Same compression choices as dnspython: identical 254 octets. */
	roundtrip(RESPONSE_NOSRV_HEX, 512, RESPONSE_NOSRV_HEX);
	roundtrip(RESPONSE_NOSRV_HEX, 254, RESPONSE_NOSRV_HEX);
}

/* Our output for the response with SRV: 11 octets longer than dnspython's because the
 * SRV target is written in full (RFC 2782); dnspython 2.3 parsed it back to the same
 * message (checked once with dns.message.from_wire(...) == original). */
static void test_write_srv_target_uncompressed(void **state)
{
	(void)state;
	char want[1024];
	const char *srv_dnspython = "0000000513c403736970c00c";
	const char *srv_ours = "00000005" "13c4" "03736970076578616d706c6503636f6d00";
	const char *at = strstr(RESPONSE_HEX, "045f736970");
	assert_non_null(at);
	size_t head = (size_t)(at - RESPONSE_HEX);
	/* Our packet: dnspython's with the SRV record's RDATA written out. */
	snprintf(want, sizeof(want), "%.*s045f736970045f746370c00c002100010000003c0017%s%s",
		 (int)head, RESPONSE_HEX, srv_ours,
		 strstr(RESPONSE_HEX, srv_dnspython) + strlen(srv_dnspython));
	roundtrip(RESPONSE_HEX, 1024, want);
	assert_int_equal(strlen(want) / 2, 288 + 11);
}

static void make_rr(owndns_rr *rr, uint8_t *owner_buf, const char *owner, uint16_t type,
		    const void *rdata, size_t rdlen)
{
	name(owner, owner_buf);
	rr->owner = owner_buf;
	rr->type = type;
	rr->rclass = OWNDNS_CLASS_IN;
	rr->ttl = 60;
	rr->rdlen = (uint16_t)rdlen;
	rr->rdata = rdata;
}

static void test_write_compression_case_insensitive(void **state)
{
	(void)state;
	uint8_t out[512], owner[OWNDNS_NAME_MAX], qname[OWNDNS_NAME_MAX];
	uint8_t target[OWNDNS_NAME_MAX];
	owndns_header h = { .id = 7, .flags = OWNDNS_FLAG_QR };
	owndns_msg_writer w;
	owndns_rr rr;
	size_t len;

	name("Example.COM.", qname);
	assert_int_equal(owndns_writer_init(&w, out, sizeof(out), &h), OWNDNS_OK);
	assert_int_equal(owndns_writer_question(&w, qname, OWNDNS_TYPE_NS, 1), OWNDNS_OK);
	/* NS RDATA "NS1.example.com." compresses to "NS1" + pointer to the qname. */
	name("NS1.example.com.", target);
	make_rr(&rr, owner, "example.com.", OWNDNS_TYPE_NS, target, owndns_name_length(target));
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ANSWER, &rr), OWNDNS_OK);
	/* Owner "ns1.EXAMPLE.com." is entirely a pointer to the NS RDATA name. */
	static const uint8_t a[] = { 192, 0, 2, 53 };
	make_rr(&rr, owner, "ns1.EXAMPLE.com.", OWNDNS_TYPE_A, a, 4);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ADDITIONAL, &rr), OWNDNS_OK);
	assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
	uint8_t want[512];
	/* Checked once with dnspython: parses to Example.COM. NS / Example.COM. NS
	 * NS1.Example.COM. / NS1.Example.COM. A 192.0.2.53: every later name is found
	 * case-insensitively (RFC 1035 §4.1.4, RFC 4343) and the first spelling wins. */
	size_t want_len = unhex("000780000001000100000001074578616d706c6503434f4d0000020001"
				"c00c000200010000003c0006034e5331c00c"
				"c029000100010000003c0004c0000235", want, sizeof(want));
	assert_int_equal(len, want_len);
	assert_memory_equal(out, want, want_len);
}

static void test_write_order_and_state(void **state)
{
	(void)state;
	uint8_t out[512], owner[OWNDNS_NAME_MAX], qname[OWNDNS_NAME_MAX];
	static const uint8_t a[] = { 192, 0, 2, 1 };
	owndns_header h = { 0 };
	owndns_msg_writer w;
	owndns_rr rr;

	name("a.", qname);
	make_rr(&rr, owner, "a.", OWNDNS_TYPE_A, a, 4);
	assert_int_equal(owndns_writer_init(&w, out, 11, &h), OWNDNS_ESPACE);
	assert_int_equal(owndns_writer_init(&w, out, sizeof(out), &h), OWNDNS_OK);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_QUESTION, &rr), OWNDNS_EINVAL);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_AUTHORITY, &rr), OWNDNS_OK);
	assert_int_equal(owndns_writer_question(&w, qname, 1, 1), OWNDNS_ESTATE);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ANSWER, &rr), OWNDNS_ESTATE);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_AUTHORITY, &rr), OWNDNS_OK);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ADDITIONAL, &rr), OWNDNS_OK);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_AUTHORITY, &rr), OWNDNS_ESTATE);

	owndns_rr opt = { (const uint8_t *)"", OWNDNS_TYPE_OPT, 1232, 0, 0, NULL };
	owndns_rr tsig = { (const uint8_t *)"", OWNDNS_TYPE_TSIG, OWNDNS_CLASS_ANY, 0, 0, NULL };
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_AUTHORITY, &opt), OWNDNS_EINVAL);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ADDITIONAL, &opt), OWNDNS_OK);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ADDITIONAL, &opt), OWNDNS_ESTATE);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ADDITIONAL, &rr), OWNDNS_ESTATE);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ADDITIONAL, &tsig), OWNDNS_OK);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ADDITIONAL, &tsig), OWNDNS_ESTATE);

	size_t len;
	owndns_writer_header(&w)->id = 0x4242;
	assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
	assert_memory_equal(out, "\x42\x42\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03", 12);
	owndns_msg m;
	assert_int_equal(owndns_msg_open(&m, out, len), OWNDNS_OK);
	assert_int_equal(owndns_msg_trailing(&m), 0);
	assert_int_not_equal(m.opt_pos, 0);
	assert_int_not_equal(m.tsig_pos, 0);
}

static void test_write_malformed_input(void **state)
{
	(void)state;
	uint8_t out[512], owner[OWNDNS_NAME_MAX];
	owndns_header h = { 0 };
	owndns_msg_writer w;
	owndns_rr rr;
	size_t len;
	static const uint8_t bad_name[] = { 0x41, 'a', 0 };
	static const uint8_t mx_short[] = { 0, 10, 3, 'm', 'x' }; /* name runs out */

	assert_int_equal(owndns_writer_init(&w, out, sizeof(out), &h), OWNDNS_OK);
	assert_int_equal(owndns_writer_question(&w, bad_name, 1, 1), OWNDNS_ELABEL_TYPE);
	make_rr(&rr, owner, "a.", OWNDNS_TYPE_MX, mx_short, sizeof(mx_short));
	assert_true(owndns_writer_rr(&w, OWNDNS_SECTION_ANSWER, &rr) < 0);
	make_rr(&rr, owner, "a.", OWNDNS_TYPE_MX, mx_short, 1);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ANSWER, &rr), OWNDNS_ERDATA);
	/* Failed records leave nothing behind. */
	assert_int_equal(owndns_writer_length(&w), 12);
	assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
	assert_int_equal(len, 12);
	assert_memory_equal(out, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
}

/* Writes question + n A records for name%d.example. into a buffer of `cap`. */
static int fill(owndns_msg_writer *w, uint8_t *out, size_t cap, int n, size_t *lens)
{
	static const uint8_t a[] = { 192, 0, 2, 7 };
	uint8_t qname[OWNDNS_NAME_MAX], owner[OWNDNS_NAME_MAX];
	owndns_header h = { .id = 1, .flags = OWNDNS_FLAG_QR };
	owndns_rr rr;
	char text[64];

	assert_int_equal(owndns_writer_init(w, out, cap, &h), OWNDNS_OK);
	name("example.", qname);
	assert_int_equal(owndns_writer_question(w, qname, OWNDNS_TYPE_A, 1), OWNDNS_OK);
	for (int i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "name%d.example.", i);
		make_rr(&rr, owner, text, OWNDNS_TYPE_A, a, 4);
		int rc = owndns_writer_rr(w, OWNDNS_SECTION_ANSWER, &rr);
		if (rc)
			return rc;
		if (lens)
			lens[i] = owndns_writer_length(w);
	}
	return OWNDNS_OK;
}

static void test_write_truncation_exact_boundary(void **state)
{
	(void)state;
	uint8_t big[1024], out[1024];
	size_t lens[8], len;
	owndns_msg_writer w;

	assert_int_equal(fill(&w, big, sizeof(big), 8, lens), OWNDNS_OK);
	/* 12 + 13 (question), then each record: name%d label (6) + pointer (2) + 14. */
	assert_int_equal(lens[0], 25 + 22);
	assert_int_equal(lens[7], 25 + 8 * 22);
	for (int i = 1; i < 8; i++) {
		/* Exactly enough room for i + 1 records: all fit. */
		memset(out, 0xaa, sizeof(out));
		assert_int_equal(fill(&w, out, lens[i], i + 1, NULL), OWNDNS_OK);
		assert_int_equal(owndns_writer_length(&w), lens[i]);
		/* One octet less: the last one is refused and not half written. */
		memset(out, 0xaa, sizeof(out));
		assert_int_equal(fill(&w, out, lens[i] - 1, i + 1, NULL), OWNDNS_ETRUNCATED_MSG);
		assert_int_equal(owndns_writer_length(&w), lens[i - 1]);
		assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
		assert_int_equal(len, lens[i - 1]);
		assert_int_equal(w.hdr.count[OWNDNS_SECTION_ANSWER], i);
		/* The octets written equal the untruncated message's prefix. */
		assert_memory_equal(out + 12, big + 12, len - 12);
		/* Nothing was written past the limit. */
		assert_int_equal(out[lens[i] - 1], 0xaa);
		owndns_msg m;
		assert_int_equal(owndns_msg_open(&m, out, len), OWNDNS_OK);
	}
}

/* A record that did not fit must not leave its names in the compression table:
 * a later record with the same owner is written in full, not as a dangling pointer. */
static void test_write_rollback_forgets_names(void **state)
{
	(void)state;
	uint8_t out[512], owner[OWNDNS_NAME_MAX], qname[OWNDNS_NAME_MAX];
	static uint8_t txt[300];
	static const uint8_t a[] = { 192, 0, 2, 9 };
	owndns_header h = { 0 };
	owndns_msg_writer w;
	owndns_rr rr;
	size_t len;

	name("example.", qname);
	memset(txt, 'x', sizeof(txt));
	txt[0] = 255;
	assert_int_equal(owndns_writer_init(&w, out, 100, &h), OWNDNS_OK);
	assert_int_equal(owndns_writer_question(&w, qname, OWNDNS_TYPE_A, 1), OWNDNS_OK);
	make_rr(&rr, owner, "long-name.example.", OWNDNS_TYPE_TXT, txt, 256);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ANSWER, &rr), OWNDNS_ETRUNCATED_MSG);
	assert_int_equal(w.compress_count, 1); /* example. at 12 */
	make_rr(&rr, owner, "long-name.example.", OWNDNS_TYPE_A, a, 4);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ANSWER, &rr), OWNDNS_OK);
	assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
	assert_int_equal(len, 12 + 13 + 10 + 2 + 14);
	assert_memory_equal(out + 25, "\x09long-name\xc0\x0c\x00\x01", 14);
	owndns_msg m;
	owndns_rr_iter it;
	owndns_rr_view v;
	assert_int_equal(owndns_msg_open(&m, out, len), OWNDNS_OK);
	owndns_rr_iter_init(&it, &m, OWNDNS_SECTION_ANSWER);
	assert_int_equal(owndns_rr_iter_next(&it, &v), 1);
	assert_name(v.owner, v.owner_len, "long-name.example.");
}

/* A caller (the cache's RRset rollback) may wind compress_count back by hand: the
 * names past it must no longer be found, the ones before it still are. */
static void test_write_external_rollback(void **state)
{
	(void)state;
	uint8_t out[512], owner[OWNDNS_NAME_MAX];
	static const uint8_t a[] = { 192, 0, 2, 9 };
	owndns_header h = { 0 };
	owndns_msg_writer w;
	owndns_rr rr;
	size_t len;

	assert_int_equal(owndns_writer_init(&w, out, sizeof(out), &h), OWNDNS_OK);
	make_rr(&rr, owner, "example.", OWNDNS_TYPE_A, a, 4);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ANSWER, &rr), OWNDNS_OK);
	size_t saved_len = w.buf.len;
	uint16_t saved_count = w.compress_count;
	make_rr(&rr, owner, "gone.example.", OWNDNS_TYPE_A, a, 4);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ANSWER, &rr), OWNDNS_OK);
	w.buf.len = saved_len;
	w.compress_count = saved_count;
	w.hdr.count[OWNDNS_SECTION_ANSWER] = 1;
	/* Overwrite the forgotten name's place with other octets. */
	make_rr(&rr, owner, "other.", OWNDNS_TYPE_A, a, 4);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ANSWER, &rr), OWNDNS_OK);
	make_rr(&rr, owner, "gone.example.", OWNDNS_TYPE_A, a, 4);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ANSWER, &rr), OWNDNS_OK);
	assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
	/* example. (9+10+4), other. (7+10+4), gone + pointer to example. */
	assert_int_equal(len, 12 + 23 + 21 + 7 + 14);
	assert_memory_equal(out + 12 + 23 + 21, "\x04gone\xc0\x0c", 7);
	owndns_msg m;
	owndns_rr_iter it;
	owndns_rr_view v;
	assert_int_equal(owndns_msg_open(&m, out, len), OWNDNS_OK);
	owndns_rr_iter_init(&it, &m, OWNDNS_SECTION_ANSWER);
	const char *want[] = { "example.", "other.", "gone.example." };
	for (int i = 0; i < 3; i++) {
		assert_int_equal(owndns_rr_iter_next(&it, &v), 1);
		assert_name(v.owner, v.owner_len, want[i]);
	}
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Worst case for name compression: names of 125 labels that share all but their last
 * label fill a 64 KiB message.  Looking each suffix up by comparing it with every
 * written name cost seconds (a domain owner could stall a forwarder with such an
 * RRset); with the hashed lookup it is linear.  The bound is generous. */
static void test_write_compression_worst_case(void **state)
{
	(void)state;
	static uint8_t out[OWNDNS_MSG_MAX];
	static const uint8_t a[] = { 192, 0, 2, 1 };
	uint8_t owner[OWNDNS_NAME_MAX];
	char text[OWNDNS_NAME_TEXT_MAX];
	owndns_header h = { 0 };
	owndns_msg_writer w;
	owndns_rr rr;
	struct timespec t0;
	size_t len;
	int written = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int round = 0; round < 4; round++) {
		assert_int_equal(owndns_writer_init(&w, out, sizeof(out), &h), OWNDNS_OK);
		for (int i = 0;; i++) {
			size_t n = 0;
			for (int l = 0; l < 124; l++) {
				text[n++] = 'a';
				text[n++] = '.';
			}
			snprintf(text + n, sizeof(text) - n, "%c%c.", 'a' + i % 26, 'a' + i / 26 % 26);
			make_rr(&rr, owner, text, OWNDNS_TYPE_A, a, 4);
			int rc = owndns_writer_rr(&w, OWNDNS_SECTION_ANSWER, &rr);
			if (rc == OWNDNS_ETRUNCATED_MSG)
				break;
			assert_int_equal(rc, OWNDNS_OK);
			written = i + 1;
		}
	}
	double took = seconds_since(&t0);
	assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
	assert_true(len > 60000);
	assert_true(written > 200);
	owndns_msg m;
	owndns_rr_iter it;
	owndns_rr_view v;
	assert_int_equal(owndns_msg_open(&m, out, len), OWNDNS_OK);
	owndns_rr_iter_init(&it, &m, OWNDNS_SECTION_ANSWER);
	for (int i = 0; i < written; i++)
		assert_int_equal(owndns_rr_iter_next(&it, &v), 1);
	assert_int_equal(owndns_rr_iter_next(&it, &v), 0);
	print_message("four worst-case messages: %.3f s\n", took);
	assert_true(took < 0.5);
}

static void test_write_question_truncated(void **state)
{
	(void)state;
	uint8_t out[64], qname[OWNDNS_NAME_MAX];
	owndns_header h = { 0 };
	owndns_msg_writer w;

	name("example.", qname);
	assert_int_equal(owndns_writer_init(&w, out, 12 + 12, &h), OWNDNS_OK);
	assert_int_equal(owndns_writer_question(&w, qname, 1, 1), OWNDNS_ETRUNCATED_MSG);
	assert_int_equal(owndns_writer_length(&w), 12);
	assert_int_equal(w.compress_count, 0);
	assert_int_equal(owndns_writer_init(&w, out, 12 + 13, &h), OWNDNS_OK);
	assert_int_equal(owndns_writer_question(&w, qname, 1, 1), OWNDNS_OK);
	assert_int_equal(owndns_writer_question(&w, qname, 1, 1), OWNDNS_ETRUNCATED_MSG);
}

/* Compression pointers can only reach the first 16 KiB (RFC 1035 §4.1.4: 14 bits). */
static void test_write_pointer_limit(void **state)
{
	(void)state;
	static uint8_t out[OWNDNS_MSG_MAX];
	static uint8_t big[20000];
	uint8_t owner[OWNDNS_NAME_MAX];
	static const uint8_t a[] = { 192, 0, 2, 1 };
	owndns_header h = { 0 };
	owndns_msg_writer w;
	owndns_rr rr;
	size_t len;

	assert_int_equal(owndns_writer_init(&w, out, sizeof(out), &h), OWNDNS_OK);
	make_rr(&rr, owner, "pad.", OWNDNS_TYPE_NULL, big, sizeof(big));
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ANSWER, &rr), OWNDNS_OK);
	size_t far = owndns_writer_length(&w);
	assert_true(far > 0x4000);
	make_rr(&rr, owner, "far.example.", OWNDNS_TYPE_A, a, 4);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ANSWER, &rr), OWNDNS_OK);
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ANSWER, &rr), OWNDNS_OK);
	assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
	/* The second copy cannot point at the first: written in full again. */
	assert_int_equal(len, far + 2 * (13 + 14));
	assert_memory_equal(out + far + 27, "\x03" "far\x07" "example\x00", 13);
	owndns_msg m;
	assert_int_equal(owndns_msg_open(&m, out, len), OWNDNS_OK);
}

static void test_write_reserve(void **state)
{
	(void)state;
	uint8_t out[512];
	owndns_msg_writer w;
	size_t len;

	assert_int_equal(fill(&w, out, 100, 0, NULL), OWNDNS_OK);
	assert_int_equal(owndns_writer_reserve(&w, 76), OWNDNS_ESPACE);
	assert_int_equal(owndns_writer_reserve(&w, 11), OWNDNS_OK);
	assert_int_equal(fill(&w, out, 100, 0, NULL), OWNDNS_OK);
	assert_int_equal(owndns_writer_reserve(&w, 11), OWNDNS_OK);
	assert_int_equal(w.buf.cap, 89);
	/* An OPT too big even for the released reservation: refused, reservation kept. */
	static const uint8_t opt_data[128];
	owndns_rr opt = { (const uint8_t *)"", OWNDNS_TYPE_OPT, 1232, 0, 0, opt_data };
	opt.rdlen = 100 - 25 - 11 + 1;
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ADDITIONAL, &opt),
			 OWNDNS_ETRUNCATED_MSG);
	assert_int_equal(w.reserved, 11);
	assert_int_equal(w.buf.cap, 89);
	assert_int_equal(owndns_writer_length(&w), 25);
	opt.rdlen = 100 - 25 - 11;
	assert_int_equal(owndns_writer_rr(&w, OWNDNS_SECTION_ADDITIONAL, &opt), OWNDNS_OK);
	assert_int_equal(owndns_writer_length(&w), 100);
	assert_int_equal(w.reserved, 0);
	assert_int_equal(w.buf.cap, 100);
	assert_int_equal(owndns_writer_finish(&w, &len), OWNDNS_OK);
	assert_int_equal(len, 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_flags),
		cmocka_unit_test(test_opcode_rcode_names),
		cmocka_unit_test(test_read_response),
		cmocka_unit_test(test_read_short_header),
		cmocka_unit_test(test_read_counts_too_large),
		cmocka_unit_test(test_read_truncated_records),
		cmocka_unit_test(test_read_name_errors),
		cmocka_unit_test(test_read_opt_rules),
		cmocka_unit_test(test_read_tsig_last),
		cmocka_unit_test(test_read_trailing_garbage),
		cmocka_unit_test(test_read_bad_rdata_reported_by_view),
		cmocka_unit_test(test_write_same_as_dnspython),
		cmocka_unit_test(test_write_srv_target_uncompressed),
		cmocka_unit_test(test_write_compression_case_insensitive),
		cmocka_unit_test(test_write_order_and_state),
		cmocka_unit_test(test_write_malformed_input),
		cmocka_unit_test(test_write_truncation_exact_boundary),
		cmocka_unit_test(test_write_rollback_forgets_names),
		cmocka_unit_test(test_write_external_rollback),
		cmocka_unit_test(test_write_compression_worst_case),
		cmocka_unit_test(test_write_question_truncated),
		cmocka_unit_test(test_write_pointer_limit),
		cmocka_unit_test(test_write_reserve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
