"""The benchmark scripts import, and their tables are written as documented (no timing is asserted here)."""

import importlib
import sys

import pytest

from analysis.paths import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT))

results_table = importlib.import_module("bench.results_table")


@pytest.mark.parametrize("name", ["bench.bench_peer", "bench.bench_scale", "bench.results_table"])
def test_benchmark_scripts_import(name):
    module = importlib.import_module(name)
    assert callable(getattr(module, "main", None)) or name == "bench.results_table"


def test_comparison_row_is_one_csv_line_with_the_target_checked():
    row = results_table.comparison_row("ours vs peer, build, scoring", 1_000_000, "wall s; ratio peer/ours",
                                       10.0, 25.0, 2.5, ">= 3")
    line = results_table.format_row(row, results_table.COMPARISON_COLUMNS)
    # Names with commas are quoted; floats carry three decimals; 2.5 falls short of 3.
    assert line == '"ours vs peer, build, scoring",1000000,wall s; ratio peer/ours,10.000,25.000,2.500,>= 3,no\n'


def test_at_most_targets_and_rows_without_a_target():
    met = results_table.comparison_row("memory", 10, "MB", 150.0, 100.0, 1.5, "<= 1.5")
    plain = results_table.comparison_row("memory", 10, "MB", 150.0, 100.0, 1.5, "")
    assert (met["target_met"], plain["target_met"]) == ("yes", "")
    with pytest.raises(ValueError):
        results_table.comparison_row("memory", 10, "MB", 1.0, 1.0, 1.0, "about 2")


def test_update_table_replaces_rows_with_the_same_key_and_keeps_the_others(tmp_path):
    path = tmp_path / "table.csv"
    columns = ["name", "size", "seconds"]
    results_table.update_table(path, [{"name": "a", "size": 1, "seconds": 1.0},
                                      {"name": "b", "size": 1, "seconds": 2.0}], columns, key=["name", "size"])
    results_table.update_table(path, [{"name": "a", "size": 1, "seconds": 3.25},
                                      {"name": "c", "size": 2, "seconds": 4.0}], columns, key=["name", "size"])
    assert path.read_text() == "name,size,seconds\na,1,3.250\nb,1,2.000\nc,2,4.000\n"


def test_scale_row_words_per_second():
    bench_scale = importlib.import_module("bench.bench_scale")
    row = bench_scale.scale_row(1_000_000, 2, 8.0, 512.04, "psutil", 0.5, partition_size=200)
    # 1,000,000 words in 8 s is 125,000 words per second.
    assert row == {"corpus_words": 1_000_000, "workers": 2, "partition_size": 200, "wall_seconds": 8.0,
                   "words_per_second": 125_000, "peak_rss_mb": 512.0, "memory_sampler": "psutil", "load_before": 0.5}
    line = results_table.format_row(row, bench_scale.SCALE_COLUMNS)
    assert line == "1000000,2,200,8.000,125000,512.000,psutil,0.500\n"
