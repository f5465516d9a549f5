// The retold web page: compare two texts side by side, query the index, browse clusters.
// Plain JavaScript, no dependencies. Offsets from the API are Unicode code points, so texts
// are handled as arrays of code points (Array.from), never as UTF-16 string indexes.
"use strict";

const $ = (id) => document.getElementById(id);

function setStatus(msg, isError) {
  const s = $("status");
  s.textContent = msg || "";
  s.className = isError ? "error" : "";
}

async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  const data = await r.json().catch(() => ({}));
  if (!r.ok) {
    const e = data && data.error ? data.error : { code: String(r.status), message: r.statusText };
    throw new Error(e.code + ": " + e.message);
  }
  return data;
}

function showTab(name) {
  for (const t of document.querySelectorAll(".tab")) {
    t.classList.toggle("active", t.dataset.tab === name);
  }
  for (const p of document.querySelectorAll(".panel")) {
    p.hidden = p.id !== "tab-" + name;
  }
  if (name === "clusters") loadClusters();
}

function passageColor(i) {
  return "hsl(" + Math.round((200 + i * 137.508) % 360) + ", 75%, 82%)";
}

// Renders `text` into `el` as segments: each maximal run of code points covered by the same
// passages and boilerplate spans is one <span>; passages carry data-p (their indexes).
function renderSide(el, text, passages, boilerplate, side) {
  el.textContent = "";
  const cps = Array.from(text);
  const n = cps.length;
  const cuts = new Set([0, n]);
  const clamp = (x) => Math.max(0, Math.min(n, x));
  passages.forEach((p) => { cuts.add(clamp(p[side][0])); cuts.add(clamp(p[side][1])); });
  boilerplate.forEach((b) => { cuts.add(clamp(b[0])); cuts.add(clamp(b[1])); });
  const points = Array.from(cuts).sort((x, y) => x - y);
  for (let k = 0; k + 1 < points.length; k++) {
    const s = points[k], e = points[k + 1];
    if (s >= e) continue;
    const span = document.createElement("span");
    span.textContent = cps.slice(s, e).join("");
    const covering = [];
    passages.forEach((p, i) => { if (p[side][0] <= s && e <= p[side][1]) covering.push(i); });
    const bp = boilerplate.some((b) => b[0] <= s && e <= b[1]);
    if (covering.length === 0 && !bp) {
      el.appendChild(document.createTextNode(span.textContent));
      continue;
    }
    span.className = "seg" + (covering.length ? " passage" : "") + (bp ? " bp" : "");
    if (covering.length) {
      span.dataset.p = covering.join(" ");
      span.style.background = passageColor(covering[0]);
      const p = passages[covering[0]];
      span.title = "passage " + (covering[0] + 1) + " · " + p.kind + " · similarity " + p.similarity.toFixed(2);
    } else {
      span.title = "boilerplate";
    }
    el.appendChild(span);
  }
}

function highlight(indexes, on) {
  for (const el of document.querySelectorAll(".seg.passage")) {
    const mine = el.dataset.p.split(" ");
    if (mine.some((x) => indexes.includes(x))) el.classList.toggle("hl", on);
  }
}

function wireHover(el) {
  el.addEventListener("mouseover", (ev) => {
    const t = ev.target.closest(".seg.passage");
    if (t) highlight(t.dataset.p.split(" "), true);
  });
  el.addEventListener("mouseout", (ev) => {
    const t = ev.target.closest(".seg.passage");
    if (t) highlight(t.dataset.p.split(" "), false);
  });
}

// Compares two texts through the API and shows them side by side.
async function runCompare(a, b, nameA, nameB, noScroll) {
  document.body.dataset.state = "comparing";
  setStatus("comparing…");
  try {
    const c = await api("POST", "/v1/compare", { a, b });
    $("result").hidden = false;
    $("name-a").textContent = "A: " + (nameA || "text A") + (c.a.lang ? " [" + c.a.lang + "]" : "");
    $("name-b").textContent = "B: " + (nameB || "text B") + (c.b.lang ? " [" + c.b.lang + "]" : "");
    $("relation").textContent = c.relation;
    $("exact").textContent = c.exact ? "(exact)" : "";
    $("confidence").textContent = c.confidence.toFixed(2);
    $("original").textContent = c.original === "a" ? "A — " : c.original === "b" ? "B — " : "";
    $("original-reason").textContent = c.original_reason;
    $("passage-count").textContent = String(c.passages.length);
    renderSide($("side-a"), a, c.passages, c.a.boilerplate, "a");
    renderSide($("side-b"), b, c.passages, c.b.boilerplate, "b");
    document.body.dataset.passages = String(c.passages.length);
    document.body.dataset.state = "done";
    setStatus("");
    if (!noScroll) $("result").scrollIntoView({ block: "start" });
  } catch (e) {
    document.body.dataset.state = "error";
    setStatus(e.message, true);
  }
}

async function loadDoc(id) {
  return api("GET", "/v1/documents/" + encodeURIComponent(id));
}

async function loadInto(side) {
  const id = $(side + "-id").value.trim();
  if (!id) return;
  try {
    const d = await loadDoc(id);
    $(side + "-text").value = d.text;
    $(side + "-text").dataset.name = d.id;
    setStatus("");
  } catch (e) {
    setStatus(e.message, true);
  }
}

async function compareIds(aId, bId, noScroll) {
  try {
    const [da, db] = await Promise.all([loadDoc(aId), loadDoc(bId)]);
    $("a-id").value = da.id; $("a-text").value = da.text;
    $("b-id").value = db.id; $("b-text").value = db.text;
    await runCompare(da.text, db.text, da.id, db.id, noScroll);
  } catch (e) {
    document.body.dataset.state = "error";
    setStatus(e.message, true);
  }
}

async function runQuery() {
  const text = $("q-text").value;
  const box = $("matches");
  box.textContent = "";
  setStatus("querying…");
  try {
    const r = await api("POST", "/v1/query", { text, id: "query" });
    setStatus("");
    if (r.matches.length === 0) {
      box.textContent = "No matches in the index.";
      return;
    }
    for (const m of r.matches) {
      const other = m.a === r.id ? m.b : m.a;
      const div = document.createElement("div");
      div.className = "match";
      div.textContent = other + " — " + m.relation + " (confidence " + m.confidence.toFixed(2) + ", " + m.passages.length + " passages)";
      div.addEventListener("click", async () => {
        try {
          const d = await loadDoc(other);
          await runCompare(text, d.text, "your text", d.id);
        } catch (e) { setStatus(e.message, true); }
      });
      box.appendChild(div);
    }
    if (r.cluster) {
      const p = document.createElement("p");
      p.textContent = "It would join cluster " + r.cluster.cluster + " (" + r.cluster.docs.join(", ") + ").";
      box.appendChild(p);
    }
  } catch (e) {
    setStatus(e.message, true);
  }
}

const PAGE = 20;
let clusterOffset = 0;

async function loadClusters() {
  const box = $("clusters");
  try {
    const page = await api("GET", "/v1/clusters?offset=" + clusterOffset + "&limit=" + PAGE);
    box.textContent = "";
    $("page").textContent = page.total === 0 ? "no clusters"
      : (page.offset + 1) + "–" + (page.offset + page.clusters.length) + " of " + page.total;
    $("prev").disabled = clusterOffset === 0;
    $("next").disabled = page.offset + page.clusters.length >= page.total;
    for (const c of page.clusters) box.appendChild(clusterCard(c));
  } catch (e) {
    setStatus(e.message, true);
  }
}

function clusterCard(c) {
  const div = document.createElement("div");
  div.className = "cluster";
  const head = document.createElement("div");
  head.textContent = c.cluster + " · " + c.relation + " · story " + c.story + " · original: "
    + (c.original || "undetermined") + " — " + c.original_reason;
  div.appendChild(head);
  const ul = document.createElement("ul");
  for (const id of c.docs) {
    const li = document.createElement("li");
    li.className = "member";
    li.textContent = id;
    if (id === c.original) {
      const mark = document.createElement("span");
      mark.className = "original-mark";
      mark.textContent = " ★ original";
      li.appendChild(mark);
    } else {
      const other = c.original || c.docs.find((d) => d !== id);
      const btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = "compare with " + other;
      btn.addEventListener("click", () => compareIds(other, id));
      li.appendChild(btn);
    }
    ul.appendChild(li);
  }
  div.appendChild(ul);
  return div;
}

function init() {
  for (const t of document.querySelectorAll(".tab")) {
    t.addEventListener("click", () => showTab(t.dataset.tab));
  }
  $("a-load").addEventListener("click", () => loadInto("a"));
  $("b-load").addEventListener("click", () => loadInto("b"));
  $("compare").addEventListener("click", () => runCompare(
    $("a-text").value, $("b-text").value,
    $("a-text").dataset.name || "text A", $("b-text").dataset.name || "text B"));
  $("a-text").addEventListener("input", () => { delete $("a-text").dataset.name; });
  $("b-text").addEventListener("input", () => { delete $("b-text").dataset.name; });
  $("query").addEventListener("click", runQuery);
  $("q-file").addEventListener("change", async () => {
    const f = $("q-file").files[0];
    if (f) $("q-text").value = await f.text();
  });
  $("prev").addEventListener("click", () => { clusterOffset = Math.max(0, clusterOffset - PAGE); loadClusters(); });
  $("next").addEventListener("click", () => { clusterOffset += PAGE; loadClusters(); });
  wireHover($("side-a"));
  wireHover($("side-b"));

  // Deep links: /?a_id=ID&b_id=ID compares two stored documents on load; /?view=clusters.
  const q = new URLSearchParams(location.search);
  showTab(q.get("view") || "compare");
  if (q.get("a_id") && q.get("b_id")) {
    $("a-text").rows = 3;
    $("b-text").rows = 3;
  }
  if (q.get("a_id") && q.get("b_id")) compareIds(q.get("a_id"), q.get("b_id"), true);
}

init();
