// Shared pieces of the store tests: temp roots, stores that record their diagnostics, reading the
// log as raw lines, worker processes, and a byte-for-byte picture of a directory tree.
import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventRecord } from '../../../contract/schemas/records';
import { RunService } from '../../../server/src/service/runService';
import { StoreOptions } from '../../../server/src/store/types';
import { Diagnostic } from '../../../contract/diagnostic';
import { removeWorkspace } from '../../tempWorkspaces';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const WORKERS = path.join(__dirname, 'workers');

/** Temp roots made by this test process: removed when it exits, whatever its tests removed themselves. */
const madeRoots: string[] = [];
process.on('exit', () => madeRoots.forEach(removeWorkspace));

export function tempRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-'));
  madeRoots.push(root);
  return root;
}

export function removeTree(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export function runFolder(root: string, runId: string): string {
  return path.join(root, '.runboard', 'runs', runId);
}

export function logFile(root: string, runId: string): string {
  return path.join(runFolder(root, runId), 'events.jsonl');
}

export const CACHE_FILES = ['run.json', 'blackboard.json', 'index.json'];

export function deleteCaches(root: string, runId: string): void {
  for (const f of CACHE_FILES) fs.rmSync(path.join(runFolder(root, runId), f), { force: true });
}

export interface TestStore {
  store: RunService;
  diagnostics: Diagnostic[];
}

/** A store on one root that records every diagnostic it reports. */
export function openStore(root: string, options: Partial<StoreOptions> = {}): TestStore {
  const store = new RunService([root], { durability: 'none', ...options });
  const diagnostics: Diagnostic[] = [];
  store.on({ onDiagnostic: (d) => diagnostics.push(d) });
  return { store, diagnostics };
}

/** Makes the run's log say it was created by a Runboard of run format `format` (the creation event's payload and run record). */
export function setRunFormat(root: string, runId: string, format: number): void {
  const file = logFile(root, runId);
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const first = JSON.parse(lines[0]);
  first.payload.format = format;
  first.payload.run.format = format;
  lines[0] = JSON.stringify(first);
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

/** The log's lines parsed as JSON (all of them must parse). */
export function readLogEvents(root: string, runId: string): EventRecord[] {
  const text = fs.readFileSync(logFile(root, runId), 'utf8');
  assertEndsWithNewline(text);
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as EventRecord);
}

function assertEndsWithNewline(text: string): void {
  if (text !== '' && !text.endsWith('\n')) throw new Error('events.jsonl does not end with a newline');
}

/** Throws unless the events' seqs are exactly 1..n, revision = seq, and event ids are unique. */
export function assertContiguous(events: EventRecord[]): void {
  const ids = new Set<string>();
  events.forEach((e, i) => {
    if (e.seq !== i + 1) throw new Error(`line ${i + 1} has seq ${e.seq}, expected ${i + 1}`);
    if (e.revision !== e.seq) throw new Error(`seq ${e.seq} has revision ${e.revision}`);
    if (ids.has(e.event_id)) throw new Error(`event_id ${e.event_id} repeats (seq ${e.seq})`);
    ids.add(e.event_id);
  });
}

/** Every regular file under `dir` (relative path → sha256 of its bytes); symlinks as their target. */
export function treePicture(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p);
      if (e.isSymbolicLink()) out.set(rel, `symlink → ${fs.readlinkSync(p)}`);
      else if (e.isDirectory()) {
        out.set(rel + path.sep, 'dir');
        walk(p);
      } else out.set(rel, createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

// ------------------------------------------------------------------ worker processes

export interface Worker {
  child: ChildProcess;
  /** stdout lines parsed as JSON so far. */
  lines: unknown[];
  stderr: string[];
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
  /** Resolves with the first stdout line for which `match` is true. */
  waitForLine(match: (line: unknown) => boolean, timeoutMs?: number): Promise<unknown>;
  send(line: string): void;
}

const live = new Set<ChildProcess>();

/** Starts test/unit/store/workers/<name>.ts under tsx, from the repo root. */
export function startWorker(name: string, args: string[]): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(WORKERS, `${name}.ts`), ...args], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  const lines: unknown[] = [];
  const stderr: string[] = [];
  const waiters: { match: (l: unknown) => boolean; resolve: (l: unknown) => void }[] = [];
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) !== -1) {
      const text = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (text.trim() === '') continue;
      const line = JSON.parse(text) as unknown;
      lines.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i].match(line)) {
          waiters[i].resolve(line);
          waiters.splice(i, 1);
        }
      }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => stderr.push(chunk));
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return {
    child,
    lines,
    stderr,
    exited,
    waitForLine(match, timeoutMs = 30_000) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`worker ${name}: no matching line within ${timeoutMs} ms; stderr: ${stderr.join('')}`)),
          timeoutMs,
        );
        waiters.push({ match, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`worker ${name} exited (${code}) before the expected line; stderr: ${stderr.join('')}`));
        });
      });
    },
    send(line) {
      child.stdin.write(line + '\n');
    },
  };
}

/** Waits for a worker to exit cleanly; throws with its stderr otherwise. */
export async function finished(w: Worker): Promise<void> {
  const code = await w.exited;
  if (code !== 0) throw new Error(`worker exited with ${code}: ${w.stderr.join('')}`);
}

/** Kills every worker still running (for `after` hooks). */
export function killAllWorkers(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
}
