"""kg: a knowledge-graph builder for United Nations human-rights documents.

The stages, each a module with plain data in and out:

    ingest   files -> SourceText (normalised text + offset map)
    extract  SourceText -> Extraction (typed facts with character spans)
    mapping  Extraction -> RDF quads, one named graph per document
    store    quads -> embedded Oxigraph store, kg.trig
    summary  store -> one record per document (the gold schema)
"""

__version__ = "0.1.0"



def __getattr__(name):
    # The library verbs live in kg.api; imported lazily so `import kg.ingest` stays light.
    if name == "query":
        # kg.query is the query module, and calling it runs a named query: kg.query("incidents").
        import importlib
        return importlib.import_module("kg.query")
    if name in ("build", "summary", "sparql", "open_store"):
        from kg import api
        return getattr(api, name)
    raise AttributeError(name)


__all__ = ["build", "query", "sparql", "summary", "open_store", "__version__"]
