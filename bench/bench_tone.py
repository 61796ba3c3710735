"""Benchmark the tone step against a bare loop of vaderSentiment over the same sentences, in one run.

The tone step is :func:`analysis.tone.sentence_tone`: from the corpus's sentence
table to the sentence-tone table (scores, labels and the sentence columns). The
bare loop is ``[analyzer.polarity_scores(text) for text in texts]``. Both run on
the same sentences of a synthetic corpus of about 300,000 words (made with
``bench/make_corpus.py`` under ``build/bench/`` if missing), three times each,
alternating; the best time of each counts. The figure that matters is the ratio
(aim: at most 1.25).

Usage: .venv/bin/python bench/bench_tone.py [--words 300000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa: E402

from analysis import read_corpus, tone  # noqa: E402
from analysis.paths import BUILD_DIR  # noqa: E402
from bench.make_corpus import cached_corpus  # noqa: E402

REPEATS = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=300_000, help="corpus size in words (default 300,000)")
    args = parser.parse_args()
    path = cached_corpus("tone", args.words)
    corpus = read_corpus(path)
    sentences = corpus.sentences  # built once, outside the timings: both sides start from it
    texts = sentences["text"].tolist()
    bare_analyzer = SentimentIntensityAnalyzer()
    tone.analyzer()  # load the package's analyser before timing, as the bare loop's is

    bare_times, step_times = [], []
    for _ in range(REPEATS):
        start = time.perf_counter()
        scores = [bare_analyzer.polarity_scores(text) for text in texts]
        bare_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        table = tone.sentence_tone(corpus, mask_names=False)  # the same text as the bare loop (seeds: no curly quotes)
        step_times.append(time.perf_counter() - start)
    assert [score["compound"] for score in scores] == table["compound"].tolist()
    start = time.perf_counter()
    tone.sentence_tone(corpus)
    masked_time = time.perf_counter() - start

    tracemalloc.start()
    tone.sentence_tone(corpus)
    _, step_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    start = time.perf_counter()
    tone.outlet_voice_tone(table)
    tone.outlet_differences(table)
    aggregate_time = time.perf_counter() - start

    bare, step = min(bare_times), min(step_times)
    n_words = int(sentences["n_words"].sum())
    print(f"corpus: {path.relative_to(BUILD_DIR.parent)}, {len(corpus.documents)} articles, {n_words} words, "
          f"{len(texts)} sentences")
    print(f"bare vaderSentiment loop: {bare:.3f} s, {len(texts) / bare:,.0f} sentences/s (best of {REPEATS})")
    print(f"tone step (sentence_tone): {step:.3f} s, {len(texts) / step:,.0f} sentences/s (best of {REPEATS})")
    print(f"ratio tone step / bare loop: {step / bare:.3f} (aim: <= 1.25)")
    print(f"tone step, first run (the language check's word counts not yet remembered): {step_times[0]:.3f} s, "
          f"ratio {step_times[0] / bare:.3f}")
    print(f"tone step with names and titles masked (the default): {masked_time:.3f} s")
    print(f"peak memory of the tone step (tracemalloc): {step_peak / 2**20:.1f} MiB")
    print(f"peak resident memory of the whole run: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(f"aggregates (outlet x voice intervals, outlet permutation tests, 9,999 resamples): {aggregate_time:.2f} s")


if __name__ == "__main__":
    main()
