"""Helpers for the `owndns query` integration tests: NSD and Unbound on 127.0.0.1.

Both are started by servers.py (foreground, generated config in a temporary
directory, free port, stopped by PID at teardown); this module holds their data.
"""
import dns.message
import dns.query
import dns.rcode

import servers
from servers import NSD, READY_TIMEOUT, UNBOUND  # noqa: F401 (used by other tests)

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
    """A port free for both UDP and TCP on 127.0.0.1 (servers.free_port)."""
    return servers.free_port()


def wait_ready(port, qname, proc, timeout=READY_TIMEOUT):
    """Polls the server with a UDP SOA query until it answers; fails if it exits."""
    servers.wait_answering(port, proc, qname, timeout=timeout)


def start_nsd(processes, tmpdir):
    """NSD serving ZONE_TEXT as example.test; returns its port."""
    return servers.start_nsd(processes, tmpdir, [(ZONE, ZONE_TEXT)])


def unbound_base_conf(port, directory):
    """The server: lines every test Unbound shares (servers.unbound_base_lines), the
    iterator alone (no DNSSEC), localhost may ask."""
    lines = servers.unbound_base_lines(port, directory)
    lines += ["    access-control: 127.0.0.0/8 allow", '    module-config: "iterator"']
    return "\n".join(lines) + "\n"


def start_unbound(processes, tmpdir):
    """Unbound with the local data UNBOUND_DATA (no upstream); returns its port."""
    def conf(port, d):
        return [unbound_base_conf(port, d) + '    nsid: "ascii_unbound-test"',
                '    local-zone: "local.test." static',
                '    local-zone: "10.in-addr.arpa." static',
                '    local-zone: "8.b.d.0.1.0.0.2.ip6.arpa." static'] \
            + ["    local-data: " + r for r in UNBOUND_DATA] \
            + ["remote-control:", "    control-enable: no"]
    port, _ = servers.start_unbound(processes, tmpdir, conf, "local.test.", ready_type="SOA")
    return port


def query_dnspython(port, qname, qtype, tcp=False):
    """The response dnspython gets for the question (TCP when asked)."""
    q = dns.message.make_query(qname, qtype, use_edns=0, payload=1232)
    if tcp:
        return dns.query.tcp(q, "127.0.0.1", port=port, timeout=5)
    return dns.query.udp(q, "127.0.0.1", port=port, timeout=5)
