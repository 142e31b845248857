"""Places inside states, found by how the text introduces them ('the village of X', 'X district')."""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from kg import vocab
from kg.extract import prefilter
from kg.extract.text import lowercase_words, sentence_bounds, span
from kg.models import Mention

# A capitalised word, the ayn and hamza of a transliteration inside it ('Turmus‘ayya', 'Za‘ayyim'); the
# next word may carry the Arabic article ('Dayr al-Ghazal', 'Silat al-Harithiyah').
_W = r"[A-Z][a-zà-ÿ'’‘]+(?:-[A-Z][a-zà-ÿ'’‘]+)*"
PLACE_NAME = rf"{_W}(?:\s(?:(?:al|el|ad|an|ar|as|ash|at|az)-|(?:al|el|ash)\s)?{_W}){{0,2}}"   # ('Mays al Jabal')
KIND = (r"(?:city|town|village|settlement|district|region|province|governorate|municipality|rayon|oblast|camp|area|"
        r"county|state|neighbourhood|neighborhood)")
KIND_OF = re.compile(rf"\b(?:the\s+)?{KIND}\s+of\s+(?P<name>{PLACE_NAME})")
# ('X states' is what X says or a set of States: 'its Constitution states', 'Small island States'.)
NAME_KIND = re.compile(rf"(?P<name>{PLACE_NAME})\s+(?!states?\b)(?:refugee\s+)?{KIND}s?\b")
# 'struck Aghdam, Barda, Fuzuli and other Azerbaijani cities', 'the Barda, Tartar and Goranboy districts'
KINDS = (r"(?:cities|towns|villages|settlements|districts|regions|provinces|governorates|municipalities|rayons|"
         r"oblasts|camps|areas|counties|states|neighbourhoods|neighborhoods)")
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
# the run of capitalised words, or it is part of a longer name, as 'the Islamic Republic' of Iran.)
STRUCK_IN = re.compile(rf"\b(?:killed|injured|wounded|attack(?:s|ed)?|shell(?:ing|ed)|strikes?|struck|bomb(?:ing|ings|ed)|clash(?:es|ed)|"
                       rf"bombardments?|raids?|massacred?|explosions?|shot|fired|committed|perpetrated|occurred|took\s+place|"
                       rf"operations?|incursions?)\b"
                       rf"[^.;:\n]{{0,60}}?\b(?:in|at|near)\s+"
                       rf"(?:the\s+)?(?P<name>{PLACE_NAME})\b(?![ \t]+(?:of[ \t]+)?[A-Z])")
# Where something stands by a place: 'in the vicinity of Awbari', 'heavy clashes in the Bakhi area, near Qatrun'.
# Such a place is a reference point: what stands by it is the more local place (place_rank), and the two
# are one location (incidents).
# (A compass point's place too: 'northeast of Tibnin', 'south-west of Zibqin'.)
_NEAR = (r"\b(?:near|close\s+to|in\s+the\s+vicinity\s+of|on\s+the\s+outskirts\s+of|"
         r"(?:north|south|east|west)(?:-?(?:east|west))?\s+of)\s+(?:the\s+)?")
NEAR = re.compile(rf"{_NEAR}(?P<name>{PLACE_NAME})\b(?![ \t]+(?:of[ \t]+)?[A-Z])")
REFERENCE_POINT = re.compile(rf"{_NEAR}$")
# A place placed by its State or by a wider place: 'met in Bouznika, Morocco', 'in Burayqah, Nabatiyah' (found from
# the State or the wider place back to the name).
PLACED_BEFORE = re.compile(rf"\b(?:in|at|near|from)\s+(?P<name>{PLACE_NAME}),[ \t]*\n?[ \t]*(?:the\s+)?$")
# Names listed with places the gazetteer knows ('in Awbari, Gharyan, Murzuq, Sabha and Tawurghah').
NAME_LIST = re.compile(rf"(?<![\w’‘'-])(?P<list>{PLACE_NAME}(?:,\s+{PLACE_NAME})+,?\s+and\s+{PLACE_NAME})(?![\w’‘'-])")
# A place named with its administrative unit, the unit's word capitalised as part of the name ('Diyala
# Governorate', 'Kherson Oblast', 'Nasir County', 'the Governorate of Muthanna'): the unit is the place and its
# name keeps the word. ('State' is also a polity's word, 'the Islamic State', 'the Palestinian State': a name
# before it must be a region the gazetteer knows, 'Upper Nile State'.)
UNIT = r"(?:Oblast|Region|Governorate|Province|District|County|Canton|Prefecture|Krai|Rayon|Municipality|State)"
# (A unit's name may hold particles: 'Sar-e Pul Province', 'Khwaja Baha ud Din District'.)
_WP = r"[A-Z][a-zà-ÿ'’‘]+(?:-(?:[a-z]{1,3}|[A-Z][a-zà-ÿ'’‘]+))*"
_PARTICLE = r"(?:ud|ul|ad|al|el|as|ash|bin|ibn|de|du|da|di|del|la|le|e|i|y)"
# (Found from the unit's word back: a search from every capital letter costs a third of the stage.)
UNIT_AT = re.compile(rf"(?<=\s){UNIT}\b")
NAME_BEFORE = re.compile(rf"(?<![\w-])(?P<name>{_WP}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?{_WP}){{0,3}})[ \t]*\n?[ \t]*$")
UNIT_OF = re.compile(rf"\b(?P<unit>Governorate|Province|Oblast|Region|District|Prefecture|Municipality)\s+of\s+"
                     rf"(?P<name>{PLACE_NAME})\b(?![ \t]+[A-Z])")
# A place placed by another: 'Salim, east of Nablus', 'Jit, north-east of Qalqilyah', 'Ein Beit el-Ma’ refugee
# camp, on the outskirts of Nablus' (found from the comma back to the name).
RELATIVE_TO = re.compile(r",\s+(?:(?:about|some|approximately)\s+)?(?:\d+\s*(?:km|kilometres|kilometers|miles)\s+)?"
                         r"(?:(?:north|south|east|west)(?:-(?:east|west))?|on\s+the\s+outskirts)\s+of\s+(?:the\s+)?[A-Z]")
PLACE_ENDING = re.compile(rf"(?<![\w’‘'-])(?P<name>{PLACE_NAME})$")
COMMA_BEFORE = re.compile(r",\s+$")
UNIT_WORD = re.compile(rf"^{UNIT}\b|\b{UNIT}$")
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
              "Eid", "Ramadan", "Christmas", "Easter", "Day", "Resolution",
              # adjectives a heading or a sentence opens with ('Rural areas, home to 71 per cent')
              "Rural", "Urban", "Remote", "Border", "Coastal", "Frontline", "Affected", "Residential", "Industrial"}


# Regions wider than a State ('the Great Lakes region', 'the Sahel region'): not places within a State.
WIDER_THAN_A_STATE = {"Africa", "African", "Asia", "Asian", "Asia-Pacific", "Europe", "European", "America", "Americas",
                      "American", "Latin", "Pacific", "Atlantic", "Caribbean", "Mediterranean", "Middle", "Sahel",
                      "Lakes", "Caucasus", "Baltic", "Nordic", "Ocean", "Arctic", "Antarctic", "Balkans", "Gulf",
                      "Levant", "Maghreb", "Himalaya", "Schengen", "Sahara", "Horn", "Arab", "Eurasian",
                      "Euro-Atlantic", "Basin"}


def _ok(name: str, states: set[str], common: frozenset[str] = frozenset()) -> bool:
    """Whether a name the text introduces as a place can be one: not a heading word, a State or a name
    ending in one ('El Buss Palestine' of a camp's longer name; 'British Columbia' stays), a possessive
    ('Armenia’s state'), a region wider than a State, words the text also writes in lower case ('Rural
    areas', 'Training camps'), or States joined by a hyphen ('the Libya-Chad border')."""
    words = name.split()
    return (bool(words) and words[0] not in NOT_PLACES and name not in NOT_PLACES and name not in states
            and words[-1] not in states and not any(part in states for w in words if "-" in w for part in w.split("-"))
            and not re.search(r"[’']s\b", name) and not any(w in WIDER_THAN_A_STATE or w in NOT_PLACE_WORDS for w in words)
            and not all(w.lower() in common for w in words))


def _placed_ok(name: str, states: set[str], common: frozenset[str]) -> bool:
    """_ok for whatever stands before a comma that places it ('Yelets, Lipetsk Region', 'Salim, east of
    Nablus'): no heading word anywhere in it, nor a State's word first ('the Lebanese Armed Forces, west of
    Yatar' is no place)."""
    words = name.split()
    return _ok(name, states, common) and words[0] not in states and not NOT_PLACES.intersection(words)


KIND_AFTER = re.compile(rf"\s+(?:refugee\s+)?({KIND})\b")
KIND_BEFORE = re.compile(rf"\b({KIND})\s+of\s+(?:the\s+)?$")
NAMED_KIND = re.compile(rf"{_W}\s+(?:refugee\s+)?$")
_RANK = {"village": 0, "settlement": 0, "camp": 0, "neighbourhood": 0, "neighborhood": 0, "town": 1, "city": 1,
         "municipality": 1, "area": 2,
         "district": 3, "rayon": 3, "county": 3, "division": 3, "canton": 3, "region": 4, "province": 4,
         "governorate": 4, "oblast": 4, "prefecture": 4, "department": 4, "krai": 4, "state": 5}


# The gazetteer's kg:placeType, ranked as the kind words are.
_TYPE_RANK = {"capital": 1, "city": 1, "district": 3, "region": 4, "territory": 5}
KIND_LAST = re.compile(rf"\s({KIND}|{UNIT}|Division|Department)$", re.I)


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
    if RELATIVE_TO.match(text, mention.span.end):   # 'Salim, east of Nablus': Salim is the nearer
        return 1
    if is_reference_point(text, mention):   # 'the Bakhi area, near Qatrun': Bakhi is the nearer
        return 3.5
    window = text[max(0, mention.span.start - 60):mention.span.start]
    before = KIND_BEFORE.search(window)
    # ('the Shuja‘iyah neighbourhood of Gaza City': the kind is the name's before it, not Gaza City's)
    if before and not NAMED_KIND.search(window, 0, before.start(1)):
        return _RANK.get(before.group(1).lower(), 2)
    own = KIND_LAST.search(mention.label)
    if own:
        return _RANK.get(own.group(1).lower(), 2)
    typed = _gazetteer_ranks().get(mention.key)
    # (a name the text introduces and the gazetteer does not know is most often a town or a village)
    return 1.25 if typed is None else typed + 0.5


def is_reference_point(text: str, mention: Mention) -> bool:
    """Whether the place is named as what another stands near ('near Soueram')."""
    return REFERENCE_POINT.search(text, max(0, mention.span.start - 40), mention.span.start) is not None


def extract_places(text: str, state_mentions: list[Mention], common: frozenset[str] | None = None) -> list[Mention]:
    """Places the text introduces; `common`: lowercase_words(text), if the caller has it."""
    state_words = {m.span.text for m in state_mentions}
    common = lowercase_words(text) if common is None else common
    names: dict[str, None] = {}
    for rx in (KIND_OF, NAME_KIND, IN_CITY, IN_LOCATION, STRUCK_IN, NEAR):
        for m in prefilter.finditer(rx, text, NEEDS.get(rx)):
            name = _without_heading_words(m.group("name"))   # 'The Syrian Badia region'
            # (what stands near a State's forces is no place: 'near the Israel Defense Forces')
            if _ok(name, state_words, common) and (rx is not NEAR or _placed_ok(name, state_words, common)):
                names[name] = None
    for unit in prefilter.finditer(UNIT_AT, text):
        m = NAME_BEFORE.search(text, max(0, unit.start() - 80), unit.start())
        name = m and _unit_name(m.group("name").split(), unit.group(0), state_words, common)
        if name:
            names[name] = None
            # A place placed by its unit: 'Yelets, Lipetsk Region', 'Bor, Jonglei State'.
            comma = COMMA_BEFORE.search(text, max(0, m.start() - 5), m.start())
            placed = comma and PLACE_ENDING.search(text, max(0, comma.start() - 40), comma.start())
            if placed and _placed_ok(placed.group("name"), state_words, common):
                names[" ".join(placed.group("name").split())] = None
    for m in prefilter.finditer(RELATIVE_TO, text):   # (from the comma back to the name)
        placed = PLACE_ENDING.search(text, max(0, m.start() - 60), m.start())
        if placed and _placed_ok(placed.group("name"), state_words, common):
            names[" ".join(placed.group("name").split())] = None
    for st in state_mentions:
        placed = PLACED_BEFORE.search(text, max(0, st.span.start - 60), st.span.start)
        if placed and re.match(r"[^\w’'-]|$", text[st.span.end:st.span.end + 1]) \
                and _placed_ok(_without_heading_words(placed.group("name")), state_words, common):
            names[" ".join(placed.group("name").split())] = None
    for m in prefilter.finditer(UNIT_OF, text):
        if _ok(m.group("name"), state_words, common) and m.group("name") not in NOT_PLACE_WORDS:
            names[f"{m.group('unit')} of {m.group('name')}"] = None
    for m in [*prefilter.finditer(LIST_KIND, text, NEEDS[LIST_KIND]), *prefilter.finditer(KINDS_OF_LIST, text)]:
        for part in re.split(r",\s+|\s+and\s+|\s+as well as\s+", m.group("list")):
            part = re.sub(r"^other\s+\w+\s*", "", part.strip())
            part = part.strip()
            if re.fullmatch(PLACE_NAME, part) and _ok(part, state_words, common):
                names[part] = None
    return _occurrences(text, names)


def _occurrences(text: str, names) -> list[Mention]:
    """Every occurrence of a name the text has introduced as a place is a mention of that place.
    (A name may run over a line's end: 'Lipetsk\nRegion'.)"""
    if not names:
        return []
    rx = re.compile(r"(?<![\w-])(?:" + "|".join(r"\s+".join(map(re.escape, n.split())) for n in sorted(names, key=len, reverse=True))
                    + r")(?![\w-])")
    return [Mention("place", " ".join(m.group(0).split()), " ".join(m.group(0).split()), span(text, m.start(), m.end()), "places")
            for m in rx.finditer(text)]


def named_with_places(text: str, places: list[Mention], taken: list[Mention], states: list[Mention],
                      common: frozenset[str]) -> list[Mention]:
    """Places named beside places already found. In a list: in 'Awbari, Gharyan, Murzuq, Sabha and
    Tawurghah', with Gharyan, Murzuq and Sabha known, Awbari and Tawurghah are places too (at least two of
    the list and half of it must be known). Before a place the gazetteer knows, where no list goes on: 'in
    Burayqah, Nabatiyah'.
    The new names must be names no other mention covers. Returns the new places' mentions, every
    occurrence, none overlapping `places` or `taken`."""
    state_words = {m.span.text for m in states}
    known = {(p.span.start, p.span.end) for p in places}
    covered = sorted([(m.span.start, m.span.end) for m in [*places, *taken, *states]])
    sentences: dict[tuple[int, int], int] = {}
    for p in places:
        bounds = sentence_bounds(text, p.span.start)
        sentences[bounds] = sentences.get(bounds, 0) + 1
    names: dict[str, None] = {}
    ranks = _gazetteer_ranks()
    for p in places:
        # (not a list's next name: 'in Tyre, Sidon and Beirut')
        if p.key in ranks and not re.match(r",?\s+(?:and\s+)?[A-Z]", text[p.span.end:p.span.end + 40]):
            placed = PLACED_BEFORE.search(text, max(0, p.span.start - 60), p.span.start)
            if placed and not any(c < placed.end("name") and placed.start("name") < d for c, d in covered) \
                    and _placed_ok(placed.group("name"), state_words, common):
                names[" ".join(placed.group("name").split())] = None
    for (a, b), count in sentences.items():
        if count < 2:
            continue
        for m in NAME_LIST.finditer(text, a, b):
            items = [(m.start("list") + x.start(), m.start("list") + x.end())
                     for x in re.finditer(rf"{PLACE_NAME}", m.group("list"))]
            hits = sum((i, j) in known for i, j in items)
            if hits < 2 or 2 * hits < len(items):
                continue
            for i, j in items:
                name = _without_heading_words(" ".join(text[i:j].split()))
                if (i, j) not in known and not any(c < j and i < d for c, d in covered) \
                        and _placed_ok(name, state_words, common):
                    names[name] = None
    return [m for m in _occurrences(text, names) if not any(c < m.span.end and m.span.start < d for c, d in covered)]


# Words a sentence opens with before a name ('The Syrian Badia region', 'In Beddawi camp')
LEADING_WORDS = {"The", "This", "That", "In", "On", "At", "From", "By", "Its", "Their", "His", "Her", "Our", "Some",
                 "Several", "All", "Both", "Many", "Each", "Every", "Other", "During", "After", "Before", "Since",
                 "Following", "Under"}


def _without_heading_words(name: str) -> str:
    """The name less the words a sentence opens with before it, its spaces as one."""
    words = name.split()
    while len(words) > 1 and words[0] in LEADING_WORDS:
        words = words[1:]
    return " ".join(words)


def _unit_name(words: list[str], unit: str, states: set[str], common: frozenset[str]) -> str | None:
    """'Diyala Governorate' from the words before a unit's word, less leading words that are no place's
    ('In Kandahar Province'); none where a word left is a state's, a heading's or a wider region's
    ('Islamic State Khorasan Province', 'Coast Military Region', 'Lake Chad Basin Region')."""
    if " ".join(words).lower() in _region_names():   # 'Western Equatoria State'
        return f"{' '.join(words)} {unit}"
    while words and (words[0] in NOT_PLACES or words[0] in states or words[0].islower()):
        words = words[1:]
    name = " ".join(words)
    if not words or any(w in NOT_PLACES or w in states or w == "Military" for w in words) or not _ok(name, states, common):
        return None
    if unit == "State" and name.lower() not in _region_names():
        return None
    return f"{name} {unit}"


@lru_cache(maxsize=1)
def _region_names() -> dict[str, str]:
    """The gazetteer's regions and districts by each of their names in lower case: name -> IRI."""
    out: dict[str, str] = {}
    for t in vocab.load().of("place"):
        if _TYPE_RANK.get(t.place_type, 0) >= _TYPE_RANK["district"]:
            for n in (t.label, *t.names):
                out.setdefault(n.lower(), t.iri)
    return out


def unit_key(label: str, inside: list[Mention]) -> str:
    """The place a unit's name denotes: the gazetteer's region of that name, or with another unit's word
    ('Kyiv Region' is Kyiv Oblast), or the gazetteer region named inside it ('Upper Nile State' is Upper
    Nile, not a city's: 'Lipetsk Region' is not the city of Lipetsk), else the name as printed."""
    regions = _region_names()
    base = re.sub(rf"^{UNIT}\s+of\s+|\s+{UNIT}$", "", label)
    for name in (label, *(f"{base} {u}" for u in ("Oblast", "Region", "Province", "Governorate", "District"))):
        if name.lower() in regions:
            return regions[name.lower()]
    ranks = _gazetteer_ranks()
    inner = [g.key for g in inside if g.label == base and ranks.get(g.key, 0) >= _TYPE_RANK["district"]]
    return inner[0] if inner else label


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
    # A unit's name is the place, over a gazetteer name inside it ('Diyala' in 'Diyala Governorate'), unless
    # the gazetteer knows the whole name as printed.
    whole = {(g.span.start, g.span.end) for g in gazetteer}
    units = [m for m in introduced if UNIT_WORD.search(m.label) and (m.span.start, m.span.end) not in whole]
    # A unit's word after a gazetteer name the unit's pattern read only the end of ('Sistan and Baluchestan
    # Province' read as 'Baluchestan Province'): the whole name with the word.
    for i, m in enumerate(units):
        head = next((g for g in gazetteer if g.span.start < m.span.start < g.span.end <= m.span.end), None)
        if head is not None and text:
            whole_span = span(text, head.span.start, m.span.end)
            label = " ".join(whole_span.text.split())
            units[i] = Mention("place", label, label, whole_span, "places")
    if units:
        inside = {id(m): [g for g in gazetteer if m.span.start <= g.span.start and g.span.end <= m.span.end]
                  for m in units}
        covered = {id(g) for inner in inside.values() for g in inner}
        gazetteer = [g for g in gazetteer if id(g) not in covered] + [
            Mention("place", unit_key(m.label, inside[id(m)]), m.label, m.span, "places") for m in units]
    spans = [(g.span.start, g.span.end) for g in gazetteer]
    keep = [m for m in introduced if not any(a < m.span.end and m.span.start < b for a, b in spans)
            and not in_a_state(m.span.start, m.span.end)]
    return sorted([*keep, *gazetteer], key=lambda m: m.span.start)
