// What a replay's comparison says to a person (contract/replayText.ts), the same in the CLI and the
// editor's diff title: drift, or what changed since an earlier seq — in words, not flag names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replayVerdict } from '../../../contract/replayText';

describe('replayVerdict', () => {
  it('a whole replay: no drift, or the drift in words', () => {
    assert.equal(replayVerdict({ flags: [] }), 'No drift.');
    assert.equal(replayVerdict({ flags: ['status_mismatch', 'blackboard_task_status_mismatch'] }), 'Drift: run status, task statuses');
  });

  it('an earlier seq: what changed since, in words, leaving out the last event (it always moves)', () => {
    assert.equal(
      replayVerdict({ flags: ['step_status_mismatch', 'why_next_step_mismatch', 'last_event_seq_mismatch'], since: 2 }),
      'Changes since seq 2: step statuses, next step',
    );
    assert.equal(replayVerdict({ flags: ['last_event_seq_mismatch'], since: 2 }), 'No changes since seq 2 but new events.');
  });

  it('a flag it has no words for (a newer server) is shown as it is', () => {
    assert.equal(replayVerdict({ flags: ['lease_mismatch'] }), 'Drift: lease_mismatch');
  });
});
