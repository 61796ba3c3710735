"""The default stop words: function words only, "us" among them, and "US" the country kept apart."""

import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from analysis.vocabulary import default_options, read_stopwords, sentence_terms, term_frequencies

# Function words the default list holds although scikit-learn's list does not (its
# tokenizer drops apostrophes, so it spells contractions "cant", "couldnt").
FUNCTION_WORDS_BEYOND_SCIKIT_LEARN = {
    "did", "does", "doing", "having", "just", "shall", "theirs", "despite", "unless",
    "aren't", "can't", "couldn't", "didn't", "doesn't", "don't", "hadn't", "hasn't", "haven't", "isn't",
    "mightn't", "mustn't", "needn't", "shan't", "shouldn't", "wasn't", "weren't", "won't", "wouldn't",
    "i'm", "i've", "i'd", "i'll", "you're", "you've", "you'd", "you'll", "he'd", "he'll", "she'd", "she'll",
    "it'd", "it'll", "we're", "we've", "we'd", "we'll", "they're", "they've", "they'd", "they'll",
    "that'll", "there'd", "there'll", "who'd", "who'll", "who've",
    "should've", "would've", "could've", "might've", "must've",
}


def test_us_the_pronoun_is_dropped_and_US_the_country_is_kept():
    # Tokens: The (stop) | US (acronym, kept as "US") | told | us (stop) | to (stop) | wait.
    # Bigrams whose first and last words are not stop words: only "US told".
    options = default_options(ngram=2)
    assert sentence_terms("The US told us to wait.", options) == ["US", "told", "wait", "US told"]


def test_a_user_list_can_drop_US_the_country(tmp_path):
    extra = tmp_path / "extra.txt"
    extra.write_text("US\n", encoding="utf-8")
    options = default_options(stopword_files=[extra])
    assert sentence_terms("The US told us to wait.", options) == ["told", "wait"]


def test_function_words_added_to_the_list_are_dropped():
    # "despite", "since", "whether", "never", "we've" and "don’t" (curly apostrophe) are all stop words.
    text = "Despite the rain, we've never asked whether they don’t march since Monday."
    assert sentence_terms(text, default_options()) == ["rain", "asked", "march", "monday"]


def test_seed_vocabulary_counts_US_and_drops_we_ve(seeds):
    # By hand from the seed texts: "US" stands alone once in DW (line 35, "a US soldier"; "US-South" is
    # a term of its own) and twice in The National (line 11 "with the US.", line 47 "by the US,";
    # "US-based" is a term of its own); Overt Operator writes "U.S.". No seed writes "us" the pronoun.
    # The National's "We've" (line 33) is a stop word.
    frequencies = term_frequencies(seeds)
    us = frequencies[frequencies["term"] == "US"].set_index("outlet")["count"].to_dict()
    assert us == {"DW": 1, "The National": 2}
    assert not frequencies["term"].isin(["us", "we've"]).any()


def test_default_list_holds_function_words_only():
    """Every default stop word is in scikit-learn's English list or is a listed function word."""
    words = read_stopwords()
    assert "us" in words
    assert words - ENGLISH_STOP_WORDS <= FUNCTION_WORDS_BEYOND_SCIKIT_LEARN


@pytest.mark.parametrize("word", ["one", "two", "first", "last", "former", "bill", "fire", "system", "interest",
                                  "mine", "back", "well", "show", "find", "call", "part", "side", "top", "un", "de"])
def test_content_words_of_scikit_learns_list_are_not_stop_words(word):
    """scikit-learn's list also holds numbers and content words ("bill", "fire", "former"): left out here."""
    assert word in ENGLISH_STOP_WORDS
    assert word not in read_stopwords()
