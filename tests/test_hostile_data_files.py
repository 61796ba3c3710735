"""Hostile data files and patterns: codebooks, cleaning rules, actor and source lists are refused, never run away.

Each case is one found by fuzzing (issue 10): an alias bomb, a deep or oversized
file, a duplicate key, a FIFO, a regex or phrase that backtracks exponentially,
syntax RE2 does not have, a pattern too large, an entry that can never match.
Every refusal is one line that names the file and the line.
"""

import os
import re
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from analysis.actors import read_actors
from analysis.cleaning import clean_lines, read_cleaning_rules
from analysis.codebook import read_codebook
from analysis.errors import RulesError
from analysis.matching import compile_phrase, compile_user_regex
from analysis.paths import PROJECT_ROOT
from analysis.sources import read_source_rules


def write(tmp_path, text: str, name: str = "data.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def refusal(read, path) -> str:
    """Return the one-line message ``read(path)`` raises, with the path written as FILE."""
    with pytest.raises(RulesError) as caught:
        read(path)
    message = str(caught.value)
    assert "\n" not in message
    return message.replace(str(path), "FILE")


def codebook_with_terms(*terms: str) -> str:
    """Return a codebook whose one frame (terms from line 5 on) has ``terms``, each a YAML list item."""
    return "frames:\n  - name: a\n    description: b.\n    terms:\n" + "".join(f"      - {term}\n" for term in terms)


# --- YAML ----------------------------------------------------------------------------------------------------


ALIAS_BOMB = """\
frames:
  - name: a
    description: b.
    terms: [sanction]
lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]
lol1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]
lol2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
lol3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]
lol4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]
lol5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]
"""


def test_an_alias_bomb_in_a_codebook_is_refused_at_its_first_anchor(tmp_path):
    # Walking the lines of this tree visited 10**6 paths before; nine levels reached gigabytes.
    path = write(tmp_path, ALIAS_BOMB, "codebook.yaml")
    started = time.perf_counter()
    assert refusal(read_codebook, path) == (
        "FILE:5: YAML anchors (&a0) are not allowed in a data file; write the value out"
    )
    assert time.perf_counter() - started < 1


def test_an_alias_in_an_unchecked_key_of_the_rules_is_refused(tmp_path):
    path = write(tmp_path, "version: 1\ndefaults:\n  remove:\n    - rule: x\n      pattern: 'x'\n"
                           "outlets:\n  A: {remove: [{rule: y, pattern: 'y'}]}\n  B:\n    remove: *r\n", "rules.yaml")
    assert refusal(read_cleaning_rules, path) == (
        "FILE:9: YAML aliases (*r) are not allowed in a data file; write the value out"
    )


@pytest.mark.parametrize("reader, text, key, line, first", [
    (read_codebook, "frames:\n  - name: a\n    description: b.\n    description: c.\n    terms: [x]\n",
     "description", 4, 3),
    (read_actors, "groups:\n  - name: A\n    aliases: [a]\ngroups:\n  - name: B\n    aliases: [b]\n", "groups", 4, 1),
    (read_cleaning_rules, "defaults:\n  remove:\n    - rule: r\n      pattern: 'x'\n      pattern: 'y'\n",
     "pattern", 5, 4),
    (read_source_rules, "verbs: [said]\ncategories:\n  - {id: a, names: [A], id: b}\n", "id", 3, 3),
])
def test_a_key_given_twice_is_an_error_naming_the_second(tmp_path, reader, text, key, line, first):
    # YAML keeps the last value and drops the first without a word.
    path = write(tmp_path, text)
    assert refusal(reader, path) == (
        f"FILE:{line}: duplicate key '{key}' (first on line {first}); "
        "YAML would keep only the last value: give each key once"
    )


def test_nesting_deeper_than_any_data_file_needs_is_refused_before_python_recurses(tmp_path):
    # 5,000 levels ended in RecursionError (a traceback) before.
    path = write(tmp_path, "frames:\n  - " + "[" * 5000 + "]" * 5000 + "\n", "codebook.yaml")
    assert refusal(read_codebook, path) == (
        "FILE:2: nested more than 20 levels deep; no data file needs this much nesting"
    )


def test_nesting_the_formats_use_is_read(tmp_path):
    # The deepest real file, a naming label with terms, is six levels deep: frames are far from the limit.
    path = write(tmp_path, """
        naming_sets:
          - name: s
            description: d.
            labels:
              - label: one
                terms:
                  - regex: "first"
                    label: first
              - two
    """)
    assert [label.label for label in read_codebook(path).naming_sets[0].labels] == ["one", "two"]


def test_a_data_file_larger_than_5_mb_is_refused_unread(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_bytes(b"defaults: {}\n" + b"#" * (5 * 1024 * 1024))
    assert refusal(read_cleaning_rules, path) == (
        f"FILE: the file is {path.stat().st_size:,} bytes, more than the 5,242,880 allowed"
    )


def test_a_file_of_too_many_values_stops_at_the_first_one_too_many(tmp_path):
    # 150,000 one-character values: 900 KB, well under the size limit, but more than any codebook needs.
    path = write(tmp_path, "frames:\n" + "  - 1\n" * 150_000, "codebook.yaml")
    started = time.perf_counter()
    message = refusal(read_codebook, path)
    # The root mapping, the 'frames' key and its list are three values: the 50,001st is list item 49,998, line 49,999.
    assert message == "FILE:49999: more than 50,000 values; a data file this large is not supported"
    assert time.perf_counter() - started < 15


def test_a_data_file_that_is_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "actors.yaml"
    path.write_bytes(b"groups:\n  - name: A\n    aliases: [\xe9t\xe9]\n")
    assert refusal(read_actors, path) == "FILE:3: not UTF-8 text (byte 34); save the file as UTF-8"


@pytest.mark.parametrize("reader", [read_codebook, read_cleaning_rules, read_actors, read_source_rules])
def test_a_fifo_is_refused_not_waited_on(tmp_path, reader):
    fifo = tmp_path / "data.yaml"
    os.mkfifo(fifo)
    outcome = []
    worker = threading.Thread(target=lambda: outcome.append(_message_of(reader, fifo)), daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():  # the reader blocks on open(): give it a writer, so the thread ends
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(10)
        pytest.fail("reading a FIFO blocked instead of being refused")
    assert outcome == [f"{fifo}: is a FIFO (named pipe), not a regular file; give a file on disk"]


def _message_of(reader, path) -> str:
    try:
        reader(path)
    except RulesError as error:
        return str(error)
    return "accepted"


def test_the_cli_refuses_a_fifo_codebook_with_one_line_and_exit_2(tmp_path):
    fifo = tmp_path / "codebook.yaml"
    os.mkfifo(fifo)
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "terms", "--codebook", str(fifo)],
        capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: {fifo}: is a FIFO (named pipe), not a regular file; give a file on disk"


# --- regular expressions -------------------------------------------------------------------------------------


def test_a_catastrophic_codebook_regex_runs_in_linear_time(tmp_path):
    path = write(tmp_path, codebook_with_terms('regex: "(a+)+$"'), "codebook.yaml")
    pattern = read_codebook(path).frames[0].terms[0].pattern
    started = time.perf_counter()
    # Python's backtracking took 11 s for 26 letters, doubling with each one more.
    assert pattern.search("a" * 26 + "b") is None
    assert time.perf_counter() - started < 1
    started = time.perf_counter()
    line = "a" * 1_000_000 + "b"
    assert pattern.search(line) is None
    assert pattern.search(line[:-1]).span() == (0, 1_000_000)
    assert time.perf_counter() - started < 2


def test_a_catastrophic_cleaning_rule_runs_in_linear_time(tmp_path):
    path = write(tmp_path, "defaults:\n  remove:\n    - rule: r\n      pattern: '(x+x+)+y'\n", "rules.yaml")
    rules = read_cleaning_rules(path)
    started = time.perf_counter()
    lines = clean_lines("Title\n" + "x" * 40 + "\n" + "x" * 20 + "y", rules.defaults)
    assert time.perf_counter() - started < 1
    assert [(line.line_number, line.kept) for line in lines] == [(1, True), (2, True), (3, False)]


@pytest.mark.parametrize("regex, reason", [
    ("(?=Kim)Kim", "lookahead (?=…) is not supported (RE2 syntax)"),
    ("Kim(?! Jong)", "negative lookahead (?!…) is not supported (RE2 syntax)"),
    ("(?<=the )North", "lookbehind (?<=…) is not supported (RE2 syntax)"),
    ("(?<!the )North", "negative lookbehind (?<!…) is not supported (RE2 syntax)"),
    (r"(war)\\s+\\1", r"backreferences (\1) are not supported (RE2 syntax)"),
    ("a{1001}", "a repeat count must be at most 1000 and in order, as in {2,5}"),
    ("(" * 60 + "war" + ")" * 60, "groups are nested 60 levels deep (at most 50)"),
])
def test_a_regex_re2_cannot_run_is_a_codebook_error_saying_why(tmp_path, regex, reason):
    path = write(tmp_path, codebook_with_terms(f'regex: "{regex}"'), "codebook.yaml")
    shown = regex.replace("\\\\", "\\")
    assert refusal(read_codebook, path) == f"FILE:5: invalid regular expression '{shown}' in frame 'a' ({reason})"


def test_a_regex_nested_thousands_deep_is_an_error_not_a_traceback(tmp_path):
    # Python's re parser raised RecursionError here.
    regex = "(" * 3000 + "a" + ")" * 3000
    path = write(tmp_path, "defaults:\n  remove:\n    - rule: deep\n      pattern: '" + regex + "'\n", "rules.yaml")
    assert refusal(read_cleaning_rules, path) == (
        "FILE:3: rule 'deep' has an invalid regular expression "
        "(the regular expression is 6,001 characters long, more than the 1,000 allowed)"
    )
    regex = "(" * 400 + "a" + ")" * 400
    path = write(tmp_path, "defaults:\n  remove:\n    - rule: deep\n      pattern: '" + regex + "'\n", "rules.yaml")
    assert refusal(read_cleaning_rules, path) == (
        "FILE:3: rule 'deep' has an invalid regular expression (groups are nested 400 levels deep (at most 50))"
    )


def test_a_lookbehind_in_a_cleaning_rule_is_an_error_with_the_line(tmp_path):
    path = write(tmp_path, "defaults:\n  remove:\n    - rule: ok\n      pattern: 'x'\n"
                           "    - rule: behind\n      pattern: '(?<=By ).*'\n", "rules.yaml")
    assert refusal(read_cleaning_rules, path) == (
        "FILE:5: rule 'behind' has an invalid regular expression (lookbehind (?<=…) is not supported (RE2 syntax))"
    )


def test_a_regex_too_large_for_re2_is_an_error(tmp_path):
    # Each repeat is copied: 40 × 20 copies of the Unicode letter class is millions of instructions.
    path = write(tmp_path, codebook_with_terms(r'regex: "(?:x\\w{1,40}){1,20}"'), "codebook.yaml")
    message = refusal(read_codebook, path)
    assert message.startswith(r"FILE:5: invalid regular expression '(?:x\w{1,40}){1,20}' in frame 'a' (the regular "
                              r"expression is too large"), message


def test_many_large_regexes_exhaust_the_files_budget(tmp_path):
    # Each is 269,209 RE2 instructions; the fourth (line 8) takes the file past 1,000,000.
    terms = [f'regex: "x{number}[\\\\w ]{{1,40}}(?:y[\\\\w ]{{1,40}}){{0,4}}"' for number in range(20)]
    path = write(tmp_path, codebook_with_terms(*terms), "codebook.yaml")
    message = refusal(read_codebook, path)
    assert message == ("FILE:8: the regular expressions of this file add up to more than 1,000,000 RE2 "
                       "instructions; use fewer or simpler ones, or split the file")


def test_a_codebook_of_more_than_2000_terms_is_refused_at_the_first_one_too_many(tmp_path):
    path = write(tmp_path, codebook_with_terms(*(f"word{number}" for number in range(2001))), "codebook.yaml")
    # Terms start on line 5: term 2,001 is on line 2,005.
    assert refusal(read_codebook, path) == (
        "FILE:2005: more than 2,000 terms in the codebook (split it into several codebooks)"
    )


def test_the_shipped_regexes_keep_their_meaning_on_re2():
    codebook = read_codebook()
    country = next(naming for naming in codebook.naming_sets if naming.name == "the country")
    north = next(label for label in country.labels if label.label == "the North").terms[0].pattern
    # not_followed_by replaces the lookahead (?! Korea): "the North Korean" is not "the North".
    text = "the North Korean army; the North said; THE NORTH KOREA; the North"
    assert [match.span() for match in north.finditer(text)] == [(23, 32), (56, 65)]
    rules = read_cleaning_rules()
    dw = rules.for_outlet("DW")
    breadcrumb = next(rule for rule in dw.remove if rule.name == "dw-breadcrumb").pattern
    assert breadcrumb.fullmatch("PoliticsNorth Korea") is not None
    assert breadcrumb.fullmatch("Politics") is None
    assert breadcrumb.fullmatch("Politics" + "X" * 60) is not None
    assert breadcrumb.fullmatch("Politics" + "X" * 61) is None
    # \w keeps Python's Unicode meaning: a byline with accents is still a byline.
    byline = next(rule for rule in rules.defaults.roles if rule.role == "byline").pattern
    for line, is_byline in [("By José Pérez and Anna Müller", True), ("By Łukasz Nowak", False),
                            ("By the numbers: 12", False), ("By Kim Tong-Hyung", True)]:
        assert (byline.fullmatch(line) is not None) is is_byline, line
        assert (re.fullmatch(byline.pattern, line) is not None) is is_byline, line


def test_match_offsets_are_characters_not_utf8_bytes():
    pattern = compile_user_regex("north", ignore_case=True)
    text = "Pyongyang’s «Nörth» — the North"
    assert [match.span() for match in pattern.finditer(text)] == [(26, 31)]
    assert pattern.search(text, 27) is None
    assert pattern.search(text, 0, 30) is None
    assert pattern.match(text, 26).group() == "North"
    phrase = compile_phrase("Kim Jong Un")
    text = "金正恩 — Kim Jong-un’s «KIM JONG UN»"
    assert phrase.find(text) == [(6, 19), (21, 32)]  # the possessive ’s is part of the match


# --- phrases -------------------------------------------------------------------------------------------------


def test_a_phrase_with_20_word_gaps_on_a_long_sentence_runs_in_linear_time():
    # Before: four gaps of up to 20 words tried 21**4 splits at each of 10,000 words, 197 s.
    text = " ".join(["a"] * 10_000)
    phrase = compile_phrase("a … a … a … a … b", max_gap=20)
    started = time.perf_counter()
    assert phrase.find(text) == []
    # The first "a" may stand 3 words + 4 gaps × 20 = 84 words before "b": word 9,916, character 19,832.
    assert phrase.find(text + " b") == [(19_832, 20_001)]
    assert time.perf_counter() - started < 1


def test_gaps_still_take_the_fewest_words():
    assert compile_phrase("banned … missiles … Iran", max_gap=5).find(
        "banned long range missiles to Iran and missiles to Iran"
    ) == [(0, 34)]


@pytest.mark.parametrize("term, reason", [
    ("a … b … c … d … e … f … g … h … i … j",
     "has 9 gaps ('…'), more than the 8 a phrase may have"),
    (" ".join(["word"] * 41), "has 41 words, more than the 40 a phrase may have"),
])
def test_a_phrase_with_too_many_gaps_or_words_is_an_error(tmp_path, term, reason):
    path = write(tmp_path, codebook_with_terms(term), "codebook.yaml")
    assert refusal(read_codebook, path) == f"FILE:5: the term '{term}' in frame 'a' {reason}"


# --- entries that can never match ----------------------------------------------------------------------------


@pytest.mark.parametrize("term, message", [
    ('"—"', "FILE:6: the term '—' in frame 'a' has no letter or digit"),
    ('", ;"', "FILE:6: the term ', ;' in frame 'a' has no letter or digit"),
    ('regex: "\\\\b"', "FILE:6: the regular expression '\\b' in frame 'a' matches empty text"),
    ('regex: "(?:)|^"', "FILE:6: the regular expression '(?:)|^' in frame 'a' matches empty text"),
    ('regex: "(?=x)"', "FILE:6: invalid regular expression '(?=x)' in frame 'a' "
                       "(lookahead (?=…) is not supported (RE2 syntax))"),
    ('regex: "—+"',
     "FILE:6: the regular expression '—+' in frame 'a' has no letter or digit; give the term a 'label'"),
    ('{phrase: sanction, label: "…"}', "FILE:6: the label '…' of a term in frame 'a' has no letter or digit"),
])
def test_a_codebook_entry_that_can_never_match_is_an_error(tmp_path, term, message):
    path = write(tmp_path, codebook_with_terms("sanction", term), "codebook.yaml")
    assert refusal(read_codebook, path) == message


def test_a_naming_label_with_no_letter_is_an_error(tmp_path):
    path = write(tmp_path, """
        naming_sets:
          - name: s
            description: d.
            labels:
              - war
              - label: "—"
                terms: [conflict]
    """, "codebook.yaml")
    assert refusal(read_codebook, path) == "FILE:6: the label '—' of naming set 's' has no letter or digit"


def test_a_phrase_longer_than_500_characters_is_an_error(tmp_path):
    path = write(tmp_path, codebook_with_terms("x" * 501), "codebook.yaml")
    assert refusal(read_codebook, path) == (
        f"FILE:5: the term '{'x' * 501}' in frame 'a' is 501 characters long, more than the 500 a phrase may have"
    )


def test_pythons_end_of_text_escape_is_read_as_re2s():
    assert compile_user_regex(r"end\Z").search("the end").span() == (4, 7)
    assert compile_user_regex(r"end\Z").search("the end.") is None


def test_many_large_cleaning_rules_exhaust_the_files_budget(tmp_path):
    # Each is 269,009 RE2 instructions; the fourth rule (line 9) takes the file past 1,000,000.
    rules = "".join(f"    - rule: r{number}\n      pattern: 'x{number}[\\w ]{{1,40}}(?:y[\\w ]{{1,40}}){{0,4}}'\n"
                    for number in range(6))
    path = write(tmp_path, "defaults:\n  remove:\n" + rules, "rules.yaml")
    assert refusal(read_cleaning_rules, path) == (
        "FILE:9: rule 'r3': the regular expressions of this file add up to more than 1,000,000 RE2 instructions; "
        "use fewer or simpler ones, or split the file"
    )


def test_re2_finds_what_pythons_re_finds_for_the_shared_syntax():
    # Random patterns from the syntax both engines share (\b aside), on text with non-ASCII letters,
    # digits and spaces: same spans for search, match and fullmatch, with and without pos/endpos.
    import random

    chooser = random.Random(7)
    atoms = [r"\w", r"\W", r"\d", r"\D", r"\s", r"\S", "a", "é", r"[\w-]", r"[^\w]", r"[]a]", r"[\]x]", r"[a-c\d]",
             ".", r"\.", "(?:ab|a)", "(é|b)", r"[\s\d]", "(?i:É)"]
    quantifiers = ["", "*", "+", "?", "{1,3}", "*?", "+?"]
    alphabet = "aébxÉ1 .-]_Ωⅷ\u00a0\u2003\n٣"

    def span(found):
        return None if found is None else found.span()

    for _ in range(400):
        source = "".join(chooser.choice(atoms) + chooser.choice(quantifiers) for _ in range(chooser.randint(1, 4)))
        source += chooser.choice(["", r"\Z"])
        python, ours = re.compile(source), compile_user_regex(source)
        text = "".join(chooser.choice(alphabet) for _ in range(chooser.randint(0, 12)))
        pos = chooser.randint(0, len(text))
        endpos = chooser.randint(pos, len(text))
        for how in ("search", "match", "fullmatch"):
            assert span(getattr(ours, how)(text)) == span(getattr(python, how)(text)), (source, text, how)
            assert span(getattr(ours, how)(text, pos, endpos)) == span(getattr(python, how)(text, pos, endpos)), (
                source, text, how, pos, endpos)
