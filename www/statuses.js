// @ts-check
// Statuses on the connections list: a badge's label and colour, and the plain words for a
// person, which are <atrium-connect>'s own catalog (one set of words for the demo and the
// element). What a status means to a flow (running, waiting, ended and how) is `statusInfo`.
import { statusInfo } from '../pkg/web/atrium_wasm.js';
import { translator } from '../pkg/connect/index.js';

const t = translator('en');

/** @param {string | null} status */
export function describeStatus(status) {
  const key = /** @type {const} */ (`status.${status}`);
  const text = t(key);
  // A status added after this catalog was written has no words of its own yet.
  return text === key ? t('status.other', { status: status ?? 'unknown' }) : text;
}

/** A short label for badges: the status in sentence case. */
export const statusLabel = (status) =>
  status ? status.charAt(0) + status.slice(1).toLowerCase() : 'Unknown';

/** The badge's colour family, by what the library says the status means. */
export function statusTone(status) {
  const info = statusInfo(status);
  if (info.progress !== 'ended') return 'busy';
  return info.outcome === 'connected' ? 'good' : 'bad';
}
