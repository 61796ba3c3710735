"""Tone: VADER scores, voice, bootstrap intervals, permutation tests, events, actors, figures, CLI."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analysis import read_corpus, tone
from analysis.cli import main
from analysis.errors import AnalysisError, CorpusError
from analysis.style import save_figure
from tests.conftest import write_jsonl

FEW = 999  # resamples: enough for the checks, fast


@pytest.fixture(scope="module")
def tones(seeds):
    return tone.sentence_tone(seeds)


@pytest.fixture(scope="module")
def fresh_vader():
    """An analyser of our own, to check the package's scores by a second route."""
    return SentimentIntensityAnalyzer()


# Sentence scores ------------------------------------------------------------------------------------------------------


def test_compound_equals_vadersentiment_for_every_seed_sentence(seeds, tones, fresh_vader):
    assert len(tones) == 23 + 21 + 28  # sentences per article (README, read from the seeds)
    for text, neg, neu, pos, compound in zip(tones["scored_text"], tones["neg"], tones["neu"], tones["pos"],
                                             tones["compound"]):
        expected = fresh_vader.polarity_scores(text)  # VADER is given the text with names and titles masked
        assert (neg, neu, pos, compound) == (expected["neg"], expected["neu"], expected["pos"], expected["compound"])


def test_score_of_the_vadersentiment_readme_example():
    # vaderSentiment's README: "VADER is smart, handsome, and funny." -> neu 0.254, pos 0.746, compound 0.8316
    scores = tone.score_texts(["VADER is smart, handsome, and funny.", "The report is on the table."])
    assert scores.loc[0, ["neg", "neu", "pos", "compound"]].tolist() == [0.0, 0.254, 0.746, 0.8316]
    assert scores["label"].tolist() == ["positive", "neutral"]  # no lexicon word in the second: compound 0


def test_one_analyser_for_the_whole_run():
    assert tone.analyzer() is tone.analyzer()


def test_sentence_rows_carry_the_cli_columns(tones):
    for column in ("doc_id", "outlet", "sentence_id", "role", "voice", "text", "compound", "neg", "neu", "pos",
                   "label", "event", "position"):
        assert column in tones.columns
    assert tones["event"].unique().tolist() == ["shoigu-pyongyang-2023"]  # seeds/corpus.csv


@pytest.mark.parametrize("compound, label", [(0.05, "positive"), (0.0499, "neutral"), (-0.0499, "neutral"),
                                             (-0.05, "negative"), (0.9, "positive"), (-0.6, "negative")])
def test_labels_at_the_usual_thresholds(compound, label):
    assert tone.tone_label(compound) == label


def test_threshold_is_configurable_and_checked():
    # "VADER is smart, handsome, and funny." scores 0.8316: positive at 0.05, neutral at 0.9
    assert tone.score_texts(["VADER is smart, handsome, and funny."], threshold=0.9)["label"].tolist() == ["neutral"]
    with pytest.raises(AnalysisError, match="threshold must be at least 0 and below 1"):
        tone.score_texts(["x"], threshold=1.5)


# Voice: classified by reading the seeds ------------------------------------------------------------------------------

VOICES_BY_READING = [
    # (sentence_id, first words, voice, quotation style)
    ("dw-s001", "North Korea's Kim hosts", "authorial", "apostrophe only"),
    ("dw-s007", "North Korean state media (KCNA)", "mixed", 'straight "most powerful"'),
    ("dw-s020", "As the state media reports", "mixed", 'straight "Victory Day", "grand manner …"'),
    ("overt-operator-s001", "Russian and Chinese Delegations", "mixed", "single 'Victory Day' in the headline"),
    ("overt-operator-s005", "Both delegations are traveling", "mixed", "curly “Victory Day”"),
    ("overt-operator-s009", "“This visit will contribute", "quoted", "curly, the whole sentence"),
    ("overt-operator-s021", "“They also have a potential role", "quoted", "curly, closed by ”’"),
    ("the-national-s010", "Mr Kim “expressed his views", "mixed", "mismatched “…\" then the speaker tag"),
    ("the-national-s011", '"He repeatedly expressed', "mixed", 'straight, then "KCNA reported"'),
    ("the-national-s013", "Mr Kim led Mr Shoigu round", "authorial", "indirect speech, no marks"),
    ("the-national-s026", '"It’s been no secret', "mixed", "straight, apostrophe inside, then \"he said\""),
]


@pytest.mark.parametrize("sentence_id, start, voice, style", VOICES_BY_READING,
                         ids=[row[0] for row in VOICES_BY_READING])
def test_voice_of_seed_sentences_read_by_hand(tones, sentence_id, start, voice, style):
    row = tones.set_index("sentence_id").loc[sentence_id]
    assert row["text"].startswith(start)
    assert row["voice"] == voice, style


# Bootstrap and permutation ------------------------------------------------------------------------------------------


def test_bootstrap_interval_contains_the_mean_and_repeats_with_the_seed(tones):
    values = tones["compound"].to_numpy()
    low, high = tone.bootstrap_interval(values, seed=7, n_resamples=FEW)
    assert low < values.mean() < high
    assert tone.bootstrap_interval(values, seed=7, n_resamples=FEW) == (low, high)
    assert tone.bootstrap_interval(values, seed=8, n_resamples=FEW) != (low, high)


def test_bootstrap_interval_of_two_values_by_hand():
    # resampling [0, 1] gives means 0, 0.5, 1 with chances 1/4, 1/2, 1/4: the 2.5 % and 97.5 % points are 0 and 1
    assert tone.bootstrap_interval([0.0, 1.0], seed=1, n_resamples=FEW, min_n=2) == (0.0, 1.0)


def test_bootstrap_interval_with_too_little_spread():
    assert all(np.isnan(tone.bootstrap_interval([0.3], min_n=1)))
    assert tone.bootstrap_interval([0.128, 0.128], min_n=2) == (0.128, 0.128)


def test_permutation_test_on_identical_samples_finds_no_difference():
    # 5 + 5 values: C(10, 5) = 252 relabellings, fewer than FEW, so the test is exact and symmetric: p = 1
    sample = np.array([0.128, -0.599, 0.0, 0.402, -0.25])
    difference, p_value = tone.permutation_difference(sample, sample.copy(), seed=3, n_resamples=FEW)
    assert difference == 0.0
    assert p_value == 1.0


def test_permutation_test_exact_by_hand():
    # [0,0,0] vs [1,1,1]: of the C(6,3) = 20 relabellings only 2 give |difference| = 1, so p = 2/20
    difference, p_value = tone.permutation_difference([0, 0, 0], [1, 1, 1])
    assert difference == -1.0
    assert p_value == pytest.approx(0.1)
    assert all(np.isnan(tone.permutation_difference([], [1.0])))


# Aggregates ---------------------------------------------------------------------------------------------------------


def test_outlet_summary_counts_means_and_shares(seeds, tones, fresh_vader):
    summary = tone.tone_summary(seeds, "outlet", n_resamples=FEW)
    assert summary["outlet"].tolist() == ["DW", "Overt Operator", "The National"]
    assert summary["n_sentences"].tolist() == [23, 21, 28]
    for row in summary.itertuples(index=False):
        texts = seeds.sentences.loc[seeds.sentences["outlet"] == row.outlet, "text"]
        scores = [fresh_vader.polarity_scores(tone.scorer_text(text))["compound"] for text in texts]
        assert row.mean_compound == pytest.approx(np.mean(scores))
        assert row.n_positive == sum(score >= 0.05 for score in scores)
        assert row.n_negative == sum(score <= -0.05 for score in scores)
        assert row.n_positive + row.n_neutral + row.n_negative == row.n_sentences
        assert row.share_positive + row.share_neutral + row.share_negative == pytest.approx(1.0)
        assert row.ci_low < row.mean_compound < row.ci_high  # 21 to 28 sentences: an interval


def test_outlet_voice_table(tones):
    table = tone.outlet_voice_tone(tones, n_resamples=FEW)
    overt = table[table["outlet"] == "Overt Operator"].set_index("voice")
    # by reading: Overt Operator quotes two whole sentences (s009, s021) and has two mixed ones (s001, s005)
    assert overt.index.tolist() == ["authorial", "quoted", "mixed", "all"]
    assert overt["n_sentences"].tolist() == [17, 2, 2, 21]
    assert overt.loc["all", "mean_compound"] == pytest.approx(tones.loc[tones["outlet"] == "Overt Operator",
                                                                        "compound"].mean())


def test_role_and_document_groupings(tones):
    by_role = tone.tone_summary(tones, ["outlet", "role"], n_resamples=FEW)
    headlines = by_role[by_role["role"] == "headline"]
    assert headlines["n_sentences"].tolist() == [1, 1, 1]
    assert headlines["ci_low"].isna().all()  # one sentence: no interval
    by_document = tone.tone_summary(tones, "doc_id", n_resamples=FEW)
    assert by_document["doc_id"].tolist() == ["dw", "overt-operator", "the-national"]
    with pytest.raises(AnalysisError, match="cannot group tone by 'colour'"):
        tone.tone_summary(tones, "colour")


def test_outlet_differences_on_the_seeds(seeds, tones):
    table = tone.outlet_differences(seeds, n_resamples=FEW)
    assert list(zip(table["outlet_a"], table["outlet_b"])) == [
        ("DW", "Overt Operator"), ("DW", "The National"), ("Overt Operator", "The National")]
    assert table["n_a"].tolist() == [23, 23, 21]
    means = tones.groupby("outlet")["compound"].mean()
    assert table.loc[0, "difference"] == pytest.approx(means["DW"] - means["Overt Operator"])
    assert table["p_value"].between(0, 1).all()
    authorial = tone.outlet_differences(tones, voice="authorial", n_resamples=FEW)
    assert authorial["n_a"].tolist() == [20, 20, 17]
    with pytest.raises(AnalysisError, match="unknown voice 'shouted'"):
        tone.outlet_differences(tones, voice="shouted")


def test_comparisons_need_two_outlets(tmp_path, tones):
    path = write_jsonl(tmp_path / "one.jsonl", [{"text": "Title\n\nA fine day.", "outlet": "Solo"}])
    corpus = read_corpus(path)
    with pytest.raises(CorpusError, match="at least 2 outlets"):
        tone.outlet_differences(corpus)
    with pytest.raises(CorpusError, match="at least 2 outlets"):
        tone.paired_event_differences(tones[tones["outlet"] == "DW"])


def test_not_a_tone_table():
    with pytest.raises(AnalysisError, match="not a sentence-tone table: column 'compound' is missing"):
        tone.tone_summary(pd.DataFrame({"doc_id": [], "outlet": [], "sentence_id": [], "label": []}))


def _tone_rows(rows):
    """A sentence-tone table from (event, outlet, compound) rows."""
    return pd.DataFrame([
        {"doc_id": f"{event}-{outlet}", "outlet": outlet, "event": event, "sentence_id": f"s{index}",
         "voice": "authorial", "role": "body", "compound": compound, "label": tone.tone_label(compound)}
        for index, (event, outlet, compound) in enumerate(rows)
    ])


def test_paired_event_differences_by_hand():
    table = _tone_rows([
        ("e1", "A", 0.5), ("e1", "A", 0.3), ("e1", "B", 0.1),  # A − B = 0.4 − 0.1 = 0.3
        ("e2", "A", 0.2), ("e2", "B", 0.0),                    # 0.2
        ("e3", "A", 0.4), ("e3", "B", 0.0),                    # 0.4
        ("e4", "A", 0.9),                                      # B absent: not a pair
    ])
    paired = tone.paired_event_differences(table, n_resamples=FEW)
    row = paired.iloc[0]
    assert (row["outlet_a"], row["outlet_b"], row["n_events"]) == ("A", "B", 3)
    assert row["mean_difference"] == pytest.approx(0.3)
    # sign flips of (0.3, 0.2, 0.4): 8 equally likely; only all-plus reaches 0.9, so one-sided 1/8, two-sided 2/8
    assert row["p_value"] == pytest.approx(0.25)
    per_event = tone.event_tone(table, n_resamples=FEW)
    assert per_event[["event", "outlet", "n_sentences"]].values.tolist() == [
        ["e1", "A", 2], ["e1", "B", 1], ["e2", "A", 1], ["e2", "B", 1], ["e3", "A", 1], ["e3", "B", 1], ["e4", "A", 1]]


def test_one_shared_event_is_not_a_test(seeds):
    paired = tone.paired_event_differences(seeds, n_resamples=FEW)
    assert paired["n_events"].tolist() == [1, 1, 1]
    assert paired[["ci_low", "ci_high", "p_value"]].isna().all().all()


def test_no_event_column_gives_empty_event_tables():
    table = _tone_rows([("", "A", 0.5), ("", "B", 0.1)])
    assert tone.paired_event_differences(table).empty
    assert tone.event_tone(table).empty


# Actors -------------------------------------------------------------------------------------------------------------


def test_tone_toward_actors_read_by_hand(seeds, tones, fresh_vader):
    table = tone.actor_tone(seeds, n_resamples=FEW)
    pooled = table[table["voice"] == "all"].set_index(["group", "outlet"])
    # Analysts, read in The National: s015 "analysts said", s016 "One analyst", s017 Ankit Panda, s021 "analysts
    # said", s022 Anthony Rinna; DW and Overt Operator name none
    assert pooled.loc[("Analysts", "The National"), "n_sentences"] == 5
    assert pooled.loc[("Analysts", "DW"), "n_sentences"] == 0
    assert np.isnan(pooled.loc[("Analysts", "DW"), "mean_compound"])
    # United States in DW: s013 "according to Washington", s017 "a US soldier", s018 "US-South Korean drills"
    us_texts = tones.set_index("sentence_id").loc[["dw-s013", "dw-s017", "dw-s018"], "text"]
    expected = np.mean([fresh_vader.polarity_scores(text)["compound"] for text in us_texts])
    assert pooled.loc[("United States", "DW"), "n_sentences"] == 3
    assert pooled.loc[("United States", "DW"), "mean_compound"] == pytest.approx(expected)
    # Overt Operator s019 names "U.S. State Department" and "Vedant Patel": one sentence, counted once
    overt_us = pooled.loc[("United States", "Overt Operator"), "n_sentences"]
    assert overt_us == 3  # s016 "The U.S.", s017 "the U.S.", s019
    # per voice rows add up to the pooled row
    voiced = table[(table["voice"] != "all") & (table["group"] == "Russia") & (table["outlet"] == "The National")]
    assert voiced["n_sentences"].sum() == pooled.loc[("Russia", "The National"), "n_sentences"]


def test_actor_tone_from_a_table_needs_the_corpus(tones):
    with pytest.raises(AnalysisError, match="needs the corpus"):
        tone.actor_tone(tones)


# Extremes, sentences, figures -----------------------------------------------------------------------------------------


def test_extreme_sentences_are_the_maximum_and_minimum(tones):
    extremes = tone.extreme_sentences(tones, n=1)
    for outlet, group in tones.groupby("outlet"):
        rows = extremes[extremes["outlet"] == outlet].set_index("extreme")
        assert rows.loc["most positive", "compound"] == group["compound"].max()
        assert rows.loc["most negative", "compound"] == group["compound"].min()
        assert rows.loc["most positive", "text"] in set(group["text"])  # in full


def test_difference_sentence_reports_every_pair():
    nan = float("nan")
    table = pd.DataFrame([("A", "B", "all", 10, 12, 0.2, 0.1, 0.1, -0.05, 0.25, "", 0.3, 0.03, 0.0005),
                          ("A", "C", "all", 10, 9, 0.2, 0.25, -0.05, nan, nan, "no interval: 9 values, fewer than 10",
                           0.33, 0.4, 0.0016)],
                         columns=["outlet_a", "outlet_b", "voice", "n_a", "n_b", "mean_a", "mean_b", "difference",
                                  "ci_low", "ci_high", "interval_note", "detectable_difference", "p_value",
                                  "p_mc_error"])
    sentence = tone.difference_sentence(table)
    assert ("A − B: +0.10 (95 % interval [-0.05, +0.25]; smallest detectable 0.30; p = 0.03 ± 0.001; "
            "10 and 12 sentences)") in sentence
    assert ("A − C: -0.05 (no interval: 9 values, fewer than 10; smallest detectable 0.33; p = 0.40 ± 0.002"
            in sentence)
    assert ("So 1 of 2 pairs differ at p < 0.05; with these numbers of sentences only differences of about 0.30 "
            "to 0.33") in sentence


def test_figures_are_byte_identical_on_rerun(seeds, tones, tmp_path):
    by_voice = tone.outlet_voice_tone(tones, n_resamples=FEW)
    actors = tone.actor_tone(tones, corpus=seeds, n_resamples=FEW)
    makers = {
        "tone-by-outlet-and-voice": lambda: tone.plot_outlet_voice_tone(by_voice, "seed corpus"),
        "tone-along-articles": lambda: tone.plot_tone_along_articles(tones, "seed corpus"),
        "tone-toward-actors": lambda: tone.plot_actor_tone(actors, "seed corpus"),
    }
    for name, make in makers.items():
        first = save_figure(make(), name, tmp_path / "a")
        second = save_figure(make(), name, tmp_path / "b")
        for one, two in zip(first, second):
            assert one.read_bytes() == two.read_bytes(), one.name
    figure = tone.plot_outlet_voice_tone(by_voice, "seed corpus")
    assert figure.axes[0].get_title(loc="left").startswith("Mean sentence tone per outlet, by voice")
    labels = [text.get_text() for text in figure.axes[0].texts]
    assert "n=23" in labels and "n=2" in labels  # counts beside the means
    plt.close(figure)


# Command line -------------------------------------------------------------------------------------------------------


def test_cli_by_sentence_json(capsys):
    assert main(["tone", "--by", "sentence", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 72
    first = rows[0]
    assert {"doc_id", "outlet", "sentence_id", "role", "voice", "text", "compound", "neg", "neu", "pos"} <= set(first)
    assert first["text"] == "North Korea's Kim hosts Russia's Defense Minister Shoigu"


@pytest.mark.parametrize("by, first_column", [("outlet", "outlet"), ("document", "doc_id"), ("voice", "outlet"),
                                              ("role", "outlet"), ("actor", "group"), ("pairs", "outlet_a"),
                                              ("events", "outlet_a")])
def test_cli_groupings(capsys, by, first_column):
    assert main(["tone", "--by", by, "--format", "csv", "--resamples", "99"]) == 0
    assert capsys.readouterr().out.split(",", 1)[0] == first_column


def test_cli_errors_are_one_line(capsys, tmp_path):
    assert main(["tone", "--resamples", "0"]) == 2
    assert capsys.readouterr().err == ("error: python -m analysis tone: argument --resamples: 0 is out of range: "
                                       "give 1 to 100,000 (see --help)\n")
    assert main(["tone", "--threshold", "1"]) == 2
    assert capsys.readouterr().err.startswith("error: tone threshold must be at least 0 and below 1")
    one = write_jsonl(tmp_path / "one.jsonl", [{"text": "Title\n\nA fine day.", "outlet": "Solo"}])
    assert main(["tone", "--by", "pairs", "--corpus", str(one)]) == 2
    assert "at least 2 outlets" in capsys.readouterr().err
    assert main(["tone", "--by", "actor", "--actors", str(tmp_path / "missing.yaml")]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'missing.yaml'}: file not found\n"


def test_extreme_sentences_text_lists_each_sentence_in_full():
    import pandas as pd

    from analysis.tone import extreme_sentences_text

    table = pd.DataFrame([{"outlet": "DW", "extreme": "most negative", "rank": 1, "doc_id": "dw",
                           "sentence_id": "dw-s016", "role": "body", "voice": "authorial", "compound": -0.743,
                           "text": "Relations are at one of their lowest points."}])
    assert extreme_sentences_text(table) == (
        # The corpus's values are escaped for Markdown (tests/test_markup_safety.py): "-" and "." keep a backslash.
        "- **DW**, most negative #1 (dw\\-s016, body, authorial, compound -0.743): "
        "Relations are at one of their lowest points\\."
    )
