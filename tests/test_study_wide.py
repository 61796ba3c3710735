"""One Benjamini–Hochberg adjustment across every test the study page reports."""

import pandas as pd
import pytest

from analysis.study import study_wide_sentence, study_wide_tests


def keyness_rows(p_values):
    return pd.DataFrame({"outlet": "A", "reference": "rest", "term": [f"w{i}" for i in range(len(p_values))],
                         "p_value": p_values})


def tone_rows(p_values):
    return pd.DataFrame({"outlet_a": "A", "outlet_b": "B", "voice": "all", "p_value": p_values})


def test_keyness_and_tone_tests_are_adjusted_together():
    tests = study_wide_tests(keyness_rows([0.001, 0.2]), tone_rows([0.04]))
    # m = 3, sorted p 0.001, 0.04, 0.2 → 0.001·3/1 = 0.003, 0.04·3/2 = 0.06, 0.2·3/3 = 0.2 (already monotone).
    assert tests["p_adjusted"].tolist() == pytest.approx([0.003, 0.06, 0.2])
    assert tests["family"].tolist() == ["keyness", "tone", "keyness"]
    assert tests["significant"].tolist() == [True, False, False]
    assert set(tests["adjustment"]) == {"BH across 3 tests of the study"}
    # Adjusted within the tone table alone, 0.04 would have passed: that is what one adjustment prevents.
    assert "1 has an adjusted p below 0.05" in study_wide_sentence(tests)
    assert "3 tests (2 keyness, 1 tone)" in study_wide_sentence(tests)


def test_equal_evidence_shares_one_adjusted_value():
    tests = study_wide_tests(keyness_rows([0.01, 0.04, 0.03]), tone_rows([0.02]))
    # m = 4: 0.01·4/1, 0.02·4/2, 0.03·4/3, 0.04·4/4 are all 0.04.
    assert tests["p_adjusted"].tolist() == pytest.approx([0.04] * 4)
    assert tests["significant"].all()


def test_no_survivor_is_said_plainly():
    tests = study_wide_tests(keyness_rows([0.5]), tone_rows([0.9]))
    assert "none of them has an adjusted p below 0.05" in study_wide_sentence(tests)


def test_seed_study_only_mr_survives(seeds):
    from analysis import tone, vocabulary

    keyness = vocabulary.keyness(seeds, options=vocabulary.default_options(ngram=2))
    tests = study_wide_tests(keyness, tone.outlet_differences(tone.sentence_tone(seeds)))
    survivors = tests[tests["significant"]]["test"].tolist()
    assert survivors == ["The National vs rest: “mr”"]
    # "Mr": 16 of The National's 763 words, 0 of the others' 434 + 408 = 842; expected counts
    # 16·763/1605 = 7.6 and 16·842/1605 = 8.4 are above 5, so its p is G²'s, times 570 tests.
    row = tests.iloc[0]
    assert row["p_adjusted"] == pytest.approx(row["p_value"] * 570)
