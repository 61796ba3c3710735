"""Keyword in context: every sentence behind a count, with the match and the words around it.

:func:`concordance` returns the lines, in corpus order or sorted by a word next
to the match (``sort_by``: L1, L2, R1, R2, as in AntConc); :func:`left_context`
and :func:`right_context` cut the context at white space, so no word is ever cut.
"""

from __future__ import annotations

import pandas as pd

from analysis.codebook import Codebook, Term, phrase_pattern
from analysis.errors import AnalysisError
from analysis.framing import find_group_matches, frame_matches, naming_matches
from analysis.text import WORD_KINDS, count_words, tokenize

KWIC_COLUMNS = ["doc_id", "outlet", "role", "sentence_id", "frame", "term", "left", "match", "right"]
SORT_KEYS = ("L1", "L2", "R1", "R2")


def concordance(
    corpus,
    phrase: str | None = None,
    *,
    frame: str | None = None,
    term: str | None = None,
    codebook: Codebook | None = None,
    window: int = 8,
    sort_by: str | None = None,
) -> pd.DataFrame:
    """Return one row per match of ``phrase``, or of a codebook ``frame`` or ``term``, with its context.

    Give exactly one of ``phrase`` (matched like a codebook phrase: case, quotes,
    hyphens, plurals and "…" gaps handled as in :mod:`analysis.matching`),
    ``frame`` (every counted match of the frame's terms) or ``term`` (a term's
    label, or a naming set's label; its counted matches in every frame or naming
    set that lists it). Lines for a frame
    or term are exactly the matches that :func:`analysis.framing.term_counts`
    counts. The context is taken from the match's own sentence.

    Returns
    -------
    DataFrame with columns ``doc_id, outlet, role, sentence_id, frame`` (empty for
    a phrase), ``term``, ``left`` (up to ``window`` words before the match),
    ``match`` (as printed) and ``right`` (up to ``window`` words after it), in
    corpus order; with ``sort_by`` (:func:`kwic_sort_key`) sorted by the first
    (``"L1"``) or second (``"L2"``) word left of the match, or right of it
    (``"R1"``, ``"R2"``), then by the next word further out, then in corpus order.
    """
    if sort_by is not None and sort_by not in SORT_KEYS:
        raise AnalysisError(f"concordance: sort by one of {', '.join(SORT_KEYS)}, not {sort_by!r}")
    if sum(value is not None for value in (phrase, frame, term)) != 1:
        raise AnalysisError("concordance: give exactly one of a phrase, a frame or a term")
    if not isinstance(window, int) or window < 0:
        raise AnalysisError(f"concordance: the window must be a whole number of words ≥ 0, not {window!r}")
    if phrase is not None:
        text = phrase.strip()
        try:
            pattern = phrase_pattern(text)
        except ValueError:
            raise AnalysisError(f"concordance: the phrase '{phrase}' has no words") from None
        matches = find_group_matches(corpus, [("", (Term(text, pattern),))])
    else:
        if codebook is None:
            raise AnalysisError("concordance: a frame or a term needs a codebook")
        if frame is not None:
            if frame not in codebook.frame_names:
                raise AnalysisError(f"no frame '{frame}' in the codebook (frames: {', '.join(codebook.frame_names)})")
            matches = frame_matches(corpus, codebook)
            matches = matches[matches["frame"] == frame]
        else:
            terms = {item.label for entry in codebook.frames for item in entry.terms}
            labels = {label.label for naming in codebook.naming_sets for label in naming.labels}
            if term not in terms | labels:
                raise AnalysisError(f"no term or naming label '{term}' in the codebook {codebook.source}".rstrip())
            found = [frame_matches(corpus, codebook) if term in terms else None,
                     naming_matches(corpus, codebook) if term in labels else None]
            matches = pd.concat([table[table["term"] == term] for table in found if table is not None])
            matches = _in_corpus_order(matches, corpus)
    texts = dict(zip(corpus.sentences["sentence_id"], corpus.sentences["text"]))
    rows, keys = [], []
    for match in matches.itertuples(index=False):
        text = texts[match.sentence_id]
        rows.append((match.doc_id, match.outlet, match.role, match.sentence_id, match.frame, match.term,
                     left_context(text[:match.start], window), match.match, right_context(text[match.end:], window)))
        if sort_by is not None:
            keys.append(kwic_sort_key(text[:match.start], text[match.end:], sort_by))
    if sort_by is not None:
        rows = [row for _, row in sorted(zip(keys, rows), key=lambda pair: pair[0])]  # stable: ties keep corpus order
    return pd.DataFrame(rows, columns=KWIC_COLUMNS)


def kwic_sort_key(before: str, after: str, sort_by: str) -> tuple:
    """Return the sort key of one line: the sorting word and the next word out, each ``(present, casefolded)``.

    ``before`` and ``after`` are the match's whole sentence on either side (not
    only the words shown), so a line sorts the same at any window. Words are the
    text model's words and numbers (punctuation and the clitic "'s" are skipped);
    a line without the word (the match starts or ends its sentence) sorts first.
    """
    side, place = sort_by[0], int(sort_by[1])
    words = [token.norm.casefold() for token in tokenize(before if side == "L" else after)
             if token.kind in WORD_KINDS]
    if side == "L":
        words.reverse()
    return tuple((True, words[index]) if index < len(words) else (False, "") for index in (place - 1, place))


def _in_corpus_order(matches: pd.DataFrame, corpus) -> pd.DataFrame:
    order = {sentence_id: rank for rank, sentence_id in enumerate(corpus.sentences["sentence_id"])}
    return matches.sort_values(["sentence_id", "start"], key=lambda column: column.map(order)
                               if column.name == "sentence_id" else column, kind="stable")


def left_context(text: str, window: int) -> str:
    """Return the last ``window`` words of ``text`` (cut at white space; punctuation stays with its word)."""
    return " ".join(_chunks_within(text.split()[::-1], window)[::-1])


def right_context(text: str, window: int) -> str:
    """Return the first ``window`` words of ``text`` (cut at white space; punctuation stays with its word)."""
    return " ".join(_chunks_within(text.split(), window))


def _chunks_within(chunks: list[str], window: int) -> list[str]:
    """Return the leading white-space chunks that hold at most ``window`` words of the text model."""
    kept: list[str] = []
    words = 0
    for chunk in chunks:
        words += count_words(chunk)
        if words > window:
            break
        kept.append(chunk)
    return kept
