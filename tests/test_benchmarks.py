"""The benchmark harness: the generator writes documents kg reads as intended, and run.py reports sane figures."""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter


from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402

CITO = "http://purl.org/spar/cito/"


def test_generator_is_deterministic(tmp_path):
    a = generate.generate(12, tmp_path / "a", seed=3)
    b = generate.generate(12, tmp_path / "b", seed=3)
    c = generate.generate(12, tmp_path / "c", seed=4)
    files = sorted(p.name for p in (tmp_path / "a").glob("*.txt"))
    assert len(files) == 12
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    assert a == b and a != c


def test_generated_text_follows_corpus_conventions(tmp_path):
    m = generate.generate(30, tmp_path, seed=1)
    doc = next(d for d in m["documents"] if len(d["symbols"]) == 2 and d["cites"])
    text = (tmp_path / doc["file"]).read_text(encoding="utf-8")
    assert f"United Nations {doc['symbols'][0]}-{doc['symbols'][1]}" in text
    assert "Distr.: General" in text and "Original: English" in text
    assert "to the United Nations addressed to the Secretary-General" in text
    assert "(Signed) " in text
    every = "".join((tmp_path / d["file"]).read_text(encoding="utf-8") for d in m["documents"])
    assert "¹ " in every                                  # footnote texts open with a superscript number
    assert "including" in every and "children" in every   # incidents with figures
    assert "resolution" in every


def test_citation_in_degree_is_heavy_tailed():
    docs, _ = generate.plan(3000, seed=0)
    indeg = Counter(j for d in docs for j in d.cites)
    mean = sum(indeg.values()) / len(docs)
    assert 1.5 < mean < 5
    assert max(indeg.values()) > 12 * mean                # a power law has hubs; a uniform choice would not
    assert all(j < d.index for d in docs for j in d.cites)   # documents cite earlier documents


def test_generated_corpus_builds_and_citations_resolve(tmp_path):
    from pyoxigraph import NamedNode

    from kg.build import build
    from kg.store import open_store
    m = generate.generate(40, tmp_path / "corpus", seed=2)
    report = build([tmp_path / "corpus"], out=tmp_path / "out", progress=False)
    assert report.ok, report.failures
    assert report.documents == 40
    by_file = {d["file"]: d for d in m["documents"]}
    st = open_store(tmp_path / "out")
    # a citation of one part of a joint symbol lands on the cited generated document (named by its first part)
    checked = 0
    for d in m["documents"]:
        for sym in d["cited_symbols"]:
            target = next(by_file[f] for f in d["cites"] if sym in by_file[f]["symbols"] or
                          sym == "-".join(by_file[f]["symbols"]))
            citing = NamedNode("https://undocs.org/" + d["symbols"][0])
            cited = NamedNode("https://undocs.org/" + target["symbols"][0])
            assert list(st.quads_for_pattern(citing, None, cited)), (d["file"], sym, target["file"])
            # and the cited node is a document of the corpus: it has its own source file
            src = list(st.quads_for_pattern(cited, NamedNode("https://w3id.org/kg-un/ontology#sourceFile"), None))
            assert [q.object.value for q in src] == [target["file"]]
            checked += 1
    assert checked > 20


def test_corpus_copy_sample_and_edit_leave_the_corpus_alone(tmp_path):
    import run as bench_run
    corpus = tmp_path / "corpus"
    generate.generate(6, corpus, seed=5)
    files = sorted(corpus.glob("*.txt"))
    before = {f.name: f.read_bytes() for f in files}
    words = bench_run.link_corpus(files, corpus, tmp_path / "copy", count_words=True)
    assert words == sum(len(b.decode().split()) for b in before.values())
    copied = sorted((tmp_path / "copy").glob("*.txt"))
    assert [f.name for f in copied] == sorted(before)
    assert bench_run.evenly_spaced(list(range(10)), 4) == [0, 2, 5, 7]
    assert bench_run.evenly_spaced([1, 2], 4) == [1, 2]
    f, note = bench_run.edit_one_document(copied, {p.name for p in copied})
    assert f.read_bytes() == before[f.name] + bench_run.REBUILD_SENTENCE.encode()
    assert {g.name: g.read_bytes() for g in files} == before        # hard links or not: the corpus is untouched


def test_run_corpus_json(tmp_path):
    """One run of the harness on the bundled corpus, with a sample of 3 of its 5 documents for the stages
    measured in process; the builds take all 5 (from a copy: the corpus is not changed)."""
    before = {f.name: f.read_bytes() for f in (ROOT / "corpus").iterdir() if f.is_file()}
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--corpus", str(ROOT / "corpus"),
                          "--json", "--save", str(tmp_path / "r.json"), "--no-plots", "--sample", "3",
                          "--out", str(tmp_path / "work")],
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    for key in ("documents", "words", "seconds", "docs_per_second", "extract_vs_tokenize_ratio", "peak_rss_mb",
                "build_seconds", "rebuild_seconds", "rebuild_share", "sample"):
        assert key in r, key
    assert "speedup_jobs" not in r                         # only with --compare-jobs
    assert r["documents"] == 5
    assert r["sample"] == 3 and r["sampled"] is True
    assert 10_000 < r["words"] < 15_000                     # the whole corpus, counted from the files
    assert 0 < r["sample_words"] < r["words"]
    assert 0 < r["seconds"] == r["build_seconds"] < 300
    assert r["docs_per_second"] > 0
    assert 0.5 < r["extract_vs_tokenize_ratio"] < 100
    assert 30 < r["peak_rss_mb"] < 8000
    stages = {s["stage"]: s for s in r["stages"]}
    for name in ("build", "rebuild-1", "ingest", "tokenize", "extract", "map", "links", "export", "analytics", "viz"):
        assert name in stages, name
        assert stages[name]["status"] == "ok" or stages[name]["status"].startswith("n/a"), stages[name]
    assert "store" not in stages and "trig" not in stages
    build, rebuild = stages["build"], stages["rebuild-1"]
    assert build["documents"] == 5 and build["extracted"] == 5 and build["triples"] > 5000
    assert build["triples"] == r["triples"] and build["triples_per_second"] > 0
    assert build["workers"] >= 1 and build["workers_peak_mb"] > 10      # the forked build process is counted
    assert build["peak_rss_mb"] >= build["main_peak_mb"]
    assert rebuild["extracted"] == 1 and rebuild["reused"] == 4 and rebuild["changed_graphs"] >= 1
    assert r["rebuild_extracted"] == 1
    assert rebuild["mapped"] == r["rebuild_mapped"] == 1      # a sentence without citations: its graph only
    assert 0 < r["rebuild_share"] == rebuild["share_of_build"]
    assert stages["ingest"]["documents"] == 3 and stages["extract"]["documents"] == 3
    assert stages["map"]["triples"] > 1000 and stages["map"]["triples_per_second"] > 0
    # Every named query: its listing (or its one required thing), and each optional parameter bound to a
    # real value of the build (the values are looked up in the store: none is missing on the corpus).
    cases = r["queries"]
    from kg import query
    assert {c.split("[")[0] for c in cases} == set(query.load_queries())
    assert {"accusations[accuser=AZE]", "accusations[accused=ARM]", "co-mentions[state=AZE]"} <= set(cases)
    assert all(v["status"] == "ok" for v in cases.values()), cases
    at_place = next(c for c in cases if c.startswith("incidents[place="))
    assert cases[at_place]["filtered"] and not cases["incidents"]["filtered"]
    assert 0 < cases[at_place]["rows"] <= cases["incidents"]["rows"]
    assert cases["citations"]["filtered"] and cases["citations"]["rows"] > 0     # about one document
    assert json.loads((tmp_path / "r.json").read_text())["documents"] == 5

    # --queries-of: the same cases on that build, nothing built.
    only = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--queries-of",
                           str(tmp_path / "work" / "build")], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert only.returncode == 0, only.stderr
    assert at_place in only.stdout
    assert "named queries with their parameters bound (target < 1 s):" in only.stdout
    assert {f.name: f.read_bytes() for f in (ROOT / "corpus").iterdir() if f.is_file()} == before


def test_store_costs_times_the_most_frequent_object_of_the_predicate(corpus_build):
    from collections import Counter as _Counter

    from pyoxigraph import NamedNode

    from kg import namespaces as ns
    from kg.store import open_store
    out = corpus_build[0]
    store = open_store(out)
    per_object = _Counter(q.object for q in store.quads_for_pattern(None, NamedNode(ns.KG + "allegedPerpetrator"), None))
    obj, n = per_object.most_common(1)[0]
    del store
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "store_costs.py"), str(out), "--json", "--repeat", "1"],
                       capture_output=True, text=True, check=True)
    costs = json.loads(r.stdout)
    assert (costs["object"], costs["rows"]) == (str(obj), n)
    assert costs["us_per_row_scan"] > 0 and costs["rows_per_second_at_6_decodes_10_lookups"] > 0
