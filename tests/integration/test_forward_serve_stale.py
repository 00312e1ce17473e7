"""serve-stale (RFC 8767 §5) timing of the forwarding resolver, next to Unbound 1.17 with
serve-expired: yes, serve-expired-client-timeout: 1800, serve-expired-reply-ttl: 30 and
ede-serve-expired: yes, configured the same way (counting_upstream.unbound_conf).

What both do with an upstream that stops answering once the data has expired: the client
gets the expired data after the client response timer (1.8 s), with TTL 30 and EDE 3
(Stale Answer), once, over UDP and TCP, while the resolution goes on; a client whose
question has no stale data waits on.  When the upstream answers again, the fresh data
replaces the stale in the cache.

Where they differ, owndns only:
  - serve-stale-max is judged at the time the client asked; Unbound judges
    serve-expired-ttl when the timer fires, 1.8 s later, and then waits on for its
    resolution (SERVFAIL after some 15 s with a silent upstream).
  - A client with no stale data: owndns answers SERVFAIL when its upstream query gives
    up (about 4.5 s); Unbound later.

Measured with Unbound 1.17.1 here: serve-expired-client-timeout: 1800 gives the stale
answer 1.80 s after the question; its default (0) gives it at once (no timer).
Every wait is bounded; every process is stopped by PID at teardown (conftest).
"""
import selectors
import socket
import struct
import time

import dns.edns
import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from counting_upstream import track_upstream  # noqa: F401 (fixture)
from counting_upstream import (CountingUpstream, ZoneTable, ask, start_resolver,
                               unbound_conf)
from servers import start_unbound

ZONE = "stale.example."
ZONE_TEXT = """$TTL 300
@        3600 IN SOA ns hostmaster 1 3600 600 86400 60
@        3600 IN NS  ns
ns            IN A   192.0.2.1
s        1    IN A   192.0.2.6
"""
# The same zone once the record has changed.
ZONE_TEXT_NEW = ZONE_TEXT.replace("s        1    IN A   192.0.2.6", "s        300  IN A   192.0.2.66")
NAME = "s." + ZONE

CLIENT_TIMER = 1.8
# The stale answer comes with the timer, not with the end of the fetch (about 4.5 s).
STALE_EARLIEST, STALE_LATEST = 1.7, 2.8


def start_target(kind, processes, tmp_path, up, **cfg):
    """owndns or Unbound forwarding everything to `up`, serve-stale on, with EDE."""
    cfg = dict(cfg, forward=[up.addr], serve_stale=True)
    if kind == "owndns":
        return start_resolver("owndns", processes, tmp_path, **cfg).port
    conf = {k.replace("_", "-"): v for k, v in cfg.items()}

    def lines(port, d):
        text = unbound_conf(d, port, conf).split("\n")
        return text[:1] + ["    ede: yes", "    ede-serve-expired: yes"] + text[1:]
    port, _ = start_unbound(processes, tmp_path, lines, "localhost.")
    return port


class Pending:
    """One query sent now over UDP or TCP; wait() reads its response, timed from the
    send."""

    def __init__(self, port, qname, tcp=False, rdtype="A"):
        self.tcp = tcp
        q = dns.message.make_query(qname, rdtype, use_edns=0, payload=1232)
        wire = q.to_wire()
        if tcp:
            self.sock = socket.create_connection(("127.0.0.1", port), timeout=2.0)
            self.sock.sendall(struct.pack("!H", len(wire)) + wire)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.connect(("127.0.0.1", port))
            self.sock.send(wire)
        self.sent = time.monotonic()
        self.buf = b""

    def _read_tcp(self, deadline):
        while True:
            if len(self.buf) >= 2:
                (n,) = struct.unpack("!H", self.buf[:2])
                if len(self.buf) >= 2 + n:
                    msg, self.buf = self.buf[2:2 + n], self.buf[2 + n:]
                    return msg
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                return None
            if not data:
                return None
            self.buf += data

    def wait(self, timeout):
        """(seconds since the send, parsed response) or (None, None) after `timeout`."""
        deadline = time.monotonic() + timeout
        if self.tcp:
            wire = self._read_tcp(deadline)
        else:
            with selectors.DefaultSelector() as sel:
                sel.register(self.sock, selectors.EVENT_READ)
                wire = self.sock.recv(65535) if sel.select(timeout) else None
        if wire is None:
            return None, None
        return time.monotonic() - self.sent, dns.message.from_wire(wire)

    def close(self):
        self.sock.close()


def ede_codes(resp):
    return [o.code for o in resp.options if o.otype == dns.edns.EDE]


def a_rrs(resp):
    return sorted("%s %d %s" % (r.name, r.ttl, rd.address) for r in resp.answer
                  if r.rdtype == dns.rdatatype.A for rd in r)


def prime_then_silence(port, up, expired_for=1.2):
    """Caches NAME (TTL 1), waits until it has expired, then silences the upstream."""
    first = ask(port, NAME)
    assert a_rrs(first) == ["%s 1 192.0.2.6" % NAME], first
    time.sleep(1.0 + expired_for)
    up.mode = "silent"


def assert_stale(elapsed, resp):
    assert resp is not None, "no answer at all"
    assert STALE_EARLIEST <= elapsed <= STALE_LATEST, \
        "stale answer after %.2f s, not with the %.1f s client timer" % (elapsed, CLIENT_TIMER)
    assert resp.rcode() == dns.rcode.NOERROR, resp
    assert a_rrs(resp) == ["%s 30 192.0.2.6" % NAME], "RFC 8767 §4: TTL 30\n%s" % resp
    assert ede_codes(resp) == [3], "RFC 8914 §4.4: EDE 3, Stale Answer\n%s" % resp


@pytest.mark.parametrize("kind", ["owndns", "unbound"])
@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
def test_stale_answer_at_client_timer_once(kind, tcp, processes, tmp_path, track_upstream):
    """Silent upstream, expired data: the stale answer comes with the 1.8 s timer, and
    no second answer follows when the upstream query gives up."""
    up = track_upstream(CountingUpstream([(ZONE, ZONE_TEXT)]))
    port = start_target(kind, processes, tmp_path, up, serve_stale_max=3600)
    prime_then_silence(port, up)
    p = Pending(port, NAME, tcp=tcp)
    try:
        assert_stale(*p.wait(6.0))
        # owndns gives up at about 4.5 s; Unbound goes on longer.  Nothing more comes.
        elapsed, extra = p.wait(5.0 - (time.monotonic() - p.sent))
        assert extra is None, "answered twice:\n%s" % extra
    finally:
        p.close()
    assert up.count(NAME.lower(), "A") >= 2, "the resolution went on upstream"


@pytest.mark.parametrize("kind", ["owndns", "unbound"])
def test_only_clients_with_stale_data_get_the_early_answer(kind, processes, tmp_path,
                                                            track_upstream):
    """Two clients at once on a silent upstream: the one whose question has expired data
    gets it at the timer; the one without waits on (no answer at the timer)."""
    up = track_upstream(CountingUpstream([(ZONE, ZONE_TEXT)]))
    port = start_target(kind, processes, tmp_path, up, serve_stale_max=3600)
    prime_then_silence(port, up)
    cold = Pending(port, "n.stale.example.")
    warm = Pending(port, NAME)
    try:
        assert_stale(*warm.wait(6.0))
        elapsed, resp = cold.wait(STALE_LATEST + 0.5 - (time.monotonic() - cold.sent))
        assert resp is None, "answered without data after %.2f s:\n%s" % (elapsed, resp)
        if kind == "owndns":  # Unbound waits much longer before its SERVFAIL
            elapsed, resp = cold.wait(4.0)
            assert resp is not None and resp.rcode() == dns.rcode.SERVFAIL, resp
            assert elapsed < 5.5, elapsed
    finally:
        cold.close()
        warm.close()


def test_tcp_client_gone_before_the_timer(processes, tmp_path, track_upstream):
    """A TCP client that closes its connection while waiting is dropped; the UDP client
    waiting on the same upstream query still gets its stale answer, and the daemon goes
    on answering after the upstream query has ended."""
    up = track_upstream(CountingUpstream([(ZONE, ZONE_TEXT)]))
    port = start_target("owndns", processes, tmp_path, up, serve_stale_max=3600)
    prime_then_silence(port, up)
    gone = Pending(port, NAME, tcp=True)
    stays = Pending(port, NAME)
    try:
        time.sleep(0.3)
        gone.close()
        assert_stale(*stays.wait(6.0))
    finally:
        stays.close()
    time.sleep(max(0.0, stays.sent + 5.0 - time.monotonic()))  # the fetch has ended
    up.mode = "answer"
    r = ask(port, "ns." + ZONE)
    assert r.rcode() == dns.rcode.NOERROR and a_rrs(r) == ["ns.%s 300 192.0.2.1" % ZONE]


@pytest.mark.parametrize("kind", ["owndns", "unbound"])
def test_fresh_answer_replaces_stale_after_the_timer(kind, processes, tmp_path,
                                                     track_upstream):
    """The upstream is silent at the question and answers again (with a changed record)
    before the resolution gives up: the client got the stale data at the timer, and the
    resolution, gone on without it, puts the fresh data in the cache."""
    up = track_upstream(CountingUpstream([(ZONE, ZONE_TEXT)]))
    port = start_target(kind, processes, tmp_path, up, serve_stale_max=3600)
    prime_then_silence(port, up)
    p = Pending(port, NAME)
    try:
        assert_stale(*p.wait(6.0))
        before = up.count(NAME.lower(), "A")
        up.table = ZoneTable([(ZONE, ZONE_TEXT_NEW)])
        up.mode = "answer"
        # owndns asks again 3 s after the question (third try, 1.5 s each); Unbound
        # retries sooner.
        up.wait_count(before + 1, timeout=4.0, name=NAME.lower(), rdtype="A")
        elapsed, extra = p.wait(0.5)
        assert extra is None, "answered twice:\n%s" % extra
    finally:
        p.close()
    count = up.count(NAME.lower(), "A")
    deadline = time.monotonic() + 3.0
    while True:
        r = ask(port, NAME)
        if a_rrs(r) and "192.0.2.66" in a_rrs(r)[0] or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert r.rcode() == dns.rcode.NOERROR
    rrs = a_rrs(r)
    assert len(rrs) == 1 and rrs[0].endswith(" 192.0.2.66"), r
    assert 290 <= int(rrs[0].split()[1]) <= 300, r
    assert ede_codes(r) == [], r
    assert up.count(NAME.lower(), "A") == count, "answered from the cache"


def test_stale_window_judged_when_the_client_asked(processes, tmp_path, track_upstream):
    """serve-stale-max=5, data 5.2-6 s past expiry when the answer is due (inside the
    window when the client asked, outside it 1.8 s later): the client gets the stale
    data.  (Unbound judges serve-expired-ttl when its timer fires, so it does not.)"""
    up = track_upstream(CountingUpstream([(ZONE, ZONE_TEXT)]))
    port = start_target("owndns", processes, tmp_path, up, serve_stale_max=5)
    before = time.monotonic()
    assert a_rrs(ask(port, NAME)) == ["%s 1 192.0.2.6" % NAME]
    stored = time.monotonic()
    assert stored - before < 0.2, "machine too slow for this test"
    # The cache counts whole seconds: asked 5.2-6 s after the store, the data has been
    # expired at most 5 s then, and at least 6 s when the timer fires 1.8 s later.
    time.sleep(max(0.0, before + 5.6 - time.monotonic()))
    up.mode = "silent"
    p = Pending(port, NAME)
    try:
        assert 5.2 <= p.sent - before and p.sent - stored <= 6.0, "machine too slow"
        assert_stale(*p.wait(6.0))
    finally:
        p.close()
