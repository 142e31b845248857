"""Where per-document work runs: on a Dask cluster (one machine or many).

``kg build --executor dask --scheduler ADDRESS`` runs both per-document stages of a build on a Dask
cluster, in batches of documents:

1. extract: each task reads and extracts its documents with the function the local process pool runs
   (:func:`kg.build._extract_file`: read, cache by content, extract) and returns a small
   :class:`~kg.build.DocEntry` per document (identity and incident reports, not the extraction);
2. map: once every entry is back, the client computes the corpus-wide aliases (every part of a joint
   symbol such as ``A/80/12-S/2025/30`` names one node), scatters them to every worker, and each task
   maps its documents' cached extractions to RDF, returning each document's graph as N-Quads (and its
   TriG block), which the client bulk-loads into the store.

Requirements on the cluster (checked where it can be): every worker runs the same kg code and
vocabularies (the extractor fingerprint is compared before any work is sent), and sees the document
files and the cache folder under the same paths as the client (a shared file system), because tasks
carry paths, not file contents.  See docs/scaling.md.
"""
from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

__all__ = ["DaskSession", "dask_extract", "dask_map", "DaskUnavailable", "ClusterMismatch", "fingerprint"]

_LOCK = threading.Lock()   # threaded workers (processes=False) share one spaCy pipeline per process


class DaskUnavailable(RuntimeError):
    """dask.distributed is not installed."""


class ClusterMismatch(RuntimeError):
    """A worker runs other kg code or vocabularies than the client: its extractions would differ."""


def fingerprint() -> str:
    """What makes results comparable: extractor version, extraction and mapping code, vocabularies."""
    from kg import vocab
    from kg.build import _code_fingerprint, _mapping_fingerprint
    from kg.extract.pipeline import EXTRACTOR_VERSION
    return f"{EXTRACTOR_VERSION}-{_code_fingerprint()}-{_mapping_fingerprint()}-{vocab.load().fingerprint}"


def _extract_batch(paths: list[str], limits, cache_dir: str) -> list[tuple]:
    """One task: the documents of a batch, each as kg.build._extract_file returns it.

    An unexpected error in one document is returned as that document's failure (the tuple's error),
    so one bad file does not cost the whole batch or the build.
    """
    from kg.build import _extract_file
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    out = []
    with _LOCK:
        for p in paths:
            try:
                out.append(_extract_file(p, limits, cache_dir))
            except Exception as e:  # noqa: BLE001  (reported per document)
                out.append((p, None, f"extraction failed on a Dask worker: {type(e).__name__}: {e}", False))
    return out


def _client(scheduler):
    try:
        from distributed import Client, LocalCluster
    except ImportError as e:   # pragma: no cover - depends on the environment
        raise DaskUnavailable("the dask executor needs dask.distributed: pip install 'dask[distributed]'") from e
    if scheduler is None or scheduler in ("", "local"):
        # No address: a cluster of this machine, one single-threaded worker process per core.
        cluster = LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        return Client(cluster), cluster
    if hasattr(scheduler, "scheduler_address"):        # a cluster object (LocalCluster, a job-queue cluster ...)
        return Client(scheduler), None
    if hasattr(scheduler, "submit") and hasattr(scheduler, "map"):   # an existing Client: used, not closed
        return scheduler, "borrowed"
    try:
        return Client(str(scheduler), timeout="30s"), None
    except OSError as e:
        raise ConnectionError(f"cannot reach the Dask scheduler at {scheduler}: {e} "
                              f"(start one with `dask scheduler` and `dask worker ADDRESS`, or omit --scheduler "
                              f"for a cluster on this machine)") from e


class DaskSession:
    """A Dask client for the length of one build, checked to run the client's kg on every worker.
    ``scheduler``: an address (``tcp://host:8786``), a cluster or Client object, or None/"local" for a
    LocalCluster of this machine (closed again at the end)."""

    def __init__(self, scheduler=None):
        self.scheduler = scheduler
        self.client, self.owned = None, None

    def __enter__(self):
        self.client, self.owned = _client(self.scheduler)
        try:
            _check_workers(self.client)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self.client

    def __exit__(self, *exc):
        if self.client is not None and self.owned != "borrowed":
            self.client.close()
            if self.owned is not None:
                self.owned.close()
        self.client = None


def _check_workers(client) -> None:
    local = fingerprint()
    seen = client.run(fingerprint)
    if not seen:
        raise ClusterMismatch("the Dask cluster has no workers")
    wrong = {w: f for w, f in seen.items() if f != local}
    if wrong:
        w, f = next(iter(wrong.items()))
        raise ClusterMismatch(f"{len(wrong)} of {len(seen)} Dask workers run other kg code or vocabularies "
                              f"(worker {w}: {f}; client: {local}); install the same kg on every worker")


def in_order(submit, chunks, window: int) -> Iterator:
    """The results of ``submit(chunk)`` (a future whose result is a list) for each chunk, in order, with
    at most ``window`` futures in flight. Results not taken yet wait in memory (the workers' or this
    process's), so submitting everything at once would hold a large corpus's graphs there. Used with
    a local process pool and with a Dask client; futures still pending when the consumer stops are
    cancelled, so no work is left running."""
    chunks = iter(chunks)
    pending = deque(submit(c) for c in islice(chunks, window))
    try:
        while pending:
            fut = pending.popleft()
            results = fut.result()
            if hasattr(fut, "release"):
                fut.release()      # Dask: the worker may drop the batch's results now
            nxt = next(chunks, None)
            if nxt is not None:
                pending.append(submit(nxt))
            yield from results
    finally:
        for fut in pending:
            fut.cancel()


def _in_order(client, function, items: list, batch: int, name: str, **kwargs) -> Iterator:
    """Run ``function`` over batches of ``items`` on the cluster; yield its per-item results in order,
    with at most 4 batches per worker thread in flight."""
    threads = sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values())
    token = f"{os.getpid()}-{id(items)}"
    numbered = enumerate(items[i:i + batch] for i in range(0, len(items), batch))
    return in_order(lambda n: client.submit(function, n[1], pure=False, key=f"kg-{name}-{n[0]}-{token}", **kwargs),
                    numbered, max(4, 4 * threads))


def dask_extract(paths: list[str], limits, cache_dir: str, scheduler=None, batch: int = 16) -> Iterator[tuple]:
    """Extract ``paths`` on a Dask cluster; yield ``(path, DocEntry | None, error | None, reused)``.

    The tuples are those of :func:`kg.build._extract_file`, yielded in the order of ``paths``.
    ``scheduler``: a Client (used, not closed: a build passes its session's) or what DaskSession takes.
    ``batch``: documents per task; a task costs the scheduler about 2 ms, a document about 10-50 ms to
    extract, so 16 keeps the overhead under a few percent while leaving enough tasks to balance the workers.
    """
    paths = [str(p) for p in paths]
    if not paths:
        return
    with DaskSession(scheduler) as client:
        yield from _in_order(client, _extract_batch, paths, max(1, int(batch)), "extract",
                             limits=limits, cache_dir=str(cache_dir))


def _map_batch(caches: list[str], aliases) -> list[tuple]:
    from kg.build import map_cached
    with _LOCK:
        return [map_cached(c, aliases) for c in caches]


def dask_map(caches: list[str], aliases, scheduler=None, batch: int = 32) -> Iterator[tuple]:
    """Map cached extractions to graph text on a Dask cluster; yield ``(GraphText | None, error)`` in order.

    The aliases go to every worker once (scattered), not with every task."""
    if not caches:
        return
    with DaskSession(scheduler) as client:
        [shared] = client.scatter([aliases], broadcast=True, hash=False)
        yield from _in_order(client, _map_batch, list(caches), max(1, int(batch)), "map", aliases=shared)
