"""kg viz: offline, escaped, usable pages; checked as text and in real headless Chromium."""
from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg import viz
from kg.analytics.graphs import incident_graph

CHROMIUM = Path("/usr/bin/chromium")
PAYLOAD_TITLE = "<script>document.title='pwned'</script><img src=x id=kgpwn onerror=\"document.body.setAttribute('data-pwned','1')\">"
PAYLOAD_QUOTE = "<script>alert(1)</script><img src=x id=kgpwn2 onerror=\"document.body.setAttribute('data-pwned','2')\">"


class Page(HTMLParser):
    """The elements of a page: tags with attributes, script bodies, and the JSON data block."""
    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._in_script = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "script":
            self._in_script = (a, [])

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script:
            self.scripts.append((self._in_script[0], "".join(self._in_script[1])))
            self._in_script = None

    def handle_data(self, data):
        if self._in_script:
            self._in_script[1].append(data)

    def data(self) -> dict:
        return json.loads(next(body for a, body in self.scripts if a.get("id") == "kg-data"))


def external_refs(page: Page) -> list[str]:
    """Every attribute that could make the browser fetch something off the machine."""
    refs = []
    for tag, a in page.tags:
        for k in ("src", "href", "action", "data", "poster", "srcset", "formaction", "background"):
            v = (a.get(k) or "").strip().lower()
            if v and not v.startswith(("data:", "#")):
                refs.append(f"<{tag} {k}={v}>")
    return refs


# --- views and pages without a browser --------------------------------------------------------

@pytest.mark.parametrize("kind", viz.VIEWS)
def test_views_of_the_default_corpus(corpus_build, kind):
    v = viz.view(kind, corpus_build[0])
    assert v.nodes and v.edges and v.notes == []
    ids = {n["id"] for n in v.nodes}
    assert len(ids) == len(v.nodes)
    assert all(e["from"] in ids and e["to"] in ids for e in v.edges)
    assert all(math.isfinite(n["x"]) and math.isfinite(n["y"]) for n in v.nodes)
    assert sum(c[4] for c in v.classes) == len(v.nodes) and sum(t[4] for t in v.edge_types) == len(v.edges)
    assert all(n["title"] and n["label"] for n in v.nodes)
    assert all(e["label"] for e in v.edges)          # every link says what it is
    assert viz.vis_options(v)["physics"] == {"enabled": False}


def test_citation_view_tooltips_carry_evidence_and_document(corpus_build):
    v = viz.view("citations", corpus_build[0])
    e = next(e for e in v.edges if e["etype"] == "disputes" and "A/77/686" in e["title"])
    assert "“A/77/686-S/2023/22” (footnote 1)" in e["title"] and "002_7ba849221ed25377.txt" in e["title"]
    v = viz.view("incidents", corpus_build[0])
    n = next(n for n in v.nodes if n["cls"] == "Incident" and "Khojaly" in n["label"])
    assert "613" in n["title"] and "003_5f0808684c00eb6a.txt" in n["title"] and n["date"] == "1992-02-25"


def test_actor_view_reads_the_quotes_of_drawn_links_document_by_document(corpus_build):
    """The actor view builds its graph without quotes and reads those of the links it draws, one
    document at a time: the same quotes as the graph's evidence, so the same page."""
    from kg.analytics.graphs import DocumentQuotes, actor_graph, as_store
    store = as_store(corpus_build[0])
    A = actor_graph(store)
    quote_of = DocumentQuotes(store, set(A.nodes))
    evidence = [(x["document"], u, v, x["quote"]) for u, v, e in A.edges(data=True) for x in e["evidence"]]
    assert len(evidence) > 100
    assert [quote_of(d, u, v) for d, u, v, _ in evidence] == [q for *_, q in evidence]
    without = [(d, u, v) for u, v, e in A.edges(data=True) for d in e["documents"]
               if d not in {x["document"] for x in e["evidence"]}]
    assert all(quote_of(d, u, v) is None for d, u, v in without)
    lazy, whole = viz.view("actors", store), viz.view("actors", graph=A)
    assert lazy == whole and sum("“" in e["title"] for e in lazy.edges) > 100


def test_a_capped_incident_view_keeps_each_incident_with_its_document_place_and_states(corpus_build):
    """Incidents outrank documents, places and states; capped, they must not be drawn alone."""
    I = incident_graph(corpus_build[0])
    incidents = [n for n, d in I.nodes(data=True) if d["kind"] == "Incident"]
    assert len(incidents) >= 3 and I.number_of_nodes() > 10
    v = viz.view("incidents", graph=I, max_nodes=7)
    drawn = {n["iri"] for n in v.nodes}
    kept = [n for n in incidents if n in drawn]
    assert 0 < len(kept) < len(incidents) and len(v.nodes) <= 7
    for n in kept:
        doc = I.nodes[n]["document"]
        assert doc in drawn and all(t in drawn for t in I.successors(n) if I.edges[n, t]["type"] != "same event as")
        assert all(s in drawn for s in I.successors(doc))
    killed = sorted((I.nodes[n].get("killed") or 0 for n in incidents), reverse=True)
    assert max(I.nodes[n].get("killed") or 0 for n in kept) == killed[0]     # the deadliest first
    linked = {e["from"] for e in v.edges} | {e["to"] for e in v.edges}
    index = {n["iri"]: n["id"] for n in v.nodes}
    assert all(index[n] in linked for n in kept)


def _hostile_graph(n: int = 3) -> nx.DiGraph:
    G = nx.DiGraph()
    G.graph["documents"] = {}
    for i in range(n):
        G.add_node(f"https://undocs.org/A/1/{i}", label=f"A/1/{i} {PAYLOAD_TITLE}", kind="Letter", in_corpus=True,
                   date="2025-01-0%d" % (i % 9 + 1), title=PAYLOAD_TITLE + "</script><!--", sources=[f"{i}.txt"])
    for i in range(1, n):
        G.add_edge(f"https://undocs.org/A/1/{i}", f"https://undocs.org/A/1/{i - 1}", type="disputes", types=["disputes"],
                   documents=[f"https://undocs.org/A/1/{i}"], count=1, date="2025-01-02",
                   evidence=[{"document": "x", "cited_as": PAYLOAD_QUOTE, "footnote": "1", "quote": PAYLOAD_QUOTE, "start": 1}])
    return G


def test_page_is_self_contained_and_escapes_document_text():
    v = viz.view("citations", graph=_hostile_graph())
    html = viz.render_html(v)
    page = Page(html)
    assert external_refs(page) == []
    assert "<link" not in html and "@import" not in html and "url(http" not in html
    # Three scripts: the JSON data (never executed), vis-network inlined, the page's own code.
    assert [a.get("type") for a, _ in page.scripts] == ["application/json", None, None]
    assert not any(a.get("src") for a, _ in page.scripts)
    # The Content-Security-Policy allows those two scripts, by hash, and no request at all.
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    for _, body in page.scripts[1:]:
        assert "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'" in csp
    assert "vis-network" in page.scripts[1][1] and "sourceMappingURL" not in page.scripts[1][1]
    # Document text only ever appears escaped, and comes back intact from the JSON.
    assert "<script>alert(1)" not in html and "<img src=x" not in html and "</script><!--" not in html
    data = page.data()
    assert any(PAYLOAD_TITLE in n["title"] and PAYLOAD_TITLE in n["full"] for n in data["nodes"])
    assert any(PAYLOAD_QUOTE in e["title"] for e in data["edges"])
    assert not any(t == "img" for t, _ in page.tags)


def test_large_graphs_are_capped_and_say_what_was_left_out():
    G = nx.DiGraph()
    G.graph["documents"] = {}
    for i in range(60):       # 60 letters each citing 50 documents: 3,060 nodes, 3,000 links
        src = f"https://undocs.org/S/2025/{i}"
        G.add_node(src, label=f"S/2025/{i}", kind="Letter", in_corpus=True, date="2025-02-01", sources=[f"{i}.pdf"])
        for j in range(50):
            dst = f"https://undocs.org/A/80/{i * 50 + j}"
            G.add_node(dst, label=f"A/80/{i * 50 + j}", kind="Document", in_corpus=False, date=None)
            G.add_edge(src, dst, type="cites", types=["cites"], documents=[src], count=1, date="2025-02-01", evidence=[])
    v = viz.view("citations", graph=G, max_nodes=1000, max_edges=800)
    assert len(v.nodes) <= 1000 and len(v.edges) <= 800
    assert v.total_nodes == 3060 and v.total_edges == 3000
    text = " ".join(v.notes)
    assert "left out 2,060: 2,060 Other UN document" in text and "Showing 800 of" in text
    assert sum(1 for n in v.nodes if n["cls"] == "letter") == 60       # corpus documents are kept first
    html = viz.render_html(v)
    assert "left out 2,060" in html


LAYOUT_SCRIPT = """
import json, sys
from kg.viz import layout
keys = [f"big-{i:02d}" for i in range(20)] + [f"ring-{c}" for c in "abcde"]
pairs = [(f"big-{i:02d}", f"big-{i + 1:02d}") for i in range(19)]
pairs += [(f"ring-{a}", f"ring-{b}") for a, b in zip("abcde", "bcdea")]
json.dump(layout(keys, pairs), sys.stdout, sort_keys=True)
"""


def test_layout_is_the_same_in_every_process():
    """A page rebuilt from the same graph is the same file, whatever the interpreter's string hashing.

    The ring is less than half the graph: a networkx subgraph view of it iterates a Python set,
    whose order changes with PYTHONHASHSEED (this gave a 2,000-document build a new layout each run).
    """
    import sys
    runs = {subprocess.run([sys.executable, "-c", LAYOUT_SCRIPT], env={**os.environ, "PYTHONHASHSEED": str(h)},
                           capture_output=True, text=True, check=True).stdout for h in (1, 2, 3, 4)}
    assert len(runs) == 1
    pos = json.loads(runs.pop())
    assert len(pos) == 25 and len({tuple(p) for p in pos.values()}) == 25


def test_cli_viz_writes_into_out_only(corpus_build, tmp_path, monkeypatch):
    from kg.cli_analytics import viz as viz_cmd
    out = tmp_path / "out"
    shutil.copytree(corpus_build[0] / "store", out / "store")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    runner = CliRunner()
    r = runner.invoke(viz_cmd, ["citations", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert os.listdir(cwd) == []                         # pyvis's lib/ is never copied here
    page = out / "viz-citations.html"
    assert page.stat().st_size > 100_000 and not list(out.glob(".*tmp*"))
    target = tmp_path / "elsewhere" / "actors.html"
    r = runner.invoke(viz_cmd, ["actors", "--out", str(out), "--file", str(target)])
    assert r.exit_code == 0 and target.exists() and "actors:" in r.output
    assert runner.invoke(viz_cmd, ["graph", "--out", str(out)]).exit_code == 2
    r = runner.invoke(viz_cmd, ["incidents", "--out", str(tmp_path / "none")])
    assert r.exit_code == 3 and "no built store" in r.output


# --- in real headless Chromium ----------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI is set but /usr/bin/chromium is missing: run .ci/install-browser.sh")
        pytest.skip("/usr/bin/chromium not installed (apt-get install chromium)")
    return CHROMIUM


def run_chromium(chromium: Path, url: str, tmp: Path) -> tuple[str, list[dict]]:
    """The DOM after the page ran, and the network requests the page itself started (from the net log)."""
    tmp.mkdir(parents=True, exist_ok=True)
    netlog = tmp / "net.json"
    cmd = [str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
           f"--user-data-dir={tmp / 'profile'}", "--host-resolver-rules=MAP * ~NOTFOUND",
           f"--log-net-log={netlog}", "--window-size=1280,800", "--virtual-time-budget=10000", "--dump-dom", url]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr[-2000:]
    log = json.loads(netlog.read_text())
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    page_requests = []
    for ev in log["events"]:
        params = ev.get("params") or {}
        if names.get(ev["type"]) == "URL_REQUEST_START_JOB" and "url" in params \
                and params.get("initiator") != "not an origin":
            # Requests the browser makes for itself (updates, accounts) have no origin; the page's have one.
            page_requests.append(params)
    return p.stdout, page_requests


def test_netlog_check_sees_a_page_request(chromium, tmp_path):
    """The control: a page that does fetch from the network is caught by the same check."""
    ctrl = tmp_path / "ctrl.html"
    ctrl.write_text('<html><body><img src="http://example.invalid/x.png"></body></html>')
    _, requests = run_chromium(chromium, ctrl.as_uri(), tmp_path / "c")
    assert any(r["url"].startswith("http://example.invalid/") for r in requests)


HOSTILE_LETTER = f"""United Nations A/79/999

General Assembly
Distr.: General
3 March 2025

Original: English

Seventy-ninth session
Agenda item 68

Letter dated 1 March 2025 from the Permanent Representative of Azerbaijan {PAYLOAD_TITLE} addressed to the Secretary-General

I have the honour to refer to the letter of Armenia (A/79/888) <script>alert(1)</script> and to reject it.

On 5 February 2025, Armenian armed forces shelled the city of Ganja, killing 12 civilians {PAYLOAD_QUOTE}, including 3 children, and injuring 20 others.

I should be grateful if you would have the present letter circulated as a document of the General Assembly.

(Signed) Yashar Aliyev
Permanent Representative
"""


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    from kg.build import build
    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "letter.txt").write_text(HOSTILE_LETTER)
    # A second file, without a symbol, whose very name is markup.
    (corpus / "<img src=x id=kgpwn3 onerror=alert(3)>.txt").write_text(HOSTILE_LETTER.replace("United Nations A/79/999", ""))
    out = root / "out"
    report = build([corpus], out=out, progress=False)
    assert report.ok and report.documents == 2
    return out


@pytest.mark.parametrize("kind,fragment,expect", [
    ("citations", "#from=2030-01-01&undated=0", "Showing 0 of 3 nodes"),
    ("actors", "", None),
    ("incidents", "#q=Ganja", "match"),
])
def test_page_renders_offline_in_chromium_and_document_markup_stays_text(chromium, hostile_build, tmp_path, kind,
                                                                         fragment, expect):
    path, v = viz.write_viz(kind, out=hostile_build)
    html = path.read_text()
    # The hostile text did reach the page (escaped), so the browser check below means something.
    assert "\\u003cimg src=x id=kgpwn" in html
    dom, requests = run_chromium(chromium, path.as_uri() + fragment, tmp_path)
    body = re.search(r"<body[^>]*>", dom).group(0)
    rendered = re.search(r'data-kg-rendered="(\d+)"', body)
    assert rendered, "vis-network never drew"
    assert "<canvas" in dom and 'class="vis-network"' in dom
    assert 'id="kg-legend"' in dom and "data-kg-class=" in dom
    for _, label, *_ in v.classes:
        assert f"<span>{label}</span>" in dom
    # Nothing the documents contain ran or became an element.
    assert "data-pwned" not in body
    assert re.search(r"<title>kg: \w+</title>", dom)
    assert not re.search(r"<img\b", dom) and not re.search(r'id="kgpwn', dom)
    # No request left the machine, and nothing in the page points off it.
    assert [r["url"] for r in requests if not r["url"].startswith(("file:", "data:"))] == []
    assert external_refs(Page(dom)) == []
    if expect:
        assert expect in dom
    if kind == "incidents":
        assert int(rendered.group(1)) >= 4


def test_an_empty_view_still_renders_and_says_why():
    v = viz.view("incidents", graph=nx.DiGraph())
    assert v.nodes == [] and "nothing of this kind was extracted" in v.notes[0]
    page = Page(viz.render_html(v))
    assert page.data()["nodes"] == [] and external_refs(page) == []
