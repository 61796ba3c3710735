"""Referee checks of keyness: exact tests, one adjustment across the study, log-odds prior, dispersion, reference corpus.

Expected values come from hand arithmetic written out here or from an
independent library (scipy), never from the code under test.
"""

import math
from math import comb

import numpy as np
import pandas as pd
import pytest
from scipy.stats import false_discovery_control, fisher_exact

from analysis.errors import AnalysisError
from analysis.stats import adjust_across, benjamini_hochberg, exact_two_by_two_p


# --- analysis.stats ----------------------------------------------------------------------------


def test_benjamini_hochberg_by_hand():
    # p sorted: 0.01, 0.02, 0.03, 0.5 with m = 4: scaled 0.04, 0.04, 0.04, 0.5;
    # step-up minimum from the top leaves them so.
    assert benjamini_hochberg([0.03, 0.5, 0.01, 0.02]) == pytest.approx([0.04, 0.5, 0.04, 0.04])
    # 0.01·3/1 = 0.03, 0.04·3/2 = 0.06, 0.045·3/3 = 0.045 → step-up: min(0.06, 0.045) = 0.045
    assert benjamini_hochberg([0.01, 0.04, 0.045]) == pytest.approx([0.03, 0.045, 0.045])


def test_benjamini_hochberg_matches_scipy_and_keeps_missing_values():
    rng = np.random.default_rng(12)
    p = rng.uniform(size=200) ** 3
    assert benjamini_hochberg(p) == pytest.approx(false_discovery_control(p), abs=1e-15)
    with_gaps = np.array([0.01, np.nan, 0.04, 0.045])
    result = benjamini_hochberg(with_gaps)
    assert np.isnan(result[1])
    assert result[[0, 2, 3]] == pytest.approx([0.03, 0.045, 0.045])


def test_benjamini_hochberg_rejects_values_outside_zero_one():
    with pytest.raises(AnalysisError):
        benjamini_hochberg([0.2, 1.5])


def test_fisher_p_on_a_table_with_a_zero_cell_by_hand():
    # [[0, 5], [10, 10]]: margins term 5, target 10, N 25. P(a = x) = C(5,x)C(20,10-x)/C(25,10).
    total = comb(25, 10)
    probabilities = [comb(5, x) * comb(20, 10 - x) / total for x in range(6)]
    observed = probabilities[0]
    fisher = sum(p for p in probabilities if p <= observed * (1 + 1e-7))
    assert exact_two_by_two_p(0, 5, 10, 10, mid_p=False) == pytest.approx(fisher, rel=1e-12)
    assert fisher == pytest.approx(fisher_exact([[0, 5], [10, 10]])[1], rel=1e-12)
    # The mid-p counts the observed table (and any exactly as likely) at half weight.
    ties = sum(p for p in probabilities if abs(p / observed - 1) < 1e-7)
    assert exact_two_by_two_p(0, 5, 10, 10) == pytest.approx(fisher - ties / 2, rel=1e-12)


def test_exact_p_matches_scipy_on_many_tables():
    rng = np.random.default_rng(7)
    a, b = rng.integers(0, 12, size=60), rng.integers(0, 12, size=60)
    c, d = rng.integers(300, 900, size=60), rng.integers(300, 900, size=60)
    ours = exact_two_by_two_p(a, b, c, d, mid_p=False)
    theirs = [fisher_exact([[w, x], [y, z]])[1] for w, x, y, z in zip(a, b, c, d)]
    assert ours == pytest.approx(theirs, rel=1e-9)
    assert (exact_two_by_two_p(a, b, c, d) <= ours + 1e-15).all()


def test_adjust_across_is_one_adjustment_over_every_table():
    first = pd.DataFrame({"term": ["x", "y"], "p_value": [0.01, 0.04]})
    second = pd.DataFrame({"term": ["z", "w"], "p_value": [0.045, np.nan]})
    adjusted = adjust_across({"first": first, "second": second})
    # Three tests in all (the missing one is not a test): as in the hand example above.
    assert adjusted["first"]["p_adjusted"].tolist() == pytest.approx([0.03, 0.045])
    assert adjusted["second"]["p_adjusted"].iloc[0] == pytest.approx(0.045)
    assert np.isnan(adjusted["second"]["p_adjusted"].iloc[1])
    assert set(adjusted["first"]["adjustment"]) == {"BH across 3 tests of the study"}
    assert adjusted["second"].attrs["adjustment"] == "BH across 3 tests of the study"
    assert "p_adjusted" not in first.columns


# --- keyness: exact p, adjustment, log-odds per n-gram order, dispersion ------------------------

from scipy.stats import hypergeom  # noqa: E402

from analysis import read_corpus  # noqa: E402
from analysis.vocabulary import default_options, gries_dp, keyness, keyness_statistics  # noqa: E402

from conftest import write_jsonl  # noqa: E402


def test_exact_p_where_an_expected_count_is_below_five():
    # [[0, 5], [10, 10]] as a keyness table: term 0 of 10 words in the target, 5 of 15 in the reference.
    # Expected term count in the target 10·5/25 = 2 < 5, so p is exact: Fisher from scipy, mid-p
    # = Fisher − ½ P(observed), P(observed) = C(20,10)/C(25,10) = 184756/3268760 = 0.0565217.
    observed = comb(20, 10) / comb(25, 10)
    assert observed == pytest.approx(0.0565217, abs=1e-7)
    fisher = fisher_exact([[0, 5], [10, 10]])[1]
    mid = keyness_statistics(np.array([0]), np.array([5]), 10, 15, prior=np.array([5.0]))
    assert (mid["test"][0], mid["p_value"][0]) == ("Fisher mid-p", pytest.approx(fisher - observed / 2))
    full = keyness_statistics(np.array([0]), np.array([5]), 10, 15, prior=np.array([5.0]), exact="fisher")
    assert (full["test"][0], full["p_value"][0]) == ("Fisher exact", pytest.approx(fisher))
    assert mid["min_expected"][0] == pytest.approx(2.0)


def test_reviewer_figures_for_the_seeds(seeds):
    # Fisher two-sided p (scipy) for the National's "mr" 16/763 vs 0/842, "said" 9 vs 0, "defense" 0 vs 9:
    # the review gives 6.3e-6, 1.2e-3 and 4.2e-3 against G²'s 9.8e-7, 2.5e-4 and 6.4e-4.
    for count, rest, fisher in [(16, 0, 6.3e-6), (9, 0, 1.2e-3), (0, 9, 4.2e-3)]:
        assert fisher_exact([[count, rest], [763 - count, 842 - rest]])[1] == pytest.approx(fisher, rel=0.05)
    table = keyness(seeds, options=default_options(ngram=2), exact="fisher").set_index(["outlet", "term"])
    national = table.loc["The National"]
    assert national.loc["said", "p_value"] == pytest.approx(1.2096e-3, rel=1e-3)
    assert national.loc["defense", "p_value"] == pytest.approx(4.1585e-3, rel=1e-3)
    # "mr": expected counts 763·16/1605 = 7.6 and 8.4, so G² stays: p = 9.8e-7.
    assert national.loc["mr", "test"] == "G² (χ², 1 df)"
    assert national.loc["mr", "p_value"] == pytest.approx(9.766e-7, rel=1e-3)


def test_one_adjustment_over_the_table_leaves_only_mr(seeds):
    table = keyness(seeds, options=default_options(ngram=2))
    assert set(table["adjustment"]) == {f"BH across {len(table)} tests of the table"}
    assert table.attrs["adjustment"] == f"BH across {len(table)} tests of the table"
    significant = table[table["p_adjusted"] < 0.05]
    assert list(zip(significant["outlet"], significant["term"])) == [("The National", "mr")]
    # The same adjustment by scipy over every p of the table.
    assert table["p_adjusted"].to_numpy() == pytest.approx(false_discovery_control(table["p_value"]))
    per_comparison = keyness(seeds, options=default_options(ngram=2), adjust="comparison")
    national = per_comparison[per_comparison["outlet"] == "The National"]
    assert national["p_adjusted"].to_numpy() == pytest.approx(false_discovery_control(national["p_value"]))
    assert national["adjustment"].iloc[0] == f"BH within the comparison ({len(national)} tests)"
    with pytest.raises(AnalysisError, match="adjustment is one of"):
        keyness(seeds, adjust="study")


def _small_corpus(tmp_path):
    # X: x1 "Alpha beta gamma. | Alpha beta delta, epsilon." (7 words), x2 "Zeta alpha eta theta. |
    # Iota kappa lambda." (7 words); Y: y1 "Beta gamma mu nu. | Xi omicron pi rho sigma." (9 words).
    # Word pairs inside runs: x1 2 + (2 + 0), x2 3 + 2 → X 9; y1 3 + 4 → Y 7.
    records = [{"doc_id": "x1", "outlet": "X", "text": "Alpha beta gamma.\n\nAlpha beta delta, epsilon."},
               {"doc_id": "x2", "outlet": "X", "text": "Zeta alpha eta theta.\n\nIota kappa lambda."},
               {"doc_id": "y1", "outlet": "Y", "text": "Beta gamma mu nu.\n\nXi omicron pi rho sigma."}]
    return read_corpus(write_jsonl(tmp_path / "small.jsonl", records))


def test_log_odds_counts_n_per_ngram_order(tmp_path):
    table = keyness(_small_corpus(tmp_path), options=default_options(ngram=2), min_count=1, prior_scale=0.1)
    x = table[table["outlet"] == "X"].set_index("term")
    # "alpha" (unigram): y_X = 3, y_Y = 0, n_X = 14 words, n_Y = 9; α_w = 0.1·3 = 0.3, α₀ = 0.1·23 = 2.3.
    # δ = ln(3.3 / (14 + 2.3 − 3.3)) − ln(0.3 / (9 + 2.3 − 0.3)) = ln(3.3/13) − ln(0.3/11)
    #   = −1.3710269 + 3.6018681 = 2.2308412; var = 1/3.3 + 1/0.3 = 3.6363636; z = 2.2308412/1.9069252 = 1.1698630
    assert x.loc["alpha", "log_odds"] == pytest.approx(2.2308412, abs=1e-6)
    assert x.loc["alpha", "log_odds_z"] == pytest.approx(1.1698630, abs=1e-6)
    # "alpha beta" (bigram): y_X = 2, y_Y = 0, n_X = 9 pairs, n_Y = 7; α_w = 0.2, α₀ = 0.1·16 = 1.6.
    # δ = ln(2.2 / (9 + 1.6 − 2.2)) − ln(0.2 / (7 + 1.6 − 0.2)) = ln(2.2/8.4) − ln(0.2/8.4) = ln 11 = 2.3978953
    # var = 1/2.2 + 1/0.2 = 5.4545455; z = 2.3978953 / 2.3354968 = 1.0267174
    assert x.loc["alpha beta", "log_odds"] == pytest.approx(math.log(11), abs=1e-9)
    assert x.loc["alpha beta", "log_odds_z"] == pytest.approx(1.0267174, abs=1e-6)


def test_log_odds_of_mr_uses_the_words_of_the_national(seeds):
    # Unigram n: The National 763 words, the rest 434 + 408 = 842; α_w = 0.1·16 = 1.6; α₀ = 0.1·1605 = 160.5,
    # with bigrams counted too (ngram=2) — they are another order and do not change these n.
    # δ = ln(17.6 / (763 + 160.5 − 17.6)) − ln(1.6 / (842 + 160.5 − 1.6)) = ln(17.6/905.9) − ln(1.6/1000.9)
    #   = −3.9410300 + 6.4386512 = 2.4976212; var = 1/17.6 + 1/1.6 = 0.6818182; z = 2.4976212/0.8257228 = 3.0247695
    delta = math.log(17.6 / 905.9) - math.log(1.6 / 1000.9)
    z = delta / math.sqrt(1 / 17.6 + 1 / 1.6)
    assert delta == pytest.approx(2.4976212, abs=1e-6) and z == pytest.approx(3.0247695, abs=1e-6)
    row = keyness(seeds, outlet="The National", options=default_options(ngram=2)).set_index("term").loc["mr"]
    assert (row["log_odds"], row["log_odds_z"]) == (pytest.approx(delta, rel=1e-9), pytest.approx(z, rel=1e-9))


def test_gries_dp_by_hand():
    # Parts of 2, 3 and 5 words: s = (0.2, 0.3, 0.5).
    # Counts (1, 0, 3): v = (0.25, 0, 0.75); |v − s| = 0.05 + 0.3 + 0.25 = 0.6; DP = 0.3.
    # Counts (2, 3, 5): spread as the words are; DP = 0.  Counts (0, 0, 1): 0.2 + 0.3 + 0.5 = 1; DP = 0.5.
    # Counts (0, 0, 0): no occurrence, no DP.
    counts = np.array([[1, 2, 0, 0], [0, 3, 0, 0], [3, 5, 1, 0]])
    dp = gries_dp(counts, [2, 3, 5])
    assert dp[:3] == pytest.approx([0.3, 0.0, 0.5])
    assert np.isnan(dp[3])


def test_dispersion_columns(tmp_path):
    table = keyness(_small_corpus(tmp_path), options=default_options(ngram=2), min_count=1)
    x = table[table["outlet"] == "X"].set_index("term")
    # "alpha": x1 twice (two sentences), x2 once; both documents 7 words: s = (½, ½), v = (⅔, ⅓); DP = ⅙.
    assert x.loc["alpha", ["n_documents", "n_sentences"]].tolist() == [2, 3]
    assert x.loc["alpha", "dp"] == pytest.approx(1 / 6)
    # "alpha beta": both in x1 (two sentences): v = (1, 0); DP = ½.
    assert x.loc["alpha beta", ["n_documents", "n_sentences", "dp"]].tolist() == [1, 2, pytest.approx(0.5)]
    # Y has one document: no DP.
    assert table[table["outlet"] == "Y"]["dp"].isna().all()


# --- log-odds prior sensitivity ----------------------------------------------------------------

from analysis.cli import main  # noqa: E402
from analysis.vocabulary import log_odds_sensitivity, reference_keyness  # noqa: E402


def test_prior_sensitivity_on_the_seeds(seeds):
    summary, ranks = log_odds_sensitivity(seeds, scales=(0.01, 0.1, 1, 10))
    national = summary[summary["outlet"] == "The National"].set_index("prior_scale")
    # α₀ = scale × 1,605 words; the review counts 4 terms with |z| > 1.96 at 0.1 and 1 at 1.
    assert national["alpha_0"].tolist() == pytest.approx([16.05, 160.5, 1605, 16050])
    assert national.loc[0.1, "n_beyond"] == 4 and national.loc[1.0, "n_beyond"] == 1
    # "mr" at scale 1: α_w = 16, α₀ = 1,605. δ = ln(32 / (763 + 1605 − 32)) − ln(16 / (842 + 1605 − 16))
    #   = ln(32/2336) − ln(16/2431) = −4.2904594 + 5.0234693 = 0.7330098; var = 1/32 + 1/16 = 0.09375;
    #   z = 0.7330098 / 0.3061862 = 2.3940000
    mr = ranks[(ranks["outlet"] == "The National") & (ranks["term"] == "mr")].iloc[0]
    assert mr["z_1"] == pytest.approx(2.3940000, abs=1e-6)
    assert mr["rank_0.1"] == 1 and mr["rank_1"] == 1
    assert national.loc[1.0, "top_term"] == "mr"
    with pytest.raises(AnalysisError, match="positive"):
        log_odds_sensitivity(seeds, scales=(0, 1))


# --- keyness against general English -----------------------------------------------------------


def test_reference_keyness_of_house_style(seeds):
    from wordfreq import word_frequency

    table = reference_keyness(seeds).set_index(["outlet", "term"])
    mr = table.loc[("The National", "mr")]
    # wordfreq: "mr" 0.00049 = 490 per million. The National: 16 / 763 words = 20,969.86 per million;
    # Log Ratio = log2(20969.86 / 490) = 5.4194; expected at the general rate 763 × 490e-6 = 0.3739.
    assert word_frequency("mr", "en", "large") == pytest.approx(490e-6)
    assert mr["per_million"] == pytest.approx(16 / 763 * 1e6)
    assert mr["reference_per_million"] == pytest.approx(490.0)
    assert mr["log_ratio"] == pytest.approx(math.log2(16 / 763 * 1e6 / 490), abs=1e-9)
    assert mr["log_ratio"] == pytest.approx(5.4194, abs=1e-4)
    assert mr["expected"] == pytest.approx(0.37387, abs=1e-5)
    assert (mr["n_outlets_using"], mr["pattern"]) == (1, "over in this outlet only")
    # A word all three texts share and general English rarely uses: the shared topic.
    assert table.loc[("DW", "pyongyang"), "pattern"] == "over in every outlet"
    assert table.loc[("DW", "pyongyang"), "n_outlets_over"] == 3


def test_reference_keyness_marks_missing_words_and_ambiguous_acronyms(tmp_path):
    records = [{"outlet": "A", "text": "Headline here\n\nZqxvw zqxvw met US officials. The US said so."},
               {"outlet": "B", "text": "Headline here\n\nOfficials met. Officials said so."}]
    table = reference_keyness(read_corpus(write_jsonl(tmp_path / "r.jsonl", records)))
    a = table[table["outlet"] == "A"].set_index("term")
    # A made-up word is not in the list: its rate is taken at the list's floor (~0.01 per million).
    assert not a.loc["zqxvw", "in_reference"]
    assert a.loc["zqxvw", "reference_per_million"] == pytest.approx(0.0102, abs=1e-4)
    # "US" would be looked up as the pronoun "us": no reference rate.
    assert np.isnan(a.loc["US", "reference_per_million"]) and a.loc["US", "pattern"] == "no reference rate"


def test_vocab_command_against_general_english(capsys):
    assert main(["vocab", "--reference", "general-english", "--outlet", "The National", "--top", "0",
                 "--format", "csv"]) == 0
    table = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert list(table.columns[:5]) == ["outlet", "term", "count", "per_million", "reference_per_million"]
    assert set(table["outlet"]) == {"The National"} and "mr" in set(table["term"])
    assert main(["vocab", "--reference", "general-english", "--vs", "DW", "--outlet", "The National"]) == 2
    assert "--reference compares single words" in capsys.readouterr().err


def test_vocab_command_options_for_test_and_adjustment(capsys):
    assert main(["vocab", "--exact", "fisher", "--adjust", "comparison", "--top", "0", "--format", "csv"]) == 0
    table = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert set(table["test"]) == {"Fisher exact", "G² (χ², 1 df)"}
    assert table["adjustment"].str.startswith("BH within the comparison").all()


def test_reference_summary_and_scope_sentence(seeds, tmp_path):
    from analysis.vocabulary import comparison_scope_sentence, reference_summary

    summary = reference_summary(reference_keyness(seeds))
    national = summary[(summary["outlet"] == "The National") & (summary["pattern"] == "over in this outlet only")]
    # "mr" leads: 16 uses against 763 × 490e-6 = 0.37 expected, more excess than any other word of the outlet.
    assert national["examples"].iloc[0].startswith("mr (16; 490)")
    assert comparison_scope_sentence(seeds).startswith("Every outlet here is one article")
    records = [{"outlet": "A", "text": "Headline\n\nOne text."}, {"outlet": "A", "text": "Headline\n\nTwo texts."},
               {"outlet": "B", "text": "Headline\n\nThree texts."}]
    sentence = comparison_scope_sentence(read_corpus(write_jsonl(tmp_path / "s.jsonl", records)))
    assert sentence.startswith("1 of 2 outlets are one article (B)")
