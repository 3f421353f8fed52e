// @ts-check
// What each connection status means to the person connecting, in plain words (the
// reference's §5, rephrased for an end user rather than a developer). What a status means
// to a flow (running, waiting for the user, ended, and how) is the library's `statusInfo`.
import { statusInfo } from '../pkg/web/atrium_wasm.js';
export const STATUS_TEXT = {
  CREATED: 'Connection created. Contacting your bank…',
  UPDATED: 'New credentials saved. Contacting your bank…',
  RESUMED: 'Answer sent. Your bank is checking it…',
  CHALLENGED: 'Your bank wants to confirm it is you.',
  CONNECTED: 'Signed in to your bank.',
  RECONNECTED: 'Signed in again through a new connection.',
  PENDING: 'Waiting for you to finish signing in on your bank’s page.',
  DELAYED: 'Your bank is slower than usual. Still trying…',
  DEGRADED: 'Your bank is having trouble. We will keep trying.',
  DENIED: 'Your bank did not accept that username or password.',
  PREVENTED: 'Too many failed attempts: please enter your credentials again.',
  IMPAIRED: 'Some of your credentials are missing: please enter them again.',
  IMPORTED: 'Please enter your credentials to keep this connection up to date.',
  REJECTED: 'Your bank did not accept that answer.',
  EXPIRED: 'The security question was not answered in time.',
  LOCKED: 'Your bank has locked your online access. Please contact your bank.',
  IMPEDED: 'Your bank needs you to do something on its website first (for example, accept new terms).',
  DISCONNECTED: 'Your bank has been unreachable for a while. Try again later.',
  DISCONTINUED: 'This bank can no longer be connected.',
  CLOSED: 'This connection has been closed.',
  DISABLED: 'Updates for this connection are turned off.',
  FAILED: 'The connection failed. Please try again later.',
};

export const describeStatus = (status) => STATUS_TEXT[status] ?? `Status: ${status}`;

/** A short label for badges: the status in sentence case. */
export const statusLabel = (status) =>
  status ? status.charAt(0) + status.slice(1).toLowerCase() : 'Unknown';

/** The badge's colour family, by what the library says the status means. */
export function statusTone(status) {
  const info = statusInfo(status);
  if (info.progress !== 'ended') return 'busy';
  return info.outcome === 'connected' ? 'good' : 'bad';
}
