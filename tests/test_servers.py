"""The default corpus loaded with `kg load` into two real SPARQL servers that share no code with each
other: the Oxigraph server (PyPI package `oxigraph`) and OpenLink Virtuoso (Debian package
`virtuoso-opensource-7-bin`), both started here on loopback (`.ci/install-servers.sh` installs them).
For each server: the load is verified (triple count and every triple), then every named query of
queries/ runs on the server's SPARQL endpoint, with the parameter values of tests/test_queries.py, and
must give the same answer as on the embedded store. If a query answers differently on one engine,
the query or the data is wrong.

Answers are compared as multisets of rows of normalised terms: IRIs; literals by lexical form, datatype
and language, numbers by value (engines type aggregates differently), xsd:string as a simple literal;
GROUP_CONCAT values as multisets of their parts (their order is engine-specific). Row order is
compared too where the query has ORDER BY, on the ORDER BY keys only (rows that tie on them may come
in any order). CONSTRUCT answers are compared as sets of triples.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, parse

from kg import namespaces as ns
from kg.store import open_store
from test_load import Oxigraph, free_port, run_load

_spec = importlib.util.spec_from_file_location(
    "virtuoso_bench", Path(__file__).resolve().parents[1] / "benchmarks" / "virtuoso.py")
virtuoso_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(virtuoso_bench)

Q = importlib.import_module("kg.query")     # the module (the package attribute `kg.query` may be the function)
KGID = ns.KGID
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                             "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
                             "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
HTTP_TIMEOUT = 300

# Every named query, with the parameter values tests/test_queries.py uses on the default corpus: the
# required ones, and filtered variants. A new query must be added here (test_every_named_query_is_covered).
CASES: list[tuple[str, dict]] = [
    ("accusations", {}),
    ("accusations", {"accuser": "AZE", "accused": "ARM"}),
    ("accusations", {"accused": "AZE"}),
    ("citation-network", {}),
    ("citation-network", {"doc": "002_7ba849221ed25377.txt"}),
    ("citations", {"doc": "002_7ba849221ed25377.txt"}),
    ("citations", {"doc": "002_7ba849221ed25377.txt", "max_depth": 1}),
    ("cited-by", {"doc": "AL AZE 3/2024"}),
    ("cited-by", {"doc": "A/77/686"}),
    ("co-mentions", {}),
    ("co-mentions", {"state": "RUS"}),
    ("communications", {}),
    ("communications", {"state": "AZE"}),
    ("document", {"doc": "A/75/875"}),
    ("documents-naming", {}),
    ("documents-naming", {"entity": KGID + "body/sr-extrajudicial-executions"}),
    ("documents-naming", {"label": "arbitrary detention"}),
    ("documents-naming", {"label": "WGAD"}),
    ("documents-naming", {"entity": KGID + "body/security-council"}),
    ("evidence", {"node": "https://undocs.org/S/PV.9132"}),
    ("evidence", {"node": KGID + "place/khojaly"}),
    ("evidence", {"node": KGID + "state/ARM", "document": "A/75/875"}),
    ("incidents", {}),
    ("incidents", {"from": "2020-01-01"}),
    ("incidents", {"perpetrator": "ARM", "to": "1993-12-31"}),
    ("incidents", {"place": KGID + "place/khojaly"}),
    ("invocations", {}),
    ("invocations", {"state": "AZE"}),
    ("invocations", {"against": "ARM"}),
    ("most-cited", {"limit": 5}),
    ("most-cited", {"limit": 1000}),
    ("persons", {}),
    ("persons", {"label": "sargsyan"}),
    ("persons", {"person": KGID + "person/yashar-aliyev"}),
    ("reply-threads", {}),
    ("reply-threads", {"state": "AZE"}),
    ("same-event", {}),
    ("same-event", {"place": KGID + "place/khojaly"}),
]

# Queries whose answer on a server is known to differ, with the reason: {(server, query): reason}. Such a
# case is an expected failure when it differs (and passes when it does not, e.g. with no rows to differ on).
EXPECTED_DIFFERENCES: dict[tuple[str, str], str] = {
}


def case_id(case: tuple[str, dict]) -> str:
    name, params = case
    return name + "".join(f"[{k}={v}]" for k, v in params.items())


# ---------------------------------------------------------------------------------------- Virtuoso

def _required(what: str, install: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed: {install} (.ci/install-servers.sh)")
    pytest.skip(f"{what} not installed ({install}); required when CI is set")


def virtuoso_binaries() -> tuple[str, str]:
    server = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt") or shutil.which("isql-v")
    if not server or not isql:
        _required("Virtuoso (virtuoso-t, isql-vt)", "apt-get install virtuoso-opensource-7-bin")
    return server, isql


# The server's configuration is the benchmark's (benchmarks/virtuoso.py: loopback only, no row or time
# limit on answers), with small buffers.
VIRTUOSO_INI = partial(virtuoso_bench.INI.format, buffers=10000, dirty=6000, remap=2000, query_mem=512, dirs=".")

# The unauthenticated endpoints run as the SQL user SPARQL (web user `nobody`): let them write, as the
# loader needs (SPARQL Update on /sparql, Graph Store Protocol on /sparql-graph-crud).
VIRTUOSO_GRANTS = 'GRANT SPARQL_UPDATE TO "SPARQL"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET (\'nobody\', 7);'


class Virtuoso:
    """A Virtuoso server on free loopback ports over a folder, in the foreground, writable without login."""

    def __init__(self, location: Path):
        self.binary, self.isql = virtuoso_binaries()
        self.location = location
        self.sql_port, self.http_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.gsp, self.query_url = self.base + "/sparql-graph-crud", self.base + "/sparql"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.location.mkdir(parents=True, exist_ok=True)
        ini = self.location / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI(d=self.location, sql_port=self.sql_port, http_port=self.http_port))
        self.log = open(self.location / "stdout.log", "wb")
        self.proc = subprocess.Popen([self.binary, "+configfile", str(ini), "+foreground"], cwd=self.location,
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {self.proc.returncode}: {self.tail()}")
            try:
                with urllib.request.urlopen(self.query_url + "?query=" + urllib.parse.quote("ASK {}"), timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        else:
            raise RuntimeError(f"virtuoso did not come up: {self.tail()}")
        self.sql(VIRTUOSO_GRANTS)

    def sql(self, statements: str) -> str:
        r = subprocess.run([self.isql, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statements}"],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        if r.returncode != 0 or "*** Error" in r.stdout + r.stderr:
            raise RuntimeError(f"isql: {statements}: {r.stdout} {r.stderr}")
        return r.stdout

    def tail(self) -> str:
        log = self.location / "virtuoso.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc:
            self.log.close()


# ------------------------------------------------------------------------------------- SPARQL client

def post_query(url: str, text: str, accept: str) -> tuple[bytes, dict]:
    """The query by the SPARQL 1.1 Protocol (POST, form-encoded); the body and the response headers."""
    req = urllib.request.Request(url, data=urllib.parse.urlencode({"query": text}).encode(),
                                 headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT) as r:
            body, headers = r.read(), {k.lower(): v for k, v in r.headers.items()}
    except urllib.error.HTTPError as e:
        raise AssertionError(f"{url}: HTTP {e.code}: {e.read()[:2000].decode(errors='replace')}") from None
    # Virtuoso answers a query it had to cut (time or row limits) with partial results and these headers.
    partial = {k: v for k, v in headers.items() if k.startswith("x-sql-") or k == "x-exec-milliseconds-limit"}
    assert not partial, f"{url}: a partial answer: {partial}"
    return body, headers


def norm_term(t: dict | None):
    """A SPARQL JSON term as a comparable value."""
    if t is None:
        return None
    kind, value = t["type"], t["value"]
    if kind == "uri":
        return ("iri", value)
    if kind == "bnode":
        return ("bnode",)
    datatype, lang = t.get("datatype"), t.get("xml:lang")
    if lang:
        return ("lit", value, None, lang.lower())
    if datatype in NUMERIC:
        try:
            return ("num", Decimal(value.strip()).normalize())
        except InvalidOperation:
            pass
    if datatype == XSD + "string":
        datatype = None
    return ("lit", value, datatype, None)


def norm_node(t) -> tuple | None:
    """A pyoxigraph term as the same comparable value."""
    if isinstance(t, NamedNode):
        return norm_term({"type": "uri", "value": t.value})
    if isinstance(t, BlankNode):
        return ("bnode",)
    if isinstance(t, Literal):
        d = {"type": "literal", "value": t.value, "datatype": t.datatype.value}
        if t.language:
            d["xml:lang"] = t.language
        return norm_term(d)
    return None


def _as_assignments(text: str) -> dict[str, str]:
    """`(EXPR AS ?v)` of the query: v -> EXPR (balanced parentheses; found outside strings and comments)."""
    out = {}
    stripped = Q.strip_query(text)          # same offsets, strings blanked
    for m in re.finditer(r"\bAS\s+\?(\w+)\s*\)", stripped, re.I):
        depth, i = 0, m.start() - 1
        while i >= 0:
            c = stripped[i]
            if c == ")":
                depth += 1
            elif c == "(":
                if depth == 0:
                    break
                depth -= 1
            i -= 1
        out.setdefault(m.group(1), text[i + 1:m.start()])
    return out


def concat_variables(text: str) -> dict[str, list[str]]:
    """Result variables whose value is (built from) a GROUP_CONCAT, with its separators."""
    assigned = _as_assignments(text)
    found: dict[str, list[str]] = {}
    changed = True
    while changed:
        changed = False
        for var, expr in assigned.items():
            seps = re.findall(r'separator\s*=\s*"((?:[^"\\]|\\.)*)"', expr, re.I) if "GROUP_CONCAT" in expr.upper() else []
            for other, s in found.items():
                if re.search(rf"\?{other}\b", expr):
                    seps += s
            if seps and sorted(set(seps)) != found.get(var):
                found[var] = sorted(set(seps))
                changed = True
    return found


def order_keys(text: str, variables: list[str]) -> list[str]:
    """The variables of the outermost ORDER BY, as long as they are result variables (the rest is not seen)."""
    stripped = Q.strip_query(text)
    m = list(re.finditer(r"\bORDER\s+BY\b", stripped, re.I))
    if not m or stripped.count("{", 0, m[-1].start()) != stripped.count("}", 0, m[-1].start()):
        return []
    clause = re.split(r"\b(LIMIT|OFFSET)\b", stripped[m[-1].end():], flags=re.I)[0]
    keys = []
    for v in re.findall(r"\?(\w+)", clause):
        if v not in variables:
            break
        keys.append(v)
    return keys


class Answer:
    """A query's answer: rows of normalised terms (SELECT) or a set of triples (CONSTRUCT)."""

    def __init__(self, variables: list[str], rows: list[tuple], triples: set | None = None):
        self.variables, self.rows, self.triples = variables, rows, triples


def select_answer(data: dict, text: str) -> Answer:
    variables = data["head"]["vars"]
    concat = concat_variables(text)
    rows = []
    for b in data["results"]["bindings"]:
        row = []
        for v in variables:
            t = norm_term(b.get(v))
            if v in concat and t is not None and t[0] == "lit":
                parts = [t[1]]
                for sep in concat[v]:
                    parts = [p for part in parts for p in part.split(sep)] if sep else parts
                t = ("concat", tuple(sorted(parts)))
            row.append(t)
        rows.append(tuple(row))
    return Answer(variables, rows)


def embedded_answer(store, text: str) -> Answer:
    res = Q.execute(store, text, timeout=HTTP_TIMEOUT)
    if res.form == "CONSTRUCT":
        return Answer([], [], {tuple(norm_node(x) for x in (t.subject, t.predicate, t.object)) for t in res.triples})
    return select_answer(json.loads(res.json_bytes), text)


def server_answer(url: str, text: str) -> Answer:
    if Q.query_form(text) == "CONSTRUCT":
        body, headers = post_query(url, text, "application/n-triples, text/plain;q=0.9")
        fmt = RdfFormat.TURTLE if "turtle" in headers.get("content-type", "") else RdfFormat.N_TRIPLES
        return Answer([], [], {tuple(norm_node(x) for x in (t.subject, t.predicate, t.object))
                               for t in parse(body, format=fmt)})
    body, _ = post_query(url, text, "application/sparql-results+json")
    return select_answer(json.loads(body), text)


def _show(rows, variables, limit=15) -> str:
    lines = []
    for row in list(rows)[:limit]:
        lines.append("    " + ", ".join(f"{v}={t}" for v, t in zip(variables, row) if t is not None))
    if len(rows) > limit:
        lines.append(f"    ... {len(rows) - limit} more")
    return "\n".join(lines)


def differences(expected: Answer, got: Answer, text: str) -> str:
    """'' when the answers agree, else what differs."""
    if expected.triples is not None:
        missing, extra = expected.triples - got.triples, got.triples - expected.triples
        if not missing and not extra:
            return ""
        return (f"{len(missing)} triples only on the embedded store, {len(extra)} only on the server\n"
                f"  only embedded:\n{_show(sorted(missing, key=str), ['s', 'p', 'o'])}\n"
                f"  only server:\n{_show(sorted(extra, key=str), ['s', 'p', 'o'])}")
    if expected.variables != got.variables:
        return f"variables differ: embedded {expected.variables}, server {got.variables}"
    a, b = Counter(expected.rows), Counter(got.rows)
    if a != b:
        missing, extra = list((a - b).elements()), list((b - a).elements())
        return (f"{len(expected.rows)} rows on the embedded store, {len(got.rows)} on the server\n"
                f"  only embedded ({len(missing)}):\n{_show(missing, expected.variables)}\n"
                f"  only server ({len(extra)}):\n{_show(extra, expected.variables)}")
    keys = order_keys(text, expected.variables)
    if keys:
        idx = [expected.variables.index(k) for k in keys]
        ea = [tuple(r[i] for i in idx) for r in expected.rows]
        ga = [tuple(r[i] for i in idx) for r in got.rows]
        if ea != ga:
            first = next(i for i, (x, y) in enumerate(zip(ea, ga)) if x != y)
            return (f"same rows, different order on the ORDER BY keys {keys}: first difference at row {first}:\n"
                    f"    embedded {ea[first]}\n    server   {ga[first]}")
    return ""


# ------------------------------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def built(corpus_build):
    return corpus_build[0]


@pytest.fixture(scope="module")
def embedded(built):
    return open_store(built)


@pytest.fixture(scope="module")
def expected_quads(embedded) -> Counter:
    return Counter((q.graph_name.value,) + tuple(norm_node(x) for x in (q.subject, q.predicate, q.object))
                   for q in embedded.quads_for_pattern(None, None, None, None))


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    server = Oxigraph(tmp_path_factory.mktemp("oxigraph") / "db")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def virtuoso_server(tmp_path_factory):
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


def dump_graphs(query_url: str, graphs: list[str]) -> Counter:
    """Every triple of these graphs in the server, one query per graph."""
    out: Counter = Counter()
    for g in graphs:
        body, _ = post_query(query_url, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}",
                             "application/sparql-results+json")
        for b in json.loads(body)["results"]["bindings"]:
            out[(g,) + tuple(norm_term(b[v]) for v in ("s", "p", "o"))] += 1
    return out


def check_content(query_url: str, expected_quads: Counter, rename=lambda g: g) -> None:
    graphs = sorted({q[0] for q in expected_quads})
    got = dump_graphs(query_url, [rename(g) for g in graphs])
    want = Counter({(rename(q[0]),) + q[1:]: n for q, n in expected_quads.items()})
    missing, extra = want - got, got - want
    assert not missing and not extra, (f"{sum(missing.values())} triples missing in the server, {sum(extra.values())} "
                                       f"unexpected; e.g. missing {list(missing)[:5]}, unexpected {list(extra)[:5]}")


@pytest.fixture(scope="module")
def loaded(request, built, expected_quads):
    """A server holding the default corpus, loaded with `kg load` over the Graph Store Protocol:
    (name, query URL)."""
    name = request.param
    if name == "oxigraph":
        server = request.getfixturevalue("oxigraph_server")
        gsp, query_url = server.base + "/store", server.base + "/query"
    else:
        server = request.getfixturevalue("virtuoso_server")
        gsp, query_url = server.gsp, server.query_url
    r = run_load(built, "--endpoint", gsp)
    assert r.exit_code == 0, r.output
    n = sum(expected_quads.values())
    assert f"verified by COUNT: the store holds {n} triples" in r.output, r.output
    return name, query_url


SERVERS = ["oxigraph", "virtuoso"]


# ------------------------------------------------------------------------------------------ tests

def test_every_named_query_is_covered():
    assert {name for name, _ in CASES} == set(Q.load_queries())
    for name, params in CASES:
        nq = Q.get_query(name)
        assert set(params) <= set(nq.params), (name, params)
        assert {p.name for p in nq.params.values() if p.required} <= set(params), (name, params)


@pytest.mark.parametrize("loaded", SERVERS, indirect=True)
def test_gsp_load_holds_exactly_the_build(loaded, expected_quads):
    """`kg load` over the Graph Store Protocol: the COUNT check passed (fixture), and every triple of every
    graph is in the server, nothing else."""
    _, query_url = loaded
    check_content(query_url, expected_quads)


def test_virtuoso_update_load_holds_exactly_the_build(virtuoso_server, built, expected_quads):
    """`kg load --protocol update` into Virtuoso (SPARQL Update on /sparql), under another graph prefix so as
    not to disturb the graphs the queries read; dropped again afterwards."""
    prefix = "http://example.org/kg-update/"
    rename = lambda g: prefix + g[len(ns.KGG):] if g.startswith(ns.KGG) else g     # noqa: E731
    try:
        r = run_load(built, "--protocol", "update", "--update-endpoint", virtuoso_server.query_url,
                     "--graph-prefix", prefix, "--batch", "2000")
        assert r.exit_code == 0, r.output
        assert f"verified by COUNT: the store holds {sum(expected_quads.values())} triples" in r.output, r.output
        check_content(virtuoso_server.query_url, expected_quads, rename)
    finally:
        for g in sorted({rename(q[0]) for q in expected_quads}):
            post = urllib.request.Request(virtuoso_server.query_url, data=f"DROP SILENT GRAPH <{g}>".encode(),
                                          headers={"Content-Type": "application/sparql-update"})
            urllib.request.urlopen(post, timeout=60).close()


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
@pytest.mark.parametrize("loaded", SERVERS, indirect=True)
def test_named_query_gives_the_same_answer_as_the_embedded_store(loaded, case, embedded):
    server, query_url = loaded
    name, params = case
    text = Q.prepare(name, store=embedded, **params)
    expected = embedded_answer(embedded, text)
    got = server_answer(query_url, text)
    diff = differences(expected, got, text)
    reason = EXPECTED_DIFFERENCES.get((server, name))
    if reason and diff:
        pytest.xfail(f"{reason}:\n{diff}")
    assert not diff, f"{case_id(case)} answers differently on {server}:\n{diff}"


@pytest.mark.parametrize("loaded", SERVERS, indirect=True)
def test_kg_query_runs_at_the_server(loaded, embedded):
    """`kg query NAME --endpoint URL`: the symbol is resolved in the server's store and the rows come back
    as the build gives them (values compared: a server may type a count differently)."""
    _, query_url = loaded
    for name, params in (("cited-by", {"doc": "AL AZE 3/2024", "max_depth": 2}), ("accusations", {"accuser": "AZE"})):
        here = Q.run_named(name, store=embedded, **params)
        there = Q.run_named(name, endpoint=query_url, **params)
        assert here.rows and there.variables == here.variables
        assert there.dicts() == here.dicts(), name
