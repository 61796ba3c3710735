"""Measuring a corpus once, in partitions and in parallel, into a study folder of tables.

Steps, in order:

1. :func:`corpus_partitions` splits the documents table (read by
   :func:`analysis.partitions.read_corpus_index`, which keeps no text) into
   partitions of ``partition_size`` documents (boundaries depend on the input and
   that size only), each with a key hashed from its content, the options and the
   package version.
2. :func:`measure_partition` cleans one partition exactly as
   :func:`analysis.corpus.read_corpus` cleans the whole corpus and returns its
   partial tables (:class:`PartialTables`): documents, the term matrix, sentence
   tone, frame matches and attributions; :func:`measure_partition_files` returns
   them as the files of the partition's cache folder (what a worker sends back).
3. Exact reductions, a partition at a time in corpus order: :class:`TableStream`
   writes each per-document and per-sentence table as ``parquet_bytes`` of the
   stacked table would be; :class:`TermSums` sums the term matrices per outlet,
   from which :func:`term_counts_from_sums` and :func:`keyness_from_sums` (with
   :func:`dispersion_by_outlet`, a second pass over the cached document counts)
   give the whole corpus's tables.
4. :func:`measure` runs it all with Dask (in-process, local processes, or any
   ``distributed`` scheduler), reuses the partitions cached in the study folder,
   and writes ``tables/NAME.parquet`` and ``manifest.json``; :func:`load_study`
   and :func:`open_study` read the study back.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import json
import os
import secrets
import shutil
import sys
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.parquet
from scipy import sparse

from analysis import __version__
from analysis.cleaning import CleaningRules, read_cleaning_rules
from analysis.corpus import Corpus, corpus_of_documents, read_document_texts
from analysis.errors import AnalysisError
from analysis.files import holds_marker, is_empty_folder, read_input_bytes
from analysis.output import OutputError, make_folder, write_text_atomic
from analysis.paths import DEFAULT_CLEANING_RULES, PROJECT_ROOT

DEFAULT_PARTITION_SIZE = 250  # several partitions per worker on a corpus of a million words (about 1,650 articles)
TASKS_PER_WORKER = 3  # partitions submitted and not yet reduced, per worker: bounds the driver's memory
ROW_GROUP_ROWS = 100_000  # rows per Parquet row group: fixed, so the files do not depend on the machine
STUDY_MARKER = ".framing-study"
STUDY_MARKER_TEXT = ("This folder is a study written by `python -m analysis measure`; "
                     "a new measure run updates the files in it.\n")
MEASURE_FORMAT = 2  # raise when partial tables change shape, so that old cached partitions are not reused
TABLE_NAMES = ("documents", "lines", "paragraphs", "sentences", "term_counts_by_outlet", "keyness", "sentence_tone",
               "frame_matches", "attributions")
CORPUS_TABLES = ("lines", "paragraphs", "sentences")  # the cleaned corpus, from which open_study rebuilds it
VERSIONED_PACKAGES = ("pandas", "numpy", "scipy", "pyarrow", "vaderSentiment", "google-re2", "dask", "distributed")


class StudyError(AnalysisError):
    """The study folder cannot be written or read (a folder of someone else's files, a missing table …)."""


@dataclass(frozen=True)
class MeasureOptions:
    """What every partition is measured with: cleaning rules, n-gram length, codebook and source rules."""

    rules: CleaningRules
    ngram: int = 1
    codebook: object | None = None  # analysis.codebook.Codebook
    sources: object | None = None  # analysis.sources.SourceRules
    fingerprint: str = ""  # SHA-256 of the options' files and values and the package version


@dataclass(frozen=True)
class Partition:
    """One slice of the documents table: ``number`` (0-based), rows ``start`` to ``stop``, and its cache key."""

    number: int
    start: int
    stop: int
    content_sha256: str
    key: str


@dataclass
class PartialTables:
    """The tables measured on one partition (see :func:`measure_partition`)."""

    documents: pd.DataFrame
    lines: pd.DataFrame
    paragraphs: pd.DataFrame
    sentences: pd.DataFrame
    counts: sparse.csr_matrix
    sentence_counts: sparse.csr_matrix
    gram_positions: np.ndarray
    terms: np.ndarray
    matrix_documents: pd.DataFrame
    sentence_tone: pd.DataFrame
    attributions: pd.DataFrame
    frame_matches: pd.DataFrame | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (warning class name, message)


# --- 1. partitions ---------------------------------------------------------------------------------------------


def corpus_partitions(documents: pd.DataFrame, text_digests: list[bytes], options: MeasureOptions,
                      partition_size: int) -> list[Partition]:
    """Return the partitions of ``partition_size`` consecutive documents, each keyed by its content and the options.

    A partition's content is its rows of the documents table and the digests of
    its texts (:func:`text_digests`), so the key changes when anything the
    partition's tables depend on changes.
    """
    partitions = []
    for number, start in enumerate(range(0, len(documents), partition_size)):
        stop = min(start + partition_size, len(documents))
        digest = hashlib.sha256()
        rows = documents.iloc[start:stop]
        digest.update(json.dumps([list(rows.columns)] + rows.astype(str).values.tolist(),
                                 ensure_ascii=False).encode("utf-8"))
        for text_digest in text_digests[start:stop]:
            digest.update(text_digest)
        content = digest.hexdigest()
        key = hashlib.sha256(f"{content}\n{options.fingerprint}".encode()).hexdigest()[:32]
        partitions.append(Partition(number, start, stop, content, key))
    return partitions


def text_digests(documents: pd.DataFrame, texts: list[str] | None, corpus_path: Path) -> list[bytes]:
    """Return the SHA-256 digest of each document's text: of its file's bytes for a corpus folder (``texts`` None).

    A file that cannot be read hashes as its error, which the partition reading it reports.
    """
    if texts is not None:
        return [hashlib.sha256(text.encode("utf-8")).digest() for text in texts]
    digests = []
    for source in documents["source"]:
        try:
            digests.append(hashlib.sha256(read_input_bytes(corpus_path / source)).digest())
        except AnalysisError as error:
            digests.append(hashlib.sha256(str(error).encode("utf-8")).digest())
    return digests


def measure_options(rules=None, codebook=None, sources=None, ngram: int = 1) -> tuple[MeasureOptions, dict]:
    """Return the :class:`MeasureOptions` for these files and values, and their description for the manifest."""
    from analysis.codebook import read_codebook
    from analysis.lists import source_rules
    from analysis.vocabulary import TermOptions

    TermOptions(ngram)  # checks the n-gram length
    described = describe_options(rules, codebook, sources)
    values = {"ngram": ngram, "files": described, "version": __version__, "format": MEASURE_FORMAT}
    fingerprint = _sha256(json.dumps(values, sort_keys=True).encode("utf-8"))
    options = MeasureOptions(
        read_cleaning_rules(rules), ngram, read_codebook(codebook) if codebook is not None else None,
        source_rules(Path(sources) if sources is not None else None), fingerprint,
    )
    return options, described


def describe_options(rules=None, codebook=None, sources=None) -> dict:
    """Return how a manifest names these data files: ``{"rules"|"codebook"|"sources": {"file", "sha256"} or None}``.

    The files are hashed, not parsed, so comparing a study's options with other
    files costs no more than reading them.
    """
    files = {"rules": rules, "codebook": codebook, "sources": sources}
    described = {}
    for name, path in files.items():
        if path is None:
            described[name] = None if name != "rules" else {"file": "default", "sha256": _sha256(
                read_input_bytes(DEFAULT_CLEANING_RULES))}
        else:
            described[name] = {"file": Path(path).name, "sha256": _sha256(read_input_bytes(path, "data file"))}
    if sources is None:
        from analysis.sources import DEFAULT_SOURCE_RULES

        described["sources"] = {"file": "default (no categories)",
                                "sha256": _sha256(read_input_bytes(DEFAULT_SOURCE_RULES))}
    return described


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- 2. one partition ------------------------------------------------------------------------------------------


def measure_partition(corpus_path: Path, documents: pd.DataFrame, texts: list[str] | None,
                      options: MeasureOptions) -> PartialTables | AnalysisError:
    """Return the :class:`PartialTables` of one partition (its rows of the documents table, and their texts).

    ``texts`` None reads them from the corpus folder ``corpus_path``. A problem
    with the input is returned, not raised, so that the first bad partition in
    corpus order is the one reported whatever the engine.
    """
    from analysis.framing import frame_matches
    from analysis.sources import attributions
    from analysis.tone import sentence_tone
    from analysis.vocabulary import default_options, term_matrix

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            documents = documents.reset_index(drop=True)
            if texts is None:
                texts = read_document_texts(corpus_path, documents)
            corpus = corpus_of_documents(documents, texts, options.rules, corpus_path)
            matrix = term_matrix(corpus, default_options(options.ngram))
            summary = corpus.summary()
            table = corpus.documents.copy()
            table["n_sentences"] = summary["n_sentences"].to_numpy()
            table["n_words"] = summary["n_words"].to_numpy()
            partial = PartialTables(
                documents=table, lines=corpus.lines, paragraphs=corpus.paragraphs, sentences=corpus.sentences,
                counts=matrix.counts, sentence_counts=matrix.sentence_counts,
                gram_positions=matrix.gram_positions, terms=matrix.terms, matrix_documents=matrix.documents,
                sentence_tone=sentence_tone(corpus),
                attributions=attributions(corpus, options.sources),
                frame_matches=frame_matches(corpus, options.codebook) if options.codebook is not None else None,
            )
        except AnalysisError as error:
            return error
    partial.warnings = [(warning.category.__name__, str(warning.message)) for warning in caught]
    return partial


# --- 3. combining ----------------------------------------------------------------------------------------------


def _stacked(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Return the tables one below the other; empty tables add nothing (and leave the column types alone)."""
    filled = [table for table in tables if len(table)]
    if not filled:
        return tables[0].iloc[0:0].reset_index(drop=True)
    return pd.concat(filled, ignore_index=True) if len(filled) > 1 else filled[0].reset_index(drop=True)


# --- 3b. streaming reductions ----------------------------------------------------------------------------------


class TableStream:
    """One study table written to a Parquet file a partition at a time, byte for byte as :func:`parquet_bytes`.

    ``parquet_bytes`` of the stacked table writes row groups of
    :data:`ROW_GROUP_ROWS` rows, and the Parquet writer encodes each column a
    piece of Arrow array at a time: where one piece ends, a data page may end and
    the dictionary may fill differently. So the file depends on how the stacked
    table's columns are laid out in memory, which this class reproduces: a column
    pandas holds in Arrow (text) keeps each partition's pieces, one it holds in
    NumPy (numbers, booleans) is one piece per row group, as ``pd.concat`` and
    ``pyarrow.Table.from_pandas`` lay them out. When a partition's column types
    differ from the first partition's (pandas would give the stacked column a
    common type), the stream stops and :attr:`needs_whole` is set: the caller
    writes that table whole.
    """

    def __init__(self, path: Path):
        self.path = path
        self.n_rows = 0
        self.needs_whole = False
        self._empty: pd.DataFrame | None = None
        self._dtypes = None
        self._schema = None
        self._in_pieces: list[bool] = []
        self._writer = None
        self._columns: list[list] = []  # per column, the Arrow arrays buffered, in order
        self._buffered = 0

    def add(self, table: pd.DataFrame) -> None:
        """Append one partition's rows (an empty table adds nothing, as :func:`_stacked` leaves it out)."""
        if self.needs_whole:
            return
        if not len(table):
            if self._empty is None and self._schema is None:
                self._empty = table.iloc[0:0].reset_index(drop=True)
            return
        arrow = arrow_table(table)
        dtypes = [str(dtype) for dtype in table.dtypes]
        if self._schema is None:
            if any(pyarrow.types.is_dictionary(column.type) for column in arrow.schema):
                self._give_up()
                return
            self._schema, self._dtypes = arrow.schema, dtypes
            self._in_pieces = [isinstance(table[name].array, pd.arrays.ArrowExtensionArray | pd.arrays.ArrowStringArray)
                               for name in table.columns]
            self._columns = [[] for _ in self._in_pieces]
            self._writer = pyarrow.parquet.ParquetWriter(self.path, self._schema, compression="zstd")
        elif dtypes != self._dtypes or arrow.schema != self._schema:
            self._give_up()
            return
        for pieces, column in zip(self._columns, arrow.columns):
            pieces.extend(chunk for chunk in column.chunks)
        self._buffered += arrow.num_rows
        self.n_rows += arrow.num_rows
        while self._buffered >= ROW_GROUP_ROWS:
            self._write_group(ROW_GROUP_ROWS)

    def close(self) -> None:
        """Write the last rows and the footer (for a table without rows: ``parquet_bytes`` of the empty table)."""
        if self.needs_whole:
            return
        if self._writer is None:
            self.path.write_bytes(parquet_bytes(self._empty))
            return
        if self._buffered:
            self._write_group(self._buffered)
        self._writer.close()
        self._writer = None

    def abandon(self) -> None:
        """Close the file without finishing it (the caller removes it)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def _give_up(self) -> None:
        self.abandon()
        self.needs_whole = True
        self._columns = []

    def _write_group(self, n_rows: int) -> None:
        arrays = []
        for index, pieces in enumerate(self._columns):
            taken, left, rest = [], n_rows, []
            for position, piece in enumerate(pieces):
                if left == 0:
                    rest = pieces[position:]
                    break
                if len(piece) <= left:
                    taken.append(piece)
                    left -= len(piece)
                else:
                    taken.append(piece.slice(0, left))
                    rest = [piece.slice(left)] + pieces[position + 1:]
                    left = 0
                    break
            self._columns[index] = rest
            if not self._in_pieces[index]:
                taken = [pyarrow.concat_arrays(taken)] if len(taken) > 1 else taken
            arrays.append(pyarrow.chunked_array(taken, type=self._schema.field(index).type))
        group = pyarrow.Table.from_arrays(arrays, schema=self._schema)
        self._writer.write_table(group, row_group_size=ROW_GROUP_ROWS)
        self._buffered -= n_rows


class TermSums:
    """Per-outlet sums of the partitions' term matrices, added a partition at a time in corpus order.

    Holds, per outlet and term, the count, the sentences and the documents
    containing it, and per outlet its words, n-gram positions and documents: what
    ``term_counts_by_outlet`` needs, and all that :func:`analysis.vocabulary.keyness`
    needs but Gries's DP (see :func:`keyness_from_sums`). Memory grows with the
    vocabulary and the outlets, not with the documents.
    """

    def __init__(self, ngram: int):
        self.outlets: dict[str, int] = {}
        self.term_ids: dict[str, int] = {}
        self.sizes: list[int] = []
        self.n_documents: list[int] = []
        self.positions = np.zeros((0, ngram), dtype=np.int64)
        self._pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # rows, term ids, [count, sentences, docs]
        self._pending = 0
        self._sums = None  # (rows, term ids, values) after the last compaction

    def add(self, part: PartialTables) -> None:
        """Add one partition's term matrix."""
        outlets = part.matrix_documents["outlet"].tolist()
        for outlet in outlets:
            if outlet not in self.outlets:
                self.outlets[outlet] = len(self.outlets)
                self.sizes.append(0)
                self.n_documents.append(0)
        codes = np.fromiter(map(self.outlets.__getitem__, outlets), dtype=np.int64, count=len(outlets))
        words = part.matrix_documents["n_words"].to_numpy().astype(np.int64)
        for code, size in zip(codes.tolist(), words.tolist()):
            self.sizes[code] += size
            self.n_documents[code] += 1
        if len(self.positions) < len(self.outlets):
            self.positions = np.vstack([self.positions, np.zeros((len(self.outlets) - len(self.positions),
                                                                   self.positions.shape[1]), dtype=np.int64)])
        np.add.at(self.positions, codes, np.asarray(part.gram_positions, dtype=np.int64))
        ids = np.fromiter((self.term_ids.setdefault(term, len(self.term_ids)) for term in part.terms.tolist()),
                          dtype=np.int64, count=len(part.terms))
        indicator = sparse.csr_matrix((np.ones(len(codes), dtype=np.int64), (codes, np.arange(len(codes)))),
                                      shape=(len(self.outlets), len(codes)))
        present = sparse.csr_matrix(part.counts, dtype=np.int64, copy=True)
        present.data[:] = 1
        summed = [(indicator @ sparse.csr_matrix(matrix, dtype=np.int64)).tocoo()
                  for matrix in (part.counts, part.sentence_counts, present)]
        # The three sums share the counts' non-zero cells (a term counted in a document is in one of its sentences).
        keys = [summed[0].row.astype(np.int64), ids[summed[0].col]]
        values = np.zeros((summed[0].nnz, 3), dtype=np.int64)
        values[:, 0] = summed[0].data
        for column, matrix in ((1, summed[1]), (2, summed[2])):
            values[:, column] = _aligned(summed[0], matrix)
        self._pieces.append((keys[0], keys[1], values))
        self._pending += len(values)
        if self._sums is None or self._pending > max(1_000_000, len(self._sums[0])):
            self._compact()

    def _compact(self) -> None:
        pieces = self._pieces if self._sums is None else [self._sums, *self._pieces]
        rows = np.concatenate([piece[0] for piece in pieces])
        ids = np.concatenate([piece[1] for piece in pieces])
        values = np.concatenate([piece[2] for piece in pieces])
        order = np.lexsort((ids, rows))
        rows, ids, values = rows[order], ids[order], values[order]
        starts = np.flatnonzero(np.r_[True, (rows[1:] != rows[:-1]) | (ids[1:] != ids[:-1])]) if len(rows) else \
            np.zeros(0, dtype=np.int64)
        self._sums = (rows[starts], ids[starts], np.add.reduceat(values, starts, axis=0) if len(rows) else values)
        self._pieces, self._pending = [], 0

    def finish(self):
        """Return the reduced :class:`analysis.vocabulary.TermMatrix`: one row per outlet (as a document), terms
        sorted, and the outlets × terms matrix of documents containing each term."""
        from analysis.vocabulary import TermMatrix

        self._compact()
        terms = list(self.term_ids)
        order = sorted(range(len(terms)), key=terms.__getitem__)
        position = np.empty(len(terms), dtype=np.int64)
        position[order] = np.arange(len(terms), dtype=np.int64)
        rows, ids, values = self._sums
        shape = (len(self.outlets), len(terms))

        def matrix(column: int) -> sparse.csr_matrix:
            built = sparse.csr_matrix((values[:, column], (rows, position[ids])), shape=shape, dtype=np.int64)
            built.sum_duplicates()
            built.eliminate_zeros()
            return built

        names = list(self.outlets)
        documents = pd.DataFrame({"doc_id": names, "outlet": names, "event": [""] * len(names),
                                  "n_words": np.asarray(self.sizes, dtype=np.int64)})
        reduced = TermMatrix(matrix(0), np.asarray([terms[index] for index in order], dtype=object), documents,
                             matrix(1), self.positions.copy())
        return reduced, matrix(2)


def _aligned(reference: sparse.coo_matrix, other: sparse.coo_matrix) -> np.ndarray:
    """Return ``other``'s values at the cells of ``reference`` (0 where it has none)."""
    table = sparse.csr_matrix(other)
    return np.asarray(table[reference.row, reference.col]).ravel().astype(np.int64)


def term_counts_from_sums(reduced, n_documents: sparse.csr_matrix) -> pd.DataFrame:
    """Return ``term_counts_by_outlet`` (see :func:`term_counts_by_outlet`) from the per-outlet sums."""
    counts = reduced.counts.tocoo()
    order = np.lexsort((counts.col, counts.row))
    rows, columns = counts.row[order], counts.col[order]
    names = reduced.documents["outlet"].tolist()
    return pd.DataFrame({
        "outlet": np.asarray(names, dtype=object)[rows] if len(rows) else np.zeros(0, dtype=object),
        "term": reduced.terms[columns],
        "count": counts.data[order].astype(np.int64),
        "n_documents": np.asarray(n_documents[rows, columns]).ravel().astype(np.int64),
    })


def keyness_from_sums(reduced, n_documents: sparse.csr_matrix, partitions, corpus_path: Path,
                      rules: CleaningRules) -> pd.DataFrame:
    """Return the ``keyness`` table (each outlet against the rest) from the per-outlet sums and the cached partitions.

    :func:`analysis.vocabulary.keyness` runs on the reduced matrix (one row per
    outlet: counts, sentences, words and n-gram positions are sums, so every
    statistic is that of the whole corpus); ``n_documents`` comes from the sums of
    documents containing each term, and Gries's DP from :func:`dispersion_by_outlet`,
    which reads each partition's document counts again.
    """
    from analysis.vocabulary import KEYNESS_COLUMNS, keyness

    stand_in = Corpus(reduced.documents.assign(date="", title="", url="", source=""), pd.DataFrame(), pd.DataFrame(),
                      corpus_path, rules)
    if len(stand_in.outlets) < 2:
        return pd.DataFrame(columns=KEYNESS_COLUMNS)
    table = keyness(stand_in, matrix=reduced)
    names = reduced.documents["outlet"].tolist()
    rows = table["outlet"].map({name: code for code, name in enumerate(names)}).to_numpy()
    columns = pd.Index(reduced.terms).get_indexer(table["term"])
    table["n_documents"] = np.asarray(n_documents[rows, columns]).ravel().astype(np.int64)
    keys, dispersion = dispersion_by_outlet(reduced, partitions)
    wanted = rows.astype(np.int64) * len(reduced.terms) + columns
    found = np.searchsorted(keys, wanted)
    inside = found < len(keys)
    inside[inside] = keys[found[inside]] == wanted[inside]
    table["dp"] = np.where(inside, dispersion[np.minimum(found, max(len(keys) - 1, 0))] if len(keys) else np.nan,
                           np.nan)
    return table


def dispersion_by_outlet(reduced, partitions) -> tuple[np.ndarray, np.ndarray]:
    """Return Gries's DP of each term over each outlet's documents, for the outlet and term cells the outlet uses.

    Returns the sorted cell keys (outlet × number of terms + term, the cells of
    ``reduced.counts``) and the DP of each (NaN for an outlet of one document).
    ``partitions`` yields each partition's (term matrix documents, counts, terms)
    in corpus order. Equals :func:`analysis.vocabulary.gries_dp` over the
    outlet's documents bit for bit: each cell adds the same terms in the same
    order (documents in corpus order), from the same totals. Memory grows with
    the cells, not with the documents.
    """
    names = reduced.documents["outlet"].tolist()
    code_of = {name: code for code, name in enumerate(names)}
    column_of = {term: index for index, term in enumerate(reduced.terms.tolist())}
    n_terms = len(reduced.terms)
    counts = sparse.csr_matrix(reduced.counts)
    counts.sort_indices()
    keys = np.repeat(np.arange(len(names), dtype=np.int64), np.diff(counts.indptr)) * n_terms + counts.indices
    totals = counts.data.astype(float)  # each outlet's count of each term it uses
    sizes = reduced.documents["n_words"].to_numpy().astype(float)
    deviation = np.zeros(len(keys), dtype=float)
    n_documents = np.zeros(len(names), dtype=np.int64)
    for documents, matrix, terms in partitions:
        codes = documents["outlet"].map(code_of).to_numpy().astype(np.int64)
        np.add.at(n_documents, codes, 1)
        matrix = sparse.csr_matrix(matrix, dtype=float).tocoo()
        columns = np.fromiter(map(column_of.__getitem__, terms.tolist()), dtype=np.int64, count=len(terms))
        rows = codes[matrix.row]
        cells = np.searchsorted(keys, rows * n_terms + (columns[matrix.col] if len(columns) else matrix.col))
        words = documents["n_words"].to_numpy().astype(float)[matrix.row]
        with np.errstate(divide="ignore", invalid="ignore"):
            shares = words / sizes[rows]
            occurrence_shares = matrix.data / totals[cells]
        np.add.at(deviation, cells, np.abs(occurrence_shares - shares) - shares)
    dispersion = (1 + deviation) / 2
    dispersion[np.repeat(n_documents <= 1, np.diff(counts.indptr))] = np.nan
    return keys, dispersion


# --- 4. the study ----------------------------------------------------------------------------------------------


def measure(corpus_path: Path | str, out_dir: Path | str, rules: Path | str | None = None,
            codebook: Path | str | None = None, sources: Path | str | None = None, ngram: int = 1,
            partition_size: int = DEFAULT_PARTITION_SIZE, workers: int | None = None,
            scheduler: str | None = None, progress: bool = False, tasks_per_worker: int = TASKS_PER_WORKER,
            stats: dict | None = None) -> Path:
    """Measure the corpus at ``corpus_path`` into the study folder ``out_dir``; return ``out_dir``.

    Writes ``tables/NAME.parquet`` for ``documents`` (the documents table with
    ``n_sentences`` and ``n_words``), ``term_counts_by_outlet``, ``keyness``
    (each outlet against the rest, as :func:`analysis.vocabulary.keyness`),
    ``sentence_tone`` (:func:`analysis.tone.sentence_tone`), ``frame_matches``
    (:func:`analysis.framing.frame_matches`, only with a ``codebook``) and
    ``attributions`` (:func:`analysis.sources.attributions`), and
    ``manifest.json`` (inputs with SHA-256, options, versions, partitions, row
    counts). ``workers`` local processes (default: every core; 1 measures in
    this process) or the Dask ``scheduler`` at an address run the partitions;
    the tables are the same byte for byte whichever runs them. Partitions
    measured before with the same content and options are read from
    ``out_dir/partitions`` instead of measured again.

    Memory is bounded by the partition size: the driver reads the corpus a line
    or batch at a time (:mod:`analysis.partitions`), sends each partition's texts
    with its task, keeps at most ``tasks_per_worker`` tasks per worker submitted
    and not yet reduced, and writes every table a partition at a time.
    ``stats``, when given, is filled with the run's counters: ``window`` (the
    most partitions submitted and not yet reduced), ``largest_in_flight`` (the
    most tasks submitted at once and not yet returned), ``largest_held`` (the
    most partitions measured and cached but not yet reduced, waiting for an
    earlier one) and ``largest_pending`` (the most of both at once, at most
    ``window``); a measured partition's tables are held only while they are
    written to the cache, and one partition's tables while they are reduced.
    """
    from analysis.partitions import read_corpus_index

    corpus_path = Path(corpus_path)
    if partition_size < 1:
        raise AnalysisError(f"the partition size must be at least 1, not {partition_size}")
    if workers is not None and workers < 1:
        raise AnalysisError(f"the number of workers must be at least 1, not {workers}")
    if tasks_per_worker < 1:
        raise AnalysisError(f"tasks per worker must be at least 1, not {tasks_per_worker}")
    out_dir = check_study_folder(out_dir, corpus_path)
    # The cluster's processes start while this process reads the options and reads and hashes the corpus.
    with _engine(workers, scheduler) as engine:
        options, described = measure_options(rules, codebook, sources, ngram)
        index = read_corpus_index(corpus_path)
        digests = index.digests if index.kind != "folder" else text_digests(index.documents, None, corpus_path)
        partitions = corpus_partitions(index.documents, digests, options, partition_size)
        _prepare_study_folder(out_dir)
        cache = out_dir / "partitions"
        with_frames = options.codebook is not None
        to_measure = [partition for partition in partitions if not _partial_is_cached(cache / partition.key,
                                                                                          with_frames)]
        # Workers of a cluster run elsewhere: they find a corpus folder's text files by its absolute path.
        task_path = corpus_path.absolute() if scheduler is not None else corpus_path
        folder = make_folder(out_dir / "tables")
        reduction = _StudyReduction(folder, corpus_path, options, cache, index, with_frames)
        try:
            tables = reduction.run(engine, partitions, to_measure, task_path, progress, tasks_per_worker)
        except BaseException:
            reduction.discard()
            raise
    if stats is not None:
        stats.update(largest_held=reduction.largest_held, window=reduction.window,
                     largest_in_flight=engine.largest_in_flight, largest_pending=engine.largest_pending)
    # Without a manifest the folder is not a study (load_study refuses it) until every table is new.
    (out_dir / "manifest.json").unlink(missing_ok=True)
    reduction.commit()
    for name in TABLE_NAMES:
        if name not in tables:
            (folder / f"{name}.parquet").unlink(missing_ok=True)  # from an earlier run with other options
    _remove_unused_partitions(cache, {partition.key for partition in partitions})
    manifest = _manifest(corpus_path, index.files, index.first_file_sha256,
                         None if index.kind != "folder" else digests, described, ngram, partition_size, partitions,
                         tables, measured=len(to_measure))
    write_text_atomic(out_dir / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return out_dir


class _StudyReduction:
    """Measures the partitions still to measure, caches each, and reduces all of them into the study's tables.

    Partitions are reduced in corpus order, each as soon as it and every one
    before it are ready; a measured partition is written to the cache as it
    arrives and dropped, and read back from the cache when its turn comes, as a
    reused one is. Tables are written to temporary files in ``folder`` that
    :meth:`commit` renames.
    """

    def __init__(self, folder: Path, corpus_path: Path, options: MeasureOptions, cache: Path, index,
                 with_frames: bool):
        self.folder, self.corpus_path, self.options, self.cache = folder, corpus_path, options, cache
        self.index, self.with_frames = index, with_frames
        self.names = ["documents", *CORPUS_TABLES, "sentence_tone", *(["frame_matches"] if with_frames else []),
                      "attributions"]
        token = secrets.token_hex(4)
        self.paths = {name: folder / f".{name}.parquet.{token}.partial" for name in
                      [*self.names, "term_counts_by_outlet", "keyness"]}
        self.streams = {name: TableStream(self.paths[name]) for name in self.names}
        self.sums = TermSums(options.ngram)
        self.largest_held = 0
        self.window = 0

    def run(self, engine, partitions: list[Partition], to_measure: list[Partition], task_path: Path, progress: bool,
            tasks_per_worker: int) -> dict[str, int]:
        """Measure and reduce every partition; return the row count of each table."""
        pending = {partition.number for partition in to_measure}
        held: set[int] = set()  # measured and cached, not yet reduced (an earlier partition is not done)
        errors: dict[int, AnalysisError] = {}
        order = iter(partitions)
        upcoming = next(order, None)

        def advance() -> None:
            nonlocal upcoming
            while upcoming is not None and not errors:
                if upcoming.number in pending:
                    if upcoming.number not in held:
                        return
                    held.remove(upcoming.number)
                self._reduce(self._cached(upcoming))
                upcoming = next(order, None)

        def tasks():
            for partition in to_measure:
                if errors:
                    return
                yield partition, (task_path, self.index.documents.iloc[partition.start:partition.stop],
                                  self.index.texts(partition.start, partition.stop), self.options)

        advance()
        self.window = engine.window(tasks_per_worker) if to_measure else 0
        for partition, result in engine.run(tasks(), progress, len(to_measure), self.window, lambda: len(held)):
            if isinstance(result, AnalysisError):
                errors[partition.number] = result
                continue
            _write_partial(self.cache / partition.key, result)
            del result  # read back from the cache when its turn comes, as a reused partition is
            if not errors:
                held.add(partition.number)
                self.largest_held = max(self.largest_held, len(held))
                advance()
            else:
                held.clear()
        if errors:
            raise errors[min(errors)]  # the first bad partition in corpus order, whatever ran them
        advance()
        return self._finish(partitions)

    def _cached(self, partition: Partition) -> PartialTables:
        part = _read_partial(self.cache / partition.key, self.with_frames)
        if part is None:  # a damaged cache entry: measure it again here
            files = measure_partition_files(
                self.corpus_path, self.index.documents.iloc[partition.start:partition.stop],
                self.index.texts(partition.start, partition.stop), self.options)
            if isinstance(files, AnalysisError):
                raise files
            _write_partial(self.cache / partition.key, files)
            part = _read_partial(self.cache / partition.key, self.with_frames)
        return part

    def _reduce(self, part: PartialTables) -> None:
        _reemit_warnings([part])
        for name in self.names:
            self.streams[name].add(getattr(part, name))
        self.sums.add(part)

    def _finish(self, partitions: list[Partition]) -> dict[str, int]:
        rows = {}
        for name in self.names:
            stream = self.streams[name]
            stream.close()
            if stream.needs_whole:  # column types differ between partitions: stack this table whole, as before
                table = _stacked([getattr(_read_partial(self.cache / partition.key, self.with_frames), name)
                                  for partition in partitions])
                self.paths[name].write_bytes(parquet_bytes(table))
                rows[name] = len(table)
            else:
                rows[name] = stream.n_rows
        reduced, n_documents = self.sums.finish()
        self.sums = None
        counts = term_counts_from_sums(reduced, n_documents)
        self.paths["term_counts_by_outlet"].write_bytes(parquet_bytes(counts))
        rows["term_counts_by_outlet"] = len(counts)
        del counts

        def document_counts():
            for partition in partitions:
                folder = self.cache / partition.key
                yield (_read_parquet(folder / "matrix_documents.parquet"), sparse.load_npz(folder / "counts.npz"),
                       _read_parquet(folder / "terms.parquet")["term"].to_numpy(dtype=object))

        keyness_table = keyness_from_sums(reduced, n_documents, document_counts(), self.corpus_path,
                                          self.options.rules)
        self.paths["keyness"].write_bytes(parquet_bytes(keyness_table))
        rows["keyness"] = len(keyness_table)
        order = ["documents", *CORPUS_TABLES, "term_counts_by_outlet", "keyness", "sentence_tone",
                 *(["frame_matches"] if self.with_frames else []), "attributions"]
        return {name: rows[name] for name in order}

    def commit(self) -> None:
        """Move every written table into place."""
        for name, path in self.paths.items():
            os.replace(path, self.folder / f"{name}.parquet")

    def discard(self) -> None:
        """Remove the tables written so far (after an error)."""
        for stream in self.streams.values():
            stream.abandon()
        for path in self.paths.values():
            path.unlink(missing_ok=True)


def load_study(path: Path | str) -> dict[str, pd.DataFrame]:
    """Return the tables of the study folder at ``path``, by name (``documents``, ``keyness`` …)."""
    folder = Path(path) / "tables"
    if not (Path(path) / "manifest.json").is_file() or not folder.is_dir():
        raise StudyError(f"{path}: not a study folder (no manifest.json and tables/; write one with "
                         "`python -m analysis measure`)")
    return {name: _read_parquet(folder / f"{name}.parquet") for name in TABLE_NAMES
            if (folder / f"{name}.parquet").is_file()}


@dataclass
class Study:
    """A measured study: its folder, manifest, tables by name, and the cleaned corpus they were measured from."""

    path: Path
    manifest: dict
    tables: dict[str, pd.DataFrame]
    corpus: Corpus


def open_study(path: Path | str, corpus_path: Path | str | None = None) -> Study:
    """Return the :class:`Study` in the folder at ``path``, its corpus rebuilt from the tables without cleaning again.

    The corpus equals ``read_corpus`` of the measured corpus (documents, lines,
    paragraphs and sentences). Its ``source`` is ``corpus_path`` when given, else
    the corpus name the manifest records; its ``rules`` are None (cleaning is done).
    """
    tables = load_study(path)
    manifest = study_manifest(path)
    missing = [name for name in ("documents", *CORPUS_TABLES) if name not in tables]
    if missing:
        raise StudyError(f"{path}: the study has no {', '.join(missing)} table (an older study? measure it again "
                         "with `python -m analysis measure`)")
    documents = tables["documents"].drop(columns=["n_sentences", "n_words"])
    source = Path(corpus_path) if corpus_path is not None else Path(manifest["corpus"]["name"])
    corpus = Corpus(documents, tables["lines"], tables["paragraphs"], source, None)
    corpus.__dict__["sentences"] = tables["sentences"]  # Corpus.sentences is a cached property: fill its cache
    return Study(Path(path), manifest, tables, corpus)


def study_manifest(path: Path | str) -> dict:
    """Return the manifest of the study folder at ``path``."""
    return json.loads((Path(path) / "manifest.json").read_text(encoding="utf-8"))


def parquet_bytes(table: pd.DataFrame) -> bytes:
    """Return ``table`` as Parquet bytes that depend on its values only: no index, fixed row groups, zstd."""
    buffer = io.BytesIO()
    pyarrow.parquet.write_table(arrow_table(table), buffer, row_group_size=ROW_GROUP_ROWS, compression="zstd")
    return buffer.getvalue()


def arrow_table(table: pd.DataFrame) -> pyarrow.Table:
    """Return ``table`` as the Arrow table :func:`parquet_bytes` writes: text as ``large_string``, no metadata."""
    arrow = pyarrow.Table.from_pandas(table.reset_index(drop=True), preserve_index=False)
    # Text is one Arrow type, and pandas' metadata is left out: pandas may hold the same strings as
    # "object" or "str" depending on how a table travelled (pickled to a worker and back, or not).
    schema = pyarrow.schema([
        field.with_type(pyarrow.large_string()) if pyarrow.types.is_string(field.type) else field
        for field in arrow.schema
    ])
    return arrow.cast(schema).replace_schema_metadata(None)


def _read_parquet(path: Path) -> pd.DataFrame:
    return pyarrow.parquet.read_table(path).to_pandas()


def check_study_folder(out_dir: Path | str, corpus_path: Path) -> Path:
    """Return ``out_dir`` as an absolute path when a study may be written there; StudyError otherwise.

    The folder must not exist yet, be empty, or be a study (it holds the marker
    file every study gets); it must not be, hold or lie inside the corpus or the
    project.
    """
    target = Path(os.path.abspath(out_dir))
    resolved = target.resolve()
    corpus = corpus_path.resolve()
    for description, path in (("the corpus", corpus), ("the project folder", PROJECT_ROOT.resolve())):
        if resolved == path or resolved in path.parents:
            raise StudyError(f"{out_dir}: {'is' if resolved == path else 'holds'} {description}; "
                             "give a new or empty folder for the study")
    if corpus.is_dir() and corpus in resolved.parents:
        raise StudyError(f"{out_dir}: is inside the corpus folder {corpus_path}; write the study elsewhere")
    if target.is_symlink():
        raise StudyError(f"{out_dir}: is a symbolic link; give the study folder itself")
    if not target.exists():
        return target
    if not target.is_dir():
        raise StudyError(f"{out_dir}: is a file, not a study folder (give a new or empty folder)")
    if not holds_marker(target, STUDY_MARKER, STUDY_MARKER_TEXT) and not is_empty_folder(target, StudyError):
        raise StudyError(f"{out_dir}: holds files that no measure run wrote (it has no {STUDY_MARKER}); "
                         "give a new or empty folder")
    return target


def _prepare_study_folder(out_dir: Path) -> None:
    make_folder(out_dir)
    marker = out_dir / STUDY_MARKER
    if not marker.exists():
        write_text_atomic(marker, STUDY_MARKER_TEXT)
    make_folder(out_dir / "partitions")


PARTIAL_TABLES = ("documents", *CORPUS_TABLES, "matrix_documents", "sentence_tone", "attributions", "frame_matches")


def partial_files(partial: PartialTables) -> dict[str, bytes]:
    """Return one partition's tables as the files of its cache folder, by file name.

    Workers return these (compressed Parquet and NumPy files are smaller to send
    than the tables, and encoding them is spread over the workers); the driver
    writes them to the cache and reads them back, so a partition measured now and
    one reused from the cache give the same tables.
    """
    files = {}
    for name in PARTIAL_TABLES:
        table = getattr(partial, name)
        if table is not None:
            files[f"{name}.parquet"] = parquet_bytes(table)
    for name in ("counts", "sentence_counts"):
        buffer = io.BytesIO()
        sparse.save_npz(buffer, getattr(partial, name), compressed=True)
        files[f"{name}.npz"] = buffer.getvalue()
    buffer = io.BytesIO()
    np.save(buffer, partial.gram_positions)
    files["gram_positions.npy"] = buffer.getvalue()
    files["terms.parquet"] = parquet_bytes(pd.DataFrame({"term": partial.terms.astype(object)}))
    files["warnings.json"] = json.dumps(partial.warnings, ensure_ascii=False).encode("utf-8")
    return files


def measure_partition_files(corpus_path: Path, documents: pd.DataFrame, texts: list[str] | None,
                            options: MeasureOptions) -> dict[str, bytes] | AnalysisError:
    """Return :func:`partial_files` of :func:`measure_partition` (the task each worker runs), or the input's error."""
    partial = measure_partition(corpus_path, documents, texts, options)
    return partial if isinstance(partial, AnalysisError) else partial_files(partial)


def _write_partial(folder: Path, files: dict[str, bytes]) -> None:
    """Write one partition's files (:func:`partial_files`) into ``folder`` through a temporary folder, so that
    it is whole or absent."""
    staging = folder.with_name(f".{folder.name}.{secrets.token_hex(4)}.partial")
    try:
        staging.mkdir()
        for name, data in files.items():
            (staging / name).write_bytes(data)
        if folder.exists():
            shutil.rmtree(folder)
        os.rename(staging, folder)
    except OSError as problem:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"{folder}: cannot write the partition's tables ({problem.strerror})") from None


def _partial_is_cached(folder: Path, with_frames: bool) -> bool:
    """Return whether ``folder`` holds a cached partition with every table this run needs."""
    return folder.is_dir() and (folder / "warnings.json").is_file() and (
        not with_frames or (folder / "frame_matches.parquet").is_file())


def _read_partial(folder: Path, with_frames: bool) -> PartialTables | None:
    """Return the partition tables cached in ``folder``, or None when there are none (or not all needed)."""
    if not folder.is_dir() or (with_frames and not (folder / "frame_matches.parquet").is_file()):
        return None
    try:
        tables = {name: _read_parquet(folder / f"{name}.parquet") for name in PARTIAL_TABLES
                  if name != "frame_matches"}
        return PartialTables(
            **tables,
            counts=sparse.load_npz(folder / "counts.npz").tocsr(),
            sentence_counts=sparse.load_npz(folder / "sentence_counts.npz").tocsr(),
            gram_positions=np.load(folder / "gram_positions.npy"),
            terms=_read_parquet(folder / "terms.parquet")["term"].to_numpy(dtype=object),
            frame_matches=_read_parquet(folder / "frame_matches.parquet") if with_frames else None,
            warnings=[tuple(item) for item in json.loads((folder / "warnings.json").read_text(encoding="utf-8"))],
        )
    except (OSError, ValueError, pyarrow.ArrowException):
        return None  # a damaged cache entry is measured again


def _remove_unused_partitions(cache: Path, keys: set[str]) -> None:
    """Remove cached partitions of earlier runs that this run did not use (the folder is the study's own)."""
    for entry in cache.iterdir():
        if entry.is_dir() and not entry.is_symlink() and entry.name not in keys:
            shutil.rmtree(entry, ignore_errors=True)


def _reemit_warnings(partials: list[PartialTables]) -> None:
    import analysis.errors

    for partial in partials:
        for category_name, message in partial.warnings:
            category = getattr(analysis.errors, category_name, UserWarning)
            warnings.warn(message, category if isinstance(category, type) else UserWarning, stacklevel=3)


def _manifest(corpus_path: Path, files: tuple[Path, ...], first_file_sha256: str, digests: list[bytes] | None,
              described: dict, ngram: int, partition_size: int, partitions: list[Partition], tables: dict[str, int],
              measured: int) -> dict:
    """Return the study's manifest: nothing in it depends on the machine, the engine or the time.

    ``first_file_sha256`` is that of ``files[0]`` (the table, or a folder's
    manifest); ``digests`` are those of a corpus folder's text files
    (``files[1:]``), already computed; None for a table. ``tables`` holds each
    table's row count.
    """
    root = corpus_path if corpus_path.is_dir() else corpus_path.parent
    hashes = [first_file_sha256] + [digest.hex() for digest in digests or []]
    inputs = [{"file": Path(os.path.relpath(path, root)).as_posix(), "sha256": sha256}
              for path, sha256 in zip(files, hashes)]
    return {
        "corpus": {"name": corpus_path.name, "kind": "folder" if corpus_path.is_dir() else "table",
                   "n_documents": int(sum(partition.stop - partition.start for partition in partitions)),
                   "files": inputs},
        "options": {"ngram": ngram, "partition_size": partition_size, **described},
        "versions": {"analysis": __version__, "python": ".".join(map(str, sys.version_info[:3])),
                     **{name: _version(name) for name in VERSIONED_PACKAGES}},
        "partitions": [{"number": partition.number, "first_row": partition.start, "n_documents":
                        partition.stop - partition.start, "content_sha256": partition.content_sha256,
                        "key": partition.key} for partition in partitions],
        "n_partitions_measured": measured,
        "n_partitions_reused": len(partitions) - measured,
        "tables": {name: {"file": f"tables/{name}.parquet", "n_rows": n_rows} for name, n_rows in tables.items()},
    }


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


# --- engines ---------------------------------------------------------------------------------------------------

# Imported by each worker process as it starts (while the driver reads the corpus), not by its first task.
WORKER_PRELOAD = ("analysis.measure", "analysis.vocabulary", "analysis.tone", "analysis.sources", "analysis.framing")


@contextmanager
def _engine(workers: int | None, scheduler: str | None):
    """Yield the engine that runs the partitions: this process, processes forked from it, or a ``distributed``
    client.

    Local workers are forked processes on Linux; elsewhere (where forking a
    process that has loaded these libraries is unsafe or impossible) a local
    ``distributed`` cluster is started in the background, so that
    its processes start while this process reads the corpus. A running scheduler is
    connected to when the first task needs it (an input error is then reported
    without waiting for the connection).
    """
    if scheduler is None and (workers == 1 or (workers is None and (os.cpu_count() or 1) == 1)):
        yield _InProcess()
        return
    if scheduler is None and _forks_local_workers():
        with _forked_processes(workers or os.cpu_count() or 1) as engine:
            yield engine
        return
    from concurrent.futures import Future, ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="measure-cluster") as starter:
        if scheduler is None:
            started = starter.submit(_start_client, workers, scheduler)
        else:
            started = Future()
        engine = _Cluster(started, workers, scheduler)
        try:
            yield engine
        finally:
            if started.done() or scheduler is None:
                try:
                    cluster, client = started.result()
                except Exception:  # noqa: BLE001 - a start that failed is reported by the run that needed it
                    cluster, client = None, None
                if client is not None:
                    client.close()
                if cluster is not None:
                    cluster.close()


def _forks_local_workers() -> bool:
    """Return whether local workers are forked processes here (Linux), not a local ``distributed`` cluster."""
    import multiprocessing

    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


class _InProcess:
    """Runs each partition in this process with Dask's synchronous scheduler."""

    largest_in_flight = 0
    largest_pending = 0

    def window(self, tasks_per_worker: int) -> int:
        return 1

    def run(self, tasks, progress: bool, total: int, window: int, backlog):
        import dask

        with _progress_bar(total, progress) as bar:
            for partition, arguments in tasks:
                self.largest_in_flight = 1
                self.largest_pending = max(self.largest_pending, 1 + backlog())
                (result,) = dask.compute(dask.delayed(measure_partition_files)(*arguments), scheduler="synchronous")
                bar.update()
                yield partition, result


def _submit_while_room(engine, in_flight: dict, tasks, window: int, backlog, submit) -> None:
    """Submit tasks (``submit(partition, arguments)`` returns a future) while fewer than ``window`` partitions are
    in flight or held (``backlog()``); record the engine's largest counts."""
    while len(in_flight) + backlog() < window:
        item = next(tasks, None)
        if item is None:
            return
        partition, arguments = item
        in_flight[submit(partition, arguments)] = partition
        engine.largest_in_flight = max(engine.largest_in_flight, len(in_flight))
        engine.largest_pending = max(engine.largest_pending, len(in_flight) + backlog())


def _import_worker_modules() -> None:
    """Import :data:`WORKER_PRELOAD` in this process, so that processes forked from it start with them."""
    import importlib

    for name in WORKER_PRELOAD:
        importlib.import_module(name)


@contextmanager
def _forked_processes(workers: int):
    """Yield a :class:`_LocalProcesses` engine; its pool is shut down at the end (at once after an error)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _import_worker_modules()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    try:
        yield _LocalProcesses(pool, workers)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


class _LocalProcesses:
    """Runs the partitions in processes forked from this one, with at most ``window`` tasks submitted and not
    reduced: on one machine, what a local ``distributed`` cluster does, without its scheduler, nannies,
    network and profiler threads (on 2 cores and 1 M words the run took about a fifth less time)."""

    def __init__(self, pool, workers: int):
        self.pool, self.workers = pool, workers
        self.largest_in_flight = 0
        self.largest_pending = 0

    def window(self, tasks_per_worker: int) -> int:
        return max(2, tasks_per_worker * self.workers)

    def run(self, tasks, progress: bool, total: int, window: int, backlog):
        """Yield (partition, result) as tasks finish; ``backlog()`` is how many results the caller holds."""
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        if not total:
            return
        in_flight: dict = {}

        def top_up() -> None:
            _submit_while_room(self, in_flight, tasks, window, backlog,
                               lambda partition, arguments: self.pool.submit(measure_partition_files, *arguments))

        with _progress_bar(total, progress) as bar:
            top_up()
            while in_flight:
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda finished: in_flight[finished].number):
                    partition = in_flight.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        raise AnalysisError("a worker process stopped before it finished (out of memory?); "
                                            "try fewer --workers or a smaller --partition-size") from None
                    bar.update()
                    yield partition, result
                    self.largest_pending = max(self.largest_pending, len(in_flight) + backlog())
                    top_up()


class _Cluster:
    """Runs the partitions on a ``distributed`` cluster, with at most ``window`` tasks submitted and not reduced."""

    def __init__(self, started, workers: int | None, scheduler: str | None):
        self.started, self.workers, self.scheduler = started, workers, scheduler
        self.largest_in_flight = 0
        self.largest_pending = 0

    def client(self):
        if self.scheduler is not None and not self.started.done():
            try:
                self.started.set_result(_start_client(self.workers, self.scheduler))
            except AnalysisError as error:
                self.started.set_exception(error)
        return self.started.result()[1]

    def window(self, tasks_per_worker: int) -> int:
        threads = sum(self.client().nthreads().values()) or self.workers or 1
        return max(2, tasks_per_worker * threads)

    def run(self, tasks, progress: bool, total: int, window: int, backlog):
        """Yield (partition, result) as tasks finish; ``backlog()`` is how many results the caller holds."""
        from distributed import as_completed

        if not total:
            return
        client = self.client()
        in_flight: dict = {}
        pending = as_completed()

        def submit(partition: Partition, arguments):
            future = client.submit(measure_partition_files, *arguments, key=f"measure-partition-{partition.key}",
                                   pure=False)
            pending.add(future)
            return future

        def top_up() -> None:
            _submit_while_room(self, in_flight, tasks, window, backlog, submit)

        with _progress_bar(total, progress) as bar:
            top_up()
            for future in pending:
                partition = in_flight.pop(future)
                result = future.result()
                future.release()
                bar.update()
                yield partition, result
                self.largest_pending = max(self.largest_pending, len(in_flight) + backlog())
                top_up()


def _progress_bar(total: int, progress: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="partitions", unit="partition", disable=not progress or not total,
                file=sys.stderr)


def _start_client(workers: int | None, scheduler: str | None):
    """Return (cluster or None, ``distributed.Client``): connected to ``scheduler``, or to new local processes."""
    import logging

    import dask
    from distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.ERROR)
    if scheduler is not None:
        try:
            return None, Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as problem:
            raise AnalysisError(f"cannot connect to the Dask scheduler at {scheduler} ({problem})") from None
    method = dask.config.get("distributed.worker.multiprocessing-method")
    if sys.platform == "linux":
        # Forked from this process once it has imported the package, a worker starts in a fraction of a second;
        # spawned, each imports everything again (about 3 s of both cores on a small machine).
        _import_worker_modules()
        method = "fork"
    # No dashboard; the scheduler's HTTP server takes any free port (a fixed one may be taken, which warns).
    with dask.config.set({"distributed.worker.multiprocessing-method": method}):
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                               silence_logs=logging.ERROR, preload=list(WORKER_PRELOAD))
    return cluster, Client(cluster)
