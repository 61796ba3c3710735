"""Measure the attributions of :func:`analysis.sources.attributions` against a hand-annotated table.

The gold table is a CSV file with the columns ``doc_id, quote, kind, speaker, speaker_kind, mention``:
one row per statement, ``quote`` its words, ``kind`` direct, partial or indirect, ``speaker`` the
entity's full name ("Lindsey Graham", "Democratic lawmakers"; empty when nobody is named),
``speaker_kind`` person, organisation or group, ``mention`` the words the article uses for the speaker
at that place ("he", "Mr. Graham"). See ``docs/sources.md``.

:func:`evaluate_attributions` returns the measures; ``python -m analysis sources-eval`` prints them.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisError
from analysis.files import read_input_bytes

GOLD_COLUMNS = ["doc_id", "quote", "kind", "speaker", "speaker_kind", "mention"]
MAX_GOLD_BYTES = 50_000_000
_QUOTE_MARKS = "\"\u201c\u201d\u201e\u00ab\u00bb"
_QUOTED = re.compile(r"[\"\u201c\u201e\u00ab]([^\"\u201c\u201d\u201e\u00ab\u00bb]+)[\"\u201d\u00bb]")
_WORDS = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_DETERMINERS = {"the", "a", "an"}
_PRONOUNS = {"he", "she", "it", "they"}


class GoldError(AnalysisError):
    """The gold table cannot be read or lacks a column."""


def read_gold(path: Path | str) -> pd.DataFrame:
    """Return the gold table at ``path`` (all columns as text; missing values as '')."""
    data = read_input_bytes(path, "gold table", MAX_GOLD_BYTES, error=GoldError)
    try:
        table = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as problem:
        first_line = str(problem).splitlines()[0] if str(problem) else type(problem).__name__
        raise GoldError(f"{path}: not a readable CSV table ({first_line})") from None
    missing = [column for column in GOLD_COLUMNS if column not in table.columns]
    if missing:
        raise GoldError(f"{path}:1: the gold table lacks the column '{missing[0]}' "
                        f"(give {', '.join(GOLD_COLUMNS)})")
    return table


def _words(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return _WORDS.findall(text)


def quotation_text(text: str) -> str:
    """Return the words inside quotation marks in ``text`` (joined), or ``text`` when it has no pair of marks."""
    pieces = _QUOTED.findall(text)
    return " ".join(pieces) if pieces else text


def overlap(first: str, second: str) -> float:
    """Return the words two texts share (with repeats) over the word count of the longer one."""
    a, b = Counter(_words(first)), Counter(_words(second))
    longer = max(sum(a.values()), sum(b.values()))
    return sum((a & b).values()) / longer if longer else 0.0


def _surname(name: str) -> str:
    words = [word for word in _words(name.replace(".", " ")) if word not in _SUFFIXES]
    words = [word[:-2] if word.endswith("'s") else word for word in words]
    return words[-1] if words else ""


def _plain(name: str) -> str:
    return " ".join(word for word in _words(name) if word not in _DETERMINERS)


def speaker_matches(gold_speaker: str, gold_kind: str, entity: str, source: str) -> bool:
    """Return whether a system speaker is the gold one: same surname for persons, else one name inside the other."""
    if not entity and not source:
        return False
    if gold_kind == "person":
        return any(_surname(candidate) == _surname(gold_speaker) for candidate in (entity, source) if candidate)
    gold = _plain(gold_speaker)
    for candidate in (entity, source):
        plain = _plain(candidate)
        if plain and gold and (f" {plain} " in f" {gold} " or f" {gold} " in f" {plain} "):
            return True
    return False


def _system_quotations(found: pd.DataFrame) -> pd.DataFrame:
    """Return one row per quotation of the attributions with quoted words: a quotation split by its tag
    (“A,” she said, “B.”) gives two, as the gold table has them; column ``quotation`` holds its words."""
    rows = []
    for row in found[found["n_quoted_words"] > 0].to_dict("records"):
        pieces = _QUOTED.findall(row["text"]) or [row["text"]]
        rows.extend(dict(row, quotation=piece) for piece in pieces)
    return pd.DataFrame(rows, columns=list(found.columns) + ["quotation"])


def _match(gold: pd.DataFrame, system: pd.DataFrame) -> tuple[dict[int, int], set[int]]:
    """Return gold row → best system row (overlap ≥ 0.5 of the longer text) and the matched system rows."""
    by_doc = {doc: group for doc, group in system.groupby("doc_id", sort=False)}
    gold_to_system, matched = {}, set()
    for index, row in gold.iterrows():
        candidates = by_doc.get(row["doc_id"])
        if candidates is None:
            continue
        best, best_score = None, 0.5
        for system_index, text in candidates["quotation"].items():
            score = overlap(row["quote"], text)
            if score >= best_score:
                best, best_score = system_index, score
        if best is not None:
            gold_to_system[index] = best
            matched.add(best)
    return gold_to_system, matched


def evaluate_attributions(corpus, gold, rules=None) -> pd.DataFrame:
    """Return the measures of the attributions found in ``corpus`` against the ``gold`` table.

    ``corpus`` is a Corpus or a path for :func:`analysis.read_corpus`; ``gold`` a DataFrame or a CSV path.

    Returns
    -------
    DataFrame with columns ``measure, value, numerator, denominator`` and the rows
    ``quotation_precision`` (system quotations, each pair of quotation marks in an attribution with
    quoted words, that match a gold direct or partial quotation: their words overlap by at least half of
    the longer), ``quotation_recall``,
    ``coverage`` (gold direct and partial quotations of a named person that get any speaker),
    ``speaker_accuracy`` (those whose speaker has the gold surname), ``speaker_accuracy_attributed``
    (the same among those given a speaker), ``group_speaker_accuracy`` (quotations of organisations and
    groups: one name inside the other), ``pronoun_only_share`` (system attributions whose source is
    only "he", "she", "it" or "they").
    """
    found, system, quotes, gold_to_system, matched = _matched_quotations(corpus, gold, rules)
    named = quotes[(quotes["speaker_kind"].str.strip().str.lower() == "person") & (quotes["speaker"].str.strip() != "")]
    groups = quotes[quotes["speaker_kind"].str.strip().str.lower().isin(["organisation", "organization", "group"])
                    & (quotes["speaker"].str.strip() != "")]

    def speaker_of(index):
        row = system.loc[gold_to_system[index]] if index in gold_to_system else None
        if row is None or not row["source"]:
            return None
        return row

    covered = right = 0
    for index, row in named.iterrows():
        found_row = speaker_of(index)
        if found_row is not None:
            covered += 1
            right += speaker_matches(row["speaker"], "person", found_row["entity"], found_row["source"])
    group_right = sum(
        1 for index, row in groups.iterrows() if (found_row := speaker_of(index)) is not None
        and speaker_matches(row["speaker"], "group", found_row["entity"], found_row["source"]))
    spoken = found[found["source"] != ""]
    pronoun_only = int(spoken["source"].str.lower().isin(_PRONOUNS).sum())
    rows = [
        ("quotation_precision", len(matched), len(system)),
        ("quotation_recall", len(gold_to_system), len(quotes)),
        ("coverage", covered, len(named)),
        ("speaker_accuracy", right, len(named)),
        ("speaker_accuracy_attributed", right, covered),
        ("group_speaker_accuracy", group_right, len(groups)),
        ("pronoun_only_share", pronoun_only, len(spoken)),
    ]
    return pd.DataFrame([{"measure": name, "value": round(num / den, 4) if den else 0.0, "numerator": num,
                          "denominator": den} for name, num, den in rows])


def _matched_quotations(corpus, gold, rules):
    """Return (attributions found, system quotations, gold quotations, gold → system index, matched system rows)."""
    from analysis.corpus import read_corpus
    from analysis.sources import attributions, read_source_rules

    if not hasattr(corpus, "sentences"):
        corpus = read_corpus(corpus)
    gold = read_gold(gold) if not isinstance(gold, pd.DataFrame) else gold.fillna("").astype(str)
    rules = read_source_rules(rules) if not hasattr(rules, "verbs") else rules
    found = attributions(corpus, rules)
    system = _system_quotations(found)
    quotes = gold[gold["kind"].str.strip().str.lower().isin(["direct", "partial"])]
    gold_to_system, matched = _match(quotes, system)
    return found, system, quotes, gold_to_system, matched


def attribution_errors(corpus, gold, rules=None) -> pd.DataFrame:
    """Return the gold quotations of a named person that got no speaker or the wrong one, for reading.

    Returns
    -------
    DataFrame with columns ``doc_id, quote, speaker, mention, found_speaker, found_entity, problem``
    (``no quotation``, ``no speaker`` or ``wrong speaker``).
    """
    _, system, quotes, gold_to_system, _ = _matched_quotations(corpus, gold, rules)
    rows = []
    for index, row in quotes.iterrows():
        kind = row["speaker_kind"].strip().lower()
        if not row["speaker"].strip() or kind not in ("person", "organisation", "organization", "group"):
            continue
        found_row = system.loc[gold_to_system[index]] if index in gold_to_system else None
        if found_row is None:
            problem = "no quotation"
        elif not found_row["source"]:
            problem = "no speaker"
        elif not speaker_matches(row["speaker"], "person" if kind == "person" else "group", found_row["entity"],
                                 found_row["source"]):
            problem = "wrong speaker"
        else:
            continue
        rows.append({"doc_id": row["doc_id"], "quote": row["quote"][:80], "speaker": row["speaker"],
                     "mention": row["mention"], "found_speaker": "" if found_row is None else found_row["speaker"],
                     "found_entity": "" if found_row is None else found_row["entity"], "problem": problem})
    return pd.DataFrame(rows, columns=["doc_id", "quote", "speaker", "mention", "found_speaker", "found_entity",
                                       "problem"])
