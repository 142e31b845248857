"""Corpus-level links written to the kgg:links graph: reports of the same event by different documents."""
from __future__ import annotations

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


def same_event_links(extractions: list[Extraction]) -> list[Quad]:
    """Two incident reports from different documents with the same place and overlapping dates."""
    reports = []
    for ex in extractions:
        for inc in ex.incidents:
            if inc.place:
                reports.append((ex.source, NamedNode(f"{ns.graph_iri(ex.source)}/incident/{inc.span.start}"), inc))
    g = NamedNode(ns.GRAPH_LINKS)
    pred = NamedNode(ns.KG + "sameEventAs")
    # Only reports of one place can describe one event: compare within a place, not every pair.
    by_place: dict[str, list] = {}
    for r in reports:
        by_place.setdefault(r[2].place_key or r[2].place, []).append(r)
    out = []
    for group in by_place.values():
        for i, (src_a, node_a, a) in enumerate(group):
            for src_b, node_b, b in group[i + 1:]:
                if src_a != src_b and _overlap(a.date, b.date):
                    out.append(Quad(node_a, pred, node_b, g))
                    out.append(Quad(node_b, pred, node_a, g))
    return out
