"""Incidents as each document reports them: place, date, figures, the party it holds responsible.

An incident is recorded when the text gives a victim figure together with a place and a date near it;
it is the claim of the reporting document (its quote is kept), never a fact of the graph.
"""
from __future__ import annotations

import re

from kg.extract import prefilter
from kg.extract.text import DAY_MONTH_YEAR, MONTH_DAY_YEAR, MONTH_RE, MONTHS, iso_date, sentence_bounds, span
from kg.extract.places import is_reference_point, place_rank
from kg.models import Incident, Mention

NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "a hundred": 100})
_WORDS = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
# ('25 thousand Jews': a figure in thousands; one T-run more, as 'a hundred', for _killed_windows below)
_N = rf"\d+\s+(?:thousand|million)\b|\d{{1,3}}(?:,\d{{3}})+|\d+|(?i:{_WORDS})"
# Up to four words between a figure and its verb; the first may be a nationality ('12 Palestinians were
# killed', '6 Palestinians from a single family killed'), not a month ('on 5 May civilians were killed': 5
# is a day).
_VICTIM_WORDS = 4
_VICTIMS = rf"(?!{MONTH_RE}\b)(?:[A-Za-z][a-z-]*,?\s+){{0,{_VICTIM_WORDS}}}?"
KILL_VERB = r"(?:killed|murdered|massacred|executed|shot dead|lost their lives|died|dead|slaughtered)"
_INJURE_WORDS = ("injured", "wounded", "maimed")
INJURE_VERB = rf"(?:{'|'.join(_INJURE_WORDS)})"
# '12 civilians, including 1 child and 1 teenager, were killed'; '613 people, including 63 children, ... murdered'
_INC1_MAX, _INC2_MAX = 80, 90   # the only bounded stretches of KILLED that may hold any character
KILLED = re.compile(rf"(?<![\d,./-])(?P<n>{_N})\s+{_VICTIMS}(?:\((?P<inc1>[^)]{{0,{_INC1_MAX}}})\)\s*)?"
                    rf"(?:,?\s*including\s+(?P<inc2>[^.;:]{{0,{_INC2_MAX}}}?),?\s*)?(?:were\s+|was\s+|have\s+been\s+|had\s+been\s+)?"
                    rf"(?:\w+ly\s+)?{KILL_VERB}\b")
# 'at least', 'more than', 'approximately': the figure as printed, its hedge in the quote.
_ABOUT = r"(?:at least|over|more than|approximately|about|around|nearly|almost|some|up to)\s+"
# The verb before the figure: 'killing 613 civilians', 'murdered 250 Palestinian men'. (The deed's noun only with
# a day in its sentence, KILLING_OF: 'the murder of 100 thousand Poles' is most often a past crime a text recalls,
# dated by what it reports now.)
KILLING = re.compile(rf"\b(?:killing|killed|murdering|murdered|massacred|executed|claiming the lives of)\s+"
                     rf"(?:{_ABOUT})?(?P<n>{_N})\b"
                     rf"(?P<victims>\s+[A-Z]?[a-z-]+)?(?:\s*\(including\s+(?P<inc1>[^)]{{0,60}})\)|,?\s+including\s+(?P<inc2>[^.;:]{{0,90}}))?")
# The deed as a noun, where its own sentence gives the day: 'the alleged killing of more than 130 civilians during
# an operation ... on 10 March in Salanso' (without a day, it is most often a past crime the text recalls).
KILLING_OF = re.compile(rf"\bthe\s+(?:alleged\s+|reported\s+)?(?:killing|murder|massacre)\s+of\s+(?:{_ABOUT})?(?P<n>{_N})\b")
# The dead as a noun after the figure, or the deed as one before it, as what an attack resulted in: 'causing
# at least 40 fatalities', 'resulted in 12 deaths', 'resulted in the killing of 25 Palestinians'.
FATALITIES = re.compile(rf"\b(?:causing|caused|leaving|left|resulting\s+in|resulted\s+in|led\s+to|leading\s+to)\s+"
                        rf"(?:{_ABOUT})?(?P<of>the\s+(?:reported\s+|alleged\s+)?(?:killing|deaths?|martyrdom)\s+of\s+"
                        rf"(?:{_ABOUT})?)?(?P<n>{_N})"
                        rf"(?(of)\b|\s+(?:fatalities|deaths|dead)\b)")
# The wounded as a noun: 'resulting in two fatalities and five injuries', 'and the injury of at least three'.
INJURIES = re.compile(rf"\b(?P<n>{_N})\s+injuries\b")
INJURY_OF = re.compile(rf"\bthe\s+injury\s+of\s+(?:{_ABOUT})?(?P<n>{_N})\b")
INJURED = re.compile(rf"(?<![\d,./-])(?P<n>{_N})\s+{_VICTIMS}(?:\([^)]{{0,80}}\)\s*)?(?:were\s+|was\s+|have\s+been\s+)?{INJURE_VERB}\b")
# One victim, by the article or 'one': 'a drone strike ... killed a woman born in 1990', 'killing a child',
# 'killed a 16-year-old Palestinian boy', 'killing one Palestinian' (a people's name as the victim).
_ONE_VICTIM = (r"(?P<n>an?|one)\s+(?:(?:[\w-]+\s+){0,4}?(?:woman|man|child|boy|girl|civilian|person|journalist|teacher|"
               r"doctor|nurse|farmer|shepherd|fisherman|teenager|resident|worker|student|peacekeeper|soldier|policeman|"
               r"police officer|staff member)\b|[A-Z][a-z]+(?:ian|ean|an|ese|i|ish)(?![\w-]))")
KILLED_ONE = re.compile(rf"\b(?:killed|killing|murdered|shot dead)\s+{_ONE_VICTIM}")
# ... and before the verb: 'a non-Libyan man was shot and killed in Sabratah'
_WAS_KILLED = r"\s+was\s+(?:shot\s+and\s+)?(?:killed|murdered|shot\s+dead)\b"
ONE_WAS_KILLED = re.compile(rf"\b{_ONE_VICTIM}{_WAS_KILLED}")
ONE_WAS_KILLED_NEEDS = re.compile(_WAS_KILLED)   # (what every ONE_WAS_KILLED match holds)
# ... and one wounded: 'a UNIFIL peacekeeper was severely injured in a landmine explosion'
ONE_WAS_INJURED = re.compile(rf"\b{_ONE_VICTIM}\s+was\s+(?:\w+ly\s+)?(?:injured|wounded)\b")
# The dead of a figure that reads on: 'resulted in the death of one woman and three children' (four).
AND_MORE = re.compile(rf"\s+[a-z-]+(?:\s+[a-z-]+)?\s+and\s+(?P<n>{_N})\s+(?:children|women|men|boys|girls|others|"
                      rf"people|persons|civilians)\b")
# The next victims of the same verb, each with a place and a day of their own: 'killed a 14-year-old boy in the
# town of Turmus‘ayya ... on 6 April, a 17-year-old boy on 14 April during an operation in Jalazone refugee
# camp, ..., and a 12-year-old boy in Yamun, west of Jenin, on 23 April'.
ONE_MORE = re.compile(rf"(?<=,\s)(?:and\s+)?{_ONE_VICTIM}")
_INJURING_WORDS = ("injuring", "wounding")
INJURING = re.compile(rf"\b(?:{'|'.join(_INJURING_WORDS)})\s+(?:{_ABOUT})?(?P<n>{_N})\b")
# An attack that only wounded: 'an attack on the village of Panteleymonovka ... wounded eight people'
# (the verb before its figure; a figure before its verb is INJURED). Found in the sentences that hold
# an injury word only (INJURY_WORD), as KILLED is found before its verbs.
INJURED_N = re.compile(rf"\b(?:injured|wounded|injuring|wounding)\s+(?:{_ABOUT})?(?P<n>{_N})\s+"
                       rf"(?:[a-z-]+\s+)?(?:people|persons|civilians|residents|children|women|men|others|soldiers|"
                       rf"servicemen|workers|[A-Z][a-z]+s)\b")
INJURY_WORD = re.compile(r"\b(?:injur|wound)")
_INJURY_STEMS = ("injur", "wound")   # what every INJURED_N match holds (_matches)
_KILLING_WORD = re.compile(rf"\b(?:{KILL_VERB}|killing|deaths?|fatalities)(?![a-z])")
_HOSTAGE_WORDS = ("taken hostage", "held hostage", "abducted")
HOSTAGES = re.compile(rf"(?<![\d,./-])(?P<n>{_N})\s+{_VICTIMS}(?:were\s+)?(?:captured and )?(?:{'|'.join(_HOSTAGE_WORDS)})")
MISSING = re.compile(rf"(?<![\d,./-])(?P<n>{_N})\s+{_VICTIMS}(?:remain(?:s|ed)?\s+|went\s+|are\s+|were\s+)?missing")
CHILDREN = re.compile(rf"(?P<n>{_N})\s+(?:children|child|minors)\b")
CHILDREN_AFTER = re.compile(rf",?\s*including\s+(?:{_ABOUT})?(?P<n>{_N})\s+(?:children|child|minors)\b")
TYPES = [("massacre", r"massacre|genocide|mass killing|carnage"), ("missile attack", r"missile|rocket"),
         ("shelling", r"shell(?:ing|ed)|artillery"), ("airstrike", r"air ?strike|aerial bombardment|bombing|bombard"),
         ("drone attack", r"drone|UAV"), ("mine explosion", r"landmine|mine explosion|explosive device"),
         ("attack", r"attack")]
WEAPONS = re.compile(r"\b(ballistic missiles?|missiles?|rockets?|cluster munitions?|artillery|machine guns?|drones?|"
                     r"landmines?|mines|mortars?|tanks?|grenades?|white phosphorus|air ?strikes?)\b", re.I)
AGENT_AFTER = re.compile(r"[’'s]*\s*(?:armed\s+forces|(?:security|defen[cs]e|occupying|occupation)\s+forces|forces|troops|"
                         r"servicemen|soldiers|military|army|air\s+force|navy|aggression|occupation|occupying|"
                         r"armed\s+groups|invaders|invading|(?:ballistic\s+)?missiles?|rockets?|drones?|air\s*strikes?|"
                         r"strikes?|shelling|bombardment|artillery)\b", re.I)
# 'the armed forces of Armenia', 'by Israel': 'of X' alone names a place or a victim, never an agent.
AGENT_BEFORE = re.compile(r"(?:armed\s+forces|forces|troops|servicemen|army|military)\s+of\s+(?:the\s+)?(?:Republic\s+of\s+)?$|"
                          # 'by Israel' after a deed: 'attacks carried out by', 'killed ... by' (not 'dissolved by Chad')
                          r"\b(?:kill(?:ed|ing|ings)?|attack(?:ed|s)?|shell(?:ed|ing)|struck|strikes?|bomb(?:ed|ing|ardment)|"
                          r"fired|launched|committed|perpetrated|carried\s+out|targeted|destroyed|shot|executed|massacred?|"
                          r"murder(?:ed|s)?|abduct(?:ed|ion)|invaded|invasion|aggression|occupation|seized|captured|violations?)"
                          r"\b(?:\s+[\w’'-]+){0,4}\s+by\s+(?:the\s+)?$", re.I)
TARGET_BEFORE = re.compile(r"\b(?:attack(?:ed|s|ing)?|target(?:ed|s|ing)?|struck|hit|shell(?:ed|ing)|ambush(?:ed)?|"
                           r"against|on)\s+(?:a|an|the|two|three|several)?\s*$", re.I)
TARGET_AFTER = re.compile(r"[’'s]*\s*(?:armed\s+forces\s+|military\s+|army\s+|security\s+forces\s+)?(?:base|camp|post|"
                          r"position|checkpoint|convoy|vehicle|barracks|facility|installation|outpost)s?\b", re.I)
# 'mediated by Egypt', 'hosted by Qatar': by whom something else was done, not who killed.
NOT_AGENT_BY = re.compile(r"\b(?:mediated|brokered|facilitated|hosted|organi[sz]ed|sponsored|chaired|convened|"
                          r"welcomed|supported|funded|provided|reported|documented|verified|confirmed)\s+by\s+(?:the\s+)?$")
# (A toll over a period, 'the toll now stands at 409 aid workers killed since ...', stays a reported figure:
# two documents' tolls of the same killings stand side by side in the same-event query.)
AGGREGATE = re.compile(r"\b(?:in total|a total of|in all|altogether|overall|since the beginning|to date)\b", re.I)
PARTIAL_DATE = re.compile(rf"\b({MONTH_RE})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b|\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH_RE})\b")
DAY_RANGE_NO_YEAR = re.compile(rf"\b(\d{{1,2}})\s*(?:to|and|-|–)\s*(\d{{1,2}})\s+(?:{MONTH_RE})\b")
DAY_RANGE = re.compile(rf"\b(\d{{1,2}})\s*(?:to|and|-|–)\s*(\d{{1,2}})\s+({MONTH_RE})\s+(\d{{4}})")
MONTH_YEAR = re.compile(rf"\b({MONTH_RE})(?:\s+of)?\s+(\d{{4}})\b")   # 'July 1941', 'July of 1941'
# 'in 1941', not 'in 1992-1994' nor a victim 'born in 1990'
IN_YEAR = re.compile(r"(?<!born )\b(?:[Ii]n|[Dd]uring)\s+((?:1[89]|20)\d\d)\b(?!\s*[-–/]\s*\d)")


# KILLED opens with a number alternation (case-insensitive words among them), so a whole-text search
# makes a match attempt at every character. Every match ends with a kill verb, which is rare: the
# verbs are found first and KILLED runs only in a window before each (killed_matches).
#
# How far before its verb can a match start? The pattern has no fixed bound (\d+, \s+, [a-z-]+ and
# \w+ are unbounded), so the bound is measured on the text, from the pattern's structure. Between the
# match start s and the verb start q the pattern reads
#     A [P B] [I1 X I2] D
# with A = N \s+ V (the number, then at most 3 words), P = '(' inc1 ')', B = \s*,
# I1 = ',?\s*including\s+', X = inc2, I2 = ',?\s*', D = were/was/have been/had been, then \w+ly\s+.
# Every character of A, B, I1, I2 and D is in [\w\s,-] (number words under (?i) match only
# characters of \w), and counted in runs of [\w,-] ("T-runs"; whitespace separates them) A has at
# most _A_RUNS (N: 2 for 'a hundred' or '25 thousand', V: _VICTIM_WORDS), B 0, I1 2, I2 1, D 3. P
# takes at most _INC1_MAX + 2 characters and X at most _INC2_MAX, of any kind. _back(at, k) is the earliest offset
# from which the text up to `at` is whitespace and at most k T-runs only; it is monotone in `at`, so
# for each shape of match:
#     no P, no I:  s >= _back(q, _A_RUNS + 3)
#     P, no I:     P ends >= _back(q, 0 + 3);   s >= _back(P end - (_INC1_MAX + 2), _A_RUNS)
#     I, no P:     X ends >= _back(q, 1 + 3);   s >= _back(X end - _INC2_MAX, _A_RUNS + 2)
#     P and I:     X ends >= _back(q, 1 + 3);   P ends >= _back(X end - _INC2_MAX, 0 + 2);
#                  s >= _back(P end - (_INC1_MAX + 2), _A_RUNS)
# The window of a verb runs from the least of these to the verb's end. Within a window KILLED
# finds what it finds over the whole text: a match starting in it can only end at a verb whose
# window it is in (windows that overlap are merged first), the window ends where a verb ends at a
# word boundary of the text (so the final \b reads the same), and the lookbehind reads the text
# before the window. Change KILLED and this derivation must be redone (tests/test_extract.py
# checks windowed against whole-text search).
_KILL_VERB_END = re.compile(rf"{KILL_VERB}\b")
_A_RUNS = 2 + _VICTIM_WORDS
_BACK = {k: re.compile(rf"\s*(?:[\w,-]+\s*){{0,{k}}}") for k in (2, 3, 4, _A_RUNS, _A_RUNS + 2, _A_RUNS + 3)}


def _killed_windows(text: str) -> list[tuple[int, int]]:
    """(start, end) ranges, disjoint and in order, that hold every match of KILLED in `text`."""
    verbs = [(m.start(), m.end()) for m in _KILL_VERB_END.finditer(text)]
    if not verbs:
        return []
    n = len(text)
    rev = text[::-1]

    def back(at: int, k: int) -> int:   # matched on the reversed text, going back from `at`
        at = max(0, at)
        m = _BACK[k].match(rev, n - at)
        return at - (m.end() - m.start())

    windows = []
    for q, e in verbs:
        x_end = back(q, 4)
        start = min(back(q, _A_RUNS + 3),
                    back(back(q, 3) - (_INC1_MAX + 2), _A_RUNS),
                    back(x_end - _INC2_MAX, _A_RUNS + 2),
                    back(back(x_end - _INC2_MAX, 2) - (_INC1_MAX + 2), _A_RUNS))
        windows.append((start, e))
    windows.sort()
    merged = [list(windows[0])]
    for a, b in windows[1:]:
        if a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def killed_matches(text: str):
    """The matches of KILLED.finditer(text), found in the windows before the kill verbs only."""
    for a, b in _killed_windows(text):
        yield from KILLED.finditer(text, a, b)


def _matches(rx: re.Pattern, words: tuple[str, ...], text: str, start: int, end: int) -> list[re.Match]:
    """list(rx.finditer(text, start, end)) for a pattern every match of which holds one of `words`:
    where none of them is in text[start:end], rx is not run (it would try every position)."""
    chunk = text[start:end]
    if not any(w in chunk for w in words):
        return []
    return list(rx.finditer(text, start, end))


def _is_year(n: str) -> bool:
    return re.fullmatch(r"(1[89]|20)\d\d", n) is not None


def _int(s: str | None) -> int | None:
    if not s:
        return None
    s = s.strip().lower()
    if s in ("a", "an"):
        return 1   # KILLED_ONE's article
    if s in NUMBER_WORDS:
        return NUMBER_WORDS[s]
    number, _, scale = " ".join(s.split()).partition(" ")   # '25\nthousand'
    return int(number.replace(",", "")) * {"": 1, "thousand": 1000, "million": 1_000_000}[scale]


# The date of a text, not of an event: 'the Doha Declaration of Principles of 19 July 2025', 'its letter dated
# 3 May 2025'.
DATE_OF_A_TEXT = re.compile(r"\b(?:agreement|accords?|declaration|principles|resolution|letter|note|decision|statement|"
                            r"communiqu[ée]|report|law|decree|memorandum|protocol|treaty|convention|charter|"
                            r"ordinance)\s+(?:of|dated)\s+$", re.I)


def _in_year_of(day: str, month: str, doc_date: str) -> str | None:
    """A day printed without its year, in the year of the document's date, or the year before where the day
    would fall after the document was written."""
    iso = iso_date(day, month, doc_date[:4])
    if iso and iso > doc_date:
        iso = iso_date(day, month, int(doc_date[:4]) - 1)
    return iso


def _dates(text: str, a: int, b: int, doc_date: str | None = None, year_alone: bool = False) -> list[str]:
    """Every day the window names: full dates, day ranges, and 'October 27, 28' borrowing a later year;
    'on 30 November' with no year at all takes the year of the document's own date, or the year
    before when that day would fall after the document was written. Without a day, the months it
    names ('in July of 1941'); without a month, and only if `year_alone`, the year ('in 1941')."""
    chunk = text[a:b]
    days: list[str] = []
    for m in DAY_RANGE.finditer(chunk):
        for d in (m.group(1), m.group(2)):
            iso = iso_date(d, m.group(3), m.group(4))
            if iso:
                days.append(iso)
    full_matches = [*((m, iso_date(m.group(1), m.group(2), m.group(3))) for m in DAY_MONTH_YEAR.finditer(chunk)),
                    *((m, iso_date(m.group(2), m.group(1), m.group(3))) for m in MONTH_DAY_YEAR.finditer(chunk))]
    of_texts = [(m.start(), m.end()) for m, _ in full_matches if DATE_OF_A_TEXT.search(chunk, max(0, m.start() - 40), m.start())]
    full = [(m.start(), d) for m, d in full_matches if d and (m.start(), m.end()) not in of_texts]
    days += [d for _, d in full]
    if full:
        for m in PARTIAL_DATE.finditer(chunk):
            month, day = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            later = [d for p, d in full if p >= m.start()]
            if later:
                iso = iso_date(day, month, later[0][:4])
                if iso:
                    days.append(iso)
            # 'October 27, 28 and November 7, 2020': a bare day after a month-day pair
            tail = re.match(r"(?:,\s*(\d{1,2})(?!\d))+", chunk[m.end():])
            if tail and later and m.group(1):
                for d in re.findall(r"\d{1,2}", tail.group(0)):
                    iso = iso_date(d, month, later[0][:4])
                    if iso:
                        days.append(iso)
    if not days and doc_date:
        # 'on 12 and 13 February': the first day of a range too
        first_day = {m.start(2): m.group(1) for m in DAY_RANGE_NO_YEAR.finditer(chunk)}   # by the last day's offset
        for m in PARTIAL_DATE.finditer(chunk):
            if re.match(r"\s*,?\s*\d{4}", chunk[m.end():]):
                continue
            month, day = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            first = first_day.get(m.start(3)) if m.group(3) else None
            days += [iso for d in ((first, day) if first else (day,)) if (iso := _in_year_of(d, month, doc_date))]
    if not days:
        months = [f"{m.group(2)}-{MONTHS[m.group(1).lower()]:02d}" for m in MONTH_YEAR.finditer(chunk)
                  if not any(a <= m.start() < b for a, b in of_texts)]
        if not months and year_alone:
            return sorted({m.group(1) for m in IN_YEAR.finditer(chunk)})
        return sorted(set(months))
    return sorted(set(days))


def _window(text: str, at: int, sentences: int = 3) -> list[tuple[int, int]]:
    """The sentence holding `at`, then up to `sentences` sentences before it, nearest first."""
    out = [sentence_bounds(text, at)]
    while len(out) <= sentences and out[-1][0] > 0:
        s, _ = sentence_bounds(text, max(0, out[-1][0] - 2))
        if s >= out[-1][0]:
            break
        out.append((s, out[-1][0]))
    return out


def _perpetrator(text: str, states: list[Mention], a: int, b: int, figure: re.Match) -> str | None:
    """The state the window holds responsible: the nearest named as an agent ('Armenian forces', 'by
    Israel'), not one named as the target or the victims ('19 Cameroonian soldiers were killed')."""
    best = None
    for m in states:
        if not (a <= m.span.start < b) or figure.start() <= m.span.start < figure.end():
            continue
        after = text[m.span.end:m.span.end + 30]
        before = text[max(0, m.span.start - 45):m.span.start]
        if TARGET_BEFORE.search(before) or TARGET_AFTER.match(after) or NOT_AGENT_BY.search(before):
            continue   # 'attacked a Chadian military base': the state's forces are the target
        if AGENT_AFTER.match(after) or AGENT_BEFORE.search(before):
            dist = abs(figure.start() - m.span.start)
            if best is None or dist < best[0]:
                best = (dist, m.key)
    return best[1] if best else None


# A quoted title followed by its date or address is a cited source ('"Pashinyan says about 4,000 Armenian
# troops killed in Nagorno-Karabakh", 14 April 2021, <https://...>'): its figures are that source's claim,
# not an incident this document reports.
CITED_TITLE = re.compile(rf"[“\"][^”\"\n]{{10,300}}[”\"],?\s*(?=(?:\d{{1,2}}\s+{MONTH_RE}\s+\d{{4}}|{MONTH_RE}\s+\d|<?https?://))")


# An aside between dashes is read as one between brackets: '5 Palestinians – a journalist, his wife and
# three children – killed' as '5 Palestinians ( a journalist, his wife and three children ) killed'. Each
# dash becomes one bracket, so every offset stays where it was (ranges such as '1–3 April' have no spaces).
DASH_ASIDE = re.compile(r"(?<=\s)[–—](?=\s)([^–—.;\n]{1,80}?\s)[–—](?=\s)")


# What stands between a place and the wider one it lies in: a comma, after the place's unit in lower case
# ('Rutshuru territory, North Kivu Province').
_IN_UNIT = re.compile(r"(?:\s+(?:territory|district|province|region|county|governorate|municipality|department|"
                      r"division|prefecture|commune|sector|locality))?,\s*")
# A place that names a text or a process ('the Washington peace agreement', 'the Astana format') is not where
# anything happened.
NAMES_A_TEXT = re.compile(r"\s+(?:peace\s+)?(?:agreement|accords?|declaration|process|talks|format|principles|"
                          r"communiqu[ée])\b", re.I)


# A place named as where something happened ('clashes erupted in Sabrata'), not whence ('groups from Sabrata').
_AS_WHERE = re.compile(r"\b(?:in|at)\s+(?:the\s+)?$")


def _locations(text: str, places: list[Mention]) -> int:
    """How many locations the places name: a place with the units it lies in is one ('Pinyin, Mezam
    Division, North-West Region': each follows the one before with only a comma between and is wider;
    'Aghdam, Barda, Fuzuli' are three; a place named as what another is near is none)."""
    keys: set[str] = set()
    count = 0
    previous = None
    for p in sorted(places, key=lambda p: p.span.start):
        if is_reference_point(text, p):   # 'in Wulgo, Nigeria, near Soueram': Wulgo
            continue
        within = (previous is not None and _IN_UNIT.fullmatch(text, previous.span.end, p.span.start)
                  and place_rank(text, p) > place_rank(text, previous))
        if not within and p.key not in keys:
            count += 1
        keys.add(p.key)
        previous = p
    return count


def _listed_victims(text: str, figures: list[re.Match], doc_date: str | None) -> tuple[list[re.Match], dict]:
    """The victims listed after a KILLED_ONE figure in its sentence, each with a day of its own (ONE_MORE),
    as figures of their own, and the clause of every victim of such a list: {figure start: (start, end)}."""
    more_figures, clause_of = [], {}
    for m in figures:
        if m.re is not KILLED_ONE:
            continue
        s0, e0 = sentence_bounds(text, m.start())
        more = list(ONE_MORE.finditer(text, m.end(), e0))
        ends = [x.start() for x in more] + [e0]
        if not more or not all(_dates(text, x.start(), end, doc_date) for x, end in zip(more, ends[1:])):
            continue   # 'killed a man, a woman and a child': one incident, its figure as the text gives it
        clause_of[m.start()] = (s0, ends[0])
        for x, end in zip(more, ends[1:]):
            clause_of[x.start()] = (x.start(), end)
        more_figures += more
    return more_figures, clause_of


def extract_incidents(text: str, states: list[Mention], places: list[Mention], authors,
                      doc_date: str | None = None) -> list[Incident]:
    printed = text
    # (nor is the base of a group: 'fighters affiliated with the Zawiyah-based armed groups')
    places = [p for p in places if not NAMES_A_TEXT.match(text, p.span.end) and not text.startswith("-based", p.span.end)]
    text = DASH_ASIDE.sub(lambda m: f"({m.group(1)})", text)   # read; quotes are taken from `printed`
    cited = [(c.start(), c.end()) for c in CITED_TITLE.finditer(text)]
    figures = []
    for found in (killed_matches(text), prefilter.finditer(KILLING, text), prefilter.finditer(KILLED_ONE, text),
                  prefilter.finditer(FATALITIES, text), prefilter.finditer(ONE_WAS_KILLED, text, ONE_WAS_KILLED_NEEDS),
                  prefilter.finditer(KILLING_OF, text)):
        for m in found:
            if _is_year(m.group("n")):
                continue   # a year, not a figure
            if m.re is KILLING_OF and not PARTIAL_DATE.search(text, *sentence_bounds(text, m.start())):
                continue
            if m.group("n").lower() in ("zero", "one") and m.re not in (KILLED_ONE, ONE_WAS_KILLED) \
                    and not (m.re is FATALITIES and m.group("of")):
                continue   # 'one of the', 'no one was': not a count of victims
            if any(a <= m.start() < b for a, b in cited):
                continue
            figures.append(m)
    killing_sentences = {sentence_bounds(text, m.start()) for m in figures}
    # A sentence that reports wounded and no dead: its injury figure stands for the incident. Not one that
    # speaks of dead too (its kill figure was not read: '45,500 Palestinians were killed⁸ and a further
    # 108,000 injured'), nor one that goes on from a killing at the same place ('... in Khojaly, killing 613
    # civilians. Another 1,000 residents of Khojaly were wounded'): the wounded belong to that incident.
    def places_in(a: int, b: int) -> set[str]:
        return {p.key for p in places if a <= p.span.start < b}

    killing_places = {e: places_in(s, e) for s, e in killing_sentences}
    wounded_only, read = [], set()
    for w in prefilter.finditer(INJURY_WORD, text):
        s0, e0 = sentence_bounds(text, w.start())
        if (s0, e0) in read or (s0, e0) in killing_sentences or any(a <= w.start() < b for a, b in cited) \
                or _KILLING_WORD.search(text, s0, e0):
            continue
        read.add((s0, e0))
        here = places_in(s0, e0)
        if any(s0 - 3 <= e <= s0 and here <= where for e, where in killing_places.items()):
            continue
        hit = next(iter([*_matches(INJURED_N, _INJURY_STEMS, text, s0, e0),
                         *_matches(INJURED, _INJURE_WORDS, text, s0, e0),
                         *_matches(ONE_WAS_INJURED, _INJURE_WORDS, text, s0, e0)]), None)
        if hit is not None and not _is_year(hit.group("n")):
            wounded_only.append(hit)
    figures += wounded_only
    wounding = {id(m) for m in wounded_only}
    listed, clause_of = _listed_victims(text, figures, doc_date)
    figures += listed
    figures.sort(key=lambda m: m.start())
    out: list[Incident] = []
    seen_clauses = set()
    for m in figures:
        # One incident per clause: a sentence may list several, one to a clause ('2 April: 15 Palestinians
        # killed ... in Khan Yunus; 22 Palestinians ... killed in ... the Jabaliya refugee camp').
        sentence = sentence_bounds(text, m.start())
        semi_before, semi_after = text.rfind(";", sentence[0], m.start()), text.find(";", m.start(), sentence[1])
        s0 = semi_before + 1 if semi_before >= 0 else sentence[0]
        e0 = semi_after if semi_after >= 0 else sentence[1]
        s0, e0 = clause_of.get(m.start(), (s0, e0))
        if (s0, e0) in seen_clauses:
            continue
        seen_clauses.add((s0, e0))
        window = _window(text, m.start())   # the sentence, then the ones before it
        if (s0, e0) != sentence:
            window.insert(0, (s0, e0))   # the clause first, then its whole sentence
        own = {(s0, e0), sentence}
        place = date = perp = None   # place: the chosen place mention
        if _locations(text, [p for p in places if s0 <= p.span.start < e0]) > 2 or AGGREGATE.search(text, s0, e0):
            continue   # an aggregate over many places or a total, not one incident
        aggregate = False
        for a, b in window:
            if place is None:
                near = [p for p in places if a <= p.span.start < b]
                if _locations(text, near) > 2 and (a, b) not in own:
                    aggregate = True   # the place comes from a sentence listing many places
                    break
                if near:
                    # The most local place named (the village, not its district), then one named as where
                    # ('clashes erupted in Sabrata between rival armed groups from Sabrata and Zawiyah'),
                    # then the nearest.
                    place = min(near, key=lambda p: (place_rank(text, p),
                                                     not _AS_WHERE.search(text, max(0, p.span.start - 8), p.span.start),
                                                     abs(p.span.start - m.start())))
            if date is None:
                # A year alone dates the figure only in the figure's own sentence.
                days = _dates(text, a, b, doc_date, year_alone=(a, b) in own)
                if days:
                    date = days[0] if len(days) == 1 else f"{days[0]}/{days[-1]}"
            if perp is None:
                perp = _perpetrator(text, states, a, b, m)
        if aggregate or not (place and date):
            continue
        inc = (m.groupdict().get("inc1") or "") + " " + (m.groupdict().get("inc2") or "")
        ch = CHILDREN.search(inc)
        if ch is None and re.search(r"\b(?:children|child|minors)\b", text[m.end("n"):m.end("n") + 20]):
            ch = CHILDREN.search(text, m.start("n"))   # '57 children, have been killed': all of them children
        if ch is None:   # '33 Palestinians killed, including 18 children, in the bombing of'
            ch = CHILDREN_AFTER.match(text, m.end(), min(e0, m.end() + 60))
        more = AND_MORE.match(text, m.end(), e0) if m.re is FATALITIES and m.group("of") else None
        if ch is None and more is not None and re.search(r"(?:children|boys|girls)$", more.group(0)):
            ch = more   # 'the death of one woman and three children': three of the four were children
        clause_end = e0
        hurt = [x for x in [*_matches(INJURED, _INJURE_WORDS, text, m.start(), e0),
                            *_matches(INJURING, _INJURING_WORDS, text, m.start(), e0),
                            *_matches(INJURED_N, _INJURY_STEMS, text, m.start(), e0),
                            *_matches(INJURIES, ("injuries",), text, m.start(), e0),
                            *_matches(INJURY_OF, ("injury",), text, m.start(), e0)]
                if not _is_year(x.group("n"))]   # 'born in 1990 and injured': a year
        hurt.sort(key=lambda x: x.start("n"))
        if id(m) in wounding:   # the figure is of the wounded
            killed, injured = None, _int(m.group("n"))
        else:
            killed, injured = _int(m.group("n")), _int(hurt[0].group("n")) if hurt else None
            if more is not None:
                killed += _int(more.group("n"))
        taken = _matches(HOSTAGES, _HOSTAGE_WORDS, text, s0, e0)
        hostages = _int(taken[0].group("n")) if taken else None
        lost = _matches(MISSING, ("missing",), text, s0, e0)
        missing = _int(lost[0].group("n")) if lost else None
        context = text[window[-1][0]:e0].lower()
        itype = next((name for name, rx in TYPES if re.search(rx, context)), "incident")
        weapons = tuple(dict.fromkeys(w.group(0).lower() for w in WEAPONS.finditer(text, window[-1][0], e0)))
        # The quote: from the figure to the end of the last figure clause in the sentence.
        last = max([m.end()] + [x.end() for x in [*hurt, *_matches(HOSTAGES, _HOSTAGE_WORDS, text, m.start(), clause_end)]]
                   + ([ch.end()] if ch is not None and ch.re is CHILDREN_AFTER else [])
                   + ([more.end()] if more is not None else []))
        close = text.find(")", last, last + 40) if "(" in text[last:last + 40] else -1
        quote_end = close + 1 if close > 0 else last
        out.append(Incident(itype, place.label, date, killed, injured, _int(ch.group("n")) if ch and killed else None,
                            hostages, missing, perp, weapons, span(printed, m.start(), quote_end), place_key=place.key))
    return out
