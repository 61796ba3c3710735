"""Framing terms on the seeds, counted by reading the three articles; overlaps, roles, positions, naming, plots, CLI."""

import json
import math

import pytest

from analysis.cli import main
from analysis.codebook import codebook_from_terms, read_codebook
from analysis.errors import CorpusError
from analysis.framing import (
    first_mentions,
    frame_cooccurrence,
    frame_counts,
    frame_counts_by_role,
    frame_matches,
    naming_choices,
    plot_first_mentions,
    plot_frame_rates,
    plot_naming_choices,
    term_counts,
)
from analysis.style import save_figure
from conftest import write_jsonl

OUTLETS = ["DW", "Overt Operator", "The National"]
WORDS = {"DW": 434, "Overt Operator": 408, "The National": 763}  # n_words of each article (test_cli)

# (frame, term) -> counts in DW, Overt Operator, The National, found by reading the seed texts.
HAND_COUNTS = {
    # DW: standfirst "70th anniversary of the armistice"? no: "Victory Day celebration" (body) and
    # "known as "Victory Day"" (body); OO: headline 'Victory Day' (single quotes), “Victory Day” (curly),
    # "the Victory Day events", "The 70th Victory Day anniversary"; National: "celebrated in the North as Victory Day".
    ("commemoration", "Victory Day"): [2, 4, 1],
    # DW standfirst, "70th anniversary of Victory Day", "70th anniversary of the Korean War armistice";
    # OO "70th anniversary of “Victory Day”" (not "70th Victory Day anniversary"); National standfirst and body.
    ("commemoration", "70th anniversary"): [3, 1, 2],
    ("commemoration", "armistice"): [2, 0, 1],
    # DW commemorating, commemorate, commemoration.
    ("commemoration", "commemorate/commemoration"): [3, 0, 0],
    # DW celebrating ("Victory Day celebration" is one mention, counted under its first term, Victory Day);
    # OO celebrate, celebrations; National celebrated.
    ("commemoration", "celebrate/celebration"): [1, 2, 1],
    # "banned ballistic missiles": DW body, National body; "ballistic missiles" inside them is the same span.
    ("legality", "banned … missiles"): [1, 0, 1],
    # OO "U.N. sanctions" (the other, "circumventing the sanctions", belongs to the longer term).
    ("legality", "sanction"): [0, 1, 0],
    ("legality", "circumventing … sanctions"): [0, 1, 0],
    ("legality", "unlawful"): [0, 1, 0],
    # National: "the North's ballistic missiles in transporter launchers" (the other is inside "banned …").
    ("military power", "ballistic missile"): [1, 0, 2],
    # DW "nuclear-capable missiles"; National headline "missile tour", "The missiles were banned",
    # "rockets and missiles".
    ("military power", "missile"): [1, 0, 3],
    # National: programme, capabilities, modernisation, status, law, nuclear-armed, weapons = 7;
    # "nuclear retaliation" is its own, longer term.
    ("military power", "nuclear"): [1, 1, 7],
    ("military power", "nuclear retaliation"): [0, 0, 1],
    ("alliance", "strategic and traditional"): [1, 0, 1],
    # OO standfirst "Military Ties" and "Russian-North Korean military ties" in the quoted statement.
    ("alliance", "military ties"): [0, 2, 0],
    # OO: "the pandemic and", "due to the pandemic" = 2; its third, "COVID-19 pandemic", lies inside the longer
    # "first public visit … since the onset of the COVID-19 pandemic". National: "coronavirus pandemic" is one
    # mention (adjacent), counted under its first term, coronavirus.
    ("isolation and reopening", "pandemic"): [0, 2, 0],
    # OO "daily COVID-19 cases" only (the other is inside the "first … visit" span above).
    ("isolation and reopening", "COVID-19"): [0, 1, 0],
    # DW "coronavirus blockade" (adjacent: one mention); National "coronavirus pandemic".
    ("isolation and reopening", "coronavirus"): [1, 0, 1],
    ("isolation and reopening", "blockade"): [0, 0, 0],
    # OO s004 only: The National's "the first visit by a Russian defence chief … since the fall of the Soviet
    # Union" names no pandemic, so it is not a reopening.
    ("isolation and reopening", "first … visit since the pandemic"): [0, 1, 0],
    ("war in Ukraine", "invasion of Ukraine"): [1, 0, 1],
    ("war in Ukraine", "war in Ukraine"): [0, 1, 2],
    ("war in Ukraine", "battle for justice"): [0, 0, 1],
    ("western voices", "White House"): [0, 0, 2],
    # OO: "The U.S.,", "with the U.S.,", "U.S. State Department" (adjacent: one mention under U.S.).
    ("western voices", "U.S."): [0, 3, 0],
    ("western voices", "State Department"): [0, 0, 0],
    # National: "rivalry with the US", "a show of force by the US"; not "the US-based Carnegie Endowment".
    ("western voices", "the US"): [0, 0, 2],
    # DW: "the state media", "North Korean state media (KCNA)", "the state media reports";
    # OO: "state media agency", "The state media"; National: "state media reported", "State media photographs".
    ("sourcing and access", "state media"): [3, 2, 2],
    # National: "KCNA news agency" is one mention under KCNA, so news agency counts only "The news agency did not".
    ("sourcing and access", "KCNA"): [1, 1, 4],
    ("sourcing and access", "news agency"): [0, 0, 1],
}


@pytest.fixture(scope="module")
def codebook():
    return read_codebook()


def counts_of(table, frame, term):
    rows = table[(table["frame"] == frame) & (table["term"] == term)]
    assert list(rows["outlet"]) == OUTLETS
    return list(rows["count"])


def test_hand_counted_terms_per_outlet(seeds, codebook):
    table = term_counts(seeds, codebook)
    assert len(HAND_COUNTS) >= 15
    for (frame, term), expected in HAND_COUNTS.items():
        assert counts_of(table, frame, term) == expected, (frame, term)


def test_rates_use_the_words_of_the_outlets_own_text(seeds, codebook):
    table = term_counts(seeds, codebook)
    rows = table[table["term"] == "Victory Day"]
    assert list(rows["n_words"]) == [434, 408, 763]
    # 2/434*1000, 4/408*1000, 1/763*1000
    assert list(rows["per_1k_words"]) == pytest.approx([4.608295, 9.803922, 1.310616])
    assert list(rows["n_documents"]) == [1, 1, 1]
    assert list(rows["doc_ids"]) == ["dw", "overt-operator", "the-national"]
    absent = table[(table["term"] == "hermetic state") & (table["outlet"] == "DW")].iloc[0]
    assert (absent["count"], absent["per_1k_words"], absent["n_documents"], absent["doc_ids"]) == (0, 0.0, 0, "")


def test_hyphen_spelling_and_curly_quotes_with_terms_given_on_the_command_line(seeds):
    codebook = codebook_from_terms(["Kim Jong Un", "defense", "defence", "battle for justice"])
    table = term_counts(seeds, codebook)
    assert set(table["frame"]) == {"custom"}
    # DW: two captions and two body sentences say "Kim Jong Un"; National: headline and body say "Kim Jong-un".
    assert counts_of(table, "custom", "Kim Jong Un") == [4, 0, 2]
    # DW: headline, caption, caption, body ("defense minister"), body ("Defense Minister", "defense exhibition");
    # OO: "Defense Minister", "Defense Ministry" twice. National: headline, body twice, "defence chief".
    assert counts_of(table, "custom", "defense") == [6, 3, 0]
    assert counts_of(table, "custom", "defence") == [0, 0, 4]
    assert counts_of(table, "custom", "battle for justice") == [0, 0, 1]


def test_overlapping_terms_of_one_frame_count_once_for_the_longest(tmp_path):
    from analysis import read_corpus

    path = write_jsonl(tmp_path / "c.jsonl", [
        {"doc_id": "a", "outlet": "A",
         "text": "Headline here\n\nThey showed banned ballistic missiles and more missiles."},
        {"doc_id": "b", "outlet": "B", "text": "Another headline\n\nNo such words at all."},
    ])
    corpus = read_corpus(path)
    codebook = codebook_from_terms(["ballistic missiles", "banned ballistic missiles", "missile"], "arms") \
        .with_terms(["ballistic missile"], "power")
    table = term_counts(corpus, codebook)
    a = table[table["outlet"] == "A"].set_index(["frame", "term"])["count"]
    # frame arms: "banned ballistic missiles" once (its two shorter readings are the same span), "missiles" once.
    assert a[("arms", "banned ballistic missiles")] == 1
    assert a[("arms", "ballistic missiles")] == 0
    assert a[("arms", "missile")] == 1
    # frame power is counted on its own: the same words count there too.
    assert a[("power", "ballistic missile")] == 1
    frames = frame_counts(corpus, codebook).set_index(["outlet", "frame"])["count"]
    assert (frames[("A", "arms")], frames[("A", "power")], frames[("B", "arms")]) == (2, 1, 0)


def test_frame_counts_carry_a_poisson_interval(seeds, codebook):
    table = frame_counts(seeds, codebook).set_index(["outlet", "frame"])
    row = table.loc[("Overt Operator", "legality")]
    # sanctions, circumventing the sanctions, unlawful: 3 matches in 3 sentences of 408 words.
    assert (row["count"], row["n_sentences"], row["n_documents"]) == (3, 3, 1)
    assert row["per_1k_words"] == pytest.approx(3 / 408 * 1000)
    # Exact Poisson 95 % interval for 3 events: 0.6187 to 8.7673 (standard table), per 408 words.
    assert row["ci_low"] == pytest.approx(0.6187 / 408 * 1000, rel=1e-3)
    assert row["ci_high"] == pytest.approx(8.7673 / 408 * 1000, rel=1e-3)


def test_headline_frames_are_visible_by_role(seeds, codebook):
    roles = frame_counts_by_role(seeds, codebook)
    headline = roles[(roles["role"] == "headline") & (roles["count"] > 0)]
    # OO headline: 'Victory Day'; National headline: "missile tour". DW's headline carries no frame term.
    assert sorted(zip(headline["outlet"], headline["frame"])) == [("Overt Operator", "commemoration"),
                                                                   ("The National", "military power")]
    assert set(headline["n_words"]) == {11}
    dw_roles = roles[(roles["outlet"] == "DW") & (roles["frame"] == "legality")]
    assert list(dw_roles["role"]) == ["headline", "standfirst", "caption", "subheading", "body"]


def test_first_mention_is_the_share_of_words_before_the_first_matching_word(seeds, codebook):
    first = first_mentions(seeds, codebook).set_index(["doc_id", "frame"])
    oo = first.loc[("overt-operator", "commemoration")]
    # "Russian and Chinese Delegations To Attend 'Victory Day'": 6 words before, of 408.
    assert oo["first_position"] == pytest.approx(6 / 408)
    assert (oo["first_role"], oo["first_match"], oo["count"]) == ("headline", "Victory Day", 8)
    national = first.loc[("the-national", "military power")]
    # Headline "North Korea's Kim Jong-un gives missile": 5 words before "missile".
    assert national["first_position"] == pytest.approx(5 / 763)
    dw = first.loc[("dw", "legality")]
    # DW sentence 6 starts after 8 + 24 + 31 + 18 + 34 = 115 words; "North Korean leader Kim Jong Un on Thursday
    # gave Russia's Defense Minister Sergei Shoigu a tour of a defense exhibition that featured" = 22 more.
    assert dw["first_position"] == pytest.approx((115 + 22) / 434)
    assert dw["first_sentence_id"] == "dw-s006"


def test_naming_choices_give_one_label_per_mention(seeds, codebook):
    naming = naming_choices(seeds, codebook).set_index(["outlet", "naming_set", "label"])
    leader = naming.xs("the leader", level="naming_set")
    # The National: Mr Kim 7 times (sentences 8, 9, 10, 13, 14, 19, 20), Kim Jong-un twice, bare "Kim" once
    # ("photographed with Kim"); DW: Kim Jong Un 4 times, bare "Kim" in the headline, "Kim ramping", "leader Kim's".
    assert list(leader.loc["The National", "count"]) == [0, 2, 7, 1]
    assert list(leader.loc["The National", "share"]) == pytest.approx([0, 0.2, 0.7, 0.1])
    assert list(leader.loc["DW", "count"]) == [4, 0, 0, 3]
    assert leader.loc["Overt Operator", "count"].sum() == 0
    assert all(math.isnan(share) for share in leader.loc["Overt Operator", "share"])
    occasion = naming.xs("the occasion", level="naming_set")
    # "Victory Day" DW 2, OO 4, National 1; "anniversary of the (Korean War) armistice" DW 2, National: "70th
    # anniversary of Korean War armistice" (standfirst); "end of the Korean War" National only.
    assert list(occasion.loc["DW", "count"]) == [2, 2, 0]
    assert list(occasion.loc["Overt Operator", "count"]) == [4, 0, 0]
    assert list(occasion.loc["The National", "count"]) == [1, 1, 1]
    country = naming.xs("the country", level="naming_set")
    # "the North" (not "the North Korea limited"): "the North's banned", "in the North as", "the North's ballistic",
    # "referring to the North"; "hermetic state" only in Overt Operator, "isolated nation" only in DW.
    assert country.loc[("The National", "the North"), "count"] == 4
    assert country.loc[("Overt Operator", "hermetic state"), "count"] == 1
    assert country.loc[("DW", "isolated nation"), "count"] == 1


def test_cooccurrence_counts_sentences_with_both_frames(tmp_path):
    from analysis import read_corpus

    path = write_jsonl(tmp_path / "c.jsonl", [
        {"doc_id": "a", "outlet": "A",
         "text": "Banned missiles on parade\n\nThe parade showed missiles. Sanctions bite."},
        {"doc_id": "b", "outlet": "B", "text": "A parade\n\nNothing else."},
    ])
    corpus = read_corpus(path)
    codebook = codebook_from_terms(["parade"], "commemoration").with_terms(["missile"], "power") \
        .with_terms(["sanction"], "legality")
    table = frame_cooccurrence(corpus, codebook).set_index(["outlet", "frame_a", "frame_b"])
    # A: sentence 1 (headline) and 2 carry parade and missiles; sentence 3 only sanctions.
    both = table.loc[("A", "commemoration", "power")]
    assert (both["n_sentences_both"], both["n_sentences_a"], both["n_sentences_b"], both["n_sentences"]) == (2, 2, 2, 3)
    assert both["jaccard"] == 1.0
    assert table.loc[("A", "commemoration", "legality"), "jaccard"] == 0.0
    assert math.isnan(table.loc[("B", "power", "legality"), "jaccard"])
    one_outlet = read_corpus(write_jsonl(tmp_path / "one.jsonl", [{"outlet": "A", "text": "A parade\n\nYes."}]))
    with pytest.raises(CorpusError, match="needs at least 2 outlets"):
        frame_cooccurrence(one_outlet, codebook)


def test_adding_a_term_to_the_codebook_file_changes_the_table(tmp_path, seeds):
    path = tmp_path / "codebook.yaml"
    base = "frames:\n  - name: occasion\n    description: The anniversary.\n    terms:\n      - Victory Day\n"
    path.write_text(base, encoding="utf-8")
    before = term_counts(seeds, read_codebook(path))
    path.write_text(base + "      - armistice\n", encoding="utf-8")
    after = term_counts(seeds, read_codebook(path))
    assert list(before["term"].unique()) == ["Victory Day"]
    assert counts_of(after, "occasion", "armistice") == [2, 0, 1]
    assert frame_counts(seeds, read_codebook(path))["count"].tolist() == [2 + 2, 4, 1 + 1]


def test_matches_show_the_words_as_printed(seeds, codebook):
    matches = frame_matches(seeds, codebook)
    victory = matches[(matches["term"] == "Victory Day") & (matches["doc_id"] == "overt-operator")]
    assert list(victory["match"]) == ["Victory Day"] * 4
    assert list(victory["role"]) == ["headline", "body", "body", "body"]
    banned = matches[matches["term"] == "banned … missiles"]
    assert list(banned["match"]) == ["banned ballistic missiles", "banned ballistic missiles"]


def test_figures_are_drawn_with_titles_and_saved_identically_twice(seeds, codebook, tmp_path):
    import matplotlib.pyplot as plt

    frames = frame_counts(seeds, codebook)
    heatmap = plot_frame_rates(frames, "seed corpus")
    # the heatmap writes the count and rate in each cell: DW commemoration 13 matches (the 14 terms found, with
    # "Victory Day celebration" one mention), 13/434*1000 = 29.95.
    assert "13\n(30.0)" in [text.get_text() for text in heatmap.axes[0].texts]
    first = save_figure(heatmap, "frame-rates-by-outlet", tmp_path / "one", formats=("svg",))[0].read_bytes()
    again = plot_frame_rates(frame_counts(seeds, codebook), "seed corpus")
    assert save_figure(again, "frame-rates-by-outlet", tmp_path / "two", formats=("svg",))[0].read_bytes() == first
    naming = plot_naming_choices(naming_choices(seeds, codebook), "seed corpus")
    assert [ax.get_title(loc="left") for ax in naming.axes] == [f"Naming {item.name}" for item in codebook.naming_sets]
    first_mention = plot_first_mentions(first_mentions(seeds, codebook), "seed corpus")
    assert first_mention.axes[0].get_xlabel().startswith("share of the article read before the first mention")
    plt.close("all")


def run(capsys, *args):
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_cli_terms_counts_terms_given_with_or_without_a_codebook(capsys):
    status, out, _ = run(capsys, "terms", "--no-codebook", "--term", "Victory Day", "--format", "json")
    assert status == 0
    rows = json.loads(out)
    assert [(row["outlet"], row["frame"], row["term"], row["count"]) for row in rows] == [
        ("DW", "custom", "Victory Day", 2), ("Overt Operator", "custom", "Victory Day", 4),
        ("The National", "custom", "Victory Day", 1)]
    assert rows[1]["per_1k_words"] == pytest.approx(4 / 408 * 1000)
    status, out, _ = run(capsys, "terms", "--term", "Mr Kim", "--format", "json")
    rows = json.loads(out)
    assert {row["frame"] for row in rows} >= {"commemoration", "custom"}
    assert [row["count"] for row in rows if row["term"] == "Mr Kim"] == [0, 0, 7]


def test_cli_terms_other_tables_and_errors(capsys, tmp_path):
    status, out, _ = run(capsys, "terms", "--table", "naming", "--format", "json")
    rows = json.loads(out)
    assert status == 0 and {"outlet", "naming_set", "label", "count", "share"} <= set(rows[0])
    bad = tmp_path / "bad.yaml"
    bad.write_text("frames:\n  - name: a\n    description: d\n    terms: [x]\n    colour: red\n", encoding="utf-8")
    status, out, err = run(capsys, "terms", "--codebook", str(bad))
    assert status == 2 and out == ""
    assert err == f"error: {bad}:5: unknown key 'colour' in a frame (allowed: name, description, terms, dimension)\n"
    assert run(capsys, "terms", "--no-codebook")[2] == "error: terms: --no-codebook needs at least one --term PHRASE\n"


def test_matches_are_the_same_when_the_sentence_forms_come_from_the_cache(seeds):
    from analysis import framing
    from analysis.codebook import read_codebook

    groups = [(frame.name, frame.terms) for frame in read_codebook().frames]
    framing._sentence_form.cache_clear()
    first = framing.find_group_matches(seeds, groups)
    assert framing._sentence_form.cache_info().misses == len(seeds.sentences)
    again = framing.find_group_matches(seeds, groups)
    assert framing._sentence_form.cache_info().hits == len(seeds.sentences)
    assert again.equals(first)


def test_matches_searched_across_documents_equal_each_documents_own(seeds, monkeypatch):
    # sentences of many documents are searched together; each match's position is still within its own
    # document: searching each document alone must give the same rows, also in small batches
    import pandas as pd

    from analysis import framing
    from analysis.codebook import read_codebook

    groups = [(frame.name, frame.terms) for frame in read_codebook().frames]
    sentences = seeds.sentences
    alone = pd.concat([framing.find_group_matches(framing._SentencesOnly(document, seeds.paragraphs), groups)
                       for _, document in sentences.groupby("doc_id", sort=False)], ignore_index=True)
    assert alone["doc_id"].nunique() == 3 and alone["position"].between(0, 1).all()
    for batch_chars in (framing.MATCH_BATCH_CHARS, 500):
        monkeypatch.setattr(framing, "MATCH_BATCH_CHARS", batch_chars)
        together = framing.find_group_matches(seeds, groups)
        pd.testing.assert_frame_equal(together, alone)
