// Builds the library with wasm-pack and turns its output into our package (pkg-template/).
// Usage: node scripts/build-pkg.mjs [--target web|bundler] [--out-dir DIR] [--dev]
import { existsSync, readdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { root, run } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const target = opt('--target', 'web');
const outDir = path.resolve(root, opt('--out-dir', 'pkg'));
const profile = args.includes('--dev') ? '--dev' : '--release';

const { code } = await run('wasm-pack', ['build', profile, '--target', target, '--out-dir', outDir, '--out-name', 'atrium_wasm']);
if (code !== 0) process.exit(code);
finish(outDir);

/**
 * wasm-bindgen cannot re-export a class from a JS snippet, so AtriumError (declared in the
 * .d.ts by the Rust side) is exported from the entry module here.
 */
function finish(dir) {
  const snippets = path.join(dir, 'snippets');
  const crateDir = readdirSync(snippets).find((d) => existsSync(path.join(snippets, d, 'src/js/atrium_error.js')));
  if (!crateDir) throw new Error(`no atrium_error.js snippet under ${snippets}`);
  const entry = path.join(dir, 'atrium_wasm.js');
  const line = `export { AtriumError } from './snippets/${crateDir}/src/js/atrium_error.js';\n`;
  const js = readFileSync(entry, 'utf8');
  if (!js.includes(line)) writeFileSync(entry, `${js.trimEnd()}\n${line}`);

  const template = JSON.parse(readFileSync(path.join(root, 'pkg-template/package.json'), 'utf8'));
  const generated = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const merged = { ...generated, ...template, files: [...new Set([...(generated.files ?? []), 'snippets'])] };
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(merged, null, 2)}\n`);
  copyFileSync(path.join(root, 'pkg-template/README.md'), path.join(dir, 'README.md'));
}
