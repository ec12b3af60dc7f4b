// What people and agents type first for a list whose command has another name — `runboard run
// list`, `runs list`, `checkpoints list`, `fact list` — read as that command, so the first guess
// lists instead of failing with "unknown command" or "too many arguments".
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

/** Global options that take a value (`--root <dir>`): the word after one is its value, not a command. */
const TAKES_VALUE = new Set(GLOBAL_OPTIONS.filter((o) => optionName(o).takesValue).map((o) => `--${optionName(o).name}`));

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
    const command = Object.hasOwn(LISTED_BY, word) ? LISTED_BY[word] : undefined;
    if (command !== undefined && out[i + 1] === 'list') out.splice(i, 2, command);
    return out;
  }
  return out;
}
