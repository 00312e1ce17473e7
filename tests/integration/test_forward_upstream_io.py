"""Upstream sockets of the forwarding resolver under a descriptor limit.

owndns runs with RLIMIT_NOFILE 96 (soft and hard) and forwards to an upstream that
never answers (a UDP socket of the test that nobody reads).  A burst of distinct names
would need one socket each; the sockets must stop below the limit, so that the daemon
keeps answering local names over UDP and TCP (a TCP client needs a descriptor), the
questions beyond the bound get SERVFAIL at once instead of waiting, and the daemon does
not exit.  Every wait is bounded; processes are stopped by PID (conftest).
"""
import resource
import selectors
import socket
import time

import dns.message
import dns.rcode
import dns.rdatatype

from counting_upstream import ask, free_port, owndns_command, wait_answering

FD_LIMIT = 96
BURST = 600


def low_fd_limit():
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))


def silent_upstream():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    return s


def send_burst(port, count):
    """Sends `count` distinct questions at once; returns the socket and their IDs."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind(("127.0.0.1", 0))
    for i in range(count):
        q = dns.message.make_query("n%d.flood.example." % i, dns.rdatatype.A)
        q.id = i
        s.sendto(q.to_wire(), ("127.0.0.1", port))
    return s


def collect(s, seconds):
    """The rcodes of the responses that arrive within `seconds`, by ID."""
    got = {}
    sel = selectors.DefaultSelector()
    sel.register(s, selectors.EVENT_READ)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not sel.select(timeout=max(0.0, end - time.monotonic())):
            continue
        wire, _ = s.recvfrom(65535)
        r = dns.message.from_wire(wire)
        got[r.id] = r.rcode()
    sel.close()
    return got


def test_flood_to_silent_upstream_keeps_serving(processes):
    up = silent_upstream()
    try:
        port = free_port()
        cmd = owndns_command(port, {"forward": ["127.0.0.1@%d" % up.getsockname()[1]]})
        proc = processes.start(cmd + ["threads=1"], preexec_fn=low_fd_limit)
        wait_answering(port, proc, "localhost.", rdtype="A")

        burst = send_burst(port, BURST)
        try:
            got = collect(burst, 1.0)
            # Local names still answer, over UDP and over TCP, while the upstream
            # queries that did get a socket wait for their time-out.
            for tcp in (False, True):
                r = ask(port, "localhost.", "A", timeout=2.0, tcp=tcp)
                assert r.rcode() == dns.rcode.NOERROR
                assert [rd.address for rrset in r.answer for rd in rrset] == ["127.0.0.1"]
        finally:
            burst.close()
        assert proc.poll() is None, "owndns exited"
        # Most of the burst found no socket: SERVFAIL within a second, not after the
        # upstream time-outs.
        servfail = sum(1 for rc in got.values() if rc == dns.rcode.SERVFAIL)
        assert servfail >= BURST - FD_LIMIT, (servfail, len(got))
    finally:
        up.close()
