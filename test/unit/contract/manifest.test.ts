// package.json cannot import the contract, so the values it repeats are checked against it here:
// the lease setting's default and bounds, the durability setting's choices, and which menus a
// run, task or blackboard item shows (test/unit/client/menus.test.ts: which item shows which).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DURABILITIES, LEASE } from '../../../contract/limits';
import { ATTENTION_KINDS } from '../../../contract/attention';
import { RUN_ACTIONS, runActions, type RunAction } from '../../../contract/runRules';
import { RUN_STATUSES } from '../../../contract/statuses';
import { TASK_ACTIONS } from '../../../contract/taskRules';
import { runContextValue } from '../../../client/src/runs/runActions';
import { ITEM_ACTIONS } from '../../../contract/blackboardRules';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
const setting = (key: string) => manifest.contributes.configuration.properties[`runboard.${key}`];

describe('package.json settings follow the contract', () => {
  it("runboard.defaultLeaseMs: the contract's default for agents, and its bounds", () => {
    const s = setting('defaultLeaseMs');
    assert.deepEqual([s.default, s.minimum, s.maximum], [LEASE.agentDefaultMs, LEASE.minMs, LEASE.maxMs]);
  });
  it("runboard.durability: the contract's choices", () => {
    assert.deepEqual(setting('durability').enum, [...DURABILITIES]);
  });
  it("runboard.notifyOn: the contract's attention kinds, each described; leases about to run out and a person's pause quiet by default", () => {
    const s = setting('notifyOn');
    assert.deepEqual(s.items.enum, [...ATTENTION_KINDS]);
    assert.equal(s.items.enumDescriptions.length, ATTENTION_KINDS.length);
    assert.deepEqual(
      s.default,
      ATTENTION_KINDS.filter((k) => k !== 'lease_expiring' && k !== 'run_paused'),
    );
  });
});

/** Every context-menu entry of a view item: its command and the viewItem pattern of its `when`. */
function itemMenus(): { command: string; viewItem: RegExp | string }[] {
  const entries = (manifest.contributes.menus['view/item/context'] ?? []) as { command: string; when: string }[];
  return entries.map(({ command, when }) => {
    const re = /viewItem =~ \/(.+?)\/(?:\s|$)/.exec(when);
    const eq = /viewItem == ([\w.]+)/.exec(when);
    return { command, viewItem: re ? new RegExp(re[1]) : (eq?.[1] ?? '') };
  });
}

const shown = (viewItem: RegExp | string, value: string) => (typeof viewItem === 'string' ? viewItem === value : viewItem.test(value));

describe("package.json menus follow the contract's run and task actions", () => {
  const RUN_ACTION_OF: Record<string, RunAction> = {
    'runboard.claimNextTask': 'claim',
    'runboard.createTasksFromFile': 'createTasks',
    'runboard.addTask': 'createTasks',
    'runboard.completeRun': 'complete',
    'runboard.failRun': 'fail',
    'runboard.pauseRun': 'pause',
    'runboard.resumeRun': 'resume',
    'runboard.approvePlan': 'approve',
    'runboard.cancelRun': 'cancel',
    'runboard.reopenRun': 'reopen',
    'runboard.archiveRun': 'archive',
    'runboard.compactRun': 'archive',
  };

  it('a run offers a command exactly when runActions says so, in every status, bound or not, mismatched or not', () => {
    const wrong: string[] = [];
    for (const status of RUN_STATUSES) {
      for (const [bound, mismatch] of [
        [false, false],
        [true, false],
        [true, true],
      ]) {
        const value = runContextValue(status, bound, mismatch);
        for (const { command, viewItem } of itemMenus().filter((m) => RUN_ACTION_OF[m.command] && String(m.viewItem).includes('^run'))) {
          if (shown(viewItem, value) !== runActions(status).includes(RUN_ACTION_OF[command])) wrong.push(`${command} on ${value}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('every action a menu names is one the contract defines', () => {
    const named = itemMenus().flatMap((m) => [...String(m.viewItem).matchAll(/;(\w+);/g)].map((x) => x[1]));
    assert.ok(named.length >= 10, 'the menus name actions');
    const known = new Set<string>([...RUN_ACTIONS, ...TASK_ACTIONS, ...ITEM_ACTIONS]);
    assert.deepEqual(
      named.filter((a) => !known.has(a)),
      [],
    );
  });
});
