// <atrium-connect> in headless Chromium, on a page served by a relay with its strict CSP
// (no inline script or style): the element is the only UI, driven as a person would, its
// events recorded by the page. Screenshots of each step land in test-output/e2e/connect-*.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { root, startRelay } from '../scripts/lib.mjs';
import { pick, search } from './element.mjs';
import { axeFindings, recordHeadings, sawHeading, watch, withAxe } from './watch.mjs';

const relayBin = process.env.ATRIUM_RELAY_BIN ?? path.join(root, 'target/debug/atrium-relay');
const shots = path.join(root, 'test-output', 'e2e');
let www;
let relay;
let browser;

// The page: a session, the element with the query's attributes, every event it sends kept
// (errors as their facts), and the CSP violations seen.
const MAIN = `import { defineAtriumConnect } from '/pkg/connect/index.js';
window.seen = { events: [], violations: [] };
document.addEventListener('securitypolicyviolation', (e) => seen.violations.push(e.violatedDirective + ' ' + e.blockedURI));
defineAtriumConnect();
// The same user after a reload or a redirect's return, as an app keeps its sign-in.
const session =
  JSON.parse(sessionStorage.getItem('session') ?? 'null') ??
  (await fetch('/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'connect ' + Date.now() }),
  }).then((r) => r.json()));
sessionStorage.setItem('session', JSON.stringify(session));
const element = document.createElement('atrium-connect');
element.token = session.token;
element.userGuid = session.user_guid;
for (const [key, value] of new URLSearchParams(location.search)) element.setAttribute(key, value);
const plain = (value) => JSON.parse(JSON.stringify(value, (k, v) => (v instanceof Error ? { code: v.code, message: v.message } : v)));
for (const type of ['atrium-success', 'atrium-exit', 'atrium-event']) {
  element.addEventListener(type, (e) => seen.events.push({ type, detail: plain(e.detail) }));
}
document.getElementById('app').append(element);
`;

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>atrium-connect</title><link rel="icon" href="data:,">
<script type="module" src="/main.js"></script></head>
<body><main id="app"></main></body></html>
`;

before(async () => {
  www = mkdtempSync(path.join(tmpdir(), 'atrium-connect-'));
  writeFileSync(path.join(www, 'index.html'), PAGE);
  writeFileSync(path.join(www, 'main.js'), MAIN);
  writeFileSync(path.join(www, 'parts.css'), 'atrium-connect::part(heading) { text-transform: uppercase; }\n');
  mkdirSync(shots, { recursive: true });
  relay = await startRelay(relayBin, ['--sandbox', '--addr', '127.0.0.1:0', '--www', www, '--pkg', path.join(root, 'pkg')], {
    echo: false,
    extraEnv: { RUST_LOG: 'warn' },
  });
  const keys = { 'MX-API-Key': 'sandbox-api-key', 'MX-Client-ID': 'sandbox-client-id', 'Content-Type': 'application/json' };
  const r = await fetch(`${relay.sandbox}/_sandbox/clock`, { method: 'POST', headers: keys, body: JSON.stringify({ transition_scale: 0.02 }) });
  assert.ok(r.ok, `sandbox clock: ${r.status}`);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
});

after(async () => {
  await browser?.close();
  await relay?.stop();
  if (www) rmSync(www, { recursive: true, force: true });
});

/** A fresh page on the element with `query`'s attributes; its problems list grows as they happen. */
async function open(query = '', viewport = { width: 480, height: 800 }) {
  const page = await browser.newPage({ viewport });
  await withAxe(page);
  await recordHeadings(page);
  const problems = await watch(page);
  await page.goto(`${relay.url}/?${query}`);
  return { page, problems };
}

const step = (page, name) => page.waitForSelector(`atrium-connect [data-step="${name}"]`, { timeout: 30_000 });
/** A screenshot of the step, after axe found no serious or critical issue in it. */
async function shot(page, name) {
  assert.deepEqual(await axeFindings(page), [], `axe on ${name}`);
  await page.screenshot({ path: path.join(shots, `connect-${name}.png`), fullPage: true });
}
const seen = (page) => page.evaluate(() => window.seen);
const steps = (events) => events.filter((e) => e.type === 'atrium-event' && e.detail.type === 'step').map((e) => e.detail.step);
const ends = (events) => events.filter((e) => e.type === 'atrium-success' || e.type === 'atrium-exit');

/** Searches, picks MX Bank and fills its credentials with `password`. */
async function signIn(page, password) {
  await step(page, 'search');
  await pick(page, 'atrium-connect', 'mx', 'mxbank');
  await step(page, 'credentials');
  await page.fill('atrium-connect input[type="text"]', 'test_atrium');
  await page.fill('atrium-connect input[type="password"]', password);
  await page.click('atrium-connect form button[type="submit"]');
}

/** From the element's OAuth step: the bank's page in a popup, answered with `button` (Authorize or Deny). */
async function atBankPage(page, button) {
  await step(page, 'oauth');
  const [bank] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Continue to MX Bank (OAuth)' }).click()]);
  await bank.getByRole('button', { name: button }).click();
}

/** The element, told `member` and `mode`, starts a new run; the events seen so far are dropped. */
function restartOn(page, member, mode) {
  return page.evaluate(
    ([guid, m]) => {
      const element = document.querySelector('atrium-connect');
      element.memberGuid = guid;
      element.mode = m;
      window.seen.events = [];
      element.start();
    },
    [member, mode],
  );
}

async function answer(page, round, value, name = null) {
  await page.waitForFunction((n) => window.seen.events.filter((e) => e.detail?.step === 'challenge' && e.detail.type === 'step').length >= n, round);
  await page.fill('atrium-connect [data-step="challenge"] input', value);
  if (name) await shot(page, name);
  await page.click('atrium-connect [data-step="challenge"] button[type="submit"]');
}

test('search, credentials, two rounds of MFA, success: told once, under the strict CSP', async () => {
  const { page, problems } = await open('locale=en');
  await step(page, 'search');
  await page.waitForSelector('atrium-connect [part="institution"]');
  await shot(page, 'search');
  await search(page, 'atrium-connect', 'mx');
  await page.waitForSelector('atrium-connect button[data-code="mxbank"]');
  await page.click('atrium-connect button[data-code="mxbank"]');
  await step(page, 'credentials');
  await page.fill('atrium-connect input[type="text"]', 'test_atrium');
  await page.fill('atrium-connect input[type="password"]', 'challenge');
  await shot(page, 'credentials');
  await page.click('atrium-connect form button[type="submit"]');
  await answer(page, 1, 'challenge', 'challenge-1');
  await answer(page, 2, 'correct', 'challenge-2');
  await step(page, 'success');
  await shot(page, 'success');
  assert.match(await page.textContent('atrium-connect h2'), /^Connected to MX Bank$/);
  const { events, violations } = await seen(page);
  const [end] = ends(events);
  assert.equal(ends(events).length, 1, 'one end, told once');
  assert.equal(end.type, 'atrium-success');
  assert.equal(end.detail.status, 'CONNECTED');
  assert.match(end.detail.member.guid, /^MBR-/);
  assert.ok(end.detail.accounts.length > 0, 'the accounts were read');
  const shown = steps(events).filter((s) => s !== 'loading');
  assert.deepEqual(shown, ['search', 'credentials', 'connecting', 'challenge', 'connecting', 'challenge', 'connecting', 'success']);
  assert.ok(events.some((e) => e.detail.type === 'status' && e.detail.status === 'CHALLENGED'), 'statuses reach atrium-event');
  assert.deepEqual(violations, []);
  assert.deepEqual(problems, []);
  await page.close();
});

test('Spanish, dark, 320 px wide, keyboard only: connects', async () => {
  const { page, problems } = await open('locale=es&color-scheme=dark', { width: 320, height: 720 });
  await step(page, 'search');
  await page.waitForSelector('atrium-connect [part="institution"]');
  assert.equal(await page.textContent('atrium-connect h2'), 'Busque su banco');
  await shot(page, 'es-dark-search');
  const background = await page.$eval('atrium-connect', (e) => getComputedStyle(e).backgroundColor);
  assert.equal(background, 'rgb(21, 24, 28)');
  await page.keyboard.press('Tab');
  await page.keyboard.type('mx');
  await page.waitForSelector('atrium-connect button[data-code="mxbank"]');
  // The search's answer replaced the popular list: MX Bank, then MX Bank (OAuth).
  await page.waitForFunction(() => {
    const found = document.querySelector('atrium-connect').shadowRoot.querySelectorAll('[part="institution"]');
    return found.length === 2 && found[0].dataset.code === 'mxbank';
  });
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await step(page, 'credentials');
  await shot(page, 'es-dark-credentials');
  await page.keyboard.press('Tab');
  await page.keyboard.type('test_atrium');
  await page.keyboard.press('Tab');
  await page.keyboard.type('password');
  await page.keyboard.press('Enter');
  await step(page, 'success');
  await shot(page, 'es-dark-success');
  assert.equal(await page.textContent('atrium-connect h2'), 'Conectado con MX Bank');
  // Balances in the account's currency, written as Spanish writes them (Intl).
  const balances = await page.$$eval('atrium-connect [part="account"] .balance', (nodes) => nodes.map((n) => n.textContent));
  assert.ok(balances.length > 0 && balances.every((b) => /^-?[\d.]+,\d{2}\s?(US\$|\$|USD)/.test(b)), balances.join(' | '));
  const width = await page.$eval('atrium-connect', (e) => e.getBoundingClientRect().width);
  assert.ok(width <= 320, `fits 320 px (${width})`);
  const { events, violations } = await seen(page);
  assert.deepEqual(ends(events).map((e) => e.type), ['atrium-success']);
  assert.deepEqual(violations, []);
  assert.deepEqual(problems, []);
  await page.close();
});

test('DENIED: the element asks for the credentials again, and the update connects', async () => {
  const { page, problems } = await open('locale=en');
  await signIn(page, 'INVALID');
  await page.waitForFunction(() => window.seen.events.filter((e) => e.detail?.step === 'credentials').length >= 2);
  await shot(page, 'update-credentials');
  assert.match(await page.textContent('atrium-connect h2'), /needs your credentials again/);
  // Sent with the password left out: that field is marked, described by the error, and focused.
  await page.fill('atrium-connect input[type="text"]', 'test_atrium');
  await page.click('atrium-connect form button[type="submit"]');
  const marked = () =>
    page.evaluate(() => {
      const root = document.querySelector('atrium-connect').shadowRoot;
      return [...root.querySelectorAll('[aria-invalid="true"]')].map((c) => ({
        type: c.type,
        focused: root.activeElement === c,
        description: root.getElementById(c.getAttribute('aria-describedby'))?.textContent,
      }));
    });
  assert.deepEqual(await marked(), [{ type: 'password', focused: true, description: 'Please fill in Password.' }]);
  await shot(page, 'update-credentials-missing');
  await page.fill('atrium-connect input[type="password"]', 'password');
  await page.click('atrium-connect form button[type="submit"]');
  await step(page, 'success');
  const { events } = await seen(page);
  assert.deepEqual(ends(events).map((e) => e.type), ['atrium-success']);
  assert.ok(events.some((e) => e.detail.type === 'status' && e.detail.status === 'DENIED'));
  assert.deepEqual(problems, []);
  await page.close();
});

test('cancel while connecting: atrium-exit once, with the step it was left at', async () => {
  const { page, problems } = await open('locale=en');
  await signIn(page, 'DELAYED');
  await step(page, 'connecting');
  await shot(page, 'connecting');
  await page.click('atrium-connect [data-step="connecting"] button');
  await step(page, 'closed');
  await shot(page, 'closed');
  const { events } = await seen(page);
  const exits = ends(events);
  assert.equal(exits.length, 1);
  assert.equal(exits[0].type, 'atrium-exit');
  assert.equal(exits[0].detail.outcome, 'cancelled');
  assert.equal(exits[0].detail.step, 'connecting');
  assert.deepEqual(problems, []);
  await page.close();
});

test('importing atrium-wasm/connect registers nothing and touches no DOM', async () => {
  const page = await browser.newPage();
  await page.goto(`${relay.url}/healthz`);
  const defined = await page.evaluate(async () => {
    const mod = await import('/pkg/connect/index.js');
    const before = customElements.get('atrium-connect') ?? null;
    mod.defineAtriumConnect('atrium-connect-probe');
    return { before, after: typeof customElements.get('atrium-connect-probe') };
  });
  assert.deepEqual(defined, { before: null, after: 'function' });
  await page.close();
});

test('every challenge type: a text question, a code, a choice, an image to read, an image to choose', async () => {
  // The sandbox's password picks the challenge; its right answer is "correct" (for a
  // choice, the second of three).
  for (const [password, kind] of [['token', 'code'], ['options', 'choice'], ['image', 'image'], ['image_options', 'image-choice']]) {
    const { page, problems } = await open('locale=en');
    await signIn(page, password);
    await step(page, 'challenge');
    const radios = await page.$$('atrium-connect [data-step="challenge"] input[type="radio"]');
    if (radios.length) {
      assert.equal(radios.length, 3, `${kind}: three choices`);
      // Sent with nothing chosen: the choice as a whole is marked, described by the error.
      await page.click('atrium-connect [data-step="challenge"] button[type="submit"]');
      const marked = await page.evaluate(() => {
        const root = document.querySelector('atrium-connect').shadowRoot;
        return [...root.querySelectorAll('[aria-invalid="true"]')].map((c) => [c.getAttribute('role'), root.getElementById(c.getAttribute('aria-describedby'))?.textContent]);
      });
      assert.deepEqual(marked, [['radiogroup', 'Please answer every question.']], kind);
      await radios[1].check();
    } else {
      await page.fill('atrium-connect [data-step="challenge"] input', 'correct');
    }
    if (kind === 'image') assert.ok(await page.$('atrium-connect img[part="challenge-image"]'), 'the image is shown');
    if (kind === 'image-choice') assert.equal((await page.$$('atrium-connect [data-step="challenge"] label img')).length, 3);
    if (kind === 'code') assert.equal(await page.getAttribute('atrium-connect [data-step="challenge"] input', 'autocomplete'), 'one-time-code');
    await shot(page, `challenge-${kind}`);
    await page.click('atrium-connect [data-step="challenge"] button[type="submit"]');
    await step(page, 'success');
    const { events, violations } = await seen(page);
    assert.deepEqual(ends(events).map((e) => e.type), ['atrium-success'], kind);
    assert.deepEqual(violations, []);
    assert.deepEqual(problems, [], kind);
    await page.close();
  }
});

test('a wrong answer: the bank refuses it, and trying again asks again on the same member', async () => {
  const { page, problems } = await open('locale=en');
  await signIn(page, 'challenge');
  await answer(page, 1, 'wrong');
  await step(page, 'failure');
  await shot(page, 'wrong-answer');
  assert.match(await page.textContent('atrium-connect [part="status"]'), /did not accept that answer/);
  await page.click('atrium-connect [data-step="failure"] button:not(.secondary)');
  await answer(page, 2, 'correct');
  await step(page, 'success');
  const { events } = await seen(page);
  assert.deepEqual(ends(events).map((e) => e.type), ['atrium-success'], 'the failure was not an end: the person stayed');
  const members = new Set(events.map((e) => e.detail.member_guid).filter(Boolean));
  assert.equal(members.size, 1, 'no second member was created');
  assert.deepEqual(problems, []);
  await page.close();
});

test('OAuth: the bank’s page in a popup opened by the element’s button, then connected', async () => {
  const { page, problems } = await open('locale=en');
  await step(page, 'search');
  await pick(page, 'atrium-connect', 'oauth', 'mxbank_oauth');
  await step(page, 'oauth');
  await shot(page, 'oauth');
  const [bank] = await Promise.all([page.waitForEvent('popup'), page.click('atrium-connect [data-step="oauth"] button:not(.secondary)')]);
  await bank.getByRole('button', { name: 'Authorize' }).click();
  await step(page, 'success');
  assert.equal(await page.textContent('atrium-connect h2'), 'Connected to MX Bank (OAuth)');
  const { events } = await seen(page);
  assert.deepEqual(ends(events).map((e) => e.type), ['atrium-success']);
  assert.ok(bank.isClosed() || (await bank.waitForEvent('close', { timeout: 5000 }).then(() => true)), 'the popup is closed');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a reload at a challenge: with persist-key the flow carries on, and its end is told once', async () => {
  const { page, problems } = await open('locale=en&persist-key=atrium-connect-test');
  await signIn(page, 'challenge');
  await answer(page, 1, 'challenge');
  // The second round is open: the page reloads before it is answered.
  await page.waitForFunction(() => window.seen.events.filter((e) => e.detail?.step === 'challenge' && e.detail.type === 'step').length >= 2);
  const before = (await seen(page)).events;
  assert.deepEqual(ends(before), []);
  await page.reload();
  await step(page, 'challenge');
  await page.waitForFunction(() => document.querySelector('atrium-connect').shadowRoot.querySelector('h2')?.textContent === 'MX Bank asks');
  await shot(page, 'resumed-challenge');
  await page.fill('atrium-connect [data-step="challenge"] input', 'correct');
  await page.click('atrium-connect [data-step="challenge"] button[type="submit"]');
  await step(page, 'success');
  const { events } = await seen(page);
  assert.deepEqual(ends(events).map((e) => e.type), ['atrium-success']);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('atrium-connect-test')), null, 'the snapshot goes with the end');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a kept flow that cannot be carried on (kept before its member existed) is dropped: a fresh start, not a dead end', async () => {
  const { page, problems } = await open('locale=en&persist-key=atrium-unborn');
  await step(page, 'search');
  // What a reload while the member was being created leaves: a snapshot with no member.
  const unborn = { v: 1, run_id: 'run-unborn', kind: 'connect', user_guid: null, member_guid: null, started: true, then: [], connection_status: null, oauth_window_uri: null };
  await page.evaluate((s) => sessionStorage.setItem('atrium-unborn', JSON.stringify(s)), unborn);
  await page.reload();
  await step(page, 'search');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('atrium-unborn')), null, 'the dead snapshot is gone');
  const { events } = await seen(page);
  assert.deepEqual(steps(events).filter((s) => s !== 'loading'), ['search']);
  assert.deepEqual(problems, []);
  await page.close();
});

test('OAuth by redirect: this tab goes to the bank’s page and comes back connected', async () => {
  const { page, problems } = await open('locale=en&oauth=redirect&persist-key=atrium-connect-oauth', { width: 390, height: 800 });
  await step(page, 'search');
  await pick(page, 'atrium-connect', 'oauth', 'mxbank_oauth');
  // Told first that this tab leaves, and leaving only by the button.
  await step(page, 'oauth');
  assert.match(await page.textContent('atrium-connect [data-step="oauth"] p'), /in this tab/);
  await shot(page, 'oauth-redirect');
  await page.getByRole('button', { name: 'Continue to MX Bank (OAuth)' }).click();
  await page.getByRole('button', { name: 'Authorize' }).click();
  await page.waitForURL((url) => url.origin === relay.url && url.searchParams.get('oauth') === 'redirect');
  await step(page, 'success');
  await shot(page, 'oauth-redirect-success');
  assert.equal(await page.textContent('atrium-connect h2'), 'Connected to MX Bank (OAuth)');
  const left = new URLSearchParams(await page.evaluate(() => location.search));
  assert.deepEqual([...left.keys()].sort(), ['locale', 'oauth', 'persist-key'], 'the bank’s parameters left the address');
  const { events } = await seen(page);
  assert.deepEqual(ends(events).map((e) => e.type), ['atrium-success']);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a logo that does not load gives way to the bank’s initial', async () => {
  const logos = (url) => new URL(url).pathname.startsWith('/sandbox/logos/');
  const page = await browser.newPage({ viewport: { width: 480, height: 800 } });
  await withAxe(page);
  // The logos' failed loads are this test's doing; anything else still counts.
  const problems = await watch(page, { allow: logos });
  await page.route(logos, (route) => route.abort('failed'));
  await page.goto(`${relay.url}/?locale=en`);
  await step(page, 'search');
  // Two banks, both in view (logos load lazily).
  await search(page, 'atrium-connect', 'mx');
  await page.waitForFunction(() => {
    const items = [...document.querySelector('atrium-connect').shadowRoot.querySelectorAll('[part="institution"]')];
    return items.length === 2 && items.every((b) => !b.querySelector('img') && b.querySelector('span.logo'));
  });
  assert.equal(await page.textContent('atrium-connect button[data-code="mxbank"] [part="logo"]'), 'M');
  await shot(page, 'logo-fallback');
  assert.deepEqual(problems, []);
  await page.close();
});

test('theming and words: custom properties, ::part() and a message override reach the element', async () => {
  const { page, problems } = await open('locale=en');
  await step(page, 'search');
  await page.evaluate(() => {
    const element = document.querySelector('atrium-connect');
    element.style.setProperty('--atrium-accent', 'rgb(1, 2, 3)');
    element.messages = { 'search.title': 'Pick your credit union' };
  });
  // The page's own style sheet (served from 'self', as the CSP allows) styles a part.
  await page.addStyleTag({ url: '/parts.css' });
  assert.equal(await page.textContent('atrium-connect h2'), 'Pick your credit union');
  const close = 'atrium-connect [part="button-secondary"]';
  assert.equal(await page.$eval(close, (b) => getComputedStyle(b).color), 'rgb(1, 2, 3)');
  assert.equal(await page.$eval('atrium-connect [part="heading"]', (h) => getComputedStyle(h).textTransform), 'uppercase');
  assert.deepEqual(problems, []);
  await page.close();
});

test('moved in the page, the element keeps its run; removed and added again, it starts anew', async () => {
  const { page, problems } = await open('locale=en');
  await step(page, 'search');
  await pick(page, 'atrium-connect', 'mx', 'mxbank');
  await step(page, 'credentials');
  // Moved: taken out and put back in one task (a keyed reorder, a portal).
  await page.evaluate(() => {
    const element = document.querySelector('atrium-connect');
    const box = document.createElement('section');
    document.body.append(box);
    box.append(element);
  });
  await page.waitForTimeout(100);
  assert.equal(await page.$eval('atrium-connect', (e) => e.step), 'credentials');
  // Removed, then added back later: the old run ended quietly, a new one starts.
  await page.evaluate(() => {
    window.kept = document.querySelector('atrium-connect');
    window.kept.remove();
  });
  await page.waitForTimeout(100);
  await page.evaluate(() => document.body.append(window.kept));
  await step(page, 'search');
  const { events } = await seen(page);
  assert.deepEqual(ends(events), [], 'a removed element tells no end');
  assert.equal(steps(events).filter((x) => x === 'search').length, 2, 'the search again, as a new run');
  assert.deepEqual(problems, []);
  await page.close();
});

test('cancel at the OAuth step closes the bank’s popup: nothing can finish after the app was told', async () => {
  const { page, problems } = await open('locale=en');
  await step(page, 'search');
  await pick(page, 'atrium-connect', 'oauth', 'mxbank_oauth');
  await step(page, 'oauth');
  const [bank] = await Promise.all([page.waitForEvent('popup'), page.click('atrium-connect [data-step="oauth"] button:not(.secondary)')]);
  await bank.getByRole('button', { name: 'Authorize' }).waitFor();
  await page.click('atrium-connect [data-step="oauth"] button.secondary');
  await step(page, 'closed');
  assert.ok(bank.isClosed() || (await bank.waitForEvent('close', { timeout: 5000 }).then(() => true)), 'the popup is closed');
  const { events } = await seen(page);
  assert.deepEqual(ends(events).map((e) => [e.type, e.detail.outcome, e.detail.step]), [['atrium-exit', 'cancelled', 'oauth']]);
  assert.deepEqual(problems, []);
  await page.close();
});

test('update-credentials on an OAuth member: its bank’s page again, fresh, and connected on the same member', async () => {
  const { page, problems } = await open('locale=en');
  await step(page, 'search');
  await pick(page, 'atrium-connect', 'oauth', 'mxbank_oauth');
  const authorize = async () => {
    await atBankPage(page, 'Authorize');
    await step(page, 'success');
  };
  await authorize();
  const member = (await seen(page)).events.find((e) => e.type === 'atrium-success').detail.member.guid;
  await restartOn(page, member, 'update-credentials');
  await authorize();
  const { events } = await seen(page);
  assert.deepEqual(steps(events).filter((s) => s !== 'loading'), ['connecting', 'oauth', 'success']);
  assert.deepEqual(ends(events).map((e) => [e.type, e.detail.member.guid]), [['atrium-success', member]]);
  assert.ok(!steps(events).includes('credentials'), 'no credential form for an OAuth bank');
  assert.deepEqual(problems, []);
  await page.close();
});

test('verify on a refused OAuth member: Try again signs in at its page, then verifies', async () => {
  const { page, problems } = await open('locale=en');
  const verifies = [];
  page.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/verify') && verifies.push(r.url()));
  await step(page, 'search');
  await pick(page, 'atrium-connect', 'oauth', 'mxbank_oauth');
  await atBankPage(page, 'Deny');
  await step(page, 'failure');
  const member = (await seen(page)).events.find((e) => e.detail.member_guid)?.detail.member_guid;
  assert.match(member ?? '', /^MBR-/);
  await restartOn(page, member, 'verify');
  await step(page, 'failure');
  assert.deepEqual(verifies, [], 'a refused member is not verified');
  await page.getByRole('button', { name: 'Try again' }).click();
  await atBankPage(page, 'Authorize');
  await step(page, 'success');
  assert.equal(verifies.length, 1, 'verified once signed in');
  const { events } = await seen(page);
  assert.deepEqual(ends(events).map((e) => [e.type, e.detail.member.guid]), [['atrium-success', member]]);
  assert.deepEqual(problems, []);
  await page.close();
});

test('member modes: update-credentials and verify act on the member given, each ending once', async () => {
  const { page, problems } = await open('locale=en');
  await signIn(page, 'password');
  await step(page, 'success');
  const member = (await seen(page)).events.find((e) => e.type === 'atrium-success').detail.member.guid;
  for (const mode of ['update-credentials', 'verify']) {
    await restartOn(page, member, mode);
    if (mode === 'update-credentials') {
      await step(page, 'credentials');
      assert.match(await page.textContent('atrium-connect h2'), /needs your credentials again/);
      await shot(page, 'mode-update-credentials');
      await page.fill('atrium-connect input[type="text"]', 'test_atrium');
      await page.fill('atrium-connect input[type="password"]', 'password');
      await page.click('atrium-connect form button[type="submit"]');
    }
    // The progress step says what the mode does.
    const doing = { 'update-credentials': 'Reconnecting to MX Bank', verify: 'Verifying your account numbers at MX Bank' }[mode];
    await sawHeading(page, doing);
    await step(page, 'success');
    const { events } = await seen(page);
    const [end] = ends(events);
    assert.deepEqual(ends(events).map((e) => e.type), ['atrium-success'], mode);
    assert.equal(end.detail.member.guid, member, `${mode} acted on the member given`);
    assert.ok(!steps(events).includes('search'), `${mode} skips the search`);
  }
  assert.deepEqual(problems, []);
  await page.close();
});
