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


# Sorting: one paragraph of five sentences, each with "fox" (read by hand, case and punctuation ignored):
#   s1 "Fox ran."              L1 -     L2 -    R1 ran    R2 -
#   s2 "The red fox ate."      L1 red   L2 the  R1 ate    R2 -
#   s3 "A Red fox slept."      L1 red   L2 a    R1 slept  R2 -
#   s4 "An old fox ate well."  L1 old   L2 an   R1 ate    R2 well
#   s5 "Big red, fox!"         L1 red   L2 big  R1 -      R2 -
FOX_TEXT = "Notes on animals\n\nFox ran. The red fox ate. A Red fox slept. An old fox ate well. Big red, fox!\n"
FOX_ORDERS = {
    None: ["s1", "s2", "s3", "s4", "s5"],
    # missing first (s1); old (s4); red, then by L2: a (s3), big (s5), the (s2)
    "L1": ["s1", "s4", "s3", "s5", "s2"],
    # missing (s1); a (s3), an (s4), big (s5), the (s2)
    "L2": ["s1", "s3", "s4", "s5", "s2"],
    # missing (s5); ate, then R2: missing (s2) before well (s4); ran (s1); slept (s3)
    "R1": ["s5", "s2", "s4", "s1", "s3"],
    # missing for all but s4, tied again on R3 (missing), so corpus order; then well (s4)
    "R2": ["s1", "s2", "s3", "s5", "s4"],
}


@pytest.fixture
def fox_corpus(tmp_path):
    from analysis import read_corpus
    from conftest import write_jsonl

    path = write_jsonl(tmp_path / "fox.jsonl", [{"doc_id": "a", "outlet": "A", "text": FOX_TEXT}])
    return path, read_corpus(path)


def _sentence_numbers(lines) -> list[str]:
    first = {"s1": "Fox ran.", "s2": "The red fox ate.", "s3": "A Red fox slept.", "s4": "An old fox ate well.",
             "s5": "Big red, fox!"}
    shown = {f"{left} {match} {right}".strip(): name for name, (left, match, right) in (
        (name, _split(text)) for name, text in first.items())}
    return [shown[f"{row.left} {row.match} {row.right}".strip()] for row in lines.itertuples()]


def _split(text: str) -> tuple[str, str, str]:
    before, _, after = text.partition("fox") if "fox" in text else text.partition("Fox")
    match = "fox" if "fox" in text else "Fox"
    return before.strip(), match, after.strip()


@pytest.mark.parametrize("sort_by", list(FOX_ORDERS))
def test_lines_sort_by_a_word_left_or_right_then_the_next_word_out(fox_corpus, sort_by):
    _, corpus = fox_corpus
    lines = concordance(corpus, "fox", sort_by=sort_by)
    assert _sentence_numbers(lines) == FOX_ORDERS[sort_by]


def test_sorting_reads_the_whole_sentence_not_only_the_words_shown(fox_corpus):
    _, corpus = fox_corpus
    lines = concordance(corpus, "fox", window=1, sort_by="L2")
    # Same order as with the full context: L2 comes from the sentence even when one word is shown.
    assert list(lines["left"]) == ["", "Red", "old", "red,", "red"]  # s1, s3, s4, s5, s2


def test_unknown_sort_key_is_an_error(fox_corpus):
    _, corpus = fox_corpus
    with pytest.raises(AnalysisError, match="^concordance: sort by one of L1, L2, R1, R2, not 'L3'$"):
        concordance(corpus, "fox", sort_by="L3")


def test_contexts_are_whole_white_space_chunks_of_the_sentence(seeds):
    sentences = dict(zip(seeds.sentences["sentence_id"], seeds.sentences["text"]))
    lines = concordance(seeds, "missiles", window=3)
    assert len(lines) > 3
    for row in lines.itertuples():
        text = sentences[row.sentence_id]
        before, after = text.split(row.match, 1) if text.count(row.match) == 1 else (None, None)
        if before is None:
            continue
        left, right = row.left.split(), row.right.split()
        assert left == (before.split()[-len(left):] if left else [])
        assert right == after.split()[:len(right)]
        assert "…" not in row.left + row.right or "…" in text


def test_cli_kwic_sort(fox_corpus, capsys):
    path, _ = fox_corpus
    assert main(["kwic", "fox", "--corpus", str(path), "--sort", "R1", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["right"] for row in rows] == ["!", "ate.", "ate well.", "ran.", "slept."]
    assert main(["kwic", "fox", "--corpus", str(path), "--sort", "M1"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: python -m analysis kwic: argument --sort: invalid choice: 'M1'")
    assert error.count("\n") == 1
