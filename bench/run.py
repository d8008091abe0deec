#!/usr/bin/env python3
"""Benchmark: the emulator against this machine's own limits and against the peers a user would
otherwise pick, all measured in the same run, printed as a Markdown table of ratios and written to
bench/results/latest.md (raw numbers in bench/results/latest.json).

    python3 bench/run.py            # 7-9 minutes on a 2-core machine, builds included

What it does, in order:
  1. Builds the emulator (`cargo build --release --bin auth0-emulator`) and the limit helpers in
     bench/limits/ (their own crate and target dir; aws-lc-rs pinned to the main Cargo.lock's version).
  2. Installs the peers into bench/node_modules with npm (`@simulacrum/auth0-simulator`,
     `oauth2-mock-server`, versions in bench/package.json, no lockfile) and makes the self-signed
     localhost certificate the simulator needs under bench/.peers-home/. Installs wrk with apt-get
     when missing and running as root. Waits (up to --wait-idle) for other work on the machine to stop.
  3. Cold start, exec to the first successful discovery request (the ready line is read, then
     GET /.well-known/openid-configuration): embedded tenant (keys already in the state directory),
     first start ever (--ephemeral: CA and key generated), 10,000 and 100,000 seeded users, and both
     peers the same way. Resident memory is read from /proc once discovery has answered.
  4. Throughput on the embedded tenant under wrk (2 threads, 32 connections, 127.0.0.1), each next
     to its limit and the peers: client_credentials (plain HTTP, and HTTPS since the simulator only
     serves HTTPS) against the RSA-2048 signing rate of a parsed, cached aws-lc-rs key pair on every
     core (bench/limits rsa-sign-rate); password-realm logins against the same rate; /userinfo (JWT
     access token) and GET /api/v2/users/{id} against a bare hyper server answering the very bytes
     the emulator answered (bench/limits bare-json).
  5. Management search latency at 100,000 users (wrk, 1 connection, so each request waits for the
     previous one): exact email, a user_metadata term, a wildcard on name, and users-by-email.
  6. Binary size (stripped release), container image size when an image exists.

The targets of one comparison are measured in turns (a 1 s warm-up each, then run 1 of each, run 2
of each, ... --runs runs of --seconds each; cold starts likewise, one discarded round first), so a
neighbour's burst of work on a shared machine hits the emulator, its limit and the peers alike. The
header says how much of the cores other work took during the run. The table shows medians with
min-max; ratios are between medians of this run. Load runs that see any error response are refused,
never reported. wrk's own counters and HdrHistogram percentiles are used (bench/wrk/report.lua prints
them as JSON); start-up is timed here because its end point (the first successful discovery answer
after the ready line) is not something hyperfine can observe.

Options: --runs N (3), --seconds S (5), --start-runs N (10; fewer for the slower starts),
--wait-idle S (120), --only start (start-up rows only, what bench/startup.py runs), --no-build
(measure the binaries already built), --quick (1 run of 2 s, written to results/quick.md).
"""
import argparse
import base64
import datetime
import http.client
import json
import os
import platform
import re
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from urllib.parse import urlencode

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
BIN = os.path.join(ROOT, "target", "release", "auth0-emulator")
LIMITS = os.path.join(BENCH, "limits")
LIMITS_TARGET = os.path.join(LIMITS, "target")
RSA_BIN = os.path.join(LIMITS_TARGET, "release", "rsa-sign-rate")
BARE_BIN = os.path.join(LIMITS_TARGET, "release", "bare-json")
NODE_MODULES = os.path.join(BENCH, "node_modules")
PEERS_HOME = os.path.join(BENCH, ".peers-home")
RESULTS = os.path.join(BENCH, "results")
WRK_SCRIPT = os.path.join(BENCH, "wrk", "report.lua")

API = "https://api.example.test/"  # the embedded tenant's API; peers accept any audience
JANE_ID = "auth0|0123456789abcdef01234567"
DISCOVERY = "/.well-known/openid-configuration"
CPUS = os.cpu_count() or 1

WRK_THREADS, WRK_CONNECTIONS = 2, 32


# ---------------------------------------------------------------------------------------------
# Small helpers: numbers, processes, HTTP


class Series:
    """Repeated measurements of one quantity: median and min-max."""

    def __init__(self, values):
        self.values = [v for v in values]

    @property
    def median(self):
        return statistics.median(self.values)

    def fmt(self, digits=0, unit=""):
        def f(v):
            return f"{v:,.{digits}f}"
        if len(self.values) == 1:
            return f"{f(self.values[0])}{unit}"
        return f"{f(self.median)}{unit} ({f(min(self.values))}–{f(max(self.values))})"


class Unavailable(Exception):
    """A measurement that could not be taken here; the reason goes into the table."""


LIVE = []  # processes this script started; stopped on exit, and only these


def stop_all():
    for proc in list(LIVE):
        stop_process(proc)


def stop_process(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    if proc in LIVE:
        LIVE.remove(proc)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def clean_env(**extra):
    """The environment without anything that would reconfigure the emulator or the peers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTH0_EMULATOR_", "RUST_LOG", "NODE_OPTIONS"))}
    env.update(extra)
    return env


class Service:
    """A server process started for the benchmark, ready once its stdout prints `ready_re`."""

    def __init__(self, name, cmd, ready_re, scheme="http", env=None, cwd=None):
        self.name, self.cmd, self.ready_re, self.scheme = name, cmd, re.compile(ready_re), scheme
        self.env, self.cwd = env or clean_env(), cwd
        self.proc, self.port, self.t0 = None, None, None
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.stdout_lines = []

    def start(self, timeout=120):
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=self.stderr, text=True,
                                     env=self.env, cwd=self.cwd, stdin=subprocess.DEVNULL)
        LIVE.append(self.proc)
        deadline = time.monotonic() + timeout
        for line in self.proc.stdout:
            self.stdout_lines.append(line)
            match = self.ready_re.search(line)
            if match:
                self.port = int(match.group(1))
                threading.Thread(target=self._drain, daemon=True).start()
                return self
            if time.monotonic() > deadline:
                break
        self.stop()
        raise Unavailable(f"{self.name} did not start: {self.tail()}")

    def _drain(self):
        for _ in self.proc.stdout:
            pass

    def tail(self):
        self.stderr.seek(0)
        text = (self.stderr.read() + "".join(self.stdout_lines[-5:])).strip().splitlines()
        return " / ".join(text[-3:])[:300] or f"exit code {self.proc.poll()}"

    @property
    def base(self):
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def rss_mb(self):
        return rss_kib(self.proc.pid) * 1024 / 1e6

    def stop(self):
        if self.proc:
            stop_process(self.proc)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def http_request(service, method, path, body=None, headers=None, timeout=30):
    """One request to a service on 127.0.0.1 (never anywhere else); returns (status, body bytes)."""
    if service.scheme == "https":
        # Loopback only, to a throwaway certificate: nothing to verify against.
        conn = http.client.HTTPSConnection("127.0.0.1", service.port, timeout=timeout, context=ssl._create_unverified_context())
    else:
        conn = http.client.HTTPConnection("127.0.0.1", service.port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        hdrs = dict(headers or {})
        if data is not None:
            hdrs.setdefault("content-type", "application/json")
        conn.request(method, path, body=data, headers=hdrs)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def expect_json(service, method, path, body=None, headers=None, key=None):
    """One checked request before a load: 200 with a JSON body (holding `key`), else Unavailable."""
    try:
        status, raw = http_request(service, method, path, body, headers)
    except OSError as e:
        raise Unavailable(f"{method} {path} failed: {e}") from None
    if status != 200:
        raise Unavailable(f"{method} {path} answered {status}: {raw[:160].decode(errors='replace')}")
    try:
        data = json.loads(raw)
    except ValueError:
        raise Unavailable(f"{method} {path} answered something other than JSON: {raw[:160].decode(errors='replace')}") from None
    if key and (not isinstance(data, dict) or key not in data):
        raise Unavailable(f"{method} {path} answered without {key}: {raw[:160].decode(errors='replace')}")
    return data, raw


def rs256_signatures(token_response):
    """How many RS256 JWTs a token response carries (each one cost an RSA signature)."""
    count = 0
    for value in token_response.values():
        if isinstance(value, str) and value.count(".") == 2:
            head = value.split(".")[0]
            try:
                header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
            except ValueError:
                continue
            count += header.get("alg") == "RS256"
    return count


# ---------------------------------------------------------------------------------------------
# Setup: tools, builds, peers


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def ensure_wrk():
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (apt-get) ...", file=sys.stderr)
        if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], stdout=subprocess.DEVNULL).returncode != 0:
            run(["apt-get", "update", "-qq"], stdout=subprocess.DEVNULL)
            run(["apt-get", "install", "-y", "-qq", "wrk"], stdout=subprocess.DEVNULL)
        return
    raise SystemExit("bench needs wrk: install the Debian/Ubuntu package `wrk` (apt-get install wrk) and run again")


def build(skip):
    """Builds the emulator and the limit helpers; retries the emulator for a few minutes, because
    other people may be half-way through an edit of the main crate."""
    notes = []
    if not skip:
        for attempt in range(6):
            done = subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "auth0-emulator"], cwd=ROOT,
                                  stderr=subprocess.PIPE, text=True)
            if done.returncode == 0:
                break
            print(f"emulator build failed (attempt {attempt + 1}); retrying in 60 s", file=sys.stderr)
            time.sleep(60)
        else:
            if not os.path.exists(BIN):
                raise SystemExit(f"the emulator does not build:\n{done.stderr[-3000:]}")
            notes.append("The emulator did not build during this run; the release binary already in target/ was measured.")
        # The helpers resolve to the emulator's exact crate versions: its Cargo.lock is the
        # starting point (cargo drops what the helpers do not use). Built from their own directory
        # so their .cargo/config.toml applies; the variable is also set here in case a parent
        # config says otherwise.
        shutil.copyfile(os.path.join(ROOT, "Cargo.lock"), os.path.join(LIMITS, "Cargo.lock"))
        run(["cargo", "build", "--release", "--quiet", "--target-dir", LIMITS_TARGET], cwd=LIMITS,
            env={**os.environ, "AWS_LC_SYS_NO_JITTER_ENTROPY": "1"})
    for path in (BIN, RSA_BIN, BARE_BIN):
        if not os.path.exists(path):
            raise SystemExit(f"missing {path}: run without --no-build")
    return notes


def locked_version(lock_path, crate):
    try:
        with open(lock_path) as f:
            match = re.search(r'name = "%s"\nversion = "([^"]+)"' % re.escape(crate), f.read())
        return match.group(1) if match else "?"
    except OSError:
        return "?"


def peer_version(package):
    try:
        with open(os.path.join(NODE_MODULES, package, "package.json")) as f:
            return json.load(f)["version"]
    except (OSError, ValueError, KeyError):
        return None


def install_peers():
    """npm-installs the peers into bench/node_modules (no lockfile) and makes the simulator's
    certificate; returns {peer: reason} for the peers that cannot run here."""
    problems = {}
    with open(os.path.join(BENCH, "package.json")) as f:
        wanted = json.load(f)["dependencies"]
    if any(peer_version(p) != v for p, v in wanted.items()):
        if not shutil.which("npm"):
            return {p: "npm is not installed" for p in ("simulacrum", "oauth2-mock-server")}
        print("installing the peers with npm ...", file=sys.stderr)
        done = subprocess.run(["npm", "install", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error"],
                              cwd=BENCH, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            reason = "npm install failed: " + done.stderr.strip().splitlines()[-1][:200] if done.stderr.strip() else "npm install failed"
            return {p: reason for p in ("simulacrum", "oauth2-mock-server")}
    if peer_version("@simulacrum/auth0-simulator") is None:
        problems["simulacrum"] = "not installed"
    if peer_version("oauth2-mock-server") is None:
        problems["oauth2-mock-server"] = "not installed"
    certs = os.path.join(PEERS_HOME, ".simulacrum", "certs")
    if not os.path.exists(os.path.join(certs, "localhost.pem")):
        if not shutil.which("openssl"):
            problems["simulacrum"] = "needs a localhost certificate and openssl is not installed"
        else:
            os.makedirs(certs, exist_ok=True)
            run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj", "/CN=localhost",
                 "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                 "-keyout", os.path.join(certs, "localhost-key.pem"), "-out", os.path.join(certs, "localhost.pem")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return problems


# ---------------------------------------------------------------------------------------------
# Services


def emulator(state_dir=None, seeds=(), ephemeral=False):
    cmd = [BIN, "--port", "0", "--random-seed", "1"]
    cmd += ["--ephemeral"] if ephemeral else ["--state-dir", state_dir]
    for seed in seeds:
        cmd += ["--seed", seed]
    return Service("auth0-emulator", cmd, r"^auth0-emulator ready url=\S+:(\d+)/")


def simulacrum():
    return Service("@simulacrum/auth0-simulator", ["node", os.path.join(BENCH, "peers", "simulacrum.mjs"), "0"],
                   r"^peer ready port=(\d+)", scheme="https", env=clean_env(HOME=PEERS_HOME), cwd=os.path.join(BENCH, "peers"))


def oauth2_mock_server():
    cli = os.path.join(NODE_MODULES, "oauth2-mock-server", "dist", "oauth2-mock-server.mjs")
    return Service("oauth2-mock-server", ["node", cli, "-a", "127.0.0.1", "-p", "0"],
                   r"listening on http://[^:]+:(\d+)", cwd=os.path.join(BENCH, "peers"))


# What each peer is asked; None = it has no such endpoint.
PEERS = {
    "simulacrum": {
        "make": simulacrum,
        "package": "@simulacrum/auth0-simulator",
        "token_path": "/oauth/token",
        "client_credentials": {"grant_type": "client_credentials", "client_id": "bench", "client_secret": "bench", "audience": API},
        # Its only user-password grant is `password` (password-realm falls through to the code grant).
        "login": {"grant_type": "password", "client_id": "bench", "username": "default@example.com", "password": "12345",
                  "scope": "openid profile email", "audience": API},
        "userinfo": True,
        "user_by_id": None,
    },
    "oauth2-mock-server": {
        "make": oauth2_mock_server,
        "package": "oauth2-mock-server",
        "token_path": "/token",
        "client_credentials": {"grant_type": "client_credentials", "client_id": "bench", "client_secret": "bench", "aud": API,
                               "scope": "read:things"},
        "login": {"grant_type": "password", "client_id": "bench", "username": "jane@example.com", "password": "Passw0rd!",
                  "scope": "openid profile email"},
        "userinfo": True,
        "user_by_id": None,
    },
}


# ---------------------------------------------------------------------------------------------
# Measurements


def start_once(make):
    """Exec to the first 200 from discovery (asked as soon as the ready line is out); returns
    (ms, RSS MB then)."""
    service = make()
    try:
        service.start()
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _ = http_request(service, "GET", DISCOVERY, timeout=10)
                if status == 200:
                    break
                raise Unavailable(f"{service.name}: discovery answered {status}")
            except OSError:
                if time.monotonic() > deadline:
                    raise Unavailable(f"{service.name}: discovery never answered")
                time.sleep(0.001)
        return (time.perf_counter() - service.t0) * 1000, service.rss_mb()
    finally:
        service.stop()


def cold_starts(makers, runs):
    """Times the starts in turns (one discarded round, then round 1 of every target, round 2, ...),
    so a neighbour's burst of work hits the emulator and the peers alike. `makers` maps a name to
    a service factory (or the Unavailable saying why it is missing), `runs` to its timed count;
    returns name -> (ms Series, RSS MB Series) or Unavailable."""
    failed = {k: v for k, v in makers.items() if isinstance(v, Exception)}
    times = {k: ([], []) for k in makers if k not in failed}
    for round_ in range(max(runs.values()) + 1):
        for name in times:
            if name in failed or round_ > runs[name]:
                continue
            try:
                ms, mb = start_once(makers[name])
            except Unavailable as e:
                failed[name] = e
                continue
            if round_:
                times[name][0].append(ms)
                times[name][1].append(mb)
    return {k: failed.get(k) or (Series(times[k][0]), Series(times[k][1])) for k in makers}


class Load:
    """A wrk result over several runs: rate, latency percentiles."""

    def __init__(self, results):
        self.results = results
        self.rate = Series(r["requests"] / (r["duration_us"] / 1e6) for r in results)
        self.p50_ms = Series(r["latency_p50_us"] / 1000 for r in results)
        self.p99_ms = Series(r["latency_p99_us"] / 1000 for r in results)
        self.samples = sum(r["requests"] for r in results)


class Rate:
    """A rate measured by a helper (the raw RSA signing rate), shaped like a Load's."""

    def __init__(self, values):
        self.rate = Series(values)


def wrk_once(url, method, body, headers, seconds, threads, connections):
    """One wrk run against 127.0.0.1; a run with any error response is refused."""
    if not re.match(r"^https?://127\.0\.0\.1:\d+/", url):
        raise ValueError(f"refusing to load a non-loopback address: {url}")
    env = {**os.environ, "WRK_METHOD": method, "WRK_BODY": body or ""}
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", WRK_SCRIPT]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run(cmd + [url], env=env, capture_output=True, text=True, timeout=seconds + 60)
    match = re.search(r"^WRK_RESULT (\{.*\})$", out.stdout, re.M)
    if not match:
        raise Unavailable(f"wrk failed: {(out.stderr or out.stdout).strip()[:200]}")
    result = json.loads(match.group(1))
    socket_errors = sum(result[k] for k in ("errors_connect", "errors_read", "errors_write", "errors_timeout"))
    if result["errors_status"] or result["requests"] == 0 or socket_errors > result["requests"] * 0.001:
        raise Unavailable(f"{result['errors_status']} error responses and {socket_errors} socket errors "
                          f"in {result['requests']} requests")
    return result


def wrk_target(url, method="GET", body=None, headers=None, threads=WRK_THREADS, connections=WRK_CONNECTIONS):
    """A load target: a function of the run length that does one wrk run."""
    if isinstance(body, dict):
        body = json.dumps(body)
        headers = {"content-type": "application/json", **(headers or {})}
    return lambda seconds: wrk_once(url, method, body, headers, seconds, threads, connections)


def rsa_target(seconds):
    out = subprocess.run([RSA_BIN, "--threads", str(CPUS), "--seconds", str(seconds)], capture_output=True, text=True)
    if out.returncode != 0:
        raise Unavailable(f"rsa-sign-rate failed: {out.stderr.strip()[:200]}")
    return json.loads(out.stdout)["per_second"]


def started(make):
    """A started service, or the reason it could not start."""
    service = make()
    try:
        return service.start()
    except Unavailable as e:
        return e


class Bench:
    def __init__(self, opts):
        self.opts = opts
        self.data = {}  # everything measured, for latest.json
        self.peer_problems = {}  # peer -> why it cannot run here

    def attempt(self, key, fn):
        """Runs a measurement; an Unavailable becomes its recorded reason."""
        try:
            return fn()
        except Unavailable as e:
            print(f"  {key}: {e}", file=sys.stderr)
            self.data[key] = {"unavailable": str(e)}
            return e

    def interleave(self, group, targets):
        """Measures the targets of one comparison in turns (a 1 s warm-up each, then run 1 of every
        target, run 2 of every target, ...), so a neighbour's burst of work on this shared machine
        falls on all of them alike and the ratios stay honest. `targets` maps a name to a function
        of the run length (or to the Unavailable saying why it is missing); returns name -> Load,
        Rate or Unavailable."""
        print(f"  {group}: {', '.join(targets)} ...", file=sys.stderr)
        failed = {k: v for k, v in targets.items() if isinstance(v, Exception)}
        runs = {k: [] for k in targets if k not in failed}

        def once(name, seconds):
            try:
                return targets[name](seconds)
            except Unavailable as e:
                failed[name] = e
                print(f"  {group}/{name}: {e}", file=sys.stderr)
                return None

        for name in list(runs):
            once(name, 1)
        for _ in range(self.opts.runs):
            for name in runs:
                if name not in failed:
                    runs[name].append(once(name, self.opts.seconds))
        out = {}
        for name in targets:
            if name in failed:
                out[name] = failed[name]
                self.data[f"{group}/{name}"] = {"unavailable": str(failed[name])}
            else:
                values = runs[name]
                out[name] = Load(values) if isinstance(values[0], dict) else Rate(values)
                self.data[f"{group}/{name}"] = values
        return out

    def throughput(self, state):
        """Every throughput comparison on the embedded tenant: the emulator, the limits and the
        peers all run at once (idle unless loaded) and each comparison is measured in turns."""
        m = {"emulator": {}, "limits": {}, "peers": {p: {} for p in PEERS}}
        services = []
        try:
            emu = emulator(state).start()
            services.append(emu)
            e = m["emulator"]
            cc = {"grant_type": "client_credentials", "client_id": "m2m-client", "client_secret": "m2m-client-secret", "audience": API}
            login = {"grant_type": "http://auth0.com/oauth/grant-type/password-realm", "client_id": "web-client",
                     "client_secret": "web-client-secret", "username": "jane@example.com", "password": "Passw0rd!",
                     "realm": "Username-Password-Authentication", "scope": "openid profile email", "audience": API}
            data, _ = expect_json(emu, "POST", "/oauth/token", cc, key="access_token")
            e["cc_sigs"] = rs256_signatures(data)
            tokens, _ = expect_json(emu, "POST", "/oauth/token", login, key="id_token")
            e["login_sigs"] = rs256_signatures(tokens)
            bearer = {"authorization": f"Bearer {tokens['access_token']}"}
            _, userinfo_body = expect_json(emu, "GET", "/userinfo", headers=bearer, key="sub")
            mgmt, _ = expect_json(emu, "POST", "/__emulator/tokens", {"audience": f"https://localhost:{emu.port}/api/v2/", "scope": "read:users"}, key="token")
            mgmt_auth = {"authorization": f"Bearer {mgmt['token']}"}
            user_path = "/api/v2/users/" + JANE_ID.replace("|", "%7C")
            _, user_body = expect_json(emu, "GET", user_path, headers=mgmt_auth, key="user_id")
            e["userinfo_bytes"], e["user_bytes"] = len(userinfo_body), len(user_body)

            # The request-overhead limit answers the very bytes the emulator answered.
            bare = {}
            with tempfile.TemporaryDirectory() as d:
                for name, body in (("userinfo", userinfo_body), ("user", user_body)):
                    path = os.path.join(d, f"{name}.json")
                    with open(path, "wb") as f:
                        f.write(body)
                    bare[name] = started(lambda path=path: Service("bare-json", [BARE_BIN, "--port", "0", "--body-file", path, "--max-seconds", "900"],
                                                                   r"^bare-json ready port=(\d+)"))
                    if ok(bare[name]):
                        services.append(bare[name])

            peers = {}
            for p, peer in PEERS.items():
                if p in self.peer_problems:
                    peers[p] = Unavailable(self.peer_problems[p])
                else:
                    peers[p] = started(peer["make"])
                    if ok(peers[p]):
                        services.append(peers[p])

            def peer_target(p, what):
                """The peer's load target for `what`, checked with one request first."""
                service, peer = peers[p], PEERS[p]
                if not ok(service):
                    return service
                try:
                    if what == "userinfo":
                        tokens = m["peers"][p].get("tokens")
                        if not tokens:
                            return Unavailable("no access token from its login to call it with")
                        auth = {"authorization": f"Bearer {tokens['access_token']}"}
                        expect_json(service, "GET", "/userinfo", headers=auth, key="sub")
                        return wrk_target(f"{service.base}/userinfo", headers=auth)
                    body = peer["client_credentials" if what == "cc" else "login"]
                    data, _ = expect_json(service, "POST", peer["token_path"], body, key="access_token")
                    m["peers"][p][f"{what}_sigs"] = rs256_signatures(data)
                    if what == "login":
                        m["peers"][p]["tokens"] = data
                    return wrk_target(f"{service.base}{peer['token_path']}", "POST", body)
                except Unavailable as err:
                    return err

            def limit(service):
                return wrk_target(f"{service.base}/") if ok(service) else service

            r = self.interleave("client_credentials", {
                "emulator": wrk_target(f"{emu.base}/oauth/token", "POST", cc),
                "rsa": rsa_target,
                "emulator_https": wrk_target(f"https://127.0.0.1:{emu.port}/oauth/token", "POST", cc),
                **{p: peer_target(p, "cc") for p in PEERS}})
            e["cc"], e["cc_tls"], m["limits"]["rsa_cc"] = r["emulator"], r["emulator_https"], r["rsa"]
            for p in PEERS:
                m["peers"][p]["cc"] = r[p]

            r = self.interleave("login", {
                "emulator": wrk_target(f"{emu.base}/oauth/token", "POST", login),
                "rsa": rsa_target,
                **{p: peer_target(p, "login") for p in PEERS}})
            e["login"], m["limits"]["rsa_login"] = r["emulator"], r["rsa"]
            for p in PEERS:
                m["peers"][p]["login"] = r[p]

            r = self.interleave("userinfo", {
                "emulator": wrk_target(f"{emu.base}/userinfo", headers=bearer),
                "bare": limit(bare["userinfo"]),
                **{p: peer_target(p, "userinfo") for p in PEERS}})
            e["userinfo"], m["limits"]["bare_userinfo"] = r["emulator"], r["bare"]
            for p in PEERS:
                m["peers"][p]["userinfo"] = r[p]

            r = self.interleave("user_by_id", {
                "emulator": wrk_target(f"{emu.base}{user_path}", headers=mgmt_auth),
                "bare": limit(bare["user"])})
            e["user"], m["limits"]["bare_user"] = r["emulator"], r["bare"]
            e["rss_after_load"] = emu.rss_mb()
        finally:
            for service in services:
                service.stop()
        return m

    def custom_db(self, state):
        """Custom database logins, one request at a time so latencies add up: the warm script
        round trip (legacy mode: every login runs a trivial `login` script in the Node.js worker)
        and a migrated user's login (import mode: no script), each beside a native login."""
        trivial = "function login(email, password, callback) { callback(null, {user_id: 'bench-1', email: email}); }"
        doc = {"connections": [{"name": name, "options": {"enabledDatabaseCustomization": True, "import_mode": migrate,
                                                          "customScripts": {"login": trivial}}}
                               for name, migrate in (("bench-legacy", False), ("bench-import", True))]}

        def login(realm, username):
            return {"grant_type": "http://auth0.com/oauth/grant-type/password-realm", "client_id": "web-client",
                    "client_secret": "web-client-secret", "username": username, "password": "Passw0rd!",
                    "realm": realm, "scope": "openid"}

        bodies = {"native": login("Username-Password-Authentication", "jane@example.com"),
                  "script": login("bench-legacy", "ana@legacy.example"),
                  "migrated": login("bench-import", "bo@legacy.example")}
        with tempfile.TemporaryDirectory() as d:
            seed = os.path.join(d, "custom-db.json")
            with open(seed, "w") as f:
                json.dump(doc, f)
            with emulator(state, seeds=[os.path.join(ROOT, "seed-data"), seed]) as emu:
                # The first call starts the worker; the import-mode one migrates the user.
                for body in bodies.values():
                    expect_json(emu, "POST", "/oauth/token", body, key="access_token")
                return self.interleave("custom_db", {
                    name: wrk_target(f"{emu.base}/oauth/token", "POST", body, threads=1, connections=1) for name, body in bodies.items()})

    def search(self, seed):
        """Management search latency at 100,000 users, one request at a time."""
        out = {}
        with emulator(seeds=[seed], ephemeral=True) as emu:
            mgmt, _ = expect_json(emu, "POST", "/__emulator/tokens", {"audience": f"https://localhost:{emu.port}/api/v2/", "scope": "read:users"}, key="token")
            auth = {"authorization": f"Bearer {mgmt['token']}"}
            queries = {
                "email": ('email:"user54321@example.com"', 1),
                "metadata": ('user_metadata.team:"team0421"', 100),
                "wildcard": ("name:user5432*", 11),
            }
            for name, (q, hits) in queries.items():
                path = f"/api/v2/users?{urlencode({'q': q, 'search_engine': 'v3', 'per_page': 50, 'include_totals': 'true'})}"
                def target(path=path, hits=hits, name=name):
                    data, _ = expect_json(emu, "GET", path, headers=auth, key="users")
                    if data.get("total") != hits:
                        raise Unavailable(f"search {name} found {data.get('total')} users, expected {hits}")
                    return wrk_target(f"{emu.base}{path}", headers=auth, threads=1, connections=1)
                try:
                    fn = target()
                except Unavailable as err:
                    fn = err
                out[name] = (q, self.interleave(f"search_{name}", {"emulator": fn})["emulator"])
            by_email = "/api/v2/users-by-email?email=user54321%40example.com"
            data, _ = expect_json(emu, "GET", by_email, headers=auth)
            fn = wrk_target(f"{emu.base}{by_email}", headers=auth, threads=1, connections=1) if len(data) == 1 \
                else Unavailable(f"users-by-email found {len(data)} users")
            out["by_email"] = ("email=user54321@example.com", self.interleave("users_by_email", {"emulator": fn})["emulator"])
            out["rss"] = emu.rss_mb()
        return out


# ---------------------------------------------------------------------------------------------
# Seeds, machine, sizes


def users_seed(path, n):
    """n users with plain passwords, names to wildcard on, and metadata with a selective term
    (team: 100 users each) to search for."""
    with open(path, "w") as f:
        json.dump([{"email": f"user{i}@example.com", "password": "Passw0rd!", "name": f"user{i} Example",
                    "given_name": f"User{i}", "family_name": "Example",
                    "user_metadata": {"hobby": "surfing", "team": f"team{i % 1000:04d}"},
                    "app_metadata": {"plan": "free"}} for i in range(n)], f)


def prepared_state():
    """A state directory with the CA and signing key already made (the common restart)."""
    state = tempfile.mkdtemp(prefix="auth0-emulator-bench-")
    run([BIN, "ca", "--state-dir", state], stdout=subprocess.DEVNULL)
    run([BIN, "token", "--state-dir", state], stdout=subprocess.DEVNULL)
    return state


def cpu_busy(seconds=2.0):
    """Share of all cores busy over `seconds` (from /proc/stat), 0..1."""
    def sample():
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields), idle
    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


class CpuAccount:
    """How much of the cores other people's work took while the benchmark ran: busy time from
    /proc/stat (steal included) less the CPU time of this script and everything it started and
    waited for (os.times)."""

    def __init__(self):
        self.start = self.sample()

    @staticmethod
    def sample():
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:9]]
        t = os.times()
        return sum(fields), fields[3] + fields[4], t.user + t.system + t.children_user + t.children_system

    def others_share(self):
        (total0, idle0, ours0), (total1, idle1, ours1) = self.start, self.sample()
        hz = os.sysconf("SC_CLK_TCK")
        capacity = (total1 - total0) / hz
        busy = capacity - (idle1 - idle0) / hz
        return max(0.0, busy - (ours1 - ours0)) / capacity if capacity else 0.0


def wait_for_quiet(limit_s):
    """Other people compile on this machine: wait (up to limit_s) until the cores are mostly idle,
    so the run measures the emulator rather than a neighbour's rustc. Returns the busy share seen last."""
    deadline = time.monotonic() + limit_s
    busy = cpu_busy()
    while busy > 0.10 and time.monotonic() < deadline:
        print(f"machine {busy:.0%} busy with other work; waiting for it to quieten ...", file=sys.stderr)
        time.sleep(8)
        busy = cpu_busy()
    return busy


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def mem_total_gib():
    with open("/proc/meminfo") as f:
        return int(f.readline().split()[1]) / 1024 / 1024


def git_revision():
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock", "seed-data"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return f"{rev}{' with uncommitted changes in src/' if dirty else ''}"
    except (OSError, subprocess.CalledProcessError):
        return "unknown revision"


def tool_version(cmd, pattern=r"(\S+)"):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True)
        match = re.search(pattern, out.stdout + out.stderr)
        return match.group(1) if match else "?"
    except OSError:
        return "not installed"


def stripped_size_mb():
    """Size of the stripped release binary: the file itself if it has no symbol table, otherwise
    a stripped copy."""
    sections = subprocess.run(["readelf", "-S", BIN], capture_output=True, text=True).stdout if shutil.which("readelf") else ""
    if sections and ".symtab" not in sections:
        return os.path.getsize(BIN) / 1e6, "release profile strips it"
    if shutil.which("strip"):
        with tempfile.TemporaryDirectory() as d:
            copy = os.path.join(d, "auth0-emulator")
            run(["strip", "-o", copy, BIN])
            return os.path.getsize(copy) / 1e6, "a stripped copy"
    return os.path.getsize(BIN) / 1e6, "as built (could not check for symbols)"


def image_size():
    """The container image's size: docker/Dockerfile built from the static binary with podman, as
    the test command's image step builds it (tests/image/run.sh), or why there is none."""
    if not shutil.which("podman"):
        return None, "podman is not installed here (apt-get install podman runc)"
    out = subprocess.run(["bash", os.path.join(ROOT, "tests", "image", "run.sh"), "--size-only"], capture_output=True, text=True)
    match = re.search(r"^image_bytes=(\d+)$", out.stdout, re.M)
    if out.returncode != 0 or not match:
        skipped = re.search(r"SKIPPED: (.*)", out.stderr)
        return None, skipped.group(1) if skipped else f"tests/image/run.sh --size-only failed: {out.stderr.strip()[-200:]}"
    return int(match.group(1)) / 1e6, "docker/Dockerfile on scratch, built by podman (tests/image/run.sh)"


# ---------------------------------------------------------------------------------------------
# The table


class Table:
    def __init__(self):
        self.rows = []

    def add(self, measurement, value, against="", other="", ratio="", target="", met=""):
        self.rows.append((measurement, value, against, other, ratio, target, met))

    def markdown(self):
        lines = ["| measurement | auth0-emulator | compared with | its value | ratio | target | met |",
                 "|---|---:|---|---:|---:|---|:---:|"]
        for row in self.rows:
            lines.append("| " + " | ".join(str(c) for c in row) + " |")
        return "\n".join(lines)


def ok(v):
    return not isinstance(v, Exception) and v is not None


def why(v):
    return f"not measured: {v}" if isinstance(v, Exception) else "not measured"


def verdict(good):
    return "✅" if good else "❌"


def ratio_fmt(r):
    return f"{r:.2f}×" if r < 10 else f"{r:,.0f}×"


def throughput_rows(table, label, emu, limit=None, limit_label="", limit_target=None, peers=(), peer_target=None, factor=1, sigs_note=""):
    """One measurement: the emulator's rate, then one row per comparison."""
    if not ok(emu):
        table.add(label, why(emu))
        return
    first = [label, emu.rate.fmt(0, "/s")]
    def row(*rest):
        nonlocal first
        table.add(*(first or ["", ""]), *rest)
        first = None
    if limit is not None:
        if ok(limit):
            lim = limit.rate
            r = emu.rate.median * factor / lim.median
            target = f"≥ {limit_target}×" if limit_target else ""
            row(limit_label, lim.fmt(0, "/s"), ratio_fmt(r) + sigs_note, target, verdict(r >= limit_target) if limit_target else "")
        else:
            row(limit_label, why(limit), "", f"≥ {limit_target}×" if limit_target else "", "")
    rates = {n: p for n, p in peers if ok(p)}
    fastest = max(rates, key=lambda n: rates[n].rate.median) if rates else None
    for name, peer in peers:
        if not ok(peer):
            row(name, why(peer), "", "", "")
            continue
        r = emu.rate.median / peer.rate.median
        is_target = peer_target and name == fastest
        row(name, peer.rate.fmt(0, "/s"), ratio_fmt(r),
            f"≥ {peer_target}× the faster peer" if is_target else "", verdict(r >= peer_target) if is_target else "")
    if first:
        row("", "", "", "", "")


def build_report(opts, m, header_lines, notes):
    t = Table()
    peers = ("simulacrum", "oauth2-mock-server")
    label = {"simulacrum": "@simulacrum/auth0-simulator", "oauth2-mock-server": "oauth2-mock-server"}

    # Start-up
    emb_ms, emb_rss = m["start_embedded"] if ok(m["start_embedded"]) else (None, None)
    if emb_ms:
        t.add("cold start → first discovery answer, embedded tenant", emb_ms.fmt(1, " ms"), "", "", "", "≤ 20 ms", verdict(emb_ms.median <= 20))
        for p in peers:
            v = m[f"start_{p}"]
            if ok(v):
                r = v[0].median / emb_ms.median
                t.add("", "", f"{label[p]} start", v[0].fmt(0, " ms"), f"{ratio_fmt(r)} faster", "≥ 20× faster", verdict(r >= 20))
            else:
                t.add("", "", f"{label[p]} start", why(v), "", "≥ 20× faster", "")
    else:
        t.add("cold start, embedded tenant", why(m["start_embedded"]))
    if "start_first" in m:
        v = m["start_first"]
        t.add("cold start, first start ever (--ephemeral: CA + RSA key made)", v[0].fmt(1, " ms") if ok(v) else why(v))
    for key, title, target in (("start_10k", "cold start, 10,000 seeded users", None), ("start_100k", "cold start, 100,000 seeded users", 1000)):
        v = m.get(key)
        if v is None:
            continue
        if ok(v):
            t.add(title, v[0].fmt(0, " ms"), "", "", "", f"≤ {target:,} ms" if target else "", verdict(v[0].median <= target) if target else "")
        else:
            t.add(title, why(v))

    if opts.only != "start":
        e, lim, pm = m["throughput"]["emulator"], m["throughput"]["limits"], m["throughput"]["peers"]
        rsa_label = f"raw RSA-2048 signing, aws-lc-rs, cached key, {CPUS} threads"
        throughput_rows(t, "client_credentials tokens/s (RS256, HTTP)", e["cc"], lim["rsa_cc"], rsa_label, 0.7,
                        [(label[p], pm[p]["cc"]) for p in peers], 10, factor=e.get("cc_sigs", 1))
        fast = [pm[p]["cc"] for p in peers if ok(pm[p]["cc"])]
        if fast and ok(lim["rsa_cc"]):
            need = 10 * max(f.rate.median for f in fast)
            if need > lim["rsa_cc"].rate.median:
                notes.append(f"10× the faster peer's client_credentials rate is {need:,.0f} tokens/s, above the raw RSA-2048 "
                             f"signing rate measured beside it ({lim['rsa_cc'].rate.median:,.0f}/s on {CPUS} cores): no RS256 "
                             "server that signs each token can reach that target on this machine.")
        cc_https_peers = [(label["simulacrum"] + " (HTTPS only)", pm["simulacrum"]["cc"])]
        throughput_rows(t, "client_credentials tokens/s over HTTPS", e["cc_tls"], peers=cc_https_peers)
        sigs = e.get("login_sigs", 0)
        throughput_rows(t, f"password-realm logins/s ({sigs} RS256 tokens each: access + ID)", e["login"], lim["rsa_login"], rsa_label, None,
                        [(label[p] + " (`password` grant)", pm[p]["login"]) for p in peers],
                        factor=sigs, sigs_note=" (signatures)" if sigs != 1 else "")
        throughput_rows(t, "/userinfo requests/s (JWT access token)", e["userinfo"], lim["bare_userinfo"],
                        f"bare hyper, same {e.get('userinfo_bytes', '?')}-byte JSON body", 0.5,
                        [(label[p], pm[p]["userinfo"]) for p in peers])
        throughput_rows(t, "GET /api/v2/users/{id} requests/s", e["user"], lim["bare_user"],
                        f"bare hyper, same {e.get('user_bytes', '?')}-byte JSON body", None,
                        [(label[p], Unavailable("no such endpoint")) for p in peers])

        s = m["search"]
        for key, title, target_ms, pct in (("email", "search at 100k users, exact email", 1, 50),
                                           ("metadata", "search at 100k users, user_metadata term", 50, 99),
                                           ("wildcard", "search at 100k users, wildcard on name", None, None),
                                           ("by_email", "GET /api/v2/users-by-email at 100k users", None, None)):
            q, v = s[key]
            title = f"{title} (`{q}`)"
            if not ok(v):
                t.add(title, why(v))
                continue
            value = f"p50 {v.p50_ms.fmt(2, ' ms')}, p99 {v.p99_ms.fmt(2, ' ms')}"
            target, met = "", ""
            if target_ms is not None:
                measured = (v.p50_ms if pct == 50 else v.p99_ms).median
                target, met = f"p{pct} ≤ {target_ms} ms", verdict(measured <= target_ms)
            t.add(title, value, f"{v.samples:,} requests, one at a time", "", "", target, met)

        c = m["custom_db"]
        if all(ok(c[k]) for k in ("native", "script", "migrated")):
            native, script, migrated = c["native"], c["script"], c["migrated"]
            overhead = script.p50_ms.median - native.p50_ms.median
            t.add("custom database login, warm script round trip (trivial `login` script, Node.js worker)",
                  f"+{overhead:.2f} ms p50", "native login, one request at a time", native.p50_ms.fmt(2, " ms"),
                  f"{script.p50_ms.fmt(2, ' ms')} with the script", "≤ 2 ms", verdict(overhead <= 2))
            r = migrated.rate.median / native.rate.median
            t.add("custom database login, migrated user (import mode, no script)", migrated.rate.fmt(0, "/s"),
                  "native login, one request at a time", native.rate.fmt(0, "/s"), f"{r:.2f}×", "the same cost", verdict(r >= 0.9))
        else:
            t.add("custom database logins", "; ".join(why(c[k]) for k in ("native", "script", "migrated") if not ok(c[k])))

    # Memory and size
    if emb_rss:
        t.add("resident memory, idle (embedded tenant)", emb_rss.fmt(1, " MB"), "", "", "", "≤ 20 MB", verdict(emb_rss.median <= 20))
        for p in peers:
            v = m[f"start_{p}"]
            if ok(v):
                t.add("", "", f"{label[p]} idle", v[1].fmt(0, " MB"), f"{ratio_fmt(v[1].median / emb_rss.median)} less", "", "")
    if opts.only != "start" and m["throughput"]["emulator"].get("rss_after_load"):
        t.add("resident memory after the load runs above", f"{m['throughput']['emulator']['rss_after_load']:.1f} MB")
    v = m.get("start_100k")
    if ok(v):
        t.add("resident memory, 100,000 users (after start)", v[1].fmt(0, " MB"), "", "", "", "≤ 300 MB", verdict(v[1].median <= 300))
    size, how = m["binary"]
    t.add("binary size, stripped release", f"{size:.1f} MB", how, "", "", "≤ 15 MB", verdict(size <= 15))
    isize, ihow = m["image"]
    t.add("container image size", f"{isize:.1f} MB" if isize else "skipped", ihow, "", "", "≤ 20 MB", verdict(isize <= 20) if isize else "")

    parts = ["# auth0-emulator benchmark", "", *header_lines, "", t.markdown()]
    if notes:
        parts += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per load measurement (default 3)")
    parser.add_argument("--seconds", type=int, default=5, help="seconds per wrk run (default 5)")
    parser.add_argument("--start-runs", type=int, default=10, help="timed cold starts of the embedded tenant (default 10; fewer for the rest)")
    parser.add_argument("--only", choices=("all", "start"), default="all")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--wait-idle", type=int, default=120, metavar="S",
                        help="wait up to S seconds for the cores to be idle before measuring (default 120)")
    parser.add_argument("--quick", action="store_true", help="1 run of 2 s each, to results/quick.md")
    parser.add_argument("--out", help="where to write the Markdown (default results/latest.md; - for stdout only)")
    opts = parser.parse_args(argv)
    if opts.quick:
        opts.runs, opts.seconds, opts.start_runs = 1, 2, 3
    out_md = opts.out or os.path.join(RESULTS, "quick.md" if opts.quick else ("startup.md" if opts.only == "start" else "latest.md"))

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    began = time.monotonic()
    if opts.only != "start":
        ensure_wrk()
    notes = build(opts.no_build)
    peer_problems = install_peers()

    busy_before = wait_for_quiet(opts.wait_idle)
    load_before = os.getloadavg()[0]
    cpu = CpuAccount()
    bench = Bench(opts)
    m = {}
    work = tempfile.mkdtemp(prefix="auth0-emulator-bench-")
    state = prepared_state()
    try:
        seed10k, seed100k = os.path.join(work, "10k.json"), os.path.join(work, "100k.json")
        users_seed(seed10k, 10_000)
        users_seed(seed100k, 100_000)

        print("start-up ...", file=sys.stderr)
        n = opts.start_runs
        makers = {"embedded": lambda: emulator(state), "first": lambda: emulator(ephemeral=True),
                  "10k": lambda: emulator(state, [seed10k]), "100k": lambda: emulator(state, [seed100k])}
        runs = {"embedded": n, "first": max(3, n // 2), "10k": max(3, n // 2), "100k": max(3, n // 3)}
        for p, peer in PEERS.items():
            makers[p] = Unavailable(peer_problems[p]) if p in peer_problems else peer["make"]
            runs[p] = max(3, n // 2)
        for key, value in cold_starts(makers, runs).items():
            m[f"start_{key}"] = value
            bench.data[f"start_{key}"] = {"ms": value[0].values, "rss_mb": value[1].values} if ok(value) else {"unavailable": str(value)}

        if opts.only != "start":
            print("throughput, embedded tenant (emulator, limits and peers in turns) ...", file=sys.stderr)
            bench.peer_problems = peer_problems
            try:
                m["throughput"] = bench.throughput(state)
            except Unavailable as e:
                missing = {k: e for k in ("cc", "cc_tls", "login", "userinfo", "user")}
                m["throughput"] = {"emulator": missing, "limits": {k: e for k in ("rsa_cc", "rsa_login", "bare_userinfo", "bare_user")},
                                   "peers": {p: {k: e for k in ("cc", "login", "userinfo")} for p in PEERS}}
            print("search, 100,000 users ...", file=sys.stderr)
            try:
                m["search"] = bench.search(seed100k)
            except Unavailable as e:
                m["search"] = {k: ("", e) for k in ("email", "metadata", "wildcard", "by_email")}
            print("custom database logins ...", file=sys.stderr)
            try:
                m["custom_db"] = bench.custom_db(state)
            except Unavailable as e:
                m["custom_db"] = {k: e for k in ("native", "script", "migrated")}
    finally:
        stop_all()
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(state, ignore_errors=True)

    others = cpu.others_share()
    m["binary"] = stripped_size_mb()
    m["image"] = image_size()

    peer_versions = ", ".join(f"{PEERS[p]['package']} {peer_version(PEERS[p]['package']) or '(not installed)'}" for p in PEERS)
    main_aws, limits_aws = locked_version(os.path.join(ROOT, "Cargo.lock"), "aws-lc-rs"), locked_version(os.path.join(LIMITS, "Cargo.lock"), "aws-lc-rs")
    if main_aws != limits_aws:
        notes.append(f"aws-lc-rs differs: the emulator locks {main_aws}, bench/limits {limits_aws}; update the pin in bench/limits/Cargo.toml.")
    minutes = (time.monotonic() - began) / 60
    header = [
        f"Machine: {CPUS} cores, {cpu_model()}, {mem_total_gib():.0f} GiB memory, {platform.system()} {platform.release()}; "
        f"other work on the machine (neighbours' builds) took {busy_before:.0%} of the cores when measuring began and "
        f"{others:.0%} over the whole run; load average {load_before:.2f} at the start, {os.getloadavg()[0]:.2f} at the end "
        f"({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {minutes:.1f} min).",
        f"Emulator: {git_revision()}, release build; aws-lc-rs {main_aws} (limit helper: {limits_aws}). "
        f"Peers on Node {tool_version(['node', '--version'])}: {peer_versions}.",
        ("" if opts.only == "start" else
         f"Method: wrk {tool_version(['wrk', '-v'], r'wrk (?:debian/)?([0-9.]+)')} with {WRK_THREADS} threads and {WRK_CONNECTIONS} "
         f"connections (searches: 1 and 1) to 127.0.0.1, each comparison measured in turns: a 1 s warm-up, then {opts.runs} "
         f"run(s) of {opts.seconds} s each; the emulator and the peers share the {CPUS} cores with wrk, the raw RSA rate has them "
         "to itself. ")
        + f"Cold starts: {opts.start_runs} timed (embedded tenant), fewer for the slower ones, in turns after one discarded round. "
        "Values are medians with min–max in brackets; ratios are between medians of this run.",
    ]
    notes += [
        "Cold start is exec until the first 200 from GET /.well-known/openid-configuration, asked as soon as the process prints "
        "its ready line; the emulator starts with a state directory that already holds its CA and key, except the --ephemeral row.",
        "Token rates count one token response as one; the RSA ratio multiplies by the RS256 signatures in each response. "
        "Neither peer checks client secrets, and oauth2-mock-server answers /userinfo with a fixed body without reading the token.",
        "@simulacrum/auth0-simulator serves HTTPS only (so every request to it pays TLS record costs), and is run from its "
        "CommonJS build as its own bin does: its ES-module build cannot sign tokens on Node 20. oauth2-mock-server 9 needs "
        "Node 22, so 8.2, its newest line for Node 20, is measured.",
    ]
    report = build_report(opts, m, header, notes)
    print(report)
    if out_md != "-":
        os.makedirs(os.path.dirname(out_md), exist_ok=True)
        with open(out_md, "w") as f:
            f.write(report)
        with open(os.path.splitext(out_md)[0] + ".json", "w") as f:
            json.dump(bench.data, f, indent=1)
        print(f"written to {os.path.relpath(out_md, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    try:
        main()
    finally:
        stop_all()
