// The messages of docs/PROTOCOL.md (v1): every request and notification with its params and
// result types, declared once; the server, the extension and test clients import them, so a
// method name is never a string literal at a call site (a test checks each one PROTOCOL.md names
// is declared here and handled by the server).
import { NotificationType, RequestType } from 'vscode-jsonrpc';
import type { z } from 'zod';
import type { Diagnostic } from '../../contract/diagnostic';
import type * as R from '../../contract/results';
import type { InputOf, SubscribeParams as SubscribeSchema, UnsubscribeParams as UnsubscribeSchema } from '../../contract/schemas/params';
import type { EventRecord } from '../../contract/schemas/records';

export const PROTOCOL_VERSION = 1;

export type Cursor = Record<string, number>;

export type SubscribeParams = z.input<typeof SubscribeSchema>;
export interface SubscribeResult {
  subscription_id: string;
}
export type UnsubscribeParams = z.input<typeof UnsubscribeSchema>;

/** Server → client: events of a subscription, per run ascending with no gaps or repeats. */
export interface EventsNotificationParams {
  subscription_id: string;
  events: EventRecord[];
  cursor: Cursor;
}

/**
 * Server → client: a run's history was replaced under the server (its log replaced by another
 * program, or the run deleted — `last_seq` 0 — or deleted and created again). Events delivered
 * before may not be in the log any more: drop what you hold of the run and read it again. The
 * subscription goes on from `last_seq` (in `cursor`).
 */
export interface RunResetNotificationParams {
  subscription_id: string;
  root: string;
  run_id: string;
  last_seq: number;
  cursor: Cursor;
}

/** Server → client: a skipped line, a torn line, an unreadable snapshot or checkpoint, an unwritable file. */
export type DiagnosticNotificationParams = Diagnostic;

/** What `initialize` answers besides the LSP capabilities. */
export interface RunboardInitializeInfo {
  protocol: number;
}

function request<M extends keyof R.StoreResults>(method: string) {
  return new RequestType<InputOf<M>, R.StoreResults[M], void>(method);
}

/** Client → server requests, one per PROTOCOL.md method. */
export const Requests = {
  /** Creates a run; its creation is event seq 1. */
  createRun: request<'createRun'>('runboard/createRun'),
  /** Runs of one root or all open roots, newest first. */
  listRuns: request<'listRuns'>('runboard/listRuns'),
  /** What needs a person, newest first (contract/attention.ts). */
  listAttention: request<'listAttention'>('runboard/listAttention'),
  /** Flow metrics: per task wait, work, attempts, agent; per run throughput, statuses over time, cycle times. */
  runStats: request<'runStats'>('runboard/runStats'),
  /** A run with its blackboard. */
  getRun: request<'getRun'>('runboard/getRun'),
  /** Archives a run: read-only, out of listRuns, compressed, until restored. */
  archiveRun: request<'archiveRun'>('runboard/archiveRun'),
  /** Brings an archived run back, whole. */
  restoreRun: request<'restoreRun'>('runboard/restoreRun'),
  /** Compacts a finished run in place: still listed, its log sealed and compressed, restored by its next write. */
  compactRun: request<'compactRun'>('runboard/compactRun'),
  /** Records the git worktree a task is worked in (format 5). */
  setTaskWorktree: request<'setTaskWorktree'>('runboard/setTaskWorktree'),
  /** Appends a run event (transition table of SPEC.md §4.2). */
  appendEvent: request<'appendEvent'>('runboard/appendEvent'),
  /** Completes or fails a run (completing waits for tasks in progress unless forced). */
  finishRun: request<'finishRun'>('runboard/finishRun'),
  /** Pages through a run's events. */
  listEvents: request<'listEvents'>('runboard/listEvents'),
  /** Adds a fact, decision, question or artifact, or sets a summary. */
  patchBlackboard: request<'patchBlackboard'>('runboard/patchBlackboard'),
  /** The blackboard, tasks included. */
  getBlackboard: request<'getBlackboard'>('runboard/getBlackboard'),
  /** One row per blackboard and task event. */
  listPatches: request<'listPatches'>('runboard/listPatches'),
  /** Creates a batch of tasks, all or nothing. */
  createTasks: request<'createTasks'>('runboard/createTasks'),
  /** Claims the next claimable task (or a named one) with a lease. */
  claimTask: request<'claimTask'>('runboard/claimTask'),
  /** heartbeat, status, complete, fail, release, retry. */
  transitionTask: request<'transitionTask'>('runboard/transitionTask'),
  /** Puts a task back to runnable (force takes a live lease back). */
  requeueTask: request<'requeueTask'>('runboard/requeueTask'),
  /** Edits a task's fields (runs of format 3). */
  editTask: request<'editTask'>('runboard/editTask'),
  /** Cancels a task (and with cascade its dependents; runs of format 4). */
  cancelTask: request<'cancelTask'>('runboard/cancelTask'),
  /** Captures run and blackboard at one seq. */
  createCheckpoint: request<'createCheckpoint'>('runboard/createCheckpoint'),
  listCheckpoints: request<'listCheckpoints'>('runboard/listCheckpoints'),
  latestCheckpoint: request<'latestCheckpoint'>('runboard/latestCheckpoint'),
  /** Folds the log from a checkpoint (or scratch) and compares with what is persisted. */
  replay: request<'replay'>('runboard/replay'),
  /** Lists a run's damaged lines; with accept, records that they are gone so writes resume. */
  repairRun: request<'repairRun'>('runboard/repairRun'),
  /** Binds, confirms or rejects the folder a run is open in. */
  validateWorkspaceLease: request<'validateWorkspaceLease'>('runboard/validateWorkspaceLease'),
  /** Moves a run's binding to a new folder. */
  rebindWorkspace: request<'rebindWorkspace'>('runboard/rebindWorkspace'),
  /** Replays events after a cursor, then streams new ones as runboard/events. */
  subscribe: new RequestType<SubscribeParams, SubscribeResult, void>('runboard/subscribe'),
  unsubscribe: new RequestType<UnsubscribeParams, Record<string, never>, void>('runboard/unsubscribe'),
  /** On a root's socket: proves the server knows its announcement's secret (routing/endpoint.ts helloProof). */
  hello: new RequestType<{ nonce: string }, { proof: string }, void>('runboard/hello'),
} as const;

/** Server → client notifications. */
export const Notifications = {
  events: new NotificationType<EventsNotificationParams>('runboard/events'),
  diagnostic: new NotificationType<DiagnosticNotificationParams>('runboard/diagnostic'),
  runReset: new NotificationType<RunResetNotificationParams>('runboard/runReset'),
} as const;
