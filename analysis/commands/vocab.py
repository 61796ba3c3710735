"""``vocab``: keyness of each outlet's vocabulary against the rest, against one other outlet, or against general English."""

from pathlib import Path

from analysis.cli import add_corpus_options, corpus_from, emit
from analysis.errors import AnalysisError

ORDER = 20


def register(commands) -> None:
    """Add the vocab command."""
    vocab = commands.add_parser("vocab", help="distinctive terms per outlet: G², Log Ratio, log-odds z")
    add_corpus_options(vocab)
    vocab.add_argument("--outlet", metavar="NAME", help="only this outlet (default: every outlet against the rest)")
    vocab.add_argument("--vs", metavar="NAME", help="compare --outlet with this outlet instead of the rest")
    vocab.add_argument("--ngram", type=int, default=1, metavar="N", help="terms of 1 to N words (default 1)")
    vocab.add_argument("--top", type=int, default=20, metavar="N",
                       help="rows per comparison, most distinctive first (default 20; 0 for all)")
    vocab.add_argument("--min-count", type=int, default=2, metavar="N",
                       help="least total count for a term to be listed (default 2)")
    vocab.add_argument("--stopwords", type=Path, action="append", default=[], metavar="FILE",
                       help="extra stop words, one per line (repeatable); added to the default list")
    vocab.add_argument("--numbers", action="store_true", help="count numbers as terms too")
    vocab.add_argument("--by-event", action="store_true",
                       help="compare outlets within each event (needs an event column)")
    vocab.add_argument("--exact", choices=["mid-p", "fisher", "none"], default="mid-p",
                       help="exact test where an expected count is below 5 (default mid-p; none: G² p everywhere)")
    vocab.add_argument("--adjust", choices=["table", "comparison", "none"], default="table",
                       help="Benjamini-Hochberg over every test listed (table, the default) or per comparison")
    vocab.add_argument("--prior-scale", type=float, default=None, metavar="X",
                       help="log-odds prior: X times each term's corpus count (default 0.1)")
    vocab.add_argument("--reference", choices=["general-english"],
                       help="compare each outlet's words with general English (wordfreq) instead of other outlets")
    vocab.add_argument("--workers", type=int, default=None, metavar="N",
                       help="processes that clean and count slices of a large corpus (default: one per core; "
                            "the table is the same)")
    vocab.set_defaults(run=_run_vocab)


def _run_vocab(args) -> None:
    from analysis import vocabulary

    if args.top < 0 or args.min_count < 1:
        raise AnalysisError("--top must be 0 or more and --min-count 1 or more")
    prior_scale = vocabulary.DEFAULT_PRIOR_SCALE if args.prior_scale is None else args.prior_scale
    if prior_scale <= 0:
        raise AnalysisError("--prior-scale must be a positive number")
    if args.reference and (args.vs or args.by_event or args.ngram != 1):
        raise AnalysisError("--reference compares single words of each outlet: it takes no --vs, --by-event or --ngram")
    if args.workers is not None and args.workers < 1:
        raise AnalysisError(f"--workers must be 1 or more, not {args.workers}")
    options = vocabulary.default_options(args.ngram, args.stopwords, args.numbers)
    exact = None if args.exact == "none" else args.exact
    settings = {"min_count": args.min_count, "prior_scale": prior_scale, "exact": exact, "adjust": args.adjust}
    if not args.reference and not args.by_event:
        table = vocabulary.corpus_keyness(args.corpus, args.rules, args.outlet, args.vs, options, args.workers,
                                          **settings)
        if args.top:
            table = table.groupby(["outlet", "reference"], sort=False).head(args.top)
        emit(table.reset_index(drop=True), args)
        return
    corpus = corpus_from(args)
    if args.reference:
        table = vocabulary.reference_keyness(corpus, options, min_count=args.min_count)
        if args.outlet:
            if args.outlet not in corpus.outlets:
                raise AnalysisError(f"{corpus.source}: no outlet named '{args.outlet}' "
                                    f"(outlets: {', '.join(corpus.outlets)})")
            table = table[table["outlet"] == args.outlet]
        group = ["outlet"]
    else:
        table = vocabulary.keyness_by_event(corpus, options, **settings)
        if args.outlet:
            table = table[table["outlet"] == args.outlet]
        group = ["event", "outlet"]
    if args.top:
        table = table.groupby(group, sort=False).head(args.top)
    emit(table.reset_index(drop=True), args)
