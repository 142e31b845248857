"""IRIs: namespaces and the minting rules of docs/data-model.md.

Every IRI the project writes is minted here, so the rules for stable identifiers live in one place
and every IRI is checked by pyoxigraph's strict parser.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote

from pyoxigraph import NamedNode

KG = "https://w3id.org/kg-un/ontology#"
KGID = "https://w3id.org/kg-un/id/"
KGG = "https://w3id.org/kg-un/graph/"
UNDOC = "https://undocs.org/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
CITO = "http://purl.org/spar/cito/"
FABIO = "http://purl.org/spar/fabio/"
ELI = "http://data.europa.eu/eli/ontology#"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"

PREFIXES = {
    "kg": KG, "kgid": KGID, "kgg": KGG, "undoc": UNDOC, "rdf": RDF, "rdfs": RDFS, "xsd": XSD,
    "owl": OWL, "skos": SKOS, "dcterms": DCTERMS, "cito": CITO, "fabio": FABIO, "eli": ELI,
    "sem": SEM, "org": ORG, "foaf": FOAF, "prov": PROV, "oa": OA,
}

GRAPH_ONTOLOGY = KGG + "ontology"
GRAPH_VOCAB = KGG + "vocab"
GRAPH_LINKS = KGG + "links"


@lru_cache(maxsize=65536)     # called for every fact's extractor and entity; the names repeat
def slug(text: str, max_len: int = 80) -> str:
    """Lower-case ASCII words joined by '-': 'Criminal Code of the Republic' -> 'criminal-code-of-the-republic'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = "-".join(words)[:max_len].strip("-")
    return out or "x"


def node(iri: str) -> NamedNode:
    """A NamedNode, which raises ValueError on any IRI a strict parser would refuse."""
    return NamedNode(iri)


def document_iri(symbol: str) -> str:
    # The symbol path stays readable; anything outside a conservative set is percent-encoded,
    # so a hostile 'symbol' can never break an IRI.
    return UNDOC + quote(symbol, safe="/.-_")


def file_slug(source_name: str) -> str:
    """slug() of a file name, made unique where slug() drops what tells names apart: letters outside
    ASCII ('Доклад.txt' and '报告.txt' both give 'txt') or anything past 80 characters. ASCII names of up
    to 80 characters (the usual case) keep their plain slug."""
    s = slug(source_name)
    if re.sub(r"[\W_]+", "-", source_name.casefold()).strip("-") != s:
        s = f"{s[:70].strip('-')}-{hashlib.sha256(source_name.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"
    return s


def file_document_iri(source_name: str) -> str:
    return f"{KGID}doc/{file_slug(source_name)}"


def graph_iri(source_name: str) -> str:
    return KGG + file_slug(source_name)


def state_iri(iso3: str) -> str:
    return f"{KGID}state/{iso3.upper()}"


def person_iri(name: str) -> str:
    return f"{KGID}person/{slug(name)}"


def place_iri(name: str) -> str:
    return f"{KGID}place/{slug(name)}"


def resolution_iri(organ_slug: str, number: str) -> str:
    return f"{KGID}resolution/{organ_slug}/{slug(number)}"


def communication_iri(reference: str) -> str:
    return f"{KGID}communication/{slug(reference).upper()}"


def law_iri(jurisdiction: str | None, title: str) -> str:
    return f"{KGID}law/{(jurisdiction or 'xx').lower()}/{slug(title)}"


def provision_iri(instrument_iri: str, article: str) -> str:
    return f"{instrument_iri}/article/{quote(article.lower().replace(' ', '-'), safe='.-')}"


def extractor_iri(name: str) -> str:
    return f"{KGID}extractor/{slug(name)}"


def external_iri(url: str) -> str | None:
    """A cited URL as an IRI, or None when it is not one a strict parser accepts."""
    url = url.strip().rstrip(".,;)")
    if not re.match(r"^https?://", url):
        url = "http://" + url
    try:
        return NamedNode(quote(url, safe=":/?#[]@!$&'()*+,;=%-._~")).value
    except ValueError:
        return None
