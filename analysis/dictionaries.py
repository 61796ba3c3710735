"""Dictionaries from other tools, read into a :class:`~analysis.codebook.Codebook`: one frame per category.

Steps, in order: :func:`read_liwc_dictionary` reads a LIWC ``.dic`` file (a
header of numbered categories between ``%`` lines, then one entry a line with its
category numbers); :func:`read_quanteda_dictionary` reads a quanteda YAML
dictionary (category name → list of patterns, nested categories flattened to
``parent.child`` as quanteda's ``dictionary_flatten`` names them).
:func:`analysis.codebook.read_codebook` chooses between them and the project's
own format. ``docs/codebook-import.md`` says what maps to what.

Each entry becomes a phrase term of :mod:`analysis.matching`: words separated by
spaces are a multi-word phrase, a ``*`` at the end of a word is a prefix
(``collaps*``), and a plain word also matches its plural, possessive and regular
verb forms. What the phrase model cannot match as its author meant is refused
with one line naming the file and line, never counted as zero: ``*`` or ``?``
elsewhere in a word, a bare ``*``, regular-expression syntax, LIWC2015
conditional entries (``like (02 134)53``), empty entries and category numbers
missing from the header.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from analysis.codebook import MAX_TERMS, Codebook, Frame, Term, node_lines, phrase_anchor, phrase_pattern
from analysis.errors import RulesError
from analysis.files import read_input_bytes
from analysis.matching import WILDCARD, PatternError
from analysis.yamlfile import MAX_BYTES, read_yaml_nodes

LIWC_HEADER_MARK = "%"
QUANTEDA_SEPARATOR = "."
# Characters that mean something in a regular expression (or a quanteda "regex" dictionary) but not in a
# phrase: read as letters they would match nothing anyone wrote, so they are refused.
_REGEX_CHARACTERS = frozenset("[](){}|\\^$+")
_CATEGORY_NUMBER = re.compile(r"\d+")
# LIWC2015's conditional categories, as in "like  02 134 (02 134)53 253": "(numbers)number", "131/130".
_CONDITIONAL = re.compile(r"\(\s*\d[\d\s]*\)\s*\d|\s\d+/\d+(\s|$)")


def read_liwc_dictionary(path: Path | str) -> Codebook:
    """Return the LIWC ``.dic`` dictionary at ``path`` as a codebook: one frame per category, in header order.

    Raises RulesError naming the file and line for a missing or unclosed ``%``
    header, a header line that is not ``number name``, a repeated category number
    or name, an entry without category numbers or with a number not in the
    header, LIWC2015 conditional entries, unsupported wildcards or regular
    expression syntax, duplicate entries in one category, a category with no
    entries and more than :data:`~analysis.codebook.MAX_TERMS` terms.
    """
    path = Path(path)
    lines = _text_lines(path)
    numbered = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    if not numbered or numbered[0][1].strip() != LIWC_HEADER_MARK:
        line = numbered[0][0] if numbered else 1
        raise RulesError(f"{path}:{line}: a LIWC dictionary starts with a line '%', then its numbered categories "
                         "and another '%'")
    names: dict[int, str] = {}
    header_lines: dict[int, int] = {}
    seen_names: dict[str, int] = {}
    position = 1
    while True:
        if position == len(numbered):
            raise RulesError(f"{path}:{numbered[0][0]}: the category header opened here is not closed by a line '%'")
        line_number, line = numbered[position]
        position += 1
        if line.strip() == LIWC_HEADER_MARK:
            break
        fields = line.split(None, 1)
        if len(fields) < 2 or not _CATEGORY_NUMBER.fullmatch(fields[0]):
            raise RulesError(f"{path}:{line_number}: a header line is a category number and a name "
                             f"('1<TAB>posemo'), found '{line.strip()}'")
        category, name = int(fields[0]), " ".join(fields[1].split())
        if category in names:
            raise RulesError(f"{path}:{line_number}: category number {category} given twice "
                             f"(first on line {header_lines[category]})")
        if name.casefold() in seen_names:
            raise RulesError(f"{path}:{line_number}: category name '{name}' given twice "
                             f"(first on line {seen_names[name.casefold()]})")
        names[category], header_lines[category], seen_names[name.casefold()] = name, line_number, line_number
    if not names:
        raise RulesError(f"{path}:{numbered[0][0]}: the header names no categories")
    builder = _TermBuilder(path)
    terms: dict[int, list[Term]] = {category: [] for category in names}
    for line_number, line in numbered[position:]:
        entry, categories = _liwc_entry(path, line_number, line)
        for category in categories:
            if category not in names:
                raise RulesError(f"{path}:{line_number}: category {category} of '{entry}' is not in the header")
            terms[category].append(builder.term(entry, line_number, f"category '{names[category]}'"))
    frames = []
    for category, name in names.items():
        if not terms[category]:
            raise RulesError(f"{path}:{header_lines[category]}: category '{name}' ({category}) has no entries")
        frames.append(Frame(name, f"LIWC category {category} of {path.name}", tuple(terms[category])))
    return Codebook(tuple(frames), (), str(path))


def _liwc_entry(path: Path, line_number: int, line: str) -> tuple[str, list[int]]:
    """Return the entry of a LIWC line and its category numbers (each once, in order)."""
    where = f"{path}:{line_number}"
    if _CONDITIONAL.search(line):
        raise RulesError(f"{where}: conditional entries ('{' '.join(line.split())}') are not supported; list the "
                         "entry under its categories, or write a regex term in a project codebook")
    if "\t" in line:
        entry, rest = line.split("\t", 1)
        fields = rest.split()
    else:  # entry and numbers separated by spaces: the numbers are the trailing run of digit fields
        fields = line.split()
        cut = len(fields)
        while cut > 0 and _CATEGORY_NUMBER.fullmatch(fields[cut - 1]):
            cut -= 1
        entry, fields = " ".join(fields[:cut]), fields[cut:]
    entry = " ".join(entry.split())
    if not entry:
        raise RulesError(f"{where}: empty entry (category numbers without a word)")
    if not fields:
        raise RulesError(f"{where}: the entry '{entry}' has no category numbers")
    categories: list[int] = []
    for field in fields:
        if not _CATEGORY_NUMBER.fullmatch(field):
            raise RulesError(f"{where}: '{field}' is not a category number (entry '{entry}')")
        if int(field) not in categories:
            categories.append(int(field))
    return entry, categories


def read_quanteda_dictionary(path: Path | str, data: Any = None, root: Any = None) -> Codebook:
    """Return the quanteda YAML dictionary at ``path`` as a codebook: one frame per (flattened) category.

    ``data`` and ``root`` are the parsed document and node tree when the caller
    has read the file already. Nested categories become ``parent.child``. Raises
    RulesError naming the file and line for a document that is not a mapping, a
    category with no patterns, a pattern that is not text, unsupported globs
    (``?``, ``*`` inside or before a word, a bare ``*``) or regular expression
    syntax, duplicate patterns or categories, and more than
    :data:`~analysis.codebook.MAX_TERMS` terms.
    """
    path = Path(path)
    if data is None:
        data, root = read_yaml_nodes(path)
    lines = node_lines(root)

    def at(where: tuple) -> int:
        return lines.get(where, 0)

    if not isinstance(data, dict) or not data:
        raise RulesError(f"{path}: a quanteda dictionary is a mapping of category names to lists of patterns")
    builder = _TermBuilder(path)
    frames: list[Frame] = []
    seen: dict[str, int] = {}

    def walk(mapping: dict, where: tuple) -> None:
        for key, value in mapping.items():
            key_at = where + (str(key),)  # node_lines keys are the text as written ("1", not 1)
            name = str(key).strip()
            if not name:
                raise RulesError(f"{path}:{at(key_at)}: a category needs a name")
            full = QUANTEDA_SEPARATOR.join(str(part) for part in key_at)
            if isinstance(value, dict):
                walk(value, key_at)
                continue
            if full.casefold() in seen:
                raise RulesError(f"{path}:{at(key_at)}: category '{full}' given twice (first on line "
                                 f"{seen[full.casefold()]})")
            seen[full.casefold()] = at(key_at)
            items = [value] if isinstance(value, (str, int, float)) and not isinstance(value, bool) else value
            if not isinstance(items, list) or not items:
                raise RulesError(f"{path}:{at(key_at)}: category '{full}' needs a non-empty list of patterns")
            what = f"category '{full}'"
            terms = []
            for index, item in enumerate(items):
                item_at = key_at if items is not value else key_at + (index,)
                if isinstance(item, (int, float)) and not isinstance(item, bool):
                    item = str(item)
                if not isinstance(item, str):
                    kind = "a mapping" if isinstance(item, dict) else "a list" if isinstance(item, list) else "empty"
                    raise RulesError(f"{path}:{at(item_at)}: a pattern of {what} must be text, found {kind} (a "
                                     "project codebook needs a top-level 'frames:')")
                terms.append(builder.term(item, at(item_at), what))
            frames.append(Frame(full, f"quanteda dictionary category '{full}' of {path.name}", tuple(terms)))

    walk(data, ())
    return Codebook(tuple(frames), (), str(path))


class _TermBuilder:
    """Turns dictionary entries into phrase terms, counting them and refusing duplicates within a category."""

    def __init__(self, path: Path):
        self.path = path
        self.count = 0
        self.seen: dict[tuple[str, str], int] = {}

    def term(self, entry: str, line: int, what: str) -> Term:
        """Return the phrase term of ``entry`` (from ``line``, in category ``what``); raises RulesError."""
        source = f"{self.path}:{line}" if line else str(self.path)
        text = " ".join(entry.split())
        if not text:
            raise RulesError(f"{source}: empty pattern in {what}")
        self.count += 1
        if self.count > MAX_TERMS:
            raise RulesError(f"{source}: more than {MAX_TERMS:,} terms (entries × categories) in the dictionary; "
                             "split it into several files")
        if "?" in text:
            raise RulesError(f"{source}: the glob '?' in '{text}' of {what} is not supported; only "
                             f"'{WILDCARD}' at the end of a word (a prefix)")
        regex_characters = sorted(set(text) & _REGEX_CHARACTERS)
        if regex_characters:
            raise RulesError(f"{source}: '{text}' in {what} uses regular expression syntax: "
                             f"{' '.join(regex_characters)}; not supported, only '{WILDCARD}' at the end of a word "
                             "(a prefix)")
        key = (what, text.casefold())
        if key in self.seen:
            raise RulesError(f"{source}: duplicate entry '{text}' in {what} (first on line {self.seen[key]})")
        self.seen[key] = line
        try:
            pattern = phrase_pattern(text)
        except PatternError as problem:
            raise RulesError(f"{source}: the entry '{text}' in {what} {problem}") from None
        return Term(text, pattern, "phrase", False, source, phrase_anchor(text))


def _text_lines(path: Path) -> list[str]:
    """Return the lines of the UTF-8 text file at ``path`` (a byte-order mark is dropped); raises RulesError."""
    data = read_input_bytes(path, "dictionary", MAX_BYTES, error=RulesError)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        line = data[: problem.start].count(b"\n") + 1
        raise RulesError(f"{path}:{line}: not UTF-8 text (byte {problem.start}); save the file as UTF-8") from None
    return text.splitlines()


def looks_like_liwc(path: Path | str) -> bool:
    """Return whether the file at ``path`` is a LIWC dictionary: a ``.dic`` name, or a first line ``%``."""
    path = Path(path)
    if path.suffix.lower() == ".dic":
        return True
    data = read_input_bytes(path, "file", MAX_BYTES, error=RulesError)
    first = next((line for line in data.decode("utf-8-sig", "replace").splitlines() if line.strip()), "")
    return first.strip() == LIWC_HEADER_MARK
