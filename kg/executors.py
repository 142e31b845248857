"""Where per-document extraction runs: on a Dask cluster (one machine or many).

``kg build --executor dask --scheduler ADDRESS`` sends the documents to a Dask cluster in batches; each
task reads and extracts its documents with the same function the local process pool runs
(:func:`kg.build._extract_file`: read, cache by content, extract) and returns the
:class:`~kg.models.Extraction` objects.  The build then maps and loads them in bulk on the client.

Results come back as extractions, not as per-document RDF: a document's quads depend on the corpus-wide
identity of documents (every part of a joint symbol such as ``A/80/12-S/2025/30`` names one node, and
a citation of either part must land on it), which is known only once every extraction is back.  Mapping
a document is cheap next to extracting it (see benchmarks/RESULTS.md), so it stays on the client.

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
from pathlib import Path

__all__ = ["dask_extract", "DaskUnavailable", "ClusterMismatch", "fingerprint"]

_LOCK = threading.Lock()   # threaded workers (processes=False) share one spaCy pipeline per process


class DaskUnavailable(RuntimeError):
    """dask.distributed is not installed."""


class ClusterMismatch(RuntimeError):
    """A worker runs other kg code or vocabularies than the client: its extractions would differ."""


def fingerprint() -> str:
    """What makes extractions comparable: extractor version, code digest and vocabulary digest."""
    from kg import vocab
    from kg.build import _code_fingerprint
    from kg.extract.pipeline import EXTRACTOR_VERSION
    return f"{EXTRACTOR_VERSION}-{_code_fingerprint()}-{vocab.load().fingerprint}"


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


def dask_extract(paths: list[str], limits, cache_dir: str, scheduler: str | None = None,
                 batch: int = 16) -> Iterator[tuple]:
    """Extract ``paths`` on a Dask cluster; yield ``(path, Extraction | None, error | None, reused)``.

    The tuples are those of :func:`kg.build._extract_file`, yielded in the order of ``paths``.
    ``scheduler``: a scheduler address (``tcp://host:8786``), a cluster or Client object, or
    None/"local" for a LocalCluster of this machine (closed again at the end).  ``batch``: documents
    per task; a task costs the scheduler about 2 ms, a document about 10-50 ms to extract, so 16 keeps
    the overhead under a few percent while leaving enough tasks to balance the workers.
    """
    paths = [str(p) for p in paths]
    if not paths:
        return
    batch = max(1, int(batch))
    client, owned = _client(scheduler)
    try:
        local = fingerprint()
        seen = client.run(fingerprint)
        if not seen:
            raise ClusterMismatch("the Dask cluster has no workers")
        wrong = {w: f for w, f in seen.items() if f != local}
        if wrong:
            w, f = next(iter(wrong.items()))
            raise ClusterMismatch(f"{len(wrong)} of {len(seen)} Dask workers run other kg code or vocabularies "
                                  f"(worker {w}: {f}; client: {local}); install the same kg on every worker")
        chunks = [paths[i:i + batch] for i in range(0, len(paths), batch)]
        futures = client.map(_extract_batch, chunks, limits=limits, cache_dir=str(cache_dir), pure=False,
                             key=[f"kg-extract-{i}-{os.getpid()}-{id(chunks)}" for i in range(len(chunks))])
        pending = deque(futures)
        del futures
        try:
            while pending:
                fut = pending.popleft()
                results = fut.result()
                fut.release()      # the worker may drop the batch's extractions now
                yield from results
        finally:
            if pending:            # the consumer stopped early (or failed): do not leave work running
                client.cancel(list(pending))
    finally:
        if owned != "borrowed":
            client.close()
            if owned is not None:
                owned.close()
