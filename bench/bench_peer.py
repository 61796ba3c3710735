"""Benchmark the vocabulary step against scattertext 0.2.2 on the same corpus, in one run, each as a whole process.

The task, as the issue defines it: build the corpus and score every outlet
against the rest.

* Peer: ``scattertext`` 0.2.2 in its own virtual environment
  (``bench/.venv-peer``, from ``bench/peer-requirements.txt``; created here on
  first use, since scattertext pins scipy<1.14 and needs spacy, gensim,
  statsmodels and flashtext, which the project's .venv cannot hold). The process
  reads the JSONL corpus with pandas, builds
  ``CorpusFromPandas(df, category_col='outlet', text_col='text',
  nlp=whitespace_nlp_with_sentences)`` (its documented whitespace tokenizer: terms
  of one and two words), then for each outlet scores every term against the
  other outlets with ``G2(corpus, alpha=0.05).set_categories(outlet, others)
  .get_score_df()`` (signed G², its p and the Benjamini-Hochberg p, the
  keyness test closest to ours) and ``corpus.get_scaled_f_scores(outlet)``
  (scattertext's default one-vs-rest score), and writes each outlet's 20 terms
  of highest G² to a CSV file.
* Ours: ``python -m analysis vocab --corpus X --ngram 2 --format csv --out FILE``:
  read, clean, split sentences, terms of one and two words, keyness of every
  outlet against the rest (G², Log Ratio, log-odds z, exact tests where counts
  are small, Benjamini-Hochberg), 20 rows per outlet, written as CSV. The
  command's default ``--workers`` (one per core) cleans and counts slices of the
  corpus in forked processes; scattertext has no such option and uses one core.

Both are timed from process start to exit (wall clock) and their peak resident
memory is read from ``os.wait4`` (the child's own ru_maxrss). They run
alternately, ``--repeats`` times each; the best wall time of each counts. The
ratio is peer wall / ours wall (the issue's aim: at least 3).

The tone step against a bare vaderSentiment loop is measured by
``bench/bench_tone.py``; this script runs it (``--no-tone`` to skip) and copies its
ratio into the same table.

Usage: .venv/bin/python bench/bench_peer.py [--words 1000000] [--repeats 2] [--no-tone]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
PEER_VENV = BENCH_DIR / ".venv-peer"
PEER_REQUIREMENTS = BENCH_DIR / "peer-requirements.txt"
PEER_PYTHON = PEER_VENV / "bin" / "python"
PEER_STAMP = PEER_VENV / ".installed-requirements"
TOP_TERMS = 20


def peer_python() -> Path:
    """Return the peer environment's python, creating ``bench/.venv-peer`` from ``bench/peer-requirements.txt``
    when it is missing or was installed from other requirements."""
    wanted = PEER_REQUIREMENTS.read_text(encoding="utf-8")
    if PEER_PYTHON.exists() and PEER_STAMP.exists() and PEER_STAMP.read_text(encoding="utf-8") == wanted:
        return PEER_PYTHON
    print(f"creating the peer environment {PEER_VENV.relative_to(PROJECT_DIR)} from "
          f"{PEER_REQUIREMENTS.relative_to(PROJECT_DIR)} (scattertext 0.2.2 and its dependencies; "
          "kept apart from .venv because scattertext pins scipy<1.14); this takes a minute or two, once",
          flush=True)
    base = os.environ.get("PEER_BASE_PYTHON", "python3.11")
    if not PEER_PYTHON.exists():
        subprocess.run([base, "-m", "venv", str(PEER_VENV)], check=True)
    subprocess.run([str(PEER_PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-r", str(PEER_REQUIREMENTS)], check=True)
    PEER_STAMP.write_text(wanted, encoding="utf-8")
    return PEER_PYTHON


def run_peer_task(corpus_path: Path, out_path: Path) -> None:
    """The peer's task, run inside ``bench/.venv-peer``: build the scattertext corpus, score every outlet against
    the rest, write each outlet's top terms by G² to ``out_path``."""
    import warnings

    import pandas as pd
    import scattertext as st

    warnings.simplefilter("ignore")  # numpy's log(0) warnings inside G2, once per outlet
    frame = pd.read_json(corpus_path, lines=True)
    corpus = st.CorpusFromPandas(frame, category_col="outlet", text_col="text",
                                 nlp=st.whitespace_nlp_with_sentences).build()
    terms = corpus.get_terms()
    outlets = corpus.get_categories()
    tables = []
    for outlet in outlets:
        others = [name for name in outlets if name != outlet]
        scores = st.G2(corpus, alpha=0.05).set_categories(outlet, others).get_score_df()
        scores["scaled_f_score"] = corpus.get_scaled_f_scores(outlet)
        scores.insert(0, "term", terms)
        scores.insert(0, "outlet", outlet)
        tables.append(scores.sort_values("Score", ascending=False, kind="stable").head(TOP_TERMS))
    pd.concat(tables).to_csv(out_path, index=False)


def run_measured(command: list[str]) -> tuple[float, float]:
    """Run ``command`` to its end; return its wall time in seconds and its peak resident memory in MB
    (``ru_maxrss`` of that child from ``os.wait4``, Linux: KB). A failing command raises CalledProcessError."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT_DIR)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command)
    return seconds, usage.ru_maxrss / 1024


def tone_comparison() -> dict:
    """Run ``bench/bench_tone.py`` (echoing its report) and return its ratio as a row of the comparisons table."""
    from bench.results_table import comparison_row

    report = subprocess.run([sys.executable, str(BENCH_DIR / "bench_tone.py")], cwd=PROJECT_DIR, check=True,
                            capture_output=True, text=True).stdout
    print(report, end="")
    words = re.search(r"articles, (\d+) words", report)
    bare = re.search(r"bare vaderSentiment loop: ([\d.]+) s", report)
    step = re.search(r"tone step \(sentence_tone\): ([\d.]+) s", report)
    ratio = re.search(r"ratio tone step / bare loop: ([\d.]+)", report)
    if not (words and bare and step and ratio):
        raise RuntimeError("bench/bench_tone.py's report changed: cannot read its ratio")
    return comparison_row("tone step vs a bare vaderSentiment loop (bench_tone.py)", int(words[1]),
                          "wall s, in process (best of 3), sentence_tone vs bare loop; ratio step/bare",
                          float(step[1]), float(bare[1]), float(ratio[1]), "<= 1.25")


def corpus_words(path: Path) -> int:
    """Return the number of words of the corpus at ``path`` as the package counts them (after cleaning)."""
    from analysis import read_corpus

    return int(read_corpus(path).sentences["n_words"].sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000, help="corpus size in words (default 1,000,000)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each side, alternating (default 2)")
    parser.add_argument("--no-tone", action="store_true", help="skip bench/bench_tone.py's ratio")
    parser.add_argument("--run-peer", nargs=2, type=Path, metavar=("CORPUS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_peer:
        run_peer_task(*args.run_peer)
        return

    sys.path.insert(0, str(PROJECT_DIR))
    from bench.make_corpus import cached_corpus
    from bench.results_table import COMPARISON_COLUMNS, COMPARISONS, comparison_row, print_rows, update_table

    python = peer_python()
    path = cached_corpus("corpus", args.words)
    n_words = corpus_words(path)
    print(f"corpus: {path.relative_to(PROJECT_DIR)}, {n_words:,} words; {args.repeats} runs of each, alternating",
          flush=True)
    peer_runs, our_runs = [], []
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as folder:
        for repeat in range(args.repeats):
            peer_out, our_out = Path(folder) / f"peer-{repeat}.csv", Path(folder) / f"ours-{repeat}.csv"
            peer_runs.append(run_measured([str(python), str(Path(__file__).resolve()), "--run-peer",
                                           str(path), str(peer_out)]))
            our_runs.append(run_measured([sys.executable, "-m", "analysis", "vocab", "--corpus", str(path),
                                          "--ngram", "2", "--format", "csv", "--out", str(our_out)]))
            print(f"run {repeat + 1}: scattertext {peer_runs[-1][0]:.2f} s, {peer_runs[-1][1]:.0f} MB; "
                  f"ours {our_runs[-1][0]:.2f} s, {our_runs[-1][1]:.0f} MB; "
                  f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    peer_wall, ours_wall = min(run[0] for run in peer_runs), min(run[0] for run in our_runs)
    peer_peak, ours_peak = max(run[1] for run in peer_runs), max(run[1] for run in our_runs)
    rows = [
        comparison_row("vocabulary vs scattertext 0.2.2 (build + each outlet vs rest)", n_words,
                       "wall s, whole process (best run), ours vs scattertext; ratio scattertext/ours",
                       round(ours_wall, 2), round(peer_wall, 2), round(peer_wall / ours_wall, 2), ">= 3"),
        comparison_row("vocabulary vs scattertext 0.2.2 (build + each outlet vs rest)", n_words,
                       "peak RSS MB, whole process, ours vs scattertext; ratio scattertext/ours",
                       round(ours_peak, 1), round(peer_peak, 1), round(peer_peak / ours_peak, 2), ""),
    ]
    if not args.no_tone:
        rows.append(tone_comparison())
    update_table(COMPARISONS, rows, COMPARISON_COLUMNS, key=["comparison", "metric"])
    print_rows(rows, COMPARISON_COLUMNS)
    print(f"written to {COMPARISONS.relative_to(PROJECT_DIR)}")


if __name__ == "__main__":
    main()
