"""Reading a corpus table for :mod:`analysis.measure` without holding its texts: metadata, text digests, row slices.

Steps, in order:

1. :func:`read_corpus_index` reads the corpus once and returns a
   :class:`CorpusIndex`: the validated documents table (exactly that of
   :func:`analysis.corpus.read_document_table`), the SHA-256 of each document's
   text, the files read and the SHA-256 of the first of them. A JSONL or Parquet
   file is read a line or a batch at a time, keeping each record's metadata and a
   digest of its text; the metadata (with each text replaced by a stand-in that is
   empty exactly when the text is) is then validated by ``read_document_table``
   itself, so every check, warning and error is the one ``read_corpus`` gives.
2. :meth:`CorpusIndex.texts` returns the texts of rows ``start`` to ``stop``, read
   again from the file (a byte range of a JSONL file, row groups of a Parquet
   file), so that the driver holds one partition's texts at a time.

A file that is not plain UTF-8 (legacy encodings and bad bytes are judged on the
whole file), any problem the streaming read meets, and CSV files (the encoding is
judged on the whole file, and cells can hold line breaks) are read whole by
``read_document_table``, as before; the index then keeps their texts.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow
import pyarrow.parquet

from analysis.corpus import file_sha256, read_document_table
from analysis.errors import AnalysisError, CorpusError
from analysis.files import MAX_TABLE_FILE_BYTES
from analysis.text import normalize_text

TEXT_COLUMN = "text"
READ_BLOCK_BYTES = 1 << 20


@dataclass
class CorpusIndex:
    """A corpus read for measuring: its documents table, text digests, files, and where the texts are.

    ``documents`` and ``files`` are those of
    :func:`analysis.corpus.read_document_table`; ``digests`` holds the SHA-256 of
    each document's text (of its file's bytes for a corpus folder, computed by the
    caller, so empty here); ``first_file_sha256`` is the hex SHA-256 of
    ``files[0]``. ``kind`` is ``folder``, ``jsonl``, ``parquet`` or ``whole`` (a
    table read whole: ``whole_texts`` holds its texts).
    """

    path: Path
    kind: str
    documents: pd.DataFrame
    files: tuple[Path, ...]
    digests: list[bytes]
    first_file_sha256: str
    line_offsets: list[int] = field(default_factory=list, repr=False)  # JSONL: byte offset of each record's line
    whole_texts: list[str] | None = field(default=None, repr=False)
    parquet_cursor: dict | None = field(default=None, repr=False)  # Parquet: where the last read stopped

    def texts(self, start: int, stop: int) -> list[str] | None:
        """Return the texts of rows ``start`` to ``stop`` (None for a corpus folder: the workers read its files).

        Raises CorpusError when the file changed since it was indexed (a text's
        digest differs).
        """
        if self.kind == "folder":
            return None
        if self.kind == "whole":
            return self.whole_texts[start:stop]
        texts = _jsonl_texts(self, start, stop) if self.kind == "jsonl" else _parquet_texts(self, start, stop)
        for offset, text in enumerate(texts):
            if hashlib.sha256(text.encode("utf-8")).digest() != self.digests[start + offset]:
                raise CorpusError(f"{self.path}: the file changed while it was measured (row {start + offset + 1}); "
                                  "measure it again")
        return texts


def read_corpus_index(path: Path | str) -> CorpusIndex:
    """Return the :class:`CorpusIndex` of the corpus at ``path`` (a folder, or a CSV, JSONL or Parquet file).

    Errors and warnings are those of :func:`analysis.corpus.read_document_table`.
    """
    path = Path(path)
    if path.is_dir():
        documents, _, files = read_document_table(path)
        return CorpusIndex(path, "folder", documents, files, [], file_sha256(files[0]))
    suffix = path.suffix.lower()
    indexed = None
    if _streamable(path):
        if suffix in (".jsonl", ".ndjson"):
            indexed = _index_jsonl(path)
        elif suffix in (".parquet", ".pq"):
            indexed = _index_parquet(path)
    if indexed is not None:
        return indexed
    documents, texts, files = read_document_table(path)
    digests = [hashlib.sha256(text.encode("utf-8")).digest() for text in texts]
    return CorpusIndex(path, "whole", documents, files, digests, file_sha256(path), whole_texts=texts)


def _streamable(path: Path) -> bool:
    """Return whether ``path`` is a regular file within the size limit (else the whole reader gives the error)."""
    try:
        status = os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(status.st_mode) and status.st_size <= MAX_TABLE_FILE_BYTES


class _Unstreamable(Exception):
    """The streaming read met something only the whole-file reader judges (it gives the message or the text)."""


# --- JSONL ----------------------------------------------------------------------------------------------------


def _index_jsonl(path: Path) -> CorpusIndex | None:
    """Return the index of a JSONL corpus read a line at a time, or None when it must be read whole."""
    digest = hashlib.sha256()
    key_names: dict[str, str] = {}
    offsets, digests, stand_ins = [], [], []
    try:
        with open(path, "rb") as handle, tempfile.TemporaryDirectory(prefix="measure-index-") as folder:
            metadata = Path(folder) / path.name  # the same name: documents' sources and warnings name the file
            with open(metadata, "w", encoding="utf-8") as out:
                offset = 0
                for number, raw in enumerate(handle, start=1):
                    digest.update(raw)
                    start, offset = offset, offset + len(raw)
                    if b"\x00" in raw:
                        raise _Unstreamable
                    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                        raw = raw[3:]
                    try:
                        line = raw.decode("utf-8").removesuffix("\n").removesuffix("\r")
                    except UnicodeDecodeError:
                        raise _Unstreamable from None
                    if not line.strip():
                        continue
                    try:
                        record = json.loads(line, object_pairs_hook=_object_without_repeated_keys)
                    except (ValueError, RecursionError, _Unstreamable):
                        raise _Unstreamable from None
                    if not isinstance(record, dict):
                        raise _Unstreamable
                    text_digest = _replace_text(record, key_names)
                    offsets.append(start)
                    digests.append(text_digest)
                    stand_ins.append(text_digest is None)
                    out.write(json.dumps(record, ensure_ascii=True) + "\n")
            documents, texts = _validated(metadata, path)
    except (_Unstreamable, OSError):
        return None
    # Texts that were not strings (numbers, booleans) are short: the validated table has them as read_corpus does.
    digests = [hashlib.sha256(text.encode("utf-8")).digest() if stand_in else text_digest
               for text_digest, stand_in, text in zip(digests, stand_ins, texts)]
    return CorpusIndex(path, "jsonl", documents, (path,), digests, digest.hexdigest(), line_offsets=offsets)


def _replace_text(record: dict, key_names: dict[str, str]) -> bytes | None:
    """Replace the record's text by a stand-in that is empty exactly when the text is; return the text's digest.

    A text that is not a string is left as it is (its digest is None: the caller
    takes the text from the validated table).
    """
    keys = [key for key in record if key_names.setdefault(key, normalize_text(key).strip()) == TEXT_COLUMN]
    if len(keys) > 1:
        raise _Unstreamable  # two columns named text: the whole reader says so
    if not keys:
        return None
    value = record[keys[0]]
    if not isinstance(value, str):
        return None
    text = normalize_text(value)
    record[keys[0]] = "x" if text.strip() else ""
    return hashlib.sha256(text.encode("utf-8")).digest()


def _object_without_repeated_keys(pairs: list[tuple[str, object]]) -> dict:
    record = {}
    for key, value in pairs:
        if key in record:
            raise _Unstreamable
        record[key] = value
    return record


def _jsonl_texts(index: CorpusIndex, start: int, stop: int) -> list[str]:
    """Return the texts of records ``start`` to ``stop`` of an indexed JSONL file, read from their byte range."""
    first = index.line_offsets[start]
    last = index.line_offsets[stop] if stop < len(index.line_offsets) else None
    with open(index.path, "rb") as handle:
        handle.seek(first)
        data = handle.read() if last is None else handle.read(last - first)
    if first == 0 and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    texts = []
    for line in data.decode("utf-8").split("\n"):
        if not line.removesuffix("\r").strip():
            continue
        record = json.loads(line.removesuffix("\r"))
        keys = [key for key in record if normalize_text(key).strip() == TEXT_COLUMN]
        value = record[keys[0]] if keys else None
        texts.append(normalize_text(value) if isinstance(value, str) else None)
    if len(texts) != stop - start:
        raise CorpusError(f"{index.path}: the file changed while it was measured; measure it again")
    if any(text is None for text in texts):  # a text that was not a string: read it as the whole reader does
        whole = _validated_texts(index.path)
        texts = [whole[start + offset] if text is None else text for offset, text in enumerate(texts)]
    return texts


# --- Parquet --------------------------------------------------------------------------------------------------


def _index_parquet(path: Path) -> CorpusIndex | None:
    """Return the index of a Parquet corpus read a batch at a time, or None when it must be read whole."""
    try:
        parquet = pyarrow.parquet.ParquetFile(path)
        schema = parquet.schema_arrow
        names = [normalize_text(str(name)).strip() for name in schema.names]
        if names.count(TEXT_COLUMN) != 1:
            return None
        text_name = schema.names[names.index(TEXT_COLUMN)]
        text_type = schema.field(text_name).type
        if not (pyarrow.types.is_string(text_type) or pyarrow.types.is_large_string(text_type)):
            return None
        digests, stand_ins = [], []
        for batch in parquet.iter_batches(columns=[text_name], batch_size=4096):
            for value in batch.column(0).to_pylist():
                if value is None:
                    digests.append(hashlib.sha256(b"").digest())
                    stand_ins.append(None)
                    continue
                text = normalize_text(value)
                digests.append(hashlib.sha256(text.encode("utf-8")).digest())
                stand_ins.append("x" if text.strip() else "")
        others = [name for name in schema.names if name != text_name]
        table = parquet.read(columns=others) if others else pyarrow.table({})
        columns = {name: (pyarrow.array(stand_ins, type=pyarrow.string()) if name == text_name
                          else table.column(name)) for name in schema.names}
        metadata = pyarrow.Table.from_arrays(list(columns.values()), names=schema.names).replace_schema_metadata(
            schema.metadata)
        with tempfile.TemporaryDirectory(prefix="measure-index-") as folder:
            stand_in = Path(folder) / path.name
            pyarrow.parquet.write_table(metadata, stand_in)
            documents, _ = _validated(stand_in, path)
    except (_Unstreamable, OSError, pyarrow.ArrowException):
        return None
    return CorpusIndex(path, "parquet", documents, (path,), digests, file_sha256(path))


def _parquet_texts(index: CorpusIndex, start: int, stop: int) -> list[str]:
    """Return the texts of rows ``start`` to ``stop`` of an indexed Parquet file.

    Partitions are asked for in order, so the file is read once, a batch at a
    time, from where the last call stopped (a file of one large row group is not
    read again for each partition); asking for earlier rows starts again.
    """
    cursor = index.parquet_cursor
    if cursor is None or cursor["position"] > start:
        parquet = pyarrow.parquet.ParquetFile(index.path)
        names = [normalize_text(str(name)).strip() for name in parquet.schema_arrow.names]
        text_name = parquet.schema_arrow.names[names.index(TEXT_COLUMN)]
        cursor = {"batches": parquet.iter_batches(columns=[text_name], batch_size=1024), "position": 0,
                  "values": []}
        index.parquet_cursor = cursor
    texts = []
    while cursor["position"] < stop:
        if not cursor["values"]:
            batch = next(cursor["batches"], None)
            if batch is None:
                raise CorpusError(f"{index.path}: the file changed while it was measured; measure it again")
            cursor["values"] = batch.column(0).to_pylist()
        take = min(len(cursor["values"]), stop - cursor["position"])
        for offset, value in enumerate(cursor["values"][:take]):
            if cursor["position"] + offset >= start:
                texts.append("" if value is None else normalize_text(value))
        cursor["values"] = cursor["values"][take:]
        cursor["position"] += take
    return texts


# --- validation -----------------------------------------------------------------------------------------------


def _validated(stand_in: Path, path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Return the documents table and texts of ``stand_in`` (the corpus's metadata), validated as read_corpus does.

    Any error is given as ``read_document_table`` gives it on the corpus file
    itself (the stand-in's messages would name the wrong file and line).
    """
    try:
        documents, texts, _ = read_document_table(stand_in)
    except AnalysisError:
        read_document_table(path)  # raises the error with the corpus file's name, line and row
        raise _Unstreamable from None  # not expected: the whole reader accepts what the stand-in did not
    return documents, texts


def _validated_texts(path: Path) -> list[str]:
    return read_document_table(path)[1]
