// Reads an agent loop command's arguments (claim, heartbeat, complete, fail, release) as the
// full CLI's commander tree would, by the same option declarations (agentLoopOptions.ts) — or
// says `undefined` for anything it does not read exactly so: help, an unknown or misspelt option,
// a bad value, a missing one, `claim --wait`. The full CLI then reads the invocation, and says
// what is wrong with it.
import {
  AGENT_LOOP_COMMANDS,
  AgentLoopCommand,
  GLOBAL_OPTIONS,
  nonBlank,
  OptionSpec,
  optionName,
  parseInteger,
  parseSeconds,
} from '../agentLoopOptions';

export interface ThinInvocation {
  command: AgentLoopCommand;
  /** The global options given, by commander's keys (root, json, agent, run, durability, commandId). */
  globals: Record<string, string | true>;
  /** The command's own options given, by commander's keys (integers parsed). */
  opts: Record<string, string | number | true>;
}

const isCommand = (word: string): word is AgentLoopCommand => Object.hasOwn(AGENT_LOOP_COMMANDS, word);

export function thinArgs(argv: readonly string[]): ThinInvocation | undefined {
  let command: AgentLoopCommand | undefined;
  const globals: ThinInvocation['globals'] = {};
  const opts: ThinInvocation['opts'] = {};
  let taskArgument: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (!word.startsWith('--')) {
      // The command, then at most its task (the same as --task).
      if (command === undefined) {
        if (!isCommand(word)) return undefined;
        command = word;
      } else if (taskArgument === undefined && !word.startsWith('-')) taskArgument = word;
      else return undefined;
      continue;
    }
    const eq = word.indexOf('=');
    const name = eq < 0 ? word.slice(2) : word.slice(2, eq);
    const global = find(GLOBAL_OPTIONS, name);
    // A command's options come after it (commander reads them there only); global ones anywhere.
    const spec = global ?? (command !== undefined ? find(AGENT_LOOP_COMMANDS[command].options, name) : undefined);
    if (!spec || spec.fullCliOnly) return undefined;
    const { key, takesValue } = optionName(spec);
    let value: string | number | true = true;
    if (takesValue) {
      const text = eq < 0 ? argv[++i] : word.slice(eq + 1);
      // A value that looks like an option is left to commander's own reading.
      if (text === undefined || (eq < 0 && text.startsWith('-'))) return undefined;
      const read = valueOf(spec, text);
      if (read === undefined) return undefined;
      value = read;
    } else if (eq >= 0) return undefined;
    (global ? globals : opts)[key] = value;
  }
  if (command === undefined) return undefined;
  if (taskArgument !== undefined) {
    // Two different tasks named: the full CLI says so.
    if (opts.task !== undefined && opts.task !== taskArgument) return undefined;
    opts.task = taskArgument;
  }
  for (const spec of AGENT_LOOP_COMMANDS[command].options as readonly OptionSpec[]) {
    if (spec.required && opts[optionName(spec).key] === undefined) return undefined;
  }
  return { command, globals, opts };
}

function find(specs: readonly OptionSpec[], name: string): OptionSpec | undefined {
  return specs.find((s) => optionName(s).name === name);
}

function valueOf(spec: OptionSpec, text: string): string | number | undefined {
  if (spec.integer) return parseInteger(text);
  if (spec.seconds) return parseSeconds(text);
  if (spec.nonBlank) return nonBlank(text);
  if (spec.choices && !spec.choices.includes(text)) return undefined;
  return text;
}
