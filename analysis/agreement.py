"""Codebooks you can validate: blind coding sheets, agreement between coders, and the dictionary against people.

Steps, in order:

1. :func:`coding_sheet` draws a random, outlet-stratified sample of sentences or
   paragraphs and lays it out as a blind coding sheet (no outlet, no dictionary
   hits); :func:`sheet_csv` turns it into the CSV text a coder fills in.
2. :func:`read_coded_sheet` reads a filled sheet back, strictly.
3. :func:`coder_agreement` measures how far the coders agree (Krippendorff's α per
   frame and pooled, with :func:`nominal_alpha`).
4. :func:`adjudicated` settles one reference coding (an adjudicated sheet, or the
   decisions all coders share) and lists the disagreements.
5. :func:`dictionary_agreement` scores the codebook's dictionary against that
   reference: TP, FP, FN, TN, precision, recall and F1 per frame.

The sheet format (see ``docs/codebook-agreement.md``): a UTF-8 CSV with the columns
``unit_id, text`` and one column per frame of the codebook, in codebook order. A
coder writes ``1`` (the frame is present in the unit), ``0`` (absent) or leaves
the cell blank (not coded: a missing value). Nothing else is accepted, not even
"x" or "yes": a mark-only convention would make a blank mean "absent" in one sheet
and "not coded" in another. A cell that a spreadsheet would read as a formula
(it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written
with one apostrophe before it, and so is a cell that itself starts with an
apostrophe; reading removes exactly that one apostrophe, so the text read back is
the text written.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd

from analysis.errors import AnalysisError
from analysis.files import read_input_bytes

UNITS = ("sentence", "paragraph")
ID_COLUMN = "unit_id"
TEXT_COLUMN = "text"
POOLED = "all frames (pooled)"
ALL_FRAMES = "all frames (micro)"
MAX_SHEET_BYTES = 200_000_000
# A cell starting with one of these is a formula (or may become one) in Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPE = "'"


class SheetError(AnalysisError):
    """A coding sheet cannot be read, or its cells are not codes."""


# --- 1. the coding sheet ------------------------------------------------------------------

def coding_units(corpus, unit: str = "sentence") -> pd.DataFrame:
    """Return every unit the corpus can be coded in, in article order.

    Returns
    -------
    DataFrame with columns ``unit_id`` (``sentence_id`` or ``paragraph_id`` of the
    corpus), ``doc_id``, ``outlet`` and ``text``. Paragraphs are those holding the
    article's own text (the paragraphs of ``corpus.sentences``), with their full text.
    """
    if unit not in UNITS:
        raise AnalysisError(f"unknown unit '{unit}' (choose from {', '.join(UNITS)})")
    sentences = corpus.sentences
    if unit == "sentence":
        table = sentences[["sentence_id", "doc_id", "outlet", "text"]].rename(columns={"sentence_id": ID_COLUMN})
    else:
        kept = sentences.drop_duplicates("paragraph_id")[["paragraph_id", "doc_id", "outlet"]]
        texts = corpus.paragraphs.set_index("paragraph_id")["text"]
        table = kept.assign(text=kept["paragraph_id"].map(texts)).rename(columns={"paragraph_id": ID_COLUMN})
    return table.reset_index(drop=True)


def stratified_allocation(sizes: dict[str, int], sample: int) -> dict[str, int]:
    """Return how many units to draw from each stratum: proportional, by largest remainders.

    Each stratum gets the whole part of ``sample × size / total``; the units left go
    one each to the largest remainders (ties: the stratum listed first). Then, when
    ``sample`` is at least the number of non-empty strata, a stratum left with none
    takes one from the stratum holding the most units beyond its exact quota (ties:
    listed first), so that every stratum is seen. ``sample`` at or above the total
    gives every unit.
    """
    total = sum(sizes.values())
    if sample >= total:
        return dict(sizes)
    quotas = {name: sample * size / total for name, size in sizes.items()}
    counts = {name: math.floor(quota) for name, quota in quotas.items()}
    names = list(sizes)
    by_remainder = sorted(names, key=lambda name: (-(quotas[name] - counts[name]), names.index(name)))
    for name in by_remainder[:sample - sum(counts.values())]:
        counts[name] += 1
    non_empty = [name for name in names if sizes[name] > 0]
    if sample >= len(non_empty):
        for name in sorted(non_empty, key=lambda name: (-quotas[name], names.index(name))):
            if counts[name] == 0:
                donors = [other for other in names if counts[other] > 1]
                donor = min(donors, key=lambda other: (-(counts[other] - quotas[other]), names.index(other)))
                counts[donor] -= 1
                counts[name] = 1
    return counts


def coding_sheet(corpus, codebook, sample: int | None = None, seed: int = 0, unit: str = "sentence") -> pd.DataFrame:
    """Return a blind coding sheet: a random sample of units, stratified by outlet, in article order.

    ``sample`` units are drawn without replacement (all units when ``sample`` is
    None or at least the number of units), allocated to outlets by
    :func:`stratified_allocation` and drawn within each outlet with a generator
    seeded by ``seed``, so that one seed always gives one sample.

    Returns
    -------
    DataFrame with columns ``unit_id`` (the corpus ``sentence_id`` or
    ``paragraph_id``), ``text``, then one empty (blank text) column per frame of
    ``codebook``, in codebook order; rows in document and then position order, so a
    coder reads each unit in its context. No outlet, no dictionary hits.
    """
    if sample is not None and sample < 1:
        raise AnalysisError(f"the sample must be 1 unit or more (got {sample})")
    frames = _codebook_frames(codebook)
    units = coding_units(corpus, unit)
    if units.empty:
        raise AnalysisError(f"the corpus has no {unit}s to code")
    chosen = np.arange(len(units))
    if sample is not None and sample < len(units):
        groups = {outlet: rows.to_numpy() for outlet, rows in units.groupby("outlet", sort=False).groups.items()}
        allocation = stratified_allocation({outlet: len(rows) for outlet, rows in groups.items()}, sample)
        generator = np.random.default_rng(seed)
        picked = [generator.choice(rows, size=allocation[outlet], replace=False) for outlet, rows in groups.items()]
        chosen = np.sort(np.concatenate(picked))
    sheet = units.iloc[chosen][[ID_COLUMN, TEXT_COLUMN]].reset_index(drop=True)
    for frame in frames:
        sheet[frame] = ""
    return sheet


def _codebook_frames(codebook) -> list[str]:
    frames = [frame.name for frame in codebook.frames]
    if not frames:
        raise AnalysisError(f"{codebook.source or 'the codebook'}: has no frames to code")
    clash = [frame for frame in frames if frame in (ID_COLUMN, TEXT_COLUMN)]
    if clash:
        raise AnalysisError(f"{codebook.source or 'the codebook'}: a frame may not be called '{clash[0]}' "
                            "(a column of the coding sheet)")
    return frames


def escape_cell(text: str) -> str:
    """Return ``text`` as written in a sheet: one apostrophe before a formula start or an apostrophe."""
    return _ESCAPE + text if text.startswith(FORMULA_STARTS + (_ESCAPE,)) else text


def unescape_cell(text: str) -> str:
    """Return the text a sheet cell stands for (the inverse of :func:`escape_cell`)."""
    return text[1:] if text.startswith(_ESCAPE) else text


def sheet_csv(sheet: pd.DataFrame) -> str:
    """Return ``sheet`` as CSV text (UTF-8, ``\\n`` line ends), every cell passed through :func:`escape_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([escape_cell(str(column)) for column in sheet.columns])
    for row in sheet.itertuples(index=False):
        writer.writerow([escape_cell("" if pd.isna(value) else str(value)) for value in row])
    return buffer.getvalue()


# --- 2. reading a coded sheet -----------------------------------------------------------------

def read_coded_sheet(path: Path | str, frames) -> pd.DataFrame:
    """Return the coded sheet at ``path``, checked against ``frames`` (names, or a codebook).

    Raises SheetError, one line naming the file (and the row, counted as a
    spreadsheet counts them: the header is row 1), for a file that is empty, not
    UTF-8 or not CSV; a missing ``unit_id`` column, a missing or unknown frame
    column, a repeated column; a row with more or fewer cells than the header; a
    blank or repeated ``unit_id``; a code other than ``0``, ``1`` or blank. Rows
    with every cell blank are skipped (spreadsheets append them).

    Returns
    -------
    DataFrame with columns ``unit_id``, ``text`` ("" when the sheet has no text
    column) and one column per frame, in the order of ``frames``, holding 1, 0 or
    <NA> (not coded) as a nullable integer.
    """
    frames = _codebook_frames(frames) if hasattr(frames, "frames") else list(frames)
    data = read_input_bytes(path, "coding sheet", MAX_SHEET_BYTES, error=SheetError)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        raise SheetError(f"{path}: not UTF-8 text (byte {problem.start + 1}); save the sheet as CSV UTF-8") from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as problem:
        raise SheetError(f"{path}: not a readable CSV file ({problem})") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise SheetError(f"{path}: the file is empty (expected a header row: {ID_COLUMN}, {TEXT_COLUMN}, "
                         "and one column per frame)")
    header = [unescape_cell(cell.strip()) for cell in rows[0]]
    _check_header(header, frames, path)
    records = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise SheetError(f"{path}: row {number}: {len(row)} cells where the header has {len(header)}")
        cells = dict(zip(header, row))
        unit_id = unescape_cell(cells[ID_COLUMN].strip())
        if not unit_id:
            raise SheetError(f"{path}: row {number}: the {ID_COLUMN} is blank")
        if unit_id in seen:
            raise SheetError(f"{path}: row {number}: the {ID_COLUMN} '{unit_id}' is already on row {seen[unit_id]}")
        seen[unit_id] = number
        record = {ID_COLUMN: unit_id, TEXT_COLUMN: unescape_cell(cells.get(TEXT_COLUMN, ""))}
        for frame in frames:
            record[frame] = _code(cells[frame], frame, path, number)
        records.append(record)
    if not records:
        raise SheetError(f"{path}: the sheet has a header but no units")
    table = pd.DataFrame.from_records(records, columns=[ID_COLUMN, TEXT_COLUMN, *frames])
    for frame in frames:
        table[frame] = table[frame].astype("Int64")
    return table


def _check_header(header: list[str], frames: list[str], path) -> None:
    repeated = [name for index, name in enumerate(header) if name in header[:index]]
    if repeated:
        raise SheetError(f"{path}: row 1: the column '{repeated[0]}' appears twice")
    if ID_COLUMN not in header:
        raise SheetError(f"{path}: row 1: no '{ID_COLUMN}' column")
    unknown = [name for name in header if name not in (ID_COLUMN, TEXT_COLUMN) and name not in frames]
    if unknown:
        raise SheetError(f"{path}: row 1: the column '{unknown[0]}' is not a frame of the codebook "
                         f"(frames: {', '.join(frames)})")
    missing = [frame for frame in frames if frame not in header]
    if missing:
        raise SheetError(f"{path}: row 1: no column for the frame '{missing[0]}' (every frame of the codebook "
                         "needs one; leave its cells blank if it was not coded)")


def _code(cell: str, frame: str, path, number: int):
    value = cell.strip()
    if value == "":
        return pd.NA
    if value in ("0", "1"):
        return int(value)
    shown = value if len(value) <= 20 else value[:20] + "…"
    raise SheetError(f"{path}: row {number}: '{shown}' under '{frame}' is not a code (write 1 for present, "
                     "0 for absent, or leave blank if not coded)")


# --- 3. agreement between coders -----------------------------------------------------------------

def nominal_alpha(values) -> float:
    """Return Krippendorff's α for nominal data: ``values`` is coders × units, NaN where a coder gave no value.

    NaN when α is undefined: no unit has values from two coders, or every value
    given in such units is the same (no variation to agree on).
    """
    values = np.asarray(values, dtype=float)
    paired = (~np.isnan(values)).sum(axis=0) >= 2
    observed = values[:, paired]
    if not paired.any() or len(np.unique(observed[~np.isnan(observed)])) < 2:
        return math.nan
    return float(krippendorff.alpha(reliability_data=values, level_of_measurement="nominal"))


def coder_agreement(sheets: dict[str, pd.DataFrame], corpus=None) -> pd.DataFrame:
    """Return the agreement of the coders per frame, and pooled over frames.

    ``sheets`` maps a coder's name to the sheet :func:`read_coded_sheet` returned;
    units are matched by ``unit_id`` (a unit missing from a sheet is a missing
    value for that coder). With ``corpus``, every ``unit_id`` must be one of its
    sentence ids, or all of its paragraph ids.

    The pooled row treats every frame × unit decision as one value of a single
    nominal variable: it says how reliable a decision of this codebook is on
    average, weighted by how often each frame is coded. It is not the mean of the
    per-frame α, and a reliable common frame can hide an unreliable rare one.

    Returns
    -------
    DataFrame with one row per frame, then the pooled row: ``frame``, ``alpha``
    (Krippendorff's nominal α; NaN when undefined, see ``note``), ``n_units`` (units
    coded by at least two coders), ``agreement_pct`` (share of those units on which
    every coder who coded it gave the same code, in percent), one
    ``positives: CODER`` column per coder (units that coder marked 1) and ``note``.
    """
    names, frames, matrices, _ = _aligned(sheets, corpus)
    rows = []
    for index, frame in enumerate(frames + [POOLED]):
        values = matrices[index] if frame != POOLED else np.concatenate(matrices, axis=1)
        rows.append(_agreement_row(frame, values, names))
    return pd.DataFrame(rows)


def _agreement_row(frame: str, values: np.ndarray, names: list[str]) -> dict:
    coded = ~np.isnan(values)
    paired = coded.sum(axis=0) >= 2
    alpha = nominal_alpha(values)
    agree = [len(set(column[~np.isnan(column)])) == 1 for column in values[:, paired].T]
    note = ""
    if not paired.any():
        note = "no unit was coded by two coders: α is undefined"
    elif math.isnan(alpha):
        note = "every code in the units coded twice is the same: α is undefined (no variation)"
    row = {"frame": frame, "alpha": alpha, "n_units": int(paired.sum()),
           "agreement_pct": 100 * sum(agree) / len(agree) if agree else math.nan}
    for position, name in enumerate(names):
        row[f"positives: {name}"] = int(np.nansum(values[position] == 1))
    row["note"] = note
    return row


def _aligned(sheets: dict[str, pd.DataFrame], corpus=None):
    """Return coder names, frames, one coders × units matrix per frame (NaN = not coded) and the unit ids."""
    if len(sheets) < 2:
        raise AnalysisError(f"agreement needs the sheets of at least two coders (got {len(sheets)})")
    names = list(sheets)
    frames = _sheet_frames(sheets[names[0]])
    for name in names[1:]:
        if _sheet_frames(sheets[name]) != frames:
            raise AnalysisError(f"{name}: its frame columns differ from those of {names[0]}")
    unit_ids = list(dict.fromkeys(unit for sheet in sheets.values() for unit in sheet[ID_COLUMN]))
    if corpus is not None:
        unit_kind(unit_ids, corpus, names[0] if len(names) == 1 else "the coded sheets")
    matrices = []
    for frame in frames:
        matrix = np.full((len(names), len(unit_ids)), np.nan)
        for position, name in enumerate(names):
            codes = sheets[name].set_index(ID_COLUMN)[frame].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            index = pd.Index(unit_ids).get_indexer(sheets[name][ID_COLUMN])
            matrix[position, index] = codes
        matrices.append(matrix)
    return names, frames, matrices, unit_ids


def _sheet_frames(sheet: pd.DataFrame) -> list[str]:
    return [column for column in sheet.columns if column not in (ID_COLUMN, TEXT_COLUMN)]


def unit_kind(unit_ids, corpus, where: str = "the sheet") -> str:
    """Return "sentence" or "paragraph": which of the corpus ids ``unit_ids`` are; AnalysisError naming one that is neither."""
    sentences = corpus.sentences
    for kind, known in (("sentence", set(sentences["sentence_id"])), ("paragraph", set(sentences["paragraph_id"]))):
        if all(unit in known for unit in unit_ids):
            return kind
    sentence_ids = set(sentences["sentence_id"])
    paragraph_ids = set(sentences["paragraph_id"])
    as_sentences = [unit for unit in unit_ids if unit not in sentence_ids]
    as_paragraphs = [unit for unit in unit_ids if unit not in paragraph_ids]
    unknown = (as_sentences if len(as_sentences) <= len(as_paragraphs) else as_paragraphs)[0]
    raise AnalysisError(f"{where}: the unit '{unknown}' is not a sentence or paragraph of the corpus "
                        f"{corpus.source} (units of one sheet are all sentences or all paragraphs)")


# --- 4. the reference coding ----------------------------------------------------------------

def adjudicated(sheets: dict[str, pd.DataFrame],
                adjudication: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the reference coding and the coders' disagreements.

    With ``adjudication`` (a sheet from :func:`read_coded_sheet` in which someone
    settled the disagreements), the reference is that sheet. Without it, a unit's
    code for a frame is taken when at least two coders coded it and all who did
    gave the same code; otherwise it is left not coded (<NA>): one coder's
    decision alone has not been checked.

    Returns
    -------
    ``(reference, disagreements)``: ``reference`` has the columns of a coded sheet
    (``unit_id, text`` and the frames, 1/0/<NA>); ``disagreements`` has one row per
    unit and frame on which coders differ: ``unit_id, text, frame`` and one column
    per coder with its code (<NA> when that coder did not code it).
    """
    names, frames, matrices, unit_ids = _aligned(sheets)
    texts = {}
    for sheet in sheets.values():
        for unit, text in zip(sheet[ID_COLUMN], sheet[TEXT_COLUMN]):
            texts.setdefault(unit, text)
    rows = []
    agreed = {ID_COLUMN: unit_ids, TEXT_COLUMN: [texts[unit] for unit in unit_ids]}
    for frame, values in zip(frames, matrices):
        column = []
        for index, unit in enumerate(unit_ids):
            given = values[:, index]
            distinct = set(given[~np.isnan(given)])
            column.append(int(distinct.pop()) if len(distinct) == 1 and (~np.isnan(given)).sum() >= 2 else pd.NA)
            if len(distinct) > 1:
                rows.append({ID_COLUMN: unit, TEXT_COLUMN: texts[unit], "frame": frame,
                             **{name: (pd.NA if np.isnan(code) else int(code)) for name, code in zip(names, given)}})
        agreed[frame] = pd.array(column, dtype="Int64")
    disagreements = pd.DataFrame(rows, columns=[ID_COLUMN, TEXT_COLUMN, "frame", *names])
    for name in names:
        disagreements[name] = disagreements[name].astype("Int64")
    if adjudication is not None:
        if _sheet_frames(adjudication) != frames:
            raise AnalysisError("the adjudicated sheet's frame columns differ from those of the coded sheets")
        return adjudication.reset_index(drop=True), disagreements
    return pd.DataFrame(agreed), disagreements


# --- 5. the dictionary against the reference ------------------------------------------------

def dictionary_agreement(corpus, codebook, reference: pd.DataFrame) -> pd.DataFrame:
    """Return, per frame, how the dictionary's decisions compare with the reference coding.

    A unit is positive for the dictionary when the frame has at least one counted
    match in it (:func:`analysis.framing.frame_matches`; for a paragraph, in any of
    its sentences). Only units the reference coded for the frame (1 or 0) count.

    Returns
    -------
    DataFrame with one row per frame, then ``all frames (micro)`` (the counts
    summed over frames and the measures computed from the sums): ``frame, n_units,
    TP, FP, FN, TN, precision`` (TP / (TP + FP)), ``recall`` (TP / (TP + FN)),
    ``F1`` (their harmonic mean), ``alpha`` (Krippendorff's α, nominal, between the
    dictionary and the reference, as if the dictionary were one more coder; pooled
    over frames in the last row) and ``note`` saying why a measure is NaN
    (undefined): no dictionary positives for precision, no reference positives for
    recall.
    """
    from analysis.framing import frame_matches

    frames = _codebook_frames(codebook)
    given = _sheet_frames(reference)
    missing = [frame for frame in frames if frame not in given]
    extra = [frame for frame in given if frame not in frames]
    if missing or extra:
        problem = (f"has no column for the frame '{missing[0]}'" if missing
                   else f"has the column '{extra[0]}', not a frame of the codebook")
        raise AnalysisError(f"the reference coding {problem}")
    kind = unit_kind(list(reference[ID_COLUMN]), corpus, "the reference coding")
    matches = frame_matches(corpus, codebook)
    if kind == "paragraph":
        paragraph_of = dict(zip(corpus.sentences["sentence_id"], corpus.sentences["paragraph_id"]))
        matches = matches.assign(unit=matches["sentence_id"].map(paragraph_of))
    else:
        matches = matches.assign(unit=matches["sentence_id"])
    hits = {frame: set(units) for frame, units in matches.groupby("frame", sort=False)["unit"]}
    rows = []
    totals = dict.fromkeys(("TP", "FP", "FN", "TN"), 0)
    all_human, all_machine = [], []
    for frame in frames:
        coded = reference[reference[frame].notna()]
        human = coded[frame].astype(int).to_numpy() == 1
        machine = coded[ID_COLUMN].isin(hits.get(frame, set())).to_numpy()
        counts = {"TP": int((human & machine).sum()), "FP": int((~human & machine).sum()),
                  "FN": int((human & ~machine).sum()), "TN": int((~human & ~machine).sum())}
        for key, value in counts.items():
            totals[key] += value
        all_human.append(human)
        all_machine.append(machine)
        rows.append({**_scores(frame, counts), "alpha": _pair_alpha(human, machine)})
    rows.append({**_scores(ALL_FRAMES, totals),
                 "alpha": _pair_alpha(np.concatenate(all_human or [np.array([], bool)]),
                                      np.concatenate(all_machine or [np.array([], bool)]))})
    table = pd.DataFrame(rows)
    return table[[*[column for column in table.columns if column != "note"], "note"]]


def _pair_alpha(first: np.ndarray, second: np.ndarray) -> float:
    """Return nominal α between two codings of the same units (NaN when undefined)."""
    if len(first) == 0:
        return math.nan
    return nominal_alpha(np.vstack([first, second]).astype(float))


def _scores(frame: str, counts: dict[str, int]) -> dict:
    tp, fp, fn = counts["TP"], counts["FP"], counts["FN"]
    precision = tp / (tp + fp) if tp + fp else math.nan
    recall = tp / (tp + fn) if tp + fn else math.nan
    if math.isnan(precision) or math.isnan(recall):
        f1 = math.nan
    else:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    notes = []
    if not sum(counts.values()):
        notes.append("the reference coded no unit for this frame")
    elif tp + fp == 0:
        notes.append("the dictionary marked no unit: precision undefined")
    if sum(counts.values()) and tp + fn == 0:
        notes.append("the reference has no positive unit: recall undefined")
    return {"frame": frame, "n_units": sum(counts.values()), **counts, "precision": precision, "recall": recall,
            "F1": f1, "note": "; ".join(notes)}


# --- 6. the study's check of its codebook ---------------------------------------------------

# Krippendorff (2004): α ≥ .800 for conclusions, ≥ .667 for tentative ones; below that, not reliable.
ALPHA_RELIABLE = 0.800
ALPHA_TENTATIVE = 0.667


def codebook_validation(corpus, codebook, coded: list[Path | str],
                        adjudicated_sheet: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """Return the codebook's check against coded sheets: ``{"coders": …, "dictionary": …, "disagreements": …}``.

    ``coders`` is :func:`coder_agreement` between the ``coded`` sheets (named by file
    name); ``dictionary`` is :func:`dictionary_agreement` against the adjudicated sheet
    when given, else against the codes all coders share (:func:`adjudicated`);
    ``disagreements`` lists the units and frames on which the coders differed.
    """
    frames = _codebook_frames(codebook)
    sheets = {}
    for path in coded:
        name = Path(path).stem
        while name in sheets:
            name += "'"
        sheets[name] = read_coded_sheet(path, frames)
    settled = read_coded_sheet(adjudicated_sheet, frames) if adjudicated_sheet is not None else None
    reference, disagreements = adjudicated(sheets, settled)
    return {"coders": coder_agreement(sheets, corpus), "dictionary": dictionary_agreement(corpus, codebook, reference),
            "disagreements": disagreements}


def _frame_list(names: list[str]) -> str:
    from analysis.output import markdown_text

    quoted = [f"“{markdown_text(name)}”" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def validation_text(check: dict[str, pd.DataFrame] | None, adjudicated_given: bool = True) -> str:
    """Return Markdown saying how far the coders agree and how well the dictionary matches them, with the frames
    below Krippendorff's thresholds named; without ``check`` (no coded sheets), that the codebook is unvalidated."""
    if check is None:
        return ("**The codebook is unvalidated.** No coded sheets were given, so nothing shows that its frames are "
                "read the same way by two people, or that its terms find the sentences people would mark. Draw a "
                "blind sheet with `python -m analysis codebook-sheet`, have two coders fill it in from the frame "
                "descriptions, and pass the sheets to `report --coded A.csv B.csv` (see "
                "`docs/codebook-agreement.md`).")
    coders, dictionary = check["coders"], check["dictionary"]
    per_frame = coders[coders["frame"] != POOLED]
    pooled = coders[coders["frame"] == POOLED].iloc[0]
    n_coders = sum(column.startswith("positives: ") for column in coders.columns)
    parts = [f"{n_coders} coders agreed at Krippendorff's α {pooled['alpha']:.2f} over all frames "
             f"({int(pooled['n_units'])} unit × frame decisions), from α {per_frame['alpha'].min():.2f} to "
             f"{per_frame['alpha'].max():.2f} per frame."]
    weak = per_frame[per_frame["alpha"] < ALPHA_TENTATIVE]["frame"].tolist()
    tentative = per_frame[(per_frame["alpha"] >= ALPHA_TENTATIVE) & (per_frame["alpha"] < ALPHA_RELIABLE)]
    if weak:
        parts.append(f"Below α {ALPHA_TENTATIVE:.3f}, people do not read {_frame_list(weak)} the same way: "
                     "revise the description before trusting its counts.")
    if len(tentative):
        parts.append(f"{_frame_list(tentative['frame'].tolist())} support tentative conclusions only "
                     f"(α between {ALPHA_TENTATIVE:.3f} and {ALPHA_RELIABLE:.3f}).")
    if not weak and not len(tentative):
        parts.append(f"Every frame reaches α {ALPHA_RELIABLE:.3f}.")
    reference = "the adjudicated coding" if adjudicated_given else "the codes all coders shared"
    total = dictionary[dictionary["frame"] == ALL_FRAMES].iloc[0]
    frames = dictionary[dictionary["frame"] != ALL_FRAMES]
    parts.append(f"Against {reference}, the dictionary's precision is {total['precision']:.2f}, its recall "
                 f"{total['recall']:.2f} and F1 {total['F1']:.2f} over all frames (α {total['alpha']:.2f}).")
    low_recall = frames[frames["recall"] < 0.8].sort_values("recall")
    low_precision = frames[frames["precision"] < 0.8].sort_values("precision")
    if len(low_recall):
        parts.append("It misses sentences people marked for " + _frame_list(low_recall["frame"].tolist())
                     + " (recall " + ", ".join(f"{value:.2f}" for value in low_recall["recall"]) + ").")
    if len(low_precision):
        parts.append("It counts sentences people did not mark for " + _frame_list(low_precision["frame"].tolist())
                     + " (precision " + ", ".join(f"{value:.2f}" for value in low_precision["precision"]) + ").")
    dictionary_weak = frames[frames["alpha"] < ALPHA_TENTATIVE]["frame"].tolist()
    if dictionary_weak:
        parts.append(f"For {_frame_list(dictionary_weak)} the dictionary agrees with people below α "
                     f"{ALPHA_TENTATIVE:.3f}: its counts there are not a measure of the frame.")
    return " ".join(parts)


def validation_table(check: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Return one row per frame (and the all-frames row): the coders' α beside the dictionary's precision, recall,
    F1 and α against the reference, from :func:`codebook_validation`."""
    coders = check["coders"][["frame", "alpha", "n_units"]].rename(
        columns={"alpha": "alpha_coders", "n_units": "n_units_coded"})
    coders = coders.replace({"frame": {POOLED: ALL_FRAMES}})
    dictionary = check["dictionary"][["frame", "TP", "FP", "FN", "precision", "recall", "F1", "alpha"]].rename(
        columns={"alpha": "alpha_dictionary"})
    table = coders.merge(dictionary, on="frame", how="outer", sort=False)
    order = {frame: index for index, frame in enumerate(dictionary["frame"])}
    table = table.assign(all_frames=table["frame"].map(order)).sort_values("all_frames", kind="stable")
    table["frame"] = table["frame"].replace({ALL_FRAMES: "all frames"})
    return table.drop(columns="all_frames").reset_index(drop=True)


def study_validation(corpus, codebook, coded_paths=None, adjudicated_path=None,
                     codebook_path=None) -> tuple[dict[str, pd.DataFrame] | None, str]:
    """Return the study's check of its codebook and the Markdown that reports it: ``(check, text)``.

    The sheets are those :func:`analysis.lists.chosen_coding` picks from what the user
    passed (``coded_paths``, ``adjudicated_path``, ``codebook_path``); ``check`` is
    :func:`codebook_validation` (None without a codebook or sheets); ``text`` is
    :func:`validation_text`, followed for the package's own codings by how they were made.
    """
    from analysis import lists
    from analysis.study import example_text

    coded, settled = lists.chosen_coding(coded_paths, adjudicated_path, corpus, codebook_path)
    check = codebook_validation(corpus, codebook, coded, settled) if codebook is not None and coded else None
    text = validation_text(check, settled is not None)
    if check is not None and not coded_paths and not codebook_path:
        text += "\n\n" + example_text(corpus, "coding")
    return check, text
