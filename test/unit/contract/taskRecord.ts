// A task record for the contract's pure rules, with every required field at a neutral value.
import type { Task } from '../../../contract/schemas/records';

export function taskRecord(over: Partial<Task> = {}): Task {
  return {
    id: 't1',
    task_type: 'research',
    payload: {},
    status: 'pending',
    depends_on_task_ids: [],
    decision_ids: [],
    artifact_ids: [],
    priority: 0,
    attempt: 0,
    max_attempts: 3,
    task_rev: 1,
    created_ts: 0,
    updated_ts: 0,
    ...over,
  };
}
