"""Codebooks: the study's codebook reads, every format error names file and line, --term phrases add a frame."""

import re
import textwrap

import pytest

from analysis.codebook import (
    CUSTOM_FRAME,
    DEFAULT_CODEBOOK,
    codebook_from_terms,
    phrase_pattern,
    read_codebook,
)
from analysis.errors import RulesError
from analysis.matching import find_spans


def write(tmp_path, text: str):
    path = tmp_path / "codebook.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def error_of(tmp_path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(RulesError) as caught:
        read_codebook(path)
    message = str(caught.value)
    assert "\n" not in message
    return message.replace(str(path), "FILE")


VALID = """
frames:
  - name: legality
    description: What the law forbids.
    terms:
      - banned … missiles
      - phrase: sanction
        max_gap: 0
      - regex: "unlawful(ly)?"
        label: unlawful
naming_sets:
  - name: the spelling
    description: American or British.
    labels:
      - defense
      - label: defence
        terms: [defence]
"""


def test_the_study_codebook_defines_every_frame_and_naming_set():
    codebook = read_codebook()
    assert codebook.source == str(DEFAULT_CODEBOOK)
    assert len(codebook.frames) >= 6
    for frame in codebook.frames:
        assert frame.description and "\n" not in frame.description, frame.name
        assert frame.terms, frame.name
    assert {naming.name for naming in codebook.naming_sets} >= {"the occasion", "the country", "the war",
                                                                 "the leader", "the ministry spelling"}
    assert all(len(naming.labels) >= 2 for naming in codebook.naming_sets)


def test_a_small_codebook_reads_with_its_term_kinds_and_sources(tmp_path):
    codebook = read_codebook(write(tmp_path, VALID))
    (frame,) = codebook.frames
    assert [term.label for term in frame.terms] == ["banned … missiles", "sanction", "unlawful"]
    assert [term.kind for term in frame.terms] == ["phrase", "phrase", "regex"]
    # The terms start on lines 5, 6 and 8 of the file written above.
    assert [term.source.rsplit(":", 1)[1] for term in frame.terms] == ["5", "6", "8"]
    assert [label.label for label in codebook.naming_sets[0].labels] == ["defense", "defence"]


def test_bad_yaml_names_file_and_line(tmp_path):
    message = error_of(tmp_path, """
        frames:
          - name: legality
            description: [unclosed
        """)
    assert re.match(r"FILE:\d+: invalid YAML", message), message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("frames: []\nactors: [Shoigu]\n",
         "FILE:2: unknown key 'actors' in the codebook (allowed: frames, naming_sets)"),
        ("frames:\n  - name: a\n    description: d\n    terms: [x]\n    colour: red\n",
         "FILE:5: unknown key 'colour' in a frame (allowed: name, description, terms, dimension)"),
        ("frames:\n  - name: a\n    description: d\n    terms:\n      - phrase: x\n        gap: 2\n",
         "FILE:6: unknown key 'gap' in a term of frame 'a'"),
    ],
    ids=["top-level", "frame", "term"],
)
def test_unknown_keys_name_file_and_line(tmp_path, text, expected):
    assert error_of(tmp_path, text).startswith(expected)


def test_empty_terms_name_file_and_line(tmp_path):
    text = "frames:\n  - name: a\n    description: d\n    terms:\n      - Victory Day\n      - ''\n"
    assert error_of(tmp_path, text) == "FILE:6: empty term in frame 'a'"
    text = "frames:\n  - name: a\n    description: d\n    terms:\n      - Victory Day\n      -\n"
    assert error_of(tmp_path, text) == "FILE:6: empty term in frame 'a'"
    text = "frames:\n  - name: a\n    description: d\n    terms: []\n"
    assert error_of(tmp_path, text) == "FILE:4: the terms of frame 'a' must be a non-empty list"
    text = "frames:\n  - name: a\n    description: d\n    terms:\n      - …\n"
    assert error_of(tmp_path, text) == "FILE:5: the term '…' in frame 'a' has no words"


def test_duplicate_terms_and_frames_name_both_lines(tmp_path):
    text = "frames:\n  - name: a\n    description: d\n    terms:\n      - Victory Day\n      - armistice\n" \
           "      - victory day\n"
    assert error_of(tmp_path, text) == "FILE:7: duplicate term 'victory day' in frame 'a' (first at FILE:5)"
    text = "frames:\n  - name: a\n    description: d\n    terms: [x]\n  - name: A\n    description: e\n    terms: [y]\n"
    assert error_of(tmp_path, text) == "FILE:5: duplicate frame 'A' (first at FILE:2)"


def test_invalid_regex_names_file_and_line(tmp_path):
    text = "frames:\n  - name: a\n    description: d\n    terms:\n      - regex: 'sanction(s'\n"
    message = error_of(tmp_path, text)
    assert message.startswith("FILE:5: invalid regular expression 'sanction(s' in frame 'a' (missing )"), message
    text = "frames:\n  - name: a\n    description: d\n    terms:\n      - regex: 'x*'\n"
    assert error_of(tmp_path, text) == "FILE:5: the regular expression 'x*' in frame 'a' matches empty text"


def test_naming_set_with_one_label_names_file_and_line(tmp_path):
    text = "naming_sets:\n  - name: the war\n    description: d\n    labels:\n      - invasion of Ukraine\n"
    assert error_of(tmp_path, text) == (
        "FILE:4: naming set 'the war' has one label; a naming set needs at least two alternative labels"
    )


def test_other_format_errors_are_one_line_with_file_and_line(tmp_path):
    assert error_of(tmp_path, "- a list\n") == "FILE: a codebook is a mapping with the keys frames, naming_sets"
    text = "frames:\n  - name: a\n    terms: [x]\n"
    assert error_of(tmp_path, text) == "FILE:2: frame 'a' needs a 'description' (text)"
    text = "frames:\n  - name: a\n    description: d\n    terms:\n      - phrase: x\n        max_gap: -1\n"
    assert error_of(tmp_path, text) == "FILE:5: 'max_gap' must be a whole number from 0 to 20"
    text = "frames:\n  - name: a\n    description: d\n    terms:\n      - phrase: x\n        regex: y\n"
    assert error_of(tmp_path, text) == "FILE:5: a term of frame 'a' needs exactly one of 'phrase' or 'regex'"
    assert error_of(tmp_path, "frames: []\n") == "FILE:1: 'frames' must be a non-empty list"


def test_missing_file_is_one_line(tmp_path):
    with pytest.raises(RulesError, match=r"nope\.yaml: file not found$"):
        read_codebook(tmp_path / "nope.yaml")


def test_terms_given_as_phrases_make_their_own_frame():
    codebook = codebook_from_terms(["Victory Day", "victory day", "battle for justice"])
    assert codebook.frame_names == [CUSTOM_FRAME]
    assert [term.label for term in codebook.frames[0].terms] == ["Victory Day", "battle for justice"]
    extended = read_codebook().with_terms(["Kim Jong Un"])
    assert extended.frame_names[-1] == CUSTOM_FRAME
    assert extended.frame_names[:-1] == read_codebook().frame_names
    with pytest.raises(RulesError, match="^--term: empty term for frame 'custom'$"):
        codebook_from_terms([" "])


def test_phrase_patterns_match_after_an_opening_quote_but_not_inside_a_contraction():
    victory = phrase_pattern("Victory Day")
    assert find_spans(victory, "To Attend 'Victory Day' in") == [(11, 22)]
    assert find_spans(victory, "of \u2018Victory Day\u2019") == [(4, 15)]
    assert find_spans(phrase_pattern("ve", inflect=False), "we've seen") == []


def test_a_term_counts_its_verb_forms_even_where_they_drop_a_letter(tmp_path):
    # "collapsing" and "denied" do not start with "collapse" and "deny": the quick search must still find them.
    from analysis import read_corpus
    from analysis.framing import term_counts
    from conftest import write_jsonl

    text = "Headline\n\nThe deal collapsed. Talks are collapsing. They denied it and deny it. The bane of it."
    corpus = read_corpus(write_jsonl(tmp_path / "c.jsonl", [{"doc_id": "a", "outlet": "A", "text": text}]))
    table = term_counts(corpus, codebook_from_terms(["collapse", "deny", "ban"], "a"))
    assert dict(zip(table["term"], table["count"])) == {"collapse": 2, "deny": 2, "ban": 0}


@pytest.mark.parametrize(("name", "text", "frames"), [
    ("book.dic", "%\n1\tx\n%\nban\t1\n", ["x"]),
    ("book.txt", "%\n1\tx\n%\nban\t1\n", ["x"]),  # a LIWC header, whatever the file is called
    ("book.yaml", "x: [ban]\ny:\n  z: [stop]\n", ["x", "y.z"]),
    ("book.yaml", "frames:\n  - name: x\n    description: d\n    terms: [ban]\n", ["x"]),
])
def test_read_codebook_chooses_the_reader_by_content(tmp_path, name, text, frames):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert read_codebook(path).frame_names == frames


def test_a_mistyped_project_codebook_is_not_read_as_a_dictionary(tmp_path):
    # A list of mappings is the project's own shape: the unknown key is named, not a dictionary error.
    message = error_of(tmp_path, "frame:\n  - name: a\n    description: d\n    terms: [x]\n")
    assert message == "FILE:1: unknown key 'frame' in the codebook (allowed: frames, naming_sets)"
