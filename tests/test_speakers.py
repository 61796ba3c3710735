"""Speakers as entities, pronouns resolved by gender, and the attribution evaluation, on texts written for the tests."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import read_corpus
from analysis.attribution_eval import evaluate_attributions, overlap, quotation_text, speaker_matches
from analysis.cli import main
from analysis.lists import source_rules
from analysis.sources import UNCLASSIFIED, attributions, outlet_sources
from analysis.speakers import describe_speaker, document_entities
from tests.conftest import write_jsonl


def _attributions(tmp_path, text: str) -> pd.DataFrame:
    corpus = read_corpus(write_jsonl(tmp_path / "c.jsonl", [{"doc_id": "d", "text": text, "outlet": "A"}]))
    return attributions(corpus, source_rules(None))


@pytest.mark.parametrize("phrase, name, kind, gender", [
    ("Sen. Lindsey Graham", "Lindsey Graham", "person", ""),  # "Sen." says no gender; Lindsey is used for both
    ("Mr. Gowdy", "Gowdy", "person", "male"),
    ("Ms. Jane Rose", "Jane Rose", "person", "female"),
    ("Hillary Clinton", "Hillary Clinton", "person", "female"),  # from the first-name dictionary
    ("the city's police chief, Tom Reyes", "Tom Reyes", "person", "male"),
    ("White House national security spokesman John Kirby", "John Kirby", "person", "male"),
    ("U.S. State Department deputy spokesperson, Vedant Patel", "Vedant Patel", "person", ""),
    ("a White House spokeswoman", "White House spokeswoman", "person", "female"),
    ("Democratic lawmakers", "Democratic lawmakers", "group", ""),
    ("analysts", "analysts", "group", ""),
    ("The Washington Post", "Washington Post", "organisation", ""),
    ("North Korea", "North Korea", "organisation", ""),
])
def test_speaker_phrases_are_read_as_entities(phrase, name, kind, gender):
    speaker = describe_speaker(phrase)
    assert (speaker.name, speaker.kind, speaker.gender) == (name, kind, gender)


def test_short_references_and_same_outlet_names_are_one_entity():
    speakers = [describe_speaker(phrase) for phrase in (
        "Trey Gowdy", "Mr. Gowdy", "Gowdy", "the Washington Post", "The Post", "Russia's Defense Ministry",
        "the Russian Defense Ministry")]
    ids = [identifier for _, identifier in document_entities(speakers)]
    assert ids[:3] == ["person:trey-gowdy"] * 3
    assert ids[3] == ids[4] == "organisation:washington-post"
    assert ids[5] == ids[6]


def test_a_pronoun_never_crosses_gender(tmp_path):
    text = ("Title\n\nHillary Clinton arrived on Monday.\n\nMr. Tom Baker spoke first.\n\n"
            "“We will appeal,” she said.\n\n“So will we,” he said.\n")
    table = _attributions(tmp_path, text)
    assert list(zip(table["speaker"], table["entity"])) == [("she", "Hillary Clinton"), ("he", "Tom Baker")]


def test_a_pronoun_with_no_compatible_person_stays_a_pronoun(tmp_path):
    table = _attributions(tmp_path, "Title\n\nMr. Tom Baker spoke first.\n\n“We will appeal,” she said.\n")
    assert list(zip(table["source"], table["source_kind"])) == [("she", "pronoun")]


def test_a_surname_joins_the_full_name_said_earlier(tmp_path):
    text = ("Title\n\nMr. Trey Gowdy, the committee chairman, disagreed.\n\n"
            "“It is premature,” Gowdy said.\n")
    row = _attributions(tmp_path, text).iloc[0]
    assert (row["speaker"], row["entity"], row["source_id"]) == ("Gowdy", "Trey Gowdy", "person:trey-gowdy")


def test_a_quotation_going_on_after_its_tag_keeps_its_speaker(tmp_path):
    text = ("Title\n\nThe Senate met on Monday to debate the bill, which has been stalled for months.\n\n"
            "“We have the votes,” Graham told reporters. “And we will use them.”\n\n“Nobody should doubt it.”\n")
    table = _attributions(tmp_path, text)
    assert list(table["speaker"]) == ["Graham"] * 3
    assert list(table["verb"]) == ["told", "(continued)", "(continued)"]


def test_quote_verbs_count_only_next_to_a_quotation(tmp_path):
    text = ("Title\n\nRussia continues to be an ally.\n\nShoigu hailed the army as strong.\n\n"
            "“Nothing is decided,” Kamala Harris continued.\n\nShe went on to say the talks would resume.\n")
    table = _attributions(tmp_path, text)
    assert list(zip(table["speaker"], table["verb"])) == [("Kamala Harris", "continued")]


def test_without_a_category_list_speakers_are_unclassified_with_their_kind(tmp_path):
    table = _attributions(tmp_path, "Title\n\nDemocratic lawmakers said the plan was rushed.\n")
    assert list(zip(table["category"], table["source_kind"])) == [(UNCLASSIFIED, "group")]


def test_seed_outlets_count_their_sources_as_entities(seeds):
    # By reading: DW cites the state media (KCNA), Washington and NK News; Overt Operator the Russian Defense
    # Ministry (twice named), KCNA, China, the U.S., Pyongyang, Moscow and Vedant Patel; The National KCNA
    # (also "state media", "North Korean media"), Kim, Kang Sun Nam, analysts (and "one analyst"), Ankit Panda,
    # Anthony Rinna, John Kirby, the White House, North Korea and Russia.
    table = outlet_sources(seeds).set_index("outlet")
    assert table["n_entities"].to_dict() == {"DW": 3, "Overt Operator": 7, "The National": 10}


def test_overlap_and_speaker_matching():
    assert quotation_text("it was “a matter of days” in a speech") == "a matter of days"
    # 4 shared words of the longer text's 5.
    assert overlap("We will not stop now", "we will not stop") == pytest.approx(4 / 5)
    assert speaker_matches("Lindsey Graham", "person", "Graham", "Sen. Graham")
    assert not speaker_matches("Lindsey Graham", "person", "Joseph R. Biden Jr.", "Biden")
    assert speaker_matches("Joseph R. Biden Jr.", "person", "Joe Biden", "")
    assert speaker_matches("Democratic lawmakers", "group", "lawmakers", "")


def test_evaluate_attributions_counts_by_hand(tmp_path):
    text = ("Title\n\n“We have the votes,” Graham told reporters.\n\n"
            "“This is a sham,” said Democratic lawmakers.\n\n“Nobody asked us.”\n\nHe left at noon.\n\n"
            "“We are ready,” she said.\n")
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"doc_id": "d", "text": text, "outlet": "A"}])
    gold = pd.DataFrame([
        {"doc_id": "d", "quote": "We have the votes", "kind": "direct", "speaker": "Lindsey Graham",
         "speaker_kind": "person", "mention": "Graham"},
        {"doc_id": "d", "quote": "This is a sham", "kind": "direct", "speaker": "Democratic lawmakers",
         "speaker_kind": "group", "mention": "Democratic lawmakers"},
        {"doc_id": "d", "quote": "Nobody asked us", "kind": "direct", "speaker": "Democratic lawmakers",
         "speaker_kind": "group", "mention": ""},
        {"doc_id": "d", "quote": "We are ready", "kind": "direct", "speaker": "Jane Rose", "speaker_kind": "person",
         "mention": "she"},
        {"doc_id": "d", "quote": "the plan is late", "kind": "indirect", "speaker": "Jane Rose",
         "speaker_kind": "person", "mention": "she"},
    ])
    measures = evaluate_attributions(corpus, gold).set_index("measure")
    # The system finds 4 quotations ("Nobody asked us." continues the lawmakers' quotation); all 4 match a gold one.
    assert measures.loc["quotation_precision", ["numerator", "denominator"]].tolist() == [4, 4]
    assert measures.loc["quotation_recall", ["numerator", "denominator"]].tolist() == [4, 4]
    # Named persons: Graham (right) and Jane Rose, quoted as "she" with no woman named before: pronoun only.
    assert measures.loc["coverage", ["numerator", "denominator"]].tolist() == [2, 2]
    assert measures.loc["speaker_accuracy", ["numerator", "denominator"]].tolist() == [1, 2]
    assert measures.loc["group_speaker_accuracy", ["numerator", "denominator"]].tolist() == [2, 2]
    # 4 attributions with a speaker, one of them only "she".
    assert measures.loc["pronoun_only_share", "value"] == pytest.approx(0.25)


def test_sources_eval_cli(capsys, tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"doc_id": "d", "text": "T\n\n“Yes,” Graham said.\n", "outlet": "A"}])
    gold = tmp_path / "gold.csv"
    gold.write_text("doc_id,quote,kind,speaker,speaker_kind,mention\nd,Yes,direct,Lindsey Graham,person,Graham\n",
                    encoding="utf-8")
    assert main(["sources-eval", "--corpus", str(corpus), "--gold", str(gold), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "measure,value,numerator,denominator"
    assert "speaker_accuracy,1.0,1,1" in lines
    bad = tmp_path / "bad.csv"
    bad.write_text("doc_id,quote\nd,Yes\n", encoding="utf-8")
    assert main(["sources-eval", "--corpus", str(corpus), "--gold", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv:1: the gold table lacks the column 'kind'" in err and len(err.strip().splitlines()) == 1


def test_definite_descriptions_and_naming_verbs(tmp_path):
    text = ("Title\n\nA man who tricked eleven women was jailed for nine years on Monday at the crown court.\n\n"
            "Sentencing him, Judge Rachel Amiri said his crimes had been cruel.\n\n"
            "“You targeted women who were lonely,” the judge told him.\n\n"
            "Coastal Shipworks said it would hire 900 workers. “This secures the yard,” the company said.\n\n"
            "Mr. Ogunleye, reached by phone, called the accusation “fiction, and not very good fiction.”\n")
    table = _attributions(tmp_path, text)
    rows = list(zip(table["speaker"], table["source"]))
    assert ("the judge", "Rachel Amiri") in rows  # the name written after the role word earlier ("Judge Rachel Amiri")
    assert ("the company", "Coastal Shipworks") in rows  # the organisation quoted last
    assert ("Mr. Ogunleye", "Mr. Ogunleye") in rows and "called" in set(table["verb"])


def test_a_colon_introduction_without_a_speech_verb_and_its_paragraphs(tmp_path):
    text = ("Title\n\nThe fishing fleet in Port Kerran has been tied up for a week in protest at a quota cut.\n\n"
            "Skipper Fergus MacAuley, whose family has fished here for generations, put it bluntly:\n\n"
            "“If this goes through, there will be no fleet in five years.\n\n"
            "“Nobody in the capital seems to understand that.”\n")
    table = _attributions(tmp_path, text)
    assert list(table["entity"]) == ["Fergus MacAuley", "Fergus MacAuley"]
    assert list(table["verb"]) == [":", "(continued)"]
