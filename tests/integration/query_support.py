"""Helpers for the `owndns query` integration tests: NSD and Unbound on 127.0.0.1.

Both servers run in the foreground from a generated config in a temporary directory,
on a free port, started through conftest's `processes` (stopped by PID at teardown,
also when a test fails).  Readiness is polled with dnspython, with a time limit.
"""
import os
import socket
import time

import dns.message
import dns.query
import dns.rcode

NSD = "/usr/sbin/nsd"
UNBOUND = "/usr/sbin/unbound"
READY_TIMEOUT = 15  # seconds for a server to answer its first query

ZONE = "example.test."

# 40 strings of 100 octets: about 4 KiB, more than a 1232-octet UDP answer can hold,
# so only TCP gets the whole RRset.
BIG_TXT = ['"%02d%s"' % (i, "x" * 98) for i in range(40)]
LONG_STRING = "L" * 255

ZONE_TEXT = """$ORIGIN example.test.
$TTL 300
@       IN SOA ns1 hostmaster 2024010101 3600 900 604800 300
@       NS    ns1
@       MX    10 mail
@       MX    20 mail2.other.test.
ns1     A     127.0.0.1
www     A     192.0.2.1
www     A     192.0.2.2
www     AAAA  2001:db8::1
mail    A     192.0.2.25
txt     TXT   "hello world" "with \\"quotes\\" and \\\\ backslash" "\\001\\255 binary" "semi;colon"
long    TXT   "{long}" "{long}"
_sip._tcp SRV 10 60 5060 sip
sip     A     192.0.2.5
alias   CNAME alias2
alias2  CNAME www
v4only  A     192.0.2.9
1.2.0.192.in-addr.arpa.example.test. PTR www
{big}
""".format(long=LONG_STRING, big="\n".join("big     TXT   " + t for t in BIG_TXT))

UNBOUND_DATA = [
    '"a.local.test. 60 IN A 10.0.0.1"',
    '"a.local.test. 60 IN AAAA 2001:db8::a"',
    '"a.local.test. 60 IN TXT \\"unbound text\\" \\"second\\""',
    '"b.local.test. 60 IN CNAME a.local.test."',
    '"mx.local.test. 60 IN MX 5 a.local.test."',
    '"1.0.0.10.in-addr.arpa. 60 IN PTR a.local.test."',
    '"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. 60 IN PTR v6.local.test."',
]


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 (checked, then released)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                try:
                    t.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free port on 127.0.0.1")


def wait_ready(port, qname, proc, timeout=READY_TIMEOUT):
    """Polls the server with a UDP query until it answers; fails if it exits."""
    deadline = time.monotonic() + timeout
    q = dns.message.make_query(qname, "SOA")
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise RuntimeError("server exited with %s: %s" % (proc.returncode, err))
        try:
            dns.query.udp(q, "127.0.0.1", port=port, timeout=0.5)
            return
        except Exception:  # not listening yet
            time.sleep(0.1)
    raise RuntimeError("server on port %d not ready after %ds" % (port, timeout))


def start_nsd(processes, tmpdir):
    port = free_port()
    d = str(tmpdir)
    with open(os.path.join(d, "example.test.zone"), "w", encoding="ascii") as f:
        f.write(ZONE_TEXT)
    conf = os.path.join(d, "nsd.conf")
    with open(conf, "w", encoding="ascii") as f:
        f.write("""server:
    ip-address: 127.0.0.1@{port}
    port: {port}
    do-ip6: no
    server-count: 1
    username: ""
    chroot: ""
    zonesdir: "{d}"
    database: ""
    zonelistfile: "{d}/zone.list"
    xfrdfile: "{d}/xfrd.state"
    xfrdir: "{d}"
    pidfile: "{d}/nsd.pid"
    logfile: "{d}/nsd.log"
    verbosity: 1
remote-control:
    control-enable: no
zone:
    name: example.test
    zonefile: "{d}/example.test.zone"
""".format(port=port, d=d))
    proc = processes.start([NSD, "-d", "-c", conf])
    wait_ready(port, ZONE, proc)
    return port



def unbound_base_conf(port, directory):
    """The server: lines every test Unbound shares: loopback only, in the foreground,
    no chroot, user or log file, the iterator alone (no DNSSEC), localhost may ask."""
    return """server:
    interface: 127.0.0.1@{port}
    port: {port}
    do-ip6: no
    do-daemonize: no
    chroot: ""
    username: ""
    directory: "{d}"
    pidfile: ""
    use-syslog: no
    logfile: ""
    verbosity: 0
    access-control: 127.0.0.0/8 allow
    module-config: "iterator"
""".format(port=port, d=directory)


def start_unbound(processes, tmpdir):
    port = free_port()
    d = str(tmpdir)
    conf = os.path.join(d, "unbound.conf")
    data = "\n".join("    local-data: " + r for r in UNBOUND_DATA)
    with open(conf, "w", encoding="ascii") as f:
        f.write(unbound_base_conf(port, d) + """    nsid: "ascii_unbound-test"
    local-zone: "local.test." static
    local-zone: "10.in-addr.arpa." static
    local-zone: "8.b.d.0.1.0.0.2.ip6.arpa." static
{data}
remote-control:
    control-enable: no
""".format(port=port, d=d, data=data))
    proc = processes.start([UNBOUND, "-d", "-c", conf])
    wait_ready(port, "local.test.", proc)
    return port


def query_dnspython(port, qname, qtype, tcp=False):
    """The response dnspython gets for the question (TCP when asked)."""
    q = dns.message.make_query(qname, qtype, use_edns=0, payload=1232)
    if tcp:
        return dns.query.tcp(q, "127.0.0.1", port=port, timeout=5)
    return dns.query.udp(q, "127.0.0.1", port=port, timeout=5)
