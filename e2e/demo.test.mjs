// The demo page in a real headless Chromium, against the relay npm test starts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const base = process.env.ATRIUM_E2E_URL;
let browser;

before(async () => {
  assert.ok(base, 'ATRIUM_E2E_URL must name the relay under test (npm test sets it)');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // As root, and on a machine whose only network is loopback.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

after(async () => {
  await browser?.close();
});

async function openSignedIn(name) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForSelector('#whoami[data-user-guid^="USR-"]');
  return { page, errors };
}

test('sign in, then a search for "mx" lists MX Bank', async () => {
  const { page, errors } = await openSignedIn(`e2e-${Date.now()}`);
  assert.match(await page.textContent('#whoami'), /Signed in as e2e-\d+ \(USR-/);
  await page.getByLabel('Institution name').fill('mx');
  await page.waitForFunction(() => {
    const items = [...document.querySelectorAll('#institutions li')];
    return items.length > 0 && items.every((li) => /mx/i.test(li.textContent));
  });
  const names = await page.$$eval('#institutions li .name', (els) => els.map((e) => e.textContent));
  assert.ok(names.includes('MX Bank'), names.join(', '));
  assert.match(await page.textContent('#count'), /^\d+ institutions?$/);
  await page.getByLabel('Institution name').fill('zzz-no-such-bank');
  await page.waitForFunction(() => document.querySelectorAll('#institutions li').length === 0);
  assert.equal(await page.textContent('#count'), '0 institutions');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the package exports AtriumError, and a foreign user is refused with it', async () => {
  const { page } = await openSignedIn(`e2e-err-${Date.now()}`);
  const result = await page.evaluate(async () => {
    const mod = await import('/pkg/atrium_wasm.js');
    const client = new mod.AtriumClient({ relayUrl: location.origin, token: 'forged', userGuid: 'USR-someone-else' });
    try {
      await client.readUser();
      return { resolved: true };
    } catch (e) {
      return {
        isAtriumError: e instanceof mod.AtriumError,
        isError: e instanceof Error,
        name: e.name,
        status: e.status,
        code: e.code,
        retryable: e.retryable,
      };
    }
  });
  assert.deepEqual(result, {
    isAtriumError: true,
    isError: true,
    name: 'AtriumError',
    status: 401,
    code: 'unauthorized',
    retryable: false,
  });
  await page.close();
});
