"""``codebook-sheet`` and ``codebook-agreement``: a blind coding sheet, and how coders and the dictionary agree."""

from __future__ import annotations

from pathlib import Path

from analysis.cli import add_corpus_options, add_output_options, corpus_from, emit, whole_number
from analysis.errors import AnalysisError

ORDER = 45
AGREEMENT_TABLES = ("alpha", "dictionary", "disagreements")


def register(commands) -> None:
    """Add the codebook-sheet and codebook-agreement commands."""
    sheet = commands.add_parser(
        "codebook-sheet", help="a blind coding sheet (CSV): a random sample of sentences or paragraphs, "
                               "stratified by outlet, with one empty column per frame (see docs/codebook-agreement.md)")
    add_corpus_options(sheet, with_format=False)
    _add_codebook_option(sheet)
    sheet.add_argument("--sample", type=sample_size, required=True, metavar="N",
                       help="units to draw (a whole number, or 'all' for every unit)")
    sheet.add_argument("--seed", type=int, required=True, metavar="S", help="seed of the random draw")
    sheet.add_argument("--unit", choices=("sentence", "paragraph"), default="sentence",
                       help="what one row is (default: sentence)")
    sheet.add_argument("--out", type=Path, required=True, metavar="FILE",
                       help="the sheet to write (CSV, UTF-8); an existing different file is never overwritten")
    sheet.set_defaults(run=_run_sheet, out_is_file=True)

    agreement = commands.add_parser(
        "codebook-agreement", help="Krippendorff's α between coders, the coders' disagreements, or the "
                                   "dictionary's precision, recall and F1 against the reference coding")
    add_corpus_options(agreement, with_format=False)
    _add_codebook_option(agreement)
    agreement.add_argument("--coded", type=Path, nargs="+", default=[], metavar="FILE",
                           help="the coded sheets, one per coder (at least two for alpha and disagreements)")
    agreement.add_argument("--adjudicated", type=Path, default=None, metavar="FILE",
                           help="a sheet with the disagreements settled: the reference for --table dictionary "
                                "(default: the codes all coders share)")
    agreement.add_argument("--table", choices=AGREEMENT_TABLES, default="alpha",
                           help="alpha: α per frame and pooled (default); dictionary: TP, FP, FN, TN, precision, "
                                "recall and F1 per frame; disagreements: units and frames on which coders differ")
    add_output_options(agreement)
    agreement.set_defaults(run=_run_agreement)


def sample_size(text: str) -> int | None:
    """Return ``text`` as a number of units (None for 'all'); argparse reports anything else."""
    if text.strip().lower() == "all":
        return None
    return whole_number(text, 1, other=" or 'all'")


def _add_codebook_option(parser) -> None:
    parser.add_argument("--codebook", type=Path, default=None, metavar="FILE",
                        help="codebook: YAML, LIWC .dic or quanteda YAML (default: analysis/data/codebook.yaml, "
                             "for the package's example corpus only)")


def _run_sheet(args) -> None:
    from analysis.agreement import coding_sheet, sheet_csv
    from analysis.codebook import read_codebook
    from analysis.lists import required_list
    from analysis.output import write_text_atomic

    corpus = corpus_from(args)
    codebook = read_codebook(required_list("codebook", args.codebook, corpus, "codebook-sheet"))
    text = sheet_csv(coding_sheet(corpus, codebook, args.sample, args.seed, args.unit))
    _refuse_to_replace(args.out, text)
    write_text_atomic(args.out, text)


def _refuse_to_replace(path: Path, text: str) -> None:
    """Raise AnalysisError when ``path`` holds something other than ``text``: it may be a coder's work."""
    try:
        existing = path.read_bytes()
    except FileNotFoundError:
        return
    except OSError:
        return  # write_text_atomic names the problem
    if existing != text.encode("utf-8"):
        raise AnalysisError(f"{path}: already exists with other content (perhaps a coder's work); "
                            "remove it or choose another file")


def _run_agreement(args) -> None:
    from analysis.agreement import (ID_COLUMN, adjudicated, coder_agreement, dictionary_agreement,
                                    read_coded_sheet, unit_kind)
    from analysis.codebook import read_codebook
    from analysis.lists import required_list

    names = [str(path) for path in args.coded]
    repeated = [name for index, name in enumerate(names) if name in names[:index]]
    if repeated:
        raise AnalysisError(f"--coded: {repeated[0]} is given twice (one sheet per coder)")
    if args.table != "dictionary" and len(names) < 2:
        raise AnalysisError(f"codebook-agreement --table {args.table}: give the sheets of at least two coders "
                            "with --coded")
    if args.table == "dictionary" and args.adjudicated is None and len(names) < 2:
        raise AnalysisError("codebook-agreement --table dictionary: give --adjudicated FILE, or the sheets of at "
                            "least two coders with --coded")
    codebook = read_codebook(required_list("codebook", args.codebook, args.corpus, "codebook-agreement"))
    stems = [path.stem for path in args.coded]
    coders = stems if len(set(stems)) == len(stems) else names  # a coder is named after the file
    sheets = {coder: read_coded_sheet(path, codebook) for coder, path in zip(coders, args.coded)}
    adjudication = read_coded_sheet(args.adjudicated, codebook) if args.adjudicated is not None else None
    if args.table == "alpha":
        table = coder_agreement(sheets, corpus_from(args) if args.corpus is not None else None)
    elif args.table == "disagreements":
        if args.corpus is not None:
            unit_kind([unit for sheet in sheets.values() for unit in sheet[ID_COLUMN]], corpus_from(args),
                      "the coded sheets")
        table = adjudicated(sheets)[1]
    else:
        reference = adjudication if len(sheets) < 2 else adjudicated(sheets, adjudication)[0]
        table = dictionary_agreement(corpus_from(args), codebook, reference)
    emit(table, args)
