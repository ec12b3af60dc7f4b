// What the benchmarks write: params shaped like an agent's — tool-call events, research tasks
// with a title and a description, blackboard facts — so lines have realistic sizes.
import { IdSource } from '../server/src/engine/ids';
import { InputOf } from '../contract/schemas/params';

const TOOLS = ['read_file', 'grep', 'run_tests', 'edit_file', 'list_dir'];

export function toolCallParams(runId: string, i: number): InputOf<'appendEvent'> {
  return {
    run_id: runId,
    type: 'agent.tool_call',
    status: 'running',
    payload: { tool: TOOLS[i % TOOLS.length], args: { path: `src/module${i % 97}/file${i % 13}.ts` }, duration_ms: 3 + (i % 40), ok: true },
  };
}

export function taskInputs(n: number, offset = 0): InputOf<'createTasks'>['tasks'] {
  const out: InputOf<'createTasks'>['tasks'] = [];
  for (let i = offset; i < offset + n; i++) {
    out.push({
      task_type: 'research',
      priority: i % 3,
      payload: {
        title: `Check call sites of handler ${i}`,
        description: `Find every caller of handler ${i} and note the ones that retry.`,
      },
    });
  }
  return out;
}

export function factPayload(i: number): { text: string } {
  return { text: `Handler ${i} is only called from the request path; retries happen upstream.` };
}

/** Ids shaped like the store's (`<prefix>-<uuid>`) from a counter: same lengths, reproducible. */
export function counterIds(): IdSource {
  let n = 0;
  return {
    newId: (prefix) => `${prefix}-00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`,
  };
}
