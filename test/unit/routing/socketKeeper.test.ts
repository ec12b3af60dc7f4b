// The editor's server's socket keeper (rpc/socketKeeper.ts): a root opened without .runboard/ is
// not served, and is served as soon as .runboard/ appears — by watching the root's top folder, not
// at the next retry (set here to an hour, so only the watch can do it).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { RUNBOARD_DIR, SERVER_FILE } from '../../../contract/layout';
import { SocketKeeper } from '../../../server/src/rpc/socketKeeper';
import { RunService } from '../../../server/src/service/runService';
import { waitFor } from '../../server/serverProcess';
import { tempRoot } from '../store/helpers';

const HOUR = 3_600_000;

describe('SocketKeeper', () => {
  it('serves a root once .runboard/ appears in it, without waiting for a retry', async () => {
    const root = fs.realpathSync(tempRoot());
    const store = new RunService([root], { durability: 'none' });
    const said: string[] = [];
    const keeper = new SocketKeeper(store, (m) => said.push(m), HOUR);
    try {
      keeper.add(store.rootPaths()[0]);
      const announcement = path.join(root, RUNBOARD_DIR, SERVER_FILE);
      // Nothing is made in a folder the editor merely opened.
      await new Promise((r) => setImmediate(r));
      assert.equal(fs.existsSync(path.join(root, RUNBOARD_DIR)), false);

      fs.mkdirSync(path.join(root, RUNBOARD_DIR)); // as `runboard init` or a first run does
      const served = await waitFor(
        () => fs.existsSync(announcement) && JSON.parse(fs.readFileSync(announcement, 'utf8')),
        10_000,
        'the announcement',
      );
      assert.equal(served.pid, process.pid);
      assert.ok(
        said.some((m) => m.startsWith(`serving the socket of ${store.rootPaths()[0]}`)),
        said.join('\n'),
      );
    } finally {
      await keeper.stop();
      store.close();
    }
  });
});
