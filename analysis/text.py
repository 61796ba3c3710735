"""The one text model: decoding, normalisation, sentence segmentation and tokens.

Every analysis reads text through these functions, so that a word counted in the
vocabulary step is the same word found by the framing step and scored by the tone
step.

Decisions a reader should know (README, "The text model"):

* Text is NFC-normalised, line endings become ``\\n``, a UTF-8 byte-order mark is
  dropped and no-break spaces become plain spaces. Nothing else in the wording changes.
* Sentences come from ``sentencex`` (rule-based, maintained; it keeps "Mr Shoigu",
  "U.S." and "Dec. 19" whole). A quotation that holds two sentences stays one
  sentence, so that the speaker tag after it ("…," he said.) is not orphaned. A
  piece with no letter or digit (a stray closing quote) joins the sentence before.
  Paragraphs are split separately: no sentence crosses a line break.
* Tokens: hyphenated words stay whole ("Jong-un", "nuclear-capable"); dotted
  abbreviations stay whole ("U.S."); a possessive or contracted ``'s`` is split off
  as its own token of kind ``clitic`` ("Korea's" → "Korea" + "'s"); other
  contractions stay whole ("We've"). Words and numbers count as words; clitics and
  punctuation do not.
* Normalised form (``norm``): lower case, except all-capital acronyms of two to six
  letters ("US", "KCNA", "DPRK") which keep their case so that "US" is not the
  pronoun "us"; curly quotes and apostrophes become straight; every hyphen or dash
  inside a word becomes "-".
* Matching key (:func:`match_key`): ``norm`` with hyphens read as spaces, so that
  "Kim Jong Un" and "Kim Jong-un" match each other.
"""

from __future__ import annotations

import codecs
import itertools
import re
import unicodedata
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sentencex import segment

from analysis.errors import CorpusError, EncodingFallbackWarning, InvalidBytesWarning
from analysis.files import MAX_TEXT_FILE_BYTES, read_input_bytes

LANGUAGE = "en"

# Legacy single-byte encodings tried, in order, when a text is not UTF-8.
FALLBACK_ENCODINGS = ("cp1252", "latin-1")

_QUOTE_TABLE = str.maketrans(
    {
        "\u2018": "'",  # ‘
        "\u2019": "'",  # ’
        "\u201a": "'",  # ‚
        "\u201b": "'",  # ‛
        "\u2032": "'",  # ′
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u201e": '"',  # „
        "\u201f": '"',  # ‟
        "\u00ab": '"',  # «
        "\u00bb": '"',  # »
        "\u2033": '"',  # ″
    }
)
_HYPHENS = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad-"
_HYPHEN_TABLE = str.maketrans({char: "-" for char in _HYPHENS})

_APOSTROPHES = "'\u2019"
_TOKEN_PATTERN = re.compile(
    rf"""
    (?P<abbrev>(?:[^\W\d_]\.){{2,}})                            # U.S.  U.N.
  | (?P<number>\d+(?:[.,:]\d+)*(?![\w]))                        # 2023  7:56  1,000
  | (?P<word>\w+(?:[{_HYPHENS}]\w+)*(?:[{_APOSTROPHES}]\w+)*)  # Jong-un  We've  70th
  | (?P<punct>[^\w\s])
    """,
    re.VERBOSE,
)
# The same alternatives without punctuation: what count_words counts.
_WORD_PATTERN = re.compile(_TOKEN_PATTERN.pattern.rsplit("| (?P<punct>", 1)[0], re.VERBOSE)
_CLITIC = re.compile(rf"^(?P<stem>.+?)(?P<clitic>[{_APOSTROPHES}][sS])$")
_ACRONYM = re.compile(r"^[A-Z]{2,6}(?:-\w+)?$")

TOKEN_KINDS = ("word", "number", "clitic", "punct")
WORD_KINDS = ("word", "number")


@dataclass(frozen=True)
class Token:
    """One token: its text as written, its normalised form and its kind."""

    text: str
    norm: str
    kind: str


def decode_bytes(data: bytes, source: str) -> str:
    """Return ``data`` decoded as UTF-8 (bad bytes replaced), or with a legacy fallback.

    Text that is almost all UTF-8 (it holds valid multi-byte sequences, at least as
    many as bytes that are not UTF-8) is decoded as UTF-8 with each bad byte
    replaced by U+FFFD, and a warning gives the count and the byte offsets of the
    first bad bytes. Text that is not UTF-8 at all (bytes above 0x7F but no valid
    multi-byte sequence) is decoded as Windows-1252, or Latin-1, with a warning.
    ``source`` names the text in warnings and errors. Raises CorpusError for binary
    data (NUL bytes), which no text encoding explains.
    """
    if b"\x00" in data:
        raise CorpusError(f"{source}: binary file, not text (it contains NUL bytes)")
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Bad bytes decode to lone surrogates U+DC80–U+DCFF, which valid UTF-8 never yields.
    escaped = data[bom:].decode("utf-8", errors="surrogateescape")
    n_bad = len(escaped) - len(_ESCAPED_BYTE.sub("", escaped))
    n_multibyte = len(escaped) - len(escaped.encode("ascii", errors="ignore")) - n_bad
    if n_multibyte and n_multibyte >= n_bad:
        offsets = [
            bom + len(escaped[: match.start()].encode("utf-8", errors="surrogateescape"))
            for match in itertools.islice(_ESCAPED_BYTE.finditer(escaped), 3)
        ]
        shown = ", ".join(str(offset) for offset in offsets)
        if n_bad == 1:
            count, where = "1 byte that is", f"at byte offset {shown}"
        else:
            first = "first " if n_bad > len(offsets) else ""
            count, where = f"{n_bad:,} bytes that are", f"{first}at byte offsets {shown}"
        warnings.warn(
            f"{source}: {count} not UTF-8 ({where}, counted from 0) replaced with U+FFFD; "
            f"the rest is read as UTF-8",
            InvalidBytesWarning,
            stacklevel=2,
        )
        return data[bom:].decode("utf-8", errors="replace")
    for encoding in FALLBACK_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        warnings.warn(
            f"{source}: not valid UTF-8; decoded as {encoding}",
            EncodingFallbackWarning,
            stacklevel=2,
        )
        return text
    raise CorpusError(f"{source}: cannot decode text")  # latin-1 never fails; kept for safety


# A byte that UTF-8 could not decode, as errors="surrogateescape" writes it.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def read_text_file(path: Path, source: str | None = None, max_bytes: int = MAX_TEXT_FILE_BYTES) -> str:
    """Return the normalised text of the regular file at ``path`` (see :func:`normalize_text`).

    ``source`` names the file in decoding warnings and errors (default: ``path``); a
    corpus passes the name relative to its folder, so that what it reports does not
    depend on where it was run. Raises CorpusError for a missing file, a folder, a
    FIFO, device or socket, a file larger than ``max_bytes`` or one that cannot be read.
    """
    data = read_input_bytes(path, "text file", max_bytes, error=CorpusError)
    return normalize_text(decode_bytes(data, source or str(path)))


# NEL and the Unicode line and paragraph separators end a line, as they do in str.splitlines.
_LINE_BREAKS = str.maketrans({"\u0085": "\n", "\u2028": "\n", "\u2029": "\n"})


def normalize_text(text: str) -> str:
    """Return ``text`` with ``\\n`` line endings, NFC form, no BOM and plain spaces.

    CR LF, CR, NEL (U+0085) and the line and paragraph separators U+2028 and U+2029
    all become ``\\n``.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LINE_BREAKS)
    text = text.replace("\ufeff", "").replace("\u00a0", " ").replace("\u202f", " ")
    return unicodedata.normalize("NFC", text)


def split_sentences(paragraph: str) -> list[str]:
    """Return the sentences of one paragraph, stripped, in order."""
    return [paragraph[start:end] for start, end in sentence_spans(paragraph)]


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """Return the (start, end) character spans of the sentences of one paragraph.

    Spans exclude surrounding white space. A piece with no letter or digit (a stray
    closing quote, as the ”’ that ends Overt Operator's last paragraph) joins the
    sentence before it.
    """
    spans: list[tuple[int, int]] = []
    position = 0
    for piece in segment(LANGUAGE, paragraph):
        found = paragraph.find(piece, position)
        start = found if found >= 0 else position
        position = start + len(piece)
        stripped = piece.strip()
        if not stripped:
            continue
        start += len(piece) - len(piece.lstrip())
        end = start + len(stripped)
        if spans and not any(char.isalnum() for char in stripped):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def tokenize(text: str) -> list[Token]:
    """Return the tokens of ``text`` in order (see the module notes for the rules)."""
    tokens: list[Token] = []
    for match in _TOKEN_PATTERN.finditer(text):
        kind = match.lastgroup
        value = match.group()
        if kind == "abbrev":
            kind = "word"
        elif kind == "word":
            clitic = _CLITIC.match(value)
            if clitic:
                stem = clitic.group("stem")
                tokens.append(Token(stem, normalize_token(stem), _word_kind(stem)))
                value = clitic.group("clitic")
                tokens.append(Token(value, normalize_token(value), "clitic"))
                continue
            kind = _word_kind(value)
        tokens.append(Token(value, normalize_token(value), kind))
    return tokens


def _word_kind(value: str) -> str:
    return "word" if any(char.isalpha() for char in value) else "number"


@lru_cache(maxsize=200_000)
def normalize_token(token: str) -> str:
    """Return the normalised form of one token (lower case but for acronyms; straight quotes)."""
    plain = token.translate(_QUOTE_TABLE).translate(_HYPHEN_TABLE)
    if _ACRONYM.match(plain):
        return plain
    return plain.lower()


def normalize_for_display(text: str) -> str:
    """Return ``text`` with straight quotes and plain hyphens (case kept)."""
    return text.translate(_QUOTE_TABLE).translate(_HYPHEN_TABLE)


def match_key(text: str) -> str:
    """Return the form used to match phrases: case-folded, straight quotes, hyphens as spaces."""
    plain = normalize_for_display(text).casefold().replace("-", " ")
    return " ".join(plain.split())


def count_words(text: str) -> int:
    """Return the number of words (word and number tokens) in ``text``; same count as :func:`tokenize`."""
    return sum(1 for _ in _WORD_PATTERN.finditer(text))


_DOUBLE_OPEN = "\u201c\u201e\u00ab"  # “ „ «
_DOUBLE_CLOSE = "\u201d\u00bb"  # ” »
_SINGLE_OPEN = "\u2018\u201a"  # ‘ ‚
_SINGLE_AMBIGUOUS = "'\u2019"  # ' ’ : apostrophe, or a single quotation mark
_QUOTE_MARK = re.compile("[" + re.escape('"' + _DOUBLE_OPEN + _DOUBLE_CLOSE + _SINGLE_OPEN + _SINGLE_AMBIGUOUS) + "]")


def quote_spans(paragraph: str) -> list[tuple[int, int]]:
    """Return the (start, end) character spans of the quoted text in one paragraph.

    A span covers the text between an opening and a closing quotation mark, marks
    excluded. Any double mark closes any open double quotation, so mismatched pairs
    (“…" in The National, "…” elsewhere) still pair up. A single mark between two
    letters or digits is an apostrophe ("We've"); one after a space and before a
    letter opens a single quotation ('Victory Day'); one after a word closes an
    open single quotation, and is otherwise an apostrophe ("countries’"). A
    quotation still open at the end of the paragraph runs to its end, as news
    style leaves a quotation that continues in the next paragraph unclosed. A
    closing mark with nothing open (the ’ after ” that ends Overt Operator's last
    paragraph) is ignored.
    """
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []  # (kind, start of the quoted text)
    length = len(paragraph)
    for mark in _QUOTE_MARK.finditer(paragraph):
        index, char = mark.start(), mark.group()
        before = paragraph[index - 1] if index > 0 else " "
        after = paragraph[index + 1] if index + 1 < length else " "
        if char == '"' or char in _DOUBLE_OPEN or char in _DOUBLE_CLOSE:
            open_double = next((i for i in range(len(stack) - 1, -1, -1) if stack[i][0] == "double"), None)
            closes = char in _DOUBLE_CLOSE or (char == '"' and open_double is not None)
            if closes:
                if open_double is not None:
                    _close(stack, open_double, index, spans)
            else:
                stack.append(("double", index + 1))
        elif char in _SINGLE_OPEN:
            stack.append(("single", index + 1))
        elif char in _SINGLE_AMBIGUOUS:
            if before.isalnum() and after.isalnum():
                continue  # apostrophe inside a word
            if not before.isalnum() and not _is_closing_context(before) and after.isalnum():
                stack.append(("single", index + 1))
            elif stack and stack[-1][0] == "single":
                _close(stack, len(stack) - 1, index, spans)
    while stack:  # unclosed: the quotation runs to the end of the paragraph
        _close(stack, 0, length, spans)
    return _merge_spans(spans)


def _is_closing_context(char: str) -> bool:
    return char in ".,;:!?)]…" or char in _DOUBLE_CLOSE


def _close(stack: list[tuple[str, int]], position: int, end: int, spans: list[tuple[int, int]]) -> None:
    start = stack[position][1]
    del stack[position:]
    if end > start:
        spans.append((start, end))


def _merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


VOICES = ("authorial", "quoted", "mixed")


def voice_of(n_words: int, n_quoted_words: int) -> str:
    """Return ``authorial`` (no word quoted), ``quoted`` (every word) or ``mixed``."""
    if n_quoted_words == 0:
        return "authorial"
    if n_quoted_words >= n_words:
        return "quoted"
    return "mixed"


def quoted_word_count(paragraph: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> int:
    """Return how many words of ``paragraph[start:end]`` begin inside the quotation ``spans``."""
    count = 0
    for match in _TOKEN_PATTERN.finditer(paragraph, start, len(paragraph) if end is None else end):
        if match.lastgroup != "punct" and any(low <= match.start() < high for low, high in spans):
            count += 1
    return count
