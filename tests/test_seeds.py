"""The seed corpus as read and cleaned: every value here was worked out by reading the files."""

import pytest

from analysis.cleaning import TEXT_ROLES

# (line number in the collected file, rule) for every line cleaning must remove.
EXPECTED_REMOVED = {
    "dw": [(1, "skip-link"), (2, "skip-link"), (3, "skip-link"), (4, "dw-breadcrumb"),
           (49, "dw-closing-blocks"), (51, "dw-closing-blocks"), (53, "dw-closing-blocks")],
    "overt-operator": [],
    "the-national": [(5, "translation-widget"), (57, "updated-stamp")],
}

# Line numbers of the body paragraphs in the collected files (read off `cat -n`).
BODY_LINES = {
    "dw": [15, 17, 19, 21, 23, 25, 29, 31, 33, 35, 39, 41, 43, 45],
    "overt-operator": list(range(6, 19)),
    "the-national": list(range(7, 56, 2)),
}


def test_three_documents_with_outlet_date_and_headline(seeds):
    documents = seeds.documents.set_index("doc_id")
    assert list(documents.index) == ["dw", "overt-operator", "the-national"]
    assert documents.loc["dw", ["outlet", "date"]].tolist() == ["DW", "2023-07-27"]
    assert documents.loc["overt-operator", ["outlet", "date"]].tolist() == ["Overt Operator", "2023-07-26"]
    assert documents.loc["the-national", ["outlet", "date"]].tolist() == ["The National", "2023-07-27"]
    headlines = seeds.paragraphs[seeds.paragraphs["role"] == "headline"].set_index("doc_id")["text"]
    assert headlines["dw"] == "North Korea's Kim hosts Russia's Defense Minister Shoigu"
    assert headlines["overt-operator"] == "Russian and Chinese Delegations To Attend 'Victory Day' in North Korea"
    assert headlines["the-national"] == (
        "North Korea's Kim Jong-un gives missile tour to Russia's defence minister"
    )
    assert documents.loc["dw", "event"] == "shoigu-pyongyang-2023"  # extra manifest columns are kept
    assert "outlet_note" in documents.columns


@pytest.mark.parametrize("doc_id", sorted(EXPECTED_REMOVED))
def test_every_furniture_line_is_removed_and_recorded(seeds, raw_seed_lines, doc_id):
    removed = seeds.removed_lines[seeds.removed_lines["doc_id"] == doc_id]
    assert list(zip(removed["line_number"], removed["rule"])) == EXPECTED_REMOVED[doc_id]
    for number, text in zip(removed["line_number"], removed["text"]):
        assert raw_seed_lines[doc_id][number - 1].strip() == text


def test_removed_lines_hold_the_furniture_named_in_the_seed_readme(seeds):
    texts = set(seeds.removed_lines["text"])
    assert {"1. Skip to content", "PoliticsNorth Korea", "DW's Top Story",
            "Skip next section More stories from DW", "Powered by automated translation",
            "Updated: July 27, 2023, 7:56 AM"} <= texts


@pytest.mark.parametrize("doc_id", sorted(BODY_LINES))
def test_no_body_paragraph_is_lost(seeds, raw_seed_lines, doc_id):
    paragraphs = seeds.paragraphs[seeds.paragraphs["doc_id"] == doc_id]
    body = paragraphs[paragraphs["role"] == "body"]
    assert body["line_number"].tolist() == BODY_LINES[doc_id]
    # The DW file has no-break spaces inside two paragraphs; the text model makes them plain spaces.
    expected = [raw_seed_lines[doc_id][number - 1].replace("\xa0", " ").strip() for number in BODY_LINES[doc_id]]
    assert body["text"].tolist() == expected


def test_first_and_last_body_sentence_of_each_article(seeds):
    sentences = seeds.sentences[seeds.sentences["role"] == "body"]
    first = sentences.groupby("doc_id")["text"].first()
    last = sentences.groupby("doc_id")["text"].last()
    assert first["dw"] == (
        "North Korea's 70th anniversary of Victory Day celebration this week is being marked by the "
        "presence of both the Russian defense minister and a high-level Chinese delegation as special "
        "guests, reported the state media."
    )
    assert last["dw"] == (
        "During the event, North Korean leader Kim's nuclear-capable missiles and other military "
        "advances will be on display."
    )
    assert first["overt-operator"] == (
        "Amid the global tension surrounding the pandemic and geopolitical shifts, a Russian delegation "
        "led by Defense Minister Sergei Shoigu is set to visit North Korea this week."
    )
    assert last["overt-operator"] == (
        "“They also have a potential role to play in encouraging the DPRK to return to the negotiating table.”’"
    )
    assert first["the-national"].startswith("Visiting Russian Defence Minister Sergei Shoigu accompanied")
    assert last["the-national"] == "North Korea and Russia deny they have conducted arms transactions."


def test_roles_of_metadata_lines(seeds):
    role_of = {(row.doc_id, row.line_number): row.role for row in seeds.paragraphs.itertuples()}
    assert role_of[("dw", 6)] == "headline"
    assert role_of[("dw", 8)] == "dateline"
    assert role_of[("dw", 10)] == "standfirst"
    assert role_of[("dw", 12)] == role_of[("dw", 13)] == "caption"
    assert role_of[("dw", 27)] == role_of[("dw", 37)] == "subheading"
    assert role_of[("dw", 47)] == "sign_off"
    assert role_of[("overt-operator", 1)] == "headline"
    assert role_of[("overt-operator", 2)] == "standfirst"
    assert role_of[("overt-operator", 4)] == "byline"
    assert role_of[("overt-operator", 5)] == "dateline"
    assert role_of[("the-national", 1)] == "headline"
    assert role_of[("the-national", 3)] == "standfirst"


def test_caption_credit_glued_to_the_last_word_is_split_off(seeds):
    caption = seeds.paragraphs.set_index(["doc_id", "line_number"]).loc[("dw", 13)]
    assert caption["text"] == (
        "Independent journalists were not given access to cover the event with Kim Jong Un "
        "and Russia's defense minister"
    )
    assert caption["credit"] == "KCNA/AP Photo/picture alliance"
    # The credit's words are not counted: 18 words, counted by hand (Russia's is one word).
    assert caption["n_words"] == 18


def test_sentence_counts_counted_by_hand(seeds):
    # DW: headline 1, standfirst 1, captions 2, subheadings 2, body 17 (two sentences in
    # each of the paragraphs at lines 29, 31 and 35). Overt Operator: headline 1,
    # standfirst 1, body 19 (two sentences at lines 6, 7, 11, 13, 16 and 17). The
    # National: headline 1, standfirst 1, body 26 (two at line 29; the quotation at
    # line 51 stays one sentence with its "he said").
    counts = seeds.sentences.groupby("doc_id").size()
    assert counts.to_dict() == {"dw": 23, "overt-operator": 21, "the-national": 28}
    assert seeds.sentences["role"].isin(TEXT_ROLES).all()


def test_word_counts_explained(seeds, raw_seed_lines):
    """n_words is the words of headline, standfirst, subheadings, captions (no credit) and body."""
    summary = seeds.summary().set_index("doc_id")
    # Hand counts of the short parts: DW headline 8 words (North Korea Kim hosts Russia
    # Defense Minister Shoigu), standfirst 24, subheadings 9 + 5; captions 31 + 18.
    roles = seeds.role_summary().set_index(["doc_id", "role"])["n_words"]
    assert roles[("dw", "headline")] == 8
    assert roles[("dw", "standfirst")] == 24
    assert roles[("dw", "subheading")] == 14
    assert roles[("dw", "caption")] == 49
    assert roles[("overt-operator", "standfirst")] == 5  # Russian-North is one word
    assert roles[("the-national", "headline")] == 11
    # A second method for the totals: whitespace-separated pieces that hold a letter or
    # digit, on the kept lines read straight from the files (the caption credit cut off).
    for doc_id, kept_lines in {
        "dw": [6, 10, 12, 27, 37, *[n for n in range(15, 46, 2) if n not in (27, 37)]],
        "overt-operator": list(range(1, 3)) + list(range(6, 19)),
        "the-national": [1, 3, *range(7, 56, 2)],
    }.items():
        pieces = 0
        for number in kept_lines:
            line = raw_seed_lines[doc_id][number - 1]
            pieces += sum(1 for piece in line.split() if any(char.isalnum() for char in piece))
        if doc_id == "dw":
            credit_line = raw_seed_lines["dw"][12]
            pieces += sum(1 for piece in credit_line.split("Image:")[0].split() if any(c.isalnum() for c in piece))
        assert summary.loc[doc_id, "n_words"] == pieces, doc_id
    assert summary["n_words"].to_dict() == {"dw": 434, "overt-operator": 408, "the-national": 763}


def test_outlet_summary_adds_up(seeds):
    table = seeds.outlet_summary().set_index("outlet")
    assert table.loc["DW", "n_documents"] == 1
    assert table["n_words"].sum() == 434 + 408 + 763
    assert table["n_removed_lines"].to_dict() == {"DW": 7, "Overt Operator": 0, "The National": 2}


def test_sentence_positions_run_from_zero_in_reading_order(seeds):
    for _, sentences in seeds.sentences.groupby("doc_id"):
        positions = sentences["position"].tolist()
        assert positions[0] == 0.0
        assert positions == sorted(positions) and positions[-1] < 1.0
    ids = seeds.sentences["sentence_id"]
    assert ids.is_unique and ids.iloc[0] == "dw-s001"
