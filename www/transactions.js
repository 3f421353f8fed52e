// @ts-check
// A member's transactions: filters by account and date, a chart of spending by category per
// month (hand-made SVG: smaller than any charting library), and a windowed table that keeps
// only the visible rows in the DOM, so 10,000 transactions scroll smoothly.
import { $, announce, el, field, formatCount, formatMoney } from './ui.js';

const ROW_HEIGHT = 40;
const OVERSCAN = 8;
const PALETTE = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2', '#64748b'];

/** Spending (expenses) summed by month and by the largest categories; the rest is "Other". */
export function spendingByCategory(transactions, top = 6) {
  const totals = new Map();
  const byMonth = new Map();
  for (const t of transactions) {
    if (!(t.is_expense ?? t.type === 'DEBIT') || !t.date || t.amount === null) continue;
    const category = t.top_level_category ?? t.category ?? 'Uncategorized';
    const amount = Math.abs(t.amount);
    totals.set(category, (totals.get(category) ?? 0) + amount);
    const month = t.date.slice(0, 7);
    if (!byMonth.has(month)) byMonth.set(month, new Map());
    const m = byMonth.get(month);
    m.set(category, (m.get(category) ?? 0) + amount);
  }
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([c]) => c);
  const keep = ranked.slice(0, top);
  const categories = ranked.length > top ? [...keep, 'Other'] : keep;
  const months = [...byMonth.keys()].sort().map((month) => {
    const values = Object.fromEntries(categories.map((c) => [c, 0]));
    for (const [category, amount] of byMonth.get(month)) {
      values[keep.includes(category) ? category : 'Other'] += amount;
    }
    return { month, values, total: Object.values(values).reduce((a, b) => a + b, 0) };
  });
  return { categories, months };
}

function monthLabel(month) {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
}

function renderChart(container, transactions, currency) {
  const { categories, months } = spendingByCategory(transactions);
  if (!months.length) {
    container.replaceChildren(el('p', { class: 'muted', text: 'No spending in this period.' }));
    return;
  }
  const width = 640;
  const height = 220;
  const pad = { left: 8, right: 8, top: 8, bottom: 24 };
  const max = Math.max(...months.map((m) => m.total));
  const slot = (width - pad.left - pad.right) / months.length;
  const barWidth = Math.max(4, slot * 0.7);
  const scale = (height - pad.top - pad.bottom) / max;
  const biggest = categories[0];
  const svg = el(
    'svg:svg',
    { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'chart-title chart-desc', class: 'chart' },
    el('svg:title', { id: 'chart-title', text: 'Spending by category per month' }),
    el('svg:desc', {
      id: 'chart-desc',
      text: `${months.length} months from ${months[0].month} to ${months[months.length - 1].month}; the largest category is ${biggest}.`,
    }),
  );
  months.forEach((m, i) => {
    const x = pad.left + i * slot + (slot - barWidth) / 2;
    let y = height - pad.bottom;
    categories.forEach((category, c) => {
      const h = m.values[category] * scale;
      if (h <= 0) return;
      y -= h;
      svg.append(
        el(
          'svg:rect',
          { x: x.toFixed(1), y: y.toFixed(1), width: barWidth.toFixed(1), height: h.toFixed(1), fill: PALETTE[c % PALETTE.length] },
          el('svg:title', { text: `${m.month} · ${category}: ${formatMoney(m.values[category], currency)}` }),
        ),
      );
    });
    svg.append(el('svg:text', { x: (x + barWidth / 2).toFixed(1), y: height - 6, 'text-anchor': 'middle', class: 'axis', text: monthLabel(m.month) }));
  });
  const legend = el(
    'ul',
    { class: 'legend', 'aria-label': 'Categories' },
    categories.map((category, c) =>
      el('li', {}, el('span', { class: `swatch c${c % PALETTE.length}`, 'aria-hidden': 'true' }), category),
    ),
  );
  container.replaceChildren(svg, legend);
}

function row(t, index, accountNames) {
  const amount = t.amount ?? 0;
  const signed = t.type === 'CREDIT' ? amount : -Math.abs(amount);
  return el(
    'div',
    { class: 'tr', role: 'row', 'aria-rowindex': index + 2, 'data-index': index },
    el('span', { role: 'cell', class: 'date', text: t.date ?? '' }),
    el('span', { role: 'cell', class: 'desc', text: t.description ?? t.original_description ?? '' }),
    el('span', { role: 'cell', class: 'cat', text: t.top_level_category ?? t.category ?? '' }),
    el('span', { role: 'cell', class: 'acct', text: accountNames.get(t.account_guid) ?? '' }),
    el('span', { role: 'cell', class: `amount ${signed >= 0 ? 'credit' : 'debit'}`, text: formatMoney(signed, t.currency_code) }),
  );
}

/**
 * Shows `transactions` (all of a member's) in the transactions panel with its filters;
 * `accounts` names the accounts.
 */
export function showTransactions(transactions, accounts) {
  const accountNames = new Map(accounts.map((a) => [a.guid, a.name ?? a.guid]));
  const select = /** @type {HTMLSelectElement} */ ($('tx-account'));
  select.replaceChildren(
    el('option', { value: '', text: 'All accounts' }),
    ...accounts.map((a) => el('option', { value: a.guid, text: a.name ?? a.guid })),
  );
  const dates = transactions.map((t) => t.date).filter(Boolean).sort();
  field('tx-from').value = dates[0] ?? '';
  field('tx-to').value = dates[dates.length - 1] ?? '';
  const viewport = $('tx-viewport');
  const body = $('tx-body');
  let shown = [];

  const paint = () => {
    const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const count = Math.ceil(viewport.clientHeight / ROW_HEIGHT) + 2 * OVERSCAN;
    const last = Math.min(shown.length, first + count);
    const rows = [];
    for (let i = first; i < last; i++) {
      const r = row(shown[i], i, accountNames);
      r.style.transform = `translateY(${i * ROW_HEIGHT}px)`;
      rows.push(r);
    }
    body.replaceChildren(...rows);
  };

  const apply = () => {
    const account = select.value;
    const from = field('tx-from').value;
    const to = field('tx-to').value;
    shown = transactions
      .filter((t) => (!account || t.account_guid === account) && (!from || (t.date ?? '') >= from) && (!to || (t.date ?? '') <= to))
      .sort((a, b) => (b.date ?? '').localeCompare(a.date ?? '') || (a.guid < b.guid ? -1 : 1));
    $('tx-table').setAttribute('aria-rowcount', String(shown.length + 1));
    body.style.height = `${shown.length * ROW_HEIGHT}px`;
    viewport.scrollTop = 0;
    const text = `${formatCount(shown.length)} transaction${shown.length === 1 ? '' : 's'}`;
    $('tx-count').textContent = text;
    renderChart($('tx-chart'), shown, transactions[0]?.currency_code);
    paint();
    return text;
  };

  let frame = 0;
  viewport.onscroll = () => {
    if (!frame) {
      frame = requestAnimationFrame(() => {
        frame = 0;
        paint();
      });
    }
  };
  for (const control of [select, $('tx-from'), $('tx-to')]) control.onchange = () => announce(`Showing ${apply()}`);
  apply();
}
