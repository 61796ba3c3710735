"""``discover``: a starter codebook (candidate frames), actor list and source list for a new corpus."""

from pathlib import Path

from analysis.cli import add_corpus_options, corpus_from, run_inputs, write_stdout
from analysis.errors import AnalysisError
from analysis.output import format_table

ORDER = 15


def register(commands) -> None:
    """Add the discover command."""
    discover = commands.add_parser(
        "discover", help="starter files for a new corpus: candidate frames (codebook.yaml), actors, sources")
    add_corpus_options(discover, with_format=False)
    discover.add_argument("--out", type=Path, required=True, metavar="DIR",
                          help="folder for the files (created if needed; files another program wrote are never "
                               "overwritten)")
    discover.add_argument("--frames", type=int, default=None, metavar="K",
                          help="number of candidate frames (default: chosen by topic coherence, 2 to 10)")
    discover.add_argument("--seed", type=int, default=0, metavar="S", help="random state of the NMF (default 0)")
    discover.add_argument("--unit", choices=["sentence", "paragraph"], default="sentence",
                          help="what a row of the matrix is (default: sentence)")
    discover.add_argument("--min-count", type=int, default=3, metavar="N",
                          help="least mentions of an actor to list it (default 3)")
    discover.add_argument("--sources", type=int, default=50, metavar="N",
                          help="most-quoted sources to list (default 50; 0 for all)")
    discover.set_defaults(run=_run_discover)


def _run_discover(args) -> None:
    from analysis.discover import write_discovered

    if args.frames is not None and args.frames < 1:
        raise AnalysisError(f"--frames must be 1 or more, not {args.frames}")
    if args.seed < 0:
        raise AnalysisError(f"--seed must be 0 or more, not {args.seed}")
    if args.min_count < 1 or args.sources < 0:
        raise AnalysisError("--min-count must be 1 or more and --sources 0 or more")
    corpus = corpus_from(args)
    written = write_discovered(corpus, args.out, n_frames=args.frames, seed=args.seed, unit=args.unit,
                               min_count=args.min_count, n_sources=args.sources, inputs=run_inputs(args))
    write_stdout(format_table(written, "table"))
