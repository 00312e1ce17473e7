"""`owndns serve` under traffic that walks its error and teardown paths, meant to run
against a sanitizer build (scripts/test.sh asan-integration), where a leak, a
use-after-free or undefined behaviour turns into a failed exit or a dead server.

Each test starts its own daemon on a free loopback port, drives it with raw sockets
and dnspython, checks it still answers a good question correctly, and at the end
stops it with SIGTERM and requires exit status 0 (LeakSanitizer makes the exit fail
when the shutdown leaves anything allocated).  Upstreams are scripted in Python on
127.0.0.1; nothing leaves the loopback.  The file name keeps it out of the plain
integration stage (pytest collects test_*.py); it passes against any build.
"""
import os
import random
import signal
import socket
import struct
import threading
import time

import dns.exception
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from misbehaving_server import MisbehavingServer
from test_serve_net import Server, free_port, wait_ready, write_zone

# A scripted upstream whose thread died would quietly test less.
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")

STOP_TIMEOUT = 15.0   # seconds a sanitizer build may take to stop and check for leaks

# What a broken upstream can send back; each gets its own forward zone.
UDP_ACTIONS = ["garbage", "garbage_id", "short", "cut", "rdlen_overrun", "tc_garbage",
               "wrong_id", "wrong_name", "wrong_type", "wrong_class", "no_question",
               "qr0", "other_port", "bad_cookie", "servfail", "refused", "nxdomain",
               "formerr", "formerr_noedns", "drop"]
TCP_ACTIONS = ["tcp_partial", "close", "garbage", "garbage_id", "cut", "rdlen_overrun",
               "short", "tc", "drop", "delay=1 good"]


def still_answers(port):
    q = dns.message.make_query("www.example.com.", "A")
    resp = dns.query.udp(q, "127.0.0.1", port=port, timeout=3)
    assert resp.rcode() == dns.rcode.NOERROR
    rrset = resp.find_rrset(resp.answer, q.question[0].name, dns.rdataclass.IN,
                            dns.rdatatype.A)
    assert [r.address for r in rrset] == ["192.0.2.1"]


def stop_cleanly(processes, server):
    """SIGTERM; the daemon must exit 0 (and so pass LeakSanitizer's exit check)."""
    assert server.alive(), server.log()
    status = processes.stop(server.proc, timeout=STOP_TIMEOUT)
    server.reader.join(timeout=5)
    assert status == 0, "exit status %s after SIGTERM; log:\n%s" % (status, server.log())


def launch(owndns_bin, processes, *keys):
    port = free_port()
    cmd = [owndns_bin, "serve", "listen=127.0.0.1@%d" % port, "log-level=warn",
           "builtin-local-zones=no"] + list(keys)
    server = Server(processes.start(cmd), port)
    wait_ready(server)
    return server


def fire_udp(port, wires, wait=0.0):
    """Sends every wire on one socket, then reads what comes back for `wait` seconds."""
    got = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for w in wires:
            s.sendto(w, ("127.0.0.1", port))
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                s.recv(65535)
                got += 1
            except OSError:
                pass
    return got


def tcp_frame(wire):
    return struct.pack("!H", len(wire)) + wire


def query_wire(name, rdtype="A", **kw):
    return dns.message.make_query(name, rdtype, **kw).to_wire()


@pytest.fixture
def zone_file(tmp_path):
    path = tmp_path / "example.com.zone"
    write_zone(path)
    return path


@pytest.fixture
def upstreams():
    started = []

    def start(**kw):
        # The UDP port it draws may be taken for TCP (a client's ephemeral port).
        for _ in range(20):
            try:
                up = MisbehavingServer(**kw)
                break
            except OSError:
                time.sleep(0.01)
        else:
            up = MisbehavingServer(**kw)
        started.append(up)
        return up

    yield start
    for up in started:
        up.stopping.set()
        up.thread.join(timeout=5)
        up._close_sockets()


def test_sigterm_with_queries_in_flight(owndns_bin, processes, zone_file, upstreams):
    """Forwarded queries still waiting for an upstream (UDP and TCP, client gone or
    not) when SIGTERM arrives: everything they hold must be released."""
    silent = upstreams(udp=[["drop"]], tcp=[["drop"]])
    slow_tcp = upstreams(udp=[["tc"]], tcp=[["delay=30 good"]])
    server = launch(owndns_bin, processes, "zone=example.com:%s" % zone_file,
                    "forward=%s@%d" % (silent.host, silent.port),
                    "forward-zone=slow.test:%s@%d" % (slow_tcp.host, slow_tcp.port))
    wires = [query_wire("n%d.silent.test" % i) for i in range(100)]
    wires += [query_wire("n%d.slow.test" % i) for i in range(20)]
    fire_udp(server.port, wires)
    clients = []
    for i in range(10):
        c = socket.create_connection(("127.0.0.1", server.port), timeout=2)
        c.sendall(tcp_frame(query_wire("t%d.silent.test" % i)) +
                  tcp_frame(query_wire("t%d.slow.test" % i)))
        clients.append(c)
    for c in clients[:5]:
        c.close()  # the client leaves while its queries are upstream
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(slow_tcp.log) < 5:
        time.sleep(0.05)
    still_answers(server.port)
    assert silent.log, "no query reached the silent upstream"
    assert any(e.transport == "tcp" for e in slow_tcp.log), "nothing went upstream over TCP"
    try:
        stop_cleanly(processes, server)
    finally:
        for c in clients[5:]:
            c.close()


def test_misbehaving_upstreams(owndns_bin, processes, zone_file, upstreams):
    """One forward zone per kind of broken answer, over UDP and over TCP (after TC);
    many queries each, the same name asked again from the cache."""
    keys = ["zone=example.com:%s" % zone_file]
    zones = []
    ups = []
    for i, action in enumerate(UDP_ACTIONS):
        up = upstreams(udp=[action.split()], tcp=[["good"]])
        ups.append(up)
        zones.append("u%d.test" % i)
        keys.append("forward-zone=%s:%s@%d" % (zones[-1], up.host, up.port))
    for i, action in enumerate(TCP_ACTIONS):
        up = upstreams(udp=[["tc"]], tcp=[action.split()])
        ups.append(up)
        zones.append("t%d.test" % i)
        keys.append("forward-zone=%s:%s@%d" % (zones[-1], up.host, up.port))
    server = launch(owndns_bin, processes, *keys)
    for rnd in range(2):
        wires = []
        for z in zones:
            for i in range(4):
                for rdtype in ("A", "AAAA", "TXT"):
                    wires.append(query_wire("n%d.%s" % (i, z), rdtype, want_dnssec=(i % 2 == 1)))
        fire_udp(server.port, wires, wait=4.0)
        assert server.alive(), server.log()
        still_answers(server.port)
    # The same over TCP from the client side.
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as c:
        c.sendall(b"".join(tcp_frame(query_wire("n0.%s" % z)) for z in zones))
        c.settimeout(3)
        try:
            while c.recv(65535):
                pass
        except OSError:
            pass
    still_answers(server.port)
    unasked = [z for z, up in zip(zones, ups) if not up.log]
    assert not unasked, "no query reached the upstreams of %s" % unasked
    assert all(any(e.transport == "tcp" for e in up.log) for up in ups[len(UDP_ACTIONS):])
    stop_cleanly(processes, server)


def test_tcp_clients_that_misbehave(owndns_bin, processes, zone_file, upstreams):
    """Half frames, zero and huge lengths, pipelining, closing before the answer, and
    more connections than tcp-max-connections."""
    slow = upstreams(udp=[["delay=1 good"]], tcp=[["delay=1 good"]])
    server = launch(owndns_bin, processes, "zone=example.com:%s" % zone_file,
                    "forward=%s@%d" % (slow.host, slow.port), "tcp-max-connections=4",
                    "tcp-idle-timeout=2")
    good = query_wire("www.example.com")
    cases = [
        good[:1],                                        # not even the length
        struct.pack("!H", len(good)),                    # the length only
        tcp_frame(good)[:7],                             # half a query
        struct.pack("!H", 0),                            # an empty message
        struct.pack("!H", 65535) + b"\0" * 100,          # a length never filled
        struct.pack("!H", 5) + b"\1\2\3\4\5",           # shorter than a header
        tcp_frame(good) * 64,                            # pipelined
        tcp_frame(query_wire("gone.slow.test")),         # answer comes after the close
        b"".join(tcp_frame(query_wire("p%d.slow.test" % i)) for i in range(20)),
    ]
    for rnd in range(3):
        conns = []
        for data in cases:
            c = socket.create_connection(("127.0.0.1", server.port), timeout=2)
            try:
                c.sendall(data)
            except OSError:
                pass
            conns.append(c)
        if rnd == 1:
            for c in conns:  # RST instead of FIN
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        for c in conns:
            c.close()
        assert server.alive(), server.log()
        still_answers(server.port)
    # Connections past the limit while answers are still upstream.
    conns = []
    for i in range(12):
        c = socket.create_connection(("127.0.0.1", server.port), timeout=2)
        c.sendall(tcp_frame(query_wire("l%d.slow.test" % i)))
        conns.append(c)
    time.sleep(2.5)
    for c in conns:
        c.close()
    time.sleep(3)  # idle time-outs fire
    still_answers(server.port)
    stop_cleanly(processes, server)


class MangledUpstream:
    """Answers every UDP query with a real-looking answer (CNAME chain, NS, glue, OPT)
    whose octets after the question are randomly flipped, cut or extended: the ID and
    the question stay right, so the daemon parses, scrubs and caches what it can."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.answered = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _answer(self, q):
        r = dns.message.make_response(q)
        qname = q.question[0].name
        parent = qname.parent() if len(qname) > 1 else qname
        target = dns.name.from_text("target", parent)
        ns = dns.name.from_text("ns1", parent)
        r.answer.append(dns.rrset.from_text(qname, 300, "IN", "CNAME", target.to_text()))
        r.answer.append(dns.rrset.from_text(target, 300, "IN", "A", "192.0.2.7", "192.0.2.8"))
        r.answer.append(dns.rrset.from_text(target, 300, "IN", "AAAA", "2001:db8::7"))
        r.authority.append(dns.rrset.from_text(parent, 300, "IN", "NS", ns.to_text()))
        r.additional.append(dns.rrset.from_text(ns, 300, "IN", "A", "192.0.2.53"))
        return r.to_wire(max_size=65535)

    def _mangle(self, wire, keep):
        data = bytearray(wire)
        for _ in range(self.rng.randint(1, 6)):
            choice = self.rng.randrange(4)
            if choice == 0 and len(data) > keep:
                data[self.rng.randrange(keep, len(data))] = self.rng.randrange(256)
            elif choice == 1 and len(data) > keep:
                del data[self.rng.randrange(keep, len(data)):]
            elif choice == 2:
                data += bytes(self.rng.randrange(256) for _ in range(self.rng.randint(1, 16)))
            elif len(data) > 11:  # a count in the header
                pos = 6 + 2 * self.rng.randrange(3)
                data[pos:pos + 2] = struct.pack("!H", self.rng.randrange(8))
        return bytes(data)

    def _loop(self):
        while not self.stopping.is_set():
            try:
                wire, peer = self.sock.recvfrom(65535)
                q = dns.message.from_wire(wire)
            except (OSError, dns.exception.DNSException):
                continue
            if not q.question:
                continue
            keep = 12 + len(q.question[0].name.to_wire()) + 4
            try:
                answer = self._answer(q)
            except dns.exception.DNSException:
                continue
            if self.rng.random() < 0.9:
                answer = self._mangle(answer, keep)
            try:
                self.sock.sendto(answer, peer)
                self.answered += 1
            except OSError:
                pass

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=5)
        self.sock.close()


def test_mangled_upstream_answers(owndns_bin, processes, zone_file):
    """Upstream answers mangled the way a fuzzer would, then the same questions again
    so whatever got cached is read back and rebuilt."""
    up = MangledUpstream(20261126)
    try:
        server = launch(owndns_bin, processes, "zone=example.com:%s" % zone_file,
                        "forward=127.0.0.1@%d" % up.port, "threads=2")
        answered = 0
        for rnd in range(3):
            wires = []
            for i in range(150):
                for rdtype in ("A", "AAAA", "CNAME", "NS", "ANY"):
                    wires.append(query_wire("m%d.mangled.test" % i, rdtype,
                                            want_dnssec=(i % 3 == 0)))
            answered += fire_udp(server.port, wires, wait=3.0)
            assert server.alive(), server.log()
            still_answers(server.port)
        assert up.answered > 100 and answered > 100, (up.answered, answered)
        stop_cleanly(processes, server)
    finally:
        up.stop()


def test_reload_under_traffic(owndns_bin, processes, tmp_path, upstreams):
    """SIGHUP again and again (good and broken zone files) while two workers answer
    from the zone and the forwarder."""
    zone = tmp_path / "example.com.zone"
    write_zone(zone)
    up = upstreams(udp=[["good"]], tcp=[["good"]])
    server = launch(owndns_bin, processes, "zone=example.com:%s" % zone,
                    "forward=%s@%d" % (up.host, up.port), "threads=2")
    stop = threading.Event()
    errors = []

    def traffic():
        i = 0
        while not stop.is_set():
            try:
                fire_udp(server.port, [query_wire("www.example.com"),
                                       query_wire("x%d.fwd.test" % (i % 50)),
                                       query_wire("nope.example.com", "MX")], wait=0.02)
            except OSError as exc:
                errors.append(exc)
            i += 1

    t = threading.Thread(target=traffic, daemon=True)
    t.start()
    try:
        for serial in range(2, 22):
            if serial % 5 == 0:
                zone.write_text("$ORIGIN example.com.\n@ IN SOA broken\n")
            else:
                write_zone(zone, serial=serial,
                           extra="\n".join("h%d IN A 192.0.2.%d" % (j, j % 250 + 1)
                                           for j in range(serial * 10)))
            server.proc.send_signal(signal.SIGHUP)
            time.sleep(0.15)
            assert server.alive(), server.log()
    finally:
        stop.set()
        t.join(timeout=5)
    write_zone(zone, serial=100)
    server.proc.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    still_answers(server.port)
    stop_cleanly(processes, server)


def corpus_queries(rng, copies):
    """The message fuzzer's seeds and mangled copies of them with QR=0 (queries)."""
    corpus = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fuzz",
                          "corpus", "fuzz_message")
    seeds = []
    for name in sorted(os.listdir(corpus)):
        with open(os.path.join(corpus, name), "rb") as f:
            seeds.append(f.read())
    out = []
    for _ in range(copies):
        for seed in seeds:
            data = bytearray(seed)
            for _ in range(rng.randint(1, 4)):
                choice = rng.randrange(3)
                if choice == 0 and data:
                    data[rng.randrange(len(data))] = rng.randrange(256)
                elif choice == 1 and len(data) > 1:
                    del data[rng.randrange(len(data)):]
                else:
                    data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
            if len(data) > 2:
                data[2] &= 0x7f
            out.append(bytes(data))
    return seeds + out


def test_fuzz_corpus_at_a_forwarder(owndns_bin, processes, zone_file, upstreams):
    """Mangled queries that are not for the zone go on to the cache and the forwarder."""
    up = upstreams(udp=[["good"]], tcp=[["good"]])
    server = launch(owndns_bin, processes, "zone=example.com:%s" % zone_file,
                    "forward=%s@%d" % (up.host, up.port))
    wires = corpus_queries(random.Random(20261126), 40)
    for start in range(0, len(wires), 200):
        fire_udp(server.port, wires[start:start + 200], wait=0.3)
        assert server.alive(), server.log()
    for w in wires[:200]:
        with socket.create_connection(("127.0.0.1", server.port), timeout=2) as c:
            try:
                c.sendall(tcp_frame(w))
            except OSError:
                pass
    still_answers(server.port)
    stop_cleanly(processes, server)


def test_sigterm_during_traffic_with_workers(owndns_bin, processes, zone_file, upstreams):
    """Four workers stopped in the middle of UDP and TCP traffic that is answered from
    the zone, the cache and a slow upstream, five times over."""
    up = upstreams(udp=[["delay=0.05 good"]], tcp=[["delay=0.05 good"]])
    for rnd in range(5):
        server = launch(owndns_bin, processes, "zone=example.com:%s" % zone_file,
                        "forward=%s@%d" % (up.host, up.port), "threads=4")
        stop = threading.Event()

        def udp_traffic(seed):
            i = 0
            while not stop.is_set():
                fire_udp(server.port, [query_wire("www.example.com"),
                                       query_wire("w%d-%d.fwd.test" % (seed, i % 40))], wait=0.005)
                i += 1

        def tcp_traffic(seed):
            i = 0
            while not stop.is_set():
                try:
                    with socket.create_connection(("127.0.0.1", server.port), timeout=1) as c:
                        c.sendall(tcp_frame(query_wire("www.example.com")) +
                                  tcp_frame(query_wire("t%d-%d.fwd.test" % (seed, i % 40))))
                        c.settimeout(0.05)
                        c.recv(65535)
                except OSError:
                    pass
                i += 1

        workers = [threading.Thread(target=udp_traffic, args=(k,), daemon=True) for k in range(2)]
        workers += [threading.Thread(target=tcp_traffic, args=(k,), daemon=True) for k in range(2)]
        for w in workers:
            w.start()
        try:
            time.sleep(0.5 + 0.2 * rnd)
            stop_cleanly(processes, server)
        finally:
            stop.set()
            for w in workers:
                w.join(timeout=5)
    assert up.log, "nothing reached the upstream"
