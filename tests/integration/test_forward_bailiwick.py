"""What a forwarding target's upstream may tell us (issue 5, RFC 5452 §6): the upstream of
forward-zone=corp.example speaks for corp.example only.  A CNAME out of the zone, a
forged address for its target, forged NS and additional records, and a forged negative
answer for a name of another zone must neither reach the client nor enter the cache,
where they would answer later questions that belong to the default upstream.  Also: an
answer still truncated over TCP is a failure (SERVFAIL, not cached), and meta QTYPEs
are answered at once with FORMERR, as Unbound does.

Upstreams are counting_upstream.CountingUpstream (dnspython): the default one serves
fwd.example (tests/data/forward/fwd.example.zone), the corp one answers some questions
with scripted forgeries.  With OWNDNS_FORWARD_TARGETS=owndns,unbound the same tests run
against Unbound configured the same way.  Both chase a CNAME that leaves a forward zone
through the target's own forwarder.
"""
import os

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from conftest import DATA
from counting_upstream import resolver, track_upstream  # noqa: F401 (fixtures)
from counting_upstream import CountingUpstream, ask, rr_lines, targets

FORWARD_DATA = os.path.join(DATA, "forward")
FORGED = "203.0.113."
REAL_WWW = "192.0.2.1"


def zone_text(origin):
    with open(os.path.join(FORWARD_DATA, origin.rstrip(".") + ".zone"), encoding="ascii") as f:
        return f.read()


class ForgingTable:
    """The corp.example zone table, with scripted answers for some questions."""

    def __init__(self, table, scripts):
        self.table = table
        self.scripts = scripts  # lower-case qname -> function(query) -> response

    def answer(self, query, soa_ttl_rule="min"):
        name = query.question[0].name.to_text().lower()
        if name in self.scripts:
            return self.scripts[name](query)
        return self.table.answer(query, soa_ttl_rule)


def rrset(text):
    name, ttl, rdclass, rdtype, rdata = text.split(None, 4)
    return dns.rrset.from_text(name, int(ttl), rdclass, rdtype, rdata)


def forged_cname(query):
    """www.corp.example is an alias of www.fwd.example, with a forged address for it
    and forged delegation and glue for fwd.example."""
    r = dns.message.make_response(query)
    r.flags |= dns.flags.AA | dns.flags.RA
    r.answer.append(rrset("www.corp.example. 300 IN CNAME www.fwd.example."))
    r.answer.append(rrset("www.fwd.example. 300 IN A %s66" % FORGED))
    r.authority.append(rrset("fwd.example. 300 IN NS ns.attacker.test."))
    r.additional.append(rrset("ns1.fwd.example. 300 IN A %s67" % FORGED))
    r.additional.append(rrset("long.fwd.example. 300 IN A %s68" % FORGED))
    return r


def forged_nxdomain(query):
    """mail.corp.example is an alias of mx.fwd.example, which 'does not exist'."""
    r = dns.message.make_response(query)
    r.flags |= dns.flags.AA | dns.flags.RA
    r.set_rcode(dns.rcode.NXDOMAIN)
    r.answer.append(rrset("mail.corp.example. 300 IN CNAME mx.fwd.example."))
    r.authority.append(rrset("fwd.example. 300 IN SOA ns1.fwd.example. h.fwd.example. 1 2 3 4 300"))
    return r


def truncated_everywhere(query):
    r = dns.message.make_response(query)
    r.flags |= dns.flags.AA | dns.flags.RA | dns.flags.TC
    return r


@pytest.fixture(params=targets())
def kind(request):
    return request.param


@pytest.fixture
def upstreams(track_upstream):
    def start(scripts=None):
        u = CountingUpstream([(o, zone_text(o)) for o in ("fwd.example.", "corp.example.")])
        if scripts:
            u.table = ForgingTable(u.table, scripts)
        return track_upstream(u)

    return start


def addresses(resp):
    return [rd.address for s in resp.answer + resp.authority + resp.additional
            if s.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA) for rd in s]


def no_forgery(resp):
    text = resp.to_text()
    return FORGED not in text and "attacker" not in text


def test_forged_data_from_a_forward_zone(kind, upstreams, resolver):
    default = upstreams()
    corp = upstreams({"www.corp.example.": forged_cname, "mail.corp.example.": forged_nxdomain})
    res = resolver(forward=[default.addr], forward_zone=[("corp.example", [corp.addr])])

    first = ask(res.port, "www.corp.example.", "A")
    assert first.rcode() == dns.rcode.NOERROR, first
    assert no_forgery(first), first
    assert rr_lines(first.answer, ttl=False) == [
        "www.corp.example. CNAME www.fwd.example.", "www.fwd.example. A %s" % REAL_WWW]
    # The chase asked the default upstream, once.
    assert default.count("www.fwd.example.", "A") == 1

    # The forged names belong to the default upstream, and get its answers.
    www = ask(res.port, "www.fwd.example.", "A")
    assert rr_lines(www.answer, ttl=False) == ["www.fwd.example. A %s" % REAL_WWW]
    assert addresses(ask(res.port, "long.fwd.example.", "A")) == ["192.0.2.36"]
    assert addresses(ask(res.port, "ns1.fwd.example.", "A")) == ["127.0.0.1"]
    ns = ask(res.port, "fwd.example.", "NS")
    assert rr_lines(ns.answer, ttl=False) == ["fwd.example. NS ns1.fwd.example."]

    # The chain, asked again: the in-zone CNAME, then the real address.
    again = ask(res.port, "www.corp.example.", "A")
    assert no_forgery(again), again
    assert rr_lines(again.answer, ttl=False) == [
        "www.corp.example. CNAME www.fwd.example.", "www.fwd.example. A %s" % REAL_WWW]

    # A forged NXDOMAIN for a name of fwd.example.
    mail = ask(res.port, "mail.corp.example.", "A")
    assert mail.rcode() == dns.rcode.NOERROR, mail
    assert rr_lines(mail.answer, ttl=False) == ["mail.corp.example. CNAME mx.fwd.example."]
    assert no_forgery(mail), mail
    mx = ask(res.port, "mx.fwd.example.", "MX")
    assert mx.rcode() == dns.rcode.NOERROR, mx
    assert rr_lines(mx.answer, ttl=False) == ["mx.fwd.example. MX 10 www.fwd.example."]
    assert ask(res.port, "mx.fwd.example.", "A").rcode() == dns.rcode.NOERROR


def test_truncated_over_tcp_is_a_failure(kind, upstreams, resolver):
    default = upstreams({"cut.fwd.example.": truncated_everywhere})
    res = resolver(forward=[default.addr])
    for attempt in range(2):
        r = ask(res.port, "cut.fwd.example.", "A", timeout=8)
        assert r.rcode() == dns.rcode.SERVFAIL, r
        assert not r.flags & dns.flags.TC, r
        assert default.count("cut.fwd.example.", "A", transport="tcp") >= attempt + 1
    r = ask(res.port, "cut.fwd.example.", "A", tcp=True, timeout=8)
    assert r.rcode() == dns.rcode.SERVFAIL, r


META_TYPES = [41, 128, 200, 248, 249, 250, 253, 254]


@pytest.mark.parametrize("use_edns", [False, 0])
def test_meta_qtypes_formerr(upstreams, resolver, use_edns):
    default = upstreams()
    res = resolver(forward=[default.addr])
    for t in META_TYPES:
        r = ask(res.port, "www.fwd.example.", t, use_edns=use_edns)
        assert r.rcode() == dns.rcode.FORMERR, (t, r)
        assert not r.flags & dns.flags.RA, (t, r)
        assert r.flags & dns.flags.RD, (t, r)
        assert len(r.question) == 1 and r.question[0].rdtype == t, (t, r)
        assert (r.edns >= 0) == (use_edns is not False), (t, r)
    assert default.count() == 0
    # Their neighbours are ordinary types, asked upstream.
    assert ask(res.port, "www.fwd.example.", 127).rcode() == dns.rcode.NOERROR
