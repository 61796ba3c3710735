"""The fuzz table: every hostile input of tests/fuzz_cases.py, slow ones included, each in a fresh process.

Prints one row per family of faults (inputs tried, clear errors, successes, tracebacks,
hangs, losses) and then every case whose outcome was not the expected one. Exit
status 1 when any case gives a traceback, a hang or a loss.

    .venv/bin/python bench/bench_fuzz.py [--timeout SECONDS] [--only TEXT]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fuzz_cases import all_cases, expected, run_in_subprocess  # noqa: E402

KINDS = ("error", "ok", "traceback", "hang", "loss")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=300, help="seconds before a case counts as a hang")
    parser.add_argument("--only", default="", help="run only cases whose name contains this text")
    args = parser.parse_args()
    cases = [case for case in all_cases() if args.only in case.name]
    by_fault: dict[str, Counter] = defaultdict(Counter)
    unexpected = []
    for case in cases:
        with tempfile.TemporaryDirectory(prefix="fuzz-") as scratch:
            outcome = run_in_subprocess(case, Path(scratch), args.timeout)
        by_fault[case.fault][outcome.kind] += 1
        by_fault[case.fault]["tried"] += 1
        if not expected(case, outcome.kind, outcome.stderr):
            first_line = (outcome.stderr.strip().splitlines() or [""])[-1][:120]
            unexpected.append((case.name, case.expect, outcome.kind, f"{outcome.seconds:.1f}", first_line))
    header = ("fault", "tried", *KINDS)
    rows = [(fault, counts["tried"], *(counts[kind] for kind in KINDS)) for fault, counts in sorted(by_fault.items())]
    totals = ("all", *(sum(row[index] for row in rows) for index in range(1, len(header))))
    widths = [max(len(str(row[index])) for row in [header, *rows, totals]) for index in range(len(header))]
    for row in [header, *rows, totals]:
        print("  ".join(str(value).ljust(width) if index == 0 else str(value).rjust(width)
                        for index, (value, width) in enumerate(zip(row, widths))))
    if unexpected:
        print("\nnot as expected (case, expected, got, seconds, last stderr line):")
        for row in unexpected:
            print("  " + " | ".join(row))
    failures = sum(totals[header.index(kind)] for kind in ("traceback", "hang", "loss"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
