"""Print a fixed-seed sample of NYT editorial sentences with the attributions found in them, for checking by reading.

Run: .venv/bin/python bench/eval_sources_nyt.py [--seed 6] [--n 50]

Each NYT sentence becomes a document of its own (no context crosses sentences, so a
pronoun speaker stays unresolved). Candidates are the sentences in which the extractor
found an attribution, or that contain a quotation mark or a speech verb; the sample is
drawn from them with a fixed seed. The verdicts are made by a person reading the output;
the counts measured on the default sample are in docs/sources.md.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time

from analysis import read_corpus
from analysis.paths import BUILD_DIR, PROJECT_ROOT
from analysis.sources import attributions, read_source_rules

GROUND_TRUTH = PROJECT_ROOT / "data" / "vader_nyt_editorials" / "nytEditorialSnippets_GroundTruth.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--n", type=int, default=50)
    args = parser.parse_args()
    rows = []
    for line in GROUND_TRUTH.read_text(encoding="utf-8").splitlines():
        parts = line.rstrip("\r").split("\t")
        if len(parts) == 3 and parts[2].strip():
            rows.append({"doc_id": parts[0], "outlet": "NYT", "text": parts[2].strip(), "title": ""})
    folder = BUILD_DIR / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "nyt-sentences.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    started = time.perf_counter()
    corpus = read_corpus(path)
    rules = read_source_rules()
    found = attributions(corpus, rules)
    seconds = time.perf_counter() - started
    words = sorted(rules.verbs) + list(rules.verb_phrases) + list(rules.participles) + ["according to"]
    verbs = re.compile(r"\b(" + "|".join(re.escape(word) for word in words) + r")\b", re.IGNORECASE)
    with_attribution = set(found["doc_id"])
    # Every sentence with an attribution has a verb or a quotation mark, so the candidates (and the sample)
    # do not change when the extractor does; the check below makes sure of it.
    candidates = [row for row in rows if any(mark in row["text"] for mark in "\"“”«»")
                  or "''" in row["text"] or "``" in row["text"] or verbs.search(row["text"])]
    assert with_attribution <= {row["doc_id"] for row in candidates}
    print(f"sentences: {len(rows)}; attributions found: {len(found)} in {len(with_attribution)} sentences; "
          f"candidates: {len(candidates)}; time: {seconds:.1f} s")
    sample = random.Random(args.seed).sample(candidates, args.n)
    by_doc = found.groupby("doc_id")
    for number, row in enumerate(sorted(sample, key=lambda row: row["doc_id"]), start=1):
        print(f"\n[{number}] {row['doc_id']}: {row['text']}")
        if row["doc_id"] in with_attribution:
            for item in by_doc.get_group(row["doc_id"]).itertuples(index=False):
                print(f"    -> speaker={item.speaker!r} verb={item.verb!r} kind={item.kind} category={item.category} "
                      f"text={item.text[:80]!r}")
        else:
            print("    -> (none)")


if __name__ == "__main__":
    main()
