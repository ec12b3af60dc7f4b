// Whose board a folder shows (boardRoot.ts), on git's own file layout made by hand: a linked
// worktree without runs shows its main worktree's board; one with runs of its own, a submodule,
// a bare repository's worktree, a main worktree and a plain folder show their own.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { boardRootOf, mainWorktreeOf } from '../../../server/src/worktrees/boardRoot';

const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-boardroot-')));
after(() => fs.rmSync(base, { recursive: true, force: true }));

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** A main worktree `main/` (with `.git/`), and a linked worktree `name` of it, laid out as `git worktree add` does. */
function linked(name: string, gitdirLine = (g: string) => `gitdir: ${g}\n`): { main: string; wt: string } {
  const main = path.join(base, name, 'main');
  const wt = path.join(base, name, 'wt');
  const own = path.join(main, '.git', 'worktrees', 'wt');
  write(path.join(own, 'commondir'), '../..\n');
  write(path.join(wt, '.git'), gitdirLine(own));
  return { main, wt };
}

describe('boardRootOf', () => {
  it("a linked worktree shows its main worktree's board — once the main worktree has one, and while it has no runs of its own", () => {
    const { main, wt } = linked('a');
    assert.equal(mainWorktreeOf(wt), main);
    assert.equal(boardRootOf(wt), wt, 'no board in the main worktree yet');
    fs.mkdirSync(path.join(main, '.runboard', 'runs'), { recursive: true });
    assert.equal(boardRootOf(wt), main);
    write(path.join(wt, '.runboard', '.gitignore'), '/*\n'); // what `runboard init` committed
    assert.equal(boardRootOf(wt), main, 'a checked-out .runboard/.gitignore is not a board');
    fs.mkdirSync(path.join(wt, '.runboard', 'runs'));
    assert.equal(boardRootOf(wt), wt, 'runs of its own: its own board');
    assert.equal(boardRootOf(main), main);
  });

  it('a gitdir relative to the worktree, with CRLF, is read too', () => {
    const { main, wt } = linked('b', () => 'gitdir: ../main/.git/worktrees/wt\r\n');
    fs.mkdirSync(path.join(main, '.runboard'), { recursive: true });
    assert.equal(boardRootOf(wt), main);
  });

  it('a submodule (no commondir), a bare repository and plain folders are their own roots', () => {
    const sub = path.join(base, 'c', 'super', 'lib');
    write(path.join(sub, '.git'), 'gitdir: ../.git/modules/lib\n');
    fs.mkdirSync(path.join(base, 'c', 'super', '.git', 'modules', 'lib'), { recursive: true });
    fs.mkdirSync(path.join(base, 'c', 'super', '.runboard'), { recursive: true });
    assert.equal(mainWorktreeOf(sub), undefined);
    assert.equal(boardRootOf(sub), sub);

    const bareWt = path.join(base, 'd', 'wt');
    const own = path.join(base, 'd', 'repo.git', 'worktrees', 'wt');
    write(path.join(own, 'commondir'), '../..\n');
    write(path.join(bareWt, '.git'), `gitdir: ${own}\n`);
    assert.equal(mainWorktreeOf(bareWt), undefined, 'a bare repository has no main worktree');

    const plain = path.join(base, 'e');
    fs.mkdirSync(plain);
    assert.equal(boardRootOf(plain), plain);
    write(path.join(plain, '.git'), 'not a gitdir line\n');
    assert.equal(boardRootOf(plain), plain);
  });
});
