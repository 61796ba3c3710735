"""Collocates on a tiny corpus whose counts, expected counts, G² and MI are worked out by hand."""

import csv
import io
import math

import pytest

from analysis import read_corpus
from analysis.cli import main
from analysis.codebook import codebook_from_terms
from analysis.collocates import COLLOCATE_COLUMNS, collocates
from analysis.errors import AnalysisError
from tests.conftest import write_jsonl

# Hand values below use logarithms rounded to 6 digits, so they are compared to 5e-4; the same G² is also
# computed exactly by _g2, written here from the 2×2 table without the module.
# Outlet A, sentences and words (the text model: words and numbers; "." is not a word):
#   s1 "Red sky"                   red sky                   2 words (the headline)
#   s2 "The cat sat on the mat."   the cat sat on the mat    6
#   s3 "A big cat ran."            a big cat ran             4
#   s4 "Dogs bark loudly today."   dogs bark loudly today    4
#   s5 "The cat sat down."         the cat sat down          4
# N = 20 words; "cat" occurs 3 times. Outlet B ("Blue sea", "The sat dog.") has no cat: no rows, and its
# "sat" and "the" do not count in A.
TEXT_A = "Red sky\n\nThe cat sat on the mat. A big cat ran. Dogs bark loudly today. The cat sat down.\n"
TEXT_B = "Blue sea\n\nThe sat dog.\n"


@pytest.fixture(scope="module")
def cats(tmp_path_factory):
    path = write_jsonl(tmp_path_factory.mktemp("cats") / "cats.jsonl",
                       [{"doc_id": "a", "outlet": "A", "text": TEXT_A}, {"doc_id": "b", "outlet": "B", "text": TEXT_B}])
    return path, read_corpus(path)


def _g2(o11, o12, o21, o22):
    """Log-likelihood over a 2×2 table, written out independently of the module."""
    n = o11 + o12 + o21 + o22
    rows, columns = (o11 + o12, o21 + o22), (o11 + o21, o12 + o22)
    cells = ((o11, rows[0], columns[0]), (o12, rows[0], columns[1]), (o21, rows[1], columns[0]),
             (o22, rows[1], columns[1]))
    return 2 * sum(o * math.log(o / (r * c / n)) for o, r, c in cells if o)


def test_counts_expected_g2_and_mi_by_hand(cats):
    _, corpus = cats
    table = collocates(corpus, "cat", window=2, min_count=2)
    assert list(table.columns) == COLLOCATE_COLUMNS
    # Windows of two words each side, in the sentence:
    #   s2: left "the", right "sat on"; s3: left "a big", right "ran"; s5: left "the", right "sat down"
    # 9 words in the spans, 3 per node occurrence (span = 3.0). Seen twice: "sat" and "the"; the rest once.
    assert list(table["collocate"]) == ["sat", "the"]  # G² 3.469 before 0.672 (below)
    assert set(table["outlet"]) == {"A"} and set(table["node"]) == {"cat"} and set(table["window"]) == {2}
    assert list(table["span"]) == [3.0, 3.0]
    assert list(table["n_together"]) == [2, 2]
    assert list(table["n_collocate"]) == [2, 3]  # "the" also in "on the mat", outside the window
    assert list(table["n_node"]) == [3, 3] and list(table["n_words"]) == [20, 20]
    sat, the = table.iloc[0], table.iloc[1]
    # E = f(node)·f(collocate)·span/N: sat 3·2·3/20 = 0.9; the 3·3·3/20 = 1.35.
    assert sat["expected"] == pytest.approx(0.9) and the["expected"] == pytest.approx(1.35)
    # MI = log2(O/E): sat log2(2/0.9) = log2(2.2222) = 1.15200; the log2(2/1.35) = 0.56704.
    assert sat["mi"] == pytest.approx(1.152003, abs=1e-6) and the["mi"] == pytest.approx(0.567041, abs=1e-6)
    # G², sat: O = [[2, 9-2=7], [2-2=0, 20-9-2+2=11]], E = [[0.9, 8.1], [1.1, 9.9]]
    #   2·(2·ln(2/0.9) + 7·ln(7/8.1) + 0 + 11·ln(11/9.9)) = 2·(1.597015 − 1.021677 + 1.158966) = 3.468607
    assert sat["g2"] == pytest.approx(_g2(2, 7, 0, 11)) and sat["g2"] == pytest.approx(3.468607, abs=5e-4)
    # p of χ²(1) is erfc(√(G²/2)) = erfc(1.316927) = 0.06254
    assert sat["p_value"] == pytest.approx(math.erfc(math.sqrt(3.468607 / 2)), rel=1e-5)
    # G², the: O = [[2, 7], [1, 10]], E = [[1.35, 7.65], [1.65, 9.35]]
    #   2·(2·ln(2/1.35) + 7·ln(7/7.65) + 1·ln(1/1.65) + 10·ln(10/9.35)) = 2·(0.786085 − 0.621573 − 0.500775
    #   + 0.672087) = 0.671648
    assert the["g2"] == pytest.approx(_g2(2, 7, 1, 10)) and the["g2"] == pytest.approx(0.671648, abs=5e-4)
    # t = (O − E)/√O = 1.1/1.41421 = 0.777817; logDice = 14 + log2(2·2/(3 + 2)) = 14 + log2(0.8) = 13.678072
    assert sat["t_score"] == pytest.approx(0.777817, abs=1e-6)
    assert sat["log_dice"] == pytest.approx(13.678072, abs=1e-6)


def test_min_count_one_lists_every_word_in_the_windows_and_never_the_node(cats):
    _, corpus = cats
    table = collocates(corpus, "cat", window=2, min_count=1)
    assert sorted(table["collocate"]) == ["a", "big", "down", "on", "ran", "sat", "the"]
    assert dict(zip(table["collocate"], table["n_together"])) == {
        "sat": 2, "the": 2, "a": 1, "big": 1, "down": 1, "on": 1, "ran": 1}
    # Window 1: spans s2 "the sat", s3 "big ran", s5 "the sat" (6 words, span 2); E("the") = 3·3·2/20 = 0.9.
    narrow = collocates(corpus, "cat", window=1, min_count=1)
    assert "cat" not in set(narrow["collocate"])
    row = narrow[narrow["collocate"] == "the"].iloc[0]
    assert row["expected"] == pytest.approx(0.9) and row["g2"] > 0


def test_a_collocate_rarer_near_the_node_than_elsewhere_has_a_negative_g2(tmp_path):
    text = "Pets\n\nThe cat ran. Cat ran. Cat ran. Cat ran. The the the the the the."
    corpus = read_corpus(write_jsonl(tmp_path / "c.jsonl", [{"doc_id": "a", "outlet": "A", "text": text}]))
    # Words 1 + 3 + 2 + 2 + 2 + 6 = 16; "the" 7 times. Window 1: spans "the ran", "ran" ×3: 5 words.
    # E("the") = 5·7/16 = 2.1875 > O = 1: MI = log2(1/2.1875) = −1.129283.
    # G²: O = [[1, 4], [6, 5]], E = [[2.1875, 2.8125], [4.8125, 6.1875]]
    #   2·(ln(1/2.1875) + 4·ln(4/2.8125) + 6·ln(6/4.8125) + 5·ln(5/6.1875))
    #   = 2·(−0.782759 + 1.408884 + 1.323253 − 1.065524) = 1.767708, signed negative.
    row = collocates(corpus, "cat", window=1, min_count=1).set_index("collocate").loc["the"]
    assert (row["n_words"], row["n_collocate"], row["n_together"]) == (16, 7, 1)
    assert row["expected"] == pytest.approx(2.1875)
    assert row["mi"] == pytest.approx(-1.129283, abs=1e-6)
    assert row["g2"] == pytest.approx(-_g2(1, 4, 6, 5)) and row["g2"] == pytest.approx(-1.767708, abs=5e-4)
    assert row["p_value"] == pytest.approx(math.erfc(math.sqrt(1.767708 / 2)), rel=1e-4)


def test_a_two_word_phrase_is_one_node_and_its_words_are_not_collocates(cats):
    _, corpus = cats
    table = collocates(corpus, "big cat", window=2, min_count=1)
    # s3 "a big cat ran": the node covers "big cat"; two words left of it: only "a"; right: "ran".
    assert sorted(table["collocate"]) == ["a", "ran"]
    assert set(table["n_node"]) == {1} and set(table["span"]) == {2.0}
    # E("ran") = 1·1·2/20 = 0.1; MI = log2(1/0.1) = 3.321928
    ran = table.set_index("collocate").loc["ran"]
    assert ran["expected"] == pytest.approx(0.1) and ran["mi"] == pytest.approx(3.321928, abs=1e-6)


def test_overlapping_windows_count_each_word_once_and_another_node_is_not_a_collocate(tmp_path):
    corpus = read_corpus(write_jsonl(tmp_path / "c.jsonl",
                                     [{"doc_id": "a", "outlet": "A", "text": "Pets\n\nCat food and cat toys."}]))
    # Words "cat food and cat toys" (0-4); nodes at 0 and 3. Window 3: around 0 → 1, 2, 3; around 3 → 0, 1, 2, 4.
    # Union without the nodes: food, and, toys: 3 words for 2 occurrences, span 1.5.
    table = collocates(corpus, "cat", window=3, min_count=1)
    assert dict(zip(table["collocate"], table["n_together"])) == {"and": 1, "food": 1, "toys": 1}
    assert set(table["span"]) == {1.5} and set(table["n_node"]) == {2}


def test_frame_node_uses_every_match_of_the_frame(cats):
    _, corpus = cats
    codebook = codebook_from_terms(["cat", "dogs"], "animals")
    table = collocates(corpus, frame="animals", codebook=codebook, window=1, min_count=1)
    # Nodes: cat (s2, s3, s5) and dogs (s4): 4 matches. Window 1: the|sat, big|ran, the|sat, -|bark.
    assert set(table["node"]) == {"animals"} and set(table["n_node"]) == {4}
    assert dict(zip(table["collocate"], table["n_together"])) == {"sat": 2, "the": 2, "bark": 1, "big": 1, "ran": 1}
    assert set(table["span"]) == {7 / 4}


def test_stop_words_are_left_out_of_the_list_but_stay_in_the_counts(cats):
    _, corpus = cats
    table = collocates(corpus, "cat", window=2, min_count=2, stop_words={"the"})
    assert list(table["collocate"]) == ["sat"]
    assert table.iloc[0]["expected"] == pytest.approx(0.9)  # span still 3 and N still 20


def test_rows_are_deterministic(cats):
    _, corpus = cats
    first = collocates(corpus, "cat", window=3, min_count=1)
    assert first.equals(collocates(corpus, "cat", window=3, min_count=1))
    # Ties on G² are ordered by collocate.
    for _, group in first.groupby("g2"):
        assert list(group["collocate"]) == sorted(group["collocate"])


@pytest.mark.parametrize("window", [0, 51, -1, 2.5, True])
def test_window_bounds(cats, window):
    _, corpus = cats
    with pytest.raises(AnalysisError, match="^collocates: the window must be a whole number of words from 1 to 50"):
        collocates(corpus, "cat", window=window)


def test_window_limits_are_accepted(cats):
    _, corpus = cats
    assert set(collocates(corpus, "cat", window=1, min_count=1)["window"]) == {1}
    assert set(collocates(corpus, "cat", window=50, min_count=1)["window"]) == {50}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "^collocates: give exactly one of a node phrase or a frame$"),
        ({"node": "cat", "frame": "animals"}, "^collocates: give exactly one of a node phrase or a frame$"),
        ({"node": "…"}, "^collocates: the phrase '…' has no words$"),
        ({"frame": "animals"}, "^collocates: a frame needs a codebook$"),
        ({"node": "cat", "min_count": 0}, "^collocates: the minimum count must be a whole number ≥ 1, not 0$"),
        ({"node": "cat", "by": "document"}, "^collocates: group by 'outlet' or 'corpus', not 'document'$"),
    ],
)
def test_bad_requests_are_one_line_errors(cats, kwargs, message):
    _, corpus = cats
    with pytest.raises(AnalysisError, match=message):
        collocates(corpus, **kwargs)


def test_cli_collocates(cats, capsys):
    path, _ = cats
    assert main(["collocates", "cat", "--corpus", str(path), "--window", "2", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(row["outlet"], row["collocate"], row["n_together"]) for row in rows] == [("A", "sat", "2"),
                                                                                      ("A", "the", "2")]
    # --measure mi: "sat" MI 1.152 before "the" 0.567; --top 1 keeps one row per outlet.
    assert main(["collocates", "cat", "--corpus", str(path), "--window", "2", "--min-count", "1",
                 "--measure", "mi", "--top", "1", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    # min-count 1: highest MI are the words seen once with f = 1 (a, big, down, on, ran: MI log2(1/0.45));
    # ties by collocate: "a".
    assert [row["collocate"] for row in rows] == ["a"]


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["collocates", "cat", "--window", "51"], "error: collocates: --window must be from 1 to 50 words, not 51\n"),
        (["collocates", "cat", "--window", "0"], "error: collocates: --window must be from 1 to 50 words, not 0\n"),
        (["collocates"], "error: collocates: give exactly one of PHRASE or --frame NAME\n"),
        (["collocates", "cat", "--frame", "legality"], "error: collocates: give exactly one of PHRASE or --frame NAME\n"),
        (["collocates", "cat", "--min-count", "0"], "error: collocates: --min-count must be 1 or more, not 0\n"),
        (["collocates", "cat", "--top", "-1"], "error: collocates: --top must be 0 or more, not -1\n"),
        (["collocates", "…"], "error: collocates: the phrase '…' has no words\n"),
        (["collocates", "--frame", "nope"], None),
        (["collocates", "cat", "--measure", "dice"], None),
    ],
)
def test_cli_errors_are_one_line_with_status_2(cats, capsys, argv, error):
    path, _ = cats
    assert main(argv + ["--corpus", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("error: ")
    if error is not None:
        assert captured.err == error


def test_frame_collocates_are_each_frames_collocates_cut_to_the_top(seeds):
    # frame_collocates counts the corpus's words once for every frame: its rows must be those of collocates()
    # frame by frame, positive G² only, the top 3 per outlet
    import pandas as pd

    from analysis.codebook import read_codebook
    from analysis.collocates import frame_collocates

    codebook = read_codebook()
    together = frame_collocates(seeds, codebook, window=4, min_count=1, top=3, stop_words=["the", "of"])
    one_by_one = []
    for frame in codebook.frame_names:
        table = collocates(seeds, frame=frame, codebook=codebook, window=4, min_count=1, stop_words=["the", "of"])
        one_by_one.append(table[table["g2"] > 0].groupby("outlet", sort=False).head(3))
    assert len(together) > 10
    pd.testing.assert_frame_equal(together, pd.concat(one_by_one, ignore_index=True))
    with pytest.raises(AnalysisError, match="the window must be a whole number"):
        frame_collocates(seeds, codebook, window=0)
