"""The classroom lesson: every feedback function takes what students type; the notebooks run and hide answers."""

import json
import re

import pytest

from analysis import lesson
from analysis.paths import NOTEBOOKS_DIR
from analysis.report import execute_notebook

LESSON_DIR = NOTEBOOKS_DIR / "lesson"
TEACHER_DIR = NOTEBOOKS_DIR / "teacher"
PHRASE = "Victory Day"
LABELS = ["the isolated nation", "the hermetic state", "Mr Kim"]

# Right answers, read off the seed articles: "Victory Day" DW lines 15 and 39; Overt Operator
# headline and lines 7, 8, 12; The National line 9. Rates: 4/408 > 2/434 > 1/763 per word.
# "defence" only in The National (4 times); "defense" DW 6 times, Overt Operator 3 times.
# "the isolated nation" DW line 25, "the hermetic state" Overt Operator line 14, "Mr Kim" The
# National (7 times). With names masked, The National's lowest tone score is its own sentence on
# the threat of "nuclear retaliation" (no quotation marks in it): authorial. "defense": DW 6 of
# 434 words against 3 in the other two articles, a small p-value but not significant once
# adjusted for testing every word.
COUNTS = {"DW": 2, "Overt Operator": 4, "The National": 1}
NAMING = {"the isolated nation": "DW", "the hermetic state": "Overt Operator", "Mr Kim": "The National"}


def check_counts(answer):
    return lesson.check_phrase_counts(answer, PHRASE)


def check_rate(answer):
    return lesson.check_highest_rate(answer, PHRASE)


def check_labels(answer):
    return lesson.check_label_outlets(answer, LABELS)


def check_voice(answer):
    return lesson.check_voice_of_most_negative("The National", answer)


def check_significance(answer):
    return lesson.check_defense_significance(answer, "DW", "defense")


CHECKS = [check_counts, check_rate, lesson.check_defence_spelling, check_labels, check_voice, check_significance]

# Right answers as students type them: numbers as text or words, any case and spacing, a
# one-value list, yes and no as words.
RIGHT_AS_TYPED = [
    (check_counts, COUNTS),
    (check_counts, {"dw": "2", " overt  operator ": "four", "THE NATIONAL": [1]}),
    (check_counts, {"DW": 2.0, "Overt Operator": " 4 ", "The National": "One"}),
    (check_rate, "Overt Operator"),
    (check_rate, " overt operator "),
    (check_rate, ["Overt Operator"]),
    (check_rate, ("OVERT OPERATOR",)),
    (lesson.check_defence_spelling, "the national"),
    (lesson.check_defence_spelling, "National"),
    (lesson.check_defence_spelling, "“The National”"),
    (check_labels, NAMING),
    (check_labels, {"The Isolated Nation": "dw", "hermetic state": "overt operator", "MR KIM": "the national"}),
    (check_voice, "authorial"),
    (check_voice, " Authorial "),
    (check_voice, ["AUTHORIAL"]),
    (check_significance, False),
    (check_significance, "false"),
    (check_significance, "No"),
    (check_significance, ["no"]),
    (check_significance, 0),
]


@pytest.mark.parametrize(("check", "answer"), RIGHT_AS_TYPED, ids=repr)
def test_right_answers_as_students_type_them(check, answer):
    verdict = check(answer)
    assert verdict.correct and repr(verdict).startswith("✔ Right"), verdict


# Wrong answers: the message says why, with the numbers read off the articles.
WRONG_WITH_REASON = [
    (check_counts, {"DW": 2, "Overt Operator": 3, "The National": 1}, ["Overt Operator: 3 is too few", "headline"]),
    (check_counts, {"DW": "3", "Overt Operator": 4, "The National": 1}, ["DW: 3 is too many"]),
    (check_rate, "dw", ["DW: 2 in 434 words, 4.6 per 1,000 words", "another outlet has more"]),
    (check_rate, "the national", ["The National: 1 in", "1.3 per 1,000 words"]),
    (lesson.check_defence_spelling, "DW", ['DW writes "defence" 0 times and "defense" 6 times']),
    (lesson.check_defence_spelling, "overt operator", ['"defense" 3 times', 'writes only "defence"']),
    (check_labels, {**NAMING, "the isolated nation": "overt operator", "the hermetic state": "dw"},
     ["\"the isolated nation\" is not in Overt Operator's article", "\"the hermetic state\" is not in DW's article"]),
    (check_voice, "mixed", ["you answered mixed", "Look again for quotation marks", "nuclear retaliation"]),
    (check_voice, "Quoted", ["you answered quoted"]),
    (check_significance, True, ["DW 6 times in 434 words, the others 3 times", "p_adjusted"]),
    (check_significance, "yes", ["DW 6 times in 434 words", "below 0.05"]),
]


@pytest.mark.parametrize(("check", "answer", "reasons"), WRONG_WITH_REASON, ids=repr)
def test_wrong_answers_are_explained(check, answer, reasons):
    verdict = check(answer)
    assert not verdict.correct and repr(verdict).startswith("✘ Not yet")
    for reason in reasons:
        assert reason in verdict.message


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("nothing", [None, "", "   ", [], ()], ids=repr)
def test_no_answer_yet_is_a_reminder_not_an_error(check, nothing):
    verdict = check(nothing)
    assert not verdict.correct and verdict.message.startswith("No answer yet")


# Misreadable answers: what was expected, never an exception.
MISREAD = [
    (check_counts, "2", "Give a dict, one entry for each outlet"),
    (check_counts, [2, 4, 1], "does not say which value belongs to which"),
    (check_counts, {"BBC": 1}, "'BBC' is not an outlet of the corpus"),
    (check_counts, {"DW": 2}, "No answer yet for Overt Operator, The National"),
    (check_counts, {**COUNTS, "DW": None}, "No answer yet for DW"),
    (check_counts, {**COUNTS, "DW": True}, "For DW: True is not a count"),
    (check_counts, {**COUNTS, "DW": "false"}, "For DW: 'false' is not a count"),
    (check_counts, {**COUNTS, "DW": "2.5"}, "not a whole number"),
    (check_counts, {**COUNTS, "DW": -2}, "below zero"),
    (check_counts, {**COUNTS, "dw": 2}, "'DW' appears twice"),
    (check_rate, ["DW", "The National"], "asks for one outlet of the corpus, and you gave 2 (DW, The National)"),
    (check_rate, "BBC", "'BBC' is not an outlet of the corpus; use one of: DW, Overt Operator, The National"),
    (check_rate, 2, "is not an outlet"),
    (check_rate, True, "is not an outlet"),
    (check_rate, {"DW": 1}, "not a dict"),
    (lesson.check_defence_spelling, "False", "is not an outlet"),
    (check_labels, "DW", "Give a dict, one entry for each label"),
    (check_labels, {"the isolated nation": "DW"}, "No answer yet for the hermetic state, Mr Kim"),
    (check_labels, {**NAMING, "Mr Kim": "BBC"}, "For Mr Kim: 'BBC' is not an outlet"),
    (check_voice, "angry", "'angry' is not a voice; use one of: authorial, quoted, mixed"),
    (check_voice, False, "is not a voice"),
    (check_significance, "maybe", "answer True or False"),
    (check_significance, 2, "answer True or False"),
]


@pytest.mark.parametrize(("check", "answer", "reason"), MISREAD, ids=repr)
def test_misreadable_answers_say_what_is_expected(check, answer, reason):
    verdict = check(answer)
    assert not verdict.correct and reason in verdict.message, verdict


ODD_INPUTS = [None, "", "2", " 2 ", "two", "True", "no", "the national", [], ["a", "b"], (1,), {}, {"x": 1}, {1: 2},
              True, False, 0, -1, 3.5, float("nan"), object(), "DW", {"DW": [1, 2]}]


@pytest.mark.parametrize("check", CHECKS)
def test_no_input_raises(check):
    for answer in ODD_INPUTS:
        verdict = check(answer)
        assert isinstance(verdict, lesson.Feedback) and verdict.message and "Traceback" not in verdict.message


def test_normalise_answer_reads_counts_choices_and_yes_no():
    for typed in (2, "2", " 2 ", "two", "Two", 2.0, [2], ("2",)):
        assert lesson.normalise_answer(typed, "count") == 2
    for typed in ("the national", "The  National", "national", "THE NATIONAL."):
        assert lesson.normalise_answer(typed, "choice", choices=["DW", "The National"]) == "The National"
    for typed, meaning in ((True, True), ("yes", True), ("TRUE", True), ("false", False), ("no", False), (0, False)):
        assert lesson.normalise_answer(typed, "yes_no") is meaning
    for typed in (None, "", []):
        with pytest.raises(lesson.AnswerProblem, match="No answer yet"):
            lesson.normalise_answer(typed, "count")
    with pytest.raises(lesson.AnswerProblem, match="not a count"):
        lesson.normalise_answer(True, "count")


def test_phrase_rates_by_hand():
    rates = lesson.phrase_rates(PHRASE).set_index("outlet")
    assert rates["count"].to_dict() == COUNTS
    assert rates.loc["Overt Operator", "per_1k"] == pytest.approx(4 / 408 * 1000)
    assert lesson.phrase_roles(PHRASE) == {"body": 6, "headline": 1}


def test_concordance_table_covers_every_label():
    table = lesson.concordance_table([*LABELS, "no such phrase here"])
    assert list(table.columns) == ["phrase", "outlet", "role", "left", "match", "right"]
    outlets = table.groupby("phrase")["outlet"].agg(set).to_dict()
    assert outlets == {**{label: {outlet} for label, outlet in NAMING.items()}, "no such phrase here": {""}}
    assert (table["phrase"] == "Mr Kim").sum() == 7
    assert table["phrase"].drop_duplicates().tolist() == [*LABELS, "no such phrase here"]


def test_reveal_waits_for_an_answer():
    assert "appears here once you have written yours" in repr(lesson.reveal(None, "the table"))
    assert lesson.reveal(0, "the table") == "the table"


def test_article_text_marks_roles():
    text = lesson.article_text("dw")
    assert text.startswith("=== DW (dw) ===")
    assert "[headline] North Korea's Kim hosts Russia's Defense Minister Shoigu" in text
    assert "[sign_off] ss/fb (AFP, Reuters)" in text
    assert "Skip to content" not in text


def _verdicts(notebook):
    return [output["data"]["text/plain"] for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.outputs if output.get("data", {}).get("text/plain", "").startswith(("✔", "✘"))]


def _output_text(cell) -> str:
    """Return everything a code cell shows, as plain text (HTML tables with their tags removed)."""
    parts = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        html = re.sub(r"<[^>]+>", " ", data.get("text/html", ""))
        parts += [output.get("text", ""), data.get("text/plain", ""), html]
    return "\n".join(parts)


# What would give each exercise's answer away if it showed above the exercise's check cell:
# the package's counts (2, 4, 1 beside the outlets), the highest rate (4/408 = 9.80 per 1,000),
# The National's 4 "defence", a label paired with its outlet, the voice "authorial", a verdict on
# significance (the articles themselves use the word "significant"). Exercises 4 and 6 are
# answered by reading a search table and a test's p-values, which are shown above them on
# purpose: the answer is the student's reading, not the table.
GIVEAWAYS = [
    lambda text: all(re.search(rf"{outlet}\s+{count}\b", text) for outlet, count in COUNTS.items()),
    lambda text: re.search(r"9\.80", text) is not None,
    lambda text: re.search(r"The National\s+4\b", text) is not None,
    lambda text: re.search(r"""the isolated nation['"]?\s*:\s*['"]?DW""", text) is not None,
    lambda text: "authorial" in text,
    lambda text: re.search(r"\b(not|is) significant\b|significant\W+(True|False)\b|could be chance", text) is not None,
]


def _check_cells(notebook):
    return [index for index, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and "lesson.check_" in cell.source]


@pytest.fixture(scope="module")
def student_run():
    return execute_notebook(LESSON_DIR / "lesson_student.ipynb")


@pytest.fixture(scope="module")
def answer_key_run():
    return execute_notebook(TEACHER_DIR / "lesson_answers.ipynb")


def test_student_version_runs_with_no_answers(student_run):
    verdicts = _verdicts(student_run)
    assert len(verdicts) == 6 and all("No answer yet" in verdict for verdict in verdicts), verdicts
    errors = [output for cell in student_run.cells for output in cell.get("outputs", [])
              if output.get("output_type") == "error" or output.get("name") == "stderr"]
    assert errors == []


def test_no_answer_shows_above_its_exercise(student_run):
    checks = _check_cells(student_run)
    assert len(checks) == len(GIVEAWAYS) == 6
    for exercise, (check_index, gives_away) in enumerate(zip(checks, GIVEAWAYS), start=1):
        for cell in student_run.cells[:check_index]:
            assert not gives_away(_output_text(cell)), (exercise, cell.id)


def test_answer_key_runs_every_answer_is_right_and_the_reveals_show(answer_key_run):
    verdicts = _verdicts(answer_key_run)
    assert len(verdicts) == 6 and all(verdict.startswith("✔") for verdict in verdicts), verdicts
    # The giveaways are real: with answers written, the package's counts, rate and voices show
    # right after their checks.
    checks = _check_cells(answer_key_run)
    for exercise in (1, 2, 5):
        shown = _output_text(answer_key_run.cells[checks[exercise - 1] + 2])
        assert GIVEAWAYS[exercise - 1](shown), exercise


def test_static_fallback_covers_every_label_of_the_naming_exercise(student_run):
    cells = [cell for cell in student_run.cells if cell.cell_type == "code"]
    explorer = next(index for index, cell in enumerate(cells) if "kwic_explorer" in cell.source)
    fallback = _output_text(cells[explorer + 1])
    html = "".join(output.get("data", {}).get("text/html", "") for output in cells[explorer + 1].outputs)
    assert "<table" in html
    for label, outlet in NAMING.items():
        assert re.search(rf"{label}\s+{outlet}", fallback), label


def test_answer_key_is_not_in_the_students_folder():
    assert sorted(path.name for path in LESSON_DIR.iterdir() if not path.name.startswith(".")) == [
        "lesson_student.ipynb"]
    assert (TEACHER_DIR / "lesson_answers.ipynb").is_file() and (TEACHER_DIR / "teacher_guide.md").is_file()


def test_student_version_is_the_answer_key_without_answers():
    answers = json.loads((TEACHER_DIR / "lesson_answers.ipynb").read_text(encoding="utf-8"))
    student = json.loads((LESSON_DIR / "lesson_student.ipynb").read_text(encoding="utf-8"))
    assert len(answers["cells"]) == len(student["cells"])
    for key_cell, student_cell in zip(answers["cells"], student["cells"]):
        assert key_cell["id"] == student_cell["id"]
        if "answer" in key_cell["metadata"].get("tags", []):
            assert "None" in "".join(student_cell["source"]) and "None" not in "".join(key_cell["source"])
        elif key_cell["id"] != "lesson-01":  # the title says "(answer key)"
            assert key_cell["source"] == student_cell["source"]


def test_lesson_module_names_nothing_of_the_seed_story():
    source = (lesson.__file__ and open(lesson.__file__, encoding="utf-8").read())
    for word in ("Shoigu", "Pyongyang", "Victory Day", "North Korea", "Kim Jong", "Mr Kim", "isolated nation"):
        assert word not in source, word
