// A task's branch name (taskWorktrees.ts refPart) from any id the protocol allows: git must take it.
// A task "a.lock" made `claim --worktree` fail on it on every claim, ahead of every other task.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { runIdProblem } from '../../../server/src/engine/ids';
import { folderPart, refPart } from '../../../server/src/worktrees/taskWorktrees';

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

  it('and their folders and ref files are names Windows can give: no device name, no trailing dot', () => {
    for (const [id, branch, folder] of [
      ['con', 'con_', 'con_'],
      ['NUL.txt', 'NUL_.txt', 'NUL_.txt'],
      ['aux.tar.gz', 'aux_.tar.gz', 'aux_.tar.gz'],
      ['con.', 'con_', 'con_._'],
      ['com1', 'com1_', 'com1_'],
      ['ends.', 'ends_', 'ends._'],
      ['console', 'console', 'console'],
    ] as const) {
      assert.deepEqual([refPart(id), folderPart(id)], [branch, folder], id);
      // The one rule for names Windows can give (a run id's): none of them breaks it.
      for (const name of [refPart(id), folderPart(id)]) assert.equal(runIdProblem(name), undefined, `${id}: ${name}`);
      execFileSync('git', ['check-ref-format', '--branch', `runboard/run-1/${refPart(id)}`], { stdio: 'pipe' });
    }
  });
});
