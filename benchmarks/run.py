"""The kg benchmark: every stage of a build and of its uses, timed on one corpus, in one process.

    python benchmarks/run.py [--corpus DIR | --generate N] [--jobs N] [--json]

Stages, in order (each: wall seconds, throughput in documents/s, words/s and triples/s where they
apply, peak resident memory of this process and its workers during the stage):

  ingest      kg.ingest.read_document on every file (PDF layout analysis, text normalisation)
  tokenize    the baseline: spacy.blank("en") over the same texts, nothing else
  extract     kg.extract.pipeline.extract on every text (the figure to drive down)
  map         corpus-wide aliases + kg.mapping.map_extraction of every extraction, as kg build does
  links       kg.links.same_event_links (corpus-level links between incident reports)
  store       kg.store.write_store: bulk load into a fresh on-disk Oxigraph store
  trig        kg.store.write_trig: the sorted kg.trig dump that kg build writes
  export      kg.export.export to N-Quads (n/a if kg.export is missing)
  query:NAME  every named query of queries/ (required parameters bound to a well-cited document)
  analytics   kg.analytics.report.analyze with its charts (n/a if kg.analytics is missing)
  viz         kg.viz.write_viz of every view (n/a if kg.viz is missing)

The ratio ``extract_vs_tokenize_ratio`` is the CPU time of extraction over the CPU time of bare
tokenisation, both measured document by document in the same process (the same worker process with
--jobs), on the same texts, after both pipelines were warmed on the same first documents.  CPU time
of the measuring thread (time.thread_time) is used so that other load on the machine does not move
the figure; the wall-clock ratio is reported beside it.

--json prints one JSON object (keys include documents, words, seconds, docs_per_second,
extract_vs_tokenize_ratio, peak_rss_mb) instead of the table; the same object is always written to
--save (default benchmarks/results/<corpus>.json).  --profile adds a cProfile of extraction,
broken down by extractor step and by module.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as _dt
import gc
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
    """Peak RSS of this process plus its children, sampled every 20 ms, per stage."""

    def __init__(self):
        self.proc = psutil.Process() if psutil else None
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="rss-sampler")
        self._thread.start()

    def current(self) -> int:
        if self.proc is None:
            import resource
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        try:
            total = self.proc.memory_info().rss
            for c in self.proc.children(recursive=True):
                try:
                    # workers are forked: count only what is not shared with this process
                    mi = c.memory_info()
                    total += mi.rss - getattr(mi, "shared", 0)
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    pass
            return total
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return 0

    def _run(self):
        while not self._stop.wait(0.02):
            cur = self.current()
            if cur > self.peak:
                self.peak = cur

    def start_stage(self):
        self._hwm_ok = _reset_hwm()
        self.peak = self.current()

    def stage_peak_mb(self) -> float:
        peak = max(self.peak, self.current())
        if self._hwm_ok and self.proc is not None:
            # the sampler can miss a short spike of this process: VmHWM cannot
            hwm = (_status_kb("VmHWM") or 0) * 1024
            children = peak - self.proc.memory_info().rss
            peak = max(peak, hwm + max(0, children))
        return round(peak / 2**20, 1)

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


# --------------------------------------------------------------------------- the run

class Bench:
    def __init__(self, args):
        self.args = args
        self.stages: list[dict] = []
        self.mem = Memory()
        self.documents = 0
        self.words = 0
        self.chars = 0

    @contextmanager
    def stage(self, name, **info):
        rec = {"stage": name, "status": "ok", **info}
        gc.collect()
        self.mem.start_stage()
        c0, w0 = time.process_time(), time.perf_counter()
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
        rec["peak_rss_mb"] = self.mem.stage_peak_mb()
        s = rec["seconds"] or 1e-9
        if rec.get("documents") is not None:
            rec["docs_per_second"] = round(rec["documents"] / s, 2)
        if rec.get("words") is not None:
            rec["words_per_second"] = round(rec["words"] / s)
        if rec.get("triples") is not None:
            rec["triples_per_second"] = round(rec["triples"] / s)
        self.stages.append(rec)
        if self.args.verbose:
            print(f"  {name}: {rec['seconds']:.2f} s {rec['status']}", file=sys.stderr)


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
        # ---------------------------------------------------------------- corpus
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
        files = [str(f) for f in ingest.find_documents([corpus])]
        if args.limit:
            files = files[:args.limit]
        if not files:
            raise SystemExit(f"{corpus}: no documents found")
        jobs = max(1, args.jobs)
        limits = ingest.Limits()

        # ---------------------------------------------------------------- ingest
        sources, failures = [], []
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
        bench.documents = len(sources)
        bench.words = sum(len(s.text.split()) for s in sources)
        bench.chars = sum(len(s.text) for s in sources)
        texts = [s.text for s in sources]
        docs = [(s.source, s.sha256, s.text, s.segments) for s in sources]

        # warm both pipelines (in this process; forked workers inherit the warm state)
        t = time.perf_counter()
        _warm(texts[:WARM_DOCS])
        warm_seconds = round(time.perf_counter() - t, 2)

        pool = ProcessPoolExecutor(jobs, mp_context=get_context("fork")) if jobs > 1 else None
        batch = max(1, min(16, len(docs) // (jobs * 4) or 1))
        try:
            # ------------------------------------------------------------ tokenize (baseline)
            tok_cpu = tok_wall = 0.0
            with bench.stage("tokenize", jobs=jobs, documents=len(texts), words=bench.words) as rec:
                parts = pool.map(_tokenize_batch, _chunks(texts, batch)) if pool else [_tokenize_batch(texts)]
                tokens = 0
                for c, w, n in parts:
                    tok_cpu, tok_wall, tokens = tok_cpu + c, tok_wall + w, tokens + n
                rec["tokens"] = tokens
                rec["cpu_seconds"] = round(tok_cpu, 4)

            # ------------------------------------------------------------ extract
            extractions = []
            ex_cpu = ex_wall = 0.0
            per_doc = []
            with bench.stage("extract", jobs=jobs, documents=len(docs), words=bench.words,
                             executor=args.executor) as rec:
                if args.executor == "dask":
                    from kg.executors import dask_extract
                    cache = work / "dask-cache"
                    shutil.rmtree(cache, ignore_errors=True)
                    paths = [s.path for s in sources]
                    for path, ex, err, _reused in dask_extract(paths, limits, str(cache), args.scheduler,
                                                               batch=args.batch):
                        if ex is not None:
                            extractions.append(ex)
                        else:
                            failures.append((path, err))
                    rec["note"] = "dask: ingest + extract on the cluster (ratio measured in a local serial pass)"
                else:
                    parts = pool.map(_extract_batch, _chunks(docs, batch)) if pool else [_extract_batch(docs)]
                    for out, c, w, pd in parts:
                        ex_cpu, ex_wall = ex_cpu + c, ex_wall + w
                        per_doc.extend(pd)
                        for source, ex, err in out:
                            if ex is not None:
                                extractions.append(ex)
                            else:
                                failures.append((source, err))
                    rec["cpu_seconds"] = round(ex_cpu, 4)
        finally:
            if pool:
                pool.shutdown()
        if args.executor == "dask":
            # the ratio still needs extraction measured here, on the same texts
            _, ex_cpu, ex_wall, per_doc = _extract_batch(docs)

        # Small corpora: repeat both passes here, interleaved, and keep the fastest of each, so that
        # the ratio is not a measurement of noise (a 5-document corpus tokenizes in ~40 ms).
        repeats = args.repeat if args.repeat else (5 if bench.words < 200_000 else 1)
        tok_best, ex_best = (tok_cpu, tok_wall), (ex_cpu, ex_wall)
        for _ in range(repeats - 1):
            c, w, _n = _tokenize_batch(texts)
            tok_best = min(tok_best, (c, w))
            _, c, w, _pd = _extract_batch(docs)
            ex_best = min(ex_best, (c, w))
        ratio = round(ex_best[0] / tok_best[0], 3) if tok_best[0] else None
        ratio_wall = round(ex_best[1] / tok_best[1], 3) if tok_best[1] else None

        profile = None
        if args.profile:
            profile = profile_extraction(docs[:args.profile_docs] if args.profile_docs else docs)

        # ---------------------------------------------------------------- map (+ links)
        from kg import mapping, store as kstore
        from kg import namespaces as ns
        quads = []
        by_graph = {}
        for ex in extractions:
            by_graph.setdefault(ns.graph_iri(ex.source), ex)
        extractions = list(by_graph.values())
        with bench.stage("map", documents=len(extractions), words=bench.words) as rec:
            aliases = mapping.Aliases.from_extractions(extractions)
            quads = kstore.background_quads()
            for ex in sorted(extractions, key=lambda e: e.source):
                quads.extend(mapping.map_extraction(ex, aliases))
            rec["triples"] = len(quads)
        if profile is not None:
            profile["map_top_functions"] = profile_functions(
                lambda: [mapping.map_extraction(ex, aliases) for ex in extractions[:args.profile_docs or None]])
        with bench.stage("links", documents=len(extractions)) as rec:
            from kg.links import same_event_links
            if args.skip_links:
                rec["status"] = "skipped (--skip-links)"
            else:
                links = same_event_links(extractions)
                quads.extend(links)
                rec["triples"] = len(links)
                rec["incident_reports"] = sum(1 for ex in extractions for i in ex.incidents if i.place)

        # ---------------------------------------------------------------- store, trig
        out = work / "build"
        out.mkdir(exist_ok=True)
        triples = None
        with bench.stage("store", documents=len(extractions), triples=len(quads)) as rec:
            triples = kstore.write_store(out, quads)
            rec["triples"] = triples
            rec["stored_quads"] = triples
        with bench.stage("trig", documents=len(extractions), triples=len(quads)) as rec:
            path = kstore.write_trig(out, quads)
            rec["bytes"] = path.stat().st_size
        n_quads = len(quads)
        del quads
        gc.collect()

        if args.build_only:
            query_results = {}
            return _summary(bench, args, corpus, label, generated, triples, failures, jobs, ratio, ratio_wall,
                            tok_best, ex_best, repeats, per_doc, warm_seconds, t_start, query_results, profile)

        # ---------------------------------------------------------------- export
        with bench.stage("export", documents=len(extractions), triples=n_quads) as rec:
            export = importlib.import_module("kg.export")
            res = export.export(out, "nquads", file=work / "export.nq")
            rec["triples"] = res.statements
            rec["bytes"] = res.bytes
            rec["format"] = "nquads"

        # ---------------------------------------------------------------- bulk load elsewhere
        with bench.stage("bulk-load", documents=len(extractions), triples=n_quads) as rec:
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

        # ---------------------------------------------------------------- queries
        query_results = run_queries(bench, out, extractions, args)

        # ---------------------------------------------------------------- analytics, viz
        with bench.stage("analytics", documents=len(extractions), triples=n_quads) as rec:
            report = importlib.import_module("kg.analytics.report")
            rep = report.analyze(out, plots=not args.no_plots)
            rec["files"] = len(rep.get("files", []))
        with bench.stage("viz", documents=len(extractions), triples=n_quads) as rec:
            viz = importlib.import_module("kg.viz")
            sizes = {}
            for kind in viz.VIEWS:
                path, v = viz.write_viz(kind, out=out)
                sizes[kind] = {"nodes": len(v.nodes), "edges": len(v.edges), "bytes": path.stat().st_size}
            rec["views"] = sizes

        result = _summary(bench, args, corpus, label, generated, triples, failures, jobs, ratio, ratio_wall,
                          tok_best, ex_best, repeats, per_doc, warm_seconds, t_start, query_results, profile)
    finally:
        bench.mem.close()
        if tmp_root is not None and not args.keep:
            shutil.rmtree(tmp_root, ignore_errors=True)
    return result


def _summary(bench, args, corpus, label, generated, triples, failures, jobs, ratio, ratio_wall,
             tok_best, ex_best, repeats, per_doc, warm_seconds, t_start, query_results, profile) -> dict:
    by = {s["stage"]: s for s in bench.stages}
    build_stages = ("ingest", "extract", "map", "links", "store", "trig")
    build_seconds = round(sum(by[s]["seconds"] for s in build_stages if s in by), 3)
    result = {
        "corpus": label,
        "build_only": bool(args.build_only),
        "corpus_path": str(corpus),
        "generated_seconds": generated,
        "seed": args.seed if args.generate else None,
        "documents": bench.documents,
        "words": bench.words,
        "characters": bench.chars,
        "triples": triples,
        "failures": [{"file": f, "reason": r} for f, r in failures],
        "jobs": jobs,
        "executor": args.executor,
        "seconds": build_seconds,
        "docs_per_second": round(bench.documents / build_seconds, 2) if build_seconds else None,
        "words_per_second": round(bench.words / build_seconds) if build_seconds else None,
        "extract_vs_tokenize_ratio": ratio,
        "extract_vs_tokenize_ratio_wall": ratio_wall,
        "ratio_repeats": repeats,
        "tokenize_cpu_seconds": round(tok_best[0], 3),
        "extract_cpu_seconds": round(ex_best[0], 3),
        "extract_words_per_cpu_second": round(bench.words / ex_best[0]) if ex_best[0] else None,
        "tokenize_words_per_cpu_second": round(bench.words / tok_best[0]) if tok_best[0] else None,
        "slowest_documents": [{"source": s, "cpu_seconds": round(c, 3)}
                              for s, c in sorted(per_doc, key=lambda x: -x[1])[:5]],
        "warmup_seconds": warm_seconds,
        "peak_rss_mb": max(s["peak_rss_mb"] for s in bench.stages),
        "total_seconds": round(time.perf_counter() - t_start, 2),
        "stages": bench.stages,
        "queries": query_results,
        "profile": profile,
        "machine": machine(),
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    return result


# --------------------------------------------------------------------------- queries

def _query_params(extractions) -> dict:
    """Values for required parameters: the corpus document cited most, its author, small integers."""
    from collections import Counter
    from kg import mapping
    aliases = mapping.Aliases.from_extractions(extractions)
    own = {}
    for ex in extractions:
        if ex.metadata.symbols:
            own[aliases.resolve(ex.metadata.symbols[0])] = ex
    cited = Counter(aliases.resolve(c.key) for ex in extractions for c in ex.citations
                    if c.target == "document" and aliases.resolve(c.key) in own)
    if cited:
        sym = cited.most_common(1)[0][0]
        doc = own[sym]
    else:
        doc = extractions[0]
        sym = doc.metadata.symbols[0] if doc.metadata.symbols else doc.source
    authors = Counter(a for ex in extractions for a in ex.metadata.author_states)
    return {
        "symbol": sym,
        "IRI": mapping.document_iri(doc, aliases),
        "ISO3": authors.most_common(1)[0][0] if authors else "AZE",
        "integer": 3,
        "string": "a",
        "date": "2025-01-01",
    }


def _query_child(conn, out, text):
    """Run one bound query in a forked process (so a query past its timeout can be stopped for good)."""
    try:
        from kg import query
        from kg.store import open_store
        st = open_store(out)
        t = time.perf_counter()
        res = query.execute(st, text, None)
        rows = len(res.rows) if res.form == "SELECT" else (len(res.triples) if res.triples else int(bool(res.boolean)))
        conn.send(("ok", time.perf_counter() - t, rows))
    except BaseException as e:  # noqa: BLE001
        conn.send(("error", 0.0, f"{type(e).__name__}: {e}"))
    finally:
        conn.close()


def run_queries(bench, out, extractions, args) -> dict:
    """Every named query, each in its own forked process with a hard timeout (kg.query's timeout leaves
    the query running in a thread, which would slow every later stage)."""
    results = {}
    try:
        query = importlib.import_module("kg.query")
        from kg.store import open_store
    except ModuleNotFoundError as e:
        with bench.stage("queries") as rec:
            rec["status"] = f"n/a ({e.name} missing)"
        return results
    values = _query_params(extractions) if extractions else {}
    st = open_store(out)
    ctx = get_context("fork")
    for name, nq in query.load_queries().items():
        params = {}
        for p in nq.params.values():
            if p.required:
                params[p.name] = 10 if (p.type == "integer" and p.name == "limit") else values.get(p.type)
        with bench.stage(f"query:{name}") as rec:
            rec["params"] = {k: str(v) for k, v in params.items()}
            text = query.prepare(name, store=st, **params)
            parent, child = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_query_child, args=(child, str(out), text), daemon=True)
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
        results[name] = {"seconds": last.get("query_seconds", last["seconds"]), "rows": last.get("rows"),
                         "status": last["status"]}
    del st
    return results


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


def table(r: dict) -> str:
    lines = [f"kg benchmark: {r['corpus']}: {r['documents']:,} documents, {r['words']:,} words, "
             f"{_fmt(r['triples'])} triples, jobs={r['jobs']}, executor={r['executor']}"]
    head = f"{'stage':<28}{'seconds':>10}{'CPU s':>9}{'docs/s':>11}{'words/s':>12}{'triples/s':>12}{'peak MB':>10}  note"
    lines += [head, "-" * len(head)]
    for s in r["stages"]:
        na = s["status"] != "ok"
        note = s["status"] if na else s.get("note", "")
        if s["stage"].startswith("query:") and not na:
            note = f"{s.get('rows', 0)} rows"
        secs = s.get("query_seconds", s["seconds"])
        cpu = None if s["stage"].startswith("query:") else s.get("cpu_seconds", s["cpu_seconds_main"])
        lines.append(f"{s['stage']:<28}{'n/a' if na and s['status'].startswith('n/a') else _fmt(secs, 3):>10}"
                     f"{_fmt(cpu, 2):>9}{_fmt(s.get('docs_per_second')):>11}{_fmt(s.get('words_per_second')):>12}"
                     f"{_fmt(s.get('triples_per_second')):>12}{_fmt(s['peak_rss_mb']):>10}  {note}")
    lines.append("-" * len(head))
    lines.append(f"build (ingest..trig): {r['seconds']:.2f} s, {r['docs_per_second']} docs/s, "
                 f"{r['words_per_second']:,} words/s; peak RSS {r['peak_rss_mb']:,} MB; total {r['total_seconds']} s")
    lines.append(f"extract / tokenize (CPU, same process, same texts): {r['extract_vs_tokenize_ratio']}x "
                 f"(wall {r['extract_vs_tokenize_ratio_wall']}x; tokenize {r['tokenize_words_per_cpu_second']:,} "
                 f"words/CPU-s, extract {r['extract_words_per_cpu_second']:,} words/CPU-s; target <= 3x)")
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
            lines.append("  map_extraction, functions by self time:")
            for f in p["map_top_functions"][:8]:
                lines.append(f"    {f['function'][-48:]:<48}{f['self_seconds']:>9.3f} s {100 * f['share']:>5.1f}%")
    return "\n".join(lines)


def markdown(r: dict) -> str:
    """The run as a Markdown block for RESULTS.md (machine, date, figures)."""
    m = r["machine"]
    lines = [f"#### {r['corpus']}: {r['documents']:,} documents, {r['words']:,} words, {_fmt(r['triples'])} triples; "
             f"jobs={r['jobs']}, executor={r['executor']}",
             "",
             f"{r['date']}; {m.get('cpu')} ({m.get('cores')} cores, {m.get('memory_gb')} GB), Python {m.get('python')}, "
             f"spaCy {m.get('spacy')}, pyoxigraph {m.get('pyoxigraph')}; load average at the end {m.get('load_average_at_end')}",
             "",
             f"**extract / tokenize = {r['extract_vs_tokenize_ratio']}x** (CPU; wall {r['extract_vs_tokenize_ratio_wall']}x); "
             f"tokenize {_fmt(r['tokenize_words_per_cpu_second'])} words/CPU-s, extract "
             f"{_fmt(r['extract_words_per_cpu_second'])} words/CPU-s. Build (ingest..trig) {r['seconds']} s, "
             f"{r['docs_per_second']} docs/s; peak RSS {_fmt(r['peak_rss_mb'])} MB.",
             "",
             "| stage | seconds | CPU s | docs/s | words/s | triples/s | peak MB | note |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for s in r["stages"]:
        na = s["status"] != "ok"
        secs = s.get("query_seconds", s["seconds"])
        cpu = None if s["stage"].startswith("query:") else s.get("cpu_seconds", s["cpu_seconds_main"])
        note = s["status"] if na else (f"{s.get('rows', 0)} rows" if s["stage"].startswith("query:") else s.get("note", ""))
        lines.append(f"| {s['stage']} | {'n/a' if s['status'].startswith('n/a') else _fmt(secs, 2)} | {_fmt(cpu, 2)} | "
                     f"{_fmt(s.get('docs_per_second'))} | {_fmt(s.get('words_per_second'))} | "
                     f"{_fmt(s.get('triples_per_second'))} | {_fmt(s['peak_rss_mb'])} | {note} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    if argv is None and len(sys.argv) > 2 and sys.argv[1] == "--render":
        # python benchmarks/run.py --render results/X.json ...: saved runs as Markdown for RESULTS.md
        for f in sys.argv[2:]:
            print(markdown(json.loads(Path(f).read_text(encoding="utf-8"))))
        return 0
    ap = argparse.ArgumentParser(description="Benchmark every kg stage on one corpus.",
                                 epilog="Example: python benchmarks/run.py --generate 1000 --jobs 2")
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--corpus", default=str(ROOT / "corpus"), help="folder of documents (default: corpus/)")
    src.add_argument("--generate", type=int, metavar="N", help="generate N documents (benchmarks/generate.py) and use them")
    ap.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes for ingest, tokenize and extract (default 1)")
    ap.add_argument("--executor", choices=("local", "dask"), default="local",
                    help="where extraction runs: local processes, or a Dask cluster (kg.executors.dask_extract)")
    ap.add_argument("--scheduler", default=None, help="Dask scheduler address (default: a LocalCluster here)")
    ap.add_argument("--batch", type=int, default=16, help="documents per Dask task (default 16)")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    ap.add_argument("--markdown", action="store_true", help="print the run as Markdown (for RESULTS.md) instead of the table")
    ap.add_argument("--save", default=None, help="write the JSON here (default benchmarks/results/<corpus>.json; '-' not to)")
    ap.add_argument("--out", default=None, help="work folder, kept (default: a temporary folder, removed)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    ap.add_argument("--limit", type=int, default=0, help="only the first N documents")
    ap.add_argument("--repeat", type=int, default=0,
                    help="passes for the extract/tokenize ratio, fastest kept (default: 5 under 200k words, else 1)")
    ap.add_argument("--profile", action="store_true", help="also profile extraction with cProfile")
    ap.add_argument("--profile-docs", type=int, default=300, help="documents to profile (default 300; 0: all)")
    ap.add_argument("--skip-links", action="store_true", help="skip same_event_links (quadratic in incident reports)")
    ap.add_argument("--build-only", action="store_true", help="stop after the build stages (ingest .. trig)")
    ap.add_argument("--no-plots", action="store_true", help="analytics without the PNG charts")
    ap.add_argument("--query-timeout", type=float, default=120.0, help="seconds per named query (default 120)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print stages as they finish, and tracebacks")
    args = ap.parse_args(argv)
    if args.generate is not None and args.generate < 1:
        ap.error("--generate needs N >= 1")

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
