"""Who writes, to whom, who signs, and which persons the text names with their posts."""
from __future__ import annotations

import re

from kg.extract import prefilter
from kg.extract.text import Footnote, lowercase_words, span
from kg.models import Mention, PostHolding, Span

# A capitalised word in any Latin script ('Erdoğan', 'Ñúñez', 'Đorđević'), or an initial.
_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
_LOWER_RUN = r"(?:[^\W\d_A-Z]|['’‘])+"   # (‘ is the ayn of a transliteration: 'Ja‘far', 'Shia‘')
# (The capital is read once for both branches, [A-Z] being among _UPPER: re then skips ahead to a
# capital instead of trying every position.)
_NAME_WORD = rf"(?:[{_UPPER}](?:{_LOWER_RUN}(?:-[{_UPPER}]?{_LOWER_RUN})?|(?<=[A-Z])\.(?:[A-Z]\.)*))"
_PARTICLE = r"(?:de|da|del|van|von|der|al|el|bin|ibn|ben|le|la|dos|du)"
_GAP = r"(?:[ \t]+|[ \t]*\n[ \t]*)"   # a name may wrap onto the next line, never across a blank line
# Between words: a particle ('bin', 'de'), or a prefix joined to the word: 'Al-Assad', 'O’Neill', and the
# Arabic article in lower case ('Hassan al-Shaibani', 'Hussein al-I’thawi').
NAME = rf"{_NAME_WORD}(?:{_GAP}(?:{_PARTICLE}{_GAP}|[A-Z][a-z]?[-’']|(?:a[dlnrstz]|ash|el)-)?{_NAME_WORD}){{1,4}}"
# A name on one line: a signature block gives the name on its own line, the post on the next ones.
NAME_ON_LINE = NAME.replace(_GAP, "[ \t]+")
POSTS = (r"Permanent Representative|Deputy Permanent Representative|Chargée? d[’']affaires(?: a\.i\.)?|"
         r"Permanent Observer|Minister for Foreign Affairs|Minister of Foreign Affairs|Foreign Minister|"
         r"Prime Minister|President|Vice-President|Ambassador|Special Rapporteur|Independent Expert|"
         r"Secretary-General|High Commissioner|Minister|Prosecutor General|Director(?:-General)?|Chair(?:person)?|"
         r"Head of Delegation|Counsellor|First Secretary|Second Secretary|Spokesperson|"
         # the Organization's senior posts ('Tom Fletcher, Under-Secretary-General for Humanitarian Affairs')
         r"Under-Secretary-General|Assistant Secretary-General|Deputy Secretary-General|High Representative|"
         r"Special Envoy|Special Coordinator|Special Representative|Special Adviser|Executive Director|"
         r"Commissioner-General|Resident Coordinator|Humanitarian Coordinator|Emergency Relief Coordinator")
# '(Signed) X', and as translations print it: '[signed] X', '[signed and sealed] X', the Polish '/-/ X'
SIGNED = re.compile(rf"(?:\((?:Signed|signed|Sgd\.?)\)|\[(?:[Ss]igned)(?:\s+and\s+sealed)?\]|/-/)[ \t]*:?\s*"
                    rf"(?P<name>{NAME_ON_LINE})")
# 'François Jackman\nAnna Jóhannsdóttir\nCo-Chairs': a line holding only a name, right under a signed
# name, is a co-signatory.
CO_SIGNER = re.compile(rf"[ \t]*(?P<name>{NAME_ON_LINE})[ \t]*(?:\n|$)")
POST_WORDS = re.compile(rf"^(?:{POSTS})\b")
# A letter signed without '(Signed)': the closing formula ends a paragraph, the signer's name stands
# alone on the next one, and the post, a blank line or the end follows ('Please accept, Sir, the
# assurances of my highest consideration.\n\nVolker Türk'; '... every success.\n\nIlham Aliyev\n
# President of the Republic of Azerbaijan').
CLOSED_BY = re.compile(rf"(?:highest\s+consideration|[Yy]ours\s+(?:sincerely|faithfully)|best\s+wishes|every\s+"
                       rf"success|[Kk]ind\s+regards|[Bb]est\s+regards)\b[^\n]*\n[ \t]*\n[ \t]*(?P<name>{NAME_ON_LINE})"
                       rf"[ \t]*(?=\n[ \t]*\n|\n[ \t]*(?:{POSTS})\b|\s*$)")
SIGNATURE_BLOCK = re.compile(rf"\n[ \t]*\n[ \t]*(?P<name>{NAME_ON_LINE})[ \t]*\n[ \t]*(?P<post>{POSTS})\b[^\n]*"
                             rf"(?:\n[^\n]+){{0,3}}(?=\n[ \t]*\n|\s*$)")
POST_LINE = re.compile(rf"\n[ \t]*(?:{POSTS})\b")   # what every SIGNATURE_BLOCK match holds
# 'Jeyhun Bayramov, Minister for Foreign Affairs of the Republic of Azerbaijan'
NAME_COMMA_POST = re.compile(rf"(?P<name>{NAME}),\s+(?:the\s+)?(?P<post>{POSTS})(?P<of>\s+of\s+(?:the\s+)?[A-Z][^,.;\n]{{2,60}})?")
NAME_COMMA_POST_NEEDS = re.compile(rf",\s+(?:the\s+)?(?:{POSTS})")   # every NAME_COMMA_POST match holds one
# 'the second term of António Guterres as Secretary-General'
NAME_AS_POST = re.compile(rf"(?P<name>{NAME})\s+as\s+(?:the\s+)?(?:new\s+)?(?P<post>{POSTS})\b")
AS_POST = re.compile(rf"\sas\s+(?:the\s+)?(?:new\s+)?(?:{POSTS})\b")   # what every NAME_AS_POST match holds
# 'the former President of the Republic of Azerbaijan, Ayaz Mutalibov'
POST_OF_NAME = re.compile(rf"\b(?P<post>{POSTS})\s+of\s+(?:the\s+)?[A-Z][\w’' ]{{2,50}}?,\s+(?P<name>{NAME})")
# 'individuals Harutyunyan Arayik Vladimiri (Vladimiroviç), Sahakyan Bako Sahaki, ...': a list of three or
# more multi-word names is a list of persons (accused, victims, detainees), kept as the document names them.
_LIST_ITEM = rf"{_NAME_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?{_NAME_WORD}){{1,4}}"
NAME_LIST = re.compile(rf"{_LIST_ITEM}(?:\s*,\s+(?:and\s+)?(?:[a-z][a-z ]{{0,40}}\s+)?{_LIST_ITEM}){{2,}}")
# 'President Serzh Sargsyan', 'the British journalist Thomas de Waal', 'lawyer Malcolm Shaw', 'Mr. X'
POST_NAME = re.compile(rf"\b(?P<post>{POSTS}|[Jj]ournalist|[Ll]awyer|[Ee]xpert|[Aa]uthor|[Hh]istorian|"
                       rf"Mrs?\.?|Ms\.?|Dr\.?|Professor|Prof\.|General|Colonel|Major|Captain|Judge|Sheikh|King|Queen|Emir)"
                       rf"(?:,)?\s+(?P<name>{NAME})")
# The holder named after the office's full title: 'the Deputy Special Envoy of the Secretary-General for
# Syria, Najat Rochdi,', 'Emergency Relief Coordinator, Tom Fletcher, addressed', 'another former
# president, Serzh Sargsyan.' The title runs on in capitalised words and 'of', 'for', 'the', 'and',
# 'in', 'on' only, so a sentence that goes on ('the President visited Kherson, Nova Kakhovka') is no title;
# a bracketed abbreviation may stand in it ('the leader of the Lord’s Resistance Army (LRA), Joseph Kony,').
OFFICE_TITLE_NAME = re.compile(
    rf"\b(?P<post>Secretary-General|Coordinator|Envoy|Representative|Rapporteur|Commissioner|Minister|"
    rf"President|Director(?:-General)?|Chair(?:person|man|woman)?|Spokesperson|Ambassador|Adviser|Prosecutor|"
    rf"Registrar|Secretary|Speaker|Amir|Emir|King|Governor|Mayor|Undersecretary|president|minister|envoy|"
    rf"ambassador|spokesperson|commander|leader|founder)s?"
    rf"(?:\s+(?:of|for|on|in|and|the|[A-Z][\w’'-]*|\([A-Z][A-Za-z-]{{1,9}}\)))*?,\s+(?P<name>{NAME})"
    rf"(?:\s+and\s+(?P<other>{NAME}))?(?=\s*[,.;)]|\s+(?:on|in|and|who|said|stated)\b)")
# A name the sentence goes on from with what is done to or by a person: 'Allah-Maye Halina was reappointed
# Prime Minister', 'Fund, which is headed by Belqasim Khalifa Haftar' (not 'led by': groups and States lead too).
# (the deed found first, the name back from it: a pattern opening with the name is tried at every capital)
WAS_DONE = re.compile(r"(?<=\S[ \t])(?:was|had\s+been|has\s+been)[ \t]+(?:re)?(?:appointed|elected|sworn\s+in|"
                      r"nominated|arrested|detained|abducted|kidnapped|released|sentenced|convicted|acquitted|pardoned|"
                      r"assassinated|killed|murdered|executed|charged|indicted)\b")
HEADED_BY = re.compile(rf"\b(?:headed|chaired|presided\s+over|[Pp]resentation|[Rr]emarks)\s+by\s+(?P<name>{NAME})"
                       # 'the Cabinet appointed Karim Souaid as the new governor'
                       rf"|\b(?:appointed|elected|named|nominated|designated)\s+(?P<appointee>{NAME})\s+as\b")
# What follows a person's name and nothing else's, the name found back from it: 'Akaki Dvali (Georgia)' (a
# member of a bureau by the State that nominated them: see persons()), 'René Holbach, who addressed',
# 'Charles Ovink of the Office for Disarmament Affairs', 'Svetlana Petrenko, official representative of',
# a cited author ('Nicola Yeates and others, A Global Fund'), a person described in brackets ('Leonid
# Perfetskiy (veteran of the SS Galizia Division)', 'Seka Baluku (alias Musa)').
_ROLES = ("representative", "spokesperson", "spokesman", "spokeswoman", "member", "head", "leader", "director",
          "adviser", "advisor", "commander", "founder", "chair", "chairman", "chairwoman", "chairperson", "journalist",
          "activist", "witness", "resident", "citizen", "national", "expert", "officer", "official", "lawyer",
          "researcher", "professor", "author")
OF_THE_OFFICE = re.compile(r"(?<=\sof\sthe\s)(?:Permanent\s+Mission|Office|Department|Ministry|Embassy|Delegation)\b")
AFTER_A_NAME = re.compile(
    r",[ \t]*\n?[ \t]*(?:who\b|(?:(?:an?|the)[ \t]+)?(?:[a-z]+[ \t]+){0,2}(?:" + "|".join(_ROLES) + r"|"
    + "|".join(r.capitalize() for r in _ROLES) + r")[ \t]+(?:of|at|for|in|to)\b)|"
    r"(?<=\s)and\s+others,[ \t]*(?=[“\"A-Z])|"
    r"(?<=\s)\((?:member|head|deputy|veteran|one\s+of|personal|who|commander|leader|founder|former|chief|alias)\b")
NAME_ENDING = re.compile(rf"(?<![\w’'.-])(?P<name>{NAME})$")
# 'President of Kazakhstan Kassym-Jomart Tokayev': a post of a State, then the holder, no comma between.
POST_OF_STATE = re.compile(rf"\b(?P<post>{POSTS})\s+of\s+(?:the\s+)?$")
NAME_NEXT = re.compile(rf"[ \t]*\n?[ \t]*(?P<name>{NAME})")
# A surname the text gives after a title alone ('Mr. Ntakirutimana'), then the full name wherever it
# stands ('Gérard Ntakirutimana’s convictions'); a party to a case ('Prosecutor v. Gérard Ntakirutimana',
# 'the case against Petar Jojić and Vjerica Radeta').
_WHOLE_WORD = rf"[{_UPPER}]{_LOWER_RUN}(?:-[{_UPPER}]{_LOWER_RUN})?"   # no initial
TITLED_SURNAME = re.compile(rf"\b(?:Mr|Ms|Mrs|Dr)\.?[ \t]+(?P<surname>{_WHOLE_WORD})\b(?![ \t]*\n?[ \t]*[{_UPPER}])")
GIVEN_NAMES = re.compile(rf"(?<![\w’'.-])(?:{_WHOLE_WORD}[ \t]+){{1,2}}$")
CASE_PARTY = re.compile(rf"\b(?:v\.|[Cc]ases?\s+against|[Pp]roceedings\s+against|[Tt]rial\s+of)\s+(?P<name>{NAME})"
                        rf"(?:\s+and\s+(?P<other>{NAME}))?")
# The author of a work a footnote cites: at its start, after '; ', 'See (also)' or 'in' ('Thomas de Waal, Black
# Garden', 'See also Tom Keatinge and Florence Keen, “Social media ...”', 'in Fiona Maclachlan and Ian Peart
# (eds.), Khojaly'); a title, quoted or capitalised, follows the comma.
_AUTHORS = rf"(?P<name>{NAME})(?:\s+and\s+(?P<other>{NAME}))?(?:\s+\(eds?\.\))?,\s+(?=[“\"{_UPPER}])"
CITED_AUTHOR = re.compile(rf"(?:[Ss]ee(?:\s+also)?\s+)?{_AUTHORS}")
CITED_AUTHOR_AFTER = re.compile(rf"(?:;\s+|\b[Ss]ee(?:\s+also)?(?:,?\s+(?:for\s+example|e\.g\.),)?\s+|\bin\s+){_AUTHORS}")
NOT_NAME_WORDS = {
    "The", "This", "That", "These", "General", "Assembly", "Security", "Council", "United", "Nations", "Republic",
    "Office", "Human", "Rights", "Committee", "Special", "Rapporteur", "Permanent", "Representative", "Mission",
    "Minister", "Ministry", "Foreign", "Affairs", "Government", "State", "States", "Court", "International",
    "Convention", "Secretary", "President", "Prime", "Ambassador", "Annex", "Letter", "Note", "Agenda", "Article",
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Geneva", "New", "York", "Signed", "Excellency", "His", "Her", "In", "On", "As",
    "Prosecutor", "Office", "Criminal", "Code", "Law", "Armed", "Forces", "Resolution", "Charter", "Protocol",
    # headings and document parts ('I. Introduction')
    "Introduction", "Background", "Conclusion", "Conclusions", "Recommendations", "Summary", "Contents",
    "Observations", "Overview", "Chapter", "Section", "Part",
    # posts and parts of a signature block ('Carl Harris\nColonel', 'Mark Rutte\nEnclosure')
    "Chair", "Chairman", "Chairwoman", "Chairperson", "Co-Chair", "Co-Chairs", "Deputy", "Acting", "Chief",
    "Executive", "Head", "Director", "Coordinator", "Envoy", "Commissioner", "Registrar", "Counsel", "Legal",
    "Enclosure", "Appendix", "Attachment", "Colonel", "Judge",
}
# Words of the names of bodies, laws and places ('Police Act', 'Zayed Hospital', 'Global Media Defence
# Fund'): a run of capitalised words holding one is not a person's name, nor is any part of it.
THING_WORDS = {
    "Act", "Fund", "Group", "Mechanism", "Department", "Division", "Headquarters", "University", "Hospital",
    "District", "Province", "Region", "Pact", "Watch", "Force", "Organization", "Organisation", "Forum",
    "Conference", "Centre", "Center", "Institute", "Foundation", "Agency", "Network", "Alliance", "Party",
    "Front", "Movement", "Association", "Society", "Bank", "Report", "Initiative", "Programme", "Program",
    "Commission", "Union", "Service", "School", "College", "Academy", "Company", "Corporation", "Authority",
    "Board", "Unit", "Team", "Task", "Cluster", "Adviser", "Advisor",
}
# Words that may stand before a name without being part of it (a footnote's 'See Valmaine Toki, ...').
LEADING_NOT_NAME = {"See", "Cf."}
# Titles written before a name.
HONORIFICS = {"Mr", "Mr.", "Ms", "Ms.", "Mrs", "Mrs.", "Dr", "Dr.", "Sir", "Dame", "Lord", "Madam", "Judge",
              "Professor", "Prof.", "Sheikh", "Sayyed", "Ayatollah", "Commander", "Colonel", "General", "Major",
              "Captain", "Lieutenant", "Sergeant", "H.E.", "Excellency"}

# Titles wrap over lines in PDFs: every space in these phrases may be a line break.
AUTHOR_SEGMENT = re.compile(r"\b(?:from|by)\b(?P<seg>.*?)(?=\baddressed\s+to\b|\bto\s+the\s+United\s+Nations\b|\bon\s+the\b|"
                            r"\bconcerning\b|\bregarding\b|\bon\s+behalf\s+of\b|$)", re.S | re.I)
# Who writes for a state: its representatives, mission, government, ministers or head of state (a
# 'President of' that is not the president of a UN organ).
STATE_AGENT = re.compile(r"\b(?:Representatives?|representatives?|Missions?|Observers?|Charg[ée]e?s?\s+d[’']affaires|"
                         r"Government|Ministry|Ministers?|Embassy|Ambassador|[Dd]elegations?|Head\s+of\s+State|"
                         r"(?:Vice-)?President\s+of\s+(?!the\s+(?:Security\s+Council|General\s+Assembly|"
                         r"Economic\s+and\s+Social\s+Council|Human\s+Rights\s+Council|International\s+Court|"
                         r"Trusteeship\s+Council|Court|Tribunal|Commission|Committee|Conference)))")
# An office of the UN or of a body that writes in that capacity.
OFFICE = re.compile(r"\s*(?:the\s+)?(?:(?:Vice-)?President|Co-Chairs?|Chair(?:man|woman|person)?s?|Secretary-General|"
                    r"Deputy\s+Secretary-General|Under-Secretary-General|Facilitator|High\s+Commissioner|"
                    r"Special\s+(?:Rapporteur|Envoy|Representative|Adviser|Coordinator)|Independent\s+Expert|"
                    r"Coordinator|Executive\s+(?:Director|Secretary)|Director|Registrar|Prosecutor|Committee|"
                    r"Working\s+Group|Security\s+Council|General\s+Assembly|Panel|Group\s+of\s+Experts|Secretariat)\b")
REPLIES_OF = re.compile(r"\s*Replies\s+of\s+(?P<seg>.{1,120}?)\s+to\s+the\s+list\s+of\s+issues", re.S | re.I)
ON_BEHALF = re.compile(r"\bon\s+behalf\s+of\b(?P<seg>.{0,300}?)(?=\baddressed\s+to\b|[.;]|\n\n|$)", re.S | re.I)
NV_AUTHOR = re.compile(r"(?:^|\n)\s*The\s+(?P<seg>(?:Permanent\s+Mission|Embassy|Government|Ministry)[^\n]{0,300}?)"
                       r"\s+presents\s+its\s+compliments\s+to\s+(?P<to>[^,\n]{0,200})", re.S)
MISSION_HEADER = re.compile(r"(?:Permanent\s+Mission|Embassy|Ministry of Foreign Affairs)\s+of\s+(?P<seg>[^\n]{0,80}(?:\n[^\n]{0,80})?)")
ANNEX_TO = re.compile(r"^\s*Annex\s+to\s+the\s+[^\n]*(?:\n[^\n]+)*?\baddressed\s+to\b(?P<seg>[^\n]*(?:\n(?!\n)[^\n]*){0,3})")
REPORT_OF = re.compile(r"(?im)^[ \t]*(?:[\w-]+[ \t]+){0,4}(?:report|note)[ \t]+(?:of|by)(?=[ \t]+the\b)")
INFO_FROM = re.compile(r"Information received from\s+(?P<seg>[^\n]{0,80})")
# A draft's title line names its sponsors: 'Russian Federation and United States of America: draft
# resolution', 'Azerbaijan,* Bangladesh, Philippines,* Samoa* and Viet Nam: draft resolution' (a list
# may wrap over lines, never over a blank line; '*' marks a sponsor not a member of the organ); so does an
# amendment's ('Russian Federation: amendment to the draft resolution contained in document S/2025/112').
DRAFT_SPONSORS = re.compile(r"(?:^|\n\n)[ \t]*(?P<seg>[^\n:]{2,300}(?:\n[^\n:]{2,300}){0,8}?)[ \t]*:\s*"
                            r"(?:[Rr]evised\s+)?(?:draft\s+(?:resolution|decision|amendments?)|amendments?\s+to\s+(?:the\s+)?draft)\b")


def _states_in(states: list[Mention], start: int, end: int) -> list[str]:
    return list(dict.fromkeys(m.key for m in states if start <= m.span.start < end))


def author_states(text: str, title: Span | None, states: list[Mention], kind: str = "other") -> tuple[list[str], Span | None]:
    """States on whose behalf the document is written, and the span that says so.

    Reports and notes of UN organs have no author state; a mission's letterhead only counts for the
    kinds that states write (letters, notes verbales, statements, state reports).
    """
    candidates = []
    written_by_office = False
    if title is not None:
        t = title.text
        m = AUTHOR_SEGMENT.search(t)
        if m and (STATE_AGENT.search(m.group("seg")) or not OFFICE.match(m.group("seg"))):
            candidates.append((title.start + m.start("seg"), title.start + m.end("seg")))
        elif m:
            # 'from the President of the Security Council', 'from the Chair of the Central African Republic
            # configuration of the Peacebuilding Commission': an office writes, not a state; a state it
            # names, or a mission in the text, is not the author.
            written_by_office = True
        m = REPLIES_OF.match(t)
        if m:
            candidates.append((title.start + m.start("seg"), title.start + m.end("seg")))
        for m in ON_BEHALF.finditer(t):
            candidates.append((title.start + m.start("seg"), title.start + m.end("seg")))
    m = DRAFT_SPONSORS.search(text, 0, min(len(text), 5000))
    if m:
        candidates.append((m.start("seg"), m.end("seg")))
    # A heading 'Forty-first semi-annual report of the Secretary-General': an office writes.
    m = REPORT_OF.search(text, 0, min(len(text), 2000))
    written_by_office = written_by_office or bool(m and OFFICE.match(text, m.end()))
    fallbacks = (NV_AUTHOR, INFO_FROM, MISSION_HEADER) \
        if kind not in ("report", "note", "resolution") and not written_by_office else ()
    for rx in fallbacks:
        m = rx.search(text, 0, min(len(text), 6000))
        if m:
            candidates.append((m.start("seg"), m.end("seg")))
    for a, b in candidates:
        found = _states_in(states, a, b)
        if found:
            return found, span(text, a, b)
    return [], None


def addressees(text: str, title: Span | None, terms: list[Mention], masthead_end: int, kind: str) -> list[tuple[str, Span]]:
    """Bodies or officials the document is addressed to."""
    segments = []
    if title is not None:
        m = re.search(r"\baddressed\s+to\b(?P<seg>.*)", title.text, re.S)
        if m:
            segments.append((title.start + m.start("seg"), title.end))
    m = NV_AUTHOR.search(text, 0, min(len(text), 6000))
    if m:
        segments.append((m.start("to"), m.end("to")))
    # 'Annex to the note verbale dated ... addressed to the Office of the High Commissioner': an annex
    # standing alone goes where the note that transmits it goes.
    m = ANNEX_TO.search(text, 0, min(len(text), 3000))
    if m:
        segments.append((m.start("seg"), m.end("seg")))
    for a, b in segments:
        found = [(t.key, t.span) for t in terms if a <= t.span.start < b and t.kind == "body"]
        if found:
            return list({k: (k, s) for k, s in reversed(found)}.values())[::-1]
    if kind == "state_report":
        found = [(t.key, t.span) for t in terms if t.span.start < masthead_end and t.kind == "body"]
        return found[:1]
    return []


def _post_in(states: list[Mention], start: int, end: int) -> str | None:
    """The state a post belongs to, as the text gives it ('Minister for Foreign Affairs of Azerbaijan')."""
    return next((s.key for s in states if start <= s.span.start < end), None)


def persons(text: str, terms: list[Mention] = (), states: list[Mention] = (), places: list[Mention] = (),
            common: frozenset[str] | None = None, notes: list[Footnote] = ()) -> list[PostHolding]:
    """Persons by name with their post; a 'name' inside a body's or instrument's name, or one that is a
    place's name ('Abu Dhabi'), is not a person, except a signed one ('(Signed) Eloy Alfaro de Alba').
    `common`: lowercase_words(text), if the caller has it; `notes`: footnotes(text), where authors are cited."""
    out: list[PostHolding] = []
    # Words the text also writes in lower case are common nouns ('the working group', 'key messages'): a
    # capitalised run ending in one names a thing ('Working Group', 'Key Messages'), not a person.
    common = lowercase_words(text) if common is None else common

    def add(raw: str, start: int, post: str | None, post_in: str | None, signatory: bool = False):
        inside = re.match(r"[A-Z]\.\s+", raw) if text[start - 1:start] == "." else None
        if inside:   # 'H.E. Assad Hassan al-Shaibani': the run began inside the title 'H.E.'
            raw, start = raw[inside.end():], start + inside.end()
        found = _name_at(raw, start, frozenset() if signatory else common)
        if found:
            name, a, b = found
            out.append(PostHolding(name, post, post_in, signatory, span(text, a, b)))

    for m in SIGNED.finditer(text):
        signers = [(m.start("name"), m.group("name"))]
        line_end = text.find("\n", m.end("name"))
        while line_end != -1 and (co := CO_SIGNER.match(text, line_end + 1)) and _plausible(co.group("name")) \
                and not POST_WORDS.match(co.group("name")):
            signers.append((co.start("name"), co.group("name")))
            line_end = co.end() - 1 if co.group(0).endswith("\n") else -1
        for start, name in signers:
            # The name stops where the post begins ('Yashar Aliyev Ambassador Permanent Representative').
            cut = re.search(rf"\s(?:{POSTS})\b", name)
            name = name[:cut.start()] if cut else name
            post = re.search(rf"(?:{POSTS})", text[start + len(name):start + len(name) + 120])
            add(name, start, post.group(0) if post else None, None, signatory=True)
    for m in prefilter.finditer(CLOSED_BY, text):
        post = POST_WORDS.match(text[m.end():].lstrip())
        # Signed, but not '(Signed)': a run of words the text also writes in lower case is not a name.
        if _name_at(m.group("name"), m.start("name"), common):
            add(m.group("name"), m.start("name"), post.group(0) if post else None, None, signatory=True)
    # A signature block with no formula before it: a paragraph of the name alone, its post on the next line
    # ('Vilen Gabrielyan\nPresident\nPan-Armenian Union ...'), at the end of the text or of a part of it.
    for m in prefilter.finditer(SIGNATURE_BLOCK, text, POST_LINE):
        if _name_at(m.group("name"), m.start("name"), common):
            add(m.group("name"), m.start("name"), m.group("post"), None, signatory=True)
    for m in prefilter.finditer(NAME_COMMA_POST, text, NAME_COMMA_POST_NEEDS):
        where = _post_in(states, m.start("of"), m.end("of")) if m.group("of") else None
        add(m.group("name"), m.start("name"), m.group("post"), where)
    for m in prefilter.finditer(POST_OF_NAME, text):
        add(m.group("name"), m.start("name"), m.group("post"), _post_in(states, m.end("post"), m.start("name")))
    # Short parentheticals ('Gukasyan (Gukasyan) Arkadi', '(Vladimiroviç)') are blanked out, offsets kept.
    masked = re.sub(r"\([^()\n]{1,40}\)", lambda x: " " * len(x.group(0)), text)
    for m in NAME_LIST.finditer(masked):
        items = list(re.finditer(NAME_ON_LINE, m.group(0)))
        if any(THING_WORDS.intersection(re.sub(r"[’']s$|s$", "", w) for w in item.group(0).split()) for item in items):
            continue   # a list of organisations ('The World Food Programme, Oxford University, Climate Prediction')
        for item in items:
            add(item.group(0), m.start() + item.start(), None, None)
    for m in prefilter.finditer(POST_NAME, text):
        add(m.group("name"), m.start("name"), m.group("post"), None)
    for m in prefilter.finditer(OFFICE_TITLE_NAME, text):   # 'the Vice-Presidents of the Council, X and Y,'
        add(m.group("name"), m.start("name"), m.group("post"), None)
        if m.group("other"):
            add(m.group("other"), m.start("other"), m.group("post"), None)
    for m in prefilter.finditer(NAME_AS_POST, text, AS_POST):
        add(m.group("name"), m.start("name"), m.group("post"), None)
    for m in prefilter.finditer(HEADED_BY, text):
        group = "name" if m.group("name") else "appointee"
        add(m.group(group), m.start(group), None, None)
    surnames = {m.group("surname") for m in prefilter.finditer(TITLED_SURNAME, text)} - NOT_NAME_WORDS
    if surnames:
        # (each surname found, then the given names before it: a pattern opening with them would be tried
        # at every capital letter)
        surname_at = re.compile(rf"(?<=[ \t])(?:{'|'.join(map(re.escape, sorted(surnames)))})(?![\w-])(?![ \t]+[{_UPPER}])")
        for m in surname_at.finditer(text):
            given = GIVEN_NAMES.search(text, max(0, m.start() - 60), m.start())
            if given:
                add(text[given.start():m.end()], given.start(), None, None)
    def add_names(m: re.Match | None, post_in: str | None = None):   # 'name', and an 'other' beside it
        for group in ("name", "other"):
            if m and m.groupdict().get(group):
                add(m.group(group), m.start(group), None, post_in)

    for note in notes:
        add_names(CITED_AUTHOR.match(text, note.start, note.end))
        for m in CITED_AUTHOR_AFTER.finditer(text, note.start, note.end):
            add_names(m)
    for m in prefilter.finditer(CASE_PARTY, text):
        add_names(m)
    for m in [*prefilter.finditer(AFTER_A_NAME, text), *prefilter.finditer(WAS_DONE, text)]:
        add_names(_name_ending_at(text, m.start()))
    for m in prefilter.finditer(OF_THE_OFFICE, text):
        add_names(_name_ending_at(text, m.start() - len("of the ")))
    for s in states:
        a, b = s.span.start, s.span.end
        if text[a - 1:a] == "(" and text[b:b + 1] == ")":   # 'Akaki Dvali (Georgia)'
            name = _name_ending_at(text, a - 1)
            # On one line, or wrapped in the middle of a sentence ('He will succeed María\nIsabel Salvador
            # (Ecuador)'): not a heading's words on the line before a list of names.
            if name and ("\n" not in name.group("name") or re.search(r"[a-z,] $", text[max(0, name.start() - 2):name.start()])):
                add_names(name, s.key)
        # (most state names follow no 'of': the post is looked for only after one)
        post = re.search(r"\bof\s+(?:the\s+)?$", text[max(0, a - 9):a]) and POST_OF_STATE.search(text, max(0, a - 60), a)
        if post and (name := NAME_NEXT.match(text, b)):
            add(name.group("name"), name.start("name"), post.group("post"), s.key)
    seen, unique = set(), []
    taken = [(t.span.start, t.span.end) for t in [*terms, *states]]
    place_spans = [(t.span.start, t.span.end) for t in places]
    for p in sorted(out, key=lambda p: (p.span.start, not p.signatory)):
        if any(a < p.span.end and p.span.start < b for a, b in taken):
            continue
        # A place's name is no person's ('Abu Dhabi'), nor one that runs into a place; one inside a name
        # after its first word is part of it ('Mohammad Khalil Hanafi').
        if not p.signatory and any(a < p.span.end and p.span.start < b and not (p.span.start < a and b <= p.span.end)
                                   for a, b in place_spans):
            continue
        if (p.name, p.span.start) not in seen:
            seen.add((p.name, p.span.start))
            unique.append(p)
    # 'Mr. Bahr Aluloom' is Mohammed Hussein Bahr Aluloom when the text names him so: the end of a longer
    # name the text gives is that person, not another; so is the start of a longer name read at the same
    # place ('Mohamed bin Zayed' of 'Mohamed bin Zayed Al Nahyan').
    full = {p.name for p in unique}
    longest = {}
    for p in unique:
        if p.span.end > longest.get(p.span.start, -1):
            longest[p.span.start] = p.span.end
    return [p for p in unique if p.signatory or (not any(f.endswith(" " + p.name) for f in full)
                                                 and p.span.end == longest[p.span.start])]


def _name_ending_at(text: str, end: int) -> re.Match | None:
    """The run of name words that ends where only spaces stand before `end`."""
    while end > 0 and text[end - 1] in " \t\n":
        end -= 1
    return NAME_ENDING.search(text, max(0, end - 80), end)


def _name_at(raw: str, start: int, common: frozenset[str] = frozenset()) -> tuple[str, int, int] | None:
    """The person's name in a run of capitalised words found at `start`, with its offsets, or None.

    Titles before it ('Mr', 'Judge'), a possessive ('Türk’s') and words after it that are not names
    ('Aliyev Ambassador', 'bin Jassim Al') are left out; what is left must have two words or more, none
    of them a word of bodies and posts, and unless a title introduced it ('Judge Burton Hall'), it must
    not end in a word the text writes in lower case.
    """
    words = [(w.group(0), w.start()) for w in re.finditer(r"\S+", raw)]
    if any(re.sub(r"[’']s$|s$", "", w) in THING_WORDS or w in THING_WORDS for w, _ in words):
        return None
    while words and words[0][0] in LEADING_NOT_NAME:
        words.pop(0)
    # (a rank that is also an adjective titles nothing: 'its General Preferential Tariff')
    titled = bool(words) and words[0][0] in HONORIFICS and words[0][0] not in ("General", "Major")
    while words and (words[0][0] in HONORIFICS or POST_WORDS.fullmatch(words[0][0])):
        words.pop(0)
    if words and re.search(r"[’']s$", words[-1][0]):
        words[-1] = (words[-1][0][:-2], words[-1][1])
    while words and (words[-1][0] in NOT_NAME_WORDS or POST_WORDS.match(words[-1][0])
                     or re.fullmatch(_PARTICLE, words[-1][0], re.I)):
        words.pop()
    if len(words) < 2:
        return None
    name = " ".join(w for w, _ in words)
    last = words[-1][0].lower()
    if not _plausible(name) or (not titled and (last in common or last + "s" in common)):   # ('Tariff': 'tariffs')
        return None
    return name, start + words[0][1], start + words[-1][1] + len(words[-1][0])


def _plausible(name: str) -> bool:
    words = name.split()
    if len(words) < 2:
        return False
    return not any(w in NOT_NAME_WORDS for w in words)
