// The task filter (contract/taskFilter.ts) every view and the CLI read: keys by prefix, repeated
// keys as either, plain words in the task's text, quoted values, and an unknown key refused by name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesTaskFilter, parseTaskFilter } from '../../../contract/taskFilter';
import type { Task } from '../../../contract/schemas/records';
import { taskRecord } from './taskRecord';

const task = (over: Partial<Task>): Task =>
  taskRecord({ id: 't', payload: { title: 'Survey the docs', description: 'Read every page' }, ...over });

const matches = (filter: string, t: Task) => matchesTaskFilter(t, parseTaskFilter(filter));

describe('task filter', () => {
  it('keys match by prefix, ignoring case; a repeated key means either; every word must match', () => {
    const failed = task({
      id: 'deploy',
      status: 'failed',
      lease_owner: undefined,
      assigned_agent: 'Bob',
      last_error: 'Timeout at the gate',
    });
    assert.ok(matches('status:fail agent:bob', failed));
    assert.ok(matches('STATUS:failed status:blocked', failed));
    assert.ok(!matches('status:failed agent:ann', failed));
    assert.ok(matches('timeout', failed), 'text in the last error');
    assert.ok(matches('survey PAGE', failed), 'text in the title and description');
    assert.ok(!matches('survey nowhere', failed));
    assert.ok(matches('', failed), 'an empty filter matches all');
  });

  it('labels, types and ids; quoted values keep their spaces', () => {
    const t = task({ id: 'api-7', labels: ['needs review', 'backend'], task_type: 'implementation' });
    assert.ok(matches('label:"needs review" type:impl id:api', t));
    assert.ok(!matches('label:frontend', t));
  });

  it('an unknown key is refused, naming the keys there are', () => {
    assert.throws(
      () => parseTaskFilter('owner:bob'),
      /Unknown filter key "owner:" — use status:, type:, agent:, label:, id: or plain words \(text with a colon goes in quotes: "owner:bob"\)/,
    );
    // Quoted, a word with a colon is text.
    assert.deepEqual(parseTaskFilter('"Error: disk"').text, ['error: disk']);
  });

  it('a key without a value, and an exclusion, are refused (they matched every task, or none, silently)', () => {
    assert.throws(() => parseTaskFilter('status:'), /^Error: status: needs a value \(status:failed\)\.$/);
    assert.throws(() => parseTaskFilter('label:""'), /^Error: label: needs a value/);
    assert.throws(() => parseTaskFilter('-status:done'), /^Error: A filter keeps what matches; it cannot exclude \(-status:done\)/);
    assert.deepEqual(parseTaskFilter('-x').text, ['-x'], 'a plain word with a dash is text');
  });

  it('an unclosed quote is refused (it matched nothing, silently)', () => {
    assert.throws(() => parseTaskFilter('label:"unterminated'), /^Error: A quote is not closed: label:"unterminated — close it/);
    assert.deepEqual(parseTaskFilter('label:"needs review"').keys.label, ['needs review']);
  });

  it('a status no status starts with is refused, naming the statuses (it matched nothing, silently)', () => {
    assert.throws(() => parseTaskFilter('status:bogus'), /^Error: No status starts with "bogus" — use pending, runnable, .*cancelled\.$/);
    assert.deepEqual(parseTaskFilter('status:in').keys.status, ['in']);
  });

  it('one Unicode form: "é" typed as one character finds "é" written as e and a combining accent, both ways, in text and keys', () => {
    const composed = 'Caf\u00e9 menu';
    const decomposed = 'Cafe\u0301 menu';
    assert.ok(matches('caf\u00e9', task({ payload: { title: decomposed } })));
    assert.ok(matches('cafe\u0301', task({ payload: { title: composed } })));
    assert.ok(matches('label:caf\u00e9', task({ labels: ['Cafe\u0301'] })));
    assert.ok(!matches('cafe menu', task({ payload: { title: composed } })), 'an accent still counts');
  });
});
