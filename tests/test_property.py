"""Property-based tests (hypothesis): random and adversarial text through ingest -> extract -> map ->
serialise always gives RDF that a strict parser (pyoxigraph) reads back, and every fact carries
evidence whose offsets cut exactly its quote out of the normalised text.

Each test runs 500 examples (no deadline; about 20 s for the file), derandomized so CI is repeatable;
KG_PROPERTY_EXAMPLES=N runs N randomised ones instead. The adversarial fragments below are the ones
that matter (IRI-breaking characters, N-Triples/Turtle/SPARQL syntax, control and bidi characters,
HTML, UN symbols and the cues the extractors look for).
"""
from __future__ import annotations

import os
import re

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from conftest import CORPUS
from kg import mapping
from kg import namespaces as ns
from kg.extract.pipeline import extract
from kg.ingest import IngestError, read_document
from kg.store import sorted_quads, write_trig

# KG_PROPERTY_EXAMPLES=5000 for a deeper, randomised search (the default run is repeatable).
EXAMPLES = int(os.environ.get("KG_PROPERTY_EXAMPLES", "500"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize="KG_PROPERTY_EXAMPLES" not in os.environ,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])

KG, OA, CITO = ns.KG, ns.OA, ns.CITO
RDF_TYPE = ns.RDF + "type"
FACT_CLASSES = (KG + "Mention", CITO + "Citation", KG + "IncidentReport", KG + "PostHolding", KG + "Signature",
                KG + "Annex", KG + "RedactedPerson")

# Pieces the extractors react to, and pieces that break naive serialisers.
FRAGMENTS = [
    "A/79/716", "A/77/686-S/2023/22", "S/2025/10/Add.31", "A/HRC/59/L.17", "S/PV.9228", "CAT/C/AZE/CO/5",
    "A/75/875*", "A/<79>/\"716\"", "A/79/{x}|^`\\716", "S/RES/2334 (2016)",
    "Security Council resolution 822 (1993)", "General Assembly resolution 62/243", "resolutions 853 and 874",
    "AL AZE 3/2024", "UA ARM 1/2023", "communication No. 123/2020", "Rule 82 of customary IHL (ICRC)",
    "I.C.J. Reports 2021, p. 71", "Chiragov and Others v. Armenia, application no. 13216/05",
    "Ibid.", "Id., Rule 83", "¹", "²³", "\n\n¹ A/77/686-S/2023/22.\n\n", "word¹ ",
    "Armenia", "Azerbaijan", "Armenian", "the Russian Federation", "Türkiye", "Côte d’Ivoire",
    "the Secretary-General", "the Human Rights Council", "the Committee against Torture",
    "the Convention against Torture", "article 7 of the International Covenant on Civil and Political Rights",
    "Article 120 of the Criminal Code of the Republic of Azerbaijan", "articles 1-3 of the Geneva Conventions",
    "(Signed) Yashar Aliyev\nAmbassador and Permanent Representative", "████ ███",
    "Letter dated 8 February 2023 from the Permanent Representative of Azerbaijan to the United Nations "
    "addressed to the Secretary-General",
    "Note verbale dated 4 March 2020 from the Permanent Mission of Armenia",
    "On 3 April 1993, 12 civilians, including 5 children, were killed and 7 injured in the village of Bashlibel "
    "by the armed forces of Armenia.",
    "killed", "injured", "hostages", "missing", "shelling", "landmine",
    "https://undocs.org/A/79/716", "http://x.org/a b<c>\"d\"{e}|f^g`h\\i", "www.example.org/%zz%00",
    "https://ex.org/<script>alert(1)</script>", "http://[::1]:80/", "http://ex.org/\u202e\u200f",
    # RDF / query syntax that must stay text
    "<http://evil/> <http://evil/p> \"o\" .", "\"\"\"", "'''", "\\u0022", "\\\"", "@prefix x: <http://x/> .",
    "} ; DROP ALL ; INSERT DATA { <a> <b> <c> } #", "SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }",
    "_:b0", "^^<http://www.w3.org/2001/XMLSchema#integer>", "@en", "GRAPH <x> {",
    # HTML that must stay text
    "<script>alert('x')</script>", "<img src=x onerror=alert(1)>", "&lt;b&gt;", "&#0;&#x1;&#xD800;&#x110000;",
    "&amp;", "</script><script>", "<!--", "]]>", "<![CDATA[x]]>",
    # characters that are illegal in IRIs, N-Triples literals or XML
    "\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b[31m", "\x7f", "\x85", "\x9f", "\r", "\r\n", "\t",
    "\u00a0", "\u2028", "\u2029", "\u200b", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069",
    "\ufeff", "\ufffd", "\ufffe", "\uffff", "\U0001f600", "\U000e0001", "\U0010fffd",
    "Ω", "中文", "العربية", "עברית", "Русский", "ﬁ", "e\u0301", "İ", "ß",
    "*", "**", "_", "`", "#", "[", "](", ")", "[label](#)", "<https://x.org>", "\\*",
    "A/" + "7" * 400,   # a long 'symbol' (10,000-character symbols are in test_hostile, on their own)
]

fragment = st.sampled_from(FRAGMENTS)
noise = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
separator = st.sampled_from([" ", " ", "\n", "\n\n", ", ", ". ", ""])
documents = st.lists(st.tuples(st.one_of(fragment, fragment, noise), separator), min_size=1, max_size=40).map(
    lambda parts: "".join(a + b for a, b in parts))


def _graph_of(quads) -> dict:
    """subject -> predicate -> [objects]"""
    g: dict = {}
    for q in quads:
        g.setdefault(q.subject, {}).setdefault(q.predicate.value, []).append(q.object)
    return g


def check_output(text: str, source_text_length: int, quads: list[ox.Quad]) -> None:
    # 1. every serialisation parses under a strict parser and gives back the same quads
    for fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        data = ox.serialize(sorted_quads(quads), format=fmt, prefixes=ns.PREFIXES) if fmt == ox.RdfFormat.TRIG \
            else ox.serialize(quads, format=fmt)
        back = list(ox.parse(data, format=fmt))
        assert set(back) == set(quads), f"{fmt} did not round-trip"
    for q in quads:                        # every IRI is one the strict IRI parser accepts on its own
        for t in (q.subject, q.predicate, q.object, q.graph_name):
            if isinstance(t, ox.NamedNode):
                ox.NamedNode(t.value)
    # 2. every fact has evidence, and every evidence's offsets cut out its quote
    g = _graph_of(quads)
    for s, props in g.items():
        types = {t.value for t in props.get(RDF_TYPE, [])}
        if types & set(FACT_CLASSES):
            assert props.get(KG + "evidence"), f"{s} ({types}) has no kg:evidence"
        for ev in props.get(KG + "evidence", []):
            e = g[ev]
            start, end = int(e[OA + "start"][0].value), int(e[OA + "end"][0].value)
            exact = e[OA + "exact"][0].value
            assert 0 <= start <= end <= len(text)
            assert text[start:end] == exact, f"evidence {ev}: {text[start:end]!r} != {exact!r}"
            s0, s1 = int(e[KG + "sourceStart"][0].value), int(e[KG + "sourceEnd"][0].value)
            assert 0 <= s0 <= s1 <= source_text_length


def run_pipeline(path, tmp_out=None):
    try:
        src = read_document(path)
    except IngestError as e:
        # a refusal is fine, as long as it is the documented one-line '<path>: <reason>'
        assert "\n" not in str(e) and str(e).startswith(str(path) + ": ") and e.reason
        return None
    ex = extract(src.source, src.sha256, src.text, src.segments)
    quads = mapping.map_extraction(ex, mapping.Aliases.from_extractions([ex]))
    check_output(src.text, src.source_text_length, quads)
    if tmp_out is not None:                  # and the file kg build writes parses too
        trig = write_trig(tmp_out, quads)
        assert set(ox.parse(path=str(trig), format=ox.RdfFormat.TRIG)) == set(quads)
    return src, ex, quads


def test_all_fragments_at_once(tmp_path):
    """One document holding every adversarial fragment, in each text format: facts are found (so the
    evidence check is not vacuous), the output parses, every fact has evidence."""
    # (a NUL byte makes a text file 'binary data': it is refused, which test_hostile checks)
    body = "\n\n".join(f"Paragraph {i}: {f} and {f}." for i, f in enumerate(FRAGMENTS) if f != "\x00")
    for suffix in (".txt", ".md", ".html"):
        path = tmp_path / f"all{suffix}"
        path.write_text(body, encoding="utf-8")
        _src, ex, quads = run_pipeline(path, tmp_path)
        assert ex.mentions and ex.citations and ex.incidents and ex.provisions
        assert len(quads) > 300


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("prop")


@SETTINGS
@given(text=documents, suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_random_documents_give_strict_rdf_with_evidence(workdir, text, suffix):
    path = workdir / f"doc{suffix}"
    path.write_text(text, encoding="utf-8")
    run_pipeline(path, workdir)


CORPUS_TEXT = {p.name: p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))}


@settings(SETTINGS, max_examples=max(1, EXAMPLES // 2))
@given(name=st.sampled_from(sorted(CORPUS_TEXT)), data=st.data(), suffix=st.sampled_from([".txt", ".html"]))
def test_real_letters_with_hostile_insertions(workdir, name, data, suffix):
    """A real document with adversarial fragments dropped in at random places: facts are still found
    around them, and the output still parses with exact evidence."""
    text = CORPUS_TEXT[name]
    inserts = data.draw(st.lists(st.tuples(st.integers(0, len(text)), st.one_of(fragment, noise)),
                                 min_size=1, max_size=12))
    for at, piece in sorted(inserts, reverse=True):
        text = text[:at] + piece + text[at:]
    path = workdir / f"real{suffix}"
    path.write_text(text, encoding="utf-8")
    out = run_pipeline(path)
    if out is not None:
        assert out[1].mentions


@SETTINGS
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".txt", ".md", ".html", ".docx", ".pdf"]))
def test_random_bytes_are_read_or_refused_cleanly(workdir, data, suffix):
    path = workdir / f"bytes{suffix}"
    path.write_bytes(data)
    run_pipeline(path)


@SETTINGS
@given(text=documents, encoding=st.sampled_from(["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252",
                                                 "utf-16-le-nobom"]))
def test_encodings(workdir, text, encoding):
    data = text.encode(encoding.replace("-nobom", ""), errors="ignore")
    assume(data)
    if encoding == "utf-16-le":
        data = b"\xff\xfe" + data
    elif encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = workdir / "enc.txt"
    path.write_bytes(data)
    out = run_pipeline(path)
    if out is not None and encoding not in ("cp1252", "utf-16-le-nobom"):
        # what was written is what is read (after normalisation, nothing is invented)
        assert set(out[0].text) <= set(text) | set(" \n-23")


# ------------------------------------------------------------------------------- IRI minting

ANY = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)


@SETTINGS
@given(value=ANY)
def test_minted_iris_are_valid_for_any_text(value):
    """Everything that reaches an IRI from a document (symbols, names, places, numbers, article numbers,
    file names, URLs) gives an IRI the strict parser accepts, or (URLs only) None."""
    iris = [ns.document_iri(value), ns.file_document_iri(value), ns.graph_iri(value), ns.person_iri(value),
            ns.place_iri(value), ns.resolution_iri("security-council", value), ns.communication_iri(value),
            ns.law_iri(None, value), ns.law_iri("AZE", value), ns.provision_iri(ns.law_iri("AZE", "code"), value),
            ns.extractor_iri(value), mapping.entity_iri("entity", value), mapping.entity_iri("place", value),
            mapping.citation_target_iri("document", value, mapping.Aliases()),
            mapping.citation_target_iri("communication", value, mapping.Aliases()),
            mapping.citation_target_iri("case", value, mapping.Aliases()),
            mapping.citation_target_iri("rule", value, mapping.Aliases()),
            mapping.citation_target_iri("resolution", "general-assembly/" + value, mapping.Aliases())]
    for iri in iris:
        assert ox.NamedNode(iri).value == iri
    url = ns.external_iri(value)
    if url is not None:
        ox.NamedNode(url)


@SETTINGS
@given(value=ANY)
def test_literals_round_trip_through_n_triples(value):
    lit = mapping.lit(value)
    q = ox.Quad(ox.NamedNode("http://ex.org/s"), ox.NamedNode("http://ex.org/p"), lit, ox.DefaultGraph())
    for fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        back = list(ox.parse(ox.serialize([q], format=fmt), format=fmt))
        assert back == [q]
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", lit.value)


@SETTINGS
@given(a=ANY, b=ANY)
@example(a="Доклад", b="报告")                 # UN documents come in six languages, and so do file names
@example(a="تقرير", b="Отчёт")
@example(a="café", b="cafe")
@example(a="x" * 90 + "1", b="x" * 90 + "2")   # names that differ only after the slug's 80 characters
def test_different_file_names_get_different_graphs(a, b):
    """Two files of one batch never share a named graph unless their names are the same."""
    assume(a != b and a.strip() and b.strip())
    assume(a.lower() != b.lower())
    # Names that differ only in punctuation/case may share a slug by design (the build then refuses
    # the second one with a message); names in different scripts must not collide.
    na, nb = re.sub(r"[\W_]+", "", a.casefold()), re.sub(r"[\W_]+", "", b.casefold())
    assume(na != nb)
    assert ns.graph_iri(a + ".txt") != ns.graph_iri(b + ".txt")
