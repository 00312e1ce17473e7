"""Shared fixtures for the integration tests (pytest, run with /usr/bin/python3).

Every test talks to an independent implementation (dnspython, dig) and keeps all
traffic on 127.0.0.1.  Processes are started through `processes` (stopped by PID at
teardown, also when the test fails) and UDP servers through `udp_server` (thread
joined at teardown).  Every wait has a timeout.
"""
import os
import signal
import socket
import subprocess
import sys
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(ROOT, "tests", "data")
TOOLS = os.path.join(ROOT, "tests", "tools")
sys.path.insert(0, TOOLS)

COMMAND_TIMEOUT = 60     # seconds for one run of a command
STOP_TIMEOUT = 5         # seconds between SIGTERM and SIGKILL


def find_owndns():
    path = os.environ.get("OWNDNS_BIN") or os.path.join(ROOT, "build", "owndns")
    return os.path.abspath(path)


@pytest.fixture(scope="session")
def owndns_bin():
    path = find_owndns()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail("owndns binary not found at %s: build it, or set OWNDNS_BIN" % path)
    return path


def run(cmd, stdin_text="", timeout=COMMAND_TIMEOUT):
    """Runs a command to completion; returns the CompletedProcess (text mode)."""
    return subprocess.run(cmd, input=stdin_text, capture_output=True, text=True,
                          timeout=timeout, check=False)


class Processes:
    """Long-running processes of one test, stopped by PID at the end."""

    def __init__(self):
        self.procs = []

    def start(self, cmd, **kwargs):
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True, **kwargs)
        self.procs.append(proc)
        return proc

    @staticmethod
    def stop(proc, timeout=STOP_TIMEOUT):
        if proc.poll() is not None:
            return proc.returncode
        os.kill(proc.pid, signal.SIGTERM)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            return proc.wait(timeout=timeout)

    def stop_all(self):
        for proc in self.procs:
            self.stop(proc)
            for stream in (proc.stdout, proc.stderr):
                if stream:
                    stream.close()
        self.procs = []


@pytest.fixture
def processes():
    p = Processes()
    yield p
    p.stop_all()


class UdpServer:
    """Answers every query on 127.0.0.1:port with handler(query_wire) -> response wire."""

    def __init__(self, handler):
        self.handler = handler
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.errors = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopping.is_set():
            try:
                data, peer = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                reply = self.handler(data)
                if reply is not None:
                    self.sock.sendto(reply, peer)
            except Exception as exc:  # reported by the test through .errors
                self.errors.append(exc)

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=STOP_TIMEOUT)
        self.sock.close()
        if self.thread.is_alive():
            raise RuntimeError("UDP server thread did not stop")


@pytest.fixture
def udp_server():
    servers = []

    def start(handler):
        s = UdpServer(handler)
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.stop()


def unpct(s):
    return s.replace("%09", "\t").replace("%0A", "\n").replace("%25", "%")


def load_corpus():
    """Entries of tests/data/rr_corpus.txt as dicts (see the file's header)."""
    entries = []
    with open(os.path.join(DATA, "rr_corpus.txt"), encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            e = {"kind": fields[0], "type": fields[1], "typenum": int(fields[2]), "line": lineno}
            if e["kind"] == "ok":
                e["text"] = unpct(fields[3])
                e["wire"] = bytes.fromhex(fields[4]) if fields[4] != "-" else b""
                e["dig"] = None if fields[5] == "-" else unpct(fields[5])
            elif e["kind"] == "badtext":
                e["text"], e["reason"] = unpct(fields[3]), fields[4]
            else:
                e["wire"] = bytes.fromhex(fields[3]) if fields[3] != "-" else b""
                e["reason"] = fields[4]
            entries.append(e)
    return entries


@pytest.fixture(scope="session")
def corpus():
    return load_corpus()
