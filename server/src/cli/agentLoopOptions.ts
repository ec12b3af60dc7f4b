// The options of the global flags and of the agent loop's commands (claim, heartbeat, complete,
// fail, release), declared once: program.ts builds commander's tree from them, and the thin path
// (thin/thinArgs.ts) reads an invocation of those commands without loading commander.
import { DURABILITIES, LEASE } from '../../../contract/limits';

export interface OptionSpec {
  /** commander's flags: `--name`, or `--name <value>`. */
  flags: string;
  description: string;
  /** The value is an integer (parseInteger). */
  integer?: true;
  /** The value is a number of seconds, 0 or more (parseSeconds). */
  seconds?: true;
  /** The value is text with more than blanks in it (nonBlank). */
  nonBlank?: true;
  /** The value is one of these. */
  choices?: readonly string[];
  /** The command needs it (commander's requiredOption). */
  required?: true;
  /** The thin path leaves an invocation with this option to the full CLI (claim --wait follows the log). */
  fullCliOnly?: true;
}

export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { flags: '--root <dir>', description: 'workspace root (default: nearest folder up holding .runboard/, else the current folder)' },
  { flags: '--json', description: 'print one JSON document: the protocol result, or {error}' },
  { flags: '--agent <agent_id>', description: 'agent id (default: $RUNBOARD_AGENT or cli:<user>@<host>)' },
  { flags: '--run <run_id>', description: 'run id (default: $RUNBOARD_RUN, else the only open run)' },
  { flags: '--durability <mode>', description: 'fsync every commit, or leave it to the OS', choices: DURABILITIES },
  { flags: '--command-id <id>', description: 'idempotency key: a repeat returns the original result and writes nothing' },
];

/** Each agent loop command takes its task as one optional argument too, as retry and requeue do. */
export const TASK_ARGUMENT = 'the task (same as --task)';

const LEASE_TARGET: readonly OptionSpec[] = [
  { flags: '--token <lease_token>', description: 'the lease token from the claim (default: $RUNBOARD_LEASE_TOKEN)' },
  { flags: '--task <task_id>', description: 'the task (default: the task holding that lease)' },
];

export const AGENT_LOOP_COMMANDS = {
  claim: {
    description:
      'claim the next claimable task; prints export lines for `eval "$(runboard claim)"`, so that the later calls of the loop know its task and lease token',
    options: [
      { flags: '--type <task_type>', description: 'only tasks of this type' },
      { flags: '--workflow <workflow_id>', description: 'only tasks of this workflow' },
      { flags: '--task <task_id>', description: 'claim this task only (same as the argument)' },
      {
        flags: '--lease-ms <ms>',
        description: `lease length (default $RUNBOARD_LEASE_MS, else ${LEASE.agentDefaultMs}; clamped to ${LEASE.minMs}..${LEASE.maxMs})`,
        integer: true,
      },
      {
        flags: '--wait',
        description:
          'wait until a task can be claimed (woken by changes to the run), instead of exiting 3; every task done or cancelled ends it at once',
        fullCliOnly: true,
      },
      { flags: '--timeout <seconds>', description: 'with --wait: give up after this long (exit 3)', seconds: true },
      {
        flags: '--worktree',
        description:
          'work in a git worktree of the task: made outside the workspace on a branch of its own (or the one its last attempt left); prints its path and exports RUNBOARD_ROOT',
        fullCliOnly: true,
      },
    ],
  },
  heartbeat: {
    description: 'extend the lease of a claimed task',
    options: [
      ...LEASE_TARGET,
      {
        flags: '--lease-ms <ms>',
        description: "new lease length from now (default: the lease's own, as claimed)",
        integer: true,
      },
    ],
  },
  complete: {
    description: 'mark a claimed task done',
    options: [
      ...LEASE_TARGET,
      { flags: '--result <text>', description: 'what the work produced, kept on the task (runs of format 2)' },
      {
        flags: '--force',
        description: "complete it although its worktree holds uncommitted changes (they stay in the kept worktree, off the task's branch)",
        fullCliOnly: true,
      },
    ],
  },
  fail: {
    description: 'mark a claimed task failed',
    options: [
      ...LEASE_TARGET,
      { flags: '--error <text>', description: 'what went wrong, for whoever looks at it next', required: true, nonBlank: true },
    ],
  },
  release: { description: 'give a claimed task back to the board', options: LEASE_TARGET },
} as const satisfies Record<string, { description: string; options: readonly OptionSpec[] }>;

export type AgentLoopCommand = keyof typeof AGENT_LOOP_COMMANDS;

/** `--lease-ms <ms>` → { name: 'lease-ms', key: 'leaseMs', takesValue: true } (commander's camelCase key). */
export function optionName(spec: OptionSpec): { name: string; key: string; takesValue: boolean } {
  const [flag, value] = spec.flags.split(' ');
  const name = flag.slice(2);
  return { name, key: name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), takesValue: value !== undefined };
}

/** An integer option's value, or undefined when the text is not an integer. */
export function parseInteger(text: string): number | undefined {
  return /^-?\d+$/.test(text.trim()) ? Number(text) : undefined;
}

/** A number of seconds, 0 or more (fractions allowed); undefined when the text is not one. */
export function parseSeconds(text: string): number | undefined {
  const n = Number(text.trim());
  return text.trim() === '' || !Number.isFinite(n) || n < 0 ? undefined : n;
}

/** A nonBlank option's value, or undefined when it is empty or only blanks. */
export function nonBlank(text: string): string | undefined {
  return text.trim() === '' ? undefined : text;
}
