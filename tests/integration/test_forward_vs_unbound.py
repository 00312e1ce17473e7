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
"""
import os

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from conftest import DATA, Processes
from counting_upstream import start_nsd, start_resolver

FORWARD_DATA = os.path.join(DATA, "forward")
ZONES = ["diff.example.", "other.example."]
TIMEOUT = 5.0


def zone_text(origin):
    with open(os.path.join(FORWARD_DATA, origin.rstrip(".") + ".zone"), encoding="ascii") as f:
        return f.read()


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """{"nsd": port, "unbound": port, "owndns": port}, all stopped by PID at the end."""
    procs = Processes()
    try:
        nsd_dir = tmp_path_factory.mktemp("nsd")
        nsd = start_nsd(procs, nsd_dir, [(z, zone_text(z)) for z in ZONES])
        upstream = "127.0.0.1@%d" % nsd
        ports = {"nsd": nsd}
        for kind in ("unbound", "owndns"):
            res = start_resolver(kind, procs, tmp_path_factory.mktemp(kind), forward=[upstream])
            ports[kind] = res.port
        yield ports
    finally:
        procs.stop_all()


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
