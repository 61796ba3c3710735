"""Benchmark term counting (:func:`analysis.vocabulary.term_matrix`) against its former version and CountVectorizer.

In one run, on the sentences of a synthetic corpus (``bench/make_corpus.py``,
about 3,000,000 words, cached under ``build/bench/``):

* ``term_matrix`` for terms of 1 and of 1–2 words, and the former implementation
  (:func:`_reference_term_matrix`, kept here only as the yardstick: a Python loop
  over every token, then CountVectorizer with the terms as a Python analyzer),
  whose results must be identical (vocabulary, counts, sentence counts, n-gram
  positions);
* scikit-learn's CountVectorizer alone, with its own tokeniser, on the same
  texts (each document's sentences joined by a space): unigrams and 1–3-grams,
  and ``term_matrix`` for terms of 1–3 words to set beside the latter.

Speeds are words (of the text model) per second, best of ``--repeats`` runs;
ratios divide each by CountVectorizer's unigram and 1–3-gram speeds.

Usage: .venv/bin/python bench/bench_terms.py [--words 3000000] [--repeats 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from scipy import sparse  # noqa: E402
from sklearn.feature_extraction.text import CountVectorizer  # noqa: E402

from analysis import read_corpus, vocabulary  # noqa: E402
from analysis.text import tokenize  # noqa: E402
from analysis.vocabulary import TermMatrix, TermOptions, default_options  # noqa: E402
from bench.make_corpus import cached_corpus  # noqa: E402


def _reference_word_runs(text: str) -> list[list[tuple[str, str]]]:
    runs: list[list[tuple[str, str]]] = [[]]
    for token in tokenize(text):
        if token.kind == "punct":
            if runs[-1]:
                runs.append([])
        elif token.kind != "clitic":
            runs[-1].append((token.norm, token.kind))
    return [run for run in runs if run]


def _reference_run_terms(runs: list[list[tuple[str, str]]], options: TermOptions) -> list[str]:
    terms: list[str] = []
    stop = options.stopwords
    for run in runs:
        for size in range(1, options.ngram + 1):
            for start in range(len(run) - size + 1):
                gram = run[start:start + size]
                first, last = gram[0], gram[-1]
                if first[0] in stop or last[0] in stop:
                    continue
                if not options.include_numbers and (first[1] == "number" or last[1] == "number"):
                    continue
                terms.append(" ".join(norm for norm, _ in gram))
    return terms


def _reference_term_matrix(corpus, options: TermOptions) -> TermMatrix:
    """Return the TermMatrix as term_matrix did before it counted with integer codes (commit 1df8d7c)."""
    sentences = corpus.sentences
    doc_index = {doc_id: index for index, doc_id in enumerate(corpus.documents["doc_id"])}
    terms_by_doc: list[list[str]] = [[] for _ in doc_index]
    sentence_terms_by_doc: list[list[str]] = [[] for _ in doc_index]
    positions = np.zeros((len(doc_index), options.ngram), dtype=np.int64)
    orders = np.arange(1, options.ngram + 1)
    for doc_id, text in zip(sentences["doc_id"], sentences["text"]):
        index = doc_index[doc_id]
        runs = _reference_word_runs(text)
        terms = _reference_run_terms(runs, options)
        terms_by_doc[index].extend(terms)
        sentence_terms_by_doc[index].extend(dict.fromkeys(terms))
        for run in runs:
            positions[index] += np.maximum(len(run) - orders + 1, 0)
    vectorizer = CountVectorizer(analyzer=lambda terms: terms, lowercase=False)
    if any(terms_by_doc):
        counts = vectorizer.fit_transform(terms_by_doc).tocsr()
        sentence_counts = vectorizer.transform(sentence_terms_by_doc).tocsr()
        vocabulary_ = vectorizer.get_feature_names_out()
    else:
        counts, vocabulary_ = sparse.csr_matrix((len(terms_by_doc), 0)), np.array([], dtype=object)
        sentence_counts = counts
    documents = corpus.documents[["doc_id", "outlet", "event"]].copy()
    words = sentences.groupby("doc_id")["n_words"].sum()
    documents["n_words"] = documents["doc_id"].map(words).fillna(0).astype(int)
    return TermMatrix(counts.astype(np.int64), np.asarray(vocabulary_, dtype=object), documents,
                      sentence_counts.astype(np.int64), positions)


def same_matrix(first: TermMatrix, second: TermMatrix) -> bool:
    """Return whether two term matrices hold the same terms, counts, sentence counts, positions and documents."""
    return (first.terms.tolist() == second.terms.tolist()
            and first.counts.shape == second.counts.shape
            and (first.counts != second.counts).nnz == 0
            and (first.sentence_counts != second.sentence_counts).nnz == 0
            and np.array_equal(first.gram_positions, second.gram_positions)
            and first.documents.equals(second.documents))


def best_seconds(function, repeats: int):
    """Return (best wall time over ``repeats`` calls, the last result)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=3_000_000, help="corpus size in words (default 3,000,000)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each, best counts (default 2)")
    args = parser.parse_args()
    corpus = read_corpus(cached_corpus("corpus", args.words))
    sentences = corpus.sentences  # built once, outside the timings
    n_words = int(sentences["n_words"].sum())
    print(f"corpus: {len(corpus.documents):,} documents, {len(sentences):,} sentences, {n_words:,} words")
    texts = sentences.groupby("doc_id", sort=False)["text"].agg(" ".join).tolist()

    speeds = {}
    for ngram in (1, 3):
        vectorizer = CountVectorizer(ngram_range=(1, ngram))
        seconds, _ = best_seconds(lambda: vectorizer.fit_transform(texts), args.repeats)
        speeds[f"CountVectorizer 1-{ngram}"] = n_words / seconds
    for ngram in (1, 2):
        options = default_options(ngram=ngram)
        old_seconds, old = best_seconds(lambda: _reference_term_matrix(corpus, options), args.repeats)
        new_seconds, new = best_seconds(lambda: vocabulary.term_matrix(corpus, options), args.repeats)
        if not same_matrix(old, new):
            raise SystemExit(f"term_matrix (1-{ngram}) differs from the reference implementation")
        speeds[f"reference term_matrix 1-{ngram}"] = n_words / old_seconds
        speeds[f"term_matrix 1-{ngram}"] = n_words / new_seconds
        print(f"terms of 1-{ngram} words: {len(new.terms):,} terms, identical to the reference; "
              f"speed-up {old_seconds / new_seconds:.2f}x")
    seconds, _ = best_seconds(lambda: vocabulary.term_matrix(corpus, default_options(ngram=3)), args.repeats)
    speeds["term_matrix 1-3"] = n_words / seconds
    unigrams, trigrams = speeds["CountVectorizer 1-1"], speeds["CountVectorizer 1-3"]
    print(f"{'':>28}  {'words/s':>12}  {'÷ CV 1-1':>8}  {'÷ CV 1-3':>8}")
    for name, speed in speeds.items():
        print(f"{name:>28}  {speed:>12,.0f}  {speed / unigrams:>8.2f}  {speed / trigrams:>8.2f}")


if __name__ == "__main__":
    main()
