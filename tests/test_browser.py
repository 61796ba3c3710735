"""The rendered report in a real browser (Debian's Chromium driven by Playwright), offline."""

import os
import shutil
from pathlib import Path

import pytest

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
        assert page.evaluate("document.querySelectorAll('main img[onerror], main script').length") == 0, path.name
        assert errors == [], (path.name, errors)
        page.close()
    page, _, _ = open_page(browser, out / "01_corpus.html")
    assert "<script>window.__injected = 1</script>Headline" in page.inner_text("body")
    page.close()
    page, _, _ = open_page(browser, out / "03_framing.html")
    assert '<img src=x onerror="window.__injected = 3">' in page.inner_text("body")
    page.close()
