// Helpers shared by the npm scripts: running commands with live output, the relay, Redis.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// npm puts node_modules/.bin on PATH (that is where the good wasm-opt comes from); these
// scripts may also be run directly, so both it and cargo's bin come first either way.
export const env = {
  ...process.env,
  PATH: [path.join(root, 'node_modules', '.bin'), path.join(homedir(), '.cargo', 'bin'), process.env.PATH].join(
    path.delimiter,
  ),
};

/** Runs a command, echoing its output live; resolves to { code, output }. */
export function run(cmd, args, { extraEnv = {}, quiet = false, cwd = root } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (stream) => (chunk) => {
      output += chunk;
      if (!quiet) stream.write(chunk);
    };
    child.stdout.on('data', take(process.stdout));
    child.stderr.on('data', take(process.stderr));
    child.on('error', (e) => resolve({ code: 127, output: `${output}\n${e.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** A free loopback port (the OS picks it; a tiny window remains before it is reused). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the relay binary and resolves once it prints the address it listens on.
 * Resolves to { url, child, stop() }.
 */
export function startRelay(binary, args, { echo = true, extraEnv = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const onData = (chunk) => {
      if (echo) process.stdout.write(chunk);
      seen += chunk;
      const m = /listening on (http:\/\/[0-9.:]+) \((?:sandbox: (http:\/\/[0-9.:]+))?/.exec(seen);
      if (m) {
        child.stdout.off('data', onData);
        if (echo) child.stdout.pipe(process.stdout);
        resolve({
          url: m[1],
          sandbox: m[2] ?? null,
          child,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('close', done);
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => {
      seen += c;
      if (echo) process.stderr.write(c);
    });
    child.on('error', reject);
    child.on('close', (code) => reject(new Error(`the relay exited (${code}) before listening:\n${seen}`)));
  });
}

/** The library package's version (the `[package]` section of Cargo.toml), the npm package's too. */
export function cargoVersion() {
  const toml = readFileSync(path.join(root, 'Cargo.toml'), 'utf8');
  const m = /^version\s*=\s*"([^"]+)"/m.exec(toml.slice(toml.indexOf('[package]')));
  if (!m) throw new Error('no [package] version in Cargo.toml');
  return m[1];
}

/** Debian's redis-server on `port` (a free one if none; the same one to restart it on),
 * nothing saved to disk; resolves once it listens. */
export async function startRedis(port) {
  port ??= await freePort();
  const child = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 200; i++) {
    const up = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) return { url: `redis://127.0.0.1:${port}/`, port, child, stop: () => child.kill() };
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill();
  throw new Error(`redis-server did not listen on ${port}`);
}

/** The median of some numbers (the mean of the middle two when there is an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
