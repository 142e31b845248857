"""Who writes, to whom, who signs, and which persons the text names with their posts."""
from __future__ import annotations

import re

from kg.extract import prefilter
from kg.extract.text import span
from kg.models import Mention, PostHolding, Span

# A capitalised word in any Latin script ('Erdoğan', 'Ñúñez', 'Đorđević'), or an initial.
_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
_LOWER_RUN = r"(?:[^\W\d_A-Z]|['’])+"
# (The capital is read once for both branches, [A-Z] being among _UPPER: re then skips ahead to a
# capital instead of trying every position.)
_NAME_WORD = rf"(?:[{_UPPER}](?:{_LOWER_RUN}(?:-[{_UPPER}]?{_LOWER_RUN})?|(?<=[A-Z])\.))"
_PARTICLE = r"(?:de|da|del|van|von|der|al|el|bin|ibn|ben|le|la|dos|du)"
_GAP = r"(?:[ \t]+|[ \t]*\n[ \t]*)"   # a name may wrap onto the next line, never across a blank line
NAME = rf"{_NAME_WORD}(?:{_GAP}(?:{_PARTICLE}{_GAP}|[A-Z][a-z]?[-’'])?{_NAME_WORD}){{1,3}}"
POSTS = (r"Permanent Representative|Deputy Permanent Representative|Chargée? d[’']affaires(?: a\.i\.)?|"
         r"Permanent Observer|Minister for Foreign Affairs|Minister of Foreign Affairs|Foreign Minister|"
         r"Prime Minister|President|Vice-President|Ambassador|Special Rapporteur|Independent Expert|"
         r"Secretary-General|High Commissioner|Minister|Prosecutor General|Director(?:-General)?|Chair(?:person)?|"
         r"Head of Delegation|Counsellor|First Secretary|Second Secretary|Spokesperson")
SIGNED = re.compile(rf"\((?:Signed|signed|Sgd\.?)\)\s*:?\s*(?P<name>{NAME})")
POST_WORDS = re.compile(rf"^(?:{POSTS})\b")
# 'Jeyhun Bayramov, Minister for Foreign Affairs of the Republic of Azerbaijan'
NAME_COMMA_POST = re.compile(rf"(?P<name>{NAME}),\s+(?:the\s+)?(?P<post>{POSTS})(?P<of>\s+of\s+(?:the\s+)?[A-Z][^,.;\n]{{2,60}})?")
NAME_COMMA_POST_NEEDS = re.compile(rf",\s+(?:the\s+)?(?:{POSTS})")   # every NAME_COMMA_POST match holds one
# 'the former President of the Republic of Azerbaijan, Ayaz Mutalibov'
POST_OF_NAME = re.compile(rf"\b(?P<post>{POSTS})\s+of\s+(?:the\s+)?[A-Z][\w’' ]{{2,50}}?,\s+(?P<name>{NAME})")
# 'individuals Harutyunyan Arayik Vladimiri (Vladimiroviç), Sahakyan Bako Sahaki, ...': a list of three or
# more multi-word names is a list of persons (accused, victims, detainees), kept as the document names them.
_LIST_ITEM = rf"{_NAME_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?{_NAME_WORD}){{1,4}}"
NAME_LIST = re.compile(rf"{_LIST_ITEM}(?:\s*,\s+(?:and\s+)?(?:[a-z][a-z ]{{0,40}}\s+)?{_LIST_ITEM}){{2,}}")
# 'President Serzh Sargsyan', 'the British journalist Thomas de Waal', 'lawyer Malcolm Shaw', 'Mr. X'
POST_NAME = re.compile(rf"\b(?P<post>{POSTS}|[Jj]ournalist|[Ll]awyer|[Ee]xpert|[Aa]uthor|[Hh]istorian|"
                       rf"Mr\.|Ms\.|Mrs\.|Dr\.|Professor|Prof\.|General|Colonel|Major|Captain|Judge|Sheikh|King|Queen|Emir)"
                       rf"(?:,)?\s+(?P<name>{NAME})")
NOT_NAME_WORDS = {
    "The", "This", "That", "These", "General", "Assembly", "Security", "Council", "United", "Nations", "Republic",
    "Office", "Human", "Rights", "Committee", "Special", "Rapporteur", "Permanent", "Representative", "Mission",
    "Minister", "Ministry", "Foreign", "Affairs", "Government", "State", "States", "Court", "International",
    "Convention", "Secretary", "President", "Prime", "Ambassador", "Annex", "Letter", "Note", "Agenda", "Article",
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Geneva", "New", "York", "Signed", "Excellency", "His", "Her", "In", "On", "As",
    "Prosecutor", "Office", "Criminal", "Code", "Law", "Armed", "Forces", "Resolution", "Charter", "Protocol",
    # headings and document parts ('I. Introduction')
    "Introduction", "Background", "Conclusion", "Conclusions", "Recommendations", "Summary", "Contents",
    "Observations", "Overview", "Chapter", "Section", "Part",
}

# Titles wrap over lines in PDFs: every space in these phrases may be a line break.
AUTHOR_SEGMENT = re.compile(r"\b(?:from|by)\b(?P<seg>.*?)(?=\baddressed\s+to\b|\bto\s+the\s+United\s+Nations\b|\bon\s+the\b|"
                            r"\bconcerning\b|\bregarding\b|\bon\s+behalf\s+of\b|$)", re.S | re.I)
ON_BEHALF = re.compile(r"\bon\s+behalf\s+of\b(?P<seg>.{0,300}?)(?=\baddressed\s+to\b|[.;]|\n\n|$)", re.S | re.I)
NV_AUTHOR = re.compile(r"(?:^|\n)\s*The\s+(?P<seg>(?:Permanent\s+Mission|Embassy|Government|Ministry)[^\n]{0,300}?)"
                       r"\s+presents\s+its\s+compliments\s+to\s+(?P<to>[^,\n]{0,200})", re.S)
MISSION_HEADER = re.compile(r"(?:Permanent\s+Mission|Embassy|Ministry of Foreign Affairs)\s+of\s+(?P<seg>[^\n]{0,80}(?:\n[^\n]{0,80})?)")
ANNEX_TO = re.compile(r"^\s*Annex\s+to\s+the\s+[^\n]*(?:\n[^\n]+)*?\baddressed\s+to\b(?P<seg>[^\n]*(?:\n(?!\n)[^\n]*){0,3})")
INFO_FROM = re.compile(r"Information received from\s+(?P<seg>[^\n]{0,80})")


def _states_in(states: list[Mention], start: int, end: int) -> list[str]:
    return list(dict.fromkeys(m.key for m in states if start <= m.span.start < end))


def author_states(text: str, title: Span | None, states: list[Mention], kind: str = "other") -> tuple[list[str], Span | None]:
    """States on whose behalf the document is written, and the span that says so.

    Reports and notes of UN organs have no author state; a mission's letterhead only counts for the
    kinds that states write (letters, notes verbales, statements, state reports).
    """
    candidates = []
    if title is not None:
        t = title.text
        m = AUTHOR_SEGMENT.search(t)
        if m and not re.match(r"\s*the\s+Secretary-General", m.group("seg")):
            a, b = title.start + m.start("seg"), title.start + m.end("seg")
            candidates.append((a, b))
        for m in ON_BEHALF.finditer(t):
            candidates.append((title.start + m.start("seg"), title.start + m.end("seg")))
    fallbacks = (NV_AUTHOR, INFO_FROM, MISSION_HEADER) if kind not in ("report", "note", "resolution") else ()
    for rx in fallbacks:
        m = rx.search(text, 0, min(len(text), 6000))
        if m:
            candidates.append((m.start("seg"), m.end("seg")))
    for a, b in candidates:
        found = _states_in(states, a, b)
        if found:
            return found, span(text, a, b)
    return [], None


def addressees(text: str, title: Span | None, terms: list[Mention], masthead_end: int, kind: str) -> list[tuple[str, Span]]:
    """Bodies or officials the document is addressed to."""
    segments = []
    if title is not None:
        m = re.search(r"\baddressed\s+to\b(?P<seg>.*)", title.text, re.S)
        if m:
            segments.append((title.start + m.start("seg"), title.end))
    m = NV_AUTHOR.search(text, 0, min(len(text), 6000))
    if m:
        segments.append((m.start("to"), m.end("to")))
    # 'Annex to the note verbale dated ... addressed to the Office of the High Commissioner': an annex
    # standing alone goes where the note that transmits it goes.
    m = ANNEX_TO.search(text, 0, min(len(text), 3000))
    if m:
        segments.append((m.start("seg"), m.end("seg")))
    for a, b in segments:
        found = [(t.key, t.span) for t in terms if a <= t.span.start < b and t.kind == "body"]
        if found:
            return list({k: (k, s) for k, s in reversed(found)}.values())[::-1]
    if kind == "state_report":
        found = [(t.key, t.span) for t in terms if t.span.start < masthead_end and t.kind == "body"]
        return found[:1]
    return []


def _trim_name(name: str) -> str:
    words = name.split()
    while words and (words[-1] in NOT_NAME_WORDS or POST_WORDS.match(words[-1])):
        words.pop()
    return " ".join(words)


def _post_in(states: list[Mention], start: int, end: int) -> str | None:
    """The state a post belongs to, as the text gives it ('Minister for Foreign Affairs of Azerbaijan')."""
    return next((s.key for s in states if start <= s.span.start < end), None)


def persons(text: str, terms: list[Mention] = (), states: list[Mention] = ()) -> list[PostHolding]:
    """Persons by name with their post; a 'name' inside a body's or instrument's name is not a person."""
    out: list[PostHolding] = []
    for m in SIGNED.finditer(text):
        # The name stops where the post begins ('Yashar Aliyev Ambassador Permanent Representative').
        name = m.group("name")
        cut = re.search(rf"\s(?:{POSTS})\b", name)
        name = _trim_name(name[:cut.start()] if cut else name)
        if len(name.split()) >= 2:
            after = text[m.start("name") + len(name):m.start("name") + len(name) + 120]
            post = re.search(rf"(?:{POSTS})", after)
            out.append(PostHolding(name, post.group(0) if post else None, None, True,
                                   span(text, m.start("name"), m.start("name") + len(name))))
    for m in prefilter.finditer(NAME_COMMA_POST, text, NAME_COMMA_POST_NEEDS):
        name = _trim_name(m.group("name"))
        if _plausible(name):
            st = m.start("name") + m.group("name").find(name)
            where = _post_in(states, m.start("of"), m.end("of")) if m.group("of") else None
            out.append(PostHolding(name, m.group("post"), where, False, span(text, st, st + len(name))))
    for m in prefilter.finditer(POST_OF_NAME, text):
        name = _trim_name(m.group("name"))
        if _plausible(name):
            st = m.start("name")
            out.append(PostHolding(name, m.group("post"), _post_in(states, m.end("post"), m.start("name")), False,
                                   span(text, st, st + len(name))))
    # Short parentheticals ('Gukasyan (Gukasyan) Arkadi', '(Vladimiroviç)') are blanked out, offsets kept.
    masked = re.sub(r"\([^()\n]{1,40}\)", lambda x: " " * len(x.group(0)), text)
    for m in NAME_LIST.finditer(masked):
        for item in re.finditer(NAME.replace("{_GAP}", "[ \t]+"), m.group(0)):
            name = _trim_name(re.sub(r"\s+", " ", item.group(0)))
            if _plausible(name):
                st = m.start() + item.start()
                out.append(PostHolding(name, None, None, False, span(text, st, m.start() + item.end())))
    for m in prefilter.finditer(POST_NAME, text):
        name = _trim_name(m.group("name"))
        if _plausible(name):
            st = m.start("name")
            out.append(PostHolding(name, m.group("post") if m.group("post")[0].isupper() else m.group("post"),
                                   None, False, span(text, st, st + len(name))))
    seen, unique = set(), []
    taken = [(t.span.start, t.span.end) for t in [*terms, *states]]
    for p in sorted(out, key=lambda p: (p.span.start, not p.signatory)):
        p = PostHolding(re.sub(r"\s+", " ", p.name), p.post, p.post_in, p.signatory, p.span, p.extractor)
        if any(a < p.span.end and p.span.start < b for a, b in taken):
            continue
        if (p.name, p.span.start) not in seen:
            seen.add((p.name, p.span.start))
            unique.append(p)
    return unique


def _plausible(name: str) -> bool:
    words = name.split()
    if len(words) < 2:
        return False
    return not any(w in NOT_NAME_WORDS for w in words)
