"""Metrics over the graphs of kg.analytics.graphs: each answers one question and returns plain rows
(dicts of strings and numbers, JSON-ready), sorted deterministically."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from urllib.parse import quote

import networkx as nx

from kg import namespaces as ns
from kg.analytics.graphs import (ADDRESSED, ALLEGES, COMMUNICATES, DOCUMENT_KINDS, INVOKES_AGAINST, MENTIONED,
                                 REPLY_TYPES, UNDIRECTED_RELATIONS as UNDIRECTED)

ENGAGEMENT_RELATIONS = (ADDRESSED, ALLEGES, INVOKES_AGAINST, COMMUNICATES)
THREAD_EXCLUDED_KINDS = ("Resolution", "Decision")


def _label(G, n) -> str:
    return G.nodes[n].get("label") or n


def _node_row(G, n) -> dict:
    d = G.nodes[n]
    return {"id": n, "label": d.get("label", n), "kind": d.get("kind"), "date": d.get("date"),
            "in_corpus": d.get("in_corpus", False)}


def cited_by(C: nx.DiGraph, n) -> list[str]:
    """The distinct documents citing n (sorted IRIs)."""
    return sorted({doc for _, _, d in C.in_edges(n, data=True) for doc in d["documents"]})


def cited_by_count(C: nx.DiGraph, n) -> int:
    """How many distinct documents cite n."""
    return len({doc for _, _, d in C.in_edges(n, data=True) for doc in d["documents"]})


def most_cited(C: nx.DiGraph, n: int = 10, kinds=None, exclude_kinds=("Web page",)) -> list[dict]:
    """The most cited things: in-degree counted as distinct citing documents, then printed citations.

    Rows: id, label, kind, date, in_corpus, cited_by (count), citations (count), citing (labels).
    """
    rows = []
    for node in C.nodes:
        if C.in_degree(node) == 0:
            continue
        kind = C.nodes[node].get("kind")
        if (kinds and kind not in kinds) or (exclude_kinds and kind in exclude_kinds):
            continue
        rows.append({**_node_row(C, node), "cited_by": cited_by_count(C, node),
                     "citations": sum(d.get("count", 1) for _, _, d in C.in_edges(node, data=True))})
    rows.sort(key=lambda r: (-r["cited_by"], -r["citations"], r["label"], r["id"]))
    rows = rows[:n] if n else rows
    # The citing documents' labels only for the rows returned: a whole graph's worth is millions.
    for r in rows:
        r["citing"] = sorted(_label(C, c) for c in cited_by(C, r["id"]))
    return rows


def central_documents(C: nx.DiGraph, n: int = 10, alpha: float = 0.85, exclude_kinds=("Web page",)) -> list[dict]:
    """PageRank over the citation graph (citing -> cited, weighted by printed citations).

    The rank is computed over the whole graph; rows of ``exclude_kinds`` are then left out.
    """
    if C.number_of_nodes() == 0:
        return []
    pr = nx.pagerank(C, alpha=alpha, weight="count")
    ranked = sorted(((-round(v, 6), _label(C, k), k) for k, v in pr.items()
                     if C.nodes[k].get("kind") not in (exclude_kinds or ())))
    return [{**_node_row(C, k), "pagerank": -v, "in_degree": cited_by_count(C, k)}
            for v, _, k in (ranked[:n] if n else ranked)]


def longest_chains(C: nx.DiGraph, n: int = 5) -> list[dict]:
    """The longest citation chains A cites B cites C ..., one per starting document, longest first.

    Cycles (mutual citations) are collapsed first, so a chain is a path of the condensation; a
    step that stands for a cycle lists all its members. Rows: length (edges), path (nodes, each
    id, label, kind, date), types (the citation type of each step).
    """
    if C.number_of_nodes() == 0:
        return []
    cond = nx.condensation(C)
    members = {c: sorted(cond.nodes[c]["members"], key=lambda m: (_label(C, m), m)) for c in cond}
    key = {c: (_label(C, members[c][0]), members[c][0]) for c in cond}
    dist, nxt = {}, {}
    for c in reversed(list(nx.topological_sort(cond))):
        best = None
        for s in cond.successors(c):
            cand = (dist[s] + 1, key[s], s)
            if best is None or cand[0] > best[0] or (cand[0] == best[0] and cand[1] < best[1]):
                best = cand
        dist[c] = best[0] if best else 0
        nxt[c] = best[2] if best else None
    starts = sorted((c for c in cond if cond.in_degree(c) == 0 and dist[c] > 0), key=lambda c: (-dist[c], key[c]))
    out = []
    for c in starts[:n] if n else starts:
        steps = []
        while c is not None:
            steps.append(c)
            c = nxt[c]
        path, types = [], []
        for i, s in enumerate(steps):
            m = members[s]
            row = _node_row(C, m[0])
            if len(m) > 1:
                row["cycle"] = [_label(C, x) for x in m]
            path.append(row)
            if i + 1 < len(steps):
                t = next((C.edges[a, b]["type"] for a in m for b in members[steps[i + 1]] if C.has_edge(a, b)), "cites")
                types.append(t)
        out.append({"length": len(steps) - 1, "path": path, "types": types})
    return out


def reply_threads(R: nx.DiGraph, exclude_kinds=THREAD_EXCLUDED_KINDS, min_size: int = 2) -> list[dict]:
    """Threads of replies: connected groups of documents linked by repliesTo/disputes.

    Replies to resolutions and decisions ("in response to resolution 1540 (2004)") are left out by
    default: they answer a mandate, not a document, and would join unrelated letters. Rows: size,
    start and end dates, documents in date order (undated last), edges (from, to, type).
    """
    H = nx.DiGraph()
    for u, v, d in R.edges(data=True):
        if d.get("type") not in REPLY_TYPES or R.nodes[v].get("kind") in (exclude_kinds or ()):
            continue
        H.add_edge(u, v, type=d["type"])
    threads = []
    for comp in nx.weakly_connected_components(H):
        if len(comp) < min_size:
            continue
        nodes = sorted(comp, key=lambda x: (R.nodes[x].get("date") or "9999", _label(R, x), x))
        dates = [R.nodes[x]["date"] for x in nodes if R.nodes[x].get("date")]
        edges = sorted(({"from": _label(R, u), "to": _label(R, v), "type": d["type"], "from_id": u, "to_id": v}
                        for u, v, d in H.subgraph(comp).edges(data=True)), key=lambda e: (e["from"], e["to"]))
        threads.append({"size": len(comp), "start": min(dates) if dates else None, "end": max(dates) if dates else None,
                        "documents": [_node_row(R, x) for x in nodes], "edges": edges})
    threads.sort(key=lambda t: (-t["size"], t["start"] or "9999", t["documents"][0]["label"]))
    return threads


def components(G: nx.Graph, n: int = 5) -> dict:
    """Weakly connected components: count, sizes, and the largest ones' best-connected members."""
    U = G.to_undirected(as_view=True) if G.is_directed() else G
    comps = sorted(nx.connected_components(U), key=lambda c: (-len(c), min(c)))
    return {"count": len(comps), "sizes": [len(c) for c in comps],
            "isolated": sum(1 for c in comps if len(c) == 1),
            "largest": [{"size": len(c), "top": _top_members(G, c)} for c in comps[:n]]}


def _top_members(G, nodes, k: int = 5) -> list[str]:
    return [_label(G, x) for x in sorted(nodes, key=lambda x: (-G.degree(x), _label(G, x), x))[:k]]


def communities(G: nx.Graph, n: int = 5, weight: str | None = None, seed: int = 0) -> list[dict]:
    """Louvain communities (seeded, so stable) of the undirected graph, largest first."""
    if G.number_of_nodes() == 0:
        return []
    U = nx.Graph()
    U.add_nodes_from(G.nodes)
    for u, v, d in G.edges(data=True):
        if u == v:
            continue
        w = d.get(weight, 1) if weight else 1
        if U.has_edge(u, v):
            U[u][v]["weight"] += w
        else:
            U.add_edge(u, v, weight=w)
    comms = nx.community.louvain_communities(U, weight="weight", seed=seed)
    comms = sorted((c for c in comms if len(c) > 1), key=lambda c: (-len(c), min(c)))
    return [{"size": len(c), "top": _top_members(G, c),
             # Ties in count by kind name: a community is a set, iterated in an order that changes
             # with the interpreter's string hashing, and report.json should not.
             "kinds": dict(sorted(Counter(G.nodes[x].get("kind") for x in c).items(), key=lambda kv: (-kv[1], str(kv[0]))))}
            for c in (comms[:n] if n else comms)]


def state_engagement(A: nx.MultiDiGraph, n: int = 5, states=None) -> dict[str, dict]:
    """For each state, the actors it engages with most.

    Engagement is counted in documents, over the relations that say something (addressed to,
    alleges against, invokes instrument against, communicates with; either direction), then over
    documents that mention both. Only states with at least one such relation are listed, most
    engaged first. Returns {state IRI: {label, code, documents, top: [{id, label, kind, documents,
    relations: {relation: documents}, mentioned_together}]}}.
    """
    explicit: dict[str, dict[str, dict[str, set]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(set)))
    together: dict[str, dict[str, int]] = defaultdict(dict)
    for u, v, rel, d in A.edges(keys=True, data=True):
        for a, b, name in ((u, v, rel), (v, u, rel if rel in UNDIRECTED else f"{rel} (received)")):
            if A.nodes[a].get("kind") != "State":
                continue
            if rel in ENGAGEMENT_RELATIONS:
                explicit[a][b][name].update(d["documents"])
            elif rel == MENTIONED:
                together[a][b] = d["weight"]
    state_docs = {s: set().union(*(x for rels in explicit[s].values() for x in rels.values())) for s in explicit}
    out = {}
    for s in sorted(explicit, key=lambda s: (-len(state_docs[s]), _label(A, s), s)):
        if states and s not in states and A.nodes[s].get("code") not in states:
            continue
        rows = []
        for b, rels in explicit[s].items():
            docs = set().union(*rels.values())
            rows.append({"id": b, "label": _label(A, b), "kind": A.nodes[b].get("kind"), "documents": len(docs),
                         "relations": {r: len(x) for r, x in sorted(rels.items())},
                         "mentioned_together": together[s].get(b, 0)})
        # Then the actors most often mentioned alongside it, to fill up to n.
        extra = sorted((b for b in together[s] if b not in explicit[s]),
                       key=lambda b: (-together[s][b], _label(A, b), b))
        for b in extra[:max(0, n - len(rows))]:
            rows.append({"id": b, "label": _label(A, b), "kind": A.nodes[b].get("kind"), "documents": 0,
                         "relations": {}, "mentioned_together": together[s][b]})
        rows.sort(key=lambda r: (-r["documents"], -r["mentioned_together"], r["label"], r["id"]))
        out[s] = {"label": _label(A, s), "code": A.nodes[s].get("code"), "documents": len(state_docs[s]),
                  "top": rows[:n] if n else rows}
    return out


def forward_citations(C: nx.DiGraph) -> list[dict]:
    """Citations that point forward in time: the cited document is dated after the citing one was issued.

    Either an extraction error (a misread symbol) or a reissued document. Compared: the citing
    document's latest date (issued, else dated) with the cited document's earliest date; a cited
    document absent from the corpus is compared by the year its symbol carries (S/2025/...).
    """
    out = []
    for u, v, d in C.edges(data=True):
        cu, cv = C.nodes[u], C.nodes[v]
        late = cu.get("latest")
        if not late:
            continue
        early = cv.get("earliest")
        reason = None
        if early and early > late:
            reason = f"cited document dated {early}, after the citing document ({late})"
        elif not early and cv.get("symbol_year") and cv["symbol_year"] > int(late[:4]):
            reason = f"cited symbol carries the year {cv['symbol_year']}, after the citing document ({late})"
        if reason:
            out.append({"citing": u, "citing_label": cu["label"], "citing_date": late, "cited": v,
                        "cited_label": cv["label"], "cited_date": early or str(cv["symbol_year"]),
                        "type": d["type"], "reason": reason,
                        "cited_as": d.get("cited_as", [])})
    out.sort(key=lambda r: (r["citing_label"], r["cited_label"]))
    return out


RESOLUTION_SERIES = {"security-council": "S/RES/", "general-assembly": "A/RES/", "human-rights-council": "A/HRC/RES/"}


def fetch_url(node: dict, iri: str) -> str | None:
    """Where to fetch a cited document: its undocs.org IRI, or one made from its symbol."""
    if iri.startswith(ns.UNDOC):
        return iri
    m = re.match(re.escape(ns.KGID) + r"resolution/([a-z-]+)/(\d+(?:-\d+)?)$", iri)
    if m and m.group(1) in RESOLUTION_SERIES and not node.get("symbols"):
        return ns.UNDOC + RESOLUTION_SERIES[m.group(1)] + m.group(2).replace("-", "/")
    for s in node.get("symbols") or []:
        if "/" in s:
            return ns.UNDOC + quote(s.replace(" ", ""), safe="/.-_()")
    return None


def missing_documents(C: nx.DiGraph) -> list[dict]:
    """Documents cited but absent from the corpus (what to fetch next), most cited first.

    UN documents, resolutions, decisions, communications and judgments; web pages are left out.
    Rows: id, label, kind, symbols, url (undocs.org where there is a symbol), cited_by, citing.
    """
    rows = []
    for node, d in C.nodes(data=True):
        if d.get("in_corpus") or d.get("kind") not in DOCUMENT_KINDS + ["Judgment"] or C.in_degree(node) == 0:
            continue
        citing = cited_by(C, node)
        rows.append({"id": node, "label": d["label"], "kind": d["kind"], "symbols": d.get("symbols", []),
                     "url": fetch_url(d, node), "cited_by": len(citing),
                     "citing": sorted(_label(C, c) for c in citing)})
    rows.sort(key=lambda r: (-r["cited_by"], r["label"], r["id"]))
    return rows
