"""The embedded store (Oxigraph on disk) and the files written beside it, all written atomically."""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
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


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


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


def write_store(out: Path, quads: list[Quad]) -> int:
    """Build a fresh store beside the old one and swap it in, so a crash never leaves half a store."""
    final = out / STORE_DIR
    tmp = out / f".{STORE_DIR}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    store = Store(str(tmp))
    store.bulk_extend(quads)
    store.flush()
    count = len(store)
    del store
    if final.exists() and _exchange(tmp, final):
        shutil.rmtree(tmp)          # the old store, swapped out in one step
        return count
    old = out / f".{STORE_DIR}.old-{os.getpid()}"
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    if old.exists():
        shutil.rmtree(old)
    return count


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where that is not
    available, and the caller moves the old one aside first (cleanup_stale puts it back after a crash)."""
    try:
        import ctypes
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def write_trig(out: Path, quads: list[Quad]) -> Path:
    path = out / TRIG_FILE
    data = serialize(sorted_quads(quads), format=RdfFormat.TRIG, prefixes=ns.PREFIXES)
    atomic_write_bytes(path, data)
    return path


def open_store(out: Path | str) -> Store:
    path = Path(out) / STORE_DIR
    if not path.exists():
        # a build killed mid-swap (where no atomic exchange exists): the old store is still whole, aside
        aside = sorted(Path(out).glob(f".{STORE_DIR}.old-*"))
        if aside:
            return Store.read_only(str(aside[-1]))
        raise FileNotFoundError(f"{path}: no built store here; run `kg build` first (or pass --out DIR)")
    return Store.read_only(str(path))


def cleanup_stale(out: Path) -> None:
    """Remove temporaries a killed build left behind (the good output is untouched by them). A build
    killed between moving the old store aside and moving the new one in left no store: the old one,
    whole, is put back first."""
    final = out / STORE_DIR
    if not final.exists():
        aside = sorted(out.glob(f".{STORE_DIR}.old-*"), key=lambda p: p.stat().st_mtime)
        if aside:
            os.replace(aside[-1], final)
    for p in out.glob(f".{STORE_DIR}.*"):
        shutil.rmtree(p, ignore_errors=True)
    for p in out.glob(".*.tmp-*"):
        with contextlib.suppress(OSError):
            p.unlink()
