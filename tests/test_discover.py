"""Discovery: candidate frames, actors and sources of a corpus without a codebook, written as files the readers load."""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis import read_corpus
from analysis.actors import read_actors
from analysis.cli import main
from analysis.codebook import read_codebook
from analysis.discover import (
    FILES,
    actors_text,
    discover_actors,
    discover_frames,
    discover_sources,
    frame_examples,
    frame_model,
    frame_range,
    frame_shares,
    sources_text,
    write_discovered,
    yaml_string,
)
from analysis.errors import AnalysisError
from analysis.output import OutputError
from analysis.sources import classify_speaker, read_source_rules
from tests.conftest import write_manifest_corpus

# Two themes that share no content word: three articles on harbour storms, three on a school budget.
DOCUMENTS = [
    {"doc_id": "storm-1", "outlet": "Coast Post", "text":
        "Storm waves flooded the harbour on Monday.\n\n"
        "Maria Lopez, the harbour master, said the storm surge broke the sea wall.\n\n"
        "Fishing boats sank in the harbour as the waves rose.\n\n"
        "\"The storm was the worst in decades,\" Lopez said.\n"},
    {"doc_id": "storm-2", "outlet": "Town Daily", "text":
        "A second storm battered the harbour overnight.\n\n"
        "Harbour master Maria Lopez said waves tore boats from their moorings.\n\n"
        "The harbour wall cracked under the storm surge.\n\n"
        "\"We lost six boats to the waves,\" Ms Lopez said.\n"},
    {"doc_id": "storm-3", "outlet": "Coast Post", "text":
        "Harbour crews cleared wreckage after the storm.\n\n"
        "Maria Lopez said the sea wall needs repair before the next storm.\n\n"
        "Waves and wind damaged boats along the harbour.\n"},
    {"doc_id": "school-1", "outlet": "Town Daily", "text":
        "The school board cut the budget for teachers.\n\n"
        "Daniel Okoro, the board chair, said the school budget fell by two million.\n\n"
        "Teachers warned that classes will grow after the budget cut.\n\n"
        "\"We cannot pay teachers with this budget,\" Okoro said.\n"},
    {"doc_id": "school-2", "outlet": "Coast Post", "text":
        "Parents protested the school budget at the board meeting.\n\n"
        "Teachers said the budget leaves classes without books.\n\n"
        "The school board said the budget cut was unavoidable.\n"},
    {"doc_id": "school-3", "outlet": "Town Daily", "text":
        "The school budget vote passed the board.\n\n"
        "Teachers and parents said classes and books will suffer.\n\n"
        "The board promised to review the school budget for teachers next year.\n"},
]
HARBOUR_WORDS = {"harbour", "storm", "waves", "boats", "wall", "surge", "sea"}
SCHOOL_WORDS = {"school", "budget", "teachers", "board", "classes", "books", "parents"}
HOSTILE = 'Dr "Quote": #1 O\'Brien\nsecond line\u2028 and \\ a backslash'


@pytest.fixture
def themes(tmp_path):
    folder = write_manifest_corpus(tmp_path / "themes", DOCUMENTS)
    return read_corpus(folder)


def run(capsys, *args):
    status = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# --- frames ---------------------------------------------------------------------------------------------------


def test_two_frames_separate_the_two_themes(themes):
    frames = discover_frames(themes, n_frames=2)
    terms = {number: set(group["term"]) for number, group in frames.groupby("frame")}
    harbour = next(number for number, words in terms.items() if "harbour" in words)
    school = next(number for number, words in terms.items() if "budget" in words)
    assert harbour != school
    # Read from the articles: each frame's terms come from its own theme only.
    assert terms[harbour] <= HARBOUR_WORDS | {"master", "maria", "lopez", "second", "crews", "wreckage", "repair",
                                              "needs", "wind", "damaged", "cracked", "tore", "flooded", "rose"}
    assert not terms[harbour] & SCHOOL_WORDS and not terms[school] & HARBOUR_WORDS
    assert {"harbour", "storm", "waves"} <= terms[harbour] and {"school", "budget", "teachers"} <= terms[school]
    name = frames.loc[frames["frame"] == harbour, "name"].iloc[0]
    assert name.startswith(f"frame {harbour}: ") and name.count(" / ") == 2


def test_every_sentence_of_a_theme_is_dominated_by_its_frame(themes):
    model = frame_model(themes, n_frames=2)
    shares = frame_shares(themes, model=model)
    examples = frame_examples(themes, model=model)
    frames = discover_frames(themes, model=model)
    harbour = frames.loc[frames["term"] == "harbour", "frame"].iloc[0]
    # Each example of the harbour frame is a sentence of a storm article, and the reverse.
    for number, group in examples.groupby("frame"):
        prefix = "storm-" if number == harbour else "school-"
        assert all(doc_id.startswith(prefix) for doc_id in group["doc_id"])
    # Coast Post has 4 + 3 storm sentences and 3 school sentences (by counting the texts above).
    coast = shares[shares["outlet"] == "Coast Post"].set_index("frame")
    assert coast["n_outlet_units"].iloc[0] == 10
    assert coast.loc[harbour, "n_units"] == 7 and coast.loc[harbour, "share"] == pytest.approx(0.7)
    assert coast.loc[0, "n_units"] == 0 and coast["n_units"].sum() == 10


def test_paragraph_units_give_the_same_two_themes(themes):
    frames = discover_frames(themes, n_frames=2, unit="paragraph")
    terms = [set(group["term"]) for _, group in frames.groupby("frame")]
    assert any("harbour" in words and not words & SCHOOL_WORDS for words in terms)


def test_frame_range_is_bounded_by_the_corpus():
    # √(units / 2), at most 10, at most terms − 1, at least 2.
    assert list(frame_range(20, 50)) == [2, 3]
    assert list(frame_range(5, 50)) == [2]
    assert list(frame_range(10_000, 50)) == list(range(2, 11))
    assert list(frame_range(10_000, 4)) == [2, 3]


def test_the_number_of_frames_is_chosen_deterministically(themes):
    first, second = frame_model(themes, seed=3), frame_model(themes, seed=3)
    assert first.n_frames in (2, 3)
    assert first.k_scores["chosen"].sum() == 1
    assert first.k_scores.equals(second.k_scores)


def test_too_few_frames_or_too_little_text_is_refused(themes, tmp_path):
    with pytest.raises(AnalysisError, match="1 or more"):
        frame_model(themes, n_frames=0)
    with pytest.raises(AnalysisError, match="ask for fewer frames"):
        frame_model(themes, n_frames=500)
    documents = [{"doc_id": "a", "outlet": "A", "text": "Rain fell.\n"},
                 {"doc_id": "b", "outlet": "B", "text": "Sun shone.\n"}]
    tiny = read_corpus(write_manifest_corpus(tmp_path / "tiny", documents))
    with pytest.raises(AnalysisError, match="too little text"):
        frame_model(tiny)


# --- actors and sources ---------------------------------------------------------------------------------------


def test_name_variants_join_the_full_name(themes):
    actors = discover_actors(themes, min_count=2)
    lopez = actors[actors["actor"] == "Maria Lopez"]
    # Maria Lopez 3 times, "Lopez said" once, "Ms Lopez said" once (a title, then the surname).
    assert set(lopez["alias"]) == {"Maria Lopez", "Lopez"}
    assert lopez["total"].iloc[0] == 5 and lopez["titled"].iloc[0] == 1 and lopez["kind"].iloc[0] == "person"
    okoro = actors[actors["actor"] == "Daniel Okoro"]
    assert set(okoro["alias"]) == {"Daniel Okoro", "Okoro"} and okoro["total"].iloc[0] == 2
    # Capitalised sentence openers that the texts also write in lower case are no names; nor is Monday.
    assert not set(actors["actor"]) & {"Storm", "Teachers", "Parents", "Harbour", "Monday", "The"}
    assert actors["actor"].iloc[0] == "Maria Lopez"


def test_an_acronym_joins_the_name_of_its_initials(tmp_path):
    text = ("The United States sent aid.\n\nOfficials in the United States agreed.\n\n"
            "The aid from the US arrived.\n\nThe US said more would come.\n")
    corpus = read_corpus(write_manifest_corpus(tmp_path / "us", [{"doc_id": "a", "outlet": "A", "text": text}]))
    actors = discover_actors(corpus, min_count=2)
    assert set(actors.loc[actors["actor"] == "United States", "alias"]) == {"United States", "US"}
    assert actors["total"].iloc[0] == 4


def test_the_most_quoted_source_comes_first(themes):
    sources = discover_sources(themes)
    # Maria Lopez is quoted in every storm article: 2 + 2 + 1 times; Daniel Okoro twice.
    assert sources["entity"].iloc[0] == "Maria Lopez" and sources["count"].iloc[0] == 5
    assert sources.loc[sources["entity"] == "Daniel Okoro", "count"].iloc[0] == 2
    assert sources["category"].iloc[0] == "to-classify"
    assert set(sources.loc[sources["entity"].str.lower() == "teachers", "category"]) == {"unnamed"}
    assert "Lopez" in sources["other_forms"].iloc[0]


def test_hostile_names_round_trip_through_the_yaml(tmp_path):
    for value in (HOSTILE, "#", "a: b", "'", '"', "- item", "José ✓", "\ufeffbom", "null", "yes", "1.5"):
        assert yaml.safe_load("key: " + yaml_string(value) + "  # comment\n")["key"] == value
    actors = pd.DataFrame([{"actor": HOSTILE, "alias": HOSTILE, "count": 3, "total": 4, "n_documents": 2,
                            "kind": "person", "titled": 0},
                           {"actor": HOSTILE, "alias": "Brien: #2", "count": 1, "total": 4, "n_documents": 2,
                            "kind": "person", "titled": 0}])
    path = tmp_path / "actors.yaml"
    path.write_text(actors_text(actors, 2), encoding="utf-8")
    groups = read_actors(path).groups
    assert groups[0].name == HOSTILE.strip() and groups[0].aliases == (HOSTILE.strip(), "Brien: #2")
    sources = pd.DataFrame([{"entity": HOSTILE, "source_kind": "person", "category": "to-classify", "count": 5,
                             "n_documents": 1, "n_outlets": 1, "n_direct": 1, "other_forms": ("Brien: #2",)}])
    path = tmp_path / "sources.yaml"
    path.write_text(sources_text(sources), encoding="utf-8")
    assert read_source_rules(path).categories[0].people == (HOSTILE.strip(), "Brien: #2")


# --- files and the command ------------------------------------------------------------------------------------


def test_the_written_files_load_with_the_project_readers(themes, tmp_path):
    written = write_discovered(themes, tmp_path / "out", n_frames=2, min_count=2)
    out = tmp_path / "out"
    assert [name for name in FILES if (out / name).exists()] == list(FILES)
    assert len(written) == len(FILES)
    codebook = read_codebook(out / "codebook.yaml")
    assert len(codebook.frames) == 2
    assert all("not validated" in frame.description for frame in codebook.frames)
    assert {"harbour", "storm", "waves"} <= {term.label for frame in codebook.frames for term in frame.terms}
    actors = read_actors(out / "actors.yaml")
    assert actors.names[0] == "Maria Lopez" and "Lopez" in actors.groups[0].aliases
    rules = read_source_rules(out / "sources.yaml")
    first = rules.categories[0]
    assert first.id == "to-classify" and first.people[0] == "Maria Lopez"
    assert "said" in rules.verbs
    # The short forms the articles quote her by are listed too, so the list classifies those speakers.
    assert classify_speaker("Ms Lopez", rules)[0] == "to-classify"
    assert classify_speaker("Teachers", rules)[0] == "unnamed"
    frames = pd.read_csv(out / "frames.csv")
    assert list(frames.columns) == ["frame", "name", "rank", "term", "weight"]
    summary = (out / "summary.txt").read_text(encoding="utf-8")
    assert "frame 1: " in summary and "**" not in summary and "#" not in summary


def test_same_seed_same_bytes(themes, tmp_path, capsys):
    corpus = themes.source
    for name in ("a", "b"):
        status, _, err = run(capsys, "discover", "--corpus", corpus, "--out", tmp_path / name, "--seed", 7,
                             "--min-count", 2)
        assert status == 0, err
    for name in FILES + (".discovered",):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    # A second run into the same folder overwrites its own unchanged files.
    status, _, err = run(capsys, "discover", "--corpus", corpus, "--out", tmp_path / "a", "--seed", 7,
                         "--min-count", 2)
    assert status == 0, err
    assert (tmp_path / "a" / "codebook.yaml").read_bytes() == (tmp_path / "b" / "codebook.yaml").read_bytes()


def test_foreign_or_edited_files_are_never_overwritten(themes, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    (out / "codebook.yaml").write_text("frames: []\n", encoding="utf-8")
    with pytest.raises(OutputError, match="not written by discover"):
        write_discovered(themes, out, n_frames=2)
    assert sorted(path.name for path in out.iterdir()) == ["codebook.yaml", "notes.txt"]
    (out / "codebook.yaml").unlink()
    write_discovered(themes, out, n_frames=2)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    (out / "actors.yaml").write_text((out / "actors.yaml").read_text(encoding="utf-8") + "# edited\n",
                                     encoding="utf-8")
    edited = (out / "actors.yaml").read_bytes()
    with pytest.raises(OutputError, match="edited"):
        write_discovered(themes, out, n_frames=2)
    assert (out / "actors.yaml").read_bytes() == edited


@pytest.mark.parametrize("arguments, expected", [
    (["--frames", "0"], "--frames must be 1 or more"),
    (["--frames", "500"], "ask for fewer frames"),
    (["--unit", "word"], "invalid choice"),
    (["--min-count", "0"], "--min-count must be 1 or more"),
    (["--seed", "-1"], "--seed must be 0 or more"),
])
def test_bad_options_exit_2_with_one_line(themes, tmp_path, capsys, arguments, expected):
    status, out, err = run(capsys, "discover", "--corpus", themes.source, "--out", tmp_path / "out", *arguments)
    assert status == 2 and err.count("\n") == 1 and expected in err and out == ""
    assert not (tmp_path / "out").exists()


def test_bad_output_folders_exit_2_with_one_line(themes, tmp_path, capsys):
    status, _, err = run(capsys, "discover", "--corpus", themes.source)
    assert status == 2 and err.count("\n") == 1 and "--out" in err
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    status, _, err = run(capsys, "discover", "--corpus", themes.source, "--out", a_file)
    assert status == 2 and err.count("\n") == 1 and "not a folder" in err
    inside = themes.source / "discovered"
    status, _, err = run(capsys, "discover", "--corpus", themes.source, "--out", inside)
    assert status == 2 and err.count("\n") == 1 and "input folder" in err
    assert not inside.exists()


def test_a_corpus_without_names_gets_an_empty_actor_list(tmp_path):
    # Lower-case text only: no capitalised run is a name, so no actor (and no crash on the empty table).
    folder = write_manifest_corpus(tmp_path / "plain", [
        {"doc_id": "a", "outlet": "one", "text": "the river rose in the night and the road was closed.\n\n"
                                                  "the river fell by noon and the road opened again."},
        {"doc_id": "b", "outlet": "two", "text": "the road was closed when the river rose.\n\n"
                                                  "by noon the river fell and the road opened."},
    ])
    from analysis import read_corpus

    assert discover_actors(read_corpus(folder)).empty


def test_people_found_in_a_forked_process_are_those_found_here(seeds, monkeypatch):
    # from PARALLEL_DISCOVERY_SENTENCES sentences on, actors and sources are found in a forked process while the
    # frames are found here: every discovered file must be the same as when all is found in one process
    import multiprocessing

    from analysis import discover

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("this platform cannot fork")
    monkeypatch.setattr(discover.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(discover, "PARALLEL_DISCOVERY_SENTENCES", 10**9)
    in_one = discover.discovered_texts(seeds, n_actors=5)
    monkeypatch.setattr(discover, "PARALLEL_DISCOVERY_SENTENCES", 1)
    forked = discover.discovered_texts(seeds, n_actors=5)
    assert forked == in_one
    assert {"codebook.yaml", "actors.yaml", "sources.yaml", "summary.txt"} <= set(forked)


def test_the_inductive_check_is_left_out_for_a_discovered_codebook_only():
    from analysis.discover import circular_comparison_notice

    assert circular_comparison_notice(None) == ""
    assert circular_comparison_notice("actors,sources") == ""
    notice = circular_comparison_notice("codebook,actors")
    assert "discovered from the corpus" in notice and "--codebook" in notice
    assert circular_comparison_notice(["codebook"]) == notice


def test_the_chosen_number_of_frames_is_fitted_once_and_as_asked(monkeypatch):
    import numpy as np

    import analysis.discover as discover

    corpus = read_corpus(Path(__file__).parent / "data" / "unseen")
    chosen = discover.frame_model(corpus)
    asked = discover.frame_model(corpus, n_frames=chosen.n_frames)  # the number given: fitted on its own
    assert np.array_equal(chosen.unit_weights, asked.unit_weights)
    assert np.array_equal(chosen.term_weights, asked.term_weights)
    fits = []
    real = discover._factorise
    monkeypatch.setattr(discover, "_factorise", lambda matrix, n, seed: fits.append(n) or real(matrix, n, seed))
    discover.frame_model(corpus)
    assert fits == chosen.k_scores["n_frames"].tolist()  # each number once: the chosen one is not fitted again
    assert len(fits) > 2
