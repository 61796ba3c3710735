"""``tone`` and ``tone-validation``: VADER sentence tone, its aggregates, and its agreement with people."""

from pathlib import Path

from analysis.cli import add_corpus_options, add_output_options, corpus_from, emit, whole_number

ORDER = 40
# Ten times the default: enough for any interval, and a typo (an extra zero or three) cannot run for hours.
MAX_RESAMPLES = 100_000

GROUPINGS = ("outlet", "document", "sentence", "actor", "voice", "role", "pairs", "events")


def register(commands) -> None:
    """Add the tone and tone-validation commands."""
    tone = commands.add_parser(
        "tone", help="VADER tone per sentence, document, outlet, voice, role or actor, with intervals and tests",
        description="Sentence tone with VADER. --by sentence lists every sentence with its scores; the other "
                    "groupings give n, mean compound with a bootstrap 95%% interval (none under 10 sentences) and "
                    "label shares; --by actor the tone of the sentences naming each actor; --by pairs each difference "
                    "with its interval, the smallest detectable difference and a permutation test; --by events "
                    "the paired test within events. Names and titles are masked before scoring unless "
                    "--no-mask-names.",
    )
    add_corpus_options(tone)
    tone.add_argument("--by", choices=GROUPINGS, default="outlet",
                      help="what one row is (default: outlet; voice = outlet × voice; pairs = outlet pairs)")
    tone.add_argument("--actors", type=Path, default=None, metavar="FILE",
                      help="actor groups for --by actor, the tone of sentences naming each (default: "
                           "analysis/data/actors.yaml)")
    tone.add_argument("--no-mask-names", dest="mask_names", action="store_false",
                      help="score names and titles as written (default: masked, since VADER scores words such "
                           "as 'Defense' in 'Defense Minister')")
    tone.add_argument("--threshold", type=float, default=0.05,
                      help="label positive at compound >= T, negative at <= -T (default 0.05)")
    tone.add_argument("--seed", type=int, default=2023, help="seed of the bootstrap and permutations (default 2023)")
    tone.add_argument("--resamples", type=resample_count, default=9999, metavar="N",
                      help=f"bootstrap resamples, 1 to {MAX_RESAMPLES:,} (default 9999)")
    tone.add_argument("--permutations", type=resample_count, default=None, metavar="N",
                      help=f"relabellings of permutation tests, 1 to {MAX_RESAMPLES:,} (default 99999, the "
                           f"Monte Carlo error of p at most 0.0016; fewer for large outlets)")
    tone.set_defaults(run=_run_tone)

    validation = commands.add_parser(
        "tone-validation", help="VADER against 20 human ratings of 5,190 NYT editorial sentences",
    )
    validation.add_argument("--sentences", action="store_true", help="list every sentence with both scores")
    add_output_options(validation)
    validation.set_defaults(run=_run_validation)


def resample_count(text: str) -> int:
    """Return ``text`` as a number of resamples from 1 to MAX_RESAMPLES (argparse reports anything else)."""
    return whole_number(text, 1, MAX_RESAMPLES)


def _run_tone(args) -> None:
    from analysis import tone
    from analysis.lists import required_list

    corpus = corpus_from(args)
    options = {"seed": args.seed, "n_resamples": args.resamples}
    tones = tone.sentence_tone(corpus, args.threshold, mask_names=args.mask_names)
    if args.by == "sentence":
        table = tones
    elif args.by == "document":
        table = tone.tone_summary(tones, ["doc_id", "outlet"], **options)
    elif args.by == "outlet":
        table = tone.tone_summary(tones, "outlet", **options)
    elif args.by == "voice":
        table = tone.outlet_voice_tone(tones, **options)
    elif args.by == "role":
        table = tone.tone_summary(tones, ["outlet", "role"], **options)
    elif args.by == "actor":
        actors = required_list("actors", args.actors, corpus, "tone --by actor")
        table = tone.naming_sentence_tone(tones, corpus=corpus, actors=actors, **options)
    elif args.by == "pairs":
        corpus.require_outlets(2)
        table = tone.outlet_differences(tones, **options, n_permutations=args.permutations)
    else:
        corpus.require_outlets(2)
        table = tone.paired_event_differences(tones, **options,
                                              n_permutations=args.permutations or tone.N_PERMUTATIONS)
    emit(table, args)


def _run_validation(args) -> None:
    from analysis import validation

    sentences = validation.validation_sentences()
    emit(sentences if args.sentences else validation.validation_summary(sentences), args)
