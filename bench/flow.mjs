// The flow benchmark, in headless Chromium at the sandbox's realistic speed: push, our polling
// schedule against naive fixed loops of 1 s and 3 s (MX's widget polls every 3 s). For each
// change the sandbox makes (its own record, /_sandbox/history), the delay until each
// strategy learned of it; and how many status requests each made. Prints a Markdown table.
import { chromium } from 'playwright-core';
import { polling, relay, sandbox, stopRelays } from './relays.mjs';

const REPEATS = Number(process.env.BENCH_FLOW_REPEATS ?? 3);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const page = await browser.newPage();
// Not the demo page: its CSP allows requests to its own origin only, and the polling flows
// talk to the second relay.
await page.goto(`${relay.url}/healthz`);
await page.evaluate(async () => {
  const mod = await import('/pkg/web/atrium_wasm.js');
  await mod.default();
  window.atrium = mod;
});

/** Runs one strategy on a fresh user in the page; returns what it saw and when. */
function runStrategy(strategy, password, answers) {
  return page.evaluate(
    async ({ strategy, password, answers, pollingRelay }) => {
      const { AtriumClient } = window.atrium;
      const session = await (await fetch('/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: `flow-${strategy}-${Math.random()}` }) })).json();
      const relayUrl = strategy === 'our polling' ? pollingRelay : location.origin;
      const client = new AtriumClient({ relayUrl, token: session.token, userGuid: session.user_guid });
      const member = {
        institution_code: 'mxbank',
        credentials: [
          { guid: 'CRD-9f61fb4c-912c-bd1e-b175-ccc7f0275cc1', value: 'test_atrium' },
          { guid: 'CRD-e3d7ea81-aac7-05e9-fbdd-4b493c6e474d', value: password },
        ],
      };
      const seen = [];
      let round = 0;
      const reply = (challenges) => challenges.map((c) => ({ guid: c.guid, value: answers[round++] ?? 'correct' }));
      if (strategy === 'push' || strategy === 'our polling') {
        const flow = client.connect(member);
        flow.on('status', () => seen.push(Date.now()));
        const result = await flow.run({ onChallenge: reply });
        seen.push(Date.now());
        if (!result.member) throw new Error(`${strategy}: ${result.outcome} ${result.error?.code} ${result.error?.message}`);
        return { user: session.user_guid, member: result.member.guid, seen, outcome: result.outcome };
      }
      const every = strategy === 'loop 1 s' ? 1000 : 3000;
      const created = await client.createMember(member);
      seen.push(Date.now());
      for (let i = 0; i < 1000; i++) {
        await new Promise((r) => setTimeout(r, every));
        const st = await client.readMemberStatus(created.guid);
        seen.push(Date.now());
        if (st.connection_status === 'CHALLENGED' && st.challenges) {
          await client.resumeMember(created.guid, reply(st.challenges));
        } else if (!st.is_being_aggregated && !['CREATED', 'UPDATED', 'RESUMED', 'DELAYED', 'CHALLENGED'].includes(st.connection_status)) {
          return { user: session.user_guid, member: created.guid, seen, outcome: st.connection_status };
        }
      }
      throw new Error('never ended');
    },
    { strategy, password, answers, pollingRelay: polling.url },
  );
}

const STRATEGIES = ['push', 'our polling', 'loop 1 s', 'loop 3 s'];
const SCENARIOS = [
  { name: 'no MFA', password: 'password', answers: [], scale: 1, repeats: REPEATS },
  { name: 'one MFA round', password: 'options', answers: ['correct'], scale: 1, repeats: REPEATS },
  { name: 'two MFA rounds', password: 'challenge', answers: ['challenge', 'correct'], scale: 1, repeats: REPEATS },
  { name: '60-second aggregation', password: 'DELAYED', answers: [], scale: 2, repeats: 1 },
];
const stats = {}; // `${scenario}|${strategy}` -> { delays: [], requests: [] }
for (const sc of SCENARIOS) {
  // Irregular steps, as a real server's: fixed 1 s steps would favour a loop that happens to
  // poll in step with them.
  await sandbox('/_sandbox/clock', { transition_scale: sc.scale, transition_jitter: true });
  for (let r = 0; r < sc.repeats; r++) {
    const runs = await Promise.all(STRATEGIES.map((s) => runStrategy(s, sc.password, sc.answers)));
    for (const [i, s] of STRATEGIES.entries()) {
      const { user, member, seen } = runs[i];
      const history = await sandbox(`/_sandbox/history/${user}/${member}`);
      const key = `${sc.name}|${s}`;
      stats[key] ??= { delays: [], requests: [] };
      stats[key].requests.push(history.status_reads);
      // Every change after the creation: how long until the strategy next learned something.
      for (const t of history.transitions.slice(1)) {
        const learned = seen.find((x) => x >= t.at_ms);
        if (learned !== undefined) stats[key].delays.push(learned - t.at_ms);
      }
    }
  }
}
await sandbox('/_sandbox/clock', { transition_scale: 1, transition_jitter: false });
await browser.close();
await stopRelays();

const pct = (xs, p) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const lines = [
  `### Flows: delay to learn of each change, and status requests (realistic sandbox speed; ${REPEATS} runs of the short scenarios)`,
  '',
  '| scenario | strategy | median delay ms | p95 delay ms | status requests |',
  '|---|---|---:|---:|---:|',
];
const all = Object.fromEntries(STRATEGIES.map((s) => [s, { delays: [], requests: [] }]));
for (const sc of SCENARIOS) {
  for (const s of STRATEGIES) {
    const x = stats[`${sc.name}|${s}`];
    all[s].delays.push(...x.delays);
    all[s].requests.push(...x.requests);
    lines.push(`| ${sc.name} | ${s} | ${pct(x.delays, 50).toFixed(0)} | ${pct(x.delays, 95).toFixed(0)} | ${mean(x.requests).toFixed(1)} |`);
  }
}
const push = all.push;
const ours = all['our polling'];
const median = (x) => pct(x.delays, 50);
const pushFast = median(push) < 100;
const pushFew = mean(push.requests) <= 3;
const fewer = mean(ours.requests) < mean(all['loop 3 s'].requests);
const faster = median(ours) <= median(all['loop 1 s']);
lines.push(
  '',
  `All scenarios: push ${mean(push.requests).toFixed(1)} status requests a flow, median delay ${median(push).toFixed(0)} ms, ` +
    `p95 ${pct(push.delays, 95).toFixed(0)} ms. Goal: median under 100 ms (${pushFast ? 'met' : 'not met'}) with at most 3 ` +
    `requests a flow (${pushFew ? 'met' : 'not met'}). Push flows share one event stream per client (reopened after a break).`,
  '',
  `Our polling alone: ${mean(ours.requests).toFixed(1)} requests a flow (3 s loop: ${mean(all['loop 3 s'].requests).toFixed(1)}), ` +
    `median delay ${median(ours).toFixed(0)} ms (1 s loop: ${median(all['loop 1 s']).toFixed(0)} ms): fewer requests than ` +
    `the 3 s loop ${fewer ? 'met' : 'not met'}, a median no worse than the 1 s loop ${faster ? 'met' : 'not met'}.`,
  '',
);
console.log(lines.join('\n'));
