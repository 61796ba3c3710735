"""Benchmark the sources step: words per second of :func:`analysis.sources.attributions` on one core.

The corpus is the synthetic news corpus of ``bench/make_corpus.py`` (about 300,000 words by default,
written under ``build/bench/`` if missing), read once; the attribution step alone is timed, three
times, and the best time counts. The aim is at least 100,000 words per second.

Usage: .venv/bin/python bench/bench_sources.py [--words 300000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import read_corpus  # noqa: E402
from analysis.lists import source_rules  # noqa: E402
from analysis.sources import attributions  # noqa: E402
from bench.make_corpus import cached_corpus  # noqa: E402

REPEATS = 3
AIM_WORDS_PER_SECOND = 100_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=300_000)
    args = parser.parse_args()
    corpus = read_corpus(cached_corpus("sources", args.words))
    rules = source_rules(None)
    n_words = int(corpus.sentences["n_words"].sum())
    best, found = float("inf"), None
    for _ in range(REPEATS):
        started = time.perf_counter()
        found = attributions(corpus, rules)
        best = min(best, time.perf_counter() - started)
    speed = n_words / best
    print(f"sources: {n_words:,} words, {len(found):,} attributions, best of {REPEATS}: {best:.2f} s = "
          f"{speed:,.0f} words/s (aim: at least {AIM_WORDS_PER_SECOND:,})")
    return 0 if speed >= AIM_WORDS_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main())
