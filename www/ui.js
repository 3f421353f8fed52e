// @ts-check
// DOM helpers shared by the demo's modules: building elements, switching steps with focus,
// the announcer screen readers hear, and number and date formatting.
export const $ = (id) => document.getElementById(id);

/** A form field by id (its `value` typed for the checker). */
export const field = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id));

/**
 * `el('button', { class: 'x', onclick: f, text: 'Go' }, child…)`. Attribute values go through
 * setAttribute, so nothing here ever parses HTML.
 */
export function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith('svg:')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'text') node.textContent = value;
    else if (key === 'class') node.setAttribute('class', value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** Says `text` through the page's polite live region. */
export function announce(text) {
  const region = $('announcer');
  // Clearing first makes the same message heard again.
  region.textContent = '';
  requestAnimationFrame(() => {
    region.textContent = text;
  });
}

/** Shows one step (a `section.step`), hides the others and moves focus to its heading. */
export function showStep(id) {
  for (const section of document.querySelectorAll('section.step')) {
    /** @type {HTMLElement} */ (section).hidden = section.id !== id;
  }
  const heading = $(id).querySelector('h2');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
  document.body.dataset.step = id;
}

const money = new Map();
export function formatMoney(amount, currency) {
  if (amount === null || amount === undefined) return '—';
  const code = currency || 'USD';
  if (!money.has(code)) {
    let format;
    try {
      format = new Intl.NumberFormat('en-US', { style: 'currency', currency: code });
    } catch {
      format = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    money.set(code, format);
  }
  return money.get(code).format(amount);
}

export const formatCount = (n) => new Intl.NumberFormat('en-US').format(n);

export function formatWhen(iso) {
  if (!iso) return 'never';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
}

/** `YYYY-MM-DD` of a Date, in UTC (Atrium's dates are calendar dates). */
export const isoDate = (date) => date.toISOString().slice(0, 10);

/** Shows only the last four characters of an account or routing number. */
export function mask(value) {
  if (!value) return '—';
  const tail = value.slice(-4);
  return `••••${tail}`;
}

/** The words of an error for a person, with its code for support. */
export function describeError(e) {
  const message = e?.message ?? String(e);
  return e?.code ? `${message} (${e.code}${e.requestId ? `, request ${e.requestId}` : ''})` : message;
}
