"""Corpus-level links written to the kgg:links graph: reports of the same event by different documents."""
from __future__ import annotations

from dataclasses import dataclass

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


def same_event_links(refs) -> list[Quad]:
    """Two incident reports from different documents with the same place and overlapping dates.

    ``refs``: IncidentRefs, or Extractions (their reports are taken)."""
    reports = []
    for r in refs:
        reports.extend(incident_refs(r) if isinstance(r, Extraction) else (r,))
    g = NamedNode(ns.GRAPH_LINKS)
    pred = NamedNode(ns.KG + "sameEventAs")
    # Only reports of one place can describe one event: compare within a place, not every pair.
    by_place: dict[str, list[IncidentRef]] = {}
    for r in reports:
        by_place.setdefault(r.place, []).append(r)
    out = []
    for group in by_place.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if a.source != b.source and _overlap(a.date, b.date):
                    out.append(Quad(NamedNode(a.node), pred, NamedNode(b.node), g))
                    out.append(Quad(NamedNode(b.node), pred, NamedNode(a.node), g))
    return out
