// What WDQS and YASGUI offer around a query: the queries run before, kept in this browser
// (localStorage, never sent anywhere), and code that runs the current query from curl,
// Python (SPARQLWrapper) or JavaScript (fetch).

import { el } from "./results.js";

const KEY = "govkg.queryHistory";
const KEEP = 20;

function history() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || "[]");
  } catch {
    return [];
  }
}

export function remember(text) {
  const kept = [text, ...history().filter((q) => q !== text)].slice(0, KEEP);
  try {
    localStorage.setItem(KEY, JSON.stringify(kept));
  } catch {
    // storage full or forbidden: history is a convenience
  }
}

export function showHistory(strings, open) {
  const box = document.getElementById("query-history");
  if (!box) return;
  const queries = history();
  box.hidden = queries.length === 0;
  const list = el("ol", {}, ...queries.map((q) => {
    const button = el("button", { type: "button", class: "link", title: q }, q.replace(/\s+/g, " ").slice(0, 90));
    button.addEventListener("click", () => open(q));
    return el("li", {}, button);
  }));
  const clear = el("button", { type: "button", class: "link clear" }, strings.history_clear);
  clear.addEventListener("click", () => {
    localStorage.removeItem(KEY);
    showHistory(strings, open);
  });
  box.replaceChildren(el("h2", {}, strings.history), list, clear);
}

function pythonString(text) {
  return `"""${text.replace(/\\/g, "\\\\").replace(/"""/g, '\\"\\"\\"')}"""`;
}

function shellQuote(text) {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

export function snippets(endpoint, text) {
  return [
    ["curl", `curl -H 'Accept: application/sparql-results+json' \\\n  --data-urlencode query=${shellQuote(text)} \\\n  ${endpoint}`],
    ["Python", `from SPARQLWrapper import JSON, SPARQLWrapper\n\nsparql = SPARQLWrapper(${JSON.stringify(endpoint)})\nsparql.setQuery(${pythonString(text)})\nsparql.setReturnFormat(JSON)\nfor row in sparql.query().convert()["results"]["bindings"]:\n    print(row)`],
    ["JavaScript", `const query = ${JSON.stringify(text)};\nconst response = await fetch(${JSON.stringify(endpoint)}, {\n  method: "POST",\n  headers: { Accept: "application/sparql-results+json",\n             "Content-Type": "application/x-www-form-urlencoded" },\n  body: new URLSearchParams({ query }),\n});\nconst { results } = await response.json();\nconsole.log(results.bindings);`],
  ];
}

export function showSnippets(endpoint, text, strings) {
  const box = document.getElementById("query-code");
  if (!box) return;
  const wasOpen = box.open;
  const blocks = snippets(endpoint, text).map(([name, code]) =>
    el("section", { class: "snippet" }, el("h3", {}, name), el("pre", {}, el("code", {}, code))));
  box.replaceChildren(el("summary", {}, strings.code), ...blocks);
  box.hidden = false;
  box.open = wasOpen;
}
