"""Citations on real sentences: symbols of every series, joint symbols, footnotes, Ibid., resolutions."""
from __future__ import annotations

import pytest

from kg.extract.citations import extract_citations, split_joint
from kg.extract.text import footnotes


def cites(text: str):
    return extract_citations(text, footnotes(text))


def keys(text: str, target: str | None = None):
    return [c.key for c in cites(text) if target is None or c.target == target]


@pytest.mark.parametrize("text, expected", [
    # joint symbols split into parts, first part canonical, trailing punctuation dropped
    ("(A/79/710-S/2024/940).", ["A/79/710"]),
    ("see A/79/684-S/2024/892 for the full text", ["A/79/684"]),
    ("S/PV.9228, pp. 12–15.", ["S/PV.9228"]),
    ("in document A/HRC/WGAD/2020/5 and E/CN.4/2005/7/Add.1", ["A/HRC/WGAD/2020/5", "E/CN.4/2005/7/Add.1"]),
    ("reissued as A/79/843* on", ["A/79/843*"]),
    ("the concluding observations (CAT/C/AZE/CO/5)", ["CAT/C/AZE/CO/5"]),
    ("resolution ES-10/24 of the General Assembly (A/ES-10/L.31/Rev.1)", ["A/ES-10/L.31/Rev.1", "general-assembly/ES-10/24"]),
    ("ST/SGB/2003/13; GEGN.2/2021/CRP.12.", ["ST/SGB/2003/13", "GEGN.2/2021/CRP.12"]),
    # A/79/772: a volume or a part of a report is part of its symbol
    ("the Board of Auditors (A/78/5 (Vol. II), chap. II) and A/79/309 (Part I)/Add.1 of", ["A/78/5 (Vol. II)",
                                                                                      "A/79/309 (Part I)/Add.1"]),
    # S/2025/411: press releases, by their own series
    ("(see press release SC/15942) by the Under-Secretary-General; SG/SM/22345 and GA/SHC/4400",
     ["SC/15942", "SG/SM/22345", "GA/SHC/4400"]),
    ("the SC/RES series and GA/L are not symbols", []),
    # A/80/192: the Conference on Disarmament's documents
    ("the Agreement (see CD/1117) and CD/PV.1700, as in CD/CR.1", ["CD/1117", "CD/PV.1700"]),
])
def test_symbols(text, expected):
    assert sorted(keys(text)) == sorted(expected)


@pytest.mark.parametrize("text, key, printed", [
    # A/79/796, A/79/729: a resolution cited by its own symbol is the resolution, its symbol kept
    ("See United Nations Security Council, Resolution 822, document S/RES/822 (30 April 1993);",
     "security-council/822", "S/RES/822"),
    ("resolution A/RES/78/234 (2023), entitled", "general-assembly/78/234", "A/RES/78/234"),
    ("and Social Council, 23 July 2024. E/RES/2024/17. http://undocs.org/E/RES/2024/17",
     "economic-and-social-council/2024/17", "E/RES/2024/17"),
])
def test_a_resolution_cited_by_its_symbol(text, key, printed):
    assert (key, (printed,)) in {(c.key, c.parts) for c in cites(text) if c.target == "resolution"}
    assert not [c for c in cites(text) if c.target == "document"]


def test_joint_symbol_parts():
    assert split_joint("A/77/686-S/2023/22") == ["A/77/686", "S/2023/22"]
    c = cites("letter (A/77/686-\nS/2023/22)")[0]
    assert c.parts == ("A/77/686", "S/2023/22")


@pytest.mark.parametrize("text, expected", [
    ("the UN Security Council adopted 4\n(822, 853, 874, 884) resolutions condemning",
     ["security-council/822", "security-council/853", "security-council/874", "security-council/884"]),
    ("Security Council resolutions 822 (1993), 853 (1993), 874 (1993) and 884 (1993)",
     ["security-council/822", "security-council/853", "security-council/874", "security-council/884"]),
    ("approved by the Human Rights Council Resolution 5/2 (2007) explicitly", ["human-rights-council/5/2"]),
    ("the General Assembly made in its resolution 77/247 of 30 December 2022", ["general-assembly/77/247"]),
    ("in line with resolution 2334 (2016)", ["security-council/2334"]),
    ("Commission on Human Rights resolution 2005/35", ["commission-on-human-rights/2005/35"]),
    # no organ and no telling number style: fail closed
    ("as stated in resolution 12/3", []),
    # A/79/870, A/80/97: the General Assembly's and ECOSOC's numbering by Roman session, organ before or after
    ("United Nations General Assembly resolution 1514 (XV), entitled", ["general-assembly/1514 (XV)"]),
    ("in accordance with resolution 1514 (XV) of the General Assembly", ["general-assembly/1514 (XV)"]),
    ("General Assembly resolutions 181 (II), 194 (III) and 2625 (XXV), and 217 A (III)",
     ["general-assembly/181 (II)", "general-assembly/194 (III)", "general-assembly/2625 (XXV)",
      "general-assembly/217 A (III)"]),
    ("Economic and Social Council resolution 1503 (XLVIII)", ["economic-and-social-council/1503 (XLVIII)"]),
    # a Roman session without an organ, or for an organ that never numbered so: fail closed
    ("resolution 1514 (XV) and the resolutions", []),
    ("Security Council resolution 242 (XV)", []),
    # A/80/191: another organ's decision after the Assembly is named; a session past the Roman numbering
    ("observer status in the General Assembly is being submitted in accordance with decision 5(LX), adopted by "
     "the International Tropical Timber Council", []),
    ("General Assembly resolution 12 (LX)", []),
    # A/79/826: 'UNSCR' for the Security Council's
    ("in accordance with United Nations Security Council Resolution (UNSCR)\n1325 and general norms",
     ["security-council/1325"]),
    ("Recalling the UNSCR 1325, which calls", ["security-council/1325"]),
    # A/HRC/59/L.17, A/80/75: 'Assembly' and 'Council' alone, the Council told by the numbering
    ("and Assembly resolution 76/300 of 28 July 2022", ["general-assembly/76/300"]),
    ("Council resolution 56/8 of 10 July 2024, on", ["human-rights-council/56/8"]),
    ("resolution 79/140 and Council resolution 2024/8. The period",
     ["general-assembly/79/140", "economic-and-social-council/2024/8"]),
    # A/79/772, A/80/61: no organ named, and a number only the Assembly gives; ECOSOC's decisions and symbols
    ("conflict mitigation recommendations (resolution 79/251, para. 2),", ["general-assembly/79/251"]),
    ("resolution 53/16 says", []),
    # A/HRC/EMRIP/2025/1: the organ named after 'its resolution N,'
    ("In paragraph 5 of its resolution 18/8, the Human Rights Council welcomed", ["human-rights-council/18/8"]),
    # A/80/42: a part of an Assembly resolution
    ("adopted by the General Assembly (resolution 44/119 C, annex)", ["general-assembly/44/119 C"]),
    # A/80/142, an EU act: another organisation's numbering is not read as a UN one
    ("Council resolution No. 3/39-E, adopted by the Council of Foreign Ministers", []),
    ("Council resolution 2014/512/CFSP", []),
    # A/79/716: the organ just before 'in resolution'
    ("Following its establishment by the General Assembly in resolution 302 (IV) of 8 December 1949, UNRWA",
     ["general-assembly/302 (IV)"]),
])
def test_resolutions(text, expected):
    assert sorted(keys(text, "resolution")) == sorted(expected)


def test_communications():
    text = "in response to the Joint Communication Ref.: AL AZE 3/2024 of 29 July 2024 and UA IRN 12/2023"
    assert keys(text, "communication") == ["AL AZE 3/2024", "UA IRN 12/2023"]


FOOTNOTED = (
    "I flatly reject the letter from the Permanent Representative of Armenia dated 5 January 2023,¹ which is "
    "nothing but slander. Armenia admitted it.² Customary law applies.³ So it does.⁴ And again.⁵\n\n"
    "¹ A/77/686-S/2023/22.\n\n"
    "² “Yerevan transfers only a fraction of minefield maps”, 13 June 2021.\n\n"
    "³ See ICRC, Customary International Humanitarian Law, Rule 82; see also A/75/357-S/2020/948.\n\n"
    "⁴ Ibid., Rule 83.\n\n"
    "⁵ Ibid.\n"
)


def test_footnote_citation_takes_the_marker_sentence_characterisation():
    c = [c for c in cites(FOOTNOTED) if c.key == "A/77/686"][0]
    assert c.footnote == 1
    assert c.characterization == "disputes"


def test_ibid_inherits_previous_footnote_and_pinpoint_rule():
    found = cites(FOOTNOTED)
    by_note = {}
    for c in found:
        by_note.setdefault(c.footnote, set()).add(c.key)
    assert by_note[3] == {"A/75/357", "icrc-customary-ihl/rule-82"}
    assert by_note[4] == {"icrc-customary-ihl/rule-83"}
    # 'Ibid.' after footnote 4 cites what footnote 4 cited
    assert by_note[5] == {"icrc-customary-ihl/rule-83"}


def test_ibid_fails_closed_without_antecedent():
    text = "A claim.¹ Another.²\n\n¹ “A news article”, 13 June 2021.\n\n² Ibid.\n"
    assert [c for c in cites(text) if c.footnote == 2] == []


def test_reply_characterisation():
    text = "In response to the letter dated 18 December 2024 (A/79/710-S/2024/940), I wish to state."
    assert cites(text)[0].characterization == "repliesTo"


@pytest.mark.parametrize("text, target, key", [
    ("the Human Rights Committee's views on communication No. 2025/2011", "communication", "communication No. 2025/2011"),
    ("The Corfu Channel case (Merits), Judgment of 9 April 1949, I.C.J. Reports 1949, p. 22.", "case", "I.C.J. Reports 1949, p. 22"),
    ("see Chiragov and Others v. Armenia, no. 13216/05, judgment of 16 June 2015", "case", "Chiragov and Others v. Armenia, no. 13216/05"),
    ("13 June 2021, <https://tass.com/world/1302267>.", "url", "https://tass.com/world/1302267"),
    ("www.hrw.org/news/2020/12/11/armenia-unlawful-rocket-missile-strikes-azerbaijan.", "url",
     "www.hrw.org/news/2020/12/11/armenia-unlawful-rocket-missile-strikes-azerbaijan"),
    ("the statement by the President of the Security Council (S/PRST/2022/5)", "document", "S/PRST/2022/5"),
    # A/HRC/EMRIP/2025/2: a document of ECLAC's series
    ("Proyectos (LC/TS.2021/188) (Santiago, Economic Commission for Latin America and the Caribbean", "document",
     "LC/TS.2021/188"),
])
def test_typed_citations(text, target, key):
    assert (target, key) in {(c.target, c.key) for c in cites(text)}


@pytest.mark.parametrize("text, expected", [
    # A/80/150, the General Assembly's agenda: the organ named before a bare number is the subject of
    # the item, not the author of the resolution; the numbering tells (the Assembly's, by session)
    ("67. Report of the Human Rights Council (resolutions 60/251 and 65/281).",
     ["General Assembly resolution 60/251", "General Assembly resolution 65/281"]),
    ("(b) Election of members of the Economic and Social Council (rule 145;\ndecision 79/421);",
     ["General Assembly decision 79/421"]),
    # A/80/61: 'Council decision' by year is ECOSOC's
    ("the report of UN-Nutrition, pursuant to Council decision 2018/207.", ["Economic and Social Council decision 2018/207"]),
    # a resolution of the organ named, by its own numbering, stays its
    ("The Human Rights Council, in its resolution 53/3, requested a report.", ["Human Rights Council resolution 53/3"]),
])
def test_a_guessed_organ_gives_way_to_the_numbering(text, expected):
    assert [c.label for c in extract_citations(text, []) if c.target in ("resolution", "decision")] == expected


@pytest.mark.parametrize("symbols, text, expected", [
    # A/80/150: the Assembly's agenda cites its own resolutions with no organ named, old and new numbering
    (("A/80/150",), "by the United States of America against Cuba (resolution 79/7).",
     ["General Assembly resolution 79/7"]),
    (("A/80/150",), "questions (resolutions 428 (V) and 79/156).",
     ["General Assembly resolution 428 (V)", "General Assembly resolution 79/156"]),
    (("A/80/150",), "political declarations on HIV/AIDS (resolutions S-26/2, 60/262, 65/277 and",
     ["General Assembly resolution S-26/2", "General Assembly resolution 60/262", "General Assembly resolution 65/277"]),
    # the parts of a lettered resolution, each a resolution
    (("A/80/150",), "53. Questions relating to information (resolutions 79/93 A and B).",
     ["General Assembly resolution 79/93 A", "General Assembly resolution 79/93 B"]),
    (("A/80/150",), "79/245, 79/256, 79/257, 79/258, 79/259 A–C, 79/260 and 79/261 and decision",
     []),
    (("A/80/150",), "(resolutions 79/259 A–C, 79/260 and 79/261 and decision 79/551).",
     ["General Assembly resolution 79/259 A", "General Assembly resolution 79/259 B", "General Assembly resolution 79/259 C",
      "General Assembly resolution 79/260", "General Assembly resolution 79/261", "General Assembly decision 79/551"]),
    # a treaty body's document has no house among the organs: a bare number the Assembly's own numbering
    # does not tell stays unread (fail closed)
    (("CAT/C/AZE/CO/5",), "by the United States of America against Cuba (resolution 79/7).", []),
    # an organ named just before wins over the house
    (("A/80/150",), "the Human Rights Council, in its resolution 53/3,", ["Human Rights Council resolution 53/3"]),
])
def test_a_bare_resolution_is_the_house_organs(symbols, text, expected):
    from kg.extract.citations import house_organs
    got = extract_citations(text, [], house_organs(symbols))
    assert [c.label for c in got if c.target in ("resolution", "decision")] == expected
