"""``corpus``, ``cleaning`` and ``sentences``: the corpus and what cleaning did to it."""

from analysis.cli import add_corpus_options, corpus_from, emit

ORDER = 10


def register(commands) -> None:
    """Add the corpus, cleaning and sentences commands."""
    corpus = commands.add_parser("corpus", help="one row per document: outlet, date, title, words, sentences")
    add_corpus_options(corpus)
    corpus.set_defaults(run=lambda args: emit(corpus_from(args).summary(), args))

    cleaning = commands.add_parser("cleaning", help="the cleaning record: every line with its role or removal rule")
    add_corpus_options(cleaning)
    cleaning.add_argument("--removed", action="store_true", help="list only the removed lines")
    cleaning.set_defaults(run=_run_cleaning)

    sentences = commands.add_parser("sentences", help="one row per sentence with its role, voice and position")
    add_corpus_options(sentences)
    sentences.set_defaults(run=lambda args: emit(corpus_from(args).sentences, args))


def _run_cleaning(args) -> None:
    corpus = corpus_from(args)
    emit(corpus.removed_lines if args.removed else corpus.lines, args)
