"""measure streams: tables written a partition at a time, keyness from per-outlet sums, the corpus read in slices.

Each result is held against the whole-corpus computation (``read_corpus`` and
the analysis functions, then ``parquet_bytes`` of the whole table), byte for
byte, and the driver's bounds against the counters measure reports.
"""

import hashlib
import io
import json

import pandas as pd
import pyarrow.parquet
import pytest

import analysis.measure as measure_module
from analysis.corpus import read_corpus, read_document_table
from analysis.errors import AnalysisError
from analysis.measure import TableStream, measure, parquet_bytes, study_manifest
from analysis.partitions import read_corpus_index
from analysis.sources import attributions
from analysis.lists import source_rules
from analysis.tone import sentence_tone
from analysis.vocabulary import keyness
from conftest import write_jsonl
from test_measure import unseen_records


@pytest.fixture(scope="module")
def records():
    return unseen_records()


def row_group_sizes(data: bytes) -> list[int]:
    metadata = pyarrow.parquet.ParquetFile(io.BytesIO(data)).metadata
    return [metadata.row_group(index).num_rows for index in range(metadata.num_row_groups)]


# --- tables written a partition at a time ----------------------------------------------------------------------


def test_a_table_streamed_in_uneven_pieces_is_the_whole_tables_file(monkeypatch, tmp_path):
    monkeypatch.setattr(measure_module, "ROW_GROUP_ROWS", 7)
    sentences = read_corpus(write_jsonl(tmp_path / "c.jsonl", unseen_records())).sentences
    cuts = [0, 3, 4, 20, 21, 50, len(sentences)]  # pieces of 3, 1, 16, 1, 29 and the rest
    stream = TableStream(tmp_path / "sentences.parquet")
    for start, stop in zip(cuts, cuts[1:]):
        stream.add(sentences.iloc[start:stop].reset_index(drop=True))
    stream.add(sentences.iloc[0:0])  # an empty partition adds nothing
    stream.close()
    written = (tmp_path / "sentences.parquet").read_bytes()
    assert written == parquet_bytes(sentences)
    assert not stream.needs_whole and stream.n_rows == len(sentences)
    # Row groups of exactly 7 rows, the last one holding what is left.
    full, rest = divmod(len(sentences), 7)
    assert row_group_sizes(written) == [7] * full + ([rest] if rest else [])


def test_a_table_whose_column_types_differ_between_partitions_is_left_to_the_whole_writer(tmp_path):
    stream = TableStream(tmp_path / "t.parquet")
    stream.add(pd.DataFrame({"doc_id": ["a", "b"], "score": [1, 2]}))
    stream.add(pd.DataFrame({"doc_id": ["c"], "score": [0.5]}))  # pandas stacks these as float64
    stream.close()
    assert stream.needs_whole


def test_a_table_without_rows_is_written_as_the_empty_table(tmp_path):
    stream = TableStream(tmp_path / "t.parquet")
    empty = pd.DataFrame({"doc_id": pd.Series([], dtype=object), "count": pd.Series([], dtype="int64")})
    stream.add(empty)
    stream.add(empty)
    stream.close()
    assert (tmp_path / "t.parquet").read_bytes() == parquet_bytes(empty)


def test_study_tables_across_row_groups_equal_those_of_the_whole_corpus(monkeypatch, tmp_path, records):
    monkeypatch.setattr(measure_module, "ROW_GROUP_ROWS", 50)  # several row groups, cut inside partitions
    corpus_path = write_jsonl(tmp_path / "c.jsonl", records)
    study = measure(corpus_path, tmp_path / "study", partition_size=4, workers=1)
    corpus = read_corpus(corpus_path)
    tables = study / "tables"
    assert (tables / "sentence_tone.parquet").read_bytes() == parquet_bytes(sentence_tone(corpus))
    assert (tables / "sentences.parquet").read_bytes() == parquet_bytes(corpus.sentences)
    assert (tables / "lines.parquet").read_bytes() == parquet_bytes(corpus.lines)
    assert (tables / "attributions.parquet").read_bytes() == parquet_bytes(attributions(corpus, source_rules(None)))
    assert len(row_group_sizes((tables / "sentences.parquet").read_bytes())) > 3


# --- keyness from per-outlet sums ------------------------------------------------------------------------------


def test_keyness_with_an_outlet_of_one_document_and_uneven_partitions(tmp_path, records):
    # A fourth outlet with one document (its DP is NaN), in the middle of a partition of 3.
    solo = records[7] | {"doc_id": "solo", "outlet": "Solo Sheet"}
    corpus_path = write_jsonl(tmp_path / "c.jsonl", records[:10] + [solo] + records[10:])
    study = measure(corpus_path, tmp_path / "study", partition_size=3, workers=1)
    expected = keyness(read_corpus(corpus_path))
    assert expected.loc[expected["outlet"] == "Solo Sheet", "dp"].isna().all()
    assert expected["dp"].notna().any()
    assert (study / "tables" / "keyness.parquet").read_bytes() == parquet_bytes(expected)


def test_keyness_is_the_same_whatever_the_partition_size(tmp_path, records):
    corpus_path = write_jsonl(tmp_path / "c.jsonl", records)
    expected = parquet_bytes(keyness(read_corpus(corpus_path)))
    for size in (1, 2, 35):
        study = measure(corpus_path, tmp_path / f"study-{size}", partition_size=size, workers=1)
        assert (study / "tables" / "keyness.parquet").read_bytes() == expected


# --- bounded driver --------------------------------------------------------------------------------------------


def test_in_process_the_driver_holds_one_partition_at_a_time(tmp_path, records):
    stats = {}
    measure(write_jsonl(tmp_path / "c.jsonl", records), tmp_path / "study", partition_size=5, workers=1, stats=stats)
    assert stats["largest_in_flight"] == 1 and stats["largest_held"] <= 1 and stats["largest_pending"] == 1


def test_on_a_cluster_tasks_in_flight_and_results_held_stay_within_the_window(tmp_path, records):
    from distributed import LocalCluster

    corpus_path = write_jsonl(tmp_path / "c.jsonl", records)
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        stats = {}
        study = measure(corpus_path, tmp_path / "study", partition_size=2, scheduler=cluster.scheduler_address,
                        tasks_per_worker=1, stats=stats)
    assert stats["window"] == 2  # one task per worker thread
    assert 1 <= stats["largest_in_flight"] <= 2
    assert stats["largest_pending"] <= 2  # tasks in flight and results waiting for an earlier partition
    assert study_manifest(study)["n_partitions_measured"] == 18
    whole = measure(corpus_path, tmp_path / "whole", partition_size=2, workers=1)
    assert {path.name: path.read_bytes() for path in (study / "tables").iterdir()} == {
        path.name: path.read_bytes() for path in (whole / "tables").iterdir()}


def test_tasks_per_worker_must_be_positive(tmp_path, records):
    with pytest.raises(AnalysisError, match="at least 1"):
        measure(write_jsonl(tmp_path / "c.jsonl", records), tmp_path / "study", workers=1, tasks_per_worker=0)


# --- reading the corpus in slices ------------------------------------------------------------------------------


def write_awkward_jsonl(path, records):
    """The records as JSON lines with a byte-order mark, CRLF line ends, blank lines, the text under the key
    ' text ' (read as 'text'), a line separator inside a text, and one text given as a number."""
    lines = []
    for number, record in enumerate(records):
        record = dict(record)
        record[" text "] = record.pop("text")
        if number == 3:
            record[" text "] = record[" text "].replace(". ", ".\u2028", 1)
        lines.append(json.dumps(record, ensure_ascii=number % 2 == 0))
        if number % 5 == 0:
            lines.append("   ")
    lines.append(json.dumps({"doc_id": "number", "outlet": "Valley Wire", " text ": 12345}))
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    return path


@pytest.mark.parametrize("kind", ["jsonl", "parquet"])
def test_the_index_equals_the_whole_reader_and_holds_no_text(tmp_path, records, kind):
    if kind == "jsonl":
        path = write_awkward_jsonl(tmp_path / "c.jsonl", records)
    else:
        path = tmp_path / "c.parquet"
        pd.DataFrame(records).to_parquet(path, index=True, row_group_size=4)  # the index is stored, and dropped
    documents, texts, files = read_document_table(path)
    index = read_corpus_index(path)
    assert index.kind == kind and index.whole_texts is None
    pd.testing.assert_frame_equal(index.documents, documents)
    assert index.files == files
    assert index.first_file_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert index.digests == [hashlib.sha256(text.encode("utf-8")).digest() for text in texts]
    for start, stop in ((0, 1), (1, 6), (5, 17), (17, len(texts))):
        assert index.texts(start, stop) == texts[start:stop]
    if kind == "jsonl":
        assert texts[-1] == "12345" and "\n" in texts[3]


def test_a_file_changed_after_indexing_is_refused(tmp_path, records):
    path = write_jsonl(tmp_path / "c.jsonl", records)
    index = read_corpus_index(path)
    changed = [dict(record) for record in records]
    changed[6]["text"] = changed[6]["text"].replace("a", "o")
    write_jsonl(path, changed)
    with pytest.raises(AnalysisError, match="changed while it was measured"):
        index.texts(5, 10)


def test_a_file_that_is_not_utf8_is_read_whole_as_read_corpus_reads_it(tmp_path, records):
    path = tmp_path / "c.jsonl"
    text = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records[:6])
    path.write_bytes(text.replace("the", "th\u00e9").encode("cp1252"))
    with pytest.warns(UserWarning) as caught:
        index = read_corpus_index(path)
    assert index.kind == "whole"
    assert any("cp1252" in str(warning.message) or "1252" in str(warning.message) for warning in caught)
    with pytest.warns(UserWarning):
        assert index.texts(0, 6) == read_document_table(path)[1]


ERROR_CASES = {
    "bad JSON": lambda lines: lines[:9] + ["{\"doc_id\": \"x\", "] + lines[9:],
    "repeated key": lambda lines: lines[:20] + ['{"doc_id": "r", "doc_id": "s", "outlet": "A", "text": "t"}']
    + lines[20:],
    "duplicate doc_id far apart": lambda lines: lines + [lines[1]],
    "bad date": lambda lines: lines[:30] + [lines[30].replace('"date": "', '"date": "last ')] + lines[31:],
    "empty text": lambda lines: lines[:25] + ['{"doc_id": "e", "outlet": "A", "text": "  \\u00a0 "}'] + lines[25:],
    "list as text": lambda lines: lines[:12] + ['{"doc_id": "l", "outlet": "A", "text": ["a"]}'] + lines[12:],
    "two text columns": lambda lines: lines[:3] + ['{"doc_id": "t", "outlet": "A", "text": "a", " text": "b"}']
    + lines[3:],
    "not an object": lambda lines: lines[:4] + ["[1, 2]"] + lines[4:],
    "no outlet column": lambda lines: [json.dumps({"doc_id": "o", "text": "words"})],
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_errors_are_those_of_read_corpus(tmp_path, records, case):
    lines = ERROR_CASES[case]([json.dumps(record) for record in records])
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(AnalysisError) as whole:
        read_corpus(path)
    with pytest.raises(AnalysisError) as indexed:
        read_corpus_index(path)
    assert str(indexed.value) == str(whole.value)
    assert str(path) in str(whole.value)
    with pytest.raises(AnalysisError) as measured:
        measure(path, tmp_path / "study", workers=1)
    assert str(measured.value) == str(whole.value)
    assert not (tmp_path / "study").exists()


def test_parquet_errors_are_those_of_read_corpus(tmp_path, records):
    path = tmp_path / "c.parquet"
    bad = [dict(record) for record in records]
    bad[17]["date"] = "someday"
    pd.DataFrame(bad).to_parquet(path, index=False)
    with pytest.raises(AnalysisError) as whole:
        read_corpus(path)
    with pytest.raises(AnalysisError) as indexed:
        read_corpus_index(path)
    assert str(indexed.value) == str(whole.value) and "row 18" in str(whole.value)
