// `npm start` after the bootstrap: build the package, then serve the demo with the relay and
// its embedded sandbox on http://127.0.0.1:8080 (ADDR overrides) until Ctrl-C.
import path from 'node:path';
import { root, run, startRelay } from './lib.mjs';

const addr = process.env.ADDR ?? '127.0.0.1:8080';
for (const [cmd, args] of [
  ['node', ['scripts/build-pkg.mjs', '--only', 'web']],
  ['cargo', ['build', '-p', 'atrium-relay']],
]) {
  const { code } = await run(cmd, args);
  if (code !== 0) process.exit(code);
}
const relay = await startRelay(path.join(root, 'target/debug/atrium-relay'), ['--sandbox', '--addr', addr]);
console.log(`\nThe demo is served on ${relay.url}/ (Ctrl-C stops it)`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await relay.stop();
    process.exit(0);
  });
}
relay.child.on('close', (code) => process.exit(code ?? 1));
