// The packed tarball as a partner gets it: installed with `npm install <tarball>` into scratch
// projects whose other packages come from the npm cache alone (e2e/consumer.mjs), then (a) a
// plain <script type="module"> page and (b) a Vite app that import it and connect a member
// through an MFA question in headless Chromium, and (c) a TypeScript consumer of every
// exported type, checked by tsc against the installed package.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { root, startRelay } from '../scripts/lib.mjs';
import { namesOf } from '../scripts/short-names.mjs';
import { consumer, sh } from './consumer.mjs';
import { pick } from './element.mjs';
import { watch } from './watch.mjs';

const tarball = process.env.ATRIUM_TARBALL;
const relayBin = process.env.ATRIUM_RELAY_BIN ?? path.join(root, 'target/debug/atrium-relay');
const scratch = path.join(root, 'target', 'consumers');
const relays = [];
let browser;

/** A page's lines that get a relay session into `session` (top-level await). */
const SESSION = `const session = await fetch('/session', {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ name: 'consumer ' + Date.now() }),
}).then((r) => r.json());`;

/** The check both pages run; `from` is how each imports the package. */
const check = (from) => `import init, { AtriumClient, AtriumError } from '${from}';

const out = document.getElementById('out');
try {
  await init();
  ${SESSION}
  const client = new AtriumClient({ relayUrl: location.origin, token: session.token, userGuid: session.user_guid });
  const form = await client.listInstitutionCredentials('mxbank');
  const credentials = form.map((c) => ({ guid: c.guid, value: c.type === 'PASSWORD' ? 'challenge' : 'test_atrium' }));
  const asked = [];
  const result = await client.connect({ institution_code: 'mxbank', credentials }).run({
    onChallenge: (challenges) => {
      asked.push(...challenges.map((c) => c.label));
      return challenges.map((c) => ({ guid: c.guid, value: 'correct' }));
    },
  });
  let refused = null;
  try {
    await client.readMember('MBR-00000000-0000-0000-0000-000000000000');
  } catch (e) {
    refused = { isAtriumError: e instanceof AtriumError, isError: e instanceof Error, code: e.code, status: e.status };
  }
  // Minified builds keep the classes' names (what devtools show).
  const names = [AtriumClient.name, AtriumError.name, client.constructor.name];
  out.textContent = JSON.stringify({ outcome: result.outcome, status: result.connection_status, asked, refused, names });
} catch (e) {
  out.textContent = JSON.stringify({ error: String(e && e.stack || e) });
}
document.body.dataset.done = 'true';
`;

const page = (script) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>consumer</title><link rel="icon" href="data:,">
<script type="module" src="${script}"></script></head>
<body><pre id="out"></pre></body></html>
`;

/** A scratch project with the tarball (and the workspace's `extra` packages) installed offline. */
const project = (name, extra = []) => consumer(path.join(scratch, name), tarball, extra);

async function serve(dir) {
  const relay = await startRelay(relayBin, ['--sandbox', '--addr', '127.0.0.1:0', '--www', dir], { echo: false, extraEnv: { RUST_LOG: 'warn' } });
  relays.push(relay);
  // Realistic step delays would only make the test slower.
  const keys = [process.env.MX_API_KEY ?? 'sandbox-api-key', process.env.MX_CLIENT_ID ?? 'sandbox-client-id'];
  const r = await fetch(`${relay.sandbox}/_sandbox/clock`, {
    method: 'POST',
    headers: { 'MX-API-Key': keys[0], 'MX-Client-ID': keys[1], 'Content-Type': 'application/json' },
    body: JSON.stringify({ transition_scale: 0.02 }),
  });
  assert.ok(r.ok, `sandbox clock: ${r.status}`);
  return relay.url;
}

async function connectIn(url) {
  const tab = await browser.newPage();
  const errors = await watch(tab);
  await tab.goto(url);
  await tab.waitForSelector('body[data-done="true"]', { timeout: 60_000 });
  const result = JSON.parse(await tab.textContent('#out'));
  await tab.close();
  return { result, errors };
}

const expected = {
  outcome: 'connected',
  status: 'CONNECTED',
  asked: ['What city were you born in?'],
  refused: { isAtriumError: true, isError: true, code: 'not_found', status: 404 },
  names: ['AtriumClient', 'AtriumError', 'AtriumClient'],
};

before(async () => {
  assert.ok(tarball, 'ATRIUM_TARBALL must name the packed package (npm test sets it)');
  rmSync(scratch, { recursive: true, force: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
});

after(async () => {
  await browser?.close();
  for (const relay of relays) await relay.stop();
});

test('a plain <script type="module"> page imports the installed package and connects a member', async () => {
  const dir = await project('plain');
  writeFileSync(path.join(dir, 'index.html'), page('./main.js'));
  writeFileSync(path.join(dir, 'main.js'), check('./node_modules/atrium-wasm/web/atrium_wasm.js'));
  const { result, errors } = await connectIn(`${await serve(dir)}/`);
  assert.deepEqual(result, expected);
  assert.deepEqual(errors, []);
});

test('a Vite app builds with the installed package (bare import) and connects a member', async () => {
  const dir = await project('vite', ['vite']);
  writeFileSync(path.join(dir, 'index.html'), page('/src/main.js'));
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  writeFileSync(path.join(dir, 'src', 'main.js'), check('atrium-wasm'));
  // Top-level await in the check needs an ES2022 target.
  writeFileSync(path.join(dir, 'vite.config.js'), "export default { build: { target: 'es2022' } };\n");
  await sh(dir, 'node', ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn']);
  const { result, errors } = await connectIn(`${await serve(path.join(dir, 'dist'))}/`);
  assert.deepEqual(result, expected);
  assert.deepEqual(errors, []);
});

/** A page's script that gets a session first (top-level await), then runs `body`. */
const withSession = (imports, body) => `${imports}
${SESSION}
window.seen = { a: [], b: [] };
${body}
`;

/** In instance `a` (an <atrium-connect> in the page), search MX Bank and connect without questions. */
async function connectWithElement(tab, a) {
  await pick(tab, a, 'mx', 'mxbank');
  await tab.fill(`${a} input[type="text"]`, 'test_atrium');
  await tab.fill(`${a} input[type="password"]`, 'password');
  await tab.click(`${a} form button[type="submit"]`);
  await tab.waitForSelector(`${a} [data-step="success"]`, { timeout: 30_000 });
}

test('a plain page uses <atrium-connect> from the installed package, under the relay\'s CSP', async () => {
  const dir = await project('element');
  writeFileSync(path.join(dir, 'index.html'), page('./main.js').replace('<pre id="out"></pre>', '<main id="root"></main>'));
  const script = withSession(
    "import { defineAtriumConnect } from './node_modules/atrium-wasm/connect/index.js';",
    `defineAtriumConnect();
const element = document.createElement('atrium-connect');
element.id = 'a';
element.token = session.token;
element.addEventListener('atrium-success', (e) => seen.a.push(['success', e.detail.status, e.detail.accounts.length > 0]));
element.addEventListener('atrium-exit', (e) => seen.a.push(['exit', e.detail.outcome]));
document.getElementById('root').append(element);`,
  );
  writeFileSync(path.join(dir, 'main.js'), script);
  const tab = await browser.newPage();
  const errors = await watch(tab);
  await tab.goto(`${await serve(dir)}/`);
  await connectWithElement(tab, '#a');
  assert.deepEqual(await tab.evaluate(() => window.seen.a), [['success', 'CONNECTED', true]]);
  assert.deepEqual(errors, []);
  await tab.close();
});

test('a Vite + React app (development build, StrictMode) uses <AtriumConnect> twice: each instance its own, each end once', async () => {
  const dir = await project('react', ['vite', 'react', 'react-dom']);
  writeFileSync(path.join(dir, 'index.html'), page('/src/main.js').replace('<pre id="out"></pre>', '<div id="root"></div>'));
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  const script = withSession(
    `import { StrictMode, createElement as h } from 'react';
import { createRoot } from 'react-dom/client';
import { AtriumConnect } from 'atrium-wasm/react';`,
    `const props = (name) => ({
  id: name,
  token: session.token,
  userGuid: session.user_guid,
  locale: 'en',
  onSuccess: (d) => seen[name].push(['success', d.status]),
  onExit: (d) => seen[name].push(['exit', d.outcome]),
  onEvent: (d) => d.type === 'step' && seen[name].push(['step', d.step]),
});
// Counts the binding's ref attaching an element (it upgrades each it is given): StrictMode
// attaches, detaches and attaches again, where a listener left behind would double events.
const upgrade = customElements.upgrade.bind(customElements);
window.attaches = 0;
customElements.upgrade = (element) => {
  window.attaches += 1;
  return upgrade(element);
};
function App() {
  return h('main', null, h(AtriumConnect, props('a')), h(AtriumConnect, { ...props('b'), institution: 'mxbank' }));
}
createRoot(document.getElementById('root')).render(h(StrictMode, null, h(App)));`,
  );
  writeFileSync(path.join(dir, 'src', 'main.js'), script);
  // React's development build, where StrictMode mounts, unmounts and mounts again (and calls
  // ref callbacks twice): what a partner's dev server runs, and where doubled events show.
  const config = "export default { build: { target: 'es2022' }, define: { 'process.env.NODE_ENV': JSON.stringify('development') } };\n";
  writeFileSync(path.join(dir, 'vite.config.js'), config);
  await sh(dir, 'node', ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn']);
  const tab = await browser.newPage();
  const errors = await watch(tab);
  await tab.goto(`${await serve(path.join(dir, 'dist'))}/`);
  await tab.waitForSelector('#b [data-step="credentials"]', { timeout: 30_000 });
  await connectWithElement(tab, '#a');
  const [seen, attaches] = await tab.evaluate(() => [window.seen, window.attaches]);
  assert.equal(attaches, 4, 'StrictMode attached each of the two elements twice');
  const endsOf = (list) => list.filter(([kind]) => kind !== 'step');
  assert.deepEqual(endsOf(seen.a), [['success', 'CONNECTED']]);
  assert.deepEqual(endsOf(seen.b), [], 'the other instance heard nothing of it');
  assert.equal(seen.b.at(-1)[1], 'credentials', 'and still waits at its own step');
  assert.deepEqual(errors, []);
  await tab.close();
});

test('the installed web build names its imports and exports shortly, in the .wasm, its glue and its types', async () => {
  const dir = await project('names');
  const web = path.join(dir, 'node_modules/atrium-wasm/web');
  const names = namesOf(readFileSync(path.join(web, 'atrium_wasm_bg.wasm')));
  const long = (list) => [...list].filter((n) => n.length > 3);
  assert.ok(names.exports.length > 50 && names.fields.length > 50, 'the .wasm has its imports and exports');
  assert.deepEqual(long(names.exports), []);
  assert.deepEqual(long(names.modules), []);
  // The runtime module's own functions keep their names; wasm-bindgen's hashed ones are gone.
  assert.deepEqual(names.fields.filter((n) => /_[0-9a-f]{16}$|^__wbindgen|^__wbg_/.test(n)), []);
  for (const file of ['atrium_wasm.js', 'atrium_wasm.d.ts', 'atrium_wasm_bg.wasm.d.ts']) {
    const text = readFileSync(path.join(web, file), 'utf8');
    assert.doesNotMatch(text, /__wbg_[\w]*_[0-9a-f]{16}|atriumclient_new|memberflow_run/, file);
  }
});

test('tsc --noEmit type-checks a consumer of every exported type, React ones included, against the installed package', async () => {
  // React's types too: the binding's props and `<atrium-connect>` in JSX are checked there.
  const dir = await project('types', ['react', '@types/react']);
  for (const file of ['consumer.ts', 'connect.ts', 'react.tsx', 'tsconfig.json']) {
    cpSync(path.join(root, 'tests/types', file), path.join(dir, file));
  }
  await sh(dir, 'node', [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);
  // The types come from the package's `exports`, not from a path into the build folder.
  const resolved = await sh(dir, 'node', [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--traceResolution']);
  assert.match(resolved, /Module name 'atrium-wasm' was successfully resolved to '.*node_modules\/atrium-wasm\/web\/atrium_wasm\.d\.ts'/);
});
