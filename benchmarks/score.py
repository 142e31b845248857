#!/usr/bin/env python3
"""Extraction quality against hand-made gold: build the documents a gold folder annotates, print what
`kg-eval` prints (precision, recall and F1 per field, and the headline F1).

    python benchmarks/score.py                 # both gold sets below, the second when its corpus is here
    python benchmarks/score.py --set un2025 --errors
    python benchmarks/score.py --gold DIR --corpus DIR [--json]

Gold sets (tests/fixtures/):
  seed    gold/ over corpus/: the five bundled documents (the project's own gold)
  un2025  gold-un2025/ over ../shared/corpus-un2025: documents of other states and conflicts, annotated
          by reading each text (see tests/fixtures/gold-un2025/README.md); skipped when the corpus is absent

Exit code: 0 when every set was scored, 2 when a set's corpus is missing (named with --set), 1 when a
build failed.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.api import summary  # noqa: E402
from kg.build import build  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
KG_EVAL = FIXTURES / "kg_eval.py"
SETS = {
    "seed": (FIXTURES / "gold", ROOT / "corpus"),
    "un2025": (FIXTURES / "gold-un2025", ROOT.parent / "shared" / "corpus-un2025"),
}


def annotated_files(gold: Path, corpus: Path) -> list[Path]:
    """The corpus files the gold folder annotates (by each gold file's "source")."""
    sources = sorted(json.loads(p.read_text(encoding="utf-8"))["source"] for p in gold.glob("*.json"))
    missing = [s for s in sources if not (corpus / s).is_file()]
    if missing:
        raise FileNotFoundError(f"{corpus}: no {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}")
    return [corpus / s for s in sources]


def predictions(files: list[Path], work: Path) -> Path:
    """Build the files into `work` and write `kg summary --json` of the build; returns the JSON's path."""
    report = build(files, out=work / "out", progress=False)
    if not report.ok:
        raise RuntimeError(f"build failed: {report.failures}")
    pred = work / "summary.json"
    pred.write_text(json.dumps(summary(work / "out"), ensure_ascii=False), encoding="utf-8")
    return pred


def score(gold: Path, corpus: Path, errors: bool = False, as_json: bool = False) -> str:
    """kg-eval's output for the gold folder against a fresh build of the documents it annotates."""
    with tempfile.TemporaryDirectory(prefix="kg-score-") as tmp:
        pred = predictions(annotated_files(gold, corpus), Path(tmp))
        args = [sys.executable, str(KG_EVAL), str(gold), str(pred)] + ["--errors"] * (errors and not as_json) + ["--json"] * as_json
        return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", choices=sorted(SETS), action="append", help="a named gold set (default: all)")
    ap.add_argument("--gold", type=Path, help="a gold folder (with --corpus) instead of the named sets")
    ap.add_argument("--corpus", type=Path, help="the folder of the documents the gold folder annotates")
    ap.add_argument("--errors", action="store_true", help="list each document's misses and extras (not with --json)")
    ap.add_argument("--json", action="store_true", help="one JSON object of kg-eval's scores per set")
    a = ap.parse_args(argv)
    if bool(a.gold) != bool(a.corpus):
        ap.error("--gold and --corpus go together")
    chosen = {"custom": (a.gold, a.corpus)} if a.gold else {k: SETS[k] for k in (a.set or sorted(SETS))}
    results, status = {}, 0
    for name, (gold, corpus) in chosen.items():
        if not corpus.is_dir():
            print(f"{name}: skipped, no corpus at {corpus}", file=sys.stderr)
            status = 2 if a.set or a.gold else status
            continue
        try:
            out = score(gold, corpus, a.errors, a.json)
        except (FileNotFoundError, RuntimeError) as e:
            print(f"{name}: {e}", file=sys.stderr)
            return 1
        if a.json:
            results[name] = json.loads(out)
        else:
            print(f"== {name}: {gold.relative_to(ROOT) if gold.is_relative_to(ROOT) else gold} over {corpus}")
            print(out)
    if a.json:
        print(json.dumps(results, indent=2))
    return status


if __name__ == "__main__":
    sys.exit(main())
