"""Benchmark: words per second of the vocabulary step on a multi-million-word corpus, and peak memory.

The corpus is built by bench/make_corpus.py from the NYT editorial sentences and
the seed articles (3 outlets, 20 events); see that file for how. The vocabulary
step is term_matrix (terms from the text model) plus keyness of every outlet
against the rest; reading and cleaning the corpus is timed separately.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_corpus import build_records  # noqa: E402

from analysis import read_corpus, vocabulary  # noqa: E402
from analysis.paths import BUILD_DIR  # noqa: E402

WORDS = 3_000_000


def corpus_file(n_words: int = WORDS) -> Path:
    """Return the benchmark corpus (JSONL), building it on first use."""
    path = BUILD_DIR / "bench" / f"corpus-{n_words}.jsonl"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            for record in build_records(n_words):
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def peak_memory_mb() -> float:
    """Return the process's peak resident memory so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    path = corpus_file()
    start = time.perf_counter()
    corpus = read_corpus(path)
    sentences = corpus.sentences
    read_seconds = time.perf_counter() - start
    n_words = int(sentences["n_words"].sum())
    print(f"corpus: {path.name}: {len(corpus.documents):,} articles, {len(sentences):,} sentences, "
          f"{n_words:,} words, {len(corpus.outlets)} outlets")
    print(f"read, clean and split sentences: {read_seconds:.1f} s ({n_words / read_seconds:,.0f} words/s)")
    for ngram in (1, 2):
        options = vocabulary.default_options(ngram=ngram)
        start = time.perf_counter()
        matrix = vocabulary.term_matrix(corpus, options)
        table = vocabulary.keyness(corpus, options=options, matrix=matrix)
        seconds = time.perf_counter() - start
        print(f"vocabulary step, terms of 1-{ngram} words: {seconds:.1f} s, {n_words / seconds:,.0f} words/s, "
              f"{len(matrix.terms):,} terms, {len(table):,} keyness rows")
    print(f"peak memory (whole process): {peak_memory_mb():,.0f} MB")


if __name__ == "__main__":
    main()
