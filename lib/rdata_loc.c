/* LOC RDATA (RFC 1876): the whole RDATA is one format of its own.
 *
 * Wire: VERSION SIZE HORIZ_PRE VERT_PRE (one octet each), LATITUDE LONGITUDE ALTITUDE
 * (32 bits each).  Only version 0 is defined; other versions do not check, so the
 * engine prints them as RFC 3597 generic data, as dig does.
 * Text: "d1 [m1 [s1]] {N|S} d2 [m2 [s2]] {E|W} alt[m] [siz[m] [hp[m] [vp[m]]]]". */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>

#include "rdata_field.h"

#define LOC_RDATA_LEN 16
#define LOC_EQUATOR ((uint32_t)1 << 31)	/* RFC 1876 §2: 2^31 is the equator / prime meridian */
#define LOC_MS_PER_DEGREE 3600000u
#define LOC_ALTITUDE_BASE 10000000	/* wire altitude is cm above -100000 m */
#define LOC_ALTITUDE_MAX_CM 4284967295LL /* 2^32 - 1 - LOC_ALTITUDE_BASE */
/* RFC 1876 §3 defaults when the text leaves them out: 1 m, 10000 m, 10 m. */
#define LOC_DEFAULT_SIZE 0x12
#define LOC_DEFAULT_HORIZ_PRE 0x16
#define LOC_DEFAULT_VERT_PRE 0x13
/* The largest number of digits accepted before a decimal point: more cannot fit. */
#define LOC_MAX_DIGITS 10

static const uint64_t powers_of_ten[10] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL,
	1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL,
};

/* ---- wire ---- */

/* RFC 1876 §2: a precision octet is a mantissa nibble and a power-of-ten nibble, each
 * 0..9. */
static bool precision_is_valid(uint8_t octet)
{
	return (octet >> 4) <= 9 && (octet & 0x0f) <= 9;
}

static bool coordinate_in_range(uint32_t wire, uint32_t max_degrees)
{
	uint32_t limit = max_degrees * LOC_MS_PER_DEGREE;
	uint32_t distance = wire >= LOC_EQUATOR ? wire - LOC_EQUATOR : LOC_EQUATOR - wire;
	return distance <= limit;
}

static void loc_check(owndns_rbuf *rd)
{
	size_t left = owndns_rbuf_left(rd);
	const uint8_t *p = owndns_rbuf_take(rd, LOC_RDATA_LEN);
	if (!p)
		return;
	if (left > LOC_RDATA_LEN) {
		rd->error = OWNDNS_ETRAILING;
		return;
	}
	owndns_rbuf loc = owndns_rbuf_init(p, LOC_RDATA_LEN);
	uint8_t version = owndns_rbuf_u8(&loc);
	uint8_t size = owndns_rbuf_u8(&loc);
	uint8_t horiz = owndns_rbuf_u8(&loc);
	uint8_t vert = owndns_rbuf_u8(&loc);
	uint32_t latitude = owndns_rbuf_u32(&loc);
	uint32_t longitude = owndns_rbuf_u32(&loc);
	if (version != 0 || !precision_is_valid(size) || !precision_is_valid(horiz) ||
	    !precision_is_valid(vert) || !coordinate_in_range(latitude, 90) ||
	    !coordinate_in_range(longitude, 180))
		rd->error = OWNDNS_ERDATA;
}

/* ---- wire to text ---- */

static void put_coordinate(text_buf *out, uint32_t wire, char positive, char negative)
{
	char hemisphere = wire >= LOC_EQUATOR ? positive : negative;
	uint32_t ms = wire >= LOC_EQUATOR ? wire - LOC_EQUATOR : LOC_EQUATOR - wire;
	unsigned degrees = ms / LOC_MS_PER_DEGREE;
	ms %= LOC_MS_PER_DEGREE;
	unsigned minutes = ms / 60000;
	ms %= 60000;
	text_buf_printf(out, "%u %u %u.%03u %c", degrees, minutes, (unsigned)(ms / 1000),
			(unsigned)(ms % 1000), hemisphere);
}

/* dig prints whole metres from 1 m up, centimetres below ("0.50m", "0.00m"). */
static void put_precision(text_buf *out, uint8_t octet)
{
	uint64_t cm = (uint64_t)(octet >> 4) * powers_of_ten[octet & 0x0f];
	if (cm >= 100)
		text_buf_printf(out, "%" PRIu64 "m", cm / 100);
	else
		text_buf_printf(out, "0.%02" PRIu64 "m", cm);
}

static void put_altitude(text_buf *out, uint32_t wire)
{
	int64_t cm = (int64_t)wire - LOC_ALTITUDE_BASE;
	const char *sign = cm < 0 ? "-" : "";
	uint64_t magnitude = (uint64_t)(cm < 0 ? -cm : cm);
	text_buf_printf(out, "%s%" PRIu64 ".%02" PRIu64 "m", sign, magnitude / 100,
			magnitude % 100);
}

static void loc_to_text(owndns_rbuf *rd, text_buf *out)
{
	owndns_rbuf_u8(rd); /* version, checked to be 0 */
	uint8_t size = owndns_rbuf_u8(rd);
	uint8_t horiz = owndns_rbuf_u8(rd);
	uint8_t vert = owndns_rbuf_u8(rd);
	uint32_t latitude = owndns_rbuf_u32(rd);
	uint32_t longitude = owndns_rbuf_u32(rd);
	uint32_t altitude = owndns_rbuf_u32(rd);
	put_coordinate(out, latitude, 'N', 'S');
	text_buf_putc(out, ' ');
	put_coordinate(out, longitude, 'E', 'W');
	text_buf_putc(out, ' ');
	put_altitude(out, altitude);
	text_buf_putc(out, ' ');
	put_precision(out, size);
	text_buf_putc(out, ' ');
	put_precision(out, horiz);
	text_buf_putc(out, ' ');
	put_precision(out, vert);
}

/* ---- text to wire ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
	}
	return true;
}

/* Parses "digits[.f]" with 1..max_frac fractional digits into value * 10^max_frac.
 * The token must be consumed entirely. */
static int parse_fixed_point(const char *s, size_t n, unsigned max_frac, uint64_t *value)
{
	size_t i = 0;
	uint64_t v = 0;
	while (i < n && is_digit(s[i])) {
		if (i >= LOC_MAX_DIGITS)
			return OWNDNS_ELOC;
		v = v * 10 + (uint64_t)(s[i] - '0');
		i++;
	}
	if (i == 0)
		return OWNDNS_ELOC;
	unsigned frac_digits = 0;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && is_digit(s[i]) && frac_digits < max_frac) {
			v = v * 10 + (uint64_t)(s[i] - '0');
			frac_digits++;
			i++;
		}
		if (frac_digits == 0)
			return OWNDNS_ELOC;
	}
	if (i != n)
		return OWNDNS_ELOC;
	for (; frac_digits < max_frac; frac_digits++)
		v *= 10;
	*value = v;
	return OWNDNS_OK;
}

static int next_token(lexer *lx, lexer_token *tok)
{
	int rc = lexer_next(lx, tok);
	if (rc < 0)
		return rc;
	return rc == 0 ? OWNDNS_ELOC : OWNDNS_OK;
}

static bool is_hemisphere(const lexer_token *tok, char upper)
{
	return tok->len == 1 && (tok->text[0] == upper || tok->text[0] == upper + ('a' - 'A'));
}

/* "deg [min [sec[.fff]]] H": minutes and seconds may be left out (RFC 1876 §3). */
static int parse_coordinate(lexer *lx, uint32_t max_degrees, char positive, char negative,
			    uint32_t *wire)
{
	lexer_token tok;
	uint64_t degrees = 0, minutes = 0, seconds_ms = 0;
	int rc = next_token(lx, &tok);
	if (rc)
		return rc;
	if (!all_digits(tok.text, tok.len) || parse_fixed_point(tok.text, tok.len, 0, &degrees))
		return OWNDNS_ELOC;
	if ((rc = next_token(lx, &tok)))
		return rc;
	if (all_digits(tok.text, tok.len)) {
		if (parse_fixed_point(tok.text, tok.len, 0, &minutes) || minutes > 59)
			return OWNDNS_ELOC;
		if ((rc = next_token(lx, &tok)))
			return rc;
		if (tok.len > 0 && is_digit(tok.text[0])) {
			if (parse_fixed_point(tok.text, tok.len, 3, &seconds_ms) ||
			    seconds_ms > 59999)
				return OWNDNS_ELOC;
			if ((rc = next_token(lx, &tok)))
				return rc;
		}
	}
	bool is_negative;
	if (is_hemisphere(&tok, positive))
		is_negative = false;
	else if (is_hemisphere(&tok, negative))
		is_negative = true;
	else
		return OWNDNS_ELOC;
	if (degrees > max_degrees)
		return OWNDNS_ELOC;
	uint64_t ms = degrees * LOC_MS_PER_DEGREE + minutes * 60000 + seconds_ms;
	if (ms > (uint64_t)max_degrees * LOC_MS_PER_DEGREE)
		return OWNDNS_ELOC;
	*wire = is_negative ? LOC_EQUATOR - (uint32_t)ms : LOC_EQUATOR + (uint32_t)ms;
	return OWNDNS_OK;
}

/* Metres with up to two decimals and an optional "m", as centimetres. */
static int parse_metres(const lexer_token *tok, bool allow_sign, bool *negative, uint64_t *cm)
{
	const char *s = tok->text;
	size_t n = tok->len;
	*negative = false;
	if (allow_sign && n > 0 && s[0] == '-') {
		*negative = true;
		s++;
		n--;
	}
	if (n > 0 && (s[n - 1] == 'm' || s[n - 1] == 'M'))
		n--;
	return parse_fixed_point(s, n, 2, cm);
}

static int parse_altitude(lexer *lx, uint32_t *wire)
{
	lexer_token tok;
	bool negative;
	uint64_t cm;
	int rc = next_token(lx, &tok);
	if (rc)
		return rc;
	if (parse_metres(&tok, true, &negative, &cm))
		return OWNDNS_ELOC;
	if (negative ? cm > LOC_ALTITUDE_BASE : cm > (uint64_t)LOC_ALTITUDE_MAX_CM)
		return OWNDNS_ELOC;
	int64_t value = negative ? -(int64_t)cm : (int64_t)cm;
	*wire = (uint32_t)(value + LOC_ALTITUDE_BASE);
	return OWNDNS_OK;
}

/* RFC 1876 §2 precision encoding: the largest power of ten not above the value, and
 * its mantissa; lower digits are dropped (as BIND and dnspython do). */
static int encode_precision(uint64_t cm, uint8_t *octet)
{
	/* 9e9 cm (9 * 10^9) is the largest value the nibbles can hold. */
	if (cm > 9 * powers_of_ten[9])
		return OWNDNS_ELOC;
	unsigned exponent = 0;
	while (exponent < 9 && cm >= powers_of_ten[exponent + 1])
		exponent++;
	uint64_t mantissa = cm / powers_of_ten[exponent];
	if (mantissa > 9)
		return OWNDNS_ELOC;
	*octet = (uint8_t)(mantissa << 4 | exponent);
	return OWNDNS_OK;
}

/* Size, horizontal and vertical precision: each optional, in this order. */
static int parse_precisions(lexer *lx, uint8_t octets[3])
{
	for (int i = 0; i < 3; i++) {
		lexer_token tok;
		int rc = lexer_next(lx, &tok);
		if (rc <= 0)
			return rc;
		bool negative;
		uint64_t cm;
		if (parse_metres(&tok, false, &negative, &cm) || encode_precision(cm, &octets[i]))
			return OWNDNS_ELOC;
	}
	return lexer_at_entry_end(lx) ? OWNDNS_OK : OWNDNS_ELOC;
}

static int loc_from_text(lexer *lx, const uint8_t *origin, owndns_wbuf *out)
{
	(void)origin;
	uint32_t latitude, longitude, altitude;
	uint8_t precisions[3] = { LOC_DEFAULT_SIZE, LOC_DEFAULT_HORIZ_PRE, LOC_DEFAULT_VERT_PRE };
	int rc = parse_coordinate(lx, 90, 'N', 'S', &latitude);
	if (!rc)
		rc = parse_coordinate(lx, 180, 'E', 'W', &longitude);
	if (!rc)
		rc = parse_altitude(lx, &altitude);
	if (!rc)
		rc = parse_precisions(lx, precisions);
	if (rc)
		return rc;
	owndns_wbuf_u8(out, 0); /* version */
	owndns_wbuf_bytes(out, precisions, sizeof(precisions));
	owndns_wbuf_u32(out, latitude);
	owndns_wbuf_u32(out, longitude);
	owndns_wbuf_u32(out, altitude);
	return out->error;
}

const rdata_field_ops rdata_loc_ops = {
	.check = loc_check,
	.to_text = loc_to_text,
	.from_text = loc_from_text,
};
