// Completion for the SPARQL editor: SPARQL keywords, the predeclared prefixes, the store's
// terms (from /sparql/completions.json, shown with their label in the page's language) and
// the variables already in the query.

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
