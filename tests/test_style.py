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
