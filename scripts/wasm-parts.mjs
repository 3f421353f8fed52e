// Where the web build's .wasm bytes are: function bodies grouped by crate and module (from
// the name section), data, and the rest by section. The shipped .wasm has no names, so the
// bench builds a twin with them kept (wasm-bindgen, then wasm-opt -Oz -g) whose code is the
// same; `partsOf` reads it. Usage: node scripts/wasm-parts.mjs [FILE.wasm | -] [top N]
// (no file: the twin of the release build left by `node scripts/build-pkg.mjs`).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { root, run } from './lib.mjs';
import { Reader, sections } from './wasm-reader.mjs';

/** The number of imported functions, which come first in the function index space. */
function importedFunctions(r, end) {
  let functions = 0;
  for (let n = r.leb(); n > 0 && r.at < end; n--) {
    r.name();
    r.name();
    if (r.importDesc() === 0) functions++;
  }
  return functions;
}

/** Function names by index, from the `name` custom section's function subsection. */
function functionNames(r, end) {
  const names = new Map();
  while (r.at < end) {
    const id = r.u8();
    const size = r.leb();
    const next = r.at + size;
    if (id === 1) {
      for (let n = r.leb(); n > 0; n--) {
        const index = r.leb();
        names.set(index, r.name());
      }
    }
    r.at = next;
  }
  return names;
}

/** The group a Rust symbol counts under: its crate, and for our own crates the module. */
export function groupOf(symbol) {
  const path = symbol
    .replace(/^[<&(\s]+/, '')
    .replace(/^(mut |dyn )/, '')
    .replace(/\[[0-9a-f]+\]/g, '');
  const segments = path.split('::');
  // wasm-opt inlines each exported method's body into wasm-bindgen's shim for it.
  if (segments.length < 2) return /shim/.test(symbol) ? 'atrium_wasm exported methods (inlined)' : 'other';
  const crate = segments[0].replace(/>$/, '');
  // Methods of primitive types (`<char>::escape_debug_ext`, `<str>::…`) are the core library's.
  if (/^(char|str|bool|[iuf](8|16|32|64|128|size)|\[.*\])$/.test(crate)) return 'core';
  if (crate === 'atrium_wasm' || crate === 'atrium_core') return `${crate}::${segments[1].replace(/[^a-z_].*$/, '')}`;
  if (/flt2dec|fmt::float|<f64|<f32|dec2flt/.test(symbol)) return 'core (float formatting)';
  return crate;
}

/** Bytes by group: code by function group, then data and the other sections whole. */
export function partsOf(bytes) {
  const bodies = [];
  const parts = new Map();
  const add = (group, n) => parts.set(group, (parts.get(group) ?? 0) + n);
  let imported = 0;
  let names = new Map();
  for (const { id, start, end } of sections(bytes)) {
    const r = new Reader(bytes, start);
    const size = end - start;
    if (id === 2) imported = importedFunctions(r, end);
    else if (id === 10) {
      for (let n = r.leb(), i = 0; i < n; i++) {
        const len = r.leb();
        bodies.push(len);
        r.at += len;
      }
    } else if (id === 11) add('data (strings and tables)', size);
    else if (id === 0) {
      const name = r.name();
      if (name === 'name') names = functionNames(r, end);
      else add(`custom section ${name}`, size);
    } else add(`section ${id}`, size);
  }
  bodies.forEach((len, i) => add(groupOf(names.get(imported + i) ?? 'unnamed'), len));
  return [...parts.entries()].sort((a, b) => b[1] - a[1]);
}

/**
 * The twin of the shipped .wasm with its names kept, from the release build wasm-pack left
 * in target/: the same wasm-bindgen and wasm-opt -Oz, plus -g. Resolves to its bytes.
 */
export async function namedTwin() {
  const dir = mkdtempSync(path.join(tmpdir(), 'atrium-parts-'));
  try {
    const input = path.join(root, 'target/wasm32-unknown-unknown/release/atrium_wasm.wasm');
    const bindgen = await run('wasm-bindgen', ['--target', 'web', '--out-dir', dir, '--out-name', 'twin', input], { quiet: true });
    if (bindgen.code !== 0) throw new Error(`wasm-bindgen failed:\n${bindgen.output}`);
    const opt = await run('wasm-opt', ['-Oz', '-g', path.join(dir, 'twin_bg.wasm'), '-o', path.join(dir, 'named.wasm')], { quiet: true });
    if (opt.code !== 0) throw new Error(`wasm-opt failed:\n${opt.output}`);
    return readFileSync(path.join(dir, 'named.wasm'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, top = '25'] = process.argv.slice(2);
  const parts = partsOf(file && file !== '-' ? readFileSync(file) : await namedTwin());
  const total = parts.reduce((s, [, n]) => s + n, 0);
  for (const [group, n] of parts.slice(0, Number(top))) {
    console.log(`${String(n).padStart(8)}  ${((100 * n) / total).toFixed(1).padStart(5)} %  ${group}`);
  }
}
