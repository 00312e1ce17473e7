"""Replays the message fuzzer's corpus (fuzz/corpus/fuzz_message) and mangled copies of
it at a running `owndns serve`, over UDP and TCP, and checks after each batch that the
server is still alive and still answers a good question correctly (dnspython decides
what "correctly" means).  Every packet goes to 127.0.0.1."""
import os
import random
import socket
import struct

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from test_serve_net import free_port, start_server, wait_ready, write_zone  # noqa: F401

CORPUS = os.path.join(os.path.dirname(__file__), "..", "..", "fuzz", "corpus", "fuzz_message")
MANGLED_PER_SEED = 20


def corpus_packets():
    packets = []
    for name in sorted(os.listdir(CORPUS)):
        with open(os.path.join(CORPUS, name), "rb") as f:
            packets.append(f.read())
    return packets


def mangle(packet, rng):
    """Flips, cuts or extends a seed the way a fuzzer would, reproducibly."""
    data = bytearray(packet)
    for _ in range(rng.randint(1, 4)):
        choice = rng.randrange(4)
        if choice == 0 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif choice == 1 and len(data) > 1:
            del data[rng.randrange(len(data)):]
        elif choice == 2:
            data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif len(data) > 2:
            data[2] &= 0x7f  # QR=0, so the server looks at it as a query
    return bytes(data)


def still_answers(port):
    q = dns.message.make_query("www.example.com.", "A")
    resp = dns.query.udp(q, "127.0.0.1", port=port, timeout=2)
    assert resp.rcode() == dns.rcode.NOERROR
    assert [r.address for r in resp.find_rrset(resp.answer, q.question[0].name,
                                                 dns.rdataclass.IN, dns.rdatatype.A)] == ["192.0.2.1"]


def send_udp(port, packets):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.01)
        for p in packets:
            s.sendto(p, ("127.0.0.1", port))
            try:  # drain whatever comes back so nothing queues up
                s.recv(65535)
            except OSError:
                pass


def send_tcp(port, packets):
    for p in packets:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            try:
                s.sendall(struct.pack("!H", len(p)) + p)
                s.settimeout(0.2)
                s.recv(65535)
            except OSError:
                pass  # the server may close or stay silent: both are fine


def test_fuzz_corpus_does_not_stop_the_server(start_server, tmp_path):
    zone = tmp_path / "example.com.zone"
    write_zone(zone)
    server = start_server("recursion=no", "zone=example.com:%s" % zone)
    seeds = corpus_packets()
    assert len(seeds) >= 10, "the fuzz corpus is missing"
    rng = random.Random(20261125)
    batches = [seeds] + [[mangle(p, rng) for p in seeds] for _ in range(MANGLED_PER_SEED)]
    for batch in batches:
        send_udp(server.port, batch)
        assert server.alive(), server.log()
        still_answers(server.port)
    send_tcp(server.port, seeds + [mangle(p, rng) for p in seeds])
    assert server.alive(), server.log()
    still_answers(server.port)
