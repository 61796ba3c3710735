"""Attention over time in the report: shown for a corpus whose dates vary, absent for the example corpus."""

from __future__ import annotations

import pandas as pd

from analysis.paths import PROJECT_ROOT
from analysis.report import build_report

DATED = PROJECT_ROOT / "tests" / "data" / "dated"


def test_a_date_varying_corpus_gets_the_attention_figure(tmp_path):
    out = tmp_path / "report"
    build_report(DATED, out, codebook_path=DATED / "codebook.yaml", notebooks=("03_framing.ipynb",), progress=False)
    assert (out / "figures" / "attention-frames-by-week.png").is_file()
    table = pd.read_csv(out / "tables" / "attention-frames-by-week.csv")
    # Three ISO weeks (Mondays 2, 9 and 16 June 2025), each outlet in each, every frame of the codebook.
    assert sorted(table["period_start"].unique()) == ["2025-06-02", "2025-06-09", "2025-06-16"]
    assert table["outlet"].nunique() == 3
    assert "attention over time is not shown" not in (out / "03_framing.html").read_text("utf-8")


def test_the_example_corpus_shows_no_attention_figure(seed_report):
    assert not (seed_report / "figures" / "attention-frames-by-week.png").exists()
    assert not (seed_report / "tables" / "attention-frames-by-week.csv").exists()
    assert "attention over time is not shown" in (seed_report / "03_framing.html").read_text("utf-8")
