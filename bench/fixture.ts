// Writes big runs for the load, fold and memory workloads straight from the engine (decide →
// fold → one JSON line each), which is far faster than committing a million events one by one
// and yields the same log a store would. The mix per task: created, claimed, heartbeats,
// completed, blackboard facts and many tool-call events — most of a long agent run's log.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CommandContext } from '../server/src/engine/ids';
import { EventRecord } from '../contract/schemas/records';
import { decideAppendEvent, decideCreateRun, decidePatchBlackboard } from '../server/src/engine/runDecisions';
import { applyEvent, emptyRunState, RunState } from '../server/src/engine/state';
import { decideCreateTasks } from '../server/src/engine/taskCreation';
import { decideTransition } from '../server/src/engine/taskLifecycle';
import { identityOf } from '../server/src/store/file/fileIdentity';
import { runDir } from '../server/src/store/file/paths';
import { EVENTS_FILE } from '../contract/layout';
import { writeSnapshots } from '../server/src/store/file/snapshots';
import { counterIds, factPayload, taskInputs, toolCallParams } from './workload';
import { decideClaim } from '../server/src/engine/taskClaim';

export interface FixtureSpec {
  runId: string;
  /** Events in the log, exactly. */
  events: number;
  /** Events per task's life (created … completed, with the tool calls and facts around it). */
  eventsPerTask?: number;
  /** Write run.json/blackboard.json/index.json as of the first command ending at or after this seq. */
  snapshotAtSeq?: number;
}

export interface Fixture {
  dir: string;
  file: string;
  events: number;
  bytes: number;
  tasks: number;
  /** Seq of the caches, when written. */
  snapshotSeq?: number;
}

const FLUSH_BYTES = 4 * 1024 * 1024;
const BATCH = 100;

/** Writes runs/<runId>/events.jsonl under `root` (and the caches when asked). */
export function writeFixtureRun(root: string, spec: FixtureSpec): Fixture {
  const perTask = Math.max(4, spec.eventsPerTask ?? 100);
  const heartbeats = Math.max(1, Math.round(perTask * 0.08));
  const facts = Math.max(0, Math.round(perTask * 0.02));
  const toolCalls = Math.max(0, perTask - 3 - heartbeats - facts);

  const dir = runDir(root, spec.runId);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, EVENTS_FILE);
  const fd = fs.openSync(file, 'w');
  const ids = counterIds();
  let clock = 1_700_000_000_000;
  const ctx = (): CommandContext => ({ now: ++clock, ids });

  let state: RunState = emptyRunState(spec.runId);
  let pending: string[] = [];
  let pendingBytes = 0;
  let bytes = 0;
  let lines = 0;
  let snapshotSeq: number | undefined;
  let lastEventId: string | undefined;
  const flush = () => {
    if (pending.length === 0) return;
    const buf = Buffer.from(pending.join(''), 'utf8');
    fs.writeSync(fd, buf);
    bytes += buf.length;
    pending = [];
    pendingBytes = 0;
  };
  /** Appends and folds a command's events; false once the log is full. */
  const commit = (events: EventRecord[]): boolean => {
    for (const e of events) {
      if (lines >= spec.events) return false;
      const line = JSON.stringify(e) + '\n';
      pending.push(line);
      pendingBytes += line.length;
      lines++;
      applyEvent(state, e);
      lastEventId = e.event_id;
      if (pendingBytes >= FLUSH_BYTES) flush();
    }
    if (spec.snapshotAtSeq !== undefined && snapshotSeq === undefined && lines >= spec.snapshotAtSeq) {
      flush();
      writeSnapshots(dir, state, { offset: bytes, line: lines, identity: () => identityOf(fd) }, lastEventId, false);
      snapshotSeq = lines;
    }
    return lines < spec.events;
  };

  try {
    commit(decideCreateRun(spec.runId, { objective: 'Benchmark fixture: a long agent run.' }, undefined, ctx()));
    let n = 0;
    outer: for (;;) {
      const created = decideCreateTasks(state, taskInputs(BATCH, n), ctx());
      if (!commit(created.events)) break;
      for (let k = 0; k < BATCH; k++, n++) {
        const claimed = decideClaim(state, { agent_id: `agent-${n % 4}` }, ctx());
        if (!commit(claimed)) break outer;
        const task = (claimed[0].payload as { task: { id: string; lease_token: string } }).task;
        for (let i = 0; i < toolCalls; i++) {
          const step = i + n * perTask;
          if (!commit(decideAppendEvent(state, toolCallParams(spec.runId, step), ctx()))) break outer;
          if (heartbeats > 0 && i % Math.ceil(toolCalls / heartbeats) === 0) {
            const hb = decideTransition(state, { task_id: task.id, action: 'heartbeat', lease_token: task.lease_token }, ctx());
            if (!commit(hb)) break outer;
          }
          if (facts > 0 && i % Math.ceil(toolCalls / facts) === 1) {
            const fact = decidePatchBlackboard(state, { run_id: spec.runId, op: 'add_fact', payload: factPayload(step) }, ctx());
            if (!commit(fact)) break outer;
          }
        }
        const done = decideTransition(state, { task_id: task.id, action: 'complete', lease_token: task.lease_token }, ctx());
        if (!commit(done)) break outer;
      }
    }
    flush();
  } finally {
    fs.closeSync(fd);
  }
  const tasks = state.tasks.size;
  state = emptyRunState(spec.runId); // let the big state go before the caller measures memory
  return { dir, file, events: lines, bytes, tasks, ...(snapshotSeq !== undefined ? { snapshotSeq } : {}) };
}
