"""Any corpus gets its own study: no example-story wording, no example lists applied blindly, events by title.

The corpus is tests/data/unseen/ (35 fictional articles written for this test, three
outlets, twelve events; see its README). The report is built on it once, with no
list given; a second, smaller build passes an actor list, a source list and a
stop-word file, and must change the tone, sources and vocabulary pages.
"""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from analysis import lists, read_corpus, study
from analysis.cli import build_parser
from analysis.paths import PROJECT_ROOT, SEEDS_DIR
from analysis.report import build_report

UNSEEN = PROJECT_ROOT / "tests" / "data" / "unseen"
# Words of the example corpus's story; "seed" also catches any "seed corpus", "seed study", "seeds/".
EXAMPLE_STORY = re.compile(r"shoigu|pyongyang|victory day|seed|north korea", re.IGNORECASE)
PAGES = ["index.html", "01_corpus.html", "02_vocabulary.html", "03_framing.html", "04_tone.html", "05_sources.html"]


class _VisibleText(HTMLParser):
    """Collects what a reader can see or hear: text (code included), alt and title attributes."""

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._hidden += 1
        self.parts += [value for name, value in attrs if name in ("alt", "title") and value]

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(page: Path) -> str:
    parser = _VisibleText()
    parser.feed(page.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def manifest() -> list[dict]:
    with open(UNSEEN / "corpus.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def unseen_report(tmp_path_factory):
    """The report of the unseen corpus with no list given and none discovered (report --no-discover)."""
    out = tmp_path_factory.mktemp("unseen") / "report"
    build_report(UNSEEN, out, progress=False, discover=False)
    return out


@pytest.fixture(scope="module")
def discovered_report(tmp_path_factory):
    """The report of the unseen corpus as `report` builds it by default: every list discovered from the corpus."""
    out = tmp_path_factory.mktemp("discovered") / "report"
    build_report(UNSEEN, out, progress=False)
    return out


@pytest.fixture(scope="module")
def list_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lists")
    (folder / "actors.yaml").write_text(
        "groups:\n"
        "  - name: City hall\n    aliases: [Okafor, Duarte, council, City Hall]\n"
        "  - name: Unions\n    aliases: [union, Santos, Doyle]\n", encoding="utf-8")
    (folder / "sources.yaml").write_text(
        "verbs: [said, says, told, added, warned, wrote]\n"
        "categories:\n"
        "  - id: city-officials\n    label: Ashford city officials\n    names: [City Hall, council]\n"
        "    people: [Linda Okafor, Okafor, Ray Duarte, Duarte, Priya Nand, James Lowell]\n"
        "  - id: unions\n    label: Trade unions\n    names: [union]\n    people: [Gloria Santos, Santos, Frank Doyle, Doyle]\n",
        encoding="utf-8")
    (folder / "stopwords.txt").write_text("# honorifics\nmr\nms\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def report_with_lists(tmp_path_factory, list_files):
    out = tmp_path_factory.mktemp("with-lists") / "report"
    build_report(UNSEEN, out, notebooks=("02_vocabulary.ipynb", "04_tone.ipynb", "05_sources.ipynb"), progress=False,
                 actors_path=list_files / "actors.yaml", sources_path=list_files / "sources.yaml",
                 stopwords_path=list_files / "stopwords.txt")
    return out


def test_the_unseen_corpus_is_what_its_readme_says():
    rows = manifest()
    corpus = read_corpus(UNSEEN)
    assert len(rows) == 35 and len(corpus.documents) == 35
    assert sorted({row["outlet"] for row in rows}) == ["The Daily Blaze", "The Northfield Courier", "Valley Wire"]
    assert len({row["event"] for row in rows}) == 12
    text = " ".join((UNSEEN / row["file"]).read_text(encoding="utf-8") for row in rows)
    assert EXAMPLE_STORY.search(text) is None  # so none of those words may appear in its pages either
    assert sum(path.stat().st_size for path in UNSEEN.iterdir()) < 200_000


def test_event_titles_come_from_event_title_then_document_titles():
    titles = study.event_titles(read_corpus(UNSEEN))
    # Eleven events have three documents, otter-twins two: it comes last; ties keep corpus order.
    assert list(titles["event"][:3]) == ["city-budget", "storm-ellen", "factory-strike"]
    assert titles["event"].iloc[-1] == "otter-twins" and titles["n_documents"].iloc[-1] == 2
    by_event = dict(zip(titles["event"], titles["event_title"]))
    assert by_event["museum-theft"] == "Gold brooch stolen from the Harlow Museum"
    # hospital-waits has no event_title and three different document titles: the first document's.
    assert by_event["hospital-waits"] == ("Report finds emergency room waits at Ashford General doubled in five "
                                          "years")


def test_top_events_keeps_the_largest_and_counts_the_rest():
    corpus = read_corpus(UNSEEN)
    table = pd.DataFrame({"event": [row["event"] for row in manifest()], "value": range(35)})
    shown, note = study.top_events(table, corpus, top=10)
    assert list(shown.columns) == ["event", "event_title", "value"]
    assert shown["event"].nunique() == 10 and "otter-twins" not in set(shown["event"])
    # Left out: hospital-waits (3 documents) and otter-twins (2).
    assert "The other 2 events (5 documents, at most 3 each)" in note
    assert study.top_events(table, corpus, top=20)[1] == ""


def test_a_hundred_events_stay_readable(tmp_path):
    from conftest import write_jsonl

    # Events 0-9 have three documents (one per outlet), events 10-99 one document each.
    records = [{"outlet": outlet, "event": f"e{number:03d}", "title": f"Story {number}",
                "text": f"Story {number}\n\nThe council met on day {number}."}
               for number in range(100) for outlet in (("A", "B", "C") if number < 10 else ("A",))]
    corpus = read_corpus(write_jsonl(tmp_path / "many.jsonl", records))
    assert study.describe_story(corpus) == (
        "The corpus covers 100 events; those with the most articles are "
        + "; ".join(f"“Story {number}” (3 articles, 3 outlets)" for number in range(5)) + " ….")
    shown, note = study.top_events(study.event_titles(corpus), corpus)
    assert list(shown["event_title"]) == [f"Story {number}" for number in range(10)]
    assert note.endswith("The other 90 events (90 documents, at most 1 each) are in the full table saved with "
                         "the report.")


def test_example_lists_apply_only_to_the_example_corpus(tmp_path):
    unseen = read_corpus(UNSEEN)
    seeds = read_corpus(SEEDS_DIR)
    given = tmp_path / "mine.yaml"
    for kind in ("codebook", "actors", "sources"):
        assert lists.chosen_list(kind, None, unseen) is None
        assert lists.chosen_list(kind, None, seeds) == lists.STORY_LISTS[kind].default
        assert lists.chosen_list(kind, given, unseen) == given
    assert lists.left_out_tags(unseen, {}) == {"needs-codebook", "needs-actors", "needs-sources"}
    assert lists.left_out_tags(unseen, {"actors_path": given}) == {"needs-codebook", "needs-sources"}
    assert lists.left_out_tags(seeds, {}) == set()
    assert lists.source_rules(None).categories == ()
    assert "pass `--actors FILE`" in lists.missing_list_notice("actors")


@pytest.mark.parametrize("report", ["unseen_report", "discovered_report"])
def test_no_page_tells_the_example_story(report, request):
    folder = request.getfixturevalue(report)
    for page in PAGES:
        found = EXAMPLE_STORY.findall(visible_text(folder / page))
        assert found == [], (page, found)
    for table in (folder / "tables").glob("*.csv"):
        assert EXAMPLE_STORY.search(table.read_text(encoding="utf-8")) is None, table.name


def test_discovered_lists_fill_the_sections_and_say_so(discovered_report):
    from analysis.actors import read_actors
    from analysis.codebook import read_codebook
    from analysis.sources import read_source_rules

    folder = discovered_report / "discovered"
    codebook = read_codebook(folder / "codebook.yaml")
    read_actors(folder / "actors.yaml")
    read_source_rules(folder / "sources.yaml")
    # The corpus's budget, election and rail-strike stories each have a cluster named by their own words.
    names = " ".join(codebook.frame_names)
    assert "budget" in names and "votes" in names and "strike" in names

    study_page = visible_text(discovered_report / "index.html")
    assert "The framing codebook used here was discovered from this corpus" in study_page
    assert "No framing codebook was given" not in study_page
    assert "Heatmap of framing-term matches" in study_page
    assert ("discovered/codebook.yaml framing codebook, discovered from this corpus, not validated"
            in study_page)
    assert "discovered/sources.yaml source-category list, discovered from this corpus, not validated" in study_page
    assert "analysis/data/codebook.yaml" not in study_page
    framing_page = visible_text(discovered_report / "03_framing.html")
    assert "The codebook is unvalidated." in framing_page
    assert "discovered_lists = 'codebook,actors,sources'" in framing_page or \
        "discovered_lists = 'codebook'" in framing_page
    # the inductive check would compare the discovered codebook with the clusters it was made from
    assert "would compare the method with itself" in framing_page
    assert not (discovered_report / "tables" / "discovered-frames-beside-codebook.csv").exists()
    tone_page = visible_text(discovered_report / "04_tone.html")
    assert "The actor list used here was discovered from this corpus" in tone_page
    assert (discovered_report / "tables" / "frame-counts-by-outlet.csv").is_file()


def test_appendix_code_shows_the_parameters_passed_without_machine_paths(unseen_report, report_with_lists):
    vocabulary_page = visible_text(unseen_report / "02_vocabulary.html")
    assert "corpus_path = 'tests/data/unseen' rules_path = None stopwords_path = None" in vocabulary_page
    assert "stopwords_path = 'stopwords.txt'" in visible_text(report_with_lists / "02_vocabulary.html")
    assert "actors_path = 'actors.yaml'" in visible_text(report_with_lists / "04_tone.html")
    for page in [*unseen_report.glob("*.html"), *report_with_lists.glob("*.html")]:
        assert str(PROJECT_ROOT) not in page.read_text(encoding="utf-8"), page.name


def test_pages_show_event_titles(unseen_report):
    titles = {row["event"]: row["event_title"] for row in manifest() if row["event_title"]}
    corpus_page = visible_text(unseen_report / "01_corpus.html")
    for title in titles.values():
        assert title in corpus_page, title
    study_page = visible_text(unseen_report / "index.html")
    assert "The corpus covers 12 events" in study_page
    assert "“Ashford council passes its 2025 budget” (3 articles, 3 outlets)" in study_page
    tone_page = visible_text(unseen_report / "04_tone.html")
    assert "Storm Ellen floods the coast" in tone_page
    assert "The other 2 events (5 documents, at most 3 each)" in tone_page


def test_list_sections_are_left_out_with_their_notice(unseen_report):
    study_page = visible_text(unseen_report / "index.html")
    assert "No framing codebook was given, so this section is left out: pass --codebook FILE" in study_page
    assert "No source-category list was given" in study_page
    assert "Heatmap of framing-term matches" not in study_page
    assert "Stacked horizontal bars" not in study_page
    framing_page = visible_text(unseen_report / "03_framing.html")
    assert "pass --codebook FILE" in framing_page
    assert "How often each outlet uses each frame" not in framing_page and "Naming: which label" not in framing_page
    tone_page = visible_text(unseen_report / "04_tone.html")
    assert "No actor list was given, so this section is left out: pass --actors FILE" in tone_page
    assert "naming each actor group" not in tone_page
    sources_page = visible_text(unseen_report / "05_sources.html")
    assert "pass --sources FILE" in sources_page
    tables = {path.name for path in (unseen_report / "tables").glob("*.csv")}
    assert not tables & {"frame-counts-by-outlet.csv", "naming-choices-by-outlet.csv", "tone-toward-actors.csv",
                         "sources-category-mix.csv"}
    attributions = pd.read_csv(unseen_report / "tables" / "sources-attributions.csv")
    assert len(attributions) > 0 and set(attributions["category"]) <= {"unclassified", "unattributed"}


def test_provenance_lists_only_the_data_files_used(unseen_report):
    index = visible_text(unseen_report / "index.html")
    assert "analysis/data/cleaning.yaml cleaning rules, package default" in index
    assert "analysis/data/stopwords.txt stop words, package default" in index
    # The text model's acronym list and tone's name masking apply to every corpus, so they are listed too.
    assert "analysis/data/acronyms.txt acronyms that keep their capitals (text model), package default" in index
    assert "analysis/data/name_titles.yaml names and titles masked before tone scoring, package default" in index
    for unused in ("codebook.yaml", "actors.yaml", "sources.yaml"):
        assert unused not in index


def test_report_lists_change_the_tone_sources_and_vocabulary_pages(unseen_report, report_with_lists):
    without_lists = visible_text(unseen_report / "04_tone.html")
    tone_page = visible_text(report_with_lists / "04_tone.html")
    assert "No actor list was given" in without_lists and "No actor list was given" not in tone_page
    actors = pd.read_csv(report_with_lists / "tables" / "tone-toward-actors.csv")
    assert list(dict.fromkeys(actors["group"])) == ["City hall", "Unions"]
    # "Okafor" is in the first sentence of the wire's budget story (its headline has "council").
    assert actors.query("group == 'City hall' and outlet == 'Valley Wire' and voice == 'all'")["n_sentences"].iloc[0] > 0

    sources_page = visible_text(report_with_lists / "05_sources.html")
    assert "No source-category list was given" not in sources_page
    assert "Ashford city officials" in sources_page and "Trade unions" in sources_page
    found = pd.read_csv(report_with_lists / "tables" / "sources-attributions.csv")
    # The wire's budget story: '"We chose to fix it," Mayor Linda Okafor told reporters'.
    assert "city-officials" in set(found["category"]) and "unions" in set(found["category"])

    # The Courier writes Mr and Ms throughout; as stop words they are no longer terms.
    before = pd.read_csv(unseen_report / "tables" / "keyness-by-outlet.csv")
    after = pd.read_csv(report_with_lists / "tables" / "keyness-by-outlet.csv")
    assert {"mr", "ms"} <= set(before["term"])
    assert not {"mr", "ms"} & set(after["term"])

    provenance = visible_text(report_with_lists / "index.html")
    for name, what in (("actors.yaml", "actor list, given"), ("sources.yaml", "source-category list, given"),
                       ("stopwords.txt", "extra stop words, given")):
        assert f"{name} {what}" in provenance


def test_report_command_passes_every_list(monkeypatch, tmp_path):
    import analysis.report

    passed = {}
    monkeypatch.setattr(analysis.report, "build_report", lambda *args, **kwargs: passed.update(kwargs) or tmp_path)
    args = build_parser().parse_args(["report", "--corpus", str(UNSEEN), "--codebook", "c.yaml", "--actors",
                                      "a.yaml", "--sources", "s.yaml", "--stopwords", "w.txt", "--quiet"])
    args.run(args)
    assert {key: str(passed[key]) for key in ("codebook_path", "actors_path", "sources_path", "stopwords_path")} == {
        "codebook_path": "c.yaml", "actors_path": "a.yaml", "sources_path": "s.yaml", "stopwords_path": "w.txt"}


def test_report_refuses_a_missing_list_before_any_notebook(tmp_path):
    from analysis.errors import AnalysisError

    with pytest.raises(AnalysisError, match="actor list not found"):
        build_report(UNSEEN, tmp_path / "out", actors_path=tmp_path / "none.yaml", progress=False)
    assert not (tmp_path / "out").exists()
