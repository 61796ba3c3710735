"""Framing terms: where the terms of each frame occur, counted per outlet, role and position, and plotted.

Every table here is built from one list of matches (:func:`frame_matches`): each
term of a codebook is found in every sentence of the article's own text
(``corpus.sentences``: headline, standfirst, subheadings, captions, body) with
:mod:`analysis.matching`. Within one frame, overlapping matches count once, for
the longest (then the earliest, then the first listed) term, so that "banned
ballistic missiles" and "ballistic missiles" in one frame make one match; then
adjacent matches of one frame (nothing but spaces and hyphens between them, as in
"COVID-19 pandemic" or "KCNA news agency") make one mention, counted under the
first term. Each match is marked as quoted when it begins inside quotation marks.
Frames are counted independently: a span may count for two frames, and the frame
totals must not be added up across frames. Naming sets are resolved the same way,
one label per span, without the adjacency merge.

Tables, in order: :func:`frame_matches`, :func:`naming_matches`,
:func:`term_counts`, :func:`frame_counts` (matches in the outlet's own voice and in
quotations, sentences with the frame), :func:`frame_ranking` (the leading frame or
frames tied within a tolerance), :func:`leave_one_term_out` (rankings that rest on
one term) and its sentence :func:`leave_one_term_out_summary`, :func:`frame_counts_by_role`, :func:`first_mentions`,
:func:`naming_choices`, :func:`frame_cooccurrence`, :func:`frame_definitions`. Figures:
:func:`plot_frame_rates`, :func:`plot_naming_choices`, :func:`plot_first_mentions`, :func:`plot_frame_terms`.
"""

from __future__ import annotations

import weakref
from bisect import bisect_right
from functools import lru_cache

import numpy as np
import pandas as pd

from analysis.cleaning import ROLES
from analysis.codebook import Codebook, Term, dimension_scheme
from analysis.matching import matching_form
from analysis.output import markdown_text
from analysis.text import count_words, quote_spans

MATCH_COLUMNS = ["doc_id", "outlet", "role", "sentence_id", "frame", "term", "match", "start", "end", "position",
                 "quoted", "n_merged"]
TIE_TOLERANCE = 1  # matches: a frame this close to the leader's count is reported as tied with it
# Between two adjacent matches of one frame there is nothing but white space and hyphens or dashes.
_ADJACENT_GAP = frozenset(" \t\u00a0-\u2010\u2011\u2012\u2013\u2014")
_CACHE: list[tuple[weakref.ref, weakref.ref, str, pd.DataFrame]] = []
# Sentences' matching forms, kept for the next search: a concordance, a leave-one-term-out check and a codebook
# comparison search the same sentences once per term or list (the forms are read, never changed).
_sentence_form = lru_cache(maxsize=50_000)(matching_form)


def frame_matches(corpus, codebook: Codebook) -> pd.DataFrame:
    """Return one row per counted match of a frame's term (after resolving overlaps within each frame).

    Returns
    -------
    DataFrame with columns ``doc_id, outlet, role, sentence_id, frame, term`` (the
    term's label), ``match`` (the words as printed), ``start, end`` (character
    offsets in the sentence text) and ``position`` (share of the article's words
    that come before the match, 0 to <1), ``quoted`` (True when the match begins
    inside quotation marks of its paragraph, :func:`analysis.text.quote_spans`) and
    ``n_merged`` (how many adjacent matches of the frame this one mention joins: 1
    for most; 2 for "COVID-19 pandemic"), in document, sentence and offset order.
    """
    groups = [(frame.name, frame.terms) for frame in codebook.frames]
    return _cached_matches(corpus, codebook, "frames", groups)


def naming_matches(corpus, codebook: Codebook) -> pd.DataFrame:
    """Return one row per mention of a naming-set label, one label per span.

    Returns
    -------
    DataFrame with the columns of :func:`frame_matches`, where ``frame`` holds the
    naming set and ``term`` the label chosen.
    """
    groups = [(naming.name, tuple(term for label in naming.labels for term in _labelled(label.label, label.terms)))
              for naming in codebook.naming_sets]
    return _cached_matches(corpus, codebook, "naming", groups)


def _labelled(label: str, terms: tuple[Term, ...]) -> tuple[Term, ...]:
    return tuple(Term(label, term.pattern, term.kind, term.as_printed, term.source) for term in terms)


def _cached_matches(corpus, codebook: Codebook, kind: str, groups) -> pd.DataFrame:
    # The notebook asks for several tables of one corpus and codebook: match once.
    for corpus_ref, codebook_ref, cached_kind, table in _CACHE:
        if corpus_ref() is corpus and codebook_ref() is codebook and cached_kind == kind:
            return table.copy()
    table = find_group_matches(corpus, groups, merge_adjacent=kind == "frames")
    _CACHE.append((weakref.ref(corpus), weakref.ref(codebook), kind, table))
    del _CACHE[:-4]
    return table.copy()


def find_group_matches(corpus, groups: list[tuple[str, tuple[Term, ...]]],
                       merge_adjacent: bool = False) -> pd.DataFrame:
    """Return the matches of each group's terms in ``corpus.sentences``, overlaps resolved within a group.

    ``groups`` is a list of ``(name, terms)``; the result has the columns of
    :func:`frame_matches` with the group name in ``frame``. With ``merge_adjacent``,
    matches of one group separated by nothing but spaces and hyphens make one.
    """
    sentences = corpus.sentences
    rows: list[tuple] = []
    if sentences.empty or not groups:
        return pd.DataFrame(rows, columns=MATCH_COLUMNS)
    all_texts = sentences["text"].tolist()
    doc_ids, outlets, roles, sentence_ids = (sentences[column].tolist()
                                             for column in ("doc_id", "outlet", "role", "sentence_id"))
    # A match's position is its words before it in its document over the document's words.
    words = sentences["n_words"].to_numpy()
    documents = pd.factorize(sentences["doc_id"])[0]
    words_before = (pd.Series(words).groupby(documents).cumsum() - words).to_numpy()
    total_words = np.maximum(np.bincount(documents, weights=words), 1)[documents]
    # Sentences of many documents are searched together, a batch at a time: the matching forms keep one
    # offset per character, which for a whole huge corpus would take gigabytes.
    for first, last in _batches(all_texts, MATCH_BATCH_CHARS):
        texts = all_texts[first:last]
        forms = [_sentence_form(text) for text in texts]
        printed = _Joined(texts)
        matching = _Joined([form for form, _ in forms])
        for group, terms in groups:
            candidates: dict[int, list[tuple[int, int, int, str]]] = {}
            for order, term in enumerate(terms):
                joined = printed if term.as_printed else matching
                for index, start, end in joined.find(term.pattern, None if term.as_printed else term.anchor):
                    if not term.as_printed:
                        offsets = forms[index][1]
                        start, end = offsets[start], offsets[end - 1] + 1
                    candidates.setdefault(index, []).append((start, end, order, term.label))
            for index in sorted(candidates):
                text = texts[index]
                at = first + index
                kept = _longest_first(candidates[index])
                for start, end, label, n_merged in (_merge_adjacent(text, kept) if merge_adjacent
                                                    else [(start, end, label, 1) for start, end, _, label in kept]):
                    position = (int(words_before[at]) + count_words(text[:start])) / float(total_words[at])
                    rows.append((doc_ids[at], outlets[at], roles[at], sentence_ids[at], group, label,
                                 text[start:end], start, end, position, False, n_merged))
    table = pd.DataFrame(rows, columns=MATCH_COLUMNS)
    table["quoted"] = _quoted(corpus, table)
    order = {sentence_id: rank for rank, sentence_id in enumerate(sentences["sentence_id"])}
    group_order = {name: rank for rank, (name, _) in enumerate(groups)}
    table["_sentence"] = table["sentence_id"].map(order)
    table["_group"] = table["frame"].map(group_order)
    table = table.sort_values(["_sentence", "start", "_group", "end"], kind="stable")
    return table.drop(columns=["_sentence", "_group"]).reset_index(drop=True)


MATCH_BATCH_CHARS = 1_000_000  # sentences searched together: bounds the memory of matching one document


def pattern_spans(texts: list[str], patterns: list) -> list[tuple[int, int, int, int]]:
    """Return ``(text index, pattern index, start, end)`` for every match of each of ``patterns`` (compiled
    phrases) in ``texts``, in that order; offsets in the text.

    The same spans as :func:`analysis.matching.find_spans` text by text, found by
    searching a batch of texts at once, once per pattern.
    """
    found = []
    for first, last in _batches(texts, MATCH_BATCH_CHARS):
        forms = [_sentence_form(text) for text in texts[first:last]]
        joined = _Joined([form for form, _ in forms])
        for number, pattern in enumerate(patterns):
            for index, start, end in joined.find(pattern):
                offsets = forms[index][1]
                found.append((first + index, number, offsets[start], offsets[end - 1] + 1))
    found.sort()
    return found


def _batches(texts: list[str], max_chars: int) -> list[tuple[int, int]]:
    """Return ``(first, last)`` index ranges of consecutive ``texts`` holding about ``max_chars`` characters each."""
    ranges, first, size = [], 0, 0
    for index, text in enumerate(texts):
        if size and size + len(text) > max_chars:
            ranges.append((first, index))
            first, size = index, 0
        size += len(text) + 1
    if first < len(texts):
        ranges.append((first, len(texts)))
    return ranges


class _Joined:
    """Sentences joined by newlines, searched at once; matches are reported per sentence.

    One search over a document is much cheaper than one per sentence. A match that
    runs across a newline is not a match: that sentence is searched again on its own.
    """

    def __init__(self, texts: list[str]):
        self.text = "\n".join(texts)
        self.starts: list[int] = []
        position = 0
        for text in texts:
            self.starts.append(position)
            position += len(text) + 1
        self.ends = [start + len(text) for start, text in zip(self.starts, texts)]

    @property
    def lower(self) -> str | None:
        """The text in lower case, when lower-casing keeps every character in place (None otherwise)."""
        if not hasattr(self, "_lower"):
            lower = self.text.lower()
            self._lower = lower if len(lower) == len(self.text) else None
        return self._lower

    def find(self, pattern, anchor: str | None = None) -> list[tuple[int, int, int]]:
        """Return ``(sentence index, start, end)`` for every non-empty match, offsets within the sentence.

        With ``anchor`` (lower-case text every match starts with), the pattern is
        tried only where the anchor occurs, which is much faster than a search.
        """
        if anchor and self.lower is not None:
            return self._find_anchored(pattern, anchor)
        found: list[tuple[int, int, int]] = []
        text, starts, ends = self.text, self.starts, self.ends
        position = 0
        while position <= len(text):
            match = pattern.search(text, position)
            if match is None:
                break
            index = bisect_right(starts, match.start()) - 1
            if match.end() <= ends[index] and match.end() > match.start():
                found.append((index, match.start() - starts[index], match.end() - starts[index]))
                position = match.end()
                continue
            cursor = max(position, starts[index])
            while cursor <= ends[index]:
                inner = pattern.search(text, cursor, ends[index])
                if inner is None:
                    break
                if inner.end() > inner.start():
                    found.append((index, inner.start() - starts[index], inner.end() - starts[index]))
                    cursor = inner.end()
                else:
                    cursor = inner.end() + 1
            position = ends[index] + 1
        return found


    def _find_anchored(self, pattern, anchor: str) -> list[tuple[int, int, int]]:
        found: list[tuple[int, int, int]] = []
        text, lower, starts, ends = self.text, self.lower, self.starts, self.ends
        position = lower.find(anchor)
        while position >= 0:
            index = bisect_right(starts, position) - 1
            match = pattern.match(text, position)
            if match is not None and match.end() > ends[index]:
                match = pattern.match(text, position, ends[index])  # a match may not run into the next sentence
            if match is not None and match.end() > match.start():
                found.append((index, match.start() - starts[index], match.end() - starts[index]))
                position = lower.find(anchor, match.end())
            else:
                position = lower.find(anchor, position + 1)
        return found


def _longest_first(candidates: list[tuple[int, int, int, str]]) -> list[tuple[int, int, int, str]]:
    """Return the candidates kept when overlaps count once: longest, then earliest, then first-listed term."""
    if len(candidates) == 1:
        return candidates
    kept: list[tuple[int, int, int, str]] = []
    for candidate in sorted(candidates, key=lambda item: (item[0] - item[1], item[0], item[2])):
        start, end = candidate[0], candidate[1]
        if all(end <= other[0] or start >= other[1] for other in kept):
            kept.append(candidate)
    return sorted(kept)


def _merge_adjacent(text: str, kept: list[tuple[int, int, int, str]]) -> list[tuple[int, int, str, int]]:
    """Return ``(start, end, label, n_merged)``: runs of adjacent matches joined, under the first one's term.

    Two matches are adjacent when the text between them is empty or only white
    space and hyphens or dashes (no word, no other punctuation): "COVID-19
    pandemic", "KCNA news agency". "State media (KCNA)" stays two matches.
    """
    merged: list[list] = []
    for start, end, _, label in kept:
        if merged and all(char in _ADJACENT_GAP for char in text[merged[-1][1]:start]):
            merged[-1][1] = end
            merged[-1][3] += 1
        else:
            merged.append([start, end, label, 1])
    return [tuple(item) for item in merged]


def _quoted(corpus, table: pd.DataFrame) -> pd.Series:
    """Return, per match, whether its first character lies inside quotation marks of its paragraph."""
    if table.empty:
        return pd.Series([], dtype=bool)
    sentences = corpus.sentences
    matched = sentences[sentences["sentence_id"].isin(set(table["sentence_id"]))]
    paragraph_of = dict(zip(matched["sentence_id"], matched["paragraph_id"]))
    start_of = dict(zip(matched["sentence_id"], matched["start"]))
    paragraphs = corpus.paragraphs
    wanted = paragraphs[paragraphs["paragraph_id"].isin(set(paragraph_of.values()))]
    paragraph_texts = dict(zip(wanted["paragraph_id"], wanted["text"]))
    flags = []
    for sentence_id, start in zip(table["sentence_id"], table["start"]):
        spans = _quote_spans_of(paragraph_texts[paragraph_of[sentence_id]])
        at = int(start_of[sentence_id]) + int(start)
        index = bisect_right(spans, (at, float("inf"))) - 1
        flags.append(index >= 0 and spans[index][0] <= at < spans[index][1])
    return pd.Series(flags, index=table.index, dtype=bool)


@lru_cache(maxsize=20_000)
def _quote_spans_of(paragraph: str) -> tuple[tuple[int, int], ...]:
    """Return :func:`analysis.text.quote_spans` of ``paragraph``, kept for the next search of its sentences."""
    return tuple(quote_spans(paragraph))


def _outlet_words(corpus) -> pd.DataFrame:
    sentences = corpus.sentences
    words = sentences.groupby("outlet", sort=False).agg(n_words=("n_words", "sum"), n_sentences=("sentence_id", "size"))
    documents = corpus.documents.groupby("outlet", sort=False).size().rename("n_outlet_documents")
    table = pd.DataFrame({"outlet": corpus.outlets})
    table = table.merge(words.reset_index(), on="outlet", how="left").merge(documents.reset_index(), on="outlet",
                                                                           how="left")
    return table.fillna(0).astype({"n_words": int, "n_sentences": int, "n_outlet_documents": int})


def _per_1k(count: pd.Series, words: pd.Series) -> pd.Series:
    return (1000 * count / words.where(words > 0)).astype(float)


def term_counts(corpus, codebook: Codebook) -> pd.DataFrame:
    """Return one row per outlet × frame × term: how often the term was counted for its frame.

    Every term of the codebook has a row for every outlet, zero counts included.

    Returns
    -------
    DataFrame with columns ``outlet, frame, term, count`` (matches after overlaps
    within the frame are resolved), ``n_words`` (words of the outlet's text),
    ``per_1k_words``, ``n_documents`` (documents of the outlet it occurs in),
    ``doc_ids`` (those documents, ``;``-separated), sorted by frame and term in
    codebook order, then outlet in corpus order.
    """
    matches = frame_matches(corpus, codebook)
    outlets = _outlet_words(corpus)
    grid = pd.DataFrame(
        [(frame.name, label, outlet) for frame in codebook.frames
         for label in dict.fromkeys(term.label for term in frame.terms) for outlet in corpus.outlets],
        columns=["frame", "term", "outlet"],
    )
    grouped = matches.groupby(["outlet", "frame", "term"], sort=False)
    found = grouped.agg(count=("match", "size"), n_documents=("doc_id", "nunique"),
                        doc_ids=("doc_id", lambda ids: ";".join(sorted(set(ids))))).reset_index()
    table = grid.merge(found, on=["outlet", "frame", "term"], how="left").merge(outlets, on="outlet", how="left")
    table["count"] = table["count"].fillna(0).astype(int)
    table["n_documents"] = table["n_documents"].fillna(0).astype(int)
    table["doc_ids"] = table["doc_ids"].fillna("")
    table["per_1k_words"] = _per_1k(table["count"], table["n_words"])
    columns = ["outlet", "frame", "term", "count", "n_words", "per_1k_words", "n_documents", "doc_ids"]
    return table[columns].reset_index(drop=True)


def frame_counts(corpus, codebook: Codebook, confidence: float = 0.95) -> pd.DataFrame:
    """Return one row per outlet × frame: matches of the frame's terms, rate and an exact Poisson interval.

    Returns
    -------
    DataFrame with columns ``outlet, frame, count, n_words, per_1k_words,
    ci_low, ci_high`` (exact Poisson ``confidence`` interval of the rate; it assumes
    independent occurrences, which repeated terms in one article are not, so it is
    too narrow rather than too wide), ``n_sentences`` (sentences with at least one
    match), ``n_outlet_sentences`` (all the outlet's sentences),
    ``share_of_sentences`` (n_sentences / n_outlet_sentences), ``n_documents``
    (documents with the frame), ``n_outlet_documents``, ``n_matches_own_voice`` and
    ``n_matches_quoted`` (matches outside and inside quotation marks; they add up to
    ``count``) and ``share_quoted``; frames in codebook order, outlets in corpus
    order. ``count`` counts adjacent matches once (see the module docstring).
    """
    from scipy.stats import chi2

    matches = frame_matches(corpus, codebook)
    outlets = _outlet_words(corpus)
    grid = pd.DataFrame([(outlet, frame) for frame in codebook.frame_names for outlet in corpus.outlets],
                        columns=["outlet", "frame"])
    found = matches.groupby(["outlet", "frame"], sort=False).agg(
        count=("match", "size"), n_sentences=("sentence_id", "nunique"), n_documents=("doc_id", "nunique"),
        n_matches_quoted=("quoted", "sum"),
    ).reset_index()
    outlets = outlets.rename(columns={"n_sentences": "n_outlet_sentences"})
    table = grid.merge(found, on=["outlet", "frame"], how="left").merge(outlets, on="outlet", how="left")
    for column in ("count", "n_sentences", "n_documents", "n_matches_quoted"):
        table[column] = table[column].fillna(0).astype(int)
    table["n_matches_own_voice"] = table["count"] - table["n_matches_quoted"]
    table["share_quoted"] = (table["n_matches_quoted"] / table["count"].where(table["count"] > 0)).astype(float)
    table["share_of_sentences"] = (table["n_sentences"] / table["n_outlet_sentences"].where(
        table["n_outlet_sentences"] > 0)).astype(float)
    table["per_1k_words"] = _per_1k(table["count"], table["n_words"])
    alpha = 1 - confidence
    low = np.where(table["count"] > 0, chi2.ppf(alpha / 2, 2 * table["count"]) / 2, 0.0)
    high = chi2.ppf(1 - alpha / 2, 2 * table["count"] + 2) / 2
    table["ci_low"] = _per_1k(pd.Series(low), table["n_words"])
    table["ci_high"] = _per_1k(pd.Series(high), table["n_words"])
    columns = ["outlet", "frame", "count", "n_words", "per_1k_words", "ci_low", "ci_high", "n_sentences",
               "n_outlet_sentences", "share_of_sentences", "n_documents", "n_outlet_documents",
               "n_matches_own_voice", "n_matches_quoted", "share_quoted"]
    return table[columns]


def voice_shares(frame_table: pd.DataFrame) -> pd.DataFrame:
    """Return one row per outlet: how many of its frame matches are in its own voice and how many quoted.

    Returns
    -------
    DataFrame with columns ``outlet, n_matches, n_matches_own_voice,
    n_matches_quoted, share_quoted`` (NaN when the outlet has no match), summed
    over the frames of :func:`frame_counts`; outlets in table order.
    """
    table = frame_table.groupby("outlet", sort=False).agg(
        n_matches=("count", "sum"), n_matches_own_voice=("n_matches_own_voice", "sum"),
        n_matches_quoted=("n_matches_quoted", "sum")).reset_index()
    table["share_quoted"] = (table["n_matches_quoted"] / table["n_matches"].where(table["n_matches"] > 0)).astype(float)
    return table


def voice_shares_text(voices: pd.DataFrame) -> str:
    """Return a Markdown list, one line per outlet of :func:`voice_shares`: how many matches are quoted."""
    return "\n".join(
        f"- **{markdown_text(row.outlet)}**: {row.n_matches_quoted} of {row.n_matches} matches "
        f"({100 * row.share_quoted:.0f} %) are inside quotation marks." if row.n_matches
        else f"- **{markdown_text(row.outlet)}**: no match."
        for row in voices.itertuples(index=False))


def frame_ranking(frame_table: pd.DataFrame, tolerance: int = TIE_TOLERANCE) -> pd.DataFrame:
    """Return one row per outlet: its leading frame, and the frames too close to it to be told apart.

    The leader has the most matches (ties: more sentences, then codebook order). A
    frame is **tied with** the leader when its matches are at most ``tolerance``
    fewer, or when it occurs in at least as many sentences: one match more or
    less is one sentence's wording, and a lead that the sentence count does not
    share is not a lead.

    Returns
    -------
    DataFrame with columns ``outlet, top_frame, count, n_sentences`` (the
    leader's), ``tied_with`` (the tied frames, ``;``-separated, most matches
    first; "" if none), ``runner_up, runner_up_count, runner_up_sentences`` (the
    next frame by the same order; "" and 0 if none), ``tolerance`` and
    ``leading`` (the leader, or "A, tied with B and C"; "" when no frame occurs).
    """
    rows = []
    for outlet, frames in frame_table.groupby("outlet", sort=False):
        order = {frame: rank for rank, frame in enumerate(frames["frame"])}
        present = frames[frames["count"] > 0].sort_values(
            ["count", "n_sentences", "frame"], ascending=[False, False, True],
            key=lambda column: column.map(order) if column.name == "frame" else column)
        if present.empty:
            rows.append((outlet, "", 0, 0, "", "", 0, 0, tolerance, ""))
            continue
        top, others = present.iloc[0], present.iloc[1:]
        tied = others[(others["count"] >= top["count"] - tolerance) | (others["n_sentences"] >= top["n_sentences"])]
        runner = others.iloc[0] if len(others) else None
        leading = top["frame"] + (f", tied with {_and_list(list(tied['frame']))}" if len(tied) else "")
        rows.append((outlet, top["frame"], int(top["count"]), int(top["n_sentences"]), ";".join(tied["frame"]),
                     "" if runner is None else runner["frame"], 0 if runner is None else int(runner["count"]),
                     0 if runner is None else int(runner["n_sentences"]), tolerance, leading))
    columns = ["outlet", "top_frame", "count", "n_sentences", "tied_with", "runner_up", "runner_up_count",
               "runner_up_sentences", "tolerance", "leading"]
    return pd.DataFrame(rows, columns=columns)


def _and_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _top_frames(counts: dict[str, int]) -> str:
    """Return the frames with the most matches, ``" = "``-joined in codebook order ("" if none occurs)."""
    most = max(counts.values(), default=0)
    return " = ".join(frame for frame, count in counts.items() if count == most) if most > 0 else ""


def leave_one_term_out(corpus, codebook: Codebook) -> pd.DataFrame:
    """Return one row per outlet × term whose removal changes its frame's count: does the top frame change?

    Each term is removed from its frame in turn and that frame is matched again in
    the sentences where the term occurs (overlaps and adjacency resolved anew, so a
    shorter term may take the removed one's place); other sentences and frames keep
    their counts. Terms whose removal changes nothing for an outlet have no row.
    Each term is searched once on its own, so this costs about one more count of
    the codebook, plus the sentences where terms occur.

    Returns
    -------
    DataFrame with columns ``outlet, term, frame, count_with, count_without`` (the
    frame's matches in the outlet), ``top_frame`` (with every term; frames with the
    most matches, " = "-joined when equal), ``top_frame_without`` (without this term)
    and ``changes`` (True when the two differ: the outlet's top frame rests on this
    term); outlets in corpus order, frames and terms in codebook order.
    """
    matches = frame_matches(corpus, codebook)
    counted = matches.groupby(["outlet", "frame"]).size()
    base = {outlet: {frame: int(counted.get((outlet, frame), 0)) for frame in codebook.frame_names}
            for outlet in corpus.outlets}
    sentences = corpus.sentences
    left_out = [(frame, label) for frame in codebook.frames
                for label in dict.fromkeys(term.label for term in frame.terms)]
    # Where each term occurs: every term in one pass over the corpus, each its own group (named by its number).
    occurrences = find_group_matches(corpus, [
        (str(number), tuple(term for term in frame.terms if term.label == label))
        for number, (frame, label) in enumerate(left_out)])
    occurs_in = occurrences.groupby("frame", sort=False)["sentence_id"].agg(set).to_dict()
    rows = []
    for number, (frame, label) in enumerate(left_out):
        frame_rows = matches[matches["frame"] == frame.name]
        remaining = tuple(term for term in frame.terms if term.label != label)
        where = occurs_in.get(str(number), set())
        if not where:
            continue
        # Only the sentences where the term occurs can change: match the rest of the frame there again.
        touched = _SentencesOnly(sentences[sentences["sentence_id"].isin(where)], corpus.paragraphs)
        redone = find_group_matches(touched, [(frame.name, remaining)], merge_adjacent=True) if remaining \
            else pd.DataFrame(columns=MATCH_COLUMNS)
        before = frame_rows[frame_rows["sentence_id"].isin(where)].groupby("outlet").size()
        after = redone.groupby("outlet").size()
        for outlet in corpus.outlets:
            count_without = base[outlet][frame.name] - int(before.get(outlet, 0)) + int(after.get(outlet, 0))
            if count_without == base[outlet][frame.name]:
                continue
            counts = dict(base[outlet], **{frame.name: count_without})
            rows.append((outlet, label, frame.name, base[outlet][frame.name], count_without,
                         _top_frames(base[outlet]), _top_frames(counts)))
    columns = ["outlet", "term", "frame", "count_with", "count_without", "top_frame", "top_frame_without"]
    table = pd.DataFrame(rows, columns=columns)
    table["changes"] = (table["top_frame"] != table["top_frame_without"]).astype(bool)
    outlet_rank = {outlet: rank for rank, outlet in enumerate(corpus.outlets)}
    return table.sort_values("outlet", key=lambda column: column.map(outlet_rank), kind="stable").reset_index(drop=True)


class _SentencesOnly:
    """Some sentences of a corpus, with its paragraphs, to match a frame again where it can change."""

    def __init__(self, sentences: pd.DataFrame, paragraphs: pd.DataFrame):
        self.sentences = sentences
        self.paragraphs = paragraphs


def leave_one_term_out_summary(table: pd.DataFrame, outlets: list[str]) -> str:
    """Return a Markdown sentence: how many outlets' top frame changes when one term is removed, and by which terms."""
    changed = table[table["changes"]]
    fragile = [outlet for outlet in outlets if outlet in set(changed["outlet"])]
    parts = []
    for outlet in fragile:
        names = [markdown_text(term) for term in changed.loc[changed["outlet"] == outlet, "term"]]
        parts.append(f"**{markdown_text(outlet)}**, by removing {'any one of ' if len(names) > 1 else ''}"
                     f"{_and_list(names)}")
    return (f"The top frame of {len(fragile)} of {len(outlets)} outlets changes when one term is removed"
            + (": " + "; ".join(parts) if parts else "") + ".")


def frame_counts_by_role(corpus, codebook: Codebook) -> pd.DataFrame:
    """Return one row per outlet × frame × role: where in the article (headline, standfirst …) the frame appears.

    Returns
    -------
    DataFrame with columns ``outlet, frame, role, count, n_words`` (the outlet's
    words in that role), ``per_1k_words``; only roles the outlet's text has, in
    reading order, zero counts included.
    """
    matches = frame_matches(corpus, codebook)
    sentences = corpus.sentences
    role_words = sentences.groupby(["outlet", "role"], sort=False)["n_words"].sum().rename("n_words").reset_index()
    role_rank = {role: rank for rank, role in enumerate(ROLES)}
    outlet_rank = {outlet: rank for rank, outlet in enumerate(corpus.outlets)}
    role_words = role_words.sort_values(["outlet", "role"], key=lambda column: column.map(
        outlet_rank if column.name == "outlet" else role_rank))
    grid = pd.DataFrame([(row.outlet, frame, row.role, row.n_words) for frame in codebook.frame_names
                         for row in role_words.itertuples(index=False)],
                        columns=["outlet", "frame", "role", "n_words"])
    found = matches.groupby(["outlet", "frame", "role"], sort=False).size().rename("count").reset_index()
    table = grid.merge(found, on=["outlet", "frame", "role"], how="left")
    table["count"] = table["count"].fillna(0).astype(int)
    table["per_1k_words"] = _per_1k(table["count"], table["n_words"])
    return table[["outlet", "frame", "role", "count", "n_words", "per_1k_words"]]


def first_mentions(corpus, codebook: Codebook) -> pd.DataFrame:
    """Return one row per document × frame: where the frame first appears.

    Returns
    -------
    DataFrame with columns ``doc_id, outlet, frame, count`` (matches in the
    document), ``first_position`` (share of the article's words read before the
    first matching word, 0 = the headline's first word; NaN if the frame is absent),
    ``first_role, first_sentence_id, first_term, first_match`` (empty if absent);
    documents in corpus order, frames in codebook order.
    """
    matches = frame_matches(corpus, codebook)
    first = matches.groupby(["doc_id", "frame"], sort=False).agg(
        count=("match", "size"), first_position=("position", "first"), first_role=("role", "first"),
        first_sentence_id=("sentence_id", "first"), first_term=("term", "first"), first_match=("match", "first"),
    ).reset_index()
    grid = pd.DataFrame([(doc_id, outlet, frame) for doc_id, outlet in zip(corpus.documents["doc_id"],
                                                                              corpus.documents["outlet"])
                         for frame in codebook.frame_names], columns=["doc_id", "outlet", "frame"])
    table = grid.merge(first, on=["doc_id", "frame"], how="left")
    table["count"] = table["count"].fillna(0).astype(int)
    table["first_position"] = table["first_position"].astype(float)
    for column in ("first_role", "first_sentence_id", "first_term", "first_match"):
        table[column] = table[column].fillna("").astype(str)
    return table


def naming_choices(corpus, codebook: Codebook) -> pd.DataFrame:
    """Return one row per outlet × naming set × label: which label the outlet chose for each referent.

    Returns
    -------
    DataFrame with columns ``outlet, naming_set, label, count`` (mentions, one label
    per span: "Mr Kim" is not also "Kim"), ``share`` (of the outlet's mentions of
    that referent; NaN when it never names it), ``n_documents``, ``doc_ids``; sets
    and labels in codebook order, outlets in corpus order.
    """
    matches = naming_matches(corpus, codebook)
    grid = pd.DataFrame([(outlet, naming.name, label.label) for naming in codebook.naming_sets
                         for label in naming.labels for outlet in corpus.outlets],
                        columns=["outlet", "naming_set", "label"])
    found = matches.rename(columns={"frame": "naming_set", "term": "label"}).groupby(
        ["outlet", "naming_set", "label"], sort=False
    ).agg(count=("match", "size"), n_documents=("doc_id", "nunique"),
          doc_ids=("doc_id", lambda ids: ";".join(sorted(set(ids))))).reset_index()
    table = grid.merge(found, on=["outlet", "naming_set", "label"], how="left")
    table["count"] = table["count"].fillna(0).astype(int)
    table["n_documents"] = table["n_documents"].fillna(0).astype(int)
    table["doc_ids"] = table["doc_ids"].fillna("")
    totals = table.groupby(["outlet", "naming_set"], sort=False)["count"].transform("sum")
    table["share"] = (table["count"] / totals.where(totals > 0)).astype(float)
    return table[["outlet", "naming_set", "label", "count", "share", "n_documents", "doc_ids"]]


def frame_cooccurrence(corpus, codebook: Codebook) -> pd.DataFrame:
    """Return one row per outlet and pair of frames: how many sentences carry both.

    Returns
    -------
    DataFrame with columns ``outlet, frame_a, frame_b`` (``frame_a`` listed before
    ``frame_b`` in the codebook), ``n_sentences_both, n_sentences_a,
    n_sentences_b, n_sentences`` (all the outlet's sentences) and ``jaccard``
    (both / either; NaN when neither occurs).
    """
    corpus.require_outlets(2)
    matches = frame_matches(corpus, codebook)
    outlets = _outlet_words(corpus).set_index("outlet")
    sentences_of = {key: set(group["sentence_id"]) for key, group in matches.groupby(["outlet", "frame"], sort=False)}
    names = codebook.frame_names
    rows = []
    for outlet in corpus.outlets:
        for first_index, frame_a in enumerate(names):
            for frame_b in names[first_index + 1:]:
                a = sentences_of.get((outlet, frame_a), set())
                b = sentences_of.get((outlet, frame_b), set())
                either = len(a | b)
                rows.append((outlet, frame_a, frame_b, len(a & b), len(a), len(b),
                             int(outlets.loc[outlet, "n_sentences"]), len(a & b) / either if either else np.nan))
    columns = ["outlet", "frame_a", "frame_b", "n_sentences_both", "n_sentences_a", "n_sentences_b", "n_sentences",
               "jaccard"]
    return pd.DataFrame(rows, columns=columns).astype({"jaccard": float})


def frame_definitions(codebook: Codebook) -> pd.DataFrame:
    """Return one row per frame: ``frame, description, dimension, scheme, n_terms, terms``.

    ``dimension`` is the frame's Policy Frames Codebook dimension or generic frame
    ("" when the codebook gives none), ``scheme`` the list it comes from, ``terms``
    the labels, ``;``-separated.
    """
    return pd.DataFrame(
        [(frame.name, frame.description, frame.dimension, dimension_scheme(frame.dimension), len(frame.terms),
          "; ".join(term.label for term in frame.terms))
         for frame in codebook.frames],
        columns=["frame", "description", "dimension", "scheme", "n_terms", "terms"],
    )


def framing_summary(frame_table: pd.DataFrame, role_table: pd.DataFrame | None = None) -> str:
    """Return a short sentence per outlet naming its most frequent frame, or the frames tied for it.

    Ties follow :func:`frame_ranking`; the headline frames are added when ``role_table`` is given.
    """
    lines = []
    ranking = frame_ranking(frame_table).set_index("outlet")
    for outlet, rows in frame_table.groupby("outlet", sort=False):
        present = rows[rows["count"] > 0]
        if present.empty:
            lines.append(f"- **{markdown_text(outlet)}**: no term of the codebook occurs.")
            continue
        rank = ranking.loc[outlet]
        by_frame = rows.set_index("frame")

        def described(name: str) -> str:
            row = by_frame.loc[name]
            return (f"*{markdown_text(name)}* ({row['count']} matches in {row['n_sentences']} of "
                    f"{row['n_outlet_sentences']} sentences)")

        if rank["tied_with"]:
            tied = [described(name) for name in [rank["top_frame"], *rank["tied_with"].split(";")]]
            text = f"- **{markdown_text(outlet)}**: no single leading frame: {_and_list(tied)} are tied"
        else:
            top = by_frame.loc[rank["top_frame"]]
            text = (f"- **{markdown_text(outlet)}**: most frequent frame {described(rank['top_frame'])}, "
                    f"{top['per_1k_words']:.1f} per 1,000 words")
        text += f"; {len(present)} of {len(rows)} frames occur"
        if role_table is not None:
            headline = role_table[(role_table["outlet"] == outlet) & (role_table["role"] == "headline")
                                  & (role_table["count"] > 0)]
            frames = ", ".join(f"*{markdown_text(name)}*" for name in headline["frame"])
            text += f"; in headlines: {frames}" if frames else "; no frame in its headlines"
        lines.append(text + ".")
    return "\n".join(lines)


def plot_frame_rates(frame_table: pd.DataFrame, source_label: str | None = None, ax=None):
    """Return a heatmap of frame rates per 1,000 words (outlets × frames), with the counts written in the cells."""
    from analysis.style import add_source_line, new_figure, outlet_colors

    outlets = list(dict.fromkeys(frame_table["outlet"]))
    frames = list(dict.fromkeys(frame_table["frame"]))
    rates = frame_table.pivot(index="outlet", columns="frame", values="per_1k_words").loc[outlets, frames]
    counts = frame_table.pivot(index="outlet", columns="frame", values="count").loc[outlets, frames]
    if ax is None:
        figure, ax = new_figure(width=max(6.0, 1.1 * len(frames) + 2.5), height=max(2.5, 0.6 * len(outlets) + 2.0))
    else:
        figure = ax.figure
    values = rates.to_numpy(dtype=float)
    top = np.nanmax(values) if np.isfinite(values).any() and np.nanmax(values) > 0 else 1.0
    image = ax.imshow(np.nan_to_num(values), cmap="Blues", vmin=0, vmax=top, aspect="auto")
    ax.grid(False)
    for row, outlet in enumerate(outlets):
        for column, frame in enumerate(frames):
            rate = values[row, column]
            dark = np.isfinite(rate) and rate > 0.6 * top
            ax.text(column, row, f"{int(counts.iloc[row, column])}\n({rate:.1f})", ha="center", va="center",
                    fontsize=8, color="white" if dark else "black")
    ax.set_xticks(range(len(frames)), [name.replace(" ", "\n", 1) for name in frames], fontsize=8)
    ax.set_yticks(range(len(outlets)), outlets)
    for label, color in zip(ax.get_yticklabels(), (outlet_colors(outlets)[name] for name in outlets)):
        label.set_color(color)
        label.set_fontweight("bold")
    ax.set_xlabel("frame")
    ax.set_ylabel("outlet")
    ax.set_title("Framing terms by outlet: matches (and per 1,000 words)")
    colorbar = figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    colorbar.set_label("matches per 1,000 words")
    if source_label:
        add_source_line(figure, source_label)
    return figure


def plot_naming_choices(naming_table: pd.DataFrame, source_label: str | None = None):
    """Return one panel per naming set: how many times each outlet used each label (bars, counts written)."""
    from matplotlib.ticker import MaxNLocator

    from analysis.style import NEUTRAL, add_source_line, new_figure, outlet_colors

    outlets = list(dict.fromkeys(naming_table["outlet"]))
    sets = list(dict.fromkeys(naming_table["naming_set"]))
    colors = outlet_colors(outlets)
    n_labels = [naming_table.loc[naming_table["naming_set"] == name, "label"].nunique() for name in sets]
    figure, axes = new_figure(width=7.0, height=0.13 * sum(n_labels) * max(1, len(outlets)) + 0.7 * len(sets) + 0.6,
                              nrows=len(sets), squeeze=False, layout="constrained",
                              gridspec_kw={"height_ratios": n_labels})
    height = 0.8 / max(1, len(outlets))
    for ax, name in zip(axes[:, 0], sets):
        rows = naming_table[naming_table["naming_set"] == name]
        labels = list(dict.fromkeys(rows["label"]))
        top = max(1, int(rows["count"].max()))
        for rank, outlet in enumerate(outlets):
            counts = rows[rows["outlet"] == outlet].set_index("label").loc[labels, "count"].to_numpy()
            offsets = np.arange(len(labels)) - 0.4 + height * (rank + 0.5)
            ax.barh(offsets, counts, height=height, color=colors[outlet], label=outlet)
            for offset, count in zip(offsets, counts):
                ax.text(count + top * 0.01, offset, str(int(count)), va="center", fontsize=7, color=NEUTRAL)
        ax.set_yticks(range(len(labels)), labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.12)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(f"Naming {name}", fontsize=10)
        ax.grid(axis="y", visible=False)
    axes[-1, 0].set_xlabel("mentions (count)")
    handles, names = axes[0, 0].get_legend_handles_labels()
    figure.legend(handles, names, loc="outside right upper", fontsize=8, title="outlet")
    figure.suptitle("Which label each outlet chose for the same referent", x=0.0, ha="left", fontweight="bold")
    if source_label:
        add_source_line(figure, source_label)
    return figure


def plot_first_mentions(first_table: pd.DataFrame, source_label: str | None = None, ax=None):
    """Return a dot plot of where each frame first appears (share of the article read), per outlet.

    A dot is the median over the outlet's documents that carry the frame, the line
    their interquartile range; frames an outlet never uses have no dot.
    """
    from analysis.style import add_source_line, new_figure, outlet_colors

    outlets = list(dict.fromkeys(first_table["outlet"]))
    frames = list(dict.fromkeys(first_table["frame"]))
    colors = outlet_colors(outlets)
    if ax is None:
        figure, ax = new_figure(width=7.0, height=0.45 * len(frames) * max(1, len(outlets)) / 2 + 1.5)
    else:
        figure = ax.figure
    step = 0.7 / max(1, len(outlets))
    for rank, outlet in enumerate(outlets):
        rows = first_table[(first_table["outlet"] == outlet) & first_table["first_position"].notna()]
        stats = rows.groupby("frame")["first_position"].quantile([0.25, 0.5, 0.75]).unstack()
        present = [frame for frame in frames if frame in stats.index]
        y = np.array([frames.index(frame) for frame in present]) - 0.35 + step * (rank + 0.5)
        if present:
            stats = stats.loc[present]
            ax.hlines(y, stats[0.25], stats[0.75], color=colors[outlet], linewidth=2)
            ax.plot(stats[0.5], y, "o", color=colors[outlet], label=outlet)
    ax.set_yticks(range(len(frames)), frames)
    ax.invert_yaxis()
    ax.set_xlim(-0.02, 1.0)
    ax.set_xlabel("share of the article read before the first mention (0 = headline)")
    ax.set_ylabel("frame")
    ax.set_title("Where each frame first appears, by outlet (median article; line: middle half)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, title="outlet", title_fontsize=8)
    if source_label:
        add_source_line(figure, source_label)
    return figure


def plot_frame_terms(term_table: pd.DataFrame, source_label: str | None = None, max_terms: int | None = None):
    """Return a dot matrix of term × outlet, terms grouped under their frame (table of :func:`term_counts`).

    Only terms with at least one match in some outlet get a row (``max_terms``, when
    given, keeps the frames' first terms in codebook order up to that many rows).
    Each (term, outlet) with a count above 0 has one dot, its area proportional to
    the rate per 1,000 words of the outlet (outlets of different sizes compare
    fairly) and the count written beside it; an empty cell means no match.
    """
    from analysis.style import NEUTRAL, add_source_line, new_figure, outlet_colors

    outlets = list(dict.fromkeys(term_table["outlet"]))
    colors = outlet_colors(outlets)
    totals = term_table.groupby(["frame", "term"], sort=False)["count"].sum()
    matched = [(frame, term) for (frame, term), total in totals.items() if total > 0]
    n_terms = len(totals)
    if max_terms is not None:
        matched = matched[:max_terms]
    frames = list(dict.fromkeys(frame for frame, _ in matched))
    # One row per frame heading, then one per term; y grows downwards.
    labels, heading_rows, term_rows = [], [], {}
    for frame in frames:
        heading_rows.append(len(labels))
        labels.append(frame)
        for name, term in matched:
            if name == frame:
                term_rows[(frame, term)] = len(labels)
                labels.append(term)
    figure, ax = new_figure(width=max(5.5, 1.3 * len(outlets) + 3.5), height=0.22 * max(len(labels), 1) + 1.6)
    cells = term_table.set_index(["frame", "term", "outlet"])
    top_rate = term_table.loc[term_table["count"] > 0, "per_1k_words"].max()
    top_rate = float(top_rate) if pd.notna(top_rate) and top_rate > 0 else 1.0
    for column, outlet in enumerate(outlets):
        xs, ys, sizes = [], [], []
        for (frame, term), row in term_rows.items():
            cell = cells.loc[(frame, term, outlet)]
            if cell["count"] <= 0:
                continue
            xs.append(column)
            ys.append(row)
            sizes.append(20 + 180 * float(cell["per_1k_words"]) / top_rate)
            ax.text(column + 0.14, row, str(int(cell["count"])), va="center", ha="left", fontsize=7, color=NEUTRAL)
        ax.scatter(xs, ys, s=sizes, color=colors[outlet], zorder=3, label=outlet, linewidths=0)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    for row in heading_rows:
        tick = ax.get_yticklabels()[row]
        tick.set_fontweight("bold")
        tick.set_fontsize(9)
        ax.axhline(row - 0.5, color="#BBBBBB", linewidth=0.6)
    ax.set_ylim(len(labels) - 0.5, -0.7)
    ax.set_xticks(range(len(outlets)), outlets, fontsize=8)
    for tick, outlet in zip(ax.get_xticklabels(), outlets):
        tick.set_color(colors[outlet])
        tick.set_fontweight("bold")
    ax.set_xlim(-0.5, len(outlets) - 0.2)
    ax.xaxis.tick_top()
    ax.spines["bottom"].set_visible(False)
    ax.grid(axis="x", visible=False)
    ax.set_title(f"Framing terms by outlet: {len(matched)} of {n_terms} terms matched at least once, under their "
                 "frame\n(dot area: matches per 1,000 words of the outlet; number: matches)", fontsize=9.5, pad=24)
    figure.tight_layout()
    if source_label:
        add_source_line(figure, source_label)
    return figure
