// The CLI through a headless server (`runboard serve --socket`): calls routed to it — shown by the
// log (a routed write carries the command_id the routing client stamps; a direct CLI write without
// --command-id carries none) and by RUNBOARD_DEBUG's notes — with output and exit codes identical
// to direct calls; a server killed mid-call (crash points: SIGKILL before or after its commit)
// with the call done exactly once; one server per root, a takeover after a kill, the idle timeout
// and SIGTERM.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  announcementOf,
  assertBuilt,
  cleanEnv,
  cli,
  CLI_JS,
  CliResult,
  cliJson,
  eventsOnDisk,
  modulesLoaded,
  removeTempWorkspaces,
  seedRun,
  startHeadless,
  stopHeadless,
  tempWorkspace,
  waitFor,
} from './cliHarness';
import { endpointFor } from '../../server/src/routing/endpoint';
import { currentHost } from '../../server/src/routing/host';

before(assertBuilt);
after(removeTempWorkspaces);
afterEach(stopHeadless);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const direct = { RUNBOARD_ROUTE: '0' };
const debug = { RUNBOARD_DEBUG: '1' };

/** The facts' events of a run on disk, by text. */
function factEvents(root: string, runId: string, text: string) {
  return eventsOnDisk(root, runId).filter((e) => e.payload?.payload?.text === text);
}

describe('CLI calls through `runboard serve --socket`', () => {
  it('are sent to the server: its writes carry the command_id routing stamps, and RUNBOARD_DEBUG says so', async () => {
    const root = tempWorkspace();
    seedRun(root, 'r1', [{ id: 't1', task_type: 'work', payload: { title: 'one' } }]);
    const server = await startHeadless(root);
    const a = announcementOf(root)!;
    assert.equal(a.pid, server.child.pid);
    assert.match(server.stderr(), new RegExp(`serving ${root} on ${a.endpoint.replace(/[.]/g, '\\.')}`));

    const routed = cli(['--root', root, '--run', 'r1', 'fact', 'add', 'routed'], { env: debug });
    assert.equal(routed.status, 0, routed.stderr);
    assert.match(routed.stderr, /route: patchBlackboard: routed/);
    assert.match(factEvents(root, 'r1', 'routed')[0].command_id, UUID);

    const read = cli(['--root', root, 'run', 'show', 'r1'], { env: debug });
    assert.match(read.stderr, /route: getRun: routed/);

    const unrouted = cli(['--root', root, '--run', 'r1', 'fact', 'add', 'direct'], { env: { ...direct, ...debug } });
    assert.equal(unrouted.status, 0, unrouted.stderr);
    assert.match(unrouted.stderr, /route: patchBlackboard: direct/, 'RUNBOARD_ROUTE=0: written directly');
    assert.match(
      factEvents(root, 'r1', 'direct')[0].command_id,
      UUID,
      'a direct write carries its command_id too (made again after an outage, it is carried out once)',
    );
  });

  it('print what direct calls print, with the same exit codes, for results and rejections', async () => {
    const root = tempWorkspace();
    seedRun(root, 'r1', [{ id: 't1', task_type: 'work', payload: { title: 'one' } }]);
    fs.writeFileSync(path.join(root, 'bad.json'), '[{"bogus": 1}]');
    await startHeadless(root);
    const calls: [string[], number][] = [
      [['run', 'show', 'r1'], 0],
      [['--json', 'runs'], 0],
      [['--json', '--run', 'r1', 'tasks', 'list'], 0],
      [['--run', 'r1', 'complete', '--token', 'bogus', '--task', 't1'], 1],
      [['--json', '--run', 'r1', 'replay', '--upto', '999'], 1],
      [['--json', 'run', 'create', 'again', '--id', 'r1'], 1],
      [['--run', 'r1', 'claim', '--type', 'nothing'], 3],
      [['--json', '--run', 'r1', 'tasks', 'create', path.join(root, 'bad.json')], 2],
    ];
    for (const [args, status] of calls) {
      const routed = cli(['--root', root, ...args], { env: debug });
      const plain = cli(['--root', root, ...args], { env: direct });
      assert.equal(routed.status, status, `${args.join(' ')}: ${routed.stderr}`);
      assert.match(routed.stderr, /route: \w+: routed/, args.join(' '));
      assert.deepEqual(withoutNotes(routed), plain, args.join(' '));
    }
  });

  it('answer writes as direct calls do (no command fields of routing in the output)', async () => {
    const [served, plain] = [tempWorkspace(), tempWorkspace()];
    for (const root of [served, plain]) seedRun(root, 'r1', [{ id: 't1', task_type: 'work', payload: { title: 'one' } }]);
    const seeded = eventsOnDisk(served, 'r1').length;
    await startHeadless(served);
    const writes = [
      ['event', 'append', 'note', '--status', 'running', '--payload', '{"a": 1}'],
      ['fact', 'add', 'a fact'],
      ['claim'],
      ['tasks', 'add', 'two', '--id', 't2'],
    ];
    for (const args of writes) {
      const [a, b] = [served, plain].map((root) =>
        cli(['--root', root, '--json', '--agent', 'a1', '--run', 'r1', ...args], { env: root === plain ? direct : {} }),
      );
      assert.equal(a.status, 0, a.stderr);
      assert.equal(normalized(a.stdout, served), normalized(b.stdout, plain), args.join(' '));
      assert.doesNotMatch(a.stdout, /command_(id|method|fingerprint)|deduped/);
    }
    const written = eventsOnDisk(served, 'r1').slice(seeded);
    assert.equal(written.length, writes.length);
    assert.ok(
      written.every((e) => UUID.test(e.command_id)),
      'each one was routed',
    );
  });
});

describe("the agent loop's thin path: claim, heartbeat, complete, fail, release", () => {
  const TASKS = ['t1', 't2', 't3'].map((id) => ({ id, task_type: 'work', payload: { title: `task ${id}` } }));
  let hooks = 0;

  /** A call by agent a1 in run r1 of `root`, with `source` run first (node -r): what the hook sees of the call. */
  function callWithHook(root: string, source: string) {
    const hook = path.join(root, `hook-${hooks++}.js`);
    fs.writeFileSync(hook, source);
    return (args: string[], env: NodeJS.ProcessEnv = {}) =>
      spawnSync(process.execPath, ['-r', hook, CLI_JS, '--root', root, '--run', 'r1', '--agent', 'a1', ...args], {
        env: cleanEnv(env),
        encoding: 'utf8',
      });
  }

  it('prints what direct calls print — JSON and text, results and rejections, exit codes — and each call is one routed request', async () => {
    const [served, plain] = [tempWorkspace(), tempWorkspace()];
    for (const root of [served, plain]) seedRun(root, 'r1', TASKS);
    await startHeadless(served);
    /** One agent's session in `root`: each call with the token the previous claim printed. */
    const session = (root: string) => {
      const env = root === served ? debug : direct;
      const outputs: CliResult[] = [];
      let token = '';
      const call = (args: string[]) => {
        const r = cli(['--root', root, '--agent', 'a1', '--run', 'r1', ...args.map((a) => (a === '<token>' ? token : a))], { env });
        const claimed = /"lease_token": "([^"]+)"|RUNBOARD_LEASE_TOKEN=(\S+)/.exec(r.stdout);
        if (args.includes('claim') && claimed) token = claimed[1] ?? claimed[2];
        outputs.push(r);
        return r;
      };
      call(['--json', 'claim', '--task', 't1', '--lease-ms', '600000']);
      call(['heartbeat', '--token', '<token>', '--lease-ms', '600000']);
      call(['--json', 'heartbeat', '--token', '<token>', '--lease-ms', '600000']);
      call(['complete', '--token', '<token>', '--result', 'shipped']);
      call(['claim', '--lease-ms', '600000']);
      call(['fail', '--token', '<token>', '--error', 'broke']);
      call(['--json', 'claim', '--task', 't3', '--lease-ms', '600000']);
      call(['--json', 'release', '--token', '<token>']);
      call(['complete', '--token', 'bogus', '--task', 't1']);
      call(['--json', 'complete', '--token', 'bogus', '--task', 't1']);
      call(['claim', '--type', 'nothing']);
      call(['--json', 'claim', '--run', 'nope']);
      return outputs;
    };
    const [a, b] = [session(served), session(plain)];
    assert.deepEqual(
      a.map((r) => r.status),
      [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3, 1],
    );
    for (let i = 0; i < a.length; i++) {
      assert.match(a[i].stderr, /route: (claimTask|transitionTask): routed/, `call ${i}`);
      const routed = withoutNotes(a[i]);
      assert.deepEqual(
        { ...routed, stdout: normalized(routed.stdout, served), stderr: normalized(routed.stderr, served) },
        { ...b[i], stdout: normalized(b[i].stdout, plain), stderr: normalized(b[i].stderr, plain) },
        `call ${i}`,
      );
    }
  });

  it('a heartbeat naming no length renews a short lease for as long as it was claimed, routed or not, whatever RUNBOARD_LEASE_MS says', async () => {
    const [served, plain] = [tempWorkspace(), tempWorkspace()];
    for (const root of [served, plain]) seedRun(root, 'r1', TASKS);
    await startHeadless(served);
    for (const [root, env] of [
      [served, debug],
      [plain, direct],
    ] as const) {
      const { task } = cliJson(root, ['--run', 'r1', '--agent', 'a1', 'claim', '--lease-ms', '8000'], 0, { env });
      const beat = cliJson(root, ['--run', 'r1', 'heartbeat', '--token', task.lease_token], 0, { env });
      assert.deepEqual([beat.task.lease_ms, beat.task.lease_expires_at_ms - beat.task.updated_ts], [8000, 8000], root);
      // The editor sets RUNBOARD_LEASE_MS for its terminals: a default for claims, not a heartbeat's length.
      const editors = cliJson(root, ['--run', 'r1', 'heartbeat', '--token', task.lease_token], 0, {
        env: { ...env, RUNBOARD_LEASE_MS: '60000' },
      });
      assert.equal(editors.task.lease_expires_at_ms - editors.task.updated_ts, 8000, root);
      const longer = cliJson(root, ['--run', 'r1', 'heartbeat', '--token', task.lease_token, '--lease-ms', '60000'], 0, { env });
      assert.equal(longer.task.lease_expires_at_ms - longer.task.updated_ts, 60_000, root);
    }
  });

  it('with no run to choose, the full CLI says so as a direct call does (it reads board.json to name where the runs are)', async () => {
    const [served, plain] = [tempWorkspace(), tempWorkspace()];
    await startHeadless(served);
    const routed = cli(['--root', served, 'claim'], { env: debug });
    const direct_ = cli(['--root', plain, 'claim'], { env: direct });
    assert.match(routed.stderr, /route: listRuns: routed/);
    assert.equal(routed.status, direct_.status);
    assert.equal(withoutNotes(routed).stderr.replace(served, '<root>'), direct_.stderr.replace(plain, '<root>'));
    assert.match(direct_.stderr, /RUN_REQUIRED: No run in /);
  });

  it('leaves what it does not read to the full CLI, which says what is wrong (exit 2)', async () => {
    const root = tempWorkspace();
    seedRun(root, 'r1', TASKS);
    await startHeadless(root);
    for (const args of [['fail', '--task', 't1'], ['claim', '--lease-ms', 'soon'], ['complete']]) {
      const routed = cli(['--root', root, '--run', 'r1', ...args], { env: debug });
      assert.equal(routed.status, 2, `${args.join(' ')}: ${routed.stderr}`);
      assert.deepEqual(routed, cli(['--root', root, '--run', 'r1', ...args], { env: direct }), args.join(' '));
    }
  });

  it('writes straight to its pipes: node makes neither process.stdout nor process.stderr (each a millisecond of the call)', async () => {
    const root = tempWorkspace();
    seedRun(root, 'r1', TASKS);
    await startHeadless(root);
    const made = path.join(root, 'streams-made.txt');
    const run = callWithHook(
      root,
      `for (const name of ['stdout', 'stderr']) {
         const d = Object.getOwnPropertyDescriptor(process, name);
         Object.defineProperty(process, name, { configurable: true, enumerable: d.enumerable, get() {
           require('fs').appendFileSync(${JSON.stringify(made)}, name + '\\n');
           Object.defineProperty(process, name, d);
           return process[name];
         } });
       }`,
    );
    const claimed = run(['--json', 'claim', '--task', 't1']);
    assert.equal(claimed.status, 0, claimed.stderr);
    assert.equal(JSON.parse(claimed.stdout).task.id, 't1');
    const rejected = run(['complete', '--token', 'bogus', '--task', 't1']);
    assert.equal(rejected.status, 1);
    assert.match(rejected.stderr, /^runboard: TASK_LEASE_INVALID: /);
    assert.equal(fs.existsSync(made) ? fs.readFileSync(made, 'utf8') : '', '');
    // The hook sees the streams when they are made: the full CLI makes them.
    assert.equal(run(['--json', 'runs']).status, 0);
    assert.match(fs.readFileSync(made, 'utf8'), /stdout/);
  });

  it('ends quietly, with its own exit code, when the reader of its output has gone (`| head`), as the full CLI does', async () => {
    const root = tempWorkspace();
    seedRun(root, 'r1', TASKS);
    await startHeadless(root);
    const fifo = path.join(root, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    /** stdout is a pipe whose reader closed before the call started: its first write fails with EPIPE. */
    const withReaderGone = (args: string[]) => {
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const writer = fs.openSync(fifo, 'w');
      fs.closeSync(reader);
      try {
        return spawnSync(process.execPath, [CLI_JS, '--root', root, '--run', 'r1', '--agent', 'a1', ...args], {
          env: cleanEnv(debug),
          stdio: ['ignore', writer, 'pipe'],
          encoding: 'utf8',
        });
      } finally {
        fs.closeSync(writer);
      }
    };
    const thin = withReaderGone(['claim', '--task', 't1']);
    assert.equal(thin.status, 0, thin.stderr);
    assert.match(thin.stderr, /route: claimTask: routed/);
    assert.doesNotMatch(thin.stderr, /EPIPE|Error/);
    assert.equal(cliJson(root, ['--run', 'r1', 'tasks', 'show', 't1'], 0, { env: direct }).task.status, 'in_progress');
    const nothing = withReaderGone(['claim', '--type', 'nothing']);
    assert.equal(nothing.status, 3, nothing.stderr);
    const full = withReaderGone(['runs']);
    assert.equal(full.status, 0, full.stderr);
    assert.doesNotMatch(full.stderr, /EPIPE|Error/);
  });

  it("speaks to the server on libuv's pipe handle without node:net (5–7 ms of the call); with pending deprecations, where that would warn, through node:net, silently", async () => {
    const root = tempWorkspace();
    seedRun(root, 'r1', TASKS);
    await startHeadless(root);
    const loaded = path.join(root, 'builtins.txt');
    const run = callWithHook(
      root,
      `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(loaded)}, process.moduleLoadList.join('\\n')));`,
    );
    const claim = (task: string, env: NodeJS.ProcessEnv) => run(['claim', '--task', task], { ...debug, ...env });
    const quick = claim('t1', {});
    assert.equal(quick.status, 0, quick.stderr);
    assert.equal(quick.stderr, 'runboard: route: claimTask: routed\n');
    assert.doesNotMatch(fs.readFileSync(loaded, 'utf8'), /^NativeModule net$/m);

    const warned = claim('t2', { NODE_OPTIONS: '--pending-deprecation' });
    assert.equal(warned.status, 0, warned.stderr);
    assert.equal(warned.stderr, 'runboard: route: claimTask: routed\n', 'no DEP0111 warning');
    assert.match(fs.readFileSync(loaded, 'utf8'), /^NativeModule net$/m);
  });

  it('loads cli.js and cli-thin.js alone: no cli-core.js, no lock binary', async () => {
    const root = tempWorkspace();
    seedRun(root, 'r1', TASKS);
    await startHeadless(root);
    const loaded = modulesLoaded(root, ['--root', root, '--run', 'r1', '--json', 'claim']);
    assert.deepEqual([...new Set(loaded.map((f) => path.basename(f)))], ['cli.js', 'cli-thin.js']);
  });
});

describe('a server killed with SIGKILL during a call', () => {
  for (const [point, when] of [
    ['after-lock', 'before it wrote'],
    ['before-unlock', 'after its commit, before it answered'],
  ] as const) {
    it(`${when}: the CLI does it directly, and it is in the log once`, async () => {
      const root = tempWorkspace();
      seedRun(root, 'r1');
      const server = await startHeadless(root, [], { RUNBOARD_CRASH_AT: point });
      const r = cli(['--root', root, '--run', 'r1', 'fact', 'add', 'once'], { env: debug });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^Added fact-.* \(#2\): once\n$/);
      assert.match(r.stderr, /route: patchBlackboard: the connection closed; doing it directly/);
      assert.equal((await server.exited).signal, 'SIGKILL');
      const events = factEvents(root, 'r1', 'once');
      assert.equal(events.length, 1);
      assert.match(events[0].command_id, UUID, 'the retry used the id the first attempt was sent with');
    });
  }

  for (const [point, when] of [
    ['after-lock', 'before it wrote'],
    ['before-unlock', 'after its commit, before it answered'],
  ] as const) {
    it(`${when}: a claim on the thin path is handed to the full CLI with its command_id, and the task is claimed once`, async () => {
      const root = tempWorkspace();
      seedRun(root, 'r1', [{ id: 't1', task_type: 'work' }]);
      const server = await startHeadless(root, [], { RUNBOARD_CRASH_AT: point });
      const r = cli(['--root', root, '--run', 'r1', '--agent', 'a1', '--json', 'claim'], { env: debug });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /route: claimTask: the connection closed; doing it directly/);
      assert.equal(JSON.parse(r.stdout).task.id, 't1');
      assert.doesNotMatch(r.stdout, /command_(id|method|fingerprint)|deduped/);
      assert.equal((await server.exited).signal, 'SIGKILL');
      const claims = eventsOnDisk(root, 'r1').filter((e) => e.type === 'context.task.claimed');
      assert.equal(claims.length, 1);
      assert.match(claims[0].command_id, UUID, 'the full CLI used the id the thin path sent');
    });
  }

  it('a server that does not answer (stopped) is given up after the answer timeout: done directly, once', async () => {
    const root = tempWorkspace();
    seedRun(root, 'r1');
    const server = await startHeadless(root);
    server.child.kill('SIGSTOP');
    try {
      const r = cli(['--root', root, '--run', 'r1', 'fact', 'add', 'hung'], { env: { ...debug, RUNBOARD_ROUTE_TIMEOUT_MS: '300' } });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /route: patchBlackboard: no answer within 300 ms; doing it directly/);
    } finally {
      server.child.kill('SIGCONT');
    }
    // Woken, the server may still read the request it was sent: the command_id makes it a repeat.
    server.child.kill('SIGTERM');
    await server.exited;
    assert.equal(factEvents(root, 'r1', 'hung').length, 1);
  });

  it('createRun after its commit: the run it made is the answer, and there is one', async () => {
    const root = tempWorkspace();
    fs.mkdirSync(path.join(root, '.runboard'));
    await startHeadless(root, [], { RUNBOARD_CRASH_AT: 'before-unlock' });
    const r = cliJson(root, ['run', 'create', 'Ship the export'], 0, { env: debug });
    assert.match(r.run.run_id, /^run-/);
    const { runs } = cliJson(root, ['runs'], 0, { env: direct });
    assert.deepEqual(
      runs.map((x: any) => [x.run_id, x.objective]),
      [[r.run.run_id, 'Ship the export']],
    );
  });
});

describe('one server per root', () => {
  it('a second `serve --socket` says the root is served and exits 0; after a kill -9 the next one takes over', async () => {
    const root = tempWorkspace();
    seedRun(root, 'r1');
    const first = await startHeadless(root);
    const second = await startHeadless(root);
    assert.deepEqual(await second.exited, { code: 0, signal: null });
    assert.match(second.stderr(), new RegExp(`is served already by pid ${first.child.pid}`));

    first.child.kill('SIGKILL');
    await first.exited;
    const stale = announcementOf(root)!;
    assert.equal(stale.pid, first.child.pid, 'a killed server leaves its announcement');
    assert.equal(fs.statSync(stale.endpoint).isSocket(), true, '… and its socket');
    const meanwhile = cli(['--root', root, '--run', 'r1', 'fact', 'add', 'meanwhile'], { env: debug });
    assert.equal(meanwhile.status, 0, meanwhile.stderr);
    assert.match(meanwhile.stderr, /route: patchBlackboard: ECONNREFUSED; doing it directly/);
    assert.equal(factEvents(root, 'r1', 'meanwhile').length, 1, 'written once');

    const third = await startHeadless(root);
    assert.equal(announcementOf(root)?.pid, third.child.pid);
    const after = cli(['--root', root, '--run', 'r1', 'fact', 'add', 'after'], { env: debug });
    assert.match(after.stderr, /route: patchBlackboard: routed/);
  });

  it('stops after its idle timeout, and on SIGTERM, taking server.json, server.lock and the socket with it', async () => {
    const root = tempWorkspace();
    const idle = await startHeadless(root, ['--idle-timeout', '0.3']);
    const endpoint = announcementOf(root)!.endpoint;
    assert.deepEqual(await idle.exited, { code: 0, signal: null });
    assert.match(idle.stderr(), /stopped serving .* \(idle for 0\.3 s\)/);
    assert.equal(announcementOf(root), undefined);
    assert.equal(fs.existsSync(endpoint), false);

    const forever = await startHeadless(root, ['--idle-timeout', '0']);
    assert.match(forever.stderr(), /stops on SIGTERM or Ctrl-C/);
    // A client still connected (an MCP server, say) does not keep it from stopping.
    const client = net.createConnection(endpoint);
    await new Promise((resolve) => client.once('connect', resolve));
    const hungUp = new Promise((resolve) => client.once('close', resolve));
    forever.child.kill('SIGTERM');
    await hungUp;
    assert.deepEqual(await forever.exited, { code: 0, signal: null });
    assert.match(forever.stderr(), /\(SIGTERM\)/);
    assert.equal(announcementOf(root), undefined);
    assert.equal(fs.existsSync(endpoint), false);
    // Nothing of the server is left in the workspace (npm start removes an untouched demo workspace).
    assert.deepEqual(
      fs.readdirSync(path.join(root, '.runboard')).filter((f) => f.startsWith('server.')),
      [],
    );
  });

  it("a server whose .runboard/ was deleted and made again, stopped while a new one serves, leaves the new one's socket: calls still go there", async () => {
    const root = tempWorkspace();
    const old = await startHeadless(root, ['--idle-timeout', '0']);
    fs.rmSync(path.join(root, '.runboard'), { recursive: true });
    cliJson(root, ['init']);
    const now = await startHeadless(root, ['--idle-timeout', '0']);
    assert.match(now.stderr(), / serving /);
    const endpoint = announcementOf(root)!.endpoint;
    old.child.kill('SIGTERM');
    assert.deepEqual(await old.exited, { code: 0, signal: null });
    assert.ok(fs.existsSync(endpoint), 'the new server socket is where its announcement says');
    const routed = cli(['--root', root, 'runs'], { env: { RUNBOARD_DEBUG: '1' } });
    assert.match(routed.stderr, /route: listRuns: routed/);
    now.child.kill('SIGTERM');
    assert.deepEqual(await now.exited, { code: 0, signal: null });
    assert.equal(fs.existsSync(endpoint), false, 'and it takes its own socket with it');
  });

  it('notices what happens to its files: a socket deleted (a /tmp cleaner) is made again; a lock file deleted ends it, and the next server serves', async () => {
    const root = tempWorkspace();
    const first = await startHeadless(root, ['--idle-timeout', '0']);
    const endpoint = announcementOf(root)!.endpoint;
    const inode = fs.lstatSync(endpoint).ino;
    fs.rmSync(endpoint);
    await waitFor(() => fs.existsSync(endpoint) && fs.lstatSync(endpoint).ino !== inode, 10_000, 'the socket made again');
    assert.match(first.stderr(), /was removed; listening on it again/);
    const routed = cli(['--root', root, 'runs'], { env: { RUNBOARD_DEBUG: '1' } });
    assert.match(routed.stderr, /route: listRuns: routed/);
    // A folder in its place: said (its message, once), and bound again once the folder is gone.
    fs.rmSync(endpoint);
    fs.mkdirSync(endpoint);
    await waitFor(() => /cannot be made again: .*EISDIR/.test(first.stderr()), 10_000, 'the failure said');
    assert.doesNotMatch(first.stderr(), /\n\s+at /, 'no stack trace');
    fs.rmdirSync(endpoint);
    await waitFor(() => fs.existsSync(endpoint) && fs.lstatSync(endpoint).isSocket(), 10_000, 'the socket made again after the folder');

    fs.rmSync(path.join(root, '.runboard', 'server.lock'));
    assert.deepEqual(await first.exited, { code: 0, signal: null });
    assert.match(first.stderr(), /server\.lock was deleted or replaced, so another server may serve/);
    const next = await startHeadless(root, ['--idle-timeout', '0']);
    assert.match(next.stderr(), / serving /);
    assert.match(cli(['--root', root, 'runs'], { env: { RUNBOARD_DEBUG: '1' } }).stderr, /route: listRuns: routed/);
  });

  it('a server that cannot announce itself (server.json a folder; a full disk is the same) exits 1 at once with STORAGE_ERROR, its socket removed', async () => {
    const root = tempWorkspace();
    cliJson(root, ['init']);
    fs.mkdirSync(path.join(root, '.runboard', 'server.json'));
    const endpoint = endpointFor(fs.realpathSync.native(root), currentHost(cleanEnv()))!;
    const failed = await startHeadless(root, ['--idle-timeout', '0']);
    assert.deepEqual(await failed.exited, { code: 1, signal: null });
    assert.match(failed.stderr(), /STORAGE_ERROR: .* cannot be served here: EISDIR/);
    assert.equal(fs.existsSync(endpoint), false, 'no socket is left behind');
    // Its calls are direct, and a server starts once the folder is fixed.
    assert.equal(cliJson(root, ['runs']).runs.length, 0);
    fs.rmdirSync(path.join(root, '.runboard', 'server.json'));
    const serving = await startHeadless(root, ['--idle-timeout', '0']);
    assert.match(serving.stderr(), / serving /);
  });

  it('refuses what it cannot do: --socket with --read-only, --idle-timeout without --socket', () => {
    const root = tempWorkspace();
    assert.equal(cli(['--root', root, 'serve', '--socket', '--read-only']).status, 2);
    assert.equal(cli(['--root', root, 'serve', '--stdio', '--idle-timeout', '5']).status, 2);
    assert.equal(cli(['--root', root, 'serve', '--socket', '--idle-timeout', 'soon']).status, 2);
  });
});

/** A CLI result without RUNBOARD_DEBUG's routing notes. */
function withoutNotes(r: CliResult): CliResult {
  return { ...r, stderr: r.stderr.replace(/^runboard: route: .*\n/gm, '') };
}

/** Output with what differs between two roots by nature masked: ids, times, the root. */
function normalized(text: string, root: string): string {
  return text
    .split(root)
    .join('<root>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\b\d{13}\b/g, '<ms>');
}
