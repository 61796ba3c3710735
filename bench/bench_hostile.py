"""Benchmark every command on one huge article: time and peak memory (issue 10; too slow for the tests).

Each case is a JSONL corpus of two documents: one article whose body is a single
paragraph of ``SIZE`` megabytes, and one short article (so that outlets can be
compared). Two kinds of body:

* ``news``: sentences of the seed articles and the NYT editorial snippets, in a
  fixed shuffled order, joined by spaces (no line break);
* ``unpunctuated``: the same words without any punctuation, which the segmenter
  cannot split (the text model cuts such a "sentence" at 5,000 characters).

Each command runs in a fresh process (``python -m analysis COMMAND --corpus …``,
output to /dev/null); the table gives its wall-clock seconds and peak resident
memory. Work should grow linearly with the size, and the peak stay under 1 GB
(the target of issue 10); the script exits 1 when a command fails or passes the
limit.

Usage: .venv/bin/python bench/bench_hostile.py [--sizes 10 50] [--kinds news unpunctuated] [--commands tone ...]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import read_corpus  # noqa: E402
from analysis.paths import BUILD_DIR, PROJECT_ROOT  # noqa: E402
from bench.make_corpus import nyt_sentences  # noqa: E402

COMMANDS = ("corpus", "sentences", "vocab", "terms", "tone", "sources")
LIMIT_MB = 1024
MEGABYTE = 1_000_000

# Runs one command in this process and reports its peak memory on standard error.
RUNNER = """
import resource, sys
from analysis.cli import main
status = main(sys.argv[1:])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(f"peak-mb {peak}", file=sys.stderr)
sys.exit(status)
"""


def sentence_pool(seed: int = 2023) -> list[str]:
    """Return the sentences a body is made of: the seed articles' and the NYT snippets', shuffled."""
    seeds = read_corpus()
    pool = seeds.sentences["text"].tolist() + nyt_sentences()
    random.Random(seed).shuffle(pool)
    return pool


def body_text(kind: str, n_chars: int, pool: list[str]) -> str:
    """Return one paragraph of ``n_chars`` characters of the given kind."""
    parts, total, index = [], 0, 0
    while total < n_chars:
        sentence = pool[index % len(pool)]
        if kind == "unpunctuated":
            sentence = re.sub(r"[^\w\s]", "", sentence)
        parts.append(sentence)
        total += len(sentence) + 1
        index += 1
    return " ".join(parts)[:n_chars]


def corpus_file(kind: str, size_mb: float, pool: list[str]) -> Path:
    """Return the JSONL corpus for one case, writing it under build/bench/ when missing."""
    path = BUILD_DIR / "bench" / f"hostile-{kind}-{size_mb:g}mb.jsonl"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        records = [
            {"doc_id": "huge", "outlet": "Huge", "title": "One huge article",
             "text": "One huge article\n" + body_text(kind, int(size_mb * MEGABYTE), pool)},
            {"doc_id": "short", "outlet": "Short", "title": "A short article",
             "text": "A short article\nThe talks went well, officials said."},
        ]
        path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records),
                        encoding="utf-8")
    return path


def run_command(command: str, path: Path) -> tuple[float, int | None, int]:
    """Return (seconds, peak MB or None when unknown, exit status) of one command in a fresh process."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, command, "--corpus", str(path), "--format", "csv"],
        cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    seconds = time.perf_counter() - start
    peaks = re.findall(r"^peak-mb (\d+)$", result.stderr, flags=re.MULTILINE)
    if result.returncode != 0:
        last = result.stderr.strip().splitlines()[-1:] or [""]
        print(f"   {command} failed ({result.returncode}): {last[0]}", file=sys.stderr)
    return seconds, int(peaks[-1]) if peaks else None, result.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[10, 50], help="body sizes in MB (default 10 50)")
    parser.add_argument("--kinds", nargs="+", choices=("news", "unpunctuated"), default=["news", "unpunctuated"])
    parser.add_argument("--commands", nargs="+", choices=COMMANDS, default=list(COMMANDS))
    args = parser.parse_args()
    pool = sentence_pool()
    failed = False
    print(f"{'command':<10} {'kind':<13} {'size MB':>7} {'seconds':>8} {'peak MB':>8}")
    for kind in args.kinds:
        for size in args.sizes:
            path = corpus_file(kind, size, pool)
            for command in args.commands:
                seconds, peak, status = run_command(command, path)
                over = peak is not None and peak > LIMIT_MB
                failed = failed or status != 0 or over
                note = " failed" if status != 0 else (f" over {LIMIT_MB} MB" if over else "")
                print(f"{command:<10} {kind:<13} {size:>7g} {seconds:>8.1f} {peak if peak else '?':>8}{note}",
                      flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
