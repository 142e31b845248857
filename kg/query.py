"""The SPARQL query library: named queries from queries/*.rq, parameters bound as RDF terms, output formats.

A named query is a SPARQL 1.1 file whose opening comment block declares it:

    # Title: Citation chain, forward
    # What it answers: ...
    # @param doc symbol  the starting document (A/75/875, 002_7ba849221ed25377.txt or an IRI)
    # @param max_depth integer  how many hops to follow
    # @param state ISO3 optional  only documents by this state
    # @default max_depth 5
    # Example: kg query citations --param doc=A/75/875

Parameter types: IRI, string, integer, date (YYYY-MM-DD), ISO3 (bound as the state IRI), symbol (a UN
symbol, a source file name or a communication reference, resolved to the document's IRI; an IRI is
accepted as is). A parameter named `limit` becomes the query's LIMIT.

Binding. Every value is turned into a pyoxigraph term first (IRIs checked by its strict parser,
literals typed), then bound with a SPARQL `VALUES` block that is the first element of the query's
outermost WHERE group; the block is written by pyoxigraph's own term serialiser and parsed back to
check it holds exactly the intended terms. Nothing the user types is ever pasted into the query as
SPARQL syntax. The same bound text runs on the embedded store and on any SPARQL 1.1 endpoint
(`prepare()` gives it), so both always compute the same answer. (pyoxigraph's `substitutions=` would
be the engine-native way, but it only binds variables a SELECT projects, and only in SELECT queries.)
A query that uses a parameter may therefore only use it where a top-level VALUES binding reaches it:
as a join variable of a pattern every solution matches, or in a FILTER of the outermost group
(optional parameters: `FILTER(!BOUND(?p) || ...)`), or inside a group that declares the inner binding
point `VALUES ?p { UNDEF }` (valid SPARQL that binds nothing): the binder writes the term there too, or
drops the line when the parameter is not given. Sub-selects need this: SPARQL evaluates them before the
outer VALUES block is joined, so without it a parameter would only filter their whole-graph output.

Safety. `SERVICE` is refused unless explicitly allowed, and update keywords (INSERT, DELETE, LOAD,
CLEAR, DROP, CREATE, ADD, MOVE, COPY) always: keywords are looked for after stripping comments,
strings and IRIs, so a label containing "SERVICE" is no reason to refuse. The store is opened
read-only anyway.

Endpoints. The same bound text can be run at another store's SPARQL endpoint (`Endpoint`,
`execute_remote`; `kg query --endpoint URL`): symbols are resolved there, and an answer the endpoint
marks as cut short is an error, never shown as the whole answer.

Timeout. pyoxigraph cannot cancel a running query; it runs in a daemon worker thread (pyoxigraph
releases the GIL while it evaluates) and the caller stops waiting after the timeout and raises
QueryTimeout. The worker thread is abandoned: the CLI exits right after, so the process ends; in a
notebook the thread finishes in the background and its result is dropped.
"""
from __future__ import annotations

import datetime as _dt
import os
import re
import shutil
import sys
import threading
import types
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import (
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    parse,
    parse_query_results,
    serialize,
)

from kg import namespaces as ns
from kg.store import open_store

QUERY_DIR = Path(os.environ.get("KG_QUERIES", Path(__file__).resolve().parent.parent / "queries"))
DEFAULT_TIMEOUT = 60.0
XSD_INTEGER = NamedNode(ns.XSD + "integer")
XSD_DATE = NamedNode(ns.XSD + "date")
PARAM_TYPES = ("IRI", "string", "integer", "date", "ISO3", "symbol")
SELECT_FORMATS = ("table", "csv", "tsv", "json")
GRAPH_FORMATS = ("turtle", "jsonld", "ntriples")
FORMATS = SELECT_FORMATS + GRAPH_FORMATS


class QueryError(ValueError):
    """The query cannot be run as asked: unknown name, bad parameter, refused or invalid SPARQL."""


class QueryTimeout(RuntimeError):
    pass


# ---------------------------------------------------------------------------------------------
# Lexical analysis: strip comments, strings and IRIs; find keywords and the WHERE group
# ---------------------------------------------------------------------------------------------

_LEX = re.compile(
    r'(?P<s3d>"""(?:[^"\\]|\\.|"(?!""))*""")'
    r"|(?P<s3s>'''(?:[^'\\]|\\.|'(?!''))*''')"
    r'|(?P<s1d>"(?:[^"\\\n\r]|\\.)*")'
    r"|(?P<s1s>'(?:[^'\\\n\r]|\\.)*')"
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    r"|(?P<comment>#[^\n\r]*)"
    # A backslash escape outside strings (only valid in prefixed names: ex:a\' ex:a\#) is one unit, so
    # it cannot open a fake string or comment that would hide what follows. (\u is refused separately.)
    r"|(?P<esc>\\[^uU])",
    re.S,
)
# Names that can never be a keyword: variables, and the local part of prefixed names and blank nodes.
_NAMES = re.compile(r"[?$][\w\u00b7\u0300-\u036f\u203f\u2040]+|(?<=:)[\w\-.\u00b7%]+")
# A SERVICE call: the keyword, glued to anything before it ('.SERVICE', '1SERVICE'), SILENT, a target
# (an IRI, a variable or a prefixed name, 'SERVICE:x' included) and its group. Fails closed.
_SERVICE_CALL = re.compile(r"SERVICE\s*(?:SILENT\s*)?(?:<[^<>]*>|[?$]|[\w.\-\u00b7]*:)?\s*\{", re.I)
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY")


def strip_query(text: str) -> str:
    """The query with comments removed and every string and IRI blanked to "" and <>.

    What remains is SPARQL syntax only, so keyword tests cannot be fooled by a label or a comment.
    Offsets are preserved (blanked characters become spaces), so positions map back to `text`.
    """
    def blank(m: re.Match) -> str:
        kind = m.lastgroup
        s = m.group(0)
        if kind in ("comment", "esc"):
            return " " * len(s)
        if kind == "iri":
            return "<" + " " * (len(s) - 2) + ">"
        q = 1 if kind in ("s1d", "s1s") else 3
        return s[:q] + re.sub(r"[^\n]", " ", s[q:-q]) + s[-q:]
    return _LEX.sub(blank, text)


def _keyword_positions(stripped: str, word: str) -> list[int]:
    # A keyword, not part of a prefixed name (ex:service, service:x), a variable (?service) or a longer word.
    rx = re.compile(rf"(?<![\w:?$.\-]){word}(?![\w:\-])", re.I)
    return [m.start() for m in rx.finditer(stripped)]


def uses_service(text: str) -> bool:
    """Whether the query calls SERVICE, however it is written (checked on the stripped text)."""
    names_out = _NAMES.sub(lambda m: m.group(0)[0] if m.group(0)[0] in "?$" else "", strip_query(text))
    return bool(_SERVICE_CALL.search(names_out))


def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, ASK or DESCRIBE: the first such keyword of the query proper."""
    stripped = strip_query(text)
    best = None
    for form in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
        pos = _keyword_positions(stripped, form)
        if pos and (best is None or pos[0] < best[1]):
            best = (form, pos[0])
    if best is None:
        raise QueryError("not a SPARQL query: no SELECT, CONSTRUCT, ASK or DESCRIBE")
    return best[0]


def check_query(text: str, allow_service: bool = False) -> str:
    """Refuse updates always and SERVICE unless allowed; return the query form."""
    stripped = strip_query(text)
    if re.search(r"\\[uU]", stripped):
        # Some processors decode \u escapes before parsing: \u0053ERVICE would hide a keyword.
        raise QueryError("refused: \\u escapes are only accepted inside strings")
    for word in UPDATE_KEYWORDS:
        if _keyword_positions(stripped, word):
            raise QueryError(f"refused: {word} is a SPARQL update keyword; the store is read-only and "
                             "kg runs queries only")
    if not allow_service and uses_service(text):
        raise QueryError("refused: the query calls a remote endpoint with SERVICE; "
                         "pass --allow-service (allow_service=True) to permit federated queries")
    return query_form(text)


def _where_group_start(text: str) -> int:
    """Offset just after the '{' opening the query's outermost WHERE group."""
    stripped = strip_query(text)
    form = query_form(text)
    start = _keyword_positions(stripped, form)[0]
    at = None
    for p in _keyword_positions(stripped, "WHERE"):
        if p > start and _depth_at(stripped, p) == 0:
            at = stripped.find("{", p)
            break
    if at is None and form != "CONSTRUCT":
        at = stripped.find("{", start)      # SELECT ... { }, ASK { }: WHERE is optional
    if at is None or at < 0:
        raise QueryError("the query has no WHERE group to bind parameters in")
    if re.match(r"\s*SELECT\b", stripped[at + 1:], re.I):
        raise QueryError("the WHERE group opens with a sub-select; wrap it in { } so parameters can be bound")
    return at + 1


def _depth_at(stripped: str, pos: int) -> int:
    return stripped.count("{", 0, pos) - stripped.count("}", 0, pos)


# ---------------------------------------------------------------------------------------------
# Named queries
# ---------------------------------------------------------------------------------------------

@dataclass
class Param:
    name: str
    type: str
    description: str = ""
    optional: bool = False
    default: str | None = None

    @property
    def required(self) -> bool:
        return not self.optional and self.default is None


@dataclass
class NamedQuery:
    name: str
    path: Path
    title: str
    description: str
    params: dict[str, Param]
    example: str
    text: str
    form: str = field(default="SELECT")


_PARAM_LINE = re.compile(r"^@param\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>\w+)(?P<opt>\s+optional)?\s*(?P<desc>.*)$")
_DEFAULT_LINE = re.compile(r"^@default\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<value>.+?)\s*$")


def parse_header(name: str, path: Path, text: str) -> NamedQuery:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    title, example, desc, params = "", "", [], {}
    defaults = {}
    section = None
    for line in lines:
        low = line.lower()
        if low.startswith("title:"):
            title, section = line.split(":", 1)[1].strip(), None
        elif low.startswith("example:"):
            example, section = line.split(":", 1)[1].strip(), "example"
        elif low.startswith("what it answers:"):
            desc, section = [line.split(":", 1)[1].strip()], "desc"
        elif line.startswith("@param"):
            m = _PARAM_LINE.match(line)
            if not m or m.group("type") not in PARAM_TYPES:
                raise QueryError(f"{path}: bad parameter declaration {line!r} (types: {', '.join(PARAM_TYPES)})")
            params[m.group("name")] = Param(m.group("name"), m.group("type"), m.group("desc").strip(), bool(m.group("opt")))
            section = None
        elif line.startswith("@default"):
            m = _DEFAULT_LINE.match(line)
            if not m:
                raise QueryError(f"{path}: bad default {line!r}")
            defaults[m.group("name")] = m.group("value")
            section = None
        elif not line:
            section = None
        elif section == "desc":
            desc.append(line)
        elif section == "example":
            example += " " + line
    for k, v in defaults.items():
        if k not in params:
            raise QueryError(f"{path}: @default for undeclared parameter {k}")
        params[k].default = v
    if not title:
        raise QueryError(f"{path}: the header has no 'Title:' line")
    return NamedQuery(name, path, title, " ".join(desc), params, example.strip(), text, query_form(text))


def load_queries(directory: Path | str | None = None) -> dict[str, NamedQuery]:
    d = Path(directory) if directory else QUERY_DIR
    return {p.stem: parse_header(p.stem, p, p.read_text(encoding="utf-8")) for p in sorted(d.glob("*.rq"))}


def get_query(name: str, directory: Path | str | None = None) -> NamedQuery:
    d = Path(directory) if directory else QUERY_DIR
    path = d / f"{name}.rq"
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name) or not path.is_file():
        known = ", ".join(sorted(load_queries(d))) or "none"
        raise QueryError(f"no query named {name!r} (known: {known}); see `kg query --list`")
    return parse_header(name, path, path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Parameters -> RDF terms
# ---------------------------------------------------------------------------------------------

def _iri(value: str, what: str) -> NamedNode:
    v = value.strip()
    if v.startswith("<") and v.endswith(">"):
        v = v[1:-1]
    m = re.fullmatch(r"([A-Za-z][\w-]*):(.*)", v)
    if m and m.group(1) in ns.PREFIXES and not m.group(2).startswith("//"):
        v = ns.PREFIXES[m.group(1)] + m.group(2)      # kgid:state/AZE
    try:
        node = NamedNode(v)
    except ValueError as e:
        raise QueryError(f"{what}: {value!r} is not a valid absolute IRI ({e})") from None
    return node


def _resolve_symbol(store: Store | None, value: str) -> NamedNode:
    v = value.strip()
    if re.match(r"^(<|https?://|urn:)", v) or re.fullmatch(r"(kgid|undoc|kgg):\S+", v):
        return _iri(v, "symbol")
    if not v:
        raise QueryError("symbol: empty value")
    if store is not None:
        # A symbol, a source file name or a communication reference the store knows, in any graph.
        q = ("SELECT ?d WHERE { VALUES ?p { <%s> <%s> <%s> } GRAPH ?g { ?d ?p ?v } } LIMIT 1"
             % (ns.KG + "symbol", ns.KG + "sourceFile", ns.KG + "reference"))
        for variant in dict.fromkeys((v, re.sub(r"\s+", " ", v))):
            rows = list(store.query(_bind_text(q, {"v": Literal(variant)})))
            if rows:
                return rows[0]["d"]
    return _iri(ns.document_iri(v), "symbol")


def to_term(param: Param, value: Any, store: Store | None = None):
    """A checked RDF term for a parameter value; QueryError if the value does not fit the type."""
    what = f"parameter {param.name} ({param.type})"
    if isinstance(value, (NamedNode, Literal)):
        value = value.value
    if param.type == "integer":
        s = str(value).strip()
        if isinstance(value, bool) or not re.fullmatch(r"[+-]?\d{1,18}", s):
            raise QueryError(f"{what}: {value!r} is not an integer")
        return Literal(int(s))
    value = str(value)
    if param.type == "IRI":
        return _iri(value, what)
    if param.type == "symbol":
        return _resolve_symbol(store, value)
    if param.type == "ISO3":
        s = value.strip()
        if s.startswith(ns.KGID + "state/"):
            s = s.rsplit("/", 1)[1]
        if not re.fullmatch(r"[A-Za-z]{3}", s):
            raise QueryError(f"{what}: {value!r} is not an ISO 3166-1 alpha-3 code (e.g. AZE)")
        return NamedNode(ns.state_iri(s))
    if param.type == "date":
        s = value.strip()
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
                raise ValueError
            _dt.date.fromisoformat(s)
        except ValueError:
            raise QueryError(f"{what}: {value!r} is not a date YYYY-MM-DD") from None
        return Literal(s, datatype=XSD_DATE)
    if param.type == "string":
        if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value):
            raise QueryError(f"{what}: control characters are not allowed")
        if re.search(r"\\[uU]", value):
            # Some SPARQL processors decode \u escapes before parsing; keep the value unambiguous.
            raise QueryError(f"{what}: the sequence \\u is not allowed in a string parameter")
        return Literal(value)
    raise QueryError(f"{what}: unknown type")


def bind_params(nq: NamedQuery, params: dict[str, Any], store: Store | None = None) -> dict[str, Any]:
    """Check the given parameters against the declaration: terms for every bound one."""
    unknown = set(params) - set(nq.params)
    if unknown:
        raise QueryError(f"query {nq.name}: unknown parameter(s) {', '.join(sorted(unknown))}; "
                         f"it takes {', '.join(nq.params) or 'none'}")
    terms = {}
    for p in nq.params.values():
        value = params.get(p.name)
        if value is None or value == "":
            if p.default is not None:
                value = p.default
            elif p.optional:
                continue
            else:
                raise QueryError(f"query {nq.name}: missing parameter {p.name} ({p.type}): {p.description}")
        terms[p.name] = to_term(p, value, store)
    return terms


# ---------------------------------------------------------------------------------------------
# Binding: a VALUES block at the top of the WHERE group
# ---------------------------------------------------------------------------------------------

def values_block(bindings: dict[str, Any]) -> str:
    """`VALUES (?a ?b) { (<iri> "x"^^<dt>) }` written by pyoxigraph's term serialiser, checked by re-parsing."""
    if not bindings:
        return ""
    names = list(bindings)
    for n in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n):
            raise QueryError(f"bad variable name {n!r}")
        if not isinstance(bindings[n], (NamedNode, Literal)):
            raise QueryError(f"{n}: only IRIs and literals can be bound")
    block = "VALUES (" + " ".join("?" + n for n in names) + ") { (" + " ".join(str(bindings[n]) for n in names) + ") }"
    # Parse it back: it must give exactly the terms we meant, in one solution.
    rows = list(Store().query("SELECT * WHERE { " + block + " }"))
    if len(rows) != 1 or any(rows[0][n] != bindings[n] for n in names):
        raise QueryError("a parameter value could not be bound safely")
    return block


# An inner binding point: `VALUES ?name { UNDEF }` (one solution binding nothing: a no-op as written).
_INNER_VALUES = re.compile(r"VALUES\s*[?$]([A-Za-z_][A-Za-z0-9_]*)\s*\{\s*UNDEF\s*\}", re.I)


def _bind_inner(text: str, bindings: dict[str, Any]) -> str:
    """Fill the query's inner binding points with the bound terms; drop those of unbound parameters.

    Sub-selects do not see the outer VALUES block (SPARQL evaluates them first), so a query whose
    parameter should narrow a sub-select (and not filter its whole-graph output afterwards) declares
    `VALUES ?param { UNDEF }` inside it. Found on the stripped text, so never inside a string or comment.
    """
    stripped = strip_query(text)
    out, last = [], 0
    for m in _INNER_VALUES.finditer(stripped):
        name = m.group(1)
        out.append(text[last:m.start()])
        out.append(values_block({name: bindings[name]}) if name in bindings else "")
        last = m.end()
    return "".join(out) + text[last:]


def _bind_text(text: str, bindings: dict[str, Any], limit: int | None = None) -> str:
    out = _bind_inner(text, bindings)
    if limit is not None:
        if _keyword_positions(strip_query(text), "LIMIT"):
            raise QueryError("the query already has a LIMIT; it cannot take a limit parameter")
        out = out.rstrip() + f"\nLIMIT {int(limit)}\n"
    if bindings:
        at = _where_group_start(out)
        out = out[:at] + "\n  " + values_block(bindings) + "\n" + out[at:]
    return out


def bind(text: str, bindings: dict[str, Any]) -> str:
    """The query with `bindings` (variable name -> pyoxigraph term) bound; a `limit` term becomes LIMIT.

    The result is plain SPARQL 1.1 for any endpoint. Terms are validated and serialised by pyoxigraph.
    """
    bindings = dict(bindings)
    limit = bindings.pop("limit", None)
    if limit is not None:
        if not (isinstance(limit, Literal) and limit.datatype == XSD_INTEGER) and not isinstance(limit, int):
            raise QueryError("limit must be an integer")
        limit = int(limit.value) if isinstance(limit, Literal) else limit
        if limit < 0:
            raise QueryError("limit must be 0 or more")
    return _bind_text(text, bindings, limit)


def prepare(name: str, store: Store | None = None, out: str | Path | None = None, **params) -> str:
    """The SPARQL text of a named query with its parameters bound, ready for any SPARQL 1.1 endpoint.

    Symbol parameters are looked up in `store` (or the build in `out`) when given; otherwise a symbol
    becomes its https://undocs.org/ IRI.
    """
    nq = get_query(name)
    if store is None and out is not None:
        store = open_store(out)
    check_query(nq.text)
    return bind(nq.text, bind_params(nq, params, store))


# ---------------------------------------------------------------------------------------------
# Execution
# ---------------------------------------------------------------------------------------------

@dataclass
class Result:
    form: str                         # SELECT, ASK, CONSTRUCT, DESCRIBE
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)   # pyoxigraph terms or None
    boolean: bool | None = None
    triples: list = field(default_factory=list)
    json_bytes: bytes | None = None   # SPARQL 1.1 JSON results, as pyoxigraph wrote them
    seconds: float = 0.0

    def dicts(self) -> list[dict[str, str | None]]:
        return [{v: (t.value if t is not None else None) for v, t in zip(self.variables, row)} for row in self.rows]


def execute(store: Store, text: str, timeout: float | None = DEFAULT_TIMEOUT, union_default_graph: bool = False) -> Result:
    """Run checked query text on the store in a worker thread; QueryTimeout after `timeout` seconds."""
    form = query_form(text)
    box: dict[str, Any] = {}

    def work():
        try:
            res = store.query(text, use_default_graph_as_union=union_default_graph)
            if isinstance(res, (QuerySolutions, QueryBoolean)):
                box["json"] = res.serialize(format=QueryResultsFormat.JSON)
            else:
                box["triples"] = list(res)
        except BaseException as e:  # noqa: BLE001  (handed to the caller)
            box["error"] = e

    t0 = time.monotonic()
    worker = threading.Thread(target=work, name="kg-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise QueryTimeout(f"the query did not finish within {timeout:g} s (raise --timeout, or narrow the query)")
    if "error" in box:
        e = box["error"]
        if isinstance(e, SyntaxError):
            raise QueryError(f"SPARQL syntax error: {e}") from None
        raise e
    result = Result(form, seconds=time.monotonic() - t0)
    if "triples" in box:
        result.triples = box["triples"]
        return result
    return _from_json(result, box["json"])


def _from_json(result: Result, data: bytes) -> Result:
    """``result`` filled from the SPARQL 1.1 JSON results of a SELECT or ASK."""
    result.json_bytes = data
    parsed = parse_query_results(data, format=QueryResultsFormat.JSON)
    if isinstance(parsed, QueryBoolean):
        result.form, result.boolean = "ASK", bool(parsed)
        return result
    result.variables = [v.value for v in parsed.variables]
    result.rows = [tuple(sol[v] for v in result.variables) for sol in parsed]
    return result


# Headers with which an endpoint marks an answer it cut short (Virtuoso: its time or row limits; kg serve:
# its --max-rows): such an answer is never shown as if it were whole.
_PARTIAL_HEADERS = ("x-sql-state", "x-sql-message", "x-exec-milliseconds-limit", "x-kg-truncated")


class Endpoint:
    """A SPARQL 1.1 query endpoint of another store (Virtuoso, Fuseki, GraphDB, QLever, an Oxigraph
    server, `kg serve`), asked by the SPARQL 1.1 Protocol (POST, form-encoded), read-only.

    It stands in for the embedded store where a query needs a lookup (a symbol parameter resolved to its
    document: `query()` answers like `Store.query` for SELECT). Credentials as for `kg load`: the
    KG_LOAD_TOKEN, KG_LOAD_USER/KG_LOAD_PASSWORD environment variables or a netrc entry of the host.
    """

    def __init__(self, url: str, timeout: float | None = DEFAULT_TIMEOUT):
        from kg.load import LoadError, check_url, make_session
        try:
            check_url(url)
            self.session = make_session(url, command="kg query")
        except LoadError as e:
            raise QueryError(str(e).replace("--endpoint", "endpoint")) from None
        self.url, self.timeout = url, timeout

    def post(self, text: str, accept: str) -> tuple[bytes, str]:
        """The body and media type of the endpoint's answer; QueryTimeout, or RuntimeError naming the URL."""
        import requests
        try:
            r = self.session.post(self.url, data={"query": text}, headers={"Accept": accept},
                                  timeout=(10.0, self.timeout))
        except requests.Timeout:
            raise QueryTimeout(f"{self.url} did not answer within {self.timeout:g} s (raise --timeout, or narrow "
                               "the query)") from None
        except requests.RequestException as e:
            raise RuntimeError(f"{self.url}: cannot reach the endpoint ({type(e).__name__})") from None
        if r.status_code >= 400:
            body = " ".join((r.text or "").split())[:300]
            raise RuntimeError(f"{self.url} answered HTTP {r.status_code} {r.reason or ''}".rstrip()
                               + (f": {body}" if body else ""))
        partial = {k: v for k, v in r.headers.items() if k.lower() in _PARTIAL_HEADERS}
        if partial:
            raise RuntimeError(f"{self.url} cut the answer short ({partial}); raise its limits (Virtuoso: "
                               "[SPARQL] ResultSetMaxRows, MaxQueryExecutionTime; kg serve: --max-rows)")
        return r.content, r.headers.get("Content-Type", "").split(";")[0].strip().lower()

    def query(self, text: str):
        body, _ = self.post(text, "application/sparql-results+json")
        return parse_query_results(body, format=QueryResultsFormat.JSON)


def execute_remote(endpoint: Endpoint, text: str) -> Result:
    """Run checked query text at the endpoint: the same Result as `execute` gives for the embedded store."""
    form = query_form(text)
    t0 = time.monotonic()
    if form in ("CONSTRUCT", "DESCRIBE"):
        body, media = endpoint.post(text, "application/n-triples, text/turtle;q=0.9")
        fmt = RdfFormat.TURTLE if "turtle" in media else RdfFormat.N_TRIPLES
        try:
            triples = [q.triple for q in parse(body, format=fmt)]
        except (SyntaxError, ValueError) as e:
            raise RuntimeError(f"{endpoint.url}: not a graph in {fmt.name} ({e})") from None
        return Result(form, triples=triples, seconds=time.monotonic() - t0)
    body, media = endpoint.post(text, "application/sparql-results+json")
    try:
        return _from_json(Result(form, seconds=time.monotonic() - t0), body)
    except (SyntaxError, ValueError) as e:
        raise RuntimeError(f"{endpoint.url}: not SPARQL JSON results ({media or 'no media type'}: {e})") from None


def run_named(name: str, out: str | Path = "output", *, timeout: float | None = DEFAULT_TIMEOUT,
              store: Store | None = None, endpoint: str | None = None, **params) -> Result:
    """Run the named query on the build in `out` (or `store`), or at the SPARQL endpoint URL `endpoint`."""
    nq = get_query(name)
    check_query(nq.text)
    if endpoint is not None:
        remote = Endpoint(endpoint, timeout)
        return execute_remote(remote, bind(nq.text, bind_params(nq, params, remote)))
    store = store if store is not None else open_store(out)
    text = bind(nq.text, bind_params(nq, params, store))
    return execute(store, text, timeout)


def run_sparql(text: str, out: str | Path = "output", *, allow_service: bool = False, timeout: float | None = DEFAULT_TIMEOUT,
               store: Store | None = None, union_default_graph: bool = False, endpoint: str | None = None) -> Result:
    check_query(text, allow_service=allow_service)
    if endpoint is not None:
        if union_default_graph:
            raise QueryError("--union is an option of the embedded store; an endpoint has its own default graph")
        return execute_remote(Endpoint(endpoint, timeout), text)
    store = store if store is not None else open_store(out)
    return execute(store, text, timeout, union_default_graph)


def _plain(result: Result):
    if result.form == "ASK":
        return result.boolean
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        return [{"subject": t.subject.value, "predicate": t.predicate.value, "object": t.object.value} for t in result.triples]
    return result.dicts()


def run(name: str, out: str | Path = "output", *, timeout: float | None = DEFAULT_TIMEOUT, endpoint: str | None = None,
        **params):
    """Run the named query on the build in `out` (or at the SPARQL endpoint URL `endpoint`); rows as dicts
    of variable -> value (None if unbound).

    >>> kg.query("citations", doc="A/75/875")     # doctest: +SKIP
    ASK gives a bool; CONSTRUCT/DESCRIBE give triples as dicts (subject, predicate, object).
    """
    return _plain(run_named(name, out, timeout=timeout, endpoint=endpoint, **params))


def sparql(text: str, out: str | Path = "output", *, allow_service: bool = False, timeout: float | None = DEFAULT_TIMEOUT,
           union_default_graph: bool = False, endpoint: str | None = None):
    """Run ad-hoc SPARQL (read-only; SERVICE refused unless allow_service) on the build in `out` (or at
    the SPARQL endpoint URL `endpoint`)."""
    return _plain(run_sparql(text, out, allow_service=allow_service, timeout=timeout,
                             union_default_graph=union_default_graph, endpoint=endpoint))


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------

# Namespaces whose local names have no '/': Turtle would have to escape it (kgid:state\/AZE).
TURTLE_PREFIXES = {k: v for k, v in ns.PREFIXES.items() if k not in ("kgid", "kgg", "undoc")}
_NS_BY_LENGTH = sorted(((v, k) for k, v in ns.PREFIXES.items()), key=lambda x: -len(x[0]))


def compact(iri: str) -> str:
    """A short display form: kgid:state/AZE, undoc:A/77/686 (a display name, not SPARQL syntax)."""
    for base, prefix in _NS_BY_LENGTH:
        if iri.startswith(base) and len(iri) > len(base):
            return f"{prefix}:{iri[len(base):]}"
    return iri


def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return compact(term.value)
    return re.sub(r"\s+", " ", term.value).strip()


def fit_widths(natural: list[int], headers: list[str], total: int, gap: int = 2) -> list[int]:
    """Column widths that fit `total` characters: the widest columns give way first."""
    widths = list(natural)
    avail = total - gap * (len(widths) - 1)
    floors = [min(w, max(6, min(len(h), 12))) for w, h in zip(widths, headers)]
    while sum(widths) > avail:
        i = max(range(len(widths)), key=lambda k: (widths[k] - floors[k], widths[k]))
        if widths[i] <= floors[i]:
            break
        widths[i] -= 1
    return widths


def _clip(s: str, w: int) -> str:
    return s if len(s) <= w else (s[: w - 1] + "…" if w > 1 else s[:w])


def render_table(result: Result, width: int | None = None) -> str:
    """An aligned table that fits `width` (default: the terminal's); long cells are cut with '…'.

    When even narrowed columns cannot fit, each row is shown as a record (one 'column  value' line
    per variable), which always fits.
    """
    if result.form == "ASK":
        return "true" if result.boolean else "false"
    width = width or shutil.get_terminal_size((100, 24)).columns
    headers = result.variables
    if not headers:
        return ""
    cells = [[_cell(t) for t in row] for row in result.rows]
    natural = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    widths = fit_widths(natural, headers, width)
    if sum(widths) + 2 * (len(widths) - 1) > width:
        return _render_records(headers, cells, width)
    lines = ["  ".join(_clip(h, w).ljust(w) for h, w in zip(headers, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for r in cells:
        lines.append("  ".join(_clip(c, w).ljust(w) for c, w in zip(r, widths)).rstrip())
    return "\n".join(lines)


def _render_records(headers: list[str], cells: list[list[str]], width: int) -> str:
    key = max(len(h) for h in headers)
    room = max(10, width - key - 2)
    out = []
    for n, r in enumerate(cells, 1):
        out.append((f"-[ {n} ]" + "-" * width)[:width])
        out.extend(f"{h.ljust(key)}  {_clip(c, room)}".rstrip() for h, c in zip(headers, r))
    if not cells:
        out.append("  ".join(headers))
    return "\n".join(out)


def render(result: Result, fmt: str | None = None, width: int | None = None) -> str:
    """The result in a format: table|csv|tsv|json for SELECT/ASK; turtle|jsonld|ntriples (json = JSON-LD) for graphs."""
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        fmt = {None: "turtle", "table": "turtle", "json": "jsonld"}.get(fmt, fmt)
        rdf = {"turtle": RdfFormat.TURTLE, "jsonld": RdfFormat.JSON_LD, "ntriples": RdfFormat.N_TRIPLES}.get(fmt)
        if rdf is None:
            raise QueryError(f"a {result.form} query gives a graph: use --format turtle, jsonld or ntriples, not {fmt}")
        kwargs = {"prefixes": TURTLE_PREFIXES} if rdf == RdfFormat.TURTLE else {}
        return serialize(result.triples, format=rdf, **kwargs).decode("utf-8")
    fmt = fmt or "table"
    if fmt == "table":
        return render_table(result, width)
    if fmt == "json":
        return result.json_bytes.decode("utf-8")
    if fmt in ("csv", "tsv"):
        qf = QueryResultsFormat.CSV if fmt == "csv" else QueryResultsFormat.TSV
        return parse_query_results(result.json_bytes, format=QueryResultsFormat.JSON).serialize(format=qf).decode("utf-8")
    raise QueryError(f"a {result.form} query gives {'a boolean' if result.form == 'ASK' else 'rows'}: "
                     f"use --format {', '.join(SELECT_FORMATS)}, not {fmt}")


class _CallableModule(types.ModuleType):
    """`kg.query(name, **params)` and `kg.query.run(...)` both work: the package attribute `kg.query` becomes
    this module as soon as anything imports it, so the module itself answers a call like `run`."""

    def __call__(self, name: str, out: str | Path = "output", **params):
        return run(name, out, **params)


sys.modules[__name__].__class__ = _CallableModule

__all__ = [
    "QueryError", "QueryTimeout", "NamedQuery", "Param", "Result", "bind", "bind_params", "check_query",
    "execute", "get_query", "load_queries", "prepare", "query_form", "render", "run", "run_named", "run_sparql",
    "sparql", "strip_query", "to_term", "values_block",
]
