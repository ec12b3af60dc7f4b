// Live updates: lines appended by other processes are folded and delivered within 500 ms;
// subscriptions replay then stream with no gaps or repeats, survive a restart through the
// cursor, include runs created later, and span several roots.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { CLI_JS, itOnFiles, onPostgres, ServerProcess, sleep, tempRoot, waitFor } from './serverProcess';

const servers: ServerProcess[] = [];
async function start(roots: string[]) {
  const s = await ServerProcess.start(roots);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

function seqsOf(s: ServerProcess, sub: string, runId: string) {
  return s
    .delivered(sub)
    .filter((e) => e.run_id === runId)
    .map((e) => e.seq);
}

function assertContiguous(seqs: number[], from: number, to: number) {
  assert.deepEqual(
    seqs,
    Array.from({ length: to - from + 1 }, (_, i) => from + i),
  );
}

/**
 * Appends a well-formed next event to a run's log from a separate OS process: on files a plain
 * append to the log (any program may write it so), on a database board the CLI, writing directly.
 */
function appendFromOtherProcess(root: string, runId: string, type: string) {
  if (onPostgres) {
    const r = spawnSync(
      process.execPath,
      [CLI_JS, '--root', root, '--run', runId, '--json', 'event', 'append', type, '--payload', '{"from":"outside"}'],
      { encoding: 'utf8', env: { ...process.env, RUNBOARD_ROUTE: '0' } },
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    return (JSON.parse(r.stdout) as { event: { seq: number } }).event.seq;
  }
  const file = path.join(root, '.runboard/runs', runId, 'events.jsonl');
  const script = `
    const fs = require('fs');
    const lines = fs.readFileSync(${JSON.stringify(file)}, 'utf8').trim().split('\\n');
    const last = JSON.parse(lines[lines.length - 1]);
    const e = { event_id: 'evt-ext-' + Date.now(), run_id: ${JSON.stringify(runId)}, seq: last.seq + 1, ts_ms: Date.now(),
      type: ${JSON.stringify(type)}, status: last.status, revision: last.revision + 1, payload: { from: 'outside' } };
    fs.appendFileSync(${JSON.stringify(file)}, JSON.stringify(e) + '\\n');
    process.stdout.write(String(e.seq));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}

describe('live updates', () => {
  it('delivers a line appended by a separate process (how fast: bench row 8)', async () => {
    const root = tempRoot();
    const s = await start([root]);
    await s.call('runboard/createRun', { run_id: 'live', objective: 'x' });
    const { subscription_id: sub } = await s.call('runboard/subscribe', { run_ids: ['live'] });
    await waitFor(() => seqsOf(s, sub, 'live').length === 1, 2000, 'replay of seq 1');
    const seq = appendFromOtherProcess(root, 'live', 'external_note');
    await waitFor(() => seqsOf(s, sub, 'live').includes(seq), 3000, 'the external event');
    const note = s.delivered(sub).find((e) => e.seq === seq)!;
    assert.equal(note.type, 'external_note');
    const { run } = await s.call('runboard/getRun', { run_id: 'live' });
    assert.equal(run.last_event_seq, seq, 'folded into the server state');
    assertContiguous(seqsOf(s, sub, 'live'), 1, seq);
  });

  it('replays then streams without gaps or duplicates, across own commits and other writers', async () => {
    const root = tempRoot();
    const s = await start([root]);
    await s.call('runboard/createRun', { run_id: 'mix', objective: 'x' });
    for (let i = 0; i < 20; i++) await s.call('runboard/appendEvent', { run_id: 'mix', type: `before_${i}`, status: 'running' });
    const { subscription_id: sub } = await s.call('runboard/subscribe', {});
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 30; i++) {
      writes.push(s.call('runboard/appendEvent', { run_id: 'mix', type: `during_${i}`, status: 'running' }));
      if (i % 10 === 0) appendFromOtherProcess(root, 'mix', `outside_${i}`);
    }
    await Promise.all(writes);
    const { run } = await s.call('runboard/getRun', { run_id: 'mix' });
    await waitFor(() => seqsOf(s, sub, 'mix').length >= run.last_event_seq, 5000, 'all events');
    await sleep(300);
    assertContiguous(seqsOf(s, sub, 'mix'), 1, run.last_event_seq);
    const last = s.events.filter((n) => n.subscription_id === sub).pop()!;
    assert.equal(last.cursor.mix, run.last_event_seq);
  });

  it('includes runs created later, by this server or another process', async () => {
    const root = tempRoot();
    const s = await start([root]);
    const { subscription_id: sub } = await s.call('runboard/subscribe', {});
    await s.call('runboard/createRun', { run_id: 'later1', objective: 'x' });
    const other = await ServerProcess.start([root]);
    try {
      await other.call('runboard/createRun', { run_id: 'later2', objective: 'y' });
      await other.call('runboard/appendEvent', { run_id: 'later2', type: 'hello', status: 'running' });
    } finally {
      await other.stop();
    }
    await waitFor(() => seqsOf(s, sub, 'later1').length === 1 && seqsOf(s, sub, 'later2').length === 2, 4000, 'both runs');
    assertContiguous(seqsOf(s, sub, 'later2'), 1, 2);
  });

  it('resumes with the cursor after a server restart: nothing missed, nothing repeated', async () => {
    const root = tempRoot();
    let s = await start([root]);
    await s.call('runboard/createRun', { run_id: 'cur', objective: 'x' });
    for (let i = 0; i < 5; i++) await s.call('runboard/appendEvent', { run_id: 'cur', type: `a${i}`, status: 'running' });
    const { subscription_id: sub1 } = await s.call('runboard/subscribe', { run_ids: ['cur'] });
    await waitFor(() => seqsOf(s, sub1, 'cur').length === 6, 3000, 'first phase');
    const cursor = s.events.filter((n) => n.subscription_id === sub1).pop()!.cursor;
    assert.deepEqual(cursor, { cur: 6 });
    await s.kill();
    // While no server runs, other writers go on.
    appendFromOtherProcess(root, 'cur', 'while_down_1');
    appendFromOtherProcess(root, 'cur', 'while_down_2');
    s = await start([root]);
    const { subscription_id: sub2 } = await s.call('runboard/subscribe', { cursor });
    await s.call('runboard/appendEvent', { run_id: 'cur', type: 'after_restart', status: 'running' });
    await waitFor(() => seqsOf(s, sub2, 'cur').length === 3, 3000, 'second phase');
    await sleep(300);
    assertContiguous(seqsOf(s, sub2, 'cur'), 7, 9);
  });

  it('tail limits the replay to the last events of each run', async () => {
    const root = tempRoot();
    const s = await start([root]);
    await s.call('runboard/createRun', { run_id: 't', objective: 'x' });
    for (let i = 0; i < 9; i++) await s.call('runboard/appendEvent', { run_id: 't', type: `e${i}`, status: 'running' });
    const { subscription_id: sub } = await s.call('runboard/subscribe', { tail: 3 });
    await waitFor(() => seqsOf(s, sub, 't').length === 3, 3000, 'tail');
    assertContiguous(seqsOf(s, sub, 't'), 8, 10);
  });

  it('serves two roots; an id present in both is left out of a root-less subscription with a diagnostic', async () => {
    const a = tempRoot();
    const b = tempRoot();
    const s = await start([a, b]);
    await s.call('runboard/createRun', { root: a, run_id: 'only-a', objective: 'x' });
    await s.call('runboard/createRun', { root: b, run_id: 'only-b', objective: 'y' });
    await s.call('runboard/createRun', { root: a, run_id: 'twin', objective: 'a' });
    await s.call('runboard/createRun', { root: b, run_id: 'twin', objective: 'b' });
    const { subscription_id: all } = await s.call('runboard/subscribe', {});
    const { subscription_id: onlyB } = await s.call('runboard/subscribe', { root: b });
    await waitFor(() => seqsOf(s, all, 'only-a').length && seqsOf(s, all, 'only-b').length, 3000, 'both roots');
    await waitFor(() => s.diagnostics.some((d) => d.run_id === 'twin'), 3000, 'twin diagnostic');
    await waitFor(() => seqsOf(s, onlyB, 'twin').length === 1, 3000, 'twin in root b');
    await sleep(200);
    assert.equal(seqsOf(s, all, 'twin').length, 0);
    assert.equal(seqsOf(s, onlyB, 'only-a').length, 0);
    const runsA = await s.call('runboard/listRuns', { root: a });
    assert.deepEqual(runsA.runs.map((r: { run_id: string }) => r.run_id).sort(), ['only-a', 'twin']);
    // A root opened later joins root-less subscriptions.
    const c = tempRoot();
    const other = await ServerProcess.start([c]);
    await other.call('runboard/createRun', { run_id: 'in-c', objective: 'z' });
    await other.stop();
    await s.conn.sendNotification('workspace/didChangeWorkspaceFolders', {
      event: { added: [{ uri: `file://${c}`, name: 'c' }], removed: [{ uri: `file://${b}`, name: 'b' }] },
    });
    await waitFor(() => seqsOf(s, all, 'in-c').length === 1, 3000, 'run of the added root');
    const e = await s.fail('runboard/getRun', { root: b, run_id: 'only-b' });
    assert.equal(e.data?.code, 'ROOT_UNKNOWN');
  });

  itOnFiles('reports a torn tail as a diagnostic; the run still loads and the next writer repairs it', async () => {
    const root = tempRoot();
    const s0 = await start([root]);
    await s0.call('runboard/createRun', { run_id: 'torn', objective: 'x' });
    await s0.call('runboard/appendEvent', { run_id: 'torn', type: 'ok', status: 'running' });
    await s0.stop();
    servers.length = 0;
    const file = path.join(root, '.runboard/runs/torn/events.jsonl');
    fs.appendFileSync(file, '{"event_id":"evt-half","run_id":"torn","seq":3,"ts_');
    fs.appendFileSync(file.replace('events.jsonl', 'run.json'), 'garbage'); // an unreadable snapshot too
    const s = await start([root]);
    const { run } = await s.call('runboard/getRun', { run_id: 'torn' });
    assert.equal(run.last_event_seq, 2, 'loads up to the last complete line');
    await waitFor(() => s.diagnostics.some((d) => d.file.endsWith('run.json')), 3000, 'unreadable snapshot diagnostic');
    const r = await s.call('runboard/appendEvent', { run_id: 'torn', type: 'next', status: 'running' });
    assert.equal(r.event.seq, 3);
    const d = await waitFor(() => s.diagnostics.find((x) => /torn/i.test(x.message)), 3000, 'torn diagnostic');
    assert.equal(d.line, 3);
    assert.equal(d.run_id, 'torn');
    const lines = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.seq),
      [1, 2, 3],
    );
  });

  itOnFiles('reports a malformed line with its number; the run is read-only until repaired, then goes on', async () => {
    const root = tempRoot();
    const s = await start([root]);
    await s.call('runboard/createRun', { run_id: 'bad', objective: 'x' });
    const { subscription_id: sub } = await s.call('runboard/subscribe', { run_ids: ['bad'] });
    fs.appendFileSync(path.join(root, '.runboard/runs/bad/events.jsonl'), 'this is not json\n');
    const d = await waitFor(() => s.diagnostics.find((x) => x.line === 2), 3000, 'malformed diagnostic');
    assert.match(d.message, /malformed/i);
    const refused = await s.fail('runboard/appendEvent', { run_id: 'bad', type: 'after', status: 'running' });
    assert.equal(refused.data?.code, 'RUN_DAMAGED');
    assert.match(refused.message, /line 2/);
    const { run, damage } = await s.call('runboard/getRun', { run_id: 'bad' });
    assert.equal(run.last_event_seq, 1);
    assert.deepEqual(
      damage.map((x: { line: number }) => x.line),
      [2],
    );
    const repaired = await s.call('runboard/repairRun', { run_id: 'bad', accept: true });
    assert.equal(repaired.event.seq, 2);
    const r = await s.call('runboard/appendEvent', { run_id: 'bad', type: 'after', status: 'running' });
    assert.equal(r.event.seq, 3);
    await waitFor(() => seqsOf(s, sub, 'bad').length === 3, 3000, 'delivery');
  });
});

after(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
