"""`kg load` into a real Oxigraph server started here: Graph Store Protocol and SPARQL Update, COUNT
verification, re-loads that replace rather than duplicate, interrupted loads (the loader killed, the
server killed) that end in exactly the same content when run again, retries, clear 4xx errors,
credentials from the environment or netrc (never the command line), TLS verification on by default."""
from __future__ import annotations

import base64
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner

from kg import load as ld
from kg import namespaces as ns
from kg.cli_io import load as load_cmd


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str:
    path = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(path).exists():
        if os.environ.get("CI"):
            pytest.fail("the oxigraph server is not installed: pip install oxigraph (.ci/install-servers.sh)")
        pytest.skip("oxigraph server not installed (pip install oxigraph); required when CI is set")
    return path


class Oxigraph:
    """An Oxigraph server on a free port over a folder; can be killed and started again on both."""

    def __init__(self, location: Path):
        self.binary = oxigraph_binary()
        self.location = location
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([self.binary, "serve", "--location", str(self.location),
                                      "--bind", f"127.0.0.1:{self.port}"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"oxigraph exited with {self.proc.returncode}")
            try:
                requests.get(self.base + "/query", params={"query": "ASK {}"}, timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("oxigraph did not come up")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def dump(self) -> set[str]:
        """Every quad of the store, as N-Quads lines."""
        r = requests.get(self.base + "/store", headers={"Accept": "application/n-quads"}, timeout=30)
        r.raise_for_status()
        return {line for line in r.text.splitlines() if line.strip()}

    def count(self) -> int:
        r = requests.post(self.base + "/query", data={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"},
                          headers={"Accept": "application/sparql-results+json"}, timeout=30)
        return int(r.json()["results"]["bindings"][0]["n"]["value"])

    def update(self, text: str) -> None:
        requests.post(self.base + "/update", data=text.encode(),
                      headers={"Content-Type": "application/sparql-update"}, timeout=30).raise_for_status()


@pytest.fixture
def oxigraph(tmp_path):
    server = Oxigraph(tmp_path / "oxigraph")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def built(corpus_build):
    return corpus_build[0]


@pytest.fixture(scope="module")
def expected(built) -> set[str]:
    """What the store must hold after a load: the build's quads, as N-Quads lines."""
    store = ox.Store.read_only(str(built / "store"))
    return {str(q) + " ." for q in store.quads_for_pattern(None, None, None, None)}


def graph_of(line: str) -> str:
    return line.rsplit(" ", 2)[-2][1:-1]


@pytest.fixture(scope="module")
def docs_only(expected) -> set[str]:
    """The build without the ontology and vocabulary graphs (what --no-vocab loads): half the size."""
    return {line for line in expected if graph_of(line) not in (ns.GRAPH_ONTOLOGY, ns.GRAPH_VOCAB)}


@pytest.fixture(scope="module")
def one_doc(docs_only) -> tuple[str, set[str]]:
    """The smallest document graph and its quads, for the tests about HTTP rather than volume."""
    graphs: dict[str, set[str]] = {}
    for line in docs_only:
        graphs.setdefault(graph_of(line), set()).add(line)
    g = min(graphs, key=lambda k: (len(graphs[k]), k))
    return g, graphs[g]


def run_load(built, *args, env=None):
    return CliRunner().invoke(load_cmd, ["--out", str(built), "-q", *args], env=env, catch_exceptions=False)


def load_subprocess(built, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kg.cli_io", "load", "--out", str(built), "-q", "-v", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ})


def wait_for_first_graph(proc: subprocess.Popen) -> list[str]:
    """Read the loader's log until it reports a first graph done."""
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.startswith("kg: graph <"):
            return seen
    raise AssertionError(f"the load ended before loading a graph: {''.join(seen)}")


# ----------------------------------------------------------------------------------- happy paths

def test_gsp_load_verified_by_count_and_identical_on_reload(built, oxigraph, expected):
    r = run_load(built, "--endpoint", oxigraph.base + "/store")
    assert r.exit_code == 0, r.output
    assert f"verified by COUNT: the store holds {len(expected)} triples" in r.output
    assert oxigraph.dump() == expected
    # someone adds to a kg graph and to a graph of their own; a re-load replaces every kg graph:
    # same content as before, nothing doubled, the foreign triple in the kg graph gone, the other graph kept
    doc_graph = sorted(graph_of(line) for line in expected)[0]
    oxigraph.update(f'INSERT DATA {{ GRAPH <{doc_graph}> {{ <http://ex.org/stale> <http://ex.org/p> "old" }} '
                    f'GRAPH <http://ex.org/other> {{ <http://ex.org/x> <http://ex.org/p> "keep" }} }}')
    r = run_load(built, "--endpoint", oxigraph.base + "/store", "--batch", "1000")
    assert r.exit_code == 0, r.output
    keep = '<http://ex.org/x> <http://ex.org/p> "keep" <http://ex.org/other> .'
    assert oxigraph.dump() == expected | {keep}
    assert oxigraph.count() == len(expected) + 1


def test_update_protocol_gives_the_same_content(built, oxigraph, expected, docs_only):
    r = run_load(built, "--endpoint", oxigraph.base + "/store", "--protocol", "update", "--batch", "2000")
    assert r.exit_code == 0, r.output
    assert "(update," in r.output and "verified by COUNT" in r.output
    assert oxigraph.dump() == expected
    # again, with only the update endpoint given (a store that offers nothing else): no change
    r = run_load(built, "--protocol", "update", "--update-endpoint", oxigraph.base + "/update",
                 "--query-endpoint", oxigraph.base + "/query", "--no-vocab")
    assert r.exit_code == 0, r.output
    assert f"the store holds {len(docs_only)} triples" in r.output
    assert oxigraph.dump() == expected


def test_graph_prefix_prune_and_graph_choice(built, oxigraph, docs_only):
    prefix = "http://example.org/kg/"
    r = run_load(built, "--endpoint", oxigraph.base + "/store", "--graph-prefix", prefix, "--no-vocab")
    assert r.exit_code == 0, r.output
    renamed = {line[: line.rindex(" <")] + f" <{prefix}{graph_of(line)[len(ns.KGG):]}> ." for line in docs_only}
    assert oxigraph.dump() == renamed
    # a graph of a document that is gone from the build is dropped by --prune, nothing else
    oxigraph.update(f'INSERT DATA {{ GRAPH <{prefix}removed-doc> {{ <http://ex.org/a> <http://ex.org/p> "x" }} '
                    f'GRAPH <http://ex.org/elsewhere> {{ <http://ex.org/a> <http://ex.org/p> "y" }} }}')
    r = run_load(built, "--endpoint", oxigraph.base + "/store", "--graph-prefix", prefix, "--prune", "-v",
                 "--no-vocab")
    assert r.exit_code == 0, r.output
    graphs_after = {line.rsplit(" ", 2)[-2] for line in oxigraph.dump()}
    assert f"<{prefix}removed-doc>" not in graphs_after and "<http://ex.org/elsewhere>" in graphs_after
    assert "1 stale graphs dropped" in r.output
    assert oxigraph.dump() == renamed | {'<http://ex.org/a> <http://ex.org/p> "y" <http://ex.org/elsewhere> .'}
    # one chosen graph only
    r = run_load(built, "--endpoint", oxigraph.base + "/store", "--graph", "ontology", "--no-vocab")
    assert r.exit_code == 0, r.output
    assert "in 1 graphs" in r.output


# ---------------------------------------------------------------------------------- interruptions

def test_interrupted_load_then_rerun_gives_identical_content(built, oxigraph, docs_only):
    args = ("--endpoint", oxigraph.base + "/store", "--batch", "40", "--no-vocab")
    proc = load_subprocess(built, *args)
    try:
        wait_for_first_graph(proc)
        assert proc.poll() is None, "the load finished before it could be interrupted"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    partial = oxigraph.dump()
    assert partial and partial < docs_only           # some, not all, of the data
    r = run_load(built, *args)                       # the same command again
    assert r.exit_code == 0, r.output
    assert oxigraph.dump() == docs_only


def test_interrupted_update_load_then_rerun_gives_identical_content(built, oxigraph, docs_only):
    proc = load_subprocess(built, "--endpoint", oxigraph.base + "/store", "--protocol", "update", "--batch", "40",
                           "--no-vocab")
    try:
        wait_for_first_graph(proc)
        assert proc.poll() is None, "the load finished before it could be interrupted"
        proc.kill()
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
        proc.stdout.close()
    assert oxigraph.dump() < docs_only
    r = run_load(built, "--endpoint", oxigraph.base + "/store", "--protocol", "update", "--batch", "500", "--no-vocab")
    assert r.exit_code == 0, r.output
    assert oxigraph.dump() == docs_only


def test_server_stopped_mid_load_retries_and_completes(built, oxigraph, docs_only):
    proc = load_subprocess(built, "--endpoint", oxigraph.base + "/store", "--batch", "100", "--retries", "10",
                           "--no-vocab")
    try:
        wait_for_first_graph(proc)
        oxigraph.kill()                       # the store goes away in the middle of the load
        time.sleep(0.7)
        oxigraph.start()                      # and comes back: the loader's back-off carries it over
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "retry 1/10" in err and "verified by COUNT" in err
    assert oxigraph.dump() == docs_only


def test_unreachable_store_gives_up_with_a_clear_error(built, tmp_path):
    r = run_load(built, "--endpoint", f"http://127.0.0.1:{free_port()}/store", "--retries", "1")
    assert r.exit_code == 3
    assert "ConnectionError" in r.output and "gave up after 1 retries" in r.output


# --------------------------------------------------------------------------------------- 4xx

def test_wrong_endpoint_is_a_clear_4xx_error(built, oxigraph):
    r = run_load(built, "--endpoint", oxigraph.base + "/nothing-here", "--no-vocab")
    assert r.exit_code == 3
    assert "HTTP 404" in r.output and "Graph Store Protocol URL" in r.output
    assert "retry" not in r.output                    # 4xx is final: no retries
    r = run_load(built, "--endpoint", oxigraph.base + "/store", "--content-type", "application/x-nonsense", "--no-vocab")
    assert r.exit_code == 3 and "HTTP 4" in r.output


# ------------------------------------------------------------------- credentials, retries (a proxy)

class Proxy:
    """A reverse proxy before the Oxigraph server that demands Basic credentials and can answer 503
    to the first N requests; it records the Authorization headers it saw."""

    def __init__(self, upstream: str, user: str = "loader", password: str = "s3cret pass", fail_first: int = 0):
        self.upstream, self.fail_left, self.seen = upstream, fail_first, []
        self.expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _any(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.seen.append(self.headers.get("Authorization"))
                if proxy.fail_left > 0:
                    proxy.fail_left -= 1
                    return self._reply(503, b"busy", "text/plain")
                if self.headers.get("Authorization") != proxy.expected:
                    return self._reply(401, b"who are you?", "text/plain", {"WWW-Authenticate": 'Basic realm="kg"'})
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
                r = requests.request(self.command, proxy.upstream + self.path, data=body, headers=headers, timeout=30)
                self._reply(r.status_code, r.content, r.headers.get("Content-Type", "text/plain"))

            def _reply(self, status, body, ctype, extra=None):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_PUT = do_POST = do_DELETE = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy(oxigraph):
    p = Proxy(oxigraph.base)
    try:
        yield p
    finally:
        p.close()


def _one(one_doc) -> tuple[str, ...]:
    return ("--graph", one_doc[0], "--no-vocab")


def _clean_env(tmp_path, **extra):
    """Overrides for CliRunner: no KG_LOAD_* from the outer environment, no real ~/.netrc."""
    env: dict = {k: None for k in ("KG_LOAD_USER", "KG_LOAD_PASSWORD", "KG_LOAD_TOKEN", "KG_LOAD_ENDPOINT")}
    env["NETRC"] = str(tmp_path / "no-netrc")
    env.update(extra)
    return env


def test_credentials_from_environment(built, oxigraph, proxy, one_doc, tmp_path):
    env = _clean_env(tmp_path, KG_LOAD_USER="loader", KG_LOAD_PASSWORD="s3cret pass")
    r = run_load(built, "--endpoint", proxy.base + "/store", *_one(one_doc), env=env)
    assert r.exit_code == 0, r.output
    assert set(proxy.seen) == {proxy.expected}
    assert "s3cret" not in r.output
    assert oxigraph.dump() == one_doc[1]


def test_credentials_from_netrc(built, oxigraph, proxy, one_doc, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1\n  login loader\n  password \"s3cret pass\"\n")
    netrc.chmod(0o600)
    r = run_load(built, "--endpoint", proxy.base + "/store", *_one(one_doc), env=_clean_env(tmp_path, NETRC=str(netrc)))
    assert r.exit_code == 0, r.output
    assert set(proxy.seen) == {proxy.expected}
    assert oxigraph.dump() == one_doc[1]


def test_missing_or_wrong_credentials_are_a_clear_401(built, proxy, one_doc, tmp_path):
    r = run_load(built, "--endpoint", proxy.base + "/store", *_one(one_doc), env=_clean_env(tmp_path))
    assert r.exit_code == 3
    assert "HTTP 401" in r.output and "KG_LOAD_USER" in r.output
    r = run_load(built, "--endpoint", proxy.base + "/store", *_one(one_doc),
                 env=_clean_env(tmp_path, KG_LOAD_USER="loader", KG_LOAD_PASSWORD="Xyzzy-bad"))
    assert r.exit_code == 3 and "HTTP 401" in r.output and "Xyzzy" not in r.output


def test_credentials_in_the_url_are_refused(built, tmp_path):
    r = run_load(built, "--endpoint", "http://loader:s3cret@127.0.0.1:1/store", env=_clean_env(tmp_path))
    assert r.exit_code == 2
    assert "KG_LOAD_USER" in r.output and "s3cret" not in r.output


def test_5xx_is_retried_with_backoff(built, oxigraph, one_doc, tmp_path):
    p = Proxy(oxigraph.base, fail_first=2)
    try:
        env = _clean_env(tmp_path, KG_LOAD_USER="loader", KG_LOAD_PASSWORD="s3cret pass")
        r = run_load(built, "--endpoint", p.base + "/store", *_one(one_doc), env=env)
    finally:
        p.close()
    assert r.exit_code == 0, r.output
    assert "HTTP 503" in r.output and "retry 2/5" in r.output and ", 2 retries" in r.output
    assert oxigraph.dump() == one_doc[1]


# ------------------------------------------------------------------------------------- units

def test_endpoint_discovery():
    d = ld.discover_endpoints
    assert d("http://h:7878/store") == ld.Endpoints("http://h:7878/store", "http://h:7878/query", "http://h:7878/update")
    assert d("http://h:3030/ds/data") == ld.Endpoints("http://h:3030/ds/data", "http://h:3030/ds/query", "http://h:3030/ds/update")
    g = d("http://h:7200/repositories/kg/rdf-graphs/service")
    assert (g.query, g.update) == ("http://h:7200/repositories/kg", "http://h:7200/repositories/kg/statements")
    v = d("http://h:8890/sparql-graph-crud-auth")
    assert (v.query, v.update) == ("http://h:8890/sparql-auth", "http://h:8890/sparql-auth")
    assert d("http://h:3030/ds").query == "http://h:3030/ds"
    assert d("http://h/store", query="http://q/sparql").query == "http://q/sparql"


def test_credentials_precedence(tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine store.example\n login n-user\n password n-pass\n")
    netrc.chmod(0o600)
    env = {"NETRC": str(netrc)}
    assert ld.credentials("https://store.example/x", env) == ("n-user", "n-pass")
    assert ld.credentials("https://other.example/x", env) is None
    env.update(KG_LOAD_USER="e-user", KG_LOAD_PASSWORD="e-pass")
    assert ld.credentials("https://store.example/x", env) == ("e-user", "e-pass")
    with pytest.raises(ld.LoadUsageError):
        ld.credentials("https://store.example/x", {"KG_LOAD_USER": "only-user"})


def test_tls_verification_is_on_by_default(tmp_path):
    s = ld.make_session("https://store.example/x", environ={"NETRC": str(tmp_path / "none")})
    assert s.verify is True and s.auth is None
    s = ld.make_session("https://store.example/x", environ={"KG_LOAD_TOKEN": "t0k"})
    assert s.headers["Authorization"] == "Bearer t0k"


def test_batches_keep_blank_node_graphs_whole():
    lines = [f"<http://ex.org/{i}> <http://ex.org/p> _:b .\n" for i in range(10)]
    assert len(ld.batches(lines, 3, whole=False)) == 4
    assert ld.batches(lines, 3, whole=True) == [lines]
