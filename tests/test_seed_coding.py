"""The shipped codings of the example corpus: agreement worked out in closed form, and the dictionary's scores."""

from __future__ import annotations

import csv
import re

import pytest

from analysis import agreement, lists
from analysis.codebook import read_codebook
from analysis.lists import EXAMPLE_ADJUDICATED_SHEET, EXAMPLE_CODED_SHEETS, EXAMPLE_CODING_DIR

FRAMES = ["commemoration", "legality", "military power", "alliance", "isolation and reopening", "war in Ukraine",
          "western voices", "sourcing and access"]


def rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def two_coder_binary_alpha(first: list[int], second: list[int]) -> float:
    """Krippendorff's α for two coders, binary codes, no missing values, in closed form.

    Each unit adds the pairs (a, b) and (b, a) to the coincidence matrix, so with d
    units coded differently o₀₁ = o₁₀ = d, n = 2N values, and
    α = 1 − D_o / D_e = 1 − (2d / n) / (2·n₀·n₁ / (n(n − 1))) = 1 − d(n − 1) / (n₀·n₁).
    """
    d = sum(a != b for a, b in zip(first, second))
    n = 2 * len(first)
    n1 = sum(first) + sum(second)
    n0 = n - n1
    return 1 - d * (n - 1) / (n0 * n1)


def test_the_closed_form_gives_krippendorffs_binary_example():
    # Krippendorff (2011), two observers, ten units: α = 0.095.
    assert two_coder_binary_alpha([0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]) == pytest.approx(
        1 - 4 * 19 / (14 * 6))
    assert round(1 - 4 * 19 / (14 * 6), 3) == 0.095


def test_the_shipped_sheets_cover_every_sentence_of_the_example_corpus(seeds):
    coder_a, coder_b, settled = (rows(path) for path in (*EXAMPLE_CODED_SHEETS, EXAMPLE_ADJUDICATED_SHEET))
    assert [row["unit_id"] for row in coder_a] == list(seeds.sentences["sentence_id"])
    assert len(coder_a) == len(coder_b) == len(settled) == 72
    assert list(coder_a[0])[2:] == FRAMES == read_codebook().frame_names
    # Where the coders agree the adjudicated sheet has their code; the 8 disagreements have the adjudicator's.
    decisions = {(row["unit_id"], row["frame"]): row["decision"] for row in rows(EXAMPLE_CODING_DIR / "adjudication.csv")}
    assert len(decisions) == 8
    for a, b, final in zip(coder_a, coder_b, settled):
        for frame in FRAMES:
            expected = a[frame] if a[frame] == b[frame] else decisions[(a["unit_id"], frame)]
            assert final[frame] == expected


def test_alpha_per_frame_matches_the_closed_form(seeds):
    coder_a, coder_b = (rows(path) for path in EXAMPLE_CODED_SHEETS)
    table = agreement.codebook_validation(seeds, read_codebook(), list(EXAMPLE_CODED_SHEETS),
                                          EXAMPLE_ADJUDICATED_SHEET)["coders"].set_index("frame")
    for frame in FRAMES:
        first = [int(row[frame]) for row in coder_a]
        second = [int(row[frame]) for row in coder_b]
        if first == second:
            assert table.loc[frame, "alpha"] == 1
        else:
            assert table.loc[frame, "alpha"] == pytest.approx(two_coder_binary_alpha(first, second))
    # Alliance: coder A 15 positives, coder B 19, 4 sentences differ: 1 − 4·143/(110·34) = 0.8471.
    assert table.loc["alliance", "alpha"] == pytest.approx(1 - 4 * 143 / (110 * 34))
    assert round(table.loc["alliance", "alpha"], 3) == 0.847


def test_the_dictionary_against_the_adjudicated_coding(seeds):
    settled = rows(EXAMPLE_ADJUDICATED_SHEET)
    positives = sum(int(row[frame]) for row in settled for frame in FRAMES)
    assert positives == 89
    dictionary = agreement.codebook_validation(seeds, read_codebook(), list(EXAMPLE_CODED_SHEETS),
                                               EXAMPLE_ADJUDICATED_SHEET)["dictionary"].set_index("frame")
    total = dictionary.loc[agreement.ALL_FRAMES]
    assert total["TP"] + total["FN"] == positives
    # 81 of the 88 sentence × frame hits are marked by the coders; 81 of their 89 marks are hit.
    assert (total["TP"], total["FP"], total["FN"]) == (81, 7, 8)
    assert total["precision"] == pytest.approx(81 / 88) and total["recall"] == pytest.approx(81 / 89)
    assert total["F1"] == pytest.approx(2 * 81 / (2 * 81 + 7 + 8))
    # Alliance voiced as "support" and "mutual concern" has no alliance term: six sentences missed, none wrong.
    alliance = dictionary.loc["alliance"]
    assert (alliance["TP"], alliance["FP"], alliance["FN"]) == (11, 0, 6)
    # The six, found by reading: coded alliance, and holding none of the alliance frame's terms.
    missed = ["dw-s013", "overt-operator-s010", "the-national-s010", "the-national-s011", "the-national-s012",
              "the-national-s021"]
    by_id = {row["unit_id"]: row for row in settled}
    alliance_words = ("strategic and traditional", "ally", "allies", "friendly relations", "friendly ties",
                      "military ties", "boost ties", "cooperation", "co-operation", "solidarity", "friendship")
    for unit in missed:
        assert by_id[unit]["alliance"] == "1"
        assert not any(re.search(rf"\b{word}\b", by_id[unit]["text"].lower()) for word in alliance_words), unit


def test_the_example_corpus_gets_the_shipped_codings_and_other_codebooks_do_not(seeds, tmp_path):
    assert lists.chosen_coding(None, None, seeds) == (list(EXAMPLE_CODED_SHEETS), EXAMPLE_ADJUDICATED_SHEET)
    assert lists.chosen_coding(None, None, seeds, codebook_given=tmp_path / "mine.yaml") == ([], None)
    assert lists.chosen_coding(None, None, tmp_path) == ([], None)
    assert agreement.validation_text(None).startswith("**The codebook is unvalidated.**")
