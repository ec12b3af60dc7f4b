// The extension and the webview carry the contract, not the engine: their bundles (built here the
// way esbuild.mjs builds them) hold no zod, no schemas and no server code.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as esbuild from 'esbuild';

const REPO = path.resolve(__dirname, '..', '..', '..');

async function bundleInputs(entry: string, platform: 'node' | 'browser'): Promise<string[]> {
  const r = await esbuild.build({
    absWorkingDir: REPO,
    entryPoints: [entry],
    bundle: true,
    platform,
    format: platform === 'node' ? 'cjs' : 'iife',
    external: ['vscode'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.keys(r.metafile.inputs);
}

const isZod = (input: string) => /(^|\/)node_modules\/zod\//.test(input);
const isServerCode = (input: string) => input.startsWith('server/src/');
/** Task worktrees' git work runs where the repository is: in the CLI and in the extension host (PROTOCOL.md §Worktrees). */
const isWorktreeCode = (input: string) => /^server\/src\/worktrees\/\w+\.ts$/.test(input);

describe('client bundles', () => {
  it("the extension bundles the contract, the server's message table and the worktrees' git work, no other server code and no zod", async () => {
    const inputs = await bundleInputs('client/src/extension.ts', 'node');
    assert.ok(
      inputs.includes('contract/taskRules.ts') && inputs.includes('server/src/protocol.ts'),
      'the rules come from the contract, the messages from protocol.ts',
    );
    assert.deepEqual(
      inputs.filter(
        (i) => isZod(i) || (isServerCode(i) && i !== 'server/src/protocol.ts' && !isWorktreeCode(i)) || i.startsWith('contract/schemas/'),
      ),
      [],
    );
  });

  it('the webview bundles no server code, no zod and no JSON-RPC', async () => {
    const inputs = await bundleInputs('media/src/board.ts', 'browser');
    assert.deepEqual(
      inputs.filter((i) => isZod(i) || isServerCode(i) || i.includes('jsonrpc')),
      [],
    );
  });
});
