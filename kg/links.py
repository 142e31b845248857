"""Corpus-level links written to the kgg:links graph: reports of the same event by different documents."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from pyoxigraph import NamedNode, Quad

from kg import namespaces as ns
from kg.models import Extraction


def _overlap(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    a0, _, a1 = a.partition("/")
    b0, _, b1 = b.partition("/")
    a1, b1 = a1 or a0, b1 or b0
    # Dates of different precision compare on their common prefix ('1992-02' covers '1992-02-26').
    n = min(len(a0), len(b0), len(a1), len(b1))
    return a0[:n] <= b1[:n] and b0[:n] <= a1[:n]


@dataclass(frozen=True)
class IncidentRef:
    """What the same-event linker needs of one incident report (kept in the build manifest)."""
    source: str
    node: str          # the report's IRI in its document's graph
    place: str         # the place key, or the place as printed
    date: str | None


def incident_refs(ex: Extraction) -> tuple[IncidentRef, ...]:
    return tuple(IncidentRef(ex.source, f"{ns.graph_iri(ex.source)}/incident/{inc.span.start}",
                             inc.place_key or inc.place, inc.date)
                 for inc in ex.incidents if inc.place)


def _reports(refs) -> list[IncidentRef]:
    reports: list[IncidentRef] = []
    for r in refs:
        reports.extend(incident_refs(r) if isinstance(r, Extraction) else (r,))
    return reports


def same_event_pairs(refs) -> dict[str, list[str]]:
    """Two incident reports from different documents with the same place and overlapping dates:
    each report's node -> the nodes it is linked to (both ways).

    ``refs``: IncidentRefs, or Extractions (their reports are taken)."""
    # Only reports of one place can describe one event: compare within a place, not every pair.
    by_place: dict[str, list[IncidentRef]] = {}
    for r in _reports(refs):
        by_place.setdefault(r.place, []).append(r)
    linked: dict[str, list[str]] = {}
    for group in by_place.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if a.source != b.source and _overlap(a.date, b.date):
                    linked.setdefault(a.node, []).append(b.node)
                    linked.setdefault(b.node, []).append(a.node)
    return linked


def links_key(refs) -> str:
    """A digest of what the links are made of (the reports, and this module): equal keys, equal links."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    for r in sorted(_reports(refs), key=lambda r: r.node):
        h.update(f"{r.node}\0{r.source}\0{r.place}\0{r.date or ''}\n".encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:16]


def same_event_chunks(refs, size: int = 50_000) -> Iterator[list[Quad]]:
    """The kgg:links graph in chunks of about ``size`` quads, in N-Quads order (each chunk sorted
    alone gives the same bytes as the whole graph sorted): a large corpus has millions of links, and
    holding them all as quads took gigabytes. Reports of one event link pairwise, so their number
    grows with the square of the reports per place."""
    linked = same_event_pairs(refs)
    g = NamedNode(ns.GRAPH_LINKS)
    pred = NamedNode(ns.KG + "sameEventAs")
    chunk: list[Quad] = []
    # N-Quads order compares "<subject> <predicate> <object>": order the IRIs as written there.
    for subject in sorted(linked, key=lambda iri: f"<{iri}>"):
        node = NamedNode(subject)
        chunk.extend(Quad(node, pred, NamedNode(o), g) for o in sorted(set(linked[subject]), key=lambda iri: f"<{iri}>"))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def same_event_links(refs) -> list[Quad]:
    """The whole kgg:links graph as quads (for tests and small corpora; a build streams the chunks)."""
    return [q for chunk in same_event_chunks(refs) for q in chunk]
