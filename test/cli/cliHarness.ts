// Test harness: the built dist/cli.js as a child process in real temp workspaces.
import assert from 'node:assert/strict';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { CLI_JS, REPO, waitFor } from '../server/serverProcess';
import { removeWorkspace } from '../tempWorkspaces';

export { CLI_JS, REPO };

export interface CliResult {
  status: number | null;
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
}

const roots: string[] = [];
// What a test file did not remove itself goes when its process exits.
process.on('exit', () => removeTempWorkspaces());

/** The CLI's code cache (see server/src/cli/codeCache.ts) goes to a temp folder, not the user's. */
const codeCacheHome = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-cli-cache-'));
roots.push(codeCacheHome);

/** The environment without the RUNBOARD_* variables of whoever runs the tests, plus `extra`. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { XDG_CACHE_HOME: codeCacheHome };
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('RUNBOARD_') && k !== 'XDG_CACHE_HOME') env[k] = v;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export function assertBuilt(): void {
  assert.ok(fs.existsSync(CLI_JS), `${CLI_JS} is missing: run npm run build first`);
}

export function cli(args: string[], o: CliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI_JS, ...args], {
    cwd: o.cwd ?? os.tmpdir(),
    env: cleanEnv(o.env),
    input: o.input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** The same as `cli`, without blocking the test process (for concurrent runs). */
export function cliAsync(args: string[], o: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_JS, ...args], { cwd: o.cwd ?? os.tmpdir(), env: cleanEnv(o.env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
    child.stdin.end(o.input ?? '');
  });
}

/** Runs the CLI with --json in `root`, asserts the exit code, and parses the one JSON document. */
export function cliJson<T = any>(root: string, args: string[], expectedStatus = 0, o: CliOptions = {}): T {
  const r = cli(['--root', root, '--json', ...args], o);
  assert.equal(
    r.status,
    expectedStatus,
    `runboard ${args.join(' ')} exited ${r.status} (signal ${r.signal})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
  );
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    assert.fail(`stdout is not one JSON document: ${JSON.stringify(r.stdout)}`);
  }
}

export function tempWorkspace(prefix = 'runboard-cli-'): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  roots.push(dir);
  return dir;
}

export function removeTempWorkspaces(): void {
  for (const d of roots.splice(0)) removeWorkspace(d);
}

export function eventsOnDisk(root: string, runId: string): { seq: number; type: string; [k: string]: any }[] {
  const file = path.join(root, '.runboard', 'runs', runId, 'events.jsonl');
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

export { sleep, waitFor } from '../server/serverProcess';

/** Creates a run with `tasks` (TaskInput rows) through the CLI; returns the run id. */
export function seedRun(root: string, runId: string, tasks: unknown[] = []): string {
  cliJson(root, ['run', 'create', `Objective of ${runId}`, '--id', runId]);
  if (tasks.length > 0) cliJson(root, ['--run', runId, 'tasks', 'create', '-'], 0, { input: JSON.stringify(tasks) });
  return runId;
}

/** A long-running CLI command (watch, demo) as a child process, with what it has printed so far. */
export interface CliProcess {
  child: ChildProcess;
  out: { stdout: string; stderr: string };
  /** Its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

const running: ChildProcess[] = [];

/** `runboard --root <root> …args` started; stopCliProcesses kills it if a test ends before it does. */
export function startCli(root: string, args: string[]): CliProcess {
  const child = spawn(process.execPath, [CLI_JS, '--root', root, ...args], { env: cleanEnv() });
  running.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exited };
}

/** Kills the processes startCli started that still run (an afterEach hook). */
export function stopCliProcesses(): void {
  for (const c of running.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/** What a --json stream printed so far: one document per line. */
export function jsonLines(text: string): any[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

/** A headless server (`runboard serve --socket`) as a child process, with what it said on stderr. */
export interface HeadlessServer {
  child: ChildProcess;
  stderr(): string;
  /** How it ended: exit code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const headless: HeadlessServer[] = [];

/**
 * Starts `runboard --root <root> serve --socket [args]` and waits until it serves (it said so on
 * stderr, after writing server.json) or ended (another server serves the root).
 */
export async function startHeadless(
  root: string,
  args: string[] = [],
  env: Record<string, string | undefined> = {},
): Promise<HeadlessServer> {
  const child = spawn(process.execPath, [CLI_JS, '--root', root, 'serve', '--socket', ...args], {
    env: cleanEnv(env),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let ended = false;
  void exited.then(() => (ended = true));
  const s: HeadlessServer = { child, stderr: () => stderr, exited };
  headless.push(s);
  await waitFor(() => / serving |served already/.test(stderr) || ended, 15_000, `runboard serve --socket in ${root}`);
  return s;
}

/** Kills every headless server still running (an after hook). */
export async function stopHeadless(): Promise<void> {
  await Promise.all(
    headless.splice(0).map(async (s) => {
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
      await s.exited;
    }),
  );
}

/** <root>/.runboard/server.json as it is now, or undefined. */
export function announcementOf(
  root: string,
): { pid: number; endpoint: string; root: string; durability: string; secret: string } | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, '.runboard', 'server.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The file-backed modules a CLI call loads (builtins have none), and the scripts it reads (cli.js runs cli-core.js from its text). */
export function modulesLoaded(root: string, args: string[]): string[] {
  const log = path.join(root, 'loaded.txt');
  const hook = path.join(root, 'hook.js');
  fs.writeFileSync(
    hook,
    `const M = require('module'); const fs = require('fs'); const path = require('path'); const orig = M._load;
     const note = (f) => fs.appendFileSync(${JSON.stringify(log)}, f + '\\n');
     M._load = function (request, parent, isMain) {
       try { const f = M._resolveFilename(request, parent, isMain); if (path.isAbsolute(f)) note(f); } catch {}
       return orig.apply(this, arguments);
     };
     const read = fs.readFileSync;
     fs.readFileSync = function (f) { if (typeof f === 'string' && /\\.(js|node)$/.test(f)) note(f); return read.apply(this, arguments); };`,
  );
  const r = spawnSync(process.execPath, ['-r', hook, CLI_JS, ...args], { env: cleanEnv(), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return fs
    .readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .filter((f) => f !== hook);
}
