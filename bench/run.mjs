// `npm run bench`: every benchmark, one Markdown report on stdout.
import { run } from '../scripts/lib.mjs';

const setup = await run('bash', ['bench/setup.sh']);
if (setup.code !== 0) process.exit(setup.code);
console.log(`# atrium-wasm benchmarks (${new Date().toISOString().slice(0, 10)})\n`);
let failed = 0;
for (const [script, args] of [
  ['bench/client.mjs', []],
  ['bench/flow.mjs', []],
  ['bench/relay.mjs', [process.env.BENCH_SECONDS ?? '10']],
]) {
  const { code } = await run('node', [script, ...args]);
  failed ||= code;
}
process.exit(failed);
