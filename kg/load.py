"""Load the built graph into an external SPARQL 1.1 store, idempotently.

Two protocols:
- `gsp` (SPARQL 1.1 Graph Store HTTP Protocol): each named graph is replaced with PUT
  `{endpoint}?graph=IRI` (its first batch) and completed with POST (the following batches), so a
  re-load replaces, never duplicates.
- `update` (SPARQL 1.1 Update), for stores that offer nothing else: `DROP SILENT GRAPH <g> ;
  INSERT DATA { GRAPH <g> { ... } }` for the first batch, `INSERT DATA` for the following ones.

Either way every request is idempotent (RDF graphs are sets; a graph holding blank nodes is always
sent whole, in one request), so a load that is interrupted at any point and run again ends in
exactly the content of an uninterrupted load. After the load, the triples of every loaded graph are
counted in the store with a SPARQL COUNT query and compared with the local counts.

Credentials come from the environment (KG_LOAD_USER and KG_LOAD_PASSWORD, or KG_LOAD_TOKEN for a
bearer token) or from a netrc file (NETRC, default ~/.netrc), never from the command line; a URL with
credentials in it is refused. TLS certificates are verified unless told otherwise.
"""
from __future__ import annotations

import json
import netrc
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from pyoxigraph import BlankNode, DefaultGraph, NamedNode
from tqdm import tqdm

from kg import __version__
from kg import namespaces as ns
from kg.export import select_graphs
from kg.store import open_store

PROTOCOLS = ("gsp", "update")
DEFAULT_BATCH = 50_000
RETRY_STATUS = {408, 429, 500, 502, 503, 504}
VERIFY_GRAPHS_PER_QUERY = 200
USER_ENV, PASSWORD_ENV, TOKEN_ENV = "KG_LOAD_USER", "KG_LOAD_PASSWORD", "KG_LOAD_TOKEN"


class LoadError(RuntimeError):
    """The load could not go on (exit code 3)."""


class LoadUsageError(LoadError):
    """Bad options: a URL with credentials in it, an unknown protocol, ... (exit code 2)."""


class LoadHTTPError(LoadError):
    """The store answered 4xx: retrying would not help."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


class LoadUnreachable(LoadError):
    """Connection errors or 5xx, still there after every retry."""


@dataclass
class Endpoints:
    gsp: str | None
    query: str
    update: str | None


@dataclass
class LoadReport:
    endpoint: str
    protocol: str
    graphs: list[str] = field(default_factory=list)          # target graph IRIs
    triples: int = 0                                         # triples sent
    requests: int = 0
    retries: int = 0
    pruned: list[str] = field(default_factory=list)
    verified: int | None = None                              # triples the store holds in these graphs
    mismatches: dict[str, tuple[int, int]] = field(default_factory=dict)   # graph -> (expected, found)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.mismatches and self.verified == self.triples


# ---------------------------------------------------------------------------------------- endpoints

def _with_path(url: str, path: str) -> str:
    p = urlsplit(url)
    return urlunsplit((p.scheme, p.netloc, path, "", ""))


def discover_endpoints(endpoint: str | None, query: str | None = None, update: str | None = None) -> Endpoints:
    """The query and update endpoints beside a Graph Store Protocol URL, for the stores we know:

    Oxigraph  .../store                           -> .../query, .../update
    Fuseki    /DATASET/data                       -> /DATASET/query, /DATASET/update
    GraphDB / RDF4J  /repositories/R/rdf-graphs/service -> /repositories/R, /repositories/R/statements
    Virtuoso  /sparql-graph-crud[-auth]           -> /sparql[-auth] (both)
    anything else: the URL itself (a Fuseki dataset URL answers all three protocols).
    Options given explicitly always win.
    """
    if endpoint is None:
        if update is None:
            raise LoadUsageError("give --endpoint (the Graph Store Protocol URL) or --update-endpoint")
        return Endpoints(None, query or update, update)
    path = urlsplit(endpoint).path.rstrip("/")
    q = u = endpoint
    if path.endswith("/store"):
        base = path[: -len("/store")]
        q, u = _with_path(endpoint, base + "/query"), _with_path(endpoint, base + "/update")
    elif path.endswith("/data"):
        base = path[: -len("/data")]
        q, u = _with_path(endpoint, base + "/query"), _with_path(endpoint, base + "/update")
    elif path.endswith("/rdf-graphs/service"):
        base = path[: -len("/rdf-graphs/service")]
        q, u = _with_path(endpoint, base), _with_path(endpoint, base + "/statements")
    elif path.endswith("/sparql-graph-crud-auth"):
        q = u = _with_path(endpoint, path[: -len("/sparql-graph-crud-auth")] + "/sparql-auth")
    elif path.endswith("/sparql-graph-crud"):
        q = u = _with_path(endpoint, path[: -len("/sparql-graph-crud")] + "/sparql")
    return Endpoints(endpoint, query or q, update or u)


def check_url(url: str, what: str = "endpoint") -> None:
    p = urlsplit(url)
    if p.scheme not in ("http", "https") or not p.hostname:
        raise LoadUsageError(f"--{what} {url!r}: not an http(s) URL")
    if p.username or p.password:
        raise LoadUsageError(f"--{what}: credentials in a URL end up in the shell history and in logs; "
                             f"set {USER_ENV} and {PASSWORD_ENV} (or a netrc entry for {p.hostname}) instead")


# -------------------------------------------------------------------------------------- credentials

def credentials(url: str, environ=os.environ) -> tuple[str, str] | None:
    """(user, password) from KG_LOAD_USER/KG_LOAD_PASSWORD, else from the netrc entry of the host."""
    user, password = environ.get(USER_ENV), environ.get(PASSWORD_ENV)
    if user is not None or password is not None:
        if user is None or password is None:
            raise LoadUsageError(f"set both {USER_ENV} and {PASSWORD_ENV} (or neither)")
        return user, password
    path = Path(environ.get("NETRC") or Path.home() / ".netrc")
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(urlsplit(url).hostname or "")
    except (netrc.NetrcParseError, OSError) as e:
        raise LoadUsageError(f"{path}: {e}") from e
    if entry is None:
        return None
    login, _account, secret = entry
    return (login or ""), (secret or "")


def make_session(url: str, auth_scheme: str = "basic", verify: bool | str = True, environ=os.environ,
                 command: str = "kg load") -> requests.Session:
    s = requests.Session()
    s.headers["User-Agent"] = f"kg/{__version__} ({command})"
    s.verify = verify
    token = environ.get(TOKEN_ENV)
    if token:
        s.headers["Authorization"] = f"Bearer {token}"
    else:
        cred = credentials(url, environ)
        if cred is not None:
            s.auth = requests.auth.HTTPDigestAuth(*cred) if auth_scheme == "digest" else requests.auth.HTTPBasicAuth(*cred)
    s.trust_env = True          # proxies and REQUESTS_CA_BUNDLE from the environment
    return s


# ---------------------------------------------------------------------------------------- requests

_HINTS = {
    400: "the store refused the data or the query as malformed",
    401: f"credentials missing or wrong: set {USER_ENV}/{PASSWORD_ENV} or {TOKEN_ENV}, or a netrc entry for the host "
         "(Virtuoso's *-auth endpoints need --auth digest)",
    403: "the user may not write to this store or graph",
    404: "no such endpoint: --endpoint must be the store's Graph Store Protocol URL (Oxigraph .../store, "
         "Fuseki /DATASET/data, GraphDB /repositories/REPO/rdf-graphs/service, Virtuoso /sparql-graph-crud), "
         "or give --query-endpoint/--update-endpoint",
    405: "this URL does not accept that method: wrong endpoint, or a read-only store",
    413: "request too large: lower --batch",
    415: "the store does not accept this media type: try --content-type text/turtle",
}


def _describe(method: str, url: str, r: requests.Response) -> str:
    body = (r.text or "").strip().replace("\n", " ")
    if len(body) > 300:
        body = body[:300] + "..."
    hint = _HINTS.get(r.status_code) or ("client error" if r.status_code < 500 else "server error")
    return f"{method} {url} -> HTTP {r.status_code} {r.reason or ''}".rstrip() + f": {hint}" + (f" [{body}]" if body else "")


class Client:
    """HTTP with retries: back-off on connection errors, timeouts and 5xx (and 408/429); 4xx is final."""

    def __init__(self, session: requests.Session, retries: int = 5, backoff: float = 0.5, max_backoff: float = 30.0,
                 timeout: float = 120.0, sleep: Callable[[float], None] = time.sleep, on_retry=None):
        self.session, self.retries, self.backoff, self.max_backoff = session, retries, backoff, max_backoff
        self.timeout, self.sleep, self.on_retry = timeout, sleep, on_retry
        self.requests = 0
        self.retried = 0

    def request(self, method: str, url: str, **kw) -> requests.Response:
        last = ""
        retry_after: float | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self.retried += 1
                delay = min(self.backoff * 2 ** (attempt - 1), self.max_backoff)
                if retry_after is not None:
                    delay = max(delay, min(retry_after, self.max_backoff))
                if self.on_retry:
                    self.on_retry(f"{last}; retry {attempt}/{self.retries} in {delay:.1f} s")
                self.sleep(delay)
            retry_after = None
            self.requests += 1
            try:
                r = self.session.request(method, url, timeout=self.timeout, **kw)
            except requests.exceptions.SSLError as e:
                raise LoadError(f"{method} {url}: TLS error ({e}); give the CA with --ca-cert FILE "
                                "(or REQUESTS_CA_BUNDLE)") from e
            except (requests.ConnectionError, requests.Timeout) as e:
                last = f"{method} {url}: {type(e).__name__}"
                continue
            if r.status_code in RETRY_STATUS:
                last = _describe(method, url, r)
                ra = r.headers.get("Retry-After", "")
                retry_after = float(ra) if ra.isdigit() else None
                continue
            if r.status_code >= 400:
                raise LoadHTTPError(_describe(method, url, r), r.status_code)
            return r
        raise LoadUnreachable(f"{last}; gave up after {self.retries} retries")


# ------------------------------------------------------------------------------------------ the load

def target_graph(iri: str, graph_prefix: str | None) -> str:
    """The graph IRI in the target store: kgg:SLUG -> {graph_prefix}SLUG (default: unchanged)."""
    if graph_prefix and iri.startswith(ns.KGG):
        iri = graph_prefix + iri[len(ns.KGG):]
    return NamedNode(iri).value


def graph_payload(store, iri: str) -> tuple[list[str], bool]:
    """The graph's triples as sorted N-Triples lines, and whether it holds blank nodes."""
    lines, bnodes = [], False
    for q in store.quads_for_pattern(None, None, None, NamedNode(iri)):
        bnodes = bnodes or isinstance(q.subject, BlankNode) or isinstance(q.object, BlankNode)
        lines.append(f"{q.subject} {q.predicate} {q.object} .\n")
    lines.sort()
    return lines, bnodes


def batches(lines: list[str], size: int, whole: bool) -> list[list[str]]:
    if whole or len(lines) <= size:
        return [lines]
    return [lines[i:i + size] for i in range(0, len(lines), size)]


def _sparql_values(graphs: Iterable[str]) -> str:
    return " ".join(f"<{g}>" for g in graphs)


def sparql_select(client: Client, query_url: str, query: str) -> list[dict]:
    r = client.request("POST", query_url, data={"query": query},
                       headers={"Accept": "application/sparql-results+json"})
    try:
        return r.json()["results"]["bindings"]
    except (ValueError, KeyError) as e:
        raise LoadError(f"POST {query_url}: not a SPARQL JSON result ({r.headers.get('Content-Type')}): "
                        f"is --query-endpoint right?") from e


def count_graphs(client: Client, query_url: str, graphs: list[str]) -> dict[str, int]:
    """Triples per graph in the store, with COUNT queries limited to these graphs."""
    found: dict[str, int] = {g: 0 for g in graphs}
    for i in range(0, len(graphs), VERIFY_GRAPHS_PER_QUERY):
        chunk = graphs[i:i + VERIFY_GRAPHS_PER_QUERY]
        q = (f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {_sparql_values(chunk)} }} "
             f"GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g")
        for row in sparql_select(client, query_url, q):
            found[row["g"]["value"]] = int(row["n"]["value"])
    return found


def list_graphs(client: Client, query_url: str, prefix: str) -> list[str]:
    q = (f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
         f"FILTER(STRSTARTS(STR(?g), {json.dumps(prefix)})) }}")
    return sorted(row["g"]["value"] for row in sparql_select(client, query_url, q) if row["g"]["type"] == "uri")


def load(out: Path | str, endpoint: str | None, protocol: str = "gsp", *, query_endpoint: str | None = None,
         update_endpoint: str | None = None, graph_prefix: str | None = None, batch: int = DEFAULT_BATCH,
         graphs: Iterable[str] | None = None, with_vocab: bool = True, prune: bool = False,
         content_type: str = "application/n-triples", auth_scheme: str = "basic", verify: bool | str = True,
         retries: int = 5, backoff: float = 0.5, timeout: float = 120.0, progress: bool = True,
         log: Callable[[str], None] | None = None, environ=os.environ) -> LoadReport:
    """Load the build in `out` into the store; see the module docstring. Raises LoadError."""
    if protocol not in PROTOCOLS:
        raise LoadUsageError(f"unknown protocol {protocol!r} (one of {', '.join(PROTOCOLS)})")
    if batch < 1:
        raise LoadUsageError("--batch must be at least 1")
    for url, what in ((endpoint, "endpoint"), (query_endpoint, "query-endpoint"), (update_endpoint, "update-endpoint")):
        if url:
            check_url(url, what)
    eps = discover_endpoints(endpoint, query_endpoint, update_endpoint)
    if protocol == "gsp" and eps.gsp is None:
        raise LoadUsageError("--protocol gsp needs --endpoint (the Graph Store Protocol URL)")
    if graph_prefix:
        try:
            NamedNode(graph_prefix + "x")
        except ValueError as e:
            raise LoadUsageError(f"--graph-prefix {graph_prefix!r} does not make valid IRIs") from e
    log = log or (lambda _m: None)

    store = open_store(out)
    source_graphs = [g for g in select_graphs(store, graphs, with_vocab) if g != ""]
    if next(iter(store.quads_for_pattern(None, None, None, DefaultGraph())), None) is not None:
        log("warning: the default graph of the build is not loaded (only named graphs are)")
    targets = {g: target_graph(g, graph_prefix) for g in source_graphs}
    if len(set(targets.values())) != len(targets):
        raise LoadUsageError("--graph-prefix maps two graphs onto one IRI")

    main_url = eps.gsp if protocol == "gsp" else eps.update
    session = make_session(main_url, auth_scheme, verify, environ)
    client = Client(session, retries=retries, backoff=backoff, timeout=timeout, on_retry=log)
    report = LoadReport(endpoint=main_url, protocol=protocol, graphs=list(targets.values()))
    started = time.monotonic()
    show_bar = progress and sys.stderr.isatty()
    total = None
    if show_bar:   # counting reads the whole store once more: only worth it for a bar someone sees
        counts = {row["g"].value: int(row["n"].value) for row in
                  store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
        total = sum(counts.get(g, 0) for g in source_graphs)
    bar = tqdm(total=total, desc="load", unit="triple", unit_scale=True, leave=False, disable=not show_bar)
    expected: dict[str, int] = {}
    try:
        for src in source_graphs:
            tgt = targets[src]
            lines, has_bnodes = graph_payload(store, src)
            expected[tgt] = len(lines)
            parts = batches(lines, batch, whole=has_bnodes)
            for i, part in enumerate(parts):
                body = "".join(part)
                if protocol == "gsp":
                    client.request("PUT" if i == 0 else "POST", eps.gsp, params={"graph": tgt},
                                   data=body.encode("utf-8"), headers={"Content-Type": content_type})
                else:
                    head = f"DROP SILENT GRAPH <{tgt}> ;\n" if i == 0 else ""
                    text = head + (f"INSERT DATA {{ GRAPH <{tgt}> {{\n{body}}} }}\n" if part else "")
                    client.request("POST", eps.update, data=text.encode("utf-8"),
                                   headers={"Content-Type": "application/sparql-update; charset=utf-8"})
                bar.update(len(part))
            report.triples += len(lines)
            log(f"graph <{tgt}>: {len(lines)} triples in {len(parts)} request(s)")
        if prune:
            prefix = graph_prefix or ns.KGG
            for g in list_graphs(client, eps.query, prefix):
                if g in expected:
                    continue
                if protocol == "gsp":
                    try:
                        client.request("DELETE", eps.gsp, params={"graph": g})
                    except LoadHTTPError as e:
                        if e.status != 404:
                            raise
                else:
                    client.request("POST", eps.update, data=f"DROP SILENT GRAPH <{g}>".encode(),
                                   headers={"Content-Type": "application/sparql-update; charset=utf-8"})
                report.pruned.append(g)
                log(f"pruned graph <{g}>")
        found = count_graphs(client, eps.query, list(expected))
    finally:
        bar.close()
    report.verified = sum(found.values())
    report.mismatches = {g: (n, found.get(g, 0)) for g, n in expected.items() if found.get(g, 0) != n}
    report.requests, report.retries = client.requests, client.retried
    report.seconds = time.monotonic() - started
    return report
