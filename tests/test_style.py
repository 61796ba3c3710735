"""The shared figure style: fixed outlet colours and byte-identical files."""

from analysis.style import PALETTE, new_figure, outlet_colors, save_figure


def test_outlet_colours_depend_only_on_the_set_of_outlets():
    first = outlet_colors(["The National", "DW", "Overt Operator"])
    second = outlet_colors(["Overt Operator", "The National", "DW", "DW"])
    assert first == second == {"DW": PALETTE[0], "Overt Operator": PALETTE[1], "The National": PALETTE[2]}


def _draw(folder):
    figure, axes = new_figure(4, 3)
    axes.bar(["DW", "The National"], [3, 5], color=["#E69F00", "#56B4E9"])
    axes.set_title("A test figure")
    return save_figure(figure, "test-figure", folder)


def test_saved_figures_are_byte_identical(tmp_path):
    first = _draw(tmp_path / "one")
    second = _draw(tmp_path / "two")
    assert [path.name for path in first] == ["test-figure.png", "test-figure.svg"]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes()
    svg = first[1].read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg


def test_category_colours_never_reuse_an_outlet_colour():
    from analysis.style import CATEGORY_PALETTE, category_colors

    colours = category_colors(["state media", "analysts", "US government"])
    assert list(colours.values()) == list(CATEGORY_PALETTE[:3])
    assert not set(CATEGORY_PALETTE) & set(PALETTE)


def test_text_colour_on_dark_and_light_backgrounds():
    from analysis.style import text_color_on

    # Luminance 0.299 R + 0.587 G + 0.114 B: indigo #332288 ≈ 0.18 (dark), sand #DDCC77 ≈ 0.79 (light).
    assert text_color_on("#332288") == "white"
    assert text_color_on("#DDCC77") == "black"
