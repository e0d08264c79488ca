// Completion for the SPARQL editor: SPARQL keywords, the predeclared prefixes, the store's
// terms (from /sparql/completions.json, shown with their label in the page's language), the
// terms whose Chinese label holds the Chinese text just typed (粤省 → platform:yueshengshi),
// and the variables already in the query.

const KEYWORDS = [
  "SELECT", "DISTINCT", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH", "VALUES",
  "BIND", "ORDER BY", "GROUP BY", "HAVING", "LIMIT", "OFFSET", "ASK", "CONSTRUCT", "DESCRIBE",
  "PREFIX", "FROM", "FROM NAMED", "COUNT", "SAMPLE", "GROUP_CONCAT", "LANG", "STR", "REGEX",
  "CONTAINS", "STRSTARTS", "LANGMATCHES", "DATATYPE", "ASC", "DESC", "NOT EXISTS", "EXISTS",
];

const TYPES = { class: "class", property: "property", entity: "constant" };

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

// A completion source for CodeMirror's autocompletion; `load` resolves to the JSON document.
export function sparqlCompletions(load, language) {
  let options = null;
  let prefixOptions = [];
  const keywordOptions = KEYWORDS.map((k) => ({ label: k, type: "keyword", boost: -1 }));
  return async (context) => {
    const variable = context.matchBefore(/[?$][\w\u00C0-\uFFFF]*/);
    if (variable) {
      const seen = new Set(context.state.doc.toString().match(/[?$][\w\u00C0-\uFFFF]+/g) || []);
      seen.delete(variable.text);
      return { from: variable.from, options: [...seen].map((v) => ({ label: v, type: "variable" })),
               validFor: /^[?$][\w\u00C0-\uFFFF]*$/ };
    }
    const chinese = context.matchBefore(/[\u3400-\u9fff\uf900-\ufaff“”·]+/);
    if (chinese) {
      const data = await load();
      return { from: chinese.from, filter: false, options: byLabel(data, chinese.text, language) };
    }
    const word = context.matchBefore(/[A-Za-z][\w.-]*:?[\w.-]*/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
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
    const prefixed = word.text.includes(":");
    return {
      from: word.from,
      options: prefixed ? options : [...prefixOptions, ...keywordOptions, ...options],
      validFor: /^[A-Za-z][\w.-]*:?[\w.-]*$/,
    };
  };
}
