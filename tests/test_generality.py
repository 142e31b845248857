"""Extraction on documents of other states and conflicts than the five bundled ones: the headline of
kg-eval over the hand annotations of all 231 documents of corpus-un2025 (tests/fixtures/gold-un2025) stays
above a floor. Skipped when ../shared/corpus-un2025 is not beside the project."""
from __future__ import annotations

import json
import sys

import pytest

from conftest import FIXTURES, ROOT, SHARED

sys.path.insert(0, str(ROOT / "benchmarks"))
import score  # noqa: E402

GOLD = FIXTURES / "gold-un2025"
CORPUS = SHARED / "corpus-un2025"


@pytest.fixture(scope="module")
def scores():
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus-un2025 is not beside the project")
    return json.loads(score.score(GOLD, CORPUS, as_json=True))


def test_every_annotated_document_is_built_and_scored(scores):
    assert scores["missing_documents"] == [] and scores["headline"]["documents"] == len(list(GOLD.glob("*.json")))


def test_headline_extraction_f1_on_documents_of_other_states(scores):
    # 0.982 on 2026-12-06 (0.966, 0.959, 0.968, 0.961, 0.959, 0.960, 0.926, 0.962, 0.944 and 0.947 on rounds 2-11
    # before their fixes): the floor leaves room for the judgement calls of the annotations, not for a regression
    # of the extractors.
    assert scores["headline"]["f1"] >= 0.95, scores["headline"]


@pytest.mark.parametrize("field, floor", [
    ("states", 0.98), ("sc_resolutions", 0.97), ("author_states", 0.95), ("signatories", 0.95),
    ("cited_symbols", 0.93), ("bodies", 0.88), ("legal_instruments", 0.82),
])
def test_each_headline_field_holds_its_floor(scores, field, floor):
    assert scores["fields"][field]["f1"] >= floor, scores["fields"][field]
