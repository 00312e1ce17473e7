"""A truncated answer over TCP is the upstream failing (issue 5).

Two upstreams forward the same zone.  The first one (scripted in dnspython) sets TC=1
on every answer, over UDP and over TCP alike: after TCP there is nothing larger to try,
so Unbound counts that as the server failing and asks the next one, and so must owndns
(before, it answered SERVFAIL).  The second one (counting_upstream.CountingUpstream)
answers from the zone.  Every try goes out with an ID of its own (RFC 5452: a retry,
the switch to TCP and the next server each look like a new query), which the two
upstreams' logs show.

The same questions are put to Unbound configured the same way: the answers must agree.
Every wait is bounded; processes are stopped by PID (conftest).
"""

import dns.flags
import dns.message
import dns.rcode
import pytest

from counting_upstream import CountingUpstream, ask, rr_lines, start_resolver

ZONE = ("$TTL 300\n@ IN SOA ns host 1 3600 600 86400 60\n@ IN NS ns\n"
        "ns IN A 127.0.0.1\n" +
        "".join("n%d IN A 192.0.2.%d\n" % (i, i + 1) for i in range(6)))
NAMES = ["n%d.tc.example." % i for i in range(6)]


class TruncatingUpstream(CountingUpstream):
    """Logs every query like CountingUpstream; answers each, over UDP and TCP, with an
    empty TC=1 response."""

    def _respond(self, query, transport):
        resp = dns.message.make_response(query)
        resp.flags |= dns.flags.TC | dns.flags.RA
        return resp


@pytest.fixture(params=["owndns", "unbound"])
def setup(request, processes, tmp_path):
    bad = TruncatingUpstream([("tc.example.", ZONE)], host="127.0.0.1")
    good = CountingUpstream([("tc.example.", ZONE)], host="127.0.0.2")
    try:
        res = start_resolver(request.param, processes, tmp_path,
                             forward=[bad.addr, good.addr])
        yield request.param, res, bad, good
    finally:
        bad.stop()
        good.stop()


def test_truncated_over_tcp_asks_the_next_upstream(setup):
    kind, res, bad, good = setup
    for name in NAMES:
        r = ask(res.port, name, "A", timeout=6.0)
        assert r.rcode() == dns.rcode.NOERROR, (kind, name, dns.rcode.to_text(r.rcode()))
        assert rr_lines(r.answer, ttl=False) == \
            ["%s A 192.0.2.%d" % (name, NAMES.index(name) + 1)]
        assert not r.flags & dns.flags.TC
        # The truncating upstream asked over TCP was followed by the good one.
        if bad.count(name, "A", transport="tcp"):
            assert good.count(name, "A") >= 1, (kind, name)
    assert not bad.errors and not good.errors
    if kind != "owndns":
        return  # Unbound picks its first upstream at random: the path may not be taken
    # owndns asks its upstreams in the configured order while both are untried.
    first = NAMES[0]
    assert bad.count(first, "A", transport="udp") == 1
    assert bad.count(first, "A", transport="tcp") == 1
    tries = bad.queries(first, "A") + good.queries(first, "A")
    ids = [e[4] for e in tries]
    assert len(ids) == 3 and len(set(ids)) == 3, ids
