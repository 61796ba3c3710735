"""``attention``: how often each outlet used each frame, term or naming label, per day or week of publication."""

from __future__ import annotations

from pathlib import Path

from analysis.attention import DEFAULT_PERIOD, PERIODS, WHATS, attention_over_time, has_varying_dates
from analysis.cli import add_corpus_options, corpus_from, emit
from analysis.codebook import read_codebook
from analysis.errors import AnalysisError

ORDER = 45


def register(commands) -> None:
    """Add the attention command."""
    attention = commands.add_parser(
        "attention", help="attention over time: matches per outlet and day or week of publication, per 1,000 words"
    )
    add_corpus_options(attention)
    attention.add_argument("--what", choices=WHATS, default="frames",
                           help="count frames (default), codebook terms, or naming labels")
    attention.add_argument("--term", action="append", default=[], metavar="PHRASE",
                           help="also count PHRASE (under the frame 'custom'); with no --codebook, only these "
                                "phrases are counted; repeatable")
    attention.add_argument("--codebook", type=Path, default=None, metavar="FILE",
                           help="codebook: the project's YAML, a LIWC .dic or a quanteda YAML dictionary (default: "
                                "analysis/data/codebook.yaml, for the package's example corpus only)")
    attention.add_argument("--period", choices=PERIODS, default=DEFAULT_PERIOD,
                           help="day, or ISO week: Monday to Sunday, named by its Monday (default: week)")
    attention.set_defaults(run=_run_attention)


def _run_attention(args) -> None:
    from analysis.lists import required_list  # it reads every list module: only when a command runs

    corpus = corpus_from(args)
    if not has_varying_dates(corpus, args.period):
        raise AnalysisError(f"attention: {corpus.source}: no outlet has dated articles in two or more different "
                            f"{args.period}s, so there is no change over time to show (see docs/attention.md)")
    only_phrases = args.term and args.codebook is None
    codebook = None if only_phrases else read_codebook(required_list("codebook", args.codebook, args.corpus,
                                                                     "attention"))
    emit(attention_over_time(corpus, args.what, codebook, args.term, args.period), args)
