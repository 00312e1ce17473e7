#!/usr/bin/python3
"""Write the seed corpora of the fuzz targets (small files, checked in).

    /usr/bin/python3 fuzz/gen_seeds.py

fuzz_name/     messages with compressed names, and names in text form
fuzz_rr_text/  RR lines built from tests/data/rr_corpus.txt (valid and invalid RDATA)
fuzz_message/  dnspython-built responses: compression, OPT with options, many types
"""
import hashlib
import os
import shutil

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "tests", "data", "rr_corpus.txt")


def unpct(s):
    return s.replace("%09", "\t").replace("%0A", "\n").replace("%25", "%")


def corpus_entries():
    with open(CORPUS, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                yield line.split("\t")


def write_dir(name, blobs):
    d = os.path.join(HERE, "corpus", name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for blob in blobs:
        if isinstance(blob, str):
            blob = blob.encode("utf-8")
        with open(os.path.join(d, hashlib.sha1(blob).hexdigest()[:16]), "wb") as f:
            f.write(blob)
    return len(blobs)


def valid_records():
    # The type number from the corpus: dnspython does not know every type by name.
    for kind, tname, num, text, wire_hex, _dig in (e for e in corpus_entries() if e[0] == "ok"):
        rd = dns.rdata.GenericRdata(dns.rdataclass.IN, int(num),
                                    bytes.fromhex(wire_hex) if wire_hex != "-" else b"")
        yield tname, unpct(text), rd


def messages():
    recs = list(valid_records())
    out = []
    # One response per group of types, with names that compress against each other.
    for start in range(0, len(recs), 12):
        q = dns.message.make_query("www.example.com.", "A", use_edns=0, want_dnssec=True)
        r = dns.message.make_response(q)
        for i, (tname, text, rd) in enumerate(recs[start:start + 12]):
            owner = dns.name.from_text("r%d.www.example.com." % i)
            try:  # typed rdata so that names inside get compressed where allowed
                rd = dns.rdata.from_wire(rd.rdclass, rd.rdtype, rd.data, 0, len(rd.data))
            except Exception:
                pass
            rrs = dns.rrset.RRset(owner, dns.rdataclass.IN, rd.rdtype)
            rrs.add(rd, 300)
            (r.answer if i % 3 == 0 else r.authority if i % 3 == 1 else r.additional).append(rrs)
        out.append(r.to_wire(max_size=65535))
    # Plain query, NXDOMAIN with SOA, referral with glue, EDNS options, truncated flag.
    out.append(dns.message.make_query("example.com.", "AAAA").to_wire())
    q = dns.message.make_query("a.b.c.example.", "MX", use_edns=0, payload=1232,
                               options=[dns.edns.GenericOption(10, b"\x01" * 8),
                                        dns.edns.ECSOption("192.0.2.0", 24),
                                        dns.edns.GenericOption(12, b"\x00" * 20)])
    out.append(q.to_wire())
    r = dns.message.make_response(q)
    r.set_rcode(3)
    r.authority.append(dns.rrset.from_text("example.", 60, "IN", "SOA",
                                           "ns.example. host.example. 1 2 3 4 5"))
    out.append(r.to_wire())
    r = dns.message.make_response(dns.message.make_query("www.example.org.", "A"))
    r.flags |= dns.flags.TC
    r.authority.append(dns.rrset.from_text("example.org.", 3600, "IN", "NS",
                                           "ns1.example.org.", "ns2.example.org."))
    r.additional.append(dns.rrset.from_text("ns1.example.org.", 3600, "IN", "A", "192.0.2.1"))
    r.additional.append(dns.rrset.from_text("ns2.example.org.", 3600, "IN", "AAAA", "2001:db8::2"))
    out.append(r.to_wire())
    r = dns.message.make_response(dns.message.make_query("x.example.", "CNAME", use_edns=0))
    r.answer.append(dns.rrset.from_text("x.example.", 1, "IN", "CNAME", "y.example."))
    r.answer.append(dns.rrset.from_text("y.example.", 1, "IN", "MX", "10 x.example."))
    r.use_edns(0, dns.flags.DO, 4096, options=[dns.edns.EDEOption(18, "prohibited")])
    r.set_rcode(5)
    out.append(r.to_wire())
    return out


def main():
    msgs = messages()
    names = [m for m in msgs[:6]] + [
        b"\x03www\x07example\x03com\x00\xc0\x04\xc0\x00",          # pointer forwards (bad)
        b"\x01a\x00\x01b\xc0\x00\x01c\xc0\x03",                    # chains of pointers
        b"\x3f" + b"a" * 63 + b"\x00",
        "www.example.com.", "a\\.b\\\\c\\000.example", "@", ".", "\\065\\066.x.",
        ("a" * 63 + ".") * 3 + "d" * 61 + ".",
    ]
    rr_lines = []
    for e in corpus_entries():
        if e[0] == "ok":
            rr_lines.append("owner.example. 300 IN %s %s" % (e[1], unpct(e[3])))
        elif e[0] == "badtext":
            rr_lines.append("owner.example. IN 300 %s %s" % (e[1], unpct(e[3])))
    rr_lines = rr_lines[::5] + [
        "@ 1h30m CH TXT ( \"a\" ; comment\n \"b\" )", "x 0 CLASS255 TYPE0 \\# 0",
        "\\@.example. 1W IN A 1.2.3.4", "a.example. IN MX 10 b",
    ]
    n = write_dir("fuzz_name", names)
    n2 = write_dir("fuzz_rr_text", rr_lines)
    n3 = write_dir("fuzz_message", msgs)
    print("seeds: fuzz_name %d, fuzz_rr_text %d, fuzz_message %d" % (n, n2, n3))


if __name__ == "__main__":
    main()
