"""The command line on the seeds: rows, formats and files."""

import csv
import io
import json

from analysis.cli import main


def run(capsys, *args):
    status = main(list(args))
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return captured.out


def test_help_lists_the_commands(capsys):
    out = run(capsys)
    for command in ("corpus", "cleaning", "sentences", "report"):
        assert command in out


def test_corpus_json_gives_three_rows_with_explained_word_counts(capsys):
    rows = json.loads(run(capsys, "corpus", "--format", "json"))
    assert [row["doc_id"] for row in rows] == ["dw", "overt-operator", "the-national"]
    assert {"doc_id", "outlet", "date", "title", "n_words", "n_sentences", "n_removed_lines"} <= set(rows[0])
    # Words of headline + standfirst + subheadings + captions + body (see test_seeds):
    # DW 8 + 24 + 14 + 49 + 339; Overt Operator 11 + 5 + 392; The National 11 + 15 + 737.
    assert [row["n_words"] for row in rows] == [8 + 24 + 14 + 49 + 339, 11 + 5 + 392, 11 + 15 + 737]
    assert [row["n_sentences"] for row in rows] == [23, 21, 28]
    assert [row["n_removed_lines"] for row in rows] == [7, 0, 2]
    assert rows[1]["date"] == "2023-07-26"


def test_corpus_csv_to_a_file(capsys, tmp_path):
    out = tmp_path / "corpus.csv"
    assert run(capsys, "corpus", "--format", "csv", "--out", str(out)) == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [row["outlet"] for row in rows] == ["DW", "Overt Operator", "The National"]


def test_table_format_is_aligned_text(capsys):
    lines = run(capsys, "corpus").splitlines()
    assert lines[0].split()[:3] == ["doc_id", "outlet", "date"]
    assert len(lines) == 4


def test_cleaning_record_lists_removed_lines(capsys):
    rows = json.loads(run(capsys, "cleaning", "--removed", "--format", "json"))
    assert len(rows) == 9
    assert rows[3] == {"doc_id": "dw", "line_number": 4, "text": "PoliticsNorth Korea", "rule": "dw-breadcrumb"}


def test_cleaning_record_lists_every_non_blank_line(capsys):
    rows = json.loads(run(capsys, "cleaning", "--format", "json"))
    # Non-blank lines in the files: DW 29, Overt Operator 17, The National 29.
    assert len(rows) == 29 + 17 + 29
    caption = next(row for row in rows if row["doc_id"] == "dw" and row["line_number"] == 13)
    assert caption["role"] == "caption" and caption["credit"] == "KCNA/AP Photo/picture alliance"


def test_sentences_command(capsys):
    rows = json.loads(run(capsys, "sentences", "--format", "json"))
    assert len(rows) == 23 + 21 + 28
    assert rows[0]["text"] == "North Korea's Kim hosts Russia's Defense Minister Shoigu"
    assert rows[0]["role"] == "headline"


def _run_python(code: str, tmp_path) -> "subprocess.CompletedProcess":
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)


def test_exit_process_runs_exit_handlers_and_flushes_standard_output(tmp_path):
    code = (
        "import atexit, pathlib, sys\n"
        "from analysis.cli import exit_process\n"
        "atexit.register(lambda: pathlib.Path('handler-ran').write_text('yes'))\n"
        "sys.stdout.write('x' * 100000)\n"  # more than a pipe's buffer, left unflushed
        "exit_process(3)\n"
    )
    finished = _run_python(code, tmp_path)
    assert finished.returncode == 3
    assert finished.stdout == "x" * 100000
    assert (tmp_path / "handler-ran").read_text() == "yes"


def test_exit_process_waits_for_a_running_thread(tmp_path):
    code = (
        "import pathlib, threading, time\n"
        "from analysis.cli import exit_process\n"
        "def work():\n"
        "    time.sleep(0.3)\n"
        "    pathlib.Path('thread-done').write_text('yes')\n"
        "threading.Thread(target=work).start()\n"
        "exit_process(0)\n"
    )
    finished = _run_python(code, tmp_path)
    assert finished.returncode == 0
    assert (tmp_path / "thread-done").read_text() == "yes"
