// govkg's SPARQL query editor at /sparql: CodeMirror 6 with SPARQL highlighting, completion
// by position in the triple (properties, classes after a, entities; from /sparql/terms) and
// of prefixes and terms from /sparql/completions.json, Ctrl+Enter (Cmd+Enter) to run, syntax
// errors marked where the endpoint's 400 says ("line L, column C"), results as a table with
// a bar chart, a timeline or a node-link graph where they fit, and the query in the URL.
//
// The page works without this script (a form and a server-rendered table); this script
// upgrades it. Every string comes from the page's <script type="application/json"
// id="editor-config"> block, in the page's language.
//
// Rebuild the committed bundle (src/govkg/web/static/query-editor.js and its licences):
//   cd js && npm ci && npm run build

import { basicSetup, EditorView } from "codemirror";
import { Prec } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import { StreamLanguage } from "@codemirror/language";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";
import { linter, setDiagnostics, lintGutter } from "@codemirror/lint";
import { completionTypes, sparqlCompletions } from "./complete.js";
import { lintQuery } from "./lint.js";
import { barChart, el, format, MAX_ROWS, Namer, numericColumn, table, temporalColumn, timeline } from "./results.js";
import { graphView, parseNTriples } from "./graph.js";
import { remember, showHistory, showSnippets } from "./extras.js";
import { badge, fetchReportOnly, legend, readingMarks, rowKey, whyUnmarkable } from "./readings.js";

const config = JSON.parse(document.getElementById("editor-config").textContent);
const strings = config.strings;
const form = document.getElementById("query-form");
const textarea = document.getElementById("query-text");
const resultsBox = document.getElementById("results");
const runButton = document.getElementById("run-query");
const formatSelect = document.getElementById("query-format");

let completionsPromise = null;
function loadCompletions() {
  completionsPromise ??= fetch(config.completions, { headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : { prefixes: {}, terms: [] }))
    .catch(() => ({ prefixes: {}, terms: [] }));
  return completionsPromise;
}

const language = StreamLanguage.define(sparql);
const view = new EditorView({
  doc: textarea.value,
  extensions: [
    basicSetup,
    language,
    language.data.of({ autocomplete: sparqlCompletions(loadCompletions, config.lang, config.terms, strings) }),
    completionTypes,
    lintGutter(),
    // Checked as it is typed, against the prefixes the endpoint declares.
    linter(async (view) => {
      const { prefixes } = await loadCompletions();
      return lintQuery(view.state.doc.toString(), prefixes || {}, strings)
        .map((d) => ({ ...d, severity: "error" }));
    }, { delay: 400 }),
    Prec.highest(keymap.of([{ key: "Mod-Enter", run: () => { run(true); return true; } }])),
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({ "aria-label": strings.editor_label }),
    EditorView.editorAttributes.of({ class: "query-editor" }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) textarea.value = update.state.doc.toString();
    }),
  ],
});
textarea.hidden = true;
textarea.after(view.dom);

function query() {
  return view.state.doc.toString();
}

function endpointUrl(params) {
  return `${config.endpoint}?${new URLSearchParams(params).toString()}`;
}

// The error's position as an editor range: Oxigraph counts lines and columns from 1 and
// often points just past the token it could not use, so at a space or the end of a line the
// token before it is marked.
function markError(message) {
  const match = /line (\d+), column (\d+)/.exec(message);
  const doc = view.state.doc;
  let from = 0, to = doc.length;
  if (match) {
    const line = doc.line(Math.min(Math.max(Number(match[1]), 1), doc.lines));
    const at = Math.min(line.from + Number(match[2]) - 1, line.to);
    const after = /^[^\s(){}.,;]+/.exec(doc.sliceString(at, line.to));
    if (after) {
      [from, to] = [at, at + after[0].length];
    } else {
      const before = /[^\s(){}.,;]+\s*$/.exec(doc.sliceString(line.from, at));
      [from, to] = before ? [line.from + before.index, line.from + before.index + before[0].trimEnd().length]
        : [at, Math.min(at + 1, line.to)];
    }
  }
  view.dispatch(setDiagnostics(view.state, [{ from, to, severity: "error", message }]));
  return match ? { line: Number(match[1]), column: Number(match[2]) } : null;
}

// The parser's message without the character classes it lists (\u{00C0}..='\u{00D6} …),
// which say nothing to a reader: what it expected, in words, or only where it stopped.
function readable(message) {
  const at = /line (\d+), column (\d+)/.exec(message);
  if (!/\\u\{/.test(message)) return message.replace(/^SPARQL syntax error at line \d+, column \d+: /, "");
  return at ? format(strings.cannot_read_at, { line: at[1], column: at[2] }) : strings.cannot_read;
}

function downloads(kind, text) {
  const formats = kind === "graph"
    ? [["Turtle", "turtle"], ["N-Triples", "ntriples"], ["JSON-LD", "jsonld"], ["RDF/XML", "rdfxml"]]
    : [["CSV", "csv"], ["TSV", "tsv"], ["JSON", "json"], ["XML", "xml"]];
  const links = formats.flatMap(([name, value], i) => [
    i ? " · " : "", el("a", { href: endpointUrl({ query: text, format: value }), class: `download-${value}`, download: "" }, name)]);
  return el("p", { class: "downloads" }, `${strings.download}: `, ...links);
}

function tabs(views) {
  const bar = el("div", { class: "view-tabs", role: "tablist", "aria-label": strings.views });
  const panels = el("div", { class: "view-panels" });
  views.forEach(([name, id, content], i) => {
    const tab = el("button", { type: "button", role: "tab", id: `tab-${id}`, "aria-controls": `panel-${id}`,
      "aria-selected": String(i === 0), tabindex: i === 0 ? "0" : "-1" }, name);
    const panel = el("div", { role: "tabpanel", id: `panel-${id}`, "aria-labelledby": `tab-${id}`, class: `view view-${id}` }, content);
    panel.hidden = i !== 0;
    tab.addEventListener("click", () => {
      for (const other of bar.children) { other.setAttribute("aria-selected", "false"); other.tabIndex = -1; }
      for (const other of panels.children) other.hidden = true;
      tab.setAttribute("aria-selected", "true");
      tab.tabIndex = 0;
      panel.hidden = false;
    });
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const buttons = [...bar.children];
      const next = buttons[(buttons.indexOf(tab) + step + buttons.length) % buttons.length];
      next.focus();
      next.click();
    });
    bar.append(tab);
    panels.append(panel);
  });
  return views.length > 1 ? [bar, panels] : [panels];
}

function count(n, one, many) {
  return format(n === 1 ? one : many, { n: n.toLocaleString() });
}

// The results right under the editor: bring their start into view when it is off screen.
function revealResults() {
  const box = resultsBox.getBoundingClientRect();
  if (box.top < 0 || box.top > window.innerHeight - 80) resultsBox.scrollIntoView({ block: "start", behavior: "smooth" });
}

// The rows of a SPARQL JSON answer as compared for marks (readings.js), the first `shown`
// of them (all of the other answer's: a shown row may come later there); an ASK's one "row".
function selectKeys(data, shown = Infinity) {
  if (typeof data.boolean === "boolean") return [String(data.boolean)];
  return data.results.bindings.slice(0, shown).map((b) => rowKey(data.head.vars.map((v) => b[v])));
}

function graphKeys(triples, shown = Infinity) {
  return triples.slice(0, shown).map((t) => rowKey([t.subject, t.predicate, t.object]));
}

// `readings(keys)`: the marks of the shown rows, or why there are none (readings.js).
function showSelect(data, namer, text, readings) {
  const { marks, unmarked } = readings(selectKeys(data, MAX_ROWS));
  const mark = (i) => (marks && marks[i] ? badge(strings) : null);
  const note = legend(strings, marks, unmarked);
  if (typeof data.boolean === "boolean") {
    return [el("p", { class: "boolean" }, `${strings.answer}: `, el("strong", {}, data.boolean ? strings.yes : strings.no),
      ...(mark(0) ? [" ", mark(0)] : [])), note];
  }
  const vars = data.head.vars;
  const bindings = data.results.bindings;
  const shown = bindings.slice(0, MAX_ROWS);
  const summary = count(bindings.length, strings.results_one, strings.results_many)
    + (bindings.length > shown.length ? `, ${format(strings.first_shown, { n: shown.length })}` : "");
  const views = [[strings.table, "table", table(vars, shown.map((b) => vars.map((v) => b[v])), (t) => namer.node(t), mark)]];
  const room = Math.min(Math.max(resultsBox.clientWidth, 300), 760);
  if (numericColumn(vars, shown) && vars.length > 1) views.push([strings.bar_chart, "chart", barChart(vars, shown, namer, strings, room)]);
  if (temporalColumn(vars, shown)) views.push([strings.timeline, "timeline", timeline(vars, shown, namer, strings, room)]);
  return [el("p", { class: "summary" }, summary), note, ...(bindings.length ? tabs(views) : []), downloads("results", text)];
}

function showGraph(triples, namer, text, readings) {
  const { marks, unmarked } = readings(graphKeys(triples, MAX_ROWS));
  const mark = (i) => (marks && marks[i] ? badge(strings) : null);
  const summary = count(triples.length, strings.triples_one, strings.triples_many);
  const rows = triples.slice(0, MAX_ROWS).map((t) => [t.subject, t.predicate, t.object]);
  const views = [];
  const drawing = graphView(triples, namer, strings, (i) => Boolean(marks && marks[i]));
  if (drawing) views.push([strings.graph, "graph", drawing]);
  views.push([strings.table, "table", table(["subject", "predicate", "object"], rows, (t) => namer.node(t), mark)]);
  return [el("p", { class: "summary" }, summary), legend(strings, marks, unmarked),
    ...(triples.length ? tabs(views) : []), downloads("graph", text)];
}

function isGraphQuery(text) {
  const body = text.replace(/#[^\n]*/g, " ").replace(/\b(PREFIX|BASE)\b[^>]*>/gi, " ");
  return /^\s*(CONSTRUCT|DESCRIBE)\b/i.test(body);
}

let running = 0;
async function run(updateUrl) {
  const text = query();
  const ticket = ++running;
  if (updateUrl) {
    const url = endpointUrl({ query: text });
    if (url !== location.pathname + location.search) history.pushState({ query: text }, "", url);
  }
  view.dispatch(setDiagnostics(view.state, []));
  runButton.disabled = true;
  resultsBox.setAttribute("aria-busy", "true");
  // A quick answer replaces the old results at once; a slow one says it is running.
  const pending = setTimeout(() => {
    if (ticket === running) resultsBox.replaceChildren(el("p", { class: "running" }, strings.running));
  }, 250);
  const graph = isGraphQuery(text);
  // Both, the likelier first: the answer's Content-Type says which one came.
  const accept = graph ? "application/n-triples, application/sparql-results+json;q=0.5"
    : "application/sparql-results+json, application/n-triples;q=0.5";
  // Which results rest on a reading-in: the same query over the report's own graphs, at once.
  const unmarkable = whyUnmarkable(text);
  const started = performance.now();
  let response, body, completions, comparison;
  try {
    [response, completions, comparison] = await Promise.all([
      fetch(config.endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: accept },
        body: new URLSearchParams({ query: text }),
      }),
      loadCompletions(),
      unmarkable ? null : fetchReportOnly(config.endpoint, text, config.report_graphs, accept),
    ]);
    body = await response.text();
  } catch (error) {
    if (ticket === running) {
      resultsBox.replaceChildren(el("p", { class: "error", role: "alert" }, `${strings.network_error} (${error.message})`));
    }
    return;
  } finally {
    clearTimeout(pending);
    if (ticket === running) {
      runButton.disabled = false;
      resultsBox.removeAttribute("aria-busy");
    }
  }
  if (ticket !== running) return;
  const namer = new Namer(config, completions);
  if (!response.ok) {
    const message = body.replace(/^\d{3} [^:]*: /, "").replace(/\nRequest id: \w+\s*$/, "").trim();
    const plain = response.status === 400 ? lintQuery(text, completions.prefixes || {}, strings)[0] : null;
    let where;
    if (plain) {
      // The plain-words finding, marked at its word; the parser's own message on demand.
      const line = view.state.doc.lineAt(plain.from);
      where = { line: line.number, column: plain.from - line.from + 1 };
      view.dispatch(setDiagnostics(view.state, [{ ...plain, severity: "error" }]));
    } else {
      where = markError(message);
    }
    const said = plain ? plain.message : readable(message);
    const parts = [el("strong", {}, `${strings.error}: `), said];
    if (where) parts.push(" ", el("span", { class: "where" }, format(strings.error_at, where)));
    const details = el("details", { class: "parser-message" }, el("summary", {}, strings.parser_said), el("pre", {}, message));
    resultsBox.replaceChildren(el("div", { class: "error", role: "alert" }, el("p", {}, ...parts), details));
    revealResults();
    return;
  }
  const took = format(strings.took, { ms: Math.round(performance.now() - started).toLocaleString() });
  const type = response.headers.get("Content-Type") || "";
  const cut = response.headers.get("X-Govkg-Truncated") === "true";
  const triples = type.startsWith("application/n-triples");
  const readings = (keys) => readingMarks(keys, type, comparison, cut ? "truncated" : unmarkable,
    (other) => (triples ? graphKeys(parseNTriples(other)) : selectKeys(JSON.parse(other))));
  const nodes = (triples ? showGraph(parseNTriples(body), namer, text, readings)
    : showSelect(JSON.parse(body), namer, text, readings)).filter(Boolean);
  // The endpoint cut the result at its row limit: say so, never show a silent truncation.
  if (response.headers.get("X-Govkg-Truncated") === "true") {
    const rows = response.headers.get("X-Govkg-Max-Rows") || "?";
    nodes.unshift(el("p", { class: "error truncated", role: "status" }, format(strings.truncated, { n: rows })));
  }
  remember(text);
  showHistory(strings, setAndRun);
  showSnippets(new URL(config.endpoint, location.href).href, text, strings);
  const summary = nodes.find((node) => node.classList && node.classList.contains("summary"));
  if (summary) summary.append(` · ${took}`);
  resultsBox.replaceChildren(...nodes);
  revealResults();
}

// "Copy link": the page's address with the current query, for sharing a query and its results.
const copyButton = el("button", { type: "button", class: "secondary-action", id: "copy-link" }, strings.copy_link);
copyButton.addEventListener("click", async () => {
  const url = new URL(endpointUrl({ query: query() }), location.href).href;
  try {
    await navigator.clipboard.writeText(url);
    copyButton.textContent = strings.copied;
  } catch {
    window.prompt(strings.copy_link, url);
  }
  setTimeout(() => { copyButton.textContent = strings.copy_link; }, 2000);
});
runButton.after(" ", copyButton);

function setQuery(text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

function setAndRun(text) {
  setQuery(text);
  run(true);
}
showHistory(strings, setAndRun);
showSnippets(new URL(config.endpoint, location.href).href, query(), strings);

form.addEventListener("submit", (event) => {
  if (formatSelect.value !== "html") return; // other formats: the browser fetches the file
  event.preventDefault();
  run(true);
});

for (const link of document.querySelectorAll("a[data-example]")) {
  link.addEventListener("click", (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    setQuery(link.dataset.example);
    formatSelect.value = "html";
    run(true);
    view.focus();
    form.scrollIntoView({ block: "start" });
  });
}

window.addEventListener("popstate", () => {
  const text = new URLSearchParams(location.search).get("query");
  if (text !== null) {
    setQuery(text);
    run(false);
  }
});

// Opened from a shared link: show the query's results with the views the server cannot draw.
if (new URLSearchParams(location.search).get("query") !== null) run(false);
loadCompletions();
