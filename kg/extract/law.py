"""Legal instruments and domestic law invoked, with the article where the text gives one."""
from __future__ import annotations

import re

from kg.extract.text import span
from kg.models import Mention, Provision

_ART_NUM = r"\d+(?:\.\d+)*(?:\s*\([a-z0-9]+\))?"
ARTICLE_LIST = rf"[Aa]rticles?\s+(?P<arts>{_ART_NUM}(?:\s*(?:,|and|or|-|–)\s*{_ART_NUM})*)"
# Domestic acts: 'Criminal Code of the Republic of Azerbaijan', 'Law of the Republic of X “On Media”',
# 'Code on Execution of Punishments', 'Constitution of X'.
DOMESTIC = re.compile(
    r"(?P<title>(?:(?:Criminal|Civil|Penal|Labour|Labor|Family|Administrative|Electoral|Land|Tax|Customs|Water|Housing)"
    r"(?:\s+Procedure|\s+Procedural|\s+Offences)?\s+Code|Code\s+(?:on|of)\s+[A-Z][a-z]+(?:\s+(?:of\s+)?[A-Z][a-z]+){0,3}|"
    r"Constitution|Law|Act|Decree|Regulations?|Rules)"
    r"(?:\s+of\s+the\s+(?:Republic|Kingdom|State|Federation|Islamic Republic|Federal Republic)\s+of\s+[A-Z][a-z]+|\s+of\s+[A-Z][a-z]+)?"
    r"(?:\s+[“\"](?:On|on)\s+[^”\"]{3,120}[”\"])?)")
INTERNATIONAL_ARTICLE = re.compile(rf"{ARTICLE_LIST}\s+of\s+(?:the\s+)?$")


def _articles(s: str) -> list[str]:
    return [re.sub(r"\s+", "", a) for a in re.findall(_ART_NUM, s)]


def extract_provisions(text: str, terms: list[Mention], states: list[Mention]) -> list[Provision]:
    out: list[Provision] = []
    for t in terms:
        if t.kind != "instrument":
            continue
        # 'article 6 of the International Covenant ...' / 'article 2 of Protocol No. 4'
        before = text[max(0, t.span.start - 80):t.span.start]
        m = re.search(rf"{ARTICLE_LIST}\s+of\s+(?:the\s+)?$", before)
        arts = _articles(m.group("arts")) if m else [None]
        st = t.span.start - (len(before) - m.start()) if m else t.span.start
        for a in arts:
            out.append(Provision(t.key, t.label, a, False, None, span(text, st, t.span.end)))
    for m in DOMESTIC.finditer(text):
        title = m.group("title")
        if title in ("Law", "Act", "Rules", "Regulations", "Regulation", "Decree", "Constitution") or len(title) < 8:
            continue
        if not re.search(r"Code|Constitution|“|\"|Republic|Kingdom", title):
            continue
        jurisdiction = next((s.key for s in states if m.start() <= s.span.start < m.end()), None)
        before = text[max(0, m.start() - 80):m.start()]
        after = text[m.end():m.end() + 60]
        arts: list[str | None] = []
        b = re.search(rf"{ARTICLE_LIST}\s+of\s+(?:the\s+)?$", before)
        a = re.match(rf"\s*,?\s*\(?\s*{ARTICLE_LIST}", after)
        st, en = m.start(), m.end()
        if b:
            arts = _articles(b.group("arts"))
            st = m.start() - (len(before) - b.start())
        elif a:
            arts = _articles(a.group("arts"))
            en = m.end() + a.end()
        title = title.rstrip(",;: ").replace(",”", "”").replace(',"', '"')
        for art in arts or [None]:
            out.append(Provision("", title, art, True, jurisdiction, span(text, st, en)))
    return _complete_short_titles(out)


def _complete_short_titles(provisions: list[Provision]) -> list[Provision]:
    """'the Criminal Code' after 'the Criminal Code of the Republic of X' in the same text is that code."""
    full = sorted({p.title for p in provisions if p.domestic}, key=len, reverse=True)
    out = []
    for p in provisions:
        if p.domestic:
            longer = next((t for t in full if t.startswith(p.title + " of ")), None)
            if longer:
                juris = next((q.jurisdiction for q in provisions if q.title == longer and q.jurisdiction), p.jurisdiction)
                p = Provision(p.instrument, longer, p.article, True, juris, p.span, p.extractor)
        out.append(p)
    return out
