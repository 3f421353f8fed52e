// Load with faults (not in npm test; `npm run bench:faults`): 1,000 flows (no MFA, one MFA
// question, DELAYED) driven by the library in headless Chromium, 25 a browser context (each its
// own client, one event stream, six connections), through two relays behind nginx with one
// Redis and the sandbox's webhooks. Mid-run one relay is killed and restarted, then Redis.
// Prints a Markdown table: right outcomes, stuck, duplicated members, wrong states, delays.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { freePort, root, run, startRedis, startRelay } from '../scripts/lib.mjs';
import { connects } from './connects.mjs';

const FLOWS = Number(process.env.BENCH_FAULT_FLOWS ?? 1000);
const PER_CONTEXT = 25; // Atrium's members a user
const KEY = 'faults-key';
const CLIENT = 'faults-client';
const SECRET = `faults-webhook-${Math.random()}`;
const SIGNING = `faults-signing-key-${Math.random()}-${Math.random()}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

for (const [cmd, args] of [
  ['cargo', ['build', '--profile', 'server', '-p', 'atrium-relay', '-p', 'atrium-sandbox']],
  ['node', ['scripts/build-pkg.mjs', '--only', 'web']],
]) {
  const r = await run(cmd, args, { quiet: true });
  if (r.code !== 0) throw new Error(r.output);
}
const bin = (name) => path.join(root, 'target/server', name);
const dir = mkdtempSync(path.join(tmpdir(), 'atrium-faults-'));
const [redisPort, sandboxPort, nginxPort, portA, portB] = await Promise.all([1, 2, 3, 4, 5].map(() => freePort()));

async function listening(port) {
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`);
      return;
    } catch {
      await sleep(25);
    }
  }
  throw new Error(`nothing on ${port}`);
}
let redis = await startRedis(redisPort);
const sandbox = spawn(bin('atrium-sandbox'), ['--addr', `127.0.0.1:${sandboxPort}`, '--api-key', KEY, '--client-id', CLIENT,
  '--webhook-url', `http://127.0.0.1:${nginxPort}/webhooks/atrium`, '--webhook-secret', SECRET], { stdio: 'ignore', env: { RUST_LOG: 'warn' } });
const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
await listening(sandboxPort);

const relayEnv = { RUST_LOG: 'warn', MX_API_KEY: KEY, MX_CLIENT_ID: CLIENT, RELAY_SIGNING_KEY: SIGNING, RELAY_WEBHOOK_SECRET: SECRET };
const startOne = (port) =>
  startRelay(bin('atrium-relay'), ['--upstream', sandboxUrl, '--addr', `127.0.0.1:${port}`, '--rate-limit', '0', '--redis', redis.url], { echo: false, extraEnv: relayEnv });
let relayA = await startOne(portA);
let relayB = await startOne(portB);

writeFileSync(
  path.join(dir, 'nginx.conf'),
  `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log crit;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir};
  proxy_temp_path ${dir};
  upstream relays { server 127.0.0.1:${portA} max_fails=0; server 127.0.0.1:${portB} max_fails=0; keepalive 64; }
  server {
    listen 127.0.0.1:${nginxPort};
    location / {
      proxy_pass http://relays;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 1h;
      proxy_next_upstream error timeout;
    }
  }
}
`,
);
const nginx = spawn('nginx', ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
await listening(nginxPort);
const front = `http://127.0.0.1:${nginxPort}`;

const keys = { 'MX-API-Key': KEY, 'MX-Client-ID': CLIENT, 'Content-Type': 'application/json' };
const sb = async (p, body) => (await fetch(`${sandboxUrl}${p}`, { method: body ? 'POST' : 'GET', headers: keys, body: body && JSON.stringify(body) })).json();
await sb('/_sandbox/clock', { transition_scale: 1, transition_jitter: true });

/** An HS256 relay token as a partner's backend mints one, with nothing but node:crypto. */
function mint(sub) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const signed = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, exp: Math.floor(Date.now() / 1000) + 3600 })}`;
  return `${signed}.${createHmac('sha256', SIGNING).update(signed).digest('base64url')}`;
}

const contexts = Math.ceil(FLOWS / PER_CONTEXT);
const users = [];
for (let i = 0; i < contexts; i++) {
  const { user } = await sb('/users', { user: { identifier: `faults-${i}-${Date.now()}` } });
  users.push({ guid: user.guid, token: mint(user.guid), flows: Math.min(PER_CONTEXT, FLOWS - i * PER_CONTEXT) });
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});

const requests = await connects(sb, PER_CONTEXT);
let flowsStarted = 0;
/** One context's flows: its own client and token; what each ended as. */
async function drive(user) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.exposeFunction('flowStarted', () => {
    flowsStarted += 1;
  });
  await page.goto(`${front}/healthz`);
  const out = await page.evaluate(async ({ user, requests }) => {
    const { default: init, AtriumClient } = await import('/pkg/web/atrium_wasm.js');
    await init();
    const client = new AtriumClient({ relayUrl: location.origin, token: user.token, userGuid: user.guid });
    return Promise.all(
      requests.map(async ({ kind, member }) => {
        const seen = [];
        const t0 = Date.now();
        window.flowStarted();
        const flow = client.connect(member, { timeoutMs: 240000 });
        flow.on('status', () => seen.push(Date.now()));
        try {
          const r = await flow.run({ onChallenge: (cs) => cs.map((c) => ({ guid: c.guid, value: 'correct' })) });
          return { kind, outcome: r.outcome, error: r.error ? [r.error.code, r.error.status, r.error.relayCode, r.error.message].filter((x) => x !== null && x !== undefined && x !== '').join(' ') : null, member: r.member?.guid ?? null, seen, t0, t1: Date.now() };
        } catch (e) {
          return { kind, outcome: 'threw', error: e.code ?? String(e), member: null, seen, t0, t1: Date.now() };
        }
      }),
    );
  }, { user, requests: requests.slice(0, user.flows) });
  await context.close();
  return out.map((f) => ({ ...f, user: user.guid }));
}

const rss = (child) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return NaN;
  }
};
const events = [];
const started = Date.now();
const at = () => ((Date.now() - started) / 1000).toFixed(1);
const faultTimes = [];
/** Notes a fault; how many flows it hit is counted at the end. */
const fault = (what) => {
  faultTimes.push(Date.now());
  events.push(`${at()} s: ${what} [#${faultTimes.length - 1}]`);
};
const faults = (async () => {
  // The faults land while nearly every flow runs (contexts take a while to load the package).
  while (flowsStarted < FLOWS * 0.9) await sleep(100);
  await sleep(2000);
  relayB.child.kill('SIGKILL');
  fault('relay B killed (SIGKILL)');
  await sleep(3000);
  relayB = await startOne(portB);
  fault('relay B restarted');
  await sleep(5000);
  redis.child.kill('SIGKILL');
  fault('Redis killed (its event counter and channel lost)');
  await sleep(3000);
  redis = await startRedis(redisPort);
  fault('Redis restarted, empty');
})();
const memory = [];
const sampler = setInterval(() => memory.push(rss(relayA.child) + rss(relayB.child)), 1000);
const flows = (await Promise.all(users.map(drive))).flat();
await faults;
clearInterval(sampler);
const took = (Date.now() - started) / 1000;

// What the sandbox holds: every member of every user, against the flows that made them.
let duplicated = 0;
let wrong = 0;
const byMember = new Map(flows.filter((f) => f.member).map((f) => [f.member, f]));
for (const user of users) {
  const { members } = await sb(`/users/${user.guid}/members?records_per_page=100`);
  const ours = flows.filter((f) => f.user === user.guid).length;
  duplicated += Math.max(0, members.length - ours);
  for (const m of members) {
    const f = byMember.get(m.guid);
    if (!f) continue;
    if ((f.outcome === 'connected') !== (m.connection_status === 'CONNECTED')) wrong += 1;
  }
}
const delays = [];
for (const f of flows.filter((f) => f.member)) {
  const history = await sb(`/_sandbox/history/${f.user}/${f.member}`);
  for (const t of history.transitions.slice(1)) {
    const learned = f.seen.find((x) => x >= t.at_ms);
    if (learned !== undefined) delays.push(learned - t.at_ms);
  }
}
await browser.close();
for (const p of [relayA, relayB]) await p.stop();
for (const p of [sandbox, nginx]) p.kill();
redis.stop();

const inFlight = faultTimes.map((t) => flows.filter((f) => f.t0 <= t && t <= f.t1).length);
const hit = events.map((e) => e.replace(/ \[#(\d+)\]/, (_, i) => ` (${inFlight[i]} flows running)`));
const right = flows.filter((f) => f.outcome === 'connected').length;
const stuck = flows.filter((f) => f.outcome === 'timed_out').length;
const failed = flows.filter((f) => !['connected', 'timed_out'].includes(f.outcome));
const pct = (xs, p) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const reasons = {};
for (const f of failed) reasons[`${f.kind}: ${f.outcome}/${f.error}`] = (reasons[`${f.kind}: ${f.outcome}/${f.error}`] ?? 0) + 1;
console.log(
  [
    `### Load with faults: ${FLOWS.toLocaleString('en-US')} flows through two relays behind nginx, one Redis, the sandbox's webhooks (${contexts} browser contexts × ${PER_CONTEXT}; realistic sandbox speed)`,
    '',
    '| flows | right outcome | stuck (timed out) | other outcomes | duplicated members | wrong states | delay p50 ms | delay p99 ms | relays\' memory, peak | run |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${FLOWS} | ${right} | ${stuck} | ${failed.length} | ${duplicated} | ${wrong} | ${pct(delays, 50).toFixed(0)} | ${pct(delays, 99).toFixed(0)} | ${Math.max(...memory.filter(Number.isFinite)).toFixed(1)} MiB | ${took.toFixed(0)} s |`,
    '',
    `Faults: ${hit.join('; ')}.${failed.length ? ` Other outcomes: ${Object.entries(reasons).map(([k, v]) => `${v} × ${k}`).join(', ')}.` : ''}`,
    '',
  ].join('\n'),
);
if (right !== FLOWS || duplicated || wrong) process.exitCode = 1;
