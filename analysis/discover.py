"""Discovery: starter codebook, actor list and source list for a corpus that has none yet.

The steps, each a plain function over the corpus:

* :func:`frame_model` factorises a unit × term TF-IDF matrix (sentences or
  paragraphs; terms from :func:`analysis.vocabulary.sentence_terms`, the project's
  words and stop words) with non-negative matrix factorisation (scikit-learn NMF,
  ``init="nndsvd"``, a fixed ``random_state``): the inductive, cluster-based frame
  analysis of Walter & Ophir (2019), where a cluster of co-occurring words is a
  *candidate* frame for a person to read and name. Without ``n_frames`` the number
  of clusters is chosen by :func:`choose_n_frames` (mean NPMI coherence of the top
  terms, over a small range bounded by the corpus size).
* :func:`discover_frames`, :func:`frame_shares` and :func:`frame_examples` read the
  model as tidy tables: top terms with weights, the share of each outlet's units
  whose dominant candidate frame it is, and the units that weigh most on each.
* :func:`discover_actors` lists frequent capitalised names (runs found by
  :func:`analysis.speakers._name_runs`), surname-only and title+surname mentions
  joined to the full name, abbreviations ("US") to the one name whose initials
  they are ("United States").
* :func:`discover_sources` lists the most-quoted entities of
  :func:`analysis.sources.attributions`, with a category where a general rule can
  tell (unnamed sources, media) and "to classify" otherwise.
* :func:`write_discovered` writes ``codebook.yaml``, ``actors.yaml``, ``sources.yaml``,
  ``frames.csv``, ``frame-shares.csv``, ``frame-examples.csv`` and ``summary.txt``
  into a folder, each in the format the project's readers take, checked by those
  readers before anything is written. See ``docs/discover.md``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import multiprocessing
import os
import re
import tempfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import sparse

from analysis.errors import AnalysisError, RulesError
from analysis.matching import compile_phrase, matching_form
from analysis.output import OutputError, check_output_file, format_table, make_folder, write_text_atomic
from analysis.speakers import _FEMALE_TITLES, _MALE_TITLES, _MEDIA_WORDS, _TITLES, _WORD, _name_runs, describe_speaker
from analysis.text import normalize_token
from analysis.vocabulary import TermOptions, default_options, sentence_terms

UNITS = ("sentence", "paragraph")
MAX_AUTO_FRAMES = 10
N_TOP_TERMS = 10
COMMON_WORD_ZIPF = 6.0
N_NAME_TERMS = 3
N_EXAMPLES = 3
NO_FRAME = "no discovered term"
TO_CLASSIFY = "to-classify"
MARKER = ".discovered"
FILES = ("codebook.yaml", "frames.csv", "frame-shares.csv", "frame-examples.csv", "actors.yaml", "sources.yaml",
         "summary.txt")

_TITLE_WORDS = _TITLES | _MALE_TITLES | _FEMALE_TITLES
_CALENDAR_WORDS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
                   "february", "march", "april", "may", "june", "july", "august", "september", "october",
                   "november", "december"}
# Honorifics and the commonest speech verbs: in every story, so never what sets a frame apart.
_NOT_FRAME_WORDS = {"mr", "mrs", "ms", "miss", "dr", "said", "says", "say", "told"}
_INITIALS = re.compile(r"^(?:[A-Za-z]\.){2,}$")


# --- candidate frames ---------------------------------------------------------------------------------------


@dataclass
class FrameModel:
    """A factorised unit × term matrix: the candidate frames of one corpus.

    ``units`` has ``unit_id, doc_id, outlet, text`` (one row per sentence or
    paragraph, corpus order); ``unit_weights`` is units × frames, ``term_weights``
    frames × terms; ``k_scores`` has ``n_frames, coherence, chosen`` (empty when
    the number of frames was given).
    """

    unit: str
    units: pd.DataFrame
    terms: np.ndarray
    unit_weights: np.ndarray
    term_weights: np.ndarray
    k_scores: pd.DataFrame
    seed: int

    @property
    def n_frames(self) -> int:
        """Return the number of candidate frames."""
        return self.term_weights.shape[0]

    def top_terms(self, frame: int, n: int = N_TOP_TERMS) -> list[tuple[str, float]]:
        """Return the ``n`` heaviest (term, weight) of a frame (0-based), ties by term."""
        weights = self.term_weights[frame]
        order = sorted((index for index in np.flatnonzero(weights > 0)), key=lambda i: (-weights[i], self.terms[i]))
        return [(str(self.terms[i]), float(weights[i])) for i in order[:n]]

    def name(self, frame: int) -> str:
        """Return the frame's name: its number and its top terms ("frame 1: storm / harbour / wave")."""
        words = " / ".join(term for term, _ in self.top_terms(frame, N_NAME_TERMS))
        return f"frame {frame + 1}: {words}"


def discovery_units(corpus, unit: str = "sentence") -> pd.DataFrame:
    """Return the units frames are discovered in: ``unit_id, doc_id, outlet, text``.

    Sentences come from ``corpus.sentences``; a paragraph is the text of its
    sentences (the article's own text, as every other step reads it).
    """
    if unit not in UNITS:
        raise AnalysisError(f"unknown unit '{unit}' (choose from {', '.join(UNITS)})")
    sentences = corpus.sentences
    if unit == "sentence":
        table = sentences[["sentence_id", "doc_id", "outlet", "text"]].rename(columns={"sentence_id": "unit_id"})
        return table.reset_index(drop=True)
    grouped = sentences.groupby("paragraph_id", sort=False).agg(
        doc_id=("doc_id", "first"), outlet=("outlet", "first"), text=("text", " ".join))
    return grouped.reset_index().rename(columns={"paragraph_id": "unit_id"})[["unit_id", "doc_id", "outlet", "text"]]


def _unit_term_counts(texts: list[str], options: TermOptions) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Return units × terms counts for the terms found in at least two units (terms sorted)."""
    per_unit = [[term for term in sentence_terms(text, options)
                 if len(term) > 1 and any(c.isalpha() for c in term) and term.casefold() not in _NOT_FRAME_WORDS]
                for text in texts]
    unit_frequency: dict[str, int] = {}
    for terms in per_unit:
        for term in set(terms):
            unit_frequency[term] = unit_frequency.get(term, 0) + 1
    vocabulary = sorted(term for term, count in unit_frequency.items() if count >= 2 and not _very_common(term))
    index = {term: position for position, term in enumerate(vocabulary)}
    rows, columns = [], []
    for row, terms in enumerate(per_unit):
        for term in terms:
            if term in index:
                rows.append(row)
                columns.append(index[term])
    counts = sparse.csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, columns)),
                               shape=(len(texts), len(vocabulary)))
    counts.sum_duplicates()
    return counts, np.array(vocabulary, dtype=object)


def _very_common(term: str) -> bool:
    """Return whether ``term`` is one of the commonest English words (wordfreq Zipf ≥ 6: "people", "know", "one").

    They pass the stop list but are in every story, so they would only blur the clusters.
    Acronyms ("US", "WHO") are never dropped.
    """
    from wordfreq import zipf_frequency

    return term == term.lower() and zipf_frequency(term, "en") >= COMMON_WORD_ZIPF


def _tfidf(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    from sklearn.feature_extraction.text import TfidfTransformer

    return TfidfTransformer(norm="l2", smooth_idf=True, sublinear_tf=True).fit_transform(counts).tocsr()


def _factorise(matrix: sparse.csr_matrix, n_frames: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.decomposition import NMF

    model = NMF(n_components=n_frames, init="nndsvd", random_state=seed, max_iter=500, tol=1e-4)
    unit_weights = model.fit_transform(matrix)
    return unit_weights, model.components_


def npmi_coherence(term_weights: np.ndarray, presence: sparse.csr_matrix, n_top: int = N_TOP_TERMS) -> float:
    """Return the mean NPMI of the pairs of each frame's top terms, co-occurrence counted in units.

    ``presence`` is units × terms (non-zero where the unit has the term). A pair
    never seen together scores −1; the mean is over every pair of every frame.
    """
    binary = (presence > 0).astype(np.float64).tocsc()
    n_units = binary.shape[0]
    scores = []
    for weights in term_weights:
        top = [i for i in np.argsort(-weights, kind="stable")[:n_top] if weights[i] > 0]
        columns = binary[:, top]
        joint = (columns.T @ columns).toarray()
        for a in range(len(top)):
            for b in range(a + 1, len(top)):
                together = joint[a, b]
                if together == 0:
                    scores.append(-1.0)
                    continue
                p_ab = together / n_units
                p_a, p_b = joint[a, a] / n_units, joint[b, b] / n_units
                scores.append(1.0 if p_ab >= 1 else math.log(p_ab / (p_a * p_b)) / -math.log(p_ab))
    return float(np.mean(scores)) if scores else -1.0


def frame_range(n_units: int, n_terms: int) -> range:
    """Return the numbers of frames :func:`choose_n_frames` tries: 2 to min(10, √(units/2), terms − 1), or 2."""
    upper = min(MAX_AUTO_FRAMES, int(math.sqrt(n_units / 2)), n_terms - 1)
    return range(2, max(2, upper) + 1)


def choose_n_frames(matrix: sparse.csr_matrix, seed: int = 0) -> pd.DataFrame:
    """Return ``n_frames, coherence, chosen``: each tried number of frames and its mean NPMI coherence.

    The chosen number has the highest coherence (ties: the smaller number), so
    the same matrix and seed always choose the same number.
    """
    return _chosen_n_frames(matrix, seed)[0]


def _chosen_n_frames(matrix: sparse.csr_matrix, seed: int) -> tuple[pd.DataFrame, tuple[np.ndarray, np.ndarray]]:
    """Return :func:`choose_n_frames` and the factorisation of the chosen number (unit and term weights)."""
    rows, best, chosen, chosen_fit = [], None, None, None
    for n_frames in frame_range(*matrix.shape):  # ascending, and only a higher score replaces: ties keep the smaller
        fit = _factorise(matrix, n_frames, seed)
        coherence = round(npmi_coherence(fit[1], matrix), 12)
        rows.append({"n_frames": n_frames, "coherence": coherence})
        if best is None or coherence > best:
            best, chosen, chosen_fit = coherence, n_frames, fit
    table = pd.DataFrame(rows)
    table["chosen"] = table["n_frames"] == chosen
    return table, chosen_fit


def frame_model(corpus, n_frames: int | None = None, seed: int = 0, unit: str = "sentence",
                options: TermOptions | None = None) -> FrameModel:
    """Return the :class:`FrameModel` of ``corpus``: NMF of the unit × term TF-IDF matrix.

    Terms are single words (default stop words removed) found in at least two
    units. Raises AnalysisError when the corpus is too small (fewer than two
    units with terms, or fewer terms than frames) or ``n_frames`` is below 1.
    """
    if n_frames is not None and n_frames < 1:
        raise AnalysisError(f"the number of frames must be 1 or more, not {n_frames}")
    options = options or default_options()
    units = discovery_units(corpus, unit)
    counts, terms = _unit_term_counts(units["text"].tolist(), options)
    used = np.asarray(counts.sum(axis=1)).ravel() > 0
    if used.sum() < 2 or len(terms) < 2:
        raise AnalysisError(f"{corpus.source}: too little text to discover frames ({int(used.sum())} {unit}s "
                            f"share {len(terms)} words; at least 2 of each are needed)")
    matrix = _tfidf(counts)
    if n_frames is None:
        # The chosen number's factorisation is the one made while choosing (same matrix, number and seed).
        k_scores, (fitted, term_weights) = _chosen_n_frames(matrix[used], seed)
        n_frames = int(k_scores.loc[k_scores["chosen"], "n_frames"].iloc[0])
    else:
        k_scores = pd.DataFrame(columns=["n_frames", "coherence", "chosen"])
        if n_frames > min(int(used.sum()), len(terms)):
            raise AnalysisError(f"{corpus.source}: {n_frames} frames asked, but only {int(used.sum())} {unit}s "
                                f"with {len(terms)} shared words (ask for fewer frames)")
        fitted, term_weights = _factorise(matrix[used], n_frames, seed)
    unit_weights = np.zeros((len(units), n_frames))
    unit_weights[used] = fitted
    return FrameModel(unit, units, terms, unit_weights, term_weights, k_scores, seed)


def discover_frames(corpus, n_frames: int | None = None, seed: int = 0, unit: str = "sentence",
                    model: FrameModel | None = None) -> pd.DataFrame:
    """Return the top terms of each candidate frame.

    Returns
    -------
    ``frame`` (1-based number), ``name`` ("frame 1: a / b / c"), ``rank`` (1 =
    heaviest), ``term`` and ``weight`` (its NMF weight in the frame), ten rows per
    frame at most (terms with weight 0 are left out).
    """
    model = model or frame_model(corpus, n_frames, seed, unit)
    rows = [{"frame": frame + 1, "name": model.name(frame), "rank": rank, "term": term, "weight": round(weight, 6)}
            for frame in range(model.n_frames)
            for rank, (term, weight) in enumerate(model.top_terms(frame), start=1)]
    return pd.DataFrame(rows, columns=["frame", "name", "rank", "term", "weight"])


def _dominant(model: FrameModel) -> np.ndarray:
    """Return each unit's dominant frame (0-based), −1 for a unit without any discovered term."""
    dominant = np.argmax(model.unit_weights, axis=1)
    dominant[model.unit_weights.max(axis=1) <= 0] = -1
    return dominant


def frame_shares(corpus, n_frames: int | None = None, seed: int = 0, unit: str = "sentence",
                 model: FrameModel | None = None) -> pd.DataFrame:
    """Return, per outlet and candidate frame, the units whose dominant frame it is.

    Returns
    -------
    ``outlet, frame, name, n_units`` (units of the outlet whose heaviest frame it
    is), ``n_outlet_units`` (all units of the outlet) and ``share``
    (n_units / n_outlet_units). Frame 0, named "no discovered term", counts the
    units with none of the model's terms. Outlets in corpus order, frames by number.
    """
    model = model or frame_model(corpus, n_frames, seed, unit)
    dominant = _dominant(model)
    names = [NO_FRAME] + [model.name(frame) for frame in range(model.n_frames)]
    rows = []
    for outlet in corpus.outlets:
        mine = dominant[(model.units["outlet"] == outlet).to_numpy()]
        for frame in range(0, model.n_frames + 1):
            count = int((mine == frame - 1).sum())
            rows.append({"outlet": outlet, "frame": frame, "name": names[frame], "n_units": count,
                         "n_outlet_units": len(mine), "share": round(count / len(mine), 6) if len(mine) else 0.0})
    table = pd.DataFrame(rows, columns=["outlet", "frame", "name", "n_units", "n_outlet_units", "share"])
    return table.sort_values(["frame"], kind="stable").reset_index(drop=True)


def frame_examples(corpus, n_frames: int | None = None, seed: int = 0, unit: str = "sentence",
                   model: FrameModel | None = None, n_examples: int = N_EXAMPLES) -> pd.DataFrame:
    """Return the ``n_examples`` units weighing most on each candidate frame.

    Returns
    -------
    ``frame, name, rank, unit_id, doc_id, outlet, weight, text`` (ties by corpus order).
    """
    model = model or frame_model(corpus, n_frames, seed, unit)
    rows = []
    for frame in range(model.n_frames):
        weights = model.unit_weights[:, frame]
        order = [i for i in np.argsort(-weights, kind="stable")[:n_examples] if weights[i] > 0]
        for rank, index in enumerate(order, start=1):
            unit_row = model.units.iloc[index]
            rows.append({"frame": frame + 1, "name": model.name(frame), "rank": rank, "unit_id": unit_row["unit_id"],
                         "doc_id": unit_row["doc_id"], "outlet": unit_row["outlet"],
                         "weight": round(float(weights[index]), 6), "text": unit_row["text"]})
    return pd.DataFrame(rows, columns=["frame", "name", "rank", "unit_id", "doc_id", "outlet", "weight", "text"])


# --- actors ---------------------------------------------------------------------------------------------------


def _printed(word: str) -> str:
    """Return a name word as it should be listed: no possessive, no sentence-final full stop ("U.S." kept)."""
    word = re.sub(r"['\u2019]s$", "", word)
    if word.endswith(".") and not _INITIALS.match(word):
        word = word.rstrip(".")
    return word.strip("'\u2019-")


def _initials(name: str) -> str:
    """Return the capital initials of a name's words ("United States" → "US"), connectors left out."""
    return "".join(word[0] for word in name.split() if word[:1].isupper())


def name_mentions(corpus) -> pd.DataFrame:
    """Return every capitalised name run of the corpus's sentences.

    A run (:func:`analysis.speakers._name_runs`) is split after a possessive
    ("North Korea's Kim" gives "North Korea" and "Kim") and at a title ("Russian
    President Vladimir Putin" gives "Russian" and "Vladimir Putin" after the title
    "president"). A sentence's first word is left out when it is a stop word, or a
    word the corpus writes in lower case more often than capitalised inside a
    sentence ("Storms", "Yesterday"). Stop words, weekdays and months are cut from
    the ends of a name.

    Returns
    -------
    ``doc_id, outlet, sentence_id, name`` (as printed, possessive removed) and
    ``title`` (the title just before it, lower case, '' without one).
    """
    stopwords = default_options().stopwords
    lower_counts: Counter = Counter()
    inner_capitals: Counter = Counter()
    split = []
    for text in corpus.sentences["text"]:
        words = _WORD.findall(text)
        split.append(words)
        lower_counts.update(word.lower() for word in words if word[:1].islower())
        inner_capitals.update(_printed(word).lower() for word in words[1:] if word[:1].isupper())
    rows = []
    sentences = corpus.sentences
    for doc_id, outlet, sentence_id, words in zip(sentences["doc_id"], sentences["outlet"],
                                                  sentences["sentence_id"], split):
        for start, end in _name_runs(words):
            run = list(words[start:end])
            if start == 0:
                first = _printed(run[0]).lower()
                if _is_filler(_printed(run[0]), stopwords) or lower_counts[first] > inner_capitals[first]:
                    run = run[1:]
            for name, title in _name_parts(run):
                while name and _is_filler(name[0], stopwords):
                    name = name[1:]
                while name and _is_filler(name[-1], stopwords):
                    name = name[:-1]
                if not name or len(name) > 5 or not all(name):
                    continue
                # A word said twice ("Mitt Mitt" in a transcript of chanting) is one word of a name.
                name = [word for index, word in enumerate(name) if index == 0 or word != name[index - 1]]
                text = " ".join(name)
                if any(character.isalpha() for character in text):
                    rows.append((doc_id, outlet, sentence_id, text, title))
    return pd.DataFrame.from_records(rows, columns=["doc_id", "outlet", "sentence_id", "name", "title"])


def _is_filler(word: str, stopwords: frozenset[str]) -> bool:
    """Return whether a capitalised word is a stop word ("The", but not the acronym "US"), weekday or month."""
    return normalize_token(word) in stopwords or word.lower() in _CALENDAR_WORDS


def _name_parts(run: list[str]) -> list[tuple[list[str], str]]:
    """Return the names in one capitalised run (printed words) with the title before each ('' without one)."""
    parts: list[tuple[list[str], str]] = []
    current: list[str] = []
    title = ""
    for word in run:
        printed = _printed(word)
        bare = printed.lower().rstrip(".")
        if bare in _TITLE_WORDS:
            if current:
                parts.append((current, title))
                current = []
            title = bare
            continue
        current.append(printed)
        if re.search(r"['\u2019]s$", word):  # a possessive ends a name: "North Korea's Kim"
            parts.append((current, title))
            current, title = [], ""
    if current:
        parts.append((current, title))
    return parts


def discover_actors(corpus, min_count: int = 3) -> pd.DataFrame:
    """Return the frequent names of ``corpus`` with their variants joined, one row per (actor, alias).

    Variants join by three rules: one spelling up to case and possessive; a
    one-word name (often after a title: "Ms Lopez", "Lopez") joins the one
    longer name ending in that word ("Maria Lopez") unless that name is
    mentioned less than a tenth as often; an acronym joins the one
    longer name whose capital initials it is ("US" → "United States"). A word
    that ends two full names stays its own actor. Actors mentioned fewer than
    ``min_count`` times in all are left out.

    Returns
    -------
    ``actor`` (its most frequent full form), ``alias``, ``count`` (mentions of
    this alias), ``total`` (mentions of the actor), ``n_documents`` (of the
    actor), ``kind`` ("person" when a title or a known first name says so, else
    "name") and ``titled`` (mentions of the actor after a title). Sorted by
    ``total`` (descending), actor, then ``count`` (descending) and alias.
    """
    if min_count < 1:
        raise AnalysisError(f"the least count of an actor must be 1 or more, not {min_count}")
    mentions = name_mentions(corpus)
    columns = ["actor", "alias", "count", "total", "n_documents", "kind", "titled"]
    if mentions.empty:
        return pd.DataFrame(columns=columns)
    mentions["key"] = [matching_form(name)[0].casefold().replace(".", "") for name in mentions["name"]]
    # The printed form of each key: its most frequent spelling (ties: the first in sort order).
    spellings = mentions.groupby(["key", "name"]).size().reset_index(name="n")
    spellings = spellings.sort_values(["key", "n", "name"], ascending=[True, False, True])
    printed = dict(spellings.drop_duplicates("key")[["key", "name"]].itertuples(index=False, name=None))
    key_counts = mentions["key"].value_counts()
    # Words of the printed form: "Korea-Russia" is one word, so "Russia" does not join it.
    words_of = {key: printed[key].casefold().replace(".", "").split() for key in key_counts.index}
    multi = [key for key in key_counts.index if len(words_of[key]) > 1]
    owner = {key: key for key in key_counts.index}
    for key in key_counts.index:
        if len(words_of[key]) != 1:
            continue
        word = printed[key].replace(".", "")
        if not (2 <= len(word) <= 6 and word.isupper()):
            enders = [name for name in multi if words_of[name][-1] == words_of[key][0]]
            # A one-off run ("Iowa God", a missed sentence break) may not take a word ten times as frequent.
            if len(enders) == 1 and 10 * key_counts[enders[0]] >= key_counts[key]:
                owner[key] = enders[0]
        else:
            expansions = [name for name in multi if _initials(printed[name]) == word]
            if len(expansions) == 1:
                owner[key] = expansions[0]
    mentions["owner"] = mentions["key"].map(owner)
    rows = []
    for actor_key, group in mentions.groupby("owner", sort=True):
        total = len(group)
        if total < min_count:
            continue
        actor = printed[actor_key]
        titled = int((group["title"] != "").sum())
        person = titled > 0 or describe_speaker(actor).kind == "person"
        for alias_key, count in group["key"].value_counts().items():
            rows.append({"actor": actor, "alias": printed[alias_key], "count": int(count), "total": total,
                         "n_documents": group["doc_id"].nunique(), "kind": "person" if person else "name",
                         "titled": titled})
    table = pd.DataFrame(rows, columns=columns)
    table = table[table["alias"].map(_is_phrase).astype(bool)]  # a list mask on no rows would select columns
    table = table.sort_values(["total", "actor", "count", "alias"], ascending=[False, True, False, True])
    return table.reset_index(drop=True)


def _is_phrase(text: str) -> bool:
    """Return whether ``text`` compiles as a phrase of the matching syntax (has words, no gap markers)."""
    if "…" in text or "..." in text:
        return False
    try:
        compile_phrase(text)
    except ValueError:
        return False
    return True


# --- sources --------------------------------------------------------------------------------------------------


def source_category(entity: str, kind: str, lower_words: frozenset[str] = frozenset()) -> str:
    """Return the category a general rule gives a source: ``unnamed``, ``media`` or ``to-classify``.

    Unnamed: a role without a proper name ("an official", "analysts"), or a
    source all of whose words the corpus also writes in lower case
    (``lower_words``: "Teachers" opening a sentence). Media: an organisation
    named with a media word ("news", "agency", "newspaper" …). Anything else
    needs a person who knows the story.
    """
    speaker = describe_speaker(entity)
    words = re.findall(r"[\w']+", entity)
    if not speaker.named or (words and all(word.lower() in lower_words for word in words)):
        return "unnamed"
    if kind != "person" and any(word.lower() in _MEDIA_WORDS for word in words):
        return "media"
    return TO_CLASSIFY


def _other_forms(table: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Return entity → the speaker forms (``source_name``) not already matched by the entity's own name."""
    stopwords = default_options().stopwords
    forms: dict[str, tuple[str, ...]] = {}
    counts = table.groupby(["entity", "source_name"]).size().reset_index(name="n")
    counts = counts.sort_values(["entity", "n", "source_name"], ascending=[True, False, True])
    for entity, group in counts.groupby("entity", sort=True):
        if not _is_phrase(entity):
            continue
        pattern = compile_phrase(entity)
        kept = [form for form in group["source_name"]
                if form != entity and _is_phrase(form) and not pattern.find(form)
                and any(normalize_token(word) not in stopwords for word in _WORD.findall(form) if word not in "(),")]
        forms[entity] = tuple(dict.fromkeys(kept))
    return forms


def _lower_case_words(corpus) -> frozenset[str]:
    """Return the words the corpus's sentences write in lower case (at least once)."""
    return frozenset(word.lower() for text in corpus.sentences["text"] for word in _WORD.findall(text)
                     if word[:1].islower())


def discover_sources(corpus, rules=None, top: int = 50) -> pd.DataFrame:
    """Return the ``top`` most-quoted entities of ``corpus`` (0: all), most attributions first.

    Attributions come from :func:`analysis.sources.attributions` with the speech
    verbs of ``rules`` (default: the package's) and *no* category lists, so that
    no story's names decide anything. Pronouns that found nobody, and speakers
    made of stop words only ("I'll"), are left out.

    Returns
    -------
    ``entity, source_kind`` (person, organisation, group), ``category`` (by
    :func:`source_category`), ``count`` (attributions), ``n_documents``,
    ``n_outlets``, ``n_direct`` (attributions mostly inside quotation marks) and
    ``other_forms`` (a tuple of the other ways the articles name this source as a
    speaker, most frequent first, e.g. "Shoigu" for "Sergei Shoigu": listing them
    too lets the source list classify those speakers). Sorted by ``count``
    (descending), then entity.
    """
    from analysis.sources import _rules, attributions

    if top < 0:
        raise AnalysisError(f"the number of sources must be 0 or more, not {top}")
    general = dataclasses.replace(_rules(rules), categories=())
    table = attributions(corpus, general)
    table = table[(table["entity"] != "") & (table["source_kind"] != "pronoun")]
    columns = ["entity", "source_kind", "category", "count", "n_documents", "n_outlets", "n_direct", "other_forms"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    forms = _other_forms(table)
    summary = table.groupby("entity", sort=True).agg(
        source_kind=("source_kind", lambda kinds: kinds.value_counts().sort_index().idxmax()),
        count=("doc_id", "size"), n_documents=("doc_id", "nunique"), n_outlets=("outlet", "nunique"),
        n_direct=("kind", lambda kinds: int((kinds == "direct").sum()))).reset_index()
    stopwords = default_options().stopwords
    # A speaker of stop words only ("I'll" in "I'll tell you") names nobody.
    named = [_is_phrase(entity) and any(normalize_token(word) not in stopwords for word in _WORD.findall(entity)
                                        if word not in "(),") for entity in summary["entity"]]
    summary = summary[named]
    lower_words = _lower_case_words(corpus)
    summary["category"] = [source_category(entity, kind, lower_words)
                           for entity, kind in zip(summary["entity"], summary["source_kind"])]
    summary["other_forms"] = [forms.get(entity, ()) for entity in summary["entity"]]
    summary = summary.sort_values(["count", "entity"], ascending=[False, True])
    if top:
        summary = summary.head(top)
    return summary[columns].reset_index(drop=True)


# --- writing --------------------------------------------------------------------------------------------------


def yaml_string(value: str) -> str:
    """Return ``value`` as one double-quoted YAML scalar that reads back as exactly ``value``."""
    text = yaml.safe_dump(str(value), default_style='"', allow_unicode=True, width=math.inf)
    return text[:-len("\n...\n")] if text.endswith("\n...\n") else text.rstrip("\n")


def _comment(text: str) -> str:
    """Return a YAML comment line of the package's own words (never corpus text)."""
    return f"# {text}".rstrip() + "\n"


def codebook_text(model: FrameModel, corpus_label: str) -> str:
    """Return the YAML codebook of the candidate frames, in ``analysis/data/codebook.yaml``'s format."""
    lines = [
        _comment(f"Candidate frames discovered by `python -m analysis discover` ({model.n_frames} frames, "
                 f"unit: {model.unit}, seed {model.seed})."),
        _comment("Each frame is a cluster of words that co-occur (NMF of TF-IDF), not a validated frame:"),
        _comment("read the examples in frame-examples.csv, rename, merge, split or drop frames, and edit"),
        _comment("the terms before using this codebook. Format: docs/framing.md; method: docs/discover.md."),
        "\nframes:\n",
    ]
    for frame in range(model.n_frames):
        terms = [term for term, _ in model.top_terms(frame) if _is_phrase(term)]
        if not terms:
            continue
        description = (f"Discovered from the corpus {corpus_label} as a cluster of co-occurring words; "
                       "not validated: read its examples and name it.")
        lines.append(f"  - name: {yaml_string(model.name(frame))}\n")
        lines.append(f"    description: {yaml_string(description)}\n")
        lines.append("    terms:\n")
        for term, weight in model.top_terms(frame):
            if _is_phrase(term):
                lines.append(f"      - {yaml_string(term)}  # weight {weight:.4f}\n")
        lines.append("\n")
    return "".join(lines).rstrip("\n") + "\n"


def actors_text(actors: pd.DataFrame, min_count: int, n_actors: int = 0) -> str:
    """Return the YAML actor list of ``actors`` (from :func:`discover_actors`), in ``actors.yaml``'s format;
    ``n_actors`` (0: none) says that only that many, the most mentioned, were kept."""
    lines = [
        _comment("Starter actor list discovered by `python -m analysis discover`: capitalised names"),
        _comment(f"mentioned at least {min_count} times, surname-only and title+surname mentions joined to the"),
        _comment("full name, acronyms to the name whose initials they are. Check every group: merge, split,"),
        _comment("rename, drop. Format: analysis/data/actors.yaml; method: docs/discover.md."),
        *([_comment(f"Only the {n_actors} most mentioned names are listed.")] if n_actors else []),
        "\ngroups:\n",
    ]
    for actor, group in actors.groupby("actor", sort=False):
        first = group.iloc[0]
        forms = ", ".join(f"{alias} {count}" for alias, count in zip(group["alias"], group["count"]))
        note = (f"{first['kind']}; {first['total']} mentions in {first['n_documents']} documents "
                f"({forms}); {first['titled']} after a title")
        lines.append(f"  - name: {yaml_string(actor)}  # {first['total']} mentions\n")
        lines.append(f"    note: {yaml_string(note)}\n")
        lines.append("    aliases:\n")
        for alias, count in zip(group["alias"], group["count"]):
            lines.append(f"      - {yaml_string(alias)}  # {count}\n")
        lines.append("\n")
    return "".join(lines).rstrip("\n") + "\n"


_CATEGORY_LABELS = {"unnamed": "unnamed sources (a role without a name)", "media": "media (named with a media word)",
                    TO_CLASSIFY: "sources to classify"}


def sources_text(sources: pd.DataFrame, rules=None) -> str:
    """Return the YAML source list of ``sources`` (from :func:`discover_sources`), in ``sources.yaml``'s format.

    The attribution words (verbs, phrases, participles, speaker words) are copied
    from ``rules`` (default: the package's file); categories hold the sources.
    """
    from analysis.sources import DEFAULT_SOURCE_RULES
    from analysis.yamlfile import read_yaml

    path = Path(rules) if isinstance(rules, (str, Path)) else getattr(rules, "path", None) or DEFAULT_SOURCE_RULES
    words = read_yaml(path)
    lines = [
        _comment("Starter source list discovered by `python -m analysis discover`: the most-quoted sources"),
        _comment("(analysis.sources.attributions), with their number of attributions. Move each source into"),
        _comment("a category of your study, rename categories, drop the rest. The attribution words are"),
        _comment(f"copied from {path.name}. Format: analysis/data/sources.yaml; method: docs/discover.md."),
        "\n",
    ]
    for key in ("verbs", "quote_verbs", "verb_phrases", "participles", "speaker_words"):
        values = [value for value in words.get(key, []) if isinstance(value, str)]
        lines.append(f"{key}: [{', '.join(yaml_string(value) for value in values)}]\n")
    lines.append("\ncategories:\n")
    # Categories, and the two lists inside each, in the order of their most-quoted source, so that
    # the file opens with the corpus's most-quoted source.
    present = [category for category in dict.fromkeys(sources["category"])]
    for category in present:
        members = sources[sources["category"] == category]
        lines.append(f"  - id: {category}\n")
        lines.append(f"    label: {yaml_string(_CATEGORY_LABELS[category])}\n")
        lists = {"people": members[members["source_kind"] == "person"],
                 "names": members[members["source_kind"] != "person"]}
        for key in sorted(lists, key=lambda key: lists[key].index.min() if len(lists[key]) else len(sources)):
            chosen = lists[key]
            if chosen.empty:
                continue
            lines.append(f"    {key}:\n")
            listed: set[str] = set()
            for entity, count, documents, others in zip(chosen["entity"], chosen["count"], chosen["n_documents"],
                                                        chosen["other_forms"]):
                if entity.casefold() not in listed:
                    lines.append(f"      - {yaml_string(entity)}  # attributions {count}, documents {documents}\n")
                    listed.add(entity.casefold())
                for form in others:
                    if form.casefold() not in listed:
                        lines.append(f"      - {yaml_string(form)}  # also written so\n")
                        listed.add(form.casefold())
    return "".join(lines).rstrip("\n") + "\n"


def summary_text(model: FrameModel, frames: pd.DataFrame, shares: pd.DataFrame, examples: pd.DataFrame,
                 actors: pd.DataFrame, sources: pd.DataFrame, corpus_label: str) -> str:
    """Return a plain-text summary (no Markdown) of what was discovered."""
    used = int((model.unit_weights.max(axis=1) > 0).sum())
    lines = [f"Discovered from {corpus_label}: {len(model.units)} {model.unit}s, {used} with a shared word, "
             f"{len(model.terms)} words.", ""]
    if len(model.k_scores):
        tried = ", ".join(f"{n}: {score:.3f}" for n, score in zip(model.k_scores["n_frames"],
                                                                  model.k_scores["coherence"]))
        lines.append(f"Number of frames {model.n_frames}, the highest mean NPMI coherence of the top "
                     f"{N_TOP_TERMS} words among {tried}.")
    else:
        lines.append(f"Number of frames {model.n_frames}, as asked.")
    lines += ["These are clusters of co-occurring words, not frames, until a person reads the examples and "
              "names them.", ""]
    for number, group in frames.groupby("frame", sort=True):
        lines.append(group["name"].iloc[0])
        lines.append("  terms: " + ", ".join(f"{term} ({weight:.3f})" for term, weight in
                                             zip(group["term"], group["weight"])))
        mine = shares[shares["frame"] == number]
        lines.append("  dominant in: " + "; ".join(f"{outlet} {n}/{total} ({share:.0%})" for outlet, n, total, share
                                                  in zip(mine["outlet"], mine["n_units"], mine["n_outlet_units"],
                                                         mine["share"])))
        for text in examples.loc[examples["frame"] == number, "text"]:
            lines.append("  example: " + " ".join(str(text).split()))
        lines.append("")
    lines.append(f"Actors: {actors['actor'].nunique()} (actors.yaml)" if len(actors) else
                 "Actors: none mentioned often enough; actors.yaml not written.")
    lines.append(f"Sources: {len(sources)} (sources.yaml)" if len(sources) else
                 "Sources: no attributed speaker found; sources.yaml not written.")
    return "\n".join(lines) + "\n"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _recorded(folder: Path) -> dict[str, set[str]]:
    """Return, per file name, the digests this program recorded in ``folder`` (empty without a marker)."""
    try:
        text = (folder / MARKER).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
        return {}
    recorded: dict[str, set[str]] = {}
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        if name in FILES and len(digest) == 64:
            recorded.setdefault(name, set()).add(digest)
    return recorded


def _marker_text(entries: dict[str, set[str]]) -> str:
    lines = ["# Files written by `python -m analysis discover` (sha256, name): the next run overwrites these only "
             "while unchanged."]
    lines += [f"{digest}  {name}" for name in sorted(entries) for digest in sorted(entries[name])]
    return "\n".join(lines) + "\n"


def check_discovery_folder(folder: Path | str, names, inputs=()) -> Path:
    """Return ``folder`` when every file in ``names`` may be written there; raise OutputError otherwise.

    A file may be written where none exists, or over a file an earlier run wrote
    and nobody changed since (its digest is in the folder's ``.discovered``
    marker); an edited or foreign file is never overwritten.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file, not a folder (--out names a folder for the discovered files)")
    check_output_file(folder / MARKER, inputs)
    recorded = _recorded(folder)
    for name in names:
        path = check_output_file(folder / name, inputs)
        if path.exists():
            digest = _digest(path.read_bytes())
            if digest not in recorded.get(name, set()):
                raise OutputError(f"{path}: exists and was not written by discover (or was edited since); "
                                  "move it away or choose another folder")
    return folder


def corpus_name(corpus) -> str:
    """Return the corpus's file or folder name (no machine-specific path in a written file)."""
    return Path(str(corpus.source)).name or str(corpus.source)


def discovered_texts(corpus, n_frames: int | None = None, seed: int = 0, unit: str = "sentence",
                     min_count: int = 3, n_sources: int = 50, rules=None, n_actors: int = 0) -> dict[str, str]:
    """Return file name → text of every discovered file, each checked by the project's own reader.

    ``n_actors`` keeps only that many actors, the most mentioned (0: every actor
    mentioned at least ``min_count`` times).

    ``actors.yaml`` and ``sources.yaml`` are missing when nothing was found for
    them (an empty list is not a valid file). Raises AnalysisError if a reader
    refuses a file (which would be a bug here, never the corpus's fault).
    """
    with _people_found_beside(corpus, min_count, rules, n_sources) as people:
        model = frame_model(corpus, n_frames, seed, unit)
        label = corpus_name(corpus)
        frames = discover_frames(corpus, model=model)
        shares = frame_shares(corpus, model=model)
        examples = frame_examples(corpus, model=model)
        actors, sources = people()
    if n_actors:
        actors = actors[actors["actor"].isin(actors["actor"].drop_duplicates().head(n_actors))]
    texts = {
        "codebook.yaml": codebook_text(model, label),
        "frames.csv": format_table(frames, "csv"),
        "frame-shares.csv": format_table(shares, "csv"),
        "frame-examples.csv": format_table(examples, "csv"),
    }
    if len(actors):
        texts["actors.yaml"] = actors_text(actors, min_count, n_actors)
    if len(sources):
        texts["sources.yaml"] = sources_text(sources, rules)
    texts["summary.txt"] = summary_text(model, frames, shares, examples, actors, sources, label)
    _validate(texts)
    return texts


# From this many sentences on, actors and sources are discovered in a forked process while the frames are.
PARALLEL_DISCOVERY_SENTENCES = 2_000
_FORKED_CORPUS = None  # the corpus a forked process discovers people in (read there, never pickled)


@contextmanager
def _people_found_beside(corpus, min_count: int, rules, n_sources: int):
    """Within: a function returning ``(discover_actors(...), discover_sources(...))`` of ``corpus``.

    On a machine with two cores or more that can fork, and for a corpus of
    :data:`PARALLEL_DISCOVERY_SENTENCES` sentences or more, they are found in a
    forked process while the block finds the frames; otherwise when called.
    """
    global _FORKED_CORPUS
    if (len(corpus.sentences) < PARALLEL_DISCOVERY_SENTENCES or (os.cpu_count() or 1) < 2
            or "fork" not in multiprocessing.get_all_start_methods()):
        yield lambda: (discover_actors(corpus, min_count), discover_sources(corpus, rules, n_sources))
        return
    _FORKED_CORPUS = corpus
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
            found = pool.submit(_forked_people, min_count, rules, n_sources)
            yield found.result
    finally:
        _FORKED_CORPUS = None


def _forked_people(min_count: int, rules, n_sources: int):
    return discover_actors(_FORKED_CORPUS, min_count), discover_sources(_FORKED_CORPUS, rules, n_sources)


def _validate(texts: dict[str, str]) -> None:
    """Read each YAML text with the project's reader; raise AnalysisError naming the file if one is refused."""
    from analysis.actors import read_actors
    from analysis.codebook import read_codebook
    from analysis.sources import read_source_rules

    readers = {"codebook.yaml": read_codebook, "actors.yaml": read_actors, "sources.yaml": read_source_rules}
    with tempfile.TemporaryDirectory() as folder:
        for name, reader in readers.items():
            if name not in texts:
                continue
            path = Path(folder) / name
            path.write_text(texts[name], encoding="utf-8")
            try:
                reader(path)
            except RulesError as problem:
                raise AnalysisError(f"the discovered {name} does not read back ({problem}); please report this") \
                    from None


def write_discovered(corpus, out_dir: Path | str, n_frames: int | None = None, seed: int = 0,
                     unit: str = "sentence", min_count: int = 3, n_sources: int = 50, rules=None,
                     inputs=(), n_actors: int = 0) -> pd.DataFrame:
    """Write the discovered files into ``out_dir``; return ``file, bytes`` for each file written.

    Everything is computed and checked first; the folder is checked with
    :func:`check_discovery_folder` (``inputs`` are paths never to write into); each
    file is written atomically; the ``.discovered`` marker records what was written.
    """
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file, not a folder (--out names a folder for the discovered files)")
    check_discovery_folder(folder, FILES, inputs)  # before the work, so that nothing is computed in vain
    texts = discovered_texts(corpus, n_frames, seed, unit, min_count, n_sources, rules, n_actors)
    check_discovery_folder(folder, texts, inputs)
    make_folder(folder)
    recorded = _recorded(folder)
    data = {name: text.encode("utf-8") for name, text in texts.items()}
    # Before writing, the marker accepts the old and the new content, so that a run stopped halfway
    # leaves files the next run may still overwrite.
    pending = {name: recorded.get(name, set()) | {_digest(data[name])} for name in data}
    write_text_atomic(folder / MARKER, _marker_text({**recorded, **pending}))
    for name in FILES:
        if name in data:
            write_text_atomic(folder / name, texts[name])
    final = {**recorded, **{name: {_digest(data[name])} for name in data}}
    write_text_atomic(folder / MARKER, _marker_text(final))
    return pd.DataFrame([{"file": str(folder / name), "bytes": len(data[name])} for name in FILES if name in data],
                        columns=["file", "bytes"])


def compare_with_codebook(corpus, codebook, n_frames: int | None = None, seed: int = 0,
                          model: FrameModel | None = None) -> pd.DataFrame:
    """Return, for each discovered frame, the codebook frame whose terms occur most in its sentences.

    A discovered frame's sentences are those it weighs most on (its dominant units,
    sentence units only). For each codebook frame, ``share`` is the proportion of
    those sentences in which the codebook frame has at least one counted match
    (:func:`analysis.framing.frame_matches`).

    Returns
    -------
    One row per discovered frame: ``frame``, ``name``, ``top_terms`` (its five
    heaviest, joined by " / "), ``n_sentences``, ``closest_frame`` (the codebook frame
    with the largest share, ties in codebook order; empty when no sentence has a
    match), ``n_shared`` and ``share``, then ``next_frame`` and ``next_share`` for the
    runner-up. A low share means that the discovered cluster is not one of the
    codebook's frames: a topic or cast of actors, or a frame the codebook lacks.
    """
    from analysis.framing import frame_matches

    model = model or frame_model(corpus, n_frames, seed, "sentence")
    if model.unit != "sentence":
        raise AnalysisError("discovered frames are compared with a codebook on sentence units only")
    dominant = _dominant(model)
    matched = frame_matches(corpus, codebook)
    frames_of = matched.groupby("sentence_id", sort=False)["frame"].agg(set).to_dict()
    unit_ids = model.units["unit_id"].to_numpy()
    rows = []
    for frame in range(model.n_frames):
        sentences = unit_ids[dominant == frame]
        shared = [(name, sum(name in frames_of.get(unit, ()) for unit in sentences)) for name in codebook.frame_names]
        ranked = sorted(shared, key=lambda pair: -pair[1])
        n = len(sentences)
        best, runner_up = (ranked + [("", 0), ("", 0)])[:2]
        rows.append({"frame": frame + 1, "name": model.name(frame),
                     "top_terms": " / ".join(term for term, _ in model.top_terms(frame, 5)), "n_sentences": n,
                     "closest_frame": best[0] if best[1] else "", "n_shared": best[1],
                     "share": best[1] / n if n else float("nan"),
                     "next_frame": runner_up[0] if runner_up[1] else "",
                     "next_share": runner_up[1] / n if n and runner_up[1] else 0.0})
    return pd.DataFrame(rows)


def circular_comparison_notice(discovered_lists: str | list[str] | tuple[str, ...] | None) -> str:
    """Return the Markdown notice that stands in for :func:`codebook_comparison` when the codebook was itself
    discovered from the corpus (``"codebook"`` among ``discovered_lists``); an empty string otherwise.

    Such a codebook holds the clusters this check would find, so comparing the two
    would only compare the method with itself.
    """
    from analysis.lists import discovered_kinds

    if "codebook" not in discovered_kinds(discovered_lists):
        return ""
    return ("*Not shown: this codebook was discovered from the corpus by the same factorisation, so comparing "
            "it with clusters discovered afresh would compare the method with itself. The check needs a "
            "codebook written by reading the texts (`--codebook`).*")


def codebook_comparison(corpus, codebook, seed: int = 0) -> pd.DataFrame:
    """Return :func:`compare_with_codebook` with as many discovered frames as the codebook has (fewer when the
    corpus is too small for that many: then the number :func:`choose_n_frames` picks)."""
    try:
        return compare_with_codebook(corpus, codebook, n_frames=len(codebook.frame_names), seed=seed)
    except AnalysisError:
        return compare_with_codebook(corpus, codebook, seed=seed)
