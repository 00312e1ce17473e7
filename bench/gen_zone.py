#!/usr/bin/python3
"""Generate the benchmark zone bench.test. and its query file.

The zone has NAMES owner names nNNNNNN.bench.test., each with an A record; every
10th name also has an AAAA, every 50th an MX, every 100th a TXT.  The query file
lists every name once, shuffled (fixed seed), as dnsperf input ("name TYPE"):
mostly A, the AAAA/MX/TXT of some names that have them, and about 1% names
that do not exist (NXDOMAIN).  Used by bench.py; runnable alone:

    /usr/bin/python3 bench/gen_zone.py OUTDIR [NAMES]

writes OUTDIR/bench.test.zone, OUTDIR/tiny.zone and OUTDIR/queries.txt.
"""
import os
import random
import sys

ORIGIN = "bench.test."
TTL = 86400
NXDOMAIN_EVERY = 100  # one query in this many asks for a name that does not exist


def owner(i):
    return "n%06d" % i


def apex_lines(serial=1):
    return [
        "$ORIGIN %s" % ORIGIN,
        "$TTL %d" % TTL,
        "@ IN SOA ns1 hostmaster %d 3600 900 604800 3600" % serial,
        "@ IN NS ns1",
        "ns1 IN A 127.0.53.1",
    ]


def record_lines(i):
    name = owner(i)
    lines = ["%s IN A 10.%d.%d.%d" % (name, (i >> 16) & 255, (i >> 8) & 255, i & 255)]
    if i % 10 == 0:
        lines.append("%s IN AAAA 2001:db8::%x:%x" % (name, i >> 16, i & 0xFFFF))
    if i % 50 == 0:
        lines.append("%s IN MX 10 mail.%s" % (name, name))
    if i % 100 == 0:
        lines.append('%s IN TXT "benchmark record %d"' % (name, i))
    return lines


def query_for(i):
    """One dnsperf line for name i: a type that exists for it, or an NXDOMAIN name."""
    if i % NXDOMAIN_EVERY == 37:
        return "x%06d.%s A" % (i, ORIGIN)
    if i % 100 == 0:
        return "%s.%s TXT" % (owner(i), ORIGIN)
    if i % 50 == 0:
        return "%s.%s MX" % (owner(i), ORIGIN)
    if i % 20 == 0:
        return "%s.%s AAAA" % (owner(i), ORIGIN)
    return "%s.%s A" % (owner(i), ORIGIN)


def write_zone(path, names):
    """Write the zone; return the number of records in it."""
    count = 0
    with open(path, "w") as out:
        for line in apex_lines():
            out.write(line + "\n")
            count += 1 if " IN " in line else 0
        for i in range(names):
            for line in record_lines(i):
                out.write(line + "\n")
                count += 1
    return count


def write_tiny_zone(path):
    """The apex alone: the baseline for bytes per record."""
    with open(path, "w") as out:
        out.write("\n".join(apex_lines()) + "\n")
    return 3


def write_queries(path, names, seed=42):
    order = list(range(names))
    random.Random(seed).shuffle(order)
    with open(path, "w") as out:
        for i in order:
            out.write(query_for(i) + "\n")
    return names


def generate(outdir, names):
    os.makedirs(outdir, exist_ok=True)
    records = write_zone(os.path.join(outdir, "bench.test.zone"), names)
    tiny = write_tiny_zone(os.path.join(outdir, "tiny.zone"))
    write_queries(os.path.join(outdir, "queries.txt"), names)
    return records, tiny


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: gen_zone.py OUTDIR [NAMES]")
    n = int(sys.argv[2]) if len(sys.argv) == 3 else 100000
    recs, _ = generate(sys.argv[1], n)
    print("%d names, %d records in %s" % (n, recs, sys.argv[1]))
