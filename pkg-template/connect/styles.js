// The look of <atrium-connect>: custom properties a page sets on the element (light and dark
// defaults), applied as a constructed style sheet, which CSP's `style-src` does not govern,
// so the element needs no `'unsafe-inline'` and no nonce.

/** The dark scheme's values: chosen by `color-scheme="dark"`, or by the system when `auto`. */
const dark = `  --atrium-bg: #15181c;
  --atrium-fg: #e6e8eb;
  --atrium-muted: #a4adb7;
  --atrium-border: #3a4149;
  --atrium-accent: #8ab4f8;
  --atrium-accent-fg: #0b1a33;
  --atrium-danger: #ffb4ab;
  --atrium-success: #7ee2a0;
  --atrium-focus: #8ab4f8;
  color-scheme: dark;
`;

export const css = `
:host {
  --atrium-font: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  --atrium-bg: #ffffff;
  --atrium-fg: #1b1f24;
  --atrium-muted: #57606a;
  --atrium-border: #d0d7de;
  --atrium-accent: #0b57d0;
  --atrium-accent-fg: #ffffff;
  --atrium-danger: #b3261e;
  --atrium-success: #116329;
  --atrium-focus: #0b57d0;
  --atrium-radius: 10px;
  display: block;
  box-sizing: border-box;
  max-width: 28rem;
  min-width: 0;
  color: var(--atrium-fg);
  background: var(--atrium-bg);
  font-family: var(--atrium-font);
  font-size: 1rem;
  line-height: 1.45;
  border: 1px solid var(--atrium-border);
  border-radius: var(--atrium-radius);
  padding: 1.25rem;
  color-scheme: light;
}
:host([hidden]) { display: none; }
:host([color-scheme="dark"]) {
${dark}}
@media (prefers-color-scheme: dark) {
  :host(:not([color-scheme="light"])) {
${dark}  }
}
* { box-sizing: border-box; }
h2 { font-size: 1.25rem; margin: 0 0 0.75rem; }
h2:focus { outline: none; }
p { margin: 0 0 0.75rem; }
.muted { color: var(--atrium-muted); }
.error { color: var(--atrium-danger); min-height: 1.2em; }
label, legend { display: block; font-weight: 600; margin: 0 0 0.25rem; }
fieldset { border: 0; margin: 0 0 0.75rem; padding: 0; }
.field { margin: 0 0 0.75rem; }
input, select {
  width: 100%;
  font: inherit;
  color: inherit;
  background: var(--atrium-bg);
  border: 1px solid var(--atrium-border);
  border-radius: calc(var(--atrium-radius) / 2);
  padding: 0.55rem 0.65rem;
}
input[type="radio"] { width: auto; margin: 0 0.5rem 0 0; }
.choice { display: flex; align-items: center; margin: 0.25rem 0; }
.choice label { display: flex; align-items: center; gap: 0.5rem; font-weight: 400; margin: 0; }
button {
  font: inherit;
  font-weight: 600;
  cursor: pointer;
  border-radius: calc(var(--atrium-radius) / 2);
  padding: 0.6rem 1rem;
  border: 1px solid var(--atrium-accent);
  background: var(--atrium-accent);
  color: var(--atrium-accent-fg);
  margin: 0.25rem 0.5rem 0.25rem 0;
}
button.secondary { background: transparent; color: var(--atrium-accent); }
button:disabled { opacity: 0.6; cursor: default; }
:focus-visible { outline: 3px solid var(--atrium-focus); outline-offset: 2px; }
ul.institutions { list-style: none; margin: 0.5rem 0; padding: 0; max-height: 20rem; overflow: auto; }
ul.institutions li { margin: 0; }
ul.institutions button {
  display: flex; align-items: center; gap: 0.75rem; width: 100%; text-align: left;
  background: transparent; color: inherit; border: 1px solid transparent; margin: 0; font-weight: 400;
}
ul.institutions button:hover { border-color: var(--atrium-border); }
.logo {
  width: 32px; height: 32px; flex: none; border-radius: 6px; display: inline-flex;
  align-items: center; justify-content: center; background: var(--atrium-border); font-weight: 700;
}
.name { font-weight: 600; }
.small { font-size: 0.85rem; }
.status { margin: 0.5rem 0; }
.progress { height: 4px; background: var(--atrium-border); border-radius: 2px; overflow: hidden; margin: 0.75rem 0; }
.progress::after {
  content: ""; display: block; height: 100%; width: 40%; background: var(--atrium-accent);
  animation: slide 1.2s ease-in-out infinite;
}
@media (prefers-reduced-motion: reduce) { .progress::after { animation: none; width: 100%; } }
@keyframes slide { from { transform: translateX(-100%); } to { transform: translateX(250%); } }
.success h2 { color: var(--atrium-success); }
ul.accounts { list-style: none; margin: 0 0 0.75rem; padding: 0; }
ul.accounts li { display: flex; justify-content: space-between; gap: 1rem; padding: 0.4rem 0; border-bottom: 1px solid var(--atrium-border); }
.balance { font-variant-numeric: tabular-nums; white-space: nowrap; }
.visually-hidden {
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;
}
img.challenge-image { display: block; margin: 0 0 0.5rem; background: #fff; }
`;

let shared = null;

/** One sheet for every element on the page, made on first use (nothing at import). */
export function styleSheet() {
  if (!shared) {
    shared = new CSSStyleSheet();
    shared.replaceSync(css);
  }
  return shared;
}
