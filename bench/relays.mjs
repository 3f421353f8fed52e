// What the flow benchmarks share: the relay built for speed and the package, a relay with
// its embedded sandbox that pushes (it takes the sandbox's webhooks) and a second relay that
// forwards to the same sandbox without webhooks (its flows poll), both unlimited in rate.
import path from 'node:path';
import { root, run, startRelay } from '../scripts/lib.mjs';

const build = await run('cargo', ['build', '--profile', 'server', '-p', 'atrium-relay'], { quiet: true });
if (build.code !== 0) throw new Error(build.output);
const pkg = await run('node', ['scripts/build-pkg.mjs', '--only', 'web'], { quiet: true });
if (pkg.code !== 0) throw new Error(pkg.output);

const env = {
  RUST_LOG: 'warn',
  RELAY_SIGNING_KEY: `bench-${Math.random()}-${Math.random()}-signing-key`,
  MX_API_KEY: 'sandbox-api-key',
  MX_CLIENT_ID: 'sandbox-client-id',
};
const bin = path.join(root, 'target/server/atrium-relay');
/** Pushes; serves the package and `/session`. */
export const relay = await startRelay(bin, ['--sandbox', '--addr', '127.0.0.1:0', '--rate-limit', '0'], {
  echo: false,
  extraEnv: env,
});
/** Polls: the same sandbox, no webhooks; accepts the first relay's tokens and page. */
export const polling = await startRelay(
  bin,
  ['--upstream', relay.sandbox, '--addr', '127.0.0.1:0', '--rate-limit', '0', '--allow-origin', relay.url],
  { echo: false, extraEnv: env },
);

const keys = { 'MX-API-Key': 'sandbox-api-key', 'MX-Client-ID': 'sandbox-client-id', 'Content-Type': 'application/json' };
/** A sandbox control or history call (POST with a body, GET without); its JSON, if any. */
export async function sandbox(p, body, method = body ? 'POST' : 'GET') {
  const r = await fetch(`${relay.sandbox}${p}`, { method, headers: keys, body: body && JSON.stringify(body) });
  const text = await r.text();
  return text ? JSON.parse(text) : null;
}

export async function stopRelays() {
  await relay.stop();
  await polling.stop();
}
