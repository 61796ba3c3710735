"""Which data list each section of the study runs on, and which data files a report was built from.

The package's codebook, actor list and source categories were written by reading
the example corpus the project ships (``seeds/``): on another story their frames,
actors and categories would be findings about the wrong story. One function,
:func:`chosen_list`, decides for every notebook, command and report which list a
section uses:

1. a file the user passed: that file;
2. no file, and the corpus is the package's example corpus: the package default;
3. otherwise none: the section is left out, and :func:`missing_list_notice` says
   in one line which option supplies the list. The report instead fills such a
   gap with a list discovered from the corpus itself (``analysis.discover``), and
   :func:`list_notice` labels every section that uses one as discovered, not validated.

Stop words and cleaning rules are not about a story (English function words,
page furniture), so their defaults apply to every corpus; a stop-word file the
user passes is added to the default list.

Public functions, in order: :func:`is_example_corpus`, :func:`chosen_list`,
:func:`missing_list_notice`, :func:`discovered_list_notice`, :func:`discovered_kinds`,
:func:`list_notice`, :func:`source_rules`,
:func:`left_out_tags`, :func:`data_files_used`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from analysis.actors import DEFAULT_ACTORS
from analysis.errors import AnalysisError
from analysis.paths import DATA_DIR, DEFAULT_CLEANING_RULES, DEFAULT_CODEBOOK, SEEDS_DIR
from analysis.sources import DEFAULT_SOURCE_RULES, SourceRules, read_source_rules
from analysis.text import ACRONYMS_FILE
from analysis.tone import DEFAULT_NAME_TITLES
from analysis.vocabulary import DEFAULT_STOPWORDS

# Sentences that only the example corpus's study shows (its story, its examples); read only for that corpus.
EXAMPLE_STUDY_TEXT = DATA_DIR / "example_study.yaml"
# Two codings of the example corpus's sentences and their adjudication (see the folder's README.md).
EXAMPLE_CODING_DIR = DATA_DIR / "seed_coding"
EXAMPLE_CODED_SHEETS = (EXAMPLE_CODING_DIR / "coder_a.csv", EXAMPLE_CODING_DIR / "coder_b.csv")
EXAMPLE_ADJUDICATED_SHEET = EXAMPLE_CODING_DIR / "adjudicated.csv"


@dataclass(frozen=True)
class StoryList:
    """A data list written for one story: its option, notebook parameter, default file and what it gives."""

    kind: str
    what: str
    option: str
    parameter: str
    default: Path
    gives: str
    doc: str

    @property
    def tag(self) -> str:
        """Return the cell tag of the notebook sections that need this list."""
        return f"needs-{self.kind}"


STORY_LISTS = {
    entry.kind: entry for entry in (
        StoryList("codebook", "framing codebook", "--codebook", "codebook_path", DEFAULT_CODEBOOK,
                  "count framing terms and naming choices", "docs/framing.md"),
        StoryList("actors", "actor list", "--actors", "actors_path", DEFAULT_ACTORS,
                  "score the tone of the sentences that name each actor", "docs/tone.md"),
        StoryList("sources", "source-category list", "--sources", "sources_path", DEFAULT_SOURCE_RULES,
                  "sort the speakers into source categories", "docs/sources.md"),
    )
}


def _story_list(kind: str) -> StoryList:
    try:
        return STORY_LISTS[kind]
    except KeyError:
        raise ValueError(f"unknown list '{kind}' (one of {', '.join(STORY_LISTS)})") from None


def is_example_corpus(corpus) -> bool:
    """Return whether ``corpus`` (a Corpus or a path) is the example corpus the package ships."""
    source = getattr(corpus, "source", corpus)
    if source is None:
        return True  # read_corpus(None) reads the example corpus
    try:
        return Path(source).resolve() == SEEDS_DIR.resolve()
    except OSError:
        return False


def chosen_list(kind: str, given: Path | str | None, corpus) -> Path | None:
    """Return the file the ``kind`` list ("codebook", "actors", "sources") is read from, or None to leave it out.

    ``given`` is the file the user passed (None when none was): it is always used.
    Without one, the package default is used for the example corpus only.
    """
    entry = _story_list(kind)
    if given is not None and str(given) != "":
        return Path(given)
    return entry.default if is_example_corpus(corpus) else None


def chosen_coding(coded, adjudicated, corpus, codebook_given=None) -> tuple[list[Path], Path | None]:
    """Return the coded sheets and the adjudicated sheet the codebook is checked against.

    ``coded`` (a list of paths, or None) and ``adjudicated`` (a path, or None) are what
    the user passed and are always used. Without coded sheets, the example corpus read
    with the package's codebook (``codebook_given`` None) gets the two codings the
    package ships (``EXAMPLE_CODING_DIR``); anything else gets none, and its codebook
    is reported as unvalidated.
    """
    sheets = [Path(path) for path in (coded or []) if str(path) != ""]
    if sheets:
        return sheets, Path(adjudicated) if adjudicated else None
    if is_example_corpus(corpus) and not codebook_given:
        return list(EXAMPLE_CODED_SHEETS), EXAMPLE_ADJUDICATED_SHEET
    return [], Path(adjudicated) if adjudicated else None


def required_list(kind: str, given: Path | str | None, corpus, command: str) -> Path:
    """Return the ``kind`` list a command runs on (:func:`chosen_list`); raise AnalysisError, in one line naming
    the option and the ``discover`` command, when the corpus is not the example corpus and none was given."""
    chosen = chosen_list(kind, given, corpus)
    if chosen is None:
        entry = _story_list(kind)
        raise AnalysisError(f"{command}: no {entry.what} was given for this corpus (the package's is written for "
                            f"its example story): pass {entry.option} FILE, or write a starter one with "
                            f"`python -m analysis discover --corpus PATH --out DIR`")
    return chosen


def missing_list_notice(kind: str) -> str:
    """Return the one-line Markdown notice shown where a section is left out for want of the ``kind`` list."""
    entry = _story_list(kind)
    return (f"*No {entry.what} was given, so this section is left out: pass `{entry.option} FILE` to `report` "
            f"(notebook parameter `{entry.parameter}`) to {entry.gives} (see `{entry.doc}`).*")


def discovered_list_notice(kind: str) -> str:
    """Return the one-line Markdown notice shown where a section runs on a ``kind`` list discovered from the corpus."""
    entry = _story_list(kind)
    return (f"*The {entry.what} used here was discovered from this corpus (`python -m analysis discover`), "
            f"not validated: read its entries before its counts, edit it, and pass it back with `{entry.option} "
            f"FILE` (see `docs/discover.md`).*")


def discovered_kinds(discovered: str | list[str] | tuple[str, ...] | None) -> set[str]:
    """Return the list kinds named in ``discovered`` (the notebooks' ``discovered_lists`` parameter: a list, or
    names separated by commas); an unknown name is an error."""
    if not discovered:
        return set()
    names = discovered.split(",") if isinstance(discovered, str) else list(discovered)
    kinds = {str(name).strip() for name in names if str(name).strip()}
    for kind in kinds:
        _story_list(kind)
    return kinds


def list_notice(kind: str, chosen: Path | None, discovered: str | list[str] | tuple[str, ...] | None = None) -> str:
    """Return the notice a section on the ``kind`` list shows: :func:`missing_list_notice` when no list was chosen,
    :func:`discovered_list_notice` when the list was discovered from the corpus (``kind`` in ``discovered``),
    else an empty string."""
    if chosen is None:
        return missing_list_notice(kind)
    return discovered_list_notice(kind) if kind in discovered_kinds(discovered) else ""


def source_rules(chosen: Path | None) -> SourceRules:
    """Return the source rules of the ``chosen`` file; without one, the package's speech verbs and no categories.

    Finding who is quoted needs only speech verbs, which hold for any English news
    text, so attributions are found on every corpus; only sorting speakers into
    categories needs a list about the story, and without one every speaker is
    ``unmatched``.
    """
    if chosen is not None:
        return read_source_rules(chosen)
    return replace(read_source_rules(DEFAULT_SOURCE_RULES), categories=())


def left_out_tags(corpus, given: dict[str, Path | str | None]) -> set[str]:
    """Return the cell tags of the sections left out for ``corpus``: one per list :func:`chosen_list` leaves out.

    ``given`` maps a list kind (or its notebook parameter, ``codebook_path``) to the
    file the user passed, or None.
    """
    by_kind = {kind: given.get(kind, given.get(entry.parameter)) for kind, entry in STORY_LISTS.items()}
    return {STORY_LISTS[kind].tag for kind, path in by_kind.items() if chosen_list(kind, path, corpus) is None}


@dataclass(frozen=True)
class DataFile:
    """One data file a study was built from: what it is, its path, and whether it is the package's default."""

    what: str
    path: Path
    is_default: bool
    discovered: bool = False

    @property
    def origin(self) -> str:
        """Return where the file came from, as the provenance table says it."""
        if self.discovered:
            return "discovered from this corpus, not validated"
        return "package default" if self.is_default else "given"


def data_files_used(corpus, rules_path=None, codebook_path=None, actors_path=None, sources_path=None,
                    stopwords_path=None, discovered=None) -> list[DataFile]:
    """Return the data files the study of ``corpus`` reads, given the files the user passed (None: not given).

    Lists that :func:`chosen_list` leaves out are not listed: they were not used. A list
    whose kind is in ``discovered`` was discovered from the corpus and is described so.
    """
    files = [DataFile("cleaning rules", Path(rules_path) if rules_path else DEFAULT_CLEANING_RULES,
                      not rules_path),
             DataFile("stop words", DEFAULT_STOPWORDS, True),
             DataFile("acronyms that keep their capitals (text model)", ACRONYMS_FILE, True),
             DataFile("names and titles masked before tone scoring", DEFAULT_NAME_TITLES, True)]
    if stopwords_path:
        files.append(DataFile("extra stop words", Path(stopwords_path), False))
    for kind, given in (("codebook", codebook_path), ("actors", actors_path), ("sources", sources_path)):
        chosen = chosen_list(kind, given, corpus)
        if chosen is not None:
            files.append(DataFile(STORY_LISTS[kind].what, chosen, not given,
                                  discovered=kind in discovered_kinds(discovered)))
    if is_example_corpus(corpus):
        files.append(DataFile("study text for the example corpus", EXAMPLE_STUDY_TEXT, True))
    return files
