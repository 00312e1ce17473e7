#!/usr/bin/python3
"""Show how dig prints resource records.

Reads RRs in presentation form (one per line, absolute owner names) from the arguments
or stdin, serves them as the answer section of one response from a UDP server on
127.0.0.1, asks dig for it and prints dig's answer lines.  Used to learn and to test
dig's output format; the records go through dnspython, an independent implementation.

    tests/tools/dig_print.py 'a.example. 300 IN TXT "x\\"y"'
"""
import socket
import subprocess
import sys
import threading

import dns.message
import dns.rdatatype
import dns.rrset


def serve_once(sock, rrsets):
    data, peer = sock.recvfrom(65535)
    query = dns.message.from_wire(data)
    resp = dns.message.make_response(query)
    resp.answer = rrsets
    sock.sendto(resp.to_wire(max_size=65535), peer)


def dig_lines(lines, dig_args=()):
    rrsets = [dns.rrset.from_text(*split_rr(line)) for line in lines]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(10)
    port = sock.getsockname()[1]
    t = threading.Thread(target=serve_once, args=(sock, rrsets), daemon=True)
    t.start()
    out = subprocess.run(
        ["dig", "@127.0.0.1", "-p", str(port), "+norec", "+noall", "+answer",
         "+bufsize=65000", "+tries=1", "+time=5", "q.example.", "A", *dig_args],
        capture_output=True, text=True, timeout=20, check=False)
    t.join(timeout=10)
    sock.close()
    return [l for l in out.stdout.splitlines() if l and not l.startswith(";")]


def split_rr(line):
    name, ttl, rclass, rtype, rdata = line.split(None, 4)
    return name, int(ttl), rclass, rtype, rdata


if __name__ == "__main__":
    src = sys.argv[1:] or [l.strip() for l in sys.stdin if l.strip()]
    for l in dig_lines(src):
        print(l)
