"""Unusual and malformed client queries to the forwarder, answer by answer against
Unbound 1.17.

NSD serves tests/data/forward/fwddiff.example.zone; Unbound (module-config "iterator")
and `owndns serve forward=NSD` both forward to it (counting_upstream.start_resolver).
Each case of CASES is a raw packet, sent over UDP and/or TCP to both resolvers; the
answers are compared on: whether there is one (or the connection closes), ID, opcode,
rcode (extended rcode included), every header flag (QR AA TC RD RA Z AD CD), the
question section exactly, the answer section and the SOA of the authority section as
sets of RRs (TTLs left out), and EDNS (presence, version, payload, the whole flags
field, option codes).  test_forward_vs_unbound.py covers well-formed questions of
every kind (classes CH/HS, meta qtypes, AXFR/IXFR, DO/AD/CD/RD, EDNS version 1, an
8-octet client cookie, 0x20, long and escaped names); this file covers what a
well-formed question cannot carry: header counts, opcodes, the QR/TC/Z/AA/RA bits,
packets cut short or with trailing octets, compression pointers in the question, OPT
records that are doubled, misplaced or malformed, unknown EDNS flags and options,
client COOKIE/NSID/ECS/padding/keepalive, payload sizes below 512, clients the access
list refuses, and what a bad message does to the rest of a TCP stream.

Where the two agree (most cases) nothing is tolerated.  Among them: a response (QR=1)
and a packet shorter than a header get no answer; QDCOUNT 0 and counts of answer or
authority records get FORMERR; IQUERY, STATUS, UPDATE and unassigned opcodes NOTIMP,
NOTIFY REFUSED; trailing octets are ignored; compression pointers that loop or point
forward, 64-octet labels, 256-octet names and the label types 01 and 10 are FORMERR;
qclass NONE and 0 REFUSED; meta qtypes 128-248 FORMERR without RA; Z is never echoed,
nor AA, RA or AD of the query; unknown EDNS flags are not echoed (RFC 6891 §6.1.4), DO
is; a payload below 512 counts as 512 (§6.2.5); unknown options, a client COOKIE of
any length (neither implements RFC 7873 server cookies: Unbound 1.17 has answer-cookie
off), NSID (none configured), EDNS Client Subnet (Unbound without its subnet module),
padding and keepalive (with or without a TIMEOUT, UDP or TCP) are ignored, nothing is
added to the answer.  Deliberate differences
(ALLOWED: case, or "case transport", -> (keys that may differ, why); at least one of
them must still differ, so that a change on either side shows up):
  - FORMERR/NOTIMP/REFUSED for a packet that is not a plain query: owndns answers with
    the header alone (NSD does the same, test_auth_vs_nsd.py); Unbound echoes the
    question section, and for a question it could not parse still says QDCOUNT=1 with
    no question after the header (a malformed response).  RFC 1035 does not ask for
    the question in an error response.  With two questions owndns echoes neither RD
    nor the questions (NSD's rule: it will not guess which question RD went with).
  - qclass ANY: owndns serves class IN only and REFUSES (as for CH, HS, NONE); Unbound
    answers from the IN data.  RFC 6895 §3.2.3 allows either.
  - RCODE != 0 in a query: owndns answers FORMERR (a query carries no rcode, RFC 1035
    §4.1.1; NSD does the same); Unbound ignores the field.
  - TC=1 in a query: owndns answers it (TC means nothing in a query, RFC 1035 §4.1.1
    defines it for responses); Unbound answers FORMERR.
  - an option that runs past the OPT RDATA: FORMERR from owndns, as RFC 6891 §7 asks
    ("a FORMERR MUST be returned"); Unbound skips the broken option and answers.
  - EDNS version 1 with DO: owndns's BADVERS does not echo DO (the bit belongs to a
    version it does not speak; NSD likewise); Unbound echoes it.
  - a denied client (deny=, Unbound's "access-control: ... refuse"): both answer
    REFUSED over UDP and TCP and ignore QR=1; Unbound sends the header alone with
    RA=0, owndns the question, RA=1 (as on all its refusals, see
    test_forward_vs_unbound.py) and, with EDNS, an OPT carrying EDE 18 "Prohibited"
    (RFC 8914 §4.19), so that the client learns why.
  - TCP streams: a message owndns drops (QR=1, shorter than a header) is skipped and
    the queries after it on the same connection are answered; Unbound closes the
    connection at once (answers to earlier queries still unsent are lost).  RFC 7766
    asks neither.  A zero-length frame ends the connection in both.

A FORMERR or NOTIMP for a query with an OPT record carries an OPT (version 0, our
size, no options): RFC 6891 §6.1.1 ("If an OPT record is present in a received
request, compliant responders MUST include an OPT record in their respective
responses") and §7 (a FORMERR for a bad OPT "MUST include an OPT record"), as Unbound
does and NSD does not; test_error_answers_carry_an_opt checks the RFC on every such
case, Unbound aside (it echoes EDNS version 1 in some of them, which is wrong: RFC 6891
§6.1.3 has a responder give its own version).  OWNDNS_WRONG (strict xfail) lists
cases where Unbound is right and owndns is not; it is empty.
"""
import os
import socket
import struct
import time

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import pytest

from conftest import DATA, Processes
from counting_upstream import start_nsd, start_resolver

TIMEOUT = 2.0        # seconds to wait for an answer that should come
SILENCE = 1.0        # seconds of silence that count as "no answer"
F = "fwddiff.example."
DENIED = "127.0.0.2"


def zone(origin):
    with open(os.path.join(DATA, "forward", origin.rstrip(".") + ".zone"), encoding="ascii") as f:
        return origin, f.read()


def start_pair(tmp_path_factory, **cfg):
    """(processes, {"unbound": port, "owndns": port}) forwarding to a fresh NSD."""
    procs = Processes()
    try:
        nsd = start_nsd(procs, tmp_path_factory.mktemp("nsd"), [zone(F)])
        ports = {}
        for kind in ("unbound", "owndns"):
            ports[kind] = start_resolver(kind, procs, tmp_path_factory.mktemp(kind),
                                         forward=["127.0.0.1@%d" % nsd], **cfg).port
    except BaseException:
        procs.stop_all()
        raise
    return procs, ports


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    procs, ports = start_pair(tmp_path_factory)
    try:
        yield ports
    finally:
        procs.stop_all()


@pytest.fixture(scope="module")
def denying_servers(tmp_path_factory):
    procs, ports = start_pair(tmp_path_factory, deny=[DENIED + "/32"])
    try:
        yield ports
    finally:
        procs.stop_all()


# ---- packets ------------------------------------------------------------------------

def name(text):
    return dns.name.from_text(text).to_wire()


def header(qid=0x1234, flags=0x0100, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!6H", qid, flags, qd, an, ns, ar)


def question(qname="www." + F, qtype=1, qclass=1):
    return name(qname) + struct.pack("!HH", qtype, qclass)


def opt(payload=1232, ext_rcode=0, version=0, flags=0, options=b"", owner=b"\x00"):
    return owner + struct.pack("!HHBBHH", 41, payload, ext_rcode, version, flags,
                               len(options)) + options


def option(code, data):
    return struct.pack("!HH", code, len(data)) + data


A_RR = name("www." + F) + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 1])
MAX_NAME = ".".join(["m" * 63, "a" * 63, "x" * 63, "n" * 45]) + "." + F
LONG_LABELS = b"".join(bytes([63]) + c * 63 for c in (b"a", b"b", b"c", b"d")) + b"\x00"
UDP, TCP, BOTH = ("udp",), ("tcp",), ("udp", "tcp")
Q = question()
E = opt()

# name -> (packet, transports)
CASES = {
    # counts and sections
    "qdcount 0": (header(qd=0), BOTH),
    "qdcount 0 edns": (header(qd=0, ar=1) + E, BOTH),
    "qdcount 2": (header(qd=2) + Q + question("nope." + F), BOTH),
    "ancount 1": (header(an=1) + Q + A_RR, BOTH),
    "nscount 1": (header(ns=1) + Q + A_RR, BOTH),
    "additional A": (header(ar=1) + Q + A_RR, BOTH),
    # header bits
    "QR set": (header(flags=0x8100) + Q, BOTH),
    "TC set": (header(flags=0x0300) + Q, BOTH),
    "Z set": (header(flags=0x0140) + Q, BOTH),
    "AA set": (header(flags=0x0500) + Q, UDP),
    "RA set": (header(flags=0x0180) + Q, UDP),
    "AD set, DO": (header(flags=0x0120, ar=1) + Q + opt(flags=0x8000), UDP),
    "rcode in query": (header(flags=0x0103) + Q, UDP),
    "ID 0": (header(qid=0) + Q, BOTH),
    # opcodes
    "IQUERY": (header(flags=0x0900) + Q, BOTH),
    "STATUS": (header(flags=0x1100) + Q, BOTH),
    "opcode 3": (header(flags=0x1900) + Q, UDP),
    "NOTIFY": (header(flags=0x2000) + question(F, 6), BOTH),
    "UPDATE": (header(flags=0x2800) + question(F, 6), BOTH),
    "opcode 15 edns": (header(flags=0x7900, ar=1) + Q + E, BOTH),
    # cut short, trailing octets, compression
    "11 octets": (header()[:11], BOTH),
    "header only": (header(), BOTH),
    "qname cut": (header() + Q[:10], BOTH),
    "qclass cut": (header() + Q[:-2], BOTH),
    "trailing octets": (header() + Q + b"\xde\xad\xbe\xef", BOTH),
    "trailing after OPT": (header(ar=1) + Q + E + b"\xde\xad", BOTH),
    "pointer to itself": (header() + b"\xc0\x0c" + struct.pack("!HH", 1, 1), BOTH),
    "pointer forward": (header() + b"\x03www\xc0\x16" + struct.pack("!HH", 1, 1) + name(F),
                        BOTH),
    "name 256 octets": (header() + LONG_LABELS + struct.pack("!HH", 1, 1), UDP),
    "label 64 octets": (header() + bytes([64]) + b"a" * 64 + b"\x00\x00\x01\x00\x01", UDP),
    "label type 01": (header() + b"\x41\x01\x00\x00\x01\x00\x01", UDP),
    "label type 10": (header() + b"\x81\x01\x00\x00\x01\x00\x01", UDP),
    "name 255 octets": (header() + question(MAX_NAME), UDP),
    "binary label": (header() + b"\x03\x00\xff." + name(F) + b"\x00\x01\x00\x01", UDP),
    "root NS": (header() + question(".", 2), UDP),
    # classes and types
    "class NONE": (header(ar=1) + question(qclass=254) + E, BOTH),
    "class ANY": (header(ar=1) + question(qclass=255) + E, BOTH),
    "class 0": (header(ar=1) + question(qclass=0) + E, UDP),
    "RRSIG": (header(ar=1) + question(qtype=46) + E, BOTH),
    "NSEC": (header(ar=1) + question(qtype=47) + E, UDP),
    "DS at the apex": (header(ar=1) + question(F, 43) + E, BOTH),
    "DS below": (header(ar=1) + question(qtype=43) + E, UDP),
    "type 200": (header(ar=1) + question(qtype=200) + E, UDP),
    "type 248": (header(ar=1) + question(qtype=248) + E, UDP),
    "URI 256": (header(ar=1) + question(qtype=256) + E, UDP),
    "ANY over TCP": (header(ar=1) + question(qtype=255) + E, TCP),
    "type 0 over TCP": (header(ar=1) + question(qtype=0) + E, TCP),
    # EDNS
    "EDNS 1 DO": (header(ar=1) + Q + opt(version=1, flags=0x8000), UDP),
    "EDNS 1 qdcount 0": (header(qd=0, ar=1) + opt(version=1), UDP),
    "EDNS 1 class CH": (header(ar=1) + question(qclass=3) + opt(version=1), UDP),
    "EDNS 1 STATUS": (header(flags=0x1100, ar=1) + Q + opt(version=1), UDP),
    "two OPT": (header(ar=2) + Q + E + E, BOTH),
    "OPT in answer": (header(an=1) + Q + E, BOTH),
    "OPT in authority": (header(ns=1) + Q + E, BOTH),
    "OPT owner www": (header(ar=1) + Q + opt(owner=name("www." + F)), BOTH),
    "OPT owner pointer": (header(ar=1) + Q + opt(owner=b"\xc0\x0c"), BOTH),
    "option past RDATA": (header(ar=1) + Q + opt(options=option(10, bytes(8))[:6]), UDP),
    "payload 0": (header(ar=1) + question("big." + F) + opt(payload=0), UDP),
    "payload 100": (header(ar=1) + question("big." + F) + opt(payload=100), UDP),
    "ext rcode in query": (header(ar=1) + Q + opt(ext_rcode=1), UDP),
    "all EDNS flags": (header(ar=1) + Q + opt(flags=0xffff), UDP),
    "unknown EDNS flags": (header(ar=1) + Q + opt(flags=0x4001), UDP),
    "cookie 5 octets": (header(ar=1) + Q + opt(options=option(10, bytes(5))), UDP),
    "cookie 16 octets": (header(ar=1) + Q + opt(options=option(10, bytes(range(16)))), UDP),
    "cookie 41 octets": (header(ar=1) + Q + opt(options=option(10, bytes(41))), UDP),
    "NSID": (header(ar=1) + Q + opt(options=option(3, b"")), UDP),
    "padding": (header(ar=1) + Q + opt(options=option(12, bytes(20))), BOTH),
    "keepalive": (header(ar=1) + Q + opt(options=option(11, b"")), BOTH),
    "keepalive with timeout": (header(ar=1) + Q + opt(options=option(11, b"\x00\x10")), BOTH),
    "client subnet": (header(ar=1) + Q + opt(options=option(8, b"\x00\x01\x18\x00\xc0\x00\x02")),
                      UDP),
    "client subnet bad": (header(ar=1) + Q +
                          opt(options=option(8, b"\x00\x01\x40\x00\xc0\x00\x02")), UDP),
    "0x20": (header() + question("wWw.FwDdIfF.eXaMpLe."), UDP),
}

_HEADER_ONLY = ("owndns answers the header alone, as NSD does; Unbound echoes the question "
                "section (see the module docstring)")
_HEADER_ONLY_OPT = _HEADER_ONLY + "; both send an OPT"
_KEPT_OPEN = ("over TCP owndns drops the message and keeps the connection for the next "
              "one (test_tcp_stream_after_a_bad_message); Unbound closes it")
ALLOWED = {
    "QR set tcp": (("result",), _KEPT_OPEN),
    "11 octets tcp": (("result",), _KEPT_OPEN),
    "qdcount 2": (("flags", "question"), _HEADER_ONLY + "; without RD for two questions"),
    "ancount 1": (("question", "answer"), _HEADER_ONLY),
    "nscount 1": (("question", "authority"), _HEADER_ONLY),
    "additional A": (("flags", "question", "edns"),
                     _HEADER_ONLY + "; Unbound also sets RA and adds an OPT the query lacked"),
    "IQUERY": (("question",), _HEADER_ONLY),
    "STATUS": (("question",), _HEADER_ONLY),
    "opcode 3": (("counts",), _HEADER_ONLY + " (neither answer parses: dnspython knows "
                                               "no opcode 3)"),
    "NOTIFY": (("flags", "question"), _HEADER_ONLY + "; Unbound sets RA"),
    "UPDATE": (("question",), _HEADER_ONLY),
    "opcode 15 edns": (("counts",), _HEADER_ONLY_OPT + " (neither answer parses: "
                                                   "dnspython knows no opcode 15)"),
    "header only": (("parse",), _HEADER_ONLY + " (QDCOUNT=1, no question: malformed)"),
    "qname cut": (("parse",), _HEADER_ONLY + " (QDCOUNT=1, no question: malformed)"),
    "qclass cut": (("parse",), _HEADER_ONLY + " (QDCOUNT=1, no question: malformed)"),
    "pointer to itself": (("parse",), _HEADER_ONLY + " (the looping pointer included)"),
    "pointer forward": (("parse",), _HEADER_ONLY + " (the forward pointer included)"),
    "name 256 octets": (("parse",), _HEADER_ONLY + " (the 256-octet name included)"),
    "label 64 octets": (("parse",), _HEADER_ONLY + " (the bad label included)"),
    "label type 01": (("parse",), _HEADER_ONLY + " (the bad label included)"),
    "label type 10": (("parse",), _HEADER_ONLY + " (the bad label included)"),
    "class ANY": (("rcode", "answer"), "owndns serves class IN only (REFUSED); Unbound "
                                       "answers from IN data; RFC 6895 §3.2.3 allows either"),
    "rcode in query": (("rcode", "flags", "question", "answer"),
                       "a query with RCODE != 0: FORMERR (header alone) from owndns, as NSD; "
                       "Unbound ignores the field"),
    "TC set": (("rcode", "flags", "answer"),
               "TC=1 in a query means nothing (RFC 1035 §4.1.1): owndns answers; Unbound "
               "answers FORMERR"),
    "EDNS 1 DO": (("edns",), "BADVERS: owndns does not echo DO, a bit of a version it does "
                             "not speak (NSD likewise); Unbound echoes it"),
    "EDNS 1 qdcount 0": (("edns",), "FORMERR: Unbound echoes EDNS version 1, owndns gives "
                                    "its own version 0, RFC 6891 §6.1.3"),
    "EDNS 1 STATUS": (("question", "edns"), _HEADER_ONLY_OPT + "; Unbound echoes version 1"),
    "two OPT": (("parse", "edns"), _HEADER_ONLY_OPT + " (both OPTs included)"),
    "OPT in answer": (("parse", "edns"), _HEADER_ONLY_OPT + " (the OPT included)"),
    "OPT in authority": (("parse", "edns"), _HEADER_ONLY_OPT + " (the OPT included)"),
    "OPT owner www": (("flags", "question", "edns"), _HEADER_ONLY_OPT + "; Unbound sets RA"),
    "OPT owner pointer": (("flags", "question", "edns"),
                          _HEADER_ONLY_OPT + "; Unbound sets RA"),
    "option past RDATA": (("rcode", "flags", "question", "answer", "edns"),
                          "FORMERR from owndns (RFC 6891 §7); Unbound skips the broken "
                          "option and answers"),
}

# Where Unbound (and RFC 6891 §6.1.1) is right and owndns is not: strict xfail.
OWNDNS_WRONG = {}

# Cases whose answer must carry an OPT by RFC 6891 §6.1.1 / §7, whatever Unbound does.
ERROR_WITH_OPT = ["qdcount 0 edns", "opcode 15 edns", "EDNS 1 qdcount 0", "EDNS 1 STATUS",
                  "two OPT", "OPT in answer", "OPT in authority", "OPT owner www",
                  "OPT owner pointer", "option past RDATA"]


# ---- asking -------------------------------------------------------------------------

def read_frames(sock, buf, count, deadline):
    """Reads length-prefixed messages (buf holds octets already read) until `count` are
    in: returns (messages, octets left over, how the wait ended: "answered", "closed"
    or "no answer")."""
    msgs = []
    while True:
        while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
            n = struct.unpack("!H", buf[:2])[0]
            msgs.append(buf[2:2 + n])
            buf = buf[2 + n:]
        if len(msgs) >= count:
            return msgs, buf, "answered"
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return msgs, buf, "no answer"
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65535)
        except (socket.timeout, TimeoutError):
            return msgs, buf, "no answer"
        except ConnectionResetError:
            return msgs, buf, "closed"
        if not chunk:
            return msgs, buf, "closed"
        buf += chunk


def exchange(port, wire, transport, source="127.0.0.1", wait=TIMEOUT):
    """The response's octets, or "no answer" / "closed"."""
    deadline = time.monotonic() + wait
    if transport == "tcp":
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(wait)
            sock.bind((source, 0))
            sock.connect(("127.0.0.1", port))
            sock.sendall(struct.pack("!H", len(wire)) + wire)
            msgs, _, end = read_frames(sock, b"", 1, deadline)
            return msgs[0] if msgs else end
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((source, 0))
        sock.sendto(wire, ("127.0.0.1", port))
        sock.settimeout(wait)
        try:
            return sock.recv(65535)
        except (socket.timeout, TimeoutError):
            return "no answer"


def rr_set(section, only=None):
    return sorted("%s %s %s" % (rrset.name.to_text().lower(),
                                dns.rdatatype.to_text(rrset.rdtype), rd.to_text().lower())
                  for rrset in section if only is None or rrset.rdtype == only for rd in rrset)


def summary(data):
    """What is compared of one answer (see the module docstring)."""
    if isinstance(data, str):
        return {"result": data}
    if len(data) < 12:
        return {"result": "short answer " + data.hex()}
    qid, flags, *counts = struct.unpack("!6H", data[:12])
    out = {"result": "answer", "id": qid, "opcode": (flags >> 11) & 15,
           "flags": "%04x" % (flags & 0x87f0), "rcode": dns.rcode.to_text(flags & 15),
           "counts": counts}
    try:
        m = dns.message.from_wire(data, ignore_trailing=True)
    except Exception as exc:  # Unbound echoes packets it could not parse
        out["parse"] = "unparsable (%s)" % exc.__class__.__name__
        return out
    # Parsed, the sections say it all; counts also differ by the optional NS and glue
    # owndns passes on a cache miss (test_forward_vs_unbound.py).
    del out["counts"]
    out.update({
        "parse": "ok",
        "rcode": dns.rcode.to_text(m.rcode()),
        "question": [q.to_text() for q in m.question],
        "answer": rr_set(m.answer),
        "authority": rr_set(m.authority, dns.rdatatype.SOA),
        "edns": None if m.edns < 0 else
        "version %d payload %d flags %04x options %s" % (
            m.edns, m.payload, m.ednsflags & 0xffff,
            sorted(int(o.otype) for o in m.options if o.otype != dns.edns.OptionType.EDE)),
    })
    return out


HEADER_KEYS = {"result", "id", "opcode", "flags", "rcode", "parse", "counts"}
SECTION_KEYS = {"question", "answer", "authority", "edns"}


def params():
    out = []
    for case in sorted(CASES):
        for transport in CASES[case][1]:
            marks = []
            if case in OWNDNS_WRONG:
                marks.append(pytest.mark.xfail(strict=True, reason=OWNDNS_WRONG[case]))
            out.append(pytest.param(case, transport, marks=marks,
                                    id="%s %s" % (case, transport)))
    return out


def test_tables_name_cases():
    ids = set(CASES) | {"%s %s" % (c, t) for c in CASES for t in CASES[c][1]}
    assert set(ALLOWED) <= ids and set(OWNDNS_WRONG) <= set(CASES)
    assert set(ERROR_WITH_OPT) <= set(CASES)
    assert not set(ALLOWED) & set(OWNDNS_WRONG)


@pytest.mark.parametrize("case,transport", params())
def test_odd_query_matches_unbound(servers, case, transport):
    wire = CASES[case][0]
    a = summary(exchange(servers["unbound"], wire, transport))
    b = summary(exchange(servers["owndns"], wire, transport))
    allowed, why = ALLOWED.get("%s %s" % (case, transport), ALLOWED.get(case, ((), "")))
    if SECTION_KEYS & set(allowed) or "parse" in allowed:
        allowed += ("counts",)  # the header's counts go with the sections
    problems = []
    keys = set(a) | set(b)
    if a.get("parse") != b.get("parse") and "parse" in allowed:
        keys = HEADER_KEYS  # one side's sections cannot be read
    for key in sorted(keys):
        if a.get(key) != b.get(key) and key not in allowed:
            problems.append("%s: unbound %s, owndns %s" % (key, a.get(key), b.get(key)))
    if allowed and all(a.get(k) == b.get(k) for k in allowed):
        problems.append("the allowed difference is gone (%s): both %s" % (why, a))
    assert not problems, "\n".join(problems)


def test_owndns_never_answers_a_response(servers):
    """RFC 1035 §4.1.1 (QR): a response is never answered, whatever it holds; Unbound
    agrees (test_odd_query_matches_unbound).  Here: with EDNS, with an error rcode,
    with a broken question, over UDP."""
    for wire in (header(flags=0x8180, ar=1) + Q + E, header(flags=0x8182) + Q,
                 header(flags=0x8100) + Q[:5], header(flags=0x8100, qd=0)):
        assert exchange(servers["owndns"], wire, "udp", wait=SILENCE) == "no answer", wire.hex()


@pytest.mark.parametrize("case", ERROR_WITH_OPT)
def test_error_answers_carry_an_opt(servers, case):
    """RFC 6891 §6.1.1: "If an OPT record is present in a received request, compliant
    responders MUST include an OPT record in their respective responses"; §7: a FORMERR
    for a malformed OPT "MUST include an OPT record"; §6.1.3: with the responder's own
    version (0), whatever version was asked."""
    data = exchange(servers["owndns"], CASES[case][0], "udp")
    assert not isinstance(data, str) and len(data) >= 12, data
    # dnspython reads no unknown opcode: QUERY in its place, for reading only
    r = summary(data[:2] + bytes([data[2] & 0x87]) + data[3:])
    assert r.get("parse") == "ok", r
    assert r["edns"] == "version 0 payload 1232 flags 0000 options []", r


# ---- refused clients ----------------------------------------------------------------

DENIED_CASES = {
    "plain": (header(ar=1) + Q + E, ("REFUSED", True)),
    "no EDNS, RD=0": (header(flags=0) + Q, ("REFUSED", True)),
    "class ANY": (header(ar=1) + question(qclass=255) + E, ("REFUSED", True)),
    "EDNS 1": (header(ar=1) + Q + opt(version=1), ("REFUSED", True)),
    "qdcount 0": (header(qd=0), ("REFUSED", False)),
    "qname cut": (header() + Q[:10], ("REFUSED", False)),
    "two OPT": (header(ar=2) + Q + E + E, ("REFUSED", False)),
    "STATUS": (header(flags=0x1100) + Q, ("REFUSED", False)),
}


@pytest.mark.parametrize("case", sorted(DENIED_CASES))
@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_denied_client_is_refused_like_unbound(denying_servers, case, transport):
    """A client deny= covers gets REFUSED over UDP and TCP from both, ID and opcode
    echoed, nothing looked up.  Unbound sends the header alone with RA=0; owndns sends
    the header alone only for packets it could not take as a question (the second
    field of DENIED_CASES), else the question, RA=1 and, with EDNS, an OPT with EDE 18
    (module docstring)."""
    wire, (rcode, with_question) = DENIED_CASES[case]
    ub = exchange(denying_servers["unbound"], wire, transport, source=DENIED)
    own = exchange(denying_servers["owndns"], wire, transport, source=DENIED)
    a, b = summary(ub), summary(own)
    assert a.get("rcode") == b.get("rcode") == rcode, (a, b)
    assert a["id"] == b["id"] == 0x1234 and a["opcode"] == b["opcode"], (a, b)
    assert a["question"] == [] and not int(a["flags"], 16) & dns.flags.RA, a
    assert b["answer"] == [] and b["authority"] == [], b
    if not with_question:
        assert b["question"] == [], b
        return
    assert b["question"] != [], b
    assert int(b["flags"], 16) & dns.flags.RA, b
    m = dns.message.from_wire(own)
    if m.edns >= 0:
        assert [(o.otype, o.code) for o in m.options] == [(dns.edns.OptionType.EDE, 18)], b


def test_denied_client_gets_no_answer_to_a_response(denying_servers):
    for kind in ("unbound", "owndns"):
        got = exchange(denying_servers[kind], header(flags=0x8100) + Q, "udp",
                       source=DENIED, wait=SILENCE)
        assert got == "no answer", kind


# ---- TCP streams --------------------------------------------------------------------

def frame(wire):
    return struct.pack("!H", len(wire)) + wire


def tcp_stream(port, frames, expect):
    """Sends the frames at once; returns (IDs of the answers, how the wait ended)."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(b"".join(frames))
        msgs, _, end = read_frames(sock, b"", expect, time.monotonic() + TIMEOUT)
    return [struct.unpack("!H", m[:2])[0] for m in msgs], end


GOOD_1 = frame(header(qid=1) + Q)
GOOD_3 = frame(header(qid=3) + Q)
# the frame between GOOD_1 and GOOD_3 -> (the IDs owndns answers and how the wait for a
# third answer ends: "no answer" is a connection still open; whether Unbound closes the
# connection instead of answering GOOD_3)
STREAMS = {
    "QR set": (frame(header(qid=2, flags=0x8100) + Q), ([1, 3], "no answer"), True),
    "5 octets": (frame(b"\x00\x02abc"), ([1, 3], "no answer"), True),
    "FORMERR": (frame(header(qid=2, qd=0)), ([1, 2, 3], "answered"), False),
    "zero length": (frame(b""), ([1], "closed"), True),
}


@pytest.mark.parametrize("case", sorted(STREAMS))
def test_tcp_stream_after_a_bad_message(servers, case):
    """owndns skips a message it drops and answers the rest of the stream; Unbound
    closes the connection (whether it answered GOOD_1 first depends on its timing, so
    only the close is checked).  Both answer a FORMERR in order, and both close on a
    zero-length frame."""
    middle, own_expected, unbound_closes = STREAMS[case]
    for kind in ("owndns", "unbound"):  # GOOD_1 and GOOD_3 from the cache
        assert not isinstance(exchange(servers[kind], header() + Q, "udp"), str), kind
    own = tcp_stream(servers["owndns"], [GOOD_1, middle, GOOD_3], 3)
    ub = tcp_stream(servers["unbound"], [GOOD_1, middle, GOOD_3], 3)
    assert own == own_expected, (own, ub)
    if unbound_closes:
        assert ub[1] == "closed" and 3 not in ub[0], (own, ub)
    else:
        assert ub == own, (own, ub)
