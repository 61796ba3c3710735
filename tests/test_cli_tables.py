"""Terminal tables: text flush left, numbers flush right, one line per row."""

import pandas as pd

from analysis.output import format_table


def test_text_columns_flush_left_and_number_columns_flush_right():
    table = pd.DataFrame({"outlet": ["DW", "The National"], "count": [7, 1234], "rate": [0.5, 12.3456]})
    lines = format_table(table, "table").splitlines()
    # Widths by hand: outlet 12 ("The National"), count 5 ("count"), rate 5 ("12.35"); two spaces between.
    # outlet occupies columns 0-11, count 14-18, rate 21-25.
    assert lines == [
        "outlet        count   rate",
        "DW                7    0.5",
        "The National   1234  12.35",
    ]
    assert [line.index("DW") for line in lines[1:2]] == [0]
    assert lines[1][18] == "7" and lines[2][15:19] == "1234"


def test_floats_keep_four_significant_digits_without_an_exponent_for_large_values():
    table = pd.DataFrame({"g2": [0.000123456, 3.14159, 123456.7, float("nan")]})
    assert format_table(table, "table").splitlines() == ["       g2", "0.0001235", "    3.142", "   123457", "      NaN"]


def test_long_text_is_cut_at_sixty_characters_with_a_marker_and_rows_stay_on_one_line():
    text = "word " * 20
    table = pd.DataFrame({"sentence": [text, "two\nlines"], "n": [1, 2]})
    lines = format_table(table, "table").splitlines()
    assert len(lines) == 3
    assert lines[1] == (text[:59] + "…") + "  1"
    assert lines[2].startswith("two lines ")


def test_booleans_print_as_text_and_no_index_is_shown():
    table = pd.DataFrame({"quoted": [True, False], "n": [10, 2]}, index=[5, 9])
    assert format_table(table, "table").splitlines() == ["quoted   n", "True    10", "False    2"]
