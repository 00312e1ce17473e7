/* The RR type and class tables: each known type's RDATA layout (read by lib/rdata.c)
 * and the mnemonics of types and classes.  Adding a type is adding a row. */
#include <stdio.h>

#include <owndns/rdata.h>

#include "rdata_field.h"

#define F(...) { __VA_ARGS__, RDF_END }

/* Names are compressed (NAME_C) only in the RFC 1035 types; RFC 3597 §4 lists the types
 * whose names are decompressed on read (NAME_D); all later types use plain NAME.
 * canonical_lower marks the types of RFC 4034 §6.2 whose names are lower-cased in
 * canonical form, without NSEC (RFC 6840 §5.1). */
static const rdata_desc rdata_table[] = {
	{ OWNDNS_TYPE_A, "A", F(RDF_IPV4), NULL, 0 },
	{ OWNDNS_TYPE_NS, "NS", F(RDF_NAME_C), NULL, 1 },
	{ OWNDNS_TYPE_MD, "MD", F(RDF_NAME_C), NULL, 1 },
	{ OWNDNS_TYPE_MF, "MF", F(RDF_NAME_C), NULL, 1 },
	{ OWNDNS_TYPE_CNAME, "CNAME", F(RDF_NAME_C), NULL, 1 },
	{ OWNDNS_TYPE_SOA, "SOA",
	  F(RDF_NAME_C, RDF_NAME_C, RDF_U32, RDF_U32, RDF_U32, RDF_U32, RDF_U32), NULL, 1 },
	{ OWNDNS_TYPE_MB, "MB", F(RDF_NAME_C), NULL, 1 },
	{ OWNDNS_TYPE_MG, "MG", F(RDF_NAME_C), NULL, 1 },
	{ OWNDNS_TYPE_MR, "MR", F(RDF_NAME_C), NULL, 1 },
	{ OWNDNS_TYPE_WKS, "WKS", F(RDF_SPECIAL), &rdata_wks_ops, 0 },
	{ OWNDNS_TYPE_PTR, "PTR", F(RDF_NAME_C), NULL, 1 },
	{ OWNDNS_TYPE_HINFO, "HINFO", F(RDF_STRING, RDF_STRING), NULL, 0 },
	{ OWNDNS_TYPE_MINFO, "MINFO", F(RDF_NAME_C, RDF_NAME_C), NULL, 1 },
	{ OWNDNS_TYPE_MX, "MX", F(RDF_U16, RDF_NAME_C), NULL, 1 },
	{ OWNDNS_TYPE_TXT, "TXT", F(RDF_STRINGS), NULL, 0 },
	{ OWNDNS_TYPE_RP, "RP", F(RDF_NAME_D, RDF_NAME_D), NULL, 1 },
	{ OWNDNS_TYPE_AFSDB, "AFSDB", F(RDF_U16, RDF_NAME_D), NULL, 1 },
	{ OWNDNS_TYPE_X25, "X25", F(RDF_STRING), NULL, 0 },
	/* RFC 1183 §3.2: ISDN-address and an optional subaddress. */
	{ OWNDNS_TYPE_ISDN, "ISDN", F(RDF_STRINGS), NULL, 0 },
	{ OWNDNS_TYPE_RT, "RT", F(RDF_U16, RDF_NAME_D), NULL, 1 },
	{ OWNDNS_TYPE_NSAP, "NSAP", F(RDF_NSAP), NULL, 0 },
	{ OWNDNS_TYPE_NSAP_PTR, "NSAP-PTR", F(RDF_NAME), NULL, 0 },
	{ OWNDNS_TYPE_SIG, "SIG",
	  F(RDF_TYPE, RDF_SECALG, RDF_U8, RDF_U32, RDF_TIME, RDF_TIME, RDF_U16, RDF_NAME_D,
	    RDF_BASE64), NULL, 1 },
	{ OWNDNS_TYPE_KEY, "KEY", F(RDF_U16, RDF_U8, RDF_SECALG, RDF_BASE64_OPT), NULL, 0 },
	{ OWNDNS_TYPE_PX, "PX", F(RDF_U16, RDF_NAME_D, RDF_NAME_D), NULL, 1 },
	/* RFC 1712 §3: three strings holding decimal numbers (dig checks no more). */
	{ OWNDNS_TYPE_GPOS, "GPOS", F(RDF_STRING, RDF_STRING, RDF_STRING), NULL, 0 },
	{ OWNDNS_TYPE_AAAA, "AAAA", F(RDF_IPV6), NULL, 0 },
	{ OWNDNS_TYPE_LOC, "LOC", F(RDF_SPECIAL), &rdata_loc_ops, 0 },
	{ OWNDNS_TYPE_SRV, "SRV", F(RDF_U16, RDF_U16, RDF_U16, RDF_NAME_D), NULL, 1 },
	{ OWNDNS_TYPE_NAPTR, "NAPTR",
	  F(RDF_U16, RDF_U16, RDF_STRING, RDF_STRING, RDF_STRING, RDF_NAME_D), NULL, 1 },
	{ OWNDNS_TYPE_KX, "KX", F(RDF_U16, RDF_NAME_D), NULL, 1 },
	{ OWNDNS_TYPE_CERT, "CERT", F(RDF_CERT_TYPE, RDF_U16, RDF_SECALG, RDF_BASE64_OPT), NULL, 0 },
	/* The prefix name of A6 is not lower-cased in canonical form: it sits inside the
	 * special field. */
	{ OWNDNS_TYPE_A6, "A6", F(RDF_SPECIAL), &rdata_a6_ops, 0 },
	{ OWNDNS_TYPE_DNAME, "DNAME", F(RDF_NAME), NULL, 1 },
	{ OWNDNS_TYPE_SINK, "SINK", F(RDF_U8, RDF_U8, RDF_U8, RDF_BASE64_OPT), NULL, 0 },
	{ OWNDNS_TYPE_APL, "APL", F(RDF_SPECIAL), &rdata_apl_ops, 0 },
	{ OWNDNS_TYPE_DS, "DS", F(RDF_U16, RDF_SECALG, RDF_U8, RDF_HEX), NULL, 0 },
	{ OWNDNS_TYPE_SSHFP, "SSHFP", F(RDF_U8, RDF_U8, RDF_HEX), NULL, 0 },
	{ OWNDNS_TYPE_IPSECKEY, "IPSECKEY", F(RDF_SPECIAL), &rdata_ipseckey_ops, 0 },
	{ OWNDNS_TYPE_RRSIG, "RRSIG",
	  F(RDF_TYPE, RDF_SECALG, RDF_U8, RDF_U32, RDF_TIME, RDF_TIME, RDF_U16, RDF_NAME,
	    RDF_BASE64), NULL, 1 },
	{ OWNDNS_TYPE_NSEC, "NSEC", F(RDF_NAME, RDF_BITMAP), NULL, 0 },
	{ OWNDNS_TYPE_DNSKEY, "DNSKEY", F(RDF_U16, RDF_U8, RDF_SECALG, RDF_BASE64_OPT), NULL, 0 },
	{ OWNDNS_TYPE_DHCID, "DHCID", F(RDF_BASE64), NULL, 0 },
	{ OWNDNS_TYPE_NSEC3, "NSEC3",
	  F(RDF_U8, RDF_U8, RDF_U16, RDF_HEX_LEN8, RDF_B32_LEN8, RDF_BITMAP), NULL, 0 },
	{ OWNDNS_TYPE_NSEC3PARAM, "NSEC3PARAM", F(RDF_U8, RDF_U8, RDF_U16, RDF_HEX_LEN8), NULL, 0 },
	{ OWNDNS_TYPE_HIP, "HIP", F(RDF_SPECIAL), &rdata_hip_ops, 0 },
	{ OWNDNS_TYPE_NINFO, "NINFO", F(RDF_STRINGS), NULL, 0 },
	{ OWNDNS_TYPE_TALINK, "TALINK", F(RDF_NAME, RDF_NAME), NULL, 0 },
	{ OWNDNS_TYPE_TLSA, "TLSA", F(RDF_U8, RDF_U8, RDF_U8, RDF_HEX), NULL, 0 },
	{ OWNDNS_TYPE_SMIMEA, "SMIMEA", F(RDF_U8, RDF_U8, RDF_U8, RDF_HEX), NULL, 0 },
	{ OWNDNS_TYPE_CDS, "CDS", F(RDF_U16, RDF_SECALG, RDF_U8, RDF_HEX), NULL, 0 },
	{ OWNDNS_TYPE_CDNSKEY, "CDNSKEY", F(RDF_U16, RDF_U8, RDF_SECALG, RDF_BASE64_OPT), NULL, 0 },
	{ OWNDNS_TYPE_OPENPGPKEY, "OPENPGPKEY", F(RDF_BASE64), NULL, 0 },
	{ OWNDNS_TYPE_CSYNC, "CSYNC", F(RDF_U32, RDF_U16, RDF_BITMAP), NULL, 0 },
	{ OWNDNS_TYPE_ZONEMD, "ZONEMD", F(RDF_U32, RDF_U8, RDF_U8, RDF_HEX), NULL, 0 },
	{ OWNDNS_TYPE_SVCB, "SVCB", F(RDF_U16, RDF_NAME, RDF_SPECIAL), &rdata_svc_params_ops, 0 },
	{ OWNDNS_TYPE_HTTPS, "HTTPS", F(RDF_U16, RDF_NAME, RDF_SPECIAL), &rdata_svc_params_ops, 0 },
	{ OWNDNS_TYPE_SPF, "SPF", F(RDF_STRINGS), NULL, 0 },
	{ OWNDNS_TYPE_NID, "NID", F(RDF_U16, RDF_ILNP64), NULL, 0 },
	{ OWNDNS_TYPE_L32, "L32", F(RDF_U16, RDF_IPV4), NULL, 0 },
	{ OWNDNS_TYPE_L64, "L64", F(RDF_U16, RDF_ILNP64), NULL, 0 },
	{ OWNDNS_TYPE_LP, "LP", F(RDF_U16, RDF_NAME), NULL, 0 },
	{ OWNDNS_TYPE_EUI48, "EUI48", F(RDF_EUI48), NULL, 0 },
	{ OWNDNS_TYPE_EUI64, "EUI64", F(RDF_EUI64), NULL, 0 },
	{ OWNDNS_TYPE_URI, "URI", F(RDF_U16, RDF_U16, RDF_STRING_REST), NULL, 0 },
	{ OWNDNS_TYPE_CAA, "CAA", F(RDF_U8, RDF_TAG, RDF_STRING_REST), NULL, 0 },
	{ OWNDNS_TYPE_AVC, "AVC", F(RDF_STRINGS), NULL, 0 },
	/* draft-durand-doa-over-dns: the data is "-" when empty. */
	{ OWNDNS_TYPE_DOA, "DOA", F(RDF_U32, RDF_U32, RDF_U8, RDF_STRING, RDF_BASE64_DASH), NULL, 0 },
	{ OWNDNS_TYPE_AMTRELAY, "AMTRELAY", F(RDF_SPECIAL), &rdata_amtrelay_ops, 0 },
	{ OWNDNS_TYPE_RESINFO, "RESINFO", F(RDF_STRINGS), NULL, 0 },
	{ OWNDNS_TYPE_TA, "TA", F(RDF_U16, RDF_SECALG, RDF_U8, RDF_HEX), NULL, 0 },
	{ OWNDNS_TYPE_DLV, "DLV", F(RDF_U16, RDF_SECALG, RDF_U8, RDF_HEX), NULL, 0 },
};

typedef struct code_name {
	uint16_t code;
	const char *name;
} code_name;

/* Types known by name whose RDATA is handled as opaque RFC 3597 data (no layout row),
 * and the meta types. */
static const code_name opaque_types[] = {
	{ OWNDNS_TYPE_NULL, "NULL" }, { OWNDNS_TYPE_NXT, "NXT" },
};

static const code_name meta_types[] = {
	{ OWNDNS_TYPE_OPT, "OPT" }, { OWNDNS_TYPE_TKEY, "TKEY" }, { OWNDNS_TYPE_TSIG, "TSIG" },
	{ OWNDNS_TYPE_IXFR, "IXFR" }, { OWNDNS_TYPE_AXFR, "AXFR" }, { OWNDNS_TYPE_MAILB, "MAILB" },
	{ OWNDNS_TYPE_MAILA, "MAILA" }, { OWNDNS_TYPE_ANY, "ANY" },
};

/* The first name of a code is the one printed; later ones are accepted on input. */
static const code_name classes[] = {
	{ OWNDNS_CLASS_IN, "IN" }, { OWNDNS_CLASS_CH, "CH" }, { OWNDNS_CLASS_CH, "CHAOS" },
	{ OWNDNS_CLASS_HS, "HS" }, { OWNDNS_CLASS_HS, "HESIOD" }, { OWNDNS_CLASS_NONE, "NONE" },
	{ OWNDNS_CLASS_ANY, "ANY" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const rdata_desc *rdata_desc_find(uint16_t type)
{
	for (size_t i = 0; i < COUNT(rdata_table); i++)
		if (rdata_table[i].type == type)
			return &rdata_table[i];
	return NULL;
}

static const char *code_lookup(const code_name *t, size_t n, uint16_t code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return NULL;
}

static char ascii_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* ASCII case-insensitive comparison of text[0..len) with a NUL-terminated upper-case
 * mnemonic; never locale-dependent. */
static int mnemonic_equal(const char *text, size_t len, const char *mnemonic)
{
	size_t i = 0;
	for (; i < len; i++)
		if (mnemonic[i] == '\0' || ascii_upper(text[i]) != mnemonic[i])
			return 0;
	return mnemonic[i] == '\0';
}

static int code_find(const code_name *t, size_t n, const char *text, size_t len, uint16_t *code)
{
	for (size_t i = 0; i < n; i++) {
		if (mnemonic_equal(text, len, t[i].name)) {
			*code = t[i].code;
			return 1;
		}
	}
	return 0;
}

/* RFC 3597 §5: "TYPEnnn" / "CLASSnnn" with a decimal number up to 65535. */
static int generic_code(const char *text, size_t len, const char *prefix, uint16_t *code)
{
	size_t plen = 0;
	while (prefix[plen] != '\0')
		plen++;
	if (len <= plen || len > plen + 5)
		return 0;
	for (size_t i = 0; i < plen; i++)
		if (ascii_upper(text[i]) != prefix[i])
			return 0;
	uint32_t v = 0;
	for (size_t i = plen; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return 0;
		v = v * 10 + (uint32_t)(text[i] - '0');
	}
	if (v > 65535)
		return 0;
	*code = (uint16_t)v;
	return 1;
}

const char *owndns_type_mnemonic(uint16_t type)
{
	const rdata_desc *d = rdata_desc_find(type);
	if (d)
		return d->mnemonic;
	const char *m = code_lookup(opaque_types, COUNT(opaque_types), type);
	return m ? m : code_lookup(meta_types, COUNT(meta_types), type);
}

int owndns_type_is_meta(uint16_t type)
{
	return code_lookup(meta_types, COUNT(meta_types), type) != NULL;
}

static int code_to_text(const char *mnemonic, const char *prefix, uint16_t code, char *buf,
			size_t size)
{
	int n = mnemonic ? snprintf(buf, size, "%s", mnemonic)
			 : snprintf(buf, size, "%s%u", prefix, (unsigned)code);
	if (n < 0 || (size_t)n >= size)
		return OWNDNS_ESPACE;
	return n;
}

int owndns_type_to_text(uint16_t type, char *buf, size_t size)
{
	return code_to_text(owndns_type_mnemonic(type), "TYPE", type, buf, size);
}

int owndns_type_from_text(const char *text, size_t len, uint16_t *type)
{
	for (size_t i = 0; i < COUNT(rdata_table); i++) {
		if (mnemonic_equal(text, len, rdata_table[i].mnemonic)) {
			*type = rdata_table[i].type;
			return OWNDNS_OK;
		}
	}
	if (code_find(opaque_types, COUNT(opaque_types), text, len, type) ||
	    code_find(meta_types, COUNT(meta_types), text, len, type) ||
	    generic_code(text, len, "TYPE", type))
		return OWNDNS_OK;
	return OWNDNS_EUNKNOWN_TYPE;
}

const char *owndns_class_mnemonic(uint16_t rclass)
{
	return code_lookup(classes, COUNT(classes), rclass);
}

int owndns_class_to_text(uint16_t rclass, char *buf, size_t size)
{
	return code_to_text(owndns_class_mnemonic(rclass), "CLASS", rclass, buf, size);
}

int owndns_class_from_text(const char *text, size_t len, uint16_t *rclass)
{
	if (code_find(classes, COUNT(classes), text, len, rclass) ||
	    generic_code(text, len, "CLASS", rclass))
		return OWNDNS_OK;
	return OWNDNS_EUNKNOWN_CLASS;
}
