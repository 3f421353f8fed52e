// Driving <atrium-connect> from a test, shared by the element, demo and package suites.

/**
 * Types `query` in the search of the element at `host` (a selector) and waits until its list
 * is that search's answer: clicking before would hit the popular list it replaces.
 */
export async function search(page, host, query) {
  await page.fill(`${host} input[type="search"]`, query);
  await page.waitForFunction(
    ([h, q]) => {
      const items = [...(document.querySelector(h)?.shadowRoot?.querySelectorAll('[part="institution"]') ?? [])];
      return items.length > 0 && items.every((b) => b.textContent.toLowerCase().includes(q));
    },
    [host, query.toLowerCase()],
    { timeout: 30_000 },
  );
}

/** Searches `query` in the element at `host` and picks the bank `code` from its answer. */
export async function pick(page, host, query, code) {
  await search(page, host, query);
  await page.click(`${host} button[data-code="${code}"]`);
}
