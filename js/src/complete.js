// Completion for the SPARQL editor, by position, as the Wikidata Query Service and QLever's UI
// do it: where a property belongs (after a subject, after ";", along a path) the store's
// properties; after "a" or rdf:type its classes; where a subject or object belongs, or after
// DESCRIBE, its entities (the place is position.js's reading of the text before the
// cursor). Candidates of that kind come from the server (/sparql/terms, which
// matches the typed text against names and labels in both languages and answers at most 50,
// in the page's language), each shown with its label and type. A request waits for
// CodeMirror's typing delay (100 ms), is aborted when a newer key makes it stale, and its
// answer is kept for the same text typed again. A name is inserted with the
// query's own prefix for its namespace, else the predeclared one; a query that declares its
// prefixes gets the PREFIX line it now needs.
//
// Elsewhere (outside a triple pattern, in VALUES, in expressions) it completes as before from
// /sparql/completions.json: SPARQL keywords, the predeclared prefixes, every term, the terms
// whose Chinese label holds the Chinese text just typed (粤省 → platform:yueshengshi), and the
// variables already in the query.

import { autocompletion, startCompletion } from "@codemirror/autocomplete";
import { EditorView } from "@codemirror/view";
import { positionAt } from "./position.js";

const KEYWORDS = [
  "SELECT", "DISTINCT", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH", "VALUES",
  "BIND", "ORDER BY", "GROUP BY", "HAVING", "LIMIT", "OFFSET", "ASK", "CONSTRUCT", "DESCRIBE",
  "PREFIX", "FROM", "FROM NAMED", "COUNT", "SAMPLE", "GROUP_CONCAT", "LANG", "STR", "REGEX",
  "CONTAINS", "STRSTARTS", "LANGMATCHES", "DATATYPE", "ASC", "DESC", "NOT EXISTS", "EXISTS",
];
// What may start a pattern where a subject could also stand.
const PATTERN_KEYWORDS = ["FILTER", "OPTIONAL", "BIND", "VALUES", "GRAPH", "MINUS", "SERVICE"];
const TYPES = { class: "class", property: "property", entity: "constant" };
const CHINESE = /[\u3400-\u9fff\uf900-\ufaff]/;
const PN_LOCAL = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$/;
const TERMS_LIMIT = 50;
const ANSWERS_KEPT = 200; // the server's answers this page keeps, the oldest dropped first

// ---- Names as this query writes them ------------------------------------------------------

function declaredPrefixes(text) {
  const found = new Map();
  for (const m of text.replace(/^\s*#[^\n]*/gm, "").matchAll(/PREFIX\s+([\w.\-\u00C0-\uFFFF]*):\s*<([^>\s]*)>/gi)) {
    found.set(m[1], m[2]);
  }
  return found;
}

// How to write `result` in this query, and the PREFIX line that needs adding, if any.
function spelling(result, declared, known) {
  let best = null;
  for (const [prefix, namespace] of declared) {
    const local = result.iri.slice(namespace.length);
    if (result.iri.startsWith(namespace) && PN_LOCAL.test(local) && (!best || namespace.length > best[1].length)) {
      best = [prefix, namespace, local];
    }
  }
  if (best) return { text: `${best[0]}:${best[2]}`, prefixLine: null };
  if (result.name) {
    const prefix = result.name.slice(0, result.name.indexOf(":"));
    if (!declared.has(prefix)) {
      const prefixLine = declared.size && known[prefix] ? `PREFIX ${prefix}: <${known[prefix]}>` : null;
      return { text: result.name, prefixLine };
    }
  }
  return { text: `<${result.iri}>`, prefixLine: null };
}

// The typed text as the server reads it: a prefix this query declares becomes its IRI.
function serverText(typed, declared) {
  const colon = typed.indexOf(":");
  if (colon < 0 || typed.startsWith("<")) return typed;
  const prefix = typed.slice(0, colon);
  return declared.has(prefix) ? `<${declared.get(prefix)}${typed.slice(colon + 1)}` : typed;
}

function applyWith(spelt) {
  return (view, completion, from, to) => {
    const edits = [{ from, to, insert: spelt.text }];
    if (spelt.prefixLine) {
      const doc = view.state.doc.toString();
      const last = [...doc.matchAll(/^[ \t]*(?:PREFIX|BASE)\b[^\n]*/gim)].pop();
      const at = last ? last.index + last[0].length : 0;
      edits.push({ from: at, insert: last ? `\n${spelt.prefixLine}` : `${spelt.prefixLine}\n` });
    }
    const changes = view.state.changes(edits);
    view.dispatch({ changes, selection: { anchor: changes.mapPos(to, 1) }, userEvent: "input.complete" });
  };
}

// ---- Candidates ---------------------------------------------------------------------------

function termOptions(data, language) {
  return data.terms.map((term) => {
    const label = term[language] || term[language === "zh" ? "en" : "zh"] || "";
    return { label: term.name, detail: label, type: TYPES[term.kind] || "text", boost: 0 };
  });
}

// Terms whose Chinese label holds `text` (typed with an input method): those that start
// with it first, then the shorter labels.
function byLabel(data, text, language) {
  return data.terms.filter((term) => term.zh && term.zh.includes(text))
    .sort((a, b) => (b.zh.startsWith(text) - a.zh.startsWith(text)) || a.zh.length - b.zh.length)
    .slice(0, 50)
    .map((term) => ({ label: term.name, detail: language === "zh" ? term.zh : `${term.zh} ${term.en || ""}`.trim(),
      type: TYPES[term.kind] || "text" }));
}

function fetchTerms(url, kind, text, language, signal) {
  const params = new URLSearchParams({ kind, q: text, lang: language, limit: String(TERMS_LIMIT) });
  return fetch(`${url}?${params}`, { headers: { Accept: "application/json" }, signal })
    .then((r) => (r.ok ? r.json() : null));
}

function shownLabel(result, typed) {
  if (!result.label) return "";
  // Chinese typed on an English page: the Chinese name that matched, then the label.
  if (CHINESE.test(typed) && result.other_lang === "zh" && result.other) return `${result.other} ${result.label}`;
  return result.label;
}

function insertPrefix(view, completion, from, to) {
  view.dispatch({ changes: { from, to, insert: completion.label }, selection: { anchor: from + completion.label.length } });
  startCompletion(view); // and on to the names in that namespace
}

// In this order (CodeMirror keeps it): `a` where a property belongs, the keywords and
// prefixes that start with what was typed, the server's terms, and a last line saying how
// many more there are when the answer was cut.
function positionedOptions(answer, position, typed, declared, known, strings) {
  const lower = typed.toLowerCase();
  const words = typed && !typed.includes(":") && !CHINESE.test(typed);
  const options = [];
  if (position.kind === "property" && (!typed || "a".startsWith(lower))) {
    options.push({ label: "a", detail: "rdf:type", type: "keyword" });
  }
  if (position.subject && words) {
    options.push(...PATTERN_KEYWORDS.filter((k) => k.toLowerCase().startsWith(lower))
      .map((k) => ({ label: k, type: "keyword" })));
  }
  const prefixes = Object.entries(known).filter(([name]) => words && name.toLowerCase().startsWith(lower))
    .map(([name, iri]) => ({ label: `${name}:`, detail: iri, type: "namespace", apply: insertPrefix }));
  options.push(...prefixes);
  for (const result of answer.results) {
    const spelt = spelling(result, declared, known);
    options.push({ label: spelt.text, detail: shownLabel(result, typed), typeLabel: result.type_label || result.type_name || "",
      type: TYPES[position.kind], apply: applyWith(spelt), term: true });
  }
  if (answer.truncated) {
    options.push({ label: "…", type: "text", apply: () => {},
      detail: strings.more_terms.replace("{shown}", answer.results.length.toLocaleString())
        .replace("{total}", answer.total.toLocaleString()) });
  }
  return options;
}

// A completion source for CodeMirror's autocompletion. `load` resolves to the whole list
// (/sparql/completions.json); `termsUrl` answers one kind of term for the text typed.
export function sparqlCompletions(load, language, termsUrl, strings) {
  let options = null;
  let prefixOptions = [];
  const answers = new Map(); // kind + text → the server's answer
  const keywordOptions = KEYWORDS.map((k) => ({ label: k, type: "keyword", boost: -1 }));
  return async (context) => {
    const variable = context.matchBefore(/[?$][\w\u00C0-\uFFFF]*/);
    if (variable) {
      const seen = new Set(context.state.doc.toString().match(/[?$][\w\u00C0-\uFFFF]+/g) || []);
      seen.delete(variable.text);
      return { from: variable.from, options: [...seen].map((v) => ({ label: v, type: "variable" })),
               validFor: /^[?$][\w\u00C0-\uFFFF]*$/ };
    }
    const word = context.matchBefore(/<[^<>"{}|^`\\\s]*|[\u3400-\u9fff\uf900-\ufaff“”·]+|[A-Za-z_][\w.-]*(?::[\w.-]*)?|:[\w.-]*/);
    const from = word ? word.from : context.pos;
    const typed = word ? word.text : "";
    const position = termsUrl ? positionAt(context.state.doc.sliceString(0, from)) : null;
    if (position && (typed || context.explicit)) {
      const data = await load();
      const declared = declaredPrefixes(context.state.doc.toString());
      const text = serverText(typed, declared);
      const key = `${position.kind} ${text}`;
      let answer = answers.get(key);
      if (!answer) {
        const controller = new AbortController();
        context.addEventListener("abort", () => controller.abort());
        try {
          answer = await fetchTerms(termsUrl, position.kind, text, language, controller.signal);
        } catch (error) {
          return null; // aborted by further typing, or the server is away
        }
        if (!answer) return null;
        if (answers.size >= ANSWERS_KEPT) answers.delete(answers.keys().next().value);
        answers.set(key, answer);
      }
      return { from, filter: false,
        options: positionedOptions(answer, position, typed, declared, data.prefixes || {}, strings) };
    }
    const chinese = context.matchBefore(/[\u3400-\u9fff\uf900-\ufaff“”·]+/);
    if (chinese) {
      const data = await load();
      return { from: chinese.from, filter: false, options: byLabel(data, chinese.text, language) };
    }
    const plain = context.matchBefore(/[A-Za-z][\w.-]*:?[\w.-]*/);
    if (!plain || (plain.from === plain.to && !context.explicit)) return null;
    if (options === null) {
      try {
        const data = await load();
        options = termOptions(data, language);
        prefixOptions = Object.entries(data.prefixes).map(([name, iri]) => ({
          label: `${name}:`, detail: iri, type: "namespace", boost: 1 }));
      } catch (error) {
        options = [];
      }
    }
    const prefixed = plain.text.includes(":");
    return {
      from: plain.from,
      options: prefixed ? options : [...prefixOptions, ...keywordOptions, ...options],
      validFor: /^[A-Za-z][\w.-]*:?[\w.-]*$/,
    };
  };
}

// The type of each candidate in its own column, after its label.
// A term's line wraps between its name, label and type rather than cutting them off (a
// phone has room for the name only); the type is a small box in the line's own colour, so
// it reads on the highlighted line too.
export const completionTypes = [EditorView.baseTheme({
  ".cm-tooltip.cm-tooltip-autocomplete > ul > li.cm-termOption": { whiteSpace: "normal" },
  ".cm-termOption .cm-completionLabel": { whiteSpace: "nowrap" },
  ".cm-completionType": {
    marginLeft: "0.6em", padding: "0 0.3em", fontFamily: "sans-serif", fontSize: "85%",
    border: "1px solid currentColor", borderRadius: "3px", whiteSpace: "nowrap",
  },
}), autocompletion({
  optionClass: (completion) => (completion.term ? "cm-termOption" : ""),
  addToOptions: [{
    position: 90,
    render(completion) {
      if (!completion.typeLabel) return null;
      const span = document.createElement("span");
      span.className = "cm-completionType";
      span.textContent = completion.typeLabel;
      return span;
    },
  }],
})];
