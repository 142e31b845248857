"""extract(): one document's text -> Extraction. A pure function of the text and the vocabularies."""
from __future__ import annotations

import re

from kg.extract import actors, citations, entities, metadata
from kg.extract import incidents, law, parts, places
from kg.extract.text import footnotes, lowercase_words, span
from kg.models import Extraction, Mention, Metadata

# Bumped whenever extraction output changes, so cached extractions are redone.
EXTRACTOR_VERSION = "0.1.0"
CHUNK = 200_000   # characters per spaCy call; long texts are cut at paragraph breaks
# spaCy's tokenizer is quadratic in the length of a run without spaces ("*" * 50_000 takes ten minutes);
# no name in the vocabularies is that long, so such runs are blanked (same length: offsets stay).
LONG_RUN = re.compile(r"\S{100,}")
# The same replacements, faster: in a left-to-right scan from the start of a string, LONG_RUN matches
# exactly the whole runs of 100 or more non-spaces, which is what this matches, but this opens with
# a character (re skips ahead to it) and gives up at once inside a run.
_LONG_RUN_FAST = re.compile(r"\S(?<!\S\S)\S{99,}")
# A line break with none next to it (r"(?<!\n)\n(?!\n)", written to open with the line break).
_LONE_BREAK = re.compile(r"\n(?<!\n\n)(?!\n)")


def _chunks(text: str):
    start = 0
    while start < len(text):
        end = min(len(text), start + CHUNK)
        if end < len(text):
            cut = text.rfind("\n\n", start, end)
            end = cut + 2 if cut > start else end
        yield start, text[start:end]
        start = end


def vocabulary_mentions(text: str) -> list[Mention]:
    nlp = entities.pipeline()
    out = []
    for offset, chunk in _chunks(text):
        # Line breaks inside a paragraph (PDF and converted text wrap long names) must not stop a
        # name from matching: each becomes a space, which keeps every offset where it was.
        prepared = _LONG_RUN_FAST.sub(lambda m: " " * len(m.group()), _LONE_BREAK.sub(" ", chunk))
        doc = nlp(prepared)
        for m in entities.vocabulary_mentions(doc, nlp, prepared):
            a, b = m.span.start + offset, m.span.end + offset
            out.append(Mention(m.kind, m.key, m.label, span(text, a, b), m.extractor))
    return out


MISSION_OF = re.compile(r"(?:Permanent\s+Mission|Permanent\s+Representative|Permanent\s+Observer|Embassy)\s+of\s+"
                        r"(?:(?!addressed)[^.;\n]){0,80}?\bto\s+(?:the\s+)?$")


# A body's name continued to its left by a word that makes it another body: a State's 'National Security
# Council', the 'Joint Military Staff Committee of the Sahel Region', the 'ASEAN Intergovernmental Commission
# on Human Rights'.
NAME_GOES_ON_LEFT = re.compile(r"\b(?:National|Joint|Intergovernmental)\s+$")
# A body's name continued to its right by a State's: that State's own body ('the Commission on Human Rights of the
# Philippines', a national human rights institution).
OF_A_STATE = re.compile(r"[ \t]+of[ \t]+(?:the[ \t]+)?")
# The imprint of the masthead ('United Nations S/2025/474', 'United Nations' alone on its line above a
# report's title): the publisher, not a body the document speaks of.
IMPRINT = re.compile(r"[ \t]*United Nations(?:[ \t]+[A-Z]+/\S+)?[ \t]*")
_UN = ("https://w3id.org/kg-un/id/body/united-nations", "https://w3id.org/kg-un/id/body/secretariat")


def _drop_inside(mentions: list[Mention], cited, text: str) -> list[Mention]:
    """Vocabulary hits that are not references to the thing: an abbreviation inside a document symbol
    or a URL ('HRC' in A/HRC/59/60), a UN office inside a mission's name ('... to the United Nations
    Office at Geneva'), which names where the mission sits, not a body the document speaks of; a body
    inside a longer name (NAME_GOES_ON_LEFT) or a State's own (OF_A_STATE); a UN post held for another
    organisation ('the African Union Special Representative for Mali and the Sahel' is not the
    Secretary-General's); the masthead's imprint (IMPRINT)."""
    inside = [(c.span.start, c.span.end) for c in cited if c.target in ("document", "url")]
    terms = entities.pipeline().get_pipe("kg_vocab_matcher").terms
    ends = {m.span.end: m for m in mentions if m.kind == "body"}
    state_starts = {m.span.start for m in mentions if m.kind == "state"}
    out = []
    for m in mentions:
        if any(a <= m.span.start and m.span.end <= b for a, b in inside):
            continue
        if m.kind == "body":
            line_start, line_end = text.rfind("\n", 0, m.span.start) + 1, text.find("\n", m.span.end)
            if m.key == _UN[0] and IMPRINT.fullmatch(text, line_start, len(text) if line_end < 0 else line_end):
                continue
            before = text[max(0, m.span.start - 120):m.span.start]
            if MISSION_OF.search(before) or NAME_GOES_ON_LEFT.search(before[-20:]):
                continue
            of_state = OF_A_STATE.match(text, m.span.end)
            # ('the Commission on Human Rights of the Philippines'; not the review of a State: 'the Working Group
            # on the Universal Periodic Review of Equatorial Guinea')
            if of_state and of_state.end() in state_starts and "Review" not in m.label:
                continue
            owner = ends.get(m.span.start - (len(before) - len(before.rstrip())))
            if owner is not None and owner.key not in _UN and "UNOfficial" in terms[m.key].classes:
                continue
        out.append(m)
    return out


def _choose_places(candidates: list[Mention], states: list[Mention]) -> list[Mention]:
    """One place per span: of the places a name can denote, the one in a state the document names,
    else the gazetteer's first (its plain IRI is the capital's or the most populous place's)."""
    named = {f"{ns_state}{s.key}" for s in states for ns_state in ("https://w3id.org/kg-un/id/state/",)}
    by_span: dict[tuple[int, int], list[Mention]] = {}
    for m in candidates:
        by_span.setdefault((m.span.start, m.span.end), []).append(m)
    terms = entities.pipeline().get_pipe("kg_vocab_matcher").terms
    chosen = []
    for group in by_span.values():
        in_named = [m for m in group if terms[m.key].state in named]
        plain = sorted(group, key=lambda m: (len(m.key), m.key))
        chosen.append((in_named or plain)[0])
    return sorted(chosen, key=lambda m: m.span.start)


def _sender_post(title) -> str | None:
    """'Letter dated ... from the Chargé d'affaires a.i. of the Permanent Mission of X' -> "Chargé d'affaires a.i."."""
    if title is None:
        return None
    m = re.search(rf"\bfrom\s+the\s+(?P<post>{actors.POSTS}|Permanent\s+Mission|Co-Chairs?|Chair)\b", title.text)
    return re.sub(r"\s+", " ", m.group("post")) if m else None


def extract(source_name: str, sha256: str, text: str, segments=()) -> Extraction:
    notes = footnotes(text)
    meta = metadata.extract_metadata(text)
    cited = citations.extract_citations(text, notes, citations.house_organs(meta["symbols"]))
    mentions = _drop_inside(vocabulary_mentions(text), cited, text)
    mentions += entities.bare_un_names(text, entities.pipeline(), mentions)
    mentions += entities.context_names(text, entities.pipeline(), mentions)
    states = [m for m in mentions if m.kind == "state"]
    gazetteer = _choose_places([m for m in mentions if m.kind == "place"], states)
    mentions = [m for m in mentions if m.kind != "place"]
    terms = [m for m in mentions if m.kind != "state"]

    title = meta.get("title", (None, None))[1]
    kind = meta["kind"]
    authors, author_span = actors.author_states(text, title, states, kind)
    head_end = metadata.masthead_end(text)
    to = actors.addressees(text, title, terms, head_end, kind)
    evidence = []
    for field in ("issued", "dated", "received", "language", "job_number", "title"):
        if field in meta:
            evidence.append((field, meta[field][1]))
    for s in meta.get("symbol_spans", []):
        evidence.append(("symbol", s))
    if author_span is not None:
        evidence.append(("author", author_span))
    for _, s in to:
        evidence.append(("addressee", s))

    md = Metadata(
        kind=kind, symbols=meta["symbols"], title=meta.get("title", (None,))[0],
        issued=meta.get("issued", (None,))[0], dated=meta.get("dated", (None,))[0],
        received=meta.get("received", (None,))[0], language=meta.get("language", (None,))[0],
        job_number=meta.get("job_number", (None,))[0], sessions=meta.get("sessions", ()),
        agenda_items=meta.get("agenda_items", ()), author_states=tuple(authors),
        addressees=tuple(k for k, _ in to), sender_post=_sender_post(title), evidence=tuple(evidence))

    common = lowercase_words(text)
    found_places = places.merge(places.extract_places(text, states, common), gazetteer, text, states)
    found_places = sorted([*found_places, *places.named_with_places(text, found_places, terms, states, common)],
                          key=lambda m: m.span.start)
    people = actors.persons(text, terms, states, found_places, common, notes)
    # A place name inside a person's name ('Alba' in 'Eloy Alfaro de Alba', 'Khalil' in 'Mohammad Khalil
    # Hanafi') is part of the name; a signed name may even open with one.
    named = [(p.span.start, p.span.end, p.signatory) for p in people]
    found_places = [m for m in found_places
                    if not any((a <= m.span.start if signed else a < m.span.start) and m.span.end <= b for a, b, signed in named)]
    annexes = parts.extract_parts(text, title, states, people)
    described = parts.extract_described(text, states, tuple(authors))
    return Extraction(
        source=source_name, sha256=sha256, text_length=len(text), metadata=md,
        mentions=tuple(sorted([*mentions, *entities.redactions(text), *found_places],
                              key=lambda m: (m.span.start, m.kind, m.key))),
        citations=tuple(cited),
        provisions=tuple(law.extract_provisions(text, terms, states)),
        persons=tuple(people),
        incidents=tuple(incidents.extract_incidents(text, states, found_places, authors, md.dated or md.issued)),
        parts=tuple(annexes),
        described=tuple(described),
        source_offsets=tuple(segments),
    )
