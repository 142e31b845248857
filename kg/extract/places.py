"""Places inside states, found by how the text introduces them ('the village of X', 'X district')."""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from kg import vocab
from kg.extract import prefilter
from kg.extract.text import lowercase_words, span
from kg.models import Mention

_W = r"[A-Z][a-zà-ÿ'’]+(?:-[A-Z][a-zà-ÿ'’]+)*"
PLACE_NAME = rf"{_W}(?:\s{_W})?"
KIND = r"(?:city|town|village|settlement|district|region|province|governorate|municipality|rayon|oblast|camp|area|county|state)"
KIND_OF = re.compile(rf"\b(?:the\s+)?{KIND}\s+of\s+(?P<name>{PLACE_NAME})")
# ('X states' is what X says or a set of States: 'its Constitution states', 'Small island States'.)
NAME_KIND = re.compile(rf"(?P<name>{PLACE_NAME})\s+(?!states?\b){KIND}s?\b")
# 'struck Aghdam, Barda, Fuzuli and other Azerbaijani cities', 'the Barda, Tartar and Goranboy districts'
KINDS = (r"(?:cities|towns|villages|settlements|districts|regions|provinces|governorates|municipalities|rayons|"
         r"oblasts|camps|areas|counties|states)")
LIST_KIND = re.compile(rf"(?P<list>{PLACE_NAME}(?:,\s+{PLACE_NAME})+,?\s+and\s+(?:other\s+\w+\s+)?(?:{PLACE_NAME}\s+)?)(?!states\b){KINDS}\b")
# 'the villages of Zabukh and Sus'; 'territories of Azerbaijan, namely Shusha, Khojaly and Aghdam'
KINDS_OF_LIST = re.compile(rf"\b(?:{KINDS}\s+of|(?:territories|areas|regions|districts|cities)\s+of\s+[A-Z][a-z]+,?\s+(?:namely|including|such as))"
                           rf"\s+(?P<list>{PLACE_NAME}(?:,\s+{PLACE_NAME})*,?\s+(?:and|as well as)\s+{PLACE_NAME})")
# 'the OSCE office in Iravan', 'a conference held in Shusha', 'the embassy in Kyiv'
IN_LOCATION = re.compile(rf"\b(?:office|offices|embassy|consulate|held|located|based|headquartered|stationed|"
                         rf"conference|meeting|summit|visit|visited|residents|hospital|prison)\s+in\s+(?P<name>{PLACE_NAME})\b"
                         rf"(?![ \t]+[A-Z])")   # not the first words of a longer name ('held in Sharm El Sheikh')
IN_CITY = re.compile(rf"\b(?:in|of)\s+(?:the\s+)?(?P<name>{PLACE_NAME})\s+\((?:{KIND})\)")
# Where an attack struck, in the sentence that reports it: '19 Palestinians killed in Israeli bombings in
# Khan Yunus', 'the bombing of their home in Khan Yunus', 'a mass atrocity committed in Orahovac'. ('on' is
# left out: what an attack is 'on' is as often a people or an organisation as a place; the name must end
# the run of capitalised words, or it is part of a longer name.)
STRUCK_IN = re.compile(rf"\b(?:killed|injured|wounded|attack(?:s|ed)?|shell(?:ing|ed)|strikes?|struck|bomb(?:ing|ings|ed)|"
                       rf"bombardments?|raids?|massacred?|explosions?|shot|fired|committed|perpetrated|occurred|took\s+place)\b"
                       rf"[^.;:\n]{{0,60}}?\b(?:in|at|near)\s+"
                       rf"(?:the\s+)?(?P<name>{PLACE_NAME})\b(?![ \t]+[A-Z])")
# The words that end the name of a document, a process or a forum named after a place ('the Addis Ababa
# Action Agenda', 'the Taif Accords', 'the Stockholm Agreement'): such a name is not the place.
TITLE_WORDS = ("Accord", "Accords", "Agreement", "Agreements", "Declaration", "Principles", "Framework", "Agenda",
               "Process", "Plan", "Initiative", "Statement", "Network", "Programme", "Rules", "Consensus", "Document",
               "Strategy", "Format", "Platform", "Club", "Pact", "Communiqué", "Call", "Commitments")
# A sea, a gulf or a strait is not a place within a State (a lake or a river may be); nor is a title or a
# compass point ('Taif Accords', 'North').
WATER_WORDS = {"Sea", "Gulf", "Ocean", "Strait", "Straits", "Bay"}
NOT_PLACE_WORDS = {*WATER_WORDS, *TITLE_WORDS, "Provinces", "Regions", "North", "South", "East", "West"}
# What every match of a pattern holds (prefilter.finditer does not run the pattern over a text without one).
NEEDS = {IN_CITY: re.compile(rf"\((?:{KIND})\)"),
         LIST_KIND: re.compile(rf"and\s+(?:other\s+\w+\s+)?(?:{PLACE_NAME}\s+)?{KINDS}\b")}
NOT_PLACES = {"The", "This", "That", "Other", "Each", "Every", "United", "Nations", "State", "General", "Security",
              "Special", "Autonomous", "Republic", "Occupied", "Administrative", "Federal", "Russian", "European",
              "Member", "Capital", "Central", "Southern", "Northern", "Eastern", "Western", "National", "Human",
              "Office", "Ministry", "Committee", "Council", "Government", "Mission", "Court", "Security Council",
              "General Assembly", "January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December", "Agenda", "Annex", "In", "On", "At", "From", "By",
              "Armed", "Forces", "Military", "Its", "Their", "His", "Her", "Our", "Some", "Several", "All",
              "Both", "Many", "Mr", "Ms", "Article", "Under", "During", "After", "Before", "Since", "Following",
              "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Operation",
              "Eid", "Ramadan", "Christmas", "Easter", "Day", "Resolution"}


# Regions wider than a State ('the Great Lakes region', 'the Sahel region'): not places within a State.
WIDER_THAN_A_STATE = {"Africa", "African", "Asia", "Asian", "Asia-Pacific", "Europe", "European", "America", "Americas",
                      "American", "Latin", "Pacific", "Atlantic", "Caribbean", "Mediterranean", "Middle", "Sahel",
                      "Lakes", "Caucasus", "Baltic", "Nordic", "Ocean", "Arctic", "Antarctic", "Balkans", "Gulf",
                      "Levant", "Maghreb", "Himalaya", "Schengen", "Sahara", "Horn"}


def _ok(name: str, states: set[str], common: frozenset[str] = frozenset()) -> bool:
    """Whether a name the text introduces as a place can be one: not a heading word, a State, a possessive
    ('Armenia’s state'), a region wider than a State, or words the text also writes in lower case
    ('Rural areas', 'Training camps', 'These regions')."""
    words = name.split()
    return (bool(words) and words[0] not in NOT_PLACES and name not in NOT_PLACES and name not in states
            and not re.search(r"[’']s\b", name) and not any(w in WIDER_THAN_A_STATE or w in NOT_PLACE_WORDS for w in words)
            and not all(w.lower() in common for w in words))


KIND_AFTER = re.compile(rf"\s+({KIND})\b")
KIND_BEFORE = re.compile(rf"\b({KIND})\s+of\s+(?:the\s+)?$")
_RANK = {"village": 0, "settlement": 0, "camp": 0, "town": 1, "city": 1, "municipality": 1, "area": 2,
         "district": 3, "rayon": 3, "county": 3, "region": 4, "province": 4, "governorate": 4, "oblast": 4, "state": 5}


# The gazetteer's kg:placeType, ranked as the kind words are.
_TYPE_RANK = {"capital": 1, "city": 1, "district": 3, "region": 4, "territory": 5}
KIND_LAST = re.compile(rf"\s({KIND})$", re.I)


@lru_cache(maxsize=1)
def _gazetteer_ranks() -> dict[str, int]:
    return {t.iri: _TYPE_RANK[t.place_type] for t in vocab.load().of("place") if t.place_type in _TYPE_RANK}


def place_rank(text: str, mention: Mention) -> float:
    """How local a place is: a village (0) before its district (3). As the text introduces it here
    ('Zabukh village', 'the village of Sus'), or as its own name says ('Zamzam camp', 'Kursk region'),
    or else as the gazetteer types it (Sake, a city, before North Kivu, a region), half a rank after
    what the text says ('the town of Tammun, south of Tubas': Tammun)."""
    after = KIND_AFTER.match(text, mention.span.end, mention.span.end + 20)
    if after:
        return _RANK.get(after.group(1).lower(), 2)
    before = KIND_BEFORE.search(text[max(0, mention.span.start - 30):mention.span.start])
    if before:
        return _RANK.get(before.group(1).lower(), 2)
    own = KIND_LAST.search(mention.label)
    if own:
        return _RANK.get(own.group(1).lower(), 2)
    typed = _gazetteer_ranks().get(mention.key)
    return 2 if typed is None else typed + 0.5


def extract_places(text: str, state_mentions: list[Mention], common: frozenset[str] | None = None) -> list[Mention]:
    """Places the text introduces; `common`: lowercase_words(text), if the caller has it."""
    state_words = {m.span.text for m in state_mentions}
    common = lowercase_words(text) if common is None else common
    names: dict[str, None] = {}
    for rx in (KIND_OF, NAME_KIND, IN_CITY, IN_LOCATION, STRUCK_IN):
        for m in prefilter.finditer(rx, text, NEEDS.get(rx)):
            name = m.group("name")
            if _ok(name, state_words, common):
                names[name] = None
    for m in [*prefilter.finditer(LIST_KIND, text, NEEDS[LIST_KIND]), *prefilter.finditer(KINDS_OF_LIST, text)]:
        for part in re.split(r",\s+|\s+and\s+|\s+as well as\s+", m.group("list")):
            part = re.sub(r"^other\s+\w+\s*", "", part.strip())
            part = part.strip()
            if re.fullmatch(PLACE_NAME, part) and _ok(part, state_words, common):
                names[part] = None
    if not names:
        return []
    # Every occurrence of a name the text has introduced as a place is a mention of that place.
    rx = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")(?![\w-])")
    return [Mention("place", m.group(0), m.group(0), span(text, m.start(), m.end()), "places") for m in rx.finditer(text)]


PUBLISHER = re.compile(r"[^()\n]{0,60}?\b(?:Press|Publishers|Publishing|Books|Editions)\b")


def not_a_place_here(text: str, m: Mention) -> bool:
    """Names that stand for something else here: a government ('Official Yerevan'), part of an
    organisation's name ('Human Rights Watch/Helsinki'), a publisher's city ('(New York, Penguin)')."""
    before = text[max(0, m.span.start - 10):m.span.start]
    after = text[m.span.end:m.span.end + 1]
    if re.search(r"\bOfficial\s+$", before) or before.endswith("/") or after == "/":
        return True
    open_paren = text.rfind("(", max(0, m.span.start - 40), m.span.start)
    return open_paren >= 0 and ")" not in text[open_paren:m.span.start] and bool(PUBLISHER.match(text, m.span.end))


def merge(introduced: list[Mention], gazetteer: list[Mention], text: str = "", states: list[Mention] = ()) -> list[Mention]:
    """Places the text introduces and places the gazetteer knows; where both cover a span, the
    gazetteer's (it carries the IRI). A place inside a state's name ('... and Northern Ireland') is
    the state."""
    in_states = sorted((s.span.start, s.span.end) for s in states)   # state names do not overlap
    starts = [a for a, _ in in_states]

    def in_a_state(start: int, end: int) -> bool:
        i = bisect_right(starts, start) - 1
        return i >= 0 and end <= in_states[i][1]

    gazetteer = [g for g in gazetteer if not not_a_place_here(text, g) and not in_a_state(g.span.start, g.span.start + 1)]
    spans = [(g.span.start, g.span.end) for g in gazetteer]
    keep = [m for m in introduced if not any(a < m.span.end and m.span.start < b for a, b in spans)
            and not in_a_state(m.span.start, m.span.end)]
    return sorted([*keep, *gazetteer], key=lambda m: m.span.start)
