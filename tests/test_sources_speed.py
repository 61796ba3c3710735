"""The sources step gives the same attributions after its speed work.

The CSV files in ``tests/data/attributions_snapshot/`` were written by :func:`analysis.sources.attributions`
as it was *before* the speed work (prefilter, caches, compiled patterns), on the seed corpus, on
``tests/data/unseen`` and on ``tests/data/attributions/dev/corpus.jsonl``, once with the package's
source rules (``NAME.csv``) and once with its speech verbs and no category lists, as the CLI and the
benchmark run it (``NAME-no-categories.csv``). They are not hand-checked
expectations: they only pin the output so that a faster implementation cannot change it. The
hand-checked expectations live in ``tests/test_sources.py`` and ``tests/test_speakers.py``.
"""

from __future__ import annotations

import pytest

from analysis import read_corpus
from analysis.lists import source_rules
from analysis.paths import PROJECT_ROOT, SEEDS_DIR
from analysis.sources import attributions

SNAPSHOTS = PROJECT_ROOT / "tests" / "data" / "attributions_snapshot"
CORPORA = {
    "seeds": SEEDS_DIR,
    "unseen": PROJECT_ROOT / "tests" / "data" / "unseen",
    "attributions-dev": PROJECT_ROOT / "tests" / "data" / "attributions" / "dev" / "corpus.jsonl",
}


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_attributions_equal_the_snapshot_taken_before_the_speed_work(name):
    expected = (SNAPSHOTS / f"{name}.csv").read_text(encoding="utf-8")
    found = attributions(read_corpus(CORPORA[name])).to_csv(index=False)
    assert found.splitlines() == expected.splitlines()


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_attributions_without_categories_equal_the_snapshot(name):
    expected = (SNAPSHOTS / f"{name}-no-categories.csv").read_text(encoding="utf-8")
    found = attributions(read_corpus(CORPORA[name]), source_rules(None)).to_csv(index=False)
    assert found.splitlines() == expected.splitlines()


def test_snapshots_are_not_empty():
    # An empty snapshot would make the comparison above vacuous: each corpus has quoted speakers.
    for name in [*CORPORA, *(f"{name}-no-categories" for name in CORPORA)]:
        rows = (SNAPSHOTS / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        assert rows[0].startswith("doc_id,outlet,event,sentence_id,speaker,source")
        assert len(rows) > 30


def test_speech_word_prefilter_agrees_with_its_pattern(seeds):
    # The prefilter looks words up in a set for ASCII text; the pattern it replaced is the second method.
    from dataclasses import replace

    from analysis.sources import _may_attribute, _speech_pattern, read_source_rules

    rules = read_source_rules()
    odd = replace(rules, verbs=rules.verbs | {"co-signed"})  # a word with a hyphen: the set is not used
    texts = seeds.sentences["text"].tolist() + [
        "He SAID so.", "It was unsaid.", "said_x", "Notes:  \n", "Notes: more", "According to them",
        "the news reports say", "They co-signed it.", "co", "Er sagte: «Nein»", "Ça dit:", "", "said",
    ]
    for chosen in (rules, odd):
        for text in texts:
            assert _may_attribute(text, chosen) == (_speech_pattern(chosen).search(text) is not None), text
    assert _may_attribute("They co-signed it.", odd) and not _may_attribute("They co-signed it.", rules)
