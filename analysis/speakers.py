"""Speakers as entities: what kind a speaker phrase names, its gender, and one id per source.

* :func:`describe_speaker` reads a speaker phrase as written ("Sen. Lindsey Graham", "a White House
  spokesman", "Democratic lawmakers") and returns its entity name, kind (person, organisation,
  group, pronoun) and gender (from a title such as Mr/Ms, a gendered role word, or the first name
  in the first-name dictionary of ``gender-guesser``).
* :func:`gender_compatible` says whether a pronoun may stand for a described speaker.
* :func:`document_entities` gives every speaker of one article an entity: short references ("Gowdy",
  "Mr. Gowdy") join the full name, "state media" joins the named media outlet of the article, and an
  entity's id is its kind and name, so one name is one id across the corpus.

No name list about a story is read here: only general English titles, role words and first names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

PRONOUN_GENDERS = {"he": "male", "him": "male", "she": "female", "her": "female", "it": "", "they": ""}
PRONOUN_KINDS = {"he": "person", "she": "person", "it": "organisation", "they": "group"}

_MALE_TITLES = {"mr", "sir", "lord", "king", "prince", "father", "brother", "mister"}
_FEMALE_TITLES = {"mrs", "ms", "miss", "madam", "lady", "queen", "princess", "sister", "dame"}
# Titles that precede a person's name without saying the gender.
_TITLES = {"dr", "sen", "senator", "rep", "representative", "gov", "governor", "gen", "general", "prof",
           "professor", "president", "judge", "justice", "mayor", "secretary", "minister", "chancellor", "premier",
           "ambassador", "lt", "col", "colonel", "capt", "captain", "rev", "sgt", "sergeant", "adm", "admiral",
           "det", "detective", "officer", "chief", "commissioner", "director", "speaker", "leader", "chairman",
           "chairwoman", "chair", "attorney", "coach", "vice", "deputy", "spokesman", "spokeswoman", "spokesperson",
           "pope", "rabbi", "imam", "bishop", "cardinal", "inspector", "superintendent", "councilman",
           "councilwoman", "assemblyman", "assemblywoman", "congressman", "congresswoman", "sheriff", "prosecutor",
           "analyst", "economist", "professor", "author", "lawyer", "ceo", "founder", "executive", "manager",
           "candidate", "nominee", "adviser", "advisor", "aide", "dean", "jr", "sr", "st", "mrs", "mr", "ms"}
_MALE_ROLES = {"spokesman", "chairman", "congressman", "councilman", "assemblyman", "businessman", "father",
               "husband", "son", "brother", "king", "man", "boy", "mr", "sir"}
_FEMALE_ROLES = {"spokeswoman", "chairwoman", "congresswoman", "councilwoman", "assemblywoman", "businesswoman",
                 "mother", "wife", "daughter", "sister", "queen", "woman", "girl", "mrs", "ms", "miss"}
# Lower-case heads that make a phrase a person though no name is given ("a White House spokesman").
_PERSON_HEADS = {"spokesman", "spokeswoman", "spokesperson", "official", "minister", "secretary", "analyst",
                 "expert", "researcher", "diplomat", "aide", "adviser", "advisor", "source", "officer", "chief",
                 "director", "president", "leader", "economist", "professor", "lawyer", "attorney", "resident",
                 "witness", "man", "woman", "teacher", "doctor", "commander", "ambassador", "envoy", "senator",
                 "lawmaker", "governor", "mayor", "judge", "manager", "executive", "owner", "founder", "student",
                 "voter", "critic", "observer", "specialist", "strategist", "historian", "scientist", "member",
                 "candidate", "representative", "person", "employee", "worker", "activist", "campaigner",
                 "prosecutor", "sheriff", "investigator", "detective", "agent", "general", "admiral", "chairman",
                 "chairwoman", "commissioner", "consultant", "pollster", "fellow", "scholar", "editor",
                 "correspondent", "reporter", "columnist", "writer", "author", "speaker", "mother", "father"}
# Plural heads of groups ("Democratic lawmakers", "analysts", "Republicans", "the protesters").
_GROUP_SUFFIXES = ("ers", "ists", "ians", "ants", "ents", "ials", "ors", "ats", "ans", "cans", "ites", "ies")
_ORGANISATION_WORDS = {"house", "ministry", "department", "agency", "media", "news", "party", "council",
                       "committee", "government", "administration", "office", "police", "court", "newspaper",
                       "times", "post", "journal", "tribune", "herald", "guardian", "network", "university",
                       "institute", "foundation", "group", "company", "corporation", "inc", "corp", "ltd", "bank",
                       "association", "union", "board", "commission", "pentagon", "kremlin", "congress", "senate",
                       "parliament", "campaign", "army", "navy", "force", "forces", "service", "bureau", "center",
                       "centre", "organization", "organisation", "fund", "club", "league", "team", "church",
                       "hospital", "school", "college", "station", "channel", "broadcaster", "website", "magazine",
                       "press", "tv", "radio", "television", "kcna", "reuters", "ap", "afp", "cnn", "bbc", "fbi",
                       "cia", "nato", "un", "eu", "dw", "endowment", "authority", "authorities", "state",
                       "states", "city", "county", "nation", "country", "embassy", "cabinet", "statement",
                       "report", "reports", "poll", "study", "survey", "data", "court", "tribunal", "council"}
_MEDIA_WORDS = {"media", "agency", "news", "newspaper", "broadcaster", "website", "television", "tv", "radio",
                "magazine", "press", "outlet", "daily", "channel", "network", "wire"}
_DETERMINERS = {"the", "a", "an", "one", "two", "three", "four", "several", "some", "both", "many", "other",
                "another", "most", "few", "all", "his", "her", "its", "their", "our", "this", "that", "these",
                "those", "top", "senior", "former", "then"}
_CONNECTORS = {"of", "for", "and", "the", "de", "van", "von", "der", "al", "bin", "da", "del", "la", "le", "&"}
_PLACE_OPENERS = {"north", "south", "east", "west", "new", "united", "saudi", "hong", "sri", "el", "los", "san",
                  "great", "central", "upper", "lower", "northern", "southern", "eastern", "western"}

_WORD = re.compile(r"[A-Za-z\u00c0-\u024f][\w\u00c0-\u024f'\u2019.\-]*|\(|\)|,")


@dataclass(frozen=True)
class Speaker:
    """A speaker phrase read as an entity: its name, kind, gender ('male', 'female', '') and surname."""

    phrase: str
    name: str
    kind: str  # person, organisation, group or pronoun
    gender: str
    named: bool  # a proper name (not "a White House spokesman", "state media")

    @property
    def surname(self) -> str:
        """Return the last word of a named person's name (lower case), else ''."""
        words = self.name.split()
        return _bare(words[-1]) if self.kind == "person" and self.named and words else ""


@lru_cache(maxsize=1)
def _first_names():
    import gender_guesser.detector  # first-name dictionary (about 40,000 names of many countries), shipped as data

    return gender_guesser.detector.Detector(case_sensitive=False)


@lru_cache(maxsize=65536)
def first_name_gender(name: str) -> str:
    """Return 'male', 'female', 'unisex' or '' (unknown) for a first name, from the first-name dictionary."""
    name = _bare(name)
    if len(name) < 2 or not name.isalpha():
        return ""
    answer = _first_names().get_gender(name.capitalize())
    if answer in ("male", "female"):
        return answer
    if answer in ("mostly_male", "mostly_female", "andy"):
        return "unisex"
    return ""


def _bare(word: str) -> str:
    word = word.lower().replace("\u2019", "'")
    if word.endswith("'s"):
        word = word[:-2]
    return word.strip(".'-")


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def _is_demonym(word: str) -> bool:
    bare = _bare(word)
    return _is_capitalised(word) and bare.endswith(("an", "ese", "ish", "ic", "i")) and bare not in (
        "african", "korean") or bare in {"korean", "african", "american", "russian", "chinese", "british", "french",
                                         "german", "democratic", "republican", "federal", "national", "state"}


def _name_runs(words: list[str], joined: bool = True) -> list[tuple[int, int]]:
    """Return (start, end) of the runs of capitalised words, with ``joined`` across connectors ("Bank of England")."""
    runs, i = [], 0
    while i < len(words):
        if _is_capitalised(words[i]) and words[i] not in "(),":
            j = i + 1
            while j < len(words) and (_is_capitalised(words[j]) and words[j] not in "()," or joined and (
                    words[j].lower() in _CONNECTORS and words[j].lower() != "and" and j + 1 < len(words)
                    and _is_capitalised(words[j + 1]))):
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


@lru_cache(maxsize=65536)
def describe_speaker(phrase: str) -> Speaker:
    """Return the :class:`Speaker` a phrase names, read without any list of names."""
    phrase = " ".join(phrase.split())
    lower = phrase.lower()
    if lower in PRONOUN_KINDS:
        return Speaker(phrase, phrase, "pronoun", PRONOUN_GENDERS[lower], False)
    words = _WORD.findall(phrase)
    if not words:
        return Speaker(phrase, phrase, "organisation", "", False)
    # A person's name: a capitalised run after a title, or opening with a known first name.
    for start, end in _name_runs(words, joined=False):
        run = words[start:end]
        titles = []
        inner = [k for k, word in enumerate(run[:-1]) if _bare(word) in _TITLES | _MALE_TITLES | _FEMALE_TITLES]
        if inner:  # "North Korea's Defence Minister Kang Sun Nam": the name follows the last title
            titles.extend(_bare(word) for word in run[:inner[-1] + 1])
            run = run[inner[-1] + 1:]
        back = start - 1
        while back >= 0 and words[back] == ",":
            back -= 1  # "deputy spokesperson, Vedant Patel"
        before = _bare(words[back]) if back >= 0 else ""
        if before in _TITLES | _MALE_TITLES | _FEMALE_TITLES or before in _PERSON_HEADS:
            titles.append(before)
        if not run or any(_bare(word) in _ORGANISATION_WORDS for word in run):
            continue
        if any(word.lower() in _CONNECTORS for word in run) and len(run) > 1:
            continue
        if not titles and len(run) > 2:
            known = next((k for k in range(1, len(run) - 1) if first_name_gender(run[k])), None)
            if known is not None:  # "Mum-of-two Jade Fenwick", "Florist Sue Brannigan"
                titles.extend(_bare(word) for word in run[:known])
                run = run[known:]
        first = _bare(run[0])
        first_gender = first_name_gender(first) if len(run) > 1 else ""
        if _is_demonym(run[0]) and not titles and not first_gender:
            continue
        if first in _PLACE_OPENERS and not titles:
            continue
        if not titles and not first_gender:
            continue
        gender = ""
        if any(title in _MALE_TITLES for title in titles):
            gender = "male"
        elif any(title in _FEMALE_TITLES for title in titles):
            gender = "female"
        elif first_gender in ("male", "female"):
            gender = first_gender
        elif any(title in _MALE_ROLES for title in titles):
            gender = "male"
        elif any(title in _FEMALE_ROLES for title in titles):
            gender = "female"
        name = " ".join(word.rstrip(",") for word in run)
        if name.endswith("'s") or name.endswith("\u2019s"):
            name = name[:-2]
        return Speaker(phrase, name, "person", gender, True)
    content = [word for word in words if word not in "()," and _bare(word) not in _DETERMINERS]
    head = _bare(content[-1]) if content else lower
    gender = "male" if any(_bare(w) in _MALE_ROLES for w in words) else (
        "female" if any(_bare(w) in _FEMALE_ROLES for w in words) else "")
    name = " ".join(content) if content else phrase
    if head in _PERSON_HEADS and not _is_capitalised(content[-1]):
        return Speaker(phrase, name, "person", gender, False)
    singular = head[:-1] if head.endswith("s") else head
    if head.endswith("s") and (singular in _PERSON_HEADS or singular.rstrip("e") in _PERSON_HEADS or (
            head.endswith(_GROUP_SUFFIXES) and head not in _ORGANISATION_WORDS)):
        return Speaker(phrase, name, "group", "", any(_is_capitalised(w) for w in content))
    named = any(_is_capitalised(w) and not _is_demonym(w) and _bare(w) not in _PLACE_OPENERS
                and _bare(w) not in {"state"} for w in content) or any(w.isupper() and len(w) > 1 for w in content)
    return Speaker(phrase, name, "organisation", "", named)


_NAME_WORD = r"[A-Z][a-z\u00c0-\u024f'\u2019-]+(?:[A-Z][a-z\u00c0-\u024f'\u2019-]+)?"  # "MacAuley", "O'Brien"
_MENTION = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Sen|Rep|Gov|Gen|Prof|President|Senator|Governor|Judge|Mayor)\.?\s+"
                      rf"{_NAME_WORD}(?:\s+(?:[A-Z]\.|{_NAME_WORD})){{0,3}}"
                      rf"|\b{_NAME_WORD}(?:\s+(?:[A-Z]\.|{_NAME_WORD})){{1,3}}")


def person_mentions(text: str) -> list[Speaker]:
    """Return the named persons a sentence mentions ("Mr. Trey Gowdy", "Hillary Clinton"), in order.

    A name whose first name the dictionary lacks counts when a role word comes just before it
    ("United manager Siobhan Keane", "His mother, Lakshmi Venkataraman").
    """
    found = []
    for match in _MENTION.finditer(text):
        speaker = describe_speaker(match.group(0))
        if speaker.kind != "person":
            before = _ROLE_BEFORE.search(text, 0, match.start())
            if before is not None:
                speaker = describe_speaker(before.group(1) + " " + match.group(0))
                speaker = Speaker(match.group(0), speaker.name, speaker.kind, speaker.gender, speaker.named)
        if speaker.kind == "person" and speaker.named:
            found.append(speaker)
    return found


_ROLE_BEFORE = re.compile(r"\b([a-z]+),?\s+$")


def gender_compatible(pronoun: str, speaker: Speaker) -> bool:
    """Return whether ``pronoun`` ("he", "she", "it", "they") may stand for ``speaker``."""
    pronoun = pronoun.lower()
    if pronoun in ("he", "she"):
        return speaker.kind == "person" and speaker.gender in ("", PRONOUN_GENDERS[pronoun])
    if pronoun == "it":
        return speaker.kind == "organisation"
    return speaker.kind in ("group", "organisation")


@lru_cache(maxsize=65536)
def _key_words(name: str) -> tuple[str, ...]:
    """Return the content words of a name cut to five letters, so that "Russia's" and "Russian" agree."""
    words = [_bare(word) for word in _WORD.findall(name) if word not in "(),"]
    return tuple(word[:5] for word in words if word and word not in _DETERMINERS and word not in ("of", "for"))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def entity_id(kind: str, name: str) -> str:
    """Return the corpus-wide id of an entity: its kind and its name ("person:trey-gowdy")."""
    return f"{kind}:{_slug(name) or 'unnamed'}"


def document_entities(speakers: list[Speaker], mentions: list[Speaker] = ()) -> list[tuple[str, str]]:
    """Return ``(entity name, entity id)`` for each speaker of one article, in order.

    A one-word person name ("Gowdy", "Mr Kim") joins the full name ending (else starting) with that
    word, earlier in the article first; an organisation whose words are a part of a longer one ending
    in the same common noun or acronym joins it ("state media" → "North Korean state media (KCNA)");
    an unnamed media phrase ("North Korean media") joins the article's named media outlet. ``mentions``
    are full person names the article gives outside attributions ("Trey Gowdy arrived …").
    """
    full_people = [s for s in speakers if s.kind == "person" and s.named and len(s.name.split()) > 1]
    named_mentions = list({s: None for s in mentions if s.kind == "person" and s.named and len(s.name.split()) > 1})
    full_set = set(full_people)
    first_index = {}
    for position, speaker in enumerate(speakers):
        first_index.setdefault(speaker, position)
    organisations = list({s: None for s in speakers if s.kind in ("organisation", "group") and s.named})
    distinct = list(first_index)  # each speaker once, in order of first appearance
    result = []
    for index, speaker in enumerate(speakers):
        target = speaker
        match = None
        if speaker.kind in ("person", "organisation") and speaker.named and len(speaker.name.split()) == 1:
            word = _bare(speaker.name)
            for earlier_only in (True, False):
                people = named_mentions + [s for s in distinct if s in full_set
                                           and (first_index[s] < index or not earlier_only)]
                match = next((s for s in reversed(people) if _bare(s.name.split()[-1]) == word), None) or next(
                    (s for s in reversed(people) if _bare(s.name.split()[0]) == word), None)
                if match:
                    target = match
                    break
        if match is None and speaker.kind == "person" and not speaker.named:
            earlier_role = next((s for s in reversed(distinct) if first_index[s] < index and s.kind == "person"
                                 and not s.named
                                 and s.name != speaker.name and s.name.endswith(" " + speaker.name)), None)
            if earlier_role is not None:  # "the spokesman" after "a White House spokesman"
                target = earlier_role
            plural = _bare(speaker.name.split()[-1]) + "s"  # "one analyst" is one of the article's "analysts"
            target = next((s for s in distinct if s.kind == "group" and _bare(s.name.split()[-1]) == plural), target)
        if match is None and speaker.kind in ("organisation", "group"):
            keys = set(_key_words(speaker.name))
            words = [w for w in _WORD.findall(speaker.name) if w not in "(),"]
            head = words[-1] if words else ""
            head_mergeable = bool(head) and (not _is_capitalised(head) or head.isupper())
            supersets = [s for s in organisations if keys and keys < set(_key_words(s.name))
                         and _key_words(speaker.name)[-1:] and _key_words(speaker.name)[-1] in _key_words(s.name)]
            same_head = [s for s in supersets if _key_words(s.name)[-1:] == _key_words(speaker.name)[-1:]]
            if same_head and not head_mergeable:
                supersets, head_mergeable = same_head, True  # "The Post" after "the Washington Post"
            if supersets and head_mergeable:
                target = max(supersets, key=lambda s: len(s.name))
            elif not speaker.named and _bare(head) in _MEDIA_WORDS:
                media = [s for s in organisations if any(_bare(w) in _MEDIA_WORDS for w in _WORD.findall(s.name))]
                same_head = [s for s in media if _bare(head)[:5] in _key_words(s.name)]
                chosen = same_head or media
                if chosen:
                    target = min(chosen, key=lambda s: abs(first_index[s] - index))
        kind = "person" if target.kind == "person" else target.kind
        name = target.name
        result.append((name, entity_id(kind, name)))
    # Organisations with the same key words ("Russia's Defense Ministry", "the Russian Defense Ministry") are one.
    by_key: dict[tuple[str, ...], tuple[str, str]] = {}
    merged = []
    for (name, identifier), speaker in zip(result, speakers):
        if not identifier.startswith("person:"):
            key = tuple(sorted(_key_words(name)))
            name, identifier = by_key.setdefault(key, (name, identifier))
        merged.append((name, identifier))
    return merged
