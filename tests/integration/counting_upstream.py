"""Support for the forwarding-resolver tests (issue 5): a counting upstream, NSD, and the
resolver under test (owndns or, as a check of the tests themselves, Unbound).

CountingUpstream is a dnspython upstream on 127.0.0.x, UDP and TCP on the same port.
It answers from a small zone table (zone-file text parsed by dnspython; in-zone CNAMEs
followed, wildcards synthesized, NXDOMAIN/NODATA with the SOA in the authority section,
names outside every zone REFUSED) and logs every query it receives:
(time, lower-case name, type, transport, ID).  What it does can be changed while it
runs:

    mode        "answer" (default), "silent" (no reply at all), "servfail", "refused"
    delay       seconds before each reply leaves (replies are scheduled, so a delay
                never holds up the other queries)
    tc_names    lower-case names whose UDP answers are an empty TC=1 reply (TCP answers
                in full)
    negative_soa_ttl  "min": the SOA of a negative answer carries min(TTL, MINIMUM),
                as RFC 2308 §3 asks of an authoritative server; "raw": the SOA's own
                TTL, so the resolver has to apply MINIMUM itself (RFC 2308 §5)

Answers from the zone table carry AA=1 (like an authoritative server) and RA=1, so a
forwarder that copied AA into its own answers would be caught.  The server runs in one
thread (a selector loop with a heap of scheduled sends) and stop() joins it and closes
every socket.

Resolver(...) starts the resolver under test with one description of its configuration
(upstreams, forward zones, local data, hosts file, cache limits, ACL) turned either into
`owndns serve` keys or into an equivalent unbound.conf; see start_resolver().
Everything listens on 127.0.0.0/8, every wait is bounded, and every process is started
through conftest's `processes`, which stops it by PID at teardown.
"""
import contextlib
import errno
import heapq
import ipaddress
import os
import selectors
import socket
import struct
import threading
import time

import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.reversename
import dns.zone
import pytest

from conftest import Processes, find_owndns
# free_port, start_nsd and wait_answering are also used from here by other tests.
from servers import (free_port, start_nsd, start_unbound,  # noqa: F401
                     unbound_base_lines, wait_answering)

STOP_TIMEOUT = 5.0
TCP_IDLE_TIMEOUT = 10.0
CNAME_CHAIN_MAX = 8


# ---- the counting upstream ------------------------------------------------------------

class ZoneTable:
    """Zones (origin, zone-file text) and the answers an authoritative server gives."""

    def __init__(self, zones):
        self.zones = []
        for origin, text in zones:
            z = dns.zone.from_text(text, origin=origin, relativize=False, check_origin=True)
            self.zones.append(z)
        self.zones.sort(key=lambda z: -len(z.origin))

    def zone_for(self, name):
        for z in self.zones:
            if name.is_subdomain(z.origin):
                return z
        return None

    @staticmethod
    def find_node(z, name):
        """(node, owner_is_wildcard) for name in z, or (None, ENT?)."""
        node = z.get_node(name)
        if node is not None:
            return node, False
        if any(n.is_subdomain(name) for n in z.nodes):
            return None, True  # empty non-terminal: NODATA
        # Closest encloser, then its wildcard (RFC 4592 §3.3.1).
        encloser = name.parent()
        while encloser.is_subdomain(z.origin):
            if z.get_node(encloser) is not None or \
                    any(n.is_subdomain(encloser) for n in z.nodes if n != encloser):
                wild = z.get_node(dns.name.Name((b"*",) + encloser.labels))
                return wild, False
            encloser = encloser.parent()
        return None, False

    def negative_soa(self, z, soa_ttl_rule):
        soa = z.find_rdataset(z.origin, dns.rdatatype.SOA)
        ttl = soa.ttl if soa_ttl_rule == "raw" else min(soa.ttl, soa[0].minimum)
        return dns.rrset.from_rdata_list(z.origin, ttl, list(soa))

    def answer(self, query, soa_ttl_rule="min"):
        """The response to a parsed query (rcode, sections, AA)."""
        resp = dns.message.make_response(query)
        resp.flags |= dns.flags.RA
        q = query.question[0]
        z = self.zone_for(q.name)
        if z is None or q.rdclass != dns.rdataclass.IN:
            resp.set_rcode(dns.rcode.REFUSED)
            return resp
        resp.flags |= dns.flags.AA
        name = q.name
        for _ in range(CNAME_CHAIN_MAX):
            node, ent = self.find_node(z, name)
            if node is None:
                if not ent:  # RFC 6604 §2.1: the rcode of the last name of the chain
                    resp.set_rcode(dns.rcode.NXDOMAIN)
                resp.authority.append(self.negative_soa(z, soa_ttl_rule))
                return resp
            rds = node.get_rdataset(dns.rdataclass.IN, q.rdtype)
            if rds is not None:
                resp.answer.append(dns.rrset.from_rdata_list(name, rds.ttl, list(rds)))
                return resp
            cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
            if cname is None:
                resp.authority.append(self.negative_soa(z, soa_ttl_rule))
                return resp
            resp.answer.append(dns.rrset.from_rdata_list(name, cname.ttl, list(cname)))
            name = cname[0].target
            z = self.zone_for(name)
            if z is None:
                return resp
        return resp


class CountingUpstream:
    """See the module docstring.  `zones`: [(origin, zone-file text), ...]."""

    def __init__(self, zones, host="127.0.0.1"):
        self.table = ZoneTable(zones)
        self.host = host
        self.mode = "answer"
        self.delay = 0.0
        self.tc_names = set()
        self.negative_soa_ttl = "min"
        self.log = []
        self.errors = []
        self.lock = threading.Lock()
        self._bind_pair(host)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.udp, selectors.EVENT_READ, ("udp", None))
        self.sel.register(self.tcp, selectors.EVENT_READ, ("accept", None))
        self.conns = {}      # socket -> [buffer, last activity]
        self.pending = []    # heap of (due, seq, sock, wire, peer)
        self.seq = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _bind_pair(self, host):
        """A UDP and a TCP socket on one port.  A port found free can be taken before
        it is bound (by a resolver's upstream socket, say): then another is tried."""
        for attempt in range(50):
            self.port = free_port(host)
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
                udp.bind((host, self.port))
                tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                tcp.bind((host, self.port))
                tcp.listen(64)
            except OSError as e:
                udp.close()
                tcp.close()
                if e.errno != errno.EADDRINUSE or attempt == 49:
                    raise
                continue
            udp.setblocking(False)
            tcp.setblocking(False)
            self.udp, self.tcp = udp, tcp
            return

    @property
    def addr(self):
        return "%s@%d" % (self.host, self.port)

    # -- what tests read --
    def queries(self, name=None, rdtype=None, transport=None):
        name = name.lower().rstrip(".") + "." if name else None
        rdtype = dns.rdatatype.from_text(rdtype) if isinstance(rdtype, str) else rdtype
        with self.lock:
            return [e for e in self.log
                    if (name is None or e[1] == name) and (rdtype is None or e[2] == rdtype)
                    and (transport is None or e[3] == transport)]

    def count(self, name=None, rdtype=None, transport=None):
        return len(self.queries(name, rdtype, transport))

    def wait_count(self, n, timeout=5.0, **kw):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count(**kw) >= n:
                return True
            time.sleep(0.02)
        return self.count(**kw) >= n

    def clear(self):
        with self.lock:
            self.log = []

    # -- the loop --
    def _loop(self):
        while not self.stopping.is_set():
            timeout = 0.05
            if self.pending:
                timeout = max(0.0, min(timeout, self.pending[0][0] - time.monotonic()))
            for key, _ in self.sel.select(timeout):
                kind, _ = key.data
                try:
                    if kind == "udp":
                        self._read_udp()
                    elif kind == "accept":
                        self._accept()
                    else:
                        self._read_tcp(key.fileobj)
                except Exception as exc:  # reported to the test through .errors
                    self.errors.append(exc)
            self._send_due()
            self._close_idle()

    def _read_udp(self):
        for _ in range(64):
            try:
                data, peer = self.udp.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            self._handle(data, "udp", self.udp, peer)

    def _accept(self):
        try:
            conn, _ = self.tcp.accept()
        except (BlockingIOError, InterruptedError):
            return
        conn.setblocking(False)
        self.conns[conn] = [b"", time.monotonic()]
        self.sel.register(conn, selectors.EVENT_READ, ("tcp", None))

    def _read_tcp(self, conn):
        try:
            data = conn.recv(65535)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._close(conn)
            return
        state = self.conns[conn]
        state[0] += data
        state[1] = time.monotonic()
        while len(state[0]) >= 2:
            (length,) = struct.unpack("!H", state[0][:2])
            if len(state[0]) < 2 + length:
                break
            wire, state[0] = state[0][2:2 + length], state[0][2 + length:]
            self._handle(wire, "tcp", conn, None)

    def _close(self, conn):
        if conn in self.conns:
            del self.conns[conn]
            self.sel.unregister(conn)
            conn.close()

    def _close_idle(self):
        now = time.monotonic()
        for conn, state in list(self.conns.items()):
            if now - state[1] > TCP_IDLE_TIMEOUT:
                self._close(conn)

    def _send_due(self):
        now = time.monotonic()
        while self.pending and self.pending[0][0] <= now:
            _, _, sock, wire, peer = heapq.heappop(self.pending)
            try:
                if peer is None:
                    if sock in self.conns:
                        sock.sendall(struct.pack("!H", len(wire)) + wire)
                else:
                    sock.sendto(wire, peer)
            except OSError:
                pass

    def _handle(self, wire, transport, sock, peer):
        query = self._logged_query(wire, transport)
        if query is None:
            return
        resp = self._respond(query, transport)
        if resp is None:
            return
        out = resp.to_wire(max_size=65535)
        self.seq += 1
        heapq.heappush(self.pending, (time.monotonic() + self.delay, self.seq, sock, out, peer))

    def _logged_query(self, wire, transport):
        """The query in `wire`, logged; None for what is not a one-question query."""
        try:
            query = dns.message.from_wire(wire)
        except Exception:
            return None
        if query.flags & dns.flags.QR or len(query.question) != 1:
            return None
        q = query.question[0]
        with self.lock:
            self.log.append((time.monotonic(), q.name.to_text().lower(), q.rdtype,
                             transport, query.id))
        return query

    def _respond(self, query, transport):
        """The response to send after `delay`, or None for none (mode "silent")."""
        mode = self.mode
        if mode == "silent":
            return None
        if mode in ("servfail", "refused"):
            resp = dns.message.make_response(query)
            resp.flags |= dns.flags.RA
            resp.set_rcode(dns.rcode.SERVFAIL if mode == "servfail" else dns.rcode.REFUSED)
            return resp
        qname = query.question[0].name.to_text().lower()
        if transport == "udp" and qname in self.tc_names:
            resp = dns.message.make_response(query)
            resp.flags |= dns.flags.TC | dns.flags.RA | dns.flags.AA
            return resp
        return self.table.answer(query, self.negative_soa_ttl)

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=STOP_TIMEOUT)
        for conn in list(self.conns):
            self._close(conn)
        self.sel.close()
        self.udp.close()
        self.tcp.close()
        if self.thread.is_alive():
            raise RuntimeError("upstream thread did not stop")


# ---- the resolver under test ----------------------------------------------------------

def targets():
    """Which resolvers the tests run against: OWNDNS_FORWARD_TARGETS, comma-separated
    ("owndns", "unbound"); default owndns.  Unbound is there to check the tests."""
    names = os.environ.get("OWNDNS_FORWARD_TARGETS", "owndns").split(",")
    return [n.strip() for n in names if n.strip()]


class Resolver:
    def __init__(self, kind, port, proc):
        self.kind, self.port, self.proc = kind, port, proc
        self.stderr_lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stderr:
            self.stderr_lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def log(self):
        return "\n".join(self.stderr_lines)

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid, encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS")


def hosts_to_local_data(path, ttl):
    """A hosts file as local-data lines, as owndns reads it (server/local/hosts.c): every
    name gets the address, every address one PTR to the first name of its first line."""
    data, ptr_done = [], set()
    with open(path, encoding="ascii") as f:
        for line in f:
            fields = line.split("#", 1)[0].split()
            if len(fields) < 2:
                continue
            addr = ipaddress.ip_address(fields[0].split("%")[0])
            rtype = "A" if addr.version == 4 else "AAAA"
            for name in fields[1:]:
                name = name.rstrip(".") + "."
                data.append("%s %d IN %s %s" % (name, ttl, rtype, addr))
            if addr not in ptr_done:
                ptr_done.add(addr)
                rev = dns.reversename.from_address(str(addr)).to_text()
                data.append("%s %d IN PTR %s" % (rev, ttl, fields[1].rstrip(".") + "."))
    return data


def unbound_conf(d, port, cfg):
    lines = unbound_base_lines(port, d)
    lines += ["    num-threads: 1",
             "    do-not-query-localhost: no",
             "    qname-minimisation: no",
             "    rrset-roundrobin: no",
             "    minimal-responses: yes",
             "    prefetch: no",
             # Unbound drops replies to clients that waited over 1.9 s (they retry);
             # the failover tests wait once, with a longer deadline.
             "    discard-timeout: 0",
             '    module-config: "iterator"']
    if "cache-size" in cfg:
        half = cfg["cache-size"] // 2
        lines += ["    msg-cache-size: %d" % half, "    rrset-cache-size: %d" % half,
                  "    msg-cache-slabs: 1", "    rrset-cache-slabs: 1",
                  "    infra-cache-slabs: 1", "    key-cache-slabs: 1"]
    for key in ("cache-min-ttl", "cache-max-ttl", "cache-max-negative-ttl"):
        if key in cfg:
            lines.append("    %s: %d" % (key, cfg[key]))
    if cfg.get("serve-stale"):
        lines += ["    serve-expired: yes", "    serve-expired-reply-ttl: 30",
                  "    serve-expired-ttl: %d" % cfg.get("serve-stale-max", 86400),
                  "    serve-expired-client-timeout: 1800"]
    # allow_snoop: RD=0 questions are answered from the cache, as owndns does.
    lines.append("    access-control: 127.0.0.0/8 allow_snoop")
    for cidr in cfg.get("allow", []):
        lines.append("    access-control: %s allow_snoop" % cidr)
    for cidr in cfg.get("deny", []):
        lines.append("    access-control: %s refuse" % cidr)
    data = list(cfg.get("local-data", []))
    if cfg.get("hosts"):
        data += hosts_to_local_data(cfg["hosts"], cfg.get("hosts-ttl", 0))
    for rr in data:
        lines.append("    local-data: '%s'" % rr)
    for domain, addrs in cfg.get("forward-zone", []):
        lines += ["forward-zone:", '    name: "%s"' % domain]
        lines += ["    forward-addr: %s" % a for a in addrs]
    if cfg.get("forward"):
        lines += ["forward-zone:", '    name: "."']
        lines += ["    forward-addr: %s" % a for a in cfg["forward"]]
    lines += ["remote-control:", "    control-enable: no", ""]
    return "\n".join(lines)


def owndns_command(port, cfg):
    cmd = [find_owndns(), "serve", "listen=127.0.0.1@%d" % port]
    cmd += ["forward=%s" % a for a in cfg.get("forward", [])]
    cmd += ["forward-zone=%s:%s" % (domain, ",".join(addrs))
            for domain, addrs in cfg.get("forward-zone", [])]
    for key in ("cache-size", "cache-min-ttl", "cache-max-ttl", "cache-max-negative-ttl",
                "serve-stale-max", "hosts", "hosts-ttl"):
        if key in cfg:
            cmd.append("%s=%s" % (key, cfg[key]))
    if "serve-stale" in cfg:
        cmd.append("serve-stale=%s" % ("yes" if cfg["serve-stale"] else "no"))
    if "builtin-local-zones" in cfg:
        cmd.append("builtin-local-zones=%s" % ("yes" if cfg["builtin-local-zones"] else "no"))
    cmd += ["local-data=%s" % rr for rr in cfg.get("local-data", [])]
    cmd += ["allow=%s" % c for c in cfg.get("allow", [])]
    cmd += ["deny=%s" % c for c in cfg.get("deny", [])]
    return cmd + list(cfg.get("extra", []))


def start_resolver(kind, processes, workdir, ready_name="localhost.", **cfg):
    """Starts owndns or Unbound with the configuration `cfg`:
        forward=[ "127.0.0.1@PORT", ...], forward-zone=[(domain, [addr, ...])],
        local-data=[rr text], hosts=PATH, hosts-ttl=N, cache-size=BYTES,
        cache-min-ttl / cache-max-ttl / cache-max-negative-ttl=N, serve-stale=bool,
        serve-stale-max=N, allow=[cidr], deny=[cidr], builtin-local-zones=bool
    (keys with '-' are passed with '_' in Python: cache_size=..., forward_zone=...).
    Readiness is polled with `ready_name` A, which must not need an upstream."""
    cfg = {k.replace("_", "-"): v for k, v in cfg.items()}
    if kind == "owndns":
        binary = find_owndns()
        if not os.access(binary, os.X_OK):
            raise RuntimeError("owndns binary not found at %s" % binary)
        port = free_port()
        proc = processes.start(owndns_command(port, cfg))
        wait_answering(port, proc, ready_name, rdtype="A")
    elif kind == "unbound":
        port, proc = start_unbound(processes, workdir,
                                   lambda port, d: unbound_conf(d, port, cfg).split("\n"),
                                   ready_name)
    else:
        raise ValueError(kind)
    return Resolver(kind, port, proc)


@contextlib.contextmanager
def unbound_and_owndns(tmp_path_factory, ups, **cfg):
    """For module fixtures: Unbound and owndns started with the same `cfg`
    (start_resolver's keys) in front of the upstreams `ups` ({name: upstream}); yields
    {"ups": ups, "unbound": port, "owndns": port}.  At the end the resolvers are stopped
    by PID, the upstreams stopped, and any upstream error fails the test."""
    procs = Processes()
    try:
        ports = {"ups": ups}
        for kind in ("unbound", "owndns"):
            res = start_resolver(kind, procs, tmp_path_factory.mktemp(kind), **cfg)
            ports[kind] = res.port
        yield ports
    finally:
        procs.stop_all()
        for u in ups.values():
            u.stop()
    problems = [e for u in ups.values() for e in u.errors]
    assert not problems, problems


@pytest.fixture
def resolver(kind, processes, tmp_path):
    """start(**cfg): start_resolver of the test's `kind`, stopped with the test."""
    def start(**cfg):
        return start_resolver(kind, processes, tmp_path, **cfg)
    return start


@pytest.fixture
def track_upstream():
    """track(u) -> u: the upstream is stopped after the test, which fails on its errors."""
    started = []

    def track(u):
        started.append(u)
        return u

    yield track
    problems = []
    for u in started:
        u.stop()
        problems += u.errors
    assert not problems, problems


def owndns_is_sanitized():
    """ASan keeps freed memory in quarantine: RSS says nothing about the cache then."""
    try:
        with open(find_owndns(), "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


# ---- asking --------------------------------------------------------------------------

def ask(port, qname, rdtype="A", timeout=3.0, tcp=False, source="127.0.0.1", **kw):
    """The parsed response to one question (EDNS 1232 unless use_edns= says otherwise)."""
    kw.setdefault("use_edns", 0)
    kw.setdefault("payload", 1232)
    q = dns.message.make_query(qname, rdtype, **kw)
    if tcp:
        return dns.query.tcp(q, "127.0.0.1", port=port, timeout=timeout, source=source)
    return dns.query.udp(q, "127.0.0.1", port=port, timeout=timeout, source=source)


def rr_lines(section, ttl=True):
    out = []
    for rrset in section:
        for rd in rrset:
            if ttl:
                out.append("%s %d %s %s" % (rrset.name.to_text().lower(), rrset.ttl,
                                             dns.rdatatype.to_text(rrset.rdtype),
                                             rd.to_text().lower()))
            else:
                out.append("%s %s %s" % (rrset.name.to_text().lower(),
                                          dns.rdatatype.to_text(rrset.rdtype),
                                          rd.to_text().lower()))
    return sorted(out)


def answer_ttl(resp, rdtype):
    rdtype = dns.rdatatype.from_text(rdtype) if isinstance(rdtype, str) else rdtype
    ttls = [r.ttl for r in resp.answer if r.rdtype == rdtype]
    assert ttls, "no %s in the answer:\n%s" % (dns.rdatatype.to_text(rdtype), resp)
    return min(ttls)


def negative_ttl(resp):
    soas = [r.ttl for r in resp.authority if r.rdtype == dns.rdatatype.SOA]
    assert soas, "no SOA in the authority section:\n%s" % resp
    return soas[0]
