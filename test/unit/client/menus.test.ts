// Which commands package.json's item menus show for a task or blackboard item: exactly the ones
// its contextValue offers (taskActions.ts, blackboardItems.ts), in every status and state — a
// cancelled task's requeue reads as Reopen — evaluating the `when` clauses as VS Code does.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { BlackboardItem, Task } from '../../../contract/schemas/records';
import { TASK_STATUSES } from '../../../contract/statuses';
import { TASK_ACTIONS } from '../../../contract/taskRules';
import { ITEM_ACTIONS, itemActions, type ItemList } from '../../../contract/blackboardRules';
import { ITEM_ACTION, itemContextValue } from '../../../client/src/runs/blackboardItems';
import { TASK_ACTION_ALSO, TASK_ACTION_COMMAND, taskContextValue } from '../../../client/src/runs/taskActions';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8'));

/** The commands `view`'s item menus (inline and context) show for `viewItem` (when clauses of ==, =~ and &&). */
function menuCommands(view: string, viewItem: string): string[] {
  const keys: Record<string, string> = { view, viewItem };
  const holds = (clause: string) => {
    const eq = /^(\w+) == (\S+)$/.exec(clause);
    if (eq) return keys[eq[1]] === eq[2];
    const re = /^(\w+) =~ \/(.*)\/$/.exec(clause);
    if (re) return new RegExp(re[2]).test(keys[re[1]] ?? '');
    throw new Error(`when clause not understood: ${clause}`);
  };
  const entries = manifest.contributes.menus['view/item/context'] as { command: string; when: string }[];
  return [...new Set(entries.filter((e) => e.when.split(' && ').every(holds)).map((e) => e.command))].sort();
}

/** Shown on every task item, whatever it offers. */
const TASK_WIDE = ['runboard.openTaskDetails'];

describe('task item menus', () => {
  for (const view of ['runboard.runs', 'runboard.blackboard']) {
    it(`${view}: each action's command, and only it, in every status; Reopen instead of Requeue on a cancelled task`, () => {
      const wrong: string[] = [];
      for (const status of TASK_STATUSES) {
        for (const action of TASK_ACTIONS) {
          const value = taskContextValue({ status } as Task, [action]);
          const command = action === 'requeue' && status === 'cancelled' ? 'runboard.reopenTask' : TASK_ACTION_COMMAND[action];
          const expected = [...new Set([...TASK_WIDE, command, ...(TASK_ACTION_ALSO[action] ?? [])])].sort();
          const shown = menuCommands(view, value);
          if (JSON.stringify(shown) !== JSON.stringify(expected)) wrong.push(`${value}: ${shown.join(', ')}`);
        }
        const none = taskContextValue({ status } as Task, []);
        if (JSON.stringify(menuCommands(view, none)) !== JSON.stringify(TASK_WIDE))
          wrong.push(`${none}: ${menuCommands(view, none).join(', ')}`);
      }
      assert.deepEqual(wrong, []);
    });
  }
});

describe('task worktree menus', () => {
  const wt = { path: '/w/a', branch: 'runboard/r/a', base: 'main' };
  const shown = (task: Partial<Task>) => menuCommands('runboard.runs', taskContextValue({ status: 'done', ...task } as Task, []));
  it('Open Task Worktree while the worktree is there; Merge Task Branch… while a done task waits to be merged', () => {
    assert.deepEqual(shown({ worktree: { ...wt, state: 'kept' } }), [
      'runboard.mergeTaskBranch',
      'runboard.openTaskDetails',
      'runboard.openTaskWorktree',
    ]);
    assert.deepEqual(shown({ worktree: { ...wt, state: 'removed' } }), ['runboard.mergeTaskBranch', 'runboard.openTaskDetails']);
    assert.deepEqual(shown({ worktree: { ...wt, state: 'removed', merged_into: 'main' } }), ['runboard.openTaskDetails']);
    assert.deepEqual(shown({ status: 'in_progress', worktree: { ...wt, state: 'active' } }), [
      'runboard.openTaskDetails',
      'runboard.openTaskWorktree',
    ]);
    assert.deepEqual(shown({}), ['runboard.openTaskDetails']);
  });
});

describe('blackboard item menus', () => {
  const item = (extra: Partial<BlackboardItem> = {}): BlackboardItem => ({ id: 'x', ts_ms: 1, text: 'x', ...extra });
  const cases: [ItemList, BlackboardItem][] = [
    ['facts', item()],
    ['summary', item()],
    ['decisions', item()],
    ['decisions', item({ superseded_by: 'decision-2' })],
    ['open_questions', item({ question_status: 'open' })],
    ['closed_questions', item({ question_status: 'answered', answer: { ts_ms: 2, text: 'yes' } })],
    ['closed_questions', item({ question_status: 'resolved', resolution: { ts_ms: 2 } })],
  ];

  it('an item of a run of format 4 shows the commands of the actions it offers, and no others', () => {
    const wrong: string[] = [];
    for (const [section, entry] of cases) {
      const actions = itemActions({ format: 4 }, section, entry);
      const value = itemContextValue(section, entry, actions);
      const expected = actions.map((a) => ITEM_ACTION[a].command).sort();
      const shown = menuCommands('runboard.blackboard', value);
      if (JSON.stringify(shown) !== JSON.stringify(expected)) wrong.push(`${value}: ${shown.join(', ')}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('open questions are answered or resolved, closed ones reopened, current decisions superseded', () => {
    const offered = cases.map(([section, entry]) => itemContextValue(section, entry, itemActions({ format: 4 }, section, entry)));
    assert.deepEqual(offered, [
      'blackboard.fact;',
      'blackboard.summary;',
      'blackboard.decision.current;supersede;',
      'blackboard.decision.superseded;',
      'blackboard.question.open;answer;resolve;',
      'blackboard.question.answered;reopen;',
      'blackboard.question.resolved;reopen;',
    ]);
  });

  it('runs of formats before 4 offer none (the engine refuses the ops there)', () => {
    for (const [section, entry] of cases) assert.deepEqual(itemActions({ format: 3 }, section, entry), []);
    assert.deepEqual(itemActions({}, 'open_questions', item()), []);
  });

  it('every item action has its command, shown in the Blackboard only', () => {
    for (const a of ITEM_ACTIONS) {
      const value = `blackboard.question.open;${a};`;
      assert.deepEqual(menuCommands('runboard.blackboard', value), [ITEM_ACTION[a].command]);
      assert.deepEqual(menuCommands('runboard.runs', value), []);
    }
  });
});
