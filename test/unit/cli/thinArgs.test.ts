// The thin path's reading of the agent loop's commands (server/src/cli/thin/thinArgs.ts): what it
// reads must be what commander reads from the same declarations, and everything else is left to
// the full CLI (undefined) — which then says what is wrong. Checked against the real commander
// tree: every accepted invocation parses there to the same command and options.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { takesCommandId } from '../../../contract/schemas/params';
import { taskOf } from '../../../server/src/cli/invocation';
import { buildProgram } from '../../../server/src/cli/program';
import { thinArgs } from '../../../server/src/cli/thin/thinArgs';
import { thinTakesCommandId } from '../../../server/src/cli/thin/thinPath';

/** What commander makes of argv: the command run, its options and the global ones (no handler runs). */
function commanderReading(argv: string[]): { command: string; opts: Record<string, unknown>; globals: Record<string, unknown> } {
  const program = buildProgram('0.0.0');
  let seen: { command: string; opts: Record<string, unknown>; globals: Record<string, unknown> } | undefined;
  for (const c of program.commands as Command[]) {
    c.action((...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      // The full CLI's handlers read the task from the argument or --task (taskOf).
      const task = taskOf({ args: args.slice(0, -2) as (string | undefined)[], opts: cmd.opts() });
      seen = { command: cmd.name(), opts: { ...cmd.opts(), ...(task !== undefined ? { task } : {}) }, globals: program.opts() };
    });
  }
  program.exitOverride();
  program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  program.parse(argv, { from: 'user' });
  assert.ok(seen, `commander ran no command for ${argv.join(' ')}`);
  return seen;
}

describe('the thin path reads the agent loop commands as commander does', () => {
  const accepted = [
    ['claim'],
    ['--json', 'claim'],
    ['claim', '--json'],
    ['--root', '/w', '--run', 'r1', '--agent', 'a', '--durability', 'none', 'claim', '--type', 'doc', '--lease-ms', '9000'],
    ['claim', '--task=t1', '--workflow', 'w', '--timeout', '5'],
    ['claim', '--timeout', '0.5'],
    ['--command-id', 'c1', 'heartbeat', '--token', 'tok', '--lease-ms=-1'],
    ['complete', '--token', 'tok', '--result', 'shipped it'],
    ['complete', '--task', 't1', '--result='],
    ['fail', '--error', 'broke', '--token', 'tok'],
    ['release', '--task', 't1', '--run', 'r2'],
    ['claim', '--type', 'a', '--type', 'b'],
    // The task as the argument, as retry and requeue take it.
    ['claim', 't1'],
    ['complete', 't1', '--result', 'shipped it'],
    ['release', '--token', 'tok', 't1'],
    ['heartbeat', 't1', '--task', 't1'],
  ];
  for (const argv of accepted) {
    it(`reads ${argv.join(' ')}`, () => {
      const thin = thinArgs(argv);
      assert.ok(thin, 'the thin path takes it');
      const c = commanderReading(argv);
      assert.equal(thin.command, c.command);
      assert.deepEqual(thin.opts, c.opts);
      assert.deepEqual(thin.globals, c.globals);
    });
  }

  const leftToTheFullCli = [
    [],
    ['runs'],
    ['claim', '--wait'],
    ['claim', '--help'],
    ['-h'],
    ['--version'],
    ['claim', 't1', 't2'],
    ['complete', 't1', '--task', 't2'],
    ['fail', '-e', 'x'],
    ['fail', '--token', 'tok', '--error', ' '],
    ['fail', '--token', 'tok', '--error='],
    ['claim', '--lease-ms', 'soon'],
    ['claim', '--timeout', '-1'],
    ['claim', '--lease-ms'],
    ['claim', '--lease-ms', '--json'],
    // commander reads it as -1; the thin path leaves values that look like options to it.
    ['heartbeat', '--token', 'tok', '--lease-ms', '-1'],
    ['claim', '--durability', 'sometimes'],
    ['claim', '--tyep', 'doc'],
    ['--task', 't1', 'complete'],
    ['fail', '--token', 'tok'],
    ['complete', '--json=yes'],
    ['claim', '-j'],
    ['claim', '--'],
    ['constructor'],
    ['claim', '--toString'],
  ];
  for (const argv of leftToTheFullCli) {
    it(`leaves ${JSON.stringify(argv.join(' '))} to the full CLI`, () => assert.equal(thinArgs(argv), undefined));
  }

  it('stamps a command_id on exactly the methods params.ts says take one', () => {
    for (const m of ['claimTask', 'transitionTask', 'listRuns'] as const) assert.equal(thinTakesCommandId(m), takesCommandId(m), m);
  });
});
