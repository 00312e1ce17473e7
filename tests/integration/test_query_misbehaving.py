"""The stub client's defences, proved from outside: `owndns query` against the scripted
misbehaving server of misbehaving_server.py (dnspython, UDP and TCP on 127.0.0.1/::1).

(a) answers with the wrong ID, the wrong question, QR=0, from the wrong port or address,
    with another client cookie, garbage or cut short are ignored and the good answer
    that follows is printed; when only such answers come, owndns gives up after
    timeout x tries with exit 9 (or 10 when all it heard was malformed: a message with
    our ID that does not parse; less than a header is garbage) and one line on stderr;
(b) TC=1 moves the same question to TCP; +tcp asks over TCP only; a lost query is
    asked again; timeouts, SERVFAIL and REFUSED move on to the next server;
(c) IDs and source ports are random, and new for every try (as dig's): a late answer to
    an earlier try is not taken;
(d) EDNS and header flags of the query, seen by the server;
(e) IPv6 (::1), -4/-6 and the servers of /etc/resolv.conf (in a mount namespace).
"""
import json
import shutil
import socket
import subprocess
import time

import dns.flags
import dns.rdatatype
import pytest

from conftest import run
from misbehaving_server import BAD_ADDR, GOOD_ADDR, MisbehavingServer, option_map

COOKIE, NSID = 10, 3
SLACK = 1.0  # seconds allowed beyond timeout x tries (process start, scheduling)


@pytest.fixture
def servers():
    """Starts MisbehavingServers; all are stopped (thread joined, sockets closed) at the end."""
    started = []

    def start(**kwargs):
        s = MisbehavingServer(**kwargs)
        started.append(s)
        return s

    yield start
    errors = []
    for s in started:
        errors += s.errors
        s.stop()
    assert errors == []


def query(owndns_bin, server, *args, timeout=1, tries=2, host="127.0.0.1"):
    """Runs `owndns query @host -p PORT +timeout +tries args`; returns (result, seconds)."""
    cmd = [owndns_bin, "query", "@" + host, "-p", str(server.port), "+timeout=%d" % timeout,
           "+tries=%d" % tries, *args]
    start = time.monotonic()
    r = run(cmd, timeout=60)
    return r, time.monotonic() - start


def transports(server):
    return [e.transport for e in server.queries()]


def one_stderr_line(r):
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(";; "), r.stderr
    return lines[0]


# ---- (a) bad answers are ignored ---------------------------------------------------------

# Each sends 192.0.2.66 (or nothing readable); exit status when nothing else comes.
BAD_ANSWERS = {
    "wrong_id": 9,
    "wrong_name": 9,
    "wrong_type": 9,
    "wrong_class": 9,
    "no_question": 9,
    "qr0": 9,
    "other_port": 9,
    "other_addr": 9,
    "bad_cookie": 9,
    "garbage": 9,        # random bytes: another ID
    "garbage_id": 10,    # right ID, nothing parsable after the header
    "short": 9,          # 7 octets, less than a header: garbage, not an answer
    "cut": 10,           # last record cut short
    "rdlen_overrun": 10,  # RDLENGTH runs past the end
}


@pytest.mark.parametrize("bad", sorted(BAD_ANSWERS))
def test_bad_answers_then_good_one(owndns_bin, servers, bad):
    # Two bad answers, then the good one, all to the same (first) query: the bad ones
    # must neither be taken nor end the try.
    server = servers(udp=[[bad, bad, "good"]])
    r, elapsed = query(owndns_bin, server, "www.example.", "+short", timeout=3, tries=2)
    assert r.returncode == 0, r.stderr
    assert r.stdout == GOOD_ADDR + "\n"
    assert r.stderr == ""
    assert transports(server) == ["udp"]
    assert elapsed < 2.0


@pytest.mark.parametrize("bad", sorted(BAD_ANSWERS))
def test_only_bad_answers_fail_within_deadline(owndns_bin, servers, bad):
    server = servers(udp=[[bad]])
    r, elapsed = query(owndns_bin, server, "www.example.", timeout=1, tries=2)
    assert r.returncode == BAD_ANSWERS[bad], (r.stdout, r.stderr)
    assert r.stdout == ""
    line = one_stderr_line(r)
    if BAD_ANSWERS[bad] == 9:
        assert line == (";; communications error to 127.0.0.1#%d: timed out; "
                        "no servers could be reached" % server.port)
    else:
        assert line == ";; only malformed responses received"
    # One query per try, and the whole run within timeout x tries.
    assert transports(server) == ["udp", "udp"]
    assert 1.9 <= elapsed <= 2 + SLACK, elapsed
    sent = server.queries()
    assert sent[1].time - sent[0].time >= 0.9


def test_flood_of_bad_answers_does_not_stretch_the_deadline(owndns_bin, servers):
    # Wrong-ID answers keep coming every 20 ms for 2 s: each wakes the client, none may
    # push its timer back.
    server = servers(udp=[["wrong_id", "delay=0.02"] * 100])
    r, elapsed = query(owndns_bin, server, "www.example.", timeout=1, tries=1)
    assert r.returncode == 9
    one_stderr_line(r)
    assert 0.9 <= elapsed <= 1 + SLACK


def test_bad_answer_full_output_shows_only_good(owndns_bin, servers):
    # The printed message is the good one: its ID is the query's, 192.0.2.66 is absent.
    server = servers(udp=[["wrong_id", "other_port", "wrong_name", "qr0", "good"]])
    r, _ = query(owndns_bin, server, "www.example.", timeout=3)
    assert r.returncode == 0, r.stderr
    assert BAD_ADDR not in r.stdout
    assert "www.example.\t\t300\tIN\tA\t%s\n" % GOOD_ADDR in r.stdout
    assert ", id: %d\n" % server.queries()[0].id in r.stdout


# ---- (b) TCP, retries and several servers --------------------------------------------------

BIG_TXT = [("big.example.", 300, "IN", "TXT", '"%02d%s"' % (i, "x" * 98)) for i in range(40)]


def test_tc_retries_same_question_over_tcp(owndns_bin, servers):
    server = servers(udp=[["tc"]], tcp=[["good"]], answer=BIG_TXT)
    r, _ = query(owndns_bin, server, "big.example.", "TXT", timeout=3)
    assert r.returncode == 0, r.stderr
    udp, tcp = server.queries()
    assert (udp.transport, tcp.transport) == ("udp", "tcp")
    assert tcp.msg.question == udp.msg.question
    assert tcp.msg.question[0].rdtype == dns.rdatatype.TXT
    assert ";; SERVER: 127.0.0.1#%d(127.0.0.1) (TCP)" % server.port in r.stdout
    assert sum(1 for l in r.stdout.splitlines() if "\tIN\tTXT\t" in l) == 40
    assert ";; MSG SIZE  rcvd: %d\n" % len(server.responder.response(tcp.msg).to_wire(max_size=65535)) \
        in r.stdout


def test_tcp_only(owndns_bin, servers):
    server = servers(udp=[["good"]], tcp=[["good"]])
    for args in (["+tcp"], ["tcp=yes"]):
        r, _ = query(owndns_bin, server, "www.example.", "+short", *args)
        assert r.returncode == 0, r.stderr
        assert r.stdout == GOOD_ADDR + "\n"
    assert transports(server) == ["tcp", "tcp"]


def test_tcp_bad_answer_then_good_on_same_connection(owndns_bin, servers):
    server = servers(tcp=[["wrong_id", "wrong_name", "good"]])
    r, elapsed = query(owndns_bin, server, "www.example.", "+tcp", "+short", timeout=3)
    assert r.returncode == 0, r.stderr
    assert r.stdout == GOOD_ADDR + "\n"
    assert transports(server) == ["tcp"] and elapsed < 2.0


@pytest.mark.parametrize("behaviour", ["drop", "tcp_partial"])
def test_tcp_silent_or_stalled_times_out(owndns_bin, servers, behaviour):
    server = servers(tcp=[[behaviour]])
    r, elapsed = query(owndns_bin, server, "www.example.", "+tcp", timeout=1, tries=2)
    assert r.returncode == 9
    assert r.stdout == ""
    assert one_stderr_line(r).startswith(";; communications error to 127.0.0.1#%d: timed out"
                                         % server.port)
    assert transports(server) == ["tcp", "tcp"]
    assert 1.9 <= elapsed <= 2 + SLACK


def test_tcp_closed_without_answer_moves_on(owndns_bin, servers):
    # The connection closes unanswered: the next try starts at once, no timeout waited.
    server = servers(udp=[["tc"]], tcp=[["close"], ["good"]])
    r, elapsed = query(owndns_bin, server, "www.example.", "+short", timeout=3, tries=2)
    assert r.returncode == 0, r.stderr
    assert r.stdout == GOOD_ADDR + "\n"
    assert transports(server) == ["udp", "tcp", "udp", "tcp"]
    assert elapsed < 2.0


def test_malformed_tcp_answer_with_tc_is_not_accepted(owndns_bin, servers):
    # Over TCP the first connection brings a malformed message with TC=1, the second a
    # good answer.  A malformed message is never an answer, TC or not.
    server = servers(udp=[["tc"]], tcp=[["tc_garbage"], ["good"]])
    r, _ = query(owndns_bin, server, "www.example.", "+short", timeout=1, tries=2)
    assert r.returncode == 0, r.stderr
    assert r.stdout == GOOD_ADDR + "\n"


def test_malformed_tcp_answer_only_fails_cleanly(owndns_bin, servers):
    server = servers(udp=[["tc"]], tcp=[["tc_garbage"]])
    r, elapsed = query(owndns_bin, server, "www.example.", timeout=1, tries=1)
    assert r.returncode == 10
    assert r.stdout == ""
    assert one_stderr_line(r) == ";; only malformed responses received"
    assert elapsed <= 1 + SLACK


def test_lost_query_is_asked_again(owndns_bin, servers):
    server = servers(udp=[["drop"], ["good"]])
    r, elapsed = query(owndns_bin, server, "www.example.", "+short", timeout=1, tries=2)
    assert r.returncode == 0, r.stderr
    assert r.stdout == GOOD_ADDR + "\n"
    first, second = server.queries()
    assert (first.transport, second.transport) == ("udp", "udp")
    assert first.msg.question == second.msg.question
    assert 0.9 <= second.time - first.time <= 1.5
    assert 0.9 <= elapsed <= 1 + SLACK


def test_late_answer_to_earlier_try_is_not_taken(owndns_bin, servers):
    # The first answer comes after the first try timed out, while the second try waits:
    # like dig, only the try in flight may be answered (its own ID and port).
    server = servers(udp=[["delay=1.4", "good"], ["drop"]])
    r, elapsed = query(owndns_bin, server, "www.example.", "+short", timeout=1, tries=2)
    assert r.returncode == 9, (r.stdout, r.stderr)
    assert r.stdout == ""
    assert transports(server) == ["udp", "udp"]
    assert 1.9 <= elapsed <= 2 + SLACK


def test_answer_to_current_try_after_late_one_is_taken(owndns_bin, servers):
    server = servers(udp=[["delay=1.4", "good"], ["delay=0.2", "good"]])
    r, elapsed = query(owndns_bin, server, "www.example.", "+short", timeout=1, tries=2)
    assert r.returncode == 0, r.stderr
    assert r.stdout == GOOD_ADDR + "\n"
    assert 1.2 <= elapsed <= 1.4 + SLACK


def test_formerr_without_opt_retries_without_edns(owndns_bin, servers):
    # RFC 6891 §7: FORMERR without an OPT means the server knows no EDNS.
    server = servers(udp=[["formerr_noedns"], ["good"]])
    r, elapsed = query(owndns_bin, server, "www.example.", "+short", timeout=3, tries=1)
    assert r.returncode == 0, r.stderr
    assert r.stdout == GOOD_ADDR + "\n"
    first, second = server.queries()
    assert first.msg.edns == 0 and second.msg.edns == -1
    assert second.msg.question == first.msg.question
    assert elapsed < 1.5


def two_servers_same_port(servers, first, second):
    """Servers on 127.0.0.1 and 127.0.0.2 at one port (for `@a @b -p PORT`)."""
    for _ in range(20):
        a = servers(**first)
        try:
            b = servers(host="127.0.0.2", port=a.port, **second)
        except OSError:
            continue
        return a, b
    pytest.fail("no port free on both 127.0.0.1 and 127.0.0.2")


@pytest.mark.parametrize("form", ["at", "key"])
def test_silent_first_server_then_second(owndns_bin, servers, form):
    if form == "at":
        a, b = two_servers_same_port(servers, dict(udp=[["drop"]]), dict(udp=[["good"]]))
        args = ["@127.0.0.1", "@127.0.0.2", "-p", str(a.port)]
        b_host = "127.0.0.2"
    else:
        a, b = servers(udp=[["drop"]]), servers(udp=[["good"]])
        args = ["server=127.0.0.1@%d" % a.port, "server=127.0.0.1@%d" % b.port]
        b_host = "127.0.0.1"
    start = time.monotonic()
    r = run([owndns_bin, "query", *args, "+timeout=1", "+tries=1", "www.example."], timeout=60)
    elapsed = time.monotonic() - start
    assert r.returncode == 0, r.stderr
    assert "\tA\t%s\n" % GOOD_ADDR in r.stdout
    assert ";; SERVER: %s#%d(%s) (UDP)" % (b_host, b.port, b_host) in r.stdout
    assert transports(a) == ["udp"] and transports(b) == ["udp"]
    assert 0.9 <= b.queries()[0].time - a.queries()[0].time <= 1.5
    assert elapsed <= 1 + SLACK


def test_servfail_moves_to_next_server_at_once(owndns_bin, servers):
    a, b = servers(udp=[["servfail"]]), servers(udp=[["good"]])
    start = time.monotonic()
    r = run([owndns_bin, "query", "server=127.0.0.1@%d" % a.port,
             "server=127.0.0.1@%d" % b.port, "+timeout=3", "+tries=1", "www.example.",
             "+short"], timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == GOOD_ADDR + "\n"
    assert transports(a) == ["udp"] and transports(b) == ["udp"]
    assert time.monotonic() - start < 1.5


def test_refused_by_all_prints_last_response(owndns_bin, servers):
    a, b = servers(udp=[["refused"]]), servers(udp=[["refused"]])
    r = run([owndns_bin, "query", "server=127.0.0.1@%d" % a.port,
             "server=127.0.0.1@%d" % b.port, "+timeout=3", "+tries=2", "www.example."],
            timeout=60)
    assert r.returncode == 0, r.stderr
    assert "opcode: QUERY, status: REFUSED, id: " in r.stdout
    assert ";; SERVER: 127.0.0.1#%d(127.0.0.1) (UDP)" % b.port in r.stdout
    assert transports(a) == ["udp", "udp"] and transports(b) == ["udp", "udp"]


def test_all_servers_silent(owndns_bin, servers):
    a, b = servers(udp=[["drop"]]), servers(udp=[["drop"]])
    start = time.monotonic()
    r = run([owndns_bin, "query", "server=127.0.0.1@%d" % a.port,
             "server=127.0.0.1@%d" % b.port, "+timeout=1", "+tries=1", "www.example."],
            timeout=60)
    elapsed = time.monotonic() - start
    assert r.returncode == 9
    assert r.stdout == ""
    assert one_stderr_line(r) == ";; connection timed out; no servers could be reached"
    assert 1.9 <= elapsed <= 2 + SLACK


# ---- (c) random IDs and source ports ---------------------------------------------------------

def steps_of_one(values):
    return sum(1 for x, y in zip(values, values[1:]) if (y - x) % 65536 in (1, 65535))


def test_ids_and_source_ports_are_random(owndns_bin, servers):
    server = servers()
    names = ["n%02d.example." % i for i in range(50)]
    r, _ = query(owndns_bin, server, "+json", *names, timeout=3, tries=1)
    assert r.returncode == 0, r.stderr
    sent = server.queries()
    assert [str(e.msg.question[0].name) for e in sent] == names
    ids = [e.id for e in sent]
    ports = [e.port for e in sent]
    assert len(set(ids)) >= 45, ids
    assert len(set(ports)) >= 20, ports
    assert steps_of_one(ids) < 5, ids
    assert steps_of_one(ports) < 5, ports
    # The ID printed is the one on the wire.
    assert [json.loads(l)["id"] for l in r.stdout.splitlines()] == ids


@pytest.mark.parametrize("two_servers", [False, True])
def test_every_try_has_new_id_and_source_port(owndns_bin, servers, two_servers):
    # dig's habit: a retry, to the same server or the next, is a new query from a new
    # socket.  Three rounds of silence, then the last try is answered.
    a = servers(udp=[["drop"], ["drop"], ["good"]])
    pool = [a]
    if two_servers:
        b = servers(udp=[["drop"]], port=a.port, host="127.0.0.2")
        pool.append(b)
    cmd = [owndns_bin, "query", "-p", str(a.port), "+timeout=1", "+tries=3", "+short",
           "www.example."] + ["@" + s.host for s in pool]
    r = run(cmd, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == GOOD_ADDR + "\n"
    sent = sorted((e for s in pool for e in s.queries()), key=lambda e: e.time)
    assert len(sent) == (5 if two_servers else 3), sent
    assert all(e.transport == "udp" for e in sent)
    assert len({e.id for e in sent}) == len(sent), sent
    assert len({e.port for e in sent}) == len(sent), sent


def test_tcp_after_tc_has_new_id(owndns_bin, servers):
    server = servers(udp=[["tc"]], tcp=[["good"]])
    r, _ = query(owndns_bin, server, "www.example.", "+short", timeout=2, tries=1)
    assert r.returncode == 0, r.stderr
    udp, tcp = server.queries()
    assert (udp.transport, tcp.transport) == ("udp", "tcp")
    assert udp.id != tcp.id


# ---- (d) the query as the server sees it -------------------------------------------------------

def asked(owndns_bin, server, *args):
    before = len(server.queries())
    r, _ = query(owndns_bin, server, "www.example.", "+short", *args, timeout=3, tries=1)
    assert r.returncode == 0, r.stderr
    new = server.queries()[before:]
    assert len(new) == 1
    return new[0].msg


def test_query_defaults(owndns_bin, servers):
    server = servers()
    q = asked(owndns_bin, server)
    assert q.edns == 0 and q.payload == 1232
    assert not q.ednsflags & dns.flags.DO
    assert q.flags & dns.flags.RD and not q.flags & dns.flags.CD
    # AD=1 asks for the AD bit in the answer (RFC 6840 §5.7), as dig does by default.
    assert dns.flags.to_text(q.flags & ~dns.flags.RD) == "AD"
    opts = option_map(q)
    assert set(opts) == {COOKIE}
    assert len(opts[COOKIE]) == 8  # a client cookie alone (RFC 7873 §4.1)
    assert len(q.question) == 1 and not q.answer and not q.authority
    assert len(q.additional) == 0


@pytest.mark.parametrize("args,check", [
    (["+bufsize=4096"], lambda q: q.edns == 0 and q.payload == 4096),
    (["bufsize=512"], lambda q: q.edns == 0 and q.payload == 512),
    (["+noedns"], lambda q: q.edns == -1 and not q.options),
    (["+dnssec"], lambda q: q.ednsflags & dns.flags.DO),
    (["dnssec=yes"], lambda q: q.ednsflags & dns.flags.DO),
    (["+cd"], lambda q: q.flags & dns.flags.CD),
    (["+norecurse"], lambda q: not q.flags & dns.flags.RD),
    (["+nsid"], lambda q: option_map(q).get(NSID) == b"" and COOKIE in option_map(q)),
    (["+nocookie"], lambda q: q.edns == 0 and COOKIE not in option_map(q)),
], ids=lambda v: v[0] if isinstance(v, list) else "")
def test_query_options_reach_server(owndns_bin, servers, args, check):
    server = servers()
    q = asked(owndns_bin, server, *args)
    assert check(q), q.to_text()
    if args != ["+dnssec"] and args != ["dnssec=yes"]:
        assert not q.ednsflags & dns.flags.DO


def test_client_cookie_changes_per_query(owndns_bin, servers):
    server = servers()
    cookies = {option_map(asked(owndns_bin, server))[COOKIE] for _ in range(3)}
    assert len(cookies) == 3


# ---- (e) IPv6, -4/-6 and resolv.conf -----------------------------------------------------------

def ipv6_loopback_works():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


needs_ipv6 = pytest.mark.skipif(not ipv6_loopback_works(), reason="no ::1 here")


@needs_ipv6
def test_ipv6_server(owndns_bin, servers):
    server = servers(host="::1", udp=[["wrong_id", "other_port", "good"]])
    r, _ = query(owndns_bin, server, "www.example.", host="::1", timeout=3)
    assert r.returncode == 0, r.stderr
    assert ";; SERVER: ::1#%d(::1) (UDP)" % server.port in r.stdout
    assert "\tA\t%s\n" % GOOD_ADDR in r.stdout and BAD_ADDR not in r.stdout
    assert server.queries()[0].peer[0] == "::1"


@needs_ipv6
def test_ipv6_server_tc_and_bracket_form(owndns_bin, servers):
    server = servers(host="::1", udp=[["tc"]], tcp=[["good"]])
    r = run([owndns_bin, "query", "server=[::1]:%d" % server.port, "+timeout=3", "+tries=1",
             "www.example.", "+short"], timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == GOOD_ADDR + "\n"
    assert transports(server) == ["udp", "tcp"]


@needs_ipv6
@pytest.mark.parametrize("flag,asked_family", [("-4", "v4"), ("-6", "v6")])
def test_family_flags_pick_servers(owndns_bin, servers, flag, asked_family):
    # Both servers answer; -4/-6 leaves only one of them to ask.
    for _ in range(20):
        v6 = servers(host="::1")
        try:
            v4 = servers(port=v6.port)
            break
        except OSError:
            continue
    else:
        pytest.fail("no port free on both ::1 and 127.0.0.1")
    r = run([owndns_bin, "query", flag, "@127.0.0.1", "@::1", "-p", str(v6.port),
             "+timeout=3", "+tries=1", "www.example.", "+short"], timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == GOOD_ADDR + "\n"
    assert len(v4.queries()) == (1 if asked_family == "v4" else 0)
    assert len(v6.queries()) == (1 if asked_family == "v6" else 0)


@needs_ipv6
def test_family_flag_without_matching_server(owndns_bin, servers):
    server = servers()
    r, _ = query(owndns_bin, server, "-6", "www.example.")
    assert r.returncode == 1
    one_stderr_line(r)
    assert server.queries() == []


def run_with_resolv_conf(owndns_bin, tmp_path, text, *args):
    """Runs owndns query in a user+mount namespace where /etc/resolv.conf is `text`
    (the network namespace is the same, so 127.0.0.1 is ours)."""
    conf = tmp_path / "resolv.conf"
    conf.write_text(text)
    script = 'mount --bind "$0" /etc/resolv.conf && exec "$@"'
    return run(["unshare", "-rm", "sh", "-c", script, str(conf), owndns_bin, "query", *args],
               timeout=60)


def unshare_works():
    if not shutil.which("unshare"):
        return False
    r = subprocess.run(["unshare", "-rm", "true"], capture_output=True, timeout=10,
                       check=False)
    return r.returncode == 0


needs_unshare = pytest.mark.skipif(not unshare_works(), reason="no user+mount namespaces")


@needs_unshare
def test_resolv_conf_servers_when_none_given(owndns_bin, servers, tmp_path):
    # Both nameservers at one port (-p applies to resolv.conf's servers, as in dig); the
    # first is silent, so the second answers.
    a, b = two_servers_same_port(servers, dict(udp=[["drop"]]), dict(udp=[["good"]]))
    r = run_with_resolv_conf(owndns_bin, tmp_path,
                             "# test\nnameserver 127.0.0.1\nnameserver 127.0.0.2\n"
                             "options timeout:30 attempts:5\n",
                             "-p", str(a.port), "+timeout=1", "+tries=1", "www.example.")
    assert r.returncode == 0, r.stderr
    assert ";; SERVER: 127.0.0.2#%d(127.0.0.2) (UDP)" % a.port in r.stdout
    assert transports(a) == ["udp"] and transports(b) == ["udp"]


@needs_unshare
def test_resolv_conf_server_with_port_extension(owndns_bin, servers, tmp_path):
    server = servers()
    r = run_with_resolv_conf(owndns_bin, tmp_path, "nameserver 127.0.0.1@%d\n" % server.port,
                             "+timeout=2", "+tries=1", "www.example.", "+short")
    assert r.returncode == 0, r.stderr
    assert r.stdout == GOOD_ADDR + "\n"


@needs_unshare
def test_resolv_conf_without_nameserver_asks_localhost(owndns_bin, servers, tmp_path):
    server = servers()
    r = run_with_resolv_conf(owndns_bin, tmp_path, "search example.\n",
                             "-p", str(server.port), "+timeout=2", "+tries=1",
                             "www.example.", "+short")
    assert r.returncode == 0, r.stderr
    assert r.stdout == GOOD_ADDR + "\n"


@needs_unshare
@needs_ipv6
def test_resolv_conf_ipv6_nameserver(owndns_bin, servers, tmp_path):
    server = servers(host="::1")
    r = run_with_resolv_conf(owndns_bin, tmp_path, "nameserver ::1\n", "-p", str(server.port),
                             "+timeout=2", "+tries=1", "www.example.")
    assert r.returncode == 0, r.stderr
    assert ";; SERVER: ::1#%d(::1) (UDP)" % server.port in r.stdout
