#!/usr/bin/python3
"""Generate tests/data/rr_corpus.txt: RDATA test vectors from an independent implementation.

Every valid record below is parsed by dnspython (2.3), which gives the uncompressed
wire RDATA; the records are then served to dig, whose presentation of each RDATA is
recorded too (dig is the ground truth for owndns_rdata_to_text).  Invalid texts and
invalid wire forms are checked to be rejected by dnspython as well; where dnspython
accepts one that an RFC forbids, the entry says so and the RFC wins.

    /usr/bin/python3 tests/data/gen_rr_corpus.py            # rewrites rr_corpus.txt
    /usr/bin/python3 tests/data/gen_rr_corpus.py --no-dig   # keeps no dig column

Output format (one entry per line, fields separated by one TAB; '#' lines are comments):

    ok       TYPE  typenum  rdata-text  wire-hex  dig-text
    badtext  TYPE  typenum  rdata-text  reason
    badwire  TYPE  typenum  wire-hex    reason

rdata-text and dig-text are percent-escaped for the three octets that cannot stand in
one TAB-separated line: "%" is written "%25", TAB "%09" and newline "%0A"; nothing else
is escaped (backslashes are the DNS presentation escapes, kept as they are).  wire-hex
is lower-case hex of the uncompressed RDATA ("-" when empty).  dig-text is "-" when dig
was not run.  rdata-text names are absolute, or relative to the root.
"""
import os
import re
import socket
import subprocess
import sys
import threading

import dns.exception
import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.wire

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "rr_corpus.txt")

L63 = "a" * 63
MAXNAME = "%s.%s.%s.%s." % ("a" * 63, "b" * 63, "c" * 63, "d" * 61)   # 255 octets on the wire
S255 = "x" * 255
B64_KEY = ("AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5e"
           "mLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLH"
           "wVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXx"
           "uOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU=")
HASH20 = "2T7B4G4VSA5SMI47K61MV5BV1A22BOJR"   # base32hex of 20 octets
SHA256 = "E2D3C916F6DEEAC73294E8268FB5885044A833FC5459588F4A9184CFC41A5766"

# RFC 4034 §3.1.5: 2100-01-01 00:00:00 minus 2^32 seconds is 1963-11-25 17:31:44.
RRSIG_1963 = "A 8 3 300 19631125173144 20240101000000 12345 example. AAAA"
RRSIG_2100 = "A 8 3 300 21000101000000 20240101000000 12345 example. AAAA"

# (type, rdata text, comment).  A comment starting with "RFC" explains a choice.
VALID = [
    ("A", "1.2.3.4", ""), ("A", "0.0.0.0", ""), ("A", "255.255.255.255", ""),
    ("A", "127.0.0.1", ""),
    ("NS", "ns1.example.", ""), ("NS", ".", "root name"), ("NS", "NS.Example.COM.", "case kept"),
    ("NS", MAXNAME, "255-octet name"), ("NS", L63 + ".example.", "63-octet label"),
    ("NS", r"a\.b.example.", "escaped dot inside a label"),
    ("NS", r"a\\b.example.", "escaped backslash"),
    ("NS", r"\000\001\255.example.", "\\DDD escapes of non-printables"),
    ("NS", r"\@\$\(\)\;\".example.", "specials escaped"),
    ("NS", r"\065b\067.example.", "\\DDD of printable letters"),
    ("NS", "relative", "relative name, origin is the root"),
    ("NS", "a\\ b.example.", "escaped space"),
    ("CNAME", "target.example.", ""), ("CNAME", "*.wild.example.", "wildcard label"),
    ("CNAME", "-_x.example.", "non-LDH characters"),
    ("SOA", "ns.example. hostmaster.example. 2024010101 7200 3600 1209600 300", ""),
    ("SOA", ". . 0 0 0 0 0", "root names, zero numbers"),
    ("SOA", "ns.example. host\\.master.example. 4294967295 4294967295 1 2 3", "max serial, escaped dot"),
    ("SOA", "ns.example. hm.example. (\n 1 ; serial\n 2 ; refresh\n 3 4 5 )", "multi-line with comments"),
    ("SOA", "ns.example. hm.example. 1 1h 30m 1w 1d", "TTL units in SOA timers: a BIND extension that dnspython shares"),
    ("PTR", "4.3.2.1.in-addr.arpa.", ""), ("PTR", "host.example.", ""),
    ("HINFO", "\"PC-Intel-700mhz\" \"Linux 2.4\"", ""), ("HINFO", "\"\" \"\"", "empty strings"),
    ("HINFO", "cpu os", "unquoted"),
    ("MINFO", "rmail.example. email.example.", ""), ("MINFO", ". .", ""),
    ("MX", "10 mail.example.", ""), ("MX", "0 .", "null MX (RFC 7505)"),
    ("MX", "65535 mx.example.", "max preference"),
    ("TXT", "\"hello world\"", ""), ("TXT", "\"\"", "one empty string"),
    ("TXT", "unquoted", ""), ("TXT", "a b c", "three unquoted strings"),
    ("TXT", r'"quote \" inside"', ""), ("TXT", r'"back\\slash"', ""),
    ("TXT", r'"\000\010\127\255"', "\\DDD non-printables"),
    ("TXT", r'"\h\e\l\l\o"', "\\X of ordinary letters"),
    ("TXT", '"%s"' % S255, "255-octet string"),
    ("TXT", " ".join('"s%d"' % i for i in range(100)), "100 strings"),
    ("TXT", " ".join(['"%s"' % S255] * 4), "four 255-octet strings"),
    ("TXT", '"semi;colon" "(paren)"', "specials inside quotes"),
    ("TXT", '"tab\there"', "literal TAB inside quotes"),
    ("TXT", '"caf\\195\\169"', "UTF-8 as \\DDD"),
    ("TXT", '( "multi"\n "line" )', "parentheses over lines"),
    ("TXT", 'a\\ b', "escaped blank in unquoted string"),
    ("TXT", '"v=spf1 -all" ""', "string then empty string"),
    ("RP", "mbox.example. txt.example.", ""), ("RP", ". .", ""),
    ("AFSDB", "1 afs.example.", ""), ("AFSDB", "2 dce.example.", ""),
    ("AAAA", "::", "all zero"), ("AAAA", "::1", ""), ("AAAA", "2001:db8::1", ""),
    ("AAAA", "2001:0db8:0000:0000:0000:0000:0000:0001", "full form"),
    ("AAAA", "::ffff:1.2.3.4", "IPv4-mapped"), ("AAAA", "1::", ""),
    ("AAAA", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ""),
    ("AAAA", "2001:db8:0:1:0:0:0:1", "zero runs of different length"),
    ("AAAA", "2001:DB8::ABCD", "upper case"), ("AAAA", "::1.2.3.4", "IPv4-compatible"),
    ("AAAA", "1:0:0:2::3", ""), ("AAAA", "1:2:3:4:5:6:7::", ""),
    ("LOC", "60 9 0.000 N 24 39 0.000 E 10.00m 20.00m 2000.00m 20.00m", ""),
    ("LOC", "42 21 54 N 71 6 18 W -24m 30m", "RFC 1876 example, defaults for precision"),
    ("LOC", "42 21 43.528 N 71 5 6.284 W 12m 1m 200m 10m", ""),
    ("LOC", "33 52 S 151 12 E 50m", "south/east, minutes only"),
    ("LOC", "0 N 0 E 0m", "degrees only, equator"),
    ("LOC", "90 0 0 N 180 0 0 W 0m", "pole, antimeridian"),
    ("LOC", "90 S 180 E -100000.00m 0m 0m 0m", "lowest altitude, zero sizes"),
    ("LOC", "1 2 3.001 S 4 5 6.999 W 42849672.95m 90000000m 90000000m 90000000m", "max altitude and sizes"),
    ("LOC", "52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000.00m 10.00m", ""),
    ("LOC", "12 34 56.789 N 98 7 6.5 W 0.5m 0.01m 1m 1m", "fractional altitude and sizes"),
    ("SRV", "0 5 5060 sip.example.", ""), ("SRV", "65535 65535 65535 .", "max numbers, root target"),
    ("NAPTR", "100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .", ""),
    ("NAPTR", "0 0 \"\" \"\" \"\" replace.example.", "empty strings"),
    ("NAPTR", "10 20 \"s\" \"SIP+D2U\" \"\" _sip._udp.example.", ""),
    ("KX", "10 kx.example.", ""),
    ("CERT", "1 12345 8 " + B64_KEY[:64], "numeric type"),
    ("CERT", "PKIX 0 0 AAAA", "mnemonic type"), ("CERT", "PGP 1 RSASHA256 AAECAw==", "algorithm mnemonic"),
    ("CERT", "65535 65535 255 AA==", ""),
    ("DNAME", "target.example.", ""), ("DNAME", ".", ""),
    ("APL", "1:192.168.32.0/21 !1:192.168.38.0/28", "RFC 3123 example"),
    ("APL", "1:224.0.0.0/4 2:FF00:0:0:0:0:0:0:0/8", ""),
    ("APL", "", "empty APL"), ("APL", "!1:0.0.0.0/0", "negated, zero prefix"),
    ("APL", "1:10.0.0.1/32 2:2001:db8::1/128", "full-length prefixes"),
    ("APL", "2:::/0", "IPv6 zero prefix"), ("APL", "1:192.168.0.0/16", "trailing zero octets dropped"),
    ("DS", "12345 8 2 " + SHA256, ""), ("DS", "1 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118", ""),
    ("DS", "60485 RSASHA1 1 2BB183AF5F22588179A53B0A98631FAD1A292118", "algorithm mnemonic"),
    ("DS", "12345 8 2 ( " + SHA256[:32] + "\n " + SHA256[32:] + " )", "hex split over lines"),
    ("DS", "12345 8 2 " + SHA256.lower(), "lower-case hex"),
    ("SSHFP", "1 1 123456789ABCDEF67890123456789ABCDEF67890", ""),
    ("SSHFP", "4 2 " + SHA256, ""), ("SSHFP", "1 1 12345678 9ABCDEF6 7890123456789ABC DEF67890", "hex split over tokens"),
    ("IPSECKEY", "10 0 2 . AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==", "no gateway"),
    ("IPSECKEY", "10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==", "IPv4 gateway"),
    ("IPSECKEY", "10 2 2 2001:0DB8:0:8002::2000:1 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==", "IPv6 gateway"),
    ("IPSECKEY", "10 3 2 mygateway.example.com. AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==", "name gateway"),
    ("IPSECKEY", "0 0 0 .", "no gateway, no key (RFC 4025 §2.6: key may be absent)"),
    ("IPSECKEY", "255 3 1 . AQID", "root name gateway"),
    ("RRSIG", "A 8 3 300 20240201000000 20240101000000 12345 example. " + B64_KEY[:88], ""),
    ("RRSIG", "TYPE65280 13 0 0 19700101000000 20380119031408 0 . AAAA", "unknown type covered, epoch limits"),
    ("RRSIG", "NSEC 5 2 86400 1700000000 1600000000 1 example. AAAA", "times as seconds"),
    ("RRSIG", "SOA 8 1 4294967295 20400101000000 20240101000000 65535 x. ( AAAA\n BBBB )", "base64 split, time after 2038 (dig prints times by serial arithmetic, RFC 4034 §3.1.5: keep within 68 years of now)"),
    ("NSEC", "next.example. A NS SOA MX RRSIG NSEC DNSKEY", ""),
    ("NSEC", ". A TYPE65534", "two windows, last type of window 255"),
    ("NSEC", "x.example. A AAAA TYPE255 URI CAA TYPE1234 TYPE32768 TYPE65535", "many windows"),
    ("NSEC", "x.example. TYPE1 TYPE1", "repeated type"),
    ("NSEC", "x.example. CAA A", "unsorted input"),
    ("DNSKEY", "257 3 8 " + B64_KEY, ""), ("DNSKEY", "256 3 RSASHA256 AQID", "algorithm mnemonic"),
    ("DNSKEY", "0 0 0 AA==", ""),
    ("DNSKEY", "257 3 13 ( " + B64_KEY[:40] + "\n " + B64_KEY[40:88] + " )", "base64 split over lines"),
    ("DHCID", "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=", ""),
    ("DHCID", "AAEBOSD+XR3Os/0LozeXVqcNc7FwCfQdWL3b/NaiUDlW2No=", ""),
    ("NSEC3", "1 1 12 AABBCCDD " + HASH20 + " A RRSIG", ""),
    ("NSEC3", "1 0 0 - " + HASH20, "empty salt, empty bitmap"),
    ("NSEC3", "1 1 65535 " + "ab" * 255 + " " + HASH20 + " NS SOA TYPE65534", "255-octet salt"),
    ("NSEC3", "1 0 0 - " + HASH20.lower() + " A", "lower-case base32"),
    ("NSEC3", "255 255 1 - VS", "one-octet hash"),
    ("NSEC3PARAM", "1 0 0 -", ""), ("NSEC3PARAM", "1 1 10 D399EAAB", ""),
    ("NSEC3PARAM", "1 0 0 " + "00" * 255, "255-octet salt"),
    ("TLSA", "3 1 1 " + SHA256, ""), ("TLSA", "0 0 0 00", ""), ("TLSA", "255 255 255 AB CD", "hex split"),
    ("SMIMEA", "3 1 1 " + SHA256, ""), ("SMIMEA", "0 0 0 DEADBEEF", ""),
    ("CDS", "12345 8 2 " + SHA256, ""), ("CDS", "0 0 0 00", "delete request (RFC 8078 §4)"),
    ("CDNSKEY", "257 3 8 " + B64_KEY, ""), ("CDNSKEY", "0 3 0 AA==", "delete request (RFC 8078 §4)"),
    ("OPENPGPKEY", B64_KEY, ""), ("OPENPGPKEY", "AQID BAUG", "base64 split"),
    ("CSYNC", "66 3 A NS AAAA", "RFC 7477 example"), ("CSYNC", "0 0", "empty bitmap"),
    ("CSYNC", "4294967295 65535 TYPE65535", ""),
    ("ZONEMD", "2018031500 1 1 " + "FEBE3D4CE2EC2FFA4BA99D46CD69D6D29711E55217057BEE7EB1A7B641A47BA7FED2DD5B97AE499FAFA4F22C6BD647DE", ""),
    ("ZONEMD", "1 1 2 " + "00" * 64, "SHA-512"),
    ("ZONEMD", "0 1 240 " + "01" * 12, "private hash algorithm, minimum digest length (RFC 8976 §2.2.4)"),
    ("SVCB", "0 svc.example.", "alias mode"), ("SVCB", "0 .", "alias mode, root target"),
    ("SVCB", "1 .", "service mode, no params"),
    ("SVCB", "1 svc.example. alpn=h2,h3 port=8443 ipv4hint=192.0.2.1,192.0.2.2 ipv6hint=2001:db8::1,2001:db8::2", ""),
    ("SVCB", "1 . mandatory=alpn,port alpn=h3 port=443", "mandatory"),
    ("SVCB", "1 . no-default-alpn alpn=h2", "flag key"),
    ("SVCB", "1 . ech=AEn+DQBFKwAgACABWIHUGj4u+PIggYXcR5JF0gYk3dCRioBW8uJq9H4mKAAIAAEAAQABAANAEnB1YmxpYy50bHMtZWNoLmRldgAA", "ech"),
    ("SVCB", "1 . key667=hello", "unknown key"), ("SVCB", "1 . key667=\"hello\\210qoo\"", "quoted value with \\DDD"),
    ("SVCB", "1 . key65000", "unknown key without value"),
    ("SVCB", "1 . key7=\"/dns-query{?dns}\"", "dohpath (RFC 9461) by number"),
    ("SVCB", "16 foo.example.org. alpn=\"f\\\\\\\\oo\\\\,bar,h2\"", "RFC 9460 Appendix D.2: escaped comma in alpn"),
    ("SVCB", "16 foo.example.org. alpn=f\\\\\\092oo\\092,bar,h2", "RFC 9460 Appendix D.2, unquoted"),
    ("SVCB", "1 . port=\"53\"", "quoted number"),
    ("SVCB", "1 . port=443 alpn=h2", "keys out of order (sorted on the wire)"),
    ("SVCB", "1 . ipv6hint=::ffff:1.2.3.4", ""),
    ("SVCB", "1 . mandatory=ipv4hint alpn=h2 ipv4hint=1.2.3.4 key9999=\"a b\"", "quoted value with a space"),
    ("SVCB", "65535 . alpn=h2 no-default-alpn port=0 ipv4hint=0.0.0.0 ech=AA== ipv6hint=:: key65534=\"\"", "all keys"),
    ("HTTPS", "1 . alpn=h3,h2", ""), ("HTTPS", "0 cdn.example.", "alias mode"),
    ("HTTPS", "1 . ech=\"AEn+DQBFKwAgACABWIHUGj4u+PIggYXcR5JF0gYk3dCRioBW8uJq9H4mKAAIAAEAAQABAANAEnB1YmxpYy50bHMtZWNoLmRldgAA\"", "quoted ech"),
    ("HTTPS", "2 svc.example. ( alpn=h2\n port=8443 )", "multi-line"),
    ("SPF", "\"v=spf1 -all\"", ""), ("SPF", "\"a\" \"b\"", ""),
    ("EUI48", "00-00-5e-00-53-2a", ""), ("EUI48", "FF-FF-FF-FF-FF-FF", "upper case"),
    ("EUI64", "00-00-5e-ef-10-00-00-2a", ""),
    ("URI", "10 1 \"ftp://ftp1.example.com/public\"", ""),
    ("URI", "0 0 \"https://example.com/a b\\\"c\"", "space and quote in target"),
    ("CAA", "0 issue \"letsencrypt.org\"", ""), ("CAA", "128 tbs \"Unknown\"", "critical flag"),
    ("CAA", "0 iodef \"mailto:security@example.com\"", ""),
    ("CAA", "0 issue \";\"", "RFC 8659: empty issuer"), ("CAA", "0 issue \"\"", "empty value"),
    ("CAA", "0 issuewild \"ca.example; account=123 policy=ev\"", "value with spaces"),
    ("CAA", "255 a1B2 \"x\"", "all flags, mixed-case tag"),
    ("CAA", "0 issue \"\\\"q\\\"\"", "escaped quotes in value"),
    ("RRSIG", RRSIG_1963, "RFC 4034 §3.1.5: 2100-01-01, which dig prints as 1963 by serial arithmetic, must read back (modulo 2^32)"),
    ("NSEC", "x.example. TYPE0", "RFC 4034 §4.1.2: TYPE0 alone; dig prints and reads it (dnspython refuses TYPE0 in text)"),
    ("WKS", "192.0.2.1 6 21 25 80", ""), ("WKS", "10.0.0.1 17", "no ports"),
    ("WKS", "192.0.2.1 tcp 0 65535", "protocol mnemonic, first and last port"),
    ("NSAP", "0x47000580ffff000000321099991111222233334444", "RFC 1706 example"),
    ("NSAP", "0x47.0005.80.ffff.0000.0032.1099.9911.1122.2233.3344.44", "dots (RFC 1706 §6)"),
    ("NSAP-PTR", "foo.example.", ""),
    ("GPOS", "-32.6882 116.8652 10.0", "RFC 1712 example"),
    ("GPOS", "\"-22.6882\" \"116.8652\" \"250.0\"", "quoted"),
    ("A6", "0 2001:db8::1", "no prefix"), ("A6", "64 ::1:2:3:4 prefix.example.", ""),
    ("A6", "65 ::7f00:0:0:1 p.example.", "prefix not on an octet boundary"),
    ("A6", "128 prefix.example.", "all of the address in the prefix (dig prints two blanks)"),
    ("HIP", "2 200100107B1A74DF365639CC39F1D578 " + B64_KEY + " rvs.example.com.", "RFC 8005 example layout"),
    ("HIP", "2 200100107B1A74DF365639CC39F1D578 AQIDBA== rvs1.example. rvs2.example.", "two rendezvous servers"),
    ("HIP", "255 01 AQ==", "one-octet HIT and key, no server"),
    ("NINFO", "\"Zone status\" \"ok\"", ""), ("NINFO", "\"\"", "one empty string"),
    ("TALINK", "prev.example. next.example.", ""), ("TALINK", ". .", ""),
    ("NID", "10 14:4fff:ff20:ee64", "RFC 6742 example as dig prints it (no leading zeros)"),
    ("NID", "65535 ffff:ffff:ffff:ffff", ""), ("NID", "0 0:0:0:0", ""),
    ("NID", "10 abcd:4fff:ff20:ee64", "four digits in every group"),
    ("L64", "10 2001:db8:1140:1000", "RFC 6742 example as dig prints it"),
    ("L64", "10 2001:1db8:1140:1000", ""),
    ("AMTRELAY", "0 0 0 .", "no relay"), ("AMTRELAY", "10 1 1 203.0.113.15", "RFC 8777 example, D bit set"),
    ("AMTRELAY", "128 0 2 2001:db8::15", ""), ("AMTRELAY", "10 0 3 amtrelays.example.com.", "relay name"),
    ("DOA", "0 1 2 \"text/plain\" YWJj", ""), ("DOA", "4294967295 4294967295 255 \"\" -", "empty media type and data"),
    ("SINK", "1 2 3", "no data"), ("SINK", "1 2 3 AQID", ""),
    ("TYPE65280", "\\# 3 010203", "unknown type"), ("TYPE65280", "\\# 0", "unknown type, empty"),
    ("TYPE65534", "\\# 4 ( 0a0b\n 0c0d )", "generic, hex split over lines"),
    ("TYPE1234", "\\# 1 ff", ""),
    ("A", "\\# 4 01020304", "RFC 3597 generic form of a known type"),
    ("MX", "\\# 3 000a00", "generic MX: 10 ."),
]

# Wire forms given by hand where dnspython 2.3 cannot parse a valid text; the RFC decides.
MANUAL_WIRE = {
    # dnspython reads the 2100 form only (its times are not taken modulo 2^32).
    ("RRSIG", RRSIG_1963): dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.RRSIG, RRSIG_2100,
                                               origin=dns.name.root, relativize=False).to_wire().hex(),
    # RFC 6742 §2.3 groups of 1-4 hex digits, as dig prints them; dnspython 2.3 wants 4.
    ("NID", "10 14:4fff:ff20:ee64"): "000a" + "00144fffff20ee64",
    ("NID", "0 0:0:0:0"): "0000" + "0000000000000000",
    ("L64", "10 2001:db8:1140:1000"): "000a" + "20010db811401000",
    # dnspython 2.3 has no MINFO class (RFC 1035 §3.3.7: two domain names).
    ("MINFO", "rmail.example. email.example."): "05726d61696c076578616d706c650005656d61696c076578616d706c6500",
    ("MINFO", ". ."): "0000",
    # RFC 4025 §2.6: with algorithm 0 there is no key; dnspython insists on a key token.
    ("IPSECKEY", "0 0 0 ."): "000000",
    # RFC 5155 §3.3: the hash is unpadded base32hex of any length; dnspython 2.3 wants a
    # multiple of 5 octets.  "VS" is the one octet 0xff.
    ("NSEC3", "255 255 1 - VS"): "ffff00010001ff",
    # RFC 4034 §4.1.2 does not rule out type 0; dnspython refuses it in text only.
    ("NSEC", "x.example. TYPE0"): "0178076578616d706c6500" + "000180",
    # dnspython 2.3 has no A6 class (RFC 2874 §3.1: prefix length, suffix, prefix name).
    ("A6", "0 2001:db8::1"): "00" + "20010db8000000000000000000000001",
    ("A6", "64 ::1:2:3:4 prefix.example."): "40" + "0001000200030004" + "06707265666978076578616d706c6500",
    ("A6", "65 ::7f00:0:0:1 p.example."): "41" + "7f00000000000001" + "0170076578616d706c6500",
    ("A6", "128 prefix.example."): "80" + "06707265666978076578616d706c6500",
    # dnspython 2.3 has no TALINK, DOA or SINK class.
    ("TALINK", "prev.example. next.example."): "0470726576076578616d706c6500046e657874076578616d706c6500",
    ("TALINK", ". ."): "0000",
    ("DOA", "0 1 2 \"text/plain\" YWJj"): "00000000" + "00000001" + "02" + "0a746578742f706c61696e" + "616263",
    ("DOA", "4294967295 4294967295 255 \"\" -"): "ffffffff" + "ffffffff" + "ff" + "00",
    ("SINK", "1 2 3"): "010203",
    ("SINK", "1 2 3 AQID"): "010203" + "010203",
}

# (type, rdata text, reason): must be rejected.
INVALID_TEXT = [
    ("A", "1.2.3", "three octets"), ("A", "1.2.3.4.5", "five octets"), ("A", "256.1.1.1", "octet > 255"),
    ("A", "1.2.3.4 5", "trailing token"), ("A", "", "empty"), ("A", "a.b.c.d", "letters"),
    ("A", "1.2.3.-1", "negative"), ("A", "1..2.3", "empty octet"),
    ("AAAA", "1::2::3", "two ::"), ("AAAA", "1:2:3:4:5:6:7:8:9", "nine groups"), ("AAAA", "12345::", "5-digit group"),
    ("AAAA", "g::", "bad hex digit"), ("AAAA", ":1::", "leading single colon"), ("AAAA", "", "empty"),
    ("AAAA", "1:2:3:4:5:6:7", "seven groups without ::"), ("AAAA", "1.2.3.4", "IPv4 address"),
    ("NS", "", "missing name"), ("NS", "a..b.", "empty label"), ("NS", "a" * 64 + ".", "64-octet label"),
    ("NS", "%s.%s.%s.%s." % ("a" * 63, "b" * 63, "c" * 63, "d" * 62), "256-octet name"),
    ("NS", "a.example. b.example.", "two names"), ("NS", "\\256.example.", "\\DDD > 255"),
    ("NS", "a\\0.example.", "short \\DDD"),
    ("MX", "10", "MX without name"), ("MX", "mail.example.", "MX without preference"),
    ("MX", "65536 mail.example.", "preference > 65535"), ("MX", "-1 mail.example.", "negative preference"),
    ("SOA", "ns.example. hm.example. 1 2 3 4", "missing minimum"),
    ("SOA", "ns.example. hm.example. 4294967296 2 3 4 5", "serial > 2^32-1"),
    ("TXT", '"%s"' % ("x" * 256), "256-octet string"), ("TXT", "", "no string"),
    ("TXT", '"unterminated', "unterminated quote"), ("TXT", '"a" )', "unbalanced parenthesis"),
    ("TXT", "( \"a\"", "unclosed parenthesis"),
    ("TXT", "\\# 0", "RFC 1035 §3.3.14: TXT holds one or more strings (dnspython accepts empty)"),
    ("HINFO", "\"cpu\"", "one string"), ("HINFO", "a b c", "three strings"),
    ("SRV", "1 2 mail.example.", "missing port"),
    ("DS", "12345 8 2 ABC", "odd number of hex digits"), ("DS", "12345 8 2 XYZ0", "bad hex"),
    ("DS", "12345 8 2", "missing digest"),
    ("DNSKEY", "257 3 8 A", "bad base64 length"), ("DNSKEY", "257 3 8 AA*A", "bad base64 character"),
    ("DNSKEY", "257 3 8 A===", "bad base64 padding"),
    ("DNSKEY", "65536 3 8 AA==", "flags > 65535"), ("DNSKEY", "257 3 NOSUCHALG AA==", "unknown algorithm"),
    ("RRSIG", "A 8 3 300 2024020100000 20240101000000 12345 example. AAAA", "13-digit time"),
    ("RRSIG", "A 8 3 300 20241301000000 20240101000000 12345 example. AAAA", "month 13"),
    ("RRSIG", "NOSUCHTYPE 8 3 300 20240201000000 20240101000000 12345 example. AAAA", "unknown type covered"),
    ("NSEC", "next.example. A NOSUCHTYPE", "unknown type in bitmap"),
    ("NSEC", "next.example. TYPE65536", "type > 65535"),
    ("NSEC3", "1 1 12 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJ! A", "bad base32hex character"),
    ("NSEC3", "1 1 12 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJZ A", "RFC 4648 §7: Z is not base32hex (dnspython accepts)"),
    ("NSEC3", "1 1 12 AABBCCD " + HASH20, "odd salt"), ("NSEC3", "1 1 12 " + "ab" * 256 + " " + HASH20, "256-octet salt"),
    ("NSEC3", "1 1 12 -", "missing hash"),
    ("NSEC3PARAM", "1 0 0", "missing salt"), ("NSEC3PARAM", "1 0 65536 -", "iterations > 65535"),
    ("LOC", "91 0 0 N 0 0 0 E 0m", "91 degrees latitude"), ("LOC", "0 0 0 N 181 0 0 E 0m", "181 degrees longitude"),
    ("LOC", "0 60 0 N 0 0 0 E 0m", "60 minutes"), ("LOC", "0 0 60 N 0 0 0 E 0m", "60 seconds"),
    ("LOC", "0 0 0 X 0 0 0 E 0m", "bad hemisphere"), ("LOC", "0 0 0 N 0 0 0 N 0m", "latitude hemisphere for longitude"),
    ("LOC", "0 0 0 N 0 0 0 E", "missing altitude"), ("LOC", "0 0 0 N 0 0 0 E -100000.01m", "RFC 1876 §2: altitude too low (dnspython accepts)"),
    ("LOC", "0 0 0 N 0 0 0 E 42849672.96m", "RFC 1876 §2: altitude too high (dnspython accepts)"),
    ("LOC", "0 0 0 N 0 0 0 E 0m 90000001m", "RFC 1876 §2: size above 9e9 cm (dnspython accepts)"),
    ("APL", "3:1.2.3.4/32", "unknown family (dnspython accepts only 1 and 2)"),
    ("APL", "1:1.2.3.4/33", "prefix > 32"), ("APL", "2:::/129", "prefix > 128"),
    ("APL", "1:1.2.3.4", "missing prefix"), ("APL", "1:1.2.3/8", "bad IPv4"),
    ("SVCB", "1 . alpn=h2 alpn=h3", "duplicate key"), ("SVCB", "1 . port=1 key3=2", "duplicate key by number"),
    ("SVCB", "1 . port=65536", "port > 65535"), ("SVCB", "1 . port=", "empty port"),
    ("SVCB", "1 . ipv4hint=1.2.3", "bad IPv4 hint"), ("SVCB", "1 . ipv6hint=1::2::3", "bad IPv6 hint"),
    ("SVCB", "1 . nosuchkey=1", "unknown key name"),
    ("SVCB", "1 . no-default-alpn=x", "value for a flag key"),
    ("SVCB", "1 . mandatory=mandatory", "mandatory lists itself (RFC 9460 §8)"),
    ("SVCB", "1 . mandatory=alpn port=1", "RFC 9460 §8: mandatory key absent"),
    ("SVCB", "1 . alpn=", "empty alpn"), ("SVCB", "1 . ech=A", "bad base64 ech"),
    ("SVCB", "1", "missing target"), ("SVCB", "65536 .", "priority > 65535"),
    ("IPSECKEY", "10 4 2 . AQID", "gateway type 4"), ("IPSECKEY", "10 1 2 ::1 AQID", "IPv6 for type 1"),
    ("IPSECKEY", "10 2 2 1.2.3.4 AQID", "IPv4 for type 2"),
    ("CAA", "0 issue", "missing value"), ("CAA", "256 issue \"x\"", "flags > 255"),
    ("CAA", "0 is-sue \"x\"", "non-alphanumeric tag"),
    ("EUI48", "00-00-5e-00-53", "five octets"), ("EUI48", "00:00:5e:00:53:2a", "colons"),
    ("EUI64", "00-00-5e-ef-10-00-00", "seven octets"),
    ("SSHFP", "1 1 XYZ", "bad hex"),
    ("TYPE65280", "\\# 3 0102", "generic length mismatch"), ("TYPE65280", "\\# 2 010203", "generic too much data"),
    ("TYPE65280", "\\# x 01", "generic bad length"), ("TYPE65280", "01 02", "not generic form"),
    ("TYPE65280", "\\# 1 0g", "bad generic hex"),
    ("A", "\\# 3 010203", "generic A of wrong length"), ("MX", "\\# 3 000a01", "generic MX, truncated name"),
    ("URI", "10 1", "missing target"), ("URI", "10 1 \"\"", "empty target (RFC 7553 §4.5)"), ("URI", "10 1 unquoted target", "two strings"),
    ("CERT", "NOSUCH 0 0 AA==", "unknown certificate type"),
    ("WKS", "192.0.2.1 6 65536", "RFC 1035 §3.4.2: port > 65535 (dnspython accepts)"), ("WKS", "192.0.2.1", "missing protocol"),
    ("WKS", "192.0.2.1 256", "protocol > 255"),
    ("WKS", "192.0.2.1 4294967302", "protocol 2^32+6, wraps to 6 in 32 bits"),
    ("WKS", "192.0.2.1 6 4294967297", "RFC 1035 §3.4.2: port 2^32+1, wraps to 1 in 32 bits (dnspython accepts)"),
    ("NSAP", "47000580", "no 0x"), ("NSAP", "0x470", "odd number of digits"), ("NSAP", "0x", "RFC 1706 §6: no digits (dnspython accepts)"),
    ("NID", "10 14:0:0", "three groups"), ("NID", "10 00014:0:0:1", "5-digit group"),
    ("NID", "10 0014:4fff:ff20:ee64:1", "five groups"),
    ("AMTRELAY", "0 2 1 1.2.3.4", "D bit > 1"),
    ("AMTRELAY", "0 0 4 .", "RFC 8777 §4.2.3: relay type 4 has no presentation form"),
    ("AMTRELAY", "0 0 1 ::1", "IPv6 relay for type 1"),
    ("HIP", "2 200100107B1A74DF365639CC39F1D578", "missing key"), ("HIP", "2 XYZ AQID", "bad hex HIT"),
    ("A6", "129 ::", "prefix > 128"), ("A6", "64 ::1", "missing prefix name"),
    ("DOA", "0 1 2 \"text/plain\"", "missing data"),
]

# (type, wire hex, reason): must be rejected by owndns_rdata_check.
INVALID_WIRE = [
    ("A", "010203", "3 octets"), ("A", "0102030405", "5 octets"), ("A", "", "empty"),
    ("AAAA", "00" * 15, "15 octets"), ("AAAA", "00" * 17, "17 octets"),
    ("NS", "", "empty"), ("NS", "0161", "name without root label"),
    ("NS", "c00c", "compression pointer in uncompressed RDATA"),
    ("NS", "016100" + "00", "trailing octet"), ("NS", "4061" + "00", "label type 0x40"),
    ("NS", "8061" + "00", "label type 0x80"),
    ("NS", ("3f" + "61" * 63) * 4 + "00", "name longer than 255"),
    ("MX", "000a", "MX without name"), ("MX", "00", "short preference"),
    ("SOA", "00" + "00" + "00" * 19, "SOA short by one octet"),
    ("SOA", "00" + "00" + "00" * 21, "SOA one trailing octet"),
    ("TXT", "", "no string (RFC 1035 §3.3.14)"), ("TXT", "05616263", "string longer than the data"),
    ("TXT", "0161" + "02", "second string truncated"),
    ("HINFO", "0161", "one string"), ("HINFO", "016101620163", "three strings"),
    ("SRV", "0001000200", "truncated"), ("SRV", "000100020003", "missing target"),
    ("NSEC", "00" + "0000", "bitmap window with length 0"),
    ("NSEC", "00" + "0021" + "40" + "00" * 32, "bitmap length 33"),
    ("NSEC", "00" + "010140" + "000140", "windows out of order"),
    ("NSEC", "00" + "000140" + "000140", "repeated window"),
    ("NSEC", "00" + "0002", "bitmap window truncated"),
    ("NSEC", "00" + "00", "bitmap window without length"),
    ("NSEC3", "01000000" + "00", "truncated after salt length"),
    ("NSEC3", "0100000002aa", "salt truncated"),
    ("NSEC3", "0100000000" + "14" + "00" * 19, "hash truncated"),
    ("NSEC3", "0100000000" + "00", "empty hash: RFC 5155 §3.3 gives it no presentation form; dig rejects it too"),
    ("NSEC3PARAM", "01000000", "missing salt length"), ("NSEC3PARAM", "0100000002aa", "salt truncated"),
    ("NSEC3PARAM", "0100000000" + "ff", "trailing octet"),
    ("DS", "303908", "missing digest type"),
    ("RRSIG", "0001080300000e10", "truncated header"),
    ("RRSIG", "000108030000012c" + "65ba0000" + "65920000" + "3039" + "076578616d706c65", "signer name not terminated"),
    ("LOC", "01" + "00" * 15, "version 1 (RFC 1876: must be 0)"),
    ("LOC", "00" * 15, "15 octets"), ("LOC", "00" * 17, "17 octets"),
    ("APL", "0001040201", "item data truncated"), ("APL", "00010420", "afdlength 32 > 4"),
    ("APL", "0001200501020304ff", "afdlength 5 > 4 for IPv4"),
    ("APL", "000280110102030405060708090a0b0c0d0e0f1011", "afdlength 17 > 16 for IPv6"),
    ("APL", "000121", "truncated item header"),
    ("APL", "0001210401020304", "prefix 33 for IPv4"),
    ("IPSECKEY", "0a0402", "gateway type 4"), ("IPSECKEY", "0a0102010203", "IPv4 gateway truncated"),
    ("IPSECKEY", "0a0202" + "00" * 15, "IPv6 gateway truncated"),
    ("IPSECKEY", "0a0302" + "0161", "gateway name not terminated"),
    ("SVCB", "0001", "missing target"),
    ("SVCB", "000100" + "0003000201bb" + "000100030268 32", "keys out of order"),
    ("SVCB", "000100" + "0003000201bb" + "0003000201bb", "RFC 9460 §2.2: duplicate key (dnspython accepts)"),
    ("SVCB", "000100" + "00030001bb", "port of length 1"),
    ("SVCB", "000100" + "000100", "truncated value length"),
    ("SVCB", "000100" + "0001000300", "value shorter than its length"),
    ("SVCB", "000100" + "000100020000", "alpn with an empty id"),
    ("SVCB", "000100" + "00010003036162", "alpn id overruns its value"),
    ("SVCB", "000100" + "000400030102 03", "ipv4hint of 3 octets"),
    ("SVCB", "000100" + "00060004" + "01020304", "ipv6hint of 4 octets"),
    ("SVCB", "000100" + "00020001" + "00", "no-default-alpn with a value"),
    ("SVCB", "000100" + "00000000", "empty mandatory: RFC 9460 §8 value is a list of keys; dig rejects it too"),
    ("SVCB", "000100" + "000000020000", "mandatory lists key 0"),
    ("SVCB", "000100" + "0000000400030003" + "0003000201bb", "mandatory with a duplicate"),
    ("CAA", "00", "missing tag length"), ("CAA", "0000", "empty tag"),
    ("CAA", "0005697373", "tag truncated"), ("CAA", "00022d2d", "tag not alphanumeric"),
    ("EUI48", "00" * 5, "5 octets"), ("EUI48", "00" * 7, "7 octets"),
    ("EUI64", "00" * 7, "7 octets"), ("EUI64", "00" * 9, "9 octets"),
    ("NAPTR", "000a0014" + "0155" + "00", "missing replacement"),
    ("URI", "000a0001", "RFC 7553 §4.5: target length MUST be greater than zero"),
    ("CSYNC", "0000000100", "truncated flags"),
    ("ZONEMD", "00000001" + "0101" + "00" * 11, "digest shorter than 12 octets (RFC 8976 §2.2.4)"),
    ("DNSKEY", "0101", "truncated"), ("DS", "0001", "truncated"),
    ("SSHFP", "01", "truncated"), ("TLSA", "0301", "truncated"),
    ("AFSDB", "0001", "missing name"), ("RP", "00", "missing second name"),
    ("MINFO", "00", "RFC 1035 §3.3.7: missing second name (dnspython has no MINFO)"), ("PTR", "03616263", "name not terminated"),
    ("CNAME", "", "empty"), ("DNAME", "", "empty"), ("KX", "000a", "missing name"),
    # RFC 4034 §4.1.2: "Blocks with no types present MUST NOT be included" and "trailing
    # zero octets in the bitmap MUST be omitted"; no type list prints back to these.
    ("NSEC", "00" + "00024000", "RFC 4034 §4.1.2: trailing zero octet in a window (dnspython accepts; dig rejects)"),
    ("NSEC", "00" + "000140" + "010100", "RFC 4034 §4.1.2: window with no types (dnspython accepts; dig rejects)"),
    ("NSEC", "00" + "000100", "RFC 4034 §4.1.2: only window has no types (dnspython accepts; dig rejects)"),
    ("NSEC3", "0100000000" + "01ff" + "00024000", "RFC 4034 §4.1.2 (RFC 5155 §3.2.1): trailing zero octet (dnspython accepts)"),
    ("CSYNC", "00000042" + "0003" + "00026000", "RFC 4034 §4.1.2 (RFC 7477 §2.1.1): trailing zero octet (dnspython accepts)"),
    ("CSYNC", "00000042" + "0003" + "000100", "RFC 4034 §4.1.2 (RFC 7477 §2.1.1): window with no types (dnspython accepts)"),
    # RFC 3123 §4: trailing zero octets of the address are not sent; the text cannot keep them.
    ("APL", "00011804c0a80000", "RFC 3123 §4: trailing zero octets in the address (dnspython accepts; dig rejects)"),
    ("APL", "0002400420010000", "RFC 3123 §4: trailing zero octets in an IPv6 address (dnspython accepts)"),
    ("APL", "0001000100", "RFC 3123 §4: a lone zero octet (dnspython accepts)"),
    ("WKS", "c000020106" + "4000", "RFC 1035 §3.4.2: bitmap ending in a zero octet, no port list gives it back; dig rejects it (dnspython accepts)"),
    ("WKS", "c00002", "truncated address"),
    ("A6", "41" + "ff00000000000001" + "0170" + "00", "RFC 2874 §3.1: prefix bits set in the suffix; dig rejects it (dnspython has no A6)"),
    ("A6", "81", "RFC 2874 §3.1: prefix length 129 (dnspython has no A6)"),
    ("A6", "40" + "0000000000000001", "RFC 2874 §3.1: prefix name missing (dnspython has no A6)"),
    ("HIP", "00020001" + "01", "RFC 8005 §6: an empty HIT has no presentation form (dnspython accepts)"),
    ("HIP", "1002" + "0004" + "200100107b1a74df365639cc39f1d578" + "0102", "key truncated"),
    ("AMTRELAY", "0004", "RFC 8777 §4.2.3: relay type 4; dig prints it as generic (dnspython accepts)"),
    ("AMTRELAY", "0001010203", "IPv4 relay truncated"),
    ("NID", "000a000100020003", "locator truncated"),
]


# Types that dnspython 2.3 does not know by name (their entries give the wire by hand).
EXTRA_TYPES = {"SINK": 40, "TALINK": 58, "DOA": 259}


def type_number(tname):
    if tname in EXTRA_TYPES:
        return EXTRA_TYPES[tname]
    return dns.rdatatype.from_text(tname)


def pct(s):
    return s.replace("%", "%25").replace("\t", "%09").replace("\n", "%0A")


def dnspython_parse(tname, text):
    if (tname, text) in MANUAL_WIRE:
        return dns.rdata.GenericRdata(dns.rdataclass.IN, type_number(tname),
                                      bytes.fromhex(MANUAL_WIRE[(tname, text)]))
    # dnspython relativizes the names of generic RDATA to the origin it is given.
    origin = None if text.startswith("\\#") else dns.name.root
    return dns.rdata.from_text(dns.rdataclass.IN, type_number(tname), text, origin=origin,
                               relativize=False)


def dnspython_accepts_wire(tname, hexs):
    try:
        wire = bytes.fromhex(hexs.replace(" ", ""))
        rd = dns.rdata.from_wire(dns.rdataclass.IN, type_number(tname), wire, 0, len(wire))
        # dnspython reads lazily in places: printing forces the rest.
        rd.to_text()
        return True
    except Exception:
        return False


def dig_texts(rdatas):
    """dig's presentation of each rdata (None when dig could not show it)."""
    out = [None] * len(rdatas)
    for start in range(0, len(rdatas), 40):
        batch = list(enumerate(rdatas[start:start + 40], start))
        got = dig_batch(batch)
        if got is None:     # one bad record spoils the batch: ask one by one
            got = {}
            for item in batch:
                got.update(dig_batch([item]) or {})
        for i, t in got.items():
            out[i] = t
    return out


def dig_batch(batch):
    rrsets = []
    for i, rd in batch:
        owner = "r%d.corpus.example." % i
        if rd.rdtype == dns.rdatatype.NSEC3:   # dig insists on a base32hex first label
            owner = "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom." + owner
        rrs = dns.rrset.RRset(dns.name.from_text(owner), dns.rdataclass.IN, rd.rdtype)
        rrs.add(rd, 300)
        rrsets.append(rrs)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(10)
    port = sock.getsockname()[1]

    def serve():
        try:
            data, peer = sock.recvfrom(65535)
            resp = dns.message.make_response(dns.message.from_wire(data))
            resp.answer = rrsets
            sock.sendto(resp.to_wire(max_size=65535), peer)
        except (OSError, dns.exception.DNSException):
            pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        res = subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "+norec", "+noall", "+answer",
                              "+bufsize=65000", "+tries=1", "+time=5", "q.example.", "A"],
                             capture_output=True, text=True, timeout=20, check=False)
    finally:
        t.join(timeout=10)
        sock.close()
    got = {}
    for line in res.stdout.splitlines():
        if not line or line.startswith(";"):
            continue
        fields = line.split(None, 4)
        found = re.search(r"(?:^|\.)r(\d+)\.corpus\.example\.$", fields[0])
        if len(fields) < 4 or not found:
            print("note: dig says: %s" % line, file=sys.stderr)
            return None
        owner, rest = fields[0], fields[4:]
        idx = int(found.group(1))
        got[idx] = rest[0] if rest else ""
    return got if len(got) == len(batch) else None


def main():
    use_dig = "--no-dig" not in sys.argv
    lines = [l for l in __doc__.splitlines()[12:25]]
    out = ["# Generated by tests/data/gen_rr_corpus.py -- do not edit; edit the generator.",
           "# Wire forms from dnspython %s, presentation forms from dig." % dns.version.version]
    out += ["#" + (" " + l if l else "") for l in lines]
    problems = 0

    valid, invalid_text = [], list(INVALID_TEXT)
    for tname, text, note in VALID:
        try:
            rd = dnspython_parse(tname, text)
        except Exception as e:  # a corpus bug: report them all, then stop
            print("error: dnspython rejects valid %s %r: %s" % (tname, text, e), file=sys.stderr)
            problems += 1
            continue
        valid.append((tname, text, note, rd))
    if problems:
        raise SystemExit("%d valid entries rejected by dnspython" % problems)

    digs = dig_texts([v[3] for v in valid]) if use_dig else [None] * len(valid)
    out.append("")
    out.append("# ---- valid RDATA: ok TYPE typenum text wire dig-text")
    for (tname, text, note, rd), dig in zip(valid, digs):
        wire = rd.to_wire()
        if use_dig and dig is None:
            print("warning: dig did not show %s %s" % (tname, text), file=sys.stderr)
        if note:
            out.append("# " + note.replace("\n", " "))
        out.append("\t".join(["ok", tname, str(type_number(tname)), pct(text),
                              wire.hex() if wire else "-", pct(dig) if dig is not None else "-"]))

    out.append("")
    out.append("# ---- invalid presentation forms: badtext TYPE typenum text reason")
    for tname, text, reason in invalid_text:
        try:
            dnspython_parse(tname, text)
            accepted = True
        except Exception:
            accepted = False
        if accepted and "RFC" in reason:
            print("note: dnspython accepts invalid %s %r; kept (%s)" % (tname, text, reason),
                  file=sys.stderr)
        elif accepted:
            print("warning: dnspython accepts invalid %s %r (%s); left out" % (tname, text, reason),
                  file=sys.stderr)
            problems += 1
            continue
        out.append("\t".join(["badtext", tname, str(type_number(tname)), pct(text), reason]))

    out.append("")
    out.append("# ---- invalid uncompressed wire RDATA: badwire TYPE typenum hex reason")
    for tname, hexs, reason in INVALID_WIRE:
        hexs = hexs.replace(" ", "")
        if len(hexs) % 2:
            raise SystemExit("odd hex in INVALID_WIRE: %s %s" % (tname, hexs))
        if dnspython_accepts_wire(tname, hexs) and "RFC" in reason:
            print("note: dnspython accepts invalid wire %s %s; kept (%s)" % (tname, hexs, reason),
                  file=sys.stderr)
        elif dnspython_accepts_wire(tname, hexs):
            print("warning: dnspython accepts invalid wire %s %s (%s); left out" % (tname, hexs, reason),
                  file=sys.stderr)
            problems += 1
            continue
        out.append("\t".join(["badwire", tname, str(type_number(tname)), hexs or "-", reason]))

    with open(OUT, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print("wrote %s: %d valid, %d invalid texts, %d invalid wire; %d left out"
          % (OUT, len(valid), len(invalid_text), len(INVALID_WIRE), problems), file=sys.stderr)


if __name__ == "__main__":
    main()
