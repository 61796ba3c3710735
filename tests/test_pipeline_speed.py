"""The fast paths of the text pipeline give what the plain ones give.

Cleaning combines each run of rules into one RE2 alternation (after
``COMBINE_AFTER_LINES`` lines of a group); words are counted per distinct
white-space separated piece; the χ² tail of the vocabulary tests comes from
scipy.special; command modules import no plotting library.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from analysis import cleaning, text
from analysis.cleaning import CleanLine, clean_lines, read_cleaning_rules
from analysis.text import count_words, sentence_spans

HOSTILE_RULES = r"""
    version: 1
    defaults:
      remove:
        - rule: share
          pattern: 'Share(?: this)?'
        - rule: either-or
          pattern: 'Read more|Related'
        - rule: named-a
          pattern: '(?P<word>Print) page'
        - rule: named-b
          pattern: '(?P<word>Print)(?: this)? page'
        - rule: quoted
          pattern: '\Q(a|b)\E x'
        - rule: shouting
          pattern: '(?i)advert'
        - rule: after-shouting
          pattern: 'ADVERT ONLY'
        - rule: anchored
          pattern: '^Menu$'
        - rule: unicode-word
          pattern: 'Von \w+'
      remove_from:
        - rule: closing
          pattern: 'More stories'
      roles:
        - role: byline
          rule: by
          pattern: 'By [\w ]+'
        - role: dateline
          rule: by-date
          pattern: 'By \d+ July'
    outlets:
      Wire:
        remove:
          - rule: wire-share
            pattern: 'Share this'
"""


def _rules(tmp_path, body=HOSTILE_RULES):
    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return read_cleaning_rules(path)


@pytest.fixture
def combine_at_once(monkeypatch):
    monkeypatch.setattr(cleaning, "COMBINE_AFTER_LINES", 0)


@pytest.fixture
def never_combine(monkeypatch):
    monkeypatch.setattr(cleaning, "COMBINE_AFTER_LINES", 10**9)


HOSTILE_PAGE = "\n".join([
    "Headline of the day",   # 1 headline (first kept line)
    "Share",                 # 2 share
    "Share this",            # 3 share (defaults) or wire-share (Wire's own rule comes first)
    "Related",               # 4 either-or: the rule's own alternation is one alternative
    "Read more",             # 5 either-or
    "Read more Related",     # 6 kept: neither alternative matches all of it
    "Print page",            # 7 named-a: the first of two rules with the same group name
    "Print this page",       # 8 named-b
    "(a|b) x",               # 9 quoted: \Q…\E is literal text
    "a x",                   # 10 kept (a short line: subheading): the quoted rule is no alternation
    "ADVERT",                # 11 shouting: (?i) of one rule ...
    "advert only",           # 12 kept: ... does not leak into the next rule
    "ADVERT ONLY",           # 13 after-shouting
    "Menu",                  # 14 anchored
    "Von Müller",            # 15 unicode-word: \w is a Unicode letter
    "By 27 July",            # 16 by: the first role rule that matches wins over by-date
    "By Jane Doe",           # 17 by
    "Body text goes here.",  # 18 body
    "More stories",          # 19 closing, and every line after it
    "Body after the end.",   # 20 closing
])


def _expected_hostile(share_this_rule):
    removed = {2: "share", 3: share_this_rule, 4: "either-or", 5: "either-or", 7: "named-a", 8: "named-b",
               9: "quoted", 11: "shouting", 13: "after-shouting", 14: "anchored", 15: "unicode-word",
               19: "closing", 20: "closing"}
    kept_roles = {1: ("headline", "first-line"), 6: ("standfirst", "after-headline"), 10: ("subheading", "short-line"),
                  12: ("subheading", "short-line"), 16: ("byline", "by"), 17: ("byline", "by"),
                  18: ("body", None)}
    lines = HOSTILE_PAGE.split("\n")
    expected = []
    for number, line in enumerate(lines, start=1):
        if number in removed:
            expected.append(CleanLine(number, line, False, None, removed[number]))
        else:
            role, rule = kept_roles[number]
            expected.append(CleanLine(number, line, True, role, rule))
    return expected


@pytest.mark.parametrize("mode", ["combine_at_once", "never_combine"])
def test_hostile_rules_give_the_rule_worked_out_by_hand(tmp_path, request, mode):
    request.getfixturevalue(mode)
    rules = _rules(tmp_path)
    assert clean_lines(HOSTILE_PAGE, rules.defaults) == _expected_hostile("share")
    assert clean_lines(HOSTILE_PAGE, rules.for_outlet("wire")) == _expected_hostile("wire-share")


def test_combined_runs_switch_on_after_the_threshold_and_agree_line_by_line(tmp_path, monkeypatch):
    monkeypatch.setattr(cleaning, "COMBINE_AFTER_LINES", 7)
    rules = _rules(tmp_path).defaults
    # Three pages in one ruleset: the first seven lines rule by rule, the rest through the combined runs.
    pages = [clean_lines(HOSTILE_PAGE, rules) for _ in range(3)]
    assert rules._groups["remove"].runs is not None
    assert pages[0] == pages[1] == pages[2] == _expected_hostile("share")


def test_a_quoted_rule_and_a_large_rule_are_tried_alone_in_their_place(tmp_path, monkeypatch):
    rules = _rules(tmp_path).defaults
    runs = [tuple(rule.name for rule in run) for _, run in cleaning._combined_runs(rules.remove)]
    assert runs == [("share", "either-or", "named-a", "named-b"), ("quoted",),
                    ("shouting", "after-shouting", "anchored", "unicode-word")]
    monkeypatch.setattr(cleaning, "MAX_COMBINED_PROGRAM", 1)  # every rule is "large"
    runs = [tuple(rule.name for rule in run) for _, run in cleaning._combined_runs(rules.remove)]
    assert runs == [(rule.name,) for rule in rules.remove]


def test_lines_with_surrogates_and_other_scripts_clean_as_rule_by_rule(tmp_path, combine_at_once):
    rules = _rules(tmp_path).defaults
    page = "Title\nShare\n\ud800 broken byte\nVon Ä\u00e9\nКиев сегодня\nADVERT\n"
    lines = clean_lines(page, rules)
    assert [(line.line_number, line.kept, line.rule) for line in lines] == [
        (1, True, "first-line"), (2, False, "share"), (3, True, "after-headline"), (4, False, "unicode-word"),
        (5, True, "short-line"), (6, False, "shouting")]


def test_default_rules_clean_furniture_the_same_combined_or_not(monkeypatch):
    page = "\n".join([
        "Home > World > Asia", "Skip to main content", "Share this article", "Follow us on Twitter",
        "Kim meets Shoigu", "July 27, 2023", "By Jane Doe and John Roe",
        "The visit began on Tuesday.", "ss/fb (AFP, Reuters)",
    ] * 3)
    monkeypatch.setattr(cleaning, "COMBINE_AFTER_LINES", 10**9)
    one_by_one = clean_lines(page, read_cleaning_rules().for_outlet("dw"))
    monkeypatch.setattr(cleaning, "COMBINE_AFTER_LINES", 0)
    combined = clean_lines(page, read_cleaning_rules().for_outlet("dw"))
    assert combined == one_by_one


@pytest.mark.parametrize("value, expected", [
    ("", 0),
    ("   \n\t ", 0),
    ("The U.S. said 1,000 troops, not 7:56.", 7),    # The, U.S., said, 1,000, troops, not, 7:56
    ("Kim Jong-un's “victory” -- we've won!", 5),    # Kim, Jong-un's, victory, we've, won
    ("a-b c—d e'f", 3),                              # hyphens and dashes join, as do apostrophes
    ("... ! ?", 0),
    ("x.5 70th", 3),                                 # x, 5, 70th
])
def test_count_words_worked_out_by_hand(value, expected):
    assert count_words(value) == expected


def test_count_words_is_the_same_after_the_piece_memory_starts_again(monkeypatch):
    monkeypatch.setattr(text, "MAX_COUNTED_PIECES", 2)
    sentence = "one two three four, five six. U.S. seven"
    assert [count_words(sentence) for _ in range(3)] == [8, 8, 8]
    assert len(text._PIECE_WORDS) == 8  # forgotten before each call, then the sentence's 8 distinct pieces


def test_sentences_still_split_before_an_honorific_after_an_abbreviation():
    paragraph = "He moved to Washington D.C. Mr. Smith did not. It rained."
    spans = sentence_spans(paragraph)
    assert [paragraph[start:end] for start, end in spans] == [
        "He moved to Washington D.C.", "Mr. Smith did not.", "It rained."]


def test_chi2_tail_is_scipy_stats_bit_for_bit():
    from scipy.stats import chi2

    from analysis.vocabulary import _chi2_sf_one_df

    values = np.array([0.0, -0.0, -3.0, 1e-320, 0.5, 3.841458820694124, 10.0, 1e3, 1e308, np.inf, np.nan])
    assert _chi2_sf_one_df(values).tobytes() == chi2.sf(values, df=1).tobytes()
    assert _chi2_sf_one_df(3.841458820694124) == pytest.approx(0.05)
    assert _chi2_sf_one_df(-1.0) == 1.0 and _chi2_sf_one_df(np.inf) == 0.0


def test_the_command_line_starts_without_plotting_or_list_modules():
    heavy = ("matplotlib", "matplotlib.pyplot", "analysis.lists", "analysis.sources")
    code = ("import sys; from analysis.cli import build_parser; build_parser(); "
            f"print([name for name in {heavy!r} if name in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_quoted_words_worked_out_by_hand():
    from analysis.text import quote_spans, quoted_word_count

    paragraph = "She said “we won, 1,000 times!” and left. ‘U.S. aid’ came."
    spans = quote_spans(paragraph)
    assert quoted_word_count(paragraph, spans) == 6  # we, won, 1,000, times, U.S., aid
    second = paragraph.index("‘")
    assert quoted_word_count(paragraph, spans, second, len(paragraph)) == 2  # U.S., aid; "came" is outside


def test_letter_counts_look_up_only_the_characters_that_are_not_ascii():
    from analysis.text import _letter_counts

    # C a f é / Ω m e g a / ä / 한 국: 12 letters; Ω, 한 and 국 are not Latin; ½, Ⅰ and digits are no letters
    assert _letter_counts("Café Ωmega 123 ä ½ Ⅰ 한국!") == (12, 3)
    assert _letter_counts("") == (0, 0)
