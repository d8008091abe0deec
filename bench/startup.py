#!/usr/bin/env python3
"""Start-up benchmark: time from exec to the ready line, and resident memory once ready.

Measures the release binary (built first) in four situations and prints a Markdown table:
  - embedded tenant, keys already in the state directory (the common restart);
  - first start ever (CA and RSA key generated);
  - 10,000 and 100,000 seeded users with plain passwords and metadata.
Each is run several times; the table shows the median and the min-max range.

Usage: python3 bench/startup.py [--runs N]
"""
import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "auth0-emulator")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def start_once(args):
    t0 = time.perf_counter()
    proc = subprocess.Popen([BIN, "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in proc.stdout:
            if line.startswith("auth0-emulator ready "):
                elapsed = (time.perf_counter() - t0) * 1000
                return elapsed, rss_kib(proc.pid)
        raise SystemExit(f"emulator exited without a ready line: {args}")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)


def users_seed(path, n):
    with open(path, "w") as f:
        json.dump([{"email": f"user{i}@example.com", "password": "Passw0rd!", "given_name": f"User{i}",
                    "user_metadata": {"hobby": "surfing", "n": str(i)}, "app_metadata": {"plan": "free"}}
                   for i in range(n)], f)


def measure(label, runs, args, fresh_state=False):
    times, rss = [], []
    for _ in range(runs):
        state = tempfile.mkdtemp()
        try:
            if not fresh_state:
                subprocess.run([BIN, "ca", "--state-dir", state], check=True, stdout=subprocess.DEVNULL)
                subprocess.run([BIN, "token", "--state-dir", state], check=True, stdout=subprocess.DEVNULL)
            ms, kib = start_once(["--state-dir", state, *args])
        finally:
            shutil.rmtree(state, ignore_errors=True)
        times.append(ms)
        rss.append(kib / 1024)
    return (label, statistics.median(times), min(times), max(times), statistics.median(rss))


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    opts = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "auth0-emulator"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp()
    try:
        seed10k, seed100k = os.path.join(work, "10k.json"), os.path.join(work, "100k.json")
        users_seed(seed10k, 10_000)
        users_seed(seed100k, 100_000)
        rows = [
            measure("embedded tenant, existing keys", opts.runs, []),
            measure("first start (generates CA + RSA key)", opts.runs, [], fresh_state=True),
            measure("10,000 seeded users", max(3, opts.runs // 3), ["--seed", seed10k]),
            measure("100,000 seeded users", max(3, opts.runs // 5), ["--seed", seed100k]),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"machine: {os.cpu_count()} cores, {cpu_model()}; binary {os.path.getsize(BIN) / 1e6:.1f} MB\n")
    print("| start-up | median ms | min-max ms | RSS MiB |")
    print("|---|---:|---:|---:|")
    for label, med, lo, hi, rss in rows:
        print(f"| {label} | {med:.1f} | {lo:.1f}-{hi:.1f} | {rss:.1f} |")


if __name__ == "__main__":
    main()
