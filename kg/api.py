"""The library verbs, for notebooks and scripts: build, summary, query, sparql, open_store."""
from __future__ import annotations

from pathlib import Path

from kg.build import build  # noqa: F401  (re-exported)
from kg.store import open_store  # noqa: F401


def summary(out: str | Path = "output") -> list[dict]:
    from kg.summary import summarise
    return summarise(open_store(out))


def sparql(text: str, out: str | Path = "output", **kwargs):
    from kg.query import sparql as run_sparql
    return run_sparql(text, out=out, **kwargs)
