// The `runboard` command tree (commander). Only the tree is built at start-up; each handler's
// module is loaded when its subcommand runs, so a claim or complete pays for nothing else.
import { MCP_PROFILES } from './mcp/profiles';
import { Command, InvalidArgumentError, Option } from 'commander';
import { HandlerModule, invoke } from './invocation';
import { ARCHIVE_AFTER_DAYS_MAX, LEASE, NUMBER_BOUNDS, type NumberBounds } from '../../../contract/limits';
import {
  AGENT_LOOP_COMMANDS,
  AgentLoopCommand,
  GLOBAL_OPTIONS,
  nonBlank,
  OptionSpec,
  parseInteger,
  parseSeconds,
  TASK_ARGUMENT,
} from './agentLoopOptions';
import { DEFAULT_TASK_TYPE } from '../../../contract/taskLine';

const runCommands = () => import('./commands/runCommands.js');
const attentionCommand = () => import('./commands/attentionCommand.js');
const statsCommand = () => import('./commands/statsCommand.js');
const runTransferCommands = () => import('./commands/runTransferCommands.js');
const blackboardCommands = () => import('./commands/blackboardCommands.js');
const taskCommands = () => import('./commands/taskCommands.js');
const oneTaskCommands = () => import('./commands/oneTaskCommands.js');
const taskCancelCommand = () => import('./commands/taskCancelCommand.js');
const claimCommand = () => import('./commands/claimCommand.js');
const initCommand = () => import('./commands/initCommand.js');
const checkpointCommands = () => import('./commands/checkpointCommands.js');
const watchCommand = () => import('./commands/watchCommand.js');
const serveCommand = () => import('./commands/serveCommand.js');
const mcpCommand = () => import('./commands/mcpCommand.js');
const demoCommand = () => import('./demo/demoCommand.js');
const worktreeCommands = () => import('./commands/worktreeCommands.js');

function handle(load: () => Promise<HandlerModule>, name: string) {
  return (...args: unknown[]) => invoke(args[args.length - 1] as Command, args.slice(0, -2), load, name);
}

export function integer(value: string): number {
  const n = parseInteger(value);
  if (n === undefined) throw new InvalidArgumentError('Expected an integer.');
  return n;
}

/** A whole number of at least `min` (a count, a seq): -1 or 0 where they mean nothing is a usage error, not an empty answer. */
function atLeast(min: number): (value: string) => number {
  return (value) => {
    const n = parseInteger(value);
    if (n === undefined || n < min) throw new InvalidArgumentError(`Expected a whole number, ${min} or more.`);
    return n;
  };
}

/**
 * A whole number within a param's bounds (contract/limits.ts), given in `unit` of it (seconds for
 * a param in ms): refused here, naming the flag in its own unit, not by the server naming the param.
 */
function within(bounds: NumberBounds, unit?: { name: string; per: number }): (value: string) => number {
  return (value) => {
    const n = parseInteger(value);
    const per = unit?.per ?? 1;
    if (n === undefined || n * per < bounds.min || n * per > bounds.max) {
      const [min, max] = [Math.ceil(bounds.min / per), Math.floor(bounds.max / per)];
      throw new InvalidArgumentError(`Expected a whole number${unit ? ` of ${unit.name}` : ''}, ${min} to ${max}.`);
    }
    return n;
  };
}

const SECONDS = { name: 'seconds', per: 1000 };
/** --archive-after-days: 0 (never) to ARCHIVE_AFTER_DAYS_MAX. */
const days = within({ min: 0, max: ARCHIVE_AFTER_DAYS_MAX }, { name: 'days', per: 1 });

/** Text that says something: not empty, not only blanks. */
export function text(value: string): string {
  const said = nonBlank(value);
  if (said === undefined) throw new InvalidArgumentError('Expected some text, not an empty one.');
  return said;
}

/** A non-negative number of seconds (fractions allowed). */
export function seconds(value: string): number {
  const n = parseSeconds(value);
  if (n === undefined) throw new InvalidArgumentError('Expected a number of seconds (0 or more).');
  return n;
}

/** Options declared in agentLoopOptions.ts, as commander's. */
function withOptions(c: Command, specs: readonly OptionSpec[]): Command {
  for (const spec of specs) {
    const option = new Option(spec.flags, spec.description);
    if (spec.integer) option.argParser(integer);
    if (spec.seconds) option.argParser(seconds);
    if (spec.nonBlank) option.argParser(text);
    if (spec.choices) option.choices(spec.choices);
    if (spec.required) option.makeOptionMandatory();
    c.addOption(option);
  }
  return c;
}

/** One of the agent loop's commands (claim, heartbeat, …), with its declared options. */
function agentLoopCommand(program: Command, name: AgentLoopCommand, handler: (...args: unknown[]) => Promise<void>): void {
  const { description, options } = AGENT_LOOP_COMMANDS[name];
  withOptions(program.command(name).description(description).argument('[task_id]', TASK_ARGUMENT), options).action(handler);
}

export function buildProgram(version: string): Command {
  const program = new Command('runboard');
  withGlobalOptions(program, version);
  addRunCommands(program);
  addBlackboardCommands(program);
  addTaskCommands(program);
  addHistoryCommands(program);
  addServiceCommands(program);
  return program;
}

/** The options every command takes, help text and exit codes. */
function withGlobalOptions(program: Command, version: string): void {
  program
    .description('Runboard: context runs with a task board, leases, checkpoints and replay — from the command line.')
    .version(version, '-V, --version');
  withOptions(program, GLOBAL_OPTIONS)
    .showSuggestionAfterError()
    .exitOverride()
    // Every command's --help shows these too: an agent reads one command's help, not the top.
    .configureHelp({ showGlobalOptions: true })
    .addHelpText(
      'after',
      '\nEnvironment: RUNBOARD_ROOT (workspace root), RUNBOARD_RUN (run id), RUNBOARD_AGENT (agent id), RUNBOARD_TASK and RUNBOARD_LEASE_TOKEN\n' +
        "(the task and lease for heartbeat/complete/fail/release: claim prints them for eval), RUNBOARD_WORKTREE (the task's worktree, from claim --worktree),\n" +
        `RUNBOARD_WORKTREES (where task worktrees go), RUNBOARD_LEASE_MS (lease length of claims, default ${LEASE.agentDefaultMs}),\n` +
        "RUNBOARD_OUTAGE_RETRY_MS (how long a call rides out a board that cannot take it for a moment), RUNBOARD_ROUTE=0 (never send calls to the root's server: write directly), RUNBOARD_DEBUG=1 (say where each call went).\n" +
        'Exit codes: 0 ok, 1 rejected (the error code and message on stderr), 2 bad arguments or invalid params, 3 nothing to claim now, or the run is finished (claim).',
    );
}

/** runs, run create/show/events, event append. */
function addRunCommands(program: Command): void {
  program
    .command('runs')
    .description('list runs, newest first')
    .addOption(new Option('--status <status>', 'only runs with this status'))
    .option('--limit <n>', 'at most n runs (default 100)', atLeast(1))
    .option('--archived', 'also list the archived runs')
    .action(handle(runCommands, 'runs'));

  program
    .command('attention')
    .description(
      'what needs a person — failed or blocked tasks, open questions, paused runs, leases about to run out, drift — with what resolves each',
    )
    .option(
      '--lease-warning <seconds>',
      'list leases that run out within this long without a heartbeat (default 30)',
      within(NUMBER_BOUNDS.leaseWarningMs, SECONDS),
    )
    .action(handle(attentionCommand, 'attention'));

  program
    .command('stats')
    .description("how the run's work went: per task wait, work, claims and agent; cycle times per task type and agent")
    .argument('[run_id]')
    .option(
      '--slices <n>',
      'cut the run into n equal time slices for throughput and statuses over time (default 20)',
      within(NUMBER_BOUNDS.slices),
    )
    .action(handle(statsCommand, 'stats'));

  const run = program.command('run').description('create, inspect and steer runs');
  run
    .command('create')
    .description('create a run')
    .argument('<objective>', 'what the run is for; with several lines, every line is a plan step (list markers stripped)')
    .option('--id <run_id>', 'the run id (default: run-<uuid>)')
    .option('--auto-finish', 'complete the run when its last open task is completed')
    .option('--type <run_type>', 'run type (default: interactive)')
    .option('--workspace <path>', 'bind the run to this workspace path')
    .option('--source <client>', 'source client (default: runboard-cli)')
    .action(handle(runCommands, 'runCreate'));
  run.command('show').description('the run, its steps and its board').argument('[run_id]').action(handle(runCommands, 'runShow'));
  run
    .command('archive')
    .description('archive a finished run: out of the lists, its log compressed, read-only until restored')
    .argument('[run_id]')
    .option('--force', 'archive a run that is not finished (its leases are requeued first)')
    .option('--reason <text>', 'why')
    .option('--older-than <days>', 'instead of one run: every finished run not changed for this many days', atLeast(0))
    .action(handle(runCommands, 'runArchive'));
  run
    .command('compact')
    .description('keep a finished run listed, its log compressed into sealed segments (its next change restores it)')
    .argument('[run_id]')
    .action(handle(runCommands, 'runCompact'));
  run
    .command('restore')
    .description('bring an archived run back, whole (see `runboard runs --archived`)')
    .argument('<run_id>')
    .action(handle(runCommands, 'runRestore'));
  run
    .command('export')
    .description("the run's events as JSON lines (the format of .runboard/runs/<run_id>/events.jsonl), to move it: `run import` reads them")
    .argument('[run_id]')
    .option('--output <file>', 'write them to this file (default: stdout)')
    .action(handle(runTransferCommands, 'runExport'));
  run
    .command('import')
    .description('make a run from an exported file (- for stdin): checked whole, written in one commit; refused when the run exists here')
    .argument('<file>')
    .action(handle(runTransferCommands, 'runImport'));
  run
    .command('events')
    .description("the run's events, oldest first")
    .argument('[run_id]')
    .option('--since <seq>', 'only events after this seq', atLeast(0))
    .option('--tail <n>', 'only the last n events', atLeast(1))
    .option('--limit <n>', 'at most n events', atLeast(1))
    .action(handle(runCommands, 'runEvents'));
  run
    .command('complete')
    .description('complete the run (refused while tasks are in progress, unless --force); pending tasks stay as they are')
    .argument('[run_id]')
    .option('--reason <text>', 'why')
    .option('--force', 'complete it even while tasks are in progress')
    .action(handle(runCommands, 'complete'));
  run.command('fail').description('fail the run').argument('[run_id]').option('--reason <text>', 'why').action(handle(runCommands, 'fail'));
  run
    .command('rebind')
    .description(
      'bind the run to this folder (--root): a run paused for being opened in another folder than the one it is bound to runs again (event workspace_rebound)',
    )
    .argument('[run_id]')
    .action(handle(runCommands, 'rebind'));
  for (const [name, what] of [
    ['pause', 'pause the run (event run_paused)'],
    ['resume', 'resume a paused run (event run_resumed)'],
    ['cancel', 'cancel the run (event run_cancelled)'],
    ['reopen', 'reopen a finished run (event run_reopened)'],
    ['approve', 'approve the plan a run waits with (event plan_approved): it runs, its first step starts'],
  ] as const) {
    run.command(name).description(what).argument('[run_id]').option('--reason <text>', 'why').action(handle(runCommands, name));
  }

  program
    .command('event')
    .description('append run events')
    .command('append')
    .description('append an event to the run (the transition table decides its effect)')
    .argument('<type>', 'event type, e.g. step_started, step_completed, session_run_finished')
    .option('--status <status>', "declared run status (default: the run's current status)")
    .option('--step <step_id>', 'the step the event is about')
    .option('--payload <json>', 'event payload (a JSON value)')
    .action(handle(runCommands, 'eventAppend'));
}

/** An example under a command's --help (an agent copies it). */
const example = (c: Command, line: string) => c.addHelpText('after', `\nExample:\n  ${line}\n`);

/** blackboard; fact, decision, question, artifact add; question answer/resolve/reopen, decision supersede. */
function addBlackboardCommands(program: Command): void {
  example(
    program
      .command('blackboard')
      .description("the run's blackboard: facts, decisions (and what superseded them), open and closed questions, artifacts")
      .argument('[run_id]')
      .action(handle(blackboardCommands, 'blackboard')),
    "runboard blackboard --json | jq '.blackboard.open_questions[].id'",
  );
  const [, decision, question] = (
    [
      ['fact', 'add_fact', 'a fact'],
      ['decision', 'add_decision', 'a decision'],
      ['question', 'add_open_question', 'an open question'],
    ] as const
  ).map(([noun, op, what]) => {
    const command = program.command(noun).description(`the blackboard's ${noun}s`);
    command
      .command('add')
      .description(`add ${what} to the blackboard (${op})`)
      .argument('<text>')
      .option('--step <step_id>', 'the step it belongs to')
      .action(handle(blackboardCommands, noun));
    return command;
  });
  addClosingCommands(decision, question);
  program
    .command('artifact')
    .description("the blackboard's artifacts")
    .command('add')
    .description('record an artifact (a file the run produced)')
    .argument('<path>')
    .option('--type <artifact_type>', 'artifact type (default: file)')
    .option('--step <step_id>', 'the step it belongs to')
    .action(handle(blackboardCommands, 'artifact'));
}

/** question answer|resolve|reopen, decision supersede (runs of format 4), as this agent. */
function addClosingCommands(decision: Command, question: Command): void {
  example(
    question
      .command('answer')
      .description('answer an open question (answer_question): it moves to the closed questions, with the answer')
      .argument('<question_id>')
      .argument('<text>', 'the answer')
      .addOption(
        new Option('--decision <text>', 'also record the decision the answer makes (linked to the question)').conflicts('decisionId'),
      )
      .option('--decision-id <decision_id>', 'an existing decision that answers it')
      .action(handle(blackboardCommands, 'questionAnswer')),
    'runboard question answer question-7f3a "Yes, archived rows too" --decision "The export includes archived rows"',
  );
  example(
    question
      .command('resolve')
      .description('close an open question without an answer, e.g. it no longer matters (resolve_question)')
      .argument('<question_id>')
      .option('--note <text>', 'why it is closed')
      .action(handle(blackboardCommands, 'questionResolve')),
    'runboard question resolve question-7f3a --note "The archive is gone"',
  );
  example(
    question
      .command('reopen')
      .description('open an answered or resolved question again (reopen_question); its earlier answer stays for reference')
      .argument('<question_id>')
      .option('--reason <text>', 'why it is open again')
      .action(handle(blackboardCommands, 'questionReopen')),
    'runboard question reopen question-7f3a --reason "Legal wants archived rows after all"',
  );
  example(
    decision
      .command('supersede')
      .description('replace a decision with a new one (supersede_decision): both stay, the old one marked "superseded by" the new')
      .argument('<decision_id>', 'the decision replaced')
      .argument('<text>', 'the new decision')
      .option('--step <step_id>', 'the step the new decision belongs to')
      .action(handle(blackboardCommands, 'decisionSupersede')),
    'runboard decision supersede decision-1c9e "Quote every field, not only those with commas"',
  );
}

/** tasks create/list, claim, the lease commands, retry, requeue. */
function addTaskCommands(program: Command): void {
  const tasks = program.command('tasks').description('the task board');
  tasks
    .command('create')
    .description(
      'create tasks from a JSON file or stdin (-): an array of tasks, or {"tasks": [...]}; each {id?, task_type? (default work, or implementation with payload.output_target), payload: {title, …}, depends_on_task_ids?, priority?}. ' +
        'Its JSON Schema is schemas/tasks.schema.json; the README shows an example.',
    )
    .argument('<file>', 'a JSON file, or - for stdin')
    .action(handle(taskCommands, 'tasksCreate'));
  tasks
    .command('add')
    .description('add one task')
    .argument('<title>', 'what the task is, as every view shows it')
    .option('--type <task_type>', `task type (default: ${DEFAULT_TASK_TYPE}, or implementation with --target)`)
    .option('--id <task_id>', 'the task id (default: task-<uuid>)')
    .option('--description <text>', 'more about the task, for the agent that claims it')
    .option('--target <path>', 'the file it writes (payload.output_target.path)')
    .option('--priority <n>', 'higher is claimed first (default 0)', within(NUMBER_BOUNDS.priority))
    .option('--after <task_ids...>', 'tasks it waits for (several, or comma-separated)')
    .option('--max-attempts <n>', 'failures before it stays failed (default 3)', within(NUMBER_BOUNDS.maxAttempts))
    .option('--status <status>', 'pending (default), runnable or blocked')
    .option('--label <labels...>', 'labels to find it by (several, or comma-separated)')
    .action(handle(oneTaskCommands, 'tasksAdd'));
  tasks
    .command('edit')
    .description('edit a task (runs of format 3): what you give is set; a task another agent holds needs --force')
    .argument('<task_id>')
    .option('--title <text>', 'its title')
    .option('--description <text>', 'its description')
    .option('--priority <n>', 'higher is claimed first', within(NUMBER_BOUNDS.priority))
    .option('--after <task_ids...>', 'the tasks it waits for, replacing the list (several, or comma-separated; "" for none)')
    .option('--max-attempts <n>', 'failures before it stays failed', within(NUMBER_BOUNDS.maxAttempts))
    .option('--label <labels...>', 'its labels, replacing the list')
    .option('--token <lease_token>', 'the lease token, when it is leased to you (default: $RUNBOARD_LEASE_TOKEN)')
    .option('--force', 'edit it although another agent holds it (a person)')
    .action(handle(oneTaskCommands, 'tasksEdit'));
  example(
    tasks
      .command('cancel')
      .description(
        'cancel a task (runs of format 4): it is never claimed again, unless requeued; the tasks that wait on it wait ' +
          '("dependency cancelled") unless --cascade cancels them too. A task another agent holds needs --force; that agent is told.',
      )
      .argument('<task_id>')
      .option('--reason <text>', 'why, for the board and the holder')
      .option('--cascade', 'also cancel every unfinished task that waits on it')
      .option('--force', 'cancel it (and, with --cascade, leased dependents) although another agent holds it (a person)')
      .option('--token <lease_token>', 'the lease token, when it is leased to you (default: $RUNBOARD_LEASE_TOKEN)')
      .action(handle(taskCancelCommand, 'tasksCancel')),
    'runboard tasks cancel task-42 --reason "Out of scope" --cascade',
  );
  tasks
    .command('merge')
    .description(
      "merge (or --rebase) a done task's branch (claim --worktree) into the branch checked out in the repository; stops on conflicts, changing nothing",
    )
    .argument('<task_id>')
    .option('--into <branch>', 'the branch to merge into (it must be the one checked out)')
    .option('--rebase', "rebase the task's branch on it and fast-forward (a straight history), instead of a merge commit")
    .action(handle(worktreeCommands, 'tasksMerge'));
  program
    .command('worktree')
    .description('the task worktrees of claim --worktree')
    .command('prune')
    .description('remove the worktrees of finished tasks that hold nothing uncommitted (their branches stay); keep and name the others')
    .action(handle(worktreeCommands, 'worktreePrune'));
  tasks
    .command('show')
    .description('one task: its fields, its lease, and why it waits')
    .argument('<task_id>')
    .action(handle(oneTaskCommands, 'tasksShow'));
  tasks
    .command('list')
    .description("the run's tasks")
    .addOption(new Option('--status <status>', 'only tasks with this status'))
    .option(
      '--filter <words>',
      "only tasks matching every word: status:, type:, agent:, label:, id: (prefixes; a key repeated means either) or text in id, title, description, labels, last error — e.g. 'status:failed agent:bob timeout'",
    )
    .action(handle(taskCommands, 'tasksList'));

  agentLoopCommand(program, 'claim', handle(claimCommand, 'claim'));
  agentLoopCommand(program, 'heartbeat', handle(taskCommands, 'heartbeat'));
  agentLoopCommand(program, 'complete', handle(taskCommands, 'complete'));
  agentLoopCommand(program, 'fail', handle(taskCommands, 'fail'));
  agentLoopCommand(program, 'release', handle(taskCommands, 'release'));
  program
    .command('retry')
    .description('make a failed or blocked task runnable again')
    .argument('[task_id]')
    .option('--task <task_id>', 'the task (same as the argument)')
    .action(handle(taskCommands, 'retry'));
  program
    .command('requeue')
    .description('put a task back on the board (any status but done); reopens a cancelled task')
    .argument('[task_id]')
    .option('--task <task_id>', 'the task (same as the argument)')
    .option('--reason <text>', 'recorded as the last error')
    .option('--force', 'also take it from a live lease')
    .option('--cascade', 'also reopen the tasks its cancel took along (tasks cancel --cascade)')
    .action(handle(taskCommands, 'requeue'));
}

/** checkpoint, checkpoints, replay, repair. */
function addHistoryCommands(program: Command): void {
  program
    .command('checkpoint')
    .description('snapshot the run and its blackboard')
    .argument('[run_id]')
    .option('--reason <text>', 'why (default: "checkpoint from the CLI")')
    .action(handle(checkpointCommands, 'checkpoint'));
  program
    .command('checkpoints')
    .description("the run's checkpoints")
    .argument('[run_id]')
    .action(handle(checkpointCommands, 'checkpoints'));
  program
    .command('replay')
    .description('rebuild the run from its log and compare it with the stored state (drift)')
    .argument('[run_id]')
    .option('--upto <seq>', 'replay up to this seq (default: the last)', atLeast(1))
    .option('--from-scratch', 'ignore checkpoints and fold from seq 1')
    .option('--checkpoint <checkpoint_id>', 'start from this checkpoint')
    .action(handle(checkpointCommands, 'replay'));
  program
    .command('repair')
    .description(
      "show the lines of a run's log that cannot be folded and whether a cache or checkpoint can restore what they lost; " +
        '--restore puts that back, --accept records that it is gone; either way writes resume',
    )
    .argument('[run_id]')
    .option('--restore', 'put back what a cache or checkpoint from before the damage holds (the lines stay)')
    .option('--accept', 'record the damage as accepted, restoring nothing (the lines stay; folding goes around them)')
    .action(handle(checkpointCommands, 'repair'));
}

/** watch, serve, mcp, demo. */
function addServiceCommands(program: Command): void {
  program
    .command('init')
    .description('set the workspace up for agents: .runboard/ (with a .gitignore) and instructions in AGENTS.md; again changes nothing')
    .option('--claude', 'also in CLAUDE.md')
    .option('--copilot', 'also in .github/copilot-instructions.md')
    .option('--print', 'only print the instructions')
    .action(handle(initCommand, 'init'));
  program
    .command('watch')
    .description('follow the run live: print events as any process appends them (Ctrl-C to stop)')
    .argument('[run_id]')
    .option('--tail <n>', 'first print the last n events (default 10)', atLeast(0))
    .action(handle(watchCommand, 'watch'));
  example(
    program
      .command('serve')
      .description(
        "run the Runboard server (JSON-RPC, LSP framing); with --socket, headless on the root's socket: the root's CLI and MCP calls go to it",
      )
      .option('--stdio', 'on stdin/stdout')
      .option('--node-ipc', 'on the Node IPC channel')
      .option('--socket', "on the root's socket, until idle, SIGTERM or Ctrl-C (exits 0 at once when another server serves the root)")
      .option('--idle-timeout <seconds>', 'with --socket: stop after this long without a connection (default 600; 0: never)', seconds)
      .option(
        '--archive-after-days <days>',
        `with --socket: archive finished runs this many days after their last change (at start, then daily; 0..${ARCHIVE_AFTER_DAYS_MAX}, 0: never)`,
        days,
      )
      .option('--read-only', 'write nothing: every mutating method answers READ_ONLY (an untrusted workspace)')
      .allowUnknownOption(),
    'runboard serve --socket --idle-timeout 3600 &',
  ).action(handle(serveCommand, 'serve'));
  program
    .command('mcp')
    .description(
      'run an MCP server on stdio: the board as tools for a model (its agent id: --agent, else $RUNBOARD_AGENT, else mcp:<user>@<host>#<pid>: each MCP server one agent)',
    )
    .addOption(
      new Option('--profile <profile>', 'all tools, or core: the work loop alone (a smaller context)').choices(MCP_PROFILES).default('all'),
    )
    .action(handle(mcpCommand, 'mcp'));
  program
    .command('demo')
    .description('simulated agents work through a sample plan, so you can watch the board live')
    .option('--agents <n>', 'number of agents (default 3)', atLeast(1))
    .option('--fast', 'no human pacing (for tests)')
    .option('--team-board', "run it even on the folder's shared PostgreSQL board, where everyone sees it")
    .action(handle(demoCommand, 'demo'));
}
