"""The embedded store (Oxigraph on disk) and the files written beside it, all written atomically."""
from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import queue
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, Store, parse, serialize

from kg import namespaces as ns
from kg.vocab import ONTOLOGY_DIR, VOCAB_FILES

STORE_DIR = "store"
TRIG_FILE = "kg.trig"


class BuildLocked(RuntimeError):
    pass


@contextlib.contextmanager
def build_lock(out: Path):
    """One build at a time per output folder: a second one refuses with a clear message."""
    out.mkdir(parents=True, exist_ok=True)
    fh = open(out / ".lock", "w")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno in (errno.EAGAIN, errno.EACCES):
                raise BuildLocked(f"{out}: another kg build is writing this folder; wait for it to finish") from e
            raise
        yield
    finally:
        fh.close()


@contextlib.contextmanager
def atomic_writer(path: Path):
    """A binary file handle on `.name.tmp-PID` beside path; fsync and rename when the block ends, removed
    if it fails: a crash never leaves half a file, and a file can be streamed rather than built in memory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_writer(path) as fh:
        fh.write(data)


def background_quads() -> list[Quad]:
    """The ontology and the vocabularies, each in its own named graph, so queries can use labels."""
    quads = []
    sources = [(ONTOLOGY_DIR / "kg.ttl", ns.GRAPH_ONTOLOGY)] + [
        (ONTOLOGY_DIR / "vocab" / f, ns.GRAPH_VOCAB) for f in VOCAB_FILES if (ONTOLOGY_DIR / "vocab" / f).exists()]
    for path, graph in sources:
        g = NamedNode(graph)
        skolem: dict[str, NamedNode] = {}

        def stable(term):
            # Blank nodes get fresh labels at every parse; Skolem IRIs numbered in file order keep
            # kg.trig byte-identical from one build to the next.
            if isinstance(term, BlankNode):
                if term.value not in skolem:
                    skolem[term.value] = NamedNode(f"{graph}/.well-known/genid/{path.stem}-{len(skolem)}")
                return skolem[term.value]
            return term

        for t in parse(path.read_bytes(), format=RdfFormat.TURTLE, base_iri=path.as_uri()):
            quads.append(Quad(stable(t.subject), t.predicate, stable(t.object), g))
    return quads


def sorted_quads(quads) -> list[Quad]:
    return sorted(quads, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


# ----------------------------------------------------------------------------------------------------
# Generations. A build writes its store, kg.trig and build.json into a folder of its own,
# OUT/.gen/ID, and makes it current by replacing the symbolic link OUT/current in one rename.
# OUT/store, OUT/kg.trig and OUT/build.json are links through OUT/current, so the three always come
# from one build: a build killed at any moment leaves the previous one whole and current.

GEN_DIR = ".gen"
CURRENT = "current"
MANIFEST_FILE = "build.json"
OUTPUT_NAMES = (STORE_DIR, TRIG_FILE, MANIFEST_FILE)


def current_generation(out: Path) -> Path | None:
    """The folder of the last complete build, or None (no build yet, or one of the old layout)."""
    link = out / CURRENT
    if link.is_symlink() and link.resolve().is_dir():
        return link.resolve()
    return None


def new_generation(out: Path) -> Path:
    gen = out / GEN_DIR / f"{time.time_ns():x}-{os.getpid()}"
    gen.mkdir(parents=True)
    return gen


def commit_generation(out: Path, gen: Path) -> None:
    """Make ``gen`` the current build in one atomic step, then drop the builds before it."""
    for name in OUTPUT_NAMES:
        _fsync_path(gen / name)
    _fsync_path(gen)
    tmp = out / f".{CURRENT}.tmp-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(os.path.relpath(gen, out), tmp)
    os.replace(tmp, out / CURRENT)
    _fsync_path(out)
    _link_outputs(out)
    _drop_old_generations(out)


def _link_outputs(out: Path) -> None:
    """OUT/store -> current/store and so on. An output folder of the layout before generations holds
    real files there: they are replaced once (the new build is already current when this runs)."""
    for name in OUTPUT_NAMES:
        path = out / name
        target = os.path.join(CURRENT, name)
        if path.is_symlink() and os.readlink(path) == target:
            continue
        tmp = out / f".{name}.link-{os.getpid()}"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        os.symlink(target, tmp)
        if path.is_dir() and not path.is_symlink():
            aside = out / f".{name}.old-{os.getpid()}"
            os.replace(path, aside)
            os.replace(tmp, path)
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.replace(tmp, path)


def _drop_old_generations(out: Path) -> None:
    keep = current_generation(out)
    for gen in (out / GEN_DIR).glob("*"):
        if keep is None or gen.resolve() != keep:
            shutil.rmtree(gen, ignore_errors=True)


def _fsync_path(path: Path) -> None:
    if not path.exists():
        return
    if path.is_dir():
        for child in path.iterdir():      # the store's files (RocksDB fsyncs its own, this is cheap)
            if child.is_file():
                _fsync_file(child)
    _fsync_file(path)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class StagedStore:
    """The store a build writes, in its generation folder. Fresh, or (incremental build) a copy of the
    previous build's store (RocksDB checkpoint: hard links, no data copied) whose changed graphs are
    removed and written again. N-Quads are loaded in batches with the bulk loader, on a loader thread:
    pyoxigraph releases the GIL while it loads, so the build goes on taking mapped graphs from its
    workers (which would otherwise stop, their window full) while a batch is loaded."""

    BATCH_BYTES = 16 << 20      # measured: 16 MB batches load 3.5 M quads in 21-22 s, 64 MB ones in 27-29 s

    def __init__(self, path: Path, base: Path | None = None):
        if base is not None:
            Store.read_only(str(base)).backup(str(path))
        # Compact at the end (see close): always for a fresh store; the build may ask it of a copy too.
        self.compact = base is None
        self.store = Store(str(path))
        self._batch: list[bytes] = []
        self._size = 0
        # One batch waiting while one loads: memory stays at two batches, whatever the corpus.
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._loader = threading.Thread(target=self._load_batches, name="kg-store-loader", daemon=True)
        self._loader.start()

    def _load_batches(self) -> None:
        while (data := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self.store.bulk_load(data, format=RdfFormat.N_QUADS)
                except BaseException as e:  # noqa: BLE001 - raised again in the build's thread
                    self._error = e

    def _check(self) -> None:
        if self._error is not None:
            raise self._error

    def remove_graphs(self, graphs) -> None:
        for g in graphs:
            self.store.remove_graph(NamedNode(g))

    def add(self, nquads: bytes) -> None:
        self._check()
        self._batch.append(nquads)
        self._size += len(nquads)
        if self._size >= self.BATCH_BYTES:
            self._flush_batch()

    def _flush_batch(self) -> None:
        if self._batch:
            self._queue.put(b"".join(self._batch))
        self._batch, self._size = [], 0

    def close(self) -> None:
        self._flush_batch()
        self._queue.put(None)
        self._loader.join()
        self._check()
        self.store.flush()
        if self.compact:
            # Each bulk-loaded batch is its own set of RocksDB files; until they are compacted every
            # term a query decodes is looked up in all of them. Measured at 10,000 documents: 15 s
            # here, then the named queries 1.3-2.7 times faster. An incremental build copies the
            # compacted files; when it adds only a few changed graphs it need not pay this again
            # (kg.build.COMPACT_SHARE).
            self.store.optimize()
        del self.store

    def abort(self) -> None:
        """Stop the loader without loading what is left (the build failed; its generation is dropped)."""
        self._batch = []
        with contextlib.suppress(queue.Empty):
            while True:
                self._queue.get_nowait()      # batches not yet loaded: dropped
        self._queue.put(None)
        self._loader.join()

    def __enter__(self) -> "StagedStore":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def trig_header() -> bytes:
    return "".join(f"@prefix {k}: <{v}> .\n" for k, v in sorted(ns.PREFIXES.items())).encode()


@dataclass(frozen=True)
class GraphText:
    """One named graph, serialized: N-Quads for the store, a TriG block for kg.trig."""
    graph: str
    nquads: bytes
    trig: bytes
    quads: int
    digest: str


def graph_text(graph: str, quads) -> GraphText:
    """Serialize one graph's quads, sorted (so the same graph gives the same bytes)."""
    quads = sorted(set(quads), key=str)      # a quad's N-Quads form: subject, predicate, object order
    nquads = serialize(quads, format=RdfFormat.N_QUADS)
    trig = serialize(quads, format=RdfFormat.TRIG, prefixes=ns.PREFIXES)
    # Each block is serialized alone; kg.trig declares the prefixes once at its head.
    lines = trig.split(b"\n")
    skip = 0
    while skip < len(lines) and lines[skip].startswith(b"@prefix "):
        skip += 1
    return GraphText(graph, nquads, b"\n".join(lines[skip:]), len(quads),
                     hashlib.sha256(nquads).hexdigest()[:16])


class StagedTrig:
    """kg.trig written graph block by graph block: new blocks from GraphTexts, unchanged ones copied
    byte for byte from the previous build's kg.trig. Records where each block lies (for the next build)."""

    def __init__(self, path: Path, previous: Path | None = None):
        self.fh = open(path, "wb")
        self.fh.write(trig_header())
        self.previous = open(previous, "rb") if previous is not None else None
        self.blocks: dict[str, tuple[int, int]] = {}

    def write(self, g: GraphText) -> tuple[int, int]:
        return self._record(g.graph, self.fh.tell(), g.trig)

    def copy(self, graph: str, offset: int, length: int) -> tuple[int, int]:
        self.previous.seek(offset)
        data = self.previous.read(length)
        if len(data) != length:
            raise OSError(f"{self.previous.name}: shorter than its manifest says")
        return self._record(graph, self.fh.tell(), data)

    def _record(self, graph: str, offset: int, data: bytes) -> tuple[int, int]:
        """Write a block; one written right after another of the same graph extends its range."""
        self.fh.write(data)
        start, length = self.blocks.get(graph, (offset, 0))
        if start + length != offset:
            start, length = offset, 0
        self.blocks[graph] = (start, length + len(data))
        return self.blocks[graph]

    def close(self) -> None:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        if self.previous is not None:
            self.previous.close()


def write_trig(out: Path, quads: list[Quad]) -> Path:
    """kg.trig of a list of quads, written atomically (tools and tests that build a graph by hand)."""
    path = out / TRIG_FILE
    data = serialize(sorted_quads(quads), format=RdfFormat.TRIG, prefixes=ns.PREFIXES)
    atomic_write_bytes(path, data)
    return path


def open_store(out: Path | str) -> Store:
    out = Path(out)
    gen = current_generation(out)
    path = gen / STORE_DIR if gen is not None else out / STORE_DIR
    if not path.exists():
        raise FileNotFoundError(f"{out / STORE_DIR}: no built store here; run `kg build` first (or pass --out DIR)")
    return Store.read_only(str(path))


def cleanup_stale(out: Path) -> None:
    """Remove what a killed build left behind: its unfinished generation and temporary files (the
    current build is untouched by them), and mend the links to the current build."""
    if current_generation(out) is not None:
        _link_outputs(out)
    if (out / GEN_DIR).exists():
        _drop_old_generations(out)
    for p in out.glob(f".{STORE_DIR}.*"):
        shutil.rmtree(p, ignore_errors=True)
    for p in list(out.glob(".*.tmp-*")) + list(out.glob(".*.link-*")):
        with contextlib.suppress(OSError):
            p.unlink()
