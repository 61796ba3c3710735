"""``sources``: who is quoted or cited, one row per attribution or per outlet."""

from pathlib import Path

from analysis.cli import add_corpus_options, corpus_from, emit

ORDER = 60


def register(commands) -> None:
    """Add the sources command."""
    parser = commands.add_parser(
        "sources", help="attributions (who said what, direct or indirect) or sourcing per outlet")
    add_corpus_options(parser)
    parser.add_argument("--by", choices=("attribution", "outlet", "category"), default="attribution",
                        help="one row per attribution (default), per outlet, or per outlet and source category")
    parser.add_argument("--sources", type=Path, default=None, metavar="FILE",
                        help="source categories and speech verbs (default: the package's verbs; its categories only for "
                             "the example corpus, else every speaker is 'unclassified' with its kind)")
    parser.add_argument("--by-event", action="store_true", help="with --by outlet/category: per event and outlet")
    parser.set_defaults(run=_run_sources)


def _run_sources(args) -> None:
    from analysis.lists import chosen_list, source_rules
    from analysis.sources import attributions, category_mix, outlet_sources

    corpus = corpus_from(args)
    rules = source_rules(chosen_list("sources", args.sources, corpus))  # categories only from a list given
    table = attributions(corpus, rules)
    if args.by == "outlet":
        table = outlet_sources(corpus, table, by_event=args.by_event, rules=rules)
    elif args.by == "category":
        table = category_mix(corpus, table, by_event=args.by_event, rules=rules)
    emit(table, args)
