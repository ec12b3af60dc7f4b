// The prompts commands fall back on when an argument does not say what to act on: pick a run,
// pick a task, ask for text, ask whether to take other tasks along. Each throws Cancelled when the
// user dismisses it.
import * as vscode from 'vscode';
import type { Task } from '../../../contract/schemas/records';
import type { RunboardContext } from '../context';
import { asRunRef, asTaskRef, type RunRef, type TaskRef } from '../runs/refs';
import { offeredActions } from '../runs/taskActions';
import { firstLine, taskDescription, taskTitle } from '../../../contract/taskText';
import type { TaskAction } from '../../../contract/taskRules';
import { runActions, runStatusText, type RunAction } from '../../../contract/runRules';
import { LIMITS } from '../../../contract/limits';
import { stepsFromObjective } from '../../../contract/planSteps';
import { Cancelled } from './commandKit';

/** A field of a command's argument object, if it has that type. */
export function argField<T extends 'string' | 'number' | 'boolean' | 'object'>(
  arg: unknown,
  key: string,
  type: T,
): (T extends 'string' ? string : T extends 'number' ? number : T extends 'boolean' ? boolean : unknown) | undefined {
  if (arg === null || typeof arg !== 'object') return undefined;
  const v = (arg as Record<string, unknown>)[key];
  return (typeof v === type && v !== null ? v : undefined) as never;
}

export async function pickRun(ctx: RunboardContext, placeHolder = 'Pick a run', filter?: (r: RunRef) => boolean): Promise<RunRef> {
  const runs = ctx.model.allRuns().filter((e) => !filter || filter(e.ref));
  if (runs.length === 0) {
    ctx.notify('info', 'No matching runs. Create one with “Runboard: Create Run”.');
    throw new Cancelled();
  }
  if (runs.length === 1) return runs[0].ref;
  const multi = ctx.model.folders().length > 1;
  const current = ctx.selection.current;
  const items = runs.map((e) => ({
    label: firstLine(e.run.objective, 80) || e.run.run_id,
    description: `${runStatusText(e.run)}${multi ? ` · ${ctx.model.folderOf(e.ref.root)?.name ?? ''}` : ''}`,
    detail: e.run.run_id,
    ref: e.ref,
    picked: current?.run_id === e.ref.run_id && current.root === e.ref.root,
  }));
  items.sort((a, b) => Number(b.picked) - Number(a.picked));
  const picked = await vscode.window.showQuickPick(items, { placeHolder, matchOnDetail: true });
  if (!picked) throw new Cancelled();
  return picked.ref;
}

/** The run an argument names (tree node, board message, plain object), else a prompt. */
/** The run in `arg`, else one the user picks (among those that offer `action` now, when given). */
export async function runFromArg(ctx: RunboardContext, arg: unknown, placeHolder?: string, action?: RunAction): Promise<RunRef> {
  const ref = asRunRef(arg);
  if (ref) return ctx.model.resolve(ref);
  const status = (r: RunRef) => ctx.model.get(r)?.run.status;
  return pickRun(ctx, placeHolder, action && ((r) => status(r) !== undefined && runActions(status(r)!).includes(action)));
}

/** The task in `arg`, else one the user picks among those that offer `action` now (any task without one) and pass `only`. */
export async function taskFromArg(
  ctx: RunboardContext,
  arg: unknown,
  placeHolder: string,
  action?: TaskAction,
  only: (t: Task) => boolean = () => true,
): Promise<TaskRef> {
  const ref = asTaskRef(arg);
  if (ref) return ctx.model.resolve(ref);
  const run = await runFromArg(ctx, arg, 'Pick the run of the task');
  const record = ctx.model.get(run)?.run;
  const now = Date.now();
  const offers = (t: Task) =>
    only(t) && (action === undefined || offeredActions(record!, t, { ...run, task_id: t.id }, ctx.leases, now).includes(action));
  const tasks = (record?.tasks ?? []).filter(offers);
  if (tasks.length === 0) {
    ctx.notify('info', `No task of run ${run.run_id} fits “${placeHolder}”.`);
    throw new Cancelled();
  }
  const picked = await vscode.window.showQuickPick(
    tasks.map((t) => ({ label: taskTitle(t), description: `${t.status} · ${taskDescription(t, now)}`, detail: t.id, task: t })),
    { placeHolder, matchOnDetail: true },
  );
  if (!picked) throw new Cancelled();
  return { ...run, task_id: picked.task.id };
}

/**
 * The plan's steps: `steps` in the argument, else the lines of a multi-line objective given in it
 * (contract/planSteps.ts, as the CLI and MCP read one), else asked one at a time — an input box
 * cannot hold several lines — until an empty answer (or Escape) ends the plan.
 */
export async function askSteps(arg: unknown, objective: string): Promise<string[]> {
  const given = argField(arg, 'steps', 'object');
  if (Array.isArray(given)) return given.filter((s): s is string => typeof s === 'string' && s.trim() !== '').map((s) => s.trim());
  if (argField(arg, 'objective', 'string') !== undefined) return stepsFromObjective(objective);
  const steps: string[] = [];
  for (;;) {
    const step = await vscode.window.showInputBox({
      ignoreFocusOut: true,
      title: `Create Run: plan step ${steps.length + 1}`,
      prompt:
        steps.length === 0
          ? 'The first step of the plan — or leave it empty for a run without steps.'
          : 'The next step — or leave it empty to finish the plan.',
      placeHolder: steps.length > 0 ? `after: ${steps[steps.length - 1]}` : undefined,
    });
    if (step === undefined || step.trim() === '') return steps;
    steps.push(step.trim());
    if (steps.length === LIMITS.steps) return steps;
  }
}

export async function askText(arg: unknown, key: string, options: vscode.InputBoxOptions): Promise<string> {
  const given = argField(arg, key, 'string');
  if (given !== undefined) return given;
  const v = await vscode.window.showInputBox({ ignoreFocusOut: true, ...options });
  if (v === undefined) throw new Cancelled();
  return v;
}

/**
 * What askCascade offers: the task alone, or with the others — named in words ("the task that
 * waits on it", "the 3 tasks that wait on it") from `others` and their count.
 */
export interface CascadeChoice {
  title: string;
  placeHolder: string;
  /** What the other tasks are to this one: "that wait on it", "cancelled with it". */
  others: string;
  /** The first choice's label, and what then becomes of the others: "will stay cancelled." */
  alone: string;
  othersThen: string;
  /** The second choice's label, before the others: "Cancel it and". */
  along: string;
}

/** Whether a command takes other tasks along (`cascade`): given in the argument, else asked, only when there are any. */
export async function askCascade(arg: unknown, tasks: readonly Task[], choice: CascadeChoice): Promise<boolean> {
  const given = argField(arg, 'cascade', 'boolean');
  if (given !== undefined || tasks.length === 0) return given ?? false;
  const others = tasks.length === 1 ? `the task ${choice.others}` : `the ${tasks.length} tasks ${choice.others}`;
  const picked = await vscode.window.showQuickPick(
    [
      { label: choice.alone, detail: `${others[0].toUpperCase()}${others.slice(1)} ${choice.othersThen}`, cascade: false },
      { label: `${choice.along} ${others}`, detail: tasks.map(taskTitle).join(' · '), cascade: true },
    ],
    { title: choice.title, placeHolder: choice.placeHolder, ignoreFocusOut: true },
  );
  if (!picked) throw new Cancelled();
  return picked.cascade;
}
