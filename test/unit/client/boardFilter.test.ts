// The board's filter box and the Runs tree read a typed filter through the contract's rule
// (typedTaskFilter.ts); the board says what it shows (boardFilter.ts): the matching cards, "3 of
// 12 tasks", the cards each column hides — and, for a text that is no filter, every card with why.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filterBoard } from '../../../client/src/board/boardFilter';
import { isFiltering, readTaskFilter, showsTask } from '../../../client/src/runs/typedTaskFilter';
import { taskRecord } from '../contract/taskRecord';

const tasks = [
  taskRecord({ id: 'fix-login', task_type: 'bug', status: 'failed', payload: { title: 'Fix the login' } }),
  taskRecord({ id: 'fix-logout', task_type: 'bug', status: 'pending', payload: { title: 'Fix the logout' } }),
  taskRecord({ id: 'write-docs', task_type: 'docs', status: 'pending', payload: { title: 'Write the docs' } }),
];

describe('typed task filter', () => {
  it('a blank text filters nothing; a filter shows what the contract matches; an unknown key is an error that filters nothing', () => {
    for (const blank of ['', '   ']) {
      const typed = readTaskFilter(blank);
      assert.equal(isFiltering(typed), false);
      assert.equal(typed.error, undefined);
      assert.ok(tasks.every((t) => showsTask(typed, t)));
    }
    const bugs = readTaskFilter('type:bug');
    assert.deepEqual(
      tasks.filter((t) => showsTask(bugs, t)).map((t) => t.id),
      ['fix-login', 'fix-logout'],
    );
    const bad = readTaskFilter('foo:bar');
    assert.match(bad.error ?? '', /Unknown filter key "foo:"/);
    assert.equal(isFiltering(bad), false);
    assert.ok(tasks.every((t) => showsTask(bad, t)));
  });
});

describe('the board under its filter', () => {
  it('shows the matching cards, counts them and says how many each column hides', () => {
    const { shown, filter } = filterBoard(tasks, readTaskFilter('logout'));
    assert.deepEqual(
      shown.map((t) => t.id),
      ['fix-logout'],
    );
    assert.deepEqual(filter, {
      text: 'logout',
      active: true,
      shown: 1,
      total: 3,
      count: '1 of 3 tasks',
      hidden: { failed: 1, pending: 1 },
    });
  });

  it('without a filter: every card, no count', () => {
    const { shown, filter } = filterBoard(tasks, readTaskFilter(''));
    assert.equal(shown.length, 3);
    assert.deepEqual(filter, { text: '', active: false, shown: 3, total: 3, count: '', hidden: {} });
  });

  it('a text that is no filter: every card, the error, and a count that says nothing is filtered', () => {
    const { shown, filter } = filterBoard(tasks, readTaskFilter('stat:failed'));
    assert.equal(shown.length, 3);
    assert.equal(filter.active, false);
    assert.equal(filter.count, '3 tasks, not filtered');
    assert.match(filter.error ?? '', /Unknown filter key "stat:" — use status:/);
  });

  it('one task is one task', () => {
    assert.equal(filterBoard(tasks.slice(0, 1), readTaskFilter('id:fix')).filter.count, '1 of 1 task');
  });
});
