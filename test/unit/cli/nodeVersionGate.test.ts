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

  it('says what to do when there is none: a newer node, or a VS Code terminal', () => {
    const gate = nodeGate('v16.20.2', '/usr/bin/node', {});
    assert.deepEqual(gate, {
      refuse:
        "runboard: it needs Node.js 20 or later, and the node that ran it (/usr/bin/node) is v16.20.2: install a newer Node.js (first on PATH), or run runboard from a VS Code terminal with Runboard enabled, where the editor's runtime runs it when node is too old.",
    });
  });

  it("when the editor's runtime is the old one (it is running, or it was tried already): update VS Code", () => {
    for (const [execPath, env] of [
      ['/opt/vscode/code', { RUNBOARD_NODE: '/opt/vscode/code' }],
      ['/opt/vscode/code', { RUNBOARD_NODE: '/opt/vscode/code', RUNBOARD_NODE_GATE: '1' }],
    ] as const) {
      assert.deepEqual(nodeGate('v18.19.1', execPath, env), {
        refuse:
          "runboard: it needs Node.js 20 or later, and the editor's runtime (/opt/vscode/code) is Node v18.19.1: update VS Code, or install Node.js 20+ on PATH.",
      });
    }
  });
});
