// The package's download size (the web build's .wasm plus its JS, one module), raw,
// gzip and brotli, and apart from it <atrium-connect>'s modules (loaded only by pages that
// use the element); `--check` fails when either gzip total exceeds size-budget.json, which
// is set to the size reached plus 2 % so that any growth is noticed and argued for.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { root } from './lib.mjs';

const web = path.join(root, 'pkg', 'web');
const connectDir = path.join(root, 'pkg', 'connect');

function jsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return jsFiles(full);
    return name.endsWith('.js') ? [full] : [];
  });
}

const sizes = (buf) => ({
  raw: buf.length,
  gzip: gzipSync(buf, { level: 9 }).length,
  brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});

const add = (a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli });

/** Every JS file of `dir`, each fetched (and compressed) on its own, added up. */
const jsOf = (dir) =>
  jsFiles(dir)
    .map((f) => sizes(readFileSync(f)))
    .reduce(add);

export function measure() {
  const wasm = sizes(readFileSync(path.join(web, 'atrium_wasm_bg.wasm')));
  // The web build ships one module since it is bundled.
  const glue = jsOf(web);
  const total = add(wasm, glue);
  return { wasm, glue, total, connect: jsOf(connectDir) };
}

export const budget = () => JSON.parse(readFileSync(path.join(root, 'size-budget.json'), 'utf8'));

if (import.meta.url === `file://${process.argv[1]}`) {
  const { wasm, glue, total, connect } = measure();
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  for (const [name, s] of [['.wasm', wasm], ['JS glue', glue], ['together', total], ['connect/', connect]]) {
    console.log(`${name.padEnd(9)} raw ${kib(s.raw).padStart(10)}  gzip ${kib(s.gzip).padStart(9)}  brotli ${kib(s.brotli).padStart(9)}`);
  }
  if (process.argv.includes('--check')) {
    // More files would be a module graph again: each one a round trip before the .wasm.
    const files = jsFiles(web).map((f) => path.relative(web, f));
    if (files.length !== 1) {
      console.error(`the web build must ship one JS module, not ${files.length}: ${files.join(', ')}`);
      process.exit(1);
    }
    const { gzip_bytes: limit, connect_gzip_bytes: connectLimit } = budget();
    if (total.gzip > limit) {
      console.error(`over budget: ${total.gzip} bytes gzip > ${limit} (size-budget.json)`);
      process.exit(1);
    }
    if (!(connect.gzip <= connectLimit)) {
      console.error(`<atrium-connect> over budget: ${connect.gzip} bytes gzip > ${connectLimit} (size-budget.json)`);
      process.exit(1);
    }
    console.log(`within budget: ${total.gzip} of ${limit} bytes gzip; connect/ ${connect.gzip} of ${connectLimit}`);
  }
}
