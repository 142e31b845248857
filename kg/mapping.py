"""Extraction -> RDF quads in the document's own named graph (the model of docs/data-model.md)."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from pyoxigraph import Literal, NamedNode, Quad

from kg import namespaces as ns
from kg.models import Extraction, Span

XSD_DATE = NamedNode(ns.XSD + "date")
XSD_INT = NamedNode(ns.XSD + "integer")
XSD_NNI = NamedNode(ns.XSD + "nonNegativeInteger")
A = NamedNode(ns.RDF + "type")

KIND_CLASS = {
    "letter": "Letter", "identical_letters": "IdenticalLetters", "note_verbale": "NoteVerbale",
    "state_report": "StateReport", "joint_statement": "JointStatement", "statement": "Statement",
    "communication": "Communication", "report": "Report", "resolution": "Resolution", "note": "Document", "other": "Document",
}
ORGAN_BODY = {
    "security-council": "security-council", "general-assembly": "general-assembly",
    "human-rights-council": "human-rights-council", "commission-on-human-rights": "commission-on-human-rights",
    "economic-and-social-council": "ecosoc",
}


@lru_cache(maxsize=4096)
def p(prefix_iri: str, local: str) -> NamedNode:
    return NamedNode(prefix_iri + local)        # the few hundred terms of the vocabulary, made once each


# Characters N-Triples and XML cannot carry (C0 controls but tab/newline): stripped, so any parser reads it.
_NOT_IN_LITERALS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def lit(value, datatype: NamedNode | None = None) -> Literal:
    if isinstance(value, str):
        value = _NOT_IN_LITERALS.sub("", value)
    return Literal(str(value), datatype=datatype) if datatype else Literal(value)


@dataclass
class Aliases:
    """Corpus-wide identity of documents: every part of a joint symbol maps to its first part, and
    (author state, date) pairs lead to the documents that references by description point at."""
    canonical: dict[str, str] = field(default_factory=dict)
    by_author_date: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def add_joint(self, parts) -> None:
        parts = list(parts)
        if not parts:
            return
        # Keep an existing canonical if any part already has one, so identity is stable.
        head = next((self.canonical[x] for x in parts if x in self.canonical), parts[0])
        for x in parts:
            old = self.canonical.get(x)
            if old and old != head:
                for k, v in list(self.canonical.items()):
                    if v == old:
                        self.canonical[k] = head
            self.canonical[x] = head

    def resolve(self, symbol: str) -> str:
        # 'A/79/843*' is the reissue of A/79/843: one document whatever mark it carries.
        symbol = symbol.rstrip("*")
        return self.canonical.get(symbol, symbol)

    def described(self, authors, date: str) -> str | None:
        found = set().union(*(self.by_author_date.get((a, date), set()) for a in authors)) if authors else set()
        return next(iter(found)) if len(found) == 1 else None   # ambiguous or absent: no link

    @classmethod
    def from_extractions(cls, extractions) -> "Aliases":
        return cls.from_infos(AliasInfo.of(ex) for ex in extractions)

    @classmethod
    def from_infos(cls, infos) -> "Aliases":
        infos = sorted(infos, key=lambda i: i.source)
        aliases = cls()
        for info in infos:
            aliases.add_joint(info.symbols)
            for parts in info.joint_citations:
                aliases.add_joint(parts)
        for info in infos:
            iri = _document_iri(info.symbols, info.source, aliases)
            if info.dated:
                for a in info.author_states:
                    aliases.by_author_date.setdefault((a, info.dated), set()).add(iri)
            for i, (dated, authors) in enumerate(info.parts, start=1):
                if dated:
                    for a in authors:
                        aliases.by_author_date.setdefault((a, dated), set()).add(f"{iri}#annex-{i}")
        return aliases

    def answers(self, uses: "AliasUses") -> str:
        """A digest of what these aliases answer to one document's lookups: equal digests, equal mapping
        of that document (what an incremental build reuses its graph on)."""
        h = hashlib.sha256()
        for symbol in uses.symbols:
            h.update(f"{symbol}\t{self.resolve(symbol)}\n".encode())
        for date, authors in uses.described:
            h.update(f"{date}\t{','.join(authors)}\t{self.described(authors, date)}\n".encode())
        return h.hexdigest()[:16]


@dataclass(frozen=True)
class AliasUses:
    """What one document's mapping asks of the corpus-wide Aliases: the symbols it resolves (its own
    first symbol and those of the documents it cites) and the (date, author states) of its references
    by description. Kept in the build manifest: when another document's identity changes (a joint
    symbol, a date), an incremental build re-maps only the documents whose lookups it answers
    differently, not all of them."""
    symbols: tuple[str, ...]
    described: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def of(cls, ex: Extraction) -> "AliasUses":
        symbols = set(ex.metadata.symbols[:1]) | {c.key for c in ex.citations if c.target == "document"}
        described = {(ref.date, tuple(ref.author_states)) for ref in ex.described}
        return cls(tuple(sorted(symbols)), tuple(sorted(described, key=repr)))

    def to_json(self) -> list:
        return [list(self.symbols), [[d, list(a)] for d, a in self.described]]

    @classmethod
    def from_json(cls, data: list) -> "AliasUses":
        symbols, described = data
        return cls(tuple(symbols), tuple((d, tuple(a)) for d, a in described))


@dataclass(frozen=True)
class AliasInfo:
    """What one document contributes to the corpus-wide Aliases: small, kept in the build manifest so
    an incremental build need not read every extraction again."""
    source: str
    symbols: tuple[str, ...]
    joint_citations: tuple[tuple[str, ...], ...]     # parts of joint symbols the document cites
    dated: str | None
    author_states: tuple[str, ...]
    parts: tuple[tuple[str | None, tuple[str, ...]], ...]   # (date, author states) of each annex

    @classmethod
    def of(cls, ex: Extraction) -> "AliasInfo":
        return cls(ex.source, tuple(s.rstrip("*") for s in ex.metadata.symbols),
                   tuple(tuple(p.rstrip("*") for p in c.parts) for c in ex.citations
                         if c.target == "document" and len(c.parts) > 1),
                   ex.metadata.dated, tuple(ex.metadata.author_states),
                   tuple((part.dated, tuple(part.author_states)) for part in ex.parts))

    def to_json(self) -> list:
        return [self.source, list(self.symbols), [list(c) for c in self.joint_citations], self.dated,
                list(self.author_states), [[d, list(a)] for d, a in self.parts]]

    @classmethod
    def from_json(cls, data: list) -> "AliasInfo":
        source, symbols, joint, dated, authors, parts = data
        return cls(source, tuple(symbols), tuple(tuple(c) for c in joint), dated, tuple(authors),
                   tuple((d, tuple(a)) for d, a in parts))


def document_iri(ex: Extraction, aliases: Aliases) -> str:
    return _document_iri(ex.metadata.symbols, ex.source, aliases)


def _document_iri(symbols, source: str, aliases: Aliases) -> str:
    if symbols:
        return ns.document_iri(aliases.resolve(symbols[0]))
    return ns.file_document_iri(source)


def citation_target_iri(target: str, key: str, aliases: Aliases) -> str | None:
    if target == "document":
        return ns.document_iri(aliases.resolve(key))
    if target in ("resolution", "decision"):
        organ, number = key.split("/", 1)
        return ns.resolution_iri(organ, number)
    if target == "communication":
        return ns.communication_iri(key)
    if target == "url":
        return ns.external_iri(key)
    if target == "rule":
        return f"{ns.KGID}ihl/{ns.slug(key)}"
    return f"{ns.KGID}{target}/{ns.slug(key)}"


class GraphWriter:
    """Collects the quads of one named graph; evidence nodes are shared by facts on the same span."""

    def __init__(self, graph: str, doc: str):
        self.g = NamedNode(graph)
        self.graph = graph
        self.doc = NamedNode(doc)
        self.quads: set[Quad] = set()
        self.evidence_nodes: set[str] = set()

    def add(self, s, pred: NamedNode, o) -> None:
        if isinstance(s, str):
            s = NamedNode(s)
        if isinstance(o, str):
            o = NamedNode(o)
        self.quads.add(Quad(s, pred, o, self.g))

    def evidence(self, sp: Span, extractor: str, to_source) -> NamedNode:
        # One evidence node per span and extractor: each node names exactly the extractor that made it.
        iri = f"{self.graph}/ev/{sp.start}-{sp.end}-{ns.slug(extractor)}"
        ev = NamedNode(iri)
        if iri not in self.evidence_nodes:
            self.evidence_nodes.add(iri)
            for cls in (p(ns.KG, "Evidence"), p(ns.OA, "TextPositionSelector"), p(ns.OA, "TextQuoteSelector")):
                self.add(ev, A, cls)
            self.add(ev, p(ns.KG, "inDocument"), self.doc)
            self.add(ev, p(ns.OA, "start"), lit(sp.start, XSD_NNI))
            self.add(ev, p(ns.OA, "end"), lit(sp.end, XSD_NNI))
            self.add(ev, p(ns.OA, "exact"), lit(sp.text))
            self.add(ev, p(ns.KG, "sourceStart"), lit(to_source(sp.start), XSD_NNI))
            self.add(ev, p(ns.KG, "sourceEnd"), lit(to_source(max(sp.start, sp.end - 1)) + 1, XSD_NNI))
            self.add(ev, p(ns.PROV, "wasGeneratedBy"), ns.extractor_iri(extractor))
        return ev


def entity_iri(kind: str, key: str) -> str:
    if kind == "state":
        return ns.state_iri(key)
    if kind in ("body", "instrument"):
        return key
    if kind == "place":
        return key if key.startswith("https://") else ns.place_iri(key)
    if kind == "person":
        return ns.person_iri(key)
    return f"{ns.KGID}entity/{ns.slug(key)}"


def map_extraction(ex: Extraction, aliases: Aliases) -> list[Quad]:
    doc_iri = document_iri(ex, aliases)
    w = GraphWriter(ns.graph_iri(ex.source), doc_iri)
    doc, md, KG = w.doc, ex.metadata, ns.KG
    to_source = ex.to_source

    w.add(doc, A, p(KG, KIND_CLASS.get(md.kind, "Document")))
    w.add(doc, p(KG, "sourceFile"), lit(ex.source))
    w.add(doc, p(KG, "sha256"), lit(ex.sha256))
    for s in md.symbols:
        w.add(doc, p(KG, "symbol"), lit(s.rstrip("*")))
    if md.sender_post:
        w.add(doc, p(KG, "senderPost"), lit(md.sender_post))
    for field_name, pred in (("issued", p(ns.DCTERMS, "issued")), ("dated", p(KG, "dated")),
                             ("received", p(KG, "dateReceived"))):
        value = getattr(md, field_name)
        if value:
            w.add(doc, pred, lit(value, XSD_DATE))
    if md.title:
        w.add(doc, p(ns.DCTERMS, "title"), lit(md.title))
    if md.language:
        w.add(doc, p(KG, "originalLanguage"), lit(md.language))
    if md.job_number:
        w.add(doc, p(KG, "jobNumber"), lit(md.job_number))
    for s in md.sessions:
        w.add(doc, p(KG, "session"), lit(s))
    for a in md.agenda_items:
        w.add(doc, p(KG, "agendaItem"), lit(a))
    for iso in md.author_states:
        w.add(doc, p(KG, "authorState"), ns.state_iri(iso))
    for body in md.addressees:
        w.add(doc, p(KG, "addressee"), body)
    for field_name, sp in md.evidence:
        # Metadata evidence hangs on the document: kg:evidence of a kg:DocumentMetadata statement would be
        # a reified triple per field; a span per field keeps it traceable at a fraction of the size.
        ev = w.evidence(sp, "metadata", to_source)
        w.add(doc, p(KG, "evidence"), ev)

    # Mentions: one kg:Mention per document and entity, with every span as evidence.
    labelled: set[str] = set()
    for m in ex.mentions:
        if m.kind == "redaction":
            node = NamedNode(f"{w.graph}/redacted/{m.span.start}")
            w.add(node, A, p(KG, "RedactedPerson"))
            w.add(node, p(KG, "inDocument"), doc)
            w.add(node, p(KG, "evidence"), w.evidence(m.span, m.extractor, to_source))
            continue
        target = entity_iri(m.kind, m.key)
        mention = NamedNode(f"{w.graph}/mention/{ns.slug(m.kind + '-' + m.key, 120)}")
        w.add(doc, p(KG, "mentions"), target)
        w.add(mention, A, p(KG, "Mention"))
        w.add(mention, p(KG, "inDocument"), doc)
        w.add(mention, p(KG, "refersTo"), target)
        w.add(mention, p(KG, "evidence"), w.evidence(m.span, m.extractor, to_source))
        if m.kind in ("state", "body", "instrument") or target in labelled:
            continue   # vocabulary terms are labelled in kgg:vocab
        # An entity as this document first names it ('Khojaly', not a later 'Khojali' in a quote).
        labelled.add(target)
        if m.kind == "place":
            w.add(target, A, p(KG, "Place"))
        w.add(target, p(ns.RDFS, "label"), lit(re.sub(r"\s+", " ", m.label)))

    for i, c in enumerate(ex.citations):
        target = citation_target_iri(c.target, c.key, aliases)
        if target is None or target == doc_iri:
            continue
        t = NamedNode(target)
        _citation(w, t, f"{c.span.start}-{ns.slug(c.key, 60)}", c.characterization, c.label, c.footnote,
                  w.evidence(c.span, c.extractor, to_source))
        _describe_target(w, t, c)

    for i, part in enumerate(ex.parts, start=1):
        node = NamedNode(f"{doc_iri}#annex-{i}")
        w.add(node, A, p(KG, "Annex"))
        if part.kind in KIND_CLASS and part.kind not in ("other", "note"):
            w.add(node, A, p(KG, KIND_CLASS[part.kind]))
        w.add(node, p(ns.DCTERMS, "isPartOf"), doc)
        w.add(doc, p(ns.DCTERMS, "hasPart"), node)
        w.add(node, p(ns.DCTERMS, "title"), lit(re.sub(r"\s+", " ", part.title.text).strip()))
        if part.dated:
            w.add(node, p(KG, "dated"), lit(part.dated, XSD_DATE))
        for iso in part.author_states:
            w.add(node, p(KG, "authorState"), ns.state_iri(iso))
        for name in part.signatories:
            w.add(node, p(KG, "signatory"), ns.person_iri(name))
        w.add(node, p(KG, "evidence"), w.evidence(part.title, "parts", to_source))

    for ref in ex.described:
        target = aliases.described(ref.author_states, ref.date)
        if target is None or target.split("#")[0] == doc_iri:
            continue
        _citation(w, NamedNode(target), f"{ref.span.start}-described", ref.characterization, ref.span.text,
                  None, w.evidence(ref.span, ref.extractor, to_source))

    for pr in ex.provisions:
        if pr.domestic:
            law = ns.law_iri(pr.jurisdiction, pr.title)
            w.add(law, A, p(KG, "DomesticLaw"))
            w.add(law, p(ns.RDFS, "label"), lit(pr.title))
            if pr.jurisdiction:
                w.add(law, p(KG, "jurisdiction"), ns.state_iri(pr.jurisdiction))
        else:
            law = pr.instrument
        target = law
        if pr.article:
            target = ns.provision_iri(law, pr.article)
            w.add(target, A, p(KG, "Provision"))
            w.add(target, p(ns.ELI, "is_part_of"), law)
            w.add(target, p(KG, "articleNumber"), lit(pr.article))
            unit = "" if pr.article.startswith("Part") else ("Articles " if "-" in pr.article else "Article ")
            w.add(target, p(ns.RDFS, "label"), lit(f"{pr.title}, {unit}{pr.article}"))
        w.add(doc, p(KG, "invokes"), target)
        mention = NamedNode(f"{w.graph}/mention/{ns.slug('law-' + target, 160)}")
        w.add(mention, A, p(KG, "Mention"))
        w.add(mention, p(KG, "inDocument"), doc)
        w.add(mention, p(KG, "refersTo"), target)
        w.add(mention, p(KG, "evidence"), w.evidence(pr.span, pr.extractor, to_source))

    for i, ph in enumerate(ex.persons):
        person = ns.person_iri(ph.name)
        w.add(person, A, p(ns.FOAF, "Person"))
        w.add(person, p(ns.FOAF, "name"), lit(ph.name))
        w.add(doc, p(KG, "mentions"), person)
        holding = NamedNode(f"{w.graph}/holding/{ph.span.start}")
        w.add(holding, A, p(KG, "PostHolding"))
        w.add(holding, p(KG, "person"), person)
        w.add(holding, p(KG, "inDocument"), doc)
        if ph.post:
            w.add(holding, p(KG, "postTitle"), lit(ph.post))
        if ph.post_in:
            w.add(holding, p(ns.ORG, "postIn"), ns.state_iri(ph.post_in) if len(ph.post_in) == 3 else ph.post_in)
        w.add(holding, p(KG, "evidence"), w.evidence(ph.span, ph.extractor, to_source))
        if ph.signatory:
            w.add(doc, p(KG, "signatory"), person)
            sig = NamedNode(f"{w.graph}/signature/{ph.span.start}")
            w.add(sig, A, p(KG, "Signature"))
            w.add(sig, p(KG, "person"), person)
            w.add(sig, p(KG, "evidence"), w.evidence(ph.span, ph.extractor, to_source))

    for i, inc in enumerate(ex.incidents, start=1):
        node = NamedNode(f"{w.graph}/incident/{inc.span.start}")
        w.add(node, A, p(KG, "IncidentReport"))
        w.add(node, p(KG, "reportedBy"), doc)
        w.add(node, p(KG, "incidentType"), lit(inc.type))
        if inc.place:
            w.add(node, p(ns.SEM, "hasPlace"), entity_iri("place", inc.place_key or inc.place))   # labelled by its mention
            w.add(node, p(KG, "placeName"), lit(inc.place))
        if inc.date:
            w.add(node, p(KG, "date"), lit(inc.date))
            first, _, last = inc.date.partition("/")
            if len(first) == 10:
                w.add(node, p(ns.SEM, "hasBeginTimeStamp"), lit(first, XSD_DATE))
            if len(last or first) == 10:
                w.add(node, p(ns.SEM, "hasEndTimeStamp"), lit(last or first, XSD_DATE))
        for name, value in (("killed", inc.killed), ("injured", inc.injured), ("childrenKilled", inc.children_killed),
                            ("hostages", inc.hostages), ("missing", inc.missing)):
            if value is not None:
                w.add(node, p(KG, name), lit(value, XSD_NNI))
        if inc.attributed_to:
            w.add(node, p(KG, "allegedPerpetrator"), ns.state_iri(inc.attributed_to))
            w.add(doc, p(KG, "accuses"), ns.state_iri(inc.attributed_to))
        for weapon in inc.weapons:
            w.add(node, p(KG, "weapon"), lit(weapon))
        w.add(node, p(KG, "evidence"), w.evidence(inc.span, inc.extractor, to_source))
    return list(w.quads)        # unordered: kg.store.graph_text sorts once, as it serializes


def _citation(w: GraphWriter, target: NamedNode, local: str, characterization: str, cited_as: str,
              footnote: int | None, evidence: NamedNode) -> None:
    """The direct CiTO edge (and plain cito:cites beside a typed one) and the reified cito:Citation."""
    w.add(w.doc, p(ns.CITO, characterization), target)
    if characterization != "cites":
        w.add(w.doc, p(ns.CITO, "cites"), target)
    cit = NamedNode(f"{w.graph}/citation/{local}")
    w.add(cit, A, p(ns.CITO, "Citation"))
    w.add(cit, p(ns.CITO, "hasCitingEntity"), w.doc)
    w.add(cit, p(ns.CITO, "hasCitedEntity"), target)
    w.add(cit, p(ns.CITO, "hasCitationCharacterization"), p(ns.CITO, characterization))
    w.add(cit, p(ns.KG, "citedAs"), lit(cited_as))
    if footnote is not None:
        w.add(cit, p(ns.KG, "inFootnote"), lit(footnote, XSD_INT))
    w.add(cit, p(ns.KG, "evidence"), evidence)


def _describe_target(w: GraphWriter, t: NamedNode, c) -> None:
    KG = ns.KG
    if c.target == "document":
        w.add(t, A, p(KG, "Document"))
        for part in c.parts or (c.key,):
            w.add(t, p(KG, "symbol"), lit(part.rstrip("*")))
    elif c.target in ("resolution", "decision"):
        organ, number = c.key.split("/", 1)
        w.add(t, A, p(KG, "Resolution" if c.target == "resolution" else "Decision"))
        w.add(t, p(ns.RDFS, "label"), lit(c.label))
        w.add(t, p(KG, "resolutionNumber"), lit(number.replace("decision-", "")))
        if organ in ORGAN_BODY:
            w.add(t, p(KG, "adoptedBy"), f"{ns.KGID}body/{ORGAN_BODY[organ]}")
        if organ == "security-council" and c.year and not c.parts:
            w.add(t, p(KG, "symbol"), lit(f"S/RES/{number} ({c.year})"))
        for printed in c.parts:   # cited by its own symbol: a document by that symbol too
            w.add(t, A, p(KG, "Document"))
            w.add(t, p(KG, "symbol"), lit(printed))
    elif c.target == "communication":
        w.add(t, A, p(KG, "Communication"))
        w.add(t, p(KG, "reference"), lit(c.key))
        parts = c.key.split()
        if len(parts) >= 3 and parts[0].isalpha() and parts[0].isupper():
            w.add(t, p(KG, "communicationType"), lit(parts[0]))
            for code in parts[1:-1]:
                if code != "OTH":
                    w.add(t, p(KG, "concernsState"), ns.state_iri(code))
    else:
        w.add(t, p(ns.RDFS, "label"), lit(c.label))
