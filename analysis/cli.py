"""The command line: ``python -m analysis COMMAND [options]``.

Every command reads a corpus (``--corpus``, default ``seeds/``), runs one step of
the pipeline and prints a table (``--format table|csv|json``, ``--out FILE``).
Bad input ends with one line on standard error and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.corpus import read_corpus
from analysis.errors import AnalysisError
from analysis.output import FORMATS, format_table, write_text_atomic

EXIT_INPUT_ERROR = 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, like every other input error."""

    def error(self, message: str) -> None:  # noqa: D102 - argparse hook
        raise AnalysisError(f"{self.prog}: {message} (see --help)")


def _add_corpus_options(parser: argparse.ArgumentParser, with_format: bool = True) -> None:
    parser.add_argument(
        "--corpus", type=Path, default=None, metavar="PATH",
        help="a folder with corpus.csv, or a .csv/.jsonl/.parquet file (default: seeds/)",
    )
    parser.add_argument("--rules", type=Path, default=None, metavar="FILE",
                        help="cleaning rules (default: analysis/data/cleaning.yaml)")
    if with_format:
        parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
        parser.add_argument("--out", type=Path, default=None, metavar="FILE",
                            help="write to FILE instead of standard output")


def build_parser() -> argparse.ArgumentParser:
    """Return the parser for ``python -m analysis``."""
    parser = _Parser(
        prog="python -m analysis",
        description="Compare how outlets tell the same story: corpus, vocabulary, framing, tone, sources.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    corpus = commands.add_parser("corpus", help="one row per document: outlet, date, title, words, sentences")
    _add_corpus_options(corpus)
    corpus.set_defaults(run=_run_corpus)

    cleaning = commands.add_parser("cleaning", help="the cleaning record: every line with its role or removal rule")
    _add_corpus_options(cleaning)
    cleaning.add_argument("--removed", action="store_true", help="list only the removed lines")
    cleaning.set_defaults(run=_run_cleaning)

    sentences = commands.add_parser("sentences", help="one row per sentence with its role and position")
    _add_corpus_options(sentences)
    sentences.set_defaults(run=_run_sentences)

    report = commands.add_parser("report", help="execute the notebooks and render the HTML report")
    _add_corpus_options(report, with_format=False)
    report.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="report folder (default: build/report)")
    report.add_argument("--quiet", action="store_true", help="no progress bar")
    report.set_defaults(run=_run_report)
    return parser


def _emit(table: pd.DataFrame, args: argparse.Namespace) -> None:
    text = format_table(table, args.format)
    if args.out is None:
        sys.stdout.write(text)
    else:
        write_text_atomic(args.out, text)


def _run_corpus(args: argparse.Namespace) -> None:
    _emit(read_corpus(args.corpus, args.rules).summary(), args)


def _run_cleaning(args: argparse.Namespace) -> None:
    corpus = read_corpus(args.corpus, args.rules)
    _emit(corpus.removed_lines if args.removed else corpus.lines, args)


def _run_sentences(args: argparse.Namespace) -> None:
    _emit(read_corpus(args.corpus, args.rules).sentences, args)


def _run_report(args: argparse.Namespace) -> None:
    from analysis.report import build_report  # imported here: papermill is slow to import

    index = build_report(args.corpus, args.out, rules_path=args.rules, progress=not args.quiet)
    print(f"report written to {index}")


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 2 bad input)."""
    warnings.showwarning = _one_line_warning
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        args.run(args)
    except AnalysisError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except BrokenPipeError:  # output piped into `head`
        sys.stderr.close()
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return 0
