"""A local, read-only SPARQL 1.1 Protocol endpoint over the built store.

- `GET /sparql?query=...`, `POST /sparql` with `application/sparql-query` or
  `application/x-www-form-urlencoded` (`query=`), with `default-graph-uri`/`named-graph-uri`.
- Content negotiation: SPARQL results as JSON (default), XML, CSV or TSV; CONSTRUCT/DESCRIBE as
  Turtle (default), N-Triples, RDF/XML or JSON-LD. `?format=json|xml|csv|tsv|turtle|ntriples|rdfxml|jsonld`
  overrides the Accept header (handy in a browser).
- Read-only: the store is opened with Store.read_only; updates are refused (400, or 405 for
  PUT/DELETE/PATCH). Federated queries (SERVICE) are refused: they would make the server fetch URLs.
- Limits: at most `max_rows` result rows (or triples) are returned, the response then carries
  `X-KG-Truncated`; a query that runs longer than `timeout` seconds is stopped (503). Queries run in a
  small pool of worker processes, so a runaway query can be killed without stopping the server.
- Binds 127.0.0.1 unless told otherwise. Requests whose `Host` header does not name this server
  (127.0.0.1, localhost, [::1] or the --host given, with the bound port) are refused with 403: a web
  page that rebinds its own DNS name to 127.0.0.1 cannot read the graph.
- CORS is closed by default: no `Access-Control-Allow-Origin` header, and a request that carries an
  `Origin` other than this server's own is refused with 403 (so other web pages can neither read answers
  nor make the server run queries). `allow_origins` (`kg serve --allow-origin ORIGIN`, repeatable)
  lists the origins, e.g. a YASGUI page, whose requests and preflights are answered, with their origin
  echoed in `Access-Control-Allow-Origin`.
- The default graph is the union of all named graphs (the build puts everything in named graphs),
  unless `union_default_graph=False` or the request names `default-graph-uri`s.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import multiprocessing
import os
import queue
import re
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape as xml_escape, quoteattr

from kg import __version__
from kg import namespaces as ns
from kg.store import STORE_DIR

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7879
DEFAULT_MAX_ROWS = 10_000
DEFAULT_TIMEOUT = 30.0
MAX_QUERY_BYTES = 1_000_000
PATHS = ("/sparql", "/query")

SELECT_TYPES = {  # media type -> result format name
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/n-triples": "ntriples",
    "text/plain": "ntriples", "application/rdf+xml": "rdfxml", "application/ld+json": "jsonld",
}
FORMAT_PARAM = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
                "ttl": "text/turtle", "ntriples": "application/n-triples", "nt": "application/n-triples",
                "rdfxml": "application/rdf+xml", "xml-rdf": "application/rdf+xml", "jsonld": "application/ld+json"}
CONTENT_TYPE = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8",
                "turtle": "text/turtle; charset=utf-8", "ntriples": "application/n-triples",
                "rdfxml": "application/rdf+xml", "jsonld": "application/ld+json"}


# ------------------------------------------------------------------------- Host and Origin checks

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
_ORIGIN = re.compile(r"(https?)://(\[[0-9a-f:.]+\]|[a-z0-9._~%-]+)(?::(\d{1,5}))?/?", re.IGNORECASE)


def host_names(host: str) -> tuple[str, ...]:
    """The names a request's Host header may give for a server bound to `host` (without the port)."""
    names = list(LOOPBACK_NAMES)
    given = host.strip().lower()
    if given:
        names.append(f"[{given}]" if ":" in given and not given.startswith("[") else given)
    return tuple(dict.fromkeys(names))


def allowed_host_headers(host: str, port: int) -> frozenset[str]:
    """Every accepted value of the Host header: NAME:PORT for each of host_names(), and NAME alone
    when the port is 80 (a browser leaves the default port out)."""
    names = host_names(host)
    values = {f"{n}:{port}" for n in names}
    if port == 80:
        values.update(names)
    return frozenset(values)


def normalize_origin(value: str) -> str:
    """An origin as a browser writes it in the `Origin` header: scheme://host[:port], lower case, no
    default port, no path. Raises ValueError for anything else (`*` and `null` included: they would
    let any page in)."""
    v = value.strip()
    if v in ("*", "null"):
        raise ValueError(f"{v!r} is not allowed: list the origins one by one (e.g. https://yasgui.example.org)")
    m = _ORIGIN.fullmatch(v)
    if not m:
        raise ValueError(f"{value!r} is not an origin: give scheme://host[:port], e.g. http://localhost:8080")
    scheme, host = m.group(1).lower(), m.group(2).lower()
    port = None if m.group(3) is None else int(m.group(3))
    if port is not None and port > 65535:
        raise ValueError(f"{value!r}: port out of range")
    if port == {"http": 80, "https": 443}[scheme]:
        port = None
    return f"{scheme}://{host}" + (f":{port}" if port is not None else "")


class QueryRefused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


# ------------------------------------------------------------------------------------------ SERVICE

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _decode_codepoints(query: str) -> str:
    def repl(m):
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except ValueError:
            return m.group(0)
    return _CODEPOINT.sub(repl, query)


def uses_service(query: str) -> bool:
    """Whether the query calls SERVICE (kg.query's check, the one `kg sparql` uses), on the text as
    written and with \\uXXXX escapes decoded (SPARQL allows them anywhere), so an escaped keyword
    cannot slip through."""
    from kg.query import uses_service as calls_service
    return any(calls_service(q) for q in {query, _decode_codepoints(query)})


# ------------------------------------------------------------------------------ content negotiation

def _parse_accept(header: str) -> list[tuple[str, float, int]]:
    items = []
    for i, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        items.append((media, q, i))
    return items


def negotiate(accept: str | None, offers: dict[str, str], default: str) -> str | None:
    """The best media type of `offers` for an Accept header (None: nothing acceptable)."""
    if not accept or not accept.strip():
        return default
    best, best_key = None, None
    canonical: dict[str, str] = {}
    for media, name in offers.items():         # wildcards pick a format's main type, not an alias
        canonical.setdefault(name, media)
    order = list(dict.fromkeys(itertools.chain([default], canonical.values())))
    for media, q, i in _parse_accept(accept):
        if q <= 0:
            continue
        if media == "*/*":
            matches = order[:1]
        elif media.endswith("/*"):
            matches = [m for m in order if m.startswith(media[:-1])][:1]
        else:
            matches = [media] if media in offers else []
        specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
        for m in matches:
            key = (q, specificity, -i)
            if best_key is None or key > best_key:
                best, best_key = m, key
    return best


# ----------------------------------------------------------------------------- result serialisers

def _term_json(t) -> dict:
    from pyoxigraph import BlankNode, Literal, NamedNode, Triple
    if isinstance(t, NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
            if getattr(t, "direction", None) is not None:
                d["its:dir"] = str(t.direction.name if hasattr(t.direction, "name") else t.direction).lower()
        elif t.datatype.value != ns.XSD + "string":
            d["datatype"] = t.datatype.value
        return d
    if isinstance(t, Triple):
        return {"type": "triple", "value": {"subject": _term_json(t.subject), "predicate": _term_json(t.predicate),
                                            "object": _term_json(t.object)}}
    raise TypeError(type(t))


def _term_xml(t) -> str:
    from pyoxigraph import BlankNode, Literal, NamedNode, Triple
    if isinstance(t, NamedNode):
        return f"<uri>{xml_escape(t.value)}</uri>"
    if isinstance(t, BlankNode):
        return f"<bnode>{xml_escape(t.value)}</bnode>"
    if isinstance(t, Literal):
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{xml_escape(t.value)}</literal>"
        if t.datatype.value != ns.XSD + "string":
            return f"<literal datatype={quoteattr(t.datatype.value)}>{xml_escape(t.value)}</literal>"
        return f"<literal>{xml_escape(t.value)}</literal>"
    if isinstance(t, Triple):
        return (f"<triple><subject>{_term_xml(t.subject)}</subject><predicate>{_term_xml(t.predicate)}</predicate>"
                f"<object>{_term_xml(t.object)}</object></triple>")
    raise TypeError(type(t))


def _term_csv(t) -> str:
    from pyoxigraph import BlankNode, Literal, NamedNode
    if t is None:
        return ""
    if isinstance(t, NamedNode | Literal):
        return t.value
    if isinstance(t, BlankNode):
        return f"_:{t.value}"
    return str(t)


def serialize_select(variables: list[str], rows: list[list], fmt: str) -> bytes:
    if fmt == "json":
        bindings = [{v: _term_json(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out.append("</head><results>")
        for row in rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(v)}>{_term_xml(t)}</binding>" for v, t in zip(variables, row, strict=True)
                    if t is not None]
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "".join(out).encode("utf-8")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(variables)
        for row in rows:
            w.writerow([_term_csv(t) for t in row])
        return buf.getvalue().encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(fmt)


def serialize_boolean(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    return ("_askResult\r\n" if fmt == "csv" else "?_askResult\n").encode() + (b"true" if value else b"false") + b"\n"


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    truncated: bool = False


def execute(store, query: str, accept: str | None, default_graphs: list[str], named_graphs: list[str],
            max_rows: int, union_default_graph: bool = True) -> Response:
    """Evaluate one query on the store and serialise its answer (runs in a worker process)."""
    from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, RdfFormat, serialize
    kwargs: dict = {}
    try:
        if default_graphs:
            kwargs["default_graph"] = [NamedNode(g) for g in default_graphs]
        elif union_default_graph:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs:
            kwargs["named_graphs"] = [NamedNode(g) for g in named_graphs]
    except ValueError as e:
        return Response(400, "text/plain; charset=utf-8", f"bad graph IRI: {e}\n".encode())
    try:
        result = store.query(query, **kwargs)
    except SyntaxError as e:
        return Response(400, "text/plain; charset=utf-8", f"SPARQL syntax error: {e}\n".encode())
    if isinstance(result, QuerySolutions | QueryBoolean):
        media = negotiate(accept, SELECT_TYPES, "application/sparql-results+json")
        if media is None:
            return _not_acceptable(SELECT_TYPES)
        fmt = SELECT_TYPES[media]
        if isinstance(result, QueryBoolean):
            return Response(200, CONTENT_TYPE[fmt], serialize_boolean(bool(result), fmt))
        variables = [v.value for v in result.variables]
        rows = [list(sol) for sol in itertools.islice(result, max_rows + 1)]
        truncated = len(rows) > max_rows
        return Response(200, CONTENT_TYPE[fmt], serialize_select(variables, rows[:max_rows], fmt), truncated)
    media = negotiate(accept, GRAPH_TYPES, "text/turtle")
    if media is None:
        return _not_acceptable(GRAPH_TYPES)
    fmt = GRAPH_TYPES[media]
    triples = list(itertools.islice(result, max_rows + 1))
    truncated = len(triples) > max_rows
    rdf_format = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES, "rdfxml": RdfFormat.RDF_XML,
                  "jsonld": RdfFormat.JSON_LD}[fmt]
    body = serialize(triples[:max_rows], format=rdf_format, prefixes=ns.PREFIXES)
    return Response(200, CONTENT_TYPE[fmt], body, truncated)


def _not_acceptable(offers: dict[str, str]) -> Response:
    return Response(406, "text/plain; charset=utf-8",
                    ("not acceptable: this endpoint can answer with " + ", ".join(offers) + "\n").encode())


# ------------------------------------------------------------------------------------ worker pool

def _watch_parent(ppid: int) -> None:
    # A worker whose server was killed (SIGKILL, no clean stop) must not live on holding the store.
    while True:
        time.sleep(1.0)
        if os.getppid() != ppid:
            os._exit(0)


def _worker_main(store_path: str, conn, ppid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # the parent handles ^C and stops us
    threading.Thread(target=_watch_parent, args=(ppid,), daemon=True).start()
    from pyoxigraph import Store
    store = Store.read_only(store_path)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            resp = execute(store, **job)
        except Exception as e:  # noqa: BLE001 - any failure becomes a 500 for this query only
            resp = Response(500, "text/plain; charset=utf-8", f"query failed: {type(e).__name__}: {e}\n".encode())
        try:
            conn.send(resp)
        except (BrokenPipeError, OSError):
            return


class _Worker:
    def __init__(self, ctx, store_path: str):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(store_path, child, os.getpid()), daemon=True)
        self.proc.start()
        child.close()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class QueryTimeout(Exception):
    pass


class WorkerPool:
    """Worker processes that each hold the store open read-only; a query that overruns its time is
    stopped by killing its worker (pyoxigraph queries cannot be cancelled), which is then replaced."""

    def __init__(self, store_path: str, size: int = 2):
        self.ctx = multiprocessing.get_context("spawn")
        self.store_path = store_path
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.all: set[_Worker] = set()
        self.lock = threading.Lock()
        for _ in range(size):
            self._add()

    def _add(self) -> None:
        w = _Worker(self.ctx, self.store_path)
        with self.lock:
            self.all.add(w)
        self.idle.put(w)

    def _drop(self, w: _Worker) -> None:
        w.kill()
        with self.lock:
            self.all.discard(w)

    def run(self, job: dict, timeout: float) -> Response:
        try:
            w = self.idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeout(f"every query worker stayed busy for {timeout:g} s") from None
        try:
            w.conn.send(job)
            if not w.conn.poll(timeout):
                self._drop(w)
                self._add()
                raise QueryTimeout(f"query timed out after {timeout:g} s")
            resp = w.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._drop(w)
            self._add()
            return Response(500, "text/plain; charset=utf-8", b"query worker died (out of memory?)\n")
        self.idle.put(w)
        return resp

    def close(self) -> None:
        with self.lock:
            workers = list(self.all)
            self.all.clear()
        for w in workers:
            try:
                w.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
            w.proc.join(1)
            if w.proc.is_alive():
                w.kill()


# ----------------------------------------------------------------------------------------- HTTP

@dataclass
class ServeConfig:
    store_path: str
    max_rows: int = DEFAULT_MAX_ROWS
    timeout: float = DEFAULT_TIMEOUT
    union_default_graph: bool = True
    quiet: bool = False
    host: str = DEFAULT_HOST                    # as the user gave it: a name the Host header may use
    allow_origins: tuple[str, ...] = ()         # normalised (normalize_origin); empty: no CORS at all


class SparqlHandler(BaseHTTPRequestHandler):
    server_version = f"kg/{__version__}"
    protocol_version = "HTTP/1.1"

    # the server object carries .config (ServeConfig) and .pool (WorkerPool)

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        if not self.server.config.quiet:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    def _send(self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8",
              headers: dict | None = None) -> None:
        headers = dict(headers or {})
        vary = [v for v in (headers.pop("Vary", ""), "Origin" if self.server.config.allow_origins else "") if v]
        self.send_response(status)
        if status != 204:                       # a 204 has no body, and no Content-Length (RFC 9110)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        origin = self._allowed_origin()
        if origin:                              # only ever an origin of --allow-origin, never `*`
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Access-Control-Expose-Headers", "X-KG-Truncated")
        if vary:
            self.send_header("Vary", ", ".join(vary))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str, headers: dict | None = None) -> None:
        self._send(status, (message.rstrip("\n") + "\n").encode("utf-8"), headers=headers)

    def _path(self) -> str:
        return urlsplit(self.path).path.rstrip("/") or "/"

    # --- Host and Origin: who may talk to the endpoint

    def _origin(self) -> str | None:
        origin = self.headers.get("Origin")
        return None if origin is None else origin.strip()

    def _allowed_origin(self) -> str | None:
        """The request's Origin when it is one of --allow-origin (then echoed in the CORS headers)."""
        origin = self._origin()
        if not origin or not self.server.config.allow_origins:
            return None
        try:
            origin = normalize_origin(origin)
        except ValueError:
            return None
        return origin if origin in self.server.config.allow_origins else None

    def _own_origins(self) -> set[str]:
        port = self.server.server_address[1]
        return {f"http://{n}" + ("" if port == 80 else f":{port}") for n in host_names(self.server.config.host)}

    def _refusal(self) -> str | None:
        """Why this request is refused before anything else (None: it is not)."""
        host = (self.headers.get("Host") or "").strip().lower()
        port = self.server.server_address[1]
        if host not in allowed_host_headers(self.server.config.host, port):
            names = ", ".join(f"{n}:{port}" for n in host_names(self.server.config.host))
            return (f"refused: the Host header does not name this server (DNS rebinding guard); "
                    f"use {names}")
        origin = self._origin()
        if origin is not None and not self._allowed_origin():
            try:
                own = normalize_origin(origin) in self._own_origins()
            except ValueError:
                own = False
            if not own:
                return ("refused: cross-origin request from an origin that is not allowed "
                        "(kg serve --allow-origin ORIGIN lets a web page in)")
        return None

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        reason = self._refusal()
        if reason is None:
            return True
        # an unread request body must not be taken for the next request: close the connection
        self._error(403, reason, headers={"Connection": "close"})
        return False

    # --- methods

    def do_OPTIONS(self):
        allow = {"Allow": "GET, POST, OPTIONS"}
        if self._origin() is None:             # a plain OPTIONS, not a CORS preflight
            return self._send(204, b"", headers=allow)
        # a preflight from an allowed origin (_refusal turned away the others)
        headers = dict(allow, **{"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                                 "Access-Control-Allow-Headers": "Content-Type, Accept",
                                 "Access-Control-Max-Age": "600"})
        if (self.headers.get("Access-Control-Request-Private-Network") or "").strip().lower() == "true":
            headers["Access-Control-Allow-Private-Network"] = "true"
        self._send(204, b"", headers=headers)

    def _read_only(self):
        self._error(405, "read-only endpoint: only SPARQL queries (GET or POST) are accepted",
                    headers={"Allow": "GET, POST, OPTIONS"})

    do_PUT = do_DELETE = do_PATCH = _read_only

    def do_GET(self):
        path = self._path()
        params = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        if path == "/":
            return self._send(200, self._help().encode(), "text/plain; charset=utf-8")
        if path not in PATHS:
            return self._error(404, f"no such resource {path}; the SPARQL endpoint is {PATHS[0]}")
        if "update" in params:
            return self._error(400, "read-only endpoint: SPARQL Update is not accepted")
        if "query" not in params:
            return self._send(200, self._service_description(), "text/turtle; charset=utf-8")
        self._answer(params, self._accept(params))

    def do_POST(self):
        path = self._path()
        if path not in PATHS:
            return self._error(404, f"no such resource {path}; the SPARQL endpoint is {PATHS[0]}")
        length = self.headers.get("Content-Length")
        if length is None:
            return self._error(411, "Content-Length required")
        try:
            n = int(length)
        except ValueError:
            return self._error(400, "bad Content-Length")
        if n > MAX_QUERY_BYTES:
            self.close_connection = True
            return self._error(413, f"request body larger than {MAX_QUERY_BYTES} bytes")
        body = self.rfile.read(n)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        url_params = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        if ctype == "application/sparql-update":
            return self._error(400, "read-only endpoint: SPARQL Update is not accepted")
        if ctype == "application/sparql-query":
            if "query" in url_params:
                return self._error(400, "give the query in the body or in the URL, not both")
            try:
                params = dict(url_params, query=[body.decode("utf-8")])
            except UnicodeDecodeError:
                return self._error(400, "the query is not UTF-8")
        elif ctype == "application/x-www-form-urlencoded":
            try:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                return self._error(400, "the form is not UTF-8")
            if "update" in form:
                return self._error(400, "read-only endpoint: SPARQL Update is not accepted")
            params = {**url_params, **form}
        else:
            return self._error(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded")
        self._answer(params, self._accept(params))

    # --- the query

    def _accept(self, params) -> str | None:
        fmt = (params.get("format") or [None])[0]
        if fmt:
            return FORMAT_PARAM.get(fmt.lower(), fmt)
        return self.headers.get("Accept")

    def _answer(self, params: dict, accept: str | None) -> None:
        queries = params.get("query") or []
        if len(queries) != 1:
            return self._error(400, "give exactly one query parameter")
        query = queries[0]
        if not query.strip():
            return self._error(400, "empty query")
        if uses_service(query):
            return self._error(400, "federated queries (SERVICE) are not allowed on this endpoint")
        cfg = self.server.config
        job = {"query": query, "accept": accept, "default_graphs": params.get("default-graph-uri", []),
               "named_graphs": params.get("named-graph-uri", []), "max_rows": cfg.max_rows,
               "union_default_graph": cfg.union_default_graph}
        try:
            resp = self.server.pool.run(job, cfg.timeout)
        except QueryTimeout as e:
            return self._error(503, str(e), headers={"Retry-After": "5"})
        headers = {"Vary": "Accept"}
        if resp.truncated:
            headers["X-KG-Truncated"] = f"true; max-rows={cfg.max_rows}"
        self._send(resp.status, resp.body, resp.content_type, headers)

    def _help(self) -> str:
        host, port = self.server.server_address[:2]
        return (f"kg read-only SPARQL endpoint: http://{host}:{port}{PATHS[0]}\n"
                f"GET {PATHS[0]}?query=... or POST application/sparql-query / application/x-www-form-urlencoded\n"
                f"at most {self.server.config.max_rows} rows per answer; queries time out after "
                f"{self.server.config.timeout:g} s\n")

    def _service_description(self) -> bytes:
        host, port = self.server.server_address[:2]
        ep = f"http://{host}:{port}{PATHS[0]}"
        union = ("\n    sd:feature sd:UnionDefaultGraph ;" if self.server.config.union_default_graph else "")
        return (f"@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n"
                f"<{ep}> a sd:Service ;\n    sd:endpoint <{ep}> ;\n"
                f"    sd:supportedLanguage sd:SPARQL11Query ;{union}\n"
                f"    sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON>, "
                f"<http://www.w3.org/ns/formats/SPARQL_Results_XML>, <http://www.w3.org/ns/formats/SPARQL_Results_CSV>, "
                f"<http://www.w3.org/ns/formats/SPARQL_Results_TSV>, <http://www.w3.org/ns/formats/Turtle>, "
                f"<http://www.w3.org/ns/formats/N-Triples>, <http://www.w3.org/ns/formats/RDF_XML>, "
                f"<http://www.w3.org/ns/formats/JSON-LD> .\n").encode()


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, config: ServeConfig, workers: int = 2):
        self.config = config
        self.pool = WorkerPool(config.store_path, workers)
        try:
            super().__init__(address, SparqlHandler)
        except BaseException:
            self.pool.close()
            raise

    def server_close(self):
        super().server_close()
        self.pool.close()


class SparqlServer6(SparqlServer):
    address_family = socket.AF_INET6


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def make_server(out: Path | str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
                max_rows: int = DEFAULT_MAX_ROWS, timeout: float = DEFAULT_TIMEOUT, workers: int = 2,
                union_default_graph: bool = True, quiet: bool = False,
                allow_origins: tuple[str, ...] | list[str] = ()) -> SparqlServer:
    """A server bound to host:port. `allow_origins`: the web origins allowed to query it from a browser
    (ValueError for one that is not scheme://host[:port])."""
    origins = tuple(dict.fromkeys(normalize_origin(o) for o in allow_origins))
    from kg.store import open_store
    store = open_store(out)        # fails early, with kg's message, when there is no build
    del store
    config = ServeConfig(str(Path(out) / STORE_DIR), max_rows, timeout, union_default_graph, quiet,
                         host=host.strip("[]"), allow_origins=origins)
    cls = SparqlServer6 if ":" in host else SparqlServer
    return cls((host, port), config, workers)


def serve_forever(server: SparqlServer) -> None:
    """Serve until ^C or SIGTERM, then stop the workers."""
    def stop(signum, frame):
        raise KeyboardInterrupt
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
