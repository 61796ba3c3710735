"""The corpus: documents read from a folder or a table, cleaned, and split into tidy tables.

A corpus is either

* a folder holding ``corpus.csv`` (columns ``doc_id``, ``file``, ``outlet`` and
  optionally ``date``, ``title``, ``url``, ``event`` and any other metadata) and the
  text files it names, or
* one ``.csv``, ``.jsonl`` or ``.parquet`` file with at least the columns ``text``
  and ``outlet`` (optionally ``doc_id``, ``title``, ``date``, ``url``, ``event``, …).

The source texts are never changed: cleaning produces a new view, and every line
it removes is listed in :attr:`Corpus.removed_lines`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import io
import json
import math
import unicodedata
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
import pyarrow
import pyarrow.parquet

from analysis.cleaning import ROLES, TEXT_ROLES, CleaningRules, clean_lines, read_cleaning_rules
from analysis.errors import CorpusError, NameCaseWarning
from analysis.files import MAX_TABLE_FILE_BYTES, read_input_bytes
from analysis.paths import SEEDS_DIR
from analysis.text import (
    count_words,
    decode_bytes,
    normalize_text,
    quote_spans,
    quoted_word_count,
    read_text_file,
    sentence_spans,
    tokenize,
    voice_of,
)

MANIFEST_NAME = "corpus.csv"
SENTENCE_BLOCK_ROWS = 20_000  # sentences turned into table rows at a time (bounds memory on huge documents)
MANIFEST_REQUIRED = ("doc_id", "file", "outlet")
TABLE_REQUIRED = ("text", "outlet")
OPTIONAL_COLUMNS = ("title", "date", "url", "event")
# Columns that name things: compared after normalize_name, and at most MAX_NAME_CHARS long.
NAME_COLUMNS = ("doc_id", "outlet", "event")
MAX_NAME_CHARS = 200
TABLE_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}


@dataclass
class Corpus:
    """A cleaned corpus and its tables. Build one with :func:`read_corpus`.

    Attributes
    ----------
    documents : one row per document: ``doc_id, outlet, date, title, url, event, source``
        and any extra metadata columns, in the order the corpus lists them.
    lines : one row per non-blank source line: ``doc_id, line_number, text, kept,
        role, rule, credit``; the audit trail of cleaning.
    paragraphs : one row per kept line: ``doc_id, paragraph_id, paragraph_index,
        line_number, role, text, credit, n_words``.
    source : the path the corpus was read from.
    """

    documents: pd.DataFrame
    lines: pd.DataFrame
    paragraphs: pd.DataFrame
    source: Path
    rules: CleaningRules = field(repr=False)
    input_files: tuple[Path, ...] = field(default=(), repr=False)

    @property
    def removed_lines(self) -> pd.DataFrame:
        """Return the lines cleaning removed: ``doc_id, line_number, text, rule``."""
        removed = self.lines.loc[~self.lines["kept"], ["doc_id", "line_number", "text", "rule"]]
        return removed.reset_index(drop=True)

    @property
    def outlets(self) -> list[str]:
        """Return the outlets in the order they first appear."""
        return list(dict.fromkeys(self.documents["outlet"]))

    @property
    def has_events(self) -> bool:
        """Return whether any document has an ``event`` value (for comparisons within events)."""
        return bool(self.documents["event"].ne("").any())

    @cached_property
    def sentences(self) -> pd.DataFrame:
        """Return one row per sentence of the article's own text (roles in ``TEXT_ROLES``).

        Columns: ``doc_id, outlet, paragraph_id, sentence_id, sentence_index`` (0-based
        within the document), ``role, text, start, end`` (character offsets in the
        paragraph), ``n_words, n_quoted_words`` (words inside quotation marks, which
        may open in an earlier sentence of the paragraph), ``voice`` (authorial,
        quoted or mixed) and ``position`` (share of the document's words that come
        before the sentence, 0 to <1).
        """
        rows = []
        # Rows become a table a block at a time: a huge document's sentences as Python
        # tuples and strings would take several times the size of its text.
        blocks: list[pd.DataFrame] = []
        columns = ["doc_id", "outlet", "paragraph_id", "sentence_id", "sentence_index", "role", "text",
                   "start", "end", "n_words", "n_quoted_words", "voice"]
        outlet_of = dict(zip(self.documents["doc_id"], self.documents["outlet"]))
        text_paragraphs, rows_of_document = self._text_paragraphs()
        paragraph_ids = text_paragraphs["paragraph_id"].tolist()
        roles = text_paragraphs["role"].tolist()
        texts = text_paragraphs["text"].tolist()
        for doc_id, paragraph_rows in rows_of_document.items():
            index = 0
            outlet = outlet_of[doc_id]
            for row in paragraph_rows:
                text = texts[row]
                quotes = quote_spans(text)
                for start, end in sentence_spans(text):
                    sentence = text[start:end]
                    n_words = count_words(sentence)
                    n_quoted = quoted_word_count(text, quotes, start, end) if quotes else 0
                    rows.append(
                        (doc_id, outlet, paragraph_ids[row], f"{doc_id}-s{index + 1:03d}", index,
                         roles[row], sentence, start, end, n_words, n_quoted, voice_of(n_words, n_quoted))
                    )
                    index += 1
                    if len(rows) == SENTENCE_BLOCK_ROWS:
                        blocks.append(pd.DataFrame.from_records(rows, columns=columns))
                        rows = []
        if rows or not blocks:
            blocks.append(pd.DataFrame.from_records(rows, columns=columns))
        table = blocks[0] if len(blocks) == 1 else pd.concat(blocks, ignore_index=True)
        before = table.groupby("doc_id", sort=False)["n_words"].cumsum() - table["n_words"]
        total = table.groupby("doc_id", sort=False)["n_words"].transform("sum")
        table["position"] = (before / total.where(total > 0, 1)).astype(float)
        return table

    def _text_paragraphs(self) -> tuple[pd.DataFrame, dict[str, list[int]]]:
        """Return (the paragraphs of the article's own text, their row numbers by doc_id, documents in order of
        first appearance as ``groupby(sort=False)``): the order of :attr:`sentences`."""
        text_paragraphs = self.paragraphs[self.paragraphs["role"].isin(TEXT_ROLES)]
        rows_of_document: dict[str, list[int]] = {}
        # Plain lists, not itertuples: reading rows out of the table cost more than segmenting them.
        for row, doc_id in enumerate(text_paragraphs["doc_id"].tolist()):
            rows_of_document.setdefault(doc_id, []).append(row)
        return text_paragraphs, rows_of_document

    def sentence_texts(self) -> tuple[list[str], list[str]]:
        """Return (doc_id of each sentence, text of each sentence): the columns ``doc_id`` and ``text`` of
        :attr:`sentences`, in its order.

        Once :attr:`sentences` is built they are read from it; before, only the
        segmenter runs, which is all that counting terms needs (no quotation or word
        counts, no table).
        """
        if "sentences" in self.__dict__:
            return self.sentences["doc_id"].tolist(), self.sentences["text"].tolist()
        text_paragraphs, rows_of_document = self._text_paragraphs()
        texts = text_paragraphs["text"].tolist()
        return _segmented((doc_id, texts[row]) for doc_id, rows in rows_of_document.items() for row in rows)

    @cached_property
    def tokens(self) -> pd.DataFrame:
        """Return one row per token of every sentence.

        Columns: ``doc_id, outlet, sentence_id, token_index`` (0-based within the
        sentence), ``text`` (as written), ``norm`` (normalised), ``kind`` (word,
        number, clitic or punct), ``role``.
        """
        records = []
        sentences = self.sentences
        columns = (sentences[name].tolist() for name in ("doc_id", "outlet", "sentence_id", "role", "text"))
        for doc_id, outlet, sentence_id, role, text in zip(*columns):
            for index, token in enumerate(tokenize(text)):
                records.append((doc_id, outlet, sentence_id, index, token.text, token.norm, token.kind, role))
        columns = ["doc_id", "outlet", "sentence_id", "token_index", "text", "norm", "kind", "role"]
        return pd.DataFrame.from_records(records, columns=columns)

    def summary(self) -> pd.DataFrame:
        """Return one row per document with its size and what cleaning removed.

        Columns: ``doc_id, outlet, date, title, n_paragraphs, n_sentences, n_words``
        (words of the article's own text: headline, standfirst, subheadings,
        captions without their credits, body), ``n_body_words, n_removed_lines``.
        """
        text_paragraphs = self.paragraphs[self.paragraphs["role"].isin(TEXT_ROLES)]
        body = self.paragraphs[self.paragraphs["role"] == "body"]
        by_doc = self.documents[["doc_id", "outlet", "date", "title"]].copy()
        counts = {
            "n_paragraphs": text_paragraphs.groupby("doc_id").size(),
            "n_sentences": self.sentences.groupby("doc_id").size(),
            "n_words": text_paragraphs.groupby("doc_id")["n_words"].sum(),
            "n_body_words": body.groupby("doc_id")["n_words"].sum(),
            "n_removed_lines": self.removed_lines.groupby("doc_id").size(),
        }
        for column, series in counts.items():
            by_doc[column] = by_doc["doc_id"].map(series).fillna(0).astype(int)
        return by_doc

    def role_summary(self) -> pd.DataFrame:
        """Return one row per document and role: ``doc_id, outlet, role, n_paragraphs, n_words``.

        Roles are listed in reading order of :data:`analysis.cleaning.ROLES`; roles a
        document does not have are absent.
        """
        table = (
            self.paragraphs.merge(self.documents[["doc_id", "outlet"]], on="doc_id")
            .groupby(["doc_id", "outlet", "role"], sort=False)
            .agg(n_paragraphs=("paragraph_id", "size"), n_words=("n_words", "sum"))
            .reset_index()
        )
        order = {role: rank for rank, role in enumerate(ROLES)}
        doc_order = {doc_id: rank for rank, doc_id in enumerate(self.documents["doc_id"])}
        table = table.sort_values(
            ["doc_id", "role"], key=lambda column: column.map(doc_order if column.name == "doc_id" else order)
        )
        return table.reset_index(drop=True)

    def outlet_summary(self) -> pd.DataFrame:
        """Return one row per outlet: ``outlet, n_documents, n_sentences, n_words, n_removed_lines``."""
        summary = self.summary()
        table = summary.groupby("outlet", sort=False).agg(
            n_documents=("doc_id", "size"),
            n_sentences=("n_sentences", "sum"),
            n_words=("n_words", "sum"),
            n_removed_lines=("n_removed_lines", "sum"),
        )
        return table.reset_index()

    def require_outlets(self, minimum: int = 2) -> None:
        """Raise CorpusError unless the corpus has at least ``minimum`` outlets (for comparisons)."""
        if len(self.outlets) < minimum:
            raise CorpusError(
                f"{self.source}: comparing outlets needs at least {minimum} outlets; "
                f"this corpus has {len(self.outlets)} ({', '.join(self.outlets)})"
            )


def read_corpus(path: Path | str | None = None, rules: Path | str | CleaningRules | None = None) -> Corpus:
    """Return the cleaned :class:`Corpus` at ``path`` (default: the seed corpus).

    ``rules`` is a cleaning-rules file or an already read :class:`CleaningRules`
    (default: ``analysis/data/cleaning.yaml``). Raises CorpusError with one line
    naming the file and the problem for any input it cannot use. Warnings (a legacy
    encoding, bytes that are not UTF-8, outlet names that differ only by case) name
    files relative to the corpus folder, or by the table's file name.
    """
    path = Path(path) if path is not None else SEEDS_DIR
    cleaning_rules = rules if isinstance(rules, CleaningRules) else read_cleaning_rules(rules)
    if path.is_dir():
        documents, texts, files = _read_folder(path)
    else:
        documents, texts = _read_table(path, _table_kind(path))
        files = (path,)
    return corpus_of_documents(documents, texts, cleaning_rules, path, files)


def corpus_of_documents(documents: pd.DataFrame, texts: list[str], rules: CleaningRules, path: Path,
                        files: tuple[Path, ...] = ()) -> Corpus:
    """Return the cleaned :class:`Corpus` of ``documents`` (rows of a validated documents table) and their texts.

    :func:`read_corpus` ends here with every document; :mod:`analysis.measure`
    calls it with one partition's rows, so each partition is cleaned exactly as the
    whole corpus would be. ``path`` names the corpus in errors.
    """
    documents = documents.reset_index(drop=True)
    lines, paragraphs = _clean(documents, texts, rules, path)
    return Corpus(documents, lines, paragraphs, path, rules, files)


def read_document_table(path: Path | str) -> tuple[pd.DataFrame, list[str] | None, tuple[Path, ...]]:
    """Return the validated documents table of the corpus at ``path``, the texts, and the files read.

    For a corpus folder the texts are not read (None): each file's existence and
    place are checked, and :func:`read_document_texts` reads a slice of them. For
    a table (CSV, JSONL, Parquet) the texts come with the table. Errors are those
    of :func:`read_corpus`, one line naming the file and row.
    """
    path = Path(path)
    if path.is_dir():
        manifest_path, manifest = _read_manifest(path)
        files = [manifest_path]
        for row_number, name in enumerate(manifest["file"], start=2):
            files.append(_manifest_file(path, manifest_path, row_number, name)[0])
        documents = _document_table(manifest.drop(columns=["file"]), manifest_path, MANIFEST_NAME, first_row=2)
        documents["source"] = [Path(name.strip()).as_posix() for name in manifest["file"]]
        return documents, None, tuple(files)
    documents, texts = _read_table(path, _table_kind(path))
    return documents, texts, (path,)


def read_document_texts(folder: Path | str, documents: pd.DataFrame) -> list[str]:
    """Return the texts of ``documents`` (rows of a corpus folder's documents table), read from ``folder``."""
    folder = Path(folder)
    texts = [read_text_file(folder / source, source=source) for source in documents["source"]]
    _check_texts(documents, texts, [str(folder / name) for name in documents["source"]])
    return texts


def _table_kind(path: Path) -> str:
    """Return the kind of the corpus table at ``path`` (csv, jsonl, parquet); CorpusError when it is none."""
    if not (path.exists() or path.is_symlink()):
        raise CorpusError(f"{path}: no such file or folder")
    kind = TABLE_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise CorpusError(
            f"{path}: unsupported corpus file type '{path.suffix}'; give a folder with "
            f"{MANIFEST_NAME}, or a .csv, .jsonl or .parquet file"
        )
    return kind


def normalize_name(value: str) -> str:
    """Return an outlet, event or document name as it is compared: NFC, white space folded.

    Every run of Unicode white space (no-break spaces, tabs, line breaks …) becomes
    one space, zero-width spaces and byte-order marks are removed (they are
    invisible, so names that look alike are alike), and the ends are stripped.
    Case is kept.
    """
    value = unicodedata.normalize("NFC", value.translate(_INVISIBLE))
    return " ".join(value.split())


# Invisible characters that separate nothing a reader can see: zero-width space,
# word joiner, zero-width no-break space (the byte-order mark).
_INVISIBLE = str.maketrans({"\u200b": None, "\u2060": None, "\ufeff": None})


def _read_folder(folder: Path) -> tuple[pd.DataFrame, list[str], tuple[Path, ...]]:
    manifest_path, manifest = _read_manifest(folder)
    texts, files = [], [manifest_path]
    for row_number, name in enumerate(manifest["file"], start=2):
        file_path, relative = _manifest_file(folder, manifest_path, row_number, name)
        texts.append(read_text_file(file_path, source=relative.as_posix()))
        files.append(file_path)
    documents = _document_table(manifest.drop(columns=["file"]), manifest_path, MANIFEST_NAME, first_row=2)
    documents["source"] = [Path(name.strip()).as_posix() for name in manifest["file"]]
    _check_texts(documents, texts, [str(folder / name) for name in documents["source"]])
    return documents, texts, tuple(files)


def _read_manifest(folder: Path) -> tuple[Path, pd.DataFrame]:
    """Return the path and the table of the manifest of the corpus folder ``folder``."""
    manifest_path = folder / MANIFEST_NAME
    if not (manifest_path.exists() or manifest_path.is_symlink()):
        raise CorpusError(f"{folder}: no {MANIFEST_NAME} manifest in this folder")
    manifest = _read_csv(manifest_path, MANIFEST_NAME)
    _require_columns(manifest, MANIFEST_REQUIRED, manifest_path)
    return manifest_path, manifest


def _manifest_file(folder: Path, manifest_path: Path, row_number: int, name: str) -> tuple[Path, Path]:
    """Return the path of the text file a manifest row names, and that name; CorpusError when unusable."""
    name = name.strip()
    label = f"{manifest_path}: line {row_number}"
    if not name:
        raise CorpusError(f"{label}: the 'file' column is empty")
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts:
        raise CorpusError(f"{label}: file '{name}' is outside the corpus folder (use a path inside {folder})")
    file_path = folder / relative
    if not file_path.resolve().is_relative_to(folder.resolve()):
        raise CorpusError(f"{label}: file '{name}' is outside the corpus folder (use a path inside {folder})")
    if not (file_path.exists() or file_path.is_symlink()):
        raise CorpusError(f"{label}: file '{name}' does not exist in {folder}")
    return file_path, relative


def _read_table(path: Path, kind: str) -> tuple[pd.DataFrame, list[str]]:
    if kind == "csv":
        table = _read_csv(path, path.name)
        first_row = 2
    elif kind == "jsonl":
        table = _read_jsonl(path)
        first_row = 1
    else:
        table = _read_parquet(path)
        first_row = 1
    _require_columns(table, TABLE_REQUIRED, path)
    texts = [normalize_text(value) for value in table["text"]]
    if "doc_id" not in table.columns:
        table.insert(0, "doc_id", [f"doc-{number:04d}" for number in range(1, len(table) + 1)])
    documents = _document_table(table.drop(columns=["text"]), path, path.name, first_row=first_row)
    documents["source"] = [f"{path.name}#{number}" for number in range(first_row, first_row + len(table))]
    labels = [f"{path}: row {number} (doc_id '{doc_id}')" for number, doc_id in
              zip(range(first_row, first_row + len(table)), documents["doc_id"])]
    _check_texts(documents, texts, labels)
    return documents, texts


def _read_csv(path: Path, name: str) -> pd.DataFrame:
    """Return the CSV file at ``path`` as strings ('' for an empty cell); ``name`` labels warnings."""
    text = decode_bytes(read_input_bytes(path, "CSV file", MAX_TABLE_FILE_BYTES, error=CorpusError), name)
    try:
        # Read the header as a row, so that empty and repeated column names are seen as written.
        cells = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else "no columns"
        raise CorpusError(f"{path}: not a readable CSV file ({first_line})") from None
    header = [normalize_text(str(cell)).strip() for cell in cells.iloc[0]]
    columns = {header_index: cells[index].iloc[1:].tolist() for header_index, index in enumerate(cells.columns)}
    return _table_of_strings(header, columns, path, first_row=2)


def _read_jsonl(path: Path) -> pd.DataFrame:
    """Return the JSON-lines file at ``path`` as a table of strings ('' for a missing value)."""
    text = decode_bytes(read_input_bytes(path, "JSONL file", MAX_TABLE_FILE_BYTES, error=CorpusError), path.name)
    records, line_numbers = [], []
    # Records end at \n only: U+2028, U+2029 and NEL are valid inside a JSON string.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            record = json.loads(line, object_pairs_hook=_object_without_repeated_keys)
        except json.JSONDecodeError as error:
            raise CorpusError(f"{path}: line {number} is not valid JSON ({error.msg})") from None
        except _RepeatedKey as error:
            raise CorpusError(f"{path}: line {number} has the key '{error.args[0]}' twice (keep one)") from None
        except RecursionError:
            raise CorpusError(
                f"{path}: line {number} is nested too deeply (a record is one flat JSON object)"
            ) from None
        except ValueError as error:  # an integer too long to convert, for one
            raise CorpusError(f"{path}: line {number} is not usable JSON ({error})") from None
        if not isinstance(record, dict):
            raise CorpusError(f"{path}: line {number} is not a JSON object")
        records.append(record)
        line_numbers.append(number)
    if not records:
        raise CorpusError(f"{path}: no records (the file is empty)")
    header = list(dict.fromkeys(key for record in records for key in record))
    columns = {index: [record.get(key) for record in records] for index, key in enumerate(header)}
    return _table_of_strings([normalize_text(key).strip() for key in header], columns, path, rows=line_numbers,
                             row_word="line")


class _RepeatedKey(Exception):
    """A JSON object names the same key twice (json.loads would silently keep the last)."""


def _object_without_repeated_keys(pairs: list[tuple[str, object]]) -> dict:
    record = {}
    for key, value in pairs:
        if key in record:
            raise _RepeatedKey(key)
        record[key] = value
    return record


def _read_parquet(path: Path) -> pd.DataFrame:
    """Return the Parquet file at ``path`` as a table of strings ('' for a missing value)."""
    data = read_input_bytes(path, "Parquet file", MAX_TABLE_FILE_BYTES, error=CorpusError)
    try:
        table = pyarrow.parquet.read_table(pyarrow.BufferReader(data))
        # A pandas index that to_parquet stored as a column is not a field of the documents.
        index_columns = (table.schema.pandas_metadata or {}).get("index_columns", [])
        stored_index = [name for name in index_columns if isinstance(name, str)]
        table = table.drop_columns(stored_index) if stored_index else table
        header = [str(name) for name in table.column_names]
        columns = {index: table.column(index).to_pylist() for index in range(table.num_columns)}
    except Exception as error:  # pyarrow raises many types for a damaged file
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CorpusError(f"{path}: not a readable Parquet file ({message})") from None
    return _table_of_strings([normalize_text(name).strip() for name in header], columns, path, first_row=1)


def _table_of_strings(header: list[str], columns: dict[int, list], path: Path, first_row: int = 1,
                      rows: list[int] | None = None, row_word: str = "row") -> pd.DataFrame:
    """Return the columns as a DataFrame of strings, '' for a missing value (like an empty CSV cell).

    Refuses a column whose name is repeated, a column without a name that holds
    values (one without values, such as a trailing comma's, is dropped), and any
    value that is not text, a number, a boolean or a date: a list, an object, bytes
    that are not UTF-8.
    """
    n_rows = len(next(iter(columns.values()), []))
    rows = rows if rows is not None else list(range(first_row, first_row + n_rows))
    seen: dict[str, int] = {}
    result = {}
    for index, name in enumerate(header):
        values = [_cell_text(value, name, path, row, row_word) for value, row in zip(columns[index], rows)]
        if not name:
            if any(value.strip() for value in values):
                raise CorpusError(
                    f"{path}: column {index + 1} has no name but holds values (name it, or remove it; "
                    f"pandas writes its index this way unless given index=False)"
                )
            continue
        if name in seen:
            raise CorpusError(f"{path}: two columns are named '{name}' (columns {seen[name] + 1} and {index + 1}); "
                              f"rename or remove one")
        seen[name] = index
        result[name] = values
    return pd.DataFrame(result, index=pd.RangeIndex(n_rows), dtype=object)


def _cell_text(value: object, column: str, path: Path, row: int, row_word: str) -> str:
    """Return one table value as text: '' when missing, numbers and dates as written."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    if isinstance(value, (int, decimal.Decimal)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    where = f"{path}: {row_word} {row}, column '{column}'"
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise CorpusError(f"{where}: bytes that are not UTF-8 text (store the column as UTF-8 strings)") from None
    kinds = {list: "a list", tuple: "a list", dict: "an object"}
    kind = kinds.get(type(value), f"a value of type {type(value).__name__}")
    raise CorpusError(f"{where}: holds {kind}, not text (give one text value per cell)")


def _require_columns(table: pd.DataFrame, required: tuple[str, ...], path: Path) -> None:
    missing = [column for column in required if column not in table.columns]
    if missing:
        found = ", ".join(table.columns) if len(table.columns) else "none"
        raise CorpusError(f"{path}: missing required column '{missing[0]}' (found: {found})")
    if table.empty:
        raise CorpusError(f"{path}: no documents listed")


def _document_table(table: pd.DataFrame, path: Path, name: str, first_row: int) -> pd.DataFrame:
    """Return the documents table; ``name`` labels warnings (the file relative to the corpus)."""
    documents = table.copy()
    for column in OPTIONAL_COLUMNS:
        if column not in documents.columns:
            documents[column] = ""
    for column in (*NAME_COLUMNS, "title"):  # a title is shown, not compared, but spaced alike
        documents[column] = [normalize_name(value) for value in documents[column]]
    for offset, row in enumerate(documents.itertuples(index=False)):
        label = f"{path}: row {first_row + offset}"
        if not row.doc_id:
            raise CorpusError(f"{label}: doc_id is empty or missing")
        if not row.outlet:
            raise CorpusError(f"{label} (doc_id '{row.doc_id}'): outlet is empty or missing")
        for column in NAME_COLUMNS:
            value = getattr(row, column)
            if len(value) > MAX_NAME_CHARS:
                raise CorpusError(
                    f"{label}: the {column} is {len(value):,} characters long, more than the {MAX_NAME_CHARS} "
                    f"allowed (a name, not a text: '{value[:40]}…')"
                )
    duplicated = documents["doc_id"][documents["doc_id"].duplicated()]
    if not duplicated.empty:
        raise CorpusError(f"{path}: duplicate doc_id '{duplicated.iloc[0]}'")
    for column in ("outlet", "event"):
        _warn_names_differing_by_case(documents[column], column, name)
    documents["date"] = [
        _iso_date(value, f"{path}: row {first_row + offset} (doc_id '{doc_id}')")
        for offset, (value, doc_id) in enumerate(zip(documents["date"], documents["doc_id"]))
    ]
    ordered = ["doc_id", "outlet", "date", "title", "url", "event"]
    extra = [column for column in documents.columns if column not in ordered]
    return documents[ordered + extra].reset_index(drop=True)


def _warn_names_differing_by_case(names: pd.Series, column: str, source: str) -> None:
    spellings: dict[str, list[str]] = {}
    for value in dict.fromkeys(value for value in names if value):
        spellings.setdefault(value.casefold(), []).append(value)
    for group in spellings.values():
        if len(group) > 1:
            warnings.warn(
                f"{source}: the {column} names {' and '.join(repr(value) for value in group)} differ only by case; "
                f"they are read as {len(group)} {column}s (write them alike to merge them)",
                NameCaseWarning,
                stacklevel=4,
            )


def _iso_date(value: str, label: str) -> str:
    value = str(value).strip()
    if not value:
        return ""
    try:
        return dt.date.fromisoformat(value[:10]).isoformat() if len(value) == 10 else (
            dt.datetime.fromisoformat(value).date().isoformat()
        )
    except ValueError:
        raise CorpusError(f"{label}: date '{value}' is not an ISO 8601 date (write it as YYYY-MM-DD)") from None


def _check_texts(documents: pd.DataFrame, texts: list[str], labels: list[str]) -> None:
    for label, text in zip(labels, texts):
        if not text.strip():
            raise CorpusError(f"{label}: the document is empty (no text, or only whitespace)")


def _clean(
    documents: pd.DataFrame, texts: list[str], rules: CleaningRules, path: Path
) -> tuple[pd.DataFrame, pd.DataFrame]:
    line_rows, paragraph_rows = [], []
    for doc_id, cleaned in _cleaned_documents(documents, texts, rules, path):
        index = 0
        for line in cleaned:
            line_rows.append((doc_id, line.line_number, line.text, line.kept, line.role, line.rule, line.credit))
            if line.kept:
                index += 1
                paragraph_rows.append(
                    (doc_id, f"{doc_id}-p{index:03d}", index - 1, line.line_number,
                     line.role, line.text, line.credit,
                     count_words(line.text))
                )
    lines = pd.DataFrame(line_rows, columns=["doc_id", "line_number", "text", "kept", "role", "rule", "credit"])
    paragraphs = pd.DataFrame(
        paragraph_rows,
        columns=["doc_id", "paragraph_id", "paragraph_index", "line_number", "role", "text", "credit", "n_words"],
    )
    if documents["title"].eq("").any():
        headlines = paragraphs[paragraphs["role"] == "headline"].drop_duplicates("doc_id")
        headline_of = dict(zip(headlines["doc_id"], headlines["text"]))
        fill = documents["doc_id"].map(lambda doc_id: headline_of.get(doc_id, ""))
        documents["title"] = documents["title"].where(documents["title"] != "", fill)
    return lines, paragraphs


def _cleaned_documents(documents: pd.DataFrame, texts: list[str], rules: CleaningRules, path: Path):
    """Yield (doc_id, its :class:`~analysis.cleaning.CleanLine` list) per document, in order; CorpusError for a
    document that has no text left after cleaning."""
    columns = (documents[name].tolist() for name in ("doc_id", "outlet", "title"))
    for (doc_id, outlet, title), text in zip(zip(*columns), texts):
        cleaned = clean_lines(text, rules.for_outlet(outlet), title=title)
        if not any(line.kept and line.role in TEXT_ROLES for line in cleaned):
            raise CorpusError(
                f"{path}: document '{doc_id}' has no text left after cleaning "
                f"(every line matched a removal or metadata rule of {rules.source})"
            )
        yield doc_id, cleaned


def document_sentence_texts(documents: pd.DataFrame, texts: list[str], rules: CleaningRules,
                            path: Path) -> tuple[list[str], list[str]]:
    """Return (doc_id of each sentence, its text) of ``documents`` cleaned by ``rules``.

    The same lists as ``corpus_of_documents(documents, texts, rules, path).sentence_texts()``
    (same cleaning, same errors, same segmenter), without building the corpus's
    tables: what counting terms in a slice of a large corpus needs.
    """
    return _segmented((doc_id, line.text) for doc_id, cleaned in _cleaned_documents(documents, texts, rules, path)
                      for line in cleaned if line.kept and line.role in TEXT_ROLES)


def _segmented(paragraphs) -> tuple[list[str], list[str]]:
    """Return (doc_id of each sentence, its text) of the (doc_id, paragraph text) pairs ``paragraphs``, in order."""
    doc_ids, sentences = [], []
    for doc_id, text in paragraphs:
        spans = sentence_spans(text)
        sentences.extend(text[start:end] for start, end in spans)
        doc_ids.extend([doc_id] * len(spans))
    return doc_ids, sentences


def file_sha256(path: Path) -> str:
    """Return the SHA-256 hex digest of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()
