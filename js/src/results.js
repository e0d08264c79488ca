// Results of a SELECT or ASK as a table, a bar chart and a timeline, drawn into the page
// with DOM and SVG elements (never HTML strings: every value is text).

const XSD = "http://www.w3.org/2001/XMLSchema#";
const NUMERIC = new Set(["integer", "decimal", "double", "float", "int", "long", "short",
  "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
  "unsignedInt", "unsignedLong"].map((t) => XSD + t));
const TEMPORAL = new Set(["date", "dateTime", "gYearMonth", "gYear"].map((t) => XSD + t));
const SVG = "http://www.w3.org/2000/svg";
export const MAX_ROWS = 1000;

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

export function svgEl(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

export function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key]));
}

// How terms read: labels from the completions document, prefixed names, local links.
export class Namer {
  constructor(config, completions) {
    this.base = config.base;
    this.root = config.root;
    this.language = config.lang;
    this.prefixes = Object.entries(completions.prefixes || {}).sort((a, b) => b[1].length - a[1].length);
    this.labels = new Map();
    for (const term of completions.terms || []) {
      const [prefix, local] = [term.name.slice(0, term.name.indexOf(":")), term.name.slice(term.name.indexOf(":") + 1)];
      const namespace = (completions.prefixes || {})[prefix];
      if (namespace) this.labels.set(namespace + local, term);
    }
  }

  short(iri) {
    for (const [prefix, namespace] of this.prefixes) {
      if (iri.startsWith(namespace)) return `${prefix}:${iri.slice(namespace.length)}`;
    }
    return `<${iri}>`;
  }

  label(iri) {
    const term = this.labels.get(iri);
    if (!term) return "";
    return term[this.language] || term[this.language === "zh" ? "en" : "zh"] || "";
  }

  text(iri) {
    return this.label(iri) || this.short(iri);
  }

  // A link on this site for IRIs under the base, the IRI itself for web IRIs, else null.
  href(iri) {
    if (iri.startsWith(this.base)) return this.root + "/" + iri.slice(this.base.length);
    return /^https?:\/\//.test(iri) ? iri : null;
  }

  // One RDF term (SPARQL JSON form) as a DOM node.
  node(term) {
    if (!term) return document.createTextNode("");
    if (term.type === "uri") {
      const link = this.href(term.value);
      const label = this.label(term.value);
      const main = link ? el("a", { href: link, title: term.value }, label || this.short(term.value))
        : el("span", { title: term.value }, label || this.short(term.value));
      if (link && !term.value.startsWith(this.base)) main.className = "external";
      return label ? el("span", {}, main, " ", el("span", { class: "secondary" }, this.short(term.value))) : main;
    }
    if (term.type === "bnode") return el("span", { class: "bnode" }, `_:${term.value}`);
    const lang = term["xml:lang"];
    const literal = el("span", lang ? { class: "literal", lang } : { class: "literal" }, term.value);
    if (lang) return el("span", {}, literal, " ", el("span", { class: "lang" }, `@${lang}`));
    if (term.datatype && !NUMERIC.has(term.datatype) && term.datatype !== XSD + "string") {
      return el("span", {}, literal, " ", el("span", { class: "datatype" }, this.short(term.datatype)));
    }
    return literal;
  }

  // The plain text of a term, for chart labels.
  plain(term) {
    if (!term) return "";
    if (term.type === "uri") return this.text(term.value);
    if (term.type === "bnode") return `_:${term.value}`;
    return term.value;
  }
}

// A results table whose column headings sort it (numbers as numbers, text as the page's
// language orders it; a second click reverses), as Datasette and YASGUI tables do.
// `mark(i)`: a node (a badge) that marks row i in its first cell, or null.
export function table(names, rows, cell, mark = () => null) {
  const body = el("tbody", {}, ...rows.map((row, i) => {
    const badge = mark(i);
    const cells = row.map((c, column) => el("td", {}, cell(c), ...(badge && column === 0 ? [" ", badge] : [])));
    return el("tr", badge ? { class: "reading-in" } : {}, ...cells);
  }));
  const keys = rows.map((row, i) => ({ row: body.children[i], terms: row }));
  const headings = names.map((name, column) => {
    const button = el("button", { type: "button", class: "sort" }, name);
    const th = el("th", { scope: "col", "aria-sort": "none" }, button);
    button.addEventListener("click", () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      for (const other of th.parentNode.children) other.setAttribute("aria-sort", "none");
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const value = (k) => k.terms[column];
      const numeric = keys.every((k) => !value(k) || NUMERIC.has(value(k).datatype));
      keys.sort((a, b) => {
        const [x, y] = [value(a), value(b)];
        if (!x || !y) return (!x) - (!y);  // unbound last
        const order = numeric ? Number(x.value) - Number(y.value)
          : a.row.children[column].firstChild.textContent.localeCompare(b.row.children[column].firstChild.textContent, document.documentElement.lang);
        return ascending ? order : -order;
      });
      body.append(...keys.map((k) => k.row));
    });
    return th;
  });
  const head = el("thead", {}, el("tr", {}, ...headings));
  return el("div", { class: "table-scroll" }, el("table", { class: "results" }, head, body));
}

function columnWhere(vars, bindings, test) {
  return vars.find((v) => {
    const values = bindings.map((b) => b[v]).filter(Boolean);
    return values.length > 0 && values.every(test);
  });
}

export function numericColumn(vars, bindings) {
  return columnWhere(vars, bindings, (t) => t.type === "literal" && NUMERIC.has(t.datatype)
    && Number.isFinite(Number(t.value)));
}

export function temporalColumn(vars, bindings) {
  return columnWhere(vars, bindings, (t) => t.type === "literal" && TEMPORAL.has(t.datatype)
    && Number.isFinite(fractionalYear(t.value)));
}

// The column that names a row in a chart: the first that is neither the value nor a date.
function labelColumn(vars, skip) {
  return vars.find((v) => v !== skip) || skip;
}

// Cut `text` to about `pixels` wide at 12 px: a CJK character is 12 px, others about 7.
export function fit(text, pixels) {
  let width = 0;
  for (let i = 0; i < text.length; i += 1) {
    width += /[\u2e80-\uffef]/.test(text[i]) ? 12 : 7;
    if (width > pixels) return text.slice(0, Math.max(i - 1, 1)) + "…";
  }
  return text;
}

// `room`: the width in pixels the chart has on this screen.
export function barChart(vars, bindings, namer, strings, room = 640) {
  const value = numericColumn(vars, bindings);
  const labelVar = labelColumn(vars, value);
  const barHeight = 22, labelWidth = Math.min(190, room * 0.35), valueWidth = Math.min(90, room * 0.2);
  const chartWidth = Math.max(80, Math.min(360, room - labelWidth - valueWidth));
  const rows = bindings.filter((b) => b[value]).slice(0, 60)
    .map((b) => ({ label: fit(namer.plain(b[labelVar]), labelWidth - 10), number: Number(b[value].value), term: b[labelVar] }));
  const max = Math.max(...rows.map((r) => Math.abs(r.number)), 1);
  const width = labelWidth + chartWidth + valueWidth;
  const title = format(strings.chart_title, { value, label: labelVar });
  const svg = svgEl("svg", { class: "bar-chart", role: "img", "aria-label": title,
    viewBox: `0 0 ${width} ${rows.length * barHeight + 8}`, width, height: rows.length * barHeight + 8 },
    svgEl("title", {}, title));
  rows.forEach((row, i) => {
    const y = i * barHeight + 4;
    const length = Math.max(1, (Math.abs(row.number) / max) * chartWidth);
    const link = row.term && row.term.type === "uri" ? namer.href(row.term.value) : null;
    const name = svgEl("text", { x: labelWidth - 6, y: y + 15, "text-anchor": "end", class: "bar-label" }, row.label);
    svg.append(link ? svgEl("a", { href: link }, name) : name,
      svgEl("rect", { x: labelWidth, y: y + 3, width: length.toFixed(1), height: barHeight - 6, class: "bar" },
        svgEl("title", {}, `${row.label}: ${row.number.toLocaleString()}`)),
      svgEl("text", { x: labelWidth + length + 4, y: y + 15, class: "bar-value" }, row.number.toLocaleString()));
  });
  return svg;
}

// 2019-10-28 → 2019.82, 2018-05 → 2018.33, 2017 → 2017.0
export function fractionalYear(text) {
  const match = /^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(text);
  if (!match) return NaN;
  const [year, month, day] = [Number(match[1]), Number(match[2] || 1), Number(match[3] || 1)];
  return year + (month - 1) / 12 + (day - 1) / 365;
}

export function timeline(vars, bindings, namer, strings, room = 680) {
  const dateVar = temporalColumn(vars, bindings);
  const others = vars.filter((v) => v !== dateVar);
  const kindOf = (v) => (bindings.find((b) => b[v]) || {})[v]?.type;
  // Queries tend to name the thing last (?date ?province ?app): the last literal column.
  const labelVar = others.filter((v) => kindOf(v) === "literal").pop() || others[0];
  const linkVar = others.find((v) => kindOf(v) === "uri");
  const events = bindings.filter((b) => b[dateVar]).slice(0, 200).map((b) => ({
    date: b[dateVar].value, at: fractionalYear(b[dateVar].value),
    label: labelVar ? namer.plain(b[labelVar]) : "",
    term: linkVar ? b[linkVar] : null }))
    .sort((a, b) => a.at - b.at);
  const first = Math.floor(Math.min(...events.map((e) => e.at)));
  const last = Math.floor(Math.max(...events.map((e) => e.at))) + 1;
  const left = 20, rowHeight = 22, top = 28;
  const axisWidth = Math.max(100, Math.min(260, room * 0.35));
  const width = Math.max(room, left + axisWidth + 200);
  const labelRoom = width - left - axisWidth - 16;
  const x = (at) => left + ((at - first) / Math.max(last - first, 1)) * axisWidth;
  const title = format(strings.timeline_title, { date: dateVar });
  const svg = svgEl("svg", { class: "timeline", role: "img", "aria-label": title,
    viewBox: `0 0 ${width} ${top + events.length * rowHeight + 8}`, width,
    height: top + events.length * rowHeight + 8 },
    svgEl("title", {}, title));
  const step = Math.max(1, Math.ceil((last - first) / 8));
  for (let year = first; year <= last; year += step) {
    svg.append(svgEl("line", { x1: x(year), x2: x(year), y1: top - 6, y2: top + events.length * rowHeight, class: "grid" }),
      svgEl("text", { x: x(year), y: top - 10, "text-anchor": "middle", class: "year" }, String(year)));
  }
  events.forEach((event, i) => {
    const y = top + i * rowHeight + 11;
    const link = event.term && event.term.type === "uri" ? namer.href(event.term.value) : null;
    const label = svgEl("text", { x: left + axisWidth + 12, y: y + 4, class: "event-label" },
      fit(`${event.date}  ${event.label}`, labelRoom));
    svg.append(svgEl("line", { x1: x(event.at), x2: left + axisWidth + 8, y1: y, y2: y, class: "leader" }),
      svgEl("circle", { cx: x(event.at).toFixed(1), cy: y, r: 5, class: "event" },
        svgEl("title", {}, `${event.date}: ${event.label}`)),
      link ? svgEl("a", { href: link }, label) : label);
  });
  return svg;
}
