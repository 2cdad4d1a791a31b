#!/usr/bin/env python3
"""Load on `guidebook serve` while an author edits: a bench, not a test (it prints figures).

64 connections for 60 s on a page, then 64 for 60 s on /api/search, with wrk, while a guideline's
body is rewritten every 200 ms (each write a rebuild). Prints requests, errors, p50/p99 latency,
and the server's resident memory at idle and at its peak.

    python3 benches/serve_load.py [--book DIR] [--seconds 60] [--connections 64]

Needs wrk (Debian: apt-get install wrk) and a release build (`cargo build --release`).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(REPO, "target", "release", "guidebook")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def start_server(book):
    server = subprocess.Popen(
        [BINARY, "--root", book, "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in server.stderr:
        match = re.search(r"http://([0-9.]+:[0-9]+)/", line)
        if match:
            threading.Thread(target=lambda: [None for _ in server.stderr], daemon=True).start()
            return server, match.group(1)
    sys.exit("serve did not start")


def edit_forever(path, stop, counter):
    original = open(path).read()
    n = 0
    while not stop.is_set():
        n += 1
        with open(path, "w") as file:
            file.write(original + f"\n\nEdited under load, round {n}.\n")
        counter[0] = n
        stop.wait(0.2)
    with open(path, "w") as file:
        file.write(original)


def sample_rss(pid, stop, peak):
    while not stop.is_set():
        try:
            peak[0] = max(peak[0], rss_mib(pid))
        except OSError:
            return
        stop.wait(0.25)


def wrk(url, seconds, connections):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non2xx.group(1)) if non2xx else 0
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    return requests, errors, percentiles.get("50", "?"), percentiles.get("99", "?")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--book", default=REPO, help="book root (default: the shipped content)")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    if not os.path.exists(BINARY):
        sys.exit("build first: cargo build --release")
    with tempfile.TemporaryDirectory() as tmp:
        book = os.path.join(tmp, "book")
        shutil.copytree(args.book, book, ignore=shutil.ignore_patterns("target", ".git", "book", ".guidebook"))
        edited = os.path.join(book, "content", "guidelines")
        edited = sorted(
            os.path.join(d, f) for d, _, fs in os.walk(edited) for f in fs if f.endswith(".md") and f != "_domain.md"
        )[0]
        server, address = start_server(book)
        time.sleep(1.0)
        idle = rss_mib(server.pid)
        print(f"serving {args.book} at {address}; idle RSS {idle:.0f} MiB; editing {os.path.relpath(edited, book)} every 200 ms")
        page = f"http://{address}/guidelines/{os.path.basename(edited)[:-3].lower()}.html"
        search = f"http://{address}/api/search?q=supply+chain+model"
        for name, url in [("page", page), ("/api/search", search)]:
            stop, peak, rounds = threading.Event(), [idle], [0]
            threads = [
                threading.Thread(target=edit_forever, args=(edited, stop, rounds)),
                threading.Thread(target=sample_rss, args=(server.pid, stop, peak)),
            ]
            for thread in threads:
                thread.start()
            requests, errors, p50, p99 = wrk(url, args.seconds, args.connections)
            stop.set()
            for thread in threads:
                thread.join()
            print(
                f"{name:12} {args.connections} connections, {args.seconds} s, {rounds[0]} edits: "
                f"{requests} requests, {errors} errors, p50 {p50}, p99 {p99}, "
                f"peak RSS {peak[0]:.0f} MiB ({peak[0] - idle:+.0f} MiB over idle)"
            )
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
