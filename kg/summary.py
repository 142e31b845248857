"""kg summary: one record per document, computed from the store (schema: the gold files' README)."""
from __future__ import annotations

from collections import defaultdict

from pyoxigraph import Store

from kg import namespaces as ns

PREFIXES = "".join(f"PREFIX {k}: <{v}>\n" for k, v in ns.PREFIXES.items())

KIND_OF_CLASS = {
    "Letter": "letter", "IdenticalLetters": "letter", "NoteVerbale": "note_verbale", "StateReport": "state_report",
    "JointStatement": "joint_statement",
}

# Each query yields (?src, ?v) pairs, one field of the summary, read from the document's own graph.
SC = ns.KGID + "body/security-council"
BODIES = ns.KGID + "scheme/bodies"
FIELD_QUERIES = {
    "kind": "?doc a ?cls . BIND(STRAFTER(STR(?cls), STR(kg:)) AS ?v)",
    "symbols": "?doc kg:symbol ?v",
    "issued": "?doc dcterms:issued ?v",
    "dated": "?doc kg:dated ?v",
    "received": "?doc kg:dateReceived ?v",
    "author_states": "?doc kg:authorState ?s . GRAPH kgg:vocab { ?s skos:notation ?v FILTER(DATATYPE(?v) = kg:ISO3166Alpha3) }",
    "addressees": "?doc kg:addressee ?a . GRAPH kgg:vocab { ?a skos:prefLabel ?v }",
    "signatories": "?doc kg:signatory ?p . ?p foaf:name ?v",
    "cited_symbols": "?doc cito:cites ?t . ?t a kg:Document ; kg:symbol ?v . FILTER(?t != ?doc)",
    "communication_refs": "?doc cito:cites ?t . ?t a kg:Communication ; kg:reference ?v",
    "sc_resolutions": "?doc cito:cites ?t . ?t a kg:Resolution ; kg:adoptedBy <" + SC + "> ; kg:resolutionNumber ?v",
    "other_resolutions": "?doc cito:cites ?t . { ?t a kg:Resolution } UNION { ?t a kg:Decision } "
                         "?t rdfs:label ?v . FILTER NOT EXISTS { ?t kg:adoptedBy <" + SC + "> }",
    "legal_instruments": "?doc kg:mentions ?i . GRAPH kgg:vocab { ?i a kg:LegalInstrument ; skos:prefLabel ?v }",
    "domestic_law": "?doc kg:invokes ?t . { ?t a kg:DomesticLaw } UNION { ?t eli:is_part_of ?law . ?law a kg:DomesticLaw } ?t rdfs:label ?v",
    "states": "?doc kg:mentions ?s . GRAPH kgg:vocab { ?s a kg:State ; skos:notation ?v FILTER(DATATYPE(?v) = kg:ISO3166Alpha3) }",
    # The schema's bodies are organs, mandate holders and organisations; the office that presides over an
    # organ (the President of the Security Council) is an addressee, not a body of its own.
    "bodies": "?doc kg:mentions ?b . GRAPH kgg:vocab { ?b skos:inScheme <" + BODIES + "> ; skos:prefLabel ?v "
              "FILTER NOT EXISTS { ?b kg:presides ?organ } }",
    "persons": "?doc kg:mentions ?p . ?p a foaf:Person ; foaf:name ?v",
    "places": "?doc kg:mentions ?p . ?p a kg:Place ; rdfs:label ?v",
}

INCIDENTS = """
SELECT ?src ?inc ?type (COALESCE(?here, ?pref, ?printed) AS ?placeLabel) ?date ?killed ?injured ?children ?perp ?quote WHERE {
  GRAPH ?g {
    ?doc kg:sourceFile ?src .
    ?inc a kg:IncidentReport ; kg:reportedBy ?doc ; kg:incidentType ?type ; kg:evidence ?ev .
    ?ev oa:exact ?quote .
    OPTIONAL { ?inc kg:placeName ?here }
    OPTIONAL { ?inc sem:hasPlace ?place . ?place rdfs:label ?printed
               OPTIONAL { GRAPH kgg:vocab { ?place skos:prefLabel ?pref } } }
    OPTIONAL { ?inc kg:date ?date }
    OPTIONAL { ?inc kg:killed ?killed }
    OPTIONAL { ?inc kg:injured ?injured }
    OPTIONAL { ?inc kg:childrenKilled ?children }
    OPTIONAL { ?inc kg:allegedPerpetrator ?p . BIND(STRAFTER(STR(?p), "/state/") AS ?perp) }
  }
} ORDER BY ?src ?inc
"""


def _run(store: Store, body: str):
    q = f"{PREFIXES}SELECT DISTINCT ?src ?v WHERE {{ GRAPH ?g {{ ?doc kg:sourceFile ?src . {body} }} }}"
    # The vocab graph is matched with its own GRAPH clause; nested GRAPH inside GRAPH ?g is fine in SPARQL 1.1.
    return store.query(q)


def summarise(store: Store) -> list[dict]:
    records: dict[str, dict] = {}
    values: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for field, body in FIELD_QUERIES.items():
        for row in _run(store, body):
            values[row["src"].value][field].add(row["v"].value)
    for src in sorted(values):
        v = values[src]
        kinds = [KIND_OF_CLASS[k] for k in sorted(v["kind"]) if k in KIND_OF_CLASS]
        records[src] = {
            "source": src,
            "kind": kinds[0] if kinds else "other",
            "symbols": sorted(v["symbols"]),
            "dates": {k: min(v[k]) if v[k] else None for k in ("issued", "dated", "received")},
            "author_states": sorted(v["author_states"]),
            "addressees": sorted(v["addressees"]),
            "signatories": sorted(v["signatories"]),
            "cited_symbols": sorted(v["cited_symbols"] - v["symbols"]),
            "communication_refs": sorted(v["communication_refs"]),
            "sc_resolutions": sorted(int(x) for x in v["sc_resolutions"] if x.isdigit()),
            "other_resolutions": sorted(v["other_resolutions"]),
            "legal_instruments": sorted(v["legal_instruments"]),
            "domestic_law": sorted(v["domestic_law"]),
            "states": sorted(v["states"]),
            "bodies": sorted(v["bodies"]),
            "persons": sorted(v["persons"]),
            "places": sorted(v["places"]),
            "incidents": [],
        }
    seen = set()
    for row in store.query(PREFIXES + INCIDENTS):
        rec = records.get(row["src"].value)
        if rec is None or row["inc"].value in seen:
            continue   # one record per incident report, whatever number of labels its place has
        seen.add(row["inc"].value)
        num = lambda k: int(row[k].value) if row[k] is not None else None  # noqa: E731
        rec["incidents"].append({
            "type": row["type"].value, "place": row["placeLabel"].value if row["placeLabel"] else None,
            "date": row["date"].value if row["date"] else None, "killed": num("killed"), "injured": num("injured"),
            "children_killed": num("children"), "attributed_to": row["perp"].value if row["perp"] else None,
            "quote": row["quote"].value,
        })
    return [records[k] for k in sorted(records)]
