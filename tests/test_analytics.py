"""kg.analytics: graphs from the store and the metrics over them, with the real values of the default corpus."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import networkx as nx
import pytest
from click.testing import CliRunner

import kg.analytics as ka
from kg import namespaces as ns
from kg.analytics.report import md

AZE, ARM = ns.state_iri("AZE"), ns.state_iri("ARM")
SG = ns.KGID + "body/secretary-general"
SR_EXECUTIONS = ns.KGID + "body/sr-extrajudicial-executions"
A_75_875 = ns.UNDOC + "A/75/875"


def doc_of(G, source: str) -> str:
    """The document node built from a corpus file."""
    hits = [n for n, d in G.nodes(data=True) if source in (d.get("sources") or [])]
    assert len(hits) == 1, (source, hits)
    return hits[0]


def by_label(G, label: str) -> str:
    hits = [n for n, d in G.nodes(data=True) if d.get("label") == label]
    assert len(hits) == 1, (label, hits)
    return hits[0]


@pytest.fixture(scope="module")
def store(corpus_build):
    return ka.as_store(corpus_build[0])


@pytest.fixture(scope="module")
def C(store):
    return ka.citation_graph(store)


@pytest.fixture(scope="module")
def A(store):
    return ka.actor_graph(store)


# --- citation graph ---------------------------------------------------------------------------

def test_citation_graph_has_the_corpus_documents_with_dates(C):
    corpus = [n for n, d in C.nodes(data=True) if d["in_corpus"]]
    assert len(corpus) == 5
    letter = C.nodes[doc_of(C, "002_7ba849221ed25377.txt")]
    assert letter["kind"] == "Letter" and letter["dated"] == "2023-02-08" and letter["issued"] == "2023-02-09"
    assert letter["date"] == "2023-02-08"
    a75 = C.nodes[A_75_875]
    assert a75["in_corpus"] and a75["label"] == "A/75/875" and "S/2021/433" in a75["symbols"]
    assert a75["dated"] == "2021-05-05" and a75["issued"] == "2021-05-14"


def test_citation_edges_are_typed_and_keep_their_documents(C):
    d002 = doc_of(C, "002_7ba849221ed25377.txt")
    e = C.edges[d002, ns.UNDOC + "A/77/686"]
    assert e["type"] == "disputes" and e["documents"] == [d002]
    assert [x["cited_as"] for x in e["evidence"]] == ["A/77/686-S/2023/22"]
    assert e["evidence"][0]["footnote"] == "1"
    d000 = doc_of(C, "000_69eed672c96147f9.txt")
    comm = ns.KGID + "communication/AL-AZE-3-2024"
    assert C.edges[d000, comm]["type"] == "repliesTo"
    assert C.nodes[comm]["kind"] == "Communication" and C.nodes[comm]["label"] == "AL AZE 3/2024"
    for u, v, d in C.edges(data=True):
        assert d["documents"] == sorted(d["documents"]) and u in d["documents"]
        assert d["type"] in ("cites", "repliesTo", "disputes", "citesAsEvidence")


def test_citation_graph_without_evidence_keeps_counts_and_printed_forms(store, C):
    """kg analyze builds it without evidence: same nodes, edges, counts and printed forms (cited_as)."""
    bare = ka.citation_graph(store, evidence=False)
    assert list(bare.nodes(data=True)) == list(C.nodes(data=True))
    assert sum(len(d["evidence"]) for *_, d in C.edges(data=True)) > 20
    assert all(d["cited_as"] == sorted({x["cited_as"] for x in d["evidence"] if x["cited_as"]})
               for *_, d in C.edges(data=True))
    d002 = doc_of(C, "002_7ba849221ed25377.txt")
    assert bare.edges[d002, ns.UNDOC + "A/77/686"]["cited_as"] == ["A/77/686-S/2023/22"]   # as printed in 002
    assert list(bare.edges(data=True)) == [(u, v, {**d, "evidence": []}) for u, v, d in C.edges(data=True)]


def test_most_cited_documents_of_the_default_corpus(C):
    top = ka.most_cited(C, 5)
    # Each cited once per citing document; these three are printed twice by the document citing them.
    assert {r["label"] for r in top[:3]} == {"A/77/597", "AL AZE 3/2024", "CAT/C/AZE/CO/5"}
    assert all(r["cited_by"] == 1 and r["citations"] == 2 for r in top[:3])
    assert top[3]["citations"] == 1
    assert all(r["kind"] != "Web page" for r in ka.most_cited(C, 0))
    cat = next(r for r in top if r["label"] == "CAT/C/AZE/CO/5")
    assert cat["citing"] == ["Information received from Azerbaijan on follow-…"]


def test_pagerank_is_a_distribution_and_ranks_cited_things_first(C):
    rows = ka.central_documents(C, 0, exclude_kinds=())
    assert len(rows) == C.number_of_nodes()
    assert sum(r["pagerank"] for r in rows) == pytest.approx(1.0, abs=1e-3)
    assert [r["pagerank"] for r in rows] == sorted((r["pagerank"] for r in rows), reverse=True)
    top = ka.central_documents(C, 3)
    assert top[0]["in_degree"] >= 1 and top[0]["kind"] != "Web page"


def test_reply_threads_of_the_default_corpus(C):
    R = ka.reply_graph(C)
    threads = ka.reply_threads(R)
    labels = [{d["label"] for d in t["documents"]} for t in threads]
    d002 = C.nodes[doc_of(C, "002_7ba849221ed25377.txt")]["label"]
    # The letter of 8 February 2023 disputes three letters of Armenia.
    rejection = next(t for t in threads if d002 in {d["label"] for d in t["documents"]})
    assert {d["label"] for d in rejection["documents"]} == {d002, "A/77/686", "A/77/597", "A/77/611"}
    assert {(e["to"], e["type"]) for e in rejection["edges"]} == {("A/77/686", "disputes"), ("A/77/597", "disputes"),
                                                                 ("A/77/611", "disputes")}
    assert rejection["start"] == "2023-02-08"
    # The note verbale of 27 September 2024 answers joint communication AL AZE 3/2024.
    assert any("AL AZE 3/2024" in s for s in labels)
    # Every thread is ordered by date, undated (cited, not held) documents last.
    for t in threads:
        dates = [d["date"] for d in t["documents"]]
        known = [x for x in dates if x]
        assert dates[:len(known)] == sorted(known)


def test_replies_to_resolutions_are_not_threads_unless_asked():
    G = _toy([("a", "r", "repliesTo"), ("b", "r", "repliesTo"), ("c", "a", "disputes")],
             r={"kind": "Resolution"}, a={"date": "2025-01-02"}, c={"date": "2025-01-09"})
    R = ka.reply_graph(G)
    assert [[d["label"] for d in t["documents"]] for t in ka.reply_threads(R)] == [["A", "C"]]
    assert [t["size"] for t in ka.reply_threads(R, exclude_kinds=())] == [4]


def test_components_and_communities(C, A):
    comp = ka.components(C)
    assert comp["count"] == len(comp["sizes"]) and sum(comp["sizes"]) == C.number_of_nodes()
    # The rejection letter and the 30-odd things it cites form the largest component.
    assert comp["sizes"][0] >= 30
    comms = ka.communities(C, 0)
    assert sum(c["size"] for c in comms) <= C.number_of_nodes()
    assert ka.communities(C, 0) == comms          # seeded: the same every run
    assert ka.communities(A, 3)[0]["size"] >= 2


def test_longest_chains_follow_real_edges(C):
    chains = ka.longest_chains(C, 0)
    assert chains and chains[0]["length"] >= 1
    for c in chains:
        ids = [p["id"] for p in c["path"]]
        assert len(ids) == c["length"] + 1
        assert all(C.has_edge(a, b) for a, b in zip(ids, ids[1:]))
    assert [c["length"] for c in chains] == sorted((c["length"] for c in chains), reverse=True)


def _toy(edges, **attrs):
    G = nx.DiGraph()
    for u, v, *t in edges:
        G.add_edge(u, v, type=t[0] if t else "cites", types=[t[0] if t else "cites"], documents=[u], count=1)
    for n in G:
        G.nodes[n].update({"label": n.upper(), "kind": "Letter", "in_corpus": True, "date": None,
                           "latest": None, "earliest": None, "symbol_year": None, **attrs.get(n, {})})
    return G


def test_longest_chain_collapses_cycles():
    G = _toy([("a", "b"), ("b", "c"), ("c", "d"), ("x", "y"), ("y", "x"), ("y", "a"), ("e", "d")])
    chains = ka.longest_chains(G, 0)
    assert chains[0]["length"] == 4
    assert [p["label"] for p in chains[0]["path"]] == ["X", "A", "B", "C", "D"]
    assert chains[0]["path"][0]["cycle"] == ["X", "Y"]
    assert chains[1]["length"] == 1 and chains[1]["path"][0]["label"] == "E"


def test_forward_citations_flag_impossible_dates():
    G = _toy([("late", "early"), ("early", "later"), ("early", "sym")],
             late={"latest": "2025-03-01", "earliest": "2025-02-27"},
             early={"latest": "2025-01-31", "earliest": "2025-01-30"},
             later={"earliest": "2025-02-06", "latest": "2025-02-06"},
             sym={"symbol_year": 2026})
    flagged = {(r["citing"], r["cited"]) for r in ka.forward_citations(G)}
    assert flagged == {("early", "later"), ("early", "sym")}


def test_no_forward_citation_in_the_default_corpus(C):
    assert ka.forward_citations(C) == []


def test_missing_documents_are_what_to_fetch_next(C):
    missing = ka.missing_documents(C)
    by = {r["label"]: r for r in missing}
    assert by["A/77/686"]["url"] == "https://undocs.org/A/77/686" and by["A/77/686"]["cited_by"] == 1
    assert by["Human Rights Council resolution 5/2"]["url"] == "https://undocs.org/A/HRC/RES/5/2"
    assert by["AL AZE 3/2024"]["kind"] == "Communication"
    assert "A/75/875" not in by
    assert not any(r["kind"] == "Web page" for r in missing)
    expected = {n for n, d in C.nodes(data=True) if not d["in_corpus"] and d["kind"] != "Web page"
                and d["kind"] not in ("Rule", "Other")}
    assert {r["id"] for r in missing} == expected


# --- actor graph ------------------------------------------------------------------------------

def test_actor_graph_edges_from_the_documents(A):
    d000 = next(d for d, m in A.graph["documents"].items() if "000_69eed672c96147f9.txt" in m["sources"])
    d003 = next(d for d, m in A.graph["documents"].items() if "003_5f0808684c00eb6a.txt" in m["sources"])
    alleges = A.edges[AZE, ARM, "alleges against"]
    assert A_75_875 in alleges["documents"] and d003 in alleges["documents"]
    assert alleges["weight"] == len(alleges["documents"])
    for u, v, k, d in A.edges(keys=True, data=True):
        if k == "invokes instrument against":
            # Only where the document also accuses; a state's own criminal code is not invoked against another.
            assert set(d["documents"]) <= set(A.edges[u, v, "alleges against"]["documents"])
            assert d["instruments"] and not any("Criminal" in i for i in d["instruments"])
    comm = A.edges[SR_EXECUTIONS, AZE, "communicates with"] if A.has_edge(SR_EXECUTIONS, AZE, "communicates with") \
        else A.edges[AZE, SR_EXECUTIONS, "communicates with"]
    assert comm["documents"] == [d000] and comm["communications"] == ["AL AZE 3/2024"]
    assert A_75_875 in A.edges[AZE, SG, "addressed to"]["documents"]
    assert A_75_875 in A.edges[ns.person_iri("Yashar Aliyev"), AZE, "authored"]["documents"]
    assert A.nodes[AZE]["kind"] == "State" and A.nodes[AZE]["code"] == "AZE"
    assert A.nodes[SR_EXECUTIONS]["kind"] == "Mandate holder"
    assert A.nodes[ns.person_iri("Yashar Aliyev")]["kind"] == "Person"
    for u, v, k, d in A.edges(keys=True, data=True):
        assert k in ka.ACTOR_RELATIONS and d["documents"] == sorted(set(d["documents"]))
        assert set(d["documents"]) <= set(A.graph["documents"])


def test_actor_graph_without_evidence_has_the_same_links_and_no_quotes(A, store):
    """The report builds the actor graph without quotes; nothing else about it may change."""
    B = ka.actor_graph(store, evidence=False)
    with_quotes = {(u, v, k): {x: y for x, y in d.items() if x != "evidence"} for u, v, k, d in A.edges(keys=True, data=True)}
    without = {(u, v, k): {x: y for x, y in d.items() if x != "evidence"} for u, v, k, d in B.edges(keys=True, data=True)}
    assert without == with_quotes and dict(B.nodes(data=True)) == dict(A.nodes(data=True))
    assert all(d["evidence"] == [] for *_, d in B.edges(data=True))
    alleges = A.edges[AZE, ARM, "alleges against"]["evidence"]
    assert alleges and all(x["quote"] and x["document"] in A.graph["documents"] for x in alleges)


def test_mentioned_together_is_undirected_and_counted_in_documents(A):
    pairs = [(u, v) for u, v, k in A.edges(keys=True) if k == "mentioned together"]
    assert pairs and all(u < v for u, v in pairs)
    assert A.edges[ARM, AZE, "mentioned together"]["weight"] == 5   # both named in all five documents


def test_state_engagement(A):
    eng = ka.state_engagement(A)
    aze = eng[AZE]
    assert aze["label"] == "Azerbaijan" and aze["documents"] == 5
    assert aze["top"][0]["label"] == "Armenia"
    assert aze["top"][0]["relations"]["alleges against"] == 3
    arm = eng[ARM]["top"][0]
    assert arm["label"] == "Azerbaijan" and "alleges against (received)" in arm["relations"]


def test_incident_graph(store):
    I = ka.incident_graph(store)
    khojaly = next(n for n, d in I.nodes(data=True) if d["kind"] == "Incident" and d["place_label"] == "Khojaly")
    d = I.nodes[khojaly]
    assert d["killed"] == 613 and d["date"] == "1992-02-25" and "613" in d["quote"]
    targets = {I.edges[khojaly, t]["type"]: t for t in I.successors(khojaly)}
    assert targets["attributed to"] == ARM
    assert "003_5f0808684c00eb6a.txt" in I.nodes[targets["reported by"]]["sources"]


def test_graphs_accept_a_store_or_a_build_folder(corpus_build, store):
    a = ka.citation_graph(corpus_build[0])
    b = ka.citation_graph(store)
    assert nx.utils.graphs_equal(a, b)


# --- report and command -----------------------------------------------------------------------

@pytest.fixture
def build_copy(corpus_build, tmp_path):
    dst = tmp_path / "out"
    shutil.copytree(corpus_build[0] / "store", dst / "store")
    return dst


def test_analyze_writes_report_json_and_charts(build_copy):
    rep = ka.analyze(build_copy)
    text = (build_copy / "report.md").read_text()
    assert "# kg analysis report" in text and "A/77/686" in text and "https://undocs.org/A/77/686" in text
    assert "| A/77/597 | Document | no | 1 | 2 |" in text
    data = json.loads((build_copy / "report.json").read_text())
    assert data["summary"]["documents"] == 5
    assert data["missing_documents"]["count"] == len(data["missing_documents"]["documents"]) > 0
    assert data["forward_citations"] == []
    assert {"cited", "incidents", "documents", "threads"} <= set(data["plots"])
    for name in data["plots"].values():
        png = (build_copy / name).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
        assert f"]({name})" in text
    assert set(rep["files"]) >= {str(build_copy / "report.md"), str(build_copy / "report.json")}
    assert not list(build_copy.glob(".*tmp*"))


def test_the_incidents_chart_names_the_deadliest_places_once_per_reporting_state(store):
    """A name on every dot is unreadable (and took 43 s at 10,000 documents): the chart names a few."""
    from kg.analytics.plots import incident_points, places_to_label
    rep = ka.compute(store)
    pts, _, row = incident_points(rep["incidents"], rep["_plot_inputs"]["author_of"])
    pts = [(r, d) for r, d in pts if r.get("place_label")]
    everything = places_to_label(pts, row, len(pts))
    assert len(everything) == len({(r["place_label"], row(r)) for r, _ in pts}) > 3
    assert [d for _, d, _ in everything] == sorted(d for _, d, _ in everything)
    top = places_to_label(pts, row, 2)
    toll = {(p, y): max(r["killed"] or 0 for r, _ in pts if (r["place_label"], row(r)) == (p, y))
            for p, _, y in everything}
    assert sorted(toll[(p, y)] for p, _, y in top) == sorted(toll.values())[-2:]
    assert "Khojaly" in {p for p, _, _ in top}


def test_markdown_listings_stop_at_their_caps(store, monkeypatch):
    """report.md is read by people: long listings stop, report.json keeps every row."""
    from kg.analytics import report
    rep = ka.compute(store)
    rep.pop("_plot_inputs")
    rep["plots"] = {}
    full = report.render_markdown(rep)
    incidents, threads = rep["incidents"], rep["reply_threads"]
    assert len(incidents) > 2 and len(threads) > 1 and len(threads[0]["edges"]) > 2
    assert "incident reports; report.json has them all" not in full and "more links" not in full
    monkeypatch.setattr(report, "MD_ROWS", 2)
    monkeypatch.setattr(report, "MD_THREADS", 1)
    monkeypatch.setattr(report, "MD_THREAD_LINKS", 2)
    capped = report.render_markdown(rep)
    assert f"The first 2 of {len(incidents)} incident reports; report.json has them all." in capped
    assert f"; … and {len(threads[0]['edges']) - 2} more links" in capped
    assert f"- … and {len(threads) - 1} smaller threads." in capped
    table = capped.split("## Incidents")[1]
    assert sum(1 for line in table.splitlines() if line.startswith("| ") and "---" not in line) == 1 + 2


def test_analyze_reads_the_documents_once(store, monkeypatch):
    """The citation and actor graphs share one reading of the documents (the costliest query at scale)."""
    from kg.analytics import graphs
    calls = []
    real = graphs.document_records
    monkeypatch.setattr(graphs, "document_records", lambda s: calls.append(1) or real(s))
    rep = ka.compute(store)
    assert len(calls) == 1 and rep["summary"]["documents"] == 5
    # States are named by their vocabulary labels, as reporter and as alleged perpetrator.
    assert {(r["reporting_state"], tuple(r["perpetrators"])) for r in rep["incidents"]} == {("Azerbaijan", ("Armenia",))}


def test_markdown_escapes_document_text():
    s = md("<script>alert(1)</script> | [x](http://e) *b*")
    assert "<" not in s and ">" not in s
    assert "\\|" in s and "\\[x\\]" in s and "\\*b\\*" in s


def test_cli_analyze(build_copy, tmp_path):
    from kg.cli_analytics import analyze
    r = CliRunner().invoke(analyze, ["--out", str(build_copy)])
    assert r.exit_code == 0, r.output
    assert "most cited: A/77/597 (by 1)" in r.stdout
    r = CliRunner().invoke(analyze, ["--out", str(build_copy), "--json", "--no-plots"])
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["most_cited"][0]["label"] == "A/77/597" and data["plots"] == {}
    r = CliRunner().invoke(analyze, ["--out", str(tmp_path / "nothing")])
    assert r.exit_code == 3 and "no built store" in r.output


COMMUNITY_SCRIPT = """
import json, sys
import networkx as nx
from kg.analytics.metrics import communities
G = nx.Graph()
kinds = ["Treaty body", "Court", "State", "Mandate holder", "UN body", "Person"]
for i, k in enumerate(kinds):
    G.add_node(f"https://example.org/{k}/{i}", kind=k, label=k)
for a in G.nodes:
    for b in G.nodes:
        if a < b:
            G.add_edge(a, b)
json.dump(communities(G), sys.stdout)
"""


def test_communities_are_written_the_same_in_every_process():
    """Kinds tied in count come in one order, whatever the interpreter's string hashing."""
    runs = {subprocess.run([sys.executable, "-c", COMMUNITY_SCRIPT], env={**os.environ, "PYTHONHASHSEED": str(h)},
                           capture_output=True, text=True, check=True).stdout for h in range(6)}
    assert len(runs) == 1
    (only,) = json.loads(runs.pop())
    assert only["size"] == 6 and list(only["kinds"]) == sorted(only["kinds"])
