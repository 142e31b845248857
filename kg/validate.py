"""kg validate: SHACL validation of the built graph against ontologies/shapes.ttl."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.store import open_store
from kg.vocab import ONTOLOGY_DIR


@dataclass(frozen=True)
class ValidationResult:
    conforms: bool
    violations: int
    report: str


def validate(out: str | Path = "output") -> ValidationResult:
    import pyshacl
    from rdflib import Dataset, Graph

    store = open_store(out)
    # pySHACL validates an rdflib graph; the union of all named graphs is what the shapes describe.
    data = Graph()
    nquads = store.dump(format=__import__("pyoxigraph").RdfFormat.N_QUADS)
    ds = Dataset()
    ds.parse(data=nquads.decode(), format="nquads")
    for quad in ds.quads((None, None, None, None)):
        data.add(quad[:3])
    shapes = Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")
    ontology = Graph().parse(ONTOLOGY_DIR / "kg.ttl", format="turtle")
    conforms, results_graph, text = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", allow_warnings=True)
    from rdflib.namespace import SH
    violations = sum(1 for _ in results_graph.subjects(SH.resultSeverity, SH.Violation))
    return ValidationResult(bool(conforms), violations, text)
