"""The vocab step counted in forked slices gives the same keyness table as one process, byte for byte."""

from pathlib import Path

import pytest

from analysis import read_corpus
from analysis.cli import main
from analysis.errors import CorpusError
from analysis.vocabulary import _slice_bounds, corpus_keyness, default_options, keyness
from conftest import unseen_records, write_jsonl

UNSEEN = Path(__file__).parent / "data" / "unseen"


@pytest.fixture(scope="module")
def unseen_jsonl(tmp_path_factory):
    return write_jsonl(tmp_path_factory.mktemp("parallel") / "unseen.jsonl", unseen_records())


@pytest.mark.parametrize("kind", ["folder", "jsonl"])
@pytest.mark.parametrize("ngram", [1, 2])
@pytest.mark.parametrize("workers", [2, 3])
def test_slices_give_the_table_of_one_process(kind, ngram, workers, unseen_jsonl):
    path = UNSEEN if kind == "folder" else unseen_jsonl
    options = default_options(ngram)
    expected = keyness(read_corpus(path), options=options)
    # 35 documents in slices of at least 5: one slice per process
    sliced = corpus_keyness(path, options=options, workers=workers, chunk_documents=5)
    assert sliced.to_csv(index=False) == expected.to_csv(index=False)
    assert len(expected) > 100


def test_one_outlet_against_another(unseen_jsonl):
    corpus = read_corpus(unseen_jsonl)
    first, second = corpus.outlets[:2]
    expected = keyness(corpus, first, second, default_options(2), min_count=1)
    sliced = corpus_keyness(unseen_jsonl, None, first, second, default_options(2), workers=2, chunk_documents=5,
                            min_count=1)
    assert sliced.to_csv(index=False) == expected.to_csv(index=False)


def test_slices_follow_the_text_length():
    import pandas as pd

    documents = pd.DataFrame({"doc_id": list("abcdef")})
    # 100 characters, then five of 20: halves of the text are [a] and [b..f]
    assert _slice_bounds(documents, ["x" * 100] + ["y" * 20] * 5, 2) == [(0, 1), (1, 6)]
    # a folder's texts are unknown to the driver: equal numbers of documents
    assert _slice_bounds(documents, None, 3) == [(0, 2), (2, 4), (4, 6)]


def test_an_error_in_a_later_slice_is_the_one_line_error_of_one_process(tmp_path):
    records = unseen_records()
    records[30]["text"] = "Advertisement\n"  # a line the default rules remove: nothing left after cleaning
    path = write_jsonl(tmp_path / "broken.jsonl", records)
    with pytest.raises(CorpusError) as whole:
        read_corpus(path)
    with pytest.raises(CorpusError) as sliced:
        corpus_keyness(path, workers=2, chunk_documents=5)
    assert str(sliced.value) == str(whole.value)
    assert records[30]["doc_id"] in str(whole.value)


def test_the_command_refuses_zero_workers(capsys):
    assert main(["vocab", "--workers", "0"]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert error == ["error: --workers must be 1 or more, not 0"]


@pytest.mark.parametrize("kind", ["seeds", "unseen"])
def test_sentence_texts_are_the_columns_of_the_sentence_table(kind):
    from analysis.corpus import document_sentence_texts, read_document_table, read_document_texts

    path = None if kind == "seeds" else UNSEEN
    lean = read_corpus(path).sentence_texts()  # before the table is built: the segmenter alone
    corpus = read_corpus(path)
    table = corpus.sentences
    assert lean == (table["doc_id"].tolist(), table["text"].tolist())
    assert corpus.sentence_texts() == lean  # once it is built, read from it
    documents, _, _ = read_document_table(corpus.source)
    texts = read_document_texts(corpus.source, documents)
    assert document_sentence_texts(documents, texts, corpus.rules, corpus.source) == lean


def test_words_per_document_of_the_term_matrix_are_those_of_the_text_model(unseen_jsonl):
    from analysis.text import count_words
    from analysis.vocabulary import term_matrix

    corpus = read_corpus(unseen_jsonl)
    words = {}
    for doc_id, text in zip(corpus.sentences["doc_id"], corpus.sentences["text"]):
        words[doc_id] = words.get(doc_id, 0) + count_words(text)
    matrix = term_matrix(read_corpus(unseen_jsonl), default_options(2))
    assert dict(zip(matrix.documents["doc_id"], matrix.documents["n_words"].tolist())) == words
    assert sum(words.values()) > 5_000  # 35 short articles


def test_a_corpus_keeps_its_last_two_term_matrices():
    from analysis.vocabulary import term_matrix

    corpus = read_corpus()
    words, pairs, triples = default_options(1), default_options(2), default_options(3)
    first = term_matrix(corpus, pairs)
    assert term_matrix(corpus, default_options(2)) is first  # equal options: the kept matrix
    single = term_matrix(corpus, words)
    assert single is not first
    assert term_matrix(corpus, pairs) is first
    term_matrix(corpus, triples)  # a third set of options: the least recently used (words) is let go
    assert term_matrix(corpus, pairs) is first
    assert term_matrix(corpus, words) is not single
    again = read_corpus()  # another corpus, even of the same text, has matrices of its own
    assert term_matrix(again, pairs) is not first
    assert term_matrix(again, pairs).counts.toarray().tolist() == first.counts.toarray().tolist()
