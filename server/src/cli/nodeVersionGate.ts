// The CLI on a Node too old for it — an old `node` first on PATH, which the terminal shims prefer
// (client/bin/): run again on the editor's own runtime when the terminal names it (RUNBOARD_NODE),
// else say what to do. Without this, Node 18 failed deep in the thin path (no global crypto).
// Kept to what any Node parses and has: it runs before the rest of the CLI is used.

/** The oldest Node the CLI runs on (package.json `engines`). */
export const MIN_NODE_MAJOR = 20;

/** Marks the run again, so that a runtime that is too old as well is refused, not run again for ever. */
const AGAIN_ENV = 'RUNBOARD_NODE_GATE';

export type NodeGate = { run: true } | { again: string } | { refuse: string };

/** What to do on Node `version` (process.version) at `execPath`. */
export function nodeGate(version: string, execPath: string, env: NodeJS.ProcessEnv): NodeGate {
  const major = Number(version.replace(/^v/, '').split('.')[0]);
  if (major >= MIN_NODE_MAJOR) return { run: true };
  const editor = env.RUNBOARD_NODE;
  if (editor && editor !== execPath && !env[AGAIN_ENV]) return { again: editor };
  return { refuse: tooOld(version, execPath, editor !== undefined && (editor === execPath || env[AGAIN_ENV] !== undefined)) };
}

/** Why it stops, and what to do: about the node that ran it, or about the editor's runtime when that was it. */
function tooOld(version: string, execPath: string, editorRuntime: boolean): string {
  const needs = `runboard: it needs Node.js ${MIN_NODE_MAJOR} or later`;
  if (editorRuntime)
    return `${needs}, and the editor's runtime (${execPath}) is Node ${version}: update VS Code, or install Node.js ${MIN_NODE_MAJOR}+ on PATH.`;
  return (
    `${needs}, and the node that ran it (${execPath}) is ${version}: install a newer Node.js (first on PATH), ` +
    `or run runboard from a VS Code terminal with Runboard enabled, where the editor's runtime runs it when node is too old.`
  );
}

/** Returns on a Node new enough; else runs the CLI again on the editor's runtime, or exits saying why. */
export function passNodeGate(): void {
  const gate = nodeGate(process.version, process.execPath, process.env);
  if ('run' in gate) {
    // Not handed on to what this CLI starts (git and its hooks, another runboard).
    delete process.env[AGAIN_ENV];
    return;
  }
  if ('again' in gate) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    const r = spawnSync(gate.again, process.argv.slice(1), {
      stdio: 'inherit',
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', [AGAIN_ENV]: '1' },
    });
    if (!r.error) process.exit(r.status ?? 1);
    // Gone (an editor updated since this terminal opened): said, with what the terminal named.
    process.stderr.write(
      `runboard: it needs Node.js ${MIN_NODE_MAJOR} or later; the node that ran it (${process.execPath}) is ${process.version}, ` +
        `and the editor's runtime this terminal names (RUNBOARD_NODE=${gate.again}) cannot be run: ${r.error.message}. Open a new VS Code terminal, or install Node.js ${MIN_NODE_MAJOR}+.\n`,
    );
    process.exit(127);
  }
  process.stderr.write(`${gate.refuse}\n`);
  process.exit(127);
}
