// Sitrep analyst page: map, timeline, event list and cards over the JSON API.
// Plain JS with no third-party code, so the page works offline and ships
// inside the binary.
"use strict";

const COLORS = {
  ASSAULT: "#d32f2f", COERCE: "#ef6c00", MOBILIZE: "#6d4c41", THREATEN: "#f9a825",
  ACCUSE: "#8e24aa", CONSULT: "#1e88e5", AGREE: "#43a047", REQUEST: "#00897b",
  REJECT: "#5e35b1", RETREAT: "#78909c", SUPPORT: "#3949ab", COOPERATE: "#26a69a",
  AID: "#7cb342", CONCEDE: "#9e9d24", PROTEST: "#c2185b", SANCTION: "#455a64",
};
const PAGE = 50;
const W = 1024; // width of the Web Mercator world in SVG units at zoom 1

const state = {
  filters: {}, offset: 0, total: 0, selected: null,
  view: { k: 1, x: 0, y: 0 }, brush: null, zones: [], fitted: false,
};

// ---------- helpers ----------
const $ = (s) => document.querySelector(s);
const el = (tag, attrs = {}, ...kids) => {
  const svg = ["svg", "g", "path", "circle", "rect", "text", "line", "polyline"].includes(tag);
  const n = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") n.textContent = v;
    else if (k.startsWith("on")) n.addEventListener(k.slice(2), v);
    else n.setAttribute(k, v);
  }
  for (const kid of kids) if (kid !== null && kid !== undefined) n.append(kid);
  return n;
};
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
async function api(path, params = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== "" && v !== null && v !== undefined && v !== false) qs.set(k, v);
  const url = qs.toString() ? `${path}?${qs}` : path;
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
}
function filterParams(extra = {}) {
  const f = { ...state.filters };
  if (state.brush) { f.from = state.brush[0]; f.to = state.brush[1]; }
  return { ...f, ...extra };
}
const fmtDate = (d) => (!d ? "date unknown" : d.start === d.end ? d.start : `${d.start} – ${d.end}`) + (d && d.precision && d.precision !== "day" ? ` (${d.precision})` : "");

// ---------- projection ----------
function project(lon, lat) {
  const x = (lon + 180) / 360 * W;
  const s = Math.sin(Math.max(-85, Math.min(85, lat)) * Math.PI / 180);
  const y = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * W;
  return [x, y];
}
function unproject(x, y) {
  const lon = x / W * 360 - 180;
  const n = Math.PI - 2 * Math.PI * y / W;
  const lat = 180 / Math.PI * Math.atan(0.5 * (Math.exp(n) - Math.exp(-n)));
  return [lon, lat];
}

// ---------- basemap (TopoJSON decoded here; no library) ----------
function topoFeatures(topo, name) {
  const [sx, sy] = topo.transform.scale, [tx, ty] = topo.transform.translate;
  const arcs = topo.arcs.map((arc) => {
    let x = 0, y = 0;
    return arc.map(([dx, dy]) => { x += dx; y += dy; return [x * sx + tx, y * sy + ty]; });
  });
  const ring = (ids) => {
    const pts = [];
    for (const id of ids) {
      const a = id < 0 ? arcs[~id].slice().reverse() : arcs[id];
      pts.push(...(pts.length ? a.slice(1) : a));
    }
    return pts;
  };
  return topo.objects[name].geometries.map((g) => {
    const polys = g.type === "Polygon" ? [g.arcs] : g.type === "MultiPolygon" ? g.arcs : [];
    return { name: g.properties && g.properties.name, polys: polys.map((p) => p.map(ring)) };
  });
}
function ringPath(ring) {
  let d = "", prevX = null;
  for (let i = 0; i < ring.length; i++) {
    const [x, y] = project(ring[i][0], ring[i][1]);
    // Break lines that wrap the antimeridian instead of drawing across the map.
    d += (i === 0 || (prevX !== null && Math.abs(x - prevX) > W / 2) ? "M" : "L") + x.toFixed(2) + "," + y.toFixed(2);
    prevX = x;
  }
  return d + "Z";
}
async function drawBasemap() {
  const topo = await api("/assets/countries.json");
  const g = $("#basemap");
  for (const f of topoFeatures(topo, "countries")) {
    const d = f.polys.map((p) => p.map(ringPath).join("")).join("");
    g.append(el("path", { d, class: "land", "data-name": f.name || "" }, el("title", { text: f.name || "" })));
  }
}

// ---------- map view ----------
function mapSize() { const r = $("#map").getBoundingClientRect(); return [r.width || 800, r.height || 500]; }
function applyView() {
  const { k, x, y } = state.view;
  $("#viewport").setAttribute("transform", `translate(${x},${y}) scale(${k})`);
  for (const c of document.querySelectorAll("#markers circle")) c.setAttribute("r", (+c.dataset.r) / k);
  for (const t of document.querySelectorAll("#markers text, #overlays text")) t.setAttribute("font-size", 11 / k);
}
function zoomLevel() { return Math.max(0, Math.round(Math.log2(state.view.k))); }
function viewBbox() {
  const [w, h] = mapSize(), { k, x, y } = state.view;
  const [w0, n0] = unproject(-x / k, -y / k), [e0, s0] = unproject((w - x) / k, (h - y) / k);
  return [Math.max(-180, w0), Math.max(-85, s0), Math.min(180, e0), Math.min(85, n0)];
}
function fitTo(bbox) {
  const [w, h] = mapSize();
  const [x0, y0] = project(bbox[0], bbox[3]), [x1, y1] = project(bbox[2], bbox[1]);
  const k = Math.min(4096, 0.8 * Math.min(w / Math.max(1e-6, x1 - x0), h / Math.max(1e-6, y1 - y0)));
  state.view = { k, x: w / 2 - k * (x0 + x1) / 2, y: h / 2 - k * (y0 + y1) / 2 };
  applyView();
}
function zoomAt(factor, cx, cy) {
  const v = state.view, k = Math.max(1, Math.min(8192, v.k * factor));
  state.view = { k, x: cx - (cx - v.x) * k / v.k, y: cy - (cy - v.y) * k / v.k };
  applyView();
  scheduleClusters();
}
function initMap() {
  const svg = $("#map");
  svg.append(el("g", { id: "viewport" }, el("g", { id: "basemap" }), el("g", { id: "overlays" }), el("g", { id: "markers" })));
  let drag = null;
  svg.addEventListener("mousedown", (e) => { drag = { x: e.clientX, y: e.clientY, vx: state.view.x, vy: state.view.y, moved: false }; svg.classList.add("dragging"); });
  window.addEventListener("mousemove", (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    state.view.x = drag.vx + dx; state.view.y = drag.vy + dy; applyView();
  });
  window.addEventListener("mouseup", () => { if (drag && drag.moved) scheduleClusters(); drag = null; svg.classList.remove("dragging"); });
  svg.addEventListener("wheel", (e) => {
    e.preventDefault();
    const r = svg.getBoundingClientRect();
    zoomAt(e.deltaY < 0 ? 1.25 : 0.8, e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });
  $("#zoom-in").onclick = () => { const [w, h] = mapSize(); zoomAt(1.5, w / 2, h / 2); };
  $("#zoom-out").onclick = () => { const [w, h] = mapSize(); zoomAt(1 / 1.5, w / 2, h / 2); };
  $("#zoom-fit").onclick = () => fitEvents();
  $("#layer-zones").onchange = drawOverlays;
  $("#layer-routes").onchange = drawOverlays;
  fitTo([25, 12, 63, 42]); // Middle East until the events are known
}

// ---------- clusters (aggregated on the server by zoom) ----------
let clusterTimer = null;
function scheduleClusters() { clearTimeout(clusterTimer); clusterTimer = setTimeout(loadClusters, 120); }
async function loadClusters() {
  const bbox = viewBbox().map((v) => v.toFixed(4)).join(",");
  const data = await api("/api/events/clusters", filterParams({ zoom: zoomLevel(), bbox }));
  const g = $("#markers");
  g.replaceChildren();
  for (const c of data.clusters) {
    const [x, y] = project(c.lon, c.lat);
    const r = c.count === 1 ? 7 : Math.min(28, 8 + 4 * Math.sqrt(c.count));
    const circle = el("circle", {
      cx: x, cy: y, "data-r": r, r: r / state.view.k, class: "cluster" + (c.event && c.event === state.selected ? " selected" : ""),
      fill: COLORS[c.category] || "#555", "data-event": c.event || "", "data-count": c.count,
      onclick: (e) => {
        e.stopPropagation();
        if (c.event) openEvent(c.event);
        else { const [w, h] = mapSize(); const r0 = $("#map").getBoundingClientRect(); zoomAt(2.5, e.clientX - r0.left, e.clientY - r0.top); void w; void h; }
      },
    }, el("title", { text: c.count === 1 ? c.summary || "event" : `${c.count} events` }));
    g.append(circle);
    if (c.count > 1) g.append(el("text", { x, y, class: "cluster-label", "font-size": 11 / state.view.k, text: c.count }));
  }
}
async function fitEvents() {
  // Fit to where most events are: count-weighted 5th–95th percentiles of
  // coarse clusters, so one stray far-away event does not zoom out to the
  // whole world.
  const data = await api("/api/events/clusters", filterParams({ zoom: 4 }));
  const cells = data.clusters;
  if (cells.length) {
    const total = cells.reduce((n, c) => n + c.count, 0);
    const quantile = (key, q) => {
      const sorted = cells.slice().sort((a, b) => a[key] - b[key]);
      let acc = 0;
      for (const c of sorted) { acc += c.count; if (acc >= q * total) return c[key]; }
      return sorted[sorted.length - 1][key];
    };
    const w = quantile("lon", 0.05), e = quantile("lon", 0.95), s = quantile("lat", 0.05), n = quantile("lat", 0.95);
    const pad = Math.max(1.0, 0.15 * Math.max(e - w, n - s));
    fitTo([w - pad, s - pad, e + pad, n + pad]);
  }
  scheduleClusters();
}

// ---------- zones and routes ----------
function circleRing(lat, lon, km) {
  const pts = [], R = 6371.0088, d = km / R, la = lat * Math.PI / 180, lo = lon * Math.PI / 180;
  for (let i = 0; i <= 64; i++) {
    const b = 2 * Math.PI * i / 64;
    const la2 = Math.asin(Math.sin(la) * Math.cos(d) + Math.cos(la) * Math.sin(d) * Math.cos(b));
    const lo2 = lo + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(la), Math.cos(d) - Math.sin(la) * Math.sin(la2));
    pts.push([lo2 * 180 / Math.PI, la2 * 180 / Math.PI]);
  }
  return pts;
}
function drawOverlays() {
  const g = $("#overlays");
  g.replaceChildren();
  for (const z of state.zones) {
    if (z.kind === "route") {
      if (!$("#layer-routes").checked) continue;
      const pts = z.coordinates.map(([lon, lat]) => project(lon, lat).map((v) => v.toFixed(2)).join(",")).join(" ");
      g.append(el("polyline", { points: pts, class: "route" }, el("title", { text: z.name })));
      continue;
    }
    if (!$("#layer-zones").checked) continue;
    const rings = z.kind === "circle" ? [circleRing(z.lat, z.lon, z.radius_km)] : (z.rings || []);
    g.append(el("path", { d: rings.map(ringPath).join(""), class: "zone" }, el("title", { text: z.name })));
    if (z.kind === "circle") {
      const [x, y] = project(z.lon, z.lat);
      g.append(el("text", { x, y, class: "zone-label", "font-size": 11 / state.view.k, text: z.name }));
    }
  }
}

// ---------- event list ----------
async function loadList() {
  const data = await api("/api/events", filterParams({ limit: PAGE, offset: state.offset, sort: "date" }));
  state.total = data.total;
  const ol = $("#event-list");
  ol.replaceChildren();
  if (!data.items.length) ol.append(el("li", { class: "empty", text: "No events match these filters." }));
  for (const ev of data.items) {
    const li = el("li", { "data-id": ev.id, class: ev.id === state.selected ? "selected" : "", onclick: () => openEvent(ev.id) });
    li.innerHTML = `<div class="meta"><span class="badge" style="background:${COLORS[ev.category] || "#555"}">${esc(ev.category)}</span>` +
      `<span>${esc(fmtDate(ev.date))}</span><span>${esc(ev.location ? ev.location.name : "place unknown")}</span>` +
      `<span>${ev.n_sources} source${ev.n_sources === 1 ? "" : "s"}</span>` +
      (ev.disputed ? `<span class="badge disputed">disputed</span>` : "") + `</div><div>${esc(ev.summary)}</div>`;
    ol.append(li);
  }
  $("#page-info").textContent = data.total ? `${state.offset + 1}–${state.offset + data.items.length} of ${data.total}` : "0";
  $("#prev").disabled = state.offset === 0;
  $("#next").disabled = state.offset + PAGE >= data.total;
  $("#summary-line").textContent = `${data.total} events` + (state.brush ? ` between ${state.brush[0]} and ${state.brush[1]}` : "");
}

// ---------- event card ----------
function highlight(sentence, trigger) {
  const s = esc(sentence);
  if (!trigger) return s;
  const t = esc(trigger), i = s.toLowerCase().indexOf(t.toLowerCase());
  return i < 0 ? s : s.slice(0, i) + `<mark class="trigger">${s.slice(i, i + t.length)}</mark>` + s.slice(i + t.length);
}
async function openEvent(id) {
  state.selected = id;
  for (const li of document.querySelectorAll("#event-list li")) li.classList.toggle("selected", li.dataset.id === id);
  for (const c of document.querySelectorAll("#markers circle")) c.classList.toggle("selected", c.dataset.event === id);
  const ev = await api(`/api/events/${encodeURIComponent(id)}`);
  const card = $("#card");
  const actors = (ev.actors || []).map((a) => `${esc(a.name)} <small>(${esc(a.role)}, ${esc(a.kind)})</small>`).join("; ") || "—";
  const claims = (ev.claimed_by || []).map((c) => `${esc(c.claimant)} <small>${esc(c.stance)}</small>`).join("; ") || "—";
  const qty = (ev.quantities || []).map((q) => `${q.value.toLocaleString()} ${esc(q.unit)}`).join(", ") || "—";
  const loc = ev.location ? `${esc(ev.location.name)}${ev.location.admin1 ? ", " + esc(ev.location.admin1) : ""}${ev.location.country ? " (" + esc(ev.location.country) + ")" : ""} <small>${esc(ev.location.precision)}</small>` : "unknown";
  const byOutlet = new Map();
  (ev.mentions || []).forEach((m, i) => {
    const k = m.outlet || "unknown outlet";
    if (!byOutlet.has(k)) byOutlet.set(k, []);
    byOutlet.get(k).push({ ...m, coding: (ev.coding || [])[i] });
  });
  let mentions = "";
  for (const [outlet, ms] of byOutlet) {
    mentions += `<div class="mention" data-outlet="${esc(outlet)}"><h4>${esc(outlet)}</h4>` +
      ms.map((m) => `<blockquote>${highlight(m.sentence, m.coding && m.coding.trigger)}</blockquote>` +
        (m.duplicate_of ? `<div class="dup">re-post of another document</div>` : "") +
        `<a href="#" data-doc="${esc(m.document)}">open document${m.title ? ": " + esc(m.title) : ""}</a>`).join("<hr>") + `</div>`;
  }
  const disputes = (ev.disputes || []).length ? `<div class="disputes"><h3>Sources disagree</h3>` + ev.disputes.map((d) =>
    `<div><b>${esc(d.field)}</b>: ` + d.values.map((v) => `${esc(v.value)} <small>(${v.documents.map((doc) => esc(outletOf(ev, doc))).join(", ")})</small>`).join(" vs ") + `</div>`).join("") + `</div>` : "";
  const why = (ev.coding || []).length ? `<div class="why"><b>Why coded ${esc(ev.category)}${ev.acled ? " / " + esc(ev.acled.sub_event_type) : ""}:</b> ` +
    [...new Set(ev.coding.map((c) => `trigger <code>${esc(c.trigger)}</code> by rule <code>${esc(c.rule)}</code>`))].join("; ") + `</div>` : "";
  card.innerHTML = `<button class="close" aria-label="Close">×</button><h2>${esc(ev.summary)}</h2>` +
    `<dl><dt>Category</dt><dd><span class="badge" style="background:${COLORS[ev.category] || "#555"}">${esc(ev.category)}</span> ${ev.acled ? esc(ev.acled.event_type + " — " + ev.acled.sub_event_type) : ""}</dd>` +
    `<dt>Date</dt><dd>${esc(fmtDate(ev.date))}</dd><dt>Location</dt><dd>${loc}</dd><dt>Actors</dt><dd>${actors}</dd>` +
    `<dt>Claimed by</dt><dd>${claims}</dd><dt>Equipment</dt><dd>${esc((ev.equipment || []).join(", ") || "—")}</dd>` +
    `<dt>Quantities</dt><dd>${qty}</dd><dt>Fatalities</dt><dd>${ev.fatalities ?? "—"}</dd>` +
    `<dt>Sources</dt><dd>${(ev.sources || []).map(esc).join(", ")} <small>(${(ev.sources || []).length} independent)</small></dd>` +
    `<dt>Confidence</dt><dd>${(ev.confidence * 100).toFixed(0)}%</dd></dl>` +
    disputes + `<div class="mentions">${mentions}</div>` + why;
  card.hidden = false;
  card.querySelector(".close").onclick = () => { card.hidden = true; };
  for (const a of card.querySelectorAll("a[data-doc]")) a.onclick = (e) => { e.preventDefault(); openDocument(a.dataset.doc); };
}
function outletOf(ev, doc) { const m = (ev.mentions || []).find((x) => x.document === doc); return (m && m.outlet) || doc; }

// ---------- document view with highlighted spans ----------
async function openDocument(id) {
  const d = await api(`/api/documents/${encodeURIComponent(id)}`);
  const chars = Array.from(d.text || "");
  // Paint spans per character; later layers (claims) underline over others.
  const cls = new Array(chars.length).fill("");
  const paint = (spans, c) => { for (const s of spans || []) for (let i = s.start; i < Math.min(s.end, chars.length); i++) cls[i] = cls[i] ? cls[i] + " " + c : c; };
  paint(d.spans.claims, "clm"); paint(d.spans.times, "tim"); paint(d.spans.places, "plc"); paint(d.spans.entities, "ent");
  let html = "", cur = null, buf = "";
  for (let i = 0; i <= chars.length; i++) {
    const c = i < chars.length ? cls[i] : null;
    if (c !== cur) { if (buf) html += cur ? `<span class="${cur}">${esc(buf)}</span>` : esc(buf); buf = ""; cur = c; }
    if (i < chars.length) buf += chars[i];
  }
  $("#doc-body").innerHTML = `<h2>${esc(d.title || "(untitled)")}</h2><p><b>${esc(d.outlet || "unknown outlet")}</b>` +
    (d.reposted_by ? ` (re-posted by ${esc(d.reposted_by)})` : "") + ` · ${esc(d.published || "no date")}${d.published_basis ? " (" + esc(d.published_basis) + ")" : ""}` +
    (d.byline && d.byline.length ? ` · by ${d.byline.map(esc).join(", ")}` : "") + (d.dateline ? ` · ${esc(d.dateline)}` : "") + `</p>` +
    `<p class="doc-legend"><span class="ent">actor / entity</span><span class="plc">place</span><span class="tim">time</span><span class="clm">claim</span></p>` +
    `<div class="doc-text">${html}</div>`;
  $("#doc-view").hidden = false;
}

// ---------- timeline with brushing ----------
let timelineData = [];
async function loadTimeline() {
  const params = { ...state.filters, bucket: $("#bucket").value };
  delete params.from; delete params.to;
  const data = await api("/api/timeline", params);
  timelineData = data.buckets;
  drawTimeline();
}
function drawTimeline() {
  const svg = $("#timeline"), r = svg.getBoundingClientRect(), w = r.width || 800, h = r.height || 150, pad = 18;
  svg.replaceChildren();
  if (!timelineData.length) { svg.append(el("text", { x: 10, y: 20, class: "axis", text: "No dated events." })); return; }
  const t0 = Date.parse(timelineData[0].start), t1 = Date.parse(timelineData[timelineData.length - 1].end) + 86400000;
  const max = Math.max(...timelineData.map((b) => b.count));
  const xOf = (t) => pad + (t - t0) / Math.max(1, t1 - t0) * (w - 2 * pad);
  for (const b of timelineData) {
    const x0 = xOf(Date.parse(b.start)), x1 = xOf(Date.parse(b.end) + 86400000), bh = (h - 2 * pad) * b.count / max;
    const inBrush = state.brush && b.start <= state.brush[1] && b.end >= state.brush[0];
    svg.append(el("rect", { x: x0, y: h - pad - bh, width: Math.max(1, x1 - x0 - 1), height: bh, class: "bar" + (inBrush ? " in" : "") },
      el("title", { text: `${b.start}: ${b.count} events` })));
  }
  svg.append(el("text", { x: pad, y: h - 4, class: "axis", text: timelineData[0].start }));
  svg.append(el("text", { x: w - pad, y: h - 4, class: "axis", "text-anchor": "end", text: timelineData[timelineData.length - 1].end }));
  if (state.brush) {
    const a = xOf(Date.parse(state.brush[0])), b = xOf(Date.parse(state.brush[1]) + 86400000);
    svg.append(el("rect", { x: a, y: pad / 2, width: Math.max(2, b - a), height: h - pad * 1.5, class: "brush" }));
  }
  svg.onmousedown = (e) => {
    const left = svg.getBoundingClientRect().left, start = e.clientX - left;
    const tOf = (x) => new Date(t0 + (x - pad) / (w - 2 * pad) * (t1 - t0)).toISOString().slice(0, 10);
    let sel = null;
    const move = (ev) => {
      const x = ev.clientX - left;
      sel = [Math.min(start, x), Math.max(start, x)];
      state.brush = [tOf(sel[0]), tOf(sel[1])];
      drawTimeline();
    };
    const up = () => {
      window.removeEventListener("mousemove", move); window.removeEventListener("mouseup", up);
      if (!sel || sel[1] - sel[0] < 3) state.brush = null;
      onBrush();
    };
    window.addEventListener("mousemove", move); window.addEventListener("mouseup", up);
  };
}
function onBrush() {
  $("#brush-info").textContent = state.brush ? `${state.brush[0]} → ${state.brush[1]}` : "";
  $("#clear-brush").hidden = !state.brush;
  state.offset = 0;
  drawTimeline(); refresh(false);
}

// ---------- situation panel (zones, routes, control) ----------
async function loadSituation() {
  const box = $("#situation");
  const zone = state.filters.zone || (state.zones.find((z) => z.kind !== "route") || {}).name;
  let html = "";
  if (zone) {
    const z = await api(`/api/situation/zone/${encodeURIComponent(zone)}`, filterParams({ zone: "" }));
    html += `<h3>Inside ${esc(zone)}</h3><table><tr><th>Period</th><th>Events</th></tr>` +
      (z.periods.length ? z.periods.map((p) => `<tr><td>${esc(p.period)}</td><td>${p.count}</td></tr>`).join("") : `<tr><td colspan=2>none</td></tr>`) + `</table>`;
  }
  const ctrl = await api("/api/situation/control", filterParams());
  if (ctrl.claims.length) {
    html += `<h3>Control claims</h3><table><tr><th>Date</th><th>Place</th><th>By</th><th>Sources</th></tr>` +
      ctrl.claims.slice(0, 30).map((c) => `<tr><td>${esc(c.date || "?")}</td><td>${esc(c.place)}</td><td>${esc(c.actor || "?")} ${esc(c.change)}${c.from ? " from " + esc(c.from) : ""}</td><td>${esc(c.sources.join(", "))}</td></tr>`).join("") + `</table>`;
  }
  box.innerHTML = html || "<div class='empty'>No zones or control claims.</div>";
}

// ---------- filters and refresh ----------
function readFilters() {
  const f = new FormData($("#filters"));
  state.filters = {};
  for (const [k, v] of f.entries()) if (v) state.filters[k] = k === "disputed" ? "true" : v;
}
function updateExports() {
  const qs = new URLSearchParams(Object.entries(filterParams()).filter(([, v]) => v)).toString();
  for (const fmt of ["geojson", "csv", "jsonl"]) $(`#export-${fmt}`).href = `/api/export/events.${fmt}` + (qs ? `?${qs}` : "");
}
async function refresh(withTimeline = true) {
  updateExports();
  const jobs = [loadList(), loadClusters(), loadSituation()];
  if (withTimeline) jobs.push(loadTimeline());
  await Promise.all(jobs);
}
async function loadFacets() {
  const s = await api("/api/stats");
  const add = (sel, values) => { for (const v of values) sel.append(el("option", { value: v, text: v })); };
  add($("select[name=category]"), Object.keys(s.events_by_category || {}));
  add($("select[name=acled]"), Object.keys(s.events_by_acled || {}));
  add($("select[name=outlet]"), Object.keys(s.documents_by_outlet || {}));
  const z = await api("/api/zones");
  state.zones = z.zones;
  add($("select[name=zone]"), z.zones.filter((x) => x.kind !== "route").map((x) => x.name));
  const legend = $("#legend");
  for (const c of Object.keys(s.events_by_category || {})) legend.append(el("span", {}, el("i", { style: `background:${COLORS[c] || "#555"}` }), c));
  drawOverlays();
}

async function main() {
  initMap();
  await Promise.all([drawBasemap(), loadFacets()]);
  let t = null;
  $("#filters").addEventListener("input", () => { clearTimeout(t); t = setTimeout(() => { readFilters(); state.offset = 0; refresh(); }, 200); });
  $("#filters").addEventListener("submit", (e) => e.preventDefault());
  $("#reset").onclick = () => setTimeout(() => { readFilters(); state.brush = null; onBrush(); loadTimeline(); }, 0);
  $("#prev").onclick = () => { state.offset = Math.max(0, state.offset - PAGE); loadList(); };
  $("#next").onclick = () => { state.offset += PAGE; loadList(); };
  $("#bucket").onchange = loadTimeline;
  $("#clear-brush").onclick = () => { state.brush = null; onBrush(); };
  $("#doc-close").onclick = () => { $("#doc-view").hidden = true; };
  $("#doc-view").onclick = (e) => { if (e.target.id === "doc-view") $("#doc-view").hidden = true; };
  window.addEventListener("resize", () => { drawTimeline(); scheduleClusters(); });
  await fitEvents();
  await refresh();
  document.body.dataset.ready = "true";
}
main().catch((e) => { document.body.dataset.error = String(e); console.error(e); });
