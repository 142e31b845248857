"""The kg benchmark: a cold `kg build` of one corpus, an incremental rebuild, the stages of a build
timed one by one, and the uses of the built graph.

    python benchmarks/run.py [--corpus DIR | --generate N] [--jobs N] [--sample N] [--compare-jobs] [--json]

The corpus is never modified: its documents are linked (hard links, else copies) into the work folder,
and the builds read that copy. Stages, in the order they run (each: wall seconds, throughput in
documents/s, words/s and triples/s where they apply, peak memory of this process and its workers):

  build        kg.build.build of the whole corpus, cold (no cache, no previous build), with --jobs,
               --executor, --scheduler: what `kg build` does, streamed (the figure for large corpora)
  rebuild-1    one sentence appended to one document of the copy, then kg.build.build again into the
               same folder: an incremental build that must extract exactly 1 document
  build-jobs1  the same as build with jobs=1, in a fresh folder with a fresh cache (only with
               --compare-jobs): speedup_jobs = its seconds / build's
  ingest       kg.ingest.read_document on every file of the sample (PDF layout, text normalisation)
  tokenize     the baseline: spacy.blank("en") over the same texts, nothing else
  extract      kg.extract.pipeline.extract on every text (the figure to drive down)
  map          corpus-wide aliases + kg.store.graph_text(graph, kg.mapping.map_extraction(...)) of every
               extraction: the N-Quads and TriG block a build makes of each document
  links        kg.links.same_event_links (corpus-level links between incident reports)
  export       kg.export.export of the build to N-Quads (n/a if kg.export is missing)
  bulk-load    the oxigraph CLI loading that export into a fresh store (n/a without the CLI)
  query:NAME   every named query of queries/ on the build: once as a listing (only its required
               parameters, bound to real values of the build: the most cited document...), then once
               with each optional parameter bound (query:NAME[param=value]); the target (< 1 s on
               100,000 documents) is for the cases about one thing or filtered, listings are reported.
               --queries-of OUT runs only these, on a build made by `kg build --out OUT`
  analytics    kg.analytics.report.analyze of the build, with its charts
  viz          kg.viz.write_viz of every view

Each build runs in a forked process of its own, started before this process has loaded the extraction
pipeline, so that it starts as `kg build` does (its workers load their own pipeline) and leaves nothing
behind for the next stage. A later build is marked invalid if kg/*.py, kg/extract/ or ontologies/
changed since the cold build (others may edit them while a benchmark runs: a new extractor makes every
cached extraction stale). The stages ingest .. links run in this process (and --jobs forked workers)
on all documents, or, when the corpus has more than --sample documents (default 2000), on an evenly
spaced sample of that many: they hold every text and extraction of the sample in memory, which the
build does not; the sample is freed before the later stages.

Words: the words of the whole corpus are those of the ingested texts when the sample is the whole
corpus; else, when every document is plain text (.txt, .md, generated corpora), the whitespace-separated
words of the files (read once while linking the copy); else (a sample of a PDF, Word or HTML corpus)
they are estimated from the sample and the build's words/s is left out, since counting them would mean
reading every document again.

The ratio ``extract_vs_tokenize_ratio`` is the CPU time of extraction over the CPU time of bare
tokenisation, both measured document by document in the same process (the same worker process with
--jobs), on the same texts (the sample), after both pipelines were warmed on the same first documents.
CPU time of the measuring thread (time.thread_time) is used so that other load on the machine does not
move the figure; the wall-clock ratio is reported beside it.

Memory: the peak, during each stage, of this process's resident memory plus the private memory (USS)
of every process under it: pool workers, the forked builds and their ProcessPoolExecutor workers, a
Dask LocalCluster, the oxigraph CLI, the query processes.

--json prints one JSON object (keys include documents, words, seconds (the cold build), docs_per_second,
build_seconds, rebuild_seconds, rebuild_share, speedup_jobs (with --compare-jobs), sample,
extract_vs_tokenize_ratio, peak_rss_mb) instead of the table; the same object is always written to
--save (default benchmarks/results/<corpus>-jobs<N>.json).  --profile adds a cProfile of extraction,
broken down by extractor step and by module.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as _dt
import gc
import hashlib
import importlib
import json
import os
import platform
import pstats
import shutil
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:          # run as a script from anywhere, with or without the editable install
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

try:
    import psutil
except ImportError:                    # pragma: no cover - psutil comes with distributed
    psutil = None

WARM_DOCS = 20          # both pipelines are warmed on this many first documents before timing
TEXT_SUFFIXES = (".txt", ".md")
REBUILD_SENTENCE = "\n\nThe Permanent Mission reiterates its position.\n"


# --------------------------------------------------------------------------- memory

def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_hwm() -> bool:
    """Reset this process's peak RSS (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


class Memory:
    """Peak memory of this process and of every process under it, sampled every 20 ms, per stage.

    This process counts with its RSS (and its VmHWM, reset before each stage, which catches a spike
    between two samples). A process under it (pool workers, a forked build and its ProcessPoolExecutor
    workers, Dask workers, the oxigraph CLI) counts with its private memory (USS): a forked worker shares
    its parent's pages until it writes them, and its RSS, even less its file-backed pages, would count
    the parent's memory once more per worker. USS needs a walk of the page tables (/proc/PID/smaps_rollup:
    several ms for a large process), so it is read every 0.5 s per process; between two reads the cheap
    RSS - shared is corrected by the difference seen at the last read (new memory counts at once)."""

    INTERVAL = 0.02
    USS_EVERY = 0.5

    def __init__(self):
        self.proc = psutil.Process() if psutil else None
        self._lock = threading.Lock()
        self._corr: dict[int, tuple[float, int]] = {}    # pid -> (time of the last USS read, correction)
        self._hwm_ok = False
        self._clear()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="rss-sampler")
        self._thread.start()

    def _clear(self):
        self.peak_total = self.peak_main = self.peak_workers = 0
        self.workers_seen: set[int] = set()

    def sample(self) -> tuple[int, int]:
        """(RSS of this process, private memory of the processes under it), and the peaks updated."""
        with self._lock:
            if self.proc is None:
                import resource
                main, workers = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, 0
            else:
                try:
                    main = self.proc.memory_info().rss
                    children = self.proc.children(recursive=True)
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    return 0, 0
                workers, now, alive = 0, time.monotonic(), set()
                for c in children:
                    try:
                        mi = c.memory_info()
                        cheap = mi.rss - getattr(mi, "shared", 0)
                        last, corr = self._corr.get(c.pid, (None, 0))
                        if last is None or now - last >= self.USS_EVERY:
                            try:
                                corr = max(0, cheap - c.memory_full_info().uss)
                            except psutil.AccessDenied:
                                corr = 0
                            self._corr[c.pid] = (now, corr)
                        workers += max(0, cheap - corr)
                        alive.add(c.pid)
                    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
                        pass
                for pid in self._corr.keys() - alive:
                    del self._corr[pid]
                self.workers_seen |= alive
            self.peak_main = max(self.peak_main, main)
            self.peak_workers = max(self.peak_workers, workers)
            self.peak_total = max(self.peak_total, main + workers)
            return main, workers

    def _run(self):
        while not self._stop.wait(self.INTERVAL):
            self.sample()

    def start_stage(self):
        with self._lock:
            self._hwm_ok = _reset_hwm()
            self._clear()
        self.sample()

    def stage_peaks(self) -> dict:
        """peak_rss_mb (this process and the processes under it, together), main_peak_mb, and, when
        processes ran under this one, workers_peak_mb (their private memory, together) and workers."""
        self.sample()
        main = self.peak_main
        if self._hwm_ok and self.proc is not None:
            main = max(main, (_status_kb("VmHWM") or 0) * 1024)   # a spike the sampler missed
        mb = lambda b: round(b / 2**20, 1)   # noqa: E731
        peaks = {"peak_rss_mb": mb(max(self.peak_total, main)), "main_peak_mb": mb(main)}
        if self.workers_seen:
            peaks["workers_peak_mb"] = mb(self.peak_workers)
            peaks["workers"] = len(self.workers_seen)
        return peaks

    def close(self):
        self._stop.set()


# --------------------------------------------------------------------------- per-process workers

_BLANK = None


def _blank():
    global _BLANK
    if _BLANK is None:
        import spacy
        _BLANK = spacy.blank("en")
        _BLANK.max_length = 100_000_000
    return _BLANK


def _ingest_batch(paths, limits):
    from kg import ingest
    out = []
    c0 = time.thread_time()
    for p in paths:
        try:
            out.append(ingest.read_document(p, limits))
        except ingest.IngestError as e:
            out.append((p, e.reason))
    return out, time.thread_time() - c0


def _tokenize_batch(texts):
    nlp = _blank()
    cpu, wall, tokens = 0.0, 0.0, 0
    for text in texts:
        w0, c0 = time.perf_counter(), time.thread_time()
        doc = nlp(text)
        cpu += time.thread_time() - c0
        wall += time.perf_counter() - w0
        tokens += len(doc)
    return cpu, wall, tokens


def _extract_batch(docs):
    """docs: (source, sha256, text, segments) tuples -> (extractions, cpu, wall, per-doc seconds)."""
    from kg.extract.pipeline import extract
    out, cpu, wall, per_doc = [], 0.0, 0.0, []
    for source, sha, text, segments in docs:
        w0, c0 = time.perf_counter(), time.thread_time()
        try:
            ex = extract(source, sha, text, segments)
            err = None
        except Exception as e:  # noqa: BLE001  (a benchmark reports, it does not stop)
            ex, err = None, f"{type(e).__name__}: {e}"
        dc = time.thread_time() - c0
        cpu += dc
        wall += time.perf_counter() - w0
        per_doc.append((source, dc))
        out.append((source, ex, err))
    return out, cpu, wall, per_doc


def _warm(texts):
    """Build both pipelines and run them on the same texts, so neither is timed cold."""
    from kg.extract import entities
    from kg.extract.pipeline import extract
    entities.pipeline()
    nlp = _blank()
    for i, t in enumerate(texts):
        nlp(t)
        extract(f"warm-{i}", "0" * 64, t, ())


def _chunks(seq, n):
    return [seq[i:i + n] for i in range(0, len(seq), n)]


# --------------------------------------------------------------------------- builds (forked)

def _build_child(conn, paths, out, jobs, executor, scheduler):
    try:
        from kg.build import build
        rep = build(paths, out=out, jobs=jobs, executor=executor, scheduler=scheduler, progress=False)
        conn.send(("ok", rep))
    except BaseException as e:  # noqa: BLE001
        conn.send(("error", f"{type(e).__name__}: {e}", traceback.format_exc()))
    finally:
        conn.close()


def run_build(paths, out: Path, jobs: int, executor: str, scheduler, verbose: bool = False):
    """kg.build.build in a forked process (non-daemonic, so that it may start its own workers);
    returns its BuildReport."""
    ctx = get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_build_child, args=(child, [str(p) for p in paths], str(out), jobs, executor,
                                                   scheduler), daemon=False)
    proc.start()
    child.close()
    try:
        try:
            msg = parent.recv()
        except EOFError:
            proc.join()
            raise RuntimeError(f"the build process died (exit code {proc.exitcode}; out of memory?)") from None
        proc.join()
    finally:
        if proc.is_alive():
            proc.kill()
            proc.join()
        parent.close()
    if msg[0] != "ok":
        if verbose:
            print(msg[2], file=sys.stderr)
        raise RuntimeError(msg[1])
    return msg[1]


def _source_digest() -> dict[str, str]:
    """A digest of each file a build's caches and timing hang on: kg/*.py, kg/extract/ and ontologies/."""
    files = [*(ROOT / "kg").glob("*.py"), *(ROOT / "kg" / "extract").rglob("*"), *(ROOT / "ontologies").rglob("*")]
    out = {}
    for f in sorted(files):
        if f.is_file() and "__pycache__" not in f.parts:
            try:
                out[str(f.relative_to(ROOT))] = hashlib.sha256(f.read_bytes()).hexdigest()
            except OSError:
                pass
    return out


def _changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def _few(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _sources_unchanged(rec: dict, sources: dict) -> bool:
    """False, and the stage marked invalid, if kg changed since the cold build (others edit it while a
    benchmark runs): a new extractor invalidates every cached extraction, and the build is no longer
    the one compared with."""
    changed = _changed(sources, _source_digest())
    if changed:
        rec["status"] = f"invalid: kg changed since the cold build ({_few(changed)}); run again"
    return not changed


# --------------------------------------------------------------------------- the corpus

def _inside(a: Path, b: Path) -> bool:
    """a is b or lies inside b."""
    a, b = a.resolve(), b.resolve()
    return a == b or b in a.parents


def link_corpus(files: list[Path], corpus: Path, dest: Path, count_words: bool) -> int | None:
    """Hard-link (else copy) ``files`` into ``dest``, keeping their paths relative to ``corpus``. Nothing
    is ever written to a linked file: rebuild-1 replaces its document by a new file. With count_words,
    returns the whitespace-separated words of the files if all are plain text, else None."""
    shutil.rmtree(dest, ignore_errors=True)
    words = 0 if count_words else None
    for f in files:
        rel = f.relative_to(corpus) if corpus.is_dir() else Path(f.name)
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(f, target)
        except OSError:
            shutil.copy2(f, target)
        if words is not None:
            if f.suffix.lower() in TEXT_SUFFIXES:
                words += len(f.read_bytes().decode("utf-8", "replace").split())
            else:
                words = None
    return words


def evenly_spaced(items: list, n: int) -> list:
    if len(items) <= n:
        return list(items)
    return [items[i * len(items) // n] for i in range(n)]


def edit_one_document(files: list[Path], built_sources: set[str]) -> tuple[Path, str] | None:
    """Append a sentence to one built document of the work copy (plain text; else a PDF, as a comment
    after its end, which changes its bytes and not its text). The file is replaced, not written to: it
    may be a hard link to the user's corpus. Returns (file, note) or None if no document fits."""
    built = [f for f in files if f.name in built_sources]
    for suffixes, tail, note in ((TEXT_SUFFIXES, REBUILD_SENTENCE.encode(), "one sentence appended"),
                                 ((".pdf",), b"\n%" + REBUILD_SENTENCE.strip().encode() + b"\n",
                                  "a PDF comment appended (bytes changed, text not)")):
        fit = [f for f in built if f.suffix.lower() in suffixes]
        if fit:
            f = fit[len(fit) // 2]
            data = f.read_bytes() + tail
            tmp = f.with_name(f".{f.name}.edit")
            tmp.write_bytes(data)
            os.replace(tmp, f)          # a new inode: the original (or its hard link) is untouched
            return f, note
    return None


# --------------------------------------------------------------------------- the run

class Bench:
    def __init__(self, args):
        self.args = args
        self.stages: list[dict] = []
        self.mem = Memory()

    @contextmanager
    def stage(self, name, **info):
        rec = {"stage": name, "status": "ok", **info}
        gc.collect()
        self.mem.start_stage()
        c0, w0, t0 = time.process_time(), time.perf_counter(), os.times()
        try:
            yield rec
        except ModuleNotFoundError as e:
            rec["status"] = f"n/a ({e.name} missing)"
        except Exception as e:  # noqa: BLE001
            rec["status"] = f"error: {type(e).__name__}: {e}"
            if self.args.verbose:
                traceback.print_exc()
        rec["seconds"] = round(time.perf_counter() - w0, 4)
        rec["cpu_seconds_main"] = round(time.process_time() - c0, 4)
        t1 = os.times()
        children = (t1.children_user - t0.children_user) + (t1.children_system - t0.children_system)
        if children > 0 and "cpu_seconds" not in rec:
            # processes that ended in the stage (a forked build and the workers it waited for)
            rec["cpu_seconds"] = round(rec["cpu_seconds_main"] + children, 4)
        rec.update(self.mem.stage_peaks())
        self._rates(rec)
        self.stages.append(rec)
        if self.args.verbose:
            print(f"  {name}: {rec['seconds']:.2f} s {rec['status']}", file=sys.stderr)

    @staticmethod
    def _rates(rec):
        s = rec["seconds"] or 1e-9
        if rec.get("documents") is not None:
            rec["docs_per_second"] = round(rec["documents"] / s, 2)
        if rec.get("words") is not None:
            rec["words_per_second"] = round(rec["words"] / s)
        if rec.get("triples") is not None:
            rec["triples_per_second"] = round(rec["triples"] / s)

    def skip(self, name, why):
        self.stages.append({"stage": name, "status": f"skipped ({why})", "seconds": 0.0, "peak_rss_mb": None})


def run(args) -> dict:
    from kg import ingest
    bench = Bench(args)
    t_start = time.perf_counter()
    tmp_root = None
    if args.out:
        work = Path(args.out)
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmp_root = Path(tempfile.mkdtemp(prefix="kg-bench-"))
        work = tmp_root
    result: dict = {}
    try:
        # ---------------------------------------------------------------- corpus, and its copy
        generated = None
        if args.generate:
            import generate as gen
            corpus = work / f"generated-{args.generate}-seed{args.seed}"
            if not (corpus / "MANIFEST.json").exists():
                t = time.perf_counter()
                gen.generate(args.generate, corpus, args.seed)
                generated = round(time.perf_counter() - t, 2)
            label = f"generated-{args.generate}"
        else:
            corpus = Path(args.corpus)
            label = corpus.resolve().name
            if _inside(work, corpus):
                raise SystemExit(f"--out {work} lies inside the corpus {corpus}: choose another work folder")
        copy, out = work / "corpus-copy", work / "build"
        for p in (copy, out, work / "build-jobs1"):
            if _inside(corpus, p):
                raise SystemExit(f"the corpus {corpus} lies in {p}, which the benchmark replaces: "
                                 f"choose another --out")
        files = sorted(ingest.find_documents([corpus]))
        if args.limit:
            files = files[:args.limit]
        if not files:
            raise SystemExit(f"{corpus}: no documents found")
        sample_n = max(1, args.sample)
        sampled = len(files) > sample_n
        raw_words = link_corpus(files, corpus, copy, count_words=sampled)
        files = sorted(ingest.find_documents([copy]))
        from kg.build import usable_cpus
        jobs = max(1, args.jobs or usable_cpus())
        limits = ingest.Limits()

        # ---------------------------------------------------------------- builds of the whole corpus
        builds: dict = {}
        sources = _source_digest()          # kg and its vocabularies, as the cold build finds them
        shutil.rmtree(out, ignore_errors=True)
        with bench.stage("build", jobs=jobs, executor=args.executor) as rec:
            rep = run_build([copy], out, jobs, args.executor, args.scheduler, args.verbose)
            builds["build"] = rep
            rec.update(documents=rep.documents, triples=rep.triples, extracted=rep.extracted, reused=rep.reused,
                       failures=len(rep.failures), report_seconds=rep.seconds)
            rec["note"] = f"cold; {rep.extracted} extracted"
            changed = _changed(sources, _source_digest())
            if changed:
                rec["note"] += f"; kg changed during the build ({_few(changed)})"
        if "build" in builds:
            manifest = json.loads((out / "build.json").read_text(encoding="utf-8"))
            edited = edit_one_document(files, {g["source"] for g in manifest["graphs"].values()})
            if edited is None:
                bench.skip("rebuild-1", "no plain-text or PDF document to change")
            else:
                with bench.stage("rebuild-1", jobs=jobs, executor=args.executor) as rec:
                    rec["changed_document"] = edited[0].name
                    rep = run_build([copy], out, jobs, args.executor, args.scheduler, args.verbose)
                    builds["rebuild-1"] = rep
                    rec.update(corpus_documents=rep.documents, extracted=rep.extracted, reused=rep.reused,
                               mapped=rep.mapped, changed_graphs=len(rep.changed_graphs), failures=len(rep.failures),
                               report_seconds=rep.seconds)
                    rec["note"] = f"{edited[1]} to {edited[0].name}; {rep.extracted} extracted, {rep.mapped} mapped"
                    if _sources_unchanged(rec, sources) and rep.extracted != 1:
                        raise RuntimeError(f"the rebuild extracted {rep.extracted} documents, not 1")
                by = {s["stage"]: s for s in bench.stages}
                if by["rebuild-1"]["status"] == "ok" and by["build"]["seconds"]:
                    by["rebuild-1"]["share_of_build"] = round(by["rebuild-1"]["seconds"] / by["build"]["seconds"], 4)
                    by["rebuild-1"]["note"] += f"; {by['rebuild-1']['share_of_build']:.3f} of the build (target < 0.05)"
        else:
            bench.skip("rebuild-1", "the build failed")
        if "build" in builds and args.compare_jobs:
            if jobs == 1:
                bench.skip("build-jobs1", "--jobs is 1")
            else:
                # after rebuild-1, so that the rebuild follows the build at once: the copy is one
                # sentence longer than for the build, which does not move a cold build's time
                other = work / "build-jobs1"
                shutil.rmtree(other, ignore_errors=True)
                with bench.stage("build-jobs1", jobs=1, executor="local") as rec:
                    rep = run_build([copy], other, 1, "local", None, args.verbose)
                    builds["build-jobs1"] = rep
                    rec.update(documents=rep.documents, triples=rep.triples, extracted=rep.extracted,
                               failures=len(rep.failures), report_seconds=rep.seconds)
                    rec["note"] = "cold, jobs=1"
                    _sources_unchanged(rec, sources)
                shutil.rmtree(other, ignore_errors=True)

        # ---------------------------------------------------------------- the sample: ingest .. links
        sample_files = [str(f) for f in evenly_spaced(files, sample_n)]
        m = _measure_sample(bench, args, sample_files, jobs, limits)
        if sampled:
            if raw_words is not None:
                words, words_counted = raw_words, "raw text of every file"
            else:
                words = round(m["words"] * len(files) / max(1, m["documents"]))
                words_counted = "estimated from the sample (words/s of the builds left out)"
        else:
            words, words_counted = m["words"], "ingested texts"
        if not words_counted.startswith("estimated"):
            for s in bench.stages:
                if s["stage"] in ("build", "build-jobs1") and s["status"] == "ok":
                    s["words"] = words
                    Bench._rates(s)

        # ---------------------------------------------------------------- uses of the build
        query_results = {}
        built = "build" in builds
        graph_stages = ("export", "bulk-load", "queries", "analytics", "viz")
        if args.build_only:
            pass
        elif not built:
            for name in graph_stages:
                bench.skip(name, "the build failed")
        else:
            query_results = _use_build(bench, args, work, out, builds["build"])

        result = _summary(bench, args, corpus, label, generated, files, builds, m, sampled, words, words_counted,
                          jobs, t_start, query_results)
    finally:
        bench.mem.close()
        if tmp_root is not None and not args.keep:
            shutil.rmtree(tmp_root, ignore_errors=True)
    return result


def _measure_sample(bench, args, files: list[str], jobs: int, limits) -> dict:
    """ingest, tokenize, extract, map, links on ``files``, in this process and forked workers. Returns
    the figures the summary needs and the query parameters; the texts and extractions are freed."""
    from kg import ingest
    sources, failures, got, parts = [], [], [], []
    with bench.stage("ingest", jobs=jobs) as rec:
        if jobs > 1:
            with ProcessPoolExecutor(jobs, mp_context=get_context("fork")) as pool:
                parts = list(pool.map(_ingest_batch, _chunks(files, 4), [limits] * len(_chunks(files, 4))))
        else:
            parts = [_ingest_batch(files, limits)]
        got = [x for part, _ in parts for x in part]
        rec["cpu_seconds"] = round(sum(c for _, c in parts), 4)
        for x in got:
            (failures if isinstance(x, tuple) else sources).append(x)
        rec["documents"] = len(sources)
        rec["words"] = sum(len(s.text.split()) for s in sources)
        rec["failures"] = len(failures)
    words = sum(len(s.text.split()) for s in sources)
    chars = sum(len(s.text) for s in sources)
    texts = [s.text for s in sources]
    docs = [(s.source, s.sha256, s.text, s.segments) for s in sources]
    n_docs = len(sources)
    del sources, got, parts

    # warm both pipelines (in this process; forked workers inherit the warm state)
    t = time.perf_counter()
    _warm(texts[:WARM_DOCS])
    warm_seconds = round(time.perf_counter() - t, 2)

    extractions = []
    pool = ProcessPoolExecutor(jobs, mp_context=get_context("fork")) if jobs > 1 else None
    batch = max(1, min(16, len(docs) // (jobs * 4) or 1))
    try:
        # ------------------------------------------------------------ tokenize (baseline)
        tok_cpu = tok_wall = 0.0
        with bench.stage("tokenize", jobs=jobs, documents=len(texts), words=words) as rec:
            parts = pool.map(_tokenize_batch, _chunks(texts, batch)) if pool else [_tokenize_batch(texts)]
            tokens = 0
            for c, w, n in parts:
                tok_cpu, tok_wall, tokens = tok_cpu + c, tok_wall + w, tokens + n
            rec["tokens"] = tokens
            rec["cpu_seconds"] = round(tok_cpu, 4)

        # ------------------------------------------------------------ extract
        ex_cpu = ex_wall = 0.0
        per_doc = []
        with bench.stage("extract", jobs=jobs, documents=len(docs), words=words) as rec:
            parts = pool.map(_extract_batch, _chunks(docs, batch)) if pool else [_extract_batch(docs)]
            for part, c, w, pd in parts:
                ex_cpu, ex_wall = ex_cpu + c, ex_wall + w
                per_doc.extend(pd)
                for source, ex, err in part:
                    if ex is not None:
                        extractions.append(ex)
                    else:
                        failures.append((source, err))
            rec["cpu_seconds"] = round(ex_cpu, 4)
    finally:
        if pool:
            pool.shutdown()

    # Small corpora: repeat both passes here, interleaved, and keep the fastest of each, so that
    # the ratio is not a measurement of noise (a 5-document corpus tokenizes in ~40 ms).
    repeats = args.repeat if args.repeat else (5 if words < 200_000 else 1)
    tok_best, ex_best = (tok_cpu, tok_wall), (ex_cpu, ex_wall)
    for _ in range(repeats - 1):
        c, w, _n = _tokenize_batch(texts)
        tok_best = min(tok_best, (c, w))
        _, c, w, _pd = _extract_batch(docs)
        ex_best = min(ex_best, (c, w))

    profile = None
    if args.profile:
        profile = profile_extraction(docs[:args.profile_docs] if args.profile_docs else docs)
    del texts, docs
    gc.collect()

    # ---------------------------------------------------------------- map (+ links)
    from kg import mapping, store as kstore
    from kg import namespaces as ns
    by_graph = {}
    for ex in sorted(extractions, key=lambda e: e.source):
        by_graph.setdefault(ns.graph_iri(ex.source), ex)
    extractions = list(by_graph.values())
    del by_graph
    aliases = None
    with bench.stage("map", documents=len(extractions), words=words) as rec:
        aliases = mapping.Aliases.from_extractions(extractions)
        triples = nbytes = 0
        for ex in extractions:
            text = kstore.graph_text(ns.graph_iri(ex.source), mapping.map_extraction(ex, aliases))
            triples += text.quads
            nbytes += len(text.nquads) + len(text.trig)
        rec["triples"] = triples
        rec["bytes"] = nbytes
        rec["note"] = "per document: N-Quads + TriG block"
    if profile is not None:
        profile["map_top_functions"] = profile_functions(
            lambda: [kstore.graph_text(ns.graph_iri(ex.source), mapping.map_extraction(ex, aliases))
                     for ex in extractions[:args.profile_docs or None]])
    with bench.stage("links", documents=len(extractions)) as rec:
        from kg.links import same_event_links
        if args.skip_links:
            rec["status"] = "skipped (--skip-links)"
        else:
            links = same_event_links(extractions)
            rec["triples"] = len(links)
            rec["incident_reports"] = sum(1 for ex in extractions for i in ex.incidents if i.place)
            del links
    del extractions, aliases
    gc.collect()
    return {"documents": n_docs, "words": words, "characters": chars, "failures": failures, "warm_seconds": warm_seconds,
            "tok_best": tok_best, "ex_best": ex_best, "repeats": repeats, "per_doc": per_doc, "profile": profile}


def _use_build(bench, args, work: Path, out: Path, rep) -> dict:
    """export, bulk-load, the named queries, analytics and viz, on the build in ``out``."""
    n_docs, n_quads = rep.documents, rep.triples
    with bench.stage("export", documents=n_docs, triples=n_quads) as rec:
        export = importlib.import_module("kg.export")
        res = export.export(out, "nquads", file=work / "export.nq")
        rec["triples"] = res.statements
        rec["bytes"] = res.bytes
        rec["format"] = "nquads"

    with bench.stage("bulk-load", documents=n_docs, triples=n_quads) as rec:
        cli = shutil.which("oxigraph", path=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
        nq = work / "export.nq"
        if cli is None or not nq.exists():
            rec["status"] = "n/a (oxigraph CLI or export missing)"
        else:
            import subprocess
            target = work / "bulk-store"
            shutil.rmtree(target, ignore_errors=True)
            subprocess.run([cli, "load", "--location", str(target), "--file", str(nq)], check=True,
                           capture_output=True)
            rec["note"] = "oxigraph load of the N-Quads export (a fresh store, as a server would be loaded)"
            rec["bytes"] = nq.stat().st_size
            shutil.rmtree(target, ignore_errors=True)

    query_results = run_queries(bench, out, args)

    with bench.stage("analytics", documents=n_docs, triples=n_quads) as rec:
        report = importlib.import_module("kg.analytics.report")
        res = report.analyze(out, plots=not args.no_plots)
        rec["files"] = len(res.get("files", []))
    with bench.stage("viz", documents=n_docs, triples=n_quads) as rec:
        viz = importlib.import_module("kg.viz")
        sizes = {}
        for kind in viz.VIEWS:
            path, v = viz.write_viz(kind, out=out)
            sizes[kind] = {"nodes": len(v.nodes), "edges": len(v.edges), "bytes": path.stat().st_size}
        rec["views"] = sizes
    return query_results


def _summary(bench, args, corpus, label, generated, files, builds, m, sampled, words, words_counted, jobs,
             t_start, query_results) -> dict:
    by = {s["stage"]: s for s in bench.stages}
    ok = lambda name: name in by and by[name]["status"] == "ok"   # noqa: E731
    build = builds.get("build")
    build_seconds = by["build"]["seconds"] if ok("build") else None
    documents = build.documents if build is not None else len(files)
    estimated = words_counted.startswith("estimated")
    rebuild_seconds = by["rebuild-1"]["seconds"] if ok("rebuild-1") else None
    tok_best, ex_best = m["tok_best"], m["ex_best"]
    failures = list(build.failures) if build is not None else []
    known = {Path(f).name for f, _ in failures}
    failures += [(f, f"{r} (sample stages)") for f, r in m["failures"] if Path(f).name not in known]
    result = {
        "corpus": label,
        "build_only": bool(args.build_only),
        "corpus_path": str(corpus),
        "generated_seconds": generated,
        "seed": args.seed if args.generate else None,
        "documents": documents,
        "words": words,
        "words_counted": words_counted,
        "triples": build.triples if build is not None else None,
        "sample": m["documents"],
        "sampled": sampled,
        "sample_words": m["words"],
        "sample_characters": m["characters"],
        "failures": [{"file": f, "reason": r} for f, r in failures],
        "jobs": jobs,
        "executor": args.executor,
        "seconds": build_seconds,
        "build_seconds": build_seconds,
        "docs_per_second": round(documents / build_seconds, 2) if build_seconds else None,
        "words_per_second": round(words / build_seconds) if build_seconds and not estimated else None,
        "build_peak_rss_mb": by["build"]["peak_rss_mb"] if ok("build") else None,
        "rebuild_seconds": rebuild_seconds,
        "rebuild_share": by["rebuild-1"].get("share_of_build") if ok("rebuild-1") else None,
        "rebuild_extracted": builds["rebuild-1"].extracted if "rebuild-1" in builds else None,
        "rebuild_mapped": builds["rebuild-1"].mapped if "rebuild-1" in builds else None,
        "extract_vs_tokenize_ratio": round(ex_best[0] / tok_best[0], 3) if tok_best[0] else None,
        "extract_vs_tokenize_ratio_wall": round(ex_best[1] / tok_best[1], 3) if tok_best[1] else None,
        "ratio_repeats": m["repeats"],
        "tokenize_cpu_seconds": round(tok_best[0], 3),
        "extract_cpu_seconds": round(ex_best[0], 3),
        "extract_words_per_cpu_second": round(m["words"] / ex_best[0]) if ex_best[0] else None,
        "tokenize_words_per_cpu_second": round(m["words"] / tok_best[0]) if tok_best[0] else None,
        "slowest_documents": [{"source": s, "cpu_seconds": round(c, 3)}
                              for s, c in sorted(m["per_doc"], key=lambda x: -x[1])[:5]],
        "warmup_seconds": m["warm_seconds"],
        "peak_rss_mb": max(s["peak_rss_mb"] for s in bench.stages if s.get("peak_rss_mb") is not None),
        "total_seconds": round(time.perf_counter() - t_start, 2),
        "stages": bench.stages,
        "queries": query_results,
        "profile": m["profile"],
        "machine": machine(),
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    if ok("build-jobs1") and build_seconds:
        result["build_jobs1_seconds"] = by["build-jobs1"]["seconds"]
        result["speedup_jobs"] = round(by["build-jobs1"]["seconds"] / build_seconds, 3)
    return result


# --------------------------------------------------------------------------- queries

# Which value each parameter takes in a filtered case, by parameter name (else by type): the state that
# writes the most documents for the accuser's side, the state most accused for the accused's.
_ACCUSED_SIDE = {"accused", "against", "perpetrator"}


def query_values(st) -> dict:
    """Real values for the parameters, looked up in the build (not timed): the corpus document cited
    most (else the document cited most), the corpus document that cites most, the state that writes
    most and the one accused most, the place with most incident reports, the person holding most
    posts and their family name, the body named in most documents and its name, the 30 days from the
    median incident date."""
    from kg import namespaces as ns

    def first(q: str):
        rows = list(st.query("PREFIX kg: <%s> PREFIX cito: <http://purl.org/spar/cito/> "
                             "PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> "
                             "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> " % ns.KG + q))
        return rows[0][0] if rows and rows[0][0] is not None else None

    v: dict = {}
    v["doc"] = first("SELECT ?d WHERE { GRAPH ?g { ?x cito:cites ?d } GRAPH ?h { ?d kg:sourceFile ?f } } "
                     "GROUP BY ?d ORDER BY DESC(COUNT(?x)) ?d LIMIT 1") or \
        first("SELECT ?d WHERE { GRAPH ?g { ?x cito:cites ?d } } GROUP BY ?d ORDER BY DESC(COUNT(?x)) ?d LIMIT 1")
    v["citing"] = first("SELECT ?d WHERE { GRAPH ?g { ?d cito:cites ?x ; kg:sourceFile ?f } } "
                        "GROUP BY ?d ORDER BY DESC(COUNT(?x)) ?d LIMIT 1")
    v["author"] = first("SELECT ?s WHERE { GRAPH ?g { ?d kg:authorState ?s } } GROUP BY ?s ORDER BY DESC(COUNT(?d)) ?s LIMIT 1")
    v["accused"] = first("SELECT ?s WHERE { GRAPH ?g { ?i kg:allegedPerpetrator ?s } } GROUP BY ?s "
                         "ORDER BY DESC(COUNT(?i)) ?s LIMIT 1") or v["author"]
    v["place"] = first("SELECT ?p WHERE { GRAPH ?g { ?i sem:hasPlace ?p } } GROUP BY ?p ORDER BY DESC(COUNT(?i)) ?p LIMIT 1")
    v["person"] = first("SELECT ?p WHERE { GRAPH ?g { ?h a kg:PostHolding ; kg:person ?p } } GROUP BY ?p "
                        "ORDER BY DESC(COUNT(?h)) ?p LIMIT 1")
    v["entity"] = first("SELECT ?e WHERE { GRAPH ?g { ?d kg:mentions ?e } "
                        "GRAPH <%s> { ?e a ?t } FILTER(?t != kg:State) } GROUP BY ?e ORDER BY DESC(COUNT(?d)) ?e LIMIT 1"
                        % ns.GRAPH_VOCAB)
    if v["entity"] is not None:
        v["label"] = first("SELECT (MIN(STR(?n)) AS ?l) WHERE { GRAPH <%s> { <%s> skos:prefLabel ?n } }"
                           % (ns.GRAPH_VOCAB, v["entity"].value))
    if v["person"] is not None:
        name = first("SELECT (MIN(STR(?n)) AS ?l) WHERE { GRAPH ?g { <%s> <http://xmlns.com/foaf/0.1/name> ?n } }"
                     % v["person"].value)
        v["person_label"] = name and name.value.split()[-1]      # the family name, as a user would search
    if v["place"] is not None:
        v["document"] = first("SELECT ?d WHERE { GRAPH ?g { ?m kg:refersTo <%s> ; kg:evidence ?e . "
                              "?e kg:inDocument ?d } } ORDER BY ?d LIMIT 1" % v["place"].value)
    dates = [r[0].value for r in st.query("PREFIX kg: <%s> SELECT ?d WHERE { GRAPH ?g { ?i kg:date ?d } "
                                          "FILTER(STRLEN(?d) = 10) }" % ns.KG)]
    if dates:
        import datetime as dt
        day = dt.date.fromisoformat(sorted(dates)[len(dates) // 2])
        v["from"], v["to"] = day.isoformat(), (day + dt.timedelta(days=30)).isoformat()
    return {k: (t.value if hasattr(t, "value") else t) for k, t in v.items() if t is not None}


def query_cases(queries: dict, values: dict) -> list[tuple[str, dict, bool]]:
    """(query name, parameters, filtered) for every named query: once with only its required parameters
    (a listing, unless a required parameter names the one thing it is about), then once with each of
    its optional parameters bound alone, and, for accusations, both. Filtered cases are those the
    target (< 1 s on 100,000 documents) applies to; a listing of the whole graph is analytics."""
    def value(p, name=""):
        if p.name == "node":
            return values.get("place")
        if p.name == "document":                  # evidence of that place in one document that reports it
            return values.get("document")
        if p.type == "symbol":
            return values.get("citing" if name == "citations" else "doc")
        if p.type == "ISO3":
            return values.get("accused" if p.name in _ACCUSED_SIDE else "author")
        if p.type == "IRI":
            return values.get(p.name)             # place, person, entity
        if p.type == "string":
            return values.get("person_label" if name == "persons" else "label")
        if p.type == "date":
            return values.get(p.name)
        return None

    cases = []
    for name, nq in queries.items():
        required = {p.name: value(p, name) for p in nq.params.values() if p.required}
        if None in required.values():
            continue
        about_one = any(p.type in ("symbol", "IRI") for p in nq.params.values() if p.required)
        cases.append((name, required, about_one))
        optional = [p for p in nq.params.values() if p.optional and value(p, name) is not None]
        for p in optional:
            cases.append((name, {**required, p.name: value(p, name)}, True))
        if len(optional) == 2 and name == "accusations":
            cases.append((name, {**required, **{p.name: value(p, name) for p in optional}}, True))
    return cases


def _query_child(conn, out, text, endpoint=None):
    """Run one bound query in a forked process (so a query past its timeout can be stopped for good),
    on the build in ``out`` or at the SPARQL endpoint URL ``endpoint`` (the time then includes the HTTP
    round trip and the parsing of the JSON answer)."""
    try:
        from kg import query
        from kg.store import open_store
        if endpoint:
            remote = query.Endpoint(endpoint, timeout=None)
            t = time.perf_counter()
            res = query.execute_remote(remote, text)
        else:
            st = open_store(out)
            t = time.perf_counter()
            res = query.execute(st, text, None)
        rows = len(res.rows) if res.form == "SELECT" else (len(res.triples) if res.triples else int(bool(res.boolean)))
        conn.send(("ok", time.perf_counter() - t, rows))
    except BaseException as e:  # noqa: BLE001
        conn.send(("error", 0.0, f"{type(e).__name__}: {e}"))
    finally:
        conn.close()


def run_queries(bench, out, args) -> dict:
    """Every case of ``query_cases`` on the build in ``out``, each in its own forked process with a hard
    timeout (kg.query's timeout leaves the query running in a thread, which would slow every later
    stage). Results by case: ``NAME`` for the listing, ``NAME[param=value,...]`` for a filtered one."""
    results = {}
    try:
        query = importlib.import_module("kg.query")
        from kg.store import open_store
    except ModuleNotFoundError as e:
        with bench.stage("queries") as rec:
            rec["status"] = f"n/a ({e.name} missing)"
        return results
    st = open_store(out)
    values = query_values(st)
    ctx = get_context("fork")
    queries = query.load_queries()
    if getattr(args, "only", None):
        queries = {k: v for k, v in queries.items() if k in args.only.split(",")}
    for name, params, filtered in query_cases(queries, values):
        optional = {k: v for k, v in params.items() if not queries[name].params[k].required}
        case = name + ("[" + ",".join(f"{k}={_short(v)}" for k, v in optional.items()) + "]" if optional else "")
        with bench.stage(f"query:{case}") as rec:
            rec["params"] = {k: str(v) for k, v in params.items()}
            rec["filtered"] = filtered
            text = query.prepare(name, store=st, **params)
            parent, child = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_query_child, args=(child, str(out), text, getattr(args, "endpoint", None)),
                               daemon=True)
            proc.start()
            child.close()
            if parent.poll(args.query_timeout):
                status, seconds, rows = parent.recv()
                if status == "ok":
                    rec["rows"] = rows
                    rec["query_seconds"] = round(seconds, 4)
                else:
                    rec["status"] = f"error: {rows}"
            else:
                rec["status"] = f"timeout (> {args.query_timeout:g} s)"
                proc.kill()
            proc.join()
            parent.close()
        last = bench.stages[-1]
        results[case] = {"seconds": last.get("query_seconds", last["seconds"]), "rows": last.get("rows"),
                         "status": last["status"], "filtered": filtered, "params": rec["params"]}
    del st
    return results


def _short(value: str) -> str:
    """A parameter value as a case name shows it: an IRI's last segment."""
    if value.startswith("https://undocs.org/"):
        return value[len("https://undocs.org/"):]
    short = value.rstrip("/").rsplit("/", 1)[-1] if value.startswith("http") else value
    return short if len(short) <= 40 else short[:39] + "…"


# --------------------------------------------------------------------------- profile

def profile_extraction(docs) -> dict:
    """cProfile of extract() over docs: time per extractor step (callees of extract) and per module."""
    from kg.extract import pipeline
    prof = cProfile.Profile()
    prof.enable()
    for source, sha, text, segments in docs:
        pipeline.extract(source, sha, text, segments)
    prof.disable()
    st = pstats.Stats(prof)
    total = 0.0
    steps = {}
    modules = {}
    extract_key = None
    for func, (cc, nc, tt, ct, callers) in st.stats.items():
        filename, _line, name = func
        if filename.endswith(os.path.join("extract", "pipeline.py")) and name == "extract":
            extract_key = func
            total = ct
        modules[_module_of(filename, name)] = modules.get(_module_of(filename, name), 0.0) + tt
    for func, (cc, nc, tt, ct, callers) in st.stats.items():
        if extract_key in callers:
            filename, _line, name = func
            key = f"{_module_of(filename, name)}.{name}" if filename.startswith(("/", ".")) or "kg" in filename else name
            steps[key] = steps.get(key, 0.0) + callers[extract_key][3]
    total = total or sum(modules.values())
    return {
        "documents": len(docs),
        "seconds_profiled": round(total, 3),
        "by_step": {k: {"seconds": round(v, 3), "share": round(v / total, 3)}
                    for k, v in sorted(steps.items(), key=lambda x: -x[1]) if v / total >= 0.002},
        "by_module_self_time": {k: {"seconds": round(v, 3), "share": round(v / total, 3)}
                                for k, v in sorted(modules.items(), key=lambda x: -x[1])[:15]},
    }


def profile_functions(fn, top: int = 12) -> list[dict]:
    """cProfile of fn(): the functions with the most self time."""
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    st = pstats.Stats(prof)
    total = sum(v[2] for v in st.stats.values()) or 1e-9
    rows = sorted(st.stats.items(), key=lambda kv: -kv[1][2])[:top]
    return [{"function": f"{_module_of(f[0], f[2])}:{f[1]}({f[2]})", "calls": v[1], "self_seconds": round(v[2], 3),
             "share": round(v[2] / total, 3), "cumulative_seconds": round(v[3], 3)} for f, v in rows]


def _module_of(filename: str, name: str) -> str:
    f = filename.replace("\\", "/")
    if "/kg/" in f:
        return "kg/" + f.split("/kg/", 1)[1].removesuffix(".py")
    if "/spacy/" in f or f.endswith((".pyx", ".pxd")):
        return "spacy (" + Path(f).name + ")" if f.endswith((".pyx", ".pxd")) else "spacy (Python)"
    if "/pyoxigraph/" in f:
        return "pyoxigraph"
    if filename == "~":
        if "re.Pattern" in name or "_sre" in name:
            return "regex (re, C)"
        return "builtins"
    if "/re/" in f or f.endswith(("re.py", "sre_compile.py", "sre_parse.py")):
        return "regex (re, Python)"
    return "other: " + Path(f).name


# --------------------------------------------------------------------------- output

def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = psutil.virtual_memory().total if psutil else None
    versions = {}
    for mod in ("spacy", "pyoxigraph", "dask", "distributed"):
        try:
            versions[mod] = importlib.import_module(mod).__version__
        except Exception:  # noqa: BLE001
            pass
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {"cpu": cpu, "cores": os.cpu_count(), "load_average_at_end": load, "memory_gb": round(mem / 2**30, 1) if mem else None,
            "python": platform.python_version(), "platform": platform.platform(), **versions}


def _fmt(v, nd=1):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.{nd}f}"
    return f"{v:,}"


def _stage_cells(s: dict) -> tuple[str, str, str]:
    """(seconds, CPU seconds, note) of a stage row."""
    status = s["status"]
    na = status != "ok"
    secs = s.get("query_seconds", s["seconds"])
    cpu = None if s["stage"].startswith("query:") else s.get("cpu_seconds", s.get("cpu_seconds_main"))
    if na:
        note = status
    elif s["stage"].startswith("query:"):
        note = f"{s.get('rows', 0)} rows" + ("" if s.get("filtered", True) else "; listing of the whole graph")
    else:
        note = s.get("note", "")
    if s.get("workers") and status == "ok" and not s["stage"].startswith("query:"):
        n = s["workers"]
        note = (note + "; " if note else "") + (f"{n} process{'es' if n != 1 else ''} under the harness: "
                                                 f"{_fmt(s.get('workers_peak_mb'))} MB private")
    shown = "n/a" if status.startswith(("n/a", "skipped")) else _fmt(secs, 3)
    return shown, _fmt(cpu, 2), note


def _lines_builds(r: dict) -> list[str]:
    """The figures of the whole-corpus builds, in sentences (old saved runs have none)."""
    lines = []
    if "build_seconds" not in r:
        if r.get("seconds") is not None:
            lines.append(f"build (ingest..trig): {r['seconds']:.2f} s, {r['docs_per_second']} docs/s, "
                         f"{_fmt(r.get('words_per_second'))} words/s; peak RSS {_fmt(r['peak_rss_mb'])} MB")
        return lines
    if r["build_seconds"] is not None:
        wps = f", {_fmt(r['words_per_second'])} words/s" if r.get("words_per_second") else ""
        lines.append(f"cold kg build of {r['documents']:,} documents: {r['build_seconds']:.2f} s, "
                     f"{r['docs_per_second']} docs/s{wps}, {_fmt(r['triples'])} triples; "
                     f"peak memory with workers {_fmt(r.get('build_peak_rss_mb'))} MB")
    else:
        lines.append("kg build: failed (see the build stage)")
    if r.get("rebuild_seconds") is not None:
        lines.append(f"rebuild after 1 changed document: {r['rebuild_seconds']:.2f} s = {r['rebuild_share']:.3f} "
                     f"of the build (target < 0.05 at 10,000 documents); {r['rebuild_extracted']} extracted")
    if r.get("speedup_jobs") is not None:
        lines.append(f"build jobs=1: {r['build_jobs1_seconds']:.2f} s; speedup with jobs={r['jobs']}: "
                     f"{r['speedup_jobs']}x")
    return lines


def _sample_text(r: dict) -> str:
    if "sample" not in r:
        return ""
    if r.get("sampled"):
        return f"ingest..links on an evenly spaced sample of {r['sample']:,} of {r['documents']:,} documents"
    return f"ingest..links on all {r['sample']:,} documents"


def table(r: dict) -> str:
    lines = [f"kg benchmark: {r['corpus']}: {r['documents']:,} documents, {_fmt(r['words'])} words"
             f"{' (estimated)' if str(r.get('words_counted', '')).startswith('estimated') else ''}, "
             f"{_fmt(r['triples'])} triples, jobs={r['jobs']}, executor={r['executor']}"]
    if _sample_text(r):
        lines.append(_sample_text(r))
    w = max([28] + [len(s["stage"]) + 2 for s in r["stages"]])
    head = f"{'stage':<{w}}{'seconds':>10}{'CPU s':>9}{'docs/s':>11}{'words/s':>12}{'triples/s':>12}{'peak MB':>10}  note"
    lines += [head, "-" * len(head)]
    for s in r["stages"]:
        secs, cpu, note = _stage_cells(s)
        lines.append(f"{s['stage']:<{w}}{secs:>10}{cpu:>9}{_fmt(s.get('docs_per_second')):>11}"
                     f"{_fmt(s.get('words_per_second')):>12}{_fmt(s.get('triples_per_second')):>12}"
                     f"{_fmt(s.get('peak_rss_mb')):>10}  {note}")
    lines.append("-" * len(head))
    lines += _lines_builds(r)
    lines += _lines_queries(r.get("queries") or {})
    lines.append(f"peak memory over all stages {_fmt(r['peak_rss_mb'])} MB; total {r['total_seconds']} s")
    lines.append(f"extract / tokenize (CPU, same process, same texts): {r['extract_vs_tokenize_ratio']}x "
                 f"(wall {r['extract_vs_tokenize_ratio_wall']}x; tokenize {_fmt(r['tokenize_words_per_cpu_second'])} "
                 f"words/CPU-s, extract {_fmt(r['extract_words_per_cpu_second'])} words/CPU-s; target <= 3x)")
    if r["failures"]:
        lines.append(f"failures: {len(r['failures'])} (first: {r['failures'][0]['file']}: {r['failures'][0]['reason']})")
    p = r.get("profile")
    if p:
        lines.append(f"profile of extract over {p['documents']} documents ({p['seconds_profiled']} s under cProfile):")
        lines.append("  by step (callees of pipeline.extract, cumulative):")
        for k, v in p["by_step"].items():
            lines.append(f"    {k:<48}{v['seconds']:>9.3f} s {100 * v['share']:>5.1f}%")
        lines.append("  by module (self time):")
        for k, v in p["by_module_self_time"].items():
            lines.append(f"    {k:<48}{v['seconds']:>9.3f} s {100 * v['share']:>5.1f}%")
        if p.get("map_top_functions"):
            lines.append("  map (map_extraction + graph_text), functions by self time:")
            for f in p["map_top_functions"][:8]:
                lines.append(f"    {f['function'][-48:]:<48}{f['self_seconds']:>9.3f} s {100 * f['share']:>5.1f}%")
    return "\n".join(lines)


def _lines_queries(results: dict) -> list[str]:
    """The named-query target: the slowest filtered case (< 1 s), and the slowest listing (reported)."""
    lines = []
    for filtered, what in ((True, "named queries with their parameters bound (target < 1 s)"),
                           (False, "listings of the whole graph (analytics: reported)")):
        done = {k: v for k, v in results.items() if v.get("filtered", True) == filtered and v["status"] == "ok"}
        failed = [k for k, v in results.items() if v.get("filtered", True) == filtered and v["status"] != "ok"]
        if done or failed:
            slowest = max(done, key=lambda k: done[k]["seconds"]) if done else None
            over = sum(1 for v in done.values() if v["seconds"] >= 1.0)
            lines.append(f"{what}: {len(done)} cases" + (f", slowest {slowest} {done[slowest]['seconds']:.3f} s"
                                                        if slowest else "")
                         + (f", {over} at 1 s or more" if filtered else "")
                         + (f", {len(failed)} failed or timed out ({', '.join(failed[:3])})" if failed else ""))
    return lines


def queries_only(args) -> dict:
    """--queries-of OUT: only the named-query cases, on a build made before (e.g. by `kg build`)."""
    from kg import store
    out = Path(args.queries_of)
    generation = store.current_generation(out)
    if generation is None:
        raise SystemExit(f"{out}: no build there (run kg build --out {out} first)")
    bench = Bench(args)
    t0 = time.perf_counter()
    try:
        results = run_queries(bench, out, args)
    finally:
        bench.mem.close()
    manifest = json.loads((generation / store.MANIFEST_FILE).read_text())
    return {"corpus": out.name, "queries_of": str(out), "endpoint": args.endpoint, "documents": len(manifest["graphs"]),
            "triples": manifest["triples"], "machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M"),
            "queries": results, "stages": bench.stages, "total_seconds": round(time.perf_counter() - t0, 1)}


def queries_table(r: dict) -> str:
    lines = [f"kg named queries on {r['queries_of']}" + (f" at {r['endpoint']}" if r.get("endpoint") else "")
             + f": {r['documents']:,} documents, {_fmt(r['triples'])} triples"]
    w = max([28] + [len(s["stage"]) + 2 for s in r["stages"]])
    lines.append(f"{'case':<{w}}{'seconds':>10}  note")
    for s in r["stages"]:
        secs, _, note = _stage_cells(s)
        lines.append(f"{s['stage']:<{w}}{secs:>10}  {note}")
    return "\n".join(lines + _lines_queries(r["queries"]))


def markdown(r: dict) -> str:
    """The run as a Markdown block for RESULTS.md (machine, date, figures). Renders old saved runs too."""
    m = r["machine"]
    builds = " ".join(x[0].upper() + x[1:].rstrip(".") + "." for x in _lines_builds(r))
    sample = _sample_text(r)
    lines = [f"#### {r['corpus']}: {r['documents']:,} documents, {_fmt(r['words'])} words, {_fmt(r['triples'])} triples; "
             f"jobs={r['jobs']}, executor={r['executor']}",
             "",
             f"{r['date']}; {m.get('cpu')} ({m.get('cores')} cores, {m.get('memory_gb')} GB), Python {m.get('python')}, "
             f"spaCy {m.get('spacy')}, pyoxigraph {m.get('pyoxigraph')}; load average at the end {m.get('load_average_at_end')}",
             "",
             f"**extract / tokenize = {r['extract_vs_tokenize_ratio']}x** (CPU; wall {r['extract_vs_tokenize_ratio_wall']}x); "
             f"tokenize {_fmt(r['tokenize_words_per_cpu_second'])} words/CPU-s, extract "
             f"{_fmt(r['extract_words_per_cpu_second'])} words/CPU-s{'; ' + sample if sample else ''}. {builds} "
             f"Peak memory over all stages {_fmt(r['peak_rss_mb'])} MB.",
             "",
             "| stage | seconds | CPU s | docs/s | words/s | triples/s | peak MB | note |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for s in r["stages"]:
        secs, cpu, note = _stage_cells(s)
        lines.append(f"| {s['stage']} | {secs} | {cpu} | {_fmt(s.get('docs_per_second'))} | "
                     f"{_fmt(s.get('words_per_second'))} | {_fmt(s.get('triples_per_second'))} | "
                     f"{_fmt(s.get('peak_rss_mb'))} | {note} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    if argv is None and len(sys.argv) > 2 and sys.argv[1] == "--render":
        # python benchmarks/run.py --render results/X.json ...: saved runs as Markdown for RESULTS.md
        for f in sys.argv[2:]:
            r = json.loads(Path(f).read_text(encoding="utf-8"))
            print(f"```\n{queries_table(r)}\n```\n" if "queries_of" in r else markdown(r))
        return 0
    ap = argparse.ArgumentParser(description="Benchmark kg build, an incremental rebuild, and every stage of kg on one corpus.",
                                 epilog="Example: python benchmarks/run.py --generate 1000 --jobs 2 --compare-jobs")
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--corpus", default=str(ROOT / "corpus"),
                     help="folder of documents (default: corpus/); never modified, the builds read a copy")
    src.add_argument("--generate", type=int, metavar="N", help="generate N documents (benchmarks/generate.py) and use them")
    ap.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    ap.add_argument("--jobs", type=int, default=None,
                    help="worker processes, and CPUs, of the builds (as kg build --jobs), and worker processes of "
                         "ingest, tokenize and extract (default: every usable CPU)")
    ap.add_argument("--sample", type=int, default=2000, metavar="N",
                    help="ingest .. links on an evenly spaced sample of N documents when the corpus has more "
                         "(default 2000); the builds always take the whole corpus")
    ap.add_argument("--compare-jobs", action="store_true",
                    help="also build with jobs=1 (fresh folder and cache) and report speedup_jobs")
    ap.add_argument("--executor", choices=("local", "dask"), default="local",
                    help="where the builds extract and map: local processes, or a Dask cluster")
    ap.add_argument("--scheduler", default=None, help="Dask scheduler address (default: a LocalCluster)")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    ap.add_argument("--markdown", action="store_true", help="print the run as Markdown (for RESULTS.md) instead of the table")
    ap.add_argument("--save", default=None, help="write the JSON here (default benchmarks/results/<corpus>-jobs<N>.json; '-' not to)")
    ap.add_argument("--out", default=None, help="work folder, kept (default: a temporary folder, removed)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    ap.add_argument("--limit", type=int, default=0, help="only the first N documents")
    ap.add_argument("--repeat", type=int, default=0,
                    help="passes for the extract/tokenize ratio, fastest kept (default: 5 under 200k words, else 1)")
    ap.add_argument("--profile", action="store_true", help="also profile extraction and mapping with cProfile")
    ap.add_argument("--profile-docs", type=int, default=300, help="documents to profile (default 300; 0: all)")
    ap.add_argument("--skip-links", action="store_true", help="skip the links stage (same_event_links on the sample)")
    ap.add_argument("--build-only", action="store_true",
                    help="stop after the builds and the sample stages (no export, bulk-load, queries, analytics, viz)")
    ap.add_argument("--no-plots", action="store_true", help="analytics without the PNG charts")
    ap.add_argument("--query-timeout", type=float, default=120.0, help="seconds per named query (default 120)")
    ap.add_argument("--queries-of", metavar="OUT", default=None,
                    help="only time the named queries (each parameter bound alone, and each listing) on the "
                         "build in OUT, made before by kg build; nothing is built")
    ap.add_argument("--endpoint", metavar="URL", default=None,
                    help="with --queries-of: run the queries at this SPARQL endpoint, which holds the same build (loaded "
                         "with kg load or a bulk loader; the parameter values still come from OUT)")
    ap.add_argument("--only", metavar="NAMES", default=None, help="with --queries-of: only these named queries (comma-separated)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print stages as they finish, and tracebacks")
    args = ap.parse_args(argv)
    if args.generate is not None and args.generate < 1:
        ap.error("--generate needs N >= 1")
    if args.sample < 1:
        ap.error("--sample needs N >= 1")
    if (args.endpoint or args.only) and not args.queries_of:
        ap.error("--endpoint and --only go with --queries-of OUT")

    if args.queries_of:
        r = queries_only(args)
        if args.save and args.save != "-":
            Path(args.save).write_text(json.dumps(r, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(json.dumps(r, ensure_ascii=False) if args.json else queries_table(r))
        return 0
    r = run(args)
    save = args.save
    if save is None:
        save = str(ROOT / "benchmarks" / "results" / f"{r['corpus']}-jobs{r['jobs']}.json")
    if save != "-":
        Path(save).parent.mkdir(parents=True, exist_ok=True)
        Path(save).write_text(json.dumps(r, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(r, ensure_ascii=False))
    elif args.markdown:
        print(markdown(r))
    else:
        print(table(r))
        if save != "-":
            print(f"JSON written to {save}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
