"""Sentences and tables for the study notebooks that describe the corpus, its events and the limits of a sample.

Every number in them is computed from the corpus, so the study reads true for any
corpus it is run on; the example corpus's own story and examples come from a data
file (:func:`example_text`), read only for that corpus. Events are shown by title
(:func:`event_titles`), and per-event tables keep the events with the most
documents (:func:`top_events`) so that they stay readable with a hundred events.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis import lists
from analysis.errors import AnalysisError
from analysis.lists import EXAMPLE_STUDY_TEXT, is_example_corpus
from analysis.output import make_folder, markdown_text, write_bytes_atomic
from analysis.yamlfile import read_yaml

TOP_EVENTS = 10
# Where a study keeps tables computed from its measured ones (StudyInputs.outlet_differences).
DERIVED_FOLDER = "derived"


@lru_cache(maxsize=1)
def _example_study_text() -> dict:
    return read_yaml(EXAMPLE_STUDY_TEXT)


def example_text(corpus, key: str, otherwise: str = ""):
    """Return the example corpus's own text for ``key`` (its story, its examples) when ``corpus`` is that corpus,
    else ``otherwise``.

    The texts live in ``analysis/data/example_study.yaml``, so that no page built from
    another corpus describes the story the package's example was collected about.
    """
    if not is_example_corpus(corpus):
        return otherwise
    return _example_study_text()[key]


def event_titles(corpus) -> pd.DataFrame:
    """Return one row per event, the events with the most documents first (ties in corpus order).

    An event's title is its ``event_title`` value when the corpus has that column,
    else the most common title of its documents (the first of equals), else its id.

    Returns
    -------
    DataFrame with columns ``event, event_title, n_documents, n_outlets, first_date, last_date``.
    """
    documents = corpus.documents[corpus.documents["event"] != ""]
    rows = []
    for event, group in documents.groupby("event", sort=False):
        named = [str(value).strip() for value in group.get("event_title", pd.Series(dtype=str)) if pd.notna(value)]
        titles = [str(value).strip() for value in group["title"] if pd.notna(value)]
        named, titles = [title for title in named if title], [title for title in titles if title]
        title = named[0] if named else Counter(titles).most_common(1)[0][0] if titles else event
        dates = sorted(date for date in group["date"] if date)
        rows.append((event, title, len(group), group["outlet"].nunique(),
                     dates[0] if dates else "", dates[-1] if dates else ""))
    table = pd.DataFrame(rows, columns=["event", "event_title", "n_documents", "n_outlets", "first_date", "last_date"])
    return table.sort_values("n_documents", ascending=False, kind="stable").reset_index(drop=True)


def top_events(table: pd.DataFrame, corpus, top: int = TOP_EVENTS) -> tuple[pd.DataFrame, str]:
    """Return the rows of ``table`` (which has an ``event`` column) for the ``top`` events with the most
    documents, with each event's title beside its id, and one sentence on the events left out ("" if none).
    """
    titles = event_titles(corpus)
    kept, rest = titles.head(top), titles.iloc[top:]
    rank = {event: number for number, event in enumerate(kept["event"])}
    shown = table[table["event"].isin(rank)].copy()
    shown = shown.iloc[shown["event"].map(rank).argsort(kind="stable")]
    if "event_title" not in shown.columns:
        position = list(shown.columns).index("event") + 1
        shown.insert(position, "event_title", shown["event"].map(dict(zip(kept["event"], kept["event_title"]))))
    note = ""
    if not rest.empty:
        note = (f"Shown: the {len(kept)} events with the most documents. The other {len(rest)} events "
                f"({int(rest['n_documents'].sum())} documents, at most {int(rest['n_documents'].max())} each) "
                "are in the full table saved with the report.")
    return shown.reset_index(drop=True), note


def describe_story(corpus) -> str:
    """Return what the corpus is about: the example corpus's story, else a sentence built from its events' titles."""
    story = example_text(corpus, "story", None)
    if story is not None:
        return story
    titles = event_titles(corpus)
    if titles.empty:
        return "The corpus has no event column: the outlets are compared over all their articles together."
    shown = "; ".join(f"“{markdown_text(row.event_title)}” ({row.n_documents} article"
                      f"{'s' if row.n_documents != 1 else ''}, {row.n_outlets} outlet{'s' if row.n_outlets != 1 else ''})"
                      for row in titles.head(5).itertuples())
    count = len(titles)
    if count == 1:
        return f"The corpus covers one event: {shown}."
    lead = "those with the most articles are " if count > 5 else ""
    return f"The corpus covers {count} events; {lead}{shown}{' …' if count > 5 else ''}."


def describe_corpus(corpus) -> str:
    """Return one paragraph: how many articles, from which outlets, when, how long."""
    summary = corpus.summary()
    dates = sorted(date for date in summary["date"] if date)
    span = (f", published {dates[0]}" + (f" to {dates[-1]}" if dates[-1] != dates[0] else "")) if dates else ""
    events = sorted(set(corpus.documents["event"]) - {""})
    about = f" about {len(events)} event{'s' if len(events) != 1 else ''}" if events else ""
    words = summary.groupby("outlet", sort=False)["n_words"].sum()
    sizes = "; ".join(f"{markdown_text(outlet)} {count:,}" for outlet, count in words.items())
    return (
        f"{len(summary)} article{'s' if len(summary) != 1 else ''}{about} from {len(corpus.outlets)} outlets"
        f"{span}, {int(summary['n_words'].sum()):,} words of article text in all (words per outlet: {sizes}). "
        f"Cleaning removed {int(summary['n_removed_lines'].sum())} lines of page furniture, each listed in the "
        "corpus appendix."
    )


def sample_caveats(corpus) -> str:
    """Return a Markdown list of what a corpus of this size cannot tell, with its own numbers."""
    summary = corpus.summary()
    per_outlet = summary.groupby("outlet", sort=False).size()
    words = summary.groupby("outlet", sort=False)["n_words"].sum()
    events = sorted(set(corpus.documents["event"]) - {""})
    fewest = int(per_outlet.min())
    lines = [
        f"- **Texts, not outlets.** The smallest outlet is represented by {fewest} article"
        f"{'s' if fewest != 1 else ''}: differences here describe these texts, not how the outlets write in "
        "general.",
        f"- **Little text.** Outlets have {int(words.min()):,} to {int(words.max()):,} words; with so few, most "
        "word-level differences are not statistically significant, and rates per 1,000 words move a lot with a "
        "single mention.",
    ]
    if len(events) <= 1:
        lines.append("- **One event.** With a single event, an outlet's style cannot be told apart from what it "
                     "chose to cover that day; comparing within several events would.")
    else:
        lines.append(f"- **{len(events)} events.** Compare outlets within events (the appendices do) before "
                     "reading a difference as style.")
    lines += [
        "- **Counts are not meanings.** A framing term can be quoted to keep a distance from it, and a tone score "
        "measures a word list, not what a reader feels; every number links to the sentences behind it in the "
        "appendices.",
        "- **Choices made here.** The codebook, the actor and source lists and the cleaning rules are data files a "
        "reader can inspect and change; another codebook would count other things.",
    ]
    return "\n".join(lines)


def study_wide_tests(keyness: pd.DataFrame, tone_differences: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Return every test the study page reports, with one Benjamini–Hochberg adjustment across all of them.

    The keyness tests (one per outlet and term) and the tone tests (one per pair of
    outlets) are adjusted together, so that no finding is picked from a table that
    was adjusted on its own. Returns one row per test: ``family`` ("keyness" or
    "tone"), ``test`` (what was compared), ``p_value``, ``p_adjusted``,
    ``significant`` (``p_adjusted < alpha``) and ``adjustment``.
    """
    from analysis.stats import adjust_across

    words = pd.DataFrame({
        "family": "keyness",
        "test": [f"{outlet} vs {reference}: “{term}”" for outlet, reference, term in
                 zip(keyness["outlet"], keyness["reference"], keyness["term"])],
        "p_value": keyness["p_value"].to_numpy(),
    })
    pairs = pd.DataFrame({
        "family": "tone",
        "test": [f"{first} − {second}: mean compound ({voice})" for first, second, voice in
                 zip(tone_differences["outlet_a"], tone_differences["outlet_b"], tone_differences["voice"])],
        "p_value": tone_differences["p_value"].to_numpy(),
    })
    adjusted = adjust_across({"keyness": words, "tone": pairs})
    table = pd.concat([adjusted["keyness"], adjusted["tone"]], ignore_index=True)
    table["significant"] = table["p_adjusted"] < alpha
    return table.sort_values(["p_adjusted", "family", "test"], kind="stable").reset_index(drop=True)[
        ["family", "test", "p_value", "p_adjusted", "significant", "adjustment"]]


def study_wide_sentence(tests: pd.DataFrame, alpha: float = 0.05) -> str:
    """Return one Markdown sentence: how many tests the study makes and which survive one adjustment across them."""
    tested = tests.dropna(subset=["p_value"])
    surviving = tested[tested["significant"]]
    families = ", ".join(f"{count} {family}" for family, count in tested["family"].value_counts(sort=False).items())
    if surviving.empty:
        found = "none of them has an adjusted p below " + f"{alpha:g}"
    else:
        shown = "; ".join(f"{markdown_text(test)} (adjusted p = {p:.2g})"
                          for test, p in zip(surviving["test"][:5], surviving["p_adjusted"][:5]))
        more = f" and {len(surviving) - 5} more" if len(surviving) > 5 else ""
        found = f"{len(surviving)} {'has' if len(surviving) == 1 else 'have'} an adjusted p below {alpha:g}: {shown}{more}"
    return (f"This page reports {len(tested)} tests ({families}), adjusted together with one Benjamini–Hochberg "
            f"correction; {found}. Everything else above is a lead to read in the texts, not a finding.")


MAX_LISTED_DOCUMENTS = 20


def documents_table(corpus, limit: int = MAX_LISTED_DOCUMENTS) -> pd.DataFrame:
    """Return the study page's table of what was read: one row per document (``doc_id, outlet, date, title,
    n_words, n_sentences``) for up to ``limit`` documents, else one row per outlet (:meth:`Corpus.outlet_summary`
    with its first and last date), so that a corpus of thousands does not list them all."""
    summary = corpus.summary()
    if len(summary) <= limit:
        return summary[["doc_id", "outlet", "date", "title", "n_words", "n_sentences"]]
    by_outlet = corpus.outlet_summary()
    dates = summary[summary["date"] != ""].groupby("outlet", sort=False)["date"].agg(["min", "max"])
    by_outlet = by_outlet.merge(dates.rename(columns={"min": "first_date", "max": "last_date"}),
                                left_on="outlet", right_index=True, how="left")
    return by_outlet.fillna({"first_date": "", "last_date": ""})


@dataclass
class StudyInputs:
    """What a notebook works on: the cleaned ``corpus`` and the measured ``study`` it came from (None: read and
    cleaned from the corpus file). Build one with :func:`study_inputs`."""

    corpus: object  # analysis.corpus.Corpus
    study: object | None = None  # analysis.measure.Study

    def sentence_tone(self) -> pd.DataFrame:
        """Return :func:`analysis.tone.sentence_tone` of the corpus with its default options: the study's table
        when there is a study, else computed."""
        if self.study is not None and "sentence_tone" in self.study.tables:
            return self.study.tables["sentence_tone"].copy()
        from analysis.tone import sentence_tone

        return sentence_tone(self.corpus)

    def outlet_differences(self, voice: str | None = None) -> pd.DataFrame:
        """Return :func:`analysis.tone.outlet_differences` of :meth:`sentence_tone` (in ``voice``; None: all)
        with its default options.

        With a study, the table is computed once and kept in the study's ``derived/``
        folder, under the SHA-256 of the tone table and of the code and versions that
        computed it, so that two pages showing the same test do not run its tens of
        thousands of relabellings per pair twice. A study folder that cannot be written
        to only loses the saving.
        """
        from analysis import tone

        if (self.study is None or "sentence_tone" not in self.study.tables
                or (voice is not None and voice not in tone.VOICE_ORDER)):  # an unknown voice: its one-line error
            return tone.outlet_differences(self.sentence_tone(), voice=voice)
        import io

        from analysis.measure import parquet_bytes

        path = self.study.path / DERIVED_FOLDER / f"outlet-differences-{voice or tone.ALL}-{self._tone_key()}.parquet"
        try:
            return pd.read_parquet(path)
        except (OSError, ValueError):
            pass  # not kept yet, or damaged: computed again
        data = parquet_bytes(tone.outlet_differences(self.sentence_tone(), voice=voice))
        try:
            make_folder(path.parent)
            write_bytes_atomic(path, data)
        except AnalysisError:
            pass
        # Read back as a kept table is, so that every page gets the same column types.
        return pd.read_parquet(io.BytesIO(data))

    def _tone_key(self) -> str:
        """Return 16 hex digits of the SHA-256 of the study's tone table, the tone code and the package versions."""
        import hashlib

        import numpy
        import scipy

        from analysis import __version__, tone

        digest = hashlib.sha256()
        digest.update((self.study.path / self.study.manifest["tables"]["sentence_tone"]["file"]).read_bytes())
        digest.update(Path(tone.__file__).read_bytes())
        digest.update(f"{__version__} {numpy.__version__} {scipy.__version__}".encode())
        return digest.hexdigest()[:16]

    def attributions(self, sources_file: Path | str | None = None) -> pd.DataFrame:
        """Return :func:`analysis.sources.attributions` of the corpus with the source rules of ``sources_file``
        (:func:`analysis.lists.source_rules`): the study's table when the study was measured with the same
        rules (same file name and SHA-256, as its manifest records them), else computed."""
        if self.study is not None and "attributions" in self.study.tables and self.measured_with(sources=sources_file):
            return self.study.tables["attributions"].copy()
        from analysis.sources import attributions

        return attributions(self.corpus, lists.source_rules(Path(sources_file) if sources_file is not None else None))

    def measured_with(self, **files) -> bool:
        """Return whether the study was measured with these files (``sources=``, ``codebook=``, ``rules=``;
        None for the package's default), as its manifest describes them."""
        if self.study is None:
            return False
        from analysis.measure import describe_options

        described = describe_options(**files)
        recorded = self.study.manifest.get("options", {})
        return all(described[name] == recorded.get(name) for name in files)


def study_inputs(study_path: Path | str | None = None, corpus_path: Path | str | None = None,
                 rules_path: Path | str | None = None) -> StudyInputs:
    """Return what a notebook works on: the study at ``study_path`` opened (its corpus rebuilt from its tables,
    not cleaned again, named ``corpus_path`` when given), or without a study the corpus at ``corpus_path`` read
    and cleaned with ``rules_path`` (None: the example corpus, the package's rules).

    Tables the study holds (:meth:`StudyInputs.sentence_tone`, :meth:`StudyInputs.attributions`) are read from
    it when it was measured with the same options; everything else is computed from ``corpus``.
    """
    if study_path is None:
        from analysis.corpus import read_corpus

        return StudyInputs(read_corpus(corpus_path, rules_path))
    from analysis.measure import open_study

    opened = open_study(study_path, corpus_path)
    return StudyInputs(opened.corpus, opened)
