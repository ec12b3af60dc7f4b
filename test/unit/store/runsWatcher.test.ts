// The watcher of runs/ when its file-system events never come (a network share, the Windows side
// of WSL, inotify's limits): its one-a-second look still finds a run folder another process made,
// and a folder it reported is not reported again by that look.
import assert from 'node:assert/strict';
import chokidar, { type ChokidarOptions } from 'chokidar';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { RunsWatcher } from '../../../server/src/store/file/runsWatcher';
import { tempRoot, waitFor } from './helpers';

describe('runs watcher', () => {
  it('finds a run folder its watcher never reported', async () => {
    const root = tempRoot();
    const runs = path.join(root, 'runs');
    const decoy = path.join(root, 'decoy');
    fs.mkdirSync(runs);
    fs.mkdirSync(decoy);
    // A real chokidar watcher on another folder: it gets ready, and never reports anything in runs/.
    let ready!: Promise<void>;
    const deaf = ((_: unknown, options: ChokidarOptions) => {
      const w = chokidar.watch(decoy, options);
      ready = new Promise((resolve) => w.once('ready', () => resolve()));
      return w;
    }) as typeof chokidar.watch;
    const changed: string[] = [];
    const watcher = new RunsWatcher(runs, { changed: (id) => changed.push(id), poll: () => undefined }, deaf);
    try {
      await ready;
      fs.mkdirSync(path.join(runs, 'theirs'));
      fs.writeFileSync(path.join(runs, 'theirs', 'events.jsonl'), '{}\n');
      fs.writeFileSync(path.join(runs, '.creating'), '');
      await waitFor('the poll to find the run', () => changed.includes('theirs') || undefined, 5000);
      // Two more looks: the run is known now, and the lock file is no run.
      const looks = changed.length;
      await new Promise((resolve) => setTimeout(resolve, 2200));
      assert.deepEqual(changed.slice(looks), [], 'reported once');
      assert.equal(changed.includes('.creating'), false);
    } finally {
      await watcher.close();
    }
  });

  it('a runs/ that appears is watched at the quick look for it, not the slow poll (the first run reaches subscribers within 500 ms)', (t) => {
    const root = tempRoot();
    const runs = path.join(root, 'runs');
    t.mock.timers.enable({ apis: ['setInterval'] });
    // A watch that only records what it was asked to watch (a watcher whose events never come).
    const watched: string[] = [];
    const recording = ((dir: string) => {
      watched.push(dir);
      const w: Record<string, unknown> = { add: () => undefined, close: async () => undefined };
      w.on = () => w;
      return w;
    }) as unknown as typeof chokidar.watch;
    const watcher = new RunsWatcher(runs, { changed: () => undefined, poll: () => undefined }, recording);
    try {
      t.mock.timers.tick(1000);
      assert.deepEqual(watched, [], 'no runs/ yet: nothing to watch, nothing made');
      fs.mkdirSync(runs);
      t.mock.timers.tick(150);
      assert.deepEqual(watched, [runs], 'watched at the next quick look (until this change: at the next 1 s poll)');
    } finally {
      void watcher.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
