"""Local names in front of the forwarder (issue 5): hosts file, local-data, built-in
local zones and forward-zone never reach the default upstream; who may ask (allow=,
deny=); the flags, EDNS, ID and question case of the answers.

The upstream is counting_upstream.CountingUpstream: it serves fwd.example and
corp.example (tests/data/forward/) and logs every query, so "never reaches upstream"
is a count of zero.  The resolver under test is `owndns serve`; with
OWNDNS_FORWARD_TARGETS=owndns,unbound the same tests run against Unbound 1.17
configured the same way (the hosts file becomes local-data, allow=/deny= become
access-control allow/refuse), which is how the tests were checked.  Deliberate
differences:
  - a local CNAME whose target is local too: owndns follows the chain (as dnsmasq,
    see server/local/local_data.h), Unbound answers the CNAME alone; both are accepted.
  - builtin-local-zones=no has no single Unbound switch: owndns only.
"""
import os

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.reversename
import pytest

from conftest import DATA
from counting_upstream import resolver, track_upstream  # noqa: F401 (fixtures)
from counting_upstream import CountingUpstream, ask, owndns_command, rr_lines, targets
from servers import free_port, wait_answering

FORWARD_DATA = os.path.join(DATA, "forward")
HOSTS = os.path.join(FORWARD_DATA, "home.hosts")
HOSTS_TTL = 123


def zone_text(origin):
    with open(os.path.join(FORWARD_DATA, origin.rstrip(".") + ".zone"), encoding="ascii") as f:
        return f.read()


@pytest.fixture(params=targets())
def kind(request):
    return request.param


@pytest.fixture
def upstreams(track_upstream):
    def start():
        u = CountingUpstream([(o, zone_text(o)) for o in ("fwd.example.", "corp.example.")])
        return track_upstream(u)

    return start


def summary(resp):
    """(rcode, answer lines without TTL) with AA checked: local answers are AA=1."""
    return dns.rcode.to_text(resp.rcode()), rr_lines(resp.answer, ttl=False)


def rev(addr):
    return dns.reversename.from_address(addr).to_text()


# ---- hosts file -----------------------------------------------------------------------

HOSTS_QUESTIONS = [
    (("nas.home.lan.", "A"), ("NOERROR", ["nas.home.lan. A 192.168.1.10"])),
    (("NAS.Home.Lan.", "A"), ("NOERROR", ["nas.home.lan. A 192.168.1.10"])),
    (("nas.", "A"), ("NOERROR", ["nas. A 192.168.1.10"])),
    (("printer.home.lan.fwd.example.", "A"),
     ("NOERROR", ["printer.home.lan.fwd.example. A 192.168.1.20"])),
    (("printer.home.lan.fwd.example.", "AAAA"),
     ("NOERROR", ["printer.home.lan.fwd.example. AAAA 2001:db8::20"])),
    (("printer.home.lan.", "A"), ("NOERROR", ["printer.home.lan. A 192.168.1.20"])),
    (("v6only.home.lan.", "AAAA"), ("NOERROR", ["v6only.home.lan. AAAA 2001:db8::30"])),
    (("v6only.home.lan.", "A"), ("NOERROR", [])),
    (("nas.home.lan.", "MX"), ("NOERROR", [])),
    (("multi.home.lan.", "A"), ("NOERROR", ["multi.home.lan. A 10.0.0.5",
                                            "multi.home.lan. A 10.0.0.6"])),
    ((rev("192.168.1.10"), "PTR"), ("NOERROR", [rev("192.168.1.10") + " PTR nas.home.lan."])),
    ((rev("192.168.1.20"), "PTR"),
     ("NOERROR", [rev("192.168.1.20") + " PTR printer.home.lan.fwd.example."])),
    ((rev("2001:db8::20"), "PTR"),
     ("NOERROR", [rev("2001:db8::20") + " PTR printer.home.lan.fwd.example."])),
    ((rev("2001:db8::30"), "PTR"),
     ("NOERROR", [rev("2001:db8::30") + " PTR v6only.home.lan."])),
    ((rev("10.0.0.5"), "PTR"), ("NOERROR", [rev("10.0.0.5") + " PTR multi.home.lan."])),
    ((rev("10.0.0.6"), "PTR"), ("NOERROR", [rev("10.0.0.6") + " PTR multi.home.lan."])),
]


def test_hosts_file_answers_locally(upstreams, resolver):
    up = upstreams()
    res = resolver(forward=[up.addr], hosts=HOSTS, hosts_ttl=HOSTS_TTL)
    problems = []
    for (qname, qtype), expected in HOSTS_QUESTIONS:
        r = ask(res.port, qname, qtype)
        got = summary(r)
        if got != expected:
            problems.append("%s %s: expected %s, got %s" % (qname, qtype, expected, got))
        if not r.flags & dns.flags.AA:
            problems.append("%s %s: AA=0 on a local answer" % (qname, qtype))
        if any(rrset.ttl != HOSTS_TTL for rrset in r.answer):
            problems.append("%s %s: TTL not hosts-ttl=%d: %s" % (qname, qtype, HOSTS_TTL,
                                                                 rr_lines(r.answer)))
    assert not problems, "\n".join(problems)
    assert up.count() == 0, "local names reached upstream: %s" % up.queries()
    # The same upstream is used for the rest.
    r = ask(res.port, "www.fwd.example.", "A")
    assert summary(r) == ("NOERROR", ["www.fwd.example. A 192.0.2.1"])
    assert up.count() == 1


# ---- local-data ------------------------------------------------------------------------

LOCAL_DATA = [
    "host1.lan.example. 300 IN A 192.0.2.11",
    'host1.lan.example. 300 IN TXT "v=spf1 -all" "second string"',
    "lan.example. 300 IN MX 10 host1.lan.example.",
    "cn.lan.example. 300 IN CNAME host1.lan.example.",
    # A name upstream has too: local data wins, and its other types are NODATA.
    "www.fwd.example. 300 IN A 192.0.2.200",
]

LOCAL_QUESTIONS = [
    (("host1.lan.example.", "A"), ("NOERROR", ["host1.lan.example. A 192.0.2.11"])),
    (("HOST1.lan.EXAMPLE.", "A"), ("NOERROR", ["host1.lan.example. A 192.0.2.11"])),
    (("host1.lan.example.", "TXT"),
     ("NOERROR", ['host1.lan.example. TXT "v=spf1 -all" "second string"'])),
    (("lan.example.", "MX"), ("NOERROR", ["lan.example. MX 10 host1.lan.example."])),
    (("cn.lan.example.", "CNAME"), ("NOERROR", ["cn.lan.example. CNAME host1.lan.example."])),
    (("host1.lan.example.", "AAAA"), ("NOERROR", [])),
    (("host1.lan.example.", "MX"), ("NOERROR", [])),
    (("lan.example.", "A"), ("NOERROR", [])),
    (("www.fwd.example.", "A"), ("NOERROR", ["www.fwd.example. A 192.0.2.200"])),
    (("www.fwd.example.", "AAAA"), ("NOERROR", [])),
]


def test_local_data_answers_locally(upstreams, resolver):
    up = upstreams()
    res = resolver(forward=[up.addr], local_data=LOCAL_DATA)
    problems = []
    for (qname, qtype), expected in LOCAL_QUESTIONS:
        r = ask(res.port, qname, qtype)
        got = summary(r)
        if got != expected:
            problems.append("%s %s: expected %s, got %s" % (qname, qtype, expected, got))
        if not r.flags & dns.flags.AA:
            problems.append("%s %s: AA=0 on a local answer" % (qname, qtype))
        if r.answer and r.answer[0].ttl != 300:
            problems.append("%s %s: TTL %d, not 300" % (qname, qtype, r.answer[0].ttl))
    assert not problems, "\n".join(problems)
    assert up.count() == 0, "local names reached upstream: %s" % up.queries()


def test_local_cname_to_local_name(upstreams, resolver):
    up = upstreams()
    res = resolver(forward=[up.addr], local_data=LOCAL_DATA)
    r = ask(res.port, "cn.lan.example.", "A")
    lines = rr_lines(r.answer, ttl=False)
    assert r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AA
    assert lines in (["cn.lan.example. CNAME host1.lan.example."],
                     ["cn.lan.example. CNAME host1.lan.example.",
                      "host1.lan.example. A 192.0.2.11"]), lines
    assert up.count() == 0


def test_local_data_leaves_other_names_to_upstream(upstreams, resolver):
    up = upstreams()
    res = resolver(forward=[up.addr], local_data=LOCAL_DATA)
    r = ask(res.port, "mx.fwd.example.", "MX")
    assert summary(r) == ("NOERROR", ["mx.fwd.example. MX 10 www.fwd.example."])
    assert up.count("mx.fwd.example.", "MX") == 1


# ---- built-in local zones (RFC 6761, RFC 6303) ---------------------------------------

BUILTIN_QUESTIONS = [
    (("localhost.", "A"), ("NOERROR", ["localhost. A 127.0.0.1"])),
    (("localhost.", "AAAA"), ("NOERROR", ["localhost. AAAA ::1"])),
    (("1.0.0.127.in-addr.arpa.", "PTR"),
     ("NOERROR", ["1.0.0.127.in-addr.arpa. PTR localhost."])),
    (("5.5.10.in-addr.arpa.", "PTR"), ("NXDOMAIN", [])),
    (("10.in-addr.arpa.", "PTR"), ("NOERROR", [])),
    (("1.1.168.192.in-addr.arpa.", "PTR"), ("NXDOMAIN", [])),
    (("3.2.16.172.in-addr.arpa.", "PTR"), ("NXDOMAIN", [])),
    (("x.invalid.", "A"), ("NXDOMAIN", [])),
    (("a.b.invalid.", "AAAA"), ("NXDOMAIN", [])),
]


def test_builtin_zones_answer_locally(upstreams, resolver):
    up = upstreams()
    res = resolver(forward=[up.addr])
    problems = []
    for (qname, qtype), expected in BUILTIN_QUESTIONS:
        r = ask(res.port, qname, qtype)
        if summary(r) != expected:
            problems.append("%s %s: expected %s, got %s" % (qname, qtype, expected,
                                                             summary(r)))
        if not r.flags & dns.flags.AA:
            problems.append("%s %s: AA=0 on a local answer" % (qname, qtype))
        if r.rcode() == dns.rcode.NXDOMAIN or not r.answer:
            if not any(rrset.rdtype == dns.rdatatype.SOA for rrset in r.authority):
                problems.append("%s %s: negative answer without SOA" % (qname, qtype))
    assert not problems, "\n".join(problems)
    assert up.count() == 0, "built-in local names reached upstream: %s" % up.queries()


def test_builtin_zones_off(kind, upstreams, resolver):
    if kind == "unbound":
        pytest.skip("Unbound has no single switch for its default local zones")
    up = upstreams()
    res = resolver(forward=[up.addr], builtin_local_zones=False,
                   local_data=["ready.lan.example. 60 IN A 192.0.2.1"])
    ask(res.port, "x.invalid.", "A", timeout=5)
    assert up.count("x.invalid.", "A") >= 1


# ---- forward-zone ------------------------------------------------------------------------

def test_forward_zone_goes_to_its_own_upstream(upstreams, resolver):
    default, corp = upstreams(), upstreams()
    res = resolver(forward=[default.addr], forward_zone=[("corp.example", [corp.addr])])
    assert summary(ask(res.port, "intranet.corp.example.", "A")) == \
        ("NOERROR", ["intranet.corp.example. A 10.1.2.3"])
    assert summary(ask(res.port, "x.wild.CORP.example.", "A")) == \
        ("NOERROR", ["x.wild.corp.example. A 10.9.9.9"])
    assert ask(res.port, "nope.corp.example.", "A").rcode() == dns.rcode.NXDOMAIN
    assert summary(ask(res.port, "www.fwd.example.", "A")) == \
        ("NOERROR", ["www.fwd.example. A 192.0.2.1"])
    corp_queries = [e for e in default.queries() if e[1].endswith("corp.example.")]
    assert corp_queries == [], "forward-zone names asked of the default upstream"
    assert corp.count("intranet.corp.example.", "A") == 1
    assert corp.count("nope.corp.example.", "A") == 1
    assert corp.count("www.fwd.example.") == 0
    assert default.count("www.fwd.example.", "A") == 1


def test_forward_zone_with_two_upstreams(upstreams, resolver):
    default, c1, c2 = upstreams(), upstreams(), upstreams()
    c1.mode = "silent"
    res = resolver(forward=[default.addr],
                   forward_zone=[("corp.example", [c1.addr, c2.addr])])
    for i in range(4):
        r = ask(res.port, "h%d.wild.corp.example." % i, "A", timeout=6)
        assert summary(r) == ("NOERROR", ["h%d.wild.corp.example. A 10.9.9.9" % i])
    assert default.count() == 0
    assert c2.count() >= 4


# ---- who may ask ------------------------------------------------------------------------

def test_acl_refuses_denied_sources(upstreams, resolver):
    up = upstreams()
    res = resolver(forward=[up.addr], deny=["127.0.0.0/8"],
                   allow=["127.0.0.1/32", "127.0.0.2/32"])
    r = ask(res.port, "www.fwd.example.", "A", source="127.0.0.3")
    assert r.rcode() == dns.rcode.REFUSED and not r.answer
    r = ask(res.port, "localhost.", "A", source="127.0.0.3")
    assert r.rcode() == dns.rcode.REFUSED and not r.answer
    r = ask(res.port, "www.fwd.example.", "A", source="127.0.0.3", tcp=True)
    assert r.rcode() == dns.rcode.REFUSED and not r.answer
    assert up.count() == 0, "a refused client's question went upstream"
    for source in ("127.0.0.2", "127.0.0.1"):
        r = ask(res.port, "www.fwd.example.", "A", source=source)
        assert summary(r) == ("NOERROR", ["www.fwd.example. A 192.0.2.1"]), source


def test_acl_deny_one_address(upstreams, resolver):
    """Localhost is allowed by default; a longer deny prefix takes one address out."""
    up = upstreams()
    res = resolver(forward=[up.addr], deny=["127.0.0.3/32"])
    assert ask(res.port, "www.fwd.example.", "A", source="127.0.0.3").rcode() == \
        dns.rcode.REFUSED
    assert summary(ask(res.port, "www.fwd.example.", "A", source="127.0.0.4")) == \
        ("NOERROR", ["www.fwd.example. A 192.0.2.1"])


# ---- flags, EDNS, ID and case ------------------------------------------------------------

def check_header(q, r, aa):
    problems = []
    if r.id != q.id:
        problems.append("ID %d, asked %d" % (r.id, q.id))
    if r.question[0].name.to_text() != q.question[0].name.to_text():
        problems.append("question %s, asked %s" % (r.question[0].name, q.question[0].name))
    if not r.flags & dns.flags.QR:
        problems.append("QR=0")
    if not r.flags & dns.flags.RA:
        problems.append("RA=0")
    if bool(r.flags & dns.flags.RD) != bool(q.flags & dns.flags.RD):
        problems.append("RD not copied")
    if bool(r.flags & dns.flags.AA) != aa:
        problems.append("AA=%d" % bool(r.flags & dns.flags.AA))
    if r.flags & dns.flags.TC:
        problems.append("TC=1")
    if (r.edns >= 0) != (q.edns >= 0):
        problems.append("EDNS in the query: %s, in the answer: %s" % (q.edns >= 0, r.edns >= 0))
    return problems


@pytest.mark.parametrize("use_edns", [False, 0], ids=["no-edns", "edns"])
def test_flags_edns_id_and_case(upstreams, resolver, use_edns):
    up = upstreams()
    res = resolver(forward=[up.addr], local_data=LOCAL_DATA)
    problems = []
    cases = [("TxT.FwD.ExAmPlE.", "TXT", False),    # forwarded (upstream sent AA=1)
             ("tXt.fWd.eXaMpLe.", "TXT", False),    # the same from the cache
             ("MX.fwd.example.", "MX", False),
             ("NoPe.FWD.example.", "A", False),     # negative, forwarded
             ("nope.fwd.EXAMPLE.", "A", False),     # negative, cached
             ("HoSt1.LAN.example.", "A", True),     # local-data
             ("host1.lan.example.", "AAAA", True),  # local NODATA
             ("LocalHost.", "A", True)]             # built-in zone
    for qname, qtype, aa in cases:
        kw = {"use_edns": use_edns}
        if use_edns is not False:
            kw["payload"] = 1232
        q = dns.message.make_query(qname, qtype, **kw)
        r = dns.query.udp(q, "127.0.0.1", port=res.port, timeout=3)
        problems += ["%s %s: %s" % (qname, qtype, p) for p in check_header(q, r, aa)]
    assert not problems, "\n".join(problems)
    assert up.count("txt.fwd.example.", "TXT") == 1


def test_local_name_inside_zone_is_reported(processes, tmp_path, upstreams):
    """zone= answers before local names: a local-data name inside a zone is never
    answered, and the start says so instead of leaving the user to wonder."""
    up = upstreams()
    zone = tmp_path / "lan.zone"
    zone.write_text("$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n"
                    "host A 192.0.2.7\n", encoding="ascii")
    port = free_port()
    cmd = owndns_command(port, {"forward": [up.addr],
                                "local-data": ["host.lan. 60 IN A 192.0.2.9",
                                               "elsewhere.example. 60 IN A 192.0.2.8"]})
    proc = processes.start(cmd + ["zone=lan:%s" % zone])
    wait_answering(port, proc, "lan.")
    r = ask(port, "host.lan.", "A")
    assert [rd.address for rrset in r.answer for rd in rrset] == ["192.0.2.7"]
    processes.stop(proc)
    log = proc.stderr.read().decode()
    assert "local name host.lan. (hosts= or local-data=) is inside zone lan" in log, log
    assert "elsewhere.example" not in log, log
