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


def burst_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind(("127.0.0.1", 0))
    return s


def drain(s, got, seconds):
    """Adds the rcodes of the responses that arrive within `seconds` to `got`, by ID."""
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


def send_burst(s, port, count, got):
    """Sends `count` distinct questions within a fraction of a second.  They go in
    batches, reading the answers between them, so that neither the daemon's nor this
    socket's receive buffer overflows on a slow machine; the whole burst still takes
    far less than one upstream time-out, so no socket is freed meanwhile."""
    batch = 50
    for first in range(0, count, batch):
        for i in range(first, min(count, first + batch)):
            q = dns.message.make_query("n%d.flood.example." % i, dns.rdatatype.A)
            q.id = i
            s.sendto(q.to_wire(), ("127.0.0.1", port))
        drain(s, got, 0.02)


def test_flood_to_silent_upstream_keeps_serving(processes):
    up = silent_upstream()
    try:
        port = free_port()
        cmd = owndns_command(port, {"forward": ["127.0.0.1@%d" % up.getsockname()[1]]})
        proc = processes.start(cmd + ["threads=1"], preexec_fn=low_fd_limit)
        wait_answering(port, proc, "localhost.", rdtype="A")

        burst = burst_socket()
        try:
            got = {}
            send_burst(burst, port, BURST, got)
            drain(burst, got, 1.0)
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
