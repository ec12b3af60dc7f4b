// Recording a task's git worktree (PROTOCOL.md §Worktrees; runs of format 5). Git itself is the
// client's (the CLI, the editor): the engine records what it was told — where the worktree is,
// its branch and base, whether it is there — under the same fence as an edit: the lease token
// while the task is in progress.
import { EVENT, runHas } from '../../../contract/events';
import type { ParamsOf } from '../../../contract/schemas/params';
import type { EventRecord, Task } from '../../../contract/schemas/records';
import { formatTooOld } from './errors';
import { EventBuilder } from './eventBuilder';
import type { CommandContext } from './ids';
import type { RunState } from './state';
import { checkTextLimit } from './text';
import { bump, requireTask } from './taskLifecycle';
import { checkPersonFence } from './transitionChecks';

export function decideSetWorktree(state: RunState, p: ParamsOf<'setTaskWorktree'>, ctx: CommandContext): EventRecord[] {
  if (!runHas(state.header, 'worktrees')) throw formatTooOld(state.header, 'worktrees', 'worktrees: its tasks cannot record one');
  for (const [field, text] of Object.entries(p.worktree)) if (typeof text === 'string') checkTextLimit(`worktree.${field}`, text);
  const task = requireTask(state, p.task_id);
  checkPersonFence(task, { lease_token: p.lease_token, force: p.force }, ctx.now, 'record a worktree on');
  const worktree = Object.fromEntries(Object.entries(p.worktree).filter(([, v]) => v !== undefined)) as Task['worktree'];
  const moved: Task = { ...bump(task, ctx.now), worktree };
  const b = new EventBuilder(state, ctx);
  b.add({
    type: EVENT.taskWorktree,
    status: state.header.status,
    task_id: task.id,
    payload: { task_id: task.id, task_rev: moved.task_rev, task: moved },
  });
  return b.events;
}
