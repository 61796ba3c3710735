"""Collocates: the words found near a node (a phrase, or every match of a codebook frame), scored per outlet.

The node is found exactly as the framing step finds terms (:func:`analysis.framing.find_group_matches`
for a phrase compiled with :func:`analysis.matching.compile_phrase`, :func:`analysis.framing.frame_matches`
for a frame). Around each match the collocational span is the ``window`` words to its left and the
``window`` words to its right in the same sentence (words and numbers of the text model,
:func:`analysis.text.tokenize`; punctuation and the clitic "'s" are not words and are skipped, so a
comma does not use up the window). The words of the match itself (including any words inside a "…"
gap) are never in a span: a node is not its own collocate. Where the spans of two matches overlap,
each word is counted once, so that the counts make a proper 2×2 table.

For each outlet and each word type (its normalised form, ``norm``) seen in the spans, the table is

=====================  ========================  =====================
..                     the collocate             any other word
in the spans           O11 = ``n_together``      O12 = span words − O11
outside the spans      O21 = ``n_collocate`` − O11  O22 = the rest
=====================  ========================  =====================

with N = the outlet's words (``n_words``). Following Evert (2008, "Corpora and collocations",
section 5.2) for window-based co-occurrence, the expected count is E = f(node) · f(collocate) ·
span / N, where ``span`` is the mean number of words actually inside the window per node
occurrence (at most 2 × ``window``; fewer where a sentence ends or two windows overlap). This
is the row total of the table times the column total over N, so G² and E agree.

Measures: ``g2`` (log-likelihood over the four cells, signed: negative when the word is rarer near
the node than elsewhere), ``p_value`` (χ², one degree of freedom, of the unsigned G²), ``mi``
(pointwise mutual information, log2 O/E), ``t_score`` ((O − E)/√O) and ``log_dice`` (Rychlý 2008:
14 + log2 of 2·O/(f(node) + f(collocate))). Public function: :func:`collocates`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from functools import lru_cache
from typing import Iterable

import numpy as np
import pandas as pd
from scipy.special import chdtrc, xlogy

from analysis.codebook import Codebook, Term
from analysis.errors import AnalysisError
from analysis.framing import find_group_matches, frame_matches
from analysis.matching import PatternError, compile_phrase
from analysis.text import WORD_KINDS, tokenize

MAX_WINDOW = 50
ALL = "all"  # the outlet label when the whole corpus is one group (by="corpus")
COLLOCATE_COLUMNS = ["outlet", "node", "collocate", "window", "span", "n_together", "n_collocate", "n_node",
                     "n_words", "expected", "g2", "p_value", "mi", "t_score", "log_dice"]
MEASURES = ("g2", "mi", "t_score", "log_dice")


def collocates(corpus, node: str | None = None, frame: str | None = None, codebook: Codebook | None = None,
               window: int = 5, min_count: int = 2, by: str = "outlet",
               stop_words: Iterable[str] = ()) -> pd.DataFrame:
    """Return the words within ``window`` words of each match of ``node`` (or of ``frame``), scored per outlet.

    Give exactly one of ``node`` (a phrase, with the codebook's phrase syntax) and
    ``frame`` (a frame of ``codebook``). Words whose normalised form is in
    ``stop_words`` are not listed (they still count as words of the text, in the
    window and in N). Only collocates seen ``min_count`` times or more near the node
    are listed. ``by="corpus"`` scores the whole corpus as one group, named "all".

    Returns
    -------
    DataFrame with columns ``outlet``, ``node`` (the phrase, or the frame's name),
    ``collocate`` (a normalised word form), ``window``, ``span`` (mean words in the
    window per node occurrence), ``n_together`` (O: occurrences of the collocate
    inside the spans), ``n_collocate`` (its occurrences in the outlet), ``n_node``
    (matches of the node in the outlet), ``n_words`` (N: the outlet's words),
    ``expected`` (E), ``g2``, ``p_value``, ``mi``, ``t_score``, ``log_dice`` (see the
    module notes), ordered by outlet (corpus order), then G² (largest first), then
    collocate.
    """
    _check_settings(window, min_count, by)
    matches, label = _node_matches(corpus, node, frame, codebook)
    return _collocates(corpus, matches, label, window, min_count, by, stop_words, _word_counts(corpus, by))


def _check_settings(window, min_count, by) -> None:
    """Raise AnalysisError (one line) unless the window, minimum count and grouping are ones collocates takes."""
    if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= MAX_WINDOW:
        raise AnalysisError(f"collocates: the window must be a whole number of words from 1 to {MAX_WINDOW}, "
                            f"not {window!r}")
    if not isinstance(min_count, int) or isinstance(min_count, bool) or min_count < 1:
        raise AnalysisError(f"collocates: the minimum count must be a whole number ≥ 1, not {min_count!r}")
    if by not in ("outlet", "corpus"):
        raise AnalysisError(f"collocates: group by 'outlet' or 'corpus', not {by!r}")


def _word_counts(corpus, by: str) -> tuple[Counter, Counter]:
    """Return the words of each group (``by`` outlet or the whole corpus) and of each (group, word form)."""
    group_of = (lambda outlet: outlet) if by == "outlet" else (lambda outlet: ALL)
    words = corpus.tokens[corpus.tokens["kind"].isin(WORD_KINDS)]
    return (Counter(group_of(outlet) for outlet in words["outlet"]),
            Counter(zip(map(group_of, words["outlet"]), words["norm"])))


def _collocates(corpus, matches: pd.DataFrame, label: str, window: int, min_count: int, by: str,
                stop_words: Iterable[str], word_counts: tuple[Counter, Counter]) -> pd.DataFrame:
    """Return :func:`collocates` of the node whose ``matches`` are given, with the corpus's ``word_counts``."""
    group_of = (lambda outlet: outlet) if by == "outlet" else (lambda outlet: ALL)
    groups = list(dict.fromkeys(group_of(outlet) for outlet in corpus.outlets))
    n_words, frequency = word_counts
    texts = dict(zip(corpus.sentences["sentence_id"], corpus.sentences["text"]))
    n_node: Counter = Counter()
    span_words: Counter = Counter()
    together: Counter = Counter()
    for (outlet, sentence_id), found in matches.groupby(["outlet", "sentence_id"], sort=False):
        group = group_of(outlet)
        spans = list(zip(found["start"], found["end"]))
        inside = _span_words(texts[sentence_id], spans, window)
        n_node[group] += len(spans)
        span_words[group] += len(inside)
        together.update((group, norm) for norm in inside)

    excluded = set(stop_words)
    rows = [(group, label, norm, count) for (group, norm), count in together.items()
            if count >= min_count and norm not in excluded]
    table = pd.DataFrame(rows, columns=["outlet", "node", "collocate", "n_together"])
    table["window"] = window
    table["span"] = [span_words[group] / n_node[group] for group in table["outlet"]]
    table["n_collocate"] = [frequency[(group, norm)] for group, norm in zip(table["outlet"], table["collocate"])]
    table["n_node"] = [n_node[group] for group in table["outlet"]]
    table["n_words"] = [n_words[group] for group in table["outlet"]]
    table = _scored(table, np.array([span_words[group] for group in table["outlet"]], dtype=float))
    rank = {group: index for index, group in enumerate(groups)}
    table["_outlet"] = table["outlet"].map(rank)
    table = table.sort_values(["_outlet", "g2", "collocate"], ascending=[True, False, True], kind="stable")
    return table[COLLOCATE_COLUMNS].reset_index(drop=True).astype(
        {"window": int, "n_together": int, "n_collocate": int, "n_node": int, "n_words": int})


def _node_matches(corpus, node: str | None, frame: str | None, codebook: Codebook | None):
    """Return the node's matches (the columns of :func:`analysis.framing.frame_matches`) and its label."""
    if (node is None) == (frame is None):
        raise AnalysisError("collocates: give exactly one of a node phrase or a frame")
    if node is not None:
        text = node.strip()
        try:
            phrase = compile_phrase(text)
        except PatternError as problem:
            raise AnalysisError(f"collocates: the phrase '{node}' {problem}") from None
        return find_group_matches(corpus, [("", (Term(text, phrase.pattern),))]), text
    if codebook is None:
        raise AnalysisError("collocates: a frame needs a codebook")
    if frame not in codebook.frame_names:
        raise AnalysisError(f"no frame '{frame}' in the codebook (frames: {', '.join(codebook.frame_names)})")
    matches = frame_matches(corpus, codebook)
    return matches[matches["frame"] == frame], frame


def _span_words(text: str, spans: list[tuple[int, int]], window: int) -> list[str]:
    """Return the normalised words of ``text`` within ``window`` words of any span, each word once.

    Words that overlap a span (the node's own words) are never returned.
    """
    starts, ends, norms = _words_of(text)
    node_indices: set[int] = set()
    near: set[int] = set()
    for start, end in spans:
        before = bisect_right(ends, start)  # words wholly before the match (words are in order, apart)
        through = bisect_left(starts, end)  # words that start before the match ends
        node_indices.update(range(before, through))
        near.update(range(max(0, before - window), before))
        near.update(range(through, min(len(norms), through + window)))
    return [norms[index] for index in sorted(near - node_indices)]


@lru_cache(maxsize=20_000)
def _words_of(text: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[str, ...]]:
    """Return the start and end offsets and the normalised forms of the words of ``text``, in order (kept for the
    next frame whose matches fall in the same sentence)."""
    starts, ends, norms, position = [], [], [], 0
    for token in tokenize(text):
        start = text.find(token.text, position)  # tokens are substrings of the text, in order
        position = start + len(token.text)
        if token.kind in WORD_KINDS:
            starts.append(start)
            ends.append(position)
            norms.append(token.norm)
    return tuple(starts), tuple(ends), tuple(norms)


def _scored(table: pd.DataFrame, span_total: np.ndarray) -> pd.DataFrame:
    """Return ``table`` with ``expected, g2, p_value, mi, t_score, log_dice`` from its counts."""
    observed = table["n_together"].to_numpy(dtype=float)
    collocate = table["n_collocate"].to_numpy(dtype=float)
    total = table["n_words"].to_numpy(dtype=float)
    node = table["n_node"].to_numpy(dtype=float)
    cells = [observed, span_total - observed, collocate - observed, total - span_total - collocate + observed]
    rows = [span_total, span_total, total - span_total, total - span_total]
    columns = [collocate, total - collocate, collocate, total - collocate]
    g2 = np.zeros(len(table))
    for cell, row, column in zip(cells, rows, columns):
        expected_cell = row * column / np.where(total > 0, total, 1)
        g2 += 2 * (xlogy(cell, cell) - xlogy(cell, expected_cell))
    expected = span_total * collocate / total
    g2 = np.maximum(g2, 0)  # rounding can leave -1e-15 where O = E
    table["expected"] = expected
    table["g2"] = np.where(observed < expected, -g2, g2)
    table["p_value"] = chdtrc(1, g2)  # = scipy.stats.chi2.sf(g2, 1), without importing scipy.stats at start-up
    table["mi"] = np.log2(observed / expected)
    table["t_score"] = (observed - expected) / np.sqrt(observed)
    table["log_dice"] = 14 + np.log2(2 * observed / (node + collocate))
    return table


def frame_collocates(corpus, codebook: Codebook, window: int = 5, min_count: int = 2, top: int = 5,
                     stop_words: Iterable[str] = ()) -> pd.DataFrame:
    """Return, for every frame of ``codebook`` and every outlet, the ``top`` collocates of the frame's matches.

    The rows of :func:`collocates` (``node`` is the frame), keeping per frame and
    outlet the collocates with the largest positive G² (words found near the frame
    more often than their frequency in the outlet predicts), in codebook order.
    """
    _check_settings(window, min_count, "outlet")
    tables = []
    word_counts = _word_counts(corpus, "outlet")  # the same for every frame
    stop_words = tuple(stop_words)
    for frame in codebook.frame_names:
        matches, label = _node_matches(corpus, None, frame, codebook)
        found = _collocates(corpus, matches, label, window, min_count, "outlet", stop_words, word_counts)
        tables.append(found[found["g2"] > 0].groupby("outlet", sort=False).head(top))
    if not tables:
        return pd.DataFrame()
    return pd.concat(tables, ignore_index=True)
