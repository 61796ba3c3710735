"""How much sooner two processes finish a fixed pure-Python task than one process doing it twice, on this machine.

This is the ceiling for any "2 workers vs 1" ratio here (``bench_scale.py``): it
says what the machine gives two busy processes, with no data to share and no
driver beside them. A virtual machine's two cores may share one physical core,
or other tenants, and then the ratio is well under 2.

The task: count the characters of the decimal forms of six million numbers into
a dict, which is ordinary interpreter work. Each way is timed ``--repeats``
times, alternately; the best time of each counts. The row goes to
``bench/results/comparisons.csv``.

Usage: .venv/bin/python bench/bench_machine.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

from bench.results_table import (  # noqa: E402
    COMPARISON_COLUMNS,
    COMPARISONS,
    comparison_row,
    print_rows,
    update_table,
)

NUMBERS = 6_000_000
COMPARISON = "machine: the same pure-Python task in 2 processes at once vs twice in 1"


def task(_: int = 0) -> int:
    """Return the total of the characters of 0 … NUMBERS − 1 written in decimal, counted into a dict."""
    lengths: dict[int, int] = {}
    for number in range(NUMBERS):
        key = number % 1000
        lengths[key] = lengths.get(key, 0) + len(str(number))
    return sum(lengths.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timings of each way (default 5); the best counts")
    args = parser.parse_args()
    one_process, two_processes = [], []
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(task, [0, 0])  # both processes started and warm before anything is timed
        for _ in range(args.repeats):
            start = time.perf_counter()
            task()
            task()
            one_process.append(time.perf_counter() - start)
            start = time.perf_counter()
            pool.map(task, [0, 1], chunksize=1)
            two_processes.append(time.perf_counter() - start)
    serial, parallel = min(one_process), min(two_processes)
    row = comparison_row(COMPARISON, 0, "wall s, best of the repeats; ratio twice in 1 process / 2 processes at once",
                         round(parallel, 3), round(serial, 3), round(serial / parallel, 2), "")
    update_table(COMPARISONS, [row], COMPARISON_COLUMNS, key=["comparison", "metric"])
    print_rows([row], COMPARISON_COLUMNS)
    print(f"each way {args.repeats} times: twice in 1 process {', '.join(f'{t:.2f}' for t in one_process)} s; "
          f"2 processes at once {', '.join(f'{t:.2f}' for t in two_processes)} s")


if __name__ == "__main__":
    main()
