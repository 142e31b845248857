"""Shared fixtures: the bundled corpus, a build of it, and the gold annotations (copied from ../shared/gold)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
FIXTURES = ROOT / "tests" / "fixtures"
GOLD = FIXTURES / "gold"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory):
    """The default corpus built once into a temporary folder: (out_dir, report)."""
    from kg.build import build
    out = tmp_path_factory.mktemp("build")
    report = build([CORPUS], out=out, progress=False)
    return out, report


@pytest.fixture(scope="session")
def corpus_summary(corpus_build):
    from kg.api import summary
    return {r["source"]: r for r in summary(corpus_build[0])}


@pytest.fixture(scope="session")
def gold():
    return {p.name.replace(".json", ".txt"): json.loads(p.read_text()) for p in GOLD.glob("*.json")}


def corpus_text(name: str) -> str:
    from kg.ingest import read_document
    return read_document(CORPUS / name).text


@pytest.fixture
def corpus_copy(tmp_path):
    dst = tmp_path / "corpus"
    shutil.copytree(CORPUS, dst)
    return dst
