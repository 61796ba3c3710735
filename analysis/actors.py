"""Actor groups (whom a sentence names): reading the actor list and finding mentions in sentences.

The list is data (``analysis/data/actors.yaml``): groups such as Russia, North
Korea or Analysts, each with the names, titles and adjectives that refer to it.
Aliases are phrases matched with :func:`analysis.matching.compile_phrase`, so an
actor is found the same way every other step finds a phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.errors import RulesError
from analysis.matching import compile_phrase, compile_phrases, matching_form
from analysis.paths import DATA_DIR
from analysis.yamlfile import read_yaml, where

DEFAULT_ACTORS = DATA_DIR / "actors.yaml"
_GROUP_KEYS = {"name", "aliases", "note"}


@dataclass(frozen=True)
class ActorGroup:
    """One actor group: its name, its aliases and one pattern that finds any of them."""

    name: str
    aliases: tuple[str, ...]
    pattern: re.Pattern
    note: str = ""


@dataclass(frozen=True)
class ActorList:
    """The actor groups read from one file, in file order."""

    groups: tuple[ActorGroup, ...]
    source: Path

    @property
    def names(self) -> list[str]:
        """Return the group names in file order."""
        return [group.name for group in self.groups]

    def table(self) -> pd.DataFrame:
        """Return one row per alias: ``group, alias``, in file order."""
        rows = [(group.name, alias) for group in self.groups for alias in group.aliases]
        return pd.DataFrame.from_records(rows, columns=["group", "alias"])


def read_actors(path: Path | str | None = None) -> ActorList:
    """Return the validated :class:`ActorList` in ``path`` (default ``analysis/data/actors.yaml``).

    Raises RulesError with one line naming the file and line for a malformed file:
    no ``groups`` list, a group that is not a mapping, an unknown key, a missing or
    duplicate name, an empty alias list, an alias that is not text or has no word,
    or an alias listed under two groups.
    """
    path = Path(path) if path is not None else DEFAULT_ACTORS
    document = read_yaml(path)
    if not isinstance(document, dict) or not isinstance(document.get("groups"), list):
        raise RulesError(f"{where(path, document)}: expected a mapping with a 'groups' list of actor groups")
    if not document["groups"]:
        raise RulesError(f"{where(path, document)}: the 'groups' list is empty")
    groups: list[ActorGroup] = []
    owner: dict[str, str] = {}
    for number, entry in enumerate(document["groups"], start=1):
        if not isinstance(entry, dict):
            raise RulesError(f"{where(path, document)}: group {number} is not a mapping with 'name' and 'aliases'")
        here = where(path, entry)
        unknown = sorted(set(entry) - _GROUP_KEYS)
        if unknown:
            raise RulesError(f"{here}: unknown key '{unknown[0]}' (allowed: aliases, name, note)")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise RulesError(f"{here}: group {number} has no 'name' (a non-empty text)")
        name = name.strip()
        if name in {group.name for group in groups}:
            raise RulesError(f"{here}: duplicate group name '{name}'")
        aliases = entry.get("aliases")
        if not isinstance(aliases, list) or not aliases:
            raise RulesError(f"{here}: group '{name}' needs 'aliases', a non-empty list of phrases")
        cleaned: list[str] = []
        for alias in aliases:
            if not isinstance(alias, str) or not alias.strip():
                raise RulesError(f"{here}: group '{name}' has an alias that is not a non-empty text ({alias!r})")
            alias = alias.strip()
            try:
                compile_phrase(alias)
            except ValueError:
                raise RulesError(f"{here}: group '{name}': alias {alias!r} has no words") from None
            key = matching_form(alias)[0].casefold()
            if key in owner:
                raise RulesError(f"{here}: alias '{alias}' of group '{name}' is already listed under '{owner[key]}'")
            owner[key] = name
            cleaned.append(alias)
        note = entry.get("note", "")
        if note is None:
            note = ""
        if not isinstance(note, str):
            raise RulesError(f"{here}: group '{name}': 'note' must be text")
        groups.append(ActorGroup(name, tuple(cleaned), _group_pattern(cleaned), note.strip()))
    return ActorList(tuple(groups), path)


def _group_pattern(aliases: list[str]) -> re.Pattern:
    """Return one pattern matching any alias; longer aliases first, so a full name wins over its last word."""
    return compile_phrases(sorted(aliases, key=len, reverse=True))


def actor_mentions(corpus, actors: ActorList | Path | str | None = None) -> pd.DataFrame:
    """Return one row per mention of an actor group in a sentence of ``corpus``.

    ``actors`` is an :class:`ActorList` or the path of an actor file (default: the
    package's ``actors.yaml``). Sentences come from ``corpus.sentences``.

    Returns
    -------
    DataFrame with columns ``doc_id, outlet, sentence_id, group`` (actor group
    name), ``start, end`` (character offsets in the sentence text) and ``matched``
    (the words as printed). Rows follow the sentence order, then the group order of
    the actor file, then the position in the sentence.
    """
    from analysis.framing import pattern_spans

    actor_list = actors if isinstance(actors, ActorList) else read_actors(actors)
    sentences = corpus.sentences
    texts = sentences["text"].tolist()
    doc_ids, outlets, sentence_ids = (sentences[column].tolist() for column in ("doc_id", "outlet", "sentence_id"))
    names = [group.name for group in actor_list.groups]
    rows = [(doc_ids[index], outlets[index], sentence_ids[index], names[group], start, end, texts[index][start:end])
            for index, group, start, end in pattern_spans(texts, [group.pattern for group in actor_list.groups])]
    columns = ["doc_id", "outlet", "sentence_id", "group", "start", "end", "matched"]
    return pd.DataFrame.from_records(rows, columns=columns)
