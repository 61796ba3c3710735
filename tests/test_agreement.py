"""Codebook validation: coding sheets, Krippendorff's α between coders, and the dictionary's P/R/F1."""

import csv
import io
import math

import pytest

from analysis import read_corpus
from analysis.agreement import (adjudicated, coder_agreement, coding_sheet, dictionary_agreement, nominal_alpha,
                                read_coded_sheet, sheet_csv, stratified_allocation)
from analysis.cli import main
from analysis.codebook import read_codebook
from analysis.paths import SEEDS_DIR
from conftest import write_manifest_corpus

CODEBOOK = """\
frames:
  - name: weather
    description: Storms and their damage.
    terms: [storm]
  - name: money
    description: Budgets.
    terms: [budget]
  - name: sport
    description: Games.
    terms: [football]
"""
FRAMES = ["weather", "money", "sport"]


@pytest.fixture
def small(tmp_path):
    """A two-outlet corpus (Alpha: 5 sentences, Beta: 3) and a three-frame codebook, as files."""
    folder = write_manifest_corpus(tmp_path / "corpus", [
        {"doc_id": "a1", "outlet": "Alpha",
         "text": "Storms hit the coast\n\nThe storm flooded the town. Rescue teams arrived.\n\n"
                 "The mayor blamed the budget. Nobody answered.\n"},
        {"doc_id": "b1", "outlet": "Beta", "text": "Budget cuts\n\nThe budget fell. The storm came anyway.\n"},
    ])
    codebook = tmp_path / "codebook.yaml"
    codebook.write_text(CODEBOOK, encoding="utf-8")
    return folder, codebook


def write_sheet(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


# --- α: Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability" ------------------------

BINARY_A = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
BINARY_B = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]


def test_binary_example_through_two_coded_sheets(tmp_path):
    header = ["unit_id", "text", "present"]
    a = write_sheet(tmp_path / "a.csv", header, [[f"u{i}", "", code] for i, code in enumerate(BINARY_A, 1)])
    b = write_sheet(tmp_path / "b.csv", header, [[f"u{i}", "", code] for i, code in enumerate(BINARY_B, 1)])
    table = coder_agreement({"A": read_coded_sheet(a, ["present"]), "B": read_coded_sheet(b, ["present"])})
    row = table.set_index("frame").loc["present"]
    assert round(row["alpha"], 3) == 0.095  # Krippendorff 2011, section C
    assert row["n_units"] == 10
    # Units 1, 3, 6, 9 differ: 6 of 10 agree.
    assert row["agreement_pct"] == pytest.approx(60.0)
    assert (row["positives: A"], row["positives: B"]) == (2, 4)
    # One frame: the pooled row is the same data.
    assert round(table.set_index("frame").loc["all frames (pooled)", "alpha"], 3) == 0.095


def test_nominal_example_with_missing_values():
    n = math.nan
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
            [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n]]
    assert round(nominal_alpha(data), 3) == 0.743  # Krippendorff 2011, section E


def test_units_missing_from_a_sheet_are_missing_values_not_errors(tmp_path):
    header = ["unit_id", "present"]
    a = write_sheet(tmp_path / "a.csv", header, [[f"u{i}", code] for i, code in enumerate(BINARY_A, 1)])
    # B drops u10 and codes an extra unit u11 that A never saw, and leaves u9 blank.
    rows = [[f"u{i}", code] for i, code in enumerate(BINARY_B[:9], 1)] + [["u11", 1]]
    rows[8][1] = ""
    b = write_sheet(tmp_path / "b.csv", header, rows)
    table = coder_agreement({"A": read_coded_sheet(a, ["present"]), "B": read_coded_sheet(b, ["present"])})
    row = table.set_index("frame").loc["present"]
    # Paired units: u1..u8; they differ on u1, u3, u6 → 5 of 8 agree.
    assert row["n_units"] == 8
    assert row["agreement_pct"] == pytest.approx(62.5)
    # Hand computation over u1..u8: A = 0 1 0 0 0 0 0 0, B = 1 1 1 0 0 1 0 0.
    # Coincidences: o00 = 2·4 (u4, u5, u7, u8) = 8, o11 = 2 (u2), o01 = o10 = 3 (u1, u3, u6);
    # n0 = 11, n1 = 5, n = 16. α = 1 − (n − 1)·o01 / (n0·n1) = 1 − 15·3/55 = 0.1818…
    assert row["alpha"] == pytest.approx(1 - 15 * 3 / 55)


def test_alpha_is_undefined_without_variation():
    table = coder_agreement({"A": _sheet(["u1", "u2"], {"present": [0, 0]}),
                             "B": _sheet(["u1", "u2"], {"present": [0, 0]})}).set_index("frame")
    assert math.isnan(table.loc["present", "alpha"])
    assert "undefined" in table.loc["present", "note"]
    assert table.loc["present", "agreement_pct"] == 100


def test_pooled_alpha_counts_every_frame_unit_decision():
    a = _sheet(["u1", "u2"], {"f": [1, 0], "g": [0, 0]})
    b = _sheet(["u1", "u2"], {"f": [1, 1], "g": [0, 0]})
    pooled = coder_agreement({"A": a, "B": b}).set_index("frame").loc["all frames (pooled)"]
    # Four decisions: (1,1) (0,1) (0,0) (0,0). Coincidences o00 = 4, o11 = 2, o01 = o10 = 1;
    # n0 = 5, n1 = 3, n = 8: α = 1 − 7·1/15.
    assert pooled["n_units"] == 4
    assert pooled["alpha"] == pytest.approx(1 - 7 / 15)
    assert pooled["agreement_pct"] == 75


def _sheet(units, codes):
    import pandas as pd

    table = pd.DataFrame({"unit_id": units, "text": [""] * len(units)})
    for frame, values in codes.items():
        table[frame] = pd.array(values, dtype="Int64")
    return table


def test_adjudicated_takes_shared_codes_and_lists_disagreements():
    a = _sheet(["u1", "u2", "u3"], {"f": [1, 0, 1]})
    b = _sheet(["u1", "u2", "u4"], {"f": [1, 1, 0]})
    reference, disagreements = adjudicated({"A": a, "B": b})
    codes = dict(zip(reference["unit_id"], reference["f"]))
    assert codes["u1"] == 1  # both say 1
    assert codes["u2"] is pd_na()  # they differ
    assert codes["u3"] is pd_na() and codes["u4"] is pd_na()  # one coder alone
    assert disagreements[["unit_id", "frame", "A", "B"]].values.tolist() == [["u2", "f", 0, 1]]
    given = _sheet(["u2"], {"f": [1]})
    assert adjudicated({"A": a, "B": b}, given)[0]["unit_id"].tolist() == ["u2"]


def pd_na():
    import pandas as pd

    return pd.NA


# --- the dictionary against the reference: P/R/F1 by hand -----------------------------------

def test_dictionary_precision_recall_f1_by_hand(small):
    folder, codebook_path = small
    corpus, codebook = read_corpus(folder), read_codebook(codebook_path)
    # Sentences: a1-s001 "Storms hit the coast", s002 "The storm flooded the town.", s003 "Rescue teams
    # arrived.", s004 "The mayor blamed the budget.", s005 "Nobody answered."; b1-s001 "Budget cuts",
    # s002 "The budget fell.", s003 "The storm came anyway."
    # Dictionary: weather in a1-s001, a1-s002, b1-s003; money in a1-s004, b1-s001, b1-s002; sport nowhere.
    human = {  # weather, money, sport
        "a1-s001": (1, 0, 0), "a1-s002": (1, 0, 0), "a1-s003": (1, 0, 0), "a1-s004": (0, 1, 0),
        "a1-s005": (0, 0, 0), "b1-s001": (0, 1, 0), "b1-s002": (0, None, 0), "b1-s003": (0, 0, 0),
    }
    reference = _sheet(list(human), {frame: [codes[index] for codes in human.values()]
                                     for index, frame in enumerate(FRAMES)})
    table = dictionary_agreement(corpus, codebook, reference).set_index("frame")
    # weather: TP a1-s001, a1-s002; FP b1-s003; FN a1-s003; TN the other 4.
    weather = table.loc["weather"]
    assert [weather[key] for key in ("TP", "FP", "FN", "TN", "n_units")] == [2, 1, 1, 4, 8]
    assert weather["precision"] == pytest.approx(2 / 3)
    assert weather["recall"] == pytest.approx(2 / 3)
    assert weather["F1"] == pytest.approx(2 / 3)
    # money: b1-s002 not coded; TP a1-s004, b1-s001; TN the other 5.
    money = table.loc["money"]
    assert [money[key] for key in ("TP", "FP", "FN", "TN", "n_units")] == [2, 0, 0, 5, 7]
    assert (money["precision"], money["recall"], money["F1"]) == (1, 1, 1)
    # sport: no positives on either side: every measure undefined, and said so.
    sport = table.loc["sport"]
    assert [sport[key] for key in ("TP", "FP", "FN", "TN")] == [0, 0, 0, 8]
    assert math.isnan(sport["precision"]) and math.isnan(sport["recall"]) and math.isnan(sport["F1"])
    assert "precision undefined" in sport["note"] and "recall undefined" in sport["note"]
    # Micro: TP 4, FP 1, FN 1, TN 17 → P = R = F1 = 0.8.
    micro = table.loc["all frames (micro)"]
    assert [micro[key] for key in ("TP", "FP", "FN", "TN", "n_units")] == [4, 1, 1, 17, 23]
    assert micro["precision"] == pytest.approx(0.8)
    assert micro["recall"] == pytest.approx(0.8)
    assert micro["F1"] == pytest.approx(0.8)


def test_dictionary_on_paragraphs_counts_a_hit_in_any_sentence(small):
    folder, codebook_path = small
    corpus, codebook = read_corpus(folder), read_codebook(codebook_path)
    paragraphs = corpus.paragraphs.set_index("text")["paragraph_id"]
    flooded = paragraphs["The storm flooded the town. Rescue teams arrived."]
    mayor = paragraphs["The mayor blamed the budget. Nobody answered."]
    reference = _sheet([flooded, mayor], {"weather": [1, 1], "money": [0, 1], "sport": [0, 0]})
    table = dictionary_agreement(corpus, codebook, reference).set_index("frame")
    # weather: the storm paragraph is a hit (TP); the mayor paragraph is not (FN).
    assert [table.loc["weather", key] for key in ("TP", "FP", "FN", "TN")] == [1, 0, 1, 0]
    assert [table.loc["money", key] for key in ("TP", "FP", "FN", "TN")] == [1, 0, 0, 1]


# --- the sheet --------------------------------------------------------------------------------

def test_allocation_by_largest_remainders_by_hand():
    # 4 of 5 + 3: quotas 2.5 and 1.5, whole parts 2 and 1, the one left to the first listed of the tie.
    assert stratified_allocation({"Alpha": 5, "Beta": 3}, 4) == {"Alpha": 3, "Beta": 1}
    # 3 of 1 + 50 + 49: quotas 0.03, 1.5, 1.47 → 0, 2, 1; "a" then takes one from "b" (2 − 1.5 beyond quota).
    assert stratified_allocation({"a": 1, "b": 50, "c": 49}, 3) == {"a": 1, "b": 1, "c": 1}
    # 1 unit from 2 outlets: one outlet only; quotas 0.625 and 0.375.
    assert stratified_allocation({"Alpha": 5, "Beta": 3}, 1) == {"Alpha": 1, "Beta": 0}
    assert stratified_allocation({"Alpha": 5, "Beta": 3}, 9) == {"Alpha": 5, "Beta": 3}


def test_sheet_is_stratified_in_article_order_and_blind(small):
    folder, codebook_path = small
    corpus, codebook = read_corpus(folder), read_codebook(codebook_path)
    sheet = coding_sheet(corpus, codebook, sample=4, seed=7)
    assert list(sheet.columns) == ["unit_id", "text", *FRAMES]
    ids = sheet["unit_id"].tolist()
    assert sum(unit.startswith("a1-") for unit in ids) == 3 and sum(unit.startswith("b1-") for unit in ids) == 1
    assert ids == sorted(ids)  # a1 before b1, sentences in order
    assert (sheet[FRAMES] == "").all().all()
    everything = coding_sheet(corpus, codebook, sample=None, seed=7)
    assert len(everything) == 8 and everything.equals(coding_sheet(corpus, codebook, sample=100, seed=1))


def test_sheet_command_is_deterministic_and_shows_no_dictionary(capsys, tmp_path):
    paths = [tmp_path / name for name in ("one.csv", "two.csv", "other.csv")]
    for path, seed in zip(paths, ("5", "5", "6")):
        assert main(["codebook-sheet", "--sample", "15", "--seed", seed, "--out", str(path)]) == 0
    assert paths[0].read_bytes() == paths[1].read_bytes()
    rows = list(csv.reader(io.StringIO(paths[0].read_text(encoding="utf-8"))))
    other = list(csv.reader(io.StringIO(paths[2].read_text(encoding="utf-8"))))
    assert [row[0] for row in rows[1:]] != [row[0] for row in other[1:]]
    frames = read_codebook().frame_names
    assert rows[0] == ["unit_id", "text", *frames]
    assert len(rows) == 16 and all(cell == "" for row in rows[1:] for cell in row[2:])
    seeds = read_corpus(SEEDS_DIR)
    texts = dict(zip(seeds.sentences["sentence_id"], seeds.sentences["text"]))
    assert all(texts[row[0]] == row[1] for row in rows[1:])
    # Seeds: DW 23, Overt Operator 21, The National 28 sentences; 15 of 72 → quotas 4.79, 4.38, 5.83
    # → 4, 4, 5 and the two left to 0.83 and 0.79: 5, 4, 6.
    prefixes = [row[0].rsplit("-s", 1)[0] for row in rows[1:]]
    assert [prefixes.count(doc) for doc in ("dw", "overt-operator", "the-national")] == [5, 4, 6]
    # Running it again onto the same file is allowed (same bytes); onto a coded sheet it is not.
    assert main(["codebook-sheet", "--sample", "15", "--seed", "5", "--out", str(paths[0])]) == 0


def test_formula_like_text_survives_the_round_trip(tmp_path):
    folder = write_manifest_corpus(tmp_path / "corpus", [
        {"doc_id": "d1", "outlet": "X",
         "text": "Headline\n\n=SUM(A1) was typed.\n\n-5 degrees tonight.\n\n@user wrote.\n\n'Quoted' at the start.\n"
                 "\n+1 for this.\n"},
    ])
    codebook = tmp_path / "codebook.yaml"
    codebook.write_text(CODEBOOK, encoding="utf-8")
    corpus = read_corpus(folder)
    sheet = coding_sheet(corpus, read_codebook(codebook), None, 0)
    path = tmp_path / "sheet.csv"
    path.write_text(sheet_csv(sheet), encoding="utf-8")
    cells = [row[1] for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8")))][1:]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    back = read_coded_sheet(path, FRAMES)
    assert back["text"].tolist() == corpus.sentences["text"].tolist()
    assert "=SUM(A1) was typed." in back["text"].tolist() and "'Quoted' at the start." in back["text"].tolist()


# --- every error through the command line: exit 2, one line, nothing written -------------------

def _fails(capsys, args, out=None, expect=""):
    status = main(args)
    captured = capsys.readouterr()
    assert status == 2, captured.err
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1, captured.err
    assert "Traceback" not in captured.err
    assert expect in captured.err, captured.err
    if out is not None:
        assert not out.exists()
    return captured.err


def test_sheet_command_errors(capsys, small, tmp_path):
    folder, codebook = small
    out = tmp_path / "sheet.csv"
    base = ["codebook-sheet", "--corpus", str(folder), "--codebook", str(codebook), "--out", str(out)]
    _fails(capsys, base + ["--sample", "0", "--seed", "1"], out, "0 is less than 1; give 1 or more or 'all'")
    _fails(capsys, base + ["--sample", "ten", "--seed", "1"], out, "not a whole number")
    _fails(capsys, base + ["--sample", "3"], out, "--seed")
    _fails(capsys, base + ["--sample", "3", "--seed", "1", "--unit", "word"], out, "--unit")
    _fails(capsys, ["codebook-sheet", "--corpus", str(folder), "--codebook", str(tmp_path / "none.yaml"),
                    "--out", str(out), "--sample", "3", "--seed", "1"], out, "none.yaml")
    _fails(capsys, ["codebook-sheet", "--corpus", str(folder), "--codebook", str(codebook), "--out", str(tmp_path),
                    "--sample", "3", "--seed", "1"], None, "not a regular file")
    _fails(capsys, base[:-2] + ["--out", str(folder / "sheet.csv"), "--sample", "3", "--seed", "1"],
           folder / "sheet.csv", "input folder")
    coded = tmp_path / "coded.csv"
    coded.write_text("unit_id,text,weather,money,sport\na1-s001,Storms hit the coast,1,0,0\n", encoding="utf-8")
    _fails(capsys, base[:-2] + ["--out", str(coded), "--sample", "3", "--seed", "1"], None, "already exists")
    assert coded.read_text(encoding="utf-8").endswith("1,0,0\n")


GOOD_HEADER = "unit_id,text,weather,money,sport\n"
SHEET_ERRORS = [
    ("empty.csv", b"", "empty"),
    ("header-only.csv", GOOD_HEADER.encode(), "no units"),
    ("unknown-frame.csv", b"unit_id,text,weather,money,sport,notes\na1-s001,t,1,0,0,hi\n", "'notes' is not a frame"),
    ("missing-frame.csv", b"unit_id,text,weather,money\na1-s001,t,1,0\n", "frame 'sport'"),
    ("no-id.csv", b"id,text,weather,money,sport\na1-s001,t,1,0,0\n", "no 'unit_id' column"),
    ("repeated-column.csv", b"unit_id,text,weather,money,sport,money\na1-s001,t,1,0,0,0\n", "appears twice"),
    ("bad-cell.csv", (GOOD_HEADER + "a1-s001,t,1,0,0\na1-s002,t,x,0,0\n").encode(), "row 3: 'x' under 'weather'"),
    ("yes-cell.csv", (GOOD_HEADER + "a1-s001,t,yes,0,0\n").encode(), "row 2"),
    ("two-cell.csv", (GOOD_HEADER + "a1-s001,t,2,0,0\n").encode(), "not a code"),
    ("duplicate.csv", (GOOD_HEADER + "a1-s001,t,1,0,0\na1-s001,t,0,0,0\n").encode(), "already on row 2"),
    ("blank-id.csv", (GOOD_HEADER + ",t,1,0,0\n").encode(), "row 2: the unit_id is blank"),
    ("short-row.csv", (GOOD_HEADER + "a1-s001,t,1,0\n").encode(), "row 2: 4 cells"),
    ("latin1.csv", (GOOD_HEADER + "a1-s001,caf\xe9,1,0,0\n").encode("latin-1"), "not UTF-8"),
]


@pytest.mark.parametrize("name, data, expect", SHEET_ERRORS, ids=[case[0] for case in SHEET_ERRORS])
def test_agreement_command_rejects_bad_sheets(capsys, small, tmp_path, name, data, expect):
    folder, codebook = small
    good = tmp_path / "good.csv"
    good.write_text(GOOD_HEADER + "a1-s001,t,1,0,0\n", encoding="utf-8")
    bad = tmp_path / name
    bad.write_bytes(data)
    out = tmp_path / "alpha.csv"
    err = _fails(capsys, ["codebook-agreement", "--codebook", str(codebook), "--coded", str(good), str(bad),
                          "--out", str(out)], out, expect)
    assert name in err


def test_agreement_command_errors(capsys, small, tmp_path):
    folder, codebook = small
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(GOOD_HEADER + "a1-s001,t,1,0,0\n", encoding="utf-8")
    b.write_text(GOOD_HEADER + "a1-s001,t,1,0,0\nzz-s009,t,0,0,0\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    base = ["codebook-agreement", "--codebook", str(codebook), "--out", str(out)]
    _fails(capsys, base + ["--coded", str(a)], out, "at least two coders")
    _fails(capsys, base + ["--coded", str(a), str(a)], out, "given twice")
    _fails(capsys, base + ["--coded", str(a), str(tmp_path / "missing.csv")], out, "missing.csv")
    _fails(capsys, base + ["--coded", str(a), str(b), "--corpus", str(folder)], out, "'zz-s009' is not a sentence")
    _fails(capsys, base + ["--coded", str(a), str(b), "--corpus", str(folder), "--table", "dictionary"], out,
           "'zz-s009'")
    _fails(capsys, base + ["--coded", str(a), "--table", "dictionary"], out, "--adjudicated")
    _fails(capsys, base + ["--coded", str(a), str(b), "--table", "kappa"], out, "--table")
    _fails(capsys, base + ["--coded", str(a), str(b), "--adjudicated", str(tmp_path / "none.csv")], out, "none.csv")
    _fails(capsys, ["codebook-agreement", "--codebook", str(codebook), "--coded", str(a), str(b),
                    "--out", str(a)], None, "input")
    assert a.read_text(encoding="utf-8") == GOOD_HEADER + "a1-s001,t,1,0,0\n"


def test_agreement_command_tables(capsys, small, tmp_path):
    folder, codebook = small
    a, b = tmp_path / "coder_a.csv", tmp_path / "coder_b.csv"
    a.write_text(GOOD_HEADER + "a1-s001,t,1,0,0\na1-s004,t,0,1,0\n", encoding="utf-8")
    b.write_text(GOOD_HEADER + "a1-s001,t,1,0,0\na1-s004,t,1,1,0\n", encoding="utf-8")
    base = ["codebook-agreement", "--codebook", str(codebook), "--corpus", str(folder), "--coded", str(a), str(b),
            "--format", "csv"]
    assert main(base) == 0
    alpha = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["frame"] for row in alpha] == [*FRAMES, "all frames (pooled)"]
    assert alpha[0]["positives: coder_a"] == "1" and alpha[0]["positives: coder_b"] == "2"
    assert main(base + ["--table", "disagreements"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(row["unit_id"], row["frame"], row["coder_a"], row["coder_b"]) for row in rows] == [
        ("a1-s004", "weather", "0", "1")]
    assert main(base + ["--table", "dictionary"]) == 0
    rows = {row["frame"]: row for row in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    # Shared codes only: weather a1-s001 = 1 (a hit: TP); money a1-s001 = 0 (TN), a1-s004 = 1 (a hit: TP).
    assert (rows["weather"]["TP"], rows["weather"]["n_units"]) == ("1", "1")
    assert (rows["money"]["TP"], rows["money"]["TN"]) == ("1", "1")
