"""kg build: files -> extractions (cached by content) -> small entries -> aliases and links -> graph text per
document -> a new generation of the store, kg.trig and build.json, made current in one step."""
from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import multiprocessing
import multiprocessing.connection
import os
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from kg import ingest, mapping, store, vocab
from kg import namespaces as ns
from kg.extract.pipeline import EXTRACTOR_VERSION, extract
from kg.links import IncidentRef, incident_refs, links_key, same_event_chunks
from kg.models import Extraction, from_json, to_json

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
CACHE_DIR = "cache"
COMPACT_SHARE = 0.1     # an incremental build compacts its store when it re-maps more than this share of documents


@dataclass
class BuildReport:
    documents: int = 0
    extracted: int = 0
    reused: int = 0
    triples: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)
    changed_graphs: list[str] = field(default_factory=list)
    mapped: int = 0          # documents whose graph was made again (changed, or their citations resolve anew)

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


@lru_cache(maxsize=1)
def _mapping_fingerprint() -> str:
    """A digest of the code that turns extractions into graph text: a change redoes every graph."""
    h = hashlib.sha256()
    for name in ("mapping.py", "namespaces.py", "models.py", "store.py", "links.py"):
        h.update((Path(__file__).parent / name).read_bytes())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class DocEntry:
    """One document between extraction and mapping: what the corpus-wide stages need of it (identity
    for the aliases, incident reports for the same-event links) and where its extraction is cached.
    Small, so that a build of 100,000 documents holds entries, not extractions."""
    source: str
    sha256: str
    key: str
    cache: str
    alias: mapping.AliasInfo
    uses: mapping.AliasUses
    incidents: tuple[IncidentRef, ...]

    @property
    def graph(self) -> str:
        return ns.graph_iri(self.source)

    @classmethod
    def of(cls, ex: Extraction, key: str, cache: Path) -> "DocEntry":
        return cls(ex.source, ex.sha256, key, str(cache), mapping.AliasInfo.of(ex), mapping.AliasUses.of(ex),
                   incident_refs(ex))

    def to_manifest(self) -> dict:
        return {"source": self.source, "sha256": self.sha256, "key": self.key, "alias": self.alias.to_json(),
                "uses": self.uses.to_json(), "incidents": [[r.node, r.place, r.date] for r in self.incidents]}

    @classmethod
    def from_manifest(cls, data: dict, cache: Path) -> "DocEntry":
        return cls(data["source"], data["sha256"], data["key"], str(cache), mapping.AliasInfo.from_json(data["alias"]),
                   mapping.AliasUses.from_json(data["uses"]),
                   tuple(IncidentRef(data["source"], n, pl, d) for n, pl, d in data["incidents"]))


def _cache_file(cache_dir, source: str) -> Path:
    return Path(cache_dir) / f"{ns.file_slug(source)}.json"


def _extract_file(path: str, limits: ingest.Limits, cache_dir: str) -> tuple[str, DocEntry | None, str | None, bool]:
    """Read and extract one file (runs in a worker process) unless its extraction is cached.
    Returns (path, entry, error, reused)."""
    try:
        data = ingest.read_bytes(path, limits)
        key = _cache_key(hashlib.sha256(data).hexdigest())
        cache = _cache_file(cache_dir, Path(path).name)
        if cache.exists():
            try:
                cached = json.loads(cache.read_text())
                if cached.get("key") == key:
                    return path, DocEntry.of(from_json(Extraction, cached["extraction"]), key, cache), None, True
            except Exception:  # noqa: BLE001
                pass   # a damaged cache entry (any damage: 'null' is valid JSON) is simply redone
        src = ingest.read_document(path, limits, data=data)
    except ingest.IngestError as e:
        return path, None, e.reason, False
    try:
        ex = extract(src.source, src.sha256, src.text, src.segments)
    except Exception as e:  # noqa: BLE001 - one document's failure must not sink the batch
        return path, None, f"extraction failed ({type(e).__name__}: {e}); please report this", False
    store.atomic_write_bytes(cache, json.dumps({"key": key, "extraction": to_json(ex)}, ensure_ascii=False).encode())
    return path, DocEntry.of(ex, key, cache), None, False


def map_cached(cache: str, aliases: mapping.Aliases) -> tuple[store.GraphText | None, str | None]:
    """One document's graph text, from its cached extraction (runs in a worker process)."""
    try:
        ex = from_json(Extraction, json.loads(Path(cache).read_text())["extraction"])
        return store.graph_text(ns.graph_iri(ex.source), mapping.map_extraction(ex, aliases)), None
    except Exception as e:  # noqa: BLE001 - reported as that document's failure
        return None, f"mapping failed ({type(e).__name__}: {e}); please report this"


_WORKER_ALIASES: mapping.Aliases | None = None


def _die_with(parent: int) -> None:
    """Have the kernel kill this worker process when ``parent`` (the build) dies: a killed build must not
    leave workers running, holding its lock and its pipes (Linux; elsewhere the pool's own shutdown)."""
    try:
        import ctypes
        import signal
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)      # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:       # the build died before the signal was asked for
        os._exit(1)


def _init_map_worker(aliases: mapping.Aliases, parent: int) -> None:
    global _WORKER_ALIASES
    _die_with(parent)
    _WORKER_ALIASES = aliases


def _map_in_worker(caches: list[str]) -> list:
    return [map_cached(c, _WORKER_ALIASES) for c in caches]


def _windowed_map(pool: ProcessPoolExecutor, items: list[str], jobs: int, chunk: int = 8):
    """``_map_in_worker`` over ``items`` in chunks, results in order, at most 4 chunks per worker in
    flight (Executor.map would submit them all, and graphs mapped faster than the store loads them
    would pile up in this process: gigabytes at 100,000 documents)."""
    from kg.executors import in_order
    chunks = (items[i:i + chunk] for i in range(0, len(items), chunk))
    return in_order(lambda c: pool.submit(_map_in_worker, c), chunks, 4 * jobs)


def usable_cpus() -> int:
    """The CPUs this process may run on: its affinity mask (a container's or taskset's limit), else all."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:        # no affinity masks (macOS, Windows)
        return os.cpu_count() or 1


@contextlib.contextmanager
def at_most_cpus(n: int):
    """Run the block, and every thread and process it starts, on ``n`` of this process's CPUs (Linux).

    ``--jobs N`` is a promise about the share of the machine a build takes. N worker processes alone
    would not keep it: the store loads on a thread beside them (pyoxigraph's bulk loader releases the
    GIL), so --jobs 1 took 1.4 CPUs. The block's thread is pinned; threads and processes started in it
    inherit the mask, and the old mask is put back after. The CPUs are taken from a place that depends
    on the process id, so that two --jobs 1 builds side by side do not, as a rule, share one CPU."""
    if not hasattr(os, "sched_setaffinity") or n >= usable_cpus():
        yield
        return
    allowed = sorted(os.sched_getaffinity(0))
    start = os.getpid() % len(allowed)
    os.sched_setaffinity(0, [allowed[(start + i) % len(allowed)] for i in range(n)])
    try:
        yield
    finally:
        os.sched_setaffinity(0, allowed)


def build(paths=None, out: str | Path = "output", jobs: int | None = None, limits: ingest.Limits = ingest.Limits(),
          progress: bool = True, executor: str = "local", scheduler: str | None = None) -> BuildReport:
    """Build the graph of ``paths`` into ``out``.

    Three stages, streamed so that memory does not grow with the corpus beyond a small entry per document:
    extract (each file, unless its extraction is cached), then the corpus-wide aliases and same-event
    links from the entries, then map (each document's graph as N-Quads and a TriG block, loaded into the
    store in batches and appended to kg.trig). A document unchanged since the last build, whose corpus
    context is unchanged too, is not mapped again: its graph is kept from the last build's store and
    its TriG block copied from the last kg.trig.

    executor: "local" (``jobs`` worker processes on this machine, and the build as a whole on at most
    ``jobs`` CPUs; None: every usable CPU) or "dask" (a Dask cluster at ``scheduler``, or a LocalCluster
    when it is None): extraction and mapping run there, and graphs come back as N-Quads per document.
    """
    jobs = usable_cpus() if jobs is None else jobs
    cpus = at_most_cpus(jobs) if executor == "local" else contextlib.nullcontext()
    with cpus:
        return _build(paths, Path(out), jobs, limits, progress, executor, scheduler)


def _build(paths, out: Path, jobs: int, limits: ingest.Limits, progress: bool, executor: str,
           scheduler: str | None) -> BuildReport:
    t0 = time.perf_counter()
    report = BuildReport()
    with store.build_lock(out), _executor(executor, scheduler) as client:
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

        previous = store.current_generation(out)
        old = _read_manifest(previous)
        entries = _extract_all(files, old, limits, cache_dir, jobs, client, report, progress)
        report.documents = len(entries)

        aliases = mapping.Aliases.from_infos(e.alias for e in entries)
        context = {"mapping": _mapping_fingerprint()}
        same_context = previous is not None and all(old.get(k) == v for k, v in context.items())
        old_graphs = old.get("graphs", {}) if same_context else {}
        # A graph is reused when its document is unchanged and the aliases answer its lookups as before:
        # a document that becomes part of a joint symbol re-maps those citing the other part, not all.
        answers = {e.graph: aliases.answers(e.uses) for e in entries}
        kept = {e.graph for e in entries if old_graphs.get(e.graph, {}).get("key") == e.key
                and old_graphs[e.graph].get("alias_answers") == answers[e.graph]}

        reports = [r for e in entries for r in e.incidents]
        corpus_keys = {ns.GRAPH_ONTOLOGY: _background_key(), ns.GRAPH_VOCAB: _background_key(),
                       ns.GRAPH_LINKS: links_key(reports)}
        old_corpus = old.get("corpus_graphs", {}) if same_context else {}
        kept |= {g for g, k in corpus_keys.items() if old_corpus.get(g, {}).get("key") == k}
        # Each corpus graph as its GraphTexts, in order; the links come in chunks, made as they are written.
        new_corpus = {} if {ns.GRAPH_ONTOLOGY, ns.GRAPH_VOCAB} <= kept else \
            {g: [text] for g, text in _background_texts().items()}
        new_corpus[ns.GRAPH_LINKS] = (store.graph_text(ns.GRAPH_LINKS, chunk) for chunk in same_event_chunks(reports))

        gen = store.new_generation(out)
        # Loaded on a thread as graphs come; closed (all loaded) at the end, or stopped if the build fails.
        with store.StagedStore(gen / store.STORE_DIR, previous / store.STORE_DIR if kept else None) as staged:
            if kept:
                staged.remove_graphs((old.get("graphs", {}).keys() | old.get("corpus_graphs", {}).keys()) - kept)
            trig = store.StagedTrig(gen / store.TRIG_FILE, previous / store.TRIG_FILE if kept else None)

            to_map = [e for e in entries if e.graph not in kept]
            report.mapped = len(to_map)
            # A copied store is compacted again once a build rewrites a tenth of its documents: a
            # rebuild of one changed document stays at ~3 % of a full build, and after many changes
            # the store does not pile up uncompacted batches (queries 1.3-2.7 x slower).
            staged.compact = staged.compact or len(to_map) > COMPACT_SHARE * len(entries)
            mapped = _map_all(to_map, aliases, jobs, client, progress)
            graphs, corpus_graphs, triples = {}, {}, 0
            for g in sorted(corpus_keys.keys() | {e.graph for e in entries}):
                if g in kept:
                    was = old_graphs.get(g) or old_corpus[g]
                    record = {**was, "trig": list(trig.copy(g, *was["trig"]))}
                elif g in corpus_keys:
                    quads, digest, block = 0, hashlib.sha256(), None
                    for text in new_corpus[g]:
                        staged.add(text.nquads)
                        digest.update(text.nquads)
                        quads += text.quads
                        block = trig.write(text)      # consecutive blocks of one graph: one range
                    if not quads:
                        continue            # no same-event links: no graph
                    record = {"key": corpus_keys[g], "quads": quads, "digest": digest.hexdigest()[:16],
                              "trig": list(block)}
                else:
                    text, error, entry = next(mapped)
                    if text is None:
                        report.failures.append((entry.source, error))
                        continue
                    staged.add(text.nquads)
                    record = {**entry.to_manifest(), "alias_answers": answers[g], "quads": text.quads,
                              "digest": text.digest, "trig": list(trig.write(text))}
                (corpus_graphs if g in corpus_keys else graphs)[g] = record
                triples += record["quads"]
        trig.close()
        for g, rec in graphs.items():
            if old.get("graphs", {}).get(g, {}).get("digest") != rec["digest"]:
                report.changed_graphs.append(g)
        report.documents = len(graphs)
        report.triples = triples
        report.seconds = round(time.perf_counter() - t0, 2)
        (gen / store.MANIFEST_FILE).write_bytes(json.dumps(
            {"extractor_version": EXTRACTOR_VERSION, **context, "triples": triples, "graphs": graphs,
             "corpus_graphs": corpus_graphs,
             "failures": [{"file": f, "reason": r} for f, r in report.failures]},
            indent=1, sort_keys=True, ensure_ascii=False).encode())
        store.commit_generation(out, gen)
    return report


def _read_manifest(generation: Path | None) -> dict:
    if generation is None:
        return {}
    try:
        return json.loads((generation / store.MANIFEST_FILE).read_text())
    except (OSError, ValueError):
        return {}


@lru_cache(maxsize=1)
def _background_key() -> str:
    """A digest of the ontology and vocabulary files and of the code that writes them."""
    h = hashlib.sha256(_mapping_fingerprint().encode())
    for path in [vocab.ONTOLOGY_DIR / "kg.ttl"] + [vocab.ONTOLOGY_DIR / "vocab" / f for f in vocab.VOCAB_FILES]:
        if path.exists():
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def _background_texts() -> dict[str, store.GraphText]:
    """The ontology and vocabulary graphs, serialized."""
    quads: dict[str, list] = {ns.GRAPH_ONTOLOGY: [], ns.GRAPH_VOCAB: []}
    for q in store.background_quads():
        quads[q.graph_name.value].append(q)
    return {g: store.graph_text(g, qs) for g, qs in quads.items()}


class _executor:
    """The Dask client of a build with --executor dask (one for both stages), else None."""

    def __init__(self, executor: str, scheduler):
        self.executor, self.scheduler, self.session = executor, scheduler, None

    def __enter__(self):
        if self.executor != "dask":
            return None
        from kg.executors import DaskSession
        self.session = DaskSession(self.scheduler)
        return self.session.__enter__()

    def __exit__(self, *exc):
        if self.session is not None:
            self.session.__exit__(*exc)


def _extract_all(files: list[Path], old: dict, limits: ingest.Limits, cache_dir: Path, jobs: int, client,
                 report: BuildReport, progress: bool) -> list[DocEntry]:
    """An entry per readable file. A file whose bytes and extractor are those of the last build is taken
    from its manifest without being parsed; the rest are extracted (or read from the cache) by workers."""
    bar = tqdm(total=len(files), desc="extract", unit="doc", disable=not progress, leave=False)
    entries: list[DocEntry] = []
    old_graphs = old.get("graphs", {})
    todo: list[str] = []
    for f in files:
        was = old_graphs.get(ns.graph_iri(f.name))
        if was is not None:
            try:
                key = _cache_key(hashlib.sha256(ingest.read_bytes(f, limits)).hexdigest())
            except ingest.IngestError:
                key = None          # the worker reports it
            # (a manifest of an older kg has no "uses": its entry is read from the cache instead)
            if key == was.get("key") and was.get("source") == f.name and "uses" in was:
                entries.append(DocEntry.from_manifest(was, _cache_file(cache_dir, f.name)))
                report.reused += 1
                bar.update()
                continue
        todo.append(str(f))

    def collect(result) -> None:
        path, entry, error, reused = result
        bar.update()
        if entry is None:
            report.failures.append((path, error or "unreadable"))
            return
        entries.append(entry)
        if reused:
            report.reused += 1
        else:
            report.extracted += 1

    if client is not None:
        from kg.executors import dask_extract
        for r in dask_extract(todo, limits, str(cache_dir), client):
            collect(r)
    elif hasattr(os, "fork") and todo:
        if any(not _cache_file(cache_dir, Path(f).name).exists() for f in todo):
            from kg.extract import entities
            entities.pipeline()   # loaded once here, shared by every forked reader
        for r in _extract_supervised(todo, limits, str(cache_dir), jobs):
            collect(r)
    else:                         # no fork (Windows): read here, without a time limit
        for f in todo:
            collect(_extract_file(f, limits, str(cache_dir)))
    bar.close()

    # Two files with the same name would share a graph: the later one is refused, not merged.
    by_graph: dict[str, DocEntry] = {}
    for e in sorted(entries, key=lambda e: e.source):
        if e.graph in by_graph:
            report.failures.append((e.source, f"same file name as {by_graph[e.graph].source} in another folder; "
                                              f"graph {e.graph} taken"))
            continue
        by_graph[e.graph] = e
    return sorted(by_graph.values(), key=lambda e: e.graph)


def _map_all(entries: list[DocEntry], aliases: mapping.Aliases, jobs: int, client, progress: bool):
    """Yield (GraphText | None, error, entry) for ``entries``, in their order."""
    bar = tqdm(total=len(entries), desc="map", unit="doc", disable=not progress, leave=False)
    caches = [e.cache for e in entries]
    pool = None
    if client is not None:
        from kg.executors import dask_map
        results = dask_map(caches, aliases, client)
    elif jobs > 1 and len(entries) > 1:
        # The workers are forked from this process, which holds an entry per document: frozen, those
        # objects are left alone by the workers' garbage collector, so their pages stay shared.
        gc.freeze()
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_map_worker,
                                   initargs=(aliases, os.getpid()))
        results = _windowed_map(pool, caches, jobs)
    else:
        results = (map_cached(c, aliases) for c in caches)
    try:
        for entry, (text, error) in zip(entries, results):
            bar.update()
            yield text, error, entry
    finally:
        bar.close()
        if pool is not None:
            pool.shutdown(cancel_futures=True)
            gc.unfreeze()


def _reader(conn, limits: ingest.Limits, cache_dir: str, parent: int) -> None:
    """A reader process: reads and extracts the files it is sent, one at a time, until told to stop."""
    _die_with(parent)
    import faulthandler
    faulthandler.disable()       # a crash is reported by the build, as that file's failure, in one line
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            break
        if path is None:
            break
        try:
            result = _extract_file(path, limits, cache_dir)
        except BaseException as e:  # noqa: BLE001
            result = (path, None, f"failed ({type(e).__name__}: {e})", False)
        conn.send(result)
    os._exit(0)


def _extract_supervised(files: list[str], limits: ingest.Limits, cache_dir: str, jobs: int):
    """Read and extract ``files`` in ``jobs`` long-lived forked reader processes, yielding each result as
    it comes. A reader that runs past limits.max_seconds on one file is killed, and one that crashes
    (pdfium, out of memory) dies alone: that file fails with a message, a new reader takes its place,
    and the batch goes on. Readers are forked after the spaCy pipeline is loaded, so they share it."""
    ctx = multiprocessing.get_context("fork")
    pending = deque(files)
    readers: dict = {}                       # connection -> [process, path or None, deadline]

    def start_reader() -> None:
        here, there = ctx.Pipe(duplex=True)
        proc = ctx.Process(target=_reader, args=(there, limits, cache_dir, os.getpid()), daemon=True)
        proc.start()
        there.close()
        readers[here] = [proc, None, None]

    def retire(conn) -> None:
        proc = readers.pop(conn)[0]
        if proc.is_alive():
            proc.kill()
        proc.join()
        conn.close()

    try:
        for _ in range(min(jobs, len(files))):
            start_reader()
        while True:
            for conn, state in readers.items():
                if state[1] is None and pending:
                    state[1] = pending.popleft()
                    state[2] = time.monotonic() + limits.max_seconds if limits.max_seconds else None
                    conn.send(state[1])
            busy = [c for c, st in readers.items() if st[1] is not None]
            if not busy:
                return
            deadlines = [readers[c][2] for c in busy if readers[c][2] is not None]
            wait = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            ready = multiprocessing.connection.wait(busy, wait)
            for conn in busy:
                proc, path, deadline = readers[conn]
                if conn in ready:
                    try:
                        result = conn.recv()
                    except (EOFError, OSError):
                        proc.join(5)
                        code = proc.exitcode
                        why = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                        result = (path, None, f"the reader crashed ({why}; out of memory?)", False)
                    else:
                        readers[conn][1] = None
                        yield result
                        continue
                elif deadline is not None and time.monotonic() >= deadline:
                    result = (path, None, f"took longer than {limits.max_seconds:g} s to read (raise --max-seconds)", False)
                else:
                    continue
                retire(conn)
                yield result
                if pending:
                    start_reader()
    finally:
        for conn in list(readers):
            with contextlib.suppress(OSError, ValueError):
                conn.send(None)
        for conn, (proc, _path, _deadline) in list(readers.items()):
            proc.join(2)
            retire(conn)
