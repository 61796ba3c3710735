"""Keyword in context on the seeds: the lines behind each count, their context, the CLI and its errors."""

import csv
import io

import pytest

from analysis.cli import main
from analysis.codebook import read_codebook
from analysis.concordance import KWIC_COLUMNS, concordance, left_context, right_context
from analysis.errors import AnalysisError
from analysis.framing import term_counts


@pytest.fixture(scope="module")
def codebook():
    return read_codebook()


def test_phrase_lines_show_the_words_as_printed_with_their_context(seeds):
    lines = concordance(seeds, "Victory Day", window=4)
    assert list(lines.columns) == KWIC_COLUMNS
    assert list(lines["doc_id"]) == ["dw"] * 2 + ["overt-operator"] * 4 + ["the-national"]
    headline = lines.iloc[2]
    # Overt Operator headline: "Russian and Chinese Delegations To Attend 'Victory Day' in North Korea".
    assert (headline["role"], headline["sentence_id"]) == ("headline", "overt-operator-s001")
    assert (headline["left"], headline["match"], headline["right"]) == (
        "Chinese Delegations To Attend '", "Victory Day", "' in North Korea")
    curly = lines.iloc[3]
    # "Both delegations are traveling to celebrate the 70th anniversary of “Victory Day” in Pyongyang, as ..."
    assert (curly["left"], curly["match"], curly["right"]) == ("the 70th anniversary of \u201c", "Victory Day",
                                                               "\u201d in Pyongyang, as reported")
    last = lines.iloc[-1]
    assert (last["left"], last["right"]) == ("in the North as", ".")


def test_hyphenated_spelling_is_found_and_shown_as_printed(seeds):
    lines = concordance(seeds, "Kim Jong Un", window=2)
    assert list(lines["match"]) == ["Kim Jong Un"] * 4 + ["Kim Jong-un"] * 2
    assert list(lines["role"]) == ["caption", "caption", "body", "body", "headline", "body"]
    # "North Korea's Kim Jong-un gives" (headline); "accompanied North Korean leader Kim Jong-un to" (body).
    assert list(lines["left"])[-2:] == ["North Korea's", "Korean leader"]


def test_frame_lines_are_exactly_the_counted_matches(seeds, codebook):
    lines = concordance(seeds, frame="legality", codebook=codebook)
    counts = term_counts(seeds, codebook)
    assert len(lines) == counts.loc[counts["frame"] == "legality", "count"].sum() == 8
    assert list(lines["match"]) == [
        "banned ballistic missiles",  # DW
        "sanctions", "circumventing the sanctions", "unlawful",  # Overt Operator
        "banned ballistic missiles", "missiles were banned", "UN Security Council resolutions",
        "violate sanctions",  # The National
    ]
    assert set(lines["frame"]) == {"legality"}


def test_term_and_naming_label_lines(seeds, codebook):
    mr_kim = concordance(seeds, term="Mr Kim", codebook=codebook, window=2)
    assert list(mr_kim["sentence_id"]) == [f"the-national-s{n:03d}" for n in (8, 9, 10, 13, 14, 19, 20)]
    assert mr_kim.iloc[0]["left"] == "Shoigu gave" and mr_kim.iloc[0]["right"] == "a letter"
    # "Victory Day" is both a commemoration term and an occasion label: 7 places, listed for each.
    assert len(concordance(seeds, term="Victory Day", codebook=codebook)) == 2 * 7


def test_context_is_cut_at_whole_words_of_the_text_model():
    assert left_context("the North Korean leader", 2) == "Korean leader"
    assert right_context(" Kim's nuclear-capable missiles and", 2) == "Kim's nuclear-capable"
    assert left_context("any words", 0) == ""


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give exactly one of a phrase, a frame or a term"),
        ({"phrase": "x", "frame": "legality"}, "give exactly one of a phrase, a frame or a term"),
        ({"phrase": "…"}, "the phrase '…' has no words"),
        ({"phrase": "x", "window": -1}, "the window must be a whole number of words"),
        ({"frame": "legality"}, "a frame or a term needs a codebook"),
    ],
)
def test_bad_requests_are_one_line_errors(seeds, kwargs, message):
    with pytest.raises(AnalysisError, match=message):
        concordance(seeds, **kwargs)


def test_unknown_frame_or_term_names_the_choices(seeds, codebook):
    with pytest.raises(AnalysisError, match="^no frame 'nope' in the codebook \\(frames: commemoration, legality"):
        concordance(seeds, frame="nope", codebook=codebook)
    with pytest.raises(AnalysisError, match="^no term or naming label 'nope' in the codebook .*codebook.yaml$"):
        concordance(seeds, term="nope", codebook=codebook)


def test_cli_kwic(capsys):
    assert main(["kwic", "battle for justice", "--window", "3", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    # The National: "... his country fully supported Russia's "battle for justice" and to protect its sovereignty."
    assert [(row["doc_id"], row["left"], row["match"], row["right"]) for row in rows] == [
        ("the-national", 'fully supported Russia\'s "', "battle for justice", '" and to protect')]
    assert main(["kwic", "--frame", "war in Ukraine", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    # war in Ukraine frame. DW: invasion of Ukraine, providing weapons. Overt Operator: providing military aid,
    # war in Ukraine. The National: war in Ukraine, battle for justice, invasion of Ukraine, procure arms,
    # war in Ukraine, shipped weapons, Russia's war, arms transactions.
    assert [row["outlet"] for row in rows].count("The National") == 8 and len(rows) == 12
    assert main(["kwic", "x", "--frame", "legality"]) == 2
    assert capsys.readouterr().err == "error: kwic: give exactly one of PHRASE, --frame NAME or --term-label LABEL\n"
    assert main(["kwic", "x", "--window", "-2"]) == 2
    assert capsys.readouterr().err == "error: kwic: --window must be 0 or more words\n"
