"""A Virtuoso server holding a kg build, for timing the named queries on a server engine.

    python benchmarks/virtuoso.py load DB_DIR FILE.nq [FILE.nq ...] [--memory-gb 8] [--http-port 8890]
    python benchmarks/run.py --queries-of OUT --endpoint http://127.0.0.1:8890/sparql
    python benchmarks/virtuoso.py stop DB_DIR

`load` writes a virtuoso.ini in DB_DIR (loopback only, buffers sized to --memory-gb, no row or time
limit on SPARQL answers so that nothing is cut short), starts `virtuoso-t` (Debian package
virtuoso-opensource-7-bin) in the background, bulk-loads the N-Quads files (`kg export --format nquads`)
with Virtuoso's loader (ld_dir + rdf_loader_run, one loader per CPU, then a checkpoint), counts the
quads over SPARQL and prints one JSON object: load seconds, quads, quads per second, database size.
The server keeps running until `stop`. This is the bulk-load path docs/scaling.md describes, measured.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = {remap}
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
ServerThreads = 10
; Virtuoso's sizing rule: 85,000 buffers of 8 KB per GB of memory given to it, 3/4 of them dirty at most.
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
MaxQueryMem = {query_mem}M
DirsAllowed = ., {d}, {dirs}
CheckpointInterval = 0
DisableTcpSocket = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
ServerThreads = 10
MaxClientConnections = 10

[SPARQL]
; no silent cuts: every row, no time limit (a timed-out Virtuoso query returns partial results)
ResultSetMaxRows = 100000000
MaxSortedTopRows = 100000000
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""


def binaries() -> tuple[str, str]:
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql-v")
    if not server or not isql:
        raise SystemExit("virtuoso-t and isql-vt are needed: apt-get install virtuoso-opensource-7-bin")
    return server, isql


def _ports(db: Path) -> dict:
    return json.loads((db / "ports.json").read_text())


def isql(db: Path, statements: str, timeout: float | None = None) -> str:
    _, client = binaries()
    r = subprocess.run([client, f"127.0.0.1:{_ports(db)['sql_port']}", "dba", "dba", f"exec={statements}"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0 or "*** Error" in r.stdout + r.stderr:
        raise SystemExit(f"isql: {statements}: {r.stdout} {r.stderr}")
    return r.stdout


def sparql_count(url: str) -> int:
    q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), \"https://w3id.org/kg-un/\")) }"
    req = urllib.request.Request(url, data=urllib.parse.urlencode({"query": q}).encode(),
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=3600) as r:
        return int(json.loads(r.read())["results"]["bindings"][0]["n"]["value"])


def start(db: Path, files: list[Path], memory_gb: float, http_port: int, sql_port: int) -> str:
    server, _ = binaries()
    db.mkdir(parents=True, exist_ok=True)
    buffers = int(85_000 * memory_gb)
    dirs = ", ".join(sorted({str(f.parent) for f in files}))
    ini = db / "virtuoso.ini"
    ini.write_text(INI.format(d=db, sql_port=sql_port, http_port=http_port, buffers=buffers, dirty=buffers * 3 // 4,
                              remap=buffers // 4, dirs=dirs,
                              query_mem=int(memory_gb * 1024 / 4)))
    (db / "ports.json").write_text(json.dumps({"sql_port": sql_port, "http_port": http_port}))
    subprocess.run([server, "+configfile", str(ini)], cwd=db, check=True, stdin=subprocess.DEVNULL)   # forks
    url = f"http://127.0.0.1:{http_port}/sparql"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "?query=" + urllib.parse.quote("ASK {}"), timeout=2):
                return url
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise SystemExit(f"virtuoso did not come up; see {db / 'virtuoso.log'}")


def load(args) -> dict:
    db = Path(args.db).resolve()
    files = [Path(f).resolve() for f in args.files]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise SystemExit(f"no such file: {', '.join(missing)}")
    url = start(db, files, args.memory_gb, args.http_port, args.sql_port)
    t0 = time.perf_counter()
    for f in files:
        # The graph argument is only for files without one: every kg quad has its graph.
        isql(db, f"ld_add('{f}', 'https://w3id.org/kg-un/graph/default');")
    loaders = args.loaders or os.cpu_count() or 1
    with ThreadPoolExecutor(loaders) as pool:
        list(pool.map(lambda _: isql(db, "rdf_loader_run();"), range(loaders)))
    listing = isql(db, "SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;")
    failed = re.search(r"(\d+) Rows\.", listing)
    if not failed or int(failed.group(1)):
        raise SystemExit(f"the loader failed on some files:\n{listing}")
    isql(db, "checkpoint;")
    seconds = time.perf_counter() - t0
    quads = sparql_count(url)
    size = sum(p.stat().st_size for p in db.glob("virtuoso*.db"))
    return {"endpoint": url, "files": [str(f) for f in files], "loaders": loaders, "memory_gb": args.memory_gb,
            "load_seconds": round(seconds, 1), "quads": quads, "quads_per_second": round(quads / seconds),
            "database_bytes": size}


def stop(args) -> dict:
    """Shut the server down; if it does not stop within a minute (it finishes the queries it is still
    running first, and a client that gave up on a query does not stop it), kill it."""
    db = Path(args.db).resolve()
    lock = db / "virtuoso.lck"
    pid = int(lock.read_text().split("=", 1)[1]) if lock.exists() else None
    try:
        isql(db, "shutdown;", timeout=60)
        how = "shutdown"
    except (SystemExit, subprocess.TimeoutExpired):
        how = "shutdown (connection closed)"
    deadline = time.monotonic() + 10
    while pid and time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.5)
    if pid and Path(f"/proc/{pid}").exists():
        os.kill(pid, signal.SIGKILL)
        how = "killed (still running queries 70 s after the shutdown request)"
    return {"stopped": str(db), "how": how}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    lp = sub.add_parser("load", help="start Virtuoso over DB_DIR and bulk-load the N-Quads files")
    lp.add_argument("db", metavar="DB_DIR")
    lp.add_argument("files", nargs="+", metavar="FILE.nq")
    lp.add_argument("--memory-gb", type=float, default=8.0, help="memory for Virtuoso's buffers (default 8)")
    lp.add_argument("--http-port", type=int, default=8890)
    lp.add_argument("--sql-port", type=int, default=1111)
    lp.add_argument("--loaders", type=int, default=0, help="parallel rdf_loader_run sessions (default: CPUs)")
    sp = sub.add_parser("stop", help="checkpoint and stop the server of DB_DIR")
    sp.add_argument("db", metavar="DB_DIR")
    args = ap.parse_args(argv)
    print(json.dumps(load(args) if args.command == "load" else stop(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
