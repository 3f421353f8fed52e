// 1,000 concurrent event streams on one relay: its memory and CPU with them open against the
// same relay idle (the baseline, measured in the same run), and how long a burst of changes
// takes to reach every stream. Prints a Markdown table. BENCH_STREAM_PROTOCOL=h2c opens them
// as a proxy speaking HTTP/2 to its backends would: many streams on a few connections.
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import path from 'node:path';
import { root, run, startRelay } from '../scripts/lib.mjs';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 1000);
const USERS = 100; // the sandbox's limit, as vestibule's
const PER_USER = Math.ceil(STREAMS / USERS);
const SECONDS = Number(process.env.BENCH_STREAM_SECONDS ?? 10);
const H2C = process.env.BENCH_STREAM_PROTOCOL === 'h2c';
/** h2c: connections a proxy would hold to the relay, the streams spread over them: 100 a
 * connection, within hyper's default of 200 concurrent streams (a proxy opens more beyond). */
const H2_CONNECTIONS = Math.ceil(STREAMS / 100);
/** The relay's bound on upstream calls in flight (`--max-upstream`), so its pool's. */
const MAX_UPSTREAM = 64;

const build = await run('cargo', ['build', '--profile', 'server', '-p', 'atrium-relay'], { quiet: true });
if (build.code !== 0) throw new Error(build.output);
const relay = await startRelay(
  path.join(root, 'target/server/atrium-relay'),
  ['--sandbox', '--addr', '127.0.0.1:0', '--rate-limit', '0', '--max-streams-per-user', String(PER_USER), '--max-upstream', String(MAX_UPSTREAM)],
  { echo: false, extraEnv: { RUST_LOG: 'warn' } },
);
const pid = relay.child.pid;
const keys = { 'MX-API-Key': 'sandbox-api-key', 'MX-Client-ID': 'sandbox-client-id', 'Content-Type': 'application/json' };
await fetch(`${relay.sandbox}/_sandbox/clock`, { method: 'POST', headers: keys, body: JSON.stringify({ transition_scale: 0 }) });

const rssKiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
/** CPU seconds the relay process has used (user + system; 100 ticks a second on Linux). */
const cpuSeconds = () => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
async function cpuShare(seconds) {
  const c0 = cpuSeconds();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return ((cpuSeconds() - c0) / seconds) * 100;
}

const json = (body) => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const users = [];
for (let i = 0; i < USERS; i++) {
  const session = await (await fetch(`${relay.url}/session`, json({ name: `streams-${i}` }))).json();
  const auth = { Authorization: `Bearer ${session.token}`, 'Content-Type': 'application/json' };
  const created = await fetch(`${relay.url}/atrium/users/${session.user_guid}/members`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({
      member: {
        institution_code: 'mxbank',
        skip_aggregation: true,
        credentials: [
          { guid: 'CRD-9f61fb4c-912c-bd1e-b175-ccc7f0275cc1', value: 'test_atrium' },
          { guid: 'CRD-e3d7ea81-aac7-05e9-fbdd-4b493c6e474d', value: 'password' },
        ],
      },
    }),
  });
  const member = (await created.json()).member.guid;
  users.push({ ...session, member, auth });
}

// Each opening stream reads its user's members upstream; 1,000 at once fill the relay's
// upstream pool (and, here, the embedded sandbox's side of it) to its bound, which does not
// grow with streams. A burst of reads as wide as that bound fills it before the baseline,
// so that the difference is the streams' own.
await Promise.all(
  Array.from({ length: MAX_UPSTREAM * 2 }, (_, i) => {
    const u = users[i % users.length];
    return fetch(`${relay.url}/atrium/users/${u.user_guid}/members`, { headers: u.auth }).then((r) => r.arrayBuffer());
  }),
);
await new Promise((r) => setTimeout(r, 1000));
const rssIdle = rssKiB();
const cpuIdle = await cpuShare(SECONDS);

const sessions = H2C ? Array.from({ length: H2_CONNECTIONS }, () => http2.connect(relay.url)) : [];
let opened = 0;

/** The stream's body as a reader of text: over HTTP/1.1 (fetch), or an h2c stream. */
async function open(user, signal) {
  const path = `/atrium/users/${user.user_guid}/events`;
  if (!H2C) {
    const r = await fetch(`${relay.url}${path}`, {
      headers: { Authorization: user.auth.Authorization, Accept: 'text/event-stream' },
      signal,
    });
    if (r.status !== 200) throw new Error(`stream: HTTP ${r.status}`);
    return r.body.pipeThrough(new TextDecoderStream()).getReader();
  }
  const session = sessions[opened++ % sessions.length];
  const req = session.request({ ':path': path, authorization: user.auth.Authorization, accept: 'text/event-stream' }, { signal });
  const status = await new Promise((resolve, reject) => {
    req.on('response', (h) => resolve(h[':status']));
    req.on('error', reject);
  });
  if (status !== 200) throw new Error(`stream: HTTP ${status}`);
  req.setEncoding('utf8');
  const chunks = req[Symbol.asyncIterator]();
  return { read: async () => chunks.next() };
}

/** One stream: resolves `open` at its first event, records when a pushed change arrives. */
function stream(user) {
  const controller = new AbortController();
  const s = { controller, pushedAt: null };
  s.open = (async () => {
    const reader = await open(user, controller.signal);
    let text = '';
    let opened;
    const first = new Promise((resolve) => (opened = resolve));
    (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          text += value;
          if (text.includes('"current":true')) opened();
          // A pushed status (a webhook's), after the current one (which says `current`).
          if (s.pushedAt === null && /event: status\ndata: \{"connection_status":"[A-Z]+","member_guid"/.test(text)) s.pushedAt = performance.now();
        }
      } catch {
        // aborted at the end
      }
    })();
    await first;
  })();
  return s;
}

const streams = users.flatMap((u) => Array.from({ length: PER_USER }, () => stream(u)));
await Promise.all(streams.map((s) => s.open));
await new Promise((r) => setTimeout(r, 1000));
const rssOpen = rssKiB();
const cpuOpen = await cpuShare(SECONDS);

// A burst: every member aggregated at once; each change reaches its member's streams.
const t0 = performance.now();
await Promise.all(users.map((u) => fetch(`${relay.url}/atrium/users/${u.user_guid}/members/${u.member}/aggregate`, { method: 'POST', headers: u.auth })));
for (let i = 0; i < 200 && streams.some((s) => s.pushedAt === null); i++) await new Promise((r) => setTimeout(r, 25));
const delays = streams.filter((s) => s.pushedAt !== null).map((s) => s.pushedAt - t0).sort((a, b) => a - b);
const heard = delays.length;
for (const s of streams) s.controller.abort();
for (const session of sessions) session.destroy();
await relay.stop();

const mib = (k) => (k / 1024).toFixed(1);
const pctl = (p) => delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))] ?? NaN;
console.log(
  [
    `### Event streams: ${STREAMS.toLocaleString('en-US')} open on one relay${H2C ? `, over h2c (${H2_CONNECTIONS} HTTP/2 connections, as from a proxy)` : ' (HTTP/1.1, one connection each)'} (${USERS} users × ${PER_USER}; ${SECONDS} s measurements)`,
    '',
    '| measurement | with streams | baseline: same relay, no stream, upstream pool filled | difference |',
    '|---|---:|---:|---:|',
    `| resident memory | ${mib(rssOpen)} MiB | ${mib(rssIdle)} MiB | +${((rssOpen - rssIdle) / STREAMS).toFixed(1)} KiB a stream |`,
    `| CPU, streams open and quiet (heartbeats only) | ${cpuOpen.toFixed(1)} % of a core | ${cpuIdle.toFixed(1)} % | ${(cpuOpen - cpuIdle).toFixed(1)} points |`,
    '',
    `A burst of ${USERS} aggregations at once: ${heard} of ${STREAMS} streams heard their member's change; from the requests to each stream's pushed event, median ${pctl(50).toFixed(0)} ms, p95 ${pctl(95).toFixed(0)} ms, last ${delays.at(-1)?.toFixed(0)} ms (the sandbox reports changes every 20 ms).`,
    '',
  ].join('\n'),
);
if (heard !== STREAMS) process.exitCode = 1;
