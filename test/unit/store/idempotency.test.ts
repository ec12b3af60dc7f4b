// command_id dedupe across processes and restarts: the index is rebuilt from the events in the
// log, so any process's store recognizes a repeat and answers with the original result.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { DomainError } from '../../../server/src/engine/errors';
import { finished, killAllWorkers, openStore, readLogEvents, removeTree, runFolder, startWorker, tempRoot } from './helpers';

const roots: string[] = [];
after(() => {
  killAllWorkers();
  for (const r of roots) removeTree(r);
});

const conflict = (e: unknown) => e instanceof DomainError && e.code === 'COMMAND_ID_CONFLICT' && e.details.command_id !== undefined;

type Reply = { result?: any; error?: { code?: string } };

/** A store in another process (workers/commands.ts); `call` runs one method there. */
async function otherProcess(root: string): Promise<{ call(method: string, params: object): Promise<Reply>; end(): Promise<void> }> {
  const w = startWorker('commands', [root]);
  await w.waitForLine((l) => (l as { ready?: boolean }).ready === true);
  let answered = 1;
  return {
    async call(method, params) {
      const index = answered++;
      w.send(JSON.stringify({ method, params }));
      await w.waitForLine((l) => w.lines.indexOf(l) === index);
      return w.lines[index] as Reply;
    },
    async end() {
      w.child.stdin!.end();
      await finished(w);
    },
  };
}

describe('idempotency across processes', () => {
  it('a command_id used by one process is a repeat for another, and after restarts', async () => {
    const root = tempRoot();
    roots.push(root);
    const q = openStore(root, { snapshotDelayMs: null });
    await q.store.execute('createRun', { run_id: 'idem', objective: 'dedupe' });
    await q.store.execute('createTasks', {
      run_id: 'idem',
      tasks: [
        { id: 't1', task_type: 'work' },
        { id: 't2', task_type: 'work' },
      ],
    });
    const claim = { run_id: 'idem', agent_id: 'w', task_id: 't1', lease_ms: 300_000, command_id: 'claim-1' };

    // Another process claims; this store (already loaded) sees the repeat.
    const other = await otherProcess(root);
    const original = await other.call('claimTask', claim);
    const task = original.result.task;
    assert.equal(task.id, 't1');
    assert.match(task.lease_token, /^lease-/);
    const logLength = readLogEvents(root, 'idem').length;

    const repeat = await q.store.execute('claimTask', claim);
    assert.equal(repeat.deduped, true);
    assert.deepEqual(repeat.task, task, 'the same task and lease token');
    // Key order and `root` are not part of the fingerprint.
    const reordered = await q.store.execute('claimTask', {
      command_id: 'claim-1',
      lease_ms: 300_000,
      task_id: 't1',
      agent_id: 'w',
      run_id: 'idem',
      root: q.store.rootPaths()[0],
    });
    assert.deepEqual(reordered, repeat);
    assert.equal(readLogEvents(root, 'idem').length, logLength, 'repeats write nothing');

    // Other params or another method under the same id.
    await assert.rejects(q.store.execute('claimTask', { ...claim, agent_id: 'other' }), conflict);
    await assert.rejects(q.store.execute('claimTask', { ...claim, lease_ms: 60_000 }), conflict);
    await assert.rejects(
      q.store.execute('appendEvent', { run_id: 'idem', type: 'note', status: 'running', command_id: 'claim-1' }),
      conflict,
    );
    const otherConflict = await other.call('claimTask', { ...claim, agent_id: 'other' });
    assert.equal(otherConflict.error?.code, 'COMMAND_ID_CONFLICT');

    // The lease ends; the repeat still answers with the original claim.
    await q.store.execute('transitionTask', { run_id: 'idem', task_id: 't1', action: 'complete', lease_token: task.lease_token });
    assert.deepEqual((await q.store.execute('claimTask', claim)).task, task);

    // Commands from this process are repeats for another one too.
    const note = { run_id: 'idem', type: 'note', status: 'running', payload: { n: 1 }, command_id: 'note-1' };
    const appended = await q.store.execute('appendEvent', note);
    const made = await q.store.execute('createTasks', { run_id: 'idem', tasks: [{ id: 't3', task_type: 'work' }], command_id: 'make-1' });
    await q.store.execute('appendEvent', { run_id: 'idem', type: 'note', status: 'running' });
    const noteElsewhere = await other.call('appendEvent', note);
    assert.equal(noteElsewhere.result.deduped, true);
    assert.deepEqual(noteElsewhere.result.event, appended.event);
    assert.deepEqual(noteElsewhere.result.run, appended.run, 'the run as it was right after the original command');
    const madeElsewhere = await other.call('createTasks', {
      run_id: 'idem',
      tasks: [{ id: 't3', task_type: 'work' }],
      command_id: 'make-1',
    });
    assert.deepEqual(madeElsewhere.result, { ...made, deduped: true });
    const claimElsewhere = await other.call('claimTask', claim);
    assert.deepEqual(claimElsewhere.result, { task, deduped: true });

    // A claim that finds nothing records nothing: its id stays free.
    const none = await q.store.execute('claimTask', { run_id: 'idem', agent_id: 'w', task_type: 'absent', command_id: 'empty-1' });
    assert.equal(none.task, null);
    const reused = await q.store.execute('appendEvent', { run_id: 'idem', type: 'note', status: 'running', command_id: 'empty-1' });
    assert.equal(reused.deduped, undefined);
    const finalLength = readLogEvents(root, 'idem').length;
    q.store.close();
    await other.end();

    // After a restart: from the caches, from the log when index.json is missing, or unreadable.
    const indexFile = path.join(runFolder(root, 'idem'), 'index.json');
    const restarts: [string, () => void][] = [
      [
        'caches written',
        () => {
          const w = openStore(root);
          w.store.flush();
          w.store.close();
        },
      ],
      ['index.json missing', () => fs.rmSync(indexFile, { force: true })],
      ['index.json unreadable', () => fs.writeFileSync(indexFile, 'not json')],
    ];
    for (const [how, prepare] of restarts) {
      prepare();
      if (how === 'caches written') assert.ok(fs.existsSync(indexFile));
      const r = openStore(root, { snapshotDelayMs: null });
      try {
        const again = await r.store.execute('claimTask', claim);
        assert.deepEqual(again, { task, deduped: true }, how);
        assert.equal((await r.store.execute('appendEvent', note)).deduped, true, how);
        await assert.rejects(r.store.execute('appendEvent', { ...note, payload: { n: 2 } }), conflict, how);
        assert.equal(readLogEvents(root, 'idem').length, finalLength, how);
        if (how === 'index.json unreadable') assert.ok(r.diagnostics.some((d) => d.file === indexFile));
      } finally {
        r.store.close();
      }
    }
  });

  it('two processes racing with one command_id: one commits, the other gets the repeat', async () => {
    const root = tempRoot();
    roots.push(root);
    const q = openStore(root);
    await q.store.execute('createRun', { run_id: 'race', objective: 'race' });
    await q.store.execute('createTasks', {
      run_id: 'race',
      tasks: Array.from({ length: 5 }, (_, i) => ({ id: `t${i}`, task_type: 'work' })),
    });
    q.store.close();
    const claim = { run_id: 'race', agent_id: 'w', lease_ms: 300_000, command_id: 'same' };
    const [x, y] = await Promise.all([otherProcess(root), otherProcess(root)]);
    const [a, b] = await Promise.all([x.call('claimTask', claim), y.call('claimTask', claim)]);
    await Promise.all([x.end(), y.end()]);
    assert.deepEqual(a.result.task, b.result.task);
    assert.equal([a, b].filter((x) => x.result.deduped === true).length, 1);
    const claims = readLogEvents(root, 'race').filter((e) => e.type === 'context.task.claimed');
    assert.equal(claims.length, 1);
    assert.equal(claims[0].command_id, 'same');
    assert.equal(claims[0].command_method, 'claimTask');
  });
});
