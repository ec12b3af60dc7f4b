// Workspace leases: a run bound to a folder path must be open in that folder. After the runs of
// a folder are listed (activation, server restart, folder changes) every bound run is checked
// with runboard/validateWorkspaceLease against the folder it was listed from; on a mismatch the
// server pauses the run, the tree marks it, and the user is offered "Rebind to this folder".
import * as vscode from 'vscode';
import type { ValidateWorkspaceLeaseResult } from '../../../contract/results';
import { Requests } from '../../../server/src/protocol';
import type { RunboardContext } from '../context';
import { log } from '../log';
import { firstLine } from '../../../contract/taskText';
import type { RunEntry } from './runsModel';

export type LeasePhase = 'activation' | 'workspace_folders_changed';

export interface LeaseCheck {
  entry: RunEntry;
  result: ValidateWorkspaceLeaseResult;
}

export class WorkspaceLeaseGuard implements vscode.Disposable {
  private phase: LeasePhase = 'activation';
  private readonly subscription: vscode.Disposable;
  private running: Promise<LeaseCheck[]> = Promise.resolve([]);
  /** The last validation pass (tests read it). */
  last: LeaseCheck[] = [];

  constructor(private readonly ctx: RunboardContext) {
    this.subscription = ctx.model.onDidLoad((roots) => {
      const phase = this.phase;
      this.phase = 'activation';
      this.running = this.running.then(() => this.validate(roots, phase));
    });
  }

  /** Marks the next validation as caused by a folder change (the event's `phase`). */
  foldersChanged(): void {
    this.phase = 'workspace_folders_changed';
  }

  /** Resolves when the validations queued so far are done. */
  whenIdle(): Promise<LeaseCheck[]> {
    return this.running;
  }

  async validate(roots: string[], phase: LeasePhase): Promise<LeaseCheck[]> {
    const checks: LeaseCheck[] = [];
    // Validating writes (a bind, a pause): an untrusted workspace is left as it is.
    if (!vscode.workspace.isTrusted) return checks;
    for (const root of roots) {
      for (const entry of this.ctx.model.runs(root)) {
        const bound = entry.run.workspace.canonical_path;
        if (!bound) continue;
        // Already known to be elsewhere and unchanged: the run was paused once; don't pile up events.
        if (entry.mismatch && entry.mismatch.expected_path === bound) continue;
        try {
          const result = await this.ctx.server.request(Requests.validateWorkspaceLease, {
            root,
            run_id: entry.ref.run_id,
            phase,
            current_path: root,
          });
          checks.push({ entry, result });
          this.ctx.model.setMismatch(
            entry.ref,
            result.mismatch ? { expected_path: result.expected_path, actual_path: result.actual_path } : undefined,
          );
          if (result.mismatch) this.ctx.model.invalidate(entry.ref);
        } catch (e) {
          log().warn(`Validating the workspace lease of ${entry.ref.run_id}: ${(e as Error).message}`);
        }
      }
    }
    this.last = checks;
    this.announce(checks.filter((c) => c.result.mismatch));
    return checks;
  }

  private announce(mismatches: LeaseCheck[]): void {
    if (mismatches.length === 0) return;
    const rebind = (c: LeaseCheck) => vscode.commands.executeCommand('runboard.rebindWorkspace', c.entry.ref);
    if (mismatches.length === 1) {
      const c = mismatches[0];
      this.ctx.notify(
        'warning',
        `Run “${firstLine(c.entry.run.objective, 60) || c.entry.ref.run_id}” is bound to ${c.result.expected_path} but is open in ${c.result.actual_path}; ` +
          `it was ${c.result.status === 'paused' ? 'paused' : `left ${c.result.status}`}.`,
        { 'Rebind to this folder': () => rebind(c) },
      );
      return;
    }
    this.ctx.notify('warning', `${mismatches.length} runs are bound to other folders than the ones they are open in; they were paused.`, {
      'Rebind all to these folders': async () => {
        for (const c of mismatches) await rebind(c);
      },
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
