// Writers racing compaction, each in its own process, through the root's server and directly: a run
// compacted and restored over and over (every write to a compacted run restores it) while writers append. Each write lands exactly once,
// and none fails — a write that met the run between its moves (its lock closed under it, its log
// gone from the path, a seal read after the restore removed it) is done again on what is there,
// as PROTOCOL.md §compactRun says.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { assertBuilt, cliAsync, cliJson, removeTempWorkspaces, startHeadless, stopHeadless, tempWorkspace } from '../cli/cliHarness';

after(async () => {
  await stopHeadless();
  removeTempWorkspaces();
});

describe('writers racing compaction', () => {
  it('every write lands exactly once, none refused', async () => {
    assertBuilt();
    const root = tempWorkspace();
    cliJson(root, ['run', 'create', 'Raced', '--id', 'race']);
    cliJson(root, ['run', 'complete', 'race']);
    await startHeadless(root, ['--idle-timeout', '0']);
    const direct = { RUNBOARD_ROUTE: '0' };
    const routed = {};
    const writer = async (name: string, count: number, env: Record<string, string>) => {
      const failures: string[] = [];
      for (let i = 0; i < count; i++) {
        const r = await cliAsync(['--root', root, '--run', 'race', 'fact', 'add', `${name}-${i}`], { env });
        if (r.status !== 0) failures.push(r.stderr.trim());
      }
      return failures;
    };
    const compactor = async (rounds: number) => {
      for (let i = 0; i < rounds; i++) {
        await cliAsync(['--root', root, '--run', 'race', 'run', 'compact'], { env: routed });
        await cliAsync(['--root', root, '--run', 'race', 'run', 'compact'], { env: direct });
      }
    };
    const written = await Promise.all([writer('a', 30, routed), writer('b', 30, direct), writer('c', 30, direct), compactor(20)]);
    assert.deepEqual(written.flat().filter(Boolean), [], 'no write refused');
    const { events } = cliJson(root, ['run', 'events', 'race']);
    const facts = events.flatMap((e: { payload?: { op?: string; payload?: { text: string } } }) =>
      e.payload?.op === 'add_fact' ? [e.payload.payload!.text] : [],
    );
    assert.equal(facts.length, 90, 'each once');
    assert.equal(new Set(facts).size, 90);
  });
});
