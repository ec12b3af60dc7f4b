// The compiled accept-only checks must never say yes where zod says no, and validateEventRecord
// with its fast path must return exactly what the zod-only version returns — same value, same
// key order, same error text — for valid records and for every kind of damage to them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { z } from 'zod';
import { validateEventRecord } from '../../../server/src/engine/eventRecord';
import {
  ArtifactSchema,
  BlackboardItemSchema,
  EventRecord,
  EventRecordSchema,
  RunRecordSchema,
  StepSchema,
  StoredBlackboardSchema,
  TaskSchema,
  WorkspaceLeaseSchema,
} from '../../../contract/schemas/records';
import { closureCheck, compileCheck, compileParse, UNSURE } from '../../../server/src/engine/schemaCheck';
import { generateCheck } from '../../../server/src/engine/schemaCodegen';
import {
  decideAppendEvent,
  decideCreateRun,
  decidePatchBlackboard,
  decideValidateWorkspaceLease,
} from '../../../server/src/engine/runDecisions';
import { decideCreateTasks } from '../../../server/src/engine/taskCreation';
import { decideTransition } from '../../../server/src/engine/taskLifecycle';
import { applyEvent, emptyRunState, RunState, toRunRecord } from '../../../server/src/engine/state';
import { testContext } from './harness';
import { decideClaim } from '../../../server/src/engine/taskClaim';

const RUN = 'run-check';

/** Real records of every payload kind, as they appear in a log (JSON round trip). */
function sampleEvents(): EventRecord[] {
  return sampleRun().log;
}

/** The run behind sampleEvents, with its log. */
function sampleRun(): { state: RunState; log: EventRecord[] } {
  const ctx = testContext();
  const state = emptyRunState(RUN);
  const log: EventRecord[] = [];
  const commit = (events: EventRecord[]) => {
    for (const e of events) {
      const onDisk = JSON.parse(JSON.stringify(e)) as EventRecord;
      applyEvent(state, onDisk);
      log.push(onDisk);
    }
    ctx.advance(1);
  };
  commit(
    decideCreateRun(RUN, { objective: 'Check the checks', mcp_servers: ['fs'], source_client: 'cli', steps: ['Check'] }, '/work', ctx),
  );
  commit(
    decideCreateTasks(
      state,
      [
        { task_type: 'research', payload: { title: 'a' }, priority: 2 },
        { id: 'b', task_type: 'x', depends_on_task_ids: [] },
      ],
      ctx,
    ).events,
  );
  const claimed = decideClaim(state, { agent_id: 'agent' }, ctx);
  commit(claimed);
  const token = (claimed[0].payload as { task: { id: string; lease_token: string } }).task;
  commit(decideTransition(state, { task_id: token.id, action: 'heartbeat', lease_token: token.lease_token }, ctx));
  commit(decideTransition(state, { task_id: token.id, action: 'complete', lease_token: token.lease_token }, ctx));
  commit(
    decideAppendEvent(
      state,
      { run_id: RUN, type: 'step_started', status: 'running', step_id: 'step-1', payload: { why_next_step: 'go' } },
      ctx,
    ),
  );
  commit(decideAppendEvent(state, { run_id: RUN, type: 'agent.note', status: 'running', payload: null }, ctx));
  commit(decidePatchBlackboard(state, { run_id: RUN, op: 'add_fact', payload: { text: 'fact' } }, ctx));
  commit(decidePatchBlackboard(state, { run_id: RUN, op: 'add_artifact', payload: { path: 'a.txt', artifact_type: 'file' } }, ctx));
  commit(decidePatchBlackboard(state, { run_id: RUN, op: 'set_rolling_summary', payload: 'sum' }, ctx));
  commit(decideValidateWorkspaceLease(state, { phase: 'p' }, '/elsewhere', ctx).events);
  return { state, log };
}

/** validateEventRecord as it was before the fast path: zod for everything. */
const TaskPayload = z.object({ task: TaskSchema });
function zodOnly(value: unknown, runId: string): EventRecord | string {
  if (value !== null && typeof value === 'object' && !('seq' in value) && 'event_seq' in value) {
    const { event_seq, ...rest } = value as Record<string, unknown>;
    value = { ...rest, seq: event_seq };
  }
  const r = EventRecordSchema.safeParse(value);
  if (!r.success) return 'invalid';
  const e = r.data;
  if (e.run_id !== runId) return `run_id ${JSON.stringify(e.run_id)} does not belong to run ${runId}`;
  return e;
}

/** Every path to a value inside `v`. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

const weird = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(-0, 0.5, -1, 0, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e308, '', ' ', 'running', 'done', null, [], {}, [1], ['x'], true),
);

type Damage = { kind: 'set'; value: unknown } | { kind: 'delete' } | { kind: 'addKey'; key: string; value: unknown } | { kind: 'reverse' };
const damage: fc.Arbitrary<Damage> = fc.oneof(
  weird.map((value) => ({ kind: 'set' as const, value })),
  fc.constant({ kind: 'delete' as const }),
  fc
    .tuple(fc.constantFrom('extra', 'seq', 'event_seq', 'payload', '__proto__', 'batch_end', 'task'), weird)
    .map(([key, value]) => ({ kind: 'addKey' as const, key, value })),
  fc.constant({ kind: 'reverse' as const }),
);

function damaged(event: EventRecord, path: (string | number)[], d: Damage): unknown {
  const copy = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
  let parent: any = null;
  let target: any = copy;
  for (const p of path) {
    parent = target;
    target = target[p];
  }
  const last = path[path.length - 1];
  if (d.kind === 'set') {
    if (parent === null) return d.value;
    parent[last] = d.value;
  } else if (d.kind === 'delete') {
    if (parent === null) return undefined;
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (d.kind === 'addKey') {
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
      Object.defineProperty(target, d.key, { value: d.value, enumerable: true, configurable: true, writable: true });
    }
  } else if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
    const entries = Object.entries(target).reverse();
    for (const [k] of entries) delete target[k];
    for (const [k, v] of entries) target[k] = v;
  }
  // Through JSON again, as a log line would be (drops undefined, keeps "__proto__" as a key).
  return JSON.parse(JSON.stringify(copy) ?? 'null');
}

describe('compiled schema checks', () => {
  const events = sampleEvents();

  it('accept every sample record and its payload', () => {
    const check = compileCheck(EventRecordSchema)!;
    const task = compileCheck(TaskPayload)!;
    for (const e of events) {
      assert.ok(check(e), e.type);
      if (e.type.startsWith('context.task.')) assert.ok(task(e.payload), e.type);
    }
  });

  it('are generated code where the runtime allows it', () => {
    assert.ok(generateCheck(EventRecordSchema), 'event record');
    assert.ok(generateCheck(TaskPayload), 'task payload');
  });

  for (const [impl, compile] of [
    ['generated', generateCheck],
    ['closures', closureCheck],
  ] as const)
    it(`never accept what zod rejects (${impl})`, () => {
      const schemas: [string, z.ZodType][] = [
        ['event', EventRecordSchema],
        ['task', TaskSchema],
        ['run', RunRecordSchema],
        ['step', StepSchema],
        ['item', BlackboardItemSchema],
        ['artifact', ArtifactSchema],
        ['workspace', WorkspaceLeaseSchema],
      ];
      const sources: Record<string, unknown[]> = {
        event: events,
        task: events.filter((e) => e.type.startsWith('context.task.')).map((e) => (e.payload as { task: unknown }).task),
        run: [(events[0].payload as { run: unknown }).run],
      };
      for (const [name, schema] of schemas) {
        const check = compile(schema);
        assert.ok(check, `${name} compiles`);
        const base = sources[name] ?? [];
        fc.assert(
          fc.property(
            fc.oneof(
              weird,
              base.length > 0
                ? fc
                    .constantFrom(...base)
                    .chain((b) => fc.constantFrom(...paths(b)).chain((p) => damage.map((d) => damaged(b as EventRecord, p, d))))
                : weird,
            ),
            (v) => {
              if (check(v)) assert.ok(schema.safeParse(v).success, `${name} accepted ${JSON.stringify(v)}`);
            },
          ),
          { seed: 7, numRuns: 3000 },
        );
      }
    });
});

describe('validateEventRecord with the fast path', () => {
  const events = sampleEvents();

  it('returns what the zod-only version returns, key order included', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...events).chain((e) => fc.constantFrom(...paths(e)).chain((p) => damage.map((d) => damaged(e, p, d)))),
        (v) => {
          const fast = validateEventRecord(v, RUN);
          const ref = zodOnly(v, RUN);
          if (typeof ref === 'string' && ref === 'invalid') {
            assert.equal(typeof fast, 'string', `fast path accepted ${JSON.stringify(v)}`);
            return;
          }
          if (typeof ref === 'string') return assert.equal(fast, ref);
          if (typeof fast === 'string') {
            // The record is fine; the payload check (not part of the reference) refused it.
            assert.match(fast, /^payload/);
            return;
          }
          assert.deepEqual(fast, ref);
          assert.equal(JSON.stringify(fast), JSON.stringify(ref));
          assert.deepEqual(Object.keys(fast), Object.keys(ref));
        },
      ),
      { seed: 11, numRuns: 5000 },
    );
  });

  it('gives the same error text as before for damaged records', () => {
    const e = events[2];
    assert.equal(validateEventRecord({ ...e, seq: 1.5 }, RUN), validateEventRecordViaZod({ ...e, seq: 1.5 }));
    assert.equal(
      validateEventRecord({ ...e, payload: { task: { id: 3 } } }, RUN),
      validateEventRecordViaZod({ ...e, payload: { task: { id: 3 } } }),
    );
    assert.equal(validateEventRecord({ ...e, run_id: 'other' }, RUN), 'run_id "other" does not belong to run run-check');
  });

  it('returns the value itself for a clean record and a copy without unknown keys otherwise', () => {
    const clean = JSON.parse(JSON.stringify(events[3]));
    assert.equal(validateEventRecord(clean, RUN), clean);
    const extra = { ...clean, extra: 1 };
    const out = validateEventRecord(extra, RUN) as EventRecord;
    assert.notEqual(out, extra);
    assert.ok(!('extra' in out));
  });
});

/** The error text the zod path words (record or payload), for the spot checks above. */
function validateEventRecordViaZod(value: Record<string, unknown>): string {
  const r = EventRecordSchema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    return `${i.path.length ? i.path.join('.') : 'record'}: ${i.message}`;
  }
  const p = TaskPayload.safeParse(r.data.payload);
  assert.ok(!p.success);
  const i = p.error.issues[0];
  return `payload of ${r.data.type}: ${i.path.length ? i.path.join('.') : 'record'}: ${i.message}`;
}

describe('compiled parsers (cached records)', () => {
  const { state } = sampleRun();
  // As the caches are written: JSON of the in-memory records, whose key order is not the schema's.
  const runJson = JSON.parse(JSON.stringify(toRunRecord(state)));
  const bbJson = JSON.parse(JSON.stringify(state.blackboard));

  for (const [name, schema, sample] of [
    ['run.json', RunRecordSchema, runJson],
    ['blackboard.json', StoredBlackboardSchema, bbJson],
    ['task', TaskSchema, runJson.tasks[0]],
  ] as const) {
    it(`${name}: returns zod's output exactly (values, key order, fresh objects) or UNSURE`, () => {
      const parse = compileParse(schema as z.ZodType);
      assert.ok(parse, 'compiles');
      const clean = parse(sample);
      assert.notEqual(clean, UNSURE, 'a well-formed record takes the fast path');
      const ref = (schema as z.ZodType).parse(sample);
      assert.deepEqual(clean, ref);
      assert.equal(JSON.stringify(clean), JSON.stringify(ref));
      assert.notEqual(clean, sample);
      fc.assert(
        fc.property(
          fc.constantFrom(...paths(sample)).chain((p) => damage.map((d) => damaged(sample as EventRecord, p, d))),
          (v) => {
            const out = parse(v);
            if (out === UNSURE) return;
            const r = (schema as z.ZodType).safeParse(v);
            assert.ok(r.success, `fast path took what zod rejects: ${JSON.stringify(v)}`);
            assert.deepEqual(out, r.data);
            assert.equal(JSON.stringify(out), JSON.stringify(r.data));
          },
        ),
        { seed: 5, numRuns: 3000 },
      );
    });
  }
});
