"""Bad input: one clear line naming the file and the problem, exit status 2, no traceback."""

import subprocess
import sys

import pytest

from analysis.cli import main
from analysis.paths import PROJECT_ROOT

from conftest import write_jsonl, write_manifest_corpus

GOOD = {"doc_id": "a", "outlet": "A", "text": "Headline\n\nA body sentence.\n"}


def run_cli(capsys, *args):
    """Run the command line in-process; return (exit status, stdout, stderr)."""
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_one_line_error(capsys, args, *fragments):
    status, out, err = run_cli(capsys, *args)
    assert status == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def test_missing_path(capsys, tmp_path):
    missing = tmp_path / "nowhere"
    assert_one_line_error(capsys, ["corpus", "--corpus", str(missing)], str(missing), "no such file or folder")


def test_folder_without_manifest(capsys, tmp_path):
    assert_one_line_error(capsys, ["corpus", "--corpus", str(tmp_path)], "no corpus.csv manifest")


def test_manifest_names_a_missing_file(capsys, tmp_path):
    folder = write_manifest_corpus(tmp_path / "c", [GOOD, {"doc_id": "b", "outlet": "B", "file": "gone.txt"}])
    assert_one_line_error(capsys, ["corpus", "--corpus", str(folder)], "corpus.csv: line 3", "'gone.txt' does not exist")


@pytest.mark.parametrize("escape", ["../outside.txt", "sub/../../outside.txt", "/etc/hostname"])
def test_manifest_path_escaping_the_folder(capsys, tmp_path, escape):
    (tmp_path / "outside.txt").write_text("Outside\n\nText.\n")
    folder = write_manifest_corpus(tmp_path / "c", [{"doc_id": "x", "outlet": "A", "file": escape}])
    assert_one_line_error(capsys, ["corpus", "--corpus", str(folder)], "outside the corpus folder", escape)


def test_manifest_symlink_escaping_the_folder(capsys, tmp_path):
    (tmp_path / "outside.txt").write_text("Outside\n\nText.\n")
    folder = write_manifest_corpus(tmp_path / "c", [{"doc_id": "x", "outlet": "A", "file": "link.txt"}])
    (folder / "link.txt").symlink_to(tmp_path / "outside.txt")
    assert_one_line_error(capsys, ["corpus", "--corpus", str(folder)], "outside the corpus folder")


@pytest.mark.parametrize("text", ["", "   \n\t\n  \n"])
def test_empty_or_whitespace_document(capsys, tmp_path, text):
    folder = write_manifest_corpus(tmp_path / "c", [GOOD, {"doc_id": "blank", "outlet": "B", "text": text}])
    assert_one_line_error(capsys, ["corpus", "--corpus", str(folder)], "blank.txt", "the document is empty")


def test_empty_text_in_a_table(capsys, tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [GOOD, {"doc_id": "z", "outlet": "B", "text": " "}])
    assert_one_line_error(capsys, ["corpus", "--corpus", str(path)], "c.jsonl: row 2 (doc_id 'z')", "empty")


def test_document_with_nothing_left_after_cleaning(capsys, tmp_path):
    folder = write_manifest_corpus(tmp_path / "c", [{"doc_id": "f", "outlet": "A", "text": "Skip to content\nShare\n"}])
    assert_one_line_error(capsys, ["corpus", "--corpus", str(folder)], "document 'f' has no text left after cleaning")


def test_binary_file(capsys, tmp_path):
    binary = {"doc_id": "img", "outlet": "B", "text": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}
    folder = write_manifest_corpus(tmp_path / "c", [GOOD, binary])
    assert_one_line_error(capsys, ["corpus", "--corpus", str(folder)], "img.txt", "binary file")


def test_duplicate_doc_id(capsys, tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [GOOD, {**GOOD, "outlet": "B"}])
    assert_one_line_error(capsys, ["corpus", "--corpus", str(path)], "c.jsonl", "duplicate doc_id 'a'")


def test_duplicate_doc_id_in_manifest(capsys, tmp_path):
    folder = write_manifest_corpus(tmp_path / "c", [GOOD, {**GOOD, "file": "other.txt"}])
    assert_one_line_error(capsys, ["corpus", "--corpus", str(folder)], "corpus.csv", "duplicate doc_id 'a'")


def test_missing_required_column_in_a_table(capsys, tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [{"doc_id": "a", "text": "Some text."}])
    assert_one_line_error(capsys, ["corpus", "--corpus", str(path)], "c.jsonl", "missing required column 'outlet'")


def test_missing_required_column_in_a_manifest(capsys, tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "corpus.csv").write_text("doc_id,outlet\na,A\n")
    assert_one_line_error(capsys, ["corpus", "--corpus", str(folder)], "corpus.csv", "missing required column 'file'")


def test_unreadable_csv(capsys, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text('text,outlet\n"an unterminated quote,A\n')
    assert_one_line_error(capsys, ["corpus", "--corpus", str(path)], "broken.csv", "not a readable CSV file")


def test_unreadable_jsonl(capsys, tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"text": "fine", "outlet": "A"}\n{"text": "cut off\n')
    assert_one_line_error(capsys, ["corpus", "--corpus", str(path)], "broken.jsonl: line 2 is not valid JSON")


def test_unreadable_parquet(capsys, tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not really parquet PAR1")
    assert_one_line_error(capsys, ["corpus", "--corpus", str(path)], "broken.parquet", "not a readable Parquet file")


def test_unsupported_file_type(capsys, tmp_path):
    path = tmp_path / "corpus.xlsx"
    path.write_bytes(b"whatever")
    assert_one_line_error(capsys, ["corpus", "--corpus", str(path)], "unsupported corpus file type '.xlsx'")


def test_date_not_iso(capsys, tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [{**GOOD, "date": "July 27, 2023"}])
    assert_one_line_error(capsys, ["corpus", "--corpus", str(path)], "date 'July 27, 2023' is not an ISO 8601 date")


def test_unknown_format(capsys):
    line = assert_one_line_error(capsys, ["corpus", "--format", "xml"], "invalid choice: 'xml'")
    assert "table" in line and "json" in line


def test_unknown_command(capsys):
    assert_one_line_error(capsys, ["frobnicate"], "invalid choice: 'frobnicate'")


def test_failed_command_leaves_an_existing_output_untouched(capsys, tmp_path):
    out = tmp_path / "result.csv"
    out.write_text("previous good result\n")
    assert_one_line_error(capsys, ["corpus", "--corpus", str(tmp_path / "nowhere"), "--out", str(out)])
    assert out.read_text() == "previous good result\n"
    assert [p.name for p in tmp_path.iterdir()] == ["result.csv"]


def test_out_into_a_missing_folder(capsys, tmp_path):
    assert_one_line_error(capsys, ["corpus", "--out", str(tmp_path / "no" / "x.csv")], "does not exist")


def test_a_real_process_prints_no_traceback(tmp_path):
    """The in-process tests above call main(); this one runs the module as a user would."""
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "corpus", "--corpus", str(tmp_path / "missing")],
        capture_output=True, text=True, cwd=PROJECT_ROOT,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
