"""The page kg viz writes: one self-contained HTML file (vis-network inlined, nothing fetched).

Markers @@NAME@@ are replaced in one pass by kg.viz.render_html, each with text escaped for where
it lands: HTML text for @@TITLE@@ and the legend and notes (built escaped), JSON escaped for a
<script> element for @@DATA@@. The Content-Security-Policy allows only the two scripts of the page
(by hash), inline styles and data: images; it forbids every network request.
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src @@SCRIPT_HASHES@@; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kg viz">
<title>@@TITLE@@</title>
<style>@@CSS@@</style>
</head>
<body>
<div id="kg-app">
<aside id="kg-side">
<h1 id="kg-title">@@TITLE@@</h1>
<p id="kg-stats">@@STATS@@</p>
@@NOTES@@
<section class="kg-box">
<label for="kg-search" class="kg-h">Search by label</label>
<input id="kg-search" type="search" placeholder="symbol, name, place…" autocomplete="off">
<div id="kg-search-result" class="kg-small" aria-live="polite"></div>
</section>
<section class="kg-box">
<div class="kg-h">Date range</div>
<div class="kg-row"><label for="kg-from">from</label> <input id="kg-from" type="date" value="@@DATE_MIN@@" min="@@DATE_MIN@@" max="@@DATE_MAX@@"></div>
<div class="kg-row"><label for="kg-to">to</label> <input id="kg-to" type="date" value="@@DATE_MAX@@" min="@@DATE_MIN@@" max="@@DATE_MAX@@"></div>
<div class="kg-row"><label><input id="kg-undated" type="checkbox" checked> include undated</label></div>
<div class="kg-row"><label><input id="kg-isolated" type="checkbox"@@ISOLATED_CHECKED@@> hide nodes left without links</label></div>
<button id="kg-reset" type="button">Reset filters</button>
</section>
<section class="kg-box" id="kg-legend">
<div class="kg-h">Nodes (tick to show)</div>
@@NODE_LEGEND@@
<div class="kg-h">Links</div>
@@EDGE_LEGEND@@
@@LEGEND_NOTE@@
</section>
<section class="kg-box">
<div class="kg-h">Details</div>
<div id="kg-details" class="kg-small">Hover over a node or link for its evidence; click to keep it here.</div>
</section>
</aside>
<main id="kg-network" aria-label="network"></main>
</div>
<script type="application/json" id="kg-data">@@DATA@@</script>
<script>@@VIS_JS@@</script>
<script>@@APP_JS@@</script>
</body>
</html>
"""

CSS = """
html, body { margin: 0; height: 100%; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #222; }
#kg-app { display: flex; height: 100vh; }
#kg-side { width: 310px; min-width: 310px; overflow-y: auto; border-right: 1px solid #ddd; padding: 10px 12px; box-sizing: border-box; background: #fafafa; }
#kg-network { flex: 1; position: relative; background: #fff; }
h1 { font-size: 16px; margin: 0 0 4px; }
.kg-box { border-top: 1px solid #e3e3e3; padding: 8px 0; }
.kg-h { font-weight: 600; margin: 4px 0; display: block; }
.kg-small { font-size: 12px; color: #444; }
.kg-row { margin: 3px 0; }
.kg-row label { margin-right: 4px; }
.kg-note { background: #fff7e0; border: 1px solid #f0d890; padding: 6px; font-size: 12px; margin: 6px 0; }
#kg-search { width: 100%; box-sizing: border-box; padding: 4px; }
#kg-details { white-space: pre-wrap; word-wrap: break-word; max-height: 40vh; overflow-y: auto; }
.kg-legend-item { display: flex; align-items: center; gap: 6px; margin: 2px 0; cursor: pointer; }
.kg-legend-item svg { flex: none; }
.kg-count { color: #777; font-size: 11px; }
.vis-tooltip { position: absolute; visibility: hidden; padding: 6px 8px; white-space: pre-wrap; max-width: 420px;
  font-size: 12px; color: #222; background: #fffff0; border: 1px solid #999; border-radius: 3px;
  box-shadow: 2px 2px 8px rgba(0,0,0,.2); pointer-events: none; z-index: 10; }
"""

APP_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var el = function (id) { return document.getElementById(id); };
  var state = { classes: {}, etypes: {} };
  var visibleNodes = new Set(), visibleEdges = new Set();

  function readControls() {
    document.querySelectorAll("input[data-kg-class]").forEach(function (c) { state.classes[c.getAttribute("data-kg-class")] = c.checked; });
    document.querySelectorAll("input[data-kg-etype]").forEach(function (c) { state.etypes[c.getAttribute("data-kg-etype")] = c.checked; });
    state.from = el("kg-from").value || "";
    state.to = el("kg-to").value || "";
    state.undated = el("kg-undated").checked;
    state.hideIsolated = el("kg-isolated").checked;
    state.dateFiltered = (state.from && state.from > data.dateMin) || (state.to && state.to < data.dateMax);
  }
  function inRange(d) {
    if (state.from && d < state.from) return false;
    if (state.to && d.slice(0, state.to.length) > state.to) return false;
    return true;
  }
  function nodeOk(n) {
    if (state.classes[n.cls] === false) return false;
    if (!n.date) return state.undated;
    return inRange(n.date);
  }
  function edgeOk(e) {
    if (state.etypes[e.etype] === false) return false;
    if (!visibleNodes.has(e.from) || !visibleNodes.has(e.to)) return false;
    if (state.dateFiltered && e.dates && e.dates.length) {
      for (var i = 0; i < e.dates.length; i++) { if (inRange(e.dates[i])) return true; }
      return false;
    }
    return true;
  }
  function recompute() {
    readControls();
    visibleNodes = new Set();
    data.nodes.forEach(function (n) { if (nodeOk(n)) visibleNodes.add(n.id); });
    visibleEdges = new Set();
    var linked = new Set();
    data.edges.forEach(function (e) {
      if (edgeOk(e)) { visibleEdges.add(e.id); linked.add(e.from); linked.add(e.to); }
    });
    if (state.hideIsolated) {
      visibleNodes.forEach(function (id) { if (!linked.has(id)) visibleNodes.delete(id); });
    }
  }
  recompute();
  var nodesView = new vis.DataView(nodes, { filter: function (n) { return visibleNodes.has(n.id); } });
  var edgesView = new vis.DataView(edges, { filter: function (e) { return visibleEdges.has(e.id); } });
  var container = el("kg-network");
  var network = new vis.Network(container, { nodes: nodesView, edges: edgesView }, data.options);

  function status() {
    el("kg-stats").textContent = "Showing " + visibleNodes.size + " of " + data.nodes.length + " nodes and " +
      visibleEdges.size + " of " + data.edges.length + " links.";
  }
  function refresh() {
    recompute();
    nodesView.refresh();
    edgesView.refresh();
    status();
    runSearch(false);
  }
  // Deep links: #q=A/79/1&from=2025-01-01&to=2025-06-30&undated=0&hide=web,cites (values are only
  // ever put into form fields, never into HTML).
  var params = new URLSearchParams((location.hash || "").replace(/^#/, ""));
  if (params.has("from")) el("kg-from").value = params.get("from");
  if (params.has("to")) el("kg-to").value = params.get("to");
  if (params.get("undated") === "0") el("kg-undated").checked = false;
  if (params.has("isolated")) el("kg-isolated").checked = params.get("isolated") === "1";
  if (params.has("hide") || params.has("show")) {
    var hide = (params.get("hide") || "").split(","), showOnly = (params.get("show") || "").split(",");
    document.querySelectorAll("input[data-kg-class], input[data-kg-etype]").forEach(function (c) {
      var k = c.getAttribute("data-kg-class") || c.getAttribute("data-kg-etype");
      if (hide.indexOf(k) >= 0) c.checked = false;
      if (showOnly.indexOf(k) >= 0) c.checked = true;
    });
  }
  if (params.has("q")) el("kg-search").value = params.get("q");
  refresh();
  network.once("afterDrawing", function () {
    document.body.setAttribute("data-kg-rendered", String(visibleNodes.size));
  });
  document.querySelectorAll("input[data-kg-class], input[data-kg-etype], #kg-undated, #kg-isolated").forEach(function (c) {
    c.addEventListener("change", refresh);
  });
  ["kg-from", "kg-to"].forEach(function (id) { el(id).addEventListener("change", refresh); });
  el("kg-reset").addEventListener("click", function () {
    document.querySelectorAll("input[data-kg-class], input[data-kg-etype]").forEach(function (c) { c.checked = c.getAttribute("data-kg-default") !== "0"; });
    el("kg-from").value = data.dateMin || ""; el("kg-to").value = data.dateMax || "";
    el("kg-undated").checked = true; el("kg-isolated").checked = !!data.hideIsolated;
    el("kg-search").value = "";
    refresh();
    network.fit();
  });

  // Details: the tooltip text of what was clicked, as plain text (textContent, never HTML).
  function show(text) { el("kg-details").textContent = text || ""; }
  network.on("click", function (p) {
    if (p.nodes.length) { show(byId[p.nodes[0]].title); }
    else if (p.edges.length) { var e = edges.get(p.edges[0]); show(e && e.title); }
  });

  // Search by label: select the matches; Enter moves to the next one.
  var matches = [], cursor = -1;
  function runSearch(move) {
    var q = el("kg-search").value.trim().toLowerCase();
    matches = [];
    if (q) {
      data.nodes.forEach(function (n) {
        if (visibleNodes.has(n.id) && ((n.full || n.label || "").toLowerCase().indexOf(q) >= 0)) matches.push(n.id);
      });
    }
    var out = el("kg-search-result");
    if (!q) { out.textContent = ""; network.unselectAll(); return; }
    out.textContent = matches.length ? matches.length + " match" + (matches.length > 1 ? "es" : "") + " (Enter: next)" : "no match among the visible nodes";
    network.selectNodes(matches.slice(0, 1000));
    if (move && matches.length) {
      cursor = (cursor + 1) % matches.length;
      var id = matches[cursor];
      network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
      show(byId[id].title);
    } else if (!move && matches.length && matches.length <= 50) {
      network.fit({ nodes: matches, animation: false });
      if (matches.length === 1) show(byId[matches[0]].title);
    }
  }
  el("kg-search").addEventListener("input", function () { cursor = -1; runSearch(false); });
  el("kg-search").addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); runSearch(true); } });
  document.querySelectorAll(".kg-legend-item").forEach(function (item) {
    item.addEventListener("dblclick", function () {
      var box = item.querySelector("input"); if (!box) return;
      var kind = box.hasAttribute("data-kg-class") ? "data-kg-class" : "data-kg-etype";
      document.querySelectorAll("input[" + kind + "]").forEach(function (c) { c.checked = (c === box); });
      refresh();
    });
  });
  window.kgNetwork = network;
})();
"""
