// @ts-check
// The institution type-ahead: a debounced search, and an ARIA combobox whose list is
// walked with the arrow keys and picked with Enter or a click.
import { $, announce, describeError, el, field } from './ui.js';

function logo(inst) {
  const letter = el('span', { class: 'logo', 'aria-hidden': 'true', text: (inst.name ?? inst.code).slice(0, 1) });
  if (!inst.small_logo_url) return letter;
  // The logo comes from the institution's content host; offline (or blocked) it falls back
  // to the initial.
  const img = el('img', { class: 'logo', src: inst.small_logo_url, alt: '', width: 32, height: 32, loading: 'lazy' });
  img.addEventListener('error', () => img.replaceWith(letter), { once: true });
  return img;
}

/**
 * Wires the search box. `getClient()` gives the signed-in client; `onPick(institution)` is
 * called with the chosen institution.
 */
export function setupSearch(getClient, onPick) {
  const input = field('search');
  const list = $('institutions');
  let results = [];
  let active = -1;
  let seq = 0;
  let timer = 0;

  const setActive = (index) => {
    const items = list.querySelectorAll('[role="option"]');
    active = items.length ? (index + items.length) % items.length : -1;
    items.forEach((item, i) => item.setAttribute('aria-selected', String(i === active)));
    if (active >= 0) {
      input.setAttribute('aria-activedescendant', items[active].id);
      items[active].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };

  const render = (page) => {
    results = page.items;
    list.replaceChildren(
      ...results.map((inst, i) =>
        el(
          'li',
          {
            id: `inst-${inst.code}`,
            role: 'option',
            'aria-selected': 'false',
            'data-code': inst.code,
            onclick: () => onPick(inst),
            onmousemove: () => active !== i && setActive(i),
          },
          logo(inst),
          el(
            'div',
            { class: 'text' },
            el('div', { class: 'name', text: inst.name ?? inst.code }),
            el('div', { class: 'url', text: inst.url ? inst.url.replace(/^https?:\/\//, '') : '' }),
          ),
          inst.supports_oauth ? el('span', { class: 'tag', text: 'OAuth' }) : null,
        ),
      ),
    );
    input.setAttribute('aria-expanded', String(results.length > 0));
    active = -1;
    input.removeAttribute('aria-activedescendant');
    const total = page.pagination.total_entries;
    const text = `${total} institution${total === 1 ? '' : 's'}`;
    $('count').textContent = text;
    announce(`${text} found`);
  };

  const search = async () => {
    const mine = ++seq;
    $('search-error').textContent = '';
    try {
      const page = await getClient().listInstitutions({ name: input.value.trim(), records_per_page: 25 });
      // A slower, older answer must not overwrite a newer one.
      if (mine === seq) render(page);
    } catch (e) {
      if (mine === seq) $('search-error').textContent = describeError(e);
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') setActive(active + 1);
    else if (event.key === 'ArrowUp') setActive(active < 0 ? -1 : active - 1);
    else if (event.key === 'Home' && results.length) setActive(0);
    else if (event.key === 'End' && results.length) setActive(results.length - 1);
    else if (event.key === 'Enter') {
      if (active >= 0) onPick(results[active]);
      else if (results.length === 1) onPick(results[0]);
      else return;
    } else if (event.key === 'Escape') {
      input.value = '';
      search();
    } else return;
    event.preventDefault();
  });
  return { search };
}
