// The torture mix: protocol-level commands chosen at random from what an agent knows (its
// leases, the tasks created so far). Each transport turns a command into its own call.
import { Prng } from './prng';

export type Command =
  | { kind: 'createTasks'; tasks: { id: string; task_type: string; priority: number; depends_on_task_ids: string[] }[] }
  | { kind: 'claim'; lease_ms: number }
  | { kind: 'heartbeat'; task_id: string; lease_token: string; lease_ms: number }
  | { kind: 'complete'; task_id: string; lease_token: string }
  | { kind: 'fail'; task_id: string; lease_token: string; error: string }
  | { kind: 'release'; task_id: string; lease_token: string }
  | { kind: 'retry'; task_id: string }
  | { kind: 'requeue'; task_id: string; force: boolean }
  | { kind: 'cancel'; task_id: string; cascade: boolean; force: boolean }
  | { kind: 'event'; type: string }
  | { kind: 'fact'; text: string }
  | { kind: 'checkpoint'; reason: string };

export interface Lease {
  task_id: string;
  lease_token: string;
}

/** What every agent shares: task ids created so far (acknowledged). */
export class Board {
  readonly taskIds: string[] = [];
}

export function nextCommand(rng: Prng, agent: string, n: number, board: Board, leases: Lease[]): Command {
  const roll = rng.next();
  const lease = leases.length > 0 ? rng.pick(leases) : undefined;
  const anyTask = board.taskIds.length > 0 ? rng.pick(board.taskIds) : undefined;
  if (roll < 0.14 || board.taskIds.length < 5) {
    const count = rng.int(1, 4);
    return {
      kind: 'createTasks',
      tasks: Array.from({ length: count }, (_, i) => ({
        id: `${agent}-${n}-${i}`,
        task_type: rng.pick(['build', 'test', 'research']),
        priority: rng.int(-2, 3),
        // Dependencies on tasks already acknowledged, now and then.
        depends_on_task_ids: anyTask && rng.chance(0.15) ? [anyTask] : [],
      })),
    };
  }
  if (roll < 0.4) return { kind: 'claim', lease_ms: rng.int(5000, 7000) };
  if (lease && roll < 0.55) return { kind: 'heartbeat', ...lease, lease_ms: rng.int(5000, 7000) };
  if (lease && roll < 0.7) return { kind: 'complete', ...lease };
  if (lease && roll < 0.77) return { kind: 'fail', ...lease, error: `failure ${n}` };
  if (lease && roll < 0.82) return { kind: 'release', ...lease };
  if (anyTask && roll < 0.86) return { kind: 'retry', task_id: anyTask };
  if (anyTask && roll < 0.88) return { kind: 'requeue', task_id: anyTask, force: rng.chance(0.3) };
  if (anyTask && roll < 0.89) return { kind: 'cancel', task_id: anyTask, cascade: rng.chance(0.3), force: rng.chance(0.3) };
  if (roll < 0.95) return { kind: 'event', type: `note_${rng.int(1, 5)}` };
  if (roll < 0.985) return { kind: 'fact', text: `fact ${agent} ${n}` };
  return { kind: 'checkpoint', reason: `${agent}-${n}` };
}
