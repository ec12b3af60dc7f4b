// Builds the records a command appends: consecutive seqs and revisions after the run's last
// event, one time for the whole command, fresh event ids.
import { CommandContext } from './ids';
import { EventRecord } from '../../../contract/schemas/records';
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
    this.events.push(e);
    return e;
  }
}
