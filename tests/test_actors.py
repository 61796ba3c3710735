"""Actor lists: the default file, mentions found in the seeds, and every validation error with file and line."""

from __future__ import annotations

import pytest

from analysis import read_corpus
from analysis.actors import DEFAULT_ACTORS, actor_mentions, read_actors
from analysis.errors import RulesError
from tests.conftest import write_jsonl


@pytest.fixture(scope="module")
def mentions(seeds):
    return actor_mentions(seeds)


def test_default_actor_groups():
    actors = read_actors()
    assert actors.source == DEFAULT_ACTORS
    assert actors.names[:4] == ["Russia", "North Korea", "China", "United States"]
    for name in ("Analysts", "Wire agencies", "Other media"):
        assert name in actors.names
    table = actors.table()
    assert {"Shoigu", "Moscow"} <= set(table.loc[table["group"] == "Russia", "alias"])
    assert table["alias"].is_unique


def _matched(mentions, sentence_id, group):
    rows = mentions[(mentions["sentence_id"] == sentence_id) & (mentions["group"] == group)]
    return rows["matched"].tolist()


def test_mentions_read_in_the_seeds(mentions):
    # DW caption: "North Korean leader Kim Jong Un, front right, and Russian Defense Minister Sergei Shoigu"
    assert _matched(mentions, "dw-s003", "Russia") == ["Russian", "Sergei Shoigu"]
    # the full name wins over its last word, and a hyphenated spelling matches ("Kim Jong-un")
    assert "Kim Jong-un" in _matched(mentions, "the-national-s003", "North Korea")
    # a curly apostrophe does not hide the name: "North Korea’s KCNA news agency"
    assert _matched(mentions, "the-national-s010", "North Korea") == ["Kim", "North Korea’s", "KCNA"]
    # "U.S. State Department deputy spokesperson, Vedant Patel": three aliases of one group
    assert _matched(mentions, "overt-operator-s019", "United States") == ["U.S.", "State Department", "Vedant Patel"]
    # plural through inflection: "analysts said"
    assert _matched(mentions, "the-national-s021", "Analysts") == ["analysts"]
    # wire agencies only sign off DW's article, which is metadata, not text
    assert mentions[mentions["group"] == "Wire agencies"].empty


def test_caption_mentions_exactly(mentions):
    # read by hand: "In this photo provided by the North Korean government, North Korean leader Kim Jong Un, front
    # right, and Russian Defense Minister Sergei Shoigu, front left, visit an arms exhibition in Pyongyang".
    # The alias "the North" starts before "North Korean" in "the North Korean government", so it is the match there.
    assert _matched(mentions, "dw-s003", "North Korea") == ["the North", "North Korean", "Kim Jong Un", "Pyongyang"]


def test_offsets_point_into_the_sentence(seeds, mentions):
    text = dict(zip(seeds.sentences["sentence_id"], seeds.sentences["text"]))
    for row in mentions.itertuples(index=False):
        assert text[row.sentence_id][row.start:row.end] == row.matched


def test_acronym_us_is_not_the_pronoun(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [
        {"text": "Title\n\nLet us talk about the US and the U.S. economy.", "outlet": "A"},
    ])
    found = actor_mentions(read_corpus(path))
    assert found.loc[found["group"] == "United States", "matched"].tolist() == ["US", "U.S."]


def write(tmp_path, text):
    path = tmp_path / "actors.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_GROUP = "  - name: Russia\n    aliases: [Russia, Moscow]\n"


@pytest.mark.parametrize("text, message", [
    ("groups: [\n", r"actors\.yaml:\d+: invalid YAML"),
    ("- a\n- b\n", r"actors\.yaml: expected a mapping with a 'groups' list"),
    ("other: 1\n", r"actors\.yaml:1: expected a mapping with a 'groups' list"),
    ("groups: []\n", r"actors\.yaml:1: the 'groups' list is empty"),
    ("groups:\n  - Russia\n", r"actors\.yaml:1: group 1 is not a mapping"),
    ("groups:\n" + GOOD_GROUP + "  - name: China\n    aliases: [China]\n    colour: red\n",
     r"actors\.yaml:4: unknown key 'colour'"),
    ("groups:\n" + GOOD_GROUP + "  - aliases: [China]\n", r"actors\.yaml:4: group 2 has no 'name'"),
    ("groups:\n" + GOOD_GROUP + "  - name: Russia\n    aliases: [Kremlin]\n",
     r"actors\.yaml:4: duplicate group name 'Russia'"),
    ("groups:\n" + GOOD_GROUP + "  - name: China\n    aliases: []\n", r"actors\.yaml:4: group 'China' needs 'aliases'"),
    ("groups:\n" + GOOD_GROUP + "  - name: China\n", r"actors\.yaml:4: group 'China' needs 'aliases'"),
    ("groups:\n" + GOOD_GROUP + "  - name: China\n    aliases: [China, 12]\n",
     r"actors\.yaml:4: group 'China' has an alias that is not a non-empty text \(12\)"),
    ("groups:\n" + GOOD_GROUP + "  - name: China\n    aliases: ['...']\n",
     r"actors\.yaml:4: group 'China': alias '\.\.\.' has no words"),
    ("groups:\n" + GOOD_GROUP + "  - name: Kremlin\n    aliases: [MOSCOW]\n",
     r"actors\.yaml:4: alias 'MOSCOW' of group 'Kremlin' is already listed under 'Russia'"),
    ("groups:\n" + GOOD_GROUP + "  - name: China\n    aliases: [China]\n    note: [a, b]\n",
     r"actors\.yaml:4: group 'China': 'note' must be text"),
])
def test_actor_file_errors_name_file_and_line(tmp_path, text, message):
    with pytest.raises(RulesError, match=message):
        read_actors(write(tmp_path, text))


def test_missing_actor_file(tmp_path):
    with pytest.raises(RulesError, match=r"missing\.yaml: file not found"):
        read_actors(tmp_path / "missing.yaml")


def test_a_valid_custom_file(tmp_path, seeds):
    path = write(tmp_path, "groups:\n" + GOOD_GROUP + "  - name: Kim\n    note: the leader\n    aliases: [Kim]\n")
    actors = read_actors(path)
    assert actors.names == ["Russia", "Kim"]
    found = actor_mentions(seeds, path)
    # read in the seeds: "Kim" in DW s001, s003, s004, s006, s013, s016, s023 (7 sentences)
    assert sorted(set(found.loc[(found["group"] == "Kim") & (found["outlet"] == "DW"), "sentence_id"])) == [
        "dw-s001", "dw-s003", "dw-s004", "dw-s006", "dw-s013", "dw-s016", "dw-s023"]


def test_mentions_equal_a_search_of_each_sentence_for_each_group(seeds, monkeypatch):
    # actor_mentions searches many sentences at once; searching sentence by sentence, group by group (the
    # definition) must give the same rows, also when the sentences are searched a few at a time
    from analysis import framing
    from analysis.matching import find_spans

    actors = read_actors(DEFAULT_ACTORS)
    expected = []
    for row in seeds.sentences.itertuples(index=False):
        for group in actors.groups:
            for start, end in find_spans(group.pattern, row.text):
                expected.append((row.doc_id, row.outlet, row.sentence_id, group.name, start, end,
                                 row.text[start:end]))
    assert len(expected) > 100
    for batch_chars in (framing.MATCH_BATCH_CHARS, 200):
        monkeypatch.setattr(framing, "MATCH_BATCH_CHARS", batch_chars)
        assert list(actor_mentions(seeds, actors).itertuples(index=False, name=None)) == expected
