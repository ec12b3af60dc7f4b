// The CLI on an old node first on PATH (the terminal shims prefer it): the editor's runtime runs
// it again when the terminal names one, else it says what to do — once, never in a loop.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MIN_NODE_MAJOR, nodeGate } from '../../../server/src/cli/nodeVersionGate';
import packageJson from '../../../package.json';

describe('the Node version gate of dist/cli.js', () => {
  it("is package.json's engines.node", () => {
    assert.equal(packageJson.engines.node, `>=${MIN_NODE_MAJOR}`);
  });

  it('runs on Node 20 and later', () => {
    for (const v of ['v20.0.0', 'v22.11.0', 'v24.1.0']) assert.deepEqual(nodeGate(v, '/usr/bin/node', {}), { run: true });
  });

  it("on an older one, runs again on the editor's runtime that the terminal names", () => {
    const editor = '/opt/vscode/code';
    assert.deepEqual(nodeGate('v18.19.1', '/usr/bin/node', { RUNBOARD_NODE: editor }), { again: editor });
  });

  it('says what to do when there is none, or it is the one running, or it was tried already', () => {
    for (const [execPath, env] of [
      ['/usr/bin/node', {}],
      ['/opt/vscode/code', { RUNBOARD_NODE: '/opt/vscode/code' }],
      ['/opt/vscode/code', { RUNBOARD_NODE: '/opt/vscode/code-other', RUNBOARD_NODE_GATE: '1' }],
    ] as const) {
      const gate = nodeGate('v16.20.2', execPath, env);
      assert.ok('refuse' in gate, JSON.stringify(gate));
      assert.equal(
        gate.refuse,
        `runboard: it needs Node.js 20 or later, and this is Node v16.20.2 (${execPath}), the first node on PATH. Install a newer Node.js, or run it from a VS Code terminal with Runboard enabled without this node on PATH (the editor's runtime then runs it).`,
      );
    }
  });
});
