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


def test_verb_forms_drop_or_double_letters_only_where_english_does():
    assert found("collapse", "collapsed collapsing collapseing") == ["collapsed", "collapsing"]
    assert found("ban", "banned banning bane banal") == ["banned", "banning"]
    assert found("stop", "stopped stopping stoped") == ["stopped", "stopping", "stoped"]  # either spelling
    assert found("tie", "tied tying") == ["tied", "tying"]
    assert found("deny", "denied denies denying") == ["denied", "denies", "denying"]


def test_acronyms_function_words_and_words_with_apostrophes_take_no_verb_forms():
    assert found("US", "USed USing") == []
    assert found("the", "thing") == []
    assert found("she", "shed") == []
    assert found("Russia's war", "Russia's warring") == ["Russia's warring"]  # "war" is a plain word
    assert found("Russia's", "Russia'sed") == []


def test_a_trailing_star_is_a_prefix_and_any_other_star_is_refused():
    assert found("collaps*", "collapse collapsed collapsing") == ["collapse", "collapsed", "collapsing"]
    assert found("UN*", "UNSC un") == ["UNSC"]  # an acronym prefix keeps its capitals
    for phrase, reason in (("*", "bare"), ("col*apse", "inside or before"), ("*lapse", "inside or before"),
                           ("a ** b", "bare")):
        with pytest.raises(ValueError, match=reason):
            compile_phrase(phrase)


def _matching_form_one_character_at_a_time(text):
    """The matching form by its definition, character by character (a second method)."""
    from analysis.text import normalize_for_display

    characters, offsets = [], []
    for index, char in enumerate(normalize_for_display(text)):
        if char == "-" or char.isspace():
            if not characters or characters[-1] == " ":
                continue
            char = " "
        characters.append(char)
        offsets.append(index)
    if characters and characters[-1] == " ":
        characters.pop()
        offsets.pop()
    return "".join(characters), offsets


def test_matching_form_equals_its_definition_on_random_texts():
    import random

    generator = random.Random(5)
    alphabet = ["a", "B", "é", "-", "‐", "–", "—", " ", "\t", "\n", "\u00a0", "\u2009", "\u3000", "\x1c", "'",
                "\u2019", "\u201c", ".", "7"]
    texts = ["", " ", "-", "- -", "a", " a ", "-a-", "well - known", "a\u00a0\u2009b"]
    texts += ["".join(generator.choices(alphabet, k=generator.randint(1, 40))) for _ in range(3000)]
    for text in texts:
        assert matching_form(text) == _matching_form_one_character_at_a_time(text), repr(text)


def test_separator_runs_treat_as_space_what_python_does():
    # the runs are found by a regular expression; its \s must be exactly str.isspace, code point by code point
    from analysis.matching import _SEPARATOR_RUN

    for code in range(0x110000):
        char = chr(code)
        assert bool(_SEPARATOR_RUN.fullmatch(char)) == (char == "-" or char.isspace()), hex(code)
