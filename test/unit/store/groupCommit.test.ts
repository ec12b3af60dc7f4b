// Group commit (issue 18, PROTOCOL.md §Files: the lock is the log): commands for one run that
// arrive while another commit holds the lock are decided in order, appended and synced once, and
// each caller is answered only after the sync that covers its lines; a command's own rejection
// leaves the rest of its group alone; subscribers hear every seq once, in order.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { after, describe, it } from 'node:test';
import { DomainError } from '../../../server/src/engine/errors';
import type { EventRecord } from '../../../contract/schemas/records';
import { logFile, openStore, readLogEvents, removeTree, tempRoot } from './helpers';

const roots: string[] = [];
after(() => roots.forEach(removeTree));

/** The module object itself (an import's namespace is a copy whose members cannot be replaced). */
const nodeFs: typeof fs = createRequire(__filename)('node:fs');

/**
 * Counts fdatasync calls, inline or on the thread pool (the real ones still run), and the log's size
 * at each, while `fn` runs. `outlastTurns`: a sync on the thread pool answers only after that many
 * more turns of the event loop — a disk slower than a turn, as a busy one is (a fast disk's sync may
 * end within the turn: then nothing arrives meanwhile, and how much groups is the disk's to say).
 */
async function withSyncsCounted<T>(
  file: () => string,
  fn: (synced: () => number[]) => Promise<T>,
  outlastTurns = 0,
): Promise<{ value: T; syncs: number[] }> {
  const [inline, offLoop] = [nodeFs.fdatasyncSync, nodeFs.fdatasync];
  const syncs: number[] = [];
  nodeFs.fdatasyncSync = (fd) => {
    inline(fd);
    syncs.push(fs.statSync(file()).size);
  };
  const later = (turns: number, f: () => void): void => (turns === 0 ? f() : void setImmediate(() => later(turns - 1, f)));
  nodeFs.fdatasync = ((fd: number, done: (e: NodeJS.ErrnoException | null) => void) =>
    offLoop(fd, (e) => {
      if (!e) syncs.push(fs.statSync(file()).size);
      later(outlastTurns, () => done(e));
    })) as typeof fs.fdatasync;
  try {
    return { value: await fn(() => syncs), syncs };
  } finally {
    nodeFs.fdatasyncSync = inline;
    nodeFs.fdatasync = offLoop;
  }
}

/** `n` appends, one per turn of the event loop — as a server reads its sockets' requests — answered after the sync covering each. */
async function appendsOnePerTurn(root: string, syncOffLoop: boolean, n: number): Promise<number> {
  const { store } = openStore(root, { durability: 'fsync', syncOffLoop });
  try {
    await store.execute('createRun', { run_id: 't', objective: 'one per turn' });
    const { syncs } = await withSyncsCounted(
      () => logFile(root, 't'),
      async (synced) => {
        const calls: Promise<boolean>[] = [];
        for (let i = 0; i < n; i++) {
          calls.push(
            store
              .execute('appendEvent', { run_id: 't', type: 'note', status: 'running', payload: { i } })
              .then((r) => synced().some((size) => size > fs.readFileSync(logFile(root, 't'), 'utf8').indexOf(`"seq":${r.event.seq},`))),
          );
          await new Promise((resolve) => setImmediate(resolve));
        }
        assert.ok((await Promise.all(calls)).every(Boolean), 'each answered after the sync that covers its line');
      },
      3,
    );
    assert.equal(readLogEvents(root, 't').length, n + 1);
    return syncs.length;
  } finally {
    store.close();
  }
}

describe('group commit', () => {
  it("a server's commands, arriving one per turn of the event loop while a sync runs on the thread pool, go together (syncOffLoop)", async () => {
    const [server, lone] = [tempRoot(), tempRoot()];
    roots.push(server, lone);
    const n = 40;
    const offLoop = await appendsOnePerTurn(server, true, n);
    const inline = await appendsOnePerTurn(lone, false, n);
    console.log(`one per turn: ${n} commands, ${offLoop} syncs off the loop, ${inline} inline`);
    // Each sync outlasts three turns (withSyncsCounted): the commands of those turns wait for it, and
    // go together next (three or more a sync after the first) — well under half as many syncs as
    // commands; inline, the loop waits for each.
    assert.equal(inline, n, 'inline: one sync per command');
    assert.ok(offLoop <= n / 2, `${n} commands took ${offLoop} syncs off the loop: too few were grouped`);
    // Inline, the loop waits for each sync: nothing arrives meanwhile (why a lone caller syncs inline: no hand-off to pay for).
    assert.equal(inline, n);
  });

  it('commands that arrive together share one sync, each answered only after the sync that covers it', async () => {
    const root = tempRoot();
    roots.push(root);
    const { store } = openStore(root, { durability: 'fsync' });
    const heard: EventRecord[] = [];
    store.on({ onCommit: (c) => heard.push(...c.events) });
    try {
      await store.execute('createRun', { run_id: 'g', objective: 'group commit' });
      const n = 40;
      const { value, syncs } = await withSyncsCounted(
        () => logFile(root, 'g'),
        async (synced) => {
          const answeredAt: boolean[] = [];
          const calls = Array.from({ length: n }, (_, i) =>
            store.execute('appendEvent', { run_id: 'g', type: 'note', status: 'running', payload: { i } }).then((r) => {
              // The bytes of this event's line were synced before this answer.
              const end = fs.readFileSync(logFile(root, 'g'), 'utf8').indexOf(`"seq":${r.event.seq},`);
              answeredAt.push(synced().some((size) => size > end));
              return r;
            }),
          );
          // One command of the group is refused: the others are not.
          const refused = store.execute('transitionTask', { run_id: 'g', task_id: 'nope', action: 'complete' }).catch((e: unknown) => e);
          const results = await Promise.all(calls);
          return { results, answeredAt, refused: await refused };
        },
      );
      assert.ok(value.answeredAt.every(Boolean), 'every caller was answered after the sync that covers its line');
      assert.ok(value.refused instanceof DomainError && value.refused.code === 'TASK_NOT_FOUND');
      const seqs = value.results.map((r) => r.event.seq);
      assert.deepEqual(
        [...seqs].sort((a, b) => a - b),
        Array.from({ length: n }, (_, i) => i + 2),
        'every command committed once, gapless',
      );
      assert.ok(syncs.length < n / 2, `${n} commands took ${syncs.length} syncs: they were grouped`);
      console.log(`group commit: ${n} commands, ${syncs.length} fdatasync calls`);
      assert.deepEqual(
        heard.map((e) => e.seq),
        readLogEvents(root, 'g').map((e) => e.seq),
        'subscribers heard every seq once, in order',
      );
    } finally {
      store.close();
    }
  });
});
