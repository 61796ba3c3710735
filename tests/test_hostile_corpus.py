"""Hostile and odd corpus files: refused with one line, or read as their author meant.

Each test is a fault a fuzzing run found (issue 10): a FIFO that hung the reader, a
nested JSONL line that raised RecursionError, missing Parquet values read as the
outlet ``<NA>``, lists read as their Python repr, outlet names split by invisible
white space, one stray byte turning an article to mojibake, U+2028 rejected in
JSONL, and warnings that named absolute paths.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import warnings

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis import read_corpus
from analysis.cli import main
from analysis.errors import CorpusError, EncodingFallbackWarning, InvalidBytesWarning, NameCaseWarning
from analysis.paths import PROJECT_ROOT
from analysis.text import decode_bytes, normalize_text, read_text_file

from conftest import write_jsonl, write_manifest_corpus

ARTICLE = "Allies meet in Pyongyang\n\nThe visit was announced on Tuesday.\n"
GOOD = {"doc_id": "a", "outlet": "A", "text": ARTICLE}


def one_line_error(capsys, *args):
    """Run the command line in-process; return its one error line (and check it is one line)."""
    status = main(list(args))
    err = capsys.readouterr().err
    assert status == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def caught_warnings(function, *args):
    """Return (result, list of warning messages) of ``function(*args)``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function(*args)
    return result, [str(warning.message) for warning in caught]


# 1. Only regular files are read -------------------------------------------------------


def test_corpus_naming_a_fifo_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "corpus.csv"
    os.mkfifo(fifo)
    # Before the fix this waited for a writer for ever; the timeout turns that into a failure.
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "corpus", "--corpus", str(fifo)],
        capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {fifo}: is a FIFO (named pipe), not a regular file; give a CSV file on disk"
    ]


def test_manifest_row_naming_a_fifo_is_refused(tmp_path):
    folder = write_manifest_corpus(tmp_path / "c", [GOOD, {"doc_id": "p", "outlet": "B", "file": "pipe.txt"}])
    os.mkfifo(folder / "pipe.txt")
    with pytest.raises(CorpusError, match=r"pipe\.txt: is a FIFO \(named pipe\), not a regular file"):
        read_corpus(folder)


def test_manifest_that_is_a_fifo_is_refused(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    os.mkfifo(folder / "corpus.csv")
    with pytest.raises(CorpusError, match=r"corpus\.csv: is a FIFO \(named pipe\), not a regular file"):
        read_corpus(folder)


def test_manifest_row_naming_a_socket_is_refused(tmp_path):
    folder = write_manifest_corpus(tmp_path / "c", [GOOD, {"doc_id": "s", "outlet": "B", "file": "s.sock"}])
    path = folder / "s.sock"
    if len(os.fsencode(path)) > 100:  # AF_UNIX paths are limited to about 108 bytes
        pytest.skip("temporary folder path too long for a Unix socket")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(CorpusError, match=r"s\.sock: is a socket, not a regular file"):
            read_corpus(folder)
    finally:
        server.close()


def test_text_file_reader_refuses_a_fifo(tmp_path):
    fifo = tmp_path / "article.txt"
    os.mkfifo(fifo)
    outcome = []

    def read():
        try:
            read_text_file(fifo)
        except CorpusError as error:
            outcome.append(str(error))

    # In a thread, so that a reader that waits for a writer fails the test instead of hanging it.
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=60)
    assert not reader.is_alive(), "read_text_file is waiting on a FIFO"
    assert outcome == [f"{fifo}: is a FIFO (named pipe), not a regular file; give a text file on disk"]


# 2. Deeply nested JSON -------------------------------------------------------------------


def test_deeply_nested_jsonl_line_is_one_line_error(capsys, tmp_path):
    path = tmp_path / "deep.jsonl"
    depth = 100_000
    path.write_text(json.dumps(GOOD) + "\n" + '{"text": ' + "[" * depth + "]" * depth + ', "outlet": "B"}\n')
    line = one_line_error(capsys, "corpus", "--corpus", str(path))
    assert line == f"error: {path}: line 2 is nested too deeply (a record is one flat JSON object)"


def test_jsonl_key_given_twice_is_refused(tmp_path):
    path = tmp_path / "twice.jsonl"
    path.write_text('{"outlet": "A", "outlet": "B", "text": "Some text."}\n')
    with pytest.raises(CorpusError, match=r"twice\.jsonl: line 1 has the key 'outlet' twice"):
        read_corpus(path)


# 3. Missing values are missing; lists, objects and bytes are not text -------------------


def write_parquet(path, columns):
    """Write ``columns`` (name → pyarrow array) as a Parquet file; return ``path``."""
    pq.write_table(pa.table(columns), path)
    return path


def test_parquet_missing_outlet_is_an_error_not_an_outlet_named_na(tmp_path):
    path = write_parquet(tmp_path / "c.parquet", {
        "text": pa.array([ARTICLE, ARTICLE]), "outlet": pa.array(["A", None], pa.string()),
    })
    with pytest.raises(CorpusError, match=r"c\.parquet: row 2 \(doc_id 'doc-0002'\): outlet is empty or missing"):
        read_corpus(path)


def test_parquet_missing_doc_id_is_an_error(tmp_path):
    path = write_parquet(tmp_path / "c.parquet", {
        "doc_id": pa.array(["x", None]), "text": pa.array([ARTICLE, ARTICLE]), "outlet": pa.array(["A", "B"]),
    })
    with pytest.raises(CorpusError, match=r"c\.parquet: row 2: doc_id is empty or missing"):
        read_corpus(path)


def test_parquet_bytes_column_is_read_as_utf8_text(tmp_path):
    path = write_parquet(tmp_path / "c.parquet", {
        "text": pa.array(["Caf\u00e9 talks\n\nThe caf\u00e9 opened.".encode("utf-8")], pa.binary()),
        "outlet": pa.array([b"Outlet A"], pa.binary()),
    })
    corpus = read_corpus(path)
    assert corpus.outlets == ["Outlet A"]
    assert corpus.paragraphs["text"].tolist() == ["Caf\u00e9 talks", "The caf\u00e9 opened."]


def test_parquet_bytes_that_are_not_utf8_are_refused(tmp_path):
    path = write_parquet(tmp_path / "c.parquet", {
        "text": pa.array([ARTICLE]), "outlet": pa.array([b"Caf\xe9"], pa.binary()),
    })
    with pytest.raises(CorpusError, match=r"c\.parquet: row 1, column 'outlet': bytes that are not UTF-8 text"):
        read_corpus(path)


def test_parquet_list_column_is_refused_naming_column_and_row(tmp_path):
    path = write_parquet(tmp_path / "c.parquet", {
        "text": pa.array([ARTICLE, ARTICLE]), "outlet": pa.array(["A", "B"]),
        "tags": pa.array([["x"], ["y", "z"]]),
    })
    with pytest.raises(CorpusError, match=r"c\.parquet: row 1, column 'tags': holds a list, not text"):
        read_corpus(path)


def test_parquet_integer_column_with_a_gap_keeps_integers(tmp_path):
    # pandas would turn this column into floats (7.0) to hold the gap.
    path = write_parquet(tmp_path / "c.parquet", {
        "text": pa.array([ARTICLE, ARTICLE]), "outlet": pa.array(["A", "B"]),
        "event": pa.array([7, None], pa.int64()),
    })
    assert read_corpus(path).documents["event"].tolist() == ["7", ""]


def test_parquet_written_by_pandas_with_an_index_has_no_index_column(tmp_path):
    path = tmp_path / "c.parquet"
    pd.DataFrame({"text": [ARTICLE], "outlet": ["A"]}, index=["first"]).to_parquet(path)
    assert list(read_corpus(path).documents.columns) == ["doc_id", "outlet", "date", "title", "url", "event",
                                                          "source"]


@pytest.mark.parametrize(("value", "kind"), [(["A", "B"], "a list"), ({"name": "A"}, "an object")])
def test_jsonl_list_or_object_value_is_refused(tmp_path, value, kind):
    path = write_jsonl(tmp_path / "c.jsonl", [GOOD, {"doc_id": "b", "outlet": value, "text": ARTICLE}])
    with pytest.raises(CorpusError, match=rf"c\.jsonl: line 2, column 'outlet': holds {kind}, not text"):
        read_corpus(path)


def test_jsonl_null_outlet_is_missing(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [GOOD, {"doc_id": "b", "outlet": None, "text": ARTICLE}])
    with pytest.raises(CorpusError, match=r"c\.jsonl: row 2 \(doc_id 'b'\): outlet is empty or missing"):
        read_corpus(path)


def test_jsonl_numbers_and_booleans_are_read_as_written(tmp_path):
    records = [{"doc_id": 1, "outlet": 2023, "text": ARTICLE, "flag": True, "score": 0.5}]
    documents = read_corpus(write_jsonl(tmp_path / "c.jsonl", records)).documents
    assert documents[["doc_id", "outlet", "flag", "score"]].iloc[0].tolist() == ["1", "2023", "true", "0.5"]


def test_csv_missing_outlet_cell_is_an_error(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(f'doc_id,outlet,text\na,A,"{ARTICLE}"\nb,,"{ARTICLE}"\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"c\.csv: row 3 \(doc_id 'b'\): outlet is empty or missing"):
        read_corpus(path)


def test_csv_text_column_of_numbers_is_read_as_text(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("outlet,text\nA,12345\nB,0042\n", encoding="utf-8")
    assert read_corpus(path).paragraphs["text"].tolist() == ["12345", "0042"]


# Empty tables, BOM and CRLF, repeated and unnamed columns ----------------------------------


def test_csv_with_only_a_header_is_refused(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("doc_id,outlet,text\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"c\.csv: no documents listed"):
        read_corpus(path)


def test_jsonl_without_records_is_refused(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"c\.jsonl: no records \(the file is empty\)"):
        read_corpus(path)


def test_parquet_with_zero_rows_is_refused(tmp_path):
    empty = pa.array([], pa.string())
    path = write_parquet(tmp_path / "c.parquet", {"text": empty, "outlet": empty})
    with pytest.raises(CorpusError, match=r"c\.parquet: no documents listed"):
        read_corpus(path)


def test_csv_with_bom_and_crlf(tmp_path):
    path = tmp_path / "c.csv"
    content = 'doc_id,outlet,text\r\nx,Outlet A,"Talks begin\r\n\r\nThe talks began."\r\n'
    path.write_bytes(b"\xef\xbb\xbf" + content.encode("utf-8"))
    corpus = read_corpus(path)
    assert corpus.documents[["doc_id", "outlet"]].values.tolist() == [["x", "Outlet A"]]
    assert corpus.paragraphs["text"].tolist() == ["Talks begin", "The talks began."]


def test_csv_with_a_repeated_column_name_is_refused(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("outlet,text,outlet\nA,Some text.,B\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"c\.csv: two columns are named 'outlet' \(columns 1 and 3\)"):
        read_corpus(path)


def test_csv_column_without_a_name_holding_values_is_refused(tmp_path):
    path = tmp_path / "c.csv"
    pd.DataFrame({"outlet": ["A"], "text": ["Some text."]}).to_csv(path)  # pandas writes its index unnamed
    with pytest.raises(CorpusError, match=r"c\.csv: column 1 has no name but holds values"):
        read_corpus(path)


def test_csv_empty_column_without_a_name_is_dropped(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("outlet,text,\nA,Some text.,\n", encoding="utf-8")  # a trailing comma on every line
    assert list(read_corpus(path).documents.columns) == ["doc_id", "outlet", "date", "title", "url", "event",
                                                          "source"]


# 4. Names compared after Unicode normalisation and white-space folding ---------------------


def test_outlet_names_differing_only_by_invisible_or_white_space_are_one_outlet(tmp_path):
    spellings = ["Outlet A", "Outlet\u00a0A", " Outlet \t A ", "Outlet A\u200b", "\ufeffOutlet  A",
                 "Cafe\u0301 Times", "Caf\u00e9\u2003Times"]
    records = [{"doc_id": f"d{number}", "outlet": outlet, "event": "visit\u00a0day", "text": ARTICLE}
               for number, outlet in enumerate(spellings)]
    corpus = read_corpus(write_jsonl(tmp_path / "c.jsonl", records))
    assert corpus.outlets == ["Outlet A", "Caf\u00e9 Times"]
    assert set(corpus.documents["event"]) == {"visit day"}


def test_title_is_nfc_with_white_space_folded(tmp_path):
    records = [{"outlet": "A", "title": " Cafe\u0301\u00a0talks\n", "text": "Caf\u00e9 talks\n\nThe talks began."}]
    corpus = read_corpus(write_jsonl(tmp_path / "c.jsonl", records))
    assert corpus.documents["title"].tolist() == ["Caf\u00e9 talks"]
    assert corpus.paragraphs["role"].tolist() == ["headline", "standfirst"]


def test_outlet_names_differing_only_by_case_are_kept_with_a_warning(tmp_path):
    records = [{"doc_id": "a", "outlet": "DW", "text": ARTICLE}, {"doc_id": "b", "outlet": "dw", "text": ARTICLE}]
    path = write_jsonl(tmp_path / "c.jsonl", records)
    with pytest.warns(NameCaseWarning) as caught:
        corpus = read_corpus(path)
    assert corpus.outlets == ["DW", "dw"]
    assert [str(warning.message) for warning in caught] == [
        "c.jsonl: the outlet names 'DW' and 'dw' differ only by case; they are read as 2 outlets "
        "(write them alike to merge them)"
    ]


@pytest.mark.parametrize("column", ["outlet", "event"])
def test_very_long_outlet_or_event_name_is_refused(tmp_path, column):
    record = {"doc_id": "a", "outlet": "A", "text": ARTICLE, column: "x" * 20_000}
    path = write_jsonl(tmp_path / "c.jsonl", [record])
    with pytest.raises(CorpusError, match=rf"c\.jsonl: row 1: the {column} is 20,000 characters long, "
                                          r"more than the 200 allowed"):
        read_corpus(path)


# 5. One stray byte is replaced where it is ---------------------------------------------------


def test_one_stray_byte_in_utf8_is_replaced_locally_with_its_offset():
    data = "Kim\u2019s caf\u00e9\n\nThe visit".encode("utf-8") + b"\x92" + " was long.".encode("utf-8")
    # "Kim" 3 + "’" 3 + "s " 2 + "caf" 3 + "é" 2 + two line breaks 2 + "The visit" 9 = 24
    assert data.index(b"\x92") == 24
    text, messages = caught_warnings(decode_bytes, data, "a.txt")
    assert text == "Kim\u2019s caf\u00e9\n\nThe visit\ufffd was long."
    assert messages == [
        "a.txt: 1 byte that is not UTF-8 (at byte offset 24, counted from 0) replaced with U+FFFD; "
        "the rest is read as UTF-8"
    ]


def test_several_stray_bytes_report_count_and_first_offsets():
    # A BOM (3 bytes), five "é" (2 bytes each), then five bad bytes at 13, 15, 17, 19, 21.
    data = b"\xef\xbb\xbf" + "\u00e9\u00e9\u00e9\u00e9\u00e9".encode("utf-8") + b"\xffa\xffb\xffc\xffd\xffe"
    text, messages = caught_warnings(decode_bytes, data, "b.txt")
    assert text == "\u00e9\u00e9\u00e9\u00e9\u00e9\ufffda\ufffdb\ufffdc\ufffdd\ufffde"
    assert messages == [
        "b.txt: 5 bytes that are not UTF-8 (first at byte offsets 13, 15, 17, counted from 0) replaced with "
        "U+FFFD; the rest is read as UTF-8"
    ]


def test_text_with_no_utf8_sequences_still_falls_back_to_cp1252():
    data = b"It\x92s the caf\xe9"  # Windows-1252 throughout: no valid multi-byte UTF-8
    text, messages = caught_warnings(decode_bytes, data, "c.txt")
    assert text == "It\u2019s the caf\u00e9"
    assert messages == ["c.txt: not valid UTF-8; decoded as cp1252"]


def test_warnings_name_files_relative_to_the_corpus_folder(tmp_path, monkeypatch):
    stray = "Talks\n\nThe caf\u00e9".encode("utf-8") + b"\x92" + b" opened.\n"
    documents = [GOOD, {"doc_id": "s", "outlet": "B", "file": "sub/stray.txt"}]
    folder = write_manifest_corpus(tmp_path / "c", documents)
    (folder / "sub").mkdir()
    (folder / "sub" / "stray.txt").write_bytes(stray)
    with pytest.warns(InvalidBytesWarning) as from_absolute:
        absolute = read_corpus(folder.resolve())
    monkeypatch.chdir(tmp_path)
    with pytest.warns(InvalidBytesWarning) as from_relative:
        relative = read_corpus("c")
    messages = [str(warning.message) for warning in from_absolute]
    assert messages == [str(warning.message) for warning in from_relative]
    # "Talks" 5 + two line breaks 2 + "The caf" 7 + "é" 2 = 16
    assert messages[0].startswith("sub/stray.txt: 1 byte that is not UTF-8 (at byte offset 16,")
    assert absolute.documents["source"].tolist() == relative.documents["source"].tolist() == ["a.txt",
                                                                                              "sub/stray.txt"]


def test_table_warnings_name_the_file_only(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes("outlet,text\nA,It\u2019s here.\n".encode("cp1252"))
    with pytest.warns(EncodingFallbackWarning) as caught:
        read_corpus(path)
    assert [str(warning.message) for warning in caught] == ["legacy.csv: not valid UTF-8; decoded as cp1252"]


# 6. U+2028, U+2029 and NEL -----------------------------------------------------------------


def test_jsonl_with_a_raw_line_separator_inside_a_string_is_read(tmp_path):
    path = tmp_path / "c.jsonl"
    record = {"outlet": "A", "text": "Talks begin\u2028The talks began.\u2029They ended.\x85Late."}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    assert "\u2028" in path.read_text(encoding="utf-8")  # raw, not escaped
    corpus = read_corpus(path)
    assert corpus.lines["text"].tolist() == ["Talks begin", "The talks began.", "They ended.", "Late."]


def test_normalize_text_treats_unicode_line_separators_as_line_breaks():
    assert normalize_text("a\u2028b\u2029c\u0085d\r\ne") == "a\nb\nc\nd\ne"
