"""Hostile and broken inputs for every command, and a runner that classifies what happened.

Each case builds its inputs inside a scratch folder, runs one command line, and
is classified as one of:

* ``error``: exit status 2 and exactly one line ``error: …`` on standard error
  (``warning: …`` lines may precede it);
* ``ok``: exit status 0;
* ``traceback``: anything else (an uncaught exception, another exit status, a
  message of several lines);
* ``hang``: no answer within the time limit;
* ``loss``: a file that was in the scratch folder before the run is changed or gone
  (the case's own ``--out`` target excepted when the case expects success).

``tests/test_fuzz.py`` runs the fast cases on every ``make test``; ``bench/bench_fuzz.py``
runs every case, slow ones included, in fresh processes and prints the table.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

PYTHON = sys.executable
GOOD_TEXT = "A headline about the talks\n\nThe minister said the talks went well. Critics disagreed.\n"
TABLE_COMMANDS = ("corpus", "sentences", "vocab", "terms", "tone", "sources")
# Commands that read a corpus but need more arguments; a broken corpus must be what they report first.
OTHER_CORPUS_COMMANDS = {
    "collocates": lambda f: ["collocates", "talks"],
    "attention": lambda f: ["attention", "--term", "talks"],
    "discover": lambda f: ["discover", "--out", str(f / "discovered")],
    "codebook-sheet": lambda f: ["codebook-sheet", "--sample", "5", "--seed", "1", "--out", str(f / "sheet.csv")],
}


@dataclass
class Case:
    """One fuzz input: how to lay it out, the command line, and the outcome a user should get."""

    name: str
    fault: str  # the family it belongs to, as the issue groups them
    argv: Callable[[Path], list[str]]
    setup: Callable[[Path], None] = lambda folder: None
    expect: str = "error"  # "error", "ok", or "either" (any clear outcome)
    message: tuple[str, ...] = ()  # fragments the error line must contain
    slow: bool = False  # benchmark only
    isolate: bool = False  # run in a subprocess even in the fast suite (may block or hang when broken)
    outputs: tuple[str, ...] = field(default=())  # files the command may write (relative to the folder)


@dataclass
class Outcome:
    """What happened when a case ran."""

    kind: str  # error, ok, traceback, hang, loss
    status: int | None
    stderr: str
    seconds: float = 0.0


# --- inputs -------------------------------------------------------------------------------

def write_good_corpus(folder: Path) -> None:
    """Write ``good/`` (a manifest folder of two outlets) and ``good.jsonl`` into ``folder``."""
    good = folder / "good"
    good.mkdir(parents=True, exist_ok=True)
    (good / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (good / "b.txt").write_text("Another headline\n\nOfficials said nothing. The talks ended.\n", encoding="utf-8")
    (good / "corpus.csv").write_text("doc_id,file,outlet,date\na,a.txt,Alpha,2023-07-26\nb,b.txt,Beta,2023-07-27\n",
                                     encoding="utf-8")
    write_records(folder / "good.jsonl", [{"outlet": "Alpha", "text": GOOD_TEXT},
                                          {"outlet": "Beta", "text": "Another headline\n\nThe talks ended.\n"}])


def write_records(path: Path, records: list[dict], raw_unicode: bool = False) -> None:
    """Write ``records`` as JSON lines (``raw_unicode`` keeps U+2028 and the like unescaped)."""
    path.write_text("".join(json.dumps(record, ensure_ascii=not raw_unicode) + "\n" for record in records),
                    encoding="utf-8")


def write_text(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def codebook_with(term_lines: str) -> str:
    """Return a one-frame codebook whose ``terms:`` list is ``term_lines`` (already indented YAML)."""
    return ("frames:\n  - name: talks\n    description: Talks and meetings.\n    terms:\n" + term_lines)


def alias_bomb(levels: int, width: int = 9) -> str:
    """Return a YAML 'billion laughs' document: ``width ** levels`` strings from a few hundred bytes."""
    lines = ['a0: &a0 ["lol"]']
    for level in range(1, levels + 1):
        items = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{items}]")
    return "\n".join(lines) + "\n" + codebook_with("      - talks\n")


def make_fifo(path: Path) -> None:
    os.mkfifo(path)


def parquet_with(path: Path, columns: dict) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table(columns), path)


# --- the cases ----------------------------------------------------------------------------

def _plain_input_errors() -> list[Case]:
    """The input errors every table command must report in one line (each × every command)."""
    layouts: list[tuple[str, Callable[[Path], None], str, tuple[str, ...]]] = [
        ("missing path", lambda f: None, "nowhere.jsonl", ("nowhere.jsonl",)),
        ("folder without manifest", lambda f: (f / "empty").mkdir(), "empty", ("corpus.csv",)),
        ("manifest names a missing file",
         lambda f: write_text(f / "m" / "corpus.csv", "doc_id,file,outlet\na,gone.txt,A\n"), "m", ("gone.txt",)),
        ("manifest path outside the folder",
         lambda f: (write_text(f / "o" / "corpus.csv", "doc_id,file,outlet\na,../secret.txt,A\n"),
                    write_text(f / "secret.txt", GOOD_TEXT)), "o", ("outside",)),
        ("empty document", lambda f: write_records(f / "e.jsonl", [{"outlet": "A", "text": "  "}]), "e.jsonl", ("e.jsonl",)),
        ("binary file", lambda f: write_text(f / "b.csv", b"outlet,text\nA,\x00\x01\x02\n"), "b.csv", ("b.csv",)),
        ("duplicate doc_id",
         lambda f: write_records(f / "d.jsonl", [{"doc_id": "x", "outlet": "A", "text": GOOD_TEXT},
                                                 {"doc_id": "x", "outlet": "B", "text": GOOD_TEXT}]), "d.jsonl", ("x",)),
        ("missing outlet column", lambda f: write_records(f / "c.jsonl", [{"text": GOOD_TEXT}]), "c.jsonl", ("outlet",)),
        ("date not ISO 8601",
         lambda f: write_records(f / "t.jsonl", [{"outlet": "A", "text": GOOD_TEXT, "date": "26/07/2023"}]),
         "t.jsonl", ("26/07/2023",)),
        ("unreadable JSONL", lambda f: write_text(f / "j.jsonl", "{not json\n"), "j.jsonl", ("j.jsonl",)),
        ("unreadable Parquet", lambda f: write_text(f / "p.parquet", b"PAR1 not really"), "p.parquet", ("p.parquet",)),
        ("unsupported file type", lambda f: write_text(f / "c.docx", "x"), "c.docx", (".docx",)),
    ]
    cases = []
    for name, setup, corpus, message in layouts:
        for command in TABLE_COMMANDS:
            cases.append(Case(f"{name} ({command})", "input errors", lambda f, c=corpus, cmd=command:
                              [cmd, "--corpus", str(f / c)], setup, "error", message))
        for command, argv in OTHER_CORPUS_COMMANDS.items():
            cases.append(Case(f"{name} ({command})", "input errors", lambda f, c=corpus, a=argv:
                              [*a(f), "--corpus", str(f / c)], setup, "error", message))
    cases.append(Case("unknown --format", "input errors",
                      lambda f: ["corpus", "--corpus", str(f / "good"), "--format", "xml"], write_good_corpus, "error"))
    return cases


def _output_cases() -> list[Case]:
    """--out must never destroy what the program did not write."""

    def user_folder(folder: Path) -> None:
        write_good_corpus(folder)
        write_text(folder / "thesis" / "draft.docx", b"my thesis, chapter one")
        write_text(folder / "thesis" / "notes.txt", "notes")

    def project_copy(folder: Path) -> None:
        write_good_corpus(folder)
        write_text(folder / "project" / "pyproject.toml", "[project]\nname = 'x'\n")
        write_text(folder / "project" / "analysis" / "__init__.py", "")
        write_text(folder / "project" / ".git" / "HEAD", "ref: refs/heads/main\n")

    def with_file(folder: Path) -> None:
        write_good_corpus(folder)
        write_text(folder / "results.csv", "keep me\n")

    def with_fifo(folder: Path) -> None:
        write_good_corpus(folder)
        make_fifo(folder / "pipe.csv")

    report = ["report", "--quiet", "--corpus"]
    return [
        Case("report --out a folder with the user's files", "data loss",
             lambda f: [*report, str(f / "good"), "--out", str(f / "thesis")], user_folder, "error", ("thesis",)),
        Case("report --out a copy of the project folder", "data loss",
             lambda f: [*report, str(f / "good"), "--out", str(f / "project")], project_copy, "error", ("project",)),
        Case("report --out an existing file", "data loss",
             lambda f: [*report, str(f / "good"), "--out", str(f / "results.csv")], with_file, "error", ("results.csv",)),
        Case("report --out the corpus folder", "data loss",
             lambda f: [*report, str(f / "good"), "--out", str(f / "good")], write_good_corpus, "error", ("good",)),
        Case("report --out /", "data loss",
             lambda f: [*report, str(f / "good"), "--out", "/"], write_good_corpus, "error"),
        Case("--out names the input corpus", "data loss",
             lambda f: ["sentences", "--corpus", str(f / "good.jsonl"), "--out", str(f / "good.jsonl")],
             write_good_corpus, "error", ("good.jsonl",)),
        Case("--out names a file of the corpus folder", "data loss",
             lambda f: ["corpus", "--corpus", str(f / "good"), "--out", str(f / "good" / "corpus.csv")],
             write_good_corpus, "error", ("corpus.csv",)),
        Case("--out names the codebook", "data loss",
             lambda f: ["terms", "--corpus", str(f / "good"), "--codebook", str(f / "cb.yaml"), "--out", str(f / "cb.yaml")],
             lambda f: (write_good_corpus(f), write_text(f / "cb.yaml", codebook_with("      - talks\n"))),
             "error", ("cb.yaml",)),
        Case("--out names a folder", "data loss",
             lambda f: ["corpus", "--corpus", str(f / "good"), "--out", str(f / "thesis")], user_folder, "error"),
        Case("--out /", "data loss", lambda f: ["corpus", "--corpus", str(f / "good"), "--out", "/"],
             write_good_corpus, "error"),
        # A link to the device, so that a regression replaces the link in the scratch folder, never /dev/null.
        Case("--out a device", "data loss", lambda f: ["corpus", "--corpus", str(f / "good"), "--out", str(f / "null")],
             lambda f: (write_good_corpus(f), (f / "null").symlink_to("/dev/null")), "error", ("null",)),
        Case("--out a FIFO", "data loss", lambda f: ["corpus", "--corpus", str(f / "good"), "--out", str(f / "pipe.csv")],
             with_fifo, "error", ("pipe.csv",), isolate=True),
        Case("--out in a folder that does not exist", "OS errors",
             lambda f: ["corpus", "--corpus", str(f / "good"), "--out", str(f / "no" / "such" / "t.csv")],
             write_good_corpus, "error"),
        Case("--out where no file can be created", "OS errors",
             lambda f: ["corpus", "--corpus", str(f / "good"), "--out", "/proc/analysis-fuzz.csv"],
             write_good_corpus, "error"),
        Case("--out replaces an earlier table", "data loss",
             lambda f: ["corpus", "--corpus", str(f / "good"), "--format", "csv", "--out", str(f / "results.csv")],
             with_file, "ok", outputs=("results.csv",)),
    ]


def _data_file_cases() -> list[Case]:
    """Codebooks, rules and patterns that are hostile or malformed."""

    def corpus_and(name: str, text: str) -> Callable[[Path], None]:
        return lambda f: (write_good_corpus(f), write_text(f / name, text))

    def terms_with(name: str) -> Callable[[Path], list[str]]:
        return lambda f: ["terms", "--corpus", str(f / "good"), "--codebook", str(f / name)]

    long_line = "a" * 30_000 + "b"

    def long_corpus(folder: Path) -> None:
        write_records(folder / "long.jsonl", [{"outlet": "A", "text": "Head\n\n" + long_line + "\n"},
                                              {"outlet": "B", "text": GOOD_TEXT}])

    gap_phrase = " … ".join(["the"] * 21)
    long_sentence = "Head\n\n" + " ".join(["the talks of the day"] * 2000) + ".\n"
    deep = "frames: " + "[" * 50_000 + "]" * 50_000 + "\n"
    duplicate = codebook_with("      - talks\n") + "frames:\n  - name: other\n    description: x\n    terms: [y]\n"
    return [
        Case("YAML alias bomb in a codebook", "bombs and hangs", terms_with("bomb.yaml"),
             corpus_and("bomb.yaml", alias_bomb(4)), "error", ("bomb.yaml",)),
        Case("YAML alias bomb, full size", "bombs and hangs", terms_with("bomb.yaml"),
             corpus_and("bomb.yaml", alias_bomb(9)), "error", ("bomb.yaml",), slow=True),
        Case("YAML alias bomb in cleaning rules", "bombs and hangs",
             lambda f: ["corpus", "--corpus", str(f / "good"), "--rules", str(f / "rules.yaml")],
             corpus_and("rules.yaml", alias_bomb(4)), "error", ("rules.yaml",)),
        Case("deeply nested YAML", "tracebacks", terms_with("deep.yaml"), corpus_and("deep.yaml", deep),
             "error", ("deep.yaml",)),
        Case("duplicate YAML key", "silent misreading", terms_with("dup.yaml"), corpus_and("dup.yaml", duplicate),
             "error", ("dup.yaml",)),
        Case("catastrophic regex (a+)+$", "bombs and hangs",
             lambda f: ["terms", "--corpus", str(f / "long.jsonl"), "--codebook", str(f / "re.yaml")],
             lambda f: (long_corpus(f), write_text(f / "re.yaml", codebook_with("      - regex: '(a+)+$'\n"))),
             "either", isolate=True),
        Case("regex with a lookahead", "silent misreading", terms_with("look.yaml"),
             corpus_and("look.yaml", codebook_with("      - regex: '(?=talks)'\n")), "error", ("look.yaml",)),
        Case("regex repeat count too large", "tracebacks", terms_with("rep.yaml"),
             corpus_and("rep.yaml", codebook_with("      - regex: 'a{1,100000}'\n")), "error", ("rep.yaml",)),
        Case("regex nested too deeply", "tracebacks", terms_with("nest.yaml"),
             corpus_and("nest.yaml", codebook_with("      - regex: '" + "(" * 3000 + "a" + ")" * 3000 + "'\n")),
             "error", ("nest.yaml",)),
        Case("phrase with 20 gaps on a long sentence", "bombs and hangs",
             lambda f: ["terms", "--corpus", str(f / "ls.jsonl"), "--codebook", str(f / "gaps.yaml")],
             lambda f: (write_records(f / "ls.jsonl", [{"outlet": "A", "text": long_sentence},
                                                       {"outlet": "B", "text": GOOD_TEXT}]),
                        write_text(f / "gaps.yaml", codebook_with(f"      - '{gap_phrase}'\n"))),
             "either", isolate=True),
        Case("codebook entry that cannot match", "silent misreading", terms_with("dash.yaml"),
             corpus_and("dash.yaml", codebook_with("      - '—'\n")), "error", ("dash.yaml",)),
        Case("codebook is a FIFO", "bombs and hangs", terms_with("cb.fifo"),
             lambda f: (write_good_corpus(f), make_fifo(f / "cb.fifo")), "error", ("cb.fifo",), isolate=True),
        Case("rules file is a FIFO", "bombs and hangs",
             lambda f: ["corpus", "--corpus", str(f / "good"), "--rules", str(f / "r.fifo")],
             lambda f: (write_good_corpus(f), make_fifo(f / "r.fifo")), "error", ("r.fifo",), isolate=True),
        Case("--resamples far too many", "silent misreading",
             lambda f: ["tone", "--corpus", str(f / "good"), "--resamples", "1000000000000"], write_good_corpus, "error"),
        Case("--resamples zero", "silent misreading",
             lambda f: ["tone", "--corpus", str(f / "good"), "--resamples", "0"], write_good_corpus, "error"),
    ]


def _corpus_cases() -> list[Case]:
    """Corpora that are hostile or easy to misread."""

    def jsonl(name: str, records: list[dict], raw: bool = False) -> Callable[[Path], None]:
        return lambda f: write_records(f / name, records, raw_unicode=raw)

    def on(name: str, command: str = "corpus") -> Callable[[Path], list[str]]:
        return lambda f: [command, "--corpus", str(f / name)]

    nested = '{"outlet": "A", "text": "x", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
    stray_byte = ("Headline\n\nThe minister said the talks went well " * 20).encode() + b"\xff and ended.\n"

    def fifo_manifest(folder: Path) -> None:
        write_text(folder / "fm" / "corpus.csv", "doc_id,file,outlet\na,a.txt,A\n")
        make_fifo(folder / "fm" / "a.txt")

    def parquet_missing(folder: Path) -> None:
        parquet_with(folder / "na.parquet", {"outlet": ["A", None], "text": [GOOD_TEXT, GOOD_TEXT]})

    def parquet_bytes(folder: Path) -> None:
        parquet_with(folder / "by.parquet", {"outlet": [b"A", b"B"], "text": [GOOD_TEXT, GOOD_TEXT]})

    huge_name = "N" * 20_000
    return [
        Case("--corpus is a FIFO", "bombs and hangs", on("c.jsonl"), lambda f: make_fifo(f / "c.jsonl"),
             "error", ("c.jsonl",), isolate=True),
        Case("manifest names a FIFO", "bombs and hangs", on("fm"), fifo_manifest, "error", ("a.txt",), isolate=True),
        Case("--corpus is a device", "bombs and hangs", on("zero.jsonl"),
             lambda f: (f / "zero.jsonl").symlink_to("/dev/zero"), "error", ("zero.jsonl",), slow=True),
        Case("deeply nested JSONL line", "tracebacks", on("n.jsonl"), lambda f: write_text(f / "n.jsonl", nested),
             "error", ("n.jsonl",)),
        Case("Parquet with a missing outlet", "silent misreading", on("na.parquet"), parquet_missing, "error",
             ("na.parquet",)),
        Case("Parquet with bytes columns", "silent misreading", on("by.parquet"), parquet_bytes, "either"),
        Case("JSONL with null outlet", "silent misreading", on("nu.jsonl"),
             jsonl("nu.jsonl", [{"outlet": None, "text": GOOD_TEXT}, {"outlet": "B", "text": GOOD_TEXT}]),
             "error", ("nu.jsonl",)),
        Case("JSONL with a list as outlet", "silent misreading", on("li.jsonl"),
             jsonl("li.jsonl", [{"outlet": ["A"], "text": GOOD_TEXT}]), "error", ("li.jsonl",)),
        Case("one stray byte in UTF-8", "silent misreading", on("sb.csv"),
             lambda f: write_text(f / "sb.csv", b'outlet,text\nA,"' + stray_byte + b'"\n'), "ok"),
        Case("JSONL with a raw U+2028", "silent misreading", on("ls.jsonl"),
             jsonl("ls.jsonl", [{"outlet": "A", "text": "Head\n\nOne line\u2028two lines."}], raw=True), "ok"),
        Case("outlets differing by a no-break space", "silent misreading", on("nb.jsonl"),
             jsonl("nb.jsonl", [{"outlet": "The Times", "text": GOOD_TEXT},
                                {"outlet": "The\u00a0Times", "text": GOOD_TEXT}]), "ok"),
        Case("mathtext in an outlet name", "tracebacks", on("mt.jsonl", "vocab"),
             jsonl("mt.jsonl", [{"outlet": "$\\foo$", "text": GOOD_TEXT}, {"outlet": "$x^2$", "text": GOOD_TEXT}]),
             "either"),
        Case("20,000-character outlet name", "tracebacks", on("hn.jsonl", "tone"),
             jsonl("hn.jsonl", [{"outlet": huge_name, "text": GOOD_TEXT}, {"outlet": "B", "text": GOOD_TEXT}]),
             "error", ("hn.jsonl",)),
        Case("Russian, Korean and Arabic documents", "silent misreading", on("ru.jsonl", "tone"),
             jsonl("ru.jsonl", [{"outlet": "A", "text": "Заголовок\n\nМинистр заявил, что переговоры прошли успешно."},
                                {"outlet": "B", "text": "제목\n\n장관은 회담이 잘 진행되었다고 말했다."},
                                {"outlet": "C", "text": GOOD_TEXT}]), "ok"),
        Case("one 2 MB paragraph", "quadratic time", on("big.jsonl", "sentences"),
             jsonl("big.jsonl", [{"outlet": "A", "text": "Head\n\n" + "The talks went on and on. " * 80_000}]),
             "ok", slow=True),
        Case("one 10 MB paragraph", "quadratic time", on("big.jsonl", "terms"),
             jsonl("big.jsonl", [{"outlet": "A", "text": "Head\n\n" + "The talks went on and on. " * 400_000},
                                 {"outlet": "B", "text": GOOD_TEXT}]), "ok", slow=True),
    ]


def all_cases() -> list[Case]:
    """Return every fuzz case, fast and slow."""
    return [*_plain_input_errors(), *_output_cases(), *_data_file_cases(), *_corpus_cases()]


# --- running and judging ------------------------------------------------------------------

def tree_fingerprint(folder: Path) -> dict[str, str]:
    """Return relative path → SHA-256 (or the kind, for what is not a regular file) of everything under ``folder``."""
    prints = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            prints[relative] = "link:" + os.readlink(path)
        elif path.is_fifo():
            prints[relative] = "fifo"
        elif path.is_file():
            prints[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            prints[relative] = "dir"
    return prints


def classify(case: Case, status: int | None, stderr: str, before: dict, after: dict) -> str:
    """Return the outcome kind of a finished run (see the module docstring)."""
    allowed = set(case.outputs) if status == 0 else set()
    lost = [path for path, digest in before.items() if path not in allowed and after.get(path) != digest]
    if lost:
        return "loss"
    if "Traceback" in stderr:
        return "traceback"
    lines = [line for line in stderr.strip().splitlines() if not line.startswith("warning: ")]
    if status == 2 and len(lines) == 1 and lines[0].startswith("error: "):
        return "error"
    if status == 0 and not lines:
        return "ok"
    return "traceback"


def expected(case: Case, kind: str, stderr: str) -> bool:
    """Return whether ``kind`` is what ``case`` should give (and its message names what it must)."""
    if kind in ("traceback", "hang", "loss"):
        return False
    if case.expect != "either" and kind != case.expect:
        return False
    if kind == "error":
        line = [line for line in stderr.strip().splitlines() if line.startswith("error: ")][0]
        return all(fragment in line for fragment in case.message)
    return True


def run_in_subprocess(case: Case, folder: Path, timeout: float) -> Outcome:
    """Run ``case`` as ``python -m analysis …`` in a fresh process inside ``folder``."""
    import time

    case.setup(folder)
    before = tree_fingerprint(folder)
    started = time.perf_counter()
    try:
        done = subprocess.run([PYTHON, "-m", "analysis", *case.argv(folder)], cwd=folder, capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                              env={**os.environ, "TQDM_DISABLE": "1"})
    except subprocess.TimeoutExpired as expired:
        return Outcome("hang", None, (expired.stderr or b"").decode("utf-8", "replace") if isinstance(
            expired.stderr, bytes) else (expired.stderr or ""), timeout)
    seconds = time.perf_counter() - started
    kind = classify(case, done.returncode, done.stderr, before, tree_fingerprint(folder))
    return Outcome(kind, done.returncode, done.stderr, seconds)
