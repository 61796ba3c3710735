"""Tone a referee accepts: scorer text, name masking, interval suppression, difference intervals and power, validation.

Expected values are worked out by hand (VADER's compound is x / √(x² + 15) for a
lexicon sum x; its lexicon gives defense +0.5, defence +0.4, war −2.9,
security +1.4) or by a second route (a fresh vaderSentiment analyser on the
straight-quoted text).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analysis import tone, validation
from analysis.errors import RulesError

FEW = 999


def compound_by_hand(lexicon_sum: float) -> float:
    """VADER's normalisation of a sum of valences, alpha = 15, rounded as VADER rounds (4 decimals)."""
    return round(lexicon_sum / math.sqrt(lexicon_sum ** 2 + 15), 4)


@pytest.fixture(scope="module")
def fresh_vader():
    return SentimentIntensityAnalyzer()


# Text normalised for the scorer ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("curly, straight", [
    ("The talks weren\u2019t successful.", "The talks weren't successful."),
    ("We don\u2019t like it.", "We don't like it."),
    ("The plan isn\u2019t good.", "The plan isn't good."),
    ("They can\u2019t win.", "They can't win."),
])
def test_curly_apostrophe_negation_scores_like_the_straight_one(curly, straight, fresh_vader):
    expected = fresh_vader.polarity_scores(straight)["compound"]
    assert tone.score_texts([curly], mask_names=False)["compound"].tolist() == [expected]
    assert tone.score_texts([curly])["compound"].tolist() == [expected]  # no name to mask here


def test_the_raw_curly_apostrophe_defeats_the_negation(fresh_vader):
    # raw, "weren’t" is no negation: successful (+2.8 in the lexicon) counts: 2.8 / √(7.84 + 15) = +0.5859;
    # straight, it is negated (× −0.74): −2.072 / √(4.293 + 15) = −0.4717
    raw = tone.score_texts(["The talks weren\u2019t successful."], mask_names=False, normalize=False)
    assert raw["compound"].iloc[0] == compound_by_hand(2.8) == 0.5859
    normalised = tone.score_texts(["The talks weren\u2019t successful."])["compound"].iloc[0]
    assert normalised == compound_by_hand(2.8 * -0.74) == -0.4717


def test_curly_quotes_and_dashes_are_made_plain():
    assert tone.normalize_for_scorer("He called it \u201cgreat.\u201d") == 'He called it "great."'
    assert tone.normalize_for_scorer("good\u2014but late") == "good - but late"
    # "great" is +3.1: straight quotes are stripped, so it counts; inside curly quotes it did not
    assert tone.score_texts(["He called it \u201cgreat.\u201d"])["compound"].iloc[0] == compound_by_hand(3.1)


# Name masking ---------------------------------------------------------------------------------------------------------


def test_a_title_with_a_lexicon_word_no_longer_moves_the_score():
    with_title = "Defense Minister X said the talks ended."
    without = "Minister X said the talks ended."
    masked = tone.score_texts([with_title, without])["compound"].tolist()
    assert masked[0] == masked[1] == 0.0
    plain = tone.score_texts([with_title, without], mask_names=False)["compound"].tolist()
    assert plain == [compound_by_hand(0.5), 0.0]  # 0.5 / √(0.25 + 15) = 0.1280


def test_a_name_inside_the_sentence_is_masked():
    text = "They marked the Korean War anniversary."
    assert tone.scorer_text(text) == "They marked the someone anniversary."
    assert tone.score_texts([text], mask_names=False)["compound"].iloc[0] == compound_by_hand(-2.9)  # −0.5994
    assert tone.score_texts([text])["compound"].iloc[0] == 0.0


def test_lowercase_role_phrases_are_masked_but_the_same_word_elsewhere_counts():
    assert tone.scorer_text("A national security spokesman said so.") == "A someone said so."
    assert tone.scorer_text("They voiced security concerns.") == "They voiced security concerns."
    assert tone.score_texts(["They voiced security concerns."])["compound"].iloc[0] == compound_by_hand(1.4)


def test_connectors_join_one_name_and_sentence_starts_are_careful():
    assert tone.scorer_text("He works at the Carnegie Endowment for International Peace today.") == \
        "He works at the someone today."
    assert tone.scorer_text("But North Korea said no.") == "But someone said no."  # "But" is a VADER rule word
    assert tone.scorer_text("Russia said no.") == "Russia said no."  # one capital at the start proves nothing
    assert tone.scorer_text("Sadly, North Korea refused.") == "Sadly, someone refused."


def test_a_title_case_headline_masks_only_role_phrases():
    headline = "Russian Defence Minister Visits Pyongyang For War Anniversary"
    assert tone.scorer_text(headline) == "Russian someone Visits Pyongyang For War Anniversary"


def test_the_national_headline_scored_only_for_its_title(seeds):
    tones = tone.sentence_tone(seeds)
    plain = tone.sentence_tone(seeds, mask_names=False)
    headline = (tones["outlet"] == "The National") & (tones["role"] == "headline")
    # "… to Russia's defence minister": defence +0.4 is the only lexicon word: 0.4 / √(0.16 + 15) = 0.1027
    assert plain.loc[headline, "compound"].tolist() == [compound_by_hand(0.4)]
    assert tones.loc[headline, "compound"].tolist() == [0.0]
    assert tones.loc[headline, "names_masked"].tolist() == [True]
    # the option turns masking off: the scored text is the sentence as printed, only normalised
    assert (plain["scored_text"] == plain["text"].map(tone.normalize_for_scorer)).all()
    assert not plain["names_masked"].any()


def test_the_titles_file_is_validated(tmp_path):
    good = tone.read_name_titles()
    assert {"minister", "spokesman", "council", "endowment"} <= good.roles
    assert {"defense", "defence", "security", "national"} <= good.portfolios
    bad = tmp_path / "titles.yaml"
    bad.write_text("roles: [minister]\nportfolios: [defence]\nconnectors: [of]\nnames: [Shoigu]\n", encoding="utf-8")
    with pytest.raises(RulesError, match="unknown key 'names'"):
        tone.read_name_titles(bad)
    bad.write_text("roles: [Minister]\nportfolios: [defence]\nconnectors: [of]\n", encoding="utf-8")
    with pytest.raises(RulesError, match="not one lowercase word"):
        tone.read_name_titles(bad)
    bad.write_text("roles: [minister, minister]\nportfolios: [defence]\nconnectors: [of]\n", encoding="utf-8")
    with pytest.raises(RulesError, match="lists 'minister' twice"):
        tone.read_name_titles(bad)


# Intervals only from 10 values ----------------------------------------------------------------------------------------


def _rows(values_by_outlet):
    rows = []
    for outlet, values in values_by_outlet.items():
        for index, value in enumerate(values):
            rows.append({"doc_id": outlet, "outlet": outlet, "event": "", "sentence_id": f"{outlet}{index}",
                         "voice": "authorial", "role": "body", "compound": value,
                         "label": tone.tone_label(value)})
    return pd.DataFrame(rows)


def test_no_interval_under_ten_sentences():
    table = _rows({"A": [0.1, -0.2] * 4 + [0.3], "B": [0.1, -0.2] * 5})  # 9 and 10 sentences
    summary = tone.tone_summary(table, "outlet", n_resamples=FEW).set_index("outlet")
    assert np.isnan(summary.loc["A", "ci_low"]) and np.isnan(summary.loc["A", "ci_high"])
    assert summary.loc["A", "interval_note"] == "no interval: 9 values, fewer than 10"
    assert summary.loc["B", "ci_low"] < summary.loc["B", "mean_compound"] < summary.loc["B", "ci_high"]
    assert summary.loc["B", "interval_note"] == ""
    differences = tone.outlet_differences(table, n_resamples=FEW, n_permutations=FEW)
    assert differences[["ci_low", "ci_high"]].isna().all().all()
    assert differences["interval_note"].tolist() == ["no interval: 9 values, fewer than 10"]


# Differences: interval, detectable size, p with its error -------------------------------------------------------------


def test_difference_interval_by_hand():
    # a − b with a ten zeros and b nine zeros and a one: a resampled mean is 0, b's is X/10,
    # X ~ Binomial(10, 0.1).
    # P(X = 0) = 0.9^10 = 0.349 > 0.025, so the upper point of a − b is 0; P(X ≤ 2) = 0.930 < 0.975 ≤ P(X ≤ 3) =
    # 0.987, so the lower point is −0.3
    low, high = tone.difference_interval([0.0] * 10, [0.0] * 9 + [1.0], n_resamples=9999)
    assert (low, high) == (pytest.approx(-0.3), pytest.approx(0.0))
    assert all(np.isnan(tone.difference_interval([0.0] * 9, [1.0] * 20)))


def test_detectable_difference_by_hand():
    # both samples five 0s and five 1s: variance (ddof 1) 10 · 0.25 / 9 = 0.27778;
    # SE = √(2 · 0.27778 / 10) = 0.23570;
    # (z 0.975 + z 0.80) = 1.959964 + 0.841621 = 2.801585; 2.801585 · 0.23570 = 0.66034
    values = [0.0] * 5 + [1.0] * 5
    assert tone.detectable_difference(values, values) == pytest.approx(0.66034, abs=1e-5)


def _enumerated_p(first, second):
    """Two-sided p of mean(first) − mean(second) over every relabelling, by itertools (a second method)."""
    import itertools

    pool = list(first) + list(second)
    observed = np.mean(first) - np.mean(second)
    differences = []
    for chosen in itertools.combinations(range(len(pool)), len(first)):
        rest = [value for index, value in enumerate(pool) if index not in chosen]
        differences.append(np.mean([pool[index] for index in chosen]) - np.mean(rest))
    differences = np.array(differences)
    share_below = np.mean(differences <= observed + 1e-12)
    share_above = np.mean(differences >= observed - 1e-12)
    return min(1.0, 2 * min(share_below, share_above))


@pytest.mark.parametrize("keyed_pool", [1000, 0])  # random keys per batch, and rng.choice per relabelling
@pytest.mark.parametrize("first, second", [
    ([0.5, 0.1, 0.3, 0.6, 0.2, 0.4, 0.0], [0.0, -0.2, 0.1, 0.3, -0.1, 0.05, 0.2]),  # C(14, 7) = 3,432 relabellings
    # C(14, 4) = 1,001 relabellings; the second sample, the smaller, is the one drawn
    ([0.2, 0.4, 0.0, 0.6, 0.1, 0.3, 0.5, 0.2, 0.1, -0.1], [-0.3, 0.1, -0.1, 0.0]),
])
def test_random_relabellings_agree_with_every_relabelling(monkeypatch, keyed_pool, first, second):
    # 999 relabellings, fewer than exist, so they are drawn at random; the p-value must be within 4 Monte Carlo
    # standard errors of the exact one
    monkeypatch.setattr(tone, "_KEYED_DRAW_POOL", keyed_pool)
    exact = _enumerated_p(first, second)
    difference, p_value = tone.permutation_difference(first, second, seed=7, n_resamples=999)
    assert difference == pytest.approx(np.mean(first) - np.mean(second))
    assert abs(p_value - exact) <= 4 * 2 * math.sqrt(exact / 2 * (1 - exact / 2) / 999)
    reversed_difference, reversed_p = tone.permutation_difference(second, first, seed=7, n_resamples=999)
    assert reversed_difference == pytest.approx(-difference)
    assert abs(reversed_p - exact) <= 4 * 2 * math.sqrt(exact / 2 * (1 - exact / 2) / 999)


def test_random_relabellings_of_large_samples_agree_with_the_t_test():
    # 1,200 values: with samples this large the permutation p and Student's t-test p nearly coincide
    from scipy import stats

    generator = np.random.default_rng(11)
    first, second = generator.normal(0.0, 1.0, 600), generator.normal(0.12, 1.0, 600)
    _, p_value = tone.permutation_difference(first, second, n_resamples=20_000)
    assert p_value == pytest.approx(stats.ttest_ind(first, second).pvalue, abs=0.01)


def test_monte_carlo_error_of_p_by_hand():
    # √(0.43 · 0.57 / 99,999) = √(2.4510e-6) = 0.0015656
    assert tone.permutation_p_error(0.43, 23, 28, 99_999) == pytest.approx(0.0015656, abs=1e-7)
    assert tone.permutation_p_error(0.1, 3, 3, 99_999) == 0.0  # C(6, 3) = 20 relabellings: exact
    # default count: 99,999 for small outlets; 2·10⁸ // 12,000 = 16,666 for two of 6,000; never under 9,999
    assert tone.permutation_count(23, 28) == 99_999
    assert tone.permutation_count(6000, 6000) == 16_666
    assert tone.permutation_count(100_000, 100_000) == 9_999
    assert tone.permutation_count(23, 28, 500) == 500


def test_seed_p_is_stable_to_two_decimals(seeds):
    # the reviewer's 10^6 relabellings give DW − The National p = 0.430 (names not masked); with 99,999 the Monte
    # Carlo SE is 0.0016, so every seed lands within 0.006 of it
    tones = tone.sentence_tone(seeds, mask_names=False)
    dw = tones.loc[tones["outlet"] == "DW", "compound"]
    national = tones.loc[tones["outlet"] == "The National", "compound"]
    for seed in (1, 2, 2023):
        _, p_value = tone.permutation_difference(dw, national, seed=seed)
        assert abs(p_value - 0.430) < 0.006


# Label shares beside the mean -----------------------------------------------------------------------------------------


def test_label_share_sentence_by_hand():
    # A: 4 sentences, 1 neutral, 2 positive, 1 negative → 25 % neutral; B: 2 of 4 neutral → 50 %
    table = _rows({"A": [0.0, 0.3, 0.2, -0.5], "B": [0.0, 0.0, 0.1, -0.1]})
    by_voice = tone.outlet_voice_tone(table, n_resamples=FEW)
    sentence = tone.label_share_sentence(by_voice)
    assert "A mean +0.00, 25% neutral, 50% positive, 25% negative (4 sentences)" in sentence
    assert "only 25% to 50% of them are neutral" in sentence


def test_masking_sentence_by_hand():
    masked = _rows({"A": [0.0, 0.0, 0.2]}).assign(role=["headline", "standfirst", "body"])
    unmasked = masked.assign(compound=[0.128, 0.0, 0.3], label=["positive", "neutral", "positive"])
    # scores differ in rows 1 and 3 (2 of 3); labels in row 1 only; the headline went to 0, the standfirst was 0 already
    assert tone.masking_sentence(masked, unmasked) == (
        "Masking names and titles before scoring changes the score of 2 of 3 sentences and the label of 1; 1 of the 2 "
        "headlines and standfirsts scored other than 0 only because of a name or title in them.")
    effect = pd.DataFrame({"mask_names": [True, False], "pearson_r": [0.51, 0.503], "three_class_agreement": [0.5, 0.5],
                           "n_changed": [273, 0]})
    assert validation.masking_sentence(effect) == ("Masking names and titles (the default) changes 273 of the NYT "
                                                   "scores and raises VADER's r with the human mean: 0.510 masked, "
                                                   "0.503 as written.")


# Validation -----------------------------------------------------------------------------------------------------------


def test_spearman_brown_by_hand():
    # three raters on three sentences: r1 = [1,2,3], r2 = [1,3,2], r3 = [2,1,3]; deviations [-1,0,1], [-1,1,0], [0,-1,1]
    # r12 = 1/2, r13 = 1/2, r23 = −1/2: mean 1/6;
    # Spearman–Brown k = 3: 3 · (1/6) / (1 + 2 · 1/6) = 0.5 / (4/3) = 0.375
    ratings = pd.DataFrame([(s, rater, value) for s, values in (("a", (1, 1, 2)), ("b", (2, 3, 1)), ("c", (3, 2, 3)))
                            for rater, value in enumerate(values, start=1)], columns=["sentence_id", "rater", "rating"])
    reliability, mean_r, k = validation.mean_rating_reliability(ratings)
    assert (k, mean_r, reliability) == (3, pytest.approx(1 / 6), pytest.approx(0.375))


def test_nyt_masking_does_not_lower_r_and_normalising_undoes_typeset_quotes():
    effect = validation.masking_effect().set_index("mask_names")
    assert effect.loc[True, "pearson_r"] >= effect.loc[False, "pearson_r"]
    assert 0.48 <= effect.loc[False, "pearson_r"] <= 0.52  # the paper: 0.492; vaderSentiment 3.3.2: about 0.50
    typeset = validation.normalisation_effect().set_index("route")
    assert typeset.loc["raw", "n_changed"] > 100  # the reviewer: 176 of 1,862 sentences with quote marks
    assert typeset.loc["normalised", "n_changed"] == 0


def test_majority_baseline_and_reliability_on_nyt():
    summary = dict(zip(*validation.validation_summary()[["measure", "value"]].T.values))
    # the reviewer's independent figures: always "negative" 45.5 %, 20-rater reliability 0.96
    assert summary["majority_label_agreement"] == pytest.approx(0.455, abs=0.001)
    assert summary["mean_rating_reliability"] == pytest.approx(0.96, abs=0.005)
    assert summary["three_class_agreement"] > summary["majority_label_agreement"]


def test_relabelling_large_pools_of_zeros():
    # 1,700 sentences (drawn one relabelling at a time, zeros skipped), all scoring 0: no difference, p = 1
    assert tone.permutation_difference([0.0] * 800, [0.0] * 900, n_resamples=999) == (0.0, 1.0)
    # three 0.5s among them, all in the second sample: P(all three land there) = 900·899·898 / (1700·1699·1698)
    # = 0.1482, so the two-sided p is about 0.296
    _, p_value = tone.permutation_difference([0.0] * 800, [0.5] * 3 + [0.0] * 897, n_resamples=9999)
    assert p_value == pytest.approx(2 * 900 * 899 * 898 / (1700 * 1699 * 1698), abs=0.02)
