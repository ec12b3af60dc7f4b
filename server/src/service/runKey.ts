// One run among the open roots as a single map key: a run id is unique only within its root.
export function runKey(root: string, runId: string): string {
  return `${root}\0${runId}`;
}

/** The root and run id of a runKey. */
export function fromRunKey(key: string): [root: string, runId: string] {
  const at = key.indexOf('\0');
  return [key.slice(0, at), key.slice(at + 1)];
}
