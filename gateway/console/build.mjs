// Builds the console into dist/: one HTML page, its script (with the spreadsheet writer split into a
// chunk loaded on demand) and its styles. Every byte comes from npm packages; nothing is fetched at
// run time, so the console works on a machine without internet.
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const out = join(root, 'dist');

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const result = await build({
  entryPoints: { app: join(root, 'src/main.tsx') },
  bundle: true,
  splitting: true,
  format: 'esm',
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  minify: true,
  sourcemap: false,
  target: ['chrome110', 'firefox110', 'safari16'],
  define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.svg': 'file', '.png': 'file' },
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
});
const outputs = Object.keys(result.metafile.outputs);
const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint?.endsWith('src/main.tsx'));
if (!entry) throw new Error('esbuild produced no entry script');
const [script, info] = entry;
const asset = (file) => `/${file.slice(file.indexOf('dist/') + 'dist/'.length)}`;
const html = (await readFile(join(root, 'src/index.html'), 'utf8'))
  .replace('%SCRIPT%', asset(script))
  .replace('%STYLES%', info.cssBundle ? `<link rel="stylesheet" href="${asset(info.cssBundle)}">` : '');
await writeFile(join(out, 'index.html'), html);
console.log(`console: ${outputs.length} files in dist/`);
