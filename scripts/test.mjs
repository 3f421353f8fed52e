// `npm test` after the bootstrap: the checks, then every suite against a real relay and
// sandbox, then one closing line "N passed, N failed" over all of them. Exits non-zero on
// any failure; a suite that runs no test counts as failed, so a browser leg cannot vanish.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { cargoVersion, freePort, root, run, startRedis, startRelay } from './lib.mjs';

const results = []; // { name, passed, failed, note }

function record(name, passed, failed, note = '') {
  results.push({ name, passed, failed, note });
}

/** A check (format, lint) counts as one: passed or failed. */
async function check(name, cmd, args, extraEnv) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const { code } = await run(cmd, args, { extraEnv });
  record(name, code === 0 ? 1 : 0, code === 0 ? 0 : 1);
  return code === 0;
}

/** Sums the "test result: ... N passed; M failed" lines of cargo's and wasm-bindgen's runners. */
function cargoCounts(output) {
  let passed = 0;
  let failed = 0;
  for (const m of output.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
    passed += Number(m[1]);
    failed += Number(m[2]);
  }
  return { passed, failed };
}

/** node --test prints "# pass N" and "# fail N". */
function nodeCounts(output) {
  const pick = (k) => Number((new RegExp(`^# ${k} (\\d+)`, 'm').exec(output) ?? [0, 0])[1]);
  return { passed: pick('pass'), failed: pick('fail') };
}

async function suite(name, cmd, args, extraEnv, counter) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const { code, output } = await run(cmd, args, { extraEnv });
  let { passed, failed } = counter(output);
  let note = '';
  if (code !== 0 && failed === 0) {
    failed = 1;
    note = `exited ${code}`;
  }
  if (passed + failed === 0) {
    failed = 1;
    note = 'ran no test';
  }
  record(name, passed, failed, note);
}

/**
 * The browser suites cannot reach the sandbox's test controls (another origin), so they are
 * set here: no users yet, transitions at once, and faults on paths only the retry and abort
 * tests use (tests/client.rs names them), and on one create of tests/flow.rs. Set again before each browser, as faults get spent.
 */
async function sandboxPost(sandbox, path, body) {
  const headers = { 'MX-API-Key': keys.apiKey, 'MX-Client-ID': keys.clientId, 'Content-Type': 'application/json' };
  const r = await fetch(`${sandbox}${path}`, { method: 'POST', headers, body: body && JSON.stringify(body) });
  if (!r.ok) throw new Error(`POST ${path}: ${r.status}`);
}

async function prepareSandbox(sandbox, plainSandbox) {
  const post = (path, body) => sandboxPost(sandbox, path, body);
  // The plain relay's sandbox (tests/many.rs): clean, at a fifth of the real pace, so that
  // many flows run at once for a few seconds.
  await sandboxPost(plainSandbox, '/_sandbox/reset');
  await sandboxPost(plainSandbox, '/_sandbox/clock', { transition_scale: 0.2 });
  // A clean sandbox for each browser: one run's users would otherwise use up the sandbox's
  // 100-user allowance for the next.
  await post('/_sandbox/reset');
  await post('/_sandbox/clock', { transition_scale: 0 });
  const faults = [
    { path_contains: '/institutions/usaa', times: 2, status: 503 },
    { path_contains: '/institutions/ally', times: 1, status: 429, retry_after: 1 },
    { path_contains: '/institutions/pnc', status: 503 },
    { path_contains: '/institutions/discover', delay_ms: 3000 },
    { path_contains: '/institutions/vanguard', status: 429, retry_after: 30 },
    { path_contains: '/connect_widget_url', times: 1, status: 503 },
    // tests/flow.rs: a create acted on, then left unanswered.
    { method: 'POST', body_contains: '"identifier":"unanswered-create"', times: 1, drop_after: true },
  ];
  for (const f of faults) await post('/_sandbox/faults', f);
}

// A fresh key pair for the embedded sandbox on every run: the e2e suite looks for it in
// everything the browser received, and a random value cannot be there by chance.
const keys = { apiKey: `key-${randomUUID()}`, clientId: `client-${randomUUID()}` };
const started = Date.now();
const wasmTarget = ['--target', 'wasm32-unknown-unknown'];
await check('cargo fmt', 'cargo', ['fmt', '--all', '--check']);
// `atrium-core/ts` builds the test that keeps the TypeScript declarations equal to the Rust types.
const features = ['--features', 'atrium-core/ts'];
await check('clippy (native)', 'cargo', ['clippy', '--workspace', '--all-targets', ...features, '--', '-D', 'warnings']);
await check('clippy (wasm32)', 'cargo', ['clippy', '-p', 'atrium-wasm', '--all-targets', ...wasmTarget, '--', '-D', 'warnings']);

await suite('native (cargo test)', 'cargo', ['test', '--workspace', ...features], {}, cargoCounts);

// The browser suites and the e2e suite share one relay with its embedded sandbox.
// The package is built as it is published: both targets, packed into a tarball, which the
// package suite (e2e/package.test.mjs) installs into scratch projects.
const built = await check('build relay and pack', 'bash', ['-c', 'cargo build -p atrium-relay && node scripts/pack.mjs']);
const tarball = path.join(root, 'target', 'pack', `atrium-wasm-${cargoVersion()}.tgz`);
let relay = null;
if (built) {
  await check('size budget', 'node', ['scripts/size.mjs', '--check']);
  // The demo is plain JavaScript under `// @ts-check`, checked against the package's types.
  await check('types (demo)', 'node', ['node_modules/typescript/bin/tsc', '-p', 'www/tsconfig.json']);
}
let redis = null;
let relay2 = null;
let plain = null;
if (built) {
  const testPort = await freePort();
  const testOrigin = `http://127.0.0.1:${testPort}`;
  // Two relays sharing a real Redis: the first embeds the sandbox and takes its webhooks,
  // the second forwards to that sandbox and hears the webhooks through Redis only.
  const signingKey = randomUUID() + randomUUID();
  const relayBin = path.join(root, 'target/debug/atrium-relay');
  const relayEnv = {
    RUST_LOG: 'warn',
    MX_API_KEY: keys.apiKey,
    MX_CLIENT_ID: keys.clientId,
    RELAY_SIGNING_KEY: signingKey,
  };
  try {
    redis = await startRedis();
    relay = await startRelay(relayBin, [
      '--sandbox',
      '--addr',
      '127.0.0.1:0',
      '--allow-origin',
      testOrigin,
      // Cut event streams as proxies do, so the flows' resume path runs (tests/push.rs).
      '--stream-max-age',
      '2s',
      '--redis',
      redis.url,
    ], { extraEnv: relayEnv });
    relay2 = await startRelay(relayBin, [
      '--upstream',
      relay.sandbox,
      '--addr',
      '127.0.0.1:0',
      '--allow-origin',
      testOrigin,
      '--redis',
      redis.url,
    ], { extraEnv: relayEnv });
    // A third relay as `npm start` runs one (its own sandbox, no stream cuts, no Redis,
    // default limits), for the many-flows suite; only the test page's origin is added.
    plain = await startRelay(relayBin, ['--sandbox', '--addr', '127.0.0.1:0', '--allow-origin', testOrigin], {
      extraEnv: relayEnv,
    });
  } catch (e) {
    console.error(e.message);
    record('start redis and relays', 0, 1);
    await relay?.stop();
    await relay2?.stop();
    relay = null;
  }
  if (relay) {
    // wasm-bindgen-test-runner serves its page from this address, which the relays allow (CORS).
    const browserEnv = {
      ATRIUM_TEST_RELAY: relay.url,
      ATRIUM_TEST_RELAY2: relay2.url,
      ATRIUM_TEST_PLAIN_RELAY: plain.url,
      WASM_BINDGEN_TEST_ADDRESS: `127.0.0.1:${testPort}`,
      // A suite's whole run (the default, 20 s, is less than the many-flows suite takes).
      WASM_BINDGEN_TEST_TIMEOUT: '180',
    };
    await prepareSandbox(relay.sandbox, plain.sandbox);
    await suite(
      'browser: Chrome',
      'wasm-pack',
      ['test', '--headless', '--chrome', '--chromedriver', '/usr/bin/chromedriver'],
      browserEnv,
      cargoCounts,
    );
    await prepareSandbox(relay.sandbox, plain.sandbox);
    const geckodriver = ['/root/.cargo/bin/geckodriver', path.join(process.env.HOME ?? '', '.cargo/bin/geckodriver')].find(
      existsSync,
    );
    await suite(
      'browser: Firefox',
      'wasm-pack',
      ['test', '--headless', '--firefox', '--geckodriver', geckodriver ?? 'geckodriver'],
      browserEnv,
      cargoCounts,
    );
    await suite('e2e (demo, package)', 'node', ['--test', '--test-reporter=tap', 'e2e/'], {
        ATRIUM_E2E_URL: relay.url,
        ATRIUM_E2E_SANDBOX: relay.sandbox,
        ATRIUM_E2E_KEYS: `${keys.apiKey} ${keys.clientId}`,
        ATRIUM_TARBALL: tarball,
      }, nodeCounts);
    await relay.stop();
    await relay2.stop();
    await plain.stop();
  }
  redis?.stop();
}

const seconds = ((Date.now() - started) / 1000).toFixed(0);
console.log(`\n=== summary (${seconds} s after the bootstrap)`);
for (const r of results) {
  const mark = r.failed ? 'FAIL' : 'ok  ';
  console.log(`${mark} ${r.name.padEnd(28)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed ${r.note}`);
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
