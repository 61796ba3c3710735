"""Charts that scale: merged n-grams in the distinctive-terms chart, small multiples of tone along many articles,
the frame × term dot matrix, corpus text never drawn as mathtext, and byte-identical files."""

from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from analysis.framing import plot_frame_terms
from analysis.style import save_figure
from analysis.tone import plot_tone_along_articles, tone_by_position_decile
from analysis.vocabulary import merge_subsumed_terms, plot_distinctive_terms


def _key_terms(rows):
    """A keyness-like table from (outlet, term, count, count_rest, log_odds_z[, p_value, p_adjusted]) rows.

    Without p-values, p = 10^−z, so that a bar's length (−log₁₀ p) is the row's z and the order by p is the
    order by z; p_adjusted is then 1 (nothing significant).
    """
    rows = [row if len(row) == 7 else (*row, 10.0 ** -row[4], 1.0) for row in rows]
    table = pd.DataFrame(rows, columns=["outlet", "term", "count", "count_rest", "log_odds_z", "p_value",
                                        "p_adjusted"])
    table.insert(1, "reference", "rest")
    return table


def _corpus(outlets):
    documents = pd.DataFrame({"doc_id": [f"d{index}" for index in range(len(outlets))], "outlet": outlets})
    return SimpleNamespace(outlets=list(outlets), source="charts-test", documents=documents)


# --- merge_subsumed_terms ----------------------------------------------------------------------------------------

NAMES = _key_terms([
    # Outlet A: "kim jong un" occurs 4 times and its four shorter forms 4 times each, so never elsewhere.
    ("A", "jong", 4, 0, 2.0),
    ("A", "kim jong un", 4, 0, 1.5),
    ("A", "jong un", 4, 0, 1.9),
    ("A", "kim jong", 4, 0, 1.8),
    ("A", "un", 4, 0, 1.7),
    ("A", "kim", 6, 1, 1.6),            # 2 more uses than "kim jong un": stays
    ("A", "north korea", 3, 2, 1.2),
    ("A", "korea", 3, 2, 1.1),          # only ever inside "north korea"
    ("A", "north", 5, 2, 1.0),          # also elsewhere: stays
    ("A", "fun day", 2, 0, 0.9),
    ("A", "day", 2, 0, 0.8),            # inside "fun day"; "un" is not inside "fun" (whole words only)
    ("A", "korean leader", 3, 0, 0.7),  # inside two trigrams of equal count: the alphabetically first keeps it
    ("A", "korean leader kim", 3, 0, 0.6),
    ("A", "north korean leader", 3, 0, 0.5),
    # Outlet B: the same words, other counts; merging stays within an outlet.
    ("B", "jong", 4, 0, 1.4),
    ("B", "kim jong un", 2, 2, 1.3),
])


def test_merge_keeps_the_longest_form_of_ngrams_that_never_occur_apart():
    merged = merge_subsumed_terms(NAMES)
    kept = {(outlet, term): subsumes for outlet, term, subsumes in
            zip(merged["outlet"], merged["term"], merged["subsumes"])}
    assert kept == {
        ("A", "kim jong un"): "jong; jong un; kim jong; un",
        ("A", "kim"): "",
        ("A", "north korea"): "korea",
        ("A", "north"): "",
        ("A", "fun day"): "day",
        ("A", "korean leader kim"): "korean leader",
        ("A", "north korean leader"): "",
        ("B", "jong"): "",
        ("B", "kim jong un"): "",
    }
    # Rows keep their order and their own statistics.
    assert list(merged["term"])[:3] == ["kim jong un", "kim", "north korea"]
    assert merged.loc[merged["term"] == "kim jong un", "log_odds_z"].tolist() == [1.5, 1.3]


def test_merge_of_an_empty_table_is_empty():
    assert merge_subsumed_terms(NAMES.iloc[0:0]).empty


# --- plot_distinctive_terms ----------------------------------------------------------------------------------------

def test_distinctive_terms_rank_size_and_shade_by_the_keyness_test():
    figure = plot_distinctive_terms(NAMES, _corpus(["A", "B"]), top=4)
    first = figure.axes[0]
    labels = [label.get_text() for label in first.get_yticklabels()]
    # A's four smallest p after merging (p = 10^−z: kim 10^−1.6, kim jong un 10^−1.5 …), drawn bottom to top.
    assert labels[::-1] == ["kim", "kim jong un", "north korea", "north"]
    bars = [patch for patch in first.patches]
    # Bar length −log₁₀ p: 1.6, 1.5, 1.2, 1.0.
    assert [round(bar.get_width(), 6) for bar in bars][::-1] == [1.6, 1.5, 1.2, 1.0]
    # No adjusted p under 0.05: every bar hollow (white face).
    assert all(bar.get_facecolor()[:3] == (1.0, 1.0, 1.0) for bar in bars)
    plt.close(figure)


def test_distinctive_terms_fill_the_bars_whose_adjusted_p_is_under_alpha():
    # flood: p 0.001 (−log₁₀ = 3), adjusted 0.004 → solid; rain: p 0.02, adjusted 0.06 → hollow although p < 0.05;
    # sun: p 0.01, adjusted 0.049 → solid.
    table = _key_terms([("A", "flood", 9, 1, 2.5, 0.001, 0.004), ("A", "rain", 5, 3, 2.6, 0.02, 0.06),
                        ("B", "sun", 4, 0, 1.97, 0.01, 0.049)])
    figure = plot_distinctive_terms(table, _corpus(["A", "B"]), top=5)
    filled = {label.get_text(): bar.get_facecolor()[:3] != (1.0, 1.0, 1.0)
              for axes in figure.axes for label, bar in zip(axes.get_yticklabels(), axes.patches)}
    assert filled == {"flood": True, "rain": False, "sun": True}
    # Ranked by p, not by z: flood (p 0.001) above rain (p 0.02) although rain's z is larger.
    assert [label.get_text() for label in figure.axes[0].get_yticklabels()][::-1] == ["flood", "rain"]
    assert round(figure.axes[0].patches[-1].get_width(), 6) == 3.0
    plt.close(figure)


def test_distinctive_terms_draw_hostile_terms_as_typed(tmp_path):
    table = _key_terms([("$x^2$", "$\\foo$ cost", 3, 0, 2.2), ("B", "a $b$ c", 2, 0, 1.0)])
    png, svg = save_figure(plot_distinctive_terms(table, _corpus(["$x^2$", "B"])), "hostile", tmp_path)
    text = svg.read_text(encoding="utf-8")
    for label in ("$\\foo$ cost", "a $b$ c", "$x^2$: words used more than the other outlets"):
        assert f"<!-- {label}" in text, label


# --- tone along the articles ---------------------------------------------------------------------------------------

def _tones(n_articles: int) -> pd.DataFrame:
    """Three sentences per article at positions 0, 0.4 and 0.8; articles alternate between two outlets."""
    rows = []
    for index in range(n_articles):
        outlet = "East" if index % 2 == 0 else "West"
        for position, compound in ((0.0, 0.5), (0.4, -0.2), (0.8, 0.1 * index)):
            rows.append({"doc_id": f"doc{index}", "outlet": outlet, "position": position, "compound": compound,
                         "voice": "authorial"})
    return pd.DataFrame(rows)


def test_six_articles_keep_one_panel_per_outlet_with_a_line_per_article():
    figure = plot_tone_along_articles(_tones(6), "test", max_documents=3)
    assert len(figure.axes) == 2  # East and West
    plt.close(figure)


def test_seven_articles_become_small_multiples_with_a_panel_of_means():
    figure = plot_tone_along_articles(_tones(7), "test")
    assert len(figure.axes) == 3  # East, West, and the outlets' means side by side
    east, west, means = figure.axes
    thin = [line for line in east.get_lines() if line.get_linewidth() == 0.5]
    assert len(thin) == 4  # doc0, doc2, doc4, doc6
    assert len([line for line in west.get_lines() if line.get_linewidth() == 0.5]) == 3
    assert len([line for line in means.get_lines() if line.get_linewidth() == 2.2]) == 2
    assert east.get_title(loc="left") == "East (4 articles)"
    plt.close(figure)


def test_tone_by_position_decile_averages_articles_not_sentences():
    tones = pd.DataFrame({
        "doc_id": ["one", "one", "two", "one"],
        "outlet": ["X", "X", "X", "X"],
        "position": [0.0, 0.05, 0.02, 0.95],
        "compound": [0.5, -0.1, 0.4, -0.6],
        "voice": "authorial",
    })
    table = tone_by_position_decile(tones)
    first = table[table["decile"] == 0].iloc[0]
    # Article one's decile 0: (0.5 − 0.1) / 2 = 0.2; article two: 0.4; mean 0.3, sd √0.02, half 1.96·√0.02/√2.
    assert first["mean_compound"] == pytest.approx(0.3)
    assert first["n_articles"] == 2
    half = 1.959963984540054 * np.sqrt(0.02) / np.sqrt(2)
    assert (first["ci_low"], first["ci_high"]) == pytest.approx((0.3 - half, 0.3 + half))
    last = table[table["decile"] == 9].iloc[0]
    assert (last["mean_compound"], last["n_articles"], last["position"]) == pytest.approx((-0.6, 1, 0.95))
    assert np.isnan(last["ci_low"])


# --- frame × term chart --------------------------------------------------------------------------------------------

def _term_table():
    rows = [  # frame, term, count in P, count in Q
        ("F1", "a", 2, 0), ("F1", "b", 0, 0), ("F1", "c", 1, 3), ("F2", "d", 0, 1), ("F3", "e", 0, 0),
    ]
    table = [{"outlet": outlet, "frame": frame, "term": term, "count": count, "n_words": words,
              "per_1k_words": 1000 * count / words}
             for frame, term, p_count, q_count in rows
             for outlet, count, words in (("P", p_count, 1000), ("Q", q_count, 500))]
    return pd.DataFrame(table)


def test_frame_terms_has_one_mark_per_term_and_outlet_with_a_match():
    figure = plot_frame_terms(_term_table(), "test")
    axes = figure.axes[0]
    marks = {collection.get_label(): [tuple(point) for point in collection.get_offsets()]
             for collection in axes.collections}
    # Rows: F1 heading 0, a 1, c 2, F2 heading 3, d 4 ("b" and frame F3 have no match); columns P 0, Q 1.
    assert [label.get_text() for label in axes.get_yticklabels()] == ["F1", "a", "c", "F2", "d"]
    assert marks == {"P": [(0, 1), (0, 2)], "Q": [(1, 2), (1, 4)]}
    numbers = sorted(text.get_text() for text in axes.texts)
    assert numbers == ["1", "1", "2", "3"]
    assert "3 of 5 terms" in axes.get_title(loc="left")
    plt.close(figure)


def test_frame_terms_draw_hostile_names_as_typed(tmp_path):
    table = _term_table().replace({"a": "$x^2$", "F1": "$\\foo$", "P": "cost$"})
    _, svg = save_figure(plot_frame_terms(table, "corpus $a$"), "frame-terms", tmp_path)
    text = svg.read_text(encoding="utf-8")
    for label in ("$x^2$", "$\\foo$", "cost$"):
        assert f"<!-- {label}" in text, label


def test_charts_are_byte_identical_when_drawn_twice(tmp_path):
    makers = {
        "terms": lambda: plot_distinctive_terms(NAMES, _corpus(["A", "B"])),
        "tone": lambda: plot_tone_along_articles(_tones(8), "test"),
        "frame-terms": lambda: plot_frame_terms(_term_table(), "test"),
    }
    for name, make in makers.items():
        first = [path.read_bytes() for path in save_figure(make(), name, tmp_path / "one")]
        second = [path.read_bytes() for path in save_figure(make(), name, tmp_path / "two")]
        assert first == second, name
