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
  ("missile" matches "missiles", "missile's", "missiles'") and its regular
  verb forms (:func:`word_forms`: "collapse" matches "collapsed", "collapsing";
  "ban" matches "banned", "banning"; "deny" matches "denied", "denies"), except
  acronyms, function words (the default stop-word list) and words with a digit
  or apostrophe, which keep only plural and possessive;
* ``*`` at the end of a word matches any letters or digits there (a prefix:
  ``collaps*`` matches "collapse", "collapsed", "collapsing"); a ``*`` anywhere
  else, or a word that is only ``*``, is refused with a :class:`PatternError`;
* ``…`` or ``...`` between words allows up to ``max_gap`` other words there
  ("banned … missiles" matches "banned ballistic missiles"), as few as possible;
* an acronym matches only in capitals ("US" is not "us"), as the text model decides
  (:func:`analysis.text.keeps_capitals`); "BOSTON" in a phrase matches "Boston".

Every pattern that comes from a user's file (phrases, codebook ``regex`` terms,
cleaning-rule patterns) runs on Google's RE2 engine (:func:`compile_user_regex`,
:func:`compile_phrase`), whose time is linear in the length of the text whatever
the pattern, so that no pattern can hang a run. RE2 has no lookaround and no
backreferences; such a pattern is refused with a :class:`PatternError` that says
which syntax is not supported.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import re2

from analysis.text import keeps_capitals, normalize_for_display

GAP_MARKERS = ("…", "...")
WILDCARD = "*"
_INFLECTION = r"(?:s|es|'s|s')?"
_WORD_CHARS = r"[\pL\pN_]*"
_VOWELS = frozenset("aeiou")
_STOPWORDS_FILE = Path(__file__).resolve().parent / "data" / "stopwords.txt"

MAX_REGEX_CHARS = 1000
MAX_REGEX_DEPTH = 50
# RE2 compiles a repeat by copying it: the shipped breadcrumb rule, "[\w &'’-]{1,40}" five times over
# with Unicode letters, is 270,000 instructions and compiles in 0.3 s. Compile time and memory (about
# 150 bytes an instruction) grow with the size, so one pattern and all the patterns of one file are
# capped; the shipped cleaning rules use 293,000 instructions, the codebook's regexes 4,000.
MAX_PROGRAM_SIZE = 300_000
MAX_FILE_PROGRAM_SIZE = 1_000_000
MAX_PHRASE_CHARS = 500
MAX_PHRASE_WORDS = 40
MAX_PHRASE_GAPS = 8


class PatternError(ValueError):
    """A user's pattern that cannot be compiled or can never match; the message says why, without a file."""


class BudgetExceeded(PatternError):
    """The patterns of one file are too large together (see :class:`ProgramBudget`)."""


class ProgramBudget:
    """The RE2 program size still allowed for the patterns of one file (see :data:`MAX_FILE_PROGRAM_SIZE`)."""

    def __init__(self, limit: int = MAX_FILE_PROGRAM_SIZE):
        self.limit = limit
        self.used = 0

    def spend(self, size: int) -> None:
        """Count a compiled pattern of ``size`` instructions; raises PatternError past the limit."""
        self.used += size
        if self.used > self.limit:
            raise BudgetExceeded(f"the regular expressions of this file add up to more than {self.limit:,} RE2 "
                                 "instructions; use fewer or simpler ones, or split the file")


def matching_form(text: str) -> tuple[str, list[int]]:
    """Return the matching form of ``text`` and, for each of its characters, the index in ``text``.

    The matching form keeps case (patterns decide where case matters), straightens
    quotes and apostrophes, reads hyphens and dashes as spaces and collapses white
    space, character by character, so that spans found in it map back to the
    original: each run of hyphens and white space becomes one space at the run's
    first character, except at the start and the end, where it goes.
    """
    plain = normalize_for_display(text)  # same length: one character for one character
    if ("-" not in plain and "  " not in plain and plain[:1] != " " and plain[-1:] != " "
            and _OTHER_SPACE.search(plain) is None):  # most sentences: nothing to collapse
        return plain, list(range(len(plain)))
    pieces: list[str] = []
    offsets: list[int] = []
    kept_from = 0
    for run in _SEPARATOR_RUN.finditer(plain):
        start, end = run.span()
        if start > kept_from:
            pieces.append(plain[kept_from:start])
            offsets.extend(range(kept_from, start))
        if offsets and end < len(plain):
            pieces.append(" ")
            offsets.append(start)
        kept_from = end
    if kept_from < len(plain):
        pieces.append(plain[kept_from:])
        offsets.extend(range(kept_from, len(plain)))
    return "".join(pieces), offsets


# A run of hyphens and white space (Python's \s is str.isspace: tests/test_matching.py checks every code point).
_SEPARATOR_RUN = re.compile(r"[-\s]+")
# White space other than the space.
_OTHER_SPACE = re.compile(r"[^\S ]")


# --- RE2 with Python's offsets -----------------------------------------------------------------------------------


class _EncodedText:
    """A text's UTF-8 bytes with a sparse index between character and byte offsets.

    RE2 works on bytes; encoding the text once and converting only the offsets of
    each match keeps repeated searches of one long text linear in its length.
    """

    BLOCK = 256

    def __init__(self, text: str):
        self.text = text
        self.data = text.encode("utf-8", "surrogatepass")
        self.is_ascii = len(self.data) == len(text)
        self.block_starts: list[int] = []
        if not self.is_ascii:
            total = 0
            for start in range(0, max(len(text), 1), self.BLOCK):
                self.block_starts.append(total)
                total += len(text[start:start + self.BLOCK].encode("utf-8", "surrogatepass"))

    def byte_offset(self, index: int) -> int:
        """Return the byte offset of character ``index``."""
        if self.is_ascii:
            return index
        block = index // self.BLOCK
        start = block * self.BLOCK
        return self.block_starts[block] + len(self.text[start:index].encode("utf-8", "surrogatepass"))

    def char_offset(self, offset: int) -> int:
        """Return the character index of byte ``offset`` (a character boundary)."""
        if self.is_ascii:
            return offset
        block = bisect_right(self.block_starts, offset) - 1
        return block * self.BLOCK + len(self.data[self.block_starts[block]:offset].decode("utf-8", "surrogatepass"))


_ENCODED: list[_EncodedText] = []


def _encoded(text: str) -> _EncodedText:
    for known in _ENCODED:
        if known.text is text:
            return known
    encoded = _EncodedText(text)
    _ENCODED.insert(0, encoded)
    del _ENCODED[4:]
    # A long text stays only while it is the newest: kept after its searches, one
    # 50 MB line held 150 MB (its text and bytes) for the rest of the run.
    while len(_ENCODED) > 1 and sum(len(known.text) for known in _ENCODED) > _ENCODED_MAX_CHARS:
        _ENCODED.pop()
    return encoded


_ENCODED_MAX_CHARS = 4_000_000


class Match:
    """A match of a :class:`UserRegex` or :class:`PhrasePattern`: character spans like :class:`re.Match`."""

    __slots__ = ("string", "_spans", "_names")

    def __init__(self, string: str, spans: list[tuple[int, int]], names: dict[str, int]):
        self.string = string
        self._spans = spans
        self._names = names

    def span(self, group: int | str = 0) -> tuple[int, int]:
        """Return ``(start, end)`` of ``group`` (``(-1, -1)`` when it did not take part)."""
        return self._spans[self._names[group] if isinstance(group, str) else group]

    def start(self, group: int | str = 0) -> int:
        """Return the start of ``group``."""
        return self.span(group)[0]

    def end(self, group: int | str = 0) -> int:
        """Return the end of ``group``."""
        return self.span(group)[1]

    def group(self, group: int | str = 0) -> str | None:
        """Return the text of ``group``, None when it did not take part."""
        start, end = self.span(group)
        return None if start < 0 else self.string[start:end]

    def __repr__(self) -> str:
        return f"<Match span={self.span()} match={self.group()!r}>"


def _run(regexp, how: str, text: str, pos: int, endpos: int | None) -> list[tuple[int, int]] | None:
    """Return the character spans of every group of ``regexp``'s ``how`` (search, match, fullmatch), or None."""
    length = len(text)
    pos = max(0, min(pos, length))
    endpos = length if endpos is None else max(0, min(endpos, length))
    if pos > endpos:
        return None
    encoded = _encoded(text)
    shift = 0
    data = encoded.data
    start = encoded.byte_offset(pos)
    if endpos < length:
        # RE2 sees the whole buffer as context, so "$" and "\z" would not match at endpos: search a
        # slice, keeping one character before pos so that "\b" still sees it.
        shift = encoded.byte_offset(max(pos - 1, 0))
        data = data[shift:encoded.byte_offset(endpos)]
        start -= shift
    found = getattr(regexp, how)(data, start)
    if found is None:
        return None
    spans = []
    for group in range(regexp.groups + 1):
        begin, end = found.span(group)
        spans.append((-1, -1) if begin < 0 else (encoded.char_offset(begin + shift), encoded.char_offset(end + shift)))
    return spans


_RE2_MESSAGES = (
    ("invalid perl operator: (?=", "lookahead (?=…) is not supported (RE2 syntax)"),
    ("invalid perl operator: (?!", "negative lookahead (?!…) is not supported (RE2 syntax)"),
    ("invalid perl operator: (?<=", "lookbehind (?<=…) is not supported (RE2 syntax)"),
    ("invalid perl operator: (?<!", "negative lookbehind (?<!…) is not supported (RE2 syntax)"),
    ("invalid perl operator: (?P=", "backreferences (?P=name) are not supported (RE2 syntax)"),
    ("invalid perl operator: (?>", "atomic groups (?>…) are not supported (RE2 syntax)"),
    ("invalid perl operator: (?#", "comments (?#…) are not supported (RE2 syntax)"),
    ("invalid perl operator: (?(", "conditionals (?(…)…) are not supported (RE2 syntax)"),
    ("missing )", "missing ), unterminated subpattern"),
    ("unexpected )", "unbalanced parenthesis"),
    ("missing ]", "missing ], unterminated character set"),
    ("invalid repetition size", "a repeat count must be at most 1000 and in order, as in {2,5}"),
    ("bad repetition operator", "a repeat operator (*, +, ?) follows nothing it can repeat"),
    ("pattern too large", "the regular expression is too large; split it into several"),
    ("expression nests too deeply", f"groups are nested too deeply (at most {MAX_REGEX_DEPTH} levels)"),
)


def _re2_reason(error: Exception) -> str:
    """Return RE2's complaint about a pattern in words a codebook author can act on."""
    text = error.args[0] if error.args else str(error)
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    if re.match(r"invalid escape sequence: \\[1-9]", text):
        return "backreferences (\\1) are not supported (RE2 syntax)"
    for start, reason in _RE2_MESSAGES:
        if text.startswith(start):
            return reason
    return f"{text} (RE2 syntax)"


# Python's \w, \d and \s for text are Unicode classes; RE2's are ASCII. Patterns are written for
# Python's meaning ("By José" is a byline), so these escapes are rewritten to RE2's Unicode classes.
_SPACE = r"\t-\r\x{1c}-\x{20}\x{85}\p{Z}"
_OUTSIDE_CLASS = {"w": r"[\pL\pN_]", "W": r"[^\pL\pN_]", "d": r"\p{Nd}", "D": r"\P{Nd}",
                  "s": f"[{_SPACE}]", "S": f"[^{_SPACE}]", "Z": r"\z"}
_INSIDE_CLASS = {"w": r"\pL\pN_", "d": r"\p{Nd}", "D": r"\P{Nd}", "s": _SPACE}


def _unicode_classes(pattern: str) -> tuple[str, int]:
    """Return ``pattern`` with Python's Unicode \\w, \\d, \\s spelled for RE2, and its deepest group nesting."""
    result: list[str] = []
    depth = deepest = 0
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            table = _INSIDE_CLASS if in_class else _OUTSIDE_CLASS
            if escaped == "Q":  # \Q…\E is literal text
                end = pattern.find("\\E", index + 2)
                end = len(pattern) if end < 0 else end + 2
                result.append(pattern[index:end])
                index = end
                continue
            result.append(table.get(escaped, char + escaped))
            index += 2
            continue
        if in_class:
            if char == "[" and pattern.startswith("[:", index):
                end = pattern.find(":]", index + 2)
                if end > 0:
                    result.append(pattern[index:end + 2])
                    index = end + 2
                    continue
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            result.append(char)
            index += 1
            for literal in ("^", "]"):  # a "]" first in a class is a literal
                if pattern.startswith(literal, index):
                    result.append(literal)
                    index += 1
            continue
        elif char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
        result.append(char)
        index += 1
    return "".join(result), deepest


def _compile_re2(pattern: str, ignore_case: bool = False):
    """Return the RE2 program for ``pattern``; raises PatternError saying what is wrong with it."""
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = not ignore_case
    try:
        regexp = re2.compile(pattern, options)
    except re2.error as error:
        raise PatternError(_re2_reason(error)) from None
    if regexp.programsize > MAX_PROGRAM_SIZE:
        raise PatternError(f"the regular expression is too large ({regexp.programsize:,} RE2 instructions, "
                           f"at most {MAX_PROGRAM_SIZE:,}); split it into several")
    return regexp


class UserRegex:
    """A user's regular expression on RE2, used like a compiled :mod:`re` pattern.

    ``search``, ``match``, ``fullmatch`` and ``finditer`` take ``pos`` and ``endpos``
    and report character offsets as :mod:`re` does. With ``not_followed_by`` (a
    regular expression), a match that is immediately followed by it is skipped:
    RE2 has no lookahead.
    """

    def __init__(self, pattern: str, ignore_case: bool = False, not_followed_by: str | None = None,
                 budget: ProgramBudget | None = None):
        self.pattern = pattern
        self.ignore_case = ignore_case
        self.not_followed_by = not_followed_by
        if len(pattern) > MAX_REGEX_CHARS:
            raise PatternError(f"the regular expression is {len(pattern):,} characters long, "
                               f"more than the {MAX_REGEX_CHARS:,} allowed")
        translated, depth = _unicode_classes(pattern)
        if depth > MAX_REGEX_DEPTH:
            raise PatternError(f"groups are nested {depth} levels deep (at most {MAX_REGEX_DEPTH})")
        self._regexp = _compile_re2(translated, ignore_case)
        self._follow = UserRegex(not_followed_by, ignore_case, budget=budget) if not_followed_by else None
        if budget is not None:
            budget.spend(self._regexp.programsize)
        self.groupindex = dict(self._regexp.groupindex)
        self.groups = self._regexp.groups

    def __repr__(self) -> str:
        return f"UserRegex({self.pattern!r})"

    @property
    def program(self):
        """Return the compiled RE2 program; it is called on UTF-8 bytes and ignores ``not_followed_by``."""
        return self._regexp

    def _found(self, spans, text: str) -> Match | None:
        return None if spans is None else Match(text, spans, self.groupindex)

    def _followed(self, text: str, end: int, endpos: int | None) -> bool:
        return self._follow is not None and self._follow.match(text, end, endpos) is not None

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> Match | None:
        """Return the first match at or after ``pos``, or None."""
        while True:
            found = self._found(_run(self._regexp, "search", text, pos, endpos), text)
            if found is None or not self._followed(text, found.end(), endpos):
                return found
            pos = found.start() + 1

    def match(self, text: str, pos: int = 0, endpos: int | None = None) -> Match | None:
        """Return the match that starts at ``pos``, or None."""
        found = self._found(_run(self._regexp, "match", text, pos, endpos), text)
        return None if found is None or self._followed(text, found.end(), endpos) else found

    def fullmatch(self, text: str, pos: int = 0, endpos: int | None = None) -> Match | None:
        """Return the match of all of ``text[pos:endpos]``, or None."""
        found = self._found(_run(self._regexp, "fullmatch", text, pos, endpos), text)
        return None if found is None or self._followed(text, found.end(), endpos) else found

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None):
        """Yield the matches from left to right, without overlaps."""
        while pos <= len(text):
            found = self.search(text, pos, endpos)
            if found is None:
                return
            yield found
            pos = found.end() if found.end() > found.start() else found.end() + 1

    def can_match_empty(self) -> bool:
        """Return whether the pattern matches empty text somewhere in a few short probes."""
        for probe in ("", "a", " a ", "a.a", "\n", "1"):
            if any(found.end() == found.start() for found in self.finditer(probe)):
                return True
        return False


def compile_user_regex(pattern: str, ignore_case: bool = False, not_followed_by: str | None = None,
                       budget: ProgramBudget | None = None) -> UserRegex:
    """Return ``pattern`` compiled for RE2 (see :class:`UserRegex`), its size counted in ``budget``.

    Raises PatternError for syntax RE2 does not support (lookaround,
    backreferences), an invalid pattern, one that is too long, too deep or too
    large, or one that takes ``budget`` past its limit.
    """
    return UserRegex(pattern, ignore_case, not_followed_by, budget)


# --- phrases -------------------------------------------------------------------------------------------------------


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _word_starts_at(text: str, index: int) -> bool:
    """Return whether a phrase may start at ``index``: not inside a word, nor after a letter's apostrophe."""
    if index == 0:
        return True
    before = text[index - 1]
    if _is_word_char(before):
        return False
    return not (before == "'" and index >= 2 and _is_word_char(text[index - 2]))


class PhrasePattern:
    """One or more compiled phrases (alternatives, first listed first), used like a compiled :mod:`re` pattern.

    The phrase must start where a word starts (checked here: RE2 has no
    lookbehind) and end where a word ends (in the RE2 program). The program is
    compiled when first used: RE2 takes about 2 ms for the Unicode class at the
    end, and a codebook is often read only to be checked.
    """

    def __init__(self, bodies: list[str]):
        self.pattern = "(" + "|".join(f"(?:{body})" for body in bodies) + r")(?:[^\pL\pN_]|\z)"
        self._program = None

    @property
    def _regexp(self):
        if self._program is None:
            self._program = _compile_re2(self.pattern)
        return self._program

    def __repr__(self) -> str:
        return f"PhrasePattern({self.pattern!r})"

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> Match | None:
        """Return the first match at or after ``pos``, or None."""
        while True:
            spans = _run(self._regexp, "search", text, pos, endpos)
            if spans is None:
                return None
            if _word_starts_at(text, spans[1][0]):
                return Match(text, [spans[1]], {})
            pos = spans[1][0] + 1

    def match(self, text: str, pos: int = 0, endpos: int | None = None) -> Match | None:
        """Return the match that starts at ``pos``, or None."""
        if not _word_starts_at(text, pos):
            return None
        spans = _run(self._regexp, "match", text, pos, endpos)
        return None if spans is None else Match(text, [spans[1]], {})

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None):
        """Yield the matches from left to right, without overlaps."""
        while True:
            found = self.search(text, pos, endpos)
            if found is None:
                return
            yield found
            pos = found.end()


def _escape(word: str) -> str:
    """Return ``word`` as an RE2 literal."""
    pieces = []
    for char in word:
        if char.isascii() and not char.isalnum():
            pieces.append(f"\\x{{{ord(char):02x}}}" if not char.isprintable() else "\\" + char)
        else:
            pieces.append(char)
    return "".join(pieces)


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    """Return the words of the default stop-word list: function words, which take no verb forms."""
    lines = _STOPWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def word_forms(word: str) -> list[str]:
    """Return the regular inflections of ``word`` beyond plural and possessive: its -ed/-d/-ing/-ied/-ies forms.

    "collapse" → collapsed, collapsing (the e is dropped before -ing; "agree" →
    agreed, agreeing keeps it, "tie" → tied, tying); "deny" → denied, denies,
    denying; "ban" → banned, banning and baned, baning (a final consonant after a
    single vowel may double: "stop" → stopped, "visit" → visited); any other word
    → -ed, -ing. Returns [] for a word that takes none: not all letters (a digit,
    an apostrophe), an acronym, or a function word ("the" is not "thing").
    """
    lower = word.lower()
    if not word.isalpha() or keeps_capitals(word) or lower in _function_words():
        return []
    if lower.endswith("e"):
        if lower.endswith(("ee", "oe", "ye")):
            return [word + "d", word + "ing"]
        if lower.endswith("ie"):
            return [word + "d", word[:-2] + "ying"]
        return [word + "d", word[:-1] + "ing"]
    if len(lower) > 1 and lower.endswith("y") and lower[-2] not in _VOWELS:
        return [word[:-1] + "ied", word[:-1] + "ies", word + "ing"]
    forms = [word + "ed", word + "ing"]
    if (len(lower) >= 3 and lower[-1] not in _VOWELS and lower[-1] not in "wxy"
            and lower[-2] in _VOWELS and lower[-3] not in _VOWELS):
        forms += [word + word[-1] + "ed", word + word[-1] + "ing"]
    return forms


def _word_body(word: str, inflect: bool) -> str:
    """Return the RE2 source of one word of a phrase: a prefix for ``word*``, else the word and its forms."""
    if WILDCARD in word:
        stem = word[:-1] if word.endswith(WILDCARD) else ""
        if not word.strip(WILDCARD):
            raise PatternError(f"has a bare '{WILDCARD}': a wildcard stands at the end of a word (collaps*)")
        if WILDCARD in stem or not stem:
            raise PatternError(f"has '{WILDCARD}' inside or before a word ('{word}'); only a '{WILDCARD}' at the "
                               "end of a word is supported (collaps* finds collapse, collapsed, collapsing)")
        if not any(char.isalnum() for char in stem):
            raise PatternError(f"has a wildcard after no letter or digit ('{word}')")
        body = _escape(stem) + _WORD_CHARS
        return body if keeps_capitals(stem) else f"(?i:{body})"
    suffix = _INFLECTION if inflect and word[-1:].isalpha() else ""
    if keeps_capitals(word):
        return _escape(word) + suffix
    forms = word_forms(word) if inflect else []
    alternatives = "".join(f"|{_escape(form)}" for form in forms)
    return f"(?i:{_escape(word)}{suffix}{alternatives})"


def _phrase_body(phrase: str, inflect: bool, max_gap: int) -> str:
    """Return the RE2 source of ``phrase`` without its word boundaries; raises PatternError (see compile_phrase)."""
    if not any(char.isalnum() for char in phrase):
        if WILDCARD in phrase:
            raise PatternError(f"has a bare '{WILDCARD}': a wildcard stands at the end of a word (collaps*)")
        raise PatternError("has no words" if not phrase.strip(" .…") else "has no letter or digit")
    if len(phrase) > MAX_PHRASE_CHARS:
        raise PatternError(f"is {len(phrase):,} characters long, more than the {MAX_PHRASE_CHARS} a phrase may have")
    text = phrase
    for marker in GAP_MARKERS:
        text = text.replace(marker, " \x00 ")
    form, _ = matching_form(text)
    pieces: list[str] = []
    words = gaps = 0
    pending_gap = False
    for word in form.split(" "):
        if word == "\x00":
            pending_gap = True
            continue
        if not word:
            continue
        if pieces:
            gaps += pending_gap
            pieces.append(rf"(?:\s+\S+){{0,{max_gap}}}?\s+" if pending_gap else r"\s+")
        pending_gap = False
        words += 1
        pieces.append(_word_body(word, inflect))
    if not pieces:
        raise PatternError("has no words")
    if words > MAX_PHRASE_WORDS:
        raise PatternError(f"has {words} words, more than the {MAX_PHRASE_WORDS} a phrase may have")
    if gaps > MAX_PHRASE_GAPS:
        raise PatternError(f"has {gaps} gaps ('…'), more than the {MAX_PHRASE_GAPS} a phrase may have")
    return "".join(pieces)


@dataclass(frozen=True)
class Phrase:
    """A compiled phrase: find it in any text with :meth:`find`."""

    phrase: str
    pattern: PhrasePattern

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
    Raises PatternError (a ValueError) for a phrase with no words, no letter or
    digit, more than :data:`MAX_PHRASE_WORDS` words or :data:`MAX_PHRASE_GAPS` gaps.
    """
    return Phrase(phrase, PhrasePattern([_phrase_body(phrase, inflect, max_gap)]))


def compile_phrases(phrases: list[str] | tuple[str, ...], inflect: bool = True, max_gap: int = 3) -> PhrasePattern:
    """Return one pattern that finds any of ``phrases``, the first listed where two start at one place.

    Raises PatternError as :func:`compile_phrase` does.
    """
    return PhrasePattern([_phrase_body(phrase, inflect, max_gap) for phrase in phrases])


def find_spans(pattern, text: str, form: tuple[str, list[int]] | None = None) -> list[tuple[int, int]]:
    """Return the (start, end) spans in ``text`` where ``pattern`` matches its matching form."""
    normalized, offsets = form if form is not None else matching_form(text)
    spans = []
    for match in pattern.finditer(normalized):
        if match.end() == match.start():
            continue
        spans.append((offsets[match.start()], offsets[match.end() - 1] + 1))
    return spans
