// listPatches rows: one per blackboard event and per task event, derived from the event so the
// patch log needs no file of its own (PROTOCOL.md §listPatches).
import { patchIdForEvent } from './ids';
import { EventRecord, PatchRow, Task } from '../../../contract/schemas/records';
import { EVENT } from '../../../contract/events';

function taskOp(type: string): string {
  if (type === EVENT.taskCreated) return 'add_task';
  if (type === EVENT.taskHeartbeat) return 'update_task_lease';
  return 'update_task_state';
}

export function patchRowFor(e: EventRecord): PatchRow | undefined {
  const base = { patch_id: patchIdForEvent(e.event_id), seq: e.seq, ts_ms: e.ts_ms };
  if (e.type === EVENT.blackboardPatched || e.type === EVENT.artifactAdded) {
    const { op, payload } = e.payload as { op: string; payload: unknown };
    return { ...base, op, payload };
  }
  if (e.type.startsWith('context.task.')) {
    const task = (e.payload as { task: Task }).task;
    const op = taskOp(e.type);
    return { ...base, op, payload: op === 'add_task' ? task : { task_id: task.id, ...task } };
  }
  return undefined;
}
