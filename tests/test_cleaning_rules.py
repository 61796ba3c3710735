"""The cleaning rules file: validation messages, and defaults that never remove prose."""

import textwrap

import pytest

from analysis import read_corpus
from analysis.cleaning import clean_lines, read_cleaning_rules
from analysis.cli import main
from analysis.errors import RulesError

from conftest import NYT_GROUND_TRUTH, write_jsonl


def write_rules(tmp_path, text):
    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def test_default_rules_remove_no_sentence_of_5190_nyt_editorial_sentences():
    """Body prose is never removed by a default rule (news sentences as a large sample)."""
    rules = read_cleaning_rules().defaults
    lines = NYT_GROUND_TRUTH.read_text(encoding="utf-8").splitlines()
    sentences = [line.split("\t", 2)[2].strip() for line in lines if line.strip()]
    assert len(sentences) == 5190
    removed = [(line.text, line.rule) for line in clean_lines("\n".join(sentences), rules) if not line.kept]
    assert removed == []


def test_default_rules_on_typical_furniture():
    rules = read_cleaning_rules().defaults
    page = "\n".join([
        "Home > World > Asia", "Skip to main content", "Share this article", "Follow us on Twitter",
        "Select language", "Last updated: 27 July 2023", "Related stories", "Read more",
        "Kim meets Shoigu", "July 27, 2023", "By Jane Doe and John Roe",
        "The visit began on Tuesday.", "ss/fb (AFP, Reuters)",
    ])
    lines = clean_lines(page, rules)
    removed = [line.text for line in lines if not line.kept]
    assert removed == page.split("\n")[:8]
    assert [(line.text, line.role) for line in lines if line.kept] == [
        ("Kim meets Shoigu", "headline"), ("July 27, 2023", "dateline"),
        ("By Jane Doe and John Roe", "byline"), ("The visit began on Tuesday.", "standfirst"),
        ("ss/fb (AFP, Reuters)", "sign_off"),
    ]


def test_outlet_rules_apply_only_to_that_outlet(tmp_path):
    rules = write_rules(tmp_path, """
        outlets:
          Alpha:
            remove:
              - rule: alpha-promo
                pattern: 'Subscribe to Alpha.*'
    """)
    text = "Headline\n\nSubscribe to Alpha today\n\nBody text here.\n"
    path = write_jsonl(tmp_path / "c.jsonl", [{"doc_id": "a", "outlet": "alpha", "text": text},
                                             {"doc_id": "b", "outlet": "Beta", "text": text}])
    corpus = read_corpus(path, rules)
    assert corpus.removed_lines[["doc_id", "rule"]].values.tolist() == [["a", "alpha-promo"]]


def test_structure_settings_turn_headline_and_standfirst_off(tmp_path):
    rules = write_rules(tmp_path, """
        defaults:
          structure:
            headline: none
            standfirst: none
    """)
    path = write_jsonl(tmp_path / "c.jsonl", [{"outlet": "A", "text": "First line.\nSecond line.\n"}])
    assert read_corpus(path, rules).paragraphs["role"].tolist() == ["body", "body"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("defaults:\n  remove: [\n", r"rules\.yaml:\d+: invalid YAML"),
        ("defaults:\n  colour: red\n", r"rules\.yaml:2: unknown key 'colour' in defaults"),
        ("surprise: 1\n", r"rules\.yaml:1: unknown key 'surprise' in rules file"),
        ("defaults:\n  remove:\n    - rule: bad\n      pattern: '(unclosed'\n",
         r"rules\.yaml:3: rule 'bad' has an invalid regular expression \(missing \), unterminated subpattern"),
        ("defaults:\n  remove:\n    - rule: empty\n      pattern: ''\n", r"rules\.yaml:3: rule 'empty' has no pattern"),
        ("defaults:\n  remove:\n    - pattern: 'x'\n", r"rules\.yaml:3: a 'remove' rule of defaults has no 'rule' name"),
        ("defaults:\n  remove:\n    - {rule: twin, pattern: a}\n    - {rule: twin, pattern: b}\n",
         r"rules\.yaml:4: rule name 'twin' is used twice in defaults"),
        ("defaults:\n  roles:\n    - {rule: r, role: footer, pattern: x}\n",
         r"rules\.yaml:3: rule 'r' has role 'footer'; expected one of headline"),
        ("defaults:\n  structure:\n    headline: sometimes\n",
         r"rules\.yaml:3: defaults structure 'headline' must be one of first-line, none, not 'sometimes'"),
        ("defaults:\n  caption_credit:\n    pattern: 'Image: .*'\n", r"needs a group named 'credit'"),
        ("- just\n- a list\n", r"rules\.yaml: expected a mapping"),
    ],
)
def test_invalid_rules_are_reported_with_file_and_line(tmp_path, text, message):
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    with pytest.raises(RulesError, match=message):
        read_cleaning_rules(path)


def test_invalid_rules_from_the_command_line(capsys, tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("defaults:\n  colour: red\n")
    assert main(["corpus", "--rules", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "rules.yaml:2: unknown key 'colour'" in err


def test_missing_rules_file(tmp_path):
    with pytest.raises(RulesError, match=r"nope\.yaml: file not found"):
        read_cleaning_rules(tmp_path / "nope.yaml")
