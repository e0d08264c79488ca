// Bundles js/src/editor.js into src/govkg/web/static/query-editor.js (minified) and writes
// the licences of every package in the bundle to query-editor.LICENSES.txt beside it.
// Run: cd js && npm ci && npm run build
import { build } from "esbuild";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const out = "../src/govkg/web/static/query-editor.js";
const result = await build({
  entryPoints: ["src/editor.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  outfile: out,
  metafile: true,
  legalComments: "none",
  banner: { js: "/* govkg query editor: built from js/ (cd js && npm ci && npm run build); licences in query-editor.LICENSES.txt */" },
});

function packageDir(file) {
  let dir = dirname(file);
  while (!existsSync(join(dir, "package.json")) || !/node_modules/.test(dir)) {
    if (dir === dirname(dir) || !/node_modules/.test(dir)) return null;
    dir = dirname(dir);
  }
  return dir;
}

const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const dir = packageDir(input);
  if (!dir || packages.has(dir)) continue;
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const licenceFile = ["LICENSE", "LICENSE.md", "LICENSE.txt", "license"].map((f) => join(dir, f)).find(existsSync);
  packages.set(dir, { name: meta.name, version: meta.version, license: meta.license,
    text: licenceFile ? readFileSync(licenceFile, "utf8").trim() : `(${meta.license})` });
}
const sorted = [...packages.values()].sort((a, b) => a.name.localeCompare(b.name));
const text = ["query-editor.js bundles these packages from npm, under these licences.", ""]
  .concat(sorted.flatMap((p) => [`== ${p.name} ${p.version} (${p.license})`, "", p.text, ""]))
  .join("\n");
writeFileSync(out.replace(/\.js$/, ".LICENSES.txt"), text);
console.log(`${out}: ${readFileSync(out).length} bytes, ${sorted.length} packages: ${sorted.map((p) => p.name).join(", ")}`);
