"""The SPARQL query library: every named query's real answer, parameter safety, SERVICE refusal, formats.

Two builds: the default corpus (the session fixture `corpus_build`) and a small exchange of letters
written here (`exchange_build`): Armenia's letter A/77/686 (the one the 2023 letter of Azerbaijan
disputes) citing an earlier letter, that 2023 letter itself (corpus file 002), and a letter, a reply
and a counter-reply between Armenia and Azerbaijan in which both sides report one attack on one town
on one date with different figures.
"""
from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
import re
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, parse, serialize

from conftest import CORPUS, ROOT, corpus_text
from kg import namespaces as ns
from kg.cli_query import query as query_cmd
from kg.cli_query import sparql as sparql_cmd

Q = importlib.import_module("kg.query")     # the module (the package attribute `kg.query` may be the function)
KGID = ns.KGID
LETTER_2023 = KGID + "doc/002-7ba849221ed25377-txt"          # no printed symbol: minted from the file name
NOTE_2024 = KGID + "doc/000-69eed672c96147f9-txt"
STATEMENT_2020 = KGID + "doc/003-5f0808684c00eb6a-txt"
AL_AZE = KGID + "communication/AL-AZE-3-2024"
INJECTION = '"> } ; DROP ALL #'

ARM_LETTER = """United Nations A/77/900-S/2023/300

Distr.: General 14 March 2023

Original: English

General Assembly Seventy-seventh session

Security Council Seventy-eighth year

Letter dated 13 March 2023 from the Permanent Representative of Armenia to the United Nations addressed to the Secretary-General

I have the honour to draw your attention to the attack carried out by the armed forces of Azerbaijan on the town of Verinshen on 10 March 2023. As a result of the shelling, 7 civilians, including 2 children, were killed and 11 were injured.

This attack violates the Charter of the United Nations and article 6 of the International Covenant on Civil and Political Rights.

I should be grateful if you would have the present letter circulated as a document of the General Assembly and of the Security Council.

(Signed) Mher Margaryan Ambassador Permanent Representative
"""

AZE_REPLY = """United Nations A/77/910-S/2023/320

Distr.: General 22 March 2023

Original: English

General Assembly Seventy-seventh session

Security Council Seventy-eighth year

Letter dated 20 March 2023 from the Permanent Representative of Azerbaijan to the United Nations addressed to the Secretary-General

I categorically reject the letter of the Permanent Representative of Armenia contained in document A/77/900-S/2023/300, which distorts the facts, as did the letter contained in document A/77/686-S/2023/22.

On 10 March 2023, the armed forces of Armenia opened fire from the town of Verinshen, and in the ensuing exchange 2 servicemen were killed and 3 were wounded.

I should be grateful if you would have the present letter circulated as a document of the General Assembly and of the Security Council.

(Signed) Yashar Aliyev Ambassador Permanent Representative
"""

ARM_COUNTER = """United Nations A/77/920-S/2023/340

Distr.: General 30 March 2023

Original: English

General Assembly Seventy-seventh session

Security Council Seventy-eighth year

Letter dated 28 March 2023 from the Permanent Representative of Armenia to the United Nations addressed to the Secretary-General

In response to the letter of the Permanent Representative of Azerbaijan contained in document A/77/910-S/2023/320, I reject its false allegations.

(Signed) Mher Margaryan Ambassador Permanent Representative
"""

ARM_A77686 = """United Nations A/77/686-S/2023/22

Distr.: General 9 January 2023

Original: English

General Assembly Seventy-seventh session

Security Council Seventy-eighth year

Letter dated 5 January 2023 from the Permanent Representative of Armenia to the United Nations addressed to the Secretary-General

I have the honour to refer to the statement of the Ministry of Foreign Affairs of Armenia contained in document A/77/600-S/2022/950.

I should be grateful if you would have the present letter circulated as a document of the General Assembly and of the Security Council.

(Signed) Mher Margaryan Ambassador Permanent Representative
"""


# ---------------------------------------------------------------------------------------------
# Fixtures and helpers
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus_out(corpus_build):
    return corpus_build[0]


@pytest.fixture(scope="module")
def exchange_build(tmp_path_factory):
    from kg.build import build
    src = tmp_path_factory.mktemp("exchange-src")
    for name, text in [("010_arm_letter.txt", ARM_LETTER), ("011_aze_reply.txt", AZE_REPLY),
                       ("012_arm_counter.txt", ARM_COUNTER), ("013_arm_a77686.txt", ARM_A77686)]:
        (src / name).write_text(text, encoding="utf-8")
    shutil.copy(CORPUS / "002_7ba849221ed25377.txt", src)
    out = tmp_path_factory.mktemp("exchange-out")
    report = build([src], out=out, progress=False)
    assert report.ok and report.documents == 5
    return out


def rows(name, out, **params):
    return Q.run(name, out, **params)


def where(result, **match):
    return [r for r in result if all(r.get(k) == v for k, v in match.items())]


def cli(cmd, args):
    return CliRunner().invoke(cmd, args, catch_exceptions=False)


# ---------------------------------------------------------------------------------------------
# The files themselves
# ---------------------------------------------------------------------------------------------

REQUIRED = {"citations", "cited-by", "most-cited", "reply-threads", "accusations", "invocations", "incidents",
            "same-event", "communications", "documents-naming", "persons", "evidence", "co-mentions"}


def test_every_query_file_opens_with_its_documentation():
    queries = Q.load_queries()
    assert REQUIRED <= set(queries)
    for name, q in queries.items():
        head = q.text.split("\n", 1)[0]
        assert head.startswith("# Title:"), name
        assert q.title and len(q.description) > 60, name
        assert q.example.startswith(f"kg query {name}"), name
        body = "\n".join(line for line in q.text.splitlines() if not line.startswith("#"))
        for p in q.params.values():
            assert p.type in Q.PARAM_TYPES and p.description, (name, p.name)
            if p.name != "limit":
                assert re.search(rf"\?{p.name}\b", body), f"{name}: parameter {p.name} is never used"
        # Standard SPARQL only: every prefix declared in the file, no engine option needed.
        used = set(re.findall(r"(?<![\w?<])([a-z][a-z0-9]*):[A-Za-z]", Q.strip_query(body)))
        declared = set(re.findall(r"PREFIX\s+(\w+):", body))
        assert used <= declared, (name, used - declared)


def test_every_query_is_plain_sparql_11_and_gives_the_same_answer_elsewhere(exchange_build):
    """The bound text `prepare` gives parses with rdflib's independent SPARQL 1.1 grammar, and, run unchanged
    on rdflib's engine, gives the same rows as on the embedded Oxigraph store (checked for the queries rdflib's
    engine can evaluate: it mishandles MIN over unbound values and is too slow for deep OPTIONAL nesting)."""
    from rdflib import Dataset
    from rdflib.plugins.sparql import prepareQuery
    # Both engines get the same data: the build's graphs, with the vocabulary graph cut down to the
    # entries the documents use (the full gazetteer would make rdflib's pure-Python engine slow).
    vocab = NamedNode(ns.GRAPH_VOCAB)
    quads = list(parse((exchange_build / "kg.trig").read_bytes(), format=RdfFormat.TRIG))
    used = {t for q in quads if q.graph_name != vocab for t in (q.subject, q.object)}
    quads = [q for q in quads if q.graph_name != vocab or q.subject in used]
    store = Store()
    store.extend(quads)
    ds = Dataset()
    ds.parse(data=serialize(quads, format=RdfFormat.N_QUADS).decode("utf-8"), format="nquads")
    params = {"citations": {"doc": "A/77/920"}, "cited-by": {"doc": "A/77/686"}, "document": {"doc": "A/77/910"},
              "evidence": {"node": KGID + "place/verinshen"}, "incidents": {"perpetrator": "AZE"}}
    compare = {"accusations", "incidents", "evidence", "document"}

    def norm(v):   # GROUP_CONCAT order is engine-specific
        return None if v is None else tuple(sorted(re.split(r" \| |, ", str(v))))
    for name in Q.load_queries():
        text = Q.prepare(name, store=store, **params.get(name, {}))
        Q.check_query(text)
        parsed = prepareQuery(text)
        if name not in compare:
            continue
        ox = Q.execute(store, text)
        got = list(ds.query(parsed))
        if ox.form == "CONSTRUCT":
            assert {(t.subject.value, t.predicate.value, t.object.value) for t in ox.triples} == \
                   {tuple(str(x) for x in t) for t in got}, name
        else:
            assert ox.rows, name
            assert sorted(tuple(norm(r[v]) for v in ox.variables) for r in ox.dicts()) == \
                   sorted(tuple(norm(r[v]) for v in ox.variables) for r in got), name


# ---------------------------------------------------------------------------------------------
# Citation chains
# ---------------------------------------------------------------------------------------------

def test_citations_of_the_2023_letter(corpus_out):
    res = rows("citations", corpus_out, doc="002_7ba849221ed25377.txt")
    cited = {r["cited"]: r for r in res}
    assert {"https://undocs.org/A/77/686", "https://undocs.org/S/PV.9132"} <= set(cited)
    a77 = cited["https://undocs.org/A/77/686"]
    assert (a77["depth"], a77["relation"], a77["citedLabel"], a77["citing"]) == ("1", "disputes", "A/77/686", LETTER_2023)
    assert a77["citingLabel"].startswith("Letter dated 8 February 2023")
    assert cited["https://undocs.org/S/PV.9132"]["citedLabel"] == "S/PV.9132"
    # The same by IRI; no cited document of the default corpus is itself in the corpus: depth 1 only.
    assert rows("citations", corpus_out, doc=LETTER_2023) == res
    assert {r["depth"] for r in res} == {"1"}


def test_citation_chain_reaches_what_the_cited_documents_cite(exchange_build):
    res = rows("citations", exchange_build, doc="002_7ba849221ed25377.txt")
    by = {(r["citing"], r["cited"]): r["depth"] for r in res}
    assert by[(LETTER_2023, "https://undocs.org/A/77/686")] == "1"
    assert by[("https://undocs.org/A/77/686", "https://undocs.org/A/77/600")] == "2"     # A/77/686 is in this build
    assert ("https://undocs.org/A/77/686", "https://undocs.org/A/77/600") not in {
        (r["citing"], r["cited"]) for r in rows("citations", exchange_build, doc=LETTER_2023, max_depth=1)}
    chain = rows("citations", exchange_build, doc="A/77/920")
    assert {(r["depth"], r["citingLabel"], r["citedLabel"]) for r in chain} == {
        ("1", "A/77/920", "A/77/910"), ("2", "A/77/910", "A/77/900"), ("2", "A/77/910", "A/77/686"),
        ("3", "A/77/686", "A/77/600")}


def test_cited_by(corpus_out, exchange_build):
    res = rows("cited-by", corpus_out, doc="AL AZE 3/2024")      # a communication reference resolves to its IRI
    assert [(r["citing"], r["depth"], r["relation"], r["citingAuthor"], r["citingDate"]) for r in res] == \
           [(NOTE_2024, "1", "repliesTo", "Azerbaijan", "2024-09-27")]
    assert rows("cited-by", corpus_out, doc=AL_AZE) == res
    back = rows("cited-by", exchange_build, doc="A/77/900")
    assert [(r["depth"], r["citingLabel"], r["citingAuthor"]) for r in back] == \
           [("1", "A/77/910", "Azerbaijan"), ("2", "A/77/920", "Armenia")]


def test_most_cited(corpus_out, exchange_build):
    res = rows("most-cited", corpus_out, limit=5)
    assert len(res) == 5
    counts = [(int(r["citingDocuments"]), int(r["citations"])) for r in res]
    assert counts == sorted(counts, reverse=True)
    al = where(rows("most-cited", corpus_out, limit=1000), cited=AL_AZE)[0]
    assert (al["citedLabel"], al["citedKind"], al["citingDocuments"], al["citations"], al["citedBy"]) == \
           ("AL AZE 3/2024", "Communication", "1", "2", "000_69eed672c96147f9.txt")
    top = rows("most-cited", exchange_build, limit=1)[0]
    assert (top["citedLabel"], top["citingDocuments"]) == ("A/77/686", "2")     # by the 2023 letter and A/77/910
    assert set(top["citedBy"].split(" | ")) == {"A/77/910", "002_7ba849221ed25377.txt"}


# ---------------------------------------------------------------------------------------------
# States against states
# ---------------------------------------------------------------------------------------------

def test_reply_threads(corpus_out, exchange_build):
    res = rows("reply-threads", corpus_out)
    row = where(res, letter="https://undocs.org/A/77/686", reply=LETTER_2023)[0]
    assert (row["replyBy"], row["replyRelation"], row["replyDate"]) == ("Azerbaijan", "disputes", "2023-02-08")
    thread = where(rows("reply-threads", exchange_build), letter="https://undocs.org/A/77/900")[0]
    assert (thread["letterBy"], thread["replyLabel"], thread["replyBy"], thread["replyRelation"],
            thread["counterReplyLabel"], thread["counterReplyBy"], thread["counterReplyDate"]) == \
           ("Armenia", "A/77/910", "Azerbaijan", "disputes", "A/77/920", "Armenia", "2023-03-28")
    # Armenia wrote A/77/686, which the 2023 letter disputes; no French letter anywhere.
    assert where(rows("reply-threads", exchange_build, state="ARM"), reply=LETTER_2023)
    assert rows("reply-threads", exchange_build, state="FRA") == []


def test_accusations(corpus_out, exchange_build):
    res = rows("accusations", corpus_out)
    assert {(r["accuserLabel"], r["accusedLabel"]) for r in res} == {("Azerbaijan", "Armenia")}
    a75 = where(res, document="https://undocs.org/A/75/875")[0]
    assert (a75["accuser"], a75["accused"], a75["documentLabel"], a75["date"], a75["incidents"], a75["incidentTypes"]) == \
           (KGID + "state/AZE", KGID + "state/ARM", "A/75/875", "2021-05-05", "1", "massacre")
    assert where(res, document=STATEMENT_2020)
    assert rows("accusations", corpus_out, accused="AZE") == []
    both = rows("accusations", exchange_build, accuser="ARM", accused="AZE")
    assert [(r["documentLabel"], r["incidentTypes"]) for r in both] == [("A/77/900", "shelling")]


def test_invocations(corpus_out, exchange_build):
    res = rows("invocations", corpus_out, state="AZE")
    iccpr6 = where(res, invoked=KGID + "instrument/iccpr/article/6")[0]
    assert (iccpr6["invokerLabel"], iccpr6["instrument"], iccpr6["article"], iccpr6["invokedIn"]) == \
           ("Azerbaijan", KGID + "instrument/iccpr", "6", "002_7ba849221ed25377.txt")
    assert iccpr6["instrumentLabel"] == "International Covenant on Civil and Political Rights"
    against = rows("invocations", corpus_out, against="ARM")
    assert against and {(r["invokerLabel"], r["accusedLabel"]) for r in against} == {("Azerbaijan", "Armenia")}
    assert where(against, instrument=KGID + "law/aze/criminal-code-of-the-republic-of-azerbaijan",
                 invokedIn="001_b1dfee940f1dd054.txt")          # the 2025 report, which blames Armenia
    arm = rows("invocations", exchange_build, state="ARM", against="AZE")
    assert [(r["instrumentLabel"], r["article"], r["invokedIn"]) for r in arm] == \
           [("International Covenant on Civil and Political Rights", "6", "A/77/900")]


# ---------------------------------------------------------------------------------------------
# Incidents
# ---------------------------------------------------------------------------------------------

def test_incidents_timeline(corpus_out):
    res = rows("incidents", corpus_out)
    dates = [r["date"] for r in res]
    assert dates == sorted(dates)
    khojaly = where(res, location=KGID + "place/khojaly")[0]
    assert (khojaly["killed"], khojaly["childrenKilled"], khojaly["attributedToLabel"], khojaly["document"],
            khojaly["type"]) == ("613", "63", "Armenia", STATEMENT_2020, "massacre")
    text = corpus_text("003_5f0808684c00eb6a.txt")
    assert text[int(khojaly["quoteStart"]):int(khojaly["quoteEnd"])] == khojaly["quote"]
    assert khojaly["quote"].startswith("613 people")
    recent = rows("incidents", corpus_out, **{"from": "2020-01-01"})
    assert {r["locationLabel"] for r in recent} == {"Ganja", "Barda"}
    early = rows("incidents", corpus_out, perpetrator="ARM", to="1993-12-31")
    assert [r["documentLabel"] for r in early] == [khojaly["documentLabel"], "A/75/875"]   # 1992 Khojaly, 1993 Bashlibel
    assert early[1]["date"] == "1993-04-18" and early[1]["killed"] == "12"
    assert [r["document"] for r in rows("incidents", corpus_out, place=KGID + "place/khojaly")] == [STATEMENT_2020]
    assert rows("incidents", corpus_out, perpetrator="AZE") == []


def test_same_event_side_by_side(exchange_build, corpus_out):
    res = rows("same-event", exchange_build)
    assert len(res) == 1
    r = res[0]
    assert (r["locationLabel"], r["link"], r["dateA"], r["dateB"]) == ("Verinshen", "kg:sameEventAs", "2023-03-10", "2023-03-10")
    assert {r["documentALabel"], r["documentBLabel"]} == {"A/77/900", "A/77/910"}
    arm = "A" if r["documentALabel"] == "A/77/900" else "B"
    aze = "B" if arm == "A" else "A"
    assert (r["by" + arm], r["killed" + arm], r["injured" + arm], r["childrenKilled" + arm], r["blames" + arm]) == \
           ("Armenia", "7", "11", "2", "Azerbaijan")
    assert (r["by" + aze], r["killed" + aze], r["injured" + aze], r["blames" + aze]) == ("Azerbaijan", "2", "3", "Armenia")
    assert r["quote" + arm].startswith("7 civilians") and r["quote" + aze].startswith("2 servicemen")
    assert rows("same-event", corpus_out) == []          # the default corpus has no event reported twice


def test_same_event_fallback_without_links(exchange_build):
    """A store without kgg:links (an older build, another loader) still pairs the reports by place and date."""
    store = Store()
    quads = [q for q in parse((exchange_build / "kg.trig").read_bytes(), format=RdfFormat.TRIG)
             if q.graph_name != NamedNode(ns.GRAPH_LINKS)]
    store.extend(quads)
    res = Q.run_named("same-event", store=store).dicts()
    assert [(r["locationLabel"], r["link"]) for r in res] == [("Verinshen", "same place, overlapping dates")]
    assert {res[0]["killedA"], res[0]["killedB"]} == {"7", "2"}


# ---------------------------------------------------------------------------------------------
# Communications, bodies, persons, evidence, co-mentions
# ---------------------------------------------------------------------------------------------

def test_communications_and_replies(corpus_out):
    res = rows("communications", corpus_out, state="AZE")
    assert len(res) == 1
    r = res[0]
    assert (r["communication"], r["reference"], r["type"], r["concerns"], r["reply"], r["relation"], r["replyBy"],
            r["replyDate"]) == (AL_AZE, "AL AZE 3/2024", "AL", "Azerbaijan", NOTE_2024, "repliesTo", "Azerbaijan", "2024-09-27")
    assert set(r["mandateHoldersNamed"].split("; ")) == {
        "Working Group on Arbitrary Detention", "Working Group on Enforced or Involuntary Disappearances",
        "Special Rapporteur on extrajudicial, summary or arbitrary executions",
        "Special Rapporteur on the promotion of truth, justice, reparation and guarantees of non-recurrence"}
    assert rows("communications", corpus_out, state="ARM") == []


def test_documents_naming_a_mandate_holder_or_body(corpus_out):
    res = rows("documents-naming", corpus_out, entity=KGID + "body/sr-extrajudicial-executions")
    assert [(r["document"], r["namedLabel"]) for r in res] == \
           [(NOTE_2024, "Special Rapporteur on extrajudicial, summary or arbitrary executions")]
    text = corpus_text("000_69eed672c96147f9.txt")
    start = int(res[0]["firstStart"])
    assert text[start:start + len(res[0]["firstQuote"])] == res[0]["firstQuote"]
    by_name = rows("documents-naming", corpus_out, label="arbitrary detention")
    assert {r["named"] for r in by_name} == {KGID + "body/wgad"}
    assert {r["named"] for r in rows("documents-naming", corpus_out, label="WGAD")} == {KGID + "body/wgad"}  # abbreviation
    sc = rows("documents-naming", corpus_out, entity="kgid:body/security-council")
    assert len(sc) >= 3 and all(int(r["times"]) >= 1 for r in sc)


def test_persons_and_posts(corpus_out):
    res = rows("persons", corpus_out)
    assert where(res, name="Jeyhun Bayramov", post="Minister for Foreign Affairs", documentLabel="A/75/875")
    aliyev = where(res, person=KGID + "person/yashar-aliyev")
    assert {(r["post"], r["document"]) for r in aliyev} >= {("Ambassador", "https://undocs.org/A/75/875"),
                                                          ("Ambassador", LETTER_2023)}
    assert {r["name"] for r in rows("persons", corpus_out, label="sargsyan")} == {"Serzh Sargsyan"}
    assert not [r for r in res if "█" in (r["name"] or "")]


def test_evidence_behind_a_fact(corpus_out):
    res = rows("evidence", corpus_out, node="https://undocs.org/S/PV.9132")
    assert res and all(r["inDocument"] == LETTER_2023 for r in res)
    cit = where(res, factType="Citation")[0]
    assert cit["quote"] == "S/PV.9132" and cit["extractor"] == KGID + "extractor/citations"
    text = corpus_text("002_7ba849221ed25377.txt")
    for r in res:
        assert text[int(r["start"]):int(r["end"])] == r["quote"]
    incident = where(rows("evidence", corpus_out, node=KGID + "place/khojaly"), factType="IncidentReport")[0]
    assert incident["quote"].startswith("613 people") and incident["how"] == "fact whose hasPlace is it"
    own = rows("evidence", corpus_out, node=incident["fact"])
    assert [(r["how"], r["quote"]) for r in own] == [("its own evidence", incident["quote"])]
    only = rows("evidence", corpus_out, node=KGID + "state/ARM", document="A/75/875")
    assert only and {r["inDocument"] for r in only} == {"https://undocs.org/A/75/875"}


def test_states_mentioned_together(corpus_out):
    res = rows("co-mentions", corpus_out)
    top = res[0]
    assert (top["stateALabel"], top["stateBLabel"], top["documents"]) == ("Armenia", "Azerbaijan", "5")
    assert len(top["in"].split(" | ")) == 5
    rus = rows("co-mentions", corpus_out, state="RUS")
    assert {r["stateA"] for r in rus} | {r["stateB"] for r in rus} >= {KGID + "state/RUS", KGID + "state/ARM"}
    assert all(KGID + "state/RUS" in (r["stateA"], r["stateB"]) for r in rus)


def test_construct_queries(corpus_out):
    doc = Q.run_named("document", corpus_out, doc="A/75/875")
    triples = {(t.predicate.value, t.object.value) for t in doc.triples}
    assert (ns.KG + "authorState", KGID + "state/AZE") in triples
    assert (ns.KG + "symbol", "S/2021/433") in triples
    net = Q.run_named("citation-network", corpus_out)
    edges = {(t.subject.value, t.predicate.value, t.object.value) for t in net.triples}
    assert (LETTER_2023, ns.CITO + "disputes", "https://undocs.org/A/77/686") in edges
    assert (NOTE_2024, ns.CITO + "repliesTo", AL_AZE) in edges
    ttl = Q.render(net, "turtle")
    assert {(q.subject, q.predicate, q.object) for q in parse(ttl.encode(), format=RdfFormat.TURTLE)} == \
           {(t.subject, t.predicate, t.object) for t in net.triples}
    jsonld = json.loads(Q.render(net, "jsonld"))
    assert any(node.get("@id") == LETTER_2023 for node in jsonld)


# ---------------------------------------------------------------------------------------------
# Parameters are bound as checked RDF terms
# ---------------------------------------------------------------------------------------------

def test_hostile_string_is_bound_as_a_literal(corpus_out):
    assert rows("documents-naming", corpus_out, label=INJECTION) == []
    assert rows("persons", corpus_out, label=INJECTION) == []
    text = Q.prepare("persons", out=corpus_out, label=INJECTION)
    assert r'"\"> } ; DROP ALL #"' in text            # one escaped string literal, by pyoxigraph's serialiser
    assert len(Q.open_store(corpus_out)) > 0          # nothing dropped (the store is read-only anyway)


def test_hostile_values_are_rejected_or_quoted(corpus_out):
    store = Q.open_store(corpus_out)
    for name, params in [("evidence", {"node": INJECTION}), ("evidence", {"node": "https://undocs.org/A 77/686"}),
                         ("documents-naming", {"entity": "not an iri"}), ("citations", {"doc": "https://undocs.org/A/77 686"}),
                         ("incidents", {"perpetrator": "ARM> } #"}), ("incidents", {"from": "1992-02-30"}),
                         ("incidents", {"to": "yesterday"}), ("most-cited", {"limit": "5; DROP ALL"}),
                         ("citations", {"doc": "A/75/875", "max_depth": "2 } #"}),
                         ("persons", {"label": "x\\u0022y"}), ("persons", {"nosuch": "x"}), ("citations", {})]:
        with pytest.raises(Q.QueryError):
            Q.prepare(name, store=store, **params)
    # A symbol is never syntax: anything outside [A-Za-z0-9/._-] is percent-encoded into the IRI.
    text = Q.prepare("citations", store=store, doc=INJECTION)
    assert "<https://undocs.org/%22%3E%20%7D%20%3B%20DROP%20ALL%20%23>" in text
    assert rows("citations", corpus_out, doc=INJECTION) == []
    r = cli(query_cmd, ["evidence", "--out", str(corpus_out), "-p", "node=https://undocs.org/A 77"])
    assert r.exit_code == 2 and "not a valid absolute IRI" in r.output


def test_values_block_and_where_position():
    terms = {"a": NamedNode("https://undocs.org/A/77/686"), "b": Literal(INJECTION), "n": Literal(3)}
    block = Q.values_block(terms)
    assert block.startswith("VALUES (?a ?b ?n) { (<https://undocs.org/A/77/686> ")
    construct = "CONSTRUCT { ?a <http://x/p> ?b } WHERE { GRAPH ?g { ?a ?p ?b } }"
    bound = Q.bind(construct, {"a": terms["a"]})
    assert bound.index("VALUES") > bound.index("WHERE")
    assert [t.object.value for t in Store().query(bound)] == []
    ask = Q.bind("ASK { FILTER(?n = 3) }", {"n": terms["n"]})
    assert bool(Store().query(ask)) is True
    with pytest.raises(Q.QueryError):
        Q.bind("SELECT * WHERE { SELECT ?x WHERE { ?x ?p ?o } }", {"x": terms["a"]})
    limited = Q.bind("SELECT ?x WHERE { VALUES ?x { 1 2 3 } }", {"limit": Literal(2)})
    assert len(list(Store().query(limited))) == 2


def test_inner_binding_points_narrow_sub_selects():
    """`VALUES ?p { UNDEF }` inside a sub-select receives the bound term (the outer VALUES block does not
    reach into sub-selects), is dropped when the parameter is not given, and is left alone in strings and
    comments."""
    store = Store()
    for i in range(3):
        store.add(Quad(NamedNode(f"http://x/{i}"), NamedNode("http://x/p"), Literal(i), NamedNode("http://x/g")))
    text = ('SELECT ?s ?n ("VALUES ?s { UNDEF }" AS ?kept) WHERE {\n'
            '  { SELECT ?s (COUNT(*) AS ?n) WHERE { VALUES ?s { UNDEF } # VALUES ?s { UNDEF }\n'
            '      GRAPH ?g { ?s ?p ?o } } GROUP BY ?s }\n}')
    bound = Q.bind(text, {"s": NamedNode("http://x/1")})
    assert bound.count("VALUES (?s) { (<http://x/1>) }") == 2        # the outer block and the inner point
    assert bound.count("VALUES ?s { UNDEF }") == 2                   # the string and the comment
    rows = list(store.query(bound))
    assert [(r["s"].value, r["n"].value, r["kept"].value) for r in rows] == [("http://x/1", "1", "VALUES ?s { UNDEF }")]
    unbound = Q.bind(text, {})
    assert unbound.count("VALUES ?s { UNDEF }") == 2
    assert sorted(r["s"].value for r in store.query(unbound)) == ["http://x/0", "http://x/1", "http://x/2"]
    # As written (nothing bound, nothing dropped), the query is valid SPARQL with the same answer.
    assert len(list(store.query(text))) == 3


# ---------------------------------------------------------------------------------------------
# SERVICE, updates, timeout
# ---------------------------------------------------------------------------------------------

def test_service_is_refused_by_default(corpus_out):
    q = "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } } LIMIT 1"
    with pytest.raises(Q.QueryError, match="SERVICE"):
        Q.sparql(q, corpus_out)
    r = cli(sparql_cmd, [q, "--out", str(corpus_out)])
    assert r.exit_code == 2 and "--allow-service" in r.output
    assert Q.check_query("select * where { service silent ?endpoint { ?s ?p ?o } }", allow_service=True) == "SELECT"
    for sneaky in ["SELECT * WHERE { sErViCe <http://x/> { ?s ?p ?o } }", "SELECT * WHERE { \\u0053ERVICE <http://x/> {} }"]:
        with pytest.raises(Q.QueryError):
            Q.check_query(sneaky)
    # The word in a string, a comment, an IRI, a variable or a prefixed name is no SERVICE call.
    harmless = ('PREFIX ex: <http://example.org/SERVICE/>\nSELECT ?service WHERE { GRAPH ?g { ?service ?p "SERVICE" } '
                'FILTER(?p != ex:SERVICE) } # SERVICE <http://x/>')
    assert Q.check_query(harmless) == "SELECT"
    assert Q.sparql(harmless, corpus_out) == []


def test_updates_are_refused(corpus_out):
    for update in ["DROP ALL", "INSERT DATA { <http://a/> <http://b/> <http://c/> }", "LOAD <http://x/>",
                   "DELETE WHERE { ?s ?p ?o }", "CLEAR DEFAULT"]:
        with pytest.raises(Q.QueryError, match="update"):
            Q.sparql(update, corpus_out)
        assert cli(sparql_cmd, [update, "--out", str(corpus_out)]).exit_code == 2


def test_timeout(corpus_out):
    heavy = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?p ?b } "
             "GRAPH ?h { ?c <https://w3id.org/kg-un/ontology#sourceFile> ?d } }")     # every quad x 5 files
    with pytest.raises(Q.QueryTimeout):
        Q.sparql(heavy, corpus_out, timeout=0.01)
    heavier = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?p ?b } GRAPH ?h { ?c ?q ?d } GRAPH ?i { ?e ?r ?f } }")
    code = ("import click, sys\nfrom kg.cli_query import sparql\n"
            f"sparql(['{heavier}', '--out', sys.argv[1], '--timeout', '0.5'])\n")
    p = subprocess.run([sys.executable, "-c", code, str(corpus_out)], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert p.returncode == 1 and "did not finish within 0.5 s" in p.stderr


# ---------------------------------------------------------------------------------------------
# CLI and formats
# ---------------------------------------------------------------------------------------------

def test_cli_list_and_formats(corpus_out):
    r = cli(query_cmd, ["--list"])
    assert r.exit_code == 0
    for name in REQUIRED:
        assert re.search(rf"^{re.escape(name)}  \(", r.output, re.M)
    args = ["citations", "--out", str(corpus_out), "-p", "doc=002_7ba849221ed25377.txt"]
    csv_out = cli(query_cmd, args + ["--format", "csv"]).output
    assert csv_out.splitlines()[0].strip() == "depth,citing,citingLabel,relation,cited,citedLabel"
    assert "https://undocs.org/A/77/686,A/77/686" in csv_out
    tsv_out = cli(query_cmd, args + ["--format", "tsv"]).output
    assert tsv_out.splitlines()[0].strip() == "?depth\t?citing\t?citingLabel\t?relation\t?cited\t?citedLabel"
    js = json.loads(cli(query_cmd, args + ["--format", "json"]).stdout)
    assert js["head"]["vars"][0] == "depth"
    assert {"type": "uri", "value": "https://undocs.org/S/PV.9132"} in [b["cited"] for b in js["results"]["bindings"]]
    ttl = cli(query_cmd, ["document", "--out", str(corpus_out), "-p", "doc=A/75/875"])
    assert ttl.exit_code == 0 and "kg:authorState <https://w3id.org/kg-un/id/state/AZE>" in ttl.stdout
    assert cli(query_cmd, ["document", "--out", str(corpus_out), "-p", "doc=A/75/875", "--format", "csv"]).exit_code == 2
    assert cli(query_cmd, ["nosuch", "--out", str(corpus_out)]).exit_code == 2
    assert cli(query_cmd, ["citations", "--out", str(corpus_out), "-p", "doc"]).exit_code == 2
    assert cli(query_cmd, ["citations", "--out", str(corpus_out / "nothing"), "-p", "doc=A/75/875"]).exit_code == 3
    shown = cli(query_cmd, ["citations", "--out", str(corpus_out), "-p", "doc=A/75/875", "--show"]).stdout
    assert "VALUES (?doc ?max_depth) { (<https://undocs.org/A/75/875> " in shown


def test_table_fits_the_terminal(corpus_out):
    for name, params in [("incidents", {}), ("citations", {"doc": "002_7ba849221ed25377.txt"}), ("reply-threads", {})]:
        result = Q.run_named(name, corpus_out, **params)
        for width in (60, 100, 160):
            table = Q.render(result, "table", width=width)
            assert max(len(line) for line in table.splitlines()) <= width, (name, width)
    table = Q.render(Q.run_named("citations", corpus_out, doc="002_7ba849221ed25377.txt"), "table", width=160)
    assert "undoc:A/77/686" in table and "A/77/686" in table          # by IRI (compacted) and by label
    r = CliRunner().invoke(query_cmd, ["incidents", "--out", str(corpus_out)], env={"COLUMNS": "72"})
    assert r.exit_code == 0 and max(len(line) for line in r.stdout.splitlines()) <= 72


def test_sparql_command(corpus_out, tmp_path):
    q = ("PREFIX kg: <https://w3id.org/kg-un/ontology#>\n"
         "SELECT ?n WHERE { GRAPH ?g { ?i kg:killed ?n } } ORDER BY DESC(?n) LIMIT 1")
    f = tmp_path / "q.rq"
    f.write_text(q)
    for args in ([q], ["-f", str(f)]):
        r = cli(sparql_cmd, args + ["--out", str(corpus_out), "--format", "csv"])
        assert r.exit_code == 0 and r.stdout.split() == ["n", "613"]
    assert cli(sparql_cmd, ["ASK { GRAPH ?g { ?s ?p 613 } }", "--out", str(corpus_out)]).stdout.strip() == "true"
    assert cli(sparql_cmd, ["SELECT * WHERE {", "--out", str(corpus_out)]).exit_code == 2
    assert cli(sparql_cmd, ["--out", str(corpus_out)]).exit_code == 2
    union = cli(sparql_cmd, ["SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--union", "--out", str(corpus_out), "--format", "csv"])
    assert int(union.stdout.split()[1]) > 10000


def test_python_api(corpus_out):
    import kg
    import kg.query
    assert kg.query("incidents", out=corpus_out) == kg.query.run("incidents", out=corpus_out)   # module or function
    res = kg.query.run("incidents", out=corpus_out, perpetrator="ARM")
    assert isinstance(res, list) and all(isinstance(r, dict) for r in res)
    assert {r["killed"] for r in res} >= {"613", "12"}
    assert kg.query.sparql("ASK { GRAPH ?g { ?s ?p 613 } }", out=corpus_out) is True
    triples = kg.query.run("document", out=corpus_out, doc="A/75/875")
    assert {"subject": "https://undocs.org/A/75/875", "predicate": ns.KG + "authorState",
            "object": KGID + "state/AZE"} in triples
    with pytest.raises(FileNotFoundError):
        kg.query.run("incidents", out=corpus_out / "nothing")


def test_readme_questions_print_what_the_readme_shows(corpus_build):
    """The README's "Three questions" are real: each command, run on the default corpus, prints the
    lines the README shows (but the timing line)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Three questions", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"\n    \$ (kg .+)\n((?:    .*\n)+)", section)
    assert len(blocks) == 3, "the README should show three questions with their commands"
    kg = str(Path(sys.executable).with_name("kg"))
    for command, shown in blocks:
        # The README's commands read the default output folder; here they read the test build.
        command = command.replace("kg query ", f"{kg} query --out {corpus_build[0]} ", 1)
        run = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=120,
                             env={**os.environ, "COLUMNS": "100"})      # as printed in the README
        assert run.returncode == 0, run.stderr
        expected = [line[4:].rstrip() for line in shown.splitlines() if not re.search(r"rows? in [\d.]+ s$", line)]
        got = [line.rstrip() for line in run.stdout.splitlines() if not re.search(r"rows? in [\d.]+ s$", line)]
        assert got == expected, f"{command}: the README shows other lines"
