// Lists import circles between the TypeScript files of every workspace, type-only imports
// included: eslint's import-x/no-cycle skips `import type`, yet a circle of types is still two
// files that cannot be understood (or moved) one without the other.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');
const skip = new Set(['node_modules', 'dist', '.turbo', 'coverage', '.git']);

function sourceFiles(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function resolveRelative(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const graph = new Map();
for (const file of sourceFiles(root)) {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const edges = importedFiles
    .map((i) => i.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => resolveRelative(file, spec))
    .filter(Boolean);
  graph.set(file, edges);
}

// Tarjan's strongly connected components: every component of two or more files is a circle.
let index = 0;
const stack = [];
const state = new Map();
const circles = [];
function visit(node) {
  state.set(node, { index, low: index, onStack: true });
  index++;
  stack.push(node);
  for (const next of graph.get(node) ?? []) {
    if (!state.has(next)) {
      visit(next);
      state.get(node).low = Math.min(state.get(node).low, state.get(next).low);
    } else if (state.get(next).onStack) {
      state.get(node).low = Math.min(state.get(node).low, state.get(next).index);
    }
  }
  if (state.get(node).low === state.get(node).index) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      state.get(member).onStack = false;
      component.push(member);
    } while (member !== node);
    if (component.length > 1) circles.push(component);
  }
}
for (const node of graph.keys()) if (!state.has(node)) visit(node);

if (circles.length > 0) {
  for (const circle of circles) console.error(`import circle: ${circle.map((f) => relative(root, f)).join(' <-> ')}`);
  process.exit(1);
}
console.log(`no import circles among ${graph.size} files`);
