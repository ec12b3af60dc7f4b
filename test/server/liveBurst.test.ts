// Appends that follow each other closely from another process all arrive, each once and in order.
// chokidar drops a file's change events for 50 ms after emitting one (no trailing event), which is
// what the watcher's raw-event path is for. How fast they arrive is bench row 8 (p99 < 100 ms,
// back-to-back appends), not a target in this functional test.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RunService } from '../../server/src/service/runService';
import { ServerProcess, tempRoot, waitFor } from './serverProcess';

describe('live updates in a burst', () => {
  let server: ServerProcess | undefined;
  let writer: RunService | undefined;
  after(async () => {
    await server?.stop();
    writer?.close();
  });

  it('delivers each of 12 appends made back to back, once and in order', async () => {
    const root = tempRoot();
    // This process is the other writer: its own store on the same root, as the CLI would be.
    writer = new RunService([root], { durability: 'none' });
    await writer.execute('createRun', { run_id: 'burst', objective: 'x' });
    server = await ServerProcess.start([root]);
    const { subscription_id: sub } = await server.call('runboard/subscribe', { run_ids: ['burst'] });
    const arrived = () => server!.delivered(sub).map((e) => e.seq);
    await waitFor(() => arrived().includes(1), 3000, 'replay of seq 1');
    // A burst: each append right after the previous one, without waiting for its delivery.
    const seqs: number[] = [];
    for (let i = 0; i < 12; i++) {
      const { event } = await writer.execute('appendEvent', { run_id: 'burst', type: 'note', status: 'running', payload: { i } });
      seqs.push(event.seq);
    }
    await waitFor(() => seqs.every((seq) => arrived().includes(seq)) || undefined, 5000, `seqs ${seqs.join(', ')}`);
    assert.deepEqual(arrived(), [1, ...seqs], 'every event once, in order');
  });
});
