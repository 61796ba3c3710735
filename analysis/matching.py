"""Phrase matching on the text model's matching form, with offsets back into the original text.

A phrase such as ``Kim Jong Un`` or ``banned … missiles`` becomes a regular
expression over the *matching form* of a text (straight quotes, hyphens read as
spaces, white space collapsed), matched without regard to case except for
acronyms.
Matches are reported as character spans of the original text, so that a
concordance can show the words exactly as printed.

Phrase syntax:

* words are matched whole and in order: ``victory day`` matches "Victory Day",
  "VICTORY DAY" and "victory-day";
* with ``inflect=True`` each word also matches its plural and possessive
  ("missile" matches "missiles", "missile's", "missiles'");
* ``…`` or ``...`` between words allows up to ``max_gap`` other words there
  ("banned … missiles" matches "banned ballistic missiles"), as few as possible;
* an acronym of two to six capitals matches only in capitals ("US" is not "us").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from analysis.text import normalize_for_display

GAP_MARKERS = ("…", "...")
_INFLECTION = r"(?:s|es|'s|s')?"
_ACRONYM = re.compile(r"^[A-Z]{2,6}$")


def matching_form(text: str) -> tuple[str, list[int]]:
    """Return the matching form of ``text`` and, for each of its characters, the index in ``text``.

    The matching form keeps case (patterns decide where case matters), straightens
    quotes and apostrophes, reads hyphens and dashes as spaces and collapses white
    space, character by character, so that spans found in it map back to the
    original.
    """
    characters: list[str] = []
    offsets: list[int] = []
    plain = normalize_for_display(text)  # same length: one character for one character
    previous_space = True
    for index, char in enumerate(plain):
        if char == "-" or char.isspace():
            if previous_space:
                continue
            previous_space = True
            char = " "
        else:
            previous_space = False
        characters.append(char)
        offsets.append(index)
    if characters and characters[-1] == " ":
        characters.pop()
        offsets.pop()
    return "".join(characters), offsets


@dataclass(frozen=True)
class Phrase:
    """A compiled phrase: find it in any text with :meth:`find`."""

    phrase: str
    pattern: re.Pattern

    def find(self, text: str, form: tuple[str, list[int]] | None = None) -> list[tuple[int, int]]:
        """Return the (start, end) spans of ``text`` where the phrase occurs.

        Pass ``form`` (from :func:`matching_form`) to reuse it across many phrases.
        """
        return find_spans(self.pattern, text, form)


@lru_cache(maxsize=8192)
def compile_phrase(phrase: str, inflect: bool = True, max_gap: int = 3) -> Phrase:
    """Return the compiled :class:`Phrase` (see the module notes for the syntax).

    Words are matched ignoring case, except acronyms of two to six capitals
    ("US", "UN", "KCNA"), which must match in capitals so that "US" is not "us".
    Raises ValueError for a phrase with no words.
    """
    text = phrase
    for marker in GAP_MARKERS:
        text = text.replace(marker, " \x00 ")
    form, _ = matching_form(text)
    pieces: list[str] = []
    pending_gap = False
    for word in form.split(" "):
        if word == "\x00":
            pending_gap = True
            continue
        if pieces:
            pieces.append(rf"(?:\s+\S+){{0,{max_gap}}}?\s+" if pending_gap else r"\s+")
        pending_gap = False
        suffix = _INFLECTION if inflect and word[-1:].isalpha() else ""
        if _ACRONYM.match(word):
            pieces.append(re.escape(word) + suffix)
        else:
            pieces.append(f"(?i:{re.escape(word)}{suffix})")
    if not pieces:
        raise ValueError(f"phrase {phrase!r} has no words")
    # Not inside a word, and not after a letter's apostrophe ("we've"); an opening quote ('Victory Day') is fine.
    return Phrase(phrase, re.compile(r"(?<!\w)(?<!\w')" + "".join(pieces) + r"(?!\w)"))


def find_spans(pattern: re.Pattern, text: str, form: tuple[str, list[int]] | None = None) -> list[tuple[int, int]]:
    """Return the (start, end) spans in ``text`` where ``pattern`` matches its matching form."""
    normalized, offsets = form if form is not None else matching_form(text)
    spans = []
    for match in pattern.finditer(normalized):
        if match.end() == match.start():
            continue
        spans.append((offsets[match.start()], offsets[match.end() - 1] + 1))
    return spans
