// A store in a process of its own, driven over stdin: each line {method, params} is executed in
// turn and answered with one stdout line, {result} or {error: {name, code, message}}.
//   commands.ts <root>
import * as readline from 'node:readline';
import { DomainError } from '../../../../server/src/engine/errors';
import { StoreMethod } from '../../../../contract/schemas/params';
import { emit, openWorkerStore, runWorker } from './common';

const [root] = process.argv.slice(2);

runWorker(async () => {
  const store = openWorkerStore(root);
  const rl = readline.createInterface({ input: process.stdin });
  emit({ ready: true });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    const { method, params } = JSON.parse(line) as { method: StoreMethod; params: unknown };
    try {
      emit({ result: await store.execute(method, params) });
    } catch (e) {
      emit({ error: { name: (e as Error).name, code: e instanceof DomainError ? e.code : undefined, message: (e as Error).message } });
    }
  }
  store.close();
});
