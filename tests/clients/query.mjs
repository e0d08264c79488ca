// Run one SPARQL SELECT with Comunica over one source and print its solutions as JSON.
// node query.mjs SOURCE TYPE QUERY: TYPE "sparql" for an endpoint, "" to dereference a URL.
import { QueryEngine } from "@comunica/query-sparql";

const [source, type, query] = process.argv.slice(2);
const engine = new QueryEngine();
const stream = await engine.queryBindings(query, { sources: [type ? { type, value: source } : source] });
const solutions = (await stream.toArray()).map(
  (bindings) => Object.fromEntries([...bindings].map(([name, term]) => [name.value, term.value])));
console.log(JSON.stringify(solutions));
