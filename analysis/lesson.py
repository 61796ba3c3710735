"""Feedback for the classroom lesson (``notebooks/lesson/``): each check says what is right or what to look at.

Every ``check_*`` function takes a student's answer and returns a
:class:`Feedback`, shown in the notebook as a short message; it never raises on
what a student types. Answers are read by one helper, :func:`normalise_answer`
(and :func:`normalise_mapping` for dicts, which calls it for every key and
value): counts as numbers, digits in quotes or number words ("2", " 2 ",
"two"); outlet names, labels and voices in any case and spacing, with or
without a leading "the" ("the national" is The National); yes and no as
``True``/``False`` or as words ("false", "no", "yes"); a list or tuple of one
value as that value. ``None`` (the placeholder in the student notebook) or an
empty answer gets a "No answer yet" reminder, so the notebook runs from top to
bottom. Anything else gets a message saying what was expected.

The expected answers are computed from the seed corpus with the package itself,
so they are the same numbers the study reports. The phrases, labels and outlets
an exercise asks about are arguments, given by the notebook.

Tables and helpers, in order: :func:`lesson_corpus`, :func:`phrase_counts`,
:func:`phrase_rates`, :func:`phrase_roles`, :func:`most_negative_sentence`,
:func:`most_negative_sentences`, :func:`concordance_table` (the static stand-in
for :func:`kwic_explorer`), :func:`reveal` (a table shown only once the exercise
is answered), :func:`article_text`.
"""

from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from analysis.corpus import read_corpus
from analysis.matching import compile_phrase

VOICE_ANSWERS = ("authorial", "quoted", "mixed")

NUMBER_WORDS = {word: number for number, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
YES_WORDS = ("true", "yes", "y")
NO_WORDS = ("false", "no", "n")


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer and a message for the student."""

    correct: bool
    message: str

    def __repr__(self) -> str:
        return ("✔ " if self.correct else "✘ ") + self.message

    def __bool__(self) -> bool:
        return self.correct


@dataclass(frozen=True)
class Note:
    """A message shown in place of a table (see :func:`reveal`)."""

    message: str

    def __repr__(self) -> str:
        return self.message


class AnswerProblem(Exception):
    """An answer that cannot be checked as typed; ``feedback`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.feedback = Feedback(False, message)


def _no_answer_yet(example: str) -> AnswerProblem:
    return AnswerProblem(f"No answer yet: replace None with {example}, then run the cell again.")


def _is_blank(answer) -> bool:
    """Return whether ``answer`` is no answer at all: None, blank text or an empty list, tuple or set."""
    if isinstance(answer, str):
        return not answer.strip()
    return answer is None or (isinstance(answer, (list, tuple, set, frozenset)) and not answer)


def _plain(text: str) -> str:
    """Return ``text`` in lower case, with single spaces, curly quotes straightened and outer quotes dropped."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.strip().strip("\"'.!?").split()).casefold()


def _without_article(text: str) -> str:
    return text.removeprefix("the ")


def _listing(values) -> str:
    return ", ".join(str(value) for value in values)


def normalise_answer(answer, expect: str, *, choices=(), what: str = "answer", example: str = "your answer"):
    """Return a student's ``answer`` as the check needs it: an int (``expect="count"``), one of ``choices``
    (``"choice"``) or a bool (``"yes_no"``).

    ``what`` names the kind of answer in messages ("an outlet of the corpus"),
    ``example`` is what to write in place of ``None``. Raises
    :class:`AnswerProblem`, whose ``feedback`` explains, for an answer that is
    missing (``None``, empty) or cannot be read as what the exercise asks.
    """
    if _is_blank(answer):
        raise _no_answer_yet(example)
    if isinstance(answer, (list, tuple, set, frozenset)):
        values = list(answer)
        if len(values) > 1:
            raise AnswerProblem(f"This exercise asks for one {_kind(expect, what)}, and you gave "
                                f"{len(values)} ({_listing(values)}). Keep the one you mean, without brackets.")
        answer = values[0]
    if _is_blank(answer):
        raise _no_answer_yet(example)
    if isinstance(answer, dict):
        raise AnswerProblem(f"This exercise asks for one {_kind(expect, what)}, not a dict: write just the value.")
    if expect == "count":
        return _as_count(answer)
    if expect == "yes_no":
        return _as_yes_no(answer)
    if expect == "choice":
        return _as_choice(answer, choices, what)
    raise ValueError(f"unknown kind of answer: {expect}")


def _kind(expect: str, what: str) -> str:
    return {"count": "count", "yes_no": "True or False"}.get(expect, what.removeprefix("an ").removeprefix("a "))


def _as_count(answer) -> int:
    if isinstance(answer, (bool, np.bool_)):
        raise AnswerProblem(f"{answer} is not a count: write a number such as 2.")
    if isinstance(answer, str):
        text = _plain(answer)
        if text in NUMBER_WORDS:
            return NUMBER_WORDS[text]
        try:
            answer = float(text.replace(",", ""))
        except ValueError:
            raise AnswerProblem(f"'{answer}' is not a count: write a number such as 2 (or the word \"two\").") from None
    if isinstance(answer, numbers.Real) and not isinstance(answer, numbers.Integral):
        if not float(answer).is_integer():
            raise AnswerProblem(f"{answer} is not a whole number: a count says how many times, such as 2.")
        answer = int(answer)
    if not isinstance(answer, numbers.Integral):
        raise AnswerProblem(f"{answer!r} is not a count: write a number such as 2.")
    if answer < 0:
        raise AnswerProblem(f"{answer} is below zero: a count is 0 or more.")
    return int(answer)


def _as_yes_no(answer) -> bool:
    if isinstance(answer, (bool, np.bool_)):
        return bool(answer)
    if isinstance(answer, numbers.Integral) and answer in (0, 1):
        return bool(answer)
    if isinstance(answer, str):
        text = _plain(answer)
        if text in YES_WORDS:
            return True
        if text in NO_WORDS:
            return False
    raise AnswerProblem(f"'{answer}' is not a yes or a no: answer True or False (yes and no work too).")


def _as_choice(answer, choices, what: str) -> str:
    if isinstance(answer, str):
        text = _plain(answer)
        for matches in (lambda choice: _plain(choice) == text,
                        lambda choice: _without_article(_plain(choice)) == _without_article(text)):
            found = [choice for choice in choices if matches(choice)]
            if len(found) == 1:
                return found[0]
    raise AnswerProblem(f"'{answer}' is not {what}; use one of: {_listing(choices)}.")


def normalise_mapping(answer, keys, *, key_what: str, expect: str, choices=(), what: str = "answer",
                      example: str = "a dict") -> dict:
    """Return a dict answer as ``{key: value}`` for every one of ``keys``, each key and value read by
    :func:`normalise_answer` (keys as a choice among ``keys``, values as ``expect``).

    Raises :class:`AnswerProblem` when the answer is missing, is not a dict,
    names an unknown or repeated key, or leaves a key without a value.
    """
    if _is_blank(answer):
        raise _no_answer_yet(example)
    if not isinstance(answer, dict):
        raise AnswerProblem(f"Give a dict, one entry for each {key_what.removeprefix('an ').removeprefix('a ')}, "
                            f"such as {example}: {type(answer).__name__} {answer!r} does not say which value "
                            "belongs to which.")
    given = {}
    for key, value in answer.items():
        name = normalise_answer(key if isinstance(key, str) else repr(key), "choice", choices=keys, what=key_what)
        if name in given:
            raise AnswerProblem(f"'{name}' appears twice in the dict; keep one entry for it.")
        given[name] = value
    missing = [key for key in keys if _is_blank(given.get(key))]
    if missing:
        raise AnswerProblem(f"No answer yet for {_listing(missing)}: add it to the dict, then run the cell again.")
    readings = {}
    for key in keys:
        try:
            readings[key] = normalise_answer(given[key], expect, choices=choices, what=what)
        except AnswerProblem as problem:
            raise AnswerProblem(f"For {key}: {problem.feedback.message}") from None
    return readings


def _explained(check):
    """Return ``check`` returning the :class:`AnswerProblem`'s feedback instead of raising it."""
    @functools.wraps(check)
    def checked(*args, **kwargs) -> Feedback:
        try:
            return check(*args, **kwargs)
        except AnswerProblem as problem:
            return problem.feedback
    return checked


@lru_cache(maxsize=1)
def lesson_corpus():
    """Return the seed corpus the lesson is about."""
    return read_corpus()


def phrase_counts(phrase: str, corpus=None) -> dict[str, int]:
    """Return how often ``phrase`` occurs in each outlet's text (headline, standfirst, captions, body)."""
    corpus = corpus or lesson_corpus()
    pattern = compile_phrase(phrase)
    counts = {outlet: 0 for outlet in corpus.outlets}
    for outlet, text in zip(corpus.sentences["outlet"], corpus.sentences["text"]):
        counts[outlet] += len(pattern.find(text))
    return counts


def phrase_rates(phrase: str, corpus=None) -> pd.DataFrame:
    """Return ``outlet, count, n_words, per_1k`` for ``phrase``: the package's count beside the text's length."""
    corpus = corpus or lesson_corpus()
    counts = phrase_counts(phrase, corpus)
    words = corpus.sentences.groupby("outlet", sort=False)["n_words"].sum()
    table = pd.DataFrame({"outlet": list(counts), "count": list(counts.values())})
    table["n_words"] = table["outlet"].map(words).astype(int)
    table["per_1k"] = 1000 * table["count"] / table["n_words"]
    return table


def phrase_roles(phrase: str, corpus=None) -> dict[str, int]:
    """Return how often ``phrase`` occurs in each part of the articles (role: headline, body, …), in corpus order."""
    corpus = corpus or lesson_corpus()
    pattern = compile_phrase(phrase)
    counts: dict[str, int] = {}
    for role, text in zip(corpus.sentences["role"], corpus.sentences["text"]):
        found = len(pattern.find(text))
        if found:
            counts[role] = counts.get(role, 0) + found
    return counts


@_explained
def check_phrase_counts(answer: dict | None, phrase: str) -> Feedback:
    """Exercise 1: how many times each article uses ``phrase`` (counted by hand)."""
    outlets = lesson_corpus().outlets
    example = "{" + ", ".join(f'"{outlet}": 0' for outlet in outlets) + "}"
    given = normalise_mapping(answer, outlets, key_what="an outlet of the corpus", expect="count", example=example)
    expected = phrase_counts(phrase)
    roles = ", ".join(f"{role} ({count})" for role, count in phrase_roles(phrase).items())
    wrong = [outlet for outlet in outlets if given[outlet] != expected[outlet]]
    if not wrong:
        return Feedback(True, f"Right: the package finds the same counts. The matches are in these parts of the "
                              f"articles: {roles}. Straight, curly and single quotation marks around the phrase do "
                              "not change it.")
    hints = [f"{outlet}: {given[outlet]} is {'too few' if given[outlet] < expected[outlet] else 'too many'}"
             for outlet in wrong]
    where = ", ".join(phrase_roles(phrase))
    return Feedback(False, "Not yet: " + "; ".join(hints) + f". The phrase occurs in these parts of the articles: "
                           f"{where}; did you read each of them? A phrase inside quotation marks ('…', “…”) "
                           "still counts, and so does the phrase inside a longer expression.")


@_explained
def check_highest_rate(answer: str | None, phrase: str) -> Feedback:
    """Exercise 2: which outlet uses ``phrase`` most often per 1,000 words."""
    rates = phrase_rates(phrase).set_index("outlet")
    outlet = normalise_answer(answer, "choice", choices=list(rates.index), what="an outlet of the corpus",
                              example="an outlet name in quotes")
    best = rates["per_1k"].idxmax()
    row = rates.loc[outlet]
    detail = f"{outlet}: {int(row['count'])} in {int(row['n_words'])} words, {row['per_1k']:.1f} per 1,000 words"
    if outlet == best:
        return Feedback(True, f"Right ({detail}). A rate puts articles of different lengths on the same footing.")
    most = rates["count"].idxmax()
    hint = (" You may have compared raw counts: divide each count by the article's words."
            if outlet == most and most != best else "")
    return Feedback(False, f"Not yet ({detail}); another outlet has more per 1,000 words.{hint}")


@_explained
def check_defence_spelling(answer: str | None, british: str = "defence", american: str = "defense") -> Feedback:
    """Exercise 3: which outlet writes the British spelling ``british`` (and never ``american``)."""
    outlets = lesson_corpus().outlets
    outlet = normalise_answer(answer, "choice", choices=outlets, what="an outlet of the corpus",
                              example="an outlet name in quotes")
    british_counts = phrase_counts(british)
    american_counts = phrase_counts(american)
    expected = [name for name in outlets if british_counts[name] > 0 and american_counts[name] == 0]
    counts = (f"{outlet} writes \"{british}\" {british_counts[outlet]} times and \"{american}\" "
              f"{american_counts[outlet]} times")
    if outlet in expected:
        return Feedback(True, f"Right: {counts}. A spelling is a house style, not a frame, but it tells you where "
                              "copy comes from.")
    return Feedback(False, f"Not yet: {counts}. Look for the outlet that writes only \"{british}\".")


@_explained
def check_label_outlets(answer: dict | None, labels) -> Feedback:
    """Exercise 4: which outlet writes each of ``labels``."""
    labels = list(labels)
    outlets = lesson_corpus().outlets
    example = "{" + ", ".join(f'"{label}": "..."' for label in labels) + "}"
    given = normalise_mapping(answer, labels, key_what="a label of the exercise", expect="choice", choices=outlets,
                              what="an outlet of the corpus", example=example)
    wrong = []
    for label in labels:
        users = [outlet for outlet, count in phrase_counts(label).items() if count > 0]
        if given[label] not in users:
            wrong.append(f"\"{label}\" is not in {given[label]}'s article")
    if not wrong:
        return Feedback(True, "Right. Each outlet chose its own words for the same things: a label can carry a "
                              "judgement, or a house style, that a plain name does not.")
    return Feedback(False, "Not yet: " + "; ".join(wrong) + ". Search each label in the concordance explorer "
                           "(or the table under it) and read the outlet column.")


def most_negative_sentence(outlet: str) -> pd.Series:
    """Return the row of ``outlet``'s most negative sentence by VADER (ties: the first in the text)."""
    from analysis.tone import sentence_tone

    tones = sentence_tone(lesson_corpus())
    rows = tones[tones["outlet"] == outlet]
    return rows.loc[rows["compound"].idxmin()]


def most_negative_sentences() -> pd.DataFrame:
    """Return ``outlet, compound, voice, text``: each outlet's most negative sentence, one row per outlet."""
    rows = [most_negative_sentence(outlet) for outlet in lesson_corpus().outlets]
    return pd.DataFrame(rows)[["outlet", "compound", "voice", "text"]].reset_index(drop=True)


@_explained
def check_voice_of_most_negative(outlet: str, answer: str | None) -> Feedback:
    """Exercise 5: is ``outlet``'s most negative sentence in its own voice, quoted, or mixed?"""
    voice = normalise_answer(answer, "choice", choices=VOICE_ANSWERS, what="a voice",
                             example='"authorial", "quoted" or "mixed"')
    row = most_negative_sentence(outlet)
    if voice == row["voice"]:
        extra = {"authorial": "the outlet says it in its own words, so the tone is the outlet's.",
                 "quoted": "every word is someone else's, so the tone is the speaker's, not the outlet's.",
                 "mixed": "part of it is quoted, so the tone mixes the outlet's words with a speaker's."}[voice]
        return Feedback(True, f"Right: {extra}")
    return Feedback(False, f"Not yet: you answered {voice}. Look again for quotation marks in: “{row['text']}”. "
                           "Quoted words belong to the speaker; the rest is the outlet's own voice.")


@_explained
def check_defense_significance(answer: bool | None, outlet: str, term: str = "defense") -> Feedback:
    """Exercise 6: is ``outlet``'s extra use of ``term`` significant (adjusted p below 0.05)?"""
    significant_answer = normalise_answer(answer, "yes_no", example="True or False")
    from analysis.vocabulary import keyness

    row = keyness(lesson_corpus(), outlet=outlet).set_index("term").loc[term]
    significant = bool(row["p_adjusted"] < 0.05)
    n_words = lesson_corpus().summary().groupby("outlet")["n_words"].sum()[outlet]
    counts = f"{outlet} {int(row['count'])} times in {n_words} words, the others {int(row['count_rest'])} times"
    if significant_answer == significant:
        meaning = ("a difference this large is unlikely to be chance even after testing every word"
                   if significant else "the difference could be chance: report it as a lead, not a finding")
        return Feedback(True, f"Right ({counts}; adjusted p = {row['p_adjusted']:.2f}): {meaning}.")
    return Feedback(False, f"Not yet: look at p_adjusted, not only p_value ({counts}; p = {row['p_value']:.3f}, "
                           f"adjusted p = {row['p_adjusted']:.2f}, and significant means adjusted p below 0.05). "
                           "Testing hundreds of words at once makes some small p-values appear by chance; the "
                           "adjustment corrects for that.")


def concordance_table(phrases, corpus=None, window: int = 8) -> pd.DataFrame:
    """Return every match of each of ``phrases`` with its context: the static stand-in for :func:`kwic_explorer`.

    Returns
    -------
    DataFrame with columns ``phrase, outlet, role, left, match, right``, the
    phrases in the order given and each phrase's matches in corpus order; a
    phrase with no match gets one row with empty ``outlet`` and ``match``
    "(no match)", so that every phrase asked about is shown.
    """
    from analysis.concordance import concordance

    corpus = corpus or lesson_corpus()
    columns = ["outlet", "role", "left", "match", "right"]
    tables = []
    for phrase in phrases:
        table = concordance(corpus, phrase, window=window)[columns]
        if table.empty:
            table = pd.DataFrame([{"outlet": "", "role": "", "left": "", "match": "(no match)", "right": ""}])
        tables.append(table.assign(phrase=phrase))
    return pd.concat(tables, ignore_index=True)[["phrase", *columns]]


def reveal(answer, table):
    """Return ``table`` once ``answer`` is given (not ``None``), else a note saying it will appear then.

    The package's own counts would give an exercise away if they showed as soon
    as the notebook is run: this shows them only after the student has answered.
    """
    if answer is None:
        return Note("(The package's own answer appears here once you have written yours above: run this cell "
                    "again then.)")
    return table


def kwic_explorer(corpus, phrase: str, window: int = 8):
    """Return an interactive keyword-in-context explorer (ipywidgets): type a phrase, see every match.

    In a static page the widget cannot run; show :func:`concordance_table` for
    the phrases of the exercise beside it.
    """
    import ipywidgets as widgets
    from IPython.display import display

    from analysis.concordance import concordance

    box = widgets.Text(value=phrase, description="Phrase:", continuous_update=False)
    size = widgets.IntSlider(value=window, min=2, max=20, description="Words:")
    output = widgets.Output()

    def show(_=None):
        output.clear_output()
        with output:
            try:
                table = concordance(corpus, box.value, window=size.value)
            except Exception as error:  # a bad phrase: say so in the widget, do not break it
                print(f"{error}")
                return
            print(f"{len(table)} matches")
            display(table[["outlet", "role", "left", "match", "right"]])

    box.observe(show, names="value")
    size.observe(show, names="value")
    show()
    return widgets.VBox([widgets.HBox([box, size]), output])


def article_text(doc_id: str, corpus=None) -> str:
    """Return one article's kept text, a paragraph per line, each marked with its role, for reading in class."""
    corpus = corpus or lesson_corpus()
    paragraphs = corpus.paragraphs[corpus.paragraphs["doc_id"] == doc_id]
    if paragraphs.empty:
        raise KeyError(f"no document '{doc_id}' (documents: {', '.join(corpus.documents['doc_id'])})")
    outlet = corpus.documents.set_index("doc_id").loc[doc_id, "outlet"]
    lines = [f"=== {outlet} ({doc_id}) ==="]
    lines += [f"[{row.role}] {row.text}" for row in paragraphs.itertuples(index=False)]
    return "\n\n".join(lines)
