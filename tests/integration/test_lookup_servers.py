"""`owndns lookup` against real servers: Unbound (local data, a static root so nothing
leaves the machine) and NSD (authoritative for example.test), both on 127.0.0.1.

(a) the addresses printed are the A and AAAA records dnspython's resolver gets for the
    same name, and the canonical name (end of the CNAME chain) is the one it reports,
    in the host-style text form and in the JSON form;
(b) family=ipv4 / family=ipv6 keep only that family; a name with none of it fails;
(c) resolv.conf: the search list, ndots, NODATA and NXDOMAIN moving on to the next
    candidate, absolute names never searched, nameserver ADDR@PORT;
(d) exit status and stderr: 2 with "owndns lookup: NAME: no such name" and friends,
    9 when no server gives a usable answer (silence, SERVFAIL, tcp=yes against a
    server without TCP), 2 for a looping CNAME chain, 1 for usage errors.
"""
import json
import os

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.resolver
import dns.rrset
import pytest

from conftest import Processes, run
import query_support as qs

FAST = ["timeout=2", "tries=1"]

# Names under "test." only; the root is a static local zone, so Unbound answers
# NXDOMAIN for anything else instead of trying to reach the Internet.
UNBOUND_DATA = [
    "both.lookup.test. 60 IN A 10.1.0.1",
    "both.lookup.test. 60 IN A 10.1.0.2",
    "both.lookup.test. 60 IN AAAA 2001:db8:1::1",
    # Unbound does not chase CNAMEs of local data: it answers p1 with the CNAME alone.
    "p1.lookup.test. 60 IN CNAME p2.lookup.test.",
    "p2.lookup.test. 60 IN A 10.1.0.5",
    "v6only.lookup.test. 60 IN AAAA 2001:db8:1::6",
    "v4only.lookup.test. 60 IN A 10.1.0.4",
    "txtonly.lookup.test. 60 IN TXT \\\"no address here\\\"",
    # search list tests
    "www.search.test. 60 IN A 10.2.0.1",
    "dual.test. 60 IN A 10.3.0.1",
    "dual.test.search.test. 60 IN A 10.3.0.2",
    "split.first.test. 60 IN AAAA 2001:db8:2::1",
    "split.search.test. 60 IN A 10.2.0.9",
]

# A CNAME chain across three names and two zones, which Unbound's iterator follows: the
# zones are Unbound auth-zones used as if they came from upstream.
UNBOUND_ZONES = {
    "chain.test": """$ORIGIN chain.test.
$TTL 60
@   SOA ns hostmaster 1 3600 900 604800 60
@   NS  ns
ns  A   127.0.0.1
c1  CNAME c2
c2  CNAME c3.target.test.
""",
    "target.test": """$ORIGIN target.test.
$TTL 60
@   SOA ns hostmaster 1 3600 900 604800 60
@   NS  ns
ns  A   127.0.0.1
c3  A   10.4.0.3
c3  AAAA 2001:db8:4::3
""",
}

UNBOUND_NAMES = ["both.lookup.test.", "c1.chain.test.", "c2.chain.test.",
                 "c3.target.test.", "v6only.lookup.test.", "v4only.lookup.test.",
                 "BOTH.Lookup.TEST.", "C1.CHAIN.test"]
NSD_NAMES = ["www.example.test.", "alias.example.test.", "alias2.example.test.",
             "v4only.example.test.", "mail.example.test.", "ns1.example.test."]


def start_unbound(processes, tmpdir):
    port = qs.free_port()
    d = str(tmpdir)
    conf = os.path.join(d, "unbound.conf")
    data = "\n".join('    local-data: "%s"' % r for r in UNBOUND_DATA)
    zones = ""
    for zone, text in UNBOUND_ZONES.items():
        with open(os.path.join(d, zone + ".zone"), "w", encoding="ascii") as f:
            f.write(text)
        data += '\n    local-zone: "%s." transparent' % zone
        zones += """auth-zone:
    name: "{zone}."
    zonefile: "{d}/{zone}.zone"
    for-downstream: no
    for-upstream: yes
    fallback-enabled: no
""".format(zone=zone, d=d)
    with open(conf, "w", encoding="ascii") as f:
        f.write(qs.unbound_base_conf(port, d) + """    rrset-roundrobin: no
    local-zone: "." static
{data}
{zones}remote-control:
    control-enable: no
""".format(port=port, d=d, data=data, zones=zones))
    proc = processes.start([qs.UNBOUND, "-d", "-c", conf])
    qs.wait_ready(port, "lookup.test.", proc)
    return port


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    procs = Processes()
    try:
        nsd = qs.start_nsd(procs, tmp_path_factory.mktemp("nsd"))
        unbound = start_unbound(procs, tmp_path_factory.mktemp("unbound"))
        yield {"nsd": nsd, "unbound": unbound}
    finally:
        procs.stop_all()


def lookup(owndns_bin, *args):
    return run([owndns_bin, "lookup", *args], timeout=30)


def lookup_at(owndns_bin, port, *args):
    return lookup(owndns_bin, "server=127.0.0.1@%d" % port, *FAST, *args)


def reference(port, name):
    """Addresses (A and AAAA) and canonical name as dnspython's resolver sees them."""
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = ["127.0.0.1"]
    r.port = port
    r.timeout = r.lifetime = 5
    addrs, canonical = set(), None
    for rdtype in ("A", "AAAA"):
        ans = r.resolve(name, rdtype, raise_on_no_answer=False, search=False)
        canonical = ans.canonical_name
        if ans.rrset is not None:
            addrs |= {rd.address for rd in ans.rrset}
    return addrs, canonical


def parse_host_lines(text):
    """(aliases as (source, target) pairs, [(owner, family, address)]) of host-style text."""
    aliases, addrs = [], []
    for line in text.splitlines():
        words = line.split()
        if words[1:5] == ["is", "an", "alias", "for"] and len(words) == 6:
            aliases.append((words[0], words[5]))
        elif words[1:3] == ["has", "address"] and len(words) == 4:
            addrs.append((words[0], "ipv4", words[3]))
        elif words[1:4] == ["has", "IPv6", "address"] and len(words) == 5:
            addrs.append((words[0], "ipv6", words[4]))
        else:
            raise AssertionError("unexpected line: %r" % line)
    return aliases, addrs


def all_names():
    return [("unbound", n) for n in UNBOUND_NAMES] + [("nsd", n) for n in NSD_NAMES]


IDS = ["%s-%s" % (s, n) for s, n in all_names()]


# ---- (a) same addresses and canonical name as dnspython --------------------------------

@pytest.mark.parametrize("server,name", all_names(), ids=IDS)
def test_text_matches_dnspython(owndns_bin, servers, server, name):
    port = servers[server]
    want_addrs, want_canonical = reference(port, name)
    r = lookup_at(owndns_bin, port, name)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    aliases, addrs = parse_host_lines(r.stdout)
    assert {a for _, _, a in addrs} == want_addrs
    assert len(addrs) == len(want_addrs)  # each address once
    # Every address line names the end of the chain, as host does (no final dot).
    assert {o.lower() for o, _, _ in addrs} == {want_canonical.to_text(omit_final_dot=True).lower()}
    # IPv4 lines come before IPv6 lines.
    families = [f for _, f, _ in addrs]
    assert families == sorted(families)
    asked = dns.name.from_text(name)
    if want_canonical == asked:
        assert aliases == []
    else:
        assert aliases == [(asked.to_text(omit_final_dot=True),
                            want_canonical.to_text())]


@pytest.mark.parametrize("server,name", all_names(), ids=IDS)
def test_json_matches_dnspython(owndns_bin, servers, server, name):
    port = servers[server]
    want_addrs, want_canonical = reference(port, name)
    r = lookup_at(owndns_bin, port, "json=yes", name)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert set(obj) == {"name", "status", "error", "canonical", "alias", "addresses"}
    assert obj["name"] == name and obj["status"] == "ok" and obj["error"] is None
    assert dns.name.from_text(obj["canonical"]) == want_canonical
    assert obj["canonical"].endswith(".")
    assert obj["alias"] == (want_canonical != dns.name.from_text(name))
    assert {a["address"] for a in obj["addresses"]} == want_addrs
    for a in obj["addresses"]:
        assert a["family"] == ("ipv6" if ":" in a["address"] else "ipv4")


def test_cname_chain_exact_output(owndns_bin, servers):
    r = lookup_at(owndns_bin, servers["unbound"], "c1.chain.test")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("c1.chain.test is an alias for c3.target.test.\n"
                        "c3.target.test has address 10.4.0.3\n"
                        "c3.target.test has IPv6 address 2001:db8:4::3\n")


def test_unfollowed_chain_is_not_chased(owndns_bin, servers):
    # Unbound answers p1 with its CNAME only; like glibc, the stub does not ask again
    # for the target, so the name has no address (dnspython's resolver agrees: NoAnswer).
    port = servers["unbound"]
    addrs, canonical = reference(port, "p1.lookup.test.")
    assert addrs == set() and canonical == dns.name.from_text("p2.lookup.test.")
    r = lookup_at(owndns_bin, port, "p1.lookup.test")
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr == "owndns lookup: p1.lookup.test: no address\n"


def test_nsd_chain_exact_output(owndns_bin, servers):
    r = lookup_at(owndns_bin, servers["nsd"], "alias.example.test.")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("alias.example.test is an alias for www.example.test.\n"
                        "www.example.test has address 192.0.2.1\n"
                        "www.example.test has address 192.0.2.2\n"
                        "www.example.test has IPv6 address 2001:db8::1\n")


def test_several_names_in_order(owndns_bin, servers):
    r = lookup_at(owndns_bin, servers["unbound"], "v4only.lookup.test", "name=v6only.lookup.test")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("v4only.lookup.test has address 10.1.0.4\n"
                        "v6only.lookup.test has IPv6 address 2001:db8:1::6\n")


def test_tcp_gives_the_same_answer(owndns_bin, servers):
    port = servers["unbound"]
    udp = lookup_at(owndns_bin, port, "both.lookup.test")
    tcp = lookup_at(owndns_bin, port, "tcp=yes", "both.lookup.test")
    assert tcp.returncode == 0, tcp.stderr
    assert tcp.stdout == udp.stdout


# ---- (b) family ----------------------------------------------------------------------------

@pytest.mark.parametrize("family,want", [
    ("ipv4", "both.lookup.test has address 10.1.0.1\nboth.lookup.test has address 10.1.0.2\n"),
    ("ipv6", "both.lookup.test has IPv6 address 2001:db8:1::1\n"),
])
def test_family_filters(owndns_bin, servers, family, want):
    r = lookup_at(owndns_bin, servers["unbound"], "family=" + family, "both.lookup.test")
    assert r.returncode == 0, r.stderr
    assert r.stdout == want


@pytest.mark.parametrize("name,family,reason", [
    ("v6only.lookup.test", "ipv4", "no IPv4 address"),
    ("v4only.lookup.test", "ipv6", "no IPv6 address"),
    ("txtonly.lookup.test", "any", "no address"),
])
def test_nodata_exits_2(owndns_bin, servers, name, family, reason):
    r = lookup_at(owndns_bin, servers["unbound"], "family=" + family, name)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr == "owndns lookup: %s: %s\n" % (name, reason)


def test_only_aaaa_with_any_family(owndns_bin, servers):
    r = lookup_at(owndns_bin, servers["unbound"], "v6only.lookup.test")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "v6only.lookup.test has IPv6 address 2001:db8:1::6\n"


# ---- (c) resolv.conf: search list and ndots -----------------------------------------------

def resolv_conf(tmp_path, port, *lines):
    path = tmp_path / "resolv.conf"
    path.write_text("nameserver 127.0.0.1@%d\n" % port + "".join(l + "\n" for l in lines) +
                    "options timeout:2 attempts:1\n", encoding="ascii")
    return str(path)


@pytest.mark.parametrize("search,ndots,name,want", [
    # fewer dots than ndots: the search list first
    ("search.test", 1, "www", "www.search.test has address 10.2.0.1\n"),
    ("first.test search.test", 1, "www", "www.search.test has address 10.2.0.1\n"),
    # at least ndots dots: the name as is first, then the search list
    ("search.test", 1, "dual.test", "dual.test has address 10.3.0.1\n"),
    ("search.test", 2, "dual.test", "dual.test.search.test has address 10.3.0.2\n"),
    # found only as is, after the search list answered NXDOMAIN
    ("search.test", 5, "both.lookup.test",
     "both.lookup.test has address 10.1.0.1\nboth.lookup.test has address 10.1.0.2\n"
     "both.lookup.test has IPv6 address 2001:db8:1::1\n"),
    # a search candidate that is an alias: the name is printed as given
    ("search.test chain.test", 1, "c1",
     "c1 is an alias for c3.target.test.\nc3.target.test has address 10.4.0.3\n"
     "c3.target.test has IPv6 address 2001:db8:4::3\n"),
])
def test_search_list(owndns_bin, servers, tmp_path, search, ndots, name, want):
    port = servers["unbound"]
    conf = resolv_conf(tmp_path, port, "search " + search, "options ndots:%d" % ndots)
    r = lookup(owndns_bin, "resolv-conf=" + conf, name)
    assert r.returncode == 0, r.stderr
    assert r.stdout == want
    # dnspython's resolver, with the same search list and ndots, lands on the same name.
    res = dns.resolver.Resolver(configure=False)
    res.nameservers, res.port = ["127.0.0.1"], port
    res.search = [dns.name.from_text(s) for s in search.split()]
    res.ndots = ndots
    ans = res.resolve(name, "A", search=True)
    assert {rd.address for rd in ans.rrset} <= {l.split()[-1] for l in r.stdout.splitlines()}


def test_search_moves_on_after_nodata(owndns_bin, servers, tmp_path):
    # split.first.test has only AAAA: for family=ipv4 that is NODATA, and the next
    # search domain answers (glibc's res_search does the same).
    conf = resolv_conf(tmp_path, servers["unbound"], "search first.test search.test")
    r = lookup(owndns_bin, "resolv-conf=" + conf, "family=ipv4", "split")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "split.search.test has address 10.2.0.9\n"
    r = lookup(owndns_bin, "resolv-conf=" + conf, "family=ipv6", "split")
    assert r.stdout == "split.first.test has IPv6 address 2001:db8:2::1\n"


def test_absolute_name_is_not_searched(owndns_bin, servers, tmp_path):
    conf = resolv_conf(tmp_path, servers["unbound"], "search search.test")
    r = lookup(owndns_bin, "resolv-conf=" + conf, "www.")
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr == "owndns lookup: www.: no such name\n"


def test_search_exhausted_is_nxdomain(owndns_bin, servers, tmp_path):
    conf = resolv_conf(tmp_path, servers["unbound"], "search first.test search.test")
    r = lookup(owndns_bin, "resolv-conf=" + conf, "nosuch")
    assert r.returncode == 2
    assert r.stderr == "owndns lookup: nosuch: no such name\n"


def test_server_key_replaces_resolv_conf_servers(owndns_bin, servers, tmp_path):
    # resolv.conf points at NSD (which knows nothing of search.test); server= sends the
    # query to Unbound while the search list still comes from the file.
    conf = resolv_conf(tmp_path, servers["nsd"], "search search.test")
    r = lookup(owndns_bin, "resolv-conf=" + conf, "server=127.0.0.1@%d" % servers["unbound"],
               "www")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "www.search.test has address 10.2.0.1\n"


# ---- (d) failures and exit status ------------------------------------------------------------

def test_nxdomain_exits_2(owndns_bin, servers):
    r = lookup_at(owndns_bin, servers["unbound"], "nosuch.lookup.test")
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr == "owndns lookup: nosuch.lookup.test: no such name\n"


def test_nxdomain_json(owndns_bin, servers):
    r = lookup_at(owndns_bin, servers["nsd"], "json=yes", "nope.example.test")
    assert r.returncode == 2
    assert json.loads(r.stdout) == {"name": "nope.example.test", "status": "nxdomain",
                                    "error": "no such name", "canonical": None,
                                    "alias": False, "addresses": []}
    assert r.stderr == "owndns lookup: nope.example.test: no such name\n"


def test_one_bad_name_among_good_ones(owndns_bin, servers):
    r = lookup_at(owndns_bin, servers["unbound"], "v4only.lookup.test", "nosuch.lookup.test",
                  "c3.target.test")
    assert r.returncode == 2
    assert r.stdout == ("v4only.lookup.test has address 10.1.0.4\n"
                        "c3.target.test has address 10.4.0.3\n"
                        "c3.target.test has IPv6 address 2001:db8:4::3\n")
    assert r.stderr == "owndns lookup: nosuch.lookup.test: no such name\n"


def test_no_server_exits_9(owndns_bin, servers):
    port = qs.free_port()  # nothing listens there
    r = lookup(owndns_bin, "server=127.0.0.1@%d" % port, "timeout=1", "tries=1",
               "both.lookup.test", "name=v4only.lookup.test")
    assert r.returncode == 9
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("owndns lookup: both.lookup.test: no server answered")


def test_worst_exit_wins(owndns_bin, servers):
    # a silent server: 9 beats the 2 of a missing name
    silent = qs.free_port()
    r = lookup(owndns_bin, "server=127.0.0.1@%d" % silent, "timeout=1", "tries=1", "nosuch.test")
    assert r.returncode == 9


def reply_with(build):
    def handler(wire):
        q = dns.message.from_wire(wire)
        resp = dns.message.make_response(q)
        build(q, resp)
        return resp.to_wire()
    return handler


def test_servfail_exits_9(owndns_bin, udp_server):
    def servfail(q, resp):
        resp.set_rcode(dns.rcode.SERVFAIL)
    srv = udp_server(reply_with(servfail))
    r = lookup(owndns_bin, "server=127.0.0.1@%d" % srv.port, *FAST, "x.test")
    assert r.returncode == 9
    assert r.stderr == "owndns lookup: x.test: server failure (SERVFAIL)\n"


def test_cname_loop_exits_2(owndns_bin, udp_server):
    def loop(q, resp):
        resp.answer.append(dns.rrset.from_text("a.loop.test.", 60, "IN", "CNAME", "b.loop.test."))
        resp.answer.append(dns.rrset.from_text("b.loop.test.", 60, "IN", "CNAME", "a.loop.test."))
    srv = udp_server(reply_with(loop))
    r = lookup(owndns_bin, "server=127.0.0.1@%d" % srv.port, *FAST, "a.loop.test")
    assert r.returncode == 2
    assert r.stderr == "owndns lookup: a.loop.test: CNAME chain too long or looping\n"


def test_tcp_yes_is_honoured(owndns_bin, udp_server):
    # The scripted server speaks UDP only: tcp=no resolves, tcp=yes finds no server.
    def answer(q, resp):
        resp.answer.append(dns.rrset.from_text(q.question[0].name, 60, "IN", "A", "10.9.9.9")
                           if q.question[0].rdtype == 1 else
                           dns.rrset.from_text(q.question[0].name, 60, "IN", "TXT", "x"))
    srv = udp_server(reply_with(answer))
    base = ["server=127.0.0.1@%d" % srv.port, *FAST, "family=ipv4", "x.test"]
    r = lookup(owndns_bin, *base)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "x.test has address 10.9.9.9\n"
    r = lookup(owndns_bin, "tcp=yes", *base)
    assert r.returncode == 9
    assert r.stdout == ""


@pytest.mark.parametrize("args", [[], ["family=ipv5", "x.test"], ["server=not-an-address", "x.test"],
                                  ["bad..name"], ["timeout=0", "x.test"], ["tries=21", "x.test"],
                                  ["resolv-conf=/nonexistent/resolv.conf", "x.test"],
                                  ["tcp=maybe", "x.test"],
                                  ["server=127.0.0.1@0", "x.test"]])
def test_usage_errors_exit_1(owndns_bin, args):
    r = lookup(owndns_bin, *args)
    assert r.returncode == 1, r.stdout
    assert len(r.stderr.splitlines()) == 1
    assert r.stderr.startswith("owndns lookup: ")
    assert r.stdout == ""


def test_help_lists_keys(owndns_bin):
    r = lookup(owndns_bin, "--help")
    assert r.returncode == 0
    for key in ("name=", "family=", "server=", "resolv-conf=", "timeout=", "tries=", "tcp=",
                "json="):
        assert key in r.stdout
