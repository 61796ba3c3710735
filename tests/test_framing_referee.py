"""Framing counts a referee accepts: adjacent matches once, own voice vs quotations, sentences, ties, one-term rankings.

Inline corpora are counted by hand in the comments; seed values are counted from the three seed texts.
"""

import math

import pytest

from analysis import read_corpus
from analysis.codebook import codebook_from_terms, read_codebook
from analysis.errors import RulesError
from analysis.framing import (
    frame_counts,
    frame_definitions,
    frame_matches,
    frame_ranking,
    framing_summary,
    leave_one_term_out,
    naming_choices,
    term_counts,
    voice_shares,
)
from conftest import write_jsonl


@pytest.fixture(scope="module")
def codebook():
    return read_codebook()


def corpus_of(tmp_path, *texts):
    records = [{"doc_id": f"d{index}", "outlet": outlet, "text": text} for index, (outlet, text) in enumerate(texts)]
    return read_corpus(write_jsonl(tmp_path / "c.jsonl", records))


# 1. Adjacency -------------------------------------------------------------------------------------------------------

def test_adjacent_matches_of_one_frame_count_once_under_the_first_term(tmp_path):
    corpus = corpus_of(tmp_path, ("A", "Headline here\n\nThe COVID-19 pandemic shut it. The KCNA news agency "
                                        "said so. KCNA, the news agency, said so. A pandemic-COVID-19 wave came."))
    codebook = codebook_from_terms(["COVID-19", "pandemic"], "isolation").with_terms(["KCNA", "news agency"], "source")
    matches = frame_matches(corpus, codebook)
    # Sentence 2: "COVID-19 pandemic" (a space between) = 1; sentence 3: "KCNA news agency" = 1; sentence 4:
    # "KCNA, the news agency" (a comma and a word between) = 2; sentence 5: "pandemic-COVID-19" (a hyphen) = 1.
    isolation = matches[matches["frame"] == "isolation"]
    assert list(isolation["match"]) == ["COVID-19 pandemic", "pandemic-COVID-19"]
    assert list(isolation["term"]) == ["COVID-19", "pandemic"]
    assert list(isolation["n_merged"]) == [2, 2]
    source = matches[matches["frame"] == "source"]
    assert list(source["match"]) == ["KCNA news agency", "KCNA", "news agency"]
    counts = frame_counts(corpus, codebook).set_index("frame")
    assert counts.loc["isolation", "count"] == 1 + 1
    assert counts.loc["source", "count"] == 1 + 2


def test_matches_of_different_frames_are_not_merged(tmp_path):
    corpus = corpus_of(tmp_path, ("A", "Headline here\n\nThe COVID-19 pandemic shut it."))
    codebook = codebook_from_terms(["COVID-19"], "one").with_terms(["pandemic"], "two")
    assert frame_counts(corpus, codebook)["count"].tolist() == [1, 1]


def test_seed_covid_pandemic_counts_once(seeds, codebook):
    terms = term_counts(seeds, codebook).set_index(["outlet", "frame", "term"])
    # The National s007 "since the coronavirus pandemic": one mention, under coronavirus; pandemic 0.
    assert terms.loc[("The National", "isolation and reopening", "coronavirus"), "count"] == 1
    assert terms.loc[("The National", "isolation and reopening", "pandemic"), "count"] == 0
    # "North Korea’s KCNA news agency reported" (s010): one mention under KCNA; news agency only s012's.
    assert terms.loc[("The National", "sourcing and access", "news agency"), "count"] == 1


# 2. Own voice and quotations ----------------------------------------------------------------------------------------

def test_matches_inside_quotation_marks_are_counted_apart(tmp_path):
    corpus = corpus_of(tmp_path, ("A", 'Missiles shown\n\nHe said: "The missiles are ready, the missiles fly." '
                                        'The missiles were old. “A missile,” she said.'))
    codebook = codebook_from_terms(["missile"], "power")
    row = frame_counts(corpus, codebook).iloc[0]
    # Own voice: headline "Missiles", "The missiles were old" = 2; quoted: two in the first quotation, one in
    # the curly one = 3; 2 + 3 = 5.
    assert (row["count"], row["n_matches_own_voice"], row["n_matches_quoted"]) == (5, 2, 3)
    assert row["share_quoted"] == pytest.approx(3 / 5)


def test_seed_shares_of_matches_inside_quotations(seeds, codebook):
    shares = voice_shares(frame_counts(seeds, codebook)).set_index("outlet")
    # Quoted matches, read in the texts. DW: "most powerful", "strategic and traditional", known as "Victory Day" = 3.
    # Overt Operator: 'Victory Day' (headline), “Victory Day”, and the Ministry's quoted statement: "military ties",
    # "cooperation" = 4. The National: "strategic and traditional", "battle for justice", Panda's "nuclear
    # capabilities" and "nuclear modernisation", "DPRK-China friendship", Wood's "co-operation", "violate
    # sanctions", "nuclear status", Blinken's "war in Ukraine" = 9.
    assert list(shares["n_matches_quoted"]) == [3, 4, 9]
    # All matches: the sums of each outlet's frame counts (DW 13+1+7+4+2+2+1+6 = 36, OO 8+3+1+4+7+2+3+3 = 31,
    # The National 5+4+17+5+2+8+4+9 = 54).
    assert list(shares["n_matches"]) == [36, 31, 54]
    assert list(shares["share_quoted"]) == pytest.approx([3 / 36, 4 / 31, 9 / 54])  # 8 %, 13 %, 17 %


# 3. Sentences with the frame ----------------------------------------------------------------------------------------

def test_sentences_with_a_frame_beside_its_matches(tmp_path):
    corpus = corpus_of(tmp_path, ("A", "A parade\n\nA parade and a parade. Nothing. Parade day."))
    row = frame_counts(corpus, codebook_from_terms(["parade"], "c")).iloc[0]
    # 4 matches in 3 of 4 sentences (headline, sentence 2 twice, sentence 4).
    assert (row["count"], row["n_sentences"], row["n_outlet_sentences"]) == (4, 3, 4)
    assert row["share_of_sentences"] == pytest.approx(3 / 4)


# 4. Ties ------------------------------------------------------------------------------------------------------------

def test_frames_within_one_match_or_as_many_sentences_are_tied(tmp_path):
    corpus = corpus_of(
        tmp_path,
        # Commas keep the repeated words from being adjacent (one mention).
        ("A", "Parade, parade\n\nA parade. Missiles. Missiles. Sanctions."),  # c 3 in 2 sentences, p 2 in 2
        ("B", "Parade, parade, parade\n\nA parade. Missiles. Missiles. Sanctions."),  # c 4 in 2, p 2 in 2
        ("C", "Parade, parade\n\nA parade, a parade. Parade day. Missiles. Sanctions."),  # c 5 in 3, p 1 in 1
    )
    codebook = codebook_from_terms(["parade"], "c").with_terms(["missile"], "p").with_terms(["sanction"], "l")
    ranking = frame_ranking(frame_counts(corpus, codebook)).set_index("outlet")
    # A: 3 − 2 = 1 ≤ 1 (l: 3 − 1 = 2 and 1 sentence < 2, not tied).
    assert ranking.loc["A", "leading"] == "c, tied with p"
    assert ranking.loc["B", "leading"] == "c, tied with p"  # 4 − 2 = 2 matches, but p's 2 sentences ≥ c's 2
    assert ranking.loc["C", "leading"] == "c"  # 5 − 1 = 4 and 1 sentence < 3
    assert (ranking.loc["C", "runner_up"], ranking.loc["C", "runner_up_count"]) == ("p", 1)
    assert ranking.loc["A", "tied_with"] == "p"


def test_seed_overt_operator_has_no_single_leading_frame(seeds, codebook):
    frames = frame_counts(seeds, codebook)
    oo = frames[frames["outlet"] == "Overt Operator"].set_index("frame")
    # Commemoration: s001 Victory Day; s005 celebrate, 70th anniversary, Victory Day; s007 Victory Day; s012 Victory
    # Day, celebrations, military parade = 8 matches in 4 sentences. Isolation: s003 pandemic; s004 "first public
    # visit … since the onset of the COVID-19 pandemic" (one span); s010 shut its borders, pandemic; s015 hermetic
    # state, COVID-19, border was sealed = 7 matches in 4 sentences.
    assert (oo.loc["commemoration", "count"], oo.loc["commemoration", "n_sentences"]) == (8, 4)
    assert (oo.loc["isolation and reopening", "count"], oo.loc["isolation and reopening", "n_sentences"]) == (7, 4)
    ranking = frame_ranking(frames).set_index("outlet")
    assert ranking.loc["Overt Operator", "leading"] == "commemoration, tied with isolation and reopening"
    assert ranking.loc["DW", "leading"] == "commemoration"
    assert ranking.loc["The National", "leading"] == "military power"
    summary = framing_summary(frames)
    assert "**Overt Operator**: no single leading frame" in summary
    assert "*isolation and reopening* (7 matches in 4 of 21 sentences)" in summary


# 5. Leave one term out ----------------------------------------------------------------------------------------------

def test_leave_one_term_out_shows_rankings_resting_on_one_term(tmp_path):
    corpus = corpus_of(tmp_path, ("A", "Parade, parade\n\nVictory Day. Missiles and missiles. Sanctions."))
    codebook = codebook_from_terms(["parade", "Victory Day"], "c").with_terms(["missile"], "p") \
        .with_terms(["sanction"], "l")
    table = leave_one_term_out(corpus, codebook).set_index("term")
    # With every term: c = 2 + 1 = 3, p = 2, l = 1: top c. Without parade: c = 1 < p = 2, top p. Without
    # Victory Day: c = 2 = p: a tie. Without missile: p = 0, top still c. Without sanction: top still c.
    assert list(table.index) == ["parade", "Victory Day", "missile", "sanction"]
    assert list(table["top_frame_without"]) == ["p", "c = p", "c", "c"]
    assert list(table["changes"]) == [True, True, False, False]
    assert list(table["count_without"]) == [1, 2, 0, 0]


def test_seed_overt_operator_ranking_rests_on_single_commemoration_terms(seeds, codebook):
    table = leave_one_term_out(seeds, codebook)
    oo = table[(table["outlet"] == "Overt Operator") & table["changes"]].set_index("term")
    # 8 vs 7: dropping Victory Day (8 − 4 = 4), 70th anniversary (8 − 1 = 7: a tie) or celebrate (8 − 2 = 6)
    # changes the top frame. Without "military parade" its span still counts, under "parade": no row.
    assert sorted(oo.index) == ["70th anniversary", "Victory Day", "celebrate/celebration"]
    assert list(oo.loc[["Victory Day", "70th anniversary"], "top_frame_without"]) == [
        "isolation and reopening", "commemoration = isolation and reopening"]
    assert not table[table["outlet"] != "Overt Operator"]["changes"].any()


# 6. Codebook fixes --------------------------------------------------------------------------------------------------

def test_seed_codebook_fixes(seeds, codebook):
    terms = term_counts(seeds, codebook)
    assert "imperialists" not in set(terms["term"])
    western = terms[(terms["frame"] == "western voices") & (terms["term"] == "the US")]
    # National: "rivalry with the US" (s005), "a show of force by the US" (s024); "the US-based Carnegie" is not.
    assert list(western["count"]) == [0, 0, 2]
    first = terms[terms["term"] == "first … visit since the pandemic"]
    # OO s004 only; The National s006 "first visit by a Russian defence chief … since the fall of the Soviet Union".
    assert list(first["count"]) == [0, 1, 0]
    naming = naming_choices(seeds, codebook).set_index(["outlet", "naming_set", "label"])
    # City: DW "arrived in Pyongyang", "arms exhibition in Pyongyang"; OO "“Victory Day” in Pyongyang", "the
    # capital, Pyongyang"; National "delegations to Pyongyang" = 2 / 2 / 1 (5 of 13). State: DW 7 − 2 = 5,
    # OO 5 − 2 = 3, National 1 − 1 = 0.
    assert [naming.loc[(outlet, "Pyongyang", "the city"), "count"] for outlet in ("DW", "Overt Operator",
                                                                                  "The National")] == [2, 2, 1]
    assert [naming.loc[(outlet, "Pyongyang", "the state"), "count"] for outlet in ("DW", "Overt Operator",
                                                                                   "The National")] == [5, 3, 0]
    assert "Pyongyang" not in set(naming.xs("the country", level="naming_set").index.get_level_values("label"))


def test_a_us_adjective_before_a_hyphen_is_not_a_western_voice(tmp_path, codebook):
    corpus = corpus_of(tmp_path, ("A", "Headline here\n\nThe US-based group spoke. Then the US spoke. All of us "
                                        "left the US–China talks."))
    terms = term_counts(corpus, codebook)
    row = terms[terms["term"] == "the US"].iloc[0]
    assert row["count"] == 1  # only "Then the US spoke": not US-based, not "us", not "US–China" (a dash)


# 7. Frame dimensions ------------------------------------------------------------------------------------------------

def test_every_seed_frame_has_a_dimension_from_the_fixed_lists(codebook):
    definitions = frame_definitions(codebook).set_index("frame")
    assert definitions.loc["legality", "dimension"] == "legality, constitutionality and jurisprudence"
    assert definitions.loc["legality", "scheme"] == "Policy Frames Codebook"
    assert (definitions["dimension"] != "").all()


def test_dimension_from_either_scheme_and_an_unknown_one_names_file_and_line(tmp_path):
    path = tmp_path / "codebook.yaml"
    path.write_text("frames:\n  - name: a\n    description: d\n    dimension: Conflict\n    terms: [x]\n"
                    "  - name: b\n    description: d\n    dimension: morality\n    terms: [y]\n"
                    "  - name: c\n    description: d\n    terms: [z]\n", encoding="utf-8")
    definitions = frame_definitions(read_codebook(path)).set_index("frame")
    assert list(definitions["dimension"]) == ["conflict", "morality", ""]
    assert list(definitions["scheme"]) == ["generic frame", "Policy Frames Codebook and generic frame", ""]
    path.write_text("frames:\n  - name: a\n    description: d\n    dimension: warfare\n    terms: [x]\n",
                    encoding="utf-8")
    with pytest.raises(RulesError, match=rf"^{path}:4: unknown dimension 'warfare' for frame 'a'"):
        read_codebook(path)


def test_no_match_gives_nan_shares(tmp_path):
    corpus = corpus_of(tmp_path, ("A", "Headline here\n\nNothing at all."))
    row = frame_counts(corpus, codebook_from_terms(["parade"], "c")).iloc[0]
    assert (row["count"], row["n_matches_quoted"], row["n_sentences"]) == (0, 0, 0)
    assert math.isnan(row["share_quoted"])


# The command line ---------------------------------------------------------------------------------------------------

def test_cli_shows_ranking_voice_leave_one_out_and_definitions(capsys):
    import json

    from analysis.cli import main

    def rows_of(table):
        assert main(["terms", "--table", table, "--format", "json"]) == 0
        return json.loads(capsys.readouterr().out)

    assert [row["leading"] for row in rows_of("ranking")] == [
        "commemoration", "commemoration, tied with isolation and reopening", "military power"]
    assert [row["n_matches_quoted"] for row in rows_of("voice")] == [3, 4, 9]  # counted above
    assert {row["outlet"] for row in rows_of("leave-one-out") if row["changes"]} == {"Overt Operator"}
    assert len(rows_of("definitions")) == 8


def test_leave_one_term_out_sentence(seeds, codebook):
    from analysis.framing import leave_one_term_out_summary

    sentence = leave_one_term_out_summary(leave_one_term_out(seeds, codebook), seeds.outlets)
    # Only Overt Operator (see above), by any one of its three commemoration terms.
    assert sentence == ("The top frame of 1 of 3 outlets changes when one term is removed: **Overt Operator**, by "
                        "removing any one of Victory Day, 70th anniversary and celebrate\\/celebration.")


def test_leave_one_term_out_counts_equal_a_full_recount_without_the_term(seeds, codebook):
    from dataclasses import replace

    from analysis.codebook import Codebook

    table = leave_one_term_out(seeds, codebook)
    for (frame_name, label), rows in table.groupby(["frame", "term"], sort=False):
        frames = tuple(replace(frame, terms=tuple(term for term in frame.terms if term.label != label))
                       if frame.name == frame_name else frame for frame in codebook.frames)
        recount = frame_counts(seeds, Codebook(frames)).set_index(["outlet", "frame"])
        for row in rows.itertuples(index=False):
            assert recount.loc[(row.outlet, frame_name), "count"] == row.count_without, (row.outlet, label)
