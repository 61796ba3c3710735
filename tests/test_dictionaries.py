"""Dictionaries from other tools: LIWC .dic and quanteda YAML count exactly what the same project codebook counts.

The corpus below is written by hand; every expected count was worked out by
reading it (see the comments), not taken from the program's output.
"""

import subprocess
import sys

import pytest

from analysis import read_corpus
from analysis.cli import main
from analysis.codebook import read_codebook
from analysis.errors import RulesError
from analysis.framing import frame_counts, term_counts
from analysis.matching import compile_phrase
from analysis.paths import PROJECT_ROOT

from conftest import write_jsonl

DOCUMENTS = [
    {"doc_id": "a", "outlet": "A", "text": (
        "Talks collapse\n\n"
        "The talks collapsed on Monday. Officials said the deal was collapsing and could fall apart. "
        "The ban stays."
    )},
    {"doc_id": "b", "outlet": "B", "text": (
        "Sanctions tighten\n\n"
        "The government banned imports and is banning more. Sanctioned firms fell apart. "
        "A bane for traders, one said, but the bans stop nothing."
    )},
]
# Read by hand, term by term:
#   A: collaps* — "collapse" (headline), "collapsed", "collapsing" = 3; fall apart — 1; ban — "ban" = 1;
#      sanction* — 0.
#   B: collaps* — 0; fall apart — 0 ("fell apart" is irregular); ban — "banned", "banning", "bans" = 3
#      ("bane" is another word); sanction* — "Sanctions" (headline), "Sanctioned" = 2.
EXPECTED_TERMS = {
    ("A", "collapse", "collaps*"): 3, ("A", "collapse", "fall apart"): 1,
    ("A", "law", "ban"): 1, ("A", "law", "sanction*"): 0,
    ("B", "collapse", "collaps*"): 0, ("B", "collapse", "fall apart"): 0,
    ("B", "law", "ban"): 3, ("B", "law", "sanction*"): 2,
}
EXPECTED_FRAMES = {("A", "collapse"): 4, ("A", "law"): 1, ("B", "collapse"): 0, ("B", "law"): 5}

PROJECT_CODEBOOK = """\
frames:
  - name: collapse
    description: Things falling apart.
    terms:
      - collaps*
      - fall apart
  - name: law
    description: Bans and sanctions.
    terms:
      - ban
      - sanction*
"""
LIWC_DICTIONARY = "%\n1\tcollapse\n2\tlaw\n%\ncollaps*\t1\nfall apart\t1\nban\t2\nsanction*\t2\n"
QUANTEDA_DICTIONARY = "collapse:\n  - collaps*\n  - fall apart\nlaw:\n  - ban\n  - sanction*\n"


@pytest.fixture
def corpus(tmp_path):
    return read_corpus(write_jsonl(tmp_path / "corpus.jsonl", DOCUMENTS))


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def term_table(corpus, codebook) -> dict:
    table = term_counts(corpus, codebook)
    return {(row.outlet, row.frame, row.term): row.count for row in table.itertuples()}


def frame_table(corpus, codebook) -> dict:
    table = frame_counts(corpus, codebook)
    return {(row.outlet, row.frame): row.count for row in table.itertuples()}


def test_the_project_codebook_counts_what_the_text_says(tmp_path, corpus):
    codebook = read_codebook(write(tmp_path, "codebook.yaml", PROJECT_CODEBOOK))
    assert term_table(corpus, codebook) == EXPECTED_TERMS
    assert frame_table(corpus, codebook) == EXPECTED_FRAMES


@pytest.mark.parametrize(("name", "text"), [("study.dic", LIWC_DICTIONARY), ("study.yml", QUANTEDA_DICTIONARY)],
                         ids=["liwc", "quanteda"])
def test_a_dictionary_counts_exactly_what_the_same_project_codebook_counts(tmp_path, corpus, name, text):
    codebook = read_codebook(write(tmp_path, name, text))
    assert codebook.frame_names == ["collapse", "law"]
    assert term_table(corpus, codebook) == EXPECTED_TERMS
    assert frame_table(corpus, codebook) == EXPECTED_FRAMES


def test_liwc_reader_takes_spaces_several_categories_a_bom_and_a_file_named_otherwise(tmp_path, corpus):
    # Entries separated by spaces; "sanction*" in both categories; the header's numbers need not be 1, 2.
    text = "\ufeff%\n10   collapse\n20   law\n%\n\ncollaps*  10\nfall apart 10\nban 20\nsanction* 20 10\n"
    codebook = read_codebook(write(tmp_path, "liwc.txt", text))
    terms = term_table(corpus, codebook)
    # sanction* now also counts for collapse: B's 2 (it is not adjacent to any other collapse match).
    assert terms[("B", "collapse", "sanction*")] == 2
    assert frame_table(corpus, codebook) == {("A", "collapse"): 4, ("A", "law"): 1,
                                             ("B", "collapse"): 2, ("B", "law"): 5}
    assert codebook.frames[0].terms[1].source.endswith("liwc.txt:7")


def test_quanteda_nesting_is_flattened_with_a_dot(tmp_path, corpus):
    text = "collapse: [collaps*, fall apart]\nlaw:\n  bans: ban\n  sanctions:\n    - sanction*\n"
    codebook = read_codebook(write(tmp_path, "nested.yaml", text))
    assert codebook.frame_names == ["collapse", "law.bans", "law.sanctions"]
    frames = frame_table(corpus, codebook)
    assert frames[("B", "law.bans")] == 3 and frames[("B", "law.sanctions")] == 2
    assert codebook.frames[2].terms[0].source.endswith("nested.yaml:5")


LIWC_HEADER = "%\n1\tx\n%\n"  # entries start on line 4


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("col*apse\t1", "the entry 'col*apse' in category 'x' has '*' inside or before a word"),
        ("*lapse\t1", "the entry '*lapse' in category 'x' has '*' inside or before a word"),
        ("*\t1", "the entry '*' in category 'x' has a bare '*'"),
        ("ban?\t1", "the glob '?' in 'ban?' of category 'x' is not supported"),
        ("like\t1 (1 2)3", "conditional entries ('like 1 (1 2)3') are not supported"),
        ("kind\t1 131/130", "conditional entries ('kind 1 131/130') are not supported"),
        ("ban(ned)?\t1", "the glob '?'"),
        ("ban(ned)\t1", "'ban(ned)' in category 'x' uses regular expression syntax: ( );"),
        ("\t1", "empty entry (category numbers without a word)"),
        ("ban", "the entry 'ban' has no category numbers"),
        ("ban\t7", "category 7 of 'ban' is not in the header"),
        ("ban\t1\nBan\t1", "duplicate entry 'Ban' in category 'x' (first on line 4)"),
        ("—\t1", "the entry '—' in category 'x' has no letter or digit"),
    ],
    ids=["inner-star", "leading-star", "bare-star", "question-mark", "conditional", "conditional-slash", "regex-1",
         "regex-2", "empty", "no-category", "unknown-category", "duplicate", "no-letter"],
)
def test_unsupported_liwc_entries_are_one_line_errors_from_the_cli(tmp_path, capsys, entry, message):
    path = write(tmp_path, "bad.dic", LIWC_HEADER + entry + "\n")
    status = main(["terms", "--codebook", str(path), "--corpus", str(write_jsonl(tmp_path / "c.jsonl",
                                                                                     DOCUMENTS))])
    captured = capsys.readouterr()
    line = 5 if entry.startswith("ban\t1\n") else 4
    assert status == 2 and captured.out == ""
    assert captured.err.startswith(f"error: {path}:{line}: {message}"), captured.err
    assert captured.err.count("\n") == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("%\n1\tx\n", "1: the category header opened here is not closed by a line '%'"),
        ("%\n%\nban\t1\n", "1: the header names no categories"),
        ("%\none\tx\n%\n", "2: a header line is a category number and a name ('1<TAB>posemo'), found 'one\tx'"),
        ("%\n1\tx\n1\ty\n%\n", "3: category number 1 given twice (first on line 2)"),
        ("%\n1\tx\n2\ty\n%\nban\t1\n", "3: category 'y' (2) has no entries"),
        ("ban\t1\n", "1: a LIWC dictionary starts with a line '%'"),
    ],
    ids=["unclosed", "no-categories", "bad-header", "repeated-number", "unused-category", "no-header"],
)
def test_liwc_header_problems_name_file_and_line(tmp_path, text, message):
    path = write(tmp_path, "bad.dic", text)
    with pytest.raises(RulesError) as caught:
        read_codebook(path)
    assert str(caught.value).startswith(f"{path}:{message}"), str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a:\n  - ok\n  - col*apse\n", "3: the entry 'col*apse' in category 'a' has '*' inside or before a word"),
        ("a:\n  - ok\n  - '*'\n", "3: the entry '*' in category 'a' has a bare '*'"),
        ("a:\n  - ok\n  - ban?\n", "3: the glob '?' in 'ban?' of category 'a' is not supported"),
        ("a:\n  - ok\n  - 'ban(ned)'\n", "3: 'ban(ned)' in category 'a' uses regular expression syntax: ( );"),
        ("a:\n  - ok\n  - ''\n", "3: empty pattern in category 'a'"),
        ("a:\n  b: []\n", "2: category 'a.b' needs a non-empty list of patterns"),
        ("a:\n  - ok\n  - OK\n", "3: duplicate entry 'OK' in category 'a' (first on line 2)"),
    ],
    ids=["inner-star", "bare-star", "question-mark", "regex", "empty", "empty-list", "duplicate"],
)
def test_unsupported_quanteda_patterns_are_one_line_errors_from_the_cli(tmp_path, capsys, text, message):
    path = write(tmp_path, "bad.yaml", text)
    status = main(["terms", "--codebook", str(path), "--corpus", str(write_jsonl(tmp_path / "c.jsonl",
                                                                                     DOCUMENTS))])
    captured = capsys.readouterr()
    assert status == 2 and captured.out == ""
    assert captured.err.startswith(f"error: {path}:{message}"), captured.err
    assert captured.err.count("\n") == 1


def test_the_module_cli_refuses_a_bad_dictionary_without_a_traceback(tmp_path):
    path = write(tmp_path, "bad.dic", LIWC_HEADER + "like\t1 (1 2)3\n")
    corpus_path = write_jsonl(tmp_path / "c.jsonl", DOCUMENTS)
    done = subprocess.run([sys.executable, "-m", "analysis", "terms", "--codebook", str(path), "--corpus",
                           str(corpus_path)], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"error: {path}:4: conditional entries ('like 1 (1 2)3') are not supported; list the " \
                          "entry under its categories, or write a regex term in a project codebook\n"


def test_a_wildcard_in_the_project_codebook_is_a_prefix_and_a_misplaced_one_is_refused(tmp_path, corpus):
    text = "frames:\n  - name: a\n    description: d\n    terms:\n      - collaps*\n      - col*apse\n"
    path = write(tmp_path, "codebook.yaml", text)
    with pytest.raises(RulesError) as caught:
        read_codebook(path)
    assert str(caught.value).startswith(f"{path}:6: the term 'col*apse' in frame 'a' has '*' inside or before")


def found(phrase, text, **options):
    return [text[start:end] for start, end in compile_phrase(phrase, **options).find(text)]


@pytest.mark.parametrize(
    ("phrase", "text", "expected"),
    [
        ("collapse", "collapse, collapsed, collapsing, collapses", ["collapse", "collapsed", "collapsing",
                                                                    "collapses"]),
        ("ban", "ban, banned, banning, bans, bane, banal", ["ban", "banned", "banning", "bans"]),
        ("stop", "stop, stopped, stopping, stops, stoop", ["stop", "stopped", "stopping", "stops"]),
        ("visit", "visited, visiting", ["visited", "visiting"]),
        ("deny", "denied, denies, denying", ["denied", "denies", "denying"]),
        ("agree", "agreed, agreeing", ["agreed", "agreeing"]),
        ("the", "the thing", ["the"]),  # a function word takes no verb forms
        ("sanction", "sanctioned", ["sanctioned"]),
    ],
)
def test_plain_words_match_their_regular_inflections(phrase, text, expected):
    assert found(phrase, text) == expected


def test_inflect_false_keeps_exact_matching_and_a_prefix_covers_every_ending():
    assert found("collapse", "collapsed, collapsing", inflect=False) == []
    assert found("collaps*", "Collapse, collapsed, collapsing, collapsible") == [
        "Collapse", "collapsed", "collapsing", "collapsible"]
    assert found("collaps*", "the collaps") == ["collaps"]
    assert found("collaps*", "precollapse") == []


def test_more_than_2000_terms_is_refused_at_the_entry_past_the_limit(tmp_path):
    # 1,001 entries in two categories each: term 2,001 is the first category of entry 1,001, on line 5 + 1,000.
    entries = "".join(f"word{index}\t1 2\n" for index in range(1, 1002))
    path = write(tmp_path, "big.dic", "%\n1\tx\n2\ty\n%\n" + entries)
    with pytest.raises(RulesError) as caught:
        read_codebook(path)
    assert str(caught.value).startswith(f"{path}:1005: more than 2,000 terms")


def test_a_category_named_by_a_number_keeps_its_line(tmp_path):
    path = write(tmp_path, "numbers.yaml", "1:\n  - ok\n  - OK\n")
    with pytest.raises(RulesError) as caught:
        read_codebook(path)
    assert str(caught.value) == f"{path}:3: duplicate entry 'OK' in category '1' (first on line 2)"
