// What every worker does first: open a store on the root it was given and, when asked, wait for
// the parent's "go" so that all workers start their loops together.
import * as readline from 'node:readline';
import { RunService } from '../../../../server/src/service/runService';
import type { Durability } from '../../../../contract/limits';

export function openWorkerStore(root: string, durability: Durability = 'none'): RunService {
  const store = new RunService([root], { durability });
  // Diagnostics go to stderr: stdout carries only the JSON lines the parent checks.
  store.on({ onDiagnostic: (d) => process.stderr.write(`diagnostic: ${JSON.stringify(d)}\n`) });
  return store;
}

export function emit(line: unknown): void {
  process.stdout.write(JSON.stringify(line) + '\n');
}

/** Prints {ready: true} and resolves when the parent writes "go" on stdin. */
export function readyThenGo(): Promise<void> {
  emit({ ready: true });
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin });
    rl.on('line', (l) => {
      if (l.trim() === 'go') {
        rl.close();
        resolve();
      }
    });
  });
}

/** Runs `main`; an error ends the process with code 1 and the error on stderr. */
export function runWorker(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`worker failed: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
