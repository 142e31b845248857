"""`kg analyze` and `kg viz`: click commands over kg.analytics and kg.viz (attached to kg.cli.main)."""
from __future__ import annotations

import sys

import click

from kg.cli import EXIT_FATAL, EXIT_OK, fatal, out_option


@click.command()
@out_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 1000), help="Rows per ranking.")
@click.option("--no-plots", is_flag=True, help="Skip the PNG charts.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def analyze(out, as_json, top, no_plots, quiet):
    """Analyse the build in --out: writes OUT/report.md, OUT/report.json and PNG charts beside them.

    Most cited and most central documents (in-degree, PageRank), longest citation chains, reply
    threads, components and communities, whom each state engages with, citations that point
    forward in time, and documents cited but absent from the corpus (what to fetch next).
    """
    from kg.analytics.report import analyze as run_analyze
    try:
        rep = run_analyze(out, top=top, plots=not no_plots, progress=not quiet)
    except FileNotFoundError as e:
        fatal(str(e))
    except OSError as e:
        fatal(f"{out}: {e}")
    files = rep.pop("files")
    if as_json:
        from kg.analytics.report import write_json
        sys.stdout.flush()
        write_json(rep, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        s = rep["summary"]
        top_cited = rep["most_cited"][0] if rep["most_cited"] else None
        chain = rep["longest_chains"][0] if rep["longest_chains"] else None
        click.echo(f"{s['documents']} documents; most cited: "
                   + (f"{top_cited['label']} (by {top_cited['cited_by']})" if top_cited else "-")
                   + f"; longest chain: {chain['length'] if chain else 0}; "
                   f"{len(rep['reply_threads'])} reply threads; {len(rep['forward_citations'])} forward-in-time citations; "
                   f"{rep['missing_documents']['count']} cited documents missing")
    for f in files:
        click.echo(f"wrote {f}", err=True)
    sys.exit(EXIT_OK)


@click.command()
@click.argument("kind", type=click.Choice(["citations", "actors", "incidents"]))
@out_option
@click.option("--file", "file", type=click.Path(dir_okay=False), default=None,
              help="Write the page here instead of OUT/viz-KIND.html.")
@click.option("--max-nodes", default=2000, show_default=True, type=click.IntRange(10, 100_000),
              help="Beyond this many nodes the least connected are left out (the page says which).")
@click.option("--max-edges", default=4000, show_default=True, type=click.IntRange(10, 500_000),
              help="Beyond this many links the weakest are left out (the page says which).")
def viz(kind, out, file, max_nodes, max_edges):
    """Interactive HTML of the citations, actors or incidents of the build in --out.

    One self-contained file that works offline: legend, filters by kind and date, search by
    label, tooltips with the evidence and the document. Open it in any browser.
    """
    from kg.viz import write_viz
    try:
        path, v = write_viz(kind, out=out, file=file, max_nodes=max_nodes, max_edges=max_edges)
    except FileNotFoundError as e:
        fatal(str(e))
    except RuntimeError as e:
        fatal(str(e))
    except OSError as e:
        click.echo(f"kg: error: cannot write {file or out}: {e}", err=True)
        sys.exit(EXIT_FATAL)
    msg = f"{kind}: {len(v.nodes)} nodes, {len(v.edges)} links"
    if (v.total_nodes, v.total_edges) != (len(v.nodes), len(v.edges)):
        msg += f" (of {v.total_nodes} and {v.total_edges}; see the note in the page)"
    click.echo(f"{msg} -> {path}", err=True)
    sys.exit(EXIT_OK)
