"""Cleaning: separate page furniture from the article and give each kept line a role.

The rules live in a YAML file (default ``analysis/data/cleaning.yaml``); this module
only reads, validates and applies them. Applying them to one document returns one
row per non-blank line: kept lines with their role, removed lines with the rule
that removed them. Patterns run on RE2 (:func:`analysis.matching.compile_user_regex`),
in time linear in the length of a line whatever the pattern.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import re2

from analysis.errors import RulesError
from analysis.matching import BudgetExceeded, PatternError, ProgramBudget, UserRegex, compile_user_regex
from analysis.paths import DEFAULT_CLEANING_RULES
from analysis.text import count_words, match_key
from analysis.yamlfile import read_yaml, where

ROLES = ("headline", "standfirst", "byline", "dateline", "caption", "subheading", "sign_off", "body")
# Roles whose words are the article's own text (counted by every analysis);
# byline, dateline and sign-off are metadata about the article.
TEXT_ROLES = ("headline", "standfirst", "subheading", "caption", "body")
RULE_ROLES = ("headline", "standfirst", "byline", "dateline", "caption", "subheading", "sign_off")

_SECTION_KEYS = {"remove", "remove_from", "roles", "caption_credit", "structure"}
_RULE_KEYS = {"rule", "pattern", "description"}
_ROLE_RULE_KEYS = _RULE_KEYS | {"role"}
_STRUCTURE_DEFAULTS = {"headline": "first-line", "standfirst": "after-headline", "subheading_max_words": 12}
_STRUCTURE_CHOICES = {"headline": ("first-line", "none"), "standfirst": ("after-headline", "none")}
_CLOSING_PUNCTUATION = tuple('.!:;,"\'”’)…]')
# Every line is tried against every rule; a rules file far larger than any outlet needs is refused.
MAX_RULES = 2000


@dataclass(frozen=True)
class LineRule:
    """One named pattern: a line that matches it in full is removed or given ``role``."""

    name: str
    pattern: UserRegex
    description: str = ""
    role: str | None = None


@dataclass(frozen=True)
class RuleSet:
    """The cleaning rules that apply to one outlet (its own rules first, then the defaults)."""

    remove: tuple[LineRule, ...] = ()
    remove_from: tuple[LineRule, ...] = ()
    roles: tuple[LineRule, ...] = ()
    caption_credit: UserRegex | None = None
    structure: dict = field(default_factory=lambda: dict(_STRUCTURE_DEFAULTS))
    # The combined patterns of each rule group, built when a group has tried enough lines (see _RuleGroup).
    _groups: dict = field(default_factory=dict, compare=False, repr=False)

    def _group(self, key: str) -> "_RuleGroup":
        group = self._groups.get(key)
        if group is None:
            if key == "any":  # every rule of the three groups, for a first screen of each line
                group = _RuleGroup(self.remove_from + self.remove + self.roles, keep_order=False)
            else:
                group = _RuleGroup(getattr(self, key))
            self._groups[key] = group
        return group


@dataclass(frozen=True)
class CleaningRules:
    """Default rules plus per-outlet rules, as read from a rules file."""

    source: Path
    defaults: RuleSet
    outlets: dict[str, RuleSet]

    def for_outlet(self, outlet: str) -> RuleSet:
        """Return the rule set for ``outlet`` (case-insensitive); the defaults if it has none."""
        return self.outlets.get(outlet.casefold(), self.defaults)


@dataclass(frozen=True)
class CleanLine:
    """One non-blank line of a document after cleaning."""

    line_number: int
    text: str
    kept: bool
    role: str | None
    rule: str | None
    credit: str = ""


def read_cleaning_rules(path: Path | None = None) -> CleaningRules:
    """Return the validated cleaning rules in ``path`` (default: the project's rules file).

    Raises RulesError with the file and line for unknown keys, missing patterns,
    invalid regular expressions, unknown roles and duplicate rule names.
    """
    path = Path(path) if path is not None else DEFAULT_CLEANING_RULES
    document = read_yaml(path)
    if not isinstance(document, dict):
        raise RulesError(f"{path}: expected a mapping with 'defaults' and 'outlets'")
    _check_keys(path, document, {"version", "defaults", "outlets"}, "rules file")
    _count_rules(path, document)
    defaults_node = document.get("defaults") or {}
    budget = ProgramBudget()
    defaults = _read_section(path, defaults_node, base=None, label="defaults", budget=budget)
    outlets: dict[str, RuleSet] = {}
    outlets_node = document.get("outlets") or {}
    if not isinstance(outlets_node, dict):
        raise RulesError(f"{where(path, document)}: 'outlets' must map outlet names to rules")
    for outlet, section in outlets_node.items():
        key = str(outlet).casefold()
        if key in outlets:
            raise RulesError(f"{where(path, outlets_node)}: outlet '{outlet}' is listed twice")
        outlets[key] = _read_section(path, section or {}, base=defaults, label=f"outlet '{outlet}'", budget=budget)
    return CleaningRules(source=path, defaults=defaults, outlets=outlets)


def _count_rules(path: Path, document: dict) -> None:
    """Raise RulesError when the file holds more than :data:`MAX_RULES` rules, before any is compiled."""
    sections = [document.get("defaults")]
    outlets = document.get("outlets")
    if isinstance(outlets, dict):
        sections += list(outlets.values())
    count = 0
    for section in sections:
        if isinstance(section, dict):
            for key in ("remove", "remove_from", "roles"):
                entries = section.get(key)
                if isinstance(entries, list):
                    count += len(entries)
                    if count > MAX_RULES:
                        raise RulesError(f"{where(path, section)}: more than {MAX_RULES:,} rules in the rules file "
                                         "(no outlet needs this many)")


def _check_keys(path: Path, node: Any, allowed: set[str], label: str) -> None:
    if not isinstance(node, dict):
        raise RulesError(f"{where(path, node)}: {label} must be a mapping")
    unknown = sorted(set(map(str, node)) - allowed)
    if unknown:
        raise RulesError(
            f"{where(path, node)}: unknown key '{unknown[0]}' in {label} "
            f"(allowed: {', '.join(sorted(allowed))})"
        )


def _read_section(path: Path, node: Any, base: RuleSet | None, label: str, budget: ProgramBudget) -> RuleSet:
    _check_keys(path, node, _SECTION_KEYS, label)
    names: set[str] = set()
    remove = tuple(_read_rules(path, node, "remove", label, names, False, budget))
    remove_from = tuple(_read_rules(path, node, "remove_from", label, names, False, budget))
    roles = tuple(_read_rules(path, node, "roles", label, names, True, budget))
    structure = dict(base.structure if base else _STRUCTURE_DEFAULTS)
    structure_node = node.get("structure") or {}
    _check_keys(path, structure_node, set(_STRUCTURE_DEFAULTS), f"{label} structure")
    for key, value in structure_node.items():
        choices = _STRUCTURE_CHOICES.get(key)
        if choices and value not in choices:
            raise RulesError(
                f"{where(path, structure_node)}: {label} structure '{key}' must be one of "
                f"{', '.join(choices)}, not '{value}'"
            )
        if key == "subheading_max_words" and (not isinstance(value, int) or value < 0):
            raise RulesError(f"{where(path, structure_node)}: subheading_max_words must be a whole number ≥ 0")
        structure[key] = value
    credit = base.caption_credit if base else None
    credit_node = node.get("caption_credit")
    if credit_node is not None:
        _check_keys(path, credit_node, {"pattern"}, f"{label} caption_credit")
        credit = _compile(path, credit_node, credit_node.get("pattern"), f"{label} caption_credit", budget)
        if "credit" not in credit.groupindex:
            raise RulesError(f"{where(path, credit_node)}: caption_credit pattern needs a group named 'credit'")
    if base is not None:  # an outlet's own rules run before the defaults
        remove += base.remove
        remove_from += base.remove_from
        roles += base.roles
    return RuleSet(remove, remove_from, roles, credit, structure)


def _read_rules(path: Path, node: dict, key: str, label: str, names: set[str], with_role: bool,
                budget: ProgramBudget):
    entries = node.get(key) or []
    if not isinstance(entries, list):
        raise RulesError(f"{where(path, node)}: '{key}' in {label} must be a list of rules")
    for entry in entries:
        _check_keys(path, entry, _ROLE_RULE_KEYS if with_role else _RULE_KEYS, f"a '{key}' rule of {label}")
        name = entry.get("rule")
        if not name or not str(name).strip():
            raise RulesError(f"{where(path, entry)}: a '{key}' rule of {label} has no 'rule' name")
        name = str(name).strip()
        if name in names:
            raise RulesError(f"{where(path, entry)}: rule name '{name}' is used twice in {label}")
        names.add(name)
        role = None
        if with_role:
            role = entry.get("role")
            if role not in RULE_ROLES:
                raise RulesError(
                    f"{where(path, entry)}: rule '{name}' has role '{role}'; "
                    f"expected one of {', '.join(RULE_ROLES)}"
                )
        pattern = _compile(path, entry, entry.get("pattern"), f"rule '{name}'", budget)
        yield LineRule(name, pattern, str(entry.get("description") or ""), role)


def _compile(path: Path, node: Any, pattern: Any, label: str, budget: ProgramBudget) -> UserRegex:
    if not isinstance(pattern, str) or not pattern.strip():
        raise RulesError(f"{where(path, node)}: {label} has no pattern")
    try:
        return compile_user_regex(pattern, budget=budget)
    except BudgetExceeded as problem:
        raise RulesError(f"{where(path, node)}: {label}: {problem}") from None
    except PatternError as problem:
        raise RulesError(f"{where(path, node)}: {label} has an invalid regular expression ({problem})") from None


def clean_lines(text: str, rules: RuleSet, title: str = "") -> list[CleanLine]:
    """Return one :class:`CleanLine` per non-blank line of ``text``, kept or removed.

    Removal rules are tried first, then role rules, then the caption-credit
    pattern; the remaining lines get a role by position (headline, standfirst,
    subheading) or are body.
    """
    lines: list[CleanLine] = []
    closing_rule: str | None = None
    any_rule = rules._group("any")
    remove_from, remove, roles = rules._group("remove_from"), rules._group("remove"), rules._group("roles")
    credit_pattern = rules.caption_credit
    credit_prefilter = credit_pattern.program if credit_pattern is not None else None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        data = line.encode("utf-8", "surrogatepass")
        may_match = any_rule.may_match(data)  # most lines match no rule: one or two calls tell
        if closing_rule is None and may_match:
            closing_rule = remove_from.first_match(line, data)
        removed_by = closing_rule or (remove.first_match(line, data) if may_match else None)
        if removed_by:
            lines.append(CleanLine(number, line, kept=False, role=None, rule=removed_by))
            continue
        role_rule = roles.first_rule(line, data) if may_match else None
        if role_rule:
            lines.append(CleanLine(number, line, kept=True, role=role_rule.role, rule=role_rule.name))
            continue
        # One call of the bare RE2 program on the bytes rules out most lines; only the rest pay for offsets.
        credit = None
        if credit_prefilter is not None and credit_prefilter.search(data) is not None:
            credit = credit_pattern.search(line)
        if credit and credit.start() > 0:
            caption = line[: credit.start()].rstrip()
            lines.append(
                CleanLine(number, caption, True, "caption", "caption-credit", credit.group("credit").strip())
            )
            continue
        lines.append(CleanLine(number, line, kept=True, role=None, rule=None))
    return _assign_positional_roles(lines, rules.structure, title)


COMBINE_AFTER_LINES = 200
"""Lines a rule group tries rule by rule before its rules are combined (compiling costs about a millisecond a rule)."""
MAX_COMBINED_PROGRAM = 60_000
"""Largest RE2 program of one combined pattern; a single rule at least this large is tried on its own."""


class _RuleGroup:
    """The rules of one group (``remove``, ``remove_from``, ``roles``, or all three as a screen) and the first that
    matches a line.

    Tried one by one, 30 rules cost 30 RE2 calls a line, and most lines match
    none. Runs of rules are therefore combined into one alternation each
    (``(?:p1)|(?:p2)|…``, compiled without captures); a line fully matches the
    alternation exactly when it fully matches one of its rules, so only a line
    that matches a run is tried against the run's rules, in order, to name the
    first. A rule that cannot be combined safely (``\\Q…``, which could swallow
    the parenthesis that closes it), one whose program is large (compiling it
    again would cost more than a call a line) and a run that RE2 refuses are
    tried alone. The first ``COMBINE_AFTER_LINES`` lines are tried rule by rule,
    so that a small corpus compiles nothing more.
    """

    def __init__(self, rules: tuple[LineRule, ...], keep_order: bool = True):
        self.rules = rules
        self.keep_order = keep_order
        self.lines_tried = 0
        self.runs: list[tuple[Any, tuple[LineRule, ...]]] | None = None

    def may_match(self, data: bytes) -> bool:
        """Return False when no rule matches all of the line whose UTF-8 bytes are ``data`` (True: one may)."""
        if self.runs is None:
            self.lines_tried += 1
            if self.lines_tried <= COMBINE_AFTER_LINES:
                return True
            self.runs = _combined_runs(self.rules, self.keep_order)
        return any(program.fullmatch(data) is not None for program, _ in self.runs)

    def first_match(self, line: str, data: bytes) -> str | None:
        """Return the name of the first rule that matches all of ``line`` (``data``: its UTF-8 bytes), or None."""
        rule = self.first_rule(line, data)
        return rule.name if rule else None

    def first_rule(self, line: str, data: bytes) -> LineRule | None:
        """Return the first rule that matches all of ``line`` (``data``: its UTF-8 bytes), or None."""
        if self.runs is None:
            self.lines_tried += 1
            if self.lines_tried <= COMBINE_AFTER_LINES:
                return next((rule for rule in self.rules if rule.pattern.fullmatch(line)), None)
            self.runs = _combined_runs(self.rules, self.keep_order)
        for program, run in self.runs:
            if program.fullmatch(data) is not None:
                found = next((rule for rule in run if rule.pattern.fullmatch(line)), None)
                if found is not None:
                    return found
        return None


def _combined_runs(rules: tuple[LineRule, ...], keep_order: bool = True) -> list[tuple[Any, tuple[LineRule, ...]]]:
    """Return ``rules`` cut into consecutive runs, each with the one RE2 program that matches what any of them does.

    Without ``keep_order`` (a screen, where only whether any rule matches counts),
    the rules that are tried alone go last, so that the others make fewer runs.
    """
    if not keep_order:
        rules = tuple(sorted(rules, key=_tried_alone))
    runs: list[tuple[Any, tuple[LineRule, ...]]] = []
    pending: list[LineRule] = []
    size = 0

    def flush() -> None:
        if pending:
            runs.extend(_combine(tuple(pending)))
            pending.clear()

    for rule in rules:
        program = rule.pattern.program
        if _tried_alone(rule):
            flush()
            size = 0
            runs.append((program, (rule,)))
            continue
        if size + program.programsize > MAX_COMBINED_PROGRAM:
            flush()
            size = 0
        pending.append(rule)
        size += program.programsize
    flush()
    return runs


def _tried_alone(rule: LineRule) -> bool:
    program = rule.pattern.program
    return program.programsize >= MAX_COMBINED_PROGRAM or "\\Q" in program.pattern


def _combine(rules: tuple[LineRule, ...]) -> list[tuple[Any, tuple[LineRule, ...]]]:
    """Return one run for ``rules`` with their alternation; each rule alone if RE2 refuses it."""
    if len(rules) == 1:
        return [(rules[0].pattern.program, rules)]
    options = re2.Options()
    options.log_errors = False
    options.never_capture = True
    options.case_sensitive = not rules[0].pattern.ignore_case
    try:
        if any(rule.pattern.ignore_case != rules[0].pattern.ignore_case for rule in rules):
            raise re2.error("rules differ in case sensitivity")
        program = re2.compile("|".join(f"(?:{rule.pattern.program.pattern})" for rule in rules), options)
    except re2.error:
        return [(rule.pattern.program, (rule,)) for rule in rules]
    return [(program, rules)]


def _assign_positional_roles(lines: list[CleanLine], structure: dict, title: str) -> list[CleanLine]:
    result: list[CleanLine] = []
    headline_done = structure["headline"] == "none"
    standfirst_done = structure["standfirst"] == "none"
    found_headline = False
    max_words = structure["subheading_max_words"]
    for line in lines:
        if not line.kept or line.role is not None:
            result.append(line)
            continue
        if not headline_done:
            headline_done = True
            if not title or match_key(title) == match_key(line.text):
                found_headline = True
                result.append(_with_role(line, "headline", "first-line"))
                continue
        if not standfirst_done:
            standfirst_done = True
            if found_headline:
                result.append(_with_role(line, "standfirst", "after-headline"))
                continue
        if max_words and _looks_like_subheading(line.text, max_words):
            result.append(_with_role(line, "subheading", "short-line"))
            continue
        result.append(_with_role(line, "body", None))
    return result


def _looks_like_subheading(text: str, max_words: int) -> bool:
    # The ending first: most lines end a sentence, and counting words costs more than looking at one character.
    if text.endswith(_CLOSING_PUNCTUATION) and not text.endswith("?"):
        return False
    return count_words(text) <= max_words


def _with_role(line: CleanLine, role: str, rule: str | None) -> CleanLine:
    return CleanLine(line.line_number, line.text, line.kept, role, rule, line.credit)
