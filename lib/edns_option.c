/* Parsers and builders of individual EDNS options (COOKIE, CLIENT-SUBNET, EXPIRE,
 * TCP-KEEPALIVE, EDE, NSID), and the EDE INFO-CODE names. */
#include <owndns/edns.h>
#include <owndns/rdata.h>

#define ECS_FIXED_SIZE 4
#define EDE_FIXED_SIZE 2

/* ---- COOKIE (RFC 7873 §4) ---------------------------------------------------- */

static bool server_cookie_len_ok(size_t len)
{
	return len == 0 || (len >= OWNDNS_COOKIE_SERVER_MIN && len <= OWNDNS_COOKIE_SERVER_MAX);
}

int owndns_edns_parse_cookie(const owndns_edns_option *opt, owndns_edns_cookie *c)
{
	if (opt->len < OWNDNS_COOKIE_CLIENT_LEN ||
	    !server_cookie_len_ok(opt->len - OWNDNS_COOKIE_CLIENT_LEN))
		return OWNDNS_EEDNS_OPTION;
	memset(c, 0, sizeof(*c));
	memcpy(c->client, opt->data, OWNDNS_COOKIE_CLIENT_LEN);
	c->server_len = (uint8_t)(opt->len - OWNDNS_COOKIE_CLIENT_LEN);
	memcpy(c->server, opt->data + OWNDNS_COOKIE_CLIENT_LEN, c->server_len);
	return OWNDNS_OK;
}

int owndns_edns_add_cookie(owndns_edns_builder *b, const owndns_edns_cookie *c)
{
	uint8_t data[OWNDNS_COOKIE_CLIENT_LEN + OWNDNS_COOKIE_SERVER_MAX];

	if (!server_cookie_len_ok(c->server_len))
		return OWNDNS_EINVAL;
	memcpy(data, c->client, OWNDNS_COOKIE_CLIENT_LEN);
	memcpy(data + OWNDNS_COOKIE_CLIENT_LEN, c->server, c->server_len);
	return owndns_edns_add_option(b, OWNDNS_EDNS_COOKIE, data,
				      OWNDNS_COOKIE_CLIENT_LEN + (size_t)c->server_len);
}

/* ---- CLIENT-SUBNET (RFC 7871 §6) --------------------------------------------- */

static unsigned ecs_family_bits(uint16_t family)
{
	switch (family) {
	case OWNDNS_ECS_FAMILY_IPV4:
		return 32;
	case OWNDNS_ECS_FAMILY_IPV6:
		return 128;
	default:
		return 0;
	}
}

static size_t prefix_octets(unsigned bits)
{
	return (bits + 7u) / 8u;
}

/* Mask of the bits of the last address octet that lie beyond the prefix. */
static uint8_t beyond_prefix_mask(unsigned bits)
{
	return bits % 8u ? (uint8_t)(0xffu >> (bits % 8u)) : 0;
}

int owndns_edns_parse_ecs(const owndns_edns_option *opt, owndns_edns_ecs *ecs)
{
	owndns_rbuf rd = owndns_rbuf_init(opt->data, opt->len);

	memset(ecs, 0, sizeof(*ecs));
	ecs->family = owndns_rbuf_u16(&rd);
	ecs->source_prefix = owndns_rbuf_u8(&rd);
	ecs->scope_prefix = owndns_rbuf_u8(&rd);
	if (rd.error)
		return OWNDNS_EEDNS_OPTION;
	unsigned bits = ecs_family_bits(ecs->family);
	if (!bits || ecs->source_prefix > bits || ecs->scope_prefix > bits)
		return OWNDNS_EEDNS_OPTION;
	/* §6: ADDRESS holds exactly the octets the source prefix covers ... */
	size_t n = prefix_octets(ecs->source_prefix);
	if (owndns_rbuf_left(&rd) != n)
		return OWNDNS_EEDNS_OPTION;
	owndns_rbuf_copy(&rd, ecs->address, n);
	/* ... and bits past the prefix MUST be zero. */
	if (n && (ecs->address[n - 1] & beyond_prefix_mask(ecs->source_prefix)))
		return OWNDNS_EEDNS_OPTION;
	return OWNDNS_OK;
}

int owndns_edns_add_ecs(owndns_edns_builder *b, const owndns_edns_ecs *ecs)
{
	uint8_t data[ECS_FIXED_SIZE + 16];
	unsigned bits = ecs_family_bits(ecs->family);

	if (!bits || ecs->source_prefix > bits || ecs->scope_prefix > bits)
		return OWNDNS_EINVAL;
	size_t n = prefix_octets(ecs->source_prefix);
	owndns_wbuf wb = owndns_wbuf_init(data, sizeof(data));
	owndns_wbuf_u16(&wb, ecs->family);
	owndns_wbuf_u8(&wb, ecs->source_prefix);
	owndns_wbuf_u8(&wb, ecs->scope_prefix);
	owndns_wbuf_bytes(&wb, ecs->address, n);
	if (n)
		data[wb.len - 1] &= (uint8_t)~beyond_prefix_mask(ecs->source_prefix);
	return owndns_edns_add_option(b, OWNDNS_EDNS_CLIENT_SUBNET, data, wb.len);
}

/* ---- EXPIRE (RFC 7314 §2) and TCP-KEEPALIVE (RFC 7828 §3.1) ------------------ */

int owndns_edns_parse_expire(const owndns_edns_option *opt, bool *has_value, uint32_t *expire)
{
	owndns_rbuf rd = owndns_rbuf_init(opt->data, opt->len);

	if (opt->len != 0 && opt->len != 4)
		return OWNDNS_EEDNS_OPTION;
	*has_value = opt->len == 4;
	*expire = *has_value ? owndns_rbuf_u32(&rd) : 0;
	return OWNDNS_OK;
}

int owndns_edns_add_expire(owndns_edns_builder *b, bool has_value, uint32_t expire)
{
	uint8_t data[4];
	owndns_wbuf wb = owndns_wbuf_init(data, sizeof(data));

	if (has_value)
		owndns_wbuf_u32(&wb, expire);
	return owndns_edns_add_option(b, OWNDNS_EDNS_EXPIRE, data, wb.len);
}

int owndns_edns_parse_keepalive(const owndns_edns_option *opt, bool *has_value,
				uint16_t *timeout)
{
	owndns_rbuf rd = owndns_rbuf_init(opt->data, opt->len);

	if (opt->len != 0 && opt->len != 2)
		return OWNDNS_EEDNS_OPTION;
	*has_value = opt->len == 2;
	*timeout = *has_value ? owndns_rbuf_u16(&rd) : 0;
	return OWNDNS_OK;
}

int owndns_edns_add_keepalive(owndns_edns_builder *b, bool has_value, uint16_t timeout)
{
	uint8_t data[2];
	owndns_wbuf wb = owndns_wbuf_init(data, sizeof(data));

	if (has_value)
		owndns_wbuf_u16(&wb, timeout);
	return owndns_edns_add_option(b, OWNDNS_EDNS_TCP_KEEPALIVE, data, wb.len);
}

/* ---- NSID (RFC 5001) --------------------------------------------------------- */

int owndns_edns_add_nsid(owndns_edns_builder *b, const void *id, size_t len)
{
	return owndns_edns_add_option(b, OWNDNS_EDNS_NSID, id, len);
}

/* ---- Extended DNS Errors (RFC 8914) ------------------------------------------ */

int owndns_edns_parse_ede(const owndns_edns_option *opt, uint16_t *info_code,
			  const uint8_t **text, size_t *text_len)
{
	owndns_rbuf rd = owndns_rbuf_init(opt->data, opt->len);

	*info_code = owndns_rbuf_u16(&rd);
	if (rd.error)
		return OWNDNS_EEDNS_OPTION;
	*text_len = owndns_rbuf_left(&rd);
	*text = *text_len ? opt->data + EDE_FIXED_SIZE : NULL;
	return OWNDNS_OK;
}

int owndns_edns_add_ede(owndns_edns_builder *b, uint16_t info_code, const char *text,
			size_t text_len)
{
	if (text_len > OWNDNS_RDATA_MAX - EDE_FIXED_SIZE ||
	    b->opts.cap - b->opts.len < OWNDNS_EDNS_OPTION_HEADER + EDE_FIXED_SIZE + text_len)
		return OWNDNS_ESPACE;
	owndns_wbuf_u16(&b->opts, OWNDNS_EDNS_EDE);
	owndns_wbuf_u16(&b->opts, (uint16_t)(EDE_FIXED_SIZE + text_len));
	owndns_wbuf_u16(&b->opts, info_code);
	owndns_wbuf_bytes(&b->opts, text, text_len);
	return b->opts.error;
}

/* IANA "Extended DNS Error Codes" registry, the names dig prints. */
static const char *const ede_names[] = {
	"Other",
	"Unsupported DNSKEY Algorithm",
	"Unsupported DS Digest Type",
	"Stale Answer",
	"Forged Answer",
	"DNSSEC Indeterminate",
	"DNSSEC Bogus",
	"Signature Expired",
	"Signature Not Yet Valid",
	"DNSKEY Missing",
	"RRSIGs Missing",
	"No Zone Key Bit Set",
	"NSEC Missing",
	"Cached Error",
	"Not Ready",
	"Blocked",
	"Censored",
	"Filtered",
	"Prohibited",
	"Stale NXDOMAIN Answer",
	"Not Authoritative",
	"Not Supported",
	"No Reachable Authority",
	"Network Error",
	"Invalid Data",
	"Signature Expired before Valid",
	"Too Early",
	"Unsupported NSEC3 Iterations Value",
	"Unable to conform to policy",
	"Synthesized",
	"Invalid Query Type",
};

const char *owndns_ede_name(uint16_t info_code)
{
	return info_code < sizeof(ede_names) / sizeof(ede_names[0]) ? ede_names[info_code] : NULL;
}
