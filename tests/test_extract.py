"""Extractors on real text: metadata, states and bodies, law, persons, places, incidents."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORPUS, FIXTURES, corpus_text
from kg.extract.pipeline import extract
from kg.ingest import read_document


def run(text: str, name: str = "t.txt"):
    return extract(name, "0" * 64, text)


def keys(ex, kind):
    return sorted({m.key for m in ex.mentions if m.kind == kind})


def test_metadata_of_a_real_pdf():
    pdf = sorted((FIXTURES / "ingest").glob("*.pdf"))[0]
    src = read_document(pdf)
    md = extract(src.source, src.sha256, src.text).metadata
    # The file name is the symbol with '/' as '_': the masthead must give it back.
    assert pdf.stem.replace("_", "/") in md.symbols
    assert md.issued and md.issued.startswith("20")
    assert md.language == "English"


def test_metadata_of_a_joint_letter():
    md = run(corpus_text("004_ffed4b976815c69f.txt")).metadata
    assert md.symbols == ("A/75/875", "S/2021/433")
    assert (md.kind, md.issued, md.dated) == ("letter", "2021-05-14", "2021-05-05")
    assert md.agenda_items[:3] == ("34", "35", "40")
    assert md.author_states == ("AZE",)


def test_a_report_of_the_secretary_general_has_no_author_state():
    # S/2025/254: a mission quoted in the report is not its author
    text = ("United Nations S/2025/254\n\nSecurity Council Distr.: General\n25 April 2025\n\n"
            "Implementation of Security Council resolution 1559 (2004)\n\n"
            "Forty-first semi-annual report of the Secretary-General\n\nI. Background\n\n"
            "5. The Permanent Mission of Lebanon to the United Nations stated that the attack was large-scale.")
    assert run(text).metadata.author_states == ()


def test_note_verbale_formula_and_place_date_line():
    md = run(corpus_text("000_69eed672c96147f9.txt")).metadata
    assert md.kind == "note_verbale" and md.dated == "2024-09-27" and md.author_states == ("AZE",)


@pytest.mark.parametrize("text, expected", [
    ("civilians were killed by Armenian armed forces, among them Hungarian nationals", ["ARM", "HUN"]),
    ("Original: French. English and French only.", []),                 # languages, not states
    ("the Russian Federation and the United Kingdom of Great Britain and Northern Ireland", ["GBR", "RUS"]),
    ("a chad of paper; the Republic of Chad", ["TCD"]),                 # state names match as printed
    # A state's name inside a sea's, a basin's or a continent's name is not the state (S/2025/342,
    # S/2025/524, A/80/36, A/80/176), but the state named beside it is.
    ("Maritime security in the Gulf of Guinea 27. On the night of 31 January, three crew members of a "
     "trawler sailing to Port-Gentil, Gabon, were", ["GAB"]),
    ("In the Persian Gulf and the Sea of Oman, surface and aerial units of the United States and the United "
     "Kingdom regularly issue provocative", ["GBR", "USA"]),
    ("In Latin America and the Caribbean, the Office continued to promote the Latin American Model Protocol "
     "for the Investigation of Gender-related Killings of Women. In Haiti, OHCHR launched", ["HTI"]),
    ("declined only slightly in Asian and Latin American countries since 2010", []),
    ("the Organization of American States and the Inter-American Court; American forces", ["USA"]),
    ("the situation in the Lake Chad basin region, in the South China Sea and in the Gambia River basin", []),
    ("2,700 dunums in the Jordan Valley as State land; Jordan and Egypt", ["EGY", "JOR"]),
    # A/80/143, A/80/159: a language in a list of languages; an ocean current; but 'the Armenian version'
    ("Afreximbank’s official working languages are:\n\n• English\n\n• French\n\n• Arabic\n\n• Portuguese.", []),
    ("satellite coverage in the Guinea Current Large\nMarine Ecosystem", []),
    ("the Armenian version of the events", ["ARM"]),
    # S/2025/102: a French river name kept in an English text
    ("the Alliance Fleuve Congo (AFC)/M23 continued its offensive towards Goma", []),
    # S/2025/73, S/2025/402: a variant without 'the'; a demonym as the text spells it
    ("against SAMIDRC since the deployment of that force in the Democratic Republic of\nCongo.", ["COD"]),
    ("Guatemalans, 78 El Salvadorians, 23 Jamaicans", ["GTM", "JAM", "SLV"]),
    # S/2025/421, S/2025/492: a state's name in an armed group's or a disease's name
    ("the Islamic State in Iraq and the Levant (ISIL/Da’esh), Islamic State of Iraq and Syria fighters, "
     "Tehrik-e Taliban Pakistan and Crimean-Congo haemorrhagic fever", []),
    ("Al-Qaida in the Arabian Peninsula attacked Yemen", ["YEM"]),
    # A/79/753: a rite, not a state
    ("In April 2020, a memorial plaque was detected on the Greek Catholic Cathedral", []),
    ("the killing of a British Catholic missionary and his Cameroonian aide", ["CMR", "GBR"]),
    # A/79/918: 'US' as printed, not the pronoun; a currency is not its state
    ("talks facilitated by the US Administration, as told to us", ["USA"]),
    ("a U.S. delegation", ["USA"]),
    ("pledges of US$ 2.5 billion and 40 million United States dollars, 3 million Canadian dollars", []),
    # A/HRC/EMRIP/2025/2: the language a submission is in
    ("²⁵ Submission from Chile (in Spanish).", ["CHL"]),
    # A/80/55: a footnote's marker printed against the name ('Spain,¹⁵')
    ("violations of the Convention in three of them: J.M.V.A. v. Spain,¹⁵ concerning the right to\n"
     "non-discrimination; Sabadie v. France,¹⁶", ["ESP", "FRA"]),
])
def test_states(text, expected):
    assert keys(run(text), "state") == expected


def test_bodies_of_a_joint_communication():
    ex = run(corpus_text("000_69eed672c96147f9.txt"))
    labels = {m.label for m in ex.mentions if m.kind == "body"}
    assert {"Working Group on Arbitrary Detention", "Working Group on Enforced or Involuntary Disappearances",
            "Special Rapporteur on extrajudicial, summary or arbitrary executions"} <= labels


def test_instrument_with_article():
    ex = run("in violation of article 6 of the International Covenant on Civil and Political Rights and of "
             "article 2 of Protocol No. 4 to the Convention for the Protection of Human Rights and Fundamental Freedoms")
    got = {(p.title, p.article) for p in ex.provisions}
    assert ("International Covenant on Civil and Political Rights", "6") in got
    assert any(t.startswith("Protocol No. 4") and a == "2" for t, a in got)


def test_domestic_law_articles():
    ex = run("were charged under Articles 100, 102, 103, 105, and other articles of the Criminal Code of the "
             "Republic of Azerbaijan. According to Part III of Article 1 of the Law “On Lawyers and Legal Activities”, lawyers")
    got = {(p.title, p.article) for p in ex.provisions if p.domestic}
    assert {("Criminal Code of the Republic of Azerbaijan", a) for a in ("100", "102", "103", "105")} <= got
    assert ("Law “On Lawyers and Legal Activities”", "1, Part III") in got


def test_persons_signatory_posts_and_lists():
    ex = run(corpus_text("001_b1dfee940f1dd054.txt"))
    names = {p.name for p in ex.persons}
    assert {"Harutyunyan Arayik Vladimiri", "Gukasyan Arkadi Arshaviri", "Kazaryan Erik Roberti"} <= names
    letter = run(corpus_text("004_ffed4b976815c69f.txt"))
    signed = {p.name for p in letter.persons if p.signatory}
    assert signed == {"Yashar Aliyev", "Jeyhun Bayramov"}
    posts = {(p.name, p.post) for p in letter.persons}
    assert ("Jeyhun Bayramov", "Minister for Foreign Affairs") in posts


def test_signature_block_names_stop_at_the_line_end_and_co_signers_count():
    # A_79_729: eight signatures, each name over its post ('Chairman of the Elders’ Council').
    src = read_document(FIXTURES / "ingest" / "A_79_729.pdf")
    signed = {p.name for p in extract(src.source, src.sha256, src.text).persons if p.signatory}
    assert signed == {"Tofig Musayev", "Aziz Alakbarov", "Misir Mardanov", "Vahid Novruzov", "Ahliman Amiraslanov",
                      "Malahat Ibrahimgizi", "Shahin Ismayilov", "Elkhan Huseynov"}


@pytest.mark.parametrize("text, expected", [
    # S/2025/90, A/79/800, S/2025/395: the next line is a rank, a post or a heading, not the surname's end
    ("(Signed) Carl Harris\nColonel (United Kingdom of Great Britain and Northern Ireland)\nChair, Military Staff "
     "Committee", {"Carl Harris"}),
    ("(Signed) Khrystyna Hayovyshyn\nChargé d’affaires a.i.\nDeputy Permanent Representative", {"Khrystyna Hayovyshyn"}),
    ("(Signed) Mark Rutte\nEnclosure\n\nReport to the United Nations on Kosovo Force operations", {"Mark Rutte"}),
    # A/80/159: two co-chairs sign under one '(Signed)'
    ("(Signed) François Jackman\nAnna Jóhannsdóttir\nCo-Chairs\n", {"François Jackman", "Anna Jóhannsdóttir"}),
    # S/2025/499: a signed name holding a place's name ('Alba') is still a name
    ("(Signed) Eloy Alfaro de Alba\nAmbassador\nPermanent Representative", {"Eloy Alfaro de Alba"}),
    # S/2025/523, A/79/845: signatures as translations mark them; initials run together
    ("PRESIDENT OF THE REPUBLIC OF POLAND\n/-/ Andrzej Duda\n\nPRESIDENT OF THE COUNCIL OF MINISTERS\n/-/ Donald Tusk"
     "\n\n1. The Republic", {"Andrzej Duda", "Donald Tusk"}),
    ("International Legal Cooperation [signed] M.V. Vinogradov\n", {"M.V. Vinogradov"}),
    ("Lieutenant Colonel of Justice [signed and sealed] A.V. Vavilkin\n", {"A.V. Vavilkin"}),
    # A/79/982, A/79/917: a letter signed without '(Signed)', the name alone after the closing formula
    ("Please accept, Sir, the assurances of my highest consideration.\n\nVolker Türk", {"Volker Türk"}),
    ("I convey my best wishes to you and wish the conference every success.\n\nIlham Aliyev\nPresident of the "
     "Republic of Azerbaijan\nAnnex II to the letter", {"Ilham Aliyev"}),
    # A/79/802: a signature block with no formula before it, the post on the line under the name
    ("the restoration of human rights.\n\nVilen Gabrielyan\nPresident\nPan-Armenian Union “Gardman”\n",
     {"Vilen Gabrielyan"}),
    # a heading after the closing formula is not a signature
    ("We wish the conference every success.\n\nKey Messages\n\nThe conference discussed key messages.", set()),
    ("I wish the meeting every success.\n\nUnited Nations\n\nNew York", set()),
])
def test_signatories_of_real_signature_blocks(text, expected):
    assert {p.name for p in run(text).persons if p.signatory} == expected


@pytest.mark.parametrize("text, expected", [
    # S/2025/185: a title is not part of the name; the Arabic article in lower case is
    ("On 5 March 2025, the Syrian caretaker Foreign Minister, Mr Asaad Hassan al-Shaibani, delivered a statement.",
     {"Asaad Hassan al-Shaibani"}),
    # S/2025/185: 'H.E.' is a title too
    ("pursuant to a formal request from H.E. Assad Hassan\nal-Shaibani, Minister of Foreign Affairs",
     {"Assad Hassan al-Shaibani"}),
    # S/2025/49, A/79/797, S/2025/197: laws, hospitals and working groups are not persons
    ("found in the Sudanese Armed Forces Act, the Police Act, the Sudanese Penal Code, the General Intelligence "
     "Service Act and the Child Act", set()),
    ("the attack that occurred on 28 December in Kabul, near Sheikh Zayed Hospital and close to the Ministry", set()),
    ("Denmark and Sierra Leone, as co-chairs of the Informal Expert Group on Women and Peace and Security", set()),
    # A/HRC/EMRIP/2025/2: capitalised common nouns in a list of titles ('a working group' elsewhere)
    ("No Data, No Story: Indigenous Peoples in the Philippines; Climate Change, Public Health, Social Action. "
     "The data and the story of climate change, public health and social action.", set()),
])
def test_titles_and_names_of_things_are_not_persons(text, expected):
    assert {p.name for p in run(text).persons} == expected


@pytest.mark.parametrize("text, expected", [
    # S/2025/197, S/2025/307, A/79/729: the holder named after the office's full title
    ("the Deputy Special Envoy of the Secretary-General for Syria, Najat Rochdi, briefed", {"Najat Rochdi"}),
    ("a letter from the Under-Secretary-General for Humanitarian Affairs and Emergency Relief\nCoordinator, "
     "Tom Fletcher, addressed to the President", {"Tom Fletcher"}),
    ("Another former president, Serzh Sargsyan. openly", {"Serzh Sargsyan"}),
    # S/2025/307, S/2025/182: the Organization's senior posts after the name; A/79/825: 'X as Secretary-General'
    ("Please find attached a letter delivered to Tom Fletcher, Under-Secretary-General\nfor Humanitarian Affairs",
     {"Tom Fletcher"}),
    ("the meeting of the Committee with Kaja Kallas, the High Representative of the European Union", {"Kaja Kallas"}),
    ("The second term of António Guterres as Secretary-General of the United Nations ends", {"António Guterres"}),
    # S/2025/127: 'Mr' without a full stop
    ("stating that Mr Ibrahim Olabi has been appointed", {"Ibrahim Olabi"}),
    # a sentence that goes on after the office is no title; a post is not part of the name
    ("the President visited Kherson, Nova Kakhovka, and Odesa", set()),
    ("the Deputy Prime Minister, Vice-President Al-Koni, said", set()),
])
def test_persons_named_after_their_office(text, expected):
    assert {p.name for p in run(text).persons} == expected


@pytest.mark.parametrize("text, expected", [
    # A/79/722: a post of a State, then the holder, no comma between
    ("At the Sixth CICA Summit, President of\nKazakhstan Kassym-Jomart Tokayev has announced", {"Kassym-Jomart Tokayev"}),
    # A/80/42: a bureau member by the State that nominated them; experts by their office, or 'who'
    ("the Commission elected Akaki Dvali (Georgia) as Chair.\n\nSyed Atif Raza (Pakistan)\n",
     {"Akaki Dvali", "Syed Atif Raza"}),
    ("the following experts: Charles Ovink of the Office for Disarmament Affairs; Michael Spies, who addressed "
     "space; Clarice Lim of the Permanent Mission of Singapore", {"Charles Ovink", "Michael Spies", "Clarice Lim"}),
    # A/79/922, S/2025/323: a role after the name; the Speaker and the Undersecretary before it; the ayn in a name
    ("Svetlana Petrenko, official representative of the Investigative Committee, said; the Speaker of the "
     "Islamic\nConsultative Assembly, Mohammed Baqer Qalibaf, among others; the Prime Minister,\nMohammed Shia‘ Al "
     "Sudani, inaugurated", {"Svetlana Petrenko", "Mohammed Baqer Qalibaf", "Mohammed Shia‘ Al Sudani"}),
    # S/2025/197, S/2025/323: a commander or a founder, by a comma on each side
    ("led by Hay’at Tahrir al-Sham (HTS) and its\ncommander, Ahmed al-Sharaa, took power; the imprisoned founder "
     "of PKK, Abdullah Öcalan, called", {"Ahmed al-Sharaa", "Abdullah Öcalan"}),
    # A/HRC/59/L.17: a cited author; but not an organisation's name before 'and others' in running text
    ("⁹ Nicola Yeates and others, A Global Fund for Social Protection", {"Nicola Yeates"}),
    ("members of the Deterrence Apparatus for Combating\nOrganized Crime and others, to urge de-escalation", set()),
    # A/79/753, S/2025/71: a person described in brackets; not a group no list names
    ("Leonid Perfetskiy (veteran of the SS Galizia Division), Nikolay Kapustyanskiy (deputy\nhead of the wing); "
     "Seka Baluku (alias Musa); Katiba Hanifa (not listed)", {"Leonid Perfetskiy", "Nikolay Kapustyanskiy", "Seka Baluku"}),
    # A/80/275: a surname given after a title, its full name elsewhere; parties to a case
    ("partially granted review of Gérard Ntakirutimana’s convictions. Mr. Ntakirutimana failed to show it; the "
     "case against Petar Jojić and Vjerica Radeta; Prosecutor v. Vojislav Šešelj et al.",
     {"Gérard Ntakirutimana", "Petar Jojić", "Vjerica Radeta", "Vojislav Šešelj"}),
    # S/2025/323: not the first words of a longer name; its last words after a title are the same person
    ("the Undersecretary, Mohammed Hussein Bahr Aluloom, met Mr. Hussein; Kuwait appointed a counterpart to "
     "Mr. Bahr Aluloom", {"Mohammed Hussein Bahr Aluloom"}),
    # A/79/801, S/2025/22: the authors of works a footnote cites; not an organisation that writes
    ("text.¹\n\n¹ See also Tom Keatinge and Florence Keen, “Social media and terrorist financing”; Thomas de Waal, "
     "Black Garden; in Fiona Maclachlan and Ian Peart (eds.), Khojaly Witness; Global Protection Cluster, Report",
     {"Tom Keatinge", "Florence Keen", "Thomas de Waal", "Fiona Maclachlan", "Ian Peart"}),
    # A/79/947, A/79/987: a place's name inside a person's name is part of it
    ("the de facto Minister for the Propagation of Virtue and Prevention of Vice, Mohammad Khalil Hanafi, told a "
     "gathering; the Personal Envoy, María Ángela Holguín Cuéllar, met", {"Mohammad Khalil Hanafi",
                                                                          "María Ángela Holguín Cuéllar"}),
    # a State in brackets after words that are not a name
    ("the Republic of Korea (Korea) and the Human Rights Watch, who said", set()),
    # S/2025/342, S/2025/509: what is done to a person, or who heads a thing; not a group that leads
    ("On 4 February, Allah-Maye Halina was reappointed Prime Minister of Chad. On", {"Allah-Maye Halina"}),
    ("Reconstruction Fund, which is headed by Belqasim Khalifa Haftar. On the same day", {"Belqasim Khalifa Haftar"}),
    ("the new caretaker authority, led by Hay’at Tahrir al-Sham (HTS) and its", set()),
    # S/2025/342, S/2025/223: an abbreviation in the title; two holders of one title
    ("reported that one of the wives and three children of the leader of the Lord’s Resistance Army (LRA), Joseph "
     "Kony, had agreed", {"Joseph Kony"}),
    ("the President of the Presidential Council, Mohamed Younis Menfi, the Vice-Presidents of the Council, Musa "
     "al-Koni and Abdullah al-Lafi, the Speaker", {"Mohamed Younis Menfi", "Musa al-Koni", "Abdullah al-Lafi"}),
    # A/79/797, S/2025/460: a long name with its particles, read whole and once; an appointee
    ("met with the President of the United Arab Emirates,\nSheikh Mohamed bin Zayed Al Nahyan, in Abu Dhabi.",
     {"Mohamed bin Zayed Al Nahyan"}),
    ("the Crown Prince and Prime Minister of the Kingdom\nof Saudi Arabia Mohammed bin Salman bin Abdulaziz Al Saud "
     "emphasized the need", {"Mohammed bin Salman bin Abdulaziz Al Saud"}),
    ("44. On 27 March, the Cabinet appointed Karim Souaid as the new governor of the\nCentral Bank.", {"Karim Souaid"}),
    # A/HRC/EMRIP/2025/2: a presenter and authors a footnote cites 'for example'
    ("text.³\n\n³ See presentation by Tahu Kukutai, expert seminar organized by the Asian Indigenous Peoples Pact "
     "in\nChiang Mai, Thailand, December 2024.⁵⁶\n\n⁵⁶ See, for example, Laura Acosta and Bruno Ribotta, "
     "“Visibilidad estadística y mecanismos\nparticipativos”", {"Tahu Kukutai", "Laura Acosta", "Bruno Ribotta"}),
    # A/80/75, A/80/82: a list of organisations; a rank that is an adjective, before a word the text writes
    # in lower case in the plural
    ("67. The World Food Programme, Oxford University, Climate Prediction and\nApplications Centre of the "
     "Intergovernmental Authority on Development, the", set()),
    ("the extension\nof its General Preferential Tariff and Least Developed Country Tariff schemes; cuts in tariffs",
     set()),
    # S/2025/433: a name wrapped over a line in the middle of a sentence, before its State in brackets
    ("(Mexico) as my Special Representative and Head of BINUH. He will succeed María\nIsabel Salvador (Ecuador), "
     "who will complete her assignment on 30 June 2025.", {"María Isabel Salvador"}),
    # S/2025/270: posts in a list are no name
    ("use and deployment of UNMISS’s Child Protection\nAdvisers, Women Protection Advisers, and uniformed", set()),
])
def test_persons_named_without_a_post_before_them(text, expected):
    assert {p.name for p in run(text).persons} == expected


@pytest.mark.parametrize("title, expected", [
    # S/2025/407, S/2025/394: an office writes; the state its title names and a mission the text names are
    # not the author
    ("Letter dated 23 June 2025 from the Chair of the Central African Republic configuration of the Peacebuilding\n"
     "Commission addressed to the President of the Security Council", ()),
    ("Letter dated 18 June 2025 from the President of the Security Council addressed to the\nSecretary-General", ()),
    ("Letter dated 2 May 2025 from the Permanent Representative of the Sudan to the United Nations\n"
     "addressed to the President of the Security Council", ("SDN",)),
    ("Letter dated 10 May 2025 from the President of the Republic of Kenya addressed to the Secretary-General",
     ("KEN",)),
])
def test_author_state_is_who_the_title_says_writes(title, expected):
    text = f"{title}\n\nI have the honour to transmit the communiqué of the Permanent Mission of Nigeria.\n"
    assert run(text).metadata.author_states == expected


MASTHEAD = "United Nations S/2025/421\n\nSecurity Council Distr.: General\n30 June 2025\n\nOriginal: English\n\n"


@pytest.mark.parametrize("title, expected", [
    # S/2025/421, A/HRC/59/L.17: a draft is written by its sponsors, named before the colon
    ("Russian Federation and United States of America: draft resolution", ("RUS", "USA")),
    ("Azerbaijan,* Bangladesh, Philippines,* Samoa* and Viet Nam: draft resolution", ("AZE", "BGD", "PHL", "WSM", "VNM")),
    ("Albania, Andorra, Austria,\nBelgium and Ukraine: revised draft resolution", ("ALB", "AND", "AUT", "BEL", "UKR")),
    # S/2025/114, S/2025/117: an amendment to a draft is written by those who table it
    ("Denmark, France, Greece, Slovenia and United Kingdom of Great\nBritain and Northern Ireland: amendment to the "
     "draft resolution\ncontained in document S/2025/112", ("DNK", "FRA", "GRC", "SVN", "GBR")),
    ("Russian Federation: amendment to the draft resolution contained\nin document S/2025/112", ("RUS",)),
])
def test_the_sponsors_of_a_draft_are_its_authors(title, expected):
    text = f"{MASTHEAD}{title}\n\nThe Security Council,\n\nRecalling its resolution 1308 (2000) on Israel and Lebanon,\n"
    assert run(text).metadata.author_states == expected


def test_states_that_table_a_draft_in_a_sentence_are_not_its_authors():
    text = f"{MASTHEAD}Note by the Secretary-General\n\nFrance and Germany circulated a draft resolution: it failed.\n"
    assert run(text).metadata.author_states == ()


@pytest.mark.parametrize("title, symbol, author", [
    ("Fourth periodic report submitted by Kazakhstan under\narticle 19 of the Convention pursuant to the simplified\n"
     "reporting procedure, due in 2018*", "CAT/C/KAZ/4", "KAZ"),
    ("Combined twenty-fifth and twenty-sixth periodic reports submitted by the\nRussian Federation under article 9 "
     "of the Convention, due in 2021*", "CERD/C/RUS/25-26", "RUS"),
    ("Replies of China to the list of issues in relation to its combined\nfourteenth to seventeenth periodic reports*",
     "CERD/C/CHN/RQ/14-17", "CHN"),
])
def test_state_reports_to_treaty_bodies_name_their_state(title, symbol, author):
    # The masthead of a treaty-body document as the UN prints it, then the title of the State's report.
    text = (f"United Nations {symbol}\n\nDistr.: General\n2 August 2022\n\nOriginal: English\n\n"
            f"Committee on the Elimination of Racial Discrimination\n\n{title}\n\n[Date received: 1 March 2022]\n\n"
            "1. The present report is submitted in accordance with the Convention.\n")
    md = run(text).metadata
    assert (md.kind, md.symbols, md.author_states, md.received) == ("state_report", (symbol,), (author,), "2022-03-01")
    assert md.title.startswith(title.split()[0])


def test_redactions_are_not_persons():
    ex = run("The lawyer ████ ██████ was detained; Mr. ███ was released.")
    assert [m.kind for m in ex.mentions if m.kind == "redaction"] == ["redaction", "redaction"]
    assert ex.persons == ()


def test_places_introduced_by_the_text_or_known_to_the_gazetteer():
    ex = run(corpus_text("002_7ba849221ed25377.txt"))
    places = {m.label: m.key for m in ex.mentions if m.kind == "place"}
    # villages the text introduces ('the villages of Zabukh and Sus') are keyed by name
    assert places["Zabukh"] == "Zabukh" and places["Sus"] == "Sus"
    # towns the gazetteer knows are keyed by its IRI
    assert places["Shusha"] == "https://w3id.org/kg-un/id/place/shusha"
    assert places["Lachin"].startswith("https://w3id.org/kg-un/id/place/lachin")


def test_seats_of_un_offices_and_courts_are_places():
    # 000_69eed672c96147f9.txt: 'Geneva, 27 September 2024' (Geneva is below the gazetteer's population
    # threshold, so the hand table lists it with the other seats and sites UN documents name)
    places = {m.label: m.key for m in run(corpus_text("000_69eed672c96147f9.txt")).mentions if m.kind == "place"}
    assert places["Geneva"] == "https://w3id.org/kg-un/id/place/geneva"
    ex = run("The European Court of Human Rights in Strasbourg recalled the genocide in Srebrenica in July 1995.")
    assert {m.label for m in ex.mentions if m.kind == "place"} == {"Strasbourg", "Srebrenica"}


@pytest.mark.parametrize("text, expected", [
    # S/2025/492, A/80/150, A/79/919: words before 'areas', 'states', 'camps' that are no place names
    ("Rural areas, home to 71 per cent of the poor, lag behind. Small states can take a leadership role. "
     "Training camps with Arab instructors were reported; recruits received training there.", set()),
    ("The Argentine Republic notes that article 41 of its Constitution states that all inhabitants enjoy the right.",
     set()),
    ("Armenia’s state responsibility is engaged.", set()),
    # S/2025/71, A/80/61: regions wider than a State; A/79/989: a place inside a State's name
    ("collaboration across the Sahel region, the Great Lakes region and the Asia-Pacific region", set()),
    ("The local elections, held in Bosnia and Herzegovina on 6 October 2024, were observed by the European Union "
     "military operation in Bosnia and Herzegovina.", set()),
    # A/80/86, S/2025/460: places the text introduces stay places
    ("In the province of British Columbia, and in the Jahra’ area of Kuwait, and in the village of Mera.",
     {"British Columbia", "Jahra’", "Mera"}),
    # A/HRC/59/L.17: a name of three words, not the first two of them
    ("the twenty-seventh session of the Conference of the Parties, held in Sharm El Sheikh, Egypt",
     {"Sharm El Sheikh"}),
    # S/2025/415: a place placed by another; the ayn and the article in names; a refugee camp
    ("During an operation in Salim, east of Nablus; in the town of Turmus‘ayya; raids in Silat al-Harithiyah, "
     "north of Jenin; Ein Beit el-Ma’ refugee camp, on the outskirts of Nablus",
     {"Salim", "Turmus‘ayya", "Silat al-Harithiyah", "Ein Beit el-Ma’"}),
    # A/ES-10/1029, S/2025/342: where an attack struck, in the sentence that reports it
    ("30 March: 19 Palestinians killed in Israeli bombings in Khan Yunus on the first day of Eid.", {"Khan Yunus"}),
    ("one civilian was reportedly killed and two others injured in Pinyin, Mezam Division", {"Pinyin"}),
    # ... but not a sea, a people attacked, a possessive or the first words of a longer name
    ("attacks in the Red Sea continued; attacks on Shia worshippers; killed in Iran’s International Airport; "
     "attacks in the Islamic Republic of Iran", set()),
    # S/2025/223, S/2025/495: a place near which something stands; a place placed by its State; not States
    # joined by a hyphen
    ("took control of Tindi military camp, in the vicinity of Awbari. The camp; heavy clashes in the Bakhi area, "
     "near Qatrun, on", {"Awbari", "Bakhi", "Qatrun"}),
    ("46 members of High Council of State met in Bouznika, Morocco, where they agreed", {"Bouznika"}),
    ("attacked two security positions close to the Libya-Chad border held by", set()),
    # S/2025/460: a place by a compass point; one placed by the region it lies in; the article between words;
    # not what stands near a State's forces
    ("stopped a motorcycle in front of a UNIFIL patrol, northeast of Tibnin (Sector West) with; an explosive "
     "device detonated in a tunnel south-west of Zibqin during", {"Tibnin", "Zibqin"}),
    # (S/2025/496: a base in a town of a region the gazetteer knows)
    ("13. In Eastern Africa, Da’esh in Somalia launched on 31 December 2024 an attack\non a base of the security "
     "forces in Dharjaale, Puntland region, in anticipation", {"Dharjaale"}),
    ("the UN flag from a moving UNIFIL vehicle near Mays al Jabal (Sector West). The", {"Mays al Jabal"}),
    ("UNIFIL positions near the Israel Defense Forces", set()),
])
def test_introduced_places_are_places_within_a_state(text, expected):
    assert {m.label for m in run(text).mentions if m.kind == "place" and m.extractor == "places"} == expected


@pytest.mark.parametrize("text, expected", [
    # A/79/918: a unit named with its word, over a line's end; the place placed by it; Kyiv Oblast by another word
    ("a downed UAV triggered fire in an industrial zone of Yelets, Lipetsk\nRegion, injuring eight people; "
     "killed in Vasilyevsky Municipal District; drones over the Kyiv Region",
     {("Yelets", "Yelets"), ("Lipetsk Region", "place/lipetsk-oblast"),
      ("Vasilyevsky Municipal District", "Vasilyevsky Municipal District"), ("Kyiv Region", "place/kyiv-oblast")}),
    # S/2025/270, S/2025/320: a region the gazetteer knows, by its unit's word before or after it
    ("fighting in Nasir County, Upper Nile State, and in Western Equatoria State; sites in Diyala Governorate "
     "and the Governorate of Muthanna",
     {("Nasir County", "Nasir County"), ("Upper Nile State", "place/upper-nile"),
      ("Western Equatoria State", "place/western-equatoria"), ("Diyala Governorate", "place/diyala"),
      ("Governorate of Muthanna", "place/muthanna")}),
    # A/79/797: particles in a name; a heading word before it is not part of it; a city inside a name is not the unit
    ("In Kandahar Province and in Khwaja Baha ud Din District, Takhar Province, and Sar-e Pul Province",
     {("Kandahar Province", "place/kandahar-province"), ("Khwaja Baha ud Din District", "Khwaja Baha ud Din District"),
      ("Takhar Province", "place/takhar"), ("Sar-e Pul Province", "place/sar-e-pol")}),
    # S/2025/71: 'State' after no region is a polity; a wider region or a military one is no place within a State
    ("the Islamic State, the Palestinian State, the Member State, the Great Lakes Region, the Arab Region, "
     "the Lake Chad Basin Region and the Coast Military Region", set()),
])
def test_a_place_named_with_its_unit_keeps_the_unit(text, expected):
    got = {(m.label, m.key.removeprefix("https://w3id.org/kg-un/id/")) for m in run(text).mentions if m.kind == "place"}
    assert got == expected


def test_a_town_inside_the_name_of_a_sea_is_no_place():
    # S/2025/524, S/2025/71: the Gulf of Aden is a sea, not the town of Aden; Sana'a stays a place.
    text = ("stability in the Red Sea and the Gulf of Aden. The most recent example is the deliberate targeting "
            "and bombardment of the Haziz power plant in Sana'a.")
    assert {m.label for m in run(text).mentions if m.kind == "place"} == {"Sana'a"}


@pytest.mark.parametrize("text", [
    # A/HRC/59/L.17, S/2025/371, A/79/881: a city in the name of a document, a process or a government
    "the Addis Ababa Action Agenda, the Sendai Framework for Disaster Risk Reduction 2015–2030 and the Paris Principles",
    "the implementation of the Stockholm Agreement, the Delhi Declaration and the Minsk agreements",
    "strikes by the Kiev regime continued",
])
def test_a_place_in_a_title_is_no_place(text):
    assert [m.label for m in run(text).mentions if m.kind == "place"] == []


def test_a_place_is_labelled_without_the_documents_characterisation():
    # A/ES-10/1027: 'Occupied East Jerusalem' is East Jerusalem as the letter qualifies it (the quote keeps it)
    ex = run("Illegal Israeli actions in Occupied East Jerusalem and the rest of the Occupied Palestinian Territory")
    places = [(m.label, m.span.text) for m in ex.mentions if m.kind == "place"]
    assert ("East Jerusalem", "Occupied East Jerusalem") in places


def test_a_compass_word_joined_by_a_hyphen():
    # S/2025/108: 'North-Kivu' is North Kivu, not Kivu
    ex = run("the M23 advanced in North-Kivu and South-Kivu")
    assert [(m.label, m.key.rsplit("/", 1)[-1]) for m in ex.mentions if m.kind == "place"] == [
        ("North-Kivu", "north-kivu"), ("South-Kivu", "south-kivu")]


def test_a_name_shared_by_two_places_goes_to_the_one_in_a_state_the_text_names():
    ex = run("Egypt reopened the crossing at Rafah on 3 March 2025.")
    assert [m.key for m in ex.mentions if m.kind == "place"] == ["https://w3id.org/kg-un/id/place/rafah-egy"]


def test_incidents_as_claims_with_figures_and_quote():
    ex = run(corpus_text("001_b1dfee940f1dd054.txt"))
    by_place = {i.place: i for i in ex.incidents}
    ganja = by_place["Ganja"]
    assert (ganja.date, ganja.killed, ganja.injured, ganja.children_killed, ganja.attributed_to) == \
        ("2020-10-17", 26, 175, 6, "ARM")
    assert ganja.span.text.startswith("killing 26")
    assert by_place["Barda"].date == "2020-10-27/2020-11-07"
    # 'in total 93 civilians ... were killed' over a dozen districts is an aggregate, not an incident
    assert all(i.killed != 93 for i in ex.incidents)


def test_incident_dated_by_its_own_sentence_month_or_year():
    # A/79/753: 'In July of 1941' dates the killing, not the 'June 2019' of the sentence before
    text = ("He was a head of OUN in Poltava and participated in mass killings.\n\nIn June 2019, the largest monument "
            "was unveiled in Bolekhov. In July of 1941 local OUN members killed 120 Jews in pogroms.")
    assert [(i.date, i.killed) for i in run(text).incidents] == [("1941-07", 120)]
    # A/ES-10/1029: 'in 2024' in the figure's sentence beats the day of an earlier sentence
    text = ("They were found in Gaza on 31 March 2025, eight days after they went missing. After having killed 377 "
            "humanitarian workers in 2024, the occupying Power is on a path to set another record.")
    assert [(i.date, i.killed) for i in run(text).incidents] == [("2024", 377)]


def test_an_attack_that_only_wounded_is_an_incident():
    # A/79/918: the figure after its verb, the day without a year taken from the statement's date
    text = ("Statement dated 23 May 2025\n\nOn May 22, an attack on the village of Panteleymonovka, the Donetsk "
            "People’s Republic, wounded eight people.")
    assert [(i.place, i.date, i.killed, i.injured) for i in run(text).incidents] == [
        ("Panteleymonovka", "2025-05-22", None, 8)]


def test_a_day_of_attacks_one_victim_by_the_article_and_the_wounded_of_another_place():
    # A/79/918: 'killed a woman' is one killed; the next sentence's wounded are at another place, their own incident
    text = ("Statement dated 23 May 2025\n\nOn May 22, an attack on the village of Panteleymonovka, the Donetsk "
            "People’s Republic, wounded eight people. On the\nsame day, a drone strike in the Vasilyevsky Municipal "
            "District, Zaporozhye Region,\nkilled a woman born in 1990 and injured four children aged 10, 9, 8, and 1. "
            "On the\nnight of May 23, a downed UAV triggered fire in an industrial zone of Yelets, Lipetsk\nRegion, "
            "injuring eight people.")
    got = [(i.date, i.killed, i.injured) for i in run(text).incidents]
    assert got == [("2025-05-22", None, 8), ("2025-05-22", 1, 4), ("2025-05-23", None, 8)]


@pytest.mark.parametrize("text, expected", [
    # A/80/75: the dead are there, their figure unread (a footnote marker on the verb): no wounded-only report
    ("In Gaza on 7 October 2024 more than 45,500 Palestinians were killed⁸ and a further 108,000 injured.", []),
    # A/79/801: the wounded of the killing the sentence before belong to that incident
    ("On 26 February 1992 in Khojaly, the armed forces attacked, killing 613 civilians. Another 1,000 residents of "
     "Khojaly were wounded.", [("Khojaly", 613, None)]),
])
def test_wounded_are_not_a_second_incident(text, expected):
    assert [(i.place, i.killed, i.injured) for i in run(text).incidents] == expected


def test_a_victims_birth_year_dates_no_incident():
    # A/79/918: 'born in 1990' is not when the drone struck ('the same day' of the sentence before)
    text = ("Statement dated 23 May 2025\n\nOn May 22, in Kursk, drones attacked. The same day, a drone strike in "
            "Vasilyevka killed 2 people, a woman born in 1990 and her son.")
    assert [i.date for i in run(text).incidents] == ["2025-05-22"]


@pytest.mark.parametrize("text, place", [
    # S/2025/415: a neighbourhood of a city, a village east of a city, one victim by 'one' and a people's name
    ("On 9 April 2025, the Israel Defense Forces struck at least six residential buildings in the Shuja‘iyah "
     "neighbourhood of Gaza City, reportedly killing at least 47 Palestinians.", "Shuja‘iyah"),
    ("On 14 March 2025, during an operation in Salim, east of Nablus, Israeli security forces shot and killed a "
     "21-year-old Palestinian man.", "Salim"),
    ("On 19 March 2025, Israeli forces conducted a 14-hour operation in Ein Beit el-Ma’ refugee camp, on the "
     "outskirts of Nablus, killing one Palestinian.", "Ein Beit el-Ma’"),
    # S/2025/342: a village with the units it lies in is one location, not a list of places
    ("On 23 February 2025, six civilians were\nreportedly killed and two others injured in Pinyin, Mezam Division, "
     "North-West\nRegion, during a military operation.", "Pinyin"),
    # A/79/998: the city, not its province (the gazetteer types Zahedan a city, Sistan and Baluchestan a region)
    ("This atrocity follows another barbaric terrorist attack on\n26 July 2025, when three armed members of Jaysh "
     "al-Adl launched a coordinated\nassault on a courthouse in Zahedan, the provincial capital of Sistan and "
     "Baluchestan. In\nthat deliberate targeting of civilians, six innocent people, including a mother and her\n"
     "6-month-old baby, tragically lost their lives and 24 others were injured.", "Zahedan"),
    # S/2025/415: what the text calls a town outranks what the gazetteer knows of the town beside it
    ("36. On 15 May 2025, in the town of Tammun, south of Tubas, Israeli security forces killed\nfive Palestinians "
     "during a military operation and exchange of fire.", "Tammun"),
])
def test_incident_place_is_the_most_local_one(text, place):
    assert [i.place for i in run(text).incidents] == [place]


@pytest.mark.parametrize("text, expected", [
    # A/ES-10/1029: four words between the figure and its verb
    ("29 March 2025: 6 Palestinians from a single family killed – father, mother and\nchildren – in the Israeli "
     "bombing of their home in Khan Yunus as they returned", [("Khan Yunus", "2025-03-29", 6, None)]),
    # S/2025/73: the wounded, not the nationals among them
    ("On 24 January 2025, near Sake, eight peacekeepers, including\nthree Guatemalans, were injured.",
     [("Sake", "2025-01-24", None, 8)]),
    # A/79/753: a figure in thousands
    ("In July 1942, in Rovno, 25\nthousand Jews were killed.", [("Rovno", "1942-07", 25000, None)]),
])
def test_figures_of_victims_described_at_length(text, expected):
    assert [(i.place, i.date, i.killed, i.injured) for i in run(text).incidents] == expected


@pytest.mark.parametrize("text, expected", [
    # S/2025/342, S/2025/254: the dead as a noun after the figure
    ("On 14 January 2025, intercommunal clashes in Laramanaye, Logone Occidental Province, resulted in four "
     "fatalities.", [("Laramanaye", "2025-01-14", 4, None)]),
    # S/2025/415: the deed as what an attack resulted in
    ("On 18 March 2025, Israel Defense Forces reportedly hit a shelter in Daraj neighbourhood, central Gaza City. "
     "The incident resulted in the killing of 25 Palestinians.", [("Daraj", "2025-03-18", 25, None)]),
    # A/ES-10/1030, A/ES-10/1027: 'murdered N', one staff member
    ("On 9 April 1948, militias murdered 250 Palestinian men, women and children in the village of Deir Yassin.",
     [("Deir Yassin", "1948-04-09", 250, None)]),
    ("On 19 March 2025, Israel bombed United Nations facilities in Deir al-Balah, killing one international staff "
     "member and seriously wounding five others.", [("Deir al-Balah", "2025-03-19", 1, 5)]),
    # S/2025/415: victims of one verb listed with a place and a day each are incidents each
    ("34. Israeli security forces killed a 14-year-old Palestinian boy in the town of\nTurmus‘ayya, north-east of "
     "Ramallah, on 6 April 2025, a 17-year-old Palestinian boy on\n14 April 2025 during an operation in Salim, north "
     "of Ramallah, and a\n12-year-old boy in Yamun, west of Jenin, on 23 April 2025, for reportedly throwing stones.",
     [("Turmus‘ayya", "2025-04-06", 1, None), ("Salim", "2025-04-14", 1, None), ("Yamun", "2025-04-23", 1, None)]),
    # A/79/753: not the deed's noun, a past crime recalled ('the murder of 100 thousand Poles')
    ("In June 2021, in Khmelnitsky, a street was named after a man responsible for the murder of 100 thousand "
     "Poles.", []),
])
def test_figures_after_the_verb_or_as_the_dead(text, expected):
    assert [(i.place, i.date, i.killed, i.injured) for i in run(text).incidents] == expected


def test_a_list_of_victims_with_no_day_of_their_own_is_one_incident():
    incidents = run("On 3 May 2025, in the village of Sus, soldiers killed a man, a woman and a child.").incidents
    assert [(i.place, i.date) for i in incidents] == [("Sus", "2025-05-03")]


def test_hedged_figures_are_read():
    # S/2025/415: 'injuring around 50 others'
    text = ("20. On 9 April 2025, the Israel Defense Forces struck at least six neighbouring residential\nbuildings in "
            "the Shuja‘iyah neighbourhood of Gaza City, reportedly killing at least\n47 Palestinians, including at least "
            "13 women and 18 children, and injuring around\n50 others.")
    [incident] = run(text).incidents
    assert (incident.killed, incident.children_killed, incident.injured) == (47, 18, 50)


@pytest.mark.parametrize("text, expected", [
    # S/2025/415: victims named by nationality
    ("On 20 May 2025, 13 Palestinians were reportedly killed,\nincluding some who were burned to death, in an "
     "attack on a school in Daraj, in eastern\nGaza City.", [(13, None)]),
    ("21. On 26 April 2025, at least 22 Palestinians, including at least 13 children and 6 women,\nwere killed in "
     "an Israeli air strike on a residential building near a mosque in Sabra\nneighbourhood in central Gaza City.",
     [(22, 13)]),
    # 002_7ba849221ed25377.txt: a news headline the footnote cites is that outlet's claim, not an incident
    ('¹³ See, for example, "Pashinyan says about 4,000 Armenian troops killed in Nagorno-Karabakh", 14 April 2021, '
     "<https://tass.com/world/1277921>.", []),
])
def test_figures_with_nationalities_and_cited_headlines(text, expected):
    assert [(i.killed, i.children_killed) for i in run(text).incidents] == expected


@pytest.mark.parametrize("text", [
    # S/2025/342: the victims' nationality is not the perpetrator
    "24. On the night between 24 and 25 March 2025, Islamic State West Africa Province\n(ISWAP) launched an attack "
    "on a post of the Multinational Joint Task Force in Wulgo,\nNigeria, near Soueram in the Far North Region of "
    "Cameroon. At least 19 Cameroonian\nsoldiers were killed.",
    # S/2025/342: a state that 'dissolved' something is no agent of a killing
    "The joint force, which had been dissolved by Chad at the onset of Operation\nHaskanite, was not reinstated. "
    "On 25 March 2025, Islamic State West Africa Province launched an attack near Soueram in the Far North Region "
    "of Cameroon. At least 19 Cameroonian\nsoldiers were killed.",
    # A/80/86: the mediator is not the perpetrator
    "A ceasefire and hostage release deal by the parties mediated\nby Egypt, Qatar and the United States of America "
    "was in place in Gaza from 19 January until\n18 March 2025. At least 12 people were killed in Gaza on 3 March 2025.",
])
def test_victims_and_mediators_are_not_perpetrators(text):
    [incident] = run(text).incidents
    assert incident.attributed_to is None


def test_the_state_whose_base_is_attacked_is_not_the_perpetrator():
    # S/2025/71
    text = ("The group is suspected to have conducted a series of suicide attacks in Gowza, Borno State, on 29 June. "
            "They also attacked a Chadian military base in Barkaram, Chad, on 27 October 2024, killing 40 soldiers.")
    [incident] = run(text).incidents
    assert (incident.killed, incident.date, incident.attributed_to) == (40, "2024-10-27", None)


def test_incident_place_prefers_the_village_to_its_district():
    ex = run(corpus_text("004_ffed4b976815c69f.txt"))
    assert [(i.place, i.date, i.killed, i.children_killed) for i in ex.incidents] == [("Bashlibel", "1993-04-18", 12, 1)]


def test_annex_is_a_part_with_its_own_author_date_and_signatory():
    ex = run(corpus_text("004_ffed4b976815c69f.txt"))
    assert ex.metadata.sender_post == "Permanent Representative"
    [annex] = ex.parts
    assert annex.title.text.startswith("Letter dated 4 May 2021 from the Minister for Foreign Affairs")
    assert (annex.dated, annex.author_states, annex.signatories) == ("2021-05-04", ("AZE",), ("Jeyhun Bayramov",))


def test_reference_by_description_names_author_and_date():
    ex = run(corpus_text("002_7ba849221ed25377.txt"))
    [ref] = ex.described
    assert (ref.author_states, ref.date, ref.characterization) == (("ARM",), "2023-01-05", "disputes")
    # no author named: fail closed
    assert run("as stated in the letter dated 5 January 2023, nothing changed").described == ()


@pytest.mark.parametrize("text, expected", [
    ("said President Recep Tayyip Erdoğan of Türkiye", {"Recep Tayyip Erdoğan"}),
    ("I. Introduction\n\nThe delegation met officials in Abu Dhabi.", set()),
])
def test_person_names_in_any_latin_script_and_not_headings_or_places(text, expected):
    assert {p.name for p in run(text).persons} == expected


def test_a_place_inside_a_state_name_is_the_state():
    ex = run("the United Kingdom of Great Britain and Northern Ireland and Ireland")
    assert keys(ex, "place") == [] and keys(ex, "state") == ["GBR", "IRL"]


@pytest.mark.parametrize("text, body", [
    # A/80/150 (agenda of the General Assembly), S/2025/492, A/79/897
    ("Report of the Committee for Programme and Coordination", "committee-for-programme-and-coordination"),
    ("Report of the Committee on Contributions", "committee-on-contributions"),
    ("with the Office of the Special Coordinator for Development in the Sahel", "osc-sahel"),
    ("the work of the bicommunal Committee on Missing Persons continued", "cmp-cyprus"),
    # S/2025/402, A/80/97, A/80/143
    ("regarding the Multinational Security Support Mission to Haiti (see annex)", "mss-haiti"),
    ("initiatives such as the International\nSolar Alliance", "international-solar-alliance"),
    ("Afreximbank’s mandate and operations", "afreximbank"),
    # A/79/954, S/2025/421, A/80/142, S/2025/492
    ("and the International Development Law Organization (IDLO), explored trends", "idlo"),
    ("personnel, including those from Observer Group Golan, for their service", "observer-group-golan"),
    ("the OPEC Fund for International Development and", "opec-fund"),
    # A/80/29, A/80/141, A/80/191, S/2025/495: intergovernmental organisations of the Assembly's observers
    ("Sri Lanka is currently the Chair of the Indian Ocean Rim Association for\nRegional Cooperation", "iora"),
    ("holds observer status at the Green Climate Fund and in the", "gcf"),
    ("entities, such as the United Nations Forum on Forests, the secretariat of the", "unff"),
    ("including with the Mano River Union and", "mru"),
    ("with the Security Council Committee pursuant to\nresolutions 1267 (1999), 1989 (2011) and 2253 (2015) concerning "
     "Islamic State\nin Iraq and the Levant (Da’esh), Al-Qaida and associated individuals groups,", "sanctions-committee-1267"),
    # S/2025/495, A/80/150: organs of a regional organisation, by the name they go by; UN offices and organs
    ("6. The ECOWAS Council of Ministers held an extraordinary session in Accra on", "ecowas-council-of-ministers"),
    ("with the United Nations\nOffice to the African Union, in", "unoau"),
    ("(e) Appointment of members of the International Civil Service Commission", "icsc"),
    # A/80/81, S/2025/202: a subsidiary organ of the Assembly; a UN office in a country
    ("initiatives such as\nthe Technology Bank for the Least Developed Countries and the", "technology-bank-ldc"),
    ("39. The United Nations Joint Human Rights Office in the Democratic Republic of\nthe Congo documented",
     "unjhro"),
])
def test_bodies_by_their_un_names(text, body):
    assert keys(run(text), "body") == [f"https://w3id.org/kg-un/id/body/{body}"]


@pytest.mark.parametrize("text, expected", [
    # S/2025/257, S/2025/411: in a UN document 'the Secretariat' alone is the UN Secretariat
    ("11. The European Union also informed the Secretariat that there were no occasions", ["secretariat", "eu"]),
    ("The Secretariat’s outreach, as mandated by the note mentioned", ["secretariat"]),
    # another organisation's secretariat is named as such
    ("the OSCE Secretariat, the Technical Secretariat and the Secretariat of the Pacific Community", ["osce", "spc"]),
    ("The Secretariat General of the Gulf Cooperation Council", ["gcc"]),
    # S/2025/127: a report that names another secretariat may mean it by the bare word
    ("the Technical Secretariat (the Secretariat) is to report to the Council", []),
    ("The OSCE Secretariat informed the Secretariat", ["osce"]),
])
def test_the_secretariat_alone_is_the_un_secretariat(text, expected):
    assert sorted(keys(run(text), "body")) == sorted(f"https://w3id.org/kg-un/id/body/{b}" for b in expected)


@pytest.mark.parametrize("text, expected", [
    # S/2025/258, S/2025/63: an organ by the short name it goes by in a report that names its organisation
    ("the OPCW Fact-Finding Mission in Syria. The Conference of the States Parties (the Conference), at its "
     "Twenty-Fifth Session; activities carried out by the Technical Secretariat",
     ["opcw-ffm-syria", "opcw-conference-of-states-parties", "opcw-technical-secretariat"]),
    # without the organisation, the short names are no one's
    ("The Conference of the States Parties met; the Technical Secretariat reported", []),
])
def test_an_organ_by_its_name_within_its_organisation(text, expected):
    assert keys(run(text), "body") == sorted(f"https://w3id.org/kg-un/id/body/{b}" for b in expected)


@pytest.mark.parametrize("text, expected", [
    # A/80/36, S/2025/495: a body's name inside a longer name is not that body
    ("46. In Kenya, the National Commission on Human Rights, in a statement on", []),
    ("In June, OHCHR supported the Association of Southeast Asian Nations (ASEAN)\nIntergovernmental Commission on "
     "Human Rights and the", ["ohchr", "asean"]),
    ("Mali subsequently withdrew from the Joint\nMilitary Staff Committee of the Sahel Region, a security", ["cemoc"]),
    # S/2025/495: a post of the Secretary-General's title held for another organisation is that organisation's
    ("the successive appointments of the\nAfrican Union Special Representative for Mali and the Sahel and its Special Envoy",
     ["african-union"]),
    # A/HRC/EMRIP/2025/2, S/2025/342: a State's own body by a UN body's name; but the review of a State is the UN's
    ("86. According to the Commission on Human Rights of the Philippines, Indigenous", []),
    ("the report of the Working Group\non the Universal Periodic Review of Equatorial Guinea, the review",
     ["upr-working-group"]),
])
def test_a_body_inside_a_longer_name(text, expected):
    assert keys(run(text), "body") == sorted(f"https://w3id.org/kg-un/id/body/{b}" for b in expected)


@pytest.mark.parametrize("text, bodies, instruments", [
    # A/HRC/59/L.17, A/80/61: a body's name that is of or to a treaty names the treaty
    ("the Conference of the Parties to the United Nations Framework Convention on Climate Change",
     ["unfccc-cop"], ["unfccc"]),
    # ... not a name that begins with one, nor a treaty's title (S/2025/31, A/80/36)
    ("the North Atlantic Treaty Organization", ["nato"], []),
    ("the Optional Protocol to the Convention against Torture", [], ["opcat"]),
])
def test_a_treaty_in_a_bodys_name(text, bodies, instruments):
    ex = run(text)
    assert keys(ex, "body") == [f"https://w3id.org/kg-un/id/body/{b}" for b in bodies]
    assert keys(ex, "instrument") == [f"https://w3id.org/kg-un/id/instrument/{i}" for i in instruments]


@pytest.mark.parametrize("text, expected", [
    # S/2025/516: 'the Charter' alone is the Charter of the United Nations
    ("professionalism and respect for the Charter, the United Nations should not allow itself", ["un-charter"]),
    ("in violation of Article 2 (4) of the Charter and of international law", ["un-charter"]),
    # another charter named in the document, or the word beginning another's name
    ("the African Charter on Human and Peoples' Rights and the Charter", ["african-charter"]),
    ("commitments, including the Charter on Inclusion of Persons with Disabilities", []),
])
def test_the_charter_alone_is_the_un_charter(text, expected):
    assert sorted(keys(run(text), "instrument")) == sorted(f"https://w3id.org/kg-un/id/instrument/{i}" for i in expected)


@pytest.mark.parametrize("text, expected", [
    # A/79/898: a constitution named by its state's adjective (the Sudanese Penal Code below is one too)
    ("In Italy, the Italian Constitution prohibits the reorganization of the Fascist party", {("Italian Constitution", None)}),
    ("the Interim Constitution and the Penal Code of Ukraine", {("Penal Code of Ukraine", None)}),
    # S/2025/49: acts named by their short titles
    ("• The provisions concerning the protection of civilians found in the Sudanese\nArmed Forces Act, the Police "
     "Act, the Sudanese Penal Code, the General\nIntelligence Service Act and the Child Act",
     {("Sudanese Armed Forces Act", None), ("Police Act", None), ("Sudanese Penal Code", None),
      ("General Intelligence Service Act", None), ("Child Act", None)}),
    # A/80/96, A/80/82: numbered and dated laws
    ("In this regard, the Council of Representatives passed the Yazidi Female\nSurvivors Law No. 8 of 2021, which "
     "is aimed at supporting women who suffered\nviolations.", {("Yazidi Female Survivors Law No. 8 of 2021", None)}),
    ("12. A notable example is the National Elections Act, 2012 (Amendment) Act, 2023\nof South Sudan.",
     {("National Elections Act, 2012", None)}),
    # State reports cite articles as 'art.' in parentheses
    ("In accordance with the Code of Criminal Procedure of Uzbekistan (art. 22), evidence obtained under torture "
     "is inadmissible.", {("Code of Criminal Procedure of Uzbekistan", "22")}),
    # not acts: a plan of action, a political document of an organization
    ("the Joint Comprehensive Plan of Action and the Final Act of the Conference on Security and Co-operation", set()),
    # S/2025/496, S/2025/415, A/80/84, A/80/29: a law by its subject; a year before the title; a State's 'our'
    ("42. IOM continued its support for the implementation of the Yazidi Survivors Law\nin Iraq", {("Yazidi Survivors Law", None)}),
    ("that were evacuated previously as part of the 2005\nDisengagement Law. The Minister", {("Disengagement Law", None)}),
    ("23. The 2002 Equal Opportunities for Women and Men Act provides the basis for", {("Equal Opportunities for Women and Men Act", None)}),
    ("We amended our Fisheries Act\nin 2023 to prohibit illegal, unreported and unregulated fishing", {("Fisheries Act", None)}),
    # ... not a body of law nor a body named after one (A/80/159, A/79/801, S/2025/395, A/80/36)
    ("the Asian Society of International Law; in the Shadow of International Law; the European Union Rule of Law "
     "Mission; the Geneva Academy of International Humanitarian Law", set()),
])
def test_domestic_acts_by_title(text, expected):
    assert {(p.title, p.article) for p in run(text).provisions if p.domestic} == expected


def test_an_international_code_is_an_instrument_not_domestic_law():
    # A/80/61: a WHA code of conduct, whose title also reads like a domestic code's
    ex = run("Countries should fully implement the International Code of Marketing of Breast-milk Substitutes "
             "and subsequent resolutions.")
    assert keys(ex, "instrument") == ["https://w3id.org/kg-un/id/instrument/breastmilk-substitutes-code"]
    assert [p for p in ex.provisions if p.domestic] == []


def test_domestic_law_anaphora_and_sub_articles():
    text = ("Article 153 of the Criminal Procedure Code mandates it, as well as the Law of the Republic of Azerbaijan "
            "“On Ensuring the Rights and Freedoms of Persons Held in Custody” (Article 153.1.4.) and (Article 153.2).\n\n"
            'Adopted on December 30, 2021 the "Law on Media" of the Republic of Azerbaijan forms the basis. '
            "According to the Article 5 of the abovementioned Law, media is free. According to the Article 6, journalists are independent.")
    got = {(p.title, p.article) for p in run(text).provisions if p.domestic}
    assert ("Criminal Procedure Code", "153.1.4") in got and ("Criminal Procedure Code", "153.2") in got
    assert ("Law on Media of the Republic of Azerbaijan", "5") in got
    assert ("Law on Media of the Republic of Azerbaijan", "6") in got


# ---------------------------------------------------------------- exact fast paths of the extractors
# KILLED is searched only in windows before the kill verbs, several patterns only where one of their
# literal prefixes starts (kg.extract.prefilter), sentence ends only after . ! ? ; and at line breaks:
# each must find exactly what the plain whole-text search finds.

def _found(matches):
    return [(m.span(), m.groupdict() or m.groups()) for m in matches]


_PADDING = "Zz zz zz zz zz zz zz zz zz zz zz zz; zz zz zz zz zz zz zz zz zz zz zz "
KILLED_TEXTS = [
    # a figure at the very start of the text, a number word at the start, one inside a word
    "3 killed", "Twelve civilians were killed.", "one killed", "Someone killed them and often died",
    # numbers far from their verb: unbounded whitespace, digit runs, -ly words, line breaks
    "5" + " " * 1000 + "killed",
    "1" * 400 + " people died",
    "12,345,678 civilians\n\n\n\n were killed",
    "At least 5 people " + "x" * 300 + "ly killed on 3 May 2024.",
    # the longest shapes the pattern allows: 5 runs before (A HUNDRED + 3 words), a full
    # parenthesis, a full 'including' clause, 'had been' and an -ly word, after unrelated text
    *(_PADDING + t for t in (
        "A hundred men, women, kids have been brutally killed.",
        "A hundred men, women, kids (" + "x" * 80 + ")  have been brutally killed.",
        "A hundred men, women, kids, including " + "y" * 90 + ", have been brutally killed.",
        "A hundred men, women, kids (" + "x" * 80 + ") , including " + "(y" * 45 + ", have been brutally killed.",
        "A hundred men, women, kids (" + "x" * 80 + "),including " + "y" * 90 + ",had been brutally killed.",
    )),
    # verbs inside a match, next to each other, inside words; windows that overlap and merge
    "5 people (killed) were killed; 6 were shot dead, 7 dead, 8 died and 9 lost their lives.",
    "Seventeen people (including 3 children) were brutally killed; A HUNDRED were shot dead, twenty died, "
    "often dead, 40 slaughtered, 1,234 massacred, 2 executed, 3 murdered.",
    "5 persons, including " + "(x killed) " * 8 + ", had been executed. 2023 killed. 6/7 killed. -8 killed",
    "including studied 4 Studied died 5 killedx 6 killed_ 7 deadly killed",
    "ſeven K İ 9 dead",
]


def test_windowed_killed_search_finds_what_the_whole_text_search_finds():
    from kg.extract import incidents
    total = wide = 0
    for text in KILLED_TEXTS:
        whole = _found(incidents.KILLED.finditer(text))
        assert _found(incidents.killed_matches(text)) == whole, text
        total += len(whole)
        wide += sum(1 for (a, b), _ in whole if b - a > 260)
    assert total >= 30 and wide >= 3   # the texts do exercise matches, some longer than a fixed window would hold


def test_windowed_killed_search_on_random_texts():
    import random
    from kg.extract import incidents
    tokens = ["5", "1,234", "2023", "one", "Ten", "a hundred", "A Hundred", "often", "people", "civilians,",
              "men-women", "(", ")", "(3 children)", "(" + "y" * 79 + ")", "including", "z" * 85, "q " * 45,
              " ", "  ", " " * 40, "\n", "\n\n", "\t", ",", ".", ";", ":", "/", "-", "’", "\u00a0",
              "killed", "shot dead", "dead", "died", "lost their lives", "murdered", "slaughtered", "executed",
              "were", "was", "have been", "had been", "brutally", "deadly", "ſ", "K", "7" * 30, "studied"]
    rng = random.Random(7)
    matched = 0
    for _ in range(3000):
        text = "".join(rng.choice(tokens) + (" " if rng.random() < 0.6 else "") for _ in range(rng.randint(1, 60)))
        whole = _found(incidents.KILLED.finditer(text))
        assert _found(incidents.killed_matches(text)) == whole, repr(text)
        matched += len(whole)
    assert matched > 1000


def test_literal_prefixes_are_read_off_the_pattern():
    import re
    from kg.extract.prefilter import literal_prefixes
    assert literal_prefixes(re.compile(r"\b(?:ab|c[de])x\d")) == {"abx", "cdx", "cex"}
    assert literal_prefixes(re.compile(r"(?<![\d])(?:the\s+)?(?:city|town)\s+of")) == {"the", "city", "town"}
    assert literal_prefixes(re.compile(r"(?:Internal\s+)?(?:Disciplinary\s+)?Rules")) == {"Internal", "Disciplinary", "Rules"}
    assert literal_prefixes(re.compile(r"Chargée? d")) == {"Chargée", "Chargé d"}
    for opens_with_anything in (r"[A-Z]\w+", r"(?i)article", r"(?i:x)y", r"a?", r"(?:ab)*c?", r"\d+ killed"):
        assert literal_prefixes(re.compile(opens_with_anything)) is None, opens_with_anything


@pytest.mark.parametrize("module, name", [
    ("citations", "JOINT"), ("citations", "RESOLUTIONS"), ("citations", "COMMUNICATION"),
    ("citations", "TREATY_COMMUNICATION"), ("citations", "IHL_RULE"), ("actors", "POST_OF_NAME"),
    ("actors", "POST_NAME"), ("law", "DOMESTIC"), ("law", "NAMED_ACT"), ("law", "ARTICLE_REF"), ("text", "FOOTNOTE_MARK"),
    ("incidents", "KILLING"), ("places", "KIND_OF"), ("places", "IN_LOCATION"), ("places", "KINDS_OF_LIST"),
    ("places", "UNIT_AT"), ("places", "UNIT_OF"), ("incidents", "FATALITIES"), ("incidents", "KILLED_ONE"),
])
def test_prefiltered_search_finds_what_the_whole_text_search_finds(module, name):
    import importlib
    from kg.extract import prefilter
    rx = getattr(importlib.import_module(f"kg.extract.{module}"), name)
    assert prefilter.literal_prefixes(rx)
    texts = [corpus_text(p.name) for p in sorted(CORPUS.glob("*.txt"))]
    texts += ["Criminal Code Criminal Procedure Code of the Republic of Azerbaijan, the Federal Law “On Media” "
              "Presidential Decree “On X and Y” Code of Conduct Code on Execution of Punishments Rules of Pre-trial "
              "Detention Facilities. Article 5, articles 6 and 7, Part II of Article 1, part 3. A/HRC/59/60-S/2025/1 "
              "SA/1 Security Council resolutions 242 (1967) and 338 (1973), decision 5/1, JUA AZE 3/2024 "
              "communication No. 123/2020 Rule 12 customary ICRC. Permanent Representative Yashar Aliyev; "
              "President of the Republic, Ilham Aliyev; journalist Thomas de Waal, Mr. John Smith ⁵ x¹²"
              "killing 5 civilians; the city of Ganja, the villages of Zabukh and Sus, offices in Baku, "
              "the Police Act, The Human Rights Act 1998, the Final Act of the Conference, the X Law No. 8 of 2021 " * 3]
    for text in texts:
        assert _found(prefilter.finditer(rx, text)) == _found(rx.finditer(text))


def test_sentence_ends_are_those_the_pattern_finds():
    import random
    from kg.extract import text as T
    tokens = [".", "!", "?", ";", "\n", "\n\n", " \n \n ", " ", "\t", '"', "”", "’", ")", "(", "“", "A", "a", "Word", "x."]
    rng = random.Random(3)
    samples = [corpus_text(p.name) for p in sorted(CORPUS.glob("*.txt"))]
    samples += ["".join(rng.choice(tokens) for _ in range(rng.randint(0, 30))) for _ in range(5000)]
    for text in samples:
        for _ in range(5):
            a = rng.randrange(len(text) + 1)
            b = rng.choice([rng.randrange(a, len(text) + 1), len(text) + 5])
            assert [m.span() for m in T._sentence_ends(text, a, b)] == [m.span() for m in T._SENT_END.finditer(text, a, b)]


def test_name_word_pattern_reads_like_its_two_branch_form():
    import re
    from kg.extract import actors
    # _NAME_WORD checks the capital once; written as two branches it was:
    two_branch = rf"(?:[{actors._UPPER}]{actors._LOWER_RUN}(?:-[{actors._UPPER}]?{actors._LOWER_RUN})?|[A-Z]\.)"
    texts = ["(Signed) J. R. Smith-Jones, Permanent Representative", "Ayaz Mutalibov, the President of Azerbaijan",
             "individuals Harutyunyan Arayik Vladimiri, Sahakyan Bako Sahaki, and A. B. Cde, O’Neil d’Arc Ab",
             "President Recep Tayyip Erdoğan of Türkiye; Đorđević Ñúñez, Minister for Foreign Affairs", "X. Y. Z."]
    for name in ("NAME_COMMA_POST", "NAME_LIST", "POST_NAME", "POST_OF_NAME", "SIGNED"):
        rx = getattr(actors, name)
        old = re.compile(rx.pattern.replace(actors._NAME_WORD, two_branch))
        assert old.pattern != rx.pattern
        for text in texts:
            assert _found(rx.finditer(text)) == _found(old.finditer(text)), (name, text)


def test_fast_forms_of_the_blanking_patterns_replace_the_same_text():
    import random
    import re
    from kg.extract import pipeline
    lone_break = re.compile(r"(?<!\n)\n(?!\n)")
    blank = lambda m: " " * len(m.group())   # noqa: E731
    tokens = ["\n", "\n\n", "x", "xx", " ", "\t", "\u00a0", "y" * 99, "z" * 100, "w" * 150, "\r", "ab\ncd"]
    rng = random.Random(5)
    samples = [corpus_text(p.name) for p in sorted(CORPUS.glob("*.txt"))]
    samples += ["".join(rng.choice(tokens) for _ in range(rng.randint(0, 12))) for _ in range(5000)]
    for text in samples:
        assert pipeline._LONE_BREAK.sub(" ", text) == lone_break.sub(" ", text)
        assert pipeline._LONG_RUN_FAST.sub(blank, text) == pipeline.LONG_RUN.sub(blank, text)


def test_names_listed_with_known_places_are_places():
    # S/2025/223: Gharyan, Murzuq and Sabha are in the gazetteer; the other two names of the list are places too
    text = ("risk education sessions were delivered to 3,965 beneficiaries in Awbari, Gharyan, Murzuq, Sabha and "
            "Tawurghah. On 1 December 2024, UNSMIL and local NGOs held")
    got = {m.label for m in run(text).mentions if m.kind == "place"}
    assert {"Awbari", "Tawurghah", "Gharyan", "Murzuq", "Sabha"} <= got
    # ... but not where the known places are fewer than the names: a list of persons with one town
    text = "the delegation of Omar Hassan, Salim Mansour and Tripoli met"
    assert {m.label for m in run(text).mentions if m.kind == "place"} <= {"Tripoli"}


def test_a_place_near_another_is_the_nearer_and_one_location():
    # S/2025/223: the area near a town is where the clashes were
    text = ("United Nations S/2025/223\n\nSecurity Council Distr.: General\n11 April 2025\n\n"
            "26. On 4 February, the Libyan National Army deployed its military police forces to\nthe southern region to "
            "take over military assets belonging to the 128th Reinforced\nBrigade. That deployment led to heavy clashes "
            "in the Bakhi area, near Qatrun, on\n12 and 13 February, as a local force associated with the 128th "
            "Reinforced Brigade\nreportedly refused to comply with orders to hand over their military assets. A "
            "ceasefire\nwas brokered by Tebu elders. Unconfirmed reports indicate more than 20 killed and\n35 wounded "
            "among the belligerents, and that civilians had been injured.")
    # ('on 12 and 13 February': both days, the year the report's)
    assert [(i.place, i.date, i.killed, i.injured) for i in run(text).incidents] == [
        ("Bakhi", "2025-02-12/2025-02-13", 20, 35)]
    # S/2025/342: a post in a town of one State near a town of another: one incident, not a list of places
    text = ("United Nations S/2025/342\n\nSecurity Council Distr.: General\n30 May 2025\n\n"
            "24. On the night between 24 and 25 March, Islamic State West Africa Province\n(ISWAP) launched an attack "
            "on a post of the Multinational Joint Task Force in Wulgo,\nNigeria, near Soueram in the Far North Region "
            "of Cameroon. At least 19 Cameroonian\nsoldiers were killed.")
    assert [(i.place, i.killed) for i in run(text).incidents] == [("Wulgo", 19)]


def test_an_incident_among_the_dates_and_places_of_agreements():
    # S/2025/521: the agreements' dates and the city an agreement is named after are not the incident's;
    # a territory and the province it lies in are one location
    text = ("United Nations S/2025/521\n\nSecurity Council Distr.: General\n20 August 2025\n\n"
            "– In July 2025, more than 300 Congolese civilians were killed in several localities\nin Rutshuru "
            "territory, North Kivu Province, following attacks carried out by the\nMouvement du 23 mars (M23), in "
            "flagrant violation of the ceasefire reaffirmed\nin the Doha Declaration of Principles of 19 July 2025 "
            "and the Washington peace\nagreement of 27 June 2025.")
    assert [(i.place, i.date, i.killed) for i in run(text).incidents] == [("Rutshuru", "2025-07", 300)]


# S/2025/509
KHUMS = ("United Nations S/2025/509\n\nSecurity Council Distr.: General\n8 August 2025\n\n"
         "In response, clashes broke out in\nKhums on 7 and 9 May when the Joint Operations Force seized the local "
         "headquarters\nof the Stability Support Apparatus, resulting in two fatalities and five injuries.")


@pytest.mark.parametrize("text, expected", [
    # A/79/998: the dead as martyrs; a province a gazetteer region with its unit's word is one location with
    # its town
    ("United Nations A/79/998-S/2025/531\n\nDistr.: General\n22 August 2025\n\n"
     "armed terrorist group Jaysh al-Adl in the Islamic Republic of Iran. In the early afternoon\ntoday, 22 August, "
     "in the Damen district of Iranshahr, Sistan and Baluchestan Province,\narmed terrorists of Jaysh al-Adl "
     "ambushed two vehicles carrying Iranian law\nenforcement officers. This cowardly assault resulted in the "
     "martyrdom of five police\nofficers.", [("Iranshahr", "2025-08-22", 5, None)]),
    # S/2025/223: the dead of a figure that reads on; one victim before a passive verb; a range of days
    ("United Nations S/2025/223\n\nSecurity Council Distr.: General\n11 April 2025\n\n"
     "A raid by the Western Coast Military\nRegion Command-affiliated 103rd Battalion on an armed group in Ujaylat, "
     "west of\nZawiyah, on 11 January reportedly resulted in the death of one woman and three\nchildren.",
     [("Ujaylat", "2025-01-11", 4, 3)]),
    ("United Nations S/2025/223\n\nSecurity Council Distr.: General\n11 April 2025\n\n"
     "On 13 March, a non-Libyan man was shot and killed in Sabratah by two\nLibyan youths, who were arrested by "
     "local authorities.", [("Sabratah", "2025-03-13", 1, None)]),
    # S/2025/460: one victim described in up to four words; one wounded alone
    ("United Nations S/2025/460\n\nSecurity Council Distr.: General\n11 July 2025\n\n"
     "14. On\n9 March, UNIFIL observed the Israel Defense Forces firing at individuals, including\nchildren, near "
     "the Israel Defense Forces position near Kafr Kila, killing an off-duty\nLebanese Armed Forces soldier and "
     "injuring three others, including a woman and a\nsecond off-duty Lebanese Armed Forces soldier.",
     [("Kafr Kila", "2025-03-09", 1, None)]),
    ("United Nations S/2025/460\n\nSecurity Council Distr.: General\n11 July 2025\n\n"
     "39. On 19 March, a UNIFIL peacekeeper was severely injured in a landmine\nexplosion during a foot patrol near "
     "Zibqin (Sector West). On 14 April, a Lebanese\nArmed Forces soldier was killed and four others injured when an "
     "explosive device\ndetonated in a tunnel south-west of Zibqin during a joint UNIFIL-Lebanese Armed\nForces "
     "inspection.", [("Zibqin", "2025-03-19", None, None), ("Zibqin", "2025-04-14", 1, None)]),
    # S/2025/509: clashes where they broke out; the dead and the wounded as nouns; the place named as where
    # the clashes erupted, not the groups' home towns nor a group's base
    (KHUMS,
     [("Khums", "2025-05-07/2025-05-09", 2, None)]),
    ("United Nations S/2025/509\n\nSecurity Council Distr.: General\n8 August 2025\n\n"
     "76. On 5 June, clashes erupted in Sabrata between rival armed groups from Sabrata\nand Zawiyah that led to "
     "the reported death of three fighters affiliated with the\nZawiyah-based armed groups and the injury of at "
     "least three refugees and migrants.", [("Sabrata", "2025-06-05", 3, None)]),
    # S/2025/495: the deed as a noun, its day in its sentence
    ("United Nations S/2025/495\n\nSecurity Council Distr.: General\n31 July 2025\n\n"
     "Rights Watch called upon the Government of Burkina Faso to impartially investigate\nthe alleged killing of "
     "more than 130 civilians during an operation by Volontaires pour\nla défense de la patrie and security forces "
     "on 10 March in Salanso, Boucle du\nMouhoun Region.", [("Salanso", "2025-03-10", 130, None)]),
    # ... but not a past crime a text recalls (A/79/753)
    ("United Nations A/79/753\n\nGeneral Assembly Distr.: General\n12 February 2025\n\n"
     "In April 2020, a memorial plaque was detected honoring Mitropolyth Mstislav\n(Stepan Skrypnik) of Ukrainian "
     "Autocephalous Orthodox Church – a Nazi\ncollaborator, publisher of harshly anti-Semitic newspaper “Volyn” in "
     "Rovno,\naccomplice in the murder of at least 25 thousand Jews.", []),
])
def test_incidents_of_reports_of_the_secretary_general_and_letters(text, expected):
    assert [(i.place, i.date, i.killed, i.children_killed) for i in run(text).incidents] == expected


def test_the_wounded_as_a_noun():
    # S/2025/509
    assert [(i.killed, i.injured) for i in run(KHUMS).incidents] == [(2, 5)]


def test_the_masthead_imprint_is_not_a_body():
    # S/2025/474: 'United Nations' above the symbol is the publisher; the Organization named in the text is a body
    text = ("United Nations S/2025/474\n\nSecurity Council Distr.: General\n16 July 2025\n\nOriginal: English\n\n"
            "Letter dated 16 July 2025 from the President of the Security Council\naddressed to the Secretary-General")
    assert "https://w3id.org/kg-un/id/body/united-nations" not in keys(run(text), "body")
    text += "\n\nThe United Nations will continue to support the parties."
    assert "https://w3id.org/kg-un/id/body/united-nations" in keys(run(text), "body")
