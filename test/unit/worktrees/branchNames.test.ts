// A task's branch name (taskWorktrees.ts refPart) from any id the protocol allows: git must take it.
// A task "a.lock" made `claim --worktree` fail on it on every claim, ahead of every other task.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { refPart } from '../../../server/src/worktrees/taskWorktrees';

describe('branch names of task worktrees', () => {
  it('are names git accepts, for ids with dots where git minds them', () => {
    const ids = ['a.lock', 'A.LOCK', 'ends.', 'two..dots', '_lead', 'plain-id_1.2', 'x.lock.lock'];
    for (const id of ids) {
      const branch = `runboard/run-1/${refPart(id)}`;
      // git's own rule: exits non-zero for a name it would refuse.
      execFileSync('git', ['check-ref-format', '--branch', branch], { stdio: 'pipe' });
    }
    assert.equal(refPart('a.lock'), 'a_lock');
    assert.equal(refPart('plain-id_1.2'), 'plain-id_1.2', 'an id git takes is kept as it is');
  });
});
