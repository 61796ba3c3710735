"""Attention over time: counts per outlet and period worked out by reading a small dated corpus; ISO weeks from
Monday; when dates count as varying (the seed corpus does not); the figure; the command and its errors."""

import math

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis.attention import (attention_over_time, document_periods, has_varying_dates, period_start,
                                plot_attention)
from analysis.cli import main
from analysis.codebook import codebook_from_terms, read_codebook
from analysis.corpus import read_corpus
from analysis.errors import AnalysisError
from analysis.paths import PROJECT_ROOT
from analysis.style import save_figure
from conftest import write_manifest_corpus

DATED = PROJECT_ROOT / "tests" / "data" / "dated"

# 2024-03-04 is a Monday: week 1 runs 4–10 March, week 2 11–17, week 3 18–24.
DOCUMENTS = [
    {"doc_id": "a1", "outlet": "Alpha Post", "date": "2024-03-04", "text": "The flood rose fast.\n"},      # 4 words
    {"doc_id": "a2", "outlet": "Alpha Post", "date": "2024-03-10", "text": "Flood and flood again.\n"},    # Sunday
    {"doc_id": "a3", "outlet": "Alpha Post", "date": "2024-03-11", "text": "The town was dry.\n"},         # Monday
    {"doc_id": "b1", "outlet": "Beta Daily", "date": "2024-03-06", "text": "Rain fell all day.\n"},
    {"doc_id": "b2", "outlet": "Beta Daily", "date": "2024-03-19",
     "text": "A flood came at night and the flood stayed.\n"},                                            # 9 words
    {"doc_id": "c1", "outlet": "Gamma News", "date": "2024-03-12",
     "text": "The flood was the worst flood in years, the mayor said.\n"},                                 # 11 words
    {"doc_id": "c2", "outlet": "Gamma News", "date": "2024-03-17", "text": "Water went down.\n"},         # 3 words
    {"doc_id": "c3", "outlet": "Gamma News", "date": "", "text": "Flood talk.\n"},                        # undated
]


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    return read_corpus(write_manifest_corpus(tmp_path_factory.mktemp("dated") / "corpus", DOCUMENTS))


def _rows(table, item="flood"):
    rows = table[table["item"] == item]
    return {(start, outlet): (count, documents, words, rate) for start, outlet, count, documents, words, rate in
            zip(rows["period_start"], rows["outlet"], rows["count"], rows["n_documents"], rows["n_words"],
                rows["per_1k_words"])}


def _same(found, expected):
    assert found.keys() == expected.keys()
    for key, (count, documents, words, rate) in expected.items():
        got = found[key]
        assert got[:3] == (count, documents, words), key
        assert (math.isnan(got[3]) and math.isnan(rate)) or got[3] == pytest.approx(rate), key


def test_weeks_start_on_monday_and_a_sunday_closes_its_week():
    assert period_start("2024-03-04", "week") == "2024-03-04"  # Monday
    assert period_start("2024-03-10", "week") == "2024-03-04"  # Sunday: still week 1
    assert period_start("2024-03-11", "week") == "2024-03-11"  # next Monday
    assert period_start("2024-01-01", "week") == "2024-01-01"  # a Monday opening the year
    assert period_start("2023-01-01", "week") == "2022-12-26"  # a Sunday: its ISO week began in the year before
    assert period_start("2024-03-10", "day") == "2024-03-10"


def test_weekly_counts_per_outlet(dated):
    table = attention_over_time(dated, "terms", terms=["flood"], period="week")
    assert list(table.columns) == ["period_start", "outlet", "item", "group", "count", "n_documents", "n_words",
                                   "per_1k_words"]
    nan = float("nan")
    _same(_rows(table), {
        # week 1: a1 (1 flood, 4 words) + a2 (2, 4); b1 (0, 4); Gamma published nothing
        ("2024-03-04", "Alpha Post"): (3, 2, 8, 375.0),
        ("2024-03-04", "Beta Daily"): (0, 1, 4, 0.0),
        ("2024-03-04", "Gamma News"): (0, 0, 0, nan),
        # week 2: a3 (0, 4); c1 (2, 11) + c2 (0, 3)
        ("2024-03-11", "Alpha Post"): (0, 1, 4, 0.0),
        ("2024-03-11", "Beta Daily"): (0, 0, 0, nan),
        ("2024-03-11", "Gamma News"): (2, 2, 14, 2000 / 14),
        # week 3: b2 (2, 9)
        ("2024-03-18", "Alpha Post"): (0, 0, 0, nan),
        ("2024-03-18", "Beta Daily"): (2, 1, 9, 2000 / 9),
        ("2024-03-18", "Gamma News"): (0, 0, 0, nan),
    })
    assert table.attrs["n_undated"] == 1  # c3 ("Flood talk.") has no date and is not counted
    assert table["count"].sum() == 7


def test_daily_periods_run_without_gaps_from_first_to_last(dated):
    table = attention_over_time(dated, "terms", terms=["flood"], period="day")
    days = sorted(set(table["period_start"]))
    assert days[0] == "2024-03-04" and days[-1] == "2024-03-19" and len(days) == 16
    rows = _rows(table)
    assert rows[("2024-03-10", "Alpha Post")][:3] == (2, 1, 4)
    assert rows[("2024-03-05", "Alpha Post")][:3] == (0, 0, 0)


def test_frames_add_their_terms_and_labels_count_each_label(dated, tmp_path):
    frames = attention_over_time(dated, "frames", codebook_from_terms(["flood", "rain"], "weather"), period="week")
    weather = _rows(frames, "weather")
    assert weather[("2024-03-04", "Alpha Post")][0] == 3
    assert weather[("2024-03-04", "Beta Daily")][0] == 1  # "Rain fell all day."
    path = tmp_path / "codebook.yaml"
    path.write_text("naming_sets:\n  - name: the water\n    description: What the water is called.\n"
                    "    labels:\n      - flood\n      - rain\n", encoding="utf-8")
    labels = attention_over_time(dated, "labels", read_codebook(path), period="week")
    assert set(labels["group"]) == {"the water"}
    assert _rows(labels, "rain")[("2024-03-04", "Beta Daily")][0] == 1
    assert _rows(labels, "flood")[("2024-03-18", "Beta Daily")][0] == 2


def test_dates_vary_when_an_outlet_has_documents_in_two_periods(dated, tmp_path):
    assert has_varying_dates(dated, "week")  # Alpha Post: weeks 1 and 2; Gamma News: week 2 only
    # Each outlet one article, on different days (like the seed corpus): a difference between outlets, not a trend.
    one_each = read_corpus(write_manifest_corpus(tmp_path / "one-each", [
        {"doc_id": "x", "outlet": "X", "date": "2024-03-04", "text": "Flood.\n"},
        {"doc_id": "y", "outlet": "Y", "date": "2024-03-20", "text": "Flood.\n"},
    ]))
    assert not has_varying_dates(one_each, "day") and not has_varying_dates(one_each, "week")
    # Two days of one week: varying by day, not by week.
    one_week = read_corpus(write_manifest_corpus(tmp_path / "one-week", [
        {"doc_id": "x1", "outlet": "X", "date": "2024-03-04", "text": "Flood.\n"},
        {"doc_id": "x2", "outlet": "X", "date": "2024-03-06", "text": "Rain.\n"},
    ]))
    assert has_varying_dates(one_week, "day") and not has_varying_dates(one_week, "week")
    undated = read_corpus(write_manifest_corpus(tmp_path / "undated", [
        {"doc_id": "x1", "outlet": "X", "text": "Flood.\n"}, {"doc_id": "x2", "outlet": "X", "text": "Rain.\n"},
    ]))
    assert not has_varying_dates(undated, "day")
    assert document_periods(undated).attrs["n_undated"] == 2


def test_the_seed_corpus_shows_no_time_figure():
    seeds = read_corpus()
    # Its dates differ (26 and 27 July 2023), but each outlet has one article: no outlet has two periods.
    assert seeds.documents["date"].nunique() == 2
    assert seeds.documents.groupby("outlet").size().max() == 1
    assert not has_varying_dates(seeds, "day")
    assert not has_varying_dates(seeds, "week")


def test_the_dated_test_corpus_has_three_weeks_per_outlet():
    corpus = read_corpus(DATED)
    periods = document_periods(corpus, "week")
    per_week = periods.groupby(["outlet", "period_start"]).size().to_dict()
    # From corpus.csv's dates (README): Wire 2, 2, 2; Ledger 2 (4 and 8 June, a Sunday), 1, 2; Spark 1, 2, 1.
    assert per_week == {
        ("Metro Wire", "2025-06-02"): 2, ("Metro Wire", "2025-06-09"): 2, ("Metro Wire", "2025-06-16"): 2,
        ("Harbor Ledger", "2025-06-02"): 2, ("Harbor Ledger", "2025-06-09"): 1, ("Harbor Ledger", "2025-06-16"): 2,
        ("The Evening Spark", "2025-06-02"): 1, ("The Evening Spark", "2025-06-09"): 2,
        ("The Evening Spark", "2025-06-16"): 1,
    }
    assert has_varying_dates(corpus)
    table = attention_over_time(corpus, "frames", read_codebook(DATED / "codebook.yaml"))
    # "reservoir" ×3 and "water shortage" in the Wire's 3 June article, "reservoir" and "water shortage" on 5 June.
    assert _rows(table, "shortage")[("2025-06-02", "Metro Wire")][0] == 6


def test_bad_choices_are_one_line_errors(dated):
    with pytest.raises(AnalysisError, match="what to count is one of frames, terms, labels, not 'words'"):
        attention_over_time(dated, "words", terms=["flood"])
    with pytest.raises(AnalysisError, match="the period is one of day, week, not 'month'"):
        attention_over_time(dated, "terms", terms=["flood"], period="month")
    with pytest.raises(AnalysisError, match="needs a codebook or at least one --term"):
        attention_over_time(dated, "frames")
    with pytest.raises(AnalysisError, match="not as naming labels"):
        attention_over_time(dated, "labels", codebook_from_terms(["flood"]), terms=["rain"])
    with pytest.raises(AnalysisError, match="needs a codebook with naming sets"):
        attention_over_time(dated, "labels", codebook_from_terms(["flood"]))


def test_plot_has_a_panel_per_top_item_and_a_line_per_outlet(dated, tmp_path):
    table = attention_over_time(dated, "terms", terms=["flood", "rain", "drought"], period="week")
    figure = plot_attention(table, "test corpus", top=6)
    # "drought" never occurs: two panels, flood (7 matches) before rain (1).
    assert [axes.get_title(loc="left") for axes in figure.axes] == ["flood", "rain"]
    assert all(len(axes.get_lines()) == 3 for axes in figure.axes)
    plt.close(figure)
    first = [path.read_bytes() for path in save_figure(plot_attention(table, "t"), "a", tmp_path / "one")]
    second = [path.read_bytes() for path in save_figure(plot_attention(table, "t"), "a", tmp_path / "two")]
    assert first == second
    with pytest.raises(AnalysisError, match="no item has a match"):
        plot_attention(attention_over_time(dated, "terms", terms=["drought"]))


def test_plot_draws_hostile_items_as_typed(dated, tmp_path):
    table = attention_over_time(dated, "terms", terms=["flood"], period="week")
    table["item"] = table["group"] = "$\\foo$ flood"
    _, svg = save_figure(plot_attention(table, "corpus $a$"), "hostile", tmp_path)
    assert "<!-- $\\foo$ flood" in svg.read_text(encoding="utf-8")


def run(capsys, *args):
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_cli_attention_table_and_errors(capsys, dated, tmp_path):
    status, out, _ = run(capsys, "attention", "--corpus", str(dated.source), "--term", "flood", "--what", "terms",
                         "--format", "csv")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "period_start,outlet,item,group,count,n_documents,n_words,per_1k_words"
    assert "2024-03-04,Alpha Post,flood,custom,3,2,8,375.0" in lines
    out_file = tmp_path / "attention.csv"
    assert run(capsys, "attention", "--corpus", str(dated.source), "--term", "flood", "--period", "day",
               "--format", "csv", "--out", str(out_file))[0] == 0
    assert len(pd.read_csv(out_file)) == 16 * 3  # 16 days × 3 outlets × 1 term
    status, out, err = run(capsys, "attention")
    assert status == 2 and out == ""
    assert err.startswith("error: attention: ") and "no outlet has dated articles in two or more different weeks" in err
    assert err.count("\n") == 1
    status, _, err = run(capsys, "attention", "--corpus", str(dated.source))
    assert status == 2 and "no framing codebook was given" in err and err.count("\n") == 1
