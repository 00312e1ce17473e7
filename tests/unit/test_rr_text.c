/* RR text form: parse -> wire compared with dnspython's bytes, wire -> text compared
 * with dig's line (both pasted from tests/tools/dig_print.py and dnspython 2.3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <owndns/name.h>
#include <owndns/rdata.h>
#include <owndns/rr.h>

typedef struct golden {
	const char *text;  /* input RR */
	const char *wire;  /* dnspython's RDATA, hex */
	const char *dig;   /* dig's answer line */
} golden;

static const golden goldens[] = {
	{ "a.example. 300 IN A 192.0.2.1",
	  "c0000201",
	  "a.example.\t\t300\tIN\tA\t192.0.2.1" },
	{ "a.example. 300 IN NS ns.example.",
	  "026e73076578616d706c6500",
	  "a.example.\t\t300\tIN\tNS\tns.example." },
	{ "a.example. 300 IN MD \\# 3 016200",
	  "016200",
	  "a.example.\t\t300\tIN\tMD\tb." },
	{ "a.example. 300 IN MF \\# 3 016200",
	  "016200",
	  "a.example.\t\t300\tIN\tMF\tb." },
	{ "a.example. 300 IN CNAME c.example.",
	  "0163076578616d706c6500",
	  "a.example.\t\t300\tIN\tCNAME\tc.example." },
	{ "a.example. 300 IN SOA ns.example. host.example. 2024010101 7200 3600 1209600 300",
	  "026e73076578616d706c650004686f7374076578616d706c650078a3f17500001c2000000e10001275000000012c",
	  "a.example.\t\t300\tIN\tSOA\tns.example. host.example. 2024010101 7200 3600 1209600 300" },
	{ "a.example. 300 IN MB \\# 3 016200",
	  "016200",
	  "a.example.\t\t300\tIN\tMB\tb." },
	{ "a.example. 300 IN MG \\# 3 016200",
	  "016200",
	  "a.example.\t\t300\tIN\tMG\tb." },
	{ "a.example. 300 IN MR \\# 3 016200",
	  "016200",
	  "a.example.\t\t300\tIN\tMR\tb." },
	{ "a.example. 300 IN NULL \\# 3 abcdef",
	  "abcdef",
	  "a.example.\t\t300\tIN\tNULL\t\\# 3 ABCDEF" },
	{ "a.example. 300 IN PTR ptr.example.",
	  "03707472076578616d706c6500",
	  "a.example.\t\t300\tIN\tPTR\tptr.example." },
	{ "a.example. 300 IN HINFO \"PC\" \"Linux os\"",
	  "025043084c696e7578206f73",
	  "a.example.\t\t300\tIN\tHINFO\t\"PC\" \"Linux os\"" },
	{ "a.example. 300 IN MINFO \\# 6 016100016200",
	  "016100016200",
	  "a.example.\t\t300\tIN\tMINFO\ta. b." },
	{ "a.example. 300 IN MX 10 mx.example.",
	  "000a026d78076578616d706c6500",
	  "a.example.\t\t300\tIN\tMX\t10 mx.example." },
	{ "a.example. 300 IN TXT \"x\\\"y\\\\z\" \"a\\010b\" \"\" \"\\195\\169\" \";()\" plain",
	  "057822795c7a03610a620002c3a9033b282905706c61696e",
	  "a.example.\t\t300\tIN\tTXT\t\"x\\\"y\\\\z\" \"a\\010b\" \"\" \"\\195\\169\" \";()\" \"plain\"" },
	{ "a.example. 300 IN RP mbox.example. txt.example.",
	  "046d626f78076578616d706c650003747874076578616d706c6500",
	  "a.example.\t\t300\tIN\tRP\tmbox.example. txt.example." },
	{ "a.example. 300 IN AFSDB 1 afs.example.",
	  "000103616673076578616d706c6500",
	  "a.example.\t\t300\tIN\tAFSDB\t1 afs.example." },
	{ "a.example. 300 IN X25 \"311061700956\"",
	  "0c333131303631373030393536",
	  "a.example.\t\t300\tIN\tX25\t\"311061700956\"" },
	{ "a.example. 300 IN ISDN \"150862028003217\" \"004\"",
	  "0f31353038363230323830303332313703303034",
	  "a.example.\t\t300\tIN\tISDN\t\"150862028003217\" \"004\"" },
	{ "a.example. 300 IN RT 1 rt.example.",
	  "0001027274076578616d706c6500",
	  "a.example.\t\t300\tIN\tRT\t1 rt.example." },
	{ "a.example. 300 IN SIG \\# 39 000108020000012c65920080656922003039076578616d706c650003010001b2a9196c28d692ac",
	  "000108020000012c65920080656922003039076578616d706c650003010001b2a9196c28d692ac",
	  "a.example.\t\t300\tIN\tSIG\tA 8 2 300 20240101000000 20231201000000 12345 example. AwEAAbKpGWwo1pKs" },
	{ "a.example. 300 IN KEY \\# 16 0100030803010001b2a9196c28d692ac",
	  "0100030803010001b2a9196c28d692ac",
	  "a.example.\t\t300\tIN\tKEY\t256 3 8 AwEAAbKpGWwo1pKs" },
	{ "a.example. 300 IN PX 10 map822.example. mapx400.example.",
	  "000a066d6170383232076578616d706c6500076d617078343030076578616d706c6500",
	  "a.example.\t\t300\tIN\tPX\t10 map822.example. mapx400.example." },
	{ "a.example. 300 IN AAAA 2001:db8::1",
	  "20010db8000000000000000000000001",
	  "a.example.\t\t300\tIN\tAAAA\t2001:db8::1" },
	{ "a.example. 300 IN AAAA ::ffff:1.2.3.4",
	  "00000000000000000000ffff01020304",
	  "a.example.\t\t300\tIN\tAAAA\t::ffff:1.2.3.4" },
	{ "a.example. 300 IN AAAA ::2:3",
	  "00000000000000000000000000020003",
	  "a.example.\t\t300\tIN\tAAAA\t::0.2.0.3" },
	{ "a.example. 300 IN AAAA 2001:db8:0:0:1:0:0:1",
	  "20010db8000000000001000000000001",
	  "a.example.\t\t300\tIN\tAAAA\t2001:db8::1:0:0:1" },
	{ "a.example. 300 IN AAAA 1:0:1:0:1:0:1:0",
	  "00010000000100000001000000010000",
	  "a.example.\t\t300\tIN\tAAAA\t1:0:1:0:1:0:1:0" },
	{ "a.example. 300 IN LOC 60 9 0.000 N 24 39 0.000 E 10.00m 20m 2000m 20m",
	  "002325238ce82360854a10a000989a68",
	  "a.example.\t\t300\tIN\tLOC\t60 9 0.000 N 24 39 0.000 E 10.00m 20m 2000m 20m" },
	{ "a.example. 300 IN SRV 1 2 3 srv.example.",
	  "00010002000303737276076578616d706c6500",
	  "a.example.\t\t300\tIN\tSRV\t1 2 3 srv.example." },
	{ "a.example. 300 IN NAPTR 100 10 \"S\" \"SIP+D2U\" \"!^.*$!sip:x@y!\" _sip._udp.example.",
	  "0064000a0153075349502b4432550e215e2e2a24217369703a78407921045f736970045f756470076578616d706c6500",
	  "a.example.\t\t300\tIN\tNAPTR\t100 10 \"S\" \"SIP+D2U\" \"!^.*$!sip:x@y!\" _sip._udp.example." },
	{ "a.example. 300 IN KX 10 kx.example.",
	  "000a026b78076578616d706c6500",
	  "a.example.\t\t300\tIN\tKX\t10 kx.example." },
	{ "a.example. 300 IN CERT PKIX 1 RSASHA256 MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyz",
	  "000100010830820122300d06092a864886f70d01010105000382010f003082010a0282010100c72cf1cb3c72cf1cb3c72cf1cb3c72cf1cb3c72cf1cb3c72cf1cb3c72cf1cb3c72cf1cb3c72cf1cb3c72cf1cb3",
	  "a.example.\t\t300\tIN\tCERT\tPKIX 1 RSASHA256 MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxyzxyzxyzxyz xyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyz" },
	{ "a.example. 300 IN CERT 65000 1 200 AAAA",
	  "fde80001c8000000",
	  "a.example.\t\t300\tIN\tCERT\t65000 1 200 AAAA" },
	{ "a.example. 300 IN DNAME d.example.",
	  "0164076578616d706c6500",
	  "a.example.\t\t300\tIN\tDNAME\td.example." },
	{ "a.example. 300 IN APL 1:192.168.32.0/21 !1:192.168.38.0/28",
	  "00011503c0a82000011c83c0a826",
	  "a.example.\t\t300\tIN\tAPL\t1:192.168.32.0/21 !1:192.168.38.0/28" },
	{ "a.example. 300 IN DS 12345 8 2 49FD46E6C4B45C55D4AC69CB D3CD34AC1AFE51DE49FD46E6C4B45C55D4AC69CB",
	  "3039080249fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de49fd46e6c4b45c55d4ac69cb",
	  "a.example.\t\t300\tIN\tDS\t12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE49FD46E6C4B45C55 D4AC69CB" },
	{ "a.example. 300 IN SSHFP 1 1 123456789abcdef67890123456789abcdef67890",
	  "0101123456789abcdef67890123456789abcdef67890",
	  "a.example.\t\t300\tIN\tSSHFP\t1 1 123456789ABCDEF67890123456789ABCDEF67890" },
	{ "a.example. 300 IN IPSECKEY 10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
	  "0a0102c0000226010351537986ed35533b6064478eeeb27b5bd74dae149b6e81ba3a0521af82ab7801",
	  "a.example.\t\t300\tIN\tIPSECKEY 10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==" },
	{ "a.example. 300 IN RRSIG A 8 2 300 20240101000000 20231201000000 12345 example. AwEAAbKpGWwo1pKsBTSVe4Ys/9ZgzNr1l8AuYHuo9q4bhMVe8+zEsCrQT0bY3NgEjEKTAU0/5ZZqC3rXDdTOQ+D6wRKrObgWx37Ts26Oz96ySx7qIaiLD0RvGQ4cBuu01l4nY6QpXETHjsGOz0ZMsd3i/8sc5FrOT0O/BvQkOqTfmcsQR1x5",
	  "000108020000012c65920080656922003039076578616d706c650003010001b2a9196c28d692ac0534957b862cffd660ccdaf597c02e607ba8f6ae1b84c55ef3ecc4b02ad04f46d8dcd8048c4293014d3fe5966a0b7ad70dd4ce43e0fac112ab39b816c77ed3b36e8ecfdeb24b1eea21a88b0f446f190e1c06ebb4d65e2763a4295c44c78ec18ecf464cb1dde2ffcb1ce45ace4f43bf06f4243aa4df99cb10475c79",
	  "a.example.\t\t300\tIN\tRRSIG\tA 8 2 300 20240101000000 20231201000000 12345 example. AwEAAbKpGWwo1pKsBTSVe4Ys/9ZgzNr1l8AuYHuo9q4bhMVe8+zEsCrQ T0bY3NgEjEKTAU0/5ZZqC3rXDdTOQ+D6wRKrObgWx37Ts26Oz96ySx7q IaiLD0RvGQ4cBuu01l4nY6QpXETHjsGOz0ZMsd3i/8sc5FrOT0O/BvQk OqTfmcsQR1x5" },
	{ "a.example. 300 IN RRSIG TYPE1234 8 2 300 1704067200 1701388800 12345 . AAAA",
	  "04d208020000012c6592008065692200303900000000",
	  "a.example.\t\t300\tIN\tRRSIG\tTYPE1234 8 2 300 20240101000000 20231201000000 12345 . AAAA" },
	{ "a.example. 300 IN NSEC b.example. A NS SOA RRSIG NSEC DNSKEY TYPE1234 TYPE65535",
	  "0162076578616d706c6500000762000000000380041b000000000000000000000000000000000000000000000000000020ff200000000000000000000000000000000000000000000000000000000000000001",
	  "a.example.\t\t300\tIN\tNSEC\tb.example. A NS SOA RRSIG NSEC DNSKEY TYPE1234 TYPE65535" },
	{ "a.example. 300 IN DNSKEY 257 3 8 AwEAAbKpGWwo1pKsBTSVe4Ys/9ZgzNr1l8AuYHuo9q4bhMVe8+zEsCrQT0bY3NgEjEKTAU0/5ZZqC3rXDdTOQ+D6wRKrObgWx37Ts26Oz96ySx7qIaiLD0RvGQ4cBuu01l4nY6QpXETHjsGOz0ZMsd3i/8sc5FrOT0O/BvQkOqTfmcsQR1x5",
	  "0101030803010001b2a9196c28d692ac0534957b862cffd660ccdaf597c02e607ba8f6ae1b84c55ef3ecc4b02ad04f46d8dcd8048c4293014d3fe5966a0b7ad70dd4ce43e0fac112ab39b816c77ed3b36e8ecfdeb24b1eea21a88b0f446f190e1c06ebb4d65e2763a4295c44c78ec18ecf464cb1dde2ffcb1ce45ace4f43bf06f4243aa4df99cb10475c79",
	  "a.example.\t\t300\tIN\tDNSKEY\t257 3 8 AwEAAbKpGWwo1pKsBTSVe4Ys/9ZgzNr1l8AuYHuo9q4bhMVe8+zEsCrQ T0bY3NgEjEKTAU0/5ZZqC3rXDdTOQ+D6wRKrObgWx37Ts26Oz96ySx7q IaiLD0RvGQ4cBuu01l4nY6QpXETHjsGOz0ZMsd3i/8sc5FrOT0O/BvQk OqTfmcsQR1x5" },
	{ "a.example. 300 IN DHCID AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiYw==",
	  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60616263",
	  "a.example.\t\t300\tIN\tDHCID\tAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygp KissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJT VFVWV1hZWltcXV5fYGFiYw==" },
	{ "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example. 300 IN NSEC3 1 1 12 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR A RRSIG",
	  "0101000c04aabbccdd14174eb2409fe28bcb4887a1836f957f0a8425e27b0006400000000002",
	  "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example. 300 IN NSEC3 1 1 12 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR A RRSIG" },
	{ "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example. 300 IN NSEC3 1 0 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR",
	  "010000000014174eb2409fe28bcb4887a1836f957f0a8425e27b",
	  "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example. 300 IN NSEC3 1 0 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR" },
	{ "a.example. 300 IN NSEC3PARAM 1 0 12 AABBCCDD",
	  "0100000c04aabbccdd",
	  "a.example.\t\t300\tIN\tNSEC3PARAM 1 0 12 AABBCCDD" },
	{ "a.example. 300 IN NSEC3PARAM 1 0 0 -",
	  "0100000000",
	  "a.example.\t\t300\tIN\tNSEC3PARAM 1 0 0 -" },
	{ "a.example. 300 IN TLSA 3 1 1 0d6fce3320aa4cb2d4d6fe2d4cc6a3a0e7d7c7d0a0a4c5b6b2f2d3c2f0f8a8c2d3c2f0f8a8c2d3c2f0f8a8c2d3c2f0f8a8",
	  "0301010d6fce3320aa4cb2d4d6fe2d4cc6a3a0e7d7c7d0a0a4c5b6b2f2d3c2f0f8a8c2d3c2f0f8a8c2d3c2f0f8a8c2d3c2f0f8a8",
	  "a.example.\t\t300\tIN\tTLSA\t3 1 1 0D6FCE3320AA4CB2D4D6FE2D4CC6A3A0E7D7C7D0A0A4C5B6B2F2D3C2 F0F8A8C2D3C2F0F8A8C2D3C2F0F8A8C2D3C2F0F8A8" },
	{ "a.example. 300 IN SMIMEA 3 1 1 0d6fce3320aa4cb2",
	  "0301010d6fce3320aa4cb2",
	  "a.example.\t\t300\tIN\tSMIMEA\t3 1 1 0D6FCE3320AA4CB2" },
	{ "a.example. 300 IN CDS 0 0 0 00",
	  "0000000000",
	  "a.example.\t\t300\tIN\tCDS\t0 0 0 00" },
	{ "a.example. 300 IN CDNSKEY 0 3 0 AA==",
	  "0000030000",
	  "a.example.\t\t300\tIN\tCDNSKEY\t0 3 0 AA==" },
	{ "a.example. 300 IN OPENPGPKEY AwEAAbKpGWwo1pKsBTSVe4Ys/9ZgzNr1l8AuYHuo9q4bhMVe8+zEsCrQT0bY3NgEjEKTAU0/5ZZqC3rXDdTOQ+D6wRKrObgWx37Ts26Oz96ySx7qIaiLD0RvGQ4cBuu01l4nY6QpXETHjsGOz0ZMsd3i/8sc5FrOT0O/BvQkOqTfmcsQR1x5",
	  "03010001b2a9196c28d692ac0534957b862cffd660ccdaf597c02e607ba8f6ae1b84c55ef3ecc4b02ad04f46d8dcd8048c4293014d3fe5966a0b7ad70dd4ce43e0fac112ab39b816c77ed3b36e8ecfdeb24b1eea21a88b0f446f190e1c06ebb4d65e2763a4295c44c78ec18ecf464cb1dde2ffcb1ce45ace4f43bf06f4243aa4df99cb10475c79",
	  "a.example.\t\t300\tIN\tOPENPGPKEY AwEAAbKpGWwo1pKsBTSVe4Ys/9ZgzNr1l8AuYHuo9q4bhMVe8+zEsCrQ T0bY3NgEjEKTAU0/5ZZqC3rXDdTOQ+D6wRKrObgWx37Ts26Oz96ySx7q IaiLD0RvGQ4cBuu01l4nY6QpXETHjsGOz0ZMsd3i/8sc5FrOT0O/BvQk OqTfmcsQR1x5" },
	{ "a.example. 300 IN CSYNC 66 3 A NS AAAA",
	  "000000420003000460000008",
	  "a.example.\t\t300\tIN\tCSYNC\t66 3 A NS AAAA" },
	{ "a.example. 300 IN CSYNC 1 0",
	  "000000010000",
	  "a.example.\t\t300\tIN\tCSYNC\t1 0" },
	{ "a.example. 300 IN ZONEMD 2018031500 1 1 FEBE3D4CE2EC2FFA4BA99D46CD69D6D29711E55217057BEE7EB1A7B641A47BA7FED2DD5B97AE499FAFA4F22C6BD647DE",
	  "7848b78c0101febe3d4ce2ec2ffa4ba99d46cd69d6d29711e55217057bee7eb1a7b641a47ba7fed2dd5b97ae499fafa4f22c6bd647de",
	  "a.example.\t\t300\tIN\tZONEMD\t2018031500 1 1 FEBE3D4CE2EC2FFA4BA99D46CD69D6D29711E55217057BEE7EB1A7B6 41A47BA7FED2DD5B97AE499FAFA4F22C6BD647DE" },
	{ "a.example. 300 IN SPF \"v=spf1 -all\"",
	  "0b763d73706631202d616c6c",
	  "a.example.\t\t300\tIN\tSPF\t\"v=spf1 -all\"" },
	{ "a.example. 300 IN L32 10 10.1.2.0",
	  "000a0a010200",
	  "a.example.\t\t300\tIN\tL32\t10 10.1.2.0" },
	{ "a.example. 300 IN LP 10 l64-subnet1.example.com.",
	  "000a0b6c36342d7375626e657431076578616d706c6503636f6d00",
	  "a.example.\t\t300\tIN\tLP\t10 l64-subnet1.example.com." },
	{ "a.example. 300 IN EUI48 00-00-5E-00-53-2A",
	  "00005e00532a",
	  "a.example.\t\t300\tIN\tEUI48\t00-00-5e-00-53-2a" },
	{ "a.example. 300 IN EUI64 00-00-5e-ef-10-00-00-2a",
	  "00005eef1000002a",
	  "a.example.\t\t300\tIN\tEUI64\t00-00-5e-ef-10-00-00-2a" },
	{ "a.example. 300 IN URI 10 1 \"ftp://ftp1.example.com/public\"",
	  "000a00016674703a2f2f667470312e6578616d706c652e636f6d2f7075626c6963",
	  "a.example.\t\t300\tIN\tURI\t10 1 \"ftp://ftp1.example.com/public\"" },
	{ "a.example. 300 IN CAA 0 issue \"ca.example.net; a=\\\"b\\\"\"",
	  "0005697373756563612e6578616d706c652e6e65743b20613d226222",
	  "a.example.\t\t300\tIN\tCAA\t0 issue \"ca.example.net; a=\\\"b\\\"\"" },
	{ "a.example. 300 IN CAA 128 tbs \"\"",
	  "8003746273",
	  "a.example.\t\t300\tIN\tCAA\t128 tbs \"\"" },
	{ "a.example. 300 IN AVC \"app-name:WOLFGANG|app-class:OAM|business=yes\"",
	  "2c6170702d6e616d653a574f4c4647414e477c6170702d636c6173733a4f414d7c627573696e6573733d796573",
	  "a.example.\t\t300\tIN\tAVC\t\"app-name:WOLFGANG|app-class:OAM|business=yes\"" },
	{ "a.example. 300 IN TA \\# 36 3039080249fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de49fd46e6c4b45c55d4ac69cb",
	  "3039080249fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de49fd46e6c4b45c55d4ac69cb",
	  "a.example.\t\t300\tIN\tTA\t12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE49FD46E6C4B45C55 D4AC69CB" },
	{ "a.example. 300 IN DLV 12345 8 1 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE",
	  "3039080149fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de",
	  "a.example.\t\t300\tIN\tDLV\t12345 8 1 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE" },
	{ "a.example. 300 IN TYPE12345 \\# 3 abcdef",
	  "abcdef",
	  "a.example.\t\t300\tIN\tTYPE12345 \\# 3 ABCDEF" },
	{ "a.example. 300 IN TYPE12346 \\# 0",
	  "",
	  "a.example.\t\t300\tIN\tTYPE12346 \\# 0" },
	{ "a.example. 300 IN TYPE300 \\# 40 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627",
	  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627",
	  "a.example.\t\t300\tIN\tTYPE300\t\\# 40 000102030405060708090A0B0C0D0E0F101112131415161718191A1B 1C1D1E1F2021222324252627" },
	{ "a.example. 300 CH TXT a",
	  "0161",
	  "a.example.\t\t300\tCH\tTXT\t\"a\"" },
	{ "a.example. 300 CLASS300 TYPE300 \\# 2 0102",
	  "0102",
	  "a.example.\t\t300\tCLASS300 TYPE300 \\# 2 0102" },
	{ "a2345678901234567890123456789012345. 2147483647 IN NSEC3PARAM 1 0 0 -",
	  "0100000000",
	  "a2345678901234567890123456789012345. 2147483647\tIN NSEC3PARAM 1 0 0 -" },
	{ "a234567890123456789012. 1 IN A 1.2.3.4",
	  "01020304",
	  "a234567890123456789012.\t1\tIN\tA\t1.2.3.4" },
	{ "a2345678901234567890123. 1 IN A 1.2.3.4",
	  "01020304",
	  "a2345678901234567890123. 1\tIN\tA\t1.2.3.4" },
	{ "a23456789012345678901234567890. 1 IN A 1.2.3.4",
	  "01020304",
	  "a23456789012345678901234567890.\t1 IN\tA\t1.2.3.4" },
	{ "a23456789012345678901234567890. 1234567 IN TYPE1234 \\# 0",
	  "",
	  "a23456789012345678901234567890.\t1234567\tIN TYPE1234 \\# 0" },
	{ "a.example. 300 IN SVCB 1 . alpn=h2,h3 port=443",
	  "000100000100060268320268330003000201bb",
	  "a.example.\t\t300\tIN\tSVCB\t1 . alpn=\"h2,h3\" port=443" },
	{ "a.example. 300 IN HTTPS 0 foo.example.",
	  "000003666f6f076578616d706c6500",
	  "a.example.\t\t300\tIN\tHTTPS\t0 foo.example." },
	{ "a.example. 300 IN HTTPS 1 . ipv4hint=192.0.2.1 ech=AAAA",
	  "00010000040004c000020100050003000000",
	  "a.example.\t\t300\tIN\tHTTPS\t1 . ipv4hint=192.0.2.1 ech=AAAA" },
};

static size_t hex_to_bytes(const char *hex, uint8_t *out)
{
	size_t n = 0;
	for (; hex[0] && hex[1]; hex += 2) {
		unsigned v;
		sscanf(hex, "%2x", &v);
		out[n++] = (uint8_t)v;
	}
	return n;
}

static uint8_t storage[OWNDNS_NAME_MAX + OWNDNS_RDATA_MAX];
static char text[200000];

static void test_golden_records(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof goldens / sizeof goldens[0]; i++) {
		const golden *g = &goldens[i];
		uint8_t want[2048];
		owndns_rr rr;
		size_t want_len = hex_to_bytes(g->wire, want);
		int rc = owndns_rr_from_text(g->text, strlen(g->text), NULL, storage,
					     sizeof storage, &rr);
		if (rc != OWNDNS_OK)
			fail_msg("%s: %s", g->text, owndns_strerror(rc));
		if (rr.rdlen != want_len || memcmp(rr.rdata, want, want_len) != 0)
			fail_msg("%s: wire differs from dnspython", g->text);
		rc = owndns_rr_to_text(&rr, text, sizeof text);
		assert_true(rc > 0);
		assert_int_equal((size_t)rc, strlen(text));
		assert_string_equal(text, g->dig);
	}
}

/* dig's own lines parse back to the same RDATA. */
static void test_dig_lines_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof goldens / sizeof goldens[0]; i++) {
		const golden *g = &goldens[i];
		uint8_t want[2048];
		owndns_rr rr;
		size_t want_len = hex_to_bytes(g->wire, want);
		int rc = owndns_rr_from_text(g->dig, strlen(g->dig), NULL, storage,
					     sizeof storage, &rr);
		if (rc != OWNDNS_OK)
			fail_msg("%s: %s", g->dig, owndns_strerror(rc));
		assert_int_equal(rr.rdlen, want_len);
		assert_memory_equal(rr.rdata, want, want_len);
	}
}

static owndns_rr parse_ok(const char *t, const owndns_rr_text_defaults *defaults)
{
	owndns_rr rr;
	int rc = owndns_rr_from_text(t, strlen(t), defaults, storage, sizeof storage, &rr);
	if (rc != OWNDNS_OK)
		fail_msg("%s: %s", t, owndns_strerror(rc));
	return rr;
}

static int parse_rc(const char *t)
{
	owndns_rr rr;
	return owndns_rr_from_text(t, strlen(t), NULL, storage, sizeof storage, &rr);
}

static void test_ttl_and_class_omitted_or_swapped(void **state)
{
	(void)state;
	owndns_rr_text_defaults defaults = { NULL, 3600, OWNDNS_CLASS_CH };
	owndns_rr rr = parse_ok("a. A 192.0.2.1", &defaults);
	assert_int_equal(rr.ttl, 3600);
	assert_int_equal(rr.rclass, OWNDNS_CLASS_CH);
	assert_int_equal(rr.type, OWNDNS_TYPE_A);
	rr = parse_ok("a. IN 1h30m A 192.0.2.1", &defaults);
	assert_int_equal(rr.ttl, 5400);
	assert_int_equal(rr.rclass, OWNDNS_CLASS_IN);
	rr = parse_ok("a. 7 HS TXT x", &defaults);
	assert_int_equal(rr.ttl, 7);
	assert_int_equal(rr.rclass, OWNDNS_CLASS_HS);
	rr = parse_ok("a. TXT x", NULL);
	assert_int_equal(rr.ttl, 0);
	assert_int_equal(rr.rclass, OWNDNS_CLASS_IN);
	/* Type names that look like classes are still types in the type position. */
	rr = parse_ok("a. 1 CH ANY \\# 0", NULL);
	assert_int_equal(rr.rclass, OWNDNS_CLASS_CH);
	assert_int_equal(rr.type, OWNDNS_TYPE_ANY);
	assert_int_equal(parse_rc("a. 1 2 A 192.0.2.1"), OWNDNS_EUNKNOWN_TYPE);
	assert_int_equal(parse_rc("a. IN IN A 192.0.2.1"), OWNDNS_EUNKNOWN_TYPE);
	assert_int_equal(parse_rc("a. 1 IN"), OWNDNS_ESYNTAX);
	assert_int_equal(parse_rc("a. 1 IN BOGUS x"), OWNDNS_EUNKNOWN_TYPE);
	assert_int_equal(parse_rc("a. 1x IN A 192.0.2.1"), OWNDNS_ENUMBER);
}

static void test_ttl_units(void **state)
{
	(void)state;
	uint32_t ttl;
	assert_int_equal(owndns_ttl_from_text("0", 1, &ttl), OWNDNS_OK);
	assert_int_equal(ttl, 0);
	assert_int_equal(owndns_ttl_from_text("4294967295", 10, &ttl), OWNDNS_OK);
	assert_int_equal(ttl, 4294967295u);
	assert_int_equal(owndns_ttl_from_text("4294967296", 10, &ttl), OWNDNS_ENUMBER);
	assert_int_equal(owndns_ttl_from_text("1w2d3h4m5s", 10, &ttl), OWNDNS_OK);
	assert_int_equal(ttl, 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
	assert_int_equal(owndns_ttl_from_text("1H1M", 4, &ttl), OWNDNS_OK);
	assert_int_equal(ttl, 3660);
	assert_int_equal(owndns_ttl_from_text("1h30", 4, &ttl), OWNDNS_ENUMBER);
	assert_int_equal(owndns_ttl_from_text("h", 1, &ttl), OWNDNS_ENUMBER);
	assert_int_equal(owndns_ttl_from_text("1y", 2, &ttl), OWNDNS_ENUMBER);
	assert_int_equal(owndns_ttl_from_text("", 0, &ttl), OWNDNS_ENUMBER);
	assert_int_equal(owndns_ttl_from_text("-1", 2, &ttl), OWNDNS_ENUMBER);
	assert_int_equal(owndns_ttl_from_text("7102w", 5, &ttl), OWNDNS_ENUMBER);
}

static void test_parentheses_comments_and_origin(void **state)
{
	(void)state;
	static const uint8_t origin[] = "\7example";
	owndns_rr_text_defaults defaults = { origin, 60, 0 };
	const char *t = "@ 300 IN SOA ( ns mail.example. ; primary and mailbox\n"
			"  1 ; serial\n  2 3\n  4 5 )\n\n; trailing comment\n";
	owndns_rr rr = parse_ok(t, &defaults);
	assert_memory_equal(rr.owner, "\7example", 9);
	rr.ttl = 300;
	assert_int_equal(owndns_rr_to_text(&rr, text, sizeof text) > 0, 1);
	assert_string_equal(text,
			    "example.\t\t300\tIN\tSOA\tns.example. mail.example. 1 2 3 4 5");
	rr = parse_ok("www A 192.0.2.1", &defaults);
	assert_memory_equal(rr.owner, "\3www\7example", 13);
	assert_int_equal(rr.ttl, 60);
	assert_int_equal(parse_rc("a. 1 IN SOA ( a. b. 1 2 3 4 5"), OWNDNS_ESYNTAX);
	assert_int_equal(parse_rc("a. 1 IN A 192.0.2.1 )"), OWNDNS_ESYNTAX);
	assert_int_equal(parse_rc("a. 1 IN A 192.0.2.1\nb. 1 IN A 192.0.2.2"), OWNDNS_ETRAILING);
	assert_int_equal(parse_rc("a. 1 IN A 192.0.2.1 192.0.2.2"), OWNDNS_ETRAILING);
	assert_int_equal(parse_rc("a. 1 IN TXT \"open"), OWNDNS_ESYNTAX);
	assert_int_equal(parse_rc(""), OWNDNS_ESYNTAX);
}

static void test_to_text_space(void **state)
{
	(void)state;
	owndns_rr rr = parse_ok("a. 1 IN A 192.0.2.1", NULL);
	char small[16];
	assert_int_equal(owndns_rr_to_text(&rr, small, sizeof small), OWNDNS_ESPACE);
	char exact[sizeof "a.\t\t\t1\tIN\tA\t192.0.2.1"];
	assert_int_equal(owndns_rr_to_text(&rr, exact, sizeof exact), (int)sizeof exact - 1);
	assert_int_equal(owndns_rr_to_text(&rr, exact, sizeof exact - 1), OWNDNS_ESPACE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_records),
		cmocka_unit_test(test_dig_lines_round_trip),
		cmocka_unit_test(test_ttl_and_class_omitted_or_swapped),
		cmocka_unit_test(test_ttl_units),
		cmocka_unit_test(test_parentheses_comments_and_origin),
		cmocka_unit_test(test_to_text_space),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
