// `npm run pack`: builds the package (both targets) and packs it into target/pack/; prints
// the tarball's path on its last line.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { root, run } from './lib.mjs';

const build = await run('node', ['scripts/build-pkg.mjs', ...process.argv.slice(2)]);
if (build.code !== 0) process.exit(build.code);
const dest = path.join(root, 'target', 'pack');
mkdirSync(dest, { recursive: true });
const packed = await run('npm', ['pack', '--json', '--pack-destination', dest, './pkg'], { quiet: true });
if (packed.code !== 0) {
  console.error(packed.output);
  process.exit(packed.code);
}
const [info] = JSON.parse(packed.output.slice(packed.output.indexOf('[')));
console.log(`${info.files.length} files, ${info.size} bytes packed, ${info.unpackedSize} unpacked`);
console.log(path.join(dest, info.filename));
