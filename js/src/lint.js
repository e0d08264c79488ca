// Checks a SPARQL query as it is typed, in plain words and in the page's language, for the
// mistakes people make most: an unknown prefix, a misspelt keyword (FILTR: did you mean
// FILTER?) and brackets that are never closed or close nothing. Each finding is marked at
// the word it is about. The endpoint's parser remains the judge when the query runs; this
// check only says earlier, and more plainly, what it will say.

const KEYWORDS = `SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED PREFIX BASE DISTINCT REDUCED LIMIT
OFFSET ORDER BY ASC DESC GROUP HAVING OPTIONAL UNION MINUS FILTER BIND AS VALUES GRAPH SERVICE
SILENT NOT EXISTS IN UNDEF TRUE FALSE A STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND
ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS
STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1
SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC
REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR INSERT DELETE DATA
WITH USING LOAD CLEAR DROP CREATE ADD MOVE COPY TO INTO DEFAULT ALL LATERAL`.split(/\s+/);
const KNOWN = new Set(KEYWORDS);
// Longest first: comments, strings, IRIs, variables, prefixed names, words, brackets.
const TOKEN = /#[^\n]*|"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\s]*>|[?$][\p{L}\p{N}_]+|@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^|(?:[\p{L}_][\p{L}\p{N}_.-]*)?:(?:[\p{L}\p{N}_:%.-]*[\p{L}\p{N}_:%-])?|[\p{L}_][\p{L}\p{N}_]*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[{}()[\]]/gu;
const PAIRS = { "}": "{", ")": "(", "]": "[" };

function distance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const kept = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = kept;
    }
  }
  return row[b.length];
}

function nearestKeyword(word) {
  let best = null, bestDistance = 3;
  for (const keyword of KEYWORDS) {
    if (keyword.length < 3) continue;
    const d = distance(word.toUpperCase(), keyword);
    if (d < bestDistance) [best, bestDistance] = [keyword, d];
  }
  return best && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : null;
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key]));
}

// Findings for ``text``: [{from, to, message}], given the prefixes the endpoint knows
// (``known``: name → IRI) and the page's ``strings``.
export function lintQuery(text, known, strings) {
  const found = [];
  const declared = new Set(Object.keys(known));
  for (const match of text.matchAll(/PREFIX\s+([\p{L}_][\p{L}\p{N}_.-]*)?:/giu)) declared.add(match[1] || "");
  const open = [];
  let previous = "";
  for (const match of text.matchAll(TOKEN)) {
    const token = match[0], from = match.index, to = from + token.length;
    if (token.startsWith("#") || token.startsWith('"') || token.startsWith("'") || token.startsWith("<")
        || token.startsWith("?") || token.startsWith("$") || token.startsWith("@")) {
      previous = token;
      continue;
    }
    if ("{([".includes(token)) open.push({ token, from });
    else if (token in PAIRS) {
      if (open.length && open[open.length - 1].token === PAIRS[token]) open.pop();
      else found.push({ from, to, message: fill(strings.lint_unopened, { bracket: token }) });
    } else if (token.includes(":") && !/^\d/.test(token)) {
      const prefix = token.slice(0, token.indexOf(":"));
      if (prefix !== "_" && !declared.has(prefix) && previous.toUpperCase() !== "PREFIX") {
        const names = [...declared].filter(Boolean).sort().slice(0, 8).map((p) => `${p}:`).join(", ");
        found.push({ from, to: from + prefix.length + 1, message: fill(strings.lint_prefix, { prefix, known: names }) });
      }
    } else if (/^[\p{L}_]/u.test(token) && previous !== "^^" && !KNOWN.has(token.toUpperCase())) {
      const suggestion = nearestKeyword(token);
      found.push({ from, to, message: suggestion
        ? fill(strings.lint_keyword_suggest, { word: token, suggestion })
        : fill(strings.lint_keyword, { word: token }) });
    }
    previous = token;
  }
  for (const { token, from } of open) found.push({ from, to: from + 1, message: fill(strings.lint_unclosed, { bracket: token }) });
  return found.sort((a, b) => a.from - b.from);
}
