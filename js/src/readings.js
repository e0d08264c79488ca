// Which results rest on a reading-in (graph/editorial), the editor's side of
// govkg.web.readings: the same query is sent again, by the SPARQL protocol, over the report's
// own graphs (every graph but graph/editorial, as default-graph-uri and named-graph-uri), and
// a row or triple that answer does not give is marked. Rows are compared as a multiset and
// blank nodes as "some blank node". Where the comparison would not be fair (a result cut at
// the row limit, LIMIT or OFFSET without ORDER BY, a query with FROM, a comparison that did
// not finish) nothing is marked and the page says why.

import { el } from "./results.js";

// The query's words, without comments, strings and IRIs (which may hold any word).
function words(text) {
  return text.replace(/<[^<>"{}|^`\\\s]*>/g, " ")
    .replace(/'''[\s\S]*?'''|"""[\s\S]*?"""|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, " ")
    .replace(/#[^\n]*/g, " ")
    .toUpperCase().match(/[A-Z_]+/g) || [];
}

// Why this query's results cannot be compared fairly, or null if they can.
export function whyUnmarkable(text) {
  const found = new Set(words(text));
  if (found.has("FROM")) return "own-dataset";
  if ((found.has("LIMIT") || found.has("OFFSET")) && !found.has("ORDER")) return "unordered-limit";
  return null;
}

// The form body of the same query over the report's own graphs.
export function reportOnly(text, graphs) {
  const params = new URLSearchParams({ query: text });
  for (const graph of graphs) params.append("default-graph-uri", graph);
  for (const graph of graphs) params.append("named-graph-uri", graph);
  return params;
}

// A row of terms (SPARQL JSON form, or as graph.js reads N-Triples) as compared.
export function rowKey(terms) {
  return JSON.stringify(terms.map((t) => (!t ? null : t.type === "bnode" ? "_:"
    : [t.type, t.value, t["xml:lang"] || "", t.datatype || ""])));
}

// For each row key, whether it rests on a reading-in: beyond the times the report's graphs
// give it.
export function restingOnReadings(keys, reportKeys) {
  const left = new Map();
  for (const key of reportKeys) left.set(key, (left.get(key) || 0) + 1);
  return keys.map((key) => {
    const times = left.get(key) || 0;
    left.set(key, times - 1);
    return times <= 0;
  });
}

export function badge(strings) {
  return el("span", { class: "editorial", title: strings.reading_title }, strings.reading_badge);
}

// What the marks mean, or why there are none; null when there is nothing to say.
export function legend(strings, marks, unmarked) {
  if (unmarked) {
    return el("p", { class: "readings-note", "data-unmarked": unmarked }, strings[`unmarked_${unmarked.replace("-", "_")}`]);
  }
  if (!marks || !marks.length) return null;
  if (marks.some(Boolean)) return el("p", { class: "readings-legend" }, badge(strings), " ", strings.reading_legend);
  return el("p", { class: "readings-legend none" }, strings.reading_none);
}

// The same query over the report's own graphs, sent beside the main one; null when it
// failed. `answer`: { type, truncated, body }.
export async function fetchReportOnly(endpoint, text, graphs, accept) {
  try {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: accept },
      body: reportOnly(text, graphs),
    });
    if (!response.ok) return null;
    return { type: response.headers.get("Content-Type") || "",
      truncated: response.headers.get("X-Govkg-Truncated") === "true", body: await response.text() };
  } catch {
    return null;
  }
}

// The marks of the shown rows (their keys), or why there are none: `keysOf(body)` reads
// the comparison's rows the way the shown ones were read.
export function readingMarks(keys, type, comparison, unmarked, keysOf) {
  if (unmarked) return { unmarked };
  if (!keys.length) return {};
  if (!comparison || comparison.type.split(";")[0] !== type.split(";")[0]) return { unmarked: "failed" };
  if (comparison.truncated) return { unmarked: "truncated" };
  try {
    return { marks: restingOnReadings(keys, keysOf(comparison.body)) };
  } catch {
    return { unmarked: "failed" };
  }
}
