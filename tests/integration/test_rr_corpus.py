"""`owndns rr` against dig and dnspython on every record of tests/data/rr_corpus.txt.

(a) owndns's text output equals dig's answer line for the same record, which a
    dnspython UDP server on 127.0.0.1 hands to dig;
(b) owndns's text output parses with dnspython to the corpus wire form;
(c) owndns's wire output equals dnspython's uncompressed to_wire of the record;
(d) wire input printed as text equals dig's line too;
(e) RFC 3597 generic output parses with dnspython to the same RDATA;
(f) every invalid text of the corpus makes `owndns rr` fail, naming the line.
"""
import io
import re
import subprocess

import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest

from conftest import load_corpus, run

TTL = 300
DIG_BATCH = 40
# dig insists that an NSEC3 owner starts with a base32hex label (BIND's owner check).
NSEC3_LABEL = "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom."

CORPUS = load_corpus()
VALID = [e for e in CORPUS if e["kind"] == "ok"]
BAD_TEXT = [e for e in CORPUS if e["kind"] == "badtext"]


def owner_of(e):
    owner = "r%d.corpus.example." % e["line"]
    return NSEC3_LABEL + owner if e["type"] == "NSEC3" else owner


def rr_text(e):
    return "%s %d IN %s %s" % (owner_of(e), TTL, e["type"], e["text"])


def rdata_of(e):
    """The corpus wire form as a dnspython rdata (generic: no re-parsing on our side)."""
    return dns.rdata.GenericRdata(dns.rdataclass.IN, e["typenum"], e["wire"])


def rr_wire(e):
    """dnspython's uncompressed wire form of the whole record."""
    rrs = dns.rrset.RRset(dns.name.from_text(owner_of(e)), dns.rdataclass.IN, e["typenum"])
    rrs.add(rdata_of(e), TTL)
    out = io.BytesIO()
    rrs.to_wire(out, compress=None, origin=None)
    return out.getvalue()


def ident(e):
    return "line%d-%s" % (e["line"], e["type"])


def lines_by_owner(text):
    out = {}
    for line in text.splitlines():
        if line and not line.startswith(";"):
            out[line.split(None, 1)[0].lower()] = line
    return out


def owndns_rr(owndns_bin, args, stdin_text):
    res = run([owndns_bin, "rr", *args], stdin_text)
    assert res.returncode in (0, 1), "owndns rr crashed (%d): %s" % (res.returncode, res.stderr)
    return res


@pytest.fixture(scope="module")
def dig_lines():
    """dig's answer line for every valid record dig accepts, by owner."""
    from conftest import UdpServer
    batches = {}
    printable = [e for e in VALID if e["dig"] is not None]
    for i in range(0, len(printable), DIG_BATCH):
        batches["b%d.batch.example." % (i // DIG_BATCH)] = printable[i:i + DIG_BATCH]

    def answer(wire):
        query = dns.message.from_wire(wire)
        resp = dns.message.make_response(query)
        for e in batches[query.question[0].name.to_text().lower()]:
            rrs = dns.rrset.RRset(dns.name.from_text(owner_of(e)), dns.rdataclass.IN, e["typenum"])
            rrs.add(rdata_of(e), TTL)
            resp.answer.append(rrs)
        return resp.to_wire(max_size=65535)

    server = UdpServer(answer)
    got = {}
    try:
        for qname in batches:
            res = subprocess.run(
                ["dig", "@127.0.0.1", "-p", str(server.port), "+norec", "+noall", "+answer",
                 "+bufsize=65000", "+tries=1", "+time=5", qname, "A"],
                capture_output=True, text=True, timeout=30, check=False)
            got.update(lines_by_owner(res.stdout))
    finally:
        server.stop()
    assert not server.errors, server.errors
    return got


@pytest.fixture(scope="module")
def owndns_text(owndns_bin):
    res = owndns_rr(owndns_bin, ["output=text"], "\n".join(rr_text(e) for e in VALID) + "\n")
    return lines_by_owner(res.stdout), res.stderr


@pytest.fixture(scope="module")
def owndns_from_wire_text(owndns_bin):
    res = owndns_rr(owndns_bin, ["input=wire", "output=text"],
                    "\n".join(rr_wire(e).hex() for e in VALID) + "\n")
    return lines_by_owner(res.stdout), res.stderr


def owndns_output_by_owner(owndns_bin, output):
    res = owndns_rr(owndns_bin, ["output=%s" % output], "\n".join(rr_text(e) for e in VALID) + "\n")
    return res.stdout.splitlines(), res.stderr


@pytest.fixture(scope="module")
def owndns_wire(owndns_bin):
    lines, err = owndns_output_by_owner(owndns_bin, "wire")
    by_owner = {}
    for line in lines:
        wire = bytes.fromhex(re.sub(r"\s", "", line))
        name, _ = dns.name.from_wire(wire, 0)
        by_owner[name.to_text().lower()] = wire
    return by_owner, err


@pytest.fixture(scope="module")
def owndns_generic(owndns_bin):
    lines, err = owndns_output_by_owner(owndns_bin, "generic")
    return lines_by_owner("\n".join(lines)), err


def need_dig(e):
    if e["dig"] is None:
        pytest.xfail("dig itself rejects this record (see the corpus; e.g. IPSECKEY without key)")


def need_dnspython_parses(e):
    try:
        # dnspython relativizes names in generic RDATA to any origin it is given.
        origin = None if e["text"].startswith("\\#") else dns.name.root
        dns.rdata.from_text("IN", e["type"], e["text"], origin=origin, relativize=False)
    except Exception:
        pytest.xfail("dnspython 2.3 cannot parse this valid form (MANUAL_WIRE in gen_rr_corpus.py)")


@pytest.mark.parametrize("e", VALID, ids=ident)
def test_text_output_like_dig(e, dig_lines, owndns_text):
    need_dig(e)
    ours, err = owndns_text
    owner = owner_of(e).lower()
    assert owner in dig_lines, "dig did not print %s" % owner
    assert owner in ours, "owndns rr did not print %s: %s" % (owner, err)
    assert ours[owner] == dig_lines[owner]


@pytest.mark.parametrize("e", VALID, ids=ident)
def test_text_output_parses_with_dnspython(e, owndns_text):
    need_dnspython_parses(e)
    ours, err = owndns_text
    owner = owner_of(e).lower()
    assert owner in ours, "owndns rr did not print %s: %s" % (owner, err)
    fields = ours[owner].split(None, 4)
    rrs = dns.rrset.from_text(*fields, *([""] if len(fields) == 4 else []))  # empty APL
    assert rrs[0].to_wire() == e["wire"]
    assert rrs.ttl == TTL and rrs.name == dns.name.from_text(owner_of(e))


@pytest.mark.parametrize("e", VALID, ids=ident)
def test_wire_output_like_dnspython(e, owndns_wire):
    ours, err = owndns_wire
    owner = owner_of(e).lower()
    assert owner in ours, "owndns rr output=wire skipped %s: %s" % (owner, err)
    assert ours[owner].hex() == rr_wire(e).hex()


@pytest.mark.parametrize("e", VALID, ids=ident)
def test_wire_input_printed_like_dig(e, dig_lines, owndns_from_wire_text):
    need_dig(e)
    ours, err = owndns_from_wire_text
    owner = owner_of(e).lower()
    assert owner in ours, "owndns rr input=wire did not print %s: %s" % (owner, err)
    assert ours[owner] == dig_lines[owner]


@pytest.mark.parametrize("e", VALID, ids=ident)
def test_generic_output_parses_with_dnspython(e, owndns_generic):
    ours, err = owndns_generic
    owner = owner_of(e).lower()
    assert owner in ours, "owndns rr output=generic skipped %s: %s" % (owner, err)
    _owner, _ttl, _cls, rtype, rdata = ours[owner].split(None, 4)
    assert rdata.startswith("\\# ")
    parsed = dns.rdata.from_text("IN", rtype, rdata)
    wire = parsed.data if isinstance(parsed, dns.rdata.GenericRdata) else parsed.to_wire()
    assert wire == e["wire"]


@pytest.mark.parametrize("e", BAD_TEXT, ids=ident)
def test_invalid_text_rejected(e, owndns_bin):
    res = owndns_rr(owndns_bin, ["output=wire"], "x.example. 300 IN %s %s\n" % (e["type"], e["text"]))
    assert res.returncode == 1, "accepted (%s): %s" % (e["reason"], res.stdout)
    assert res.stdout.strip() == ""
    assert "line 1" in res.stderr


def test_bad_line_reported_and_others_still_converted(owndns_bin):
    text = "a.example. 1 IN A 1.2.3.4\nb.example. 1 IN A 1.2.3\nc.example. 1 IN AAAA ::1\n"
    res = owndns_rr(owndns_bin, ["output=text"], text)
    assert res.returncode == 1
    assert "line 2" in res.stderr
    assert [l.split()[0] for l in res.stdout.splitlines()] == ["a.example.", "c.example."]
