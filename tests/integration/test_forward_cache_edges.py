"""The forwarder's cache over time and over repeated questions, next to Unbound.

Each test starts owndns and Unbound 1.17 (module-config "iterator", the same forwarding
configuration, see counting_upstream.start_resolver) in front of the same kind of
upstream: NSD for zones it can serve (a DNSSEC-signed one with NSEC made here), or
counting_upstream.CountingUpstream (dnspython, one per resolver so that each one's
upstream queries are counted apart) where the test needs to count queries or script an
answer.  The answers are compared with Unbound's, or checked against the RFC rule
named, after the cache has had time to count down.

Differences found and kept on purpose (checked where cheap, see each test):
  - a cached NXDOMAIN does not answer for names below it (RFC 8020 is optional): owndns
    asks the upstream, which answers NXDOMAIN; the client sees the same answer;
  - fresh answers keep the upstream's NS and glue, cached ones do not (Unbound with
    minimal-responses drops them from both): test_forward_vs_unbound's docstring;
  - cache-min-ttl does not raise negative TTLs (test_cache_min_ttl_leaves_negative_ttls);
  - a record sent twice by the upstream is answered once (RFC 2181 §5); Unbound 1.17
    relays the duplicate;
  - serve-stale: both answer stale data when the client has waited 1.8 s (owndns's
    RFC 8767 client timer, Unbound's serve-expired-client-timeout here); owndns judges
    the serve-stale-max window at the time the client asked, Unbound when its timer
    fires (test_forward_serve_stale.py).

Every wait is bounded; every process is stopped by PID at teardown (conftest).
"""
import io
import socket
import struct
import time

import dns.dnssec
import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone
import pytest

from counting_upstream import track_upstream  # noqa: F401 (fixture)
from counting_upstream import CountingUpstream, start_nsd, start_resolver

TIMEOUT = 3.0
KINDS = ("unbound", "owndns")

EDGE = "edge.example."
EDGE_ZONE = """$TTL 300
@ 300 IN SOA ns.edge.example. host.edge.example. 1 3600 600 86400 8
@ IN NS ns
ns IN A 127.0.0.1
a 20 IN A 192.0.2.1
a 20 IN AAAA 2001:db8::1
zero 0 IN A 192.0.2.2
long 3000 IN A 192.0.2.3
chain 30 IN CNAME target
target 10 IN A 192.0.2.4
mx 20 IN A 192.0.2.5
s 1 IN A 192.0.2.6
sc 1 IN CNAME s
c30 30 IN CNAME s
"""


# ---- helpers -----------------------------------------------------------------------

def ask(port, qname, rdtype="A", edns=0, do=False, timeout=TIMEOUT):
    if edns is None:
        q = dns.message.make_query(qname, rdtype, use_edns=False)
    else:
        q = dns.message.make_query(qname, rdtype, use_edns=edns, payload=1232, want_dnssec=do)
    return dns.query.udp(q, "127.0.0.1", port=port, timeout=timeout)


def ttls(section):
    """{(owner, type): TTL}, owners lower-cased."""
    return {(r.name.to_text().lower(), dns.rdatatype.to_text(r.rdtype)): r.ttl for r in section}


def rrs(section):
    """Sorted RRs without TTL, owners and RDATA lower-cased."""
    return sorted("%s %s %s" % (r.name.to_text().lower(), dns.rdatatype.to_text(r.rdtype),
                                rd.to_text().lower()) for r in section for rd in r)


def owner_types(section):
    return sorted((r.name.to_text().lower(), dns.rdatatype.to_text(r.rdtype),
                   dns.rdatatype.to_text(r.covers) if r.rdtype == dns.rdatatype.RRSIG else "")
                  for r in section)


@pytest.fixture
def pair(processes, tmp_path, track_upstream):
    """pair(zones=None, nsd_zones=None, **cfg) -> {kind: (Resolver, upstream or None)}:
    Unbound and owndns, each with its own CountingUpstream over `zones` (default the
    edge zone), or both forwarding to one NSD serving `nsd_zones`."""
    def start(zones=None, nsd_zones=None, **cfg):
        out = {}
        nsd_port = None
        if nsd_zones:
            d = tmp_path / "nsd"
            d.mkdir()
            nsd_port = start_nsd(processes, d, nsd_zones)
        for kind in KINDS:
            d = tmp_path / kind
            d.mkdir()
            if nsd_port:
                up, addr = None, "127.0.0.1@%d" % nsd_port
            else:
                up = track_upstream(CountingUpstream(zones or [(EDGE, EDGE_ZONE)]))
                addr = up.addr
            out[kind] = (start_resolver(kind, processes, d, forward=[addr], **cfg), up)
        return out
    return start


def both(servers, qname, rdtype="A", **kw):
    return {kind: ask(servers[kind][0].port, qname, rdtype, **kw) for kind in KINDS}


# ---- TTLs over time ------------------------------------------------------------------

def test_each_rrset_counts_down_on_its_own(pair):
    """A CNAME (TTL 30) to an A (TTL 10), an NXDOMAIN (SOA TTL 300, MINIMUM 8, the
    upstream sending the SOA's own TTL, RFC 2308 §5) and a NODATA: after 2 s every
    RRset of owndns's cached answer has counted down by itself, as Unbound's, and the
    SOA of the negative answers says min(TTL, MINIMUM) minus the time spent."""
    servers = pair()
    for _, up in servers.values():
        up.negative_soa_ttl = "raw"
    questions = [("chain." + EDGE, "A"), ("nope." + EDGE, "A"), ("a." + EDGE, "MX")]
    first = {q: both(servers, *q) for q in questions}
    time.sleep(2.1)
    problems = []
    for q in questions:
        later = both(servers, *q)
        own, unb = later["owndns"], later["unbound"]
        assert own.rcode() == unb.rcode(), q
        # From the cache as fresh: RA=1, AA=0, AD=0 (nothing validated), as Unbound.
        for r in (own, unb):
            assert r.flags & dns.flags.RA and not r.flags & (dns.flags.AA | dns.flags.AD), q
        for section in ("answer", "authority"):
            o, u = ttls(getattr(own, section)), ttls(getattr(unb, section))
            f = ttls(getattr(first[q]["owndns"], section))
            if set(o) != set(u):
                problems.append("%s %s: owndns %s, Unbound %s" % (q, section, o, u))
                continue
            for key in o:
                if abs(o[key] - u[key]) > 1:
                    problems.append("%s %s: TTL %d, Unbound %d" % (q, key, o[key], u[key]))
                if not f[key] - 3 <= o[key] <= f[key] - 1:
                    problems.append("%s %s: TTL %d 2 s after %d" % (q, key, o[key], f[key]))
                if key[1] == "SOA" and o[key] > 8:
                    problems.append("%s: SOA TTL %d > MINIMUM 8" % (q, o[key]))
    for kind, (_, up) in servers.items():
        for q in questions:
            if up.count(*q) != 1:
                problems.append("%s asked %s upstream %d times" % (kind, q, up.count(*q)))
    assert not problems, "\n".join(problems)


def test_ttl_limits_change_the_ttl_shown(pair):
    """cache-min-ttl=10, cache-max-ttl=25, cache-max-negative-ttl=5: Unbound shows the
    clamped TTLs, on the first answer and from the cache; so does owndns.  The TTL 0
    record is raised too (and so cached)."""
    servers = pair(cache_min_ttl=10, cache_max_ttl=25, cache_max_negative_ttl=5)
    questions = [("zero." + EDGE, "A"), ("a." + EDGE, "A"), ("long." + EDGE, "A"),
                 ("chain." + EDGE, "A"), ("nope." + EDGE, "A"), ("a." + EDGE, "MX")]
    problems = []
    for attempt in ("miss", "hit"):
        for q in questions:
            r = both(servers, *q)
            for section in ("answer", "authority"):
                o = ttls(getattr(r["owndns"], section))
                u = ttls(getattr(r["unbound"], section))
                if set(o) != set(u) and section == "answer":
                    problems.append("%s %s %s: owndns %s, Unbound %s" % (attempt, q, section, o, u))
                for key in set(o) & set(u):
                    if abs(o[key] - u[key]) > 1:
                        problems.append("%s %s %s: TTL %d, Unbound %d"
                                        % (attempt, q, key, o[key], u[key]))
    assert not problems, "\n".join(problems)
    for kind, (_, up) in servers.items():
        assert up.count("zero." + EDGE, "A") == 1, (kind, up.queries())


def test_cache_min_ttl_leaves_negative_ttls(pair):
    """cache-min-ttl=30 raises positive TTLs only: a negative answer lives min(SOA TTL,
    MINIMUM) (RFC 2308 §5; 8 s here), lowered by cache-max-negative-ttl, never raised,
    so a name created meanwhile shows up.  A deliberate difference: Unbound 1.17 raises
    the negative TTL too (checked, so a change of either side shows)."""
    servers = pair(cache_min_ttl=30)
    for q in [("nope." + EDGE, "A"), ("a." + EDGE, "MX")]:
        for attempt in ("miss", "hit"):
            r = both(servers, *q)
            own = ttls(r["owndns"].authority)[("edge.example.", "SOA")]
            unb = ttls(r["unbound"].authority)[("edge.example.", "SOA")]
            assert own <= 8, (q, attempt, own)
            assert unb > 8, (q, attempt, unb)
    time.sleep(9.0)
    both(servers, "nope." + EDGE)
    assert servers["owndns"][1].count("nope." + EDGE, "A") == 2


def test_ttl_zero_answered_but_not_cached(pair):
    """RFC 1035 §3.2.1: TTL 0 is to be used for this transaction only."""
    servers = pair()
    for _ in range(2):
        r = both(servers, "zero." + EDGE)
        for kind in KINDS:
            assert rrs(r[kind].answer) == ["zero.edge.example. A 192.0.2.2"], kind
            assert ttls(r[kind].answer)[("zero.edge.example.", "A")] == 0, kind
    for kind, (_, up) in servers.items():
        assert up.count("zero." + EDGE, "A") == 2, (kind, up.queries())


def test_cname_target_expired_before_the_cname(pair):
    """c30 (CNAME, 30 s) -> s (A, 1 s): once the A expired, the cached CNAME alone is
    not an answer and the expired A is not served: owndns asks the question again and
    answers the chain whole, as Unbound does (which asks for the target alone, and
    counts whole seconds: its TTL 1 record may still be good 1.6 s later, so its
    upstream queries are not compared)."""
    servers = pair()
    both(servers, "c30." + EDGE)
    asked = len(servers["owndns"][1].queries())
    time.sleep(1.6)
    r = both(servers, "c30." + EDGE)
    for kind in KINDS:
        assert rrs(r[kind].answer) == ["c30.edge.example. CNAME s.edge.example.",
                                       "s.edge.example. A 192.0.2.6"], kind
        t = ttls(r[kind].answer)
        assert 27 <= t[("c30.edge.example.", "CNAME")] <= 30, (kind, t)
        assert t[("s.edge.example.", "A")] <= 1, (kind, t)
    up = servers["owndns"][1]
    assert len(up.queries()) == asked + 1 and up.count("c30." + EDGE) == 2, up.queries()


# ---- negative answers ----------------------------------------------------------------

def test_nodata_for_one_type_does_not_hide_others(pair):
    servers = pair()
    r = both(servers, "mx." + EDGE, "MX")
    for kind in KINDS:
        assert r[kind].rcode() == dns.rcode.NOERROR and not r[kind].answer, kind
    r = both(servers, "mx." + EDGE, "A")
    for kind in KINDS:
        assert rrs(r[kind].answer) == ["mx.edge.example. A 192.0.2.5"], kind
    r = both(servers, "mx." + EDGE, "MX")  # and the NODATA is still cached
    for kind, (_, up) in servers.items():
        assert r[kind].rcode() == dns.rcode.NOERROR and not r[kind].answer, kind
        assert up.count("mx." + EDGE, "MX") == 1, (kind, up.queries())


def test_name_below_a_cached_nxdomain(pair):
    """RFC 8020 (optional): neither resolver answers for the name below from the cache
    here (Unbound only with a validated NXDOMAIN); both ask and relay NXDOMAIN."""
    servers = pair()
    both(servers, "gone." + EDGE)
    r = both(servers, "below.gone." + EDGE)
    for kind, (_, up) in servers.items():
        assert r[kind].rcode() == dns.rcode.NXDOMAIN, kind
        assert up.count("below.gone." + EDGE, "A") == 1, (kind, up.queries())


# ---- DNSSEC data for DO clients ------------------------------------------------------

SIGNED = "sig.example."


def signed_zone():
    """sig.example. with an NSEC chain, every RRset signed (Ed25519)."""
    from cryptography.hazmat.primitives.asymmetric import ed25519
    origin = dns.name.from_text(SIGNED)
    key = ed25519.Ed25519PrivateKey.generate()
    dnskey = dns.dnssec.make_dnskey(key.public_key(), dns.dnssec.Algorithm.ED25519, flags=257)
    z = dns.zone.from_text("$TTL 300\n@ SOA ns1 hm 1 3600 900 604800 60\n@ NS ns1\n"
                           "ns1 A 127.0.0.1\nwww A 192.0.2.77\nwww TXT \"signed\"\n"
                           "*.w A 192.0.2.78\n",
                           origin=origin, relativize=False)
    z.replace_rdataset(origin, dns.rdataset.from_rdata(300, dnskey))
    names = sorted(z.nodes.keys())
    for i, name in enumerate(names):
        types = {rds.rdtype for rds in z.nodes[name].rdatasets}
        types |= {dns.rdatatype.NSEC, dns.rdatatype.RRSIG}
        text = "%s %s" % (names[(i + 1) % len(names)],
                          " ".join(dns.rdatatype.to_text(t) for t in sorted(types)))
        z.replace_rdataset(name, dns.rdataset.from_rdata(
            60, dns.rdata.from_text("IN", "NSEC", text)))
    now = int(time.time())
    sigs = []
    for name, rds in z.iterate_rdatasets():
        rrset = dns.rrset.from_rdata_list(name, rds.ttl, list(rds))
        sig = dns.dnssec.sign(rrset, key, origin, dnskey, inception=now - 86400,
                              expiration=now + 30 * 86400)
        if name.is_wild() and sig.labels == len(name) - 1:
            # RFC 4034 §3.1.3: the "*" label is not counted (dnspython 2.3 counts it).
            sig = sig.replace(labels=sig.labels - 1)
            data = dns.dnssec._make_rrsig_signature_data(rrset, sig)
            sig = sig.replace(signature=key.sign(data))
        sigs.append((name, rds.ttl, sig))
    for name, ttl, sig in sigs:
        node = z.find_node(name)
        node.find_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, sig.covers(),
                           True).add(sig, ttl)
    return SIGNED, z.to_text(relativize=False)


def test_do_client_after_a_client_without_do_gets_rrsigs(pair):
    """RFC 4035 §3.2.1: a DO client gets the RRSIGs.  The answer cached for a client
    without DO has none, so it cannot answer the DO client (Unbound always asks its
    upstream with DO and has them)."""
    servers = pair(nsd_zones=[signed_zone()])
    plain = both(servers, "www." + SIGNED, "A")
    for kind in KINDS:
        assert not any(r.rdtype == dns.rdatatype.RRSIG for r in plain[kind].answer), kind
    for attempt in ("first DO", "second DO"):
        r = both(servers, "www." + SIGNED, "A", do=True)
        for kind in KINDS:
            assert owner_types(r[kind].answer) == [("www.sig.example.", "A", ""),
                                                   ("www.sig.example.", "RRSIG", "A")], \
                (attempt, kind, r[kind].to_text())
    # And a client without DO still gets none, from the cache that has them.
    plain = both(servers, "www." + SIGNED, "A")
    for kind in KINDS:
        assert owner_types(plain[kind].answer) == [("www.sig.example.", "A", "")], kind


@pytest.mark.parametrize("qname,qtype,rcode", [
    ("nope." + SIGNED, "A", dns.rcode.NXDOMAIN),
    ("www." + SIGNED, "MX", dns.rcode.NOERROR),
], ids=["nxdomain", "nodata"])
def test_cached_negative_answer_keeps_its_nsec_proof(pair, qname, qtype, rcode):
    """RFC 4035 §3.1.3: a negative answer to a DO client carries the NSEC records (and
    RRSIGs) that prove it.  From the cache too, as Unbound gives it; and a client
    without DO gets none of them (§3.2.1)."""
    servers = pair(nsd_zones=[signed_zone()])
    answers = {}
    for attempt in ("miss", "hit"):
        r = both(servers, qname, qtype, do=True)
        for kind in KINDS:
            assert r[kind].rcode() == rcode, (attempt, kind)
            answers[(kind, attempt)] = owner_types(r[kind].authority)
    unbound = answers[("unbound", "miss")]
    assert ("sig.example.", "SOA", "") in unbound
    assert any(t == "NSEC" for _, t, _ in unbound), unbound
    for attempt in ("miss", "hit"):
        assert answers[("owndns", attempt)] == unbound, \
            "%s: owndns %s, Unbound %s" % (attempt, answers[("owndns", attempt)], unbound)
    plain = both(servers, qname, qtype)
    for kind in KINDS:
        assert owner_types(plain[kind].authority) == [("sig.example.", "SOA", "")], \
            (kind, plain[kind].to_text())


def test_wildcard_answer_keeps_its_nsec_proof(pair):
    """RFC 4035 §3.1.3.3: a positive answer expanded from a wildcard carries, for a DO
    client, the NSEC proving that no closer name exists; the second answer (which
    owndns does not give from its cache, where that proof is not kept) too, as
    Unbound's."""
    servers = pair(nsd_zones=[signed_zone()])
    for attempt in ("miss", "hit"):
        r = both(servers, "x.w." + SIGNED, "A", do=True)
        for kind in KINDS:
            assert owner_types(r[kind].answer) == [("x.w.sig.example.", "A", ""),
                                                   ("x.w.sig.example.", "RRSIG", "A")], \
                (attempt, kind, r[kind].to_text())
            nsec = [t for t in owner_types(r[kind].authority) if "NSEC" in t]
            assert nsec, (attempt, kind, r[kind].to_text())


# ---- DNAME from the cache ------------------------------------------------------------

DN = "dn.example."
DN_ZONE = """$TTL 300
@ IN SOA ns.dn.example. host.dn.example. 1 3600 600 86400 60
@ IN NS ns
ns IN A 127.0.0.1
x.t IN A 192.0.2.31
y.t IN A 192.0.2.32
"""


def dname_upstream(up):
    """Makes `up` answer names below d.dn.example. with DNAME d -> t.dn.example., the
    synthesised CNAME and the target's records (RFC 6672 §3.1); CountingUpstream's
    zone table has no DNAME of its own."""
    table = up.table
    owner = dns.name.from_text("d." + DN)
    target = dns.name.from_text("t." + DN)
    plain = table.answer

    def answer(query, rule="min"):
        q = query.question[0]
        if not q.name.is_subdomain(owner) or q.name == owner:
            return plain(query, rule)
        new = q.name.relativize(owner).derelativize(target)
        inner = dns.message.make_query(new, q.rdtype)
        resp = plain(inner, rule)
        resp.id = query.id
        resp.question = query.question
        resp.answer = [dns.rrset.from_text(owner, 300, "IN", "DNAME", target.to_text()),
                       dns.rrset.from_text(q.name, 300, "IN", "CNAME", new.to_text())] + \
            list(resp.answer)
        if query.edns >= 0:
            resp.use_edns(0, query.ednsflags, 1232)
        return resp
    table.answer = answer


def test_dname_answers_from_the_cache(pair):
    """The DNAME is cached with the first answer; the same question again comes from
    the cache with the DNAME first (RFC 6672 §3.3), and another name below it whose
    target is cached is synthesised from the cache with no upstream query (Unbound
    1.17 asks the upstream for that one; its answer is the same)."""
    servers = pair(zones=[(DN, DN_ZONE)])
    for _, up in servers.values():
        dname_upstream(up)
    want_x = ["d.dn.example. DNAME t.dn.example.", "x.d.dn.example. CNAME x.t.dn.example.",
              "x.t.dn.example. A 192.0.2.31"]
    for attempt in ("miss", "hit"):
        r = both(servers, "x.d." + DN)
        for kind in KINDS:
            assert rrs(r[kind].answer) == want_x, (attempt, kind, r[kind].to_text())
            assert r[kind].answer[0].rdtype == dns.rdatatype.DNAME, (attempt, kind)
    both(servers, "y.t." + DN)
    r = both(servers, "Y.D." + DN)
    for kind, (_, up) in servers.items():
        assert rrs(r[kind].answer) == [
            "d.dn.example. DNAME t.dn.example.", "y.d.dn.example. CNAME y.t.dn.example.",
            "y.t.dn.example. A 192.0.2.32"], (kind, r[kind].to_text())
        assert r[kind].question[0].name.to_text() == "Y.D." + DN
        assert up.count("x.d." + DN, "A") == 1, (kind, up.queries())
    assert servers["owndns"][1].count("y.d." + DN, "A") == 0, servers["owndns"][1].queries()


# ---- serve-stale (RFC 8767) ------------------------------------------------------------

def test_serve_stale_window_then_servfail_then_fresh(processes, tmp_path, track_upstream):
    """serve-stale-max=8: an expired record is served (TTL 30, EDE 3) while the upstream
    is silent and the window lasts; past the window the answer is SERVFAIL; once the
    upstream answers again, fresh data (its own TTL, no EDE) replaces the stale.
    owndns only: Unbound keeps a silent upstream marked down for minutes after."""
    up = track_upstream(CountingUpstream([(EDGE, EDGE_ZONE)]))
    res = start_resolver("owndns", processes, tmp_path, forward=[up.addr], serve_stale=True,
                         serve_stale_max=8)
    started = time.monotonic()
    assert rrs(ask(res.port, "s." + EDGE).answer) == ["s.edge.example. A 192.0.2.6"]
    time.sleep(1.5)
    up.mode = "silent"
    r = ask(res.port, "s." + EDGE, timeout=7)
    assert r.rcode() == dns.rcode.NOERROR
    assert rrs(r.answer) == ["s.edge.example. A 192.0.2.6"]
    assert ttls(r.answer)[("s.edge.example.", "A")] == 30
    assert any(o.otype == dns.edns.EDE and o.code == 3 for o in r.options), r.options
    assert time.monotonic() - started < 9, "machine too slow for this test"
    time.sleep(max(0.0, started + 10.5 - time.monotonic()))
    r = ask(res.port, "s." + EDGE, timeout=7)
    assert r.rcode() == dns.rcode.SERVFAIL and not r.answer, r.to_text()
    up.mode = "answer"
    r = ask(res.port, "s." + EDGE)
    assert r.rcode() == dns.rcode.NOERROR
    assert ttls(r.answer)[("s.edge.example.", "A")] == 1
    assert not any(o.otype == dns.edns.EDE for o in r.options)


# ---- duplicate records from the upstream -----------------------------------------------

def duplicating_upstream(up, name):
    """Makes `up` send the A RRset of `name` with its first record twice."""
    plain = up.table.answer
    wanted = dns.name.from_text(name)

    class Wire:
        def __init__(self, resp):
            self.resp = resp

        def to_wire(self, max_size=65535):
            wire = self.resp.to_wire(max_size=max_size)
            if self.resp.question[0].name != wanted or not self.resp.answer:
                return wire
            one = dns.rrset.from_rdata(wanted, self.resp.answer[0].ttl, self.resp.answer[0][0])
            buf = io.BytesIO()
            one.to_wire(buf)  # no compression table: a whole record
            (an,) = struct.unpack("!H", wire[6:8])
            (ns,) = struct.unpack("!H", wire[8:10])
            (ar,) = struct.unpack("!H", wire[10:12])
            assert ns == 0 and ar <= 1
            # Put the record at the end of the answer section (before an OPT).
            end = len(wire)
            if ar:
                end = len(wire) - 11  # the OPT dnspython writes, no options
            return wire[:6] + struct.pack("!H", an + 1) + wire[8:end] + buf.getvalue() + wire[end:]

    def answer(query, rule="min"):
        return Wire(plain(query, rule))
    up.table.answer = answer


def answer_count(port, qname):
    """ANCOUNT of the raw answer (dnspython would merge duplicates when parsing)."""
    q = dns.message.make_query(qname, "A", use_edns=0, payload=1232)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(TIMEOUT)
        s.sendto(q.to_wire(), ("127.0.0.1", port))
        while True:
            wire = s.recv(65535)
            if wire[:2] == q.to_wire()[:2]:
                return struct.unpack("!H", wire[6:8])[0]


def test_duplicate_records_are_sent_once(pair):
    """RFC 2181 §5: "servers should suppress such duplicates if encountered".  The
    upstream sends one record twice; owndns answers it once, on the first answer and
    from the cache.  (Unbound 1.17 relays the duplicate, on both: not compared.)"""
    zone = EDGE_ZONE + "dup 60 IN A 192.0.2.41\ndup 60 IN A 192.0.2.42\n"
    servers = pair(zones=[(EDGE, zone)])
    for _, up in servers.values():
        duplicating_upstream(up, "dup." + EDGE)
    counts = {attempt: answer_count(servers["owndns"][0].port, "dup." + EDGE)
              for attempt in ("miss", "hit")}
    assert counts == {"miss": 2, "hit": 2}, counts
    assert servers["owndns"][1].count("dup." + EDGE, "A") == 1
