"""Starting and stopping the reference servers of the integration tests: NSD and
Unbound on 127.0.0.1, each from a generated configuration in a temporary directory.

Both run in the foreground (no chroot, no user change, no log file) on a free port
and are started through conftest's Processes, which stops them by PID at teardown,
also when a test fails.  Readiness is polled with dnspython within READY_TIMEOUT
seconds; a server that exits before answering fails the wait with its stderr.
"""
import os
import socket
import time

import dns.message
import dns.query

NSD = "/usr/sbin/nsd"
UNBOUND = "/usr/sbin/unbound"
READY_TIMEOUT = 15.0  # seconds for a server to answer its first query


def free_port(host="127.0.0.1"):
    """A port free for both UDP and TCP on host (checked, then released)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind((host, 0))
            port = u.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                try:
                    t.bind((host, port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free port on %s" % host)


def wait_answering(port, proc, qname, timeout=READY_TIMEOUT, rdtype="SOA"):
    """Polls 127.0.0.1@port until any answer comes; fails when the process exits."""
    deadline = time.monotonic() + timeout
    q = dns.message.make_query(qname, rdtype)
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise RuntimeError("%s exited with %s: %s" % (proc.args[0], proc.returncode, err))
        try:
            dns.query.udp(q, "127.0.0.1", port=port, timeout=0.3)
            return
        except Exception:  # not listening yet
            time.sleep(0.05)
    raise RuntimeError("server on port %d not ready after %ss" % (port, timeout))


# ---- NSD ------------------------------------------------------------------------------

def nsd_conf(port, directory, zone_paths, verbosity=0):
    """nsd.conf for 127.0.0.1@port serving [(origin, zone file path)], without response
    rate limiting (tests ask the same question many times)."""
    zones = "".join('zone:\n    name: "%s"\n    zonefile: "%s"\n' % (origin, path)
                    for origin, path in zone_paths)
    return """server:
    ip-address: 127.0.0.1@{port}
    port: {port}
    do-ip6: no
    server-count: 1
    username: ""
    chroot: ""
    zonesdir: "{d}"
    database: ""
    zonelistfile: "{d}/zone.list"
    xfrdfile: "{d}/xfrd.state"
    xfrdir: "{d}"
    pidfile: "{d}/nsd.pid"
    logfile: "{d}/nsd.log"
    hide-version: yes
    verbosity: {verbosity}
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
{zones}""".format(port=port, d=directory, verbosity=verbosity, zones=zones)


def start_nsd(processes, workdir, zones):
    """NSD on 127.0.0.1 serving [(origin, zone-file text)]; returns its port."""
    port = free_port()
    d = str(workdir)
    paths = []
    for origin, text in zones:
        path = os.path.join(d, origin.rstrip(".") + ".zone")
        with open(path, "w", encoding="ascii") as f:
            f.write(text)
        paths.append((origin, path))
    conf = os.path.join(d, "nsd.conf")
    with open(conf, "w", encoding="ascii") as f:
        f.write(nsd_conf(port, d, paths))
    proc = processes.start([NSD, "-d", "-c", conf])
    wait_answering(port, proc, zones[0][0])
    return port


# ---- Unbound --------------------------------------------------------------------------

def unbound_base_lines(port, directory):
    """The server: lines every test Unbound shares: loopback only, in the foreground,
    no chroot, user, pid file or log file."""
    return ["server:",
            "    interface: 127.0.0.1@%d" % port,
            "    port: %d" % port,
            "    do-ip6: no",
            "    do-daemonize: no",
            '    chroot: ""',
            '    username: ""',
            '    directory: "%s"' % directory,
            '    pidfile: ""',
            "    use-syslog: no",
            '    logfile: ""',
            "    verbosity: 0"]


def start_unbound(processes, workdir, conf_lines, ready_name, port=None, ready_type="A"):
    """Unbound from `conf_lines(port, directory)` (the whole unbound.conf as a list of
    lines, usually unbound_base_lines() and more); returns (port, proc) once it answers
    `ready_name` (a name it can answer without an upstream)."""
    port = port or free_port()
    d = str(workdir)
    conf = os.path.join(d, "unbound-%d.conf" % port)
    with open(conf, "w", encoding="ascii") as f:
        f.write("\n".join(conf_lines(port, d)) + "\n")
    proc = processes.start([UNBOUND, "-d", "-c", conf])
    wait_answering(port, proc, ready_name, rdtype=ready_type)
    return port, proc
