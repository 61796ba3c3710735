"""Codebooks: frames with their terms, and naming sets, read from a YAML file a researcher writes.

A codebook file looks like this (see ``docs/framing.md`` for the full format)::

    frames:
      - name: legality
        description: The visit is framed by what international law forbids.
        terms:
          - banned … missiles          # a phrase: up to 3 words may stand at "…"
          - UN Security Council resolution
          - phrase: sanction
            inflect: true
          - regex: "unlawful(ly)?"     # an explicit regular expression
            label: unlawful
    naming_sets:
      - name: the war
        description: How the war Russia wages in Ukraine is named.
        labels:
          - label: invasion of Ukraine
            terms: [invasion of Ukraine]
          - war in Ukraine              # a label that is its own term

Phrases are matched through :mod:`analysis.matching` (case-insensitive except
acronyms, curly and straight quotes alike, hyphens read as spaces, plurals,
possessives and regular verb forms, ``collaps*`` as a prefix). LIWC ``.dic`` and
quanteda YAML dictionaries are read too (:mod:`analysis.dictionaries`). A ``regex`` term is matched, ignoring case, against the same
matching form, unless it says ``as_printed: true`` (then against the text as
printed, where "Kim Jong-un" keeps its hyphen). Regular expressions run on RE2
(:func:`analysis.matching.compile_user_regex`): no lookaround, so a ``regex`` term
may say ``not_followed_by: <regex>`` to skip matches followed by it.

A frame may say ``dimension:``, the general scheme's category it belongs to: one
of the 15 dimensions of the Policy Frames Codebook (Boydstun et al. 2014,
:data:`POLICY_FRAMES`) or one of the five generic news frames of Semetko &
Valkenburg (2000, :data:`GENERIC_FRAMES`), so that issue-specific frames can be
compared across studies.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from analysis.errors import RulesError
from analysis.matching import (GAP_MARKERS, WILDCARD, BudgetExceeded, PatternError, PhrasePattern, ProgramBudget,
                               UserRegex, compile_phrase, compile_user_regex, matching_form)
from analysis.paths import DEFAULT_CODEBOOK
from analysis.yamlfile import read_yaml_nodes

CUSTOM_FRAME = "custom"

_TOP_KEYS = ("frames", "naming_sets")
_FRAME_KEYS = ("name", "description", "terms", "dimension")
POLICY_FRAMES = (
    "economic", "capacity and resources", "morality", "fairness and equality",
    "legality, constitutionality and jurisprudence", "policy prescription and evaluation", "crime and punishment",
    "security and defense", "health and safety", "quality of life", "cultural identity", "public opinion",
    "political", "external regulation and reputation", "other",
)
"""The 15 dimensions of the Policy Frames Codebook (Boydstun, Card, Gross, Resnik & Smith 2014)."""
GENERIC_FRAMES = ("conflict", "human interest", "attribution of responsibility", "morality", "economic consequences")
"""The five generic news frames of Semetko & Valkenburg (2000)."""
_SET_KEYS = ("name", "description", "labels")
_LABEL_KEYS = ("label", "terms")
_TERM_KEYS = ("phrase", "regex", "label", "inflect", "max_gap", "as_printed", "not_followed_by")
# Reading (about 2 ms to compile a phrase) and matching time grow with the number of terms; a codebook
# far larger than any study needs is refused.
MAX_TERMS = 2000


@dataclass(frozen=True)
class Term:
    """One term: a compiled pattern and the label it is reported under."""

    label: str
    pattern: PhrasePattern | UserRegex = field(repr=False)
    kind: str = "phrase"  # phrase or regex
    as_printed: bool = False  # regex matched against the text as printed, not its matching form
    source: str = ""  # file:line it was read from ("" for terms given on the command line)
    anchor: str | None = None  # lower-case text every match starts with (phrases only), to search quickly


def phrase_anchor(phrase: str) -> str | None:
    """Return lower-case text that every match of ``phrase`` starts with (from its first word), or None.

    A wildcard's prefix stands for ``collaps*``; a final "e" or "y" is left out,
    since "collapsing" and "denied" drop it (:func:`analysis.matching.word_forms`).
    """
    for marker in GAP_MARKERS:
        phrase = phrase.replace(marker, " ")
    form, _ = matching_form(phrase)
    word = form.split(" ", 1)[0].removesuffix(WILDCARD)
    if len(word) > 1 and word[-1] in "eEyY":
        word = word[:-1]
    first = word.lower()
    return first if first and len(first) == len(word) and WILDCARD not in first else None


@dataclass(frozen=True)
class Frame:
    """A frame: a name, a one-line definition and the terms that carry it."""

    name: str
    description: str
    terms: tuple[Term, ...]
    dimension: str = ""  # a POLICY_FRAMES dimension or a GENERIC_FRAMES frame, lower case; "" if not given


def dimension_scheme(dimension: str) -> str:
    """Return the scheme ``dimension`` comes from: Policy Frames Codebook, generic frame, both, or ""."""
    schemes = [name for name, values in (("Policy Frames Codebook", POLICY_FRAMES), ("generic frame", GENERIC_FRAMES))
               if dimension in values]
    return " and ".join(schemes)


@dataclass(frozen=True)
class NamingLabel:
    """One alternative label of a naming set and the terms that find it."""

    label: str
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class NamingSet:
    """One referent and the alternative labels an outlet can choose for it."""

    name: str
    description: str
    labels: tuple[NamingLabel, ...]


@dataclass(frozen=True, eq=False)
class Codebook:
    """Frames and naming sets; build one with :func:`read_codebook` or :func:`codebook_from_terms`."""

    frames: tuple[Frame, ...] = ()
    naming_sets: tuple[NamingSet, ...] = ()
    source: str = ""

    @property
    def frame_names(self) -> list[str]:
        """Return the frame names in codebook order."""
        return [frame.name for frame in self.frames]

    def with_terms(self, phrases: list[str] | tuple[str, ...], frame: str = CUSTOM_FRAME) -> Codebook:
        """Return a copy with ``phrases`` added as the terms of frame ``frame`` (a new frame, or added to it)."""
        if not phrases:
            return self
        added = _terms_from_phrases(phrases, frame)
        frames = list(self.frames)
        for index, existing in enumerate(frames):
            if existing.name == frame:
                known = {term.label.casefold() for term in existing.terms}
                new = tuple(term for term in added if term.label.casefold() not in known)
                frames[index] = replace(existing, terms=existing.terms + new)
                break
        else:
            frames.append(Frame(frame, "terms given on the command line", added))
        return Codebook(tuple(frames), self.naming_sets, self.source)


def codebook_from_terms(phrases: list[str] | tuple[str, ...], frame: str = CUSTOM_FRAME) -> Codebook:
    """Return a codebook with one frame, ``frame``, whose terms are ``phrases``."""
    return Codebook().with_terms(phrases, frame)


def phrase_pattern(phrase: str, inflect: bool = True, max_gap: int = 3) -> PhrasePattern:
    """Return the compiled pattern of :func:`analysis.matching.compile_phrase` for ``phrase``.

    Raises PatternError (a ValueError) for a phrase with no words or no letter or digit.
    """
    return compile_phrase(phrase, inflect, max_gap).pattern


def _terms_from_phrases(phrases, frame: str) -> tuple[Term, ...]:
    terms: list[Term] = []
    seen: set[str] = set()
    for phrase in phrases:
        text = str(phrase).strip()
        if not text:
            raise RulesError(f"--term: empty term for frame '{frame}'")
        if text.casefold() in seen:
            continue
        seen.add(text.casefold())
        try:
            terms.append(Term(text, phrase_pattern(text), anchor=phrase_anchor(text)))
        except PatternError as problem:
            raise RulesError(f"--term: the term '{text}' {problem}") from None
    return tuple(terms)


def read_codebook(path: Path | str | None = None) -> Codebook:
    """Return the :class:`Codebook` in the file ``path`` (default: ``analysis/data/codebook.yaml``).

    The reader follows the file: a LIWC dictionary (a ``.dic`` name, or a first
    line ``%``) and a YAML mapping without ``frames``/``naming_sets`` (a quanteda
    dictionary) go to :mod:`analysis.dictionaries`; any other YAML is the
    project's own format, described here.

    Raises RulesError naming the file and line for invalid YAML, unknown keys,
    missing names or definitions, empty or duplicate terms, invalid regular
    expressions and naming sets with fewer than two labels.
    """
    path = Path(path) if path is not None else DEFAULT_CODEBOOK
    # Imported here: the dictionary readers build on this module's Codebook and Term.
    from analysis.dictionaries import looks_like_liwc, read_liwc_dictionary, read_quanteda_dictionary

    if looks_like_liwc(path):
        return read_liwc_dictionary(path)
    data, root = read_yaml_nodes(path)
    if _is_quanteda_dictionary(data):
        return read_quanteda_dictionary(path, data, root)
    lines = node_lines(root)
    reader = _Reader(path, lines)
    if not isinstance(data, dict):
        raise RulesError(f"{path}: a codebook is a mapping with the keys {', '.join(_TOP_KEYS)}")
    reader.check_keys(data, (), _TOP_KEYS, "the codebook")
    frames = reader.frames(data["frames"]) if "frames" in data else ()
    naming_sets = reader.naming_sets(data["naming_sets"]) if "naming_sets" in data else ()
    if not frames and not naming_sets:
        raise RulesError(f"{path}: the codebook has no frames and no naming sets")
    return Codebook(frames, naming_sets, str(path))


def _is_quanteda_dictionary(data: Any) -> bool:
    """Return whether parsed YAML is a quanteda dictionary: no frames or naming sets, lists of patterns only.

    A mapping holding a list of mappings is a project codebook with a mistyped key,
    left to the codebook reader, which names the unknown key.
    """
    if not isinstance(data, dict) or not data or any(key in data for key in _TOP_KEYS):
        return False

    def patterns_only(value: Any) -> bool:
        if isinstance(value, dict):
            return all(patterns_only(item) for item in value.values())
        if isinstance(value, list):
            return not any(isinstance(item, (dict, list)) for item in value)
        return True

    return patterns_only(data)


def node_lines(root: yaml.Node | None) -> dict[tuple, int]:
    """Return the 1-based line of every node of a composed YAML tree, keyed by its path (keys and list indexes).

    :func:`analysis.yamlfile.read_yaml` records lines for mappings only; terms are
    plain strings in lists, so their lines come from the composed node tree.
    """
    lines: dict[tuple, int] = {}

    def walk(node, at: tuple) -> None:
        lines[at] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, at + (key.value,))
                lines[at + (key.value,)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, at + (index,))

    if root is not None:
        walk(root, ())
    return lines


class _Reader:
    """Validates the parsed codebook, naming file and line in every message."""

    def __init__(self, path: Path, lines: dict[tuple, int]):
        self.path = path
        self.lines = lines
        self.term_count = 0
        self.budget = ProgramBudget()

    def at(self, where: tuple) -> str:
        line = self.lines.get(where, 0)
        return f"{self.path}:{line}" if line else f"{self.path}"

    def check_keys(self, mapping: dict, where: tuple, allowed: tuple[str, ...], what: str) -> None:
        for key in mapping:
            if key not in allowed:
                raise RulesError(
                    f"{self.at(where + (key,))}: unknown key '{key}' in {what} (allowed: {', '.join(allowed)})"
                )

    def text(self, mapping: dict, key: str, where: tuple, what: str) -> str:
        value = mapping.get(key)
        if not isinstance(value, str) or not value.strip():
            raise RulesError(f"{self.at(where + (key,) if key in mapping else where)}: {what} needs a '{key}' (text)")
        return value.strip()

    def sequence(self, value: Any, where: tuple, what: str) -> list:
        if not isinstance(value, list) or not value:
            raise RulesError(f"{self.at(where)}: {what} must be a non-empty list")
        return value

    def named_entries(self, items: Any, section: str, keys: tuple[str, ...], noun: str):
        """Yield ``(where, item, name, description)`` for each entry of a frames or naming_sets list.

        Checks that each entry is a mapping with known keys, a name used once, and a description.
        """
        seen: dict[str, str] = {}
        for index, item in enumerate(self.sequence(items, (section,), f"'{section}'")):
            where = (section, index)
            if not isinstance(item, dict):
                raise RulesError(f"{self.at(where)}: a {noun} is a mapping with {', '.join(keys)}")
            self.check_keys(item, where, keys, f"a {noun}")
            name = self.text(item, "name", where, f"a {noun}")
            if name.casefold() in seen:
                raise RulesError(f"{self.at(where)}: duplicate {noun} '{name}' (first at {seen[name.casefold()]})")
            seen[name.casefold()] = self.at(where)
            yield where, item, name, self.text(item, "description", where, f"{noun} '{name}'")

    def frames(self, items: Any) -> tuple[Frame, ...]:
        return tuple(
            Frame(name, description, self.terms(item.get("terms"), where + ("terms",), f"frame '{name}'"),
                  self.dimension(item, where, name))
            for where, item, name, description in self.named_entries(items, "frames", _FRAME_KEYS, "frame")
        )

    def dimension(self, item: dict, where: tuple, name: str) -> str:
        """Return the frame's ``dimension`` in lower case ("" if absent); raises RulesError if it is in no list."""
        if "dimension" not in item:
            return ""
        value = item["dimension"]
        dimension = " ".join(value.split()).casefold() if isinstance(value, str) else ""
        if not dimension_scheme(dimension):
            raise RulesError(
                f"{self.at(where + ('dimension',))}: unknown dimension {value!r} for frame '{name}' (allowed: a "
                f"Policy Frames Codebook dimension: {'; '.join(POLICY_FRAMES)}; or a generic frame: "
                f"{'; '.join(GENERIC_FRAMES)})")
        return dimension

    def naming_sets(self, items: Any) -> tuple[NamingSet, ...]:
        return tuple(
            NamingSet(name, description, self.labels(item.get("labels"), where + ("labels",), name))
            for where, item, name, description in self.named_entries(items, "naming_sets", _SET_KEYS, "naming set")
        )

    def labels(self, items: Any, where: tuple, set_name: str) -> tuple[NamingLabel, ...]:
        what = f"naming set '{set_name}'"
        if not isinstance(items, list) or len(items) < 2:
            count = len(items) if isinstance(items, list) else 0
            raise RulesError(
                f"{self.at(where)}: {what} has {'one label' if count == 1 else 'no labels'}; "
                "a naming set needs at least two alternative labels"
            )
        labels: list[NamingLabel] = []
        seen: dict[str, str] = {}
        for index, item in enumerate(items):
            item_at = where + (index,)
            if isinstance(item, dict):
                self.check_keys(item, item_at, _LABEL_KEYS, f"a label of {what}")
                label = self.text(item, "label", item_at, f"a label of {what}")
                if not _has_letter_or_digit(label):
                    raise RulesError(f"{self.at(item_at + ('label',))}: the label '{label}' of {what} "
                                     "has no letter or digit")
                terms = self.terms(item.get("terms"), item_at + ("terms",), f"label '{label}' of {what}")
            elif isinstance(item, str) and item.strip():
                label = item.strip()
                terms = self.terms([item], item_at, f"label '{label}' of {what}", single=True)
            else:
                raise RulesError(f"{self.at(item_at)}: empty label in {what}")
            if label.casefold() in seen:
                first = seen[label.casefold()]
                raise RulesError(f"{self.at(item_at)}: duplicate label '{label}' in {what} (first at {first})")
            seen[label.casefold()] = self.at(item_at)
            labels.append(NamingLabel(label, terms))
        return tuple(labels)

    def terms(self, items: Any, where: tuple, what: str, single: bool = False) -> tuple[Term, ...]:
        items = self.sequence(items, where, f"the terms of {what}")
        terms: list[Term] = []
        seen: dict[str, str] = {}
        for index, item in enumerate(items):
            item_at = where if single else where + (index,)
            self.term_count += 1
            if self.term_count > MAX_TERMS:
                raise RulesError(f"{self.at(item_at)}: more than {MAX_TERMS:,} terms in the codebook "
                                 "(split it into several codebooks)")
            term = self.term(item, item_at, what)
            key = f"{term.kind}:{term.pattern.pattern}"
            if key in seen or term.label.casefold() in seen:
                first = seen.get(key) or seen[term.label.casefold()]
                raise RulesError(f"{self.at(item_at)}: duplicate term '{term.label}' in {what} (first at {first})")
            seen[key] = seen[term.label.casefold()] = self.at(item_at)
            terms.append(term)
        return tuple(terms)

    def term(self, item: Any, where: tuple, what: str) -> Term:
        source = self.at(where)
        if item is None or (isinstance(item, str) and not item.strip()):
            raise RulesError(f"{source}: empty term in {what}")
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)
        if isinstance(item, str):
            return self.phrase(item.strip(), True, 3, None, source, what)
        if not isinstance(item, dict):
            raise RulesError(f"{source}: a term is a phrase or a mapping with one of 'phrase' or 'regex'")
        self.check_keys(item, where, _TERM_KEYS, f"a term of {what}")
        if ("phrase" in item) == ("regex" in item):
            raise RulesError(f"{source}: a term of {what} needs exactly one of 'phrase' or 'regex'")
        label = item.get("label")
        if label is not None and (not isinstance(label, str) or not label.strip()):
            raise RulesError(f"{source}: 'label' of a term in {what} must be text")
        label = label.strip() if label else None
        if label is not None and not _has_letter_or_digit(label):
            raise RulesError(f"{source}: the label '{label}' of a term in {what} has no letter or digit")
        value = item.get("phrase", item.get("regex"))
        if value is None or not str(value).strip():
            raise RulesError(f"{source}: empty term in {what}")
        value = str(value)
        as_printed = item.get("as_printed", False)
        if not isinstance(as_printed, bool):
            raise RulesError(f"{source}: 'as_printed' must be true or false")
        if "regex" in item:
            for key in ("inflect", "max_gap"):
                if key in item:
                    raise RulesError(f"{source}: '{key}' applies to phrases, not to a 'regex' term")
            pattern = self.regex(value, item.get("not_followed_by"), source, what)
            if label is None and not _has_letter_or_digit(value):
                raise RulesError(f"{source}: the regular expression '{value}' in {what} has no letter or digit; "
                                 "give the term a 'label'")
            return Term(label or value, pattern, "regex", as_printed, source)
        if as_printed:
            raise RulesError(f"{source}: 'as_printed' applies to 'regex' terms only")
        if "not_followed_by" in item:
            raise RulesError(f"{source}: 'not_followed_by' applies to 'regex' terms only")
        inflect = item.get("inflect", True)
        if not isinstance(inflect, bool):
            raise RulesError(f"{source}: 'inflect' must be true or false")
        max_gap = item.get("max_gap", 3)
        if not isinstance(max_gap, int) or isinstance(max_gap, bool) or not 0 <= max_gap <= 20:
            raise RulesError(f"{source}: 'max_gap' must be a whole number from 0 to 20")
        return self.phrase(value.strip(), inflect, max_gap, label, source, what)

    def regex(self, value: str, not_followed_by: Any, source: str, what: str) -> UserRegex:
        """Return the RE2 pattern of a ``regex`` term; raises RulesError if it is invalid or matches empty text."""
        if not_followed_by is not None and (not isinstance(not_followed_by, str) or not not_followed_by.strip()):
            raise RulesError(f"{source}: 'not_followed_by' of a term in {what} must be a regular expression (text)")
        try:
            pattern = compile_user_regex(value, ignore_case=True, not_followed_by=not_followed_by, budget=self.budget)
        except BudgetExceeded as problem:
            raise RulesError(f"{source}: {problem}") from None
        except PatternError as problem:
            raise RulesError(f"{source}: invalid regular expression '{value}' in {what} ({problem})") from None
        if pattern.can_match_empty():
            raise RulesError(f"{source}: the regular expression '{value}' in {what} matches empty text")
        return pattern

    def phrase(self, text: str, inflect: bool, max_gap: int, label: str | None, source: str, what: str) -> Term:
        try:
            pattern = phrase_pattern(text, inflect, max_gap)
        except PatternError as problem:
            raise RulesError(f"{source}: the term '{text}' in {what} {problem}") from None
        return Term(label or text, pattern, "phrase", False, source, phrase_anchor(text))


def _has_letter_or_digit(text: str) -> bool:
    return any(char.isalnum() for char in text)


def naming_sets_notice(codebook: Codebook | None) -> str:
    """Return the one-line Markdown notice for a codebook without naming sets (else an empty string)."""
    if codebook is None or codebook.naming_sets:
        return ""
    return ("*The codebook has no naming sets, so no naming choice is counted: add a `naming_sets:` entry listing "
            "alternative labels for one referent (see `docs/framing.md`).*")
