// The thin path's hand-over to the full CLI (cli/main.ts): a call the thin path sent and lost
// (the server went away before it answered) is done again by the full CLI with the same
// command_id, so it is carried out once. The two are separate bundles in one process, so the id
// passes through a global registered symbol.
const KEY = Symbol.for('runboard.cli.handedOffCommandId');
const slot = globalThis as { [KEY]?: string };

export function handOffCommandId(commandId: string): void {
  slot[KEY] = commandId;
}

/** The handed-off command_id, once. */
export function takeHandedOffCommandId(): string | undefined {
  const id = slot[KEY];
  delete slot[KEY];
  return id;
}
