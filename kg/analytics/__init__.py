"""Analytics over a kg build: networkx graphs from the store and the metrics that answer questions.

From a notebook::

    import kg.analytics as ka
    C = ka.citation_graph("output")            # a build folder, or a pyoxigraph Store
    ka.most_cited(C, 10)                       # in-degree: documents citing each one
    ka.central_documents(C, 10)                # PageRank
    ka.longest_chains(C, 5)
    ka.reply_threads(ka.reply_graph(C))
    A = ka.actor_graph("output")               # MultiDiGraph, edge keys = relations
    A.edges["https://w3id.org/kg-un/id/state/AZE", "https://w3id.org/kg-un/id/state/ARM", "alleges against"]["documents"]
    ka.state_engagement(A)
    ka.forward_citations(C), ka.missing_documents(C)
    ka.analyze("output")                       # writes output/report.md, report.json and PNG charts

The graphs are built from SPARQL SELECTs over the store only, so they say exactly what the graph says.
"""
from kg.analytics.graphs import (ACTOR_RELATIONS, actor_graph, as_store, citation_graph, incident_graph, incidents,
                                 reply_graph)
from kg.analytics.metrics import (central_documents, communities, components, forward_citations, longest_chains,
                                  missing_documents, most_cited, reply_threads, state_engagement)
from kg.analytics.report import analyze, compute

__all__ = [
    "ACTOR_RELATIONS", "actor_graph", "analyze", "as_store", "central_documents", "citation_graph", "communities",
    "components", "compute", "forward_citations", "incident_graph", "incidents", "longest_chains",
    "missing_documents", "most_cited", "reply_graph", "reply_threads", "state_engagement",
]
