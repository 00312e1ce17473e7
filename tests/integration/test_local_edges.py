"""Edges of the local names of `owndns serve` (server/local/), answer by answer against
independent implementations: Unbound 1.17 configured with the same local-data (its
transparent local-data and default local zones) and dnsmasq reading the same hosts
files.  Each resolver forwards to its own counting upstream (counting_upstream.py),
which serves a small root zone, so a question that leaks upstream shows in its log.

What owndns does otherwise on purpose (not tested as equal here):
  - a CNAME chain inside the local data is followed (Unbound gives the first CNAME);
  - ANY at a name gives one RRset (RFC 8482), Unbound answers NODATA;
  - user data for a name and type replaces the built-in RRset (localhost A), where
    Unbound adds to it;
  - dnsmasq forwards NODATA questions for hosts names (both.lan MX), owndns and
    Unbound answer them; dnsmasq refuses scoped IPv6 addresses, owndns drops the scope;
    dnsmasq lower-cases PTR targets, owndns keeps the case of the file; with two
    hosts files dnsmasq's reverse name comes from the last one, owndns's from the first.
"""
import getpass
import os
import shutil
import socket
import struct

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.reversename
import pytest

from conftest import DATA
from counting_upstream import CountingUpstream, start_resolver, track_upstream  # noqa: F401
from servers import free_port, wait_answering

LOCAL = os.path.join(DATA, "local")
HOSTS = [os.path.join(LOCAL, "edges.hosts"), os.path.join(LOCAL, "edges-second.hosts")]
DNSMASQ = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"

ROOT_ZONE = """$TTL 300
@ SOA ns. hostmaster. 1 3600 600 86400 300
@ NS ns.
ns A 127.0.0.1
target.example. A 198.51.100.3
"""


def lines(section):
    return sorted("%s %s %s" % (rrset.name.to_text().lower(),
                                dns.rdatatype.to_text(rrset.rdtype), rd.to_text().lower())
                  for rrset in section for rd in rrset)


def ask(port, qname, qtype):
    q = dns.message.make_query(qname, qtype, use_edns=0, payload=1232)
    return dns.query.udp(q, "127.0.0.1", port=port, timeout=3)


def summary(r):
    """(rcode, AA, answer, authority) without TTLs: TTLs of forwarded answers differ."""
    return (dns.rcode.to_text(r.rcode()), bool(r.flags & dns.flags.AA),
            tuple(lines(r.answer)), tuple(lines(r.authority)))


@pytest.fixture
def pair(processes, tmp_path, track_upstream):
    """start(**cfg) -> {kind: (port, upstream)} for owndns and Unbound with `cfg`."""
    def start(**cfg):
        out = {}
        for kind in ("owndns", "unbound"):
            up = track_upstream(CountingUpstream([(".", ROOT_ZONE)]))
            res = start_resolver(kind, processes, tmp_path, forward=[up.addr], **cfg)
            out[kind] = (res.port, up)
        return out
    return start


def compare(resolvers, questions, asked_upstream=None):
    """Asks every question of every resolver: the differences, as text lines.
    asked_upstream, if given, gets owndns's (qname, qtype) -> whether it went upstream."""
    problems = []
    for qname, qtype in questions:
        got = {}
        for kind, (port, up) in resolvers.items():
            up.clear()
            r = ask(port, qname, qtype)
            got[kind] = (summary(r), up.count() > 0)
        if asked_upstream is not None:
            asked_upstream[(qname, qtype)] = got["owndns"][1]
        if len(set(got.values())) != 1:
            problems.append("%s %s:\n%s" % (qname, qtype, "\n".join(
                "  %-8s %s upstream=%s" % (k, v[0], v[1]) for k, v in got.items())))
    return problems


# ---- CNAME beside other data (RFC 1034 §4.3.2, RFC 2181 §10.1) -----------------------

CNAME_DATA = [
    "host.lan. 300 IN A 192.0.2.1",
    "c.lan. 300 IN CNAME host.lan.",
    "c.lan. 300 IN A 192.0.2.99",
    "two.lan. 300 IN CNAME host.lan.",
    "two.lan. 300 IN CNAME other.lan.",
]


def test_cname_beside_other_data_wins_as_in_unbound(pair):
    """RFC 1034 §4.3.2 step 3a looks for a CNAME before the asked type: a name given a
    CNAME and an A answers A questions with the CNAME (Unbound does; owndns then
    follows it inside the local data)."""
    resolvers = pair(local_data=CNAME_DATA)
    for kind, (port, up) in resolvers.items():
        for qtype in ("A", "ANY", "CNAME", "AAAA"):
            r = ask(port, "c.lan.", qtype)
            assert r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AA, (kind, r)
            first = r.answer[0] if r.answer else None
            assert first is not None and first.rdtype == dns.rdatatype.CNAME and \
                first.name.to_text().lower() == "c.lan.", "%s c.lan %s:\n%s" % (kind, qtype, r)
            assert "c.lan. A 192.0.2.99" not in lines(r.answer), (kind, qtype, r)
        if kind == "owndns":
            assert lines(ask(port, "c.lan.", "A").answer) == \
                ["c.lan. CNAME host.lan.", "host.lan. A 192.0.2.1"]
            assert lines(ask(port, "c.lan.", "ANY").answer) == ["c.lan. CNAME host.lan."]
        assert up.count() == 0, (kind, up.queries())


def raw_response(port, q):
    """The response as sent: dnspython keeps one record of a CNAME RRset."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.settimeout(3)
        s.sendto(q.to_wire(), ("127.0.0.1", port))
        data, _ = s.recvfrom(65535)
        return data
    finally:
        s.close()


def test_one_cname_per_name(processes, tmp_path, track_upstream):
    """RFC 2181 §10.1: a name has at most one CNAME; of two given, the first is kept and
    followed (Unbound 1.17 sends both: an RRset RFC 2181 forbids)."""
    up = track_upstream(CountingUpstream([(".", ROOT_ZONE)]))
    res = start_resolver("owndns", processes, tmp_path, forward=[up.addr],
                         local_data=CNAME_DATA)
    q = dns.message.make_query("two.lan.", "CNAME", use_edns=0, payload=1232)
    wire = raw_response(res.port, q)
    assert struct.unpack("!H", wire[6:8])[0] == 1, dns.message.from_wire(wire)
    r = ask(res.port, "two.lan.", "A")
    assert lines(r.answer) == ["host.lan. A 192.0.2.1", "two.lan. CNAME host.lan."]
    q = dns.message.make_query("two.lan.", "A", use_edns=0, payload=1232)
    assert struct.unpack("!H", raw_response(res.port, q)[6:8])[0] == 2


# ---- DS at the apex of a built-in zone (RFC 4035 §3.1.4.1) ---------------------------

DS_AT_APEX = ["localhost.", "10.in-addr.arpa.", "168.192.in-addr.arpa.", "home.arpa.",
              "onion.", "test.", "invalid.", "127.in-addr.arpa.", "d.f.ip6.arpa."]
DS_BELOW_APEX = ["sub.localhost.", "x.10.in-addr.arpa.", "1.0.0.127.in-addr.arpa.",
                 "x.home.arpa."]


def test_ds_at_builtin_apex_is_asked_of_the_parent(pair):
    """DS lives on the parent side of a zone cut and a recursive server gets it from the
    parent (RFC 4035 §3.1.4.1); Unbound looks its local zones up from the parent name
    for DS.  A local NODATA with the zone's own SOA would make a validating client
    downstream fail the insecure delegation of, e.g., 10.in-addr.arpa."""
    resolvers = pair(local_data=["ready.lan. 60 IN A 192.0.2.1"])
    upstream = {}
    problems = compare(resolvers, [(n, "DS") for n in DS_AT_APEX + DS_BELOW_APEX], upstream)
    assert not problems, "\n".join(problems)
    assert [n for n in DS_AT_APEX if not upstream[(n, "DS")]] == []
    assert [n for n in DS_BELOW_APEX if upstream[(n, "DS")]] == []


def test_user_ds_at_builtin_apex_stays_local(processes, tmp_path, track_upstream):
    """A DS the user gives at a built-in apex is the user's answer."""
    up = track_upstream(CountingUpstream([(".", ROOT_ZONE)]))
    res = start_resolver("owndns", processes, tmp_path, forward=[up.addr], local_data=[
        "home.arpa. 300 IN DS 12345 13 2 "
        "0000000000000000000000000000000000000000000000000000000000000000"])
    r = ask(res.port, "home.arpa.", "DS")
    assert [rr.rdtype for rr in r.answer] == [dns.rdatatype.DS] and up.count() == 0


# ---- built-in zones against Unbound's default local zones ----------------------------

NIBBLES_0 = "0." * 31
BUILTIN_QUESTIONS = [
    ("localhost.", "SOA"), ("localhost.", "NS"), ("LocalHost.", "AAAA"),
    ("localhost.", "MX"), ("sub.localhost.", "A"), ("a.b.localhost.", "AAAA"),
    ("sub.localhost.", "MX"), ("sub.localhost.", "SOA"), ("sub.localhost.", "NS"),
    ("127.in-addr.arpa.", "NS"), ("127.in-addr.arpa.", "SOA"),
    ("1.0.0.127.in-addr.arpa.", "A"), ("0.0.127.in-addr.arpa.", "PTR"),
    ("10.in-addr.arpa.", "NS"), ("168.192.in-addr.arpa.", "SOA"),
    ("1.1.254.169.in-addr.arpa.", "PTR"), ("1.16.172.in-addr.arpa.", "PTR"),
    ("1.31.172.in-addr.arpa.", "PTR"), ("64.100.in-addr.arpa.", "SOA"),
    ("1.127.100.in-addr.arpa.", "PTR"), ("1.0.in-addr.arpa.", "PTR"),
    ("255.255.255.255.in-addr.arpa.", "PTR"), ("1.2.0.192.in-addr.arpa.", "PTR"),
    ("1.100.51.198.in-addr.arpa.", "PTR"), ("1.113.0.203.in-addr.arpa.", "PTR"),
    ("1." + NIBBLES_0 + "ip6.arpa.", "PTR"), ("0." + NIBBLES_0 + "ip6.arpa.", "PTR"),
    ("1.d.f.ip6.arpa.", "PTR"), ("1.8.e.f.ip6.arpa.", "PTR"), ("1.b.e.f.ip6.arpa.", "PTR"),
    ("1.8.b.d.0.1.0.0.2.ip6.arpa.", "PTR"), ("invalid.", "SOA"), ("x.onion.", "AAAA"),
    ("home.arpa.", "NS"), ("x.test.", "TXT"),
    # just outside: asked upstream by both
    ("15.172.in-addr.arpa.", "SOA"), ("32.172.in-addr.arpa.", "SOA"),
    ("63.100.in-addr.arpa.", "SOA"), ("128.100.in-addr.arpa.", "SOA"),
    ("1.c.f.ip6.arpa.", "PTR"), ("1.c.e.f.ip6.arpa.", "PTR"),
    ("2." + NIBBLES_0 + "ip6.arpa.", "PTR"), ("x.local.", "A"), ("arpa.", "SOA"),
]


def test_builtin_zones_as_unbound_defaults(pair):
    resolvers = pair(local_data=["ready.lan. 60 IN A 192.0.2.1"])
    problems = compare(resolvers, BUILTIN_QUESTIONS)
    assert not problems, "\n".join(problems)


def test_builtin_negative_soa_ttl(pair):
    """RFC 2308 §3: the SOA of a negative answer carries min(TTL, MINIMUM); Unbound's
    default zones give 10800 for both."""
    resolvers = pair(local_data=["ready.lan. 60 IN A 192.0.2.1"])
    for name, qtype in (("x.invalid.", "A"), ("5.5.10.in-addr.arpa.", "PTR"),
                        ("localhost.", "MX")):
        ttls = {}
        for kind, (port, _) in resolvers.items():
            r = ask(port, name, qtype)
            ttls[kind] = [rr.ttl for rr in r.authority if rr.rdtype == dns.rdatatype.SOA]
        assert ttls["owndns"] == ttls["unbound"] == [10800], (name, ttls)


# ---- local-data of every common type against Unbound ---------------------------------

TYPES_DATA = [
    "host.lan. 300 IN A 192.0.2.1",
    "mx.lan. 300 IN MX 10 host.lan.",
    'txt.lan. 300 IN TXT "a b" "c" ""',
    "_sip._tcp.lan. 300 IN SRV 0 5 5060 host.lan.",
    "ns.lan. 300 IN NS ns1.host.lan.",
    "soa.lan. 300 IN SOA ns.soa.lan. admin.soa.lan. 5 3600 600 86400 60",
    "cn.lan. 300 IN CNAME target.example.",
    "*.wild.lan. 300 IN A 192.0.2.7",
    "bare 60 A 192.0.2.8",
    "ttlless.lan. A 192.0.2.9",
    "rev.lan. 300 IN PTR host.lan.",
    "5.2.0.192.in-addr.arpa. 300 IN PTR five.lan.",
    "x.test. 300 IN A 192.0.2.50",
]

TYPES_QUESTIONS = [
    ("host.lan.", "A"), ("HoSt.LaN.", "A"), ("host.lan.", "AAAA"), ("host.lan.", "DS"),
    ("host.lan.", "SOA"), ("host.lan.", "NS"), ("sub.host.lan.", "A"), ("mx.lan.", "MX"),
    ("txt.lan.", "TXT"), ("_sip._tcp.lan.", "SRV"), ("_tcp.lan.", "SRV"), ("ns.lan.", "NS"),
    ("ns.lan.", "A"), ("x.ns.lan.", "A"), ("soa.lan.", "SOA"), ("soa.lan.", "A"),
    ("cn.lan.", "A"), ("cn.lan.", "CNAME"), ("cn.lan.", "AAAA"), ("*.wild.lan.", "A"),
    ("a.wild.lan.", "A"), ("wild.lan.", "A"), ("bare.", "A"), ("ttlless.lan.", "A"),
    ("rev.lan.", "PTR"), ("5.2.0.192.in-addr.arpa.", "PTR"),
    ("6.2.0.192.in-addr.arpa.", "PTR"), ("x.test.", "A"), ("y.test.", "A"),
]


def test_local_data_types_as_unbound(pair):
    """Every common type, NODATA and names below or beside local names (Unbound's
    transparent local-data: sub.host.lan goes upstream; a '*' owner is no wildcard)."""
    resolvers = pair(local_data=TYPES_DATA)
    problems = compare(resolvers, TYPES_QUESTIONS)
    assert not problems, "\n".join(problems)


CASE_QUESTIONS = [("HoSt.LaN.", "A"), ("hOsT.lAn.", "AAAA"), ("LocalHost.", "A"),
                  ("Sub.LocalHost.", "AAAA"), ("X.InValid.", "A"), ("CN.lan.", "A"),
                  ("1.1.168.192.IN-ADDR.ARPA.", "PTR"), ("TEST.", "SOA")]


def test_owner_case_as_asked(pair):
    """The answer's first owner is the name as asked, letter for letter (a client using
    0x20 checks it); the negative SOA's owner is the zone's.  As Unbound."""
    resolvers = pair(local_data=TYPES_DATA)
    problems = []
    for qname, qtype in CASE_QUESTIONS:
        got = {}
        for kind, (port, _) in resolvers.items():
            r = ask(port, qname, qtype)
            got[kind] = ([rr.name.to_text() for rr in r.answer][:1],
                         [rr.name.to_text() for rr in r.authority])
        if got["owndns"] != got["unbound"] or \
                (got["owndns"][0] and got["owndns"][0][0] != qname):
            problems.append("%s %s: %s" % (qname, qtype, got))
    assert not problems, "\n".join(problems)


# ---- hosts files against dnsmasq -----------------------------------------------------

def start_dnsmasq(processes, upstream):
    port = free_port()
    cmd = [DNSMASQ, "--no-daemon", "--port=%d" % port, "--listen-address=127.0.0.1",
           "--bind-interfaces", "--no-resolv", "--no-hosts", "--pid-file=",
           "--user=%s" % getpass.getuser(), "--log-facility=-",
           "--server=127.0.0.1#%d" % upstream.port]
    cmd += ["--addn-hosts=%s" % h for h in HOSTS]
    proc = processes.start(cmd)
    wait_answering(port, proc, "multi.lan.", rdtype="A")
    return port


def rev(addr):
    return dns.reversename.from_address(addr).to_text()


HOSTS_QUESTIONS = [
    ("multi.lan.", "A"), ("multi.lan.", "AAAA"), ("alias1.lan.", "A"), ("alias2.", "A"),
    ("second.lan.", "A"), ("trailing.lan.", "A"), ("dup.lan.", "A"), ("case.lan.", "A"),
    ("CASE.LAN.", "A"), ("ten.lan.", "A"), ("indented.lan.", "A"), ("both.lan.", "A"),
    ("both.lan.", "AAAA"), ("other.lan.", "A"), ("mapped.lan.", "AAAA"),
    ("sub.multi.lan.", "A"),
    (rev("192.0.2.11"), "PTR"), (rev("192.0.2.20"), "PTR"), (rev("10.1.2.3"), "PTR"),
    (rev("2001:db8::11"), "PTR"), (rev("192.0.2.13"), "PTR"), (rev("192.0.2.10"), "PTR"),
]


def test_hosts_as_dnsmasq(processes, tmp_path, track_upstream):
    """Several names and aliases on a line, tabs, comments, leading blanks, duplicate
    lines, a name on two lines and in two files, A and AAAA, a trailing dot, an
    IPv4-mapped address, reverse names: answers as dnsmasq's, none asked upstream."""
    up_o = track_upstream(CountingUpstream([(".", ROOT_ZONE)]))
    up_d = track_upstream(CountingUpstream([(".", ROOT_ZONE)]))
    res = start_resolver("owndns", processes, tmp_path, forward=[up_o.addr],
                         ready_name="multi.lan.", extra=["hosts=%s" % h for h in HOSTS])
    dport = start_dnsmasq(processes, up_d)
    problems = []
    for qname, qtype in HOSTS_QUESTIONS:
        up_o.clear()
        up_d.clear()
        ours, theirs = ask(res.port, qname, qtype), ask(dport, qname, qtype)
        a = (dns.rcode.to_text(ours.rcode()), lines(ours.answer), up_o.count() > 0)
        b = (dns.rcode.to_text(theirs.rcode()), lines(theirs.answer), up_d.count() > 0)
        if a != b:
            problems.append("%s %s: owndns %s, dnsmasq %s" % (qname, qtype, a, b))
    assert not problems, "\n".join(problems)
