// The CLI next to a running server: a claim made by a CLI process shows up live in a
// dist/server.js subscription, and `runboard serve --stdio` is that same server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { after, afterEach, before, describe, it } from 'node:test';
import * as rpc from 'vscode-jsonrpc/node';
import { ServerProcess } from '../server/serverProcess';
import { assertBuilt, cleanEnv, CLI_JS, cliJson, removeTempWorkspaces, seedRun, tempWorkspace, waitFor } from './cliHarness';

before(assertBuilt);
after(removeTempWorkspaces);

const servers: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe('the CLI next to the server', () => {
  it('a claim by the CLI appears live in a running dist/server.js subscription', async () => {
    const root = tempWorkspace();
    seedRun(root, 'shared', [{ id: 'job', task_type: 'work' }]);
    const server = await ServerProcess.start([root]);
    servers.push(server);
    const { subscription_id: sub } = await server.call('runboard/subscribe', { run_ids: ['shared'] });
    await waitFor(() => server.delivered(sub).length === 2, 5000, 'the replay of the existing events');

    const claimed = cliJson(root, ['--agent', 'cli-agent', 'claim']).task;
    const live = await waitFor(() => server.delivered(sub).find((e) => e.type === 'context.task.claimed'), 5000, 'the claim');
    assert.equal(live.seq, 3);
    assert.equal(live.task_id, 'job');
    assert.equal((live.payload as any).task.lease_token, claimed.lease_token);
    assert.equal((live.payload as any).agent_id, 'cli-agent');

    // The server folded it too: its own view has the lease, and the CLI's complete reaches it.
    const { run } = await server.call('runboard/getRun', { run_id: 'shared' });
    assert.equal(run.tasks[0].lease_owner, 'cli-agent');
    cliJson(root, ['complete', '--token', claimed.lease_token]);
    await waitFor(() => server.delivered(sub).find((e) => e.type === 'context.task.completed'), 5000, 'the completion');
    assert.deepEqual(
      server.delivered(sub).map((e) => e.seq),
      [1, 2, 3, 4],
    );
  });

  it('runboard serve --stdio is the server: initialize, then the protocol', async () => {
    const root = tempWorkspace();
    seedRun(root, 'served');
    const child = spawn(process.execPath, [CLI_JS, 'serve', '--stdio'], { env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
    conn.listen();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const init: any = await conn.sendRequest('initialize', {
        processId: process.pid,
        rootUri: null,
        capabilities: {},
        workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'root' }],
      });
      assert.equal(init.serverInfo.name, 'runboard');
      await conn.sendNotification('initialized', {});
      const { runs }: any = await conn.sendRequest('runboard/listRuns', {});
      assert.deepEqual(
        runs.map((r: any) => r.run_id),
        ['served'],
      );
      await conn.sendRequest('shutdown');
      await conn.sendNotification('exit');
      assert.equal(await exited, 0);
    } finally {
      conn.dispose();
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('serve without a transport is a usage error', () => {
    const r = cliJson(tempWorkspace(), ['serve'], 2);
    assert.equal(r.error.code, 'USAGE');
  });
});
