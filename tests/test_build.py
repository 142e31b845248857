"""The whole way on the default corpus: build, store, kg.trig, incremental rebuild, summary vs gold, SHACL."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph

from conftest import CORPUS, FIXTURES, GOLD, ROOT
from kg import ingest
from kg import namespaces as ns
from kg.build import build


def _score(records, fields=None):
    spec = importlib.util.spec_from_file_location("kg_eval", FIXTURES / "kg_eval.py")
    kg_eval = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(kg_eval)
    gold = {p.name.replace(".json", ".txt"): json.loads(p.read_text()) for p in GOLD.glob("*.json")}
    totals = {}
    for field in fields or kg_eval.HEADLINE:
        tp = fp = fn = 0
        for src, g in gold.items():
            pred = next(r for r in records if r["source"] == src)
            t, fn_l, fp_l = kg_eval.match_sets(field, g.get(field, []), pred.get(field, []), g.get(field + "_optional", []))
            tp, fn, fp = tp + t, fn + len(fn_l), fp + len(fp_l)
        totals[field] = (tp, fp, fn)
    tp = sum(v[0] for v in totals.values())
    fp = sum(v[1] for v in totals.values())
    fn = sum(v[2] for v in totals.values())
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return (2 * p * r / (p + r) if p + r else 0.0), totals


def test_build_reports_all_documents(corpus_build):
    out, report = corpus_build
    assert report.ok and report.documents == 5
    assert report.triples > 5000
    assert (out / "store").is_dir() and (out / "kg.trig").stat().st_size > 0


def test_trig_parses_strictly_and_has_one_graph_per_document(corpus_build):
    out, _ = corpus_build
    quads = list(pyoxigraph.parse(path=str(out / "kg.trig"), format=pyoxigraph.RdfFormat.TRIG))
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, pyoxigraph.NamedNode)}
    doc_graphs = {g for g in graphs if g not in (ns.GRAPH_ONTOLOGY, ns.GRAPH_VOCAB, ns.GRAPH_LINKS)}
    assert doc_graphs == {ns.graph_iri(p.name) for p in CORPUS.glob("*.txt")}


def test_ontology_loads_in_rdflib():
    g = Graph().parse(ROOT / "ontologies" / "kg.ttl", format="turtle")
    assert len(g) > 100


def test_joint_symbol_document_is_one_node(corpus_build):
    store = pyoxigraph.Store.read_only(str(corpus_build[0] / "store"))
    rows = list(store.query(f"""SELECT ?doc WHERE {{ GRAPH ?g {{ ?doc <{ns.KG}symbol> "S/2021/433" ;
        <{ns.KG}symbol> "A/75/875" ; <{ns.KG}sourceFile> ?f }} }}"""))
    assert [r["doc"].value for r in rows] == ["https://undocs.org/A/75/875"]


def test_every_fact_has_evidence_with_exact_quote(corpus_build):
    """Evidence offsets point at the quote in the document's normalised text."""
    from kg.ingest import read_document
    store = pyoxigraph.Store.read_only(str(corpus_build[0] / "store"))
    texts = {p.name: read_document(p).text for p in CORPUS.glob("*.txt")}
    q = f"""PREFIX oa: <{ns.OA}> PREFIX kg: <{ns.KG}>
    SELECT ?src ?s ?e ?exact WHERE {{ GRAPH ?g {{ ?ev a kg:Evidence ; oa:start ?s ; oa:end ?e ; oa:exact ?exact ;
       kg:inDocument ?d . ?d kg:sourceFile ?src }} }}"""
    n = 0
    for row in store.query(q):
        text = texts[row["src"].value]
        assert text[int(row["s"].value):int(row["e"].value)] == row["exact"].value
        n += 1
    assert n > 300
    missing = list(store.query(f"""PREFIX kg: <{ns.KG}> PREFIX cito: <http://purl.org/spar/cito/>
        SELECT ?f WHERE {{ GRAPH ?g {{ {{ ?f a kg:Mention }} UNION {{ ?f a cito:Citation }} UNION {{ ?f a kg:IncidentReport }}
        FILTER NOT EXISTS {{ ?f kg:evidence ?ev }} }} }}"""))
    assert missing == []


def test_summary_meets_the_gold_headline(corpus_summary):
    f1, totals = _score(list(corpus_summary.values()))
    assert f1 >= 0.85, totals


def test_summary_values_on_real_documents(corpus_summary):
    letter = corpus_summary["004_ffed4b976815c69f.txt"]
    assert letter["kind"] == "letter"
    assert letter["symbols"] == ["A/75/875", "S/2021/433"]
    assert letter["dates"] == {"issued": "2021-05-14", "dated": "2021-05-05", "received": None}
    assert letter["author_states"] == ["AZE"]
    assert "Yashar Aliyev" in letter["signatories"]
    report = corpus_summary["001_b1dfee940f1dd054.txt"]
    assert report["kind"] == "state_report" and report["dates"]["received"] == "2025-11-18"
    statement = corpus_summary["003_5f0808684c00eb6a.txt"]
    assert statement["sc_resolutions"] == [822, 853, 874, 884]
    khojaly = [i for i in statement["incidents"] if i["place"] == "Khojaly"]
    assert khojaly and khojaly[0]["killed"] == 613 and khojaly[0]["attributed_to"] == "ARM"
    nv = corpus_summary["000_69eed672c96147f9.txt"]
    assert nv["kind"] == "note_verbale" and nv["communication_refs"] == ["AL AZE 3/2024"]


def test_rebuild_is_byte_identical_and_incremental(tmp_path, corpus_copy):
    out = tmp_path / "out"
    first = build([corpus_copy], out=out, progress=False)
    trig1 = (out / "kg.trig").read_bytes()
    second = build([corpus_copy], out=out, progress=False)
    assert second.reused == 5 and second.extracted == 0 and second.changed_graphs == []
    assert (out / "kg.trig").read_bytes() == trig1
    # Edit one document: only its graph changes.
    victim = corpus_copy / "003_5f0808684c00eb6a.txt"
    victim.write_text(victim.read_text().replace("613 people", "614 people"))
    third = build([corpus_copy], out=out, progress=False)
    assert third.extracted == 1 and third.reused == 4
    assert third.changed_graphs == [ns.graph_iri(victim.name)]
    assert first.triples == third.triples


def test_unreadable_file_is_reported_and_the_rest_builds(tmp_path, corpus_copy):
    (corpus_copy / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage")
    (corpus_copy / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(corpus_copy), "--out", str(out), "-q"],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "broken.pdf" in proc.stderr and "empty.txt" in proc.stderr
    assert "built 5 documents" in proc.stderr
    manifest = json.loads((out / "build.json").read_text())
    assert len(manifest["graphs"]) == 5 and len(manifest["failures"]) == 2


def test_validate_conforms(corpus_build):
    from kg.validate import validate
    result = validate(corpus_build[0])
    assert result.conforms, result.report[:3000]


def test_cli_help_and_missing_build(tmp_path):
    for cmd in (["--help"], ["build", "--help"], ["summary", "--help"], ["validate", "--help"]):
        assert subprocess.run([sys.executable, "-m", "kg.cli", *cmd], capture_output=True).returncode == 0
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "summary", "--out", str(tmp_path / "none")],
                          capture_output=True, text=True)
    assert proc.returncode == 3 and "kg build" in proc.stderr


@pytest.mark.slow
def test_build_corpus_un2025(tmp_path):
    from conftest import SHARED
    corpus = SHARED / "corpus-un2025"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus-un2025 is not beside the project")
    report = build([corpus], out=tmp_path / "out", jobs=2, progress=False)
    assert report.documents + len(report.failures) == len(list(corpus.glob("*.pdf")))
    assert report.documents >= 220


def test_joint_symbol_cited_by_either_part_lands_on_one_node(tmp_path):
    """A letter issued as A/79/100-S/2025/10, cited by one document with its A part and by another with its S part."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "United Nations A/79/100-S/2025/10\n\nDistr.: General\n3 January 2025\n\n"
        "Letter dated 2 January 2025 from the Permanent Representative of Ukraine to the United Nations "
        "addressed to the Secretary-General\n\nI have the honour to inform you.\n")
    (corpus / "b.txt").write_text(
        "Letter dated 9 January 2025 from the Permanent Representative of the Russian Federation to the United Nations "
        "addressed to the Secretary-General\n\nI reject the letter of Ukraine (S/2025/10).\n")
    (corpus / "c.txt").write_text(
        "Letter dated 10 January 2025 from the Permanent Representative of Poland to the United Nations "
        "addressed to the Secretary-General\n\nAs stated in document A/79/100, the attacks continue.\n")
    out = tmp_path / "out"
    build([corpus], out=out, progress=False)
    store = pyoxigraph.Store.read_only(str(out / "store"))
    rows = store.query(f"""SELECT DISTINCT ?t WHERE {{ GRAPH ?g {{ ?d <http://purl.org/spar/cito/cites> ?t }} }}""")
    assert {r["t"].value for r in rows} == {"https://undocs.org/A/79/100"}
    char = store.query(f"""SELECT ?c WHERE {{ GRAPH ?g {{ ?d <{ns.KG}sourceFile> "b.txt" ;
        ?c <https://undocs.org/A/79/100> }} FILTER(?c != <http://purl.org/spar/cito/cites>) }}""")
    assert [r["c"].value for r in char] == ["http://purl.org/spar/cito/disputes"]


def test_a_resolution_cited_by_its_symbol_is_both_in_the_summary(tmp_path):
    """A/79/796 prints 'document S/RES/822': the summary lists the symbol among the cited symbols and the
    resolution among the Security Council's, one node in the graph."""
    from kg.api import summary
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Letter dated 2 January 2025 from the Permanent Representative of Azerbaijan to the United Nations "
        "addressed to the Secretary-General\n\nSee United Nations Security Council, Resolution 822, document "
        "S/RES/822 (30 April 1993), and General Assembly resolution A/RES/78/234 (2023).\n")
    build([corpus], out=tmp_path / "out", progress=False)
    record = summary(tmp_path / "out")[0]
    assert {"S/RES/822", "A/RES/78/234"} <= set(record["cited_symbols"])
    assert record["sc_resolutions"] == [822]
    assert "General Assembly resolution 78/234" in record["other_resolutions"]


def test_reference_by_description_links_to_the_corpus_document(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "arm.txt").write_text(
        "Letter dated 5 January 2023 from the Permanent Representative of Armenia to the United Nations "
        "addressed to the Secretary-General\n\nI have the honour to draw your attention to the closure of the road.\n")
    (corpus / "aze.txt").write_text(
        "Letter dated 8 February 2023 from the Permanent Representative of Azerbaijan to the United Nations "
        "addressed to the Secretary-General\n\nI flatly reject the letter from the Permanent Representative of "
        "Armenia dated 5 January 2023, which is slander.\n")
    out = tmp_path / "out"
    build([corpus], out=out, progress=False)
    store = pyoxigraph.Store.read_only(str(out / "store"))
    rows = list(store.query(f"""SELECT ?src ?dst WHERE {{ GRAPH ?g {{ ?d <http://purl.org/spar/cito/disputes> ?t ;
        <{ns.KG}sourceFile> ?src }} GRAPH ?h {{ ?t <{ns.KG}sourceFile> ?dst }} }}"""))
    assert [(r["src"].value, r["dst"].value) for r in rows] == [("aze.txt", "arm.txt")]


def _letter(symbols: str, day: int, state: str, body: str) -> str:
    head = f"United Nations {symbols}\n\nDistr.: General\n{day + 1} January 2025\n\n" if symbols else ""
    return (head + f"Letter dated {day} January 2025 from the Permanent Representative of {state} to the United "
            f"Nations addressed to the Secretary-General\n\n{body}\n")


def test_a_new_joint_symbol_remaps_only_the_documents_citing_its_parts(tmp_path):
    """a.txt is reissued as A/79/100-S/2025/10: b.txt, which cites S/2025/10, must now cite the one node
    A/79/100 and is mapped again; c.txt (cites A/79/100, which still resolves to itself) and d.txt are
    reused. The incremental result is the fresh build's, byte for byte."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    a = corpus / "a.txt"
    a.write_text(_letter("A/79/100", 2, "Ukraine", "I have the honour to inform you."))
    (corpus / "b.txt").write_text(_letter("", 9, "the Russian Federation", "I reject the letter of Ukraine (S/2025/10)."))
    (corpus / "c.txt").write_text(_letter("", 10, "Poland", "As stated in document A/79/100, the attacks continue."))
    (corpus / "d.txt").write_text(_letter("", 11, "Chile", "As stated in document A/79/555, we support it."))
    out = tmp_path / "out"
    assert build([corpus], out=out, progress=False).mapped == 4

    a.write_text(_letter("A/79/100-S/2025/10", 2, "Ukraine", "I have the honour to inform you."))
    again = build([corpus], out=out, progress=False)
    assert (again.extracted, again.reused, again.mapped) == (1, 3, 2)
    assert sorted(again.changed_graphs) == [ns.graph_iri("a.txt"), ns.graph_iri("b.txt")]
    store = pyoxigraph.Store.read_only(str(out / "store"))
    cited = store.query(f"""SELECT DISTINCT ?t WHERE {{ GRAPH <{ns.graph_iri("b.txt")}> {{
        ?d <http://purl.org/spar/cito/cites> ?t }} }}""")
    assert [r["t"].value for r in cited] == ["https://undocs.org/A/79/100"]
    del store
    fresh = tmp_path / "fresh"
    build([corpus], out=fresh, progress=False)
    assert (out / "kg.trig").read_bytes() == (fresh / "kg.trig").read_bytes()


def test_a_changed_date_remaps_the_reference_by_description_to_it(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    arm = corpus / "arm.txt"
    arm.write_text(_letter("", 4, "Armenia", "I have the honour to draw your attention to the closure of the road."))
    (corpus / "aze.txt").write_text(_letter("", 8, "Azerbaijan", "I flatly reject the letter from the Permanent "
                                            "Representative of Armenia dated 5 January 2025, which is slander."))
    (corpus / "chl.txt").write_text(_letter("", 9, "Chile", "As stated in document A/79/555, we support it."))
    out = tmp_path / "out"
    build([corpus], out=out, progress=False)
    query = f"""SELECT ?t WHERE {{ GRAPH <{ns.graph_iri("aze.txt")}> {{ ?d <http://purl.org/spar/cito/disputes> ?t }} }}"""
    store = pyoxigraph.Store.read_only(str(out / "store"))
    assert list(store.query(query)) == []          # Armenia's letter is of the 4th: no such letter yet
    del store
    arm.write_text(arm.read_text().replace("dated 4 January", "dated 5 January"))
    again = build([corpus], out=out, progress=False)
    assert (again.extracted, again.mapped) == (1, 2)
    store = pyoxigraph.Store.read_only(str(out / "store"))
    assert [r["t"].value for r in store.query(query)] == [ns.file_document_iri("arm.txt")]


def test_every_alias_lookup_of_the_mapping_is_in_its_uses(corpus_build):
    """The incremental build trusts AliasUses to list every lookup map_extraction makes of the aliases;
    a lookup it missed would leave a stale graph after another document's identity changed."""
    from kg import mapping
    from kg.models import Extraction, from_json

    class Recording(mapping.Aliases):
        def resolve(self, symbol):
            asked.add(("symbol", symbol))
            return super().resolve(symbol)

        def described(self, authors, date):
            asked.add(("described", (date, tuple(authors))))
            return super().described(authors, date)

    extractions = [from_json(Extraction, json.loads(f.read_text())["extraction"])
                   for f in sorted((corpus_build[0] / "cache").glob("*.json"))]
    assert len(extractions) == 5
    aliases = mapping.Aliases.from_extractions(extractions)
    recording = Recording(aliases.canonical, aliases.by_author_date)
    lookups = 0
    for ex in extractions:
        asked = set()
        mapping.map_extraction(ex, recording)
        uses = mapping.AliasUses.of(ex)
        assert asked <= {("symbol", s) for s in uses.symbols} | {("described", d) for d in uses.described}, ex.source
        lookups += len(asked)
    assert lookups >= 20       # the corpus cites dozens of documents by symbol


def test_a_crashing_reader_fails_only_its_file(tmp_path, monkeypatch):
    """Files are read in long-lived reader processes (not a fork per file); a reader that dies on a file
    (here: SIGSEGV, as a native PDF reader might) fails that file only, and a new reader reads the rest."""
    import signal
    from kg import build as kb
    docs = tmp_path / "docs"
    docs.mkdir()
    for i, p in enumerate(sorted(CORPUS.glob("*.txt"))):
        shutil.copyfile(p, docs / f"{i}.txt")
    shutil.copyfile(sorted(CORPUS.glob("*.txt"))[0], docs / "2-crash.txt")
    pids = tmp_path / "pids"
    real = kb._extract_file

    def reader(path, limits, cache_dir):         # inherited by the forked readers
        with open(pids, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        if path.endswith("crash.txt"):
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(path, limits, cache_dir)

    monkeypatch.setattr(kb, "_extract_file", reader)
    report = kb.build([docs], out=tmp_path / "out", jobs=2, progress=False)
    assert [(Path(f).name, why) for f, why in report.failures] == [
        ("2-crash.txt", "the reader crashed (killed by signal 11; out of memory?)")]
    assert report.documents == 5 and report.extracted == 5
    seen = pids.read_text().split()
    assert os.getpid() not in map(int, seen)                # read in other processes
    assert len(seen) == 6 and len(set(seen)) <= 3           # 2 readers, and one to replace the crashed one


def test_default_time_limit_per_file():
    from click.testing import CliRunner
    from kg.cli import main
    assert ingest.Limits().max_seconds == 300
    help_text = " ".join(CliRunner().invoke(main, ["build", "--help"]).output.split())
    assert "--max-seconds" in help_text and "default: 300" in help_text
    assert "default: every usable CPU" in help_text


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs CPU affinity masks (Linux) and at least 2 usable CPUs")
def test_jobs_holds_the_build_to_that_many_cpus(tmp_path, monkeypatch):
    """--jobs N is the share of the machine a build takes: the forked readers run on N CPUs (the store
    loader threads inherit the same mask; not observed here), and the caller's mask is given back
    after. By default, every usable CPU and as many readers."""
    from kg import build as kb
    docs = tmp_path / "docs"
    docs.mkdir()
    for p in sorted(CORPUS.glob("*.txt"))[:3]:
        shutil.copyfile(p, docs / p.name)
    seen = tmp_path / "seen"
    real = kb._extract_file

    def reader(path, limits, cache_dir):         # inherited by the forked readers
        with open(seen, "a") as fh:
            fh.write(f"{os.getpid()} {len(os.sched_getaffinity(0))}\n")
        return real(path, limits, cache_dir)

    monkeypatch.setattr(kb, "_extract_file", reader)
    mask = os.sched_getaffinity(0)
    assert kb.build([docs], out=tmp_path / "one", jobs=1, progress=False).ok
    assert os.sched_getaffinity(0) == mask
    lines = [line.split() for line in seen.read_text().splitlines()]
    assert {cpus for _, cpus in lines} == {"1"} and len({pid for pid, _ in lines}) == 1

    seen.unlink()
    assert kb.build([docs], out=tmp_path / "all", progress=False).ok
    lines = [line.split() for line in seen.read_text().splitlines()]
    assert {cpus for _, cpus in lines} == {str(len(mask))}
    assert len({pid for pid, _ in lines}) == min(3, len(mask))
