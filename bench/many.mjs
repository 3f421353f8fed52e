// Many flows at once on one page, in headless Chromium over plain HTTP/1.1 (about six
// connections per origin) at the sandbox's realistic speed: 8 and 25 connects started
// together (no MFA, one MFA question, DELAYED: 30 s), and meanwhile 20 reads of the page's
// own. For push and our polling: outcomes, status requests a flow, the delay to learn of each
// change, and how long the page's reads took. Prints a Markdown table.
import { chromium } from 'playwright-core';
import { connects } from './connects.mjs';
import { polling, relay, sandbox, stopRelays } from './relays.mjs';

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});

/** N connects at once through one client, and 20 page reads meanwhile; in a fresh page. */
async function runMany(strategy, n) {
  const page = await browser.newPage();
  await page.goto(`${relay.url}/healthz`);
  const out = await page.evaluate(
    async ({ strategy, pollingRelay, requests }) => {
      const { default: init, AtriumClient } = await import('/pkg/web/atrium_wasm.js');
      await init();
      const post = { method: 'POST', headers: { 'Content-Type': 'application/json' } };
      const session = await (await fetch('/session', { ...post, body: JSON.stringify({ name: `many-${strategy}-${requests.length}-${Math.random()}` }) })).json();
      const relayUrl = strategy === 'push' ? location.origin : pollingRelay;
      const client = new AtriumClient({ relayUrl, token: session.token, userGuid: session.user_guid });
      const flows = requests.map(({ member }) => {
        const seen = [];
        const flow = client.connect(member);
        flow.on('status', () => seen.push(Date.now()));
        const onChallenge = (challenges) => challenges.map((c) => ({ guid: c.guid, value: 'correct' }));
        return flow.run({ onChallenge }).then((r) => {
          seen.push(Date.now());
          return { outcome: r.outcome, error: r.error?.code ?? null, member: r.member?.guid ?? null, seen };
        });
      });
      const reads = [];
      await new Promise((r) => setTimeout(r, 1000));
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        try {
          await client.listInstitutions({ name: 'mx' });
          reads.push(performance.now() - t0);
        } catch (e) {
          reads.push(`${e.code} after ${Math.round(performance.now() - t0)} ms`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      return { user: session.user_guid, flows: await Promise.all(flows), reads };
    },
    { strategy, pollingRelay: polling.url, requests: await connects(sandbox, n) },
  );
  await page.close();
  const delays = [];
  const requests = [];
  for (const f of out.flows.filter((f) => f.member)) {
    const history = await sandbox(`/_sandbox/history/${out.user}/${f.member}`);
    requests.push(history.status_reads);
    for (const t of history.transitions.slice(1)) {
      const learned = f.seen.find((x) => x >= t.at_ms);
      if (learned !== undefined) delays.push(learned - t.at_ms);
    }
  }
  return { ...out, delays, requests };
}

const pct = (xs, p) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const lines = [
  '### Many flows at once on one page (plain HTTP/1.1, realistic sandbox speed; 20 page reads while they run)',
  '',
  '| flows | strategy | right outcome | status requests a flow | median delay ms | p95 delay ms | page read p50 ms | page read p95 ms | page reads failed |',
  '|---:|---|---:|---:|---:|---:|---:|---:|---:|',
];
await sandbox('/_sandbox/clock', { transition_scale: 1, transition_jitter: true });
let ok = true;
for (const n of [8, 25]) {
  for (const strategy of ['push', 'our polling']) {
    const r = await runMany(strategy, n);
    const right = r.flows.filter((f) => f.outcome === 'connected').length;
    const times = r.reads.filter((t) => typeof t === 'number');
    const failed = r.reads.filter((t) => typeof t !== 'number');
    ok &&= right === n && failed.length === 0;
    lines.push(
      `| ${n} | ${strategy} | ${right} of ${n} | ${mean(r.requests).toFixed(1)} | ${pct(r.delays, 50).toFixed(0)} | ` +
        `${pct(r.delays, 95).toFixed(0)} | ${pct(times, 50).toFixed(0)} | ${pct(times, 95).toFixed(0)} | ${failed.length}${failed.length ? ` (${failed[0]})` : ''} |`,
    );
  }
}
await sandbox('/_sandbox/clock', { transition_scale: 1, transition_jitter: false });
await browser.close();
await stopRelays();
lines.push(
  '',
  'One client per page: push holds one event stream for all its flows, and at most two status reads are in flight at once (paced at 3 a second after a burst of 10), so the page keeps at least three of its six connections.',
  '',
);
console.log(lines.join('\n'));
if (!ok) process.exitCode = 1;
