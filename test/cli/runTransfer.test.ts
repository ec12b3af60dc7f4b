// run export / run import (issue 19, item 7): a run moved to another workspace as its events —
// the same events there (each marked as part of the import's one commit), replayed without drift,
// refused when the run exists, and a bad file refused whole, naming the line and field, with
// nothing written; a server of the target root sees the imported run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  assertBuilt,
  cleanEnv,
  cli,
  CLI_JS,
  cliJson,
  eventsOnDisk,
  removeTempWorkspaces,
  startHeadless,
  stopHeadless,
  tempWorkspace,
} from './cliHarness';

before(assertBuilt);
after(removeTempWorkspaces);
afterEach(stopHeadless);

const direct = { RUNBOARD_ROUTE: '0' };

/** A run with tasks, a claim, a completion and a fact, in a workspace of its own; returns its export file. */
function exportedRun(runId: string): { root: string; file: string } {
  const root = tempWorkspace();
  cliJson(root, ['run', 'create', 'Move me', '--id', runId]);
  cliJson(root, ['--run', runId, 'tasks', 'add', 'One', '--id', 't1']);
  cliJson(root, ['--run', runId, 'tasks', 'add', 'Two', '--id', 't2', '--after', 't1']);
  const { task } = cliJson(root, ['--run', runId, '--agent', 'a1', 'claim']);
  cliJson(root, ['--run', runId, 'complete', '--token', task.lease_token, '--result', 'done']);
  cliJson(root, ['--run', runId, 'fact', 'add', 'a fact']);
  const file = path.join(root, `${runId}.jsonl`);
  const r = cliJson(root, ['run', 'export', runId, '--output', file]);
  assert.deepEqual(r, { run_id: runId, events: eventsOnDisk(root, runId).length, file });
  return { root, file };
}

const withoutBatch = ({ batch_end: _b, ...e }: { batch_end?: number; [k: string]: unknown }) => e;

describe('run export and run import', () => {
  it('moves a run: the same events, the same run, replayed without drift; a second import is refused', () => {
    const { root: from, file } = exportedRun('mv');
    const to = tempWorkspace();
    const imported = cliJson(to, ['run', 'import', file]);
    assert.equal(imported.run.run_id, 'mv');
    assert.deepEqual(eventsOnDisk(to, 'mv').map(withoutBatch), eventsOnDisk(from, 'mv').map(withoutBatch));
    const n = eventsOnDisk(to, 'mv').length;
    assert.ok(
      eventsOnDisk(to, 'mv').every((e) => e.batch_end === n),
      'one commit: no process sees part of it',
    );
    const [a, b] = [from, to].map((root) => cliJson(root, ['run', 'show', 'mv']).run);
    assert.deepEqual({ ...b, updated_at_ms: 0 }, { ...a, updated_at_ms: 0 });
    const replay = cliJson(to, ['--run', 'mv', 'replay']);
    assert.ok(
      Object.values(replay.drift).every((v) => v === false || (Array.isArray(v) && v.length === 0)),
      JSON.stringify(replay.drift),
    );
    // Exported to stdout: the same lines as the file.
    const out = cli(['--root', to, 'run', 'export', 'mv'], { env: direct });
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(
      out.stdout
        .trim()
        .split('\n')
        .map((l) => withoutBatch(JSON.parse(l))),
      fs
        .readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => withoutBatch(JSON.parse(l))),
    );

    const again = cli(['--root', to, 'run', 'import', file], { env: direct });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /RUN_EXISTS: Run mv is on this board already: an import makes a run anew and never replaces one/);
    assert.equal(eventsOnDisk(to, 'mv').length, n, 'nothing written');
    // Archived here: said so, with the way back — not createRun's "choose another id", which an import has not.
    cliJson(to, ['run', 'archive', 'mv', '--force']);
    const archived = cli(['--root', to, '--json', 'run', 'import', file], { env: direct });
    assert.equal(archived.status, 1);
    const { error } = JSON.parse(archived.stdout);
    assert.deepEqual([error.code, error.data.archived], ['RUN_EXISTS', true]);
    assert.match(
      error.message,
      /^Run mv is on this board already, archived \(runboard run restore mv brings it back as it was here\): an import/,
    );
    assert.doesNotMatch(error.message, /another id/);
    // A run whose id differs only in case is in the way (one folder where case is ignored): named as it is.
    const other = tempWorkspace();
    cliJson(other, ['run', 'create', '--id', 'MV', 'In the way']);
    const clash = cli(['--root', other, 'run', 'import', file], { env: direct });
    assert.equal(clash.status, 1);
    assert.match(clash.stderr, /RUN_EXISTS: Run MV, whose id differs from mv only in case, is on this board already: an import/);
  });

  it('exports to a pipe whose reader is slow: every line, exit 0 (a write straight to the non-blocking descriptor failed with EAGAIN)', async () => {
    const root = tempWorkspace();
    cliJson(root, ['run', 'create', 'Big', '--id', 'big']);
    // Far more than a pipe holds (64 KiB on Linux): the reader's pause fills it.
    const tasks = Array.from({ length: 300 }, (_, i) => ({ id: `t${i}`, payload: { title: `task ${i}`, description: 'x'.repeat(400) } }));
    fs.writeFileSync(path.join(root, 'tasks.json'), JSON.stringify(tasks));
    cliJson(root, ['--run', 'big', 'tasks', 'create', path.join(root, 'tasks.json')]);
    const child = spawn(process.execPath, [CLI_JS, '--root', root, '--run', 'big', 'run', 'export'], { env: cleanEnv(direct) });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const ended = once(child.stdout, 'end');
    child.stdout.pause();
    // Read nothing until the export ends or has surely met the full pipe; a correct export waits for the reader either way.
    await Promise.race([exited, delay(1_000)]);
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stdout.resume();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += String(c)));
    assert.equal(await exited, 0, stderr);
    await ended;
    const lines = Buffer.concat(chunks).toString('utf8').trim().split('\n');
    assert.equal(lines.length, eventsOnDisk(root, 'big').length);
    assert.equal(stderr, '');
  });

  it('refuses a bad file whole, naming the line and the field; nothing is written', () => {
    const { file } = exportedRun('src');
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const to = tempWorkspace();
    const variants: [string, string[], RegExp][] = [
      ['not JSON', [lines[0], '{oops', ...lines.slice(2)], /line 2: not JSON/],
      // Said once, where it starts: every line after a gap is out of step too.
      [
        'a gap',
        [lines[0], ...lines.slice(2)],
        /line 2\.seq: 3, where seq 2 belongs \(seq 2 missing\): seqs start at 1 and go up by one, line by line(?![^]*line 3\.seq)/,
      ],
      [
        'a line twice',
        [lines[0], lines[1], lines[1], ...lines.slice(2)],
        /line 3\.seq: 2, where seq 3 belongs \(a line repeated, or out of order\)/,
      ],
      ['another run', [lines[0], lines[1].replace('"run_id":"src"', '"run_id":"other"')], /line 2\.run_id: other, but the run is src/],
      ['no creation first', lines.slice(1), /line 1\.type: a run starts with context\.run\.created/],
      ['no events', [], /line 1: the file holds no events/],
      ['a field missing', [JSON.stringify({ ...JSON.parse(lines[0]), seq: undefined })], /line 1\.seq: Invalid input/],
    ];
    for (const [what, content, message] of variants) {
      const bad = path.join(to, 'bad.jsonl');
      fs.writeFileSync(bad, content.join('\n') + (content.length ? '\n' : ''));
      const r = cli(['--root', to, 'run', 'import', bad], { env: direct });
      assert.equal(r.status, 2, `${what}: ${r.stderr}`);
      assert.match(r.stderr, message, what);
      assert.equal(fs.existsSync(path.join(to, '.runboard', 'runs', 'src')), false, `${what}: nothing written`);
    }
    const json = cli(['--root', to, '--json', 'run', 'export', 'src'], { env: direct });
    assert.equal(json.status, 2);
    assert.match(json.stderr, /with --json, name the file: --output <file>/);
  });

  it('a server of the target root sees the imported run; one bound to another folder says so', async () => {
    const { root: from, file } = exportedRun('seen');
    const to = tempWorkspace();
    fs.mkdirSync(path.join(to, '.runboard'));
    await startHeadless(to);
    // Bound to the folder it came from.
    const bound = path.join(from, 'bound.jsonl');
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const first = JSON.parse(lines[0]);
    first.payload.run.workspace.canonical_path = from;
    fs.writeFileSync(bound, [JSON.stringify(first), ...lines.slice(1)].join('\n') + '\n');
    const r = cli(['--root', to, 'run', 'import', bound]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`It is bound to ${from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: opened here it pauses`));
    const routed = cli(['--root', to, '--json', 'run', 'show', 'seen'], { env: { RUNBOARD_DEBUG: '1' } });
    assert.match(routed.stderr, /route: getRun: routed/);
    assert.equal(JSON.parse(routed.stdout).run.run_id, 'seen');
  });
});
