// The client benchmark, in headless Chromium: bulk data through the library versus plain
// JavaScript against the same relay, in one run. Prints a Markdown table with ratios.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { median, root, run, startRelay } from '../scripts/lib.mjs';
import { budget, measure } from '../scripts/size.mjs';
import { namedTwin, partsOf } from '../scripts/wasm-parts.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

const build = await run('cargo', ['build', '--profile', 'server', '-p', 'atrium-relay'], { quiet: true });
if (build.code !== 0) {
  console.error(build.output);
  process.exit(1);
}
const pkgBuild = await run('node', ['scripts/build-pkg.mjs', '--only', 'web'], { quiet: true });
if (pkgBuild.code !== 0) {
  console.error(pkgBuild.output);
  process.exit(1);
}
// The demo's files and a one-line module, whose import is the module loader's own cost.
const www = mkdtempSync(path.join(tmpdir(), 'bench-www-'));
cpSync(path.join(root, 'www'), www, { recursive: true });
writeFileSync(path.join(www, 'one-line.js'), 'export const loaded = true;\n');
const relay = await startRelay(path.join(root, 'target/server/atrium-relay'), ['--sandbox', '--addr', '127.0.0.1:0', '--rate-limit', '0', '--www', www, '--pkg', path.join(root, 'pkg')], {
  echo: false,
  extraEnv: { RUST_LOG: 'warn' },
});
const keys = { 'MX-API-Key': 'sandbox-api-key', 'MX-Client-ID': 'sandbox-client-id', 'Content-Type': 'application/json' };
await fetch(`${relay.sandbox}/_sandbox/clock`, { method: 'POST', headers: keys, body: JSON.stringify({ transition_scale: 0 }) });

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const page = await browser.newPage();
await page.goto(`${relay.url}/`);
const results = await page.evaluate(async (rounds) => {
  const mod = await import('/pkg/web/atrium_wasm.js');
  await mod.default();
  const session = await (await fetch('/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: `bench-${Date.now()}` }) })).json();
  const client = new mod.AtriumClient({ relayUrl: location.origin, token: session.token, retry: { retries: 0 } });
  const credentials = (password) => [
    { guid: 'CRD-9f61fb4c-912c-bd1e-b175-ccc7f0275cc1', value: 'test_atrium' },
    { guid: 'CRD-e3d7ea81-aac7-05e9-fbdd-4b493c6e474d', value: password },
  ];
  const m10 = (await client.createMember({ institution_code: 'mxbank', credentials: credentials('BIG_10K') })).guid;
  const m25 = (await client.createMember({ institution_code: 'mxbank', credentials: credentials('BIG_25K'), identifier: 'big' })).guid;
  await client.readMemberStatus(m10);
  await client.readMemberStatus(m25);
  const url = (m, p) => `/atrium/users/${session.user_guid}/members/${m}/transactions?from_date=2000-01-01&page=${p}&records_per_page=1000`;
  const auth = { headers: { Authorization: `Bearer ${session.token}`, Accept: 'application/json' } };
  const plainPage = async (m, p) => (await fetch(url(m, p), auth)).json();
  const libPage = (m, p) => client.listTransactions({ member_guid: m, from_date: '2000-01-01', page: p, records_per_page: 1000 });

  // 10,000 transactions: ten pages of 1,000, one after another.
  const decodePlain = async () => {
    let n = 0;
    for (let p = 1; p <= 10; p++) n += (await plainPage(m10, p)).transactions.length;
    return n;
  };
  const decodeLib = async () => {
    let n = 0;
    for (let p = 1; p <= 10; p++) n += (await libPage(m10, p)).items.length;
    return n;
  };
  // 25,000 transactions: all pages, four in flight, in order.
  const allLib = async () => (await client.all('listTransactions', { member_guid: m25, from_date: '2000-01-01', records_per_page: 1000, concurrency: 4 })).length;
  const allPlain = async () => {
    const first = await plainPage(m25, 1);
    const out = [...first.transactions];
    const pages = [];
    for (let p = 2; p <= first.pagination.total_pages; p++) pages.push(p);
    const inFlight = [];
    while (pages.length || inFlight.length) {
      while (inFlight.length < 4 && pages.length) inFlight.push(plainPage(m25, pages.shift()));
      out.push(...(await inFlight.shift()).transactions);
    }
    return out.length;
  };
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const measure = async (fn, expected) => {
    await fn(); // warm-up
    const times = [];
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      const n = await fn();
      times.push(performance.now() - t);
      if (n !== expected) throw new Error(`expected ${expected} items, got ${n}`);
    }
    return median(times);
  };
  // Alternate library and baseline so that both see the same machine state.
  const out = {};
  out.decodePlain = await measure(decodePlain, 10000);
  out.decodeLib = await measure(decodeLib, 10000);
  out.allPlain = await measure(allPlain, 25000);
  out.allLib = await measure(allLib, 25000);
  return out;
}, ROUNDS);
// Loading: a fresh browser context per round (empty HTTP cache), on a page of the relay's
// origin; the library's `import` + `init()` (fetch, compile, instantiate the .wasm and the
// glue) against the baseline of fetching the same .wasm bytes alone.
const LOADS = Number(process.env.BENCH_LOADS ?? 21);
const loadLib = [];
const loadBytes = [];
// What no ES-module library that fetches its .wasm in init() can beat (a fetch on import
// would be a side effect): a one-line module's import, then the .wasm bytes' fetch.
const loadFloor = [];
// The .wasm compiled as it streams in, without the glue.
const loadCompile = [];
for (let i = 0; i < LOADS; i++) {
  for (const [list, fn] of [
    [loadBytes, async () => {
      const t0 = performance.now();
      const bytes = await (await fetch('/pkg/web/atrium_wasm_bg.wasm', { cache: 'no-store' })).arrayBuffer();
      if (bytes.byteLength < 1000) throw new Error('no wasm');
      return performance.now() - t0;
    }],
    [loadFloor, async () => {
      const t0 = performance.now();
      const mod = await import('/one-line.js');
      const bytes = await (await fetch('/pkg/web/atrium_wasm_bg.wasm', { cache: 'no-store' })).arrayBuffer();
      if (!mod.loaded || bytes.byteLength < 1000) throw new Error('no module or no wasm');
      return performance.now() - t0;
    }],
    [loadCompile, async () => {
      const t0 = performance.now();
      await WebAssembly.compileStreaming(fetch('/pkg/web/atrium_wasm_bg.wasm', { cache: 'no-store' }));
      return performance.now() - t0;
    }],
    [loadLib, async () => {
      const t0 = performance.now();
      const mod = await import('/pkg/web/atrium_wasm.js');
      await mod.default();
      const t1 = performance.now();
      if (typeof mod.AtriumClient !== 'function') throw new Error('no AtriumClient');
      // Where the time went, from the browser's own resource timing of the two files.
      const entry = (file) => performance.getEntriesByType('resource').find((e) => e.name.endsWith(file));
      const glue = entry('/atrium_wasm.js');
      const wasm = entry('/atrium_wasm_bg.wasm');
      return {
        total: t1 - t0,
        queued: glue.requestStart - t0,
        glue: glue.responseEnd - glue.requestStart,
        evaluate: wasm.startTime - glue.responseEnd,
        wasm: wasm.responseEnd - wasm.startTime,
        compile: t1 - wasm.responseEnd,
      };
    }],
  ]) {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${relay.url}/healthz`);
    list.push(await tab.evaluate(fn));
    await context.close();
  }
}
await browser.close();
await relay.stop();

const loadMs = median(loadLib.map((l) => l.total));
const phase = (key) => median(loadLib.map((l) => l[key])).toFixed(1);
const bytesMs = median(loadBytes);
const floorMs = median(loadFloor);
const compileMs = median(loadCompile);
rmSync(www, { recursive: true, force: true });
const { wasm, glue, total, connect } = measure();
const parts = partsOf(await namedTwin());
const partsTotal = parts.reduce((sum, [, n]) => sum + n, 0);
const { gzip_bytes: limit, connect_gzip_bytes: connectLimit } = budget();
const kib = (n) => (n / 1024).toFixed(1);
const ratio = (a, b) => (a / b).toFixed(2);
const lines = [
  `### Client: bulk data in headless Chromium (median of ${ROUNDS}; relay and sandbox on this machine)`,
  '',
  '| measurement | atrium-wasm ms | plain JS ms | ratio | goal |',
  '|---|---:|---:|---:|---:|',
  `| fetch + decode 10,000 transactions (10 pages of 1,000, in turn) | ${results.decodeLib.toFixed(1)} | ${results.decodePlain.toFixed(1)} | ${ratio(results.decodeLib, results.decodePlain)}× | ≤ 1.3× |`,
  `| all() of 25,000 transactions (pages of 1,000, 4 in flight) | ${results.allLib.toFixed(1)} | ${results.allPlain.toFixed(1)} | ${ratio(results.allLib, results.allPlain)}× | ≤ 1.1× |`,
  '',
  `### Package: size (the web build) and load time (median of ${LOADS} fresh browser contexts)`,
  '',
  '| file | raw KiB | gzip KiB | brotli KiB |',
  '|---|---:|---:|---:|',
  `| atrium_wasm_bg.wasm | ${kib(wasm.raw)} | ${kib(wasm.gzip)} | ${kib(wasm.brotli)} |`,
  `| JS (one module) | ${kib(glue.raw)} | ${kib(glue.gzip)} | ${kib(glue.brotli)} |`,
  `| together | ${kib(total.raw)} | ${kib(total.gzip)} (budget ${kib(limit)}; goal < 60) | ${kib(total.brotli)} |`,
  `| \`connect/\` (\`<atrium-connect>\`, loaded only by pages that use it) | ${kib(connect.raw)} | ${kib(connect.gzip)} (budget ${kib(connectLimit)}) | ${kib(connect.brotli)} |`,
  '',
  '| measurement | atrium-wasm ms | baseline ms | ratio |',
  '|---|---:|---:|---:|',
  `| import + init(): fetch, compile and instantiate (baseline: fetch of the .wasm bytes alone) | ${loadMs.toFixed(1)} | ${bytesMs.toFixed(1)} | ${ratio(loadMs, bytesMs)}× |`,
  `| import + init() (baseline: a one-line module's import, then the .wasm's fetch: the floor of any ES-module loader) | ${loadMs.toFixed(1)} | ${floorMs.toFixed(1)} | ${ratio(loadMs, floorMs)}× |`,
  `| the .wasm compiled as it streams, alone (baseline: its fetch) | ${compileMs.toFixed(1)} | ${bytesMs.toFixed(1)} | ${ratio(compileMs, bytesMs)}× |`,
  '',
  'Where the load time goes (medians of each phase, ms): until the glue is requested (module loader, cache) ' +
    `${phase('queued')}; the glue's transfer ${phase('glue')}; evaluating it until the .wasm is requested ${phase('evaluate')}; ` +
    `the .wasm's transfer, compiled as it streams ${phase('wasm')}; compiling the rest and instantiating ${phase('compile')}.`,
  '',
  '| where the .wasm bytes are (a twin built with names; code by crate and module) | bytes | share |',
  '|---|---:|---:|',
  ...parts.slice(0, 14).map(([group, n]) => `| ${group} | ${n} | ${((100 * n) / partsTotal).toFixed(1)} % |`),
  '',
];
console.log(lines.join('\n'));
