"""The one text model: normalisation, sentences, tokens, matching keys."""

import unicodedata
import warnings

import pytest

from analysis.errors import CorpusError, EncodingFallbackWarning
from analysis.text import count_words, decode_bytes, match_key, normalize_text, split_sentences, tokenize


def test_sentences_keep_titles_abbreviations_and_dates_whole():
    text = "Mr Shoigu gave Mr Kim a letter. The U.S. said no. On Dec. 19, around noon, it ended."
    assert split_sentences(text) == [
        "Mr Shoigu gave Mr Kim a letter.",
        "The U.S. said no.",
        "On Dec. 19, around noon, it ended.",
    ]


def test_sentence_ending_inside_a_quotation_ends_there():
    text = 'Pyongyang will mark it in a "grand manner that will go down in history." The parade follows.'
    assert split_sentences(text) == [
        'Pyongyang will mark it in a "grand manner that will go down in history."',
        "The parade follows.",
    ]


def test_stray_closing_quote_joins_the_sentence_before():
    # The last line of the Overt Operator seed closes with ”’
    text = "“They also have a potential role to play.”’"
    assert split_sentences(text) == [text]


def test_possessive_is_split_off_and_hyphenated_names_stay_whole():
    tokens = tokenize("North Korea's Kim Jong-un met the U.S. envoy.")
    assert [(t.text, t.kind) for t in tokens] == [
        ("North", "word"), ("Korea", "word"), ("'s", "clitic"), ("Kim", "word"),
        ("Jong-un", "word"), ("met", "word"), ("the", "word"), ("U.S.", "word"),
        ("envoy", "word"), (".", "punct"),
    ]


def test_norm_lowercases_but_keeps_acronyms_and_straightens_quotes():
    norms = [t.norm for t in tokenize("The US told us: KCNA’s “Victory Day” – It’s")]
    assert norms == ["the", "US", "told", "us", ":", "KCNA", "'s", '"', "victory", "day", '"', "-", "it", "'s"]


def test_numbers_and_ordinals():
    tokens = tokenize("the 70th anniversary on July 27, 2023, at 7:56 with COVID-19")
    kinds = {t.text: t.kind for t in tokens}
    assert kinds["70th"] == "word"
    assert kinds["27"] == "number" and kinds["2023"] == "number" and kinds["7:56"] == "number"
    assert kinds["COVID-19"] == "word"


def test_word_count_counts_words_and_numbers_not_clitics_or_punctuation():
    # North, Korea, Kim, Jong-un, met, 3, envoys  ('s and punctuation are not words)
    assert count_words("North Korea's Kim Jong-un met 3 envoys – twice?") == 8


def test_match_key_ignores_case_quotes_and_hyphens():
    assert match_key("Kim Jong-un") == match_key("KIM JONG UN") == "kim jong un"
    assert match_key("“Victory Day”") == match_key('"victory day"')
    assert match_key("Kim’s") == match_key("Kim's")


def test_normalize_text_line_endings_bom_and_nfc():
    decomposed = "Pyongyang cafe\u0301\r\nline two\rline three"
    text = normalize_text("\ufeff" + decomposed)
    assert text == "Pyongyang caf\u00e9\nline two\nline three"
    assert unicodedata.is_normalized("NFC", text)


def test_decode_utf8_with_bom():
    assert decode_bytes("\ufeffDéfense".encode("utf-8"), "x.txt") == "Défense"


def test_decode_falls_back_to_cp1252_with_a_warning_naming_the_file():
    data = "Kim’s “Victory Day” café".encode("cp1252")
    with pytest.warns(EncodingFallbackWarning, match=r"legacy\.txt: not valid UTF-8; decoded as cp1252"):
        assert decode_bytes(data, "legacy.txt") == "Kim’s “Victory Day” café"


def test_decode_falls_back_to_latin1_when_cp1252_cannot():
    data = b"caf\xe9 \x81"  # 0x81 is undefined in cp1252
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert decode_bytes(data, "odd.txt") == "café \x81"
    assert "decoded as latin-1" in str(caught[0].message)


def test_binary_data_is_refused():
    with pytest.raises(CorpusError, match=r"image\.png: binary file"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00", "image.png")


def test_sentence_boundaries_on_nyt_editorial_paragraphs():
    """The NYT file holds one sentence per line; joined five at a time into paragraphs, the
    line breaks are the boundaries to find. Most lines are single sentences, so a few
    extra splits inside lines are right but count against precision here."""
    from conftest import NYT_GROUND_TRUTH

    lines = [line.split("\t", 2)[2].strip() for line in NYT_GROUND_TRUTH.read_text(encoding="utf-8").splitlines()]
    expected, found = set(), set()
    for start in range(0, len(lines), 5):
        group = lines[start:start + 5]
        paragraph = " ".join(group)
        offset = 0
        for line in group[:-1]:
            offset += len(line) + 1
            expected.add((start, offset - 1))
        position = 0
        for sentence in split_sentences(paragraph)[:-1]:
            position = paragraph.index(sentence, position) + len(sentence)
            found.add((start, position))
    true_positives = len(expected & found)
    assert len(expected) == 4152
    assert true_positives / len(found) > 0.98  # precision (measured: 0.989)
    assert true_positives / len(expected) > 0.97  # recall (measured: 0.978)


def test_capitalised_ordinary_words_fold_but_acronyms_keep_their_capitals():
    # A wire dateline and an update stamp in capitals are the ordinary words "boston" and "update";
    # listed acronyms (US, NATO) and words rare in English (KCNA, DPRK) keep their capitals.
    norms = [t.norm for t in tokenize("BOSTON (AP) UPDATE: the US, us, NATO, KCNA and DPRK")]
    assert norms == ["boston", "(", "AP", ")", "update", ":", "the", "US", ",", "us", ",", "NATO", ",", "KCNA",
                     "and", "DPRK"]
    assert [t.norm for t in tokenize("Boston update")] == ["boston", "update"]


def test_a_shouted_headline_is_ordinary_words():
    assert [t.norm for t in tokenize("IT WAS A DISASTER")] == ["it", "was", "a", "disaster"]


def test_abbreviation_then_honorific_and_name_starts_a_new_sentence():
    assert split_sentences("He lives in Chappaqua, N.Y. Mr. Gowdy said he would run.") == [
        "He lives in Chappaqua, N.Y.", "Mr. Gowdy said he would run."]
    assert split_sentences("The meeting was in Washington, D.C. Ms. Smith left early.") == [
        "The meeting was in Washington, D.C.", "Ms. Smith left early."]
    # A title that is part of a name phrase after "U.S." does not end the sentence.
    assert split_sentences("The U.S. Rep. Jim Jordan said so.") == ["The U.S. Rep. Jim Jordan said so."]
    assert split_sentences("He met Mr. Gowdy in Chappaqua, N.Y., on Monday.") == [
        "He met Mr. Gowdy in Chappaqua, N.Y., on Monday."]
