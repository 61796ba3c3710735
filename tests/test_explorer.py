"""The term explorer: its table (counted by reading a tiny corpus), hostile text, determinism, no network."""

import math
from html.parser import HTMLParser

import pandas as pd
import pytest

from analysis import read_corpus
from analysis.errors import AnalysisError
from analysis.explorer import term_explorer, term_explorer_data
from analysis.vocabulary import default_options, keyness

from conftest import write_jsonl

# A: "Sanctions hurt farmers." / "Farmers protest sanctions."  (6 words)
# B: "Missiles fly." / "Farmers watch missiles."               (5 words)
TINY = [
    {"doc_id": "a", "outlet": "A", "text": "Sanctions hurt farmers.\n\nFarmers protest sanctions.\n"},
    {"doc_id": "b", "outlet": "B", "text": "Missiles fly.\n\nFarmers watch missiles.\n"},
]


@pytest.fixture
def tiny(tmp_path):
    return read_corpus(write_jsonl(tmp_path / "tiny.jsonl", TINY))


def test_counts_rates_and_sentences_as_read(tiny):
    data = term_explorer_data(tiny)
    # Terms used twice or more in all: sanctions (2 in A), farmers (2 in A, 1 in B), missiles (2 in B).
    assert list(dict.fromkeys(data["comparison"])) == ["A vs the other outlets", "B vs the other outlets", "A vs B"]
    assert sorted(data.loc[data["comparison"] == "A vs B", "term"]) == ["farmers", "missiles", "sanctions"]
    farmers = data[(data["comparison"] == "A vs the other outlets") & (data["term"] == "farmers")].iloc[0]
    assert (farmers["count"], farmers["count_rest"]) == (2, 1)
    assert farmers["per_1k"] == pytest.approx(1000 * 2 / 6)
    assert farmers["per_1k_rest"] == pytest.approx(1000 * 1 / 5)
    assert farmers["log_ratio"] == pytest.approx(math.log2((2 / 6) / (1 / 5)))
    assert farmers["sentence_ids"] == ("a-s001", "a-s002", "b-s002")
    assert farmers["n_sentences_total"] == 3
    missiles = data[(data["comparison"] == "B vs the other outlets") & (data["term"] == "missiles")].iloc[0]
    assert (missiles["count"], missiles["count_rest"], missiles["sentence_ids"]) == (2, 0, ("b-s001", "b-s002"))
    # Most distinctive of the target first: in A's comparison sanctions (2/0), farmers (2/1), missiles (0/2).
    assert data.loc[data["comparison"] == "A vs the other outlets", "term"].tolist() == [
        "sanctions", "farmers", "missiles"]


def test_sentences_are_capped_half_from_each_side(tiny):
    data = term_explorer_data(tiny, pairs=False, max_sentences=2)
    farmers = data[(data["outlet"] == "A") & (data["term"] == "farmers")].iloc[0]
    assert farmers["sentence_ids"] == ("a-s001", "b-s002")  # one of A's two, then B's one
    assert farmers["n_sentences_total"] == 3
    data = term_explorer_data(tiny, pairs=False, max_sentences=3)
    farmers = data[(data["outlet"] == "B") & (data["term"] == "farmers")].iloc[0]
    assert farmers["sentence_ids"] == ("a-s001", "a-s002", "b-s002")  # B's one, and two from A to fill the cap


def test_top_keeps_the_most_frequent_terms_of_each_comparison(tiny):
    data = term_explorer_data(tiny, top=1)
    # farmers occurs 3 times in all, the others twice; with 6 and 5 words nothing is significant.
    assert not data["significant"].any()
    assert data["term"].tolist() == ["farmers"] * 3


def test_the_notebooks_keyness_table_is_used_as_given(tiny):
    key_terms = keyness(tiny, options=default_options(), min_count=1)
    data = term_explorer_data(tiny, key_terms=key_terms, pairs=False)
    assert len(data) == len(key_terms)  # min_count 1: hurt, protest, fly and watch too
    merged = data.merge(key_terms, on=["outlet", "reference", "term"], suffixes=("", "_given"))
    assert (merged["p_adjusted"] == merged["p_adjusted_given"]).all()


def test_bad_input_is_a_clear_error(tiny, tmp_path):
    with pytest.raises(AnalysisError, match="not a keyness table"):
        term_explorer_data(tiny, key_terms=pd.DataFrame({"term": ["x"]}))
    with pytest.raises(AnalysisError, match="no term occurs often enough"):
        term_explorer(tiny, min_count=10)
    single = read_corpus(write_jsonl(tmp_path / "one.jsonl", TINY[:1]))
    with pytest.raises(AnalysisError):
        term_explorer_data(single)


class _Tags(HTMLParser):
    """Collects the start tags of a page and their attributes (script contents are text to this parser)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


HOSTILE = "</script><script>alert(1)</script> <!-- & $x$ $$y$$"


def hostile_records(value: str) -> list[dict]:
    return [
        {"doc_id": "a", "outlet": f"A {value}",
         "text": f"Sanctions hurt farmers.\n\nFarmers protest sanctions {value} here.\n"},
        {"doc_id": "b", "outlet": "B", "text": f"Missiles fly {value}.\n\nFarmers watch missiles.\n"},
    ]


def test_hostile_text_stays_inside_the_data(tmp_path):
    benign = term_explorer(read_corpus(write_jsonl(tmp_path / "benign.jsonl", hostile_records("plain words"))))
    hostile = term_explorer(read_corpus(write_jsonl(tmp_path / "hostile.jsonl", hostile_records(HOSTILE))))
    assert HOSTILE not in hostile.html
    assert "<script>alert(1)" not in hostile.html and "<!-- &" not in hostile.html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &lt;!-- &amp; $x$ $$y$$" in hostile.html
    benign_tags, hostile_tags = tags_of(benign.html), tags_of(hostile.html)
    assert [tag for tag, _ in hostile_tags] == [tag for tag, _ in benign_tags]
    assert sum(tag == "script" for tag, _ in hostile_tags) == 4  # bokeh, its widgets, log level, the plot
    assert hostile.html.count("</script>") == benign.html.count("</script>")


def test_two_builds_are_identical_whatever_bokeh_drew_before(tiny):
    from bokeh.plotting import figure

    first = term_explorer(tiny).html
    figure(), figure()  # moves bokeh's own id counter
    second = term_explorer(tiny).html
    assert first == second
    assert "tx" in first and "p1001" not in first
    other = term_explorer(tiny, top=1).html
    prefix = first.split('class="term-explorer" id="')[1].split('"')[0]
    assert prefix not in other  # different data, different ids: two explorers can share a page


def test_the_fragment_loads_nothing_from_the_network(tiny):
    explorer = term_explorer(tiny)
    assert explorer._repr_html_() == explorer.html
    tags = tags_of(explorer.html)
    assert {tag for tag, _ in tags} <= {"div", "script", "style"}
    for tag, attributes in tags:
        for name in ("src", "href", "srcset", "data"):
            assert name not in attributes, (tag, attributes)
