"""The classroom lesson: every feedback function with a right and a wrong answer; both notebooks run."""

import json

import pytest

from analysis import lesson
from analysis.paths import NOTEBOOKS_DIR
from analysis.report import execute_notebook

LESSON_DIR = NOTEBOOKS_DIR / "lesson"

# Right answers, read off the seed articles: "Victory Day" DW lines 15 and 39; Overt Operator
# headline and lines 7, 8, 12; The National line 9. Rates: 4/408 > 2/434 > 1/763 per word.
# "defence" only in The National (4 times). "the isolated nation" DW line 25, "the hermetic
# state" Overt Operator line 14, "Mr Kim" The National (7 times). The National's most negative
# sentence is Anthony Rinna's quotation with "said Anthony Rinna, …" after it: mixed voice.
# "defense": DW 6 of 434 words against 3 of 1,171: p = 0.013 but adjusted p = 0.38.
RIGHT_AND_WRONG = [
    (lesson.check_victory_day_counts, {"DW": 2, "Overt Operator": 4, "The National": 1},
     {"DW": 2, "Overt Operator": 3, "The National": 1}, "Did you read the headline"),
    (lesson.check_highest_rate, "Overt Operator", "DW", "another outlet has more"),
    (lesson.check_defence_spelling, "The National", "DW", "Look for the other spelling"),
    (lesson.check_naming_labels,
     {"the isolated nation": "DW", "the hermetic state": "Overt Operator", "Mr Kim": "The National"},
     {"the isolated nation": "Overt Operator", "the hermetic state": "DW", "Mr Kim": "The National"},
     "concordance explorer"),
    # With names masked the lowest score is The National's own sentence on the threat of "nuclear
    # retaliation" (no quotation marks in it): authorial.
    (lambda answer: lesson.check_voice_of_most_negative("The National", answer), "authorial", "mixed",
     "Look again for quotation marks"),
    (lesson.check_defense_significance, False, True, "Look at p_adjusted"),
]


@pytest.mark.parametrize(("check", "right", "wrong", "hint"), RIGHT_AND_WRONG)
def test_feedback_on_right_and_wrong_answers(check, right, wrong, hint):
    verdict = check(right)
    assert verdict.correct and repr(verdict).startswith("✔ Right")
    verdict = check(wrong)
    assert not verdict.correct and repr(verdict).startswith("✘ ")
    assert hint in verdict.message


@pytest.mark.parametrize(("check", "right", "wrong", "hint"), RIGHT_AND_WRONG)
def test_no_answer_yet_is_a_reminder_not_an_error(check, right, wrong, hint):
    verdict = check(None)
    assert not verdict.correct and "No answer yet" in verdict.message


def test_helpful_messages_for_malformed_answers():
    assert "is not an outlet" in lesson.check_victory_day_counts({"BBC": 1}).message
    assert "is not an outlet" in lesson.check_highest_rate("BBC").message
    assert "Answer with one of" in lesson.check_voice_of_most_negative("DW", "angry").message
    # Raw counts: Overt Operator has the most occurrences and the highest rate, so no raw-count hint there;
    # a wrong outlet still gets its own rate.
    assert "4.6 per 1,000 words" in lesson.check_highest_rate("DW").message


def test_phrase_rates_by_hand():
    rates = lesson.phrase_rates("Victory Day").set_index("outlet")
    assert rates["count"].to_dict() == {"DW": 2, "Overt Operator": 4, "The National": 1}
    assert rates.loc["Overt Operator", "per_1k"] == pytest.approx(4 / 408 * 1000)


def test_article_text_marks_roles():
    text = lesson.article_text("dw")
    assert text.startswith("=== DW (dw) ===")
    assert "[headline] North Korea's Kim hosts Russia's Defense Minister Shoigu" in text
    assert "[sign_off] ss/fb (AFP, Reuters)" in text
    assert "Skip to content" not in text


def _verdicts(notebook):
    return [output["data"]["text/plain"] for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.outputs if output.get("data", {}).get("text/plain", "").startswith(("✔", "✘"))]


def test_answer_key_runs_and_every_answer_is_right():
    verdicts = _verdicts(execute_notebook(LESSON_DIR / "lesson_answers.ipynb"))
    assert len(verdicts) == 6 and all(verdict.startswith("✔") for verdict in verdicts), verdicts


def test_student_version_runs_with_no_answers():
    verdicts = _verdicts(execute_notebook(LESSON_DIR / "lesson_student.ipynb"))
    assert len(verdicts) == 6 and all("No answer yet" in verdict for verdict in verdicts), verdicts


def test_student_version_is_the_answer_key_without_answers():
    answers = json.loads((LESSON_DIR / "lesson_answers.ipynb").read_text(encoding="utf-8"))
    student = json.loads((LESSON_DIR / "lesson_student.ipynb").read_text(encoding="utf-8"))
    assert len(answers["cells"]) == len(student["cells"])
    for key_cell, student_cell in zip(answers["cells"], student["cells"]):
        if "answer" in key_cell["metadata"].get("tags", []):
            assert "None" in "".join(student_cell["source"]) and "None" not in "".join(key_cell["source"])
        elif key_cell["id"] != "lesson-01":  # the title says "(answer key)"
            assert key_cell["source"] == student_cell["source"]
