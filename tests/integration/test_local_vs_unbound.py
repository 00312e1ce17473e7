"""Local names (server/local/) against Unbound configured with the same local-data.

Unbound 1.17 runs with the local-data below and its default local zones, forwarding
everything else to a port where nobody listens (no question here needs upstream).
EXPECTED is what owndns's local lookup answers (the same expectations as
tests/unit/test_server_local.c); the test checks Unbound against it, except for the
two documented differences (DIFFERENCES), which are checked as Unbound's own
behaviour so that a change in Unbound shows up.  Once `owndns serve` knows local-data=
(issue 5's pipeline), the same table is checked against owndns; until then that part
is skipped.
"""
import os

import dns.flags
import dns.message
import dns.query
import dns.rcode
import pytest

from conftest import find_owndns, run
import servers
from servers import free_port, unbound_base_lines, wait_answering

LOCAL_DATA = [
    "www.home.lan. 300 IN A 192.0.2.1",
    "www.home.lan. 300 IN A 192.0.2.2",
    "alias.home.lan. 300 IN CNAME www.home.lan.",
    "alias2.home.lan. 300 IN CNAME alias.home.lan.",
    "ext.home.lan. 300 IN CNAME www.example.com.",
    "1.1.168.192.in-addr.arpa. 300 IN PTR printer.home.lan.",
    "mail.home.lan. 300 IN MX 10 www.home.lan.",
]

SOA = "localhost. nobody.invalid. 1 3600 1200 604800 10800"

# (qname, qtype) -> (rcode, answer lines, authority lines); every answer has AA=1.
EXPECTED = [
    (("www.home.lan.", "A"), ("NOERROR", ["www.home.lan. 300 IN A 192.0.2.1",
                                          "www.home.lan. 300 IN A 192.0.2.2"], [])),
    (("WWW.HOME.LAN.", "A"), ("NOERROR", ["WWW.HOME.LAN. 300 IN A 192.0.2.1",
                                          "WWW.HOME.LAN. 300 IN A 192.0.2.2"], [])),
    (("www.home.lan.", "AAAA"), ("NOERROR", [], [])),
    (("mail.home.lan.", "MX"), ("NOERROR", ["mail.home.lan. 300 IN MX 10 www.home.lan."], [])),
    (("alias.home.lan.", "CNAME"), ("NOERROR", ["alias.home.lan. 300 IN CNAME www.home.lan."],
                                    [])),
    (("ext.home.lan.", "A"), ("NOERROR", ["ext.home.lan. 300 IN CNAME www.example.com."], [])),
    (("localhost.", "A"), ("NOERROR", ["localhost. 10800 IN A 127.0.0.1"], [])),
    (("foo.bar.localhost.", "AAAA"), ("NOERROR", ["foo.bar.localhost. 10800 IN AAAA ::1"], [])),
    (("localhost.", "MX"), ("NOERROR", [], ["localhost. 10800 IN SOA " + SOA])),
    (("foo.localhost.", "MX"), ("NOERROR", [], ["localhost. 10800 IN SOA " + SOA])),
    (("1.0.0.127.in-addr.arpa.", "PTR"), ("NOERROR",
                                          ["1.0.0.127.in-addr.arpa. 10800 IN PTR localhost."],
                                          [])),
    (("2.0.0.127.in-addr.arpa.", "PTR"), ("NXDOMAIN", [],
                                          ["127.in-addr.arpa. 10800 IN SOA " + SOA])),
    (("10.in-addr.arpa.", "PTR"), ("NOERROR", [], ["10.in-addr.arpa. 10800 IN SOA " + SOA])),
    (("5.5.10.in-addr.arpa.", "PTR"), ("NXDOMAIN", [],
                                       ["10.in-addr.arpa. 10800 IN SOA " + SOA])),
    (("1.1.64.100.in-addr.arpa.", "PTR"), ("NXDOMAIN", [],
                                           ["64.100.in-addr.arpa. 10800 IN SOA " + SOA])),
    (("x.invalid.", "A"), ("NXDOMAIN", [], ["invalid. 10800 IN SOA " + SOA])),
    (("a.test.", "A"), ("NXDOMAIN", [], ["test. 10800 IN SOA " + SOA])),
    (("x.onion.", "A"), ("NXDOMAIN", [], ["onion. 10800 IN SOA " + SOA])),
    (("nas.home.arpa.", "A"), ("NXDOMAIN", [], ["home.arpa. 10800 IN SOA " + SOA])),
    (("1.1.168.192.in-addr.arpa.", "PTR"), ("NOERROR", [
        "1.1.168.192.in-addr.arpa. 300 IN PTR printer.home.lan."], [])),
    (("1.1.168.192.in-addr.arpa.", "A"), ("NOERROR", [],
                                          ["168.192.in-addr.arpa. 10800 IN SOA " + SOA])),
    (("1.168.192.in-addr.arpa.", "PTR"), ("NOERROR", [],
                                          ["168.192.in-addr.arpa. 10800 IN SOA " + SOA])),
    (("2.1.168.192.in-addr.arpa.", "PTR"), ("NXDOMAIN", [],
                                            ["168.192.in-addr.arpa. 10800 IN SOA " + SOA])),
]

# Where owndns deliberately answers otherwise: (question, owndns, Unbound 1.17).
DIFFERENCES = [
    # owndns follows CNAMEs inside the local data (like dnsmasq); Unbound gives the
    # first CNAME and leaves the rest to the client.
    (("alias2.home.lan.", "A"),
     ("NOERROR", ["alias2.home.lan. 300 IN CNAME alias.home.lan.",
                  "alias.home.lan. 300 IN CNAME www.home.lan.",
                  "www.home.lan. 300 IN A 192.0.2.1", "www.home.lan. 300 IN A 192.0.2.2"], []),
     ("NOERROR", ["alias2.home.lan. 300 IN CNAME alias.home.lan."], [])),
    # ANY: owndns gives one RRset (RFC 8482 §4.1, as its authoritative answers);
    # Unbound answers NODATA.
    (("www.home.lan.", "ANY"),
     ("NOERROR", ["www.home.lan. 300 IN A 192.0.2.1", "www.home.lan. 300 IN A 192.0.2.2"], []),
     ("NOERROR", [], [])),
]


def lines(section):
    out = []
    for rrset in section:
        for rd in rrset:
            out.append("%s %d IN %s %s" % (rrset.name.to_text(), rrset.ttl,
                                            dns.rdatatype.to_text(rrset.rdtype),
                                            rd.to_text()))
    return out


def ask(port, qname, qtype):
    q = dns.message.make_query(qname, qtype, use_edns=0, payload=1232)
    r = dns.query.udp(q, "127.0.0.1", port=port, timeout=5)
    assert r.flags & dns.flags.AA, "%s %s: AA not set" % (qname, qtype)
    return (dns.rcode.to_text(r.rcode()), lines(r.answer), lines(r.authority))


def start_unbound(processes, tmpdir):
    dead = free_port()  # nobody listens there: upstream never answers

    def conf(port, d):
        return unbound_base_lines(port, d) + [
            "    do-not-query-localhost: no",
            "    rrset-roundrobin: no",
            '    module-config: "iterator"'] + [
            '    local-data: "%s"' % r for r in LOCAL_DATA] + [
            "forward-zone:", '    name: "."', "    forward-addr: 127.0.0.1@%d" % dead,
            "remote-control:", "    control-enable: no"]
    port, _ = servers.start_unbound(processes, tmpdir, conf, "localhost.", ready_type="SOA")
    return port


def owndns_knows_local_data():
    path = find_owndns()
    if not os.access(path, os.X_OK):
        return False
    r = run([path, "serve", "--help"])
    return "local-data" in r.stdout + r.stderr


def start_owndns(processes):
    port = free_port()
    dead = free_port()
    cmd = [find_owndns(), "serve", "listen=127.0.0.1@%d" % port,
           "forward=127.0.0.1@%d" % dead]
    cmd += ["local-data=" + r for r in LOCAL_DATA]
    proc = processes.start(cmd)
    wait_answering(port, proc, "localhost.")
    return port


@pytest.mark.parametrize("question,expected", EXPECTED, ids=[" ".join(q) for q, _ in EXPECTED])
def test_unbound_agrees(processes, tmp_path, question, expected):
    port = start_unbound(processes, tmp_path)
    assert ask(port, *question) == expected


@pytest.mark.parametrize("question,ours,unbounds", DIFFERENCES,
                         ids=[" ".join(q) for q, _, _ in DIFFERENCES])
def test_unbound_differs_as_documented(processes, tmp_path, question, ours, unbounds):
    port = start_unbound(processes, tmp_path)
    assert ask(port, *question) == unbounds


@pytest.mark.parametrize("question,expected",
                         EXPECTED + [(q, ours) for q, ours, _ in DIFFERENCES],
                         ids=[" ".join(q) for q, _ in EXPECTED] +
                         [" ".join(q) for q, _, _ in DIFFERENCES])
def test_owndns_answers(processes, question, expected):
    if not owndns_knows_local_data():
        pytest.skip("owndns serve has no local-data= yet (issue 5's pipeline)")
    port = start_owndns(processes)
    assert ask(port, *question) == expected
