// The thin path's hand-over to the full CLI (cli/thin/thinMain.ts): a call the thin path could
// not route — no server answered, or it went away before it answered — is done by the full CLI
// directly (routing was tried: it is not tried again), and a call it had sent is done with the
// same command_id, so it is carried out once. The two are separate bundles in one process, so the
// hand-over passes through a global registered symbol.
const KEY = Symbol.for('runboard.cli.handOver');

/** What the full CLI is handed: the command_id the thin path sent its call with, when it sent one. */
export interface HandOver {
  commandId?: string;
}

const slot = globalThis as { [KEY]?: HandOver };

export function handOver(h: HandOver): void {
  slot[KEY] = h;
}

/** The hand-over, once; undefined when the full CLI runs on its own. */
export function takeHandOver(): HandOver | undefined {
  const h = slot[KEY];
  delete slot[KEY];
  return h;
}
