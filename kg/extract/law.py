"""Legal instruments and domestic law invoked, with the article where the text gives one.

Articles are attached to the instrument named right after them ('article 6 of the Covenant'), right
before them ('the Criminal Code (Article 90.7.2)'), or, in a list of rights under a law, to the
nearest law named before them in the same passage.
"""
from __future__ import annotations

import re

from kg.extract import prefilter
from kg.extract.text import span
from kg.models import Mention, Provision

_ART_NUM = r"\d+(?:\.\d+)*(?:\s*\([a-z0-9]+\))?"
_ART_SEP = r"\s*(?:,|and|or|-|–)\s*"
ARTICLE_REF = re.compile(rf"\b(?:(?P<part>[Pp]art\s+(?:[IVX]+|\d+))\s+of\s+)?(?P<word>[Aa]rticles?\s|[Aa]rts?\.|[Pp]arts?\s)\s*"
                         rf"(?P<arts>{_ART_NUM}(?:{_ART_SEP}{_ART_NUM})*)")
OF_THE = re.compile(r"(?:,?\s+and\s+other\s+(?:relevant\s+)?(?:articles|provisions))?\s+of\s+(?:the\s+)?[“\"]?")
# 'Article 20 of the aforementioned Law', 'Article 153 of this Code': the act named last before it.
ANAPHOR = re.compile(r"(?:,?\s+and\s+other\s+(?:relevant\s+)?(?:articles|provisions))?\s+of\s+(?:the\s+|this\s+|that\s+)?"
                     r"(?:(?:aforementioned|abovementioned|above-mentioned|aforesaid|said|same)\s+)?(?P<noun>Law|Code|Act|Rules|Decree)\b")
# Domestic acts: 'Criminal Code of the Republic of Azerbaijan', 'Law of the Republic of X “On Media”',
# 'Code on Execution of Punishments', 'Internal Disciplinary Rules of Pre-trial Detention Facilities'.
_STATE_OF = r"(?:\s+of\s+the\s+(?:Republic|Kingdom|State|Federation|Islamic Republic|Federal Republic|Russian Federation)(?:\s+of\s+[A-Z][a-z]+)?|\s+of\s+[A-Z][a-z]+)"
_CODE_KINDS = r"Criminal|Civil|Penal|Labour|Labor|Family|Administrative|Electoral|Land|Tax|Customs|Water|Housing|Military"
DOMESTIC = re.compile(
    r"(?P<title>"
    rf"(?:(?:{_CODE_KINDS})"
    r"(?:\s+Procedure|\s+Procedural|\s+Offences|\s+Execution)?\s+Code" + _STATE_OF + r"?"
    r"|Code\s+(?:on|of)\s+(?!Conduct)[A-Z][a-z]+(?:\s+(?:of\s+)?[A-Z][a-z]+){0,3}" + _STATE_OF + r"?"
    r"|Constitution" + _STATE_OF +
    # 'Law of Ukraine “On ...”', 'Federal Law No. 114-FZ of 25 July 2002 “On Countering Extremist Activity”'
    r"|(?:Law|Federal Law|Act|Decree|Presidential Decree)" + _STATE_OF + r"?"
    r"(?:\s+No\.\s*[\w./-]+)?(?:\s+of\s+\d{1,2}\s+[A-Z][a-z]+\s+\d{4})?(?:\s+No\.\s*[\w./-]+)?\s+[“\"](?:On|on)\s+[^”\"]{3,120}[”\"]"
    r"|[“\"](?:Law|Act)\s+on\s+[^”\"]{3,120}[”\"]" + _STATE_OF + r"?"
    r"|(?:Internal\s+)?(?:Disciplinary\s+)?Rules\s+of\s+[A-Z][\w-]+(?:\s+[A-Za-z][\w-]+){0,4}\s+Facilities"
    r"))")
# Acts and numbered laws named by their titles after 'the': 'the Anti-Terrorism Act of 2020', 'the Human
# Rights Act 1998', 'the Police Act', 'the Yazidi Female Survivors Law No. 8 of 2021'; not 'the Final Act
# of the Conference ...' (an organization's document). (Opening with 'the' lets prefilter find them fast.)
# A year may come first ('The 2002 Equal Opportunities for Women and Men Act', 'the 2005 Disengagement Law'),
# and a State may say 'our' ('We amended our Fisheries Act'). A law named by its subject ('the Yazidi
# Survivors Law', 'the General Amnesty Law (No. 27 of 2016)'), not a body of law ('International
# Humanitarian Law', 'the Rule of Law') nor a body named after one ('the International Law Commission').
NAMED_ACT = re.compile(
    r"\b(?:[Tt]he|[Oo]ur|[Ii]ts|[Tt]heir)\s+(?:(?:19|20)\d\d\s+)?"
    r"(?P<title>(?:(?!(?:International|Customary|Rule|Public|Private|Criminal|Civil|Natural|Islamic|"
    r"Sharia|European|Union|Office|Committee|Commission|Society|Academy|Conference|Shadow|Role)\b)"
    r"[A-Z][\w’'-]*\s+(?:(?:of|on|for|and|against|to)\s+)?){1,6}"
    r"(?:Act\b(?:(?:\s+of|,)?\s+\d{4}\b)?(?!\s+of\s+the\s+[A-Z])|Law\s+No\.\s*\d+(?:/\d+)?\s+of\s+\d{4}"
    r"|Law\b(?!\s+(?:of|on|Commission|School|Society|Association|Institute|Enforcement|Council|Journal|Review)\b)))")
QUOTED = re.compile(r"[“\"](?:On|on)\s+[^”\"]+[”\"]")
# A code or constitution named by its state's adjective: 'the Sudanese Penal Code', 'the Italian Constitution'
# (kept only where the first word is a state mention).
STATE_ADJ_ACT = re.compile(
    rf"\b(?P<title>(?P<adj>[A-Z][a-z]+)\s+(?:(?:{_CODE_KINDS})(?:\s+Procedure|\s+Procedural)?\s+Code|Constitution))\b")


def _articles(s: str) -> list[str]:
    parts = re.findall(rf"{_ART_NUM}|[-–]", s)
    out: list[str] = []
    for i, p in enumerate(parts):
        if p in "-–":
            continue
        if i >= 2 and parts[i - 1] in "-–" and out:
            out[-1] = f"{out[-1]}-{re.sub(r'[ ]', '', p)}"   # 'Articles 19.1-19.3' stays a range
        else:
            out.append(re.sub(r"\s+", "", p))
    return out


def _canonical_titles(titles: list[str]) -> dict[str, str]:
    """Map short forms to the fullest title of the same act in this text.

    'Criminal Code' -> 'Criminal Code of the Republic of X'; 'Law “On Media”' -> 'Law of the Republic of X “On Media”'.
    """
    ordered = sorted(set(titles), key=len, reverse=True)
    out = {}
    for t in ordered:
        q = QUOTED.search(t)
        longer = next((u for u in ordered if len(u) > len(t) and (
            (q and q.group(0).strip("“”\"") in u and u.split()[0] == t.split()[0]) or
            (not q and u.startswith(t + " of ")))), None)
        out[t] = out.get(longer, longer) if longer else t
    return out


def extract_provisions(text: str, terms: list[Mention], states: list[Mention]) -> list[Provision]:
    instruments = sorted((t for t in terms if t.kind == "instrument"), key=lambda t: t.span.start)
    laws = []
    found = [(m.start("title"), m.end("title"), m.group("title"))
             for rx in (DOMESTIC, NAMED_ACT) for m in prefilter.finditer(rx, text)]
    state_starts = {s.span.start for s in states}
    found += [(m.start("title"), m.end("title"), m.group("title"))
              for m in prefilter.finditer(STATE_ADJ_ACT, text) if m.start("adj") in state_starts]
    for start, end, raw in sorted(found):
        if any(i.span.start <= start < i.span.end for i in instruments) or any(a <= start < b for a, b, _, _ in laws):
            continue
        title = re.sub(r"\s+", " ", raw).rstrip(",;: ").replace(",”", "”").replace(',"', '"')
        title = re.sub(r'^[“"]((?:Law|Act) on [^”"]+)[”"]', r"\1", title)   # '"Law on Media" of X' -> 'Law on Media of X'

        jurisdiction = next((s.key for s in states if start <= s.span.start < end), None)
        laws.append((start, end, title, jurisdiction))
    canon = _canonical_titles([t for _, _, t, _ in laws])
    juris_of = {}
    for _, _, t, j in laws:
        if j:
            juris_of.setdefault(canon[t], j)
    # Every named act and instrument, in text order: (start, end, kind, key, title, jurisdiction)
    named = [(a, b, "domestic", canon[t], canon[t], juris_of.get(canon[t])) for a, b, t, _ in laws]
    named += [(i.span.start, i.span.end, "instrument", i.key, i.label, None) for i in instruments]
    named.sort()
    out: list[Provision] = []
    with_article: set[str] = set()
    roots: dict[str, tuple] = {}   # article number -> the act it was explicitly cited with
    for m in prefilter.finditer(ARTICLE_REF, text):
        arts = _articles(m.group("arts"))
        if m.group("word").lower().startswith("part"):
            arts = [f"Part {a}" for a in arts]
        elif m.group("part"):
            # 'Part III of Article 1' is cited as 'Article 1, Part III'
            arts = [f"{a}, {m.group('part')[0].upper()}{m.group('part')[1:]}" for a in arts]
        target = None
        of = OF_THE.match(text, m.end())
        if of:
            target = next((n for n in named if n[0] in (of.end(), of.end() - 1)), None)
        anaphor = ANAPHOR.match(text, m.end())
        if target is None and anaphor:
            noun = anaphor.group("noun")
            prior = [n for n in named if n[1] <= m.start() and n[2] == "domestic" and noun in n[4]]
            target = prior[-1] if prior else None
        explicit = target is not None
        if target is None:
            # A sub-article ('153.1.4') of an article already cited with its act ('Article 153 of the
            # Criminal Procedure Code') belongs to that act, whatever was named in between.
            root = arts[0].split(".")[0] if arts and arts[0][:1].isdigit() else None
            if root in roots and "." in arts[0]:
                target = roots[root]
        if target is None:
            prior = [n for n in named if n[1] <= m.start() and m.start() - n[1] <= 1500
                     and "\n\n\n" not in text[n[1]:m.start()]]
            if prior and (text[max(0, m.start() - 2):m.start()].strip() in ("(", "") or of is None):
                target = prior[-1]
        if target is None:
            continue
        a, b, kind, key, title, juris = target
        if explicit:
            for art in arts:
                roots.setdefault(art.split(".")[0], target)
        for art in arts:
            out.append(Provision(key if kind == "instrument" else "", title, art, kind == "domestic", juris,
                                 span(text, min(m.start(), a), max(m.end(), b))))
            with_article.add(key)
    # An act named without any article anywhere in the text is invoked as a whole.
    for a, b, kind, key, title, juris in named:
        if kind == "domestic" and key not in with_article:
            out.append(Provision("", title, None, True, juris, span(text, a, b)))
            with_article.add(key)
    return out
