// What people and agents type first for a list whose command has another name — `runboard run
// list`, `runs list`, `checkpoints list`, `fact list` — read as that command, so the first guess
// lists instead of failing with "unknown command" or "too many arguments". A group named alone
// (`runboard tasks`, `runboard run --json`) is its listing, not a usage error.
import { GLOBAL_OPTIONS, optionName } from './agentLoopOptions';

/** `<word> list` → the command that lists it. */
const LISTED_BY: Readonly<Record<string, string>> = {
  runs: 'runs',
  run: 'runs',
  checkpoints: 'checkpoints',
  checkpoint: 'checkpoints',
  blackboard: 'blackboard',
  fact: 'blackboard',
  decision: 'blackboard',
  question: 'blackboard',
  artifact: 'blackboard',
};

/** A group named with no subcommand → the subcommand it means (a typo after it still gets commander's did-you-mean). */
const BARE_MEANS: Readonly<Record<string, string>> = {
  tasks: 'list',
  run: 'show',
};

/** Global options that take a value (`--root <dir>`): the word after one is its value, not a command. */
const TAKES_VALUE = new Set(GLOBAL_OPTIONS.filter((o) => optionName(o).takesValue).map((o) => `--${optionName(o).name}`));
/** Every global option (`--json`, `--run=r1` …): what may stand between the two words of a guess. */
const isGlobal = (word: string) =>
  GLOBAL_OPTIONS.some((o) => word === `--${optionName(o).name}` || word.startsWith(`--${optionName(o).name}=`));

/** After a bare group: its subcommand's options (`tasks --status failed`), but not a request for the group's help. */
const isSubcommandOption = (word: string) => word.startsWith('-') && word !== '-h' && word !== '--help' && word !== '--';

/** `argv` (process.argv: runtime, script, then the words) with a list guess replaced by its command. */
export function withListGuesses(argv: readonly string[]): string[] {
  const out = [...argv];
  for (let i = 2; i < out.length; i++) {
    const word = out[i];
    if (word === '--') return out;
    if (word.startsWith('-')) {
      if (TAKES_VALUE.has(word)) i++;
      continue;
    }
    // Global options may stand between the words too (`run --json list`).
    let next = i + 1;
    while (next < out.length && isGlobal(out[next])) next += TAKES_VALUE.has(out[next]) ? 2 : 1;
    const command = Object.hasOwn(LISTED_BY, word) ? LISTED_BY[word] : undefined;
    if (command !== undefined && out[next] === 'list') {
      out.splice(next, 1);
      out[i] = command;
    } else if (Object.hasOwn(BARE_MEANS, word) && (next >= out.length || isSubcommandOption(out[next]))) {
      out.splice(i + 1, 0, BARE_MEANS[word]);
    }
    return out;
  }
  return out;
}
