"""Benchmark: counting a 100-term codebook over corpora of 0.5, 1, 2 and 4 million words.

Each size runs in its own process, so that its peak memory (``ru_maxrss``) is its
own. Reading the corpus (cleaning, sentences) is timed apart from counting, which
is what this step adds. Prints plain lines; not part of the tests.

Usage: .venv/bin/python bench/bench_framing.py [--sizes 500000 1000000 ...]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
sys.path.insert(0, str(PROJECT_ROOT / "bench"))

BENCH_DIR = PROJECT_ROOT / "build" / "bench"
SIZES = (500_000, 1_000_000, 2_000_000, 4_000_000)
N_TERMS = 100
# Phrases common in the NYT editorial sentences the synthetic corpus is made of, to bring the study's
# codebook up to 100 terms (their frame is "bench"; "…" gaps included on purpose).
EXTRA_TERMS = [
    "the President", "Congress", "the Senate", "the House", "tax", "budget", "deficit", "the Administration",
    "Supreme Court", "election", "voters", "school", "health care", "the city", "New York", "the state",
    "the Government", "public", "money", "law", "war", "peace", "Soviet Union", "nuclear … arms",
    "human rights", "the economy", "jobs", "interest rates", "inflation", "Democrats", "Republicans",
    "the police", "crime", "housing", "welfare", "the poor", "Mr. Reagan", "Mr. Carter", "the mayor",
    "the Governor", "Medicare", "Social Security", "the public", "foreign policy", "trade", "oil",
    "energy", "environment", "pollution", "drugs", "arms control", "the courts", "justice", "freedom",
]


def corpus_path(n_words: int) -> Path:
    """Return the synthetic corpus of about ``n_words`` words, building it if missing."""
    from make_corpus import build_records

    path = BENCH_DIR / f"framing-{n_words}.jsonl"
    if not path.exists():
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        records = build_records(n_words, n_events=20, seed=2023)
        partial = path.with_suffix(".partial")
        partial.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records),
                           encoding="utf-8")
        partial.replace(path)
    return path


def bench_codebook():
    """Return the study's codebook plus common phrases: exactly ``N_TERMS`` terms."""
    from analysis.codebook import read_codebook

    codebook = read_codebook()
    n_study = sum(len(frame.terms) for frame in codebook.frames)
    return codebook.with_terms(EXTRA_TERMS[:N_TERMS - n_study], "bench")


def run_one(n_words: int) -> dict:
    """Time reading and counting one corpus; return the figures."""
    from analysis import read_corpus
    from analysis.framing import frame_counts, term_counts

    codebook = bench_codebook()
    path = corpus_path(n_words)
    start = time.perf_counter()
    corpus = read_corpus(path)
    sentences = corpus.sentences
    read_seconds = time.perf_counter() - start
    start, start_cpu = time.perf_counter(), time.process_time()
    terms = term_counts(corpus, codebook)
    frame_counts(corpus, codebook)
    count_seconds, count_cpu_seconds = time.perf_counter() - start, time.process_time() - start_cpu
    words = int(sentences["n_words"].sum())
    return {
        "words": words, "documents": len(corpus.documents), "sentences": len(sentences),
        "terms": sum(len(frame.terms) for frame in codebook.frames), "matches": int(terms["count"].sum()),
        "read_seconds": read_seconds, "count_seconds": count_seconds, "count_cpu_seconds": count_cpu_seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="corpus sizes in words")
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one)))
        return
    results = []
    for n_words in args.sizes:
        corpus_path(n_words)  # built here, so the timed run only reads it
        output = subprocess.run([sys.executable, __file__, "--one", str(n_words)], check=True,
                                capture_output=True, text=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        results.append(result)
        print(f"framing: {result['words']:>9,} words, {result['documents']:,} articles, {result['terms']} terms, "
              f"{result['matches']:,} matches: counting {result['count_seconds']:.2f} s wall, "
              f"{result['count_cpu_seconds']:.2f} s CPU ({result['words'] / result['count_cpu_seconds']:,.0f} words "
              f"per CPU second); reading the corpus "
              f"{result['read_seconds']:.2f} s; peak memory {result['peak_mb']:,.0f} MB")
    if len(results) > 1:
        first, last = results[0], results[-1]
        size_ratio = last["words"] / first["words"]
        time_ratio = last["count_cpu_seconds"] / first["count_cpu_seconds"]
        print(f"framing: {size_ratio:.1f}x the words took {time_ratio:.1f}x the counting CPU time "
              f"(linear would be {size_ratio:.1f}x; wall time depends on what else the machine runs)")


if __name__ == "__main__":
    main()
