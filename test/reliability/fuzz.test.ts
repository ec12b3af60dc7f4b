// Property-based fuzzing of every protocol method (fast-check) against the real server: random
// JSON, wrong types, huge strings, deep nesting, unicode, odd numbers, prototype-pollution keys.
// Every call gets a result or a typed error, the server never crashes, and a rejected call
// never writes. Garbage lines injected into events.jsonl are reported, make the run read-only until
// repaired, and never cost a seq.
// Seeded: FUZZ_SEED=<n> reproduces a run; FUZZ_RUNS=<n> sets runs per method.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { METHOD_PARAMS } from '../../contract/schemas/params';
import { Requests } from '../../server/src/protocol';
import { ServerProcess, sleep, tempRoot } from '../server/serverProcess';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

function nested(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return v;
}

const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    '../x',
    '..',
    '/etc/passwd',
    '',
    ' ',
    'f',
    't1',
    'CON',
    'nul',
    '\u0000',
    '\ud800',
    '\u202e',
    'x'.repeat(70_000),
    'file:///etc',
    'C:\\Windows',
  ),
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, -1, -0, 2 ** 53 + 1, 1e-300, 4294967296),
  fc.integer({ min: 40, max: 120 }).map(nested),
  fc.constant(JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}')),
  fc.constant(null),
  fc.boolean(),
);

function keysOf(schema: unknown): string[] {
  const s = schema as { shape?: Record<string, unknown>; _zod?: { def?: { shape?: Record<string, unknown> } } };
  return Object.keys(s.shape ?? s._zod?.def?.shape ?? {});
}

/** Params for a method: mostly its own keys with hostile or plausible values, sometimes not an object at all. */
function paramsFor(keys: string[], root: string): fc.Arbitrary<unknown> {
  const plausible: Record<string, fc.Arbitrary<unknown>> = {
    root: fc.constant(root),
    command_id: fc.string({ minLength: 1, maxLength: 8 }),
    run_id: fc.constantFrom('f', 'missing', 'F'),
    task_id: fc.constantFrom('t1', 't2', 'ghost'),
    action: fc.constantFrom('heartbeat', 'status', 'complete', 'fail', 'release', 'retry', 'START'),
    status: fc.constantFrom('running', 'done', 'in_progress', 'failed', 'bogus'),
    op: fc.constantFrom('add_fact', 'add_artifact', 'set_rolling_summary', 'add_task'),
    agent_id: fc.constantFrom('a', ' ', 'agent'),
    type: fc.constantFrom('note', 'context.x', 'run_paused', 'step_started'),
    objective: fc.string({ unit: 'grapheme', maxLength: 30 }),
    reason: fc.string({ maxLength: 20 }),
    error: fc.string({ maxLength: 20 }),
    phase: fc.constantFrom('open', 'resume'),
    current_path: fc.constantFrom('.', 'sub/dir', '/tmp'),
    payload: fc.oneof(fc.record({ text: fc.string({ unit: 'grapheme', maxLength: 20 }) }), fc.string(), fc.jsonValue({ maxDepth: 2 })),
    tasks: fc.array(
      fc.record(
        { task_type: fc.constantFrom('x', 'research'), priority: fc.integer({ min: -5, max: 5 }) },
        { requiredKeys: ['task_type'] },
      ),
      { minLength: 1, maxLength: 3 },
    ),
    lease_ms: fc.integer({ min: -10, max: 1_000_000 }),
    since_seq: fc.nat(50),
    tail: fc.integer({ min: -5, max: 20 }),
    limit: fc.integer({ min: -5, max: 20 }),
    from_checkpoint: fc.boolean(),
    force: fc.boolean(),
  };
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const k of keys) {
    model[k] = plausible[k] ? fc.oneof({ weight: 4, arbitrary: plausible[k] }, { weight: 1, arbitrary: hostile }) : hostile;
  }
  const obj = fc
    .tuple(fc.record(model, { requiredKeys: [] }), fc.dictionary(fc.string({ maxLength: 12 }), hostile, { maxKeys: 3 }))
    .map(([known, extra]) => ({ ...extra, ...known }));
  return fc.oneof({ weight: 8, arbitrary: obj }, { weight: 1, arbitrary: hostile });
}

function diskState(root: string): string {
  const runs = path.join(root, '.runboard', 'runs');
  if (!fs.existsSync(runs)) return '';
  return fs
    .readdirSync(runs)
    .sort()
    .map((id) => {
      const dir = path.join(runs, id);
      const log = path.join(dir, 'events.jsonl');
      const size = fs.existsSync(log) ? fs.statSync(log).size : -1;
      const cps = fs.existsSync(path.join(dir, 'checkpoints')) ? fs.readdirSync(path.join(dir, 'checkpoints')).sort().join(',') : '';
      return `${id}:${size}:${cps}`;
    })
    .join('|');
}

describe('fuzzing the protocol', () => {
  const outcomes = new Map<string, number>();
  const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  let server: ServerProcess;
  let root: string;
  before(async () => {
    root = tempRoot();
    server = await ServerProcess.start([root]);
    await server.call('runboard/createRun', { run_id: 'f', objective: 'fuzz target' });
    await server.call('runboard/createTasks', {
      run_id: 'f',
      tasks: [
        { id: 't1', task_type: 'x' },
        { id: 't2', task_type: 'x', depends_on_task_ids: ['t1'] },
      ],
    });
  });
  after(() => server.stop());

  for (const [name, schema] of Object.entries({ ...METHOD_PARAMS, subscribe: null, unsubscribe: null })) {
    const method = Requests[name as keyof typeof Requests].method;
    const keys = schema ? keysOf(schema) : name === 'subscribe' ? ['root', 'run_ids', 'cursor', 'tail'] : ['subscription_id'];
    it(`${method}: a result or a typed error, and no write on rejection`, async () => {
      await fc.assert(
        fc.asyncProperty(paramsFor(keys, root), async (params) => {
          const before = diskState(root);
          try {
            await server.call(method, params);
            count('ok');
          } catch (e) {
            const err = e as { code: number; message: string; data?: { code?: string } };
            assert.ok(err.code === -32602 || err.code === -32000, `${method} answered ${err.code}: ${err.message}`);
            assert.equal(typeof err.data?.code, 'string', 'typed error');
            count(err.data!.code!);
            assert.equal(diskState(root), before, `${method} wrote although it was rejected (${err.data?.code})`);
          }
        }),
        { numRuns: RUNS, seed: SEED },
      );
      assert.equal(server.child.exitCode, null, 'the server is alive');
    });
  }

  it('reached past the params check: successes and domain errors, not only INVALID_PARAMS', () => {
    const domain = [...outcomes.keys()].filter((k) => k !== 'ok' && k !== 'INVALID_PARAMS');
    assert.ok((outcomes.get('ok') ?? 0) > 20, `only ${outcomes.get('ok')} successes`);
    assert.ok(domain.length >= 5, `domain codes reached: ${domain.join(', ')}`);
  });

  it('never let a __proto__ key pollute anything and stays healthy', async () => {
    const { run } = await server.call('runboard/getRun', { run_id: 'f' });
    assert.equal(run.run_id, 'f');
    assert.doesNotMatch(server.stderr, /uncaught|unhandled|failed:/i);
  });
});

describe('fuzzing the log', () => {
  it('reports garbage lines written by others; the run is read-only until repaired, and no seq is ever handed out twice', async () => {
    const root = tempRoot();
    let server = await ServerProcess.start([root]);
    try {
      await server.call('runboard/createRun', { run_id: 'g', objective: 'garbage target' });
      const file = path.join(root, '.runboard/runs/g/events.jsonl');
      const garbage = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 80 }),
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
        fc
          .record({ seq: fc.integer({ min: -3, max: 500 }), run_id: fc.constantFrom('g', 'other'), type: fc.string() })
          .map((o) => JSON.stringify(o)),
        fc.constant(
          '{"event_id":"evt-x","run_id":"g","seq":1,"ts_ms":1,"type":"context.task.created","status":"running","revision":1,"payload":{"task":{}}}',
        ),
      );
      let last = 1;
      let repairs = 0;
      await fc.assert(
        fc.asyncProperty(garbage, fc.boolean(), async (line, newline) => {
          fs.appendFileSync(file, newline ? `${line.replace(/\n/g, ' ')}\n` : line.replace(/\n/g, ' '));
          const append = () => server.call('runboard/appendEvent', { run_id: 'g', type: 'after_garbage', status: 'running' });
          let r;
          try {
            r = await append();
          } catch (e) {
            // A complete line that cannot be folded: read-only until a person accepts it.
            assert.equal((e as { data?: { code?: string } }).data?.code, 'RUN_DAMAGED', String(e));
            const repaired = await server.call('runboard/repairRun', { run_id: 'g', accept: true });
            assert.ok(repaired.event.seq > last);
            last = repaired.event.seq;
            repairs++;
            r = await append();
          }
          assert.ok(r.event.seq > last, `seq ${r.event.seq} after ${last}`);
          last = r.event.seq;
        }),
        { numRuns: 80, seed: SEED },
      );
      assert.ok(repairs > 0 && server.diagnostics.length > 0, 'garbage was reported and repaired');
      assert.ok(server.diagnostics.every((d) => d.file.endsWith('events.jsonl') || d.file.endsWith('.json')));
      const seqs = (await server.call('runboard/listEvents', { run_id: 'g' })).events.map((e: { seq: number }) => e.seq);
      assert.deepEqual(
        seqs,
        [...new Set<number>(seqs)].sort((a, b) => a - b),
        'folded seqs ascend, none twice',
      );
      assert.equal(seqs.at(-1), last);
      await server.stop();
      await sleep(100);
      server = await ServerProcess.start([root]);
      const { run, damage } = await server.call('runboard/getRun', { run_id: 'g' });
      assert.equal(run.last_event_seq, last, 'a fresh load agrees');
      assert.equal(damage, undefined, 'every damage was repaired');
      const replay = await server.call('runboard/replay', { run_id: 'g', from_checkpoint: false });
      assert.equal(replay.drift.mismatch, false);
    } finally {
      await server.stop();
    }
  });
});
