// Task commands: create from a JSON file, claim next / claim this, heartbeat, complete, fail,
// release, retry, requeue (reopen, for a cancelled task), open details. Claims are made as
// runboard.agentId, and the lease tokens this editor gets are remembered so the user can finish
// what they claimed.
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import type { Task } from '../../../contract/schemas/records';
import { cancelledWith, hasLiveLease, type TaskAction } from '../../../contract/taskRules';
import { Requests } from '../../../server/src/protocol';
import * as config from '../config';
import type { RunboardContext } from '../context';
import type { TaskRef } from '../runs/refs';
import { clockTime, taskTitle } from '../../../contract/taskText';
import { Cancelled, type CommandSpec } from './commandKit';
import { argField, askCascade, askText, runFromArg, taskFromArg } from './prompts';
import { parseTaskFile } from './taskFile';
import { completeInEditor } from './editorWorktrees';

type LeaseAction = Exclude<TaskAction, 'claim' | 'retry' | 'requeue'>;

function folderUri(ctx: RunboardContext, root: string): vscode.Uri | undefined {
  return ctx.model.folderOf(root)?.uri;
}

/** Keeps the lease token of a task this editor claimed. */
async function remember(ctx: RunboardContext, ref: TaskRef, task: Task | null): Promise<void> {
  if (task?.lease_token) await ctx.leases.remember(ref, task.lease_token, task.lease_owner ?? config.agentId(folderUri(ctx, ref.root)));
}

/** heartbeat / complete / fail / release: of a task in progress with the lease token this editor holds; fail and release also of a blocked task. */
function withLease(ctx: RunboardContext, id: string, action: LeaseAction, verb: string): CommandSpec {
  return {
    id,
    writes: true,
    run: async (arg) => {
      const ref = await taskFromArg(ctx, arg, `${verb} which task?`, action);
      const task = ctx.model.task(ref);
      // The token this editor holds goes along whenever it has one (the model may not show its claim
      // yet); a blocked task has no lease and needs none.
      const held = ctx.leases.get(ref);
      if (!held && task?.status !== 'blocked') {
        const owner = task?.lease_owner ? ` It is leased by ${task.lease_owner}.` : '';
        throw new Error(`This editor holds no lease on task ${ref.task_id}.${owner} Claim it first, or requeue it to take it back.`);
      }
      let error: string | undefined;
      if (action === 'fail') {
        error = await askText(arg, 'error', {
          title: `Fail ${task ? taskTitle(task) : ref.task_id}`,
          prompt: 'What went wrong? (recorded as the task’s last error)',
          validateInput: (v) => (v.trim() ? undefined : 'Say what went wrong.'),
        });
      }
      const params = {
        run_id: ref.run_id,
        task_id: ref.task_id,
        action,
        ...(held ? { lease_token: held.token } : {}),
        agent_id: held?.agent_id ?? config.agentId(folderUri(ctx, ref.root)),
        ...(error !== undefined ? { error } : {}),
        // A result note, when a caller gives one (runs of format 2 keep it on the task).
        ...(action === 'complete' && argField(arg, 'result', 'string') ? { result: argField(arg, 'result', 'string') } : {}),
      };
      // complete, as the CLI's: its worktree looked at first (asking before uncommitted changes stay off its branch), settled after.
      const updated =
        action === 'complete'
          ? await completeInEditor(ctx, ref, { ...params, action }, argField(arg, 'force', 'boolean'))
          : (await ctx.server.request(Requests.transitionTask, { root: ref.root, ...params })).task;
      if (held && action !== 'heartbeat') await ctx.leases.forget(ref);
      ctx.model.invalidate(ref);
      return updated;
    },
  };
}

export function taskCommands(ctx: RunboardContext): CommandSpec[] {
  return [
    createTasksFromFileCommand(ctx),
    claimNextTaskCommand(ctx),
    claimTaskCommand(ctx),
    withLease(ctx, 'runboard.heartbeatTask', 'heartbeat', 'Heartbeat'),
    withLease(ctx, 'runboard.completeTask', 'complete', 'Complete'),
    withLease(ctx, 'runboard.failTask', 'fail', 'Fail'),
    withLease(ctx, 'runboard.releaseTask', 'release', 'Release'),
    retryTaskCommand(ctx),
    requeueTaskCommand(ctx, 'requeue'),
    requeueTaskCommand(ctx, 'reopen'),
    openTaskDetailsCommand(ctx),
  ];
}

function createTasksFromFileCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.createTasksFromFile',
    writes: true,
    run: async (arg) => {
      const ref = await runFromArg(ctx, arg, 'Create tasks in which run?', 'createTasks');
      let file = argField(arg, 'file', 'string');
      if (!file) {
        const picked = await vscode.window.showOpenDialog({
          title: 'Create Tasks from File',
          defaultUri: vscode.Uri.file(ref.root),
          canSelectMany: false,
          filters: { 'Task list (JSON)': ['json'] },
          openLabel: 'Create Tasks',
        });
        if (!picked?.[0]) throw new Cancelled();
        file = picked[0].fsPath;
      }
      const tasks = parseTaskFile(await fs.readFile(file, 'utf8'));
      const result = await ctx.server.request(Requests.createTasks, { root: ref.root, run_id: ref.run_id, tasks });
      ctx.model.invalidate(ref);
      ctx.notify('info', `Created ${result.tasks.length} task${result.tasks.length === 1 ? '' : 's'} in run ${ref.run_id}.`);
      return result.tasks;
    },
  };
}

function claimNextTaskCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.claimNextTask',
    writes: true,
    run: async (arg) => {
      const ref = await runFromArg(ctx, arg, 'Claim the next task of which run?', 'claim');
      const folder = folderUri(ctx, ref.root);
      const agent = config.agentId(folder);
      const { task } = await ctx.server.request(Requests.claimTask, {
        root: ref.root,
        run_id: ref.run_id,
        agent_id: agent,
        task_type: argField(arg, 'task_type', 'string'),
        lease_ms: config.defaultLeaseMs(folder),
      });
      if (!task) {
        ctx.notify('info', `No task of run ${ref.run_id} can be claimed now (all done, leased, waiting on dependencies or a retry time).`);
        return null;
      }
      await remember(ctx, { ...ref, task_id: task.id }, task);
      ctx.model.invalidate(ref);
      ctx.notify('info', `Claimed “${taskTitle(task)}” as ${agent} until ${clockTime(task.lease_expires_at_ms ?? Date.now())}.`);
      return task;
    },
  };
}

/** Claims the task as this editor's agent and keeps its lease token; null, said so, when it cannot be claimed now. */
export async function claimNamedTask(ctx: RunboardContext, ref: TaskRef): Promise<Task | null> {
  const folder = folderUri(ctx, ref.root);
  const { task } = await ctx.server.request(Requests.claimTask, {
    root: ref.root,
    run_id: ref.run_id,
    task_id: ref.task_id,
    agent_id: config.agentId(folder),
    lease_ms: config.defaultLeaseMs(folder),
  });
  if (!task) {
    const t = ctx.model.task(ref);
    ctx.notify(
      'warning',
      `Task ${ref.task_id} cannot be claimed now${t ? ` (${t.status})` : ''}: it is leased, waits on dependencies or a retry time, or is finished.`,
    );
    return null;
  }
  await remember(ctx, ref, task);
  ctx.model.invalidate(ref);
  return task;
}

function claimTaskCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.claimTask',
    writes: true,
    run: async (arg) => claimNamedTask(ctx, await taskFromArg(ctx, arg, 'Claim which task?', 'claim')),
  };
}

function retryTaskCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.retryTask',
    writes: true,
    run: async (arg) => {
      const ref = await taskFromArg(ctx, arg, 'Retry which task?', 'retry');
      const { task } = await ctx.server.request(Requests.transitionTask, {
        root: ref.root,
        run_id: ref.run_id,
        task_id: ref.task_id,
        action: 'retry',
      });
      ctx.model.invalidate(ref);
      return task;
    },
  };
}

/**
 * Requeue Task, and Reopen Task: both are requeueTask, which makes a cancelled task runnable
 * again; the menus say "Reopen" on cancelled tasks and "Requeue" on the others. When its cancel
 * took other tasks along (cascade), whether they come back too is asked (or `cascade` given).
 */
function requeueTaskCommand(ctx: RunboardContext, verb: 'requeue' | 'reopen'): CommandSpec {
  const reopen = verb === 'reopen';
  return {
    id: reopen ? 'runboard.reopenTask' : 'runboard.requeueTask',
    writes: true,
    run: async (arg) => {
      const ref = reopen
        ? await taskFromArg(ctx, arg, 'Reopen which cancelled task?', 'requeue', (t) => t.status === 'cancelled')
        : await taskFromArg(ctx, arg, 'Requeue which task?', 'requeue');
      const current = ctx.model.task(ref);
      const name = current ? taskTitle(current) : ref.task_id;
      const run = ctx.model.get(ref)?.run;
      const along = run ? cancelledWith(ref.task_id, run.tasks) : [];
      // Worded as the menus and the board word it: a cancelled task is reopened, whichever command came.
      const verb = reopen || current?.status === 'cancelled' ? 'Reopen' : 'Requeue';
      const cascade = await askCascade(arg, along, {
        title: `${verb} ${name}`,
        placeHolder: 'Its cancel took other tasks along',
        others: 'cancelled with it',
        alone: `${verb} only this task`,
        othersThen: 'will stay cancelled.',
        along: verb === 'Reopen' ? 'Reopen it and' : 'Requeue it and reopen',
      });
      const live = current !== undefined && hasLiveLease(current, Date.now());
      let force = argField(arg, 'force', 'boolean') ?? false;
      if (live && !force) {
        const mine = ctx.leases.holds(ref, current);
        const answer = await vscode.window.showWarningMessage(
          `Task “${taskTitle(current)}” is leased by ${current.lease_owner ?? 'an agent'}${mine ? ' (this editor)' : ''} until ${clockTime(current.lease_expires_at_ms!)}. ` +
            'Take it back and put it back on the board? The holder’s next write will be refused.',
          { modal: true },
          'Requeue Anyway',
        );
        if (answer !== 'Requeue Anyway') throw new Cancelled();
        force = true;
      }
      const { task } = await ctx.server.request(Requests.requeueTask, {
        root: ref.root,
        run_id: ref.run_id,
        task_id: ref.task_id,
        reason: argField(arg, 'reason', 'string'),
        force: force || undefined,
        ...(cascade ? { cascade: true } : {}),
      });
      await ctx.leases.forget(ref);
      ctx.model.invalidate(ref);
      return task;
    },
  };
}

function openTaskDetailsCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.openTaskDetails',
    run: async (arg) => {
      const ref = await taskFromArg(ctx, arg, 'Show which task?');
      const doc = await vscode.workspace.openTextDocument(ctx.documents.taskUri(ref));
      await vscode.languages.setTextDocumentLanguage(doc, 'json');
      await vscode.window.showTextDocument(doc, { preview: true });
      return doc.uri;
    },
  };
}
