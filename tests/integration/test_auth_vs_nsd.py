"""Differential test of the authoritative answers: the zones of tests/data/auth/ served
by NSD (Debian's nsd, the reference) and by `owndns serve recursion=no`, the same few
hundred questions to both, the answers compared field by field with dnspython: rcode,
the AA/TC/RA/RD flags, each section as a set of RRs with their TTLs, EDNS presence,
version, payload size and DO bit.

Deliberate differences, each with its reason, are the only ones tolerated:

| case                     | NSD 4.6                              | owndns                          | why                                                        |
|--------------------------|--------------------------------------|---------------------------------|------------------------------------------------------------|
| qtype ANY                | one RRset, picked by its own order   | one RRset: first in the file    | RFC 8482 §4.1 leaves the choice to the server; both give   |
|                          |                                      |                                 | one whole RRset that exists at the name                    |
| CD=1 in the query        | CD cleared in the response           | CD copied                       | RFC 4035 §3.1.6 and §3.2.2: the CD bit is copied           |
|                          |                                      |                                 | (only the flags are compared otherwise: CD is not in FLAGS)|
| qclass ANY (raw tests)   | answered from IN data, AA=0          | REFUSED                         | RFC 6895 §3.2.3 allows either; we serve class IN only      |
| qclass HS/NONE           | REFUSED without the question         | REFUSED with the question       | RFC 1035 §4.1.1: the question is echoed when it parsed     |
| FORMERR/NOTIMP for a     | the header alone                     | the header and an OPT (version  | RFC 6891 §6.1.1 (a request with an OPT gets one) and §7 (a |
| query with an OPT (two   |                                      | 0, our size, no option)         | FORMERR for a bad OPT "MUST include an OPT record")        |
| OPT, OPT in answer, bad  |                                      |                                 |                                                            |
| option)                  |                                      |                                 |                                                            |

Set OWNDNS_AUTH_SERVER to a command template ({port}, {zones} = ORIGIN:PATH ...)
to run another build of the answering code instead of build/owndns.
"""
import os
import shlex
import socket
import struct
import time

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.zone
import pytest

from conftest import DATA, find_owndns
from servers import free_port

AUTH = os.path.join(DATA, "auth")
ZONES = [("example.com", "example.com.zone"), ("example.net", "example.net.zone"),
         ("served.example.com", "served.example.com.zone")]
NSD = "/usr/sbin/nsd"
TIMEOUT = 2.0
READY_TIMEOUT = 10.0
OUR_UDP_SIZE = 1232


def wait_ready(port, proc):
    deadline = time.monotonic() + READY_TIMEOUT
    q = dns.message.make_query("example.com.", "SOA")
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out, err = proc.communicate(timeout=TIMEOUT)
            raise RuntimeError("server exited: %s %s" % (out, err))
        try:
            dns.query.udp(q, "127.0.0.1", port=port, timeout=0.2)
            return
        except Exception:  # not listening yet
            time.sleep(0.05)
    raise RuntimeError("server on port %d not ready" % port)


def nsd_conf(workdir, port):
    zones = "".join('zone:\n\tname: "%s"\n\tzonefile: "%s"\n' % (o, f) for o, f in ZONES)
    return ("server:\n"
            "\tip-address: 127.0.0.1@%d\n"
            "\tzonesdir: \"%s\"\n"
            "\tdatabase: \"\"\n"
            "\tpidfile: \"%s/nsd.pid\"\n"
            "\tusername: \"\"\n"
            "\tchroot: \"\"\n"
            "\txfrdfile: \"%s/xfrd.state\"\n"
            "\tzonelistfile: \"%s/zone.list\"\n"
            "\tlogfile: \"%s/nsd.log\"\n"
            "\tserver-count: 1\n"
            "\thide-version: yes\n"
            "\tverbosity: 0\n"
            "remote-control:\n\tcontrol-enable: no\n%s"
            % (port, AUTH, workdir, workdir, workdir, workdir, zones))


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """(nsd_port, owndns_port); both stopped by PID at the end of the module."""
    if not os.access(NSD, os.X_OK):
        pytest.skip("nsd is not installed")
    workdir = str(tmp_path_factory.mktemp("nsd"))
    procs = []
    try:
        nsd_port = free_port()
        conf = os.path.join(workdir, "nsd.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(nsd_conf(workdir, nsd_port))
        procs.append(start([NSD, "-d", "-c", conf]))
        wait_ready(nsd_port, procs[-1])

        own_port = free_port()
        zone_args = ["%s:%s" % (o, os.path.join(AUTH, f)) for o, f in ZONES]
        template = os.environ.get("OWNDNS_AUTH_SERVER")
        if template:
            cmd = shlex.split(template.format(port=own_port, zones=" ".join(zone_args)))
        else:
            binary = find_owndns()
            if not os.access(binary, os.X_OK):
                pytest.fail("owndns binary not found at %s" % binary)
            cmd = [binary, "serve", "recursion=no", "listen=127.0.0.1@%d" % own_port]
            cmd += ["zone=%s" % z for z in zone_args]
        procs.append(start(cmd))
        wait_ready(own_port, procs[-1])
        yield nsd_port, own_port
    finally:
        for p in procs:
            stop(p)


def start(cmd):
    import subprocess
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def stop(proc):
    import signal
    import subprocess
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    if proc.stderr:
        proc.stderr.close()


# ---- questions ------------------------------------------------------------------------

def zone_names():
    names = set()
    for origin, f in ZONES:
        z = dns.zone.from_file(os.path.join(AUTH, f), origin=origin, relativize=False,
                               check_origin=False)
        for n in z.nodes:
            names.add(n.to_text())
    return sorted(names)


MISSES = ["nothere.example.com.", "nothere.example.net.", "a.b.c.example.net.",
          "y.wild.example.com.", "z.y.wild.example.com.", "q.a.wild.example.com.",
          "foo.wild.example.com.", "Foo.Bar.WILD.example.com.", "x.wc.example.com.",
          "mail.wmx.example.com.", "deep.x.y.wild.example.com.", "a.b.dname.example.com.",
          "www.dname.example.com.", "mail.dname.example.com.", "nope.dname.example.com.",
          "x.dtoo.example.com.", "xxxxxxxxxxxx.toolong.example.net.",
          "xxxxxxxxxxxx.dtoo.example.com.", "a.dloop.example.com.", "www.sub.example.com.",
          "a.b.c.sub.example.com.", "x.nogl.example.com.", "x.deep.a.b.example.com.",
          "a.b.example.com.", "b.example.com.", "www.served.example.com.",
          "nothere.served.example.com.", "x.fat.example.com.", "www.mixed.example.com.",
          "nothere.example.org.", "com.", ".", "example.", "WWW.EXAMPLE.COM.",
          "wWw.ExAmPlE.cOm.", "HOST.example.COM.", "*.wild.example.com."]

COMMON_TYPES = ["A", "AAAA", "MX", "NS", "SOA", "TXT", "CNAME", "DS", "ANY"]
ALL_TYPES = ["A", "AAAA", "TXT", "SSHFP", "NAPTR", "LOC", "RP", "PTR", "SPF", "TLSA", "URI",
             "HINFO", "SVCB", "HTTPS", "CAA", "DHCID", "OPENPGPKEY", "TYPE65280", "SRV",
             "DNAME", "NSEC", "RRSIG", "DNSKEY", "NULL", "TYPE1234"]

# (use_edns, payload, rd, do, cd)
VARIANTS = [(False, 0, False, False, False), (True, 512, False, False, False),
            (True, 1232, True, False, False), (True, 4096, False, True, False),
            (False, 0, True, False, True)]


def questions():
    qs = []
    for name in zone_names() + MISSES:
        for t in COMMON_TYPES:
            qs.append((name, t, VARIANTS[0]))
    for t in ALL_TYPES:
        qs.append(("types.example.com.", t, VARIANTS[2]))
    for v in VARIANTS:
        for name, t in [("big.example.com.", "TXT"), ("middle.example.com.", "TXT"),
                        ("manymx.example.com.", "MX"), ("www.fat.example.com.", "A"),
                        ("fat.example.com.", "NS"), ("example.com.", "MX"),
                        ("_sip._tcp.example.com.", "SRV"), ("mxout.example.com.", "MX"),
                        ("www.example.com.", "A"), ("c1.example.com.", "A"),
                        ("todname.example.com.", "A"), ("sub.example.com.", "DS"),
                        ("served.example.com.", "DS"), ("foo.wc.example.com.", "A"),
                        ("nothere.example.org.", "A"), ("x.dtoo.example.com.", "A")]:
            qs.append((name, t, v))
    return qs


def make_query(name, rdtype, variant):
    use_edns, payload, rd, do, cd = variant
    if use_edns:
        q = dns.message.make_query(name, rdtype, use_edns=0, payload=payload,
                                   want_dnssec=do)
    else:
        q = dns.message.make_query(name, rdtype, use_edns=False)
    q.flags = (dns.flags.RD if rd else 0) | (dns.flags.CD if cd else 0)
    return q


def ask(wire, port, tcp=False):
    if tcp:
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
            s.sendall(struct.pack("!H", len(wire)) + wire)
            head = recv_exact(s, 2)
            return recv_exact(s, struct.unpack("!H", head)[0])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(TIMEOUT)
        s.sendto(wire, ("127.0.0.1", port))
        try:
            return s.recv(65535)
        except socket.timeout:
            return None


def recv_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed")
        data += chunk
    return data


# ---- comparison -------------------------------------------------------------------------

def rrs(section):
    out = set()
    for rrset in section:
        for rd in rrset:
            out.add((rrset.name.to_text().lower(), rrset.ttl, rrset.rdclass, rrset.rdtype,
                     rd.to_text().lower()))
    return out


FLAGS = dns.flags.QR | dns.flags.AA | dns.flags.TC | dns.flags.RD | dns.flags.RA


def summary(m):
    return {"rcode": m.rcode(), "flags": dns.flags.to_text(m.flags & FLAGS),
            "answer": rrs(m.answer), "authority": rrs(m.authority),
            "additional": rrs(m.additional), "edns": m.edns,
            "payload": m.payload if m.edns >= 0 else None,
            "do": bool(m.ednsflags & dns.flags.DO) if m.edns >= 0 else None,
            "question": [(q.name.to_text(), q.rdtype, q.rdclass) for q in m.question]}


def differences(name, rdtype, variant, nsd, own, nsd_port):
    """Field-by-field differences that are not in the table of the module docstring."""
    a, b = summary(nsd), summary(own)
    diffs = []
    rdtype = dns.rdatatype.from_text(rdtype)
    if rdtype == dns.rdatatype.ANY and a["answer"] != b["answer"]:
        diffs += any_differences(name, own, nsd_port)
        a["answer"] = b["answer"]
    if variant[4]:
        if not own.flags & dns.flags.CD:
            diffs.append("CD not copied")
    for key in a:
        if a[key] != b[key]:
            if isinstance(a[key], set):
                diffs.append("%s: nsd only %s, owndns only %s"
                             % (key, sorted(a[key] - b[key]), sorted(b[key] - a[key])))
            else:
                diffs.append("%s: nsd %s, owndns %s" % (key, a[key], b[key]))
    return diffs


def any_differences(name, own, nsd_port):
    """RFC 8482: our ANY answer must be one whole RRset that exists at the name."""
    if len(own.answer) != 1:
        return ["ANY: %d RRsets" % len(own.answer)]
    rrset = own.answer[0]
    q = dns.message.make_query(name, rrset.rdtype)
    q.flags = 0
    ref = dns.message.from_wire(ask(q.to_wire(), nsd_port, tcp=True))
    if rrs([rrset]) != {r for r in rrs(ref.answer) if r[3] == rrset.rdtype and
                        r[0] == name.lower()}:
        return ["ANY: %s is not the RRset nsd has" % rrset]
    return []


def compare(servers, name, rdtype, variant, tcp=False):
    nsd_port, own_port = servers
    q = make_query(name, rdtype, variant)
    wire = q.to_wire()
    nsd_wire = ask(wire, nsd_port, tcp)
    own_wire = ask(wire, own_port, tcp)
    assert (nsd_wire is None) == (own_wire is None), (name, rdtype, nsd_wire, own_wire)
    if nsd_wire is None:
        return []
    nsd = dns.message.from_wire(nsd_wire)
    own = dns.message.from_wire(own_wire)
    assert own.id == q.id
    if not tcp and variant[0]:
        assert len(own_wire) <= min(variant[1], OUR_UDP_SIZE) or variant[1] < 512
    if not tcp and not variant[0]:
        assert len(own_wire) <= 512
    return ["%s %s %s%s: %s" % (name, rdtype, variant, " tcp" if tcp else "", d)
            for d in differences(name, rdtype, variant, nsd, own, nsd_port)]


def test_questions_match_nsd(servers):
    qs = questions()
    assert len(qs) > 300
    problems = []
    for name, rdtype, variant in qs:
        problems += compare(servers, name, rdtype, variant)
    assert not problems, "\n".join(problems)


def test_tcp_answers_match_nsd(servers):
    problems = []
    for name, rdtype in [("big.example.com.", "TXT"), ("manymx.example.com.", "MX"),
                         ("www.fat.example.com.", "A"), ("example.com.", "ANY"),
                         ("www.example.com.", "A"), ("nothere.example.net.", "A")]:
        problems += compare(servers, name, rdtype, VARIANTS[0], tcp=True)
    assert not problems, "\n".join(problems)


# ---- malformed and unusual queries: the same packet to both ------------------------------

def opt_rr(version=0, do=False, size=1232, rdata=b""):
    ttl = (version << 16) | (0x8000 if do else 0)
    return b"\x00\x00\x29" + struct.pack("!HIH", size, ttl, len(rdata)) + rdata


def raw_query(name="example.com.", rdtype=1, rdclass=1, flags=0x0100, counts=(1, 0, 0, 0),
              tail=b"", qid=0x1234):
    head = struct.pack("!HH4H", qid, flags, *counts)
    return head + dns.name.from_text(name).to_wire() + struct.pack("!HH", rdtype, rdclass) + tail


A_RR = b"\x00\x00\x01\x00\x01\x00\x00\x00\x00\x00\x04\x01\x02\x03\x04"

RAW_CASES = {
    "header only": raw_query()[:12],
    "short packet": raw_query()[:11],
    "QR set": raw_query(flags=0x8100),
    "qdcount 0": struct.pack("!HH4H", 7, 0x0100, 0, 0, 0, 0),
    "qdcount 2": raw_query(counts=(2, 0, 0, 0)),
    "two questions": raw_query(counts=(2, 0, 0, 0)) + raw_query()[12:],
    "question cut": raw_query()[:-2],
    "trailing octets": raw_query() + b"\x00\x01",
    "answer record": raw_query(counts=(1, 1, 0, 0), tail=A_RR),
    "authority record": raw_query(counts=(1, 0, 1, 0), tail=A_RR),
    "additional A": raw_query(counts=(1, 0, 0, 1), tail=A_RR),
    "count without record": raw_query(counts=(1, 1, 0, 0)),
    "IQUERY": raw_query(flags=0x0800),
    "STATUS": raw_query(flags=0x1000),
    "NOTIFY": raw_query(flags=0x2000),
    "UPDATE": raw_query(flags=0x2800),
    "opcode 6": raw_query(flags=0x3000),
    "rcode set": raw_query(flags=0x010f),
    "class CH": raw_query(rdclass=3),
    "version.bind CH": raw_query("version.bind.", 16, 3),
    "AXFR udp": raw_query(rdtype=252),
    "IXFR udp": raw_query(rdtype=251),
    "edns": raw_query(counts=(1, 0, 0, 1), tail=opt_rr()),
    "edns size 100": raw_query(counts=(1, 0, 0, 1), tail=opt_rr(size=100)),
    "edns version 1": raw_query(counts=(1, 0, 0, 1), tail=opt_rr(version=1)),
    "edns version 1 DO": raw_query(counts=(1, 0, 0, 1), tail=opt_rr(version=1, do=True)),
    "edns version 1 refused": raw_query("example.org.", counts=(1, 0, 0, 1),
                                        tail=opt_rr(version=1)),
    "edns DO": raw_query(counts=(1, 0, 0, 1), tail=opt_rr(do=True)),
    "edns refused": raw_query("example.org.", counts=(1, 0, 0, 1), tail=opt_rr()),
    "edns rdlen past end": raw_query(counts=(1, 0, 0, 1), tail=opt_rr()[:-2] + b"\x00\x05"),
    "edns cookie": raw_query(counts=(1, 0, 0, 1),
                             tail=opt_rr(rdata=b"\x00\x0a\x00\x0812345678")),
    "edns nsid": raw_query(counts=(1, 0, 0, 1), tail=opt_rr(rdata=b"\x00\x03\x00\x00")),
    "OPT owner not root": raw_query(counts=(1, 0, 0, 1), tail=b"\x01a" + opt_rr()[1:]),
    "Z bit": raw_query(flags=0x0140),
    "AD bit": raw_query(flags=0x0120),
    "qname case kept": raw_query("WwW.ExAmPlE.CoM."),
    "compressed qname": struct.pack("!HH4H", 9, 0, 1, 0, 0, 0) + b"\xc0\x0c\x00\x01\x00\x01",
}


def raw_summary(wire):
    if wire is None:
        return None
    if len(wire) == 12:
        return ("header", wire[:2], wire[2:4], wire[4:])
    m = dns.message.from_wire(wire)
    s = summary(m)
    s["id"] = m.id
    s["question_wire_case"] = [q.name.to_text() for q in m.question]
    return s


@pytest.mark.parametrize("case", sorted(RAW_CASES))
def test_raw_packet_matches_nsd(servers, case):
    nsd_port, own_port = servers
    wire = RAW_CASES[case]
    assert raw_summary(ask(wire, own_port)) == raw_summary(ask(wire, nsd_port))


def test_axfr_over_tcp_matches_nsd(servers):
    nsd_port, own_port = servers
    for rdtype in (252, 251):
        wire = raw_query(rdtype=rdtype)
        assert raw_summary(ask(wire, own_port, tcp=True)) == \
            raw_summary(ask(wire, nsd_port, tcp=True))


# FORMERR for a query with an OPT: NSD answers with the header alone, we add an OPT
# (the table above).
OPT_ERROR_CASES = {
    "edns option cut": raw_query(counts=(1, 0, 0, 1), tail=opt_rr(rdata=b"\x00\x0a\x00\x09")),
    "two OPT": raw_query(counts=(1, 0, 0, 2), tail=opt_rr() + opt_rr()),
    "OPT in answer": raw_query(counts=(1, 1, 0, 0), tail=opt_rr()),
}


@pytest.mark.parametrize("case", sorted(OPT_ERROR_CASES))
def test_formerr_with_opt_differs_from_nsd(servers, case):
    nsd_port, own_port = servers
    wire = OPT_ERROR_CASES[case]
    nsd, own = ask(wire, nsd_port), ask(wire, own_port)
    assert raw_summary(nsd)[0] == "header" and nsd[3] & 0x0f == dns.rcode.FORMERR
    m = dns.message.from_wire(own)
    assert m.id == 0x1234 and m.rcode() == dns.rcode.FORMERR and not m.question
    assert m.edns == 0 and m.payload == 1232 and not m.options
    assert own[2:4] == nsd[2:4]


def test_deliberate_differences(servers):
    """The rows of the table above, checked on our side."""
    nsd_port, own_port = servers
    # qclass ANY: NSD answers from IN data without AA; we refuse.
    own = dns.message.from_wire(ask(raw_query(rdclass=255), own_port))
    assert own.rcode() == dns.rcode.REFUSED and len(own.question) == 1
    # qclass HS: both refuse; we keep the question.
    own = dns.message.from_wire(ask(raw_query(rdclass=4), own_port))
    assert own.rcode() == dns.rcode.REFUSED and len(own.question) == 1
    # CD copied.
    own = dns.message.from_wire(ask(raw_query(flags=0x0110), own_port))
    assert own.flags & dns.flags.CD
    nsd = dns.message.from_wire(ask(raw_query(flags=0x0110), nsd_port))
    assert not nsd.flags & dns.flags.CD
