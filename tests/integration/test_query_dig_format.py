"""`owndns query` against crafted responses from a dnspython UDP server on 127.0.0.1,
printed next to dig's output for the same responses: EDNS options, flags, rcodes and
sections must come out line for line as dig 9.18 prints them (the ID line, timing and
the command echo aside).  Also: an answer with SERVFAIL is still printed (exit 0), only
malformed replies give exit 10, silence gives exit 9.
"""
import re

import dns.edns
import dns.flags
import dns.message
import dns.rcode
import dns.rrset
import pytest

from conftest import run

COOKIE, NSID, PADDING, EDE, EXPIRE, KEEPALIVE, ECS = 10, 3, 12, 15, 9, 11, 8


def client_cookie(query):
    return next((o.data[:8] for o in query.options if o.otype == COOKIE), None)


def build(query, rcode=0, flags=None, answer=(), authority=(), options=(), ednsflags=0,
          edns=True):
    r = dns.message.make_response(query)
    if flags is not None:
        r.flags = flags
    if edns:
        opts = [dns.edns.GenericOption(c, d(query) if callable(d) else d) for c, d in options]
        r.use_edns(0, ednsflags, 1232, options=opts)
    else:
        r.use_edns(False)
    r.set_rcode(rcode)
    r.answer = [dns.rrset.from_text(*a) for a in answer]
    r.authority = [dns.rrset.from_text(*a) for a in authority]
    return r.to_wire()


CASES = {
    "options": dict(options=[
        (NSID, b"ns1.x\x00"),
        (COOKIE, lambda q: client_cookie(q) + b"servercookie"),
        (EDE, b"\x00\x03stale"), (EDE, b"\x00\x12"), (EDE, b"\x00\x63"),
        (PADDING, b"\x00" * 7), (EXPIRE, b"\x00\x01\x5f\x8d"), (KEEPALIVE, b"\x01\x23"),
        (ECS, b"\x00\x01\x18\x00\xc0\x00\x02"), (65001, b"ab"), (65002, b"")],
        ednsflags=dns.flags.DO,
        answer=[("q.example.", 300, "IN", "A", "192.0.2.1")]),
    "nxdomain": dict(rcode=dns.rcode.NXDOMAIN, authority=[
        ("example.", 3600, "IN", "SOA", "ns.example. host.example. 1 2 3 4 5")]),
    # (TC would send both to TCP, which this server does not serve.)
    "flags_no_edns": dict(flags=dns.flags.QR | dns.flags.AA | dns.flags.RD |
                          dns.flags.RA | dns.flags.AD | dns.flags.CD, edns=False),
    "servfail": dict(rcode=dns.rcode.SERVFAIL, options=[(EDE, b"\x00\x16no auth")]),
    "sections": dict(answer=[
        ("q.example.", 60, "IN", "CNAME", "t.example."),
        ("t.example.", 60, "IN", "TXT", '"a \\"b\\" c" "\\\\" "\\255\\001"'),
        ("t.example.", 60, "IN", "MX", "10 mx.example."),
        ("t.example.", 60, "IN", "SRV", "1 2 53 srv.example.")],
        authority=[("example.", 60, "IN", "NS", "ns.example.")]),
}


def body(text):
    """dig's lines from the HEADER line to the end of the sections, without the ID."""
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith(";; ->>HEADER<<-"))
    end = next(i for i, l in enumerate(lines) if l.startswith(";; Query time:"))
    lines = lines[start:end]
    lines[0] = lines[0].rsplit("id:", 1)[0]
    # Each client sends its own random client cookie (the first 16 hex digits).
    return [re.sub(r"^; COOKIE: [0-9a-f]{16}", "; COOKIE: <client>", l) for l in lines]


@pytest.mark.parametrize("case", sorted(CASES))
def test_full_output_like_dig(owndns_bin, udp_server, case):
    spec = CASES[case]
    server = udp_server(lambda wire: build(dns.message.from_wire(wire), **spec))
    common = ["@127.0.0.1", "-p", str(server.port), "+timeout=3", "+tries=1", "q.example."]
    theirs = run(["dig", *common], timeout=30)
    ours = run([owndns_bin, "query", *common], timeout=30)
    assert server.errors == []
    assert ours.returncode == 0, ours.stderr
    assert ours.stderr == ""
    assert body(ours.stdout) == body(theirs.stdout)


def test_short_like_dig(owndns_bin, udp_server):
    spec = CASES["sections"]
    server = udp_server(lambda wire: build(dns.message.from_wire(wire), **spec))
    common = ["@127.0.0.1", "-p", str(server.port), "+timeout=3", "+tries=1", "q.example.",
              "+short"]
    theirs = run(["dig", *common], timeout=30)
    ours = run([owndns_bin, "query", *common], timeout=30)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout
    assert len(ours.stdout.splitlines()) == 4


def test_only_malformed_replies_exit_10(owndns_bin, udp_server):
    # Right ID, then garbage where the question should be.
    server = udp_server(lambda wire: wire[:2] + b"\x81\x80\x00\x01\x00\x00\x00\x00\x00\x00\xff")
    r = run([owndns_bin, "query", "@127.0.0.1", "-p", str(server.port), "+timeout=1",
             "+tries=1", "q.example."], timeout=30)
    assert r.returncode == 10, r.stdout
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith(";; ")


def test_silent_server_exit_9(owndns_bin, udp_server):
    server = udp_server(lambda wire: None)
    r = run([owndns_bin, "query", "@127.0.0.1", "-p", str(server.port), "+timeout=1",
             "+tries=2", "q.example."], timeout=30)
    assert r.returncode == 9
    assert r.stderr == ";; communications error to 127.0.0.1#%d: timed out; " \
                       "no servers could be reached\n" % server.port
    assert r.stdout == ""
