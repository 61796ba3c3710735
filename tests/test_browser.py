"""The rendered report in a real browser (Debian's Chromium driven by Playwright), offline."""

import os
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from analysis.paths import PROJECT_ROOT
from analysis.report import build_report

from conftest import write_jsonl

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed: .ci/run should have installed Debian's package", pytrace=False)
    pytest.skip("no chromium on this machine (apt-get install chromium to run the browser tests)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def open_page(browser, path: Path):
    """Open a report page offline; return (page, console errors, refused network requests)."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors, refused = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    def route(request_route):
        if request_route.request.url.startswith(("file:", "data:")):
            request_route.continue_()
        else:
            refused.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, errors, refused


def test_every_page_loads_offline_with_images_and_working_links(browser, seed_report):
    ARTIFACTS.mkdir(exist_ok=True)
    pages = sorted(seed_report.glob("*.html"))
    assert "index.html" in [page.name for page in pages]
    for path in pages:
        page, errors, refused = open_page(browser, path)
        images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])")
        assert all(complete and width > 0 for complete, width, _ in images), path.name
        assert all(alt and alt != "Figure without a description" for _, _, alt in images), path.name
        anchors = page.evaluate(
            "Array.from(document.querySelectorAll('.report-toc a')).map(a => a.getAttribute('href'))")
        assert anchors, f"{path.name} has no table of contents"
        for anchor in anchors:
            assert page.evaluate("id => document.getElementById(id) !== null", anchor[1:]), (path.name, anchor)
        for href in page.evaluate(
                "Array.from(document.querySelectorAll('.report-nav a')).map(a => a.getAttribute('href'))"):
            assert (seed_report / href).is_file(), (path.name, href)
        assert errors == [], (path.name, errors)
        assert refused == [], (path.name, refused)
        page.screenshot(path=str(ARTIFACTS / f"report-{path.stem}.png"), full_page=False)
        page.close()


def test_study_page_hides_code_and_appendices_show_it(browser, seed_report):
    page, _, _ = open_page(browser, seed_report / "index.html")
    assert page.evaluate("document.querySelectorAll('.jp-CodeCell .jp-InputArea').length") == 0
    assert page.evaluate("document.getElementById('provenance') !== null")
    page.close()
    page, _, _ = open_page(browser, seed_report / "02_vocabulary.html")
    assert page.evaluate("document.querySelectorAll('.jp-CodeCell .jp-InputArea').length") > 0
    page.close()


HOSTILE_TITLE = "<script>window.__injected = 1</script>Headline"
HOSTILE_TEXT = 'A body line with <img src="x" onerror="window.__injected = 2"> inside it and <b>bold</b>.'


def test_html_in_the_corpus_is_shown_as_text(browser, tmp_path):
    records = [
        {"doc_id": "a", "outlet": "Outlet <i>A</i>", "title": HOSTILE_TITLE,
         "text": f"{HOSTILE_TITLE}\n\nStandfirst here.\n\n{HOSTILE_TEXT}\n\nThe minister said \"fine\".\n"},
        {"doc_id": "b", "outlet": "Outlet B", "title": "Plain",
         "text": "Plain\n\nStandfirst.\n\nAnother body line about missiles and <script>x()</script>.\n"},
    ]
    codebook = tmp_path / "hostile-codebook.yaml"
    codebook.write_text(
        "frames:\n"
        "  - name: <img src=x onerror=\"window.__injected = 3\">\n"
        "    description: <script>window.__injected = 4</script> a frame\n"
        "    terms:\n"
        "      - missiles\n"
        "      - body line\n"
        "naming_sets:\n"
        "  - name: <b>labels</b>\n"
        "    description: two labels\n"
        "    labels:\n"
        "      - minister\n"
        "      - <i>standfirst</i>\n",
        encoding="utf-8",
    )
    out = tmp_path / "report"
    build_report(write_jsonl(tmp_path / "hostile.jsonl", records), out, codebook_path=codebook, progress=False)
    for path in sorted(out.glob("*.html")):
        page, errors, _ = open_page(browser, path)
        assert page.evaluate("window.__injected === undefined"), path.name
        assert page.evaluate("document.querySelectorAll('main img[onerror]').length") == 0, path.name
        # The only scripts are the term explorer's own four (bokeh, its data, its embedding), none from the corpus.
        assert page.evaluate("Array.from(document.querySelectorAll('main script'))"
                             ".filter(s => !s.closest('.term-explorer')).length") == 0, path.name
        assert page.evaluate("Array.from(document.querySelectorAll('.term-explorer'))"
                             ".every(e => e.querySelectorAll('script').length === 4)"), path.name
        assert errors == [], (path.name, errors)
        page.close()
    page, _, _ = open_page(browser, out / "01_corpus.html")
    assert "<script>window.__injected = 1</script>Headline" in page.inner_text("body")
    page.close()
    page, _, _ = open_page(browser, out / "03_framing.html")
    assert '<img src=x onerror="window.__injected = 3">' in page.inner_text("body")
    page.close()


class _RecordingHandler(BaseHTTPRequestHandler):
    """Answers every request with 404 and remembers its path: the server a hostile corpus points at."""

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        self.server.paths.append(self.path)
        self.send_error(404)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def hostile_server():
    """A local HTTP server on a free port; yields (its address, the paths requested from it)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RecordingHandler)
    server.paths = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}", server.paths
    server.shutdown()
    server.server_close()


def hostile_markdown(server: str, name: str) -> str:
    """Return Markdown that would load an image from ``server`` and link to it and to a script."""
    return (f"![{name}](http://{server}/{name}.png) [{name}](javascript:window.__injected='{name}') "
            f"<http://{server}/{name}-auto> http://{server}/{name}-bare $x^2$ $\\foo$")


@pytest.fixture(scope="module")
def markdown_report(tmp_path_factory, hostile_server):
    """The report of a corpus whose outlets, events, titles, sentences, frames and labels are hostile Markdown."""
    server, _ = hostile_server
    folder = tmp_path_factory.mktemp("markdown-report")
    outlets = [f"A ![b](http://{server}/b.png)", "B [x](javascript:alert(1))"]
    body = ("The minister said the parade marked Victory Day. "
            f"See {hostile_markdown(server, 'body')} and <script>window.__injected = 'script'</script>.\n\n"
            f"\"It was a [fine day](javascript:alert(2)) for $x^2$ {hostile_markdown(server, 'quote')},\" "
            "the minister said.\n\nBanned missiles and sanctions were discussed, analysts said.\n")
    records = [
        {"doc_id": f"d{index}", "outlet": outlet, "event": f"[event](http://{server}/event) $\\foo$",
         "title": f"Title {hostile_markdown(server, f'title{index}')}",
         "text": f"Title {hostile_markdown(server, f'headline{index}')}\n\nStandfirst here.\n\n{body}"}
        for index, outlet in enumerate(outlets)
    ]
    codebook = folder / "codebook.yaml"
    codebook.write_text(yaml.safe_dump({
        "frames": [
            {"name": hostile_markdown(server, "frame"), "description": hostile_markdown(server, "description"),
             "terms": ["missiles", "sanctions"]},
            {"name": "[occasion](javascript:alert(3))", "description": "plain", "terms": ["Victory Day"]},
        ],
        "naming_sets": [
            {"name": hostile_markdown(server, "set"), "description": "two labels",
             "labels": [{"label": hostile_markdown(server, "label"), "terms": ["minister"]},
                        {"label": "[analysts](javascript:alert(4))", "terms": ["analysts"]}]},
        ],
    }, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = folder / "report"
    build_report(write_jsonl(folder / "hostile.jsonl", records), out, codebook_path=codebook, progress=False)
    return out, outlets


def test_markdown_in_the_corpus_makes_no_request_and_no_live_link(browser, markdown_report, hostile_server):
    out, outlets = markdown_report
    server, server_requests = hostile_server
    ARTIFACTS.mkdir(exist_ok=True)
    pages = sorted(out.glob("*.html"))
    assert len(pages) == 6, [path.name for path in pages]
    for path in pages:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        requests, errors = [], []
        page.on("request", lambda request: requests.append(request.url))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(path.as_uri())
        page.wait_for_load_state("networkidle")
        assert [url for url in requests if url != path.as_uri() and not url.startswith("data:")] == [], path.name
        links = page.evaluate("Array.from(document.querySelectorAll('[href]')).map(e => e.getAttribute('href'))")
        assert [link for link in links if link.strip().lower().startswith("javascript:") or server in link] == []
        sources = page.evaluate("Array.from(document.querySelectorAll('[src], [srcset]'))"
                                ".map(e => e.getAttribute('src') || e.getAttribute('srcset'))")
        assert [source for source in sources if not source.startswith("data:")] == [], path.name
        assert page.evaluate("window.__injected === undefined"), path.name
        assert errors == [], (path.name, errors)
        page.screenshot(path=str(ARTIFACTS / f"report-markdown-{path.stem}.png"), full_page=False)
        text = page.inner_text("body")
        if path.name == "index.html":  # the study page shows the names as they are written
            for outlet in outlets:
                assert outlet in text, outlet
            # The story names the event by its title: the first of its documents' (equally common) titles.
            assert f"Title {hostile_markdown(server, 'title0')}" in text
        if path.name == "03_framing.html":
            assert f"{hostile_markdown(server, 'frame')}: " in text  # the concordance heading per frame
        page.close()
    assert server_requests == []


# --- the term explorer (analysis.explorer) -------------------------------------------------

EXPLORER_HOSTILE = '</script><script>alert(5)</script> <img src=x onerror="alert(6)"> & $$y$$'
EXPLORER_OUTLET = f"A {EXPLORER_HOSTILE} <!--"  # in a sentence, "!" would end the sentence

# Where a term's point is on the screen: its data position through the plot's scales, plus the canvas's place.
EXPLORER_POINT = """([term, comparison]) => {
  const doc = Bokeh.documents[0];
  const plot = doc.get_model_by_name("term-explorer-plot");
  const view = Bokeh.index.roots[0].owner.get_one(plot);
  const data = plot.renderers[0].data_source.data;
  let row = -1;
  for (let i = 0; i < data.term.length; i++) {
    if (data.term[i] === term && data.comparison[i] === comparison) { row = i; }
  }
  const box = view.canvas_view.el.getBoundingClientRect();
  return [box.left + view.frame.x_scale.compute(data.total[row]),
          box.top + view.frame.y_scale.compute(data.log_odds_z[row])];
}"""

# The text a widget shows (its shadow root, less bokeh's style sheets); null if it holds an element from the text.
EXPLORER_TEXT = """name => {
  const model = Bokeh.documents[0].get_model_by_name(name);
  const root = Bokeh.index.roots[0].owner.get_one(model).el.shadowRoot;
  if (root.querySelectorAll("img, script, b, i").length > 0) { return null; }
  return Array.from(root.children).filter(e => e.tagName !== "STYLE" && e.tagName !== "LINK")
    .map(e => e.innerText).join("");
}"""


def test_term_explorer_searches_hovers_and_lists_sentences_offline(browser, tmp_path):
    import nbformat

    from analysis import read_corpus
    from analysis.explorer import term_explorer
    from analysis.report import _render

    records = [
        {"doc_id": "a", "outlet": EXPLORER_OUTLET,
         "text": "Sanctions hurt farmers.\n\nStandfirst here.\n\n"
                 f"Farmers protest sanctions, {EXPLORER_HOSTILE} they said.\n\nSanctions again.\n"},
        {"doc_id": "b", "outlet": "B",
         "text": f"Missiles fly {EXPLORER_HOSTILE}.\n\nStandfirst there.\n\nFarmers watch missiles.\n"},
    ]
    explorer = term_explorer(read_corpus(write_jsonl(tmp_path / "explorer.jsonl", records)))
    # The page as the report renders a notebook that displays the explorer (its offline template).
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Vocabulary\n\n## Term explorer"),
        nbformat.v4.new_code_cell("term_explorer(corpus)", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/html": explorer._repr_html_(), "text/plain": "TermExplorer"})]),
    ]
    page_path = tmp_path / "explorer.html"
    page_path.write_text(_render(notebook, "Vocabulary", [("explorer.html", "Vocabulary")], show_code=False),
                         encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    page, errors, refused = open_page(browser, page_path)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.wait_for_function("window.Bokeh !== undefined && Bokeh.index.roots.length > 0")
    comparison = f"{EXPLORER_OUTLET} vs the other outlets"
    assert page.locator("select").input_value() == comparison  # the outlet's name as typed, in the selector

    page.locator("input[placeholder='type part of a term']").type("farm")
    page.wait_for_function("text => Bokeh.documents[0].get_model_by_name('term-explorer-status').text.includes(text)",
                           arg="1 term contains")
    assert "1 term contains “farm” in this comparison." in page.evaluate(EXPLORER_TEXT, "term-explorer-status")
    page.screenshot(path=str(ARTIFACTS / "explorer-search.png"))

    x, y = page.evaluate(EXPLORER_POINT, ["farmers", comparison])
    page.mouse.move(x, y)
    tooltip = page.get_by_text("count (target / reference):")
    tooltip.wait_for(state="visible")
    page.screenshot(path=str(ARTIFACTS / "explorer-hover.png"))
    # farmers: 2 in A, 1 in B.
    assert page.get_by_text("2 / 1", exact=True).is_visible()

    page.mouse.click(x, y)
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('term-explorer-sentences').text !== ''")
    shown = page.evaluate(EXPLORER_TEXT, "term-explorer-sentences")
    page.screenshot(path=str(ARTIFACTS / "explorer-sentences.png"), full_page=True)
    assert shown == (f"{EXPLORER_OUTLET}: Sanctions hurt farmers.\n\n"
                     f"{EXPLORER_OUTLET}: Farmers protest sanctions, {EXPLORER_HOSTILE} they said.\n\n"
                     "B: Farmers watch missiles.")
    assert "Sentences with “farmers”" in page.evaluate(EXPLORER_TEXT, "term-explorer-heading")

    page.locator("select").select_option(label="B vs the other outlets")
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('term-explorer-sentences').text === ''")
    page.locator("input[placeholder='type part of a term']").fill("missiles")  # a whole term selects it
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('term-explorer-sentences').text !== ''")
    assert page.evaluate(EXPLORER_TEXT, "term-explorer-sentences") == (
        f"B: Missiles fly {EXPLORER_HOSTILE}.\n\nB: Farmers watch missiles.")
    page.screenshot(path=str(ARTIFACTS / "explorer-whole-term.png"), full_page=True)

    assert page.evaluate("window.__injected === undefined")
    assert dialogs == []
    assert errors == [], errors
    assert refused == [], refused
    page.close()


def test_the_seed_reports_term_explorer_works_offline(browser, seed_report):
    """The explorer on the vocabulary page of the report itself: search, hover, click, with no request."""
    page, errors, refused = open_page(browser, seed_report / "02_vocabulary.html")
    page.wait_for_function("window.Bokeh !== undefined && Bokeh.index.roots.length > 0")
    assert page.locator(".term-explorer").count() == 1
    comparison = "The National vs the other outlets"
    page.locator(".term-explorer select").select_option(label=comparison)
    search = page.locator(".term-explorer input[placeholder='type part of a term']")
    search.type("defenc")
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('term-explorer-status').text.includes('defenc')")
    x, y = page.evaluate(EXPLORER_POINT, ["defence", comparison])
    page.mouse.move(x, y)
    # Terms with the same counts sit on the same spot, so the tooltip may list several; each reads 4 / 0 here:
    # "defence" is 4 times in The National's article and never in the other two (read in seeds/).
    page.get_by_text("count (target / reference):").first.wait_for(state="visible")
    assert page.get_by_text("4 / 0", exact=True).first.is_visible()
    search.fill("defence")  # the whole term selects it and lists its sentences
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('term-explorer-sentences').text !== ''")
    lines = page.evaluate(EXPLORER_TEXT, "term-explorer-sentences").split("\n\n")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "seed-report-explorer.png"), full_page=False)
    assert lines and all(line.startswith("The National: ") and "defence" in line.lower() for line in lines)
    assert errors == [], errors
    assert refused == [], refused
    page.close()
