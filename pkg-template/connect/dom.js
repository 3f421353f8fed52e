// Building the element's nodes: attributes through setAttribute and text through
// textContent, so nothing here parses HTML, and events through addEventListener (CSP allows
// no inline handlers).

/** `h('button', { part: 'button', onclick: f, text: 'Go' }, child…)`. */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** A button of the element: the main action, or a `secondary` one (each its own part). */
export function button(text, onclick, secondary = false) {
  const kind = secondary ? { class: 'secondary', part: 'button-secondary' } : { part: 'button' };
  return h('button', { type: 'button', ...kind, text, onclick });
}

let sequence = 0;
/** An id unique in the page, for label and control pairs inside one shadow root. */
export const uid = (prefix) => `${prefix}-${++sequence}`;

/** An institution's logo, or its initial when there is none or it does not load. */
export function logo(institution) {
  const initial = h('span', { class: 'logo', part: 'logo', 'aria-hidden': 'true', text: (institution.name ?? institution.code ?? '?').slice(0, 1) });
  if (!institution.small_logo_url) return initial;
  const img = h('img', { class: 'logo', part: 'logo', src: institution.small_logo_url, alt: '', width: 32, height: 32, loading: 'lazy' });
  img.addEventListener('error', () => img.replaceWith(initial), { once: true });
  return img;
}

/** A form's controls disabled (or enabled) while its request is in flight. */
export function setBusy(form, busy) {
  for (const control of form.querySelectorAll('input, select, button')) control.disabled = busy;
}
