// Test harness: the built dist/cli.js as a child process in real temp workspaces.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { CLI_JS, REPO } from '../server/serverProcess';

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
  for (const d of roots.splice(0)) fs.rmSync(d, { recursive: true, force: true });
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
