// demo: a planner creates a run with a four-step plan and twelve tasks, then N simulated agents
// claim, heartbeat, fail, retry and finish them at a human pace — all through the same RunService
// calls a real agent makes — so a new user can watch the board move in the editor.
import { firstLine, NOTHING_TO_CLAIM_TEXT } from '../../../../contract/taskText';
import type { NothingToClaim } from '../../../../contract/taskRules';
import { DomainError } from '../../engine/errors';
import { Task } from '../../../../contract/schemas/records';
import { Invocation } from '../invocation';
import { Output } from '../output';
import { CliSession } from '../session';
import { UsageError } from '../usageError';
import { readBoardConfig } from '../../store/boardConfig';
import { BOARD_CONFIG_FILE } from '../../../../contract/layout';
import { DEMO_OBJECTIVE, DEMO_TASKS, demoTaskInputs, DemoTask } from './samplePlan';
import { isFinishedTask, RunStatus } from '../../../../contract/statuses';
import { LEASE } from '../../../../contract/limits';

interface Pace {
  /** A pause of a random length within the range, in ms. */
  min: number;
  max: number;
}

const HUMAN: Pace = { min: 500, max: 2000 };
const FAST: Pace = { min: 2, max: 10 };

class DemoRun {
  readonly byId = new Map(DEMO_TASKS.map((t) => [t.id, t]));
  private readonly startedSteps = new Set<string>(['step-1']); // plan_approved starts the first step
  private readonly doneSteps = new Set<string>();
  /** Set by the first agent that sees every task done; it then completes the run. */
  finished = false;
  failures = 0;
  stopped = false;

  constructor(
    readonly session: CliSession,
    readonly out: Output,
    readonly runId: string,
    private readonly pace: Pace,
  ) {}

  sleep(scale = 1): Promise<void> {
    const ms = (this.pace.min + Math.random() * (this.pace.max - this.pace.min)) * scale;
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  say(who: string, text: string): void {
    this.out.line(`${who.padEnd(14)} ${text}`);
  }

  event(type: string, status: RunStatus, step_id?: string, payload?: Record<string, unknown>) {
    return this.session.execute('appendEvent', { run_id: this.runId, type, status, step_id, payload });
  }

  note(kind: 'fact' | 'decision' | 'question', text: string, step_id: string) {
    const op = kind === 'fact' ? 'add_fact' : kind === 'decision' ? 'add_decision' : 'add_open_question';
    return this.session.execute('patchBlackboard', { run_id: this.runId, op, payload: { text, step_id } });
  }

  /** The plan step moves to in_progress when its first task is claimed. */
  async stepStarted(step: string): Promise<void> {
    if (this.startedSteps.has(step)) return;
    this.startedSteps.add(step);
    await this.event('step_started', 'running', step);
  }

  /** …and to done when its last task is. */
  async stepMaybeDone(step: string, tasks: Task[]): Promise<void> {
    if (this.doneSteps.has(step)) return;
    const mine = tasks.filter((t) => this.byId.get(t.id)?.step === step);
    if (mine.some((t) => !isFinishedTask(t.status))) return;
    this.doneSteps.add(step);
    await this.event('step_completed', 'running', step);
  }

  /** True once every task is finished (done, or cancelled by a person watching); the first to see it finishes the run. */
  async allDone(): Promise<boolean> {
    const { blackboard } = await this.session.execute('getBlackboard', { run_id: this.runId });
    for (const t of blackboard.tasks) {
      const step = this.byId.get(t.id)?.step;
      if (step) await this.stepMaybeDone(step, blackboard.tasks);
    }
    if (blackboard.tasks.some((t) => !isFinishedTask(t.status))) return false;
    if (!this.finished) {
      this.finished = true;
      await this.session.execute('createCheckpoint', { run_id: this.runId, reason: 'demo finished' });
      await this.event('session_run_finished', 'completed', undefined, {
        why_next_step: `All ${blackboard.tasks.length} tasks are finished.`,
      });
      this.say('planner', `all ${blackboard.tasks.length} tasks finished; run completed`);
    }
    return true;
  }
}

async function plan(session: CliSession, out: Output, pace: Pace): Promise<DemoRun> {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  let created;
  for (let n = 0; ; n++) {
    try {
      created = await session.execute('createRun', {
        run_id: n === 0 ? `demo-${stamp}` : `demo-${stamp}-${n}`,
        objective: DEMO_OBJECTIVE,
        run_type: 'demo',
        source_client: 'runboard-demo',
      });
      break;
    } catch (e) {
      if (!(e instanceof DomainError && e.code === 'RUN_EXISTS') || n > 20) throw e;
    }
  }
  const demo = new DemoRun(session, out, created.run.run_id, pace);
  demo.say('planner', `created its own run ${demo.runId} in ${session.root}: “${firstLine(DEMO_OBJECTIVE, 80)}”`);
  if (!out.json) {
    out.line(`               (your own runs are left as they are; the demo works only on this one)`);
    out.line(`               watch it live: the Runboard view in VS Code, or \`runboard watch ${demo.runId}\` in another terminal`);
  }
  await demo.sleep();
  await demo.event('planning_started', 'awaiting_approval');
  demo.say('planner', 'drafted a plan with 4 steps');
  await demo.sleep();
  await demo.event('plan_approved', 'running');
  demo.say('planner', 'plan approved; starting step-1');
  await demo.sleep();
  await session.execute('createTasks', { run_id: demo.runId, tasks: demoTaskInputs() });
  demo.say('planner', `put ${DEMO_TASKS.length} tasks on the board`);
  return demo;
}

async function agent(demo: DemoRun, name: string): Promise<void> {
  const { session } = demo;
  let waiting = false;
  while (!demo.stopped) {
    await demo.sleep(0.5);
    if (demo.finished) return;
    let task: Task | null;
    let reason: NothingToClaim | undefined;
    try {
      ({ task, reason } = await session.execute('claimTask', { run_id: demo.runId, agent_id: name, lease_ms: LEASE.defaultMs }));
    } catch (e) {
      // Another agent finished the run between our check and the claim.
      if (e instanceof DomainError && e.code === 'RUN_TERMINAL' && demo.finished) return;
      throw e;
    }
    if (!task) {
      if (await demo.allDone()) return;
      // A person watching may have cancelled a task the rest waits on: then they wait for that person.
      if (!waiting) demo.say(name, `nothing claimable yet (${reason ? NOTHING_TO_CLAIM_TEXT[reason] : 'waiting'})`);
      waiting = true;
      continue;
    }
    waiting = false;
    await work(demo, name, task, demo.byId.get(task.id)!).catch((e: unknown) => {
      // A person cancelled the task while this agent worked on it: it stops, as a real agent would.
      if (!(e instanceof DomainError && e.code === 'TASK_CANCELLED')) throw e;
      demo.say(name, `stopped ${task.id}: ${e.message}`);
    });
  }
}

async function work(demo: DemoRun, name: string, task: Task, spec: DemoTask): Promise<void> {
  const { session, runId } = demo;
  const token = task.lease_token!;
  await demo.stepStarted(spec.step);
  demo.say(name, `claimed ${task.id} — ${spec.title}${task.attempt > 0 ? ` (attempt ${task.attempt + 1})` : ''}`);
  const chunks = 1 + Math.floor(Math.random() * 3);
  for (let i = 0; i < chunks; i++) {
    await demo.sleep();
    if (demo.stopped) {
      await session.execute('transitionTask', { run_id: runId, task_id: task.id, action: 'release', lease_token: token });
      demo.say(name, `released ${task.id} (stopping)`);
      return;
    }
    await session.execute('transitionTask', {
      run_id: runId,
      task_id: task.id,
      action: 'heartbeat',
      lease_token: token,
      lease_ms: LEASE.defaultMs,
    });
    demo.say(name, `working on ${task.id}… (heartbeat)`);
  }
  await demo.sleep();
  if (spec.failsFirstWith && task.attempt === 0) {
    await session.execute('transitionTask', {
      run_id: runId,
      task_id: task.id,
      action: 'fail',
      lease_token: token,
      error: spec.failsFirstWith,
    });
    demo.failures++;
    demo.say(name, `FAILED ${task.id}: ${spec.failsFirstWith}`);
    await demo.sleep();
    await session.execute('transitionTask', { run_id: runId, task_id: task.id, action: 'retry', agent_id: name });
    demo.say(name, `put ${task.id} back on the board for a retry`);
    return;
  }
  await session.execute('transitionTask', { run_id: runId, task_id: task.id, action: 'complete', lease_token: token });
  demo.say(name, `completed ${task.id}`);
  if (spec.output) {
    await session.execute('patchBlackboard', {
      run_id: runId,
      op: 'add_artifact',
      payload: { path: spec.output, artifact_type: spec.type === 'docs' ? 'doc' : 'source', step_id: spec.step },
    });
  }
  if (spec.note) await demo.note(spec.note.kind, spec.note.text, spec.step);
  await demo.allDone();
}

/**
 * A folder whose board is a team's database: the sample run would stand on everyone's board, its
 * simulated agents beside the real ones. Said, not done, unless asked for.
 */
function refuseTeamBoard(root: string, asked: boolean): void {
  const config = readBoardConfig(root);
  if (config.store !== 'postgres' || asked) return;
  throw new UsageError(
    `${root}'s board is the PostgreSQL board ${config.board} (${BOARD_CONFIG_FILE}), which your team shares: the demo would put its sample run and simulated agents there for everyone. ` +
      'Run it in another folder (runboard --root <empty folder> demo), or pass --team-board to do it anyway.',
  );
}

export async function demo({ session, out, opts }: Invocation): Promise<number> {
  const agents = (opts.agents as number | undefined) ?? 3;
  if (agents < 1 || agents > 20) throw new UsageError('--agents must be between 1 and 20.');
  const pace = opts.fast === true ? FAST : HUMAN;
  refuseTeamBoard(session.root, opts.teamBoard === true);
  const run = await plan(session, out, pace);
  const stop = () => {
    run.stopped = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    // One agent's error stops the others (they release their tasks) before it is reported.
    const settled = await Promise.allSettled(
      Array.from({ length: agents }, (_, i) =>
        agent(run, `demo:agent-${i + 1}`).catch((e: unknown) => {
          stop();
          throw e;
        }),
      ),
    );
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  // Stopped halfway, the demo's run would stay open beside yours: every command that picks "the
  // only open run" (claim, tasks, an agent's loop) would then ask which, or pick the demo's.
  if (run.stopped && !run.finished) await run.event('run_cancelled', 'cancelled', undefined, { reason: 'the demo was stopped' });
  const result = await session.execute('getRun', { run_id: run.runId });
  const done = result.run.tasks.filter((t) => t.status === 'done').length;
  out.result(
    { ...result, failures_retried: run.failures },
    () =>
      `Run ${run.runId}: ${done}/${result.run.tasks.length} tasks done, ${run.failures} failures retried, ${result.run.last_event_seq} events. Status: ${result.run.status}.` +
      (result.run.status === 'cancelled'
        ? `\nCancelled, so that commands that pick the open run leave it alone: \`runboard run reopen ${run.runId}\` goes on with it, \`runboard run archive ${run.runId}\` puts it away.`
        : ''),
  );
  return run.stopped ? 130 : 0;
}
