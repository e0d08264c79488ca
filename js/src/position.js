// Where in a triple pattern a SPARQL query's text ends: where a subject, a property, an
// object or a class (after a or rdf:type) belongs, for the editor's completion. Read from
// the tokens (comments, strings, IRIs, prefixed names, variables, numbers, punctuation) with
// a stack of open brackets, each { } of patterns tracking the place of the next term: "{"
// and "." start a subject, ";" a property, "," another object, "/" "|" a further step of a
// property path; FILTER, BIND, OPTIONAL, MINUS, GRAPH, VALUES and subqueries are stepped
// over as SPARQL 1.1's grammar has them. Plain functions, no editor: node runs them in
// tests/test_complete_positions.py.

const RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

const TOKEN = new RegExp([
  /(?<space>\s+|#[^\n]*)/,
  /(?<string>"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*)?/,
  /(?<open>"""|'''|["'])/,  // a string still open where the text ends
  /(?<iri><[^<>"{}|^`\\\s]*>)/,
  /(?<variable>[?$][\w\u00B7\u00C0-\uFFFF]+)/,
  /(?<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?:(?:[\w\-:%\u00B7\u00C0-\uFFFF]|\.(?=[\w\-:%\u00C0-\uFFFF]))*)/,
  /(?<blank>_:[\w\-\u00C0-\uFFFF]*|\[\s*\])/,
  /(?<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))/,
  /(?<word>[A-Za-z_\u00C0-\uFFFF][\w\-\u00C0-\uFFFF]*)/,
  /(?<punct>\^\^|&&|\|\||!=|<=|>=|[{}()[\].;,/|^*+?!=<>\-])/,
].map((r) => r.source).join("|"), "gy");

function* tokens(text) {
  TOKEN.lastIndex = 0;
  let match;
  while (TOKEN.lastIndex < text.length && (match = TOKEN.exec(text))) {
    const [kind, value] = Object.entries(match.groups).find(([, v]) => v !== undefined);
    if (kind === "open") { yield { kind: "open", value }; return; }
    if (kind !== "space") yield { kind, value };
  }
}

const TERM_KINDS = new Set(["string", "iri", "variable", "pname", "blank", "number"]);

// A frame per open bracket: "group" ({ } of patterns), "bnode" ([ ] property list), "list"
// (an RDF collection), "path" (( ) in a property path), "values" (VALUES' { }), "expr" (any
// other parentheses), and "top" outside every brace. Groups and property lists keep where the
// next term goes: subject, predicate, object (`isClass` after a or rdf:type) or "other".
function frame(type, pos) {
  return { type, pos, isClass: false, skip: false };
}

function consume(top, token) {
  if (top.skip) { top.skip = false; return; } // a literal's datatype
  if (top.pos === "graph") { top.pos = "other"; return; }
  if (top.pos === "subject") top.pos = "predicate";
  else if (top.pos === "predicate") {
    top.pos = "object";
    top.isClass = token && (token.value === "a" || token.value === "rdf:type" || token.value === `<${RDF_TYPE}>`);
  } else if (top.pos === "object") top.pos = "other";
}

const OPENS_GROUP_LATER = new Set(["OPTIONAL", "MINUS", "UNION", "EXISTS", "WHERE"]);

function step(stack, token) {
  const top = stack[stack.length - 1];
  const { kind, value } = token;
  const upper = kind === "word" ? value.toUpperCase() : "";
  if (value === "{") {
    stack.push(top.pos === "values" || top.type === "values-head" ? frame("values", "values") : frame("group", "subject"));
    if (top.type === "values-head") stack.splice(stack.length - 2, 1);
    return;
  }
  if (value === "}") {
    if (stack.length > 1) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent.type === "group" && parent.pos !== "modifiers") parent.pos = "subject";
    return;
  }
  if (value === "(") {
    if (top.type === "group" || top.type === "bnode") {
      if (top.pos === "predicate") { stack.push(frame("path", "predicate")); return; }
      if (top.pos === "subject" || top.pos === "object") { stack.push(frame("list", "object")); return; }
    }
    if (top.type === "path") { stack.push(frame("path", "predicate")); return; }
    stack.push(frame("expr", "other"));
    return;
  }
  if (value === ")") {
    const closed = stack.length > 1 ? stack.pop() : null;
    const parent = stack[stack.length - 1];
    if (!closed) return;
    if (closed.type === "path" || closed.type === "list") consume(parent, null);
    else if (parent.type === "group" && (parent.pos === "pattern")) parent.pos = "subject";
    return;
  }
  if (value === "[") { stack.push(frame("bnode", "predicate")); return; }
  if (value === "]") {
    if (stack.length > 1 && top.type === "bnode") { stack.pop(); consume(stack[stack.length - 1], null); }
    return;
  }
  if (top.type === "top") {
    if (upper === "DESCRIBE") top.pos = "describe";
    else if (kind === "word") top.pos = "other";
    return;
  }
  if (top.type === "list") return;
  if (top.type === "values-head") return;
  if (top.type !== "group" && top.type !== "bnode" && top.type !== "path") return;
  if (value === ".") { top.pos = top.type === "group" ? "subject" : top.pos; return; }
  if (value === ";") { top.pos = "predicate"; return; }
  if (value === ",") { if (top.pos === "other") top.pos = "object"; return; }
  if (value === "^^") { top.skip = true; return; }
  if ((value === "/" || value === "|") && top.pos === "object") { top.pos = "predicate"; return; }
  if (value === "^" || value === "!" || ((value === "*" || value === "+" || value === "?") && top.pos === "object")) return;
  if (kind === "word" && upper !== "A" && upper !== "TRUE" && upper !== "FALSE") {
    if (top.type !== "group") return;
    if (upper === "GRAPH" || upper === "SERVICE") top.pos = "graph";
    else if (upper === "SILENT") return;
    else if (upper === "FILTER" || upper === "BIND") top.pos = "pattern";
    else if (upper === "VALUES") stack.push(frame("values-head", "other"));
    else if (upper === "SELECT") top.pos = "modifiers";
    else if (OPENS_GROUP_LATER.has(upper) || upper === "NOT") top.pos = top.pos === "modifiers" ? "modifiers" : "pattern";
    return;
  }
  if (TERM_KINDS.has(kind) || kind === "word") consume(top, token);
}

// What belongs where the text ends: "property", "class", "entity" (with `subject` when a new
// pattern could start there too), or null when no triple position is open.
export function positionAt(text) {
  const stack = [frame("top", "other")];
  for (const token of tokens(text)) {
    if (token.kind === "open") return null; // inside a string
    step(stack, token);
  }
  const top = stack[stack.length - 1];
  if (top.type === "top") return top.pos === "describe" ? { kind: "entity" } : null;
  if (top.type === "list") return { kind: "entity" };
  if (top.type === "path") return top.pos === "predicate" ? { kind: "property" } : null;
  if (top.type !== "group" && top.type !== "bnode") return null;
  if (top.skip) return null;
  if (top.pos === "subject") return { kind: "entity", subject: true };
  if (top.pos === "predicate") return { kind: "property" };
  if (top.pos === "object") return { kind: top.isClass ? "class" : "entity" };
  return null;
}
