"""The command line: ``python -m analysis COMMAND [options]``.

Every command reads a corpus (``--corpus``, default ``seeds/``), runs one step of
the pipeline and prints a table (``--format table|csv|json``, ``--out FILE``).
Bad input ends with one line on standard error and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
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


def add_corpus_options(parser: argparse.ArgumentParser, with_format: bool = True) -> None:
    """Add the options every command shares: --corpus, --rules and (for tables) --format, --out."""
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


def emit(table: pd.DataFrame, args: argparse.Namespace) -> None:
    """Print ``table`` in ``args.format``, or write it to ``args.out`` (never half-written)."""
    text = format_table(table, args.format)
    if args.out is None:
        sys.stdout.write(text)
    else:
        write_text_atomic(args.out, text)


def corpus_from(args: argparse.Namespace):
    """Return the corpus named by ``--corpus`` and ``--rules``."""
    return read_corpus(args.corpus, args.rules)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser for ``python -m analysis``, with one subcommand per module in
    :mod:`analysis.commands` (each module's ``register(commands)`` adds its own)."""
    parser = _Parser(
        prog="python -m analysis",
        description="Compare how outlets tell the same story: corpus, vocabulary, framing, tone, sources.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in command_modules():
        module.register(commands)
    return parser


def command_modules() -> list:
    """Return the command modules in the order of their ``ORDER`` (then name)."""
    import analysis.commands

    modules = [
        importlib.import_module(f"analysis.commands.{info.name}")
        for info in pkgutil.iter_modules(analysis.commands.__path__)
        if not info.name.startswith("_")
    ]
    return sorted(modules, key=lambda module: (getattr(module, "ORDER", 100), module.__name__))


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
