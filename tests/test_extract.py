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


def test_note_verbale_formula_and_place_date_line():
    md = run(corpus_text("000_69eed672c96147f9.txt")).metadata
    assert md.kind == "note_verbale" and md.dated == "2024-09-27" and md.author_states == ("AZE",)


@pytest.mark.parametrize("text, expected", [
    ("civilians were killed by Armenian armed forces, among them Hungarian nationals", ["ARM", "HUN"]),
    ("Original: French. English and French only.", []),                 # languages, not states
    ("the Russian Federation and the United Kingdom of Great Britain and Northern Ireland", ["GBR", "RUS"]),
    ("a chad of paper; the Republic of Chad", ["TCD"]),                 # state names match as printed
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


def test_domestic_law_anaphora_and_sub_articles():
    text = ("Article 153 of the Criminal Procedure Code mandates it, as well as the Law of the Republic of Azerbaijan "
            "“On Ensuring the Rights and Freedoms of Persons Held in Custody” (Article 153.1.4.) and (Article 153.2).\n\n"
            'Adopted on December 30, 2021 the "Law on Media" of the Republic of Azerbaijan forms the basis. '
            "According to the Article 5 of the abovementioned Law, media is free. According to the Article 6, journalists are independent.")
    got = {(p.title, p.article) for p in run(text).provisions if p.domestic}
    assert ("Criminal Procedure Code", "153.1.4") in got and ("Criminal Procedure Code", "153.2") in got
    assert ("Law on Media of the Republic of Azerbaijan", "5") in got
    assert ("Law on Media of the Republic of Azerbaijan", "6") in got
