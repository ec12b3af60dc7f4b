// A git worktree per task (PROTOCOL.md §Worktrees): made when a task is claimed with a worktree —
// outside the workspace (so the editor's watchers and search do not index copies of the
// repository), on a branch named after the run and task, based on the branch a dependency left,
// else on HEAD —, reused by the task's next attempt, and on completion removed when clean (the
// branch stays) or kept, saying so, when it holds uncommitted changes. `git worktree add` and
// `remove`, merges and rebases are serialised per repository by a lock in its git folder
// (proper-lockfile).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Task, TaskWorktree } from '../../../contract/schemas/records';
import type { MergeWay } from '../../../contract/taskRules';
import { DomainError } from '../../../contract/domainError';
import { deviceSafe } from '../../../contract/fileNames';
import { branchContainedIn, branchExists, checkedOutBranch, git, gitOrEmpty, repositoryTop } from './git';

/** Where worktrees go: RUNBOARD_WORKTREES, else a folder beside the repository's: <repo>.worktrees/. */
export function worktreesHome(top: string, env: NodeJS.ProcessEnv): string {
  const configured = env.RUNBOARD_WORKTREES?.trim();
  return configured ? path.resolve(configured) : path.join(path.dirname(top), `${path.basename(top)}.worktrees`);
}

/**
 * A branch name git accepts, from a run or task id (ids are [A-Za-z0-9._-]: `..`, a leading dot and
 * a name ending in `.lock` or `.` need care — a task "a.lock" was refused by git on every claim).
 */
export function refPart(id: string): string {
  // A branch is a file under .git/refs too: on Windows a device name cannot be one.
  return deviceSafe(
    id
      .replace(/\.\.+/g, '-')
      .replace(/^\./, '_')
      .replace(/\.lock$/i, '_lock')
      .replace(/\.$/, '_'),
  );
}

/** A task id as its worktree's folder name: Windows drops a trailing dot ("a." would be task a's folder) and refuses device names. */
export function folderPart(id: string): string {
  return deviceSafe(id.endsWith('.') ? `${id}_` : id);
}

/** `body` while this process holds the repository's worktree lock (waiting up to about 30 s for another). */
async function serialised<T>(top: string, body: () => Promise<T>): Promise<T> {
  const gitDir = path.resolve(top, await git(top, ['rev-parse', '--git-common-dir']));
  // Loaded here, not with the module: the CLI imports this for every claim, and proper-lockfile's
  // graceful-fs patches `fs` in the process that loads it — only worktree work needs that.
  const { lock } = await import('proper-lockfile');
  const release = await lock(gitDir, {
    lockfilePath: path.join(gitDir, 'runboard-worktree.lock'),
    retries: { retries: 60, minTimeout: 100, maxTimeout: 500 },
    stale: 30_000,
  });
  try {
    return await body();
  } finally {
    await release();
  }
}

export interface WorktreeAsk {
  /** The repository's top folder (repositoryTop of the root). */
  top: string;
  runId: string;
  task: Task;
  /** The run's tasks, to find a dependency's branch. */
  tasks: readonly Task[];
  env: NodeJS.ProcessEnv;
}

/** The task's worktree: the one it has when it is still there, else a new one. */
export async function ensureWorktree(ask: WorktreeAsk): Promise<TaskWorktree> {
  const have = ask.task.worktree;
  const { top } = ask;
  // Taken up as it is. Its note goes with a kept one (why it was kept is the last attempt's); an active one's says what its base lacks, still so.
  if (have && present(have) && (await standingOf(top, have.path)).kind === 'ours')
    return { ...have, state: 'active', note: have.state === 'active' ? have.note : undefined };
  return serialised(top, async () => {
    const home = worktreesHome(top, ask.env);
    const stem = `runboard/${refPart(ask.runId)}/${refPart(ask.task.id)}`;
    // A task claimed again after its worktree was removed (done, then requeued) gets a branch of its own.
    let n = 1;
    const name = () => (n === 1 ? '' : `-${n}`);
    const folder = () => path.join(home, ask.runId, `${folderPart(ask.task.id)}${name()}`);
    while ((await branchExists(top, `${stem}${name()}`)) || fs.existsSync(folder())) n++;
    const branch = `${stem}${name()}`;
    const where = folder();
    const { base, mergeIn } = await baseOf(top, ask);
    makeFolders(path.dirname(where));
    await git(top, ['worktree', 'add', '-b', branch, where, base]);
    const { merged, lacking } = await mergeInto(where, mergeIn);
    return {
      path: where,
      branch,
      base: [base, ...merged].join(' + '),
      state: 'active' as const,
      ...(lacking.length > 0 ? { note: lacking.join(' ') } : {}),
    };
  });
}

/**
 * What a task's worktree starts from: the work of every dependency that left a branch. HEAD when it
 * holds them all (merged already: it has the rest of the checked-out branch too), else the branch of
 * the last of them that holds the others, else that branch with the others to merge in; with none,
 * the commit HEAD is at. Until this change a task after two others got the work of the last one only.
 */
async function baseOf(top: string, ask: WorktreeAsk): Promise<{ base: string; mergeIn: string[] }> {
  const byId = new Map(ask.tasks.map((t) => [t.id, t]));
  const branches: string[] = [];
  for (const id of ask.task.depends_on_task_ids) {
    const branch = byId.get(id)?.worktree?.branch;
    if (branch && !branches.includes(branch) && (await branchExists(top, branch))) branches.push(branch);
  }
  const head = await git(top, ['rev-parse', 'HEAD']);
  const missingFrom = async (target: string) => {
    const missing: string[] = [];
    for (const b of branches) if (b !== target && !(await branchContainedIn(top, b, target))) missing.push(b);
    return missing;
  };
  if ((await missingFrom(head)).length === 0) return { base: head, mergeIn: [] };
  for (const b of [...branches].reverse()) if ((await missingFrom(b)).length === 0) return { base: b, mergeIn: [] };
  const last = branches.at(-1)!;
  return { base: last, mergeIn: await missingFrom(last) };
}

/**
 * The branches merged into the new worktree's branch, one `git merge` each; one that fails (a
 * conflict, no identity for the commit) is aborted, left out, and said — the task then starts
 * without that work, and its worktree's note says which and how to bring it in.
 */
async function mergeInto(where: string, branches: readonly string[]): Promise<{ merged: string[]; lacking: string[] }> {
  const merged: string[] = [];
  const lacking: string[] = [];
  for (const b of branches) {
    try {
      // --no-verify: the repository's merge hooks (husky …) would run in a worktree without its installed tools.
      await git(where, [
        'merge',
        '--no-edit',
        '--no-ff',
        '--no-verify',
        '-m',
        `Runboard: the work of ${b}, a dependency`,
        `refs/heads/${b}`,
      ]);
      merged.push(b);
    } catch (e) {
      const conflicts = await abortedConflicts(where, ['merge', '--abort']);
      const why =
        conflicts.length > 0 ? `it conflicts in ${conflicts.join(', ')}` : (e instanceof Error ? e.message : String(e)).split('\n')[0];
      lacking.push(`This worktree lacks the work of ${b}, a dependency: merging it failed (${why}); merge it in here (git merge ${b}).`);
    }
  }
  return { merged, lacking };
}

/**
 * `mkdir -p` that fails where it cannot make a folder. Node's recursive mkdir retries for ever
 * where mkdir answers ENOENT under a parent that exists (procfs, sysfs): RUNBOARD_WORKTREES=/proc/x
 * spun a claim at full CPU, holding the repository's worktree lock.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; !fs.existsSync(at); at = path.dirname(at)) {
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  try {
    for (const folder of missing) fs.mkdirSync(folder);
  } catch (e) {
    throw new DomainError(
      'GIT_FAILED',
      `Cannot make the folder ${dir} for the task's worktree: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}. Worktrees go beside the repository, or where RUNBOARD_WORKTREES says.`,
      { git: 'worktree add' },
    );
  }
}

/** Whether the worktree at `where` holds changes git has not committed (untracked files too). */
export async function holdsUncommitted(where: string): Promise<boolean> {
  return (await git(where, ['status', '--porcelain'])) !== '';
}

/** Whether a task's worktree folder is still there to work in. */
function present(wt: TaskWorktree): boolean {
  return wt.state !== 'removed' && fs.existsSync(wt.path);
}

/**
 * What becomes of a finished task's worktree: removed when clean (its branch stays), else kept
 * with a note saying why and what to do. A worktree already gone is said removed.
 */
export async function settleWorktree(root: string, wt: TaskWorktree): Promise<TaskWorktree> {
  if (!present(wt)) return { ...wt, state: 'removed', note: undefined };
  const top = await repositoryTop(root);
  const standing = await standingOf(top, wt.path);
  // A folder git left behind (no worktree any more): nothing of git's to settle; its files are left, an empty one removed.
  if (standing.kind === 'gone') return isEmptyFolder(wt.path) ? removedFolders(wt) : { ...wt, state: 'removed', note: standing.why };
  // Another clone's (a run moved here, or a board two clones share): its record is left as it is — that clone settles it.
  if (standing.kind === 'foreign') throw new DomainError('GIT_FAILED', standing.why, { git: 'worktree remove' });
  if (await holdsUncommitted(wt.path)) {
    return {
      ...wt,
      state: 'kept',
      note: `${wt.path} holds uncommitted changes: commit them on ${wt.branch} (or discard them), then \`runboard worktree prune\` removes it.`,
    };
  }
  return serialised(top, () => removeWorktree(top, wt));
}

/**
 * What the folder at `where` is to the repository at `top`: its worktree ('ours': git's top of it
 * is the folder itself, and its git folder is the repository's); no git worktree any more (`gone`);
 * or another repository's (`foreign`) — each with what to say. Another git failure (a refusal such
 * as safe.directory's) is thrown: it says nothing of what the folder is.
 */
type Standing = { kind: 'ours' } | { kind: 'gone' | 'foreign'; why: string };

async function standingOf(top: string, where: string): Promise<Standing> {
  let itsTop: string;
  try {
    itsTop = await git(where, ['rev-parse', '--show-toplevel']);
  } catch (e) {
    if (!(e instanceof DomainError && e.code === 'GIT_FAILED' && /not a git repository/i.test(e.message))) throw e;
    itsTop = '';
  }
  if (itsTop === '' || realPath(itsTop) !== realPath(where)) {
    return {
      kind: 'gone',
      why: `${where} is no longer a git worktree (git removed it, or its .git file is gone): its files are left as they are — delete the folder once you no longer need them.`,
    };
  }
  const [ours, theirs] = await Promise.all([gitFolder(top), gitFolder(where)]);
  if (theirs === ours) return { kind: 'ours' };
  return {
    kind: 'foreign',
    why: `${where} is a worktree of another repository (${theirs}), not of ${top}: that clone settles it (runboard worktree prune there), and its record here is left as it is.`,
  };
}

/** The repository's own git folder (shared by its worktrees), as a real path. */
async function gitFolder(dir: string): Promise<string> {
  return realPath(path.resolve(dir, await git(dir, ['rev-parse', '--git-common-dir'])));
}

/** The path with links resolved and in the case the disk has it (Git for Windows says C:/…); as given when it cannot be. */
function realPath(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return path.resolve(p);
  }
}

function isEmptyFolder(dir: string): boolean {
  try {
    return fs.readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

/**
 * A clean worktree of this repository (standingOf: 'ours') removed — under the repository's lock —,
 * its branch kept, with the folders it leaves empty. Windows cannot delete a folder some process
 * works in (the agent's shell that ran `complete` there): git then removes the worktree and its
 * files, not the folder, and fails; when git lists the worktree no more, it is gone all the same,
 * and the folder is said.
 */
async function removeWorktree(top: string, wt: TaskWorktree): Promise<TaskWorktree> {
  try {
    await git(top, ['worktree', 'remove', wt.path]);
  } catch (e) {
    // A listing that fails too leaves git's first error as the one said.
    if (await listsWorktree(top, wt.path).catch(() => true)) throw e;
    const said = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    return {
      ...wt,
      state: 'removed',
      note: `git removed the worktree but could not delete its folder ${wt.path} (${said}) — a process may still be working in it (Windows keeps a folder in use): delete it once nothing is.`,
    };
  }
  return removedFolders(wt);
}

/** Whether git lists a worktree at `where`. */
async function listsWorktree(top: string, where: string): Promise<boolean> {
  const listed = (await git(top, ['worktree', 'list', '--porcelain']))
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => realPath(l.slice('worktree '.length)));
  return listed.includes(realPath(where));
}

/** The worktree's folder gone, and the run's folder, then the worktrees' home, when it was the last in them. */
function removedFolders(wt: TaskWorktree): TaskWorktree {
  for (const dir of [wt.path, path.dirname(wt.path), path.dirname(path.dirname(wt.path))]) {
    try {
      fs.rmdirSync(dir);
    } catch (e) {
      // The worktree's own folder is gone already when git removed it.
      if (dir === wt.path && (e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      break; // not empty (or gone): what is above stays too
    }
  }
  return { ...wt, state: 'removed', note: undefined };
}

/**
 * Brings a done task's branch into `into` (default: the branch checked out in the repository),
 * which must be the branch checked out there. `merge`: `git merge --no-ff`. `rebase`: the branch
 * rebased on the target (in the task's worktree when it is still there, else in a worktree made
 * for the rebase and removed after it), then the target fast-forwarded to it. Never while the
 * task's worktree holds uncommitted changes (they would be left out, and the branch said merged);
 * once its work is in, a worktree still there is removed (`worktree`, as it is now). A branch
 * with no commit the target lacks changes nothing (`changed: false`). A conflict aborts — nothing
 * changes — and is GIT_FAILED naming the files.
 */
export async function mergeTaskBranch(
  root: string,
  wt: TaskWorktree,
  into: string | undefined,
  way: MergeWay = 'merge',
): Promise<{ into: string; commit: string; changed: boolean; worktree: TaskWorktree }> {
  const top = await repositoryTop(root);
  return serialised(top, async () => {
    const current = await checkedOutBranch(top);
    // Detached, HEAD is no branch: a merge there would be recorded as merged into "HEAD" and lost on the next checkout.
    if (current === 'HEAD') {
      throw new DomainError(
        'GIT_FAILED',
        `${top} has no branch checked out (HEAD is detached): check out the branch to bring ${wt.branch} into first (git switch <branch>).`,
        { git: way },
      );
    }
    const target = into ?? current;
    if (target !== current) {
      throw new DomainError(
        'GIT_FAILED',
        `${top} has ${current} checked out, not ${target}: check out ${target} there first (git switch ${target}).`,
        { git: way },
      );
    }
    if (!(await branchExists(top, wt.branch)))
      throw new DomainError('GIT_FAILED', `The branch ${wt.branch} is gone from ${top}.`, { git: way });
    // Only this repository's worktree is rebased in and removed; another clone's record stays as it is.
    const standing = present(wt) ? (await standingOf(top, wt.path)).kind : undefined;
    const there = standing === 'ours';
    if (there && (await holdsUncommitted(wt.path))) {
      throw new DomainError(
        'GIT_FAILED',
        `${wt.path} holds uncommitted changes: commit them on ${wt.branch} (or discard them) before it is brought into ${target}.`,
        { git: way },
      );
    }
    const before = await git(top, ['rev-parse', 'HEAD']);
    const ahead = Number(await git(top, ['rev-list', '--count', `${target}..${wt.branch}`]));
    if (ahead > 0) {
      if (way === 'rebase') {
        await rebaseOnto(top, wt, target, there);
        await git(top, ['merge', '--ff-only', wt.branch]);
      } else {
        try {
          await git(top, ['merge', '--no-ff', '--no-edit', wt.branch]);
        } catch (e) {
          throw await conflictOr(e, top, ['merge', '--abort'], `Merging ${wt.branch} into ${target}`, `git merge ${wt.branch}`, target);
        }
      }
    }
    const commit = await git(top, ['rev-parse', 'HEAD']);
    const worktree = there
      ? await removeWorktree(top, wt)
      : standing === 'foreign'
        ? wt
        : { ...wt, state: 'removed' as const, note: undefined };
    // Changed: the target moved (a rebase of commits whose changes it holds already moves nothing).
    return { into: target, commit, changed: commit !== before, worktree };
  });
}

/** The task's branch rebased on `target`, where it is checked out (its worktree, clean, when `there`), else in a worktree of its own for the while. */
async function rebaseOnto(top: string, wt: TaskWorktree, target: string, there: boolean): Promise<void> {
  const scratch = there ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-rebase-'));
  const where = scratch ?? wt.path;
  try {
    if (scratch) await git(top, ['worktree', 'add', scratch, wt.branch]);
    try {
      await git(where, ['rebase', target]);
    } catch (e) {
      throw await conflictOr(e, where, ['rebase', '--abort'], `Rebasing ${wt.branch} on ${target}`, `git rebase ${target}`, target);
    }
  } finally {
    if (scratch) {
      await gitOrEmpty(top, ['worktree', 'remove', '--force', scratch]);
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
}

/** A failed merge or rebase: aborted, and said as a conflict naming the files — or git's own error when it was not one. */
async function conflictOr(e: unknown, where: string, abort: string[], doing: string, yourself: string, target: string): Promise<unknown> {
  const files = await abortedConflicts(where, abort);
  if (files.length === 0) return e;
  return new DomainError(
    'GIT_FAILED',
    `${doing} conflicts in ${files.join(', ')}; nothing was changed (it was aborted). Do it yourself (${yourself}) and resolve them, or merge ${target} into the task's branch first.`,
    { git: abort[0], conflicts: files },
  );
}

/** The files a failed merge or rebase in `where` left in conflict (none: it failed otherwise), once `abort` undid it. */
async function abortedConflicts(where: string, abort: string[]): Promise<string[]> {
  const conflicted = await gitOrEmpty(where, ['diff', '--name-only', '--diff-filter=U']);
  await gitOrEmpty(where, abort);
  return conflicted ? conflicted.split('\n') : [];
}
