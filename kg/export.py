"""Export the built store to a file in any of the usual RDF formats, deterministically and streamed.

Choices (documented in docs/loading.md):
- Dataset formats (TriG, N-Quads, JSON-LD) keep the named graphs. Triple formats (Turtle,
  N-Triples, RDF/XML) have no graphs: they get the *union* of the chosen graphs, each triple once.
- Output is deterministic: graphs are written in IRI order and the triples of each graph in
  code-point order of their N-Triples form, so one store always gives the same bytes (for every
  format, not only the line-based ones; blank nodes keep the labels the store gave them).
- Streaming: the store is read one named graph at a time, so only the largest graph is ever held in
  memory (once, as its sorted lines). The union of the triple formats is deduplicated by an external
  merge sort of sorted runs on disk. The file is written beside its destination as `.name.tmp-PID`
  and renamed into place, so a reader never sees half a file.
"""
from __future__ import annotations

import heapq
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, parse, serialize

from kg import namespaces as ns
from kg.store import atomic_writer, open_store

# name -> (pyoxigraph format, file extension, keeps named graphs)
FORMATS: dict[str, tuple[RdfFormat, str, bool]] = {
    "trig": (RdfFormat.TRIG, "trig", True),
    "nquads": (RdfFormat.N_QUADS, "nq", True),
    "jsonld": (RdfFormat.JSON_LD, "jsonld", True),
    "turtle": (RdfFormat.TURTLE, "ttl", False),
    "ntriples": (RdfFormat.N_TRIPLES, "nt", False),
    "rdfxml": (RdfFormat.RDF_XML, "rdf", False),
}
BACKGROUND_GRAPHS = (ns.GRAPH_ONTOLOGY, ns.GRAPH_VOCAB)
EXPORT_DIR = "export"
# Lines held in memory before a sorted run is written to disk (union formats only).
RUN_LINES = 200_000
# Runs merged at once (keeps the number of open files bounded).
MERGE_FAN_IN = 64


class ExportError(ValueError):
    """A usage problem: unknown format or graph."""


@dataclass
class ExportResult:
    path: Path | None                     # None when written to stdout
    format: str
    graphs: list[str] = field(default_factory=list)
    statements: int = 0                   # quads (dataset formats) or distinct triples (triple formats)
    bytes: int = 0


def default_path(out: Path | str, fmt: str) -> Path:
    return Path(out) / EXPORT_DIR / f"kg.{FORMATS[fmt][1]}"


def resolve_graph(name: str) -> str:
    """A graph given as a full IRI, `<IRI>`, `kgg:slug` or a bare slug -> its IRI."""
    name = name.strip()
    if name.startswith("<") and name.endswith(">"):
        name = name[1:-1]
    if name.startswith("kgg:"):
        name = ns.KGG + name[4:]
    elif "://" not in name and not name.startswith("urn:"):
        name = ns.KGG + name
    return NamedNode(name).value


def select_graphs(store: Store, graphs: Iterable[str] | None = None, with_vocab: bool = True) -> list[str]:
    """The graph IRIs to export, sorted. Graphs named explicitly are always kept; --no-vocab drops
    the ontology and vocabulary graphs from the default selection ("" stands for the default graph)."""
    available = sorted(g.value for g in store.named_graphs() if isinstance(g, NamedNode))
    if graphs:
        chosen = []
        for g in graphs:
            iri = resolve_graph(g)
            if iri not in available:
                shown = ", ".join(available[:8]) + (", ..." if len(available) > 8 else "")
                raise ExportError(f"no graph <{iri}> in the store (graphs: {shown})")
            chosen.append(iri)
        if with_vocab:
            chosen += [g for g in BACKGROUND_GRAPHS if g in available]
        return sorted(set(chosen))
    chosen = [g for g in available if with_vocab or g not in BACKGROUND_GRAPHS]
    if next(iter(store.quads_for_pattern(None, None, None, DefaultGraph())), None) is not None:
        chosen.insert(0, "")
    return chosen


def _graph_term(iri: str):
    return DefaultGraph() if iri == "" else NamedNode(iri)


def graph_lines(store: Store, iri: str) -> list[str]:
    """The triples of one graph as sorted N-Triples lines (a graph is a set: no line twice)."""
    lines = [f"{q.subject} {q.predicate} {q.object} .\n"
             for q in store.quads_for_pattern(None, None, None, _graph_term(iri))]
    lines.sort()
    return lines


def _quad_suffix(iri: str) -> str:
    return " .\n" if iri == "" else f" <{iri}> .\n"


def _iter_quads(store: Store, graphs: list[str]) -> Iterator[Quad]:
    """Quads graph by graph in sorted order; one graph in memory at a time."""
    for iri in graphs:
        g = _graph_term(iri)
        lines = graph_lines(store, iri)
        text = "".join(lines)
        del lines
        for t in parse(text, format=RdfFormat.N_TRIPLES):
            yield Quad(t.subject, t.predicate, t.object, g)


def _write_run(lines: list[str], directory: Path, n: int) -> Path:
    lines.sort()
    path = directory / f"run-{n:06d}.nt"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        prev = None
        for line in lines:
            if line != prev:
                fh.write(line)
            prev = line
    return path


def _merge(paths: list[Path]) -> Iterator[str]:
    files = [open(p, encoding="utf-8", newline="") for p in paths]
    try:
        prev = None
        for line in heapq.merge(*files):
            if line != prev:
                yield line
            prev = line
    finally:
        for fh in files:
            fh.close()


def _union_lines(store: Store, graphs: list[str], workdir: Path) -> Iterator[str]:
    """The distinct triples of all chosen graphs, sorted: sorted runs on disk, then a k-way merge."""
    runs: list[Path] = []
    buf: list[str] = []
    for iri in graphs:
        buf.extend(graph_lines(store, iri))
        if len(buf) >= RUN_LINES:
            runs.append(_write_run(buf, workdir, len(runs)))
            buf = []
    if not runs:                          # everything fits in one run: no disk needed
        buf.sort()
        prev = None
        for line in buf:
            if line != prev:
                yield line
            prev = line
        return
    if buf:
        runs.append(_write_run(buf, workdir, len(runs)))
    buf = []
    n = len(runs)
    while len(runs) > MERGE_FAN_IN:        # merge in rounds so few files are open at once
        merged = []
        for i in range(0, len(runs), MERGE_FAN_IN):
            group = runs[i:i + MERGE_FAN_IN]
            path = workdir / f"run-{n:06d}.nt"
            n += 1
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.writelines(_merge(group))
            for p in group:
                p.unlink()
            merged.append(path)
        runs = merged
    yield from _merge(runs)


class _CountingWriter:
    """A binary file wrapper that counts bytes (pyoxigraph writes through .write)."""

    def __init__(self, fh: IO[bytes]):
        self.fh = fh
        self.bytes = 0

    def write(self, data) -> int:
        n = self.fh.write(data)
        self.bytes += len(data)
        return n

    def flush(self) -> None:
        self.fh.flush()


def write_export(store: Store, fh: IO[bytes], fmt: str, graphs: list[str], workdir: Path) -> tuple[int, int]:
    """Write the chosen graphs of store to the binary stream fh; returns (statements, bytes)."""
    rdf_format, _, keeps_graphs = FORMATS[fmt]
    out = _CountingWriter(fh)
    count = 0
    if fmt == "nquads":
        for iri in graphs:
            suffix = _quad_suffix(iri)
            lines = graph_lines(store, iri)
            count += len(lines)
            out.write("".join(line[:-3] + suffix for line in lines).encode("utf-8"))
            del lines
    elif keeps_graphs:                     # trig, jsonld
        def counted(quads):
            nonlocal count
            for q in quads:
                count += 1
                yield q
        serialize(counted(_iter_quads(store, graphs)), out, rdf_format, prefixes=ns.PREFIXES)
    elif fmt == "ntriples":
        chunk: list[str] = []
        for line in _union_lines(store, graphs, workdir):
            count += 1
            chunk.append(line)
            if len(chunk) >= 10_000:
                out.write("".join(chunk).encode("utf-8"))
                chunk = []
        out.write("".join(chunk).encode("utf-8"))
    else:                                  # turtle, rdfxml: the sorted union, re-parsed as a stream
        union = workdir / "union.nt"
        with open(union, "w", encoding="utf-8", newline="") as u:
            for line in _union_lines(store, graphs, workdir):
                count += 1
                u.write(line)
        serialize(parse(path=str(union), format=RdfFormat.N_TRIPLES), out, rdf_format, prefixes=ns.PREFIXES)
        union.unlink()
    out.flush()
    return count, out.bytes


def export(out: Path | str, fmt: str, file: Path | str | None = None, graphs: Iterable[str] | None = None,
           with_vocab: bool = True, store: Store | None = None) -> ExportResult:
    """Export the build in `out` (or `store`) to `file` (default OUT/export/kg.EXT; "-" is stdout)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    if store is None:
        store = open_store(out)
    chosen = select_graphs(store, graphs, with_vocab)
    to_stdout = str(file) == "-"
    path = None if to_stdout else Path(file) if file is not None else default_path(out, fmt)
    tmp_parent = Path(tempfile.gettempdir()) if path is None else path.parent
    tmp_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".kg-export-", dir=tmp_parent) as work:
        if path is None:
            count, size = write_export(store, sys.stdout.buffer, fmt, chosen, Path(work))
        else:
            with atomic_writer(path) as fh:
                count, size = write_export(store, fh, fmt, chosen, Path(work))
    return ExportResult(path=path, format=fmt, graphs=chosen, statements=count, bytes=size)
