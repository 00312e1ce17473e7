#!/usr/bin/python3
"""owndns benchmark: authoritative and resolver rows side by side, measured with dnsperf.

Not a test: it never passes or fails on numbers.  See bench/README.md for what is
measured and how; in short:

  auth      NSD and `owndns serve ... recursion=no` serving the same generated zone
  resolver  Unbound, Knot Resolver, dnsmasq and owndns, each stubbing/forwarding
            bench.test. to an upstream NSD; cache-miss run (fresh start, every name
            once) then cache-hit run (names repeating); NSD answering directly is the
            reference for what loopback + dnsperf can do

Servers under test run on CPU 0 (taskset), dnsperf and the upstream NSD on CPU 1.
Runs alternate between the servers, BENCH_ROUNDS rounds; the tables show medians.
Environment: BENCH_QUICK=1, BENCH_ROUNDS, BENCH_DURATION, BENCH_NAMES, BENCH_DNSPERF_ARGS,
BENCH_QUIET_WAIT, BENCH_QUIET_BUDGET, BENCH_KEEP=1, BENCH_ROWS (e.g. nsd,unbound,owndns), OWNDNS (binary), BENCH_OUT (markdown file).
"""
import atexit
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import string
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import gen_zone  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1" if QUICK else "3"))
DURATION = float(os.environ.get("BENCH_DURATION", "3" if QUICK else "10"))
NAMES = int(os.environ.get("BENCH_NAMES", "20000" if QUICK else "100000"))
QUIET_WAIT = float(os.environ.get("BENCH_QUIET_WAIT", "3" if QUICK else "10"))
QUIET_BUDGET = float(os.environ.get("BENCH_QUIET_BUDGET", "10" if QUICK else "90"))
QUIET_IDLE = 0.90  # both cores together at least this idle counts as quiet
# Many client sockets and a deep queue: with fewer, dnsperf on this kind of machine
# leaves the server idle (measured: -c 1 -q 100 gives a quarter of -c 50 -q 1000).
DNSPERF_ARGS = os.environ.get("BENCH_DNSPERF_ARGS", "-c 50 -q 1000 -t 2").split()
# Cache misses: at most 100 in flight, below every resolver's own limit on concurrent
# upstream queries (dnsmasq drops beyond --dns-forward-max, default 150).
DNSPERF_MISS_ARGS = os.environ.get("BENCH_DNSPERF_MISS_ARGS", "-c 10 -q 100 -t 2").split()
OWNDNS = os.environ.get("OWNDNS", os.path.join(ROOT, "build", "owndns"))
# A second owndns binary (say, a build before a change), run as its own resolver row
# "owndns-b" between the others, so that two builds are compared within one run.
OWNDNS_B = os.environ.get("OWNDNS_B", "")
OUT_MD = os.environ.get("BENCH_OUT", os.path.join(ROOT, "build", "bench-results.md"))
KEEP = os.environ.get("BENCH_KEEP", "") not in ("", "0")
# Comma-separated rows to run (e.g. "unbound,owndns"); empty: all of them.
ONLY_ROWS = [r for r in os.environ.get("BENCH_ROWS", "").split(",") if r]

SERVER_CPU = "0"
LOADGEN_CPU = "1"
START_TIMEOUT = 20.0  # seconds a server may take to give its first answer
STOP_TIMEOUT = 5.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
PROBE_NAME = "ns1.bench.test."  # in the zone, not in the query file

ADDR = {
    "upstream": "127.0.53.1",
    "nsd": "127.0.53.2",
    "owndns-auth": "127.0.53.3",
    "unbound": "127.0.53.4",
    "kresd": "127.0.53.5",
    "dnsmasq": "127.0.53.6",
    "owndns": "127.0.53.7",
    "owndns-b": "127.0.53.8",
}

PACKAGES = {  # Debian package -> binary it provides
    "dnsperf": "/usr/bin/dnsperf",
    "nsd": "/usr/sbin/nsd",
    "unbound": "/usr/sbin/unbound",
    "knot-resolver": "/usr/sbin/kresd",
    "dnsmasq-base": "/usr/sbin/dnsmasq",  # the binary without the system service
}


def log(msg):
    print("bench: " + msg, flush=True)


# ---------------------------------------------------------------- packages

def package_installed(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg],
                       capture_output=True, text=True)
    return r.returncode == 0 and "install ok installed" in r.stdout


def package_candidate(pkg):
    r = subprocess.run(["apt-cache", "policy", pkg], capture_output=True, text=True)
    m = re.search(r"Candidate:\s*(\S+)", r.stdout)
    return m.group(1) if m and m.group(1) != "(none)" else None


def ensure_packages():
    """Install the missing ones; return {package: reason} for those still missing."""
    missing = [p for p in PACKAGES if not package_installed(p)]
    if not missing:
        return {}
    log("installing from Debian: " + " ".join(missing))
    subprocess.run(["apt-get", "update", "-qq"], check=False, timeout=300)
    unavailable = {p: "not in this system's Debian archive (apt-cache policy: no candidate)"
                   for p in missing if package_candidate(p) is None}
    wanted = [p for p in missing if p not in unavailable]
    if wanted:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + wanted,
                       check=False, env=env, timeout=600)
    for p in wanted:
        if not package_installed(p):
            unavailable[p] = "apt-get install %s failed" % p
    for p, why in unavailable.items():
        log("%s: %s" % (p, why))
    return unavailable


def package_version(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else "-"


# ---------------------------------------------------------------- /proc

def proc_children_map():
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def process_tree(pid):
    children = proc_children_map()
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p, []))
    return tree


def cpu_ticks(pid):
    """(utime, stime) in clock ticks, summed over the process and its descendants."""
    user = system = 0
    for p in process_tree(pid):
        try:
            with open("/proc/%d/stat" % p) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        user += int(fields[11])
        system += int(fields[12])
    return user, system


def status_kb(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kb(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory_kb(pid):
    """(largest VmRSS in the tree, sum of PSS over the tree): NSD is several processes
    sharing the zone copy-on-write, so the PSS sum is what they cost together."""
    tree = process_tree(pid)
    return max(status_kb(p, "VmRSS") for p in tree), sum(pss_kb(p) for p in tree)


def cpu_idle_fraction(interval=0.5):
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return v[3] + v[4], sum(v)
    i0, t0 = sample()
    time.sleep(interval)
    i1, t1 = sample()
    return (i1 - i0) / max(1, t1 - t0)


def udp_rcvbuf_errors():
    """Datagrams the kernel dropped because a socket's receive buffer was full
    (machine-wide, /proc/net/snmp)."""
    with open("/proc/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Udp:")]
    return int(rows[1][rows[0].index("RcvbufErrors")])


class QuietWait:
    """Waits for a quiet machine before each run: at most QUIET_WAIT seconds each time and
    QUIET_BUDGET seconds in all, so a machine that stays busy does not stretch the
    benchmark past its time."""

    def __init__(self):
        self.budget = QUIET_BUDGET

    def __call__(self):
        """Return the idle fraction seen last."""
        t0 = time.monotonic()
        deadline = t0 + min(QUIET_WAIT, self.budget)
        idle = cpu_idle_fraction()
        while idle < QUIET_IDLE and time.monotonic() < deadline:
            idle = cpu_idle_fraction()
        self.budget = max(0.0, self.budget - (time.monotonic() - t0))
        return idle


wait_quiet = QuietWait()


# ---------------------------------------------------------------- DNS probe

def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\0"


def probe(addr, port, name=PROBE_NAME, qtype=1, timeout=0.02):
    """One UDP query; (rcode, ancount) of the answer, or None without an answer.
    The socket is connected so that a port nobody listens on yet fails at once
    (ICMP port unreachable) instead of after the timeout: start-up times stay exact."""
    qid = random.randrange(65536)
    query = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + encode_name(name) \
        + struct.pack("!HH", qtype, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        try:
            s.connect((addr, port))
            s.send(query)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                data = s.recv(65535)
                if len(data) >= 12:
                    rid, flags, _, ancount = struct.unpack("!HHHH", data[:8])
                    if rid == qid and flags & 0x8000:
                        return flags & 0xF, ancount
        except OSError:  # timeout, or ICMP port unreachable before the server listens
            return None
    return None


RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}


# ---------------------------------------------------------------- processes

class Server:
    """A server process pinned to a CPU, stopped by its PID (its own process group)."""
    running = []

    def __init__(self, label, cmd, addr, port, workdir, cpu=SERVER_CPU):
        self.label, self.cmd, self.addr, self.port = label, cmd, addr, port
        self.cpu, self.workdir = cpu, workdir
        self.proc = None
        self.logpath = os.path.join(workdir, label + ".log")

    def start(self):
        """Start, wait for the first answer; return (ms to first answer, None) or
        (None, reason it is not serving)."""
        logf = open(self.logpath, "ab")
        t0 = time.monotonic()
        try:
            self.proc = subprocess.Popen(["taskset", "-c", self.cpu] + self.cmd, cwd=self.workdir,
                                         stdin=subprocess.DEVNULL, stdout=logf, stderr=logf,
                                         start_new_session=True)
        except OSError as e:
            return None, "cannot start %s: %s" % (self.cmd[0], e)
        finally:
            logf.close()
        Server.running.append(self)
        last = None
        deadline = t0 + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return None, "exited with status %d right away: %s" % (
                    self.proc.returncode, self.last_log_line())
            answer = probe(self.addr, self.port)
            if answer is not None:
                last = answer
                if answer[0] == 0 and answer[1] > 0:
                    return (time.monotonic() - t0) * 1000.0, None
            time.sleep(0.002)
        if last is not None:
            return None, "answers %s to %s A, not the record (%ss)" % (
                RCODES.get(last[0], last[0]), PROBE_NAME, START_TIMEOUT)
        return None, "no answer on %s@%d within %ds: %s" % (
            self.addr, self.port, START_TIMEOUT, self.last_log_line())

    def last_log_line(self):
        try:
            with open(self.logpath, errors="replace") as f:
                lines = [ln.strip() for ln in f if ln.strip()]
            return lines[-1][:200] if lines else "(no output)"
        except OSError:
            return "(no log)"

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(STOP_TIMEOUT)
        if self in Server.running:
            Server.running.remove(self)
        self.proc = None


def stop_all():
    for srv in list(Server.running):
        srv.stop()


# ---------------------------------------------------------------- dnsperf

def run_dnsperf(addr, port, qfile, workdir, duration=None, passes=None):
    """Run dnsperf on LOADGEN_CPU; return its figures and its own CPU use."""
    cmd = ["taskset", "-c", LOADGEN_CPU, "dnsperf", "-s", addr, "-p", str(port),
           "-d", qfile] + (DNSPERF_MISS_ARGS if passes else DNSPERF_ARGS)
    if passes:
        cmd += ["-n", str(passes), "-l", "300"]
        limit = 330
    else:
        cmd += ["-l", "%g" % duration]
        limit = duration + 60
    outpath = os.path.join(workdir, "dnsperf.out")
    with open(outpath, "wb") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    t0 = time.monotonic()
    rusage = None
    while time.monotonic() - t0 < limit:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            break
        time.sleep(0.05)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        _, status, rusage = os.wait4(proc.pid, 0)
        proc.returncode = -9
    wall = time.monotonic() - t0
    with open(outpath, errors="replace") as f:
        text = f.read()

    def num(pattern):
        m = re.search(pattern, text)
        return float(m.group(1)) if m else None
    res = {
        "sent": num(r"Queries sent:\s+(\d+)"),
        "completed": num(r"Queries completed:\s+(\d+)"),
        "lost": num(r"Queries lost:\s+(\d+)"),
        "qps": num(r"Queries per second:\s+([\d.]+)"),
        "latency_ms": (num(r"Average Latency \(s\):\s+([\d.]+)") or 0) * 1000.0,
        "runtime": num(r"Run time \(s\):\s+([\d.]+)"),
        "dnsperf_cpu": rusage.ru_utime + rusage.ru_stime if rusage else None,
        "dnsperf_wall": wall,
    }
    m = re.search(r"Response codes:\s+(.*)", text)
    res["rcodes"] = m.group(1).strip() if m else ""
    if res["qps"] is None:
        res["error"] = "dnsperf failed (status %s): %s" % (proc.returncode, text.strip()[-300:])
    return res


def measured_run(srv, qfile, workdir, duration=None, passes=None):
    """dnsperf against a running server, with the server's CPU time over the run."""
    idle = wait_quiet()
    u0, s0 = cpu_ticks(srv.proc.pid)
    drops0 = udp_rcvbuf_errors()
    res = run_dnsperf(srv.addr, srv.port, qfile, workdir, duration, passes)
    u1, s1 = cpu_ticks(srv.proc.pid)
    res["rcvbuf_drops"] = udp_rcvbuf_errors() - drops0
    res["idle_before"] = idle
    done = res.get("completed") or 0
    if done:
        res["cpu_us"] = ((u1 - u0) + (s1 - s0)) * 1e6 / CLK_TCK / done
        res["usr_us"] = (u1 - u0) * 1e6 / CLK_TCK / done
        res["sys_us"] = (s1 - s0) * 1e6 / CLK_TCK / done
    if res.get("runtime"):
        res["server_cpu_pct"] = ((u1 - u0) + (s1 - s0)) / CLK_TCK / res["runtime"] * 100
        if res.get("dnsperf_cpu") is not None:
            res["dnsperf_cpu_pct"] = res["dnsperf_cpu"] / res["dnsperf_wall"] * 100
    return res


# ---------------------------------------------------------------- configs

def render(template, dest, **values):
    with open(os.path.join(HERE, "configs", template)) as f:
        text = string.Template(f.read()).substitute(values)
    with open(dest, "w") as f:
        f.write(text)
    return dest


def owndns_serve_keys(binary=None):
    """Keys `owndns serve --help` lists, so optional ones (threads=) are passed only
    when the daemon knows them."""
    try:
        r = subprocess.run([binary or OWNDNS, "serve", "--help"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return set()
    return set(re.findall(r"^\s+([a-z][a-z0-9-]*)=", r.stdout + r.stderr, re.M))


def make_server(kind, workdir, port, zonefile, upstream_port):
    """Return (Server, None) or (None, reason) for one row."""
    d = os.path.join(workdir, kind)
    os.makedirs(d, exist_ok=True)
    addr = ADDR[kind] if kind in ADDR else ADDR["nsd"]
    up = dict(upstream_addr=ADDR["upstream"], upstream_port=upstream_port)
    if kind in ("nsd", "nsd-tiny", "upstream"):
        conf = render("nsd.conf.in", os.path.join(d, "nsd.conf"), addr=addr, port=port, dir=d,
                      zonefile=zonefile)
        cpu = LOADGEN_CPU if kind == "upstream" else SERVER_CPU
        return Server(kind, ["nsd", "-d", "-c", conf], addr, port, d, cpu), None
    if kind == "unbound":
        conf = render("unbound.conf.in", os.path.join(d, "unbound.conf"), addr=addr, port=port,
                      dir=d, **up)
        return Server(kind, ["unbound", "-d", "-c", conf], addr, port, d), None
    if kind == "kresd":
        conf = render("kresd.conf.in", os.path.join(d, "kresd.conf"), addr=addr, port=port,
                      dir=d, **up)
        return Server(kind, ["kresd", "-n", "-q", "-c", conf, d], addr, port, d), None
    if kind == "dnsmasq":
        conf = render("dnsmasq.conf.in", os.path.join(d, "dnsmasq.conf"), addr=addr, port=port,
                      **up)
        return Server(kind, ["dnsmasq", "--no-daemon", "--conf-file=" + conf], addr, port, d), None
    if kind in ("owndns-auth", "owndns-auth-tiny", "owndns", "owndns-b"):
        binary = OWNDNS_B if kind == "owndns-b" else OWNDNS
        if not os.access(binary, os.X_OK):
            return None, "%s not found (build it: make build)" % os.path.relpath(binary, ROOT)
        args = ["serve", "listen=%s@%d" % (addr, port)]
        if kind in ("owndns", "owndns-b"):
            args += ["forward-zone=bench.test:%s@%d" % (ADDR["upstream"], upstream_port)]
        else:
            args += ["zone=bench.test.:%s" % zonefile, "recursion=no"]
        if "threads" in owndns_serve_keys(binary):
            args.append("threads=1")
        return Server(kind, [binary] + args, addr, port, d), None
    raise ValueError(kind)


def free_port(addrs):
    """A port free for UDP and TCP on every address we use (bounded tries)."""
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, 60000)
        socks = []
        try:
            for a in addrs:
                for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                    s = socket.socket(socket.AF_INET, kind)
                    socks.append(s)
                    s.bind((a, port))
            return port
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise SystemExit("bench: no free port found on 127.0.53.0/24")


# ---------------------------------------------------------------- the runs

AUTH = ["nsd", "owndns-auth"]
RESOLVERS = ["unbound", "kresd", "dnsmasq", "owndns"] + (["owndns-b"] if OWNDNS_B else [])
LABEL = {"nsd": "NSD", "owndns-auth": "owndns", "unbound": "Unbound", "kresd": "Knot Resolver",
         "dnsmasq": "dnsmasq", "owndns": "owndns", "owndns-b": "owndns (OWNDNS_B)"}


def auth_run(kind, ctx):
    srv, why = make_server(kind, ctx["dir"], ctx["port"], ctx["zone"], ctx["port"])
    if srv is None:
        return {"unavailable": why}
    try:
        ms, why = srv.start()
        if ms is None:
            return {"unavailable": why}
        time.sleep(0.2)
        rss, pss = memory_kb(srv.proc.pid)
        res = measured_run(srv, ctx["queries"], ctx["dir"], duration=DURATION)
        res.update(load_ms=ms, rss_kb=rss, pss_kb=pss)
        return res
    finally:
        srv.stop()


def baseline_memory(kind, ctx):
    """PSS with the apex-only zone: subtracted for bytes per record."""
    srv, why = make_server(kind, ctx["dir"], ctx["port"], ctx["tiny"], ctx["port"])
    if srv is None:
        return None
    try:
        ms, why = srv.start()
        if ms is None:
            return None
        time.sleep(0.2)
        return memory_kb(srv.proc.pid)[1]
    finally:
        srv.stop()


def resolver_run(kind, ctx):
    srv, why = make_server(kind, ctx["dir"], ctx["port"], ctx["zone"], ctx["port"])
    if srv is None:
        return {"unavailable": why}
    try:
        ms, why = srv.start()
        if ms is None:
            return {"unavailable": why}
        time.sleep(0.2)
        idle_rss, _ = memory_kb(srv.proc.pid)
        miss = measured_run(srv, ctx["queries"], ctx["dir"], passes=1)
        if miss.get("lost"):
            # refill what the miss run lost, so the hit run and the RSS see every name
            run_dnsperf(srv.addr, srv.port, ctx["queries"], ctx["dir"], passes=1)
        time.sleep(0.2)
        cached_rss, _ = memory_kb(srv.proc.pid)
        hit = measured_run(srv, ctx["queries"], ctx["dir"], duration=DURATION)
        return {"startup_ms": ms, "idle_rss_kb": idle_rss, "cached_rss_kb": cached_rss,
                "miss": miss, "hit": hit}
    finally:
        srv.stop()


def run_all(ctx, unavailable_pkgs):
    runs = {k: [] for k in AUTH + RESOLVERS}
    skip = {}
    pkg_of = {"nsd": "nsd", "unbound": "unbound", "kresd": "knot-resolver", "dnsmasq": "dnsmasq-base"}
    for kind, pkg in pkg_of.items():
        if pkg in unavailable_pkgs:
            skip[kind] = "%s %s" % (pkg, unavailable_pkgs[pkg])
    for r in range(1, ROUNDS + 1):
        for kind in AUTH + RESOLVERS:
            if kind in skip:
                continue
            if ONLY_ROWS and kind not in ONLY_ROWS:
                skip[kind] = "not in BENCH_ROWS"
                continue
            log("round %d/%d: %s" % (r, ROUNDS, "auth " + kind if kind in AUTH else kind))
            res = auth_run(kind, ctx) if kind in AUTH else resolver_run(kind, ctx)
            if "unavailable" in res:
                log("  %s not available: %s" % (kind, res["unavailable"]))
                if r == 1 or not runs[kind]:
                    skip[kind] = res["unavailable"]  # feature missing: don't retry
                continue
            res["round"] = r
            runs[kind].append(res)
            log("  " + brief(res))
    return runs, skip


def brief(res):
    def one(x, tag=""):
        if "error" in x:
            return tag + x["error"]
        return "%s%.0f qps, %.2f us/q cpu, %.3f ms, lost %d, idle %.0f%%, dnsperf cpu %.0f%%" % (
            tag, x["qps"], x.get("cpu_us", 0), x["latency_ms"], x["lost"] or 0,
            x["idle_before"] * 100, x.get("dnsperf_cpu_pct", 0))
    if "hit" in res:
        return "start %.0f ms; %s; %s" % (res["startup_ms"], one(res["miss"], "miss "),
                                          one(res["hit"], "hit "))
    return "load %.0f ms; %s" % (res["load_ms"], one(res))


# ---------------------------------------------------------------- report

def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=1):
    if v is None:
        return "-"
    if abs(v) >= 1000 and digits <= 1:
        return "{:,.0f}".format(v)
    return "%.*f" % (digits, v)


def ratio(v, ref):
    if v is None or not ref:
        return "-"
    return "%.2fx" % (v / ref)


def paired_ratio(runs, kind, ref, key, sub=None, sub_ref=None):
    """Median over rounds of kind/ref measured in the same round."""
    by_round = {}
    for r in runs.get(ref, []):
        x = r[sub_ref] if sub_ref else r
        if "error" not in x and x.get(key):
            by_round[r["round"]] = x[key]
    ratios = []
    for r in runs.get(kind, []):
        x = r[sub] if sub else r
        if "error" not in x and x.get(key) is not None and r["round"] in by_round:
            ratios.append(x[key] / by_round[r["round"]])
    return "%.2fx" % statistics.median(ratios) if ratios else "-"


def mib(kb):
    return None if kb is None else kb / 1024.0


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def na_row(label, why, width):
    return [label, "not available: " + why.replace("|", "/")] + [""] * (width - 2)


def report(ctx, runs, skip, env):
    L = ["# owndns benchmark", ""]
    L += ["%s; %s; %d cores; kernel %s." % (env["date"], env["cpu"], os.cpu_count(), env["kernel"]),
          "Rounds: %d (medians shown), hit runs %gs each, %d names (%d records), dnsperf `%s` "
          "(cache misses: `%s`)." % (ROUNDS, DURATION, NAMES, ctx["records"], " ".join(DNSPERF_ARGS),
                                    " ".join(DNSPERF_MISS_ARGS)),
          "Servers pinned to CPU %s, dnsperf and the upstream NSD to CPU %s. Versions: %s."
          % (SERVER_CPU, LOADGEN_CPU, env["versions"]), ""]

    def m(kind, key, sub=None):
        vals = []
        for r in runs[kind]:
            x = r[sub] if sub else r
            if "error" not in x:
                vals.append(x.get(key))
        return med(vals)

    # authoritative
    L += ["## Authoritative: NSD and owndns serving bench.test. (ratios to NSD)", ""]
    head = ["server", "qps", "x NSD", "CPU us/query (usr+sys)", "x NSD", "avg latency ms",
            "lost", "UDP drops", "server CPU %", "dnsperf CPU %", "load ms", "RSS MiB", "PSS MiB (all procs)",
            "bytes/record"]
    rows = []
    for kind in AUTH:
        if kind in skip or not runs[kind]:
            rows.append(na_row(LABEL[kind], skip.get(kind, "no successful run"), len(head)))
            continue
        base = ctx["baseline_pss"].get(kind)
        pss = m(kind, "pss_kb")
        bpr = (pss - base) * 1024.0 / (ctx["records"] - 3) if base is not None and pss else None
        rows.append([LABEL[kind], fmt(m(kind, "qps"), 0), paired_ratio(runs, kind, "nsd", "qps"),
                     "%s (%s+%s)" % (fmt(m(kind, "cpu_us"), 2), fmt(m(kind, "usr_us"), 2),
                                     fmt(m(kind, "sys_us"), 2)),
                     paired_ratio(runs, kind, "nsd", "cpu_us"), fmt(m(kind, "latency_ms"), 3),
                     fmt(m(kind, "lost"), 0), fmt(m(kind, "rcvbuf_drops"), 0),
                     fmt(m(kind, "server_cpu_pct"), 0),
                     fmt(m(kind, "dnsperf_cpu_pct"), 0), fmt(m(kind, "load_ms"), 0),
                     fmt(mib(m(kind, "rss_kb")), 1), fmt(mib(pss), 1), fmt(bpr, 0)])
    L += table(head, rows) + [""]

    # resolver: hits, misses, memory
    for sub, title in (("hit", "Resolver cache hits (names repeating, cache warm)"),
                       ("miss", "Resolver cache misses (fresh start, each name once, "
                                "upstream NSD)")):
        L += ["## %s (ratios to Unbound)" % title, ""]
        head = ["resolver", "qps", "x Unbound", "CPU us/query (usr+sys)", "x Unbound",
                "avg latency ms", "lost", "UDP drops", "server CPU %", "dnsperf CPU %"]
        rows = []
        kinds = (["nsd"] if sub == "hit" else []) + RESOLVERS
        for kind in kinds:
            label = "NSD (direct, reference)" if kind == "nsd" else LABEL[kind]
            if kind in skip or not runs[kind]:
                rows.append(na_row(label, skip.get(kind, "no successful run"), len(head)))
                continue
            s = None if kind == "nsd" else sub
            rows.append([label, fmt(m(kind, "qps", s), 0),
                         paired_ratio(runs, kind, "unbound", "qps", s, sub),
                         "%s (%s+%s)" % (fmt(m(kind, "cpu_us", s), 2), fmt(m(kind, "usr_us", s), 2),
                                         fmt(m(kind, "sys_us", s), 2)),
                         paired_ratio(runs, kind, "unbound", "cpu_us", s, sub),
                         fmt(m(kind, "latency_ms", s), 3), fmt(m(kind, "lost", s), 0),
                         fmt(m(kind, "rcvbuf_drops", s), 0),
                         fmt(m(kind, "server_cpu_pct", s), 0), fmt(m(kind, "dnsperf_cpu_pct", s), 0)])
        L += table(head, rows) + [""]

    L += ["## Resolver memory and start-up (ratios to Unbound)", ""]
    head = ["resolver", "idle RSS MiB", "RSS %dk names cached MiB" % (NAMES // 1000),
            "bytes/cached name", "x Unbound", "start-up to first answer ms", "x Unbound"]
    rows = []

    def per_name(kind):
        idle, cached = m(kind, "idle_rss_kb"), m(kind, "cached_rss_kb")
        return None if idle is None or cached is None else (cached - idle) * 1024.0 / NAMES
    for kind in RESOLVERS:
        if kind in skip or not runs[kind]:
            rows.append(na_row(LABEL[kind], skip.get(kind, "no successful run"), len(head)))
            continue
        rows.append([LABEL[kind], fmt(mib(m(kind, "idle_rss_kb")), 1),
                     fmt(mib(m(kind, "cached_rss_kb")), 1), fmt(per_name(kind), 0),
                     ratio(per_name(kind), per_name("unbound") if runs["unbound"] else None),
                     fmt(m(kind, "startup_ms"), 0),
                     paired_ratio(runs, kind, "unbound", "startup_ms")])
    L += table(head, rows) + [""]

    busy = sum(1 for k in runs for r in runs[k] for x in ([r["hit"], r["miss"]] if "hit" in r else [r])
               if x.get("idle_before", 1) < QUIET_IDLE)
    total = sum(1 for k in runs for r in runs[k] for _ in ([1, 1] if "hit" in r else [1]))
    L += ["Notes: CPU us/query is the server's utime+stime (/proc/PID/stat, all its processes) "
          "over the run divided by answered queries. Ratios are medians of the per-round ratios "
          "(runs of one round are minutes apart, so drift between rounds cancels). "
          "`lost`: queries dnsperf got no answer to within its -t; in timed runs on these "
          "machines dnsperf loses about one -q window per -t seconds against every server, NSD "
          "included, so compare it between rows, not with zero. `UDP drops`: datagrams the "
          "kernel dropped on full socket receive buffers during the run (machine-wide, "
          "/proc/net/snmp RcvbufErrors; dnsperf's own sockets included). "
          "RSS is VmRSS (largest process); dnsmasq allocates its whole cache at start, so its "
          "bytes/cached name is near 0 and its idle RSS holds the cache; "
          "Knot Resolver's cache is an mmapped LMDB file, counted in RSS only as far as touched. "
          "%d of %d measured runs started on a machine less than %d%% idle (waits of at most %gs, "
          "%gs in all)." % (busy, total, QUIET_IDLE * 100, QUIET_WAIT, QUIET_BUDGET), ""]
    return "\n".join(L)


def environment():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = ", ".join("%s %s" % (p, package_version(p)) for p in PACKAGES)
    try:
        r = subprocess.run([OWNDNS, "--version"], capture_output=True, text=True, timeout=10)
        versions += ", owndns " + ((r.stdout or r.stderr).strip().splitlines() or ["?"])[0]
    except (OSError, subprocess.TimeoutExpired):
        versions += ", owndns (none)"
    return {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "cpu": cpu,
            "kernel": os.uname().release, "versions": versions}


def main():
    if os.cpu_count() < 2:
        log("needs 2 cores (server on one, dnsperf on the other); found %d" % os.cpu_count())
        return 1
    t_start = time.monotonic()
    unavailable = ensure_packages()
    if "dnsperf" in unavailable or "nsd" in unavailable:
        log("cannot benchmark without dnsperf and nsd")
        return 1
    workdir = tempfile.mkdtemp(prefix="owndns-bench-")
    atexit.register(lambda: None if KEEP else shutil.rmtree(workdir, ignore_errors=True))
    atexit.register(stop_all)  # runs before the removal (atexit is last-in, first-out)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda s, f: sys.exit(128 + s))

    records, _ = gen_zone.generate(workdir, NAMES)
    ctx = {"dir": workdir, "zone": os.path.join(workdir, "bench.test.zone"),
           "tiny": os.path.join(workdir, "tiny.zone"),
           "queries": os.path.join(workdir, "queries.txt"), "records": records,
           "port": free_port(sorted(set(ADDR.values())))}
    log("%d names, %d records, port %d, work dir %s%s" % (
        NAMES, records, ctx["port"], workdir, " (kept)" if KEEP else ""))

    upstream, _ = make_server("upstream", workdir, ctx["port"], ctx["zone"], ctx["port"])
    ms, why = upstream.start()
    if ms is None:
        log("upstream NSD does not serve: %s" % why)
        return 1
    log("upstream NSD on %s@%d (CPU %s) answered after %.0f ms"
        % (upstream.addr, ctx["port"], LOADGEN_CPU, ms))

    ctx["baseline_pss"] = {}
    for kind, tiny_kind in (("nsd", "nsd-tiny"), ("owndns-auth", "owndns-auth-tiny")):
        ctx["baseline_pss"][kind] = baseline_memory(tiny_kind, ctx)

    runs, skip = run_all(ctx, unavailable)
    upstream.stop()

    md = report(ctx, runs, skip, environment())
    md += "\nTotal time %.0f s.\n" % (time.monotonic() - t_start)
    os.makedirs(os.path.dirname(OUT_MD), exist_ok=True)
    with open(OUT_MD, "w") as f:
        f.write(md)
    with open(os.path.splitext(OUT_MD)[0] + ".json", "w") as f:
        json.dump({"runs": runs, "unavailable": skip, "names": NAMES, "rounds": ROUNDS,
                   "duration": DURATION, "dnsperf_args": DNSPERF_ARGS,
                   "dnsperf_miss_args": DNSPERF_MISS_ARGS}, f, indent=1)
    print()
    print(md)
    log("written to %s (and .json beside it)" % os.path.relpath(OUT_MD, ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
