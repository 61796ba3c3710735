"""The report and the notebooks read a study folder: the corpus is cleaned and measured once, not once per notebook."""

import shutil
import subprocess
import sys

import pytest

from analysis.errors import AnalysisError
from analysis.measure import measure
from analysis.paths import DATA_DIR, NOTEBOOKS_DIR, PROJECT_ROOT, SEEDS_DIR
from analysis.report import build_report, execute_notebook


def _pages(folder):
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.html"))}


def test_report_from_a_study_equals_the_report_from_the_corpus(seed_report, tmp_path):
    # The report of the example corpus measures it with the package's source list (its categories apply there).
    study = measure(SEEDS_DIR, tmp_path / "study", sources=DATA_DIR / "sources.yaml", workers=1)
    named = build_report(SEEDS_DIR, tmp_path / "named", progress=False, study_path=study).parent
    unnamed = build_report(None, tmp_path / "unnamed", progress=False, study_path=study).parent
    expected = _pages(seed_report)
    assert sorted(expected) == ["01_corpus.html", "02_vocabulary.html", "03_framing.html", "04_tone.html",
                                "05_sources.html", "index.html"]
    for report in (named, unnamed):
        pages = _pages(report)
        assert sorted(pages) == sorted(expected)
        for name in expected:
            assert pages[name] == expected[name], name
        tables = sorted(path.name for path in (report / "tables").iterdir())
        assert tables == sorted(path.name for path in (seed_report / "tables").iterdir())
    # Built from the corpus, the report keeps the study it measured; built from a study, it does not copy it.
    assert (seed_report / "study" / "manifest.json").is_file()
    assert (seed_report / "study" / "tables" / "sentence_tone.parquet").is_file()
    assert not (seed_report / "study" / "partitions").exists()
    assert not (named / "study").exists()


def test_report_of_a_study_refuses_another_corpus_and_other_rules(tmp_path):
    study = measure(SEEDS_DIR, tmp_path / "study", workers=1)
    other = tmp_path / "other"
    shutil.copytree(SEEDS_DIR, other)
    (other / "corpus.csv").write_bytes((other / "corpus.csv").read_bytes() + b"\n")
    with pytest.raises(AnalysisError, match="is not the corpus the study .* was measured from"):
        build_report(other, tmp_path / "out", progress=False, study_path=study)
    rules = tmp_path / "rules.yaml"
    rules.write_bytes((DATA_DIR / "cleaning.yaml").read_bytes() + b"\n# changed\n")
    with pytest.raises(AnalysisError, match="measured with the cleaning rules of the package, not these"):
        build_report(SEEDS_DIR, tmp_path / "out", rules_path=rules, progress=False, study_path=study)
    assert not (tmp_path / "out").exists()


def test_report_study_that_is_not_a_study_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "notes.txt").write_text("not a study\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "report", "--study", str(tmp_path / "plain"), "--out",
         str(tmp_path / "out"), "--quiet"],
        capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "not a study folder" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_notebook_given_a_study_never_reads_the_corpus(tmp_path):
    # The corpus the study was measured from is gone: a notebook that read or cleaned it would fail.
    corpus = shutil.copytree(SEEDS_DIR, tmp_path / "corpus")
    study = measure(corpus, tmp_path / "study", workers=1)
    shutil.rmtree(corpus)
    executed = execute_notebook(NOTEBOOKS_DIR / "01_corpus.ipynb",
                                {"study_path": str(study), "corpus_path": str(corpus)})
    shown = "".join(output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
                    for cell in executed.cells for output in cell.get("outputs", []))
    assert "overt-operator" in shown  # a document id: the corpus tables came from the study


def test_study_inputs_opens_the_study_without_cleaning(tmp_path, monkeypatch):
    import analysis.corpus
    import analysis.measure
    from analysis import read_corpus, study, tone
    from analysis.sources import attributions

    measured = measure(SEEDS_DIR, tmp_path / "study", workers=1)
    expected = read_corpus(SEEDS_DIR)

    def refuse(*args, **kwargs):
        raise AssertionError("the corpus was cleaned again")

    monkeypatch.setattr(analysis.corpus, "read_corpus", refuse)
    monkeypatch.setattr(analysis.corpus, "corpus_of_documents", refuse)
    monkeypatch.setattr(analysis.measure, "corpus_of_documents", refuse)
    inputs = study.study_inputs(measured, SEEDS_DIR)
    assert inputs.corpus.sentences.equals(expected.sentences)
    assert inputs.sentence_tone().equals(tone.sentence_tone(expected))
    # Measured with the default source rules: their attributions are the study's; with the package's list
    # (categories) they are computed.
    assert inputs.measured_with(sources=None) and not inputs.measured_with(sources=DATA_DIR / "sources.yaml")
    from analysis import lists

    for chosen in (None, DATA_DIR / "sources.yaml"):
        assert inputs.attributions(chosen).equals(attributions(expected, lists.source_rules(chosen)))


def test_outlet_differences_are_computed_once_per_study(tmp_path, monkeypatch):
    import pandas as pd

    from analysis import read_corpus, study, tone

    measured = measure(SEEDS_DIR, tmp_path / "study", workers=1)
    tones = tone.sentence_tone(read_corpus(SEEDS_DIR))
    expected = {voice: tone.outlet_differences(tones, voice=voice) for voice in (None, "authorial")}
    inputs = study.study_inputs(measured, SEEDS_DIR)
    first = {voice: inputs.outlet_differences(voice) for voice in expected}
    assert sorted(path.name.split("-")[2] for path in (measured / "derived").iterdir()) == ["all", "authorial"]
    with pytest.raises(AnalysisError, match="unknown voice 'shouted'"):
        inputs.outlet_differences("shouted")

    def refuse(*args, **kwargs):
        raise AssertionError("the permutation test ran again")

    monkeypatch.setattr(tone, "outlet_differences", refuse)
    again = study.study_inputs(measured, SEEDS_DIR)  # another notebook's kernel, reading the same study
    for voice, table in expected.items():
        pd.testing.assert_frame_equal(first[voice], table, check_dtype=False)
        assert again.outlet_differences(voice).equals(first[voice])
    # the first outlet of each pair (DW, DW, Overt Operator) has 23, 23 and 21 sentences, as in test_tone
    assert first[None]["n_a"].tolist() == [23, 23, 21]


def test_a_study_folder_that_cannot_keep_derived_tables_still_gives_them(tmp_path):
    from analysis import read_corpus, study, tone

    measured = measure(SEEDS_DIR, tmp_path / "study", workers=1)
    (measured / "derived").write_text("a file where the folder would go")
    inputs = study.study_inputs(measured, SEEDS_DIR)
    expected = tone.outlet_differences(tone.sentence_tone(read_corpus(SEEDS_DIR)))
    assert inputs.outlet_differences()["p_value"].tolist() == expected["p_value"].tolist()
    assert (measured / "derived").read_text() == "a file where the folder would go"


def test_discovered_actor_list_can_keep_only_the_most_mentioned(tmp_path):
    from analysis import read_corpus
    from analysis.actors import read_actors
    from analysis.discover import discovered_texts

    from conftest import write_jsonl

    # Mentions, counted by hand: Maria Lopez 4 per document, Carlos Ruiz and Ana Torres 3 (ties: by name).
    sentences = ["Maria Lopez spoke.", "Maria Lopez left.", "Maria Lopez came back.", "Maria Lopez agreed.",
                 "Carlos Ruiz spoke.", "Carlos Ruiz left.", "Carlos Ruiz came back.",
                 "Ana Torres spoke.", "Ana Torres left.", "Ana Torres came back."]
    corpus = read_corpus(write_jsonl(tmp_path / "c.jsonl", [
        {"doc_id": f"d{number}", "outlet": "A" if number % 2 else "B", "title": "News",
         "text": " ".join(sentences)} for number in range(2)]))
    every = discovered_texts(corpus)["actors.yaml"]
    kept = discovered_texts(corpus, n_actors=2)["actors.yaml"]
    (tmp_path / "every.yaml").write_text(every, encoding="utf-8")
    (tmp_path / "kept.yaml").write_text(kept, encoding="utf-8")
    assert read_actors(tmp_path / "every.yaml").names[:3] == ["Maria Lopez", "Ana Torres", "Carlos Ruiz"]
    assert read_actors(tmp_path / "kept.yaml").names == ["Maria Lopez", "Ana Torres"]
    assert "Only the 2 most mentioned names are listed." in kept


def test_a_failed_parallel_build_stops_its_kernels_and_leaves_the_next_build_working(tmp_path):
    import nbformat

    broken = nbformat.v4.new_notebook()
    broken.cells = [nbformat.v4.new_code_cell("output_dir = None", metadata={"tags": ["parameters"]}),
                    nbformat.v4.new_code_cell("raise ValueError('odd')")]
    broken.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(broken, tmp_path / "broken.ipynb")
    # Both run at once; the broken one fails first and its own error is reported, not the other's stopped kernel.
    with pytest.raises(AnalysisError, match=r"broken\.ipynb: cell 2 .* failed: ValueError: odd"):
        build_report(SEEDS_DIR, tmp_path / "first", notebooks=("01_corpus.ipynb", str(tmp_path / "broken.ipynb")),
                     progress=False)
    assert not (tmp_path / "first").exists()
    build_report(SEEDS_DIR, tmp_path / "second", notebooks=("01_corpus.ipynb",), progress=False)
    assert (tmp_path / "second" / "01_corpus.html").is_file()
