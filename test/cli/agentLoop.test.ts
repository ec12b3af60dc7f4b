// The agent loop of the README and of the AGENTS.md block, driven in bash as an agent runs it:
// each step takes the branch its exit code promises — 0 claimed, 3 nothing to claim (and the old
// token cleared by eval), 1 for a used token and for a lease revoked by a requeue (issue 16).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  assertBuilt,
  cleanEnv,
  CLI_JS,
  cli,
  cliJson,
  removeTempWorkspaces,
  seedRun,
  startHeadless,
  stopHeadless,
  tempWorkspace,
} from './cliHarness';

before(assertBuilt);
after(removeTempWorkspaces);

/** Runs `script` in bash in `root`, with `runboard` on PATH; returns its `name=value` lines. */
function bash(root: string, script: string): Record<string, string> {
  const bin = path.join(root, '.bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'runboard'), `#!/bin/sh\nexec "${process.execPath}" "${CLI_JS}" "$@"\n`, { mode: 0o755 });
  const env = cleanEnv({ PATH: `${bin}${path.delimiter}${process.env.PATH}`, RUNBOARD_AGENT: 'agent-a' });
  const r = spawnSync('bash', ['-c', `set -u\nstep() { printf '%s=%s\\n' "$1" "$2"; }\n${script}`], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return Object.fromEntries(
    r.stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('the agent loop in bash', () => {
  it('claim, complete, a used token, nothing to claim, a revoked lease: each exit code says which', () => {
    const root = tempWorkspace();
    seedRun(root, 'loop', [{ id: 'first', task_type: 'w', payload: { title: 'First' } }]);
    const got = bash(
      root,
      `
out="$(runboard claim)"; code=$?; eval "$out"; step claim $code; step task "$RUNBOARD_TASK"
runboard complete --result "wrote it" >/dev/null; step complete $?
runboard complete >/dev/null 2>err; step complete_again $?; step complete_again_code "$(grep -o 'TASK_[A-Z_]*' err | head -1)"
out="$(runboard claim)"; code=$?; eval "$out"; step claim_none $code; step token_after "\${RUNBOARD_LEASE_TOKEN:-<empty>}"
step why "$(printf '%s' "$out" | head -1)"
runboard tasks add "Second" --id second >/dev/null
out="$(runboard claim)"; code=$?; eval "$out"; step claim_second $code
RUNBOARD_AGENT=boss runboard requeue second --force --reason "taking it back" >/dev/null; step requeue $?
runboard heartbeat >/dev/null 2>err; step heartbeat_revoked $?; step revoked "$(cat err)"
`,
    );
    assert.deepEqual(
      [
        got.claim,
        got.task,
        got.complete,
        got.complete_again,
        got.claim_none,
        got.token_after,
        got.claim_second,
        got.requeue,
        got.heartbeat_revoked,
      ],
      ['0', 'first', '0', '1', '3', '<empty>', '0', '0', '1'],
      JSON.stringify(got),
    );
    assert.match(got.complete_again_code, /^TASK_LEASE_(EXPIRED|INVALID)$/, 'a used token is a domain error, not a usage error');
    assert.match(got.why, /^# Nothing to claim in run loop now: every task is done or cancelled\./);
    assert.match(got.revoked, /TASK_LEASE_EXPIRED: Your lease on task second was revoked by a requeue by boss: taking it back/);
    assert.equal(cliJson(root, ['tasks', 'show', 'first']).task.result, 'wrote it');
    // A claim that names a task says why that task cannot be had, not why the run has nothing.
    const named = cli(['--root', root, 'claim', 'first']);
    assert.deepEqual([named.status, named.stdout.split('\n')[0]], [3, '# Task first cannot be claimed now: it is done or cancelled.']);
  });

  it('a claim of a task that waits on others names them, those not done yet', () => {
    const root = tempWorkspace();
    seedRun(root, 'deps', [
      { id: 'design', task_type: 'w' },
      { id: 'survey', task_type: 'w' },
      { id: 'build', task_type: 'w', depends_on_task_ids: ['design', 'survey'] },
    ]);
    const { task } = cliJson(root, ['--run', 'deps', 'claim', 'survey']);
    cliJson(root, ['--run', 'deps', 'complete', '--token', task.lease_token]);
    const named = cli(['--root', root, 'claim', 'build']);
    assert.deepEqual(
      [named.status, named.stdout.split('\n')[0]],
      [3, '# Task build cannot be claimed now: it waits for design to be done.'],
    );
    const json = cli(['--root', root, '--json', 'claim', 'build']);
    assert.deepEqual(JSON.parse(json.stdout), { task: null, reason: 'dependencies', waiting_on: ['design'] });
  });

  it('an --agent given to claim only: the later calls of the loop act as that agent, and the work is credited to it', () => {
    const root = tempWorkspace();
    seedRun(root, 'ci', [{ id: 'job', task_type: 'w' }]);
    const got = bash(
      root,
      `
out="$(runboard --agent ci-42 claim)"; code=$?; eval "$out"; step claim $code; step agent "$RUNBOARD_AGENT"
runboard heartbeat >/dev/null; step heartbeat $?
runboard complete >/dev/null; step complete $?
`,
    );
    assert.deepEqual([got.claim, got.agent, got.heartbeat, got.complete], ['0', 'ci-42', '0', '0'], JSON.stringify(got));
    assert.equal(cliJson(root, ['tasks', 'show', 'job']).task.assigned_agent, 'ci-42', 'not the default cli:<user>@<host>');
  });

  it('eval of run create makes the new run the one later commands act on, while another run is open', () => {
    const root = tempWorkspace();
    seedRun(root, 'older', [{ id: 'old-task', task_type: 'w' }]);
    const got = bash(
      root,
      `
out="$(runboard run create --id fresh "$(printf 'Ship it\nWrite it\nCheck it')")"; step create $?
eval "$out"; step run "$RUNBOARD_RUN"
runboard tasks add "In the new run" --id new-task >/dev/null; step add $?
step lines "$(printf '%s\n' "$out" | grep -vc '^#')"
`,
    );
    assert.deepEqual([got.create, got.run, got.add, got.lines], ['0', 'fresh', '0', '1'], JSON.stringify(got));
    assert.deepEqual(
      cliJson(root, ['--run', 'fresh', 'tasks', 'list']).tasks.map((t: { id: string }) => t.id),
      ['new-task'],
    );
  });

  it("the README's loop works the board empty and ends on exit 3", () => {
    const root = tempWorkspace();
    seedRun(root, 'readme', [
      { id: 'a', task_type: 'w' },
      { id: 'b', task_type: 'w', depends_on_task_ids: ['a'] },
    ]);
    const got = bash(
      root,
      `
n=0
while out="$(runboard claim)"; do eval "$out"; runboard complete >/dev/null && n=$((n+1)); done
step completed $n
runboard claim >/dev/null; step last $?
`,
    );
    assert.deepEqual([got.completed, got.last], ['2', '3']);
  });

  it('a run that finished itself (--auto-finish): claim ends the loop with exit 3 and clears the token, directly and through a server', async () => {
    const root = tempWorkspace();
    const script = (run: string) => `
runboard run create --id ${run} --auto-finish "Finish by itself" >/dev/null
runboard --run ${run} tasks add "Only" --id only >/dev/null
out="$(runboard --run ${run} claim)"; eval "$out"
runboard --run ${run} complete >/dev/null; step complete $?
out="$(runboard --run ${run} claim)"; code=$?; eval "$out"; step claim $code; step token "\${RUNBOARD_LEASE_TOKEN:-<empty>}"
step said "$(printf '%s' "$out" | head -1)"
runboard --json --run ${run} claim >/dev/null; step json $?
`;
    const direct = bash(root, script('solo'));
    await startHeadless(root);
    try {
      const routed = bash(root, script('served'));
      for (const [got, run] of [
        [direct, 'solo'],
        [routed, 'served'],
      ] as const) {
        assert.deepEqual([got.complete, got.claim, got.token, got.json], ['0', '3', '<empty>', '3'], JSON.stringify(got));
        assert.equal(got.said, `# Run ${run} is completed: nothing can be claimed.`);
      }
    } finally {
      await stopHeadless();
    }
  });

  it('claim --wait is woken when another process makes a task claimable; --timeout gives exit 3', () => {
    const root = tempWorkspace();
    seedRun(root, 'wait', [{ id: 'later', task_type: 'w', status: 'blocked' }]);
    const got = bash(
      root,
      `
start=$(date +%s)
runboard claim --wait --timeout 1 >/dev/null; step timed_out $?
( sleep 1; runboard retry later >/dev/null ) &
out="$(runboard claim --wait --timeout 30)"; code=$?; eval "$out"; step woken $code; step task "$RUNBOARD_TASK"
step seconds $(( $(date +%s) - start ))
`,
    );
    assert.deepEqual([got.timed_out, got.woken, got.task], ['3', '0', 'later']);
    assert.ok(Number(got.seconds) < 20, `woken by the change, not the timeout (${got.seconds} s)`);
  });

  it('a paused run hands out no task: claim says so (exit 3); claim --wait takes one as the run is resumed', () => {
    const root = tempWorkspace();
    seedRun(root, 'pausing', [{ id: 'only', task_type: 'w' }]);
    const got = bash(
      root,
      `
runboard run pause >/dev/null
out="$(runboard claim)"; step code $?; step said "$(printf '%s' "$out" | head -1)"
( RUNBOARD_DEBUG=1 runboard claim --wait --timeout 50 > b.out 2> b.err; echo $? > b.code ) &
until grep -q route b.err; do sleep 0.05; done   # its first claim was answered: it waits
runboard run resume >/dev/null
wait
step woken "$(cat b.code)"; eval "$(cat b.out)"; step task "$RUNBOARD_TASK"
`,
    );
    assert.deepEqual(
      [got.code, got.said, got.woken, got.task],
      [
        '3',
        '# Nothing to claim in run pausing now: the run is paused; it hands out tasks again once resumed (runboard run resume), or rebound to this folder (runboard run rebind) when it was paused for being opened in another.',
        '0',
        'only',
      ],
      JSON.stringify(got),
    );
  });

  it('claim --wait ends with exit 3 as the last task is done, for the agents waiting too, not at --timeout', () => {
    const root = tempWorkspace();
    seedRun(root, 'last', [{ id: 'only', task_type: 'w' }]);
    const got = bash(
      root,
      `
out="$(runboard claim)"; eval "$out"
( RUNBOARD_AGENT=agent-b RUNBOARD_DEBUG=1 runboard claim --wait --timeout 50 > b.out 2> b.err; echo $? > b.code ) &
until grep -q route b.err; do sleep 0.05; done   # agent-b's first claim was answered: it waits
start=$(date +%s)
runboard complete >/dev/null
wait
step code "$(cat b.code)"; step said "$(head -1 b.out)"
step seconds $(( $(date +%s) - start ))
out="$(runboard claim --wait --timeout 50)"; step again $?
step total $(( $(date +%s) - start ))
`,
    );
    assert.deepEqual(
      [got.code, got.said, got.again],
      ['3', '# Nothing to claim in run last now: every task is done or cancelled.', '3'],
      JSON.stringify(got),
    );
    assert.ok(Number(got.total) < 25, `ended by the last completion, not the timeout (${got.total} s)`);
  });
});
