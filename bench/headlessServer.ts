// A headless Runboard server (`runboard serve --socket`) for the routed rows: started on a root,
// ready once it has announced itself in .runboard/server.json, stopped with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Durability } from '../contract/limits';
import { readAnnouncement } from '../server/src/routing/announcement';
import { CLI_JS } from './paths';

async function waitUntil(what: string, ready: () => boolean, child: ChildProcess, said: () => string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!ready()) {
    if (child.exitCode !== null) throw new Error(`${what}: the server exited with ${child.exitCode}: ${said()}`);
    if (Date.now() > until) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs `fn` while a server serves `root`'s socket with `durability`. */
export async function withHeadlessServer<T>(root: string, durability: Durability, fn: () => Promise<T>): Promise<T> {
  // BENCH_SERVER_ARGS: extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=prof".
  const extra = process.env.BENCH_SERVER_ARGS?.split(' ').filter(Boolean) ?? [];
  const args = [...extra, CLI_JS, '--root', root, '--durability', durability, 'serve', '--socket', '--idle-timeout', '0'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  // What it says goes into a failure's message, not into the table's output.
  let said = '';
  child.stderr.on('data', (d) => (said += d));
  try {
    await waitUntil(
      `serve --socket in ${root}`,
      () => 'announcement' in readAnnouncement(root),
      child,
      () => said,
    );
    return await fn();
  } finally {
    const ended = new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    child.kill('SIGTERM');
    await ended;
  }
}
