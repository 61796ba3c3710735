"""Benchmark the sources step: words per second of :func:`analysis.sources.attributions` on one core.

The corpus is the synthetic news corpus of ``bench/make_corpus.py`` (about 300,000 words by default,
written under ``build/bench/`` if missing), read once; the attribution step alone is timed, three
times, and the best time counts; the first run, with the process's caches still empty, is shown too.
It runs as the CLI does without a category list (the package's speech verbs, no categories), which
is what the aim of at least 150,000 words per second is about, and then once more with the package's
category lists (``analysis/data/sources.yaml``), where every speaker is also looked up in the lists.

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
from analysis.sources import attributions, read_source_rules  # noqa: E402
from bench.make_corpus import cached_corpus  # noqa: E402

REPEATS = 3
AIM_WORDS_PER_SECOND = 150_000


def timed(corpus, rules) -> tuple[float, float, int]:
    """Return the first and the best time in seconds of ``REPEATS`` runs, and the number of attributions."""
    times, found = [], None
    for _ in range(REPEATS):
        started = time.perf_counter()
        found = attributions(corpus, rules)
        times.append(time.perf_counter() - started)
    return times[0], min(times), len(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=300_000)
    args = parser.parse_args()
    corpus = read_corpus(cached_corpus("sources", args.words))
    n_words = int(corpus.sentences["n_words"].sum())
    speeds = {}
    for label, rules in (("no category lists", source_rules(None)), ("with category lists", read_source_rules())):
        first, best, n_found = timed(corpus, rules)
        speeds[label] = n_words / best
        print(f"sources ({label}): {n_words:,} words, {n_found:,} attributions, first run {first:.2f} s, "
              f"best of {REPEATS}: {best:.2f} s = {n_words / best:,.0f} words/s")
    speed = speeds["no category lists"]
    print(f"aim: at least {AIM_WORDS_PER_SECOND:,} words/s without category lists: "
          f"{speed / AIM_WORDS_PER_SECOND:.2f} × the aim")
    return 0 if speed >= AIM_WORDS_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main())
