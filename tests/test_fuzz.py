"""The standing fuzz suite, fast part: every hostile input gets a clear outcome, and nothing is lost.

The cases live in ``fuzz_cases.py`` (shared with ``bench/bench_fuzz.py``, which also runs
the slow ones). Cases that could block or hang when broken run in a subprocess with a
time limit; the rest run in-process, where an uncaught exception is a traceback.
"""

from __future__ import annotations

import contextlib
import io
import sys

import pytest

from analysis.cli import main
from fuzz_cases import Case, all_cases, classify, expected, run_in_subprocess, tree_fingerprint

FAST_CASES = [case for case in all_cases() if not case.slow]
SUBPROCESS_TIMEOUT = 60


def run_in_process(case: Case, folder, monkeypatch) -> tuple[str, str]:
    """Return (outcome kind, standard error) of ``case`` run through ``analysis.cli.main``."""
    case.setup(folder)
    before = tree_fingerprint(folder)
    monkeypatch.chdir(folder)
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = main(case.argv(folder))
    except BaseException as error:  # noqa: BLE001 - an escaping exception is what this test looks for
        return "traceback", f"Traceback: {type(error).__name__}: {error}"
    return classify(case, status, stderr.getvalue(), before, tree_fingerprint(folder)), stderr.getvalue()


@pytest.mark.parametrize("case", FAST_CASES, ids=[case.name for case in FAST_CASES])
def test_hostile_input_gets_a_clear_outcome_and_loses_nothing(case, tmp_path, monkeypatch):
    if case.isolate:
        outcome = run_in_subprocess(case, tmp_path, SUBPROCESS_TIMEOUT)
        kind, stderr = outcome.kind, outcome.stderr
    else:
        kind, stderr = run_in_process(case, tmp_path, monkeypatch)
    assert expected(case, kind, stderr), f"{case.name}: expected {case.expect} {case.message}, got {kind}:\n{stderr}"


def test_full_standard_output_is_one_line_and_a_failure(tmp_path):
    """Writing to a full disk through standard output: one line, non-zero exit, no traceback."""
    import subprocess

    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "analysis", "corpus"], stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=SUBPROCESS_TIMEOUT, cwd=tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
