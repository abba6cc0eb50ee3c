// mambaad inspection page: uploads images to POST /predict, shows the
// verdict, the heat map over the image and a threshold that re-decides
// live. Plain JavaScript, no dependencies.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  server: null,       // GET /api/models
  model: null,        // the selected model's info
  results: [],        // newest first: {id, name, url, resp, map, pending, error}
  current: null,      // the result shown
  overrides: {},      // model → class → threshold set with the slider
  seq: 0,
};
const MAX_RECENT = 50;
const PARALLEL = 4;

// ---- formatting ----------------------------------------------------------
function fmt(v, digits = 4) {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.001) return v.toExponential(3);
  return v.toPrecision(digits);
}
function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

// ---- server state ----------------------------------------------------------
async function refreshServer() {
  try {
    const r = await fetch("/api/models", { cache: "no-store" });
    const s = await r.json();
    state.server = s;
    const sel = $("model-select");
    const prev = sel.value;
    sel.innerHTML = s.models.map((m) => `<option value="${esc(m.name)}">${esc(m.name)}</option>`).join("");
    if (prev && s.models.some((m) => m.name === prev)) sel.value = prev;
    selectModel(sel.value);
    const st = $("status");
    st.textContent = s.ready ? "Ready" : "Loading…";
    st.className = "status " + (s.ready ? "status-ok" : "status-wait");
  } catch (e) {
    const st = $("status");
    st.textContent = "Server unreachable";
    st.className = "status status-bad";
  }
}

function selectModel(name) {
  if (!state.server) return;
  const m = state.server.models.find((x) => x.name === name) || state.server.models[0];
  state.model = m;
  if (!m) return;
  const cs = $("class-select");
  const prev = cs.value;
  cs.innerHTML = `<option value="">Auto (infer)</option>` + (m.classes || []).map((c) => `<option value="${esc(c)}">${esc(c)}</option>`).join("");
  if ([...cs.options].some((o) => o.value === prev)) cs.value = prev;
  renderModel();
}

function calibrated(m, cls) {
  if (!m) return null;
  if (cls && m.thresholds && m.thresholds[cls]) return { value: m.thresholds[cls].value, from: "class" };
  if (m.global_threshold) return { value: m.global_threshold.value, from: "global" };
  return null;
}

function renderModel() {
  const m = state.model;
  if (!m) return;
  $("model-version").textContent = "v " + m.version;
  $("random-warning").hidden = !m.random_encoder;
  const loaded = m.loaded_at ? new Date(m.loaded_at).toLocaleString() : "";
  const rows = [
    ["Name", m.name], ["Version", m.version], ["Method", m.method], ["Image size", `${m.image_size} × ${m.image_size}`],
    ["Backbone", m.backbone], ["Encoder", m.encoder], ["Classes", (m.classes || []).join(", ") || "—"],
    ["Dataset", m.dataset || "—"], ["Batching", `up to ${m.max_batch} images, ${m.workers} worker${m.workers > 1 ? "s" : ""}`],
    ["Loaded", loaded], ["Checkpoint", m.path],
  ];
  $("model-meta").innerHTML = rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("");
  const ov = state.overrides[m.name] || {};
  const classes = [...new Set([...(m.classes || []), ...Object.keys(m.thresholds || {})])];
  let html = classes.map((c) => {
    const t = m.thresholds && m.thresholds[c];
    const o = ov[c];
    const val = o !== undefined ? `${fmt(o)} <span class="muted">(page)</span>` : t ? fmt(t.value) : `<span class="muted">global</span>`;
    return `<tr class="${o !== undefined ? "override" : ""}"><td>${esc(c)}</td><td class="num mono">${val}</td><td>${t ? esc(describeCal(t)) : ""}</td></tr>`;
  }).join("");
  if (m.global_threshold) {
    html += `<tr><td><i>every other class</i></td><td class="num mono">${fmt(m.global_threshold.value)}</td><td>${esc(describeCal(m.global_threshold))}</td></tr>`;
  }
  if (!html) html = `<tr><td colspan="3" class="muted">None calibrated: scores only (run mambaad calibrate).</td></tr>`;
  $("thresholds").innerHTML = html;
}

function describeCal(t) {
  if (t.method === "fpr") return `FPR ${(t.fpr * 100).toFixed(2)} % on ${t.images} normals`;
  if (t.method === "f1") return `best F1 on ${t.images || "?"} images`;
  return t.method || "";
}

// ---- decisions -------------------------------------------------------------
// threshold returns the threshold deciding result r now: a page override
// for its class, else the one the server used.
function thresholdOf(r) {
  const cls = r.resp.class || "";
  const ov = (state.overrides[r.resp.model] || {})[cls];
  if (ov !== undefined) return { value: ov, from: "page" };
  if (r.resp.threshold !== undefined) return { value: r.resp.threshold, from: r.resp.threshold_from };
  return null;
}
function verdictOf(r) {
  const t = thresholdOf(r);
  if (!t) return null;
  return r.resp.score >= t.value;
}

// ---- uploads -----------------------------------------------------------------
const queue = [];
let running = 0;

function addFiles(files) {
  const list = [...files].filter((f) => f.type.startsWith("image/") || /\.(png|jpe?g|bmp|tiff?|webp)$/i.test(f.name));
  if (!list.length) { showError("No image among the dropped files."); return; }
  hideError();
  for (const f of list) {
    const r = { id: ++state.seq, name: f.name || "pasted image", url: URL.createObjectURL(f), file: f, pending: true, model: state.model && state.model.name, cls: $("class-select").value };
    state.results.unshift(r);
    queue.push(r);
  }
  trimRecent();
  renderRecent();
  if (!state.current || state.current.pending === false) show(state.results[0]);
  pump();
}

function trimRecent() {
  while (state.results.length > MAX_RECENT) {
    const r = state.results.pop();
    if (r !== state.current) URL.revokeObjectURL(r.url);
  }
}

function pump() {
  while (running < PARALLEL && queue.length) {
    const r = queue.shift();
    running++;
    score(r).finally(() => { running--; pump(); });
  }
}

async function score(r) {
  const q = new URLSearchParams({ map: "1" });
  if (r.model) q.set("model", r.model);
  if (r.cls) q.set("class", r.cls);
  const fd = new FormData();
  fd.append("image", r.file, r.name);
  try {
    const resp = await fetch("/predict?" + q.toString(), { method: "POST", body: fd });
    const body = await resp.json().catch(() => ({ error: `HTTP ${resp.status}` }));
    if (!resp.ok) throw new Error(body.error || `HTTP ${resp.status}`);
    r.resp = body;
    r.map = decodeMap(body.anomaly_map);
    r.when = new Date();
  } catch (e) {
    r.error = e.message || String(e);
  }
  r.pending = false;
  r.file = null;
  renderRecent();
  if (state.current === r || (state.current && state.current.pending)) show(r);
  if (r.error) showError(`${r.name}: ${r.error}`);
}

function decodeMap(m) {
  if (!m) return null;
  const bin = atob(m.data);
  const buf = new ArrayBuffer(bin.length);
  const u8 = new Uint8Array(buf);
  for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
  return { w: m.width, h: m.height, min: m.min, max: m.max, v: new Float32Array(buf) };
}

// ---- showing a result ----------------------------------------------------------
function show(r) {
  state.current = r;
  $("empty").hidden = true;
  $("result").hidden = false;
  const img = $("original");
  if (img.dataset.src !== r.url) {
    img.dataset.src = r.url;
    img.onload = () => { drawOverlay(); };
    img.src = r.url;
  }
  if (r.pending) {
    setVerdict(null, "SCORING…");
    for (const id of ["score", "normalized", "threshold", "class"]) $(id).textContent = "…";
    $("calibrated-note").textContent = r.name;
    $("timing").textContent = "";
    clearOverlay();
  } else if (r.error) {
    setVerdict(null, "ERROR");
    for (const id of ["score", "normalized", "threshold", "class"]) $(id).textContent = "—";
    $("calibrated-note").textContent = `${r.name}: ${r.error}`;
    $("timing").textContent = "";
    clearOverlay();
  } else {
    setupSlider(r);
    updateDecision();
    const t = r.resp.timing || {};
    $("timing").textContent = `${r.name} · ${r.resp.width}×${r.resp.height} · model ${r.resp.model} v${r.resp.model_version} · queue ${t.queue_ms} ms · batch of ${t.batch_size} in ${t.inference_ms} ms · total ${t.total_ms} ms`;
    $("dims").textContent = `${r.resp.width} × ${r.resp.height}`;
  }
  renderRecent();
}

function setVerdict(anomalous, text) {
  const v = $("verdict");
  if (anomalous === true) { v.className = "verdict verdict-bad"; v.textContent = "ANOMALOUS"; }
  else if (anomalous === false) { v.className = "verdict verdict-good"; v.textContent = "NORMAL"; }
  else { v.className = "verdict verdict-none"; v.textContent = text || "NO THRESHOLD"; }
}

function setupSlider(r) {
  const s = $("threshold-slider");
  const cls = r.resp.class || "";
  const scores = state.results.filter((x) => x.resp && (x.resp.class || "") === cls).map((x) => x.resp.score);
  const cal = r.resp.threshold_from !== "given" && r.resp.threshold !== undefined ? r.resp.threshold : (calibrated(state.model, cls) || {}).value;
  const t = thresholdOf(r);
  const top = Math.max(...scores, cal || 0, t ? t.value : 0, r.map ? r.map.max : 0) * 1.25 || 1;
  s.min = 0;
  s.max = top;
  s.step = top / 1000;
  const v = t ? t.value : cal !== undefined ? cal : r.resp.score;
  s.value = v;
  $("threshold-value").value = Number(v).toPrecision(5);
  $("slider-scope").textContent = cls ? `· class ${cls}` : "· all classes";
}

function updateDecision() {
  const r = state.current;
  if (!r || !r.resp) return;
  const t = thresholdOf(r);
  const a = verdictOf(r);
  setVerdict(a);
  $("score").textContent = fmt(r.resp.score, 5);
  $("normalized").textContent = t && t.value > 0 ? fmt(r.resp.score / t.value, 4) : "—";
  $("threshold").textContent = t ? `${fmt(t.value, 5)} (${t.from === "page" ? "set here" : t.from})` : "none";
  const conf = r.resp.class_confidence;
  $("class").textContent = r.resp.class ? `${r.resp.class}${conf !== undefined ? ` · ${(conf * 100).toFixed(1)} % inferred` : " · given"}` : "—";
  let note = "";
  if (t && t.from === "page") {
    const srv = r.resp.anomalous;
    note = r.resp.threshold !== undefined
      ? `Server decision at ${r.resp.threshold_from} threshold <b>${fmt(r.resp.threshold, 5)}</b>: <b>${srv ? "anomalous" : "normal"}</b>. Shown: your threshold.`
      : `No calibrated threshold for this class; shown: your threshold.`;
  } else if (t) {
    note = `Decided at the ${t.from === "class" ? `calibrated threshold of class <b>${esc(r.resp.class)}</b>` : t.from === "global" ? "global calibrated threshold" : "threshold given with the request"}.`;
  } else {
    note = "This model has no calibrated threshold for this class: move the slider to decide, or run <code>mambaad calibrate</code>.";
  }
  $("calibrated-note").innerHTML = note;
  drawOverlay();
  renderRecent();
  renderModel();
}

// ---- heat map ------------------------------------------------------------------
function jet(t) {
  // matplotlib's jet: piecewise linear
  const c = (x) => Math.max(0, Math.min(1, x));
  const r = c(Math.min(4 * t - 1.5, -4 * t + 4.5));
  const g = c(Math.min(4 * t - 0.5, -4 * t + 3.5));
  const b = c(Math.min(4 * t + 0.5, -4 * t + 2.5));
  return [r * 255, g * 255, b * 255];
}
const JET = Array.from({ length: 256 }, (_, i) => jet(i / 255));

function clearOverlay() {
  const cv = $("overlay");
  cv.width = 1; cv.height = 1;
  cv.getContext("2d").clearRect(0, 0, 1, 1);
}

let drawPending = false;
function drawOverlay() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => { drawPending = false; drawNow(); });
}

function drawNow() {
  const r = state.current;
  const img = $("original");
  if (!r || !r.map || !img.complete || !img.naturalWidth) return;
  const m = r.map;
  const scale = Math.min(1, 900 / Math.max(img.naturalWidth, img.naturalHeight));
  const W = Math.max(1, Math.round(img.naturalWidth * scale));
  const H = Math.max(1, Math.round(img.naturalHeight * scale));
  const cv = $("overlay");
  cv.width = W; cv.height = H;
  const ctx = cv.getContext("2d");
  ctx.drawImage(img, 0, 0, W, H);
  const base = ctx.getImageData(0, 0, W, H);
  const px = base.data;
  const t = thresholdOf(r);
  const thr = t ? t.value : Infinity;
  const lo = m.min;
  const hi = Math.max(m.max, Number.isFinite(thr) ? thr : m.max);
  const span = hi > lo ? hi - lo : 1;
  const alpha = Number($("opacity").value);
  const outline = $("outline").checked && Number.isFinite(thr);
  // bilinear upsampling of the S×S map to W×H (pixel centres), as predict does
  const xs = new Float32Array(W), ys = new Float32Array(H);
  for (let x = 0; x < W; x++) xs[x] = Math.max(0, Math.min(m.w - 1, (x + 0.5) * m.w / W - 0.5));
  for (let y = 0; y < H; y++) ys[y] = Math.max(0, Math.min(m.h - 1, (y + 0.5) * m.h / H - 0.5));
  const val = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    const y0 = Math.floor(ys[y]), y1 = Math.min(y0 + 1, m.h - 1), fy = ys[y] - y0;
    for (let x = 0; x < W; x++) {
      const x0 = Math.floor(xs[x]), x1 = Math.min(x0 + 1, m.w - 1), fx = xs[x] - x0;
      const a = m.v[y0 * m.w + x0], b = m.v[y0 * m.w + x1], c = m.v[y1 * m.w + x0], d = m.v[y1 * m.w + x1];
      const top = a + fx * (b - a), bot = c + fx * (d - c);
      val[y * W + x] = top + fy * (bot - top);
    }
  }
  for (let i = 0, p = 0; i < val.length; i++, p += 4) {
    const k = Math.max(0, Math.min(255, Math.round(((val[i] - lo) / span) * 255)));
    const col = JET[k];
    px[p] = (1 - alpha) * px[p] + alpha * col[0];
    px[p + 1] = (1 - alpha) * px[p + 1] + alpha * col[1];
    px[p + 2] = (1 - alpha) * px[p + 2] + alpha * col[2];
  }
  if (outline) {
    const lw = Math.max(1, Math.round(Math.max(W, H) / 300));
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        if (val[i] < thr) continue;
        let edge = false;
        for (let d = 1; d <= lw && !edge; d++) {
          edge = x < d || y < d || x >= W - d || y >= H - d ||
            val[i - d] < thr || val[i + d] < thr || val[i - d * W] < thr || val[i + d * W] < thr;
        }
        if (edge) { const p = 4 * i; px[p] = 255; px[p + 1] = 255; px[p + 2] = 255; }
      }
    }
  }
  ctx.putImageData(base, 0, 0);
  $("legend-lo").textContent = fmt(lo, 3);
  $("legend-hi").textContent = fmt(hi, 3);
}

// ---- recent list -----------------------------------------------------------------
function renderRecent() {
  const ol = $("recent");
  $("recent-empty").hidden = state.results.length > 0;
  let anomalous = 0, scored = 0;
  ol.innerHTML = state.results.map((r) => {
    let chip = `<span class="chip chip-wait">…</span>`, sub = "scoring";
    if (r.error) { chip = `<span class="chip chip-bad">ERROR</span>`; sub = esc(r.error); }
    else if (r.resp) {
      scored++;
      const a = verdictOf(r);
      if (a) anomalous++;
      chip = a === true ? `<span class="chip chip-bad">ANOMALOUS</span>` : a === false ? `<span class="chip chip-good">NORMAL</span>` : `<span class="chip chip-none">SCORE</span>`;
      sub = `${esc(r.resp.class || "no class")} · ${fmt(r.resp.score, 4)} · ${r.when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false })}`;
    }
    return `<li data-id="${r.id}" class="${r === state.current ? "sel" : ""}"><img src="${r.url}" alt=""><div><div class="name" title="${esc(r.name)}">${esc(r.name)}</div><div class="sub">${sub}</div></div>${chip}</li>`;
  }).join("");
  $("counts").textContent = scored ? `${scored} scored · ${anomalous} anomalous` : "";
}

// ---- errors --------------------------------------------------------------------------
let errTimer = null;
function showError(msg) {
  const e = $("error");
  e.textContent = msg;
  e.hidden = false;
  clearTimeout(errTimer);
  errTimer = setTimeout(hideError, 12000);
}
function hideError() { $("error").hidden = true; }

// ---- wiring ------------------------------------------------------------------------------
function init() {
  const drop = $("drop");
  const input = $("file");
  drop.addEventListener("click", () => input.click());
  drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
  input.addEventListener("change", () => { if (input.files.length) addFiles(input.files); input.value = ""; });
  for (const ev of ["dragenter", "dragover"]) drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.add("over"); });
  for (const ev of ["dragleave", "drop"]) drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.remove("over"); });
  drop.addEventListener("drop", (e) => { if (e.dataTransfer && e.dataTransfer.files.length) addFiles(e.dataTransfer.files); });
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => { e.preventDefault(); if (e.dataTransfer && e.dataTransfer.files.length) addFiles(e.dataTransfer.files); });
  window.addEventListener("paste", (e) => {
    const files = [...(e.clipboardData ? e.clipboardData.files : [])];
    if (files.length) addFiles(files);
  });
  $("model-select").addEventListener("change", (e) => selectModel(e.target.value));
  const setThreshold = (v) => {
    const r = state.current;
    if (!r || !r.resp || !Number.isFinite(v)) return;
    const m = r.resp.model;
    (state.overrides[m] = state.overrides[m] || {})[r.resp.class || ""] = v;
    updateDecision();
  };
  $("threshold-slider").addEventListener("input", (e) => {
    const v = Number(e.target.value);
    $("threshold-value").value = v.toPrecision(5);
    setThreshold(v);
  });
  $("threshold-value").addEventListener("change", (e) => {
    const v = Number(e.target.value);
    const s = $("threshold-slider");
    if (v > Number(s.max)) { s.max = v * 1.25; s.step = s.max / 1000; }
    s.value = v;
    setThreshold(v);
  });
  $("threshold-reset").addEventListener("click", () => {
    const r = state.current;
    if (!r || !r.resp) return;
    const ov = state.overrides[r.resp.model];
    if (ov) delete ov[r.resp.class || ""];
    setupSlider(r);
    updateDecision();
  });
  $("opacity").addEventListener("input", drawOverlay);
  $("outline").addEventListener("change", drawOverlay);
  $("recent").addEventListener("click", (e) => {
    const li = e.target.closest("li");
    if (!li) return;
    const r = state.results.find((x) => x.id === Number(li.dataset.id));
    if (r) show(r);
  });
  $("clear").addEventListener("click", () => {
    for (const r of state.results) if (r !== state.current) URL.revokeObjectURL(r.url);
    state.results = state.results.filter((r) => r.pending);
    renderRecent();
  });
  refreshServer();
  setInterval(refreshServer, 10000);
}

init();
