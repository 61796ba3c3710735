"""VADER against people: the NYT editorial ratings, the human ceiling, and malformed rating files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import validation
from analysis.errors import CorpusError
from analysis.style import save_figure
from tests.conftest import NYT_GROUND_TRUTH


@pytest.fixture(scope="module")
def nyt():
    return validation.validation_sentences()


@pytest.fixture(scope="module")
def ratings():
    return validation.read_rater_ratings()


@pytest.fixture(scope="module")
def summary(nyt, ratings):
    return dict(zip(*validation.validation_summary(nyt, ratings)[["measure", "value"]].T.values))


def test_ground_truth_file_has_crlf_and_is_read_whole(nyt):
    data = NYT_GROUND_TRUTH.read_bytes()
    assert data.count(b"\r\n") == 5189  # CRLF between lines; the last line has no ending
    assert len(nyt) == 5190
    assert nyt.loc[0, "sentence_id"] == "1_1"
    assert nyt.loc[0, "human_mean"] == 0.4  # first line of the file: 1_1, 0.4, "On Dec. 19, around noon …"
    assert nyt.loc[0, "text"].startswith("On Dec. 19, around noon")
    assert not nyt["text"].str.endswith("\r").any()


def test_vader_correlates_with_people_at_about_half(summary, nyt):
    assert 0.48 <= summary["pearson_r"] <= 0.52  # the paper: 0.492; vaderSentiment 3.3.2: about 0.50
    # a second route: numpy's correlation on the same columns
    assert summary["pearson_r"] == pytest.approx(np.corrcoef(nyt["compound"], nyt["human_mean"])[0, 1])


def test_human_ceiling_is_about_071(summary):
    assert 0.69 <= summary["one_rater_r"] <= 0.73
    assert summary["one_rater_r_min"] <= summary["one_rater_r"] <= summary["one_rater_r_max"]
    assert summary["pearson_r"] < summary["one_rater_r"]


def test_three_class_agreement_and_kappa(summary, nyt):
    agreement = np.mean(nyt["vader_label"].to_numpy() == nyt["human_label"].to_numpy())
    assert summary["three_class_agreement"] == pytest.approx(agreement)
    assert 0 < summary["cohen_kappa"] < summary["three_class_agreement"] < 1


def test_ratings_file_holds_20_ratings_per_sentence(ratings, nyt):
    assert len(ratings) == 5190 * 20
    first = ratings[ratings["sentence_id"] == "1_1"]["rating"].tolist()
    # line 1 of the ratings file: [0, 0, 1, 0, 2, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0], mean 8/20 = 0.4
    assert first == [0, 0, 1, 0, 2, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0]
    means = ratings.groupby("sentence_id", sort=False)["rating"].mean()
    assert np.allclose(means.loc[nyt["sentence_id"]].to_numpy(), nyt["human_mean"].to_numpy(), atol=0.006)


def test_human_ceiling_by_hand():
    # raters: r1 = [1,2,3], r2 = [1,3,2], r3 = [2,1,3]
    # r1 vs mean(r2, r3) = [1.5, 2, 2.5]: a straight line, r = 1
    # r2 vs mean(r1, r3) = [1.5, 1.5, 3]: deviations [-1,1,0] · [-0.5,-0.5,1] = 0, r = 0
    # r3 vs mean(r1, r2) = [1, 2.5, 2.5]: deviations [0,-1,1] · [-1,0.5,0.5] = 0, r = 0
    table = pd.DataFrame(
        [(sentence, rater, rating) for rater, values in enumerate([[1, 2, 3], [1, 3, 2], [2, 1, 3]], start=1)
         for sentence, rating in zip(["a", "b", "c"], values)],
        columns=["sentence_id", "rater", "rating"],
    )
    ceiling = validation.human_ceiling(table)
    assert ceiling["rater"].tolist() == [1, 2, 3]
    assert ceiling["r_with_others"].tolist() == pytest.approx([1.0, 0.0, 0.0], abs=1e-12)


@pytest.mark.parametrize("rating, label", [(0.2, "positive"), (0.15, "neutral"), (-0.15, "neutral"),
                                           (-0.2, "negative"), (3.5, "positive")])
def test_human_labels_at_the_scaled_threshold(rating, label):
    # VADER's ±0.05 on −1…1 is ±0.2 on the raters' −4…4 scale
    assert validation.human_label([rating]).tolist() == [label]


def test_validation_sentence_carries_the_computed_numbers(nyt, ratings):
    table = validation.validation_summary(nyt, ratings)
    value = dict(zip(table["measure"], table["value"]))
    sentence = validation.validation_sentence(table)
    assert f"r = {value['pearson_r']:.2f}" in sentence
    assert f"r = {value['one_rater_r']:.2f}" in sentence
    assert sentence.startswith("On 5,190 New York Times editorial (opinion) sentences")
    assert f"would agree {value['majority_label_agreement']:.1%}" in sentence
    assert "as good as one person" in sentence
    assert f"reliability of {value['mean_rating_reliability']:.2f}" in sentence


def test_validation_scatter_is_byte_identical(nyt, tmp_path):
    sample = nyt.iloc[:300]
    first = save_figure(validation.plot_validation_scatter(sample), "v", tmp_path / "a")
    second = save_figure(validation.plot_validation_scatter(sample), "v", tmp_path / "b")
    for one, two in zip(first, second):
        assert one.read_bytes() == two.read_bytes()


def _folder(tmp_path, ground_truth=None, ratings=None):
    if ground_truth is not None:
        (tmp_path / validation.GROUND_TRUTH).write_bytes(ground_truth.encode("utf-8"))
    if ratings is not None:
        (tmp_path / validation.RATINGS).write_bytes(ratings.encode("utf-8"))
    return tmp_path


@pytest.mark.parametrize("text, message", [
    ("1_1\t0.4\tFine.\r\n1_2\t0.1\r\n", r"GroundTruth\.txt:2: expected id, mean rating and sentence"),
    ("1_1\tlots\tFine.\r\n", r"GroundTruth\.txt:1: rating 'lots' is not a number"),
    ("\r\n\r\n", r"GroundTruth\.txt: no sentences \(the file is empty\)"),
])
def test_malformed_ground_truth(tmp_path, text, message):
    with pytest.raises(CorpusError, match=message):
        validation.read_nyt_sentences(_folder(tmp_path, ground_truth=text))


@pytest.mark.parametrize("text, message", [
    ("1_1\t0.5\t0.5\t[0, 1]\n1_2\t0\t0\t[0, 0, 0]\n", r"anonDataRatings\.txt:2: 3 ratings where the file's other"),
    ("1_1\t0.5\t0.5\t[0, one]\n", r"anonDataRatings\.txt:1: the ratings are not a list of numbers"),
    ("1_1\t0.5\t[0, 1]\n", r"anonDataRatings\.txt:1: expected id, mean, standard deviation"),
])
def test_malformed_ratings(tmp_path, text, message):
    with pytest.raises(CorpusError, match=message):
        validation.read_rater_ratings(_folder(tmp_path, ratings=text))


def test_missing_files(tmp_path):
    with pytest.raises(CorpusError, match=r"GroundTruth\.txt: (text )?file not found"):
        validation.read_nyt_sentences(tmp_path)
    with pytest.raises(CorpusError, match=r"anonDataRatings\.txt: (text )?file not found"):
        validation.read_rater_ratings(tmp_path)


def test_a_small_folder_end_to_end(tmp_path):
    folder = _folder(
        tmp_path,
        ground_truth="a\t2.0\tWhat a wonderful, happy day.\r\nb\t-2.0\tA terrible, awful failure.\r\n"
                     "c\t0.0\tThe meeting is on Tuesday.\r\n",
        ratings="a\t2\t0\t[2, 2]\r\nb\t-2\t0\t[-1, -3]\r\nc\t0\t0\t[1, -1]\r\n",
    )
    table = validation.validation_summary(folder=folder)
    value = dict(zip(table["measure"], table["value"]))
    assert table["n_sentences"].tolist() == [3] * 10
    assert value["three_class_agreement"] == 1.0  # clearly positive, clearly negative, no lexicon word
    # two raters: r1 = [2,-1,1] vs r2 = [2,-3,-1]; means 2/3 and -2/3; deviations [4/3,-5/3,1/3] · [8/3,-7/3,-1/3]
    # = (32 + 35 - 1)/9 = 66/9; norms² (16+25+1)/9 = 42/9 and (64+49+1)/9 = 114/9; r = 66/sqrt(42·114)
    assert value["one_rater_r"] == pytest.approx(66 / np.sqrt(42 * 114))
    # two columns: their mean correlation is that same r; Spearman–Brown for k = 2: 2r / (1 + r)
    r = 66 / np.sqrt(42 * 114)
    assert value["mean_rating_reliability"] == pytest.approx(2 * r / (1 + r))
    # human labels: a positive (2.0 ≥ 0.2), b negative, c neutral: each label once, so the majority agrees 1/3
    assert value["majority_label_agreement"] == pytest.approx(1 / 3)


def test_difference_caveat_names_the_largest_difference():
    differences = pd.DataFrame(
        [("A", "B", "all", -0.3, 0.01), ("A", "C", "authorial", 0.1, 0.5),
         ("B", "C", "all", float("nan"), float("nan"))],
        columns=["outlet_a", "outlet_b", "voice", "difference", "p_value"],
    )
    summary = pd.DataFrame({"measure": ["pearson_r", "one_rater_r"], "value": [0.5, 0.7], "n_sentences": [9, 9]})
    sentence = validation.difference_caveat(differences, summary)
    assert sentence.startswith("The largest difference in mean compound here is -0.30 (A − B) on a scale")
    assert "p = 0.01: unlikely under reshuffling (p < 0.05)" in sentence
    assert "editorial sentences at r = 0.50, where one person agrees with the others at r = 0.70" in sentence
    calm = validation.difference_caveat(differences.iloc[1:], summary)
    assert "+0.10 (A − C, authorial sentences)" in calm and "within what reshuffling" in calm
    assert validation.difference_caveat(differences.iloc[2:], summary).startswith("No outlet difference")
