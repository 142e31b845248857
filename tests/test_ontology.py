"""The ontology (ontologies/kg.ttl) and SHACL shapes (ontologies/shapes.ttl).

- both files parse with rdflib and with pyoxigraph (which is strict about IRIs);
- every kg: term that docs/data-model.md or the shapes use is defined, with a label and a comment;
- the reused external terms are declared with rdfs:isDefinedBy, and the alignments hold;
- the shapes accept a small build modelled on docs/data-model.md, and each way of breaking it
  is reported as a violation on the right focus node and path.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pytest
from pyshacl import validate
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

ROOT = Path(__file__).resolve().parents[1]
KG_TTL = ROOT / "ontologies" / "kg.ttl"
SHAPES_TTL = ROOT / "ontologies" / "shapes.ttl"
DATA_MODEL = ROOT / "docs" / "data-model.md"
VOCABULARIES = sorted((ROOT / "ontologies" / "vocab").glob("*.ttl"))

KG = Namespace("https://w3id.org/kg-un/ontology#")
KGID = Namespace("https://w3id.org/kg-un/id/")
KGG = Namespace("https://w3id.org/kg-un/graph/")
CITO = Namespace("http://purl.org/spar/cito/")
FABIO = Namespace("http://purl.org/spar/fabio/")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SCHEMA = Namespace("http://schema.org/")
XSD_NS = "http://www.w3.org/2001/XMLSchema#"

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")

KG_TERM = re.compile(r"(?<![\w-])kg:([A-Za-z_]\w*)")
DECLARATION_TYPES = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
    RDFS.Datatype,
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(KG_TTL, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_TTL, format="turtle")


# --------------------------------------------------------------------------------------------
# Parsing and IRIs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [KG_TTL, SHAPES_TTL], ids=lambda p: p.name)
def test_parses_with_rdflib_and_pyoxigraph_alike(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    store = pyoxigraph.Store()
    store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(graph) > 0
    assert len(store) == len(graph)


@pytest.mark.parametrize("path", [KG_TTL, SHAPES_TTL], ids=lambda p: p.name)
def test_every_iri_is_valid(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    iris = {term for triple in graph for term in triple if isinstance(term, URIRef)}
    iris |= {
        term.datatype
        for triple in graph
        for term in triple
        if isinstance(term, Literal) and term.datatype is not None
    }
    for iri in sorted(iris):
        pyoxigraph.NamedNode(str(iri))  # raises ValueError on an invalid IRI


def test_ontology_header(ontology: Graph) -> None:
    onto = URIRef("https://w3id.org/kg-un/ontology")
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(onto, DCTERMS.title) is not None
    assert ontology.value(onto, DCTERMS.description) is not None
    assert ontology.value(onto, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert ontology.value(onto, OWL.versionInfo) == Literal("0.1.0")
    assert ontology.value(onto, OWL.imports) is None, "must load offline: no owl:imports"


# --------------------------------------------------------------------------------------------
# Every kg: term is defined, labelled and explained
# --------------------------------------------------------------------------------------------

REQUIRED_CLASSES = """
Document Letter IdenticalLetters NoteVerbale StateReport JointStatement Statement Communication
Resolution Decision MeetingRecord Judgment Annex Report State Body UNPrincipalOrgan UNOfficial
UNSubsidiaryBody TreatyBody SpecialProcedure InvestigativeMechanism UNEntity
IntergovernmentalOrganization Court NonGovernmentalOrganization LegalInstrument Treaty Declaration
CodeOfConduct CustomaryRules DomesticLaw Provision Place IncidentReport Evidence Mention
PostHolding RedactedPerson Signature Extractor UNStatus
""".split()

REQUIRED_PROPERTIES = """
symbol dated dateReceived originalLanguage session agendaItem jobNumber authorState addressee
signatory sourceFile sha256 mentions invokes accuses inDocument evidence refersTo citedAs
inFootnote reportedBy incidentType date killed injured childrenKilled hostages missing displaced
allegedPerpetrator weapon sameEventAs person postTitle articleNumber jurisdiction formalName
adjective demonym abbreviation unStatus partOf resolutionNumber adoptedBy communicationType
concernsState sourceStart sourceEnd extractorVersion victimState inState
""".split()


def _terms_used_in(path: Path) -> set[str]:
    return set(KG_TERM.findall(path.read_text(encoding="utf-8")))


def _assert_defined(ontology: Graph, name: str) -> None:
    term = KG[name]
    types = set(ontology.objects(term, RDF.type))
    assert types & DECLARATION_TYPES, f"kg:{name} is not declared in kg.ttl"
    label = ontology.value(term, RDFS.label)
    comment = ontology.value(term, RDFS.comment)
    assert label is not None and str(label).strip(), f"kg:{name} has no rdfs:label"
    assert comment is not None and len(str(comment).split()) >= 4, f"kg:{name} has no real rdfs:comment"


@pytest.mark.parametrize("source", [DATA_MODEL, SHAPES_TTL], ids=lambda p: p.name)
def test_every_kg_term_used_is_defined(ontology: Graph, source: Path) -> None:
    used = _terms_used_in(source)
    assert used, f"no kg: terms found in {source.name}"
    missing = []
    for name in sorted(used):
        try:
            _assert_defined(ontology, name)
        except AssertionError as err:
            missing.append(str(err))
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("name", REQUIRED_CLASSES)
def test_required_class_is_defined(ontology: Graph, name: str) -> None:
    _assert_defined(ontology, name)
    assert (KG[name], RDF.type, OWL.Class) in ontology


@pytest.mark.parametrize("name", REQUIRED_PROPERTIES)
def test_required_property_is_defined(ontology: Graph, name: str) -> None:
    _assert_defined(ontology, name)
    types = set(ontology.objects(KG[name], RDF.type))
    assert types & {OWL.ObjectProperty, OWL.DatatypeProperty}


@pytest.mark.parametrize("source", VOCABULARIES, ids=lambda p: p.name)
def test_every_kg_term_in_the_vocabularies_is_defined(ontology: Graph, source: Path) -> None:
    for name in sorted(_terms_used_in(source)):
        _assert_defined(ontology, name)


def test_every_kg_term_in_the_ontology_is_documented(ontology: Graph) -> None:
    defined = {s for s in ontology.subjects() if isinstance(s, URIRef) and s.startswith(str(KG))}
    for term in defined:
        _assert_defined(ontology, term[len(str(KG)) :])


def test_un_status_individuals_and_datatypes(ontology: Graph) -> None:
    for name in ("MemberState", "ObserverState", "HistoricalState"):
        assert (KG[name], RDF.type, KG.UNStatus) in ontology
        _assert_defined(ontology, name)
    for name in ("ISO3166Alpha3", "ISO3166Alpha2"):
        assert (KG[name], RDF.type, RDFS.Datatype) in ontology
    assert (KG.sameEventAs, RDF.type, OWL.SymmetricProperty) in ontology


# --------------------------------------------------------------------------------------------
# Reuse: alignments and declared external terms
# --------------------------------------------------------------------------------------------

ALIGNMENTS = [
    (KG.Document, RDFS.subClassOf, FABIO.Expression),
    (KG.Letter, RDFS.subClassOf, FABIO.Letter),
    (KG.Report, RDFS.subClassOf, FABIO.ReportDocument),
    (KG.MeetingRecord, RDFS.seeAlso, FABIO.MeetingReport),
    (KG.Judgment, RDFS.seeAlso, FABIO.LegalOpinion),
    (KG.State, RDFS.subClassOf, FOAF.Agent),
    (KG.Body, RDFS.subClassOf, ORG.Organization),
    (KG.IncidentReport, RDFS.subClassOf, SEM.Event),
    (KG.IncidentReport, RDFS.subClassOf, PROV.Entity),
    (KG.Place, RDFS.subClassOf, SEM.Place),
    (KG.LegalInstrument, RDFS.subClassOf, ELI.LegalResource),
    (KG.Provision, RDFS.subClassOf, ELI.LegalResourceSubdivision),
    (KG.PostHolding, RDFS.seeAlso, ORG.Post),
    (KG.Evidence, RDFS.subClassOf, OA.TextPositionSelector),
    (KG.Evidence, RDFS.subClassOf, OA.TextQuoteSelector),
    (KG.symbol, RDFS.subPropertyOf, DCTERMS.identifier),
    (KG.dated, RDFS.subPropertyOf, DCTERMS.date),
    (KG.dateReceived, RDFS.subPropertyOf, DCTERMS.dateSubmitted),
    (KG.authorState, RDFS.subPropertyOf, DCTERMS.creator),
    (KG.mentions, RDFS.seeAlso, SCHEMA.mentions),
    (KG.evidence, RDFS.subPropertyOf, PROV.wasDerivedFrom),
    (KG.reportedBy, RDFS.subPropertyOf, PROV.wasDerivedFrom),
    (KG.reportedBy, RDFS.seeAlso, PROV.wasAttributedTo),
]


@pytest.mark.parametrize("axiom", ALIGNMENTS, ids=lambda a: f"{a[0].n3()}-{a[2].n3()}")
def test_alignment(ontology: Graph, axiom: tuple[URIRef, URIRef, URIRef]) -> None:
    assert axiom in ontology


EXTERNAL_TERMS_USED_BY_THE_DATA = [
    CITO.cites, CITO.repliesTo, CITO.disputes, CITO.citesAsEvidence, CITO.Citation,
    CITO.hasCitingEntity, CITO.hasCitedEntity, CITO.hasCitationCharacterization,
    OA.start, OA.end, OA.exact, SEM.hasPlace, SEM.hasBeginTimeStamp, SEM.hasEndTimeStamp,
    ELI.is_part_of, ORG.postIn, FOAF.name, FOAF.Person, PROV.wasGeneratedBy,
    DCTERMS.title, DCTERMS.issued, SKOS.prefLabel, SKOS.notation, SKOS.inScheme, SKOS.Concept,
]  # fmt: skip


def _external(term: URIRef) -> bool:
    builtin = (str(KG), XSD_NS, str(RDF), str(RDFS), str(OWL), "https://undocs.org/")
    return not str(term).startswith(builtin)


def test_external_terms_are_declared_not_redefined(ontology: Graph) -> None:
    referenced = {
        o
        for p in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, RDFS.seeAlso)
        for o in ontology.objects(None, p)
        if isinstance(o, URIRef) and _external(o)
    }
    for term in sorted(referenced | set(EXTERNAL_TERMS_USED_BY_THE_DATA)):
        assert set(ontology.objects(term, RDF.type)) & DECLARATION_TYPES, f"{term} not declared"
        assert ontology.value(term, RDFS.isDefinedBy) is not None, f"{term} lacks rdfs:isDefinedBy"
        assert ontology.value(term, RDFS.label) is not None, f"{term} lacks rdfs:label"
        for p in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, RDFS.comment):
            assert ontology.value(term, p) is None, f"{term} is given {p.n3()}: not ours to define"


# --------------------------------------------------------------------------------------------
# The shapes themselves
# --------------------------------------------------------------------------------------------


def test_every_shape_is_written_for_a_person(shapes: Graph) -> None:
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    assert len(node_shapes) >= 8
    for shape in node_shapes:
        assert shapes.value(shape, SH.name) is not None, f"{shape} has no sh:name"
        assert shapes.value(shape, RDFS.comment) is not None, f"{shape} has no rdfs:comment"
        for prop in shapes.objects(shape, SH.property):
            path = shapes.value(prop, SH.path)
            assert shapes.value(prop, SH.message) is not None, f"{shape} {path}: no sh:message"
            assert shapes.value(prop, SH.name) is not None, f"{shape} {path}: no sh:name"


def test_shapes_use_no_sparql_constraints(shapes: Graph) -> None:
    assert not list(shapes.subject_objects(SH.sparql))
    assert not list(shapes.subject_objects(SH.select))


# --------------------------------------------------------------------------------------------
# SHACL on a small build shaped like docs/data-model.md
# --------------------------------------------------------------------------------------------

BUILD = r"""
@prefix kg:      <https://w3id.org/kg-un/ontology#> .
@prefix kgg:     <https://w3id.org/kg-un/graph/> .
@prefix state:   <https://w3id.org/kg-un/id/state/> .
@prefix body:    <https://w3id.org/kg-un/id/body/> .
@prefix inst:    <https://w3id.org/kg-un/id/instrument/> .
@prefix iccpr:   <https://w3id.org/kg-un/id/instrument/iccpr/article/> .
@prefix scheme:  <https://w3id.org/kg-un/id/scheme/> .
@prefix person:  <https://w3id.org/kg-un/id/person/> .
@prefix place:   <https://w3id.org/kg-un/id/place/> .
@prefix extr:    <https://w3id.org/kg-un/id/extractor/> .
@prefix d4m:     <https://w3id.org/kg-un/graph/004-ffed4b976815c69f/mention/> .
@prefix d4c:     <https://w3id.org/kg-un/graph/004-ffed4b976815c69f/citation/> .
@prefix d4i:     <https://w3id.org/kg-un/graph/004-ffed4b976815c69f/incident/> .
@prefix d4h:     <https://w3id.org/kg-un/graph/004-ffed4b976815c69f/holding/> .
@prefix d4s:     <https://w3id.org/kg-un/graph/004-ffed4b976815c69f/signature/> .
@prefix d4r:     <https://w3id.org/kg-un/graph/004-ffed4b976815c69f/redacted/> .
@prefix ev4:     <https://w3id.org/kg-un/graph/004-ffed4b976815c69f/ev/> .
@prefix d3i:     <https://w3id.org/kg-un/graph/003-5f0808684c00eb6a/incident/> .
@prefix ev3:     <https://w3id.org/kg-un/graph/003-5f0808684c00eb6a/ev/> .
@prefix cito:    <http://purl.org/spar/cito/> .
@prefix oa:      <http://www.w3.org/ns/oa#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix sem:     <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix eli:     <http://data.europa.eu/eli/ontology#> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix foaf:    <http://xmlns.com/foaf/0.1/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .

kgg:vocab {
    scheme:states a skos:ConceptScheme ; skos:prefLabel "States"@en .
    scheme:bodies a skos:ConceptScheme ; skos:prefLabel "Bodies"@en .
    scheme:instruments a skos:ConceptScheme ; skos:prefLabel "Legal instruments"@en .

    state:AZE a kg:State , skos:Concept ;
        skos:inScheme scheme:states ;
        skos:prefLabel "Azerbaijan"@en , "Azerbaïdjan"@fr ;
        skos:notation "AZE"^^kg:ISO3166Alpha3 , "AZ"^^kg:ISO3166Alpha2 ;
        kg:formalName "Republic of Azerbaijan"@en ;
        kg:adjective "Azerbaijani"@en ; kg:demonym "Azerbaijanis"@en ;
        kg:unStatus kg:MemberState .
    state:ARM a kg:State , skos:Concept ;
        skos:inScheme scheme:states ;
        skos:prefLabel "Armenia"@en ;
        skos:notation "ARM"^^kg:ISO3166Alpha3 , "AM"^^kg:ISO3166Alpha2 ;
        kg:adjective "Armenian"@en ; kg:demonym "Armenians"@en ;
        kg:unStatus kg:MemberState .
    body:secretary-general a kg:UNOfficial , skos:Concept ;
        skos:inScheme scheme:bodies ;
        skos:prefLabel "Secretary-General"@en .
    inst:iccpr a kg:Treaty , skos:Concept ;
        skos:inScheme scheme:instruments ;
        skos:prefLabel "International Covenant on Civil and Political Rights"@en ;
        kg:abbreviation "ICCPR" .
}

kgg:004-ffed4b976815c69f {
    <https://undocs.org/A/75/875> a kg:Letter ;
        kg:symbol "A/75/875" , "S/2021/433" ;
        dcterms:title "Letter dated 5 May 2021 from the Permanent Representative of Azerbaijan to the United Nations addressed to the Secretary-General" ;
        dcterms:issued "2021-05-14"^^xsd:date ;
        kg:dated "2021-05-05"^^xsd:date ;
        kg:originalLanguage "English" ;
        kg:session "Seventy-fifth session" ; kg:agendaItem "18" ;
        kg:jobNumber "21-06319" ;
        kg:authorState state:AZE ;
        kg:addressee body:secretary-general ;
        kg:signatory person:yashar-aliyev ;
        kg:sourceFile "004_ffed4b976815c69f.txt" ;
        kg:sha256 "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" ;
        kg:mentions state:ARM , place:bashlibel ;
        cito:cites <https://undocs.org/A/77/686> ;
        cito:repliesTo <https://undocs.org/A/75/800> ;
        kg:invokes iccpr:6 ;
        kg:accuses state:ARM .

    ev4:120-148 a kg:Evidence , oa:TextPositionSelector , oa:TextQuoteSelector ;
        kg:inDocument <https://undocs.org/A/75/875> ;
        oa:start 120 ; oa:end 148 ;
        kg:sourceStart 131 ; kg:sourceEnd 159 ;
        oa:exact "the Permanent Representative" ;
        prov:wasGeneratedBy extr:actors .
    ev4:300-307 a kg:Evidence , oa:TextPositionSelector , oa:TextQuoteSelector ;
        kg:inDocument <https://undocs.org/A/75/875> ; oa:start 300 ; oa:end 307 ;
        oa:exact "Armenia" ; prov:wasGeneratedBy extr:actors .
    ev4:410-419 a kg:Evidence , oa:TextPositionSelector , oa:TextQuoteSelector ;
        kg:inDocument <https://undocs.org/A/75/875> ; oa:start 410 ; oa:end 419 ;
        oa:exact "A/77/686," ; prov:wasGeneratedBy extr:citations .
    ev4:500-614 a kg:Evidence , oa:TextPositionSelector , oa:TextQuoteSelector ;
        kg:inDocument <https://undocs.org/A/75/875> ; oa:start 500 ; oa:end 614 ;
        oa:exact "On 18 April 1993, Armenian armed forces attacked the village of Bashlibel, killing 12 civilians, including a child" ;
        prov:wasGeneratedBy extr:incidents .
    ev4:900-922 a kg:Evidence , oa:TextPositionSelector , oa:TextQuoteSelector ;
        kg:inDocument <https://undocs.org/A/75/875> ; oa:start 900 ; oa:end 922 ;
        oa:exact "(Signed) Yashar Aliyev" ; prov:wasGeneratedBy extr:actors .
    ev4:950-954 a kg:Evidence , oa:TextPositionSelector , oa:TextQuoteSelector ;
        kg:inDocument <https://undocs.org/A/75/875> ; oa:start 950 ; oa:end 954 ;
        oa:exact "████" ; prov:wasGeneratedBy extr:actors .

    d4m:arm a kg:Mention ;
        kg:inDocument <https://undocs.org/A/75/875> ; kg:refersTo state:ARM ; kg:evidence ev4:300-307 .

    d4c:1 a cito:Citation ;
        cito:hasCitingEntity <https://undocs.org/A/75/875> ;
        cito:hasCitedEntity <https://undocs.org/A/77/686> ;
        cito:hasCitationCharacterization cito:cites ;
        kg:citedAs "A/77/686" ; kg:inFootnote "3" ;
        kg:evidence ev4:410-419 .

    d4i:1 a kg:IncidentReport ;
        kg:reportedBy <https://undocs.org/A/75/875> ;
        kg:incidentType "massacre" ;
        sem:hasPlace place:bashlibel ;
        kg:date "1993-04-18" ;
        sem:hasBeginTimeStamp "1993-04-18"^^xsd:date ; sem:hasEndTimeStamp "1993-04-18"^^xsd:date ;
        kg:killed 12 ; kg:childrenKilled 1 ;
        kg:allegedPerpetrator state:ARM ;
        kg:victimState state:AZE ;
        kg:evidence ev4:500-614 .

    place:bashlibel a kg:Place ; rdfs:label "Bashlibel" ; kg:inState state:AZE .

    person:yashar-aliyev a foaf:Person ; foaf:name "Yashar Aliyev" .
    d4h:1 a kg:PostHolding ; kg:person person:yashar-aliyev ;
        kg:postTitle "Permanent Representative" ; org:postIn state:AZE ; kg:evidence ev4:120-148 .
    d4s:1 a kg:Signature ; kg:person person:yashar-aliyev ;
        kg:postTitle "Permanent Representative" ; kg:evidence ev4:900-922 .
    d4r:1 a kg:RedactedPerson ; kg:evidence ev4:950-954 .

    iccpr:6 a kg:Provision , eli:LegalResourceSubdivision ;
        eli:is_part_of inst:iccpr ; kg:articleNumber "6" ;
        rdfs:label "International Covenant on Civil and Political Rights, article 6" .
}

kgg:003-5f0808684c00eb6a {
    <https://undocs.org/A/77/686> a kg:Letter ;
        kg:symbol "A/77/686" , "S/2023/22" ;
        dcterms:issued "2023-01-12"^^xsd:date ;
        kg:authorState state:AZE ;
        kg:sourceFile "003_5f0808684c00eb6a.txt" ;
        kg:sha256 "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752" .
    ev3:40-90 a kg:Evidence , oa:TextPositionSelector , oa:TextQuoteSelector ;
        kg:inDocument <https://undocs.org/A/77/686> ; oa:start 40 ; oa:end 90 ;
        oa:exact "the massacre of the civilians of Bashlibel in 1993" ;
        prov:wasGeneratedBy extr:incidents .
    d3i:1 a kg:IncidentReport ;
        kg:reportedBy <https://undocs.org/A/77/686> ;
        kg:incidentType "massacre" ;
        sem:hasPlace place:bashlibel ;
        kg:date "1993" ;
        sem:hasBeginTimeStamp "1993-01-01"^^xsd:date ; sem:hasEndTimeStamp "1993-12-31"^^xsd:date ;
        kg:killed "11"^^xsd:nonNegativeInteger ;
        kg:evidence ev3:40-90 .
}

kgg:links {
    d4i:1 kg:sameEventAs d3i:1 .
}
"""

D4 = Namespace("https://w3id.org/kg-un/graph/004-ffed4b976815c69f/")
EV4 = Namespace("https://w3id.org/kg-un/graph/004-ffed4b976815c69f/ev/")
DOC_GRAPH = KGG["004-ffed4b976815c69f"]


def _build() -> Dataset:
    ds = Dataset()
    ds.parse(data=BUILD, format="trig")
    return ds


def _violations(ds: Dataset, ontology: Graph, shapes: Graph) -> set[tuple[URIRef, URIRef]]:
    conforms, report, text = validate(
        ds, shacl_graph=shapes, ont_graph=ontology, inference="none", allow_warnings=False
    )
    results = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        assert report.value(result, SH.resultSeverity) == SH.Violation
        assert report.value(result, SH.resultMessage) is not None, "every result has a message"
        results.add((report.value(result, SH.focusNode), report.value(result, SH.resultPath)))
    assert conforms == (not results), text
    return results


def test_build_is_valid_rdf_for_pyoxigraph() -> None:
    store = pyoxigraph.Store()
    store.load(BUILD.encode("utf-8"), format=pyoxigraph.RdfFormat.TRIG)
    assert len(store) == len(_build())


def test_build_spans_are_half_open_offsets() -> None:
    """In the sample build, as in a real one, oa:exact is the text from oa:start up to oa:end."""
    ds = _build()
    ds.default_union = True
    spans = list(ds.subjects(RDF.type, KG.Evidence))
    assert len(spans) == 7
    for span in spans:
        start, end = ds.value(span, OA.start).toPython(), ds.value(span, OA.end).toPython()
        assert len(str(ds.value(span, OA.exact))) == end - start, span


def test_conforming_build_passes(ontology: Graph, shapes: Graph) -> None:
    assert _violations(_build(), ontology, shapes) == set()


def test_shapes_graph_is_valid_shacl(ontology: Graph, shapes: Graph) -> None:
    conforms, _, text = validate(
        _build(), shacl_graph=shapes, ont_graph=ontology, meta_shacl=True, inference="none"
    )
    assert conforms, text


def _doc(ds: Dataset) -> Graph:
    return ds.graph(DOC_GRAPH)


def _drop_evidence_of_mention(ds: Dataset) -> None:
    _doc(ds).remove((D4["mention/arm"], KG.evidence, None))


def _start_after_end(ds: Dataset) -> None:
    _doc(ds).set((EV4["120-148"], OA.start, Literal(150)))


def _negative_killed(ds: Dataset) -> None:
    _doc(ds).set((D4["incident/1"], KG.killed, Literal(-3)))


def _citation_without_characterization(ds: Dataset) -> None:
    _doc(ds).remove((D4["citation/1"], CITO.hasCitationCharacterization, None))


BREAKAGES = [
    (_drop_evidence_of_mention, D4["mention/arm"], KG.evidence),
    (_start_after_end, EV4["120-148"], OA.start),
    (_negative_killed, D4["incident/1"], KG.killed),
    (_citation_without_characterization, D4["citation/1"], CITO.hasCitationCharacterization),
]


@pytest.mark.parametrize(
    "breakage, focus, path", BREAKAGES, ids=[b[0].__name__.lstrip("_") for b in BREAKAGES]
)
def test_broken_build_is_reported_on_the_right_path(
    ontology: Graph, shapes: Graph, breakage, focus: URIRef, path: URIRef
) -> None:
    ds = _build()
    breakage(ds)
    assert _violations(ds, ontology, shapes) == {(focus, path)}


@pytest.mark.parametrize(
    "triple, focus, path",
    [
        # a symbol with a trailing space
        ((URIRef("https://undocs.org/A/75/875"), KG.symbol, Literal("A/75/875 ")),
         URIRef("https://undocs.org/A/75/875"), KG.symbol),
        # a date that is not a date
        ((D4["incident/1"], KG.date, Literal("18 April 1993")), D4["incident/1"], KG.date),
        # an author "State" that is not a State of the vocabulary
        ((URIRef("https://undocs.org/A/75/875"), KG.authorState, KGID["body/secretary-general"]),
         URIRef("https://undocs.org/A/75/875"), KG.authorState),
        # a citation characterised by something that is not a CiTO citation type
        ((D4["citation/1"], CITO.hasCitationCharacterization, CITO.likes),
         D4["citation/1"], CITO.hasCitationCharacterization),
        # a State with a second alpha-3 notation
        ((KGID["state/ARM"], SKOS.notation, Literal("AMR", datatype=KG.ISO3166Alpha3)),
         KGID["state/ARM"], SKOS.notation),
    ],
    ids=["symbol-space", "date-format", "author-not-state", "unknown-characterization", "two-iso3"],
)  # fmt: skip
def test_more_breakages(ontology: Graph, shapes: Graph, triple, focus, path) -> None:
    ds = _build()
    graph = ds.graph(KGG.vocab) if triple[0] == KGID["state/ARM"] else _doc(ds)
    graph.add(triple)
    assert _violations(ds, ontology, shapes) == {(focus, path)}


def test_evidence_without_extractor_or_quote(ontology: Graph, shapes: Graph) -> None:
    ds = _build()
    ds.graph(DOC_GRAPH).remove((EV4["300-307"], PROV.wasGeneratedBy, None))
    ds.graph(DOC_GRAPH).set((EV4["300-307"], OA.exact, Literal("")))
    assert _violations(ds, ontology, shapes) == {
        (EV4["300-307"], PROV.wasGeneratedBy),
        (EV4["300-307"], OA.exact),
    }


def test_node_shapes_are_named(shapes: Graph) -> None:
    """Node shapes are named, so that a report says which rule failed."""
    assert not [s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, BNode)]


@pytest.mark.parametrize("path", VOCABULARIES, ids=lambda p: p.name)
def test_vocabulary_conforms(ontology: Graph, shapes: Graph, path: Path) -> None:
    vocab = Graph().parse(path, format="turtle")
    conforms, _, text = validate(vocab, shacl_graph=shapes, ont_graph=ontology, inference="none")
    assert conforms, text
