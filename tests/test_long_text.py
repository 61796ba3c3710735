"""Long text in bounded work, and documents not in English left out of tone (issue 10).

No timing here: the tests check the structure that makes the work linear (the
segmenter sees bounded chunks, sentences have a bounded length, the quotation
spans are walked once). bench/bench_hostile.py measures time and memory.
"""

from __future__ import annotations

import random
import warnings

import pytest

from analysis import read_corpus, text, tone
from analysis.errors import NonEnglishWarning
from analysis.text import (
    MAX_SENTENCE_CHARS,
    SEGMENT_CHUNK_CHARS,
    bounded_spans,
    count_words,
    quote_spans,
    quoted_word_count,
    sentence_spans,
    spans_overlapping,
    text_language,
)
from tests.conftest import write_jsonl

# Three sentences with quotations, apostrophes and abbreviations (written for the test).
NEWS = (
    'Mr Shoigu said the talks were "frank and useful." The U.S. envoy disagreed. '
    "On Dec. 19, KCNA called it 'a victory' for both countries’ armies. "
)

RUSSIAN = ("Министр обороны России прибыл в Пхеньян во вторник. Он встретился с руководством страны. "
           "Стороны обсудили военное сотрудничество и подписали соглашение.")
KOREAN = "러시아 국방장관이 화요일 평양에 도착했다. 그는 김정은 국무위원장을 만났다. 양측은 군사 협력을 논의했다."
ARABIC = ("وصل وزير الدفاع الروسي إلى بيونغ يانغ يوم الثلاثاء. والتقى بالزعيم الكوري الشمالي. "
          "وناقش الجانبان التعاون العسكري ووقعا اتفاقا.")
ENGLISH = ("The Russian defence minister arrived in Pyongyang on Tuesday. He met the country's leader, and the "
           "two sides discussed military cooperation and signed an agreement.")


# Sentences of bounded length ------------------------------------------------------------------------------------------


def test_a_paragraph_without_sentence_punctuation_is_cut_into_bounded_sentences():
    paragraph = "word " * 60_000  # 300,000 characters, no full stop: one "sentence" to the segmenter
    spans = sentence_spans(paragraph)
    assert max(end - start for start, end in spans) <= MAX_SENTENCE_CHARS
    # every word is in exactly one sentence, none is cut: 60,000 words in all
    assert sum(count_words(paragraph[start:end]) for start, end in spans) == 60_000
    assert all(paragraph[start:end].split() == ["word"] * len(paragraph[start:end].split()) for start, end in spans)


def test_bounded_spans_cut_after_sentence_punctuation_then_at_spaces_then_anywhere():
    # a 14-character limit: "aaa. bbb ccc. " → cut after "aaa." is too early (before half the limit);
    # the last full stop before the limit ends "bbb ccc." (position 13)
    text_ = "aaa. bbb ccc. ddd eee fff ggg"
    assert bounded_spans(text_, 0, len(text_), limit=14) == [(0, 13), (14, 25), (26, 29)]
    no_spaces = "x" * 25
    assert bounded_spans(no_spaces, 0, 25, limit=10) == [(0, 10), (10, 20), (20, 25)]


def test_the_segmenter_sees_bounded_chunks_and_each_character_about_once(monkeypatch):
    seen = []
    real_segment = text.segment

    def recording_segment(language, chunk):
        seen.append(len(chunk))
        return real_segment(language, chunk)

    monkeypatch.setattr(text, "segment", recording_segment)
    paragraph = NEWS * (3 * SEGMENT_CHUNK_CHARS // len(NEWS))
    sentence_spans(paragraph)
    assert max(seen) <= SEGMENT_CHUNK_CHARS
    # each chunk re-reads at most the last quarter of the one before: linear work
    assert sum(seen) <= 1.5 * len(paragraph)


def test_chunked_segmentation_finds_the_sentences_of_one_pass(monkeypatch):
    paragraph = NEWS * 200  # 33,000 characters: 600 sentences
    whole = sentence_spans(paragraph)
    assert len(whole) == 600
    monkeypatch.setattr(text, "SEGMENT_CHUNK_CHARS", 2_000)
    assert sentence_spans(paragraph) == whole


def test_normal_paragraphs_are_neither_chunked_nor_cut(seeds):
    # the seeds' longest paragraph is far below both limits, so their counts stay as pinned in test_seeds
    assert seeds.paragraphs["text"].str.len().max() < min(SEGMENT_CHUNK_CHARS, MAX_SENTENCE_CHARS)
    assert len(seeds.sentences) == 23 + 21 + 28


# Quotations walked once ------------------------------------------------------------------------------------------------


class CountingSpans(list):
    """A list of spans that counts how often an element is read."""

    reads = 0

    def __getitem__(self, index):
        CountingSpans.reads += 1
        return super().__getitem__(index)

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]


def test_quoted_words_of_every_sentence_cost_reads_linear_in_the_paragraph():
    paragraph = 'He said "yes" and "no" today. ' * 2_000  # 4,000 quotations, 2,000 sentences
    spans = CountingSpans(quote_spans(paragraph))
    assert len(spans) == 4_000
    CountingSpans.reads = 0
    total = sum(quoted_word_count(paragraph, spans, start, end) for start, end in sentence_spans(paragraph))
    assert total == 4_000  # "yes" and "no" in each sentence
    # one pass would read each span a few times per sentence; sentences × spans would be 8,000,000
    assert CountingSpans.reads < 50 * len(spans)


def test_quoted_word_count_and_spans_overlapping_agree_with_their_definitions():
    rng = random.Random(7)
    paragraph = " ".join(rng.choice(["alpha", "beta", "'s", "gamma.", "-"]) for _ in range(400))
    for _ in range(200):
        edges = sorted(rng.sample(range(len(paragraph) + 1), 2 * rng.randint(0, 8)))
        spans = [(edges[i], edges[i + 1]) for i in range(0, len(edges), 2) if edges[i] < edges[i + 1]]
        start = rng.randint(0, len(paragraph))
        end = rng.randint(start, len(paragraph))
        words = [match for match in text._TOKEN_PATTERN.finditer(paragraph, start, end) if match.lastgroup != "punct"]
        expected = sum(any(low <= match.start() < high for low, high in spans) for match in words)
        assert quoted_word_count(paragraph, spans, start, end) == expected
        assert spans_overlapping(spans, start, end) == [(low - start, high - start) for low, high in spans
                                                        if high > start and low < end]


def test_an_open_double_quotation_is_found_past_many_open_single_ones():
    # 500 single quotations open and never close; the double quotation after them still pairs up
    paragraph = "x" + " 'a" * 500 + ' "said" end'
    said = paragraph.index("said")
    spans = quote_spans(paragraph)
    # the first single quotation runs to the end of the paragraph and covers "said"
    assert spans == [(3, len(paragraph))]
    assert quoted_word_count(paragraph, spans, said, said + 4) == 1


def test_a_long_paragraph_in_a_corpus_keeps_every_word(tmp_path):
    body = NEWS * 1_000  # 165,000 characters in one paragraph: chunked
    path = write_jsonl(tmp_path / "long.jsonl", [{"text": "A long article\n" + body, "outlet": "A"}])
    corpus = read_corpus(path)
    sentences = corpus.sentences[corpus.sentences["text"] != "A long article"]
    assert len(sentences) == 3_000
    assert sentences["n_words"].sum() == count_words(body)
    # per repetition: "frank and useful." (3 words) and "a victory" (2) are quoted
    assert sentences["n_quoted_words"].sum() == 5_000


# Language ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("paragraph, code", [(RUSSIAN, "ru"), (KOREAN, "ko"), (ARABIC, "ar")])
def test_russian_korean_and_arabic_are_recognised(paragraph, code):
    assert text_language(paragraph) == code


@pytest.mark.parametrize("headline", ["Kim meets Shoigu", "Putin visits Pyongyang", "DPRK", "Victory Day parade",
                                      "Kim Jong-un hails Russia ties", "KCNA: Kim inspects drones", ""])
def test_short_english_headlines_stay_english(headline):
    # the detector alone calls "Kim meets Shoigu" Luxembourgish: too few letters to ask it
    assert text_language(headline) == "en"


def test_english_paragraphs_and_the_seed_articles_are_english(seeds):
    assert text_language(ENGLISH) == "en"
    languages = tone.document_languages(seeds)
    assert languages["language"].tolist() == ["en", "en", "en"]


GERMAN_34_WORDS = ("Die Regierung hat am Montag neue Regeln beschlossen und der Minister erklärte die Pläne im Parlament "
                   "vor vielen Abgeordneten aus allen Parteien des Landes, bevor die Sitzung am späten Abend nach "
                   "langer Debatte endete")


def test_a_tenth_of_english_marker_words_makes_a_latin_text_english():
    # 34 German words and 6 more: 40 words. THE, of, Said and "and" are markers (case does not matter): 4 of 40,
    # a tenth. "the-end" and "they've" are one word each and no marker; with "und" for "and", 3 of 40 are
    # markers and the detector decides: German.
    assert len(GERMAN_34_WORDS.split()) == 34
    assert text_language(GERMAN_34_WORDS + " THE of Said and the-end they've") == "en"
    assert text_language(GERMAN_34_WORDS + " THE of Said und the-end they've") == "de"


def test_only_the_start_of_a_document_is_read():
    assert text_language(ENGLISH * 40 + RUSSIAN * 100) == "en"  # 6,400 English characters come first


def _mixed_corpus(tmp_path):
    records = [
        {"doc_id": "en-1", "outlet": "A", "text": "Talks in Pyongyang\n" + ENGLISH},
        {"doc_id": "ru-1", "outlet": "A", "text": "Переговоры в Пхеньяне\n" + RUSSIAN},
        {"doc_id": "en-2", "outlet": "B", "text": "A good day\nThe visit was a great success, officials said."},
        {"doc_id": "ko-1", "outlet": "B", "text": "평양 회담\n" + KOREAN},
        {"doc_id": "ar-1", "outlet": "C", "text": "محادثات\n" + ARABIC},
    ]
    return read_corpus(write_jsonl(tmp_path / "mixed.jsonl", records))


def test_documents_not_in_english_are_left_out_of_tone_with_one_warning(tmp_path):
    corpus = _mixed_corpus(tmp_path)
    with pytest.warns(NonEnglishWarning) as caught:
        tones = tone.sentence_tone(corpus)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert message == ("3 of 5 documents are not in English and are left out of tone (VADER scores English only): "
                       "ru-1 (mixed.jsonl#2, ru), ko-1 (mixed.jsonl#4, ko), ar-1 (mixed.jsonl#5, ar)")
    assert str(tmp_path) not in message
    left_out = tones[tones["label"] == tone.LEFT_OUT]
    assert sorted(set(left_out["doc_id"])) == ["ar-1", "ko-1", "ru-1"]
    assert left_out["compound"].isna().all()
    # English sentences are scored as before: "a great success" is positive
    success = tones[tones["text"] == "The visit was a great success, officials said."]
    assert success["label"].tolist() == ["positive"]


def test_summaries_count_the_sentences_left_out(tmp_path):
    corpus = _mixed_corpus(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonEnglishWarning)
        tones = tone.sentence_tone(corpus)
    expected_left_out = {outlet: int(((tones["outlet"] == outlet) & (tones["language"] != "en")).sum())
                         for outlet in ("A", "B", "C")}
    summary = tone.tone_summary(tones, "outlet", n_resamples=99).set_index("outlet")
    # A: headline + 3 Russian sentences; B: headline + 3 Korean; C: every sentence (headline + 3 Arabic)
    assert expected_left_out == {"A": 4, "B": 4, "C": 4}
    assert summary["n_left_out"].to_dict() == expected_left_out
    # A scores its English headline and two sentences; C has nothing scored
    assert summary.loc["A", "n_sentences"] == 3
    assert summary.loc["C", "n_sentences"] == 0
    differences = tone.outlet_differences(tones, n_resamples=99)
    assert differences["n_b"].tolist() == [2, 0, 0]  # A–B, A–C, B–C: B has 2 English sentences, C none


def test_an_english_corpus_gives_no_language_warning(seeds):
    with warnings.catch_warnings():
        warnings.simplefilter("error", NonEnglishWarning)
        tones = tone.sentence_tone(seeds)
    assert (tones["label"] != tone.LEFT_OUT).all()
    assert set(tones["language"]) == {"en"}


# Framing matches a batch of sentences at a time --------------------------------------------------------------------------


def test_framing_matches_are_the_same_when_searched_in_small_batches(seeds, monkeypatch):
    from analysis import framing
    from analysis.codebook import read_codebook

    codebook = read_codebook()
    groups = [(frame.name, frame.terms) for frame in codebook.frames]
    whole = framing.find_group_matches(seeds, groups)
    assert len(whole) > 20  # the study codebook finds its frames in the seeds
    seen = []
    real_matching_form = framing.matching_form

    def recording_matching_form(text_):
        seen.append(len(text_))
        return real_matching_form(text_)

    monkeypatch.setattr(framing, "_sentence_form", recording_matching_form)  # uncached: every form is seen
    monkeypatch.setattr(framing, "MATCH_BATCH_CHARS", 300)  # a sentence or two per batch
    batched = framing.find_group_matches(seeds, groups)
    assert batched.equals(whole)
    assert len(seen) == len(seeds.sentences)  # every sentence's matching form made once


def test_batches_hold_at_most_the_limit_unless_one_text_is_longer():
    from analysis.framing import _batches

    # sizes count each text and one separator: 4+1, 4+1 | 9+1 | 20+1 | 1+1
    assert _batches(["aaaa", "bbbb", "ccccccccc", "d" * 20, "e"], 10) == [(0, 2), (2, 3), (3, 4), (4, 5)]
    assert _batches([], 10) == []


# Resampling a huge group in small batches --------------------------------------------------------------------------------


def test_resampling_batches_hold_a_bounded_number_of_values():
    # 200 resamples of 100,000 sentences at once were 160 MB of floats and as much of indices
    assert tone._batch(100) == 200
    assert tone._batch(100_000) * 100_000 <= 2_000_000
    assert tone._batch(50_000_000) == 1


def test_intervals_and_p_values_do_not_depend_on_the_batch(monkeypatch):
    values = [((index * 7919) % 1000) / 1000 - 0.5 for index in range(3001)]
    before = (tone.bootstrap_interval(values, n_resamples=499),
              tone.permutation_difference(values[:1500], values[1500:], n_resamples=499))
    monkeypatch.setattr(tone, "_BATCH_VALUES", 10_000)  # three resamples per batch
    assert tone._batch(3001) == 3
    after = (tone.bootstrap_interval(values, n_resamples=499),
             tone.permutation_difference(values[:1500], values[1500:], n_resamples=499))
    assert after == before


# Tables built a block at a time, long texts not kept -----------------------------------------------------------------------


def test_the_sentence_table_built_in_blocks_is_the_same_table(monkeypatch):
    from analysis import corpus as corpus_module

    whole = read_corpus().sentences
    monkeypatch.setattr(corpus_module, "SENTENCE_BLOCK_ROWS", 7)  # 72 seed sentences: 11 blocks
    blocks = read_corpus().sentences
    assert blocks.equals(whole)
    assert blocks.dtypes.equals(whole.dtypes)


def test_a_long_text_leaves_the_matching_cache_at_the_next_search():
    from analysis import matching

    long_line = "The talks went well. " * 300_000  # 6,300,000 characters
    short_line = "A short line."
    pattern = matching.compile_user_regex("talks")
    assert pattern.search(long_line) is not None
    assert pattern.search(long_line, 100) is not None  # a second search of the same text finds it cached
    assert any(known.text is long_line for known in matching._ENCODED)
    assert pattern.search(short_line) is None
    assert not any(known.text is long_line for known in matching._ENCODED)
    assert any(known.text is short_line for known in matching._ENCODED)


def test_bounded_spans_never_begin_or_end_with_white_space():
    # runs of 30 spaces are longer than the 10-character window: a cut inside one must not keep any of it
    text_ = "ab" + " " * 30 + "cd" + " " * 30 + "ef"
    spans = bounded_spans(text_, 0, len(text_), limit=10)
    assert [text_[start:end] for start, end in spans] == ["ab", "cd", "ef"]
