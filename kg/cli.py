"""The `kg` command: a thin layer of click commands over the library.

Exit codes: 0 success; 1 the work finished but something failed (unreadable files, SHACL violations);
2 usage error; 3 nothing could be done (no build to read, another build running, missing vocabulary).
"""
from __future__ import annotations

import json
import sys

import click

from kg import __version__

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_FATAL = 0, 1, 2, 3


def out_option(f):
    return click.option("--out", "out", default="output", show_default=True, type=click.Path(file_okay=False),
                        help="Folder of the build to write or read.")(f)


def shown(text) -> str:
    """Text for a one-line message, control and bidi characters escaped: a file name holding a newline
    or an escape sequence cannot break the line, forge another message or drive the terminal."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(text))


def fatal(message: str) -> None:
    click.echo(f"kg: error: {shown(message)}", err=True)
    sys.exit(EXIT_FATAL)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main():
    """kg: a knowledge graph of UN human-rights documents, with provenance for every fact."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@out_option
@click.option("--jobs", "-j", default=None, type=click.IntRange(1, 256),
              help="Worker processes, and CPUs the build may use (Linux: the build is held to that many "
                   "CPUs).  [default: every usable CPU]")
@click.option("--max-bytes", default=50_000_000, show_default=True, type=click.IntRange(1), help="Refuse input files larger than this.")
@click.option("--max-pages", default=2_000, show_default=True, type=click.IntRange(1), help="Refuse PDFs with more pages.")
@click.option("--max-seconds", default=300.0, show_default=True, type=click.FloatRange(0),
              help="Give up reading one file after this many seconds (0: no limit). Files are read in "
                   "reader processes: one that hangs or crashes on a file is replaced, and only that file fails.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where extraction runs: worker processes here, or a Dask cluster (pip install 'kg[cluster]').")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address (tcp://host:8786); default: a cluster on this machine.")
def build(paths, out, jobs, max_bytes, max_pages, max_seconds, quiet, executor, scheduler):
    """Build the graph of PATHS (files or folders; default: the bundled corpus/) into --out.

    Unchanged documents are not re-extracted; each document is one named graph. Writes the store
    (OUT/store), OUT/kg.trig and OUT/build.json. Exit code 1 if any file could not be read.
    """
    from kg.build import build as run_build
    from kg.ingest import Limits
    from kg.store import BuildLocked
    try:
        report = run_build(list(paths) or None, out=out, jobs=jobs, limits=Limits(max_bytes=max_bytes, max_pages=max_pages,
                                                                  max_seconds=max_seconds or None),
                           progress=not quiet, executor=executor, scheduler=scheduler)
    except BuildLocked as e:
        fatal(str(e))
    except (ImportError, ConnectionError) as e:
        fatal(f"--executor dask: {e}")
    except FileNotFoundError as e:
        fatal(str(e))
    for path, reason in report.failures:
        click.echo(f"kg: skipped {shown(path)}: {shown(reason)}", err=True)
    click.echo(f"built {report.documents} documents ({report.extracted} extracted, {report.reused} unchanged, "
               f"{report.mapped} mapped), "
               f"{report.triples} triples, {len(report.changed_graphs)} graphs changed, in {report.seconds:.1f} s"
               + (f"; {len(report.failures)} files skipped" if report.failures else "") + f" -> {shown(out)}", err=True)
    sys.exit(EXIT_OK if report.ok else EXIT_PARTIAL)


@main.command()
@out_option
@click.option("--json", "as_json", is_flag=True, help="Print the JSON array of the gold schema.")
def summary(out, as_json):
    """One record per document, computed from the built store."""
    from kg.api import summary as run_summary
    try:
        records = run_summary(out)
    except FileNotFoundError as e:
        fatal(str(e))
    if as_json:
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
        return
    for r in records:
        click.echo(f"{r['source']}: {r['kind']}, symbols {', '.join(r['symbols']) or '-'}, "
                   f"dated {r['dates']['dated'] or '-'}, authors {', '.join(r['author_states']) or '-'}, "
                   f"{len(r['cited_symbols'])} cited symbols, {len(r['states'])} states, {len(r['bodies'])} bodies, "
                   f"{len(r['incidents'])} incidents")


@main.command()
@out_option
def validate(out):
    """Validate the built graph against the SHACL shapes (exit 0 conforms, 1 violations)."""
    from kg.validate import validate as run_validate
    try:
        result = run_validate(out)
    except FileNotFoundError as e:
        fatal(str(e))
    if result.conforms:
        click.echo("conforms: no SHACL violation")
        sys.exit(EXIT_OK)
    click.echo(result.report)
    click.echo(f"{result.violations} violations", err=True)
    sys.exit(EXIT_PARTIAL)


def _attach_commands():
    """Commands that live in their own modules, each a thin layer over its library module."""
    import importlib
    for module, names in (("kg.cli_query", ("query", "sparql")), ("kg.cli_analytics", ("analyze", "viz")),
                          ("kg.cli_io", ("export", "load", "serve"))):
        try:
            mod = importlib.import_module(module)
        except ImportError:   # an optional part not installed
            continue
        for name in names:
            if hasattr(mod, name):
                main.add_command(getattr(mod, name))


_attach_commands()

if __name__ == "__main__":
    main()
