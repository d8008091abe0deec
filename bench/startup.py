#!/usr/bin/env python3
"""Start-up benchmark: now the start-up section of bench/run.py, kept under its old name.

Times exec to the first successful discovery request (after the ready line) and reads resident
memory, for the embedded tenant (keys already in the state directory), a first start ever
(--ephemeral), 10,000 and 100,000 seeded users, and the two npm peers the same way; prints the
Markdown table and writes it to bench/results/startup.md. `python3 bench/run.py` runs everything.

Usage: python3 bench/startup.py [--runs N]   (N timed starts of the embedded tenant, default 15)
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (bench/run.py)

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    opts = parser.parse_args()
    try:
        run.main(["--only", "start", "--start-runs", str(opts.runs)])
    finally:
        run.stop_all()
