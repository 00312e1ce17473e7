"""owndns check-zone against nsd-checkzone (Debian nsd) and dnspython.

For every zone file in tests/data/zones/{good,bad}:
  - where nsd-checkzone accepts a zone, owndns accepts it with the same records, and
    dnspython (dns.zone.from_file) reads the same records too (third opinion);
  - where nsd-checkzone rejects it, owndns rejects it;
  - dnspython's limits are marked `; dnspython-rejects: why` (compared with nsd only);
  - deliberate differences are marked in the file (`; nsd-accepts: why`) and checked
    to still be differences, so they cannot go stale silently;
  - owndns prints exactly the `; expect:` messages of the file.
nsd-checkzone does not know $GENERATE: zones marked `; generate` are compared with
dnspython only.  The 1,000,000-record run is slow and only runs with OWNDNS_SLOW=1.
"""
import glob
import os
import re
import shutil
import time

import dns.exception
import dns.rdataclass
import dns.rdatatype
import dns.zone
import pytest

from conftest import DATA, run

ZONES = os.path.join(DATA, "zones")
NSD_CHECKZONE = shutil.which("nsd-checkzone") or "/usr/sbin/nsd-checkzone"
SUMMARY = re.compile(r"^(\S+): loaded, (\d+) records?, (\d+) RRsets?, (\d+) names? "
                     r"\(serial (\d+)\)$")


def headers(path):
    """The `; key: value` / `; key` lines of a zone file as a dict; expect is a list."""
    h = {"origin": "example.com", "expect": []}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^; (origin|expect|nsd-accepts|dnspython-rejects): (.*)$",
                         line.rstrip("\n"))
            if m and m.group(1) == "expect":
                h["expect"].append(m.group(2))
            elif m:
                h[m.group(1)] = m.group(2)
            elif line.strip() in ("; generate", "; loads"):
                h[line.strip()[2:]] = True
    return h


def records(zone, with_ttl=True):
    """A zone's records as a set of (owner, ttl, class, type, rdata text)."""
    out = set()
    for name, ttl, rdata in zone.iterate_rdatas():
        out.add((name.to_text().lower(), ttl if with_ttl else None,
                 dns.rdataclass.to_text(rdata.rdclass), dns.rdatatype.to_text(rdata.rdtype),
                 rdata.to_digestable(zone.origin).hex()))
    return out


def zone_from_text(text, origin):
    return dns.zone.from_text(text, origin=origin, relativize=False, check_origin=False)


def owndns_check(owndns_bin, path, origin, extra=()):
    return run([owndns_bin, "check-zone", "origin=" + origin, "file=" + os.path.basename(path)]
               + list(extra))


def nsd_check(path, origin, extra=()):
    return run([NSD_CHECKZONE] + list(extra) + [origin, os.path.basename(path)])


def zone_files(kind):
    return sorted(glob.glob(os.path.join(ZONES, kind, "*.zone")))


def ids(paths):
    return [os.path.basename(p) for p in paths]


@pytest.fixture(autouse=True)
def in_zone_dir(request, monkeypatch):
    # dnspython resolves $INCLUDE against the working directory, nsd and owndns against
    # the including file: run everything from the zone file's directory.
    path = request.node.callspec.params.get("path") if hasattr(request.node, "callspec") else None
    if path:
        monkeypatch.chdir(os.path.dirname(path))


def compare_loaded(owndns_bin, path, h):
    """owndns loaded the zone: its records equal dnspython's and, unless the zone uses
    $GENERATE, nsd-checkzone's."""
    origin = h["origin"]
    ours = owndns_check(owndns_bin, path, origin, ["print=yes"])
    assert ours.returncode == 0, ours.stderr
    lines = ours.stdout.rstrip("\n").split("\n")
    summary = SUMMARY.match(lines[-1])
    assert summary, lines[-1]
    mine = records(zone_from_text("\n".join(lines[:-1]) + "\n", origin))
    assert int(summary.group(2)) == len(mine)

    if h.get("dnspython-rejects"):
        # A dnspython limitation (see the file): make sure it is still one.
        with pytest.raises(dns.exception.SyntaxError):
            dns.zone.from_file(os.path.basename(path), origin=origin, relativize=False)
    else:
        third = records(dns.zone.from_file(os.path.basename(path), origin=origin,
                                           relativize=False))
        assert mine == third

    if not h.get("generate"):
        nsd = nsd_check(path, origin, ["-p"])
        assert nsd.returncode == 0, nsd.stderr
        theirs = zone_from_text(nsd.stdout, origin)
        # nsd keeps differing TTLs inside an RRset; owndns and dnspython take the
        # smallest (RFC 2181 §5.2), so compare nsd without TTLs.
        assert records(theirs, with_ttl=False) == {r[:1] + (None,) + r[2:] for r in mine}


def messages(result):
    return [line for line in result.stderr.rstrip("\n").split("\n")
            if line and not re.match(r"^\S+: not loaded: ", line)]


@pytest.mark.parametrize("path", zone_files("good"), ids=ids(zone_files("good")))
def test_good_zone(owndns_bin, path):
    h = headers(path)
    compare_loaded(owndns_bin, path, h)
    ours = owndns_check(owndns_bin, path, h["origin"])
    assert sorted(messages(ours)) == sorted(h["expect"])


@pytest.mark.parametrize("path", zone_files("bad"), ids=ids(zone_files("bad")))
def test_bad_zone(owndns_bin, path):
    h = headers(path)
    origin = h["origin"]
    ours = owndns_check(owndns_bin, path, origin)
    assert sorted(messages(ours)) == sorted(h["expect"])
    nsd = nsd_check(path, origin)
    if h.get("loads"):
        compare_loaded(owndns_bin, path, h)
        return
    assert ours.returncode == 1
    assert ours.stdout == ""
    if h.get("nsd-accepts"):
        # A deliberate difference (see the file): nsd still accepts, we refuse.
        assert nsd.returncode == 0, nsd.stderr
    else:
        assert nsd.returncode != 0, "nsd-checkzone accepts %s" % path


def test_usage_errors(owndns_bin):
    r = run([owndns_bin, "check-zone", "file=x.zone"])
    assert r.returncode == 1
    assert "origin= and file= are required" in r.stderr
    r = run([owndns_bin, "check-zone", "origin=a..b", "file=x.zone"])
    assert r.returncode == 1
    r = run([owndns_bin, "check-zone", "origin=example.com", "file=/nonexistent/x.zone"])
    assert r.returncode == 1
    assert r.stderr.startswith("/nonexistent/x.zone: cannot open '/nonexistent/x.zone': ")
    # The reason only: no "no SOA" / "no NS" for a zone that was never read.
    assert "apex" not in r.stderr, r.stderr


@pytest.mark.skipif(not os.environ.get("OWNDNS_SLOW"), reason="slow: set OWNDNS_SLOW=1")
def test_million_records(owndns_bin, tmp_path):
    count = 1000000
    path = tmp_path / "big.zone"
    with open(path, "w", encoding="ascii") as f:
        f.write("$TTL 3600\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ NS ns1\n"
                "ns1 A 192.0.2.1\n")
        for i in range(count - 3):
            f.write("host%d A 10.%d.%d.%d\n" % (i, (i >> 16) & 255, (i >> 8) & 255, i & 255))
    start = time.monotonic()
    ours = run([owndns_bin, "check-zone", "origin=example.com", "file=%s" % path])
    ours_s = time.monotonic() - start
    start = time.monotonic()
    nsd = run([NSD_CHECKZONE, "example.com", str(path)])
    nsd_s = time.monotonic() - start
    print("check-zone %.2f s, nsd-checkzone %.2f s" % (ours_s, nsd_s))
    assert ours.returncode == 0 and nsd.returncode == 0
    assert SUMMARY.match(ours.stdout.strip()).group(2) == str(count)
