"""The fast term counting equals a straightforward count from the text model, token by token.

The reference here is written from :func:`analysis.text.tokenize` alone: runs of
word and number tokens between punctuation marks (clitics left out), n-grams of
1 to n words inside a run, a stop word or (unless asked for) a number neither
starting nor ending one, counted per document, per sentence and per position.
"""

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from analysis import read_corpus
from analysis.paths import PROJECT_ROOT
from analysis.text import match_tokens, token_matches, tokenize
from analysis.vocabulary import TermOptions, read_stopwords, sentence_terms, term_matrix

from conftest import write_jsonl

UNSEEN = PROJECT_ROOT / "tests" / "data" / "unseen"
NYT = PROJECT_ROOT / "data" / "vader_nyt_editorials" / "nytEditorialSnippets_GroundTruth.txt"
N_NYT_SENTENCES = 2_000
# Tokens the text model treats specially, in one place: clitics, acronyms, dotted
# abbreviations, numbers with separators, hyphens and dashes, curly quotes, ordinals.
TRICKY = [
    "North Korea’s KCNA said the U.S. and the US told us: “wait” — until 7:56 on 1,000 days' notice.",
    "Kim Jong-un’s 70th birthday, Kim Jong‐un's aides' words; BOSTON UPDATE 2023_ x2 ½.½. 3.5x NATO-led.",
    "We've said it's 'Victory Day' in St. Petersburg, Mr. Shoigu's S's and O'Neill’S last word.",
]


def nyt_sentences(count: int) -> list[str]:
    lines = NYT.read_text(encoding="utf-8").splitlines()
    return [line.split("\t", 2)[2].strip() for line in lines if line.strip()][:count]


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    """The seeds, the unseen corpus, and 2,000 NYT editorial sentences (plus TRICKY) as 101 documents."""
    sentences = TRICKY + nyt_sentences(N_NYT_SENTENCES)
    records = [
        {"doc_id": f"nyt-{number:03d}", "outlet": ["Left", "Right"][number % 2], "date": "2023-07-01",
         "title": f"Editorial {number}", "event": f"e{number % 5}",
         "text": "\n\n".join(sentences[start:start + 20])}
        for number, start in enumerate(range(0, len(sentences), 20))
    ]
    path = write_jsonl(tmp_path_factory.mktemp("nyt") / "nyt.jsonl", records)
    return {"seeds": read_corpus(), "unseen": read_corpus(UNSEEN), "nyt": read_corpus(path)}


def reference_runs(text: str) -> list[list[tuple[str, str]]]:
    runs, run = [], []
    for token in tokenize(text):
        if token.kind == "punct":
            if run:
                runs.append(run)
            run = []
        elif token.kind in ("word", "number"):
            run.append((token.norm, token.kind))
    if run:
        runs.append(run)
    return runs


def reference_terms(text: str, options: TermOptions) -> list[str]:
    """Every unigram of every run, then every bigram, …: the order sentence_terms gives, run by run."""
    def dropped(word):
        return word[0] in options.stopwords or (word[1] == "number" and not options.include_numbers)

    terms = []
    for run in reference_runs(text):
        for size in range(1, options.ngram + 1):
            for start in range(len(run) - size + 1):
                gram = run[start:start + size]
                if not dropped(gram[0]) and not dropped(gram[-1]):
                    terms.append(" ".join(word for word, _ in gram))
    return terms


def reference_matrix(corpus, options: TermOptions):
    """Return (terms sorted, {doc: Counter}, {doc: Counter of sentences}, {doc: positions per order})."""
    counts, sentence_counts = {}, {}
    positions = {doc_id: [0] * options.ngram for doc_id in corpus.documents["doc_id"]}
    for doc_id, text in zip(corpus.sentences["doc_id"], corpus.sentences["text"]):
        terms = reference_terms(text, options)
        counts.setdefault(doc_id, Counter()).update(terms)
        sentence_counts.setdefault(doc_id, Counter()).update(set(terms))
        for run in reference_runs(text):
            for size in range(1, options.ngram + 1):
                positions[doc_id][size - 1] += max(len(run) - size + 1, 0)
    vocabulary = sorted({term for counter in counts.values() for term in counter})
    return vocabulary, counts, sentence_counts, positions


def as_counters(matrix, terms, doc_ids) -> dict:
    rows = matrix.tocsr()
    return {doc_id: Counter({terms[column]: int(value) for column, value in zip(rows[index].indices, rows[index].data)
                             if value})
            for index, doc_id in enumerate(doc_ids)}


OPTIONS = [
    pytest.param(TermOptions(ngram, stopwords, numbers), id=f"{ngram}-gram-{name}-numbers={numbers}")
    for ngram in (1, 2, 3)
    for name, stopwords in [("no-stop", frozenset()), ("default-stop", None), ("extra-stop", "extra")]
    for numbers in (False, True)
]


def resolve(options: TermOptions, tmp_path: Path) -> TermOptions:
    if options.stopwords is None:
        return TermOptions(options.ngram, read_stopwords(), options.include_numbers)
    if options.stopwords == "extra":
        extra = tmp_path / "extra.txt"
        extra.write_text("# outlet words\nsaid\nUS\nnew\n2023\nkorea's\n", encoding="utf-8")
        return TermOptions(options.ngram, read_stopwords([extra]), options.include_numbers)
    return options


@pytest.mark.parametrize("name", ["seeds", "unseen", "nyt"])
@pytest.mark.parametrize("options", OPTIONS)
def test_term_matrix_equals_the_token_by_token_count(corpora, name, options, tmp_path):
    options = resolve(options, tmp_path)
    corpus = corpora[name]
    matrix = term_matrix(corpus, options)
    vocabulary, counts, sentence_counts, positions = reference_matrix(corpus, options)
    doc_ids = corpus.documents["doc_id"].tolist()
    assert matrix.terms.tolist() == vocabulary
    assert matrix.counts.shape == (len(doc_ids), len(vocabulary))
    assert matrix.counts.dtype == np.int64 and matrix.sentence_counts.dtype == np.int64
    assert as_counters(matrix.counts, vocabulary, doc_ids) == {d: counts.get(d, Counter()) for d in doc_ids}
    assert as_counters(matrix.sentence_counts, vocabulary, doc_ids) == {
        d: sentence_counts.get(d, Counter()) for d in doc_ids}
    assert matrix.gram_positions.tolist() == [positions[d] for d in doc_ids]
    assert matrix.documents["doc_id"].tolist() == doc_ids


@pytest.mark.parametrize("name", ["seeds", "unseen", "nyt"])
def test_sentence_terms_keep_the_reference_order(corpora, name):
    options = TermOptions(3, read_stopwords(), include_numbers=True)
    for text in corpora[name].sentences["text"]:
        assert sentence_terms(text, options) == reference_terms(text, options)


@pytest.mark.parametrize("name", ["seeds", "unseen", "nyt"])
def test_fast_tokens_equal_tokenize(corpora, name):
    for text in corpora[name].sentences["text"]:
        expected = tokenize(text)
        assert [token for match in token_matches(text) for token in match_tokens(match)] == expected
        # No match crosses white space, so the pieces of str.split() give the same matches.
        assert [match for piece in text.split() for match in token_matches(piece)] == token_matches(text)


def test_tricky_sentences_by_hand():
    # "Korea’s" loses its clitic; "U.S." stays whole and lower-cased; "US" keeps its capitals; "—" and ":" cut runs.
    options = TermOptions(2, frozenset(), include_numbers=False)
    # Each run gives its unigrams, then its bigrams; the closing quote ends the first run.
    assert sentence_terms("North Korea’s KCNA said the U.S. and the US told us: “wait”", options) == [
        "north", "korea", "KCNA", "said", "the", "u.s.", "and", "the", "US", "told", "us",
        "north korea", "korea KCNA", "KCNA said", "said the", "the u.s.", "u.s. and", "and the", "the US",
        "US told", "told us", "wait",
    ]
    # A number neither starts nor ends a kept n-gram unless numbers are asked for; an ordinal is a word.
    assert sentence_terms("until 7:56 on 1,000 days, the 70th", options) == [
        "until", "on", "days", "the", "70th", "the 70th"]


def test_an_empty_corpus_gives_an_empty_matrix(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [
        {"doc_id": "a", "outlet": "X", "date": "2023-07-01", "title": "—", "event": "e", "text": "… — !"}])
    try:
        corpus = read_corpus(path)
    except Exception:  # the reader may refuse a text without words; then there is nothing to count
        pytest.skip("the corpus reader refuses a text without words")
    matrix = term_matrix(corpus, TermOptions(2))
    assert matrix.terms.tolist() == [] and matrix.counts.shape == (1, 0)
    assert matrix.gram_positions.tolist() == [[0, 0]]
