// Row 12 (issue 21): what an archived run takes on disk, checkpoints and seals included, against
// its JSONL log — the big fixture (repetitive: 8 heartbeats and 87 tool calls per task) and a log
// the demo writes (simulated agents, every kind of event) — and a replay of the archived run (its
// segments unpacked on the thread pool, folded as they come) against a replay of the same log live.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunService } from '../server/src/service/runService';
import { bigRun } from './bigRun';
import { benchStore, inTempDir, median, ratioOf, Row, settle, timeAsync } from './harness';
import { CLI_JS, REPO } from './paths';

const TORTURE_MAIN = path.join(REPO, 'test', 'reliability', 'torture', 'main.ts');

export interface ArchiveSize {
  events: number;
  rounds: number;
  /** Commands of the torture whose log is measured. */
  tortureCommands: number;
}

/** The run's log and caches copied into a fresh root (the fixture stays as it is for the other rows). */
function copyRun(from: string, runId: string, to: string): void {
  const dir = path.join(to, '.runboard', 'runs');
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(path.join(from, '.runboard', 'runs', runId), path.join(dir, runId), { recursive: true });
}

/** Replays the whole log from nothing (no checkpoint), rounds times; the median events/s. */
async function replayRate(store: RunService, runId: string, rounds: number): Promise<number> {
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    await settle();
    let applied = 0;
    const ms = await timeAsync(async () => {
      applied = (await store.execute('replay', { run_id: runId, from_checkpoint: false })).events_applied;
    });
    rates.push(applied / (ms / 1000));
  }
  return median(rates);
}

async function archiveOf(root: string, runId: string): Promise<{ ratio: number; log: number; archive: number }> {
  const store = benchStore(root, { durability: 'fsync' });
  try {
    await store.execute('createCheckpoint', { run_id: runId, reason: 'bench' });
    const { archived } = await store.execute('archiveRun', { run_id: runId, force: true, by: 'bench' });
    return { ratio: archived.archive_bytes / archived.log_bytes, log: archived.log_bytes, archive: archived.archive_bytes };
  } finally {
    store.close();
  }
}

export async function benchArchive(size: ArchiveSize): Promise<Row[]> {
  const big = bigRun(size.events, 1000);
  return inTempDir('archive', async (root) => {
    copyRun(big.root, big.runId, root);
    const live = benchStore(root);
    const jsonl = await replayRate(live, big.runId, size.rounds);
    live.close();
    const sized = await archiveOf(root, big.runId);
    const archivedStore = benchStore(root);
    const archived = await replayRate(archivedStore, big.runId, size.rounds);
    archivedStore.close();

    // A log the demo writes: the CLI's simulated agents, in a root of its own.
    const demoRoot = path.join(root, 'demo');
    fs.mkdirSync(demoRoot);
    const demo = spawnSync(process.execPath, [CLI_JS, '--root', demoRoot, '--json', 'demo', '--fast', '--agents', '3'], {
      encoding: 'utf8',
    });
    if (demo.status !== 0) throw new Error(`runboard demo failed: ${demo.stderr}`);
    const demoRun = (JSON.parse(demo.stdout) as { run: { run_id: string } }).run.run_id;
    const demoSized = await archiveOf(demoRoot, demoRun);

    // A log the torture writes (CLI and MCP agents, a server, kills and restarts: every kind of event, retries, repairs).
    const tortureRoot = path.join(root, 'torture');
    const tortureLog = path.join(root, 'torture.jsonl');
    const torture = spawnSync(
      process.execPath,
      ['--import', 'tsx', TORTURE_MAIN, '--commands', String(size.tortureCommands), '--seed', '7', '--keep-log', tortureLog],
      { encoding: 'utf8', cwd: REPO },
    );
    if (torture.status !== 0 || !fs.existsSync(tortureLog)) throw new Error(`the torture failed: ${torture.stdout}${torture.stderr}`);
    const tortureRun = (JSON.parse(fs.readFileSync(tortureLog, 'utf8').split('\n')[0]) as { run_id: string }).run_id;
    fs.mkdirSync(path.join(tortureRoot, '.runboard', 'runs', tortureRun), { recursive: true });
    fs.copyFileSync(tortureLog, path.join(tortureRoot, '.runboard', 'runs', tortureRun, 'events.jsonl'));
    const tortureSized = await archiveOf(tortureRoot, tortureRun);

    const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
    const kb = (b: number) => `${(b / 1e3).toFixed(1)} KB`;
    const ratio = ratioOf(archived, jsonl);
    return [
      {
        name: `archived size, ${size.events.toLocaleString('en-US')}-event fixture`,
        value: sized.ratio * 100,
        unit: '% of the log',
        baseline: null,
        ratio: null,
        goal: '≤ 10 %',
        pass: sized.ratio <= 0.1,
        note: `${mb(sized.log)} of JSONL → ${mb(sized.archive)} (segments, a seal each, a checkpoint)`,
      },
      {
        name: 'archived size, a demo run',
        value: demoSized.ratio * 100,
        unit: '% of the log',
        baseline: null,
        ratio: null,
        goal: 'reported',
        pass: true,
        note: `${kb(demoSized.log)} → ${kb(demoSized.archive)}; a small log: each segment, seal and checkpoint pays gzip's header`,
      },
      {
        name: 'archived size, a torture run',
        value: tortureSized.ratio * 100,
        unit: '% of the log',
        baseline: null,
        ratio: null,
        goal: 'reported',
        pass: true,
        note: `${kb(tortureSized.log)} → ${kb(tortureSized.archive)}; ${size.tortureCommands} commands of the torture, seed 7`,
      },
      {
        name: `replay of the archived run, ${size.events.toLocaleString('en-US')} events`,
        value: archived,
        unit: 'events/s',
        baseline: jsonl,
        ratio,
        goal: 'ratio ≥ 0.5',
        pass: ratio >= 0.5,
        note: `replay from nothing of the archive vs of the live JSONL log, median of ${size.rounds}`,
      },
    ];
  });
}
