"""Build a large synthetic corpus from the material in the repository, for benchmarks and demos.

How it is made (deterministic for a given --seed):

* the sentence pool is the 5,190 NYT editorial sentences in
  ``data/vader_nyt_editorials`` plus the sentences of the three seed articles;
* there are three outlets named after the seeds (DW, Overt Operator, The
  National). Each outlet draws 70 % of its sentences from its own third of the
  NYT pool and 30 % from the whole pool, so outlets differ in vocabulary the way
  real outlets do, and every article also carries three sentences of its
  outlet's seed article, so the framing terms of the study occur;
* each article has a headline (the first words of its first sentence), then
  paragraphs of one to three sentences, 300 to 900 words in all, and belongs to
  one of ``--events`` events, dated in July 2023.

Usage: python bench/make_corpus.py --words 3000000 --out build/bench/corpus.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from analysis import read_corpus
from analysis.paths import PROJECT_ROOT

NYT = PROJECT_ROOT / "data" / "vader_nyt_editorials" / "nytEditorialSnippets_GroundTruth.txt"


def nyt_sentences() -> list[str]:
    """Return the NYT editorial sentences in file order."""
    lines = NYT.read_text(encoding="utf-8").splitlines()
    return [line.split("\t", 2)[2].strip() for line in lines if line.strip()]


def cached_corpus(name: str, n_words: int, n_events: int = 20, seed: int = 2023) -> Path:
    """Return ``build/bench/NAME-N_WORDS.jsonl``, writing it with :func:`build_records` first when missing."""
    from analysis.paths import BUILD_DIR

    path = BUILD_DIR / "bench" / f"{name}-{n_words}.jsonl"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        records = build_records(n_words, n_events=n_events, seed=seed)
        path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records),
                        encoding="utf-8")
    return path


def build_records(n_words: int, n_events: int = 20, seed: int = 2023) -> list[dict]:
    """Return article records (doc_id, outlet, date, title, event, text) holding about ``n_words`` words."""
    rng = random.Random(seed)
    pool = nyt_sentences()
    seeds = read_corpus()
    body = seeds.sentences[seeds.sentences["role"] == "body"]
    seed_sentences = {outlet: group["text"].tolist() for outlet, group in body.groupby("outlet")}
    outlets = sorted(seed_sentences)
    third = len(pool) // len(outlets)
    own_pool = {outlet: pool[index * third:(index + 1) * third] for index, outlet in enumerate(outlets)}
    records, total, number = [], 0, 0
    while total < n_words:
        outlet = outlets[number % len(outlets)]
        target = rng.randint(300, 900)
        sentences = rng.sample(seed_sentences[outlet], 3)
        words = sum(len(sentence.split()) for sentence in sentences)
        while words < target:
            source = own_pool[outlet] if rng.random() < 0.7 else pool
            sentence = rng.choice(source)
            sentences.insert(rng.randint(0, len(sentences)), sentence)
            words += len(sentence.split())
        paragraphs, index = [], 0
        while index < len(sentences):
            size = rng.randint(1, 3)
            paragraphs.append(" ".join(sentences[index:index + size]))
            index += size
        title = " ".join(sentences[0].split()[:8]).rstrip(".,;:")
        number += 1
        records.append({
            "doc_id": f"syn-{number:05d}",
            "outlet": outlet,
            "date": f"2023-07-{1 + rng.randint(0, 30):02d}",
            "title": title,
            "event": f"event-{rng.randint(1, n_events):02d}",
            "text": title + "\n\n" + "\n\n".join(paragraphs) + "\n",
        })
        total += words
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description="Build a synthetic JSONL corpus from the repository's material.")
    parser.add_argument("--words", type=int, default=3_000_000, help="about how many words (default 3,000,000)")
    parser.add_argument("--events", type=int, default=20, help="number of events (default 20)")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    records = build_records(args.words, args.events, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{args.out}: {len(records)} articles, about {args.words:,} words")


if __name__ == "__main__":
    main()
