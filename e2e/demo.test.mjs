// The demo page in a real headless Chromium, against the relay and sandbox npm test starts:
// what a person sees on each screen, screenshots of the main ones, and that the API key pair
// never reaches the browser.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { pick } from './element.mjs';
import { axeFindings, recordHeadings, sawHeading, watch, withAxe } from './watch.mjs';

const base = process.env.ATRIUM_E2E_URL;
const sandbox = process.env.ATRIUM_E2E_SANDBOX;
// The embedded sandbox's key pair (npm test gives the relay a random one): what must never
// reach a browser.
const SECRETS = (process.env.ATRIUM_E2E_KEYS ?? 'sandbox-api-key sandbox-client-id').split(' ');
const shots = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-output', 'e2e');
const run = Date.now().toString(36);

let browser;
/** Every response the browser received during the suite: url, headers and body. */
const received = [];
const pending = new Set();

before(async () => {
  assert.ok(base, 'ATRIUM_E2E_URL must name the relay under test (npm test sets it)');
  assert.ok(sandbox, 'ATRIUM_E2E_SANDBOX must name its sandbox (npm test sets it)');
  mkdirSync(shots, { recursive: true });
  // A clean sandbox (the browser suites before used up much of its 100-user allowance, and
  // left faults), with transitions at a twentieth of their real pace: every status still
  // shows in the timeline, and a run takes a second or two.
  const headers = { 'MX-API-Key': SECRETS[0], 'MX-Client-ID': SECRETS[1], 'Content-Type': 'application/json' };
  for (const [method, p, body] of [
    ['POST', '/_sandbox/reset', null],
    ['POST', '/_sandbox/clock', { transition_scale: 0.05 }],
  ]) {
    const r = await fetch(`${sandbox}${p}`, { method, headers, body: body && JSON.stringify(body) });
    assert.ok(r.ok, `${method} ${p}: ${r.status}`);
  }
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // As root, and on a machine whose only network is loopback.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
});

/** A new page whose every response is recorded, whose element events are kept in
 * `window.seen`, and whose errors, failed loads and CSP violations fail the test. */
async function newPage(viewport = { width: 1100, height: 900 }) {
  const page = await browser.newPage({ viewport });
  await withAxe(page);
  await recordHeadings(page);
  // What the element tells the page (its events bubble out of its shadow root), kept per
  // page load by the driver, not the page.
  await page.addInitScript(() => {
    const seen = { ends: [], statuses: [], members: [] };
    Object.assign(window, { seen });
    for (const type of ['atrium-success', 'atrium-exit']) {
      document.addEventListener(type, (e) => {
        const { outcome = null, status = null, step = null } = e.detail;
        seen.ends.push({ type, outcome, status, step });
      });
    }
    document.addEventListener('atrium-event', (e) => {
      if (e.detail.type === 'status') seen.statuses.push(e.detail.status);
      const guid = e.detail.member_guid;
      if (guid && !seen.members.includes(guid)) seen.members.push(guid);
    });
  });
  const problems = await watch(page);
  page.on('response', (response) => {
    const headers = JSON.stringify(response.headers());
    const job = response.body().then(
      (body) => received.push({ url: response.url(), headers, body: body.toString('latin1') }),
      // Redirects and aborted loads have no body.
      () => received.push({ url: response.url(), headers, body: '' }),
    );
    pending.add(job);
    job.finally(() => pending.delete(job));
  });
  const close = page.close.bind(page);
  // Bodies are read before the page (and with it the bodies) goes away.
  page.close = async () => {
    await Promise.all([...pending]);
    await close();
  };
  return { page, problems };
}

async function signIn(page, name) {
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Your name').press('Enter');
  await page.waitForFunction(() => document.body.dataset.step === 'home' || document.getElementById('signin-error').textContent);
  assert.equal(await page.locator('#signin-error').textContent(), '', 'sign-in failed');
  await page.getByRole('heading', { name: 'Your connections' }).waitFor();
}

/** A new page (see `newPage`), signed in as `name`. */
async function signedIn(name, viewport) {
  const opened = await newPage(viewport);
  await signIn(opened.page, name);
  return opened;
}

/** The page saw no problem; it closes. */
async function finished(page, problems) {
  assert.deepEqual(problems, []);
  await page.close();
}

/** `TAG:text` of what has focus, into the element's shadow root. */
function focused(page) {
  return page.evaluate(() => {
    let at = document.activeElement;
    while (at?.shadowRoot?.activeElement) at = at.shadowRoot.activeElement;
    return `${at?.tagName}:${at?.querySelector?.('.name')?.textContent ?? (at?.tagName === 'INPUT' ? '' : at?.textContent)}`;
  });
}

/** How many ends (atrium-success or atrium-exit) this page load was told. */
const ends = (page) => page.evaluate(() => window.seen.ends.length);

/** A screenshot of a screen, after axe found no serious or critical issue on it. */
async function shot(page, name) {
  assert.deepEqual(await axeFindings(page), [], `axe on ${name}`);
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

/** Waits for <atrium-connect> to show `name` (its steps are `data-step` in its shadow root). */
const step = (page, name) => page.waitForSelector(`atrium-connect [data-step="${name}"]`, { timeout: 30_000 });

/** From the home screen to MX Bank's credential form, in the element. */
async function openMxBank(page) {
  await page.getByRole('button', { name: 'Connect an account' }).click();
  await step(page, 'search');
  await pick(page, 'atrium-connect', 'mx bank', 'mxbank');
  await page.getByRole('heading', { name: 'Sign in to MX Bank' }).waitFor();
}

async function submitCredentials(page, password, button = 'Connect') {
  await page.getByLabel('Username', { exact: true }).fill('test_atrium');
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: button, exact: true }).click();
}

async function connectMxBank(page, password) {
  await openMxBank(page);
  await submitCredentials(page, password);
}

/** The run's end as the page was told it (atrium-success or atrium-exit), once there is one. */
async function ended(page) {
  await page.waitForFunction(() => window.seen.ends.length > 0, null, { timeout: 30_000 });
  return page.evaluate(() => window.seen.ends.at(-1));
}

/** The element's answer form for the next challenge round. */
async function challenge(page) {
  await step(page, 'challenge');
  return page.locator('atrium-connect [data-step="challenge"] form');
}

test('the happy path by keyboard: sign in, find MX Bank, connect, see accounts and transactions', async () => {
  const { page, problems } = await newPage();
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-ready="true"]');
  // The page's preload hint is the one request for the .wasm: init() took it up, and the
  // element's own init() found it done.
  const wasmLoads = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((e) => e.name.endsWith('/atrium_wasm_bg.wasm'))
      .map((e) => e.initiatorType),
  );
  assert.deepEqual(wasmLoads, ['link'], 'the .wasm is fetched once, by the preload hint');
  await shot(page, '01-sign-in');
  await page.getByLabel('Your name').focus();
  await page.keyboard.type(`Ada ${run}`);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Your connections' }).waitFor();
  assert.equal(await page.locator('#whoami').textContent(), `Signed in as Ada ${run}`);
  // The list of connections arrives after the step shows.
  await page.getByText('No bank connected yet.').waitFor();
  // Keyboard only from here: the page hands focus to the element, whose steps keep it.
  await page.getByRole('button', { name: 'Connect an account' }).focus();
  await page.keyboard.press('Enter');
  await step(page, 'search');
  assert.equal(await focused(page), 'H2:Find your bank', 'focus moves into the element, on its heading');
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'INPUT:', 'Tab reaches the search box');
  await page.keyboard.type('mx');
  await page.waitForFunction(() => {
    const names = [...(document.querySelector('atrium-connect')?.shadowRoot?.querySelectorAll('[part="institution"] .name') ?? [])];
    return names.length === 2 && names.every((n) => /mx/i.test(n.textContent));
  });
  const names = await page.locator('atrium-connect [part="institution"] .name').allTextContents();
  assert.deepEqual(names.slice().sort(), ['MX Bank', 'MX Bank (OAuth)']);
  // Each shows its logo, served on the relay's own origin (no letter fallback).
  await page.waitForFunction(() => {
    const logos = [...document.querySelector('atrium-connect').shadowRoot.querySelectorAll('[part="institution"] img')];
    return logos.length === 2 && logos.every((img) => img.complete && img.naturalWidth > 0);
  });
  const logos = await page.locator('atrium-connect [part="institution"] img').evaluateAll((imgs) => imgs.map((i) => new URL(i.src).origin));
  assert.deepEqual(logos, [new URL(base).origin, new URL(base).origin]);
  await shot(page, '02-search');
  for (let i = 0; i < 4 && (await focused(page)) !== 'BUTTON:MX Bank'; i++) await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'BUTTON:MX Bank', 'Tab reaches MX Bank');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Sign in to MX Bank' }).waitFor();
  assert.equal(await focused(page), 'H2:Sign in to MX Bank', 'focus follows the step');
  await page.keyboard.press('Tab');
  await page.keyboard.type('test_atrium');
  await page.keyboard.press('Tab');
  await page.keyboard.type('password');
  assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('type'), 'password');
  await page.getByText('Sandbox test logins').click();
  await shot(page, '03-credentials');
  await page.getByLabel('Password', { exact: true }).press('Enter');
  await sawHeading(page, 'Connecting to MX Bank');
  await step(page, 'success');
  assert.deepEqual(await ended(page), { type: 'atrium-success', outcome: null, status: 'CONNECTED', step: null });
  assert.ok((await page.evaluate(() => window.seen.statuses)).includes('CONNECTED'));
  assert.ok(await page.getByRole('heading', { name: 'Connected to MX Bank' }).isVisible());
  await shot(page, '04-connected');
  await page.getByRole('button', { name: 'See your accounts' }).press('Enter');
  await page.waitForSelector('body[data-loaded^="MBR-"]');
  assert.equal(await page.locator('#member-title').textContent(), 'MX Bank');
  const accounts = await page.locator('#accounts li').allInnerTexts();
  assert.ok(accounts.length >= 2, accounts.join(' | '));
  for (const a of accounts) assert.match(a, /[$]-?[\d,]+\.\d\d/, `a balance is shown: ${a}`);
  assert.match(await page.locator('#tx-count').textContent(), /^[\d,]+ transactions$/);
  assert.ok((await page.locator('#tx-body [role="row"]').count()) > 5);
  assert.ok((await page.locator('#tx-chart svg rect').count()) > 3, 'the spending chart has bars');
  assert.ok((await page.locator('#tx-chart .legend li').count()) >= 2);
  await shot(page, '05-accounts-and-transactions');
  assert.equal(await ends(page), 1, 'the end was told once');
  await finished(page, problems);
});

test('two rounds of questions, a duplicate refused, then a wrong answer and a second try', async () => {
  const { page, problems } = await signedIn(`rounds ${run}`);
  await connectMxBank(page, 'challenge');
  let form = await challenge(page);
  await form.getByLabel('What city were you born in?').fill('challenge');
  await shot(page, '06-mfa-first-round');
  await form.getByRole('button', { name: 'Send answer' }).click();
  // The second round replaces the first.
  await page.getByLabel('What is the name of your first pet?').waitFor();
  await shot(page, '07-mfa-second-round');
  await page.getByLabel('What is the name of your first pet?').fill('correct');
  await page.getByRole('button', { name: 'Send answer' }).click();
  await step(page, 'success');
  assert.equal((await page.evaluate(() => window.seen.statuses)).filter((s) => s === 'CHALLENGED').length, 2);

  // The same credentials again: Atrium refuses a duplicate member (409), and the element says so.
  await page.getByRole('button', { name: 'Back to your connections' }).click();
  await connectMxBank(page, 'challenge');
  await step(page, 'failure');
  assert.ok(await page.getByRole('heading', { name: 'MX Bank could not be connected' }).isVisible());

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Your name').fill(`wrong ${run}`);
  await page.getByLabel('Your name').press('Enter');
  await page.getByRole('heading', { name: 'Your connections' }).waitFor();
  await connectMxBank(page, 'challenge');
  form = await challenge(page);
  await form.getByLabel('What city were you born in?').fill('Atlantis');
  await form.getByRole('button', { name: 'Send answer' }).click();
  await step(page, 'failure');
  assert.ok(await page.getByText('Your bank did not accept that answer.').isVisible());
  await shot(page, '08-wrong-answer');
  await page.getByRole('button', { name: 'Try again' }).click();
  form = await challenge(page);
  await form.getByLabel('What city were you born in?').fill('correct');
  await form.getByRole('button', { name: 'Send answer' }).click();
  await step(page, 'success');
  await finished(page, problems);
});

test('credentials refused (DENIED), updated in the element; later updated again from the connection', async () => {
  const { page, problems } = await signedIn(`denied ${run}`);
  await connectMxBank(page, 'INVALID');
  await page.getByRole('heading', { name: 'MX Bank needs your credentials again' }).waitFor();
  assert.ok((await page.evaluate(() => window.seen.statuses)).includes('DENIED'));
  await shot(page, '09-denied-update-credentials');
  await submitCredentials(page, 'password', 'Update and reconnect');
  await sawHeading(page, 'Reconnecting to MX Bank');
  await step(page, 'success');
  assert.equal((await ended(page)).type, 'atrium-success');
  // The connection's own "Update credentials": the element's update-credentials mode.
  await page.getByRole('button', { name: 'See your accounts' }).click();
  await page.waitForSelector('body[data-loaded^="MBR-"]');
  await page.getByRole('button', { name: 'Update credentials' }).click();
  await page.getByRole('heading', { name: 'MX Bank needs your credentials again' }).waitFor();
  await submitCredentials(page, 'password', 'Update and reconnect');
  await step(page, 'success');
  assert.equal(await ends(page), 2);
  await finished(page, problems);
});

test('leaving at the question: the flow stops, the page is back on the connections and says so', async () => {
  const { page, problems } = await signedIn(`cancel ${run}`);
  await connectMxBank(page, 'challenge');
  await challenge(page);
  await page.getByRole('button', { name: 'Close' }).click();
  assert.deepEqual(await ended(page), { type: 'atrium-exit', outcome: 'closed', status: 'CHALLENGED', step: 'challenge' });
  await page.getByRole('heading', { name: 'Your connections' }).waitFor();
  const member = page.locator('#members li');
  await member.first().waitFor();
  assert.match(await member.first().innerText(), /Challenged/);
  await shot(page, '10-left-at-the-question');
  await finished(page, problems);
});

test('a reload on a refresh that ended without connecting shows the connections, and runs nothing again', async () => {
  const { page, problems } = await signedIn(`locked ${run}`);
  await connectMxBank(page, 'LOCKED');
  await step(page, 'failure');
  await page.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Refresh MX Bank' }).click();
  await step(page, 'failure');
  assert.ok(await page.getByText('Your bank has locked your online access. Please contact your bank.').isVisible());
  await shot(page, '10b-refresh-locked');
  const aggregations = [];
  page.on('request', (r) => /\/aggregate$/.test(r.url()) && aggregations.push(r.url()));
  await page.reload();
  await page.getByRole('heading', { name: 'Your connections' }).waitFor();
  await page.locator('#members li').first().waitFor();
  assert.deepEqual(aggregations, [], 'the refresh is not run again');
  assert.equal(await page.locator('atrium-connect').count(), 0);
  await finished(page, problems);
});

test('members: refresh, premium actions (verify, identify) with their progress, remove', async () => {
  const { page, problems } = await signedIn(`premium ${run}`);
  await connectMxBank(page, 'password');
  await step(page, 'success');
  await page.getByRole('button', { name: 'Back to your connections' }).click();
  const item = page.locator('#members li').first();
  await item.waitFor();
  assert.match(await item.innerText(), /MX Bank[\s\S]*Connected/);
  await shot(page, '11-members');
  await page.getByRole('button', { name: 'Refresh MX Bank' }).click();
  await sawHeading(page, 'Refreshing MX Bank');
  await step(page, 'success');

  await page.getByRole('button', { name: 'See your accounts' }).click();
  await page.waitForSelector('body[data-loaded^="MBR-"]');
  await page.getByRole('button', { name: 'Verify account numbers' }).click();
  await sawHeading(page, 'Verifying your account numbers at MX Bank');
  const verified = page.getByRole('table', { name: 'Verified account numbers (masked)' });
  await verified.waitFor();
  const rows = await verified.locator('tbody tr').allInnerTexts();
  assert.ok(rows.length >= 1);
  for (const r of rows) {
    assert.match(r, /••••\d{4}/, r);
    assert.doesNotMatch(r, /\d{5,}/, `no full number is shown: ${r}`);
  }
  assert.equal(await page.evaluate(() => document.activeElement.id), 'premium', 'focus moves to the result');
  await shot(page, '12-premium-verify');
  await page.getByRole('button', { name: 'Identify owners' }).click();
  const owners = page.getByRole('table', { name: 'Account owners' });
  await owners.waitFor();
  assert.ok((await owners.locator('tbody tr').count()) >= 1);
  assert.match(await owners.locator('tbody tr').first().innerText(), /\S+ \S+/);

  await page.getByRole('button', { name: 'Back to your connections' }).click();
  await page.getByRole('button', { name: 'Remove MX Bank' }).click();
  await page.getByRole('button', { name: 'Remove for good' }).click();
  await page.getByText('No bank connected yet.').waitFor();
  assert.equal(await page.locator('#members li').count(), 0);
  await finished(page, problems);
});

test('10,000 transactions: a windowed table, filters by account and date, and the chart', async () => {
  const { page, problems } = await signedIn(`big ${run}`);
  await connectMxBank(page, 'BIG_10K');
  await step(page, 'success');
  await page.getByRole('button', { name: 'See your accounts' }).click();
  await page.waitForSelector('body[data-loaded^="MBR-"]');
  assert.equal(await page.locator('#tx-count').textContent(), '10,000 transactions');
  assert.equal(await page.getAttribute('#tx-table', 'aria-rowcount'), '10001');
  const inDom = await page.locator('#tx-body [role="row"]').count();
  assert.ok(inDom > 5 && inDom < 60, `only the visible rows are in the DOM (${inDom})`);
  await shot(page, '13-ten-thousand-transactions');
  // Scrolled to the end, the last rows are there, and still only a window of them.
  await page.locator('#tx-viewport').evaluate((v) => {
    v.scrollTop = v.scrollHeight;
  });
  await page.waitForFunction(() => document.querySelector('#tx-body [aria-rowindex="10001"]') !== null);
  assert.ok((await page.locator('#tx-body [role="row"]').count()) < 60);
  const dates = await page.locator('#tx-body .date').allTextContents();
  assert.ok(dates.every((d) => /^\d{4}-\d\d-\d\d$/.test(d)));

  // This login puts every transaction in its checking account; savings has none.
  const accountNames = await page.locator('#tx-account option').allTextContents();
  assert.equal(accountNames[0], 'All accounts');
  const savings = accountNames.find((a) => /saving/i.test(a));
  const checking = accountNames.find((a) => /checking/i.test(a));
  assert.ok(savings && checking, accountNames.join(', '));
  const account = page.getByLabel('Account', { exact: true });
  await account.selectOption({ label: savings });
  assert.equal(await page.locator('#tx-count').textContent(), '0 transactions');
  assert.equal(await page.locator('#tx-body [role="row"]').count(), 0);
  await account.selectOption({ label: checking });
  const oneAccount = Number((await page.locator('#tx-count').textContent()).replace(/\D/g, ''));
  assert.equal(oneAccount, 10_000);
  const shown = await page.locator('#tx-body .acct').allTextContents();
  assert.ok(shown.length > 0 && shown.every((a) => a === checking), 'every row is of the chosen account');
  const latest = await page.inputValue('#tx-to');
  const from = new Date(Date.parse(latest) - 30 * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('From', { exact: true }).fill(from);
  const lastMonth = Number((await page.locator('#tx-count').textContent()).replace(/\D/g, ''));
  assert.ok(lastMonth > 0 && lastMonth < oneAccount, `filtered by date: ${lastMonth} of ${oneAccount}`);
  const monthDates = await page.locator('#tx-body .date').allTextContents();
  assert.ok(monthDates.every((d) => d >= from && d <= latest));
  assert.ok((await page.locator('#tx-chart svg rect').count()) >= 1);
  await shot(page, '14-filtered');
  await finished(page, problems);
});

test('readable at 320 px: no sideways scrolling on the main screens', async () => {
  const { page, problems } = await signedIn(`narrow ${run}`, { width: 320, height: 640 });
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(await overflow(), 0, 'home');
  await openMxBank(page);
  assert.equal(await overflow(), 0, 'credentials');
  await submitCredentials(page, 'options');
  await challenge(page);
  assert.equal(await overflow(), 0, 'MFA');
  await page.getByLabel('correct', { exact: true }).check();
  await page.getByRole('button', { name: 'Send answer' }).click();
  await step(page, 'success');
  assert.equal(await overflow(), 0, 'connected');
  await page.getByRole('button', { name: 'See your accounts' }).click();
  await page.waitForSelector('body[data-loaded^="MBR-"]');
  assert.equal(await overflow(), 0, 'accounts and transactions');
  await shot(page, '15-narrow-320px');
  await finished(page, problems);
});

/** Sets the sandbox's pace (a fraction of the real one) for the tests after. */
async function pace(scale) {
  const headers = { 'MX-API-Key': SECRETS[0], 'MX-Client-ID': SECRETS[1], 'Content-Type': 'application/json' };
  const r = await fetch(`${sandbox}/_sandbox/clock`, { method: 'POST', headers, body: JSON.stringify({ transition_scale: scale }) });
  assert.ok(r.ok, `clock: ${r.status}`);
}

test('a reload at the MFA question lands back on it, and the connection completes', async () => {
  const { page, problems } = await signedIn(`reload-mfa ${run}`);
  await connectMxBank(page, 'options');
  await challenge(page);
  await page.reload();
  // Signed in again by itself, the element carries its flow on: back on the question.
  const form = await challenge(page);
  await page.getByRole('heading', { name: 'MX Bank asks' }).waitFor();
  await form.getByRole('radiogroup', { name: 'Which of these accounts is yours?' }).getByLabel('correct').check();
  await form.getByRole('button', { name: 'Send answer' }).click();
  await step(page, 'success');
  assert.equal((await ended(page)).type, 'atrium-success');
  assert.equal(await ends(page), 1, 'this page load was told the end once');
  await finished(page, problems);
});

test('a reload during the aggregation carries on to connected', async () => {
  await pace(0.5);
  try {
    const { page, problems } = await newPage();
    await signIn(page, `reload-run ${run}`);
    await connectMxBank(page, 'password');
    await page.waitForFunction(() => window.seen.statuses.length > 0);
    await page.reload();
    await step(page, 'connecting');
    await step(page, 'success');
    const statuses = await page.evaluate(() => window.seen.statuses);
    assert.ok(statuses.length > 1 && statuses[0] !== 'CONNECTED', `resumed mid-run: ${statuses.join(' → ')}`);
    assert.equal(await ends(page), 1);
    await finished(page, problems);
  } finally {
    await pace(0.05);
  }
});

/** From the home screen to the OAuth bank's "Continue" button. */
async function pickOAuthBank(page) {
  await page.getByRole('button', { name: 'Connect an account' }).click();
  await step(page, 'search');
  await pick(page, 'atrium-connect', 'oauth', 'mxbank_oauth');
  return page.getByRole('button', { name: 'Continue to MX Bank (OAuth)' });
}

/** The OAuth bank's "Continue" pressed; the popup it opens, showing the bank's page. */
async function continueToOAuth(page) {
  const go = await pickOAuthBank(page);
  const [bank] = await Promise.all([page.waitForEvent('popup'), go.click()]);
  await bank.getByRole('button', { name: 'Authorize' }).waitFor();
  return bank;
}

/** From the element's OAuth step once more: its button, Authorize on the bank's page, connected. */
async function authorizeAgain(page) {
  const [bank] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Continue to MX Bank (OAuth)' }).click()]);
  await bank.getByRole('button', { name: 'Authorize' }).click();
  await page.getByRole('heading', { name: 'Connected to MX Bank (OAuth)' }).waitFor();
}

test('OAuth in a popup: the bank’s page, then connected without a manual step; later signed in there again', async () => {
  const { page, problems } = await signedIn(`oauth ${run}`);
  const bank = await continueToOAuth(page);
  await page.getByRole('heading', { name: 'Sign in at MX Bank (OAuth)' }).waitFor();
  await shot(page, '16-oauth-popup');
  await bank.getByRole('button', { name: 'Authorize' }).click();
  await page.getByRole('heading', { name: 'Connected to MX Bank (OAuth)' }).waitFor();
  assert.equal(await ends(page), 1);
  assert.ok(bank.isClosed() || (await bank.waitForEvent('close', { timeout: 5000 }).then(() => true)), 'the popup is closed');
  // The connection's own way to sign in there again (no credentials to update).
  await page.getByRole('button', { name: 'See your accounts' }).click();
  await page.waitForSelector('body[data-loaded^="MBR-"]');
  await page.getByRole('button', { name: 'Sign in at MX Bank (OAuth) again' }).click();
  await authorizeAgain(page);
  assert.equal(await ends(page), 2);
  await finished(page, problems);
});

test('OAuth denied in the popup ends as the status says; trying again signs in on the same member and connects', async () => {
  const { page, problems } = await signedIn(`oauth-deny ${run}`);
  const bank = await continueToOAuth(page);
  await bank.getByRole('button', { name: 'Deny' }).click();
  await step(page, 'failure');
  assert.ok(await page.getByText('MX Bank (OAuth) did not give access to your accounts.').isVisible());
  // An OAuth bank takes no credentials here: no form, its page again.
  assert.equal(await page.locator('atrium-connect form').count(), 0);
  await shot(page, '17-oauth-denied');
  // Trying again opens the bank's page afresh, on the same member.
  await page.getByRole('button', { name: 'Try again' }).click();
  await authorizeAgain(page);
  await page.getByRole('button', { name: 'Back to your connections' }).click();
  await page.locator('#members li').first().waitFor();
  const members = await page.locator('#members li').allInnerTexts();
  assert.equal(members.length, 1, members.join(' | '));
  assert.match(members[0], /Connected/);
  assert.equal((await page.evaluate(() => window.seen.members)).length, 1, 'one member throughout');
  await finished(page, problems);
});

test('OAuth popup closed before finishing: a clear outcome within seconds, and a way back', async () => {
  const { page, problems } = await signedIn(`oauth-close ${run}`);
  const bank = await continueToOAuth(page);
  await bank.close();
  await step(page, 'failure');
  assert.ok(await page.getByRole('heading', { name: 'MX Bank (OAuth) could not be connected' }).isVisible());
  // Trying again signs in at the bank anew: its page opens from the element's button.
  await page.getByRole('button', { name: 'Try again' }).click();
  await authorizeAgain(page);
  assert.equal(await ends(page), 1);
  await finished(page, problems);
});

test('OAuth by redirect on a narrow screen: the bank’s page in the tab, then back and connected', async () => {
  const { page, problems } = await signedIn(`oauth-redirect ${run}`, { width: 390, height: 800 });
  await (await pickOAuthBank(page)).click();
  // The tab leaves for the bank's page (another origin), then comes back.
  await page.getByRole('button', { name: 'Authorize' }).click();
  await page.waitForURL((url) => url.origin === new URL(base).origin);
  await page.getByRole('heading', { name: 'Connected to MX Bank (OAuth)' }).waitFor();
  assert.equal(await page.evaluate(() => location.search), '', 'the outcome is taken out of the address');
  assert.equal(await ends(page), 1);
  await finished(page, problems);
});

test('the package exports AtriumError, and a forged token is refused with it', async () => {
  const { page } = await newPage();
  await signIn(page, `err ${run}`);
  const result = await page.evaluate(async () => {
    const mod = await import('/pkg/web/atrium_wasm.js');
    const client = new mod.AtriumClient({ relayUrl: location.origin, token: 'forged', userGuid: 'USR-someone-else' });
    try {
      await client.readUser();
      return { resolved: true };
    } catch (e) {
      return { isAtriumError: e instanceof mod.AtriumError, isError: e instanceof Error, name: e.name, status: e.status, code: e.code, retryable: e.retryable };
    }
  });
  assert.deepEqual(result, { isAtriumError: true, isError: true, name: 'AtriumError', status: 401, code: 'unauthorized', retryable: false });
  await page.close();
});

test('the API key and client id are in nothing the browser received during the suite', async () => {
  await Promise.all([...pending]);
  const kinds = new Set(received.map((r) => r.url.replace(/\?.*/, '').replace(/\/(USR|MBR|ACT|TRN|CRD|STA)-[^/]+/g, '/{guid}')));
  // The suite did reach the page, its scripts, the package and the API.
  for (const want of [`${base}/`, `${base}/app.js`, `${base}/pkg/web/atrium_wasm_bg.wasm`, `${base}/atrium/users/{guid}/members`]) {
    assert.ok(kinds.has(want), `received ${want}`);
  }
  assert.ok(received.length > 100, `${received.length} responses recorded`);
  for (const r of received) {
    for (const secret of SECRETS) {
      assert.ok(!r.body.includes(secret) && !r.headers.includes(secret), `${secret} leaked in ${r.url}`);
    }
  }
});
