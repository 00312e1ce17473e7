/* Unit tests for lib/rdata_svcb.c through the public RDATA API: SVCB/HTTPS SvcParams
 * (RFC 9460, dohpath RFC 9461, ohttp RFC 9540).  Wire forms come from dnspython,
 * texts from dig 9.18 (tests/tools/dig_print.py), so neither side is our own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <owndns/rdata.h>

#include <stdio.h>

#include "rdata_format_support.h"

static const struct roundtrip svcb_roundtrips[] = {
	{ "1 . alpn=\"h2,h3\" ipv4hint=192.0.2.1,192.0.2.2 port=8443 ech=AEP+DQA= mandatory=alpn,port",
	  "0001000000000400010003000100060268320268330003000220fb00040008c0000201c0000202000500050043fe0d00",
	  "1 . mandatory=alpn,port alpn=\"h2,h3\" port=8443 ipv4hint=192.0.2.1,192.0.2.2 ech=AEP+DQA=" },
	{ "1 svc.example. key65000=\"abc\" no-default-alpn alpn=h2 key7=\"/q{?dns}\"",
	  "000103737663076578616d706c65000001000302683200020000000700082f717b3f646e737dfde80003616263",
	  "1 svc.example. alpn=\"h2\" no-default-alpn key7=\"/q{?dns}\" key65000=\"abc\"" },
	{ "0 svc.example.",
	  "000003737663076578616d706c6500",
	  "0 svc.example." },
	{ "1 . alpn=h2",
	  "00010000010003026832",
	  "1 . alpn=\"h2\"" },
	{ "16 foo.example.org. alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1",
	  "001003666f6f076578616d706c65036f7267000000000400010004000100090268320568332d313900040004c0000201",
	  "16 foo.example.org. mandatory=alpn,ipv4hint alpn=\"h2,h3-19\" ipv4hint=192.0.2.1" },
	{ "1 svc.example. ipv6hint=2001:db8::1,::ffff:1.2.3.4 key9=\"a\\000b\\\\c\\\"d e;()\" key10",
	  "000103737663076578616d706c65000006002020010db800000000000000000000000100000000000000000000ffff010203040009000c6100625c63226420653b2829000a0000",
	  "1 svc.example. ipv6hint=2001:db8::1,::ffff:1.2.3.4 key9=\"a\\000b\\\\c\\\"d e;()\" key10" },
	{ "3 . alpn=\"a\\\\\\\\,b,c\\\\\\\\\\\\\\\\d,\\\"x y\\\",\\001\\255;\"",
	  "0003000001001402615c016204635c5c640522782079220301ff3b",
	  "3 . alpn=\"a\\\\\\\\,b,c\\\\\\\\\\\\\\\\d,\\\"x\\032y\\\",\\001\\255;\"" },
	{ "3 . alpn=a\\\\,b\\044c",
	  "0003000001000603612c620163",
	  "3 . alpn=\"a\\\\,b,c\"" },
	{ "3 . alpn=\"f\\\\\\\\oo\\\\,bar,h2\"",
	  "0003000001000c08665c6f6f2c626172026832",
	  "3 . alpn=\"f\\\\\\\\oo\\\\,bar,h2\"" },
	{ "3 . alpn=f\\\\\\092oo\\092,bar,h2",
	  "0003000001000c08665c6f6f2c626172026832",
	  "3 . alpn=\"f\\\\\\\\oo\\\\,bar,h2\"" },
	{ "4 . ipv6hint=::1 mandatory=key7,ipv6hint,key65535 key7=\"/{?dns}\" key65535 port=0",
	  "0004000000000600060007ffff0003000200000006001000000000000000000000000000000001000700072f7b3f646e737dffff0000",
	  "4 . mandatory=ipv6hint,key7,key65535 port=0 ipv6hint=::1 key7=\"/{?dns}\" key65535" },
	{ "1 . port=\"53\"",
	  "000100000300020035",
	  "1 . port=53" },
	{ "1 . key3=\"\\000\\053\"",
	  "000100000300020035",
	  "1 . port=53" },
	{ "1 . key1=\"\\002h2\" key2",
	  "0001000001000302683200020000",
	  "1 . alpn=\"h2\" no-default-alpn" },
	{ "1 . ech=\"AA==\"",
	  "0001000005000100",
	  "1 . ech=AA==" },
	{ "1 . key65535=\"\\255\\000\" key0=\"\\000\\001\" key1=\\003abc",
	  "0001000000000200010001000403616263ffff0002ff00",
	  "1 . mandatory=alpn alpn=\"abc\" key65535=\"\\255\\000\"" },
	{ "1 . ipv4hint=\"192.0.2.1\"",
	  "00010000040004c0000201",
	  "1 . ipv4hint=192.0.2.1" },
	{ "1 . key123=a\\ b\\\"",
	  "000100007b000461206222",
	  "1 . key123=\"a b\\\"\"" },
	{ "2 . key9=\"\"",
	  "00020000090000",
	  "2 . key9" },
	{ "1 . alpn=\"h2\" no-default-alpn=\"\"",
	  "0001000001000302683200020000",
	  "1 . alpn=\"h2\" no-default-alpn" },
};

static void test_svcb_roundtrips(void **state)
{
	(void)state;
	check_roundtrips(OWNDNS_TYPE_SVCB, svcb_roundtrips, COUNT(svcb_roundtrips));
}

static void test_https_uses_same_params(void **state)
{
	(void)state;
	assert_text_gives_wire(OWNDNS_TYPE_HTTPS, "1 . alpn=h2,h3 port=8443",
			       "000100000100060268320268330003000220fb");
	assert_wire_gives_text(OWNDNS_TYPE_HTTPS, "000100000100060268320268330003000220fb",
			       "1 . alpn=\"h2,h3\" port=8443");
}

/* RFC 9461 and RFC 9540 names are accepted; dig 9.18 prints them as key7 / key8. */
static void test_dohpath_and_ohttp_names(void **state)
{
	(void)state;
	assert_text_gives_wire(OWNDNS_TYPE_SVCB, "1 . dohpath=/q{?dns}",
			       "000100000700082f717b3f646e737d");
	assert_text_gives_wire(OWNDNS_TYPE_SVCB, "1 . DOHPATH=\"/q{?dns}\"",
			       "000100000700082f717b3f646e737d");
	assert_text_gives_wire(OWNDNS_TYPE_SVCB, "1 . ohttp", "00010000080000");
	assert_text_gives_wire(OWNDNS_TYPE_SVCB, "1 . ohttp=\"\" alpn=h2",
			       "000100000100030268320008" "0000");
	assert_wire_gives_text(OWNDNS_TYPE_SVCB, "00010000080000", "1 . key8");
	assert_text_gives_wire(OWNDNS_TYPE_SVCB, "1 . mandatory=ohttp,dohpath ohttp dohpath=/{?dns}",
			       "000100" "000000040007" "0008" "0007" "00072f7b3f646e737d" "00080000");
	assert_wire_gives_text(OWNDNS_TYPE_SVCB,
			       "000100" "000000040007" "0008" "0007" "00072f7b3f646e737d" "00080000",
			       "1 . mandatory=key7,key8 key7=\"/{?dns}\" key8");
}

/* Wire forms built by hand; the texts are what dig 9.18 printed for them. */
static const struct wire_text svcb_wire_texts[] = {
	{ "000100" "00080000" "00090003612062", "1 . key8 key9=\"a b\"" },
	{ "000100" "0009000a00015c2c223b28292040", "1 . key9=\"\\000\\001\\\\,\\\";() @\"" },
	{ "000100" "0001000903612c62015c02202c", "1 . alpn=\"a\\\\,b,\\\\\\\\,\\032\\\\,\"" },
	{ "000100" "00010004" "0322013b", "1 . alpn=\"\\\"\\001;\"" },
	{ "000100" "0001000d0c28293b402409207f7e5c2c22",
	  "1 . alpn=\"();@$\\009\\032\\127~\\\\\\\\\\\\,\\\"\"" },
	{ "000100" "0009000c28293b402409207f7e5c2c22",
	  "1 . key9=\"();@$\\009 \\127~\\\\,\\\"\"" },
	{ "000100" "00010002" "01ff", "1 . alpn=\"\\255\"" },
	{ "000100" "00050000", "1 . ech" },
	{ "000100" "0005000100", "1 . ech=AA==" },
	{ "000100" "00030002ffff", "1 . port=65535" },
	{ "000100" "0006001000000000000000000000ffff01020304", "1 . ipv6hint=::ffff:1.2.3.4" },
	{ "000100" "ffff0000", "1 . key65535" },
	{ "000100" "ff00000141", "1 . key65280=\"A\"" },
	{ "000100" "0000000400010008" "00010003026832" "00080000",
	  "1 . mandatory=alpn,key8 alpn=\"h2\" key8" },
	{ "000100" "000700092f7b3f646e737dc3a9", "1 . key7=\"/{?dns}\\195\\169\"" },
	{ "000100" "0007000b2f787b3f78782c646e737d", "1 . key7=\"/x{?xx,dns}\"" },
	{ "000100" "000700072f787b646e737d", "1 . key7=\"/x{dns}\"" },
	{ "000100" "000700082f787b2b646e737d", "1 . key7=\"/x{+dns}\"" },
	{ "000100" "0007000a2f787b3f646e733a337d", "1 . key7=\"/x{?dns:3}\"" },
	{ "000100" "000700092f787b3f646e732a7d", "1 . key7=\"/x{?dns*}\"" },
	{ "000100" "00010003026832" "00020000" "000300020035" "000400080102030405060708"
	  "000500020102" "00060020" "00000000000000000000000000000001"
	  "ffff0000000000000000000000000001",
	  "1 . alpn=\"h2\" no-default-alpn port=53 ipv4hint=1.2.3.4,5.6.7.8 ech=AQI= "
	  "ipv6hint=::1,ffff::1" },
};

static void test_svcb_wire_to_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(svcb_wire_texts); i++) {
		assert_wire_status(OWNDNS_TYPE_SVCB, svcb_wire_texts[i].wire, OWNDNS_OK);
		assert_wire_gives_text(OWNDNS_TYPE_SVCB, svcb_wire_texts[i].wire,
				       svcb_wire_texts[i].dig);
	}
}

/* Each of these made dig 9.18 reject the whole message. */
static const struct wire_error svcb_bad_wires[] = {
	/* order and duplicates */
	{ "000100" "000300020035" "00010003026832", OWNDNS_ESVCPARAM },
	{ "000100" "00010003026832" "000300020035" "000300020036", OWNDNS_ESVCPARAM },
	/* mandatory */
	{ "000100" "00000000", OWNDNS_ESVCPARAM },
	{ "000100" "000000020000" "00010003026832", OWNDNS_ESVCPARAM },
	{ "000100" "000000020001", OWNDNS_ESVCPARAM },
	{ "000100" "0000000400010001" "00010003026832", OWNDNS_ESVCPARAM },
	{ "000100" "0000000400030001" "00010003026832" "000300020035", OWNDNS_ESVCPARAM },
	{ "000100" "00000003000100" "00010003026832", OWNDNS_ESVCPARAM },
	/* alpn */
	{ "000100" "00010000", OWNDNS_ESVCPARAM },
	{ "000100" "0001000100", OWNDNS_ESVCPARAM },
	{ "000100" "00010007" "02683202683300", OWNDNS_ESVCPARAM },
	{ "000100" "00010002" "0268", OWNDNS_ESVCPARAM },
	/* no-default-alpn: empty, and only with alpn */
	{ "000100" "00020000", OWNDNS_ESVCPARAM },
	{ "000100" "00010003026832" "0002000100", OWNDNS_ESVCPARAM },
	/* port */
	{ "000100" "00030000", OWNDNS_ESVCPARAM },
	{ "000100" "0003000101", OWNDNS_ESVCPARAM },
	{ "000100" "00030003000100", OWNDNS_ESVCPARAM },
	/* address hints */
	{ "000100" "00040000", OWNDNS_ESVCPARAM },
	{ "000100" "000400050102030405", OWNDNS_ESVCPARAM },
	{ "000100" "00060000", OWNDNS_ESVCPARAM },
	{ "000100" "00060011" "0000000000000000000000000000000001", OWNDNS_ESVCPARAM },
	/* dohpath: "/" first, UTF-8, a template using "dns" */
	{ "000100" "00070000", OWNDNS_ESVCPARAM },
	{ "000100" "000700012f", OWNDNS_ESVCPARAM },
	{ "000100" "000700072f717b3f646e7d", OWNDNS_ESVCPARAM },
	{ "000100" "00070007787b3f646e737d", OWNDNS_ESVCPARAM },
	{ "000100" "000700092f787b3f646e737d7b", OWNDNS_ESVCPARAM },
	{ "000100" "000700082f7b3f646e737dff", OWNDNS_ESVCPARAM },
	{ "000100" "000700082f7b3f646e737dc3", OWNDNS_ESVCPARAM },
	{ "000100" "000700092f7b3f646e737dc0af", OWNDNS_ESVCPARAM },
	/* ohttp: empty (RFC 9540 §4) */
	{ "000100" "0008000100", OWNDNS_ESVCPARAM },
	/* truncated parameter header and value */
	{ "000100" "000100", OWNDNS_ETRUNCATED },
	{ "000100" "0009000561", OWNDNS_ETRUNCATED },
};

static void test_svcb_bad_wire(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(svcb_bad_wires); i++)
		assert_wire_rejected(OWNDNS_TYPE_SVCB, svcb_bad_wires[i].wire,
				     svcb_bad_wires[i].status);
}

static const struct text_error svcb_bad_texts[] = {
	{ "1 . alpn=h2 alpn=h3", OWNDNS_ESVCPARAM },
	{ "1 . port=1 key3=\\000\\002", OWNDNS_ESVCPARAM },
	{ "1 . alpn", OWNDNS_ESVCPARAM },
	{ "1 . alpn=", OWNDNS_ESVCPARAM },
	{ "1 . alpn=\"\"", OWNDNS_ESVCPARAM },
	{ "1 . alpn=h2,", OWNDNS_ESVCPARAM },
	{ "1 . alpn=,h2", OWNDNS_ESVCPARAM },
	{ "1 . alpn=h2,,h3", OWNDNS_ESVCPARAM },
	{ "1 . alpn=h2\\", OWNDNS_ESYNTAX },
	{ "1 . alpn=\"h2\\\\\"", OWNDNS_EESCAPE },
	{ "1 . alpn=\\256", OWNDNS_EESCAPE },
	{ "1 . foo=bar", OWNDNS_ESVCPARAM },
	{ "1 . key01=x", OWNDNS_ESVCPARAM },
	{ "1 . key65536=x", OWNDNS_ESVCPARAM },
	{ "1 . key=x", OWNDNS_ESVCPARAM },
	{ "1 . =x", OWNDNS_ESVCPARAM },
	{ "1 . \"alpn=h2\"", OWNDNS_ESVCPARAM },
	{ "1 . port=65536", OWNDNS_ENUMBER },
	{ "1 . port=8a", OWNDNS_ENUMBER },
	{ "1 . port=", OWNDNS_ESVCPARAM },
	{ "1 . ipv4hint=1.2.3", OWNDNS_EIPV4 },
	{ "1 . ipv4hint=1.2.3.4,", OWNDNS_ESVCPARAM },
	{ "1 . ipv6hint=1.2.3.4", OWNDNS_EIPV6 },
	{ "1 . ech=AAA", OWNDNS_EBASE64 },
	{ "1 . ech=AA==AA==", OWNDNS_EBASE64 },
	{ "1 . mandatory=mandatory", OWNDNS_ESVCPARAM },
	{ "1 . mandatory=port", OWNDNS_ESVCPARAM },
	{ "1 . mandatory=port,port port=1", OWNDNS_ESVCPARAM },
	{ "1 . mandatory=foo", OWNDNS_ESVCPARAM },
	{ "1 . no-default-alpn", OWNDNS_ESVCPARAM },
	{ "1 . no-default-alpn=x alpn=h2", OWNDNS_ESVCPARAM },
	{ "1 . dohpath=/q", OWNDNS_ESVCPARAM },
	{ "1 . dohpath=q{?dns}", OWNDNS_ESVCPARAM },
	{ "1 . ohttp=x", OWNDNS_ESVCPARAM },
	{ "1 . alpn=h2 key1=\\002h3", OWNDNS_ESVCPARAM },
	{ "1 . key1=\\003h2", OWNDNS_ESVCPARAM },
};

static void test_svcb_bad_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(svcb_bad_texts); i++)
		assert_text_status(OWNDNS_TYPE_SVCB, svcb_bad_texts[i].text, svcb_bad_texts[i].status);
}

/* Keys are sorted on the way to the wire whatever the text order, also with many. */
static void test_svcb_sorts_many_keys(void **state)
{
	(void)state;
	char text[8192] = "1 .";
	char expected[8192] = "000100";
	for (int key = 300; key >= 10; key--) {
		size_t len = strlen(text);
		snprintf(text + len, sizeof(text) - len, " key%d", key);
	}
	for (int key = 10; key <= 300; key++) {
		size_t len = strlen(expected);
		snprintf(expected + len, sizeof(expected) - len, "%04x0000", key);
	}
	assert_text_gives_wire(OWNDNS_TYPE_SVCB, text, expected);
}

/* A value may be one quoted token after "key=", or quoted inside the token. */
static void test_svcb_value_forms(void **state)
{
	(void)state;
	const char *forms[] = {
		"1 . key9=a\\ b", "1 . key9=\"a b\"", "1 . key9=\"a\\032b\"", "1 . key9=a\\032b",
		"1 . ( key9=\"a b\" )",
	};
	for (size_t i = 0; i < COUNT(forms); i++)
		assert_text_gives_wire(OWNDNS_TYPE_SVCB, forms[i], "000100" "00090003612062");
	/* RFC 9460 Appendix A.1: unquoted "\," is a separator after the first decoding. */
	assert_text_gives_wire(OWNDNS_TYPE_SVCB, "1 . alpn=a\\,b", "000100" "0001000401610162");
	assert_text_gives_wire(OWNDNS_TYPE_SVCB, "1 . alpn=a\\\\,b", "000100" "00010004" "03612c62");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svcb_roundtrips),
		cmocka_unit_test(test_https_uses_same_params),
		cmocka_unit_test(test_dohpath_and_ohttp_names),
		cmocka_unit_test(test_svcb_wire_to_text),
		cmocka_unit_test(test_svcb_bad_wire),
		cmocka_unit_test(test_svcb_bad_text),
		cmocka_unit_test(test_svcb_sorts_many_keys),
		cmocka_unit_test(test_svcb_value_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
