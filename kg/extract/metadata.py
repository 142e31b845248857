"""The document's own identity: symbols, dates, kind, language, job number, session, agenda, title."""
from __future__ import annotations

import re

from kg.extract.citations import JOINT, split_joint
from kg.extract.text import DAY_MONTH_YEAR, find_dates, iso_date, span
from kg.models import Span

DISTR = re.compile(r"Distr\.\s*:?\s*\w+")
RECEIVED = re.compile(r"Date\s+received\s*:?\s*")
ORIGINAL = re.compile(r"Original\s*:\s*([A-Z][a-z]+)")
JOB_NUMBER = re.compile(r"(?m)^\s*(\d{2}-\d{5})\s*(?:\([A-Z]\))?")
SESSION = re.compile(r"\b((?:[A-Z][a-z]+-)?[A-Za-z]+(?:-[a-z]+)? (?:special |emergency special )?session|"
                     r"(?:[A-Z][a-z]+-)?[A-Za-z]+(?:-[a-z]+)? year)\b")
AGENDA = re.compile(r"Agenda items?\s+([\d(), a-z]+?(?:and \d+(?: \([a-z]\))?)?)(?=\s*\n|\s{2,}|$)", re.M)
# Title lines give a document its kind and its own date ('Letter dated 5 May 2021 from ...').
TITLE = re.compile(
    r"(?m)^[ \t]*(?P<kind>Identical letters|Letter|Note verbale|Joint statement|Statement|Joint communication|"
    r"Information received from|Report|Note by the Secretary-General|Communication|"
    # a State's report to a treaty body: 'Fourth periodic report submitted by Kazakhstan under article 19',
    # 'Combined nineteenth to twenty-first periodic reports ...', 'Replies of China to the list of issues'
    r"(?:Initial|(?:Combined\s+)?[A-Za-z-]+(?:\s+(?:to|and)\s+[a-z-]+)?\s+periodic)\s+reports?|Replies\s+of)"
    r"\b(?P<rest>[^\n]*)", re.I)
PLACE_DATE_LINE = re.compile(r"(?m)^[ \t]*[A-Z][A-Za-z .'-]{2,30},\s+(?=\d{1,2}\s+[A-Z][a-z]+\s+\d{4}\s*$)")
NOTE_VERBALE_FORMULA = re.compile(r"presents its compliments to", re.I)
STATE_REPORT = re.compile(r"\b(?:periodic report|follow-up to the concluding observations|"
                          r"Information received from [A-Z][\w ]+ on follow-up|reports? submitted by States parties)", re.I)

KINDS = {"identical letters": "identical_letters", "letter": "letter", "note verbale": "note_verbale",
         "joint statement": "joint_statement", "statement": "statement", "report": "report",
         "information received from": "state_report", "joint communication": "communication",
         "communication": "communication", "note by the secretary-general": "note",
         "periodic report": "state_report"}   # (the title words of a State's report vary: see TITLE)


def masthead_end(text: str) -> int:
    """Where the masthead (symbols, Distr., date, language, session, agenda) ends: at the first title line."""
    m = TITLE.search(text, 0, min(len(text), 6000))
    return m.start() if m else min(len(text), 1500)


def extract_metadata(text: str) -> dict:
    """Metadata values with the spans they come from: {field: (value, Span | None)}."""
    out: dict[str, tuple] = {}
    head_end = masthead_end(text)
    distr = DISTR.search(text, 0, head_end + 200)

    # Own symbols: printed in the masthead, before the title (and, in PDFs, before 'Distr.').
    limit = distr.start() if distr else head_end
    symbols: list[str] = []
    for m in JOINT.finditer(text, 0, limit):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line = text[line_start:text.find("\n", m.end()) if "\n" in text[m.end():] else len(text)]
        if len(line.split()) <= 8:   # a masthead line, not a sentence that cites a symbol
            for p in split_joint(m.group(0)):
                if p not in symbols and any(c.isdigit() for c in p):
                    symbols.append(p)
                    out.setdefault("symbol_spans", []).append(span(text, m.start(), m.end()))
    out["symbols"] = tuple(symbols)

    if distr:
        d = next(find_dates(text, distr.end(), min(len(text), distr.end() + 60)), None)
        if d:
            out["issued"] = (d[0], span(text, d[1].start(), d[1].end()))
    rec = RECEIVED.search(text, 0, min(len(text), 8000))
    if rec:
        d = next(find_dates(text, rec.end(), rec.end() + 40), None)
        if d:
            out["received"] = (d[0], span(text, d[1].start(), d[1].end()))
    lang = ORIGINAL.search(text, 0, head_end + 200)
    if lang:
        out["language"] = (lang.group(1), span(text, lang.start(1), lang.end(1)))
    job = JOB_NUMBER.search(text, 0, head_end + 400)
    if job:
        out["job_number"] = (job.group(1), span(text, job.start(1), job.end(1)))
    out["sessions"] = tuple(dict.fromkeys(m.group(1) for m in SESSION.finditer(text, 0, head_end)
                                          if m.group(1).split()[0][0].isupper()))
    agenda = AGENDA.search(text, 0, head_end)
    if agenda:
        items = re.findall(r"\d+(?:\s*\([a-z]\))?", agenda.group(1))
        out["agenda_items"] = tuple(re.sub(r"\s+", " ", i) for i in items)

    kind, title = _kind_and_title(text)
    if any("/RES/" in sym for sym in symbols):
        kind = "resolution"
    out["kind"] = kind
    if title is not None:
        out["title"] = (re.sub(r"\s+", " ", title.text).strip(), title)
        dated = _title_date(text, title)
        if dated:
            out["dated"] = dated
    if "dated" not in out:
        # A note verbale closes with its place and date: 'Geneva, 27 September 2024'.
        for m in PLACE_DATE_LINE.finditer(text):
            d = next(find_dates(text, m.end(), m.end() + 30), None)
            if d:
                out["dated"] = (d[0], span(text, d[1].start(), d[1].end()))
                break
    return out


def _kind_and_title(text: str) -> tuple[str, Span | None]:
    """The kind from the first title line that is not an 'Annex to ...' line; formulas as fallback.

    Letters, notes and statements are looked for first: a masthead's agenda-item titles
    ('Report of the United Nations High Commissioner for Refugees ...') are not the document's title.
    """
    titles = []
    for m in TITLE.finditer(text, 0, min(len(text), 8000)):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if re.match(r"\s*Annex", text[line_start:m.start()], re.I):
            continue
        kind_word = m.group("kind").lower()
        if kind_word not in KINDS:   # 'Fourth periodic report ...', 'Replies of ...'
            kind_word = "periodic report"
        rest = m.group("rest")
        if kind_word in ("letter", "identical letters", "note verbale") and not re.match(r"\s+(?:dated|of)\b", rest):
            continue
        if kind_word == "report" and not re.match(r"\s+(?:of|on|submitted)", rest):
            continue
        titles.append((kind_word in ("report", "communication", "periodic report"), m.start(), m, kind_word))
    if titles:
        _, _, m, kind_word = min(titles, key=lambda t: t[:2])
        kind = KINDS[kind_word]
        if kind == "report" and STATE_REPORT.search(text, 0, 6000):
            kind = "state_report"
        # A title runs on to the next blank line (PDF titles wrap over several lines).
        end = text.find("\n\n", m.start())
        end = min(end if end > 0 else len(text), m.start() + 600)
        return kind, span(text, m.start("kind"), end)
    if NOTE_VERBALE_FORMULA.search(text, 0, 5000):
        return "note_verbale", None
    if STATE_REPORT.search(text, 0, 6000):
        return "state_report", None
    return "other", None


def _title_date(text: str, title: Span) -> tuple[str, Span] | None:
    m = re.match(r"[^\n]*?\bdated\s+", title.text, re.I | re.S)
    if not m:
        return None
    d = DAY_MONTH_YEAR.match(title.text, m.end())
    if not d:
        return None
    iso = iso_date(d.group(1), d.group(2), d.group(3))
    return (iso, span(text, title.start + d.start(), title.start + d.end())) if iso else None
