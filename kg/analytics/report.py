"""kg analyze: the metrics of kg.analytics over a build, as OUT/report.md, OUT/report.json and PNG charts."""
from __future__ import annotations

import io
import json
import re
from collections import Counter
from pathlib import Path

from kg.analytics import graphs as g
from kg.analytics import metrics as m

REPORT_MD = "report.md"
REPORT_JSON = "report.json"
# report.md is for reading: its long listings stop here (report.json has every row). Without a cap
# the Markdown of 100,000 documents was 29 MB, most of it one table row per incident report.
MD_ROWS = 100
MD_THREADS = 20
MD_THREAD_LINKS = 30
PLOTS = {
    "cited": "report-cited.png",
    "incidents": "report-incidents.png",
    "documents": "report-documents.png",
    "engagement": "report-engagement.png",
    "threads": "report-threads.png",
}


def md(text) -> str:
    """Text from documents made inert in Markdown: no HTML, no links, no emphasis, no table breaks."""
    s = " ".join(str("" if text is None else text).split())
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_\[\]|#!])", r"\\\1", s)


def compute(store, top: int = 10, stage=lambda name: None) -> dict:
    """Every metric of the report, JSON-ready. ``store``: a pyoxigraph Store or a build folder.

    ``stage(name)`` is called as each stage starts (for a progress display).
    """
    store = g.as_store(store)
    stage("documents")
    records = g.document_records(store)
    stage("citations")
    C = g.citation_graph(store, documents=records, evidence=False)   # metrics read counts and cited_as only
    R = g.reply_graph(C)
    stage("actors")
    A = g.actor_graph(store, documents=records, evidence=False)   # no metric reads the quotes
    del records   # the graphs hold what they need of them
    stage("incidents")
    incs = g.incidents(store)
    stage("metrics")
    docs = C.graph["documents"]
    # States by their label: actors first, then any labelled thing in the vocabularies (a state
    # named only as an incident's perpetrator or a document's author is not in the actor graph).
    state_labels = {n: d["label"] for n, d in A.nodes(data=True) if d.get("kind") == "State"}
    for r in g.select(store, g.Q_VOCAB_LABELS):
        state_labels.setdefault(r["s"], r["l"])
    author_of = {iri: state_labels.get(C.nodes[iri]["author_states"][0], g.local(C.nodes[iri]["author_states"][0]))
                 for iri in docs if C.nodes[iri].get("author_states")}
    missing = m.missing_documents(C)
    kinds = Counter(C.nodes[n]["kind"] for n in docs)
    cited_kinds = Counter(d["kind"] for n, d in C.nodes(data=True) if not d["in_corpus"])
    relations = Counter(k for _, _, k in A.edges(keys=True))
    actor_kinds = Counter(d["kind"] for _, d in A.nodes(data=True))
    # The incident rows get their labels in place: a labelled copy of each would hold a second set of
    # dicts beside the first (418,000 reports at 100,000 documents).
    for r in incs:
        r["perpetrators"] = [state_labels.get(p, g.local(p)) for p in r["perpetrators"]]
        r["reporting_state"] = author_of.get(r["document"])
        r["document_label"] = C.nodes[r["document"]]["label"] if r["document"] in C else r["document"]
    return {
        "summary": {
            "documents": len(docs), "document_kinds": dict(sorted(kinds.items())),
            "dated_documents": sum(1 for d in docs.values() if d["date"]),
            "citation_graph": {"nodes": C.number_of_nodes(), "edges": C.number_of_edges(),
                               "cited_not_in_corpus": dict(sorted(cited_kinds.items())),
                               "edges_between_corpus_documents": sum(1 for u, v in C.edges
                                                                     if u in docs and v in docs)},
            "reply_graph": {"nodes": R.number_of_nodes(), "edges": R.number_of_edges(),
                            "types": dict(sorted(Counter(d["type"] for _, _, d in R.edges(data=True)).items()))},
            "actor_graph": {"nodes": A.number_of_nodes(), "edges": A.number_of_edges(),
                            "kinds": dict(sorted(actor_kinds.items())), "relations": dict(sorted(relations.items()))},
            "incident_reports": len(incs),
        },
        "most_cited": m.most_cited(C, top),
        "central_documents": m.central_documents(C, top),
        "longest_chains": m.longest_chains(C, top),
        "reply_threads": m.reply_threads(R),
        "components": m.components(C),
        "communities": {"citations": m.communities(C, 5, weight="count"),
                        "actors": m.communities(A, 5, weight="weight")},
        "state_engagement": m.state_engagement(A, 5),
        "forward_citations": m.forward_citations(C),
        "missing_documents": {"count": len(missing),
                              "by_kind": dict(sorted(Counter(r["kind"] for r in missing).items())),
                              "documents": missing},
        "incidents": incs,
        "_plot_inputs": {"docs": docs, "author_of": author_of},
    }


ANALYZE_STAGES = ("documents", "citations", "actors", "incidents", "metrics", "charts", "writing")


def analyze(out: str | Path = "output", top: int = 10, plots: bool = True, progress: bool = False) -> dict:
    """Compute the report of the build in ``out`` and write report.md, report.json and the PNGs there.

    Returns the report (as written to report.json), with ``files``: the paths written.
    ``progress``: a bar of the stages on stderr (at 100,000 documents the whole takes seven minutes).
    """
    from tqdm import tqdm

    from kg.analytics import plots as p
    from kg.store import atomic_write_bytes, atomic_writer
    out = Path(out)
    with tqdm(total=len(ANALYZE_STAGES), desc="analyze", unit="stage", disable=not progress, leave=False) as bar:
        def stage(name):
            bar.update(ANALYZE_STAGES.index(name) - bar.n)
            bar.set_postfix_str(name)

        rep = compute(out, top, stage)
        inputs = rep.pop("_plot_inputs")
        images = {}
        if plots:
            stage("charts")
            makers = {
                "cited": lambda: p.cited_chart(rep["most_cited"]),
                "incidents": lambda: p.incidents_timeline(rep["incidents"], inputs["author_of"]),
                "documents": lambda: p.documents_timeline(inputs["docs"], inputs["author_of"]),
                "engagement": lambda: p.engagement_heatmap(rep["state_engagement"]),
                "threads": lambda: p.threads_timeline(rep["reply_threads"]),
            }
            for key, make in makers.items():
                data = make()
                path = out / PLOTS[key]
                if data:
                    atomic_write_bytes(path, data)
                    images[key] = PLOTS[key]
                elif path.exists():
                    path.unlink()   # a chart of an earlier build that no longer has data
        rep["plots"] = images
        stage("writing")
        with atomic_writer(out / REPORT_JSON) as fh:
            write_json(rep, fh)
        atomic_write_bytes(out / REPORT_MD, render_markdown(rep).encode())
    rep["files"] = [str(out / REPORT_MD), str(out / REPORT_JSON)] + [str(out / f) for f in images.values()]
    return rep


def write_json(rep: dict, fh) -> None:
    """The report as indented JSON (UTF-8) on the binary stream fh, written as it is encoded.

    json.dumps with an indent encodes in Python and joins a list of every piece of the text: for the
    report of 100,000 documents (240 MB of JSON) that list alone held gigabytes.
    """
    text = io.TextIOWrapper(fh, encoding="utf-8", newline="\n", write_through=False)
    json.dump(rep, text, indent=2, ensure_ascii=False)
    text.write("\n")
    text.flush()
    text.detach()


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return lines + [""]


def render_markdown(rep: dict) -> str:
    s = rep["summary"]
    L = ["# kg analysis report", ""]
    L += [f"{s['documents']} documents in the corpus ({', '.join(f'{v} {md(k)}' for k, v in s['document_kinds'].items())}), "
          f"{s['dated_documents']} of them dated. The citation graph has {s['citation_graph']['nodes']} nodes and "
          f"{s['citation_graph']['edges']} citation edges ({s['citation_graph']['edges_between_corpus_documents']} "
          f"between two corpus documents); the actor graph {s['actor_graph']['nodes']} actors and "
          f"{s['actor_graph']['edges']} edges; {s['incident_reports']} incident reports.", ""]
    plots = rep.get("plots", {})

    L += ["## Most cited documents", "",
          "In-degree: how many corpus documents cite each one (then how many times it is printed). Web pages are left out.", ""]
    if plots.get("cited"):
        L += [f"![Most cited documents]({plots['cited']})", ""]
    L += _table(["document", "kind", "in corpus", "cited by", "citations", "citing"],
                [[md(r["label"]), md(r["kind"]), "yes" if r["in_corpus"] else "no", r["cited_by"], r["citations"],
                  md(", ".join(r["citing"][:5]) + (" …" if len(r["citing"]) > 5 else ""))] for r in rep["most_cited"]])

    L += ["## Most central documents (PageRank)", ""]
    L += _table(["document", "kind", "PageRank", "cited by"],
                [[md(r["label"]), md(r["kind"]), f"{r['pagerank']:.4f}", r["in_degree"]] for r in rep["central_documents"]])

    L += ["## Longest citation chains", "", "A cites B cites C …: the longest paths of the citation graph, one per starting document.", ""]
    if rep["longest_chains"]:
        for c in rep["longest_chains"]:
            L.append(f"- **{c['length']}** steps: " + " → ".join(
                md(p["label"]) + (f" ({p['date']})" if p.get("date") else "") for p in c["path"]))
    else:
        L.append("No citation edges.")
    L.append("")

    L += ["## Reply threads", "",
          "Documents linked by `repliesTo` or `disputes`, in date order (replies to resolutions are left out).", ""]
    if plots.get("threads"):
        L += [f"![Reply threads]({plots['threads']})", ""]
    threads = rep["reply_threads"]
    if threads:
        for t in threads[:MD_THREADS]:
            span = f"{t['start']} to {t['end']}" if t["start"] else "undated"
            links = "; ".join(f"{md(e['from'])} {e['type']} {md(e['to'])}" for e in t["edges"][:MD_THREAD_LINKS])
            more = len(t["edges"]) - MD_THREAD_LINKS
            L.append(f"- {t['size']} documents, {span}: {links}" + (f"; … and {more} more links" if more > 0 else ""))
        if len(threads) > MD_THREADS:
            L.append(f"- … and {len(threads) - MD_THREADS} smaller threads.")
    else:
        L.append("No reply threads.")
    L.append("")

    comp = rep["components"]
    L += ["## Components and communities", "",
          f"The citation graph falls into {comp['count']} connected components ({comp['isolated']} isolated nodes); "
          f"the largest have {', '.join(map(str, comp['sizes'][:8]))} nodes.", ""]
    for name, rows in rep["communities"].items():
        if rows:
            L.append(f"Largest communities of the {name} graph (Louvain):")
            L.append("")
            L += [f"- {c['size']} nodes: {md(', '.join(c['top']))}" for c in rows]
            L.append("")

    L += ["## Whom each state engages with", "",
          "Documents in which the state addresses, accuses, invokes an instrument against or communicates with the actor "
          "(either direction), then documents that mention both.", ""]
    if plots.get("engagement"):
        L += [f"![State engagement]({plots['engagement']})", ""]
    eng = list(rep["state_engagement"].values())
    if eng:
        L += _table(["state", "documents", "engages most with"],
                    [[md(e["label"]), e["documents"], md("; ".join(
                        f"{r['label']} ({r['documents']} docs" + (f", {r['mentioned_together']} together" if r["mentioned_together"] else "") + ")"
                        for r in e["top"]))] for e in eng[:20]])
        if len(eng) > 20:
            L += [f"… and {len(eng) - 20} more states in report.json.", ""]
    else:
        L += ["No state has an addressee, accusation or communication in the graph.", ""]

    L += ["## Citations that point forward in time", "",
          "The cited document is dated after the citing one was issued: an extraction error or a reissued document.", ""]
    if rep["forward_citations"]:
        L += _table(["citing", "issued", "cites", "dated", "why flagged"],
                    [[md(r["citing_label"]), r["citing_date"], md(r["cited_label"]), r["cited_date"], md(r["reason"])]
                     for r in rep["forward_citations"][:MD_ROWS]])
        if len(rep["forward_citations"]) > MD_ROWS:
            L += [f"The first {MD_ROWS} of {len(rep['forward_citations'])}; report.json has them all.", ""]
    else:
        L += ["None found.", ""]

    miss = rep["missing_documents"]
    L += ["## Cited but not in the corpus: what to fetch next", "",
          f"{miss['count']} documents are cited but absent ({', '.join(f'{v} {md(k)}' for k, v in miss['by_kind'].items()) or 'none'}); "
          "the 25 most cited:", ""]
    L += _table(["document", "kind", "cited by", "fetch"],
                [[md(r["label"]), md(r["kind"]), r["cited_by"], md(r["url"] or "")] for r in miss["documents"][:25]])

    L += ["## Incidents", ""]
    if plots.get("incidents"):
        L += [f"![Incidents by reporting state]({plots['incidents']})", ""]
    if rep["incidents"]:
        L += _table(["reported by", "document", "type", "place", "date", "killed", "attributed to"],
                    [[md(r["reporting_state"] or "-"), md(r["document_label"]), md(r["type"]), md(r["place_label"] or "-"),
                      md(r["date"] or "-"), "" if r["killed"] is None else r["killed"], md(", ".join(r["perpetrators"]) or "-")]
                     for r in rep["incidents"][:MD_ROWS]])
        if len(rep["incidents"]) > MD_ROWS:
            L += [f"The first {MD_ROWS} of {len(rep['incidents'])} incident reports; report.json has them all.", ""]
    else:
        L += ["No incident reports.", ""]
    if plots.get("documents"):
        L += ["## Documents over time", "", f"![Documents per month by author state]({plots['documents']})", ""]
    missing_plots = [k for k in PLOTS if k not in plots]
    if missing_plots:
        L += [f"_No data for the chart(s): {', '.join(missing_plots)}._", ""]
    return "\n".join(L)
