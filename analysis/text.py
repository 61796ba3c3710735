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
  pronoun "us" (:func:`keeps_capitals`: listed in ``data/acronyms.txt``, or rare as an
  ordinary English word; "BOSTON" and "UPDATE" fold to lower case); curly quotes and apostrophes become straight; every hyphen or dash
  inside a word becomes "-".
* Matching key (:func:`match_key`): ``norm`` with hyphens read as spaces, so that
  "Kim Jong Un" and "Kim Jong-un" match each other.
"""

from __future__ import annotations

import bisect
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
_OTHER_LINE_BREAKS = ("\u0085", "\u2028", "\u2029")


def normalize_text(text: str) -> str:
    """Return ``text`` with ``\\n`` line endings, NFC form, no BOM and plain spaces.

    CR LF, CR, NEL (U+0085) and the line and paragraph separators U+2028 and U+2029
    all become ``\\n``.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for line_break in _OTHER_LINE_BREAKS:  # str.replace, not str.translate: it scans at memchr speed
        text = text.replace(line_break, "\n")
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

    A sentence longer than :data:`MAX_SENTENCE_CHARS` (a paragraph without
    sentence punctuation, or a quotation that never closes) is cut into pieces of
    at most that length (see :func:`bounded_spans`), so that every later step works
    on sentences of bounded length.
    """
    spans: list[tuple[int, int]] = []
    for start, piece in _segment_pieces(paragraph):
        stripped = piece.strip()
        if not stripped:
            continue
        start += len(piece) - len(piece.lstrip())
        end = start + len(stripped)
        if spans and not any(char.isalnum() for char in stripped):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    if any(honorific in paragraph for honorific in _HONORIFIC_STARTS):
        spans = [piece for start, end in spans for piece in _split_before_honorifics(paragraph, start, end)]
    if any(end - start > MAX_SENTENCE_CHARS for start, end in spans):
        spans = [piece for start, end in spans for piece in bounded_spans(paragraph, start, end)]
    return spans


# A dotted abbreviation that can end a sentence ("N.Y.", "D.C.", "Inc."), then a personal
# honorific and a name: the segmenter reads the abbreviation's full stop as not ending
# the sentence, but "Mr."/"Ms."/"Dr." before a name never continues a noun phrase there.
_ABBREVIATION_THEN_HONORIFIC = re.compile(
    r"(?:\b(?:[A-Z]\.){2,}|\b(?:Inc|Co|Corp|Ltd|Jr|Sr)\.)(?P<gap>\s+)(?:Mr|Mrs|Ms|Mx|Dr)\.?\s+[A-Z]"
)
# Every match holds one of these; a paragraph without any (most) is not searched sentence by sentence.
_HONORIFIC_STARTS = ("Mr", "Ms", "Mx", "Dr")


def _split_before_honorifics(paragraph: str, start: int, end: int) -> list[tuple[int, int]]:
    """Return ``(start, end)`` split wherever an abbreviation ends a sentence before "Mr."/"Ms."/"Dr." + a name."""
    pieces = []
    for match in _ABBREVIATION_THEN_HONORIFIC.finditer(paragraph, start, end):
        pieces.append((start, match.start("gap")))
        start = match.end("gap")
    pieces.append((start, end))
    return pieces


SEGMENT_CHUNK_CHARS = 100_000
"""The most text handed to the segmenter at once; a longer paragraph is segmented chunk by chunk.

No paragraph of the seeds comes near it (the longest has 394 characters), so
chunking changes nothing in news text; it bounds the segmenter's working memory
on a paragraph of many megabytes.
"""


def _segment_pieces(paragraph: str):
    """Yield ``(start, piece)`` for the segmenter's pieces of ``paragraph``, which tile it.

    A paragraph longer than SEGMENT_CHUNK_CHARS is segmented in chunks that end at
    white space. Of each chunk but the last, only the pieces that end before its
    last quarter are kept (at least the first piece), and the next chunk starts
    where they end. The segmenter keeps a quotation or a bracket whole; a boundary
    it judged with a quarter of a chunk (25,000 characters) still in view is the
    boundary it finds in one pass over the paragraph, unless a quotation runs
    longer than that. Each chunk costs time linear in its size and advances at
    least a quarter of a chunk every two chunks, so the whole is linear.
    """
    length = len(paragraph)
    if length <= SEGMENT_CHUNK_CHARS:
        yield from _tile(paragraph, segment(LANGUAGE, paragraph), 0)
        return
    start = 0
    while start < length:
        end = min(start + SEGMENT_CHUNK_CHARS, length)
        if end < length:
            gap = _last_match(_CUT_AT_SPACE, paragraph, start + SEGMENT_CHUNK_CHARS // 2, end)
            end = gap.end() if gap is not None else end
        chunk = paragraph[start:end]
        pieces = list(_tile(chunk, segment(LANGUAGE, chunk), start))
        if end < length:
            pieces = _settled_pieces(pieces, end - len(chunk) // 4)
        yield from pieces
        start = max(pieces[-1][0] + len(pieces[-1][1]), start + 1) if pieces else end


def _settled_pieces(pieces: list[tuple[int, str]], settled: int) -> list[tuple[int, str]]:
    """Return the leading ``pieces`` that end by ``settled``, cut after an even number of straight double quotes.

    The segmenter pairs straight double quotes in order from the start of its
    text, so the next chunk should start where they are paired as in the whole
    paragraph. Where that cut would keep less than half of what ends by
    ``settled`` (quotation marks that never pair), every piece ending by
    ``settled`` is kept; at least the first piece is returned.
    """
    kept = [piece for piece in pieces if piece[0] + len(piece[1]) <= settled]
    if not kept:
        return pieces[:1]
    quotes = 0
    even = 0
    for index, (_, piece) in enumerate(kept, start=1):
        quotes += piece.count('"')
        if quotes % 2 == 0:
            even = index
    first = kept[0][0]
    kept_length = kept[-1][0] + len(kept[-1][1]) - first
    if even and 2 * (kept[even - 1][0] + len(kept[even - 1][1]) - first) >= kept_length:
        return kept[:even]
    return kept


def _tile(text: str, pieces: list[str], offset: int):
    """Yield ``(offset + start, piece)`` for consecutive ``pieces`` of ``text``."""
    position = 0
    for piece in pieces:
        # The pieces tile the text; a search bounded to the piece's own length keeps
        # a piece the segmenter changed from costing a scan of the whole rest.
        if text.startswith(piece, position):
            start = position
        else:
            found = text.find(piece, position, position + 2 * len(piece) + 16)
            start = found if found >= 0 else position
        position = start + len(piece)
        yield offset + start, piece


MAX_SENTENCE_CHARS = 5_000
"""The longest sentence, in characters: about 850 words, far beyond any sentence written to be read.

The longest sentence of the seed articles has 394 characters, of the 5,190 NYT
editorial sentences 451. A longer "sentence" is text the segmenter could not
split, and scoring or matching it whole would take time that grows with the
square of its length in the tone step (VADER looks back over the sentence for
every word it scores), and the sources step copies a sentence's text into each
attribution it finds there.
"""

# Where a too-long sentence is best cut: after sentence punctuation (and closing
# quotes or brackets) before white space, else at white space.
_CUT_AFTER_PUNCTUATION = re.compile(r"[.!?…;:][\"'”’»)\]]*(?P<gap>\s+)")
_CUT_AT_SPACE = re.compile(r"(?P<gap>\s+)")


def bounded_spans(paragraph: str, start: int, end: int, limit: int | None = None) -> list[tuple[int, int]]:
    """Return ``(start, end)`` cut into spans of at most ``limit`` characters (default MAX_SENTENCE_CHARS).

    Each cut falls in the second half of the allowed length: at the last white
    space that follows sentence punctuation, else at the last white space, else
    (text without spaces) exactly at the limit. White space at a cut belongs to no
    span. Every character is looked at a bounded number of times, so the time is
    linear in ``end - start``.
    """
    limit = MAX_SENTENCE_CHARS if limit is None else limit
    if limit < 2:
        raise ValueError(f"limit must be at least 2 characters (got {limit})")
    spans: list[tuple[int, int]] = []
    while end - start > limit:
        low, high = start + limit // 2, start + limit
        cut = _last_match(_CUT_AFTER_PUNCTUATION, paragraph, low, high + 1) or _last_match(
            _CUT_AT_SPACE, paragraph, low, high + 1)
        piece_end, next_start = (cut.start("gap"), cut.end("gap")) if cut is not None else (high, high)
        while paragraph[piece_end - 1].isspace():  # the window began inside a run of white space
            piece_end -= 1
        spans.append((start, piece_end))
        gap = _CUT_AT_SPACE.match(paragraph, next_start, end)  # the run may go on past the window
        start = gap.end() if gap else next_start
    if end > start:
        spans.append((start, end))
    return spans


def _last_match(pattern: re.Pattern, text: str, start: int, end: int) -> re.Match | None:
    last = None
    for last in pattern.finditer(text, start, end):
        pass
    return last


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


# The token pattern without its named groups, so that findall returns the text of each match.
_MATCH_PATTERN = re.compile(re.sub(r"\(\?P<\w+>", "(?:", _TOKEN_PATTERN.pattern), re.VERBOSE)


def token_matches(text: str) -> list[str]:
    """Return the text of each match of the token pattern in ``text``, in order: the fast path of :func:`tokenize`.

    A match is one token, or a word and its clitic ("Korea's"). The pattern looks
    ahead but never behind, so a match read alone gives the tokens it gives in
    its text, and ``[token for match in token_matches(text) for token in
    match_tokens(match)]`` equals ``tokenize(text)``. No match holds white space,
    and a match's end depends only on whether a word character follows, so the
    matches of ``text`` are those of its white-space separated pieces
    (``text.split()``) in order. A caller that counts words in bulk can thus
    tokenise each distinct piece or match once instead of every occurrence.
    """
    return _MATCH_PATTERN.findall(text)


@lru_cache(maxsize=200_000)
def match_tokens(match: str) -> tuple[Token, ...]:
    """Return the tokens of one match of :func:`token_matches` (one, or a word and its clitic)."""
    return tuple(tokenize(match))


@lru_cache(maxsize=200_000)
def normalize_token(token: str) -> str:
    """Return the normalised form of one token (lower case but for acronyms; straight quotes)."""
    plain = token.translate(_QUOTE_TABLE).translate(_HYPHEN_TABLE)
    if keeps_capitals(plain):
        return plain
    return plain.lower()


ACRONYMS_FILE = Path(__file__).resolve().parent / "data" / "acronyms.txt"
ORDINARY_WORD_ZIPF = 3.0
"""Zipf frequency (wordfreq, English) from which an all-capital word is read as an ordinary word.

3.0 is once per million words: "update" (4.7), "boston" (4.7) and "breaking" (4.7)
are well above it, "kcna" (2.1) and "dprk" (2.9) below. Acronyms that are frequent
as words ("us", "who", "nato") are listed in ``data/acronyms.txt`` instead.
"""


@lru_cache(maxsize=1)
def listed_acronyms() -> frozenset[str]:
    """Return the acronyms of ``data/acronyms.txt`` that always keep their capitals."""
    lines = ACRONYMS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))


@lru_cache(maxsize=65_536)
def keeps_capitals(word: str) -> bool:
    """Return whether an all-capital word of two to six letters is an acronym that keeps its case.

    Listed acronyms ("US", "NATO") do; so does a word that is rare as an ordinary
    English word ("KCNA"). "BOSTON" or "UPDATE", ordinary words written in capitals,
    do not, so that they count as "boston" and "update".
    """
    if not _ACRONYM.match(word):
        return False
    letters = word.split("-", 1)[0]
    if letters in listed_acronyms():
        return True
    from wordfreq import zipf_frequency  # imported on first use: it loads a word list

    return zipf_frequency(letters.lower(), "en") < ORDINARY_WORD_ZIPF


def normalize_for_display(text: str) -> str:
    """Return ``text`` with straight quotes and plain hyphens (case kept)."""
    return text.translate(_QUOTE_TABLE).translate(_HYPHEN_TABLE)


def match_key(text: str) -> str:
    """Return the form used to match phrases: case-folded, straight quotes, hyphens as spaces."""
    plain = normalize_for_display(text).casefold().replace("-", " ")
    return " ".join(plain.split())


def count_words(text: str) -> int:
    """Return the number of words (word and number tokens) in ``text``; same count as :func:`tokenize`."""
    # A word never holds white space and its end depends only on whether a word character follows
    # (see token_matches), so a text's words are those of its pieces: each distinct piece is counted once.
    if len(_PIECE_WORDS) > MAX_COUNTED_PIECES:
        _PIECE_WORDS.clear()
    return sum(map(_PIECE_WORDS.__getitem__, text.split()))


class _PieceWordCounts(dict):
    """The number of words of each white-space separated piece of text met so far, counted when first asked."""

    def __missing__(self, piece: str) -> int:
        count = self[piece] = len(_WORD_MATCH_PATTERN.findall(piece))
        return count


# The word pattern without named groups, so that findall returns one string a word.
_WORD_MATCH_PATTERN = re.compile(re.sub(r"\(\?P<\w+>", "(?:", _WORD_PATTERN.pattern), re.VERBOSE)
_PIECE_WORDS = _PieceWordCounts()
MAX_COUNTED_PIECES = 200_000  # distinct pieces remembered (about 25 MB) before the memory starts again


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
    # Stack positions of the open double quotations, so that finding the innermost
    # one does not scan a stack that many unclosed single quotations have grown.
    doubles: list[int] = []
    length = len(paragraph)
    for mark in _QUOTE_MARK.finditer(paragraph):
        index, char = mark.start(), mark.group()
        before = paragraph[index - 1] if index > 0 else " "
        after = paragraph[index + 1] if index + 1 < length else " "
        if char == '"' or char in _DOUBLE_OPEN or char in _DOUBLE_CLOSE:
            open_double = doubles[-1] if doubles else None
            closes = char in _DOUBLE_CLOSE or (char == '"' and open_double is not None)
            if closes:
                if open_double is not None:
                    _close(stack, doubles, open_double, index, spans)
            else:
                doubles.append(len(stack))
                stack.append(("double", index + 1))
        elif char in _SINGLE_OPEN:
            stack.append(("single", index + 1))
        elif char in _SINGLE_AMBIGUOUS:
            if before.isalnum() and after.isalnum():
                continue  # apostrophe inside a word
            if not before.isalnum() and not _is_closing_context(before) and after.isalnum():
                stack.append(("single", index + 1))
            elif stack and stack[-1][0] == "single":
                _close(stack, doubles, len(stack) - 1, index, spans)
    if stack:  # unclosed: the quotation runs to the end of the paragraph
        _close(stack, doubles, 0, length, spans)
    return _merge_spans(spans)


def _is_closing_context(char: str) -> bool:
    return char in ".,;:!?)]…" or char in _DOUBLE_CLOSE


def _close(stack: list[tuple[str, int]], doubles: list[int], position: int, end: int,
           spans: list[tuple[int, int]]) -> None:
    start = stack[position][1]
    del stack[position:]
    while doubles and doubles[-1] >= position:
        doubles.pop()
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


def spans_overlapping(spans: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """Return the ``spans`` that overlap ``[start, end)``, shifted so that ``start`` is 0.

    ``spans`` are sorted and disjoint, as :func:`quote_spans` returns them; a binary
    search finds the first, so a sentence's quotations cost no scan of the paragraph's.
    """
    index = bisect.bisect_right(spans, start, key=lambda span: span[1])
    overlapping = []
    while index < len(spans) and spans[index][0] < end:
        overlapping.append((spans[index][0] - start, spans[index][1] - start))
        index += 1
    return overlapping


def quoted_word_count(paragraph: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> int:
    """Return how many words of ``paragraph[start:end]`` begin inside the quotation ``spans``.

    ``spans`` are sorted and disjoint, as :func:`quote_spans` returns them. The
    spans are walked once alongside the words, so counting every sentence of a
    paragraph takes time linear in the paragraph, not in sentences × spans.
    """
    stop = len(paragraph) if end is None else end
    index = bisect.bisect_right(spans, start, key=lambda span: span[1])  # first span ending after start
    count = 0
    # The word pattern finds exactly the token pattern's words: no word can start where a punctuation mark is.
    for match in _WORD_PATTERN.finditer(paragraph, start, stop):
        position = match.start()
        while index < len(spans) and spans[index][1] <= position:
            index += 1
        if index == len(spans):
            break
        if spans[index][0] <= position:
            count += 1
    return count


# Language --------------------------------------------------------------------------------------------------------------

LANGUAGE_SAMPLE_CHARS = 3_000
"""How much of a document the language check reads: its first 3,000 characters."""

MIN_LANGUAGE_LETTERS = 100
"""Fewer letters than this (a headline, a caption) are too little for the detector to be trusted."""

MIN_LANGUAGE_CONFIDENCE = 0.9
"""How sure the detector must be that a Latin-script text is not English (1 − its probability of English)."""

NON_LATIN_SHARE = 0.5
"""A text whose letters are at least this share in scripts other than Latin is not English, however short."""

# Frequent English words that are rare in other languages written in Latin script
# (no "in", "is", "was", "a": Dutch, German, Italian and Spanish have them too).
_ENGLISH_MARKERS = frozenset(
    "the of and to that for with from said this which were has have been their they would will who".split()
)
ENGLISH_MARKER_SHARE = 0.1
"""A sample of 40 words or more whose words are at least this share English markers is English without the model."""


@lru_cache(maxsize=1)
def language_identifier():
    """Return the py3langid identifier of this process (its model loads once, from the package)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


_ASCII_NOT_LETTERS = bytes(code for code in range(128) if not chr(code).isalpha())
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


def _letter_counts(text: str) -> tuple[int, int]:
    """Return the number of letters of ``text`` (``str.isalpha``) and how many of them are not Latin letters.

    ASCII letters are A-Z and a-z, all Latin, counted in bytes; only the other characters are looked up one by one.
    """
    ascii_letters = len(text.encode("ascii", "ignore").translate(None, _ASCII_NOT_LETTERS))
    if text.isascii():
        return ascii_letters, 0
    others = [char for char in _NOT_ASCII.findall(text) if char.isalpha()]
    non_latin = sum(1 for char in others if "LATIN" not in unicodedata.name(char, ""))
    return ascii_letters + len(others), non_latin


class _PieceMarkerCounts(dict):
    """(words, English marker words) of each white-space separated piece of text met so far, counted when first
    asked: a text's words are those of its pieces (see :func:`count_words`)."""

    def __missing__(self, piece: str) -> tuple[int, int]:
        words = _WORD_MATCH_PATTERN.findall(piece)
        counts = self[piece] = (len(words), sum(word.lower() in _ENGLISH_MARKERS for word in words))
        return counts


_PIECE_MARKERS = _PieceMarkerCounts()


def text_language(text: str) -> str:
    """Return the ISO 639-1 code of the language of ``text`` (``en`` unless it is clearly another).

    Only the first LANGUAGE_SAMPLE_CHARS characters are read, so the cost per
    document is bounded. A sample whose letters are mostly in scripts other than
    Latin (Cyrillic, Hangul, Arabic …) is not English, and the detector names its
    language. A Latin-script sample is English when at least a tenth of its words
    are frequent English words ("the", "of", "and" …); otherwise the detector
    (py3langid, a naive Bayes model of byte n-grams shipped in its wheel) decides:
    the text is in the detector's first language when the detector gives English a
    probability of at most 1 − MIN_LANGUAGE_CONFIDENCE, on at least
    MIN_LANGUAGE_LETTERS letters, so that a short English headline is never taken
    for another language.
    """
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    n_letters, non_latin = _letter_counts(sample)
    if not n_letters:
        return LANGUAGE
    if non_latin >= NON_LATIN_SHARE * n_letters:
        ranked = language_identifier().rank(sample)
        return next((code for code, _ in ranked if code != LANGUAGE), "und")
    if n_letters < MIN_LANGUAGE_LETTERS:
        return LANGUAGE
    if len(_PIECE_MARKERS) > MAX_COUNTED_PIECES:
        _PIECE_MARKERS.clear()
    columns = list(zip(*map(_PIECE_MARKERS.__getitem__, sample.split())))  # words per piece, markers per piece
    n_words, n_markers = (sum(columns[0]), sum(columns[1])) if columns else (0, 0)
    if n_words >= 40 and n_markers >= ENGLISH_MARKER_SHARE * n_words:
        return LANGUAGE
    ranked = language_identifier().rank(sample)
    english = next((probability for code, probability in ranked if code == LANGUAGE), 0.0)
    return ranked[0][0] if 1 - english >= MIN_LANGUAGE_CONFIDENCE else LANGUAGE
