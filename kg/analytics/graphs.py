"""networkx graphs derived from the built store, by SPARQL SELECTs only (never a second extraction path).

Every graph carries, in ``G.graph["documents"]``, the corpus documents it was built from
(IRI -> label, kind, date, source files, title), so an edge's ``documents`` list (sorted IRIs)
can be shown with labels and dates.

- ``citation_graph``: documents and everything they cite (UN documents, resolutions,
  communications, cases, web pages); one directed edge citing -> cited with its CiTO types.
- ``reply_graph``: the citation edges typed ``repliesTo`` or ``disputes``.
- ``actor_graph``: states, bodies, mandate holders and persons; a MultiDiGraph whose edge keys
  are the relation (``authored``, ``addressed to``, ``alleges against``, ``invokes instrument
  against``, ``communicates with``, ``mentioned together``), weighted by the number of documents.
- ``incident_graph``: incident reports, the documents that report them, places and the states
  they are attributed to.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import networkx as nx
from pyoxigraph import NamedNode, Store

from kg import namespaces as ns

PREFIXES = "".join(f"PREFIX {k}: <{v}>\n" for k, v in ns.PREFIXES.items())

# Document classes, most specific first: a node's kind is the first class it has.
DOCUMENT_KINDS = [
    "IdenticalLetters", "Letter", "NoteVerbale", "StateReport", "Report", "JointStatement", "Statement",
    "Communication", "Resolution", "Decision", "MeetingRecord", "Judgment", "Annex", "Document",
]
CITATION_TYPES = ["disputes", "repliesTo", "citesAsEvidence", "cites"]   # strongest first
REPLY_TYPES = ("repliesTo", "disputes")

# Actor relations (edge keys of the actor graph) and whether they have a direction.
AUTHORED = "authored"
ADDRESSED = "addressed to"
ALLEGES = "alleges against"
INVOKES_AGAINST = "invokes instrument against"
COMMUNICATES = "communicates with"
MENTIONED = "mentioned together"
ACTOR_RELATIONS = [AUTHORED, ADDRESSED, ALLEGES, INVOKES_AGAINST, COMMUNICATES, MENTIONED]
UNDIRECTED_RELATIONS = {COMMUNICATES, MENTIONED}

# Vocabulary classes of bodies -> the actor kind shown and counted.
BODY_KINDS = {
    "SpecialProcedure": "Mandate holder", "TreatyBody": "Treaty body", "Court": "Court",
    "InvestigativeMechanism": "UN body", "UNPrincipalOrgan": "UN body", "UNSubsidiaryBody": "UN body",
    "UNOfficial": "UN body", "UNEntity": "UN body",
    "IntergovernmentalOrganization": "Organization", "NonGovernmentalOrganization": "Organization",
}
ACTOR_KINDS = ["State", "Mandate holder", "Treaty body", "UN body", "Court", "Organization", "Person"]

_SYMBOL_YEAR = [re.compile(r"^(?:S|E|E/CN\.4|E/CN\.4/Sub\.2|A/HRC/WG\.6)/((?:19|20)\d\d)/"),
                re.compile(r"\(((?:19|20)\d\d)\)\s*$"),
                re.compile(r"^S/PRST/((?:19|20)\d\d)/")]


# ---------------------------------------------------------------------------------------------
# SPARQL helpers

def as_store(store_or_path) -> Store:
    """A Store as is; a path is a build folder (``output``) opened read-only."""
    if isinstance(store_or_path, Store):
        return store_or_path
    from kg.store import open_store
    return open_store(Path(store_or_path))


def select(store: Store, query: str) -> Iterator[dict[str, str | None]]:
    """Rows of a SELECT as dicts of plain strings (None where unbound), one at a time.

    A generator, not a list: at 100,000 documents some answers have millions of rows (every
    mention with its quote), and each caller keeps only what it needs of them.
    """
    res = store.query(PREFIXES + query)
    names = [v.value for v in res.variables]
    for row in res:
        yield {n: (row[n].value if row[n] is not None else None) for n in names}


def local(iri: str | None) -> str:
    if not iri:
        return ""
    return re.split(r"[#/]", iri)[-1]


def symbol_of_iri(iri: str) -> str | None:
    if iri.startswith(ns.UNDOC):
        return unquote(iri[len(ns.UNDOC):])
    return None


def symbol_year(symbol: str | None) -> int | None:
    """The year a symbol carries (S/2025/455, E/CN.4/1998/12, S/RES/822 (1993)), else None."""
    if not symbol:
        return None
    for rx in _SYMBOL_YEAR:
        m = rx.search(symbol)
        if m:
            return int(m.group(1))
    return None


def shorten(text: str | None, n: int = 60) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _doc_kind(classes: set[str], iri: str) -> str:
    for k in DOCUMENT_KINDS:
        if k in classes:
            return k
    if iri.startswith(ns.KGID + "case/"):
        return "Judgment"
    if iri.startswith(ns.KGID + "ihl/"):
        return "Rule"
    if iri.startswith(ns.KGID + "resolution/"):
        return "Resolution"
    if iri.startswith(ns.UNDOC):
        return "Document"
    if re.match(r"https?://", iri) and not iri.startswith(ns.KGID):
        return "Web page"
    return "Other"


# ---------------------------------------------------------------------------------------------
# Documents: the corpus documents and anything cited

Q_CORPUS = """
SELECT ?doc ?src ?g WHERE { GRAPH ?g { ?doc kg:sourceFile ?src } }
"""

Q_CITED = """
SELECT DISTINCT ?t WHERE {
  GRAPH ?g { { ?c cito:hasCitedEntity ?t } UNION
             { ?d ?p ?t . VALUES ?p { cito:cites cito:repliesTo cito:disputes cito:citesAsEvidence } } }
  FILTER(isIRI(?t))
}
"""

# Attributes of documents and cited things, from any document graph (not the vocabularies).
# The OPTIONAL makes the engine look up each (?s, ?p) pair in turn; a plain join of GRAPH ?g { ?s ?p ?o }
# with the sub-select hash-joins all eight properties over the whole store (at 10,000 documents:
# 6.1 s and +825 MB, against 3.2 s and +146 MB this way, with the same rows).
Q_ATTRS = """
SELECT ?s ?p ?o WHERE {
  { SELECT DISTINCT ?s WHERE {
      GRAPH ?g0 { { ?s kg:sourceFile ?x } UNION { ?c cito:hasCitedEntity ?s } UNION
                  { ?d ?cp ?s . VALUES ?cp { cito:cites cito:repliesTo cito:disputes cito:citesAsEvidence } } } } }
  VALUES ?p { rdf:type kg:symbol dcterms:issued kg:dated dcterms:title kg:reference rdfs:label kg:authorState }
  OPTIONAL { GRAPH ?g { ?s ?p ?o } }
  FILTER(BOUND(?o) && ?g != kgg:ontology && ?g != kgg:vocab)
}
"""

Q_VOCAB_LABELS = """
SELECT ?s ?l WHERE { GRAPH kgg:vocab { ?s skos:prefLabel ?l } }
"""


def document_records(store: Store) -> dict[str, dict]:
    """Every corpus document and every cited thing, with label, kind, dates, symbols.

    The graph builders below take these as ``documents=`` so that one analysis reads them once.
    """
    nodes: dict[str, dict] = {}
    attrs: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))

    def node(iri):
        if iri not in nodes:
            nodes[iri] = {"sources": set(), "graphs": set()}
        return nodes[iri]

    for r in select(store, Q_CORPUS):
        n = node(r["doc"])
        n["sources"].add(r["src"])
        n["graphs"].add(r["g"])
    for r in select(store, Q_CITED):
        node(r["t"])
    for r in select(store, Q_ATTRS):
        if r["s"] in nodes:
            attrs[r["s"]][local(r["p"])].add(r["o"])
    out = {}
    for iri, n in nodes.items():
        a = attrs.get(iri, {})
        classes = {local(c) for c in a.get("type", ())}
        symbols = sorted(a.get("symbol", ()))
        sym = symbol_of_iri(iri)
        if sym and sym not in symbols:
            symbols.insert(0, sym)
        elif sym:
            symbols.remove(sym)
            symbols.insert(0, sym)
        issued = min(a["issued"]) if a.get("issued") else None
        dated = min(a["dated"]) if a.get("dated") else None
        title = min(a["title"], key=len) if a.get("title") else None
        reference = min(a["reference"]) if a.get("reference") else None
        rlabel = min(a["label"]) if a.get("label") else None
        sources = sorted(n["sources"])
        kind = _doc_kind(classes, iri)
        if symbols:
            label = symbols[0]
        elif reference:
            label = reference
        elif rlabel:
            label = rlabel
        elif title:
            label = shorten(title, 48)
        elif sources:
            label = sources[0]
        elif kind == "Web page":
            label = shorten(re.sub(r"^https?://(www\.)?", "", iri), 48)
        else:
            label = shorten(unquote(local(iri)).replace("-", " "), 48)
        dates = [d for d in (dated, issued) if d]
        out[iri] = {
            "label": label, "kind": kind, "in_corpus": bool(sources), "sources": sources,
            "symbols": symbols, "title": title, "issued": issued, "dated": dated,
            # The date a document gives itself (letters) or, failing that, the date it was issued.
            "date": dated or issued,
            "earliest": min(dates) if dates else None, "latest": max(dates) if dates else None,
            "symbol_year": next((y for y in map(symbol_year, symbols) if y), None),
            "author_states": sorted(a.get("authorState", ())),
        }
    return out


def _doc_meta(docs: dict[str, dict]) -> dict[str, dict]:
    return {iri: {k: d[k] for k in ("label", "kind", "date", "sources", "title")}
            for iri, d in docs.items() if d["in_corpus"]}


# ---------------------------------------------------------------------------------------------
# Citation graph

# Each OPTIONAL holds one pattern so that the engine answers it by a lookup per row. A nested
# OPTIONAL { ?c kg:evidence ?ev . ?ev oa:exact ?quote ... } is hash-joined over every evidence node
# in the store instead (at 10,000 documents 15 s and +577 MB, against 5.7 s and +185 MB); COALESCE
# keeps ?ev bound (to an IRI no graph uses) where a citation has no evidence, so the lookups that
# follow stay lookups rather than a cross product.
_Q_CITATIONS = """
SELECT ?g ?citing ?cited ?char ?as ?fn ?quote ?start WHERE {
  GRAPH ?g {
    ?c a cito:Citation ; cito:hasCitingEntity ?citing ; cito:hasCitedEntity ?cited .
    OPTIONAL { ?c cito:hasCitationCharacterization ?char }
    OPTIONAL { ?c kg:citedAs ?as }
    OPTIONAL { ?c kg:inFootnote ?fn }
    OPTIONAL { ?c kg:evidence ?ev0 } BIND(COALESCE(?ev0, kg:none) AS ?ev)
    QUOTE OPTIONAL { ?ev oa:start ?start }
  }
}
"""
Q_CITATIONS = _Q_CITATIONS.replace("QUOTE", "OPTIONAL { ?ev oa:exact ?quote }")
# Without the quotes (citation_graph(evidence=False)): the longest strings of the answer are not decoded.
Q_CITATIONS_WITHOUT_QUOTES = _Q_CITATIONS.replace("QUOTE", "")

Q_DIRECT_CITES = """
SELECT DISTINCT ?citing ?p ?cited WHERE {
  GRAPH ?g { ?citing ?p ?cited . VALUES ?p { cito:cites cito:repliesTo cito:disputes cito:citesAsEvidence } }
  FILTER(isIRI(?cited))
}
"""


def citation_graph(store, documents: dict[str, dict] | None = None, evidence: bool = True) -> nx.DiGraph:
    """Documents and what they cite: one edge citing -> cited.

    Node attributes: ``label``, ``kind`` (Letter, NoteVerbale, Resolution, Web page...), ``in_corpus``,
    ``date`` (kg:dated, else dcterms:issued), ``issued``, ``dated``, ``symbols``, ``sources``, ``title``.
    Edge attributes: ``types`` (sorted CiTO characterisations), ``type`` (the strongest:
    disputes > repliesTo > citesAsEvidence > cites), ``documents`` (sorted citing documents),
    ``count`` (citations printed), ``cited_as`` (sorted forms the symbol is printed in), ``evidence``
    (list of {document, cited_as, footnote, quote, start}; empty with ``evidence=False``, which reads no
    quote and keeps one string per citation while building: kg analyze uses only the counts and forms),
    ``date`` (the citing document's date).
    """
    store = as_store(store)
    docs = document_records(store) if documents is None else documents
    G = nx.DiGraph(name="citations")
    G.graph["documents"] = _doc_meta(docs)
    for iri, d in docs.items():
        G.add_node(iri, **d)
    edges: dict[tuple[str, str], dict] = {}

    def edge(u, v):
        if (u, v) not in edges:
            edges[(u, v)] = {"types": set(), "documents": set(), "evidence": {}}
        return edges[(u, v)]

    for r in select(store, Q_CITATIONS if evidence else Q_CITATIONS_WITHOUT_QUOTES):
        u, v = r["citing"], r["cited"]
        if u == v or u not in docs or v not in docs:
            continue
        e = edge(u, v)
        e["types"].add(local(r["char"]) if r["char"] else "cites")
        e["documents"].add(u)
        key = (r["g"], r["start"] or "", r["as"] or "")
        e["evidence"][key] = {"document": u, "cited_as": r["as"], "footnote": r["fn"], "quote": r["quote"],
                              "start": int(r["start"]) if r["start"] else None} if evidence else r["as"]
    for r in select(store, Q_DIRECT_CITES):
        u, v = r["citing"], r["cited"]
        if u == v or u not in docs or v not in docs:
            continue
        e = edge(u, v)
        e["types"].add(local(r["p"]))
        e["documents"].add(u)
    for u, v in sorted(edges):
        e = edges.pop((u, v))   # freed as the graph grows, as in actor_graph
        types = sorted(e["types"])
        if len(types) > 1 and "cites" in types:
            types.remove("cites")   # cito:cites is implied by every more specific characterisation
        if evidence:
            ev = sorted(e["evidence"].values(), key=lambda x: (x["document"], x["start"] or 0))
            forms = {x["cited_as"] for x in ev}
        else:
            ev, forms = [], set(e["evidence"].values())
        G.add_edge(u, v, types=types, type=next(t for t in CITATION_TYPES + types if t in types),
                   documents=sorted(e["documents"]), count=max(1, len(e["evidence"])),
                   cited_as=sorted(f for f in forms if f), evidence=ev, date=docs[u]["date"])
    return G


def reply_graph(store_or_citation_graph) -> nx.DiGraph:
    """The replies: citation edges typed repliesTo or disputes (reply -> what it answers)."""
    C = store_or_citation_graph if isinstance(store_or_citation_graph, nx.DiGraph) \
        else citation_graph(store_or_citation_graph)
    R = nx.DiGraph(name="replies")
    R.graph["documents"] = C.graph.get("documents", {})
    for u, v, d in C.edges(data=True):
        kinds = [t for t in d["types"] if t in REPLY_TYPES]
        if not kinds:
            continue
        for n in (u, v):
            if n not in R:
                R.add_node(n, **C.nodes[n])
        R.add_edge(u, v, **{**d, "type": "disputes" if "disputes" in kinds else "repliesTo", "types": kinds})
    return R


# ---------------------------------------------------------------------------------------------
# Actor graph

Q_ACTOR_CLASSES = """
SELECT ?a ?cls ?l WHERE {
  GRAPH kgg:vocab { ?a a ?cls ; skos:prefLabel ?l .
    FILTER(?cls IN (kg:State, kg:SpecialProcedure, kg:TreatyBody, kg:Court, kg:InvestigativeMechanism,
                    kg:UNPrincipalOrgan, kg:UNSubsidiaryBody, kg:UNOfficial, kg:UNEntity,
                    kg:IntergovernmentalOrganization, kg:NonGovernmentalOrganization)) }
}
"""
Q_STATE_CODES = """
SELECT ?a ?code WHERE { GRAPH kgg:vocab { ?a a kg:State ; skos:notation ?code FILTER(DATATYPE(?code) = kg:ISO3166Alpha3) } }
"""
Q_PERSONS = """
SELECT ?p ?name WHERE { GRAPH ?g { ?p a foaf:Person ; foaf:name ?name } }
"""
Q_DOC_REL = """
SELECT DISTINCT ?doc ?o WHERE { GRAPH ?g { ?doc kg:sourceFile ?src ; ?p ?o } }
"""
Q_MENTION_QUOTES = """
SELECT ?doc ?e ?q ?start WHERE {
  GRAPH ?g { ?m a kg:Mention ; kg:inDocument ?doc ; kg:refersTo ?e ; kg:evidence ?ev . ?ev oa:exact ?q ; oa:start ?start }
}
"""
# The same rows for one document (its IRI written in, as a term from the store): a lookup from the
# document, for the few documents whose quotes a view shows.
Q_DOCUMENT_MENTION_QUOTES = """
SELECT ?e ?q ?start WHERE {
  GRAPH ?g { ?m kg:inDocument <%s> ; a kg:Mention ; kg:refersTo ?e ; kg:evidence ?ev . ?ev oa:exact ?q ; oa:start ?start }
}
"""
Q_INVOKES = """
SELECT DISTINCT ?doc ?inst WHERE {
  GRAPH ?g { ?doc kg:sourceFile ?src ; kg:invokes ?i .
    OPTIONAL { ?i eli:is_part_of ?whole } }
  BIND(COALESCE(?whole, ?i) AS ?inst)
  FILTER NOT EXISTS { GRAPH ?g2 { ?inst a kg:DomesticLaw } }   # a state's own code is not invoked against another
}
"""
Q_INSTRUMENT_LABELS = """
SELECT ?i ?l WHERE { { GRAPH kgg:vocab { ?i skos:prefLabel ?l } } UNION { GRAPH ?g { ?i rdfs:label ?l } } }
"""
Q_COMMUNICATIONS = """
SELECT DISTINCT ?doc ?c ?ref ?state ?how WHERE {
  GRAPH ?g { ?doc kg:sourceFile ?src ; ?how ?c . VALUES ?how { cito:cites cito:repliesTo } }
  GRAPH ?g2 { ?c a kg:Communication ; kg:reference ?ref . OPTIONAL { ?c kg:concernsState ?state } }
}
"""


def _doc_rel(store: Store, prop: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for r in select(store, Q_DOC_REL.replace("?p ?o", f"<{prop}> ?o")):
        out[r["doc"]].add(r["o"])
    return out


def first_quotes(rows, keep) -> dict[tuple[str, str], tuple[int, str]]:
    """(document, thing) -> (offset, quote) of the first mention of each thing in ``keep`` in each
    document, from rows of Q_MENTION_QUOTES (or of Q_DOCUMENT_MENTION_QUOTES with ``doc`` added)."""
    quotes: dict[tuple[str, str], tuple[int, str]] = {}
    for r in rows:
        if r["e"] not in keep:
            continue
        k, s = (r["doc"], r["e"]), int(r["start"])
        if k not in quotes or s < quotes[k][0]:
            quotes[k] = (s, r["q"])
    return quotes


def link_quote(quotes: dict[tuple[str, str], tuple[int, str]], doc: str, u: str, v: str) -> str | None:
    """The quote shown for a link u -> v in a document: where it names v, else where it names u."""
    q = quotes.get((doc, v)) or quotes.get((doc, u))
    return q[1] if q else None


class DocumentQuotes:
    """The quotes of actor_graph's evidence, read one document at a time when first asked for.

    ``quotes(doc, u, v)`` is what ``evidence`` holds for that document on the link u -> v. A view that
    shows a few thousand links asks for a few thousand documents, where reading every mention's quote
    of the build (millions at 100,000 documents) took most of its time and memory.
    """

    def __init__(self, store, keep):
        self.store, self.keep = as_store(store), keep
        self.by_document: dict[str, dict[tuple[str, str], tuple[int, str]]] = {}

    def __call__(self, doc: str, u: str, v: str) -> str | None:
        if doc not in self.by_document:
            rows = ({**r, "doc": doc} for r in select(self.store, Q_DOCUMENT_MENTION_QUOTES % NamedNode(doc).value))
            self.by_document[doc] = first_quotes(rows, self.keep)
        return link_quote(self.by_document[doc], doc, u, v)


def actor_graph(store, co_mentions: bool = True, documents: dict[str, dict] | None = None,
                evidence: bool = True) -> nx.MultiDiGraph:
    """States, bodies, mandate holders and persons, and what the documents say about them.

    Edge keys (one edge per pair and relation), from the documents' own graphs:

    - ``authored``: signatory person -> the state on whose behalf the document is written (when
      the document has one signatory or one author state, so the pairing is not a guess);
    - ``addressed to``: author (state, else signatory) -> kg:addressee;
    - ``alleges against``: author -> kg:accuses;
    - ``invokes instrument against``: author -> accused, when the document also kg:invokes an
      instrument, article or resolution other than domestic law (``instruments`` lists them);
    - ``communicates with``: the state a special-procedures communication concerns <-> the mandate
      holders (or, if none is named, the addressee) of a document citing that communication
      (``communications`` lists the references);
    - ``mentioned together``: two actors the same document kg:mentions (undirected: stored once,
      from the smaller IRI).

    Every edge has ``documents`` (sorted IRIs), ``weight`` (their number) and ``evidence``
    ({document, quote}: the first mention of the target in each document, where there is one;
    empty with ``evidence=False``, which skips reading every mention's quote: the report does not
    use them, and at 100,000 documents they are millions of strings).
    Node attributes: ``label``, ``kind`` (State, Mandate holder, Treaty body, UN body, Court,
    Organization, Person), ``class`` (vocabulary class), ``code`` (ISO 3166 alpha-3 for states).
    """
    store = as_store(store)
    docs = document_records(store) if documents is None else documents
    corpus = {iri for iri, d in docs.items() if d["in_corpus"]}
    G = nx.MultiDiGraph(name="actors")
    G.graph["documents"] = _doc_meta(docs)

    actors: dict[str, dict] = {}
    for r in select(store, Q_ACTOR_CLASSES):
        cls = local(r["cls"])
        kind = "State" if cls == "State" else BODY_KINDS.get(cls, "UN body")
        prev = actors.get(r["a"])
        # A body in several classes: keep the most specific kind (order of ACTOR_KINDS).
        if prev is None or ACTOR_KINDS.index(kind) < ACTOR_KINDS.index(prev["kind"]):
            actors[r["a"]] = {"label": r["l"], "kind": kind, "class": cls}
    for r in select(store, Q_STATE_CODES):
        if r["a"] in actors:
            actors[r["a"]]["code"] = r["code"]
    for r in select(store, Q_PERSONS):
        prev = actors.get(r["p"])
        if prev is None or r["name"] < prev["label"]:
            actors[r["p"]] = {"label": r["name"], "kind": "Person", "class": "Person"}

    # Places and instruments (four mentions in ten) are never an end of a link: only actors' quotes.
    quotes = first_quotes(select(store, Q_MENTION_QUOTES), actors) if evidence else {}

    author = _doc_rel(store, ns.KG + "authorState")
    addressee = _doc_rel(store, ns.KG + "addressee")
    accuses = _doc_rel(store, ns.KG + "accuses")
    signatory = _doc_rel(store, ns.KG + "signatory")
    mentions = _doc_rel(store, ns.KG + "mentions")
    invokes: dict[str, set[str]] = defaultdict(set)
    for r in select(store, Q_INVOKES):
        invokes[r["doc"]].add(r["inst"])
    inst_labels: dict[str, str] = {}
    if invokes:
        for r in select(store, Q_INSTRUMENT_LABELS):
            if r["i"] not in inst_labels or len(r["l"]) < len(inst_labels[r["i"]]):
                inst_labels[r["i"]] = r["l"]

    edges: dict[tuple[str, str, str], dict] = {}

    def add(u, v, rel, doc, **extra):
        if u == v or u not in actors or v not in actors or doc not in corpus:
            return
        if rel in UNDIRECTED_RELATIONS and v < u:
            u, v = v, u
        e = edges.setdefault((u, v, rel), {"documents": set(), "evidence": {}})
        e["documents"].add(doc)
        q = link_quote(quotes, doc, u, v)
        if q and doc not in e["evidence"]:
            e["evidence"][doc] = q
        for k, vals in extra.items():
            e.setdefault(k, set()).update(vals)

    for doc in sorted(corpus):
        authors = sorted(author.get(doc, ())) or sorted(signatory.get(doc, ()))
        signers, states = sorted(signatory.get(doc, ())), sorted(author.get(doc, ()))
        if len(signers) == 1 or len(states) == 1:
            # A joint letter signed by several representatives of several states does not say who
            # signed for whom: no 'authored' edge is guessed then.
            for p in signers:
                for s in states:
                    add(p, s, AUTHORED, doc)
        for a in authors:
            for x in sorted(addressee.get(doc, ())):
                add(a, x, ADDRESSED, doc)
            for x in sorted(accuses.get(doc, ())):
                add(a, x, ALLEGES, doc)
                if invokes.get(doc):
                    add(a, x, INVOKES_AGAINST, doc,
                        instruments={inst_labels.get(i, local(i)) for i in invokes[doc]})
        if co_mentions:
            named = sorted(m for m in mentions.get(doc, ()) if m in actors)
            for i, a in enumerate(named):
                for b in named[i + 1:]:
                    add(a, b, MENTIONED, doc)
    for r in select(store, Q_COMMUNICATIONS):
        doc = r["doc"]
        if doc not in corpus:
            continue
        is_nv = docs[doc]["kind"] == "NoteVerbale" or local(r["how"]) == "repliesTo"
        if not is_nv:
            continue
        states = [r["state"]] if r["state"] else sorted(author.get(doc, ()))
        counterparts = sorted(m for m in mentions.get(doc, ()) if actors.get(m, {}).get("kind") == "Mandate holder")
        counterparts = counterparts or sorted(addressee.get(doc, ()))
        for s in states:
            for c in counterparts:
                add(s, c, COMMUNICATES, doc, communications={r["ref"]})

    # The quotes and mentions of every document are not needed past here, and each edge's working
    # record is dropped as its attributes are made: at 100,000 documents both would otherwise stay
    # in memory beside the finished graph.
    quotes.clear()
    mentions.clear()
    used = {n for k in edges for n in k[:2]}
    for iri in sorted(used | {a for doc in corpus for a in author.get(doc, ())} & set(actors)):
        G.add_node(iri, **actors[iri])
    for u, v, rel in sorted(edges):
        e = edges.pop((u, v, rel))
        documents = sorted(e["documents"])
        attrs = {"type": rel, "documents": documents, "weight": len(documents),
                 "directed": rel not in UNDIRECTED_RELATIONS,
                 "evidence": [{"document": d, "quote": e["evidence"][d]} for d in documents if d in e["evidence"]],
                 "dates": sorted({docs[d]["date"] for d in documents if docs[d]["date"]})}
        for k in ("instruments", "communications"):
            if k in e:
                attrs[k] = sorted(e[k])
        G.add_edge(u, v, key=rel, **attrs)
    return G


# ---------------------------------------------------------------------------------------------
# Incident graph

# One pattern per OPTIONAL, with COALESCE, for the reason given at Q_CITATIONS (at 10,000
# documents 15.5 s and +852 MB before, 3.5 s and +177 MB after).
Q_INCIDENTS = """
SELECT ?inc ?doc ?type ?date ?begin ?end ?place ?placeLabel ?perp ?killed ?injured ?children ?hostages ?missing ?quote ?start WHERE {
  GRAPH ?g {
    ?inc a kg:IncidentReport ; kg:reportedBy ?doc .
    OPTIONAL { ?inc kg:incidentType ?type }
    OPTIONAL { ?inc kg:date ?date }
    OPTIONAL { ?inc sem:hasBeginTimeStamp ?begin }
    OPTIONAL { ?inc sem:hasEndTimeStamp ?end }
    OPTIONAL { ?inc sem:hasPlace ?place } BIND(COALESCE(?place, kg:none) AS ?placeKey)
    OPTIONAL { ?placeKey rdfs:label ?placeLabel }
    OPTIONAL { ?inc kg:allegedPerpetrator ?perp }
    OPTIONAL { ?inc kg:killed ?killed }
    OPTIONAL { ?inc kg:injured ?injured }
    OPTIONAL { ?inc kg:childrenKilled ?children }
    OPTIONAL { ?inc kg:hostages ?hostages }
    OPTIONAL { ?inc kg:missing ?missing }
    OPTIONAL { ?inc kg:evidence ?ev0 } BIND(COALESCE(?ev0, kg:none) AS ?ev)
    OPTIONAL { ?ev oa:exact ?quote } OPTIONAL { ?ev oa:start ?start }
  }
}
"""
Q_SAME_EVENT = """
SELECT ?a ?b WHERE { GRAPH kgg:links { ?a kg:sameEventAs ?b } }
"""


def incidents(store) -> list[dict]:
    """One record per incident report: type, dates, place, figures, perpetrator, quote, document."""
    store = as_store(store)
    recs: dict[str, dict] = {}
    for r in select(store, Q_INCIDENTS):
        rec = recs.get(r["inc"])
        if rec is None:
            rec = recs[r["inc"]] = {"id": r["inc"], "document": r["doc"], "type": r["type"] or "incident",
                                    "date": r["date"], "begin": r["begin"], "end": r["end"],
                                    "place": r["place"], "place_label": r["placeLabel"],
                                    "perpetrators": set(), "quote": None, "_start": None}
            for k in ("killed", "injured", "children", "hostages", "missing"):
                rec[k] = int(r[k]) if r[k] is not None else None
        if r["perp"]:
            rec["perpetrators"].add(r["perp"])
        if r["quote"] is not None and (rec["_start"] is None or int(r["start"]) < rec["_start"]):
            rec["quote"], rec["_start"] = r["quote"], int(r["start"])
    out = []
    for rec in sorted(recs.values(), key=lambda x: x["id"]):
        rec.pop("_start")
        rec["perpetrators"] = sorted(rec["perpetrators"])
        out.append(rec)
    return out


def incident_graph(store) -> nx.DiGraph:
    """Incident reports -> the documents that report them, their places and alleged perpetrators.

    Nodes have ``kind`` Incident, a document kind, Place or State. Edges: ``reported by``
    (incident -> document), ``at`` (incident -> place), ``attributed to`` (incident -> state),
    ``same event as`` (between two reports, from kgg:links), ``authored by`` (document -> state).
    Incident nodes carry the figures, ``date`` (begin), ``quote`` and ``document``.
    """
    store = as_store(store)
    docs = document_records(store)
    G = nx.DiGraph(name="incidents")
    G.graph["documents"] = _doc_meta(docs)
    labels = {r["s"]: r["l"] for r in select(store, Q_VOCAB_LABELS)}
    recs = incidents(store)
    for i, rec in enumerate(recs):
        recs[i] = None   # each record is let go once its node is made: the graph holds its values
        d = docs.get(rec["document"], {})
        figures = ", ".join(f"{rec[k]} {name}" for k, name in (("killed", "killed"), ("injured", "injured"),
                                                                ("children", "children killed"), ("hostages", "hostages"),
                                                                ("missing", "missing")) if rec[k] is not None)
        label = " ".join(x for x in (rec["type"], rec["place_label"] or "", (rec["date"] or "")) if x)
        G.add_node(rec["id"], kind="Incident", label=label, date=rec["begin"] or _date_prefix(rec["date"]),
                   figures=figures, **{k: rec[k] for k in ("type", "killed", "injured", "children", "hostages",
                                                           "missing", "quote", "document", "place_label")},
                   printed_date=rec["date"])
        doc = rec["document"]
        if doc not in G:
            G.add_node(doc, **{**d, "kind": d.get("kind", "Document")})
        G.add_edge(rec["id"], doc, type="reported by", documents=[doc])
        if rec["place"]:
            if rec["place"] not in G:
                G.add_node(rec["place"], kind="Place", label=rec["place_label"] or local(rec["place"]))
            G.add_edge(rec["id"], rec["place"], type="at", documents=[doc])
        for p in rec["perpetrators"]:
            if p not in G:
                G.add_node(p, kind="State", label=labels.get(p, local(p)))
            G.add_edge(rec["id"], p, type="attributed to", documents=[doc])
        for s in d.get("author_states", []):
            if s not in G:
                G.add_node(s, kind="State", label=labels.get(s, local(s)))
            G.add_edge(doc, s, type="authored by", documents=[doc])
    for r in select(store, Q_SAME_EVENT):
        if r["a"] in G and r["b"] in G and not G.has_edge(r["b"], r["a"]):
            G.add_edge(r["a"], r["b"], type="same event as",
                       documents=sorted({G.nodes[r["a"]]["document"], G.nodes[r["b"]]["document"]}))
    return G


def _date_prefix(printed: str | None) -> str | None:
    """The first full or partial ISO date of a printed date ('1993-04', '1993-04-18/1993-04-20')."""
    if not printed:
        return None
    m = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", printed)
    if not m:
        return None
    return f"{m.group(1)}-{m.group(2) or '01'}-{m.group(3) or '01'}"
