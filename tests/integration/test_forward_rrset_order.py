"""rrset-order= (issue 5: "random/rotated order of RRs in an RRset only if configured"):
with the default, fixed, answers from the cache give an RRset's records in the order the
upstream sent them, every time; with rotate, each answer from the cache starts the RRset
at another record (the query ID picks it, as Unbound's rrset-roundrobin does), the order
wrapping round, so the set is always the same and only the rotation changes.

The upstream is counting_upstream.CountingUpstream (dnspython) serving an RRset of eight
addresses; the set is checked against what it serves.
"""
import dns.message
import dns.query
import dns.rdatatype
import pytest

from counting_upstream import CountingUpstream, start_resolver

ADDRESSES = ["192.0.2.%d" % i for i in range(11, 19)]
ZONE = ("$TTL 300\n@ IN SOA ns.r.example. host.r.example. 1 3600 600 86400 60\n"
        "@ IN NS ns.r.example.\nns IN A 127.0.0.1\n" +
        "".join("many IN A %s\n" % a for a in ADDRESSES))
HITS = 40


@pytest.fixture
def upstream():
    u = CountingUpstream([("r.example.", ZONE)])
    yield u
    u.stop()
    assert not u.errors, u.errors


def orders(port, n):
    out = []
    for _ in range(n):
        q = dns.message.make_query("many.r.example.", "A", use_edns=0, payload=1232)
        r = dns.query.udp(q, "127.0.0.1", port=port, timeout=3.0)
        out.append(tuple(rd.address for s in r.answer if s.rdtype == dns.rdatatype.A
                         for rd in s))
    return out


def rotations(order):
    return {order[i:] + order[:i] for i in range(len(order))}


@pytest.mark.parametrize("setting", [None, "fixed"])
def test_fixed_order(processes, tmp_path, upstream, setting):
    extra = ["rrset-order=%s" % setting] if setting else []
    res = start_resolver("owndns", processes, tmp_path, forward=[upstream.addr], extra=extra)
    miss = orders(res.port, 1)[0]
    assert sorted(miss) == sorted(ADDRESSES)
    hits = orders(res.port, HITS)
    assert upstream.count("many.r.example.") == 1  # the hits came from the cache
    assert set(hits) == {miss}


def test_rotate_order(processes, tmp_path, upstream):
    res = start_resolver("owndns", processes, tmp_path, forward=[upstream.addr],
                         extra=["rrset-order=rotate"])
    miss = orders(res.port, 1)[0]
    assert sorted(miss) == sorted(ADDRESSES)
    hits = orders(res.port, HITS)
    assert upstream.count("many.r.example.") == 1
    assert all(sorted(h) == sorted(ADDRESSES) for h in hits)
    # Random IDs: 40 answers over 8 rotations all on one is a chance of 8^-39.
    assert len(set(hits)) > 1
    assert set(hits) <= rotations(miss)


def test_bad_order_is_refused(processes):
    from conftest import find_owndns
    proc = processes.start([find_owndns(), "serve", "listen=127.0.0.1@0",
                            "rrset-order=random"])
    _, err = proc.communicate(timeout=10)
    assert proc.returncode != 0
    assert b"rrset-order" in err
