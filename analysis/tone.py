"""Tone: VADER scores per sentence, per voice, with intervals, detectable differences, tests and actor sentences.

Method (docs/tone.md):

* every sentence of ``corpus.sentences`` is scored with VADER (Hutto & Gilbert
  2014) after :func:`scorer_text`: curly apostrophes and quotes made straight
  (VADER's negation rules expect "weren't") and, by default, names and titles
  masked (:func:`name_spans`; "Defense Minister", "Korean War" carry lexicon
  words); one analyser serves the whole run. ``compound`` is in
  [-1, 1]; a sentence is ``positive`` at ``compound >= threshold``, ``negative``
  at ``<= -threshold`` and ``neutral`` between (threshold 0.05, VADER's usual);
* the voice of a sentence (authorial, quoted, mixed) comes from the text model:
  quoted words are those inside quotation marks of any style. A mixed sentence is
  scored whole, so its tone blends the outlet's words and the quoted speaker's;
* VADER's lexicon is English: a document in another language (see
  :func:`analysis.text.text_language`) is left out of scoring with a warning
  naming it. Its sentences stay in the sentence table with ``label`` ``left out``
  and no scores, and summaries count them in ``n_left_out``;
* means carry a percentile bootstrap 95 % interval over sentences (none under
  10 sentences); outlet differences carry a bootstrap interval of the
  difference, the smallest difference detectable with 80 % power and a
  two-sided permutation test (99,999 relabellings, with its Monte Carlo error),
  all with a fixed seed; with an ``event`` column, outlets are also compared within
  each event and the per-event differences tested as pairs.

Aggregate functions take a corpus or the table of :func:`sentence_tone` (to
score once and aggregate many ways).
"""

from __future__ import annotations

import itertools
import math
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.actors import ActorList, actor_mentions, read_actors
from analysis.cleaning import TEXT_ROLES
from analysis.errors import AnalysisError, CorpusError, NonEnglishWarning, RulesError
from analysis.output import markdown_text
from analysis.paths import DATA_DIR
from analysis.text import LANGUAGE, LANGUAGE_SAMPLE_CHARS, text_language
from analysis.yamlfile import read_yaml, where

THRESHOLD = 0.05
SEED = 2023
N_RESAMPLES = 9999
# Permutations of a difference: with 99,999 the Monte Carlo standard error of p is at most 0.0016, so p's second
# decimal is stable (with 9,999 it is 0.005, and the seed moved a p of 0.43 between 0.42 and 0.44).
N_PERMUTATIONS = 99_999
# ... but at most about this many relabelled values per test (two outlets of 6,000 sentences get 16,666 relabellings,
# a few seconds); p_mc_error then says how far the second decimal is to be trusted.
_PERMUTATION_VALUES = 200_000_000
CONFIDENCE = 0.95
MIN_INTERVAL_N = 10  # under 10 values a percentile bootstrap covers far less than it claims: no interval
POWER = 0.80  # for the smallest detectable difference
ALPHA = 0.05
LABELS = ("positive", "neutral", "negative")
VOICE_ORDER = ("authorial", "quoted", "mixed")
ALL = "all"
LEFT_OUT = "left out"  # the label of a sentence not scored: its document is not in English
_BATCH = 200  # resamples per batch, at most
_BATCH_VALUES = 2_000_000  # resampled values per batch, at most (16 MB): bounds memory for one huge group


def _batch(n_values: int) -> int:
    """Return how many resamples of ``n_values`` values to draw at once (scipy's results do not depend on it)."""
    return max(1, min(_BATCH, _BATCH_VALUES // max(n_values, 1)))

_SUMMARY_COLUMNS = ["n_sentences", "mean_compound", "ci_low", "ci_high", "interval_note", "n_positive", "n_neutral",
                    "n_negative", "share_positive", "share_neutral", "share_negative", "n_left_out"]


@lru_cache(maxsize=1)
def analyzer():
    """Return the one VADER ``SentimentIntensityAnalyzer`` of this process (loading its lexicon once)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


# Text for the scorer --------------------------------------------------------------------------------------------------

DEFAULT_NAME_TITLES = DATA_DIR / "name_titles.yaml"
NAME_PLACEHOLDER = "someone"  # not in VADER's lexicon, nor a negation or booster: a masked name weighs nothing
MASK_NAMES = True
# VADER's negation list ("weren't"), its punctuation stripping ("great." but not “great.”) and its tokens (split
# on spaces) expect ASCII apostrophes and quotes and spaced dashes.
_SCORER_CHARACTERS = str.maketrans({
    "\u2019": "'", "\u2018": "'", "\u201b": "'", "\u02bc": "'", "\u2032": "'", "\u00b4": "'", "\uff07": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\uff02": '"', "\u2039": "'", "\u203a": "'",
    "\u2014": " - ", "\u2013": " - ", "\u2015": " - ", "\u2012": " - ",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
})
_WORD = re.compile(r"[^\W\d_][\w'\-.]*[\w]|[^\W\d_]", re.UNICODE)
_OPENERS = set("\"'([")
# First words that are not part of a name even when a capitalised word follows: VADER reads them as rules
# (negation, contrast, degree) or they are function words.
_SENTENCE_STARTERS = {
    "a", "an", "the", "but", "and", "or", "yet", "so", "if", "when", "while", "as", "after", "before", "since",
    "because", "although", "though", "in", "on", "at", "for", "from", "with", "without", "by", "to", "of", "this",
    "that", "these", "those", "his", "her", "its", "their", "our", "my", "your", "he", "she", "it", "they", "we",
    "you", "i", "there", "here", "now", "then", "also", "only", "even", "still", "however", "meanwhile", "no",
    "not", "never", "nor", "none", "nothing", "despite", "rarely", "seldom", "few", "many", "most", "some", "all",
    "every", "each", "both", "neither", "either", "what", "who", "why", "how", "where", "which", "last", "next",
}


@dataclass(frozen=True)
class NameTitles:
    """Role words, portfolio words and name connectors read from one titles file (lowercase)."""

    roles: frozenset[str]
    portfolios: frozenset[str]
    connectors: frozenset[str]
    source: Path


def read_name_titles(path: Path | str | None = None) -> NameTitles:
    """Return the validated :class:`NameTitles` in ``path`` (default ``analysis/data/name_titles.yaml``).

    Raises RulesError with one line naming the file for a file that is not a
    mapping of exactly ``roles``, ``portfolios`` and ``connectors``, each a
    non-empty list of single lowercase words without duplicates.
    """
    path = Path(path) if path is not None else DEFAULT_NAME_TITLES
    document = read_yaml(path)
    keys = ("roles", "portfolios", "connectors")
    if not isinstance(document, dict):
        raise RulesError(f"{where(path, document)}: expected a mapping with the lists {', '.join(keys)}")
    unknown = sorted(set(document) - set(keys))
    if unknown:
        raise RulesError(f"{where(path, document)}: unknown key '{unknown[0]}' (allowed: {', '.join(keys)})")
    lists = {}
    for key in keys:
        words = document.get(key)
        if not isinstance(words, list) or not words:
            raise RulesError(f"{where(path, document)}: '{key}' must be a non-empty list of words")
        seen: set[str] = set()
        for word in words:
            if not isinstance(word, str) or not re.fullmatch(r"[a-z][a-z'\-]*", word):
                raise RulesError(f"{where(path, document)}: '{key}' holds {word!r}, not one lowercase word")
            if word in seen:
                raise RulesError(f"{where(path, document)}: '{key}' lists '{word}' twice")
            seen.add(word)
        lists[key] = frozenset(seen)
    return NameTitles(lists["roles"], lists["portfolios"], lists["connectors"], path)


@lru_cache(maxsize=4)
def _name_titles(path: str | None) -> NameTitles:
    return read_name_titles(path)


def normalize_for_scorer(text: str) -> str:
    """Return ``text`` with curly apostrophes and quotes made straight and dashes spaced, as VADER's rules expect.

    "weren’t" becomes "weren't" (a negation VADER knows), “great.” becomes
    "great." (whose punctuation VADER strips), "good—but" becomes "good - but"
    (two words, not one unknown token).
    """
    return text.translate(_SCORER_CHARACTERS)


def _is_capitalised(word: str) -> bool:
    return word[0].isupper() and word != "I"


def _is_title_case(words: list[str]) -> bool:
    """Return whether every word of four letters or more is capitalised (a title-case headline: no name shown)."""
    long_words = [word for word in words if len(word) >= 4]
    return len(long_words) >= 4 and all(_is_capitalised(word) for word in long_words)


def name_spans(text: str, titles: NameTitles | None = None) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` character spans of ``text`` taken for names and titles, in order, merged.

    A name is a run of capitalised words (joined by spaces or hyphens, and by
    connector words such as "of" between capitalised words). At the start of the
    sentence or of a quotation a capital proves nothing, so a run there counts only
    with two capitalised words or more (its first word is kept when it is a
    function or rule word: "But", "No", "The"), or when it is a role word
    ("President"). In a title-case headline capitals prove nothing at all: only
    role phrases count there. A role phrase is a role word (minister, council …)
    with the portfolio words right before it ("national security spokesman"),
    in any case.
    """
    titles = titles or _name_titles(None)
    words = [(match.start(), match.end(), match.group()) for match in _WORD.finditer(text)]
    if not words:
        return []
    masked = [False] * len(words)
    lowered = [word.lower().removesuffix("'s") for _, _, word in words]
    for index, word in enumerate(lowered):
        if word in titles.roles:
            masked[index] = True
            before = index - 1
            while before >= 0 and lowered[before] in titles.portfolios and _adjacent(text, words[before],
                                                                                   words[before + 1]):
                masked[before] = True
                before -= 1
    if not _is_title_case([word for _, _, word in words]):
        for run in _capitalised_runs(text, words, titles):
            first_start = run[0] == 0 or _after_opening(text, words[run[0]][0])
            capitalised = [index for index in run if _is_capitalised(words[index][2])]
            if first_start:
                if len(capitalised) < 2:
                    if lowered[run[0]] not in titles.roles:
                        continue
                elif lowered[run[0]] in _SENTENCE_STARTERS:
                    run = run[1:]
            for index in run:
                masked[index] = True
    spans: list[tuple[int, int]] = []
    for index, (start, end, _) in enumerate(words):
        if not masked[index]:
            continue
        if spans and index > 0 and masked[index - 1] and _adjacent(text, words[index - 1], words[index]):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _adjacent(text: str, first, second) -> bool:
    """Return whether only spaces or a hyphen separate two words (no comma, no quotation mark)."""
    return text[first[1]:second[0]].strip(" -") == ""


def _after_opening(text: str, start: int) -> bool:
    """Return whether a word starting at ``start`` opens a sentence or a quotation (only marks before it)."""
    before = text[:start].rstrip()
    return not before or before[-1] in _OPENERS or before[-1] in ".!?:;"


def _capitalised_runs(text: str, words, titles: NameTitles) -> list[list[int]]:
    """Return runs of word indexes: capitalised words, with connectors between two of them."""
    runs: list[list[int]] = []
    current: list[int] = []
    index = 0
    while index < len(words):
        word = words[index][2]
        joined = current and _adjacent(text, words[current[-1]], words[index])
        if _is_capitalised(word):
            if not joined:
                if current:
                    runs.append(current)
                current = []
            current.append(index)
        elif (current and joined and word.lower() in titles.connectors and index + 1 < len(words)
              and _is_capitalised(words[index + 1][2]) and _adjacent(text, words[index], words[index + 1])):
            current.append(index)
        else:
            if current:
                runs.append(current)
            current = []
        index += 1
    if current:
        runs.append(current)
    return runs


def mask_name_spans(text: str, titles: NameTitles | None = None) -> str:
    """Return ``text`` with each name or title span of :func:`name_spans` replaced by one neutral placeholder word."""
    pieces, last = [], 0
    for start, end in name_spans(text, titles):
        pieces.append(text[last:start])
        pieces.append(NAME_PLACEHOLDER)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def scorer_text(text: str, mask_names: bool = MASK_NAMES, titles: NameTitles | None = None) -> str:
    """Return the text VADER is given: normalised for its rules and, with ``mask_names``, names and titles masked."""
    normalized = normalize_for_scorer(text)
    return mask_name_spans(normalized, titles) if mask_names else normalized


def tone_label(compound: float, threshold: float = THRESHOLD) -> str:
    """Return ``positive`` (compound ≥ threshold), ``negative`` (≤ −threshold) or ``neutral``."""
    if compound >= threshold:
        return "positive"
    if compound <= -threshold:
        return "negative"
    return "neutral"


def _check_threshold(threshold: float) -> None:
    if not 0 <= threshold < 1:
        raise AnalysisError(f"tone threshold must be at least 0 and below 1 (got {threshold})")


def score_texts(texts, threshold: float = THRESHOLD, mask_names: bool = MASK_NAMES, normalize: bool = True,
                titles: NameTitles | None = None) -> pd.DataFrame:
    """Return VADER scores for each text: ``neg, neu, pos, compound, label`` (one row per text, in order).

    Each text is given to VADER as :func:`scorer_text` makes it: apostrophes,
    quotes and dashes normalised (``normalize=False`` gives VADER the raw text,
    only to measure what normalising changes) and, with ``mask_names`` (the
    default), names and titles masked.
    """
    _check_threshold(threshold)
    polarity = analyzer().polarity_scores
    if normalize:
        titles = titles or (_name_titles(None) if mask_names else None)
        texts = [scorer_text(text, mask_names, titles) for text in texts]
    elif mask_names:
        raise AnalysisError("masking names needs normalised text (normalize=True)")
    scores = [polarity(text) for text in texts]
    table = pd.DataFrame.from_records(scores, columns=["neg", "neu", "pos", "compound"])
    compound = table["compound"].to_numpy()
    negative_or_neutral = np.where(compound <= -threshold, "negative", "neutral")
    table["label"] = np.where(compound >= threshold, "positive", negative_or_neutral)
    return table


def document_languages(corpus) -> pd.DataFrame:
    """Return the language of each document of ``corpus``, read from the start of its own text.

    Returns
    -------
    DataFrame with columns ``doc_id, outlet, source`` (the document's file or
    row, relative to the corpus) and ``language`` (ISO 639-1 code, ``en`` unless
    the document is clearly in another language; see
    :func:`analysis.text.text_language`), in corpus order.
    """
    samples: dict[str, list[str]] = {doc_id: [] for doc_id in corpus.documents["doc_id"]}
    lengths = dict.fromkeys(samples, 0)
    paragraphs = corpus.paragraphs
    for doc_id, role, text in zip(paragraphs["doc_id"].tolist(), paragraphs["role"].tolist(),
                                  paragraphs["text"].tolist()):
        if role in TEXT_ROLES and lengths[doc_id] < LANGUAGE_SAMPLE_CHARS:
            piece = text[:LANGUAGE_SAMPLE_CHARS - lengths[doc_id]]
            samples[doc_id].append(piece)
            lengths[doc_id] += len(piece) + 1
    table = corpus.documents[["doc_id", "outlet", "source"]].copy()
    table["language"] = [text_language("\n".join(samples[doc_id])) for doc_id in table["doc_id"]]
    return table.reset_index(drop=True)


def _warn_left_out(languages: pd.DataFrame) -> None:
    left_out = languages[languages["language"] != LANGUAGE]
    if left_out.empty:
        return
    shown = [f"{row.doc_id} ({row.source}, {row.language})" for row in left_out.head(5).itertuples(index=False)]
    more = f" and {len(left_out) - 5} more" if len(left_out) > 5 else ""
    warnings.warn(
        f"{len(left_out)} of {len(languages)} documents are not in English and are left out of tone "
        f"(VADER scores English only): {', '.join(shown)}{more}",
        NonEnglishWarning, stacklevel=3,
    )


def sentence_tone(corpus, threshold: float = THRESHOLD, mask_names: bool = MASK_NAMES,
                  titles: NameTitles | Path | str | None = None) -> pd.DataFrame:
    """Return one row per sentence of ``corpus`` with its VADER tone.

    VADER is given :func:`scorer_text`: straight apostrophes and quotes and, with
    ``mask_names`` (the default), names and titles replaced by a neutral word, so
    "Defense Minister" or "Korean War" does not move the score. ``titles`` is a
    titles file or :class:`NameTitles` (default ``analysis/data/name_titles.yaml``).

    Sentences of documents not in English (:func:`document_languages`) are not
    scored: a warning names those documents, and their rows have no scores and the
    label ``left out``.

    Returns
    -------
    DataFrame with columns ``doc_id, outlet, event`` (empty when the corpus has no
    events), ``language`` (of the document), ``paragraph_id, sentence_id,
    sentence_index, role, voice, position`` (share of the article's words before
    the sentence), ``n_words, text, neg, neu, pos`` (shares of the sentence's
    lexicon weight, summing to 1), ``compound`` (normalised sum, −1 to 1) and
    ``label`` (positive, neutral or negative at ±``threshold``, or ``left out``),
    ``scored_text`` (what VADER was given) and ``names_masked`` (whether masking
    changed the text). Rows follow ``corpus.sentences``.
    """
    _check_threshold(threshold)
    if not isinstance(titles, NameTitles):
        titles = _name_titles(None if titles is None else str(titles))
    sentences = corpus.sentences
    languages = document_languages(corpus)
    _warn_left_out(languages)
    language_of = dict(zip(languages["doc_id"], languages["language"]))
    language = sentences["doc_id"].map(language_of).fillna(LANGUAGE).to_numpy()
    english = language == LANGUAGE
    normalized = [normalize_for_scorer(text) for text in sentences["text"].tolist()]
    scored = [mask_name_spans(text, titles) if mask_names else text for text in normalized]
    scores = score_texts([text for text, keep in zip(scored, english) if keep], threshold, mask_names=False,
                         normalize=False)  # normalised above
    event_of = dict(zip(corpus.documents["doc_id"], corpus.documents["event"].astype(str)))
    table = pd.DataFrame({
        "doc_id": sentences["doc_id"].to_numpy(),
        "outlet": sentences["outlet"].to_numpy(),
        "event": sentences["doc_id"].map(event_of).fillna("").to_numpy(),
        "language": language,
        "paragraph_id": sentences["paragraph_id"].to_numpy(),
        "sentence_id": sentences["sentence_id"].to_numpy(),
        "sentence_index": sentences["sentence_index"].to_numpy(),
        "role": sentences["role"].to_numpy(),
        "voice": sentences["voice"].to_numpy(),
        "position": sentences["position"].to_numpy(),
        "n_words": sentences["n_words"].to_numpy(),
        "text": sentences["text"].to_numpy(),
    })
    for column in ("neg", "neu", "pos", "compound"):
        values = np.full(len(table), np.nan)
        values[english] = scores[column].to_numpy()
        table[column] = values
    labels = np.full(len(table), LEFT_OUT, dtype=object)
    labels[english] = scores["label"].to_numpy()
    table["label"] = labels
    table["scored_text"] = scored
    table["names_masked"] = [after != before for after, before in zip(scored, normalized)]
    return table


def _tones(source, threshold: float = THRESHOLD) -> pd.DataFrame:
    """Return the sentence-tone table of ``source`` (a corpus, or such a table already)."""
    if isinstance(source, pd.DataFrame):
        missing = [column for column in ("doc_id", "outlet", "sentence_id", "compound", "label")
                   if column not in source.columns]
        if missing:
            raise AnalysisError(f"not a sentence-tone table: column '{missing[0]}' is missing")
        return source
    return sentence_tone(source, threshold)


def _scored(tones: pd.DataFrame) -> pd.DataFrame:
    """Return the rows of a sentence-tone table that were scored (not ``left out``)."""
    left_out = tones["label"] == LEFT_OUT
    return tones[~left_out] if left_out.any() else tones


def _outlet_order(source, tones: pd.DataFrame) -> list[str]:
    return list(source.outlets) if hasattr(source, "outlets") else list(dict.fromkeys(tones["outlet"]))


def _require_outlets(source, tones: pd.DataFrame) -> None:
    if hasattr(source, "require_outlets"):
        source.require_outlets(2)
    elif tones["outlet"].nunique() < 2:
        outlets = ", ".join(dict.fromkeys(tones["outlet"]))
        raise CorpusError(f"comparing outlets needs at least 2 outlets; this table has "
                          f"{tones['outlet'].nunique()} ({outlets})")


def interval_note(n: int, min_n: int = MIN_INTERVAL_N) -> str:
    """Return why a group of ``n`` values has no interval (empty text when it has one)."""
    return "" if n >= min_n else f"no interval: {n} value{'s' if n != 1 else ''}, fewer than {min_n}"


def bootstrap_interval(values, seed: int = SEED, n_resamples: int = N_RESAMPLES,
                       confidence: float = CONFIDENCE, min_n: int = MIN_INTERVAL_N) -> tuple[float, float]:
    """Return the percentile bootstrap interval ``(low, high)`` of the mean of ``values``.

    NaN for fewer than ``min_n`` values (default 10: with fewer, a percentile
    bootstrap interval is too narrow to mean what it says); ``(v, v)`` when every
    value is ``v``. The same ``seed`` gives the same interval.
    """
    from scipy import stats

    data = np.asarray(values, dtype=float)
    if data.size < max(min_n, 2):
        return (float("nan"), float("nan"))
    if np.all(data == data[0]):
        return (float(data[0]), float(data[0]))
    result = stats.bootstrap((data,), np.mean, n_resamples=n_resamples, confidence_level=confidence,
                             method="percentile", vectorized=True, batch=_batch(data.size),
                             rng=np.random.default_rng(seed))
    return (float(result.confidence_interval.low), float(result.confidence_interval.high))


def difference_interval(first, second, seed: int = SEED, n_resamples: int = N_RESAMPLES,
                        confidence: float = CONFIDENCE, min_n: int = MIN_INTERVAL_N) -> tuple[float, float]:
    """Return the percentile bootstrap interval ``(low, high)`` of ``mean(first) − mean(second)``.

    Each sample is resampled on its own (independent groups). NaN when either has
    fewer than ``min_n`` values; ``(d, d)`` when each sample is constant.
    """
    from scipy import stats

    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    if min(a.size, b.size) < max(min_n, 2):
        return (float("nan"), float("nan"))
    if np.all(a == a[0]) and np.all(b == b[0]):
        return (float(a[0] - b[0]), float(a[0] - b[0]))
    result = stats.bootstrap((a, b), _mean_difference, n_resamples=n_resamples, confidence_level=confidence,
                             method="percentile", vectorized=True, batch=_batch(a.size + b.size),
                             rng=np.random.default_rng(seed))
    return (float(result.confidence_interval.low), float(result.confidence_interval.high))


def detectable_difference(first, second, alpha: float = ALPHA, power: float = POWER) -> float:
    """Return the smallest difference in means a two-sided test at ``alpha`` detects with ``power``.

    (z₁₋α/₂ + z_power) · √(s₁²/n₁ + s₂²/n₂), with sample standard deviations: the
    normal approximation to the test of the difference (at α = 0.05 and 80 %
    power, 2.80 standard errors). NaN when a sample has fewer than two values.
    """
    from scipy import stats

    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    if min(a.size, b.size) < 2:
        return float("nan")
    standard_error = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    return float((stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)) * standard_error)


def permutation_count(n_first: int, n_second: int, n_permutations: int | None = None) -> int:
    """Return the relabellings for two samples: ``n_permutations`` if given, else 99,999 unless the samples are large.

    Large samples get fewer (down to 9,999), so that a test relabels at most
    about 2·10⁸ values.
    """
    if n_permutations is not None:
        return int(n_permutations)
    budget = _PERMUTATION_VALUES // max(n_first + n_second, 1)
    return int(min(N_PERMUTATIONS, max(N_RESAMPLES, budget)))


def permutation_p_error(p_value: float, n_first: int, n_second: int, n_resamples: int) -> float:
    """Return the Monte Carlo standard error of a permutation p-value: √(p(1 − p)/B), 0 when the test was exact."""
    if np.isnan(p_value):
        return float("nan")
    if math.comb(n_first + n_second, n_first) <= n_resamples:
        return 0.0
    return float(np.sqrt(p_value * (1 - p_value) / n_resamples))


def permutation_difference(first, second, seed: int = SEED, n_resamples: int = N_PERMUTATIONS) -> tuple[float, float]:
    """Return ``(mean(first) − mean(second), two-sided permutation p-value)`` for two independent samples.

    The p-value comes from relabellings of the pooled sentences: twice the smaller
    share of relabelled differences at or beyond the observed one on either side,
    at most 1. When no more relabellings exist than ``n_resamples`` all are
    enumerated (scipy.stats.permutation_test, exact); otherwise ``n_resamples``
    random ones are drawn (:func:`_random_relabelling_p_value`), counted as scipy
    counts them. NaN when a sample is empty.
    """
    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    if a.size == 0 or b.size == 0:
        return (float("nan"), float("nan"))
    difference = float(a.mean() - b.mean())
    if math.comb(a.size + b.size, a.size) <= n_resamples:
        from scipy import stats

        result = stats.permutation_test((a, b), _mean_difference, permutation_type="independent", vectorized=True,
                                        n_resamples=n_resamples, alternative="two-sided")
        return (difference, float(min(1.0, result.pvalue)))
    p_value = _random_relabelling_p_value(a, b, n_resamples, np.random.default_rng(seed))
    return (difference, float(min(1.0, p_value)))


def _random_relabelling_p_value(first: np.ndarray, second: np.ndarray, n_resamples: int,
                                rng: np.random.Generator) -> float:
    """Return the two-sided p-value of ``mean(first) − mean(second)`` from ``n_resamples`` random relabellings.

    A relabelling's difference depends only on the sum of the values it gives the
    smaller sample, so only that many values are drawn from the pool, not a
    permutation of all of it (scipy's way; three times slower on thousands of
    sentences). Counting follows scipy.stats.permutation_test: a relabelled
    difference within a relative 100 ε of the observed one counts on both sides,
    and each side's share is (count + 1) / (n_resamples + 1).
    """
    pool = np.concatenate([first, second])
    total = float(pool.sum())
    draws_first = first.size <= second.size
    drawn = min(first.size, second.size)

    def differences(drawn_sums: np.ndarray) -> np.ndarray:
        first_sums = drawn_sums if draws_first else total - drawn_sums
        return first_sums / first.size - (total - first_sums) / second.size

    observed = float(differences(np.array([(first if draws_first else second).sum()]))[0])
    relabelled = differences(_random_subset_sums(pool, drawn, n_resamples, rng))
    tolerance = abs(observed) * np.finfo(float).eps * 100
    at_or_below = int(np.count_nonzero(relabelled <= observed + tolerance))
    at_or_above = int(np.count_nonzero(relabelled >= observed - tolerance))
    return 2 * (min(at_or_below, at_or_above) + 1) / (n_resamples + 1)


_KEYED_DRAW_POOL = 1000  # up to this pool size a batch of draws is vectorised (random keys); above, drawn one by one


def _random_subset_sums(pool: np.ndarray, size: int, n_draws: int, rng: np.random.Generator) -> np.ndarray:
    """Return the sums of ``n_draws`` uniformly random subsets of ``size`` values of ``pool`` (without replacement).

    Small pools draw a batch at once, as the ``size`` smallest of random keys per
    row. Large ones draw each subset with ``rng.choice``, which costs ``size``
    random numbers rather than one per pooled value, and skip the zeros (often a
    third of the sentences; they add nothing to a sum): the number of non-zero
    values in a subset is hypergeometric, and which ones a uniform choice among
    them. The sums do not depend on the batch.
    """
    sums = np.empty(n_draws)
    batch = _batch(pool.size)
    if pool.size <= _KEYED_DRAW_POOL:
        for start in range(0, n_draws, batch):
            rows = min(batch, n_draws - start)
            chosen = rng.random((rows, pool.size)).argpartition(size - 1, axis=1)[:, :size]
            sums[start:start + rows] = pool[chosen].sum(axis=1)
        return sums
    nonzero = pool[pool != 0]
    counts = rng.hypergeometric(nonzero.size, pool.size - nonzero.size, size, size=n_draws)
    for start in range(0, n_draws, batch):
        drawn = counts[start:start + batch]
        chosen = np.concatenate([rng.choice(nonzero.size, count, replace=False, shuffle=False) for count in drawn])
        starts = np.cumsum(drawn) - drawn
        subset_sums = np.zeros(drawn.size)
        filled = drawn > 0
        if chosen.size:
            subset_sums[filled] = np.add.reduceat(nonzero[chosen], starts[filled])
        sums[start:start + drawn.size] = subset_sums
    return sums


def sign_flip_p_value(differences, seed: int = SEED, n_resamples: int = N_PERMUTATIONS) -> float:
    """Return the two-sided sign-flip permutation p-value that paired ``differences`` have mean 0.

    Under "no outlet effect" each pair's difference is as likely to have either
    sign. NaN under two pairs (too few to test).
    """
    from scipy import stats

    data = np.asarray(differences, dtype=float)
    if data.size < 2:
        return float("nan")
    result = stats.permutation_test((data,), np.mean, permutation_type="samples", vectorized=True,
                                    n_resamples=n_resamples, batch=_batch(data.size), alternative="two-sided",
                                    rng=np.random.default_rng(seed))
    return float(min(1.0, result.pvalue))


def _mean_difference(first, second, axis=-1):
    return np.mean(first, axis=axis) - np.mean(second, axis=axis)


def _summary_row(compound: np.ndarray, labels: np.ndarray, seed: int, n_resamples: int) -> list:
    left_out = labels == LEFT_OUT
    n_left_out = int(np.sum(left_out))
    if n_left_out:
        compound, labels = compound[~left_out], labels[~left_out]
    n = int(compound.size)
    low, high = bootstrap_interval(compound, seed, n_resamples)
    counts = [int(np.sum(labels == label)) for label in LABELS]
    shares = [count / n if n else float("nan") for count in counts]
    mean = float(compound.mean()) if n else float("nan")
    return [n, mean, low, high, interval_note(n), *counts, *shares, n_left_out]


def tone_summary(source, by: str | list[str] = "outlet", threshold: float = THRESHOLD, seed: int = SEED,
                 n_resamples: int = N_RESAMPLES) -> pd.DataFrame:
    """Return the mean tone of each group of sentences with its bootstrap interval and label shares.

    ``source`` is a corpus or a :func:`sentence_tone` table; ``by`` one column or a
    list of columns of that table (``outlet``, ``doc_id``, ``role``, ``voice``,
    ``event`` …).

    Returns
    -------
    DataFrame with the ``by`` columns, then ``n_sentences, mean_compound, ci_low,
    ci_high`` (percentile bootstrap 95 % interval of the mean, NaN under
    :data:`MIN_INTERVAL_N` sentences), ``interval_note`` (why there is no
    interval; empty when there is one), ``n_positive, n_neutral, n_negative`` and ``share_positive,
    share_neutral, share_negative`` and ``n_left_out`` (sentences not scored: their
    document is not in English). Groups are ordered as they first appear
    (outlets in corpus order, voices authorial, quoted, mixed).
    """
    tones = _tones(source, threshold)
    keys = [by] if isinstance(by, str) else list(by)
    unknown = [key for key in keys if key not in tones.columns]
    if unknown:
        raise AnalysisError(f"cannot group tone by '{unknown[0]}' (columns: {', '.join(tones.columns)})")
    rows = []
    for values, group in tones.groupby(keys, sort=False):
        values = values if isinstance(values, tuple) else (values,)
        rows.append([*values, *_summary_row(group["compound"].to_numpy(), group["label"].to_numpy(), seed,
                                            n_resamples)])
    table = pd.DataFrame.from_records(rows, columns=keys + _SUMMARY_COLUMNS)
    return _sort(table, keys, tones, _outlet_order(source, tones))


def _sort(table: pd.DataFrame, keys: list[str], tones: pd.DataFrame, outlets: list[str]) -> pd.DataFrame:
    """Return ``table`` sorted by ``keys``: outlets in corpus order, voices in VOICE_ORDER, others as first seen."""
    if table.empty:
        return table.reset_index(drop=True)
    orders = {}
    for key in keys:
        if key == "outlet":
            order = outlets
        elif key == "voice":
            order = [*VOICE_ORDER, ALL]
        elif key in tones.columns:
            order = list(dict.fromkeys(tones[key]))
        else:
            order = list(dict.fromkeys(table[key]))
        orders[key] = {value: rank for rank, value in enumerate(order)}

    def rank(column: pd.Series) -> pd.Series:
        order = orders[column.name]
        return column.map(lambda value: order.get(value, len(order)))

    return table.sort_values(keys, key=rank, kind="stable").reset_index(drop=True)


def outlet_voice_tone(source, threshold: float = THRESHOLD, seed: int = SEED,
                      n_resamples: int = N_RESAMPLES) -> pd.DataFrame:
    """Return the tone of each outlet per voice, plus a row ``voice = all`` per outlet.

    Returns
    -------
    DataFrame with columns ``outlet, voice`` and those of :func:`tone_summary`.
    """
    tones = _tones(source, threshold)
    per_voice = tone_summary(tones, ["outlet", "voice"], threshold, seed, n_resamples)
    overall = tone_summary(tones, "outlet", threshold, seed, n_resamples)
    overall.insert(1, "voice", ALL)
    table = pd.concat([per_voice, overall], ignore_index=True)
    return _sort(table, ["outlet", "voice"], tones, _outlet_order(source, tones))


def outlet_differences(source, voice: str | None = None, threshold: float = THRESHOLD, seed: int = SEED,
                       n_resamples: int = N_RESAMPLES, n_permutations: int | None = None) -> pd.DataFrame:
    """Return the difference in mean tone for each pair of outlets, with its interval, power and permutation test.

    With ``voice`` (authorial, quoted, mixed) only sentences in that voice count.
    The interval is a percentile bootstrap of the difference (each outlet's
    sentences resampled on their own, ``n_resamples``); the p-value a two-sided
    permutation test (``n_permutations`` relabellings, by default 99,999 or fewer
    for large outlets: :func:`permutation_count`; exact when fewer exist).
    Raises CorpusError for fewer than two outlets.

    Returns
    -------
    DataFrame with one row per pair (in corpus order of outlets): ``outlet_a,
    outlet_b, voice`` (``all`` when not restricted), ``n_a, n_b, mean_a, mean_b,
    difference`` (mean_a − mean_b), ``ci_low, ci_high`` (95 % interval of the
    difference; NaN when a side has fewer than :data:`MIN_INTERVAL_N` sentences),
    ``interval_note``, ``detectable_difference`` (the smallest difference the test
    finds with 80 % power at α = 0.05, from the two sizes and standard
    deviations: a difference below it going undetected says little),
    ``p_value`` (two-sided; NaN when a side has no sentence), ``p_mc_error``
    (Monte Carlo standard error of p; 0 when exact) and ``n_permutations``.
    """
    every_tone = _tones(source, threshold)
    _require_outlets(source, every_tone)
    tones = _scored(every_tone)
    if voice is not None:
        if voice not in VOICE_ORDER:
            raise AnalysisError(f"unknown voice '{voice}' (choose from {', '.join(VOICE_ORDER)})")
        tones = tones[tones["voice"] == voice]
    outlets = _outlet_order(source, every_tone)
    compound = {outlet: group["compound"].to_numpy() for outlet, group in tones.groupby("outlet", sort=False)}
    empty = np.array([], dtype=float)
    rows = []
    for first, second in itertools.combinations(outlets, 2):
        a, b = compound.get(first, empty), compound.get(second, empty)
        count = permutation_count(a.size, b.size, n_permutations)
        difference, p_value = permutation_difference(a, b, seed, count)
        low, high = difference_interval(a, b, seed, n_resamples)
        rows.append((first, second, voice or ALL, int(a.size), int(b.size),
                     float(a.mean()) if a.size else float("nan"), float(b.mean()) if b.size else float("nan"),
                     difference, low, high, interval_note(min(a.size, b.size)), detectable_difference(a, b),
                     p_value, permutation_p_error(p_value, a.size, b.size, count), count))
    columns = ["outlet_a", "outlet_b", "voice", "n_a", "n_b", "mean_a", "mean_b", "difference", "ci_low", "ci_high",
               "interval_note", "detectable_difference", "p_value", "p_mc_error", "n_permutations"]
    return pd.DataFrame.from_records(rows, columns=columns)


def event_tone(source, threshold: float = THRESHOLD, seed: int = SEED, n_resamples: int = N_RESAMPLES) -> pd.DataFrame:
    """Return the tone of each outlet within each event (empty when the corpus has no events).

    Returns
    -------
    DataFrame with columns ``event, outlet`` and those of :func:`tone_summary`,
    events in order of first appearance.
    """
    tones = _tones(source, threshold)
    tones = tones[tones["event"].astype(str).str.strip() != ""] if "event" in tones.columns else tones.iloc[0:0]
    if tones.empty:
        return pd.DataFrame(columns=["event", "outlet", *_SUMMARY_COLUMNS])
    return tone_summary(tones, ["event", "outlet"], threshold, seed, n_resamples)


def paired_event_differences(source, threshold: float = THRESHOLD, seed: int = SEED,
                             n_resamples: int = N_RESAMPLES, n_permutations: int = N_PERMUTATIONS) -> pd.DataFrame:
    """Return, for each pair of outlets, their difference in mean tone within the same events, tested as pairs.

    For every event that both outlets reported, the difference of their mean
    sentence tone in that event is one pair. The mean of these differences gets a
    bootstrap interval over events, and a sign-flip permutation test (each event's
    difference may change sign under "no outlet effect") gives the p-value. This
    removes differences that come only from outlets covering different events.
    Raises CorpusError for fewer than two outlets.

    Returns
    -------
    DataFrame with one row per pair of outlets: ``outlet_a, outlet_b, n_events``
    (events both reported), ``mean_difference`` (mean over events of mean_a −
    mean_b), ``ci_low, ci_high`` (NaN under :data:`MIN_INTERVAL_N` events),
    ``interval_note`` and ``p_value`` (NaN under two shared events: one event is
    not a test). Empty when the corpus has no events.
    """
    every_tone = _tones(source, threshold)
    _require_outlets(source, every_tone)
    tones = _scored(every_tone)
    columns = ["outlet_a", "outlet_b", "n_events", "mean_difference", "ci_low", "ci_high", "interval_note", "p_value"]
    with_event = tones[tones["event"].astype(str).str.strip() != ""] if "event" in tones.columns else tones.iloc[0:0]
    if with_event.empty:
        return pd.DataFrame(columns=columns)
    means = with_event.groupby(["event", "outlet"], sort=True)["compound"].mean().unstack("outlet")
    rows = []
    for first, second in itertools.combinations(_outlet_order(source, every_tone), 2):
        if first not in means.columns or second not in means.columns:
            rows.append((first, second, 0, float("nan"), float("nan"), float("nan"), interval_note(0), float("nan")))
            continue
        both = means[[first, second]].dropna()
        differences = (both[first] - both[second]).to_numpy()
        if differences.size == 0:
            rows.append((first, second, 0, float("nan"), float("nan"), float("nan"), interval_note(0), float("nan")))
            continue
        low, high = bootstrap_interval(differences, seed, n_resamples)
        rows.append((first, second, int(differences.size), float(differences.mean()), low, high,
                     interval_note(differences.size), sign_flip_p_value(differences, seed, n_permutations)))
    return pd.DataFrame.from_records(rows, columns=columns)


def naming_sentence_tone(source, corpus=None, actors: ActorList | str | None = None, threshold: float = THRESHOLD,
                         seed: int = SEED, n_resamples: int = N_RESAMPLES) -> pd.DataFrame:
    """Return the tone of the sentences naming each actor group, per outlet and voice (not tone toward the actor).

    VADER scores the whole sentence; it does not know whom a word is about, so
    this is the tone of the sentences in which the actor is named.

    ``source`` is a corpus, or a :func:`sentence_tone` table together with the
    ``corpus`` it came from (mentions are found in the corpus sentences). A
    sentence that names a group twice counts once for it; a sentence that names two
    groups counts for both.

    Returns
    -------
    DataFrame with columns ``group, outlet, voice`` (authorial, quoted, mixed, or
    ``all``) and those of :func:`tone_summary`. Every group × outlet pair has an
    ``all`` row, with ``n_sentences = 0`` when the outlet never names the group;
    per-voice rows exist only where there are sentences. Groups follow the actor
    file, outlets the corpus.
    """
    corpus = source if corpus is None and not isinstance(source, pd.DataFrame) else corpus
    if corpus is None:
        raise AnalysisError("the tone of sentences naming actors needs the corpus to find the actors (pass corpus=)")
    tones = _tones(source, threshold)
    actor_list = actors if isinstance(actors, ActorList) else read_actors(actors)
    mentions = actor_mentions(corpus, actor_list)
    group_order = actor_list.names
    pairs = mentions[["sentence_id", "group"]].drop_duplicates()
    joined = pairs.merge(tones, on="sentence_id", how="inner")
    outlets = _outlet_order(corpus, tones)
    rows = []
    for group_name in group_order:
        of_group = joined[joined["group"] == group_name]
        for outlet in outlets:
            sentences = of_group[of_group["outlet"] == outlet]
            rows.append([group_name, outlet, ALL, *_summary_row(sentences["compound"].to_numpy(),
                                                                sentences["label"].to_numpy(), seed, n_resamples)])
            for voice in VOICE_ORDER:
                voiced = sentences[sentences["voice"] == voice]
                if not voiced.empty:
                    rows.append([group_name, outlet, voice, *_summary_row(voiced["compound"].to_numpy(),
                                                                          voiced["label"].to_numpy(), seed,
                                                                          n_resamples)])
    table = pd.DataFrame.from_records(rows, columns=["group", "outlet", "voice", *_SUMMARY_COLUMNS])
    return table.astype({"n_sentences": int, "n_positive": int, "n_neutral": int, "n_negative": int})


actor_tone = naming_sentence_tone  # the earlier name, kept for compatibility


def extreme_sentences(source, n: int = 1, threshold: float = THRESHOLD) -> pd.DataFrame:
    """Return the ``n`` most positive and ``n`` most negative sentences of each outlet, in full.

    Ties are broken by sentence order, so the choice is reproducible.

    Returns
    -------
    DataFrame with columns ``outlet, extreme`` (most positive / most negative),
    ``rank`` (1 = most extreme), ``doc_id, sentence_id, role, voice, compound,
    text``.
    """
    tones = _scored(_tones(source, threshold)).reset_index(drop=True)
    tones = tones.assign(_order=np.arange(len(tones)))
    rows = []
    for outlet in _outlet_order(source, tones):
        sentences = tones[tones["outlet"] == outlet]
        for extreme, ascending in (("most positive", False), ("most negative", True)):
            chosen = sentences.sort_values(["compound", "_order"], ascending=[ascending, True], kind="stable").head(n)
            for rank, row in enumerate(chosen.itertuples(index=False), start=1):
                rows.append((outlet, extreme, rank, row.doc_id, row.sentence_id, row.role, row.voice, row.compound,
                             row.text))
    columns = ["outlet", "extreme", "rank", "doc_id", "sentence_id", "role", "voice", "compound", "text"]
    return pd.DataFrame.from_records(rows, columns=columns)


def extreme_sentences_text(extremes: pd.DataFrame) -> str:
    """Return the rows of :func:`extreme_sentences` as a Markdown list, each sentence in full with its score."""
    return "\n".join(
        f"- **{markdown_text(row.outlet)}**, {row.extreme} #{row.rank} ({markdown_text(row.sentence_id)}, {row.role}, "
        f"{row.voice}, compound {row.compound:+.3f}): {markdown_text(row.text)}"
        for row in extremes.itertuples(index=False)
    )


def format_p(p_value: float, p_mc_error: float = 0.0) -> str:
    """Return ``p`` to two decimals (three under 0.01), with its Monte Carlo error when it was resampled."""
    if np.isnan(p_value):
        return "p not computed"
    shown = f"{p_value:.3f}" if p_value < 0.01 else f"{p_value:.2f}"
    error = f" ± {p_mc_error:.3f}" if p_mc_error and p_mc_error > 0 else ""
    return f"p = {shown}{error}"


def difference_text(row) -> str:
    """Return one difference of :func:`outlet_differences` as text: difference, interval, detectable, p, sizes."""
    interval = (f"95 % interval [{row.ci_low:+.2f}, {row.ci_high:+.2f}]" if not np.isnan(row.ci_low)
                else f"{row.interval_note}")
    return (f"{markdown_text(row.outlet_a)} − {markdown_text(row.outlet_b)}: {row.difference:+.2f} ({interval}; "
            f"smallest detectable {row.detectable_difference:.2f}; {format_p(row.p_value, row.p_mc_error)}; "
            f"{row.n_a:,} and {row.n_b:,} sentences)")


def difference_sentence(differences: pd.DataFrame, alpha: float = ALPHA) -> str:
    """Return computed sentences giving each outlet difference with its interval and detectable size, then the test.

    Effect first: the difference in mean compound and its 95 % interval, then the
    smallest difference the test could detect (80 % power at ``alpha``), then p.
    """
    if differences.empty:
        return "No pair of outlets to compare."
    clear = differences[differences["p_value"] < alpha]
    parts = [difference_text(row) for row in differences.itertuples(index=False)]
    verdict = (f"{len(clear)} of {len(differences)} pairs differ at p < {alpha}"
               if len(clear) else f"no pair differs at p < {alpha}")
    detectable = differences["detectable_difference"].dropna()
    power = ""
    if not detectable.empty:
        size = (f"{detectable.min():.2f}" if f"{detectable.min():.2f}" == f"{detectable.max():.2f}"
                else f"{detectable.min():.2f} to {detectable.max():.2f}")
        power = (f"; with these numbers of sentences only differences of about {size} "
                 f"or more would be found reliably (80 % power), so a smaller difference "
                 f"may exist unseen")
    return (f"Differences in mean compound (−1 to 1), bootstrap 95 % interval, smallest detectable difference and "
            f"permutation test: {'; '.join(parts)}. So {verdict}{power}.")


def masking_sentence(masked: pd.DataFrame, unmasked: pd.DataFrame) -> str:
    """Return a computed sentence on what masking names and titles changed: scores, labels, headlines and standfirsts.

    ``masked`` and ``unmasked`` are :func:`sentence_tone` tables of one corpus,
    with ``mask_names`` on and off.
    """
    masked, unmasked = _scored(masked), _scored(unmasked)
    if masked.empty:
        return "No sentence was scored."
    changed = masked["compound"].to_numpy() != unmasked["compound"].to_numpy()
    relabelled = masked["label"].to_numpy() != unmasked["label"].to_numpy()
    top = masked["role"].isin(["headline", "standfirst"]).to_numpy()
    to_zero = top & changed & (masked["compound"].to_numpy() == 0)
    return (f"Masking names and titles before scoring changes the score of {int(changed.sum())} of {len(masked)} "
            f"sentences and the label of {int(relabelled.sum())}; {int(to_zero.sum())} of the {int(top.sum())} "
            f"headlines and standfirsts scored other than 0 only because of a name or title in them.")


def label_share_sentence(by_voice: pd.DataFrame, voice: str = "authorial") -> str:
    """Return a computed sentence on the label shares of each outlet's sentences in ``voice`` beside their mean.

    ``by_voice`` is a table of :func:`outlet_voice_tone`. A mean near 0 can hide
    many positive and negative sentences that cancel: the shares say which.
    """
    rows = by_voice[(by_voice["voice"] == voice) & (by_voice["n_sentences"] > 0)]
    if rows.empty:
        return f"No {voice} sentences to describe."
    parts = [f"{markdown_text(row.outlet)} mean {row.mean_compound:+.2f}, {row.share_neutral:.0%} neutral, "
             f"{row.share_positive:.0%} positive, {row.share_negative:.0%} negative ({row.n_sentences} sentences)"
             for row in rows.itertuples(index=False)]
    neutral = rows["share_neutral"]
    if rows["mean_compound"].abs().max() < 0.1:
        reading = (f"Their means are near 0, but only {neutral.min():.0%} to {neutral.max():.0%} of them are "
                   f"neutral: positive and negative sentences cancel in the mean")
    else:
        reading = f"{neutral.min():.0%} to {neutral.max():.0%} of them are neutral"
    return f"The {voice} sentences: {'; '.join(parts)}. {reading}."


# Figures -------------------------------------------------------------------------------------------------------------


def plot_outlet_voice_tone(table: pd.DataFrame, source_label: str, ax=None):
    """Return a figure of mean tone per outlet with 95 % intervals, by voice (table of :func:`outlet_voice_tone`).

    Each point is one outlet's mean compound for one voice, its bar the bootstrap
    interval, and the number beside it the sentences behind it.
    """
    from analysis.style import NEUTRAL, add_source_line, new_figure, outlet_colors

    if ax is None:
        figure, ax = new_figure(8.5, 4.4)
    else:
        figure = ax.figure
    voices = [voice for voice in (ALL, *VOICE_ORDER) if voice in set(table["voice"])]
    outlets = list(dict.fromkeys(table["outlet"]))
    colors = outlet_colors(outlets)
    width = 0.7 / max(len(outlets), 1)
    for index, outlet in enumerate(outlets):
        rows = table[table["outlet"] == outlet].set_index("voice")
        for position, voice in enumerate(voices):
            if voice not in rows.index or rows.loc[voice, "n_sentences"] == 0:
                continue
            row = rows.loc[voice]
            x = position - 0.35 + width * (index + 0.5)
            _interval_point(ax, x, row, colors[outlet], label=outlet, vertical=True)
    ax.axhline(0, color=NEUTRAL, linewidth=0.8)
    ax.set_xticks(range(len(voices)), [voice if voice != ALL else "all sentences" for voice in voices])
    ax.set_xlim(-0.5, len(voices) - 0.5)
    ax.set_ylabel("mean VADER compound (−1 to 1)")
    ax.set_xlabel(f"voice of the sentence (n = sentences; no bar under {MIN_INTERVAL_N} sentences)")
    ax.set_title("Mean sentence tone per outlet, by voice, with 95% bootstrap intervals")
    _dedupe_legend(ax, title="outlet")
    add_source_line(figure, source_label)
    return figure


def _interval_point(ax, x: float, row, color: str, label: str | None, vertical: bool) -> None:
    """Draw one mean with its interval (when known) and the sentence count beside it."""
    from analysis.style import NEUTRAL

    mean, low, high, n = row["mean_compound"], row["ci_low"], row["ci_high"], int(row["n_sentences"])
    if vertical:
        if not np.isnan(low):
            ax.plot([x, x], [low, high], color=color, linewidth=2, solid_capstyle="butt")
        ax.plot([x], [mean], marker="o", color=color, markersize=6, linestyle="none", label=label)
        top = high if not np.isnan(high) else mean
        ax.annotate(f"n={n}", (x, top), xytext=(0, 4), textcoords="offset points", fontsize=6.5, ha="center",
                    va="bottom", color=NEUTRAL)
    else:
        if not np.isnan(low):
            ax.plot([low, high], [x, x], color=color, linewidth=2, solid_capstyle="butt")
        ax.plot([mean], [x], marker="o", color=color, markersize=6, linestyle="none", label=label)
        right = high if not np.isnan(high) else mean
        ax.annotate(f"n={n}", (right, x), xytext=(6, 0), textcoords="offset points", fontsize=7, va="center",
                    color=NEUTRAL)


def _dedupe_legend(ax, title: str) -> None:
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    if unique:
        ax.legend(unique.values(), unique.keys(), title=title, fontsize=8, title_fontsize=8, loc="best")


MAX_ARTICLE_LINES = 6
"""Above this many articles, :func:`plot_tone_along_articles` draws each outlet's mean by position decile."""
N_POSITION_BINS = 10


def tone_by_position_decile(tones: pd.DataFrame, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Return the mean sentence tone per outlet and tenth of the article, averaged over articles.

    Each article's sentences are put in deciles of ``position`` (0–0.1, …, 0.9–1);
    an article's score in a decile is the mean compound of its sentences there, and
    an outlet's is the mean of its articles' scores, so a long article counts once.
    The interval is mean ± z·sd/√n over those articles (normal approximation; NaN
    under two articles).

    Returns
    -------
    ``outlet, decile`` (0 to 9), ``position`` (the decile's midpoint), ``mean_compound``,
    ``ci_low, ci_high``, ``n_articles`` (articles with a sentence in the decile).
    """
    from scipy import stats

    columns = ["outlet", "decile", "position", "mean_compound", "ci_low", "ci_high", "n_articles"]
    if tones.empty:
        return pd.DataFrame(columns=columns)
    deciles = np.minimum((tones["position"].to_numpy(dtype=float) * N_POSITION_BINS).astype(int), N_POSITION_BINS - 1)
    per_article = (tones.assign(decile=deciles).groupby(["outlet", "doc_id", "decile"], sort=False)["compound"]
                   .mean().reset_index())
    table = per_article.groupby(["outlet", "decile"], sort=False)["compound"].agg(
        mean_compound="mean", sd="std", n_articles="size").reset_index()
    z = float(stats.norm.isf((1 - confidence) / 2))
    half = z * table["sd"] / np.sqrt(table["n_articles"])
    table["ci_low"] = (table["mean_compound"] - half).where(table["n_articles"] >= 2)
    table["ci_high"] = (table["mean_compound"] + half).where(table["n_articles"] >= 2)
    table["position"] = (table["decile"] + 0.5) / N_POSITION_BINS
    outlets = list(dict.fromkeys(tones["outlet"]))
    table["outlet_rank"] = table["outlet"].map({name: index for index, name in enumerate(outlets)})
    table = table.sort_values(["outlet_rank", "decile"])
    return table[columns].reset_index(drop=True)


def plot_tone_along_articles(tones: pd.DataFrame, source_label: str, max_documents: int = 3,
                             max_lines: int = MAX_ARTICLE_LINES):
    """Return a figure of sentence tone along the articles, x = position in the article (0 = headline).

    With at most ``max_lines`` articles: one panel per outlet, each line one article
    (at most ``max_documents`` per outlet, the first in corpus order), markers the
    voice of each sentence. With more: small multiples, one panel per outlet with a
    thin line per article and a bold line for the outlet's mean per tenth of the
    article (:func:`tone_by_position_decile`, band: its 95 % interval over articles),
    and a last panel setting the outlets' means side by side.
    """
    from analysis.style import NEUTRAL, add_source_line, new_figure, outlet_colors

    if tones["doc_id"].nunique() > max_lines:
        return _plot_tone_along_many_articles(tones, source_label)
    outlets = list(dict.fromkeys(tones["outlet"]))
    colors = outlet_colors(outlets)
    figure, axes = new_figure(7.5, 1.9 * len(outlets) + 0.6, nrows=len(outlets), sharex=True, sharey=True,
                              squeeze=False)
    markers = {"authorial": "o", "quoted": "s", "mixed": "D"}
    shown_total = 0
    for ax, outlet in zip(axes[:, 0], outlets):
        sentences = tones[tones["outlet"] == outlet]
        doc_ids = list(dict.fromkeys(sentences["doc_id"]))
        shown = doc_ids[:max_documents]
        shown_total += len(shown)
        for doc_id in shown:
            article = sentences[sentences["doc_id"] == doc_id]
            ax.plot(article["position"], article["compound"], color=colors[outlet], linewidth=0.9, alpha=0.6)
            for voice, marker in markers.items():
                voiced = article[article["voice"] == voice]
                ax.plot(voiced["position"], voiced["compound"], linestyle="none", marker=marker, markersize=4,
                        color=colors[outlet], markeredgecolor="white", markeredgewidth=0.4, label=voice)
        ax.axhline(0, color=NEUTRAL, linewidth=0.8)
        more = f" (first {len(shown)} of {len(doc_ids)} articles)" if len(doc_ids) > len(shown) else ""
        ax.set_title(f"{outlet}{more}", fontsize=9, loc="left")
        ax.set_ylim(-1.05, 1.05)
        ax.set_ylabel("compound")
    handles = [axes[0, 0].plot([], [], linestyle="none", marker=marker, color=NEUTRAL, label=voice)[0]
               for voice, marker in markers.items()]
    axes[0, 0].legend(handles=handles, title=None, fontsize=7, loc="lower right", bbox_to_anchor=(1.0, 1.0),
                      ncol=3, borderaxespad=0.2)
    axes[-1, 0].set_xlabel("position in the article (share of its words before the sentence; 0 = headline)")
    figure.suptitle("Sentence-by-sentence VADER tone along each article", x=0.01, ha="left", fontweight="bold",
                    fontsize=11)
    figure.tight_layout()
    add_source_line(figure, source_label)
    return figure


def _plot_tone_along_many_articles(tones: pd.DataFrame, source_label: str):
    """Small multiples: per outlet, thin article lines under a bold mean per decile; a last panel of the means."""
    from analysis.style import NEUTRAL, add_source_line, new_figure, outlet_colors

    outlets = list(dict.fromkeys(tones["outlet"]))
    colors = outlet_colors(outlets)
    deciles = tone_by_position_decile(tones)
    n_panels = len(outlets) + 1
    n_columns = min(3, n_panels)
    n_rows = -(-n_panels // n_columns)
    figure, axes = new_figure(3.0 * n_columns + 0.6, 2.4 * n_rows + 0.8, nrows=n_rows, ncols=n_columns,
                              sharex=True, sharey=True, squeeze=False)
    panels = list(axes.ravel())
    for ax in panels[n_panels:]:
        ax.remove()
    for ax, outlet in zip(panels, outlets):
        sentences = tones[tones["outlet"] == outlet]
        doc_ids = list(dict.fromkeys(sentences["doc_id"]))
        for doc_id in doc_ids:
            article = sentences[sentences["doc_id"] == doc_id]
            ax.plot(article["position"], article["compound"], color=colors[outlet], linewidth=0.5, alpha=0.25)
        _draw_decile_mean(ax, deciles[deciles["outlet"] == outlet], colors[outlet], band=True)
        ax.set_title(f"{outlet} ({len(doc_ids)} articles)", fontsize=9, loc="left")
    summary = panels[len(outlets)]
    for outlet in outlets:
        _draw_decile_mean(summary, deciles[deciles["outlet"] == outlet], colors[outlet], band=False, label=outlet)
    summary.set_title("all outlets: mean per tenth", fontsize=9, loc="left")
    summary.legend(fontsize=7, loc="lower left")
    for ax in panels[:n_panels]:
        ax.axhline(0, color=NEUTRAL, linewidth=0.8)
        ax.set_ylim(-1.05, 1.05)
        ax.set_xlim(0, 1)
        ax.tick_params(labelbottom=True)  # a panel above an empty cell keeps its scale
    for row in axes:
        row[0].set_ylabel("compound")
    figure.supxlabel("position in the article (share of its words before the sentence; 0 = headline)", fontsize=9)
    figure.suptitle("Sentence tone along the articles: thin lines one article each; bold line the outlet's mean per "
                    "tenth of the article (band: 95% interval over articles)", x=0.01, ha="left", fontweight="bold",
                    fontsize=10, wrap=True)
    figure.tight_layout()
    add_source_line(figure, source_label)
    return figure


def _draw_decile_mean(ax, rows: pd.DataFrame, color: str, band: bool, label: str | None = None) -> None:
    if band:
        ax.fill_between(rows["position"], rows["ci_low"], rows["ci_high"], color=color, alpha=0.2, linewidth=0)
    ax.plot(rows["position"], rows["mean_compound"], color=color, linewidth=2.2, marker="o", markersize=3,
            label=label)


def plot_actor_tone(table: pd.DataFrame, source_label: str, voice: str = ALL):
    """Return a figure of the mean tone of sentences naming each actor group, per outlet (table of :func:`actor_tone`).

    Bars are 95 % bootstrap intervals and ``n=`` the sentences behind each point;
    under :data:`MIN_INTERVAL_N` sentences the point has no bar. The score is the
    whole sentence's, not a tone aimed at the actor.
    """
    from analysis.style import NEUTRAL, add_source_line, new_figure, outlet_colors

    rows = table[(table["voice"] == voice) & (table["n_sentences"] > 0)]
    groups = [group for group in dict.fromkeys(table["group"]) if group in set(rows["group"])]
    outlets = list(dict.fromkeys(table["outlet"]))
    colors = outlet_colors(outlets)
    figure, ax = new_figure(7.5, 0.2 * max(len(groups), 1) * max(len(outlets), 1) + 1.4)
    step = 0.8 / max(len(outlets), 1)
    for index, outlet in enumerate(outlets):
        for position, group in enumerate(groups):
            match = rows[(rows["group"] == group) & (rows["outlet"] == outlet)]
            if match.empty:
                continue
            y = position - 0.4 + step * (index + 0.5)
            _interval_point(ax, y, match.iloc[0], colors[outlet], label=outlet, vertical=False)
    ax.axvline(0, color=NEUTRAL, linewidth=0.8)
    ax.set_yticks(range(len(groups)), groups)
    ax.invert_yaxis()
    ax.set_xlim(-1.05, 1.15)
    ax.set_xlabel(f"mean VADER compound (−1 to 1); bar: 95% bootstrap interval (none under {MIN_INTERVAL_N} "
                  f"sentences); n: sentences")
    which = "all sentences" if voice == ALL else f"{voice} sentences"
    ax.set_title(f"Tone of the sentences naming each actor (not tone toward it), per outlet ({which})")
    _dedupe_legend(ax, title="outlet")
    add_source_line(figure, source_label)
    return figure
