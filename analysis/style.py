"""One style for every figure: palette, outlet colours, titles, source line, deterministic saving.

Every plot function in the package draws with this module and saves through
:func:`save_figure`, so that the same data gives byte-identical PNG and SVG files
on any machine with the pinned matplotlib.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import matplotlib

matplotlib.use("Agg")  # figures are files; no screen is needed
# matplotlib.pyplot (a quarter of a second) is imported by the functions that draw, so that every command
# that draws nothing starts without it.

# Okabe & Ito (2008) colour-blind-safe palette, black left out (kept for text).
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#999999")
NEUTRAL = "#4D4D4D"
# Categories that are not outlets (source categories) take a second colour-blind-safe set
# (from Paul Tol's "muted" scheme), so no category is mistaken for an outlet.
CATEGORY_PALETTE = ("#332288", "#CC6677", "#DDCC77", "#44AA99", "#882255", "#999933", "#AA4499", "#117733")
SOURCE_LINE = "Source: {corpus}. Analysis: the `analysis` package."

STYLE = {
    "font.family": "DejaVu Sans",  # bundled with matplotlib: no system font leaks in
    "font.size": 10,
    # Outlet, frame and term names are corpus text: "$x^2$" is drawn as typed, never as mathematics
    # (and "$\foo$" cannot fail a figure). The package's own labels use Unicode (log₂, −), never mathtext.
    "text.parse_math": False,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "legend.frameon": False,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "svg.fonttype": "path",
    "svg.hashsalt": "media-framing-study",
    "path.simplify": True,
}


def apply_style() -> None:
    """Set the project's matplotlib style for the figures that follow."""
    import matplotlib.pyplot as plt

    plt.rcParams.update(STYLE)


def outlet_colors(outlets: Iterable[str]) -> dict[str, str]:
    """Return a fixed colour per outlet: outlets sorted by name take the palette in turn.

    The same set of outlets always gets the same colours, in every figure. With
    more outlets than colours, colours repeat (and the legend still names them).
    """
    names = sorted(set(outlets), key=str.casefold)
    return {name: PALETTE[index % len(PALETTE)] for index, name in enumerate(names)}


def category_colors(categories: Iterable[str]) -> dict[str, str]:
    """Return a colour per category, in the order given, from :data:`CATEGORY_PALETTE` (never an outlet colour)."""
    names = list(dict.fromkeys(categories))
    return {name: CATEGORY_PALETTE[index % len(CATEGORY_PALETTE)] for index, name in enumerate(names)}


def text_color_on(background: str) -> str:
    """Return "white" or "black", whichever reads better on the ``background`` colour (#RRGGBB)."""
    red, green, blue = (int(background[index:index + 2], 16) / 255 for index in (1, 3, 5))
    return "white" if 0.299 * red + 0.587 * green + 0.114 * blue < 0.5 else "black"


def new_figure(width: float = 7.0, height: float = 4.0, **kwargs):
    """Return ``(figure, axes)`` in the project style."""
    import matplotlib.pyplot as plt

    apply_style()
    return plt.subplots(figsize=(width, height), **kwargs)


def add_source_line(figure, corpus_label: str) -> None:
    """Write the source line under the figure (which corpus, which tool)."""
    figure.text(0.0, -0.02, SOURCE_LINE.format(corpus=corpus_label), ha="left", va="top",
                fontsize=7.5, color=NEUTRAL, transform=figure.transFigure)


def save_figure(figure, name: str, folder: Path | str, formats: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    """Save ``figure`` as ``folder/NAME.png`` and ``.svg`` without dates or version stamps; return the paths.

    ``name`` says what the figure shows (``frame-rates-by-outlet``). The figure is
    closed afterwards.
    """
    import matplotlib.pyplot as plt

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                "pdf": {"CreationDate": None, "Producer": None, "Creator": None}}
    paths = []
    with plt.rc_context({"svg.hashsalt": STYLE["svg.hashsalt"]}):
        for extension in formats:
            path = folder / f"{name}.{extension}"
            figure.savefig(path, format=extension, metadata=metadata[extension])
            paths.append(path)
    plt.close(figure)
    return paths


def corpus_label(corpus) -> str:
    """Return a short description of the corpus for source lines: name, documents, outlets."""
    source = Path(corpus.source)
    name = "seed corpus" if source.name == "seeds" else source.name
    return f"{name}, {len(corpus.documents)} articles from {len(corpus.outlets)} outlets"


def show_figure(figure, name: str, alt: str, output_dir: Path | str | None = None):
    """Save ``figure`` under ``output_dir/figures`` (when given) and return it as an image for a notebook.

    The returned ``IPython.display.Image`` carries ``alt`` (a sentence saying what the
    figure shows), which the report writes as the image's alt text.
    """
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    if output_dir is not None:
        # The PNG save_figure would draw again is these bytes: only the SVG is drawn anew.
        folder = Path(output_dir) / "figures"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.png").write_bytes(buffer.getvalue())
        save_figure(figure, name, folder, formats=("svg",))
    plt.close(figure)
    return Image(data=buffer.getvalue(), format="png", metadata={"alt": alt})
