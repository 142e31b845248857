"""kg build: files -> extractions (cached by content) -> quads -> store and kg.trig."""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import multiprocessing.connection
import os
import time
from functools import lru_cache
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from kg import ingest, mapping, store, vocab
from kg import namespaces as ns
from kg.extract.pipeline import EXTRACTOR_VERSION, extract
from kg.models import Extraction, from_json, to_json

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
CACHE_DIR = "cache"


@dataclass
class BuildReport:
    documents: int = 0
    extracted: int = 0
    reused: int = 0
    triples: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)
    changed_graphs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """A digest of the extractor sources: any change to extraction code invalidates the cache."""
    h = hashlib.sha256()
    for f in sorted((Path(__file__).parent / "extract").glob("*.py")) + [Path(__file__).parent / "models.py"]:
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _cache_key(sha256: str) -> str:
    return f"{sha256}-{EXTRACTOR_VERSION}-{_code_fingerprint()}-{vocab.load().fingerprint}"


def _extract_file(path: str, limits: ingest.Limits, cache_dir: str) -> tuple[str, Extraction | None, str | None, bool]:
    """Read and extract one file (runs in a worker process). Returns (path, extraction, error, reused)."""
    try:
        src = ingest.read_document(path, limits)
    except ingest.IngestError as e:
        return path, None, e.reason, False
    cache = Path(cache_dir) / f"{ns.file_slug(src.source)}.json"
    key = _cache_key(src.sha256)
    if cache.exists():
        try:
            data = json.loads(cache.read_text())
            if data.get("key") == key:
                return path, from_json(Extraction, data["extraction"]), None, True
        except Exception:  # noqa: BLE001
            pass   # a damaged cache entry (any damage: 'null' is valid JSON) is simply redone
    try:
        ex = extract(src.source, src.sha256, src.text, src.segments)
    except Exception as e:  # noqa: BLE001 - one document's failure must not sink the batch
        return path, None, f"extraction failed ({type(e).__name__}: {e}); please report this", False
    store.atomic_write_bytes(cache, json.dumps({"key": key, "extraction": to_json(ex)}, ensure_ascii=False).encode())
    return path, ex, None, False


def build(paths=None, out: str | Path = "output", jobs: int = 1, limits: ingest.Limits = ingest.Limits(),
          progress: bool = True, executor: str = "local", scheduler: str | None = None) -> BuildReport:
    """Build the graph of ``paths`` into ``out``.

    executor: "local" (``jobs`` worker processes on this machine) or "dask" (a Dask cluster at
    ``scheduler``, or a LocalCluster when it is None); extraction results come back to this process,
    which maps and loads them in bulk.
    """
    t0 = time.perf_counter()
    out = Path(out)
    report = BuildReport()
    with store.build_lock(out):
        store.cleanup_stale(out)
        cache_dir = out / CACHE_DIR
        cache_dir.mkdir(parents=True, exist_ok=True)
        files: list[Path] = []
        for given in (paths or [DEFAULT_CORPUS]):
            try:
                files.extend(ingest.find_documents([given]))
            except ingest.IngestError as e:
                report.failures.append((e.path, e.reason))
        vocab.load()   # fail early (and once) if the vocabularies are missing

        extractions: list[Extraction] = []
        bar = tqdm(total=len(files), desc="extract", unit="doc", disable=not progress, leave=False)
        if executor == "dask":
            from kg.executors import dask_extract
            for r in dask_extract([str(f) for f in files], limits, str(cache_dir), scheduler):
                _collect(r, report, extractions)
                bar.update()
        elif limits.max_seconds and hasattr(os, "fork") and files:
            if any(not (cache_dir / f"{ns.file_slug(f.name)}.json").exists() for f in files):
                from kg.extract import entities
                entities.pipeline()       # loaded once here, shared by every child
            for r in _extract_guarded([str(f) for f in files], limits, str(cache_dir), jobs):
                _collect(r, report, extractions)
                bar.update()
        elif jobs > 1 and len(files) > 1:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                results = pool.map(_extract_file, [str(f) for f in files], [limits] * len(files),
                                   [str(cache_dir)] * len(files), chunksize=4)
                for r in results:
                    _collect(r, report, extractions)
                    bar.update()
        else:
            for f in files:
                _collect(_extract_file(str(f), limits, str(cache_dir)), report, extractions)
                bar.update()
        bar.close()

        # Two files with the same name would share a graph: the later one is refused, not merged.
        by_graph: dict[str, Extraction] = {}
        for ex in extractions:
            g = ns.graph_iri(ex.source)
            if g in by_graph:
                report.failures.append((ex.source, f"same file name as {by_graph[g].source} in another folder; graph {g} taken"))
                continue
            by_graph[g] = ex
        extractions = list(by_graph.values())
        report.documents = len(extractions)

        aliases = mapping.Aliases.from_extractions(extractions)
        quads = store.background_quads()
        manifest_path = out / "build.json"
        old_manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
        manifest = {}
        for ex in tqdm(sorted(extractions, key=lambda e: e.source), desc="map", unit="doc", disable=not progress, leave=False):
            doc_quads = mapping.map_extraction(ex, aliases)
            quads.extend(doc_quads)
            digest = _digest(doc_quads)
            g = ns.graph_iri(ex.source)
            manifest[g] = {"source": ex.source, "sha256": ex.sha256, "quads": len(doc_quads), "digest": digest}
            if old_manifest.get("graphs", {}).get(g, {}).get("digest") != digest:
                report.changed_graphs.append(g)
        from kg.links import same_event_links
        quads.extend(same_event_links(extractions))

        report.triples = store.write_store(out, quads)
        store.write_trig(out, quads)
        report.seconds = round(time.perf_counter() - t0, 2)
        store.atomic_write_bytes(manifest_path, json.dumps(
            {"extractor_version": EXTRACTOR_VERSION, "graphs": manifest,
             "failures": [{"file": f, "reason": r} for f, r in report.failures]},
            indent=1, sort_keys=True).encode())
    return report


def _child(conn, path: str, limits: ingest.Limits, cache_dir: str, parent: int) -> None:
    # Die with the build: a killed build must not leave readers running (they hold its lock).
    try:
        import ctypes
        import signal
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)      # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)
    try:
        result = _extract_file(path, limits, cache_dir)
    except BaseException as e:  # noqa: BLE001
        result = (path, None, f"failed ({type(e).__name__}: {e})", False)
    conn.send(result)
    conn.close()


def _extract_guarded(files: list[str], limits: ingest.Limits, cache_dir: str, jobs: int) -> list:
    """Read and extract each file in a forked child of its own, `jobs` at a time. A child that runs past
    limits.max_seconds is killed, and one that crashes (pdfium, out of memory) dies alone: that file
    fails with a message and the batch goes on. Results come back in the order of `files`."""
    ctx = multiprocessing.get_context("fork")
    results: dict[str, tuple] = {}
    pending = list(files)
    running: dict = {}                      # connection -> (process, path, deadline)
    while pending or running:
        while pending and len(running) < jobs:
            path = pending.pop(0)
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(send, path, limits, cache_dir, os.getpid()), daemon=True)
            proc.start()
            send.close()
            running[recv] = (proc, path, time.monotonic() + limits.max_seconds)
        wait = max(0.0, min(d for _p, _f, d in running.values()) - time.monotonic())
        ready = multiprocessing.connection.wait(list(running), wait)
        for conn in list(running):
            proc, path, deadline = running[conn]
            if conn in ready:
                try:
                    results[path] = conn.recv()
                except (EOFError, OSError):
                    proc.join(5)
                    code = proc.exitcode
                    why = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                    results[path] = (path, None, f"the reader crashed ({why}; out of memory?)", False)
            elif time.monotonic() >= deadline:
                results[path] = (path, None, f"took longer than {limits.max_seconds:g} s to read "
                                             f"(raise --max-seconds)", False)
            else:
                continue
            if proc.is_alive():
                proc.kill()
            proc.join()
            conn.close()
            del running[conn]
    return [results[f] for f in files]


def _collect(result, report: BuildReport, extractions: list[Extraction]) -> None:
    path, ex, error, reused = result
    if ex is None:
        report.failures.append((path, error or "unreadable"))
        return
    extractions.append(ex)
    if reused:
        report.reused += 1
    else:
        report.extracted += 1


def _digest(quads) -> str:
    h = hashlib.sha256()
    for q in quads:
        h.update(str(q).encode())
        h.update(b"\n")
    return h.hexdigest()[:16]
