"""References to other things: UN document symbols, resolutions, communications, cases, rules, URLs.

Citations in footnotes are attached to the footnote's number; "Ibid." takes the targets of the
previous footnote and fails closed (no antecedent citation, no link), as eyecite does with "Id.".
"""
from __future__ import annotations

import re

from kg.extract import prefilter
from kg.extract.text import Footnote, sentence_bounds, span
from kg.models import Citation

# Series roots of UN document symbols. A symbol is a root followed by /-separated parts. Press releases
# carry symbols too (SC/15942, GA/12650, GA/SHC/4400, SG/SM/22345), numbered from their root, and so do
# the Conference on Disarmament's documents (CD/1117, CD/PV.1700).
ROOTS = (r"A|S|E|ST|CAT|CCPR|CERD|CRC|CEDAW|CMW|CRPD|CED|HRI|TD|DP|UNEP|ICCD|FCCC|GEGN\.\d|"
         r"CTOC|CCW|APLC|BWC|NPT|UNW|DP|SPLOS|ISBA|IDB|PBC|UNCITRAL|AC\.\d+|JIU|ECE|ESCAP|ECA|ECLAC|ESCWA|"
         r"SC(?=/\d{4,5}\b)|GA(?=/(?:[A-Z]{2,4}/)?\d{4,5}\b)|SG(?=/SM/\d)|CD(?=/(?:\d|PV\.\d))|"
         # ECLAC's own series: 'LC/TS.2021/188', 'LC/G.2700'
         r"LC(?=/[A-Z]{1,4}[./]?\d)")
_PART = r"[A-Z0-9][A-Za-z0-9]*(?:[.\-][A-Za-z0-9]+)*"
# A volume or part is part of the symbol: 'A/78/5 (Vol. II)', 'A/79/309 (Part I)/Add.1'.
SYMBOL = re.compile(rf"(?<![A-Za-z0-9/])(?:{ROOTS})(?:/{_PART})+(?:\s?\((?:Vol\.|Part)\s?[IVX]+\)(?:/{_PART})*)?\*?")
# A joint symbol: parts glued by a hyphen (a line break may follow it in a PDF).
JOINT = re.compile(rf"{SYMBOL.pattern}(?:-\s?(?:{ROOTS})(?:/{_PART})+\*?)*")
_JOINT_SPLIT = re.compile(r"-\s?(?=(?:" + ROOTS + r")/)")

# A resolution cited by its own symbol: 'S/RES/822', 'A/RES/78/234', 'A/RES/ES-10/24', 'E/RES/2024/17'.
RES_SYMBOL = re.compile(r"^(?:S/RES/(?P<sc>\d+)|A/RES/(?P<ga>\d+/\d+|ES-\d+/\d+)|E/RES/(?P<ecosoc>(?:19|20)\d\d/\d+))$")
_YEAR_AFTER = re.compile(r"\s*\((\d{4})\)")
ORGANS = {
    "security council": ("security-council", "Security Council"),
    "general assembly": ("general-assembly", "General Assembly"),
    "human rights council": ("human-rights-council", "Human Rights Council"),
    "commission on human rights": ("commission-on-human-rights", "Commission on Human Rights"),
    "economic and social council": ("economic-and-social-council", "Economic and Social Council"),
}
_ORGAN_RE = "|".join(o.title().replace(" And ", " and ").replace(" On ", " on ") for o in ORGANS)
# The General Assembly (sessions 1-30) and the Economic and Social Council numbered by the session in
# Roman numerals: '1514 (XV)', '217 A (III)', '1503 (XLVIII)'.
_ROMAN_SESSION = r"\d+(?:\s+[A-Z])?\s*\([IVXL]+\)"
# A part of a General Assembly resolution: '44/119 C' (the letter stands alone before a comma or a word
# that goes on with the reference).
_PART_LETTER = r"(?:\s[A-H](?=[,;.)]|$|\s+(?:of|and|on|adopted)\b|\s*[–-]\s*[A-H]\b))"
# The next parts of a lettered resolution: '79/93 A and B', '57/270 A, B and C', '79/259 A–C'.
_PART_LETTERS = r"(?:(?:\s*,\s*|\s+and\s+)[A-H]\b(?![/\w]))+|\s*[–-]\s*[A-H]\b(?![/\w])"
PART_LETTERS = re.compile(_PART_LETTERS)
# ('3/39-E' of the OIC, '2014/512/CFSP' of the EU: another organisation's numbering, not read.)
_RES_NUM = rf"(?:{_ROMAN_SESSION}|(?:ES-\d+/\d+|S-\d+/\d+|\d+/\d+(?!\d)[A-Z]?(?![-/]\w){_PART_LETTER}?|\d+(?![\d/]))(?:\s*\(\d{{4}}\))?)"
# The organ before the kind, or after the numbers ('resolution 1514 (XV) of the General Assembly'; 'its
# resolution 18/8, the Human Rights Council'); 'Assembly' and 'Council' alone in the house style of a
# General Assembly or Human Rights Council text ('Assembly resolution 76/300', 'Council resolution 56/8');
# 'UNSCR 1325', 'Security Council Resolution (UNSCR) 1325'.
RESOLUTIONS = re.compile(
    rf"(?:(?P<organ>{_ORGAN_RE})(?:'s)?\s+|(?P<short>Assembly|Council)\s+(?=resolution|decision))?"
    rf"(?P<kind>[Rr]esolutions?|[Dd]ecisions?|UNSCRs?)(?:\s*\((?:UNSCR|UNSC|SCR)\))?\s+(?:No\.\s*)?"
    rf"(?P<nums>{_RES_NUM}(?:{_PART_LETTERS})?(?:\s*(?:,|and|,\s*and)\s+{_RES_NUM}(?:{_PART_LETTERS})?)*)"
    rf"(?:\s+of\s+the\s+(?P<organ_after>{_ORGAN_RE})|,\s+the\s+(?P<organ_next>{_ORGAN_RE})\b)?")

# 'the Security Council adopted 4 (822, 853, 874, 884) resolutions'
RESOLUTIONS_BEFORE = re.compile(r"\((?P<nums>\d+(?:\s*,\s*\d+)+(?:\s*,?\s*and\s+\d+)?)\)\s+(?P<kind>resolutions)")
_ONE_NUM = re.compile(rf"(?P<n>ES-\d+/\d+|S-\d+/\d+|\d+/\d+[A-Z]?{_PART_LETTER}?|\d+(?:\s+[A-Z](?=\s*\([IVXL]+\)))?)"
                      r"(?:\s*\((?P<y>\d{4})\)|\s*\((?P<session>[IVXL]+)\))?")
# Organs that numbered their resolutions by a Roman session number, and their last session so numbered
# (the General Assembly to its thirtieth, 1975; the others into the late 1970s).
ROMAN_NUMBERED = {"general-assembly": 30, "economic-and-social-council": 63, "commission-on-human-rights": 35}
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}
# Only the General Assembly numbers past a hundred in a session (the Human Rights Council adopts well under
# a hundred texts a session; ECOSOC numbers by year): 'resolution 79/251' with no organ named is its.
_ASSEMBLY_NUMBER = re.compile(r"(?:[4-9]\d)/(?:[1-9]\d\d)(?:[A-Z]|\s[A-H])?")
COMMUNICATION = re.compile(r"\b(?P<ref>(?:JUA|JAL|JOL|UA|AL|OL)\s+(?:[A-Z]{3}\s+)+\d{1,3}/\d{4})\b")
TREATY_COMMUNICATION = re.compile(r"\bcommunications?\s+No\.\s*(?P<n>\d+/\d{4})")
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"”\]]+")
ICJ = re.compile(r"I\.C\.J\.\s+Reports\s+\d{4}(?:,\s*p(?:p)?\.\s*\d+)?")
# Party names of at most 8 words: unbounded runs made this quadratic on long runs of capitalised words.
ECHR = re.compile(r"\b[A-Z][\w'’.-]+(?:\s[A-Z][\w'’.-]+){0,7}(?:\s+and\s+[Oo]thers)?\s+v\.\s+[A-Z][\w'’.-]+(?:\s[A-Z][\w'’.-]+){0,7}"
                  r"(?:,\s*(?:[Aa]pplication\s+)?[Nn]os?\.\s*\d+/\d{2})")
ECHR_NEEDS = re.compile(r"v\.\s")   # every ECHR match holds one (in '\s+v\.\s+')
IHL_RULE = re.compile(r"\bRule\s+(\d{1,3})\b")
IBID = re.compile(r"^\s*(?:Ibid|Id)\.?(?:,\s*(?P<rest>[^\n]*))?", re.I)

EVIDENCE_CUES = re.compile(r"\b(?:as (?:documented|reported|confirmed|evidenced|shown) (?:in|by)|according to|"
                           r"see, for example|evidence)\b", re.I)
# A reply names what it answers: 'in response to', 'I refer to the letter ...', 'further to your note'.
_ANSWERED = r"(?:the\s+|your\s+|his\s+|her\s+|its\s+|their\s+)?(?:identical\s+)?(?:letters?|note(?:s)?\s+verbales?|note|communications?|allegations?)"
REPLY_CUES = re.compile(rf"\b(?:in\s+(?:response|reply)\s+to|replying\s+to|(?:with\s+reference|further)\s+to\s+{_ANSWERED}|"
                        rf"(?:I|we)\s+(?:would\s+like\s+to\s+)?refer\s+to\s+{_ANSWERED}|referring\s+to\s+{_ANSWERED})", re.I)
DISPUTE_CUES = re.compile(r"\b(?:reject|rejects|rejected|refute|refutes|deny|denies|categorically|"
                          r"baseless|unfounded|groundless|false allegations?)\b", re.I)


def clean_symbol(raw: str) -> str:
    """The symbol without the spaces and breaks a PDF puts in it, a volume or part spaced as the UN
    writes it ('A/78/5 (Vol. II)')."""
    sym = re.sub(r"\s+", "", raw).rstrip(".-,;:")
    return re.sub(r"\((Vol\.|Part)([IVX]+)\)", r" (\1 \2)", sym)


def split_joint(raw: str) -> list[str]:
    return [clean_symbol(p) for p in _JOINT_SPLIT.split(raw) if clean_symbol(p)]


def _has_digit(sym: str) -> bool:
    return any(c.isdigit() for c in sym)


def characterise(text: str, at: int) -> str:
    s, e = sentence_bounds(text, at)
    sentence = text[s:e]
    if DISPUTE_CUES.search(sentence):
        return "disputes"
    if REPLY_CUES.search(sentence):
        return "repliesTo"
    if EVIDENCE_CUES.search(sentence):
        return "citesAsEvidence"
    return "cites"


def _as_authority(characterization: str) -> str:
    """A resolution is invoked, not answered: a reply or rejection cue in its sentence is about a letter."""
    return "cites" if characterization in ("repliesTo", "disputes") else characterization


def resolution_key(organ_slug: str, number: str) -> str:
    return f"{organ_slug}/{number}"


def _footnote_of(offset: int, notes: list[Footnote]) -> Footnote | None:
    for n in notes:
        if n.start <= offset < n.end:
            return n
    return None


def roman_value(numeral: str) -> int:
    """'XLVIII' -> 48 (the numerals of session numbers: I, V, X, L)."""
    values = [_ROMAN[c] for c in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _numbered_by(organ: tuple[str, str], number: str) -> tuple[str, str]:
    """The organ whose numbering `number` follows, when the organ was only guessed from a name nearby
    ('the Human Rights Council, established by resolution 60/251' is the General Assembly's).
    The Economic and Social Council numbers by year (2024/18); the Human Rights Council adopts well
    under a hundred texts a session (53/3, S-37/1); the General Assembly numbers by session, up to
    some three hundred a session (79/262)."""
    session, _, n = number.partition("/")
    by_year = re.fullmatch(r"(?:19|20)\d\d", session) is not None
    if organ[0] == "economic-and-social-council" and not by_year and n:
        return ORGANS["general assembly"]
    if organ[0] in ("human-rights-council", "commission-on-human-rights") and n.isdigit() and int(n) > 100:
        return ORGANS["general assembly"]
    if organ[0] == "general-assembly" and by_year:
        return ORGANS["economic and social council"]
    return organ


# A document's own series names the organ whose resolutions it cites with no organ named: the house style
# of a General Assembly document is 'resolution 79/85' for the Assembly's own, of a Security Council
# document 'resolution 2231' for the Council's, of a Human Rights Council document 'resolution 55/1'.
_HOUSES = ((re.compile(r"A/HRC/"), "human rights council"), (re.compile(r"A/(?:ES-)?\d+/"), "general assembly"),
           (re.compile(r"S/(?!RES/)\d{4}/"), "security council"))


def house_organs(symbols) -> tuple[str, ...]:
    """The organs whose house style the document's own symbols say it follows (ORGANS keys)."""
    return tuple(dict.fromkeys(organ for sym in symbols for rx, organ in _HOUSES if rx.match(sym)))


def _house_organ(houses: tuple[str, ...], number: str, session: str | None) -> tuple[str, str] | None:
    """The organ of a resolution cited with no organ named nor near, by the document's house style and
    the numbering that organ uses; None when neither tells."""
    if session:   # '428 (V)': the Assembly numbered so to its thirtieth session
        organ = "general assembly" if "general assembly" in houses else None
        return ORGANS[organ] if organ and roman_value(session) <= ROMAN_NUMBERED["general-assembly"] else None
    if "/" not in number:
        return ORGANS["security council"] if "security council" in houses else None
    first = number.partition("/")[0]
    if re.fullmatch(r"(?:19|20)\d\d", first):
        return None   # by year: the Economic and Social Council's, never a house style here
    for organ in houses:
        if organ != "security council":
            return _numbered_by(ORGANS[organ], number)
    return None


def extract_citations(text: str, notes: list[Footnote], houses: tuple[str, ...] = ()) -> list[Citation]:
    """`houses`: house_organs() of the document's own symbols."""
    found: list[Citation] = []
    taken: list[tuple[int, int]] = []

    def context_at(offset: int) -> tuple[int | None, int]:
        """(footnote number, offset whose sentence characterises the citation)."""
        note = _footnote_of(offset, notes)
        if note is None:
            return None, offset
        return note.number, note.marker_at if note.marker_at is not None else offset

    for m in prefilter.finditer(JOINT, text):
        parts = split_joint(m.group(0))
        parts = [p for p in parts if _has_digit(p)]
        if not parts:
            continue
        fn, ctx = context_at(m.start())
        res = RES_SYMBOL.match(parts[0])
        if res and len(parts) == 1:
            # The resolution itself, its symbol as printed among its parts (a cited symbol too).
            organ = ORGANS["security council" if res.group("sc") else
                           "general assembly" if res.group("ga") else "economic and social council"]
            number = res.group("sc") or res.group("ga") or res.group("ecosoc")
            year = _YEAR_AFTER.match(text, m.end())
            found.append(Citation("resolution", resolution_key(organ[0], number), f"{organ[1]} resolution {number}",
                                  span(text, m.start(), m.end()), _as_authority(characterise(text, ctx)),
                                  parts=(parts[0],), footnote=fn, year=int(year.group(1)) if year else None))
        else:
            found.append(Citation("document", parts[0], "-".join(parts), span(text, m.start(), m.start() + len(m.group(0).rstrip(".-,;:"))),
                                  characterise(text, ctx), parts=tuple(parts), footnote=fn))
        taken.append((m.start(), m.end()))

    for m in [*prefilter.finditer(RESOLUTIONS, text), *RESOLUTIONS_BEFORE.finditer(text)]:
        if any(a <= m.start() < b for a, b in taken):
            continue
        groups = m.groupdict()
        organ_name = (groups.get("organ") or groups.get("organ_after") or "")
        if m.group("kind").startswith("UNSCR"):
            organ_name = "security council"
        guessed = not organ_name
        close_by = False
        short = groups.get("short")
        if guessed and short:
            # Told apart by the numbering: 'Council resolution 56/8' is the Human Rights Council's
            # (session/number), 'Council resolution 2024/8' the Economic and Social Council's (year/number),
            # 'Council resolution 2334 (2016)' the Security Council's.
            nums = m.group("nums")
            if short == "Assembly":
                organ_name = "general assembly"
            elif re.match(r"(?:19|20)\d\d/", nums):
                organ_name = "economic and social council"   # 'Council resolution 2024/8': by year
            else:
                organ_name = "human rights council" if "/" in nums else "security council"
        elif guessed and groups.get("organ_next") and text[max(0, m.start() - 4):m.start()] == "its ":
            organ_name = groups["organ_next"]   # 'its resolution 18/8, the Human Rights Council ...'
        elif guessed:
            # 'its resolution' / bare 'resolution N': look back a little for the organ.
            back = text[max(0, m.start() - 120):m.start()]
            hits = [(back.lower().rfind(o), o) for o in ORGANS if o in back.lower()]
            organ_name = max(hits)[1] if hits else ""
            # 'established by the General Assembly in resolution 302 (IV)': the organ just before
            close_by = bool(hits) and len(back) - (max(hits)[0] + len(organ_name)) <= 40
        kind = "decision" if m.group("kind").lower().startswith("decision") else "resolution"
        fn, ctx = context_at(m.start())
        for n in _ONE_NUM.finditer(m.group("nums")):
            number, year = n.group("n"), n.group("y")
            organ = ORGANS.get(organ_name.lower())
            if n.group("session"):
                # Which of three organs numbered so cannot be told from the number, nor guessed from an
                # organ named a sentence away ('decision 5(LX), adopted by the International Tropical
                # Timber Council' comes 55 characters after 'the General Assembly'): the organ must be
                # named with it or just before it, and have numbered that session so; with no organ
                # named at all, the document's house style tells.
                if guessed and not organ_name:
                    organ = _house_organ(houses, number, n.group("session"))
                if (guessed and not close_by and organ_name) or organ is None \
                        or roman_value(n.group("session")) > ROMAN_NUMBERED.get(organ[0], 0):
                    continue
                number = " ".join(number.split()) + f" ({n.group('session')})"
            elif organ is not None and guessed:
                organ = _numbered_by(organ, number)
            if organ is None:
                # Numbering tells the organ apart: 'N (YYYY)' is the Security Council's style,
                # 'ES-10/24' an emergency special session of the General Assembly.
                if year and "/" not in number:
                    organ = ORGANS["security council"]
                elif number.startswith("ES-") or _ASSEMBLY_NUMBER.fullmatch(number):
                    organ = ORGANS["general assembly"]
                else:
                    organ = _house_organ(houses, number, None)
                if organ is None:
                    continue   # fail closed: an organ we cannot tell is not guessed
            if organ[0] == "security-council" and "/" in number:
                continue
            if organ[0] != "security-council" and "/" not in number and not n.group("session"):
                continue
            st, en = m.start("nums") + n.start(), m.start("nums") + n.end()
            numbers = [number]
            more = PART_LETTERS.match(text, en) if re.search(r"\s[A-H]$", number) else None
            if more:   # '79/93 A and B', '79/259 A–C': each part is a resolution
                last = re.findall(r"[A-H]", more.group(0))
                letters = (last if not re.match(r"\s*[–-]", more.group(0))
                           else [chr(c) for c in range(ord(number[-1]) + 1, ord(last[0]) + 1)])
                numbers += [number[:-1] + letter for letter in letters]
                en = more.end()
            for number in numbers:
                found.append(Citation(kind, resolution_key(organ[0], number) if kind == "resolution"
                                      else resolution_key(organ[0], "decision-" + number),
                                      f"{organ[1]} {kind} {number}", span(text, st, en),
                                      _as_authority(characterise(text, ctx)), footnote=fn, year=int(year) if year else None))

    for m in prefilter.finditer(COMMUNICATION, text):
        ref = re.sub(r"\s+", " ", m.group("ref"))
        fn, ctx = context_at(m.start())
        found.append(Citation("communication", ref, ref, span(text, m.start(), m.end()),
                              characterise(text, ctx), footnote=fn))
    for m in prefilter.finditer(TREATY_COMMUNICATION, text):
        fn, ctx = context_at(m.start())
        found.append(Citation("communication", f"communication No. {m.group('n')}", m.group(0),
                              span(text, m.start(), m.end()), "cites", footnote=fn))
    for m in URL.finditer(text):
        fn, ctx = context_at(m.start())
        url = m.group(0).rstrip(".,;:)")
        found.append(Citation("url", url, url, span(text, m.start(), m.start() + len(url)), "cites", footnote=fn))
    for rx, target, needs in ((ICJ, "case", None), (ECHR, "case", ECHR_NEEDS)):
        for m in prefilter.finditer(rx, text, needs):
            fn, ctx = context_at(m.start())
            found.append(Citation(target, m.group(0), m.group(0), span(text, m.start(), m.end()), "cites", footnote=fn))
    found.extend(_ihl_rules(text, notes))
    found.extend(_ibid(text, notes, found))
    found.sort(key=lambda c: (c.span.start, c.key))
    return found


def _ihl_rules(text: str, notes: list[Footnote]) -> list[Citation]:
    """ICRC customary IHL rules: 'Rule 82' where the footnote or sentence speaks of customary IHL."""
    out = []
    ordered = sorted(notes, key=lambda n: n.start)
    for m in prefilter.finditer(IHL_RULE, text):
        note = _footnote_of(m.start(), notes)
        s, e = (note.start, note.end) if note else sentence_bounds(text, m.start())
        if note is not None and IBID.match(text[note.start:note.end]):
            # 'Ibid., Rule 83' speaks of the source the previous footnotes named.
            i = ordered.index(note)
            s = ordered[max(0, i - 3)].start
        ctx = text[s:e].lower()
        if "customary" in ctx or "icrc" in ctx or "red cross" in ctx:
            out.append(Citation("rule", f"icrc-customary-ihl/rule-{m.group(1)}", f"ICRC customary IHL Rule {m.group(1)}",
                                span(text, m.start(), m.end()), "cites", footnote=note.number if note else None))
    return out


def _ibid(text: str, notes: list[Footnote], found: list[Citation]) -> list[Citation]:
    """'Ibid.' in footnote n cites what footnote n-1 cited; with no citation there, nothing (fail closed)."""
    by_note: dict[int, list[Citation]] = {}
    for c in found:
        if c.footnote is not None:
            by_note.setdefault(c.footnote, []).append(c)
    out = []
    ordered = sorted(notes, key=lambda n: n.start)
    previous: list[Citation] = []
    for note in ordered:
        own = by_note.get(note.number, [])
        m = IBID.match(text[note.start:note.end])
        if m and not own:
            # A bare 'Ibid.' inherits the previous footnote's targets; 'Ibid., Rule 83' found its own above.
            ibid_end = note.start + len(m.group(0).split(",")[0].rstrip())
            own = [Citation(c.target, c.key, c.label, span(text, note.start, ibid_end), c.characterization,
                            parts=c.parts, footnote=note.number, year=c.year, extractor="citations-ibid")
                   for c in previous if c.target in ("document", "resolution", "case", "rule", "publication")]
            out.extend(own)
        previous = own
    return out
