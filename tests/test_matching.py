"""Phrase matching: case, quotes, hyphens, inflection, gaps and offsets into the original text."""

import pytest

from analysis.matching import compile_phrase, matching_form


def found(phrase, text, **options):
    return [text[start:end] for start, end in compile_phrase(phrase, **options).find(text)]


def test_hyphen_and_space_and_case_are_the_same():
    text = "North Korea's Kim Jong-un met KIM JONG UN and Kim Jong Un’s aides."
    assert found("Kim Jong Un", text) == ["Kim Jong-un", "KIM JONG UN", "Kim Jong Un’s"]


def test_curly_and_straight_quotes_match_alike():
    assert found("Kim's", "Kim’s tour") == ["Kim’s"]
    assert found('"battle for justice"', "Russia’s “battle for justice” and") == ["“battle for justice”"]


def test_inflection_plural_and_possessive_but_not_other_words():
    assert found("missile", "missiles, missile's, missiles’ and missilery") == ["missiles", "missile's", "missiles"]
    assert found("missile", "missiles", inflect=False) == []


def test_gap_allows_up_to_max_gap_words_and_takes_the_shortest():
    text = "featured banned ballistic missiles. The missiles were banned"
    assert found("banned … missiles", text) == ["banned ballistic missiles"]
    assert found("banned ... missiles", "banned very old ballistic missiles", max_gap=2) == []
    assert found("banned ... missiles", "banned very old ballistic missiles", max_gap=3) == [
        "banned very old ballistic missiles"
    ]


def test_acronyms_match_only_in_capitals():
    text = "rivalry with the US. Tell us. The U.S. said"
    assert found("US", text) == ["US"]
    assert found("U.S.", text) == ["U.S."]


def test_whole_words_only():
    assert found("war", "the war in Ukraine, a warship, postwar") == ["war"]


def test_matching_form_maps_back_to_the_original():
    text = "Kim  Jong–un’s"
    form, offsets = matching_form(text)
    assert form == "Kim Jong un's"
    assert [text[offsets[i]] for i in range(len(form))] == list("Kim Jong–un’s".replace("  ", " "))[:len(form)]


def test_phrase_without_words_is_refused():
    with pytest.raises(ValueError, match="has no words"):
        compile_phrase(" … ")


def test_a_phrase_in_single_quotes_is_found_but_not_after_a_letters_apostrophe():
    assert found("Victory Day", "Delegations To Attend 'Victory Day' in North Korea") == ["Victory Day"]
    assert found("ve", "We've come") == []
