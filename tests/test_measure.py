"""measure: a corpus measured in partitions gives the whole corpus's tables, byte for byte, on any engine."""

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from analysis.cli import main
from analysis.codebook import read_codebook
from analysis.corpus import read_corpus
from analysis.errors import AnalysisError
from analysis.framing import frame_matches
from analysis.lists import source_rules
from analysis.measure import StudyError, load_study, measure, open_study, parquet_bytes, study_manifest
from analysis.paths import DEFAULT_CODEBOOK
from analysis.sources import attributions
from analysis.tone import sentence_tone
from analysis.vocabulary import default_options, keyness, sentence_terms
from conftest import unseen_records, write_jsonl

UNSEEN = Path(__file__).parent / "data" / "unseen"
SIZE = 5  # 35 documents → 7 partitions of 5


@pytest.fixture(scope="module")
def cluster():
    """A Dask cluster of two local worker processes, started once for the module."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as local:
        yield local


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    """The unseen corpus as a folder, a JSONL file and a Parquet file."""
    folder = tmp_path_factory.mktemp("corpora")
    records = unseen_records()
    parquet = folder / "unseen.parquet"
    pd.DataFrame(records).to_parquet(parquet, index=False)
    return {"folder": UNSEEN, "jsonl": write_jsonl(folder / "unseen.jsonl", records), "parquet": parquet}


@pytest.fixture(scope="module")
def studies(corpora, tmp_path_factory):
    """Each corpus measured in this process (workers=1) into its own study."""
    root = tmp_path_factory.mktemp("studies")
    return {kind: measure(path, root / kind, partition_size=SIZE, workers=1) for kind, path in corpora.items()}


def table_bytes(study: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((study / "tables").iterdir())}


def test_seven_partitions_of_five_documents(studies):
    manifest = study_manifest(studies["folder"])
    assert [partition["n_documents"] for partition in manifest["partitions"]] == [5] * 7
    assert manifest["n_partitions_measured"] == 7 and manifest["n_partitions_reused"] == 0
    assert manifest["tables"]["documents"]["n_rows"] == 35


@pytest.mark.parametrize("kind", ["folder", "jsonl", "parquet"])
def test_keyness_equals_keyness_of_the_whole_corpus(studies, corpora, kind):
    expected = keyness(read_corpus(corpora[kind]))
    assert (studies[kind] / "tables" / "keyness.parquet").read_bytes() == parquet_bytes(expected)
    assert_frame_equal(load_study(studies[kind])["keyness"], expected, check_dtype=False)


@pytest.mark.parametrize("kind", ["folder", "jsonl", "parquet"])
def test_sentence_rows_equal_those_of_the_whole_corpus(studies, corpora, kind):
    corpus = read_corpus(corpora[kind])
    tables = load_study(studies[kind])
    assert_frame_equal(tables["sentence_tone"], sentence_tone(corpus), check_dtype=False)
    assert_frame_equal(tables["attributions"], attributions(corpus, source_rules(None)), check_dtype=False)
    summary = corpus.summary()
    assert tables["documents"]["doc_id"].tolist() == corpus.documents["doc_id"].tolist()
    assert tables["documents"]["n_words"].tolist() == summary["n_words"].tolist()
    assert tables["documents"]["n_sentences"].tolist() == summary["n_sentences"].tolist()


@pytest.mark.parametrize("kind", ["folder", "jsonl"])
def test_open_study_gives_back_the_cleaned_corpus(studies, corpora, kind):
    corpus = read_corpus(corpora[kind])
    study = open_study(studies[kind])
    for name in ("documents", "lines", "paragraphs", "sentences", "tokens"):
        assert_frame_equal(getattr(study.corpus, name), getattr(corpus, name), check_dtype=False)
    assert_frame_equal(study.corpus.summary(), corpus.summary(), check_dtype=False)
    assert study.corpus.outlets == corpus.outlets
    assert study.corpus.source == Path(corpora[kind].name)  # the name the manifest records
    assert open_study(studies[kind], corpora[kind]).corpus.source == corpora[kind]


def test_open_study_refuses_a_study_without_the_corpus_tables(studies, tmp_path):
    import shutil

    old = tmp_path / "old"
    shutil.copytree(studies["jsonl"], old)
    (old / "tables" / "sentences.parquet").unlink()
    with pytest.raises(StudyError, match="no sentences table"):
        open_study(old)


def test_term_counts_are_the_sums_of_the_outlets_documents(studies, corpora):
    corpus = read_corpus(corpora["folder"])
    counts = load_study(studies["folder"])["term_counts_by_outlet"].set_index(["outlet", "term"])
    # A second method: the terms of each sentence, one at a time, summed per outlet.
    options = default_options()
    by_outlet: dict[tuple[str, str], int] = {}
    documents: dict[tuple[str, str], set] = {}
    for sentence in corpus.sentences.itertuples(index=False):
        for term in sentence_terms(sentence.text, options):
            by_outlet[(sentence.outlet, term)] = by_outlet.get((sentence.outlet, term), 0) + 1
            documents.setdefault((sentence.outlet, term), set()).add(sentence.doc_id)
    assert len(counts) == len(by_outlet)
    assert {key: int(value) for key, value in counts["count"].items()} == by_outlet
    assert {key: int(value) for key, value in counts["n_documents"].items()} == {
        key: len(value) for key, value in documents.items()}


def test_bigrams_and_frames_equal_those_of_the_whole_corpus(corpora, tmp_path):
    study = measure(corpora["jsonl"], tmp_path / "study", codebook=DEFAULT_CODEBOOK, ngram=2,
                    partition_size=SIZE, workers=1)
    corpus = read_corpus(corpora["jsonl"])
    tables = load_study(study)
    assert (study / "tables" / "keyness.parquet").read_bytes() == parquet_bytes(
        keyness(corpus, options=default_options(2)))
    assert_frame_equal(tables["frame_matches"], frame_matches(corpus, read_codebook(DEFAULT_CODEBOOK)),
                       check_dtype=False)
    assert len(tables["frame_matches"]) > 0


def test_tables_are_byte_identical_on_every_engine(studies, corpora, cluster, tmp_path):
    expected = table_bytes(studies["folder"])
    two_processes = measure(corpora["folder"], tmp_path / "local", partition_size=SIZE, workers=2)
    assert table_bytes(two_processes) == expected
    on_cluster = measure(corpora["folder"], tmp_path / "cluster", partition_size=SIZE,
                         scheduler=cluster.scheduler_address)
    assert table_bytes(on_cluster) == expected
    jsonl_on_cluster = measure(corpora["jsonl"], tmp_path / "jsonl", partition_size=SIZE,
                               scheduler=cluster.scheduler_address)
    assert table_bytes(jsonl_on_cluster) == table_bytes(studies["jsonl"])
    assert (tmp_path / "cluster" / "manifest.json").read_bytes() == (studies["folder"] / "manifest.json").read_bytes()


def test_a_local_distributed_cluster_gives_the_same_tables(studies, corpora, tmp_path, monkeypatch):
    import analysis.measure

    # Where processes are not forked (macOS, Windows) local workers are a distributed.LocalCluster.
    monkeypatch.setattr(analysis.measure, "_forks_local_workers", lambda: False)
    started = []
    start_client = analysis.measure._start_client

    def recorded_start(workers, scheduler):
        cluster, client = start_client(workers, scheduler)
        started.append(len(client.scheduler_info()["workers"]))
        return cluster, client

    monkeypatch.setattr(analysis.measure, "_start_client", recorded_start)
    local_cluster = measure(corpora["jsonl"], tmp_path / "local-cluster", partition_size=SIZE, workers=2)
    assert started == [2]
    assert table_bytes(local_cluster) == table_bytes(studies["jsonl"])


def test_manifest_names_no_path_of_the_machine(studies, corpora):
    text = (studies["jsonl"] / "manifest.json").read_text(encoding="utf-8")
    assert str(corpora["jsonl"].parent) not in text and str(Path.home()) not in text
    manifest = json.loads(text)
    assert manifest["corpus"]["files"] == [
        {"file": "unseen.jsonl", "sha256": hashlib.sha256(corpora["jsonl"].read_bytes()).hexdigest()}]
    files = study_manifest(studies["folder"])["corpus"]["files"]
    assert len(files) == 36 and files[0]["file"] == "corpus.csv"
    assert all(entry["sha256"] == hashlib.sha256((UNSEEN / entry["file"]).read_bytes()).hexdigest()
               for entry in files)


def test_rerun_reuses_every_partition_and_appending_measures_only_the_last(corpora, tmp_path):
    corpus = tmp_path / "growing.jsonl"
    records = unseen_records()
    write_jsonl(corpus, records)
    study = tmp_path / "study"
    # 35 documents in partitions of 4: eight full ones and a last one of 3.
    measure(corpus, study, partition_size=4, workers=1)
    first = table_bytes(study)
    measure(corpus, study, partition_size=4, workers=1)
    manifest = study_manifest(study)
    assert (manifest["n_partitions_measured"], manifest["n_partitions_reused"]) == (0, 9)
    assert table_bytes(study) == first
    added = [record | {"doc_id": record["doc_id"] + "-again"} for record in records[:3]]
    write_jsonl(corpus, records + added)
    # 38 documents: the eight full partitions are unchanged, the ninth gains one document, a tenth holds 2.
    measure(corpus, study, partition_size=4, workers=1)
    manifest = study_manifest(study)
    assert (manifest["n_partitions_measured"], manifest["n_partitions_reused"]) == (2, 8)
    assert len(list((study / "partitions").iterdir())) == 10  # the ninth partition's old tables are gone
    fresh = measure(corpus, tmp_path / "fresh", partition_size=4, workers=1)
    assert table_bytes(study) == table_bytes(fresh)


def test_a_bad_row_in_a_later_partition_is_the_error_read_corpus_gives(tmp_path):
    records = unseen_records()
    records[22]["date"] = "last Tuesday"
    corpus = write_jsonl(tmp_path / "bad.jsonl", records)
    with pytest.raises(AnalysisError) as whole:
        read_corpus(corpus)
    with pytest.raises(AnalysisError) as partitioned:
        measure(corpus, tmp_path / "study", partition_size=SIZE, workers=1)
    assert str(partitioned.value) == str(whole.value)
    assert "row 23" in str(whole.value)
    assert not (tmp_path / "study").exists()


def test_an_empty_text_file_in_a_later_partition_is_named(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in UNSEEN.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "waits-wire.txt").write_text("  \n", encoding="utf-8")
    with pytest.raises(AnalysisError) as whole:
        read_corpus(folder)
    with pytest.raises(AnalysisError) as partitioned:
        measure(folder, tmp_path / "study", partition_size=SIZE, workers=1)
    assert str(partitioned.value) == str(whole.value)
    assert "waits-wire.txt" in str(whole.value)
    assert not (tmp_path / "study" / "manifest.json").exists()


def test_command_writes_a_study(tmp_path, capsys):
    status = main(["measure", "--corpus", str(UNSEEN), "--out", str(tmp_path / "study"), "--workers", "1",
                   "--partition-size", "10", "--quiet"])
    captured = capsys.readouterr()
    assert status == 0 and captured.err == ""
    assert "35 documents in 4 partitions (4 measured, 0 reused)" in captured.out
    assert set(load_study(tmp_path / "study")) == {"documents", "lines", "paragraphs", "sentences",
                                                    "term_counts_by_outlet", "keyness", "sentence_tone",
                                                    "attributions"}


@pytest.mark.parametrize("case", ["bad corpus", "foreign folder", "no workers", "study in the corpus"])
def test_command_errors_are_one_line_and_exit_2(tmp_path, capsys, case):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me", encoding="utf-8")
    arguments = {
        "bad corpus": ["--corpus", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "study")],
        "foreign folder": ["--corpus", str(UNSEEN), "--out", str(foreign)],
        "no workers": ["--corpus", str(UNSEEN), "--out", str(tmp_path / "study"), "--workers", "0"],
        "study in the corpus": ["--corpus", str(UNSEEN), "--out", str(UNSEEN / "study")],
    }[case]
    status = main(["measure", *arguments, "--quiet"])
    error = capsys.readouterr().err
    assert status == 2
    assert error.startswith("error: ") and error.count("\n") == 1
    expected = {"bad corpus": "missing.jsonl: no such file", "foreign folder": "no measure run wrote",
                "no workers": "--workers: 0 is less than 1", "study in the corpus": "inside the corpus folder"}[case]
    assert expected in error
    assert sorted(path.name for path in foreign.iterdir()) == ["notes.txt"]
    assert not (tmp_path / "study").exists() and not (UNSEEN / "study").exists()


def test_a_study_folder_that_cannot_be_read_is_refused_in_one_line(tmp_path, monkeypatch):
    import os

    from analysis.measure import STUDY_MARKER, STUDY_MARKER_TEXT, check_study_folder

    study = tmp_path / "study"
    study.mkdir()
    (study / STUDY_MARKER).write_text(STUDY_MARKER_TEXT, encoding="utf-8")
    (study / "manifest.json").write_text("{}", encoding="utf-8")
    assert check_study_folder(study, UNSEEN) == study
    real_read_bytes = Path.read_bytes

    def unreadable_marker(path):
        if path.name == STUDY_MARKER:
            raise PermissionError(13, "Permission denied")
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", unreadable_marker)
    with pytest.raises(StudyError, match="no measure run wrote"):  # an unreadable marker marks nothing
        check_study_folder(study, UNSEEN)
    monkeypatch.undo()

    def unlistable(path):
        raise PermissionError(13, "Permission denied")

    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setattr(os, "scandir", unlistable)
    with pytest.raises(StudyError, match=r"empty: cannot look inside the folder \(Permission denied\)$"):
        check_study_folder(empty, UNSEEN)


def test_progress_goes_to_standard_error_unless_quiet(tmp_path, capsys):
    arguments = ["measure", "--corpus", str(UNSEEN), "--workers", "1", "--partition-size", "20"]
    assert main([*arguments, "--out", str(tmp_path / "loud")]) == 0
    loud = capsys.readouterr()
    assert "partitions" in loud.err and "2/2" in loud.err
    assert "35 documents in 2 partitions" in loud.out
    assert main([*arguments, "--out", str(tmp_path / "quiet"), "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def _worker_that_dies(*arguments):
    import os

    os._exit(9)  # as a worker killed for memory would stop: no exception, no result


def test_a_worker_process_that_dies_is_a_one_line_error_and_no_study(tmp_path, monkeypatch):
    import analysis.measure

    path = write_jsonl(tmp_path / "corpus.jsonl", unseen_records())
    monkeypatch.setattr(analysis.measure, "measure_partition_files", _worker_that_dies)
    with pytest.raises(AnalysisError, match="a worker process stopped before it finished"):
        measure(path, tmp_path / "study", partition_size=SIZE, workers=2)
    assert not (tmp_path / "study" / "manifest.json").exists()
    assert not list((tmp_path / "study").glob("tables/*.parquet"))
