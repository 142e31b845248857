"""Annexes and enclosures, and documents referred to by description rather than by symbol."""
from __future__ import annotations

import re

from kg.extract import actors
from kg.extract.citations import characterise
from kg.extract.metadata import KINDS, TITLE
from kg.extract.text import DAY_MONTH_YEAR, iso_date, span
from kg.models import DescribedReference, Mention, Part, PostHolding, Span

ANNEX_HEADING = re.compile(r"(?m)^[ \t]*(?:Annex|Enclosure|Appendix)(?:[ \t]+[IVX\d]+)?\b[^\n]{0,300}$")
# 'the letter from the Permanent Representative of Armenia dated 5 January 2023',
# 'my identical letters dated 9 December 2024', 'the note verbale of the Permanent Mission of X dated ...'
_KIND = r"(?P<kind>identical\s+letters|letters?|note\s+verbale|notes\s+verbales)"
DESCRIBED = re.compile(
    rf"\b(?P<owner>my|our|the|its|his|her|their)\s+(?:previous\s+|latest\s+|last\s+)?{_KIND}\s+"
    rf"(?:(?:from|of)\s+(?P<who>[^.;()]{{3,160}}?)\s+)?dated\s+(?P<date>\d{{1,2}}\s+[A-Z][a-z]+\s+\d{{4}})", re.S)
POST = re.compile(rf"(?:{actors.POSTS})")


def extract_parts(text: str, main_title: Span | None, states: list[Mention], persons: list[PostHolding]) -> list[Part]:
    heads = [m for m in ANNEX_HEADING.finditer(text)
             if main_title is None or m.start() > main_title.start]
    parts = []
    for i, h in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        # The part's own title: an 'Annex to the letter dated ...' heading is followed by the annexed
        # document's title ('Letter dated 4 May 2021 from the Minister for Foreign Affairs ...').
        t = TITLE.search(text, h.end(), min(end, h.end() + 800))
        if t:
            title_end = text.find("\n\n", t.start())
            title = span(text, t.start("kind"), min(title_end if title_end > 0 else end, t.start() + 600, end))
            kind = KINDS.get(t.group("kind").lower(), "other")
        else:
            title = span(text, h.start(), h.end())
            kind = "annex"
        dated = None
        d = re.search(r"\bdated\s+", title.text)
        if d:
            dm = DAY_MONTH_YEAR.match(title.text, d.end())
            dated = iso_date(dm.group(1), dm.group(2), dm.group(3)) if dm else None
        authors, _ = actors.author_states(text, title, [s for s in states if title.start <= s.span.start < title.end], kind)
        signed = tuple(dict.fromkeys(p.name for p in persons if p.signatory and h.start() <= p.span.start < end))
        parts.append(Part(kind, h.start(), end, title, dated, tuple(authors), signed))
    return parts


def extract_described(text: str, states: list[Mention], own_authors: tuple[str, ...]) -> list[DescribedReference]:
    out = []
    for m in DESCRIBED.finditer(text):
        date = DAY_MONTH_YEAR.match(m.group("date"))
        iso = iso_date(date.group(1), date.group(2), date.group(3)) if date else None
        if not iso:
            continue
        if m.group("owner") in ("my", "our"):
            authors = own_authors
        elif m.group("who"):
            authors = tuple(dict.fromkeys(s.key for s in states if m.start("who") <= s.span.start < m.end("who")))
        else:
            authors = ()
        if not authors:
            continue   # a description that names no author cannot be resolved: fail closed
        kind = re.sub(r"\s+", " ", m.group("kind").lower())
        out.append(DescribedReference(kind, authors, iso, span(text, m.start(), m.end()), characterise(text, m.start())))
    return out
