"""Write a synthetic corpus of UN letters for benchmarks: `python benchmarks/generate.py N OUTDIR [--seed S]`.

The documents follow the conventions of the bundled corpus (corpus/*.txt, plain text with a little
markdown, footnote numbers as superscript digits) and of the letters circulated as General Assembly
and Security Council documents:

* a masthead with the document's own symbol: mostly a joint symbol ``A/80/n-S/2025/m``, some
  General Assembly-only (``A/80/n``) or Security Council-only (``S/2025/m``) documents;
  ``Distr.: General`` and the date of issue, ``Original: English``, sessions and agenda items;
* the title ``Letter dated ... from the Permanent Representative of <State> to the United Nations
  addressed to the Secretary-General`` (a few from a Chargé d'affaires a.i., a few identical letters);
* body paragraphs that cite *other generated documents* by symbol (the whole joint symbol, or one
  part of it), in the text and in footnotes with superscript markers.  Cited documents are picked by
  preferential attachment (Price/Barabasi-Albert: a document is cited with a probability that grows
  with the citations it already has), so the in-degree follows a power law, as in real citation
  networks; replies cite the opponent's letters and dispute them ("categorically rejects");
* Security Council and General Assembly resolutions ("Security Council resolution 2334 (2016)"),
  Human Rights Council resolutions, S/PV. records, special-procedures communications;
* legal instruments (labels from ontologies/vocab/instruments.ttl), often with an article;
* incidents ("On 5 March 2025, a missile strike on the city of X killed 12 civilians, including
  3 children, and injured 40."), attributed to the opponent's armed forces;
* states (names from ontologies/vocab/states.ttl: short names, formal names, adjectives);
* a signature ``(Signed) Name Surname`` with the post; sometimes an annex.

Lengths follow a log-normal distribution (median about 1,100 words, a long tail to ~8,000), like the
letters of corpus-un2025.  The output is a pure function of (N, --seed): same arguments, same bytes.
Beside the documents, ``MANIFEST.json`` lists every file with its symbols, date, author and the
symbols it cites (kg build ignores it: .json is not a document suffix).
"""
from __future__ import annotations

import argparse
import bisect
import json
import math
import random
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VOCAB = ROOT / "ontologies" / "vocab"
SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
YEAR = 2025
SESSION_A = "80"

# --------------------------------------------------------------------------- vocabularies

SKOS = "http://www.w3.org/2004/02/skos/core#"
KG = "https://w3id.org/kg-un/ontology#"


def _read_ttl(name: str) -> dict[str, dict[str, list[str]]]:
    from pyoxigraph import RdfFormat, parse
    path = VOCAB / name
    props: dict[str, dict[str, list[str]]] = {}
    for t in parse(path.read_bytes(), format=RdfFormat.TURTLE, base_iri=path.as_uri()):
        props.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object.value)
    return props


@dataclass(frozen=True)
class State:
    code: str
    name: str            # UN short name: "Azerbaijan"
    formal: str          # "Republic of Azerbaijan"
    adjective: str       # "Azerbaijani"


def load_states() -> list[State]:
    out = []
    for iri, p in sorted(_read_ttl("states.ttl").items()):
        if KG + "MemberState" not in p.get(KG + "unStatus", []) or SKOS + "prefLabel" not in p:
            continue
        name = p[SKOS + "prefLabel"][0]
        formal = (p.get(KG + "formalName") or [name])[0]
        adjective = (p.get(KG + "adjective") or [""])[0]
        out.append(State(iri.rsplit("/", 1)[-1], name, formal, adjective))
    return out


def load_instruments() -> list[str]:
    """Printable names of instruments: the short title where one exists, else the full title."""
    out = []
    for _iri, p in sorted(_read_ttl("instruments.ttl").items()):
        pref = p.get(SKOS + "prefLabel")
        if not pref:
            continue
        alts = [a for a in p.get(SKOS + "altLabel", []) if len(a.split()) >= 2 and not a.isupper()]
        name = alts[0] if alts and len(pref[0]) > 90 else pref[0]
        if len(name) <= 140:
            out.append(name)
    return out


# --------------------------------------------------------------------------- word banks

FIRST = ("Ahmed Alexander Amina Ana Andrei Carlos Chen Daniel Elena Fatima Gabriel Hassan Ibrahim Irina Jean "
         "Jorge Kwame Laila Lucia Maria Mateo Mohammed Nadia Nikolai Olga Omar Pablo Rania Samuel Sofia Tariq "
         "Thomas Viktor Wei Yasmin Yusuf Zainab Amadou Keiko Lars Priya Rashid Tatiana").split()
LAST = ("Abdullah Alvarez Bakr Banda Chowdhury Costa Dlamini Eriksen Fernandes Georgiou Haddad Ivanov Jensen "
        "Kamara Kowalski Lindqvist Mensah Moreau Nakamura Novak Okafor Petrov Quispe Rahman Rossi Said Santos "
        "Schmidt Silva Sokolov Tanaka Traore Usman Vargas Wang Yilmaz Zhang Zulu Haidari Kovacs Mwangi Osei").split()
SYLLABLES = ("ka ra bel an dor mi sha va lu ten gor zan ol pi ne ri as tam ul ba kor de sin ha mar vel to "
             "ar ik bu ze lan mo ta ser fi nor").split()
AGENDA_TITLES = [
    "Prevention of armed conflict", "Promotion and protection of human rights",
    "The rule of law at the national and international levels", "Peacebuilding and sustaining peace",
    "Elimination of racism, racial discrimination, xenophobia and related intolerance",
    "The situation in the Middle East", "Question of Palestine", "Protection of civilians in armed conflict",
    "Measures to eliminate international terrorism", "Report of the Human Rights Council",
    "Strengthening of the coordination of humanitarian and disaster relief assistance of the United Nations",
    "The responsibility to protect and the prevention of genocide, war crimes, ethnic cleansing and crimes against humanity",
    "Maintenance of international peace and security", "Threats to international peace and security",
]
BODIES = ["the Security Council", "the General Assembly", "the Human Rights Council", "the Secretary-General",
          "the Office of the United Nations High Commissioner for Human Rights", "the International Court of Justice",
          "the International Committee of the Red Cross", "the Committee against Torture",
          "the United Nations Children's Fund", "the Office for the Coordination of Humanitarian Affairs",
          "the Special Rapporteur on extrajudicial, summary or arbitrary executions",
          "the Working Group on Enforced or Involuntary Disappearances", "the International Criminal Court",
          "the United Nations High Commissioner for Refugees", "the World Health Organization"]
ATTACKS = [("a missile strike", "missile"), ("a drone attack", "drone"), ("artillery shelling", "artillery"),
           ("an airstrike", "air"), ("a rocket attack", "rocket"), ("the shelling", "shelling"),
           ("a mortar attack", "mortar"), ("a cluster munition attack", "cluster")]
PLACE_KINDS = ["city", "town", "village", "district", "settlement"]
ORDINALS = {80: "Eightieth", 79: "Seventy-ninth"}
HRC_SESSIONS = range(52, 60)
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]

FILLER = [
    "{S} remains fully committed to the purposes and principles of the Charter of the United Nations, including respect for the sovereignty, territorial integrity and political independence of all States.",
    "The international community cannot remain silent in the face of such blatant violations of international law.",
    "These actions constitute a grave breach of the obligations of {O} under international humanitarian law and international human rights law.",
    "The Government of {S} has repeatedly drawn the attention of the United Nations to the deteriorating situation on the ground.",
    "Such conduct undermines the prospects for a negotiated settlement and threatens regional peace and security.",
    "{S} calls upon {B} to take all necessary measures to ensure accountability for these crimes.",
    "It is regrettable that the authorities of {O} continue to disregard the repeated calls of the international community.",
    "The {A} side has consistently demonstrated its readiness to engage constructively in dialogue on all outstanding issues.",
    "The humanitarian situation in the affected areas continues to deteriorate, with thousands of civilians displaced from their homes.",
    "{S} reiterates its call for the immediate and unconditional release of all persons arbitrarily detained.",
    "The deliberate targeting of civilian infrastructure, including hospitals, schools and water facilities, is prohibited under international law.",
    "These facts have been documented by independent observers and by the relevant national authorities.",
    "My Government reserves the right to take all measures necessary to protect its population, in accordance with Article 51 of the Charter of the United Nations.",
    "The claims contained in that letter are baseless and are intended to mislead the international community.",
    "{S} welcomes the engagement of {B} and stands ready to cooperate fully with its mandate.",
    "The continued presence of armed formations of {O} in the area constitutes a direct threat to the civilian population.",
    "{S} attaches great importance to the work of {B} and has submitted detailed information on the measures taken.",
    "An investigation into these events has been opened by the Prosecutor General's Office, and the findings will be shared in due course.",
    "Demining operations are ongoing, and more than {N} hectares of land have been cleared since the beginning of the year.",
    "The restoration of the affected territories requires sustained international support and the cooperation of all parties.",
    "The {A} authorities have facilitated the safe passage of humanitarian convoys and the evacuation of the wounded.",
    "Such rhetoric is incompatible with the commitments undertaken by {O} and with the spirit of good-neighbourly relations.",
    "In this regard, the attention of the Council is drawn to the pattern of violations described below.",
    "The perpetrators of these crimes must be brought to justice, and the victims and their families must receive full reparation.",
    "Over {N} families have been unable to return to their homes owing to the continuing insecurity.",
    "The representatives of {O} have repeatedly refused to engage in meaningful negotiations.",
    "We also note with concern the persistent attempts to politicize humanitarian issues.",
    "{S} has fulfilled all its obligations under the relevant agreements and expects the same of {O}.",
]


def words_of(s: str) -> int:
    return len(s.split())


# --------------------------------------------------------------------------- the corpus plan

@dataclass
class Doc:
    index: int
    file: str
    a_symbol: str | None
    s_symbol: str | None
    dated: date
    issued: date
    author: State
    opponent: State
    post: str
    signer: str
    target_words: int
    cites: list[int] = field(default_factory=list)

    @property
    def symbols(self) -> list[str]:
        return [s for s in (self.a_symbol, self.s_symbol) if s]

    @property
    def joint(self) -> str:
        return "-".join(self.symbols)


def _date_label(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _and(items) -> str:
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _place_names(rng: random.Random, n: int) -> list[str]:
    names: dict[str, None] = {}
    while len(names) < n:
        k = rng.choice((2, 2, 3))
        word = "".join(rng.choice(SYLLABLES) for _ in range(k))
        if 4 <= len(word) <= 11:
            names[word.capitalize()] = None
    return list(names)


def plan(n: int, seed: int) -> tuple[list[Doc], dict]:
    """Decide every document's identity, author and citations before writing any text."""
    rng = random.Random(seed)
    states = load_states()
    # A few states write most letters (Zipf), in pairs of adversaries that answer each other.
    weights = [1 / (r + 1) ** 1.1 for r in range(len(states))]
    order = states[:]
    rng.shuffle(order)
    cum = []
    acc = 0.0
    for w in weights:
        acc += w
        cum.append(acc)

    def pick_state() -> State:
        return order[bisect.bisect_left(cum, rng.random() * acc)]

    rivals: dict[str, State] = {}
    for i in range(0, len(order) - 1, 2):
        rivals[order[i].code], rivals[order[i + 1].code] = order[i + 1], order[i]

    docs: list[Doc] = []
    start = date(YEAR, 1, 2)
    span_days = 360
    a_no, s_no = 100, 1
    for i in range(n):
        dated = start + timedelta(days=int(span_days * i / max(n, 1)))
        issued = dated + timedelta(days=rng.randint(1, 9))
        r = rng.random()
        a_sym = s_sym = None
        if r < 0.72:
            a_sym, s_sym = f"A/{SESSION_A}/{a_no}", f"S/{YEAR}/{s_no}"
            a_no += rng.randint(1, 3)
            s_no += rng.randint(1, 3)
        elif r < 0.88:
            a_sym = f"A/{SESSION_A}/{a_no}"
            a_no += rng.randint(1, 3)
        else:
            s_sym = f"S/{YEAR}/{s_no}"
            s_no += rng.randint(1, 3)
        author = pick_state()
        opponent = rivals.get(author.code) if rng.random() < 0.8 else None
        if opponent is None or opponent == author:
            opponent = pick_state()
            if opponent == author:
                opponent = order[(order.index(author) + 1) % len(order)]
        post = "Chargé d'affaires a.i." if rng.random() < 0.12 else "Permanent Representative"
        signer = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        # log-normal length: median ~1,100 words, capped
        words = int(min(8000, max(250, rng.lognormvariate(math.log(1100), 0.6))))
        docs.append(Doc(i, f"gen_{i:06d}.txt", a_sym, s_sym, dated, issued, author, opponent, post, signer, words))

    # Citations: preferential attachment over the earlier documents (repeat list: a document is in it
    # once, plus once for every citation it has received).
    repeat: list[int] = []
    for d in docs:
        if repeat:
            k = min(d.index, _citation_count(rng))
            chosen: dict[int, None] = {}
            tries = 0
            while len(chosen) < k and tries < 10 * k + 10:
                tries += 1
                j = repeat[rng.randrange(len(repeat))] if rng.random() < 0.85 else rng.randrange(d.index)
                if j != d.index:
                    chosen[j] = None
            d.cites = list(chosen)
            repeat.extend(d.cites)
        repeat.append(d.index)
    return docs, {"states": states, "instruments": load_instruments(), "places": _place_names(rng, 12 * len(states)),
                  "state_index": {s.code: i for i, s in enumerate(states)}}


def _citation_count(rng: random.Random) -> int:
    # 0..12, mean ~3: most letters cite one to four earlier documents, some many more.
    return min(12, int(rng.expovariate(1 / 3.0)))


# --------------------------------------------------------------------------- writing

class Writer:
    def __init__(self, doc: Doc, docs: list[Doc], banks: dict, rng: random.Random):
        self.d, self.docs, self.banks, self.rng = doc, docs, banks, rng
        self.paragraphs: list[str] = []
        self.notes: list[str] = []        # footnotes waiting to be printed after the next paragraph
        self.note_no = 0
        self.words = 0
        self.cited_symbols: list[str] = []

    # -- small pieces
    def state(self, s: State, formal: bool | None = None) -> str:
        """The short name, or (30 %) the formal name with its article: 'the Republic of Azerbaijan'."""
        formal = self.rng.random() < 0.3 if formal is None else formal
        return f"the {s.formal}" if formal and s.formal != s.name else s.name

    def date_in(self, lo: date, hi: date) -> date:
        span = max(0, (hi - lo).days)
        return lo + timedelta(days=self.rng.randint(0, span))

    def place(self) -> str:
        # A state's territory has a dozen recurring place names, so letters of both sides name the same towns.
        pool = self.banks["places"]
        home = self.d.author if self.rng.random() < 0.7 else self.d.opponent
        base = self.banks["state_index"][home.code] * 12
        return pool[(base + self.rng.randrange(12)) % len(pool)]

    def instrument(self) -> str:
        return self.rng.choice(self.banks["instruments"])

    def footnote(self, text: str) -> str:
        self.note_no += 1
        self.notes.append(f"{str(self.note_no).translate(SUP)} {text}")
        return str(self.note_no).translate(SUP)

    def cite_form(self, j: int) -> str:
        t = self.docs[j]
        r = self.rng.random()
        if len(t.symbols) == 2 and r < 0.25:
            sym = t.symbols[1] if r < 0.12 else t.symbols[0]     # one part of a joint symbol
        else:
            sym = t.joint
        self.cited_symbols.append(sym)
        return f"[{sym}](#)" if self.rng.random() < 0.25 else sym

    def para(self, text: str) -> None:
        text = text[0].upper() + text[1:]
        self.paragraphs.append(text)
        self.words += words_of(text)
        if self.notes and self.rng.random() < 0.7:
            self.flush_notes()

    def flush_notes(self) -> None:
        for n in self.notes:
            self.paragraphs.append(n)
            self.words += words_of(n)
        self.notes = []

    def filler(self, k: int) -> str:
        d = self.d
        out = []
        for _ in range(k):
            s = self.rng.choice(FILLER)
            s = s.format(S=self.state(d.author), O=self.state(d.opponent), A=d.author.adjective or d.author.name,
                         B=self.rng.choice(BODIES), N=f"{self.rng.randint(2, 90) * 100:,}")
            out.append(s[0].upper() + s[1:])
        return " ".join(out)

    # -- kinds of paragraphs
    def p_citation(self, j: int) -> None:
        d, t = self.d, self.docs[j]
        sym = self.cite_form(j)
        if t.author == d.opponent:
            forms = [
                f"I have the honour to refer to the letter dated {_date_label(t.dated)} from the {t.post} of {t.author.name} to the United Nations addressed to the Secretary-General ({sym}), and to categorically reject the false allegations contained therein.",
                f"The assertions made by the representative of {t.author.name} in document {sym} are baseless and are a deliberate distortion of the facts.",
                f"In response to the letter of {t.author.name} dated {_date_label(t.dated)},{self.footnote(sym + '.')} I wish to draw your attention to the following.",
            ]
        elif t.author == d.author:
            forms = [
                f"Further to my letter dated {_date_label(t.dated)} ({sym}), I wish to inform you of the latest developments.",
                f"As reported in my previous letters,{self.footnote(sym + '.')} the situation has continued to deteriorate.",
                f"The facts set out in document {sym} have since been confirmed by independent sources.",
            ]
        else:
            forms = [
                f"As documented in the letter dated {_date_label(t.dated)} from the {t.post} of {t.author.name} ({sym}), similar incidents have occurred elsewhere in the region.",
                f"{self.state(d.author)} shares the concerns expressed by {t.author.name} in document {sym}.{self.footnote('See also ' + self.cite_form(j) + '.')}",
            ]
        self.para(self.rng.choice(forms) + " " + self.filler(self.rng.randint(1, 3)))

    def p_incident(self) -> None:
        d = self.d
        day = self.date_in(date(YEAR, 1, 1), d.dated)
        attack, _weapon = self.rng.choice(ATTACKS)
        place = self.place()
        kind = self.rng.choice(PLACE_KINDS)
        killed = self.rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 17, 21, 25, 34, 48, 63])
        children = self.rng.randint(1, max(1, killed // 3))
        injured = self.rng.randint(killed, killed * 4 + 5)
        forms = [
            f"On {_date_label(day)}, {attack} on the {kind} of {place} killed {killed} civilians, including {children} children, and injured {injured}.",
            f"On {_date_label(day)}, the armed forces of {d.opponent.name} carried out {attack} on the {kind} of {place}, killing {killed} civilians and injuring {injured} others.",
            f"As a result of {attack} by the armed forces of {d.opponent.name} on {place} {kind} on {_date_label(day)}, {killed} civilians, including {children} children, were killed and {injured} were wounded.",
        ]
        text = self.rng.choice(forms)
        if self.rng.random() < 0.4:
            text += f"{self.footnote('Information provided by the Ministry of Internal Affairs of ' + self.state(d.author, True) + '.')}"
        self.para(text + " " + self.filler(self.rng.randint(1, 2)))

    def p_resolution(self) -> None:
        r = self.rng.random()
        if r < 0.5:
            num, yr = self.rng.choice([(242, 1967), (338, 1973), (1325, 2000), (1674, 2006), (2139, 2014),
                                       (2286, 2016), (2334, 2016), (2417, 2018), (2573, 2021), (2712, 2023),
                                       (2728, 2024), (2735, 2024)])
            res = f"Security Council resolution {num} ({yr})"
        elif r < 0.8:
            res = f"General Assembly resolution {self.rng.randint(60, 79)}/{self.rng.randint(1, 320)}"
        else:
            res = f"Human Rights Council resolution {self.rng.choice(list(HRC_SESSIONS))}/{self.rng.randint(1, 40)}"
        text = self.rng.choice([
            f"These actions are in flagrant violation of {res}, which the {self.d.opponent.adjective or self.d.opponent.name} side has consistently ignored.",
            f"{self.state(self.d.author)} recalls {res} and calls for its full implementation.",
            f"In accordance with {res}, all parties are required to ensure the protection of civilians.",
        ])
        if self.rng.random() < 0.3:
            text += self.footnote(f"See S/PV.{self.rng.randint(9500, 9999)}.")
        self.para(text + " " + self.filler(self.rng.randint(1, 2)))

    def p_instrument(self) -> None:
        inst = self.instrument()
        art = self.rng.randint(1, 60)
        text = self.rng.choice([
            f"Such acts constitute serious violations of article {art} of the {inst}.",
            f"{self.state(self.d.opponent)} is bound by its obligations under the {inst}, to which it is a party.",
            f"The conduct described above is contrary to the {inst}, in particular article {art} thereof.",
        ])
        self.para(text + " " + self.filler(self.rng.randint(1, 3)))

    def p_communication(self) -> None:
        ref = f"{self.rng.choice(['AL', 'UA', 'OL'])} {self.d.author.code} {self.rng.randint(1, 12)}/{YEAR}"
        self.para(f"The Government has responded in full to communication {ref} of the special procedures mandate holders. "
                  + self.filler(1))

    # -- the document
    def write(self) -> str:
        d, rng = self.d, self.rng
        lines = []
        masthead = f"United Nations {d.joint}"
        lines.append(masthead if rng.random() < 0.7 else f"**{masthead}**")
        lines.append(f"Distr.: General\n{_date_label(d.issued)}")
        lines.append("Original: English")
        items = sorted(rng.sample(range(20, 140), rng.randint(1, 4)))
        if d.a_symbol:
            agenda = f"Agenda item{'s' if len(items) > 1 else ''} {_and(items)}"
            lines.append(f"General Assembly\n{ORDINALS[int(SESSION_A)]} session")
            lines.append(agenda)
            lines.extend(rng.sample(AGENDA_TITLES, len(items)))
        if d.s_symbol:
            lines.append(f"Security Council\n{ORDINALS[80]} year")
        if d.post == "Permanent Representative":
            title = (f"Letter dated {_date_label(d.dated)} from the Permanent Representative of {d.author.name} "
                     f"to the United Nations addressed to the Secretary-General")
            if rng.random() < 0.1:
                title = (f"Identical letters dated {_date_label(d.dated)} from the Permanent Representative of "
                         f"{d.author.name} to the United Nations addressed to the Secretary-General and the "
                         f"President of the Security Council")
        else:
            title = (f"Letter dated {_date_label(d.dated)} from the Chargé d'affaires a.i. of the Permanent Mission "
                     f"of {d.author.name} to the United Nations addressed to the Secretary-General")
        lines.append(title)
        head = "\n\n".join(lines)

        self.para(self.rng.choice([
            f"I have the honour to transmit herewith information on the continuing violations of international law by {self.state(d.opponent)}.",
            f"On instructions from my Government, I wish to draw your attention to the situation resulting from the actions of {self.state(d.opponent)}.",
            f"I am writing to inform you of the latest developments concerning the security situation along the border between {d.author.name} and {d.opponent.name}.",
        ]) + " " + self.filler(rng.randint(1, 2)))
        # the planned citations come first, then other kinds of paragraph until the length is reached
        for j in d.cites:
            self.p_citation(j)
        kinds = [self.p_incident] * 3 + [self.p_resolution] * 2 + [self.p_instrument] * 2 + [self.p_communication]
        while self.words < d.target_words * (0.95 if rng.random() < 0.3 else 0.75):
            if rng.random() < 0.35:
                self.para(self.filler(rng.randint(3, 7)))
            else:
                rng.choice(kinds)()
        annex = d.target_words > 1400 and rng.random() < 0.5
        circulate = ("I should be grateful if you would have the present letter" + (" and its annex" if annex else "")
                     + " circulated as a document of " + (f"the General Assembly, under agenda item{'s' if len(items) > 1 else ''} "
                     + _and(items) + ", and of " if d.a_symbol else "") + "the Security Council.")
        self.para(circulate)
        post = "Ambassador\nPermanent Representative" if d.post == "Permanent Representative" else "Chargé d'affaires a.i."
        self.para(f"(Signed) {d.signer}\n{post}")
        self.flush_notes()
        if annex:
            self.para(f"Annex to the letter dated {_date_label(d.dated)} from the {d.post} of {d.author.name} "
                      f"to the United Nations addressed to the Secretary-General")
            while self.words < d.target_words:
                rng.choice(kinds)() if rng.random() < 0.6 else self.para(self.filler(rng.randint(3, 7)))
            self.flush_notes()
        return "\n\n\n\n" + head + "\n\n" + "\n\n".join(self.paragraphs) + "\n"


def generate(n: int, outdir: str | Path, seed: int = 0) -> dict:
    """Write n documents and MANIFEST.json into outdir; returns the manifest."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    docs, banks = plan(n, seed)
    manifest = {"seed": seed, "documents": []}
    total_words = 0
    for d in docs:
        w = Writer(d, docs, banks, random.Random(f"{seed}-{d.index}"))
        text = w.write()
        (out / d.file).write_text(text, encoding="utf-8")
        total_words += words_of(text)
        manifest["documents"].append({"file": d.file, "symbols": d.symbols, "dated": d.dated.isoformat(),
                                      "author": d.author.code, "cites": [docs[j].file for j in d.cites],
                                      "cited_symbols": w.cited_symbols})
    manifest["words"] = total_words
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=0, ensure_ascii=False), encoding="utf-8")
    return manifest


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, help="number of documents (1,000 to 100,000 for benchmarks)")
    ap.add_argument("outdir", help="folder to write into (created)")
    ap.add_argument("--seed", type=int, default=0, help="random seed: the same seed writes the same corpus")
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error("n must be at least 1")
    m = generate(args.n, args.outdir, args.seed)
    print(f"wrote {args.n} documents ({m['words']:,} words) to {args.outdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
