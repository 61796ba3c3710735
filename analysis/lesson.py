"""Feedback for the classroom lesson (``notebooks/lesson/``): each check says what is right or what to look at.

Every ``check_*`` function takes a student's answer and returns a
:class:`Feedback`, shown in the notebook as a short message. The expected answers
are computed from the seed corpus with the package itself, so they are the same
numbers the study reports. ``None`` (the placeholder in the student notebook)
gets a reminder rather than an error, so the notebook runs from top to bottom.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from analysis.corpus import read_corpus
from analysis.matching import compile_phrase

VOICE_ANSWERS = ("authorial", "quoted", "mixed")


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer and a message for the student."""

    correct: bool
    message: str

    def __repr__(self) -> str:
        return ("✔ " if self.correct else "✘ ") + self.message

    def __bool__(self) -> bool:
        return self.correct


def _missing(what: str) -> Feedback:
    return Feedback(False, f"No answer yet: replace None with {what}, then run the cell again.")


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


def _outlet_names(answer: dict) -> str | None:
    outlets = lesson_corpus().outlets
    unknown = [name for name in answer if name not in outlets]
    if unknown:
        return f"'{unknown[0]}' is not an outlet of the corpus; use the names {', '.join(outlets)}."
    return None


def check_victory_day_counts(answer: dict | None) -> Feedback:
    """Exercise 1: how many times each article says "Victory Day" (counted by hand)."""
    if answer is None:
        return _missing('a dict such as {"DW": 0, "Overt Operator": 0, "The National": 0}')
    if not isinstance(answer, dict):
        return Feedback(False, "Give a dict from outlet name to count, e.g. {\"DW\": 1, ...}.")
    problem = _outlet_names(answer)
    if problem:
        return Feedback(False, problem)
    expected = phrase_counts("Victory Day")
    wrong = {outlet: answer.get(outlet) for outlet in expected if answer.get(outlet) != expected[outlet]}
    if not wrong:
        return Feedback(True, "Right. Notice that the quotation marks differ: straight, curly and single quotes "
                              "all mark the same phrase, and one of the counts is in a headline.")
    hints = []
    for outlet, given in wrong.items():
        direction = "too few" if (given or 0) < expected[outlet] else "too many"
        hints.append(f"{outlet}: {given} is {direction}")
    return Feedback(False, "Not yet: " + "; ".join(hints) + ". Did you read the headline and the standfirst as "
                           "well as the body? A phrase inside quotation marks ('…', “…”) still counts, and so "
                           "does \"70th Victory Day anniversary\".")


def check_highest_rate(answer: str | None) -> Feedback:
    """Exercise 2: which outlet uses "Victory Day" most often per 1,000 words."""
    if answer is None:
        return _missing("an outlet name in quotes")
    rates = phrase_rates("Victory Day").set_index("outlet")
    best = rates["per_1k"].idxmax()
    if answer == best:
        return Feedback(True, f"Right: {best}, {rates.loc[best, 'per_1k']:.1f} per 1,000 words. A rate puts "
                              "articles of different lengths on the same footing.")
    if answer in rates.index:
        most = rates["count"].idxmax()
        hint = (" You may have compared raw counts: divide each count by the article's words."
                if answer == most and most != best else "")
        return Feedback(False, f"{answer} has {rates.loc[answer, 'per_1k']:.1f} per 1,000 words; another outlet "
                               f"has more.{hint}")
    return Feedback(False, f"'{answer}' is not an outlet of the corpus; use one of {', '.join(rates.index)}.")


def check_defence_spelling(answer: str | None) -> Feedback:
    """Exercise 3: which outlet writes the British "defence"."""
    if answer is None:
        return _missing("an outlet name in quotes")
    british = phrase_counts("defence", lesson_corpus())
    american = phrase_counts("defense", lesson_corpus())
    expected = [outlet for outlet in british if british[outlet] > 0 and american[outlet] == 0]
    if answer in expected:
        return Feedback(True, f"Right: {answer} writes \"defence\" {british[answer]} times and never \"defense\". "
                              "A spelling is a house style, not a frame, but it tells you where copy comes from.")
    if answer in american:
        return Feedback(False, f"{answer} writes \"defense\" {american[answer]} times and \"defence\" "
                               f"{british[answer]} times. Look for the other spelling.")
    return Feedback(False, f"'{answer}' is not an outlet of the corpus.")


NAMING_LABELS = ("the isolated nation", "the hermetic state", "Mr Kim")


def check_naming_labels(answer: dict | None) -> Feedback:
    """Exercise 4: which outlet writes "the isolated nation", "the hermetic state" and "Mr Kim"."""
    if answer is None:
        return _missing('a dict such as {"the isolated nation": "...", "the hermetic state": "...", '
                        '"Mr Kim": "..."}')
    if not isinstance(answer, dict):
        return Feedback(False, "Give a dict from label to outlet name.")
    wrong = []
    for label in NAMING_LABELS:
        counts = phrase_counts(label)
        users = [outlet for outlet, count in counts.items() if count > 0]
        given = answer.get(label)
        if given not in users:
            wrong.append(f"\"{label}\" is used by {' and '.join(users) if len(users) > 1 else 'another outlet'}"
                         if given is not None else f"\"{label}\" has no answer")
    if not wrong:
        return Feedback(True, "Right. Each outlet picked its own labels: \"isolated\" and \"hermetic\" carry a "
                              "judgement that \"North Korea\" does not, and \"Mr Kim\" is a house style of "
                              "courtesy titles.")
    return Feedback(False, "Not yet: " + "; ".join(wrong) + ". Search each label in the concordance explorer.")


def most_negative_sentence(outlet: str) -> pd.Series:
    """Return the row of ``outlet``'s most negative sentence by VADER (ties: the first in the text)."""
    from analysis.tone import sentence_tone

    tones = sentence_tone(lesson_corpus())
    rows = tones[tones["outlet"] == outlet]
    return rows.loc[rows["compound"].idxmin()]


def check_voice_of_most_negative(outlet: str, answer: str | None) -> Feedback:
    """Exercise 5: is ``outlet``'s most negative sentence in its own voice, quoted, or mixed?"""
    if answer is None:
        return _missing('"authorial", "quoted" or "mixed"')
    if answer not in VOICE_ANSWERS:
        return Feedback(False, f"Answer with one of {', '.join(VOICE_ANSWERS)}.")
    row = most_negative_sentence(outlet)
    if answer == row["voice"]:
        extra = {"authorial": "the outlet says it in its own words, so the tone is the outlet's.",
                 "quoted": "every word is someone else's, so the tone is the speaker's, not the outlet's.",
                 "mixed": "part of it is quoted, so the tone mixes the outlet's words with a speaker's."}[answer]
        return Feedback(True, f"Right: {extra}")
    return Feedback(False, f"Look again for quotation marks in: “{row['text']}”. Quoted words belong to the "
                           "speaker; the rest is the outlet's own voice.")


def check_defense_significance(answer: bool | None) -> Feedback:
    """Exercise 6: is DW's extra use of "defense" significant after adjusting for many tests?"""
    if answer is None:
        return _missing("True or False")
    from analysis.vocabulary import keyness

    row = keyness(lesson_corpus(), outlet="DW").set_index("term").loc["defense"]
    significant = bool(row["p_adjusted"] < 0.05)
    counts = f"DW {int(row['count'])} times in {lesson_corpus().summary().set_index('outlet').loc['DW', 'n_words']} " \
             f"words, the others {int(row['count_rest'])} times"
    if bool(answer) == significant:
        return Feedback(True, f"Right ({counts}; adjusted p = {row['p_adjusted']:.2f}). With a few hundred words "
                              "per article, most differences could be chance: report them as leads, not findings.")
    return Feedback(False, f"Look at p_adjusted, not only p_value ({counts}; p = {row['p_value']:.3f}, adjusted "
                           f"p = {row['p_adjusted']:.2f}). Testing hundreds of words at once makes some small "
                           "p-values appear by chance; the adjustment corrects for that.")


def kwic_explorer(corpus=None, phrase: str = "Victory Day", window: int = 8):
    """Return an interactive keyword-in-context explorer (ipywidgets): type a phrase, see every match.

    In a static page the widget cannot run; show :func:`analysis.concordance.concordance`
    for the same phrase beside it.
    """
    import ipywidgets as widgets
    from IPython.display import display

    from analysis.concordance import concordance

    corpus = corpus or lesson_corpus()
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
