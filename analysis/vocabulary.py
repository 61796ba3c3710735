"""Vocabulary: term frequencies, lexical profiles, shared and unique words, and keyness.

Terms come from the one text model (:func:`analysis.text.tokenize` on the
corpus's sentences): a term is a word's normalised form or an n-gram of them.
N-grams never cross punctuation or a sentence boundary; the clitic "'s" is left
out ("North Korea's Kim" gives "north korea" and "korea kim"). Stop words are
dropped as unigrams, and an n-gram may not start or end with one ("state media"
and "battle for justice" are terms, "of the" is not). Numbers are left out
unless asked for; ordinals such as "70th" are words.

Keyness compares a target (one outlet) with a reference (the other outlets, or
one other outlet) on a 2×2 table per term: its count in each and the size of
each side in words. :func:`keyness` reports

* ``log_likelihood``: Dunning's G² over the full 2×2 table (the term and all
  other words, on each side), the statistic and a measure of the difference;
* ``p_value`` and ``test``: the χ² (1 degree of freedom) p of G² where every
  expected count is 5 or more, otherwise an exact test (Rayson, Berridge &
  Francis 2004): by default Fisher's mid-p (:mod:`analysis.stats`), because on
  these small tables Fisher's own p is conservative and the asymptotic p far too
  small; ``p_adjusted`` and ``adjustment``: Benjamini–Hochberg over every test
  of the table (or per comparison, or none), the adjustment named on every row;
* ``log_ratio``: Hardie's Log Ratio, the binary log of the ratio of relative
  frequencies, with a count of 0 taken as 0.5 so it stays finite;
* ``log_odds`` and ``log_odds_z``: the weighted log-odds ratio with an
  informative Dirichlet prior (Monroe, Colaresi & Quinn 2008); n-grams of one
  order are one multinomial (n = the side's n-grams of that order, α₀ =
  ``prior_scale`` × the corpus's), α_w = ``prior_scale`` × the term's count in
  the whole corpus, and :func:`log_odds_sensitivity` shows what the scale
  changes;
* dispersion in the target: ``n_documents``, ``n_sentences`` and Gries's DP
  (:func:`gries_dp`) over its documents.

:func:`reference_keyness` compares each outlet's words with general English
(the ``wordfreq`` word list) instead of with the other outlets;
:func:`reference_summary` groups them by pattern, and
:func:`comparison_scope_sentence` says whether the comparisons are between
outlets or single texts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
from scipy import sparse, special

from analysis.errors import AnalysisError, RulesError
from analysis.output import markdown_text
from analysis.paths import DATA_DIR
from analysis.stats import (
    COMPARISON_ADJUSTMENT,
    NO_ADJUSTMENT,
    TABLE_ADJUSTMENT,
    benjamini_hochberg,
    exact_two_by_two_p,
)
from analysis.text import match_tokens, normalize_token, token_matches, tokenize

DEFAULT_STOPWORDS = DATA_DIR / "stopwords.txt"
REST = "rest"
SIGNIFICANCE = 0.05


def read_stopwords(extra: Iterable[Path | str] = (), include_default: bool = True) -> frozenset[str]:
    """Return the stop words: the default list plus every word in the ``extra`` files.

    Files hold one word per line; ``#`` starts a comment line. Words are
    normalised like tokens (lower case but for acronyms, straight apostrophes),
    so "us" removes the pronoun and "US" the country.
    """
    paths = ([DEFAULT_STOPWORDS] if include_default else []) + [Path(path) for path in extra]
    words: set[str] = set()
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise RulesError(f"{path}: stop-word file not found") from None
        except (OSError, UnicodeDecodeError) as error:
            raise RulesError(f"{path}: cannot read stop-word file ({error})") from None
        for number, line in enumerate(lines, start=1):
            word = line.strip()
            if not word or word.startswith("#"):
                continue
            if len(word.split()) > 1:
                raise RulesError(f"{path}:{number}: one stop word per line, found '{word}'")
            words.add(normalize_token(word))
    return frozenset(words)


@dataclass(frozen=True)
class TermOptions:
    """How text becomes terms: n-grams of 1 to ``ngram`` words, stop words, numbers."""

    ngram: int = 1
    stopwords: frozenset[str] = frozenset()
    include_numbers: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.ngram <= 5:
            raise AnalysisError(f"n-gram length must be from 1 to 5, not {self.ngram}")


def default_options(ngram: int = 1, stopword_files: Iterable[Path | str] = (), include_numbers: bool = False):
    """Return :class:`TermOptions` with the default stop words plus those in ``stopword_files``."""
    return TermOptions(ngram, read_stopwords(stopword_files), include_numbers)


def _word_runs(text: str) -> list[list[tuple[str, str]]]:
    """Return the runs of (normalised word, kind) between punctuation marks in one sentence (clitics left out)."""
    runs: list[list[tuple[str, str]]] = [[]]
    for match in token_matches(text):
        form = _match_form(match)
        if form is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(form)
    return [run for run in runs if run]


@lru_cache(maxsize=200_000)
def _match_form(match: str) -> tuple[str, str] | None:
    """Return (normalised word, kind) of one token match, or None for a punctuation mark (a clitic is left out).

    A match is a punctuation mark, a word or number, or a word and its clitic, so
    exactly one token of it is not a clitic.
    """
    (token,) = [token for token in match_tokens(match) if token.kind != "clitic"]
    return None if token.kind == "punct" else (token.norm, token.kind)


def sentence_terms(text: str, options: TermOptions) -> list[str]:
    """Return the terms of one sentence under ``options``, in order."""
    return _run_terms(_word_runs(text), options)


def _run_terms(runs: list[list[tuple[str, str]]], options: TermOptions) -> list[str]:
    terms: list[str] = []
    stop = options.stopwords
    numbers = options.include_numbers
    for run in runs:
        norms = [norm for norm, _ in run]
        # An n-gram may not start or end with a dropped word.
        dropped = [norm in stop or (not numbers and kind == "number") for norm, kind in run]
        for size in range(1, options.ngram + 1):
            last = size - 1
            terms.extend(" ".join(norms[start:start + size]) for start in range(len(run) - last)
                         if not (dropped[start] or dropped[start + last]))
    return terms


@dataclass
class TermMatrix:
    """Document × term counts, with each document's outlet, event and size in words.

    ``sentence_counts`` holds, per document and term, the number of sentences
    containing the term; ``gram_positions`` holds, per document, the number of
    n-gram positions of each order (column 0: words, column 1: word pairs inside
    a run of words, …), every n-gram counted, stop words and numbers included.
    """

    counts: sparse.csr_matrix
    terms: np.ndarray
    documents: pd.DataFrame  # doc_id, outlet, event, n_words (in document order)
    sentence_counts: sparse.csr_matrix | None = None
    gram_positions: np.ndarray | None = None

    def subset(self, keep: np.ndarray) -> "TermMatrix":
        """Return the matrix of the documents where ``keep`` is true."""
        return TermMatrix(
            self.counts[keep], self.terms, self.documents[keep].reset_index(drop=True),
            None if self.sentence_counts is None else self.sentence_counts[keep],
            None if self.gram_positions is None else self.gram_positions[keep],
        )

    def _indicator(self, column: str) -> tuple[list[str], sparse.csr_matrix]:
        names = list(dict.fromkeys(self.documents[column]))
        codes = self.documents[column].map({name: index for index, name in enumerate(names)}).to_numpy()
        indicator = sparse.csr_matrix(
            (np.ones(len(codes), dtype=np.int64), (codes, np.arange(len(codes)))), shape=(len(names), len(codes))
        )
        return names, indicator

    def grouped(self, column: str) -> tuple[list[str], sparse.csr_matrix, np.ndarray]:
        """Return (group names, group × term counts, words per group) for a documents column."""
        names, indicator = self._indicator(column)
        sizes = (indicator @ self.documents["n_words"].to_numpy().astype(np.int64)).astype(np.int64)
        return names, (indicator @ self.counts).tocsr(), sizes

    def grouped_positions(self, column: str) -> np.ndarray:
        """Return the group × n-gram-order array of n-gram positions (column k-1: k-grams)."""
        _, indicator = self._indicator(column)
        return np.asarray(indicator @ self.gram_positions, dtype=np.int64)


def term_matrix(corpus, options: TermOptions | None = None) -> TermMatrix:
    """Return the :class:`TermMatrix` of ``corpus`` (terms sorted alphabetically).

    The terms are those of :func:`sentence_terms` on each sentence. Each distinct
    token match is tokenised and normalised once; n-grams are built as arrays of
    integer codes, and only the distinct n-grams become strings.
    """
    options = options or default_options()
    # A notebook asks for the matrix of the same corpus and options several times (keyness, a pair, the
    # prior's sensitivity, events, the explorer): the last few are kept with the corpus. TermMatrix is
    # never changed in place, and a corpus's documents and sentences are fixed once read.
    kept: dict = corpus.__dict__.setdefault("_term_matrices", {})
    key = (options, id(corpus.documents))
    if key in kept:
        kept[key] = kept.pop(key)  # most recently used last
        return kept[key]
    sentence_doc_ids, sentence_texts = corpus.sentence_texts()
    matrix = _term_matrix_of_sentences(corpus.documents, sentence_doc_ids, sentence_texts, options)
    kept[key] = matrix
    while len(kept) > KEPT_TERM_MATRICES:
        del kept[next(iter(kept))]
    return matrix


KEPT_TERM_MATRICES = 2
"""Term matrices :func:`term_matrix` keeps per corpus (one per set of options, most recently used)."""


def _term_matrix_of_sentences(documents: pd.DataFrame, sentence_doc_ids: list[str], sentence_texts: list[str],
                              options: TermOptions) -> TermMatrix:
    """Return the :class:`TermMatrix` of ``documents`` (doc_id, outlet, event) from the doc_id and text of each of
    their sentences, in corpus order."""
    n_documents, n_sentences = len(documents), len(sentence_texts)
    sentence_documents = pd.Index(documents["doc_id"]).get_indexer(sentence_doc_ids).astype(np.int64)
    if (sentence_documents < 0).any():
        raise AnalysisError("the sentence table names a document that is not in the corpus")
    codes, forms = _token_codes(sentence_texts)
    # Each sentence ends with a -2, so a token's sentence is the number of sentence ends before it.
    token_sentences = np.cumsum(codes == -2) - (codes == -2)
    token_documents = sentence_documents[token_sentences]
    norms = [norm for norm, _ in forms]
    # Whether each token is a word an n-gram may not start or end with; codes -2 and -1 are no words.
    dropped = np.array([True, True] + [norm in options.stopwords or (not options.include_numbers and kind == "number")
                                       for norm, kind in forms], dtype=bool)[codes + 2]
    positions = np.zeros((n_documents, options.ngram), dtype=np.int64)
    in_word = codes >= 0
    whole = in_word  # whether the window of the current order starting at each token lies inside one run
    grams, gram_strings = codes, norms  # each window's n-gram code, and the text of each code
    found: list[tuple[np.ndarray, np.ndarray, list[str]]] = []  # per order: sentences, n-gram codes, texts
    for order in range(1, options.ngram + 1):
        width = len(codes) - order + 1
        if width <= 0:
            break
        if order > 1:
            whole = whole[:width] & in_word[order - 1:]
            keys = grams[:width][whole] * len(forms) + codes[order - 1:][whole]
            gram_codes, distinct = pd.factorize(keys, sort=False)
            grams = np.full(width, -1, dtype=np.int64)
            grams[whole] = gram_codes
            prefixes, lasts = np.divmod(distinct, len(forms))
            gram_strings = [gram_strings[prefix] + " " + norms[last]
                            for prefix, last in zip(prefixes.tolist(), lasts.tolist())]
        positions[:, order - 1] = np.bincount(token_documents[:width][whole], minlength=n_documents)
        kept = whole & ~dropped[:width] & ~dropped[order - 1:]
        found.append((token_sentences[:width][kept], grams[kept], gram_strings))
    used_codes = [np.flatnonzero(np.bincount(kept_grams, minlength=len(strings))) for _, kept_grams, strings in found]
    vocabulary = sorted({strings[code] for used, (_, _, strings) in zip(used_codes, found) for code in used.tolist()})
    column = {term: index for index, term in enumerate(vocabulary)}
    rows, columns = [], []
    for used, (kept_sentences, kept_grams, strings) in zip(used_codes, found):
        column_of_code = np.full(len(strings), -1, dtype=np.int64)
        column_of_code[used] = [column[strings[code]] for code in used.tolist()]
        rows.append(kept_sentences)
        columns.append(column_of_code[kept_grams])
    rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    columns = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
    by_sentence = sparse.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, columns)),
                                    shape=(n_sentences, len(vocabulary)))
    by_sentence.sum_duplicates()
    in_sentence = by_sentence.copy()
    in_sentence.data[:] = 1
    documents_of_sentences = sparse.csr_matrix(
        (np.ones(n_sentences, dtype=np.int64), (sentence_documents, np.arange(n_sentences))),
        shape=(n_documents, n_sentences))
    counts = _canonical(documents_of_sentences @ by_sentence)
    sentence_counts = _canonical(documents_of_sentences @ in_sentence)
    documents = documents[["doc_id", "outlet", "event"]].reset_index(drop=True)
    # A word's code is its form's (>= 0) and every word and number token has one, so this is count_words per document.
    documents["n_words"] = np.bincount(token_documents[in_word], minlength=n_documents).astype(int)
    return TermMatrix(counts, np.asarray(vocabulary, dtype=object), documents, sentence_counts, positions)


def stack_term_matrices(matrices: list[TermMatrix]) -> TermMatrix:
    """Return one :class:`TermMatrix` of the documents of ``matrices``, in order, on the sorted union of their terms.

    A term is in a corpus's vocabulary when it occurs in some part of it, so the
    term matrices of consecutive slices of a corpus stack into the matrix of the
    whole (:func:`term_matrix` of all of it, cell for cell).
    """
    vocabulary = sorted(set().union(*(matrix.terms.tolist() for matrix in matrices)))
    column = {term: index for index, term in enumerate(vocabulary)}
    mappings = [np.array([column[term] for term in matrix.terms.tolist()], dtype=np.int64) for matrix in matrices]

    def stacked(name: str) -> sparse.csr_matrix:
        blocks = []
        for matrix, mapping in zip(matrices, mappings):
            part = getattr(matrix, name).tocoo()
            blocks.append(sparse.csr_matrix((part.data.astype(np.int64), (part.row, mapping[part.col])),
                                            shape=(part.shape[0], len(vocabulary))))
        return _canonical(sparse.vstack(blocks, format="csr"))

    documents = pd.concat([matrix.documents for matrix in matrices], ignore_index=True)
    positions = np.concatenate([matrix.gram_positions for matrix in matrices]).astype(np.int64)
    return TermMatrix(stacked("counts"), np.asarray(vocabulary, dtype=object), documents,
                      stacked("sentence_counts"), positions)


PARALLEL_CHUNK_DOCUMENTS = 150
"""Fewest documents per slice when :func:`corpus_keyness` counts a corpus in several processes."""

_FORKED_INPUT: tuple | None = None  # what forked processes of corpus_keyness read their slices from


def corpus_keyness(path: Path | str | None = None, rules=None, outlet: str | None = None, vs: str | None = None,
                   options: TermOptions | None = None, workers: int | None = 1,
                   chunk_documents: int = PARALLEL_CHUNK_DOCUMENTS, **settings) -> pd.DataFrame:
    """Return :func:`keyness` of the corpus at ``path``, cleaned and counted in slices by ``workers`` processes.

    ``workers`` None means one per core. The documents table is read and checked
    once; consecutive slices of at least ``chunk_documents`` documents and about
    equal text, one per process, are cleaned and counted in forked processes and
    their matrices stacked
    (:func:`stack_term_matrices`), so the table is the one ``keyness(read_corpus(path),
    …)`` returns, byte for byte. Where processes cannot be forked (Windows), or the
    corpus is too small to split, it is counted in this process.
    """
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    from analysis.cleaning import CleaningRules, read_cleaning_rules
    from analysis.corpus import Corpus, read_corpus, read_document_table
    from analysis.paths import SEEDS_DIR
    from analysis.text import keeps_capitals

    global _FORKED_INPUT
    options = options or default_options()
    path = Path(path) if path is not None else SEEDS_DIR
    cleaning_rules = rules if isinstance(rules, CleaningRules) else read_cleaning_rules(rules)
    workers = workers or os.cpu_count() or 1
    if workers < 1:
        raise AnalysisError(f"the number of workers must be at least 1, not {workers}")
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    documents, texts, _ = read_document_table(path) if workers > 1 and can_fork else (None, None, None)
    n_slices = 1 if documents is None else min(workers, len(documents) // max(chunk_documents, 1))
    if n_slices < 2:
        return keyness(read_corpus(path, cleaning_rules), outlet, vs, options, **settings)
    bounds = _slice_bounds(documents, texts, n_slices)
    keeps_capitals("QZXJ")  # loads the word list once, before the processes fork, so that they share it
    _FORKED_INPUT = (documents, texts, cleaning_rules, path, options)
    try:
        with ProcessPoolExecutor(max_workers=min(workers, n_slices),
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            matrices = list(pool.map(_slice_term_matrix, bounds))
    finally:
        _FORKED_INPUT = None
    # keyness reads only the outlets of its corpus argument once it has the matrix
    stand_in = Corpus(documents, pd.DataFrame(), pd.DataFrame(), path, cleaning_rules)
    return keyness(stand_in, outlet, vs, options, matrix=stack_term_matrices(matrices), **settings)


def _slice_bounds(documents: pd.DataFrame, texts: list[str] | None, n_slices: int) -> list[tuple[int, int]]:
    """Return ``n_slices`` (start, stop) row ranges of about equal text (equal numbers of documents for a folder)."""
    sizes = np.ones(len(documents)) if texts is None else np.array([len(text) for text in texts], dtype=float)
    ends = np.cumsum(sizes)
    cuts = np.searchsorted(ends, ends[-1] * np.arange(1, n_slices) / n_slices, side="left") + 1
    edges = [0] + sorted(set(int(cut) for cut in cuts if 0 < cut < len(documents))) + [len(documents)]
    return list(zip(edges[:-1], edges[1:]))


def _slice_term_matrix(bounds: tuple[int, int]) -> TermMatrix:
    from analysis.corpus import document_sentence_texts, read_document_texts

    documents, texts, rules, path, options = _FORKED_INPUT
    start, stop = bounds
    rows = documents.iloc[start:stop].reset_index(drop=True)
    slice_texts = read_document_texts(path, rows) if texts is None else texts[start:stop]
    return _term_matrix_of_sentences(rows, *document_sentence_texts(rows, slice_texts, rules, path), options)


TOKEN_CHUNK_SENTENCES = 20_000
"""Sentences split into pieces at once by :func:`_token_codes`, which bounds the strings held in memory."""

_SENTENCE_END = " "  # never a piece of str.split(), so it can mark where a sentence ends


def _token_codes(texts: list[str]) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Return (code of each token match, distinct (normalised word, kind) forms) of the sentences ``texts``.

    A word's code indexes the forms; a punctuation mark's is -1; each sentence is
    followed by a -2. Clitics are left out. Texts are split at white space, and
    each distinct piece is tokenised once (see :func:`analysis.text.token_matches`),
    however often it occurs.
    """
    form_codes: dict[tuple[str, str], int] = {}
    piece_index: dict[str, int] = {_SENTENCE_END: 0}
    piece_codes: list[int] = [-2]  # the codes of every distinct piece, one after another
    piece_starts, piece_lengths = [0], [1]
    index_chunks = []
    for start in range(0, len(texts), TOKEN_CHUNK_SENTENCES):
        pieces: list[str] = []
        for text in texts[start:start + TOKEN_CHUNK_SENTENCES]:
            pieces.extend(text.split())
            pieces.append(_SENTENCE_END)
        for piece in set(pieces).difference(piece_index):
            forms = [_match_form(match) for match in token_matches(piece)]
            piece_index[piece] = len(piece_starts)
            piece_starts.append(len(piece_codes))
            piece_lengths.append(len(forms))
            piece_codes.extend(-1 if form is None else form_codes.setdefault(form, len(form_codes)) for form in forms)
        index_chunks.append(np.fromiter(map(piece_index.__getitem__, pieces), dtype=np.int64, count=len(pieces)))
    indices = np.concatenate(index_chunks) if index_chunks else np.zeros(0, dtype=np.int64)
    # Expand each piece into its codes: a piece of n matches gives n consecutive codes from its start.
    lengths = np.asarray(piece_lengths, dtype=np.int64)[indices]
    ends = np.cumsum(lengths)
    offsets = np.arange(ends[-1] if len(ends) else 0, dtype=np.int64) - np.repeat(ends - lengths, lengths)
    codes = np.asarray(piece_codes, dtype=np.int64)[np.repeat(np.asarray(piece_starts, dtype=np.int64)[indices],
                                                              lengths) + offsets]
    return codes, list(form_codes)


def _canonical(matrix) -> sparse.csr_matrix:
    """Return ``matrix`` as a CSR matrix of int64 counts, indices sorted and no stored zero."""
    matrix = sparse.csr_matrix(matrix, dtype=np.int64)
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    return matrix


EXACT_TESTS = {"mid-p": "Fisher mid-p", "fisher": "Fisher exact"}
ASYMPTOTIC_TEST = "G² (χ², 1 df)"
MIN_EXPECTED = 5
"""Below this expected count in any cell of a term's 2×2 table, p comes from an exact test (Rayson et al. 2004)."""
DEFAULT_PRIOR_SCALE = 0.1
"""α_w = this × the term's count in the whole corpus: the prior is worth a tenth of the data (see docs/vocabulary.md)."""
ADJUSTMENTS = ("table", "comparison", "none")


def gries_dp(part_counts, part_sizes) -> np.ndarray:
    """Return Gries's DP (deviation of proportions, Gries 2008) of each term over the parts of a corpus.

    ``part_counts`` is a parts × terms array (dense or scipy sparse) of counts,
    ``part_sizes`` the size of each part in words. DP = ½ Σ_i |v_i − s_i|, with
    v_i the share of the term's occurrences in part i and s_i the share of the
    corpus's words in part i: 0 when the term is spread exactly as the words are,
    near 1 when it sits in one small part. NaN for a term that never occurs.
    """
    counts = sparse.csr_matrix(part_counts, dtype=float)
    sizes = np.asarray(part_sizes, dtype=float)
    if counts.shape[0] != len(sizes):
        raise AnalysisError("gries_dp needs one size per part")
    shares = sizes / sizes.sum()
    totals = np.asarray(counts.sum(axis=0)).ravel()
    coo = counts.tocoo()
    with np.errstate(divide="ignore", invalid="ignore"):
        occurrence_shares = coo.data / totals[coo.col]
    # Parts where the term is absent contribute s_i each, Σ over all parts being 1; so only
    # the non-zero cells need visiting: Σ|v−s| = 1 + Σ_nonzero (|v_i − s_i| − s_i).
    correction = np.abs(occurrence_shares - shares[coo.row]) - shares[coo.row]
    deviation = 1 + np.bincount(coo.col, weights=correction, minlength=counts.shape[1])
    return np.where(totals > 0, deviation / 2, np.nan)


def keyness_statistics(
    target: np.ndarray, reference: np.ndarray, target_size: float, reference_size: float, prior: np.ndarray,
    target_total=None, reference_total=None, prior_total=None, exact: str | None = "mid-p",
) -> dict[str, np.ndarray]:
    """Return G², the p-value and its test, Log Ratio, log-odds and its z-score for arrays of term counts.

    ``target_size`` and ``reference_size`` are the sizes of the two sides in
    words (the 2×2 tables of G² and the exact test, and Log Ratio). ``prior``
    holds the Dirichlet prior count of each term (α_w). The log-odds model
    counts n-grams of one order as one multinomial: ``target_total`` and
    ``reference_total`` are n for each side and ``prior_total`` is α₀, per term
    (scalars or arrays; by default the sums of ``target``, ``reference`` and
    ``prior``). Where any expected count of a term's 2×2 table is below
    :data:`MIN_EXPECTED`, p comes from the exact test named by ``exact``
    ("mid-p" or "fisher"; None: always the χ² approximation). Vectorised: one
    call handles every term.
    """
    if exact is not None and exact not in EXACT_TESTS:
        raise AnalysisError(f"the exact test is 'mid-p' or 'fisher', not '{exact}'")
    target = np.asarray(target, dtype=float)
    reference = np.asarray(reference, dtype=float)
    # Dunning's G² over the full 2×2 table: the term and all other words, on each side.
    observed = (target, reference, target_size - target, reference_size - reference)
    grand_total = target_size + reference_size
    row_totals = (target + reference, target + reference,
                  grand_total - target - reference, grand_total - target - reference)
    sizes = (target_size, reference_size, target_size, reference_size)
    log_likelihood = np.zeros_like(target)
    min_expected = np.full_like(target, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        for cell, row_total, size in zip(observed, row_totals, sizes):
            expected = size * row_total / grand_total
            min_expected = np.minimum(min_expected, expected)
            log_likelihood += np.where(cell > 0, cell * np.log(cell / expected), 0.0)
    log_likelihood *= 2
    p_value = _chi2_sf_one_df(log_likelihood)
    test = np.full(target.shape, ASYMPTOTIC_TEST, dtype=object)
    if exact is not None:
        small = min_expected < MIN_EXPECTED
        if small.any():
            p_value[small] = exact_two_by_two_p(
                target[small], reference[small], target_size - target[small], reference_size - reference[small],
                mid_p=exact == "mid-p")
            test[small] = EXACT_TESTS[exact]
    log_ratio = np.log2((np.where(target > 0, target, 0.5) / target_size)
                        / (np.where(reference > 0, reference, 0.5) / reference_size))
    prior = np.asarray(prior, dtype=float)
    alpha_total = prior.sum() if prior_total is None else np.asarray(prior_total, dtype=float)
    n_target = target.sum() if target_total is None else np.asarray(target_total, dtype=float)
    n_reference = reference.sum() if reference_total is None else np.asarray(reference_total, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):  # a one-term vocabulary has no "other words"
        log_odds = (
            np.log((target + prior) / (n_target + alpha_total - target - prior))
            - np.log((reference + prior) / (n_reference + alpha_total - reference - prior))
        )
        variance = 1 / (target + prior) + 1 / (reference + prior)
        z = log_odds / np.sqrt(variance)
    return {
        "log_likelihood": log_likelihood,
        "min_expected": min_expected,
        "test": test,
        "p_value": p_value,
        "log_ratio": log_ratio,
        "log_odds": log_odds,
        "log_odds_z": z,
    }


KEYNESS_COLUMNS = [
    "outlet", "reference", "term", "n_grams", "count", "count_rest", "per_1k", "per_1k_rest",
    "log_likelihood", "log_ratio", "log_odds", "log_odds_z", "min_expected", "test", "p_value", "p_adjusted",
    "adjustment", "n_documents", "n_sentences", "dp",
]


def _chi2_sf_one_df(statistic: np.ndarray) -> np.ndarray:
    """Return the upper tail of χ² with 1 degree of freedom at each ``statistic``, as ``scipy.stats.chi2.sf``.

    The same function on the same values (1 at or below 0, 0 at infinity, NaN for
    NaN), without scipy.stats, whose import takes half a second of every vocab run.
    """
    statistic = np.asarray(statistic, dtype=float)
    p_value = np.zeros(statistic.shape)
    with np.errstate(invalid="ignore"):
        inside = (statistic > 0) & (statistic < np.inf)
        p_value[statistic <= 0] = 1.0
    p_value[np.isnan(statistic)] = np.nan
    p_value[inside] = special.chdtrc(1, statistic[inside])
    return p_value[()] if p_value.ndim == 0 else p_value


def keyness(
    corpus,
    outlet: str | None = None,
    vs: str | None = None,
    options: TermOptions | None = None,
    min_count: int = 2,
    prior_scale: float = DEFAULT_PRIOR_SCALE,
    matrix: TermMatrix | None = None,
    exact: str | None = "mid-p",
    adjust: str = "table",
) -> pd.DataFrame:
    """Return keyness rows for each outlet against the rest (or ``outlet`` against ``vs``).

    ``min_count`` is the least total count (target + reference) a term needs to
    be listed (and tested). ``exact`` names the exact test used where an
    expected count is below 5 ("mid-p", "fisher", or None for the χ²
    approximation everywhere). ``adjust`` is "table" (one Benjamini–Hochberg
    adjustment over every test in the returned table), "comparison" (one per
    comparison) or "none"; :func:`analysis.stats.adjust_across` adjusts once
    over several tables of a study. Rows are sorted by outlet, then
    ``log_odds_z`` from most to least distinctive of the outlet.

    Returns
    -------
    One row per comparison and term: ``outlet`` (the target), ``reference``
    ("rest" or the other outlet), ``term``, ``n_grams`` (words in the term),
    ``count`` and ``count_rest`` (occurrences in target and reference),
    ``per_1k`` and ``per_1k_rest`` (per 1,000 words), ``log_likelihood`` (G²),
    ``log_ratio``, ``log_odds``, ``log_odds_z``, ``min_expected`` (the smallest
    expected count of the 2×2 table), ``test`` (which test gave p),
    ``p_value``, ``p_adjusted``, ``adjustment`` (which adjustment gave
    ``p_adjusted``; also in ``attrs["adjustment"]``), and the target's
    dispersion: ``n_documents`` and ``n_sentences`` containing the term and
    ``dp`` (Gries's DP over the target's documents; NaN with one document).
    """
    corpus.require_outlets(2)
    _check_choices(exact, adjust)
    matrix = matrix or term_matrix(corpus, options)
    outlets = _Outlets.of(matrix)
    _check_outlet(outlet, outlets.names, corpus)
    _check_outlet(vs, outlets.names, corpus)
    if vs is not None and outlet is None:
        raise AnalysisError("--vs needs --outlet: name the outlet to compare with it")
    if vs is not None and vs == outlet:
        raise AnalysisError(f"cannot compare outlet '{outlet}' with itself")
    comparisons = [(outlet, vs)] if vs else [(name, None) for name in ([outlet] if outlet else outlets.names)]
    tables = [_comparison(outlets, target, reference, min_count, prior_scale, exact) for target, reference in comparisons]
    return _adjusted(tables, adjust)


def pairwise_keyness(corpus, options: TermOptions | None = None, min_count: int = 2,
                     prior_scale: float = DEFAULT_PRIOR_SCALE, exact: str | None = "mid-p",
                     adjust: str = "table") -> pd.DataFrame:
    """Return keyness rows for every pair of outlets, each pair once (first outlet as target).

    Columns and options as :func:`keyness`. Swapping a pair negates
    ``log_ratio``, ``log_odds`` and ``log_odds_z`` and leaves G² and p unchanged.
    """
    corpus.require_outlets(2)
    _check_choices(exact, adjust)
    outlets = _Outlets.of(term_matrix(corpus, options))
    tables = [_comparison(outlets, first, second, min_count, prior_scale, exact)
              for first, second in combinations(outlets.names, 2)]
    return _adjusted(tables, adjust)


def _check_outlet(name: str | None, names: list[str], corpus) -> None:
    if name is not None and name not in names:
        raise AnalysisError(f"{corpus.source}: no outlet named '{name}' (outlets: {', '.join(names)})")


def _check_choices(exact: str | None, adjust: str) -> None:
    if exact is not None and exact not in EXACT_TESTS:
        raise AnalysisError(f"the exact test is 'mid-p' or 'fisher', not '{exact}'")
    if adjust not in ADJUSTMENTS:
        raise AnalysisError(f"the adjustment is one of {', '.join(ADJUSTMENTS)}, not '{adjust}'")


def _adjusted(tables: list[pd.DataFrame], adjust: str) -> pd.DataFrame:
    """Return the tables joined, with ``p_adjusted`` and ``adjustment`` filled as ``adjust`` says."""
    if adjust == "comparison":
        for table in tables:
            table["p_adjusted"] = benjamini_hochberg(table["p_value"])
            table["adjustment"] = COMPARISON_ADJUSTMENT.format(n=len(table))
    joined = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=KEYNESS_COLUMNS)
    if adjust == "table":
        joined["p_adjusted"] = benjamini_hochberg(joined["p_value"].to_numpy(dtype=float))
        joined["adjustment"] = TABLE_ADJUSTMENT.format(n=len(joined))
    elif adjust == "none":
        joined["p_adjusted"] = joined["p_value"]
        joined["adjustment"] = NO_ADJUSTMENT
    labels = joined["adjustment"].unique()
    joined.attrs["adjustment"] = "; ".join(labels) if len(labels) else adjust
    return joined


@dataclass
class _Outlets:
    """A term matrix summed per outlet: counts, words, n-gram positions and sentences containing each term."""

    matrix: TermMatrix
    names: list[str]
    counts: sparse.csr_matrix
    sizes: np.ndarray
    positions: np.ndarray
    sentences: sparse.csr_matrix
    orders: np.ndarray  # n-gram order − 1 of each term

    @classmethod
    def of(cls, matrix: TermMatrix) -> "_Outlets":
        names, counts, sizes = matrix.grouped("outlet")
        _, indicator = matrix._indicator("outlet")
        orders = np.array([term.count(" ") for term in matrix.terms.tolist()], dtype=np.int64)
        return cls(matrix, names, counts, sizes, matrix.grouped_positions("outlet"),
                   (indicator @ matrix.sentence_counts).tocsr(), orders)


def _comparison(outlets: _Outlets, target, reference, min_count, prior_scale, exact) -> pd.DataFrame:
    row = outlets.names.index(target)
    target_counts = outlets.counts[row].toarray().ravel()
    pooled = np.asarray(outlets.counts.sum(axis=0)).ravel()
    pooled_positions = outlets.positions.sum(axis=0)
    if reference is None:
        reference_counts = pooled - target_counts
        reference_size = outlets.sizes.sum() - outlets.sizes[row]
        reference_positions = pooled_positions - outlets.positions[row]
    else:
        other = outlets.names.index(reference)
        reference_counts = outlets.counts[other].toarray().ravel()
        reference_size = outlets.sizes[other]
        reference_positions = outlets.positions[other]
    keep = (target_counts + reference_counts) >= max(min_count, 1)
    terms = outlets.matrix.terms[keep]
    orders = outlets.orders[keep]
    statistics = keyness_statistics(
        target_counts[keep], reference_counts[keep], outlets.sizes[row], reference_size,
        prior=pooled[keep] * prior_scale,
        target_total=outlets.positions[row][orders], reference_total=reference_positions[orders],
        prior_total=prior_scale * pooled_positions[orders], exact=exact,
    )
    documents = (outlets.matrix.documents["outlet"] == target).to_numpy()
    document_counts = outlets.matrix.counts[documents][:, keep]
    dispersion = (gries_dp(document_counts, outlets.matrix.documents["n_words"].to_numpy()[documents])
                  if documents.sum() > 1 else np.full(len(terms), np.nan))
    table = pd.DataFrame({
        "outlet": target,
        "reference": reference or REST,
        "term": terms,
        "n_grams": orders + 1,
        "count": target_counts[keep],
        "count_rest": reference_counts[keep],
        "per_1k": 1000 * target_counts[keep] / outlets.sizes[row],
        "per_1k_rest": 1000 * reference_counts[keep] / reference_size,
        **statistics,
        "n_documents": np.asarray((document_counts > 0).sum(axis=0)).ravel(),
        "n_sentences": outlets.sentences[row].toarray().ravel()[keep],
        "dp": dispersion,
    })
    table["p_adjusted"] = np.nan
    table["adjustment"] = ""
    # Most distinctive first, ties by term: the terms are sorted already, so a stable sort on the
    # negated score orders them as sort_values(["log_odds_z", "term"], ascending=[False, True]) (NaN last).
    order = np.argsort(-table["log_odds_z"].to_numpy(dtype=float), kind="stable")
    return table[KEYNESS_COLUMNS].take(order).reset_index(drop=True)


def keyness_by_event(corpus, options: TermOptions | None = None, min_count: int = 2,
                     prior_scale: float = DEFAULT_PRIOR_SCALE, exact: str | None = "mid-p",
                     adjust: str = "table") -> pd.DataFrame:
    """Return each outlet's keyness against the rest within each event that has two or more outlets.

    Columns: ``event`` then those of :func:`keyness` (options as there; "table"
    adjusts once over every event's tests). Raises AnalysisError when the
    corpus has no ``event`` values.
    """
    corpus.require_outlets(2)
    _check_choices(exact, adjust)
    if corpus.documents["event"].eq("").all():
        raise AnalysisError(f"{corpus.source}: no 'event' column (or it is empty): cannot compare within events")
    matrix = term_matrix(corpus, options)
    tables = []
    for event in sorted(set(matrix.documents["event"]) - {""}):
        outlets = _Outlets.of(matrix.subset((matrix.documents["event"] == event).to_numpy()))
        if len(outlets.names) < 2:
            continue
        for target in outlets.names:
            table = _comparison(outlets, target, None, min_count, prior_scale, exact)
            table.insert(0, "event", event)
            tables.append(table)
    if not tables:
        raise AnalysisError(f"{corpus.source}: no event has articles from two or more outlets")
    return _adjusted(tables, adjust)


PRIOR_SCALES = (0.01, 0.1, 1.0, 10.0)
Z_CRITICAL = 1.959963984540054  # two-sided 5 % of the standard normal


def log_odds_sensitivity(corpus, scales: Iterable[float] = PRIOR_SCALES, options: TermOptions | None = None,
                         min_count: int = 2, top: int = 5, z: float = Z_CRITICAL) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return how each outlet's log-odds results (against the rest) move with the prior's scale.

    The prior is α_w = scale × the term's count in the whole corpus, so α₀ is
    ``scale`` times the corpus's n-grams: at 1 the prior weighs as much as the
    data. Terms are those :func:`keyness` lists (``min_count``).

    Returns
    -------
    Two tables. ``summary``: one row per outlet and scale: ``outlet,
    prior_scale, alpha_0`` (the unigram α₀), ``n_terms, n_beyond`` (terms with
    \\|z\\| > ``z``), ``n_over`` (z > ``z``, over-used), ``top_term`` (highest z).
    ``ranks``: for each outlet's ``top`` terms at :data:`DEFAULT_PRIOR_SCALE`,
    ``outlet, term`` then ``rank_<scale>`` and ``z_<scale>`` per scale (rank 1 =
    highest z of the outlet at that scale).
    """
    scales = [float(scale) for scale in scales]
    if not scales or min(scales) <= 0:
        raise AnalysisError("prior scales must be positive numbers")
    matrix = term_matrix(corpus, options)
    words = int(matrix.documents["n_words"].sum())
    tables = []
    for scale in sorted(set(scales) | {DEFAULT_PRIOR_SCALE}):
        table = keyness(corpus, options=options, min_count=min_count, prior_scale=scale, matrix=matrix,
                        exact=None, adjust="none")
        table["rank"] = table.groupby("outlet", sort=False)["log_odds_z"].rank(ascending=False, method="min")
        tables.append(table.assign(prior_scale=scale))
    long = pd.concat(tables, ignore_index=True)
    summary = long.groupby(["outlet", "prior_scale"], sort=False).agg(
        n_terms=("term", "size"),
        n_beyond=("log_odds_z", lambda values: int((values.abs() > z).sum())),
        n_over=("log_odds_z", lambda values: int((values > z).sum())),
        top_term=("term", "first"),
    ).reset_index()
    summary.insert(2, "alpha_0", summary["prior_scale"] * words)
    summary = summary[summary["prior_scale"].isin(scales)].reset_index(drop=True)
    default = long[long["prior_scale"] == DEFAULT_PRIOR_SCALE]
    top_terms = default[default["rank"] <= top][["outlet", "term"]]
    ranks = top_terms.copy()
    for scale in sorted(set(scales)):
        at_scale = long[long["prior_scale"] == scale].set_index(["outlet", "term"])
        keys = pd.MultiIndex.from_frame(top_terms)
        ranks[f"rank_{scale:g}"] = at_scale["rank"].reindex(keys).astype(int).to_numpy()
        ranks[f"z_{scale:g}"] = at_scale["log_odds_z"].reindex(keys).to_numpy()
    return summary, ranks.reset_index(drop=True)


# --- keyness against general English ---------------------------------------------------------

REFERENCE_WORDLIST = "large"
"""wordfreq's English list: 321,180 words down to about 0.01 per million (Zipf 1)."""
ORDINARY_WORD_ZIPF = 3.0
"""Zipf frequency (once per million words) from which a capitalised term's lower-case form is an ordinary word."""
REFERENCE_OVER = 1.0
"""Log Ratio from which a term counts as over-used against general English (twice the rate)."""
REFERENCE_COLUMNS = ["outlet", "term", "count", "per_million", "reference_per_million", "in_reference",
                     "log_ratio", "expected", "n_outlets_using", "n_outlets_over", "pattern"]


def general_english_per_million(terms: Iterable[str], wordlist: str = REFERENCE_WORDLIST) -> tuple[np.ndarray, float]:
    """Return (each term's rate per million words in general English, the word list's floor per million).

    Rates come from the ``wordfreq`` package (Speer 2022; its data ship in its
    wheel, so no download): a blend of Wikipedia, subtitles, news, books, web
    text, Twitter and Reddit. The list is case-folded, so a term kept in capitals
    whose lower-case form is an ordinary word ("US" and "us", "WHO" and "who")
    has no rate of its own: NaN. A term not in the list gets 0.
    """
    from wordfreq import get_frequency_dict, word_frequency, zipf_frequency

    floor = 1e6 * min(get_frequency_dict("en", wordlist).values())
    rates = []
    for term in terms:
        if term != term.lower() and zipf_frequency(term.lower(), "en", wordlist) >= ORDINARY_WORD_ZIPF:
            rates.append(np.nan)
        else:
            rates.append(1e6 * word_frequency(term, "en", wordlist))
    return np.array(rates, dtype=float), floor


def reference_keyness(corpus, options: TermOptions | None = None, min_count: int = 2,
                      wordlist: str = REFERENCE_WORDLIST, over: float = REFERENCE_OVER) -> pd.DataFrame:
    """Return each outlet's words against general English (wordfreq), the way AntConc and quanteda use a reference corpus.

    Only single words are compared (wordfreq has no n-gram counts). The
    reference is read as proportions of a corpus far larger than the outlet's
    (billions of words), so its own sampling error is ignored and no p-value is
    given: wordfreq's rates are rounded, blend genres and are no sample of news.
    A word missing from the list is rarer than the list's floor (about 0.01 per
    million); its Log Ratio is computed at the floor, so it is a lower bound.

    Returns
    -------
    One row per outlet and word it uses ``min_count`` times or more: ``outlet,
    term, count, per_million`` (in the outlet), ``reference_per_million``
    (general English; the floor when missing), ``in_reference`` (whether the
    word is in the list), ``log_ratio`` (log₂ of per_million ÷
    reference_per_million), ``expected`` (the count the outlet would have at the
    general-English rate), ``n_outlets_using`` and ``n_outlets_over`` (outlets
    using the word, and outlets where its Log Ratio is at least ``over``), and
    ``pattern``: "over in every outlet" (the texts' shared topic or genre),
    "over in this outlet only" (this outlet's topic or house style),
    "over in some outlets", "not over" (Log Ratio below ``over``), or "no
    reference rate" (see :func:`general_english_per_million`). Sorted by
    outlet, then Log Ratio (descending; no rate last).
    """
    unigram_options = dataclasses.replace(options or default_options(), ngram=1)
    matrix = term_matrix(corpus, unigram_options)
    names, grouped, sizes = matrix.grouped("outlet")
    dense = grouped.toarray()
    rates, floor = general_english_per_million(matrix.terms, wordlist)
    reference = np.where(rates == 0, floor, rates)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.log2((1e6 * dense / sizes[:, None]) / reference)
    is_over = (dense > 0) & (ratios >= over)
    tables = []
    for index, outlet in enumerate(names):
        keep = dense[index] >= max(min_count, 1)
        n_over = is_over[:, keep].sum(axis=0)
        this_over = is_over[index, keep]
        pattern = np.select(
            [np.isnan(reference[keep]), ~this_over, n_over == len(names), n_over == 1],
            ["no reference rate", "not over", "over in every outlet", "over in this outlet only"],
            default="over in some outlets")
        tables.append(pd.DataFrame({
            "outlet": outlet,
            "term": matrix.terms[keep],
            "count": dense[index, keep],
            "per_million": 1e6 * dense[index, keep] / sizes[index],
            "reference_per_million": reference[keep],
            "in_reference": rates[keep] > 0,
            "log_ratio": ratios[index, keep],
            "expected": sizes[index] * reference[keep] / 1e6,
            "n_outlets_using": (dense[:, keep] > 0).sum(axis=0),
            "n_outlets_over": n_over,
            "pattern": pattern,
        }).sort_values(["log_ratio", "term"], ascending=[False, True]))
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=REFERENCE_COLUMNS)
    return table[REFERENCE_COLUMNS].reset_index(drop=True)


def reference_summary(reference_table: pd.DataFrame, n_examples: int = 6) -> pd.DataFrame:
    """Return, per outlet and ``pattern`` of :func:`reference_keyness`, how many words and which.

    Returns
    -------
    ``outlet, pattern, n_terms, examples`` (the words the outlet uses most
    beyond their general-English rate, count − expected, with their count and
    general-English rate per million in brackets). Patterns in
    the order: over in this outlet only, over in some outlets, over in every
    outlet, not over, no reference rate.
    """
    order = ["over in this outlet only", "over in some outlets", "over in every outlet", "not over",
             "no reference rate"]
    rows = []
    for (outlet, pattern), group in reference_table.groupby(["outlet", "pattern"], sort=False):
        top = group.assign(excess=group["count"] - group["expected"].fillna(0)).sort_values(
            ["excess", "term"], ascending=[False, True]).head(n_examples)
        examples = ", ".join(f"{term} ({count}; {rate:.3g})"
                             for term, count, rate in zip(top["term"], top["count"], top["reference_per_million"]))
        rows.append({"outlet": outlet, "pattern": pattern, "n_terms": len(group), "examples": examples})
    table = pd.DataFrame(rows, columns=["outlet", "pattern", "n_terms", "examples"])
    outlets = list(dict.fromkeys(reference_table["outlet"]))
    table = table.sort_values(["outlet", "pattern"], key=lambda column: column.map(
        {name: index for index, name in enumerate(outlets if column.name == "outlet" else order)}))
    return table.reset_index(drop=True)


def comparison_scope_sentence(corpus) -> str:
    """Return a sentence saying whether keyness here compares outlets or single texts, from the articles per outlet."""
    per_outlet = corpus.documents.groupby("outlet", sort=False).size()
    single = [markdown_text(name) for name, count in per_outlet.items() if count == 1]
    if len(single) == len(per_outlet):
        return (f"Every outlet here is one article, so each comparison is between texts: a difference says what "
                f"one article did, not what its outlet does, and no dispersion across documents (`dp`) can be "
                f"measured.")
    if single:
        return (f"{len(single)} of {len(per_outlet)} outlets are one article ({', '.join(single)}): their rows "
                f"compare texts; `dp` is measured for the others, over {per_outlet.max():,} articles at most.")
    return (f"Each outlet has {per_outlet.min():,} to {per_outlet.max():,} articles; `dp` shows whether a term is "
            f"spread over an outlet's articles (near 0) or sits in few of them (near 1).")


def summarise_event_keyness(event_keyness: pd.DataFrame, alpha: float = SIGNIFICANCE) -> pd.DataFrame:
    """Return, per outlet and term, how consistently the term marks the outlet across events.

    Returns
    -------
    ``outlet, term, n_events`` (events in which the outlet was compared),
    ``n_events_with_term`` (of those, events where the term occurs in the outlet),
    ``n_events_key`` (events where the term is significantly over-used:
    ``p_adjusted < alpha`` and ``log_ratio > 0``), ``share_events_key``,
    ``mean_log_ratio`` and ``mean_log_odds_z`` (over the events where the term
    occurs on either side). Sorted by ``n_events_key`` then ``mean_log_odds_z``.
    """
    events_per_outlet = event_keyness.groupby("outlet")["event"].nunique()
    table = event_keyness.assign(
        present=event_keyness["count"] > 0,
        key=(event_keyness["p_adjusted"] < alpha) & (event_keyness["log_ratio"] > 0),
    )
    summary = table.groupby(["outlet", "term"], sort=False).agg(
        n_events_with_term=("present", "sum"),
        n_events_key=("key", "sum"),
        mean_log_ratio=("log_ratio", "mean"),
        mean_log_odds_z=("log_odds_z", "mean"),
    ).reset_index()
    summary.insert(2, "n_events", summary["outlet"].map(events_per_outlet).astype(int))
    summary.insert(5, "share_events_key", summary["n_events_key"] / summary["n_events"])
    summary = summary.sort_values(["outlet", "n_events_key", "mean_log_odds_z", "term"],
                                  ascending=[True, False, False, True])
    return summary.reset_index(drop=True)


def term_frequencies(corpus, by: str = "outlet", options: TermOptions | None = None) -> pd.DataFrame:
    """Return how often each term occurs per outlet (``by="outlet"``) or per document (``by="document"``).

    Returns
    -------
    ``outlet`` or ``doc_id``, ``term``, ``n_grams``, ``count``, ``per_1k`` (per
    1,000 words of that outlet or document), ``n_documents`` (documents of the
    group that use the term) and ``rank`` (1 = most frequent in the group).
    Sorted by group (corpus order), then count (descending) and term.
    """
    if by not in ("outlet", "document"):
        raise AnalysisError(f"frequencies are by 'outlet' or 'document', not '{by}'")
    matrix = term_matrix(corpus, options)
    column = "outlet" if by == "outlet" else "doc_id"
    names, grouped, sizes = matrix.grouped(column)
    presence = matrix.counts.copy()
    presence.data = np.ones_like(presence.data)
    _, document_counts, _ = TermMatrix(presence, matrix.terms, matrix.documents).grouped(column)
    coo = grouped.tocoo()
    table = pd.DataFrame({
        column: np.array(names, dtype=object)[coo.row],
        "term": matrix.terms[coo.col],
        "count": coo.data,
        "n_documents": np.asarray(document_counts[coo.row, coo.col]).ravel().astype(int),
    })
    table = table[table["count"] > 0]
    table.insert(2, "n_grams", table["term"].str.count(" ") + 1)
    table.insert(4, "per_1k", 1000 * table["count"] / table[column].map(dict(zip(names, sizes))))
    order = {name: index for index, name in enumerate(names)}
    table = table.sort_values([column, "count", "term"], ascending=[True, False, True],
                              key=lambda col: col.map(order) if col.name == column else col)
    table["rank"] = table.groupby(column, sort=False).cumcount() + 1
    return table.reset_index(drop=True)


def lexical_profile(corpus, by: str = "outlet", window: int = 50) -> pd.DataFrame:
    """Return size and diversity measures per outlet or per document.

    Types and tokens count words (not punctuation or clitics) by their normalised
    form. The moving-average type–token ratio (Covington & McFall 2010) is the
    mean TTR of every ``window``-word stretch inside a document (windows never
    span two documents); it is NaN when no document has ``window`` words.

    Returns
    -------
    ``outlet`` (or ``doc_id``, ``outlet``), ``n_documents, n_sentences, n_tokens,
    n_types, ttr, mattr, mattr_window, mean_sentence_length,
    sd_sentence_length`` (words), ``quoted_share`` (share of words inside
    quotation marks).
    """
    if by not in ("outlet", "document"):
        raise AnalysisError(f"lexical profiles are by 'outlet' or 'document', not '{by}'")
    sentences = corpus.sentences
    words_by_doc: dict[str, list[str]] = {doc_id: [] for doc_id in corpus.documents["doc_id"]}
    for doc_id, text in zip(sentences["doc_id"], sentences["text"]):
        words_by_doc[doc_id].extend(t.norm for t in tokenize(text) if t.kind in ("word", "number"))
    key = "outlet" if by == "outlet" else "doc_id"
    rows = []
    for name, documents in corpus.documents.groupby(key, sort=False):
        doc_ids = documents["doc_id"].tolist()
        group_sentences = sentences[sentences["doc_id"].isin(doc_ids)]
        tokens = [word for doc_id in doc_ids for word in words_by_doc[doc_id]]
        windows = [ratio for doc_id in doc_ids for ratio in _window_ttrs(words_by_doc[doc_id], window)]
        lengths = group_sentences["n_words"]
        row = {"outlet": documents["outlet"].iloc[0]} if by == "outlet" else {
            "doc_id": name, "outlet": documents["outlet"].iloc[0]}
        row.update({
            "n_documents": len(doc_ids),
            "n_sentences": len(group_sentences),
            "n_tokens": len(tokens),
            "n_types": len(set(tokens)),
            "ttr": len(set(tokens)) / len(tokens) if tokens else np.nan,
            "mattr": float(np.mean(windows)) if windows else np.nan,
            "mattr_window": window,
            "mean_sentence_length": float(lengths.mean()) if len(lengths) else np.nan,
            "sd_sentence_length": float(lengths.std(ddof=1)) if len(lengths) > 1 else np.nan,
            "quoted_share": group_sentences["n_quoted_words"].sum() / lengths.sum() if lengths.sum() else np.nan,
        })
        rows.append(row)
    return pd.DataFrame(rows)


def _window_ttrs(words: list[str], window: int) -> list[float]:
    """Return the TTR of every run of ``window`` consecutive words (a sliding count, O(n))."""
    if window < 1:
        raise AnalysisError(f"the MATTR window must be at least 1 word, not {window}")
    if len(words) < window:
        return []
    counts: dict[str, int] = {}
    for word in words[:window]:
        counts[word] = counts.get(word, 0) + 1
    ratios = [len(counts) / window]
    for leaving, entering in zip(words, words[window:]):
        counts[leaving] -= 1
        if not counts[leaving]:
            del counts[leaving]
        counts[entering] = counts.get(entering, 0) + 1
        ratios.append(len(counts) / window)
    return ratios


def vocabulary_overlap(corpus, options: TermOptions | None = None, min_count: int = 1) -> pd.DataFrame:
    """Return each content term with the outlets that use it.

    Returns
    -------
    ``term, outlets`` (the outlets using it, in corpus order, joined by " + "),
    ``n_outlets``, ``count`` (in the whole corpus) and one ``count_<outlet>``
    column per outlet. Terms used fewer than ``min_count`` times in all are left
    out. Sorted by ``n_outlets`` (descending), ``count`` (descending), ``term``.
    """
    matrix = term_matrix(corpus, options)
    names, grouped, _ = matrix.grouped("outlet")
    dense = grouped.toarray()
    totals = dense.sum(axis=0)
    keep = totals >= min_count
    used = dense[:, keep] > 0
    table = pd.DataFrame({
        "term": matrix.terms[keep],
        "outlets": [" + ".join(name for name, flag in zip(names, column) if flag) for column in used.T],
        "n_outlets": used.sum(axis=0),
        "count": totals[keep],
    })
    for index, name in enumerate(names):
        table[f"count_{name}"] = dense[index, keep]
    table = table.sort_values(["n_outlets", "count", "term"], ascending=[False, False, True])
    return table.reset_index(drop=True)


def overlap_summary(overlap: pd.DataFrame, n_examples: int = 6) -> pd.DataFrame:
    """Return one row per combination of outlets: ``outlets, n_outlets, n_terms, examples``.

    ``examples`` are the most frequent terms of that combination. This is the
    table behind an UpSet chart. Sorted by ``n_terms`` (descending).
    """
    rows = []
    for outlets, group in overlap.groupby("outlets", sort=False):
        top = group.sort_values(["count", "term"], ascending=[False, True])["term"].head(n_examples)
        rows.append({"outlets": outlets, "n_outlets": int(group["n_outlets"].iloc[0]),
                     "n_terms": len(group), "examples": ", ".join(top)})
    table = pd.DataFrame(rows, columns=["outlets", "n_outlets", "n_terms", "examples"])
    return table.sort_values(["n_terms", "outlets"], ascending=[False, True]).reset_index(drop=True)


def significance_sentence(keyness_table: pd.DataFrame, alpha: float = SIGNIFICANCE) -> str:
    """Return a sentence saying how many listed terms are significant after adjustment, per outlet, and which adjustment."""
    parts = []
    for (outlet, reference), group in keyness_table.groupby(["outlet", "reference"], sort=False):
        over = group[(group["log_ratio"] > 0)]
        significant = over[over["p_adjusted"] < alpha]
        versus = "the other outlets" if reference == REST else markdown_text(reference)
        names = ", ".join(f"“{markdown_text(term)}”" for term in significant["term"].head(5))
        parts.append(
            f"{markdown_text(outlet)} vs {versus}: {len(significant)} of {len(over)} over-used terms significant "
            f"(adjusted p < {alpha})" + (f", e.g. {names}" if names else "")
        )
    sentence = "; ".join(parts) + "."
    if "test" in keyness_table and "adjustment" in keyness_table and len(keyness_table):
        tests = keyness_table["test"].value_counts()
        used = " and ".join(f"{markdown_text(name)} for {count:,}" for name, count in tests.items())
        adjustments = ", ".join(markdown_text(label) for label in keyness_table["adjustment"].unique())
        sentence += f" Tests: {used} terms; adjustment: {adjustments}."
    return sentence


# --- figures ---------------------------------------------------------------------------------


def merge_subsumed_terms(key_terms: pd.DataFrame, count_column: str = "count",
                         group_columns: tuple[str, ...] = ("outlet", "reference")) -> pd.DataFrame:
    """Return ``key_terms`` with each n-gram that only ever occurs inside a longer listed n-gram merged into it.

    Within each group (by default one comparison: ``outlet`` and ``reference``), a
    term is subsumed by a longer term of the group when its words are a run of the
    longer term's words ("york city" in "new york city") and both have the same
    ``count_column`` (every occurrence of the longer term holds one of the shorter,
    so an equal count means the shorter never occurs elsewhere in that outlet).
    The subsumed row is dropped and the longest such term (then the first in
    alphabetical order) keeps it: "new york city" stands for "york", "new york",
    "york city" and "city" when all four have its count.

    Returns
    -------
    The kept rows in their original order, with one more column, ``subsumes``:
    the terms merged into the row, ``; ``-separated in alphabetical order ('' for none).
    """
    table = key_terms.copy()
    table["subsumes"] = ""
    if table.empty:
        return table.reset_index(drop=True)
    subsumes: dict = {}
    groups = [column for column in group_columns if column in table]
    keyed = table.groupby(groups, sort=False) if groups else [((), table)]
    dropped: set = set()
    for _, group in keyed:
        terms = group["term"].astype(str)
        counts = group[count_column]
        # For each count, every shorter run of words inside a term → the term that would keep it (longest,
        # then first in alphabetical order, then first row): one pass, not a comparison of every pair.
        keepers: dict = {}
        for index, term, count in zip(group.index, terms, counts):
            words = term.split(" ")
            for start in range(len(words)):
                for stop in range(start + 1, len(words) + 1):
                    if stop - start < len(words):
                        run = (count, " ".join(words[start:stop]))
                        candidate = (-len(words), term, index)
                        if run not in keepers or candidate < keepers[run]:
                            keepers[run] = candidate
        absorbed: dict = {}
        for index, term, count in zip(group.index, terms, counts):
            keeper = keepers.get((count, term))
            if keeper is not None:
                absorbed.setdefault(keeper[2], []).append(term)
                dropped.add(index)
        for keeper, merged in absorbed.items():
            subsumes[keeper] = "; ".join(sorted(merged))
    # One assignment, not one per row: setting a single cell of a text column costs 80 µs.
    table["subsumes"] = [subsumes.get(index, "") for index in table.index]
    return table.drop(index=sorted(dropped)).reset_index(drop=True)


def plot_distinctive_terms(keyness_table: pd.DataFrame, corpus, top: int = 10, alpha: float = SIGNIFICANCE,
                           merge: bool = True):
    """Return a figure: per outlet, the ``top`` terms it uses more than the rest with the strongest evidence.

    One statistic ranks, sizes and shades every bar: the keyness test the tables and
    the study page report (G², or the exact mid-p where an expected count is below 5).
    Terms are ranked by its p-value (ties: larger log-odds z, then the term), each
    bar's length is −log₁₀ p, and a bar is solid when the p-value adjusted for the
    many terms tested (``p_adjusted``) is below ``alpha``; hollow bars are leads, not
    findings. With ``merge``, n-grams that only occur inside a longer listed n-gram
    are shown once, as the longest form (:func:`merge_subsumed_terms`), before the
    ``top`` are taken. Each bar is labelled with the term's counts (outlet / rest).
    """
    from analysis.style import NEUTRAL, add_source_line, corpus_label, new_figure, outlet_colors

    colors = outlet_colors(corpus.outlets)
    table = merge_subsumed_terms(keyness_table) if merge else keyness_table
    groups = [(name, group) for name, group in table.groupby("outlet", sort=False)]
    figure, axes_list = new_figure(7.5, 1.2 + 0.32 * top * max(len(groups), 1), nrows=max(len(groups), 1),
                                   squeeze=False)
    for axes, (outlet, group) in zip(axes_list[:, 0], groups):
        over = group[group["log_odds_z"] > 0].assign(evidence=lambda rows: -np.log10(rows["p_value"]))
        over = over.sort_values(["p_value", "log_odds_z", "term"], ascending=[True, False, True])
        rows = over.head(top).iloc[::-1]
        significant = rows["p_adjusted"] < alpha
        color = colors.get(outlet, NEUTRAL)
        positions = np.arange(len(rows))
        axes.barh(positions, rows["evidence"], color=[color if s else "white" for s in significant],
                  edgecolor=color, linewidth=1.2)
        axes.set_yticks(positions, list(rows["term"]))
        for y, (value, count, rest) in enumerate(zip(rows["evidence"], rows["count"], rows["count_rest"])):
            axes.annotate(f"{count}/{rest}", (value, y), xytext=(3, 0), textcoords="offset points", va="center",
                          fontsize=7.5, bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.3})
        reference = group["reference"].iloc[0]
        versus = "the other outlets" if reference == REST else reference
        axes.set_title(f"{outlet}: words used more than {versus}", color="black")
        axes.set_xlabel("evidence: −log₁₀ p of the keyness test (2 means p = 0.01)")
        axes.set_xlim(0, max(2.0, float(rows["evidence"].max()) if len(rows) else 0.0) * 1.25)
        axes.grid(axis="y", visible=False)
    figure.suptitle(f"Distinctive terms per outlet, ranked by the keyness test (G², exact mid-p for small counts); "
                    f"solid: p < {alpha} after adjusting for every term tested; counts: outlet/rest; longer n-grams "
                    "stand for the shorter ones inside them", x=0.0, ha="left", fontsize=8.5, wrap=True)
    figure.tight_layout()
    add_source_line(figure, corpus_label(corpus))
    return figure


def plot_vocabulary_overlap(summary: pd.DataFrame, corpus):
    """Return an UpSet-style figure: bars of terms per combination of outlets, with a dot matrix below."""
    from analysis.style import NEUTRAL, add_source_line, corpus_label, new_figure, outlet_colors

    outlets = corpus.outlets
    colors = outlet_colors(outlets)
    figure, (bars, matrix) = new_figure(
        max(5.0, 0.7 * len(summary) + 2), 2.2 + 0.35 * len(outlets), nrows=2, sharex=True,
        gridspec_kw={"height_ratios": [3, max(1, 0.4 * len(outlets))], "hspace": 0.05},
    )
    positions = np.arange(len(summary))
    bars.bar(positions, summary["n_terms"], color=NEUTRAL, width=0.6)
    for x, value in zip(positions, summary["n_terms"]):
        bars.text(x, value, str(value), ha="center", va="bottom", fontsize=8)
    bars.set_ylabel("content terms (count)")
    bars.set_title("Shared and unique vocabulary: terms used by exactly these outlets")
    bars.grid(axis="x", visible=False)
    for row, outlet in enumerate(outlets):
        members = [outlet in combination.split(" + ") for combination in summary["outlets"]]
        matrix.scatter(positions, [row] * len(positions), s=60,
                       color=[colors[outlet] if member else "#E6E6E6" for member in members], zorder=3)
    for x, combination in zip(positions, summary["outlets"]):
        rows = [outlets.index(name) for name in combination.split(" + ")]
        matrix.plot([x, x], [min(rows), max(rows)], color=NEUTRAL, linewidth=1.5, zorder=2)
    matrix.set_yticks(range(len(outlets)), outlets)
    matrix.set_ylim(-0.6, len(outlets) - 0.4)
    matrix.invert_yaxis()
    matrix.set_xticks([])
    matrix.grid(False)
    for side in ("left", "bottom"):
        matrix.spines[side].set_visible(False)
    add_source_line(figure, corpus_label(corpus))
    return figure


def pair_frequencies(corpus, first: str, second: str, options: TermOptions | None = None,
                     min_count: int = 2, prior_scale: float = DEFAULT_PRIOR_SCALE) -> pd.DataFrame:
    """Return keyness of ``first`` against ``second`` (as :func:`keyness`), for a frequency scatter."""
    return keyness(corpus, outlet=first, vs=second, options=options, min_count=min_count, prior_scale=prior_scale)


def plot_term_scatter(pair: pd.DataFrame, corpus, n_labels: int = 12):
    """Return a scatter of per-1,000-word frequencies of two outlets, most distinctive terms labelled.

    Axes are logarithmic; a term missing on one side is drawn at half the
    smallest plotted rate. Labels are placed greedily around their points and a
    label that would overlap another (or a drawn label's point) is left out.
    """
    from analysis.style import NEUTRAL, add_source_line, corpus_label, new_figure, outlet_colors

    first, second = pair["outlet"].iloc[0], pair["reference"].iloc[0]
    colors = outlet_colors(corpus.outlets)
    floor = 0.5 * min(pair.loc[pair["per_1k"] > 0, "per_1k"].min(), pair.loc[pair["per_1k_rest"] > 0,
                                                                                "per_1k_rest"].min())
    x = pair["per_1k_rest"].where(pair["per_1k_rest"] > 0, floor)
    y = pair["per_1k"].where(pair["per_1k"] > 0, floor)
    figure, axes = new_figure(6.5, 6.0)
    axes.scatter(x, y, s=10, color="#BBBBBB", zorder=2)
    top_first = pair.nlargest(n_labels // 2, "log_odds_z")
    top_second = pair.nsmallest(n_labels - n_labels // 2, "log_odds_z")
    axes.scatter(x[top_first.index], y[top_first.index], s=18, color=colors[first], zorder=3)
    axes.scatter(x[top_second.index], y[top_second.index], s=18, color=colors[second], zorder=3)
    limit = (floor * 0.8, max(x.max(), y.max()) * 1.5)
    axes.plot(limit, limit, color=NEUTRAL, linewidth=0.8, linestyle="--", zorder=1)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlim(limit)
    axes.set_ylim(limit)
    axes.set_xlabel(f"{second}: occurrences per 1,000 words (log scale)")
    axes.set_ylabel(f"{first}: occurrences per 1,000 words (log scale)")
    axes.set_title(f"Term frequencies, {first} vs {second}: distinctive terms labelled")
    order = pd.concat([top_first, top_second]).sort_values("log_odds_z", key=np.abs, ascending=False)
    place_labels(axes, [(x[i], y[i], term) for i, term in zip(order.index, order["term"])])
    add_source_line(figure, corpus_label(corpus))
    return figure


def place_labels(axes, points: list[tuple[float, float, str]], fontsize: float = 8) -> list:
    """Draw labels next to their points, each where it overlaps no drawn label; return the drawn Text objects.

    Candidate spots are tried in a fixed order (right, left, above, below, and the
    four diagonals); a label with no free spot is not drawn. Deterministic.
    """
    figure = axes.figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    offsets = [(6, 0, "left", "center"), (-6, 0, "right", "center"), (0, 6, "center", "bottom"),
               (0, -6, "center", "top"), (6, 6, "left", "bottom"), (-6, 6, "right", "bottom"),
               (6, -6, "left", "top"), (-6, -6, "right", "top")]
    placed_boxes, drawn = [], []
    for x, y, label in points:
        for dx, dy, horizontal, vertical in offsets:
            text = axes.annotate(label, (x, y), xytext=(dx, dy), textcoords="offset points",
                                 ha=horizontal, va=vertical, fontsize=fontsize, zorder=4)
            box = text.get_window_extent(renderer).expanded(1.05, 1.15)
            if not any(box.overlaps(other) for other in placed_boxes):
                placed_boxes.append(box)
                drawn.append(text)
                break
            text.remove()
    return drawn


def key_term_contexts(corpus, keyness_table: pd.DataFrame, n_terms: int = 3, window: int = 8) -> pd.DataFrame:
    """Return the concordance lines of each outlet's ``n_terms`` most distinctive terms, in that outlet's text.

    Returns
    -------
    ``outlet, term, doc_id, role, sentence_id, left, match, right``: every
    occurrence, so a reader can check what a key term stands for.
    """
    from analysis.concordance import concordance

    tables = []
    over_used = keyness_table[keyness_table["log_ratio"] > 0]
    for outlet, group in over_used.groupby("outlet", sort=False):
        for term in group["term"].head(n_terms):
            lines = concordance(corpus, term, window=window)
            lines = lines[lines["outlet"] == outlet]
            tables.append(lines.assign(term=term)[["outlet", "term", "doc_id", "role", "sentence_id",
                                                   "left", "match", "right"]])
    columns = ["outlet", "term", "doc_id", "role", "sentence_id", "left", "match", "right"]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)
