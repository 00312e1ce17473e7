"""How long the forwarding resolver waits for an upstream before it asks again or asks
the next one.

Each upstream's first try waits about SRTT + 4 RTTVAR (400 ms while not measured yet;
1.5 s when it is the only upstream, as there is no other to move on to) and every
further try to it twice as long, as Unbound's RTO does; the last try waits until the
5 s deadline.  Every try has an ID of its own and only the one sent last may answer, so
a slow upstream must get a try longer than its delay.

  - failover: the first upstream is a UDP socket that is bound and never read, the
    second a CountingUpstream.  The first question is answered within 0.8 s (a fixed
    1.5 s per try made it 1.5 s), the next ones at once by the live upstream.  Unbound,
    forwarding to the same pair, is timed too (its unknown-server RTO is 376 ms, but it
    picks among unmeasured upstreams at random).
  - slow upstream: the only upstream answers every query after 1.0 s or after 2.5 s
    (1.5 s tries, with the second one 3 s long, answer the latter); two upstreams that
    both answer after 1.0 s are answered by their third tries (400, 800, 1500 ms).  The
    questions are answered, not SERVFAIL, with at most 3 queries to an upstream for one
    question, and once the RTTs are known the next question needs one query (two for
    the 2.5 s upstream: 1.5 s, then 3 s).  Unbound is timed on the same upstreams.

Timings are printed (pytest -s shows them).  Every wait is bounded; processes are
stopped by PID (conftest).
"""
import socket
import time

import dns.rcode
import pytest

from counting_upstream import CountingUpstream, ask, start_resolver

ZONE = ("$TTL 300\n@ IN SOA ns host 1 3600 600 86400 60\n@ IN NS ns\n"
        "ns IN A 127.0.0.1\n" +
        "".join("n%d IN A 192.0.2.%d\n" % (i, i + 1) for i in range(8)))
ORIGIN = "fo.example."
DEADLINE = 5.0
CLIENT_TIMEOUT = 7.0
# Unbound has no 5 s deadline: it retries a slow upstream until a try is answered
# (first question, 2.5 s upstream: seven queries, about 7.8 s).
UNBOUND_CLIENT_TIMEOUT = 15.0


def name(i):
    return "n%d.%s" % (i, ORIGIN)


def timed_ask(port, qname, timeout=CLIENT_TIMEOUT):
    start = time.monotonic()
    r = ask(port, qname, timeout=timeout)
    return r, time.monotonic() - start


def assert_answered(r, i):
    assert r.rcode() == dns.rcode.NOERROR, dns.rcode.to_text(r.rcode())
    assert [rd.address for rrset in r.answer for rd in rrset] == ["192.0.2.%d" % (i + 1)]


@pytest.fixture
def silent_upstream():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    yield "127.0.0.1@%d" % s.getsockname()[1]
    s.close()


@pytest.fixture
def live_upstream():
    u = CountingUpstream([(ORIGIN, ZONE)], host="127.0.0.2")
    yield u
    u.stop()
    assert not u.errors, u.errors


@pytest.mark.parametrize("kind", ["owndns", "unbound"])
def test_failover_to_second_upstream(kind, processes, tmp_path, silent_upstream,
                                     live_upstream):
    res = start_resolver(kind, processes, tmp_path,
                         forward=[silent_upstream, live_upstream.addr])
    r, first = timed_ask(res.port, name(0))
    assert_answered(r, 0)
    later = []
    for i in range(1, 6):
        r, took = timed_ask(res.port, name(i))
        assert_answered(r, i)
        later.append(took)
    print("\n%s: first question %.3f s, later ones %s s" %
          (kind, first, ", ".join("%.3f" % t for t in later)))
    if kind == "owndns":
        assert first < 0.8, "the first answer took %.3f s" % first
        # The silent upstream is known to fail: the live one is asked first.
        assert max(later) < 0.3, later
    else:
        # Unbound picks at random among upstreams within 400 ms of the best RTO, an
        # unmeasured one (376 ms) included: the silent one may be tried once or twice
        # (376 + 752 ms), for the first question or a later one.  Only timed.
        assert first + sum(later) < DEADLINE
    for i in range(6):
        assert live_upstream.count(name(i)) == 1


@pytest.fixture
def second_live_upstream():
    u = CountingUpstream([(ORIGIN, ZONE)], host="127.0.0.3")
    yield u
    u.stop()
    assert not u.errors, u.errors


@pytest.mark.parametrize("kind", ["owndns", "unbound"])
@pytest.mark.parametrize("delay,count", [(1.0, 1), (2.5, 1), (1.0, 2)],
                         ids=["1.0s", "2.5s", "two-1.0s"])
def test_slow_upstream_is_answered(kind, processes, tmp_path, live_upstream,
                                   second_live_upstream, delay, count):
    ups = [live_upstream, second_live_upstream][:count]
    for u in ups:
        u.delay = delay
    res = start_resolver(kind, processes, tmp_path, forward=[u.addr for u in ups])
    timeout = CLIENT_TIMEOUT if kind == "owndns" else UNBOUND_CLIENT_TIMEOUT
    r, first = timed_ask(res.port, name(0), timeout)
    first_queries = [u.count(name(0)) for u in ups]
    assert_answered(r, 0)
    # The RTT is known now: the next question waits long enough at once.
    r, second = timed_ask(res.port, name(1), timeout)
    second_queries = [u.count(name(1)) for u in ups]
    assert_answered(r, 1)
    print("\n%s, %d upstream(s), delay %.1f s: answered after %.3f s (queries upstream "
          "%s), then after %.3f s (%s)" % (kind, count, delay, first, first_queries,
                                           second, second_queries))
    if kind == "owndns":
        assert first < DEADLINE and second < DEADLINE
        assert max(first_queries) <= 3
        if count == 1 and delay < 1.5:
            # A single upstream is not retried before its 1.5 s try is over.
            assert first_queries == [1]
        # An upstream that answered only after its try timed out is asked after the
        # other one (and with a longer try) from then on.
        assert sum(second_queries) <= (2 if delay > 1.5 else 1)
