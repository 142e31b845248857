"""The `kg export`, `kg load` and `kg serve` commands (attached to `kg` with main.add_command).

This module does not import kg.cli, so kg.cli can import it from anywhere without a cycle; the
conventions are the same (--out DIR; exit codes 0 ok, 1 partial failure, 2 usage, 3 fatal).
`python -m kg.cli_io COMMAND ...` runs them on their own.
"""
from __future__ import annotations

import errno
import sys

import click

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_FATAL = 0, 1, 2, 3


def out_option(f):
    return click.option("--out", "out", default="output", show_default=True, type=click.Path(file_okay=False),
                        help="Folder of the build to write or read.")(f)


def fatal(message: str, code: int = EXIT_FATAL):
    click.echo(f"kg: error: {message}", err=True)
    sys.exit(code)


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return str(n)


# ------------------------------------------------------------------------------------------ export

@click.command("export")
@out_option
@click.option("--format", "fmt", type=click.Choice(["trig", "nquads", "turtle", "ntriples", "jsonld", "rdfxml"]),
              default="trig", show_default=True,
              help="trig, nquads and jsonld keep the named graphs; turtle, ntriples and rdfxml get their union.")
@click.option("--file", "file", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Where to write (default OUT/export/kg.EXT; '-' for standard output).")
@click.option("--graph", "graphs", multiple=True, metavar="IRI",
              help="Export only this named graph (full IRI, kgg:SLUG or SLUG); repeatable. Default: all.")
@click.option("--with-vocab/--no-vocab", default=True, show_default=True,
              help="Include the ontology and vocabulary graphs (kgg:ontology, kgg:vocab).")
def export(out, fmt, file, graphs, with_vocab):
    """Export the built graph (or chosen named graphs) as one RDF file, deterministically.

    Streams one graph at a time and writes atomically (a temporary file renamed into place).
    """
    from kg.export import ExportError, export as run_export
    try:
        result = run_export(out, fmt, file=file, graphs=graphs or None, with_vocab=with_vocab)
    except ExportError as e:
        raise click.UsageError(str(e)) from e
    except FileNotFoundError as e:
        fatal(str(e))
    except OSError as e:
        fatal(f"cannot write the export: {e}")
    what = "quads" if fmt in ("trig", "nquads", "jsonld") else "distinct triples"
    n_graphs = len([g for g in result.graphs if g])
    click.echo(f"exported {result.statements} {what} from {n_graphs} graphs as {fmt} "
               f"({_size(result.bytes)}) -> {result.path or 'stdout'}", err=True)


# -------------------------------------------------------------------------------------------- load

@click.command("load")
@out_option
@click.option("--endpoint", metavar="URL", envvar="KG_LOAD_ENDPOINT",
              help="The store's Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store (env KG_LOAD_ENDPOINT).")
@click.option("--protocol", type=click.Choice(["gsp", "update"]), default="gsp", show_default=True,
              help="gsp: PUT one graph per document; update: SPARQL 1.1 Update (DROP + INSERT DATA).")
@click.option("--query-endpoint", metavar="URL", help="SPARQL query endpoint (default: found from --endpoint).")
@click.option("--update-endpoint", metavar="URL", help="SPARQL update endpoint (default: found from --endpoint).")
@click.option("--graph-prefix", metavar="IRI",
              help="Load graph kgg:SLUG as IRI+SLUG (default: the build's own graph IRIs).")
@click.option("--batch", default=50_000, show_default=True, type=click.IntRange(1),
              help="Triples per request (a graph with blank nodes always goes in one request).")
@click.option("--graph", "graphs", multiple=True, metavar="IRI", help="Load only this graph; repeatable.")
@click.option("--with-vocab/--no-vocab", default=True, show_default=True,
              help="Load the ontology and vocabulary graphs too.")
@click.option("--prune", is_flag=True,
              help="Also drop graphs under the graph prefix that this build does not have (removed documents).")
@click.option("--content-type", default="application/n-triples", show_default=True,
              help="Media type of the Graph Store Protocol bodies (N-Triples is also valid text/turtle).")
@click.option("--auth", "auth_scheme", type=click.Choice(["basic", "digest"]), default="basic", show_default=True,
              help="HTTP authentication scheme for the credentials (KG_LOAD_USER/KG_LOAD_PASSWORD or netrc).")
@click.option("--ca-cert", type=click.Path(exists=True, dir_okay=False), help="CA bundle to verify TLS with.")
@click.option("--insecure", is_flag=True, help="Do not verify TLS certificates (not recommended).")
@click.option("--retries", default=5, show_default=True, type=click.IntRange(0, 50),
              help="Retries (with exponential back-off) on connection errors and 5xx.")
@click.option("--timeout", default=120.0, show_default=True, type=click.FloatRange(0.1), help="Seconds per request.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--verbose", "-v", is_flag=True, help="One line per graph loaded.")
def load(out, endpoint, protocol, query_endpoint, update_endpoint, graph_prefix, batch, graphs, with_vocab, prune,
         content_type, auth_scheme, ca_cert, insecure, retries, timeout, quiet, verbose):
    """Load the built graph into a SPARQL 1.1 store, one named graph per document.

    Each graph is replaced (never appended to), so running the load again, even after an
    interruption, leaves exactly the same content. The result is verified with a COUNT query.
    Credentials: KG_LOAD_USER and KG_LOAD_PASSWORD (or KG_LOAD_TOKEN), else ~/.netrc (or $NETRC).
    """
    from kg.load import LoadError, LoadUsageError, load as run_load
    if not endpoint and not update_endpoint:
        raise click.UsageError("give --endpoint URL (the store's Graph Store Protocol URL)")
    if insecure and ca_cert:
        raise click.UsageError("--insecure and --ca-cert exclude each other")
    if insecure:
        click.echo("kg: warning: TLS certificates are not verified (--insecure)", err=True)
        import urllib3
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    def log(message: str) -> None:
        if verbose or message.startswith(("warning", "POST", "PUT", "DELETE")):
            click.echo(f"kg: {message}", err=True)

    try:
        report = run_load(out, endpoint, protocol, query_endpoint=query_endpoint, update_endpoint=update_endpoint,
                          graph_prefix=graph_prefix, batch=batch, graphs=graphs or None, with_vocab=with_vocab,
                          prune=prune, content_type=content_type, auth_scheme=auth_scheme,
                          verify=ca_cert or not insecure, retries=retries, timeout=timeout,
                          progress=not quiet, log=log)
    except LoadUsageError as e:
        raise click.UsageError(str(e)) from e
    except FileNotFoundError as e:
        fatal(str(e))
    except LoadError as e:
        fatal(str(e))
    except ValueError as e:        # a bad --graph
        raise click.UsageError(str(e)) from e
    click.echo(f"loaded {report.triples} triples in {len(report.graphs)} graphs into {report.endpoint} "
               f"({report.protocol}, {report.requests} requests, {report.retries} retries"
               + (f", {len(report.pruned)} stale graphs dropped" if report.pruned else "")
               + f") in {report.seconds:.1f} s", err=True)
    if report.ok:
        click.echo(f"verified by COUNT: the store holds {report.verified} triples in these {len(report.graphs)} graphs",
                   err=True)
        sys.exit(EXIT_OK)
    for g, (want, got) in sorted(report.mismatches.items())[:20]:
        click.echo(f"kg: graph <{g}>: expected {want} triples, the store holds {got}", err=True)
    click.echo(f"kg: verification failed: the store holds {report.verified} triples in these graphs, "
               f"{report.triples} were sent", err=True)
    sys.exit(EXIT_PARTIAL)


# ------------------------------------------------------------------------------------------- serve

@click.command("serve")
@out_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback exposes the store, without authentication. "
                   "Requests must name 127.0.0.1, localhost, [::1] or this host (with the port) in their "
                   "Host header; others get 403 (DNS rebinding guard).")
@click.option("--port", default=7879, show_default=True, type=click.IntRange(0, 65535), help="0: any free port.")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(1),
              help="At most this many result rows (or triples) per answer; more are cut (header X-KG-Truncated).")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(0.1),
              help="Seconds a query may run before it is stopped (HTTP 503).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Query worker processes (queries running at once).")
@click.option("--union-default-graph/--no-union-default-graph", default=True, show_default=True,
              help="Queries without GRAPH see all named graphs as the default graph.")
@click.option("--allow-origin", "allow_origins", multiple=True, metavar="ORIGIN",
              help="A web origin (scheme://host[:port], e.g. https://yasgui.example.org) whose pages may query "
                   "the endpoint from a browser: its requests and CORS preflights are answered with "
                   "Access-Control-Allow-Origin: ORIGIN. Repeatable. Without it no CORS header is sent and "
                   "requests from other origins get 403.")
@click.option("--quiet", "-q", is_flag=True, help="Do not log requests.")
def serve(out, host, port, max_rows, timeout, workers, union_default_graph, allow_origins, quiet):
    """Serve the built store as a local, read-only SPARQL 1.1 endpoint at http://HOST:PORT/sparql."""
    from kg.serve import is_loopback, make_server, normalize_origin, serve_forever
    for origin in allow_origins:
        try:
            normalize_origin(origin)
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="--allow-origin") from None
    if not is_loopback(host):
        click.echo(f"kg: warning: binding {host} makes the store readable by anyone who can reach this machine "
                   "(no authentication); the default 127.0.0.1 keeps it local", err=True)
    try:
        server = make_server(out, host, port, max_rows=max_rows, timeout=timeout, workers=workers,
                             union_default_graph=union_default_graph, quiet=quiet, allow_origins=allow_origins)
    except FileNotFoundError as e:
        fatal(str(e))
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            fatal(f"{host}:{port} is in use; choose another --port")
        fatal(f"cannot serve on {host}:{port}: {e}")
    bound_host, bound_port = server.server_address[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    click.echo(f"kg: read-only SPARQL endpoint at http://{shown}:{bound_port}/sparql "
               f"(max {max_rows} rows, {timeout:g} s timeout); ^C to stop", err=True)
    if server.config.allow_origins:
        click.echo("kg: browser pages allowed to query it (CORS): " + ", ".join(server.config.allow_origins), err=True)
    sys.stderr.flush()
    serve_forever(server)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def commands():
    """kg export / load / serve (standalone entry point)."""


commands.add_command(export)
commands.add_command(load)
commands.add_command(serve)

if __name__ == "__main__":
    commands()
