"""One event, two documents, two sets of figures: both stand, side by side (issue: claims, not facts).

Two real documents of 2025 report the aid workers killed in Gaza since October 2023: the
Secretary-General's report A/80/86 (407, including 284 United Nations staff) and a letter of the
State of Palestine, A/ES-10/1029 (409). The graph keeps each figure as its document's claim.
"""
from __future__ import annotations

import pytest

from conftest import FIXTURES
from kg.build import build
from kg.query import run


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("same-event")
    report = build([FIXTURES / "same_event"], out=out, progress=False)
    assert report.ok and report.documents == 2
    return out


def test_same_event_query_lists_both_figures_side_by_side(two_reports):
    rows = run("same-event", out=two_reports)
    pairs = {(r["documentALabel"], r["killedA"], r["documentBLabel"], r["killedB"]) for r in rows}
    figures = {frozenset([(a, int(ka)), (b, int(kb))]) for a, ka, b, kb in pairs if ka and kb}
    assert frozenset([("A/80/86", 407), ("A/ES-10/1029", 409)]) in figures
    row = next(r for r in rows if {r["killedA"], r["killedB"]} == {"407", "409"})
    quotes = {row["quoteA"], row["quoteB"]}
    assert any(q.startswith("407 aid workers") for q in quotes)
    assert any(q.startswith("409 aid workers") for q in quotes)


def test_neither_figure_is_asserted_by_the_graph(two_reports):
    """Each figure hangs on a kg:IncidentReport reported by its document, never on the place or event."""
    from kg.store import open_store
    store = open_store(two_reports)
    q = """PREFIX kg: <https://w3id.org/kg-un/ontology#>
    SELECT ?s WHERE { GRAPH ?g { ?s kg:killed ?n } FILTER NOT EXISTS { GRAPH ?h { ?s a kg:IncidentReport ; kg:reportedBy ?d } } }"""
    assert list(store.query(q)) == []


def test_the_presidents_a_letter_is_addressed_to_are_addressees_not_bodies(two_reports):
    """A/ES-10/1029 is addressed to the Secretary-General and the Presidents of the General Assembly and
    the Security Council: the presiding offices stand among its addressees, and the summary's bodies are
    organs, mandate holders and organisations (the Secretary-General among them, as the schema says)."""
    from kg.api import summary
    letter = next(r for r in summary(two_reports) if r["source"] == "A_ES-10_1029.pdf")
    assert letter["addressees"] == ["President of the General Assembly", "President of the Security Council",
                                    "Secretary-General"]
    assert {"General Assembly", "Security Council", "Secretary-General"} <= set(letter["bodies"])
    assert not any(b.startswith("President of") for b in letter["bodies"])


def test_an_incident_keeps_its_place_as_the_report_prints_it(two_reports):
    """A/ES-10/1029 lists the day's attacks: 'Gaza City' (a name of the gazetteer's Gaza) and 'Khan
    Yunus' (in no gazetteer, introduced by the attack: 'killed in Israeli bombings in Khan Yunus')."""
    from kg.api import summary
    letter = next(r for r in summary(two_reports) if r["source"] == "A_ES-10_1029.pdf")
    got = {(i["place"], i["date"], i["killed"]) for i in letter["incidents"]}
    assert {("Gaza City", "2025-03-28", 12), ("Khan Yunus", "2025-03-30", 19)} <= got
