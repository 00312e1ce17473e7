"""A scripted misbehaving DNS server (dnspython) for the stub client's integration tests.

One server listens on UDP and TCP at the same port of 127.0.0.1 (or ::1) and answers
each query as a scenario says.  A scenario gives, per transport, a list of steps: step k
is what the server does with the k-th query of that transport (the last step repeats
for every later query).  A step is a list of actions, done in order:

    "good"          the proper answer (records from `answer`, default an A record
                    qname 300 IN A 192.0.2.1)
    "drop"          nothing (also: an empty step)
    "tc"            an empty answer with TC=1
    "servfail", "refused", "nxdomain", "formerr"   that rcode, question echoed
    "formerr_noedns"  FORMERR without an OPT record (a server that does not know EDNS)
    "wrong_id"      the answer with another ID
    "wrong_name", "wrong_type", "wrong_class", "no_question"   the answer to another
                    question (or none at all) with NOERROR
    "qr0"           the answer with QR cleared (looks like a query)
    "other_port"    the answer sent from a second socket (same address, other port)
    "other_addr"    the answer sent from another address (127.0.0.2 / none for ::1),
                    same port
    "bad_cookie"    the answer with a COOKIE whose client part is not the query's
    "garbage"       40 pseudo-random bytes (fixed seed)
    "garbage_id"    right ID and QR, counts promising records, then junk
    "short"         the first 7 octets of the answer (less than a header)
    "cut"           the answer cut in the middle of its last record, TC=0
    "rdlen_overrun" the answer (without OPT) whose last RDLENGTH runs 1 octet past
                    the end
    "tc_garbage"    right ID, QR and TC, then junk where the question should be
    "delay=S"       the following actions of this step leave S seconds later
    "close"         (TCP) close the connection
    "tcp_partial"   (TCP) the length prefix of the answer and only half of it

Every "bad" answer carries 192.0.2.66 instead of 192.0.2.1 where it has an answer, so a
client that accepted it would print the wrong address.

The server logs every query: transport, ID, the client's address and port, the parsed
query (dnspython Message, or None) and the time it arrived.  It runs in one thread (a
selector loop with a queue of delayed sends) and is stopped by `stop()`, which joins the
thread and closes every socket.
"""
import errno
import heapq
import random
import selectors
import socket
import struct
import threading
import time

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

GOOD_ADDR = "192.0.2.1"
BAD_ADDR = "192.0.2.66"
COOKIE = 10
STOP_TIMEOUT = 5
TCP_IDLE_TIMEOUT = 5  # a TCP connection with no complete query for this long is closed


class LoggedQuery:
    def __init__(self, transport, wire, peer):
        self.transport = transport
        self.wire = wire
        self.peer = peer
        self.port = peer[1]
        self.time = time.monotonic()
        self.id = struct.unpack("!H", wire[:2])[0] if len(wire) >= 2 else None
        try:
            self.msg = dns.message.from_wire(wire)
        except Exception:  # logged as unparsable
            self.msg = None

    def __repr__(self):
        q = self.msg.question[0] if self.msg and self.msg.question else None
        return "<%s id=%s port=%s %s>" % (self.transport, self.id, self.port, q)


def _option_wire(opt):
    if isinstance(opt, dns.edns.GenericOption):
        return opt.data
    return opt.to_wire(max_size=65535)


def option_map(msg):
    return {int(o.otype): _option_wire(o) for o in msg.options}


def _junk(n, seed):
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(n))


class Responder:
    """Turns a query into the wire form of each behaviour."""

    def __init__(self, answer=None):
        self.answer = answer  # list of (name, ttl, class, type, rdata) or None

    def response(self, q, addr=GOOD_ADDR, edns=True):
        r = dns.message.make_response(q)
        if not edns:
            r.use_edns(False)
        if self.answer is not None:
            r.answer = [dns.rrset.from_text(*a) for a in self.answer]
        elif q.question and q.question[0].rdtype == dns.rdatatype.A:
            r.answer = [dns.rrset.from_text(q.question[0].name, 300, "IN", "A", addr)]
        return r

    def bad(self, q, edns=True):
        r = self.response(q, BAD_ADDR, edns)
        if self.answer is not None:
            r.answer = [dns.rrset.from_text(q.question[0].name, 300, "IN", "A", BAD_ADDR)]
        return r

    def build(self, action, q, wire):
        """Wire bytes for `action` (None: send nothing)."""
        qid = struct.unpack("!H", wire[:2])[0]
        if action == "good":
            return self.response(q).to_wire(max_size=65535)
        if action == "tc":
            r = dns.message.make_response(q)
            r.flags |= dns.flags.TC
            return r.to_wire(max_size=65535)
        if action in ("servfail", "refused", "nxdomain", "formerr"):
            r = dns.message.make_response(q)
            r.set_rcode(dns.rcode.from_text(action.upper()))
            return r.to_wire(max_size=65535)
        if action == "formerr_noedns":
            r = dns.message.make_response(q)
            r.use_edns(False)
            r.set_rcode(dns.rcode.FORMERR)
            return r.to_wire(max_size=65535)
        if action == "wrong_id":
            r = self.bad(q)
            r.id = qid ^ 0x5a5a
            return r.to_wire(max_size=65535)
        if action in ("wrong_name", "wrong_type", "wrong_class", "no_question"):
            return self._wrong_question(action, q)
        if action == "qr0":
            r = self.bad(q)
            r.flags &= ~dns.flags.QR
            return r.to_wire(max_size=65535)
        if action in ("other_port", "other_addr"):
            return self.bad(q).to_wire(max_size=65535)
        if action == "bad_cookie":
            r = self.bad(q)
            r.use_edns(0, 0, 1232, options=[
                dns.edns.GenericOption(COOKIE, b"NOTOURS!" + b"servercookie12")])
            return r.to_wire(max_size=65535)
        if action == "garbage":
            return _junk(40, 1)
        if action == "garbage_id":
            return wire[:2] + b"\x81\x80\x00\x01\x00\x05\x00\x00\x00\x00" + _junk(30, 2)
        if action == "tc_garbage":
            return wire[:2] + b"\x83\x80\x00\x01\x00\x05\x00\x00\x00\x00" + b"\xff" * 6
        if action == "short":
            return self.bad(q).to_wire(max_size=65535)[:7]
        if action == "cut":
            w = self.bad(q, edns=False).to_wire(max_size=65535)
            return w[:-2]
        if action == "rdlen_overrun":
            w = bytearray(self.bad(q, edns=False).to_wire(max_size=65535))
            # The last record is the A record: RDLENGTH sits 6 octets from the end.
            assert w[-6:-4] == b"\x00\x04"
            w[-6:-4] = struct.pack("!H", 5)
            return bytes(w)
        raise ValueError("unknown action %r" % action)

    def _wrong_question(self, action, q):
        question = q.question[0]
        name, rdtype, rdclass = question.name, question.rdtype, question.rdclass
        if action == "wrong_name":
            name = dns.name.from_text("other-" + name.labels[0].decode(), name.parent())
        elif action == "wrong_type":
            rdtype = dns.rdatatype.AAAA if rdtype != dns.rdatatype.AAAA else dns.rdatatype.A
        elif action == "wrong_class":
            rdclass = dns.rdataclass.CH
        other = dns.message.make_query(name, rdtype, rdclass)
        other.id = q.id
        r = self.bad(other)
        if rdclass == dns.rdataclass.CH:
            r.answer = [dns.rrset.from_text(name, 300, "CH", "TXT", '"bad"')]
        elif rdtype == dns.rdatatype.AAAA:
            r.answer = [dns.rrset.from_text(name, 300, "IN", "AAAA", "2001:db8::66")]
        else:
            r.answer = [dns.rrset.from_text(name, 300, "IN", "A", BAD_ADDR)]
        if action == "no_question":
            r.question = []
        return r.to_wire(max_size=65535)


class MisbehavingServer:
    """See the module's docstring.  `udp` and `tcp` are lists of steps."""

    def __init__(self, udp=(("good",),), tcp=(("good",),), answer=None, host="127.0.0.1",
                 port=0):
        self.udp_steps = [list(s) for s in udp]
        self.tcp_steps = [list(s) for s in tcp]
        self.responder = Responder(answer)
        self.family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.host = host
        self.log = []
        self.errors = []
        self.lock = threading.Lock()
        self.sockets = []
        self.tcp_conns = {}  # socket -> [buffer, last activity]
        self.pending = []    # heap of (when, seq, kind, sock, data, peer)
        self.seq = 0
        self._open_sockets(port)
        self.stopping = threading.Event()
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.udp, selectors.EVENT_READ, "udp")
        self.sel.register(self.tcp, selectors.EVENT_READ, "accept")
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    # ---- sockets ----

    def _socket(self, kind):
        s = socket.socket(self.family, kind)
        self.sockets.append(s)
        return s

    def _open_sockets(self, port):
        # With port 0 the kernel picks a UDP port whose TCP twin another test may hold:
        # then both are closed and another pair is tried (a bounded number of times).
        for attempt in range(50):
            try:
                self._open_sockets_once(port)
                return
            except OSError as e:
                if port != 0 or e.errno != errno.EADDRINUSE or attempt == 49:
                    raise

    def _open_sockets_once(self, port):
        try:
            self.udp = self._socket(socket.SOCK_DGRAM)
            self.udp.bind((self.host, port))
            self.port = self.udp.getsockname()[1]
            self.tcp = self._socket(socket.SOCK_STREAM)
            self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.tcp.bind((self.host, self.port))
            self.tcp.listen(16)
            self.tcp.setblocking(False)
            self.udp.setblocking(False)
            self.other_port_sock = self._socket(socket.SOCK_DGRAM)
            self.other_port_sock.bind((self.host, 0))
            self.other_addr_sock = None  # bound on first use: 127.0.0.2 may be another's
        except OSError:
            self._close_sockets()
            raise

    def _other_addr_socket(self):
        """A socket on 127.0.0.2 at the server's port: same port, other address."""
        if self.family != socket.AF_INET:
            raise ValueError("other_addr needs an IPv4 server")
        if self.other_addr_sock is None:
            self.other_addr_sock = self._socket(socket.SOCK_DGRAM)
            self.other_addr_sock.bind(("127.0.0.2", self.port))
        return self.other_addr_sock

    def _close_sockets(self):
        for s in self.sockets + list(self.tcp_conns):
            try:
                s.close()
            except OSError:
                pass
        self.sockets = []
        self.tcp_conns = {}

    # ---- the loop ----

    def _serve(self):
        while not self.stopping.is_set():
            timeout = 0.05
            if self.pending:
                timeout = max(0.0, min(timeout, self.pending[0][0] - time.monotonic()))
            try:
                events = self.sel.select(timeout)
                for key, _ in events:
                    if key.data == "udp":
                        self._read_udp()
                    elif key.data == "accept":
                        self._accept()
                    else:
                        self._read_tcp(key.fileobj)
                self._send_due()
                self._close_idle()
            except Exception as exc:  # reported to the test through .errors
                self.errors.append(exc)

    def _read_udp(self):
        try:
            wire, peer = self.udp.recvfrom(65535)
        except BlockingIOError:
            return
        self._handle("udp", wire, peer, self.udp)

    def _accept(self):
        try:
            conn, _ = self.tcp.accept()
        except BlockingIOError:
            return
        conn.setblocking(False)
        self.tcp_conns[conn] = [b"", time.monotonic()]
        self.sel.register(conn, selectors.EVENT_READ, "conn")

    def _read_tcp(self, conn):
        try:
            data = conn.recv(65535)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop_conn(conn)
            return
        state = self.tcp_conns[conn]
        state[0] += data
        state[1] = time.monotonic()
        while len(state[0]) >= 2:
            n = struct.unpack("!H", state[0][:2])[0]
            if len(state[0]) < 2 + n:
                break
            wire, state[0] = state[0][2:2 + n], state[0][2 + n:]
            self._handle("tcp", wire, conn.getpeername(), conn)
            if conn not in self.tcp_conns:
                return

    def _drop_conn(self, conn):
        if conn in self.tcp_conns:
            self.sel.unregister(conn)
            del self.tcp_conns[conn]
            conn.close()

    def _close_idle(self):
        now = time.monotonic()
        for conn, state in list(self.tcp_conns.items()):
            if now - state[1] > TCP_IDLE_TIMEOUT:
                self._drop_conn(conn)

    def _handle(self, transport, wire, peer, sock):
        entry = LoggedQuery(transport, wire, peer)
        with self.lock:
            index = sum(1 for e in self.log if e.transport == transport)
            self.log.append(entry)
        if entry.msg is None:
            return
        steps = self.udp_steps if transport == "udp" else self.tcp_steps
        step = steps[min(index, len(steps) - 1)] if steps else []
        delay = 0.0
        for action in step:
            if action.startswith("delay="):
                delay += float(action.split("=", 1)[1])
                continue
            if action == "close":
                self._queue(delay, "close", sock, None, peer)
                continue
            if action == "drop":
                continue
            if action == "tcp_partial":
                data = self.responder.build("good", entry.msg, wire)
                raw = struct.pack("!H", len(data)) + data[:len(data) // 2]
                self._queue(delay, "raw", sock, raw, peer)
                continue
            data = self.responder.build(action, entry.msg, wire)
            out = sock
            if action == "other_port":
                out = self.other_port_sock
            elif action == "other_addr":
                out = self._other_addr_socket()
            self._queue(delay, transport, out, data, peer)

    def _queue(self, delay, kind, sock, data, peer):
        self.seq += 1
        heapq.heappush(self.pending, (time.monotonic() + delay, self.seq, kind, sock, data,
                                      peer))
        self._send_due()

    def _send_due(self):
        now = time.monotonic()
        while self.pending and self.pending[0][0] <= now:
            _, _, kind, sock, data, peer = heapq.heappop(self.pending)
            if kind == "udp":
                sock.sendto(data, peer)
            elif kind == "close":
                self._drop_conn(sock)
            elif sock in self.tcp_conns:
                if kind != "raw":
                    data = struct.pack("!H", len(data)) + data
                sock.settimeout(2)
                try:
                    sock.sendall(data)
                except OSError:
                    self._drop_conn(sock)
                    continue
                sock.setblocking(False)

    # ---- for the tests ----

    def queries(self, transport=None):
        with self.lock:
            return [e for e in self.log if transport is None or e.transport == transport]

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=STOP_TIMEOUT)
        alive = self.thread.is_alive()
        if not alive:
            self.sel.close()
            self._close_sockets()
        if alive:
            raise RuntimeError("misbehaving server thread did not stop")
