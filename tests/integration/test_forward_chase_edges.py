"""Edge cases of chasing a CNAME that leaves a forward zone (issue 5), each compared with
Unbound configured the same way (one forward-zone per domain, the same scripted
upstreams, the same local-data): rcode, header flags, answer RRsets and the SOA of a
negative answer.

    - qtype CNAME at a CNAME that leaves the zone: the CNAME is the answer, no chase
    - a chase ending in NXDOMAIN or NODATA in the target's zone
    - a loop across two forward zones: SERVFAIL, in bounded time, with few upstream queries
    - a chase asked over TCP; a chase asked with DO=1 (RRSIGs passed, AD=0)
    - a CNAME whose target is local data of the resolver (asked upstream all the same)
    - a CNAME whose target is under no forward-zone (the default forwarder's)
    - qtype ANY at a CNAME that leaves the zone
    - many clients asking the same chased name at once: one upstream query per name

Upstreams are counting_upstream.CountingUpstream (dnspython), one per zone.  Everything
has TTL 0, so neither resolver answers from its cache.
"""
import concurrent.futures
import time

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest

from counting_upstream import (CountingUpstream, ZoneTable, rr_lines, start_resolver,
                               unbound_and_owndns)

SOA = ("$TTL 0\n@ IN SOA ns.{o} host.{o} 1 3600 600 86400 0\n@ IN NS ns.{o}\n"
       "ns IN A 127.0.0.1\n")

SIG = ("13 3 0 20300101000000 20200101000000 12345 {o} "
       "c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl")

ZONES = {
    "z1.example.": "out IN CNAME t.z2.example.\n"
                   "nx IN CNAME nx.z2.example.\n"
                   "loop IN CNAME loop.z2.example.\n"
                   "loc IN CNAME host.lan.example.\n"
                   "orphan IN CNAME host.nowhere.\n"

                   "signed IN CNAME s.z2.example.\n"
                   "signed IN RRSIG CNAME " + SIG.format(o="z1.example.") + "\n"
                   "many IN CNAME many.z2.example.\n",
    "z2.example.": "t IN A 192.0.2.1\n"
                   "loop IN CNAME loop.z1.example.\n"
                   "s IN A 192.0.2.5\n"
                   "s IN RRSIG A " + SIG.format(o="z2.example.") + "\n"
                   "many IN A 192.0.2.7\n",
    # Its upstream and the resolvers' local data disagree on the address of host.
    "lan.example.": "host IN A 192.0.2.99\n",
    # The default upstream (forward=): names under no forward-zone.
    "nowhere.": "host IN A 192.0.2.42\n",
}
DEFAULT_ZONE = "nowhere."

LOCAL_DATA = ["host.lan.example. 300 IN A 198.51.100.1"]

# Upstream delay while many clients ask the same name: long enough for all of them to
# arrive while the first chase is still waiting, and short of Unbound's first
# retransmission timer (376 ms).
CONCURRENT_DELAY = 0.25
CONCURRENT_CLIENTS = 50

HEADER_FLAGS = dns.flags.QR | dns.flags.AA | dns.flags.TC | dns.flags.RD | \
    dns.flags.RA | dns.flags.AD | dns.flags.CD


class SigningTable(ZoneTable):
    """A zone table that adds the RRSIGs of every answer RRset when DO=1, as a signed
    authoritative server does."""

    def answer(self, query, soa_ttl_rule="min"):
        resp = super().answer(query, soa_ttl_rule)
        if not query.ednsflags & dns.flags.DO:
            return resp
        resp.use_edns(0, dns.flags.DO, 1232)
        for rrset in list(resp.answer):
            z = self.zone_for(rrset.name)
            node = z.get_node(rrset.name) if z is not None else None
            if node is None:
                continue
            sigs = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, rrset.rdtype)
            if sigs is not None:
                resp.answer.append(dns.rrset.from_rdata_list(rrset.name, sigs.ttl,
                                                             list(sigs)))
        return resp


def upstream(origin):
    zones = [(origin, SOA.format(o=origin) + ZONES[origin])]
    u = CountingUpstream(zones)
    u.table = SigningTable(zones)
    return u


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """{"owndns": port, "unbound": port, "ups": {origin: upstream}}."""
    ups = {origin: upstream(origin) for origin in ZONES}
    forward_zone = [(o, [u.addr]) for o, u in ups.items() if o != DEFAULT_ZONE]
    with unbound_and_owndns(tmp_path_factory, ups, forward_zone=forward_zone,
                            local_data=LOCAL_DATA, forward=[ups[DEFAULT_ZONE].addr]) as ports:
        yield ports


def exchange(port, qname, rdtype="A", tcp=False, dnssec=False, timeout=4.0):
    q = dns.message.make_query(qname, rdtype, use_edns=0, payload=1232,
                               want_dnssec=dnssec)
    if tcp:
        return dns.query.tcp(q, "127.0.0.1", port=port, timeout=timeout)
    return dns.query.udp(q, "127.0.0.1", port=port, timeout=timeout)


def soa_owners(resp):
    return sorted(r.name.to_text().lower() for r in resp.authority
                  if r.rdtype == dns.rdatatype.SOA)


def same_as_unbound(servers, qname, rdtype="A", **kw):
    ours = exchange(servers["owndns"], qname, rdtype, **kw)
    theirs = exchange(servers["unbound"], qname, rdtype, **kw)
    both = "owndns:\n%s\nunbound:\n%s" % (ours, theirs)
    assert ours.rcode() == theirs.rcode(), both
    assert ours.flags & HEADER_FLAGS == theirs.flags & HEADER_FLAGS, both
    assert rr_lines(ours.answer) == rr_lines(theirs.answer), both
    assert soa_owners(ours) == soa_owners(theirs), both
    return ours


def test_qtype_cname_is_not_chased(servers):
    z2 = servers["ups"]["z2.example."]
    before = z2.count()
    r = same_as_unbound(servers, "out.z1.example.", "CNAME")
    assert r.rcode() == dns.rcode.NOERROR
    assert rr_lines(r.answer, ttl=False) == ["out.z1.example. CNAME t.z2.example."]
    assert z2.count() == before


def test_chase_ends_in_nxdomain(servers):
    r = same_as_unbound(servers, "nx.z1.example.")
    assert r.rcode() == dns.rcode.NXDOMAIN
    assert rr_lines(r.answer, ttl=False) == ["nx.z1.example. CNAME nx.z2.example."]
    assert soa_owners(r) == ["z2.example."]


def test_chase_ends_in_nodata(servers):
    r = same_as_unbound(servers, "out.z1.example.", "AAAA")
    assert r.rcode() == dns.rcode.NOERROR
    assert rr_lines(r.answer, ttl=False) == ["out.z1.example. CNAME t.z2.example."]
    assert soa_owners(r) == ["z2.example."]


def test_loop_across_two_zones(servers):
    z1, z2 = servers["ups"]["z1.example."], servers["ups"]["z2.example."]
    asked = z1.count() + z2.count()
    start = time.monotonic()
    for _ in range(3):
        r = exchange(servers["owndns"], "loop.z1.example.")
        assert r.rcode() == dns.rcode.SERVFAIL, r
    assert time.monotonic() - start < 1.5
    # Two steps round the loop per question at most (each zone asked once).
    assert z1.count() + z2.count() - asked <= 3 * 2
    same_as_unbound(servers, "loop.z1.example.")
    same_as_unbound(servers, "loop.z2.example.")


def test_chase_over_tcp(servers):
    r = same_as_unbound(servers, "out.z1.example.", tcp=True)
    assert rr_lines(r.answer, ttl=False) == ["out.z1.example. CNAME t.z2.example.",
                                             "t.z2.example. A 192.0.2.1"]


def test_chase_with_do_passes_rrsigs(servers):
    r = same_as_unbound(servers, "signed.z1.example.", dnssec=True)
    assert not r.flags & dns.flags.AD
    types = sorted((x.name.to_text().lower(), dns.rdatatype.to_text(x.rdtype))
                   for x in r.answer)
    assert types == [("s.z2.example.", "A"), ("s.z2.example.", "RRSIG"),
                     ("signed.z1.example.", "CNAME"), ("signed.z1.example.", "RRSIG")]
    # Without DO no RRSIG is passed on.
    r = same_as_unbound(servers, "signed.z1.example.")
    assert all(x.rdtype != dns.rdatatype.RRSIG for x in r.answer)


def test_cname_to_local_data(servers):
    """Local data answers the clients' own questions only: the target of a chased CNAME
    is asked of the forwarder of its name, as Unbound does (its local zones are not
    consulted by the iterator)."""
    r = same_as_unbound(servers, "loc.z1.example.")
    assert rr_lines(r.answer, ttl=False) == ["host.lan.example. A 192.0.2.99",
                                             "loc.z1.example. CNAME host.lan.example."]
    r = same_as_unbound(servers, "host.lan.example.")
    assert rr_lines(r.answer, ttl=False) == ["host.lan.example. A 198.51.100.1"]


def test_chase_into_the_default_forwarder(servers):
    r = same_as_unbound(servers, "orphan.z1.example.")
    assert rr_lines(r.answer, ttl=False) == ["host.nowhere. A 192.0.2.42",
                                             "orphan.z1.example. CNAME host.nowhere."]


def test_qtype_any_at_cname_leaving_zone(servers):
    same_as_unbound(servers, "out.z1.example.", "ANY")


@pytest.fixture
def slow_upstreams(servers):
    ups = servers["ups"].values()
    for u in ups:
        u.delay = CONCURRENT_DELAY
    yield servers
    for u in ups:
        u.delay = 0.0


def ask_many(port, qname):
    with concurrent.futures.ThreadPoolExecutor(max_workers=CONCURRENT_CLIENTS) as pool:
        futures = [pool.submit(exchange, port, qname) for _ in range(CONCURRENT_CLIENTS)]
        return [f.result(timeout=10) for f in futures]


def test_concurrent_clients_share_one_chase(slow_upstreams, processes, tmp_path):
    """Fetches are shared within one worker thread (server/forward/inflight.h), as
    Unbound's mesh is within one thread: owndns runs with one thread here.  Unbound's
    upstream count is not compared: it retransmits after its measured RTT (tens of ms
    from the earlier questions), so the slow upstream sees its retries."""
    servers = slow_upstreams
    ups = servers["ups"]
    res = start_resolver("owndns", processes, tmp_path,
                         forward_zone=[(o, [u.addr]) for o, u in ups.items()
                                       if o != DEFAULT_ZONE],
                         forward=[ups[DEFAULT_ZONE].addr], extra=["threads=1"])
    z1, z2 = ups["z1.example."], ups["z2.example."]
    z1.clear()
    z2.clear()
    answers = ask_many(res.port, "many.z1.example.")
    assert z1.count("many.z1.example.") == 1, z1.queries()
    assert z2.count("many.z2.example.") == 1, z2.queries()
    theirs = exchange(servers["unbound"], "many.z1.example.")
    for r in answers:
        both = "owndns:\n%s\nunbound:\n%s" % (r, theirs)
        assert r.rcode() == theirs.rcode() == dns.rcode.NOERROR, both
        assert r.flags & HEADER_FLAGS == theirs.flags & HEADER_FLAGS, both
        assert rr_lines(r.answer) == rr_lines(theirs.answer), both


CACHED_SOA = ("$TTL 300\n@ IN SOA ns.{o} host.{o} 1 3600 600 86400 300\n@ IN NS ns.{o}\n"
              "ns IN A 127.0.0.1\n")
CACHED_SIG = SIG.replace(" 0 2030", " 300 2030")
CACHED_ZONES = {
    "c1.example.": "out IN CNAME t.c2.example.\n"
                   "out IN RRSIG CNAME " + CACHED_SIG.format(o="c1.example.") + "\n",
    "c2.example.": "t IN A 192.0.2.1\n"
                   "t IN RRSIG A " + CACHED_SIG.format(o="c2.example.") + "\n",
}


def test_do_chain_after_target_cached_without_do(processes, tmp_path):
    """A chain's target cached for a client without DO has no RRSIGs: a DO client's
    chase must still fetch it (with DO), not stop at the CNAME (as Unbound)."""
    ups = {}
    try:
        for origin, text in CACHED_ZONES.items():
            zones = [(origin, CACHED_SOA.format(o=origin) + text)]
            ups[origin] = CountingUpstream(zones)
            ups[origin].table = SigningTable(zones)
        fz = [(o, [u.addr]) for o, u in ups.items()]
        answers = {}
        for kind in ("unbound", "owndns"):
            (tmp_path / kind).mkdir()
            res = start_resolver(kind, processes, tmp_path / kind, forward_zone=fz,
                                 forward=[ups["c2.example."].addr])
            exchange(res.port, "t.c2.example.")
            r = exchange(res.port, "out.c1.example.", dnssec=True)
            answers[kind] = sorted((x.name.to_text().lower(), dns.rdatatype.to_text(x.rdtype))
                                   for x in r.answer)
        assert answers["owndns"] == [("out.c1.example.", "CNAME"), ("out.c1.example.", "RRSIG"),
                                     ("t.c2.example.", "A"), ("t.c2.example.", "RRSIG")], answers
        assert answers["owndns"] == answers["unbound"], answers
    finally:
        for u in ups.values():
            u.stop()
