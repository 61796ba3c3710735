"""``terms`` and ``kwic``: framing terms counted per outlet, and every match in its context."""

from __future__ import annotations

from pathlib import Path

from analysis.cli import add_corpus_options, corpus_from, emit
from analysis.codebook import CUSTOM_FRAME, Codebook, codebook_from_terms, read_codebook
from analysis.concordance import SORT_KEYS, concordance
from analysis.errors import AnalysisError
from analysis.framing import (frame_counts, frame_counts_by_role, frame_definitions, frame_ranking, leave_one_term_out,
                              naming_choices, term_counts, voice_shares)

ORDER = 40
TERM_TABLES = ("terms", "frames", "roles", "naming", "ranking", "voice", "leave-one-out", "definitions")


def register(commands) -> None:
    """Add the terms and kwic commands."""
    terms = commands.add_parser(
        "terms", help="framing terms per outlet: count and rate per 1,000 words (codebook and/or --term)"
    )
    add_corpus_options(terms)
    _add_codebook_options(terms)
    terms.add_argument("--term", action="append", default=[], metavar="PHRASE",
                       help=f"also count PHRASE, under the frame given by --frame-name (default: {CUSTOM_FRAME}); "
                            "repeatable")
    terms.add_argument("--no-codebook", action="store_true",
                       help="count only the --term phrases, without any codebook")
    terms.add_argument("--frame-name", default=CUSTOM_FRAME, metavar="NAME",
                       help=f"frame name for --term phrases (default: {CUSTOM_FRAME})")
    terms.add_argument("--table", choices=TERM_TABLES, default="terms",
                       help="terms: outlet × frame × term (default); frames: outlet × frame with a Poisson "
                            "interval, sentences with the frame and matches in own voice vs quoted; "
                            "roles: outlet × frame × role; naming: labels chosen per naming set; ranking: each "
                            "outlet's leading frame or tied frames; voice: matches in own voice vs quoted per "
                            "outlet; leave-one-out: top frames that change when one term is removed; "
                            "definitions: frames with their dimension and terms")
    terms.set_defaults(run=_run_terms)

    kwic = commands.add_parser("kwic", help="keyword in context: every match of a phrase, frame or term")
    add_corpus_options(kwic)
    kwic.add_argument("phrase", nargs="?", default=None, metavar="PHRASE",
                      help='a phrase, e.g. "Victory Day" or "banned … missiles"')
    _add_codebook_options(kwic)
    kwic.add_argument("--frame", default=None, metavar="NAME", help="every counted match of a codebook frame")
    kwic.add_argument("--term-label", dest="term_label", default=None, metavar="LABEL",
                      help="every counted match of a codebook term or naming label")
    kwic.add_argument("--window", type=int, default=8, metavar="N", help="words of context each side (default: 8)")
    kwic.add_argument("--sort", choices=SORT_KEYS, default=None,
                      help="sort the lines by the first or second word left (L1, L2) or right (R1, R2) of the match, "
                           "then the next word out, then corpus order (default: corpus order)")
    kwic.set_defaults(run=_run_kwic)


def _add_codebook_options(parser) -> None:
    parser.add_argument("--codebook", type=Path, default=None, metavar="FILE",
                        help="codebook: the project's YAML, a LIWC .dic or a quanteda YAML dictionary (default: "
                             "analysis/data/codebook.yaml, for the package's example corpus only)")


def _codebook(args, phrases: list[str]) -> Codebook:
    """The codebook named by --codebook with the --term phrases added (only the phrases with --no-codebook)."""
    from analysis.lists import required_list  # it reads every list module: only when a command runs

    if args.no_codebook:
        if args.codebook is not None:
            raise AnalysisError("terms: give --codebook or --no-codebook, not both")
        if not phrases:
            raise AnalysisError("terms: --no-codebook needs at least one --term PHRASE")
        return codebook_from_terms(phrases, args.frame_name)
    chosen = required_list("codebook", args.codebook, args.corpus, "terms")
    return read_codebook(chosen).with_terms(phrases, args.frame_name)


def _run_terms(args) -> None:
    corpus = corpus_from(args)  # first: a corpus that cannot be read is the first thing to say
    codebook = _codebook(args, args.term)
    if args.table == "naming" and not codebook.naming_sets:
        raise AnalysisError("terms --table naming: the codebook has no naming sets")
    table = {"terms": term_counts, "frames": frame_counts, "roles": frame_counts_by_role,
             "naming": naming_choices, "ranking": lambda *given: frame_ranking(frame_counts(*given)),
             "voice": lambda *given: voice_shares(frame_counts(*given)), "leave-one-out": leave_one_term_out,
             "definitions": lambda _, book: frame_definitions(book)}[args.table](corpus, codebook)
    emit(table, args)


def _run_kwic(args) -> None:
    from analysis.lists import required_list  # it reads every list module: only when a command runs

    if args.window < 0:
        raise AnalysisError("kwic: --window must be 0 or more words")
    if sum(value is not None for value in (args.phrase, args.frame, args.term_label)) != 1:
        raise AnalysisError("kwic: give exactly one of PHRASE, --frame NAME or --term-label LABEL")
    corpus = corpus_from(args)
    codebook = (None if args.phrase is not None
                else read_codebook(required_list("codebook", args.codebook, corpus, "kwic")))
    emit(concordance(corpus, args.phrase, frame=args.frame, term=args.term_label, codebook=codebook,
                     window=args.window, sort_by=args.sort), args)
