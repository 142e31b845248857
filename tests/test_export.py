"""`kg export`: every format, checked by parsers that share no code with the writer (pyoxigraph wrote
it; Debian's rapper (raptor2) and serdi (serd) read it, and rdflib the JSON-LD that neither of them
reads), deterministic bytes, graph choice, the streamed union (external merge sort), atomic writes,
and the CLI's exit codes."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from kg import export as ex
from kg import namespaces as ns
from kg.cli_io import export as export_cmd

# rapper's and serdi's names for the formats they read (neither reads JSON-LD: rdflib does)
RAPPER = {"trig": "trig", "nquads": "nquads", "turtle": "turtle", "ntriples": "ntriples", "rdfxml": "rdfxml"}
SERDI = {"trig": "trig", "nquads": "nquads", "turtle": "turtle", "ntriples": "ntriples"}
DATASET_FORMATS = ("trig", "nquads", "jsonld")


def need_binary(name: str) -> str:
    """The binary's path; skipped with a reason when it is absent, but in CI it must be there."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed: .ci/install-servers.sh installs it (raptor2-utils / serdi)")
        pytest.skip(f"{name} not installed (apt-get install raptor2-utils serdi); required when CI is set")
    return path


def rapper_count(path, fmt: str) -> int:
    """Statements rapper parsed; fails on any error or warning (strict)."""
    rapper = need_binary("rapper")
    r = subprocess.run([rapper, "-i", RAPPER[fmt], "-c", str(path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"rapper refused {path}: {r.stderr[-2000:]}"
    problems = [line for line in r.stderr.splitlines() if re.search(r"error|warning", line, re.I)]
    assert not problems, f"rapper complained about {path}: {problems[:5]}"
    m = re.search(r"returned (\d+) (?:triples|statements)", r.stderr)
    assert m, r.stderr
    return int(m.group(1))


def serdi_count(path, fmt: str) -> int:
    """Statements serdi (strict mode, its default) parsed and re-wrote, one per line."""
    serdi = need_binary("serdi")
    r = subprocess.run([serdi, "-i", SERDI[fmt], "-o", "nquads" if fmt in ("trig", "nquads") else "ntriples",
                        str(path)], capture_output=True, timeout=120)
    assert r.returncode == 0 and not r.stderr.strip(), f"serdi refused {path}: {r.stderr[-2000:]!r}"
    return len([line for line in r.stdout.splitlines() if line.strip()])


# ----------------------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def built(corpus_build):
    return corpus_build[0]


@pytest.fixture(scope="module")
def store(built):
    return ox.Store.read_only(str(built / "store"))


@pytest.fixture(scope="module")
def exports(built, tmp_path_factory):
    """Every format exported once: {format: ExportResult}."""
    d = tmp_path_factory.mktemp("exports")
    return {fmt: ex.export(built, fmt, file=d / f"kg.{ext}") for fmt, (_, ext, _) in ex.FORMATS.items()}


def store_quads(store) -> set[str]:
    return {str(q) for q in store.quads_for_pattern(None, None, None, None)}


def union_triples(store) -> set[str]:
    return {f"{q.subject} {q.predicate} {q.object}" for q in store.quads_for_pattern(None, None, None, None)}


@pytest.fixture
def tricky_build(tmp_path):
    """A small store with what a writer gets wrong: blank nodes, escapes, languages, datatypes, a
    default-graph triple, a triple in two graphs."""
    out = tmp_path / "tricky"
    out.mkdir()
    s = ox.Store(str(out / "store"))
    a, p = ox.NamedNode("http://ex.org/a"), ox.NamedNode("http://ex.org/p")
    g1, g2 = ox.NamedNode(ns.KGG + "one"), ox.NamedNode(ns.KGG + "two")
    b = ox.BlankNode("b0")
    for lit in [ox.Literal('quote " back \\ newline \n tab \t cr \r'), ox.Literal("héllo ☃ \u2028", language="fr"),
                ox.Literal("42", datatype=ox.NamedNode(ns.XSD + "integer")), ox.Literal("<b>&amp;</b>")]:
        s.add(ox.Quad(a, p, lit, g1))
    s.add(ox.Quad(a, p, b, g1))
    s.add(ox.Quad(b, p, ox.Literal("in a blank node"), g1))
    s.add(ox.Quad(a, p, ox.NamedNode("http://ex.org/shared"), g1))
    s.add(ox.Quad(a, p, ox.NamedNode("http://ex.org/shared"), g2))
    s.add(ox.Quad(a, p, ox.Literal("default graph")))
    s.add(ox.Quad(ox.NamedNode("http://ex.org/Class"), ox.NamedNode(ns.RDF + "type"), ox.NamedNode(ns.OWL + "Class"),
                  ox.NamedNode(ns.GRAPH_ONTOLOGY)))
    s.flush()
    del s
    return out


# ----------------------------------------------------------------------------------- the real build

@pytest.mark.parametrize("fmt", list(ex.FORMATS))
def test_export_parses_under_pyoxigraph_with_the_stores_content(exports, store, fmt):
    result = exports[fmt]
    rdf_format = ex.FORMATS[fmt][0]
    parsed = list(ox.parse(path=str(result.path), format=rdf_format))
    if fmt in DATASET_FORMATS:
        assert {str(q) for q in parsed} == store_quads(store)
        assert result.statements == len(store) == len(parsed)
    else:
        got = {f"{q.subject} {q.predicate} {q.object}" for q in parsed}
        assert got == union_triples(store)
        assert result.statements == len(got) == len(parsed)     # the union holds each triple once


@pytest.mark.parametrize("fmt", list(RAPPER))
def test_export_parses_under_rapper(exports, fmt):
    result = exports[fmt]
    assert rapper_count(result.path, fmt) == result.statements


@pytest.mark.parametrize("fmt", list(SERDI))
def test_export_parses_under_serdi(exports, fmt):
    result = exports[fmt]
    assert serdi_count(result.path, fmt) == result.statements


def test_jsonld_parses_under_rdflib(exports, store):
    ds = rdflib.Dataset()
    ds.parse(str(exports["jsonld"].path), format="json-ld")
    quads = [(s, p, o, g) for s, p, o, g in ds.quads((None, None, None, None))]
    assert len(quads) == len(store)
    # same content: rdflib writes N-Quads, pyoxigraph reads them back
    nq = ds.serialize(format="nquads", encoding="utf-8")
    assert {str(q) for q in ox.parse(nq, format=ox.RdfFormat.N_QUADS)} == store_quads(store)


def test_strict_parser_check_is_not_vacuous(tmp_path):
    """The helpers above do fail on a broken file."""
    bad = tmp_path / "bad.nt"
    bad.write_text('<http://ex.org/a> <http://ex.org/p> "unterminated .\n')
    with pytest.raises(AssertionError):
        rapper_count(bad, "ntriples")
    with pytest.raises(AssertionError):
        serdi_count(bad, "ntriples")


def test_line_formats_are_sorted_and_canonical(exports, store):
    nq = exports["nquads"].path.read_text(encoding="utf-8").splitlines(keepends=True)
    # graphs in IRI order, lines in code-point order inside each graph, every quad once
    graphs = [line.rsplit(" ", 2)[-2] for line in nq]
    assert graphs == sorted(graphs)
    by_graph: dict[str, list[str]] = {}
    for line, g in zip(nq, graphs, strict=True):
        by_graph.setdefault(g, []).append(line)
    assert all(lines == sorted(lines) for lines in by_graph.values())
    assert len(set(nq)) == len(nq)
    # the same statements, in the same N-Quads form, as oxigraph's own dump
    assert set(nq) == set(store.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8").splitlines(keepends=True))
    nt = exports["ntriples"].path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert nt == sorted(set(nt))


def test_export_is_deterministic(built, exports, tmp_path):
    for fmt, first in exports.items():
        again = ex.export(built, fmt, file=tmp_path / first.path.name)
        assert again.path.read_bytes() == first.path.read_bytes(), fmt


def test_export_in_another_process_gives_the_same_bytes(built, exports, tmp_path):
    """Nothing hash-seeded leaks into the output (prefix order, blank-node labels, graph order)."""
    for fmt in ("turtle", "rdfxml"):
        target = tmp_path / f"again.{fmt}"
        r = subprocess.run([sys.executable, "-m", "kg.cli_io", "export", "--out", str(built), "--format", fmt,
                            "--file", str(target)], capture_output=True, text=True, timeout=120,
                           env={**os.environ, "PYTHONHASHSEED": "12345"})
        assert r.returncode == 0, r.stderr
        assert target.read_bytes() == exports[fmt].path.read_bytes(), fmt


def test_turtle_and_trig_use_the_projects_prefixes(exports):
    head = exports["turtle"].path.read_text(encoding="utf-8")[:3000]
    assert "@prefix kg: <https://w3id.org/kg-un/ontology#>" in head
    assert "@prefix kgg: <https://w3id.org/kg-un/graph/>" in exports["trig"].path.read_text(encoding="utf-8")[:3000]


# ------------------------------------------------------------------------------ choosing graphs

def _graphs_in(path, fmt=ox.RdfFormat.N_QUADS) -> set[str]:
    return {q.graph_name.value for q in ox.parse(path=str(path), format=fmt) if isinstance(q.graph_name, ox.NamedNode)}


def test_graph_choice_with_and_without_vocab(built, store, tmp_path):
    doc = sorted(g.value for g in store.named_graphs() if g.value not in ex.BACKGROUND_GRAPHS)[0]
    slug = doc[len(ns.KGG):]
    with_vocab = ex.export(built, "nquads", file=tmp_path / "a.nq", graphs=[slug])
    assert _graphs_in(with_vocab.path) == {doc, ns.GRAPH_ONTOLOGY, ns.GRAPH_VOCAB}
    only = ex.export(built, "nquads", file=tmp_path / "b.nq", graphs=[f"kgg:{slug}"], with_vocab=False)
    assert _graphs_in(only.path) == {doc}
    assert only.statements == len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(doc))))
    full_iri = ex.export(built, "nquads", file=tmp_path / "c.nq", graphs=[f"<{doc}>"], with_vocab=False)
    assert full_iri.path.read_bytes() == only.path.read_bytes()
    no_vocab = ex.export(built, "trig", file=tmp_path / "d.trig", with_vocab=False)
    assert not _graphs_in(no_vocab.path, ox.RdfFormat.TRIG) & set(ex.BACKGROUND_GRAPHS)
    assert _graphs_in(no_vocab.path, ox.RdfFormat.TRIG) == {g.value for g in store.named_graphs()} - set(ex.BACKGROUND_GRAPHS)


def test_unknown_graph_is_a_usage_error(built, tmp_path):
    r = CliRunner().invoke(export_cmd, ["--out", str(built), "--graph", "no-such-graph", "--file", str(tmp_path / "x.nq"),
                                        "--format", "nquads"])
    assert r.exit_code == 2
    assert "no graph <https://w3id.org/kg-un/graph/no-such-graph>" in r.output
    assert not (tmp_path / "x.nq").exists()


def test_cli_default_path_stdout_and_missing_build(built, tmp_path):
    runner = CliRunner()
    out = tmp_path / "copy"
    shutil.copytree(built / "store", out / "store")
    r = runner.invoke(export_cmd, ["--out", str(out), "--format", "ntriples"])
    assert r.exit_code == 0, r.output
    assert (out / "export" / "kg.nt").stat().st_size > 0
    assert "distinct triples" in r.output
    doc = min(g.value for g in ox.Store.read_only(str(out / "store")).named_graphs()
              if g.value not in ex.BACKGROUND_GRAPHS)
    r = runner.invoke(export_cmd, ["--out", str(out), "--format", "nquads", "--file", "-", "--no-vocab",
                                   "--graph", doc])
    assert r.exit_code == 0, r.output
    lines = [line for line in r.stdout.splitlines() if line.strip()]
    assert lines and all(line.endswith(" .") for line in lines)
    r = runner.invoke(export_cmd, ["--out", str(tmp_path / "nothing"), "--format", "trig"])
    assert r.exit_code == 3 and "kg build" in r.output


# ----------------------------------------------------------------------------- edge cases, streaming

@pytest.mark.parametrize("fmt", list(ex.FORMATS))
def test_tricky_terms_round_trip(tricky_build, tmp_path, fmt):
    res = ex.export(tricky_build, fmt, file=tmp_path / f"t.{ex.FORMATS[fmt][1]}")
    parsed = list(ox.parse(path=str(res.path), format=ex.FORMATS[fmt][0]))
    src = ox.Store.read_only(str(tricky_build / "store"))

    def canon(quads, keep_graph):
        # blank-node labels may differ across a round trip; there is one blank node here
        def term(t):
            return "_:b" if isinstance(t, ox.BlankNode) else str(t)
        return {(term(q.subject), str(q.predicate), term(q.object)) + ((str(q.graph_name),) if keep_graph else ())
                for q in quads}
    keep = fmt in DATASET_FORMATS
    assert canon(parsed, keep) == canon(src.quads_for_pattern(None, None, None, None), keep)
    if fmt in RAPPER:
        assert rapper_count(res.path, fmt) == res.statements
    if fmt in SERDI:
        assert serdi_count(res.path, fmt) == res.statements
    if not keep:   # the triple in two graphs is written once
        assert res.statements == len(canon(parsed, False)) == len(parsed)


def test_default_graph_is_exported_first_in_nquads(tricky_build, tmp_path):
    res = ex.export(tricky_build, "nquads", file=tmp_path / "t.nq")
    lines = res.path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == '<http://ex.org/a> <http://ex.org/p> "default graph" .'


def test_external_merge_gives_the_same_bytes(built, exports, tmp_path, monkeypatch):
    """Force many small sorted runs and several merge rounds: same output as the in-memory path."""
    monkeypatch.setattr(ex, "RUN_LINES", 500)
    monkeypatch.setattr(ex, "MERGE_FAN_IN", 3)
    for fmt in ("ntriples", "turtle"):
        res = ex.export(built, fmt, file=tmp_path / f"merged.{fmt}")
        assert res.path.read_bytes() == exports[fmt].path.read_bytes()


def test_write_is_atomic_and_leaves_no_temporaries(built, tmp_path, monkeypatch):
    target = tmp_path / "kg.nt"
    target.write_text("previous\n")

    def boom(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(ex, "_union_lines", boom)
    with pytest.raises(OSError):
        ex.export(built, "ntriples", file=target)
    assert target.read_text() == "previous\n"          # the old file is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg.nt"]
    monkeypatch.undo()
    ex.export(built, "ntriples", file=target)
    assert target.read_text() != "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg.nt"]
