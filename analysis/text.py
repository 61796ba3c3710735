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

import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

from sentencex import segment

from analysis.errors import CorpusError, EncodingFallbackWarning

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
    """Return ``data`` decoded as UTF-8, or with a legacy fallback and a warning.

    Raises CorpusError for binary data (NUL bytes), which no text encoding explains.
    """
    if b"\x00" in data:
        raise CorpusError(f"{source}: binary file, not text (it contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
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


def read_text_file(path: Path, source: str | None = None) -> str:
    """Return the normalised text of the file at ``path`` (see :func:`normalize_text`)."""
    label = source or str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"{label}: file not found") from None
    except IsADirectoryError:
        raise CorpusError(f"{label}: is a folder, not a text file") from None
    except OSError as error:
        raise CorpusError(f"{label}: cannot read ({error.strerror})") from None
    return normalize_text(decode_bytes(data, label))


def normalize_text(text: str) -> str:
    """Return ``text`` with ``\\n`` line endings, NFC form, no BOM and plain spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\ufeff", "").replace("\u00a0", " ").replace("\u202f", " ")
    return unicodedata.normalize("NFC", text)


def split_sentences(paragraph: str) -> list[str]:
    """Return the sentences of one paragraph, stripped, in order."""
    paragraph = paragraph.strip()
    if not paragraph:
        return []
    sentences: list[str] = []
    for piece in segment(LANGUAGE, paragraph):
        piece = piece.strip()
        if not piece:
            continue
        # sentencex can leave a closing quote mark alone (”’ in the seeds): it
        # belongs to the sentence before it.
        if sentences and not any(char.isalnum() for char in piece):
            sentences[-1] = f"{sentences[-1]}{piece}"
        else:
            sentences.append(piece)
    return sentences


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
    """Return the number of words (word and number tokens) in ``text``."""
    return sum(1 for token in tokenize(text) if token.kind in WORD_KINDS)
