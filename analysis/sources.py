"""Sources: who is quoted or cited in each outlet, how (directly or indirectly), and which kind of source.

The steps:

* :func:`read_source_rules` reads the editable data file (``analysis/data/sources.yaml``):
  speech verbs, speaker words and source categories with their name lists.
* :func:`attributions` finds, sentence by sentence, every statement tied to a speaker
  ("X said", "said X", "X told", "according to X", "as reported by X", "X was quoted as
  saying", "…, saying", a tag ending in a colon before a quotation) and gives each
  its speaker as written, the resolved source (pronouns replaced), its kind and category.
* :func:`outlet_sources`, :func:`category_mix` and :func:`first_sources` sum them up per
  outlet (and per event); :func:`plot_category_mix` and :func:`plot_quoted_share` draw them.

Quotation marks come from the text model (:func:`analysis.text.quote_spans`), never
from a second detector. See ``docs/sources.md`` for the method and its limits.
"""

from __future__ import annotations

import re
from collections import namedtuple
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.errors import RulesError
from analysis.matching import compile_phrase, matching_form
from analysis.output import markdown_text
from analysis.speakers import (
    describe_speaker,
    document_entities,
    first_name_gender,
    gender_compatible,
    person_mentions,
)
from analysis.paths import DATA_DIR
from analysis.text import (count_words, match_key, match_tokens, quote_spans, quoted_word_count, spans_overlapping,
                           token_matches)
from analysis.yamlfile import read_yaml, where

DEFAULT_SOURCE_RULES = DATA_DIR / "sources.yaml"
UNMATCHED = "unmatched"
UNATTRIBUTED = "unattributed"
KINDS = ("direct", "partial", "indirect")

UNCLASSIFIED = "unclassified"
ATTRIBUTION_COLUMNS = ["doc_id", "outlet", "event", "sentence_id", "speaker", "source", "source_name", "kind",
                       "category", "verb", "text", "n_words", "n_quoted_words", "source_kind", "entity", "source_id"]

_PRONOUNS = {"he": "person", "she": "person", "it": "group", "they": "group"}
_DETERMINERS = {"the", "a", "an", "one", "two", "three", "several", "some", "both", "many", "other", "another"}
_AUXILIARIES = {"has", "have", "had", "was", "were", "is", "are", "also", "further", "later", "then", "again",
                "previously", "earlier", "once", "will", "would", "not", "even", "still", "often", "has", "did",
                "does", "do", "may", "might", "could", "can"}
_PASSIVE_AUXILIARIES = {"is", "are", "was", "were", "be", "been", "being"}
_FORWARD_STOPS = {"on", "in", "at", "during", "after", "before", "when", "while", "who", "which", "that", "but",
                  "said", "says", "told"}
_QUOTE_CHARS = "\"'\u201c\u201d\u2018\u2019\u201e\u00ab\u00bb"
_EDGE = " ,;:.\u2013\u2014-"


@dataclass(frozen=True)
class SourceCategory:
    """One category of sources: its id, label, organisation/place names and person names."""

    id: str
    label: str
    names: tuple[str, ...]
    people: tuple[str, ...]


@dataclass(frozen=True)
class SourceRules:
    """The attribution words and source categories read from a data file."""

    path: Path
    verbs: frozenset[str]
    verb_phrases: tuple[str, ...]
    participles: frozenset[str]
    speaker_words: frozenset[str]
    categories: tuple[SourceCategory, ...]
    quote_verbs: frozenset[str] = frozenset()

    @property
    def labels(self) -> dict[str, str]:
        """Return category id → label, with the two catch-all ids."""
        labels = {category.id: category.label for category in self.categories}
        labels[UNMATCHED] = "speaker not in any list"
        labels[UNATTRIBUTED] = "quotation without a speaker"
        if not self.categories:
            labels[UNCLASSIFIED] = "no category list given"
        return labels


def read_source_rules(path: Path | str | None = None) -> SourceRules:
    """Return the :class:`SourceRules` in ``path`` (default ``analysis/data/sources.yaml``).

    Raises RulesError with ``file:line`` for a malformed file.
    """
    path = Path(path) if path is not None else DEFAULT_SOURCE_RULES
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise RulesError(f"{path}: expected a mapping with 'verbs' and 'categories'")
    lists = {}
    for key in ("verbs", "verb_phrases", "participles", "speaker_words", "quote_verbs"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise RulesError(f"{where(path, data)}: '{key}' must be a list of words")
        lists[key] = [item.strip().lower() for item in value]
    if not lists["verbs"]:
        raise RulesError(f"{where(path, data)}: 'verbs' must list at least one speech verb")
    raw_categories = data.get("categories")
    if not isinstance(raw_categories, list) or not raw_categories:
        raise RulesError(f"{where(path, data)}: 'categories' must be a non-empty list")
    categories, seen = [], set()
    for raw in raw_categories:
        if not isinstance(raw, dict):
            raise RulesError(f"{path}: each category must be a mapping with id, label and names")
        place = where(path, raw)
        unknown = sorted(set(raw) - {"id", "label", "names", "people"})
        if unknown:
            raise RulesError(f"{place}: unknown key '{unknown[0]}' in a category (use id, label, names, people)")
        category_id = raw.get("id")
        if not isinstance(category_id, str) or not category_id.strip():
            raise RulesError(f"{place}: category without an 'id'")
        if category_id in seen or category_id in (UNMATCHED, UNATTRIBUTED):
            raise RulesError(f"{place}: category id '{category_id}' is used twice or reserved")
        seen.add(category_id)
        label = raw.get("label", category_id)
        if not isinstance(label, str):
            raise RulesError(f"{place}: the label of '{category_id}' must be text")
        names = {}
        for key in ("names", "people"):
            value = raw.get(key, [])
            if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
                raise RulesError(f"{place}: '{key}' of category '{category_id}' must be a list of names")
            names[key] = tuple(item.strip() for item in value)
        if not names["names"] and not names["people"]:
            raise RulesError(f"{place}: category '{category_id}' lists no names or people")
        categories.append(SourceCategory(category_id, label, names["names"], names["people"]))
    return SourceRules(path, frozenset(lists["verbs"]), tuple(lists["verb_phrases"]),
                       frozenset(lists["participles"]), frozenset(lists["speaker_words"]), tuple(categories),
                       frozenset(lists["quote_verbs"]))


def _rules(rules: SourceRules | Path | str | None) -> SourceRules:
    return rules if isinstance(rules, SourceRules) else read_source_rules(rules)


# --- classification -------------------------------------------------------------------------------------------


def classify_speaker(speaker: str, rules: SourceRules | Path | str | None = None) -> tuple[str, str, str]:
    """Return ``(category, matched_name, kind_of_name)`` for a speaker; kind is ``person``, ``group`` or ''.

    People are preferred over names; among them the longest match wins ("Ankit Panda of the
    US-based Carnegie Endowment" is Ankit Panda, an analyst, not the US).
    """
    rules = _rules(rules)
    known = _rule_words(rules).classified
    found = known.get(speaker)
    if found is None:
        if len(known) >= _MAX_CLASSIFIED:
            known.clear()  # bounded for a corpus with millions of distinct speakers
        found = known[speaker] = _classify_speaker(speaker, rules)
    return found


_MAX_CLASSIFIED = 65_536


def _classify_speaker(speaker: str, rules: SourceRules) -> tuple[str, str, str]:
    best: tuple[int, int, str, str, str] | None = None
    form = matching_form(speaker)  # normalised once for all the names, not once per name
    for order, category in enumerate(rules.categories):
        for kind, names in (("person", category.people), ("group", category.names)):
            for name in names:
                if compile_phrase(name).find(speaker, form):
                    key = (1 if kind == "person" else 0, len(name), category.id, name, kind)
                    if best is None or key[:2] > best[:2]:
                        best = key
    if best is None:
        return UNMATCHED, "", ""
    return best[2], best[3], best[4]


# --- extraction -----------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Token:
    text: str
    norm: str
    kind: str
    start: int
    end: int
    capitalised: bool  # read for nearly every token, so worked out once


def _tokens(text: str) -> list[_Token]:
    """Return the text model's tokens of ``text`` with their character offsets."""
    result, position = [], 0
    find = text.find
    # tokenize's fast path: the same tokens, each distinct match tokenised once per process.
    for match in token_matches(text):
        for token in match_tokens(match):
            word = token.text
            start = find(word, position)
            start = position if start < 0 else start
            position = start + len(word)
            result.append(_Token(word, token.norm, token.kind, start, position, word[:1].isupper()))
    return result


@dataclass
class _Tag:
    speaker_start: int  # token indexes
    speaker_end: int
    verb_start: int
    verb_end: int
    verb: str
    participle: bool = False


def _is_speaker_token(token: _Token, rules: SourceRules) -> bool:
    if token.kind in ("word", "number"):
        return token.capitalised or token.norm in rules.speaker_words or token.norm in _DETERMINERS
    return token.kind == "clitic" or token.text in "()"


def _speaker_before(tokens: list[_Token], index: int, rules: SourceRules) -> tuple[int, int] | None:
    """Return the token range of the speaker that ends just before ``index`` (None if there is none)."""
    j = index - 1
    while j >= 0 and tokens[j].norm in _AUXILIARIES | {"repeatedly", "further"} or (
            j >= 0 and tokens[j].norm.endswith("ly") and not tokens[j].capitalised and tokens[j].kind == "word"):
        j -= 1
    if j >= 0 and tokens[j].text == ",":
        earlier = next((k for k in range(j - 1, max(-1, j - 13), -1) if tokens[k].text == ","), None)
        if earlier is not None and earlier + 1 < j and not tokens[earlier + 1].capitalised:
            j = earlier - 1  # skip a parenthetical: "The U.S., in the meantime, has alleged"
        else:
            j -= 1  # "Vedant Patel, emphasized"
    if j >= 0 and tokens[j].norm in _PRONOUNS:
        return j, j + 1  # "he said", "It added"
    end = j + 1
    while j >= 0:
        token = tokens[j]
        if token.text == "," and j > 0 and tokens[j - 1].norm in rules.speaker_words and j + 1 < end:
            j -= 1  # an appositive: "deputy spokesperson, Vedant Patel"
            continue
        if token.norm in ("and", "of") and j > 0 and tokens[j - 1].capitalised and j + 1 < end and (
                tokens[j + 1].capitalised):
            j -= 1  # "North Korea and Russia", "The American College of Pathologists"
            continue
        if _is_abbreviation_dot(tokens, j):
            j -= 1  # "Mr. Stein", "Clement C. Moore"
            continue
        if not _is_speaker_token(token, rules):
            break
        if token.kind == "word" and token.norm in _FUNCTION_WORDS:
            break
        j -= 1
    start = j + 1
    while start < end and (tokens[start].text == "," or tokens[start].kind == "clitic"):
        start += 1
    if start == end or start == end - 1 and tokens[start].norm in _DETERMINERS:
        return _common_noun_speaker(tokens, end)
    if not any(t.kind in ("word", "number") and t.norm not in _DETERMINERS for t in tokens[start:end]):
        return None
    return start, end


def _common_noun_speaker(tokens: list[_Token], end: int) -> tuple[int, int] | None:
    """Return a short speaker of common nouns that opens a clause ("the commissioner", "Strict grammarians").

    It must start at the sentence start, or after punctuation or a quotation mark, with a determiner or a
    capitalised word, and hold at most four words.
    """
    for start in range(end - 1, max(-1, end - 6), -1):
        token = tokens[start]
        if token.text in "'’" and start > 0 and tokens[start - 1].norm.endswith("s"):
            continue  # "The employers' association"
        if token.kind not in ("word", "clitic"):
            return None
        boundary = start == 0 or tokens[start - 1].kind == "punct"
        if boundary and (token.norm in _DETERMINERS or token.capitalised) and token.norm not in _FUNCTION_WORDS:
            if token.norm in _DETERMINERS and start == end - 1:
                return None
            if any(t.norm in _CONJUNCTIONS for t in tokens[start:end]):
                return None  # "The Guild welcomed the contract but warned": a clause, not a speaker
            return start, end
    return None


# Capitalised at the start of a sentence, but never part of a speaker's name.
_FUNCTION_WORDS = {"as", "on", "in", "at", "for", "during", "after", "before", "but", "while", "when", "if",
                   "because", "since", "with", "by", "from", "to", "that", "what", "which", "who", "this", "last",
                   "meanwhile", "however", "nonetheless", "and", "or", "so", "yet", "although", "though", "where",
                   "there", "here", "now", "today", "yesterday", "monday", "tuesday", "wednesday", "thursday",
                   "friday", "saturday", "sunday", "mr.", "but", "then", "still", "even", "also", "not", "no",
                   "such", "these", "those", "its", "their", "his", "her", "our", "we", "i", "you", "it's"}


_TITLES = {"mr", "mrs", "ms", "dr", "st", "gen", "sen", "rep", "gov", "jr", "sr", "prof", "lt", "col", "capt", "rev"}


def _is_abbreviation_dot(tokens: list[_Token], index: int) -> bool:
    """Return whether token ``index`` is the full stop of a title or an initial ("Mr.", "C.")."""
    if tokens[index].text != "." or index == 0:
        return False
    before = tokens[index - 1]
    if before.end != tokens[index].start:
        return False
    return before.norm in _TITLES or (len(before.text) == 1 and before.text.isupper())


def _speaker_after(tokens: list[_Token], index: int) -> tuple[int, int] | None:
    """Return the token range of a speaker that starts at ``index`` and runs to the next comma or stop."""
    end = index
    while end < len(tokens):
        token = tokens[end]
        if token.kind == "punct" and token.text not in "()-" and not _is_abbreviation_dot(tokens, end):
            break
        if token.norm in _FORWARD_STOPS and end > index:
            break
        end += 1
    if end == index or not any(t.kind in ("word", "number") and t.norm not in _DETERMINERS
                                for t in tokens[index:end]):
        return None
    return index, end


def _inside(spans: list[tuple[int, int]], position: int) -> bool:
    return any(low <= position < high for low, high in spans)


def _find_tags(tokens: list[_Token], quotes: list[tuple[int, int]], rules: SourceRules) -> list[_Tag]:
    """Return the attribution tags of one sentence (token ranges of speaker and verb), in order."""
    tags: list[_Tag] = []
    norms = [token.norm for token in tokens]
    present = set(norms)
    words_of = _rule_words(rules)
    used: set[int] = set()
    for phrase, words in words_of.phrases:  # "Mr Kim was quoted as saying by KCNA", "X pointed out": speaker first
        if words[0] not in present:
            continue  # the phrase cannot occur
        for i in range(len(tokens) - len(words) + 1):
            if norms[i:i + len(words)] == words and not _inside(quotes, tokens[i].start) and not used & set(
                    range(i, i + len(words))):
                speaker = _speaker_before(tokens, i, rules)
                if speaker:
                    tags.append(_Tag(*speaker, i, i + len(words), phrase))
                    used.update(range(i, i + len(words)))
    starters = words_of.tag_starters
    for i, token in enumerate(tokens):
        if token.norm not in starters or token.kind != "word" or i in used or _inside(quotes, token.start):
            continue  # only "according", a participle or a speech verb starts a tag here
        if token.norm == "according" and i + 1 < len(tokens) and tokens[i + 1].norm == "to":
            opening = tokens[i + 2] if i + 2 < len(tokens) else None
            if opening is None or not (opening.capitalised or opening.norm in rules.speaker_words
                                       or opening.norm in _DETERMINERS):
                continue  # "according to streamlined procedures"
            speaker = _speaker_after(tokens, i + 2)
            if speaker:
                tags.append(_Tag(*speaker, i, i + 2, "according to"))
            continue
        if token.norm in rules.participles and i > 0 and tokens[i - 1].text == ",":
            tags.append(_Tag(-1, -1, i, i + 1, token.norm, participle=True))
            continue
        quote_verb = token.norm in rules.quote_verbs and token.norm not in rules.verbs
        if not (token.norm in rules.verbs or quote_verb) or (token.capitalised and i > 0):
            continue  # "the United States", "Organization of American States" are no verbs
        if token.norm == "asked" and i > 0 and tokens[i - 1].text == ",":
            continue  # "A spokesman, asked about the timing, declined": a question put to the speaker
        if i > 0 and tokens[i - 1].norm == "to":
            continue  # "went on to say", "Trump to tell": no statement made here
        if i + 1 < len(tokens) and tokens[i + 1].norm in rules.verbs:
            continue  # "the news reports say": a noun before the verb
        passive = i > 0 and tokens[i - 1].norm in _PASSIVE_AUXILIARIES
        if passive and not (i + 1 < len(tokens) and tokens[i + 1].norm == "by"):
            continue  # "is said to reduce": no speaker
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if following is not None and following.norm == "by":  # "as reported by state media agency KCNA"
            speaker = _speaker_after(tokens, i + 2)
            if speaker:
                tags.append(_Tag(*speaker, i, i + 1, token.norm))
            continue
        before = tokens[i - 1] if i > 0 else None
        inverted = (before is not None and (before.text == "," or before.text in _QUOTE_CHARS)
                    and following is not None and following.kind == "word"
                    and (following.capitalised or following.norm in _DETERMINERS))
        speaker = _speaker_after(tokens, i + 1) if inverted else _speaker_before(tokens, i, rules)
        if inverted and speaker and not _inverted_speaker_fits(tokens, quotes, i, speaker, rules):
            speaker = _speaker_before(tokens, i, rules)  # "Ray Duarte, who voted against it, said the city had …"
            inverted = False
        if speaker and not inverted:
            speaker = _with_name_before(tokens, speaker)
        if speaker and speaker[1] - speaker[0] == 1 and tokens[speaker[0]].norm.endswith("ed") and not (
                first_name_gender(tokens[speaker[0]].text)):
            continue  # "Asked", "Pressed": a participle, not a speaker
        if speaker and quote_verb and not _next_to_quotation(tokens, quotes, min(speaker[0], i),
                                                             max(speaker[1], i + 1)):
            continue  # "Russia continues to be", "Shoigu hailed the army as …"
        if speaker:
            tags.append(_Tag(*speaker, i, i + 1, token.norm))
    if any(not tag.participle for tag in tags):
        tags = [tag for tag in tags if not tag.participle]  # "…, calling/saying" after a named speaker
    return sorted(tags, key=lambda tag: tag.verb_start)


def _with_name_before(tokens: list[_Token], speaker: tuple[int, int]) -> tuple[int, int]:
    """Return the speaker widened to a name before it when it is a role in apposition ("Ms Okafor, the mayor")."""
    start, end = speaker
    if start < 2 or tokens[start].norm not in _DETERMINERS or tokens[start - 1].text != ",":
        return speaker
    k = start - 2
    while k >= 0 and (tokens[k].kind == "word" and tokens[k].capitalised or _is_abbreviation_dot(tokens, k)):
        k -= 1
    if k == start - 2 or k >= 0 and tokens[k].kind == "word" and tokens[k].norm not in _FUNCTION_WORDS:
        return speaker
    return k + 1, end


def _inverted_speaker_fits(tokens: list[_Token], quotes: list[tuple[int, int]], verb: int,
                           speaker: tuple[int, int], rules: SourceRules) -> bool:
    """Return whether a speaker after its verb ("…," said X) ends the clause, as a name does, and is short
    where no quotation comes before the verb (else the words after "said" are what was said)."""
    start, end = speaker
    if end < len(tokens) and tokens[end].text not in ",.;:!?)" and not _is_abbreviation_dot(tokens, end):
        return False
    before = verb - 2
    quoted_before = before >= 0 and (tokens[before].text in _QUOTE_CHARS or _inside(quotes, tokens[before].start)
                                     or tokens[verb - 1].text in _QUOTE_CHARS)
    if quoted_before:
        return True
    named_before = _speaker_before(tokens, verb, rules)
    if named_before and any(token.capitalised and token.kind == "word" and token.norm not in _DETERMINERS
                            for token in tokens[named_before[0]:named_before[1]]):
        return False  # "Mr Lowell, the city attorney, said the council would …": the name comes first
    return end - start <= 6


def _next_to_quotation(tokens: list[_Token], quotes: list[tuple[int, int]], first: int, last: int) -> bool:
    """Return whether tokens ``first``..``last`` touch a quotation, with only punctuation between, or end on ":"."""
    before = first - 1
    while before >= 0 and tokens[before].kind == "punct" and tokens[before].text not in _QUOTE_CHARS:
        before -= 1
    if before >= 0 and (tokens[before].text in _QUOTE_CHARS or _inside(quotes, tokens[before].start)):
        return True
    after = last
    while after < len(tokens) and tokens[after].kind == "punct" and tokens[after].text not in _QUOTE_CHARS:
        after += 1
    if after >= len(tokens):
        return last < len(tokens) and tokens[-1].text == ":"
    if tokens[after].text in _QUOTE_CHARS or _inside(quotes, tokens[after].start):
        return True
    # "called the findings “…”", "described the plan as “…”": a naming verb, a short object, then the quotation.
    naming = any(token.norm in _NAMING_VERBS for token in tokens[first:last])
    return naming and any(token.text in _QUOTE_CHARS or _inside(quotes, token.start)
                          for token in tokens[after:after + 7])


_NAMING_VERBS = {"called", "calls", "described", "describes", "dubbed", "branded", "labelled", "labeled", "termed"}


_RuleWords = namedtuple("_RuleWords", ["rules", "pattern", "ascii_words", "phrases", "tag_starters", "classified"])
_RULE_WORDS: dict[int, _RuleWords] = {}
_MAX_RULE_SETS = 8
_WORD_RUN = re.compile(r"\w+")


def _rule_words(rules: SourceRules) -> _RuleWords:
    """Return the word sets and the pattern derived from ``rules``, made once per rules object.

    ``pattern`` finds any word that can start an attribution tag, or a colon at the end;
    ``ascii_words`` holds the same words when all are plain ASCII letters, digits and
    underscores (else None); ``phrases`` pairs each verb phrase with its words;
    ``tag_starters`` holds the words a tag of :func:`_find_tags` outside a phrase opens with;
    ``classified`` caches :func:`classify_speaker` per speaker.
    """
    found = _RULE_WORDS.get(id(rules))
    if found is None or found.rules is not rules:
        words = set(rules.verbs) | set(rules.quote_verbs) | set(rules.participles) | {"according"}
        words |= {phrase.split()[0] for phrase in rules.verb_phrases if phrase.split()}
        alternatives = "|".join(sorted((re.escape(word) for word in words), key=len, reverse=True))
        pattern = re.compile(rf"(?i)\b(?:{alternatives})\b|:\s*$")
        plain = all(word.isascii() and _WORD_RUN.fullmatch(word) for word in words)
        ascii_words = frozenset(word.lower() for word in words) if plain else None
        phrases = tuple((phrase, phrase.split()) for phrase in rules.verb_phrases if phrase.split())
        starters = frozenset(rules.verbs | rules.quote_verbs | rules.participles | {"according"})
        found = _RuleWords(rules, pattern, ascii_words, phrases, starters, {})
        while len(_RULE_WORDS) >= _MAX_RULE_SETS:
            del _RULE_WORDS[next(iter(_RULE_WORDS))]  # the oldest: each entry keeps its rules alive
        _RULE_WORDS[id(rules)] = found
    return found


def _speech_pattern(rules: SourceRules) -> re.Pattern:
    """Return a pattern that finds any word that can start an attribution tag, or a colon at the end."""
    return _rule_words(rules).pattern


def _may_attribute(text: str, rules: SourceRules) -> bool:
    """Return whether ``text`` holds a speech word or ends in a colon (else no tag can be found in it)."""
    words = _rule_words(rules)
    if words.ascii_words is not None and text.isascii():
        # Same answer as the pattern, far faster than its long alternation: in ASCII text, a whole word
        # between two \b is a maximal run of \w, and (?i) is lower-casing.
        return text.rstrip().endswith(":") or not words.ascii_words.isdisjoint(_WORD_RUN.findall(text.lower()))
    return words.pattern.search(text) is not None


def _subject_text(text: str, rules: SourceRules) -> str | None:
    """Return the noun phrase that opens ``text`` as written, or None."""
    tokens = _tokens(text)
    subject_range = _opening_subject(tokens, rules)
    return text[tokens[subject_range[0]].start:tokens[subject_range[1] - 1].end] if subject_range else None


def _opening_subject(tokens: list[_Token], rules: SourceRules) -> tuple[int, int] | None:
    """Return the token range of the noun phrase that opens a sentence (after "This month," and the like)."""
    start = 0
    for k in range(min(len(tokens), 5)):
        if tokens[k].text == ",":
            start = k + 1
            break
    end = start
    while end < len(tokens) and (_is_speaker_token(tokens[end], rules) or tokens[end].norm in _PRONOUNS):
        if tokens[end].kind == "word" and tokens[end].norm in _FUNCTION_WORDS:
            break
        end += 1
        if tokens[end - 1].norm in _PRONOUNS:
            break
    if not any(t.kind == "word" and t.norm not in _DETERMINERS for t in tokens[start:end]):
        return None
    return start, end


def _strip_edges(text: str) -> str:
    text = text.strip(_EDGE + " ")
    if text.lower().startswith("that "):
        text = text[5:]
    return text.strip()


def _text_pieces(sentence: str, tokens: list[_Token], tag: _Tag, low: int, high: int) -> list[tuple[int, int]]:
    """Return the character spans of ``sentence[low:high]`` that the tag attributes (outside the tag).

    ``low`` and ``high`` are the ends of the neighbouring tags in the same sentence, so that two
    attributions of one sentence do not swallow each other.
    """
    if tag.participle:
        start = tokens[tag.verb_end].start if tag.verb_end < len(tokens) else high
        return [(start, high)]
    first = min(tag.speaker_start, tag.verb_start)
    last = max(tag.speaker_end, tag.verb_end)
    inverted = tag.speaker_start > tag.verb_start
    if first > 0 and tokens[first - 1].norm == "as":
        first -= 1  # "as reported by …", "As the state media reports, …"
    if tag.verb in _PASSIVE_MARK and last < len(tokens) and tokens[last].norm == "by":
        by_speaker = _speaker_after(tokens, last + 1)  # "quoted as saying by KCNA"
        last = by_speaker[1] if by_speaker else last
    left_text = sentence[low:tokens[first].start]
    new_clause = first > 0 and tokens[first - 1].norm in _CONJUNCTIONS
    right_start = tokens[last - 1].end
    right_text = sentence[right_start:high]
    that = right_text.lower().find(" that ")
    if that >= 0 and count_words(right_text[:that]) <= 4:
        right_start += that + len(" that ")
        right_text = sentence[right_start:high]
    right_quoted = any(char in _QUOTE_CHARS for char in right_text)
    first_right_word = next((token for token in tokens[last:] if token.kind == "word"), None)
    keep_left = not new_clause and (count_words(left_text) > 4 or any(char in _QUOTE_CHARS for char in left_text))
    keep_right = count_words(right_text) > 4 or right_quoted
    left_quoted = any(char in _QUOTE_CHARS for char in left_text)
    if keep_left and (inverted and not right_quoted or left_quoted and not right_quoted or (
            first_right_word is not None and first_right_word.norm.endswith("ing"))):
        keep_right = False  # "…," said X, a specialist …  /  "…," he said in a speech …  /  he said, calling …
    pieces = []
    if keep_left:
        pieces.append((low, tokens[first].start))
    if keep_right or not pieces:
        pieces.append((right_start, high))
    return pieces


_PASSIVE_MARK = {"quoted as saying", "reported as saying", "cited as saying"}
_CONJUNCTIONS = {"but", "and", "while", "whereas", "although", "though", "yet"}


def _clean_span(sentence: str, span: tuple[int, int]) -> tuple[int, int]:
    start, end = span
    while start < end and (sentence[start] in _EDGE or sentence[start].isspace()):
        start += 1
    while end > start and (sentence[end - 1] in _EDGE or sentence[end - 1].isspace()):
        end -= 1
    return start, end


def attributions(corpus, rules: SourceRules | Path | str | None = None) -> pd.DataFrame:
    """Return one row per attribution (a statement tied to a speaker) in the corpus, in reading order.

    Returns
    -------
    DataFrame with columns
        ``doc_id, outlet, event`` (the document's event, '' without one), ``sentence_id`` (the sentence
        holding the attributed text; for a quotation introduced by a colon, the quotation's first
        sentence), ``speaker`` (as written: "he", "North Korean state media (KCNA)"), ``source`` (the speaker
        with pronouns resolved to the speaker they stand for), ``source_name`` (the name-list entry that
        matched the source, or the source itself when none did: what "distinct sources" counts),
        ``kind`` (``direct`` when at least half of the attributed words are inside quotation marks,
        ``partial`` when fewer but some are, else ``indirect``), ``category`` (a category id of the data file, ``unmatched``, or
        ``unattributed`` for a quoted sentence no speaker was found for), ``verb`` ("said", "according
        to", "quoted as saying" …), ``text`` (the quoted or attributed words), ``n_words``,
        ``n_quoted_words`` (of ``text``), ``source_kind`` (person, organisation, group, or pronoun when a
        pronoun found nobody), ``entity`` (the source's name as an entity: "John Kirby" for "White House
        national security spokesman John Kirby", the full name for "Gowdy") and ``source_id`` (kind and
        name, "person:john-kirby": one id per entity in an article and across the corpus). When ``rules``
        list no categories, a speaker's category is ``unclassified`` (its kind is ``source_kind``).
    """
    rules = _rules(rules)
    events = dict(zip(corpus.documents["doc_id"], corpus.documents["event"].astype(str)))
    paragraph_text = dict(zip(corpus.paragraphs["paragraph_id"], corpus.paragraphs["text"]))
    rows: list[dict] = []
    for doc_id, records in _sentences_by_document(corpus.sentences).items():
        rows.extend(_document_attributions(doc_id, records, paragraph_text, events.get(doc_id, ""), rules))
    return pd.DataFrame(rows, columns=ATTRIBUTION_COLUMNS)


_Sentence = namedtuple("_Sentence", ["doc_id", "outlet", "sentence_id", "paragraph_id", "start", "end", "text",
                                     "n_words", "n_quoted_words", "voice", "role"])


def _sentences_by_document(sentences: pd.DataFrame) -> dict[str, list[_Sentence]]:
    """Return doc_id → its sentences in table order, documents in order of first appearance.

    Plain tuples from whole columns: reading a table row by row through pandas cost more than finding the tags.
    """
    columns = [sentences[name].tolist() for name in _Sentence._fields]
    grouped: dict[str, list[_Sentence]] = {}
    for record in map(_Sentence._make, zip(*columns)):
        grouped.setdefault(record.doc_id, []).append(record)
    return grouped


def _document_attributions(doc_id: str, records: list[_Sentence], paragraph_text: dict, event: str,
                           rules: SourceRules) -> list[dict]:
    rows: list[dict] = []
    history: list[tuple[str, str]] = []  # (source, "person" or "group") of earlier attributions
    mentions: list = []  # person subjects of sentences, for short references ("Gowdy") to a full name
    previous_subject: str | None = None
    pending_colon: dict | None = None  # a tag ending in ":" waits for its quotation
    quote_cache: dict[str, list[tuple[int, int]]] = {}
    previous_paragraph = current_paragraph = None
    previous_plain: str | None = None  # a sentence passed over quickly, whose subject is read only when needed
    prior_sentences: list[str] = []  # the article before the current sentence, for "the judge" → "Judge Rachel Amiri"
    for sentence in records:
        if sentence.paragraph_id != current_paragraph:
            previous_paragraph, current_paragraph = current_paragraph, sentence.paragraph_id
        paragraph = paragraph_text[sentence.paragraph_id]
        if sentence.paragraph_id not in quote_cache:
            quote_cache[sentence.paragraph_id] = quote_spans(paragraph)
        spans = spans_overlapping(quote_cache[sentence.paragraph_id], sentence.start, sentence.end)
        text = sentence.text
        if pending_colon is None and not sentence.n_quoted_words and not _may_attribute(text, rules):
            # No speech word and no quotation: nothing to attribute, but a person who opens it may be "he"/"she" next.
            found_mentions = person_mentions(text)
            mentions.extend(found_mentions)
            _remember_mentions(history, found_mentions, text)
            previous_subject, previous_plain = None, text
            prior_sentences.append(text)
            continue
        tokens = _tokens(text)
        base = {"doc_id": doc_id, "outlet": sentence.outlet, "event": event, "sentence_id": sentence.sentence_id}

        if pending_colon is not None:
            if sentence.voice == "quoted":
                row = dict(pending_colon, **base, text=_strip_quotes(text), n_words=sentence.n_words,
                           n_quoted_words=sentence.n_quoted_words, kind="direct", _paragraph=sentence.paragraph_id)
                rows.append(row)
                pending_colon = None
                previous_subject = None
                continue
            pending_colon = None

        tags = _find_tags(tokens, spans, rules)
        if tags and previous_subject is None and previous_plain is not None:
            previous_subject = _subject_text(previous_plain, rules)
        previous_plain = None
        found_mentions = person_mentions(text)
        mentions.extend(found_mentions)
        # A name inside a quotation is what the speaker talks about, not who speaks next.
        found_mentions = [m for m in found_mentions if not _inside(spans, text.find(m.phrase))]
        if tags:
            _remember_mentions(history, found_mentions, text)  # before this sentence's speakers, who stay nearest
        subject_range = _opening_subject(tokens, rules)
        subject = text[tokens[subject_range[0]].start:tokens[subject_range[1] - 1].end] if subject_range else None
        for position, tag in enumerate(tags):
            if tag.participle:
                if subject_range is None or describe_speaker(subject).kind == "organisation" and found_mentions and (
                        not describe_speaker(subject).named):
                    if not found_mentions:
                        continue
                    speaker = found_mentions[0].phrase  # "The city's police chief, Tom Reyes, …, saying …"
                else:
                    speaker = subject
            else:
                speaker = text[tokens[tag.speaker_start].start:tokens[tag.speaker_end - 1].end]
            for part in _split_speakers(speaker, rules):
                source, person = _resolve(part, history, previous_subject, rules)
                if source == part:
                    source = _definite_reference(part, history, prior_sentences)
                category, matched, name_kind = classify_speaker(source, rules)
                if part.lower() in _PRONOUNS and source == part:
                    category, matched = UNMATCHED, ""
                row = {"speaker": part, "source": source, "source_name": matched or _plain_source(source),
                       "category": category, "verb": tag.verb}
                if text.rstrip().endswith(":") and tag.verb_end >= len(tokens) - 4:
                    pending_colon = row  # "The Russian Defense Ministry noted in a statement:"
                    history.append((_full_person(source, mentions), person or name_kind or "group"))
                    continue
                low, high = _tag_bounds(tags, position, tokens, len(text))
                pieces = [_clean_span(text, piece) for piece in _text_pieces(text, tokens, tag, low, high)]
                pieces = [piece for piece in pieces if piece[1] > piece[0]]
                attributed = " … ".join(_strip_edges(text[a:b]) for a, b in pieces)
                n_words = sum(count_words(text[a:b]) for a, b in pieces)
                n_quoted = sum(quoted_word_count(paragraph, quote_cache[sentence.paragraph_id],
                                                 sentence.start + a, sentence.start + b) for a, b in pieces)
                kind = "direct" if n_quoted > 0 and 2 * n_quoted >= n_words else "partial" if n_quoted else "indirect"
                rows.append(dict(base, **row, kind=kind, text=attributed, n_words=n_words, n_quoted_words=n_quoted,
                                 _paragraph=sentence.paragraph_id))
                history.append((_full_person(source, mentions), person or name_kind or "group"))
        if not tags and sentence.voice == "quoted" and sentence.role == "body":
            last = rows[-1] if rows else None
            if last is not None and last["source"] and last["n_quoted_words"] and last.get("_paragraph") in (
                    sentence.paragraph_id, previous_paragraph):
                # A quotation that goes on after its tag, in the same paragraph or the next one, is the same speaker's.
                rows.append(dict(base, **{key: last[key] for key in ("speaker", "source", "source_name", "category")},
                                 verb="(continued)", kind="direct", text=_strip_quotes(text),
                                 n_words=sentence.n_words, n_quoted_words=sentence.n_quoted_words,
                                 _paragraph=sentence.paragraph_id))
            else:
                rows.append(dict(base, speaker="", source="", source_name="", category=UNATTRIBUTED, verb="",
                                 kind="direct", text=_strip_quotes(text), n_words=sentence.n_words,
                                 n_quoted_words=sentence.n_quoted_words))
        if not tags and text.rstrip().endswith(":") and (found_mentions or subject):
            # "Skipper Fergus MacAuley, whose family …, put it bluntly:" then the quotation
            speaker = found_mentions[0].phrase if found_mentions else subject
            category, matched, _ = classify_speaker(speaker, rules)
            pending_colon = {"speaker": speaker, "source": speaker, "source_name": matched or _plain_source(speaker),
                             "category": category, "verb": ":"}
        if not tags:
            _remember_mentions(history, found_mentions, text)
            if subject and describe_speaker(subject).kind == "person" and describe_speaker(subject).named:
                history.append((subject, "person"))  # the subject is the likeliest "he"/"she" of what follows
        previous_subject = subject
        prior_sentences.append(text)
    _add_entities(rows, mentions, rules)
    for row in rows:
        row.pop("_paragraph", None)
    return rows


_PERSON_ROLES = {"judge", "mayor", "chief", "minister", "president", "governor", "senator", "coach", "manager",
                 "chairman", "chairwoman", "director", "spokesman", "spokeswoman", "spokesperson", "prosecutor",
                 "professor", "doctor", "researcher", "scientist", "lawyer", "captain", "boss", "commissioner",
                 "superintendent", "sheriff", "ambassador", "envoy", "author", "economist", "analyst", "officer",
                 "founder", "executive", "principal", "striker", "skipper", "inspector", "detective", "chancellor"}
_ORGANISATION_NOUNS = {"company", "firm", "bank", "group", "airline", "carrier", "union", "agency", "ministry",
                       "department", "council", "board", "club", "team", "charity", "organisation", "organization",
                       "association", "party", "campaign", "committee", "school", "university", "hospital",
                       "network", "newspaper", "regulator", "retailer", "insurer", "lender", "maker", "manufacturer",
                       "publisher", "studio", "foundation", "alliance", "coalition", "court", "operator", "utility",
                       "developer", "institute", "guild", "federation", "league", "government", "administration"}


def _definite_reference(speaker: str, history: list[tuple[str, str]], prior_sentences: list[str]) -> str:
    """Return the entity a definite description stands for ("the judge" → "Judge Rachel Amiri", "the company"
    → the organisation quoted last), or ``speaker`` when it is none or nothing fits."""
    words = speaker.split()
    if len(words) != 2 or words[0].lower() != "the" or not words[1].islower():
        return speaker
    noun = words[1]
    if noun in _PERSON_ROLES:
        name = r"[A-Z][\w'’-]+(?:\s+(?:[A-Z]\.|[A-Z][\w'’-]+)){1,3}"
        role = rf"(?i:{noun})"  # "Judge Rachel Amiri", "the judge": only the role word ignores case
        pattern = re.compile(rf"\b{role}\s+({name})|({name}),\s+(?:the|a|an)\s+(?:[\w'-]+\s+){{0,3}}{role}\b|"
                             rf"\b{role},\s+({name})")
        found = list(pattern.finditer(" ".join(prior_sentences[-40:])))
        for match in reversed(found):
            candidate = next(group for group in match.groups() if group)
            if candidate[:1].isupper() and describe_speaker(candidate).kind == "person":
                return candidate
        return speaker
    if noun in _ORGANISATION_NOUNS:
        organisations = [source for source, _ in reversed(history[-_LOOKBACK:])
                         if describe_speaker(source).kind in ("organisation", "group") and describe_speaker(source).named]
        same_head = [source for source in organisations if noun in source.lower()]
        return (same_head or organisations or [speaker])[0]
    return speaker


def _remember_mentions(history: list[tuple[str, str]], found: list, text: str) -> None:
    """Add the persons a sentence names to ``history`` in order, its opening subject last (the likeliest antecedent)."""
    opening = found[0] if found and text.find(found[0].phrase) <= 2 else None
    for mention in found:
        if mention is not opening:
            history.append((mention.phrase, "person"))
    if opening is not None:
        history.append((opening.phrase, "person"))


def _full_person(source: str, mentions: list) -> str:
    """Return the full name the article gave a one-word speaker ("Okafor" → "Mayor Linda Okafor"), else ``source``."""
    speaker = describe_speaker(source)
    if speaker.kind in ("person", "organisation") and speaker.named and len(speaker.name.split()) == 1:
        word = speaker.name.lower()
        for mention in reversed(mentions):
            if mention.surname == word and len(mention.name.split()) > 1:
                return mention.phrase
    return source


def _add_entities(rows: list[dict], mentions: list, rules: SourceRules) -> None:
    """Give each row of one document its entity (kind, name, id); without category lists, 'unclassified'."""
    spoken = [row for row in rows if row["source"]]
    described = [describe_speaker(row["source"]) for row in spoken]
    for row, speaker, (name, identifier) in zip(spoken, described, document_entities(described, mentions)):
        kind = identifier.split(":", 1)[0]
        row.update(source_kind=kind, entity=name, source_id=identifier)
        if not rules.categories and row["category"] == UNMATCHED:
            row["category"] = UNCLASSIFIED
    for row in rows:
        if not row["source"]:
            row.update(source_kind="", entity="", source_id="")


def _tag_bounds(tags: list[_Tag], position: int, tokens: list[_Token], length: int) -> tuple[int, int]:
    """Return the character range the tag at ``position`` may attribute: up to its neighbouring tags."""
    low = 0
    if position > 0:
        before = tags[position - 1]
        low = tokens[max(before.speaker_end, before.verb_end) - 1].end
    high = length
    if position + 1 < len(tags):
        after = tags[position + 1]
        if after.speaker_start >= 0:
            high = tokens[min(after.speaker_start, after.verb_start)].start
    return low, high


def _strip_quotes(text: str) -> str:
    return text.strip().strip(_QUOTE_CHARS).strip()


def _plain_source(source: str) -> str:
    words = source.split()
    while words and words[0].lower() in _DETERMINERS:
        words = words[1:]
    return " ".join(words)


def _split_speakers(speaker: str, rules: SourceRules) -> list[str]:
    """Return the speakers of a coordinated phrase ("North Korea and Russia" → two) when each part is known."""
    if " and " not in speaker:
        return [speaker]
    words = speaker.split()
    if words and words[0].lower() == "both":
        speaker = " ".join(words[1:])
    parts = [part.strip() for part in speaker.split(" and ")]
    if all(part and classify_speaker(part, rules)[0] != UNMATCHED for part in parts):
        return parts
    return [speaker]


_LOOKBACK = 200  # mentions a pronoun looks back over: enough for any article, bounded for a book-length text


def _resolve(speaker: str, history: list[tuple[str, str]], previous_subject: str | None,
             rules: SourceRules) -> tuple[str, str]:
    """Return ``(source, kind)`` for a speaker: a pronoun becomes the speaker it stands for.

    ``history`` holds the earlier speakers and person subjects of the document, as written.
    "he"/"she" → the nearest earlier person whose gender (title, role word or first name) does not
    contradict the pronoun; "it"/"they" → the subject that opens the previous sentence when that is an
    organisation or group, else the nearest earlier organisation (or group, for "they").
    """
    pronoun = speaker.lower()
    if pronoun not in _PRONOUNS:
        return speaker, ""
    if pronoun in ("he", "she"):
        for source, _ in reversed(history[-_LOOKBACK:]):
            if gender_compatible(pronoun, describe_speaker(source)):
                return source, "person"
        return speaker, "person"
    if previous_subject and previous_subject.replace(" ", "").isupper():
        previous_subject = None  # a dateline ("DALLAS (AP)"), not a subject
    if previous_subject and history and history[-1][0].startswith(previous_subject + " "):
        previous_subject = history[-1][0]  # "Democratic" opened the sentence of "Democratic lawmakers said"
    if previous_subject and previous_subject.lower() not in _PRONOUNS and gender_compatible(
            pronoun, describe_speaker(previous_subject)):
        return previous_subject, "group"
    for source, _ in reversed(history[-_LOOKBACK:]):
        if gender_compatible(pronoun, describe_speaker(source)):
            return source, "group"
    return speaker, "group"


# --- summaries ------------------------------------------------------------------------------------------------


def _rows_matching(table: pd.DataFrame, keys: list[str], values: tuple) -> pd.DataFrame:
    """Return the rows of ``table`` whose ``keys`` columns equal ``values`` (compared as text)."""
    mask = pd.Series(True, index=table.index)
    for key, value in zip(keys, values):
        mask &= table[key].astype(str) == str(value)
    return table[mask]


def _groups(corpus, by_event: bool) -> list[str]:
    has_event = by_event and corpus.documents["event"].astype(str).str.strip().ne("").any()
    return ["event", "outlet"] if has_event else ["outlet"]


def _order_rows(table: pd.DataFrame, corpus, keys: list[str]) -> pd.DataFrame:
    outlet_order = {outlet: rank for rank, outlet in enumerate(corpus.outlets)}
    sort_keys = list(keys)
    return table.sort_values(sort_keys, key=lambda column: column.map(outlet_order)
                             if column.name == "outlet" else column).reset_index(drop=True)


def outlet_sources(corpus, table: pd.DataFrame | None = None, by_event: bool = False,
                   rules: SourceRules | Path | str | None = None) -> pd.DataFrame:
    """Return one row per outlet (per event and outlet with ``by_event``) summing up its sourcing.

    Returns
    -------
    DataFrame with columns
        ``[event,] outlet, n_documents, n_attributions, n_direct, n_indirect, n_partial, n_unattributed_quotes``
        (quoted sentences with no speaker found, counted in ``n_attributions``), ``n_sources``
        (distinct ``source_name``), ``n_entities`` (distinct ``source_id``: the sources as entities, short
        references and pronouns joined to the name they stand for), ``n_unmatched`` (attributions whose speaker is in no list),
        ``n_words, n_quoted_words, quoted_word_share`` (words inside quotation marks over all words
        of the outlet's text), ``attributions_per_1k_words``, ``first_source`` and
        ``first_source_category`` (the source of a document's first attribution; with several documents,
        the most common one, ties to the earliest document), ``n_documents_with_sources``.
    """
    table = attributions(corpus, rules) if table is None else table
    keys = _groups(corpus, by_event)
    documents = corpus.documents[["doc_id", "outlet", "event"]].astype({"event": str})
    sentences = corpus.sentences.merge(documents[["doc_id", "event"]], on="doc_id")
    words = sentences.groupby(keys, sort=False).agg(n_words=("n_words", "sum"),
                                                    n_quoted_words=("n_quoted_words", "sum"))
    docs = documents.groupby(keys, sort=False).agg(n_documents=("doc_id", "nunique"))
    result = docs.join(words, how="left").fillna(0).reset_index()
    rows = []
    for values, group in result.groupby(keys, sort=False):
        values = values if isinstance(values, tuple) else (values,)
        found = _rows_matching(table, keys, values)
        named = found[found["category"] != UNATTRIBUTED]
        first = named.groupby("doc_id", sort=False).head(1)
        if len(first):
            doc_rank = {doc: rank for rank, doc in enumerate(corpus.documents["doc_id"])}
            counts = first.assign(rank=first["doc_id"].map(doc_rank)).groupby("source_name", sort=False).agg(
                n=("doc_id", "size"), rank=("rank", "min")).sort_values(["n", "rank"], ascending=[False, True])
            first_source = counts.index[0]
            first_category = first.loc[first["source_name"] == first_source, "category"].iloc[0]
        else:
            first_source, first_category = "", ""
        n_words = int(group["n_words"].iloc[0])
        n_quoted = int(group["n_quoted_words"].iloc[0])
        rows.append({
            **dict(zip(keys, values)),
            "n_documents": int(group["n_documents"].iloc[0]),
            "n_attributions": len(found),
            "n_direct": int((found["kind"] == "direct").sum()),
            "n_indirect": int((found["kind"] == "indirect").sum()),
            "n_partial": int((found["kind"] == "partial").sum()),
            "n_unattributed_quotes": int((found["category"] == UNATTRIBUTED).sum()),
            "n_sources": int(named["source_name"].map(match_key).nunique()),
            "n_entities": int(named.loc[~named["source_id"].str.startswith("pronoun:"), "source_id"].nunique()),
            "n_unmatched": int((found["category"] == UNMATCHED).sum()),
            "n_words": n_words,
            "n_quoted_words": n_quoted,
            "quoted_word_share": n_quoted / n_words if n_words else 0.0,
            "attributions_per_1k_words": 1000 * len(found) / n_words if n_words else 0.0,
            "first_source": first_source,
            "first_source_category": first_category,
            "n_documents_with_sources": int(named["doc_id"].nunique()),
        })
    return _order_rows(pd.DataFrame(rows), corpus, keys)


def category_mix(corpus, table: pd.DataFrame | None = None, by_event: bool = False,
                 rules: SourceRules | Path | str | None = None) -> pd.DataFrame:
    """Return the mix of source categories per outlet (per event and outlet with ``by_event``).

    Returns
    -------
    DataFrame with one row per outlet and category (every category of the data file, plus
    ``unmatched`` and ``unattributed``, zeros included) and columns ``[event,] outlet, category, label,
    n_attributions, n_direct, n_indirect, n_partial, share`` (of the outlet's attributions; 0 when it has none).
    """
    rules = _rules(rules)
    table = attributions(corpus, rules) if table is None else table
    keys = _groups(corpus, by_event)
    labels = rules.labels
    documents = corpus.documents[["outlet", "event"]].astype({"event": str}).drop_duplicates()
    rows = []
    for values, _ in documents.groupby(keys, sort=False):
        values = values if isinstance(values, tuple) else (values,)
        found = _rows_matching(table, keys, values)
        for category, label in labels.items():
            chosen = found[found["category"] == category]
            rows.append({**dict(zip(keys, values)), "category": category, "label": label,
                         "n_attributions": len(chosen), "n_direct": int((chosen["kind"] == "direct").sum()),
                         "n_indirect": int((chosen["kind"] == "indirect").sum()),
                         "n_partial": int((chosen["kind"] == "partial").sum()),
                         "share": len(chosen) / len(found) if len(found) else 0.0})
    result = pd.DataFrame(rows)
    category_order = {category: rank for rank, category in enumerate(labels)}
    outlet_order = {outlet: rank for rank, outlet in enumerate(corpus.outlets)}
    result = result.sort_values(keys + ["category"], key=lambda column: column.map(
        outlet_order if column.name == "outlet" else category_order) if column.name != "event" else column)
    return result.reset_index(drop=True)


def first_sources(corpus, table: pd.DataFrame | None = None,
                  rules: SourceRules | Path | str | None = None) -> pd.DataFrame:
    """Return the first attribution with a speaker of each document.

    Returns
    -------
    DataFrame with columns ``doc_id, outlet, event, sentence_id, position`` (share of the document's
    words before that sentence), ``speaker, source, category, kind, text``; documents without any
    attribution are absent.
    """
    table = attributions(corpus, rules) if table is None else table
    named = table[table["category"] != UNATTRIBUTED].groupby("doc_id", sort=False).head(1)
    positions = corpus.sentences.set_index("sentence_id")["position"]
    result = named.assign(position=named["sentence_id"].map(positions))
    columns = ["doc_id", "outlet", "event", "sentence_id", "position", "speaker", "source", "category", "kind",
               "text"]
    return result[columns].reset_index(drop=True)


def sourcing_sentence(summary: pd.DataFrame) -> str:
    """Return one computed sentence per outlet: attributions, distinct sources, quoted share, first source."""
    parts = []
    for row in summary.itertuples(index=False):
        first = f", first quoting {markdown_text(row.first_source)}" if row.first_source else ""
        spellings = (f" ({row.n_sources} ways of naming them)" if row.n_sources != row.n_entities else "")
        parts.append(f"**{markdown_text(row.outlet)}**: {row.n_attributions} attributions ({row.n_direct} direct, "
                     f"{row.n_partial} partial) from {row.n_entities} distinct sources{spellings}; "
                     f"{row.quoted_word_share:.1%} of its "
                     f"{row.n_words:,} words are inside quotation marks{first}.")
    return "\n\n".join(parts)


# --- figures --------------------------------------------------------------------------------------------------


def plot_category_mix(mix: pd.DataFrame, corpus, ax=None):
    """Return a figure of horizontal stacked bars: attributions per outlet by source category, counts shown."""
    from analysis.style import add_source_line, category_colors, corpus_label, new_figure, text_color_on

    labels = dict(zip(mix["category"], mix["label"]))
    categories = [category for category in dict.fromkeys(mix["category"])
                  if mix.loc[mix["category"] == category, "n_attributions"].sum() > 0]
    keys = ["event", "outlet"] if "event" in mix.columns else ["outlet"]
    pivot = mix.pivot_table(index=keys, columns="category", values="n_attributions", aggfunc="sum", sort=False)
    pivot = pivot.reindex(columns=categories).fillna(0)
    if ax is None:
        figure, ax = new_figure(9.0, 1.6 + 0.55 * max(len(pivot), 1))
    else:
        figure = ax.figure
    rows = [" · ".join(str(value) for value in (index if isinstance(index, tuple) else (index,)))
            for index in pivot.index]
    left = [0.0] * len(pivot)
    colours = category_colors(category for category in categories if category not in (UNMATCHED, UNATTRIBUTED))
    for category in categories:
        counts = pivot[category].tolist()
        colour = "#BBBBBB" if category == UNMATCHED else "#666666" if category == UNATTRIBUTED else colours[category]
        bars = ax.barh(rows, counts, left=left, color=colour, label=labels.get(category, category),
                       edgecolor="white", linewidth=0.6)
        widest = max(sum(pivot.iloc[row]) for row in range(len(pivot))) if len(pivot) else 0
        for bar, count in zip(bars, counts):
            if count > 0 and count >= 0.025 * widest:  # too narrow a segment has no room; the table has it
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2, f"{int(count)}",
                        ha="center", va="center", fontsize=8, color=text_color_on(colour))
        left = [a + b for a, b in zip(left, counts)]
    ax.invert_yaxis()
    ax.set_xlabel("attributions (count)")
    ax.set_title("Whom each outlet cites: attributions by source category")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    figure.tight_layout()
    add_source_line(figure, corpus_label(corpus))
    return figure


def plot_quoted_share(summary: pd.DataFrame, corpus, ax=None):
    """Return a figure of bars: share of each outlet's words inside quotation marks, with the counts."""
    from analysis.style import add_source_line, corpus_label, new_figure, outlet_colors

    if ax is None:
        figure, ax = new_figure(7.0, 1.2 + 0.5 * max(len(summary), 1))
    else:
        figure = ax.figure
    colours = outlet_colors(corpus.outlets)
    keys = ["event", "outlet"] if "event" in summary.columns else ["outlet"]
    labels = [" · ".join(str(getattr(row, key)) for key in keys) for row in summary.itertuples(index=False)]
    shares = (100 * summary["quoted_word_share"]).tolist()
    bars = ax.barh(labels, shares, color=[colours[outlet] for outlet in summary["outlet"]])
    for bar, row in zip(bars, summary.itertuples(index=False)):
        ax.text(bar.get_width() + 0.01 * max(shares + [1.0]), bar.get_y() + bar.get_height() / 2,
                f"{row.quoted_word_share:.1%} ({row.n_quoted_words:,} of {row.n_words:,} words)", va="center",
                fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, max(shares + [1.0]) * 1.45)
    ax.set_xlabel("words inside quotation marks (% of the outlet's words)")
    ax.set_title("How much of each outlet's text is quotation")
    ax.grid(axis="y", visible=False)
    figure.tight_layout()
    add_source_line(figure, corpus_label(corpus))
    return figure


def attributions_with_sentences(corpus, table: pd.DataFrame | None = None,
                                rules: SourceRules | Path | str | None = None) -> pd.DataFrame:
    """Return the attributions with the full sentence each was found in, for reading.

    Returns
    -------
    DataFrame with columns ``outlet, sentence_id, speaker, source, category, kind, verb, sentence``
    (the sentence as printed), one row per attribution, in reading order.
    """
    table = attributions(corpus, rules) if table is None else table
    sentences = corpus.sentences.set_index("sentence_id")["text"]
    result = table.assign(sentence=table["sentence_id"].map(sentences))
    return result[["outlet", "sentence_id", "speaker", "source", "category", "kind", "verb", "sentence"]]
