"""``measure``: measure a corpus once, in partitions and in parallel, into a study folder of tables."""

from pathlib import Path

from analysis.cli import whole_number, write_stdout

ORDER = 90


def register(commands) -> None:
    """Add the measure command."""
    from analysis.measure import DEFAULT_PARTITION_SIZE

    parser = commands.add_parser(
        "measure", help="measure a corpus in partitions (Dask) into a study folder of Parquet tables",
        description="Read the corpus in partitions of documents, measure each (vocabulary, sentence tone, "
                    "attributions, and frame matches with --codebook) on all local cores or a Dask cluster, "
                    "and write STUDY/tables/*.parquet and STUDY/manifest.json. Partitions measured before with "
                    "the same content and options are reused. See docs/scale.md.",
    )
    parser.add_argument("--corpus", type=Path, required=True, metavar="PATH",
                        help="a folder with corpus.csv, or a .csv/.jsonl/.parquet file")
    parser.add_argument("--out", type=Path, required=True, metavar="STUDY",
                        help="the study folder: new, empty, or written by an earlier measure run")
    parser.add_argument("--rules", type=Path, default=None, metavar="FILE",
                        help="cleaning rules (default: analysis/data/cleaning.yaml)")
    parser.add_argument("--codebook", type=Path, default=None, metavar="FILE",
                        help="a framing codebook: adds the frame_matches table")
    parser.add_argument("--sources", type=Path, default=None, metavar="FILE",
                        help="source categories and speech verbs (default: the package's verbs, no categories)")
    parser.add_argument("--ngram", type=whole_number, default=1, metavar="N",
                        help="terms of 1 to N words (default 1)")
    parser.add_argument("--partition-size", type=whole_number, default=DEFAULT_PARTITION_SIZE, metavar="N",
                        help=f"documents per partition (default {DEFAULT_PARTITION_SIZE:,})")
    parser.add_argument("--workers", type=whole_number, default=None, metavar="N",
                        help="local worker processes (default: every core; 1 measures in this process)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="the address of a running Dask scheduler (tcp://host:8786) to measure on instead")
    parser.add_argument("--quiet", action="store_true", help="no progress bar on standard error")
    parser.set_defaults(run=_run_measure)


def _run_measure(args) -> None:
    from analysis.measure import measure, study_manifest

    study = measure(args.corpus, args.out, rules=args.rules, codebook=args.codebook, sources=args.sources,
                    ngram=args.ngram, partition_size=args.partition_size, workers=args.workers,
                    scheduler=args.scheduler, progress=not args.quiet)
    manifest = study_manifest(study)
    counts = ", ".join(f"{name} {table['n_rows']:,}" for name, table in manifest["tables"].items())
    n_partitions = len(manifest["partitions"])
    write_stdout(f"{args.out}: {manifest['corpus']['n_documents']:,} documents in "
                 f"{n_partitions} partition{'' if n_partitions == 1 else 's'} "
                 f"({manifest['n_partitions_measured']} measured, {manifest['n_partitions_reused']} reused); "
                 f"rows: {counts}\n")
