// What a page must never do in the e2e suites, collected as it happens: a page error, a
// console error, a failed load of anything but an API call, a CSP violation. API calls may
// answer 4xx/5xx on purpose (a 409, a wrong token): the tests check those themselves. And
// what axe finds serious or critical on a screen.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const axeSource = readFileSync(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'node_modules/axe-core/axe.min.js'),
  'utf8',
);

/**
 * Gives `page` axe-core, injected by the driver (not the page), so that the page's CSP
 * stays strict; call before the page loads.
 */
export const withAxe = (page) => page.addInitScript({ content: axeSource });

/** What axe finds serious or critical on the page as it is, shadow roots included. */
export function axeFindings(page) {
  return page.evaluate(async () => {
    const { violations } = await window.axe.run(document, { resultTypes: ['violations'] });
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' > ')).join(', ')}`);
  });
}

/** Paths whose error answers are the API's and are checked by the tests themselves. */
const API = /^\/(atrium\/|session$)/;

const isApi = (url) => {
  try {
    return API.test(new URL(url).pathname);
  } catch {
    return false;
  }
};

/**
 * Starts watching `page`; returns the list of problems, growing as they happen.
 * `allow(url)` may excuse more failed loads (none by default).
 */
export async function watch(page, { allow = () => false } = {}) {
  const problems = [];
  const excused = (url) => isApi(url) || allow(url);
  // Injected by the driver, not the page, so the page's own policy does not block it.
  await page.addInitScript(() => {
    addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} in ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // The browser logs each failed load once more; the API's own are expected.
    if (m.text().startsWith('Failed to load resource') && excused(m.location().url)) return;
    problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !excused(r.url())) problems.push(`load: ${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? 'failed';
    // An abort is the page's own doing (a cancelled flow, an image whose row went away).
    if (why !== 'net::ERR_ABORTED' && !excused(r.url())) problems.push(`load: ${why} ${r.url()}`);
  });
  return problems;
}

/**
 * Keeps each heading the page's shadow roots show, in order, in `window.headingsSeen`, so
 * that a step shown between two polls (a short progress step) is still seen. Injected by the
 * driver before the page loads: it wraps `attachShadow` to watch each root made.
 */
export const recordHeadings = (page) =>
  page.addInitScript(() => {
    const seen = [];
    Object.defineProperty(window, 'headingsSeen', { value: seen });
    const attach = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function (init) {
      const root = attach.call(this, init);
      new MutationObserver(() => {
        const text = root.querySelector('h2')?.textContent;
        if (text && seen.at(-1) !== text) seen.push(text);
      }).observe(root, { childList: true, subtree: true, characterData: true });
      return root;
    };
  });

/** Waits until a shadow root has shown the heading `text` (see `recordHeadings`). */
export const sawHeading = (page, text) =>
  page.waitForFunction((t) => window.headingsSeen.includes(t), text, { timeout: 30_000 });
