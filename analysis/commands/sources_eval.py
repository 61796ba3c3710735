"""``sources-eval``: precision, recall, coverage and speaker accuracy of the attributions against a gold table."""

from pathlib import Path

from analysis.cli import add_corpus_options, corpus_from, emit

ORDER = 61


def register(commands) -> None:
    """Add the sources-eval command."""
    parser = commands.add_parser(
        "sources-eval", help="measure the attributions against a hand-annotated table (see docs/sources.md)")
    add_corpus_options(parser)
    parser.add_argument("--gold", type=Path, required=True, metavar="FILE",
                        help="CSV with doc_id, quote, kind, speaker, speaker_kind, mention")
    parser.add_argument("--sources", type=Path, default=None, metavar="FILE",
                        help="speech verbs (default: analysis/data/sources.yaml)")
    parser.add_argument("--errors", action="store_true",
                        help="list the gold quotations of a named speaker that got no speaker or the wrong one")
    parser.set_defaults(run=_run_sources_eval)


def _run_sources_eval(args) -> None:
    from analysis.attribution_eval import attribution_errors, evaluate_attributions, read_gold
    from analysis.sources import read_source_rules

    rules = read_source_rules(args.sources)
    gold = read_gold(args.gold)
    corpus = corpus_from(args)
    table = (attribution_errors if args.errors else evaluate_attributions)(corpus, gold, rules)
    emit(table, args)
