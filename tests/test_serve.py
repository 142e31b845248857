"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint on 127.0.0.1, started here as a subprocess:
GET and POST (direct and form-encoded) queries, content negotiation, updates refused, SERVICE refused
(but not the word 'service' in strings, IRIs, comments or names), the row limit and the query timeout,
the Host header check (DNS rebinding) and CORS (closed unless --allow-origin)."""
from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import time

import pyoxigraph as ox
import pytest
import requests

from kg import namespaces as ns
from kg import serve as sv

MAX_ROWS = 50
TIMEOUT = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(out, *args) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli_io", "serve", "--out", str(out), "--port", str(port), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"kg serve exited with {proc.returncode}: {proc.stderr.read()}")
        try:
            requests.get(base + "/", timeout=1)
            return proc, base
        except requests.ConnectionError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("kg serve did not come up")


def stop_server(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err


@pytest.fixture(scope="module")
def built(corpus_build):
    return corpus_build[0]


@pytest.fixture(scope="module")
def server(built):
    proc, base = start_server(built, "--max-rows", str(MAX_ROWS), "--timeout", str(TIMEOUT), "--quiet")
    try:
        yield base
    finally:
        stop_server(proc)


@pytest.fixture(scope="module")
def store(built):
    return ox.Store.read_only(str(built / "store"))


COUNT_BY_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


def _counts(store) -> dict[str, int]:
    return {r["g"].value: int(r["n"].value) for r in store.query(COUNT_BY_GRAPH)}


def _json_counts(body: dict) -> dict[str, int]:
    return {b["g"]["value"]: int(b["n"]["value"]) for b in body["results"]["bindings"]}


# ------------------------------------------------------------------------------------- protocol

def test_get_query_answers_sparql_json(server, store):
    r = requests.get(server + "/sparql", params={"query": COUNT_BY_GRAPH}, timeout=30)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/sparql-results+json")
    assert "Access-Control-Allow-Origin" not in r.headers        # no CORS unless --allow-origin
    assert _json_counts(r.json()) == _counts(store)


def test_post_direct_and_form_encoded(server, store):
    direct = requests.post(server + "/sparql", data=COUNT_BY_GRAPH.encode(), timeout=30,
                           headers={"Content-Type": "application/sparql-query"})
    form = requests.post(server + "/sparql", data={"query": COUNT_BY_GRAPH}, timeout=30)
    assert direct.status_code == form.status_code == 200
    assert _json_counts(direct.json()) == _json_counts(form.json()) == _counts(store)


@pytest.mark.parametrize("accept,fmt", [("application/sparql-results+xml", ox.QueryResultsFormat.XML),
                                        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
                                        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
                                        ("text/csv", ox.QueryResultsFormat.CSV)])
def test_select_content_negotiation(server, store, accept, fmt):
    r = requests.get(server + "/sparql", params={"query": COUNT_BY_GRAPH}, headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(accept)
    if fmt == ox.QueryResultsFormat.CSV:        # CSV loses datatypes: compare the text
        lines = r.text.splitlines()
        assert lines[0] == "g,n"
        assert {tuple(line.split(",")) for line in lines[1:]} == {(g, str(n)) for g, n in _counts(store).items()}
        return
    parsed = ox.parse_query_results(r.content, fmt)
    assert {s["g"].value: int(s["n"].value) for s in parsed} == _counts(store)


def test_ask_and_construct(server, store):
    r = requests.get(server + "/sparql", params={"query": "ASK { ?s a <https://w3id.org/kg-un/ontology#Letter> }"},
                     timeout=30)
    assert r.json() == {"head": {}, "boolean": True}
    q = "CONSTRUCT { ?s a ?c } WHERE { GRAPH <%s> { ?s a ?c } }" % ns.GRAPH_ONTOLOGY
    expected = {str(t) for t in store.query(q)}
    assert expected
    for accept, fmt in [("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                        ("application/rdf+xml", ox.RdfFormat.RDF_XML), ("application/ld+json", ox.RdfFormat.JSON_LD)]:
        r = requests.post(server + "/sparql", data={"query": q}, headers={"Accept": accept}, timeout=30)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith(accept)
        got = {str(t) for t in ox.parse(r.content, format=fmt)}
        assert got <= expected and len(got) == min(len(expected), MAX_ROWS)


def test_format_parameter_and_406(server):
    r = requests.get(server + "/sparql", params={"query": "ASK {}", "format": "xml"}, timeout=30)
    assert r.headers["Content-Type"].startswith("application/sparql-results+xml")
    r = requests.get(server + "/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"}, timeout=30)
    assert r.status_code == 406
    r = requests.get(server + "/sparql", params={"query": "ASK {}"},
                     headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/sparql-results+json")


def test_default_graph_is_the_union_unless_graphs_are_named(server, store):
    total = len(store)
    r = requests.get(server + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}, timeout=30)
    union = int(r.json()["results"]["bindings"][0]["n"]["value"])
    assert 0 < union <= total
    r = requests.get(server + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
                                                 "default-graph-uri": ns.GRAPH_ONTOLOGY}, timeout=30)
    n = int(r.json()["results"]["bindings"][0]["n"]["value"])
    assert n == len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(ns.GRAPH_ONTOLOGY))))


def test_syntax_error_is_400(server):
    r = requests.get(server + "/sparql", params={"query": "SELECT WHERE {"}, timeout=30)
    assert r.status_code == 400 and "syntax" in r.text.lower()


# ---------------------------------------------------------------------------------- read-only

def test_updates_are_refused_and_nothing_changes(server, store):
    before = _counts(store)
    update = "DROP ALL"
    assert requests.post(server + "/sparql", data={"update": update}, timeout=30).status_code == 400
    assert requests.post(server + "/sparql", data=update.encode(), timeout=30,
                         headers={"Content-Type": "application/sparql-update"}).status_code == 400
    assert requests.get(server + "/sparql", params={"update": update}, timeout=30).status_code == 400
    r = requests.post(server + "/sparql", data={"query": "INSERT DATA { <http://a> <http://b> <http://c> }"}, timeout=30)
    assert r.status_code == 400
    for method in ("PUT", "DELETE", "PATCH"):
        r = requests.request(method, server + "/sparql", data=b"<http://a> <http://b> <http://c> .", timeout=30)
        assert r.status_code == 405 and "read-only" in r.text
    r = requests.get(server + "/sparql", params={"query": COUNT_BY_GRAPH}, timeout=30)
    assert _json_counts(r.json()) == before


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * where { service <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://x/> { ?s ?p ?o } }",
    "SELECT * WHERE { BIND(<http://x/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o . # a comment\n SERVICE<http://x/>{?a ?b ?c} }",
    "SELECT * WHERE { ?s ?p \"a string\" .SERVICE <http://x/> { ?a ?b ?c } }",
    "SELECT * WHERE { \\u0053ERVICE <http://x/> { ?s ?p ?o } }",
])
def test_service_is_refused(server, query):
    r = requests.post(server + "/sparql", data={"query": query}, timeout=30)
    assert r.status_code == 400 and "SERVICE" in r.text


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "customer service" } LIMIT 1',
    "SELECT * WHERE { ?s ?p '''SERVICE <http://x/> { }''' } LIMIT 1",
    "SELECT * WHERE { ?s <http://ex.org/service> ?o } LIMIT 1  # SERVICE <http://x/> {}",
    "PREFIX service: <http://ex.org/> SELECT ?service WHERE { ?service service:p ?o } LIMIT 1",
    "PREFIX ex: <http://ex.org/> SELECT * WHERE { ?s ex:service ?o } LIMIT 1",
])
def test_the_word_service_elsewhere_is_fine(server, query):
    r = requests.post(server + "/sparql", data={"query": query}, timeout=30)
    assert r.status_code == 200, r.text


# ------------------------------------------------------------------------------------ limits

def test_result_rows_are_limited(server):
    r = requests.get(server + "/sparql", params={"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"}, timeout=30)
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == MAX_ROWS
    assert r.headers["X-KG-Truncated"].startswith("true")
    r = requests.get(server + "/sparql", params={"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 3"}, timeout=30)
    assert len(r.json()["results"]["bindings"]) == 3 and "X-KG-Truncated" not in r.headers


def test_query_timeout_then_the_server_still_answers(server):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } GRAPH ?i { ?x ?y ?z } }"
    started = time.monotonic()
    r = requests.post(server + "/sparql", data={"query": slow}, timeout=60)
    elapsed = time.monotonic() - started
    assert r.status_code == 503 and "timed out" in r.text
    assert elapsed < TIMEOUT + 5
    r = requests.get(server + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert r.status_code == 200 and r.json()["boolean"] is True


def test_binds_loopback_by_default(server):
    port = int(server.rsplit(":", 1)[1])
    tables = [p for p in ("/proc/net/tcp", "/proc/net/tcp6") if os.path.exists(p)]
    if not tables:
        pytest.skip("no /proc/net/tcp on this system")
    listening = []
    for table in tables:
        for line in open(table).read().splitlines()[1:]:
            fields = line.split()
            addr, state = fields[1], fields[3]
            if state == "0A" and int(addr.rsplit(":", 1)[1], 16) == port:
                listening.append(addr.rsplit(":", 1)[0])
    assert listening == ["0100007F"]           # 127.0.0.1, and nothing else


def test_other_host_warns(built):
    proc, _base = start_server(built, "--host", "0.0.0.0", "--quiet")
    err = stop_server(proc)
    assert "warning: binding 0.0.0.0" in err


def test_service_description_and_help(server):
    r = requests.get(server + "/sparql", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    assert len(list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))) > 3
    assert requests.get(server + "/nothing", timeout=30).status_code == 404


def test_missing_build_is_fatal(tmp_path):
    r = subprocess.run([sys.executable, "-m", "kg.cli_io", "serve", "--out", str(tmp_path), "--port", "0"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 3 and "kg build" in r.stderr


# ------------------------------------------------------------- DNS rebinding and cross-origin reads

ASK = {"query": "ASK { ?s ?p ?o }"}
YASGUI = "https://yasgui.example.org"
OTHER_LOCAL_TOOL = "http://localhost:8080"


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def cors_server(built):
    proc, base = start_server(built, "--allow-origin", YASGUI, "--allow-origin", OTHER_LOCAL_TOOL + "/",
                              "--workers", "1", "--quiet")
    try:
        yield base
    finally:
        stop_server(proc)


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}",
                                  "localhost:1", "127.0.0.1", "10.0.0.1:{port}", "[::2]:{port}"])
def test_host_header_not_naming_the_server_is_refused(server, host):
    """A page on evil.example whose DNS name is rebound to 127.0.0.1 sends Host: evil.example[:port]."""
    host = host.format(port=_port(server))
    r = requests.get(server + "/sparql", params=ASK, headers={"Host": host}, timeout=30)
    assert r.status_code == 403, r.text
    assert r.headers["Content-Type"].startswith("text/plain")
    assert "Host header" in r.text and "DNS rebinding" in r.text and len(r.text) < 300
    assert "Access-Control-Allow-Origin" not in r.headers
    r = requests.post(server + "/sparql", data={"query": "ASK { ?s ?p ?o }"}, headers={"Host": host}, timeout=30)
    assert r.status_code == 403 and "boolean" not in r.text
    r = requests.get(server + "/", headers={"Host": host}, timeout=30)
    assert r.status_code == 403


def test_host_header_naming_the_server_is_accepted(server):
    port = _port(server)
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}", f"[::1]:{port}"):
        r = requests.get(server + "/sparql", params=ASK, headers={"Host": host}, timeout=30)
        assert r.status_code == 200 and r.json()["boolean"] is True, host


def test_request_without_host_header_is_refused(server):
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=30) as s:
        s.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\n\r\n")
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 403") or reply.startswith(b"HTTP/1.0 403"), reply[:200]


def test_explicit_host_is_a_valid_host_header(built):
    """--host 0.0.0.0: the name given is accepted besides the loopback names, nothing else is."""
    proc, base = start_server(built, "--host", "0.0.0.0", "--workers", "1", "--quiet")
    try:
        port = _port(base)
        r = requests.get(base + "/sparql", params=ASK, headers={"Host": f"0.0.0.0:{port}"}, timeout=30)
        assert r.status_code == 200
        r = requests.get(base + "/sparql", params=ASK, headers={"Host": f"evil.example:{port}"}, timeout=30)
        assert r.status_code == 403
    finally:
        stop_server(proc)


def test_no_cors_by_default(server):
    """Without --allow-origin: no Access-Control-Allow-Origin on any answer, preflights and requests
    from other origins refused; a request from the endpoint's own origin works."""
    r = requests.get(server + "/sparql", params=ASK, timeout=30)
    assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers
    for origin in (YASGUI, "http://evil.example", "null"):
        r = requests.get(server + "/sparql", params=ASK, headers={"Origin": origin}, timeout=30)
        assert r.status_code == 403 and "origin" in r.text, origin
        assert not any(k.lower().startswith("access-control-") for k in r.headers), r.headers
        r = requests.options(server + "/sparql", timeout=30,
                             headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                      "Access-Control-Request-Headers": "content-type"})
        assert r.status_code == 403
        assert not any(k.lower().startswith("access-control-") for k in r.headers), r.headers
    own = f"http://localhost:{_port(server)}"        # a page served from the endpoint itself
    r = requests.post(server + "/sparql", data={"query": "ASK { ?s ?p ?o }"}, headers={"Origin": own}, timeout=30)
    assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers
    r = requests.options(server + "/sparql", timeout=30)             # not a preflight: just the methods
    assert r.status_code == 204 and r.headers["Allow"] == "GET, POST, OPTIONS"
    assert "Access-Control-Allow-Origin" not in r.headers


def test_allowed_origin_is_echoed_and_only_it(cors_server):
    for origin in (YASGUI, OTHER_LOCAL_TOOL):
        r = requests.get(cors_server + "/sparql", params=ASK, headers={"Origin": origin}, timeout=30)
        assert r.status_code == 200 and r.json()["boolean"] is True
        assert r.headers["Access-Control-Allow-Origin"] == origin
        assert "X-KG-Truncated" in r.headers["Access-Control-Expose-Headers"]
        assert "Origin" in r.headers["Vary"] and "Accept" in r.headers["Vary"]
    for origin in ("https://evil.example", "http://yasgui.example.org", "https://yasgui.example.org:8443",
                   "https://yasgui.example.org.evil.example", "null"):
        r = requests.get(cors_server + "/sparql", params=ASK, headers={"Origin": origin}, timeout=30)
        assert r.status_code == 403, origin
        assert "Access-Control-Allow-Origin" not in r.headers and "boolean" not in r.text
    r = requests.get(cors_server + "/sparql", params=ASK, timeout=30)       # no Origin: no CORS header
    assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers
    r = requests.get(cors_server + "/sparql", params=ASK, headers={"Origin": YASGUI, "Host": "evil.example"},
                     timeout=30)
    assert r.status_code == 403                 # an allowed Origin does not lift the Host check


def test_preflight_is_answered_for_allowed_origins_only(cors_server):
    ask = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, accept"}
    r = requests.options(cors_server + "/sparql", headers={"Origin": YASGUI, **ask}, timeout=30)
    assert r.status_code == 204 and not r.content
    assert r.headers["Access-Control-Allow-Origin"] == YASGUI
    assert {"GET", "POST"} <= {m.strip() for m in r.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"content-type", "accept"} <= {h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
    assert int(r.headers["Access-Control-Max-Age"]) > 0 and "Origin" in r.headers["Vary"]
    assert "Access-Control-Allow-Private-Network" not in r.headers
    r = requests.options(cors_server + "/sparql", timeout=30,       # Chrome's Private Network Access
                         headers={"Origin": YASGUI, "Access-Control-Request-Private-Network": "true", **ask})
    assert r.status_code == 204 and r.headers["Access-Control-Allow-Private-Network"] == "true"
    r = requests.options(cors_server + "/sparql", headers={"Origin": "https://evil.example", **ask}, timeout=30)
    assert r.status_code == 403
    assert not any(k.lower().startswith("access-control-") for k in r.headers), r.headers
    # what the browser then sends: the query, still read-only
    r = requests.post(cors_server + "/sparql", data={"update": "DROP ALL"}, headers={"Origin": YASGUI}, timeout=30)
    assert r.status_code == 400 and r.headers["Access-Control-Allow-Origin"] == YASGUI


@pytest.mark.parametrize("origin", ["*", "null", "yasgui.example.org", "https://yasgui.example.org/path", "ftp://x"])
def test_bad_allow_origin_is_a_usage_error(tmp_path, origin):
    r = subprocess.run([sys.executable, "-m", "kg.cli_io", "serve", "--out", str(tmp_path), "--port", "0",
                        "--allow-origin", origin], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "--allow-origin" in r.stderr


# -------------------------------------------------------------------------------------- units

def test_host_and_origin_rules():
    assert sv.allowed_host_headers("127.0.0.1", 7879) == {"127.0.0.1:7879", "localhost:7879", "[::1]:7879"}
    assert "[::1]:7879" in sv.allowed_host_headers("::1", 7879)
    assert "myhost.lan:7879" in sv.allowed_host_headers("MyHost.lan", 7879)
    assert "localhost" in sv.allowed_host_headers("127.0.0.1", 80)     # port 80: browsers leave it out
    assert "localhost" not in sv.allowed_host_headers("127.0.0.1", 7879)
    assert sv.normalize_origin("HTTPS://YasGUI.example.org:443/") == "https://yasgui.example.org"
    assert sv.normalize_origin("http://localhost:8080") == "http://localhost:8080"
    assert sv.normalize_origin("http://[::1]:3000") == "http://[::1]:3000"
    for bad in ("*", "null", "", "localhost:8080", "https://x.org/path", "https://x.org:99999", "javascript://x"):
        with pytest.raises(ValueError):
            sv.normalize_origin(bad)


def test_service_detection():
    assert not sv.uses_service('SELECT * { ?s ?p "a # not a comment" } # SERVICE <http://x/> {}\n')
    assert not sv.uses_service('SELECT * { ?s ?p """multi\nline SERVICE""" }')
    assert not sv.uses_service("SELECT * { ?s <http://x/SERVICE> ?o }")
    assert sv.uses_service('SELECT * { ?s ?p "unterminated SERVICE <http://x/> { } }')   # fails closed
    assert sv.uses_service("SELECT * { ?s ?p ?o FILTER(1<2) SERVICE <http://x/> {} FILTER(2>1) }")


def test_negotiate():
    offers = sv.SELECT_TYPES
    assert sv.negotiate(None, offers, "application/sparql-results+json") == "application/sparql-results+json"
    assert sv.negotiate("text/csv;q=0.5, application/sparql-results+xml", offers,
                        "application/sparql-results+json") == "application/sparql-results+xml"
    assert sv.negotiate("text/*", offers, "application/sparql-results+json") == "text/csv"
    assert sv.negotiate("image/png", offers, "application/sparql-results+json") is None


def test_result_serialisers_escape():
    lit = ox.Literal('a "b" <c> & d\te\nf', language="en")
    rows = [[ox.NamedNode("http://ex.org/a?x=1&y=2"), lit, None]]
    for fmt, rf in (("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML),
                    ("tsv", ox.QueryResultsFormat.TSV)):
        data = sv.serialize_select(["s", "o", "unbound"], rows, fmt)
        sol = next(iter(ox.parse_query_results(io.BytesIO(data), rf)))
        assert sol["s"] == rows[0][0] and sol["o"] == lit and sol["unbound"] is None


# ----------------------------------------------------------- kg query / kg sparql --endpoint

def _kg(*args, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("name,params", [
    ("accusations", {}),
    ("cited-by", {"doc": "AL AZE 3/2024", "max_depth": 1}),   # the symbol is resolved at the endpoint
    ("incidents", {"perpetrator": "ARM"}),
    ("citation-network", {"doc": "A/75/875"}),                  # CONSTRUCT
])
def test_named_query_at_an_endpoint_answers_as_the_build(server, built, store, name, params):
    from kg import query as Q
    here = Q.run_named(name, built, store=store, **params)
    there = Q.run_named(name, endpoint=server + "/query", **params)
    assert there.form == here.form
    if here.form == "SELECT":
        assert here.rows, f"{name} has no rows on the corpus: the comparison would prove nothing"
        assert there.variables == here.variables
        assert there.rows == here.rows                 # both ordered by the query's ORDER BY
    else:
        assert here.triples and set(there.triples) == set(here.triples)


def test_kg_query_endpoint_prints_the_rows(server):
    r = _kg("query", "cited-by", "-p", "doc=AL AZE 3/2024", "-p", "max_depth=1", "--format", "csv",
            "--endpoint", server + "/query", "--out", "/nonexistent")      # --out is not read
    assert r.returncode == 0, r.stderr
    rows = r.stdout.strip().splitlines()
    assert rows[0].startswith("depth,citing,") and len(rows) == 2 and "AL AZE 3/2024" in rows[1]
    # --show resolves a file name at the endpoint's store to the document's IRI (unresolved, it would
    # become https://undocs.org/002_...txt).
    shown = _kg("query", "citations", "-p", "doc=002_7ba849221ed25377.txt", "--show", "--endpoint", server + "/query",
                "--out", "/nonexistent")
    assert shown.returncode == 0, shown.stderr
    assert "VALUES (?doc ?max_depth) { (<https://w3id.org/kg-un/id/doc/002-7ba849221ed25377-txt> " in shown.stdout


def test_an_answer_the_endpoint_cut_short_is_an_error(server):
    r = _kg("sparql", "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "--endpoint", server + "/query")
    assert r.returncode == 1
    assert "cut the answer short" in r.stderr and server in r.stderr and "x-kg-truncated" in r.stderr.lower()
    assert r.stdout == ""


def test_endpoint_errors_are_named(server):
    down = f"http://127.0.0.1:{free_port()}/query"
    r = _kg("query", "accusations", "--endpoint", down)
    assert r.returncode == 1 and "cannot reach the endpoint" in r.stderr and down in r.stderr
    r = _kg("query", "accusations", "--endpoint", "ftp://example.org/sparql")
    assert r.returncode == 2 and "not an http(s) URL" in r.stderr
    r = _kg("sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--union", "--endpoint", server + "/query")
    assert r.returncode == 2 and "--union" in r.stderr
    # The server stops the query after its own TIMEOUT (503): reported with the server's words.
    slow = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } GRAPH ?i { ?x ?y ?z } }"
    r = _kg("sparql", slow, "--endpoint", server + "/query")
    assert r.returncode == 1 and "HTTP 503" in r.stderr and "timed out" in r.stderr
    # Our own timeout, shorter than the server's.
    r = _kg("sparql", slow, "--endpoint", server + "/query", "--timeout", "0.3")
    assert r.returncode == 1 and "did not answer within 0.3 s" in r.stderr


def test_benchmark_times_the_named_queries_at_an_endpoint(server, built):
    """benchmarks/run.py --queries-of OUT --endpoint URL: the cases run at the endpoint (one that is down
    fails every case), and answer."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def bench(endpoint):
        r = subprocess.run([sys.executable, os.path.join(root, "benchmarks", "run.py"), "--queries-of", str(built),
                            "--endpoint", endpoint, "--only", "document,persons", "--json", "--save", "-"],
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        report = json.loads(r.stdout)
        assert report["endpoint"] == endpoint
        return report["queries"]

    cases = bench(server + "/query")
    assert {c.split("[")[0] for c in cases} == {"document", "persons"} and len(cases) >= 3
    assert all(c["status"] == "ok" and c["rows"] for c in cases.values()), cases
    down = f"http://127.0.0.1:{free_port()}/query"
    assert all(c["status"].startswith("error") and down in c["status"] for c in bench(down).values())
