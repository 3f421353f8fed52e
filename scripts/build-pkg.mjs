// Builds the npm package into pkg/: the library by wasm-pack twice, for plain pages and
// Vite-like tools (`pkg/web/`, `--target web`) and for webpack (`pkg/bundler/`, `--target
// bundler`), then our manifest, README and entry points from pkg-template/.
// Usage: node scripts/build-pkg.mjs [--dev] [--only web]
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { cargoVersion, root, run } from './lib.mjs';
import { shortenNames } from './short-names.mjs';

const args = process.argv.slice(2);
const profile = args.includes('--dev') ? '--dev' : '--release';
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const pkg = path.join(root, 'pkg');
const targets = only ? [only] : ['web', 'bundler'];

// A clean folder: files of an older layout must not end up in the tarball.
if (!only) rmSync(pkg, { recursive: true, force: true });
for (const target of targets) {
  const out = path.join(pkg, target);
  const { code } = await run('wasm-pack', ['build', profile, '--target', target, '--out-dir', out, '--out-name', 'atrium_wasm']);
  if (code !== 0) process.exit(code);
  exportErrorClass(out);
  if (target === 'web') {
    shortenNames(out);
    await oneModule(out);
  }
  // The per-target manifests wasm-pack writes would make each folder look like a package.
  for (const f of ['package.json', 'README.md', '.gitignore']) rmSync(path.join(out, f), { force: true });
}
if (targets.includes('bundler')) {
  // The bundler build instantiates on import (wasm-bindgen's design for that target); the
  // entry adds a no-op default `init` so that code written for the web build runs unchanged.
  writeFileSync(
    path.join(pkg, 'bundler/index.js'),
    "export * from './atrium_wasm.js';\n/** Nothing to do: webpack instantiated the module on import. */\nexport default async function init() {}\n",
  );
  writeFileSync(
    path.join(pkg, 'bundler/index.d.ts'),
    "export * from './atrium_wasm.js';\nexport default function init(): Promise<void>;\n",
  );
}
const manifest = JSON.parse(readFileSync(path.join(root, 'pkg-template/package.json'), 'utf8'));
manifest.version = cargoVersion();
writeFileSync(path.join(pkg, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
cpSync(path.join(root, 'pkg-template/README.md'), path.join(pkg, 'README.md'));
await connectModule(path.join(pkg, 'connect'));

/**
 * wasm-bindgen cannot re-export a class from a JS snippet, so AtriumError (declared in the
 * .d.ts by the Rust side) is exported from the entry module here.
 */
function exportErrorClass(dir) {
  const snippets = path.join(dir, 'snippets');
  const crateDir = readdirSync(snippets).find((d) => existsSync(path.join(snippets, d, 'src/js/atrium_error.js')));
  if (!crateDir) throw new Error(`no atrium_error.js snippet under ${snippets}`);
  const entry = path.join(dir, 'atrium_wasm.js');
  const line = `export { AtriumError } from './snippets/${crateDir}/src/js/atrium_error.js';\n`;
  const js = readFileSync(entry, 'utf8');
  if (!js.includes(line)) writeFileSync(entry, `${js.trimEnd()}\n${line}`);
}

/**
 * The web build as one minified module: wasm-bindgen's glue imports its JS snippets, which a
 * browser can only request once it has parsed the glue (a second round trip before the .wasm
 * is even asked for). Bundlers of the bundler build do this themselves.
 */
async function oneModule(dir) {
  const entry = path.join(dir, 'atrium_wasm.js');
  // The classes keep their names (devtools and `constructor.name` show them); esbuild's
  // `keepNames` would keep every internal function's too, a wrapper each (~0.3 KiB gzip).
  const glue = readFileSync(entry, 'utf8');
  const classes = [...glue.matchAll(/^export class (\w+)/gm)].map((m) => m[1]);
  const named = classes.map((c) => `Object.defineProperty(${c}, 'name', { value: '${c}' });`);
  writeFileSync(entry, `${glue.trimEnd()}\n${named.join('\n')}\n`);
  await build({
    entryPoints: [entry],
    outfile: entry,
    allowOverwrite: true,
    bundle: true,
    format: 'esm',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    banner: { js: '/* @ts-self-types="./atrium_wasm.d.ts" */' },
    logLevel: 'warning',
    // wasm-bindgen lists the snippet module once per import it takes from it (all the same
    // namespace object), which esbuild rightly finds odd and wrongly fears.
    logOverride: { 'duplicate-object-key': 'silent' },
  });
  rmSync(path.join(dir, 'snippets'), { recursive: true, force: true });
}

/**
 * <atrium-connect> (`atrium-wasm/connect`) as one minified module over the web build, which
 * it imports (and never bundles): only pages that use the element load it.
 */
async function connectModule(dir) {
  rmSync(dir, { recursive: true, force: true });
  const source = path.join(root, 'pkg-template/connect');
  await build({
    entryPoints: [path.join(source, 'index.js')],
    outfile: path.join(dir, 'index.js'),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    external: ['../web/atrium_wasm.js'],
    banner: { js: '/* @ts-self-types="./index.d.ts" */' },
    logLevel: 'warning',
  });
  cpSync(path.join(source, 'index.d.ts'), path.join(dir, 'index.d.ts'));
  // The React binding: one small module over the element, react its optional peer.
  const react = path.join(pkg, 'react');
  rmSync(react, { recursive: true, force: true });
  cpSync(path.join(root, 'pkg-template/react'), react, { recursive: true });
}
