"""The study page's table of what was read: every document for a few, one row per outlet for many."""

from __future__ import annotations

import csv

from analysis import read_corpus, study
from analysis.paths import PROJECT_ROOT

UNSEEN = PROJECT_ROOT / "tests" / "data" / "unseen"


def test_a_few_documents_are_listed_one_by_one(seeds):
    table = study.documents_table(seeds)
    assert list(table["doc_id"]) == ["dw", "overt-operator", "the-national"]
    assert list(table["n_words"]) == [434, 408, 763]


def test_many_documents_are_summarised_by_outlet():
    with open(UNSEEN / "corpus.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 35 > study.MAX_LISTED_DOCUMENTS
    table = study.documents_table(read_corpus(UNSEEN)).set_index("outlet")
    for outlet in {row["outlet"] for row in rows}:
        dates = sorted(row["date"] for row in rows if row["outlet"] == outlet and row["date"])
        assert table.loc[outlet, "n_documents"] == sum(row["outlet"] == outlet for row in rows)
        assert (table.loc[outlet, "first_date"], table.loc[outlet, "last_date"]) == (dates[0], dates[-1])
    assert table["n_documents"].sum() == 35
