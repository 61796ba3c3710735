"""``collocates``: the words near a phrase or a frame's matches, per outlet, scored by G², MI, t-score, logDice."""

from __future__ import annotations

from pathlib import Path

from analysis.cli import add_corpus_options, corpus_from, emit
from analysis.errors import AnalysisError

ORDER = 45
SORT_MEASURES = ("g2", "mi", "t_score", "log_dice")


def register(commands) -> None:
    """Add the collocates command."""
    from analysis.collocates import MAX_WINDOW

    parser = commands.add_parser("collocates",
                                 help="words within N words of a phrase or a frame's matches, per outlet "
                                      "(G², MI, t-score, logDice)")
    add_corpus_options(parser)
    parser.add_argument("phrase", nargs="?", default=None, metavar="PHRASE",
                        help='the node: a phrase, e.g. "missiles" or "Victory Day"')
    parser.add_argument("--frame", default=None, metavar="NAME", help="the node: every counted match of a frame")
    parser.add_argument("--codebook", type=Path, default=None, metavar="FILE",
                        help="codebook for --frame: YAML, LIWC .dic or quanteda YAML (default: "
                             "analysis/data/codebook.yaml, for the package's example corpus only)")
    parser.add_argument("--window", type=int, default=5, metavar="N",
                        help=f"words each side of the node, 1 to {MAX_WINDOW} (default: 5)")
    parser.add_argument("--min-count", type=int, default=2, metavar="N",
                        help="least number of times a word occurs near the node to be listed (default: 2)")
    parser.add_argument("--measure", choices=SORT_MEASURES, default="g2",
                        help="sort each outlet's collocates by this measure, largest first (default: g2)")
    parser.add_argument("--top", type=int, default=20, metavar="N",
                        help="rows per outlet after sorting (default: 20; 0 for all)")
    parser.add_argument("--drop-stopwords", action="store_true",
                        help="leave the default stop words (analysis/data/stopwords.txt) out of the list")
    parser.add_argument("--stopwords", type=Path, action="append", default=[], metavar="FILE",
                        help="also leave out the words in FILE, one per line (repeatable; implies --drop-stopwords)")
    parser.set_defaults(run=_run_collocates)


def _run_collocates(args) -> None:
    from analysis.codebook import read_codebook
    from analysis.lists import required_list
    from analysis.collocates import MAX_WINDOW, collocates
    from analysis.vocabulary import read_stopwords

    if (args.phrase is None) == (args.frame is None):
        raise AnalysisError("collocates: give exactly one of PHRASE or --frame NAME")
    if args.codebook is not None and args.frame is None:
        raise AnalysisError("collocates: --codebook goes with --frame NAME")
    if not 1 <= args.window <= MAX_WINDOW:
        raise AnalysisError(f"collocates: --window must be from 1 to {MAX_WINDOW} words, not {args.window}")
    if args.min_count < 1:
        raise AnalysisError(f"collocates: --min-count must be 1 or more, not {args.min_count}")
    if args.top < 0:
        raise AnalysisError(f"collocates: --top must be 0 or more, not {args.top}")
    stop_words = read_stopwords(args.stopwords) if args.drop_stopwords or args.stopwords else frozenset()
    corpus = corpus_from(args)
    codebook = (read_codebook(required_list("codebook", args.codebook, corpus, "collocates --frame"))
                if args.frame is not None else None)
    table = collocates(corpus, args.phrase, frame=args.frame, codebook=codebook, window=args.window,
                       min_count=args.min_count, stop_words=stop_words)
    rank = {outlet: index for index, outlet in enumerate(corpus.outlets)}
    table = table.sort_values(["outlet", args.measure, "collocate"], ascending=[True, False, True], kind="stable",
                              key=lambda column: column.map(rank) if column.name == "outlet" else column)
    if args.top:
        table = table.groupby("outlet", sort=False).head(args.top)
    emit(table.reset_index(drop=True), args)
