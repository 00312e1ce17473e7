"""Chasing a CNAME chain that an upstream leaves incomplete (issue 5): a CNAME that leaves
a forward zone is asked of the target that covers its name, and so on along the chain.
The answer is put together from the upstreams' responses themselves, so it is whole
even when nothing can be cached (TTL 0 everywhere); a chain that loops back to a name
already asked is a failure (SERVFAIL); and the whole chase fits in one deadline counted
from the client's question (UPSTREAM_DEADLINE_MS, 5 s), not one deadline per step.

Upstreams are counting_upstream.CountingUpstream (dnspython), one per zone, each the
forward-zone of its domain.  Every answer is compared with Unbound configured the same
way (forward-zone per domain), except the deadline, which is owndns's own rule.
"""
import time

import dns.message
import dns.query
import dns.rcode
import pytest

from counting_upstream import CountingUpstream, rr_lines, start_resolver, unbound_and_owndns

SOA = ("$TTL 0\n@ IN SOA ns.{o} host.{o} 1 3600 600 86400 0\n@ IN NS ns.{o}\n"
       "ns IN A 127.0.0.1\n")

# Everything TTL 0: nothing enters either resolver's cache.
ZONES = {
    "a.example.": "zero IN CNAME zero.b.example.\ntwo IN CNAME two.b.example.\n"
                  "loop IN CNAME loop.b.example.\n",
    "b.example.": "zero IN A 192.0.2.1\ntwo IN CNAME two.c.example.\n"
                  "loop IN CNAME loop.a.example.\n",
    "c.example.": "two IN A 192.0.2.2\n",
}

# The deadline: a chain through SLOW_STEPS zones, each upstream SLOW_DELAY s late.
SLOW_STEPS = 6
SLOW_DELAY = 1.2
CHASE_DEADLINE = 5.0


def zone(origin, body):
    return origin, SOA.format(o=origin) + body


def exchange(port, qname, rdtype="A", timeout=4.0):
    q = dns.message.make_query(qname, rdtype, use_edns=0, payload=1232)
    return dns.query.udp(q, "127.0.0.1", port=port, timeout=timeout)


@pytest.fixture(scope="module")
def chain_servers(tmp_path_factory):
    """{"owndns": port, "unbound": port, "ups": {origin: upstream}}."""
    ups = {origin: CountingUpstream([zone(origin, body)]) for origin, body in ZONES.items()}
    with unbound_and_owndns(tmp_path_factory, ups,
                            forward_zone=[(o, [u.addr]) for o, u in ups.items()]) as ports:
        yield ports


def same_as_unbound(servers, qname):
    ours = exchange(servers["owndns"], qname)
    theirs = exchange(servers["unbound"], qname)
    assert ours.rcode() == theirs.rcode(), "owndns:\n%s\nunbound:\n%s" % (ours, theirs)
    assert rr_lines(ours.answer) == rr_lines(theirs.answer), \
        "owndns:\n%s\nunbound:\n%s" % (ours, theirs)
    return ours


def test_chase_without_cache(chain_servers):
    """One step out of a.example into b.example, TTL 0: the chased answer comes from
    the two responses, not from the cache."""
    for _ in range(2):
        r = same_as_unbound(chain_servers, "zero.a.example.")
        assert rr_lines(r.answer, ttl=False) == ["zero.a.example. CNAME zero.b.example.",
                                                 "zero.b.example. A 192.0.2.1"]


def test_chase_over_three_zones(chain_servers):
    r = same_as_unbound(chain_servers, "two.a.example.")
    assert rr_lines(r.answer, ttl=False) == ["two.a.example. CNAME two.b.example.",
                                             "two.b.example. CNAME two.c.example.",
                                             "two.c.example. A 192.0.2.2"]


def test_chase_loop_is_a_failure(chain_servers):
    b = chain_servers["ups"]["b.example."]
    before = b.count("loop.b.example.")
    r = same_as_unbound(chain_servers, "loop.a.example.")
    assert r.rcode() == dns.rcode.SERVFAIL
    # Unbound and owndns each asked once; owndns did not go round the loop.
    assert b.count("loop.b.example.") - before <= 2


@pytest.fixture
def slow_chain(processes, tmp_path):
    """A chain x.s1.example -> x.s2.example -> ... -> x.sN.example A, each zone behind
    its own upstream that answers SLOW_DELAY s late; owndns forwards each zone there."""
    ups = []
    try:
        for i in range(1, SLOW_STEPS + 1):
            origin = "s%d.example." % i
            last = i == SLOW_STEPS
            body = "x IN A 192.0.2.9\n" if last else "x IN CNAME x.s%d.example.\n" % (i + 1)
            u = CountingUpstream([zone(origin, body)])
            u.delay = SLOW_DELAY
            ups.append(u)
        res = start_resolver("owndns", processes, tmp_path,
                             forward_zone=[("s%d.example." % (i + 1), [u.addr])
                                           for i, u in enumerate(ups)])
        yield res, ups
    finally:
        for u in ups:
            u.stop()


def test_chase_fits_one_deadline(slow_chain):
    """SLOW_STEPS * SLOW_DELAY (7.2 s) of upstream time: with one deadline per step the
    answer would come after 7.2 s with the address; with one deadline for the chase it is
    SERVFAIL at 5 s, and the last upstream is never asked."""
    res, ups = slow_chain
    start = time.monotonic()
    r = exchange(res.port, "x.s1.example.", timeout=SLOW_STEPS * SLOW_DELAY + 3)
    elapsed = time.monotonic() - start
    assert r.rcode() == dns.rcode.SERVFAIL, r
    assert elapsed < CHASE_DEADLINE + 0.8, elapsed
    assert ups[-1].count() == 0
    assert ups[0].count("x.s1.example.") == 1
