"""Report tables: numbers rounded by what the column means, text left and numbers right, values escaped, no row numbers."""

import math

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis.tables import column_kind, format_cell, show_table


def cells(table: pd.DataFrame, **options) -> list[list[tuple[str, str]]]:
    """Return the rendered body as rows of (text, class) pairs, header cells of a row included."""
    page = BeautifulSoup(show_table(table, **options)._repr_html_(), "html.parser")
    return [[(cell.get_text(), " ".join(cell["class"])) for cell in row.find_all(["th", "td"])]
            for row in page.find("tbody").find_all("tr")]


def headers(table: pd.DataFrame, **options) -> list[tuple[str, str]]:
    page = BeautifulSoup(show_table(table, **options)._repr_html_(), "html.parser")
    row = page.find("thead").find_all("tr")[-1]
    return [(cell.get_text(), " ".join(cell.get("class", []))) for cell in row.find_all("th")]


def test_numbers_are_rounded_by_the_meaning_of_their_column():
    table = pd.DataFrame({
        "p_value": [0.000123, 3.2e-6, 0.0456],
        "per_1k_words": [32.258065, 4.04, 0.0],
        "count": [1234567, 12, 0],
        "share_quoted": [1 / 3, 0.5, 0.126],
        "agreement_pct": [87.5, 100.0, 66.66666],
    })
    assert cells(table) == [
        [("0.00012", "num"), ("32.3", "num"), ("1,234,567", "num"), ("0.33", "num"), ("87.5%", "num")],
        [("< 0.0001", "num"), ("4.0", "num"), ("12", "num"), ("0.50", "num"), ("100.0%", "num")],
        [("0.046", "num"), ("0.0", "num"), ("0", "num"), ("0.13", "num"), ("66.7%", "num")],
    ]


@pytest.mark.parametrize("name, kind", [
    ("p", "p"), ("p_adjusted", "p"), ("p_holm", "p"), ("fisher_p", "p"),
    ("rate", "rate"), ("per_1k_words", "rate"), ("per_1000", "rate"), ("rate_ratio", "rate"),
    ("agreement_pct", "percent"), ("quoted_percent", "percent"),
    ("share_of_sentences", "share"), ("proportion", "share"),
    ("log_ratio", "number"), ("separated", "number"),  # "rate" inside a word is not a rate
])
def test_the_kind_of_a_float_column_comes_from_its_name(name, kind):
    assert column_kind(name, pd.Series([0.25, 1.5])) == kind


def test_whole_numbers_stored_as_floats_are_integers_and_a_ci_follows_its_rate():
    assert column_kind("count", pd.Series([3.0, float("nan"), 1200.0])) == "integer"
    table = pd.DataFrame({"outlet": ["A"], "per_1k_words": [12.345], "ci_low": [8.123], "ci_high": [17.0]})
    assert cells(table) == [[("A", "text"), ("12.3", "num"), ("8.1", "num"), ("17.0", "num")]]


def test_other_floats_have_three_significant_figures_in_the_largest_value():
    # largest |value| 1.23456: 2 decimals for the column; 0.004 rounds to 0.00, so keeps 2 figures
    table = pd.DataFrame({"log_ratio": [1.23456, -0.5, 0.004]})
    assert [row[0][0] for row in cells(table)] == ["1.23", "−0.50", "0.004"]
    assert [row[0][0] for row in cells(pd.DataFrame({"expected": [1234.5678, 2.2]}))] == ["1,235", "2"]


def test_a_nonzero_rate_never_shows_as_zero():
    assert format_cell(0.012, "rate") == "0.012"
    assert format_cell(0.0, "rate") == "0.0"


def test_missing_values_are_a_dash_and_booleans_yes_or_no():
    table = pd.DataFrame({"outlet": ["A", None], "p_value": [math.nan, 0.5], "in_reference": [True, False]})
    assert cells(table) == [[("A", "text"), ("–", "num"), ("yes", "text")],
                            [("–", "text"), ("0.5", "num"), ("no", "text")]]


def test_formats_override_the_name():
    table = pd.DataFrame({"DW": [0.5], "score": [3.14159], "n": [7]})
    shown = cells(table, formats={"DW": "percent", "score": lambda value: f"{value:.1f} pts", "n": "text"})
    assert shown == [[("0.5%", "num"), ("3.1 pts", "num"), ("7", "text")]]
    with pytest.raises(ValueError, match="not one of"):
        show_table(table, formats={"DW": "money"})


def test_text_left_numbers_right_headers_match():
    table = pd.DataFrame({"outlet": ["A"], "count": [3]})
    assert headers(table) == [("outlet", "text"), ("count", "num")]
    assert cells(table) == [[("A", "text"), ("3", "num")]]


def test_text_is_never_cut():
    sentence = "word " * 80 + "end"
    assert cells(pd.DataFrame({"sentence": [sentence]}))[0][0][0] == sentence


@pytest.mark.parametrize("value", ["<script>alert(1)</script>", "&amp; & <b>bold</b>", "$x^2$ and $$y$$", "*a* _b_"])
def test_every_value_is_text_never_markup(value):
    table = pd.DataFrame({value: [value]}, index=pd.Index([value], name=value))
    page = BeautifulSoup(show_table(table, caption=value)._repr_html_(), "html.parser")
    assert sorted({tag.name for tag in page.find_all(True)} - {"wbr"}) == [
        "caption", "div", "table", "tbody", "td", "th", "thead", "tr"]
    assert page.find("caption").get_text() == value
    assert page.find("td").get_text() == value
    assert page.find("th", scope="row").get_text() == value
    assert "<script>" not in show_table(table)._repr_html_()


def test_a_row_number_index_is_not_shown():
    table = pd.DataFrame({"outlet": ["A", "B", "C"], "count": [1, 2, 3]})
    assert len(cells(table)[0]) == 2
    assert len(cells(table[table["count"] > 1])[0]) == 2  # filtered: index 1, 2 is still only row numbers
    assert "<th" not in show_table(table)._repr_html_().split("<tbody>")[1]


def test_a_pivot_tables_index_is_kept_as_row_headers():
    long = pd.DataFrame({"naming_set": ["leader", "leader", "place"], "label": ["x", "y", "z"],
                         "outlet": ["A", "B", "A"], "count": [1, 2, 3]})
    pivot = long.pivot_table(index=["naming_set", "label"], columns="outlet", values="count")
    assert headers(pivot) == [("naming_set", "text"), ("label", "text"), ("A", "num"), ("B", "num")]
    # repeated outer labels are blanked, as pandas prints groups; the floats of the pivot print as whole numbers
    assert cells(pivot) == [[("leader", "text"), ("x", "text"), ("1", "num"), ("–", "num")],
                            [("", "text"), ("y", "text"), ("–", "num"), ("2", "num")],
                            [("place", "text"), ("z", "text"), ("3", "num"), ("–", "num")]]
    page = BeautifulSoup(show_table(pivot)._repr_html_(), "html.parser")
    assert [cell.get("scope") for cell in page.find("tbody").find("tr").find_all(["th", "td"])] == [
        "row", "row", None, None]
    assert page.find("th", class_="column-group").get_text() == "outlet"


def test_the_table_scrolls_in_its_box():
    page = BeautifulSoup(show_table(pd.DataFrame({"a": [1]}))._repr_html_(), "html.parser")
    assert "table-scroll" in page.find("div")["class"]
    assert "readable-table" in page.find("table")["class"]


def test_the_same_table_gives_the_same_html():
    table = pd.DataFrame({"outlet": ["A", "B"], "p_value": [0.01, 0.2], "per_1k_words": [1.25, 3.5]})
    first, second = show_table(table, caption="c"), show_table(table.copy(), caption="c")
    assert first._repr_html_() == second._repr_html_()
    assert repr(first) == repr(second)
    assert " id=" not in first._repr_html_()


def test_concordance_lines_align_on_the_keyword():
    lines = pd.DataFrame({"doc_id": ["d1", "d2"], "outlet": ["A", "B"], "left": ["the long <i>context</i>", "a"],
                          "match": ["deal", "deal"], "right": ["was done", "b c"]})
    shown = cells(lines)  # detected from the columns left, match, right
    assert shown[0] == [("d1", "text"), ("A", "text"), ("the long <i>context</i>", "kwic-left"),
                        ("deal", "kwic-match"), ("was done", "kwic-right")]
    assert cells(lines, kwic=True) == shown
    assert [css for _, css in cells(lines, kwic=False)[0]] == ["text"] * 5
    page = BeautifulSoup(show_table(lines)._repr_html_(), "html.parser")
    assert page.find("td", class_="kwic-match").find("strong").get_text() == "deal"
    text_lines = repr(show_table(lines)).splitlines()
    assert text_lines[1].index("deal") == text_lines[2].index("deal")
    with pytest.raises(ValueError, match="left, match"):
        show_table(pd.DataFrame({"left": ["a"]}), kwic=True)


def test_plain_text_keeps_numbers_flush_right():
    text = repr(show_table(pd.DataFrame({"outlet": ["A", "Bee"], "count": [5, 1234]})))
    assert text.splitlines() == ["outlet  count", "A           5", "Bee     1,234"]


def test_a_displayed_table_longer_than_max_rows_shows_its_first_rows_and_says_so():
    from analysis.tables import displayed_table_html

    table = pd.DataFrame({"doc_id": [f"d{number}" for number in range(12)], "n_words": range(12)})
    with pd.option_context("display.max_rows", 5):
        page = BeautifulSoup(displayed_table_html(table), "html.parser")
        assert page.caption.get_text() == "The first 5 of 12 rows."
        assert [row.find("td").get_text() for row in page.find("tbody").find_all("tr")] == ["d0", "d1", "d2", "d3",
                                                                                            "d4"]
    with pd.option_context("display.max_rows", 12):  # not longer than the limit: every row, no caption
        page = BeautifulSoup(displayed_table_html(table), "html.parser")
        assert page.caption is None and len(page.find("tbody").find_all("tr")) == 12
