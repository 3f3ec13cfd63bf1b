// Lahja web page: plain JavaScript, no build step and no network beyond this server.
// The server answers with all 18 probabilities, so moving the thresholds re-decides the dialects here without asking
// the server again. The rule is the server's (lahja predict's): a dialect is predicted when its probability reaches
// the absolute threshold (or the model's own threshold for that dialect) and the relative threshold × the top
// probability. The sliders start at the model's rule, and every request, batch included, sends what they show.
"use strict";

const strings = {
  ar: {
    pageTitle: "لهجة — تحديد اللهجات العربية",
    skip: "انتقل إلى المحتوى", title: "لهجة", subtitle: "تحديد اللهجات العربية متعدد التسميات: ١٨ دولة",
    links: "روابط", docs: "توثيق الواجهة البرمجية", langHint: "تبديل لغة الواجهة", toggle: "English",
    singleHeading: "نص واحد", textLabel: "اكتب جملة عربية", textHint: "اضغط Ctrl+Enter للإرسال.",
    examples: "أمثلة:", options: "خيارات", preprocess: "المعالجة المسبقة",
    apiKey: "مفتاح الواجهة البرمجية (إن طُلب)", identify: "حدّد اللهجة", results: "النتيجة",
    threshold: "العتبة", relativeThreshold: "العتبة النسبية (× الأعلى)", ruleReset: "قاعدة النموذج",
    rule: (abs, rel, floor) => `تُعدّ اللهجة متوقعة إذا بلغ احتمالها ${abs} وبلغ ${rel} × أعلى احتمال${floor === undefined ? "" : ` (هنا ${floor})`}.`,
    ownThresholds: (n) => ` ${n} من اللهجات لها عتبة خاصة من النموذج.`,
    modelRule: " هذه قاعدة النموذج.", notModelRule: (abs, rel) => ` قاعدة النموذج: ${abs} و${rel} × الأعلى.`,
    predicted: "اللهجات المتوقعة", noChips: "لا لهجة تستوفي القاعدة.",
    barsCaption: "احتمال كل لهجة (الخط: الحدّ الذي تُتوقع عنده)", mapCaption: "الخريطة ملوّنة حسب الاحتمال", regions: "المناطق",
    batchHeading: "ملف كامل", batchHint: "ارفع ملف TXT (جملة في كل سطر) أو CSV/TSV فيه عمود text أو sentence.",
    batchFile: "الملف", downloadCsv: "تنزيل CSV", downloadJsonl: "تنزيل JSONL", batchCaption: "نتائج الملف",
    colText: "النص", colDialects: "اللهجات المتوقعة", colTop: "الأرجح",
    mapCredit: "حدود الدول من Natural Earth (ملكية عامة).", licence: "الترخيص",
    working: "جارٍ التحليل…", done: "تمّ.", empty: "اكتب نصًا أولًا.", needKey: "الخادم يطلب مفتاح الواجهة البرمجية: أدخله في الخيارات.",
    failed: "تعذّر الطلب: ", batchWorking: (done, total) => `جارٍ التحليل: ${done} من ${total}…`,
    batchDone: (total) => `تمّ تحليل ${total} نصًا.`, batchEmpty: "لم يُعثر على نصوص في الملف.",
    batchDoneShown: (total, shown) => `تمّ تحليل ${total} نصًا. تُعرض أول ${shown} من ${total} نتيجة؛ التنزيل يحوي الكل.`,
    mapSummary: (top) => `الأرجح: ${top}`,
  },
  en: {
    pageTitle: "Lahja — Arabic dialect identification",
    skip: "Skip to content", title: "Lahja", subtitle: "Multi-label Arabic dialect identification: 18 countries",
    links: "Links", docs: "API docs", langHint: "Switch the interface language", toggle: "العربية",
    singleHeading: "One text", textLabel: "Type an Arabic sentence", textHint: "Press Ctrl+Enter to submit.",
    examples: "Examples:", options: "Options", preprocess: "Preprocessing",
    apiKey: "API key (if the server needs one)", identify: "Identify dialect", results: "Result",
    threshold: "Threshold", relativeThreshold: "Relative threshold (× top)", ruleReset: "Model's rule",
    rule: (abs, rel, floor) => `A dialect is predicted when its probability reaches ${abs} and ${rel} × the top probability${floor === undefined ? "" : ` (here ${floor})`}.`,
    ownThresholds: (n) => ` ${n} dialects have their own threshold from the model.`,
    modelRule: " This is the model's rule.", notModelRule: (abs, rel) => ` The model's rule: ${abs} and ${rel} × the top.`,
    predicted: "Predicted dialects", noChips: "No dialect meets the rule.",
    barsCaption: "Probability of each dialect (line: where it would be predicted)", mapCaption: "Map coloured by probability", regions: "Regions",
    batchHeading: "Whole file", batchHint: "Upload a TXT file (one sentence per line) or a CSV/TSV with a text or sentence column.",
    batchFile: "File", downloadCsv: "Download CSV", downloadJsonl: "Download JSONL", batchCaption: "File results",
    colText: "Text", colDialects: "Predicted dialects", colTop: "Most likely",
    mapCredit: "Country borders from Natural Earth (public domain).", licence: "Licence",
    working: "Identifying…", done: "Done.", empty: "Type a text first.", needKey: "The server needs an API key: enter it under Options.",
    failed: "The request failed: ", batchWorking: (done, total) => `Identifying: ${done} of ${total}…`,
    batchDone: (total) => `Identified ${total} texts.`, batchEmpty: "No texts found in the file.",
    batchDoneShown: (total, shown) => `Identified ${total} texts. Showing the first ${shown} of ${total} results; the downloads hold them all.`,
    mapSummary: (top) => `Most likely: ${top}`,
  },
};

// One short sentence in each of several dialects (label of the country it is typical of).
const examples = [
  { dialect: "Egypt", text: "إزيك يا صاحبي، عامل إيه النهارده؟" },
  { dialect: "Saudi_Arabia", text: "وش لونك؟ وش تسوي هالحين؟" },
  { dialect: "Syria", text: "كيفك؟ شو عم تعمل هلق؟" },
  { dialect: "Iraq", text: "شلونك حبيبي؟ شكو ماكو اليوم؟" },
  { dialect: "Morocco", text: "واش نتا بخير؟ بغيت نمشي للدار دابا" },
  { dialect: "Tunisia", text: "شنوة أحوالك؟ عندي برشا خدمة اليوم" },
  { dialect: "Algeria", text: "واش راك خويا؟ راني نخدم بزاف" },
  { dialect: "Sudan", text: "إنت كيفنك يا زول؟ ماشي وين؟" },
  { dialect: "Yemen", text: "كيف حالك يا خبير؟ ايش تشتي تاكل؟" },
  { dialect: "UAE", text: "شحالك؟ شو تبا تسوي باكر؟" },
];

const MAX_TABLE_ROWS = 500;
const state = {
  lang: "ar", dialects: [], byLabel: new Map(), model: null, map: null,
  result: null, batch: [], ruleShown: false,
};
const $ = (id) => document.getElementById(id);
const t = (key) => strings[state.lang][key];
const name = (label) => {
  const d = state.byLabel.get(label);
  return d ? (state.lang === "ar" ? d.arabic : d.english) : label;
};
const threshold = () => Number($("threshold").value);
const relativeThreshold = () => Number($("relative-threshold").value);
const fmt = (p) => p.toFixed(2);

async function api(path, body) {
  const headers = { Accept: "application/json" };
  const key = $("api-key").value.trim();
  if (key) headers.Authorization = `Bearer ${key}`;
  const init = body === undefined ? { headers } : { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, init);
  const json = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error(json?.detail || json?.title || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return json;
}

// A status is kept as its string's key (and arguments), so that switching the language re-renders it.
const statuses = new Map();
function setStatus(element, key, args = [], isError = false, suffix = "") {
  statuses.set(element, { key, args, isError, suffix });
  renderStatus(element);
}

function renderStatus(element) {
  const status = statuses.get(element);
  if (!status) return;
  const text = t(status.key);
  element.textContent = (typeof text === "function" ? text(...status.args) : text) + status.suffix;
  element.classList.toggle("error", status.isError);
}

// The server's own message (English, naming the field) follows the page's words.
function setFailure(element, error) {
  if (error.status === 401) setStatus(element, "needKey", [], true);
  else setStatus(element, "failed", [], true, error.message);
}

// --- language -------------------------------------------------------------------------------------------------------

function applyLanguage() {
  const html = document.documentElement;
  html.lang = state.lang;
  html.dir = state.lang === "ar" ? "rtl" : "ltr";
  document.title = t("pageTitle");
  for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of document.querySelectorAll("[data-i18n-aria]")) element.setAttribute("aria-label", t(element.dataset.i18nAria));
  const toggle = $("lang-toggle");
  toggle.textContent = t("toggle");
  toggle.lang = state.lang === "ar" ? "en" : "ar";
  renderExamples();
  renderRule();
  renderLabels();
  for (const element of statuses.keys()) renderStatus(element);
  if (state.result) renderResult();
  renderBatch();
}

function renderExamples() {
  const holder = $("examples");
  holder.replaceChildren(...examples.map((example) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = name(example.dialect);
    button.dataset.dialect = example.dialect;
    button.addEventListener("click", () => {
      $("text-input").value = example.text;
      $("text-input").focus();
    });
    return button;
  }));
}

// --- single text ----------------------------------------------------------------------------------------------------

async function identify(event) {
  event?.preventDefault();
  const text = $("text-input").value;
  if (!text.trim()) {
    setStatus($("status"), "empty", [], true);
    $("text-input").focus();
    return;
  }
  const button = $("identify-button");
  button.disabled = true;
  setStatus($("status"), "working");
  try {
    const response = await api("/v1/identify", { text, top_k: 3, preprocess: $("preprocess").value, ...ruleFields() });
    state.result = response.results[0];
    $("results").hidden = false;
    renderResult();
    setStatus($("status"), "done");
  } catch (error) {
    setFailure($("status"), error);
  } finally {
    button.disabled = false;
  }
}

// --- decision rule --------------------------------------------------------------------------------------------------

// The request fields that make the server decide as the page shows.
function ruleFields() {
  return { threshold: threshold(), relative_threshold: relativeThreshold() };
}

// Per-dialect thresholds from the model's lahja.json apply to their dialects, whatever the slider says (as with
// lahja predict --threshold).
function thresholdFor(label) {
  const own = state.model?.dialect_thresholds;
  return own && own[label] !== undefined ? own[label] : threshold();
}

// Where each dialect starts being predicted: its threshold, or the relative floor if higher. With single = true in
// single precision, as the server compares, so that a probability right at the cut is decided the same way.
function cuts(probabilities, single = false) {
  const f = single ? Math.fround : (x) => x;
  const top = Math.max(...Object.values(probabilities));
  const floor = f(f(relativeThreshold()) * f(top));
  return Object.fromEntries(Object.keys(probabilities).map((label) => [label, Math.max(f(thresholdFor(label)), floor)]));
}

function predicted(result) {
  const cut = cuts(result.probabilities, true);
  return Object.entries(result.probabilities).filter(([label, p]) => Math.fround(p) >= cut[label]).sort((a, b) => b[1] - a[1]).map(([label]) => label);
}

function renderRule() {
  $("threshold-value").textContent = fmt(threshold());
  $("relative-threshold-value").textContent = fmt(relativeThreshold());
  const top = state.result ? Math.max(...Object.values(state.result.probabilities)) : undefined;
  let text = t("rule")(fmt(threshold()), fmt(relativeThreshold()), top === undefined || relativeThreshold() === 0 ? undefined : fmt(relativeThreshold() * top));
  const own = Object.keys(state.model?.dialect_thresholds ?? {}).length;
  if (own) text += t("ownThresholds")(own);
  if (state.model) {
    const isModel = fmt(threshold()) === fmt(state.model.threshold) && fmt(relativeThreshold()) === fmt(state.model.relative_threshold);
    text += isModel ? t("modelRule") : t("notModelRule")(fmt(state.model.threshold), fmt(state.model.relative_threshold));
  }
  $("threshold-rule").textContent = text;
}

function setModelRule() {
  if (!state.model) return;
  $("threshold").value = String(state.model.threshold);
  $("relative-threshold").value = String(state.model.relative_threshold);
  ruleChanged();
}

function ruleChanged() {
  renderRule();
  if (state.result) renderResult();
  renderBatch();
}

function renderResult() {
  const result = state.result;
  const chosen = new Set(predicted(result));
  const cut = cuts(result.probabilities);

  const chips = [...chosen].map((label) => {
    const li = document.createElement("li");
    li.className = "chip";
    li.dataset.dialect = label;
    li.append(name(label));
    const value = document.createElement("span");
    value.className = "chip-value";
    value.textContent = fmt(result.probabilities[label]);
    li.append(value);
    return li;
  });
  $("chips").replaceChildren(...chips);
  $("no-chips").hidden = chips.length > 0;

  const sorted = Object.entries(result.probabilities).sort((a, b) => b[1] - a[1]);
  $("bars").replaceChildren(...sorted.map(([label, p]) => {
    const row = document.createElement("li");
    row.className = "bar-row" + (chosen.has(label) ? " above" : "");
    row.dataset.dialect = label;
    row.dataset.probability = String(p);
    const labelSpan = document.createElement("span");
    labelSpan.className = "bar-label";
    labelSpan.textContent = name(label);
    const track = document.createElement("span");
    track.className = "bar-track";
    track.setAttribute("aria-hidden", "true");
    const fill = document.createElement("span");
    fill.className = "bar-fill";
    fill.style.insetInlineEnd = `${(1 - p) * 100}%`;
    const line = document.createElement("span");
    line.className = "bar-threshold";
    line.style.insetInlineStart = `${cut[label] * 100}%`;
    track.append(fill, line);
    const value = document.createElement("span");
    value.className = "bar-value";
    value.textContent = fmt(p);
    row.append(labelSpan, track, value);
    return row;
  }));

  renderMap(result.probabilities, chosen);
  $("map-summary").textContent = t("mapSummary")(sorted.slice(0, 3).map(([label, p]) => `${name(label)} ${fmt(p)}`).join("، "));

  renderRule();
  $("regions").replaceChildren(...Object.entries(result.regions).map(([region, p]) => {
    const li = document.createElement("li");
    const info = state.dialects.find((d) => d.region === region);
    li.append(state.lang === "ar" && info ? info.region_arabic : region);
    const value = document.createElement("span");
    value.textContent = fmt(p);
    li.append(value);
    return li;
  }));
}

// --- map ------------------------------------------------------------------------------------------------------------

const SVG = "http://www.w3.org/2000/svg";

// Sequential blues: pale at 0, dark at 1; text never sits on it, so only the ends' distinctness matters.
function colour(p) {
  const stops = [[247, 251, 255], [107, 174, 214], [8, 48, 107]];
  const x = Math.min(1, Math.max(0, p)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i].map((v, k) => Math.round(v + (stops[i + 1][k] - v) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

// Needs the map and the dialect list (which may wait for the API key); drawn once.
function drawMap() {
  const map = state.map;
  const svg = $("map");
  if (!map || !state.dialects.length || svg.childElementCount) return;
  svg.setAttribute("viewBox", `0 0 ${map.width} ${map.height}`);
  const make = (tag, attributes) => {
    const element = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attributes)) element.setAttribute(k, v);
    return element;
  };
  for (const neighbour of map.neighbours) svg.append(make("path", { d: neighbour.d, class: "neighbour" }));
  const byIso = new Map(state.dialects.map((d) => [d.iso, d.label]));
  for (const country of map.countries) {
    const label = byIso.get(country.iso);
    const path = make("path", { d: country.d, class: "country", "data-iso": country.iso, "data-dialect": label, fill: colour(0) });
    path.append(make("title", {}));
    svg.append(path);
  }
  // Markers so that the tiny countries' colours sit on top of their neighbours.
  for (const country of map.countries.filter((c) => c.small)) {
    const marker = make("circle", { cx: country.centroid[0], cy: country.centroid[1], r: 6, class: "marker", "data-iso": country.iso, "data-dialect": byIso.get(country.iso), fill: colour(0) });
    marker.append(make("title", {}));
    svg.append(marker);
  }
  // Names last, above every shape; where the Levant and the Gulf crowd, moved off the country (see LABEL_PLACES).
  for (const country of map.countries) {
    const [dx, dy, anchor] = LABEL_PLACES[country.iso] ?? [0, 4, "middle"];
    svg.append(make("text", {
      x: country.centroid[0] + dx, y: country.centroid[1] + dy, "text-anchor": anchor,
      class: "country-label" + (country.small ? " small" : ""), "data-label-for": byIso.get(country.iso),
    }));
  }
  renderLabels();
}

// Label offsets from the centroid (map units) and anchors, for countries too small or too close for a centred name:
// Lebanon and Palestine go out to sea, Kuwait, Bahrain and Qatar beside their markers.
const LABEL_PLACES = {
  LB: [-10, 4, "end"], PS: [-12, 6, "end"], JO: [4, 10, "middle"], SY: [4, 0, "middle"],
  KW: [10, 0, "start"], BH: [-6, -6, "end"], QA: [-2, 24, "middle"], AE: [8, 6, "middle"],
};

// Country names in the page's language: Arabic names, or the English labels (short: UAE, Saudi Arabia).
function renderLabels() {
  for (const text of $("map").querySelectorAll("text.country-label")) {
    const label = text.dataset.labelFor;
    text.textContent = state.lang === "ar" ? name(label) : label.replace(/_/g, " ");
  }
}

function renderMap(probabilities, chosen) {
  if (!state.map) return;
  for (const element of $("map").querySelectorAll("[data-dialect]")) {
    const label = element.dataset.dialect;
    const p = probabilities[label];
    const known = p !== undefined;
    element.setAttribute("fill", known ? colour(p) : "#e4e4e4");
    element.dataset.probability = known ? String(p) : "";
    element.classList.toggle("above", chosen.has(label));
    element.querySelector("title").textContent = known ? `${name(label)}: ${fmt(p)}` : name(label);
  }
}

// --- batch ----------------------------------------------------------------------------------------------------------

// RFC 4180 fields: quotes around a field allow the delimiter, newlines and doubled quotes inside it.
function parseDelimited(text, delimiter) {
  const rows = [];
  let row = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === delimiter) { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += c;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows.filter((r) => r.some((f) => f.trim() !== ""));
}

function textsFromFile(fileName, content) {
  content = content.replace(/^\uFEFF/, "");
  const lower = fileName.toLowerCase();
  if (!lower.endsWith(".csv") && !lower.endsWith(".tsv")) return content.split(/\r?\n/).filter((line) => line.trim() !== "");
  const rows = parseDelimited(content, lower.endsWith(".tsv") ? "\t" : ",");
  if (rows.length === 0) return [];
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const wanted = ["text", "sentence", "content", "tweet"];
  let column = header.findIndex((h) => wanted.includes(h));
  if (column < 0) column = header.findIndex((h) => wanted.some((w) => h.includes(w)));
  // No recognisable header: the file is all data, and the text is its first column.
  if (column < 0) return rows.map((r) => r[0] ?? "");
  return rows.slice(1).map((r) => r[column] ?? "");
}

async function runBatch() {
  const file = $("batch-file").files[0];
  if (!file) return;
  const status = $("batch-status");
  const texts = textsFromFile(file.name, await file.text());
  state.batch = [];
  renderBatch();
  if (texts.length === 0) {
    setStatus(status, "batchEmpty", [], true);
    return;
  }
  const chunk = state.model?.limits?.max_texts_per_request ?? 64;
  const results = new Array(texts.length);
  let done = 0;
  setStatus(status, "batchWorking", [0, texts.length]);
  try {
    for (let start = 0; start < texts.length; start += chunk) {
      const part = texts.slice(start, start + chunk);
      const response = await api("/v1/identify", { texts: part, top_k: 3, preprocess: $("preprocess").value, ...ruleFields() });
      response.results.forEach((r, i) => { results[start + i] = r; });
      done += part.length;
      setStatus(status, "batchWorking", [done, texts.length]);
    }
  } catch (error) {
    setFailure(status, error);
    return;
  }
  state.batch = results;
  renderBatch();
  setStatus(status, texts.length > MAX_TABLE_ROWS ? "batchDoneShown" : "batchDone", [texts.length, MAX_TABLE_ROWS]);
}

function renderBatch() {
  const has = state.batch.length > 0;
  $("batch-actions").hidden = !has;
  $("batch-table-wrap").hidden = !has;
  const rows = state.batch.slice(0, MAX_TABLE_ROWS).map((result, i) => {
    const tr = document.createElement("tr");
    const cells = [String(i + 1), result.text, predicted(result).map(name).join("، "), `${name(result.top[0].dialect)} ${fmt(result.top[0].probability)}`];
    cells.forEach((value, k) => {
      const td = document.createElement("td");
      td.textContent = value;
      if (k === 1) { td.className = "text-cell"; td.dir = "auto"; }
      tr.append(td);
    });
    return tr;
  });
  $("batch-table").tBodies[0].replaceChildren(...rows);
}

function csvField(value) {
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function download(fileName, type, content) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function downloadCsv() {
  const labels = state.dialects.map((d) => d.label);
  const lines = [["text", "dialects", ...labels].join(",")];
  for (const result of state.batch)
    lines.push([result.text, predicted(result).join(";"), ...labels.map((l) => result.probabilities[l])].map(csvField).join(","));
  // A byte-order mark so that spreadsheet programs read the Arabic as UTF-8.
  download("lahja-results.csv", "text/csv;charset=utf-8", "\uFEFF" + lines.join("\r\n") + "\r\n");
}

function downloadJsonl() {
  const lines = state.batch.map((r) => JSON.stringify({ text: r.text, dialects: predicted(r), probabilities: r.probabilities, top: r.top, regions: r.regions }));
  download("lahja-results.jsonl", "application/x-ndjson;charset=utf-8", lines.join("\n") + "\n");
}

// --- start ----------------------------------------------------------------------------------------------------------

async function start() {
  $("lang-toggle").addEventListener("click", () => {
    state.lang = state.lang === "ar" ? "en" : "ar";
    applyLanguage();
  });
  $("identify-form").addEventListener("submit", identify);
  $("text-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) identify(event);
  });
  $("threshold").addEventListener("input", ruleChanged);
  $("relative-threshold").addEventListener("input", ruleChanged);
  $("rule-reset").addEventListener("click", setModelRule);
  $("batch-file").addEventListener("change", runBatch);
  $("download-csv").addEventListener("click", downloadCsv);
  $("download-jsonl").addEventListener("click", downloadJsonl);
  $("api-key").addEventListener("change", () => loadModel());

  // The dialect names and the map are open; /v1/model may need the key, and the page works without it.
  try {
    state.dialects = await fetch("/v1/dialects", { headers: $("api-key").value ? { Authorization: `Bearer ${$("api-key").value}` } : {} }).then((r) => (r.ok ? r.json() : []));
  } catch { state.dialects = []; }
  state.byLabel = new Map(state.dialects.map((d) => [d.label, d]));
  applyLanguage();
  try {
    state.map = await fetch("/map/arab-world.json").then((r) => r.json());
  } catch { state.map = null; }
  if (state.dialects.length) drawMap();
  await loadModel();
  document.body.dataset.ready = "true";
}

async function loadModel() {
  try {
    state.model = await api("/v1/model");
    if (!state.dialects.length) {
      state.dialects = await api("/v1/dialects");
      state.byLabel = new Map(state.dialects.map((d) => [d.label, d]));
      applyLanguage();
      drawMap();
    }
  } catch (error) {
    setFailure($("status"), error);
    return;
  }
  // What the model is and how good (its lahja.json description), e.g. that the bundled one is a small demonstration.
  $("model-note").textContent = state.model.description ?? "";
  $("model-note").hidden = !state.model.description;
  const select = $("preprocess");
  const current = select.value || state.model.preprocessing;
  select.replaceChildren(...state.model.preprocessing_presets.map((preset) => new Option(preset, preset, false, preset === current)));
  // The sliders start at the model's rule (once: a key given later keeps what the user set).
  if (!state.ruleShown) {
    state.ruleShown = true;
    setModelRule();
  }
  renderRule();
}

start();
