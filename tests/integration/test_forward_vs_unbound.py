"""Differential test of the forwarder (issue 5): the same upstream behind Unbound and
behind owndns, the same questions to both, the answers compared.

NSD on 127.0.0.1 serves tests/data/forward/diff.example.zone and other.example.zone (A,
AAAA, MX, TXT, SRV, CNAME chains inside the zone, across zones and dangling, wildcards,
empty non-terminals, NXDOMAIN, NODATA, a delegation).  Unbound 1.17 forwards "." to it
(module-config "iterator", no DNSSEC, qname-minimisation off, do-not-query-localhost
off); owndns gets forward=NSD.  Each question is asked twice of each resolver (cache
miss, then cache hit) and compared on:
  - the RCODE and the QR, AA, TC, RD, RA flags;
  - the answer section as a set of RRs (owner case-folded, TTL left out), and every
    TTL at most the zone's (NSD's answer);
  - for negative answers, the SOA of the authority section (TTL at most
    min(SOA TTL, MINIMUM));
  - EDNS present exactly when the query had it.

Deliberate differences (DIFFERENCES below: question -> what owndns answers, what
Unbound answers, and why) are the only ones tolerated, and each is checked on both
sides, so that a change of either shows up.  With Unbound 1.17 and the questions here
the table is empty; the differences found are outside what is compared:
  - RD=0 questions answered from the cache: Unbound sets RD=1, owndns copies RD=0
    (test_rd0_question checks both);
  - the authority section of positive answers: Unbound (minimal-responses) drops the
    upstream's NS records, owndns may keep them; only the SOA of negative answers is
    compared.

The broad question set (BROAD, test_broad_question) goes further, over two more zones
(fwddiff.example. and fwddiff-b.example.) and a signed one made here: CNAME chains of
every kind, DNAME, wildcards, empty non-terminals, referrals, truncation at each EDNS
size and TCP, many RR types, other classes, meta types, the DNSSEC and RD bits, EDNS
versions and options, 0x20 case, escaped and 255-octet names, and upstreams (forward-
zone, scripted in dnspython) that answer, SERVFAIL or REFUSE.  It compares more (all
three sections, the question's case, AD and CD, EDNS version, payload and options); see
the comment above BROAD.  Its differences are in two tables: ALLOWED (legitimate, with
the reason, each checked to still differ) and OWNDNS_WRONG (Unbound is right: strict
xfail, so the test fails once owndns is fixed and the entry must go).
"""
import os
import socket
import struct
import time

import dns.dnssec
import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone
import pytest

from conftest import DATA, Processes
from counting_upstream import CountingUpstream, start_nsd, start_resolver

FORWARD_DATA = os.path.join(DATA, "forward")
ZONES = ["diff.example.", "other.example."]
TIMEOUT = 5.0


def zone_text(origin):
    with open(os.path.join(FORWARD_DATA, origin.rstrip(".") + ".zone"), encoding="ascii") as f:
        return f.read()


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """{"nsd": port, "unbound": port, "owndns": port}, all stopped by PID at the end.
    Both resolvers forward everything to NSD, and with forward-zone answering.example.
    to a dnspython upstream that answers, servfail.example. to one that answers
    SERVFAIL and refused.example. to one that answers REFUSED."""
    procs = Processes()
    scripted = []
    try:
        nsd_dir = tmp_path_factory.mktemp("nsd")
        zones = [(z, zone_text(z)) for z in ZONES + BROAD_ZONES] + [signed_zone()]
        nsd = start_nsd(procs, nsd_dir, zones)
        upstream = "127.0.0.1@%d" % nsd
        ports = {"nsd": nsd}
        forward_zone = []
        for mode in ("answer", "servfail", "refused"):
            domain = {"answer": "answering"}.get(mode, mode)
            up = CountingUpstream([(domain + ".example.", SCRIPTED_ZONE)])
            up.mode = mode
            scripted.append(up)
            forward_zone.append((domain + ".example.", [up.addr]))
        for kind in ("unbound", "owndns"):
            res = start_resolver(kind, procs, tmp_path_factory.mktemp(kind), forward=[upstream],
                                 forward_zone=forward_zone)
            ports[kind] = res.port
        yield ports
    finally:
        procs.stop_all()
        for up in scripted:
            up.stop()


D = "diff.example."
O = "other.example."

QUESTIONS = [
    ("www." + D, "A"), ("www." + D, "AAAA"), ("www." + D, "MX"), ("WWW.Diff.Example.", "A"),
    (D, "SOA"), (D, "NS"), (D, "MX"), (D, "TXT"), (D, "A"),
    ("mail." + D, "A"), ("v4only." + D, "A"), ("v4only." + D, "AAAA"),
    ("v6only." + D, "AAAA"), ("v6only." + D, "A"),
    ("txt." + D, "TXT"), ("multi." + D, "TXT"), ("multi." + D, "A"),
    ("alias." + D, "A"), ("alias." + D, "AAAA"), ("alias." + D, "CNAME"),
    ("alias." + D, "TXT"), ("alias2." + D, "A"), ("alias3." + D, "AAAA"),
    ("ext." + D, "A"), ("ext2." + D, "A"), ("dangling." + D, "A"), ("outside." + D, "A"),
    ("_sip._tcp." + D, "SRV"), ("_sip._tcp." + D, "A"),
    ("x.wild." + D, "A"), ("x.wild." + D, "TXT"), ("x.wild." + D, "AAAA"),
    ("y.z.wild." + D, "A"), ("wild." + D, "A"),
    ("deep." + D, "A"), ("c.deep." + D, "A"), ("a.b.c.deep." + D, "A"),
    ("case." + D, "A"), ("CASE." + D, "A"),
    ("nothere." + D, "A"), ("nothere." + D, "MX"), ("a.b.nothere." + D, "AAAA"),
    ("sub." + D, "NS"), ("www.sub." + D, "A"), ("ns.sub." + D, "A"),
    ("www." + O, "A"), ("alias." + O, "A"), ("mail2." + O, "A"), ("www." + O, "TXT"),
    ("nothere." + O, "A"), (O, "SOA"), (O, "MX"),
]

# question -> (owndns's answer, Unbound's answer, why); each answer is
# (rcode text, sorted answer lines) as summary() gives them.
DIFFERENCES = {}


def make_query(qname, qtype, edns):
    if edns:
        return dns.message.make_query(qname, qtype, use_edns=0, payload=1232)
    return dns.message.make_query(qname, qtype, use_edns=False)


def ask(port, q):
    return dns.query.udp(q, "127.0.0.1", port=port, timeout=TIMEOUT)


FLAGS = dns.flags.QR | dns.flags.AA | dns.flags.TC | dns.flags.RD | dns.flags.RA


def answer_set(section):
    return sorted("%s %s %s" % (rrset.name.to_text().lower(),
                                dns.rdatatype.to_text(rrset.rdtype), rd.to_text().lower())
                  for rrset in section for rd in rrset)


def soa_set(section):
    return sorted("%s SOA %s" % (rrset.name.to_text().lower(), rd.to_text().lower())
                  for rrset in section if rrset.rdtype == dns.rdatatype.SOA for rd in rrset)


def summary(r):
    negative = r.rcode() == dns.rcode.NXDOMAIN or (r.rcode() == dns.rcode.NOERROR and
                                                   not any(rrset.rdtype == r.question[0].rdtype
                                                           for rrset in r.answer))
    return {"rcode": dns.rcode.to_text(r.rcode()),
            "flags": dns.flags.to_text(r.flags & FLAGS),
            "answer": answer_set(r.answer),
            "negative_soa": soa_set(r.authority) if negative else None,
            "edns": r.edns >= 0}


def ttl_problems(r, reference):
    """TTLs above the zone's (NSD's answer to the same question; 600 when NSD's answer
    lacks the RRset, e.g. a CNAME target in the other zone) or above min(TTL, MINIMUM)
    for a negative answer's SOA."""
    limits = {(rrset.name.to_text().lower(), rrset.rdtype): rrset.ttl
              for rrset in reference.answer}
    out = []
    for rrset in r.answer:
        limit = limits.get((rrset.name.to_text().lower(), rrset.rdtype), 600)
        if rrset.ttl > limit:
            out.append("%s %s TTL %d > %d" % (rrset.name, dns.rdatatype.to_text(rrset.rdtype),
                                              rrset.ttl, limit))
    for rrset in r.authority:
        if rrset.rdtype == dns.rdatatype.SOA and rrset.ttl > rrset[0].minimum:
            out.append("negative SOA TTL %d > MINIMUM %d" % (rrset.ttl, rrset[0].minimum))
    return out


def compare_one(servers, qname, qtype, edns):
    problems = []
    nsd = ask(servers["nsd"], make_query(qname, qtype, edns))
    for attempt in ("miss", "hit"):
        q = make_query(qname, qtype, edns)
        ub = ask(servers["unbound"], q)
        q = make_query(qname, qtype, edns)
        own = ask(servers["owndns"], q)
        where = "%s %s edns=%s (%s)" % (qname, qtype, edns, attempt)
        if own.id != q.id:
            problems.append("%s: ID %d, asked %d" % (where, own.id, q.id))
        if own.question[0].name.to_text() != qname:
            problems.append("%s: question %s" % (where, own.question[0].name))
        problems += ["%s: owndns %s" % (where, p) for p in ttl_problems(own, nsd)]
        a, b = summary(ub), summary(own)
        if (qname, qtype) in DIFFERENCES:
            ours, theirs, _ = DIFFERENCES[(qname, qtype)]
            if (a["rcode"], a["answer"]) != theirs:
                problems.append("%s: Unbound no longer answers as documented: %s %s"
                                % (where, a["rcode"], a["answer"]))
            if (b["rcode"], b["answer"]) != ours:
                problems.append("%s: owndns does not answer as documented: %s %s"
                                % (where, b["rcode"], b["answer"]))
            continue
        for key in a:
            if a[key] != b[key]:
                problems.append("%s: %s: unbound %s, owndns %s" % (where, key, a[key], b[key]))
    return problems


def test_questions_match_unbound(servers):
    assert len(QUESTIONS) >= 50
    problems = []
    for qname, qtype in QUESTIONS:
        problems += compare_one(servers, qname, qtype, edns=True)
    assert not problems, "\n".join(problems)


def test_questions_without_edns_match_unbound(servers):
    problems = []
    for qname, qtype in [("www." + D, "A"), ("nothere." + D, "A"), ("v6only." + D, "A"),
                         ("alias2." + D, "A"), ("x.wild." + D, "TXT"), ("txt." + D, "TXT")]:
        problems += compare_one(servers, qname, qtype, edns=False)
    assert not problems, "\n".join(problems)


def test_rd0_question(servers):
    """RD=0: both answer from what they have (the cache, here filled by the tests
    above or by this one), and never SERVFAIL for a cached name.  owndns copies RD=0
    into the answer (RFC 1035 section 4.1.1); Unbound 1.17 answers such a question from
    its cache with RD=1 (the flags of the cached message), a documented difference."""
    q = make_query("www." + D, "A", True)
    ask(servers["owndns"], q)
    ask(servers["unbound"], make_query("www." + D, "A", True))
    for kind in ("unbound", "owndns"):
        q = make_query("www." + D, "A", True)
        q.flags &= ~dns.flags.RD
        r = ask(servers[kind], q)
        assert bool(r.flags & dns.flags.RD) == (kind == "unbound"), kind
        assert r.rcode() == dns.rcode.NOERROR, kind
        assert answer_set(r.answer) == ["www.diff.example. A 192.0.2.1",
                                        "www.diff.example. A 192.0.2.2"], kind


# ---- the broad question set ---------------------------------------------------------
#
# tests/data/forward/fwddiff.example.zone and fwddiff-b.example.zone, plus a small zone
# signed here (signed.example., Ed25519, no NSEC) for the DO bit.  Each question (Q) is
# sent as raw wire, over UDP or TCP, to both resolvers twice (cache miss, then hit) and
# the answers are compared on: the rcode (extended rcode included), the flags QR AA TC
# RD RA AD CD, the question section exactly (case included: the 0x20 echo), the answer, authority and additional sections as sets of RRs (owner
# case-folded, TTL left out), the exact case of answer owners equal to the question,
# and EDNS (presence, version, payload size, DO, option codes other than EDE and
# NSID).  TTLs are compared loosely: never above NSD's, negative SOA never above
# min(SOA TTL, MINIMUM) (RFC 2308 section 5), the cache hit's never above the miss's.
# Of owndns alone: AD is never set (nothing is validated) and the question comes back
# exactly as asked.  test_broad_ttls_count_down_like_unbounds checks the countdown.

F = "fwddiff.example."
B = "fwddiff-b.example."
S = "signed.example."
BROAD_ZONES = [F, B]
# The zone of the dnspython upstreams of forward-zone (only answering.example. answers).
SCRIPTED_ZONE = ("$TTL 60\n@ IN SOA ns hm 1 3600 900 604800 60\n@ IN NS ns\n"
                 "ns IN A 127.0.0.1\nwww IN A 192.0.2.1\nout IN CNAME www.fwddiff.example.\n")
MAX_NAME = ".".join(["m" * 63, "a" * 63, "x" * 63, "n" * 45]) + "." + F
MAX_NAME_ABSENT = ".".join(["m" * 63, "a" * 63, "x" * 63, "o" * 45]) + "." + F
COMPARED_FLAGS = (dns.flags.QR | dns.flags.AA | dns.flags.TC | dns.flags.RD | dns.flags.RA |
                  dns.flags.AD | dns.flags.CD)
IGNORED_OPTIONS = (dns.edns.OptionType.EDE, dns.edns.OptionType.NSID)
ADDRESS_TYPES = (dns.rdatatype.A, dns.rdatatype.AAAA)


def signed_zone():
    """(origin, text) of signed.example.: SOA, NS, A, TXT and DNSKEY, each RRset with an
    Ed25519 RRSIG valid from a day ago for 30 days.  No NSEC: only positive answers and
    the RRSIGs' presence are compared."""
    from cryptography.hazmat.primitives.asymmetric import ed25519
    origin = dns.name.from_text(S)
    key = ed25519.Ed25519PrivateKey.generate()
    dnskey = dns.dnssec.make_dnskey(key.public_key(), dns.dnssec.Algorithm.ED25519, flags=257)
    z = dns.zone.from_text("$TTL 300\n@ SOA ns1 hm 1 3600 900 604800 60\n@ NS ns1\n"
                           "ns1 A 127.0.0.1\nwww A 192.0.2.77\nwww TXT \"signed\"\n",
                           origin=origin, relativize=False)
    z.replace_rdataset(origin, dns.rdataset.from_rdata(300, dnskey))
    now = int(time.time())
    sigs = []
    for name, rds in z.iterate_rdatasets():
        rrset = dns.rrset.from_rdata_list(name, rds.ttl, list(rds))
        sigs.append((name, dns.dnssec.sign(rrset, key, origin, dnskey, inception=now - 86400,
                                           expiration=now + 30 * 86400)))
    for name, sig in sigs:
        node = z.find_node(name)
        rds = node.find_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, sig.covers(), True)
        rds.add(sig, 300)
    return S, z.to_text(relativize=False)


def mixed_case(name):
    """name with the case of its ASCII letters alternating (0x20 test)."""
    out, upper = [], False
    for c in name:
        if c.isascii() and c.isalpha():
            out.append(c.upper() if upper else c.lower())
            upper = not upper
        else:
            out.append(c)
    return "".join(out)


class Q:
    """One question and how it is asked."""

    def __init__(self, qname, qtype="A", qclass="IN", edns=0, payload=1232, do=False,
                 cd=False, ad=False, rd=True, options=(), tcp=False, tag=""):
        self.qname, self.qtype, self.qclass = qname, qtype, qclass
        self.edns, self.payload, self.do, self.cd, self.ad, self.rd = edns, payload, do, cd, ad, rd
        self.options, self.tcp, self.tag = list(options), tcp, tag

    @property
    def id(self):
        parts = [self.qname, self.qclass if self.qclass != "IN" else "", str(self.qtype)]
        parts.append("noedns" if self.edns is None else
                     ("edns%d/%d" % (self.edns, self.payload) if (self.edns, self.payload) !=
                      (0, 1232) else ""))
        parts += [f for f, on in (("DO", self.do), ("CD", self.cd), ("AD", self.ad),
                                  ("RD0", not self.rd), ("TCP", self.tcp)) if on]
        parts.append(self.tag)
        return " ".join(p for p in parts if p)

    def message(self):
        rdtype = self.qtype if isinstance(self.qtype, int) else dns.rdatatype.from_text(self.qtype)
        if self.edns is None:
            q = dns.message.make_query(dns.name.from_text(self.qname), rdtype, self.qclass,
                                       use_edns=False)
        else:
            q = dns.message.make_query(dns.name.from_text(self.qname), rdtype, self.qclass)
            # use_edns() itself: make_query takes use_edns=1 for "yes", not version 1
            q.use_edns(self.edns, dns.flags.DO if self.do else 0, self.payload,
                       options=self.options)
        if not self.rd:
            q.flags &= ~dns.flags.RD
        if self.cd:
            q.flags |= dns.flags.CD
        if self.ad:
            q.flags |= dns.flags.AD
        return q


def recv_exact(sock, n, deadline):
    data = b""
    while len(data) < n:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed after %d of %d octets" % (len(data), n))
        data += chunk
    return data


def exchange(port, q, tcp, timeout=TIMEOUT):
    """The parsed response (the first message over TCP), or a string saying why none."""
    wire = q.to_wire()
    deadline = time.monotonic() + timeout
    try:
        if tcp:
            with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
                sock.sendall(struct.pack("!H", len(wire)) + wire)
                (length,) = struct.unpack("!H", recv_exact(sock, 2, deadline))
                data = recv_exact(sock, length, deadline)
        else:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.connect(("127.0.0.1", port))
                sock.send(wire)
                while True:
                    sock.settimeout(max(0.01, deadline - time.monotonic()))
                    data = sock.recv(65535)
                    if len(data) >= 2 and data[:2] == wire[:2]:
                        break
    except (socket.timeout, TimeoutError):
        return "no answer within %ss" % timeout
    except (OSError, EOFError) as exc:
        return "transport error: %s" % exc
    try:
        return dns.message.from_wire(data, ignore_trailing=True)
    except Exception as exc:  # reported as the answer
        return "unparseable answer (%s): %s" % (exc.__class__.__name__, data.hex())


def rr_set(section, skip=()):
    return sorted("%s %s %s %s" % (rrset.name.to_text().lower(),
                                   dns.rdataclass.to_text(rrset.rdclass),
                                   dns.rdatatype.to_text(rrset.rdtype), rd.to_text().lower())
                  for rrset in section if rrset.rdtype not in skip for rd in rrset)


def full_summary(r, q):
    """What is compared of a response r to the question q (see above).  In a positive
    answer the NS RRsets of the authority section and the addresses of the additional
    section are left out: both are optional there (RFC 1034 section 4.3.2, RFC 2181
    section 9), Unbound drops them (minimal-responses), owndns passes the upstream's
    on a cache miss and leaves them out on a hit.  Their RRSIGs go with them."""
    if isinstance(r, str):
        return {"result": r}
    qname = q.question[0].name.to_text().lower()
    authority, additional = r.authority, r.additional
    if r.rcode() == dns.rcode.NOERROR and r.answer:
        authority = [x for x in authority if dns.rdatatype.NS not in (x.rdtype, x.covers)]
        additional = [x for x in additional
                      if x.rdtype not in ADDRESS_TYPES and x.covers not in ADDRESS_TYPES]
    opts = None
    if r.edns >= 0:
        opts = sorted(int(o.otype) for o in r.options if o.otype not in IGNORED_OPTIONS)
    return {"rcode": dns.rcode.to_text(r.rcode()),
            "flags": dns.flags.to_text(r.flags & COMPARED_FLAGS),
            "question": ["%s %s %s" % (x.name.to_text(), dns.rdataclass.to_text(x.rdclass),
                                       dns.rdatatype.to_text(x.rdtype)) for x in r.question],
            "answer": rr_set(r.answer),
            "answer_owner_case": sorted(x.name.to_text() for x in r.answer
                                        if x.name.to_text().lower() == qname),
            "authority": rr_set(authority),
            "additional": rr_set(additional, skip=(dns.rdatatype.OPT, dns.rdatatype.TSIG)),
            "edns": None if r.edns < 0 else
            "version %d payload %d DO %d options %s" % (r.edns, r.payload,
                                                        bool(r.ednsflags & dns.flags.DO), opts)}


class TtlLimits:
    """TTL limits from NSD: an RRset's TTL there (asked once), and min(SOA TTL, MINIMUM)
    of each zone for negative answers; 600 (the largest TTL of the zones) for an RRset
    NSD does not have as such (a CNAME synthesised from a DNAME)."""

    def __init__(self, nsd_port):
        self.port = nsd_port
        self.known = {}

    def limit(self, name, rdtype):
        key = (name.to_text().lower(), rdtype)
        if key not in self.known:
            q = dns.message.make_query(name, rdtype, use_edns=0, payload=65000)
            q.flags &= ~dns.flags.RD
            r = exchange(self.port, q, tcp=True)
            ttls = [] if isinstance(r, str) else \
                [x.ttl for x in r.answer if x.rdtype == rdtype and x.name == name]
            self.known[key] = ttls[0] if ttls else 600
        return self.known[key]

    def negative_limit(self, zone):
        soa_ttl = self.limit(zone, dns.rdatatype.SOA)
        key = (zone.to_text().lower(), "negative")
        if key not in self.known:
            r = exchange(self.port, dns.message.make_query(zone, "SOA"), tcp=True)
            minimum = r.answer[0][0].minimum if not isinstance(r, str) and r.answer else 0
            self.known[key] = min(soa_ttl, minimum)
        return self.known[key]

    def problems(self, r):
        if isinstance(r, str):
            return []
        out = []
        for rrset in r.answer:
            if rrset.rdtype == dns.rdatatype.RRSIG:
                continue
            limit = self.limit(rrset.name, rrset.rdtype)
            if rrset.ttl > limit:
                out.append("%s %s TTL %d > %d" % (rrset.name, dns.rdatatype.to_text(rrset.rdtype),
                                                  rrset.ttl, limit))
        for rrset in r.authority:
            if rrset.rdtype == dns.rdatatype.SOA:
                limit = self.negative_limit(rrset.name)
                if rrset.ttl > limit:
                    out.append("negative SOA %s TTL %d > min(TTL, MINIMUM) %d"
                               % (rrset.name, rrset.ttl, limit))
        return out


def ttl_not_grown(miss, hit):
    if isinstance(miss, str) or isinstance(hit, str):
        return []
    before = {(x.name.to_text().lower(), x.rdtype): x.ttl for x in miss.answer + miss.authority}
    return ["%s %s TTL %d on the hit > %d on the miss" % (x.name, dns.rdatatype.to_text(x.rdtype),
                                                          x.ttl, before[k])
            for x in hit.answer + hit.authority
            for k in [(x.name.to_text().lower(), x.rdtype)] if k in before and x.ttl > before[k]]


def cookie():
    return dns.edns.GenericOption(dns.edns.OptionType.COOKIE, bytes(range(1, 9)))


def unknown_option():
    return dns.edns.GenericOption(65001, b"owndns-test")


BROAD = [
    # plain answers, NODATA, NXDOMAIN
    Q("www." + F), Q("www." + F, "AAAA"), Q("www." + F, "TXT"), Q(F, "SOA"), Q(F, "NS"),
    Q(F, "CAA"), Q(F, "HTTPS"), Q("nope." + F), Q("a.b.nope." + F, "AAAA"),
    Q("nope." + B), Q("www." + B, "MX"),
    # CNAME chains
    Q("c1." + F), Q("c2." + F), Q("c2." + F, "CNAME"), Q("l1." + F), Q("l6." + F, "AAAA"),
    Q("cnx." + F), Q("cnodata." + F, "TXT"), Q("cnodata." + F), Q("loop1." + F),
    Q("loop1." + F, "CNAME"), Q("self." + F), Q("x1." + F), Q("x2." + F), Q("xnx." + F),
    Q("xloop." + F), Q("unserved." + F), Q("toans." + F), Q("tofail." + F),
    Q("www.answering.example."), Q("out.answering.example."),
    # DNAME
    Q("dn." + F, "DNAME"), Q("dn." + F), Q("www.dn." + F), Q("back.dn." + F),
    Q("nope.dn." + F), Q("x.dnnx." + F),
    # wildcards and empty non-terminals
    Q("x.wild." + F), Q("x.wild." + F, "TXT"), Q("x.wild." + F, "AAAA"),
    Q("a.b.wild." + F), Q("wild." + F), Q("*.wild." + F), Q("foo.wc." + F),
    Q("foo.wc." + F, "CNAME"), Q("foo.wcnx." + F), Q("b.ent." + F), Q("ent." + F),
    Q("a.b.ent." + F), Q("c.b.ent." + F),
    # delegations NSD only refers to
    Q("sub." + F, "NS"), Q("www.sub." + F), Q("ns.sub." + F), Q("lame." + F, "NS"),
    Q("www.lame." + F),
    # sizes: TC over UDP at each payload size, then TCP
    Q("mid." + F, edns=None), Q("mid." + F, payload=512), Q("mid." + F),
    Q("mid." + F, tcp=True), Q("big." + F, payload=512), Q("big." + F),
    Q("big." + F, payload=4096), Q("big." + F, edns=None), Q("big." + F, tcp=True),
    Q("huge." + F, "TXT", payload=4096), Q("huge." + F, "TXT", tcp=True),
    Q("huge." + F, "TXT", edns=None, tcp=True),
    # other types
    Q("manystr." + F, "TXT"), Q("caa." + F, "CAA"), Q("_sip._udp." + F, "SRV"),
    Q("svc." + F, "SVCB"), Q("svc." + F, "HTTPS"), Q("null." + F, "NULL"),
    Q("unk." + F, "TYPE65000"), Q("unk." + F, "TYPE65001"),
    Q("www." + F, "ANY"), Q(F, "ANY"), Q("nope." + F, "ANY"),
    # classes, qtype 0 and meta types
    Q("www." + F, "A", "CH"), Q("version.bind.", "TXT", "CH"), Q("www." + F, "A", "HS"),
    Q("www." + F, 0), Q("www." + F, "OPT"), Q("www." + F, "TSIG"), Q("www." + F, "TKEY"),
    Q("www." + F, "MAILA"), Q("www." + F, "MAILB"), Q(F, "AXFR"), Q(F, "AXFR", tcp=True),
    Q(F, "IXFR"), Q(F, "IXFR", tcp=True), Q("www." + F, 128),
    # DNSSEC bits
    Q("www." + F, do=True), Q("nope." + F, do=True), Q("www." + S, do=True),
    Q("www." + S, "TXT", do=True), Q(S, "DNSKEY", do=True), Q("www." + S, "TXT"),
    Q("www." + F, ad=True), Q("www." + F, cd=True), Q("www." + S, cd=True, do=True),
    # RD=0: cached (asked above) and not
    Q("www." + F, rd=False), Q("uncached." + F, rd=False), Q("c2." + F, rd=False),
    # EDNS
    Q("www." + F, edns=None), Q("nope." + F, edns=None), Q("www." + F, edns=1),
    Q("www." + F, options=[unknown_option()], tag="option65001"),
    Q("www." + F, options=[cookie()], tag="cookie"),
    Q("www." + F, payload=511), Q("www." + F, payload=65535),
    # case (0x20) and unusual names
    Q(mixed_case("www." + F)), Q(mixed_case("c2." + F)), Q(mixed_case("nope." + F)),
    Q(mixed_case("x.wild." + F)), Q("mixed." + F), Q(mixed_case("www.dn." + F)),
    Q("a\\.b." + F), Q("\\000\\255\\032x." + F), Q("\\000\\255\\032X." + F, "AAAA"),
    Q(MAX_NAME), Q(MAX_NAME.upper(), "AAAA"), Q(MAX_NAME_ABSENT),
    # upstreams that fail
    Q("www.servfail.example."), Q("www.refused.example."),
    # TCP
    Q("www." + F, tcp=True), Q("nope." + F, tcp=True), Q("c2." + F, tcp=True),
]

# Differences with a documented reason: question id -> (compared keys that differ, why).
# Each is checked to still be a difference, so a change on either side shows up.
_CHAIN = ("rcode", "answer", "answer_owner_case")
_LOOP = ("a CNAME loop: NSD answers NOERROR with the loop's CNAMEs and owndns relays that; "
         "Unbound answers SERVFAIL.  RFC 1034 section 3.6.2 asks that loops be detected, "
         "neither it nor RFC 2308 fixes the rcode")
_RA = ("RA=1 on owndns's refusals: RFC 1035 section 4.1.1 makes RA say whether recursion is "
       "available, which it is; Unbound clears RA on the errors it gives itself")
_RD0 = ("RD=0, answered from the cache: owndns copies RD=0 into the answer as RFC 1035 "
        "section 4.1.1 asks; Unbound 1.17 sets RD=1 (the flags of its cached message)")
ALLOWED = {
    "l1." + F + " A": (_CHAIN, "a chain of 13 CNAMEs: owndns follows up to 16 (FORWARD_CHAIN_MAX) "
                       "and relays NSD's complete answer; Unbound 1.17 gives up with SERVFAIL. "
                       "No RFC limits the length"),
    "loop1." + F + " A": (_CHAIN, _LOOP),
    "self." + F + " A": (_CHAIN, _LOOP),
    "xloop." + F + " A": (_CHAIN, _LOOP + " (here across two zones of NSD)"),
    "big." + F + " A edns0/4096": (("flags", "answer", "answer_owner_case"),
                                   "owndns sends at most udp-max-size octets over UDP (default "
                                   "1232, DNS flag day 2020) whatever the client's payload, so TC=1 "
                                   "for this 1648-octet answer; Unbound 1.17 sends it whole"),
    "www." + F + " ANY": (("answer", "answer_owner_case"),
                          "ANY: owndns relays the upstream's answer (NSD gives the A RRset "
                          "only), RFC 8482 section 4.1; Unbound adds the AAAA it has cached"),
    F + " ANY": (("answer", "answer_owner_case"),
                 "ANY: owndns relays NSD's answer (the SOA only, RFC 8482 section 4.1); Unbound "
                 "adds the NS it has cached"),
    "version.bind. CH TXT": (_CHAIN, "owndns does not tell its version (REFUSED, as for every "
                                     "class other than IN); Unbound answers it (hide-version: no)"),
    F + " AXFR": (("rcode", "flags"), "AXFR over UDP (undefined, RFC 5936 section 4.2): owndns "
                                      "answers NOTIMP as NSD does, Unbound REFUSED; " + _RA),
    F + " AXFR TCP": (("flags",), _RA),
    F + " IXFR": (("flags",), _RA),
    F + " IXFR TCP": (("flags",), _RA),
    "www." + F + " A RD0": (("flags",), _RD0),
    "c2." + F + " A RD0": (("flags",), _RD0),
    "uncached." + F + " A RD0": (("rcode", "authority", "additional"),
                                 "RD=0 for a name not in the cache: owndns answers SERVFAIL "
                                 "(documented in `owndns serve --help`); Unbound gives a "
                                 "referral to the cached NS of fwddiff.example., closer to RFC "
                                 "1034 section 4.3.2 step 4"),
}

# Where Unbound (and the RFCs) are right and owndns is not yet: question id -> reason.
# strict: the test fails once owndns is fixed, and the entry is then removed.
OWNDNS_WRONG = {}


def broad_params():
    out = []
    for q in BROAD:
        marks = []
        if q.id in OWNDNS_WRONG:
            marks.append(pytest.mark.xfail(strict=True, reason=OWNDNS_WRONG[q.id]))
        out.append(pytest.param(q, marks=marks, id=q.id))
    return out


@pytest.fixture(scope="module")
def ttl_limits(servers):
    return TtlLimits(servers["nsd"])


def test_broad_ids_unique():
    ids = [q.id for q in BROAD]
    assert len(ids) == len(set(ids))
    assert set(ALLOWED) <= set(ids) and set(OWNDNS_WRONG) <= set(ids)


@pytest.mark.parametrize("question", broad_params())
def test_broad_question(servers, ttl_limits, question):
    problems = []
    answers = {}
    for attempt in ("miss", "hit"):
        for kind in ("unbound", "owndns"):
            q = question.message()
            r = exchange(servers[kind], q, question.tcp)
            answers[(kind, attempt)] = (r, q)
            problems += ["%s %s: %s" % (kind, attempt, p) for p in ttl_limits.problems(r)]
    for kind in ("unbound", "owndns"):
        problems += ["%s: %s" % (kind, p) for p in ttl_not_grown(answers[(kind, "miss")][0],
                                                                  answers[(kind, "hit")][0])]
    for attempt in ("miss", "hit"):
        r, q = answers[("owndns", attempt)]
        if isinstance(r, str):
            continue
        if r.flags & dns.flags.AD:
            problems.append("%s: owndns sets AD, but validates nothing" % attempt)
        if r.question and r.question[0].name.to_text() != q.question[0].name.to_text():
            problems.append("%s: owndns's question %s, asked %s"
                            % (attempt, r.question[0].name, q.question[0].name))
    allowed = ALLOWED.get(question.id, ((), ""))[0]
    for attempt in ("miss", "hit"):
        a = full_summary(*answers[("unbound", attempt)])
        b = full_summary(*answers[("owndns", attempt)])
        for key in sorted(set(a) | set(b)):
            same = a.get(key) == b.get(key)
            if key in allowed and same:
                problems.append("%s: %s: the allowed difference is gone (both %s)"
                                % (attempt, key, a.get(key)))
            elif key not in allowed and not same:
                problems.append("%s: %s: unbound %s, owndns %s"
                                % (attempt, key, a.get(key), b.get(key)))
    assert not problems, "\n".join(problems)


COUNTDOWN = [Q("www." + F), Q("nope." + F), Q("c2." + F), Q("x.wild." + F), Q("nope." + B),
             Q("www.dn." + F), Q("www.signed.example.", do=True)]
COUNTDOWN_WAIT = 2.2


def ttls(r):
    return {(x.name.to_text().lower(), x.rdtype): x.ttl for x in r.answer + r.authority
            if x.rdtype != dns.rdatatype.NS}


def test_broad_ttls_count_down_like_unbounds(servers):
    """Cached answers: asked, asked again COUNTDOWN_WAIT seconds later, every TTL of the
    second answer has gone down by the time waited (one second either way), in both
    resolvers, and the TTLs of the two resolvers stay within a second of each other."""
    first = {}
    for q in COUNTDOWN:
        for kind in ("unbound", "owndns"):
            exchange(servers[kind], q.message(), False)  # into the cache
            first[(q.id, kind)] = (time.monotonic(), exchange(servers[kind], q.message(), False))
    time.sleep(COUNTDOWN_WAIT)
    problems = []
    for q in COUNTDOWN:
        now = {}
        for kind in ("unbound", "owndns"):
            t0, r0 = first[(q.id, kind)]
            r1 = exchange(servers[kind], q.message(), False)
            waited = time.monotonic() - t0
            assert not isinstance(r0, str) and not isinstance(r1, str), (q.id, kind, r0, r1)
            before, after = ttls(r0), ttls(r1)
            now[kind] = after
            if set(before) != set(after):
                problems.append("%s %s: RRsets changed: %s -> %s" % (q.id, kind, sorted(before),
                                                                      sorted(after)))
            for key in set(before) & set(after):
                gone = before[key] - after[key]
                if not waited - 1.5 <= gone <= waited + 1.5:
                    problems.append("%s %s %s: TTL %d -> %d after %.1fs"
                                    % (q.id, kind, key, before[key], after[key], waited))
        for key in set(now["unbound"]) & set(now["owndns"]):
            if abs(now["unbound"][key] - now["owndns"][key]) > 1:
                problems.append("%s %s: TTL unbound %d, owndns %d" % (q.id, key, now["unbound"][key],
                                                                      now["owndns"][key]))
    assert not problems, "\n".join(problems)
