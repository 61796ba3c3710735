"""``report``: measure the corpus (or read a study folder), execute the notebooks on it and render the HTML report."""

from pathlib import Path

from analysis.cli import add_corpus_options

ORDER = 90


def register(commands) -> None:
    """Add the report command."""
    report = commands.add_parser("report", help="execute the notebooks and render the HTML report")
    add_corpus_options(report, with_format=False)
    report.add_argument("--out", type=Path, default=None, metavar="DIR", help="report folder (default: build/report)")
    report.add_argument("--study", type=Path, default=None, metavar="DIR",
                        help="read this study folder (written by `measure`) instead of measuring the corpus; "
                             "--corpus, if given, must be the corpus it was measured from (default: the corpus "
                             "its manifest names, listed with the hashes it records)")
    report.add_argument("--codebook", type=Path, default=None, metavar="FILE",
                        help="framing codebook (default: the package's, for its example corpus only; for "
                             "other corpora, one discovered from the corpus and labelled so, unless --no-discover)")
    report.add_argument("--actors", type=Path, default=None, metavar="FILE",
                        help="actor groups for the tone of sentences naming actors (same rule as --codebook)")
    report.add_argument("--sources", type=Path, default=None, metavar="FILE",
                        help="speech verbs and source categories (same rule as --codebook; without one, "
                             "speakers are listed but not categorised)")
    report.add_argument("--stopwords", type=Path, default=None, metavar="FILE",
                        help="extra stop words, one per line, added to the package's list")
    report.add_argument("--coded", type=Path, nargs="+", default=None, metavar="FILE",
                        help="two or more coded sheets (codebook-sheet, filled in by coders): the report shows "
                             "their agreement and the codebook's precision and recall against them (default: the "
                             "package's two codings, for its example corpus only; otherwise the codebook is "
                             "reported as unvalidated)")
    report.add_argument("--adjudicated", type=Path, default=None, metavar="FILE",
                        help="the adjudicated coding of the --coded sheets (the reference for precision and recall)")
    report.add_argument("--no-discover", dest="discover", action="store_false",
                        help="leave out the sections whose list was not given, instead of using a list discovered "
                             "from the corpus (see the discover command)")
    report.add_argument("--publish-figures", type=Path, default=None, metavar="DIR",
                        help="also copy the report's figures here (make report: figures/)")
    report.add_argument("--quiet", action="store_true", help="no progress bar")
    report.set_defaults(run=_run_report)


def _run_report(args) -> None:
    import sys

    # jsonschema (under nbformat) checks the "iri" format with rfc3987_syntax when that is installed, and
    # rfc3987_syntax builds its grammar on import: a second of every build, for a format no notebook schema
    # uses. This process is the command's own, so it goes without; a program that imports analysis.report
    # itself is left as it is.
    sys.modules.setdefault("rfc3987_syntax", None)
    from analysis.report import build_report  # papermill is slow to import: only when asked

    index = build_report(args.corpus, args.out, rules_path=args.rules, codebook_path=args.codebook,
                         progress=not args.quiet, publish_figures_to=args.publish_figures,
                         actors_path=args.actors, sources_path=args.sources, stopwords_path=args.stopwords,
                         coded_paths=args.coded, adjudicated_path=args.adjudicated, discover=args.discover,
                         study_path=args.study)
    print(f"report written to {index}")
