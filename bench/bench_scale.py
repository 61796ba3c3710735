"""Benchmark ``python -m analysis measure`` as a whole process: 1 against 2 workers, and memory as the corpus grows.

* Workers: ``measure --workers 1`` and ``--workers 2`` on the same corpus of
  about 1 M words (about 1,650 articles), alternately (``--repeats`` each, best
  wall time counts), with measure's default partition size (250 documents: 7
  partitions) and with the former default, ``--partition-size 2000`` (one
  partition); ratio = wall with 1 worker / wall with 2 (the issue's aim: at
  least 1.7).
* The same comparison, one run each, on the 3 M- and 10 M-word corpora below,
  where the fixed costs of a run (start-up, reading the lists, the final
  keyness) weigh less.
* Memory: ``measure --workers 2`` on corpora of about 1 M, 3 M and 10 M words:
  wall time, words per second and the peak resident memory of the whole process
  tree (the command and every worker it starts), sampled every 0.1 s, with the
  default partition size; ratio = peak at 10 M / peak at 1 M (aim: at most
  1.5). The 1 M point is the 2-worker default run of the workers comparison.
* Disk: the size of the study folder (tables, cached partitions, manifest) per
  million words, at 10 M words.

The corpora are made by ``bench/make_corpus.py`` (cached under ``build/bench/``;
10 M words take a few seconds to write) and read as JSONL. The tree's memory is
sampled with psutil when it is installed, else from ``/proc/PID/status``
(VmRSS) and ``/proc/PID/task/*/children``; the table says which. Sampling can
miss a spike shorter than 0.1 s.

Results: ``bench/results/comparisons.csv`` (the ratios; earlier ``measure:``
rows this run no longer measures are removed) and ``bench/results/scale.csv``
(one row per run, replaced whole).

Usage: .venv/bin/python bench/bench_scale.py [--quick] [--repeats 1] [--calm-load 1.0 --max-wait 60]
(``--quick``: only the 1 M corpus, one run per worker count: a smoke run; ``--calm-load``: wait before each
run until the machine's load average is below that, for at most ``--max-wait`` seconds.)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_DIR))

from analysis.measure import DEFAULT_PARTITION_SIZE  # noqa: E402
from bench.make_corpus import cached_corpus  # noqa: E402
from bench.results_table import (  # noqa: E402
    COMPARISON_COLUMNS,
    COMPARISONS,
    RESULTS_DIR,
    comparison_row,
    print_rows,
    update_table,
)

SIZES = (1_000_000, 3_000_000, 10_000_000)
WORKERS = (1, 2)
SAMPLE_SECONDS = 0.1
SCALE = RESULTS_DIR / "scale.csv"
SCALE_COLUMNS = ["corpus_words", "workers", "partition_size", "wall_seconds", "words_per_second", "peak_rss_mb",
                 "memory_sampler", "load_before"]
# measure's default partition size (250 documents) cuts a 1 M-word corpus (about 1,650 articles) into 7
# partitions; the former default, 2,000 documents, leaves it in one, which one worker measures while the other waits.
PARTITION_SIZES = (None, 2000)


def measure_command(corpus: Path, study: Path, workers: int, partition_size: int | None = None) -> list[str]:
    """Return the command line that measures ``corpus`` into the new folder ``study`` with ``workers`` workers
    (and ``partition_size`` documents per partition, when given)."""
    command = [sys.executable, "-m", "analysis", "measure", "--corpus", str(corpus), "--out", str(study),
               "--workers", str(workers), "--quiet"]
    return command + ([] if partition_size is None else ["--partition-size", str(partition_size)])


def sampler_name() -> str:
    """Return how the process tree's memory is read: ``psutil`` when installed, else ``/proc``."""
    try:
        import psutil  # noqa: F401
    except ImportError:
        return "/proc"
    return "psutil"


def tree_rss_bytes(pid: int) -> int:
    """Return the resident memory of process ``pid`` and all its descendants now, in bytes (0 once it is gone)."""
    if sampler_name() == "psutil":
        import psutil

        try:
            root = psutil.Process(pid)
            processes = [root] + root.children(recursive=True)
        except psutil.Error:
            return 0
        total = 0
        for process in processes:
            try:
                total += process.memory_info().rss
            except psutil.Error:  # ended between listing and reading
                pass
        return total
    return sum(_proc_rss_bytes(one) for one in _proc_tree(pid))


def _proc_tree(pid: int) -> list[int]:
    """Return ``pid`` and its descendants, read from /proc."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                pending += [int(child) for child in children.read_text().split()]
            except OSError:
                pass
    return found


def _proc_rss_bytes(pid: int) -> int:
    """Return VmRSS of ``pid`` from /proc in bytes (0 when it has ended)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def folder_bytes(folder: Path) -> int:
    """Return the total size of the files under ``folder``, in bytes."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def run_sampled(command: list[str]) -> tuple[float, float, float]:
    """Run ``command`` to its end; return its wall time in seconds, the peak resident memory of its process
    tree in MB, sampled every SAMPLE_SECONDS, and the 1-minute load average before it started.
    A failing command raises CalledProcessError."""
    load = os.getloadavg()[0]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT_DIR)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss_bytes(process.pid))
        time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command)
    return seconds, peak / 2**20, load


def wait_for_calm(load: float, max_seconds: float) -> None:
    """Wait until the machine's 1-minute load average is below ``load``, for at most ``max_seconds``."""
    deadline = time.monotonic() + max_seconds
    while os.getloadavg()[0] >= load and time.monotonic() < deadline:
        time.sleep(2)


def corpus_words(path: Path) -> int:
    """Return the number of words of the corpus at ``path`` as the package counts them (after cleaning)."""
    from analysis import read_corpus

    return int(read_corpus(path).sentences["n_words"].sum())


def scale_row(n_words: int, workers: int, seconds: float, peak_mb: float, sampler: str, load: float,
              partition_size: int | None = None) -> dict:
    """Return one row of the scale table; ``load`` is the machine's 1-minute load average before the run
    (other work on the machine slows a run and hides the gain of a second worker)."""
    return {"corpus_words": n_words, "workers": workers,
            "partition_size": DEFAULT_PARTITION_SIZE if partition_size is None else partition_size,
            "wall_seconds": round(seconds, 2),
            "words_per_second": round(n_words / seconds), "peak_rss_mb": round(peak_mb, 1), "memory_sampler": sampler,
            "load_before": round(load, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the 1 M-word corpus, one run each (a smoke run)")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each worker count on 1 M words (default 1)")
    parser.add_argument("--calm-load", type=float, default=None, metavar="LOAD",
                        help="before each run, wait until the 1-minute load average is below LOAD "
                             "(other work on the machine hides the gain of a second worker) …")
    parser.add_argument("--max-wait", type=float, default=60.0, metavar="SECONDS",
                        help="… for at most SECONDS (default 60); the table records the load either way")
    args = parser.parse_args()
    sizes = SIZES[:1] if args.quick else SIZES
    repeats = 1 if args.quick else args.repeats
    sampler = sampler_name()
    paths = {size: cached_corpus("corpus", size) for size in sizes}
    words = {size: corpus_words(path) for size, path in paths.items()}
    runs: dict[tuple[int, int, int | None], list[tuple[float, float, float]]] = {}
    study_bytes: dict[int, int] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as folder:
        def run(size: int, workers: int, partition_size: int | None) -> None:
            key = (size, workers, partition_size)
            study = Path(folder) / f"study-{size}-{workers}-{partition_size}-{len(runs.get(key, []))}"
            if args.calm_load is not None:
                wait_for_calm(args.calm_load, args.max_wait)
            seconds, peak, load = run_sampled(measure_command(paths[size], study, workers, partition_size))
            runs.setdefault(key, []).append((seconds, peak, load))
            study_bytes[size] = folder_bytes(study)
            print(f"measure, {words[size]:,} words, {workers} worker(s), partition size "
                  f"{partition_size or 'default'}: {seconds:.2f} s, {words[size] / seconds:,.0f} words/s, "
                  f"peak {peak:,.0f} MB ({sampler}), study folder {study_bytes[size] / 2**20:,.1f} MB, "
                  f"load average before {load:.2f} on {os.cpu_count()} cores", flush=True)

        for _ in range(repeats):
            for partition_size in PARTITION_SIZES:
                for workers in WORKERS:
                    run(SIZES[0], workers, partition_size)
        for size in sizes[1:]:
            for workers in WORKERS:
                run(size, workers, None)

    best = {key: min(values) for key, values in runs.items()}  # the fastest run, with its own peak and load
    scale_rows = [scale_row(words[size], workers, seconds, peak, sampler, load, partition_size)
                  for (size, workers, partition_size), (seconds, peak, load) in best.items()]
    small = SIZES[0]
    comparisons = []
    for partition_size in PARTITION_SIZES:
        one, two = best[small, 1, partition_size][0], best[small, 2, partition_size][0]
        documents = sum(1 for _ in open(paths[small], encoding="utf-8"))
        n_partitions = -(-documents // (partition_size or DEFAULT_PARTITION_SIZE))
        partitions = f"{n_partitions} partition{'s' if n_partitions != 1 else ''}"
        comparisons.append(comparison_row(
            f"measure: 2 workers vs 1, partition size {partition_size or f'{DEFAULT_PARTITION_SIZE} (default)'} "
            f"({partitions})",
            words[small], "wall s, whole process (best run), 2 workers vs 1; ratio 1 worker/2 workers",
            round(two, 2), round(one, 2), round(one / two, 2), ">= 1.7"))
    for size in sizes[1:]:  # fixed costs (start-up, reading the lists, the final keyness) weigh less here
        one, two = best[size, 1, None][0], best[size, 2, None][0]
        comparisons.append(comparison_row(
            f"measure: 2 workers vs 1 at {words[size] / 1e6:.0f} M words, partition size "
            f"{DEFAULT_PARTITION_SIZE} (default)",
            words[size], "wall s, whole process, 2 workers vs 1; ratio 1 worker/2 workers",
            round(two, 2), round(one, 2), round(one / two, 2), ">= 1.7"))
    if not args.quick:
        large = SIZES[-1]
        comparisons.append(comparison_row(
            "measure: peak memory at 10 M vs 1 M words (2 workers)", words[large],
            f"peak RSS MB of the process tree ({sampler}), 10 M vs 1 M; ratio 10 M/1 M",
            round(best[large, 2, None][1], 1), round(best[small, 2, None][1], 1),
            round(best[large, 2, None][1] / best[small, 2, None][1], 2), "<= 1.5"))
        megabytes = study_bytes[large] / 2**20
        comparisons.append(comparison_row(
            "measure: study folder on disk at 10 M words (tables and cached partitions)", words[large],
            "MB of the study folder; baseline: millions of words; ratio MB per million words",
            round(megabytes, 1), round(words[large] / 1e6, 2), round(megabytes / (words[large] / 1e6), 1), ""))
    if not args.quick:  # a smoke run does not overwrite the full run's tables
        update_table(SCALE, scale_rows, SCALE_COLUMNS, key=["corpus_words", "workers", "partition_size"],
                     drop=lambda row: True)
        update_table(COMPARISONS, comparisons, COMPARISON_COLUMNS, key=["comparison", "metric"],
                     drop=lambda row: row["comparison"].startswith("measure:"))
    print_rows(scale_rows, SCALE_COLUMNS)
    print_rows(comparisons, COMPARISON_COLUMNS)
    if not args.quick:
        print(f"written to {SCALE.relative_to(PROJECT_DIR)} and {COMPARISONS.relative_to(PROJECT_DIR)}")


if __name__ == "__main__":
    main()
