"""Helpers over normalised text shared by the extractors: footnotes, sentences, dates, spans."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kg.extract import prefilter
from kg.models import Span

SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_TO_DIGIT = str.maketrans(SUPERSCRIPT, "0123456789")
# A footnote text: a paragraph opening with superscript digits and a space.
FOOTNOTE_DEF = re.compile(rf"(?m)^[ \t]*([{SUPERSCRIPT}]+)[ \t]+(\S)")
# A marker: superscript digits glued to the character before them.
FOOTNOTE_MARK = re.compile(rf"(?<=[^\s{SUPERSCRIPT}])([{SUPERSCRIPT}]+)")

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
MONTH_RE = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH_RE})\s*,?\s+(\d{{4}})\b")
MONTH_DAY_YEAR = re.compile(rf"\b({MONTH_RE})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b")


def sup_to_int(s: str) -> int:
    return int(s.translate(_SUP_TO_DIGIT))


def span(text: str, start: int, end: int) -> Span:
    return Span(start, end, text[start:end])


def iso_date(day: str | int, month: str, year: str | int) -> str | None:
    try:
        return date(int(year), MONTHS[month.lower()], int(day)).isoformat()
    except (ValueError, KeyError):
        return None


def find_dates(text: str, start: int = 0, end: int | None = None):
    """Yield (iso, match) for every full date printed as '8 February 2023' or 'February 26, 2020'."""
    end = len(text) if end is None else end
    found = []
    for m in DAY_MONTH_YEAR.finditer(text, start, end):
        iso = iso_date(m.group(1), m.group(2), m.group(3))
        if iso:
            found.append((m.start(), iso, m))
    for m in MONTH_DAY_YEAR.finditer(text, start, end):
        iso = iso_date(m.group(2), m.group(1), m.group(3))
        if iso:
            found.append((m.start(), iso, m))
    for _, iso, m in sorted(found, key=lambda x: x[0]):
        yield iso, m


@dataclass(frozen=True)
class Footnote:
    number: int
    start: int       # start of the footnote text (after the number)
    end: int         # end of the paragraph
    marker_at: int | None   # offset of the marker in the body, when one was found


def footnotes(text: str) -> list[Footnote]:
    """Footnote texts and the body markers that point to them.

    A footnote runs to the end of its paragraph (a blank line) or to the next footnote.
    A marker is matched to the nearest preceding unmatched marker with the same number.
    """
    defs = list(FOOTNOTE_DEF.finditer(text))
    def_starts = {m.start() for m in defs}
    markers: dict[int, list[int]] = {}
    for m in prefilter.finditer(FOOTNOTE_MARK, text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if line_start in def_starts or not text[line_start:m.start()].strip():
            continue
        markers.setdefault(sup_to_int(m.group(1)), []).append(m.start())
    notes = []
    for i, m in enumerate(defs):
        number = sup_to_int(m.group(1))
        para_end = text.find("\n\n", m.start())
        para_end = len(text) if para_end < 0 else para_end
        nxt = defs[i + 1].start() if i + 1 < len(defs) else len(text)
        before = [p for p in markers.get(number, []) if p < m.start()]
        notes.append(Footnote(number, m.start(2), min(para_end, nxt), before[-1] if before else None))
    return notes


# A sentence ends at . ! ? ; before a capital, or at a blank line unless the line before it runs on
# into a lower-case word (a page break inside a sentence, as PDFs and their conversions have).
_SENT_END = re.compile(r"(?<=[.!?;])[\"”’)]*\s+(?=[A-Z“\"(])|\n[ \t]*\n\s*(?![a-z])")


# Every match of _SENT_END opens right after one of . ! ? ; (its first branch looks behind for one)
# or at a line break (its second branch opens with one), so it is tried there only.
_SENT_HINT = re.compile(r"[.!?;\n]")


def _sentence_ends(text: str, pos: int, endpos: int):
    """The matches of _SENT_END.finditer(text, pos, endpos), trying _SENT_END only at the
    positions where a match can open (no match is empty; match() reads the text before `pos`
    as finditer does, and stops at `endpos` as finditer does)."""
    endpos = min(endpos, len(text))
    hint = _SENT_HINT.search(text, max(0, pos - 1), endpos)
    while hint is not None:
        q = hint.start()
        at = q if text[q] == "\n" else q + 1
        m = _SENT_END.match(text, at, endpos) if at >= pos else None
        if m is None:
            hint = _SENT_HINT.search(text, q + 1, endpos)
        else:
            yield m
            pos = m.end()
            hint = _SENT_HINT.search(text, pos - 1, endpos)


def sentence_bounds(text: str, offset: int, limit: int = 600) -> tuple[int, int]:
    """The sentence (or paragraph line group) around an offset, clipped to `limit` characters each way."""
    lo = max(0, offset - limit)
    start = lo
    for m in _sentence_ends(text, lo, offset):
        start = m.end()
    m = next(_sentence_ends(text, offset, min(len(text), offset + limit)), None)
    end = m.start() if m else min(len(text), offset + limit)
    return start, end


def in_ranges(offset: int, ranges) -> bool:
    return any(a <= offset < b for a, b in ranges)


_LOWER_WORD = re.compile(r"\b[a-z][a-z’'-]+\b")


def lowercase_words(text: str) -> frozenset[str]:
    """The words `text` writes in lower case: common nouns and the like ('group', 'training'), by which a
    capitalised run that ends in one ('Working Group', 'Training camps') is told from a proper name."""
    return frozenset(_LOWER_WORD.findall(text))
