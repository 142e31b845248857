"""kg viz: interactive, offline HTML views of the graphs of kg.analytics (vis-network, via pyvis).

    write_viz("citations", out="output")         # -> output/viz-citations.html
    v = view("actors", "output"); html = render_html(v); net = to_pyvis(v)

pyvis assembles the vis-network node and edge records; the page itself is kg's own template
(kg/viz_template.py), because pyvis's template does not escape text, loads scripts from a CDN and
copies files into the working directory. Here:

- vis-network's JavaScript (shipped inside the pyvis wheel) is inlined: nothing is fetched, and
  the page's Content-Security-Policy forbids any request and any script but its own two;
- text from documents reaches the page only as JSON inside a ``<script type="application/json">``
  (with ``<``, ``>``, ``&`` written as ``\\u003c``...), as HTML-escaped text, or as tooltips and
  details set as text (vis-network renders string titles with innerText; the details panel uses
  textContent), so a ``<script>`` in a document stays text;
- positions are computed here (networkx) and physics is off, so large graphs open at once; past
  ``max_nodes`` nodes or ``max_edges`` links the least connected are left out, and the page says
  how many of which kind.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

import networkx as nx

from kg.analytics import graphs as g
from kg.analytics.metrics import cited_by, cited_by_count

VIEWS = ("citations", "actors", "incidents")
DEFAULT_MAX_NODES = 2000
DEFAULT_MAX_EDGES = 4000
CORE_LAYOUT_MAX = 500       # nodes laid out by force simulation per component; the rest placed by neighbours
LABEL_MAX = 38

# Node classes: (key, legend label, colour, vis-network shape).
CITATION_CLASSES = [
    ("letter", "Letter", "#4e79a7", "dot"),
    ("note", "Note verbale", "#59a14f", "diamond"),
    ("report", "Report", "#b07aa1", "square"),
    ("statement", "Statement", "#76b7b2", "triangle"),
    ("communication", "Communication", "#edc948", "star"),
    ("resolution", "Resolution or decision", "#f28e2b", "triangleDown"),
    ("record", "Meeting record", "#9c755f", "square"),
    ("judgment", "Judgment or rule", "#e15759", "hexagon"),
    ("document", "Other UN document", "#8cb0d9", "dot"),
    ("web", "Web page", "#bab0ac", "dot"),
]
CITATION_KIND_CLASS = {
    "Letter": "letter", "IdenticalLetters": "letter", "NoteVerbale": "note", "Report": "report",
    "StateReport": "report", "Statement": "statement", "JointStatement": "statement", "Communication": "communication",
    "Resolution": "resolution", "Decision": "resolution", "MeetingRecord": "record", "Judgment": "judgment",
    "Rule": "judgment", "Web page": "web",
}
CITATION_EDGES = [("cites", "cites", "#9aa5b1", False), ("citesAsEvidence", "cites as evidence", "#4e79a7", False),
                  ("repliesTo", "replies to", "#59a14f", False), ("disputes", "disputes", "#e15759", False)]

ACTOR_CLASSES = [
    ("State", "State", "#4e79a7", "dot"), ("Mandate holder", "Mandate holder", "#59a14f", "star"),
    ("Treaty body", "Treaty body", "#76b7b2", "diamond"), ("UN body", "UN body", "#f28e2b", "square"),
    ("Court", "Court", "#e15759", "hexagon"), ("Organization", "Organization", "#b07aa1", "triangle"),
    ("Person", "Person", "#9c755f", "dot"),
]
ACTOR_EDGES = [(g.AUTHORED, "authored (signed for)", "#9c755f", False), (g.ADDRESSED, "addressed to", "#4e79a7", False),
               (g.ALLEGES, "alleges against", "#e15759", False),
               (g.INVOKES_AGAINST, "invokes instrument against", "#b5282a", False),
               (g.COMMUNICATES, "communicates with", "#59a14f", False),
               (g.MENTIONED, "mentioned together", "#c8c8c8", True)]

INCIDENT_CLASSES = [("Incident", "Incident report", "#e15759", "star"), ("document", "Reporting document", "#4e79a7", "square"),
                    ("Place", "Place", "#59a14f", "triangle"), ("State", "State", "#f28e2b", "dot")]
INCIDENT_EDGES = [("reported by", "reported by", "#4e79a7", False), ("at", "at (place)", "#59a14f", False),
                  ("attributed to", "attributed to", "#e15759", False), ("authored by", "authored by", "#f28e2b", False),
                  ("same event as", "same event as", "#b07aa1", True)]


@dataclass
class Viz:
    """A view ready to draw: vis-network records plus legend and what was left out."""
    kind: str
    title: str
    nodes: list[dict]
    edges: list[dict]
    classes: list[tuple]                 # (key, label, colour, shape, count)
    edge_types: list[tuple]              # (key, label, colour, dashed, count)
    notes: list[str] = field(default_factory=list)
    total_nodes: int = 0
    total_edges: int = 0
    date_min: str | None = None
    date_max: str | None = None
    hide_isolated: bool = False
    unchecked: tuple = ()                # link types hidden until ticked (co-mentions of a large actor graph)

    def summary(self) -> dict:
        return {"kind": self.kind, "nodes": len(self.nodes), "edges": len(self.edges), "total_nodes": self.total_nodes,
                "total_edges": self.total_edges, "notes": self.notes}


# ---------------------------------------------------------------------------------------------
# Text helpers

def _cut(s: str | None, n: int = LABEL_MAX) -> str:
    s = " ".join((s or "").split())
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


def _doc_line(docs: dict, d: str) -> str:
    m = docs.get(d, {})
    bits = [m.get("label") or d]
    if m.get("date"):
        bits.append(f"({m['date']})")
    if m.get("sources"):
        bits.append("— " + ", ".join(m["sources"]))
    return " ".join(bits)


def _list(lines: list[str], n: int = 8) -> list[str]:
    return lines[:n] + ([f"… and {len(lines) - n} more"] if len(lines) > n else [])


# ---------------------------------------------------------------------------------------------
# Views: a networkx graph -> node/edge records with classes, tooltips and priorities

def _citation_records(C: nx.DiGraph):
    docs = C.graph.get("documents", {})
    nodes = []

    def node_title(n, d, out_deg) -> str:
        lines = [d["label"], f"{d['kind']}" + (" — in the corpus" if d["in_corpus"] else " — not in the corpus")]
        if d.get("symbols") and len(d["symbols"]) > 1:
            lines.append("symbols: " + ", ".join(d["symbols"]))
        if d.get("title"):
            lines.append("title: " + _cut(d["title"], 300))
        if d.get("dated"):
            lines.append(f"dated {d['dated']}")
        if d.get("issued"):
            lines.append(f"issued {d['issued']}")
        if d.get("sources"):
            lines.append("file: " + ", ".join(d["sources"]))
        citing = cited_by(C, n)
        if citing:
            lines.append(f"cited by {len(citing)} document(s):")
            lines += ["  " + _doc_line(docs, x) for x in _list(citing)]
        if out_deg:
            lines.append(f"cites {out_deg}")
        if not re.match(r"https?://", d["label"]) and (n.startswith("http://") or n.startswith("https://")):
            lines.append(n)
        return "\n".join(lines)

    def edge_title(u, v, e) -> str:
        lines = [f"{C.nodes[u]['label']} {e['type']} {C.nodes[v]['label']}"]
        if len(e["types"]) > 1:
            lines.append("types: " + ", ".join(e["types"]))
        for ev in e.get("evidence", [])[:6]:
            where = f" (footnote {ev['footnote']})" if ev.get("footnote") else ""
            q = ev.get("quote") or ev.get("cited_as")
            if q:
                lines.append(f"“{_cut(q, 300)}”{where}")
        lines.append("in: " + _doc_line(docs, u))
        return "\n".join(lines)

    # Tooltips are written only for what is drawn: at 100,000 documents the graph has 600,000 links.
    for n, d in C.nodes(data=True):
        out_deg = C.out_degree(n)
        nodes.append({"key": n, "label": d["label"], "cls": CITATION_KIND_CLASS.get(d["kind"], "document"),
                      "date": d.get("date"), "title": partial(node_title, n, d, out_deg),
                      "strong": d["in_corpus"], "priority": (1 if d["in_corpus"] else 0, cited_by_count(C, n) + out_deg)})
    def edge_records():
        for u, v, e in C.edges(data=True):
            yield {"from": u, "to": v, "etype": e["type"], "label": e["type"], "title": partial(edge_title, u, v, e),
                   "dates": [e["date"]] if e.get("date") else [], "weight": e.get("count", 1), "directed": True,
                   "priority": (0 if e["type"] == "cites" else 1, e.get("count", 1))}
    return nodes, edge_records()


def _actor_records(A: nx.MultiDiGraph, quote_of=None):
    """``quote_of(document, u, v)``: the quote shown for a link in a document (default: the link's
    ``evidence``; a g.DocumentQuotes reads them only for the links drawn)."""
    docs = A.graph.get("documents", {})
    nodes = []
    explicit_degree = Counter()
    for u, v, k, e in A.edges(keys=True, data=True):
        if k != g.MENTIONED:
            explicit_degree[u] += e["weight"]
            explicit_degree[v] += e["weight"]
    for n, d in A.nodes(data=True):
        rels = Counter()
        for _, _, k, e in list(A.out_edges(n, keys=True, data=True)) + list(A.in_edges(n, keys=True, data=True)):
            rels[k] += e["weight"]
        lines = [d["label"], d["kind"] + (f" ({d['code']})" if d.get("code") else "")]
        lines += [f"{k}: {c} document link(s)" for k, c in sorted(rels.items())]
        lines.append(n)
        nodes.append({"key": n, "label": d["label"], "cls": d["kind"], "date": None, "title": "\n".join(lines),
                      "strong": d["kind"] == "State",
                      "priority": (explicit_degree[n], sum(rels.values()))})
    def title(u, v, k, e) -> str:
        arrow = "—" if not e["directed"] else "→"
        lines = [f"{A.nodes[u]['label']} {arrow} {A.nodes[v]['label']}", f"{k}: {e['weight']} document(s)"]
        if e.get("instruments"):
            lines.append("instruments: " + "; ".join(_cut(x, 120) for x in e["instruments"][:6]))
        if e.get("communications"):
            lines.append("communications: " + ", ".join(e["communications"]))
        quote = {x["document"]: x["quote"] for x in e.get("evidence", [])}.get if quote_of is None \
            else partial(quote_of, u=u, v=v)
        for dref in _list(e["documents"]):
            if dref.startswith("… and"):
                lines.append(dref)
                continue
            q = quote(dref)
            lines.append("• " + _doc_line(docs, dref) + (f": “{_cut(q, 200)}”" if q else ""))
        return "\n".join(lines)

    def edge_records():
        for u, v, k, e in A.edges(keys=True, data=True):
            # The tooltip is written only for the links that are drawn (tens of thousands of co-mentions are not).
            yield {"from": u, "to": v, "etype": k, "label": k if k != g.MENTIONED else "together",
                   "title": partial(title, u, v, k, e),
                   "dates": e.get("dates", []), "weight": e["weight"], "directed": e["directed"],
                   "priority": (0 if k == g.MENTIONED else 1, e["weight"])}
    return nodes, edge_records()


def _incident_records(I: nx.DiGraph):
    docs = I.graph.get("documents", {})
    nodes = []

    # Tooltips are written only for what is drawn (at 100,000 documents: 2,000 of 418,235 nodes,
    # under 4,000 of 2.5 million links), as in the citation view.
    def incident_title(n, d) -> str:
        lines = [f"{d.get('type') or 'incident'}" + (f" — {d['place_label']}" if d.get("place_label") else ""),
                 f"date as printed: {d.get('printed_date') or '-'}"]
        if d.get("figures"):
            lines.append("figures: " + d["figures"])
        perps = [I.nodes[t]["label"] for _, t, e in I.out_edges(n, data=True) if e["type"] == "attributed to"]
        if perps:
            lines.append("attributed to: " + ", ".join(perps))
        if d.get("quote"):
            lines.append(f"“{_cut(d['quote'], 600)}”")
        lines.append("reported by: " + _doc_line(docs, d["document"]))
        return "\n".join(lines)

    def edge_title(u, v, e) -> str:
        lines = [f"{I.nodes[u].get('label')} — {e['type']} — {I.nodes[v].get('label')}"]
        lines += ["in: " + _doc_line(docs, x) for x in e.get("documents", [])]
        return "\n".join(lines)

    for n, d in I.nodes(data=True):
        kind = d.get("kind")
        if kind == "Incident":
            # Drawn with its document, place and states, or not at all (see _keep_with_companions).
            companions = [t for t in I.successors(n) if I.edges[n, t]["type"] != "same event as"]
            companions += [s for s in I.successors(d["document"]) if I.edges[d["document"], s]["type"] == "authored by"]
            nodes.append({"key": n, "label": _cut(d["label"], 40), "full": d["label"], "cls": "Incident",
                          "date": d.get("date"), "title": partial(incident_title, n, d), "strong": True,
                          "priority": (2, d.get("killed") or 0), "companions": companions})
        elif kind in ("Place", "State"):
            nodes.append({"key": n, "label": d["label"], "cls": kind, "date": None,
                          "title": f"{d['label']}\n{kind}\n{n}", "strong": False, "priority": (1, I.degree(n))})
        else:
            lines = [d.get("label") or n, kind or "Document"]
            if d.get("title"):
                lines.append("title: " + _cut(d["title"], 300))
            if d.get("date"):
                lines.append(f"date {d['date']}")
            if d.get("sources"):
                lines.append("file: " + ", ".join(d["sources"]))
            nodes.append({"key": n, "label": d.get("label") or n, "cls": "document", "date": d.get("date"),
                          "title": "\n".join(lines), "strong": False, "priority": (1, I.degree(n))})
    def edge_records():
        for u, v, e in I.edges(data=True):
            dates = sorted({docs[x]["date"] for x in e.get("documents", []) if docs.get(x, {}).get("date")})
            yield {"from": u, "to": v, "etype": e["type"], "label": e["type"], "title": partial(edge_title, u, v, e),
                   "dates": dates, "weight": 1, "directed": e["type"] != "same event as", "priority": (1, 1)}
    return nodes, edge_records()


# ---------------------------------------------------------------------------------------------
# Caps and layout

def _keep_with_companions(ranked: list[dict], max_nodes: int) -> tuple[list[dict], list[dict]]:
    """The first ``max_nodes`` of ``ranked``, each kept with its ``companions`` (node keys) or not at all.

    An incident drawn without its document, place and states says nothing, and incidents outrank
    them: at 10,000 documents the 2,000 nodes kept were all incidents, with 50 links among them.
    A node whose companions no longer fit is passed over for the next that fits.
    """
    by_key = {n["key"]: n for n in ranked}
    kept: dict = {}
    for n in ranked:
        if len(kept) >= max_nodes:
            break
        if n["key"] in kept:
            continue
        group = {n["key"]: n}
        for k in n.get("companions", ()):
            if k in by_key and k not in kept:
                group.setdefault(k, by_key[k])
        if len(kept) + len(group) <= max_nodes:
            kept.update(group)
    return list(kept.values()), [n for n in ranked if n["key"] not in kept]


def _cap(nodes, edges, max_nodes, max_edges, class_labels, edge_labels):
    """The nodes and links to draw, notes on what was left out, and how many links there were.

    ``edges`` is an iterable of link records, read once after the nodes are chosen: only the records
    of links between kept nodes are held (at 100,000 documents the incident graph has 2.5 million links).
    """
    notes = []
    if max_nodes and len(nodes) > max_nodes:
        ranked = sorted(nodes, key=lambda n: (n["priority"], n["key"]), reverse=True)
        keep, drop = _keep_with_companions(ranked, max_nodes)
        dropped = Counter(class_labels.get(n["cls"], n["cls"]) for n in drop)
        notes.append(f"Showing the {len(keep):,} best-connected of {len(nodes):,} nodes; left out {len(drop):,}: "
                     + ", ".join(f"{c:,} {k}" for k, c in dropped.most_common()) + ".")
        nodes = keep
    keys = {n["key"] for n in nodes}
    inside, total = [], 0
    for e in edges:
        total += 1
        if e["from"] in keys and e["to"] in keys:
            inside.append(e)
    if len(inside) < total:
        notes.append(f"{total - len(inside):,} links to nodes left out are not drawn.")
    if max_edges and len(inside) > max_edges:
        ranked = sorted(inside, key=lambda e: (e["priority"], e["from"], e["to"], e["etype"]), reverse=True)
        keep, drop = ranked[:max_edges], ranked[max_edges:]
        dropped = Counter(edge_labels.get(e["etype"], e["etype"]) for e in drop)
        dropped_types = {x["etype"] for x in drop}
        kept_same = [e["weight"] for e in keep if e["etype"] in dropped_types]
        floor = f"; the {', '.join(sorted(dropped))} links kept are each backed by at least {min(kept_same)} document(s)" \
            if kept_same else ""
        notes.append(f"Showing {len(keep):,} of {len(inside):,} links; left out {len(drop):,} of the weakest ("
                     + ", ".join(f"{c:,} {k}" for k, c in dropped.most_common()) + f"){floor}.")
        # Nodes whose every link was left out would float unlinked: leave them out too (but corpus
        # documents and states, which are what the view is about), and say so.
        linked = {e["from"] for e in keep} | {e["to"] for e in keep}
        before = {e["from"] for e in inside} | {e["to"] for e in inside}
        orphans = [n for n in nodes if n["key"] in before and n["key"] not in linked and not n["strong"]]
        if orphans:
            gone = Counter(class_labels.get(n["cls"], n["cls"]) for n in orphans)
            notes.append(f"Left out {len(orphans):,} nodes whose only links were among those: "
                         + ", ".join(f"{c:,} {k}" for k, c in gone.most_common()) + ".")
            drop_keys = {n["key"] for n in orphans}
            nodes = [n for n in nodes if n["key"] not in drop_keys]
        inside = keep
    return nodes, inside, notes, total


def _ordered_subgraph(G: nx.Graph, nodes) -> nx.Graph:
    """A copy of G's subgraph on ``nodes``, nodes in sorted order.

    Not ``G.subgraph``: a view of less than half the graph iterates its nodes in the order of a
    Python set, which changes from run to run with string hashing, and so would the layout.
    """
    keep = sorted(nodes, key=str)
    inside = set(keep)
    S = nx.Graph()
    S.add_nodes_from(keep)
    S.add_edges_from((a, b, dict(d)) for a in keep for b, d in G[a].items() if b in inside)
    return S


def _component_layout(H: nx.Graph, seed: int) -> dict:
    """Positions of one connected component: force layout of its core, leaves on spirals around their neighbour."""
    n = H.number_of_nodes()
    if n == 1:
        return {next(iter(H)): (0.0, 0.0)}
    if n == 2:
        a, b = sorted(H)
        return {a: (-90.0, 0.0), b: (90.0, 0.0)}
    leaves = {v for v in H if H.degree(v) == 1}
    core = [v for v in H if v not in leaves]
    if not core:                       # cannot happen for n > 2 connected, kept for safety
        core = [max(H, key=H.degree)]
        leaves.discard(core[0])
    pos: dict = {}
    if len(core) == 1:
        pos[core[0]] = (0.0, 0.0)
    else:
        deg = {v: H.degree(v, weight="weight") for v in core}
        top = sorted(core, key=lambda v: (-deg[v], str(v)))[:CORE_LAYOUT_MAX]
        T = _ordered_subgraph(H, top)
        density = 2.0 * T.number_of_edges() / max(1, len(top))
        scale = (75.0 + 6.0 * min(density, 12.0)) * math.sqrt(len(top)) + 60.0
        for a, b, d in T.edges(data=True):
            d["pull"] = math.log1p(d.get("weight", 1))
        raw = nx.spring_layout(T, seed=seed, iterations=60 if len(top) <= 300 else 35, weight="pull")
        for v, (x, y) in raw.items():
            pos[v] = (float(x) * scale, float(y) * scale)
        # The rest of the core, breadth-first from what is placed: near the mean of placed neighbours.
        rest = [v for v in core if v not in pos]
        rnd = _Rand(seed)
        while rest:
            progress = []
            for v in rest:
                nb = [pos[u] for u in H.neighbors(v) if u in pos]
                if nb:
                    x = sum(p[0] for p in nb) / len(nb) + rnd.jitter(60)
                    y = sum(p[1] for p in nb) / len(nb) + rnd.jitter(60)
                    progress.append((v, (x, y)))
            if not progress:
                break
            for v, p in progress:
                pos[v] = p
            rest = [v for v in rest if v not in pos]
    # Leaves: a sunflower spiral around their only neighbour, turned away from the component's centre.
    cx = sum(p[0] for p in pos.values()) / len(pos)
    cy = sum(p[1] for p in pos.values()) / len(pos)
    groups = defaultdict(list)
    for v in leaves:
        groups[next(iter(H.neighbors(v)))].append(v)
    golden = math.pi * (3 - math.sqrt(5))
    for hub, vs in groups.items():
        hx, hy = pos[hub]
        away = math.atan2(hy - cy, hx - cx) if (hx, hy) != (cx, cy) else 0.0
        for i, v in enumerate(sorted(vs, key=str)):
            r = 90.0 + 34.0 * math.sqrt(i)
            a = away + i * golden
            pos[v] = (hx + r * math.cos(a), hy + r * math.sin(a))
    return pos


class _Rand:
    """A tiny deterministic generator (no global random state touched)."""
    def __init__(self, seed: int):
        self.x = seed * 2654435761 % 2**32 or 1

    def jitter(self, amp: float) -> float:
        self.x = (1103515245 * self.x + 12345) % 2**31
        return (self.x / 2**31 - 0.5) * 2 * amp


def layout(keys: list, pairs: list[tuple], seed: int = 7) -> dict:
    """Positions in pixels for every key: components laid out one by one and packed in rows.

    ``pairs``: (a, b) or (a, b, weight); a pair seen in more documents pulls its ends closer.
    """
    U = nx.Graph()
    U.add_nodes_from(keys)
    for p in pairs:
        a, b, w = (p[0], p[1], p[2] if len(p) > 2 else 1)
        if a == b:
            continue
        if U.has_edge(a, b):
            U[a][b]["weight"] += w
        else:
            U.add_edge(a, b, weight=w)
    comps = sorted(nx.connected_components(U), key=lambda c: (-len(c), min(map(str, c))))
    boxes = []
    singles = []
    for c in comps:
        if len(c) == 1:
            singles.append(next(iter(c)))
            continue
        p = _component_layout(_ordered_subgraph(U, c), seed)
        xs = [q[0] for q in p.values()]
        ys = [q[1] for q in p.values()]
        boxes.append((max(xs) - min(xs) + 160, max(ys) - min(ys) + 120, min(xs), min(ys), p))
    area = sum(w * h for w, h, *_ in boxes) + len(singles) * 170 * 60
    width = max([w for w, *_ in boxes] + [math.sqrt(area) * 1.4, 900])
    pos, x, y, row_h = {}, 0.0, 0.0, 0.0
    for w, h, x0, y0, p in boxes:
        if x > 0 and x + w > width:
            x, y, row_h = 0.0, y + row_h, 0.0
        for k, (px, py) in p.items():
            pos[k] = (x + 80 + px - x0, y + 60 + py - y0)
        x += w
        row_h = max(row_h, h)
    y += row_h + (80 if boxes else 0)
    per_row = max(1, int(width // 170))
    for i, k in enumerate(sorted(singles, key=str)):
        pos[k] = (80 + (i % per_row) * 170, y + (i // per_row) * 60)
    return pos


# ---------------------------------------------------------------------------------------------
# Build a view

def view(kind: str, store="output", max_nodes: int = DEFAULT_MAX_NODES, max_edges: int = DEFAULT_MAX_EDGES,
         graph: nx.Graph | None = None) -> Viz:
    """The records of one view: ``kind`` is citations, actors or incidents; ``store`` a Store or build folder.

    ``graph`` may be given instead (a graph from kg.analytics of the same kind, possibly filtered).
    """
    if kind not in VIEWS:
        raise ValueError(f"unknown view {kind!r}: choose one of {', '.join(VIEWS)}")
    if kind == "citations":
        G = graph if graph is not None else g.citation_graph(store)
        nodes, edges = _citation_records(G)
        classes, etypes, title = CITATION_CLASSES, CITATION_EDGES, "kg: citations"
    elif kind == "actors":
        if graph is not None:
            G, quote_of = graph, None
        else:
            # The graph without its quotes: the tooltips of the links drawn read theirs document by document.
            store = g.as_store(store)
            G = g.actor_graph(store, evidence=False)
            quote_of = g.DocumentQuotes(store, set(G.nodes))
        nodes, edges = _actor_records(G, quote_of)
        classes, etypes, title = ACTOR_CLASSES, ACTOR_EDGES, "kg: actors"
    else:
        G = graph if graph is not None else g.incident_graph(store)
        nodes, edges = _incident_records(G)
        classes, etypes, title = INCIDENT_CLASSES, INCIDENT_EDGES, "kg: incidents"
    total_nodes = len(nodes)
    class_labels = {c[0]: c[1] for c in classes}
    edge_labels = {e[0]: e[1] for e in etypes}
    nodes, edges, notes, total_edges = _cap(nodes, edges, max_nodes, max_edges, class_labels, edge_labels)
    if not nodes:
        notes.append("The graph is empty: nothing of this kind was extracted from the corpus.")
    keys = sorted((n["key"] for n in nodes), key=str)
    pos = layout(keys, [(e["from"], e["to"], e["weight"]) for e in edges])

    style = {c[0]: c for c in classes}
    ecolor = {e[0]: e for e in etypes}
    index = {k: i for i, k in enumerate(keys)}
    degree = Counter()
    for e in edges:
        degree[e["from"]] += 1
        degree[e["to"]] += 1
    out_nodes = []
    for n in sorted(nodes, key=lambda n: index[n["key"]]):
        _, _, color, shape = style.get(n["cls"], (n["cls"], n["cls"], "#999999", "dot"))
        x, y = pos[n["key"]]
        size = 9 + min(16, 2.4 * math.sqrt(degree[n["key"]]))
        rec = {"id": index[n["key"]], "label": _cut(n["label"]), "full": n.get("full") or n["label"], "cls": n["cls"],
               "shape": shape, "color": {"background": color, "border": _darken(color, 0.55) if n["strong"] else _darken(color, 0.85),
                                         "highlight": {"background": color, "border": "#000000"}},
               "borderWidth": 2.5 if n["strong"] else 1, "size": round(size, 1), "x": round(x, 1), "y": round(y, 1),
               "title": n["title"]() if callable(n["title"]) else n["title"], "date": n["date"], "iri": n["key"] if isinstance(n["key"], str) else None}
        out_nodes.append(rec)
    out_edges = []
    max_w = max([e["weight"] for e in edges] + [1])
    for i, e in enumerate(sorted(edges, key=lambda e: (index[e["from"]], index[e["to"]], e["etype"]))):
        _, _, color, dashed = ecolor.get(e["etype"], (e["etype"], e["etype"], "#999999", False))
        out_edges.append({"id": i, "from": index[e["from"]], "to": index[e["to"]], "etype": e["etype"],
                          "label": e["label"], "title": e["title"]() if callable(e["title"]) else e["title"],
                          "dates": e["dates"],
                          "color": {"color": color, "highlight": "#000000", "hover": "#333333"}, "dashes": dashed,
                          "width": round(1 + 4 * math.log1p(e["weight"]) / math.log1p(max_w), 2) if max_w > 1 else 1.5,
                          "arrows": "to" if e["directed"] else ""})
    dates = sorted(d for d in [n["date"] for n in out_nodes] + [x for e in out_edges for x in e["dates"]] if d)
    ccount = Counter(n["cls"] for n in out_nodes)
    ecount = Counter(e["etype"] for e in out_edges)
    unchecked = ()
    if kind == "actors" and sum(1 for e in out_edges if e["etype"] != g.MENTIONED) >= 50:
        unchecked = (g.MENTIONED,)
        notes.append("Links of actors mentioned together are hidden at first (tick “mentioned together” to show them); "
                     "nodes left without a link are hidden while “hide nodes left without links” is ticked.")
    return Viz(kind=kind, title=title, nodes=out_nodes, edges=out_edges, unchecked=unchecked,
               classes=[(k, lab, col, shp, ccount[k]) for k, lab, col, shp in classes if ccount[k]],
               edge_types=[(k, lab, col, dash, ecount[k]) for k, lab, col, dash in etypes if ecount[k]],
               notes=notes, total_nodes=total_nodes, total_edges=total_edges,
               date_min=dates[0][:10] if dates else None, date_max=_date_max(dates[-1]) if dates else None,
               hide_isolated=(kind == "actors"))


def _darken(color: str, f: float) -> str:
    r, gr, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return "#%02x%02x%02x" % (int(r * f), int(gr * f), int(b * f))


def _date_max(d: str) -> str:
    return d[:10] if len(d) >= 10 else (d + "-12-31")[:10] if len(d) == 4 else (d + "-28")[:10]


# ---------------------------------------------------------------------------------------------
# pyvis and HTML

def to_pyvis(v: Viz):
    """The view as a pyvis Network (for notebooks). Its own ``show()``/``write_html()`` use pyvis's
    template (CDN, no escaping): prefer ``render_html``/``write_viz``, which are offline and escaped."""
    from pyvis.network import Network
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line", heading="")
    for n in v.nodes:
        net.add_node(n["id"], **{k: val for k, val in n.items() if k != "id"})
    for e in v.edges:
        net.add_edge(e["from"], e["to"], **{k: val for k, val in e.items() if k not in ("from", "to")})
    net.toggle_physics(False)
    net.options = vis_options(v)    # what Network.set_options would store (it strips spaces from strings)
    return net


def vis_options(v: Viz) -> dict:
    big = len(v.nodes) > 800 or len(v.edges) > 2500
    return {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
                        "multiselect": True, "navigationButtons": False, "keyboard": {"enabled": True, "bindToWindow": False}},
        "nodes": {"font": {"size": 15, "face": "system-ui, DejaVu Sans, sans-serif", "strokeWidth": 4,
                           "strokeColor": "#ffffff", "color": "#1a1a1a"},
                  "scaling": {"label": {"enabled": False, "drawThreshold": 5}}},
        "edges": {"smooth": False, "selectionWidth": 2, "hoverWidth": 1.5,
                  "font": {"size": 10, "align": "middle", "color": "#555555", "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "scaling": {"label": {"enabled": False, "drawThreshold": 8}},
                  "arrows": {"to": {"scaleFactor": 0.6}}},
    }


def _script_json(obj) -> str:
    """JSON that is safe inside <script>: no '<', '>', '&' or line separators left literal."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (s.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
             .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@lru_cache(maxsize=1)
def vis_network_js() -> str:
    """vis-network 9.1.2 as shipped in the pyvis wheel, without its source-map comment."""
    from importlib.resources import files
    try:
        src = (files("pyvis") / "lib" / "vis-9.1.2" / "vis-network.min.js").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as e:
        raise RuntimeError("vis-network.min.js not found: install pyvis (pip install pyvis), which ships it") from e
    src = re.sub(r"//# sourceMappingURL=\S+\s*$", "", src)
    if re.search(r"</script|<!--", src, re.I):
        raise RuntimeError("vis-network.min.js contains a sequence that would end an inline script")
    return src


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def _swatch(shape: str, color: str, border: str = "#222222") -> str:
    shapes = {
        "dot": '<circle cx="8" cy="8" r="6"/>', "square": '<rect x="2" y="2" width="12" height="12"/>',
        "diamond": '<polygon points="8,1 15,8 8,15 1,8"/>', "triangle": '<polygon points="8,1 15,14 1,14"/>',
        "triangleDown": '<polygon points="1,2 15,2 8,15"/>', "hexagon": '<polygon points="4,1 12,1 15,8 12,15 4,15 1,8"/>',
        "star": '<polygon points="8,1 10,6 15,6 11,9 13,15 8,11 3,15 5,9 1,6 6,6"/>',
    }
    return (f'<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"><g fill="{html.escape(color)}" '
            f'stroke="{html.escape(border)}" stroke-width="1">{shapes.get(shape, shapes["dot"])}</g></svg>')


def _line(color: str, dashed: bool) -> str:
    dash = ' stroke-dasharray="3,2"' if dashed else ""
    return (f'<svg width="22" height="10" viewBox="0 0 22 10" aria-hidden="true"><line x1="1" y1="5" x2="21" y2="5" '
            f'stroke="{html.escape(color)}" stroke-width="2"{dash}/></svg>')


def render_html(v: Viz) -> str:
    """The whole page as a string: self-contained, escaped, no external reference."""
    esc = html.escape
    node_legend = "\n".join(
        f'<label class="kg-legend-item" title="double-click: show only this kind"><input type="checkbox" checked '
        f'data-kg-default="1" data-kg-class="{esc(k)}"> {_swatch(shape, col)} <span>{esc(lab)}</span> <span class="kg-count">{cnt:,}</span></label>'
        for k, lab, col, shape, cnt in v.classes) or '<div class="kg-small">none</div>'
    edge_legend = "\n".join(
        f'<label class="kg-legend-item" title="double-click: show only this kind"><input type="checkbox"'
        f'{"" if k in v.unchecked else " checked"} data-kg-default="{0 if k in v.unchecked else 1}" '
        f'data-kg-etype="{esc(k)}"> {_line(col, dash)} <span>{esc(lab)}</span> <span class="kg-count">{cnt:,}</span></label>'
        for k, lab, col, dash, cnt in v.edge_types) or '<div class="kg-small">none</div>'
    legend_note = ('<div class="kg-small">Thick border: a document of the corpus (citations) or a state (actors). '
                   'Size: number of links.</div>')
    notes = "\n".join(f'<div class="kg-note">{esc(n)}</div>' for n in v.notes)
    stats = (f"{len(v.nodes):,} nodes and {len(v.edges):,} links"
             + (f" (of {v.total_nodes:,} and {v.total_edges:,})" if (v.total_nodes, v.total_edges) != (len(v.nodes), len(v.edges)) else ""))
    net = to_pyvis(v)     # pyvis assembles the node and edge records vis-network reads
    data = {"nodes": net.nodes, "edges": net.edges, "options": vis_options(v), "dateMin": v.date_min, "dateMax": v.date_max,
            "hideIsolated": v.hide_isolated, "kind": v.kind}
    from kg.viz_template import APP_JS, CSS, PAGE
    vis_js = vis_network_js()
    fields = {
        "TITLE": esc(v.title), "STATS": esc(stats), "NOTES": notes, "NODE_LEGEND": node_legend, "EDGE_LEGEND": edge_legend,
        "LEGEND_NOTE": legend_note, "DATE_MIN": esc(v.date_min or ""), "DATE_MAX": esc(v.date_max or ""),
        "ISOLATED_CHECKED": " checked" if v.hide_isolated else "", "CSS": CSS, "DATA": _script_json(data),
        "VIS_JS": vis_js, "APP_JS": APP_JS, "SCRIPT_HASHES": f"{_sha256(vis_js)} {_sha256(APP_JS)}",
    }
    # One pass: text inserted for one marker is never scanned for another.
    return re.sub(r"@@([A-Z_]+)@@", lambda m: fields[m.group(1)], PAGE)


def default_path(kind: str, out) -> Path:
    return Path(out) / f"viz-{kind}.html"


def write_viz(kind: str, out="output", file=None, max_nodes: int = DEFAULT_MAX_NODES,
              max_edges: int = DEFAULT_MAX_EDGES, store=None) -> tuple[Path, Viz]:
    """Write the view ``kind`` of the build in ``out`` to ``file`` (default OUT/viz-KIND.html), atomically."""
    from kg.store import atomic_write_bytes
    v = view(kind, store if store is not None else out, max_nodes=max_nodes, max_edges=max_edges)
    path = Path(file) if file else default_path(kind, out)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, render_html(v).encode("utf-8"))
    return path, v
