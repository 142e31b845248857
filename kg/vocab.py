"""The SKOS vocabularies of ontologies/vocab/ (states, bodies, instruments) as matchable terms.

Extractors build their matchers from these files, so adding a mandate or a treaty is a data change.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pyoxigraph import RdfFormat, parse

from kg.namespaces import KG, RDF, SKOS

ONTOLOGY_DIR = Path(os.environ.get("KG_ONTOLOGIES", Path(__file__).resolve().parent.parent / "ontologies"))
VOCAB_FILES = ("states.ttl", "bodies.ttl", "instruments.ttl", "places.ttl")
OPTIONAL_VOCAB_FILES = ("places.ttl",)   # the gazetteer adds places; extraction works without it


@dataclass(frozen=True)
class Term:
    iri: str
    scheme: str                    # state | body | instrument
    label: str                     # skos:prefLabel
    classes: tuple[str, ...]       # kg: class local names
    names: tuple[str, ...]         # matched case-insensitively (labels, variants)
    exact: tuple[str, ...]         # matched case-sensitively (abbreviations, adjectives, demonyms)
    code: str | None = None        # ISO 3166 alpha-3 for states
    parent: str | None = None      # kg:partOf
    state: str | None = None       # kg:inState of a place (an IRI), where the gazetteer gives one
    place_type: str | None = None  # kg:placeType of a place: capital, city, district, region, territory
    in_context: tuple[str, ...] = ()   # kg:nameInContext: names it goes by where its parent is named


@dataclass(frozen=True)
class Vocabulary:
    terms: tuple[Term, ...]
    fingerprint: str

    def by_iri(self) -> dict[str, Term]:
        return {t.iri: t for t in self.terms}

    def of(self, scheme: str) -> list[Term]:
        return [t for t in self.terms if t.scheme == scheme]

    def state(self, iso3: str) -> Term | None:
        for t in self.terms:
            if t.code == iso3:
                return t
        return None


def _scheme_of(classes: set[str]) -> str:
    if "State" in classes:
        return "state"
    if "Place" in classes:
        return "place"
    if classes & {"LegalInstrument", "Treaty", "Declaration", "CodeOfConduct", "CustomaryRules"}:
        return "instrument"
    return "body"


@lru_cache(maxsize=4)
def load(directory: str | None = None) -> Vocabulary:
    vocab_dir = Path(directory) if directory else ONTOLOGY_DIR / "vocab"
    props: dict[str, dict[str, list]] = {}
    digest = hashlib.sha256()
    for name in VOCAB_FILES:
        path = vocab_dir / name
        if not path.exists() and name in OPTIONAL_VOCAB_FILES:
            continue
        if not path.exists():
            raise FileNotFoundError(f"{path}: vocabulary file missing (the extractors need it)")
        data = path.read_bytes()
        digest.update(data)
        for triple in parse(data, format=RdfFormat.TURTLE, base_iri=path.as_uri()):
            s = triple.subject.value
            props.setdefault(s, {}).setdefault(triple.predicate.value, []).append(triple.object)
    terms = []
    for iri, p in props.items():
        classes = {o.value[len(KG):] for o in p.get(RDF + "type", []) if o.value.startswith(KG)}
        labels = [o.value for o in p.get(SKOS + "prefLabel", [])]
        if not classes or not labels:
            continue
        alt = [o.value for o in p.get(SKOS + "altLabel", [])] + [o.value for o in p.get(KG + "formalName", [])]
        exact = [o.value for key in ("abbreviation", "adjective", "demonym") for o in p.get(KG + key, [])]
        code = next((o.value for o in p.get(SKOS + "notation", [])
                     if getattr(o, "datatype", None) is not None and o.datatype.value.endswith("ISO3166Alpha3")), None)
        parent = next((o.value for o in p.get(KG + "partOf", [])), None)
        in_state = next((o.value for o in p.get(KG + "inState", [])), None)
        place_type = next((o.value for o in p.get(KG + "placeType", [])), None)
        in_context = tuple(o.value for o in p.get(KG + "nameInContext", []))
        terms.append(Term(iri=iri, scheme=_scheme_of(classes), label=labels[0], classes=tuple(sorted(classes)),
                          names=tuple(dict.fromkeys([labels[0], *alt])), exact=tuple(dict.fromkeys(exact)),
                          code=code, parent=parent, state=in_state, place_type=place_type, in_context=in_context))
    terms.sort(key=lambda t: t.iri)
    return Vocabulary(terms=tuple(terms), fingerprint=digest.hexdigest()[:16])
