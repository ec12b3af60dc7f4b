// Builds the records a command appends: consecutive seqs and revisions after the run's last
// event, one time for the whole command, fresh event ids.
import { CommandContext } from './ids';
import { EventRecord, Task } from '../../../contract/schemas/records';
import { RunState } from './state';
import { RunStatus } from '../../../contract/statuses';

export interface EventFields {
  type: string;
  status: RunStatus;
  step_id?: string;
  task_id?: string;
  payload: unknown;
}

export class EventBuilder {
  readonly events: EventRecord[] = [];
  /** Each task's status as this command's events so far left it. */
  private readonly statusNow = new Map<string, string>();

  constructor(
    private readonly state: RunState,
    private readonly ctx: CommandContext,
  ) {}

  add(fields: EventFields): EventRecord {
    const n = this.events.length + 1;
    const e: EventRecord = {
      event_id: this.ctx.ids.newId('evt'),
      run_id: this.state.header.run_id,
      seq: this.state.header.last_event_seq + n,
      ts_ms: this.ctx.now,
      type: fields.type,
      status: fields.status,
      revision: this.state.header.revision + n,
      ...(fields.step_id !== undefined ? { step_id: fields.step_id } : {}),
      ...(fields.task_id !== undefined ? { task_id: fields.task_id } : {}),
      payload: fields.payload,
    };
    this.markStatusChange(fields.payload);
    this.events.push(e);
    return e;
  }

  /**
   * A task snapshot whose status differs from what the task had carries when it changed
   * (`status_since_ms`): the attention list tells one failure from the next by it, and an edit
   * (which moves `task_rev` and `updated_ts`) leaves it. A new task has none (its `created_ts` is that time).
   */
  private markStatusChange(payload: unknown): void {
    const task = (payload as { task?: Task } | null)?.task;
    if (typeof task !== 'object' || task === null || typeof task.id !== 'string') return;
    const before = this.statusNow.get(task.id) ?? this.state.tasks.get(task.id)?.status;
    if (before !== undefined && before !== task.status) task.status_since_ms = this.ctx.now;
    this.statusNow.set(task.id, task.status);
  }
}
