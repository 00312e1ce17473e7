"""The IP header of UDP answers, read off the loopback interface with a packet socket.

With the default udp-max-size (every answer fits a 1280-octet link) IPv4 answers are
sent unfragmentable (DF) without an IP ID: the kernel then spends no work choosing one
per datagram.  A larger udp-max-size keeps the kernel's default (IDs chosen, answers
larger than a link fragmented rather than dropped).  Needs CAP_NET_RAW for the packet
socket; skipped without it.
"""
import ctypes
import select
import socket
import struct
import time

import pytest

from test_serve_net import query, start_server, zone_file  # noqa: F401 (fixtures)

ETH_P_IP = 0x0800
IP_DF = 0x4000
SO_ATTACH_FILTER = 26
QUERIES = 8


def udp_source_port_filter(port):
    """A classic BPF program keeping IPv4 UDP datagrams from `port` (no IP options),
    so that other loopback traffic cannot fill the socket's buffer."""
    insns = [
        (0x30, 0, 0, 9),         # ldb [9]: protocol
        (0x15, 0, 3, 17),        # jeq UDP, else drop
        (0x28, 0, 0, 20),        # ldh [20]: UDP source port
        (0x15, 0, 1, port),      # jeq port, else drop
        (0x06, 0, 0, 0xffff),    # keep
        (0x06, 0, 0, 0),         # drop
    ]
    code = b"".join(struct.pack("HBBI", *i) for i in insns)
    buf = ctypes.create_string_buffer(code, len(code))
    prog = struct.pack("HL", len(insns), ctypes.addressof(buf))
    return prog, buf


def packet_socket(port):
    try:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
    except (PermissionError, AttributeError, OSError) as e:
        pytest.skip("no packet socket: %s" % e)
    prog, buf = udp_source_port_filter(port)
    s.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, prog)
    del buf  # the kernel copied the program
    s.bind(("lo", ETH_P_IP))
    return s


def udp_headers_from(sniffer, port, want, timeout=3.0):
    """(id, DF) of the IPv4 UDP datagrams sent from 127.0.0.1@port, until `want`."""
    found = []
    deadline = time.monotonic() + timeout
    while len(found) < want and time.monotonic() < deadline:
        ready, _, _ = select.select([sniffer], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        pkt = sniffer.recv(65535)
        if len(pkt) < 28 or pkt[0] >> 4 != 4 or pkt[9] != socket.IPPROTO_UDP:
            continue
        ihl = (pkt[0] & 15) * 4
        if pkt[12:16] != socket.inet_aton("127.0.0.1") or len(pkt) < ihl + 8:
            continue
        (sport,) = struct.unpack("!H", pkt[ihl:ihl + 2])
        if sport != port:
            continue
        ident, frag = struct.unpack("!HH", pkt[4:8])
        found.append((ident, bool(frag & IP_DF)))
    return found


def answer_headers(server):
    sniffer = packet_socket(server.port)
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        client.settimeout(2)
        for _ in range(QUERIES):
            client.sendto(query().to_wire(), ("127.0.0.1", server.port))
            client.recv(65535)
        return udp_headers_from(sniffer, server.port, QUERIES)
    finally:
        client.close()
        sniffer.close()


def test_default_answers_are_unfragmentable_without_ip_id(start_server, zone_file):  # noqa: F811
    server = start_server("zone=example.com:%s" % zone_file)
    headers = answer_headers(server)
    assert len(headers) == QUERIES
    assert all(df for _, df in headers), headers
    assert all(ident == 0 for ident, _ in headers), headers


def test_large_udp_max_size_keeps_kernel_default(start_server, zone_file):  # noqa: F811
    server = start_server("zone=example.com:%s" % zone_file, "udp-max-size=4096")
    headers = answer_headers(server)
    assert len(headers) == QUERIES
    assert any(ident != 0 for ident, _ in headers), headers
