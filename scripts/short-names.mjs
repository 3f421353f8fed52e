// Short names for the web build's imports and exports, in the .wasm and its glue alike.
// wasm-bindgen names each import `__wbg_<name>_<16 hex digits>` and each export by its Rust
// path: ~6 KB of names a browser downloads twice (in the .wasm and as the glue's keys), the
// hashes of which gzip cannot shrink. wasm-opt's `--minify-imports-and-exports` renames the
// .wasm's side only; the glue is wasm-bindgen's and is rewritten here with the same map.
// Usage (build-pkg.mjs): shortenNames(dir) on a web build before its glue is bundled.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Reader, sections } from './wasm-reader.mjs';

/** The n-th short name: a … z, A … Z, aa, ab, … (identifiers, so `wasm.ab` stays valid). */
export function shortName(n) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let name = '';
  for (let i = n + 1; i > 0; i = Math.floor((i - 1) / letters.length)) {
    name = letters[(i - 1) % letters.length] + name;
  }
  return name;
}

function leb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

function encodeName(text) {
  const bytes = new TextEncoder().encode(text);
  return [...leb(bytes.length), ...bytes];
}

/**
 * Renames the module's imports (each module to a short one, each field of `renamedModules`
 * to a short one) and all its exports. Returns the new bytes and the maps used.
 */
export function renameWasm(bytes, renamedModules) {
  const modules = new Map();
  const imports = new Map();
  const exports = new Map();
  const out = [bytes.subarray(0, 8)];
  for (const s of sections(bytes)) {
    if (s.id !== 2 && s.id !== 7) {
      out.push(Uint8Array.from([s.id, ...leb(s.end - s.start)]), bytes.subarray(s.start, s.end));
      continue;
    }
    const r = new Reader(bytes, s.start);
    const count = r.leb();
    const payload = [...leb(count)];
    for (let i = 0; i < count; i++) {
      if (s.id === 2) {
        const module = r.name();
        const field = r.name();
        if (!modules.has(module)) modules.set(module, shortName(modules.size));
        let name = field;
        if (renamedModules(module)) {
          name = shortName(imports.size);
          imports.set(field, name);
        }
        const from = r.at;
        r.importDesc();
        payload.push(...encodeName(modules.get(module)), ...encodeName(name), ...bytes.subarray(from, r.at));
      } else {
        const field = r.name();
        const name = shortName(exports.size);
        exports.set(field, name);
        const kind = r.u8();
        const index = r.leb();
        payload.push(...encodeName(name), kind, ...leb(index));
      }
    }
    out.push(Uint8Array.from([s.id, ...leb(payload.length), ...payload]));
  }
  return { bytes: Buffer.concat(out), modules, imports, exports };
}

/** The module's import modules and fields and its export names, as they are. */
export function namesOf(bytes) {
  const names = { modules: new Set(), fields: [], exports: [] };
  for (const s of sections(bytes)) {
    if (s.id !== 2 && s.id !== 7) continue;
    const r = new Reader(bytes, s.start);
    for (let n = r.leb(); n > 0; n--) {
      if (s.id === 2) {
        names.modules.add(r.name());
        names.fields.push(r.name());
        r.importDesc();
      } else {
        names.exports.push(r.name());
        r.u8();
        r.leb();
      }
    }
  }
  return names;
}

/**
 * The glue with the same names: `wasm.<export>`, the keys of the object of imports it makes
 * itself, and the object of modules it hands to `instantiate`.
 */
export function renameGlue(js, { modules, imports, exports }) {
  let out = js.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (all, name) =>
    exports.has(name) ? `wasm.${exports.get(name)}` : all,
  );
  out = out.replace(/^( {8})([A-Za-z_$][\w$]*): function\(/gm, (all, indent, name) =>
    imports.has(name) ? `${indent}${imports.get(name)}: function(` : all,
  );
  for (const [module, short] of modules) {
    const before = out;
    out = out.split(`"${module}": import`).join(`"${short}": import`);
    if (out === before) throw new Error(`the glue hands no object to the module ${module}`);
  }
  const left = [...imports.keys(), ...exports.keys()].filter((n) => n.length > 3 && out.includes(n));
  const unrenamed = left.filter((n) => new RegExp(`(wasm\\.|^ {8})${n.replace(/\$/g, '\\$')}\\b`, 'm').test(out));
  if (unrenamed.length) throw new Error(`the glue still uses ${unrenamed.slice(0, 5).join(', ')}`);
  return out;
}

/** The declarations of the exports (`InitOutput`, the .wasm's own .d.ts) with the new names. */
export function renameDeclarations(dts, { exports }) {
  return dts.replace(/^(\s*(?:readonly|export const) )([A-Za-z_$][\w$]*)(?=:)/gm, (all, head, name) =>
    exports.has(name) ? `${head}${exports.get(name)}` : all,
  );
}

/** Renames a web build's imports and exports in place (`atrium_wasm_bg.wasm` and its glue). */
export function shortenNames(dir) {
  const wasmPath = path.join(dir, 'atrium_wasm_bg.wasm');
  const gluePath = path.join(dir, 'atrium_wasm.js');
  const own = './atrium_wasm_bg.js';
  const renamed = renameWasm(readFileSync(wasmPath), (module) => module === own);
  writeFileSync(wasmPath, renamed.bytes);
  writeFileSync(gluePath, renameGlue(readFileSync(gluePath, 'utf8'), renamed));
  for (const name of ['atrium_wasm.d.ts', 'atrium_wasm_bg.wasm.d.ts']) {
    const file = path.join(dir, name);
    writeFileSync(file, renameDeclarations(readFileSync(file, 'utf8'), renamed));
  }
  return renamed;
}
