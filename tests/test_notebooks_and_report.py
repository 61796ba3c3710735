"""Notebooks run top to bottom; the report builds, reads offline and rebuilds byte for byte."""

import hashlib
import json
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from analysis.errors import AnalysisError
from analysis.paths import DATA_DIR, FIGURES_DIR, NOTEBOOKS_DIR, SEEDS_DIR
from analysis.report import build_report, report_notebooks

ALL_NOTEBOOKS = sorted(path for path in NOTEBOOKS_DIR.rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts)


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.scripts, self.headings, self.images, self._in_heading = [], [], [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        if tag == "img":
            self.images.append(attrs)
        if tag in ("h1", "h2"):
            self._in_heading = True
            self.headings.append("")

    def handle_endtag(self, tag):
        if tag in ("h1", "h2"):
            self._in_heading = False

    def handle_data(self, data):
        if self._in_heading:
            self.headings[-1] += data


def parse(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_report_notebooks_are_the_numbered_ones():
    assert list(report_notebooks()) == [path.name for path in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))]
    assert report_notebooks()[0] == "00_study.ipynb"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda path: path.name)
def test_notebooks_are_committed_without_outputs_and_with_clean_metadata(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        assert cell.get("outputs", []) == [] and cell.get("execution_count") is None, cell["id"]
        assert set(cell["metadata"]) <= {"tags"}, cell["id"]
    assert set(notebook["metadata"]) <= {"kernelspec", "language_info"}
    ids = [cell["id"] for cell in notebook["cells"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("path", [p for p in ALL_NOTEBOOKS if p.parent == NOTEBOOKS_DIR], ids=lambda p: p.name)
def test_report_notebooks_take_parameters_and_import_from_the_package(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    parameters = [cell for cell in notebook["cells"] if "parameters" in cell["metadata"].get("tags", [])]
    assert len(parameters) == 1
    source = "".join(parameters[0]["source"])
    for name in ("corpus_path", "rules_path", "output_dir"):
        assert f"{name} = None" in source
    code = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
    assert "from analysis" in code
    assert "\ndef " not in "\n" + code and "\nclass " not in "\n" + code, "analysis code belongs in the package"


def test_report_pages_figures_and_tables(seed_report):
    pages = sorted(path.name for path in seed_report.glob("*.html"))
    expected = ["index.html"] + [Path(name).stem + ".html" for name in report_notebooks()[1:]]
    assert pages == sorted(expected)
    for page in pages:
        parsed = parse(seed_report / page)
        assert parsed.scripts == [], page  # nothing loaded from a CDN
        assert all(image.get("alt") for image in parsed.images), page
        assert all(image["src"].startswith("data:image/png;base64,") for image in parsed.images), page
    figures = sorted(path.name for path in (seed_report / "figures").glob("*.png"))
    assert figures and all((seed_report / "figures" / name.replace(".png", ".svg")).is_file() for name in figures)
    tables = sorted(path.name for path in (seed_report / "tables").glob("*.csv"))
    assert "corpus-summary.csv" in tables and "keyness-by-outlet.csv" in tables


def test_study_page_has_provenance_with_input_hashes(seed_report):
    index = (seed_report / "index.html").read_text(encoding="utf-8")
    for path in [*sorted(SEEDS_DIR.glob("*.txt")), SEEDS_DIR / "corpus.csv", *sorted(DATA_DIR.glob("*.*"))]:
        assert hashlib.sha256(path.read_bytes()).hexdigest() in index, path.name
    assert 'id="provenance"' in index and "sentencex" in index


def test_committed_figures_are_the_seed_study_figures(seed_report):
    """figures/ must be regenerated (make report) whenever the study's figures change."""
    built = {path.name: path.read_bytes() for path in (seed_report / "figures").glob("*.*")}
    committed = {path.name: path.read_bytes() for path in FIGURES_DIR.glob("*.*") if path.suffix in (".png", ".svg")}
    assert sorted(committed) == sorted(built), "figures/ is stale: run `make report` and commit figures/"
    stale = [name for name in built if built[name] != committed[name]]
    assert stale == [], f"figures/ is stale ({', '.join(stale)}): run `make report` and commit figures/"


def test_report_rebuilds_byte_identically_elsewhere(seed_report, tmp_path):
    second = tmp_path / "elsewhere" / "report"
    build_report(SEEDS_DIR, second, progress=False)
    first_files = sorted(p.relative_to(seed_report) for p in seed_report.rglob("*") if p.is_file())
    second_files = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert first_files == second_files
    for relative in first_files:
        assert (seed_report / relative).read_bytes() == (second / relative).read_bytes(), relative


def _broken_notebook(path: Path) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("corpus_path = None\nrules_path = None\noutput_dir = None",
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("raise ValueError('the data is odd')"),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def test_failing_notebook_names_the_cell_and_keeps_the_previous_report(tmp_path):
    out = tmp_path / "report"
    build_report(SEEDS_DIR, out, notebooks=("01_corpus.ipynb",), progress=False)
    before = {p.name: p.read_bytes() for p in out.glob("*.html")}
    broken = _broken_notebook(tmp_path / "broken.ipynb")
    expected = r"broken\.ipynb: cell 3 \(`raise ValueError\('the data is odd'\)`\) failed: ValueError: the data is odd"
    with pytest.raises(AnalysisError, match=expected):
        build_report(SEEDS_DIR, out, notebooks=("01_corpus.ipynb", str(broken)), progress=False)
    assert {p.name: p.read_bytes() for p in out.glob("*.html")} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.ipynb", "report"]


def test_report_on_bad_input_fails_before_any_notebook(tmp_path):
    with pytest.raises(AnalysisError, match="no such file or folder"):
        build_report(tmp_path / "missing", tmp_path / "out", progress=False)
    with pytest.raises(AnalysisError, match="codebook not found"):
        build_report(SEEDS_DIR, tmp_path / "out", codebook_path=tmp_path / "none.yaml", progress=False)
    assert not (tmp_path / "out").exists()


def test_study_sentences_describe_any_corpus(seeds, tmp_path):
    from analysis import read_corpus, study

    from conftest import write_jsonl

    assert study.describe_story(seeds).startswith("In July 2023 Russia's defence minister Sergei Shoigu")
    # 3 articles, 434 + 408 + 763 = 1,605 words, 7 + 0 + 2 = 9 removed lines (see test_seeds).
    assert study.describe_corpus(seeds).startswith(
        "3 articles about 1 event from 3 outlets, published 2023-07-26 to 2023-07-27, 1,605 words")
    assert "Cleaning removed 9 lines" in study.describe_corpus(seeds)
    assert "smallest outlet is represented by 1 article:" in study.sample_caveats(seeds)
    assert "One event" in study.sample_caveats(seeds)
    other = read_corpus(write_jsonl(tmp_path / "c.jsonl", [
        {"outlet": "A", "event": "e1", "text": "Head\n\nOne two three."},
        {"outlet": "B", "event": "e2", "text": "Head\n\nFour five."}]))
    # Each event's title is its one document's title, the headline "Head".
    assert study.describe_story(other) == (
        "The corpus covers 2 events; “Head” (1 article, 1 outlet); “Head” (1 article, 1 outlet).")
    assert "2 events." in study.sample_caveats(other)
