"""`owndns serve` on the network: UDP and TCP, framing, limits, signals, start-up errors.

Every test starts its own server on a free loopback port with its own zone files in a
tmp dir, waits until it answers (bounded), talks to it with dnspython, dig or raw
sockets, and stops it by PID at teardown (conftest.Processes).
"""
import os
import random
import signal
import socket
import struct
import subprocess
import threading
import time

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from conftest import run

READY_TIMEOUT = 10.0
ZONE = """$ORIGIN example.com.
$TTL 300
@    IN SOA ns1 hostmaster {serial} 3600 900 604800 300
@    IN NS  ns1
ns1  IN A   192.0.2.53
www  IN A   {www}
{extra}
"""


def write_zone(path, serial=1, www="192.0.2.1", extra=""):
    with open(path, "w", encoding="ascii") as f:
        f.write(ZONE.format(serial=serial, www=www, extra=extra))


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 (and ::1 when there is one)."""
    for _ in range(50):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            u.close()
            t.close()
        return port
    raise RuntimeError("no free port")


def have_ipv6_loopback():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


class Server:
    """A running `owndns serve`; its stderr is collected by a thread (so a full pipe
    can never block the daemon) into .log_lines."""

    def __init__(self, proc, port):
        self.proc = proc
        self.port = port
        self.log_lines = []
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read_stderr, daemon=True)
        self.reader.start()

    def _read_stderr(self):
        for raw in self.proc.stderr:
            with self.lock:
                self.log_lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def log(self):
        with self.lock:
            return "\n".join(self.log_lines)

    def wait_log(self, text, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return
            time.sleep(0.05)
        raise AssertionError("log never showed %r; log:\n%s" % (text, self.log()))

    def alive(self):
        return self.proc.poll() is None


def query(name="www.example.com.", rdtype="A", **kw):
    return dns.message.make_query(name, rdtype, **kw)


def udp(port, msg, timeout=2.0, host="127.0.0.1"):
    return dns.query.udp(msg, host, port=port, timeout=timeout)


def tcp(port, msg, timeout=2.0, host="127.0.0.1"):
    return dns.query.tcp(msg, host, port=port, timeout=timeout)


def a_records(resp):
    out = []
    for rrset in resp.answer:
        if rrset.rdtype == dns.rdatatype.A:
            out.extend(r.address for r in rrset)
    return sorted(out)


@pytest.fixture
def zone_file(tmp_path):
    path = tmp_path / "example.com.zone"
    write_zone(path)
    return path


@pytest.fixture
def start_server(owndns_bin, processes):
    """start_server(*keys, port=None, ready=True) -> Server listening on 127.0.0.1.
    At teardown every server still running gets SIGTERM and must exit with 0: under
    ASan that also proves the shutdown leaks nothing (LeakSanitizer fails the exit)."""
    servers = []

    def start(*keys, port=None, ready=True, listen=None):
        port = port or free_port()
        listen = listen if listen is not None else ["127.0.0.1@%d" % port]
        cmd = [owndns_bin, "serve"] + ["listen=" + a for a in listen] + list(keys)
        server = Server(processes.start(cmd), port)
        servers.append(server)
        if ready:
            wait_ready(server)
        return server

    yield start
    for server in servers:
        if server.alive():
            status = processes.stop(server.proc, timeout=10)
            server.reader.join(timeout=5)
            assert status == 0, "exit status %s after SIGTERM; log:\n%s" % (
                status, server.log())


def wait_ready(server, host="127.0.0.1"):
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if not server.alive():
            raise AssertionError("server exited with %s; log:\n%s"
                                 % (server.proc.returncode, server.log()))
        try:
            udp(server.port, query(), timeout=0.2, host=host)
            return
        except (dns.exception.Timeout, OSError):
            time.sleep(0.05)
    raise AssertionError("server not answering after %ss; log:\n%s"
                         % (READY_TIMEOUT, server.log()))


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed after %d of %d octets" % (len(data), n))
        data += chunk
    return data


def read_tcp_message(sock):
    (length,) = struct.unpack("!H", recv_exact(sock, 2))
    return dns.message.from_wire(recv_exact(sock, length))


def framed(msg):
    wire = msg.to_wire()
    return struct.pack("!H", len(wire)) + wire


def closed_by_peer(sock, timeout):
    """True when the server closes the connection within `timeout` seconds."""
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def connect(port, host="127.0.0.1"):
    s = socket.create_connection((host, port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


# ---- answering over UDP and TCP ----------------------------------------------------

def test_udp_and_tcp_answer(start_server, zone_file):
    server = start_server("zone=example.com:%s" % zone_file)
    for send in (udp, tcp):
        q = query()
        r = send(server.port, q)
        assert r.id == q.id
        assert r.flags & dns.flags.QR
        assert r.rcode() == dns.rcode.NOERROR
        assert a_records(r) == ["192.0.2.1"]
    assert "listening on 127.0.0.1@%d (udp, tcp)" % server.port in server.log()
    assert "zone example.com: serial 1, loaded from %s" % zone_file in server.log()


def test_dig_udp_and_tcp(start_server, zone_file):
    server = start_server("zone=example.com:%s" % zone_file)
    for transport in ("+notcp", "+tcp"):
        out = run(["dig", "@127.0.0.1", "-p", str(server.port), transport, "+norecurse",
                   "+time=2", "+tries=1", "www.example.com", "A"])
        assert out.returncode == 0, out.stdout + out.stderr
        assert "status: NOERROR" in out.stdout
        assert "www.example.com.\t300\tIN\tA\t192.0.2.1" in out.stdout


@pytest.mark.skipif(not have_ipv6_loopback(), reason="no ::1")
def test_ipv6_listener(start_server, zone_file):
    port = free_port()
    server = start_server("zone=example.com:%s" % zone_file, port=port,
                          listen=["127.0.0.1@%d" % port, "::1@%d" % port])
    assert a_records(udp(port, query(), host="::1")) == ["192.0.2.1"]
    assert a_records(tcp(port, query(), host="::1")) == ["192.0.2.1"]
    assert "listening on ::1@%d (udp, tcp)" % port in server.log()


def test_wildcard_reply_comes_from_queried_address(start_server, zone_file):
    """Bound to 0.0.0.0, a query sent to 127.0.0.2 must be answered from 127.0.0.2: a
    connected UDP socket drops datagrams from any other source."""
    port = free_port()
    server = start_server("zone=example.com:%s" % zone_file, port=port,
                          listen=["0.0.0.0@%d" % port], ready=False)
    wait_ready(server)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("127.0.0.2", port))
        s.settimeout(2)
        q = query()
        s.send(q.to_wire())
        r = dns.message.from_wire(s.recv(65535))
        assert r.id == q.id
    finally:
        s.close()


# ---- TCP framing ------------------------------------------------------------------

def pipelined_queries(n=5):
    return [query("www.example.com.", "A") for _ in range(n)]


def test_tcp_pipelined_in_one_write(start_server, zone_file):
    server = start_server("zone=example.com:%s" % zone_file)
    qs = pipelined_queries()
    with connect(server.port) as s:
        s.sendall(b"".join(framed(q) for q in qs))
        for q in qs:
            r = read_tcp_message(s)
            assert r.id == q.id
            assert a_records(r) == ["192.0.2.1"]


def test_tcp_pipelined_byte_by_byte(start_server, zone_file):
    server = start_server("zone=example.com:%s" % zone_file)
    qs = pipelined_queries(3)
    data = b"".join(framed(q) for q in qs)
    with connect(server.port) as s:
        for i in range(len(data)):
            s.send(data[i:i + 1])
            time.sleep(0.001)
        for q in qs:
            assert read_tcp_message(s).id == q.id


def test_tcp_answers_after_client_half_close(start_server, zone_file):
    server = start_server("zone=example.com:%s" % zone_file)
    qs = pipelined_queries(3)
    with connect(server.port) as s:
        s.sendall(b"".join(framed(q) for q in qs))
        s.shutdown(socket.SHUT_WR)
        for q in qs:
            assert read_tcp_message(s).id == q.id
        assert closed_by_peer(s, 2)


@pytest.mark.parametrize("prefix", [b"\x00\x00", b"\xff\xff", b"\x40\x01"])
def test_tcp_bad_length_closes(start_server, zone_file, prefix):
    """0 and anything over 16384 octets (the longest query accepted) close at once."""
    server = start_server("zone=example.com:%s" % zone_file)
    with connect(server.port) as s:
        q = query()
        s.sendall(framed(q) + prefix)
        assert read_tcp_message(s).id == q.id
        assert closed_by_peer(s, 2)
    assert server.alive()


def test_tcp_idle_timeout(start_server, zone_file):
    server = start_server("zone=example.com:%s" % zone_file, "tcp-idle-timeout=1")
    with connect(server.port) as idle, connect(server.port) as partial:
        started = time.monotonic()
        partial.sendall(framed(query())[:5])  # half a query does not count as activity
        assert closed_by_peer(idle, 4)
        assert closed_by_peer(partial, 1)
        assert 0.8 <= time.monotonic() - started < 4
    # A connection in use is kept as long as queries come.
    with connect(server.port) as busy:
        for _ in range(4):
            q = query()
            busy.sendall(framed(q))
            assert read_tcp_message(busy).id == q.id
            time.sleep(0.5)


def test_tcp_connection_limit_closes_oldest_idle(start_server, zone_file):
    server = start_server("zone=example.com:%s" % zone_file, "tcp-max-connections=2", "threads=1")
    with connect(server.port) as a, connect(server.port) as b:
        q = query()
        b.sendall(framed(q))  # b is now more recent than a
        assert read_tcp_message(b).id == q.id
        with connect(server.port) as c:
            q = query()
            c.sendall(framed(q))
            assert read_tcp_message(c).id == q.id
            assert closed_by_peer(a, 2)
            q = query()
            b.sendall(framed(q))
            assert read_tcp_message(b).id == q.id


def test_tcp_connection_limit_refuses_when_none_idle(start_server, zone_file):
    server = start_server("zone=example.com:%s" % zone_file, "tcp-max-connections=2", "threads=1")
    with connect(server.port) as a, connect(server.port) as b:
        # Both hold half a query: neither is idle, so neither may be closed.
        a.sendall(b"\x00")
        b.sendall(b"\x00")
        time.sleep(0.2)
        with connect(server.port) as c:
            assert closed_by_peer(c, 2)
        a.sendall(framed(query())[1:])
        assert read_tcp_message(a).flags & dns.flags.QR


# ---- garbage ------------------------------------------------------------------------

def no_answer(port, payload, wait=0.3):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.settimeout(wait)
        s.sendto(payload, ("127.0.0.1", port))
        try:
            s.recvfrom(65535)
            return False
        except socket.timeout:
            return True
    finally:
        s.close()


def test_garbage_datagrams(start_server, zone_file):
    server = start_server("zone=example.com:%s" % zone_file)
    good = query().to_wire()
    response = bytearray(good)
    response[2] |= 0x80
    for payload in (b"", b"\x00", good[:11], bytes(response)):
        assert no_answer(server.port, payload), payload.hex()
    rng = random.Random(1035)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for _ in range(300):
            n = rng.choice([rng.randrange(1, 64), rng.randrange(12, 4096)])
            s.sendto(bytes(rng.randrange(256) for _ in range(n)), ("127.0.0.1", server.port))
        big = bytes(rng.randrange(256) for _ in range(65000))
        s.sendto(big, ("127.0.0.1", server.port))
    finally:
        s.close()
    assert a_records(udp(server.port, query())) == ["192.0.2.1"]
    assert server.alive()


def test_garbage_over_tcp(start_server, zone_file):
    server = start_server("zone=example.com:%s" % zone_file)
    rng = random.Random(7766)
    for _ in range(20):
        with connect(server.port) as s:
            try:
                s.sendall(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000))))
            except OSError:
                pass
    assert a_records(tcp(server.port, query())) == ["192.0.2.1"]
    assert server.alive()


def test_udp_response_size_cap(start_server, tmp_path):
    """udp-max-size caps UDP answers even when the client offers more; TCP has it all."""
    zone = tmp_path / "big.zone"
    extra = "\n".join('big IN TXT "%03d %s"' % (i, "x" * 100) for i in range(30))
    write_zone(zone, extra=extra)
    server = start_server("zone=example.com:%s" % zone, "udp-max-size=1232")
    q = query("big.example.com.", "TXT", use_edns=0, payload=4096)
    r = dns.query.udp(q, "127.0.0.1", port=server.port, timeout=2, ignore_trailing=True)
    assert len(r.to_wire()) <= 1232
    assert r.flags & dns.flags.TC
    r = tcp(server.port, query("big.example.com.", "TXT", use_edns=0, payload=4096))
    assert sum(len(rrset) for rrset in r.answer) == 30


# ---- signals ------------------------------------------------------------------------

def wait_for_answer(port, expected, timeout=5.0):
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        got = a_records(udp(port, query()))
        if got == expected:
            return
        time.sleep(0.05)
    raise AssertionError("www.example.com A is %s, expected %s" % (got, expected))


def test_sighup_reload(start_server, zone_file, tmp_path):
    other = tmp_path / "other.zone"
    with open(other, "w", encoding="ascii") as f:
        f.write("$TTL 60\n@ IN SOA ns hm 7 1 1 1 1\n@ IN NS ns\nns IN A 192.0.2.9\n")
    server = start_server("zone=example.com:%s" % zone_file, "zone=other.test.:%s" % other)
    assert a_records(udp(server.port, query())) == ["192.0.2.1"]

    write_zone(zone_file, serial=2, www="192.0.2.2")
    os.kill(server.proc.pid, signal.SIGHUP)
    wait_for_answer(server.port, ["192.0.2.2"])
    server.wait_log("zone example.com: serial 2, loaded from %s" % zone_file)

    # A broken file: its problems are logged and the previous version stays served,
    # while the other zone is reloaded as usual.
    with open(zone_file, "w", encoding="ascii") as f:
        f.write("$ORIGIN example.com.\n@ IN SOA ns1 hostmaster 3 1 1 1 1\n"
                "www IN A not-an-address\n")
    os.kill(server.proc.pid, signal.SIGHUP)
    server.wait_log("still serving the previous version")
    assert "%s:3:" % zone_file in server.log()
    assert a_records(udp(server.port, query())) == ["192.0.2.2"]
    r = udp(server.port, query("ns.other.test.", "A"))
    assert a_records(r) == ["192.0.2.9"]
    assert server.log().count("zone other.test.: serial 7") == 3
    assert server.alive()


def test_sigterm_exits_cleanly(start_server, zone_file, tmp_path):
    pid_file = tmp_path / "owndns.pid"
    server = start_server("zone=example.com:%s" % zone_file, "pid-file=%s" % pid_file)
    with open(pid_file, encoding="ascii") as f:
        assert int(f.read().strip()) == server.proc.pid
    with connect(server.port) as s:  # an open connection must not hold up shutdown
        os.kill(server.proc.pid, signal.SIGTERM)
        assert server.proc.wait(timeout=5) == 0
        assert closed_by_peer(s, 2)
    server.reader.join(timeout=5)
    assert "shutting down (SIGTERM)" in server.log()
    assert not pid_file.exists()


def test_failed_second_daemon_keeps_the_pid_file(owndns_bin, start_server, zone_file,
                                                  tmp_path):
    """A second daemon with the same listen= and pid-file= cannot bind: it must leave
    the running daemon's pid file alone."""
    pid_file = tmp_path / "owndns.pid"
    server = start_server("zone=example.com:%s" % zone_file, "pid-file=%s" % pid_file)
    out = run_serve(owndns_bin, "listen=127.0.0.1@%d" % server.port,
                    "zone=example.com:%s" % zone_file, "pid-file=%s" % pid_file)
    assert out.returncode == 1, out.stderr
    assert "in use" in out.stderr, out.stderr
    with open(pid_file, encoding="ascii") as f:
        assert int(f.read().strip()) == server.proc.pid


def test_sigint_then_sigterm_exits_cleanly(start_server, zone_file):
    """A second signal during shutdown must not kill the daemon half-way."""
    server = start_server("zone=example.com:%s" % zone_file)
    os.kill(server.proc.pid, signal.SIGINT)
    os.kill(server.proc.pid, signal.SIGTERM)
    assert server.proc.wait(timeout=5) == 0


# ---- start-up errors ----------------------------------------------------------------

def run_serve(owndns_bin, *keys, timeout=10):
    return subprocess.run([owndns_bin, "serve"] + list(keys), capture_output=True,
                          text=True, timeout=timeout, check=False)


@pytest.mark.parametrize("kind", [socket.SOCK_STREAM, socket.SOCK_DGRAM])
def test_port_in_use(owndns_bin, zone_file, kind):
    port = free_port()
    blocker = socket.socket(socket.AF_INET, kind)
    try:
        blocker.bind(("127.0.0.1", port))
        if kind == socket.SOCK_STREAM:
            blocker.listen(1)
        out = run_serve(owndns_bin, "listen=127.0.0.1@%d" % port,
                        "zone=example.com:%s" % zone_file)
    finally:
        blocker.close()
    assert out.returncode == 1
    assert "cannot listen on 127.0.0.1@%d" % port in out.stderr
    assert "in use" in out.stderr


def test_broken_zone_at_start(owndns_bin, tmp_path):
    zone = tmp_path / "broken.zone"
    with open(zone, "w", encoding="ascii") as f:
        f.write("$ORIGIN example.com.\n@ IN SOA ns1 hm 1 1 1 1 1\n@ IN NS ns1\n"
                "www IN A 300.1.1.1\n")
    out = run_serve(owndns_bin, "listen=127.0.0.1@%d" % free_port(),
                    "zone=example.com:%s" % zone)
    assert out.returncode == 1
    assert "%s:4:" % zone in out.stderr
    assert "listening" not in out.stderr


def test_missing_zone_file(owndns_bin, tmp_path):
    out = run_serve(owndns_bin, "listen=127.0.0.1@%d" % free_port(),
                    "zone=example.com:%s" % (tmp_path / "nope.zone"))
    assert out.returncode == 1
    assert "cannot open '%s'" % (tmp_path / "nope.zone") in out.stderr
    # The reason once, without the apex checks of a zone that was never read.
    assert "apex" not in out.stderr and "malformed" not in out.stderr, out.stderr


@pytest.mark.parametrize("arg,words", [
    ("zone=/no/origin", ["zone", "/no/origin", "ORIGIN:PATH"]),
    ("zone=a..b:/x", ["zone", "a..b:/x"]),
    ("threads=65", ["threads", "65"]),
    ("recursion=maybe", ["recursion", "maybe"]),
    ("tcp-idle-timeout=0", ["tcp-idle-timeout", "0"]),
    ("udp-max-size=100", ["udp-max-size", "100"]),
    ("log-level=loud", ["log-level", "loud"]),
    ("listen=127.0.0.1@99999", ["listen"]),
])
def test_bad_values(owndns_bin, arg, words):
    out = run_serve(owndns_bin, arg)
    assert out.returncode == 1
    for w in words:
        assert w in out.stderr
    assert "command line" in out.stderr


def test_bad_value_in_config_file(owndns_bin, tmp_path):
    conf = tmp_path / "owndns.conf"
    with open(conf, "w", encoding="ascii") as f:
        f.write("# test\nlisten=127.0.0.1@%d\ntcp-max-connections=none\n" % free_port())
    out = run_serve(owndns_bin, "config=%s" % conf)
    assert out.returncode == 1
    assert "%s:3" % conf in out.stderr
    assert "tcp-max-connections" in out.stderr
