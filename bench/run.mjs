// `npm run bench`: every benchmark, one Markdown report on stdout, also written into
// BENCHMARKS.md between its report markers (the notes around them stay).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { root, run } from '../scripts/lib.mjs';

const setup = await run('bash', ['bench/setup.sh']);
if (setup.code !== 0) process.exit(setup.code);
const parts = [`Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on this machine (${(await import('node:os')).cpus().length} cores), \`npm run bench\`.`];
let failed = 0;
for (const [script, args, extraEnv = {}] of [
  ['bench/client.mjs', []],
  ['bench/flow.mjs', []],
  ['bench/many.mjs', []],
  ['bench/streams.mjs', []],
  ['bench/streams.mjs', [], { BENCH_STREAM_PROTOCOL: 'h2c' }],
  ['bench/streams.mjs', [], { BENCH_STREAMS: '10000' }],
  ['bench/streams.mjs', [], { BENCH_STREAMS: '10000', BENCH_STREAM_PROTOCOL: 'h2c' }],
  ['bench/relay.mjs', [process.env.BENCH_SECONDS ?? '10']],
  ['bench/faults.mjs', []],
]) {
  const { code, output } = await run('node', [script, ...args], { extraEnv });
  failed ||= code;
  parts.push(code === 0 ? output.trim() : `### ${script}\n\nFailed (exit ${code}).`);
}
const report = parts.join('\n\n');
const file = path.join(root, 'BENCHMARKS.md');
const doc = readFileSync(file, 'utf8');
const [open, close] = ['<!-- report -->', '<!-- /report -->'];
const from = doc.indexOf(open);
const to = doc.indexOf(close);
if (from < 0 || to < from) {
  console.error(`BENCHMARKS.md has no ${open} … ${close} markers; the report was not written`);
  process.exit(1);
}
writeFileSync(file, `${doc.slice(0, from + open.length)}\n${report}\n${doc.slice(to)}`);
console.log(`\n(report written into ${path.relative(process.cwd(), file)})`);
process.exit(failed);
