// CONSTRUCT and DESCRIBE results as a node-link graph: N-Triples parsed here, laid out by a
// small force simulation (fixed start, fixed number of steps: the same graph always looks
// the same) and drawn as SVG. Literals other than labels stay in the table below the graph.

import { svgEl } from "./results.js";

const TERM = /<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?/y;
const LABEL = "http://www.w3.org/2000/01/rdf-schema#label";

function unescape(text) {
  return text.replace(/\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))/g, (_, u4, u8, c) => {
    if (u4 || u8) return String.fromCodePoint(parseInt(u4 || u8, 16));
    return { t: "\t", n: "\n", r: "\r", b: "\b", f: "\f" }[c] ?? c;
  });
}

function readTerm(line, position) {
  TERM.lastIndex = position;
  const match = TERM.exec(line);
  if (!match) throw new Error(`cannot read N-Triples at: ${line.slice(position, position + 40)}`);
  let term;
  if (match[1] !== undefined) term = { type: "uri", value: unescape(match[1]) };
  else if (match[2] !== undefined) term = { type: "bnode", value: match[2] };
  else {
    term = { type: "literal", value: unescape(match[3]) };
    if (match[4]) term["xml:lang"] = match[4];
    if (match[5]) term.datatype = match[5];
  }
  let next = TERM.lastIndex;
  while (line[next] === " " || line[next] === "\t") next += 1;
  return [term, next];
}

// N-Triples text → [{subject, predicate, object}] with terms in SPARQL JSON form.
export function parseNTriples(text) {
  const triples = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const [subject, p1] = readTerm(line, 0);
    const [predicate, p2] = readTerm(line, p1);
    const [object] = readTerm(line, p2);
    triples.push({ subject, predicate, object });
  }
  return triples;
}

const key = (term) => (term.type === "bnode" ? "_:" : "") + term.value;

// `marked(i)`: whether triple i rests on a reading-in (readings.js): its link is drawn
// dashed and its predicate named with the badge's word.
export function graphView(triples, namer, strings, marked = () => false) {
  const labels = new Map();
  for (const t of triples) {
    if (t.predicate.value === LABEL && t.object.type === "literal") {
      const mine = labels.get(key(t.subject)) || {};
      mine[(t.object["xml:lang"] || "").startsWith("zh") ? "zh" : "en"] = t.object.value;
      labels.set(key(t.subject), mine);
    }
  }
  const nodes = new Map();
  const addNode = (term) => {
    const id = key(term);
    if (!nodes.has(id)) {
      const own = labels.get(id) || {};
      const text = own[namer.language] || (term.type === "uri" ? namer.label(term.value) : "")
        || own.zh || own.en || (term.type === "uri" ? namer.short(term.value) : id);
      nodes.set(id, { id, term, text, index: nodes.size });
    }
    return nodes.get(id);
  };
  const byPair = new Map();
  triples.forEach((t, i) => {
    if (t.object.type === "literal") return;
    const source = addNode(t.subject), target = addNode(t.object);
    const pair = `${source.id} ${target.id}`;
    const read = marked(i);
    const predicate = namer.short(t.predicate.value) + (read ? ` (${strings.reading_badge})` : "");
    if (byPair.has(pair)) {
      byPair.get(pair).predicate += `, ${predicate}`;
      byPair.get(pair).read ||= read;
    } else {
      byPair.set(pair, { source, target, predicate, read });
    }
  });
  const edges = [...byPair.values()];
  if (edges.length === 0) return null;
  const list = [...nodes.values()].slice(0, 150);
  layout(list, edges.filter((e) => e.source.index < 150 && e.target.index < 150));
  const xs = list.map((n) => n.x), ys = list.map((n) => n.y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const pad = 90;
  const title = strings.graph_title;
  const [w, h] = [maxX - minX + 2 * pad, maxY - minY + 80].map((v) => Math.ceil(v));
  const svg = svgEl("svg", { class: "node-link", role: "img", "aria-label": title, width: w, height: h,
    viewBox: `${Math.floor(minX - pad)} ${Math.floor(minY - 40)} ${w} ${h}` },
  svgEl("title", {}, title),
  svgEl("defs", {}, svgEl("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 18, refY: 5,
    markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" }, svgEl("path", { d: "M0,0L10,5L0,10z", class: "arrow" }))));
  const showPredicates = edges.length <= 60;
  for (const edge of edges) {
    if (edge.source.index >= 150 || edge.target.index >= 150) continue;
    const { x: x1, y: y1 } = edge.source, { x: x2, y: y2 } = edge.target;
    svg.append(svgEl("line", { x1: x1.toFixed(1), y1: y1.toFixed(1), x2: x2.toFixed(1), y2: y2.toFixed(1),
      class: edge.read ? "edge reading-in" : "edge", "marker-end": "url(#arrow)" }, svgEl("title", {}, edge.predicate)));
    if (showPredicates) {
      svg.append(svgEl("text", { x: ((x1 + x2) / 2).toFixed(1), y: ((y1 + y2) / 2 - 3).toFixed(1),
        "text-anchor": "middle", class: edge.read ? "edge-label reading-in" : "edge-label" }, edge.predicate));
    }
  }
  for (const node of list) {
    const link = node.term.type === "uri" ? namer.href(node.term.value) : null;
    const group = svgEl("g", { class: "node", transform: `translate(${node.x.toFixed(1)},${node.y.toFixed(1)})` },
      svgEl("circle", { r: 7 }), svgEl("text", { y: -11, "text-anchor": "middle" }, node.text),
      svgEl("title", {}, node.term.value));
    svg.append(link ? svgEl("a", { href: link }, group) : group);
  }
  return svg;
}

// Force-directed layout: springs along edges, repulsion between all nodes, a pull to the centre.
function layout(nodes, edges) {
  const count = nodes.length;
  const radius = 40 * Math.sqrt(count);
  nodes.forEach((n, i) => {
    const angle = (2 * Math.PI * i) / count;
    n.x = radius * Math.cos(angle);
    n.y = radius * Math.sin(angle);
  });
  const ideal = 95;
  for (let step = 0; step < 300; step += 1) {
    const heat = 1 - step / 300;
    const force = nodes.map(() => [0, 0]);
    for (let i = 0; i < count; i += 1) {
      for (let j = i + 1; j < count; j += 1) {
        const dx = nodes[i].x - nodes[j].x, dy = nodes[i].y - nodes[j].y;
        const d2 = Math.max(dx * dx + dy * dy, 1);
        const push = (0.3 * ideal * ideal) / d2;
        force[i][0] += dx * push; force[i][1] += dy * push;
        force[j][0] -= dx * push; force[j][1] -= dy * push;
      }
    }
    for (const { source, target } of edges) {
      const dx = target.x - source.x, dy = target.y - source.y;
      const d = Math.max(Math.hypot(dx, dy), 1);
      const pull = ((d - ideal) / d) * 0.6;
      force[source.index][0] += dx * pull; force[source.index][1] += dy * pull;
      force[target.index][0] -= dx * pull; force[target.index][1] -= dy * pull;
    }
    nodes.forEach((n, i) => {
      const fx = force[i][0] - n.x * 0.06, fy = force[i][1] - n.y * 0.06;
      const length = Math.hypot(fx, fy);
      const limit = 30 * heat + 1;
      const scale = length > limit ? limit / length : 1;
      n.x += fx * scale;
      n.y += fy * scale;
    });
  }
}
