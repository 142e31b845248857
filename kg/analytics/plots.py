"""PNG charts for the report (matplotlib, Agg backend: no display, nothing fetched).

Each function takes plain rows from kg.analytics.metrics / graphs and returns PNG bytes, or None
when there is nothing to draw (the report says so instead of showing an empty chart).
"""
from __future__ import annotations

import io
from collections import Counter, defaultdict
from datetime import date

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

plt.rcParams.update({"font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
                     "svg.hashsalt": "kg", "text.usetex": False})
PNG_META = {"Software": None}   # no version string or date in the file: the same data, the same bytes
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac"]


def text(s: str | None, n: int = 60) -> str:
    """A label safe for matplotlib: '$' would start mathtext; long labels are cut."""
    s = " ".join((s or "").split())
    if len(s) > n:
        s = s[: n - 1] + "…"
    return s.replace("$", r"\$")


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata=PNG_META)
    plt.close(fig)
    return buf.getvalue()


def _day(s: str | None) -> date | None:
    if not s:
        return None
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        try:
            return date.fromisoformat(s[:7] + "-01")
        except ValueError:
            return None


def cited_chart(rows: list[dict], n: int = 15) -> bytes | None:
    """Horizontal bars: the most cited documents, by the number of corpus documents citing them."""
    rows = [r for r in rows if r["cited_by"] > 0][:n]
    if not rows:
        return None
    rows = rows[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(rows) + 1.2))
    colors = [PALETTE[0] if r["in_corpus"] else PALETTE[1] for r in rows]
    ax.barh(range(len(rows)), [r["cited_by"] for r in rows], color=colors)
    ax.set_yticks(range(len(rows)), [text(f"{r['label']} ({r['kind']})", 55) for r in rows])
    ax.set_xlabel("documents citing it (in-degree)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    for i, r in enumerate(rows):
        ax.text(r["cited_by"], i, f" {r['cited_by']}", va="center", fontsize=8)
    from matplotlib.patches import Patch
    ax.legend(handles=[Patch(color=PALETTE[0], label="in the corpus"), Patch(color=PALETTE[1], label="not in the corpus")],
              loc="lower right", frameon=False)
    ax.set_title("Most cited documents")
    return _png(fig)


def incident_points(records: list[dict], reporter_of: dict[str, str]):
    """The dated incident reports of a chart: ([(record, day)], reporting states in row order, row(record))."""
    pts = [(r, _day(r.get("begin") or r.get("date"))) for r in records]
    pts = [(r, d) for r, d in pts if d]
    reporters = sorted({reporter_of.get(r["document"], "unattributed") for r, _ in pts})
    row_of = {name: i for i, name in enumerate(reporters)}

    def row(r):
        return row_of[reporter_of.get(r["document"], "unattributed")]

    return pts, reporters, row


def places_to_label(pts: list[tuple[dict, date]], row, n: int) -> list[tuple[str, date, int]]:
    """The ``n`` (place, date, row) labels of an incidents chart, in date order.

    ``pts``: (incident record, its day); ``row(record)``: its row on the chart. One label per place
    and row, at the report of it with the most people killed (then the earliest); of these, the
    ``n`` with the most killed.
    """
    best: dict[tuple[str, int], tuple] = {}
    for r, d in pts:
        if r.get("place_label"):
            key = (r["place_label"], row(r))
            rank = (-(r["killed"] or 0), d)
            if key not in best or rank < best[key][0]:
                best[key] = (rank, d)
    chosen = sorted(best.items(), key=lambda kv: (kv[1][0], kv[0]))[:n]
    return sorted(((place, d, y) for (place, y), (_, d) in chosen), key=lambda c: (c[1], c[2], c[0]))


def incidents_timeline(records: list[dict], reporter_of: dict[str, str], n_labels: int = 25) -> bytes | None:
    """Incident reports on a time axis, one row per reporting state, dot size by people killed.

    Only the ``n_labels`` places with the most people reported killed are named on the chart: a label
    for every dot is unreadable past a few dozen, and at 10,000 documents (33,000 incident reports)
    drawing them took 43 s of the 45 s the charts cost.
    """
    pts, reporters, row = incident_points(records, reporter_of)
    if not pts:
        return None
    types = sorted({r["type"] for r, _ in pts})
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(reporters) + 1.8))
    for i, t in enumerate(types):
        sel = [(r, d) for r, d in pts if r["type"] == t]
        ax.scatter([d for _, d in sel], [row(r) for r, _ in sel],
                   s=[30 + 6 * min(r["killed"] or 0, 200) for r, _ in sel], alpha=0.65,
                   color=PALETTE[i % len(PALETTE)], label=text(t, 30), edgecolors="black", linewidths=0.4)
    for j, (place, d, y) in enumerate(places_to_label(pts, row, n_labels)):
        ax.annotate(text(place, 25), (d, y), xytext=(4, 8 if j % 2 == 0 else -14),
                    textcoords="offset points", fontsize=7)
    ax.set_yticks(range(len(reporters)), [text(x, 40) for x in reporters])
    ax.set_ylim(-0.7, len(reporters) - 0.3)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.set_xlabel("date of the incident as reported (dot size: people reported killed)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, title="type", markerscale=0.6)
    ax.set_title("Incidents by reporting state")
    return _png(fig)


def documents_timeline(docs: dict[str, dict], author_of: dict[str, str], top: int = 8) -> bytes | None:
    """Documents per month, stacked by author state (the top states, the rest as 'other')."""
    months: dict[str, Counter] = defaultdict(Counter)
    totals: Counter = Counter()
    for iri, d in docs.items():
        day = _day(d.get("date"))
        if not day:
            continue
        who = author_of.get(iri, "no author state")
        months[f"{day.year:04d}-{day.month:02d}"][who] += 1
        totals[who] += 1
    if not months:
        return None
    keep = [w for w, _ in totals.most_common() if w != "no author state"][:top]
    series = keep + ["other", "no author state"]
    keys = sorted(months)
    # Fill the gaps so the axis is a real calendar.
    y0, m0 = map(int, keys[0].split("-"))
    y1, m1 = map(int, keys[-1].split("-"))
    if (y1 - y0) * 12 + (m1 - m0) <= 240:
        keys, y, m = [], y0, m0
        while (y, m) <= (y1, m1):
            keys.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    fig, ax = plt.subplots(figsize=(max(6, 0.35 * len(keys) + 3), 4))
    bottom = [0] * len(keys)
    for i, s in enumerate(series):
        vals = []
        for k in keys:
            c = months.get(k, Counter())
            vals.append(sum(v for w, v in c.items() if w not in keep and w != "no author state") if s == "other" else c.get(s, 0))
        if not any(vals):
            continue
        color = "#cccccc" if s == "no author state" else PALETTE[i % len(PALETTE)]
        ax.bar(range(len(keys)), vals, bottom=bottom, color=color, label=text(s, 30))
        bottom = [b + v for b, v in zip(bottom, vals)]
    step = max(1, len(keys) // 24)
    ax.set_xticks(range(0, len(keys), step), [keys[i] for i in range(0, len(keys), step)], rotation=60, ha="right")
    ax.set_ylabel("documents")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, title="author state")
    ax.set_title("Documents per month by author state")
    return _png(fig)


def engagement_heatmap(engagement: dict[str, dict], n_states: int = 12, n_actors: int = 12) -> bytes | None:
    """States (rows) x the actors they engage with (columns): documents linking them."""
    states = [s for s in engagement.values() if s["documents"]][:n_states]
    if not states:
        return None
    weight: Counter = Counter()
    labels = {}
    for s in states:
        for r in s["top"]:
            if r["documents"]:
                weight[r["id"]] += r["documents"]
                labels[r["id"]] = r["label"]
    cols = [a for a, _ in weight.most_common(n_actors)]
    if not cols:
        return None
    grid = [[next((r["documents"] for r in s["top"] if r["id"] == a), 0) for a in cols] for s in states]
    fig, ax = plt.subplots(figsize=(0.55 * len(cols) + 3.5, 0.4 * len(states) + 2.5))
    im = ax.imshow(grid, cmap="Blues", aspect="auto")
    ax.set_xticks(range(len(cols)), [text(labels[a], 35) for a in cols], rotation=60, ha="right")
    ax.set_yticks(range(len(states)), [text(s["label"], 35) for s in states])
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            if v:
                ax.text(j, i, str(v), ha="center", va="center", fontsize=7,
                        color="white" if v > max(max(r) for r in grid) / 2 else "black")
    fig.colorbar(im, ax=ax, shrink=0.6, label="documents")
    ax.set_title("Whom each state engages with (addressed to, alleges against, communicates with)")
    return _png(fig)


def threads_timeline(threads: list[dict], n: int = 15) -> bytes | None:
    """Reply threads as rows on a time axis: each document a dot, joined in date order."""
    rows = []
    for t in threads:
        pts = [(_day(d["date"]), d["label"]) for d in t["documents"] if _day(d["date"])]
        if pts:
            rows.append((t, sorted(pts)))
    rows = rows[:n]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.5))
    for i, (t, pts) in enumerate(rows):
        ax.plot([d for d, _ in pts], [i] * len(pts), "-o", color=PALETTE[i % len(PALETTE)], markersize=5)
        for j, (d, lab) in enumerate(pts):
            # Alternate above and below, so documents a few days apart do not print over each other.
            ax.annotate(text(lab, 22), (d, i), xytext=(0, 5 if j % 2 == 0 else -10), textcoords="offset points",
                        fontsize=6, ha="center")
    ax.set_yticks(range(len(rows)), [f"{text(t['documents'][0]['label'], 28)} ({t['size']} docs)" for t, _ in rows])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.set_title("Reply threads (dated documents only)")
    return _png(fig)
