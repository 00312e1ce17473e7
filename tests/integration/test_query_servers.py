"""`owndns query` against real servers: NSD (authoritative) and Unbound (local-data),
both on 127.0.0.1, compared with dig and dnspython asking the same questions.

(a) `owndns query +short` prints exactly what `dig +short` prints;
(b) the records of the full output parse back with dnspython and equal the records
    dnspython receives for the same question; header lines match its rcode and flags;
(c) +json is valid JSON whose fields match dnspython's view of the answer;
(d) dig habits and key=value options reach the server (types, -x, +tcp, +norecurse,
    several questions on one line);
(e) exit status: 0 for NXDOMAIN, 9 when no server answers, 1 for usage errors, each
    failure with one line on stderr;
(f) dig's display toggles (+noall +answer, +[no]question ... +[no]stats, +[no]cmd,
    +nottlid, +nocl, +ttlunits) and query options print what dig prints, byte for byte
    but for the ID, cookies, timing and version, and put the same query on the wire;
    options owndns does not have are named in a usage error;
(g) a port where nothing listens (ICMP port unreachable, or a TCP reset on connect):
    each try ends at once, and owndns prints what dig prints ("communications error
    to ...: connection refused", on stdout like dig), exit 9; a second server that
    answers is asked at once.
"""
import json
import re
import socket
import time

import dns.flags
import dns.message
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest

from conftest import run
import query_support as qs

QUERY_TIMEOUT = ["+timeout=3", "+tries=2"]
COOKIE = 10

NSD_QUESTIONS = [
    ("www.example.test.", "A"),
    ("www.example.test.", "AAAA"),
    ("example.test.", "MX"),
    ("example.test.", "SOA"),
    ("example.test.", "NS"),
    ("txt.example.test.", "TXT"),
    ("long.example.test.", "TXT"),
    ("_sip._tcp.example.test.", "SRV"),
    ("alias.example.test.", "A"),          # CNAME chain inside the zone
    ("nope.example.test.", "A"),           # NXDOMAIN
    ("v4only.example.test.", "AAAA"),      # NODATA
    ("big.example.test.", "TXT"),          # only TCP carries it whole
    ("www.example.test.", "TYPE65000"),
]

UNBOUND_QUESTIONS = [
    ("a.local.test.", "A"),
    ("a.local.test.", "AAAA"),
    ("a.local.test.", "TXT"),
    ("b.local.test.", "A"),
    ("mx.local.test.", "MX"),
    ("missing.local.test.", "A"),
    ("1.0.0.10.in-addr.arpa.", "PTR"),
]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    from conftest import Processes
    procs = Processes()
    try:
        nsd = qs.start_nsd(procs, tmp_path_factory.mktemp("nsd"))
        unbound = qs.start_unbound(procs, tmp_path_factory.mktemp("unbound"))
        yield {"nsd": nsd, "unbound": unbound}
    finally:
        procs.stop_all()


def owndns(owndns_bin, port, *args):
    return run([owndns_bin, "query", "@127.0.0.1", "-p", str(port), *QUERY_TIMEOUT, *args],
               timeout=30)


def dig(port, *args):
    return run(["dig", "@127.0.0.1", "-p", str(port), *QUERY_TIMEOUT, *args], timeout=30)


def all_questions():
    return [("nsd", q) for q in NSD_QUESTIONS] + [("unbound", q) for q in UNBOUND_QUESTIONS]


# ---- (a) +short equals dig +short -------------------------------------------------

@pytest.mark.parametrize("server,question", all_questions(),
                         ids=["%s-%s-%s" % (s, q[0], q[1]) for s, q in all_questions()])
def test_short_matches_dig(owndns_bin, servers, server, question):
    port = servers[server]
    name, qtype = question
    ours = owndns(owndns_bin, port, name, qtype, "+short")
    theirs = dig(port, name, qtype, "+short")
    assert theirs.returncode == 0, theirs.stderr
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout
    assert ours.stderr == ""


def test_several_questions_on_one_line(owndns_bin, servers):
    port = servers["nsd"]
    args = ["www.example.test", "txt.example.test", "TXT", "example.test", "MX", "+short"]
    ours = owndns(owndns_bin, port, *args)
    theirs = dig(port, *args)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout
    assert "192.0.2.1" in ours.stdout and "hello world" in ours.stdout and "mail" in ours.stdout


def test_options_after_a_name_are_local(owndns_bin, servers):
    # +norecurse after the second name applies to it only; +short (output form) applies
    # to the whole run wherever it stands, as in dig.
    port = servers["unbound"]
    r = owndns(owndns_bin, port, "a.local.test", "b.local.test", "+norecurse", "+json")
    assert r.returncode == 0, r.stderr
    flags = [json.loads(l)["flags"] for l in r.stdout.splitlines()]
    assert "rd" in flags[0] and "rd" not in flags[1]


def test_key_value_form(owndns_bin, servers):
    port = servers["nsd"]
    r = run([owndns_bin, "query", "domain=www.example.test", "server=127.0.0.1@%d" % port,
             "type=AAAA", "short=yes", "timeout=3", "tries=1"], timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "2001:db8::1\n"


@pytest.mark.parametrize("addr,expected", [("10.0.0.1", "a.local.test.\n"),
                                           ("2001:db8::1", "v6.local.test.\n")])
def test_reverse_lookup(owndns_bin, servers, addr, expected):
    port = servers["unbound"]
    r = owndns(owndns_bin, port, "-x", addr, "+short")
    assert r.returncode == 0, r.stderr
    assert r.stdout == expected
    assert r.stdout == dig(port, "-x", addr, "+short").stdout


# ---- (b) full output parses back ----------------------------------------------------

SECTION_TITLES = {";; ANSWER SECTION:": "answer", ";; AUTHORITY SECTION:": "authority",
                  ";; ADDITIONAL SECTION:": "additional"}


def parse_full_output(text):
    """Header fields and records per section of dig-style output."""
    out = {"answer": [], "authority": [], "additional": [], "header": None, "flags": None}
    section = None
    for line in text.splitlines():
        if line.startswith(";; ->>HEADER<<-"):
            out["header"] = line
        elif line.startswith(";; flags:"):
            out["flags"] = line[len(";; flags:"):].split(";")[0].split()
        elif line in SECTION_TITLES:
            section = SECTION_TITLES[line]
        elif not line:
            section = None
        elif section and not line.startswith(";"):
            name, ttl, rdclass, rdtype, rdata = line.split(None, 4)
            out[section].append(dns.rrset.from_text(name, int(ttl), rdclass, rdtype, rdata))
    return out


def rr_set(rrsets):
    """(name, ttl, class, type, rdata) of every record, order ignored."""
    items = set()
    for rrset in rrsets:
        if rrset.rdtype == dns.rdatatype.OPT:
            continue
        for rd in rrset:
            items.add((rrset.name.to_text().lower(), rrset.ttl, rrset.rdclass, rrset.rdtype, rd))
    return items


@pytest.mark.parametrize("server,question", all_questions(),
                         ids=["%s-%s-%s" % (s, q[0], q[1]) for s, q in all_questions()])
def test_full_output_parses_back(owndns_bin, servers, server, question):
    port = servers[server]
    name, qtype = question
    big = name.startswith("big.")
    r = owndns(owndns_bin, port, name, qtype)
    assert r.returncode == 0, r.stderr
    ours = parse_full_output(r.stdout)
    ref = qs.query_dnspython(port, name, qtype, tcp=big)
    assert ours["header"] is not None
    assert "status: %s," % dns.rcode.to_text(ref.rcode()) in ours["header"]
    assert set(ours["flags"]) == set(dns.flags.to_text(ref.flags).lower().split())
    for section in ("answer", "authority", "additional"):
        assert rr_set(ours[section]) == rr_set(getattr(ref, section)), section
    assert ";; SERVER: 127.0.0.1#%d(127.0.0.1) (%s)" % (port, "TCP" if big else "UDP") in r.stdout
    assert ";; MSG SIZE  rcvd: " in r.stdout


def test_full_output_header_lines_like_dig(owndns_bin, servers):
    # Same lines as dig from the HEADER line to the end of the sections, except the ID.
    port = servers["nsd"]
    ours = owndns(owndns_bin, port, "alias.example.test", "+nocookie")
    theirs = dig(port, "alias.example.test", "+nocookie")

    def body(text):
        lines = text.splitlines()
        start = next(i for i, l in enumerate(lines) if l.startswith(";; ->>HEADER<<-"))
        end = next(i for i, l in enumerate(lines) if l.startswith(";; Query time:"))
        lines = lines[start:end]
        lines[0] = lines[0].rsplit("id:", 1)[0]
        return lines

    assert body(ours.stdout) == body(theirs.stdout)


# ---- (c) JSON -------------------------------------------------------------------------

@pytest.mark.parametrize("server,question", all_questions(),
                         ids=["%s-%s-%s" % (s, q[0], q[1]) for s, q in all_questions()])
def test_json_matches_dnspython(owndns_bin, servers, server, question):
    port = servers[server]
    name, qtype = question
    big = name.startswith("big.")
    r = owndns(owndns_bin, port, name, qtype, "+json")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    ref = qs.query_dnspython(port, name, qtype, tcp=big)
    assert obj["status"] == dns.rcode.to_text(ref.rcode())
    assert obj["opcode"] == "QUERY"
    assert isinstance(obj["id"], int) and 0 <= obj["id"] <= 65535
    assert obj["question"] == [{"name": name, "type": qtype, "class": "IN"}]
    assert "qr" in obj["flags"] and ("aa" in obj["flags"]) == bool(ref.flags & dns.flags.AA)
    for section in ("answer", "authority", "additional"):
        got = set()
        for rec in obj[section]:
            rd = dns.rdata.from_text(rec["class"], rec["type"], rec["data"])
            got.add((rec["name"].lower(), rec["ttl"], dns.rdataclass.from_text(rec["class"]),
                     dns.rdatatype.from_text(rec["type"]), rd))
        assert got == rr_set(getattr(ref, section)), section
    assert obj["edns"]["version"] == 0 and obj["edns"]["udp_size"] == ref.payload
    assert obj["server"] == "127.0.0.1" and obj["port"] == port
    assert obj["transport"] == ("tcp" if big else "udp")
    assert obj["msg_size"] > 12 and obj["query_time_ms"] >= 0


def test_json_one_object_per_question(owndns_bin, servers):
    port = servers["unbound"]
    r = owndns(owndns_bin, port, "+json", "a.local.test", "b.local.test", "missing.local.test")
    assert r.returncode == 0, r.stderr
    objs = [json.loads(l) for l in r.stdout.splitlines()]
    assert [o["question"][0]["name"] for o in objs] == ["a.local.test.", "b.local.test.",
                                                       "missing.local.test."]
    assert [o["status"] for o in objs] == ["NOERROR", "NOERROR", "NXDOMAIN"]
    assert objs[1]["answer"][0] == {"name": "b.local.test.", "ttl": 60, "class": "IN",
                                    "type": "CNAME", "data": "a.local.test."}


# ---- (d) flags reach the server ---------------------------------------------------------

def test_tcp_and_norecurse(owndns_bin, servers):
    port = servers["unbound"]
    r = owndns(owndns_bin, port, "a.local.test", "+tcp", "+norecurse", "+json")
    assert r.returncode == 0, r.stderr
    obj = json.loads(r.stdout)
    assert obj["transport"] == "tcp"
    assert "rd" not in obj["flags"]
    r = owndns(owndns_bin, port, "a.local.test", "+json")
    assert "rd" in json.loads(r.stdout)["flags"]


def test_dnssec_sets_do(owndns_bin, servers):
    port = servers["unbound"]
    r = owndns(owndns_bin, port, "a.local.test", "+dnssec")
    assert r.returncode == 0, r.stderr
    assert "; EDNS: version: 0, flags: do; udp: " in r.stdout


def option_line(text, prefix):
    return [l for l in text.splitlines() if l.startswith(prefix)]


def test_nsid_like_dig(owndns_bin, servers):
    port = servers["unbound"]
    ours = owndns(owndns_bin, port, "a.local.test", "+nsid")
    theirs = dig(port, "a.local.test", "+nsid")
    assert ours.returncode == 0, ours.stderr
    assert option_line(ours.stdout, "; NSID:") == option_line(theirs.stdout, "; NSID:")
    assert option_line(ours.stdout, "; NSID:") == [
        '; NSID: 75 6e 62 6f 75 6e 64 2d 74 65 73 74 ("unbound-test")']
    # (Unbound 1.17 sends no cookies; test_query_dig_format checks their printing.)


def test_noedns(owndns_bin, servers):
    port = servers["nsd"]
    r = owndns(owndns_bin, port, "www.example.test", "+noedns", "+json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["edns"] is None


# ---- (e) exit status ------------------------------------------------------------------

def test_nxdomain_exits_zero(owndns_bin, servers):
    r = owndns(owndns_bin, servers["nsd"], "nope.example.test")
    assert r.returncode == 0
    assert "status: NXDOMAIN" in r.stdout
    assert r.stderr == ""


def test_no_server_exits_9(owndns_bin):
    # Bound but never read: the query times out (a closed port refuses, see (g)).
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        port = silent.getsockname()[1]
        r = run([owndns_bin, "query", "@127.0.0.1", "-p", str(port), "+timeout=1",
                 "+tries=1", "www.example.test"], timeout=30)
    assert r.returncode == 9
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(";; ")
    assert "no servers could be reached" in lines[0]


@pytest.mark.parametrize("args", [["+bogus", "example.test"], ["-t"], ["-t", "NOSUCHTYPE"],
                                  ["-x", "not-an-address"], ["@not-an-address", "example.test"],
                                  ["-p", "0", "example.test"], ["+timeout=0", "example.test"],
                                  ["-z", "example.test"], ["tries=0"], ["bad..name"],
                                  ["example.test", "AXFR"]])
def test_usage_errors_exit_1(owndns_bin, args):
    r = run([owndns_bin, "query", *args], timeout=30)
    assert r.returncode == 1, r.stdout
    assert len(r.stderr.splitlines()) == 1
    assert r.stdout == ""


# ---- (f) dig's display and query options, byte for byte against dig ---------------------

def masked(text):
    """dig's output with what legitimately differs masked: the program and version in
    the banner, the message ID, the cookies (random client part, server part derived
    from it), the query time and the clock."""
    text = re.sub(r"(?m)^; <<>> .*? <<>> ", "; <<>> PROGRAM <<>> ", text)
    text = re.sub(r"id: \d+", "id: ID", text)
    text = re.sub(r"(?m)^; COOKIE: .*$", "; COOKIE: COOKIE", text)
    text = re.sub(r"(?m)^;; Query time: \d+ msec$", ";; Query time: T msec", text)
    return re.sub(r"(?m)^;; WHEN: .*$", ";; WHEN: W", text)


DISPLAY_OPTIONS = [
    [],
    ["+noall", "+answer"],
    ["+noall", "+answer", "+question"],
    ["+noall", "+authority", "+additional"],
    ["+noall", "+comments"],
    ["+noall", "+stats"],
    ["+noall", "+cmd"],
    ["+nocomments"],
    ["+nostats"],
    ["+nocmd"],
    ["+noquestion", "+noadditional"],
    ["+noanswer", "+noauthority"],
    ["+nottlid"],
    ["+nocl"],
    ["+nocl", "+nottlid"],
    ["+ttlunits"],
    ["+noall", "+answer", "+ttlunits", "+nocl"],
    ["+norecurse", "+noall", "+comments", "+answer"],
    ["+dnssec", "+noall", "+comments"],
    ["+do", "+noall", "+comments"],
    ["+cd", "+noall", "+comments"],
    ["+noadflag", "+noall", "+comments"],
    ["+nocookie"],
    ["+noedns"],
    ["+edns=0", "+noall", "+comments"],
    ["+bufsize=4096", "+noall", "+comments"],
    ["+tcp"],
    ["+vc", "+notcp"],
    ["+time=2", "+retry=1", "+noall", "+answer"],
    ["+ignore", "+noall", "+answer"],
    ["-4", "+noall", "+answer"],
    ["-r", "+noall", "+answer"],
    ["+nomultiline", "+notrace", "+noidentify", "+noall", "+answer"],
    ["+noclass", "+nocom", "+noqu", "+nost"],  # dig's longer and shorter spellings
]

DISPLAY_QUESTIONS = [
    ("nsd", ["example.test.", "MX"]),           # answer, authority and additional
    ("nsd", ["-t", "NS", "-q", "example.test."]),
    ("nsd", ["nope.example.test.", "-c", "IN"]),  # NXDOMAIN with SOA in authority
    ("unbound", ["-x", "10.0.0.1"]),
    ("unbound", ["-x", "2001:db8::1"]),
    ("unbound", ["a.local.test.", "A", "mx.local.test.", "MX"]),
]


@pytest.mark.parametrize("server,question", DISPLAY_QUESTIONS,
                         ids=lambda v: v if isinstance(v, str) else "_".join(v))
@pytest.mark.parametrize("opts", DISPLAY_OPTIONS, ids=lambda v: "_".join(v) or "default")
def test_dig_options_output_like_dig(owndns_bin, servers, server, question, opts):
    port = servers[server]
    args = [*opts, *question]
    ours = owndns(owndns_bin, port, *args)
    theirs = dig(port, *args)
    assert ours.returncode == theirs.returncode == 0, (ours.stderr, theirs.stderr)
    assert ours.stderr == ""
    assert masked(ours.stdout) == masked(theirs.stdout)


def test_options_after_name_like_dig(owndns_bin, servers):
    # Display toggles after a name are that question's, +nocmd is the whole run's.
    port = servers["nsd"]
    args = ["www.example.test.", "+noall", "+answer", "example.test.", "MX", "+nostats",
            "+noadditional", "+nocmd"]
    ours = owndns(owndns_bin, port, *args)
    theirs = dig(port, *args)
    assert ours.returncode == 0, ours.stderr
    assert masked(ours.stdout) == masked(theirs.stdout)


def test_columns_like_dig(owndns_bin, udp_server):
    # Owner names of every length around the tab stops, and TTLs that need every unit
    # (and zero): the columns of +nottlid, +nocl and +ttlunits must be dig's to the octet.
    ttls = [0, 59, 90061, 604800, 1209601, 2147483647]

    def owner(n):
        """An absolute name of about n characters, in labels of at most 50."""
        labels = ["a" * min(n - i, 50) for i in range(0, n, 51)]
        return ".".join(labels) + "."

    def answer(wire):
        q = dns.message.from_wire(wire)
        r = dns.message.make_response(q)
        r.answer = [dns.rrset.from_text(owner(n), ttls[n % len(ttls)], "IN", "A", "192.0.2.1")
                    for n in range(1, 75)]
        return r.to_wire()

    server = udp_server(answer)
    questions = ["q.example.", "a" * 14 + ".example.", "a" * 21 + ".example.", "b" * 61 + "."]
    for opts in ([], ["+ttlunits"], ["+ttlunits", "+nocl"], ["+nottlid", "+ttlunits"],
                 ["+ttlunits", "+nottlid"], ["+nottlid", "+nottlunits"], ["+nocl"],
                 ["+nottlid"], ["+nocl", "+nottlid"]):
        args = ["@127.0.0.1", "-p", str(server.port), "+tries=1", "+time=3", "+noall",
                "+answer", "+question", "+bufsize=4096", *opts, *questions]
        ours = run([owndns_bin, "query", *args], timeout=30)
        theirs = run(["dig", *args], timeout=30)
        assert ours.returncode == 0, ours.stderr
        assert ours.stdout == theirs.stdout, opts
        units = opts[-1:] == ["+ttlunits"] or opts == ["+ttlunits", "+nocl"]
        assert ("3550w5d3h14m7s" in ours.stdout) == units, opts


@pytest.mark.parametrize("opts", [
    [], ["+norecurse"], ["+rec"], ["+dnssec"], ["+do"], ["+cd"], ["+cdflag"], ["+adflag"],
    ["+noadflag"], ["+nsid"], ["+nocookie"], ["+noedns"], ["+edns=0"], ["+edns"],
    ["+bufsize=4096"], ["+bufsize=512"], ["+nodnssec"],
    ["+subnet=192.0.2.0/24"], ["+subnet=192.0.2.77/24"], ["+subnet=192.0.2.1"],
    ["+subnet=2001:db8::/48"], ["+subnet=2001:db8::1"], ["+subnet=0"], ["+subnet=10.1.2.3/0"],
    ["+nsid", "+subnet=10.1.2.3/20"], ["+subnet=192.0.2.0/24", "+nosubnet"],
    ["+noedns", "+subnet=192.0.2.0/24"], ["+subnet=192.0.2.0/24", "+noedns"],
], ids=lambda v: "_".join(v) or "default")
def test_query_on_the_wire_like_dig(owndns_bin, udp_server, opts):
    # The query as a server sees it: header flags, EDNS version, flags, payload size and
    # option codes equal dig's for the same options.
    seen = []

    def answer(wire):
        q = dns.message.from_wire(wire)
        seen.append(q)
        return dns.message.make_response(q).to_wire()

    server = udp_server(answer)
    args = ["@127.0.0.1", "-p", str(server.port), "+tries=1", "+time=3", "+short", *opts,
            "q.example."]
    for cmd in (["dig"], [owndns_bin, "query"]):
        r = run([*cmd, *args], timeout=30)
        assert r.returncode == 0, r.stderr
    theirs, ours = seen

    def shape(q):
        # Options in order, with their data but for the random cookie.
        options = [(int(o.otype), b"" if o.otype == COOKIE else o.to_wire())
                   for o in q.options]
        return (q.flags, q.edns, q.ednsflags, q.payload if q.edns >= 0 else None, options)

    assert shape(ours) == shape(theirs)


@pytest.mark.parametrize("args,word", [
    (["+trace", "example.test"], "+trace"),
    (["+subnet=192.0.2.0/33", "example.test"], "+subnet=192.0.2.0/33"),
    (["+subnet=host.example", "example.test"], "+subnet=host.example"),
    (["+multiline", "example.test"], "+multiline"),
    (["+edns=1", "example.test"], "+edns=1"),
    (["+frobnicate", "example.test"], "+frobnicate"),
    (["-b", "127.0.0.1", "example.test"], "-b"),
    (["-f", "names.txt"], "-f"),
    (["-k", "key.conf", "example.test"], "-k"),
    (["+short=yes", "example.test"], "+short=yes"),
    (["+nocrypto", "example.test"], "+nocrypto"),
    (["+ttl", "example.test"], "+ttl"),
])
def test_unsupported_or_unknown_option_named(owndns_bin, args, word):
    r = run([owndns_bin, "query", *args], timeout=30)
    assert r.returncode == 1, r.stdout
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and word in lines[0], r.stderr


# ---- (g) nothing listens: dig's "connection refused", at once ----------------------------

REFUSED_TIMEOUT = "+timeout=5"  # a refusal must not wait for it


def closed_port(host="127.0.0.1"):
    """A UDP port where nothing listens (bound once to find a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def ipv6_loopback_works():
    try:
        closed_port("::1")
        return True
    except OSError:
        return False


def timed(cmd):
    start = time.monotonic()
    r = run(cmd, timeout=60)
    return r, time.monotonic() - start


def masked_servers_found(text):
    """masked(), and dig's "(N servers found)", which counts otherwise than owndns for
    more than one @server."""
    return re.sub(r"(?m)^; \(\d+ servers? found\)$", "; (N servers found)", masked(text))


def assert_refused_like_dig(owndns_bin, args, exit_status=9):
    ours, elapsed = timed([owndns_bin, "query", *args])
    theirs = run(["dig", *args], timeout=60)
    assert theirs.returncode == exit_status, (theirs.stdout, theirs.stderr)
    assert ours.returncode == exit_status, (ours.stdout, ours.stderr)
    assert ours.stderr == theirs.stderr == ""
    assert masked_servers_found(ours.stdout) == masked_servers_found(theirs.stdout)
    assert "connection refused" in ours.stdout
    assert elapsed < 1.0, elapsed
    return ours


REFUSED_OPTIONS = [
    [],                   # dig's three tries: three lines
    ["+tries=1"],
    ["+retry=0"],
    ["+short"],           # dig shows its +cmd lines even so
    ["+tcp"],             # a reset on connect
    ["+tcp", "+tries=1"],
    ["-4"],
]


@pytest.mark.parametrize("opts", REFUSED_OPTIONS, ids=lambda v: "_".join(v) or "default")
def test_closed_port_refused_like_dig(owndns_bin, opts):
    port = closed_port()
    r = assert_refused_like_dig(owndns_bin, ["@127.0.0.1", "-p", str(port), REFUSED_TIMEOUT,
                                             *opts, "www.example.test"])
    tries = 1 if "+tries=1" in opts or "+retry=0" in opts else 3
    assert r.stdout.count("connection refused") == tries


def test_closed_port_name_as_given_over_tcp(owndns_bin):
    # dig names the question in its TCP line as it was typed.
    port = closed_port()
    assert_refused_like_dig(owndns_bin, ["@127.0.0.1", "-p", str(port), REFUSED_TIMEOUT,
                                         "+tcp", "+tries=1", "WwW.Example.TEST"])


@pytest.mark.skipif(not ipv6_loopback_works(), reason="no ::1 here")
@pytest.mark.parametrize("opts", [[], ["-6"], ["-6", "+tcp", "+tries=1"]],
                         ids=lambda v: "_".join(v) or "default")
def test_closed_port_on_ipv6_refused_like_dig(owndns_bin, opts):
    port = closed_port("::1")
    assert_refused_like_dig(owndns_bin, [*opts, "@::1", "-p", str(port), REFUSED_TIMEOUT,
                                         "www.example.test"])


def test_ipv6_server_with_dash_4_is_a_usage_error(owndns_bin):
    args = ["-4", "@::1", "-p", str(closed_port()), "www.example.test"]
    ours = run([owndns_bin, "query", *args], timeout=30)
    theirs = run(["dig", *args], timeout=30)
    assert ours.returncode == theirs.returncode == 1
    assert ours.stdout == theirs.stdout == ""
    assert len(ours.stderr.splitlines()) == 1


@pytest.mark.parametrize("opts", [["+tries=1"], ["+tcp", "+tries=1"], ["+tries=1", "+short"]],
                         ids=lambda v: "_".join(v))
def test_refusing_first_server_then_answer_like_dig(owndns_bin, servers, opts):
    # NSD listens on 127.0.0.1 only: 127.0.0.2 at its port refuses.
    port = servers["nsd"]
    args = ["@127.0.0.2", "@127.0.0.1", "-p", str(port), REFUSED_TIMEOUT, *opts,
            "www.example.test"]
    ours, elapsed = timed([owndns_bin, "query", *args])
    theirs = run(["dig", *args], timeout=60)
    assert ours.returncode == theirs.returncode == 0, (ours.stdout, ours.stderr)
    assert ours.stderr == theirs.stderr == ""
    assert masked_servers_found(ours.stdout) == masked_servers_found(theirs.stdout)
    assert "127.0.0.2#%d" % port in ours.stdout and "192.0.2.1" in ours.stdout
    assert elapsed < 1.0, elapsed
