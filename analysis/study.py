"""Sentences for the study notebook that describe the corpus and the limits of a small sample.

Every number in them is computed from the corpus, so the study reads true for
any corpus it is run on.
"""

from __future__ import annotations

from pathlib import Path

from analysis.output import markdown_text
from analysis.paths import SEEDS_DIR

SEED_STORY = (
    "In July 2023 Russia's defence minister Sergei Shoigu visited Pyongyang, with a Chinese delegation led by "
    "Politburo member Li Hongzhong, for the 70th anniversary of the armistice that ended the fighting of the Korean "
    "War, which North Korea celebrates as \"Victory Day\". Three English-language outlets reported the visit: DW "
    "(Germany), The National (Abu Dhabi) and Overt Operator, which published a preview the day before."
)


def describe_story(corpus) -> str:
    """Return what the corpus is about: the seed story for the seed corpus, else a sentence built from its events."""
    if Path(corpus.source).resolve() == SEEDS_DIR.resolve():
        return SEED_STORY
    events = sorted(set(corpus.documents["event"]) - {""})
    if events:
        shown = ", ".join(markdown_text(event) for event in events[:5]) + (" …" if len(events) > 5 else "")
        return f"The corpus covers {len(events)} event{'s' if len(events) != 1 else ''} ({shown}), each reported " \
               "by one or more of its outlets."
    return "The corpus has no event column: the outlets are compared over all their articles together."


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
