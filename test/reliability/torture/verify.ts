// The torture's verdict, from the files alone: seqs 1..N; every acknowledged commit in the log
// exactly once and equal to what its writer was told; no two claims of one task overlapping
// unless the first lease ended (released, finished, requeued, or expired first); fencing held.
import assert from 'node:assert/strict';
import { EventRecord, Task } from '../../../contract/schemas/records';
import { Command } from './commands';
import { EVENT } from '../../../contract/events';
import { forModel } from '../../../server/src/cli/mcp/forModel';

export interface Ack {
  agent: string;
  /** An MCP agent is told the task as a model reads it (forModel.ts): compared in that form. */
  kind: 'server' | 'cli' | 'mcp';
  command_id: string;
  command: Command;
  result: any;
}

const strip = (t: Task) => JSON.parse(JSON.stringify(t));

export function verifyLog(log: EventRecord[], acks: Ack[]): { claims: number; leaseChecks: number } {
  assert.deepEqual(
    log.map((e) => e.seq),
    log.map((_, i) => i + 1),
    'seqs are 1..N without gaps',
  );
  log.forEach((e, i) => assert.equal(e.revision, i + 1, `revision of seq ${e.seq}`));

  const byTaskRev = new Map<string, EventRecord[]>();
  const byEventId = new Map<string, number>();
  const byCommand = new Map<string, number[]>();
  const itemIds = new Map<string, number>();
  for (const e of log) {
    byEventId.set(e.event_id, (byEventId.get(e.event_id) ?? 0) + 1);
    if (e.command_id) byCommand.set(e.command_id, [...(byCommand.get(e.command_id) ?? []), e.seq]);
    const task = (e.payload as { task?: Task })?.task;
    if (e.type.startsWith('context.task.') && task) {
      const k = `${task.id}#${task.task_rev}`;
      byTaskRev.set(k, [...(byTaskRev.get(k) ?? []), e]);
    }
    if (e.type === EVENT.blackboardPatched) {
      const id = (e.payload as { payload: { id?: string } }).payload?.id;
      if (id) itemIds.set(id, (itemIds.get(id) ?? 0) + 1);
    }
  }
  for (const [id, n] of byEventId) assert.equal(n, 1, `event ${id} appears ${n} times`);
  for (const [k, es] of byTaskRev) assert.equal(es.length, 1, `task rev ${k} was written ${es.length} times`);
  for (const [cid, seqs] of byCommand) {
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => seqs[0] + i),
      `command ${cid} is one contiguous commit, once`,
    );
  }

  const onceFor = (task: Task, what: string, kind: Ack['kind']) => {
    const es = byTaskRev.get(`${task.id}#${task.task_rev}`);
    assert.ok(es && es.length === 1, `${what}: acknowledged ${task.id} rev ${task.task_rev} is not in the log exactly once`);
    const printed = strip(task);
    const logged = strip((es[0].payload as { task: Task }).task);
    // The CLI and MCP print only the session's own lease tokens (leasePrivacy.ts): another's is left out, never altered.
    for (const key of ['lease_token', 'last_lease_token'] as const) if (kind !== 'server' && !(key in printed)) delete logged[key];
    assert.deepEqual(
      kind === 'mcp' ? forModel(logged, () => true) : logged,
      printed,
      `${what}: the log differs from the acknowledged result`,
    );
  };
  let claims = 0;
  for (const a of acks) {
    const what = `${a.agent} ${a.command.kind} ${a.command_id}`;
    const r = a.result ?? {};
    switch (a.command.kind) {
      case 'createTasks':
        assert.ok(Array.isArray(r.tasks), `${what}: no tasks in the result`);
        for (const t of r.tasks) onceFor(t, what, a.kind);
        break;
      case 'claim':
        if (r.task) {
          onceFor(r.task, what, a.kind);
          claims++;
        }
        break;
      case 'heartbeat':
      case 'complete':
      case 'fail':
      case 'release':
      case 'retry':
      case 'requeue':
        onceFor(r.task, what, a.kind);
        break;
      case 'cancel':
        // The task named as it now is (cancelled by this call or before), and each task this call cancelled.
        onceFor(r.task, what, a.kind);
        if (a.kind !== 'mcp') for (const t of r.cancelled) onceFor(t, what, a.kind);
        break;
      case 'event':
        assert.equal(byEventId.get(r.event?.event_id), 1, `${what}: acknowledged event not in the log once`);
        break;
      case 'fact':
        assert.equal(itemIds.get(r.patch?.payload?.id), 1, `${what}: acknowledged fact not in the log once`);
        break;
      case 'checkpoint':
        break;
    }
    // A checkpoint writes no event, nor does a claim of nothing or a cancel of a task cancelled before.
    const wroteNothing = (a.command.kind === 'claim' && !r.task) || (a.command.kind === 'cancel' && (r.cancelled ?? []).length === 0);
    if (a.command.kind !== 'checkpoint' && !wroteNothing) {
      assert.ok(byCommand.has(a.command_id), `${what}: its command_id is not in the log`);
    }
  }
  return { claims, leaseChecks: verifyLeases(log) };
}

/** Walks each task's events: a claim only after the previous lease ended; work only inside a live lease. */
function verifyLeases(log: EventRecord[]): number {
  const open = new Map<string, { token: string; expires: number; seq: number }>();
  let checks = 0;
  for (const e of log) {
    if (!e.type.startsWith('context.task.')) continue;
    const task = (e.payload as { task: Task }).task;
    const lease = open.get(task.id);
    if (e.type === EVENT.taskClaimed) {
      assert.equal(lease, undefined, `task ${task.id} claimed at seq ${e.seq} while the lease of seq ${lease?.seq} was still held`);
      open.set(task.id, { token: task.lease_token!, expires: task.lease_expires_at_ms!, seq: e.seq });
      checks++;
      continue;
    }
    if (!lease) continue;
    if (task.lease_token === lease.token) {
      // A heartbeat: only inside the live lease.
      assert.ok(e.ts_ms < lease.expires, `seq ${e.seq}: heartbeat on ${task.id} after its lease expired`);
      lease.expires = task.lease_expires_at_ms!;
      checks++;
      continue;
    }
    const stale = (e.payload as { stale_requeue?: boolean }).stale_requeue === true;
    if (stale) assert.ok(e.ts_ms >= lease.expires, `seq ${e.seq}: ${task.id} requeued as stale before its lease expired`);
    else if (e.type !== EVENT.taskRequeued || !(e.payload as { manual_requeue?: boolean }).manual_requeue) {
      // complete / fail / release / status by the holder: only while the lease was live.
      assert.ok(e.ts_ms < lease.expires, `seq ${e.seq}: ${e.type} on ${task.id} with an expired lease`);
    }
    open.delete(task.id);
    checks++;
  }
  return checks;
}
