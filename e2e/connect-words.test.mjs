// <atrium-connect>'s words and its import, in Node: every catalog has every key English has,
// with the same placeholders; the translator's plurals, overrides and fallbacks; and the
// package's entry points import where there is no DOM, the React binding rendering on the
// server, without touching one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from '../scripts/lib.mjs';

const entry = (file) => pathToFileURL(path.join(root, 'pkg', file)).href;
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('every catalog has every key of English, with the same placeholders, and no other', async () => {
  const { catalogs } = await import(entry('connect/index.js'));
  const english = catalogs.en;
  for (const [locale, catalog] of Object.entries(catalogs)) {
    assert.deepEqual(Object.keys(catalog).sort(), Object.keys(english).sort(), `${locale}'s keys`);
    for (const [key, text] of Object.entries(catalog)) {
      assert.deepEqual(placeholders(text), placeholders(english[key]), `${locale} ${key}`);
      assert.ok(text.trim().length > 0, `${locale} ${key} is empty`);
    }
  }
  // A translation is one: Spanish and French differ from English where words are said.
  assert.notEqual(catalogs.es['search.title'], english['search.title']);
  assert.notEqual(catalogs['fr-CA']['search.title'], english['search.title']);
});

test('the declared message keys are the English catalog\'s keys, no more and no fewer', async () => {
  const { catalogs } = await import(entry('connect/index.js'));
  const dts = readFileSync(path.join(root, 'pkg', 'connect', 'index.d.ts'), 'utf8');
  const union = dts.slice(dts.indexOf('export type AtriumConnectMessageKey ='), dts.indexOf(';', dts.indexOf('export type AtriumConnectMessageKey =')));
  const declared = [...union.matchAll(/\| '([^']+)'/g)].map((m) => m[1]).sort();
  assert.deepEqual(declared, Object.keys(catalogs.en).sort());
});

test('the translator picks plurals, numbers, overrides and fallbacks by locale', async () => {
  const { translator } = await import(entry('connect/index.js'));
  const en = translator('en-US');
  assert.equal(en('search.count', { count: 1 }), '1 bank found');
  assert.equal(en('search.count', { count: 1234 }), '1,234 banks found');
  const thousands = new Intl.NumberFormat('fr-CA').format(1234);
  assert.equal(translator('fr')('search.count', { count: 1234 }), `${thousands} banques trouvées`);
  assert.equal(translator('es-MX')('credentials.title', { name: 'MX Bank' }), 'Inicie sesión en MX Bank');
  assert.equal(translator('de')('common.close'), 'Close', 'an unknown language falls back to English');
  const custom = translator('es', { 'common.close': 'Cerrar y volver' });
  assert.equal(custom('common.close'), 'Cerrar y volver');
  assert.equal(en('no.such.key'), 'no.such.key');
});

test('the package imports in Node: nothing touches a DOM or registers anything at import', async () => {
  assert.equal(globalThis.window, undefined);
  assert.equal(globalThis.customElements, undefined);
  const connect = await import(entry('connect/index.js'));
  const core = await import(entry('web/atrium_wasm.js'));
  assert.equal(typeof connect.AtriumConnectElement, 'function');
  assert.equal(typeof core.AtriumClient, 'function');
  assert.throws(() => connect.defineAtriumConnect(), /needs a browser/);
});

test('the React binding renders on the server: a bare <atrium-connect>, no DOM touched', async () => {
  const { createElement } = await import('react');
  const { renderToString } = await import('react-dom/server');
  const { AtriumConnect } = await import(entry('react/index.js'));
  const html = renderToString(createElement(AtriumConnect, { id: 'bank', token: 't', onSuccess: () => {} }));
  assert.equal(html, '<atrium-connect id="bank"></atrium-connect>');
  assert.equal(globalThis.customElements, undefined);
});
