#!/usr/bin/env python3
"""Generate ontologies/vocab/states.ttl, the SKOS vocabulary of States.

ISO 3166-1 codes (and ISO 3166-3 / withdrawn codes for historical States) and the ISO official and
short names come from pycountry; the UN short and formal names, the other name variants, adjectives,
demonyms and Wikidata QIDs come from the hand-kept table scripts/data/states_extra.csv (sources are
cited in its header). The output is deterministic: the same inputs give the same bytes.

    python scripts/gen_states_vocab.py            # (re)write ontologies/vocab/states.ttl and check it
    python scripts/gen_states_vocab.py --check    # fail if the committed file is not what would be written

After writing, the file is parsed with both rdflib and pyoxigraph and checked (193 Member States,
2 observer States, every IRI valid, no name shared by two States, no excluded term used).
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pycountry
from pyoxigraph import NamedNode, RdfFormat, Store

ROOT = Path(__file__).resolve().parent.parent
DATA_FILE = ROOT / "scripts" / "data" / "states_extra.csv"
OUT_FILE = ROOT / "ontologies" / "vocab" / "states.ttl"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from kg.namespaces import DCTERMS, KG, KGID, OWL, RDFS, SKOS, XSD  # noqa: E402  (one place for namespaces)

WIKIDATA = "http://www.wikidata.org/entity/"
PREFIXES = (("kg", KG), ("kgid", KGID), ("skos", SKOS), ("rdfs", RDFS), ("owl", OWL),
            ("dcterms", DCTERMS), ("xsd", XSD))

SCHEME_IRI = f"{KGID}scheme/states"
STATUS_CLASS = {"member": "MemberState", "observer": "ObserverState", "historical": "HistoricalState"}
EXPECTED = {"member": 193, "observer": 2}

COLUMNS = ("alpha3", "status", "un_short_name", "formal_name", "alt_labels", "adjectives", "demonyms",
           "wikidata", "wikidata_source", "names_source", "note")
NAMES_SOURCES = {"unterm", "unterm-updated", "hand"}
# An excluded term may still be the UN short name (prefLabel) of exactly these States.
PREFLABEL_ALLOWED = {"Congo": "COG", "Guinea": "GIN"}
# The all-caps abbreviations shorter than three letters kept as names: states match as printed, so
# 'US' is not the pronoun 'us' (the extractor skips a name before a currency: 'US$', 'US dollars').
SHORT_ABBREVIATIONS_ALLOWED = {"UK", "US", "U.S."}

SCHEME_DESCRIPTION = (
    "The 193 Member States of the United Nations, the 2 non-member observer States (Holy See, State of "
    "Palestine) and historical States that UN documents still name (Union of Soviet Socialist Republics, "
    "Yugoslavia, Czechoslovakia, German Democratic Republic, Serbia and Montenegro), with the names, "
    "adjectives and demonyms by which texts refer to them. Entities that no UN body recognises as States "
    "are not in this vocabulary.")
SCHEME_SOURCE = (
    "pycountry (ISO 3166-1, ISO 3166-3) and scripts/data/states_extra.csv: UN short and formal names from "
    "datasets/country-codes data/country-codes.csv (UNTERM columns); Wikidata QIDs from owid/owid-grapher "
    "packages/@ourworldindata/grapher/src/mapCharts/CountriesRegions.ts and SpocWiki/_Standards "
    "(Holy See and historical States)")


class DataError(Exception):
    pass


@dataclass
class State:
    alpha3: str
    status: str
    pref_label: str
    formal_name: str
    alt_labels: list[str]
    adjectives: list[str]
    demonyms: list[str]
    qid: str | None
    note: str
    alpha2: str | None = None
    pycountry_labels: list[str] = field(default_factory=list)

    @property
    def iri(self) -> str:
        return f"{KGID}state/{self.alpha3}"


# ---------------------------------------------------------------- reading the table

def _split(cell: str) -> list[str]:
    return [v.strip() for v in cell.split("|") if v.strip()]


def load_table(path: Path = DATA_FILE) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The rows of the table and the excluded terms ('# exclude: TERM | reason' lines)."""
    excluded: dict[str, str] = {}
    data_lines = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#"):
            m = re.match(r"#\s*exclude:\s*(.+?)\s*\|\s*(.+?)\s*$", line)
            if m:
                if m.group(1) in excluded:
                    raise DataError(f"{path}:{number}: term excluded twice: {m.group(1)!r}")
                excluded[m.group(1)] = m.group(2)
            continue
        if line.strip():
            data_lines.append(line)
    reader = csv.DictReader(data_lines)
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise DataError(f"{path}: header must be {','.join(COLUMNS)}; got {reader.fieldnames}")
    rows = []
    for row in reader:
        if None in row or any(v is None for v in row.values()):
            raise DataError(f"{path}: row with a wrong number of cells: {row}")
        rows.append({k: v.strip() for k, v in row.items()})
    return rows, excluded


def _strip_the(name: str) -> str:
    return name[4:] if name.lower().startswith("the ") else name


def build_states(rows: list[dict[str, str]]) -> list[State]:
    states = []
    for row in rows:
        code, status = row["alpha3"], row["status"]
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise DataError(f"{code!r}: alpha3 must be three capital letters")
        if status not in STATUS_CLASS:
            raise DataError(f"{code}: status must be one of {sorted(STATUS_CLASS)}; got {status!r}")
        if row["names_source"] not in NAMES_SOURCES:
            raise DataError(f"{code}: names_source must be one of {sorted(NAMES_SOURCES)}")
        qid = row["wikidata"] or None
        if qid is not None:
            if not re.fullmatch(r"Q[1-9][0-9]*", qid):
                raise DataError(f"{code}: malformed Wikidata QID {qid!r}")
            if not row["wikidata_source"]:
                raise DataError(f"{code}: a QID needs a wikidata_source")
        if not row["un_short_name"] or not row["formal_name"]:
            raise DataError(f"{code}: un_short_name and formal_name are required")
        state = State(alpha3=code, status=status, pref_label=row["un_short_name"],
                      formal_name=row["formal_name"], alt_labels=_split(row["alt_labels"]),
                      adjectives=_split(row["adjectives"]), demonyms=_split(row["demonyms"]),
                      qid=qid, note=row["note"])
        if status == "historical":
            country = pycountry.historic_countries.get(alpha_3=code)
            if country is None:
                raise DataError(f"{code}: not an ISO 3166-3 (withdrawn) alpha-3 code in pycountry")
            state.alpha2 = getattr(country, "alpha_2", None)
        else:
            country = pycountry.countries.get(alpha_3=code)
            if country is None:
                raise DataError(f"{code}: not an ISO 3166-1 alpha-3 code in pycountry")
            state.alpha2 = country.alpha_2
            # ISO names as extra variants, except the inverted "Korea, Republic of" forms no text uses.
            for attr in ("name", "official_name", "common_name"):
                value = getattr(country, attr, None)
                if value and "," not in value:
                    state.pycountry_labels.append(_strip_the(value))
        states.append(state)

    # A withdrawn alpha-2 code reused for another State (CS: Czechoslovakia, then Serbia and Montenegro)
    # identifies neither, so it is not given as a notation.
    alpha2_count = Counter(s.alpha2 for s in states if s.alpha2)
    for s in states:
        if s.alpha2 and alpha2_count[s.alpha2] > 1:
            if s.status != "historical":
                raise DataError(f"{s.alpha3}: alpha-2 {s.alpha2} shared with another State")
            s.alpha2 = None
    return sorted(states, key=lambda s: s.alpha3)


# ---------------------------------------------------------------- names

def _curly(label: str) -> str:
    return label.replace("'", "\u2019")


def names_of(state: State, excluded: dict[str, str]) -> list[str]:
    """The skos:altLabel values: the table's variants, pycountry's names, and the typographic-apostrophe
    form of every name with an apostrophe; without duplicates of the prefLabel or formal name."""
    excluded_cf = {t.casefold() for t in excluded}
    seen = {state.pref_label.casefold(), state.formal_name.casefold()}
    out: list[str] = []

    def add(label: str, from_table: bool) -> None:
        key = label.casefold()
        if key in seen:
            return
        if key in excluded_cf:
            if from_table:
                raise DataError(f"{state.alpha3}: altLabel {label!r} is an excluded term")
            return   # a pycountry name that is an excluded term is dropped silently
        seen.add(key)
        out.append(label)

    for label in state.alt_labels:
        add(label, True)
    for label in state.pycountry_labels:
        add(label, False)
    for label in [state.pref_label, state.formal_name, *list(out)]:
        if "'" in label:
            add(_curly(label), False)
    return sorted(out, key=lambda v: (v.casefold(), v))


def validate(states: list[State], excluded: dict[str, str]) -> dict[str, list[str]]:
    """Check the table as a whole; return each State's altLabels."""
    problems = []
    counts = Counter(s.status for s in states)
    for status, n in EXPECTED.items():
        if counts[status] != n:
            problems.append(f"{counts[status]} {status} States, expected {n}")
    for code, n in Counter(s.alpha3 for s in states).items():
        if n > 1:
            problems.append(f"{code} listed {n} times")
    for qid, n in Counter(s.qid for s in states if s.qid).items():
        if n > 1:
            problems.append(f"Wikidata {qid} given to {n} States")

    alt = {}
    owner_of_name: dict[str, set[str]] = defaultdict(set)   # casefolded name -> States
    owner_of_term: dict[str, set[str]] = defaultdict(set)   # adjective/demonym -> States
    excluded_cf = {t.casefold(): t for t in excluded}
    for s in states:
        try:
            alt[s.alpha3] = names_of(s, excluded)
        except DataError as e:
            problems.append(str(e))
            continue
        for label in (s.pref_label, s.formal_name, *alt[s.alpha3]):
            if label != label.strip() or not label or label.lower().startswith("the "):
                problems.append(f"{s.alpha3}: badly formed name {label!r}")
            owner_of_name[label.casefold()].add(s.alpha3)
            letters = re.sub(r"[^A-Za-z]", "", label)
            if label.isupper() and len(letters) < 3 and label not in SHORT_ABBREVIATIONS_ALLOWED:
                problems.append(f"{s.alpha3}: abbreviation {label!r} is too short to match safely")
        for term in (*s.adjectives, *s.demonyms):
            if not term[:1].isupper():
                problems.append(f"{s.alpha3}: adjective/demonym {term!r} must be capitalised")
            owner_of_term[term].add(s.alpha3)
            if term.casefold() in excluded_cf:
                problems.append(f"{s.alpha3}: adjective/demonym {term!r} is an excluded term")
        if s.formal_name.casefold() in excluded_cf:
            problems.append(f"{s.alpha3}: formal name {s.formal_name!r} is an excluded term")
        pref_excluded = excluded_cf.get(s.pref_label.casefold())
        if pref_excluded and PREFLABEL_ALLOWED.get(pref_excluded) != s.alpha3:
            problems.append(f"{s.alpha3}: prefLabel {s.pref_label!r} is an excluded term")
    for name, owners in owner_of_name.items():
        if len(owners) > 1:
            problems.append(f"name {name!r} shared by {sorted(owners)}")
    for term, owners in owner_of_term.items():
        if len(owners) > 1:
            problems.append(f"adjective/demonym {term!r} shared by {sorted(owners)}")
        if term.casefold() in owner_of_name and owner_of_name[term.casefold()] != owners:
            problems.append(f"{term!r} is a term of {sorted(owners)} and a name of "
                            f"{sorted(owner_of_name[term.casefold()])}")
    if problems:
        raise DataError("states_extra.csv does not validate:\n  " + "\n  ".join(problems))
    return alt


# ---------------------------------------------------------------- Turtle

def _lit(value: str, lang: str = "en") -> str:
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"')
               .replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def _iri(iri: str) -> str:
    NamedNode(iri)   # raises ValueError on an IRI a strict parser would refuse
    return f"<{iri}>"


def _objects(values: list[str]) -> str:
    """One line for up to two values; otherwise one value a line."""
    if len(values) <= 2:
        return " " + " , ".join(values)
    return "\n        " + " ,\n        ".join(values)


def render(states: list[State], alt: dict[str, list[str]], excluded: dict[str, str]) -> str:
    width = max(len(t) for t in excluded)
    lines = [
        "# States: a SKOS vocabulary of the States UN documents name.",
        "# GENERATED by scripts/gen_states_vocab.py from pycountry and scripts/data/states_extra.csv;",
        "# do not edit by hand: change the table and re-run the script.",
        "#",
        "# Scope: the 193 UN Member States (kg:MemberState), the 2 non-member observer States (kg:ObserverState:",
        "# Holy See, State of Palestine) and historical States that UN documents still name (kg:HistoricalState:",
        "# SUN, YUG, CSK, DDR, SCG, under their ISO 3166-3 / withdrawn alpha-3 codes).",
        "# Entities that no UN body recognises as States (e.g. Kosovo, Taiwan) are not in this vocabulary.",
        "#",
        "# skos:prefLabel is the UN short name, kg:formalName the UN formal name; skos:altLabel holds every other",
        "# name to be matched (case-insensitively for multiword names, case-sensitively for all-caps",
        "# abbreviations); kg:adjective and kg:demonym are matched case-sensitively.",
        "#",
        "# Terms deliberately given to no State (as altLabel, adjective or demonym):",
        *[f"#   {term:<{width}}  {reason}" for term, reason in sorted(excluded.items(), key=lambda kv: kv[0].casefold())],
        "#",
        "# Sources: ISO codes and ISO names from pycountry; UN names from datasets/country-codes",
        "# (data/country-codes.csv, UNTERM columns, updated where the UN has since renamed a State); Wikidata QIDs",
        "# from owid/owid-grapher (packages/@ourworldindata/grapher/src/mapCharts/CountriesRegions.ts) and, for the",
        "# Holy See and the historical States, SpocWiki/_Standards. Commits are cited in states_extra.csv.",
        "",
    ]
    lines += [f"@prefix {p}: <{iri}> ." for p, iri in PREFIXES]
    lines += [
        "",
        f"{_iri(SCHEME_IRI)} a skos:ConceptScheme ;",
        f"    skos:prefLabel {_lit('States')} ;",
        f"    dcterms:description {_lit(SCHEME_DESCRIPTION)} ;",
        f"    dcterms:source {_lit(SCHEME_SOURCE, lang='')} .",
    ]
    for s in states:
        lines.append("")
        if s.note:
            lines.append(f"# {s.alpha3}: {s.note}")
        props = [
            ("skos:inScheme", [_iri(SCHEME_IRI)]),
            ("skos:prefLabel", [_lit(s.pref_label)]),
            ("kg:formalName", [_lit(s.formal_name)]),
            ("skos:altLabel", [_lit(v) for v in alt[s.alpha3]]),
            ("kg:adjective", [_lit(v) for v in sorted(set(s.adjectives))]),
            ("kg:demonym", [_lit(v) for v in sorted(set(s.demonyms))]),
            ("skos:notation", [f'"{s.alpha3}"^^kg:ISO3166Alpha3']
             + ([f'"{s.alpha2}"^^kg:ISO3166Alpha2'] if s.alpha2 else [])),
            ("skos:exactMatch", [_iri(WIKIDATA + s.qid)] if s.qid else []),
            ("kg:unStatus", [f"kg:{STATUS_CLASS[s.status]}"]),
        ]
        lines.append(f"{_iri(s.iri)} a skos:Concept , kg:State ;")
        body = [f"    {p}{_objects(values)}" for p, values in props if values]
        lines.append(" ;\n".join(body) + " .")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- checking the output

def check_output(text: str, states: list[State]) -> None:
    """Parse with rdflib and pyoxigraph, and check counts, IRIs and the shape of every State."""
    import rdflib

    graph = rdflib.Graph()
    graph.parse(data=text, format="turtle")
    store = Store()
    store.load(text.encode("utf-8"), format=RdfFormat.TURTLE)
    if len(graph) != len(store):
        raise AssertionError(f"rdflib reads {len(graph)} triples, pyoxigraph {len(store)}")
    for triple in graph:
        for term in triple:
            if isinstance(term, rdflib.URIRef):
                NamedNode(str(term))
            elif isinstance(term, rdflib.Literal) and term.datatype is not None:
                NamedNode(str(term.datatype))

    query = f"""
        PREFIX kg: <{KG}> PREFIX skos: <{SKOS}>
        SELECT ?status (COUNT(DISTINCT ?s) AS ?n) WHERE {{
            ?s a kg:State , skos:Concept ; skos:inScheme <{SCHEME_IRI}> ; kg:unStatus ?status .
        }} GROUP BY ?status"""
    by_status = {row["status"].value[len(KG):]: int(row["n"].value) for row in store.query(query)}
    if by_status.get("MemberState") != 193 or by_status.get("ObserverState") != 2:
        raise AssertionError(f"States by status: {by_status}; expected 193 MemberState and 2 ObserverState")
    if sum(by_status.values()) != len(states):
        raise AssertionError(f"{sum(by_status.values())} States in the file, {len(states)} in the table")

    query = f"""
        PREFIX kg: <{KG}> PREFIX skos: <{SKOS}>
        SELECT ?s (COUNT(DISTINCT ?p) AS ?np) (COUNT(DISTINCT ?c) AS ?nc) (COUNT(DISTINCT ?u) AS ?nu)
        WHERE {{
            ?s a kg:State .
            OPTIONAL {{ ?s skos:prefLabel ?p }}
            OPTIONAL {{ ?s skos:notation ?c FILTER(DATATYPE(?c) = kg:ISO3166Alpha3) }}
            OPTIONAL {{ ?s kg:unStatus ?u }}
        }} GROUP BY ?s"""
    for row in store.query(query):
        if (int(row["np"].value), int(row["nc"].value), int(row["nu"].value)) != (1, 1, 1):
            raise AssertionError(f"{row['s']}: needs exactly one prefLabel, alpha-3 notation and unStatus")


# ---------------------------------------------------------------- main

def generate() -> tuple[str, list[State]]:
    rows, excluded = load_table()
    states = build_states(rows)
    alt = validate(states, excluded)
    return render(states, alt, excluded), states


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; fail if the committed file differs from the generated one")
    args = parser.parse_args(argv)
    try:
        text, states = generate()
        check_output(text, states)
    except (DataError, AssertionError, ValueError) as e:
        print(f"gen_states_vocab: {e}", file=sys.stderr)
        return 1
    if args.check:
        current = OUT_FILE.read_text(encoding="utf-8") if OUT_FILE.exists() else None
        if current != text:
            print(f"gen_states_vocab: {OUT_FILE.relative_to(ROOT)} is out of date; run "
                  "python scripts/gen_states_vocab.py", file=sys.stderr)
            return 1
        print(f"{OUT_FILE.relative_to(ROOT)} is up to date ({len(states)} States)")
        return 0
    OUT_FILE.parent.mkdir(parents=True, exist_ok=True)
    OUT_FILE.write_text(text, encoding="utf-8", newline="\n")
    counts = Counter(s.status for s in states)
    print(f"wrote {OUT_FILE.relative_to(ROOT)}: {len(states)} States "
          f"({counts['member']} member, {counts['observer']} observer, {counts['historical']} historical); "
          f"{sum(1 for s in states if s.qid)} with a Wikidata link")
    return 0


if __name__ == "__main__":
    sys.exit(main())
