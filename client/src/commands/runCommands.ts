// Run commands: create, append an event, pause / resume / cancel / reopen, open the run's log,
// open the task board in an editor, rebind the workspace.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Requests } from '../../../server/src/protocol';
import type { RunboardContext } from '../context';
import type { RunRef } from '../runs/refs';
import { allEvents } from '../runs/runEvents';
import { firstLine } from '../../../contract/taskText';
import { RUN_STATUSES, type RunStatus } from '../../../contract/statuses';
import { runActions, type RunAction } from '../../../contract/runRules';
import { Cancelled, type CommandSpec } from './commandKit';
import { argField, askSteps, askText, pickRun, runFromArg } from './prompts';
import { EVENTS_FILE, RUNBOARD_DIR, RUNS_DIR } from '../../../contract/layout';

async function pickFolder(ctx: RunboardContext, arg: unknown): Promise<string> {
  const given = argField(arg, 'root', 'string');
  if (given) return ctx.model.resolve({ root: given, run_id: '' }).root;
  const folders = ctx.model.folders();
  if (folders.length === 0) {
    ctx.notify('warning', 'Open a folder first: runs live in <folder>/.runboard/.');
    throw new Cancelled();
  }
  if (folders.length === 1) return folders[0].uri.fsPath;
  const f = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Create the run in which folder?' });
  if (!f) throw new Cancelled();
  return f.uri.fsPath;
}

/** A run event that moves the status (SPEC §4.2's operator events). */
async function runEvent(ctx: RunboardContext, arg: unknown, type: string, status: RunStatus, payload?: Record<string, unknown>) {
  const ref = await runFromArg(ctx, arg, undefined, RUN_EVENT_ACTION[type]);
  const { run } = await ctx.server.request(Requests.appendEvent, { root: ref.root, run_id: ref.run_id, type, status, payload });
  ctx.model.accept(ref, run);
  return run;
}

/** The run action each operator event carries out: a picker offers only the runs that offer it. */
const RUN_EVENT_ACTION: Record<string, RunAction | undefined> = {
  run_paused: 'pause',
  run_resumed: 'resume',
  run_cancelled: 'cancel',
  run_reopened: 'reopen',
  plan_approved: 'approve',
};

const EVENT_SUGGESTIONS: { type: string; status?: RunStatus; detail: string }[] = [
  { type: 'step_started', detail: 'A step is in progress (step_id)' },
  { type: 'step_completed', detail: 'A step is done (step_id)' },
  { type: 'step_failed', detail: 'A step failed (step_id, payload.error)' },
  { type: 'planning_started', status: 'awaiting_approval', detail: 'Plans the steps from the objective; waits for approval' },
  { type: 'plan_approved', status: 'running', detail: 'Approves the plan; the first step starts' },
  { type: 'session_run_started', status: 'running', detail: 'An agent session started' },
  { type: 'session_run_finished', status: 'completed', detail: 'An agent session finished' },
  { type: 'revision_requested', status: 'blocked', detail: 'Asks for a revision (payload.feedback)' },
  { type: 'note', detail: 'Any other event type: recorded in the log' },
];

export function runCommands(ctx: RunboardContext): CommandSpec[] {
  return [
    createRunCommand(ctx),
    appendEventCommand(ctx),
    pauseRunCommand(ctx),
    resumeRunCommand(ctx),
    approvePlanCommand(ctx),
    cancelRunCommand(ctx),
    reopenRunCommand(ctx),
    rebindWorkspaceCommand(ctx),
    openRunLogCommand(ctx),
    openBoardCommand(ctx),
    pickRunCommand(ctx),
    selectRunCommand(ctx),
    refreshCommand(ctx),
  ];
}

function createRunCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.createRun',
    writes: true,
    run: async (arg) => {
      const root = await pickFolder(ctx, arg);
      const objective = await askText(arg, 'objective', {
        title: 'Create Run',
        prompt: 'The run’s objective: what should the agents achieve? (Its plan steps come next.)',
        validateInput: (v) => (v.trim() ? undefined : 'The objective must not be empty.'),
      });
      const steps = await askSteps(arg, objective);
      const bind = argField(arg, 'bind', 'boolean') ?? true;
      const { run } = await ctx.server.request(Requests.createRun, {
        root,
        objective,
        ...(steps.length > 0 ? { steps } : {}),
        ...(argField(arg, 'auto_finish', 'boolean') ? { auto_finish: true } : {}),
        run_id: argField(arg, 'run_id', 'string'),
        run_type: argField(arg, 'run_type', 'string'),
        source_client: 'vscode',
        // Bind the run to this folder: opening the log from another folder then pauses it.
        workspace: bind ? { canonical_path: root } : undefined,
      });
      const ref = { root, run_id: run.run_id };
      ctx.model.accept(ref, run);
      ctx.selection.select(ref);
      const node = ctx.runsTree.runNode(ref);
      if (node && ctx.runsView.visible)
        void Promise.resolve(ctx.runsView.reveal(node, { select: true, focus: false })).catch(() => undefined);
      return run;
    },
  };
}

function appendEventCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.appendEvent',
    writes: true,
    run: async (arg) => {
      const ref = await runFromArg(ctx, arg, 'Append an event to which run?');
      let type = argField(arg, 'type', 'string');
      let status = argField(arg, 'status', 'string') as RunStatus | undefined;
      if (!type) {
        const picked = await vscode.window.showQuickPick(
          EVENT_SUGGESTIONS.map((s) => ({ label: s.type, detail: s.detail, s })),
          { placeHolder: 'Event type (or type your own)', title: 'Append Event' },
        );
        if (!picked) throw new Cancelled();
        type = picked.s.type === 'note' ? await askText(undefined, 'type', { prompt: 'Event type' }) : picked.s.type;
        status ??= picked.s.status;
      }
      const current = ctx.model.get(ref)?.run.status ?? 'running';
      if (!status) {
        const picked = await vscode.window.showQuickPick(
          RUN_STATUSES.map((s) => ({ label: s, description: s === current ? 'current' : undefined })),
          { placeHolder: `Run status after “${type}”`, title: 'Append Event' },
        );
        if (!picked) throw new Cancelled();
        status = picked.label;
      }
      let payload = argField(arg, 'payload', 'object') as Record<string, unknown> | undefined;
      const stepId = argField(arg, 'step_id', 'string');
      if (payload === undefined && argField(arg, 'type', 'string') === undefined) {
        const text = await askText(undefined, 'payload', { prompt: 'Payload as JSON (optional)', value: '{}' });
        try {
          payload = text.trim() ? (JSON.parse(text) as Record<string, unknown>) : undefined;
        } catch {
          throw new Error('The payload is not valid JSON.');
        }
      }
      const result = await ctx.server.request(Requests.appendEvent, {
        root: ref.root,
        run_id: ref.run_id,
        type,
        status,
        step_id: stepId,
        payload,
      });
      ctx.model.accept(ref, result.run);
      return result.event;
    },
  };
}

/** A run event that asks why first (optional), the reason kept with it (`payload.reason`). */
function runEventWithReason(
  ctx: RunboardContext,
  id: string,
  action: RunAction,
  [type, status]: [string, RunStatus],
  [placeHolder, prompt]: [string, string],
): CommandSpec {
  return {
    id,
    writes: true,
    run: async (arg) => {
      const ref = await runFromArg(ctx, arg, placeHolder, action);
      const reason = await askText(arg, 'reason', { prompt });
      return runEvent(ctx, ref, type, status, reason.trim() ? { reason } : undefined);
    },
  };
}

/** Pause Run asks why (optional): the agents it stops and the attention list are told (status_reason). */
function pauseRunCommand(ctx: RunboardContext): CommandSpec {
  return runEventWithReason(
    ctx,
    'runboard.pauseRun',
    'pause',
    ['run_paused', 'paused'],
    ['Pause which run?', 'Why pause it? (optional: its agents are told)'],
  );
}

function resumeRunCommand(ctx: RunboardContext): CommandSpec {
  return { id: 'runboard.resumeRun', writes: true, run: (arg) => runEvent(ctx, arg, 'run_resumed', 'running') };
}

/** A plan waiting for approval (planning_started) is approved: the run runs, its first step starts (SPEC §4.2). */
function approvePlanCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.approvePlan',
    writes: true,
    run: async (arg) => {
      // A notice clicked after the plan was approved elsewhere: plan_approved again would start the next step.
      const ref = await runFromArg(ctx, arg, 'Approve the plan of which run?', 'approve');
      const status = ctx.model.get(ref)?.run.status;
      if (status !== undefined && !runActions(status).includes('approve')) {
        ctx.notify('info', `Run ${ref.run_id} is ${status}: no plan waits for approval.`);
        return undefined;
      }
      return runEvent(ctx, ref, 'plan_approved', 'running');
    },
  };
}

function cancelRunCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.cancelRun',
    writes: true,
    run: async (arg) => {
      const ref = await runFromArg(ctx, arg, 'Cancel which run?', 'cancel');
      if (!argField(arg, 'confirm', 'boolean')) {
        const e = ctx.model.get(ref);
        const ok = await vscode.window.showWarningMessage(
          `Cancel run “${firstLine(e?.run.objective ?? ref.run_id, 60)}”? Agents can no longer claim its tasks.`,
          { modal: true },
          'Cancel Run',
        );
        if (ok !== 'Cancel Run') throw new Cancelled();
      }
      return runEvent(ctx, ref, 'run_cancelled', 'cancelled');
    },
  };
}

function reopenRunCommand(ctx: RunboardContext): CommandSpec {
  return runEventWithReason(
    ctx,
    'runboard.reopenRun',
    'reopen',
    ['run_reopened', 'running'],
    ['Reopen which run?', 'Why reopen it? (optional)'],
  );
}

function rebindWorkspaceCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.rebindWorkspace',
    writes: true,
    run: async (arg) => {
      const ref = await runFromArg(ctx, arg, 'Rebind which run to its folder?');
      const currentPath = argField(arg, 'current_path', 'string') ?? ref.root;
      const { run } = await ctx.server.request(Requests.rebindWorkspace, { root: ref.root, run_id: ref.run_id, current_path: currentPath });
      ctx.model.accept(ref, run);
      ctx.model.setMismatch(ref, undefined);
      ctx.notify(
        'info',
        `Run ${run.run_id} is now bound to ${run.workspace.canonical_path} (epoch ${run.workspace.lease_epoch}); status ${run.status}.`,
      );
      return run;
    },
  };
}

function openRunLogCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.openRunLog',
    run: async (arg) => {
      const ref = await runFromArg(ctx, arg, 'Open the log of which run?');
      const uri = vscode.Uri.file(path.join(ref.root, RUNBOARD_DIR, RUNS_DIR, ref.run_id, EVENTS_FILE));
      const onDisk = await vscode.workspace.fs.stat(uri).then(
        () => true,
        () => false,
      );
      // A run on a shared board (a database) has no file here: its events, as the file would hold them, in an untitled editor.
      const doc = onDisk
        ? await vscode.workspace.openTextDocument(uri)
        : await vscode.workspace.openTextDocument({
            language: 'jsonl',
            content: (await allEvents(ctx, ref)).map((e) => JSON.stringify(e)).join('\n') + '\n',
          });
      const editor = await vscode.window.showTextDocument(doc, { preview: false });
      // The log is append-only: make this editor read-only so a stray keystroke cannot corrupt it.
      await vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession').then(undefined, () => undefined);
      return editor.document.uri;
    },
  };
}

function openBoardCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.openBoard',
    run: async (arg) => {
      const ref = await runFromArg(ctx, arg, 'Open the task board of which run?');
      ctx.boardPanels.open(ref);
      return ref;
    },
  };
}

function pickRunCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.pickRun',
    run: async (): Promise<RunRef | undefined> => {
      try {
        return await pickRun(ctx, 'Show which run?');
      } catch (e) {
        if (e instanceof Cancelled) return undefined;
        throw e;
      }
    },
  };
}

function selectRunCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.selectRun',
    run: async (arg) => {
      const ref = await runFromArg(ctx, arg);
      ctx.selection.select(ref);
      return ref;
    },
  };
}

function refreshCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.refresh',
    run: async () => {
      await ctx.model.reload();
      ctx.runsTree.refresh();
    },
  };
}
