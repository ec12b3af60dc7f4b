// The list guesses (`runboard run list` → `runboard runs`) replace only the command words, after
// any global options and their values, and nothing else.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withListGuesses } from '../../../server/src/cli/listGuesses';

const words = (line: string) =>
  withListGuesses(['node', 'runboard', ...line.split(' ').filter(Boolean)])
    .slice(2)
    .join(' ');

describe('list guesses', () => {
  it('read `<word> list` as the command that lists it', () => {
    assert.equal(words('run list'), 'runs');
    assert.equal(words('runs list --status queued'), 'runs --status queued');
    assert.equal(words('checkpoint list'), 'checkpoints');
    assert.equal(words('fact list r1'), 'blackboard r1');
  });

  it('look past global options and their values', () => {
    assert.equal(words('--root run --json run list'), '--root run --json runs');
    assert.equal(words('--run=list checkpoints list'), '--run=list checkpoints');
    assert.equal(words('run --json list'), 'runs --json');
    assert.equal(words('checkpoints --run list list'), 'checkpoints --run list', 'the run named list stays its value');
    assert.equal(words('checkpoint --run r1 --json list'), 'checkpoints --run r1 --json');
  });

  it('read a group named alone as its listing', () => {
    assert.equal(words('tasks'), 'tasks list');
    assert.equal(words('tasks --status failed'), 'tasks list --status failed');
    assert.equal(words('--json tasks'), '--json tasks list');
    assert.equal(words('run'), 'run show');
    assert.equal(words('run --json'), 'run show --json', 'global options stay where they were');
    assert.equal(words('--root r run'), '--root r run show');
  });

  it('leave everything else alone', () => {
    for (const line of [
      'run show list',
      'run create list',
      'tasks list',
      'claim list',
      'run r1',
      'tasks lsit',
      'tasks --help',
      'run -h',
      'tasks -- x',
      'checkpoint --reason list',
      '-- run list',
      '',
    ]) {
      assert.equal(words(line), line, line);
    }
  });
});
