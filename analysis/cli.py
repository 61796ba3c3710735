"""The command line: ``python -m analysis COMMAND [options]``.

Every command reads a corpus (``--corpus``, default ``seeds/``), runs one step of
the pipeline and prints a table (``--format table|csv|json``, ``--out FILE``).
Bad input ends with one line on standard error and exit status 2.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import pkgutil
import signal
import sys
import threading
import warnings
from pathlib import Path
from typing import NoReturn

import pandas as pd

from analysis import __version__
from analysis.corpus import read_corpus
from analysis.errors import AnalysisError
from analysis.files import _reason
from analysis.output import FORMATS, OutputError, check_output_file, format_table, write_text_atomic
from analysis.paths import DATA_DIR, NYT_DIR, SEEDS_DIR

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
        add_output_options(parser)


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """Add --format and --out (a file) to a command that prints a table."""
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.add_argument("--out", type=Path, default=None, metavar="FILE",
                        help="write to FILE instead of standard output (never an input, a folder or a device)")
    parser.set_defaults(out_is_file=True)


def whole_number(text: str, low: int = 1, high: int | None = None, other: str = "") -> int:
    """Return ``text`` as a whole number from ``low`` to ``high`` (no upper bound when None).

    For argparse's ``type=``: anything else raises ArgumentTypeError, which argparse
    prints as one line naming the option. ``other`` names what else the option
    accepts (" or 'all'"), for the messages.
    """
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number{other}") from None
    if high is not None and not low <= count <= high:
        raise argparse.ArgumentTypeError(f"{count:,} is out of range: give {low:,} to {high:,}{other}")
    if count < low:
        advice = f"; give {low:,} or more{other}" if other else ""
        raise argparse.ArgumentTypeError(f"{count:,} is less than {low:,}{advice}")
    return count


def run_inputs(args: argparse.Namespace) -> list[Path]:
    """Return every file or folder the command may read: each path option, and the project's own inputs
    (the seed corpus, the default data files, the NYT ratings), which the defaults stand for."""
    inputs = [SEEDS_DIR, DATA_DIR, NYT_DIR]
    for name, value in vars(args).items():
        if name != "out":
            inputs += [item for item in (value if isinstance(value, list) else [value]) if isinstance(item, Path)]
    return inputs


def emit(table: pd.DataFrame, args: argparse.Namespace) -> None:
    """Print ``table`` in ``args.format``, or write it to ``args.out`` (never half-written, never an input)."""
    text = format_table(table, args.format)
    if args.out is None:
        write_stdout(text)
    else:
        check_output_file(args.out, run_inputs(args))
        write_text_atomic(args.out, text)


def write_stdout(text: str) -> None:
    """Write ``text`` to standard output and flush it, so that a full disk is reported here, by name."""
    try:
        sys.stdout.write(text)
    except BrokenPipeError:
        raise
    except OSError as problem:
        _silence_stdout()
        raise OutputError(f"standard output: cannot write ({_reason(problem)})") from None
    flush_stdout()


def flush_stdout() -> None:
    """Flush standard output; a write error (a full disk) becomes OutputError."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as problem:
        _silence_stdout()
        raise OutputError(f"standard output: cannot write ({_reason(problem)})") from None


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
    """Run the command line; return the exit status (0 ok, 2 bad input or a file that cannot be written,
    128 + N when stopped by signal N)."""
    warnings.showwarning = _one_line_warning
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
        else:
            if getattr(args, "out_is_file", False) and args.out is not None:
                check_output_file(args.out, run_inputs(args))  # before any work, so nothing is computed in vain
            args.run(args)
        flush_stdout()
    except AnalysisError as error:
        return _fail(str(error))
    except BrokenPipeError:  # output piped into `head`: the reader has all it wanted
        _silence_stdout()
    except OSError as error:  # the last line of defence: a file system problem no step foresaw
        return _fail(_os_error_line(error))
    except KeyboardInterrupt as interrupt:
        number = getattr(interrupt, "signal_number", signal.SIGINT)
        return _fail(f"interrupted ({signal.Signals(number).name})", 128 + number)
    return 0


def exit_process(status: int) -> NoReturn:
    """End the process with ``status``: exit handlers run and standard streams are flushed, as at a normal exit,
    but the interpreter's modules are not torn down one object at a time.

    That teardown (pandas, pyarrow, scipy) takes about 0.15 s, longer than many a
    command; once ``main`` has returned, every file it wrote is closed. Where
    another non-daemon thread is still running, or a stream cannot be flushed,
    the normal exit runs instead, so that nothing is cut short.
    """
    atexit._run_exitfuncs()
    threads_running = any(thread is not threading.main_thread() and not thread.daemon and thread.is_alive()
                          for thread in threading.enumerate())
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        flushed = True
    except (OSError, ValueError):
        flushed = False
    if threads_running or not flushed:
        sys.exit(status)
    os._exit(status)


def _fail(message: str, status: int = EXIT_INPUT_ERROR) -> int:
    """Print ``error: MESSAGE`` on standard error; return ``status``."""
    try:
        print(f"error: {message}", file=sys.stderr)
    except OSError:  # no terminal left to tell (SIGHUP): the exit status says it
        pass
    return status


def _os_error_line(error: OSError) -> str:
    """Return an OSError as one line naming the path, when it has one."""
    reason = _reason(error)
    return reason if error.filename is None else f"{error.filename}: {reason}"


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that output left in its buffer cannot fail again at exit."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):  # replaced by a test's capture, or already closed
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, descriptor)
        os.close(devnull)
    except OSError:
        pass
