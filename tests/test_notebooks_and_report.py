"""Notebooks run top to bottom; the report builds, reads offline and rebuilds byte for byte."""

import hashlib
import json
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from analysis.errors import AnalysisError
from analysis.paths import NOTEBOOKS_DIR, SEEDS_DIR
from analysis.report import build_report, report_notebooks

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


class _LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.scripts, self.headings, self._in_heading = [], [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        if tag in ("h1", "h2"):
            self._in_heading = True
            self.headings.append("")

    def handle_endtag(self, tag):
        if tag in ("h1", "h2"):
            self._in_heading = False

    def handle_data(self, data):
        if self._in_heading:
            self.headings[-1] += data


def parse(path: Path) -> _LinkCollector:
    parser = _LinkCollector()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("first") / "report"
    build_report(SEEDS_DIR, out, progress=False)
    return out


def test_every_numbered_notebook_is_in_the_report():
    assert list(report_notebooks()) == [path.name for path in NOTEBOOKS if path.name[:2].isdigit()]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebooks_are_committed_without_outputs(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        assert cell.get("outputs", []) == [] and cell.get("execution_count") is None, cell["id"]
        assert set(cell["metadata"]) <= {"tags"}, cell["id"]
    assert set(notebook["metadata"]) <= {"kernelspec", "language_info"}
    parameters = [cell for cell in notebook["cells"] if "parameters" in cell["metadata"].get("tags", [])]
    assert len(parameters) == 1


def test_report_pages_and_tables(report):
    assert sorted(path.name for path in report.glob("*.html")) == ["01_corpus.html", "index.html"]
    index = parse(report / "index.html")
    assert "01_corpus.html" in index.links
    corpus_page = parse(report / "01_corpus.html")
    assert corpus_page.headings[0].startswith("The corpus: what text the study counts")
    assert "What cleaning removed" in " ".join(corpus_page.headings)
    summary = (report / "tables" / "corpus-summary.csv").read_text(encoding="utf-8").splitlines()
    assert summary[0].startswith("doc_id,outlet,date,title")
    assert len(summary) == 4


def test_report_loads_no_script_from_the_network(report):
    for page in report.glob("*.html"):
        assert parse(page).scripts == [], page.name


def test_report_records_input_hashes(report):
    index = (report / "index.html").read_text(encoding="utf-8")
    for path in sorted(SEEDS_DIR.glob("*.txt")) + [SEEDS_DIR / "corpus.csv"]:
        assert hashlib.sha256(path.read_bytes()).hexdigest() in index, path.name


def test_report_rebuilds_byte_identically_elsewhere(report, tmp_path):
    second = tmp_path / "elsewhere" / "report"
    build_report(SEEDS_DIR, second, progress=False)
    first_files = sorted(p.relative_to(report) for p in report.rglob("*") if p.is_file())
    second_files = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert first_files == second_files
    for relative in first_files:
        assert (report / relative).read_bytes() == (second / relative).read_bytes(), relative


def test_failing_notebook_names_the_cell_and_keeps_the_previous_report(tmp_path):
    out = tmp_path / "report"
    build_report(SEEDS_DIR, out, progress=False)
    before = (out / "index.html").read_bytes()
    broken = tmp_path / "broken.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("corpus_path = None\nrules_path = None\noutput_dir = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("raise ValueError('the data is odd')"),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, broken)
    expected = r"broken\.ipynb: cell 3 \(`raise ValueError\('the data is odd'\)`\) failed: ValueError: the data is odd"
    with pytest.raises(AnalysisError, match=expected):
        build_report(SEEDS_DIR, out, notebooks=(str(broken),), progress=False)
    assert (out / "index.html").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_report_on_bad_corpus_fails_before_any_notebook(tmp_path):
    with pytest.raises(AnalysisError, match="no such file or folder"):
        build_report(tmp_path / "missing", tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()
