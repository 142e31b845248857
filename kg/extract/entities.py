"""Named things: states, bodies and mandate holders, instruments (from the vocabularies), redactions.

Matching is done by a spaCy pipeline (blank English tokenizer, a registered matcher component whose
patterns come from ontologies/vocab/), so adding a term is a change to the Turtle files only.
"""
from __future__ import annotations

import re
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span as SpacySpan
from spacy.util import filter_spans

from kg import vocab as vocab_mod
from kg.extract import prefilter
from kg.extract.places import TITLE_WORDS
from kg.extract.text import span
from kg.models import Mention

REDACTION = re.compile(r"█+(?:[ \t]*█+)*")


COMPASS_SPACE = re.compile(r"^(North|South|East|West|Upper|Lower|Central) (?=[A-Z])")


class VocabMatcher:
    """Marks every vocabulary term in doc.spans['kg_states'] and doc.spans['kg_terms'].

    Names and variants match case-insensitively, except state names, adjectives, demonyms and
    abbreviations, which match as printed ('Chad' the state, not 'chad'; 'CAT' not 'cat').
    """

    def __init__(self, nlp: Language, vocab_dir: str | None = None):
        self.vocabulary = vocab_mod.load(vocab_dir)
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.terms = {t.iri: t for t in self.vocabulary.terms}
        self.context_pattern, self.context_terms = _context_names(self.terms)
        # Patterns are tokenized by a tokenizer of their own (same vocabulary): run through the
        # pipeline's tokenizer, ~14,000 names would fill its cache before the first document.
        patterns_tokenizer = spacy.blank("en", vocab=nlp.vocab).tokenizer
        for t in self.vocabulary.terms:
            case_sensitive = list(t.exact)
            if t.scheme == "place":
                # Place names are proper nouns and many are words too ('Bar', 'Of'): as printed only; a
                # compass word may be joined by a hyphen ('North-Kivu', as French-style texts print it).
                names = [*t.names, *(COMPASS_SPACE.sub(r"\1-", n) for n in t.names if COMPASS_SPACE.match(n))]
                self.exact.add(t.iri, list(patterns_tokenizer.pipe(dict.fromkeys(names))))
                continue
            if t.scheme == "state":
                # State names are proper nouns: match as printed, plus the upper-case masthead form.
                case_sensitive += list(t.names) + [n.upper() for n in t.names if len(n) > 4]
                case_insensitive = [n for n in t.names if " " in n]   # 'Republic of Azerbaijan' in any case
            else:
                case_insensitive = list(t.names)
            if case_sensitive:
                self.exact.add(t.iri, list(patterns_tokenizer.pipe(dict.fromkeys(case_sensitive))))
            if case_insensitive:
                self.lower.add(t.iri, list(patterns_tokenizer.pipe(dict.fromkeys(case_insensitive))))

    def __call__(self, doc: Doc) -> Doc:
        groups: dict[str, list] = {"state": [], "place": [], "term": []}
        for match_id, start, end in [*self.lower(doc), *self.exact(doc)]:
            iri = doc.vocab.strings[match_id]
            term = self.terms[iri]
            sp = SpacySpan(doc, start, end, label=term.scheme, kb_id=iri)
            groups[term.scheme if term.scheme in groups else "term"].append(sp)
        doc.spans["kg_states"] = filter_spans(groups["state"])
        terms = filter_spans(groups["term"])
        # An instrument a body's name is 'of' or 'to' is named too ('the Conference of the Parties to the United
        # Nations Framework Convention on Climate Change'); not one that a name only begins with ('the North
        # Atlantic Treaty Organization'), nor one in another instrument's title ('the Optional Protocol to
        # the Convention against Torture' does not name the Convention).
        bodies = [sp for sp in terms if self.terms[sp.kb_id_].scheme == "body"]
        nested = [sp for sp in filter_spans([sp for sp in groups["term"] if self.terms[sp.kb_id_].scheme == "instrument"])
                  if any(b.start < sp.start and sp.end <= b.end for b in bodies)
                  and doc[sp.start - 1].lower_ in ("the", "to", "of", "under")] if bodies else []
        doc.spans["kg_terms"] = sorted([*terms, *nested], key=lambda sp: (sp.start, sp.end))
        # A place inside a body's or instrument's name ('Geneva Conventions', 'United Nations Office at
        # Geneva') is part of that name, not a place the text speaks of.
        taken = {i for sp in terms for i in range(sp.start, sp.end)}
        # Every gazetteer place a name can denote (Rafah, PSE or EGY) is kept; the pipeline chooses.
        chosen = {(sp.start, sp.end) for sp in filter_spans(groups["place"]) if sp.start not in taken}
        doc.spans["kg_places"] = sorted((sp for sp in groups["place"] if (sp.start, sp.end) in chosen),
                                        key=lambda sp: (sp.start, sp.kb_id_))
        return doc


@Language.factory("kg_vocab_matcher", default_config={"vocab_dir": None})
def make_vocab_matcher(nlp: Language, name: str, vocab_dir: str | None):
    return VocabMatcher(nlp, vocab_dir)


FOOTNOTE_MARK = r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+"


@lru_cache(maxsize=2)
def pipeline(vocab_dir: str | None = None) -> Language:
    nlp = spacy.blank("en")
    nlp.max_length = 10_000_000   # texts are chunked by the caller; the limit guards memory, not length
    # The tokenizer keeps the tokens of at most max_cache_size distinct chunks (10,000 by default)
    # and splits every other chunk again; a corpus of reports has far more (a cache entry is a few
    # pointers). The cache only saves work: the tokens are the same.
    nlp.tokenizer.max_cache_size = 100_000
    # A footnote's marker is printed against the word it follows ('Sabadie v. France,¹⁶', 'Azerbaijan.⁴'):
    # it is a token of its own, so that the word before it (and its comma) is read as it would be without it.
    nlp.tokenizer.suffix_search = spacy.util.compile_suffix_regex([*nlp.Defaults.suffixes, FOOTNOTE_MARK]).search
    nlp.add_pipe("kg_vocab_matcher", config={"vocab_dir": vocab_dir})
    return nlp


LANGUAGES = {"Arabic", "Chinese", "English", "French", "Russian", "Spanish"}
# Other languages named after a State's adjective are languages only beside the word or another language
# ('the working languages are English, French, Arabic and Portuguese'; 'the Armenian version' of events
# is Armenia's).
OTHER_LANGUAGES = {"Portuguese", "German", "Italian", "Japanese", "Korean", "Turkish", "Persian", "Dutch", "Greek",
                   "Polish", "Ukrainian", "Armenian", "Georgian", "Hungarian", "Romanian", "Swedish", "Danish",
                   "Finnish", "Norwegian", "Thai", "Vietnamese", "Indonesian", "Mongolian", "Albanian", "Serbian",
                   "Croatian", "Bulgarian", "Czech"}
_UN_LANGUAGE = "|".join(sorted(LANGUAGES))
LANGUAGE_LIST = re.compile(rf"\b(?:{_UN_LANGUAGE}|languages?)\b")
LANGUAGE_CONTEXT = re.compile(rf"\b(?:{_UN_LANGUAGE}|languages?|Original|only|translation|translated|version|text)\b")


# A state's or place's name inside the name of a sea, gulf, lake or river basin ('the Gulf of Guinea',
# 'the Sea of Oman', 'Lake Chad basin', 'the South China Sea', 'the Gambia River') names the water or
# the region around it, not the state or the town: such a name is not a mention of either. (French
# names are kept in English texts: 'Alliance Fleuve Congo' is named after the river.)
WATER_BEFORE = re.compile(r"\b(?:Gulf|Sea|Bay|Straits?)\s+of\s+(?:the\s+)?$|\b(?:Lake|Fleuve)\s+$")
WATER_AFTER = re.compile(r"\s+(?:Sea|Gulf|Lake|River|Basin|Delta|Current)\b")   # ('the Guinea Current')
# For a state alone, a valley too ('the Jordan Valley' is mostly in the West Bank; a place's valley,
# 'the Bekaa Valley', is a place of the same state and stays), and a Catholic rite's church ('the Greek
# Catholic Cathedral' of Lviv is of the Ukrainian Greek Catholic Church, not of Greece; 'a British Catholic
# missionary' is British).
STATE_FEATURE_AFTER = re.compile(r"\s+(?:Valley|Catholic\s+(?:Church|Cathedral|Eparchy|Archeparchy|Exarchate|[Rr]ite|"
                                 r"[Pp]arish))\b")
# 'America' and 'American' of a continent, not of the United States: 'Latin America', 'South
# American', 'Inter-American', 'Pan-American', the 'Organization of American States'.
CONTINENT_BEFORE = re.compile(r"\b(?:Latin|South|Central|North|Inter-|Pan-)\s*$")
CONTINENT_AFTER = re.compile(r"\s+States\b")


# 'Occupied East Jerusalem': a characterisation before a place's name (see vocabulary_mentions)
OCCUPIED = re.compile(r"[Oo]ccupied\s+")

# A place's name in the name of a document, a process or a forum ('the Addis Ababa Action Agenda', 'the Paris
# Principles', 'the Sendai Framework', 'the Stockholm Agreement', 'the Minsk agreements') or of a government
# ('the Kiev regime') stands for that, not for the place.
TITLE_AFTER_PLACE = re.compile(r"\s+(?:Action\s+)?(?:" + "|".join(TITLE_WORDS) + r"|agreements?|regime)\b")

# A state's name in the name of an armed group or a disease names neither the state nor its people: 'the
# Islamic State in Iraq and the Levant', 'Islamic State of Iraq and Syria', 'Al-Qaida in the Arabian
# Peninsula', 'Tehrik-e Taliban Pakistan', 'Crimean-Congo haemorrhagic fever'.
GROUP_BEFORE = re.compile(r"\b(?:Islamic\s+State|Al-Qa[ie]da|Al-Qa‘ida)\s+(?:in|of)\s+(?:the\s+)?"
                          r"(?:[A-Z][\w’'-]+\s+and\s+(?:the\s+)?)?$|\bTaliban\s+$|\bCrimean-$")

# A state's name before its currency names the currency: 'US$ 5 million', 'United States dollars',
# 'Hong Kong dollars', 'Canadian dollar' are amounts, not mentions of the state.
CURRENCY_AFTER = re.compile(r"\s*\$|\s+dollars?\b")


def names_a_feature(text: str, start: int, end: int, scheme: str) -> bool:
    """Whether the state or place name text[start:end] is part of the name of a sea, a lake, a river
    or its basin; for a place, of a document, a process or a government; for a state, of a valley, a
    currency, an armed group, a disease or (for 'America') a continent."""
    before, after = text[max(0, start - 30):start], text[end:end + 40]
    if WATER_BEFORE.search(before) or WATER_AFTER.match(after):
        return True
    if scheme != "state":
        return bool(TITLE_AFTER_PLACE.match(text, end, end + 30))
    if STATE_FEATURE_AFTER.match(after) or CURRENCY_AFTER.match(after) or GROUP_BEFORE.search(before):
        return True
    return text.startswith("Americ", start) and bool(CONTINENT_BEFORE.search(before) or CONTINENT_AFTER.match(after))


def vocabulary_mentions(doc: Doc, nlp: Language, text: str | None = None) -> list[Mention]:
    """`text`: the string `doc` was made from, when the caller has it (the same as doc.text, which
    spaCy rebuilds token by token)."""
    matcher: VocabMatcher = nlp.get_pipe("kg_vocab_matcher")
    out = []
    text = doc.text if text is None else text
    for key in ("kg_states", "kg_terms", "kg_places"):
        for sp in doc.spans[key]:
            term = matcher.terms[sp.kb_id_]
            start, end = sp.start_char, sp.end_char
            if sp.text in LANGUAGES or sp.text in OTHER_LANGUAGES:
                # 'Original: French', 'English and French only': a language, not a state.
                around = text[max(0, start - 25):start] + " " + text[end:end + 25]
                if (LANGUAGE_CONTEXT if sp.text in LANGUAGES else LANGUAGE_LIST).search(around):
                    continue
                if text[end:end + 1] == ")" and re.search(r"\(in\s+$", text[max(0, start - 6):start]):
                    continue   # 'Submission from Chile (in Spanish).'
            if term.scheme in ("state", "place") and names_a_feature(text, start, end, term.scheme):
                continue
            if term.scheme == "place":
                # Keyed by the gazetteer IRI, labelled with the name as printed, less a characterisation
                # the name itself does not hold ('Occupied East Jerusalem' is East Jerusalem as the
                # document qualifies it; the quote keeps the word).
                label = sp.text
                qualified = OCCUPIED.match(label)
                if qualified and label[qualified.end():] in term.names:
                    label = label[qualified.end():]
                out.append(Mention("place", term.iri, label, span(text, start, end), "gazetteer"))
                continue
            out.append(Mention(term.scheme, term.code if term.scheme == "state" else term.iri, term.label,
                               span(text, start, end), "vocabulary"))
    return out


# In a UN document 'the Secretariat' and 'the Charter', capitalised and alone, are the United Nations'
# (the document's own house style); another organisation's is named ('the OSCE Secretariat', 'the
# Technical Secretariat', 'the Secretariat of the Convention', 'the Secretariat General' of the GCC; 'the
# African Charter', 'the Charter of the Organization of Islamic Cooperation', 'the Charter on Inclusion').
# A document that names another one ('the Technical Secretariat (the Secretariat)' of the OPCW in its
# reports to the Council) may mean that one by the bare word: then the word is not told apart.
BARE_UN_NAMES = {
    "Secretariat": ("https://w3id.org/kg-un/id/body/secretariat",
                    re.compile(r"\b[Tt]he\s+(?P<name>Secretariat)\b(?!\s+(?:of|for|General)\b)"),
                    re.compile(r"\b(?!(?:The|Nations|UN)\s)[A-Z][\w’'-]*\s+Secretariat\b")),
    "Charter": ("https://w3id.org/kg-un/id/instrument/un-charter",
                re.compile(r"\b[Tt]he\s+(?P<name>Charter)\b(?!\s+(?:of|on|for)\b)"),
                re.compile(r"\b(?!(?:The|Nations|UN)\s)[A-Z][\w’'-]*\s+Charter\b|\bCharter\s+(?:of|on|for)\s+the\s+"
                           r"(?!United\s+Nations\b)")),
}


def _free(a: int, b: int, taken: list[Mention]) -> bool:
    """Whether no mention already found covers any of text[a:b]."""
    return not any(t.span.start < b and a < t.span.end for t in taken)


def bare_un_names(text: str, nlp: Language, taken: list[Mention]) -> list[Mention]:
    """'the Secretariat' and 'the Charter' as the United Nations', where no vocabulary name already covers
    the words and the document names no other."""
    terms = nlp.get_pipe("kg_vocab_matcher").terms
    out = []
    for word, (iri, bare, other) in BARE_UN_NAMES.items():
        term = terms.get(iri)   # (a vocabulary of one's own may lack it)
        found = list(prefilter.finditer(bare, text, re.compile(word))) if term else []
        if not found or other.search(text):
            continue
        for m in found:
            a, b = m.span("name")
            if _free(a, b, taken):
                out.append(Mention(term.scheme, term.iri, term.label, span(text, a, b), "vocabulary"))
    return out


def _context_names(terms: dict) -> tuple[re.Pattern | None, dict[str, list]]:
    """One pattern for every kg:nameInContext of the vocabulary, and the terms each name may be."""
    by_name: dict[str, list] = {}
    for t in terms.values():
        for name in t.in_context:
            by_name.setdefault(name, []).append(t)
    if not by_name:
        return None, by_name
    names = sorted(by_name, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(r"\s+".join(map(re.escape, n.split())) for n in names) + r")\b"), by_name


def context_names(text: str, nlp: Language, taken: list[Mention]) -> list[Mention]:
    """Bodies by the short names they go by where their organization is named ('the Technical Secretariat'
    of a report that names the OPCW or one of its organs): a name is read only where exactly one body that
    bears it belongs to an organization the document names, and no vocabulary name already covers its words."""
    matcher: VocabMatcher = nlp.get_pipe("kg_vocab_matcher")
    rx, by_name = matcher.context_pattern, matcher.context_terms
    # The organisations the document names, itself or by one of their organs ('the OPCW Fact-Finding Mission')
    named = {m.key for m in taken if m.kind == "body"}
    if rx is None or not named:
        return []
    for key in list(named):
        while (term := matcher.terms.get(key)) and (key := term.parent) and key not in named:
            named.add(key)
    out = []
    for m in rx.finditer(text):
        bodies = [t for t in by_name[" ".join(m.group(0).split())] if t.parent in named]
        if len(bodies) == 1 and _free(m.start(), m.end(), taken):
            out.append(Mention("body", bodies[0].iri, bodies[0].label, span(text, m.start(), m.end()), "vocabulary"))
    return out


def redactions(text: str) -> list[Mention]:
    return [Mention("redaction", "redacted", "redacted", span(text, m.start(), m.end()), "redactions")
            for m in REDACTION.finditer(text)]
