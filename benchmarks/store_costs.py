"""What one answer row costs the embedded store: the floor under a named query's time.

    python benchmarks/store_costs.py OUT [--predicate IRI] [--repeat 3] [--json]

On the build in OUT, takes the object that the predicate (default kg:allegedPerpetrator, the start of
`incidents --param perpetrator=...`) has most often, and times on its matches, warm (best of
--repeat), in the same store and process:

- `scan`: COUNT(*) of the matches: the index read alone, nothing decoded for Python;
- `decode`: SELECT of the subjects: the same read plus one IRI per row turned into a string;
- `lookups`: COUNT(*) with five single-pattern OPTIONALs per match (date, type, killed, injured,
  reporting document): the per-row index lookups a named query makes, nothing decoded.

It prints each in microseconds per row and, from them, how many rows a query that decodes `columns`
IRIs and makes `lookups` lookups per row can give in one second. A named query answer larger than
that cannot come back in under a second from this store, however the query is written.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg import namespaces as ns  # noqa: E402
from kg.store import open_store  # noqa: E402


def _best(store, text: str, repeat: int) -> tuple[float, list]:
    """Best wall time of `repeat` runs of the query, and its solutions."""
    best, solutions = float("inf"), []
    for _ in range(repeat):
        t0 = time.perf_counter()
        solutions = list(store.query(text))
        best = min(best, time.perf_counter() - t0)
    return best, solutions


def measure(out: str | Path, predicate: str, repeat: int = 3) -> dict:
    store = open_store(out)
    top = list(store.query(
        f"SELECT ?o (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s <{predicate}> ?o }} }} GROUP BY ?o ORDER BY DESC(?n) LIMIT 1"))
    if not top:
        raise SystemExit(f"{out}: no triple with <{predicate}>")
    obj = top[0]["o"]
    pattern = f"GRAPH ?g {{ ?s <{predicate}> {obj} }}"
    kg = ns.KG
    lookups = "".join(f" OPTIONAL {{ GRAPH ?g {{ ?s <{kg}{p}> ?{p} }} }}"
                      for p in ("date", "incidentType", "killed", "injured", "reportedBy"))
    scan_s, _ = _best(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", repeat)
    decode_s, subjects = _best(store, f"SELECT ?s WHERE {{ {pattern} }}", repeat)
    lookup_s, _ = _best(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern}{lookups} }}", repeat)
    rows = len(subjects)
    us = lambda s: round(1e6 * s / max(rows, 1), 2)  # noqa: E731
    # (On a small build the differences are within noise: kept at zero or more.)
    scan_us, decode_us = us(scan_s), max(0.0, us(decode_s - scan_s))
    lookup_us = max(0.0, round(us(lookup_s - scan_s) / 5, 2))
    return {
        "build": str(out), "predicate": predicate, "object": str(obj), "rows": rows,
        "seconds": {"scan": round(scan_s, 4), "decode": round(decode_s, 4), "lookups": round(lookup_s, 4)},
        "us_per_row_scan": scan_us, "us_per_iri_decoded": decode_us, "us_per_lookup": lookup_us,
        # A row of the incidents answer decodes about 6 IRIs and long strings (report, place, type,
        # state, document, quote) and makes about 10 lookups (figures, date, labels, quote offsets).
        "rows_per_second_at_6_decodes_10_lookups": int(1e6 / (scan_us + 6 * decode_us + 10 * lookup_us)),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="folder of a kg build")
    ap.add_argument("--predicate", default=ns.KG + "allegedPerpetrator")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    a = ap.parse_args(argv)
    r = measure(a.out, a.predicate, a.repeat)
    if a.json:
        print(json.dumps(r, indent=2))
    else:
        print(f"{r['rows']:,} matches of <{r['predicate']}> {r['object']} in {r['build']}")
        print(f"  index scan          {r['us_per_row_scan']:>8} us per row")
        print(f"  one IRI decoded     {r['us_per_iri_decoded']:>8} us per row")
        print(f"  one lookup          {r['us_per_lookup']:>8} us per row")
        print(f"  rows per second at 6 decodes + 10 lookups a row: {r['rows_per_second_at_6_decodes_10_lookups']:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
