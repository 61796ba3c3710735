"""Measuring a corpus once, in partitions and in parallel, into a study folder of tables.

Steps, in order:

1. :func:`corpus_partitions` splits the documents table into partitions of
   ``partition_size`` documents (boundaries depend on the input and that size
   only), each with a key hashed from its content, the options and the package
   version.
2. :func:`measure_partition` cleans one partition exactly as
   :func:`analysis.corpus.read_corpus` cleans the whole corpus and returns its
   partial tables (:class:`PartialTables`): documents, the term matrix, sentence
   tone, frame matches and attributions.
3. :func:`combine_partials` joins the partial tables exactly: per-document and
   per-sentence rows are stacked in partition order, term matrices are aligned on
   the union of their vocabularies; keyness and term counts come from the joined
   matrix.
4. :func:`measure` runs it all with Dask (in-process, local processes, or any
   ``distributed`` scheduler), reuses the partitions cached in the study folder,
   and writes ``tables/NAME.parquet`` and ``manifest.json``; :func:`load_study`
   reads the tables back.
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
from analysis.corpus import Corpus, corpus_of_documents, read_document_table, read_document_texts
from analysis.errors import AnalysisError
from analysis.files import read_input_bytes
from analysis.output import OutputError, make_folder, write_bytes_atomic, write_text_atomic
from analysis.paths import DEFAULT_CLEANING_RULES, PROJECT_ROOT

DEFAULT_PARTITION_SIZE = 2_000
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
    values = {"ngram": ngram, "files": described, "version": __version__, "format": MEASURE_FORMAT}
    fingerprint = _sha256(json.dumps(values, sort_keys=True).encode("utf-8"))
    options = MeasureOptions(
        read_cleaning_rules(rules), ngram, read_codebook(codebook) if codebook is not None else None,
        source_rules(Path(sources) if sources is not None else None), fingerprint,
    )
    return options, described


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


def combine_matrices(partials: list[PartialTables]):
    """Return the :class:`analysis.vocabulary.TermMatrix` of all partitions: rows stacked, vocabularies aligned.

    The vocabulary is the sorted union of the partitions' (a term is in the whole
    corpus's vocabulary when it occurs in some partition), so the result equals
    :func:`analysis.vocabulary.term_matrix` of the whole corpus.
    """
    from analysis.vocabulary import TermMatrix

    vocabulary = sorted(set().union(*(part.terms.tolist() for part in partials)))
    column = {term: index for index, term in enumerate(vocabulary)}

    def stacked(name: str) -> sparse.csr_matrix:
        blocks = []
        for part in partials:
            matrix = getattr(part, name).tocoo()
            mapping = np.array([column[term] for term in part.terms.tolist()], dtype=np.int64)
            blocks.append(sparse.csr_matrix(
                (matrix.data.astype(np.int64), (matrix.row, mapping[matrix.col] if len(mapping) else matrix.col)),
                shape=(matrix.shape[0], len(vocabulary))))
        joined = sparse.csr_matrix(sparse.vstack(blocks, format="csr"), dtype=np.int64)
        joined.sum_duplicates()
        joined.eliminate_zeros()
        return joined

    documents = pd.concat([part.matrix_documents for part in partials], ignore_index=True)
    positions = np.concatenate([part.gram_positions for part in partials]).astype(np.int64)
    return TermMatrix(stacked("counts"), np.asarray(vocabulary, dtype=object), documents,
                      stacked("sentence_counts"), positions)


def combine_partials(partials: list[PartialTables], corpus_path: Path, rules: CleaningRules,
                     with_frames: bool) -> dict[str, pd.DataFrame]:
    """Return the study's tables (see :func:`measure`) from the partitions' tables, in partition order."""
    from analysis.vocabulary import KEYNESS_COLUMNS, keyness

    matrix = combine_matrices(partials)
    documents = _stacked([part.documents for part in partials])
    tables = {"documents": documents}
    for name in CORPUS_TABLES:
        tables[name] = _stacked([getattr(part, name) for part in partials])
    tables["term_counts_by_outlet"] = term_counts_by_outlet(matrix)
    # keyness reads only the documents of its corpus argument (to check there are two outlets): the
    # counts come from the matrix, so a corpus without its text tables stands in for the whole one.
    stand_in = Corpus(documents, pd.DataFrame(), pd.DataFrame(), corpus_path, rules)
    if len(stand_in.outlets) >= 2:
        tables["keyness"] = keyness(stand_in, matrix=matrix)
    else:
        tables["keyness"] = pd.DataFrame(columns=KEYNESS_COLUMNS)
    tables["sentence_tone"] = _stacked([part.sentence_tone for part in partials])
    if with_frames:
        tables["frame_matches"] = _stacked([part.frame_matches for part in partials])
    tables["attributions"] = _stacked([part.attributions for part in partials])
    return tables


def term_counts_by_outlet(matrix) -> pd.DataFrame:
    """Return one row per outlet and term it uses: ``outlet, term, count, n_documents``.

    Outlets in corpus order, terms alphabetically; ``n_documents`` counts the
    outlet's documents containing the term.
    """
    names, indicator = matrix._indicator("outlet")
    present = matrix.counts.copy()
    present.data[:] = 1
    counts = (indicator @ matrix.counts).tocoo()
    documents = (indicator @ present).tocsr()
    order = np.lexsort((counts.col, counts.row))
    rows, columns = counts.row[order], counts.col[order]
    return pd.DataFrame({
        "outlet": np.asarray(names, dtype=object)[rows] if len(rows) else np.zeros(0, dtype=object),
        "term": matrix.terms[columns],
        "count": counts.data[order].astype(np.int64),
        "n_documents": np.asarray(documents[rows, columns]).ravel().astype(np.int64),
    })


def _stacked(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Return the tables one below the other; empty tables add nothing (and leave the column types alone)."""
    filled = [table for table in tables if len(table)]
    if not filled:
        return tables[0].iloc[0:0].reset_index(drop=True)
    return pd.concat(filled, ignore_index=True) if len(filled) > 1 else filled[0].reset_index(drop=True)


# --- 4. the study ----------------------------------------------------------------------------------------------


def measure(corpus_path: Path | str, out_dir: Path | str, rules: Path | str | None = None,
            codebook: Path | str | None = None, sources: Path | str | None = None, ngram: int = 1,
            partition_size: int = DEFAULT_PARTITION_SIZE, workers: int | None = None,
            scheduler: str | None = None, progress: bool = False) -> Path:
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
    """
    corpus_path = Path(corpus_path)
    if partition_size < 1:
        raise AnalysisError(f"the partition size must be at least 1, not {partition_size}")
    if workers is not None and workers < 1:
        raise AnalysisError(f"the number of workers must be at least 1, not {workers}")
    out_dir = check_study_folder(out_dir, corpus_path)
    options, described = measure_options(rules, codebook, sources, ngram)
    documents, texts, files = read_document_table(corpus_path)
    digests = text_digests(documents, texts, corpus_path)
    partitions = corpus_partitions(documents, digests, options, partition_size)
    _prepare_study_folder(out_dir)
    cache = out_dir / "partitions"
    partials: dict[int, PartialTables] = {}
    to_measure = []
    for partition in partitions:
        cached = _read_partial(cache / partition.key, options.codebook is not None)
        if cached is None:
            to_measure.append(partition)
        else:
            partials[partition.number] = cached
    # Workers of a cluster run elsewhere: they find a corpus folder's text files by its absolute path.
    task_path = corpus_path.absolute() if scheduler is not None else corpus_path
    tasks = [(partition, task_path, documents.iloc[partition.start:partition.stop],
              None if texts is None else texts[partition.start:partition.stop], options) for partition in to_measure]
    for partition, result in _run_partitions(tasks, workers, scheduler, progress):
        if isinstance(result, AnalysisError):
            raise result
        _write_partial(cache / partition.key, result)
        partials[partition.number] = result
    ordered = [partials[partition.number] for partition in partitions]
    _reemit_warnings(ordered)
    tables = combine_partials(ordered, corpus_path, options.rules, options.codebook is not None)
    folder = make_folder(out_dir / "tables")
    # Without a manifest the folder is not a study (load_study refuses it) until every table is new.
    (out_dir / "manifest.json").unlink(missing_ok=True)
    for name, table in tables.items():
        write_bytes_atomic(folder / f"{name}.parquet", parquet_bytes(table))
    for name in TABLE_NAMES:
        if name not in tables:
            (folder / f"{name}.parquet").unlink(missing_ok=True)  # from an earlier run with other options
    _remove_unused_partitions(cache, {partition.key for partition in partitions})
    manifest = _manifest(corpus_path, files, None if texts is not None else digests, described, ngram,
                         partition_size, partitions, tables, measured=len(to_measure))
    write_text_atomic(out_dir / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return out_dir


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
    arrow = pyarrow.Table.from_pandas(table.reset_index(drop=True), preserve_index=False)
    # Text is one Arrow type, and pandas' metadata is left out: pandas may hold the same strings as
    # "object" or "str" depending on how a table travelled (pickled to a worker and back, or not).
    schema = pyarrow.schema([
        field.with_type(pyarrow.large_string()) if pyarrow.types.is_string(field.type) else field
        for field in arrow.schema
    ])
    arrow = arrow.cast(schema).replace_schema_metadata(None)
    buffer = io.BytesIO()
    pyarrow.parquet.write_table(arrow, buffer, row_group_size=ROW_GROUP_ROWS, compression="zstd")
    return buffer.getvalue()


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
    marker = target / STUDY_MARKER
    is_study = (marker.is_file() and not marker.is_symlink()
                and marker.read_bytes() == STUDY_MARKER_TEXT.encode("utf-8"))
    if not is_study and any(target.iterdir()):
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


def _write_partial(folder: Path, partial: PartialTables) -> None:
    """Write one partition's tables into ``folder`` (through a temporary folder, so it is whole or absent)."""
    staging = folder.with_name(f".{folder.name}.{secrets.token_hex(4)}.partial")
    try:
        staging.mkdir()
        for name in PARTIAL_TABLES:
            table = getattr(partial, name)
            if table is not None:
                (staging / f"{name}.parquet").write_bytes(parquet_bytes(table))
        for name in ("counts", "sentence_counts"):
            sparse.save_npz(staging / f"{name}.npz", getattr(partial, name), compressed=True)
        np.save(staging / "gram_positions.npy", partial.gram_positions)
        terms = pd.DataFrame({"term": partial.terms.astype(object)})
        (staging / "terms.parquet").write_bytes(parquet_bytes(terms))
        (staging / "warnings.json").write_text(json.dumps(partial.warnings, ensure_ascii=False), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        os.rename(staging, folder)
    except OSError as problem:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"{folder}: cannot write the partition's tables ({problem.strerror})") from None


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


def _manifest(corpus_path: Path, files: tuple[Path, ...], digests: list[bytes] | None, described: dict, ngram: int,
              partition_size: int, partitions: list[Partition], tables: dict[str, pd.DataFrame],
              measured: int) -> dict:
    """Return the study's manifest: nothing in it depends on the machine, the engine or the time.

    ``digests`` are those of a corpus folder's text files (``files[1:]``), already
    computed; None for a table, whose one file is hashed here.
    """
    root = corpus_path if corpus_path.is_dir() else corpus_path.parent
    hashes = [_sha256(read_input_bytes(files[0]))] + [digest.hex() for digest in digests or []]
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
        "tables": {name: {"file": f"tables/{name}.parquet", "n_rows": len(table)} for name, table in tables.items()},
    }


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


# --- engines ---------------------------------------------------------------------------------------------------


def _run_partitions(tasks: list[tuple], workers: int | None, scheduler: str | None, progress: bool):
    """Yield (partition, result) for each task, in any order, measured on the engine asked for."""
    from tqdm import tqdm

    bar = tqdm(total=len(tasks), desc="partitions", unit="partition", disable=not progress or not tasks,
               file=sys.stderr)
    with bar:
        if not tasks:
            return
        if scheduler is None and (workers == 1 or (workers is None and (os.cpu_count() or 1) == 1)):
            import dask

            for partition, *arguments in tasks:
                (result,) = dask.compute(dask.delayed(measure_partition)(*arguments), scheduler="synchronous")
                bar.update()
                yield partition, result
            return
        with _client(workers, scheduler) as client:
            from distributed import as_completed

            futures = {client.submit(measure_partition, *arguments, key=f"measure-partition-{partition.key}",
                                     pure=False): partition for partition, *arguments in tasks}
            for future in as_completed(futures):
                result = future.result()
                bar.update()
                yield futures[future], result


@contextmanager
def _client(workers: int | None, scheduler: str | None):
    """Yield a ``distributed.Client``: connected to ``scheduler``, or to a new cluster of local processes."""
    import logging

    from distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.ERROR)
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as problem:
            raise AnalysisError(f"cannot connect to the Dask scheduler at {scheduler} ({problem})") from None
        with client:
            yield client
        return
    with LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield client
