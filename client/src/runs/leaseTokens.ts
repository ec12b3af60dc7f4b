// The lease tokens this editor holds, per run and task, kept in workspaceState so a reload does
// not strand a claimed task: the user can still heartbeat, complete, fail or release it.
import type * as vscode from 'vscode';
import type { Task } from '../../../contract/schemas/records';
import { runKey, taskKey, type RunRef, type TaskRef } from './refs';

const STATE_KEY = 'runboard.leaseTokens';
/** A token younger than this is never pruned (the state it is compared with may be older). */
const PRUNE_AFTER_MS = 30_000;

interface HeldLease {
  token: string;
  agent_id: string;
  claimed_at_ms: number;
}

export class LeaseTokens {
  constructor(private readonly memento: vscode.Memento) {}

  private all(): Record<string, HeldLease> {
    return this.memento.get<Record<string, HeldLease>>(STATE_KEY, {});
  }

  get(ref: TaskRef): HeldLease | undefined {
    return this.all()[taskKey(ref)];
  }

  async remember(ref: TaskRef, token: string, agentId: string): Promise<void> {
    await this.memento.update(STATE_KEY, { ...this.all(), [taskKey(ref)]: { token, agent_id: agentId, claimed_at_ms: Date.now() } });
  }

  async forget(ref: TaskRef): Promise<void> {
    const all = this.all();
    if (!(taskKey(ref) in all)) return;
    delete all[taskKey(ref)];
    await this.memento.update(STATE_KEY, { ...all });
  }

  /**
   * Drops the tokens of a run's tasks whose lease has moved on (expired and requeued, taken back,
   * finished elsewhere). Fresh tokens are kept: the run's state may predate the claim.
   */
  async prune(run: RunRef, tasks: readonly Pick<Task, 'id' | 'lease_token'>[], now = Date.now()): Promise<void> {
    const all = this.all();
    const prefix = `${runKey(run)}\u0000`;
    const byId = new Map(tasks.map((t) => [t.id, t]));
    let changed = false;
    for (const [key, held] of Object.entries(all)) {
      if (!key.startsWith(prefix) || now - held.claimed_at_ms < PRUNE_AFTER_MS) continue;
      if (byId.get(key.slice(prefix.length))?.lease_token !== held.token) {
        delete all[key];
        changed = true;
      }
    }
    if (changed) await this.memento.update(STATE_KEY, { ...all });
  }

  /** True when the task's current lease is one this editor holds. */
  holds(ref: TaskRef, task: Pick<Task, 'lease_token'> | undefined): boolean {
    const held = this.get(ref);
    return !!held && !!task?.lease_token && held.token === task.lease_token;
  }
}
