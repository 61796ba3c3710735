"""Bring-your-own corpora: a folder with a manifest, CSV, JSONL and Parquet load alike."""

import pandas as pd
import pytest

from analysis import read_corpus
from analysis.errors import EncodingFallbackWarning

from conftest import write_jsonl, write_manifest_corpus

ARTICLE_A = "Allies meet in Pyongyang\n\nThe visit was announced on Tuesday. It lasts three days.\n"
ARTICLE_B = "A parade is planned\n\nOfficials said the parade would be large.\n"
RECORDS = [
    {"doc_id": "a1", "outlet": "Outlet A", "date": "2023-07-26", "title": "Allies meet in Pyongyang",
     "text": ARTICLE_A, "event": "visit", "section": "world"},
    {"doc_id": "b1", "outlet": "Outlet B", "date": "2023-07-27", "title": "A parade is planned",
     "text": ARTICLE_B, "event": "visit", "section": "asia"},
]


def _fingerprint(corpus):
    """The parts of a corpus that must not depend on the file format."""
    return (
        corpus.documents[["doc_id", "outlet", "date", "title", "event"]].to_dict("records"),
        corpus.paragraphs[["doc_id", "role", "text", "n_words"]].to_dict("records"),
        corpus.sentences[["doc_id", "sentence_id", "text"]].to_dict("records"),
    )


@pytest.fixture
def folder_corpus(tmp_path):
    return read_corpus(write_manifest_corpus(tmp_path / "folder", RECORDS))


def test_folder_corpus_structure(folder_corpus):
    paragraphs = folder_corpus.paragraphs
    assert paragraphs["role"].tolist() == ["headline", "standfirst", "headline", "standfirst"]
    assert folder_corpus.sentences.groupby("doc_id").size().to_dict() == {"a1": 3, "b1": 2}
    # Allies meet in Pyongyang (4) + The visit … Tuesday (6) + It lasts three days (4)
    assert folder_corpus.summary().set_index("doc_id").loc["a1", "n_words"] == 14


def test_jsonl_loads_like_a_folder(tmp_path, folder_corpus):
    corpus = read_corpus(write_jsonl(tmp_path / "corpus.jsonl", RECORDS))
    assert _fingerprint(corpus) == _fingerprint(folder_corpus)
    assert corpus.documents["section"].tolist() == ["world", "asia"]


def test_csv_loads_like_a_folder(tmp_path, folder_corpus):
    path = tmp_path / "corpus.csv"
    pd.DataFrame(RECORDS).to_csv(path, index=False)
    corpus = read_corpus(path)
    assert _fingerprint(corpus) == _fingerprint(folder_corpus)


def test_parquet_loads_like_a_folder(tmp_path, folder_corpus):
    path = tmp_path / "corpus.parquet"
    pd.DataFrame(RECORDS).to_parquet(path, index=False)
    corpus = read_corpus(path)
    assert _fingerprint(corpus) == _fingerprint(folder_corpus)


def test_table_without_doc_id_or_title_gets_ids_and_headline_titles(tmp_path):
    path = write_jsonl(tmp_path / "bare.jsonl", [{"outlet": "X", "text": ARTICLE_A}, {"outlet": "Y", "text": ARTICLE_B}])
    corpus = read_corpus(path)
    assert corpus.documents["doc_id"].tolist() == ["doc-0001", "doc-0002"]
    assert corpus.documents["title"].tolist() == ["Allies meet in Pyongyang", "A parade is planned"]


def test_title_that_differs_from_the_first_line_means_no_headline_line(tmp_path):
    records = [{"outlet": "X", "title": "Another title", "text": "First paragraph.\nSecond paragraph."}]
    corpus = read_corpus(write_jsonl(tmp_path / "body-only.jsonl", records))
    assert corpus.paragraphs["role"].tolist() == ["body", "body"]


def test_legacy_encoding_crlf_and_bom(tmp_path):
    documents = [
        {"doc_id": "cp", "outlet": "A", "text": "Kim’s “Victory Day”\r\n\r\nThe café opened.\r\n".encode("cp1252")},
        {"doc_id": "bom", "outlet": "B", "text": "\ufeffHeadline here\r\n\r\nBody text.\r\n".encode("utf-8")},
    ]
    folder = write_manifest_corpus(tmp_path / "enc", documents)
    with pytest.warns(EncodingFallbackWarning, match=r"cp\.txt: not valid UTF-8; decoded as cp1252"):
        corpus = read_corpus(folder)
    texts = corpus.paragraphs.set_index(["doc_id", "role"])["text"]
    assert texts[("cp", "headline")] == "Kim’s “Victory Day”"
    assert texts[("cp", "standfirst")] == "The café opened."
    assert texts[("bom", "headline")] == "Headline here"
    assert not corpus.lines["text"].str.contains("\r").any()


def test_nfc_normalisation(tmp_path):
    decomposed = "Cafe\u0301 society\n\nA cafe\u0301 in Pyongyang.\n"
    corpus = read_corpus(write_jsonl(tmp_path / "nfc.jsonl", [{"outlet": "A", "text": decomposed}]))
    assert corpus.paragraphs["text"].tolist() == ["Caf\u00e9 society", "A caf\u00e9 in Pyongyang."]


def test_one_outlet_corpus_reads_but_refuses_comparison(tmp_path):
    corpus = read_corpus(write_jsonl(tmp_path / "one.jsonl", [{"outlet": "Solo", "text": ARTICLE_A}]))
    assert len(corpus.summary()) == 1
    with pytest.raises(Exception, match=r"comparing outlets needs at least 2 outlets; this corpus has 1 \(Solo\)"):
        corpus.require_outlets(2)
