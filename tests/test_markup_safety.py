"""Corpus text is text everywhere: never a Markdown link, image or formula in a page, never mathtext in a figure."""

import re

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

from analysis import read_corpus, study, tone
from analysis.framing import frame_counts, plot_frame_rates
from analysis.output import markdown_text, safe_markdown
from analysis.sources import attributions, outlet_sources, sourcing_sentence
from analysis.style import save_figure

from conftest import write_jsonl

IMAGE_OUTLET = "A ![b](http://127.0.0.1:8765/b.png)"
SCRIPT_LINK_OUTLET = "B [x](javascript:alert(1))"
HOSTILE = [
    IMAGE_OUTLET,
    SCRIPT_LINK_OUTLET,
    "$\\foo$ costs $x^2$ and $$y$$",
    "<script>alert(1)</script> & &amp; &lt;b&gt;",
    "<http://127.0.0.1:8765/auto> www.example.com/x http://127.0.0.1:8765/bare user@example.com",
    "[ref]: http://127.0.0.1:8765/ref [ref] [^note]",
    "*em* _em_ **strong** `code` ~~gone~~ \\(x\\) \\[y\\]",
    "| a | b |",
    "# heading",
    "1. item",
    "- item\n# heading\u2028> quote",
    "trailing backslash \\",
]


def render(markdown: str) -> BeautifulSoup:
    """Return the HTML nbconvert makes of a Markdown output (the report's renderer: mistune, raw HTML allowed)."""
    renderer = IPythonRenderer(escape=False, embed_images=True, path=".")
    return BeautifulSoup(MarkdownWithMath(renderer=renderer).render(markdown), "html.parser")


def as_displayed(value: str) -> str:
    """Return ``value`` as the report should show it: every character, line breaks as spaces."""
    return re.sub(r"[\n\u2028]", " ", value)


@pytest.mark.parametrize("value", HOSTILE)
def test_a_corpus_value_renders_as_exactly_its_characters(value):
    page = render(safe_markdown(f"- **{markdown_text(value)}**: {markdown_text(value)}").data)
    tags = sorted({tag.name for tag in page.find_all(True)})
    assert tags == ["li", "strong", "ul"], tags  # the package's own Markdown, nothing from the value
    item = page.find("li")
    assert item.find("strong").get_text() == as_displayed(value)
    assert item.get_text() == f"{as_displayed(value)}: {as_displayed(value)}"


def test_markdown_text_alone_is_safe_and_exact():
    for value in HOSTILE:
        page = render(markdown_text(value))
        assert [tag.name for tag in page.find_all(True)] == ["p"], value
        assert page.get_text().strip() == as_displayed(value).strip()


def test_dollars_never_reach_nbconverts_math_parser():
    # nbconvert's Markdown keeps $…$ for MathJax (it would typeset "$x^2$" if a page loaded it):
    # unescaped, the formula comes back as math; escaped, as plain text.
    assert str(render("$x^2$")).strip() == "<p>$x^2$</p>"  # math passed through for MathJax
    assert str(render("$x_1$ and $x_2$")).strip() == "<p>$x_1$ and $x_2$</p>"  # and not read as emphasis
    escaped = markdown_text("$x_1$ and $x_2$")
    assert escaped == "\\$x\\_1\\$ and \\$x\\_2\\$"
    assert render(escaped).get_text().strip() == "$x_1$ and $x_2$"


def test_the_offline_page_loads_no_mathjax_and_shows_the_value_as_text():
    from analysis.report import _render

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# A page\n\n## Section"),
        nbformat.v4.new_code_cell("sentence", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/markdown": safe_markdown(f"**{markdown_text(HOSTILE[2])}**").data})]),
    ]
    page = BeautifulSoup(_render(notebook, "A page", [("index.html", "A page")], show_code=False), "html.parser")
    assert page.find_all("script") == []  # no MathJax, nor anything else to load
    output = page.find(class_="jp-OutputArea-output", attrs={"data-mime-type": "text/markdown"})
    assert output.find("strong").get_text() == "$\\foo$ costs $x^2$ and $$y$$"


@pytest.fixture(scope="module")
def hostile_corpus(tmp_path_factory):
    """Two outlets named with a remote image and a javascript: link; a hostile event and sentence."""
    folder = tmp_path_factory.mktemp("hostile")
    return read_corpus(write_jsonl(folder / "hostile.jsonl", [
        {"doc_id": "a", "outlet": IMAGE_OUTLET, "event": "[e](http://127.0.0.1:8765/e)",
         "event_title": "[t](http://127.0.0.1:8765/t)",
         "text": "Sanctions talk\n\nThe sanctions were discussed at the parade, a minister said.\n\n"
                 "\"It was a fine [day](javascript:alert(2)) for $x^2$,\" the minister said.\n"},
        {"doc_id": "b", "outlet": SCRIPT_LINK_OUTLET, "event": "[e](http://127.0.0.1:8765/e)",
         "text": "Missiles shown\n\nBanned missiles were shown at the parade.\n\n"
                 "Analysts said the missiles ![i](http://127.0.0.1:8765/i.png) were new.\n"},
    ]))


def assert_text_only(markdown: str, *expected: str) -> None:
    """Assert that the rendered ``markdown`` has no link, image or script and shows each ``expected`` string."""
    page = render(markdown)
    assert page.find_all(["a", "img", "script"]) == []
    for text in expected:
        assert text in page.get_text(), text


def test_computed_sentences_show_hostile_names_as_text(hostile_corpus):
    from analysis.codebook import read_codebook

    # The story names events by title (here the event_title column).
    assert_text_only(safe_markdown(study.describe_story(hostile_corpus)).data, "[t](http://127.0.0.1:8765/t)")
    assert_text_only(safe_markdown(study.describe_corpus(hostile_corpus)).data, IMAGE_OUTLET, SCRIPT_LINK_OUTLET)
    frames = frame_counts(hostile_corpus, read_codebook(None))
    from analysis.framing import framing_summary

    summary = framing_summary(frames)
    assert_text_only(safe_markdown(summary).data, IMAGE_OUTLET, SCRIPT_LINK_OUTLET)
    found = attributions(hostile_corpus)
    assert_text_only(safe_markdown(sourcing_sentence(outlet_sources(hostile_corpus, found))).data,
                     IMAGE_OUTLET, SCRIPT_LINK_OUTLET)
    tones = tone.sentence_tone(hostile_corpus)
    extremes = tone.extreme_sentences(tones, n=3)
    assert_text_only(safe_markdown(tone.extreme_sentences_text(extremes)).data,
                     "[day](javascript:alert(2)) for $x^2$", "![i](http://127.0.0.1:8765/i.png)")
    differences = pd.DataFrame([(IMAGE_OUTLET, SCRIPT_LINK_OUTLET, "all", 4, 3, 0.1, 0.0, 0.1, -0.2, 0.4, "",
                                 0.6, 0.5, 0.005, 9999)],
                               columns=["outlet_a", "outlet_b", "voice", "n_a", "n_b", "mean_a", "mean_b",
                                        "difference", "ci_low", "ci_high", "interval_note",
                                        "detectable_difference", "p_value", "p_mc_error", "n_permutations"])
    assert_text_only(safe_markdown(tone.difference_sentence(differences)).data,
                     f"{IMAGE_OUTLET} − {SCRIPT_LINK_OUTLET}: +0.10")


def test_a_frame_named_with_markdown_stays_text(hostile_corpus, tmp_path):
    from analysis.codebook import read_codebook
    from analysis.framing import framing_summary

    codebook = tmp_path / "codebook.yaml"
    codebook.write_text("frames:\n"
                        "  - name: \"[f](javascript:alert(3)) ![g](http://127.0.0.1:8765/g.png) $x$\"\n"
                        "    description: d\n"
                        "    terms:\n"
                        "      - missiles\n"
                        "      - sanctions\n", encoding="utf-8")
    frames = frame_counts(hostile_corpus, read_codebook(codebook))
    assert_text_only(safe_markdown(framing_summary(frames)).data,
                     "most frequent frame [f](javascript:alert(3)) ![g](http://127.0.0.1:8765/g.png) $x$")


def _glyph_reference(character: str) -> str:
    """Return the SVG id matplotlib gives ``character`` drawn in bold DejaVu Sans (as outlet tick labels are)."""
    from matplotlib.font_manager import FontProperties, findfont
    from matplotlib.ft2font import FT2Font

    font = FT2Font(findfont(FontProperties(family="DejaVu Sans", weight="bold")))
    return f'href="#{font.postscript_name}-{font.get_char_index(ord(character)):x}"'


def test_figures_draw_dollar_signs_as_typed(tmp_path):
    # Before: "$x^2$" became a superscript and "$\foo$" failed the figure ("Unknown symbol: \foo").
    table = pd.DataFrame({"outlet": ["$\\foo$", "$x^2$"], "frame": ["cost$", "cost$"],
                          "count": [1, 2], "per_1k_words": [1.0, 2.0]})
    png, svg = save_figure(plot_frame_rates(table, "corpus $a$"), "dollars", tmp_path)
    assert png.stat().st_size > 0
    text = svg.read_text(encoding="utf-8")
    for label in ("$\\foo$", "$x^2$", "cost$", "Source: corpus $a$."):
        assert f"<!-- {label}" in text, label  # matplotlib writes each text element's string before its glyphs
    for character in "$\\^":  # drawn as glyphs, which mathtext never draws
        assert _glyph_reference(character) in text, character
