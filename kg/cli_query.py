"""`kg query` (named queries from queries/*.rq) and `kg sparql` (ad-hoc SPARQL), read-only, on a build.

Exit codes as for every kg command: 0 success; 1 the query ran out of time or failed in the engine
(or the endpoint could not be reached, refused the query or cut its answer short);
2 usage error (unknown query, bad or missing parameter, invalid SPARQL, refused SERVICE or update,
a format that does not fit the result); 3 no build to read.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_FATAL = 0, 1, 2, 3
FORMAT_HELP = ("table, csv, tsv or json (SPARQL 1.1 JSON results) for SELECT and ASK; turtle, jsonld or "
               "ntriples for CONSTRUCT and DESCRIBE (json gives JSON-LD there). Default: table, or turtle.")


def _out_option(f):
    return click.option("--out", "out", default="output", show_default=True, type=click.Path(file_okay=False),
                        help="Folder of the build to read.")(f)


def _endpoint_option(f):
    return click.option("--endpoint", metavar="URL", default=None,
                        help="Ask this SPARQL 1.1 query endpoint (a store the graph was loaded into with kg load: "
                             "Virtuoso /sparql, Fuseki /DATASET/query, GraphDB /repositories/REPO, Oxigraph /query) "
                             "instead of the build in --out. Credentials as for kg load (KG_LOAD_USER and "
                             "KG_LOAD_PASSWORD, KG_LOAD_TOKEN, or netrc).")(f)


def _common(f):
    f = click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(min=0.001),
                     help="Give up after this many seconds (exit code 1).")(f)
    f = click.option("--format", "fmt", default=None,
                     type=click.Choice(["table", "csv", "tsv", "json", "turtle", "jsonld", "ntriples"]),
                     help=FORMAT_HELP)(f)
    return _out_option(f)


def _fail(code: int, message: str):
    click.echo(f"kg: error: {message}", err=True)
    sys.exit(code)


def _run_and_print(call, fmt: str | None):
    from kg.query import QueryError, QueryTimeout, render
    try:
        result = call()
        text = render(result, fmt)
    except QueryError as e:
        _fail(EXIT_USAGE, str(e))
    except FileNotFoundError as e:
        _fail(EXIT_FATAL, str(e))
    except QueryTimeout as e:
        click.echo(f"kg: error: {e}", err=True)
        # pyoxigraph cannot cancel the running query: end the process now rather than wait for it.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_PARTIAL)
    except (OSError, RuntimeError) as e:
        _fail(EXIT_PARTIAL, f"the query failed: {e}")
    click.echo(text.rstrip("\n"))
    if result.form == "SELECT":
        n = len(result.rows)
        click.echo(f"{n} row{'s' if n != 1 else ''} in {result.seconds:.2f} s", err=True)
        if n == 0 and fmt in (None, "table"):
            _hint_default_graph(result)
    elif result.form in ("CONSTRUCT", "DESCRIBE"):
        click.echo(f"{len(result.triples)} triples in {result.seconds:.2f} s", err=True)


def _hint_default_graph(result):
    text = getattr(result, "query_text", "") or ""
    if text and "GRAPH" not in text.upper():
        click.echo("kg: note: the store's default graph is empty (every document is a named graph); "
                   "use GRAPH ?g { ... } or --union", err=True)


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        key = key.strip()
        if not eq or not key:
            _fail(EXIT_USAGE, f"--param {pair!r}: expected KEY=VALUE")
        if key in params:
            _fail(EXIT_USAGE, f"--param {key} given twice")
        params[key] = value
    return params


def _list_queries():
    from kg.query import load_queries
    queries = load_queries()
    for name, q in queries.items():
        click.echo(f"{name}  ({q.form})  {q.title}")
        for p in q.params.values():
            extra = " optional" if p.optional else (f" default {p.default}" if p.default is not None else "")
            click.echo(f"    {p.name} ({p.type}{extra}): {p.description}")
        if q.example:
            click.echo(f"    e.g. {q.example}")
    click.echo(f"{len(queries)} queries in {Path(next(iter(queries.values())).path).parent if queries else '-'}", err=True)


@click.command("query")
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter of the query (repeat for several); bound as a typed RDF term, never pasted into the text.")
@click.option("--list", "list_", is_flag=True, help="List the named queries, their parameters and an example.")
@click.option("--show", is_flag=True, help="Print the SPARQL with the parameters bound (for any SPARQL 1.1 endpoint) instead of running it.")
@_endpoint_option
@_common
def query(name, params, list_, show, endpoint, out, fmt, timeout):
    """Run the named query NAME (queries/NAME.rq) on the build in --out, or at --endpoint.

    \b
    kg query --list
    kg query citations --param doc=002_7ba849221ed25377.txt
    kg query incidents -p perpetrator=ARM --format csv
    kg query citation-network --format turtle
    kg query accusations -p accuser=AZE --endpoint http://localhost:8890/sparql
    """
    from kg.query import Endpoint, QueryError, prepare, run_named
    if list_:
        _list_queries()
        return
    if not name:
        _fail(EXIT_USAGE, "give a query NAME, or --list to see them")
    kv = _parse_params(params)
    if show:
        try:
            if endpoint is not None:    # symbols are resolved where the query will run
                click.echo(prepare(name, store=Endpoint(endpoint, timeout), **kv))
            else:
                store_dir = Path(out)
                click.echo(prepare(name, out=store_dir if (store_dir / "store").exists() else None, **kv))
        except QueryError as e:
            _fail(EXIT_USAGE, str(e))
        except RuntimeError as e:
            _fail(EXIT_PARTIAL, str(e))
        return
    _run_and_print(lambda: run_named(name, out, timeout=timeout, endpoint=endpoint, **kv), fmt)


@click.command("sparql")
@click.argument("text", required=False, metavar="QUERY")
@click.option("--file", "-f", "file", type=click.File("r", encoding="utf-8"), help="Read the query from FILE ('-' for stdin).")
@click.option("--allow-service", is_flag=True, help="Permit federated SERVICE calls to remote endpoints (refused by default).")
@click.option("--union", "union", is_flag=True,
              help="Treat the default graph as the union of all graphs (an Oxigraph option: such a query may not run "
                   "unchanged elsewhere).")
@_endpoint_option
@_common
def sparql(text, file, allow_service, union, endpoint, out, fmt, timeout):
    """Run an ad-hoc SPARQL 1.1 query (QUERY, or -f FILE) on the build in --out, read-only.

    Every document is a named graph: match with GRAPH ?g { ... } (or pass --union).
    Updates are refused; SERVICE is refused unless --allow-service.
    """
    from kg.query import run_sparql
    if (text is None) == (file is None):
        _fail(EXIT_USAGE, "give the query as an argument or with -f FILE (one of the two)")
    q = text if text is not None else file.read()

    def call():
        result = run_sparql(q, out, allow_service=allow_service, timeout=timeout, union_default_graph=union,
                            endpoint=endpoint)
        result.query_text = "" if union else q
        return result
    _run_and_print(call, fmt)
