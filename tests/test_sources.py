"""Sources: every attribution in the three seed articles, found by reading them, against the extractor."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import read_corpus
from analysis.cli import main
from analysis.errors import RulesError
from analysis.sources import (
    UNATTRIBUTED,
    UNMATCHED,
    attributions,
    category_mix,
    classify_speaker,
    first_sources,
    outlet_sources,
    plot_category_mix,
    plot_quoted_share,
    read_source_rules,
)
from tests.conftest import write_jsonl

NK, RU, CN, US, AN, MEDIA = "north-korea", "russia", "china", "united-states", "analysts", "other-media"

# Made by reading the three seed articles: (sentence_id, speaker as written, resolved source, kind, category).
# "direct" = at least half of the attributed words are inside quotation marks; "partial" = some, fewer than half
# (a quoted phrase inside reported speech: "hailed Pyongyang's military as the "most powerful""); "indirect" = none.
SEED_ATTRIBUTIONS = [
    # DW: state media, Washington and NK News; no direct quotation (only short quoted phrases).
    ("dw-s005", "the state media", "the state media", "indirect", NK),  # "…, reported the state media."
    ("dw-s007", "North Korean state media (KCNA)", "North Korean state media (KCNA)", "partial", NK),
    ("dw-s008", "It", "North Korean state media (KCNA)", "partial", NK),  # "It added that …": the previous subject
    ("dw-s013", "Washington", "Washington", "indirect", US),  # "according to Washington"
    ("dw-s020", "the state media", "the state media", "partial", NK),  # "As the state media reports, …"
    ("dw-s022", "Seoul-based website NK News", "Seoul-based website NK News", "indirect", MEDIA),
    # Overt Operator: two quotations introduced by a colon in the paragraph before.
    ("overt-operator-s004", "Russia's Defense Ministry", "Russia's Defense Ministry", "indirect", RU),
    ("overt-operator-s005", "state media agency KCNA", "state media agency KCNA", "partial", NK),  # as reported by
    # "noted in a statement:" then a paragraph that is one quotation:
    ("overt-operator-s009", "The Russian Defense Ministry", "The Russian Defense Ministry", "direct", RU),
    ("overt-operator-s013", "China", "China", "indirect", CN),  # "China stated its strict implementation …"
    ("overt-operator-s016", "The U.S.", "The U.S.", "indirect", US),  # "The U.S., in the meantime, has alleged"
    ("overt-operator-s016", "Pyongyang", "Pyongyang", "indirect", NK),  # "a claim both Pyongyang and Moscow dismiss"
    ("overt-operator-s016", "Moscow", "Moscow", "indirect", RU),
    ("overt-operator-s019", "U.S. State Department deputy spokesperson, Vedant Patel",
     "U.S. State Department deputy spokesperson, Vedant Patel", "indirect", US),
    # "He further added:" then a quotation closed by ”’ (a stray mark): He is Vedant Patel, the last person quoted.
    ("overt-operator-s021", "He", "U.S. State Department deputy spokesperson, Vedant Patel", "direct", US),
    # The National: KCNA, analysts, the White House; quotations opened with “ and closed with " (mismatched).
    ("the-national-s003", "state media", "state media", "indirect", NK),
    ("the-national-s008", "North Korean media", "North Korean media", "indirect", NK),
    ("the-national-s009", "Mr Kim", "Mr Kim", "partial", NK),  # "…, saying the visit had deepened …"
    # “…" closed by a straight mark:
    ("the-national-s010", "North Korea’s KCNA news agency", "North Korea’s KCNA news agency", "direct", NK),
    ("the-national-s011", "KCNA", "KCNA", "direct", NK),
    ("the-national-s012", "North Korea's Defence Minister Kang Sun Nam", "North Korea's Defence Minister Kang Sun Nam",
     "partial", NK),  # "was reported as saying"
    ("the-national-s013", "KCNA", "KCNA", "indirect", NK),
    ("the-national-s015", "analysts", "analysts", "indirect", AN),  # "what analysts said appeared to be"
    ("the-national-s016", "One analyst", "One analyst", "indirect", AN),
    ("the-national-s017", "Ankit Panda of the US-based Carnegie Endowment for International Peace",
     "Ankit Panda of the US-based Carnegie Endowment for International Peace", "direct", AN),  # "…," said X
    ("the-national-s018", "he", "Ankit Panda of the US-based Carnegie Endowment for International Peace", "direct", AN),
    ("the-national-s019", "North Korean media", "North Korean media", "indirect", NK),
    ("the-national-s020", "Mr Kim", "Mr Kim", "partial", NK),  # "was quoted as saying by KCNA": 7 of 18 words quoted
    ("the-national-s021", "analysts", "analysts", "indirect", AN),
    ("the-national-s022", "Anthony Rinna", "Anthony Rinna", "direct", AN),
    ("the-national-s024", "it", "North Korea", "indirect", NK),  # "This month, it threatened …, saying …"
    ("the-national-s025", "White House national security spokesman John Kirby",
     "White House national security spokesman John Kirby", "indirect", US),
    ("the-national-s026", "he", "White House national security spokesman John Kirby", "direct", US),
    ("the-national-s027", "The White House", "The White House", "indirect", US),
    ("the-national-s028", "North Korea", "North Korea", "indirect", NK),  # "North Korea and Russia deny …"
    ("the-national-s028", "Russia", "Russia", "indirect", RU),
]


def precision_recall(found: pd.DataFrame, expected: list[tuple]) -> tuple[float, float]:
    """Print and return precision and recall of ``found`` against ``expected`` (all five fields must agree)."""
    columns = ["sentence_id", "speaker", "source", "kind", "category"]
    found_set = list(found[columns].itertuples(index=False, name=None))
    true_positives = len(set(found_set) & set(expected))
    precision = true_positives / len(found_set) if found_set else 1.0
    recall = true_positives / len(expected) if expected else 1.0
    print(f"attributions: {len(found_set)} found, {len(expected)} expected, {true_positives} right; "
          f"precision {precision:.3f}, recall {recall:.3f}")
    for row in sorted(set(found_set) - set(expected)):
        print("  not expected:", row)
    for row in sorted(set(expected) - set(found_set)):
        print("  missed:", row)
    return precision, recall


@pytest.fixture(scope="module")
def seed_attributions(seeds):
    return attributions(seeds)


def test_precision_and_recall_on_the_seeds_are_one(seed_attributions):
    assert len(SEED_ATTRIBUTIONS) == 36  # 6 DW + 9 Overt Operator + 21 The National
    assert precision_recall(seed_attributions, SEED_ATTRIBUTIONS) == (1.0, 1.0)


def test_quotation_after_a_colon_is_the_text_of_the_tag_before(seed_attributions):
    rows = seed_attributions.set_index("sentence_id")
    ministry = rows.loc["overt-operator-s009"]
    assert ministry["verb"] == "noted"
    assert ministry["text"].startswith("This visit will contribute") and ministry["text"].endswith("two countries.")
    # 25 words, every one quoted (counted by hand: This visit will contribute to strengthening
    # Russian-North Korean military ties and will be an important stage in the development of
    # cooperation between the two countries).
    assert (ministry["n_words"], ministry["n_quoted_words"]) == (25, 25)
    patel = rows.loc["overt-operator-s021"]
    assert patel["text"].startswith("They also have a potential role") and patel["verb"] == "added"


def test_split_tag_texts_leave_the_speaker_out(seed_attributions):
    rows = seed_attributions.set_index(["sentence_id", "speaker"])
    assert rows.loc[("the-national-s022", "Anthony Rinna"), "text"].startswith('"While Russia has kept')
    assert "Sino-NK" not in rows.loc[("the-national-s022", "Anthony Rinna"), "text"]
    assert rows.loc[("dw-s013", "Washington"), "text"] == (
        "Kim Jong Un has shown unwavering support for Russia's invasion of Ukraine, "
        "allegedly providing weapons to Moscow")
    assert rows.loc[("overt-operator-s013", "China"), "text"] == (
        "its strict implementation of U.N. sanctions on North Korea")
    # The mismatched pair “…" of The National: 39 of the 41 attributed words are inside it ("Mr Kim" is not).
    kcna = rows.loc[("the-national-s010", "North Korea’s KCNA news agency")]
    assert (kcna["n_words"], kcna["n_quoted_words"]) == (41, 39)


def test_a_quotation_split_by_its_tag_keeps_both_halves(tmp_path):
    text = "Title\n\n“We will not stop,” the minister said, “and we will not apologise.”\n"
    corpus = read_corpus(write_jsonl(tmp_path / "c.jsonl", [{"text": text, "outlet": "A"}]))
    row = attributions(corpus).iloc[0]
    assert (row["speaker"], row["kind"], row["verb"]) == ("the minister", "direct", "said")
    assert row["text"] == "“We will not stop,” … “and we will not apologise.”"
    assert (row["n_words"], row["n_quoted_words"]) == (9, 9)


def test_unmatched_speakers_and_unattributed_quotes_are_kept(tmp_path):
    text = "Title\n\nGreta Lindqvist said the harbour would close.\n\n\"Nobody expected it.\"\n"
    corpus = read_corpus(write_jsonl(tmp_path / "c.jsonl", [{"text": text, "outlet": "A"}]))
    table = attributions(corpus)
    assert list(table["speaker"]) == ["Greta Lindqvist", ""]
    assert list(table["category"]) == [UNMATCHED, UNATTRIBUTED]
    assert list(table["kind"]) == ["indirect", "direct"]


def test_classify_prefers_people_then_longest_name():
    assert classify_speaker("Ankit Panda of the US-based Carnegie Endowment")[:2] == (AN, "Ankit Panda")
    assert classify_speaker("Russia's Defense Ministry")[:2] == (RU, "Russia's Defense Ministry")
    assert classify_speaker("the town council")[0] == UNMATCHED


def test_outlet_table_on_the_seeds(seeds, seed_attributions):
    table = outlet_sources(seeds, seed_attributions).set_index("outlet")
    assert list(table.index) == ["DW", "Overt Operator", "The National"]
    assert table["n_attributions"].to_dict() == {"DW": 6, "Overt Operator": 9, "The National": 21}
    assert table["n_direct"].to_dict() == {"DW": 0, "Overt Operator": 2, "The National": 6}
    # Quoted words, summed by hand from the sentences: DW 2 ("most powerful") + 3 ("strategic and traditional")
    # + 2 ("Victory Day") + 8 ("grand manner that will go down in history") = 15 of 434 words.
    assert table.loc["DW", "n_quoted_words"] == 15 and table.loc["DW", "n_words"] == 434
    assert table.loc["DW", "quoted_word_share"] == pytest.approx(15 / 434)
    # Overt Operator: 'Victory Day' (2) + “Victory Day” (2) + the ministry (25) + Patel (18) = 47 of 408.
    assert table.loc["Overt Operator", "n_quoted_words"] == 47
    assert table["first_source"].to_dict() == {
        "DW": "state media", "Overt Operator": "Russia's Defense Ministry", "The National": "state media"}
    # DW's distinct sources: state media, North Korean state media, Washington, NK News.
    assert table.loc["DW", "n_sources"] == 4
    assert table["n_unmatched"].sum() == 0


def test_category_mix_counts_and_shares(seeds, seed_attributions):
    mix = category_mix(seeds, seed_attributions).set_index(["outlet", "category"])
    assert mix.loc[("DW", NK), "n_attributions"] == 4 and mix.loc[("DW", NK), "share"] == pytest.approx(4 / 6)
    # The National: 11 North Korean (s003 s008 s009 s010 s011 s012 s013 s019 s020 s024 s028), 6 analysts,
    # 3 US (Kirby twice, the White House), 1 Russia (the denial): 21.
    assert mix.loc[("The National", NK), "n_attributions"] == 11
    assert mix.loc[("The National", AN), "n_attributions"] == 6
    assert mix.loc[("The National", US), "n_attributions"] == 3
    assert mix.loc[("The National", RU), "n_attributions"] == 1
    assert mix.loc[("Overt Operator", RU), "n_attributions"] == 3
    assert mix.groupby("outlet")["share"].sum().round(9).tolist() == [1.0, 1.0, 1.0]


def test_first_sources_per_document(seeds, seed_attributions):
    first = first_sources(seeds, seed_attributions)
    assert list(first["sentence_id"]) == ["dw-s005", "overt-operator-s004", "the-national-s003"]


def test_per_event_tables(tmp_path):
    records = [
        {"text": "T\n\nThe minister said taxes would rise.\n", "outlet": "A", "event": "e1"},
        {"text": "T\n\nTaxes will rise, according to Reuters.\n", "outlet": "B", "event": "e1"},
        {"text": "T\n\nAnalysts said rates would fall.\n", "outlet": "A", "event": "e2"},
    ]
    corpus = read_corpus(write_jsonl(tmp_path / "c.jsonl", records))
    table = outlet_sources(corpus, by_event=True)
    assert list(zip(table["event"], table["outlet"], table["n_attributions"])) == [
        ("e1", "A", 1), ("e1", "B", 1), ("e2", "A", 1)]
    mix = category_mix(corpus, by_event=True).set_index(["event", "outlet", "category"])
    assert mix.loc[("e1", "B", "wire-agencies"), "n_attributions"] == 1
    assert mix.loc[("e2", "A", AN), "n_attributions"] == 1


def test_figures_are_drawn(seeds, seed_attributions, tmp_path):
    figure = plot_category_mix(category_mix(seeds, seed_attributions), seeds)
    texts = [text.get_text() for text in figure.axes[0].texts]
    assert "11" in texts and "6" in texts  # The National's North Korean and analyst counts are printed
    figure = plot_quoted_share(outlet_sources(seeds, seed_attributions), seeds)
    assert "3.5% (15 of 434 words)" in [text.get_text() for text in figure.axes[0].texts]


@pytest.mark.parametrize("content, message", [
    ("- a\n", "expected a mapping"),
    ("verbs: said\ncategories: []\n", "'verbs' must be a list of words"),
    ("verbs: []\ncategories: []\n", "'verbs' must list at least one speech verb"),
    ("verbs: [said]\n", "'categories' must be a non-empty list"),
    ("verbs: [said]\ncategories:\n  - label: x\n    names: [a]\n", r"x\.yaml:3: category without an 'id'"),
    ("verbs: [said]\ncategories:\n  - id: a\n    names: [a]\n  - id: a\n    names: [b]\n", "used twice"),
    ("verbs: [said]\ncategories:\n  - id: unmatched\n    names: [a]\n", "reserved"),
    ("verbs: [said]\ncategories:\n  - id: a\n    nmes: [a]\n", "unknown key 'nmes'"),
    ("verbs: [said]\ncategories:\n  - id: a\n    names: a\n", "'names' of category 'a' must be a list"),
    ("verbs: [said]\ncategories:\n  - id: a\n", "lists no names or people"),
    ("verbs: [said]\ncategories:\n  - id: a\n    label: [x]\n    names: [a]\n", "label of 'a' must be text"),
    ("verbs: [said]\ncategories:\n  - x\n", "each category must be a mapping"),
    ("verbs: [said\n", "invalid YAML"),
])
def test_bad_source_rules_name_the_file_and_line(tmp_path, content, message):
    path = tmp_path / "x.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RulesError, match=message):
        read_source_rules(path)


def test_cli_sources(capsys, tmp_path):
    assert main(["sources", "--by", "outlet", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("outlet,n_documents,n_attributions")
    assert lines[1].startswith("DW,1,6,0,3,3")  # DW: 3 indirect, 3 partial (s007, s008, s020 quote phrases)
    assert main(["sources", "--format", "json"]) == 0
    assert '"speaker": "Vedant Patel"' not in capsys.readouterr().out  # speakers are as written
    assert main(["sources", "--sources", str(tmp_path / "missing.yaml")]) == 2
    assert "missing.yaml: file not found" in capsys.readouterr().err
    assert main(["sources", "--by", "speaker"]) == 2
