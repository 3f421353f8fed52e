// The relay benchmark: the same request straight to the sandbox, through nginx configured as
// a plain reverse proxy adding the key pair, through the floor (the least a hyper proxy does:
// relay/examples/floor.rs) and through the relay (a thread per core, and one shared runtime);
// all in one run, in interleaved rounds so that the machine's drift touches every target
// alike. Prints a Markdown table of medians.
// Usage: node bench/relay.mjs [seconds a run] [rounds]
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, median, root, run, startRelay } from '../scripts/lib.mjs';

const seconds = Number(process.argv[2] ?? 10);
const rounds = Number(process.argv[3] ?? process.env.BENCH_ROUNDS ?? 5);
const KEY = 'bench-key';
const CLIENT = 'bench-client';
const QUERY = '/institutions?name=mx';

function started(child, pattern) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const look = (c) => {
      seen += c;
      const m = pattern.exec(seen);
      if (m) resolve(m[1]);
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.on('close', (code) => reject(new Error(`exited ${code}: ${seen}`)));
  });
}

/** Runs wrk and reads requests/s and the p50/p99 latencies (ms) from its report. */
async function wrk(url, headers, duration = seconds) {
  const args = ['-t2', '-c32', `-d${duration}s`, '--latency', ...headers.flatMap((h) => ['-H', h]), url];
  const { code, output } = await run('wrk', args, { quiet: true });
  if (code !== 0) throw new Error(`wrk failed: ${output}`);
  const ms = (label) => {
    const m = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(output);
    if (!m) throw new Error(`no ${label}% in wrk's report:\n${output}`);
    return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]];
  };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? '0';
  if (errors !== '0') throw new Error(`${errors} failed responses from ${url}:\n${output}`);
  return { rps, p50: ms('50'), p99: ms('99') };
}

const build = await run(
  'cargo',
  ['build', '--profile', 'server', '-p', 'atrium-relay', '-p', 'atrium-sandbox', '--bins', '--example', 'floor'],
  { quiet: true },
);
if (build.code !== 0) {
  console.error(build.output);
  process.exit(1);
}
const bin = (name) => path.join(root, 'target/server', name);
const env = { ...process.env, RUST_LOG: 'warn' };

const sandboxPort = await freePort();
const sandbox = spawn(bin('atrium-sandbox'), ['--addr', `127.0.0.1:${sandboxPort}`, '--api-key', KEY, '--client-id', CLIENT], { env });
const sandboxUrl = await started(sandbox, /listening on (http:\/\/[0-9.:]+)/);

const relayEnv = {
  MX_API_KEY: KEY,
  MX_CLIENT_ID: CLIENT,
  RELAY_SIGNING_KEY: 'bench-signing-key-of-at-least-32-bytes',
  RUST_LOG: 'warn',
};
const relayArgs = ['--upstream', sandboxUrl, '--addr', '127.0.0.1:0', '--rate-limit', '0'];
// The default (a thread per core, as nginx's workers) and the one work-stealing runtime.
const relay = await startRelay(bin('atrium-relay'), relayArgs, { echo: false, extraEnv: relayEnv });
const shared = await startRelay(bin('atrium-relay'), [...relayArgs, '--workers', 'shared'], {
  echo: false,
  extraEnv: relayEnv,
});
const minted = await run(bin('atrium-relay'), ['mint-token', '--user-guid', 'USR-bench', '--ttl', '1h'], {
  quiet: true,
  extraEnv: relayEnv,
});
const token = minted.output.trim().split('\n').pop();

const nginxPort = await freePort();
const dir = mkdtempSync(path.join(tmpdir(), 'atrium-bench-nginx-'));
writeFileSync(
  path.join(dir, 'nginx.conf'),
  `daemon off;
worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir};
  proxy_temp_path ${dir};
  upstream sandbox { server 127.0.0.1:${sandboxPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${nginxPort};
    location /atrium/ {
      proxy_pass http://sandbox/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header MX-API-Key ${KEY};
      proxy_set_header MX-Client-ID ${CLIENT};
      proxy_set_header Accept application/vnd.mx.atrium.v1+json;
    }
  }
}
`,
);
const nginx = spawn('nginx', ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { env });
const floor = spawn(path.join(root, 'target/server/examples/floor'), ['127.0.0.1:0', sandboxUrl], { env });
const floorUrl = await started(floor, /listening on (http:\/\/[0-9.:]+)/).catch(async (e) => {
  await Promise.all([relay.stop(), shared.stop()]);
  for (const child of [sandbox, nginx]) child.kill();
  throw e;
});
await new Promise((r) => setTimeout(r, 500));
const nginxUrl = `http://127.0.0.1:${nginxPort}`;

const targets = [
  ['sandbox, direct (baseline)', `${sandboxUrl}${QUERY}`, [`MX-API-Key: ${KEY}`, `MX-Client-ID: ${CLIENT}`]],
  ['nginx → sandbox', `${nginxUrl}/atrium${QUERY}`, []],
  ['floor: bare hyper proxy → sandbox', `${floorUrl}/atrium${QUERY}`, []],
  ['atrium-relay → sandbox', `${relay.url}/atrium${QUERY}`, [`Authorization: Bearer ${token}`]],
  ['atrium-relay --workers shared → sandbox', `${shared.url}/atrium${QUERY}`, [`Authorization: Bearer ${token}`]],
];
const runs = Object.fromEntries(targets.map(([name]) => [name, []]));
try {
  for (const [, url, headers] of targets) await wrk(url, headers, 2); // warm-up: connections and caches hot
  for (let round = 0; round < rounds; round++) {
    for (const [name, url, headers] of targets) runs[name].push(await wrk(url, headers));
  }
} finally {
  await Promise.all([relay.stop(), shared.stop()]);
  for (const child of [sandbox, nginx, floor]) child.kill();
}

const results = Object.fromEntries(
  targets.map(([name]) => {
    const r = runs[name];
    const per = (k) => median(r.map((x) => x[k]));
    // Each round's ratio to nginx's run of the same round, then their median.
    const ratio = median(r.map((x, i) => x.rps / runs['nginx → sandbox'][i].rps));
    return [name, { rps: per('rps'), p50: per('p50'), p99: per('p99'), ratio }];
  }),
);
const base = results['nginx → sandbox'];
const fmt = (n, d = 2) => n.toFixed(d);
const lines = [
  `### Relay throughput and latency (GET ${QUERY}, wrk -t2 -c32 -d${seconds}s, medians of ${rounds} interleaved rounds, one machine, 2 cores)`,
  '',
  '| target | requests/s | p50 ms | p99 ms | throughput vs nginx (median of the rounds\' ratios) | p99 − nginx p99 |',
  '|---|---:|---:|---:|---:|---:|',
  ...targets.map(([name]) => {
    const r = results[name];
    return `| ${name} | ${fmt(r.rps, 0)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.ratio)}× | ${fmt(r.p99 - base.p99)} ms |`;
  }),
  '',
];
const relayR = results['atrium-relay → sandbox'];
lines.push(
  `Goal: relay ≥ 0.8× nginx's throughput (${fmt(relayR.ratio)}×: ${relayR.ratio >= 0.8 ? 'met' : 'not met'}), ` +
    `p99 within 2 ms of nginx's (${fmt(relayR.p99 - base.p99)} ms: ${relayR.p99 - base.p99 <= 2 ? 'met' : 'not met'}).`,
);
console.log(lines.join('\n'));
