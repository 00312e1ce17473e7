"""`owndns serve threads=N` (issue 6): several workers, each with its own loop and its
own SO_REUSEPORT sockets, sharing the zones, the cache and the upstreams.

Clients use many source ports, so the kernel's SO_REUSEPORT hash spreads them over the
workers; every one must be answered, over UDP and TCP.  A zone reload under a
continuous query loop must never give an error or a mix, and must reach every worker.
Forwarding with two workers shares one cache: a name asked through many sockets goes
upstream once (counting_upstream.CountingUpstream counts).  Every server is stopped with
SIGTERM and must exit 0 (under ASan: with no leak).
"""
import os
import signal
import socket
import subprocess
import threading
import time

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from counting_upstream import CountingUpstream, free_port, wait_answering
from test_forward_cache import default_zones

ZONE = """$ORIGIN example.com.
$TTL 300
@    IN SOA ns1 hostmaster {serial} 3600 900 604800 300
@    IN NS  ns1
ns1  IN A   192.0.2.53
www  IN A   {www}
"""
CLIENTS = 64


def write_zone(path, serial, www):
    tmp = str(path) + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(ZONE.format(serial=serial, www=www))
    os.replace(tmp, path)


def a_of(resp):
    return sorted(r.address for rrset in resp.answer if rrset.rdtype == dns.rdatatype.A
                  for r in rrset)


def udp_socket_count(pid, port):
    """UDP sockets of process pid bound to `port` (from /proc: inode -> fd)."""
    inodes = set()
    with open("/proc/net/udp", encoding="ascii") as f:
        next(f)
        for line in f:
            fields = line.split()
            if int(fields[1].split(":")[1], 16) == port:
                inodes.add(fields[9])
    count = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            count += 1
    return count


def thread_count(pid):
    return len(os.listdir("/proc/%d/task" % pid))


@pytest.fixture
def serve(owndns_bin, processes):
    """serve(*keys) -> (proc, port); SIGTERM at teardown must give exit status 0."""
    started = []

    def start(*keys, ready_name="www.example.com."):
        port = free_port()
        cmd = [owndns_bin, "serve", "listen=127.0.0.1@%d" % port] + list(keys)
        proc = processes.start(cmd)
        started.append(proc)
        wait_answering(port, proc, ready_name, rdtype="A")
        return proc, port

    yield start
    for proc in started:
        if proc.poll() is None:
            status = processes.stop(proc, timeout=10)
            err = proc.stderr.read().decode(errors="replace")
            assert status == 0, "exit status %s after SIGTERM:\n%s" % (status, err)


@pytest.fixture
def zone(tmp_path):
    path = tmp_path / "example.com.zone"
    write_zone(path, 1, "192.0.2.1")
    return path


def ask_from_many_sockets(port, tcp, name="www.example.com.", count=CLIENTS):
    answers = []
    for i in range(count):
        q = dns.message.make_query(name, "A")
        if tcp:
            r = dns.query.tcp(q, "127.0.0.1", port=port, timeout=3)
        else:
            # A fresh socket (and source port) per query.
            r = dns.query.udp(q, "127.0.0.1", port=port, timeout=3)
        assert r.id == q.id
        assert r.rcode() == dns.rcode.NOERROR
        answers.append(a_of(r))
    return answers


@pytest.mark.parametrize("threads", [2, 4])
def test_workers_answer_udp_and_tcp(serve, zone, threads):
    proc, port = serve("zone=example.com:%s" % zone, "recursion=no", "threads=%d" % threads)
    # Every worker has its own socket on the port, and its own thread.
    assert udp_socket_count(proc.pid, port) == threads
    assert thread_count(proc.pid) >= threads + 1
    for tcp in (False, True):
        assert ask_from_many_sockets(port, tcp) == [["192.0.2.1"]] * CLIENTS


def test_concurrent_clients(serve, zone):
    """Clients in parallel threads, each with its own socket, all answered."""
    _, port = serve("zone=example.com:%s" % zone, "recursion=no", "threads=4")
    errors = []

    def client():
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(3)
            for _ in range(50):
                q = dns.message.make_query("www.example.com.", "A")
                s.sendto(q.to_wire(), ("127.0.0.1", port))
                r = dns.message.from_wire(s.recvfrom(65535)[0])
                if r.id != q.id or a_of(r) != ["192.0.2.1"]:
                    errors.append(r.to_text())
            s.close()
        except Exception as e:  # collected: asserts in threads would be lost
            errors.append(repr(e))

    threads = [threading.Thread(target=client) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors


def test_port_in_use_is_an_error_with_threads(owndns_bin, zone):
    """SO_REUSEPORT must not let a second server share the port silently."""
    blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    blocker.bind(("127.0.0.1", 0))
    port = blocker.getsockname()[1]
    try:
        out = subprocess.run([owndns_bin, "serve", "listen=127.0.0.1@%d" % port,
                              "zone=example.com:%s" % zone, "recursion=no", "threads=2"],
                             capture_output=True, text=True, timeout=20, check=False)
    finally:
        blocker.close()
    assert out.returncode == 1
    assert "cannot listen on 127.0.0.1@%d" % port in out.stderr
    assert "in use" in out.stderr


def test_reload_under_load(serve, zone):
    proc, port = serve("zone=example.com:%s" % zone, "recursion=no", "threads=2")
    seen = []
    errors = []
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            try:
                r = dns.query.udp(dns.message.make_query("www.example.com.", "A"),
                                  "127.0.0.1", port=port, timeout=2)
                if r.rcode() != dns.rcode.NOERROR:
                    errors.append(r.to_text())
                seen.append(tuple(a_of(r)))
            except Exception as e:
                errors.append(repr(e))

    clients = [threading.Thread(target=loop) for _ in range(4)]
    for t in clients:
        t.start()
    try:
        for serial in range(2, 6):
            time.sleep(0.3)
            www = "192.0.2.%d" % serial
            write_zone(zone, serial, www)
            os.kill(proc.pid, signal.SIGHUP)
            deadline = time.monotonic() + 5
            while (www,) not in seen[-20:] and time.monotonic() < deadline:
                time.sleep(0.02)
            assert (www,) in seen, "reload to %s never seen" % www
    finally:
        stop.set()
        for t in clients:
            t.join(10)
    assert not errors
    allowed = {("192.0.2.%d" % i,) for i in range(1, 6)}
    assert set(seen) <= allowed
    # Every worker has moved on: all sockets, whatever worker they hit, see the last.
    assert ask_from_many_sockets(port, False) == [["192.0.2.5"]] * CLIENTS
    assert ask_from_many_sockets(port, True, count=16) == [["192.0.2.5"]] * 16


def test_forwarding_shares_the_cache(serve):
    upstream = CountingUpstream(default_zones())
    try:
        _, port = serve("forward=%s" % upstream.addr, "threads=2",
                        ready_name="localhost.")
        # Misses: each name once, from a fresh socket each.
        names = ["www.fwd.example.", "long.fwd.example.", "mx.fwd.example."]
        for name in names:
            r = dns.query.udp(dns.message.make_query(name, "A"), "127.0.0.1", port=port,
                              timeout=3)
            assert r.rcode() == dns.rcode.NOERROR
        assert upstream.count("www.fwd.example.", "A") == 1
        # Hits: through many sockets (so through every worker), from the shared cache.
        for tcp in (False, True):
            answers = ask_from_many_sockets(port, tcp, name="www.fwd.example.",
                                            count=32)
            assert answers == [["192.0.2.1"]] * 32
        assert upstream.count("www.fwd.example.", "A") == 1
        r = dns.query.udp(dns.message.make_query("nope.fwd.example.", "A"), "127.0.0.1",
                          port=port, timeout=3)
        assert r.rcode() == dns.rcode.NXDOMAIN
        for _ in range(16):
            r = dns.query.udp(dns.message.make_query("nope.fwd.example.", "A"),
                              "127.0.0.1", port=port, timeout=3)
            assert r.rcode() == dns.rcode.NXDOMAIN
        assert upstream.count("nope.fwd.example.", "A") == 1
        assert not upstream.errors
    finally:
        upstream.stop()
