"""Default cleaning rules for the furniture of real news sites: each removes its lines, and no close prose.

Every rule is tried on furniture lines as news sites print them (removed, and recorded
with the rule's name) and on prose lines that start the same way or share its words
(kept). The removal lines were written from what the sites print; the prose lines
were written to be as close to the furniture as real article text comes.
"""

import json

import pytest

from analysis import read_corpus
from analysis.cleaning import clean_lines, read_cleaning_rules
from analysis.cli import main

from conftest import write_jsonl

# rule name → (lines it removes, close prose lines it must keep)
FURNITURE = {
    "skip-link": (
        ["Skip to main content", "1. Skip to content", "Skip next section More stories from DW"],
        ["Skip to the end: the talks failed.", "Skipping the summit, Kim sent his sister."],
    ),
    "breadcrumb": (
        ["Home > World > Asia", "News / Politics", "Home › US News › Politics"],
        ["Home, for now, is a tent in Rafah.", "News of the visit broke on Tuesday."],
    ),
    "translation-widget": (
        ["Powered by automated translation", "Select language"],
        ["Powered by a new engine, the missile flew 1,000 km."],
    ),
    "updated-stamp": (
        ["Updated: July 27, 2023, 7:56 AM", "Published: 27 July 2023", "First published: Thu 27 Jul 2023 07.56 BST"],
        ["Updated guidance was issued: masks are optional.", "Published reports say the deal is close."],
    ),
    "related-stories": (
        ["Related stories", "Read more", "Recommended", "Top stories", "More stories from DW", "DW's Top Story"],
        ["Recommended changes were adopted by the panel.", "Top stories in the state media praised Kim."],
    ),
    "advertisement": (
        ["Advertisement", "ADVERTISEMENT", "Sponsored content", "Sponsored",
         "Story continues below advertisement", "Advertisement - Scroll to continue", "Supported by"],
        ["The advertisement ran on Tuesday in three newspapers.", "Advertisements for the rally appeared on buses.",
         "Sponsored by the state, the program has served 3,000 families.", "Supported by allies, Kyiv pressed on."],
    ),
    "continue-reading": (
        ["Continue reading the main story", "Continue reading", "Show more"],
        ["Continue reading the charges, the judge told the clerk.", "Show more restraint, the envoy urged."],
    ),
    "read-more-link": (
        ["Read more: Kim hosts Russia's defence minister in Pyongyang", "READ MORE:", "READ MORE: Why the vote matters",
         "Related: Council approves budget", "Related", "More from The National", "More from Politics",
         "Also read", "ALSO READ: Seoul protests missile launch", "Most Read", "Related Coverage"],
        ["Read more carefully, the law says otherwise.", "Related-party transactions rose by 4 percent.",
         "More from the minister was expected on Friday.",
         "Also read into the record was a letter from the mayor."],
    ),
    "newsletter-prompt": (
        ["Subscribe to our newsletter", "Subscribe", "Sign up for The Morning newsletter",
         "Sign up for our daily briefing", "Sign up for free", "Get our free newsletter in your inbox",
         "Enter your email address", "Newsletter", "Already a subscriber? Log in"],
        ["Sign-ups for the program closed on Friday, officials said.",
         "Subscribers to the newsletter rose to 40,000 last year.",
         "Sign up for the lottery closes on June 1, officials said.",
         "Get out the vote emails were sent by the campaign to thousands of voters."],
    ),
    "share-prompt": (
        ["Share this article", "Share on Facebook", "Follow us on Twitter", "Print this article", "Email"],
        ["Share this article's concerns, the senator told colleagues.", "Shares fell 3 percent on Monday."],
    ),
    "follow-prompt": (
        ["Follow @Reuters on Twitter", "Follow The National on Twitter", "Like us on Facebook",
         "Follow us on Twitter, Facebook and Instagram", "Follow us:"],
        ["Follow the rules on Facebook or be banned, the company warned.",
         "Followers of the group on Telegram grew to 200,000."],
    ),
    "share-buttons": (
        ["Share on Facebook Share on Twitter Share via Email", "Facebook Twitter Email",
         "Share: Facebook, Twitter, WhatsApp", "Share:"],
        ["Facebook and Twitter removed the posts on Monday.", "Twitter, Facebook and Google were fined.",
         "Instagram", "X"],
    ),
    "click-here": (
        ["Click here to read the full report", "Click here", "Click to share on Twitter (Opens in new window)",
         "Click here for the latest updates.",
         "Tap here to watch the video"],
        ["Click here to register, the message read, with a link to a fake site.",
         "Clicking here and there, users found the flaw."],
    ),
    "site-navigation": (
        ["Site Mobile Navigation", "Menu", "MENU", "Search", "Log in", "Sign in", "Sign In / Register",
         "Home", "Back to top", "Edition: US", "International Edition", "Main menu"],
        ["Search teams found two survivors on Sunday.", "Log in records were subpoenaed by the committee.",
         "Home prices rose 4 percent in July.", "Menu prices at the canteen doubled.", "To the top",
         "Edition wars", "Asia", "World", "U.S."],
    ),
    "update-stamp": (
        ["UPDATE:", "UPDATE", "UPDATE: 5:30 p.m.", "Updated 3:45 p.m. ET", "Updated at 3:45 p.m. ET, July 27, 2023",
         "Last modified on Thu 27 Jul 2023 07.56 BST", "Published July 27, 2023", "Published 3 hours ago",
         "Posted: 7:56 AM", "Published July 27, 2023 Updated July 28, 2023"],
        ["UPDATE: The council voted 7-2 on Tuesday to approve the budget.",
         "Updated figures on Monday showed 7 deaths.", "UPDATE 2-Kim meets Shoigu in Pyongyang",
         "Published in 2019, the report found no evidence."],
    ),
    "reading-time": (
        ["5 min read", "3-minute read", "Listen to this article · 5:32 min"],
        ["5 minutes later the alarm sounded.", "Listen to this article's critics, he said."],
    ),
    "photo-credit": (
        ["Photo: Jane Doe/Reuters", "(Photo by Jung Yeon-je/AFP via Getty Images)", "Image credit: NASA/JPL-Caltech",
         "Photograph: Jon Super/AP", "Credit...Jane Doe for The New York Times", "Image source, Getty Images",
         "Photo by Chip Somodevilla/Getty Images"],
        ["Photo: North Korean leader Kim Jong Un inspects missiles in Pyongyang on Wednesday.",
         "Photos by the agency showed the launch site.", "Credit ratings agencies cut the bonds to junk."],
    ),
    "agency-credit": (
        ["Getty Images", "AP Photo/Ahn Young-joon", "(AP Photo/Ahn Young-joon)", "REUTERS/Kim Hong-Ji",
         "Jane Doe/AFP via Getty Images", "KCNA via Reuters", "KCNA/AP Photo/picture alliance"],
        ["Getty Images said it had withdrawn the picture.", "Israel/Gaza", "Reuters reported the talks on Monday.",
         "(AFP)", "AP"],
    ),
    "media-placeholder": (
        ["Image", "Video", "Enlarge this image", "View image in fullscreen", "3 of 12", "12 photos"],
        ["Images from the satellite showed new construction.", "Video of the parade was released on Friday.",
         "9/11", "24/7"],
    ),
    "copyright-line": (
        ["© 2023 Reuters", "Copyright 2023 The Associated Press. All rights reserved.",
         "Copyright © 2023 Cable News Network", "All rights reserved.",
         "This material may not be published, broadcast, rewritten or redistributed."],
        ["Copyright claims against the 2023 film were dismissed.", "All rights reserved for the tribe were upheld."],
    ),
    "cookie-notice": (
        ["We use cookies to improve your experience on our site.",
         "By continuing to use this site, you agree to our use of cookies.",
         "Accept all cookies", "Cookie settings", "Privacy policy", "Reject all",
         "Do not sell my personal information"],
        ["We use cookies as evidence, prosecutors said of the bakery case.",
         "The privacy policy of the app was changed in March.", "Accept the results, the monitor urged.",
         "Decline", "Allow"],
    ),
    "masthead": (
        ["The New York Times", "THE WASHINGTON POST", "The Guardian", "BBC News", "CNN"],
        ["The New York Times reported the talks on Monday.", "The Guardian of the Revolution marched.",
         "Atlantic", "Economist"],
    ),
    "web-address": (
        ["https://www.dw.com/en/north-korea/a-66367405", "www.thenationalnews.com", "nytimes.com",
         "apnews.com/article/kim"],
        ["The site apnews.com reported it first.", "U.S."],
    ),
    "comments-prompt": (
        ["Comments", "12 comments", "Leave a comment", "Join the conversation", "Show comments"],
        ["Comments by the minister angered Seoul.", "Join the conversation about the budget, the mayor said."],
    ),
}

CASES_REMOVED = [(rule, line) for rule, (removed, _) in FURNITURE.items() for line in removed]
CASES_KEPT = [(rule, line) for rule, (_, kept) in FURNITURE.items() for line in kept]


@pytest.fixture(scope="module")
def default_rules():
    return read_cleaning_rules().defaults


def test_every_default_removal_rule_has_cases(default_rules):
    """Each default removal rule is tried here; the test names the rules it does not know."""
    assert sorted(rule.name for rule in default_rules.remove) == sorted(FURNITURE)


@pytest.mark.parametrize(("rule", "line"), CASES_REMOVED)
def test_furniture_line_is_removed_by_its_rule(default_rules, rule, line):
    [result] = clean_lines(line, default_rules)
    assert (result.kept, result.rule) == (False, rule)


@pytest.mark.parametrize(("rule", "line"), CASES_KEPT)
def test_close_prose_line_is_kept(default_rules, rule, line):
    [result] = clean_lines(line, default_rules)
    assert result.kept, f"removed by {result.rule}"


def test_update_stamp_is_removed_but_an_update_that_carries_news_is_kept(default_rules):
    """Only "UPDATE:" alone or with a time or date is a stamp; an update with a sentence is news."""
    page = "\n".join(["Council passes budget", "UPDATE: 5:30 p.m.",
                      "UPDATE: The council voted 7-2 on Tuesday to approve the budget.",
                      "The vote followed a three-hour debate."])
    lines = clean_lines(page, default_rules)
    assert [(line.text, line.kept, line.rule) for line in lines if not line.kept] == [
        ("UPDATE: 5:30 p.m.", False, "update-stamp")]
    assert "UPDATE: The council voted 7-2 on Tuesday to approve the budget." in [
        line.text for line in lines if line.role == "standfirst"]


NEWS_PAGE = [
    "Skip to main content", "Site Mobile Navigation", "The New York Times", "Menu", "Search",
    "Council passes budget after long debate",
    "Supported by", "By Jane Doe", "July 27, 2023", "Updated 3:45 p.m. ET",
    "The council voted 7-2 on Tuesday to approve the budget.",
    "Advertisement", "Continue reading the main story", "Image",
    "Photo: Jane Doe/Reuters", "Getty Images",
    "The mayor said the vote was a relief.",
    "Read more: City faces deficit", "Subscribe to our newsletter", "Share this article",
    "Follow us on Twitter", "© 2023 Reuters", "We use cookies to improve your experience on our site.",
]
# The rule that removes each furniture line of NEWS_PAGE, in page order.
NEWS_PAGE_RULES = [
    "skip-link", "site-navigation", "masthead", "site-navigation", "site-navigation",
    "advertisement", "update-stamp", "advertisement", "continue-reading", "media-placeholder",
    "photo-credit", "agency-credit", "read-more-link", "newsletter-prompt", "share-prompt",
    "share-prompt", "copyright-line", "cookie-notice",
]


def write_news_page(tmp_path):
    return write_jsonl(tmp_path / "page.jsonl", [
        {"doc_id": "p", "outlet": "Times", "title": "Council passes budget after long debate",
         "text": "\n".join(NEWS_PAGE)}])


def test_a_news_page_keeps_only_its_article(tmp_path):
    """A page as a US news site prints it: the furniture goes, every removal is recorded with its rule."""
    corpus = read_corpus(write_news_page(tmp_path))
    assert corpus.paragraphs[["role", "text"]].values.tolist() == [
        ["headline", "Council passes budget after long debate"],
        ["byline", "By Jane Doe"],
        ["dateline", "July 27, 2023"],
        ["standfirst", "The council voted 7-2 on Tuesday to approve the budget."],
        ["body", "The mayor said the vote was a relief."],
    ]
    assert corpus.removed_lines["rule"].tolist() == NEWS_PAGE_RULES


def test_the_cleaning_audit_lists_every_removed_line_with_its_rule(tmp_path, capsys):
    assert main(["cleaning", "--removed", "--format", "json", "--corpus", str(write_news_page(tmp_path))]) == 0
    rows = json.loads(capsys.readouterr().out)
    kept = {1 + NEWS_PAGE.index(text) for text in (
        "Council passes budget after long debate", "By Jane Doe", "July 27, 2023",
        "The council voted 7-2 on Tuesday to approve the budget.", "The mayor said the vote was a relief.")}
    removed = [number for number in range(1, len(NEWS_PAGE) + 1) if number not in kept]
    assert [(row["line_number"], row["text"], row["rule"]) for row in rows] == [
        (number, NEWS_PAGE[number - 1], rule) for number, rule in zip(removed, NEWS_PAGE_RULES, strict=True)]


@pytest.mark.parametrize("line", ["Thu 27 Jul 2023 07.56 BST", "Jul 27, 2023, 7:56 AM",
                                  "Thursday, July 27, 2023 at 7:56 a.m. ET", "March 4, 2023 - 5:30 pm EDT"])
def test_a_date_with_a_time_is_a_dateline(default_rules, line):
    [result] = clean_lines(line, default_rules)
    assert (result.kept, result.role, result.rule) == (True, "dateline", "date-time-line")


@pytest.mark.parametrize("line", ["27 July 2023 was the hottest day on record.", "May 2023",
                                  "Jul 27, 2023 7:56 AM: the alarm sounded in Seoul."])
def test_prose_that_starts_with_a_date_is_text(default_rules, line):
    [result] = clean_lines(line, default_rules)
    assert result.kept and result.role not in ("dateline", "byline", "sign_off")


@pytest.mark.parametrize("line", ["Photo: North Korean leader Kim Jong Un inspects missiles in Pyongyang on Wednesday.",
                                  "Pictured: Sergei Shoigu and Kim Jong Un at the parade."])
def test_a_line_that_introduces_a_photo_is_a_caption(default_rules, line):
    # The "\b" after "Photo:" used to need a letter straight after the colon, so "Photo: North…" was no caption.
    [result] = clean_lines(line, default_rules)
    assert (result.kept, result.role, result.rule) == (True, "caption", "photo-caption")
