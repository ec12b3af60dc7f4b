// The torture run: 8 OS processes — the server, CLI processes and MCP servers — issue a seeded
// random mix of commands against one run while a chaos loop SIGKILLs random writers and
// restarts them. On a board several clones share (a database), the writers spread over the
// clones, each clone with a server of its own, and the database is restarted once mid-run. A headless socket server routes the CLI and MCP agents' calls while it lives
// (killed and restarted too; the server agent takes the socket over meanwhile), so routed writes,
// fallback to direct writes mid-call and handover are all in the mix. Then the files must prove
// nothing was lost, duplicated or overlapped.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliAgent, McpAgent, Outcome, RUN_ID, ServerAgent, SocketServerAgent, TortureAgent } from './agents';
import { Board, Lease, nextCommand } from './commands';
import { Prng } from './prng';
import { fileBoard, TortureBoard } from './tortureBoards';
import { Ack, verifyLog } from './verify';

export interface TortureOptions {
  seed: number;
  commands: number;
  log?: (line: string) => void;
  /** Where the run lives: the files of one root (default), or a board several clones share (tortureBoards.ts). */
  board?: TortureBoard;
  /** Copy the run's log here before the board is removed (a log of the files board; the bench measures it). */
  keepLog?: string;
}

export interface TortureReport {
  seed: number;
  events: number;
  acks: number;
  rejections: number;
  lost: number;
  kills: number;
  claims: number;
  leaseChecks: number;
  /** CLI calls that went through a socket server. */
  routed: number;
  /** Restarts of the store under the writers (a database board). */
  restarts: number;
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runTorture(opts: TortureOptions): Promise<TortureReport> {
  const log = opts.log ?? (() => undefined);
  const t0 = Date.now();
  const board = opts.board ?? fileBoard();
  const [root, ...others] = board.roots;
  const setup = board.service(root);
  await setup.execute('createRun', { run_id: RUN_ID, objective: `torture, seed ${opts.seed}` });
  setup.close();

  // First, so it holds the socket; the server agent takes it over when it dies.
  const socketServer = new SocketServerAgent(root);
  await socketServer.start();
  const server = new ServerAgent('server', root);
  // The writers spread over the machines: a server of its own on each other clone (serving its socket), CLIs and MCP servers on each.
  const rootOf = (i: number) => board.roots[i % board.roots.length];
  const agents: TortureAgent[] = [
    server,
    ...others.map((r, i) => new ServerAgent(`server${i + 2}`, r)),
    ...[1, 2, 3, 4].map((i) => new CliAgent(`cli${i}`, rootOf(i - 1))),
    ...[1, 2, 3].map((i) => new McpAgent(`mcp${i}`, rootOf(i - 1))),
  ];
  await Promise.all(agents.map((a) => a.start()));

  const tasks = new Board();
  const acks: Ack[] = [];
  let issued = 0;
  let rejections = 0;
  let lost = 0;
  let kills = 0;
  let done = false;
  const down = new Set<TortureAgent>();

  const restart = async (a: TortureAgent) => {
    for (let attempt = 1; ; attempt++) {
      await sleep(50 * attempt);
      try {
        await a.start();
        break;
      } catch (e) {
        log(`restart of ${a.name} failed (attempt ${attempt}): ${(e as Error).message}`);
        if (attempt >= 20) throw e;
      }
    }
    down.delete(a);
  };

  // A store that can be restarted under the writers (a database) is, once, when a seeded share of the commands is out.
  let restarts = 0;
  let restarting: Promise<void> | undefined;
  let restartAt = -1;
  let downMs = 0;

  async function work(agent: TortureAgent, rng: Prng) {
    const leases: Lease[] = [];
    while (issued < opts.commands) {
      const n = issued++;
      if (n === restartAt) {
        restarts++;
        log(`restarting the store at command ${n}, down ${downMs} ms`);
        restarting = board.restart!(downMs);
      }
      const cmd = nextCommand(rng, agent.name, n, tasks, leases);
      const commandId = `${agent.name}-${n}`;
      let outcome: Outcome = await agent.execute(cmd, commandId);
      if ('lost' in outcome) {
        lost++;
        // The writer died under the command: wait for it, then repeat the same command_id once.
        while (down.has(agent)) await sleep(20);
        if (cmd.kind !== 'checkpoint') outcome = await agent.execute(cmd, commandId);
      }
      if ('ok' in outcome && outcome.ok) {
        acks.push({ agent: agent.name, kind: agent.kind, command_id: commandId, command: cmd, result: outcome.result });
        const r = outcome.result;
        if (cmd.kind === 'createTasks') tasks.taskIds.push(...r.tasks.map((t: { id: string }) => t.id));
        if (cmd.kind === 'claim' && r.task) leases.push({ task_id: r.task.id, lease_token: r.task.lease_token });
        if (cmd.kind === 'complete' || cmd.kind === 'fail' || cmd.kind === 'release') dropLease(leases, cmd);
        if (cmd.kind === 'cancel') dropTaskLeases(leases, [r.task, ...(r.cancelled ?? [])]);
      } else if ('ok' in outcome) {
        rejections++;
        if ('lease_token' in cmd) dropLease(leases, cmd);
        // The store is unreachable (a database restarting): an agent waits a moment, as a real one would.
        if (outcome.code === 'STORAGE_ERROR') await sleep(50);
      }
    }
  }

  async function chaos(rng: Prng) {
    while (!done) {
      await sleep(rng.int(150, 450));
      if (done) break;
      if (rng.chance(0.15)) {
        // The socket server, killed in the middle of whatever it was committing, and started again.
        kills++;
        socketServer.kill();
        await sleep(rng.int(50, 300));
        await socketServer.start().catch((e: Error) => log(`socket server restart: ${e.message}`));
        continue;
      }
      const victim = rng.pick(agents);
      if (down.has(victim)) continue;
      kills++;
      if (victim.kind === 'cli') {
        victim.kill();
        continue;
      }
      down.add(victim);
      victim.kill();
      void restart(victim);
    }
  }

  const progress = setInterval(
    () => log(`… issued ${issued}, acks ${acks.length}, lost ${lost}, kills ${kills}, down ${[...down].map((a) => a.name).join(', ')}`),
    5000,
  );
  progress.unref();
  const master = new Prng(opts.seed);
  const chaosLoop = chaos(new Prng(master.int(0, 2 ** 31)));
  const workers = agents.map(() => new Prng(master.int(0, 2 ** 31)));
  if (board.restart) {
    restartAt = master.int(Math.floor(opts.commands * 0.3), Math.floor(opts.commands * 0.6));
    downMs = master.int(100, 600);
  }
  await Promise.all(agents.map((a, i) => work(a, workers[i])));
  await restarting;
  done = true;
  clearInterval(progress);
  await chaosLoop;
  while (down.size > 0) await sleep(50);
  log(`commands done: ${acks.length} acknowledged, ${rejections} rejected, ${lost} lost, ${kills} kills`);
  await socketServer.stop();

  // Settle: a checkpoint through the server repairs any torn tail under the lock; then take back
  // every live lease so no timer can write after we read the server's memory.
  await server.server!.call('runboard/createCheckpoint', { run_id: RUN_ID, reason: 'final' });
  const { run: before } = await server.server!.call('runboard/getRun', { run_id: RUN_ID });
  for (const t of before.tasks.filter((x: { status: string }) => x.status === 'in_progress')) {
    await server.server!.call('runboard/requeueTask', { run_id: RUN_ID, task_id: t.id, force: true, reason: 'torture end' });
  }
  const { run: inMemory } = await server.server!.call('runboard/getRun', { run_id: RUN_ID });
  await Promise.all(agents.map((a) => a.stop()));

  assert.deepEqual(
    agents.flatMap((a) => a.crashes),
    [],
    'no writer ended by itself (only the chaos loop kills)',
  );
  const events = await board.readEvents();
  const { claims, leaseChecks } = verifyLog(events, acks);

  // A fresh fold of the log equals what the store keeps besides it and the server's memory; replay shows no drift.
  const { root: scratchRoot, persisted } = board.freshFold();
  const fresh = board.service(scratchRoot);
  try {
    const { run: folded } = await fresh.execute('getRun', { run_id: RUN_ID });
    const plain = (x: unknown) => JSON.parse(JSON.stringify(x));
    if (persisted) assert.deepEqual(plain(folded), plain(persisted), 'a fresh fold equals run.json');
    assert.deepEqual(plain(folded), plain(inMemory), "a fresh fold equals the server's memory");
    const replay = await fresh.execute('replay', { run_id: RUN_ID, from_checkpoint: false });
    assert.equal(replay.drift.mismatch, false, `drift: ${JSON.stringify(replay.drift)}`);
  } finally {
    fresh.close();
  }
  const check = board.service(root);
  try {
    const replay = await check.execute('replay', { run_id: RUN_ID });
    assert.equal(replay.drift.mismatch, false, `drift against the persisted caches: ${JSON.stringify(replay.drift)}`);
    const cps = await check.execute('listCheckpoints', { run_id: RUN_ID });
    assert.ok(
      cps.checkpoints.every((c) => !c.unreadable),
      'every checkpoint readable',
    );
  } finally {
    check.close();
  }
  const runLog = path.join(board.roots[0], '.runboard', 'runs', RUN_ID, 'events.jsonl');
  if (opts.keepLog && fs.existsSync(runLog)) fs.copyFileSync(runLog, opts.keepLog);
  board.remove();
  return {
    seed: opts.seed,
    events: events.length,
    acks: acks.length,
    rejections,
    lost,
    kills,
    claims,
    leaseChecks,
    routed: agents.reduce((n, a) => n + (a instanceof CliAgent ? a.routed : 0), 0),
    restarts,
    seconds: Math.round((Date.now() - t0) / 1000),
  };
}

/** A cancel ends the leases on the tasks it cancelled (an MCP result names them by id). */
function dropTaskLeases(leases: Lease[], tasks: (string | { id: string })[]) {
  const ids = new Set(tasks.map((t) => (typeof t === 'string' ? t : t.id)));
  for (let i = leases.length - 1; i >= 0; i--) if (ids.has(leases[i].task_id)) leases.splice(i, 1);
}

function dropLease(leases: Lease[], cmd: { task_id: string; lease_token: string }) {
  const i = leases.findIndex((l) => l.lease_token === cmd.lease_token);
  if (i >= 0) leases.splice(i, 1);
}
