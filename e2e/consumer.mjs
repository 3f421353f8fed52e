// Scratch consumer projects that install with nothing but what the bootstrap's `npm ci` left
// in the npm cache. That cache holds tarballs, not the registry's documents a bare
// `npm install vite` would ask for, so each project gets a lockfile cut from the workspace's
// own (every package it needs, with its integrity) and `npm ci --offline` takes the tarballs
// from the cache. The package under test is then added as a user adds it: `npm install <tarball>`.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { root, run } from '../scripts/lib.mjs';

const workspace = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
const devDependencies = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).devDependencies;

/** Where `name` resolves from the package at `from` (Node's rule: nearest node_modules up). */
function locate(from, name) {
  for (let dir = from; ; ) {
    const key = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (workspace.packages[key]) return key;
    if (!dir) return null;
    const up = dir.lastIndexOf('/node_modules/');
    dir = up < 0 ? '' : dir.slice(0, up);
  }
}

/**
 * The workspace lockfile's entries that `names` need, with everything they depend on. Every
 * name must be a devDependency of the workspace: that is what puts it in the cache.
 */
export function lockfileFor(projectName, names) {
  const wanted = {};
  for (const name of names) {
    assert.ok(devDependencies[name], `${name} must be a devDependency of the workspace, so that the bootstrap caches it`);
    wanted[name] = devDependencies[name];
  }
  const packages = { '': { name: projectName, devDependencies: wanted } };
  const todo = names.map((n) => locate('', n));
  while (todo.length) {
    const key = todo.pop();
    if (key === null || packages[key]) continue;
    const entry = workspace.packages[key];
    packages[key] = entry;
    const deps = { ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies };
    // An optional peer the workspace does not have stays out, as npm leaves it out.
    for (const dep of Object.keys(deps)) todo.push(locate(key, dep));
  }
  return { name: projectName, lockfileVersion: 3, requires: true, packages };
}

async function sh(cwd, cmd, args) {
  const { code, output } = await run(cmd, args, { quiet: true, cwd });
  assert.equal(code, 0, `${cmd} ${args.join(' ')} in ${cwd}:\n${output}`);
  return output;
}

/** A fresh project at `dir` with the workspace's `names` installed, then the tarball. */
export async function consumer(dir, tarball, names = []) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const name = `${path.basename(dir)}-consumer`;
  const lock = lockfileFor(name, names);
  const manifest = { name, private: true, type: 'module', devDependencies: lock.packages[''].devDependencies };
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const quiet = ['--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'];
  if (names.length) {
    writeFileSync(path.join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
    await sh(dir, 'npm', ['ci', ...quiet]);
  }
  await sh(dir, 'npm', ['install', ...quiet, tarball]);
  return dir;
}

export { sh };
