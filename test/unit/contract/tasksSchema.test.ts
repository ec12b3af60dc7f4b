// The published JSON Schema of a tasks file (schemas/tasks.schema.json) is the contract's own,
// regenerated from the zod schemas (`npm run schemas`), and agrees with what createTasks accepts:
// an editor checking a file with it says what the server would say.
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { METHOD_PARAMS, ParamsError, parseParams } from '../../../contract/schemas/params';
import { PUBLISHED_SCHEMAS, schemaText } from '../../../scripts/writeSchemas';

const SCHEMAS = path.resolve(__dirname, '..', '..', '..', 'schemas');
const manifest = JSON.parse(fs.readFileSync(path.resolve(SCHEMAS, '..', 'package.json'), 'utf8'));

const validate = new Ajv({ allErrors: true, strict: false }).compile(
  JSON.parse(fs.readFileSync(path.join(SCHEMAS, 'tasks.schema.json'), 'utf8')),
);

/** Whether createTasks' params schema takes the file (an array, or {tasks}). */
function serverTakes(file: unknown): boolean {
  const tasks = Array.isArray(file) ? file : (file as { tasks?: unknown }).tasks;
  try {
    parseParams(METHOD_PARAMS.createTasks, { run_id: 'r', tasks });
    return true;
  } catch (e) {
    if (e instanceof ParamsError) return false;
    throw e;
  }
}

describe('the tasks file schema', () => {
  it('is up to date with the contract (npm run schemas writes it)', () => {
    for (const [name, make] of Object.entries(PUBLISHED_SCHEMAS)) {
      assert.equal(fs.readFileSync(path.join(SCHEMAS, name), 'utf8'), schemaText(make), `schemas/${name} is stale: run npm run schemas`);
    }
  });

  it('is what package.json gives editors for *.tasks.json and runboard.tasks.json, never .vscode/tasks.json', () => {
    assert.deepEqual(manifest.contributes.jsonValidation, [
      { fileMatch: ['*.tasks.json', 'runboard.tasks.json'], url: './schemas/tasks.schema.json' },
    ]);
  });

  it('accepts and refuses what createTasks does', () => {
    const files: [unknown, boolean][] = [
      [[{ id: 'survey', task_type: 'research', payload: { title: 'Survey the docs' } }], true],
      [{ tasks: [{ task_type: 'w', depends_on_task_ids: ['a'], priority: 2, max_attempts: 5, command_id: 'x' }] }, true],
      [[{ task_type: 'w', payload: null }], true],
      [[{ task_id: 'a', title: 'A', task_type: 'w' }], false],
      [[{ id: 'a' }], true],
      [[{ id: 'a', payload: { title: 'A', output_target: { path: 'A.md' } } }], true],
      [[{ id: 'a', task_type: null }], false],
      [[{ task_type: '' }], false],
      [[{ task_type: 'w', priority: 1.5 }], false],
      [[], false],
      [{ tasks: [{ task_type: 'w' }], extra: 1 }, false],
    ];
    for (const [file, ok] of files) {
      assert.equal(validate(file), ok, `the schema on ${JSON.stringify(file)}: ${JSON.stringify(validate.errors)}`);
      if (!(Array.isArray(file) && file.length === 0) && !(typeof file === 'object' && 'extra' in (file as object)))
        assert.equal(serverTakes(file), ok, `createTasks on ${JSON.stringify(file)}`);
    }
  });

  it('says an implementation task needs payload.output_target.path, as the engine does', () => {
    assert.equal(validate([{ task_type: 'implementation', payload: { title: 'x' } }]), false);
    assert.equal(validate([{ task_type: 'implementation', payload: { output_target: { path: 'CHANGELOG.md' } } }]), true);
  });
});
